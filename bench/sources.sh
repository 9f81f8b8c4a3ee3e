#!/bin/bash
# bench/sources.sh - reading a rendered manifest stream (docs/sources.md)
# against libyaml's bare event scan of the same bytes: a stream of LINES
# lines (default 50 000) of Deployments, each with an HPA, a ConfigMap and
# a url that makes it a discovered client. Two topologies read it: one whose
# database no url names (reading and joining the stream: target within
# 1.25x of the scan) and one whose database every url names (1 389 clients
# discovered, budgeted, checked and reported in JSON: within 1.5x).
# Interleaved triples (read, scan, check), the medians of the ratios to the
# scan beside each. Prints a markdown table.
#
#   CONNBUDGET=build/bench/connbudget SCAN=build/bench/scan bench/sources.sh [LINES]
set -eu
cd "$(dirname "$0")/.."
CB=${CONNBUDGET:-build/bench/connbudget}
SCAN=${SCAN:-build/bench/scan}
LINES=${1:-50000}
RUNS=${BENCH_RUNS:-7}
MAX_RATIO=1.25
MAX_RATIO_CHECK=1.5
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

/usr/bin/python3 - "$LINES" >"$TMP/stream.yaml" <<'PY'
import sys
want, n, out = int(sys.argv[1]), 0, []
while sum(s.count("\n") for s in out) < want:
    out.append(f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
  namespace: team-{n % 37}
  labels: {{ app: app-{n}, tier: backend }}
spec:
  replicas: {1 + n % 5}
  strategy:
    rollingUpdate: {{ maxSurge: 25%, maxUnavailable: 0 }}
  template:
    metadata:
      labels: {{ app: app-{n} }}
    spec:
      containers:
        - name: app
          image: registry.example.com/app-{n}:1.{n % 9}
          ports: [{{ containerPort: 8080 }}]
          env:
            - {{ name: DATABASE_URL, value: "postgres://db.internal:5432/app" }}
            - name: DB_POOL
              valueFrom: {{ configMapKeyRef: {{ name: app-{n}, key: pool }} }}
---
apiVersion: v1
kind: ConfigMap
metadata: {{ name: app-{n}, namespace: team-{n % 37} }}
data: {{ pool: "{1 + n % 10}" }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{ name: app-{n}, namespace: team-{n % 37} }}
spec:
  scaleTargetRef: {{ apiVersion: apps/v1, kind: Deployment, name: app-{n} }}
  minReplicas: 1
  maxReplicas: {10 + n % 20}
""")
    n += 1
sys.stdout.write("".join(out))
PY
printf 'version: 1\nsources: [{kubernetes: stream.yaml, env: {pool.size: DB_POOL}}]\ndatabases:\n  main: { max_connections: 100000, host: db.internal, port: 5432 }\n' >"$TMP/top.yaml"
# the same stream behind a database no url names: reading and joining only
sed 's/host: db.internal/host: elsewhere.internal/' "$TMP/top.yaml" >"$TMP/read.yaml"

"$CB" check -q --format json "$TMP/top.yaml" >"$TMP/out" 2>"$TMP/err" || [ $? = 1 ] ||
	{ head -5 "$TMP/err" >&2; exit 2; }
clients=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["clients"]))' "$TMP/out")
"$CB" check -q --format json "$TMP/read.yaml" >"$TMP/out" 2>"$TMP/err" || { head -5 "$TMP/err" >&2; exit 2; }
: >"$TMP/runs"
for ((i = 0; i < RUNS * 3; i++)); do
	t0=${EPOCHREALTIME/[.,]/}
	"$CB" check -q --format json "$TMP/read.yaml" >/dev/null 2>&1 || true
	t1=${EPOCHREALTIME/[.,]/}
	"$SCAN" "$TMP/stream.yaml" >/dev/null 2>&1
	t2=${EPOCHREALTIME/[.,]/}
	"$CB" check -q --format json "$TMP/top.yaml" >/dev/null 2>&1 || true
	t3=${EPOCHREALTIME/[.,]/}
	echo "$((t1 - t0)) $((t2 - t1)) $((t3 - t2))" >>"$TMP/runs"
done
# the medians of each program and of the ratios to the scan beside it
read -r rd scan full r_rd r_full < <(awk '{ a[NR] = $1; s[NR] = $2; f[NR] = $3
		q = $2 > 0 ? $2 : 1; ra[NR] = $1 / q; rf[NR] = $3 / q }
	function med(x, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
		return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
	END { printf "%.1f %.1f %.1f %.3f %.3f\n", med(a, NR) / 1000, med(s, NR) / 1000, med(f, NR) / 1000, med(ra, NR), med(rf, NR) }' "$TMP/runs")
verdict() { awk -v r="$1" -v m="$2" 'BEGIN { print (r <= m) ? "PASS" : "FAIL" }'; }
lines=$(wc -l <"$TMP/stream.yaml")
bytes=$(wc -c <"$TMP/stream.yaml")
echo
echo "| manifest stream | bytes | clients discovered | connbudget ms | scan ms | ratio | limit | result |"
echo "|---|--:|--:|--:|--:|--:|--:|---|"
echo "| $lines lines, read and joined | $bytes | 0 | $rd | $scan | $r_rd | $MAX_RATIO | $(verdict "$r_rd" "$MAX_RATIO") |"
echo "| $lines lines, every workload a client | $bytes | $clients | $full | $scan | $r_full | $MAX_RATIO_CHECK | $(verdict "$r_full" "$MAX_RATIO_CHECK") |"
