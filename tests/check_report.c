/*
 * check_report.c - the reporters: every format rendered into memory from a
 * hand-built topology, figures and findings (the "three servers" case of
 * docs/model.md behind a pgbouncer), and the escaping helpers character by
 * character. Machine formats are also checked by tests/validate.py against
 * their schemas (SARIF 2.1.0, schemas/report.schema.json) and parsers.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "report/report.h"
#include "report/report_impl.h"

#define FILE_A "infra/cb.yaml"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/*
 * One topology: database main (max 100, 3 superuser reserved, headroom 10,
 * 4 cores), pooler bouncer (pgbouncer, cap 25) with client web behind it
 * (steady 200, peak 600), direct clients api (120) and metrics (2).
 * Figures are written by hand as budget.c would compute them.
 */
struct fixture {
	struct topology t;
	struct database db[1];
	struct pooler pl[1];
	struct client cl[3];
	struct budget b;
	struct db_fig dbf[1];
	struct pooler_fig plf[1];
	struct client_conn conn[3];
	bool conn_unbounded[3];
	bool conn_unknown[3];
	struct contrib contrib[3];
	struct findings f;
	struct report_file rf;
};

static struct pos at(const char *file, uint32_t line, uint32_t col)
{
	struct pos p = pos_make(file, line, col);
	return p;
}

static void add_finding(struct fixture *x, const char *rule, enum severity sev, struct pos pos,
			const char *object, const char *message)
{
	struct finding *f;

	xgrow(&x->f.v, &x->f.cap, x->f.n + 1, sizeof(*x->f.v));
	f = &x->f.v[x->f.n++];
	f->rule = rule_find(rule);
	ck_assert_ptr_nonnull(f->rule);
	f->severity = sev;
	f->message = xstrdup(message);
	f->pos = pos;
	f->object = object ? xstrdup(object) : NULL;
}

static void fixture_init(struct fixture *x, const char *file)
{
	size_t i;

	memset(x, 0, sizeof(*x));
	x->t.file = file;
	x->t.databases = x->db;
	x->t.ndatabases = 1;
	x->t.poolers = x->pl;
	x->t.npoolers = 1;
	x->t.clients = x->cl;
	x->t.nclients = 3;

	x->db[0].id = (struct str){ "main", at(file, 4, 3) };
	x->pl[0].id = (struct str){ "bouncer", at(file, 12, 3) };
	x->pl[0].type.v = POOLER_PGBOUNCER;
	x->pl[0].db = 0;
	x->cl[0].id = (struct str){ "api", at(file, 20, 3) };
	x->cl[0].type.v = CLIENT_SERVICE;
	x->cl[0].connects_to.s = "main";
	x->cl[0].target = 0;
	x->cl[1].id = (struct str){ "web", at(file, 28, 3) };
	x->cl[1].type.v = CLIENT_SERVICE;
	x->cl[1].connects_to.s = "bouncer";
	x->cl[1].via_pooler = true;
	x->cl[1].target = 0;
	x->cl[2].id = (struct str){ "metrics", at(file, 36, 3) };
	x->cl[2].type.v = CLIENT_TOOL;
	x->cl[2].connects_to.s = "main";
	x->cl[2].target = 0;
	/* what the figures below derive from (budget_client) */
	x->cl[0].pool.size = (struct num){ 20, at(file, 22, 11) };
	x->cl[0].replicas = (struct num){ 3, at(file, 23, 15) };
	x->cl[0].processes = (struct num){ 2, at(file, 24, 16) };
	x->cl[1].pool.size = (struct num){ 10, at(file, 30, 11) };
	x->cl[1].pool.acquire_timeout = (struct num){ 5000, at(file, 30, 36) };
	x->cl[1].replicas = (struct num){ 10, at(file, 31, 15) };
	x->cl[1].max_replicas = (struct num){ 30, at(file, 32, 19) };
	x->cl[1].processes = (struct num){ 2, at(file, 33, 16) };
	x->cl[2].pool.size = (struct num){ 2, at(file, 38, 11) };
	model_index(&x->t);

	x->dbf[0] = (struct db_fig){
		.max_connections = 100, .superuser_reserved = 3, .reserved = 0, .headroom = 10,
		.capacity = 97, .budget = 90, .has_optimum = true, .optimum = 8,
		.demand = { 147, 147, false }, .utilization = 1.47,
		.contrib = x->contrib, .ncontrib = 3,
	};
	x->contrib[0] = (struct contrib){ CONTRIB_POOLER, 0 };
	x->contrib[1] = (struct contrib){ CONTRIB_CLIENT, 0 };
	x->contrib[2] = (struct contrib){ CONTRIB_CLIENT, 2 };
	x->plf[0] = (struct pooler_fig){
		.cap = 25, .client_demand = { 200, 600, false }, .has_client_limit = true,
		.client_limit = 1000, .server = { 25, 25, false }, .instances = 1,
		.default_pool_size = 20, .reserve_pool_size = 5, .max_client_conn = 1000,
		.users = 1, .pool_mode = POOL_TRANSACTION,
	};
	x->conn[0] = (struct client_conn){ 120, 120 };
	x->conn[1] = (struct client_conn){ 200, 600 };
	x->conn[2] = (struct client_conn){ 2, 2 };
	x->b = (struct budget){ &x->t, x->conn, x->conn_unbounded, x->conn_unknown, x->plf, x->dbf, 100 };

	x->f.level = xcalloc(rule_count, sizeof(int));
	for (i = 0; i < rule_count; i++)
		x->f.level[i] = (int)rule_registry[i].severity;
	add_finding(x, "CB001", SEV_ERROR, at(file, 4, 3), "databases.main",
		    "peak demand 147 exceeds capacity 97 on database 'main' (api 120, bouncer 25, metrics 2)");
	add_finding(x, "CB003", SEV_INFO, at(file, 4, 3), "databases.main",
		    "peak demand 147 exceeds optimum 8 on database 'main'");
	add_finding(x, "CB007", SEV_WARNING, at(file, 21, 5), "clients.api",
		    "pool of client 'api' has no acquire_timeout");

	x->rf = (struct report_file){ &x->t, &x->b, &x->f };
}

static void fixture_release(struct fixture *x)
{
	size_t i;

	for (i = 0; i < x->f.n; i++) {
		free(x->f.v[i].message);
		free(x->f.v[i].object);
	}
	free(x->f.v);
	free(x->f.level);
	strmap_release(&x->t.db_index);
	strmap_release(&x->t.pooler_index);
	strmap_release(&x->t.client_index);
}

static struct report make_report(const struct report_file *files, size_t n, const char *command)
{
	struct report r = { 0 };

	r.files = files;
	r.nfiles = n;
	r.command = command;
	r.version = "1.0.0";
	r.fail_on = SEV_ERROR;
	return r;
}

/* Render r in format f into a new string (caller frees); asserts success. */
static char *render(enum report_format f, const struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(report_write(out, f, r), 0);
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

/* Render the fixture in format f with command "check". */
static char *render_fixture(enum report_format f, const char *command, bool quiet, bool color)
{
	struct fixture x;
	struct report r;
	char *s;

	fixture_init(&x, FILE_A);
	r = make_report(&x.rf, 1, command);
	r.quiet = quiet;
	r.color = color;
	s = render(f, &r);
	fixture_release(&x);
	return s;
}

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	ck_assert_msg(j != NULL, "not JSON: %s", s);
	return j;
}

static cJSON *get(const cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(v != NULL, "missing key \"%s\"", key);
	return v;
}

static double num(const cJSON *o, const char *key)
{
	cJSON *v = get(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "\"%s\" is not a number", key);
	return v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
	cJSON *v = get(o, key);

	ck_assert_msg(cJSON_IsString(v), "\"%s\" is not a string", key);
	return v->valuestring;
}

/* ---- names and the verdict ------------------------------------------ */

START_TEST(test_format_names)
{
	static const char *const names[] = { "text", "json", "sarif", "github", "junit", "gcc", "markdown" };
	enum report_format f;
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		ck_assert(report_format_parse(names[i], &f));
		ck_assert_str_eq(report_format_name(f), names[i]);
	}
	ck_assert(!report_format_parse("xml", &f));
	ck_assert(!report_format_parse("", &f));
	ck_assert(!report_format_parse("JSON", &f));
}
END_TEST

START_TEST(test_failed)
{
	struct summary none = { 0, 0, 0 }, info = { 0, 0, 1 }, warn = { 0, 2, 0 }, err = { 1, 0, 0 };

	ck_assert(!report_failed(&none, SEV_INFO));
	ck_assert(!report_failed(&none, SEV_ERROR));
	ck_assert(report_failed(&info, SEV_INFO));
	ck_assert(!report_failed(&info, SEV_WARNING));
	ck_assert(report_failed(&warn, SEV_WARNING));
	ck_assert(report_failed(&warn, SEV_INFO));
	ck_assert(!report_failed(&warn, SEV_ERROR));
	ck_assert(report_failed(&err, SEV_ERROR));
	ck_assert(report_failed(&err, SEV_INFO));
	ck_assert(!report_failed(&err, LEVEL_OFF));
}
END_TEST

START_TEST(test_write_error)
{
	FILE *full = fopen("/dev/full", "w");
	struct fixture x;
	struct report r;

	if (!full)
		return; /* no /dev/full on this system */
	fixture_init(&x, FILE_A);
	r = make_report(&x.rf, 1, "check");
	ck_assert_int_eq(report_write(full, REPORT_TEXT, &r), -1);
	clearerr(full);
	ck_assert_int_eq(report_write(full, REPORT_JSON, &r), -1);
	fclose(full);
	fixture_release(&x);
}
END_TEST

/* ---- text and gcc ---------------------------------------------------- */

static const char expected_table[] =
	"database 'main' (infra/cb.yaml)\n"
	"  contributor      kind       steady    peak\n"
	"  bouncer          pgbouncer      25      25\n"
	"    web            service       200     600  client side, not counted\n"
	"  api              service       120     120\n"
	"  metrics          tool            2       2\n"
	"  ------------------------------------------\n"
	"  demand                         147     147\n"
	"  max_connections                        100\n"
	"  capacity                                97  max_connections - reserved slots\n"
	"  budget                                  90  capacity, keeping headroom free\n"
	"  optimum                                  8  cores x 2 + spindles\n"
	"  utilization                           147%  peak / max_connections\n";

static const char expected_findings[] =
	"infra/cb.yaml:4:3: error: peak demand 147 exceeds capacity 97 on database 'main' "
	"(api 120, bouncer 25, metrics 2) [CB001 over-capacity]\n"
	"infra/cb.yaml:4:3: info: peak demand 147 exceeds optimum 8 on database 'main' "
	"[CB003 above-optimum]\n"
	"infra/cb.yaml:21:5: warning: pool of client 'api' has no acquire_timeout "
	"[CB007 no-acquire-timeout]\n";

START_TEST(test_text_check)
{
	char *s = render_fixture(REPORT_TEXT, "check", false, false);
	struct sbuf want = { 0 };

	sbuf_puts(&want, expected_table);
	sbuf_puts(&want, "\n");
	sbuf_puts(&want, expected_findings);
	sbuf_puts(&want, "1 error, 1 warning, 1 info in 1 file: failed\n");
	ck_assert_str_eq(s, want.s);
	ck_assert_ptr_null(strchr(s, '\033'));
	sbuf_release(&want);
	free(s);
}
END_TEST

START_TEST(test_text_quiet)
{
	char *s = render_fixture(REPORT_TEXT, "check", true, false);
	struct sbuf want = { 0 };

	sbuf_puts(&want, expected_findings);
	sbuf_puts(&want, "1 error, 1 warning, 1 info in 1 file: failed\n");
	ck_assert_str_eq(s, want.s);
	sbuf_release(&want);
	free(s);
}
END_TEST

START_TEST(test_text_color)
{
	char *s = render_fixture(REPORT_TEXT, "check", true, true);

	ck_assert_ptr_nonnull(strstr(s, ANSI_RED "error:" ANSI_RESET));
	ck_assert_ptr_nonnull(strstr(s, ANSI_YELLOW "warning:" ANSI_RESET));
	ck_assert_ptr_nonnull(strstr(s, ANSI_BLUE "info:" ANSI_RESET));
	ck_assert_ptr_nonnull(strstr(s, "[" ANSI_BOLD "CB001" ANSI_RESET " over-capacity]"));
	ck_assert_ptr_nonnull(strstr(s, ANSI_RED "1 error, 1 warning, 1 info in 1 file: failed" ANSI_RESET "\n"));
	free(s);
}
END_TEST

START_TEST(test_text_summary_words)
{
	struct fixture x;
	struct report r;
	char *s;

	fixture_init(&x, FILE_A);
	x.f.n = 0; /* no findings (freed by fixture_release through v) */
	r = make_report(&x.rf, 1, "check");
	r.quiet = true;
	r.color = true;
	s = render(REPORT_TEXT, &r);
	ck_assert_str_eq(s, ANSI_GREEN "0 errors, 0 warnings, 0 infos in 1 file: passed" ANSI_RESET "\n");
	free(s);
	x.f.n = 3;
	r.color = false;
	r.fail_on = LEVEL_OFF;
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "1 error, 1 warning, 1 info in 1 file: passed\n"));
	free(s);
	r.fail_on = SEV_INFO;
	x.f.v[0].severity = SEV_INFO;
	x.f.v[2].severity = SEV_INFO;
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "0 errors, 0 warnings, 3 infos in 1 file: failed\n"));
	free(s);
	fixture_release(&x);
}
END_TEST

START_TEST(test_text_report_extended)
{
	char *s = render_fixture(REPORT_TEXT, "report", false, false);

	ck_assert_ptr_nonnull(strstr(s, expected_table));
	ck_assert_ptr_nonnull(strstr(s, "  utilization                           147%  peak / max_connections\n"
					"  headroom left                          -57  over budget by 57\n"
					"  [########################################]> 147%\n\n"));
	ck_assert_ptr_null(strchr(s, '\033'));
	free(s);
}
END_TEST

START_TEST(test_text_gauge_and_headroom)
{
	struct fixture x;
	struct report r;
	char *s;

	fixture_init(&x, FILE_A);
	x.dbf[0].demand = (struct amount){ .steady = 50, .peak = 62 };
	x.dbf[0].utilization = 0.62;
	r = make_report(&x.rf, 1, "plan");
	r.quiet = false;
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "  headroom left                           28  budget - peak\n"
					"  [#########################...............]  62%\n"));
	free(s);
	r.color = true;
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "  [" ANSI_GREEN "#########################" ANSI_RESET
					"...............]  62%\n"));
	free(s);
	r.color = false;
	/* api's pool is unbounded (CB010) and it connects directly */
	x.cl[0].pool.size.v = 0; /* size 0: no limit */
	x.conn[0] = (struct client_conn){ 0, 0 };
	x.conn_unbounded[0] = true;
	x.dbf[0].demand = (struct amount){ .unbounded = true };
	x.dbf[0].utilization = 0;
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "  api              service    unbounded  unbounded\n"));
	ck_assert_ptr_nonnull(strstr(s, "  demand                      unbounded  unbounded\n"));
	ck_assert_ptr_nonnull(strstr(s, "  utilization                            unbounded  peak / max_connections\n"));
	ck_assert_ptr_nonnull(strstr(s, "  headroom left                               none  demand is unbounded\n"));
	ck_assert_ptr_nonnull(strstr(s, "  [########################################]> unbounded\n"));
	free(s);
	fixture_release(&x);
}
END_TEST

START_TEST(test_gcc)
{
	char *s = render_fixture(REPORT_GCC, "check", false, true);

	ck_assert_str_eq(s, expected_findings);
	free(s);
}
END_TEST

START_TEST(test_two_files)
{
	struct fixture a, b;
	struct report_file files[2];
	struct report r;
	cJSON *j, *e;
	char *s;

	fixture_init(&a, "a.yaml");
	fixture_init(&b, "b.yaml");
	files[0] = a.rf;
	files[1] = b.rf;
	r = make_report(files, 2, "check");
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "database 'main' (a.yaml)\n"));
	ck_assert_ptr_nonnull(strstr(s, "database 'main' (b.yaml)\n"));
	ck_assert_ptr_nonnull(strstr(s, "a.yaml:21:5: warning"));
	ck_assert_ptr_nonnull(strstr(s, "b.yaml:21:5: warning"));
	ck_assert(strstr(s, "a.yaml:21:5") < strstr(s, "b.yaml:4:3"));
	ck_assert_ptr_nonnull(strstr(s, "2 errors, 2 warnings, 2 infos in 2 files: failed\n"));
	free(s);

	s = render(REPORT_JSON, &r);
	j = parse(s);
	ck_assert_int_eq(cJSON_GetArraySize(get(j, "files")), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(get(j, "files"), 1)->valuestring, "b.yaml");
	ck_assert_int_eq(cJSON_GetArraySize(get(j, "databases")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(get(j, "clients")), 6);
	e = cJSON_GetArrayItem(get(j, "databases"), 1);
	ck_assert_str_eq(str(e, "file"), "b.yaml");
	e = cJSON_GetArrayItem(get(j, "poolers"), 1);
	ck_assert_str_eq(str(e, "file"), "b.yaml");
	e = cJSON_GetArrayItem(get(j, "clients"), 4);
	ck_assert_str_eq(str(e, "file"), "b.yaml");
	ck_assert_str_eq(str(e, "id"), "web");
	e = cJSON_GetArrayItem(get(j, "findings"), 3);
	ck_assert_str_eq(str(e, "file"), "b.yaml");
	ck_assert_int_eq((int)num(get(j, "summary"), "errors"), 2);
	cJSON_Delete(j);
	free(s);
	fixture_release(&a);
	fixture_release(&b);
}
END_TEST

/* ---- json ------------------------------------------------------------ */

START_TEST(test_json_shape)
{
	char *s = render_fixture(REPORT_JSON, "check", false, false);
	cJSON *j = parse(s), *db, *c, *p, *f, *sum;

	ck_assert_str_eq(str(get(j, "tool"), "name"), "connbudget");
	ck_assert_str_eq(str(get(j, "tool"), "version"), "1.0.0");
	ck_assert_str_eq(cJSON_GetArrayItem(get(j, "files"), 0)->valuestring, FILE_A);

	db = cJSON_GetArrayItem(get(j, "databases"), 0);
	ck_assert_str_eq(str(db, "id"), "main");
	ck_assert_str_eq(str(db, "file"), FILE_A);
	ck_assert_int_eq((int)num(db, "max_connections"), 100);
	ck_assert_int_eq((int)num(db, "capacity"), 97);
	ck_assert_int_eq((int)num(db, "budget"), 90);
	ck_assert_int_eq((int)num(db, "optimum"), 8);
	ck_assert_int_eq((int)num(get(db, "demand"), "steady"), 147);
	ck_assert_int_eq((int)num(get(db, "demand"), "peak"), 147);
	ck_assert(cJSON_IsFalse(get(get(db, "demand"), "unbounded")));
	ck_assert_double_eq_tol(num(db, "utilization"), 1.47, 1e-12);
	ck_assert_int_eq(cJSON_GetArraySize(get(db, "contributors")), 3);
	c = cJSON_GetArrayItem(get(db, "contributors"), 0);
	ck_assert_str_eq(str(c, "id"), "bouncer");
	ck_assert_str_eq(str(c, "kind"), "pooler");
	ck_assert_int_eq((int)num(c, "peak"), 25);
	c = cJSON_GetArrayItem(get(db, "contributors"), 1);
	ck_assert_str_eq(str(c, "id"), "api");
	ck_assert_str_eq(str(c, "kind"), "client");
	ck_assert_int_eq((int)num(c, "steady"), 120);

	p = cJSON_GetArrayItem(get(j, "poolers"), 0);
	ck_assert_str_eq(str(p, "id"), "bouncer");
	ck_assert_str_eq(str(p, "database"), "main");
	ck_assert_str_eq(str(p, "file"), FILE_A);
	ck_assert_int_eq((int)num(p, "cap"), 25);
	ck_assert_int_eq((int)num(p, "client_limit"), 1000);
	ck_assert_int_eq((int)num(get(p, "client_demand"), "peak"), 600);
	ck_assert_int_eq((int)num(get(p, "server"), "peak"), 25);
	ck_assert_str_eq(cJSON_GetArrayItem(get(p, "clients"), 0)->valuestring, "web");

	c = cJSON_GetArrayItem(get(j, "clients"), 1);
	ck_assert_str_eq(str(c, "id"), "web");
	ck_assert_str_eq(str(c, "connects_to"), "bouncer");
	ck_assert_str_eq(str(c, "via"), "pooler");
	ck_assert_str_eq(str(c, "database"), "main");
	ck_assert_int_eq((int)num(c, "steady"), 200);
	ck_assert_int_eq((int)num(c, "peak"), 600);
	ck_assert_int_eq((int)num(c, "peak_instances"), 30);
	ck_assert_int_eq((int)num(c, "acquire_timeout_ms"), 5000);
	ck_assert(cJSON_IsNull(get(c, "needed")));
	ck_assert(cJSON_IsNull(get(cJSON_GetArrayItem(get(j, "clients"), 0), "acquire_timeout_ms")));

	ck_assert_int_eq(cJSON_GetArraySize(get(j, "findings")), 3);
	f = cJSON_GetArrayItem(get(j, "findings"), 0);
	ck_assert_str_eq(str(f, "rule"), "CB001");
	ck_assert_str_eq(str(f, "name"), "over-capacity");
	ck_assert_str_eq(str(f, "severity"), "error");
	ck_assert_str_eq(str(f, "file"), FILE_A);
	ck_assert_int_eq((int)num(f, "line"), 4);
	ck_assert_int_eq((int)num(f, "column"), 3);
	ck_assert_str_eq(str(f, "object"), "databases.main");
	ck_assert_ptr_nonnull(strstr(str(f, "message"), "exceeds capacity 97"));

	sum = get(j, "summary");
	ck_assert_int_eq((int)num(sum, "errors"), 1);
	ck_assert_int_eq((int)num(sum, "warnings"), 1);
	ck_assert_int_eq((int)num(sum, "infos"), 1);
	ck_assert(cJSON_IsFalse(get(sum, "passed")));
	ck_assert_str_eq(str(sum, "fail_on"), "error");
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(test_json_unbounded_and_big)
{
	struct fixture x;
	struct report r;
	cJSON *j, *c, *db;
	char *s;

	fixture_init(&x, FILE_A);
	/* api: a CB010 pool straight on the database */
	x.cl[0].pool.size.v = 0; /* size 0: no limit */
	x.conn[0] = (struct client_conn){ 0, 0 };
	x.conn_unbounded[0] = true;
	x.dbf[0].demand = (struct amount){ .unbounded = true };
	x.dbf[0].utilization = 0;
	x.dbf[0].has_optimum = false;
	/* metrics: more than 2^53, which a double cannot hold: 3 x (2^53 + 1) / 3, 3 x (2^64 - 1) / 3 */
	x.cl[2].pool.size.v = 3;
	x.cl[2].replicas = (struct num){ 3002399751580331ULL, at(FILE_A, 39, 15) };
	x.cl[2].max_replicas = (struct num){ 6148914691236517205ULL, at(FILE_A, 40, 19) };
	x.conn[2] = (struct client_conn){ 9007199254740993ULL, UINT64_MAX };
	r = make_report(&x.rf, 1, "check");
	r.fail_on = LEVEL_OFF;
	s = render(REPORT_JSON, &r);
	ck_assert_ptr_nonnull(strstr(s, "9007199254740993"));
	ck_assert_ptr_nonnull(strstr(s, "18446744073709551615"));
	{
		/* exact in the contributor and in the client's own entry (derived again) */
		const char *exact = "\"steady\":9007199254740993,\"peak\":18446744073709551615,";
		const char *first = strstr(s, exact);

		ck_assert_ptr_nonnull(first);
		ck_assert_ptr_nonnull(strstr(first + 1, exact));
	}
	j = parse(s);
	c = cJSON_GetArrayItem(get(j, "clients"), 0);
	ck_assert(cJSON_IsNull(get(c, "steady")));
	ck_assert(cJSON_IsNull(get(c, "peak")));
	ck_assert(cJSON_IsNull(get(c, "pool_size")));
	ck_assert(cJSON_IsNull(get(c, "per_process")));
	ck_assert(cJSON_IsTrue(get(c, "unbounded")));
	db = cJSON_GetArrayItem(get(j, "databases"), 0);
	ck_assert(cJSON_IsNull(get(get(db, "demand"), "peak")));
	ck_assert(cJSON_IsTrue(get(get(db, "demand"), "unbounded")));
	ck_assert(cJSON_IsNull(get(db, "utilization")));
	ck_assert(cJSON_IsTrue(get(db, "unbounded")));
	ck_assert(cJSON_IsNull(get(db, "optimum")));
	c = cJSON_GetArrayItem(get(db, "contributors"), 1);
	ck_assert(cJSON_IsNull(get(c, "peak")));
	ck_assert(cJSON_IsTrue(get(c, "unbounded")));
	ck_assert(cJSON_IsTrue(get(get(j, "summary"), "passed")));
	ck_assert_str_eq(str(get(j, "summary"), "fail_on"), "never");
	cJSON_Delete(j);
	free(s);
	fixture_release(&x);
}
END_TEST

START_TEST(test_json_escaping)
{
	struct fixture x;
	struct report r;
	cJSON *j;
	char *s;

	fixture_init(&x, FILE_A);
	free(x.f.v[0].message);
	x.f.v[0].message = xstrdup("quote \" backslash \\ newline \n tab \t {a: [b, c]} \\\"");
	r = make_report(&x.rf, 1, "check");
	s = render(REPORT_JSON, &r);
	/* two-space indentation, "key": value */
	ck_assert_ptr_eq(strstr(s, "{\n  \"tool\": {\n    \"name\": \"connbudget\",\n"), s);
	j = parse(s);
	ck_assert_str_eq(str(cJSON_GetArrayItem(get(j, "findings"), 0), "message"),
			 "quote \" backslash \\ newline \n tab \t {a: [b, c]} \\\"");
	cJSON_Delete(j);
	free(s);
	fixture_release(&x);
}
END_TEST

/*
 * s through the writer, as an array element, against cJSON's own printing
 * of s with its invalid UTF-8 mended (quote_utf8: U+FFFD per byte).
 */
static void assert_writer_string(const char *s)
{
	struct report_jw w;
	struct sbuf mended = { 0 };
	char *buf, *want;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	cJSON *item;

	quote_utf8(&mended, s, strlen(s));
	item = cJSON_CreateString(mended.s);
	sbuf_release(&mended);

	report_jw_init(&w, f);
	report_jw_open(&w, NULL, true);
	report_jw_begin(&w, NULL, true);
	report_jw_str(&w, NULL, s);
	report_jw_end(&w, true);
	report_jw_close(&w, true);
	ck_assert_int_eq(report_jw_finish(&w), 0);
	fclose(f);
	want = cJSON_PrintUnformatted(item);
	ck_assert_uint_eq(len, strlen(want) + 9); /* "[\n  [" ... "]\n]\n" */
	ck_assert_int_eq(memcmp(buf + 5, want, strlen(want)), 0);
	cJSON_free(want);
	cJSON_Delete(item);
	free(buf);
}

/*
 * The writer copies a string that needs no escaping and hands any other to
 * cJSON: either way, byte for byte what cJSON prints (for invalid UTF-8:
 * of the string with U+FFFD in its place). Every byte value at
 * every place of strings of 1 to 19 bytes (shorter than a word, whole
 * words, words and an overlapping last word), and a double.
 */
START_TEST(test_json_writer_matches_cjson)
{
	static const size_t lens[] = { 1, 5, 7, 8, 9, 16, 19 };
	char in[20], *buf, *want;
	size_t len, i, l;
	int c;

	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		for (c = 1; c < 256; c++) {
			for (i = 0; i < lens[l]; i++) {
				memset(in, 'a', lens[l]);
				in[lens[l]] = '\0';
				in[i] = (char)c;
				assert_writer_string(in);
			}
		}
	}
	{
		struct report_jw w;
		FILE *f = open_memstream(&buf, &len);
		cJSON *item = cJSON_CreateNumber(0.1 + 0.2);

		report_jw_init(&w, f);
		report_jw_open(&w, NULL, false);
		report_jw_double(&w, "u", 0.1 + 0.2);
		report_jw_close(&w, false);
		ck_assert_int_eq(report_jw_finish(&w), 0);
		fclose(f);
		want = cJSON_PrintUnformatted(item);
		ck_assert_ptr_nonnull(strstr(buf, want));
		cJSON_free(want);
		cJSON_Delete(item);
		free(buf);
	}
}
END_TEST

/* A close that does not match its open fails the document. */
START_TEST(test_json_writer_misnested)
{
	struct report_jw w;
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	report_jw_init(&w, f);
	report_jw_open(&w, NULL, false);
	report_jw_begin(&w, "entry", false);
	report_jw_close(&w, false); /* the entry is still open */
	ck_assert_int_eq(report_jw_finish(&w), -1);
	fclose(f);
	free(buf);
}
END_TEST

/* ---- sarif ----------------------------------------------------------- */

START_TEST(test_sarif)
{
	char *s = render_fixture(REPORT_SARIF, "check", false, false);
	cJSON *j = parse(s), *run, *driver, *rules, *res, *loc, *region, *rule;
	size_t cb003 = rule_index(rule_find("CB003"));
	const char *full;
	char *start;

	ck_assert_str_eq(str(j, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
	ck_assert_str_eq(str(j, "version"), "2.1.0");
	ck_assert_int_eq(cJSON_GetArraySize(get(j, "runs")), 1);
	run = cJSON_GetArrayItem(get(j, "runs"), 0);
	driver = get(get(run, "tool"), "driver");
	ck_assert_str_eq(str(driver, "name"), "connbudget");
	ck_assert_str_eq(str(driver, "version"), "1.0.0");
	ck_assert_str_eq(str(driver, "informationUri"), "https://github.com/connbudget/connbudget");
	rules = get(driver, "rules");
	ck_assert_int_eq(cJSON_GetArraySize(rules), (int)rule_count);
	rule = cJSON_GetArrayItem(rules, (int)cb003);
	ck_assert_str_eq(str(rule, "id"), "CB003");
	ck_assert_str_eq(str(rule, "name"), "above-optimum");
	ck_assert_str_eq(str(get(rule, "shortDescription"), "text"), rule_registry[cb003].summary);
	ck_assert_str_eq(str(get(rule, "help"), "text"), rule_registry[cb003].doc);
	/* fullDescription: the documentation's first paragraph as one line of prose */
	full = str(get(rule, "fullDescription"), "text");
	ck_assert_uint_gt(strlen(full), 10);
	ck_assert_ptr_null(strchr(full, '\n'));
	start = xstrndup(full, 10);
	ck_assert_ptr_nonnull(strstr(rule_registry[cb003].doc, start));
	free(start);
	ck_assert_str_eq(str(get(rule, "defaultConfiguration"), "level"), "note");

	ck_assert_int_eq(cJSON_GetArraySize(get(run, "results")), 3);
	res = cJSON_GetArrayItem(get(run, "results"), 0);
	ck_assert_str_eq(str(res, "ruleId"), "CB001");
	ck_assert_int_eq((int)num(res, "ruleIndex"), (int)rule_index(rule_find("CB001")));
	ck_assert_str_eq(str(res, "level"), "error");
	ck_assert_ptr_nonnull(strstr(str(get(res, "message"), "text"), "exceeds capacity 97"));
	ck_assert_int_eq(cJSON_GetArraySize(get(res, "locations")), 1);
	loc = get(cJSON_GetArrayItem(get(res, "locations"), 0), "physicalLocation");
	ck_assert_str_eq(str(get(loc, "artifactLocation"), "uri"), FILE_A);
	region = get(loc, "region");
	ck_assert_int_eq((int)num(region, "startLine"), 4);
	ck_assert_int_eq((int)num(region, "startColumn"), 3);
	ck_assert_int_eq((int)num(region, "endLine"), 4);
	ck_assert_int_eq((int)num(region, "endColumn"), 7); /* "main" */

	res = cJSON_GetArrayItem(get(run, "results"), 1);
	ck_assert_str_eq(str(res, "level"), "note");
	res = cJSON_GetArrayItem(get(run, "results"), 2);
	ck_assert_str_eq(str(res, "level"), "warning");
	region = get(get(cJSON_GetArrayItem(get(res, "locations"), 0), "physicalLocation"), "region");
	ck_assert_int_eq((int)num(region, "startColumn"), 5);
	ck_assert_int_eq((int)num(region, "endColumn"), 6); /* not at the id: one character */
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* ---- github ---------------------------------------------------------- */

static char *escaped(void (*fn)(struct sbuf *, const char *), const char *s)
{
	struct sbuf b = { 0 };

	fn(&b, s);
	return sbuf_detach(&b);
}

START_TEST(test_github_escape)
{
	static const struct {
		const char *in, *data, *property;
	} cases[] = {
		{ "%", "%25", "%25" },
		/* a line break of the input is shown as quote_text shows it */
		{ "\r", "\\r", "\\r" },
		{ "\n", "\\n", "\\n" },
		{ "\x1b]52;\a", "\\e]52;\\x07", "\\e]52;\\x07" },
		{ "\xe2\x80\xae", "\\u202e", "\\u202e" },
		{ "\xff", "\\xFF", "\\xFF" },
		{ ":", ":", "%3A" },
		{ ",", ",", "%2C" },
		{ "plain text", "plain text", "plain text" },
		{ "%0A", "%250A", "%250A" },            /* an escape in the input stays literal */
		{ "a:b,c%d\r\ne", "a:b,c%25d\\r\\ne", "a%3Ab%2Cc%25d\\r\\ne" },
		{ "", "", "" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *d = escaped(report_github_escape_data, cases[i].in);
		char *p = escaped(report_github_escape_property, cases[i].in);
		ck_assert_str_eq(d, cases[i].data);
		ck_assert_str_eq(p, cases[i].property);
		free(d);
		free(p);
	}
}
END_TEST

START_TEST(test_github_output)
{
	struct fixture x;
	struct report r;
	char *s;

	fixture_init(&x, "dir,x/a:b.yaml");
	free(x.f.v[2].message);
	x.f.v[2].message = xstrdup("100% used\nsecond line");
	r = make_report(&x.rf, 1, "check");
	s = render(REPORT_GITHUB, &r);
	ck_assert_str_eq(s,
		"::error file=dir%2Cx/a%3Ab.yaml,line=4,col=3,title=CB001 over-capacity::peak demand 147 "
		"exceeds capacity 97 on database 'main' (api 120, bouncer 25, metrics 2)\n"
		/* the most severe first: the warning before the notice */
		"::warning file=dir%2Cx/a%3Ab.yaml,line=21,col=5,title=CB007 no-acquire-timeout::100%25 used"
		"\\nsecond line\n"
		"::notice file=dir%2Cx/a%3Ab.yaml,line=4,col=3,title=CB003 above-optimum::peak demand 147 "
		"exceeds optimum 8 on database 'main'\n");
	free(s);
	fixture_release(&x);
}
END_TEST

/* ---- junit ----------------------------------------------------------- */

static char *xml_escaped(const char *s, bool attr)
{
	struct sbuf b = { 0 };

	report_xml_escape(&b, s, attr);
	return sbuf_detach(&b);
}

START_TEST(test_xml_escape)
{
	static const struct {
		const char *in, *text, *attr;
	} cases[] = {
		{ "&", "&amp;", "&amp;" },
		{ "<", "&lt;", "&lt;" },
		{ ">", "&gt;", "&gt;" },
		{ "\"", "&quot;", "&quot;" },
		{ "'", "&apos;", "&apos;" },
		{ "a\tb", "a\tb", "a&#9;b" },
		{ "a\nb", "a\nb", "a&#10;b" },
		{ "a\rb", "a&#13;b", "a&#13;b" },
		{ "\x01", "\xEF\xBF\xBD", "\xEF\xBF\xBD" },        /* C0 control: not XML 1.0 */
		{ "\x1b[31m", "\xEF\xBF\xBD[31m", "\xEF\xBF\xBD[31m" },
		{ "\xff", "\xEF\xBF\xBD", "\xEF\xBF\xBD" },        /* not UTF-8 */
		{ "\xC3", "\xEF\xBF\xBD", "\xEF\xBF\xBD" },        /* truncated sequence */
		{ "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD" }, /* overlong */
		{ "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
		  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },       /* a UTF-16 surrogate */
		{ "\xEF\xBF\xBE", "\xEF\xBF\xBD", "\xEF\xBF\xBD" }, /* U+FFFE */
		{ "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x98", "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x98",
		  "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x98" },   /* é → 🐘 kept */
		{ "a<b & 'c'", "a&lt;b &amp; &apos;c&apos;", "a&lt;b &amp; &apos;c&apos;" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *t = xml_escaped(cases[i].in, false);
		char *a = xml_escaped(cases[i].in, true);
		ck_assert_msg(strcmp(t, cases[i].text) == 0, "case %zu text: got \"%s\"", i, t);
		ck_assert_msg(strcmp(a, cases[i].attr) == 0, "case %zu attr: got \"%s\"", i, a);
		free(t);
		free(a);
	}
}
END_TEST

/* Occurrences of needle in s. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

START_TEST(test_junit)
{
	struct fixture x;
	struct report r;
	size_t i, db_rules = 0, pooler_rules = 0, client_rules = 0, tests;
	char *s, *want;

	fixture_init(&x, FILE_A);
	/* CB002 is turned off: no testcases for it */
	x.f.level[rule_index(rule_find("CB002"))] = LEVEL_OFF;
	free(x.f.v[1].message);
	x.f.v[1].message = xstrdup("<peak> & \"optimum\" \x01");
	/* a second CB007 finding on the same client, and a CB018 (no per-object check) */
	add_finding(&x, "CB007", SEV_WARNING, at(FILE_A, 22, 5), "clients.api", "second pool");
	add_finding(&x, "CB018", SEV_ERROR, at("pgbouncer.ini", 3, 1), "poolers.bouncer", "differs");
	x.rf.findings = &x.f;
	for (i = 0; i < rule_count; i++) {
		const struct rule *rule = &rule_registry[i];
		if (x.f.level[i] == LEVEL_OFF || !rule->check)
			continue;
		db_rules += rule->scope == SCOPE_DATABASE;
		pooler_rules += rule->scope == SCOPE_POOLER;
		client_rules += rule->scope == SCOPE_CLIENT;
	}
	/* rule × object, plus the second CB007 and the CB018 */
	tests = db_rules * 1 + pooler_rules * 1 + client_rules * 3 + 2;
	r = make_report(&x.rf, 1, "check");
	s = render(REPORT_JUNIT, &r);

	ck_assert_ptr_eq(strstr(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), s);
	want = xasprintf("<testsuites name=\"connbudget\" tests=\"%zu\" failures=\"5\" errors=\"0\">\n"
			 "  <testsuite name=\"infra/cb.yaml\" tests=\"%zu\" failures=\"5\" errors=\"0\">\n",
			 tests, tests);
	ck_assert_ptr_nonnull(strstr(s, want));
	free(want);
	ck_assert_uint_eq(count(s, "<testcase "), tests);
	ck_assert_uint_eq(count(s, "<failure "), 5);
	ck_assert_uint_eq(count(s, "CB002 no-headroom"), 0);
	ck_assert_ptr_nonnull(strstr(s,
		"    <testcase name=\"CB001 over-capacity: databases.main\" classname=\"infra/cb.yaml\">\n"
		"      <failure type=\"CB001\" message=\"peak demand 147 exceeds capacity 97 on database "
		"&apos;main&apos; (api 120, bouncer 25, metrics 2)\">infra/cb.yaml:4:3: error: peak "
		"demand 147 exceeds capacity 97 on database &apos;main&apos; (api 120, bouncer 25, "
		"metrics 2) [CB001 over-capacity]</failure>\n    </testcase>\n"));
	ck_assert_ptr_nonnull(strstr(s,
		"<failure type=\"CB003\" message=\"&lt;peak&gt; &amp; &quot;optimum&quot; \xEF\xBF\xBD\">"));
	ck_assert_ptr_nonnull(strstr(s,
		"<testcase name=\"CB007 no-acquire-timeout: clients.web\" classname=\"infra/cb.yaml\"/>\n"));
	ck_assert_ptr_nonnull(strstr(s, "<testcase name=\"CB007 no-acquire-timeout: clients.api\""));
	ck_assert_ptr_nonnull(strstr(s, "<testcase name=\"CB007 no-acquire-timeout: clients.api #2\""));
	ck_assert_ptr_nonnull(strstr(s, "<testcase name=\"CB018 config-mismatch: poolers.bouncer\""));
	ck_assert_ptr_nonnull(strstr(s, ">pgbouncer.ini:3:1: error: differs [CB018 config-mismatch]</failure>"));
	ck_assert_ptr_nonnull(strstr(s, "  </testsuite>\n</testsuites>\n"));
	free(s);
	fixture_release(&x);
}
END_TEST

/* ---- markdown -------------------------------------------------------- */

START_TEST(test_markdown)
{
	char *s = render_fixture(REPORT_MARKDOWN, "report", false, true);

	ck_assert_ptr_nonnull(strstr(s, "### Database `main` (infra/cb.yaml)\n\n"
					"| contributor | kind | steady | peak | note |\n"
					"|:--|:--|--:|--:|:--|\n"
					"| bouncer | pgbouncer | 25 | 25 | |\n"
					"| ↳ web | service | 200 | 600 | client side, not counted |\n"
					"| api | service | 120 | 120 | |\n"));
	ck_assert_ptr_nonnull(strstr(s, "| **demand** | | **147** | **147** | |\n"));
	ck_assert_ptr_nonnull(strstr(s, "| headroom left | | | -57 | over budget by 57 |\n"));
	ck_assert_ptr_nonnull(strstr(s, "### Findings\n\n"
					"- **error** `infra/cb.yaml:4:3` peak demand 147 exceeds capacity 97 "
					"on database 'main' (api 120, bouncer 25, metrics 2) (CB001 over-capacity)\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n\n**1 error, 1 warning, 1 info in 1 file: failed**\n"));
	ck_assert_ptr_null(strchr(s, '\033'));
	free(s);
}
END_TEST

START_TEST(test_markdown_escape)
{
	struct fixture x;
	struct report r;
	char *s;

	fixture_init(&x, FILE_A);
	free(x.f.v[0].message);
	x.f.v[0].message = xstrdup("a|b *c* _d_ max_connections <e> `f` [g]\nh");
	r = make_report(&x.rf, 1, "check");
	r.quiet = true;
	s = render(REPORT_MARKDOWN, &r);
	ck_assert_ptr_null(strstr(s, "### Database"));
	/* the line break is shown as \n (quote_text), its backslash escaped */
	ck_assert_ptr_nonnull(strstr(s, " a\\|b \\*c\\* \\_d\\_ max_connections \\<e\\> \\`f\\` \\[g\\]\\\\nh "
					"(CB001 over-capacity)\n"));
	free(s);
	fixture_release(&x);
}
END_TEST

/* ---- machine formats against their schemas (tests/validate.py) ------- */

/*
 * Write s to a temporary file and run validate.py KIND on it (from tests/,
 * where the runner starts); its exit status. quiet hides its complaints.
 */
static int validate(const char *kind, const char *s, bool quiet)
{
	char path[] = "/tmp/check_report.XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;
	char *cmd;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(s, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	cmd = xasprintf("/usr/bin/python3 validate.py %s %s%s", kind, path, quiet ? " 2>/dev/null" : "");
	rc = system(cmd);
	free(cmd);
	unlink(path);
	return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(test_validate_machine_formats)
{
	static const struct {
		enum report_format format;
		const char *kind;
	} formats[] = {
		{ REPORT_JSON, "report" },
		{ REPORT_SARIF, "sarif" },
		{ REPORT_JUNIT, "junit" },
		{ REPORT_GITHUB, "github" },
	};
	struct fixture x;
	struct report r;
	size_t i;

	fixture_init(&x, FILE_A);
	free(x.f.v[1].message);
	x.f.v[1].message = xstrdup("odd: 100%, \"quoted\" <tag> & \x01 ctrl\nnext line");
	x.cl[0].pool.size.v = 0; /* and an unbounded client */
	x.conn[0] = (struct client_conn){ 0, 0 };
	x.conn_unbounded[0] = true;
	x.dbf[0].demand = (struct amount){ .unbounded = true };
	r = make_report(&x.rf, 1, "check");
	for (i = 0; i < ARRAY_LEN(formats); i++) {
		char *s = render(formats[i].format, &r);
		ck_assert_msg(validate(formats[i].kind, s, false) == 0, "validate.py %s rejected:\n%s",
			      formats[i].kind, s);
		free(s);
	}
	fixture_release(&x);
}
END_TEST

START_TEST(test_validate_rejects)
{
	/* each document has exactly one fault; validate.py exits 1 for invalid */
	static const struct {
		const char *kind, *doc;
	} bad[] = {
		{ "report", "{\"tool\": {}}\n" },
		{ "sarif", "{\"version\": \"2.1.0\"}\n" },
		{ "junit", XML_DECL "<testsuites tests=\"1\" failures=\"1\"><testsuite name=\"a\" tests=\"1\" "
			   "failures=\"1\"><testcase name=\"x\" classname=\"a\"/></testsuite></testsuites>\n" },
		{ "junit", XML_DECL "<testsuites tests=\"2\" failures=\"0\"><testsuite name=\"a\" tests=\"2\" "
			   "failures=\"0\"><testcase name=\"x\" classname=\"a\"/><testcase name=\"x\" "
			   "classname=\"a\"/></testsuite></testsuites>\n" },
		{ "junit", XML_DECL "<testsuites tests=\"0\" failures=\"0\"><unclosed></testsuites>\n" },
		{ "github", "::error file=a,line=1,col=1,title=T::50% raw\n" },
		{ "github", "::error file=a:b,line=1,col=1,title=T::m\n" },
		{ "github", "plain text\n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_msg(validate(bad[i].kind, bad[i].doc, true) == 1, "validate.py %s accepted: %s",
			      bad[i].kind, bad[i].doc);
	ck_assert_int_eq(validate("junit", XML_DECL "<testsuites tests=\"1\" failures=\"0\"><testsuite "
				  "name=\"a\" tests=\"1\" failures=\"0\"><testcase name=\"x\" classname=\"a\"/>"
				  "</testsuite></testsuites>\n", false), 0);
}
END_TEST

/* ---- a command's sections ------------------------------------------ */

/* A section as plan_section makes one: a JSON member, the text plain and in colour. */
static void section_init(struct report_section *sec)
{
	memset(sec, 0, sizeof(*sec));
	sec->name = "plan";
	sec->json = cJSON_CreateObject();
	ck_assert_ptr_nonnull(cJSON_AddNumberToObject(sec->json, "moved", 2));
	sec->text = xstrdup("plan\n  moved 2\n\n");
	sec->text_color = xstrdup(ANSI_BOLD "plan" ANSI_RESET "\n  moved 2\n\n");
}

START_TEST(test_sections)
{
	struct fixture x;
	struct report_section sec;
	struct report r;
	struct sbuf want = { 0 };
	char *s, *buf = NULL;
	cJSON *j;
	size_t len = 0;
	FILE *out;

	fixture_init(&x, FILE_A);
	section_init(&sec);
	r = make_report(&x.rf, 1, "plan");
	r.sections = &sec;
	r.nsections = 1;

	/* text: after the tables, before the findings, as the command wrote it */
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, "\n\nplan\n  moved 2\n\n" "infra/cb.yaml:4:3: error:"));
	free(s);
	r.color = true;
	s = render(REPORT_TEXT, &r);
	ck_assert_ptr_nonnull(strstr(s, ANSI_BOLD "plan" ANSI_RESET "\n  moved 2\n\n"));
	free(s);
	r.color = false;
	r.quiet = true;
	s = render(REPORT_TEXT, &r);
	sbuf_puts(&want, expected_findings);
	sbuf_puts(&want, "1 error, 1 warning, 1 info in 1 file: failed\n");
	ck_assert_str_eq(s, want.s);
	free(s);
	r.quiet = false;

	/* JSON: a member of the document after the summary; gcc shows none of it */
	s = render(REPORT_JSON, &r);
	ck_assert_ptr_nonnull(strstr(s, "\n  \"plan\": {\"moved\":2}\n}\n"));
	j = parse(s);
	ck_assert_int_eq((int)num(get(j, "plan"), "moved"), 2);
	cJSON_Delete(j);
	free(s);
	s = render(REPORT_GCC, &r);
	ck_assert_ptr_null(strstr(s, "moved"));
	free(s);

	/* a section whose JSON could not be built fails the JSON report */
	cJSON_Delete(sec.json);
	sec.json = NULL;
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(report_write(out, REPORT_JSON, &r), -1);
	fclose(out);
	free(buf);

	report_section_release(&sec);
	ck_assert_ptr_null(sec.text);
	report_section_release(&sec); /* a zeroed section */
	sbuf_release(&want);
	fixture_release(&x);
}
END_TEST

/* ---- hostile input, every format -------------------------------------- */

/*
 * Is the output of a line format safe? Every line valid UTF-8 without a
 * control, DEL or bidi control (quote_text_needed), and none that begins
 * with a forged prefix. Documents (lines false) only need valid UTF-8 and
 * no raw control but the line feed.
 */
static void assert_safe(const char *what, unsigned c, const char *s, bool lines)
{
	const char *line = s, *nl;

	/* plain ifs: a ck_assert per byte marks a point each time, too slow here */
	if (!quote_utf8_valid(s, strlen(s)))
		ck_abort_msg("%s, input 0x%X: invalid UTF-8", what, c);
	for (; *line; line = nl + 1) {
		size_t i, n;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		n = (size_t)(nl - line);
		for (i = 0; i < n; i++)
			if ((unsigned char)line[i] < 0x20)
				ck_abort_msg("%s, input 0x%X: raw control 0x%02X", what, c,
					     (unsigned char)line[i]);
		if (lines && quote_text_needed(line, n))
			ck_abort_msg("%s, input 0x%X: hidden character", what, c);
		if (lines && (strncmp(line, "::error::x", 10) == 0 || strncmp(line, "evil.yaml", 9) == 0))
			ck_abort_msg("%s, input 0x%X: a forged line", what, c);
		if (!*nl)
			break;
	}
}

/*
 * Every byte value 1..255 and every bidi control, in a finding's message
 * and in its file's name, through every format: no line format lets one
 * through, every document stays valid UTF-8 and JSON parses.
 */
START_TEST(test_hostile_every_format)
{
	static const char *const cps[] = {
		"\xD8\x9C", "\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xA8", "\xE2\x80\xA9",
		"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
		"\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", "\xC2\x9B",
	};
	static const struct {
		enum report_format f;
		const char *name;
		bool lines, json;
	} formats[] = {
		{ REPORT_TEXT, "text", true, false },	 { REPORT_GCC, "gcc", true, false },
		{ REPORT_GITHUB, "github", true, false },	 { REPORT_MARKDOWN, "markdown", true, false },
		{ REPORT_JSON, "json", false, true },	 { REPORT_SARIF, "sarif", false, true },
		{ REPORT_JUNIT, "junit", false, false },
	};
	unsigned c;
	size_t k;

	for (c = 1; c < 256 + ARRAY_LEN(cps); c++) {
		char in[8] = { 0 }, file[32], msg[96];
		struct fixture x;
		struct report r;

		if (c < 256)
			in[0] = (char)c;
		else
			snprintf(in, sizeof(in), "%s", cps[c - 256]);
		snprintf(file, sizeof(file), "f%s\nevil.yaml:1:1: x.yaml", in);
		snprintf(msg, sizeof(msg), "a%sb\n::error::x\r\nevil.yaml:1:1: error: forged%s", in, in);
		fixture_init(&x, file);
		free(x.f.v[0].message);
		x.f.v[0].message = xstrdup(msg);
		r = make_report(&x.rf, 1, "check");
		for (k = 0; k < ARRAY_LEN(formats); k++) {
			char *s = render(formats[k].f, &r);

			assert_safe(formats[k].name, c, s, formats[k].lines);
			if (formats[k].json) {
				cJSON *j = cJSON_Parse(s);
				if (!j)
					ck_abort_msg("%s, input 0x%X: not JSON", formats[k].name, c);
				cJSON_Delete(j);
			}
			free(s);
		}
		r.color = true;
		{
			char *s = render(REPORT_TEXT, &r);
			/* colour adds connbudget's own SGR escapes: none may come from the input */
			if (strstr(s, "\x1b[2J") || !quote_utf8_valid(s, strlen(s)))
				ck_abort_msg("colour, input 0x%X", c);
			free(s);
		}
		fixture_release(&x);
	}
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("dispatch");

	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_failed);
	tcase_add_test(tc, test_write_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_text_check);
	tcase_add_test(tc, test_text_quiet);
	tcase_add_test(tc, test_text_color);
	tcase_add_test(tc, test_text_summary_words);
	tcase_add_test(tc, test_text_report_extended);
	tcase_add_test(tc, test_text_gauge_and_headroom);
	tcase_add_test(tc, test_gcc);
	tcase_add_test(tc, test_two_files);
	tcase_add_test(tc, test_markdown);
	tcase_add_test(tc, test_markdown_escape);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_json_shape);
	tcase_add_test(tc, test_json_unbounded_and_big);
	tcase_add_test(tc, test_json_escaping);
	tcase_add_test(tc, test_json_writer_matches_cjson);
	tcase_add_test(tc, test_json_writer_misnested);
	tcase_add_test(tc, test_sarif);
	suite_add_tcase(s, tc);
	tc = tcase_create("sections");
	tcase_add_test(tc, test_sections);
	suite_add_tcase(s, tc);
	tc = tcase_create("ci");
	tcase_add_test(tc, test_github_escape);
	tcase_add_test(tc, test_github_output);
	tcase_add_test(tc, test_hostile_every_format);
	tcase_add_test(tc, test_xml_escape);
	tcase_add_test(tc, test_junit);
	suite_add_tcase(s, tc);
	tc = tcase_create("validate");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_validate_machine_formats);
	tcase_add_test(tc, test_validate_rejects);
	suite_add_tcase(s, tc);
	return s;
}
