/*
 * rules.c - the rule registry, rule levels and suppression, findings.
 *
 * rule_registry[] is the one list of rules: `connbudget rules`, `explain`,
 * SARIF rules[], JUnit test cases and docs/rules all read it. The
 * checks live in rule_checks.c (CB018's in rule_config.c); rules_impl.h is
 * what they and the registry share. Levels are resolved once per run, in this
 * order (later wins): the registry's default severity, the file's
 * `lint.severity`, the file's `lint.disable`, then the command line
 * (--severity / --disable, or --enable to undo the file's disabling). An
 * object's `ignore:` always wins: rule_emit drops the finding.
 */
#include "rules.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conninfo.h"
#include "load.h"
#include "rules_impl.h"

/* The rule rules_share_finish runs itself, after every other. */
#define UNUSED_SUPPRESSION "CB022"

/* Documentation sections share these headings (a test checks for them). */
#define WHY "Why it matters\n"
#define FIX "\nHow to fix\n"
#define WHERE "\nWhere it points\n"
#define EXAMPLE "\nExample\n"

const struct rule rule_registry[] = {
	{ "CB001", "over-capacity", SEV_ERROR, SCOPE_DATABASE, check_over_capacity,
	  "a database's peak demand exceeds what non-superusers can open",
	  WHY
	  "  capacity = max_connections - superuser_reserved_connections -\n"
	  "  reserved_connections. When every client opens its whole pool at peak\n"
	  "  (all replicas, autoscaling ceiling, rolling-deploy surge), PostgreSQL\n"
	  "  answers \"remaining connection slots are reserved\" or \"sorry, too many\n"
	  "  clients already\" and requests fail. Peak demand is the sum of every\n"
	  "  direct client's peak plus every pooler's server-side peak.\n"
	  "  A direct client with no pool limit (CB010) makes demand unbounded: this\n"
	  "  rule then fires naming that client, and no other rule fires on account\n"
	  "  of the unbounded figure.\n"
	  FIX
	  "  Lower pool sizes, replicas or processes, put the clients behind a\n"
	  "  transaction-mode pooler, or raise max_connections. The message lists the\n"
	  "  contributors, largest first. `connbudget plan --solve\n"
	  "  clients.api.max_replicas FILE` finds the largest value that fits.\n"
	  WHERE
	  "  The database's key under `databases:`.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main: { max_connections: 100 }     # capacity 97\n"
	  "  clients:\n"
	  "    api:                               # 3 x 2 x 20 = 120 > 97\n"
	  "      type: service\n"
	  "      connects_to: main\n"
	  "      replicas: 3\n"
	  "      processes: 2\n"
	  "      pool: { size: 20 }\n" },
	{ "CB002", "no-headroom", SEV_WARNING, SCOPE_DATABASE, check_no_headroom,
	  "peak demand fits the capacity but eats the headroom kept for admins",
	  WHY
	  "  budget = min(capacity, max_connections - headroom). Demand above the\n"
	  "  budget still fits, but leaves less than `headroom` connections (default\n"
	  "  10) for psql sessions, migrations, monitoring and backups: the next\n"
	  "  incident is debugged without a way in. Fires when budget < peak demand\n"
	  "  <= capacity (above capacity, CB001 fires instead).\n"
	  FIX
	  "  Trim pools or replicas until peak demand <= budget, or raise\n"
	  "  max_connections. Lower `headroom` only if admin access is reserved some\n"
	  "  other way (superuser_reserved_connections covers superusers only).\n"
	  WHERE
	  "  The database's key under `databases:`.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main: { max_connections: 100, headroom: 10 }   # budget 90\n"
	  "  clients:\n"
	  "    api:                               # 95: over 90, under 97\n"
	  "      type: service\n"
	  "      connects_to: main\n"
	  "      replicas: 5\n"
	  "      pool: { size: 19 }\n" },
	{ "CB003", "above-optimum", SEV_INFO, SCOPE_DATABASE, check_above_optimum,
	  "peak demand exceeds cores x 2 + spindles; names the pool size that would fit",
	  WHY
	  "  PostgreSQL runs one process per connection. Beyond about cores x 2 +\n"
	  "  spindles active connections, throughput stops growing and latency\n"
	  "  grows instead (the PostgreSQL wiki's pool-sizing formula). More\n"
	  "  connections than that only help while most of them are idle.\n"
	  "  Fires only when `cores` is given.\n"
	  FIX
	  "  The message names a size that would fit, at least 1. Behind one RDS\n"
	  "  Proxy alone: its max_connections_percent. Otherwise the optimum, less\n"
	  "  what RDS Proxies open, is shared evenly by every pool: each direct\n"
	  "  client process's pools get a pool.size, each pgbouncer pool (instances\n"
	  "  x users) a default_pool_size less its reserve_pool_size. Behind one\n"
	  "  pgbouncer alone that is optimum / (instances x users) - reserve.\n"
	  "  pool.overflow and extra_connections are not counted. A transaction-mode\n"
	  "  pooler is the usual way to keep many clients on few server\n"
	  "  connections.\n"
	  WHERE
	  "  The database's key under `databases:`.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main: { max_connections: 100, cores: 4 }   # optimum 8\n"
	  "  poolers:\n"
	  "    bouncer:                   # cap 20 > 8: default_pool_size 8 fits\n"
	  "      type: pgbouncer\n"
	  "      database: main\n"
	  "      pool_mode: transaction\n" },
	{ "CB004", "serverless-direct", SEV_ERROR, SCOPE_CLIENT, check_serverless_direct,
	  "a serverless client connects straight to a database, not through a pooler",
	  WHY
	  "  Every concurrent function instance opens its own pool, and instances\n"
	  "  scale with traffic: 50 instances with a pool of 10 are 500 server\n"
	  "  connections. Suspended instances keep their connections open, so the\n"
	  "  database fills up with idle sessions it cannot reclaim.\n"
	  FIX
	  "  Connect through a pooler (PgBouncer in transaction mode, RDS Proxy, or\n"
	  "  the platform's pooled endpoint) and point `connects_to` at it. Cap\n"
	  "  `max_concurrency` and keep the pool at 1 connection (CB019).\n"
	  WHERE
	  "  The client's `connects_to` value.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    ingest:\n"
	  "      type: serverless\n"
	  "      connects_to: main          # a database: fires; a pooler: passes\n"
	  "      max_concurrency: 50\n"
	  "      pool: { size: 1 }\n" },
	{ "CB005", "prisma-pgbouncer-flag", SEV_ERROR, SCOPE_CLIENT, check_prisma_pgbouncer_flag,
	  "prisma through a transaction-mode pgbouncer without pgbouncer=true in its url",
	  WHY
	  "  Prisma ORM up to version 6 uses named prepared statements. Through\n"
	  "  PgBouncer in transaction or statement mode consecutive statements land\n"
	  "  on different server connections, and queries fail with \"prepared\n"
	  "  statement already exists\" / \"does not exist\". `pgbouncer=true` in the\n"
	  "  connection string makes Prisma work without them. `prisma-7` is not\n"
	  "  checked: its pool is the driver adapter's (pg.Pool). An odyssey is\n"
	  "  held to the same, in the pool mode of its routes to the database, and\n"
	  "  a pgcat in the pool mode of its pools there (PgCat's default is\n"
	  "  transaction).\n"
	  FIX
	  "  Add `?pgbouncer=true` to the client's url (and to DATABASE_URL where the\n"
	  "  application reads it), or run the pooler in session mode. Give the\n"
	  "  url in the topology: without one the rule cannot see the flag and\n"
	  "  fires.\n"
	  WHERE
	  "  The client's `url` value; the `framework` value when it has no url.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    web:\n"
	  "      type: service\n"
	  "      framework: prisma\n"
	  "      cpus: 2\n"
	  "      connects_to: bouncer       # pool_mode: transaction\n"
	  "      url: postgresql://app@pgbouncer.internal:6432/app?pgbouncer=true\n" },
	{ "CB006", "session-feature-in-transaction-pool", SEV_ERROR, SCOPE_CLIENT,
	  check_session_features,
	  "a client uses session features through a transaction or statement-mode pooler",
	  WHY
	  "  In transaction mode PgBouncer hands the server connection to another\n"
	  "  client after every transaction (statement mode: after every\n"
	  "  statement). Session state does not follow the client: LISTEN stops\n"
	  "  receiving, advisory locks and temp tables belong to someone else's\n"
	  "  session, SET leaks into other clients, and prepared statements vanish.\n"
	  "  multi_statement_transactions only break in statement mode.\n"
	  "  An odyssey is checked the same way, in the pool mode of its routes,\n"
	  "  and a pgcat in the pool mode of its pools (transaction by default).\n"
	  "  RDS Proxy is not checked: it pins such a session to its connection\n"
	  "  instead of breaking it (pinning costs multiplexing, not correctness).\n"
	  FIX
	  "  Give these clients a session-mode pooler or a direct connection, or\n"
	  "  drop the feature (transaction-scoped pg_advisory_xact_lock, SET LOCAL).\n"
	  "  PgBouncer 1.21+ with max_prepared_statements > 0 supports protocol-level\n"
	  "  prepared statements: remove prepared_statements from `uses` then.\n"
	  "  One finding per client names every feature that breaks.\n"
	  WHERE
	  "  The client's first offending `uses` entry.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    notifier:\n"
	  "      type: worker\n"
	  "      connects_to: bouncer       # pool_mode: transaction\n"
	  "      uses: [listen_notify]\n"
	  "      pool: { size: 2 }\n" },
	{ "CB007", "no-acquire-timeout", SEV_WARNING, SCOPE_CLIENT, check_no_acquire_timeout,
	  "a pool has no acquire timeout: exhaustion hangs instead of failing fast",
	  WHY
	  "  When every connection of a pool is in use, the next borrower waits.\n"
	  "  Without a timeout it waits forever: requests pile up, health checks\n"
	  "  time out, and the service looks hung rather than overloaded. A timeout\n"
	  "  turns exhaustion into a fast, visible error.\n"
	  "  The timeout comes from `pool.acquire_timeout`, else from the\n"
	  "  framework's default (hikaricp 30 s, rails 5 s, ...). node-postgres,\n"
	  "  prisma-7, typeorm, asyncpg, pgxpool and go-database-sql have none.\n"
	  "  django has no pool to wait on and never fires. `acquire_timeout: 0`\n"
	  "  means disabled and fires.\n"
	  FIX
	  "  Set the library's timeout (pg.Pool connectionTimeoutMillis, asyncpg\n"
	  "  acquire(timeout=), a context deadline for pgxpool) and record it as\n"
	  "  `pool.acquire_timeout`.\n"
	  WHERE
	  "  `pool.acquire_timeout` when it is 0; else the `pool:` key; else the\n"
	  "  client's key.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    api:\n"
	  "      type: service\n"
	  "      framework: node-postgres\n"
	  "      connects_to: main\n"
	  "      pool: { acquire_timeout: 5s }\n" },
	{ "CB008", "max-connections-vs-memory", SEV_WARNING, SCOPE_DATABASE, check_memory,
	  "max_connections exceeds memory_gb x 100",
	  WHY
	  "  Each PostgreSQL connection is a process with its own memory (about\n"
	  "  5-10 MB idle, work_mem per sort or hash on top). Past roughly 100\n"
	  "  connections per GB of RAM, a busy moment swaps or meets the OOM killer\n"
	  "  before it meets max_connections. Fires only when memory is known:\n"
	  "  `memory_gb`, or the nominal memory of an RDS `instance` class.\n"
	  "  AWS's default max_connections for some classes (LEAST(\n"
	  "  DBInstanceClassMemory / 9531392, 5000)) is slightly above this line:\n"
	  "  db.t3.medium (4 GB) gets about 410, so an `instance:` alone can fire.\n"
	  FIX
	  "  Lower max_connections and put a pooler in front, or give the database\n"
	  "  more memory. To accept AWS's default knowingly, `ignore: [CB008]`.\n"
	  WHERE
	  "  `max_connections` when the file sets it; else `memory_gb`; else\n"
	  "  `instance`.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main:\n"
	  "      max_connections: 800       # fires: 4 GB x 100 = 400\n"
	  "      memory_gb: 4\n" },
	{ "CB009", "pooler-client-limit", SEV_ERROR, SCOPE_POOLER, check_pooler_client_limit,
	  "the peak of a pgbouncer's clients exceeds its client connection limit",
	  WHY
	  "  A PgBouncer accepts at most max_client_conn client connections per\n"
	  "  process (default 100); client_limit = instances x max_client_conn.\n"
	  "  Beyond it new clients are refused (\"no more connections allowed\"),\n"
	  "  even though the server side would have room. The clients' peak is the\n"
	  "  sum of their peak connections to the pooler.\n"
	  FIX
	  "  Raise max_client_conn (mind the file descriptor limit: ulimit -n), run\n"
	  "  more PgBouncer instances, or shrink the clients' pools: behind a\n"
	  "  transaction pooler, a client pool needs few connections.\n"
	  WHERE
	  "  The pooler's `max_client_conn` when set, else the pooler's key.\n"
	  EXAMPLE
	  "  poolers:\n"
	  "    bouncer:\n"
	  "      type: pgbouncer\n"
	  "      database: main\n"
	  "      max_client_conn: 1000      # default 100 per instance\n" },
	{ "CB010", "unbounded-pool", SEV_ERROR, SCOPE_CLIENT, check_unbounded_pool,
	  "a pool has no upper bound",
	  WHY
	  "  A pool without a maximum opens a connection for every concurrent\n"
	  "  request: load spikes become connection storms. Go's database/sql\n"
	  "  defaults to unlimited (SetMaxOpenConns 0), and `pool.size: 0` means\n"
	  "  unlimited too. connbudget does not guess a number: the client's figures\n"
	  "  are unbounded. Directly on a database, CB001 fires naming the client;\n"
	  "  behind a pooler, the pooler's cap bounds the server side.\n"
	  "  It fires on a pgbouncer too when a pool has no limit: pool_size = 0 or\n"
	  "  default_pool_size = 0 means unlimited since PgBouncer 1.24, and no\n"
	  "  max_db_connections or max_user_connections bounds it; the pooler's\n"
	  "  server side is then bounded only by its clients' demand. The same on an\n"
	  "  odyssey whose route to the database has pool_size 0 or none.\n"
	  FIX
	  "  Set the pool's maximum in the application (db.SetMaxOpenConns(n)) and\n"
	  "  record it as `pool.size`; on a pgbouncer, give the pool a size or set\n"
	  "  max_db_connections; on an odyssey, give the route a pool_size.\n"
	  WHERE
	  "  `pool.size` when it is 0; else the `framework` value; on a pooler, the\n"
	  "  setting that says 0 in its config file or topology.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    reports:\n"
	  "      type: service\n"
	  "      framework: go-database-sql\n"
	  "      connects_to: main\n"
	  "      pool: { size: 10, acquire_timeout: 5s }   # passes\n" },
	{ "CB011", "no-idle-in-transaction-timeout", SEV_WARNING, SCOPE_DATABASE,
	  check_idle_in_transaction,
	  "a database has no idle_in_transaction_session_timeout (or 0)",
	  WHY
	  "  A session that opens a transaction and then waits (a crashed worker, a\n"
	  "  forgotten BEGIN in a console, an exception path that never commits)\n"
	  "  keeps its connection, its locks and its snapshot: the pool shrinks,\n"
	  "  writers queue behind the locks, and vacuum cannot clean up. PostgreSQL\n"
	  "  ends such sessions only when idle_in_transaction_session_timeout is set\n"
	  "  (default 0: never).\n"
	  FIX
	  "  Set it in postgresql.conf (or the RDS parameter group) and record it\n"
	  "  under `settings:`. A few minutes is common; long batch transactions\n"
	  "  can SET a larger value for their own session.\n"
	  WHERE
	  "  The setting when it is 0; else the database's key.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main:\n"
	  "      max_connections: 100\n"
	  "      settings:\n"
	  "        idle_in_transaction_session_timeout: 10min\n" },
	{ "CB012", "bypasses-pooler", SEV_ERROR, SCOPE_CLIENT, check_bypasses_pooler,
	  "a client's url goes around its pooler, or through a pooler it does not declare",
	  WHY
	  "  The budget counts a client where `connects_to` says. When its url\n"
	  "  names the database's host and port although it connects_to a pooler,\n"
	  "  its connections land on the database uncounted; when a direct client's\n"
	  "  url names a pooler, the pooler's limits apply to it unseen.\n"
	  "  The url is read as libpq reads it (URI or key=value, several hosts\n"
	  "  allowed, a missing port is 5432); host names are compared without\n"
	  "  case and without DNS. A declared port defaults to 5432 for databases\n"
	  "  and RDS Proxy endpoints, 6432 for PgBouncer. Fires only on an exact\n"
	  "  host and port match, and never when the other object declares no\n"
	  "  `host` or the url does not parse.\n"
	  FIX
	  "  Make the url and `connects_to` agree: point the url at the pooler\n"
	  "  (host and port), or change `connects_to`.\n"
	  WHERE
	  "  The client's `url` value.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main: { max_connections: 100, host: db.internal }\n"
	  "  clients:\n"
	  "    api:\n"
	  "      type: service\n"
	  "      connects_to: bouncer\n"
	  "      url: postgresql://app@db.internal/app    # fires: the database\n" },
	{ "CB013", "password-in-url", SEV_WARNING, SCOPE_CLIENT, check_password_in_url,
	  "a client url carries a literal password",
	  WHY
	  "  A password in a topology file ends up in the repository, CI logs and\n"
	  "  every copy of the file. Passwords are found wherever a driver reads\n"
	  "  them: `user:password@` in a URI (up to the last `@`, so `p@ss@db` is\n"
	  "  the password `p@ss`), `?password=` in its query, `password=` or\n"
	  "  `sslpassword=` in a key=value string, `Password=` or `Pwd=` in a .NET\n"
	  "  string, keys in any case. Environment placeholders (${DB_PASSWORD},\n"
	  "  $DB_PASSWORD) are not passwords and pass. connbudget prints the url\n"
	  "  with the password replaced by *** in every message and output.\n"
	  FIX
	  "  Remove the password: use a placeholder, ~/.pgpass, PGPASSWORD, or IAM\n"
	  "  authentication.\n"
	  WHERE
	  "  The client's `url` value.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    api:\n"
	  "      type: service\n"
	  "      connects_to: main\n"
	  "      url: postgresql://app:${DB_PASSWORD}@db.internal/app   # passes\n" },
	{ "CB014", "cross-environment", SEV_WARNING, SCOPE_CLIENT, check_cross_environment,
	  "a client's environment differs from its database's",
	  WHY
	  "  Staging pointing at the production database spends production's\n"
	  "  connection budget on test traffic and can write test data into\n"
	  "  production. The client's environment is compared (ignoring case) with\n"
	  "  its database's, through its pooler if it has one; both inherit the\n"
	  "  top-level `environment` (default production) unless set.\n"
	  FIX
	  "  Point the client at its own environment's database, or correct the\n"
	  "  `environment:` that is wrong.\n"
	  WHERE
	  "  The client's own `environment` value; the client's key when it\n"
	  "  inherits the top-level one.\n"
	  EXAMPLE
	  "  environment: production\n"
	  "  clients:\n"
	  "    staging-api:\n"
	  "      type: service\n"
	  "      connects_to: main          # a production database: fires\n"
	  "      environment: staging\n"
	  "      pool: { size: 10 }\n" },
	{ "CB015", "pool-below-load", SEV_WARNING, SCOPE_CLIENT, check_pool_below_load,
	  "Little's law needs more connections in flight than the client opens",
	  WHY
	  "  With `load`, connections in flight = rate x hold (Little's law):\n"
	  "  300 transactions/s holding a connection 750 ms each keep 225\n"
	  "  connections busy. When the client's peak connections are fewer,\n"
	  "  requests queue for a connection and latency grows until timeouts.\n"
	  "  Under `plan --spike F` the hold time is multiplied by F.\n"
	  FIX
	  "  Shorten transactions (the hold), raise the pool or instance count, or\n"
	  "  lower the rate per client.\n"
	  WHERE
	  "  The client's `load:` key.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    api:\n"
	  "      type: service\n"
	  "      connects_to: main\n"
	  "      replicas: 2\n"
	  "      pool: { size: 10 }         # 20 < 300/s x 0.75 s = 225\n"
	  "      load: { rate: 300, hold: 750ms }\n" },
	{ "CB016", "unbounded-concurrency", SEV_WARNING, SCOPE_CLIENT, check_unbounded_concurrency,
	  "a serverless client has no max_concurrency (1000 assumed)",
	  WHY
	  "  A function without reserved concurrency scales to the account limit\n"
	  "  (AWS Lambda: 1000 by default) and every instance opens its own\n"
	  "  connections. connbudget assumes 1000 instances, which is what a\n"
	  "  traffic spike or retry storm can reach.\n"
	  FIX
	  "  Set reserved concurrency on the function and record it as\n"
	  "  `max_concurrency`, or, for a function read from a Terraform plan,\n"
	  "  set its `reserved_concurrent_executions`.\n"
	  WHERE
	  "  The client's key; for a function read from a Terraform plan, the\n"
	  "  function's resource in the plan.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    ingest:\n"
	  "      type: serverless\n"
	  "      connects_to: proxy\n"
	  "      max_concurrency: 50\n"
	  "      pool: { size: 1 }\n" },
	{ "CB017", "threads-exceed-pool", SEV_WARNING, SCOPE_CLIENT, check_threads_exceed_pool,
	  "a process runs more threads than its pool has connections",
	  WHY
	  "  Each thread (puma thread, Sidekiq concurrency, gunicorn thread) that\n"
	  "  touches the database needs a connection. With more threads than\n"
	  "  pool.size + pool.overflow, the extra threads wait for a connection\n"
	  "  (Sidekiq concurrency 25 on a Rails pool of 5) and time out under load.\n"
	  "  The comparison is per pool of one process.\n"
	  FIX
	  "  Make the pool at least as large as `threads` (Rails: pool\n"
	  "  RAILS_MAX_THREADS), or run fewer threads.\n"
	  WHERE
	  "  The client's `threads` value.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    sidekiq:\n"
	  "      type: worker\n"
	  "      framework: rails\n"
	  "      connects_to: main\n"
	  "      threads: 25\n"
	  "      pool: { size: 25 }         # rails' default 5 would fire\n" },
	{ "CB018", "config-mismatch", SEV_ERROR, SCOPE_DATABASE, check_config_mismatch,
	  "a value in the YAML differs from the referenced pgbouncer.ini or postgresql.conf",
	  WHY
	  "  With `config:` the topology points at the real postgresql.conf or\n"
	  "  pgbouncer.ini. A setting given in both places with different values\n"
	  "  means one of them is stale, and the budget is computed from a number\n"
	  "  that is not deployed. Emitted while the config files are read.\n"
	  FIX
	  "  Drop the value from the YAML and let the config file speak, or make\n"
	  "  them agree.\n"
	  WHERE
	  "  The setting in the config file; suppress it with `ignore` on the\n"
	  "  database or pooler that references the file.\n"
	  EXAMPLE
	  "  poolers:\n"
	  "    bouncer:\n"
	  "      type: pgbouncer\n"
	  "      database: main\n"
	  "      config: pgbouncer.ini      # default_pool_size = 20 there\n"
	  "      default_pool_size: 25      # fires: 25 here, 20 there\n" },
	{ "CB019", "serverless-pool-size", SEV_WARNING, SCOPE_CLIENT, check_serverless_pool_size,
	  "a serverless client's pool allows more than 1 connection per instance",
	  WHY
	  "  A function instance serves one request at a time, so it uses one\n"
	  "  connection; the rest of its pool sits idle, multiplied by concurrency:\n"
	  "  a pool of 10 at 50 instances holds 500 connections for 50 requests.\n"
	  "  Prisma and Vercel advise connection_limit=1 for serverless functions.\n"
	  "  Fires when pool.count x (pool.size + pool.overflow) > 1.\n"
	  FIX
	  "  Set the pool to one connection (Prisma: ?connection_limit=1,\n"
	  "  node-postgres: max: 1) and record `pool: { size: 1 }`.\n"
	  WHERE
	  "  `pool.size` when set; else the `pool:` key; else `framework`.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    ingest:\n"
	  "      type: serverless\n"
	  "      connects_to: proxy\n"
	  "      max_concurrency: 50\n"
	  "      pool: { size: 1 }\n" },
	{ "CB020", "unknown-pool-size", SEV_ERROR, SCOPE_CLIENT, check_unknown_pool_size,
	  "a client read from a workload has no pool size: its demand is unknown",
	  WHY
	  "  A client bound to a workload (from:) or discovered from one takes its\n"
	  "  figures from the manifests, and its pool size from an env variable the\n"
	  "  source's env: mapping names (pool.size). When no variable is set, the\n"
	  "  topology gives no pool.size and no framework gives a default, nothing\n"
	  "  says how many connections each process opens: its figures are unknown\n"
	  "  (null in JSON, \"unknown\" in the table) and every sum it feeds is a\n"
	  "  lower bound (\"lower_bound\": true, printed as >= N), unless a pooler's\n"
	  "  cap binds it. A budget that may be larger than it says cannot pass.\n"
	  FIX
	  "  Set the variable in the container's env (or its ConfigMap), map the\n"
	  "  variable the application reads with `env: {pool.size: VAR}` on the\n"
	  "  source, or give the client `pool.size` or a `framework` in the topology.\n"
	  WHERE
	  "  The workload's metadata.name (a compose service's key) in the manifest.\n"
	  EXAMPLE
	  "  sources:\n"
	  "    - kubernetes: k8s/*.yaml      # worker's env has no DB_POOL\n"
	  "      env: { pool.size: DB_POOL }\n"
	  "  clients:\n"
	  "    worker:\n"
	  "      type: worker\n"
	  "      from: kubernetes:deployment/worker\n"
	  "      connects_to: main\n" },
	{ "CB021", "pooler-cap-over-capacity", SEV_WARNING, SCOPE_POOLER, check_pooler_cap_over_capacity,
	  "a pooler's config can open more than the database's capacity, though the declared demand fits",
	  WHY
	  "  PgBouncer keeps a pool per (database entry, user), and every pool can\n"
	  "  open its pool_size + reserve_pool_size server connections whether or\n"
	  "  not the topology declares a client for it. A staging entry on the\n"
	  "  production server, a reporting user, an old entry nobody removed: the\n"
	  "  declared clients fit, but the pooler itself can open its whole cap.\n"
	  "  Fires when the cap (over all instances), with every other\n"
	  "  contributor's peak, exceeds the database's capacity while the declared\n"
	  "  peak demand is within it (above it, CB001 fires instead). Only for a\n"
	  "  pooler read from a config file; an unlimited pool is CB010 instead.\n"
	  "  A pooler in front of another pooler is held against that pooler's\n"
	  "  client limit instead (its other clients' peak, then its whole cap);\n"
	  "  in front of one without a client limit (rds_proxy, pgcat), it is not\n"
	  "  checked: the inner pooler's cap bounds what reaches the database, and\n"
	  "  CB021 holds that cap against the capacity when the inner pooler is\n"
	  "  read from a config file.\n"
	  FIX
	  "  Give the extra entries small pool_size (or max_db_connections), cap the\n"
	  "  pooler with max_db_connections / max_user_connections, move staging to\n"
	  "  its own server, or raise max_connections. docs/poolers.md shows how\n"
	  "  the pools are counted.\n"
	  WHERE
	  "  The pooler's `config:` value.\n"
	  EXAMPLE
	  "  # pgbouncer.ini, both entries on db.internal:5432:\n"
	  "  #   prod    = host=db.internal dbname=shop\n"
	  "  #   staging = host=db.internal dbname=shop_staging\n"
	  "  #   default_pool_size = 20        -> cap 2 x 20 = 40\n"
	  "  databases:\n"
	  "    main: { max_connections: 30, host: db.internal }   # capacity 27\n"
	  "  poolers:\n"
	  "    bouncer: { type: pgbouncer, database: main, config: pgbouncer.ini }\n"
	  "  clients:\n"
	  "    api:                         # 20 through the prod pool: fits\n"
	  "      type: service\n"
	  "      connects_to: bouncer\n"
	  "      url: postgresql://app@pgbouncer:6432/prod\n"
	  "      pool: { size: 20 }\n" },
	{ "CB022", "unused-suppression", SEV_INFO, SCOPE_DATABASE, NULL,
	  "an ignore or lint.disable entry suppressed nothing in this run",
	  WHY
	  "  A suppression outlives its reason: the pool was resized, the client\n"
	  "  moved behind a pooler, the rule was fixed, and `ignore: [CB003]` stays,\n"
	  "  ready to hide the next real finding. Fires for every `ignore:` entry\n"
	  "  of a database, pooler or client, and every `lint.disable` entry, whose\n"
	  "  rule found nothing to suppress there in this run (a rule off by\n"
	  "  lint.disable alone is still run, unseen, to tell). An expired entry\n"
	  "  that brought a finding back counts as used. Entries naming a live rule\n"
	  "  (CB101-CB106), CB022 itself, or a rule the command line turns off are\n"
	  "  not judged.\n"
	  FIX
	  "  Remove the entry. If it is there for a finding that comes and goes,\n"
	  "  keep it and add `CB022` to the same object's `ignore:`.\n"
	  WHERE
	  "  The entry: the list item, or its `{rule: ...}` mapping.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main:\n"
	  "      max_connections: 100\n"
	  "      settings: { idle_in_transaction_session_timeout: 1min }\n"
	  "      ignore: [CB011]            # CB011 finds nothing: the timeout is set\n" },
	{ "CB023", "application-name-altered", SEV_WARNING, SCOPE_CLIENT, check_application_name_altered,
	  "a client's application_name would be stored by the server other than as written",
	  WHY
	  "  pg_stat_activity, `observe` and every monitoring query know a session\n"
	  "  by its application_name as the server stores it, not as the client\n"
	  "  sent it: the server keeps at most 63 bytes (NAMEDATALEN - 1) and\n"
	  "  replaces every byte outside printable ASCII, with '?' up to\n"
	  "  PostgreSQL 15 and with a \\xNN escape from 16 on. A long or non-ASCII\n"
	  "  name is then not the name anyone looks for, and two clients whose\n"
	  "  names differ only after the 63rd byte, or only in non-ASCII letters,\n"
	  "  cannot be told apart: their sessions are counted together.\n"
	  "  A client's application_name defaults to its id.\n"
	  FIX
	  "  Give the client an `application_name` of at most 63 printable ASCII\n"
	  "  characters, distinct from every other client's.\n"
	  WHERE
	  "  The client's `application_name` when set, else the client's key.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    cafe-orders:\n"
	  "      type: service\n"
	  "      connects_to: main\n"
	  "      application_name: café-orders   # fires: é is not ASCII\n"
	  "      pool: { size: 5 }\n" },
	{ "CB101", "live-setting-drift", SEV_ERROR, SCOPE_DATABASE, NULL,
	  "a live server setting differs from the topology",
	  WHY
	  "  `connbudget observe` reads the live settings (max_connections, the\n"
	  "  reserved counts, idle_in_transaction_session_timeout; PgBouncer's\n"
	  "  pool_mode, default_pool_size, reserve_pool_size, max_client_conn,\n"
	  "  max_db_connections). When they differ from the topology, every figure\n"
	  "  connbudget computed is about a system that is not running.\n"
	  FIX
	  "  Update the topology, or deploy the configuration it describes.\n"
	  WHERE
	  "  The setting in the topology (or the object's key when it is a\n"
	  "  default).\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main: { max_connections: 200 }   # SHOW max_connections says 100\n" },
	{ "CB102", "undeclared-connections", SEV_WARNING, SCOPE_DATABASE, NULL,
	  "live connections come from an application_name no client declares",
	  WHY
	  "  `observe` groups live client backends by application_name. Sessions\n"
	  "  whose name no client declares (a client's application_name defaults\n"
	  "  to its id) are demand the budget does not know about: a forgotten\n"
	  "  cron job, a BI tool, a colleague's console.\n"
	  FIX
	  "  Declare the client, or set application_name in the connection string\n"
	  "  of the one that is already declared.\n"
	  WHERE
	  "  The database's key.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    metabase:\n"
	  "      type: tool\n"
	  "      connects_to: main\n"
	  "      application_name: Metabase\n"
	  "      pool: { size: 5 }\n" },
	{ "CB103", "above-declared-peak", SEV_ERROR, SCOPE_CLIENT, NULL,
	  "a client holds more live connections than its declared peak",
	  WHY
	  "  The topology says what a client can open at most. Holding more live\n"
	  "  connections means the declared pool, replica or process figures are\n"
	  "  wrong, and so is every budget computed from them.\n"
	  FIX
	  "  Correct the client's figures (replicas, processes, pool) to what is\n"
	  "  deployed, or fix the deployment.\n"
	  WHERE
	  "  The client's key.\n"
	  EXAMPLE
	  "  clients:\n"
	  "    api:                         # 40 live connections: fires\n"
	  "      type: service\n"
	  "      connects_to: main\n"
	  "      replicas: 2\n"
	  "      pool: { size: 10 }         # declared peak 20\n" },
	{ "CB104", "idle-in-transaction", SEV_WARNING, SCOPE_DATABASE, NULL,
	  "live sessions have been idle in a transaction for too long",
	  WHY
	  "  A session idle in a transaction holds its connection, its locks and\n"
	  "  its snapshot. `observe` reports those idle longer than\n"
	  "  --idle-threshold (default 5 min).\n"
	  FIX
	  "  Find the application by its application_name and make it commit or\n"
	  "  roll back; set idle_in_transaction_session_timeout (CB011).\n"
	  WHERE
	  "  The database's key.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main:\n"
	  "      max_connections: 100\n"
	  "      settings: { idle_in_transaction_session_timeout: 5min }\n" },
	{ "CB105", "clients-waiting", SEV_WARNING, SCOPE_POOLER, NULL,
	  "a pgbouncer pool has clients waiting for a server connection",
	  WHY
	  "  SHOW POOLS reports cl_waiting: clients that have sent a query and wait\n"
	  "  for a server connection. Waiting clients mean the pool is too small\n"
	  "  for the load, or transactions hold connections too long.\n"
	  FIX
	  "  Shorten transactions, or raise default_pool_size within the\n"
	  "  database's budget (see CB001 and CB003).\n"
	  WHERE
	  "  The pooler's key.\n"
	  EXAMPLE
	  "  poolers:\n"
	  "    bouncer:\n"
	  "      type: pgbouncer\n"
	  "      database: main\n"
	  "      default_pool_size: 30\n" },
	{ "CB106", "live-utilization", SEV_WARNING, SCOPE_DATABASE, NULL,
	  "live connections exceed 80% of max_connections",
	  WHY
	  "  Above 80% of max_connections a deploy, a failover or a retry storm can\n"
	  "  take the rest. This is the live counterpart of CB001/CB002.\n"
	  FIX
	  "  Find the largest holders in the observe report and trim their pools,\n"
	  "  or put them behind a pooler.\n"
	  WHERE
	  "  The database's key.\n"
	  EXAMPLE
	  "  databases:\n"
	  "    main: { max_connections: 100 }   # 85 live connections: fires\n" },
};

const size_t rule_count = ARRAY_LEN(rule_registry);

const char *severity_name(enum severity s)
{
	static const char *const names[] = { "info", "warning", "error" };
	return names[s];
}

bool severity_parse(const char *s, int *level)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "error", SEV_ERROR }, { "warning", SEV_WARNING }, { "info", SEV_INFO }, { "off", LEVEL_OFF },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(levels); i++) {
		if (strcasecmp(s, levels[i].name) == 0) {
			*level = levels[i].level;
			return true;
		}
	}
	return false;
}

const struct rule *rule_find(const char *id_or_name)
{
	size_t i;

	for (i = 0; i < rule_count; i++)
		if (strcasecmp(rule_registry[i].id, id_or_name) == 0 ||
		    strcasecmp(rule_registry[i].name, id_or_name) == 0)
			return &rule_registry[i];
	return NULL;
}

size_t rule_index(const struct rule *r)
{
	assert(r >= rule_registry && r < rule_registry + rule_count);
	return (size_t)(r - rule_registry);
}

/* The closest rule name, for "did you mean" (NULL when none is close). */
static const char *rule_suggest(const char *word)
{
	const char *names[ARRAY_LEN(rule_registry)];
	size_t i;

	for (i = 0; i < rule_count; i++)
		names[i] = rule_registry[i].name;
	return closest_word(word, names, rule_count);
}

/* `unknown rule "X"` with a suggestion when one is close; the caller frees. */
static char *unknown_rule(const char *word)
{
	const char *near = rule_suggest(word);

	if (near)
		return xasprintf("unknown rule \"%s\", did you mean \"%s\"?", str_clip(word), near);
	return xasprintf("unknown rule \"%s\"", str_clip(word));
}

void rule_vemit(struct rule_ctx *ctx, const struct strlist *ignore, struct pos pos,
		const char *object, const char *fmt, va_list ap)
{
	findings_suppress_vadd(ctx->sup, ctx->out, ignore, ctx->shadow, ctx->rule, ctx->severity, pos,
			       object, fmt, ap);
}

/* Record that entry suppressed a finding, or brought one back, in sink. */
static void mark_used(struct findings *sink, const struct str *entry)
{
	if (sink->nused && sink->used[sink->nused - 1] == entry)
		return;
	xgrow(&sink->used, &sink->used_cap, sink->nused + 1, sizeof(*sink->used));
	sink->used[sink->nused++] = entry;
}

/* Has the suppression in (NULL: a plain one, which never ends) expired on today? */
static bool expired(const struct suppress_info *in, uint32_t today)
{
	return in && in->until && in->until < today;
}

/* "m (the suppression "reason" expired after 2027-03-31)" in a. */
static char *expired_note(struct arena *a, const char *m, const struct suppress_info *in)
{
	char *note;
	unsigned y = in->until / 10000, mo = in->until / 100 % 100, d = in->until % 100;

	if (in->reason.s)
		note = xasprintf("%s (the suppression \"%s\" expired after %04u-%02u-%02u)", m,
				 in->reason.s, y, mo, d);
	else
		note = xasprintf("%s (the suppression expired after %04u-%02u-%02u)", m, y, mo, d);
	m = arena_strdup(a, note);
	free(note);
	return (char *)m;
}

void findings_suppress_vadd(const struct suppress_state *sup, struct findings *sink,
			    const struct strlist *ignore, bool shadow, const struct rule *r,
			    enum severity sev, struct pos pos, const char *object, const char *fmt,
			    va_list ap)
{
	const struct lint_entry *lint = sup && sup->disable ? &sup->disable[rule_index(r)] : NULL;
	const struct str *back = NULL;
	const struct suppress_info *back_info = NULL;
	uint32_t today = 0;
	size_t i;

	for (i = 0; ignore && i < ignore->n; i++) {
		const struct suppress_info *in = ignore->info ? &ignore->info[i] : NULL;

		if (!ignore->v[i].s || rule_find(ignore->v[i].s) != r)
			continue;
		if (in && in->until && !today)
			today = sup ? sup->today : date_today();
		if (!expired(in, today)) {
			mark_used(sink, &ignore->v[i]);
			return;
		}
		if (!back) {
			back = &ignore->v[i];
			back_info = in;
		}
	}
	if (shadow) {
		if (back)
			mark_used(sink, back);
		if (lint && lint->entry)
			mark_used(sink, lint->entry);
		return;
	}
	if (!back && lint && lint->entry && lint->expired) {
		back = lint->entry;
		back_info = lint->info;
	}
	findings_vadd(sink, r, sev, pos, object, fmt, ap);
	if (back) {
		struct finding *fd = &sink->v[sink->n - 1];

		mark_used(sink, back);
		fd->message = expired_note(&sink->arena, fd->message, back_info);
	}
}

void findings_vadd(struct findings *f, const struct rule *r, enum severity sev, struct pos pos,
		   const char *object, const char *fmt, va_list ap)
{
	struct finding *fd;
	char *msg;

	xbig_grow(&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	fd = &f->v[f->n++];
	fd->rule = r;
	fd->severity = sev;
	fd->pos = pos;
	fd->object = arena_strdup(&f->arena, object);
	/* a message may quote a url, or any other value: masked like everything else */
	msg = mask_vasprintf(fmt, ap);
	fd->message = arena_strdup(&f->arena, msg);
	free(msg);
}

void rule_emit(struct rule_ctx *ctx, const struct strlist *ignore, struct pos pos,
	       const char *object, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rule_vemit(ctx, ignore, pos, object, fmt, ap);
	va_end(ap);
}

void findings_release(struct findings *f)
{
	if (!f)
		return;
	xbig_free(f->v);
	free(f->level);
	if (f->sup)
		free(f->sup->disable);
	free(f->sup);
	free(f->used);
	arena_release(&f->arena);
	f->v = NULL;
	f->level = NULL;
	f->sup = NULL;
	f->used = NULL;
	f->n = f->cap = 0;
	f->nused = f->used_cap = 0;
}

void findings_count(const struct findings *f, struct summary *s)
{
	size_t i;

	s->errors = s->warnings = s->infos = 0;
	for (i = 0; i < f->n; i++) {
		switch (f->v[i].severity) {
		case SEV_ERROR:
			s->errors++;
			break;
		case SEV_WARNING:
			s->warnings++;
			break;
		case SEV_INFO:
			s->infos++;
			break;
		}
	}
}

void rule_cli_init(struct rule_cli *c)
{
	size_t i;

	c->level = xcalloc(rule_count, sizeof(*c->level));
	c->enable = xcalloc(rule_count, sizeof(*c->enable));
	c->today = 0;
	c->require_reason = false;
	for (i = 0; i < rule_count; i++)
		c->level[i] = RULE_CLI_UNSET;
}

void rule_cli_release(struct rule_cli *c)
{
	if (!c)
		return;
	free(c->level);
	free(c->enable);
	c->level = NULL;
	c->enable = NULL;
}

/* The rule named by the n bytes at p, or NULL with *err "OPTION: unknown rule ...". */
static const struct rule *cli_find(const char *option, const char *p, size_t n, char **err)
{
	char *name = xstrndup(p, n);
	const struct rule *r = rule_find(name);

	if (!r) {
		char *what = unknown_rule(name);
		*err = xasprintf("%s: %s", option, what);
		free(what);
	}
	free(name);
	return r;
}

/*
 * Apply fn to every rule of a comma-separated LIST (spaces around names
 * allowed). Stops at the first unknown or empty name: -1 with *err naming
 * it after the option's name. Earlier names stay applied.
 */
static int each_rule(struct rule_cli *c, const char *option, const char *list, char **err,
		     void (*fn)(struct rule_cli *c, size_t i))
{
	const char *p = list;

	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const struct rule *r;

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (!n) {
			*err = xasprintf("%s: empty rule name in \"%s\"", option, str_clip(list));
			return -1;
		}
		if (!(r = cli_find(option, p, n, err)))
			return -1;
		fn(c, rule_index(r));
		if (!e)
			return 0;
		p = e + 1;
	}
}

static void cli_disable(struct rule_cli *c, size_t i)
{
	c->level[i] = LEVEL_OFF;
	c->enable[i] = false;
}

static void cli_enable(struct rule_cli *c, size_t i)
{
	c->enable[i] = true;
	if (c->level[i] == LEVEL_OFF)
		c->level[i] = RULE_CLI_UNSET;
}

int rule_cli_disable(struct rule_cli *c, const char *list, char **err)
{
	return each_rule(c, "--disable", list, err, cli_disable);
}

int rule_cli_enable(struct rule_cli *c, const char *list, char **err)
{
	return each_rule(c, "--enable", list, err, cli_enable);
}

int rule_cli_severity(struct rule_cli *c, const char *spec, char **err)
{
	const char *eq = strchr(spec, '=');
	const struct rule *r;
	int level;

	if (!eq || eq == spec) {
		*err = xasprintf("--severity: expected RULE=LEVEL, got \"%s\"", str_clip(spec));
		return -1;
	}
	if (!(r = cli_find("--severity", spec, (size_t)(eq - spec), err)))
		return -1;
	if (!severity_parse(eq + 1, &level)) {
		*err = xasprintf("--severity: unknown level \"%s\" for %s "
				 "(expected error, warning, info or off)", str_clip(eq + 1), r->id);
		return -1;
	}
	c->level[rule_index(r)] = level;
	if (level == LEVEL_OFF)
		c->enable[rule_index(r)] = false;
	return 0;
}

/* Add "<what>: <message>" at pos to errs: a bad rule reference in the file. */
static void file_error(struct load_errors *errs, struct pos pos, const char *what, const char *message)
{
	char *masked = mask_password(message);

	load_errors_add(errs, pos_file(pos) ? pos_file(pos) : "-", pos.line, pos.col,
			xasprintf("%s: %s", what, masked));
	free(masked);
}

/* Where entry i of a suppression list is: the mapping, or the plain item. */
static struct pos entry_pos(const struct strlist *l, size_t i)
{
	return l->info ? l->info[i].pos : l->v[i].pos;
}

/*
 * Check that every entry of a suppression list (an object's ignore, or
 * lint.disable; what names it) names a rule and, with require_reason,
 * gives a reason. Every bad entry is added to errs.
 */
static void check_suppressions(const struct strlist *l, const char *what, bool require_reason,
			       struct load_errors *errs)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		char *msg = NULL;
		struct pos pos = l->v[i].pos;

		if (!rule_find(l->v[i].s)) {
			msg = unknown_rule(l->v[i].s);
		} else if (require_reason && !(l->info && l->info[i].reason.s)) {
			pos = entry_pos(l, i);
			msg = xasprintf("the suppression of \"%s\" gives no reason (--require-reason): "
					"write {rule: %s, reason: \"...\"}", l->v[i].s, l->v[i].s);
		}
		if (msg) {
			file_error(errs, pos, what, msg);
			free(msg);
		}
	}
}

/* check_suppressions on one object's ignore list. */
static void check_ignore(const struct strlist *ignore, const char *section, const char *id,
			 bool require_reason, struct load_errors *errs)
{
	char *what;

	if (!ignore->n)
		return;
	what = xasprintf("%s.%s.ignore", section, id);
	check_suppressions(ignore, what, require_reason, errs);
	free(what);
}

static void check_ignores(const struct topology *t, bool require_reason, struct load_errors *errs)
{
	size_t i;

	for (i = 0; i < t->ndatabases; i++)
		check_ignore(&t->databases[i].ignore, "databases", t->databases[i].id.s, require_reason, errs);
	for (i = 0; i < t->npoolers; i++)
		check_ignore(&t->poolers[i].ignore, "poolers", t->poolers[i].id.s, require_reason, errs);
	for (i = 0; i < t->nclients; i++)
		check_ignore(&client_cold(&t->clients[i])->ignore, "clients", t->clients[i].id.s,
			     require_reason, errs);
}

/*
 * The effective level of every rule (see the top of this file for the
 * order). Returns 0, or -1 with every unknown rule or level the file's
 * `lint:` names added to errs.
 */
static int resolve_levels(const struct topology *t, const struct rule_cli *cli, int *level,
			  struct suppress_state *sup, struct load_errors *errs)
{
	size_t before = errs->n + errs->truncated;
	int *file = xcalloc(rule_count, sizeof(*file));
	bool *disabled = xcalloc(rule_count, sizeof(*disabled));
	const struct rule *r;
	size_t i;
	int rc = -1;

	for (i = 0; i < rule_count; i++)
		file[i] = (int)rule_registry[i].severity;
	for (i = 0; i < t->nlint_severity; i++) {
		const struct lint_severity *ls = &t->lint_severity[i];
		int lv;

		if (!(r = rule_find(ls->rule.s))) {
			char *msg = unknown_rule(ls->rule.s);
			file_error(errs, ls->rule.pos, "lint.severity", msg);
			free(msg);
			continue;
		}
		if (!ls->level.s || !severity_parse(ls->level.s, &lv)) {
			char *what = xasprintf("lint.severity.%s", ls->rule.s);
			char *msg = xasprintf("unknown level \"%s\" (expected error, warning, info or off)",
					      str_clip(ls->level.s ? ls->level.s : ""));
			file_error(errs, ls->level.s ? ls->level.pos : ls->rule.pos, what, msg);
			free(what);
			free(msg);
			continue;
		}
		file[rule_index(r)] = lv;
	}
	check_suppressions(&t->lint_disable, "lint.disable", cli && cli->require_reason, errs);
	if (errs->n + errs->truncated > before)
		goto out;
	for (i = 0; i < t->lint_disable.n; i++) {
		const struct suppress_info *in = t->lint_disable.info ? &t->lint_disable.info[i] : NULL;
		struct lint_entry *e;

		r = rule_find(t->lint_disable.v[i].s);
		e = &sup->disable[rule_index(r)];
		if (expired(in, sup->today)) {
			if (e->entry)
				continue;
			e->expired = true;
		} else {
			if (e->entry && !e->expired)
				continue;
			disabled[rule_index(r)] = true;
			e->expired = false;
		}
		e->entry = &t->lint_disable.v[i];
		e->info = in;
	}
	for (i = 0; i < rule_count; i++) {
		int lv = disabled[i] ? LEVEL_OFF : file[i];
		bool cli_set = cli && cli->level && cli->level[i] != RULE_CLI_UNSET;

		if (cli_set)
			lv = cli->level[i];
		else if (cli && cli->enable && cli->enable[i] && lv == LEVEL_OFF)
			lv = file[i] != LEVEL_OFF ? file[i] : (int)rule_registry[i].severity;
		level[i] = lv;
		/* off by lint.disable alone: CB022 asks whether that entry does anything */
		sup->disable[i].shadow = disabled[i] && lv == LEVEL_OFF && !cli_set;
	}
	rc = 0;
out:
	free(file);
	free(disabled);
	return rc;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->order == UINT32_MAX && pos_file(x->pos) && pos_file(y->pos) &&
	    (c = strcmp(pos_file(x->pos), pos_file(y->pos))) != 0)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	if ((c = strcmp(x->rule->id, y->rule->id)) != 0)
		return c;
	if ((c = strcmp(x->object, y->object)) != 0)
		return c;
	return strcmp(x->message, y->message);
}

/*
 * Sort findings by the file's place in t->files, line, column, rule id (then
 * object and message, so equal keys still sort the same way every run).
 * A file that is not the topology's (none, or a config file) sorts after
 * them, by name. rules_run calls it; observe calls it again after
 * appending its own.
 */
void findings_sort(struct findings *out, const struct topology *t)
{
	struct strmap files = { 0 };
	unsigned last_id = UINT_MAX; /* no file index is that large */
	uint32_t last_order = UINT32_MAX;
	size_t i, k;

	if (out->n < 2)
		return;
	for (i = 0; i < t->nfiles; i++)
		strmap_put(&files, t->files[i], i, NULL);
	for (i = 0; i < out->n; i++) {
		struct finding *f = &out->v[i];
		unsigned id = pos_file_index(f->pos);

		if (id != last_id) {
			const char *file = pos_file(f->pos);

			last_id = id;
			last_order = file && strmap_get(&files, file, &k) && k < UINT32_MAX ?
					     (uint32_t)k : UINT32_MAX;
		}
		f->order = last_order;
	}
	qsort(out->v, out->n, sizeof(*out->v), finding_cmp);
	strmap_release(&files);
}

const struct conninfo *rule_client_url(struct rule_ctx *ctx)
{
	struct rule_client *rc = ctx->client;
	const char *url = client_cold(rc->c)->url.s;

	if (rc->url_state == 0)
		rc->url_state = url && conninfo_parse(url, &rc->url, NULL) == 0 ? 1 : -1;
	return rc->url_state == 1 ? &rc->url : NULL;
}

const struct rule_object_check rule_object_checks[] = {
	{ "CB010", check_unbounded_pooler },
};
const size_t rule_object_check_count = ARRAY_LEN(rule_object_checks);

/* Is rule i off by lint.disable alone, and run unseen to judge that entry (CB022)? */
static bool rule_shadow(const struct rules_share *s, size_t i)
{
	return s->shadow && s->sup && s->sup->disable[i].shadow;
}

/* Is rule i run (it has a check, and is on at these levels, or run unseen)? */
static bool rule_runs(const struct rules_share *s, size_t i)
{
	return rule_registry[i].check && (s->level[i] != LEVEL_OFF || rule_shadow(s, i));
}

/* Run check i of the registry in ctx (unseen when its level is off: rule_shadow). */
static void run_check(struct rule_ctx *ctx, size_t i)
{
	ctx->rule = &rule_registry[i];
	ctx->shadow = ctx->level[i] == LEVEL_OFF;
	ctx->severity = ctx->shadow ? rule_registry[i].severity : (enum severity)ctx->level[i];
	rule_registry[i].check(ctx);
	ctx->shadow = false;
}

/* Clients a worker takes at a time from a rules_share. */
enum { SHARE_CHUNK = 64 };

void rules_share_init(struct rules_share *s, const struct topology *t, const struct budget *b,
		      const struct findings *out)
{
	size_t k;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->b = b;
	s->level = out->level;
	s->sup = out->sup;
	k = rule_index(rule_find(UNUSED_SUPPRESSION));
	s->shadow = s->level[k] != LEVEL_OFF;
	s->client_rules = xcalloc(rule_count, sizeof(*s->client_rules));
	for (k = 0; k < rule_count; k++)
		if (rule_registry[k].scope == SCOPE_CLIENT && rule_runs(s, k))
			s->client_rules[s->nclient_rules++] = k;
	s->endpoints = xcalloc(1, sizeof(*s->endpoints));
	if (s->nclient_rules)
		pooler_endpoints_build(s->endpoints, t, b);
	s->appnames = xcalloc(1, sizeof(*s->appnames));
	if (rule_runs(s, rule_index(rule_find("CB023"))))
		appname_index_build(s->appnames, t);
	atomic_init(&s->next, 0);
	atomic_init(&s->objects_taken, false);
}

/* Run every client rule on client i. */
static void check_client(struct rule_ctx *ctx, const struct rules_share *s, size_t i)
{
	struct client_fig fig;
	struct rule_client rc = { i, &s->t->clients[i], budget_client(s->b, i, &fig), { 0 }, 0 };
	size_t k;

	ctx->client = &rc;
	for (k = 0; k < s->nclient_rules; k++)
		run_check(ctx, s->client_rules[k]);
	if (rc.url_state == 1)
		conninfo_release(&rc.url);
	ctx->client = NULL;
}

/*
 * The database and pooler rules (the first caller runs them), then the
 * client rules on SHARE_CHUNK clients at a time until none are left.
 * The order findings are emitted in does not matter: findings_sort puts
 * them in one order whatever it was.
 */
void rules_share_work(struct rules_share *s, struct findings *out)
{
	struct rule_ctx ctx = { 0 };
	size_t i, start, end, n = s->t->nclients;

	/* a large topology's findings are counted in thousands: no doubling through malloc'd pages */
	xbig_reserve(&out->v, &out->cap, s->t->nclients, sizeof(*out->v));
	ctx.t = s->t;
	ctx.b = s->b;
	ctx.out = out;
	ctx.level = s->level;
	ctx.sup = s->sup;
	ctx.endpoints = s->endpoints;
	ctx.appnames = s->appnames;
	if (!atomic_exchange(&s->objects_taken, true)) {
		for (i = 0; i < rule_count; i++)
			if (rule_registry[i].scope != SCOPE_CLIENT && rule_runs(s, i))
				run_check(&ctx, i);
		for (i = 0; i < rule_object_check_count; i++) {
			const struct rule *r = rule_find(rule_object_checks[i].id);
			size_t k = rule_index(r);

			if (!rule_runs(s, k))
				continue;
			ctx.rule = r;
			ctx.shadow = s->level[k] == LEVEL_OFF;
			ctx.severity = ctx.shadow ? r->severity : (enum severity)s->level[k];
			rule_object_checks[i].check(&ctx);
			ctx.shadow = false;
		}
	}
	if (!s->nclient_rules)
		return;
	while ((start = atomic_fetch_add(&s->next, SHARE_CHUNK)) < n) {
		end = n - start < SHARE_CHUNK ? n : start + SHARE_CHUNK;
		for (i = start; i < end; i++)
			check_client(&ctx, s, i);
	}
}

/* A CB022 finding at the run's level, unless ignore (may be NULL) suppresses it. */
static void emit_unused(const struct rules_share *s, struct findings *out, const struct rule *cb022,
			const struct strlist *ignore, struct pos pos, const char *object,
			const char *fmt, ...) PRINTF_LIKE(7, 8);
static void emit_unused(const struct rules_share *s, struct findings *out, const struct rule *cb022,
			const struct strlist *ignore, struct pos pos, const char *object,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_suppress_vadd(s->sup, out, ignore, false, cb022,
			       (enum severity)s->level[rule_index(cb022)], pos, object, fmt, ap);
	va_end(ap);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const struct str *const *)a, y = (uintptr_t)*(const struct str *const *)b;

	return x < y ? -1 : x > y;
}

/* The entries that were used, sorted by ptr_cmp (CB022 findings may add to out->used meanwhile). */
struct used_set {
	const struct str **v;
	size_t n;
};

static bool was_used(const struct used_set *u, const struct str *entry)
{
	return u->n && bsearch(&entry, u->v, u->n, sizeof(*u->v), ptr_cmp);
}

/* CB022 on the entries of one object's ignore list (kind 'id' is the object) that did nothing. */
static void unused_ignores(const struct rules_share *s, struct findings *out, const struct used_set *u,
			   const struct rule *cb022, const struct strlist *ignore, const char *section,
			   const char *kind, const char *id)
{
	size_t i, k;

	for (i = 0; i < ignore->n; i++) {
		const struct rule *r = rule_find(ignore->v[i].s);
		char *object;

		if (r == cb022 || !r->check || was_used(u, &ignore->v[i]))
			continue;
		k = rule_index(r);
		if (s->level[k] == LEVEL_OFF && !rule_shadow(s, k))
			continue; /* turned off on the command line: not judged */
		object = xasprintf("%s.%s", section, id);
		emit_unused(s, out, cb022, ignore, entry_pos(ignore, i), object,
			    "ignore entry \"%s\" of %s '%s' suppresses nothing: %s %s finds nothing "
			    "to report there", ignore->v[i].s, kind, id, r->id, r->name);
		free(object);
	}
}

/*
 * CB022 unused-suppression: every `ignore:` and `lint.disable` entry whose
 * rule ran (or ran unseen, off by that entry) and that suppressed nothing
 * and brought nothing back. Entries naming a rule without a check here
 * (the live rules), CB022 itself, or a rule the command line turns off are
 * not judged.
 */
static void check_unused_suppressions(const struct rules_share *s, struct findings *out)
{
	const struct rule *cb022 = rule_find(UNUSED_SUPPRESSION);
	const struct topology *t = s->t;
	struct used_set u;
	size_t i, k;

	if (out->nused)
		qsort(out->used, out->nused, sizeof(*out->used), ptr_cmp);
	u.n = out->nused;
	u.v = xcalloc(u.n ? u.n : 1, sizeof(*u.v));
	if (u.n)
		memcpy(u.v, out->used, u.n * sizeof(*u.v));
	for (i = 0; i < t->ndatabases; i++)
		unused_ignores(s, out, &u, cb022, &t->databases[i].ignore, "databases", "database",
			       t->databases[i].id.s);
	for (i = 0; i < t->npoolers; i++)
		unused_ignores(s, out, &u, cb022, &t->poolers[i].ignore, "poolers", "pooler",
			       t->poolers[i].id.s);
	for (i = 0; i < t->nclients; i++)
		unused_ignores(s, out, &u, cb022, &client_cold(&t->clients[i])->ignore, "clients",
			       "client", t->clients[i].id.s);
	for (i = 0; i < t->lint_disable.n; i++) {
		const struct str *e = &t->lint_disable.v[i];
		const struct rule *r = rule_find(e->s);

		if (r == cb022 || !r->check || was_used(&u, e))
			continue;
		k = rule_index(r);
		/* judged: off by this entry alone (run unseen), or expired with the rule on */
		if (!rule_shadow(s, k) && !(s->sup->disable[k].entry == e && s->sup->disable[k].expired &&
					    s->level[k] != LEVEL_OFF))
			continue;
		emit_unused(s, out, cb022, NULL, entry_pos(&t->lint_disable, i), "lint",
			    "lint.disable entry \"%s\" suppresses nothing: %s %s finds nothing to "
			    "report in this topology", e->s, r->id, r->name);
	}
	free(u.v);
}

void rules_share_finish(struct rules_share *s, struct findings *out, struct findings *other)
{
	if (other) {
		if (other->n) {
			xbig_grow(&out->v, &out->cap, out->n + other->n, sizeof(*out->v));
			memcpy(out->v + out->n, other->v, other->n * sizeof(*other->v));
			out->n += other->n;
		}
		if (other->nused) {
			xgrow(&out->used, &out->used_cap, out->nused + other->nused, sizeof(*out->used));
			memcpy(out->used + out->nused, other->used, other->nused * sizeof(*other->used));
			out->nused += other->nused;
		}
		arena_adopt(&out->arena, &other->arena); /* the messages and objects */
		findings_release(other);
	}
	if (s->shadow)
		check_unused_suppressions(s, out);
	findings_sort(out, s->t);
	pooler_endpoints_release(s->endpoints);
	free(s->endpoints);
	appname_index_release(s->appnames);
	free(s->appnames);
	free(s->client_rules);
	memset(s, 0, sizeof(*s));
}

int rules_prepare_errors(const struct topology *t, const struct rule_cli *cli, struct findings *out,
			 struct load_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	memset(out, 0, sizeof(*out));
	out->level = xcalloc(rule_count, sizeof(*out->level));
	out->sup = xcalloc(1, sizeof(*out->sup));
	out->sup->disable = xcalloc(rule_count, sizeof(*out->sup->disable));
	out->sup->today = cli && cli->today ? cli->today : date_today();
	check_ignores(t, cli && cli->require_reason, errs);
	if (resolve_levels(t, cli, out->level, out->sup, errs) != 0 || errs->n) {
		load_errors_sort(errs, t);
		findings_release(out);
		return -1;
	}
	return 0;
}

int rules_prepare(const struct topology *t, const struct rule_cli *cli, struct findings *out,
		  char **err)
{
	struct load_errors errs;
	int rc = rules_prepare_errors(t, cli, out, &errs);

	if (rc)
		*err = load_error_format(&errs.v[0]);
	load_errors_release(&errs);
	return rc;
}

void rules_check(const struct topology *t, const struct budget *b, struct findings *out)
{
	struct rules_share s;

	rules_share_init(&s, t, b, out);
	rules_share_work(&s, out);
	rules_share_finish(&s, out, NULL);
}

int rules_run(const struct topology *t, const struct budget *b, const struct rule_cli *cli,
	      struct findings *out, char **err)
{
	if (rules_prepare(t, cli, out, err) != 0)
		return -1;
	rules_check(t, b, out);
	return 0;
}

