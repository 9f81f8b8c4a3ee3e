# tests/lib.sh - what every CLI test script shares: counting, running a
# command, and the usual assertions. Source it after `cd` to the repository
# root; it sets CB (absolute), PY, TMP (removed on exit) and the counters.
# finish prints the closing "N passed, N failed" line and sets the status.

CB=${CONNBUDGET:-build/connbudget}
case "$CB" in /*) ;; *) CB=$PWD/$CB ;; esac
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }

# run CMD...: sets $out, $err, $rc
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# expect_rc N DESCRIPTION CMD...: the exit status, and no sanitizer report
expect_rc() {
	local want=$1 what=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then ok; else bad "$what: exit $rc, want $want"; echo "$err" | head -5; fi
	case "$err" in *AddressSanitizer*|*"runtime error"*) bad "$what: sanitizer report"; echo "$err" | head -20 ;; esac
}

# contains HAYSTACK NEEDLE DESCRIPTION / lacks HAYSTACK NEEDLE DESCRIPTION
contains() {
	case "$1" in *"$2"*) ok ;; *) bad "$3: missing \"$2\""; printf '%s\n' "$1" | head -30 ;; esac
}
lacks() {
	case "$1" in *"$2"*) bad "$3: unexpected \"$2\"" ;; *) ok ;; esac
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on just now
free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop_pid PID SIGNAL: send SIGNAL to a server this script started, wait up
# to 5 s for it to end, then KILL it and reap it
stop_pid() {
	kill -"$2" "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# diff_repo DIR [CMD...]: a git repository in DIR (made the working
# directory) with two commits of infra/connbudget.yaml: testdata/diff/one.yaml
# (the API on one server), then two.yaml (replicas 1 -> 3 and a job worker).
# CMD, when given, runs between the two commits. Sets BASE to the first.
diff_repo() {
	local root=$PWD dir=$1
	shift
	mkdir -p "$dir/infra"
	cd "$dir" || exit 2
	git init -q -b master
	cp "$root/testdata/diff/one.yaml" infra/connbudget.yaml
	git add -A && git commit -qm one
	BASE=$(git rev-parse HEAD)
	[ $# -gt 0 ] && "$@"
	cp "$root/testdata/diff/two.yaml" infra/connbudget.yaml
	git commit -qam two
}

# client_keys KEY...: those keys of each client of check's JSON in $out, a line each
client_keys() {
	printf '%s' "$out" | $PY -c 'import json,sys
for c in json.load(sys.stdin)["clients"]:
    print(*[c[k] for k in sys.argv[1:]])' "$@"
}
# db_figs: "id max_connections capacity" per database of check's JSON in $out
db_figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
for d in json.load(sys.stdin)["databases"]:
    print(d["id"], d["max_connections"], d["capacity"])'
}
# proxy_figs: "id type max_connections_percent cap server-peak" per pooler of check's JSON in $out
proxy_figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
for p in json.load(sys.stdin)["poolers"]:
    print(p["id"], p["type"], p["max_connections_percent"], p["cap"], p["server"]["peak"])'
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
