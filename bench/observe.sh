#!/usr/bin/env bash
# observe at scale (make bench-observe): N distinct live application_names
# (tests/fakepg.py rows:N answers as a healthy server would) against a
# topology that declares them all, in every format. Prints the median wall
# time of 3 runs per format and, beside it, `check` on the same topology,
# so that the ratio is read from one run on one machine.
#
#   CONNBUDGET=build/bench/connbudget bench/observe.sh [N]
set -eu
cd "$(dirname "$0")/.."
CB=${CONNBUDGET:-build/connbudget}
N=${1:-40000}
T=$(mktemp -d)
trap 'kill $FAKE 2>/dev/null; rm -rf "$T"' EXIT
/usr/bin/python3 - "$N" >"$T/names.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("version: 1\ndatabases:\n  main:\n    max_connections: 100000\nclients:")
for i in range(n):
    print("  app-%d:\n    type: tool\n    connects_to: main\n    pool: { size: 1, acquire_timeout: 5s }" % i)
PY
/usr/bin/python3 tests/fakepg.py "rows:$N" "$T/log" >"$T/port" &
FAKE=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
DSN="host=127.0.0.1 port=$(head -1 "$T/port") user=app"
median() { sort -n | sed -n 2p; }
timeit() { # timeit CMD... → seconds of the median of 3 runs
	for _ in 1 2 3; do
		s=$(date +%s.%N); "$@" >/dev/null 2>&1 || [ $? = 1 ]; e=$(date +%s.%N)
		echo "$e - $s" | bc
	done | median
}
echo "observe, $N distinct live names and $N declared clients (each CB104-idle for 1s)"
printf '%-10s %10s %10s\n' format observe check
for fmt in text gcc json sarif github junit markdown; do
	printf '%-10s %9.3fs %9.3fs\n' "$fmt" \
		"$(timeit "$CB" observe "$T/names.yaml" --dsn "$DSN" --idle-threshold 1ms --format "$fmt")" \
		"$(timeit "$CB" check "$T/names.yaml" --format "$fmt")"
done
