#!/bin/bash
# Before/after figures for #21 item 7: the same machine, one after the other.
# Usage: benches/test-binaries.sh [REV...]  (from the repo; clones into $OUT)
set -u
REPO="${REPO:-$(git rev-parse --show-toplevel)}"
OUT="${OUT:-/tmp/test-binaries}"
mkdir -p "$OUT"
out="$OUT/binaries.txt"
: > "$out"
for rev in "${@:-HEAD}"; do
  dir="$OUT"/clone-$rev
  rm -rf $dir
  git clone -q "$REPO" $dir
  git -C $dir checkout -q $(git -C "$REPO" rev-parse $rev)
  cd $dir
  s=$(date +%s.%N)
  cargo test --no-run >/dev/null 2>&1
  e=$(date +%s.%N)
  size=$(du -sm target | cut -f1)
  bins=$(find target/debug/deps -maxdepth 1 -type f -executable -newer Cargo.toml | wc -l)
  s2=$(date +%s.%N)
  cargo test --no-fail-fast >/dev/null 2>&1
  e2=$(date +%s.%N)
  s3=$(date +%s.%N)
  cargo test --no-fail-fast >/dev/null 2>&1
  e3=$(date +%s.%N)
  echo "$rev build_s=$(echo "$e - $s" | bc) target_MiB=$size test_executables=$bins test1_s=$(echo "$e2 - $s2" | bc) test2_s=$(echo "$e3 - $s3" | bc)" >> $out
  rm -rf $dir/target
done
echo done >> $out
