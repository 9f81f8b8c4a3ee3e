#!/usr/bin/env bash
# limits.sh - special files and inputs at and past the loader's limits
# (src/load.h LOAD_*) and the reading gate's budgets (src/input.h INPUT_*):
# each is a clean error, never a hang or a blow-up.
#
# Every case: exit 2, a first stderr line "FILE:LINE:COL: error: ..." that
# says what was wrong, under one second (two for the few cases that must read
# millions of events before a count limit trips; timeout kills a hang), no
# sanitizer report, and the input file unchanged. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/connbudget tests/limits.sh                     (timed)
#   CONNBUDGET=build/san/connbudget LIMIT_SCALE=10 tests/limits.sh  (sanitizers)
#   LIMITS_VERBOSE=1 tests/limits.sh        also print each case's time and message
#
# The time bounds hold for the release build; LIMIT_SCALE multiplies them for
# a build that runs slower (ASan + UBSan: about 5-10 times). `make limits`
# runs both.
set -u
cd "$(dirname "$0")/.." || exit 2
CB=${CONNBUDGET:-build/connbudget}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0 skip=0
LIMIT_SCALE=${LIMIT_SCALE:-1}
LIMIT_MS=$((1000 * LIMIT_SCALE))   # every case
VOLUME_MS=$((2000 * LIMIT_SCALE))  # cases that must read millions of events first

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }

# constant HEADER NAME: the value of NAME in src/HEADER (an integer expression)
constant() {
	local e
	e=$(sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\([0-9 *]*\),.*/\1/p" "src/$1")
	[ -n "$e" ] || { echo "limits.sh: $2 not found in src/$1" >&2; exit 2; }
	echo $(($e))
}
# limit NAME: LOAD_NAME in src/load.h; input_limit NAME: INPUT_NAME in
# src/input.h (the reading gate)
limit() { constant load.h "LOAD_$1"; }
input_limit() { constant input.h "INPUT_$1"; }
MAX_FILE=$(limit MAX_FILE_BYTES)
MAX_NODES=$(limit MAX_NODES)
MAX_ID=$(limit MAX_ID_LEN)
MAX_STRING=$(limit MAX_STRING_LEN)
MAX_INC_DEPTH=$(limit MAX_INCLUDE_DEPTH)
MAX_INC_FILES=$(limit MAX_INCLUDE_FILES)
MAX_LIST=$(limit MAX_LIST_ITEMS)
MAX_OBJECTS=$(limit MAX_OBJECTS)
IN_MAX_FILES=$(input_limit MAX_FILES)
IN_MAX_BYTES=$(input_limit MAX_BYTES)

# run_cb MAX_MS CMD...: run with a guard of twice MAX_MS plus 5 s against a
# hang; sets $rc, $ms, $first (stderr's first line)
run_cb() {
	local start guard=$((2 * $1 / 1000 + 5))
	shift
	start=$(date +%s%N)
	timeout "$guard" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	first=$(head -n 1 "$TMP/err")
}

# expect_error NAME SHOWN_AS WORDS MAX_MS: the last run (run_cb) failed
# cleanly. SHOWN_AS is a glob for the file name its message starts with,
# WORDS an extended regex (case-insensitive) the message must match.
expect_error() {
	local name=$1 shown=$2 words=$3 max=$4
	if [ "$rc" = 124 ]; then bad "$name: hangs (killed after $((2 * max / 1000 + 5)) s)"; return; fi
	[ "$rc" = 2 ] && ok || bad "$name: exit $rc, want 2"
	# shellcheck disable=SC2254 # SHOWN_AS is a glob on purpose
	case "$first" in
	$shown:[0-9]*:[0-9]*": error: "?*) ok ;;
	*) bad "$name: message is not \"$shown:LINE:COL: error: ...\": \"$first\"" ;;
	esac
	if printf '%s\n' "$first" | grep -qiE -- "$words"; then ok; else
		bad "$name: message does not say what is wrong (/$words/): \"$first\""
	fi
	[ "$ms" -lt "$max" ] && ok || bad "$name: took $ms ms (limit $max)"
	[ -z "${LIMITS_VERBOSE:-}" ] || printf '%6d ms  %s: %s\n' "$ms" "$name" "$first"
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|ERROR SUMMARY: [1-9]' "$TMP/err"; then
		bad "$name: sanitizer or valgrind report"
		head -20 "$TMP/err"
	else
		ok
	fi
}

# case_file NAME FILE WORDS [MAX_MS [SHOWN_AS]]: check FILE, expect a clean
# error (positioned in FILE unless SHOWN_AS says otherwise), FILE unchanged
case_file() {
	local name=$1 f=$2 words=$3 max=${4:-$LIMIT_MS} shown=${5:-$2} sum
	sum=$(sha256sum <"$f")
	run_cb "$max" "$CB" check "$f"
	expect_error "$name" "$shown" "$words" "$max"
	[ "$(sha256sum <"$f")" = "$sum" ] && ok || bad "$name: input was modified"
}

VALID='version: 1
databases:
  main:
    max_connections: 100
'

#--- special files --------------------------------------------------------------
run_cb "$LIMIT_MS" "$CB" check /dev/zero
expect_error "/dev/zero" /dev/zero 'byte|MiB|large|size|regular|device' "$LIMIT_MS"

mkdir -p "$TMP/dir.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/dir.yaml"
expect_error "a directory" "$TMP/dir.yaml" 'director|regular' "$LIMIT_MS"

# A FIFO with no writer: open(2) for reading would block for ever.
mkfifo "$TMP/fifo.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/fifo.yaml"
expect_error "a FIFO with no writer" "$TMP/fifo.yaml" 'fifo|pipe|regular|empty|read|open' "$LIMIT_MS"

# Unreadable files. We may run as root, which chmod 000 does not stop; what
# stays testable as root: /proc/self/mem (open succeeds, read(2) fails with
# EIO) and a path through a regular file (ENOTDIR).
run_cb "$LIMIT_MS" "$CB" check /proc/self/mem
expect_error "/proc/self/mem (read fails)" /proc/self/mem '.' "$LIMIT_MS"
printf '%s' "$VALID" >"$TMP/plain.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/plain.yaml/child.yaml"
expect_error "a path through a file" "$TMP/plain.yaml/child.yaml" 'director|open|read|exist' "$LIMIT_MS"
if [ "$(id -u)" != 0 ]; then
	printf '%s' "$VALID" >"$TMP/noperm.yaml"
	chmod 000 "$TMP/noperm.yaml"
	run_cb "$LIMIT_MS" "$CB" check "$TMP/noperm.yaml"
	expect_error "chmod 000" "$TMP/noperm.yaml" 'permission|denied|read|open' "$LIMIT_MS"
	chmod 600 "$TMP/noperm.yaml"
else
	skip=$((skip + 1))
	echo "SKIP: chmod 000 file: running as root, which reads it anyway (covered by /proc/self/mem)"
fi

#--- size: at most LOAD_MAX_FILE_BYTES, on files and on endless standard input --
# pad FILE BYTES: a valid topology padded with comment lines to exactly BYTES
pad() {
	{
		printf '%s' "$VALID"
		head -c "$(($2 - ${#VALID}))" /dev/zero | tr '\0' '#' | fold -w 79
	} | head -c "$2" >"$1"
	# fold adds a newline per 79 bytes: trim to the exact size, end with a newline
	truncate -s $(($2 - 1)) "$1" && printf '\n' >>"$1"
}
pad "$TMP/at-limit.yaml" "$MAX_FILE"
[ "$(wc -c <"$TMP/at-limit.yaml")" = "$MAX_FILE" ] && ok || bad "generator: at-limit.yaml has the wrong size"
run_cb "$VOLUME_MS" "$CB" check --format gcc "$TMP/at-limit.yaml"
if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then ok; else bad "a file of exactly $MAX_FILE bytes: exit $rc, want 0 or 1 (it is within the limit)"; head -3 "$TMP/err"; fi

pad "$TMP/over-limit.yaml" $((MAX_FILE + 1))
case_file "a file one byte over the limit" "$TMP/over-limit.yaml" 'byte|MiB|large|size'
pad "$TMP/17mib.yaml" $((17 * 1024 * 1024))
case_file "a 17 MiB file" "$TMP/17mib.yaml" 'byte|MiB|large|size'

start=$(date +%s%N)
timeout $((2 * LIMIT_MS / 1000 + 5)) "$CB" check - </dev/zero >"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
first=$(head -n 1 "$TMP/err")
expect_error "standard input from /dev/zero" - 'byte|MiB|large|size' "$LIMIT_MS"

start=$(date +%s%N)
yes '# an endless comment' | timeout $((2 * LIMIT_MS / 1000 + 5)) "$CB" check - >"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
first=$(head -n 1 "$TMP/err")
expect_error "an endless pipe on standard input" - 'byte|MiB|large|size' "$LIMIT_MS"

#--- aliases: a billion laughs, a self-reference ----------------------------------
{
	printf 'version: 1\nlol0: &l0 "lol"\n'
	for i in 1 2 3 4 5 6 7 8 9; do
		printf 'lol%d: &l%d [' "$i" "$i"
		for _ in 1 2 3 4 5 6 7 8 9; do printf '*l%d, ' $((i - 1)); done
		printf '*l%d]\n' $((i - 1))
	done
	printf 'databases: *l9\n'
} >"$TMP/billion-laughs.yaml"
# (the classic file: its anchors sit under keys the format does not have, so
# the first error may be the unknown key rather than the alias)
case_file "a billion laughs" "$TMP/billion-laughs.yaml" 'alias|anchor|expan|key'
{
	printf '%s' "$VALID"
	printf '    ignore: &loop [CB001, *loop]\n'
} >"$TMP/self-alias.yaml"
case_file "an alias inside its own anchor" "$TMP/self-alias.yaml" 'alias|anchor|recurs|cycl'

#--- nesting: 100 000 levels, three ways ------------------------------------------
deep() { # FILE OPEN CLOSE: version: 1 then a key nested 100 000 deep
	{
		printf 'version: 1\ndatabases: '
		head -c 100000 /dev/zero | tr '\0' '\001' | sed "s/\x01/$2/g"
		printf 'x'
		[ -z "$3" ] || head -c 100000 /dev/zero | tr '\0' '\001' | sed "s/\x01/$3/g"
		printf '\n'
	} >"$1"
}
deep "$TMP/deep-flow-seq.yaml" '[' ']'
case_file "100 000 nested flow sequences" "$TMP/deep-flow-seq.yaml" 'nest|deep|depth|level'
deep "$TMP/deep-flow-map.yaml" '{a: ' '}'
case_file "100 000 nested flow mappings" "$TMP/deep-flow-map.yaml" 'nest|deep|depth|level'
{ printf 'version: 1\ndatabases:\n  '; head -c 100000 /dev/zero | tr '\0' '\001' | sed 's/\x01/- /g'; printf 'x\n'; } >"$TMP/deep-block-seq.yaml"
case_file "100 000 nested block sequences" "$TMP/deep-block-seq.yaml" 'nest|deep|depth|level'

#--- node, list and object counts, id and string lengths ---------------------------
# More than LOAD_MAX_NODES events, in lists within LOAD_MAX_LIST_ITEMS and
# within 16 MiB: databases whose `ignore` lists hold the 1296 distinct
# two-character names 00..zz (rule names are checked later, by the rules;
# duplicates would be an error of their own), 3 bytes a node.
alnum='0 1 2 3 4 5 6 7 8 9 a b c d e f g h i j k l m n o p q r s t u v w x y z'
pairs=$(for a in $alnum; do for b in $alnum; do printf '%s%s,' "$a" "$b"; done; done)
pairs=${pairs%,}
{
	printf 'version: 1\ndatabases:\n'
	for i in $(seq 1 $((MAX_NODES / 1296 + 10))); do
		printf '  d%d: {max_connections: 100, ignore: [%s]}\n' "$i" "$pairs"
	done
} >"$TMP/many-nodes.yaml"
case_file "more than $MAX_NODES nodes" "$TMP/many-nodes.yaml" 'node|event|many|large' "$VOLUME_MS"
{
	printf '%s    ignore: [' "$VALID"
	seq 1 $((MAX_LIST + 1)) | sed 's/^/x/' | paste -sd, -
	printf ']\n'
} >"$TMP/long-list.yaml"
case_file "a list of $((MAX_LIST + 1)) items" "$TMP/long-list.yaml" 'item|list|many|long'
{
	printf 'version: 1\ndatabases:\n'
	seq 1 $((MAX_OBJECTS + 1)) | sed 's/.*/  d&: {max_connections: 100}/'
} >"$TMP/many-objects.yaml"
case_file "$((MAX_OBJECTS + 1)) databases" "$TMP/many-objects.yaml" 'object|database|many' "$VOLUME_MS"

long_id=$(head -c $((MAX_ID + 1)) /dev/zero | tr '\0' 'd')
printf 'version: 1\ndatabases:\n  %s:\n    max_connections: 100\n' "$long_id" >"$TMP/long-id.yaml"
case_file "an id of $((MAX_ID + 1)) characters" "$TMP/long-id.yaml" 'long|length|characters|bytes'
ok_id=$(head -c "$MAX_ID" /dev/zero | tr '\0' 'd')
printf 'version: 1\ndatabases:\n  %s:\n    max_connections: 100\n' "$ok_id" >"$TMP/max-id.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/max-id.yaml"
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || { bad "an id of exactly $MAX_ID characters: exit $rc, want 0 or 1"; head -3 "$TMP/err"; }

long_str=$(head -c $((MAX_STRING + 1)) /dev/zero | tr '\0' 'h')
printf '%s    host: %s\n' "$VALID" "$long_str" >"$TMP/long-string.yaml"
case_file "a string of $((MAX_STRING + 1)) characters" "$TMP/long-string.yaml" 'long|length|characters|bytes'

#--- a 16 MB value in a message: quoted tokens are cut (util.h CLIP_MAX) -----------
# big_value N CHAR: N bytes of CHAR
big_value() { head -c "$1" /dev/zero | tr '\0' "$2"; }
HUGE=$((MAX_FILE - 1024))
# expect_short NAME: the last run's message is one line of at most 400 bytes
expect_short() {
	local n
	n=$(wc -c <"$TMP/err")
	[ "$n" -le 400 ] && [ "$(wc -l <"$TMP/err")" -le 1 ] && ok ||
		bad "$1: a message of $n bytes: $(head -c 200 "$TMP/err")"
}
SURGE='version: 1
databases:
  main:
    max_connections: 100
clients:
  api:
    type: service
    connects_to: main
    pool: { size: 1 }
'
{ printf '%s    surge: ' "$SURGE"; big_value "$HUGE" 9; printf '%%\n'; } >"$TMP/huge-surge.yaml"
case_file "a 16 MB surge percentage" "$TMP/huge-surge.yaml" 'surge percentage 9{60}\.\.\. is above 100%'
expect_short "a 16 MB surge percentage"
{ printf '%s    surge: ' "$SURGE"; big_value "$HUGE" 9; printf '\n'; } >"$TMP/huge-surge-int.yaml"
case_file "a 16 MB surge integer" "$TMP/huge-surge-int.yaml" 'too large'
expect_short "a 16 MB surge integer"
mkdir -p "$TMP/huge-conf"
printf '%s    config: pg.conf\n' "$VALID" >"$TMP/huge-conf/pg.yaml"
{ printf "max_connections = '"; big_value $((15 * 1024 * 1024)) x; printf "'\n"; } >"$TMP/huge-conf/pg.conf"
case_file "a 15 MB value in postgresql.conf" "$TMP/huge-conf/pg.yaml" 'expected an integer.*got "x{60}\.\.\."' "$LIMIT_MS" "$TMP/huge-conf/pg.conf"
expect_short "a 15 MB value in postgresql.conf"
printf 'version: 1\ndatabases:\n  main:\n    max_connections: 100\npoolers:\n  b:\n    type: pgbouncer\n    database: main\n    pool_mode: transaction\n    config: b.ini\n' >"$TMP/huge-conf/b.yaml"
{ big_value $((15 * 1024 * 1024)) k; printf ' = 1\n'; } >"$TMP/huge-conf/b.ini"
case_file "a 15 MB name in pgbouncer.ini" "$TMP/huge-conf/b.yaml" "value without section: k{60}\.\.\." "$LIMIT_MS" "$TMP/huge-conf/b.ini"
expect_short "a 15 MB name in pgbouncer.ini"

#--- includes: depth and count ------------------------------------------------------
mkdir -p "$TMP/inc-depth"
printf '%sinclude: [f1.yaml]\n' "$VALID" >"$TMP/inc-depth/top.yaml"
for i in $(seq 1 $((MAX_INC_DEPTH + 1))); do
	printf 'include: [f%d.yaml]\n' $((i + 1)) >"$TMP/inc-depth/f$i.yaml"
done
printf 'databases: {}\n' >"$TMP/inc-depth/f$((MAX_INC_DEPTH + 2)).yaml"
# (the message may point into any file of the chain)
case_file "a chain of $((MAX_INC_DEPTH + 2)) includes" "$TMP/inc-depth/top.yaml" \
	'include|deep|depth|nest' "$LIMIT_MS" "$TMP/inc-depth/*.yaml"

mkdir -p "$TMP/inc-count/parts"
printf '%sinclude: ["parts/*.yaml"]\n' "$VALID" >"$TMP/inc-count/top.yaml"
for i in $(seq 1 $((MAX_INC_FILES + 1))); do
	printf 'clients: {}\n' >"$TMP/inc-count/parts/p$i.yaml"
done
case_file "$((MAX_INC_FILES + 1)) included files" "$TMP/inc-count/top.yaml" \
	'include|files|many' "$LIMIT_MS" "$TMP/inc-count/*.yaml"

#--- one reading budget: every file read once, budgets checked while expanding ------
# Ten 200-byte postgresql.conf files, each including the next ten times:
# 10^10 reads without a budget.
mkdir -p "$TMP/pgbomb"
for i in $(seq 0 9); do
	for k in $(seq 1 10); do printf "include 'c%d.conf'\n" $((i + 1)); done >"$TMP/pgbomb/c$i.conf"
done
printf 'max_connections = 100\n' >"$TMP/pgbomb/c10.conf"
printf '%s    config: c0.conf\n' "$VALID" >"$TMP/pgbomb/top.yaml"
case_file "postgresql.conf including the next file ten times, ten deep" "$TMP/pgbomb/top.yaml" \
	'reads|files|bytes|budget' "$LIMIT_MS" "$TMP/pgbomb/*"

mkdir -p "$TMP/inibomb"
for i in $(seq 0 9); do
	{ printf '[pgbouncer]\n'; for k in $(seq 1 10); do printf '%%include c%d.ini\n' $((i + 1)); done; } \
		>"$TMP/inibomb/c$i.ini"
done
printf '[pgbouncer]\nlisten_port = 6432\n' >"$TMP/inibomb/c10.ini"
printf '%spoolers:\n  b:\n    type: pgbouncer\n    database: main\n    pool_mode: transaction\n    config: c0.ini\n' \
	"$VALID" >"$TMP/inibomb/top.yaml"
case_file "pgbouncer.ini including the next file ten times, ten deep" "$TMP/inibomb/top.yaml" \
	'reads|files|bytes|budget' "$LIMIT_MS" "$TMP/inibomb/*"

# Symbolic links back to "." under a glob: the loop is cut, not expanded
# 8^6 times (glob(3) took 20 s); the fragments load once.
mkdir -p "$TMP/symloop/sym"
for i in 1 2 3 4 5 6 7 8; do ln -s . "$TMP/symloop/sym/l$i"; done
for i in 1 2 3; do printf 'clients: {}\n' >"$TMP/symloop/sym/f$i.yaml"; done
printf '%sinclude: ["sym/*/*/*/*/*/*/*.yaml", "sym/*.yaml"]\n' "$VALID" >"$TMP/symloop/top.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/symloop/top.yaml"
if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then ok; else bad "include glob through symlinks to '.': exit $rc ($first)"; fi
[ "$ms" -lt "$LIMIT_MS" ] && ok || bad "include glob through symlinks to '.': took $ms ms (limit $LIMIT_MS)"
[ -z "${LIMITS_VERBOSE:-}" ] || printf '%6d ms  %s\n' "$ms" "include glob through symlinks to '.'"

# Links without a loop, eight wide and five deep: 8^5 matches; expansion
# stops at the include limit.
mkdir -p "$TMP/symfan"
for d in 0 1 2 3 4 5; do mkdir -p "$TMP/symfan/d$d"; done
for d in 0 1 2 3 4; do for i in 1 2 3 4 5 6 7 8; do ln -s "../d$((d + 1))" "$TMP/symfan/d$d/l$i"; done; done
printf 'clients: {}\n' >"$TMP/symfan/d5/a.yaml"
printf '%sinclude: ["d0/*/*/*/*/*/a.yaml"]\n' "$VALID" >"$TMP/symfan/top.yaml"
case_file "a glob matching 8^5 paths through links" "$TMP/symfan/top.yaml" 'matches more than|files' "$LIMIT_MS"

# Patterns from the root: the directory entry budget, not the whole disk.
printf '%sinclude: ["/*/*/*/*/*/*/*/*"]\n' "$VALID" >"$TMP/rootglob.yaml"
case_file 'include: "/*/*/*/*/*/*/*/*"' "$TMP/rootglob.yaml" 'pattern|entries|files' "$LIMIT_MS"
# A pattern that matches nothing still spends the budget: 400 links to 400
# links to 400 entries.
mkdir -p "$TMP/wide/w" "$TMP/wide/x" "$TMP/wide/y"
for i in $(seq 1 400); do
	ln -s ../x "$TMP/wide/w/a$i"; ln -s ../y "$TMP/wide/x/b$i"; : >"$TMP/wide/y/c$i"
done
printf '%sinclude: ["%s/wide/w/*/*/*/nomatch*.yaml"]\n' "$VALID" "$TMP" >"$TMP/nomatch.yaml"
case_file "an absolute glob that matches nothing" "$TMP/nomatch.yaml" 'entries|pattern' "$LIMIT_MS"

# No blocking: FIFOs and standard input named as a file are refused.
mkfifo "$TMP/inc-fifo.yaml" "$TMP/conf-fifo.conf"
printf '%sinclude: [inc-fifo.yaml]\n' "$VALID" >"$TMP/inc-fifo-top.yaml"
case_file "a FIFO with no writer, included" "$TMP/inc-fifo-top.yaml" 'fifo|regular'
printf '%s    config: conf-fifo.conf\n' "$VALID" >"$TMP/conf-fifo-top.yaml"
case_file "a FIFO with no writer, as config:" "$TMP/conf-fifo-top.yaml" 'fifo|regular'
# standard input: a pipe whose writer never writes (sleep)
printf '%sinclude: [/dev/stdin]\n' "$VALID" >"$TMP/inc-stdin.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/inc-stdin.yaml" < <(sleep 6)
expect_error "include: [/dev/stdin]" "$TMP/inc-stdin.yaml" 'fifo|regular|device' "$LIMIT_MS"
printf '%s    config: /dev/stdin\n' "$VALID" >"$TMP/conf-stdin.yaml"
run_cb "$LIMIT_MS" "$CB" check "$TMP/conf-stdin.yaml" < <(sleep 6)
expect_error "config: /dev/stdin" "$TMP/conf-stdin.yaml" 'fifo|regular|device' "$LIMIT_MS"
run_cb "$LIMIT_MS" "$CB" check "$TMP/conf-stdin.yaml" </dev/null
expect_error "config: /dev/stdin from /dev/null" "$TMP/conf-stdin.yaml" 'regular|device' "$LIMIT_MS"

# More files than one run reads (include_dir), in the github format, which
# once printed a NULL file name past the position table's end.
mkdir -p "$TMP/many/conf.d"
for i in $(seq 1 $((IN_MAX_FILES + 1))); do printf 'work_mem = 4MB\n' >"$TMP/many/conf.d/p$i.conf"; done
printf "include_dir 'conf.d'\n" >"$TMP/many/postgresql.conf"
printf '%s    config: postgresql.conf\n' "$VALID" >"$TMP/many/top.yaml"
run_cb "$LIMIT_MS" "$CB" check --format github "$TMP/many/top.yaml"
expect_error "$((IN_MAX_FILES + 1)) config files" "$TMP/many/*" 'files' "$LIMIT_MS"
if grep -q '(null)' "$TMP/out" "$TMP/err"; then bad "$((IN_MAX_FILES + 1)) config files: prints (null)"; else ok; fi

# The bytes of all reads: one 15 MiB postgresql.conf for five databases
# (read once, counted each time).
mkdir -p "$TMP/bytes"
yes '# padding padding padding padding padding padding padding padding padding' | head -c $((15 * 1024 * 1024)) >"$TMP/bytes/big.conf"
{ printf 'version: 1\ndatabases:\n'
  for i in $(seq 1 $((IN_MAX_BYTES / (15 * 1024 * 1024) + 1))); do
	printf '  db%d:\n    max_connections: 100\n    config: big.conf\n' "$i"
  done; } >"$TMP/bytes/top.yaml"
case_file "15 MiB config read for five databases" "$TMP/bytes/top.yaml" 'bytes' "$VOLUME_MS"

#--- large arrays without their own mappings ----------------------------------------
# Arrays over 1 MiB and the arena's second block live in mappings that
# reserve 1 GiB of address space each (util.c, xbig_grow). Where the kernel
# refuses that (here: an address-space limit), the same data goes to
# malloc: the report must be the same, byte for byte. ASan reserves far
# more address space than any limit that would refuse a 1 GiB mapping, so
# this runs on the release build only.
if ldd "$CB" 2>/dev/null | grep -q asan; then
	skip=$((skip + 1))
elif /usr/bin/python3 bench/gen.py 5000 "$TMP/big.yaml" 2>"$TMP/gen.err"; then
	"$CB" check --format json "$TMP/big.yaml" >"$TMP/mapped.json" 2>&1
	want=$?
	(ulimit -v 400000 && exec "$CB" check --format json "$TMP/big.yaml") >"$TMP/malloc.json" 2>&1
	got=$?
	if [ "$want" = 1 ] && [ "$got" = "$want" ] && cmp -s "$TMP/mapped.json" "$TMP/malloc.json"; then
		ok
	else
		bad "5 000 clients under ulimit -v 400000: exit $got (mapped: $want), or a different report"
		head -3 "$TMP/malloc.json"
	fi
else
	bad "bench/gen.py 5000 failed: $(head -1 "$TMP/gen.err")"
fi

[ "$skip" = 0 ] || echo "($skip skipped)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
