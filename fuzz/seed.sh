#!/bin/sh
# seed.sh - build the fuzzers' seed corpora: every *.yaml under testdata/
# for the YAML targets (load, pipeline) in DIR; the manifests and compose
# files of testdata/sources/ in DIR-source, its Terraform plans in
# DIR-terraform; every postgresql.conf,
# pgbouncer.ini, pgcat.toml and odyssey.conf (*.conf, *.ini, *.sample, *.toml) for fuzz_config in DIR-config;
# every url: of those YAML files and a few connection strings for
# fuzz_conninfo in DIR-conninfo.
#
#   fuzz/seed.sh [DIR]     (default build/fuzz/seed)
#
# Each file is copied flat, its path folded into its name
# (testdata/invalid/alias-bomb.yaml → testdata_invalid_alias-bomb.yaml), so a
# crash found from a seed still points back at its source. Files larger than
# the fuzzers' -max_len (64 KiB) are skipped: libFuzzer would cut them anyway.
# The directory is rebuilt from scratch, so removed testdata leaves no seed.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build/fuzz/seed}
max=65536
rm -rf "$out"
mkdir -p "$out"
n=0
skipped=0
for f in $(find testdata -type f -name '*.yaml' | LC_ALL=C sort); do
	if [ "$(wc -c <"$f")" -gt "$max" ]; then
		skipped=$((skipped + 1))
		continue
	fi
	cp "$f" "$out/$(printf '%s' "$f" | tr '/' '_')"
	n=$((n + 1))
done
# A minimal valid topology, so the corpus is never empty on a fresh clone.
printf 'version: 1\ndatabases:\n  main:\n    max_connections: 100\n' >"$out/minimal.yaml"
n=$((n + 1))
echo "fuzz seed corpus: $n files in $out ($skipped larger than $max bytes skipped)"

rm -rf "$out-config" "$out-conninfo"
mkdir -p "$out-config" "$out-conninfo"
n=0
for f in $(find testdata -type f \( -name '*.conf' -o -name '*.ini' -o -name '*.sample' -o -name '*.toml' \) | LC_ALL=C sort); do
	[ "$(wc -c <"$f")" -le "$max" ] || continue
	cp "$f" "$out-config/$(printf '%s' "$f" | tr '/' '_')"
	n=$((n + 1))
done
printf 'max_connections = 100\n' >"$out-config/minimal.conf"
printf '[databases]\nmain = host=db port=5432\n[pgbouncer]\npool_mode = transaction\n' >"$out-config/minimal.ini"
echo "fuzz seed corpus: $((n + 2)) files in $out-config"

# One url: value per file, its quotes removed (a folded >- value is skipped).
n=0
find testdata -type f -name '*.yaml' -exec grep -h '^[[:space:]]*url:' {} + |
	sed -e 's/^[[:space:]]*url:[[:space:]]*//' -e 's/[[:space:]]#.*$//' -e "s/^[\"']\(.*\)[\"']\$/\1/" |
	grep -v '^[>|]' | LC_ALL=C sort -u >"$out-conninfo/.urls"
while IFS= read -r u; do
	n=$((n + 1))
	printf '%s' "$u" >"$out-conninfo/url-$n"
done <"$out-conninfo/.urls"
rm -f "$out-conninfo/.urls"
for u in 'postgresql://u:p%40ss@h1:5432,h2:6432/db?password=x&sslmode=require' \
	"host=a port=1 password='it''s' user=\\'x" 'jdbc:postgresql://h/db?user=a&password=b' \
	'postgres://[::1]:5432/db' 'password=${PW} host=/var/run/postgresql'; do
	n=$((n + 1))
	printf '%s' "$u" >"$out-conninfo/url-$n"
done
echo "fuzz seed corpus: $n files in $out-conninfo"

# The manifests and compose files of testdata/sources/ and the rules' cases.
rm -rf "$out-source"
mkdir -p "$out-source"
n=0
for f in $(find testdata/sources testdata/rules -path '*k8s*' -name '*.yaml' -o -path 'testdata/sources/*' -name '*.y*ml' | LC_ALL=C sort -u); do
	[ "$(wc -c <"$f")" -le "$max" ] || continue
	cp "$f" "$out-source/$(printf '%s' "$f" | tr '/' '_')"
	n=$((n + 1))
done
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers:\n        - env: [{name: DATABASE_URL, value: "postgres://db:5432/x"}, {name: DB_POOL, value: "3"}]\n' >"$out-source/minimal.yaml"
printf 'custom: {pool: 2}\nprovider:\n  environment: {DATABASE_URL: "postgres://db:5432/x", DB_POOL: "${self:custom.pool}"}\nfunctions:\n  f: {handler: h.f, reservedConcurrency: 5, provisionedConcurrency: 1, environment: {DB_POOL: "${env:P}"}}\n' >"$out-source/minimal-serverless.yml"
printf 'Parameters: {N: {Default: 3}}\nResources:\n  F: {Type: AWS::Serverless::Function, Properties: {ReservedConcurrentExecutions: !Ref N, Environment: {Variables: {DATABASE_URL: !Sub "postgres://${H}:5432/x", DB_POOL: !FindInMap [M, a, b]}}}}\n  S: {Type: AWS::ECS::Service, Properties: {DesiredCount: 2, TaskDefinition: !Ref T}}\n  T: {Type: AWS::ECS::TaskDefinition, Properties: {ContainerDefinitions: [{Name: c, Environment: [{Name: DATABASE_URL, Value: "postgres://db:5432/x"}]}]}}\n  A: {Type: AWS::ApplicationAutoScaling::ScalableTarget, Properties: {MaxCapacity: 4, ResourceId: !Join ["/", [service, c, !GetAtt S.Name]]}}\n' >"$out-source/minimal-cloudformation.yaml"
echo "fuzz seed corpus: $((n + 3)) files in $out-source"

# The Terraform plans of testdata/sources/terraform*/ (fuzz_terraform).
rm -rf "$out-terraform"
mkdir -p "$out-terraform"
n=0
for f in $(find testdata/sources -path 'testdata/sources/terraform*' -name '*.json' | LC_ALL=C sort); do
	[ "$(wc -c <"$f")" -le "$max" ] || continue
	cp "$f" "$out-terraform/$(printf '%s' "$f" | tr '/' '_')"
	n=$((n + 1))
done
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"aws_ecs_service","name":"s","values":{"desired_count":2,"task_definition":"t:1"}},{"mode":"managed","type":"aws_ecs_task_definition","name":"t","values":{"family":"t","container_definitions":"[{\"name\":\"c\",\"environment\":[{\"name\":\"DATABASE_URL\",\"value\":\"postgres://db:5432/x\"},{\"name\":\"DB_POOL\",\"value\":\"3\"}]}]"}}]}}}' >"$out-terraform/minimal.json"
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"azurerm_postgresql_flexible_server","name":"db","values":{"sku_name":"GP_Standard_D4ds_v5","id":"/s/db"}},{"mode":"managed","type":"azurerm_postgresql_flexible_server_configuration","name":"a","values":{"name":"max_connections","server_id":"/s/db","value":"500"}},{"mode":"managed","type":"azurerm_postgresql_flexible_server","name":"db2","values":{"sku_name":"MO_Standard_E4ds_v5"}},{"mode":"managed","type":"azurerm_postgresql_flexible_server_configuration","name":"b","values":{"name":"max_connections","value":"400"}}]}},"configuration":{"root_module":{"resources":[{"type":"azurerm_postgresql_flexible_server_configuration","name":"b","expressions":{"server_id":{"references":["azurerm_postgresql_flexible_server.db2.id"]}}}]}}}' >"$out-terraform/minimal-azure.json"
echo "fuzz seed corpus: $((n + 2)) files in $out-terraform"
