#!/usr/bin/env bash
# connbudget alerts against the real tools: promtool (Debian's prometheus
# package) checks every rules file the testdata gives and tests each alert
# firing and not firing (tests/alerts/*.test.yaml, thresholds worked by
# hand); a real PostgreSQL and Debian's postgres_exporter, both on
# 127.0.0.1 and random ports, show that every metric and label the rules
# read exists. Everything started here is stopped by its PID on every exit
# path. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/alerts.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

die() { echo "alerts.sh: $*" >&2; exit 2; }
command -v promtool >/dev/null 2>&1 || die "no promtool: apt-get install prometheus"
EXPORTER=$(command -v prometheus-postgres-exporter) || die "no postgres_exporter: apt-get install prometheus-postgres-exporter"

# promtool test rules FILE.test.yaml with the rules connbudget writes for ARGS, as rules.yaml beside it.
promtool_test() {
	local test=$1 d
	shift
	d=$(mktemp -d "$TMP/t.XXXXXX")
	"$CB" alerts "$@" >"$d/rules.yaml" 2>"$d/err"
	cp "tests/alerts/$test" "$d/"
	if promtool test rules "$d/$test" >"$d/out" 2>&1; then ok; else bad "promtool test rules $test"; cat "$d/out"; fi
}

#--- each alert fires when it should, and only then --------------------------
promtool_test fixed.test.yaml testdata/examples/fixed.yaml
promtool_test two-databases.test.yaml testdata/alerts/two-databases.yaml \
	--selector 'analytics=instance="pg-analytics:9187"' --idle-threshold 90s

#--- every topology of testdata: a rules file promtool accepts ---------------
# alerts exits as check does (the rules are written either way) and 2 where
# the file cannot be loaded.
n=0
for f in $(find testdata -name '*.yaml' -not -path 'testdata/invalid*' | sort); do
	"$CB" check --format gcc "$f" >/dev/null 2>&1
	want=$?
	"$CB" alerts "$f" >"$TMP/rules.yaml" 2>"$TMP/err"
	got=$?
	[ "$got" = "$want" ] && ok || bad "alerts $f: exit $got, check exits $want"
	[ "$want" = 2 ] && continue
	if promtool check rules "$TMP/rules.yaml" >"$TMP/pc" 2>&1; then ok; else bad "promtool check rules: alerts $f"; cat "$TMP/pc"; fi
	"$CB" alerts --kubernetes "$f" >"$TMP/k8s.yaml" 2>/dev/null
	if $PY - "$TMP/k8s.yaml" "$TMP/spec.yaml" <<'EOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["apiVersion"] == "monitoring.coreos.com/v1" and d["kind"] == "PrometheusRule", d
assert d["metadata"]["name"].startswith("connbudget"), d["metadata"]
yaml.safe_dump(d["spec"], open(sys.argv[2], "w"))
EOF
	then ok; else bad "alerts --kubernetes $f is no PrometheusRule"; fi
	if promtool check rules "$TMP/spec.yaml" >"$TMP/pc" 2>&1; then ok; else bad "promtool check rules: the spec of alerts --kubernetes $f"; cat "$TMP/pc"; fi
	n=$((n + 1))
done
[ "$n" -ge 20 ] && ok || bad "only $n topologies were turned into rules"

#--- strings from the topology cannot break out ------------------------------
# An application_name and an environment with quotes, backslashes, a
# newline, a bidi override and template braces: promtool still accepts the
# file, and the alert's labels, once Prometheus expands them, are the
# strings as the topology wrote them.
mkdir -p "$TMP/h"
cat >"$TMP/h/topo.yaml" <<'EOF'
version: 1
environment: "prod\"} or vector(1) #\n{{ .Labels }}\u202e"
databases:
  main: { max_connections: 100, host: "db\"x", settings: { idle_in_transaction_session_timeout: 1min } }
clients:
  evil:
    type: tool
    connects_to: main
    application_name: "a\"b\\c\n{{ $value }}} ]"
    pool: { size: 2, acquire_timeout: 1s }
EOF
"$CB" alerts "$TMP/h/topo.yaml" >"$TMP/h/rules.yaml" 2>"$TMP/h/err"
[ $? = 0 ] && ok || bad "alerts on hostile strings: exit $?"
if promtool check rules "$TMP/h/rules.yaml" >"$TMP/pc" 2>&1; then ok; else bad "promtool check rules: hostile strings"; cat "$TMP/pc"; fi
$PY - "$TMP/h/topo.yaml" "$TMP/h/t.test.yaml" <<'EOF'
import sys, yaml
topo = yaml.safe_load(open(sys.argv[1]))
env = topo["environment"]
app = topo["clients"]["evil"]["application_name"]
server = 'db"x:5432'
def promql(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
sel = 'server="%s",application_name="%s"' % (promql(server), promql(app))
test = {
    "rule_files": ["rules.yaml"],
    "evaluation_interval": "1m",
    "tests": [{
        "interval": "1m",
        "input_series": [{"series": "connbudget_application_connections{%s}" % sel, "values": "3x9"}],
        "alert_rule_test": [{
            "eval_time": "6m",
            "alertname": "ConnbudgetClientAboveDeclaredPeak",
            "exp_alerts": [{
                "exp_labels": {"severity": "warning", "server": server, "connbudget_database": "main",
                               "connbudget_client": "evil", "application_name": app, "environment": env},
                "exp_annotations": {
                    "summary": "client 'evil' holds 3 connections on database 'main', above its declared peak 2",
                    "description": "more sessions than the topology declares: a pool larger than declared, more replicas or processes, or a connection leak; the budget no longer holds",
                    "connbudget_object": "clients.evil",
                    "connbudget_source": sys.argv[1] + ":6"},
            }],
        }],
    }],
}
yaml.safe_dump(test, open(sys.argv[2], "w"), allow_unicode=True)
EOF
if promtool test rules "$TMP/h/t.test.yaml" >"$TMP/pt" 2>&1; then ok; else bad "hostile strings do not survive as written"; cat "$TMP/pt"; fi
grep -q $'\xe2\x80\xae' "$TMP/h/rules.yaml" && bad "a raw bidi override reached the rules file" || ok

# docs/alerts.md shows the fixed architecture's rules as they are written
"$CB" alerts testdata/examples/fixed.yaml >"$TMP/fixed.rules" 2>/dev/null
awk '/^```yaml$/ { on = 1; next } /^```$/ { on = 0 } on' docs/alerts.md >"$TMP/doc.rules"
cmp -s "$TMP/fixed.rules" "$TMP/doc.rules" && ok || bad "docs/alerts.md: the fixed architecture's rules are stale"

#--- the command line ---------------------------------------------------------
expect_rc 0 "alerts --exporter-queries" "$CB" alerts --exporter-queries
contains "$out" "connbudget_application:" "the query file names its namespace"
expect_rc 2 "alerts --format json" "$CB" alerts --format json testdata/examples/fixed.yaml
contains "$err" "prometheus only" "alerts refuses other formats"
expect_rc 0 "alerts --format prometheus" "$CB" alerts --format prometheus testdata/examples/fixed.yaml
expect_rc 0 "CONNBUDGET_FORMAT does not apply to alerts" env CONNBUDGET_FORMAT=json "$CB" alerts testdata/examples/fixed.yaml
contains "$out" "groups:" "CONNBUDGET_FORMAT=json still writes rules"
expect_rc 2 "check --format prometheus" "$CB" check --format prometheus testdata/examples/fixed.yaml
contains "$err" "connbudget alerts" "check --format prometheus says who writes it"
expect_rc 2 "two FILEs" "$CB" alerts testdata/examples/fixed.yaml testdata/examples/connbudget.yaml
expect_rc 2 "--selector unknown id" "$CB" alerts --selector 'nope=job="x"' testdata/examples/fixed.yaml
contains "$err" "'nope', which is no database or pooler" "--selector names an unknown object"
for s in 'main=job=x' 'main=' 'job="a"}) or vector(1' '=job="a"' 'main=job="a",' 'main=1a="b"'; do
	expect_rc 2 "--selector '$s'" "$CB" alerts --selector "$s" testdata/examples/fixed.yaml
done
expect_rc 0 "--selector for every database" "$CB" alerts --selector 'job="postgres"' testdata/examples/fixed.yaml
contains "$out" 'pg_stat_activity_count{job=\"postgres\"}' "a selector without id applies to the databases"
lacks "$out" 'pgbouncer_pools_client_waiting_connections{job=' "a selector without id leaves the poolers alone"
expect_rc 0 "--selector for a pooler" "$CB" alerts --selector 'bouncer=job="pgbouncer"' testdata/examples/fixed.yaml
contains "$out" 'pgbouncer_pools_client_waiting_connections{job=\"pgbouncer\",database!=\"pgbouncer\"}' "the pooler's selector"
expect_rc 2 "--idle-threshold bad" "$CB" alerts --idle-threshold soon testdata/examples/fixed.yaml
expect_rc 2 "missing file" "$CB" alerts testdata/nope.yaml
contains "$err" "testdata/nope.yaml:1:1: error:" "a missing file is positioned"
expect_rc 2 "invalid topology" "$CB" alerts testdata/invalid/duplicate-key.yaml
cp testdata/examples/fixed.yaml "$TMP/fixed.yaml"
echo keep >"$TMP/out.yaml"
expect_rc 2 "-o refuses to overwrite" "$CB" alerts -o "$TMP/out.yaml" "$TMP/fixed.yaml"
[ "$(cat "$TMP/out.yaml")" = keep ] && ok || bad "-o changed an existing file"
expect_rc 0 "-o --force" "$CB" alerts -o "$TMP/out.yaml" --force "$TMP/fixed.yaml"
grep -q "^groups:" "$TMP/out.yaml" && ok || bad "-o --force wrote no rules"
mkdir -p "$TMP/repo/.git" "$TMP/repo/sub"
cp testdata/examples/fixed.yaml "$TMP/repo/connbudget.yaml"
(cd "$TMP/repo/sub" && "$CB" alerts >"$TMP/disc" 2>&1) && ok || bad "alerts finds connbudget.yaml in a parent"
grep -q '"\.\./connbudget\.yaml:31"' "$TMP/disc" && ok || bad "a discovered file is cited relative to the working directory"
# a password in a client's url never reaches the rules
sed 's#url: postgresql://app@#url: postgresql://app:hunter2-secret@#' testdata/examples/fixed.yaml >"$TMP/pw.yaml"
"$CB" alerts "$TMP/pw.yaml" >"$TMP/pw.rules" 2>&1
grep -q "hunter2" "$TMP/pw.rules" && bad "alerts printed a password" || ok

#--- the real exporter exports what the rules read ----------------------------
PGBIN=
for v in $(ls /usr/lib/postgresql/ 2>/dev/null | sort -n -r); do
	[ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { PGBIN=/usr/lib/postgresql/$v/bin; break; }
done
[ -n "$PGBIN" ] || die "no PostgreSQL server: apt-get install postgresql"
if [ "$(id -u)" = 0 ]; then ASPG=(setpriv --reuid=postgres --regid=postgres --init-groups --); else ASPG=(); fi
S=$(mktemp -d /tmp/connbudget-alerts.XXXXXX)
chmod 755 "$S"
[ "$(id -u)" = 0 ] && chown postgres: "$S"
PG_PID= EX_PID= HOLD=()
stop() {
	kill -"$2" "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	local p
	for p in "${HOLD[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$EX_PID" ] && stop "$EX_PID" TERM
	[ -n "$PG_PID" ] && stop "$PG_PID" QUIT
	rm -rf "$S" "$TMP"
}
trap cleanup EXIT
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

PGPORT=$(free_port)
"${ASPG[@]}" "$PGBIN/initdb" -D "$S/data" -U postgres -A trust -N -E UTF8 --locale=C >"$S/initdb.log" 2>&1 ||
	{ cat "$S/initdb.log"; die "initdb failed"; }
cat >>"$S/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$S'
fsync = off
shared_buffers = 16MB
EOF
"${ASPG[@]}" "$PGBIN/postgres" -D "$S/data" >"$S/postgres.log" 2>&1 &
PG_PID=$!
for _ in $(seq 100); do "$PGBIN/pg_isready" -q -h "$S" -p "$PGPORT" && break; sleep 0.1; done
"$PGBIN/pg_isready" -q -h "$S" -p "$PGPORT" || { cat "$S/postgres.log"; die "postgres did not start"; }
# three sessions named jobs, one idle in transaction
for i in 1 2 3; do
	PGAPPNAME=jobs "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
		-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
	HOLD+=($!)
done
"$CB" alerts --exporter-queries >"$S/queries.yaml"
EXPORT=$(free_port)
DATA_SOURCE_NAME="host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres sslmode=disable" \
	"$EXPORTER" --web.listen-address="127.0.0.1:$EXPORT" --extend.query-path="$S/queries.yaml" \
	>"$S/exporter.log" 2>&1 &
EX_PID=$!
scrape() { $PY - "$EXPORT" <<'EOF'
import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())
EOF
}
for _ in $(seq 50); do
	scrape >"$S/metrics" 2>/dev/null && grep -q 'application_name="jobs".* 3$' "$S/metrics" && break
	sleep 0.2
done
grep -q '^pg_up 1' "$S/metrics" && ok || { bad "postgres_exporter did not reach the server"; tail -5 "$S/exporter.log"; }
grep -q "^connbudget_application_connections{application_name=\"jobs\",server=\"127.0.0.1:$PGPORT\"} 3$" "$S/metrics" &&
	ok || bad "the query file does not count the 3 sessions named jobs"
# Every metric a generated rule reads, with every label its selector or
# aggregation names: exported by postgres_exporter (pg_*, connbudget_*), or
# by pgbouncer_exporter (pgbouncer_*) as its collector.go names them.
for f in testdata/examples/fixed.yaml testdata/alerts/two-databases.yaml; do
	"$CB" alerts "$f" >"$S/rules.yaml" 2>/dev/null
	if $PY - "$S/rules.yaml" "$S/metrics" tests/alerts/pgbouncer_exporter.metrics <<'EOF'
import re, sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"]]
scraped = {}
for line in open(sys.argv[2]):
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? ', line)
    if m:
        scraped.setdefault(m.group(1), set()).update(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
bouncer = {}
for line in open(sys.argv[3]):
    if line.strip() and not line.startswith("#"):
        name, *labels = line.split()
        bouncer[name] = set(labels)
missing = []
for r in rules:
    for by, metric, sel in re.findall(r'by \(([^)]*)\) \(([a-z_:]+)\{([^}]*)\}', r["expr"]):
        known = bouncer.get(metric) if metric.startswith("pgbouncer_") else scraped.get(metric)
        want = set(l.strip() for l in by.split(",")) | set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=|!=|=~|!~)\s*"', sel))
        if known is None:
            missing.append(metric)
        elif not want <= known:
            missing.append("%s{%s}" % (metric, ",".join(sorted(want - known))))
if missing:
    print("not exported:", sorted(set(missing)))
    sys.exit(1)
EOF
	then ok; else bad "a rule of alerts $f reads what the exporters do not export"; fi
done
finish
