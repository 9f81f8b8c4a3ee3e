#!/bin/bash
# tests/sources_real.sh - sources: (docs/sources.md) on real public manifests
# copied into testdata/sources/real/, each file's origin in its first line.
# Every figure is computed by hand in the comments, from the manifest as its
# authors wrote it; where a manifest has no database url, the topology binds
# a client to it with from: and gives the pool.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
R=testdata/sources/real

# figs DIR: "id type steady peak replicas max_replicas surge discovered kind
# namespace container" for each client of DIR's topology, from --format json
# (exit status in $rc, as expect_rc leaves it).
# client_figs LABEL DIR FIGS: DIR's topology passes, and a client's figures are FIGS.
client_figs() {
	expect_rc 0 "$1" "$CB" check --format json "$R/$2/connbudget.yaml"
	contains "$(figs)" "$3" "$1"
}

figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
d = json.load(sys.stdin)
for c in d["clients"]:
    s = c.get("source") or {}
    print(c["id"], c["type"], c["steady"], c["peak"], c.get("replicas"), c.get("max_replicas"), c.get("surge"),
          c["discovered"], s.get("kind"), s.get("namespace"), s.get("container"))'
}

# Every file keeps its origin on its first line.
for f in $(find "$R" -type f ! -name connbudget.yaml | sort); do
	case "$(head -1 "$f")" in
	"# Origin: https://github.com/"*"/blob/"*"(license "*"), copied 2026-12-03; "*) ok ;;
	*) bad "$f: no origin line" ;;
	esac
done

# kubernetes/website application/deployment.yaml: nginx-deployment, replicas
# 2, no strategy: surge 25% of 2 = 0.5, rounded up 1. Pool 10 (topology):
# steady 2 x 10 = 20, peak (2 + 1) x 10 = 30.
client_figs "Kubernetes docs Deployment" k8s-deployment "nginx service 20 30 2 2 1 False deployment default nginx"

# kubernetes/website php-apache.yaml + hpa/php-apache.yaml (autoscaling/v2,
# flow style): no spec.replicas, so the HPA's minReplicas 1; maxReplicas 10,
# surge 25% of 10 = 2.5, rounded up 3. Pool 5: steady 1 x 5 = 5, peak
# (10 + 3) x 5 = 65.
client_figs "Kubernetes docs HPA walkthrough" k8s-hpa "php-apache service 5 65 1 10 3 False deployment default php-apache"

# kubernetes/website web/web.yaml: StatefulSet web, replicas 2, surge 0
# (the headless Service beside it is skipped). Pool 10: 20 and 20.
client_figs "Kubernetes docs StatefulSet" k8s-statefulset "web service 20 20 2 2 0 False statefulset default nginx"

# kubernetes/website job/cronjob.yaml: CronJob hello (batch/v1beta1), no
# parallelism: 1 x 2 = 2. job/indexed-job.yaml (flow style, a multi-line
# escaped string): parallelism 3 (completions 5 run 3 at a time), the
# initContainer "input" is not the worker: 3 x 2 = 6.
expect_rc 0 "k8s jobs" "$CB" check --format json "$R/k8s-jobs/connbudget.yaml"
f=$(figs)
contains "$f" "hello job 2 2 1 1 0 False cronjob default hello" "Kubernetes docs CronJob"
contains "$f" "indexed job 6 6 3 3 0 False job default worker" "Kubernetes docs Indexed Job"

# argo-rollouts examples/rollout-canary.yaml: replicas 5, canary steps, no
# maxSurge: 25% of 5 = 1.25, rounded up 2. Pool 10: 50, (5 + 2) x 10 = 70.
client_figs "Argo canary" argo-canary "demo service 50 70 5 5 2 False rollout default rollouts-demo"

# examples/rollout-bluegreen.yaml: replicas 2, blueGreen: the preview stack
# is 100% of 2 beside the active one. Pool 10: 20, (2 + 2) x 10 = 40.
client_figs "Argo blue-green" argo-bluegreen "demo service 20 40 2 2 2 False rollout default rollouts-demo"

# examples/rollout-rolling-update.yaml: replicas 5, canary without steps,
# maxSurge 1. Pool 10: 50, (5 + 1) x 10 = 60.
client_figs "Argo canary maxSurge 1" argo-rolling-update "demo service 50 60 5 5 1 False rollout default rollouts-demo"

# examples/traffic-management/rollout-linkerd.yaml: replicas 5, a canary
# with trafficRouting (SMI). Argo keeps the stable ReplicaSet fully scaled
# while the canary grows to its weight, 100% at promotion: surge 100% of 5
# = 5 (maxSurge is not used with trafficRouting). Pool 10: 50,
# (5 + 5) x 10 = 100.
client_figs "Argo canary with trafficRouting" argo-linkerd "demo service 50 100 5 5 5 False rollout default rollouts-demo"

# examples/workload-ref/workload-ref.yaml: the Rollout (replicas 5, canary,
# no maxSurge: 25% of 5 rounded up 2) runs the pod template of a Deployment
# kept at replicas 0: its container is the Deployment's. Pool 10: 50,
# (5 + 2) x 10 = 70; the Deployment, bound to nothing, is no client.
expect_rc 0 "argo workloadRef" "$CB" check --format json "$R/argo-workload-ref/connbudget.yaml"
f=$(figs)
contains "$f" "demo service 50 70 5 5 2 False rollout default rollouts-demo" "Argo Rollout with workloadRef"
lacks "$f" "rollout-ref-deployment" "the template's Deployment is not a client"
# The same with a DATABASE_URL and DB_POOL 4 in the template, unbound: the
# Rollout is discovered with the template's env, 5 x 4 = 20, (5 + 2) x 4 =
# 28; the Deployment too, at its own 0 replicas: 0 and 0.
mkdir -p "$TMP/wref"
sed 's/^          imagePullPolicy: Always$/          imagePullPolicy: Always\n          env: [ { name: DATABASE_URL, value: "postgres:\/\/db:5432\/app" }, { name: DB_POOL, value: "4" } ]/' \
	"$R/argo-workload-ref/workload-ref.yaml" >"$TMP/wref/w.yaml"
printf 'version: 1\nsources: [{kubernetes: w.yaml, env: {pool.size: DB_POOL}}]\ndatabases:\n  app: { max_connections: 200, host: db }\n' >"$TMP/wref/connbudget.yaml"
run "$CB" check --format json "$TMP/wref/connbudget.yaml"
f=$(figs)
contains "$f" "service 20 28 5 5 2 True rollout default rollouts-demo" "workloadRef: the Rollout discovered with its template's env"
contains "$f" "service 0 0 0 0 0 True deployment default rollouts-demo" "workloadRef: the Deployment at its own replicas"

# cloudnative-pg docs/src/samples/pooler-external.yaml: instances 3, surge
# 25% of 3 = 0.75, rounded up 1: instances 3 and 4; default_pool_size "10":
# cap 4 x 10 = 40, cap_steady 3 x 10 = 30; max_client_conn "1000": client
# limit 3 x 1000 = 3000. pooler-deployment-strategy.yaml: instances 1,
# deploymentStrategy maxSurge 0: instances 1 and 1; no parameters, the
# topology's default_pool_size 20: cap 20, cap_steady 20, PgBouncer's
# max_client_conn 100: client limit 100. No client: server peak 0.
expect_rc 0 "cnpg poolers" "$CB" check --format json "$R/cnpg-pooler/connbudget.yaml"
f=$(printf '%s' "$out" | $PY -c 'import json,sys
for p in json.load(sys.stdin)["poolers"]:
    print(p["id"], p["instances"]["steady"], p["instances"]["peak"], p["cap"], p["cap_steady"], p["client_limit"], p["server"]["peak"])')
contains "$f" "external 3 4 40 30 3000 0" "CloudNativePG Pooler with parameters"
contains "$f" "strategy 1 1 20 20 100 0" "CloudNativePG Pooler with maxSurge 0"
lacks "$out" "CB018" "no drift between the samples and the topology"

# kedacore/sample-go-rabbitmq deploy/deploy-consumer.yaml: no spec.replicas,
# ScaledObject maxReplicaCount 30, minReplicaCount absent: 0 replicas;
# surge 25% of 30 = 7.5, rounded up 8. Pool 2: steady 0, peak
# (30 + 8) x 2 = 76. The Secret in the stream is never read.
client_figs "KEDA ScaledObject" keda-rabbitmq "consumer worker 0 76 0 30 8 False deployment default rabbitmq-consumer"
lacks "$out" "YW1xcDov" "the Secret's data is never printed"

# hasura/graphql-engine install-manifests/kubernetes/deployment.yaml:
# replicas 1, surge 25% of 1 rounded up 1; HASURA_GRAPHQL_PG_CONNECTIONS
# unset, the topology's 50: steady 50, peak (1 + 1) x 50 = 100. Its url is
# the placeholder it ships with, its password masked (CB013).
client_figs "Hasura Deployment" hasura-k8s "hasura service 50 100 1 1 1 False deployment default hasura"
expect_rc 0 "hasura k8s text" "$CB" check -q "$R/hasura-k8s/connbudget.yaml"
contains "$out" "$R/hasura-k8s/deployment.yaml:27:18: warning: client 'hasura' has a password in its url 'postgres://username:***@hostname:port/dbname' [CB013 password-in-url]" "CB013 on the placeholder url"

# install-manifests/google-cloud-k8s-sql/deployment.yaml: graphql-engine
# beside the cloudsql-proxy sidecar, the url in the command line: container:
# picks graphql-engine. 1 replica, surge 1, pool 50: 50 and 100.
client_figs "Hasura with the Cloud SQL proxy" hasura-cloudsql "hasura service 50 100 1 1 1 False deployment default graphql-engine"
mkdir -p "$TMP/cloudsql" && cp "$R/hasura-cloudsql/"* "$TMP/cloudsql/"
sed -i '/container: graphql-engine/d' "$TMP/cloudsql/connbudget.yaml"
expect_rc 2 "two containers, none named" "$CB" check "$TMP/cloudsql/connbudget.yaml"
contains "$err" "deployment/hasura has 2 containers and none sets the url variable: say which with container:" "asks for container:"

# install-manifests/docker-compose/docker-compose.yaml: graphql-engine, one
# replica (compose: no surge), pool 50: 50 and 50. Its url has an empty
# password (postgres:@postgres): no CB013.
client_figs "Hasura compose" hasura-compose "graphql-engine service 50 50 1 1 0 False service None graphql-engine"
lacks "$out" "CB013" "an empty password is no password"

# umami-software/umami docker-compose.yml: DATABASE_URL
# postgresql://umami:umami@db:5432/umami names the declared db: umami is
# discovered; nothing gives its pool size: CB020, figures unknown, the
# database's demand a lower bound of 0.
expect_rc 1 "umami discovered" "$CB" check --format json "$R/umami-compose/connbudget.yaml"
contains "$(figs)" "umami service None None 1 1 0 True service None umami" "Umami discovered"
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; print(json.load(sys.stdin)["databases"][0]["demand"])')" "{'steady': 0, 'peak': 0, 'unbounded': False, 'lower_bound': True}" "a lower bound"
expect_rc 1 "umami text" "$CB" check -q "$R/umami-compose/connbudget.yaml"
contains "$out" "$R/umami-compose/docker-compose.yml:4:3: error: client 'umami' (service/umami) has no pool size" "CB020 at the service"
contains "$out" "$R/umami-compose/docker-compose.yml:9:21: warning: client 'umami' has a password in its url 'postgresql://umami:***@db:5432/umami' [CB013 password-in-url]" "CB013 at the url"
# Umami runs Prisma: bound with from:, framework prisma and 2 CPUs, its
# pool is 2 x 2 + 1 = 5: steady and peak 5.
mkdir -p "$TMP/umami" && cp "$R/umami-compose/docker-compose.yml" "$TMP/umami/"
cp "$R/umami-compose/connbudget.yaml" "$TMP/umami/"
printf 'clients:\n  umami:\n    type: service\n    from: compose:service/umami\n    connects_to: db\n    framework: prisma\n    cpus: 2\n' >>"$TMP/umami/connbudget.yaml"
expect_rc 0 "umami prisma" "$CB" check --format json "$TMP/umami/connbudget.yaml"
contains "$(figs)" "umami service 5 5 1 1 0 False service None umami" "Umami as Prisma"

# miniflux/v2 contrib/docker-compose/basic.yml: environment as a list, a
# DATABASE_URL with no port (5432); DATABASE_MAX_CONNS unset, the
# topology's 20 (Miniflux's default): 1 x 20 = 20 and 20.
client_figs "Miniflux compose" miniflux-compose "miniflux service 20 20 1 1 0 False service None miniflux"
contains "$out" "postgres://miniflux:***@db/miniflux?sslmode=disable" "the list's url, masked"
lacks "$out" "secret@db" "the password is never printed"

# apache/airflow airflow-core/docs/howto/docker-compose/docker-compose.yaml:
# the scheduler's environment comes from the x-airflow-common anchor through
# a merge key; 1 replica, framework sqlalchemy (QueuePool 5 + overflow 10,
# neither variable set): 1 x 15 = 15, and 15. The url's password is
# masked at the anchor's line. The seven other services (airflow-apiserver,
# -dag-processor, -worker, -triggerer, -init, -cli, flower) set the same
# SQLAlchemy url (postgresql+psycopg2://), whose host postgres:5432 is
# declared: each is discovered, and nothing gives its pool size (CB020).
expect_rc 1 "airflow compose" "$CB" check --format json "$R/airflow-compose/connbudget.yaml"
f=$(figs)
contains "$f" "scheduler service 15 15 1 1 0 False service None airflow-scheduler" "Airflow scheduler through anchors"
for s in airflow-apiserver airflow-dag-processor airflow-worker airflow-triggerer airflow-init airflow-cli flower; do
	contains "$f" "$s service None None" "Airflow $s discovered through its SQLAlchemy url"
done
expect_rc 1 "airflow text" "$CB" check -q "$R/airflow-compose/connbudget.yaml"
contains "$out" "$R/airflow-compose/docker-compose.yaml:61:42: warning: client 'scheduler' has a password in its url 'postgresql+psycopg2://airflow:***@postgres/airflow' [CB013 password-in-url]" "CB013 at the anchor"
contains "$out" "[CB020 unknown-pool-size]" "CB020 for the discovered services"
lacks "$out" "airflow:airflow@" "the password is never printed"

# dockersamples/example-voting-app docker-stack.yml (a Swarm stack):
# worker deploy.replicas 2, one connection each: 2 x 1 = 2; result, no
# deploy: 1 replica, framework node-postgres (pg.Pool max 10): 10. Compose
# has no surge: peak = steady. vote (Redis only) is bound to nothing.
expect_rc 0 "voting app stack" "$CB" check --format json "$R/voting-app-stack/connbudget.yaml"
f=$(figs)
contains "$f" "worker worker 2 2 2 2 0 False service None worker" "deploy.replicas 2"
contains "$f" "result service 10 10 1 1 0 False service None result" "no deploy: 1 replica"
lacks "$f" "vote" "a service no client names is not read as one"

# Kong/kubernetes-ingress-controller deploy/single/all-in-one-postgres.yaml,
# rendered (CRDs, RBAC, Services, a Namespace, an IngressClass around the
# workloads). ingress-kong: replicas 1, surge 25% of 1 rounded up 1;
# container proxy (the ingress-controller beside it has no database),
# KONG_NGINX_WORKER_PROCESSES "2" processes, 30 connections per worker
# (topology): steady 1 x 2 x 30 = 60, peak (1 + 1) x 2 x 30 = 120.
# kong-migrations: a Job, parallelism absent 1, one connection: 1 and 1.
# The postgres StatefulSet sets no url: no client.
expect_rc 0 "kong all-in-one" "$CB" check --format json "$R/kong-postgres/connbudget.yaml"
f=$(figs)
contains "$f" "kong service 60 120 1 1 1 False deployment kong proxy" "Kong proxy, processes from its env"
contains "$f" "migrations job 1 1 1 1 0 False job kong kong-migrations" "Kong migrations Job"
lacks "$f" "postgres" "the database's own StatefulSet is no client"

finish
