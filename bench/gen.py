#!/usr/bin/python3
"""gen.py - write a benchmark topology with N clients (SPEC section 2).

    /usr/bin/python3 bench/gen.py N OUT

The output is deterministic: the same N gives the same bytes on every run and
every Python 3 (a private splitmix64 generator, no `random` module, no
hashing of str). The shape is that of a large platform:

  - N // 1000 + 1 databases (max_connections 1 000 - 5 000, some sized by an
    RDS `instance:` class), each with settings, host, cores, memory;
  - per database a transaction-mode PgBouncer, a session-mode PgBouncer and
    an RDS Proxy;
  - clients of every type (service, worker, serverless, job, tool) spread
    over the databases in contiguous blocks, as teams are, with frameworks,
    pools (flow and block style), load, urls, uses, ignore lists, durations
    in every unit, surge as integers and percentages, environments and
    application names;
  - a lint section.

The file must load and check (exit 0 or 1, never 2); findings are expected
and welcome, since the rules run over every object. 100 000 clients make
15.9 MB (15.2 MiB), below the loader's 16 MiB limit.
"""

import os
import sys

MASK64 = (1 << 64) - 1


class Rng:
    """splitmix64: tiny, fast enough, and identical everywhere."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        """An integer in [0, n)."""
        return self.next() % n

    def chance(self, percent):
        """True with the given probability in percent."""
        return self.below(100) < percent

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def weighted(self, pairs):
        """Pick from [(value, weight), ...]."""
        total = sum(w for _, w in pairs)
        r = self.below(total)
        for value, weight in pairs:
            if r < weight:
                return value
            r -= weight
        raise AssertionError("unreachable")


TEAMS = [
    "checkout", "billing", "search", "catalog", "identity", "payments",
    "orders", "inventory", "shipping", "ledger", "notify", "profile",
    "pricing", "reviews", "ads", "analytics", "support", "growth",
    "fraud", "media", "maps", "cart", "loyalty", "tax",
]

RDS_CLASSES = ["db.r6g.large", "db.r6g.xlarge", "db.m6g.xlarge", "db.r5.2xlarge"]

DURATIONS_SHORT = ["250ms", "500ms", "1s", "2s", "5s", "5 s", "2.5s", 3000, 10000]
DURATIONS_LONG = ["30s", "1min", "5min", "10min", "1h", 600000, "90s"]
HOLDS = ["5ms", "12ms", "20ms", "40ms", "75ms", "150ms", "250ms", "750ms", 30, 80]

# Frameworks per client type, with weights. prisma and pgxpool need `cpus:`
# (or pool.size), which the generator always gives them.
WEB_FRAMEWORKS = [
    ("rails", 6), ("django", 3), ("django-pool", 2), ("sqlalchemy", 4),
    ("hikaricp", 5), ("node-postgres", 5), ("prisma", 3), ("prisma-7", 2),
    ("knex", 2), ("sequelize", 2), ("typeorm", 2), ("pgxpool", 3),
    ("go-database-sql", 2), ("asyncpg", 2), ("psycopg-pool", 2), ("npgsql", 2),
    (None, 4),
]
WORKER_FRAMEWORKS = [("rails", 6), ("sqlalchemy", 3), ("hikaricp", 2), ("psycopg-pool", 2),
                     ("node-postgres", 2), (None, 3)]
JOB_FRAMEWORKS = [("sqlalchemy", 3), ("psycopg-pool", 2), ("django", 2), ("rails", 2), (None, 4)]
SERVERLESS_FRAMEWORKS = [("prisma", 3), ("node-postgres", 4), ("prisma-7", 2), (None, 3)]

# Frameworks whose pools wait forever by default: their clients usually set
# an acquire timeout (CB007 otherwise); the others mostly rely on the default.
NO_DEFAULT_TIMEOUT = {None, "node-postgres", "prisma-7", "go-database-sql", "pgxpool",
                      "asyncpg", "typeorm"}

FEATURES = ["listen_notify", "advisory_locks", "session_set", "prepared_statements",
            "temp_tables", "multi_statement_transactions"]
IGNORABLE = ["CB007", "CB014", "CB015", "CB017", "no-acquire-timeout", "pool-below-load",
             "threads-exceed-pool"]


def scalar(v):
    """A Python value as a YAML plain scalar."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Writer:
    def __init__(self):
        self.parts = []

    def line(self, indent, text):
        self.parts.append("  " * indent + text + "\n")

    def kv(self, indent, key, value):
        self.line(indent, "%s: %s" % (key, scalar(value)))

    def text(self):
        return "".join(self.parts)


def db_name(k):
    return "db-%03d" % k


def write_databases(w, rng, ndb):
    """Databases and their ids; returns [(id, host, port)]."""
    dbs = []
    w.line(0, "databases:")
    for k in range(ndb):
        team = TEAMS[k % len(TEAMS)]
        name = db_name(k)
        host = "%s-%03d.cluster-%04x.eu-west-1.rds.amazonaws.com" % (team, k, rng.below(1 << 16))
        port = 5432 if rng.chance(80) else 5433
        w.line(1, "%s:" % name)
        if k % 4 == 3:
            w.kv(2, "instance", RDS_CLASSES[(k // 4) % len(RDS_CLASSES)])
            if rng.chance(50):
                w.kv(2, "max_connections", 1000 + 500 * rng.below(5))
        else:
            w.kv(2, "max_connections", rng.pick([1000, 1500, 2000, 3000, 4000, 5000]))
            w.kv(2, "memory_gb", rng.pick([32, 64, 128, 61.5, 244]))
        w.kv(2, "superuser_reserved_connections", rng.pick([3, 3, 5]))
        if rng.chance(40):
            w.kv(2, "reserved_connections", rng.pick([2, 4]))
        w.kv(2, "headroom", rng.pick([10, 20, 50]))
        w.kv(2, "cores", rng.pick([8, 16, 32, 64]))
        if rng.chance(20):
            w.kv(2, "spindles", 0)
        w.kv(2, "host", host)
        if port != 5432 or rng.chance(50):
            w.kv(2, "port", port)
        if k == ndb - 1 and ndb > 1:
            w.kv(2, "environment", "staging")
        w.line(2, "settings:")
        # 0 disables the timeout: CB011 on every fifth database.
        idle = 0 if k % 5 == 2 else rng.pick(["10min", "5min", 60000, "1h"])
        w.kv(3, "idle_in_transaction_session_timeout", idle)
        if rng.chance(60):
            w.kv(3, "idle_session_timeout", rng.pick(["30min", "1h", "1d"]))
        if rng.chance(50):
            w.kv(2, "ignore", "[CB003]")
        dbs.append((name, host, port))
    return dbs


def write_poolers(w, rng, dbs):
    """Three poolers per database; returns {db id: (tx, session, proxy)} with (id, host, port)."""
    poolers = {}
    w.line(0, "")
    w.line(0, "poolers:")
    for k, (db, _, _) in enumerate(dbs):
        tx = ("pgb-%03d" % k, "pgbouncer-%03d.internal" % k, 6432)
        ss = ("pgb-session-%03d" % k, "pgbouncer-session-%03d.internal" % k, 6433)
        px = ("proxy-%03d" % k, "proxy-%03d.proxy-%04x.eu-west-1.rds.amazonaws.com" %
              (k, rng.below(1 << 16)), 5432)

        w.line(1, "# %s: transaction pooling for the web tier" % db)
        w.line(1, "%s:" % tx[0])
        w.kv(2, "type", "pgbouncer")
        w.kv(2, "database", db)
        w.kv(2, "instances", rng.pick([2, 3, 4]))
        w.kv(2, "pool_mode", "transaction")
        w.kv(2, "default_pool_size", rng.pick([20, 25, 40]))
        w.kv(2, "reserve_pool_size", rng.pick([0, 5, 10]))
        w.kv(2, "max_client_conn", rng.pick([5000, 10000, 20000]))
        if rng.chance(50):
            w.kv(2, "max_db_connections", rng.pick([100, 150]))
        w.kv(2, "users", "[app, app_readonly, reporting]" if rng.chance(50) else "[app, app_readonly]")
        w.kv(2, "host", tx[1])
        w.kv(2, "port", tx[2])

        w.line(1, "%s:" % ss[0])
        w.kv(2, "type", "pgbouncer")
        w.kv(2, "database", db)
        w.kv(2, "pool_mode", "session")
        w.kv(2, "default_pool_size", rng.pick([30, 50]))
        w.kv(2, "max_client_conn", rng.pick([2000, 4000]))
        w.line(2, "users:")
        w.line(3, "- worker")
        w.kv(2, "host", ss[1])
        w.kv(2, "port", ss[2])
        if rng.chance(30):
            w.kv(2, "ignore", "[CB009]")

        w.line(1, "%s:" % px[0])
        w.kv(2, "type", "rds_proxy")
        w.kv(2, "database", db)
        w.kv(2, "max_connections_percent", rng.pick([20, 30, 50]))
        w.kv(2, "host", px[1])
        if k == len(dbs) - 1 and len(dbs) > 1:
            w.kv(2, "environment", "staging")
        poolers[db] = (tx, ss, px)
    return poolers


def write_url(w, rng, target, name, extra=""):
    """A client `url` pointing at target (id, host, port), mostly with a placeholder password."""
    _, host, port = target
    style = rng.below(10)
    if style < 6:
        url = "postgresql://app:${DB_PASSWORD}@%s:%d/%s%s" % (host, port, name, extra)
        w.kv(2, "url", '"%s"' % url)
    elif style < 9:
        url = "postgresql://app@%s:%d/%s%s" % (host, port, name, extra)
        w.kv(2, "url", url)
    else:
        w.kv(2, "url", "'host=%s port=%d dbname=%s user=app'" % (host, port, name))


def write_pool(w, rng, size, overflow=None, timeout=True, count=None):
    """A pool mapping, flow or block style at random."""
    fields = []
    if size is not None:
        fields.append(("size", size))
    if count is not None:
        fields.append(("count", count))
    if overflow is not None:
        fields.append(("overflow", overflow))
    if timeout:
        fields.append(("acquire_timeout", rng.pick(DURATIONS_SHORT)))
    if rng.chance(12):
        fields.append(("idle_timeout", rng.pick(DURATIONS_LONG)))
    if not fields:
        return
    if rng.chance(85):
        w.kv(2, "pool", "{ " + ", ".join("%s: %s" % (k, scalar(v)) for k, v in fields) + " }")
    else:
        w.line(2, "pool:")
        for k, v in fields:
            w.kv(3, k, v)


def write_uses(w, rng, features):
    if rng.chance(50):
        w.kv(2, "uses", "[" + ", ".join(features) + "]")
    else:
        w.line(2, "uses:")
        for f in features:
            w.line(3, "- " + f)


def write_common_tail(w, rng, name, db_env_staging, app_name=True):
    """application_name, environment and ignore, each now and then."""
    if app_name and rng.chance(8):
        w.kv(2, "application_name", name)
    if db_env_staging and rng.chance(80):
        w.kv(2, "environment", "staging")
    elif rng.chance(2):
        w.kv(2, "environment", "staging")
    if rng.chance(6):
        first = rng.below(len(IGNORABLE))
        rules = [IGNORABLE[first]]
        if rng.chance(50):
            rules.append(IGNORABLE[(first + 1 + rng.below(len(IGNORABLE) - 1)) % len(IGNORABLE)])
        w.kv(2, "ignore", "[" + ", ".join(rules) + "]")


def write_replicas(w, rng, base):
    replicas = base
    if replicas != 1 or rng.chance(50):
        w.kv(2, "replicas", replicas)
    if rng.chance(35):
        w.kv(2, "max_replicas", replicas + rng.below(3) * replicas)
        if rng.chance(60):
            w.kv(2, "surge", rng.pick(["25%", "50%", "100%", 1, 2, "10%"]))


def write_service(w, rng, name, db, poolers, dbinfo, staging, worker):
    tx, ss, px = poolers
    fw = rng.weighted(WORKER_FRAMEWORKS if worker else WEB_FRAMEWORKS)
    features = []
    if rng.chance(12 if worker else 4):
        features = sorted(set(rng.pick(FEATURES) for _ in range(1 + rng.below(2))),
                          key=FEATURES.index)
    if features:
        target = ss if rng.chance(85) else (tx if rng.chance(50) else dbinfo)
    else:
        target = rng.weighted([(tx, 70), (dbinfo, 15), (px, 10), (ss, 5)])

    w.line(1, "%s:" % name)
    w.kv(2, "type", "worker" if worker else "service")
    w.kv(2, "connects_to", target[0])
    write_replicas(w, rng, rng.pick([1, 2, 2, 3, 4, 6, 8, 12]))
    if rng.chance(45):
        w.kv(2, "processes", rng.pick([2, 4, 8]))
    threads = None
    if worker or (fw in ("rails", "django") and rng.chance(50)) or rng.chance(10):
        threads = rng.pick([5, 10, 16, 25] if worker else [3, 5, 8])
        w.kv(2, "threads", threads)
    if fw in ("prisma", "pgxpool") or rng.chance(10):
        w.kv(2, "cpus", rng.pick([1, 2, 4, 8]))
    if fw:
        w.kv(2, "framework", fw)
    # An explicit size always for a bare client, mostly for go-database-sql
    # (unbounded otherwise), now and then for the others.
    size = None
    if fw is None or (fw == "go-database-sql" and rng.chance(90)) or rng.chance(25):
        size = rng.pick([2, 4, 5, 8, 10, 16, 20] if not worker else [5, 10, 25])
    overflow = rng.pick([0, 2, 5]) if fw == "sqlalchemy" and rng.chance(50) else None
    count = 2 if fw == "rails" and rng.chance(10) else None
    timeout = rng.chance(85 if fw in NO_DEFAULT_TIMEOUT else 10)
    write_pool(w, rng, size, overflow, timeout=timeout, count=count)
    if rng.chance(8):
        w.kv(2, "extra_connections", 1)
    if rng.chance(8):
        extra = "?pgbouncer=true" if fw == "prisma" and target is tx else ""
        # Now and then a url that skips the pooler it declares (CB012).
        bypass = target is not dbinfo and rng.chance(5)
        write_url(w, rng, dbinfo if bypass else target, db, extra)
    if features:
        write_uses(w, rng, features)
    if rng.chance(12):
        w.line(2, "load:")
        w.kv(3, "rate", rng.pick([5, 20, 50, 120, 300, 2.5, 1000]))
        w.kv(3, "hold", rng.pick(HOLDS))
    write_common_tail(w, rng, name, staging)


def write_serverless(w, rng, name, db, poolers, dbinfo, staging):
    tx, _, px = poolers
    fw = rng.weighted(SERVERLESS_FRAMEWORKS)
    target = rng.weighted([(tx, 55), (px, 40), (dbinfo, 5)])

    w.line(1, "%s:" % name)
    w.kv(2, "type", "serverless")
    w.kv(2, "connects_to", target[0])
    if rng.chance(92):
        mc = rng.pick([10, 20, 50, 100, 200])
        w.kv(2, "max_concurrency", mc)
        if rng.chance(30):
            w.kv(2, "concurrency", 1 + rng.below(mc))
    if fw == "prisma":
        w.kv(2, "cpus", 1)
    if fw:
        w.kv(2, "framework", fw)
    size = 1 if fw is None or rng.chance(70) else None
    write_pool(w, rng, size, timeout=rng.chance(75 if fw in NO_DEFAULT_TIMEOUT else 10))
    if rng.chance(15):
        extra = "?pgbouncer=true&connection_limit=1" if fw == "prisma" and target is tx else ""
        write_url(w, rng, target, db, extra)
    if rng.chance(20):
        w.line(2, "load:")
        w.kv(3, "rate", rng.pick([1, 10, 30, 100, 0.5]))
        w.kv(3, "hold", rng.pick(HOLDS))
    write_common_tail(w, rng, name, staging)


def write_job(w, rng, name, db, poolers, dbinfo, staging):
    _, ss, _ = poolers
    fw = rng.weighted(JOB_FRAMEWORKS)
    target = dbinfo if rng.chance(70) else ss

    w.line(1, "%s:" % name)
    w.kv(2, "type", "job")
    w.kv(2, "connects_to", target[0])
    if rng.chance(30):
        w.kv(2, "replicas", rng.pick([1, 2, 4]))
    if rng.chance(20):
        w.kv(2, "processes", rng.pick([2, 4]))
    if fw:
        w.kv(2, "framework", fw)
    size = rng.pick([1, 2, 3]) if fw is None or rng.chance(60) else None
    write_pool(w, rng, size, timeout=rng.chance(60 if fw in NO_DEFAULT_TIMEOUT else 10))
    if rng.chance(15):
        write_uses(w, rng, [rng.pick(["advisory_locks", "temp_tables", "session_set"])])
    if rng.chance(10):
        write_url(w, rng, target, db)
    write_common_tail(w, rng, name, staging)


def write_tool(w, rng, name, db, dbinfo, staging):
    w.line(1, "%s:" % name)
    w.kv(2, "type", "tool")
    w.kv(2, "connects_to", dbinfo[0])
    write_pool(w, rng, rng.pick([1, 1, 2]), timeout=rng.chance(50))
    app_name = rng.chance(30)
    if app_name:
        w.kv(2, "application_name", rng.pick(["psql", "pgadmin", "metabase", "datadog-agent"]))
    if rng.chance(10):
        # A literal password now and then: CB013 must see it and mask it.
        _, host, port = dbinfo
        w.kv(2, "url", "postgresql://readonly:hunter2@%s:%d/%s" % (host, port, db))
    write_common_tail(w, rng, name, staging, not app_name)


CLIENT_TYPES = [("service", 30), ("worker", 20), ("serverless", 15), ("job", 20), ("tool", 15)]
PREFIX = {"service": "svc", "worker": "wrk", "serverless": "fn", "job": "job", "tool": "tool"}


def write_clients(w, rng, n, dbs, poolers):
    w.line(0, "")
    w.line(0, "clients:")
    ndb = len(dbs)
    for i in range(n):
        k = i * ndb // n
        dbinfo = dbs[k]
        db = dbinfo[0]
        staging = k == ndb - 1 and ndb > 1
        team = TEAMS[(i * 7 // 5) % len(TEAMS)]
        # Every type appears even in the smallest file: the first five
        # clients take them in turn, the rest by weight.
        ctype = CLIENT_TYPES[i][0] if i < len(CLIENT_TYPES) else rng.weighted(CLIENT_TYPES)
        name = "%s-%s-%05d" % (PREFIX[ctype], team, i)
        if ctype in ("service", "worker"):
            write_service(w, rng, name, db, poolers[db], dbinfo, staging, ctype == "worker")
        elif ctype == "serverless":
            write_serverless(w, rng, name, db, poolers[db], dbinfo, staging)
        elif ctype == "job":
            write_job(w, rng, name, db, poolers[db], dbinfo, staging)
        else:
            write_tool(w, rng, name, db, dbinfo, staging)


def generate(n):
    rng = Rng(0x636F6E6E62756467 ^ n)  # "connbudg"
    w = Writer()
    w.line(0, "# connbudget benchmark topology: %d clients (bench/gen.py, deterministic)" % n)
    w.kv(0, "version", 1)
    w.kv(0, "environment", "production")
    w.line(0, "")
    dbs = write_databases(w, rng, n // 1000 + 1)
    poolers = write_poolers(w, rng, dbs)
    write_clients(w, rng, n, dbs, poolers)
    w.line(0, "")
    w.line(0, "lint:")
    w.kv(1, "disable", "[CB003]")
    w.line(1, "severity:")
    w.kv(2, "CB007", "info")
    w.kv(2, "CB014", "warning")
    return w.text()


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen.py N OUT\n")
        return 2
    try:
        n = int(argv[1])
    except ValueError:
        sys.stderr.write("gen.py: N must be an integer, got \"%s\"\n" % argv[1])
        return 2
    if n < 1:
        sys.stderr.write("gen.py: N must be at least 1, got %d\n" % n)
        return 2
    text = generate(n)
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
