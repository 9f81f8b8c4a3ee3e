#!/bin/bash
# tests/sources_aws.sh - the AWS sources (docs/sources.md): Serverless
# Framework files and CloudFormation / SAM templates under
# testdata/sources/, every figure computed by hand in the comments.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
S=testdata/sources

# figs FILE: "id type steady peak discovered kind" per client of check's JSON in $out
figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
for c in json.load(sys.stdin)["clients"]:
    print(c["id"], c["type"], c["steady"], c["peak"], c["discovered"], (c.get("source") or {}).get("kind"))'
}

# serverless.yml: pool.size from DB_POOL, provider's 2 (${self:custom.POOL}).
# api (bound): reservedConcurrency ${self:custom.RESERVED.api} = 50 wins over
# the topology's 40 (CB018 at the custom value, 24:10); provisioned 5:
# steady 5 x 2 = 10, peak 50 x 2 = 100.
# ingest (discovered): reserved 10, its own DB_POOL 1 over the provider's:
# 10 x 1 = 10 both. export (bound): DB_POOL ${env:EXPORT_POOL} is unknown,
# the topology's pool.size 3 stands: 4 x 3 = 12. report (discovered): no
# reservedConcurrency, CB016, 1000 assumed x 2 = 2000. billing: its url
# is ${ssm:...}, unknown: not discovered. Demand 10 + 12 + 10 + 2000 = 2032
# steady, 100 + 12 + 10 + 2000 = 2122 peak.
expect_rc 1 "serverless check" "$CB" check --format json "$S/serverless/connbudget.yaml"
f=$(figs)
contains "$f" "api serverless 10 100 False function" "api: reserved and provisioned concurrency"
contains "$f" "ingest serverless 10 10 True function" "ingest discovered, its env over the provider's"
contains "$f" "export serverless 12 12 False function" "export: an \${env:} pool is unknown"
contains "$f" "report serverless 2000 2000 True function" "report: unreserved"
lacks "$f" "billing" "an \${ssm:} url is unknown"
expect_rc 1 "serverless text" "$CB" check -q "$S/serverless/connbudget.yaml"
contains "$out" "$S/serverless/serverless.yml:24:10: error: max_concurrency is 40 in the topology but 50 in '$S/serverless/serverless.yml' (reservedConcurrency of function/api) [CB018 config-mismatch]" "CB018 at the \${self:} value"
contains "$out" "$S/serverless/serverless.yml:50:3: warning: serverless client 'report' has no max_concurrency; 1000 is assumed, a peak of 2000 connections [CB016 unbounded-concurrency]" "CB016 on an unreserved function"
expect_rc 1 "serverless table" "$CB" check "$S/serverless/connbudget.yaml"
contains "$out" "demand                         2032    2122" "the database's demand"
# a commit that lowers the reserved concurrency changes the figures: api 20 x 2 = 40
mkdir -p "$TMP/sls" && cp -r "$S/serverless/." "$TMP/sls/"
sed -i 's/^    api: 50$/    api: 20/; s/^    max_concurrency: 40$//' "$TMP/sls/serverless.yml" "$TMP/sls/connbudget.yaml"
expect_rc 1 "reserved 20" "$CB" check --format json "$TMP/sls/connbudget.yaml"
contains "$(figs)" "api serverless 10 40 False function" "reservedConcurrency from the file"
# --source serverless=PATH beside a topology with no sources: api, ingest,
# export and report discovered (billing's url is unknown), their DB_POOL
# unmapped: no pool size, CB020, and the sums are lower bounds.
printf 'version: 1\ndatabases:\n  orders: { max_connections: 2000, host: db.internal }\n' >"$TMP/bare.yaml"
expect_rc 1 "--source serverless" "$CB" check --format json --source "serverless=$S/serverless/serverless.yml" "$TMP/bare.yaml"
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; print(sorted(c["id"] for c in json.load(sys.stdin)["clients"]))')" "['api', 'export', 'ingest', 'report']" "--source serverless discovers the functions"
contains "$out" "CB020" "no pool size: CB020"

finish
