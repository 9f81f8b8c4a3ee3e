#!/usr/bin/env bash
# errors.sh - several input errors in one run (docs/security.md "Several
# errors"): every file of testdata/invalid-multi/ exits 2 with exactly the
# lines of its .expected, sorted by position, on standard error in every
# --format; text and gcc write nothing else, and json, sarif, github, junit
# and markdown write a document that carries the same errors (read back by
# tests/doc_errors.py) and is valid. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/errors.sh      (make cli)
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

# doc_errors WHAT FORMAT EXPECTED: $TMP/out is a valid FORMAT document
# whose input errors are EXPECTED's lines (markdown: as many of them)
doc_errors() {
	local doc=$TMP/doc
	cp "$TMP/out" "$doc"
	case $2 in
	json) /usr/bin/python3 tests/validate.py report "$doc" && ok || bad "$1: not a valid report" ;;
	sarif | github | junit) /usr/bin/python3 tests/validate.py "$2" "$doc" && ok || bad "$1: not valid $2" ;;
	esac
	if [ "$2" = markdown ]; then
		[ "$(/usr/bin/python3 tests/doc_errors.py markdown "$doc" | wc -l)" = "$(wc -l <"$3")" ] && ok ||
			bad "$1: the comment lists other errors: $(head -c 300 "$doc")"
	else
		[ "$(/usr/bin/python3 tests/doc_errors.py "$2" "$doc")" = "$(cat "$3")" ] && ok ||
			bad "$1: the document carries other errors
$(diff <(/usr/bin/python3 tests/doc_errors.py "$2" "$doc") "$3" | head -20)"
	fi
}

for y in testdata/invalid-multi/*.yaml; do
	exp=${y%.yaml}.expected
	[ -f "$exp" ] || { bad "$y has no .expected"; continue; }
	for fmt in text gcc github json sarif junit markdown; do
		expect_rc 2 "$y --format $fmt" "$CB" check --format "$fmt" "$y"
		[ "$err" = "$(cat "$exp")" ] && ok || bad "$y --format $fmt: errors differ from $exp
$(diff <(printf '%s\n' "$err") "$exp" | head -20)"
		case $fmt in
		text | gcc)
			[ -z "$out" ] && ok || bad "$y --format $fmt: a report was written: $(head -c 200 "$TMP/out")"
			;;
		*)
			doc_errors "$y --format $fmt" "$fmt" "$exp"
			;;
		esac
	done
done

# The issue's example: five independent mistakes, five positioned errors.
run "$CB" check testdata/invalid-multi/five-mistakes.yaml
[ "$(printf '%s\n' "$err" | grep -c ': error: ')" = 5 ] && ok || bad "five mistakes: $err"

# Sorted by position, whatever order the checks found them in (the
# included file's name sorts after the top file's here too).
for y in testdata/invalid-multi/*.yaml; do
	lines=$(grep -v '^connbudget:' "${y%.yaml}.expected")
	[ "$(printf '%s\n' "$lines" | sort -t: -s -k1,1 -k2,2n -k3,3n)" = "$lines" ] && ok ||
		bad "$y: errors not sorted by line and column"
done

# At most 20, then one line that says so.
run "$CB" check testdata/invalid-multi/too-many.yaml
[ "$(printf '%s\n' "$err" | grep -c '^testdata/.*: error: ')" = 20 ] && ok || bad "too many: $(printf '%s\n' "$err" | wc -l) lines"
[ "$(printf '%s\n' "$err" | tail -1)" = "connbudget: error: too many errors, stopping after 20" ] && ok ||
	bad "too many: last line $(printf '%s\n' "$err" | tail -1)"

# A YAML syntax error stops the file: the earlier mistakes of that file are not reported.
run "$CB" check testdata/invalid-multi/syntax-stops.yaml
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && ok || bad "syntax error: $err"
lacks "$err" "colour" "a syntax error drops what was said before it"

# Two files: each one's errors, in the order of the arguments; exit 2.
run "$CB" check testdata/invalid-multi/five-mistakes.yaml testdata/invalid-multi/validation.yaml
[ "$rc" = 2 ] && ok || bad "two files: exit $rc"
[ "$err" = "$(cat testdata/invalid-multi/five-mistakes.expected testdata/invalid-multi/validation.expected)" ] && ok ||
	bad "two files: $err"

# plan reads the same list
run "$CB" plan testdata/invalid-multi/validation.yaml
[ "$rc" = 2 ] && ok || bad "plan: exit $rc"
[ "$err" = "$(cat testdata/invalid-multi/validation.expected)" ] && ok || bad "plan: $err"
run "$CB" plan --format json testdata/invalid-multi/validation.yaml
[ "$rc" = 2 ] && ok || bad "plan --format json: exit $rc"
doc_errors "plan --format json" json testdata/invalid-multi/validation.expected

# A file name with a line feed cannot forge a line of its own: one line per error.
nl_name="$TMP/a"$'\n'"b.yaml"
cp testdata/invalid-multi/five-mistakes.yaml "$nl_name"
run "$CB" check "$nl_name"
[ "$(printf '%s\n' "$err" | wc -l)" = 5 ] && ok || bad "a file name with a line feed: $err"

# One file loads, one does not: the document holds the first's figures and
# findings and the second's errors, says failed, and the exit status is 2.
run "$CB" check --format json testdata/examples/fixed.yaml testdata/invalid-multi/validation.yaml
[ "$rc" = 2 ] && ok || bad "a good and a bad file: exit $rc, want 2"
cp "$TMP/out" "$TMP/mixed.json"
/usr/bin/python3 tests/validate.py report "$TMP/mixed.json" && ok || bad "a good and a bad file: not a valid report"
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["files"] == ["testdata/examples/fixed.yaml"], d["files"]
assert d["databases"] and d["summary"]["passed"] is False, d["summary"]
assert len(d["input_errors"]) == int(sys.argv[2]), d["input_errors"]
' "$TMP/mixed.json" "$(wc -l <testdata/invalid-multi/validation.expected)" && ok || bad "a good and a bad file: $(head -c 300 "$TMP/mixed.json")"
run "$CB" check --format markdown testdata/examples/fixed.yaml testdata/invalid-multi/validation.yaml
contains "$out" "input errors, 0 errors, 0 warnings, 1 info in 1 file: failed" "the comment's summary counts the input errors"

# -o FILE: the document with the errors is written (text and gcc leave
# the file as it was: they have no document to write).
rm -f "$TMP/o.sarif"
run "$CB" check --format sarif -o "$TMP/o.sarif" testdata/invalid-multi/five-mistakes.yaml
[ "$rc" = 2 ] && ok || bad "-o sarif: exit $rc"
[ "$(/usr/bin/python3 tests/doc_errors.py sarif "$TMP/o.sarif")" = "$(cat testdata/invalid-multi/five-mistakes.expected)" ] && ok ||
	bad "-o sarif: $(head -c 300 "$TMP/o.sarif")"
grep -q '"executionSuccessful": false' "$TMP/o.sarif" && ok || bad "-o sarif: the run is not marked unsuccessful"
echo keep >"$TMP/o.txt"
run "$CB" check -o "$TMP/o.txt" --force testdata/invalid-multi/five-mistakes.yaml
[ "$rc" = 2 ] && [ "$(cat "$TMP/o.txt")" = keep ] && ok || bad "-o text: exit $rc, file $(head -c 100 "$TMP/o.txt")"

# A file that cannot be read is an entry at its 1:1, as on standard error;
# the github and junit documents stay valid.
run "$CB" check --format json "$TMP/no-such.yaml"
[ "$rc" = 2 ] && ok || bad "a missing file: exit $rc"
printf '%s\n' "$out" >"$TMP/missing.json"
/usr/bin/python3 tests/validate.py report "$TMP/missing.json" && ok || bad "a missing file: not a valid report"
/usr/bin/python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["input_errors"]
assert len(e) == 1 and e[0]["file"].endswith("/no-such.yaml") and e[0]["message"].startswith("cannot read"), e
' "$TMP/missing.json" && ok || bad "a missing file: $out"
run "$CB" check --format github "$TMP/no-such.yaml"
printf '%s\n' "$out" >"$TMP/missing.gh"
/usr/bin/python3 tests/validate.py github "$TMP/missing.gh" && ok || bad "a missing file: not valid github: $out"
run "$CB" check --format junit "$TMP/no-such.yaml"
printf '%s\n' "$out" >"$TMP/missing.xml"
/usr/bin/python3 tests/validate.py junit "$TMP/missing.xml" && ok || bad "a missing file: not valid junit: $out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
