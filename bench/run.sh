#!/usr/bin/env bash
# run.sh - the benchmark driver behind `make bench` (issue 7).
#
# Builds nothing (make does). Generates bench/out/<N>.yaml with bench/gen.py
# when missing or older than the generator, then for each size measures
#   connbudget check --format json FILE   (stdout to /dev/null)
#   build/bench/scan FILE                 (libyaml's bare event scan)
# side by side: wall-clock median of at least BENCH_RUNS runs of each, the
# two commands interleaved so that the load of a shared machine hits both
# alike; peak RSS and minor page faults (/usr/bin/time -f "%M %R"); and the
# ratio. Then the issue's targets with PASS/FAIL, and callgrind instruction
# counts (Ir) of both on the 10 000-client file, which are stable where
# wall-clock time is not.
#
# Environment:
#   BENCH_SIZES   client counts (default "10 1000 10000 100000")
#   BENCH_RUNS    minimum runs per timing, at least 5 (default 7)
#   BENCH_TIMER   interleaved (default: a bash loop on $EPOCHREALTIME) or
#                 hyperfine (hyperfine -N --export-json, each command's runs
#                 in one batch)
#   BENCH_STRICT  1: exit 1 when a target fails (default 0: report only)
#   CONNBUDGET    the binary under test (default build/bench/connbudget, the
#                 -O2 build of mk/bench.mk)
#   SCAN          the baseline (default build/bench/scan)
#
#   bench/run.sh [--generate-only]
#
# Exit status: 0, or 1 (BENCH_STRICT=1 and a target failed), or 2 when
# something could not run (a missing binary, connbudget exiting 2).
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2

SIZES=${BENCH_SIZES:-10 1000 10000 100000}
RUNS=${BENCH_RUNS:-7}
TIMER=${BENCH_TIMER:-interleaved}
STRICT=${BENCH_STRICT:-0}
CB=${CONNBUDGET:-build/bench/connbudget}
SCAN=${SCAN:-build/bench/scan}
PY=/usr/bin/python3
OUT=bench/out

# The issue's targets.
MAX_RATIO=1.25         # connbudget / scan time at 10 000 and 100 000 clients
MAX_RSS_KIB=65536      # 64 MiB peak RSS at 100 000 clients
MAX_SMALL_RATIO=1.5    # whole-process time at 10 clients
MAX_GROWTH=11          # time(100 000) / time(10 000)

die() { echo "run.sh: $*" >&2; exit 2; }

[ "$RUNS" -ge 5 ] 2>/dev/null || die "BENCH_RUNS must be at least 5, got \"$RUNS\""
case $TIMER in
interleaved) [ -n "${EPOCHREALTIME:-}" ] || die "bash 5 needed (\$EPOCHREALTIME)" ;;
hyperfine) command -v hyperfine >/dev/null 2>&1 || die "BENCH_TIMER=hyperfine: hyperfine not installed" ;;
*) die "BENCH_TIMER must be interleaved or hyperfine, got \"$TIMER\"" ;;
esac
[ -x "$PY" ] || die "$PY not found (Debian python3)"

# generate N: write $OUT/N.yaml unless it is there and newer than gen.py.
generate() {
	local f=$OUT/$1.yaml
	if [ ! -s "$f" ] || [ bench/gen.py -nt "$f" ]; then
		mkdir -p "$OUT"
		echo "generating $f" >&2
		"$PY" bench/gen.py "$1" "$f" || die "bench/gen.py $1 failed"
	fi
}

for n in $SIZES; do
	case $n in '' | *[!0-9]*) die "BENCH_SIZES: not a number: \"$n\"" ;; esac
	generate "$n"
done
[ "${1:-}" = --generate-only ] && exit 0

[ -x "$CB" ] || die "$CB not found: run 'make bench' (or make build/bench/connbudget)"
[ -x "$SCAN" ] || die "$SCAN not found: run 'make bench' (or make build/bench/scan)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# median_ms CMD...: the median wall-clock time of CMD in milliseconds with
# hyperfine (BENCH_TIMER=hyperfine): no shell in between (-N), two warm-up
# runs, at least RUNS runs and up to 3 s or 200 runs, stdout discarded.
median_ms() {
	hyperfine -N -i --style none --warmup 2 --min-runs "$RUNS" --max-runs 200 \
		--export-json "$TMP/h.json" -- "$*" >"$TMP/h.log" 2>&1 ||
		{ cat "$TMP/h.log" >&2; die "hyperfine failed on: $*"; }
	"$PY" -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$TMP/h.json"
}

# median_of FILE: the median of the microsecond counts in FILE, in ms.
median_of() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }'
}

# now_us: wall clock in microseconds, without a fork ($EPOCHREALTIME, bash 5).
now_us() { local t=$EPOCHREALTIME; echo "${t/[.,]/}"; }

# time_both FILE: time connbudget and the scan on FILE, interleaved (one
# run of each in turn, so a load change on a shared machine hits both
# alike), after one warm-up pair: at least RUNS pairs, more up to 2 s or
# 200 pairs. Sets cb_ms and scan_ms to the medians, and ratio to the
# median of the pairs' ratios (connbudget / the scan run right after it):
# on a VM whose speed changes from one second to the next, a pair sees one
# speed far more often than the two medians do. With hyperfine, ratio is
# the ratio of the medians.
time_both() {
	local f=$1 i t0 t1 start
	if [ "$TIMER" = hyperfine ]; then
		cb_ms=$(median_ms "$CB" check --format json "$f")
		scan_ms=$(median_ms "$SCAN" "$f")
		ratio=$(calc "$cb_ms / $scan_ms")
		return
	fi
	: >"$TMP/cb.us"
	: >"$TMP/scan.us"
	: >"$TMP/pair.ratio"
	"$CB" check --format json "$f" >/dev/null 2>&1
	"$SCAN" "$f" >/dev/null 2>&1
	start=$(now_us)
	for ((i = 0; i < 200; i++)); do
		[ "$i" -ge "$RUNS" ] && [ $(($(now_us) - start)) -ge 2000000 ] && break
		t0=${EPOCHREALTIME/[.,]/}
		"$CB" check --format json "$f" >/dev/null 2>&1
		t1=${EPOCHREALTIME/[.,]/}
		cb_us=$((t1 - t0))
		echo "$cb_us" >>"$TMP/cb.us"
		t0=${EPOCHREALTIME/[.,]/}
		"$SCAN" "$f" >/dev/null 2>&1
		t1=${EPOCHREALTIME/[.,]/}
		echo $((t1 - t0)) >>"$TMP/scan.us"
		# the ratio in millionths (median_of reads integers and divides by 1000)
		echo $((cb_us * 1000000 / (t1 - t0 > 0 ? t1 - t0 : 1))) >>"$TMP/pair.ratio"
	done
	cb_ms=$(median_of "$TMP/cb.us")
	scan_ms=$(median_of "$TMP/scan.us")
	ratio=$(calc "$(median_of "$TMP/pair.ratio") / 1000")
}

# peak_rss CMD...: run CMD once; sets $rss to its peak RSS in KiB, $faults
# to its minor page faults and $rc to its exit status, and leaves its stdout
# in $TMP/out, its stderr in $TMP/err.
peak_rss() {
	/usr/bin/time -f '%M %R' -o "$TMP/rss" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	read -r rss faults < <(tail -n 1 "$TMP/rss")
}

# group N: 1234567 → 1,234,567.
group() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
# calc EXPR: floating-point arithmetic, two decimals.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# le A B: is A <= B (floats)?
le() { awk "BEGIN { exit !($1 <= $2) }"; }
verdict() { if le "$1" "$2"; then echo PASS; else echo FAIL; fi; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $mem RAM, $(uname -sr)"
echo "libyaml $(pkg-config --modversion yaml-0.1 2>/dev/null || echo '?'), $("$CB" --version 2>/dev/null | head -n 1)"
if [ "$TIMER" = hyperfine ]; then
	how="$(hyperfine --version), one command after the other"
else
	how="connbudget and scan interleaved, \$EPOCHREALTIME"
fi
echo "timing: median wall clock of >= $RUNS runs ($how); RSS and page faults: /usr/bin/time -f '%M %R'"
# Pairs absorb a VM's slow phases, not other work: a run taken beside a
# callgrind run once printed 0.93 at 10 000 clients. Say so when it is busy.
read -r load1 _ </proc/loadavg
if ! le "$load1" 0.5; then
	echo "warning: load average $load1 when the benchmark started: other work on this machine skews the ratios" >&2
fi
echo
echo "| clients | file | connbudget | RSS | faults | scan | scan RSS | scan faults | time ratio | exit | findings E/W/I |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"

declare -A T R S Q
failed_run=0
for n in $SIZES; do
	f=$OUT/$n.yaml
	size=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { if (b >= 1048576) printf "%.1f MiB", b / 1048576; else printf "%.0f KiB", b / 1024 }')
	peak_rss "$CB" check --format json "$f"
	cb_rss=$rss cb_rc=$rc cb_faults=$faults
	if [ "$cb_rc" -ge 2 ]; then
		echo "| $n | $size | exit $cb_rc | | | | | | | $cb_rc | |"
		echo "run.sh: connbudget could not check $f:" >&2
		head -n 5 "$TMP/err" >&2
		failed_run=1
		continue
	fi
	findings=$("$PY" -c 'import json,sys; s = json.load(open(sys.argv[1]))["summary"]; print("%d/%d/%d" % (s["errors"], s["warnings"], s["infos"]))' "$TMP/out" 2>/dev/null || echo "?")
	peak_rss "$SCAN" "$f"
	scan_rss=$rss scan_faults=$faults
	[ "$rc" = 0 ] || { head -n 5 "$TMP/err" >&2; die "$SCAN failed on $f"; }
	time_both "$f"
	T[$n]=$cb_ms R[$n]=$cb_rss S[$n]=$scan_ms Q[$n]=$ratio
	printf '| %s | %s | %.1f ms | %.1f MiB | %s | %.1f ms | %.1f MiB | %s | %s | %s | %s |\n' \
		"$n" "$size" "$cb_ms" "$(calc "$cb_rss / 1024")" "$cb_faults" "$scan_ms" \
		"$(calc "$scan_rss / 1024")" "$scan_faults" "$ratio" "$cb_rc" "$findings"
done

echo
echo "| target | measured | limit | result |"
echo "|---|--:|--:|---|"
target_failed=0
# target NAME MEASURED LIMIT: one row; MEASURED empty when the size was not run.
target() {
	local r
	if [ -z "$2" ]; then
		echo "| $1 | not run | $3 | n/a |"
		return
	fi
	r=$(verdict "$2" "$3")
	[ "$r" = FAIL ] && target_failed=1
	echo "| $1 | $2 | $3 | $r |"
}
ratio_at() { [ -n "${Q[$1]:-}" ] && echo "${Q[$1]}"; }
target "time ratio at 10 000 clients" "$(ratio_at 10000)" "$MAX_RATIO"
target "time ratio at 100 000 clients" "$(ratio_at 100000)" "$MAX_RATIO"
target "peak RSS at 100 000 clients (MiB)" \
	"$([ -n "${R[100000]:-}" ] && calc "${R[100000]} / 1024")" "$(calc "$MAX_RSS_KIB / 1024")"
target "whole-process time ratio at 10 clients" "$(ratio_at 10)" "$MAX_SMALL_RATIO"
target "time 100 000 / time 10 000" \
	"$([ -n "${T[100000]:-}" ] && [ -n "${T[10000]:-}" ] && calc "${T[100000]} / ${T[10000]}")" "$MAX_GROWTH"

# Instruction counts: stable where wall-clock time is not.
echo
f=$OUT/10000.yaml
if ! command -v valgrind >/dev/null 2>&1; then
	echo "callgrind: valgrind not installed (apt-get install valgrind)"
elif [ ! -s "$f" ] || [ -z "${T[10000]:-}" ]; then
	echo "callgrind: skipped (10 000 clients not measured)"
else
	# ir OUTFILE CMD...: total instructions executed (callgrind's totals: line).
	ir() {
		local o=$1
		shift
		valgrind --tool=callgrind --callgrind-out-file="$o" "$@" >/dev/null 2>"$TMP/vg.log"
		sed -n 's/^\(totals\|summary\): *\([0-9]*\).*/\2/p' "$o" | head -n 1
	}
	cb_ir=$(ir "$TMP/cb.callgrind" "$CB" check --format json "$f")
	scan_ir=$(ir "$TMP/scan.callgrind" "$SCAN" "$f")
	if [ -z "$cb_ir" ] || [ -z "$scan_ir" ]; then
		tail -n 5 "$TMP/vg.log" >&2
		die "callgrind gave no totals"
	fi
	echo "| callgrind, 10 000 clients | instructions (Ir) |"
	echo "|---|--:|"
	echo "| connbudget check --format json | $(group "$cb_ir") |"
	echo "| scan (yaml_parser_parse only) | $(group "$scan_ir") |"
	echo "| ratio | $(calc "$cb_ir / $scan_ir") |"
fi

[ "$failed_run" = 1 ] && exit 2
[ "$STRICT" = 1 ] && [ "$target_failed" = 1 ] && exit 1
exit 0
