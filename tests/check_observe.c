/*
 * check_observe.c - observe without a server: durations, the findings
 * CB101–CB106 on hand-made live facts, the JSON "observed" object, the
 * libpq table against libpq-fe.h, and the failures that need no server (a
 * missing libpq, a closed port). tests/observe.sh runs it against real
 * servers.
 */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "budget.h"
#include "load.h"
#include "observe.h"
#include "appname.h"
#include "pq.h"
#include "rules.h"

/* pq.h declares libpq's ABI itself; hold it against the real header when installed. */
#if defined(__has_include)
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
_Static_assert(CONNECTION_OK == (int)PQ_CONNECTION_OK, "ConnStatusType");
_Static_assert(CONNECTION_BAD == (int)PQ_CONNECTION_BAD, "ConnStatusType");
_Static_assert(PGRES_EMPTY_QUERY == (int)PQ_RES_EMPTY_QUERY, "ExecStatusType");
_Static_assert(PGRES_COMMAND_OK == (int)PQ_RES_COMMAND_OK, "ExecStatusType");
_Static_assert(PGRES_TUPLES_OK == (int)PQ_RES_TUPLES_OK, "ExecStatusType");
_Static_assert(PGRES_POLLING_FAILED == (int)PQ_POLLING_FAILED, "PostgresPollingStatusType");
_Static_assert(PGRES_POLLING_READING == (int)PQ_POLLING_READING, "PostgresPollingStatusType");
_Static_assert(PGRES_POLLING_WRITING == (int)PQ_POLLING_WRITING, "PostgresPollingStatusType");
_Static_assert(PGRES_POLLING_OK == (int)PQ_POLLING_OK, "PostgresPollingStatusType");
_Static_assert(sizeof(PQconninfoOption) == sizeof(struct pq_conninfo_option), "PQconninfoOption");
_Static_assert(offsetof(PQconninfoOption, val) == offsetof(struct pq_conninfo_option, val),
	       "PQconninfoOption.val");
_Static_assert(offsetof(PQconninfoOption, dispsize) ==
	       offsetof(struct pq_conninfo_option, dispsize), "PQconninfoOption.dispsize");
#endif
#endif

START_TEST(test_durations)
{
	static const struct {
		const char *s;
		uint64_t ms;
	} good[] = {
		{ "250", 250 }, { "250ms", 250 }, { "5s", 5000 }, { "5 s", 5000 },
		{ "10min", 600000 }, { "1h", 3600000 }, { "2d", 172800000 }, { "1.5s", 1500 },
		{ "0", 0 }, { "0.25min", 15000 },
	};
	static const char *const bad[] = {
		"", "s", "5 ", "5x", "-1s", "1.5", "1.s", "5 min ", "99999999999999999999", "5 m",
	};
	size_t i;
	uint64_t ms;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(observe_parse_duration(good[i].s, &ms), "\"%s\" rejected", good[i].s);
		ck_assert_uint_eq(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!observe_parse_duration(bad[i], &ms), "\"%s\" accepted", bad[i]);
}
END_TEST

/*
 * A topology like tests/observe.sh's: max_connections 30 (line 3),
 * idle_in_transaction_session_timeout 10min, a pgbouncer of pool 7, api
 * (peak 2), worker behind the pooler (peak 5), batch with another
 * application_name (peak 1).
 */
static const char topo_yaml[] =
	"version: 1\n"                                                       /* 1 */
	"databases:\n"                                                       /* 2 */
	"  main:\n"                                                          /* 3 */
	"    max_connections: 30\n"                                          /* 4 */
	"    headroom: 2\n"                                                  /* 5 */
	"    settings: { idle_in_transaction_session_timeout: 10min }\n"     /* 6 */
	"poolers:\n"                                                         /* 7 */
	"  bouncer:\n"                                                       /* 8 */
	"    type: pgbouncer\n"                                              /* 9 */
	"    database: main\n"                                               /* 10 */
	"    pool_mode: transaction\n"                                       /* 11 */
	"    default_pool_size: 7\n"                                         /* 12 */
	"clients:\n"                                                         /* 13 */
	"  api: { type: service, connects_to: main, pool: { size: 2, acquire_timeout: 5s } }\n" /* 14 */
	"  worker: { type: worker, connects_to: bouncer, pool: { size: 5, acquire_timeout: 5s } }\n" /* 15 */
	"  batch:\n"                                                         /* 16 */
	"    type: job\n"                                                    /* 17 */
	"    connects_to: main\n"                                            /* 18 */
	"    application_name: nightly\n"                                    /* 19 */
	"    pool: { size: 1, acquire_timeout: 5s }\n"                       /* 20 */
	"    ignore: [CB999]\n";                                             /* 21: replaced below */

struct fixture {
	struct topology *t;
	struct budget b;
	struct findings f;
	struct observed o;
};

/* Load yaml (its last line's ignore list replaced by ignore), compute, lint. */
static void setup(struct fixture *x, const char *ignore, const struct rule_cli *cli)
{
	char *yaml = strdup(topo_yaml), *err = NULL;
	char *last = strstr(yaml, "    ignore: [CB999]\n");

	ck_assert_ptr_nonnull(last);
	sprintf(last, "    ignore: [%s]\n", ignore);
	memset(x, 0, sizeof(*x));
	x->t = load_buffer("t.yaml", yaml, strlen(yaml), &err);
	ck_assert_msg(x->t != NULL, "load: %s", err ? err : "?");
	ck_assert_msg(budget_compute(x->t, 100, &x->b, &err) == 0, "budget: %s", err ? err : "?");
	ck_assert_msg(rules_run(x->t, &x->b, cli, &x->f, &err) == 0, "rules: %s", err ? err : "?");
	ck_assert_uint_eq(x->f.n, 0);
	free(yaml);
	x->o.database = 0;
	x->o.database_id = x->t->databases[0].id.s;
	x->o.idle_threshold_ms = OBSERVE_IDLE_THRESHOLD_MS;
	x->o.server_version = strdup("15.8");
	x->o.max_connections = (struct observed_value){ true, 30 };
	x->o.superuser_reserved_connections = (struct observed_value){ true, 3 };
	x->o.idle_in_transaction_session_timeout = (struct observed_value){ true, 600000 };
}

static void teardown(struct fixture *x)
{
	observe_release(&x->o);
	findings_release(&x->f);
	budget_release(&x->b);
	model_free(x->t);
}

/* Add n sessions of application app in state with this age. */
static void sessions(struct observed *o, const char *app, const char *state, uint64_t age_ms, size_t n)
{
	o->sessions = realloc(o->sessions, (o->nsessions + n) * sizeof(*o->sessions));
	ck_assert_ptr_nonnull(o->sessions);
	while (n--) {
		struct observed_session *s = &o->sessions[o->nsessions++];
		s->application_name = strdup(app);
		s->user = strdup("app");
		s->state = strdup(state);
		s->has_age = true;
		s->state_age_ms = age_ms;
		s->hidden = false;
	}
}

/* The live PgBouncer of the fixture: as declared, one pool with waiting clients. */
static void bouncer(struct fixture *x, uint64_t waiting)
{
	struct observed_pgbouncer *b = &x->o.pgbouncer;

	b->present = true;
	b->pooler = 0;
	b->pooler_id = x->t->poolers[0].id.s;
	b->version = strdup("1.18.0/bouncer");
	b->pool_mode = strdup("transaction");
	b->default_pool_size = (struct observed_value){ true, 7 };
	b->reserve_pool_size = (struct observed_value){ true, 0 };
	b->max_client_conn = (struct observed_value){ true, 100 };
	b->max_db_connections = (struct observed_value){ true, 0 };
	b->pools = calloc(1, sizeof(*b->pools));
	b->npools = 1;
	b->pools[0].database = strdup("app");
	b->pools[0].user = strdup("app");
	b->pools[0].cl_active = 7;
	b->pools[0].cl_waiting = waiting;
	b->pools[0].sv_active = 7;
}

static void observe(struct fixture *x)
{
	observe_summarize(&x->o);
	observe_findings(x->t, &x->b, &x->o, &x->f);
}

/* Finding i is rule id at line:col with this message. */
static void expect(const struct findings *f, size_t i, const char *id, uint32_t line, uint32_t col,
		   const char *message)
{
	ck_assert_msg(i < f->n, "only %zu findings", f->n);
	ck_assert_str_eq(f->v[i].rule->id, id);
	ck_assert_uint_eq(f->v[i].pos.line, line);
	ck_assert_uint_eq(f->v[i].pos.col, col);
	ck_assert_str_eq(f->v[i].message, message);
}

START_TEST(test_as_declared)
{
	struct fixture x;

	setup(&x, "", NULL);
	bouncer(&x, 0);
	sessions(&x.o, "api", "active", 100, 2);
	sessions(&x.o, "worker", "active", 100, 5);
	sessions(&x.o, "nightly", "idle in transaction", 60000, 1);
	observe(&x);
	ck_assert_uint_eq(x.f.n, 0);
	teardown(&x);
}
END_TEST

START_TEST(test_drift)
{
	struct fixture x;

	setup(&x, "", NULL);
	bouncer(&x, 0);
	x.o.max_connections.v = 100;
	x.o.superuser_reserved_connections.v = 5;
	x.o.reserved_connections = (struct observed_value){ true, 0 };
	x.o.idle_in_transaction_session_timeout.v = 0;
	free(x.o.pgbouncer.pool_mode);
	x.o.pgbouncer.pool_mode = strdup("session");
	x.o.pgbouncer.max_client_conn.v = 500;
	observe(&x);
	ck_assert_uint_eq(x.f.n, 5);
	/* superuser_reserved_connections is PostgreSQL's default 3: at the database's key */
	expect(&x.f, 0, "CB101", 3, 3, "live superuser_reserved_connections 5 on database 'main' "
	       "differs from the topology's 3 (PostgreSQL's default)");
	expect(&x.f, 1, "CB101", 4, 22, "live max_connections 100 on database 'main' differs from "
	       "the topology's 30");
	expect(&x.f, 2, "CB101", 6, 54, "live idle_in_transaction_session_timeout 0 (disabled) on "
	       "database 'main' differs from the topology's 10min");
	/* max_client_conn: PgBouncer's default 100, at the pooler's key */
	expect(&x.f, 3, "CB101", 8, 3, "live max_client_conn 500 on pgbouncer 'bouncer' differs from "
	       "the topology's 100 (PgBouncer's default)");
	expect(&x.f, 4, "CB101", 11, 16, "live pool_mode 'session' on pgbouncer 'bouncer' differs "
	       "from the topology's 'transaction'");
	ck_assert_str_eq(x.f.v[3].object, "poolers.bouncer");
	ck_assert_int_eq(x.f.v[0].severity, SEV_ERROR);
	teardown(&x);
}
END_TEST

/* PostgreSQL before 16 has no reserved_connections: drift only when the topology reserves some. */
START_TEST(test_reserved_connections)
{
	static const char yaml[] = "version: 1\ndatabases:\n  main: { max_connections: 30, "
				   "reserved_connections: 2 }\n";
	struct fixture x;
	char *err = NULL;
	size_t i, n = 0;

	setup(&x, "", NULL);
	observe(&x);
	ck_assert_uint_eq(x.f.n, 0);
	teardown(&x);

	memset(&x, 0, sizeof(x));
	x.t = load_buffer("r.yaml", yaml, strlen(yaml), &err);
	ck_assert_msg(x.t != NULL, "%s", err ? err : "?");
	ck_assert_int_eq(budget_compute(x.t, 100, &x.b, &err), 0);
	ck_assert_int_eq(rules_run(x.t, &x.b, NULL, &x.f, &err), 0);
	x.o.database_id = "main";
	x.o.server_version = strdup("15.8");
	x.o.max_connections = (struct observed_value){ true, 30 };
	x.o.superuser_reserved_connections = (struct observed_value){ true, 3 };
	observe(&x);
	/* the file's own findings (CB011: no timeout) come first; one CB101 among them */
	for (i = 0; i < x.f.n; i++) {
		if (strcmp(x.f.v[i].rule->id, "CB101") != 0)
			continue;
		n++;
		ck_assert_str_eq(x.f.v[i].message, "database 'main' declares reserved_connections 2 "
				 "but the live server (PostgreSQL 15.8) has no such setting (16 and later)");
		ck_assert_uint_eq(x.f.v[i].pos.line, 3);
	}
	ck_assert_uint_eq(n, 1);
	teardown(&x);
}
END_TEST

/* max_connections from an RDS instance class: the finding points at `instance:`. */
START_TEST(test_instance)
{
	static const char yaml[] = "version: 1\ndatabases:\n  main:\n    instance: db.t3.medium\n"
				   "    settings: { idle_in_transaction_session_timeout: 1min }\n";
	struct fixture x;
	struct rule_cli cli;
	char *err = NULL;

	memset(&x, 0, sizeof(x));
	x.t = load_buffer("i.yaml", yaml, strlen(yaml), &err);
	ck_assert_msg(x.t != NULL, "%s", err ? err : "?");
	ck_assert_int_eq(budget_compute(x.t, 100, &x.b, &err), 0);
	/* CB008 fires on the file itself (413 connections for 4 GB): off */
	rule_cli_init(&cli);
	ck_assert_int_eq(rule_cli_disable(&cli, "CB008", &err), 0);
	ck_assert_int_eq(rules_run(x.t, &x.b, &cli, &x.f, &err), 0);
	rule_cli_release(&cli);
	ck_assert_uint_eq(x.f.n, 0);
	x.o.database_id = "main";
	x.o.max_connections = (struct observed_value){ true, 100 };
	x.o.idle_in_transaction_session_timeout = (struct observed_value){ true, 60000 };
	observe(&x);
	ck_assert_uint_eq(x.f.n, 1);
	ck_assert_uint_eq(x.f.v[0].pos.line, 4);
	ck_assert_uint_eq(x.f.v[0].pos.col, 15);
	ck_assert_msg(strstr(x.f.v[0].message, "live max_connections 100 on database 'main' differs "
			     "from the topology's ") != NULL, "%s", x.f.v[0].message);
	ck_assert_msg(strstr(x.f.v[0].message, " (AWS's default for instance 'db.t3.medium')") != NULL,
		      "%s", x.f.v[0].message);
	teardown(&x);
}
END_TEST

START_TEST(test_undeclared_and_peak)
{
	struct fixture x;

	setup(&x, "", NULL);
	sessions(&x.o, "api", "active", 100, 3);      /* peak 2 */
	sessions(&x.o, "worker", "idle", 100, 5);     /* peak 5: fine */
	sessions(&x.o, "batch", "active", 100, 1);    /* declared as 'nightly' */
	sessions(&x.o, "", "idle", 100, 2);
	observe(&x);
	ck_assert_uint_eq(x.f.n, 3);
	/* same position and rule: ordered by message */
	expect(&x.f, 0, "CB102", 3, 3, "1 live connection with application_name 'batch' on database "
	       "'main' matches no client of the topology");
	expect(&x.f, 1, "CB102", 3, 3, "2 live connections without application_name on database "
	       "'main' match no client of the topology");
	expect(&x.f, 2, "CB103", 14, 3, "client 'api' holds 3 live connections on database 'main', "
	       "above its declared peak 2");
	ck_assert_str_eq(x.f.v[2].object, "clients.api");
	ck_assert_int_eq(x.f.v[0].severity, SEV_WARNING);
	teardown(&x);
}
END_TEST

START_TEST(test_idle_waiting_utilization)
{
	struct fixture x;

	setup(&x, "", NULL);
	bouncer(&x, 3);
	x.o.idle_threshold_ms = 60000;
	sessions(&x.o, "nightly", "idle in transaction", 61000, 1);
	sessions(&x.o, "nightly", "idle in transaction (aborted)", 125000, 1);
	sessions(&x.o, "api", "idle in transaction", 59000, 1);   /* under the threshold */
	sessions(&x.o, "api", "active", 1000000, 1);               /* not idle */
	sessions(&x.o, "worker", "active", 0, 5);
	sessions(&x.o, "", "active", 0, 16);                       /* 25 of 30: above 80% */
	observe(&x);
	ck_assert_uint_eq(x.f.n, 5);
	expect(&x.f, 0, "CB102", 3, 3, "16 live connections without application_name on database "
	       "'main' match no client of the topology");
	expect(&x.f, 1, "CB104", 3, 3, "2 sessions of client 'batch' (application_name 'nightly') idle "
	       "in transaction on database 'main' for longer than 1min (oldest 125s)");
	expect(&x.f, 2, "CB106", 3, 3, "25 live connections on database 'main' are 83% of "
	       "max_connections 30 (above 80%)");
	expect(&x.f, 3, "CB105", 8, 3, "3 clients waiting in pool 'app/app' of pgbouncer 'bouncer' "
	       "(cl_active 7, sv_active 7, sv_idle 0)");
	/* and batch's 2 sessions are above its peak of 1 */
	expect(&x.f, 4, "CB103", 16, 3, "client 'batch' holds 2 live connections on database 'main', "
	       "above its declared peak 1");
	teardown(&x);
}
END_TEST

/* Exactly 80% is not above it. */
START_TEST(test_utilization_boundary)
{
	struct fixture x;

	setup(&x, "", NULL);
	sessions(&x.o, "api", "active", 0, 2);
	sessions(&x.o, "worker", "active", 0, 5);
	sessions(&x.o, "nightly", "active", 0, 1);
	sessions(&x.o, "", "active", 0, 16);   /* 24 of 30 = 80% */
	observe(&x);
	ck_assert_uint_eq(x.f.n, 1);
	ck_assert_str_eq(x.f.v[0].rule->id, "CB102");
	teardown(&x);
}
END_TEST

/* Levels and ignore apply to observe's findings as to every rule. */
START_TEST(test_levels_and_ignore)
{
	struct fixture x;
	struct rule_cli cli;
	char *err = NULL;

	rule_cli_init(&cli);
	ck_assert_int_eq(rule_cli_disable(&cli, "undeclared-connections", &err), 0);
	ck_assert_int_eq(rule_cli_severity(&cli, "CB103=info", &err), 0);
	setup(&x, "", &cli);
	sessions(&x.o, "api", "active", 0, 3);
	sessions(&x.o, "", "active", 0, 1);
	observe(&x);
	ck_assert_uint_eq(x.f.n, 1);
	ck_assert_str_eq(x.f.v[0].rule->id, "CB103");
	ck_assert_int_eq(x.f.v[0].severity, SEV_INFO);
	teardown(&x);
	rule_cli_release(&cli);

	/* batch ignores CB103 (by lowercase id); the others still fire */
	setup(&x, "cb103", NULL);
	sessions(&x.o, "nightly", "active", 0, 4);
	sessions(&x.o, "api", "active", 0, 3);
	observe(&x);
	ck_assert_uint_eq(x.f.n, 1);
	ck_assert_str_eq(x.f.v[0].object, "clients.api");
	teardown(&x);
}
END_TEST

START_TEST(test_json)
{
	struct fixture x;
	cJSON *root = cJSON_CreateObject(), *parsed, *obs, *c;
	char *text;

	setup(&x, "", NULL);
	bouncer(&x, 1);
	sessions(&x.o, "api", "active", 0, 2);
	sessions(&x.o, "nightly", "idle in transaction", 400000, 1);
	observe_summarize(&x.o);
	ck_assert_int_eq(observe_json(&x.o, root), 0);
	/* counts are raw decimal text: read them back as a consumer would */
	text = cJSON_Print(root);
	parsed = cJSON_Parse(text);
	ck_assert_ptr_nonnull(parsed);
	obs = cJSON_GetObjectItem(parsed, "observed");
	ck_assert_ptr_nonnull(obs);
	ck_assert_int_eq(cJSON_GetObjectItem(obs, "max_connections")->valueint, 30);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(obs, "reserved_connections")));
	c = cJSON_GetObjectItem(obs, "connections");
	ck_assert_int_eq(cJSON_GetObjectItem(c, "total")->valueint, 3);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "by_application"), "api")->valueint, 2);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "by_state"),
					     "idle in transaction")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "idle_in_transaction"),
					     "over_threshold")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetObjectItem(obs, "pgbouncer"), "pools"), 0), "cl_waiting")->valueint, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(obs, "pgbouncer"),
								 "config"), "pool_mode")->valuestring,
			 "transaction");
	cJSON_Delete(parsed);
	cJSON_free(text);
	cJSON_Delete(root);
	teardown(&x);
}
END_TEST

START_TEST(test_missing_libpq)
{
	char *err = NULL;
	struct observed o;

	memset(&o, 0, sizeof(o));
	setenv("CONNBUDGET_LIBPQ", "/nonexistent/libpq.so.5", 1);
	ck_assert_ptr_null(pq_load(&err));
	ck_assert_msg(strstr(err, "observe needs libpq (Debian package libpq5)") != NULL, "%s", err);
	free(err);
	err = NULL;
	ck_assert_int_eq(observe_fetch_postgres("host=127.0.0.1", &o, &err), -1);
	ck_assert_msg(strstr(err, "observe needs libpq") != NULL, "%s", err);
	free(err);
	observe_release(&o);
}
END_TEST

/* A port nobody listens on: libpq's message, the DSN with its password masked. */
START_TEST(test_unreachable)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char dsn[256], *err = NULL;
	struct observed o;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd); /* bound, never listened on, closed: connections are refused */
	snprintf(dsn, sizeof(dsn), "host=127.0.0.1 port=%d user=u password='Se same' connect_timeout=2",
		 ntohs(a.sin_port));
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 5000;
	o.deadline_ms = pq_now_ms() + o.timeout_ms;
	unsetenv("CONNBUDGET_LIBPQ");
	ck_assert_int_eq(observe_fetch_postgres(dsn, &o, &err), -1);
	ck_assert_msg(strstr(err, "cannot connect to PostgreSQL at 'host=127.0.0.1") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "Connection refused") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "Se same") == NULL, "%s", err);
	free(err);
	err = NULL;
	/* A malformed conninfo: libpq's message, quoted pieces of the text redacted. */
	ck_assert_int_eq(observe_fetch_postgres("host=x password=Secret junk", &o, &err), -1);
	ck_assert_msg(strstr(err, "Secret") == NULL && strstr(err, "junk") == NULL, "%s", err);
	ck_assert_msg(strstr(err, "--dsn is not a connection string libpq accepts") != NULL, "%s", err);
	free(err);
	observe_release(&o);
}
END_TEST

/* appname_stored: what pg_stat_activity shows for a name, by server version. */
START_TEST(test_appname)
{
	char long_name[80], *v;
	int b;

	memset(long_name, 'x', 67);
	long_name[67] = '\0';
	v = appname_stored(long_name, 150008);
	ck_assert_uint_eq(strlen(v), 63);
	free(v);
	v = appname_stored("caf\xc3\xa9", 150008);
	ck_assert_str_eq(v, "caf??");
	free(v);
	v = appname_stored("caf\xc3\xa9", 160002);
	ck_assert_str_eq(v, "caf\\xc3\\xa9");
	free(v);
	v = appname_stored("api", 160002);
	ck_assert_str_eq(v, "api");
	free(v);
	/* an escape that straddles byte 63 is clipped as the server clips it */
	memset(long_name, 'a', 61);
	strcpy(long_name + 61, "\x1b");
	v = appname_stored(long_name, 170000);
	ck_assert_uint_eq(strlen(v), 63);
	ck_assert_str_eq(v + 61, "\\x");
	free(v);
	/* every byte outside printable ASCII is replaced, and only those */
	for (b = 1; b < 256; b++) {
		char one[2] = { (char)b, '\0' };
		bool keep = b >= 32 && b <= 126;

		v = appname_stored(one, 150000);
		ck_assert_str_eq(v, keep ? one : "?");
		ck_assert(appname_altered(one) == !keep);
		free(v);
	}
	ck_assert(!appname_altered("api-worker_1.v2"));
	memset(long_name, 'x', 63);
	long_name[63] = '\0';
	ck_assert(!appname_altered(long_name));
	long_name[63] = 'x';
	long_name[64] = '\0';
	ck_assert(appname_altered(long_name));
}
END_TEST

Suite *observe_suite(void)
{
	Suite *s = suite_create("observe");
	TCase *tc = tcase_create("durations");

	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_appname);
	suite_add_tcase(s, tc);
	tc = tcase_create("findings");
	tcase_add_test(tc, test_as_declared);
	tcase_add_test(tc, test_drift);
	tcase_add_test(tc, test_reserved_connections);
	tcase_add_test(tc, test_instance);
	tcase_add_test(tc, test_undeclared_and_peak);
	tcase_add_test(tc, test_idle_waiting_utilization);
	tcase_add_test(tc, test_utilization_boundary);
	tcase_add_test(tc, test_levels_and_ignore);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("libpq");
	tcase_add_test(tc, test_missing_libpq);
	tcase_add_test(tc, test_unreachable);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);
	return s;
}
