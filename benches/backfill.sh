#!/usr/bin/env bash
# A first back-fill of many records, as a user runs it: `plivo-dash sandbox`
# seeds DAYS of traffic times SCALE, answering every request LATENCY_MS late
# and taking RATE message pages a minute; `plivo-dash usage sync` reads it
# all into a fresh store under /usr/bin/time -v. Prints the records and
# pages read, the wall time, the bound the limits set for those pages, the
# peak RSS and the database's size.
#
#   benches/backfill.sh [DAYS SCALE LATENCY_MS RATE]   (default 30 14 20 1200)
#
# BIN names the binary to measure (default target/release/plivo-dash, built
# if missing).
#
# 30 days at scale 14 is about 100,000 records; 90 days at scale 45 about
# 1,000,000. The bound: Plivo lets an account make 300 requests in 5 s (one
# page each 1/60 s, calls and messages alike) and the message list RATE a
# minute, so N pages of which M are messages take at least
# max(N / 60, M * 60 / RATE) seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-30}
scale=${2:-14}
latency=${3:-20}
rate=${4:-1200}
bin=${BIN:-target/release/plivo-dash}
[ -x "$bin" ] || cargo build --release --quiet
work=$(mktemp -d)
sandbox_pid=
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

PLIVO_DASH_LOG=info "$bin" sandbox --traffic "$days" --traffic-scale "$scale" \
    --latency "$latency" --message-rate "$rate" --log-file "$work/sandbox.log" \
    >"$work/env" 2>/dev/null &
sandbox_pid=$!
for _ in $(seq 600); do
    [ "$(wc -l <"$work/env")" -ge 3 ] && break
    sleep 0.1
done
eval "$(cat "$work/env")"
export HOME=$work XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config

/usr/bin/time -v "$bin" usage sync --days "$days" --message-rate "$rate" \
    >"$work/out" 2>"$work/err"
kill "$sandbox_pid"
sandbox_pid=

wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/err")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/err")
calls=$(grep -c '/Call/.*status=200' "$work/sandbox.log" || true)
messages=$(grep -c '/Message/.*status=200' "$work/sandbox.log" || true)
limited=$(grep -c 'status=429' "$work/sandbox.log" || true)
db=$(du -k "$work"/state/plivo-dash/*.sqlite* | awk '{s += $1} END {print s}')
seconds=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
bound=$(awk -v n=$((calls + messages)) -v m="$messages" -v r="$rate" \
    'BEGIN { a = n / 60; b = m * 60 / r; print (a > b ? a : b) }')
echo "days=$days scale=$scale latency=${latency}ms message_rate=$rate/min"
tail -n 3 "$work/out"
echo "pages: calls $calls, messages $messages; 429s: $limited"
echo "wall: ${seconds} s; bound from the limits: ${bound} s; ratio: $(awk -v w="$seconds" -v b="$bound" 'BEGIN { printf "%.2f", w / b }')"
echo "peak RSS: $((rss / 1024)) MiB; database: $((db / 1024)) MiB"
