#!/usr/bin/env bash
# hostile.sh - what reaches a terminal, a CI log or a document when the
# input is crafted (docs/security.md "What reaches your terminal"): YAML
# escapes (\e, \n, \u202e, \u0085) in values, a forged "file:line:col:
# error:" line, "::error::" and "::add-mask::" workflow commands, Markdown
# markup and a mention, and invalid UTF-8 in an included file's name, run
# through every --format of check and report and through the error path.
# Every output must hold no raw control byte but the line feeds of its own
# lines, no line that begins with a forged prefix, valid UTF-8, and JSON,
# SARIF, JUnit and github output must validate. Ends with
# "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/hostile.sh      (make cli)
set -u
cd "$(dirname "$0")/.." || exit 2
CB=${CONNBUDGET:-build/connbudget}
FORMATS="text gcc github json sarif junit markdown mermaid dot"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The checker: FORMAT FILE; prints one line per problem, exit 1 on any.
cat >"$TMP/check.py" <<'PY'
import re, sys
fmt, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
problems = []
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    problems.append('invalid UTF-8: %s' % e)
    text = data.decode('utf-8', 'replace')
hidden = set(range(0x20)) - {0x0A} | {0x7F} | set(range(0x80, 0xA0)) | \
    {0x061C, 0x200E, 0x200F, 0x2028, 0x2029} | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
if fmt in ('json', 'sarif', 'junit'):
    # documents keep exact values: only what JSON and XML escape must not be raw
    hidden = set(range(0x20)) - {0x0A}
for i, ch in enumerate(text):
    if ord(ch) in hidden:
        problems.append('raw U+%04X at character %d' % (ord(ch), i))
        break
for line in text.split('\n'):
    s = line.lstrip()
    for forged in ('evil.yaml', '::error::x', '::add-mask::', '::stop-commands'):
        if s.startswith(forged):
            problems.append('a forged line: %r' % line[:80])
    if fmt == 'github' and line and not re.match(r'::(error|warning|notice) file=', line):
        problems.append('not a workflow command: %r' % line[:80])
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY

# check_out WHAT FORMAT FILE
check_out() {
	local what=$1 fmt=$2 f=$3 msg
	if msg=$(/usr/bin/python3 "$TMP/check.py" "$fmt" "$f"); then ok; else bad "$what: $msg"; fi
}

# validate WHAT KIND FILE: tests/validate.py KIND
validate() {
	local msg
	if msg=$(/usr/bin/python3 tests/validate.py "$2" "$3" 2>&1); then ok; else bad "$1: $msg"; fi
}

mkdir -p "$TMP/t/parts"
# an included file whose name holds ESC, a line feed, a forged line and invalid UTF-8
evil_name=$'parts/x\e[2J\xff\xfe\nevil.yaml:1:1: error: forged.yaml'
cat >"$TMP/t/$evil_name" <<'Y'
clients:
  jobs:
    type: worker
    connects_to: main
    environment: "dev\e]52;c;aGVsbG8=\a"
    pool: { size: 10 }
Y
cat >"$TMP/t/top.yaml" <<'Y'
version: 1
include: ["parts/*.yaml"]
environment: "prod\e[2J\n::error::x"
databases:
  main:
    max_connections: 10
    cores: 1
    environment: "staging\u202e\u2066\u0085 @admin `x` | <b> &lt;"
clients:
  api:
    type: service
    connects_to: main
    environment: "staging\nevil.yaml:1:1: error: forged\r\n::add-mask::secret\n::error::x"
    replicas: 30
    pool: { size: 20 }
    url: "postgresql://h/db?application_name=\e[31mred"
Y

for cmd in check report; do
	for fmt in $FORMATS; do
		"$CB" $cmd --format "$fmt" "$TMP/t/top.yaml" >"$TMP/out" 2>"$TMP/err" </dev/null
		rc=$?
		if [ "$rc" = 1 ]; then ok; else bad "$cmd --format $fmt: exit $rc, want 1: $(head -c 300 "$TMP/err")"; fi
		check_out "$cmd --format $fmt stdout" "$fmt" "$TMP/out"
		check_out "$cmd --format $fmt stderr" text "$TMP/err"
		case $fmt in
		json) validate "$cmd json" report "$TMP/out" ;;
		sarif) validate "$cmd sarif" sarif "$TMP/out" ;;
		junit) validate "$cmd junit" junit "$TMP/out" ;;
		github) validate "$cmd github" github "$TMP/out" ;;
		esac
	done
done
# every_format LABEL TOPOLOGY: in each format, exit 1 or 2, no raw escape
# on stdout or stderr, and json and sarif valid
every_format() {
	local fmt rc
	for fmt in $FORMATS; do
		"$CB" check --format "$fmt" "$2" >"$TMP/out" 2>"$TMP/err" </dev/null
		rc=$?
		if [ "$rc" = 1 ] || [ "$rc" = 2 ]; then ok; else bad "$1 --format $fmt: exit $rc: $(head -c 300 "$TMP/err")"; fi
		check_out "$1 --format $fmt stdout" "$fmt" "$TMP/out"
		check_out "$1 --format $fmt stderr" text "$TMP/err"
		case $fmt in
		json) validate "$1 json" report "$TMP/out" ;;
		sarif) validate "$1 sarif" sarif "$TMP/out" ;;
		esac
	done
}
# a manifest (docs/sources.md) whose names and values carry the same
# escapes, bound with from: and discovered, its name in CB018's message
mkdir -p "$TMP/m"
cat >"$TMP/m/k8s.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: { name: "w\e[2J\nevil.yaml:1:1: error: forged", namespace: "n\u202e::error::x" }
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: "c\e]52;c;aGVsbG8=\a"
          env:
            - { name: DATABASE_URL, value: "postgresql://db:5432/app?application_name=\e[31mred" }
            - { name: DB_POOL, value: "3" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: "d.e", namespace: "ns" }
spec:
  template:
    spec:
      containers:
        - env:
            - { name: DATABASE_URL, value: "postgresql://db:5432/app" }
Y
cat >"$TMP/m/top.yaml" <<'Y'
version: 1
sources: [{kubernetes: k8s.yaml, env: {pool.size: DB_POOL}}]
databases:
  main: { max_connections: 10, host: db }
clients:
  api:
    type: service
    from: "kubernetes:deployment/w\e[2J\nevil.yaml:1:1: error: forged"
    connects_to: main
    replicas: 1
Y
every_format manifest "$TMP/m/top.yaml"

# a serverless.yml (docs/sources.md) whose function names carry the same
# escapes, bound with from: (CB018 names one), and bad input: exit 2 at file:line:col, no crash
mkdir -p "$TMP/sls"
cat >"$TMP/sls/serverless.yml" <<'Y'
custom: { a: "${self:custom.b}", b: "${self:custom.a}", n: 5, x: "\e[2J" }
provider:
  environment: { DATABASE_URL: "postgresql://db:5432/app?application_name=\e[31mred", DB_POOL: "${self:custom.a}" }
functions:
  "f\e[2J\nevil.yaml:1:1: error: forged": { handler: h.f, reservedConcurrency: 3 }
  "g\u202e::error::x": { handler: h.g, reservedConcurrency: "${self:custom.n}" }
Y
# hostile_top DIR KIND FILE LINE: DIR/top.yaml reads FILE, binds client f
# to the function "f\e[2J\nevil..." and has LINE, a second client
hostile_top() {
	{
		printf 'version: 1\nsources: [{%s: %s, env: {pool.size: DB_POOL}}]\n' "$2" "$3"
		printf 'databases:\n  main: { max_connections: 10, host: db }\nclients:\n'
		printf '  f: { type: serverless, from: "%s:function/f\\e[2J\\nevil.yaml:1:1: error: forged", connects_to: main, max_concurrency: 2 }\n' "$2"
		printf '%s\n' "$4"
	} >"$1/top.yaml"
}
hostile_top "$TMP/sls" serverless serverless.yml '  g: { type: serverless, from: "serverless:function/g\u202e::error::x", connects_to: main }'
every_format serverless "$TMP/sls/top.yaml"
# bad_source KIND NAME WANT: the file in $TMP/bad.y*ml behind a topology: exit 2, WANT (file:line:col: error: ...) on stderr
bad_source() {
	printf 'version: 1\nsources: [{%s: %s}]\ndatabases:\n  main: { max_connections: 10, host: db }\n' "$1" "$2" >"$TMP/bad-top.yaml"
	"$CB" check "$TMP/bad-top.yaml" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" = 2 ]; then ok; else bad "$1 $2: exit $rc, want 2"; fi
	if grep -qF -- "$3" "$TMP/err"; then ok; else bad "$1 $2: want \"$3\", got: $(head -c 300 "$TMP/err")"; fi
	case "$(cat "$TMP/err")" in *AddressSanitizer*|*"runtime error"*) bad "$1 $2: sanitizer report" ;; esac
}
printf 'functions:\n  f: { handler: h, reservedConcurrency: [1] }\n' >"$TMP/bad1.yml"
bad_source serverless bad1.yml "bad1.yml:2:41: error: reservedConcurrency: expected a number, got a sequence"
printf 'functions:\n  f: { handler: h, reservedConcurrency: ten, environment: { DATABASE_URL: "postgres://db:5432/x" } }\n' >"$TMP/bad2.yml"
bad_source serverless bad2.yml "bad2.yml:2:41: error: function/f reservedConcurrency: expected a non-negative integer"
printf 'functions: 3\n' >"$TMP/bad3.yml"
bad_source serverless bad3.yml "bad3.yml:1:12: error: functions: expected a mapping of name to function"
printf 'functions:\n  f: { handler: h\n' >"$TMP/bad4.yml"
bad_source serverless bad4.yml "bad4.yml:3:1: error: "

# a CloudFormation template whose logical ids and values carry the same
# escapes, bound with from:; Parameters whose Defaults refer to each other
mkdir -p "$TMP/cfn"
cat >"$TMP/cfn/t.yaml" <<'Y'
Parameters:
  A: { Default: !Ref B }
  B: { Default: !Ref A }
  H: { Default: "db\e[2J" }
Resources:
  "f\e[2J\nevil.yaml:1:1: error: forged":
    Type: AWS::Lambda::Function
    Properties:
      ReservedConcurrentExecutions: !Ref A
      Environment: { Variables: { DATABASE_URL: !Sub "postgresql://db:5432/app?application_name=${H}", DB_POOL: !Join ["", [!Join ["", [!Join ["", ["1"]]]]]] } }
  "S\u202e::error::x":
    Type: AWS::ECS::Service
    Properties: { DesiredCount: 2, DeploymentConfiguration: { MaximumPercent: 200 } }
Y
hostile_top "$TMP/cfn" cloudformation t.yaml '  s: { type: service, from: "cloudformation:service/S\u202e::error::x", connects_to: main, replicas: 3, pool: { size: 1 } }'
every_format cloudformation "$TMP/cfn/top.yaml"
printf 'Resources: 3\n' >"$TMP/bad5.yaml"
bad_source cloudformation bad5.yaml "bad5.yaml:1:12: error: Resources: expected a mapping of logical id to resource"
printf 'Resources:\n  F: { Type: AWS::Lambda::Function, Properties: { ReservedConcurrentExecutions: [1] } }\n' >"$TMP/bad6.yaml"
bad_source cloudformation bad6.yaml "bad6.yaml:2:81: error: ReservedConcurrentExecutions: expected a number, got a sequence"
printf 'Resources:\n  S: { Type: AWS::ECS::Service, Properties: { DeploymentConfiguration: { MaximumPercent: 50 } } }\n' >"$TMP/bad7.yaml"
bad_source cloudformation bad7.yaml "bad7.yaml:2:90: error: MaximumPercent: expected a whole number of percent from 100"
printf 'Resources:\n  P: { Type: AWS::RDS::DBProxy, Properties: { EngineFamily: POSTGRESQL, DBProxyName: [x] } }\n' >"$TMP/bad9.yaml"
bad_source cloudformation bad9.yaml "bad9.yaml:2:86: error: DBProxyName: expected a name, got a sequence"
printf 'Resources:\n  P: { Type: AWS::RDS::DBProxy, Properties: { EngineFamily: POSTGRESQL } }\n  G: { Type: AWS::RDS::DBProxyTargetGroup, Properties: { DBProxyName: [p] } }\n  H: { Type: AWS::RDS::DBProxyTargetGroup, Properties: { DBProxyName: !Ref P, ConnectionPoolConfigurationInfo: [1] } }\n' >"$TMP/bad10.yaml"
bad_source cloudformation bad10.yaml "bad10.yaml:4:112: error: ConnectionPoolConfigurationInfo: expected a mapping"
printf 'Resources:\n  F: { Type: AWS::Lambda::Function, Properties: { X: "{{resolve:ssm:p}}" }\n' >"$TMP/bad8.yaml"
bad_source cloudformation bad8.yaml "bad8.yaml:3:1: error: "
if grep -q "helm template" "$TMP/err"; then bad "cloudformation: {{resolve:}} is not a Helm template"; else ok; fi
# a parameter group whose Parameters is a list, not a mapping of name to value: exit 2 at it
printf 'Resources:\n  G: { Type: AWS::RDS::DBParameterGroup, Properties: { Family: postgres16, Parameters: [max_connections, "400"] } }\n  Db: { Type: AWS::RDS::DBInstance, Properties: { Engine: postgres, DBParameterGroupName: !Ref G } }\n' >"$TMP/bad9.yaml"
bad_source cloudformation bad9.yaml "bad9.yaml:2:88: error: Parameters: expected a mapping of parameter name to value"
# an Aurora cluster whose ServerlessV2ScalingConfiguration is a list, not a mapping: exit 2 at it
printf 'Resources:\n  C: { Type: AWS::RDS::DBCluster, Properties: { Engine: aurora-postgresql, ServerlessV2ScalingConfiguration: [{ MinCapacity: 0.5, MaxCapacity: 16 }] } }\n  Db: { Type: AWS::RDS::DBInstance, Properties: { Engine: aurora-postgresql, DBInstanceClass: db.serverless, DBClusterIdentifier: !Ref C } }\n' >"$TMP/bad11.yaml"
bad_source cloudformation bad11.yaml "bad11.yaml:2:110: error: ServerlessV2ScalingConfiguration: expected a mapping"
# a Terraform plan whose resource and container names carry the escapes
# (JSON's \u escapes decode to the raw bytes), bound with from:, its name in CB018's message
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"aws_ecs_service","name":"w\u001b[2J\nevil.yaml:1:1: error: forged","values":{"desired_count":2,"name":"s","task_definition":"t:1"}},{"mode":"managed","type":"aws_ecs_task_definition","name":"t","values":{"family":"t","container_definitions":"[{\"name\":\"c\\u001b]52;c;aGVsbG8=\\u0007\",\"environment\":[{\"name\":\"DATABASE_URL\",\"value\":\"postgresql://db:5432/app?application_name=\\u001b[31mred\"},{\"name\":\"DB_POOL\",\"value\":\"3\"}]}]"}}],"child_modules":[{"address":"module.n\u202e::error::x","resources":[]}]}}}' >"$TMP/m/plan.json"
# hostile_plan NAME TYPE KIND FIELD: $TMP/m/NAME.json behind a topology
# whose client api (TYPE, FIELD) is bound to its KIND named with the
# escapes, checked in every format; its figures are 2 x 3 = 6
hostile_plan() {
	printf 'version: 1\nsources: [{terraform: %s.json, env: {pool.size: DB_POOL}}]\ndatabases:\n  main: { max_connections: 10, host: db }\nclients:\n  api:\n    type: %s\n    from: "terraform:%s/w\\e[2J\\nevil.yaml:1:1: error: forged"\n    connects_to: main\n    %s\n' \
		"$1" "$2" "$3" "$4" >"$TMP/m/$1.yaml"
	every_format "$1" "$TMP/m/$1.yaml"
	"$CB" check --format json "$TMP/m/$1.yaml" >"$TMP/out" 2>&1 </dev/null
	grep -q '"steady":6' "$TMP/out" && ok || bad "$1: the hostile $3 is not bound with 2 x 3"
}
hostile_plan plan service aws_ecs_service "replicas: 1"

# a Lambda function whose label, function_name and variables carry the
# escapes, bound with from:, its name in CB018's message (max_concurrency 5
# against the plan's 7), the unreserved one discovered (CB016 at the plan)
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"aws_lambda_function","name":"w\u001b[2J\nevil.yaml:1:1: error: forged","values":{"function_name":"c\u001b]52;c;aGVsbG8=\u0007","reserved_concurrent_executions":7,"environment":[{"variables":{"DATABASE_URL":"postgresql://db:5432/app?application_name=\u001b[31mred","DB_POOL":"3","X\u001b[2J":"\u202e"}}]}},{"mode":"managed","type":"aws_lambda_provisioned_concurrency_config","name":"p\u001b[2J","values":{"function_name":"c\u001b]52;c;aGVsbG8=\u0007","qualifier":"q\u001b[2J","provisioned_concurrent_executions":2}},{"mode":"managed","type":"aws_lambda_function","name":"g","values":{"function_name":"g\u202e::error::x","reserved_concurrent_executions":-1,"environment":[{"variables":{"DATABASE_URL":"postgresql://db:5432/app","DB_POOL":"1"}}]}}]}}}' >"$TMP/m/lambda.json"
hostile_plan lambda serverless aws_lambda_function "max_concurrency: 5"
# a database bound to an aws_db_instance whose name carries the escapes, in CB018's message (db.m5.large against the plan's class)
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"aws_db_instance","name":"d\u001b[2J\nevil.yaml:1:1: error: forged","values":{"engine":"postgres","instance_class":"db.t3.medium","identifier":"i\u001b]52;c;aGVsbG8=\u0007\n::error::x"}}]}}}' >"$TMP/m/db.json"
printf 'version: 1\nsources: [{terraform: db.json}]\ndatabases:\n  main: { from: "terraform:aws_db_instance/d\\e[2J\\nevil.yaml:1:1: error: forged", instance: db.m5.large }\n' >"$TMP/m/db.yaml"
every_format db "$TMP/m/db.yaml"
# an RDS Proxy whose label and name carry the escapes, bound with from:, in CB018's message (30 against its target group's 60)
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"aws_db_proxy","name":"p\u001b[2J\nevil.yaml:1:1: error: forged","values":{"engine_family":"POSTGRESQL","name":"n\u001b]52;c;aGVsbG8=\u0007"}},{"mode":"managed","type":"aws_db_proxy_default_target_group","name":"g\u202e","values":{"db_proxy_name":"n\u001b]52;c;aGVsbG8=\u0007","connection_pool_config":[{"max_connections_percent":60}]}}]}}}' >"$TMP/m/proxy.json"
printf 'version: 1\nsources: [{terraform: proxy.json}]\ndatabases:\n  main: { max_connections: 100, host: db }\npoolers:\n  px: { type: rds_proxy, database: main, max_connections_percent: 30, from: "terraform:aws_db_proxy/p\\e[2J\\nevil.yaml:1:1: error: forged" }\n' >"$TMP/m/proxy.yaml"
every_format proxy "$TMP/m/proxy.yaml"
"$CB" check -q "$TMP/m/proxy.yaml" >"$TMP/out" 2>&1 </dev/null
grep -q 'CB018' "$TMP/out" && ok || bad "proxy: the hostile aws_db_proxy is not bound (no CB018)"
# an Azure flexible server whose name, id and its configuration's carry the
# escapes, joined by server_id, in CB018's messages (D2ds_v5 against the
# plan's SKU, max_connections 300 against its configuration's 400); then a
# sku_name carrying them (exit 2, the value unquoted)
printf '%s\n' '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"mode":"managed","type":"azurerm_postgresql_flexible_server","name":"d\u001b[2J\nevil.yaml:1:1: error: forged","values":{"sku_name":"GP_Standard_D4ds_v5","id":"i\u001b]52;c;aGVsbG8=\u0007\n::error::x","administrator_password":"p\u001b[2J"}},{"mode":"managed","type":"azurerm_postgresql_flexible_server_configuration","name":"c\u202e","values":{"name":"max_connections","server_id":"i\u001b]52;c;aGVsbG8=\u0007\n::error::x","value":"400"}}]}}}' >"$TMP/m/azure.json"
printf 'version: 1\nsources: [{terraform: azure.json}]\ndatabases:\n  main: { from: "terraform:azurerm_postgresql_flexible_server/d\\e[2J\\nevil.yaml:1:1: error: forged", instance: D2ds_v5, max_connections: 300 }\n' >"$TMP/m/azure.yaml"
every_format azure "$TMP/m/azure.yaml"
sed 's/"GP_Standard_D4ds_v5"/"GP_Standard_\\u001b[2J\\n::error::x"/' "$TMP/m/azure.json" >"$TMP/m/azure-sku.json"
sed 's/azure.json/azure-sku.json/' "$TMP/m/azure.yaml" >"$TMP/m/azure-sku.yaml"
every_format azure-sku "$TMP/m/azure-sku.yaml"

# colour on: the only escapes are connbudget's own SGR sequences
"$CB" check --color always "$TMP/t/top.yaml" >"$TMP/out" 2>&1 </dev/null
if LC_ALL=C grep -q $'\e\\[2J\|\e\\]' "$TMP/out"; then bad "--color always: an input escape"; else ok; fi
# the forged text is still there, escaped, on the finding's own line
if grep -q 'staging\\nevil.yaml:1:1: error: forged\\r\\n::add-mask::secret' "$TMP/out"; then ok
else bad "text: the escaped value is not shown"; fi
if grep -qF 'parts/x\e[2J\xFF\xFE\nevil.yaml' "$TMP/out"; then ok
else bad "text: the escaped file name is not shown"; fi

# the error path: a load error in the hostile file, a bad id, an unknown rule
cp "$TMP/t/$evil_name" "$TMP/t/bad.part"
printf 'version: 1\nclients: [\n' >"$TMP/t/$evil_name"
for fmt in text gcc github json; do
	"$CB" check --format "$fmt" "$TMP/t/top.yaml" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" = 2 ]; then ok; else bad "load error --format $fmt: exit $rc, want 2"; fi
	check_out "load error --format $fmt stderr" text "$TMP/err"
done
"$CB" check $'\e[2J\nevil.yaml:1:1: error: forged' >"$TMP/out" 2>"$TMP/err" </dev/null
check_out "missing file stderr" text "$TMP/err"
"$CB" explain $'CB\e[2J\n::error::x' >"$TMP/out" 2>"$TMP/err" </dev/null
check_out "unknown rule stderr" text "$TMP/err"
"$CB" check --format $'x\n::error::x' "$TMP/t/top.yaml" >"$TMP/out" 2>"$TMP/err" </dev/null
check_out "unknown format stderr" text "$TMP/err"

# a pgbouncer.ini value with ESC, invalid UTF-8 and OSC 52, quoted by the loader's message
mkdir -p "$TMP/pg"
printf '[databases]\nprod = host=db.internal dbname=shop\n[pgbouncer]\npool_mode = tr\033[2J\377\205ansaction\n' \
	>"$TMP/pg/pgbouncer.ini"
cat >"$TMP/pg/t.yaml" <<'Y'
version: 1
databases:
  main: { max_connections: 30, host: db.internal }
poolers:
  bouncer: { type: pgbouncer, database: main, config: pgbouncer.ini }
Y
for fmt in text gcc github json; do
	"$CB" check --format "$fmt" "$TMP/pg/t.yaml" >"$TMP/out" 2>"$TMP/err" </dev/null
	check_out "pgbouncer.ini value --format $fmt stderr" text "$TMP/err"
done
if grep -qF 'invalid value "tr\e[2J\xFF\x85ansaction"' "$TMP/err"; then ok; else bad "pgbouncer.ini: $(cat "$TMP/err")"; fi

# pgcat.toml keys with ESC, a line feed, a forged prefix and invalid UTF-8
# (escapes resolved by the reader), as an ignored key's warning and as a
# duplicate key's error
mkdir -p "$TMP/pc"
printf '[pools.p.users.0]\nusername = "u"\npool_size = 5\n"k\\u001b[2J\\nevil.toml:1:1: error: forged\377" = 1\n[pools.p.shards.0]\ndatabase = "d"\nservers = [["h", 5432, "primary"]]\n' \
	>"$TMP/pc/warn.toml"
printf '"a\\u001b]52;c;eA==\\u0007\\n::error::x" = 1\n"a\\u001b]52;c;eA==\\u0007\\n::error::x" = 2\n' >"$TMP/pc/dup.toml"
# pooler_files TYPE DIR EXT NAME...: each DIR/NAME.EXT behind a pooler of
# TYPE, checked in every format: stderr and stdout through their gates
pooler_files() {
	local type=$1 dir=$2 ext=$3 f fmt
	shift 3
	for f in "$@"; do
		printf 'version: 1\ndatabases: { main: { max_connections: 30, host: h } }\npoolers: { cat: { type: %s, database: main, config: %s.%s } }\n' \
			"$type" "$f" "$ext" >"$dir/$f.yaml"
		for fmt in text gcc github json; do
			"$CB" check --format "$fmt" "$dir/$f.yaml" >"$TMP/out" 2>"$TMP/err" </dev/null
			check_out "$type $f.$ext --format $fmt stderr" text "$TMP/err"
			check_out "$type $f.$ext --format $fmt stdout" "$fmt" "$TMP/out"
		done
	done
}
pooler_files pgcat "$TMP/pc" toml warn dup

# odyssey.conf names with ESC, CR, C1, bidi controls, a forged prefix and
# invalid UTF-8 (a string holds anything but a line feed): a database's
# name in a route's warning, a storage's name in the error that cannot
# find it
mkdir -p "$TMP/od"
printf 'storage "h" { type "remote" host "h" port 5432 }\ndatabase "d\033[2J\r\302\205\342\200\256evil.conf:1:1: error: forged\377" {\n\tuser "u" { storage "h" pool "session" pool_size 5 pool_sise 6 }\n}\n' \
	>"$TMP/od/warn.conf"
printf 'storage "h" { type "remote" host "h" port 5432 }\ndatabase "d" {\n\tuser "u" { storage "h\033]52;c;eA==\007\r::error::x\377" pool "session" }\n}\n' >"$TMP/od/missing.conf"
pooler_files odyssey "$TMP/od" conf warn missing

# a chain of 20000 poolers, and a cycle through as many: linear work, no
# recursion as deep as the chain, a table whose indentation stops growing
# (src/report/report_impl.h), a cycle message that names its first poolers
/usr/bin/python3 - "$TMP" <<'PY'
import sys
n = 20000
for name, last in (("chain", "main"), ("cycle", "p0")):
    with open("%s/%s.yaml" % (sys.argv[1], name), "w") as f:
        f.write("version: 1\ndatabases: { main: { max_connections: 100000 } }\npoolers:\n")
        for i in range(n):
            f.write("  p%d: { type: pgbouncer, database: %s }\n" % (i, "p%d" % (i + 1) if i + 1 < n else last))
        f.write("clients:\n  api: { type: service, connects_to: p0, pool: { size: 5 } }\n")
PY
start=$(date +%s)
"$CB" check "$TMP/chain.yaml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 0 ] && ok || bad "a chain of 20000 poolers: exit $rc, want 0: $(head -3 "$TMP/err")"
[ "$(wc -c <"$TMP/out")" -lt 4000000 ] && ok || bad "a chain of 20000 poolers: $(wc -c <"$TMP/out") bytes of table"
grep -q '^  demand  *5  *5$' "$TMP/out" && ok || bad "a chain of 20000 poolers: demand is not 5"
"$CB" check "$TMP/cycle.yaml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 2 ] && ok || bad "a cycle of 20000 poolers: exit $rc, want 2"
grep -qF 'error: poolers.p19999.database: pooler "p0" closes a cycle of poolers (p0 -> p1 -> p2 -> p3 -> p4 -> p5 -> p6 -> p7 -> 19992 more -> p0)' "$TMP/err" &&
	ok || bad "a cycle of 20000 poolers: $(head -c 300 "$TMP/err")"
[ $(( $(date +%s) - start )) -lt 60 ] && ok || bad "20000 poolers in a chain took $(( $(date +%s) - start )) s"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
