#!/usr/bin/env bash
# CLI tests of the pooler model (docs/poolers.md): PgBouncer's pools per
# ([databases] entry, user) read from real pgbouncer.ini shapes under
# testdata/poolers/, each figure computed by hand in the comments of its
# YAML file. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/poolers.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

# json_eq JSON EXPR WANT DESCRIPTION: evaluate EXPR on the parsed report (d)
json_eq() {
	local got
	got=$(printf '%s' "$1" | $PY -c "import json, sys; d = json.load(sys.stdin); p = d['poolers'][0] if d['poolers'] else None; print(json.dumps($2))" 2>&1)
	[ "$got" = "$3" ] && ok || bad "$4: $2 is $got, want $3"
}
pools='[[q["entry"], q["user"], q["pool_size"], q["pool_mode"], q["cap"]] for q in p["pools"]]'

D=testdata/poolers

# cap_case RC FILE FINDING LABEL: check --format gcc on $D/FILE exits RC
# with FINDING among its lines and no CB001 (the server side fits)
cap_case() {
	expect_rc "$1" "$4" "$CB" check "$D/$2" --format gcc
	contains "$out" "$3" "$4"
	lacks "$out" "CB001" "$4: the server side fits"
}

#--- four entries on one server: cap 400, fails --------------------------------
expect_rc 1 "four entries fail" "$CB" check "$D/four-entries.yaml" --format gcc
contains "$out" "peak demand 200 exceeds capacity 147 on database 'main' (bouncer 200) [CB001 over-capacity]" "four entries: CB001"
expect_rc 1 "four entries json" "$CB" report "$D/four-entries.yaml" --format json
json_eq "$out" 'p["cap"]' '400' "4 entries x 100"
json_eq "$out" 'len(p["pools"])' '4' "one pool per entry"
json_eq "$out" 'p["unassigned_demand"]["peak"]' '200' "no url: the pool cannot be told"
json_eq "$out" 'p["server"]["peak"]' '200' "min(400, 200)"

#--- [users] overrides ----------------------------------------------------------
expect_rc 1 "[users] overrides" "$CB" report "$D/users.yaml" --format json
json_eq "$out" "$pools" '[["main", "app", 150, "session", 150], ["main", "worker", 20, "transaction", 20]]' "users pools"
json_eq "$out" 'p["cap"]' '160' "150 + max_user_connections 10"
json_eq "$out" 'p["server"]["peak"]' '160' "150 + 10"
json_eq "$out" '[q["demand"]["peak"] for q in p["pools"]]' '[200, 30]' "each client fills its own pool"
json_eq "$out" '[f["rule"] for f in d["findings"]]' '["CB006"]' "worker's transaction pool under a session default"

#--- forced user= ---------------------------------------------------------------
expect_rc 0 "forced user" "$CB" report "$D/forced-user.yaml" --format json
json_eq "$out" "$pools" '[["main", "svc", 4, "transaction", 4]]' "one pool for the forced user"
json_eq "$out" '[p["cap"], p["server"]["peak"]]' '[4, 4]' "cap 4, not 12"

#--- default_pool_size = 0 ------------------------------------------------------
expect_rc 1 "unlimited pool" "$CB" check "$D/unlimited.yaml" --format gcc
contains "$out" "unlimited.ini:11:1: error: pooler 'bouncer' has pool_size 0 for pool 'main', which means no limit since PgBouncer 1.24" "CB010 on the pooler"
contains "$out" "peak demand 100 exceeds capacity 97" "bounded by the clients only"
expect_rc 1 "unlimited json" "$CB" report "$D/unlimited.yaml" --format json
json_eq "$out" '[p["cap"], p["cap_unbounded"], p["server"]["peak"]]' '[null, true, 100]' "cap null, server 100"
expect_rc 0 "CB010 ignored on the pooler" "$CB" check "$D/unlimited.yaml" --disable CB010,CB001

#--- max_db_connections per entry, max_user_connections per user ----------------
expect_rc 0 "max_db / max_user" "$CB" report "$D/max-db.yaml" --format json
json_eq "$out" 'p["cap"]' '90' "2 x (15 + 30)"
json_eq "$out" 'p["server"]["peak"]' '30' "main's 2 x 15"
json_eq "$out" "$pools" '[["main", "app", 20, "transaction", 40], ["main", "worker", 20, "transaction", 40], ["reports", "app", 50, "transaction", 100], ["reports", "worker", 50, "transaction", 100]]' "max-db pools"

#--- prod + staging on one server: CB021 ----------------------------------------
expect_rc 1 "CB021 fails at --fail-on warning" "$CB" check testdata/rules/CB021/fires.yaml --fail-on warning
expect_rc 0 "CB021 json" "$CB" report testdata/rules/CB021/fires.yaml --format json
json_eq "$out" '[p["cap"], p["server"]["peak"], d["databases"][0]["capacity"]]' '[40, 20, 27]' "2 x 20 on capacity 27"

#--- pgpool-II: num_init_children x max_pool (figures by hand in the YAML) ------
cap_case 0 pgpool.yaml "pgpool.yaml:17:13: warning: pooler 'pgpool' can open 128 server connections to database 'main' (num_init_children 32 x max_pool 4); with the other contributors' peak 0 that is 128 > capacity 97, although the declared peak demand 30 fits [CB021 pooler-cap-over-capacity]" "pgpool defaults: CB021"
expect_rc 0 "pgpool defaults json" "$CB" report "$D/pgpool.yaml" --format json
json_eq "$out" '[p["type"], p["cap"], p["client_limit"], p["server"]["peak"], p["num_init_children"], p["max_pool"]]' '["pgpool", 128, 32, 30, 32, 4]' "32 x 4"
expect_rc 1 "pgpool sized" "$CB" check "$D/pgpool-sized.yaml" --format gcc
contains "$out" "good-sized.conf:7:1: error: peak client connections 25 exceed client_limit 19 on pooler 'pgpool' (num_init_children 20; api 25) [CB009 pooler-client-limit]" "pgpool: CB009"
contains "$out" "error: max_pool is 3 in the topology but 2 in" "pgpool: CB018"
contains "$err" "good-sized.conf:13:1: warning: unknown parameter \"pool_sise\": pgpool ignores it (a misspelling?)" "pgpool: unknown key warned"
lacks "$out" "pool_sise" "pgpool: the unknown key is no finding"
expect_rc 1 "pgpool sized json" "$CB" report "$D/pgpool-sized.yaml" --format json
json_eq "$out" '[p["cap"], p["client_limit"], p["server"]["peak"], p["reserved_connections"]]' '[60, 19, 25, 1]' "20 x 3 (the YAML's max_pool), 20 - 1"
mkdir -p "$TMP/pp"
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers: { p: { type: pgpool, database: main, config: %s } }\n' \
	"$PWD/$D/pgpool/bad-zero-children.conf" >"$TMP/pp/t.yaml"
expect_rc 2 "pgpool refuses 0 children" "$CB" check "$TMP/pp/t.yaml"
contains "$err" "bad-zero-children.conf:2:1: error: value is outside the valid range for parameter \"num_init_children\" (1 .. 2147483647)" "pgpool's wording, at the line"

# pooler_yaml OUT TYPE CONFIG [HOST [CLIENTS]]: a topology whose pooler p of
# TYPE reads CONFIG, on database main (at HOST), with CLIENTS (YAML lines)
pooler_yaml() {
	printf 'version: 1\ndatabases: { main: { %smax_connections: 100 } }\npoolers: { p: { type: %s, database: main, config: %s } }\n%s\n' \
		"${4:+host: $4, }" "$2" "$3" "${5:-}" >"$1"
}

#--- PgCat: pool_size per user and server entry (figures by hand in the YAML) ---
cap_case 0 pgcat.yaml "pgcat.yaml:21:13: warning: pooler 'cat' can open 108 server connections to database 'main' (pool_size summed over users and server entries 54); with the other contributors' peak 0 that is 108 > capacity 97, although the declared peak demand 30 fits [CB021 pooler-cap-over-capacity]" "pgcat: CB021"
expect_rc 0 "pgcat json" "$CB" report "$D/pgcat.yaml" --format json
json_eq "$out" '[p["type"], p["instances"], p["cap"], p["client_limit"], p["server"]["peak"]]' '["pgcat", 2, 108, null, 30]' "2 x 3 shards x 2 servers x 9"
mkdir -p "$TMP/pc"
pooler_yaml "$TMP/pc/t.yaml" pgcat "$PWD/testdata/config/pgcat/shapes.toml" db.internal
expect_rc 0 "pgcat shapes" "$CB" report "$TMP/pc/t.yaml" --format json
json_eq "$out" 'p["cap"]' '20' "app 10 + 3 on one server, other 7"
contains "$err" "shapes.toml:13:13: warning: unknown key \"pools.app.pool_sise\" in pool 'app': PgCat ignores it (a misspelling?)" "pgcat: unknown key warned"
pooler_yaml "$TMP/pc/d.yaml" pgcat "$PWD/testdata/config/pgcat/bad-duplicate-key.toml"
expect_rc 2 "pgcat duplicate key" "$CB" check "$TMP/pc/d.yaml"
contains "$err" "bad-duplicate-key.toml:6:13: error: duplicate key \`pools.p.users.0.pool_size\`" "pgcat: duplicate key at the line"
# pool_mode: PgCat's default transaction holds prisma and session features (CB005, CB006)
printf '[pools.p.users.0]\nusername = "u"\npool_size = 5\n[pools.p.shards.0]\ndatabase = "d"\nservers = [["h", 5432, "primary"]]\n' >"$TMP/pc/tx.toml"
pooler_yaml "$TMP/pc/m.yaml" pgcat "$TMP/pc/tx.toml" h \
	'clients: { web: { type: service, framework: prisma, cpus: 2, connects_to: p, url: "postgresql://app@cat:6432/app" }, n: { type: worker, connects_to: p, uses: [listen_notify], pool: { size: 1 } } }'
expect_rc 1 "pgcat default transaction" "$CB" check "$TMP/pc/m.yaml" --format gcc
contains "$out" "error: prisma client 'web' goes through pgcat 'p' in transaction mode but its url lacks 'pgbouncer=true' [CB005 prisma-pgbouncer-flag]" "pgcat: CB005 in its default mode"
contains "$out" "error: client 'n' uses listen_notify through pgcat 'p' in transaction mode [CB006 session-feature-in-transaction-pool]" "pgcat: CB006"
expect_rc 1 "pgcat pool_mode json" "$CB" report "$TMP/pc/m.yaml" --format json
json_eq "$out" 'p["pool_mode"]' '"transaction"' "pgcat: transaction by default"
# a session pool: no CB005/CB006; the topology's transaction against it is CB018 at the line
printf '[pools.p]\npool_mode = "Session"\n' | cat - "$TMP/pc/tx.toml" >"$TMP/pc/se.toml"
sed "s|$TMP/pc/tx.toml|$TMP/pc/se.toml|" "$TMP/pc/m.yaml" >"$TMP/pc/s.yaml"
expect_rc 0 "pgcat session pool" "$CB" check "$TMP/pc/s.yaml" --format gcc
lacks "$out" "CB005" "pgcat: a session pool holds prisma"
lacks "$out" "CB006" "pgcat: a session pool holds LISTEN"
sed 's|type: pgcat,|type: pgcat, pool_mode: transaction,|' "$TMP/pc/s.yaml" >"$TMP/pc/x.yaml"
expect_rc 1 "pgcat pool_mode mismatch" "$CB" check "$TMP/pc/x.yaml" --format gcc
contains "$out" "se.toml:2:13: error: pool_mode is transaction in the topology but Session in '$TMP/pc/se.toml' (pools.p.pool_mode) [CB018 config-mismatch]" "pgcat: CB018 at the file's line, as written"
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers: { p: { type: pgcat, database: main } }\n' >"$TMP/pc/n.yaml"
expect_rc 2 "pgcat without config" "$CB" check "$TMP/pc/n.yaml"
contains "$err" "poolers.p: a pgcat pooler needs config: (its pgcat.toml)" "pgcat: config required"

#--- Odyssey: pool_size per route whose storage is the database ----------------
expect_rc 1 "odyssey routes" "$CB" check "$D/odyssey.yaml" --format gcc
contains "$out" "odyssey.yaml:28:13: warning: pooler 'ody' can open 106 server connections to database 'main' (pool_size summed over its routes 53); with the other contributors' peak 0 that is 106 > capacity 97, although the declared peak demand 40 fits [CB021 pooler-cap-over-capacity]" "odyssey: CB021"
contains "$out" "odyssey.yaml:41:10: error: prisma client 'web' goes through odyssey 'ody' in transaction mode but its url lacks 'pgbouncer=true' [CB005 prisma-pgbouncer-flag]" "odyssey: CB005 in api's transaction mode"
lacks "$out" "CB001" "odyssey: server 40 fits"
expect_rc 1 "odyssey json" "$CB" report "$D/odyssey.yaml" --format json
json_eq "$out" '[p["type"], p["instances"], p["cap"], p["client_limit"], p["pool_mode"], p["server"]["peak"]]' '["odyssey", 2, 106, 520, "transaction", 40]' "2 x (40 + 10 + shared 3), 2 x 260 clients"
O=$PWD/testdata/config/odyssey
mkdir -p "$TMP/od"
# Odyssey's own odyssey.conf: its default route's pool_size 0 is no limit
pooler_yaml "$TMP/od/t.yaml" odyssey "$O/odyssey.conf" localhost \
	'clients: { api: { type: service, connects_to: p, replicas: 2, pool: { size: 10 } } }'
expect_rc 1 "odyssey sample" "$CB" check "$TMP/od/t.yaml" --format gcc
contains "$out" "odyssey.conf:665:13: error: pooler 'p' has a route to database 'main' with pool_size 0 or none, which means no limit in Odyssey: its server side is bounded only by its clients' demand [CB010 unbounded-pool]" "odyssey: pool_size 0 is CB010"
expect_rc 1 "odyssey sample json" "$CB" report "$TMP/od/t.yaml" --format json
json_eq "$out" '[p["cap"], p["cap_unbounded"], p["client_limit"], p["pool_mode"], p["server"]["peak"]]' '[null, true, null, "transaction", 20]' "no cap, no client_max: the clients' 2 x 10"
pooler_yaml "$TMP/od/s.yaml" odyssey "$O/bad-unknown-storage.conf"
expect_rc 2 "odyssey unknown storage" "$CB" check "$TMP/od/s.yaml"
contains "$err" "bad-unknown-storage.conf:4:11: error: rule 'd.u': no rule storage 'pgg' found (Odyssey refuses to start)" "odyssey: Odyssey's wording, at the line"
pooler_yaml "$TMP/od/b.yaml" odyssey "$O/bad-missing-brace.conf"
expect_rc 2 "odyssey missing brace" "$CB" check "$TMP/od/b.yaml"
contains "$err" "bad-missing-brace.conf:7:2: error: invalid odyssey.conf" "odyssey: the unclosed block at its line"
pooler_yaml "$TMP/od/w.yaml" odyssey "$O/shapes.conf" db.internal
expect_rc 0 "odyssey shapes" "$CB" report "$TMP/od/w.yaml" --format json
json_eq "$out" '[p["cap"], p["client_limit"], p["pool_mode"]]' '[20, null, "statement"]' "svc 11 + 7 + 2; svc has no client_max"
contains "$err" "shapes.conf:16:13: warning: unknown key \"pool_sise\" in route 'default.default': Odyssey's documentation does not name it (a misspelling?)" "odyssey: unknown key warned"
# client_max 200 + 50 + 5 + 5 = 260 < 30 x 10 + 2; listen_notify in api's transaction mode
pooler_yaml "$TMP/od/c.yaml" odyssey "$O/routes.conf" db.internal \
	'clients: { api: { type: service, connects_to: p, replicas: 30, pool: { size: 10 } }, notifier: { type: worker, connects_to: p, uses: [listen_notify], pool: { size: 2 } } }'
expect_rc 1 "odyssey client_max" "$CB" check "$TMP/od/c.yaml" --format gcc
contains "$out" "error: peak client connections 302 exceed client_limit 260 on pooler 'p' (1 x client_max over its routes 260; api 300, notifier 2) [CB009 pooler-client-limit]" "odyssey: CB009"
contains "$out" "error: client 'notifier' uses listen_notify through odyssey 'p' in transaction mode [CB006 session-feature-in-transaction-pool]" "odyssey: CB006"
lacks "$out" "CB001" "odyssey: server min(53, 302) fits"
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers: { p: { type: odyssey, database: main } }\n' >"$TMP/od/n.yaml"
expect_rc 2 "odyssey without config" "$CB" check "$TMP/od/n.yaml"
contains "$err" "poolers.p: an odyssey pooler needs config: (its odyssey.conf)" "odyssey: config required"

#--- a pooler without config: one pool per user, as before ----------------------
mkdir -p "$TMP/y"
cat >"$TMP/y/t.yaml" <<'Y'
version: 1
databases: { main: { max_connections: 100, settings: { idle_in_transaction_session_timeout: 1min } } }
poolers: { b: { type: pgbouncer, database: main, users: [a, b], default_pool_size: 10, reserve_pool_size: 2 } }
clients:
  api: { type: service, connects_to: b, url: "postgresql://a@pgb/main", pool: { size: 50, acquire_timeout: 1s } }
  etl: { type: job, connects_to: b, pool: { size: 5, acquire_timeout: 1s } }
Y
expect_rc 0 "no config" "$CB" report "$TMP/y/t.yaml" --format json
json_eq "$out" "$pools" '[["main", "a", 10, "session", 12], ["main", "b", 10, "session", 12]]' "one implicit entry"
# api fills main/a (min(12, 50) = 12); etl (no url, two users) may fill any: 12 + 5 = 17 <= 24
json_eq "$out" '[p["cap"], p["server"]["peak"], p["unassigned_demand"]["peak"]]' '[24, 17, 5]' "known and untold demand"

#--- entries that point elsewhere, and none that points here -------------------
# the only entry stands for the database: its other host is CB018
printf '[databases]\nother = host=elsewhere.internal dbname=x\n[pgbouncer]\n' >"$TMP/y/b.ini"
printf 'version: 1\ndatabases: { main: { max_connections: 100, host: db.internal } }\npoolers: { b: { type: pgbouncer, database: main, config: b.ini } }\n' >"$TMP/y/n.yaml"
expect_rc 1 "the only entry elsewhere" "$CB" check "$TMP/y/n.yaml" --format gcc
contains "$out" "b.ini:2:1: error: host of database 'main' is 'db.internal' in the topology but 'elsewhere.internal'" "CB018 for the only entry"
printf '[databases]\nother = host=elsewhere.internal dbname=x\nmore = host=elsewhere.internal dbname=y\n[pgbouncer]\n' >"$TMP/y/b.ini"
printf 'version: 1\ndatabases: { main: { max_connections: 100, host: db.internal } }\npoolers: { b: { type: pgbouncer, database: main, config: b.ini } }\n' >"$TMP/y/n.yaml"
expect_rc 2 "no entry points at the database" "$CB" check "$TMP/y/n.yaml"
contains "$err" "n.yaml:3:58: error: poolers.b.config: no [databases] entry of '$TMP/y/b.ini' points at database 'main' (host db.internal, port 5432)" "named at config:"
printf '[pgbouncer]\n[databases]\nmain = host=db.internal pool_sise=5\n' >"$TMP/y/b.ini"
expect_rc 2 "unknown connect-string key" "$CB" check "$TMP/y/n.yaml"
contains "$err" "b.ini:3:1: error: [databases] 'main': unrecognized connection parameter: pool_sise" "PgBouncer's wording"
printf '[pgbouncer]\n[databases]\nmain = host=db.internal\n[users]\napp = pool_sise=5\n' >"$TMP/y/b.ini"
expect_rc 2 "unknown [users] key" "$CB" check "$TMP/y/n.yaml"
contains "$err" "b.ini:5:1: error: [users] 'app': unrecognized user parameter: pool_sise" "PgBouncer's wording"

#--- what PgBouncer refuses to start with (docs/poolers.md) ---------------------
# bad_ini TEXT WANT DESCRIPTION: exit 2 with WANT in the error
bad_ini() {
	printf "$1" >"$TMP/y/b.ini"
	expect_rc 2 "$3" "$CB" check "$TMP/y/n.yaml"
	contains "$err" "$2" "$3"
}
bad_ini '[pgbouncer]\npool_sise = 5\n[databases]\nmain = host=db.internal\n' \
	"b.ini:2:1: error: unknown parameter: pgbouncer/pool_sise" "unknown [pgbouncer] key"
bad_ini '[pgbouncer]\nDefault_Pool_Size = 5\n[databases]\nmain = host=db.internal\n' \
	"b.ini:2:1: error: unknown parameter: pgbouncer/Default_Pool_Size" "keys are compared as written"
bad_ini '[pgbouncer]\n[pool]\nsize = 5\n' "b.ini:2:1: error: invalid section \"pool\"" "unknown section"
bad_ini '[databases]\nmain = host=db.internal\n' "b.ini:1:1: error: main section missing from config file" "no [pgbouncer]"
bad_ini '[pgbouncer]\nquery_timeout = 30s\n[databases]\nmain = host=db.internal\n' \
	"b.ini:2:1: error: invalid value \"30s\" for parameter query_timeout" "seconds without unit"
bad_ini '[pgbouncer]\n[databases]\nmain = host=db.internal Pool_Size=5\n' \
	"unrecognized connection parameter: Pool_Size" "connect-string keys as written"
bad_ini '[pgbouncer]\n[databases]\nmain = host=db.internal pool_size=\n' "malformed connect string" "empty value"
# a second [pgbouncer] header resets what the first set: default_pool_size is 20 again
printf '[pgbouncer]\ndefault_pool_size = 5\n[databases]\nmain = host=db.internal\n[pgbouncer]\nmax_client_conn = 50\n' >"$TMP/y/b.ini"
expect_rc 0 "second [pgbouncer] header" "$CB" report "$TMP/y/n.yaml" --format json
json_eq "$out" 'p["cap"]' '20' "reset to PgBouncer's default 20"

# Supavisor (testdata/poolers/supavisor.yaml): 2 roles x default_pool_size
# 15 = 30 whatever its nodes; clients 80 + 150 = 230 > default_max_clients
# 200 (CB009 at that line); server min(30, 230) = 30 within capacity 57.
cap_case 1 supavisor.yaml "supavisor.yaml:21:26: error: peak client connections 230 exceed client_limit 200 on pooler 'supavisor' (default_max_clients; edge 150, api 80) [CB009 pooler-client-limit]" "supavisor: CB009 at default_max_clients"
expect_rc 1 "supavisor json" "$CB" report "$D/supavisor.yaml" --format json
json_eq "$out" '[p["type"], p["cap"], p["users"], p["default_pool_size"], p["client_limit"], p["server"]["peak"], d["databases"][0]["demand"]["peak"]]' '["supavisor", 30, 2, 15, 200, 30, 30]' "supavisor: 2 x 15, its clients' 230 capped at 30"
mkdir -p "$TMP/sv"
sed '/default_pool_size: 15/d' "$D/supavisor.yaml" >"$TMP/sv/no-size.yaml"
expect_rc 2 "supavisor without default_pool_size" "$CB" check "$TMP/sv/no-size.yaml"
contains "$err" "no-size.yaml:16:3: error: poolers.supavisor: a supavisor pooler needs default_pool_size" "supavisor: default_pool_size is required"
sed 's/^    users: .*/    instances: 3/' "$D/supavisor.yaml" >"$TMP/sv/instances.yaml"
expect_rc 2 "supavisor with instances" "$CB" check "$TMP/sv/instances.yaml"
contains "$err" "instances" "supavisor: instances does not apply (one node holds a tenant's pool)"
# a client whose url names the pooler's host on 6543 (transaction mode's port) goes through it
sed 's|^    connects_to: supavisor$|    connects_to: main\n    url: postgres://u@aws-0-eu-central-1.pooler.supabase.com:6543/postgres|' "$D/supavisor.yaml" | sed '/^  edge:/,$d' >"$TMP/sv/bypass.yaml"
expect_rc 1 "supavisor port" "$CB" check "$TMP/sv/bypass.yaml" --format gcc
contains "$out" "CB012" "supavisor: a url on its transaction port names the pooler"

#--- a pooler in front of a pooler (docs/poolers.md) ----------------------------
# chain.yaml: api -> bouncer -> proxy -> main, each figure in its comments
expect_rc 0 "chain" "$CB" report "$D/chain.yaml" --format json
chain='{q["id"]: [q.get("connects_to"), q["database"], q["cap"], q["client_demand"]["steady"], q["client_demand"]["peak"], q["server"]["steady"], q["server"]["peak"], q.get("poolers")] for q in d["poolers"]}'
json_eq "$out" "$chain" '{"bouncer": ["proxy", "main", 70, 80, 140, 70, 70, null], "proxy": [null, "main", 100, 100, 100, 100, 100, ["bouncer"]]}' "chain: bouncer's server side is proxy's client"
json_eq "$out" '[d["databases"][0]["demand"]["steady"], d["databases"][0]["demand"]["peak"], d["databases"][0]["utilization"]]' '[105, 105, 0.525]' "chain: proxy 100 + jobs 5, bouncer not counted twice"
json_eq "$out" '[c["id"] for c in d["databases"][0]["contributors"]]' '["proxy", "jobs"]' "chain: the innermost pooler and the direct client"
json_eq "$out" '[q["entry"] for q in d["poolers"][0]["pools"]]' '["main"]' "chain: bouncer's entry points at proxy.internal:5432"
json_eq "$out" '[f["rule"] for f in d["findings"]]' '[]' "chain: no finding"
mkdir -p "$TMP/ch"
printf '%s\n' "$out" >"$TMP/ch/chain.json"
$PY tests/validate.py report "$TMP/ch/chain.json" && ok || bad "chain: the JSON report does not validate against schemas/report.schema.json"
expect_rc 0 "chain text" "$CB" check "$D/chain.yaml"
contains "$out" "  proxy            rds_proxy     100     100
    worker         worker         30      30  client side, not counted
    bouncer        pgbouncer      70      70  pooler in front, not counted
      api          service        80     140  client side, not counted
  jobs             job             5       5" "chain: the outer pooler beneath the inner one"
expect_rc 0 "chain graph" "$CB" graph "$D/chain.yaml" --format dot
contains "$out" '"pooler:bouncer" -> "pooler:proxy" [label="server steady 70, peak 70"];' "chain: the outer pooler's edge goes to the inner one"
lacks "$out" '"pooler:bouncer" -> "db:main"' "chain: no edge from the outer pooler to the database"
# two entries pointing at the database, past the proxy: none reaches proxy
mkdir -p "$TMP/ch"
sed 's/host=proxy.internal/host=db.internal/; s/^main = \(.*\)/other = \1\nreports = \1/' "$D/chain.ini" >"$TMP/ch/chain.ini"
cp "$D/userlist.txt" "$TMP/ch/"
cp "$D/chain.yaml" "$TMP/ch/chain.yaml"
expect_rc 2 "chain: entry past the inner pooler" "$CB" check "$TMP/ch/chain.yaml"
contains "$err" "poolers.bouncer.config: no [databases] entry of '$TMP/ch/chain.ini' points at pooler 'proxy' (host proxy.internal, port 5432)" "chain: entries matched against the inner pooler"
# the one entry, named like the database, on the database's host: CB018 against the inner pooler
sed 's/host=proxy.internal/host=db.internal/' "$D/chain.ini" >"$TMP/ch/chain.ini"
expect_rc 1 "chain: the entry's host" "$CB" check "$TMP/ch/chain.yaml" --format gcc
contains "$out" "chain.ini:4:1: error: host of pooler 'proxy' is 'proxy.internal' in the topology but 'db.internal' in '$TMP/ch/chain.ini' ([databases] 'main') [CB018 config-mismatch]" "chain: CB018 on the inner pooler's host"
# CB012: a url on the inner pooler's endpoint goes past the outer one
cp "$D/chain.ini" "$TMP/ch/chain.ini"
sed 's|^    connects_to: bouncer$|    connects_to: bouncer\n    url: postgresql://app@proxy.internal:5432/main|' "$D/chain.yaml" >"$TMP/ch/bypass.yaml"
expect_rc 1 "chain CB012" "$CB" check "$TMP/ch/bypass.yaml" --format gcc
contains "$out" "bypass.yaml:42:10: error: client 'api' connects_to pooler 'bouncer' but its url goes past it to pooler 'proxy' at proxy.internal:5432 [CB012 bypasses-pooler]" "chain: CB012 past the outer pooler"
# CB021 against the inner pooler's client limit (chain-limit.yaml)
cap_case 0 chain-limit.yaml "chain-limit.yaml:25:13: warning: pooler 'edge' can open 40 server connections to pooler 'inner' (2 pools: main 20, staging 20); with its other clients' peak 10 that is 50 > client_limit 30, although the declared peak client demand 25 fits [CB021 pooler-cap-over-capacity]" "chain: CB021 at the inner pooler's client limit"
expect_rc 0 "chain-limit json" "$CB" report "$D/chain-limit.yaml" --format json
json_eq "$out" '[[q["id"], q["client_demand"]["peak"], q["server"]["peak"]] for q in d["poolers"]] + [d["databases"][0]["demand"]["peak"]]' '[["edge", 15, 15], ["inner", 25, 25], 25]' "chain-limit: figures"
# PgCat in front of PgBouncer: docker.toml's servers (postgres:5432) are
# matched against bouncer's host and port; cap 2 x 54 = 108, server
# min(108, 30) = 30, bouncer's cap 20 bounds main's demand; the whole
# 108 > bouncer's client limit 100 (max_client_conn's default): CB021
printf 'version: 1\ndatabases: { main: { max_connections: 100, host: db.internal } }\npoolers:\n  cat: { type: pgcat, database: bouncer, instances: 2, config: %s/testdata/config/pgcat/docker.toml }\n  bouncer: { type: pgbouncer, database: main, host: postgres, port: 5432 }\nclients:\n  api: { type: service, connects_to: cat, replicas: 3, pool: { size: 10 } }\n' "$PWD" >"$TMP/ch/pgcat.yaml"
expect_rc 0 "chain pgcat" "$CB" report "$TMP/ch/pgcat.yaml" --format json
json_eq "$out" '[[q["id"], q["cap"], q["client_demand"]["peak"], q["server"]["peak"]] for q in d["poolers"]] + [d["databases"][0]["demand"]["peak"]]' '[["cat", 108, 30, 30], ["bouncer", 20, 30, 20], 20]' "chain: pgcat in front of pgbouncer"
contains "$out" "pooler 'cat' can open 108 server connections to pooler 'bouncer' (pool_size summed over users and server entries 54); with its other clients' peak 0 that is 108 > client_limit 100, although the declared peak client demand 30 fits" "chain: CB021 on pgcat at bouncer's client limit"
sed -i 's/, port: 5432//' "$TMP/ch/pgcat.yaml"
expect_rc 2 "chain pgcat port" "$CB" check "$TMP/ch/pgcat.yaml"
contains "$err" "poolers.cat.config: no server of '$PWD/testdata/config/pgcat/docker.toml' points at pooler 'bouncer' (host postgres, port 6432): give a server the pooler's host and port" "chain: pgcat servers against bouncer's listen port"
# the inner pooler's listen_port from its own file, read before the outer's
# (listed first): both outer entries are on inner.internal:7432, cap 2 x 20
printf '[pgbouncer]\nlisten_port = 7432\n[databases]\nmain = host=db.internal\n' >"$TMP/ch/inner.ini"
printf '[pgbouncer]\n[databases]\na = host=inner.internal port=7432\nb = host=inner.internal port=7432\n' >"$TMP/ch/outer.ini"
printf 'version: 1\ndatabases: { main: { max_connections: 100, host: db.internal } }\npoolers:\n  outer: { type: pgbouncer, database: inner, config: outer.ini }\n  inner: { type: pgbouncer, database: main, host: inner.internal, config: inner.ini }\nclients:\n  api: { type: service, connects_to: outer, pool: { size: 5 } }\n' >"$TMP/ch/ports.yaml"
expect_rc 0 "chain listen_port" "$CB" report "$TMP/ch/ports.yaml" --format json
json_eq "$out" '[p["cap"], len(p["pools"]), d["poolers"][1]["client_demand"]["peak"]]' '[40, 2, 5]' "chain: outer entries on the inner's listen_port"
# an unknown id: the "unknown database" error, its hint over poolers too
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers:\n  outer: { type: pgbouncer, database: rds-proxi }\n  rds-proxy: { type: rds_proxy, database: main }\n' >"$TMP/ch/typo.yaml"
expect_rc 2 "chain typo" "$CB" check "$TMP/ch/typo.yaml"
contains "$err" "typo.yaml:4:39: error: poolers.outer.database: unknown database \"rds-proxi\", did you mean \"rds-proxy\"?" "chain: did you mean a pooler"
# CB009 names the outer pooler among the inner one's clients
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers:\n  outer: { type: pgbouncer, database: inner, default_pool_size: 40 }\n  inner: { type: pgbouncer, database: main, max_client_conn: 30 }\nclients:\n  api: { type: service, connects_to: outer, pool: { size: 50 } }\n  w: { type: worker, connects_to: inner, pool: { size: 5 } }\n' >"$TMP/ch/cb009.yaml"
expect_rc 1 "chain CB009" "$CB" check "$TMP/ch/cb009.yaml" --format gcc
contains "$out" "peak client connections 45 exceed client_limit 30 on pooler 'inner' (1 instance x max_client_conn 30; outer 40, w 5) [CB009 pooler-client-limit]" "chain: CB009 counts the outer pooler's server side"
lacks "$out" "CB001" "chain: inner's cap 20 fits"
# CB006: a session-mode pooler in front of a transaction-mode one breaks sessions there
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers:\n  outer: { type: pgbouncer, database: inner, pool_mode: session }\n  inner: { type: pgbouncer, database: main, pool_mode: transaction }\nclients:\n  api: { type: service, connects_to: outer, pool: { size: 5 }, uses: [advisory_locks] }\n' >"$TMP/ch/modes.yaml"
expect_rc 1 "chain CB006" "$CB" check "$TMP/ch/modes.yaml" --format gcc
contains "$out" "modes.yaml:7:71: error: client 'api' uses advisory_locks through pgbouncer 'inner' in transaction mode [CB006 session-feature-in-transaction-pool]" "chain: CB006 at the inner pooler's mode"
sed -i 's/pool_mode: session }/pool_mode: statement }/' "$TMP/ch/modes.yaml"
expect_rc 1 "chain CB006 statement" "$CB" check "$TMP/ch/modes.yaml" --format gcc
contains "$out" "client 'api' uses advisory_locks through pgbouncer 'outer' in statement mode" "chain: the strictest mode on the chain"

#--- type: managed (docs/poolers.md "Managed poolers") ------------------------
# Neon (testdata/poolers/managed-neon.yaml): pools of 90% of 419 = 377
expect_rc 0 "managed neon" "$CB" check "$D/managed-neon.yaml" --format gcc
lacks "$out" "CB001" "managed neon: 310 fits 412"
expect_rc 0 "managed neon json" "$CB" report "$D/managed-neon.yaml" --format json
json_eq "$out" '[p["type"], p["managed"], p["pool_mode"], p["default_pool_size"], p["max_client_conn"], p["cap"], p["client_limit"], p["server"]["peak"], d["databases"][0]["capacity"]]' '["pgbouncer", "neon", "transaction", 377, 10000, 377, 10000, 310, 412]' "managed neon: floor(0.9 x 419) = 377, 10000 clients, transaction, run by neon"
json_eq "$out" "$pools" '[["main", "app", 377, "transaction", 377]]' "managed neon: one pool per user"
mkdir -p "$TMP/mg"
# the topology's figures win over Neon's
sed 's/^    users: \[app\]$/    users: [app]\n    default_pool_size: 100\n    max_client_conn: 300\n    pool_mode: session/' "$D/managed-neon.yaml" >"$TMP/mg/override.yaml"
expect_rc 1 "managed neon override" "$CB" report "$TMP/mg/override.yaml" --format json
json_eq "$out" '[p["pool_mode"], p["default_pool_size"], p["max_client_conn"], p["cap"], p["server"]["peak"]]' '["session", 100, 300, 100, 100]' "managed neon: the topology's figures win"
expect_rc 1 "managed neon override CB009" "$CB" check "$TMP/mg/override.yaml" --format gcc
contains "$out" "peak client connections 310 exceed client_limit 300 on pooler 'neon'" "managed neon: the topology's max_client_conn is the client limit"
# the pool follows the compute: 0.25 CU, 104 x 0.9 = 93.6, rounded down 93
sed 's/^    instance: "1"$/    instance: "0.25"/' "$D/managed-neon.yaml" >"$TMP/mg/small.yaml"
expect_rc 0 "managed neon 0.25" "$CB" report "$TMP/mg/small.yaml" --format json
json_eq "$out" '[p["default_pool_size"], p["cap"], p["server"]["peak"]]' '[93, 93, 93]' "managed neon 0.25 CU: floor(0.9 x 104) = 93"
# an explicit max_connections sizes the pool too: 0.9 x 250 = 225
sed 's/^    instance: "1"$/    instance: "1"\n    max_connections: 250/' "$D/managed-neon.yaml" >"$TMP/mg/explicit.yaml"
expect_rc 0 "managed neon max_connections" "$CB" report "$TMP/mg/explicit.yaml" --format json
json_eq "$out" '[p["default_pool_size"], p["cap"]]' '[225, 225]' "managed neon: 0.9 x max_connections 250"
# Azure (testdata/poolers/managed-azure.yaml): 2 users x 50, 5000 clients, port 6432
expect_rc 0 "managed azure" "$CB" check "$D/managed-azure.yaml" --format gcc
lacks "$out" "CB001" "managed azure: 100 fits 1703"
expect_rc 0 "managed azure json" "$CB" report "$D/managed-azure.yaml" --format json
json_eq "$out" '[p["type"], p["managed"], p["pool_mode"], p["default_pool_size"], p["max_client_conn"], p["cap"], p["client_limit"], p["server"]["peak"], d["databases"][0]["capacity"]]' '["pgbouncer", "azure", "transaction", 50, 5000, 100, 5000, 100, 1703]' "managed azure: 2 x 50, 5000 clients, run by azure"
json_eq "$("$CB" report "$D/chain.yaml" --format json)" '["managed" in q for q in d["poolers"]]' '[false, false]' "a pooler of another type has no managed key"
# a url on the server's PgBouncer port 6432 names the pooler, 5432 bypasses it (CB012)
sed 's|^    pool: { size: 10, acquire_timeout: 5s }$|    pool: { size: 10, acquire_timeout: 5s }\n    url: postgres://app@orders.postgres.database.azure.com:5432/orders|' "$D/managed-azure.yaml" >"$TMP/mg/bypass.yaml"
expect_rc 1 "managed azure port" "$CB" check "$TMP/mg/bypass.yaml" --format gcc
contains "$out" "CB012" "managed azure: a url on 5432 bypasses PgBouncer on 6432"

finish
