#!/usr/bin/env bash
# threads.sh - a large JSON report's two threads, under ThreadSanitizer
# and under ASan + UBSan (make threads):
#   CONNBUDGET=build/tsan/connbudget tests/threads.sh
#   CONNBUDGET=build/san/connbudget tests/threads.sh
#
# From RULES_THREAD_MIN (2 000) clients on, `check` and `report` in JSON
# run the rule checks on a second thread while the figures are written,
# and share out what is left (command.c, rules_share_*). For generated
# topologies just below, at and well above that line: no sanitizer
# report, exit 1 (the files have errors), the JSON findings equal the
# one-thread `--format gcc` findings in the same order, and the report is
# byte for byte the release build's.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

REL=$PWD/build/connbudget
[ -x "$REL" ] || { echo "threads.sh: $REL not built"; exit 2; }
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"

# same_findings JSON GCC: the JSON report's findings, as --format gcc prints them
same_findings() {
	"$PY" - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
want = ["%s:%d:%d: %s: %s [%s %s]" % (f["file"], f["line"], f["column"], f["severity"],
        f["message"], f["rule"], f["name"]) for f in doc["findings"]]
s = doc["summary"]
sys.exit(0 if want == lines and want and
         s["errors"] + s["warnings"] + s["infos"] == len(want) else 1)
PY
}

for n in 1999 2000 6000; do
	f=$TMP/$n.yaml
	if ! "$PY" bench/gen.py "$n" "$f" 2>"$TMP/gen.err"; then
		bad "bench/gen.py $n: $(head -1 "$TMP/gen.err")"
		continue
	fi
	for cmd in check report; do
		expect_rc 1 "$n clients: $cmd --format json" "$CB" "$cmd" --format json "$f"
		cp "$TMP/out" "$TMP/threaded.json"
		lacks "$err" "ThreadSanitizer" "$n clients: $cmd --format json"  # expect_rc catches ASan's
		"$REL" "$cmd" --format json "$f" >"$TMP/rel.json" 2>/dev/null
		if cmp -s "$TMP/threaded.json" "$TMP/rel.json"; then ok; else bad "$n clients: $cmd: the report differs from the release build's"; fi
	done
	"$REL" check --format gcc "$f" >"$TMP/one.gcc" 2>/dev/null
	if same_findings "$TMP/threaded.json" "$TMP/one.gcc"; then
		ok
	else
		bad "$n clients: the JSON findings differ from --format gcc's"
	fi
done
finish
