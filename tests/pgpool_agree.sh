#!/usr/bin/env bash
# connbudget and the real pgpool-II agree on pgpool.conf (docs/poolers.md):
# every file under testdata/poolers/pgpool/ (named good-* or bad-*, the way
# each must go) is run by Debian's pgpool (`pgpool -n`, no daemon), as the
# postgres user when root, on 127.0.0.1 and a random free port, with its
# sockets, pid file and logs in a temporary directory (our settings are
# appended, so they win: pgpool keeps the last of a name). pgpool accepts
# a file when it logs "successfully started" and keeps running; it refuses
# one when it exits (3, FATAL). connbudget must refuse (exit 2) exactly the
# files pgpool refuses, and for the files both accept, report the
# num_init_children and max_pool pgpool shows (`SHOW POOL_STATUS`, when
# psql can reach it without a backend, else the values are not compared).
# Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/pgpool_agree.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

die() { echo "pgpool_agree.sh: $*" >&2; exit 2; }
[ -x "$CB" ] || die "$CB is not built"
command -v pgpool >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v pgpool >/dev/null 2>&1 || die "no pgpool: apt-get install pgpool2"
# pgpool need not run as root: run it as postgres there. setpriv execs, so
# $! of the background server is pgpool itself.
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql package creates it)"
	ASPG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
else
	ASPG=()
fi
chmod 755 "$TMP"
POOL_PID=

stop_pool() {
	[ -n "$POOL_PID" ] || return 0
	stop_pid "$POOL_PID" TERM
	POOL_PID=
}
on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pool
	rm -rf "$TMP"
	finish || [ "$rc" != 0 ] || rc=1
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_pool FILE: start pgpool on FILE; sets $pool (accepted | refused) and
# $plog (its messages); an accepted pgpool is stopped by its PID.
run_pool() {
	local f=$1 run=$TMP/run port pcp
	rm -rf "$run"
	mkdir "$run"
	port=$(free_port)
	pcp=$(free_port)
	{
		cat "$f"
		printf '\n'
		printf "%s\n" "listen_addresses = '127.0.0.1'" "port = $port" "pcp_listen_addresses = ''" \
			"pcp_port = $pcp" "unix_socket_directories = '$run'" "pcp_socket_dir = '$run'" \
			"wd_ipc_socket_dir = '$run'" "pid_file_name = '$run/pgpool.pid'" "logdir = '$run'" \
			"memqcache_oiddir = '$run/oiddir'" "pool_passwd = ''" "enable_pool_hba = off" \
			"search_primary_node_timeout = 1"
	} >"$run/pgpool.conf"
	: >"$run/pcp.conf"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$run"
	(cd "$run" && exec "${ASPG[@]}" timeout 30 pgpool -n -f "$run/pgpool.conf" -F "$run/pcp.conf") \
		>"$run/out" 2>&1 &
	POOL_PID=$!
	pool=
	for _ in $(seq 100); do
		if ! kill -0 "$POOL_PID" 2>/dev/null; then pool=refused; break; fi
		if grep -q 'successfully started' "$run/out" 2>/dev/null; then pool=accepted; break; fi
		sleep 0.1
	done
	[ -n "$pool" ] || pool="silent (no start within 10 s)"
	plog=$(cat "$run/out" 2>/dev/null)
	if [ "$pool" = refused ]; then wait "$POOL_PID" 2>/dev/null; POOL_PID=; else stop_pool; fi
}

for f in testdata/poolers/pgpool/*.conf; do
	printf 'version: 1\ndatabases: { main: { max_connections: 262143 } }\npoolers: { p: { type: pgpool, database: main, config: %s } }\n' \
		"$PWD/$f" >"$TMP/t.yaml"
	run "$CB" report "$TMP/t.yaml" --format json
	case "$err" in *AddressSanitizer*|*"runtime error"*) bad "$f: sanitizer report"; echo "$err" | head -20 ;; esac
	if [ "$rc" = 2 ]; then mine=refused; else mine=accepted; fi
	run_pool "$f"
	if [ "$mine" = "$pool" ]; then ok; else
		bad "$f: connbudget $mine it, pgpool $pool it"
		printf '  connbudget: %s\n' "$(printf '%s' "$err" | head -3)"
		printf '  pgpool:     %s\n' "$(printf '%s\n' "$plog" | grep -E 'FATAL|ERROR' | head -3)"
	fi
	case "$(basename "$f")" in
	bad-*) [ "$pool" = refused ] && ok || bad "$f: pgpool accepts a bad-* file" ;;
	good-*) [ "$pool" = accepted ] && ok || bad "$f: pgpool refuses a good-* file: $(printf '%s\n' "$plog" | grep FATAL)" ;;
	esac
	# an unknown name: pgpool runs on, connbudget warns at the line and exits as without it
	case "$(cat "$f")" in *pool_sise*)
		[ "$mine" = accepted ] && contains "$err" "warning: unknown parameter \"pool_sise\"" "$f: the warning" ;;
	esac
done
