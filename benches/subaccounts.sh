#!/usr/bin/env bash
# Whole-process figures for subaccounts at scale: a sandbox holding 1,000
# with 50 ms of latency on every answer, as a far-away API would have.
# Needs hyperfine, GNU time and tmux (apt-get install hyperfine time tmux).
#
#   benches/subaccounts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/plivo-dash
work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" sandbox --subaccounts 1000 --latency 50 > "$work/env" 2>/dev/null &
sandbox_pid=$!
for _ in $(seq 50); do [ -s "$work/env" ] && [ "$(wc -l < "$work/env")" -ge 3 ] && break; sleep 0.1; done
# shellcheck disable=SC1091
source "$work/env"
export HOME="$work" XDG_CONFIG_HOME="$work" XDG_STATE_HOME="$work"
url="$PLIVO_API_URL/v1/Account/$PLIVO_AUTH_ID/Subaccount/?limit=20&offset=0"

hyperfine --warmup 2 --runs 10 -N --export-json "$work/hf.json" \
  -n "curl, one page" "curl -s -u $PLIVO_AUTH_ID:$PLIVO_AUTH_TOKEN $url" \
  -n "list, one page" "$bin subaccounts list" \
  -n "list --all --json, 1,000" "$bin subaccounts list --all --json" > "$work/hyperfine.txt"

rss=$(/usr/bin/time -v "$bin" subaccounts list --all --json 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
python3 - "$work/hf.json" "$rss" <<'PY'
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print("| measure | median |")
print("|---|---|")
for name, r in runs.items():
    print(f"| {name} | {r['median'] * 1000:.0f} ms |")
print(f"| list --all --json, 1,000: peak RSS | {int(sys.argv[2]) / 1024:.1f} MiB |")
PY

# The dashboard's peak RSS with the subaccounts screen open on all 1,000
# (s, then End once every page is in), beside the dashboard alone.
dashboard_peak() {
  local session="plivo-dash-bench-$$"
  # A tmux server already running would not pass this shell's variables on.
  tmux new -d -s "$session" -x 120 -y 35 "exec env PLIVO_API_URL=$PLIVO_API_URL \
    PLIVO_AUTH_ID=$PLIVO_AUTH_ID PLIVO_AUTH_TOKEN=$PLIVO_AUTH_TOKEN \
    HOME=$work XDG_CONFIG_HOME=$work XDG_STATE_HOME=$work $bin"
  sleep 2
  if [ "$1" = subaccounts ]; then
    tmux send-keys -t "$session" s
    sleep 4
    tmux send-keys -t "$session" End
    sleep 1
  fi
  awk '/VmHWM/ {print $2}' "/proc/$(tmux list-panes -t "$session" -F '#{pane_pid}')/status"
  tmux kill-session -t "$session"
}
alone=$(dashboard_peak alone)
open=$(dashboard_peak subaccounts)
echo "| dashboard peak RSS, alone | $((alone / 1024)).$(( (alone % 1024) * 10 / 1024 )) MiB |"
echo "| dashboard peak RSS, subaccounts screen on 1,000 | $((open / 1024)).$(( (open % 1024) * 10 / 1024 )) MiB |"
