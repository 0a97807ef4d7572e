#!/usr/bin/env bash
# Whole-process figures for the fleet: the dashboard watching 100 accounts
# on local sandboxes (`plivo-dash sandbox --accounts 100`), beside the same
# dashboard watching one, in one run on this machine. Needs python3 and
# GNU time. Prints a Markdown table.
#
#   benches/fleet.sh                    # full run (about 3 minutes)
#   IDLE_SECONDS=10 benches/fleet.sh    # quicker, rougher idle figures
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE_SECONDS=${IDLE_SECONDS:-60}
ACCOUNTS=${ACCOUNTS:-100}

cargo build --release --quiet
bin=$PWD/target/release/plivo-dash
work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# Every answer is logged with its time: the request timeline.
PLIVO_DASH_LOG=info "$bin" sandbox --accounts "$ACCOUNTS" --drain 0.01 \
  --log-file "$work/sandbox.log" > "$work/fleet.toml" 2>/dev/null &
sandbox_pid=$!
lines=$((2 + ACCOUNTS * 5))
for _ in $(seq 100); do [ "$(wc -l < "$work/fleet.toml")" -ge "$lines" ] && break; sleep 0.1; done
chmod 600 "$work/fleet.toml"
export HOME="$work" XDG_CONFIG_HOME="$work" XDG_STATE_HOME="$work/state"

# The fill, at a 5 s period: from the start to every account's first answer.
start=$(date -u +%s.%N)
PLIVO_DASH_CONFIG="$work/fleet.toml" \
  python3 benches/dashboard_probe.py idle "$bin" 12 --interval 5 > "$work/fill.txt"
# Idle at a 60 s period, once the table has filled: CPU and peak memory,
# fleet and one account.
export PROBE_SETTLE=10
PLIVO_DASH_CONFIG="$work/fleet.toml" \
  python3 benches/dashboard_probe.py idle "$bin" "$IDLE_SECONDS" --interval 60 > "$work/idle-fleet.txt"
one=$(awk -F' = ' '/^\[profiles.sandbox1\]/ {on=1} on && /^api_url/ {u=$2} on && /^auth_id/ {i=$2} on && /^auth_token/ {t=$2; print u, i, t; exit}' "$work/fleet.toml" | tr -d '"')
read -r url id token <<< "$one"
PLIVO_API_URL=$url PLIVO_AUTH_ID=$id PLIVO_AUTH_TOKEN=$token \
  python3 benches/dashboard_probe.py idle "$bin" "$IDLE_SECONDS" --interval 60 > "$work/idle-one.txt"

value() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
python3 - "$work/sandbox.log" "$start" "$IDLE_SECONDS" "$ACCOUNTS" \
  "$(value "$work/idle-fleet.txt" cpu_seconds)" "$(value "$work/idle-fleet.txt" peak_rss_kib)" \
  "$(value "$work/idle-one.txt" cpu_seconds)" "$(value "$work/idle-one.txt" peak_rss_kib)" <<'PY'
import re, sys
from datetime import datetime
log, start, idle, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
fleet_cpu, fleet_rss, one_cpu, one_rss = map(float, sys.argv[5:9])
answers = []
for line in open(log):
    m = re.match(r"(\S+Z).*sandbox answered.*path=/v1/Account/(\w+)/", line)
    if m:
        at = datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
        answers.append((at, m.group(2)))
fill_run = [(t, a) for t, a in answers if start <= t <= start + 12]
first = {}
for t, a in fill_run:
    first.setdefault(a, t)
fill = max(first.values()) - start if len(first) == n else float("nan")
times = sorted(t for t, _ in fill_run)
burst = max(sum(1 for u in times if t <= u < t + 0.1) for t in times)
print(f"| measure | fleet of {n} | one account | target |")
print("|---|---|---|---|")
print(f"| first full fill at `--interval 5` (start to the last account's first answer) | {fill:.2f} s ({len(first)} of {n}) | | < 5 s ✓ |" if fill < 5 else f"| first full fill | {fill:.2f} s | | < 5 s ✗ |")
print(f"| most requests started in any 100 ms (first 12 s) | {burst} | | no burst |")
print(f"| idle CPU over {idle:.0f} s at `--interval 60`, after 10 s | {fleet_cpu / idle * 100:.3f}% | {one_cpu / idle * 100:.3f}% | < 0.2% |")
print(f"| peak RSS | {fleet_rss / 1024:.1f} MiB | {one_rss / 1024:.1f} MiB | < 30 MiB |")
PY
