#!/usr/bin/env bash
# secrets.sh - a password in a client's `url` is reported (CB013) but never
# printed: not in any output format, not in an error message, not in a file
# written with -o (docs/security.md "Secrets", rule CB013). Ends with
# "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/secrets.sh      (make secrets)
set -u
cd "$(dirname "$0")/.." || exit 2
CB=${CONNBUDGET:-build/connbudget}
FORMATS="text json sarif github junit gcc markdown"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0 skip=0

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }

# run CMD...: sets $rc; stdout in $TMP/out, stderr in $TMP/err
run() {
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
}

# no_secret WHAT SECRET FILE...: none of the files holds SECRET
no_secret() {
	local what=$1 secret=$2 f
	shift 2
	for f in "$@"; do
		if [ -e "$f" ] && grep -qF -- "$secret" "$f"; then
			bad "$what: the password \"$secret\" appears in $(basename "$f"):"
			grep -nF -- "$secret" "$f" | head -3
			return
		fi
	done
	ok
}

# has FILE NEEDLE WHAT
has() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: no \"$2\" in the output"; head -20 "$1"; fi
}

# sane WHAT: the run neither crashed nor tripped a sanitizer
sane() {
	if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$TMP/err"; then
		bad "$1: sanitizer report"
		head -20 "$TMP/err"
	else
		ok
	fi
}

# in_every_format WHAT WANT_RC SECRETS CMD...: run CMD... --format F for
# every format F; the exit status is WANT_RC (any, when empty) and none of
# SECRETS ("s1|s2|...") appears on standard output or standard error.
in_every_format() {
	local what=$1 want=$2 fmt s hidden
	IFS='|' read -r -a hidden <<<"$3"
	shift 3
	for fmt in $FORMATS; do
		run "$@" --format "$fmt"
		[ -z "$want" ] || [ "$rc" = "$want" ] && ok || bad "$what/$fmt: exit $rc, want $want"
		sane "$what/$fmt"
		for s in "${hidden[@]}"; do no_secret "$what/$fmt" "$s" "$TMP/out" "$TMP/err"; done
	done
}

# Does this build have the subcommand? (plan and observe may come later.)
have_command() {
	! "$CB" "$1" --help 2>&1 </dev/null | grep -q 'unknown command'
}

# topology FILE URL [EXTRA_CLIENT_LINES]: a database "main" at db:5432, a
# pgbouncer "bouncer" at pgbouncer:6432, and a client "api" with that url
# connecting to main.
topology() {
	local url=${2//\\/\\\\}
	url=${url//\"/\\\"}
	cat >"$1" <<EOF
version: 1
databases:
  main:
    max_connections: 100
    host: db
    port: 5432
    settings:
      idle_in_transaction_session_timeout: 10min
poolers:
  bouncer:
    type: pgbouncer
    database: main
    pool_mode: transaction
    host: pgbouncer
    port: 6432
clients:
  api:
    type: service
    connects_to: ${4:-main}
    pool:
      size: 5
      acquire_timeout: 5s
    url: "$url"
${3:-}
EOF
}

#--- every format, every way of writing a password -------------------------
# name | url | the secret strings that must never appear
cases=(
	"uri|postgresql://app:S3cretPassw0rd@db:5432/app|S3cretPassw0rd"
	"uri-query|postgresql://app@db:5432/app?sslmode=require&password=Qu3ryPassw0rd&application_name=api|Qu3ryPassw0rd"
	"uri-query-first|postgres://db:5432/app?password=F1rstPassw0rd|F1rstPassw0rd"
	"uri-percent|postgresql://app:P%40ssw0rdEnc@db:5432/app|P%40ssw0rdEnc|P@ssw0rdEnc"
	"keyvalue|host=db port=5432 user=app password=KvPassw0rd dbname=app|KvPassw0rd"
	"keyvalue-quoted|host=db port=5432 password='Qu0ted Passw0rd' dbname=app|Qu0ted|Passw0rd'"
	"keyvalue-spaced|host=db password = Sp4cedPassw0rd dbname=app|Sp4cedPassw0rd"
	# an unencoded '@': the drivers read the password "p@ssUnenc0ded", up to the last '@'
	"uri-unencoded-at|postgres://app:p@ssUnenc0ded@db:5432/app|p@ssUnenc0ded|ssUnenc0ded"
	"uri-unencoded-ats|postgresql://app:Tw0@At@Passw0rd@db:5432/app?sslmode=require|Tw0@At@Passw0rd|At@Passw0rd"
	"uri-query-upper|postgresql://app@db:5432/app?Password=Qu3ryUpperPassw0rd|Qu3ryUpperPassw0rd"
	"uri-query-allcaps|postgresql://app@db:5432/app?sslmode=require&PASSWORD=Qu3ryCapsPassw0rd|Qu3ryCapsPassw0rd"
	"uri-query-sslpassword|postgresql://app@db:5432/app?sslmode=verify-full&sslpassword=SslQu3ryPassw0rd&x=1|SslQu3ryPassw0rd"
	"keyvalue-sslpassword|host=db port=5432 user=app sslpassword=SslKeyPassw0rd dbname=app|SslKeyPassw0rd"
	"keyvalue-upper|host=db port=5432 user=app PASSWORD=KvUpperPassw0rd dbname=app|KvUpperPassw0rd"
	"keyvalue-mixed|host=db port=5432 Password='KvM1xed Passw0rd' dbname=app|KvM1xed|Passw0rd'"
	"keyvalue-odd-dquote|host=db port=5432 password=\"OddDqu0te Passw0rd dbname=app|OddDqu0te|Passw0rd"
	"keyvalue-odd-squote|host=db port=5432 password='OddSqu0te Passw0rd dbname=app|OddSqu0te|Passw0rd"
	"keyvalue-odd-after|host=db port=5432 password='Aft3rQuote' dbname='x Tra1lingSecret|Aft3rQuote"
	"dotnet|Host=db;Port=5432;Username=app;Password=D0tnetPassw0rd;|D0tnetPassw0rd"
	"dotnet-pwd|Server=db;User Id=app;Pwd=PwdPassw0rd;Database=app|PwdPassw0rd"
	"dotnet-quoted|Host=db;Password=\"D0tnet;Qu0ted\"\"Passw0rd\";Database=app|D0tnet|Qu0ted"
	"dotnet-spaced|Host=db; PASSWORD = D0tnetSp4ced ;Database=app|D0tnetSp4ced"
	"dotnet-blanks|Host=db;Password=D0tnet W1th Blanks;Database=app|D0tnet|W1th|Blanks"
	"keyvalue-blanks|host=db port=5432 password=Kv W1th Blanks dbname=app|W1th|Blanks"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name url secrets <<<"$c"
	IFS='|' read -r -a secret <<<"$secrets"
	y=$TMP/$name.yaml
	topology "$y" "$url"
	for fmt in $FORMATS; do
		run "$CB" check --format "$fmt" --color never "$y"
		if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then ok; else bad "$name/$fmt: exit $rc, want 0 or 1"; head -5 "$TMP/err"; fi
		sane "$name/$fmt"
		has "$TMP/out" "CB013" "$name/$fmt: CB013 fires"
		for s in "${secret[@]}"; do no_secret "$name/$fmt" "$s" "$TMP/out" "$TMP/err"; done
	done
	# the budget table, the findings-only view, colour, and a file written with -o
	run "$CB" report --color always "$y"
	sane "$name/report"
	for s in "${secret[@]}"; do no_secret "$name/report" "$s" "$TMP/out" "$TMP/err"; done
	run "$CB" check -q --color always "$y"
	for s in "${secret[@]}"; do no_secret "$name/-q" "$s" "$TMP/out" "$TMP/err"; done
	rm -f "$TMP/written.json"
	run "$CB" check --format json -o "$TMP/written.json" "$y"
	[ -s "$TMP/written.json" ] && ok || bad "$name/-o: nothing written"
	for s in "${secret[@]}"; do no_secret "$name/-o" "$s" "$TMP/written.json" "$TMP/out" "$TMP/err"; done
done

#--- a password together with a rule that talks about the url (CB012) -------
# api connects to the pooler but its url names the database's host and port:
# CB012's message is about the url, and must still mask it.
topology "$TMP/bypass.yaml" "postgresql://app:Byp4ssPassw0rd@db:5432/app" "" bouncer
for fmt in $FORMATS; do
	run "$CB" check --format "$fmt" "$TMP/bypass.yaml"
	sane "bypass/$fmt"
	has "$TMP/out" "CB013" "bypass/$fmt: CB013 fires"
	has "$TMP/out" "CB012" "bypass/$fmt: CB012 fires"
	no_secret "bypass/$fmt" "Byp4ssPassw0rd" "$TMP/out" "$TMP/err"
done

#--- no password, no CB013 ----------------------------------------------------
for url in 'postgresql://app@db:5432/app' 'postgresql://app:${DB_PASSWORD}@db:5432/app' \
	'host=db user=app password=$DB_PASSWORD'; do
	topology "$TMP/clean.yaml" "$url"
	run "$CB" check --format gcc "$TMP/clean.yaml"
	if grep -q 'CB013' "$TMP/out"; then bad "CB013 fires for \"$url\""; else ok; fi
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || bad "clean url \"$url\": exit $rc"
done

#--- error paths: the file fails to load after (or at) the url line -----------
# name | what follows the client's url line
errors=(
	"unknown-key|    urll: x"
	"dangling|  worker:\n    type: worker\n    connects_to: nowhere\n    pool: { size: 1 }"
	"syntax|    bad: [unclosed"
	"bad-type|    replicas: three"
	"duplicate-url|    url: postgresql://app:Dup2Passw0rd@db/app"
	"second-doc|---\nversion: 1"
	"tab|\tthreads: 2"
)
for e in "${errors[@]}"; do
	name=${e%%|*}
	extra=$(printf '%b' "${e#*|}")
	y=$TMP/err-$name.yaml
	topology "$y" "postgresql://app:Err0rPassw0rd@db:5432/app" "$extra"
	for fmt in text json sarif; do
		run "$CB" check --format "$fmt" "$y"
		[ "$rc" = 2 ] && ok || bad "error/$name/$fmt: exit $rc, want 2"
		sane "error/$name/$fmt"
		no_secret "error/$name/$fmt" "Err0rPassw0rd" "$TMP/out" "$TMP/err"
		no_secret "error/$name/$fmt" "Dup2Passw0rd" "$TMP/out" "$TMP/err"
	done
done
# A password-bearing url where a value is echoed back in the message
# (`expected a non-negative integer, got "..."`): the echo is masked too.
topology "$TMP/echo.yaml" "postgresql://app@db:5432/app" \
	"    processes: \"postgresql://app:Ech0Passw0rd@db:5432/app\""
run "$CB" check "$TMP/echo.yaml"
[ "$rc" = 2 ] && ok || bad "echoed value: exit $rc, want 2"
no_secret "echoed value" "Ech0Passw0rd" "$TMP/out" "$TMP/err"
# A password-bearing value in a field that a validation error or another
# rule's message quotes (a reference, an environment, an ignore list): every
# message goes through the masker.
for e in "connects_to|    connects_to: \"postgres://app:R3fPassw0rd@db/app\"|R3fPassw0rd|2" \
	"environment|    environment: \"Password=Env1ronPassw0rd\"|Env1ronPassw0rd|" \
	"ignore|    ignore: [\"Pwd=Ign0rePassw0rd\"]|Ign0rePassw0rd|2"; do
	IFS='|' read -r name line secret want <<<"$e"
	topology "$TMP/msg-$name.yaml" "postgresql://app@db:5432/app" "$line
  other:
    type: tool
    connects_to: main
    environment: production
    pool: { size: 1 }"
	in_every_format "message/$name" "$want" "$secret" "$CB" check "$TMP/msg-$name.yaml"
done
# stdin: the same guarantee when the file comes on standard input
topology "$TMP/stdin.yaml" "postgresql://app:Std1nPassw0rd@db:5432/app" "    urll: x"
"$CB" check - <"$TMP/stdin.yaml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 2 ] && ok || bad "stdin error: exit $rc, want 2"
no_secret "stdin error" "Std1nPassw0rd" "$TMP/out" "$TMP/err"

#--- a config: file whose line does not parse is never quoted -----------------
mkdir -p "$TMP/cfg"
printf 'version: 1\ndatabases:\n  main:\n    max_connections: 100\n    config: pg.conf\n' >"$TMP/cfg/pg.yaml"
printf '[pgbouncer]\npool_mode = transaction\n' >"$TMP/cfg/b.ini"
printf 'version: 1\ndatabases:\n  main: { max_connections: 100 }\npoolers:\n  bouncer:\n    type: pgbouncer\n    database: main\n    config: b.ini\n' >"$TMP/cfg/ini.yaml"
# broken_lines WHAT FILE FORMAT YAML LINE...: for each LINE ("text|secret|..."),
# FILE holds printf FORMAT of its text, and check YAML exits 2 in every
# format and prints none of its secrets
broken_lines() {
	local what=$1 file=$2 format=$3 yaml=$4 line text secrets
	shift 4
	for line in "$@"; do
		IFS='|' read -r text secrets <<<"$line"
		# shellcheck disable=SC2059 # the format is the caller's
		printf "$format" "$text" >"$file"
		in_every_format "$what $secrets" 2 "$secrets" "$CB" check "$yaml"
	done
}
conf_lines=("primary_conninfo = host=db password=C0nfBarePassw0rd|C0nfBarePassw0rd"
	"primary_conninfo = 'host=db password=C0nfUnclosedPassw0rd|C0nfUnclosedPassw0rd"
	"primary_conninfo = host=db PASSWORD='C0nf Qu0ted' x|C0nf Qu0ted|Qu0ted"
	"C0nfLinePassw0rd|C0nfLinePassw0rd")
broken_lines "postgresql.conf syntax" "$TMP/cfg/pg.conf" 'max_connections = 100\n%s\n' "$TMP/cfg/pg.yaml" \
	"${conf_lines[@]}"
broken_lines "pgbouncer.ini syntax" "$TMP/cfg/b.ini" '[pgbouncer]\npool_mode = transaction\n%s\n' "$TMP/cfg/ini.yaml" \
	"${conf_lines[@]//=/:}"

#--- odyssey.conf: its passwords never printed, nor a broken line's ---------
in_every_format "odyssey.conf routes" 1 "api-pass-7f3c|worker-pass-91ab|dba-storage-pass-55e1|reports-pass-c0de" \
	"$CB" check testdata/poolers/odyssey.yaml
printf 'version: 1\ndatabases:\n  main: { max_connections: 100, host: h }\npoolers:\n  ody: { type: odyssey, database: main, config: o.conf }\n' >"$TMP/cfg/ody.yaml"
broken_lines "odyssey.conf" "$TMP/cfg/o.conf" \
	'storage "pg" { type "remote" host "h" port 5432 }\ndatabase "d" {\n\tuser "u" {\n\t\tstorage "pg"\n\t\t%s\n\t}\n}\n' \
	"$TMP/cfg/ody.yaml" 'password "0dyUnclosedPassw0rd|0dyUnclosedPassw0rd' \
	'storage_password "0dyTw0Passw0rd" "0dyTw0Passw0rd2"|0dyTw0Passw0rd' \
	'pool_size "0dyP00lPassw0rd"|0dyP00lPassw0rd' \
	'storage_password "0dyN0PoolPassw0rd"|0dyN0PoolPassw0rd'
# a misspelt password key: the warning names the key, never its value
printf 'storage "pg" { type "remote" host "h" port 5432 }\ndatabase "d" {\n\tuser "u" {\n\t\tstorage "pg"\n\t\tpool "session"\n\t\tpool_size 5\n\t\tstorage_pasword "0dyTyp0Passw0rd"\n\t}\n}\n' >"$TMP/cfg/o.conf"
in_every_format "odyssey.conf misspelt key" "" "0dyTyp0Passw0rd" "$CB" check "$TMP/cfg/ody.yaml"
run "$CB" check "$TMP/cfg/ody.yaml"
has "$TMP/err" 'unknown key "storage_pasword"' "odyssey.conf: the misspelt key warned"

#--- plan and observe, when this build has them -------------------------------
topology "$TMP/plan.yaml" "postgresql://app@db:5432/app"
if have_command plan; then
	for fmt in text json; do
		run "$CB" plan --format "$fmt" --set 'clients.api.url=postgresql://app:Pl4nPassw0rd@db:5432/app' "$TMP/plan.yaml"
		sane "plan --set url/$fmt"
		no_secret "plan --set url/$fmt" "Pl4nPassw0rd" "$TMP/out" "$TMP/err"
	done
	run "$CB" plan --set 'clients.api.replicas=postgresql://app:Pl4nEch0Passw0rd@db:5432/app' "$TMP/plan.yaml"
	[ "$rc" = 2 ] && ok || bad "plan --set bad value: exit $rc, want 2"
	no_secret "plan --set bad value" "Pl4nEch0Passw0rd" "$TMP/out" "$TMP/err"
	# every form of url as a --set value: echoed masked in every format, never in an error
	for v in 'Host=db;Username=app;Password=Pl4nD0tnetPassw0rd;|Pl4nD0tnetPassw0rd' \
		'postgres://app:Pl4n@tPassw0rd@db:5432/app|Pl4n@tPassw0rd|tPassw0rd' \
		'host=db PASSWORD=Pl4nUpperPassw0rd sslpassword=Pl4nSslPassw0rd|Pl4nUpperPassw0rd|Pl4nSslPassw0rd' \
		"host=db password='Pl4nOdd Passw0rd|Pl4nOdd|Passw0rd" \
		'postgres://db/app?Password=Pl4nQu3ryPassw0rd|Pl4nQu3ryPassw0rd'; do
		IFS='|' read -r url secrets <<<"$v"
		in_every_format "plan --set url $secrets" "" "$secrets" \
			"$CB" plan --set "clients.api.url=$url" "$TMP/plan.yaml"
	done
	# a --set value, or a whole argument, is never quoted in an error
	for a in 'postgres://app:N0EqPassw0rd@db:5432/app|N0EqPassw0rd' \
		'postgres://app:Qu3ryPathPassw0rd@db:5432/app?sslmode=require|Qu3ryPathPassw0rd' \
		'clients.api.replicas=Host=db;Password=S3tD0tnetPassw0rd;|S3tD0tnetPassw0rd' \
		'clients.api.framework=host=db Password=S3tFrPassw0rd|S3tFrPassw0rd' \
		'clients.api.uses=[Pwd=S3tDupPassw0rd, Pwd=S3tDupPassw0rd]|S3tDupPassw0rd' \
		'clients.api.replicas=S3tBarePassw0rd|S3tBarePassw0rd' \
		'clients.api.connects_to=S3tRefPassw0rd|S3tRefPassw0rd'; do
		IFS='|' read -r arg secrets <<<"$a"
		in_every_format "plan --set error $secrets" 2 "$secrets" "$CB" plan --set "$arg" "$TMP/plan.yaml"
	done
else
	skip=$((skip + 1))
	echo "SKIP: plan: this build has no plan command"
fi
if have_command observe; then
	# port 1 on loopback: nothing listens, libpq fails fast
	run timeout 20 "$CB" observe "$TMP/plan.yaml" \
		--dsn 'postgresql://app:Obs3rvePassw0rd@127.0.0.1:1/app?connect_timeout=2'
	[ "$rc" = 2 ] && ok || bad "observe unreachable: exit $rc, want 2"
	no_secret "observe --dsn" "Obs3rvePassw0rd" "$TMP/out" "$TMP/err"
	run timeout 20 "$CB" observe "$TMP/plan.yaml" \
		--dsn 'host=127.0.0.1 port=1 user=app password=Obs3rveKvPassw0rd connect_timeout=2'
	[ "$rc" = 2 ] && ok || bad "observe unreachable (key=value): exit $rc, want 2"
	no_secret "observe --dsn key=value" "Obs3rveKvPassw0rd" "$TMP/out" "$TMP/err"
	for d in 'host=127.0.0.1 port=1 user=app PASSWORD=Obs3rveUpperPassw0rd connect_timeout=2|Obs3rveUpperPassw0rd' \
		'host=127.0.0.1 port=1 sslpassword=Obs3rveSslPassw0rd connect_timeout=2|Obs3rveSslPassw0rd' \
		'host=127.0.0.1 port=1 password="Obs3rveOdd Passw0rd connect_timeout=2|Obs3rveOdd|Passw0rd' \
		"host=127.0.0.1 port=1 password='Obs3rveSq Passw0rd connect_timeout=2|Obs3rveSq|Passw0rd" \
		'postgresql://app:Obs3rve@tPassw0rd@127.0.0.1:1/app?connect_timeout=2|Obs3rve@tPassw0rd|tPassw0rd' \
		'postgresql://app@127.0.0.1:1/app?connect_timeout=2&Password=Obs3rveQu3ryPassw0rd|Obs3rveQu3ryPassw0rd' \
		'Host=127.0.0.1;Port=1;Password=Obs3rveD0tnetPassw0rd;|Obs3rveD0tnetPassw0rd'; do
		IFS='|' read -r dsn secrets <<<"$d"
		in_every_format "observe --dsn $secrets" 2 "$secrets" timeout 20 "$CB" observe "$TMP/plan.yaml" --dsn "$dsn"
	done
else
	skip=$((skip + 1))
	echo "SKIP: observe: this build has no observe command"
fi

# Manifests (docs/sources.md): a password inside a DATABASE_URL value is
# CB013 and masked; a Secret in the stream, an env_file and a value that
# fails to load are never printed.
mkdir -p "$TMP/src"
cat >"$TMP/src/k8s.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - { name: DATABASE_URL, value: "postgres://app:M4nifestPassw0rd@db:5432/app" }
            - name: DB_POOL
              valueFrom: { secretKeyRef: { name: web-db, key: pool } }
            - name: OTHER_URL
              valueFrom: { secretKeyRef: { name: web-db, key: url } }
---
apiVersion: v1
kind: Secret
metadata: { name: web-db }
stringData: { url: "postgres://app:S3cretObjPassw0rd@db:5432/app", pool: "S3cretPool" }
YAML
cat >"$TMP/src/compose.yml" <<'YAML'
services:
  worker:
    env_file: secrets.env
    environment:
      DATABASE_URL: postgres://app:C0mposePassw0rd@db:5432/app
      DB_POOL: "3"
YAML
printf 'DB_PASSWORD=Env_f1lePassw0rd\n' >"$TMP/src/secrets.env"
printf 'version: 1\nsources:\n  - kubernetes: k8s.yaml\n    env: {pool.size: DB_POOL}\n  - compose: compose.yml\n    env: {pool.size: DB_POOL}\ndatabases:\n  main: { max_connections: 100, host: db }\nclients:\n  web: { type: service, from: "kubernetes:deployment/web", connects_to: main, pool: { size: 2 } }\n' >"$TMP/src/connbudget.yaml"
# source_secrets WHAT TOPOLOGY SECRETS KIND BAD SECRET: no secret in any
# format, CB013 in gcc, and BAD (a source that does not parse) exit 2
# without SECRET
source_secrets() {
	in_every_format "$1" "" "$3" "$CB" check "$2"
	run "$CB" check --format gcc "$2"
	has "$TMP/out" "CB013" "$1: a password in a url"
	run "$CB" check --source "$4=$5" "$2"
	[ "$rc" = 2 ] && ok || bad "$1: a source that does not parse: exit $rc, want 2"
	no_secret "$1: syntax error" "$6" "$TMP/out" "$TMP/err"
}
sed 's/M4nifestPassw0rd@db:5432/M4nifestPassw0rd@db:5432" ]/' "$TMP/src/k8s.yaml" >"$TMP/src/bad.yaml"
source_secrets "manifest urls" "$TMP/src/connbudget.yaml" "M4nifestPassw0rd|C0mposePassw0rd|S3cretObjPassw0rd|S3cretPool|Env_f1lePassw0rd" \
	kubernetes "$TMP/src/bad.yaml" M4nifestPassw0rd
# A Lambda's env (serverless.yml): a password in a DATABASE_URL is CB013 and
# masked, through ${self:} too; an ${ssm:} parameter is never fetched.
cat >"$TMP/src/serverless.yml" <<'YAML'
service: s
custom: { pw: L4mbdaSelfPassw0rd }
provider:
  environment:
    DATABASE_URL: postgres://app:L4mbdaPassw0rd@db:5432/app
functions:
  api: { handler: h.api, reservedConcurrency: 2 }
  job:
    handler: h.job
    reservedConcurrency: 1
    environment: { DATABASE_URL: "postgres://app:${self:custom.pw}@db:5432/app", DB_PASSWORD: "${ssm:/s/pw}" }
YAML
printf 'version: 1\nsources:\n  - serverless: serverless.yml\ndatabases:\n  main: { max_connections: 100, host: db }\nclients:\n  api: { type: serverless, from: "serverless:function/api", connects_to: main, pool: { size: 1 } }\n' >"$TMP/src/sls.yaml"
sed 's/reservedConcurrency: 2 }/reservedConcurrency: 2 ]/' "$TMP/src/serverless.yml" >"$TMP/src/bad-sls.yml"
source_secrets "lambda urls" "$TMP/src/sls.yaml" "L4mbdaPassw0rd|L4mbdaSelfPassw0rd" serverless "$TMP/src/bad-sls.yml" L4mbdaPassw0rd
# A CloudFormation template: a password in a Lambda's and an ECS task's url,
# through a Parameter's Default and !Sub, is CB013 and masked; a
# {{resolve:secretsmanager:...}} reference and a task's Secrets are never read.
cat >"$TMP/src/cfn.yaml" <<'YAML'
Parameters:
  Pw: { Type: String, NoEcho: true, Default: CfnParamPassw0rd }
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      ReservedConcurrentExecutions: 2
      Environment:
        Variables:
          DATABASE_URL: !Sub "postgres://app:${Pw}@db:5432/app"
          OTHER_URL: "{{resolve:secretsmanager:app/db:SecretString:password}}"
  Svc:
    Type: AWS::ECS::Service
    Properties: { DesiredCount: 1, TaskDefinition: !Ref Task }
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: app
          Environment: [{ Name: DATABASE_URL, Value: "postgres://app:CfnTaskPassw0rd@db:5432/app" }]
          Secrets: [{ Name: DB_PASSWORD, ValueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:CfnArnPassw0rd" }]
YAML
printf 'version: 1\nsources:\n  - cloudformation: cfn.yaml\ndatabases:\n  main: { max_connections: 100, host: db }\nclients:\n  fn: { type: serverless, from: "cloudformation:function/Fn", connects_to: main, pool: { size: 1 } }\n  svc: { type: service, from: "cloudformation:service/Svc", connects_to: main, pool: { size: 1 } }\n' >"$TMP/src/cfn-top.yaml"
sed 's/ReservedConcurrentExecutions: 2/ReservedConcurrentExecutions: [2/' "$TMP/src/cfn.yaml" >"$TMP/src/bad-cfn.yaml"
source_secrets "cloudformation urls" "$TMP/src/cfn-top.yaml" "CfnParamPassw0rd|CfnTaskPassw0rd|CfnArnPassw0rd" cloudformation "$TMP/src/bad-cfn.yaml" CfnTaskPassw0rd
# An Aurora cluster in a CloudFormation template: its MasterUserPassword,
# plain or a Parameter's NoEcho Default, is never read; a password where a
# capacity should be (MaxCapacity) is exit 2 with the value unquoted.
cat >"$TMP/src/cfn-aurora.yaml" <<'YAML'
Parameters:
  Pw: { Type: String, NoEcho: true, Default: CfnAuroraParamPassw0rd }
  Max: { Type: Number, Default: 16 }
Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      MasterUsername: app
      MasterUserPassword: CfnAuroraMasterPassw0rd
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: !Ref Max }
  Other:
    Type: AWS::RDS::DBCluster
    Properties: { Engine: aurora-postgresql, MasterUsername: app, MasterUserPassword: !Ref Pw }
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: aurora-postgresql, DBInstanceClass: db.serverless, DBClusterIdentifier: !Ref Cluster }
  Db2:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: aurora-postgresql, DBInstanceClass: db.r6g.large, DBClusterIdentifier: !Ref Other }
YAML
printf 'version: 1\nsources:\n  - cloudformation: cfn-aurora.yaml\ndatabases:\n  main: { from: "cloudformation:database/Db", host: db }\n  other: { from: "cloudformation:database/Db2", host: other }\nclients:\n  api: { type: service, connects_to: main, replicas: 2, pool: { size: 5 } }\n' >"$TMP/src/cfn-aurora-top.yaml"
in_every_format "cloudformation aurora" "" "CfnAuroraMasterPassw0rd|CfnAuroraParamPassw0rd" "$CB" check "$TMP/src/cfn-aurora-top.yaml"
sed -i 's/Default: 16 }/Default: CfnAuroraAcuPassw0rd }/' "$TMP/src/cfn-aurora.yaml"
in_every_format "cloudformation aurora, a password as MaxCapacity" 2 "CfnAuroraMasterPassw0rd|CfnAuroraParamPassw0rd|CfnAuroraAcuPassw0rd" "$CB" check "$TMP/src/cfn-aurora-top.yaml"
# A Terraform plan: a password in a task definition's url is CB013 and
# masked; the plan's other secrets (a database's password, a task's
# secrets) are never read.
/usr/bin/python3 -c '
import json, sys
defs = json.dumps([{"name": "api", "environment": [{"name": "DATABASE_URL", "value": "postgres://app:Terr4formPassw0rd@db:5432/app"}, {"name": "DB_POOL", "value": "2"}], "secrets": [{"name": "PGPASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:Secr3tArnPassw0rd"}]}])
r = lambda t, n, v: {"address": t + "." + n, "mode": "managed", "type": t, "name": n, "values": v}
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    r("aws_ecs_task_definition", "api", {"family": "api", "container_definitions": defs}),
    r("aws_ecs_service", "api", {"desired_count": 1, "name": "api", "task_definition": "api:1"}),
    r("aws_db_instance", "db", {"password": "Db1nstPassw0rd", "username": "app"})]}}}))' >"$TMP/src/plan.json"
printf 'version: 1\nsources: [{terraform: plan.json, env: {pool.size: DB_POOL}}]\ndatabases:\n  main: { max_connections: 100, host: db }\n' >"$TMP/src/tf.yaml"
in_every_format "terraform plan" "" "Terr4formPassw0rd|Secr3tArnPassw0rd|Db1nstPassw0rd" "$CB" check "$TMP/src/tf.yaml"
run "$CB" check --format gcc "$TMP/src/tf.yaml"
has "$TMP/out" "CB013" "a password in a plan's task definition url"
# A Lambda function in a plan: a password in its url is CB013 and masked,
# one in another variable (PGPASSWORD) is never read out; a bad value
# (a pool size that is a password, a variable that is a mapping) is exit 2
# with the value unquoted.
lambda_plan() { # FILE PYTHON-EXPRESSION-FOR-THE-VARIABLES
	/usr/bin/python3 -c '
import json, sys
v = eval(sys.argv[1])
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    {"address": "aws_lambda_function.fn", "mode": "managed", "type": "aws_lambda_function", "name": "fn",
     "values": {"function_name": "fn", "reserved_concurrent_executions": 10, "environment": [{"variables": v}]}}]}}}))' "$2" >"$1"
}
lambda_plan "$TMP/src/lambda.json" '{"DATABASE_URL": "postgres://app:L4mbdaPassw0rd@db:5432/app", "PGPASSWORD": "L4mbdaEnvPassw0rd", "DB_POOL": "1"}'
printf 'version: 1\nsources: [{terraform: lambda.json, env: {pool.size: DB_POOL}}]\ndatabases:\n  main: { max_connections: 100, host: db }\n' >"$TMP/src/lambda.yaml"
in_every_format "lambda plan" "" "L4mbdaPassw0rd|L4mbdaEnvPassw0rd" "$CB" check "$TMP/src/lambda.yaml"
run "$CB" check --format gcc "$TMP/src/lambda.yaml"
has "$TMP/out" "CB013" "a password in a Lambda function's url"
lambda_plan "$TMP/src/lambda.json" '{"DATABASE_URL": "postgres://app:L4mbdaPassw0rd@db:5432/app", "DB_POOL": "L4mbdaPoolPassw0rd"}'
in_every_format "lambda plan, a password as pool size" 2 "L4mbdaPassw0rd|L4mbdaPoolPassw0rd" "$CB" check "$TMP/src/lambda.yaml"
lambda_plan "$TMP/src/lambda.json" '{"DATABASE_URL": {"url": "postgres://app:L4mbdaPassw0rd@db:5432/app"}}'
in_every_format "lambda plan, a variable that is a mapping" 2 "L4mbdaPassw0rd" "$CB" check "$TMP/src/lambda.yaml"
# A database from a plan (from: terraform:aws_db_instance/db): its
# password is never read, with a known instance class or an unknown one (exit 2).
for cls in db.t3.medium db.x9.huge; do
	/usr/bin/python3 -c '
import json, sys
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
     "values": {"engine": "postgres", "instance_class": sys.argv[1], "password": "Rds1nstPassw0rd", "username": "app"},
     "sensitive_values": {"password": True}}]}}}))' "$cls" >"$TMP/src/db.json"
	printf 'version: 1\nsources: [{terraform: db.json}]\ndatabases:\n  main: { from: "terraform:aws_db_instance/db", host: db }\n' >"$TMP/src/db.yaml"
	in_every_format "plan database $cls" "" "Rds1nstPassw0rd" "$CB" check "$TMP/src/db.yaml"
done

# An Aurora cluster instance from a plan (from: terraform:aws_rds_cluster_instance/db):
# its cluster's master_password is never read, with a class, as db.serverless
# (the capacity from the cluster), or with a cluster missing (exit 2).
for cls in db.r6g.large db.serverless db.serverless:nocluster; do
	/usr/bin/python3 -c '
import json, sys
cls, _, bad = sys.argv[1].partition(":")
r = [{"address": "aws_rds_cluster.c", "mode": "managed", "type": "aws_rds_cluster", "name": "c",
      "values": {"cluster_identifier": "c" + bad, "engine": "aurora-postgresql", "master_password": "Aur0raClusterPassw0rd",
                 "serverlessv2_scaling_configuration": [{"min_capacity": 1, "max_capacity": 8}]},
      "sensitive_values": {"master_password": True}},
     {"address": "aws_rds_cluster_instance.db", "mode": "managed", "type": "aws_rds_cluster_instance", "name": "db",
      "values": {"cluster_identifier": "c", "engine": "aurora-postgresql", "instance_class": cls}}]
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": r}}}))' "$cls" >"$TMP/src/aurora.json"
	printf 'version: 1\nsources: [{terraform: aurora.json}]\ndatabases:\n  main: { from: "terraform:aws_rds_cluster_instance/db", host: db }\n' >"$TMP/src/aurora.yaml"
	case $cls in *:*) want=2 ;; *) want="" ;; esac
	in_every_format "plan cluster instance $cls" "$want" "Aur0raClusterPassw0rd" "$CB" check "$TMP/src/aurora.yaml"
done

# A database's parameter group: its max_connections is read, the
# instance's password never; a password written as max_connections is exit 2
# with the value unquoted.
for mc in 500 Pgr0upPassw0rd; do
	/usr/bin/python3 -c '
import json, sys
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
     "values": {"engine": "postgres", "instance_class": "db.t3.medium", "parameter_group_name": "pg", "password": "Rds1nstPassw0rd"},
     "sensitive_values": {"password": True}},
    {"address": "aws_db_parameter_group.pg", "mode": "managed", "type": "aws_db_parameter_group", "name": "pg",
     "values": {"family": "postgres16", "name": "pg", "parameter": [{"apply_method": "pending-reboot", "name": "max_connections", "value": sys.argv[1]}]}}]}}}))' "$mc" >"$TMP/src/pg.json"
	printf 'version: 1\nsources: [{terraform: pg.json}]\ndatabases:\n  main: { from: "terraform:aws_db_instance/db", host: db }\n' >"$TMP/src/pg.yaml"
	case $mc in 500) want="" ;; *) want=2 ;; esac
	in_every_format "plan parameter group $mc" "$want" "Rds1nstPassw0rd|Pgr0upPassw0rd" "$CB" check "$TMP/src/pg.yaml"
done

# An RDS Proxy from a plan: its target group's percent is read, the proxy's
# auth secret and the database's password never; a password written as the
# percent is exit 2 with the value unquoted.
for pct in 40 Pr0xyPctPassw0rd; do
	/usr/bin/python3 -c '
import json, sys
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    {"address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
     "values": {"engine": "postgres", "instance_class": "db.t3.medium", "password": "Rds1nstPassw0rd"},
     "sensitive_values": {"password": True}},
    {"address": "aws_db_proxy.p", "mode": "managed", "type": "aws_db_proxy", "name": "p",
     "values": {"engine_family": "POSTGRESQL", "name": "p", "auth": [{"auth_scheme": "SECRETS", "secret_arn": "arn:aws:secretsmanager:eu-west-1:1:secret:Pr0xyAuthPassw0rd", "username": "Pr0xyUserPassw0rd"}]}},
    {"address": "aws_db_proxy_default_target_group.p", "mode": "managed", "type": "aws_db_proxy_default_target_group", "name": "p",
     "values": {"db_proxy_name": "p", "connection_pool_config": [{"max_connections_percent": sys.argv[1]}]}}]}}}))' "$pct" >"$TMP/src/proxy.json"
	printf 'version: 1\nsources: [{terraform: proxy.json}]\ndatabases:\n  main: { from: "terraform:aws_db_instance/db", host: db }\npoolers:\n  px: { type: rds_proxy, database: main, from: "terraform:aws_db_proxy/p" }\n' >"$TMP/src/proxy.yaml"
	case $pct in 40) want="" ;; *) want=2 ;; esac
	in_every_format "plan rds proxy $pct" "$want" "Rds1nstPassw0rd|Pr0xyPctPassw0rd|Pr0xyAuthPassw0rd|Pr0xyUserPassw0rd" "$CB" check "$TMP/src/proxy.yaml"
done

# A Cloud SQL instance from a plan: its max_connections flag is read, its
# root_password never; a password written as the flag is exit 2 with the
# value unquoted.
for mc in 500 Cl0udSqlFlagPassw0rd; do
	/usr/bin/python3 -c '
import json, sys
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    {"address": "google_sql_database_instance.db", "mode": "managed", "type": "google_sql_database_instance", "name": "db",
     "values": {"database_version": "POSTGRES_16", "name": "db", "root_password": "Cl0udSqlRootPassw0rd",
                "settings": [{"tier": "db-custom-2-7680", "database_flags": [{"name": "max_connections", "value": sys.argv[1]}]}]},
     "sensitive_values": {"root_password": True}}]}}}))' "$mc" >"$TMP/src/cloudsql.json"
	printf 'version: 1\nsources: [{terraform: cloudsql.json}]\ndatabases:\n  main: { from: "terraform:google_sql_database_instance/db", host: db }\n' >"$TMP/src/cloudsql.yaml"
	case $mc in 500) want="" ;; *) want=2 ;; esac
	in_every_format "plan cloud sql $mc" "$want" "Cl0udSqlRootPassw0rd|Cl0udSqlFlagPassw0rd" "$CB" check "$TMP/src/cloudsql.yaml"
done

# An Azure flexible server from a plan (from:
# terraform:azurerm_postgresql_flexible_server/db): its
# administrator_password is never read, with a known SKU, one the catalog
# does not know, one of another shape or a password written as the SKU
# (exit 2), or a password written as its max_connections configuration
# (exit 2), the value unquoted.
for case in GP_Standard_D4ds_v5:500 GP_Standard_D9ds_v9:500 Standard_D4ds_v5:500 Azur3SkuPassw0rd:500 GP_Standard_D4ds_v5:Azur3ConfPassw0rd; do
	/usr/bin/python3 -c '
import json, sys
sku, mc = sys.argv[1].split(":")
print(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
    {"address": "azurerm_postgresql_flexible_server.db", "mode": "managed", "type": "azurerm_postgresql_flexible_server", "name": "db",
     "provider_name": "registry.terraform.io/hashicorp/azurerm",
     "values": {"administrator_login": "app", "administrator_password": "Azur3AdminPassw0rd", "name": "db", "sku_name": sku, "version": "16"},
     "sensitive_values": {"administrator_password": True}},
    {"address": "azurerm_postgresql_flexible_server_configuration.mc", "mode": "managed", "type": "azurerm_postgresql_flexible_server_configuration", "name": "mc",
     "provider_name": "registry.terraform.io/hashicorp/azurerm", "values": {"name": "max_connections", "value": mc}}]}},
    "configuration": {"root_module": {"resources": [
    {"address": "azurerm_postgresql_flexible_server_configuration.mc", "mode": "managed", "type": "azurerm_postgresql_flexible_server_configuration", "name": "mc",
     "expressions": {"server_id": {"references": ["azurerm_postgresql_flexible_server.db.id", "azurerm_postgresql_flexible_server.db"]}}}]}}}))' "$case" >"$TMP/src/azure.json"
	printf 'version: 1\nsources: [{terraform: azure.json}]\ndatabases:\n  main: { from: "terraform:azurerm_postgresql_flexible_server/db", host: db }\n' >"$TMP/src/azure.yaml"
	case $case in GP_Standard_D4ds_v5:500) want="" ;; *) want=2 ;; esac
	in_every_format "plan flexible server $case" "$want" "Azur3AdminPassw0rd|Azur3SkuPassw0rd|Azur3ConfPassw0rd" "$CB" check "$TMP/src/azure.yaml"
done

# init --from writes a url's host and port only: no password reaches the starter.
for f in k8s.yaml compose.yml; do
	run "$CB" init --from "$TMP/src/$f" -
	[ "$rc" = 0 ] && ok || bad "init --from $f: exit $rc, want 0"
	for s in M4nifestPassw0rd C0mposePassw0rd S3cretObjPassw0rd S3cretPool Env_f1lePassw0rd; do
		no_secret "init --from $f" "$s" "$TMP/out" "$TMP/err"
	done
done

[ "$skip" = 0 ] || echo "($skip groups skipped)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
