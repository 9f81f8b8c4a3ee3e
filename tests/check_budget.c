/*
 * check_budget.c - the arithmetic of docs/model.md on small topologies, each
 * figure computed by hand in the comment beside it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "load.h"

/* Load yaml and compute its budget; the test fails on any error. */
/* Client i's figures (budget_client), in one of a few slots so that a test can hold several. */
static const struct client_fig *fig(const struct budget *b, size_t i)
{
	static struct client_fig slot[8];
	static unsigned next;

	return budget_client(b, i, &slot[next++ % 8]);
}

static struct topology *compute(const char *yaml, uint64_t spike_pct, struct budget *b)
{
	char *err = NULL;
	struct topology *t = load_buffer("t.yaml", yaml, strlen(yaml), &err);

	ck_assert_msg(t != NULL, "load: %s", err ? err : "?");
	ck_assert_msg(budget_compute(t, spike_pct, b, &err) == 0, "budget: %s", err ? err : "?");
	return t;
}

static size_t client(const struct topology *t, const char *id)
{
	size_t i;

	ck_assert_msg(model_find_client(t, id, &i), "no client %s", id);
	return i;
}

/* The "three servers" incident of docs/model.md. */
static const char incident[] =
	"version: 1\n"
	"databases:\n"
	"  main: { max_connections: 100, cores: 4 }\n"
	"clients:\n"
	"  api: { type: service, connects_to: main, replicas: 3, processes: 2, pool: { size: 20 } }\n"
	"  jobs: { type: worker, connects_to: main, pool: { size: 10 } }\n"
	"  metrics: { type: tool, connects_to: main, pool: { size: 2 } }\n";

START_TEST(test_incident)
{
	struct budget b;
	struct topology *t = compute(incident, 100, &b);
	const struct db_fig *d = &b.dbs[0];

	ck_assert_uint_eq(fig(&b, client(t, "api"))->conn.steady, 120);  /* 3 × 2 × 20 */
	ck_assert_uint_eq(fig(&b, client(t, "api"))->conn.peak, 120);
	ck_assert_uint_eq(fig(&b, client(t, "jobs"))->conn.peak, 10);
	ck_assert_uint_eq(d->capacity, 97);                                /* 100 − 3 − 0 */
	ck_assert_uint_eq(d->budget, 90);                                  /* min(97, 100 − 10) */
	ck_assert(d->has_optimum);
	ck_assert_uint_eq(d->optimum, 8);                                  /* 4 × 2 + 0 */
	ck_assert_uint_eq(d->demand.peak, 132);                            /* 120 + 10 + 2 */
	ck_assert_double_eq_tol(d->utilization, 1.32, 1e-12);
	ck_assert_uint_eq(d->ncontrib, 3);
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_autoscaling_and_surge)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 1000 } }\n"
		"clients:\n"
		"  pct: { type: service, connects_to: main, replicas: 2, max_replicas: 10, surge: 25%,\n"
		"         processes: 2, pool: { size: 5, count: 2, overflow: 1 }, extra_connections: 1 }\n"
		"  abs: { type: worker, connects_to: main, replicas: 3, surge: 1, pool: { size: 4 } }\n",
		100, &b);
	const struct client_fig *p = fig(&b, client(t, "pct"));
	const struct client_fig *a = fig(&b, client(t, "abs"));

	ck_assert_uint_eq(p->per_process, 13);     /* 2 × (5 + 1) + 1 */
	ck_assert_uint_eq(p->surge, 3);            /* ceil(10 × 25 / 100) = ceil(2.5) */
	ck_assert_uint_eq(p->peak_instances, 13);  /* 10 + 3 */
	ck_assert_uint_eq(p->conn.steady, 52);     /* 2 × 2 × 13 */
	ck_assert_uint_eq(p->conn.peak, 338);      /* 13 × 2 × 13 */
	ck_assert_uint_eq(a->max_replicas, 3);     /* defaults to replicas */
	ck_assert_uint_eq(a->conn.steady, 12);
	ck_assert_uint_eq(a->conn.peak, 16);       /* (3 + 1) × 4 */
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_serverless)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 1000 } }\n"
		"clients:\n"
		"  little: { type: serverless, connects_to: main, max_concurrency: 50,\n"
		"            load: { rate: 30, hold: 750ms }, pool: { size: 1 } }\n"
		"  explicit: { type: serverless, connects_to: main, max_concurrency: 50, concurrency: 20,\n"
		"              pool: { size: 2 } }\n"
		"  open: { type: serverless, connects_to: main, pool: { size: 1 } }\n",
		100, &b);
	const struct client_fig *l = fig(&b, client(t, "little"));
	const struct client_fig *e = fig(&b, client(t, "explicit"));
	const struct client_fig *o = fig(&b, client(t, "open"));

	ck_assert_uint_eq(l->needed, 23);          /* ceil(30 × 0.75) = ceil(22.5) */
	ck_assert_uint_eq(l->concurrency, 23);     /* min(50, 23) */
	ck_assert_uint_eq(l->conn.steady, 23);
	ck_assert_uint_eq(l->conn.peak, 50);
	ck_assert_uint_eq(e->conn.steady, 40);     /* 20 × 2 */
	ck_assert_uint_eq(e->conn.peak, 100);      /* 50 × 2 */
	ck_assert(o->concurrency_assumed);
	ck_assert_uint_eq(o->conn.peak, 1000);     /* AWS's default limit */
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_spike)
{
	struct budget b;
	/* 30/s × 0.75 s × 2.5 = 56.25 → 57, capped by max_concurrency 50 */
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 1000 } }\n"
		"clients:\n"
		"  fn: { type: serverless, connects_to: main, max_concurrency: 50,\n"
		"        load: { rate: 30, hold: 750ms }, pool: { size: 1 } }\n"
		"  web: { type: service, connects_to: main, load: { rate: 300, hold: 750ms }, pool: { size: 10 } }\n",
		250, &b);

	ck_assert_uint_eq(fig(&b, client(t, "fn"))->needed, 57);
	ck_assert_uint_eq(fig(&b, client(t, "fn"))->concurrency, 50);
	ck_assert_uint_eq(fig(&b, client(t, "web"))->needed, 563); /* 300 × 0.75 × 2.5 = 562.5 */
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_pgbouncer)
{
	struct budget b;
	/* The fixed architecture: transaction-mode PgBouncer, 20 + 5 per pool. */
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 100 } }\n"
		"poolers:\n"
		"  bouncer: { type: pgbouncer, database: main, pool_mode: transaction,\n"
		"             default_pool_size: 20, reserve_pool_size: 5, max_client_conn: 1000 }\n"
		"clients:\n"
		"  api: { type: service, connects_to: bouncer, replicas: 3, max_replicas: 10, processes: 2,\n"
		"         pool: { size: 10 } }\n"
		"  fn: { type: serverless, connects_to: bouncer, max_concurrency: 400, concurrency: 100,\n"
		"        pool: { size: 1 } }\n"
		"  metrics: { type: tool, connects_to: main, pool: { size: 2 } }\n",
		100, &b);
	const struct pooler_fig *p = &b.poolers[0];
	const struct db_fig *d = &b.dbs[0];

	ck_assert_uint_eq(p->cap, 25);                   /* 1 × min(1 × (20 + 5), ∞) */
	ck_assert_uint_eq(p->client_demand.steady, 160); /* 3 × 2 × 10 + 100 */
	ck_assert_uint_eq(p->client_demand.peak, 600);   /* 10 × 2 × 10 + 400 */
	ck_assert_uint_eq(p->client_limit, 1000);
	ck_assert_uint_eq(p->server.steady, 25);
	ck_assert_uint_eq(p->server.peak, 25);
	ck_assert_uint_eq(d->demand.steady, 27);         /* 25 + metrics 2 */
	ck_assert_uint_eq(d->demand.peak, 27);
	ck_assert_uint_eq(d->ncontrib, 2);
	ck_assert_int_eq(d->contrib[0].kind, CONTRIB_POOLER);
	ck_assert_int_eq(d->contrib[1].kind, CONTRIB_CLIENT);
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_pgbouncer_caps)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 500 } }\n"
		"poolers:\n"
		"  two: { type: pgbouncer, database: main, instances: 2, users: [app, report],\n"
		"         default_pool_size: 20, reserve_pool_size: 5, max_db_connections: 30 }\n"
		"  proxy: { type: rds_proxy, database: main, max_connections_percent: 75 }\n"
		"clients:\n"
		"  api: { type: service, connects_to: two, pool: { size: 5 } }\n"
		"  big: { type: service, connects_to: proxy, replicas: 100, pool: { size: 10 } }\n",
		100, &b);

	/* 2 × min(2 × 25, 30) = 60; demand 5 stays below it */
	ck_assert_uint_eq(b.poolers[0].cap, 60);
	ck_assert_uint_eq(b.poolers[0].server.peak, 5);
	ck_assert_uint_eq(b.poolers[0].client_limit, 200); /* 2 × PgBouncer's 100 */
	/* floor(500 × 75 / 100) = 375; demand 1000 is capped */
	ck_assert_uint_eq(b.poolers[1].cap, 375);
	ck_assert_uint_eq(b.poolers[1].server.peak, 375);
	ck_assert(!b.poolers[1].has_client_limit);
	ck_assert_uint_eq(b.dbs[0].demand.peak, 380);
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_frameworks)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 1000 } }\n"
		"clients:\n"
		"  sa: { type: service, connects_to: main, framework: sqlalchemy }\n"
		"  sa10: { type: service, connects_to: main, framework: sqlalchemy, pool: { size: 10 } }\n"
		"  prisma: { type: service, connects_to: main, framework: prisma, cpus: 4 }\n"
		"  pgx: { type: service, connects_to: main, framework: pgxpool, cpus: 2 }\n"
		"  pgx16: { type: service, connects_to: main, framework: pgxpool, cpus: 16 }\n"
		"  dj: { type: service, connects_to: main, framework: django, threads: 8 }\n"
		"  go: { type: service, connects_to: main, framework: go-database-sql }\n"
		"  hik: { type: service, connects_to: main, framework: hikaricp }\n",
		100, &b);
	const struct client_fig *f;

	f = fig(&b, client(t, "sa"));
	ck_assert_uint_eq(f->per_process, 15);   /* 5 + overflow 10 */
	ck_assert(f->has_acquire_timeout);
	ck_assert_uint_eq(f->acquire_timeout_ms, 30000);
	f = fig(&b, client(t, "sa10"));
	ck_assert_uint_eq(f->per_process, 20);   /* explicit size keeps overflow 10 */
	ck_assert_uint_eq(fig(&b, client(t, "prisma"))->pool_size, 9);   /* 4 × 2 + 1 */
	ck_assert_uint_eq(fig(&b, client(t, "pgx"))->pool_size, 4);      /* max(4, 2) */
	ck_assert_uint_eq(fig(&b, client(t, "pgx16"))->pool_size, 16);   /* max(4, 16) */
	ck_assert_uint_eq(fig(&b, client(t, "dj"))->pool_size, 8);       /* one per thread */
	ck_assert(fig(&b, client(t, "dj"))->acquire_timeout_na);
	ck_assert(fig(&b, client(t, "go"))->pool_unbounded);
	ck_assert(fig(&b, client(t, "go"))->conn.unbounded);
	ck_assert(fig(&b, client(t, "hik"))->has_acquire_timeout);
	ck_assert(b.dbs[0].demand.unbounded);
	budget_release(&b);
	model_free(t);
}
END_TEST

START_TEST(test_unbounded_behind_pooler)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 100 } }\n"
		"poolers: { pb: { type: pgbouncer, database: main } }\n"
		"clients:\n"
		"  go: { type: service, connects_to: pb, framework: go-database-sql }\n",
		100, &b);

	ck_assert(b.poolers[0].client_demand.unbounded);
	ck_assert_uint_eq(b.poolers[0].server.peak, 20); /* the pooler's cap bounds it */
	ck_assert(!b.dbs[0].demand.unbounded);
	ck_assert_uint_eq(b.dbs[0].demand.peak, 20);
	budget_release(&b);
	model_free(t);
}
END_TEST

/*
 * A chain of poolers (docs/poolers.md "A pooler in front of a pooler"),
 * listed out of order: edge -> mid -> proxy -> main. By hand:
 *   api 5 x 10 = 50 -> edge: cap 1 x 1 x 40 = 40, server min(40, 50) = 40
 *   mid: client demand w 10 + edge 40 = 50, cap 25, server 25 (one pool)
 *   proxy: client demand mid 25, cap 300 x 20 / 100 = 60, server 25
 *   main: demand proxy 25 + jobs 7 = 32 (edge and mid count only through proxy)
 */
START_TEST(test_pooler_chain)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases: { main: { max_connections: 300 } }\n"
		"poolers:\n"
		"  edge: { type: pgbouncer, database: mid, default_pool_size: 40 }\n"
		"  proxy: { type: rds_proxy, database: main, max_connections_percent: 20 }\n"
		"  mid: { type: pgbouncer, database: proxy, default_pool_size: 25 }\n"
		"clients:\n"
		"  api: { type: service, connects_to: edge, replicas: 5, pool: { size: 10 } }\n"
		"  w: { type: worker, connects_to: mid, pool: { size: 10 } }\n"
		"  jobs: { type: job, connects_to: main, pool: { size: 7 } }\n",
		100, &b);
	size_t edge, proxy, mid;

	ck_assert(model_find_pooler(t, "edge", &edge) && model_find_pooler(t, "proxy", &proxy) &&
		  model_find_pooler(t, "mid", &mid));
	ck_assert(t->poolers[edge].via_pooler && t->poolers[edge].inner == mid);
	ck_assert(t->poolers[mid].via_pooler && t->poolers[mid].inner == proxy);
	ck_assert(!t->poolers[proxy].via_pooler);
	ck_assert_uint_eq(t->poolers[edge].db, 0); /* the database at the end of the chain */
	ck_assert_uint_eq(model_client_database(t, &t->clients[client(t, "api")]), 0);
	ck_assert_uint_eq(b.poolers[edge].cap, 40);
	ck_assert_uint_eq(b.poolers[edge].server.peak, 40);
	ck_assert_uint_eq(b.poolers[mid].client_demand.peak, 50);
	ck_assert_uint_eq(b.poolers[mid].nouter, 1);
	ck_assert_uint_eq(b.poolers[mid].outer[0], edge);
	ck_assert_uint_eq(b.poolers[mid].pools[0].demand.peak, 50);
	ck_assert_uint_eq(b.poolers[mid].server.peak, 25);
	ck_assert_uint_eq(b.poolers[proxy].cap, 60);
	ck_assert_uint_eq(b.poolers[proxy].client_demand.peak, 25);
	ck_assert_uint_eq(b.poolers[proxy].server.steady, 25);
	ck_assert_uint_eq(b.dbs[0].demand.peak, 32);
	ck_assert_uint_eq(b.dbs[0].ncontrib, 2);
	ck_assert(b.dbs[0].contrib[0].kind == CONTRIB_POOLER && b.dbs[0].contrib[0].index == proxy);
	budget_release(&b);
	model_free(t);
}
END_TEST

/* A chain that comes back is an input error at the database: that closes it. */
START_TEST(test_pooler_cycle)
{
	static const char yaml[] =
		"version: 1\n"
		"databases: { main: { max_connections: 100 } }\n"
		"poolers:\n"
		"  a: { type: pgbouncer, database: b }\n"
		"  b: { type: pgbouncer, database: c }\n"
		"  c: { type: pgbouncer, database: a }\n";
	char *err = NULL;
	struct topology *t = load_buffer("t.yaml", yaml, strlen(yaml), &err);

	ck_assert_ptr_null(t);
	ck_assert_str_eq(err, "t.yaml:6:35: error: poolers.c.database: pooler \"a\" closes a cycle of "
			 "poolers (a -> b -> c -> a): a chain of poolers must end at a database");
	free(err);
}
END_TEST

/*
 * type: managed (docs/poolers.md "Managed poolers"): the provider's
 * figures fill what the pooler leaves unset, the pooler's own win.
 */
START_TEST(test_managed_pooler)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases:\n"
		"  n: { provider: neon, instance: \"2\" }\n"
		"  a: { provider: azure, instance: D2ds_v5 }\n"
		"poolers:\n"
		"  neon: { type: managed, database: n, users: [app, report] }\n"
		"  own: { type: managed, database: n, default_pool_size: 10, max_client_conn: 50 }\n"
		"  az: { type: managed, database: a }\n"
		"clients:\n"
		"  api: { type: service, connects_to: neon, replicas: 10, pool: { size: 100 } }\n"
		"  w: { type: worker, connects_to: own, pool: { size: 60 } }\n"
		"  x: { type: worker, connects_to: az, replicas: 2, pool: { size: 40 } }\n",
		100, &b);

	/* Neon 2 CU: max_connections 839, pools of floor(0.9 × 839) = floor(755.1) = 755 */
	ck_assert_int_eq(t->poolers[0].type.v, POOLER_PGBOUNCER);
	ck_assert_int_eq(b.poolers[0].pool_mode, POOL_TRANSACTION);
	ck_assert_uint_eq(b.poolers[0].default_pool_size, 755);
	ck_assert_uint_eq(b.poolers[0].cap, 1510);          /* 2 users × 755 */
	ck_assert_uint_eq(b.poolers[0].client_limit, 10000);
	ck_assert_uint_eq(b.poolers[0].server.peak, 1000);  /* min(1510, 10 × 100) */
	ck_assert_uint_eq(budget_pooler_port(&t->poolers[0]), 5432);
	/* the topology's figures win: 10 per pool, 50 clients */
	ck_assert_uint_eq(b.poolers[1].cap, 10);
	ck_assert_uint_eq(b.poolers[1].client_limit, 50);
	ck_assert_uint_eq(b.poolers[1].server.peak, 10);    /* min(10, 60) */
	/* Azure: 50 per pool, 5000 clients, transaction mode, port 6432 */
	ck_assert_uint_eq(b.poolers[2].default_pool_size, 50);
	ck_assert_uint_eq(b.poolers[2].cap, 50);
	ck_assert_uint_eq(b.poolers[2].client_limit, 5000);
	ck_assert_uint_eq(b.poolers[2].server.peak, 50);    /* min(50, 2 × 40) */
	ck_assert_int_eq(b.poolers[2].pool_mode, POOL_TRANSACTION);
	ck_assert_uint_eq(budget_pooler_port(&t->poolers[2]), 6432);
	budget_release(&b);
	model_free(t);
}
END_TEST

/* type: managed without a provider, or on one without documented figures: an input error. */
START_TEST(test_managed_pooler_refused)
{
	static const char *const yaml[] = {
		"version: 1\ndatabases: { main: { max_connections: 100 } }\n"
		"poolers: { p: { type: managed, database: main } }\n",
		"version: 1\ndatabases: { main: { provider: supabase, instance: Micro } }\n"
		"poolers: { p: { type: managed, database: main } }\n",
	};
	static const char *const want[] = {
		"t.yaml:3:23: error: poolers.p.type: managed needs its database's provider",
		"t.yaml:3:23: error: poolers.p.type: supabase's documentation gives no default pool size",
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		char *err = NULL;
		struct topology *t = load_buffer("t.yaml", yaml[i], strlen(yaml[i]), &err);

		ck_assert_ptr_null(t);
		ck_assert_msg(err && strncmp(err, want[i], strlen(want[i])) == 0, "%zu: %s", i, err ? err : "?");
		free(err);
	}
}
END_TEST

START_TEST(test_overflow_is_an_error)
{
	const char *yaml =
		"version: 1\n"
		"databases: { main: { max_connections: 100 } }\n"
		"clients:\n"
		"  huge: { type: service, connects_to: main, replicas: 4294967296, processes: 4294967296,\n"
		"          pool: { size: 2 } }\n";
	char *err = NULL;
	struct budget b;
	struct topology *t = load_buffer("t.yaml", yaml, strlen(yaml), &err);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(budget_compute(t, 100, &b, &err), -1);
	ck_assert_str_eq(err, "t.yaml:4:3: error: clients.huge: replicas x processes x connections per process overflows 64 bits");
	free(err);
	model_free(t);
}
END_TEST

START_TEST(test_reserved_and_headroom)
{
	struct budget b;
	struct topology *t = compute(
		"version: 1\n"
		"databases:\n"
		"  a: { max_connections: 200, superuser_reserved_connections: 5, reserved_connections: 10,\n"
		"       headroom: 20, cores: 8, spindles: 2 }\n"
		"  b: { max_connections: 100, headroom: 0 }\n",
		100, &b);

	ck_assert_uint_eq(b.dbs[0].capacity, 185);  /* 200 − 5 − 10 */
	ck_assert_uint_eq(b.dbs[0].budget, 180);    /* min(185, 200 − 20) */
	ck_assert_uint_eq(b.dbs[0].optimum, 18);    /* 8 × 2 + 2 */
	ck_assert_uint_eq(b.dbs[1].budget, 97);     /* min(97, 100) */
	ck_assert(!b.dbs[1].has_optimum);
	budget_release(&b);
	model_free(t);
}
END_TEST

Suite *budget_suite(void)
{
	Suite *s = suite_create("budget");
	TCase *tc = tcase_create("clients");

	tcase_add_test(tc, test_incident);
	tcase_add_test(tc, test_autoscaling_and_surge);
	tcase_add_test(tc, test_serverless);
	tcase_add_test(tc, test_spike);
	tcase_add_test(tc, test_frameworks);
	suite_add_tcase(s, tc);
	tc = tcase_create("poolers");
	tcase_add_test(tc, test_pgbouncer);
	tcase_add_test(tc, test_pgbouncer_caps);
	tcase_add_test(tc, test_unbounded_behind_pooler);
	tcase_add_test(tc, test_pooler_chain);
	tcase_add_test(tc, test_pooler_cycle);
	tcase_add_test(tc, test_managed_pooler);
	tcase_add_test(tc, test_managed_pooler_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("databases");
	tcase_add_test(tc, test_reserved_and_headroom);
	tcase_add_test(tc, test_overflow_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
