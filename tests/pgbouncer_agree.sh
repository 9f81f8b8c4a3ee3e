#!/usr/bin/env bash
# connbudget and the real PgBouncer agree on pgbouncer.ini (docs/poolers.md):
# for every ini under testdata/ that PgBouncer is given (testdata/poolers/,
# testdata/poolers/agree/ with hostile files named bad-* and good-*,
# testdata/config/, testdata/rules/, testdata/valid/), Debian's pgbouncer is
# started on it, as the postgres user, on 127.0.0.1 and a random free port,
# from the file's own directory (PgBouncer resolves %include from its
# working directory) and from a temporary directory for everything it
# writes. connbudget must refuse (exit 2) exactly the files PgBouncer
# refuses (it exits or logs FATAL), and for the files both accept, SHOW
# CONFIG and SHOW DATABASES on the admin console must show the values that
# `connbudget report --format json` read. A file that uses a parameter
# newer than the installed pgbouncer (connbudget's table in
# src/config/pgbouncer.c and src/config/apply.c says when each came) is
# skipped and named. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/pgbouncer_agree.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

die() { echo "pgbouncer_agree.sh: $*" >&2; exit 2; }
[ -x "$CB" ] || die "$CB is not built"
command -v pgbouncer >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v pgbouncer >/dev/null 2>&1 || die "no pgbouncer: apt-get install pgbouncer"
PSQL=$(command -v psql) || die "no psql: apt-get install postgresql-client"
# PgBouncer refuses to run as root: run it as postgres. setpriv execs, so
# $! of the background server is pgbouncer itself.
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql package creates it)"
	ASPG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
	chown postgres: "$TMP"
else
	ASPG=()
fi
chmod 755 "$TMP"
HAVE=$(pgbouncer --version | sed -n 's/^PgBouncer \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$HAVE" ] || die "cannot tell pgbouncer's version"
BOUNCER_PID=
skipped=0

stop_bouncer() {
	[ -n "$BOUNCER_PID" ] || return 0
	stop_pid "$BOUNCER_PID" INT
	BOUNCER_PID=
}
# On every exit: stop what we started, then lib.sh's closing line.
on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	stop_bouncer
	rm -rf "$TMP"
	echo "$skipped skipped (parameters newer than pgbouncer $HAVE)"
	finish || [ "$rc" != 0 ] || rc=1
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# newer A B: is release A later than release B (both MAJOR.MINOR)?
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$1" ]; }
# since KIND KEY: the release connbudget's tables give for a [pgbouncer]
# parameter (KIND pgbouncer), a connect-string key (connection), a [users]
# key (user) or a section
since() {
	case $1 in
	section) [ "$2" = peers ] && echo 1.19 ;;
	pgbouncer) grep -o "{ \"$2\", BP_[A-Z_]*, \"[0-9.]*\" }" src/config/pgbouncer.c ;;
	connection) sed -n '/} db_keys\[\] = {/,/^}, user_keys/p' src/config/apply.c | grep -o "{ \"$2\", \"[0-9.]*\" }" ;;
	user) sed -n '/^}, user_keys\[\] = {/,/^};/p' src/config/apply.c | grep -o "{ \"$2\", \"[0-9.]*\" }" ;;
	esac | grep -o '[0-9][0-9.]*' | tail -1
}

cat >"$TMP/userlist.txt" <<'EOF'
"cbadmin" ""
EOF
[ "$(id -u)" = 0 ] && chown postgres: "$TMP/userlist.txt"

# The copy PgBouncer runs: the file with our listen/log/auth settings put at
# the end of its last [pgbouncer] section (a new [pgbouncer] header would
# reset the file's own values). A file without one is run as it is.
with_overrides() { # SRC DST PORT
	$PY - "$1" "$2" "$3" "$TMP" <<'PY'
import re, sys
src, dst, port, tmp = sys.argv[1:]
lines = open(src, encoding="utf-8", errors="surrogateescape").read().split("\n")
heads = [i for i, l in enumerate(lines) if re.match(r"\s*\[", l)]
mains = [i for i in heads if re.match(r"\s*\[pgbouncer\]", lines[i])]
if mains:
    end = next((i for i in heads if i > mains[-1]), len(lines))
    lines[end:end] = ["listen_addr = 127.0.0.1", "listen_port = " + port, "unix_socket_dir =",
                      "logfile = %s/run/pgbouncer.log" % tmp, "pidfile = %s/run/pgbouncer.pid" % tmp,
                      "auth_type = trust", "auth_file = %s/userlist.txt" % tmp, "admin_users = cbadmin"]
open(dst, "w", encoding="utf-8", errors="surrogateescape").write("\n".join(lines))
PY
}

# run_bouncer FILE: start PgBouncer on FILE; sets $bouncer (accepted |
# refused), $blog (its messages) and, when accepted, leaves it running
# with the admin console on $BPORT.
run_bouncer() {
	local f=$1 dir
	dir=$(cd "$(dirname "$f")" && pwd)
	rm -rf "$TMP/run"
	mkdir "$TMP/run"
	BPORT=$(free_port)
	with_overrides "$f" "$TMP/run/pgbouncer.ini" "$BPORT"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$TMP/run"
	(cd "$dir" && exec "${ASPG[@]}" pgbouncer "$TMP/run/pgbouncer.ini") >"$TMP/run/out" 2>&1 &
	BOUNCER_PID=$!
	bouncer=
	for _ in $(seq 100); do
		if ! kill -0 "$BOUNCER_PID" 2>/dev/null; then bouncer=refused; break; fi
		if admin -c 'SHOW VERSION' >/dev/null 2>&1; then bouncer=accepted; break; fi
		sleep 0.1
	done
	blog=$(cat "$TMP/run/out" "$TMP/run/pgbouncer.log" 2>/dev/null)
	case "$blog" in *FATAL*) bouncer=refused ;; esac
	[ "$bouncer" = refused ] && { wait "$BOUNCER_PID" 2>/dev/null; BOUNCER_PID=; }
	[ -n "$bouncer" ] || { bouncer=refused; blog="did not answer within 10 s: $blog"; stop_bouncer; }
}
admin() { PGCONNECT_TIMEOUT=2 "$PSQL" -X -q -A -t -F '|' -h 127.0.0.1 -p "$BPORT" -U cbadmin -d pgbouncer "$@"; }

# The parameter PgBouncer did not know, when connbudget's table says it came
# after the installed release: the file is skipped.
too_new() {
	local kk
	kk=$(printf '%s\n' "$blog" | sed -n \
		-e 's/.*unknown parameter: pgbouncer\/\([A-Za-z0-9_]*\).*/pgbouncer \1/p' \
		-e 's/.*unrecognized \(connection\|user\) parameter: \([A-Za-z0-9_]*\).*/\1 \2/p' \
		-e 's/.*invalid section "\([a-z]*\)".*/section \1/p' | head -1)
	[ -n "$kk" ] || return 1
	v=$(since $kk)
	too_new_key=${kk#* }
	[ -n "$v" ] && newer "$v" "$HAVE"
}

# compare F: SHOW CONFIG / SHOW DATABASES against connbudget's JSON report.
compare() {
	admin -c 'SHOW CONFIG' >"$TMP/run/config" 2>&1 || { bad "$1: SHOW CONFIG failed"; return; }
	admin -c 'SHOW DATABASES' >"$TMP/run/databases" 2>&1 || { bad "$1: SHOW DATABASES failed"; return; }
	local res
	res=$($PY - "$TMP/out" "$TMP/run/config" "$TMP/run/databases" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
conf = dict(l.split("|")[:2] for l in open(sys.argv[2]).read().splitlines() if "|" in l)
dbs = {}
for l in open(sys.argv[3]).read().splitlines():
    c = l.split("|")
    if len(c) >= 9:
        dbs[c[0]] = {"force_user": c[4], "pool_size": c[5], "reserve_pool": c[7], "pool_mode": c[8]}
p = rep["poolers"][0]
bad = []
checked = 0
for k in ("pool_mode", "default_pool_size", "reserve_pool_size", "max_client_conn",
          "max_db_connections", "max_user_connections"):
    if k in p and p[k] is not None:
        checked += 1
        if str(p[k]) != conf.get(k):
            bad.append("%s: connbudget %s, PgBouncer %s" % (k, p[k], conf.get(k)))
for q in p["pools"]:
    d = dbs.get(q["entry"])
    if d is None:
        continue    # '*' is listed once a client uses it
    checked += 1
    if d["force_user"]:
        if q["user"] != d["force_user"]:
            bad.append("[databases] %s: user connbudget %s, PgBouncer forces %s" % (q["entry"], q["user"], d["force_user"]))
        continue    # the forced user's [users] line may change its size and mode
    mode = d["pool_mode"] or conf.get("pool_mode")
    if q["pool_mode"] != mode:
        bad.append("[databases] %s: pool_mode connbudget %s, PgBouncer %s" % (q["entry"], q["pool_mode"], mode))
    for mine, theirs in (("pool_size", "pool_size"), ("reserve_pool_size", "reserve_pool")):
        v = 0 if q[mine] is None else q[mine]   # null: 0, no limit since 1.24
        if str(v) != d[theirs]:
            bad.append("[databases] %s: %s connbudget %s, PgBouncer %s" % (q["entry"], theirs, v, d[theirs]))
print("checked %d" % checked if not bad else "; ".join(bad))
PY
)
	case "$res" in "checked "[1-9]*) ok ;; *) bad "$1: $res" ;; esac
}

FILES=$(ls testdata/poolers/*.ini testdata/poolers/agree/*.ini testdata/config/*/pgbouncer.ini \
	testdata/rules/*/*.ini testdata/valid/*/*.ini 2>/dev/null | grep -v '/limits\.ini$')
for f in $FILES; do
	# connbudget: a topology around the file (one database that every entry
	# reaches, one user that no [users] line names)
	printf 'version: 1\ndatabases: { main: { max_connections: 262143 } }\npoolers: { b: { type: pgbouncer, database: main, users: [cbtest], config: %s } }\n' \
		"$PWD/$f" >"$TMP/t.yaml"
	run "$CB" report "$TMP/t.yaml" --format json
	case "$err" in *AddressSanitizer*|*"runtime error"*) bad "$f: sanitizer report"; echo "$err" | head -20 ;; esac
	if [ "$rc" = 2 ]; then mine=refused; else mine=accepted; fi
	run_bouncer "$f"
	if [ "$bouncer" = refused ] && [ "$mine" = accepted ] && too_new; then
		echo "skip: $f uses $too_new_key (PgBouncer $v), newer than pgbouncer $HAVE"
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$mine" = "$bouncer" ]; then ok; else
		bad "$f: connbudget $mine it, PgBouncer $bouncer it"
		printf '  connbudget: %s\n' "$(printf '%s' "$err" | head -3)"
		printf '  PgBouncer:  %s\n' "$(printf '%s\n' "$blog" | grep -E 'ERROR|FATAL' | head -3)"
	fi
	# the hostile files say which way they go
	case "$(basename "$f")" in
	bad-*) [ "$bouncer" = refused ] && ok || bad "$f: PgBouncer accepts a bad-* file" ;;
	good-*) [ "$bouncer" = accepted ] && ok || bad "$f: PgBouncer refuses a good-* file: $blog" ;;
	esac
	if [ "$bouncer" = accepted ]; then
		[ "$mine" = accepted ] && compare "$f"
		stop_bouncer
	fi
done
