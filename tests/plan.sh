#!/usr/bin/env bash
# CLI tests of `connbudget plan` (--set, --solve, --spike) and of the config
# files behind a topology (pgbouncer.ini, postgresql.conf, CB018). Every
# expected number is computed by hand in the comments of testdata/plan/*.yaml
# and testdata/config/*.yaml. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/plan.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

# has HAYSTACK NEEDLE DESCRIPTION: contains, with runs of spaces squeezed in both
has() {
	contains "$(printf '%s' "$1" | tr -s ' ')" "$(printf '%s' "$2" | tr -s ' ')" "$3"
}

# json_eq JSON EXPR WANT DESCRIPTION: evaluate EXPR on the parsed report (d)
json_eq() {
	local got
	got=$(printf '%s' "$1" | $PY -c "import json, sys; d = json.load(sys.stdin); print(json.dumps($2))" 2>&1)
	[ "$got" = "$3" ] && ok || bad "$4: $2 is $got, want $3"
}

R=testdata/plan/replicas.yaml
P=testdata/plan/pooler.yaml
S=testdata/plan/serverless.yaml

#--- --set: the figures under the plan, and what changed ---------------------
expect_rc 0 "plan without options" "$CB" plan "$R" --color never
contains "$out" "no --set or --spike: the figures are the topology's own" "plan alone"
expect_rc 0 "--set replicas=4" "$CB" plan "$R" --set clients.api.replicas=4 --color never
has "$out" "set      clients.api.replicas = 4" "--set is echoed"
has "$out" "clients.api.steady               120 ->    160" "steady 3|4 x 2 x 20"
has "$out" "clients.api.peak                 160 ->    200" "peak moves with an unset max_replicas"
has "$out" "databases.main.demand.peak       207 ->    247" "database peak"
has "$out" "demand                       207     247" "the table is the plan's"
expect_rc 1 "--set replicas=7 breaks it" "$CB" plan "$R" --set clients.api.replicas=7 --color never
contains "$out" "peak demand 407 exceeds capacity 395" "replicas 7: (7 + 2) x 40 + 47"
expect_rc 0 "two --set" "$CB" plan "$R" --set clients.api.replicas=7 --set databases.main.max_connections=420 --color never
has "$out" "databases.main.capacity         395 ->    415" "max_connections 420 - 5"
expect_rc 0 "--set that changes nothing" "$CB" plan "$R" --set clients.api.replicas=3 --color never
contains "$out" "no figure changed" "no change"
expect_rc 0 "--set with --fail-on never" "$CB" plan "$R" --set clients.api.replicas=7 --fail-on never

# a bad --set is an input error naming it
expect_rc 2 "--set unknown field" "$CB" plan "$R" --set clients.api.replica=4
contains "$err" 'connbudget: error: --set clients.api.replica: unknown field "replica", did you mean "replicas"?' "bad path"
expect_rc 2 "--set unknown client" "$CB" plan "$R" --set clients.apu.replicas=4
contains "$err" 'unknown client "apu", did you mean "api"?' "bad id"
expect_rc 2 "--set bad value" "$CB" plan "$R" --set clients.api.replicas=three
contains "$err" '--set clients.api.replicas: expected a non-negative integer, got a string (value not shown)' "bad value"
expect_rc 2 "--set without =" "$CB" plan "$R" --set clients.api.replicas
contains "$err" "expected PATH=VALUE" "no ="
expect_rc 2 "--set breaking an ordering constraint" "$CB" plan "$R" --set clients.api.max_replicas=2
contains "$err" "clients.api.max_replicas: 2 is less than replicas 3" "validated like the file"
expect_rc 2 "plan without FILE" "$CB" plan --set clients.api.replicas=4
expect_rc 2 "plan of a missing file" "$CB" plan testdata/plan/nope.yaml

#--- --solve ------------------------------------------------------------------
expect_rc 0 "--solve replicas (surge 25%)" "$CB" plan "$R" --solve clients.api.replicas --color never
has "$out" "solve    clients.api.replicas can go up to 6 (at 7: CB001 peak demand 407 exceeds capacity 395 on database 'main' (api 360, worker 45, metrics 2))" "replicas"
expect_rc 0 "--solve max_replicas" "$CB" plan "$R" --solve clients.api.max_replicas --color never
contains "$out" "clients.api.max_replicas can go up to 6 (at 7: CB001 peak demand 407" "max_replicas"
expect_rc 0 "--solve against an explicit max_replicas" "$CB" plan "$R" --set clients.api.max_replicas=6 --solve clients.api.replicas --color never
contains "$out" "clients.api.replicas can go up to 6 (at 7: clients.api.max_replicas: 6 is less than replicas 7)" "ordering stops it"
expect_rc 0 "--solve max_connections" "$CB" plan "$R" --solve databases.main.max_connections --color never
contains "$out" "databases.main.max_connections must be at least 212 (at 211: CB001 peak demand 207 exceeds capacity 206" "capacity direction"
expect_rc 0 "--solve max_connections --fail-on warning" "$CB" plan "$R" --solve databases.main.max_connections --fail-on warning --color never
contains "$out" "must be at least 217 (at 216: CB002" "budget with headroom 10"
expect_rc 0 "--solve replicas behind a pooler" "$CB" plan "$P" --solve clients.api.replicas --color never
contains "$out" "clients.api.replicas has no limit: every value up to 1000000 passes" "pooler cap: no limit"
expect_rc 0 "--solve default_pool_size" "$CB" plan "$P" --solve poolers.bouncer.default_pool_size --color never
contains "$out" "poolers.bouncer.default_pool_size can go up to 169 (at 170: CB001 peak demand 397 exceeds capacity 395 on database 'main' (bouncer 350, worker 45, metrics 2))" "default_pool_size"
expect_rc 0 "--solve max_client_conn" "$CB" plan "$P" --solve poolers.bouncer.max_client_conn --color never
contains "$out" "poolers.bouncer.max_client_conn must be at least 500 (at 499: CB009" "max_client_conn"
# the exit status is the plan's, not the solved value's
expect_rc 1 "--solve on a failing plan" "$CB" plan "$R" --set clients.api.replicas=7 --solve clients.api.replicas --color never
contains "$out" "clients.api.replicas can go up to 6" "solved under a failing plan"
# findings unrelated to the path block every value
expect_rc 1 "--solve with an unrelated warning" "$CB" plan "$R" --set clients.metrics.pool.acquire_timeout=0 --solve clients.api.replicas --fail-on warning --color never
contains "$out" "no value of clients.api.replicas from 0 to 1000000 passes; these findings, unrelated to it, fire at every value tried:" "no value"
contains "$out" "[CB007 no-acquire-timeout]" "the unrelated finding is listed"
expect_rc 2 "--solve a string field" "$CB" plan "$R" --solve clients.api.framework
contains "$err" "--solve clients.api.framework: not a count connbudget can search" "not a count"
expect_rc 2 "--solve an unknown field" "$CB" plan "$R" --solve clients.api.replica
contains "$err" 'connbudget: error: --solve clients.api.replica: unknown field "replica", did you mean "replicas"?' "unknown field"

#--- --spike ------------------------------------------------------------------
expect_rc 1 "--spike 1.5" "$CB" plan "$S" --spike 1.5 --color never
has "$out" "spike    1.50x: every load.hold multiplied by 1.50" "factor echoed"
has "$out" "clients.ingest.concurrency              23 ->     34" "ceil(22.5) -> ceil(33.75)"
has "$out" "databases.main.demand.steady            83 ->     94" "steady demand under the spike"
contains "$out" "holds up to a 1.64x latency spike; breaks at 1.65x: database 'main' steady demand 98 exceeds capacity 97" "breaking factor"
expect_rc 0 "--spike with a capping proxy" "$CB" plan "$S" --spike 3 --set poolers.proxy.max_connections_percent=35 --color never
contains "$out" "never breaks" "never"
expect_rc 1 "--spike already over" "$CB" plan "$S" --spike 1 --set clients.web.replicas=4 --color never
contains "$out" "breaks at 1.00x" "over without a spike"
expect_rc 2 "--spike bad factor" "$CB" plan "$S" --spike 1.234
contains "$err" '--spike: expected a factor from 0.01 to 100 with at most two decimals (e.g. 2 or 1.5), got "1.234"' "bad factor"
expect_rc 2 "--spike zero" "$CB" plan "$S" --spike 0
expect_rc 2 "--spike above 100" "$CB" plan "$S" --spike 101

#--- JSON ---------------------------------------------------------------------
expect_rc 0 "json --set --solve" "$CB" plan "$R" --set clients.api.replicas=4 --solve clients.api.max_replicas --format json
j=$out
json_eq "$j" 'd["command"]' '"plan"' "json command"
json_eq "$j" 'd["plan"]["set"]' '{"clients.api.replicas": 4}' "plan.set"
json_eq "$j" 'd["plan"]["solve"]["path"]' '"clients.api.max_replicas"' "plan.solve.path"
json_eq "$j" 'd["plan"]["solve"]["value"]' '6' "plan.solve.value"
json_eq "$j" 'd["plan"]["solve"]["at"]' '7' "plan.solve.at"
json_eq "$j" 'd["plan"]["solve"]["blocked_by"][0]["rule"]' '"CB001"' "plan.solve.blocked_by"
json_eq "$j" '[c for c in d["plan"]["changes"] if c["path"] == "clients.api.peak"][0]' '{"path": "clients.api.peak", "before": 160, "after": 200}' "plan.changes"
json_eq "$j" 'd["databases"][0]["demand"]["peak"]' '247' "figures are the plan's"
json_eq "$j" '"spike" in d["plan"]' 'false' "no spike key without --spike"
expect_rc 1 "json --spike" "$CB" plan "$S" --spike 2 --format json
json_eq "$out" 'd["plan"]["spike"]["factor"]' '2' "plan.spike.factor"
json_eq "$out" 'd["plan"]["spike"]["breaking_factor"]' '1.65' "plan.spike.breaking_factor"
json_eq "$out" 'd["databases"][0]["demand"]["steady"]' '105' "steady demand under 2x: 60 + 45"
expect_rc 0 "json --spike never" "$CB" plan "$S" --spike 2 --set poolers.proxy.max_connections_percent=35 --format json
json_eq "$out" 'd["plan"]["spike"]["breaking_factor"]' 'null' "breaking_factor null for never"
expect_rc 0 "json --solve no limit" "$CB" plan "$P" --solve clients.api.replicas --format json
json_eq "$out" '[d["plan"]["solve"][k] for k in ("value", "result")]' '[null, "no_limit"]' "no limit in json"
expect_rc 0 "plan -o" "$CB" plan "$R" --set clients.api.replicas=4 -o "$TMP/plan.txt" --color never
has "$(cat "$TMP/plan.txt")" "clients.api.peak 160 -> 200" "-o writes the plan"
expect_rc 0 "plan --format sarif" "$CB" plan "$R" --set clients.api.replicas=4 --format sarif
expect_rc 0 "plan -q" "$CB" plan "$R" --set clients.api.replicas=4 -q
lacks "$out" "before" "-q: findings only"

#--- config files: pgbouncer.ini and postgresql.conf ---------------------------
# the stock Debian files load (the sample postgresql.conf sets nothing)
expect_rc 0 "stock pgbouncer.ini + postgresql.conf.sample" "$CB" check testdata/config/debian-sample.yaml
expect_rc 0 "Debian's cluster postgresql.conf (include_dir conf.d)" "$CB" check testdata/config/debian-cluster.yaml --color never
contains "$out" "[CB011 no-idle-in-transaction-timeout]" "the cluster file leaves the timeout commented out"
# includes, include_dir, the last setting wins, [databases] pool_size
expect_rc 0 "prod files fill the topology" "$CB" report testdata/config/prod.yaml --format json
json_eq "$out" 'd["databases"][0]["capacity"]' '395' "superuser_reserved_connections 5 from postgresql.conf"
json_eq "$out" 'd["poolers"][0]["cap"]' '90' "2 x min(40 + 5, 60) from pgbouncer.ini"
json_eq "$out" 'd["poolers"][0]["client_limit"]' '6000' "max_client_conn 3000 from limits.ini (x 2)"
# postgresql.auto.conf (ALTER SYSTEM) is read after postgresql.conf and wins
expect_rc 1 "postgresql.auto.conf" "$CB" check testdata/config/auto.yaml --format gcc
contains "$out" "testdata/config/auto/postgresql.auto.conf:3:1: error: max_connections is 100 in the topology but 250 in 'testdata/config/auto/postgresql.auto.conf' [CB018 config-mismatch]" "ALTER SYSTEM's max_connections"
lacks "$out" "CB011" "ALTER SYSTEM's idle_in_transaction_session_timeout 1min"
expect_rc 1 "postgresql.auto.conf json" "$CB" report testdata/config/auto.yaml --format json
json_eq "$out" 'd["databases"][0]["capacity"]' '97' "the YAML's 100 - 3 from postgresql.conf"
# config_root maps absolute includes into the repository; without it they are refused
expect_rc 0 "config_root" "$CB" report testdata/config/rooted.yaml --format json
json_eq "$out" 'd["databases"][0]["capacity"]' '295' "300 - 5 from /etc/postgresql/.../tuning.conf under config_root"
json_eq "$out" 'd["poolers"][0]["cap"]' '15' "default_pool_size 15 from /etc/pgbouncer/pools.ini under config_root"
expect_rc 2 "an absolute include without config_root" "$CB" check testdata/config/rooted-missing.yaml
contains "$err" "testdata/config/rooted/postgresql.conf:5:1: error: absolute include '/etc/postgresql/15/main/conf.d/tuning.conf' would read this machine's file: set \`config_root:\`" "the message names config_root, at the include"
# a setting given in both places that differs: CB018 at the config file
for y in testdata/rules/CB018/*.yaml; do
	run "$CB" check --format gcc "$y"
	[ "$out" = "$(cat "${y%.yaml}.expected")" ] && ok || { bad "$y: output differs"; diff <(printf '%s\n' "$out") "${y%.yaml}.expected"; }
done
expect_rc 1 "CB018 in json" "$CB" check testdata/rules/CB018/fires.yaml --format json
json_eq "$out" '[(f["rule"], f["file"], f["line"], f["column"], f["object"]) for f in d["findings"]]' \
	'[["CB018", "testdata/rules/CB018/pgbouncer.ini", 8, 1, "poolers.bouncer"]]' "CB018 points into pgbouncer.ini"
# errors in config files are input errors, positioned
mkdir -p "$TMP/cfg"
printf 'version: 1\ndatabases: { main: { max_connections: 100 } }\npoolers:\n  b: { type: pgbouncer, database: main, config: b.ini }\n' >"$TMP/cfg/t.yaml"
expect_rc 2 "missing pgbouncer.ini" "$CB" check "$TMP/cfg/t.yaml"
contains "$err" "$TMP/cfg/t.yaml:4:49: error: cannot read configuration file '$TMP/cfg/b.ini': No such file or directory" "missing file at config:"
printf '[pgbouncer]\ndefault_pool_size = lots\n' >"$TMP/cfg/b.ini"
expect_rc 2 "bad value in pgbouncer.ini" "$CB" check "$TMP/cfg/t.yaml"
contains "$err" "$TMP/cfg/b.ini:2:1: error: invalid value \"lots\" for parameter default_pool_size" "bad ini value"
printf '[pgbouncer\n' >"$TMP/cfg/b.ini"
expect_rc 2 "ini syntax error" "$CB" check "$TMP/cfg/t.yaml"
contains "$err" "$TMP/cfg/b.ini:1:1: error: syntax error in configuration" "ini syntax"
printf 'version: 1\ndatabases: { main: { max_connections: 100, config: pg.conf } }\n' >"$TMP/cfg/p.yaml"
printf "max_connections = 100\ninclude 'other.conf'\n" >"$TMP/cfg/pg.conf"
expect_rc 2 "missing include" "$CB" check "$TMP/cfg/p.yaml"
contains "$err" "$TMP/cfg/pg.conf:2:1: error: cannot read configuration file '$TMP/cfg/other.conf'" "include at its line"
printf "max_connections = 100 # ok\nidle_session_timeout = 10 min\n" >"$TMP/cfg/pg.conf"
expect_rc 2 "postgresql.conf syntax error" "$CB" check "$TMP/cfg/p.yaml"
contains "$err" "$TMP/cfg/pg.conf:2:27: error: syntax error in '$TMP/cfg/pg.conf': expected the end of the line after the value" "unquoted unit after a space"
printf "max_connections = 100\nidle_session_timeout = '10 min'\n" >"$TMP/cfg/pg.conf"
expect_rc 1 "quoted unit with a space" "$CB" check "$TMP/cfg/p.yaml" --fail-on warning

finish
