#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for a given time each, seeding their corpora at run time
# from ../shared (never committed: fuzz/corpus is git-ignored).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   # default 600 s, every target, one after another
#   scripts/fuzz.sh --smoke [SECONDS]       # CI smoke: default 30 s a target
#
# The toolchain is stable: RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the nightly-only flags it needs.
# Logs: fuzz/artifacts/logs/<target>.log; crashes: fuzz/artifacts/<target>/ (exit status 1 on any crash).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

secs=600
if [ "${1:-}" = "--smoke" ]; then
  shift
  secs=30
fi
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  secs=$1
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(dockerfile_parse compose_load compose_yaml_diff lint_file fix_apply expansion git_index)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)" >&2
  exit 2
fi
shared="${PLIMSOLL_SHARED:-$root/../shared}"
export RUSTC_BOOTSTRAP=1
# No sanitizer: the code is safe Rust (panics and overflows are what we hunt, so debug assertions).
build_flags=(--sanitizer none --debug-assertions)

# seed TARGET: copies shared Dockerfiles and compose files into fuzz/corpus/TARGET. The lint and
# fix targets read a leading byte (bit 0: compose, bit 1: all rules / unsafe fixes).
seed() {
  local t=$1 dir="fuzz/corpus/$1" n=0 f
  mkdir -p "$dir"
  if [ ! -d "$shared" ]; then
    echo "fuzz.sh: $shared not found (set PLIMSOLL_SHARED); $t starts from its existing corpus" >&2
    return
  fi
  local dockerfiles=() composes=()
  while IFS= read -r -d '' f; do dockerfiles+=("$f"); done < <(
    find "$shared/corpus/dockerfiles" "$shared/conformance/buildkit-parser" -type f \
      \( -name '*Dockerfile*' -o -path '*/corpus/dockerfiles/*' \) -print0 2>/dev/null)
  while IFS= read -r -d '' f; do composes+=("$f"); done < <(
    find "$shared/corpus/compose" -type f -print0 2>/dev/null)
  case $t in
    dockerfile_parse) for f in "${dockerfiles[@]}"; do cp "$f" "$dir/seed-$((n++))"; done ;;
    compose_load | compose_yaml_diff) for f in "${composes[@]}"; do cp "$f" "$dir/seed-$((n++))"; done ;;
    expansion)
      # Head byte: kind (bit 0), ARG or ENV (bit 1), lines (bits 2-7); then the first value.
      for h in '\x00' '\x02' '\x01' '\x50' '\x52' '\x51' '\xfc' '\xfe' '\xfd'; do
        printf "${h}ab\$x\nRUN echo \${V3}\n" >"$dir/seed-$((n++))"
      done
      ;;
    *)
      for f in "${dockerfiles[@]}"; do
        { printf '\x02'; cat "$f"; } >"$dir/seed-$((n++))"
      done
      for f in "${composes[@]}"; do
        { printf '\x03'; cat "$f"; } >"$dir/seed-$((n++))"
      done
      ;;
  esac
}

(cd fuzz && cargo fuzz build "${build_flags[@]}" 2>&1 | tail -1)
mkdir -p fuzz/artifacts/logs
status=0
for t in "${targets[@]}"; do
  seed "$t"
  log="fuzz/artifacts/logs/$t.log"
  echo "== $t: ${secs}s (log $log)"
  if (cd fuzz && cargo fuzz run "${build_flags[@]}" "$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1) >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|Done [0-9]+ runs)' "$log" || true
  else
    status=1
    echo "!! $t failed: see $log and fuzz/artifacts/$t/" >&2
    grep -E 'panicked|ERROR:|SUMMARY' "$log" | head -5 >&2 || true
  fi
done
exit $status
