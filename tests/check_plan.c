/*
 * check_plan.c - `plan` on the topologies of testdata/plan/, every answer
 * computed by hand in the comment at the top of its file (and beside each
 * assertion here). Tests run in tests/.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "plan.h"

/* One plan run: its result, figures and findings, and the topology. */
struct run {
	struct topology *t;
	struct plan_result res;
	struct budget b;
	struct findings f;
	char *err;
	int rc;
};

/*
 * Load testdata/plan/<name>.yaml and run the plan; sets is NULL-terminated,
 * spike 0 means no --spike. fail_on is --fail-on (SEV_ERROR by default).
 */
static void plan(struct run *r, const char *name, const char *const *sets, const char *solve,
		 uint64_t spike, int fail_on)
{
	struct plan_request req;
	char *path = xasprintf("../testdata/plan/%s.yaml", name);
	char *err = NULL;

	memset(r, 0, sizeof(*r));
	memset(&req, 0, sizeof(req));
	r->t = load_file(path, &err);
	ck_assert_msg(r->t != NULL, "load %s: %s", path, err ? err : "?");
	free(path);
	req.sets = sets;
	while (sets && sets[req.nsets])
		req.nsets++;
	req.solve = solve;
	req.has_spike = spike != 0;
	req.spike = spike ? spike : 100;
	req.fail_on = fail_on;
	r->rc = plan_run(r->t, &req, &r->res, &r->b, &r->f, &r->err);
}

static void release(struct run *r)
{
	if (r->rc == 0) {
		budget_release(&r->b);
		findings_release(&r->f);
	}
	plan_result_release(&r->res);
	free(r->err);
	model_free(r->t);
}

static void assert_ok(const struct run *r)
{
	ck_assert_msg(r->rc == 0, "plan failed: %s", r->err ? r->err : "?");
}

/* The change of path, or NULL. */
static const struct plan_change *change(const struct plan_result *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->nchanges; i++)
		if (strcmp(p->changes[i].path, path) == 0)
			return &p->changes[i];
	return NULL;
}

static void assert_change(const struct plan_result *p, const char *path, uint64_t before,
			  uint64_t after)
{
	const struct plan_change *c = change(p, path);

	ck_assert_msg(c != NULL, "no change of %s", path);
	ck_assert_msg(c->before == before && c->after == after, "%s: %llu -> %llu, want %llu -> %llu",
		      path, (unsigned long long)c->before, (unsigned long long)c->after,
		      (unsigned long long)before, (unsigned long long)after);
}

START_TEST(test_parse_factor)
{
	static const struct {
		const char *in;
		uint64_t h;
	} ok[] = { { "2", 200 }, { "1.5", 150 }, { "2.25x", 225 }, { "100", 10000 }, { "0.01", 1 },
		   { "8.85", 885 }, { "1.05X", 105 } };
	static const char *const bad[] = { "0", "0.00", "100.01", "1.234", "abc", "", ".5", "1.",
					   "-1", "1e2", "2 x", "10000" };
	uint64_t h;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(plan_parse_factor(ok[i].in, &h), "\"%s\" rejected", ok[i].in);
		ck_assert_uint_eq(h, ok[i].h);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!plan_parse_factor(bad[i], &h), "\"%s\" accepted", bad[i]);
}
END_TEST

/* --set replicas moves an unset max_replicas too (docs/decisions.md). */
START_TEST(test_set_changes)
{
	static const char *const sets[] = { "clients.api.replicas=4", NULL };
	struct run r;

	plan(&r, "replicas", sets, NULL, 0, SEV_ERROR);
	assert_ok(&r);
	assert_change(&r.res, "clients.api.steady", 120, 160);           /* 3|4 x 2 x 20 */
	assert_change(&r.res, "clients.api.peak", 160, 200);             /* (3|4 + 1) x 40 */
	assert_change(&r.res, "databases.main.demand.steady", 167, 207); /* + 45 + 2 */
	assert_change(&r.res, "databases.main.demand.peak", 207, 247);
	ck_assert_uint_eq(r.res.nchanges, 4);                            /* nothing else moved */
	ck_assert_uint_eq(r.res.nsets, 1);
	ck_assert_str_eq(r.res.sets[0].path, "clients.api.replicas");
	ck_assert_str_eq(r.res.sets[0].value, "4");
	/* the report's figures are the plan's */
	ck_assert_uint_eq(r.b.dbs[0].demand.peak, 247);
	ck_assert_uint_eq(r.f.n, 0);
	release(&r);
}
END_TEST

START_TEST(test_set_errors)
{
	static const char *const bad_path[] = { "clients.api.replica=4", NULL };
	static const char *const bad_value[] = { "clients.api.replicas=three", NULL };
	static const char *const no_eq[] = { "clients.api.replicas", NULL };
	static const char *const bad_ref[] = { "clients.api.connects_to=postgres://app:S3cr3t@db/app", NULL };
	static const char *const bad_order[] = { "clients.api.max_replicas=2", NULL };
	struct run r;

	plan(&r, "replicas", bad_path, NULL, 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_str_eq(r.err, "--set clients.api.replica: unknown field \"replica\", did you mean \"replicas\"?");
	release(&r);
	plan(&r, "replicas", bad_value, NULL, 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_ptr_nonnull(strstr(r.err, "clients.api.replicas"));
	ck_assert_ptr_null(strstr(r.err, "three")); /* the value is never quoted */
	release(&r);
	/* a value that validation rejects is not quoted either */
	plan(&r, "replicas", bad_ref, NULL, 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_ptr_nonnull(strstr(r.err, "clients.api.connects_to: unknown database or pooler \"(value not shown)\""));
	ck_assert_ptr_null(strstr(r.err, "S3cr3t"));
	release(&r);
	plan(&r, "replicas", no_eq, NULL, 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	/* without '=' the argument may be a whole "$DATABASE_URL": not quoted */
	ck_assert_str_eq(r.err, "--set (argument not shown): expected PATH=VALUE, e.g. clients.api.replicas=6");
	release(&r);
	/* validated like the file: max_replicas 2 < replicas 3 */
	plan(&r, "replicas", bad_order, NULL, 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_ptr_nonnull(strstr(r.err, "max_replicas: 2 is less than replicas 3"));
	release(&r);
}
END_TEST

/* Surge percentages: peak instances = r + ceil(r x 25%). */
START_TEST(test_solve_replicas_surge)
{
	struct run r;

	plan(&r, "replicas", NULL, "clients.api.replicas", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert(r.res.has_solve);
	ck_assert_int_eq(r.res.solve.result, PLAN_SOLVED);
	ck_assert(!r.res.solve.raises_capacity);
	ck_assert_uint_eq(r.res.solve.value, 6);   /* (6 + 2) x 40 + 47 = 367 <= 395 */
	ck_assert_uint_eq(r.res.solve.at, 7);      /* (7 + 2) x 40 + 47 = 407 > 395 */
	ck_assert_ptr_null(r.res.solve.invalid);
	ck_assert_uint_eq(r.res.solve.nblockers, 1);
	ck_assert_str_eq(r.res.solve.blockers[0].rule->id, "CB001");
	ck_assert_str_eq(r.res.solve.blockers[0].message,
			 "peak demand 407 exceeds capacity 395 on database 'main' (api 360, worker 45, metrics 2)");
	/* the topology is as it was: the report shows the file's figures */
	ck_assert_uint_eq(r.t->clients[0].replicas.v, 3);
	ck_assert_uint_eq(budget_conn(&r.b, 0).peak, 160);
	release(&r);

	plan(&r, "replicas", NULL, "clients.api.max_replicas", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert_uint_eq(r.res.solve.value, 6);
	ck_assert_uint_eq(r.res.solve.at, 7);
	ck_assert(!VALUE_SET(r.t->clients[0].max_replicas));
	release(&r);
}
END_TEST

/* With max_replicas fixed at 6, replicas 7 is not valid input: that stops it. */
START_TEST(test_solve_against_validation)
{
	static const char *const sets[] = { "clients.api.max_replicas=6", NULL };
	struct run r;

	plan(&r, "replicas", sets, "clients.api.replicas", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert_int_eq(r.res.solve.result, PLAN_SOLVED);
	ck_assert_uint_eq(r.res.solve.value, 6);
	ck_assert_uint_eq(r.res.solve.at, 7);
	ck_assert_str_eq(r.res.solve.invalid, "clients.api.max_replicas: 6 is less than replicas 7");
	release(&r);
}
END_TEST

/* Raising max_connections adds capacity: the smallest value that passes. */
START_TEST(test_solve_capacity)
{
	struct run r;

	plan(&r, "replicas", NULL, "databases.main.max_connections", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert(r.res.solve.raises_capacity);
	ck_assert_int_eq(r.res.solve.result, PLAN_SOLVED);
	ck_assert_uint_eq(r.res.solve.value, 212); /* capacity 212 - 5 = 207 = peak demand */
	ck_assert_uint_eq(r.res.solve.at, 211);
	ck_assert_str_eq(r.res.solve.blockers[0].message,
			 "peak demand 207 exceeds capacity 206 on database 'main' (api 160, worker 45, metrics 2)");
	release(&r);

	/* --fail-on warning: CB002 too, so the budget must hold it: 207 + 10 headroom */
	plan(&r, "replicas", NULL, "databases.main.max_connections", 0, SEV_WARNING);
	assert_ok(&r);
	ck_assert_uint_eq(r.res.solve.value, 217);
	ck_assert_str_eq(r.res.solve.blockers[0].rule->id, "CB002");
	release(&r);

	/* the pooler's client side: 2 instances x m >= 1000 */
	plan(&r, "pooler", NULL, "poolers.bouncer.max_client_conn", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert_uint_eq(r.res.solve.value, 500);
	ck_assert_uint_eq(r.res.solve.at, 499);
	ck_assert_str_eq(r.res.solve.blockers[0].rule->id, "CB009");
	release(&r);
}
END_TEST

/* The pooler's cap bounds the server side: replicas have no limit. */
START_TEST(test_solve_pooler_caps)
{
	struct run r;

	plan(&r, "pooler", NULL, "clients.api.replicas", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert_int_eq(r.res.solve.result, PLAN_NO_LIMIT);
	ck_assert_uint_eq(r.res.solve.value, PLAN_SOLVE_MAX);
	release(&r);

	/* 2 x (d + 5) + 47 <= 395 -> d <= 169 */
	plan(&r, "pooler", NULL, "poolers.bouncer.default_pool_size", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert_int_eq(r.res.solve.result, PLAN_SOLVED);
	ck_assert_uint_eq(r.res.solve.value, 169);
	ck_assert_uint_eq(r.res.solve.at, 170);
	ck_assert_str_eq(r.res.solve.blockers[0].message,
			 "peak demand 397 exceeds capacity 395 on database 'main' (bouncer 350, worker 45, metrics 2)");
	release(&r);

	/* instances x 25 + 47 <= 395 -> 13 instances (372), 14 give 397 */
	plan(&r, "pooler", NULL, "poolers.bouncer.instances", 0, SEV_ERROR);
	assert_ok(&r);
	ck_assert_uint_eq(r.res.solve.value, 13);
	release(&r);
}
END_TEST

/* Findings unrelated to the path block every value: say so and list them. */
START_TEST(test_solve_no_value)
{
	static const char *const sets[] = { "clients.metrics.pool.acquire_timeout=0", NULL };
	struct run r;

	plan(&r, "replicas", sets, "clients.api.replicas", 0, SEV_WARNING);
	assert_ok(&r);
	ck_assert_int_eq(r.res.solve.result, PLAN_NO_VALUE);
	ck_assert(r.res.solve.unrelated);
	ck_assert_uint_eq(r.res.solve.nblockers, 1);
	ck_assert_str_eq(r.res.solve.blockers[0].rule->id, "CB007");
	ck_assert_str_eq(r.res.solve.blockers[0].object, "clients.metrics");
	release(&r);
}
END_TEST

START_TEST(test_solve_bad_path)
{
	struct run r;

	plan(&r, "replicas", NULL, "clients.api.url", 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_ptr_nonnull(strstr(r.err, "--solve clients.api.url: not a count connbudget can search"));
	release(&r);
	plan(&r, "replicas", NULL, "clients.apx.replicas", 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_str_eq(r.err, "--solve clients.apx.replicas: unknown client \"apx\", did you mean \"api\"?");
	release(&r);
	plan(&r, "replicas", NULL, "clients.api", 0, SEV_ERROR);
	ck_assert_int_eq(r.rc, -1);
	release(&r);
}
END_TEST

/* rate 30/s x hold 750 ms x F, max_concurrency 50, pool 1, beside 60 of web. */
START_TEST(test_spike_serverless)
{
	struct run r;

	plan(&r, "serverless", NULL, NULL, 150, SEV_ERROR);
	assert_ok(&r);
	ck_assert(r.res.has_spike);
	ck_assert_uint_eq(r.res.spike.factor, 150);
	assert_change(&r.res, "clients.ingest.concurrency", 23, 34);  /* ceil(22.5), ceil(33.75) */
	assert_change(&r.res, "clients.ingest.steady", 23, 34);
	assert_change(&r.res, "databases.main.demand.steady", 83, 94);
	ck_assert(r.res.spike.breaks);
	ck_assert_uint_eq(r.res.spike.breaking, 165);   /* 22.5 x 1.65 = 37.125 -> 38; 60 + 38 > 97 */
	ck_assert_str_eq(r.res.spike.database, "main");
	ck_assert_uint_eq(r.res.spike.demand, 98);
	ck_assert_uint_eq(r.res.spike.capacity, 97);
	ck_assert_uint_eq(r.b.dbs[0].demand.steady, 94); /* the report is under the spike */
	release(&r);
}
END_TEST

START_TEST(test_spike_never_and_already)
{
	static const char *const capped[] = { "poolers.proxy.max_connections_percent=35", NULL };
	static const char *const over[] = { "clients.web.replicas=4", NULL };
	struct run r;

	/* the proxy's cap 35 bounds the function: at most 60 + 35 = 95 */
	plan(&r, "serverless", capped, NULL, 200, SEV_ERROR);
	assert_ok(&r);
	ck_assert(!r.res.spike.breaks);
	ck_assert_uint_eq(r.b.dbs[0].demand.steady, 95);
	release(&r);

	/* 80 + 23 = 103 > 97 before any spike */
	plan(&r, "serverless", over, NULL, 100, SEV_ERROR);
	assert_ok(&r);
	ck_assert(r.res.spike.breaks);
	ck_assert_uint_eq(r.res.spike.breaking, 100);
	ck_assert_uint_eq(r.res.spike.demand, 103);
	release(&r);

	/* a spike does not move a service's connections, only what it needs (CB015) */
	plan(&r, "replicas", NULL, NULL, 300, SEV_ERROR);
	assert_ok(&r);
	ck_assert(!r.res.spike.breaks);
	ck_assert_uint_eq(r.res.nchanges, 0);
	release(&r);
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *set = tcase_create("set");
	TCase *solve = tcase_create("solve");
	TCase *spike = tcase_create("spike");

	tcase_add_test(set, test_parse_factor);
	tcase_add_test(set, test_set_changes);
	tcase_add_test(set, test_set_errors);
	tcase_add_test(solve, test_solve_replicas_surge);
	tcase_add_test(solve, test_solve_against_validation);
	tcase_add_test(solve, test_solve_capacity);
	tcase_add_test(solve, test_solve_pooler_caps);
	tcase_add_test(solve, test_solve_no_value);
	tcase_add_test(solve, test_solve_bad_path);
	tcase_add_test(spike, test_spike_serverless);
	tcase_add_test(spike, test_spike_never_and_already);
	suite_add_tcase(s, set);
	suite_add_tcase(s, solve);
	suite_add_tcase(s, spike);
	return s;
}
