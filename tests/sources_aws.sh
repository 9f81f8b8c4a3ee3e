#!/bin/bash
# tests/sources_aws.sh - the AWS sources (docs/sources.md): Serverless
# Framework files and CloudFormation / SAM templates under
# testdata/sources/, and beside them a Terraform plan's Azure flexible
# servers, every figure computed by hand in the comments.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
S=testdata/sources

# figs FILE: "id type steady peak discovered kind" per client of check's JSON in $out
figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
for c in json.load(sys.stdin)["clients"]:
    print(c["id"], c["type"], c["steady"], c["peak"], c["discovered"], (c.get("source") or {}).get("kind"))'
}
# want_figs: each line of standard input, "FIGURES|WHAT", is in $(figs)
want_figs() {
	local f line what
	f=$(figs)
	while IFS='|' read -r line what; do
		contains "$f" "$line" "$what"
	done
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
want_figs <<'EOF'
api serverless 10 100 False function|api: reserved and provisioned concurrency
ingest serverless 10 10 True function|ingest discovered, its env over the provider's
export serverless 12 12 False function|export: an ${env:} pool is unknown
report serverless 2000 2000 True function|report: unreserved
EOF
lacks "$(figs)" "billing" "an \${ssm:} url is unknown"
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

# CloudFormation: templates/ (ecs.yaml, sam.yaml), pool.size from DB_POOL.
# Service (bound as api): DesiredCount !Ref DesiredCount, the Parameter's
# Default 2, wins over the topology's 3 (CB018 at the Default, 16:18); its
# ScalableTarget (ResourceId !Join [..., !GetAtt Service.Name]) max 8;
# MaximumPercent 150: surge 50% of 8 = 4; DB_POOL 5 from the task
# definition: steady 2 x 5 = 10, peak (8 + 4) x 5 = 60.
# Worker (discovered): DesiredCount 1, ResourceId service/prod/shop-worker
# names its ServiceName: max 4; no MaximumPercent, 200: surge 100% of 4 = 4;
# DB_POOL 3: 1 x 3 = 3, (4 + 4) x 3 = 24.
# ApiFunction (bound as api-fn, SAM): reserved 20, provisioned 4, its own
# DB_POOL 2 over Globals' 1: 4 x 2 = 8, 20 x 2 = 40.
# IngestFunction (plain Lambda, no Globals): reserved !Ref IngestConcurrency
# = 10, url !Join of !Ref DbHost, DB_POOL !FindInMap [PoolSizes, prod,
# ingest] = 2: 10 x 2 = 20 both.
# ReportFunction (SAM): Globals' url and DB_POOL 1, no reserved concurrency:
# CB016, 1000 x 1. CleanupFunction: url !If / {{resolve:...}}, unknown: not
# discovered. Demand 10 + 8 + 3 + 20 + 1000 = 1041, 60 + 40 + 24 + 20 + 1000 = 1144.
C=$S/cloudformation
expect_rc 1 "cloudformation check" "$CB" check --format json "$C/connbudget.yaml"
want_figs <<'EOF'
api service 10 60 False service|ECS service: DesiredCount, ScalableTarget, MaximumPercent
Worker service 3 24 True service|ECS: ServiceName in the ResourceId, default MaximumPercent
api-fn serverless 8 40 False function|SAM function over Globals
IngestFunction serverless 20 20 True function|Lambda: !Ref a Parameter, !Join, !FindInMap
ReportFunction serverless 1000 1000 True function|an unreserved SAM function
EOF
lacks "$(figs)" "CleanupFunction" "!If and {{resolve:}} are unknown"
expect_rc 1 "cloudformation text" "$CB" check "$C/connbudget.yaml"
contains "$out" "$C/templates/ecs.yaml:16:18: error: replicas is 3 in the topology but 2 in '$C/templates/ecs.yaml' (replicas of service/Service) [CB018 config-mismatch]" "CB018 at the Parameter's Default"
contains "$out" "$C/templates/sam.yaml:63:3: warning: serverless client 'ReportFunction' has no max_concurrency; 1000 is assumed, a peak of 1000 connections [CB016 unbounded-concurrency]" "CB016 on a SAM function"
contains "$out" "demand                         1041    1144" "the database's demand"
# a CODE_DEPLOY controller is a blue/green replacement: surge 100% of 8 = 8, peak (8 + 8) x 5 = 80
mkdir -p "$TMP/cfn" && cp -r "$C/." "$TMP/cfn/"
sed -i 's/^            DeploymentConfiguration:$/            DeploymentController: { Type: CODE_DEPLOY }\n            DeploymentConfiguration:/' "$TMP/cfn/templates/ecs.yaml"
expect_rc 1 "code deploy" "$CB" check --format json "$TMP/cfn/connbudget.yaml"
contains "$(figs)" "api service 10 80 False service" "blue/green: 100%"
# AWS::RDS::DBInstance: a database's from: takes its DBInstanceClass (a
# Parameter's Default here), db.r6g.large, whose catalog max_connections is
# LEAST(DBInstanceClassMemory / 9531392, 5000) = 1654; capacity 1654 - 3 =
# 1651. A MySQL instance is no database of ours; the password is never read.
mkdir -p "$TMP/cfndb"
cat >"$TMP/cfndb/db.yaml" <<'Y'
Parameters:
  Class: { Type: String, Default: db.r6g.large }
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: !Ref Class
      MasterUsername: app
      MasterUserPassword: CfnDbMasterPassw0rd
  My:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.t3.micro }
Y
printf 'version: 1\nsources: [{cloudformation: db.yaml}]\ndatabases:\n  orders: { from: "cloudformation:database/Db" }\n' >"$TMP/cfndb/top.yaml"
expect_rc 0 "cloudformation DBInstance" "$CB" report --format json "$TMP/cfndb/top.yaml"
contains "$(printf '%s' "$out" | $PY -c 'import json,sys; d = json.load(sys.stdin)["databases"][0]; print(d["id"], d["max_connections"], d["capacity"])')" "orders 1654 1651" "DBInstance: the class's max_connections from the catalog"
lacks "$out" "CfnDbMasterPassw0rd" "DBInstance: the master password is never read"
printf 'version: 1\nsources: [{cloudformation: db.yaml}]\ndatabases:\n  orders: { from: "cloudformation:database/Db", instance: db.t3.micro }\n' >"$TMP/cfndb/stale.yaml"
expect_rc 1 "cloudformation DBInstance CB018" "$CB" check -q "$TMP/cfndb/stale.yaml"
contains "$out" "$TMP/cfndb/db.yaml:2:35: error: instance is db.t3.micro in the topology but db.r6g.large in '$TMP/cfndb/db.yaml' (DBInstanceClass of database/Db) [CB018 config-mismatch]" "DBInstance: a stale instance is CB018 at the template"
printf 'version: 1\nsources: [{cloudformation: db.yaml}]\ndatabases:\n  orders: { from: "cloudformation:database/My" }\n' >"$TMP/cfndb/mysql.yaml"
expect_rc 2 "cloudformation MySQL instance" "$CB" check "$TMP/cfndb/mysql.yaml"
lacks "$err$out" "CfnDbMasterPassw0rd" "DBInstance: no password in an error either"
printf 'Resources:\n  Db: { Type: AWS::RDS::DBInstance, Properties: { Engine: postgres, DBInstanceClass: [db.t3.micro] } }\n' >"$TMP/cfndb/db.yaml"
expect_rc 2 "cloudformation DBInstanceClass a list" "$CB" check "$TMP/cfndb/top.yaml"
contains "$err" "db.yaml:2:86: error: DBInstanceClass: expected an instance class, got a sequence" "DBInstance: a bad class at its position"

# AWS::RDS::DBParameterGroup (database.yaml, templates/rds.yaml): OrdersDb's
# DBParameterGroupName !Ref OrdersParameterGroup, whose Parameters set
# max_connections "400": it wins over db.r6g.large's catalog 1654; capacity
# 400 - 3 = 397, budget min(397, 400 - 10) = 390; api 6 x 50 = 300 both.
dbf() { # "id max_connections capacity budget peak" of each database in check's JSON in $out
	printf '%s' "$out" | $PY -c 'import json,sys
for d in json.load(sys.stdin)["databases"]:
    print(d["id"], d["max_connections"], d["capacity"], d["budget"], d["demand"]["peak"])'
}
expect_rc 0 "cloudformation parameter group" "$CB" check --format json "$C/database.yaml"
contains "$(dbf)" "orders 400 397 390 300" "DBParameterGroup: max_connections from the group the instance refers to"
expect_rc 0 "cloudformation parameter group table" "$CB" check "$C/database.yaml"
contains "$out" "max_connections                      400" "DBParameterGroup: the table's max_connections"
# variant PREFIX TEMPLATE VARIANT SED-SCRIPT: the fixture in $TMP/PREFIX-VARIANT with templates/TEMPLATE edited
variant() {
	rm -rf "$TMP/$1-$3" && mkdir -p "$TMP/$1-$3" && cp -r "$C/." "$TMP/$1-$3/" && sed -i "$4" "$TMP/$1-$3/templates/$2"
}
# variant_figs FIGS TOPOLOGY PREFIX TEMPLATE VARIANT SED-SCRIPT FIGURES WHAT:
# variant, then check of TOPOLOGY passes with FIGURES among $(FIGS)
variant_figs() {
	variant "$3" "$4" "$5" "$6"
	expect_rc 0 "cloudformation $3 $5" "$CB" check --format json "$TMP/$3-$5/$2"
	contains "$($1)" "$7" "$8"
}
# pg VARIANT SED-SCRIPT: templates/rds.yaml edited; pg_figs VARIANT SED-SCRIPT FIGURES WHAT: its database's FIGURES (dbf)
pg() { variant pg rds.yaml "$@"; }
pg_figs() { variant_figs dbf database.yaml pg rds.yaml "$@"; }
# the topology's max_connections 500 against the group's 400: CB018 at the group's value
pg drift '' && sed -i 's/^    host: orders.internal$/&\n    max_connections: 500/' "$TMP/pg-drift/database.yaml"
expect_rc 1 "cloudformation parameter group CB018" "$CB" check -q "$TMP/pg-drift/database.yaml"
contains "$out" "$TMP/pg-drift/templates/rds.yaml:20:26: error: max_connections is 500 in the topology but 400 in '$TMP/pg-drift/templates/rds.yaml' (Parameters.max_connections of database/OrdersDb) [CB018 config-mismatch]" "DBParameterGroup: CB018 names the template's property"
# AWS's default formula is unknown: the catalog's 1654 stands, capacity 1651,
# budget min(1651, 1644) = 1644
pg_figs formula 's|max_connections: "400"|max_connections: "LEAST({DBInstanceClassMemory/9531392},5000)"|' \
	"orders 1654 1651 1644 300" "DBParameterGroup: a formula leaves the catalog's figure"
# a value that is not a number: exit 2 at the value (20:26)
pg lots 's|max_connections: "400"|max_connections: lots|'
expect_rc 2 "cloudformation parameter group not a number" "$CB" check "$TMP/pg-lots/database.yaml"
contains "$err" "$TMP/pg-lots/templates/rds.yaml:20:26: error: database/OrdersDb Parameters.max_connections: expected a non-negative integer" "DBParameterGroup: a bad max_connections at its value"
# the long form {Ref: ...} refers the same; the value !Ref a Parameter's Default 350, at the Default (9:44)
pg_figs long 's|DBParameterGroupName: !Ref OrdersParameterGroup|DBParameterGroupName: { Ref: OrdersParameterGroup }|; s|max_connections: "400"|max_connections: !Ref MaxConnections|; s|^Parameters:$|&\n  MaxConnections: { Type: Number, Default: 350 }|' \
	"orders 350 347 340 300" "DBParameterGroup: {Ref: ...} and a value from a Parameter"
sed -i 's/^    host: orders.internal$/&\n    max_connections: 300/' "$TMP/pg-long/database.yaml"
expect_rc 1 "cloudformation parameter group long-form CB018" "$CB" check -q "$TMP/pg-long/database.yaml"
contains "$out" "$TMP/pg-long/templates/rds.yaml:9:44: error: max_connections is 300 in the topology but 350" "DBParameterGroup: CB018 at the Parameter's Default"
# a group the template cannot tell: !Ref a Parameter without a Default, or a
# plain name (a group outside the template, even one spelled as a logical id):
# unknown, the catalog's 1654 stands
pg_figs param 's|DBParameterGroupName: !Ref OrdersParameterGroup|DBParameterGroupName: !Ref GroupName|; s|^Parameters:$|&\n  GroupName: { Type: String }|' \
	"orders 1654 1651 1644 300" "DBParameterGroup: !Ref a Parameter without a Default is unknown"
pg_figs name 's|DBParameterGroupName: !Ref OrdersParameterGroup|DBParameterGroupName: OrdersParameterGroup|' \
	"orders 1654 1651 1644 300" "DBParameterGroup: a plain name is a group outside the template"

# Aurora (aurora.yaml, templates/aurora.yaml): an AWS::RDS::DBInstance of
# Engine aurora-postgresql is a database of provider aurora. orders:
# OrdersInstance1, db.r6g.large, the catalog's Aurora figure
# LEAST(DBInstanceClassMemory / 9531392, 5000) = 1722, capacity 1722 - 3
# reserved for superusers = 1719 (its cluster's parameter group sets no
# max_connections). reports: ReportsInstance1 is db.serverless, its
# DBClusterIdentifier the string reports-cluster, ReportsCluster's
# identifier, whose ServerlessV2ScalingConfiguration is MinCapacity 0.5 to
# MaxCapacity 16 (a Parameter's Default): AWS's table gives 16 ACUs 3360,
# capped at 2000 by min 0.5; capacity 2000 - 3 = 1997.
A=$C/aurora.yaml
expect_rc 0 "cloudformation aurora" "$CB" check --format json "$A"
contains "$(db_figs)" "orders 1722 1719" "Aurora: a cluster instance's class from the template"
contains "$(db_figs)" "reports 2000 1997" "Aurora: a Serverless v2 instance's capacity from its cluster, capped by MinCapacity 0.5"
lacks "$out" "CfnAuroraMasterPassw0rd" "Aurora: a cluster's MasterUserPassword is never read"
expect_rc 0 "cloudformation aurora text" "$CB" check "$A"
lacks "$out$err" "CfnAuroraMasterPassw0rd" "Aurora: a cluster's MasterUserPassword is never printed"
# au VARIANT SED-SCRIPT: templates/aurora.yaml edited; au_figs VARIANT SED-SCRIPT FIGURES WHAT: FIGURES among db_figs
au() { variant au aurora.yaml "$@"; }
au_figs() { variant_figs db_figs aurora.yaml au aurora.yaml "$@"; }
# au_bad VARIANT SED-SCRIPT WANT WHAT: au, then check is exit 2 with WANT on stderr
au_bad() {
	au "$1" "$2"
	expect_rc 2 "cloudformation aurora $1" "$CB" check "$TMP/au-$1/aurora.yaml"
	contains "$err" "$3" "$4"
	lacks "$out$err" "CfnAuroraMasterPassw0rd" "Aurora: no password in an error ($1)"
}
# MinCapacity 2, above 0.5: no cap, 16 ACUs give 3360, capacity 3357
au_figs min2 's|MinCapacity: 0.5|MinCapacity: 2|' "reports 3360 3357" "Aurora: MinCapacity above 0.5 leaves AWS's figure for MaxCapacity"
# the long form {Ref: ...} of DBClusterIdentifier, and MaxCapacity 32 or more: the cap, 5000, under 2000 for min 0.5
au_figs long '62s|DBClusterIdentifier: reports-cluster$|DBClusterIdentifier: { Ref: ReportsCluster }|; s|Default: 16|Default: 64|' \
	"reports 2000 1997" "Aurora: {Ref: ...} names the cluster"
# a string DBClusterIdentifier is compared without case, as AWS stores it lowercase
au_figs case '62s|DBClusterIdentifier: reports-cluster$|DBClusterIdentifier: Reports-Cluster|; s|MinCapacity: 0.5|MinCapacity: 1|' \
	"reports 3360 3357" "Aurora: a cluster identifier in another case"
# a cluster only the deploy knows (!ImportValue of another stack's) leaves the
# capacity unknown: the topology's min_acu 1 and max_acu 8 stand, AWS's 1669,
# capacity 1666; with neither, the database has no figure: exit 2
au import '62s|DBClusterIdentifier: reports-cluster$|DBClusterIdentifier: !ImportValue reports-cluster-id|'
sed -i 's|^    from: cloudformation:database/ReportsInstance1 .*|&\n    provider: aurora\n    min_acu: 1\n    max_acu: 8|' "$TMP/au-import/aurora.yaml"
expect_rc 0 "cloudformation aurora import" "$CB" check --format json "$TMP/au-import/aurora.yaml"
contains "$(db_figs)" "reports 1669 1666" "Aurora: a cluster the template cannot tell leaves the topology's capacity"
au import-none '62s|DBClusterIdentifier: reports-cluster$|DBClusterIdentifier: !ImportValue reports-cluster-id|'
expect_rc 2 "cloudformation aurora import, no capacity" "$CB" check "$TMP/au-import-none/aurora.yaml"
contains "$err" "aurora.yaml:13:11: error: databases.reports: missing max_connections: cloudformation:database/ReportsInstance1 gives neither it nor an instance class the catalog knows" "Aurora: an unknown cluster and no capacity in the topology"
# the cluster's DBClusterParameterGroupName refers to a group setting 800:
# orders 800, capacity 797
au_figs cpg 's|^        rds.force_ssl: "1"$|&\n        max_connections: "800"|' \
	"orders 800 797" "Aurora: max_connections from the cluster's DBClusterParameterGroup"
# the instance's own DBParameterGroupName, a group setting 900, wins over the
# cluster's 800 (AWS applies the instance's group over its cluster's): 900, capacity 897
au_figs ipg 's|^        rds.force_ssl: "1"$|&\n        max_connections: "800"\n  OrdersInstanceParameterGroup:\n    Type: AWS::RDS::DBParameterGroup\n    Properties: { Family: aurora-postgresql16, Description: orders instance, Parameters: { max_connections: "900" } }|; s|^      DBClusterIdentifier: !Ref OrdersCluster$|&\n      DBParameterGroupName: !Ref OrdersInstanceParameterGroup|' \
	"orders 900 897" "Aurora: an instance's own parameter group wins over its cluster's"
# an instance group that sets no max_connections leaves the cluster's 800
au_figs ipg-none 's|^        rds.force_ssl: "1"$|&\n        max_connections: "800"\n  OrdersInstanceParameterGroup:\n    Type: AWS::RDS::DBParameterGroup\n    Properties: { Family: aurora-postgresql16, Description: orders instance, Parameters: { work_mem: "8192" } }|; s|^      DBClusterIdentifier: !Ref OrdersCluster$|&\n      DBParameterGroupName: !Ref OrdersInstanceParameterGroup|' \
	"orders 800 797" "Aurora: an instance group without max_connections leaves the cluster's"
# AWS's default formula in the cluster's group is unknown: the catalog's 1722 stands
au_figs formula 's|^        rds.force_ssl: "1"$|&\n        max_connections: "LEAST({DBInstanceClassMemory/9531392},5000)"|' \
	"orders 1722 1719" "Aurora: a cluster group's formula leaves the catalog's figure"
# an aurora-mysql instance is no database of ours
au mysql 's|^      Engine: aurora-postgresql$|      Engine: aurora-mysql|'
expect_rc 2 "cloudformation aurora mysql" "$CB" check "$TMP/au-mysql/aurora.yaml"
contains "$err" "aurora.yaml:10:11: error: from: no database \"OrdersInstance1\" in the cloudformation sources" "Aurora: an aurora-mysql instance is no database"
# the topology's instance db.r6g.xlarge against the template's db.r6g.large: CB018 at DBInstanceClass (42:24)
au drift '' && sed -i 's|^    from: cloudformation:database/OrdersInstance1 .*|&\n    instance: db.r6g.xlarge|' "$TMP/au-drift/aurora.yaml"
expect_rc 1 "cloudformation aurora CB018" "$CB" check -q "$TMP/au-drift/aurora.yaml"
contains "$out" "$TMP/au-drift/templates/aurora.yaml:42:24: error: instance is db.r6g.xlarge in the topology but db.r6g.large in '$TMP/au-drift/templates/aurora.yaml' (DBInstanceClass of database/OrdersInstance1) [CB018 config-mismatch]" "Aurora: CB018 on a cluster instance's class"
# the topology's provider rds against the template's Engine: CB018 at the Engine (41:15)
sed -i 's|^    instance: db.r6g.xlarge$|    provider: rds|' "$TMP/au-drift/aurora.yaml"
expect_rc 1 "cloudformation aurora CB018 provider" "$CB" check -q "$TMP/au-drift/aurora.yaml"
contains "$out" "$TMP/au-drift/templates/aurora.yaml:41:15: error: provider is rds in the topology but aurora in '$TMP/au-drift/templates/aurora.yaml' (Engine of database/OrdersInstance1) [CB018 config-mismatch]" "Aurora: CB018 on the provider, at the Engine"
# the topology's max_acu 8 against the cluster's 16: CB018 at the Parameter's Default (14:14)
au acu '' && sed -i 's|^    from: cloudformation:database/ReportsInstance1 .*|&\n    max_acu: 8|' "$TMP/au-acu/aurora.yaml"
expect_rc 1 "cloudformation aurora CB018 max_acu" "$CB" check -q "$TMP/au-acu/aurora.yaml"
contains "$out" "$TMP/au-acu/templates/aurora.yaml:14:14: error: max_acu is 8 in the topology but 16 in '$TMP/au-acu/templates/aurora.yaml' (ServerlessV2ScalingConfiguration.MaxCapacity of database/ReportsInstance1) [CB018 config-mismatch]" "Aurora: CB018 on a Serverless v2 capacity, in CloudFormation's words"
# bad templates: exit 2 at the template
au_bad nocluster '62s|DBClusterIdentifier: reports-cluster$|DBClusterIdentifier: other-cluster|' \
	"aurora.yaml:61:24: error: DBInstanceClass db.serverless: the template has no AWS::RDS::DBCluster of database/ReportsInstance1 to give its capacity" \
	"Aurora: a db.serverless instance needs its cluster"
au_bad noscaling '/ServerlessV2ScalingConfiguration:/,/MaxCapacity:/d' \
	"aurora.yaml:58:24: error: DBInstanceClass db.serverless: AWS::RDS::DBCluster ReportsCluster has no ServerlessV2ScalingConfiguration" \
	"Aurora: a db.serverless instance's cluster needs a scaling configuration"
au_bad scaling 's|^      ServerlessV2ScalingConfiguration:$|      ServerlessV2ScalingConfiguration: [{ MinCapacity: 0.5, MaxCapacity: 16 }]\n      X:|' \
	"aurora.yaml:53:41: error: ServerlessV2ScalingConfiguration: expected a mapping" \
	"Aurora: a scaling configuration that is not a mapping"
au_bad lots 's|Default: 16|Default: lots|' \
	"aurora.yaml:14:14: error: database/ReportsInstance1 ServerlessV2ScalingConfiguration.MaxCapacity: expected a non-negative number" \
	"Aurora: a MaxCapacity that is not a number, at the Parameter's Default"
au_bad twelve 's|Default: 16|Default: 12|' \
	"max_acu: AWS gives max_connections for max_acu 1, 4, 8, 16 and 32 or more, not 12" \
	"Aurora: a MaxCapacity AWS gives no figure for"
au_bad cpg-lots 's|^        rds.force_ssl: "1"$|&\n        max_connections: lots|' \
	"aurora.yaml:25:26: error: database/OrdersInstance1 Parameters.max_connections: expected a non-negative integer" \
	"Aurora: a cluster group's bad max_connections at its value"
au_bad class 's|db.r6g.large|db.x9.huge|' \
	"error: database/OrdersInstance1 DBInstanceClass: unknown aurora instance" \
	"Aurora: a class the Aurora catalog does not know"

# a template as JSON reads the same: Service's long-form {"Ref": ...}
$PY -c 'import json,sys
t = {"Parameters": {"N": {"Type": "Number", "Default": 4}},
     "Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
         "ReservedConcurrentExecutions": {"Ref": "N"},
         "Environment": {"Variables": {"DATABASE_URL": {"Fn::Sub": ["postgres://u@${H}:5432/shop", {"H": "db.internal"}]}, "DB_POOL": "1"}}}}}}
json.dump(t, open(sys.argv[1], "w"), indent=1)' "$TMP/cfn/t.json"
printf 'version: 1\nsources: [{cloudformation: t.json, env: {pool.size: DB_POOL}}]\ndatabases:\n  shop: { max_connections: 100, host: db.internal }\n' >"$TMP/cfn/json.yaml"
expect_rc 1 "cloudformation json" "$CB" check --format json "$TMP/cfn/json.yaml"
contains "$(figs)" "Fn serverless 4 4 True function" "JSON template, long-form Ref and Fn::Sub"

# RDS Proxy in a SAM template (testdata/sources/cloudformation-proxy).
# proxy: from: OrdersProxy (EngineFamily POSTGRESQL); its target group's
# DBProxyName is !Ref OrdersProxy, MaxConnectionsPercent !Ref ProxyPercent,
# the parameter's Default 40: cap floor(1654 x 40 / 100) = 661 of orders
# (DBInstance OrdersDB, db.r6g.large: 1654). OrdersFunction reserves 100 x
# DB_POOL 1 (Globals) = 100: server min(661, 100) = 100.
CP=$S/cloudformation-proxy
mkdir -p "$TMP/cfp" && cp "$CP/template.yaml" "$CP/connbudget.yaml" "$TMP/cfp/"
expect_rc 0 "cloudformation rds proxy" "$CB" check --format json "$CP/connbudget.yaml"
contains "$(proxy_figs)" "proxy rds_proxy 40 661 100" "DBProxy: its percent from its target group, through a parameter"
contains "$(figs)" "orders-fn serverless 100 100 False function" "DBProxy: the function behind it"
# the topology's 60 against the template's 40: CB018 at the parameter's default (11:14)
sed 's|^    from: cloudformation:dbproxy/OrdersProxy .*|&\n    max_connections_percent: 60|' "$CP/connbudget.yaml" >"$TMP/cfp/drift.yaml"
expect_rc 1 "cloudformation rds proxy CB018" "$CB" check -q "$TMP/cfp/drift.yaml"
contains "$out" "$TMP/cfp/template.yaml:11:14: error: max_connections_percent is 60 in the topology but 40 in '$TMP/cfp/template.yaml' (MaxConnectionsPercent of dbproxy/OrdersProxy) [CB018 config-mismatch]" "DBProxy: CB018 on the percent, at the template"
# a group that names the proxy by its DBProxyName and sets no
# ConnectionPoolConfigurationInfo: AWS's default 100, cap 1654
sed -e 's|DBProxyName: !Ref OrdersProxy|DBProxyName: orders-proxy|' -e '0,/ConnectionBorrowTimeout/{/ConnectionPoolConfigurationInfo:/,/ConnectionBorrowTimeout/d}' "$CP/template.yaml" >"$TMP/cfp/template.yaml"
expect_rc 0 "cloudformation rds proxy default" "$CB" check --format json "$TMP/cfp/connbudget.yaml"
contains "$(proxy_figs)" "proxy rds_proxy 100 1654 100" "DBProxy: a group by name, AWS's default percent"
# a percent only the deploy knows (a parameter without a Default): the topology's stands
sed -e 's|MaxConnectionsPercent: !Ref ProxyPercent|MaxConnectionsPercent: !Ref SubnetIds|' "$CP/template.yaml" >"$TMP/cfp/template.yaml"
sed 's|^    from: cloudformation:dbproxy/OrdersProxy .*|&\n    max_connections_percent: 25|' "$CP/connbudget.yaml" >"$TMP/cfp/unknown.yaml"
expect_rc 0 "cloudformation rds proxy unknown percent" "$CB" check --format json "$TMP/cfp/unknown.yaml"
contains "$(proxy_figs)" "proxy rds_proxy 25 413 100" "DBProxy: an unknown percent leaves the topology's (1654 x 25 / 100 = 413)"
# bad templates and bindings: exit 2
sed 's|dbproxy/OrdersProxy|dbproxy/LegacyProxy|' "$CP/connbudget.yaml" >"$TMP/cfp/mysql.yaml"
expect_rc 2 "cloudformation rds proxy mysql" "$CB" check "$TMP/cfp/mysql.yaml"
contains "$err" "mysql.yaml:18:11: error: from: no dbproxy \"LegacyProxy\" in the cloudformation sources" "DBProxy: a MySQL proxy is no pooler"
sed 's|MaxConnectionsPercent: !Ref ProxyPercent|MaxConnectionsPercent: 0|' "$CP/template.yaml" >"$TMP/cfp/template.yaml"
expect_rc 2 "cloudformation rds proxy percent 0" "$CB" check "$TMP/cfp/connbudget.yaml"
contains "$err" "template.yaml:58:32: error: dbproxy/OrdersProxy MaxConnectionsPercent: expected a percentage from 1 to 100" "DBProxy: a bad percent at its position"
sed 's|MaxConnectionsPercent: !Ref ProxyPercent|MaxConnectionsPercent: [40]|' "$CP/template.yaml" >"$TMP/cfp/template.yaml"
expect_rc 2 "cloudformation rds proxy percent a list" "$CB" check "$TMP/cfp/connbudget.yaml"
contains "$err" "template.yaml:58:32: error: MaxConnectionsPercent: expected a number, got a sequence" "DBProxy: a percent that is a list"
sed 's|^    from: cloudformation:dbproxy/OrdersProxy .*|    from: cloudformation:function/OrdersFunction|' "$CP/connbudget.yaml" >"$TMP/cfp/fn.yaml"
cp "$CP/template.yaml" "$TMP/cfp/"
expect_rc 2 "cloudformation rds proxy from a function" "$CB" check "$TMP/cfp/fn.yaml"
contains "$err" "fn.yaml:18:11: error: from: no function \"OrdersFunction\"" "DBProxy: an rds_proxy's from: never names a function"
# Azure flexible servers (testdata/sources/terraform-azure/plan.json, a
# `terraform show -json` plan, one line: positions are plan.json:1:COLUMN).
# Every database is of provider azure, the catalog's reserved 15
# (catalog/azure.tsv), its instance the sku_name without its tier.
# orders: GP_Standard_D4ds_v5, D4ds_v5, max_connections 1718, capacity
# 1718 - 15 = 1703 (its azure.extensions configuration is no max_connections).
# reports: MO_Standard_E4ds_v5 (E4ds_v5, 3437), created by the plan: its id
# and its configuration's server_id are known only after apply, so the
# configuration is the one whose server_id references
# azurerm_postgresql_flexible_server.reports: max_connections 2000 wins,
# capacity 2000 - 15 = 1985. billing: B_Standard_B2s (B2s, 429), in the
# state: its configuration's server_id is its id, max_connections 400,
# capacity 400 - 15 = 385. Their administrator_password is never read.
TZ=$S/terraform-azure
mkdir -p "$TMP/tfz" && cp "$TZ/plan.json" "$TZ/connbudget.yaml" "$TMP/tfz/"
az_figs() {
	printf '%s' "$out" | $PY -c 'import json,sys
for d in json.load(sys.stdin)["databases"]:
    print(d["id"], d["max_connections"], d["reserved_connections"], d["capacity"])'
}
# az_col FILE KEY VALUE: the column of KEY's VALUE (as JSON writes it) in the one-line plan FILE
az_col() {
	$PY -c 'import sys; s = open(sys.argv[1]).read(); n = "\"%s\":%s" % (sys.argv[2], sys.argv[3]); print(s.index(n) + len(sys.argv[2]) + 4)' "$1" "$2" "$3"
}
# az_edit NAME.json PYTHON: the plan p (root resources r: 0 orders, 1 reports,
# 2 billing, then the configurations 3 orders_extensions, 4
# reports_max_connections, 5 reports_log_min_duration, 6
# billing_max_connections) edited, and NAME.yaml reading it
az_edit() {
	$PY -c 'import json,sys
p = json.load(open(sys.argv[1])); r = p["planned_values"]["root_module"]["resources"]
exec(sys.argv[2])
print(json.dumps(p, separators=(",", ":")))' "$TZ/plan.json" "$2" >"$TMP/tfz/$1"
	sed "s/plan.json/$1/" "$TZ/connbudget.yaml" >"$TMP/tfz/${1%.json}.yaml"
}
# az_ok NAME.json PYTHON FIGURES WHAT: the edited plan checks clean, a database's FIGURES among az_figs
az_ok() {
	az_edit "$1" "$2"
	expect_rc 0 "terraform azure: $4" "$CB" check --format json "$TMP/tfz/${1%.json}.yaml"
	contains "$(az_figs)" "$3" "azure: $4"
}
# az_bad NAME.json PYTHON KEY VALUE MESSAGE WHAT: the edited plan is exit 2, MESSAGE at KEY's VALUE
az_bad() {
	az_edit "$1" "$2"
	expect_rc 2 "terraform azure: $6" "$CB" check "$TMP/tfz/${1%.json}.yaml"
	contains "$err" "$TMP/tfz/$1:1:$(az_col "$TMP/tfz/$1" "$3" "$4"): error: $5" "azure: $6"
}
expect_rc 0 "terraform azure" "$CB" check --format json "$TZ/connbudget.yaml"
contains "$(az_figs)" "orders 1718 15 1703" "azure: a flexible server's SKU from the catalog"
contains "$(az_figs)" "reports 2000 15 1985" "azure: a configuration joined by its reference wins over the catalog"
contains "$(az_figs)" "billing 400 15 385" "azure: a configuration joined by its server_id wins over the catalog"
lacks "$out$err" "ChangeMe-azure" "azure: the administrator_password is never read"
expect_rc 0 "terraform azure text" "$CB" check "$TZ/connbudget.yaml"
lacks "$out$err" "ChangeMe-azure" "azure: the administrator_password is never printed"
c=$(az_col "$TZ/plan.json" sku_name '"GP_Standard_D4ds_v5"')
contains "$out" "$TZ/plan.json:1:$c: warning: max_connections 1718 exceeds 1600 for memory_gb 16 of azure instance 'D4ds_v5'" "azure: the instance at the sku_name"
# without the configuration (no references), reports's configuration is
# nobody's: the catalog's E4ds_v5 3437 stands, capacity 3437 - 15 = 3422;
# billing's is still joined by its server_id
az_ok noref.json 'del p["configuration"]' "reports 3437 15 3422" "an unknown server_id is joined by the reference only"
contains "$(az_figs)" "billing 400 15 385" "azure: a known server_id needs no reference"
# billing on B_Standard_B1ms (B1ms, 50) without its configuration: 50 - 15 = 35
az_ok b1ms.json 'r[2]["values"]["sku_name"] = "B_Standard_B1ms"; del r[6]' "billing 50 15 35" "B_Standard_B1ms is B1ms"
# the topology's instance D2ds_v5 and provider rds against the plan: CB018 at the sku_name
sed 's|^    from: terraform:azurerm_postgresql_flexible_server/orders .*|&\n    instance: D2ds_v5\n    provider: rds|' "$TZ/connbudget.yaml" >"$TMP/tfz/drift.yaml"
expect_rc 1 "terraform azure CB018" "$CB" check -q "$TMP/tfz/drift.yaml"
contains "$out" "$TMP/tfz/plan.json:1:$c: error: instance is D2ds_v5 in the topology but D4ds_v5 in '$TMP/tfz/plan.json' (sku_name of azurerm_postgresql_flexible_server/orders) [CB018 config-mismatch]" "azure: CB018 on the SKU"
contains "$out" "$TMP/tfz/plan.json:1:$c: error: provider is rds in the topology but azure in '$TMP/tfz/plan.json' (sku_name of azurerm_postgresql_flexible_server/orders) [CB018 config-mismatch]" "azure: CB018 on the provider"
# the topology's max_connections 300 against billing's configuration 400: CB018 at its value
sed 's|^    from: terraform:azurerm_postgresql_flexible_server/billing .*|&\n    max_connections: 300|' "$TZ/connbudget.yaml" >"$TMP/tfz/mc.yaml"
expect_rc 1 "terraform azure CB018 max_connections" "$CB" check -q "$TMP/tfz/mc.yaml"
f=$(az_col "$TZ/plan.json" value '"400"')
contains "$out" "$TMP/tfz/plan.json:1:$f: error: max_connections is 300 in the topology but 400 in '$TMP/tfz/plan.json' (configuration max_connections of azurerm_postgresql_flexible_server/billing) [CB018 config-mismatch]" "azure: CB018 on a configuration's max_connections"
# bad plans: exit 2 at the value
az_bad tierless.json 'r[0]["values"]["sku_name"] = "Standard_D4ds_v5"' sku_name '"Standard_D4ds_v5"' \
	"sku_name: not a flexible server SKU: expected TIER_Standard_SIZE, TIER one of B, GP and MO (B_Standard_B1ms, GP_Standard_D4ds_v5)" \
	"a sku_name of another shape, at its position"
az_bad skulist.json 'r[0]["values"]["sku_name"] = ["GP_Standard_D4ds_v5"]' sku_name '["GP_Standard_D4ds_v5"]' \
	"sku_name: expected a SKU name (GP_Standard_D4ds_v5), got a sequence" "a sku_name that is a list"
az_bad unknown.json 'r[0]["values"]["sku_name"] = "GP_Standard_D9ds_v9"' sku_name '"GP_Standard_D9ds_v9"' \
	"azurerm_postgresql_flexible_server/orders sku_name: unknown azure instance" "a SKU the catalog does not know, at the plan"
az_bad lots.json 'r[4]["values"]["value"] = "lots"' value '"lots"' \
	"azurerm_postgresql_flexible_server/reports configuration max_connections: expected a non-negative integer" \
	"a configuration's bad max_connections, at its value"
# a second max_connections configuration of billing (appended: the first stays at column $f)
az_bad twice.json 'import copy; d = copy.deepcopy(r[6]); d["name"] = "billing_max_connections_2"; d["values"]["value"] = "300"; r.append(d)' \
	value '"300"' "a second max_connections configuration of azurerm_postgresql_flexible_server.billing (the first at 1:$f)" \
	"two max_connections configurations of one server"
lacks "$out$err" "ChangeMe-azure" "azure: no password in an error either"

finish
