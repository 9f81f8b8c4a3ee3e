#!/usr/bin/env bash
# errors.sh - several input errors in one run (docs/security.md "Several
# errors"): every file of testdata/invalid-multi/ exits 2 with exactly the
# lines of its .expected, sorted by position, in every --format (a report
# has no place for a file it could not load: the errors go to standard
# error, standard output stays empty). Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/errors.sh      (make cli)
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

for y in testdata/invalid-multi/*.yaml; do
	exp=${y%.yaml}.expected
	[ -f "$exp" ] || { bad "$y has no .expected"; continue; }
	for fmt in text gcc github json sarif junit; do
		expect_rc 2 "$y --format $fmt" "$CB" check --format "$fmt" "$y"
		[ "$err" = "$(cat "$exp")" ] && ok || bad "$y --format $fmt: errors differ from $exp
$(diff <(printf '%s\n' "$err") "$exp" | head -20)"
		[ -z "$out" ] && ok || bad "$y --format $fmt: a report was written: $(head -c 200 "$TMP/out")"
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

# A file name with a line feed cannot forge a line of its own: one line per error.
nl_name="$TMP/a"$'\n'"b.yaml"
cp testdata/invalid-multi/five-mistakes.yaml "$nl_name"
run "$CB" check "$nl_name"
[ "$(printf '%s\n' "$err" | wc -l)" = 5 ] && ok || bad "a file name with a line feed: $err"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
