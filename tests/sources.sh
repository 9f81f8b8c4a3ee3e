#!/bin/bash
# tests/sources.sh - sources: (docs/sources.md) on the manifests of
# testdata/sources/, every figure computed by hand in the comments.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
S=testdata/sources

# The shop: web bound with from:, worker discovered.
# web: replicas 3 (manifest; the topology's 2 is CB018 at k8s/web.yaml:7:13),
# HPA max 10, surge 1, WEB_CONCURRENCY 4, DB_POOL 5 from the ConfigMap:
# steady 3 x 4 x 5 = 60, peak (10 + 1) x 4 x 5 = 220.
# worker: replicas 1, surge 25% of 1 = 1, DB_POOL 10: steady 10, peak 20.
expect_rc 1 "shop check" "$CB" check --format json "$S/shop/connbudget.yaml"
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for c in d["clients"]:
    print(c["id"], c["steady"], c["peak"], c["discovered"], c["source"]["file"], c["source"]["namespace"])')
contains "$figs" "web 60 220 False $S/shop/k8s/web.yaml shop" "web from the manifests"
contains "$figs" "worker 10 20 True $S/shop/k8s/worker.yaml shop" "worker discovered"
expect_rc 1 "shop text" "$CB" check -q "$S/shop/connbudget.yaml"
contains "$out" "$S/shop/k8s/web.yaml:9:13: error: replicas is 2 in the topology but 3 in '$S/shop/k8s/web.yaml' (replicas of deployment/web) [CB018 config-mismatch]" "CB018 at the manifest line"
contains "$out" "$S/shop/k8s/worker.yaml:14:22: warning: client 'worker' has a password in its url 'postgres://app:***@db.internal:5432/shop' [CB013 password-in-url]" "CB013 on a manifest url"
lacks "$out" "hunter2" "the password is never printed"
expect_rc 1 "shop sarif" "$CB" check --format sarif "$S/shop/connbudget.yaml"
loc=$(printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for r in d["runs"][0]["results"]:
    if r["ruleId"] == "CB018":
        l = r["locations"][0]["physicalLocation"]
        print(l["artifactLocation"]["uri"], l["region"]["startLine"])')
contains "$loc" "$S/shop/k8s/web.yaml 9" "SARIF cites the manifest"

# A commit that takes replicas 3 -> 5 changes the figures with no topology edit:
# steady 5 x 4 x 5 = 100.
mkdir -p "$TMP/shop" && cp -r "$S/shop/." "$TMP/shop/"
sed -i 's/^  replicas: 3/  replicas: 5/' "$TMP/shop/k8s/web.yaml"
sed -i 's/^    replicas: 2$//' "$TMP/shop/connbudget.yaml"
expect_rc 1 "replicas 5" "$CB" check --format json "$TMP/shop/connbudget.yaml"
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; print([(c["id"], c["steady"]) for c in json.load(sys.stdin)["clients"]])')" "('web', 100)" "replicas from the manifest"

# Every kind: ledger (StatefulSet 2 x 7, surge 0) 14/14; api (Recreate,
# 4 x 3: its own DB_POOL over the ConfigMap's 99, url from envFrom) 12/12;
# nightly (CronJob parallelism 3 x 2) 6/6 as a job; checkout (blue-green:
# 100% of 2) 2 x 5 = 10, (2 + 2) x 5 = 20; events (KEDA: min 0, max 100,
# surge 25) 0 and 125 x 4 = 500, its url in a Secret never read.
expect_rc 0 "kinds" "$CB" check --format json "$S/kinds/connbudget.yaml"
figs=$(client_keys id type steady peak)
contains "$figs" "ledger service 14 14" "StatefulSet"
contains "$figs" "api service 12 12" "Recreate, envFrom, own env wins"
contains "$figs" "nightly job 6 6" "CronJob parallelism"
contains "$figs" "checkout service 10 20" "Rollout blue-green"
contains "$figs" "events worker 0 500" "KEDA defaults"
lacks "$out" "s3cr3t" "a Secret is never read"

# compose: web 3 x 2 x 8 (DB_POOL's default through a merged block) = 48;
# worker scale 2 x 4 = 8; its env_file is never read.
expect_rc 0 "compose" "$CB" check --format json "$S/compose/connbudget.yaml"
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
for c in json.load(sys.stdin)["clients"]:
    print(c["id"], c["steady"], c["peak"], c["source"]["kind"])')
contains "$figs" "web 48 48 service" "compose deploy.replicas and a merge key"
contains "$figs" "worker 8 8 service" "compose scale and a list"

# Poolers from workloads. bouncer: a Deployment of 2 (25% surge: 1 more
# during its rolling deploy): instances 2 and 3, cap 3 x 20 = 60, cap_steady
# 40, client_limit 2 x 100 = 200; web (Recreate, 4 x 10 = 40, discovered by
# the pooler's host:port) is its server demand 40. cnpg: a CloudNativePG
# Pooler of 3, peak 4, default_pool_size 10 from its parameters: cap 40,
# client_limit 3 x 1000; its poolMode session against the topology's
# transaction is CB018 at the manifest's line 28.
expect_rc 1 "pooler from" "$CB" check --format json "$S/pooler/connbudget.yaml"
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for p in d["poolers"]:
    print(p["id"], p["instances"]["steady"], p["instances"]["peak"], p["cap"], p["cap_steady"], p["client_limit"], p["server"]["peak"])
for f in d["findings"]:
    print(f["rule"], f["line"], f["message"])')
contains "$figs" "bouncer 2 3 60 40 200 40" "a PgBouncer Deployment's instances"
contains "$figs" "cnpg 3 4 40 30 3000 0" "a CloudNativePG Pooler"
contains "$figs" "CB018 28 pool_mode is transaction in the topology but session" "CB018 on poolMode"
# the same Pooler with deploymentStrategy Recreate: no surge, peak 3, cap 30
mkdir -p "$TMP/recreate" && cp "$S/pooler/connbudget.yaml" "$TMP/recreate/"
sed 's/^  type: rw$/  type: rw\n  deploymentStrategy: { type: Recreate }/' "$S/pooler/pgbouncer.yaml" >"$TMP/recreate/pgbouncer.yaml"
run "$CB" check --format json "$TMP/recreate/connbudget.yaml"
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; print([(p["id"], p["instances"]["peak"], p["cap"]) for p in json.load(sys.stdin)["poolers"]])')" "('cnpg', 3, 30)" "a Pooler with Recreate: no surge"

# CB020: the worker's pool size is nowhere: its figures are unknown (null),
# the database's demand is at least api's 3 x 10 = 30.
expect_rc 1 "CB020" "$CB" report --format json testdata/rules/CB020/fires.yaml
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for c in d["clients"]:
    print(c["id"], c["pool_size"], c["steady"], c["peak"], c.get("unknown"))
print("demand", d["databases"][0]["demand"])')
contains "$figs" "worker None None None True" "an unknown client's figures are null"
contains "$figs" "demand {'steady': 30, 'peak': 30, 'unbounded': False, 'lower_bound': True}" "its sum is a lower bound"
expect_rc 1 "CB020 text" "$CB" check testdata/rules/CB020/fires.yaml
contains "$out" "  demand                       ≥ 30     ≥ 30" "text prints the lower bound, aligned"
contains "$out" "worker           service  unknown  unknown" "and the unknown client"

# Standard input and the command line; the rendered stream of a kustomize overlay.
# --source takes the env mapping of the topology's source of its kind
# (no WEB_CONCURRENCY mapped here: web is (10 + 1) x 1 x 5 = 55 at peak)
expect_rc 0 "--source" "$CB" check --format json --source "kubernetes=$S/shop/k8s/web.yaml" "$S/kustomize/connbudget.yaml" </dev/null
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; print([(c["id"], c["peak"]) for c in json.load(sys.stdin)["clients"]])')" "('web', 55)" "--source with the topology's env mapping"
expect_rc 0 "stdin" sh -c "cat $S/shop/k8s/*.yaml | '$CB' check -q $S/kustomize/connbudget.yaml"
contains "$out" "<stdin>:" "positions name standard input"
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize "$S/kustomize/overlays/prod" >"$TMP/rendered.yaml" 2>/dev/null; then
	# the overlay's replicas: 3 x DB_POOL 10 = 30 (the base says 1)
	expect_rc 0 "kustomize" sh -c "'$CB' check --format json $S/kustomize/connbudget.yaml <'$TMP/rendered.yaml'"
	contains "$(printf '%s' "$out" | $PY -c 'import json,sys; print([(c["id"], c["steady"], c["source"]["namespace"]) for c in json.load(sys.stdin)["clients"]])')" "('api', 30, 'prod')" "kustomize overlay rendered"
else
	echo "skipped: kubectl kustomize is not available"
fi

# Bad input: exit 2 at the manifest's position, never the value.
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\n' >"$TMP/tpl.yaml"
expect_rc 2 "template" "$CB" check --source "kubernetes=$TMP/tpl.yaml" "$S/kustomize/connbudget.yaml"
contains "$err" "$TMP/tpl.yaml:4:9: error: a template, not a manifest: render it first" "template advice"
sed 's/value: "10"/value: "ten"/' "$S/kustomize/base/deployment.yaml" >"$TMP/ten.yaml"
printf 'version: 1\nsources: [{kubernetes: ten.yaml, env: {pool.size: DB_POOL}}]\ndatabases:\n  app: { max_connections: 100, host: db.internal, port: 5432 }\n' >"$TMP/ten-top.yaml"
expect_rc 2 "not an integer" "$CB" check "$TMP/ten-top.yaml"
contains "$err" "ten.yaml:13:39: error: env DB_POOL: expected" "bad env value at its position"
lacks "$err" '"ten"' "the value is not quoted"
printf 'version: 1\nsources: [{kubernetes: ten.yaml}]\ndatabases:\n  app: { max_connections: 100 }\nclients:\n  x: { type: service, from: "kubernetes:deployment/nope", connects_to: app, pool: {size: 1} }\n' >"$TMP/nope.yaml"
expect_rc 2 "unknown workload" "$CB" check "$TMP/nope.yaml"
contains "$err" "nope.yaml:6:29: error: from: no deployment \"nope\" in the kubernetes sources" "from: names nothing"
printf 'version: 1\nsources: [{kubernetes: ten.yaml, env: {pool.sise: X}}]\ndatabases:\n  app: { max_connections: 100 }\n' >"$TMP/badenv.yaml"
expect_rc 2 "env field" "$CB" check "$TMP/badenv.yaml"
contains "$err" "is not a client field" "env: names a field"
expect_rc 2 "bad --source" "$CB" check --source helm=x "$S/kustomize/connbudget.yaml"
expect_rc 2 "missing source" "$CB" check --source kubernetes=/nonexistent.yaml "$S/kustomize/connbudget.yaml"

# init --from: a starter bound to what the manifests hold. The goldens are
# testdata/sources/*/init.yaml (below the editor schema line, which depends
# on the install); checking the starter gives the hand topology's figures.
starter() { sed '1,/^#$/d' "$1"; }
for d in shop compose pooler kinds serverless terraform-lambda terraform-proxy; do
	rm -rf "$TMP/init-$d" && cp -r "$S/$d" "$TMP/init-$d" && rm "$TMP/init-$d/init.yaml"
	src=$(sed -n 's/^  - [a-z]*: "\(.*\)"$/\1/p' "$S/$d/init.yaml")
	expect_rc 0 "init --from $d" sh -c "cd '$TMP/init-$d' && '$CB' init --from '$src' starter.yaml"
	if [ "$(starter "$TMP/init-$d/starter.yaml")" = "$(starter "$S/$d/init.yaml")" ]; then ok; else
		bad "init --from $d differs from $S/$d/init.yaml"; diff <(starter "$S/$d/init.yaml") <(starter "$TMP/init-$d/starter.yaml"); fi
done
# serverless.yml (found by its name): the functions with a url, type
# serverless, api 10/100 and report 2000 as in the hand topology; billing's
# url is ${ssm:...}, its own over the provider's: not bound, and said why.
run "$CB" check --format json "$TMP/init-serverless/starter.yaml"
figs=$(client_keys id type steady peak discovered)
contains "$figs" "api serverless 10 100 False" "starter: a serverless.yml function"
contains "$figs" "report serverless 2000 2000 False" "starter: an unreserved function"
lacks "$figs" "billing" "starter: a function whose own url is unknown is not bound"
contains "$(cat "$TMP/init-serverless/starter.yaml")" '#   "function/billing at' "starter: the unbound function is listed"
# a Terraform plan (found by its text): the Lambdas; the one database the
# urls name is bound to the plan's one aws_db_instance: 1654 from its class.
run "$CB" check --format json "$TMP/init-terraform-lambda/starter.yaml"
contains "$(db_figs)" "orders 1654 1651" "starter: the plan's database by from:"
figs=$(client_keys id type steady peak)
contains "$figs" "api serverless 20 100" "starter: a plan's function"
# urls on an RDS Proxy endpoint (NAME.proxy-ID.REGION.rds.amazonaws.com):
# an rds_proxy pooler in front of a main bound to the plan's aws_db_instance;
# the plan holds two PostgreSQL proxies, so which one is left to the user
# (no from:, the default 100%: cap 1654).
run "$CB" check --format json "$TMP/init-terraform-proxy/starter.yaml"
contains "$(proxy_figs)" "orders-proxy rds_proxy 100 1654 450" "starter: an RDS Proxy endpoint is an rds_proxy pooler"
contains "$(db_figs)" "main 1654 1651" "starter: the proxy's database from the plan"
# KIND=PATH for the AWS kinds
expect_rc 0 "init --from cloudformation=DIR" "$CB" init --from "cloudformation=$S/cloudformation/templates" -
contains "$out" 'from: "cloudformation:function/ApiFunction"' "starter: a template directory by KIND=PATH"
contains "$out" "type: serverless" "starter: a template's function is serverless"
# shop: web 3 x 4 x 5 = 60, peak 220 and worker 10/20 as in the hand
# topology, both bound now (not discovered); the worker's password stays out.
run "$CB" check --format json "$TMP/init-shop/starter.yaml"
figs=$(client_keys id steady peak discovered connects_to)
contains "$figs" "web 60 220 False db" "starter: web from the manifests"
contains "$figs" "worker 10 20 False db" "starter: worker bound"
lacks "$(cat "$TMP/init-shop/starter.yaml")" "hunter2" "starter: no password"
# compose: web 3 x 2 x 8 = 48, worker 2 x 4 = 8; postgres is the database, not a client.
run "$CB" check --format json "$TMP/init-compose/starter.yaml"
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for c in d["clients"]:
    print(c["id"], c["steady"], c["peak"])
print("db", [x["id"] for x in d["databases"]])')
contains "$figs" "web 48 48" "starter: compose web"
contains "$figs" "worker 8 8" "starter: compose worker"
contains "$figs" "db ['postgres']" "starter: the compose postgres service is the database"
# pooler: web (4 x 10) connects to the pgbouncer Deployment, a pooler of
# 2 instances, peak 2 + 25% of 2 = 3.
run "$CB" check --format json "$TMP/init-pooler/starter.yaml"
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for c in d["clients"]:
    print(c["id"], c["connects_to"], c["steady"])
for p in d["poolers"]:
    print(p["id"], p["instances"]["steady"], p["instances"]["peak"])')
contains "$figs" "web pgbouncer 40" "starter: client of the pooler"
contains "$figs" "pgbouncer 2 3" "starter: pooler instances from its Deployment"
# real files: Miniflux's basic.yml is compose by its text (services:, no
# apiVersion); Airflow's url is AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, a
# url by its value (postgresql+psycopg2://), mapped in env: and bound for
# all eight services; the password stays out of the starter.
R=$S/real
expect_rc 0 "init --from a compose file by its text" "$CB" init --from "$R/miniflux-compose/basic.yml" -
contains "$out" "  - compose: \"$R/miniflux-compose/basic.yml\"" "init: compose by its text"
contains "$out" '    from: "compose:service/miniflux"' "init: miniflux bound"
expect_rc 0 "init --from airflow" "$CB" init --from "$R/airflow-compose/docker-compose.yaml" -
contains "$out" '      url: "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"' "init: a url variable found by its value"
[ "$(printf '%s\n' "$out" | grep -c '^    connects_to: postgres$')" = 8 ] && ok || bad "init: airflow's eight services bound"
lacks "$out" "airflow:airflow@" "init airflow: no password"
# a starter elsewhere names the manifests relative to itself
mkdir -p "$TMP/init-shop/sub"
expect_rc 0 "init into a directory" sh -c "cd '$TMP/init-shop' && '$CB' init --from k8s sub/c.yaml"
contains "$(cat "$TMP/init-shop/sub/c.yaml")" '  - kubernetes: "../k8s"' "source path relative to the starter"
expect_rc 2 "init --from refuses to overwrite" sh -c "cd '$TMP/init-shop' && '$CB' init --from k8s starter.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec: { template: { spec: { containers: [ { name: a } ] } } }\n' >"$TMP/nourl.yaml"
expect_rc 2 "init --from: no url" "$CB" init --from "$TMP/nourl.yaml" -
contains "$err" "none of its 1 workloads has a database url" "init --from says why"
expect_rc 2 "init --from: missing" "$CB" init --from /nonexistent/k8s -
expect_rc 2 "init --from: bad KIND" "$CB" init --from compose= -
# hostile names: quoted in the starter, which loads and binds them as written
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: "we\\"b: #x\\u202e" }\nspec: { template: { spec: { containers: [ { name: a, env: [ { name: DATABASE_URL, value: "postgres://u:pw@db\\\\n.x:5432/a" } ] } ] } } }\n' >"$TMP/hostile.yaml"
expect_rc 0 "init --from hostile names" sh -c "cd '$TMP' && '$CB' init --from hostile.yaml hostile-top.yaml"
expect_rc 1 "hostile starter loads" "$CB" check --format json "$TMP/hostile-top.yaml"
lacks "$(cat "$TMP/hostile-top.yaml")" "pw@" "hostile starter: no password"

# Terraform (testdata/sources/terraform/plan.json, `terraform show -json`
# format 1.2, one line as Terraform writes it). api: desired_count 3, its
# autoscaling target (resource_id service/prod/api) max_capacity 10,
# deployment_maximum_percent 200 (surge 100% of 10 = 10), DB_POOL 5 from the
# task definition the configuration references: steady 3 x 5 = 15, peak
# (10 + 10) x 5 = 100. billing, in module.workers: task_definition
# "billing:7" (its family), desired_count 2, maximum 150% (surge 50% of 2
# = 1), DB_POOL 4: 8 and 12, discovered by its url.
T=$S/terraform
expect_rc 0 "terraform" "$CB" check --format json "$T/connbudget.yaml"
figs=$(printf '%s' "$out" | $PY -c 'import json,sys
for c in json.load(sys.stdin)["clients"]:
    s = c["source"]
    print(c["id"], c["steady"], c["peak"], c["replicas"], c["max_replicas"], c["surge"], c["discovered"], s["kind"], s["namespace"], s["container"])')
contains "$figs" "api 15 100 3 10 10 False aws_ecs_service default api" "terraform: an ECS service, its autoscaling target and task definition"
contains "$figs" "workers-billing 8 12 2 2 1 True aws_ecs_service workers billing" "terraform: a module's service, discovered as MODULE-label"
lacks "$out" "secretsmanager" "terraform: a task definition's secrets are never read"
# the topology's stale replicas 2 against the plan's desired_count 3: CB018 at the plan's line
mkdir -p "$TMP/tf" && cp "$T/plan.json" "$TMP/tf/"
sed 's/^    connects_to: orders$/    connects_to: orders\n    replicas: 2/' "$T/connbudget.yaml" >"$TMP/tf/connbudget.yaml"
expect_rc 1 "terraform CB018" "$CB" check -q "$TMP/tf/connbudget.yaml"
contains "$out" "error: replicas is 2 in the topology but 3 in '$TMP/tf/plan.json' (replicas of aws_ecs_service/api) [CB018 config-mismatch]" "terraform: CB018 at the plan"
contains "$out" "$TMP/tf/plan.json:1:" "terraform: the finding cites the plan file"
expect_rc 1 "terraform sarif" "$CB" check --format sarif "$TMP/tf/connbudget.yaml"
contains "$out" '"uri":"'"$TMP/tf/plan.json"'"' "terraform: SARIF cites the plan"
contains "$out" '{"fullyQualifiedName":"clients.api","kind":"object"},{"fullyQualifiedName":"aws_ecs_service.api","kind":"resource"}' "terraform: SARIF names the resource address"
expect_rc 0 "terraform sarif, a module's resource" "$CB" check --format sarif "$T/connbudget.yaml"
contains "$out" '{"fullyQualifiedName":"module.workers.aws_ecs_service.billing","kind":"resource"}' "terraform: a module's resource address"
# bad plans: exit 2 at the plan's position
printf '{"format_version":"2.0","planned_values":{}}\n' >"$TMP/tf/v2.json"
expect_rc 2 "terraform format 2" "$CB" check --source "terraform=$TMP/tf/v2.json" "$T/connbudget.yaml"
contains "$err" "v2.json:1:19: error: not a \`terraform show -json\` plan or state of format 1.x" "terraform: another major version"
$PY -c 'import json,sys; p = json.load(open(sys.argv[1])); r = p["planned_values"]["root_module"]["resources"][2]; r["values"]["container_definitions"] = "[{oops"; print(json.dumps(p))' "$T/plan.json" >"$TMP/tf/bad-defs.json"
expect_rc 2 "terraform bad container_definitions" "$CB" check --source "terraform=$TMP/tf/bad-defs.json" "$T/connbudget.yaml"
contains "$err" "error: container_definitions: expected a JSON list of containers" "terraform: container_definitions not JSON"

# Lambda (testdata/sources/terraform-lambda/plan.json, the same format).
# api: reserved_concurrent_executions 50 (max_concurrency), its provisioned
# concurrency config api_live (function_name "orders-api", qualifier live)
# 10 (concurrency), DB_POOL 2: steady 10 x 2 = 20, peak 50 x 2 = 100.
# ingest, in module.jobs: reserved -1, no reservation, so max_concurrency
# 1000 assumed (CB016, at the plan); two configs by ARN, qualifiers 3 and
# live, 5 + 4 = 9; DB_POOL 1: steady 9 x 1 = 9, peak 1000 x 1 = 1000;
# discovered by its url, type serverless.
TL=$S/terraform-lambda
lambda_figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
for c in json.load(sys.stdin)["clients"]:
    s = c["source"]
    print(c["id"], c["type"], c["steady"], c["peak"], c["concurrency"], c["max_concurrency"], c["concurrency_assumed"], c["discovered"], s["kind"], s["namespace"], s["container"])'
}
expect_rc 1 "terraform lambda" "$CB" check --format json "$TL/connbudget.yaml"
figs=$(lambda_figs)
contains "$figs" "api serverless 20 100 10 50 False False aws_lambda_function default orders-api" "terraform: a Lambda function, its reservation and provisioned concurrency"
contains "$figs" "jobs-ingest serverless 9 1000 9 1000 True True aws_lambda_function jobs ingest" "terraform: a module's unreserved function, discovered, two qualifiers summed"
expect_rc 1 "terraform lambda text" "$CB" check -q "$TL/connbudget.yaml"
contains "$(printf '%s\n' "$out" | grep CB016)" "$TL/plan.json:1:" "terraform: CB016 cites the plan"
contains "$out" "warning: serverless client 'jobs-ingest' has no max_concurrency; 1000 is assumed, a peak of 1000 connections [CB016 unbounded-concurrency]" "terraform: reserved -1 is unbounded"
mkdir -p "$TMP/tfl" && cp "$TL/plan.json" "$TL/connbudget.yaml" "$TMP/tfl/"
tfl_edit() { # NAME.json PYTHON: the plan p (root resources r, module.jobs's m) edited, and NAME.yaml reading it
	$PY -c 'import json,sys
p = json.load(open(sys.argv[1])); r = p["planned_values"]["root_module"]["resources"]; m = p["planned_values"]["root_module"]["child_modules"][0]["resources"]
exec(sys.argv[2])
print(json.dumps(p, separators=(",", ":")))' "$TL/plan.json" "$2" >"$TMP/tfl/$1"
	sed "s/plan.json/$1/" "$TL/connbudget.yaml" >"$TMP/tfl/${1%.json}.yaml"
}
# function_name known only after apply: the configuration's reference
# (aws_lambda_function.api.function_name) finds the function, the same 20 and 100
tfl_edit ref.json 'del r[1]["values"]["function_name"]'
expect_rc 1 "terraform lambda by reference" "$CB" check --format json "$TMP/tfl/ref.yaml"
contains "$(lambda_figs)" "api serverless 20 100 10 50" "terraform: provisioned concurrency by the configuration's reference"
# no reservation and no provisioned concurrency config: concurrency is max_concurrency, 1000 x 2 = 2000 both
tfl_edit bare.json 'del r[0]["values"]["reserved_concurrent_executions"]; del r[1]'
expect_rc 1 "terraform lambda bare" "$CB" check --format json "$TMP/tfl/bare.yaml"
contains "$(lambda_figs)" "api serverless 2000 2000 1000 1000 True False" "terraform: an absent reservation is unbounded"
# the topology's max_concurrency 40 against the plan's 50, and against -1: CB018 at the plan
sed 's/^    connects_to: orders$/    connects_to: orders\n    max_concurrency: 40/' "$TL/connbudget.yaml" >"$TMP/tfl/drift.yaml"
expect_rc 1 "terraform lambda CB018" "$CB" check -q "$TMP/tfl/drift.yaml"
contains "$out" "error: max_concurrency is 40 in the topology but 50 in '$TMP/tfl/plan.json' (reserved_concurrent_executions of aws_lambda_function/api) [CB018 config-mismatch]" "terraform: CB018 on a reservation"
contains "$(printf '%s\n' "$out" | grep CB018)" "$TMP/tfl/plan.json:1:" "terraform: CB018 cites the plan"
tfl_edit plan.json 'r[0]["values"]["reserved_concurrent_executions"] = -1'
expect_rc 1 "terraform lambda CB018 -1" "$CB" check -q "$TMP/tfl/drift.yaml"
contains "$out" "error: max_concurrency is 40 in the topology but -1 in '$TMP/tfl/plan.json' (reserved_concurrent_executions of aws_lambda_function/api) [CB018 config-mismatch]" "terraform: a topology bound on an unreserved function"
# bad plans and bindings: exit 2, at the plan (or the from:)
tfl_edit dup.json 'm[2]["values"]["qualifier"] = "3"'
expect_rc 2 "terraform lambda duplicate qualifier" "$CB" check "$TMP/tfl/dup.yaml"
contains "$err" "dup.json:1:" "terraform: a duplicate qualifier at the plan"
contains "$err" "error: a second provisioned concurrency config of aws_lambda_function.ingest for qualifier \"3\"" "terraform: a duplicate qualifier"
tfl_edit over.json 'r[1]["values"]["provisioned_concurrent_executions"] = 60'
expect_rc 2 "terraform lambda provisioned over reserved" "$CB" check "$TMP/tfl/over.yaml"
contains "$err" "over.json:1:" "terraform: provisioned above reserved at the plan"
contains "$err" "clients.api.concurrency: 60 is more than max_concurrency 50" "terraform: provisioned above reserved"
tfl_edit ten.json 'r[1]["values"]["provisioned_concurrent_executions"] = "ten"'
expect_rc 2 "terraform lambda provisioned not a number" "$CB" check "$TMP/tfl/ten.yaml"
contains "$err" "ten.json:1:" "terraform: a bad provisioned count at the plan"
contains "$err" "error: provisioned_concurrent_executions: expected a non-negative integer" "terraform: a bad provisioned count"
tfl_edit env.json 'r[0]["values"]["environment"] = {"variables": {}}'
expect_rc 2 "terraform lambda environment not a list" "$CB" check "$TMP/tfl/env.yaml"
contains "$err" "env.json:1:" "terraform: environment not a list, at the plan"
contains "$err" "error: environment: expected a list of one block" "terraform: environment not a list"
# The database orders: from: its aws_db_instance (engine postgres), whose
# instance_class db.r6g.large is the catalog's 1654 max_connections
# (LEAST(15764922368 / 9531392, 5000) = 1654), capacity 1654 - 3 reserved
# for superusers = 1651. The plan's mysql instance is not a database.
expect_rc 1 "terraform aws_db_instance" "$CB" check --format json "$TL/connbudget.yaml"
contains "$(printf '%s' "$out" | $PY -c 'import json,sys
for d in json.load(sys.stdin)["databases"]:
    print(d["id"], d["max_connections"], d["capacity"])')" "orders 1654 1651" "terraform: a database's instance class from the plan"
lacks "$out" "ChangeMe-" "terraform: a database's password is never read"
sed 's|^    from: terraform:aws_db_instance/orders .*|&\n    instance: db.m5.large|' "$TL/connbudget.yaml" >"$TMP/tfl/dbdrift.yaml"
expect_rc 1 "terraform aws_db_instance CB018" "$CB" check -q "$TMP/tfl/dbdrift.yaml"
contains "$out" "error: instance is db.m5.large in the topology but db.r6g.large in '$TMP/tfl/plan.json' (instance_class of aws_db_instance/orders) [CB018 config-mismatch]" "terraform: CB018 on an instance class"
sed 's|aws_db_instance/orders|aws_db_instance/legacy|' "$TL/connbudget.yaml" >"$TMP/tfl/mysql.yaml"
expect_rc 2 "terraform aws_db_instance mysql" "$CB" check "$TMP/tfl/mysql.yaml"
contains "$err" "mysql.yaml:11:11: error: from: no aws_db_instance \"legacy\" in the terraform sources" "terraform: a mysql instance is no database"
tfl_edit class.json 'r[2]["values"]["instance_class"] = "db.x9.huge"'
expect_rc 2 "terraform aws_db_instance unknown class" "$CB" check "$TMP/tfl/class.yaml"
contains "$err" "class.json:1:" "terraform: an instance class the catalog does not know, at the plan"
sed 's/type: serverless/type: service/' "$TL/connbudget.yaml" >"$TMP/tfl/service.yaml"
expect_rc 2 "terraform lambda bound as a service" "$CB" check "$TMP/tfl/service.yaml"
contains "$err" "service.yaml:17:11: error: from: aws_lambda_function/api is a function: client 'api' must be of type serverless" "terraform: a function binds a serverless client"

# from: by the plan's resource address, as Terraform writes it: the same
# figures as TYPE/LABEL (api 20 and 100, orders 1654); module.jobs's ingest
# bound as a client of its own (not discovered, its id "ingest"); an
# address the plan does not hold, and one with an index, exit 2 at the from:.
mkdir -p "$TMP/tfaddr" && cp "$TL/plan.json" "$TMP/tfaddr/"
sed -e 's|terraform:aws_lambda_function/api|terraform:aws_lambda_function.api|' \
    -e 's|terraform:aws_db_instance/orders|terraform:aws_db_instance.orders|' "$TL/connbudget.yaml" >"$TMP/tfaddr/addr.yaml"
printf '  ingest:\n    type: serverless\n    from: terraform:module.jobs.aws_lambda_function.ingest\n    connects_to: orders\n    max_concurrency: 30\n' >>"$TMP/tfaddr/addr.yaml"
expect_rc 1 "terraform from: by address" "$CB" check --format json "$TMP/tfaddr/addr.yaml"
figs=$(lambda_figs)
contains "$figs" "api serverless 20 100 10 50 False False aws_lambda_function default orders-api" "terraform: a function by its address"
contains "$figs" "ingest serverless 9 30 9 30 False False aws_lambda_function jobs ingest" "terraform: a module's function by its address"
lacks "$figs" "jobs-ingest" "terraform: a bound module function is not discovered as well"
contains "$(db_figs)" "orders 1654 1651" "terraform: a database by its address"
sed 's|aws_lambda_function.api$|aws_lambda_function.nope|' "$TMP/tfaddr/addr.yaml" >"$TMP/tfaddr/nope.yaml"
expect_rc 2 "terraform from: an address not in the plan" "$CB" check "$TMP/tfaddr/nope.yaml"
contains "$err" "nope.yaml:17:11: error: from: no aws_lambda_function.nope in the terraform sources" "terraform: an address not in the plan"
sed 's|module.jobs.aws_lambda_function.ingest|module.etl.aws_lambda_function.ingest|' "$TMP/tfaddr/addr.yaml" >"$TMP/tfaddr/module.yaml"
expect_rc 2 "terraform from: an address in another module" "$CB" check "$TMP/tfaddr/module.yaml"
contains "$err" "error: from: no module.etl.aws_lambda_function.ingest in the terraform sources" "terraform: an address names its module"
sed 's|aws_lambda_function.api$|aws_lambda_function.api[0]|' "$TMP/tfaddr/addr.yaml" >"$TMP/tfaddr/index.yaml"
expect_rc 2 "terraform from: an indexed address" "$CB" check "$TMP/tfaddr/index.yaml"
contains "$err" "index.yaml:17:11: error: from: expected SOURCE:KIND/NAME" "terraform: an indexed address is not one"

# Aurora (testdata/sources/terraform-aurora/plan.json, the same format).
# orders: from: its aws_rds_cluster_instance orders_1 (engine
# aurora-postgresql): provider aurora, instance_class db.r6g.large, the
# catalog's Aurora figure LEAST(DBInstanceClassMemory / 9531392, 5000) =
# 1722, capacity 1722 - 3 reserved for superusers = 1719. reports: its
# reports_1 is db.serverless, cluster_identifier known only after apply, so
# the cluster is the one its configuration references (aws_rds_cluster.reports),
# whose serverlessv2_scaling_configuration is 2 to 16 ACUs: AWS's table
# gives 16 ACUs 3360 (min 2 is above 0.5, no cap), capacity 3360 - 3 = 3357.
# The aurora-mysql cluster instance legacy_1 is no database.
TA=$S/terraform-aurora
mkdir -p "$TMP/tfa" && cp "$TA/plan.json" "$TA/connbudget.yaml" "$TMP/tfa/"
expect_rc 0 "terraform aurora" "$CB" check --format json "$TA/connbudget.yaml"
contains "$(db_figs)" "orders 1722 1719" "terraform: an Aurora cluster instance's class from the plan"
contains "$(db_figs)" "reports 3360 3357" "terraform: an Aurora Serverless v2 instance's capacity from its cluster"
lacks "$out" "ChangeMe-" "terraform: a cluster's master_password is never read"
expect_rc 0 "terraform aurora text" "$CB" check "$TA/connbudget.yaml"
lacks "$out$err" "ChangeMe-" "terraform: a cluster's master_password is never printed"
# the topology's instance db.r6g.xlarge against the plan's db.r6g.large: CB018 at the plan
sed 's|^    from: terraform:aws_rds_cluster_instance/orders_1 .*|&\n    instance: db.r6g.xlarge|' "$TA/connbudget.yaml" >"$TMP/tfa/drift.yaml"
expect_rc 1 "terraform aurora CB018" "$CB" check -q "$TMP/tfa/drift.yaml"
contains "$out" "error: instance is db.r6g.xlarge in the topology but db.r6g.large in '$TMP/tfa/plan.json' (instance_class of aws_rds_cluster_instance/orders_1) [CB018 config-mismatch]" "terraform: CB018 on a cluster instance's class"
contains "$(printf '%s\n' "$out" | grep CB018)" "$TMP/tfa/plan.json:1:" "terraform: CB018 cites the plan"
# the topology's max_acu 8 against the cluster's 16: CB018 at the plan
sed 's|^    from: terraform:aws_rds_cluster_instance/reports_1 .*|&\n    max_acu: 8|' "$TA/connbudget.yaml" >"$TMP/tfa/acu.yaml"
expect_rc 1 "terraform aurora CB018 max_acu" "$CB" check -q "$TMP/tfa/acu.yaml"
contains "$out" "error: max_acu is 8 in the topology but 16 in '$TMP/tfa/plan.json' (serverlessv2_scaling_configuration.max_capacity of aws_rds_cluster_instance/reports_1) [CB018 config-mismatch]" "terraform: CB018 on a Serverless v2 capacity"
plan_edit() { # FIXTURE DIR NAME.json PYTHON: FIXTURE's plan p (root resources r) edited into DIR, and NAME.yaml reading it
	$PY -c 'import json,sys
p = json.load(open(sys.argv[1])); r = p["planned_values"]["root_module"]["resources"]
exec(sys.argv[2])
print(json.dumps(p, separators=(",", ":")))' "$1/plan.json" "$4" >"$2/$3"
	sed "s/plan.json/$3/" "$1/connbudget.yaml" >"$2/${3%.json}.yaml"
}
tfa_edit() { plan_edit "$TA" "$TMP/tfa" "$@"; }
# bad plans and bindings: exit 2, at the plan (or the from:)
sed 's|aws_rds_cluster_instance/orders_1|aws_rds_cluster_instance/legacy_1|' "$TA/connbudget.yaml" >"$TMP/tfa/mysql.yaml"
expect_rc 2 "terraform aurora mysql" "$CB" check "$TMP/tfa/mysql.yaml"
contains "$err" "mysql.yaml:10:11: error: from: no aws_rds_cluster_instance \"legacy_1\" in the terraform sources" "terraform: an aurora-mysql instance is no database"
tfa_edit nocluster.json 'del r[1]; del p["configuration"]'
expect_rc 2 "terraform aurora no cluster" "$CB" check "$TMP/tfa/nocluster.yaml"
contains "$err" "nocluster.json:1:" "terraform: a db.serverless instance without its cluster, at the plan"
contains "$err" "error: instance_class db.serverless: the plan has no aws_rds_cluster of aws_rds_cluster_instance.reports_1 to give its capacity" "terraform: a db.serverless instance needs its cluster"
tfa_edit scaling.json 'r[1]["values"]["serverlessv2_scaling_configuration"] = {"max_capacity": 16}'
expect_rc 2 "terraform aurora scaling not a list" "$CB" check "$TMP/tfa/scaling.yaml"
contains "$err" "scaling.json:1:" "terraform: a scaling configuration not a list, at the plan"
contains "$err" "error: serverlessv2_scaling_configuration: expected a list of one block" "terraform: a scaling configuration not a list"
tfa_edit acu.json 'r[1]["values"]["serverlessv2_scaling_configuration"][0]["max_capacity"] = 12'
expect_rc 2 "terraform aurora capacity without a figure" "$CB" check "$TMP/tfa/acu.yaml"
contains "$err" "acu.json:1:" "terraform: a max_capacity AWS gives no figure for, at the plan"
contains "$err" "max_acu: AWS gives max_connections for max_acu 1, 4, 8, 16 and 32 or more, not 12" "terraform: a max_capacity AWS gives no figure for"
# min_capacity 0.5, a decimal, reads as a number: 16 ACUs' 3360 capped at 2000, capacity 1997
tfa_edit half.json 'r[1]["values"]["serverlessv2_scaling_configuration"][0]["min_capacity"] = 0.5'
expect_rc 0 "terraform aurora min_capacity 0.5" "$CB" check --format json "$TMP/tfa/half.yaml"
contains "$(db_figs)" "reports 2000 1997" "terraform: a min_capacity of 0.5 caps max_connections at 2000"
tfa_edit class.json 'r[3]["values"]["instance_class"] = "db.x9.huge"'
expect_rc 2 "terraform aurora unknown class" "$CB" check "$TMP/tfa/class.yaml"
contains "$err" "class.json:1:" "terraform: a class the Aurora catalog does not know, at the plan"
contains "$err" "error: aws_rds_cluster_instance/orders_1 instance_class: unknown aurora instance" "terraform: a class the Aurora catalog does not know"

# Parameter groups. orders's aws_db_instance with parameter_group_name
# "orders-pg16", an aws_db_parameter_group of that name (family postgres16,
# as AWS documents the resource) whose parameter max_connections is "500":
# it wins over the catalog's 1654, capacity 500 - 3 = 497.
pg_group() { # TYPE LABEL NAME VALUE: a parameter group resource as the plan holds it
	printf '{"address":"%s.%s","mode":"managed","type":"%s","name":"%s","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"description":"Managed by Terraform","family":"postgres16","name":"%s","parameter":[{"apply_method":"pending-reboot","name":"max_connections","value":"%s"},{"apply_method":"immediate","name":"log_min_duration_statement","value":"250"}],"skip_destroy":false,"tags":null},"sensitive_values":{"parameter":[{},{}]}}' "$1" "$2" "$1" "$2" "$3" "$4"
}
$PY -c 'import json,sys
p = json.load(open(sys.argv[1])); r = p["planned_values"]["root_module"]["resources"]
r[2]["values"]["parameter_group_name"] = "orders-pg16"; r.append(json.loads(sys.argv[2]))
print(json.dumps(p, separators=(",", ":")))' "$TL/plan.json" "$(pg_group aws_db_parameter_group orders orders-pg16 500)" >"$TMP/tfl/pg.json"
sed "s/plan.json/pg.json/" "$TL/connbudget.yaml" >"$TMP/tfl/pg.yaml"
expect_rc 1 "terraform parameter group" "$CB" check --format json "$TMP/tfl/pg.yaml"
contains "$(db_figs)" "orders 500 497" "terraform: max_connections from an aws_db_parameter_group"
lacks "$out" "ChangeMe-" "terraform: a database's password is never read beside its parameter group"
# the topology's max_connections 400 against the group's 500: CB018 at the plan
sed 's|^    from: terraform:aws_db_instance/orders .*|&\n    max_connections: 400|' "$TMP/tfl/pg.yaml" >"$TMP/tfl/pgdrift.yaml"
expect_rc 1 "terraform parameter group CB018" "$CB" check -q "$TMP/tfl/pgdrift.yaml"
contains "$out" "error: max_connections is 400 in the topology but 500 in '$TMP/tfl/pg.json' (parameter group max_connections of aws_db_instance/orders) [CB018 config-mismatch]" "terraform: CB018 on a parameter group's max_connections"
# AWS's default formula, LEAST({DBInstanceClassMemory/9531392},5000), is
# unknown: the catalog's 1654 stands, capacity 1651
sed 's|"value":"500"|"value":"LEAST({DBInstanceClassMemory/9531392},5000)"|' "$TMP/tfl/pg.json" >"$TMP/tfl/formula.json"
sed "s/pg.json/formula.json/" "$TMP/tfl/pg.yaml" >"$TMP/tfl/formula.yaml"
expect_rc 1 "terraform parameter group formula" "$CB" check --format json "$TMP/tfl/formula.yaml"
contains "$(db_figs)" "orders 1654 1651" "terraform: a parameter group's formula leaves the catalog's figure"
# bad groups: exit 2 at the plan
sed 's|"value":"500"|"value":"lots"|' "$TMP/tfl/pg.json" >"$TMP/tfl/lots.json"
sed "s/pg.json/lots.json/" "$TMP/tfl/pg.yaml" >"$TMP/tfl/lots.yaml"
expect_rc 2 "terraform parameter group not a number" "$CB" check "$TMP/tfl/lots.yaml"
contains "$err" "lots.json:1:" "terraform: a parameter group's bad max_connections, at the plan"
contains "$err" "parameter group max_connections" "terraform: a parameter group's bad max_connections says where it comes from"
$PY -c 'import json,sys
p = json.load(open(sys.argv[1])); p["planned_values"]["root_module"]["resources"][-1]["values"]["parameter"] = {"max_connections": "500"}
print(json.dumps(p, separators=(",", ":")))' "$TMP/tfl/pg.json" >"$TMP/tfl/params.json"
sed "s/pg.json/params.json/" "$TMP/tfl/pg.yaml" >"$TMP/tfl/params.yaml"
expect_rc 2 "terraform parameter group parameter not a list" "$CB" check "$TMP/tfl/params.yaml"
contains "$err" "params.json:1:" "terraform: parameter not a list, at the plan"
contains "$err" "error: parameter: expected a list of {name, value} blocks" "terraform: parameter not a list"
# Aurora: orders's cluster with db_cluster_parameter_group_name
# "orders-cluster", an aws_rds_cluster_parameter_group (family
# aurora-postgresql16) setting 800: orders 800, capacity 797; its instance
# orders_1 with db_parameter_group_name "orders-instance" setting 900 wins
# (AWS applies the instance's group over its cluster's): 900, capacity 897.
tfa_pg() { # NAME.json INSTANCE-GROUP?: the Aurora plan with the groups
	$PY -c 'import json,sys
p = json.load(open(sys.argv[1])); r = p["planned_values"]["root_module"]["resources"]
r[0]["values"]["db_cluster_parameter_group_name"] = "orders-cluster"; r.append(json.loads(sys.argv[2]))
if sys.argv[3]:
    r[3]["values"]["db_parameter_group_name"] = "orders-instance"; r.append(json.loads(sys.argv[3]))
print(json.dumps(p, separators=(",", ":")))' "$TA/plan.json" "$(pg_group aws_rds_cluster_parameter_group orders orders-cluster 800 | sed 's/postgres16/aurora-postgresql16/')" "$2" >"$TMP/tfa/$1"
	sed "s/plan.json/$1/" "$TA/connbudget.yaml" >"$TMP/tfa/${1%.json}.yaml"
}
tfa_pg cpg.json ""
expect_rc 0 "terraform cluster parameter group" "$CB" check --format json "$TMP/tfa/cpg.yaml"
contains "$(db_figs)" "orders 800 797" "terraform: max_connections from an aws_rds_cluster_parameter_group"
lacks "$out" "ChangeMe-" "terraform: a cluster's password is never read beside its parameter group"
tfa_pg ipg.json "$(pg_group aws_db_parameter_group orders_instance orders-instance 900 | sed 's/postgres16/aurora-postgresql16/')"
expect_rc 0 "terraform instance parameter group" "$CB" check --format json "$TMP/tfa/ipg.yaml"
contains "$(db_figs)" "orders 900 897" "terraform: a cluster instance's own parameter group wins over its cluster's"

# RDS Proxy (testdata/sources/terraform-proxy/plan.json). proxy: from: its
# aws_db_proxy orders (engine_family POSTGRESQL), whose
# aws_db_proxy_default_target_group (db_proxy_name "orders-proxy") has
# max_connections_percent 50: cap floor(1654 x 50 / 100) = 827 of orders
# (db.r6g.large, 1654). Its clients: api reserved 50 x DB_POOL 1 = 50,
# ingest 200 x 2 = 400: client demand 450, server min(827, 450) = 450.
TP=$S/terraform-proxy
mkdir -p "$TMP/tfp" && cp "$TP/plan.json" "$TP/connbudget.yaml" "$TMP/tfp/"
expect_rc 0 "terraform rds proxy" "$CB" check --format json "$TP/connbudget.yaml"
contains "$(proxy_figs)" "proxy rds_proxy 50 827 450" "terraform: an RDS Proxy's percent from its default target group"
contains "$(db_figs)" "orders 1654 1651" "terraform: the proxy's database from its aws_db_instance"
lacks "$out" "ChangeMe-" "terraform: the proxy's database password is never read"
# the topology's 80 against the target group's 50: CB018 at the plan
sed 's|^    from: terraform:aws_db_proxy/orders .*|&\n    max_connections_percent: 80|' "$TP/connbudget.yaml" >"$TMP/tfp/drift.yaml"
expect_rc 1 "terraform rds proxy CB018" "$CB" check -q "$TMP/tfp/drift.yaml"
contains "$out" "error: max_connections_percent is 80 in the topology but 50 in '$TMP/tfp/plan.json' (max_connections_percent of aws_db_proxy/orders) [CB018 config-mismatch]" "terraform: CB018 on a proxy's percent"
contains "$(printf '%s\n' "$out" | grep CB018)" "$TMP/tfp/plan.json:1:" "terraform: CB018 on a proxy cites the plan"
expect_rc 1 "terraform rds proxy sarif" "$CB" check --format sarif "$TMP/tfp/drift.yaml"
contains "$out" '{"fullyQualifiedName":"poolers.proxy","kind":"object"},{"fullyQualifiedName":"aws_db_proxy.orders","kind":"resource"}' "terraform: SARIF names a proxy's resource address"
contains "$out" '{"fullyQualifiedName":"databases.orders","kind":"object"},{"fullyQualifiedName":"aws_db_instance.orders","kind":"resource"}' "terraform: SARIF names a database's resource address"
# reports: its target group's db_proxy_name is known only after apply, so the
# group is the one whose configuration references aws_db_proxy.reports; it
# sets no connection_pool_config: AWS's default 100, cap 1654 x 100 / 100 =
# 1654. A topology value stands beside a default: 30 gives 496, no CB018.
sed 's|aws_db_proxy/orders|aws_db_proxy/reports|' "$TP/connbudget.yaml" >"$TMP/tfp/reports.yaml"
expect_rc 0 "terraform rds proxy by reference" "$CB" check --format json "$TMP/tfp/reports.yaml"
contains "$(proxy_figs)" "proxy rds_proxy 100 1654 450" "terraform: a target group by reference, AWS's default percent"
sed 's|^    from: terraform:aws_db_proxy/orders .*|    from: terraform:aws_db_proxy/reports\n    max_connections_percent: 30|' "$TP/connbudget.yaml" >"$TMP/tfp/reports30.yaml"
expect_rc 0 "terraform rds proxy default beside the topology" "$CB" check --format json "$TMP/tfp/reports30.yaml"
contains "$(proxy_figs)" "proxy rds_proxy 30 496 450" "terraform: the topology's percent stands beside AWS's default"
lacks "$out" "CB018" "terraform: a default percent is no mismatch"
# bad plans and bindings: exit 2, at the plan (or the from:)
sed 's|aws_db_proxy/orders|aws_db_proxy/legacy|' "$TP/connbudget.yaml" >"$TMP/tfp/mysql.yaml"
expect_rc 2 "terraform rds proxy mysql" "$CB" check "$TMP/tfp/mysql.yaml"
contains "$err" "mysql.yaml:18:11: error: from: no aws_db_proxy \"legacy\" in the terraform sources" "terraform: a MySQL proxy is no pooler"
sed 's|type: rds_proxy|type: pgbouncer|' "$TP/connbudget.yaml" >"$TMP/tfp/type.yaml"
expect_rc 2 "terraform rds proxy as a pgbouncer" "$CB" check "$TMP/tfp/type.yaml"
contains "$err" "type.yaml:18:11: error: poolers.proxy: from: names aws_db_proxy/orders, an RDS Proxy: write type: rds_proxy" "terraform: a proxy binds an rds_proxy"
sed 's|aws_db_proxy/orders|aws_lambda_function/api|' "$TP/connbudget.yaml" >"$TMP/tfp/notproxy.yaml"
expect_rc 2 "terraform rds proxy from a function" "$CB" check "$TMP/tfp/notproxy.yaml"
contains "$err" "notproxy.yaml:18:11: error: from: no aws_lambda_function \"api\"" "terraform: an rds_proxy's from: never names a function"
tfp_edit() { plan_edit "$TP" "$TMP/tfp" "$@"; }
tfp_edit pct.json 'r[2]["values"]["connection_pool_config"][0]["max_connections_percent"] = 150'
expect_rc 2 "terraform rds proxy percent out of range" "$CB" check "$TMP/tfp/pct.yaml"
contains "$err" "pct.json:1:" "terraform: a proxy's bad percent, at the plan"
contains "$err" "aws_db_proxy/orders max_connections_percent" "terraform: a proxy's bad percent says where it comes from"
tfp_edit cfg.json 'r[2]["values"]["connection_pool_config"] = {"max_connections_percent": 50}'
expect_rc 2 "terraform rds proxy config not a list" "$CB" check "$TMP/tfp/cfg.yaml"
contains "$err" "cfg.json:1:" "terraform: a connection_pool_config not a list, at the plan"
contains "$err" "error: connection_pool_config: expected a list of one block" "terraform: a connection_pool_config not a list"

# Google Cloud SQL (testdata/sources/terraform-cloudsql/plan.json). orders:
# from: its google_sql_database_instance (POSTGRES_16), whose settings'
# database_flags set max_connections "500": capacity 500 - 3 = 497. api 6 x
# 20 = 120. The catalog holds no Cloud SQL figures, so reports (flags
# without max_connections) gives none: exit 2 at the from:, unless the
# topology writes it. The MySQL instance legacy is no database.
TG=$S/terraform-cloudsql
mkdir -p "$TMP/tfg" && cp "$TG/plan.json" "$TG/connbudget.yaml" "$TMP/tfg/"
expect_rc 0 "terraform cloud sql" "$CB" check --format json "$TG/connbudget.yaml"
contains "$(db_figs)" "orders 500 497" "terraform: a Cloud SQL instance's max_connections flag"
lacks "$out$err" "ChangeMe-" "terraform: a Cloud SQL root or user password is never read"
sed 's|^    from: terraform:google_sql_database_instance/orders .*|&\n    max_connections: 400|' "$TG/connbudget.yaml" >"$TMP/tfg/drift.yaml"
expect_rc 1 "terraform cloud sql CB018" "$CB" check -q "$TMP/tfg/drift.yaml"
contains "$out" "error: max_connections is 400 in the topology but 500 in '$TMP/tfg/plan.json' (database_flags max_connections of google_sql_database_instance/orders) [CB018 config-mismatch]" "terraform: CB018 on a Cloud SQL flag"
sed 's|google_sql_database_instance/orders|google_sql_database_instance/reports|' "$TG/connbudget.yaml" >"$TMP/tfg/noflag.yaml"
expect_rc 2 "terraform cloud sql without the flag" "$CB" check "$TMP/tfg/noflag.yaml"
contains "$err" "noflag.yaml:12:11: error: databases.orders: missing max_connections: terraform:google_sql_database_instance/reports gives neither it nor an instance class the catalog knows; write max_connections" "terraform: a Cloud SQL instance without the flag says what to write"
sed 's|^    from: terraform:google_sql_database_instance/reports .*|&\n    max_connections: 600|' "$TMP/tfg/noflag.yaml" >"$TMP/tfg/written.yaml"
expect_rc 0 "terraform cloud sql the topology's figure" "$CB" check --format json "$TMP/tfg/written.yaml"
contains "$(db_figs)" "orders 600 597" "terraform: without the flag the topology's max_connections stands"
sed 's|google_sql_database_instance/orders|google_sql_database_instance/legacy|' "$TG/connbudget.yaml" >"$TMP/tfg/mysql.yaml"
expect_rc 2 "terraform cloud sql mysql" "$CB" check "$TMP/tfg/mysql.yaml"
contains "$err" "mysql.yaml:12:11: error: from: no google_sql_database_instance \"legacy\" in the terraform sources" "terraform: a Cloud SQL MySQL instance is no database"
tfg_edit() { plan_edit "$TG" "$TMP/tfg" "$@"; }
tfg_edit lots.json 'r[0]["values"]["settings"][0]["database_flags"][0]["value"] = "lots"'
expect_rc 2 "terraform cloud sql flag not a number" "$CB" check "$TMP/tfg/lots.yaml"
contains "$err" "lots.json:1:" "terraform: a bad Cloud SQL flag, at the plan"
contains "$err" "database_flags max_connections" "terraform: a bad Cloud SQL flag says where it comes from"
tfg_edit flags.json 'r[0]["values"]["settings"][0]["database_flags"] = {"max_connections": "500"}'
expect_rc 2 "terraform cloud sql flags not a list" "$CB" check "$TMP/tfg/flags.yaml"
contains "$err" "error: settings.database_flags: expected a list of {name, value} blocks" "terraform: Cloud SQL flags not a list"
tfg_edit settings.json 'r[0]["values"]["settings"] = {"tier": "db-custom-4-16384"}'
expect_rc 2 "terraform cloud sql settings not a list" "$CB" check "$TMP/tfg/settings.yaml"
contains "$err" "error: settings: expected a list of one block" "terraform: Cloud SQL settings not a list"

finish
