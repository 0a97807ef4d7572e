#!/usr/bin/env bash
# Whole-process figures for plivo-dash, side by side with their baselines, in
# one run on this machine. Needs hyperfine, curl, python3 and GNU time
# (apt-get install hyperfine time). Prints a Markdown table.
#
#   benches/whole-process.sh            # full run (about 3 minutes)
#   IDLE_SECONDS=10 benches/whole-process.sh   # quicker, rougher idle figures
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE_SECONDS=${IDLE_SECONDS:-60}

cargo build --release --quiet
bin=target/release/plivo-dash
work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" sandbox > "$work/env" 2>/dev/null &
sandbox_pid=$!
for _ in $(seq 50); do [ -s "$work/env" ] && [ "$(wc -l < "$work/env")" -ge 3 ] && break; sleep 0.1; done
# shellcheck disable=SC1091
source "$work/env"
export HOME="$work" XDG_CONFIG_HOME="$work" XDG_STATE_HOME="$work"
url="$PLIVO_API_URL/v1/Account/$PLIVO_AUTH_ID/"

hyperfine --warmup 20 --runs 200 -N --export-json "$work/hf.json" \
  -n curl "curl -s -u $PLIVO_AUTH_ID:$PLIVO_AUTH_TOKEN $url" \
  -n "get --json" "$bin get --json" \
  -n check "$bin check --warning 1 --critical 0.5" > "$work/hyperfine.txt"

rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
curl_rss=$(rss curl -s -u "$PLIVO_AUTH_ID:$PLIVO_AUTH_TOKEN" "$url")
get_rss=$(rss "$bin" get --json)

python3 benches/dashboard_probe.py startup "$bin" 20 > "$work/startup.txt"
python3 benches/dashboard_probe.py idle "$bin" "$IDLE_SECONDS" --interval 60 > "$work/idle60.txt"
python3 benches/dashboard_probe.py idle "$bin" "$IDLE_SECONDS" --interval 1 > "$work/idle1.txt"

value() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
python3 - "$work/hf.json" <<PY
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = lambda name: runs[name]["median"] * 1000
base = ms("curl")
print("| measure | plivo-dash | baseline | ratio |")
print("|---|---|---|---|")
for name in ("get --json", "check"):
    print(f"| \`{name}\` wall time, median of 200 | {ms(name):.2f} ms | curl {base:.2f} ms | {ms(name)/base:.2f}× |")
print(f"| \`get --json\` peak RSS | ${get_rss} KiB | curl ${curl_rss} KiB | {${get_rss}/${curl_rss}:.2f}× |")
print(f"| dashboard start to first frame, median of 20 | $(value "$work/startup.txt" first_frame_ms) ms | | |")
print(f"| dashboard start to first data, median of 20 | $(value "$work/startup.txt" first_data_ms) ms | | |")
print(f"| dashboard idle, --interval 60: CPU over ${IDLE_SECONDS} s | $(value "$work/idle60.txt" cpu_seconds) s | | |")
print(f"| dashboard idle, --interval 1: CPU over ${IDLE_SECONDS} s | $(value "$work/idle1.txt" cpu_seconds) s | | |")
print(f"| dashboard peak RSS (--interval 1, ${IDLE_SECONDS} s) | $(value "$work/idle1.txt" peak_rss_kib) KiB | | |")
import os
print(f"| release binary size | {os.path.getsize('$bin')/1024/1024:.2f} MiB | | |")
PY
