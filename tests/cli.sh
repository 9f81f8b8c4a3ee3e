#!/usr/bin/env bash
# CLI tests: run the built binary on testdata and check exit status, output
# and positions. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/cli.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

#--- basics ---------------------------------------------------------------
expect_rc 0 "--help" "$CB" --help
contains "$out" "usage: connbudget" "--help"
expect_rc 0 "--version" "$CB" --version
contains "$out" "connbudget 1.0.0" "--version"
expect_rc 2 "no command" "$CB"
expect_rc 2 "unknown command" "$CB" frobnicate
contains "$err" 'unknown command "frobnicate"' "unknown command"
expect_rc 2 "unknown option" "$CB" check --frob testdata/examples/connbudget.yaml
expect_rc 2 "bad format" "$CB" check --format yaml testdata/examples/connbudget.yaml
expect_rc 2 "bad fail-on" "$CB" check --fail-on sometimes testdata/examples/connbudget.yaml
expect_rc 2 "bad CONNBUDGET_FORMAT" env CONNBUDGET_FORMAT=xml "$CB" check testdata/examples/connbudget.yaml
expect_rc 2 "missing file" "$CB" check testdata/nope.yaml
contains "$err" "testdata/nope.yaml:1:1: error:" "missing file is positioned"

#--- rules, explain, schema, init ------------------------------------------
expect_rc 0 "rules" "$CB" rules
contains "$out" "CB001  over-capacity" "rules lists CB001"
expect_rc 0 "rules --ids" "$CB" rules --ids
contains "$out" "CB017" "rules --ids"
expect_rc 0 "explain by id" "$CB" explain CB001
contains "$out" "over-capacity" "explain CB001"
expect_rc 0 "explain by name" "$CB" explain no-acquire-timeout
contains "$out" "CB007" "explain by name"
expect_rc 2 "explain unknown" "$CB" explain CB999
expect_rc 2 "explain misspelled" "$CB" explain over-capasity
contains "$err" 'did you mean "over-capacity"?' "explain suggests a name"
expect_rc 0 "schema" "$CB" schema
if printf '%s' "$out" | $PY -c 'import json,sys; d=json.load(sys.stdin); assert "2020-12" in d["$schema"]'; then ok; else bad "schema is JSON draft 2020-12"; fi
(cd "$TMP" && "$CB" init >/dev/null 2>&1); rc=$?
if [ $rc = 0 ] && [ -f "$TMP/connbudget.yaml" ]; then ok; else bad "init writes connbudget.yaml"; fi
cp "$TMP/connbudget.yaml" "$TMP/before"
expect_rc 2 "init refuses to overwrite" "$CB" init "$TMP/connbudget.yaml"
if cmp -s "$TMP/connbudget.yaml" "$TMP/before"; then ok; else bad "init modified an existing file"; fi
expect_rc 0 "init --force" "$CB" init --force "$TMP/connbudget.yaml"
expect_rc 0 "init template passes check" "$CB" check "$TMP/connbudget.yaml"
# config discovery: check with no FILE finds the nearest connbudget.yaml
mkdir -p "$TMP/repo/.git" "$TMP/repo/a/b"
cp testdata/examples/connbudget.yaml "$TMP/repo/connbudget.yaml"
(cd "$TMP/repo/a/b" && "$CB" check --format gcc >"$TMP/disc" 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "CB001" "$TMP/disc"; then ok; else bad "check finds connbudget.yaml in a parent (exit $rc)"; fi
grep -q "^\.\./\.\./connbudget\.yaml:3:3: error:" "$TMP/disc" && ok || bad "a discovered file is named relative to the working directory"
(cd "$TMP" && mkdir -p empty/.git && cd empty && "$CB" check >/dev/null 2>&1); rc=$?
[ $rc = 2 ] && ok || bad "check with no config found exits 2 (got $rc)"
# every command taking one FILE finds it as check does
(cd "$TMP/repo/a/b" && "$CB" report --format gcc >"$TMP/disc" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "^\.\./\.\./connbudget\.yaml:3:3: error:.*CB001" "$TMP/disc" && ok || bad "report finds connbudget.yaml in a parent (exit $rc)"
(cd "$TMP/repo/a/b" && "$CB" report >"$TMP/disc" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "headroom left" "$TMP/disc" && ok || bad "report with no FILE prints the report (exit $rc)"
(cd "$TMP/repo/a/b" && "$CB" plan --set clients.api.replicas=1 --format json >"$TMP/disc" 2>&1); rc=$?
[ $rc = 0 ] && grep -q '"plan"' "$TMP/disc" && ok || bad "plan finds connbudget.yaml in a parent (exit $rc)"
(cd "$TMP/repo/a/b" && "$CB" graph >"$TMP/disc" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "client_api" "$TMP/disc" && ok || bad "graph finds connbudget.yaml in a parent (exit $rc)"
(cd "$TMP/repo/a/b" && "$CB" alerts >"$TMP/disc" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "groups:" "$TMP/disc" && ok || bad "alerts finds connbudget.yaml in a parent (exit $rc)"
for c in report plan graph alerts "observe --dsn host=/nonexistent"; do
	(cd "$TMP/empty" && $CB $c >"$TMP/disc" 2>&1); rc=$?
	[ $rc = 2 ] && grep -q "no FILE given and no connbudget.yaml" "$TMP/disc" && ok || bad "$c with no config found exits 2 and says why (got $rc)"
done
for c in report plan graph alerts observe; do
	expect_rc 2 "$c with two FILEs" "$CB" $c testdata/examples/connbudget.yaml testdata/examples/fixed.yaml
	contains "$err" "$c takes at most one FILE" "$c with two FILEs says why"
done

#--- golden rule cases -----------------------------------------------------
for y in testdata/rules/*/*.yaml; do
	exp=${y%.yaml}.expected
	[ -f "$exp" ] || { bad "$y has no .expected"; continue; }
	run "$CB" check --format gcc "$y"
	if [ "$out" = "$(cat "$exp")" ]; then ok; else bad "$y: output differs"; diff <(printf '%s\n' "$out") "$exp" | head -10; fi
	want=0
	grep -q ': error: ' "$exp" && want=1
	[ "$rc" = "$want" ] && ok || bad "$y: exit $rc, want $want"
done

#--- suppressions: reason, until, --today, --require-reason, CB022 ------------
S=testdata/rules/CB022
expect_rc 0 "--today before until" "$CB" check --format gcc --today 2026-01-31 $S/expired.yaml
[ -z "$out" ] && ok || bad "--today on the last day keeps the suppressions: $out"
expect_rc 0 "--today after until" "$CB" check --format gcc --today 2026-02-01 $S/expired.yaml
contains "$out" '(the suppression "the driver times out on its own" expired after 2026-01-31) [CB007' "an expired ignore brings its finding back with the reason"
contains "$out" 'expired after 2026-01-31) [CB014' "an expired lint.disable brings its findings back"
lacks "$out" "[CB022" "an expired suppression that brought a finding back is used"
expect_rc 0 "--today far ahead" "$CB" check --format gcc --today 9999-12-31 $S/expired.yaml
contains "$out" '(the suppression "still shared" expired after 2099-12-31) [CB014' "the clock can be set past any until"
expect_rc 2 "--today not a date" "$CB" check --today 2027-02-29 $S/expired.yaml
contains "$err" '--today takes a date YYYY-MM-DD, not "2027-02-29"' "--today checks the day exists"
expect_rc 0 "--today on a leap day" "$CB" check -q --today 2028-02-29 $S/expired.yaml
expect_rc 2 "--require-reason" "$CB" check --require-reason $S/passes.yaml
contains "$err" "$S/passes.yaml:11:14: error: databases.main.ignore: the suppression of \"CB011\" gives no reason (--require-reason)" "--require-reason is positioned at the entry"
expect_rc 0 "--require-reason with reasons" "$CB" check -q --require-reason $S/expired.yaml
expect_rc 0 "a rule off on the command line is not judged" "$CB" check --format gcc --disable CB011 --enable CB004 $S/fires.yaml
lacks "$out" '"CB011"' "--disable: its ignore entries are not judged"
lacks "$out" '"CB004"' "--enable: the lint.disable entry it overrides is not judged"
contains "$out" '"no-acquire-timeout" of client' "the other entries are still judged"
expect_rc 0 "--disable CB022" "$CB" check --format gcc --disable CB022 $S/fires.yaml
[ -z "$out" ] && ok || bad "--disable CB022 leaves no finding: $out"
printf 'version: 1\ndatabases:\n  main:\n    max_connections: 100\n    ignore:\n      - CB003\n      - {rule: CB003, reason: twice}\n' >"$TMP/dup.yaml"
expect_rc 2 "a rule suppressed twice" "$CB" check "$TMP/dup.yaml"
contains "$err" "dup.yaml:7:9: error: databases.main.ignore: duplicate item \"CB003\" (first at line 6)" "a duplicate mapping entry is positioned at the mapping"
printf 'version: 1\ndatabases:\n  main:\n    max_connections: 100\n    ignore:\n      - {rule: no-headrom, reason: "kept free by hand"}\n' >"$TMP/unk.yaml"
expect_rc 2 "an unknown rule in the mapping form" "$CB" check "$TMP/unk.yaml"
contains "$err" 'unk.yaml:6:16: error: databases.main.ignore: unknown rule "no-headrom", did you mean "no-headroom"?' "an unknown rule is positioned at the rule: value"
expect_rc 1 "lint.disable with a reason is still a disable" "$CB" check --format gcc testdata/examples/connbudget.yaml
cp testdata/examples/connbudget.yaml "$TMP/lint.yaml"
printf 'lint:\n  disable: [{rule: CB001, reason: "capacity raised next sprint", until: 2099-12-31}]\n' >>"$TMP/lint.yaml"
expect_rc 0 "lint.disable in the mapping form turns the rule off" "$CB" check -q --fail-on error --disable CB014 "$TMP/lint.yaml"
lacks "$out" "CB001" "lint.disable in the mapping form"

#--- invalid inputs: exit 2, positioned message, fast, file untouched -------
for y in testdata/invalid/*.yaml testdata/invalid-budget/*.yaml; do
	exp=${y%.yaml}.expected
	[ -f "$exp" ] || { bad "$y has no .expected"; continue; }
	sum=$(sha256sum "$y")
	start=$(date +%s%N)
	run "$CB" check "$y"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$rc" = 2 ] && ok || bad "$y: exit $rc, want 2"
	first=$(printf '%s\n' "$err" | head -1)
	[ "$first" = "$(head -1 "$exp")" ] && ok || bad "$y: message
   got:  $first
   want: $(head -1 "$exp")"
	[ "$ms" -lt 5000 ] && ok || bad "$y: took ${ms} ms"
	[ "$(sha256sum "$y")" = "$sum" ] && ok || bad "$y: input was modified"
	lacks "$err" "AddressSanitizer" "$y"
	lacks "$err" "runtime error" "$y"
done

# A reader error's position, from a regular file (read again with pread)
# and from a pipe (the bytes kept as they pass), early and past the
# 64 KiB a pipe's history keeps, and from a file that standard input has
# already been read into. The message is the first line (valgrind, under
# make valgrind, may add its own after it).
for y in testdata/invalid/invalid-utf8.yaml testdata/invalid/invalid-utf8-lead.yaml; do
	want=$(head -1 "${y%.yaml}.expected")
	out=$("$CB" check - <"$y" 2>&1 >/dev/null | head -1)
	[ "$out" = "-${want#"$y"}" ] && ok || bad "$y on standard input: $out"
	out=$(cat "$y" | "$CB" check - 2>&1 >/dev/null | head -1)
	[ "$out" = "-${want#"$y"}" ] && ok || bad "$y through a pipe: $out"
done
$PY bench/gen.py 1000 "$TMP/gen1000.yaml"
{ head -n 6000 "$TMP/gen1000.yaml"; printf 'x: "caf\351."\n'; } >"$TMP/late-utf8.yaml"
lines=$(wc -l <"$TMP/late-utf8.yaml")
out=$("$CB" check "$TMP/late-utf8.yaml" 2>&1 >/dev/null | head -1)
[ "$out" = "$TMP/late-utf8.yaml:$lines:8: error: invalid UTF-8: byte 0xE9 starts a sequence that is cut short" ] &&
	ok || bad "late invalid UTF-8 in a file: $out"
out=$(cat "$TMP/late-utf8.yaml" | "$CB" check - 2>&1 >/dev/null | head -1)
[ "$out" = "-:$lines:8: error: invalid UTF-8: byte 0xE9 starts a sequence that is cut short" ] &&
	ok || bad "late invalid UTF-8 through a pipe: $out"
out=$( { read -r _; "$CB" check -; } <"$TMP/late-utf8.yaml" 2>&1 >/dev/null | head -1)
[ "$out" = "-:$((lines - 1)):8: error: invalid UTF-8: byte 0xE9 starts a sequence that is cut short" ] &&
	ok || bad "late invalid UTF-8 on standard input read from the second line: $out"


#--- seed scenarios: exit status, findings, figures --------------------------
scenario() { # FILE WANT_RC RULES...
	local f=$1 want=$2
	shift 2
	run "$CB" check --format gcc "$f"
	[ "$rc" = "$want" ] && ok || bad "$f: exit $rc, want $want"
	for r in "$@"; do contains "$out" "[$r " "$f fires $r"; done
}
scenario testdata/examples/connbudget.yaml 1 CB001 CB014
scenario testdata/examples/fixed.yaml 0
scenario testdata/examples/serverless-direct.yaml 1 CB004
scenario testdata/examples/prisma-pgbouncer.yaml 1 CB005
for j in testdata/examples/*.expected.json; do
	y=${j%.expected.json}.yaml
	run "$CB" check --format json "$y"
	printf '%s' "$out" >"$TMP/report.json"
	if $PY tests/json_subset.py "$TMP/report.json" "$j"; then ok; else bad "$y: JSON figures differ from $j"; fi
done

# A file name JSON has to escape: every entry names it, and the entries'
# fast lane (report_json.c, cur_*) hands such a string to cJSON.
weird="$TMP/we\"ir\\d"$'\t'"x.yaml"
cp testdata/examples/connbudget.yaml "$weird"
run "$CB" check --format json "$weird"
printf '%s' "$out" >"$TMP/weird.json"
if $PY - "$TMP/weird.json" "$weird" <<'EOF'
import json, sys
d, name = json.load(open(sys.argv[1])), sys.argv[2]
entries = d["databases"] + d["poolers"] + d["clients"]
assert entries and all(e["file"] == name and e["topology"] == name for e in entries)
assert d["findings"] and all(f["file"] == name and f["topology"] == name for f in d["findings"])
EOF
then ok; else bad "JSON report of a file name with a quote, a backslash and a tab"; fi

#--- text report, colour, quiet ----------------------------------------------
run "$CB" check --color never testdata/examples/connbudget.yaml
contains "$out" "error: peak demand 172 exceeds capacity 97" "text finding"
lacks "$out" $'\033[' "--color never has no escapes"
run "$CB" check --color always testdata/examples/connbudget.yaml
contains "$out" $'\033[' "--color always colours"
run env NO_COLOR=1 "$CB" check testdata/examples/connbudget.yaml
lacks "$out" $'\033[' "NO_COLOR"
run "$CB" check -q --color never testdata/examples/connbudget.yaml
contains "$out" "[CB001 over-capacity]" "-q keeps findings"
lacks "$out" "capacity  " "-q drops the table"

#--- fail-on and rule options ------------------------------------------------
expect_rc 0 "--fail-on never" "$CB" check --fail-on never testdata/examples/connbudget.yaml
expect_rc 0 "--disable CB001,CB014" "$CB" check --disable CB001 testdata/examples/connbudget.yaml
expect_rc 0 "--severity CB001=warning" "$CB" check --severity CB001=warning testdata/examples/connbudget.yaml
expect_rc 1 "--severity then --fail-on warning" "$CB" check --severity CB001=warning --fail-on warning testdata/examples/connbudget.yaml
expect_rc 2 "--disable unknown rule" "$CB" check --disable CB999 testdata/examples/connbudget.yaml

#--- stdin and several files ---------------------------------------------------
run "$CB" check --format gcc - <testdata/examples/connbudget.yaml
[ "$rc" = 1 ] && ok || bad "stdin: exit $rc"
contains "$out" "-:3:3: error:" "stdin positions name -"
expect_rc 1 "two files: highest status" "$CB" check testdata/examples/fixed.yaml testdata/examples/connbudget.yaml
expect_rc 2 "two files, one missing: 2" "$CB" check testdata/examples/connbudget.yaml testdata/nope.yaml
contains "$out" "CB001" "the loadable file is still reported"

#--- -o: atomic, no clobber ------------------------------------------------------
expect_rc 1 "-o writes" "$CB" check --format json -o "$TMP/r.json" testdata/examples/connbudget.yaml
[ -s "$TMP/r.json" ] && ok || bad "-o wrote nothing"
cp "$TMP/r.json" "$TMP/r.before"
expect_rc 2 "-o refuses to clobber" "$CB" check --format json -o "$TMP/r.json" testdata/examples/connbudget.yaml
cmp -s "$TMP/r.json" "$TMP/r.before" && ok || bad "-o changed an existing file"
expect_rc 2 "-o on a bad input" "$CB" check --force -o "$TMP/r.json" testdata/nope.yaml
cmp -s "$TMP/r.json" "$TMP/r.before" && ok || bad "-o truncated an existing file on error"
expect_rc 1 "-o --force" "$CB" check --force --format gcc -o "$TMP/r.json" testdata/examples/connbudget.yaml
grep -q CB001 "$TMP/r.json" && ok || bad "-o --force did not replace"
ls "$TMP" | grep -q '\.tmp\.' && bad "-o left a temporary file" || ok

#--- -o and init: only a regular file is replaced, modes, signals ---------------
EX=testdata/examples/connbudget.yaml
mkdir -p "$TMP/sp/dir"
mkfifo "$TMP/sp/fifo"
echo keep >"$TMP/sp/reg"
ln -s reg "$TMP/sp/link"
for f in fifo dir link; do
	expect_rc 2 "-o --force onto a $f" "$CB" check --force -o "$TMP/sp/$f" "$EX"
	contains "$err" "$TMP/sp/$f: " "-o --force onto a $f names it"
	contains "$err" "not a regular file" "-o --force onto a $f says why"
	expect_rc 2 "init --force onto a $f" "$CB" init --force "$TMP/sp/$f"
done
[ -p "$TMP/sp/fifo" ] && [ -d "$TMP/sp/dir" ] && [ -L "$TMP/sp/link" ] && ok || bad "-o --force replaced a special file"
[ "$(cat "$TMP/sp/reg")" = keep ] && ok || bad "-o --force wrote through a symbolic link"
if [ "$(id -u)" = 0 ] && mknod "$TMP/sp/null" c 1 3 2>/dev/null; then
	expect_rc 2 "-o --force onto a character device" "$CB" check --force -o "$TMP/sp/null" "$EX"
	contains "$err" "a character device, not a regular file" "-o onto a device says why"
	[ -c "$TMP/sp/null" ] && ok || bad "-o --force replaced a character device"
	# only once the copy above held: the real /dev/null, as root in CI
	if [ -c "$TMP/sp/null" ]; then
		expect_rc 2 "-o /dev/null --force (root)" "$CB" check --force -o /dev/null "$EX"
		[ -c /dev/null ] && ok || bad "-o --force replaced /dev/null"
	fi
fi
ls "$TMP/sp" | grep -q '\.tmp\.' && bad "a refused -o left a temporary file" || ok
(umask 027 && exec "$CB" check -o "$TMP/sp/new" "$EX") >/dev/null 2>&1
[ "$(stat -c %a "$TMP/sp/new")" = 640 ] && ok || bad "-o: a new file is $(stat -c %a "$TMP/sp/new"), want 640 (0666 & ~umask 027)"
(umask 0 && exec "$CB" init "$TMP/sp/init.yaml") >/dev/null 2>&1
[ "$(stat -c %a "$TMP/sp/init.yaml")" = 666 ] && ok || bad "init: a new file is $(stat -c %a "$TMP/sp/init.yaml"), want 666 (umask 0)"
chmod 604 "$TMP/sp/new"
(umask 077 && exec "$CB" check --force -o "$TMP/sp/new" "$EX") >/dev/null 2>&1
[ "$(stat -c %a "$TMP/sp/new")" = 604 ] && ok || bad "-o --force: mode $(stat -c %a "$TMP/sp/new"), want the old file's 604"
# a signal while the report is being written removes the temporary file:
# stop the run once the file shows, signal it, let it go on (started through
# python, as a background job of a script starts with SIGINT ignored, which
# connbudget then leaves ignored); not through a wrapper (make valgrind), which would take minutes
if [ "$(head -c 4 "$CB" | od -An -c | tr -d ' ')" = '177ELF' ] &&
	/usr/bin/python3 bench/gen.py 20000 "$TMP/sp/big.yaml" >/dev/null 2>&1; then
	for sig in INT TERM HUP; do
		rm -f "$TMP/sp/big.json"
		$PY -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
			"$CB" check --format json -o "$TMP/sp/big.json" "$TMP/sp/big.yaml" >/dev/null 2>&1 &
		pid=$!
		seen=
		for _ in $(seq 1 2000); do
			if ls "$TMP/sp" | grep -q '^big\.json\.tmp\.'; then kill -STOP $pid 2>/dev/null; seen=1; break; fi
			kill -0 $pid 2>/dev/null || break
		done
		if [ -n "$seen" ] && kill -0 $pid 2>/dev/null; then
			kill -"$sig" $pid; kill -CONT $pid
			wait $pid 2>/dev/null; rc=$?
			[ "$rc" -gt 128 ] && ok || bad "SIG$sig while writing -o: exit $rc, want death by the signal"
			ls "$TMP/sp" | grep -q '^big\.json\.tmp\.' && bad "SIG$sig left the temporary file" || ok
			[ -e "$TMP/sp/big.json" ] && bad "SIG$sig: a report was put in place" || ok
		else
			wait $pid # the run was done before the file could be caught: no case
		fi
	done
fi

#--- writes that fail: a full device is exit 2 in every command -----------------
for c in "rules" "explain CB001" "--help" "--version" "schema" "check $EX" "report $EX" \
	"graph $EX" "alerts $EX" "plan --set clients.api.replicas=2 $EX" "check --format sarif $EX" "init -"; do
	# shellcheck disable=SC2086 # c is a command line
	"$CB" $c >/dev/full 2>"$TMP/err"; rc=$?
	[ "$rc" = 2 ] && ok || bad "$c >/dev/full: exit $rc, want 2"
	grep -q "cannot write standard output: No space left on device" "$TMP/err" && ok ||
		bad "$c >/dev/full: no clear message: $(head -c 200 "$TMP/err")"
done

#--- SARIF: artifactLocation.uri is a URI reference (RFC 3986) -----------------
mkdir -p "$TMP/uri/d ir"
cp testdata/examples/connbudget.yaml "$TMP/uri/d ir/a#b c%zz.yaml"
(cd "$TMP/uri" && "$CB" check --format sarif "d ir/a#b c%zz.yaml" >"$TMP/uri.sarif" 2>/dev/null)
grep -q '"uri": *"d%20ir/a%23b%20c%25zz.yaml"' "$TMP/uri.sarif" && ok || bad "SARIF uri not percent-encoded: $(grep -m1 '"uri"' "$TMP/uri.sarif")"
$PY tests/validate.py sarif "$TMP/uri.sarif" && ok || bad "the SARIF log of 'a#b c%zz.yaml' does not validate"

#--- machine formats validate against their consumers' rules -------------------
# every JSON and SARIF report of every topology the tests load
mkdir -p "$TMP/all"
n=0
for y in testdata/rules/*/*.yaml testdata/valid/*.yaml testdata/examples/*.yaml testdata/load/*.yaml; do
	n=$((n + 1))
	"$CB" check --format json "$y" >"$TMP/all/$n.json" 2>/dev/null
	[ $? -le 1 ] || rm -f "$TMP/all/$n.json"
	"$CB" check --format sarif "$y" >"$TMP/all/$n.sarif" 2>/dev/null
	[ $? -le 1 ] || rm -f "$TMP/all/$n.sarif"
done
$PY tests/validate.py report "$TMP"/all/*.json && ok || bad "a JSON report does not validate against schemas/report.schema.json"
$PY tests/validate.py sarif "$TMP"/all/*.sarif && ok || bad "a SARIF log does not validate"
for y in testdata/examples/*.yaml; do
	run "$CB" check --format json "$y"
	printf '%s' "$out" >"$TMP/r.json"
	$PY tests/validate.py report "$TMP/r.json" && ok || bad "$y: JSON report does not validate"
	run "$CB" check --format sarif "$y"
	printf '%s' "$out" >"$TMP/r.sarif"
	$PY tests/validate.py sarif "$TMP/r.sarif" && ok || bad "$y: SARIF does not validate"
	run "$CB" check --format junit "$y"
	printf '%s' "$out" >"$TMP/r.xml"
	$PY tests/validate.py junit "$TMP/r.xml" && ok || bad "$y: JUnit does not validate"
	run "$CB" check --format github "$y"
	printf '%s\n' "$out" >"$TMP/r.gh"
	$PY tests/validate.py github "$TMP/r.gh" && ok || bad "$y: github annotations malformed"
done

# The managed-provider catalog: provider + instance fill max_connections,
# the provider's reserved slots and memory_gb; an explicit value wins. Every
# figure below is worked by hand from the vendor's page (catalog/*.tsv).
catalog_case() { # NAME PROVIDER INSTANCE EXTRA WANT (max_connections su reserved capacity)
	{ printf 'version: 1\ndatabases:\n  main:\n'
	  [ -n "$2" ] && printf '    provider: %s\n' "$2"
	  [ -n "$3" ] && printf '    instance: %s\n' "$3"
	  printf '%b    settings: { idle_in_transaction_session_timeout: 10min }\n' "$4"
	} >"$TMP/cat.yaml"
	got=$("$CB" check --format json "$TMP/cat.yaml" 2>"$TMP/cat.err" | $PY -c 'import json,sys
d=json.load(sys.stdin)["databases"][0]
print(d["max_connections"], d["superuser_reserved_connections"], d["reserved_connections"], d["capacity"])')
	[ "$got" = "$5" ] && ok || bad "catalog $1: want '$5', got '$got' ($(cat "$TMP/cat.err"))"
}
# rds, the default: db.t3.medium 413 (measured), PostgreSQL's 3 superuser slots
catalog_case "rds default" "" db.t3.medium "" "413 3 0 410"
catalog_case "rds named" rds db.t3.medium "" "413 3 0 410"
# Azure B2s: 429, of which 15 reserved -> 414 "max user connections"
catalog_case "azure B2s" azure B2s "" "429 0 15 414"
# Azure D4ds_v5: 1718 - 15 = 1703
catalog_case "azure D4ds_v5" azure D4ds_v5 "" "1718 0 15 1703"
# Neon 0.25 CU: 104 - 7 reserved = 97 ("97 connections are available")
catalog_case "neon 0.25" neon 0.25 "" "104 0 7 97"
# Neon 9 CU and above: capped at 4000 -> 3993
catalog_case "neon 16" neon 16 "" "4000 0 7 3993"
# Supabase Small: 90 direct connections; Supabase reserves none, PostgreSQL's 3 superuser slots: 87
catalog_case "supabase Small" supabase Small "" "90 3 0 87"
# Aiven startup-4: 100; Aiven documents no fixed reserve, PostgreSQL's 3 superuser slots: 97
catalog_case "aiven startup-4" aiven startup-4 "" "100 3 0 97"
# DigitalOcean db-s-1vcpu-1gb: 25 per GB of RAM, 3 reserved for maintenance -> 22 ("a maximum of 22")
catalog_case "digitalocean db-s-1vcpu-1gb" digitalocean db-s-1vcpu-1gb "" "25 0 3 22"
# DigitalOcean 4 GB: 100 - 3 = 97 ("one with 4 GB would allow for 97")
catalog_case "digitalocean db-s-2vcpu-4gb" digitalocean db-s-2vcpu-4gb "" "100 0 3 97"
# Heroku standard-3: Connection Limit 500; Heroku documents no reserve, PostgreSQL's 3 superuser slots: 497
catalog_case "heroku standard-3" heroku standard-3 "" "500 3 0 497"
# Aurora db.r6g.large: 1722 in AWS's table (RDS's db.r6g.large is 1654), PostgreSQL's 3 superuser slots: 1719
catalog_case "aurora db.r6g.large" aurora db.r6g.large "" "1722 3 0 1719"
# Aurora Serverless v2: AWS's figure for max_acu 8 is 1669, - 3 superuser slots = 1666
catalog_case "aurora serverless 1-8" aurora "" "    min_acu: 1\n    max_acu: 8\n" "1669 3 0 1666"
# min_acu 0.5 caps it at 2000 (3360 at max_acu 16): 1997
catalog_case "aurora serverless 0.5-16" aurora "" "    min_acu: 0.5\n    max_acu: 16\n" "2000 3 0 1997"
# 32 ACUs and above: the 5000 cap
catalog_case "aurora serverless 2-64" aurora "" "    min_acu: 2\n    max_acu: 64\n" "5000 3 0 4997"
catalog_case "aurora serverless, explicit max_connections" aurora "" "    max_acu: 2\n    max_connections: 300\n" "300 3 0 297"
# explicit values win over the catalog
catalog_case "explicit max_connections wins" azure B2s "    max_connections: 300\n" "300 0 15 285"
catalog_case "explicit reserved wins" neon 1 "    reserved_connections: 2\n    superuser_reserved_connections: 1\n" "419 1 2 416"
# testdata/catalog/providers.yaml: one database per provider, worked in its comments
"$CB" check --format json testdata/catalog/providers.yaml 2>"$TMP/cat.err" | $PY -c 'import json,sys
for d in json.load(sys.stdin)["databases"]:
    print(d["id"], d["max_connections"], d["superuser_reserved_connections"], d["reserved_connections"], d["capacity"])' >"$TMP/cat.out"
for want in "orders 429 0 15 414" "events 419 0 7 412" "auth 90 3 0 87" "search 200 3 0 197" "droplets 200 0 3 197" "billing 500 3 0 497" "ledger 844 3 0 841" "sessions 2000 3 0 1997" "legacy 413 3 0 410"; do
	grep -qx "$want" "$TMP/cat.out" && ok || bad "providers.yaml: want '$want' in '$(cat "$TMP/cat.out" "$TMP/cat.err")'"
done
# CB008 reads the catalog's memory: Azure B2s has 4 GiB, 429 > 400
printf 'version: 1\ndatabases:\n  main:\n    provider: azure\n    instance: B2s\n    settings: { idle_in_transaction_session_timeout: 10min }\n' >"$TMP/cat.yaml"
"$CB" check --format gcc "$TMP/cat.yaml" | grep -q "5:15: warning: max_connections 429 exceeds 400 for memory_gb 4 of azure instance 'B2s'" && ok || bad "CB008 from the catalog's memory_gb"
# unknown provider / instance: exit 2 at the line, with a hint
catalog_error() { # NAME YAML WANT (a grep pattern for the error)
	printf "$2" >"$TMP/cat.yaml"
	out=$("$CB" check "$TMP/cat.yaml" 2>&1); rc=$?
	[ $rc = 2 ] && printf '%s' "$out" | grep -q "$3" && ok || bad "catalog $1 (exit $rc): $out"
}
H='version: 1\ndatabases:\n  main:\n'
catalog_error "unknown provider" "$H    provider: azur\n    instance: B2s\n" \
	':4:15: error: databases.main.provider: unknown provider "azur", did you mean "azure"?'
catalog_error "unknown azure instance" "$H    provider: azure\n    instance: B2x\n" \
	':5:15: error: databases.main.instance: unknown azure instance "B2x", did you mean "B2s"?'
# provider after instance: the pair is checked once the mapping is read
catalog_error "instance of another provider" "$H    instance: db.t3.medium\n    provider: azure\n" \
	':4:15: error: databases.main.instance: unknown azure instance "db.t3.medium"'
catalog_error "max_acu without a figure" "$H    provider: aurora\n    max_acu: 2\n" \
	':5:14: error: databases.main.max_acu: AWS gives max_connections for max_acu 1, 4, 8, 16 and 32 or more, not 2; set max_connections'
catalog_error "max_acu off aurora" "$H    provider: neon\n    max_acu: 8\n" \
	':5:14: error: databases.main.max_acu: an Aurora Serverless v2 capacity needs provider: aurora'
catalog_error "max_acu with instance" "$H    provider: aurora\n    instance: db.r6g.large\n    max_acu: 8\n" \
	':5:15: error: databases.main.instance: an Aurora Serverless v2 database gives min_acu and max_acu instead of instance'
catalog_error "min_acu in quarters" "$H    provider: aurora\n    min_acu: 0.25\n    max_acu: 8\n" \
	':5:14: error: databases.main.min_acu: 0.25 is not 0.5 or more in steps of 0.5'
catalog_error "min_acu above max_acu" "$H    provider: aurora\n    min_acu: 16\n    max_acu: 8\n" \
	':5:14: error: databases.main.min_acu: 16 is more than max_acu 8'
catalog_error "provider without instance" "$H    provider: neon\n    max_connections: 100\n" \
	':4:15: error: databases.main.provider: neon needs instance'

# connbudget catalog: the tables with their sources, one provider, json, markdown
expect_rc 0 "catalog" "$CB" catalog
contains "$out" "Neon (neon): 58 rows" "catalog: every provider"
contains "$out" "Azure Database for PostgreSQL flexible server (azure):" "catalog: azure"
expect_rc 0 "catalog neon" "$CB" catalog neon
contains "$out" "  1                              419         7          4  compute units" "catalog neon: 1 CU, 419 with 7 reserved"
contains "$out" "  source: https://neon.com/docs/connect/connection-pooling (verified 2026-12-03)" "catalog neon: the vendor page"
lacks "$out" "azure" "catalog neon: neon only"
expect_rc 0 "catalog --format json" "$CB" catalog --format json azure
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; r = [x for x in json.load(sys.stdin) if x["name"] == "D4ds_v5"][0]; print(r["max_connections"], r["reserved"], r["source"])')" "1718 15 https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-limits" "catalog json: a row with its source"
expect_rc 0 "catalog --format markdown" "$CB" catalog --format markdown rds
contains "$out" "| \`db.t3.medium\` | 413 | 0 | 4 |" "catalog markdown: a row"
expect_rc 2 "catalog of an unknown provider" "$CB" catalog nean
contains "$err" 'unknown provider "nean", did you mean "neon"? (aiven, aurora, azure, digitalocean, heroku, neon, rds, supabase)' "catalog: the closest name"
expect_rc 2 "catalog --format sarif" "$CB" catalog --format sarif
expect_rc 2 "catalog with two providers" "$CB" catalog neon rds

finish
