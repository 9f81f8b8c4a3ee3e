#!/usr/bin/env bash
# observe against real servers: a throwaway PostgreSQL cluster and a
# PgBouncer in front of it, both on 127.0.0.1 and random free ports, run as
# the postgres user from a temporary directory. Sessions with known
# application_names are opened with psql, then `connbudget observe` is run
# on testdata/observe/*.yaml and its exit status, gcc lines and JSON
# "observed" figures are checked. Everything started here is stopped and the
# directory removed on every exit path. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/observe.sh
set -u
cd "$(dirname "$0")/.."
CB=${CONNBUDGET:-build/connbudget}
PY=/usr/bin/python3
case "$CB" in /*) ;; *) CB=$PWD/$CB ;; esac
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

die() { echo "observe.sh: $*" >&2; exit 2; }

[ -x "$CB" ] || die "$CB is not built"
PGBIN=
for v in $(ls /usr/lib/postgresql/ 2>/dev/null | sort -n -r); do
	if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then PGBIN=/usr/lib/postgresql/$v/bin; break; fi
done
[ -n "$PGBIN" ] || die "no PostgreSQL server: apt-get install postgresql"
command -v pgbouncer >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v pgbouncer >/dev/null 2>&1 || die "no pgbouncer: apt-get install pgbouncer"
id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql package creates it)"

# Run as the postgres user (the servers refuse to run as root); setpriv
# execs, so $! of a background server is the server itself.
if [ "$(id -u)" = 0 ]; then
	ASPG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
else
	ASPG=()
fi

T=$(mktemp -d /tmp/connbudget-observe.XXXXXX)
chmod 755 "$T"
[ "$(id -u)" = 0 ] && chown postgres: "$T"
PIDS=()            # background psql sessions
PG_PID= BOUNCER_PID= HOLD_PID=

# stop_server PID SIGNAL: signal a server we started, wait up to 5 s, then kill it.
stop_server() {
	kill -"$2" "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	local p
	trap - EXIT INT TERM
	exec 3>&- 2>/dev/null
	for p in "${PIDS[@]}" $HOLD_PID; do kill "$p" 2>/dev/null; done
	# pgbouncer: SIGINT is a safe shutdown; postgres: SIGQUIT an immediate one.
	[ -n "$BOUNCER_PID" ] && stop_server "$BOUNCER_PID" INT
	[ -n "$PG_PID" ] && stop_server "$PG_PID" QUIT
	for p in "${PIDS[@]}" $HOLD_PID; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
	if pgrep -f "$T" >/dev/null 2>&1; then
		echo "FAIL: processes left running:"; pgrep -a -f "$T"
		fail=$((fail + 1))
	fi
}
on_exit() {
	local rc=$?
	cleanup
	echo "$pass passed, $fail failed"
	[ "$rc" = 0 ] && [ "$fail" != 0 ] && rc=1
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

#--- PostgreSQL ---------------------------------------------------------------
PGPORT=$(free_port)
PWFILE=$T/pw
echo 'postgres-secret' >"$PWFILE"
[ "$(id -u)" = 0 ] && chown postgres: "$PWFILE"
"${ASPG[@]}" "$PGBIN/initdb" -D "$T/data" -U postgres -A trust --auth-host=scram-sha-256 \
	--pwfile="$PWFILE" -N -E UTF8 --locale=C >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log"; die "initdb failed"; }
cat >>"$T/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$T'
max_connections = 30
superuser_reserved_connections = 3
idle_in_transaction_session_timeout = '10min'
fsync = off
shared_buffers = 16MB
logging_collector = off
EOF
# Started as our child (not through pg_ctl) so that we reap it.
"${ASPG[@]}" "$PGBIN/postgres" -D "$T/data" >"$T/postgres.log" 2>&1 &
PG_PID=$!
for _ in $(seq 100); do
	"$PGBIN/pg_isready" -q -h "$T" -p "$PGPORT" && break
	kill -0 "$PG_PID" 2>/dev/null || break
	sleep 0.1
done
"$PGBIN/pg_isready" -q -h "$T" -p "$PGPORT" || { cat "$T/postgres.log"; die "postgres did not start"; }

psql_su() { "$PGBIN/psql" -X -q -A -t -h "$T" -p "$PGPORT" -U postgres -d postgres "$@"; }
psql_su -c "CREATE ROLE app LOGIN PASSWORD 'app-secret'" >/dev/null || die "create role app"
psql_su -c "CREATE ROLE cbuser LOGIN PASSWORD 'cbuser-secret'" >/dev/null || die "create role cbuser"
psql_su -c "GRANT pg_monitor TO cbuser" >/dev/null || die "grant pg_monitor"

#--- PgBouncer ----------------------------------------------------------------
BPORT=$(free_port)
cat >"$T/userlist.txt" <<EOF
"app" "app-secret"
"cbadmin" "cbadmin-secret"
EOF
cat >"$T/pgbouncer.ini" <<EOF
[databases]
app = host=$T port=$PGPORT dbname=postgres user=app

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir =
auth_type = md5
auth_file = $T/userlist.txt
admin_users = cbadmin
pool_mode = transaction
default_pool_size = 7
max_client_conn = 100
logfile = $T/pgbouncer.log
pidfile = $T/pgbouncer.pid
EOF
[ "$(id -u)" = 0 ] && chown postgres: "$T/userlist.txt" "$T/pgbouncer.ini"
"${ASPG[@]}" pgbouncer "$T/pgbouncer.ini" >"$T/pgbouncer.out" 2>&1 &
BOUNCER_PID=$!
admin() { PGPASSWORD=cbadmin-secret "$PGBIN/psql" -X -q -A -t -F ' ' -h 127.0.0.1 -p "$BPORT" -U cbadmin -d pgbouncer "$@"; }
for _ in $(seq 100); do
	admin -c 'SHOW VERSION' >/dev/null 2>&1 && break
	kill -0 "$BOUNCER_PID" 2>/dev/null || break
	sleep 0.1
done
admin -c 'SHOW VERSION' >/dev/null 2>&1 || { cat "$T/pgbouncer.out" "$T/pgbouncer.log"; die "pgbouncer did not start"; }

#--- sessions with known application_names -------------------------------------
# A psql session as a client of PostgreSQL (superuser, Unix socket) or of
# PgBouncer (app), started in the background: the functions exec, so $! is
# psql itself and cleanup's kill reaches it. Never call them in the foreground.
direct()  { PGAPPNAME=$1 exec "$PGBIN/psql" -X -q -h "$T" -p "$PGPORT" -U postgres -d postgres "${@:2}"; }
pooled()  { PGAPPNAME=$1 PGPASSWORD=app-secret exec "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$BPORT" -U app -d app "${@:2}"; }
SLEEP="SELECT pg_sleep(100)"   # longer than the whole test; killed at the end

# live_count SQL-CONDITION: client backends matching it.
live_count() {
	psql_su -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND ($1)"
}
# wait_for WHAT COMMAND...: until COMMAND succeeds (10 s at most).
wait_for() {
	local what=$1
	shift
	for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
	die "timed out waiting for $what"
}
has_sessions() { [ "$(live_count "$1")" = "$2" ]; }
waiting_clients() { [ "$(admin -c 'SHOW POOLS' | awk '$1 == "app" { print $4 }')" = "$1" ]; }

for _ in 1 2; do direct api -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!); done
direct reports -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!)
for _ in $(seq 7); do pooled worker -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!); done
# One session idle in transaction: psql reads from a fifo we keep open.
mkfifo "$T/batch.fifo"
direct batch <"$T/batch.fifo" >/dev/null 2>&1 & PIDS+=($!)
exec 3>"$T/batch.fifo"
echo 'BEGIN; SELECT 1;' >&3
wait_for "11 sessions" has_sessions "application_name IN ('api', 'reports', 'worker', 'batch')" 11
wait_for "batch idle in transaction" has_sessions "application_name = 'batch' AND state = 'idle in transaction'" 1
sleep 1.2   # so that batch has been idle in transaction for more than 1s

#--- running observe -------------------------------------------------------------
DSN="host=127.0.0.1 port=$PGPORT dbname=postgres user=cbuser password=cbuser-secret"
BOUNCER="postgresql://cbadmin:cbadmin-secret@127.0.0.1:$BPORT/pgbouncer"

# run CMD...: sets $out, $err, $rc and $secs (wall time, whole seconds)
run() {
	local t0=$SECONDS
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	secs=$((SECONDS - t0))
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}
expect_rc() { if [ "$rc" = "$1" ]; then ok; else bad "$2: exit $rc, want $1"; printf '%s\n' "$err" | head -5; fi; }
contains() { case "$1" in *"$2"*) ok ;; *) bad "$3: missing \"$2\""; printf '%s\n' "$1" | head -20 ;; esac; }
lacks()    { case "$1" in *"$2"*) bad "$3: unexpected \"$2\""; printf '%s\n' "$1" | head -20 ;; *) ok ;; esac; }
# same ACTUAL EXPECTED WHAT: exact comparison (the gcc lines of a case).
same() {
	if [ "$1" = "$2" ]; then ok; else
		bad "$3"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/    /'
	fi
}
# json_get EXPR: evaluate a Python expression over the JSON in $out (as j).
json_get() { printf '%s' "$out" | $PY -c "import json, sys; j = json.load(sys.stdin); print($1)"; }
json_is() {
	local got
	got=$(json_get "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok; else bad "$3: $1 is $got, want $2"; fi
}
observe() { run "$CB" observe --format gcc --dsn "$DSN" "$@"; }
D=testdata/observe

# The topology as deployed: nothing fires (idle sessions are younger than 10min).
observe $D/clean.yaml --pgbouncer "$BOUNCER" --idle-threshold 10min
expect_rc 0 "clean"
same "$out" "" "clean: no finding"

# CB101: every drifted setting, at the node that says otherwise, or the object's key.
observe $D/drift.yaml --pgbouncer "$BOUNCER" --idle-threshold 10min
expect_rc 1 "CB101 drift (an error)"
same "$out" "$D/drift.yaml:8:22: error: live max_connections 30 on database 'main' differs from the topology's 40 [CB101 live-setting-drift]
$D/drift.yaml:11:44: error: live idle_in_transaction_session_timeout 10min on database 'main' differs from the topology's 5min [CB101 live-setting-drift]
$D/drift.yaml:13:3: error: live pool_mode 'transaction' on pgbouncer 'bouncer' differs from the topology's 'session' (PgBouncer's default) [CB101 live-setting-drift]
$D/drift.yaml:16:24: error: live default_pool_size 7 on pgbouncer 'bouncer' differs from the topology's 10 [CB101 live-setting-drift]" "CB101 lines"
# Without --pgbouncer only the database is compared.
observe $D/drift.yaml --idle-threshold 10min
lacks "$out" "pgbouncer" "CB101 without --pgbouncer"
contains "$out" "live max_connections 30" "CB101 without --pgbouncer"
# Levels and suppression apply as to every rule.
observe $D/drift.yaml --idle-threshold 10min --severity CB101=warning
expect_rc 0 "--severity CB101=warning"
contains "$out" "warning: live max_connections" "--severity CB101=warning"
observe $D/drift.yaml --idle-threshold 10min --disable live-setting-drift
expect_rc 0 "--disable live-setting-drift"
same "$out" "" "--disable live-setting-drift"

# CB102: 'reports' and 'worker' are not declared in undeclared.yaml (a warning).
observe $D/undeclared.yaml --idle-threshold 10min
expect_rc 0 "CB102 (a warning)"
same "$out" "$D/undeclared.yaml:6:3: warning: 1 live connection with application_name 'reports' on database 'main' matches no client of the topology [CB102 undeclared-connections]
$D/undeclared.yaml:6:3: warning: 7 live connections with application_name 'worker' on database 'main' match no client of the topology [CB102 undeclared-connections]" "CB102 lines"
observe $D/undeclared.yaml --idle-threshold 10min --fail-on warning
expect_rc 1 "CB102 --fail-on warning"

# CB103: api holds 2 (declared 1), worker 7 (declared 5).
observe $D/overpeak.yaml --idle-threshold 10min
expect_rc 1 "CB103 (an error)"
same "$out" "$D/overpeak.yaml:19:3: error: client 'api' holds 2 live connections on database 'main', above its declared peak 1 [CB103 above-declared-peak]
$D/overpeak.yaml:27:3: error: client 'worker' holds 7 live connections on database 'main', above its declared peak 5 [CB103 above-declared-peak]" "CB103 lines"

# CB104: batch has been idle in transaction for more than 1s, not 10min.
observe $D/clean.yaml --idle-threshold 1s
expect_rc 0 "CB104 (a warning)"
case "$out" in
"$D/clean.yaml:7:3: warning: 1 session of client 'batch' idle in transaction on database 'main' for longer than 1s (oldest "*"s) [CB104 idle-in-transaction]") ok ;;
*) bad "CB104 line: $out" ;;
esac
observe $D/clean.yaml
same "$out" "" "CB104 not before the default 5min"

# --database: required when the topology has several.
observe $D/two-databases.yaml --idle-threshold 10min
expect_rc 2 "two databases without --database"
contains "$err" "--database" "two databases without --database"
observe $D/two-databases.yaml --idle-threshold 10min --database main
expect_rc 0 "--database main"
same "$out" "" "--database main"
observe $D/two-databases.yaml --idle-threshold 10min --database nope
expect_rc 2 "--database nope"
contains "$err" "no database 'nope'" "--database nope"

# JSON: the report plus "observed".
run "$CB" observe --format json --dsn "$DSN" --pgbouncer "$BOUNCER" --idle-threshold 1s $D/clean.yaml
expect_rc 0 "json"
json_is 'j["observed"]["max_connections"]' 30 "json max_connections"
json_is 'j["observed"]["superuser_reserved_connections"]' 3 "json superuser_reserved_connections"
json_is 'j["observed"]["connections"]["total"]' 11 "json total"
json_is 'sorted(j["observed"]["connections"]["by_application"].items())' \
	"[('api', 2), ('batch', 1), ('reports', 1), ('worker', 7)]" "json by_application"
json_is 'sorted(j["observed"]["connections"]["by_state"].items())' \
	"[('active', 10), ('idle in transaction', 1)]" "json by_state"
json_is 'j["observed"]["connections"]["idle_in_transaction"]["over_threshold"]' 1 "json idle over threshold"
json_is '[(p["database"], p["cl_active"], p["cl_waiting"], p["sv_active"]) for p in j["observed"]["pgbouncer"]["pools"]]' \
	"[('app', 7, 0, 7)]" "json pools"
json_is 'j["observed"]["pgbouncer"]["config"]["default_pool_size"]' 7 "json pgbouncer config"
json_is '[f["rule"] for f in j["findings"]]' "['CB104']" "json findings"
json_is 'j["command"]' observe "json command"

# A role without pg_monitor sees other users' sessions without their state.
run "$CB" observe --format json --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret" $D/clean.yaml
expect_rc 0 "unprivileged role"
contains "$err" "may not see the state of 4 sessions" "unprivileged role: warning"
json_is 'j["observed"]["connections"]["total"]' 11 "unprivileged role: total"
json_is 'sorted(j["observed"]["connections"]["by_state"].items())' \
	"[('active', 7), ('unknown', 4)]" "unprivileged role: by_state"
json_is 'j["observed"]["connections"]["lower_bound"]' True "unprivileged role: lower_bound"
json_is 'j["observed"]["connections"]["idle_in_transaction"]["oldest_ms"]' None "unprivileged role: no idle state seen is null, not 0"
json_is '"lower bounds" in j["observed"]["notes"][0]' True "unprivileged role: the note in JSON"
# Every format says so, once, in its own way.
for fmt in text gcc github sarif junit markdown; do
	run "$CB" observe --format "$fmt" --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret" $D/clean.yaml
	contains "$out" "may not see the state and owner of 4 of 11 sessions" "unprivileged role: --format $fmt says so"
	contains "$out" "per-client figures (CB103) are lower bounds" "unprivileged role: --format $fmt lower bounds"
done
run "$CB" observe --format github --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret" $D/clean.yaml
contains "$out" "::notice title=connbudget::the role of --dsn" "github notice"
run "$CB" observe --format sarif --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret" $D/clean.yaml
printf '%s' "$out" >"$T/hidden.sarif"
$PY tests/validate.py sarif "$T/hidden.sarif" && ok || bad "SARIF with a tool notification does not validate"
run "$CB" observe --format junit --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret" $D/clean.yaml
printf '%s' "$out" >"$T/hidden.xml"
$PY tests/validate.py junit "$T/hidden.xml" && ok || bad "JUnit with system-out does not validate"
run "$CB" observe --format json --dsn "$DSN" $D/clean.yaml --idle-threshold 10min
json_is 'j["observed"]["connections"]["lower_bound"]' False "pg_monitor: not a lower bound"
json_is '"notes" in j["observed"]' False "pg_monitor: no note"
# The JSON report of observe validates against schemas/report.schema.json.
for dsn in "$DSN" "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret"; do
	run "$CB" observe --format json --dsn "$dsn" --pgbouncer "$BOUNCER" $D/clean.yaml
	printf '%s' "$out" >"$T/observed.json"
	$PY tests/validate.py report "$T/observed.json" && ok || bad "observe's JSON does not validate"
done

#--- more load: CB105 and CB106 --------------------------------------------------
pooled worker -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!)
wait_for "a waiting pgbouncer client" waiting_clients 1
for _ in $(seq 14); do direct load-filler -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!); done
wait_for "25 sessions" has_sessions "true" 25
observe $D/clean.yaml --pgbouncer "$BOUNCER" --idle-threshold 10min
expect_rc 0 "CB105, CB106 (warnings)"
same "$out" "$D/clean.yaml:7:3: warning: 25 live connections on database 'main' are 83% of max_connections 30 (above 80%) [CB106 live-utilization]
$D/clean.yaml:14:3: warning: 1 client waiting in pool 'app/app' of pgbouncer 'bouncer' (cl_active 7, sv_active 7, sv_idle 0) [CB105 clients-waiting]" "CB105, CB106 lines"
# Every format carries them.
for fmt in text json sarif github junit; do
	run "$CB" observe --format "$fmt" --dsn "$DSN" --pgbouncer "$BOUNCER" $D/clean.yaml
	expect_rc 0 "--format $fmt"
	contains "$out" "CB105" "--format $fmt"
	contains "$out" "CB106" "--format $fmt"
done
run "$CB" observe --format json --dsn "$DSN" --pgbouncer "$BOUNCER" $D/clean.yaml
json_is '[p["cl_waiting"] for p in j["observed"]["pgbouncer"]["pools"]]' "[1]" "json cl_waiting"
json_is '[(f["rule"], f["line"], f["object"]) for f in j["findings"]]' \
	"[('CB106', 7, 'databases.main'), ('CB105', 14, 'poolers.bouncer')]" "json finding positions"

#--- failures: exit 2, libpq's message, no password, no hang ---------------------
CLOSED=$(free_port)
run "$CB" observe $D/clean.yaml --dsn "postgresql://cbuser:Sesame-42@127.0.0.1:$CLOSED/postgres?connect_timeout=2"
expect_rc 2 "unreachable"
contains "$err" "cannot connect to PostgreSQL at 'postgresql://cbuser:***@127.0.0.1:$CLOSED/postgres?connect_timeout=2'" "unreachable: masked DSN"
contains "$err" "Connection refused" "unreachable: libpq's message"
lacks "$out$err" "Sesame-42" "unreachable: no password"
[ "$secs" -le 3 ] && ok || bad "unreachable took ${secs}s"

#--- faults: every wait ends at the deadline -------------------------------------
# tests/fakepg.py MODE: a loopback server that never answers the TCP
# connection (mute), logs in and never answers a query (silent), or answers
# the first query with a FATAL and closes (fatal).
fake() { # fake MODE → $FAKE_PORT, $FAKE_LOG; the server's pid joins PIDS
	FAKE_LOG=$T/fake.$1.$RANDOM.log
	: >"$FAKE_LOG"
	$PY tests/fakepg.py "$1" "$FAKE_LOG" >"$FAKE_LOG.port" &
	PIDS+=($!)
	wait_for "fakepg $1" test -s "$FAKE_LOG.port"
	FAKE_PORT=$(head -1 "$FAKE_LOG.port")
}
fake mute
run "$CB" observe $D/clean.yaml --timeout 2s --dsn "host=127.0.0.1 port=$FAKE_PORT user=cbuser password=Sesame-42"
expect_rc 2 "mute server"
contains "$err" "no connection within 2s (--timeout)" "mute server: what it waited for"
lacks "$out$err" "Sesame-42" "mute server: no password"
[ "$secs" -ge 1 ] && [ "$secs" -le 3 ] && ok || bad "mute server took ${secs}s, want about 2"
# connect_timeout bounds the whole attempt across hosts, not each host.
MUTE=$FAKE_PORT
run "$CB" observe $D/clean.yaml --dsn "host=127.0.0.1,127.0.0.1,127.0.0.1 port=$MUTE,$MUTE,$MUTE user=cbuser connect_timeout=2"
expect_rc 2 "three mute hosts"
contains "$err" "no connection within 2s (connect_timeout)" "three mute hosts: connect_timeout named"
[ "$secs" -le 3 ] && ok || bad "three mute hosts with connect_timeout=2 took ${secs}s, want about 2 (not 6)"
run "$CB" observe $D/clean.yaml --timeout 2s --dsn "host=127.0.0.1 port=$MUTE user=cbuser connect_timeout=0"
expect_rc 2 "connect_timeout=0"
[ "$secs" -le 3 ] && ok || bad "connect_timeout=0 took ${secs}s: the deadline must still hold"

fake silent
run "$CB" observe $D/clean.yaml --timeout 2s --dsn "host=127.0.0.1 port=$FAKE_PORT user=cbuser"
expect_rc 2 "silent server"
contains "$err" "no answer within 2s (--timeout); the query was cancelled" "silent server: what it waited for"
[ "$secs" -le 4 ] && ok || bad "silent server took ${secs}s"
contains "$(cat "$FAKE_LOG")" "cancel" "silent server: a cancel request was sent"
# The PgBouncer console has no statement_timeout: the deadline alone ends it.
run "$CB" observe $D/clean.yaml --timeout 3s --dsn "$DSN" --pgbouncer "host=127.0.0.1 port=$FAKE_PORT user=cbadmin"
expect_rc 2 "silent console"
contains "$err" "reading SHOW CONFIG: no answer within 3s (--timeout)" "silent console"
[ "$secs" -le 5 ] && ok || bad "silent console took ${secs}s"

fake fatal
run "$CB" observe $D/clean.yaml --timeout 3s --dsn "host=127.0.0.1 port=$FAKE_PORT user=cbuser"
expect_rc 2 "FATAL from the server"
contains "$err" "terminating connection due to administrator command" "FATAL: the server's reason is shown"

# A real lock: pg_settings held in ACCESS EXCLUSIVE mode. The server's
# lock_timeout, set just inside the deadline, ends observe's query, and
# no backend is left queued on the lock.
mkfifo "$T/lock.fifo"
direct locker <"$T/lock.fifo" >/dev/null 2>&1 & PIDS+=($!)
exec 4>"$T/lock.fifo"
echo 'BEGIN; LOCK TABLE pg_catalog.pg_settings IN ACCESS EXCLUSIVE MODE;' >&4
wait_for "the lock" has_sessions "application_name = 'locker' AND state = 'idle in transaction'" 1
run "$CB" observe $D/clean.yaml --timeout 3s --dsn "$DSN"
expect_rc 2 "pg_settings locked"
contains "$err" "reading pg_settings" "locked: what it waited for"
contains "$err" "lock timeout" "locked: the server's reason"
[ "$secs" -le 4 ] && ok || bad "locked pg_settings took ${secs}s, want about 3"
queued() { [ "$(psql_su -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")" = 0 ]; }
wait_for "no backend queued on the lock" queued && ok
# Terminated while it waits: the server's reason, not "closed unexpectedly" alone.
( sleep 1; psql_su -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'connbudget'" >/dev/null ) &
TERM_PID=$!
run "$CB" observe $D/clean.yaml --timeout 8s --dsn "$DSN"
wait "$TERM_PID"
expect_rc 2 "terminated while waiting"
contains "$err" "terminating connection due to administrator command" "terminated: the server's reason"
[ "$secs" -le 4 ] && ok || bad "terminated observe took ${secs}s"
echo 'ROLLBACK;' >&4
exec 4>&-
run "$CB" observe $D/clean.yaml --dsn "$DSN" --idle-threshold 10min
[ "$rc" != 2 ] && ok || bad "observe after the lock is released: exit 2: $err"
run "$CB" observe $D/clean.yaml --dsn "$DSN" --timeout 0s
expect_rc 2 "--timeout 0s"
run "$CB" observe $D/clean.yaml --dsn "$DSN" --timeout soon
expect_rc 2 "bad --timeout"

# Wrong password, in key=value and URI form, and from PGPASSWORD.
run "$CB" observe $D/clean.yaml --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=cbuser password=Wrong-Sesame-42"
expect_rc 2 "wrong password"
contains "$err" 'password authentication failed for user "cbuser"' "wrong password: libpq's message"
contains "$err" "password=***" "wrong password: masked DSN"
lacks "$out$err" "Wrong-Sesame-42" "wrong password: not echoed"
run "$CB" observe $D/clean.yaml --dsn "postgresql://cbuser:Wrong-Sesame-42@127.0.0.1:$PGPORT/postgres"
expect_rc 2 "wrong password (URI)"
lacks "$out$err" "Wrong-Sesame-42" "wrong password (URI): not echoed"
run env PGPASSWORD=Wrong-Sesame-42 "$CB" observe $D/clean.yaml --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=cbuser"
expect_rc 2 "wrong PGPASSWORD"
contains "$err" "password authentication failed" "wrong PGPASSWORD"
lacks "$out$err" "Wrong-Sesame-42" "wrong PGPASSWORD: not echoed"
run "$CB" observe $D/clean.yaml --dsn "$DSN" --pgbouncer "postgresql://cbadmin:Wrong-Sesame-42@127.0.0.1:$BPORT/pgbouncer"
expect_rc 2 "wrong PgBouncer password"
contains "$err" "cannot connect to PgBouncer" "wrong PgBouncer password"
lacks "$out$err" "Wrong-Sesame-42" "wrong PgBouncer password: not echoed"

# Usage errors and a missing libpq.
run "$CB" observe $D/clean.yaml
expect_rc 2 "no --dsn"
run "$CB" observe $D/clean.yaml --dsn "$DSN" --idle-threshold soon
expect_rc 2 "bad --idle-threshold"
run "$CB" observe $D/clean.yaml --dsn "host=127.0.0.1 port=$PGPORT password=Sesame-42 bogus=1"
expect_rc 2 "bad conninfo"
contains "$err" 'invalid connection option "bogus"' "bad conninfo: libpq's message"
lacks "$out$err" "Sesame-42" "bad conninfo: no password"
run env CONNBUDGET_LIBPQ=/nonexistent/libpq.so.5 "$CB" observe $D/clean.yaml --dsn "$DSN"
expect_rc 2 "missing libpq"
contains "$err" "observe needs libpq (Debian package libpq5)" "missing libpq"
run "$CB" check $D/clean.yaml
expect_rc 0 "check needs no libpq"

#--- names as the server stores them, and parallel workers -------------------------
# Room for the sessions below: the load fillers go.
psql_su -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'load-filler'" >/dev/null
wait_for "the fillers gone" has_sessions "application_name = 'load-filler'" 0
LONG=$(printf 'x%.0s' $(seq 60))-longer         # 67 bytes: stored as its first 63
for _ in 1 2 3; do direct "$LONG" -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!); done
for _ in 1 2 3; do direct café -c "$SLEEP" >/dev/null 2>&1 & PIDS+=($!); done
wait_for "6 named sessions" has_sessions "application_name IN ('${LONG:0:63}', 'caf??')" 6
run "$CB" observe $D/names.yaml --dsn "$DSN" --format gcc
contains "$out" "client '$LONG' (application_name '${LONG:0:63}' as the server stores it) holds 3 live connections on database 'main', above its declared peak 1 [CB103" "a 67-byte name: CB103"
contains "$out" "client 'cafe' (application_name 'caf??' as the server stores it) holds 3 live connections" "café: CB103"
# One query with parallel workers: they carry the leader's application_name.
psql_su -c "CREATE TABLE big AS SELECT generate_series(1, 1000000) AS g" >/dev/null
direct parallel-lead -c "SET max_parallel_workers_per_gather = 4; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SELECT count(*) FROM big WHERE pg_sleep(0.0001) IS NOT NULL" >/dev/null 2>&1 & PIDS+=($!)
workers() { [ "$(psql_su -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker' AND application_name = 'parallel-lead'")" -ge 2 ]; }
wait_for "parallel workers" workers
run "$CB" observe $D/names.yaml --dsn "$DSN" --format gcc
lacks "$out" "'lead'" "parallel workers with pg_monitor: no CB103"
run "$CB" observe $D/names.yaml --dsn "host=127.0.0.1 port=$PGPORT dbname=postgres user=app password=app-secret" --format gcc
lacks "$out" "'lead'" "parallel workers without pg_monitor: no CB103"
lacks "$out" "[CB103" "without pg_monitor: no CB103 from sessions whose owner is hidden"
contains "$err" "may not see" "without pg_monitor: said so"

#--- a smart shutdown, last: the server refuses new sessions -----------------------
kill -TERM "$PG_PID"
sleep 0.5
run "$CB" observe $D/clean.yaml --timeout 3s --dsn "$DSN"
expect_rc 2 "smart shutdown"
contains "$err" "shutting down" "smart shutdown: the server's reason"
[ "$secs" -le 4 ] && ok || bad "smart shutdown took ${secs}s"
