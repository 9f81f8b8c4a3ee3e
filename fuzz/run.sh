#!/bin/sh
# run.sh - run one libFuzzer target for a bounded time, from an empty
# temporary directory, and print its figures.
#
#   fuzz/run.sh TARGET SECONDS        TARGET: load | pipeline | config | conninfo | source | terraform
#
# Environment: FUZZ_NICE (nice level, default 0), FUZZ_TIMEOUT (seconds one
# input may take, default 2; libFuzzer measures wall-clock time, so a run at
# nice 19 on a busy machine needs more, e.g. 20), FUZZ_ARGS (extra libFuzzer
# options). Follow a run with `tail -f build/fuzz/TARGET.log`.
#
# Reads seeds from build/fuzz/seed-TARGET when there is one (config,
# conninfo, source, terraform), else build/fuzz/seed (the YAML targets), with the dictionary
# fuzz/TARGET.dict, else fuzz/yaml.dict; grows build/fuzz/corpus-TARGET, writes
# crash reproducers to build/fuzz/artifacts/TARGET-crash-* and the log to
# build/fuzz/TARGET.log. FUZZ_OUT=DIR uses DIR instead of build/fuzz (a long
# run from a copy that `make clean` cannot remove under it). Exits 0 when the run ended without a finding, else
# libFuzzer's status after printing the log's tail.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: fuzz/run.sh load|pipeline|config|conninfo|source|terraform SECONDS}
seconds=${2:?usage: fuzz/run.sh load|pipeline|config|conninfo|source|terraform SECONDS}
out=${FUZZ_OUT:-$root/build/fuzz}
bin=$out/fuzz_$target
corpus=$out/corpus-$target
seed=$out/seed
[ -d "$out/seed-$target" ] && seed=$out/seed-$target
dict=$root/fuzz/yaml.dict
[ -f "$root/fuzz/$target.dict" ] && dict=$root/fuzz/$target.dict
arts=$out/artifacts
log=$out/$target.log

[ -x "$bin" ] || { echo "run.sh: $bin is not built" >&2; exit 2; }
mkdir -p "$corpus" "$seed" "$arts"
work=$(mktemp -d)
stamp=$(mktemp)
trap 'rm -rf "$work" "$stamp"' EXIT
trap 'exit 130' INT TERM

# The working directory is empty: `include:` in an input resolves against it.
# Standard input is /dev/null, so no input can wait on a terminal.
cd "$work" || exit 2
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
start=$(date +%s)
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
set -- nice -n "${FUZZ_NICE:-0}" "$bin" \
	-max_total_time="$seconds" -max_len=65536 -timeout="${FUZZ_TIMEOUT:-2}" -rss_limit_mb=1024 \
	-dict="$dict" -artifact_prefix="$arts/$target-" \
	-print_final_stats=1 ${FUZZ_ARGS:-} "$corpus" "$seed"
"$@" </dev/null >"$log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
units=$(find "$corpus" -type f | wc -l)
crashes=$(find "$arts" -type f -name "$target-*" -newer "$stamp" 2>/dev/null | wc -l)
echo "fuzz_$target: ${execs:-?} executions in ${elapsed} s (${speed:-?}/s, peak RSS ${peak:-?} MB), corpus $units inputs, $crashes new crash files, exit $rc"
if [ "$rc" != 0 ]; then
	echo "fuzz_$target FAILED; the end of $log:" >&2
	tail -n 60 "$log" >&2
	find "$arts" -type f -name "$target-*" -newer "$stamp" | while read -r a; do
		echo "reproducer: $a   (replay: $bin $a)" >&2
	done
fi
exit "$rc"
