. /tmp/hostile-login/kcenv.sh
rm -rf cfg
TOK3=THIRDtoken99999999999; U4=http://127.0.0.1:48704
eval $(printf "pw\n" | gnome-keyring-daemon --unlock --daemonize --components=secrets 2>/dev/null)
echo "== plaintext first, then keychain login"
echo $TOK | PLIVO_DASH_NO_KEYCHAIN=1 $B login --auth-id $ID --api-url $U1 --auth-token-stdin --profile mig >/dev/null
echo $TOK | r $B login --auth-id $ID --api-url $U1 --auth-token-stdin --profile mig
cat $CF
echo "== same auth id, different server/token"
echo $TOK3 | r $B login --auth-id $ID --api-url $U4 --auth-token-stdin --profile staging
r $B profiles --verify
echo "== logout mig while token in keychain"
r $B logout --profile mig
r $B profiles
st
echo "== file token + keychain token both: which wins"
printf '[profiles.both]\nauth_id = "%s"\nauth_token = "wrongwrongwrongwrong"\napi_url = "%s"\n' $ID $U1 >> $CF
echo $TOK | $B login --auth-id $ID --api-url $U1 --auth-token-stdin --profile kc >/dev/null
r $B profiles
r $B logout --profile both
st; cat $CF
