/*
 * check_load.c - the loader (src/load*.c): scalars and types, positions,
 * error messages, includes, limits on hostile input, load_set, and the
 * testdata/invalid corpus (each <name>.yaml beside the exact first line of
 * its error in <name>.expected).
 *
 * Tests run from tests/; the fixture moves to the repository root so that
 * paths (and the file names inside messages) read testdata/...
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "framework.h"
#include "load.h"
#include "model.h"
#include "rules.h"
#include "util.h"

static char saved_cwd[PATH_MAX];

/* Run every test from the repository root; back to where we were after. */
static void root_setup(void)
{
	ck_assert_ptr_nonnull(getcwd(saved_cwd, sizeof(saved_cwd)));
	if (access("testdata/invalid", F_OK) != 0)
		ck_assert_int_eq(chdir(".."), 0);
	ck_assert_int_eq(access("testdata/invalid", F_OK), 0);
}

static void root_teardown(void)
{
	if (chdir(saved_cwd) != 0)
		perror(saved_cwd);
}

/* Load YAML text named t.yaml; the test fails (with the message) when it does not load. */
static struct topology *load_ok(const char *yaml)
{
	char *err = NULL;
	struct topology *t = load_buffer("t.yaml", yaml, strlen(yaml), &err);

	ck_assert_msg(t != NULL, "unexpected error: %s", err ? err : "(none)");
	ck_assert_ptr_null(err);
	return t;
}

/* Load YAML text named t.yaml that must fail; returns the message (caller frees). */
static char *load_fail(const char *yaml)
{
	char *err = NULL;
	struct topology *t = load_buffer("t.yaml", yaml, strlen(yaml), &err);

	ck_assert_msg(t == NULL, "loaded, but an error was expected for:\n%s", yaml);
	ck_assert_ptr_nonnull(err);
	return err;
}

#define ck_load_error(yaml, expected)                          \
	do {                                                   \
		char *e_ = load_fail(yaml);                    \
		ck_assert_str_eq(e_, expected);                \
		free(e_);                                      \
	} while (0)

#define ck_pos(p, f, l, c)                                     \
	do {                                                   \
		ck_assert_str_eq(pos_file(p), f);                 \
		ck_assert_uint_eq((p).line, l);                \
		ck_assert_uint_eq((p).col, c);                 \
	} while (0)

static const char DB[] = "version: 1\ndatabases: {main: {max_connections: 100}}\n";

/* ------------------------------------------------------------------ */
/* scalars and types                                                   */

START_TEST(test_integers)
{
	struct topology *t = load_ok(
		"version: 1\n"
		"databases:\n"
		"  main:\n"
		"    max_connections: 0x64\n"
		"    superuser_reserved_connections: 0o3\n"
		"    reserved_connections: +2\n"
		"    headroom: -0\n"
		"    cores: 007\n"
		"    port: 65535\n"
		"  big:\n"
		"    max_connections: 18446744073709551615\n");
	const struct database *d = &t->databases[0];

	ck_assert_uint_eq(t->version.v, 1);
	ck_assert(VALUE_SET(d->max_connections));
	ck_assert_uint_eq(d->max_connections.v, 100);
	ck_assert_uint_eq(d->superuser_reserved_connections.v, 3);
	ck_assert_uint_eq(d->reserved_connections.v, 2);
	ck_assert(VALUE_SET(d->headroom));
	ck_assert_uint_eq(d->headroom.v, 0);
	ck_assert_uint_eq(d->cores.v, 7);
	ck_assert_uint_eq(d->port.v, 65535);
	ck_assert(!VALUE_SET(d->spindles));
	ck_assert_uint_eq(t->databases[1].max_connections.v, UINT64_MAX);
	model_free(t);
}
END_TEST

START_TEST(test_integer_errors)
{
	static const struct {
		const char *value, *got;
	} cases[] = {
		{ "three", "\"three\"" },
		{ "-3", "-3" },
		{ "\"3\"", "\"3\" (a quoted string)" },
		{ "'3'", "\"3\" (a quoted string)" },
		{ "1.5", "1.5" },
		{ "1e3", "1e3" },
		{ ".inf", ".inf" },
		{ "-.inf", "-.inf" },
		{ ".nan", ".nan" },
		{ "~", "null" },
		{ "null", "null" },
		{ "", "null" },
		{ "true", "true" },
		{ "[1]", "a list" },
		{ "{a: 1}", "a mapping" },
		{ "0x", "\"0x\"" },
		{ "1_000", "\"1_000\"" },
		{ "|\n      12", "\"12\\n\"" },
		{ "|-\n      12", "\"12\"" },
		{ "!!str 12", "\"12\"" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *yaml = xasprintf("version: 1\ndatabases:\n  main:\n    max_connections: %s\n",
				       cases[i].value);
		char *want = xasprintf("t.yaml:4:22: error: databases.main.max_connections: expected a "
				       "non-negative integer, got %s", cases[i].got);
		char *err = load_fail(yaml);
		/* an empty value is at the end of its line */
		if (cases[i].value[0] == '\0') {
			free(want);
			want = xasprintf("t.yaml:4:21: error: databases.main.max_connections: expected a "
					 "non-negative integer, got null");
		}
		ck_assert_str_eq(err, want);
		free(err);
		free(want);
		free(yaml);
	}
	ck_load_error("version: 1\ndatabases:\n  main:\n    max_connections: 18446744073709551616\n",
		      "t.yaml:4:22: error: databases.main.max_connections: expected a non-negative integer, "
		      "got 18446744073709551616 (too large: the maximum is 18446744073709551615)");
	ck_load_error("version: 1\ndatabases:\n  main:\n    max_connections: -18446744073709551616\n",
		      "t.yaml:4:22: error: databases.main.max_connections: expected a non-negative integer, "
		      "got -18446744073709551616");
	ck_load_error("version: 1\ndatabases:\n  main:\n    max_connections: 100\n    port: 0\n",
		      "t.yaml:5:11: error: databases.main.port: expected a port number from 1 to 65535, got 0");
}
END_TEST

START_TEST(test_reals)
{
	struct topology *t = load_ok(
		"version: 1\n"
		"databases:\n"
		"  a: {max_connections: 100, memory_gb: 15.5}\n"
		"  b: {max_connections: 100, memory_gb: 1e3}\n"
		"  c: {max_connections: 100, memory_gb: 0x10}\n"
		"  d: {max_connections: 100, memory_gb: -0.0}\n"
		"  e: {max_connections: 100, memory_gb: .5}\n"
		"clients:\n"
		"  api: {type: service, connects_to: a, pool: {size: 1}, load: {rate: 12.25, hold: 3}}\n");

	ck_assert(VALUE_SET(t->databases[0].memory_gb));
	ck_assert_double_eq(t->databases[0].memory_gb.v, 15.5);
	ck_assert_double_eq(t->databases[1].memory_gb.v, 1000.0);
	ck_assert_double_eq(t->databases[2].memory_gb.v, 16.0);
	ck_assert_double_eq(t->databases[3].memory_gb.v, 0.0);
	ck_assert(!signbit(t->databases[3].memory_gb.v));
	ck_assert_double_eq(t->databases[4].memory_gb.v, 0.5);
	ck_assert_double_eq(client_cold(&t->clients[0])->load.rate.v, 12.25);
	ck_assert_uint_eq(client_cold(&t->clients[0])->load.hold.v, 3);
	model_free(t);

	ck_load_error("version: 1\ndatabases: {a: {max_connections: 100, memory_gb: -1}}\n",
		      "t.yaml:2:50: error: databases.a.memory_gb: expected a non-negative number, got -1");
	ck_load_error("version: 1\ndatabases: {a: {max_connections: 100, memory_gb: .inf}}\n",
		      "t.yaml:2:50: error: databases.a.memory_gb: expected a non-negative number, got .inf");
	ck_load_error("version: 1\ndatabases: {a: {max_connections: 100, memory_gb: \"16\"}}\n",
		      "t.yaml:2:50: error: databases.a.memory_gb: expected a non-negative number, "
		      "got \"16\" (a quoted string)");
	ck_load_error("version: 1\ndatabases: {a: {max_connections: 100, memory_gb: 1e400}}\n",
		      "t.yaml:2:50: error: databases.a.memory_gb: expected a non-negative number, got 1e400 "
		      "(too large: the maximum is about 1.8e308)");
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} cases[] = {
		{ "0", 0 },
		{ "250", 250 },
		{ "0x10", 16 },
		{ "250ms", 250 },
		{ "5s", 5000 },
		{ "5 s", 5000 },
		{ "\"5 s\"", 5000 },
		{ "\" 2 s \"", 2000 },
		{ "10min", 600000 },
		{ "1h", 3600000 },
		{ "2d", 172800000 },
		{ "1.5s", 1500 },
		{ "0.5 min", 30000 },
		{ "1.0005s", 1001 },
		{ "1.0004s", 1000 },
		{ "0.0004ms", 0 },
		{ "007s", 7000 },
		{ "18446744073709551615", UINT64_MAX },
		{ "213503982334 d", 18446744073657600000ULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *yaml = xasprintf("version: 1\ndatabases:\n  main:\n    max_connections: 100\n"
				       "    settings:\n      idle_session_timeout: %s\n", cases[i].text);
		struct topology *t = load_ok(yaml);
		ck_assert_msg(t->databases[0].idle_session_timeout.v == cases[i].ms, "%s: got %llu, want %llu",
			      cases[i].text, (unsigned long long)t->databases[0].idle_session_timeout.v,
			      (unsigned long long)cases[i].ms);
		ck_assert(VALUE_SET(t->databases[0].idle_session_timeout));
		ck_assert(!VALUE_SET(t->databases[0].idle_in_transaction_session_timeout));
		model_free(t);
		free(yaml);
	}
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, settings: "
		      "{idle_session_timeout: 213503982335 d}}}\n",
		      "t.yaml:2:75: error: databases.main.settings.idle_session_timeout: expected a duration, "
		      "got \"213503982335 d\" (too large: the maximum is 18446744073709551615 ms)");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, settings: "
		      "{idle_session_timeout: 5.s}}}\n",
		      "t.yaml:2:75: error: databases.main.settings.idle_session_timeout: expected a duration "
		      "(integer milliseconds, or a number and a unit: ms, s, min, h, d), got \"5.s\"");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, settings: "
		      "{idle_session_timeout: 5 S}}}\n",
		      "t.yaml:2:75: error: databases.main.settings.idle_session_timeout: expected a duration "
		      "(integer milliseconds, or a number and a unit: ms, s, min, h, d), got \"5 S\"");
}
END_TEST

START_TEST(test_surge_and_enums)
{
	struct topology *t = load_ok(
		"version: 1\n"
		"databases: {main: {max_connections: 100}}\n"
		"poolers:\n"
		"  b: {type: rds_proxy, database: main, max_connections_percent: 100}\n"
		"  p: {type: pgbouncer, database: main, pool_mode: statement}\n"
		"clients:\n"
		"  a: {type: worker, connects_to: b, surge: 25%, pool: {size: 1}}\n"
		"  c: {type: tool, connects_to: p, surge: 3, pool: {size: 1}}\n"
		"  d: {type: job, connects_to: p, surge: 100%, pool: {size: 1}}\n"
		"  e: {type: serverless, connects_to: p, pool: {size: 1}}\n");

	ck_assert_uint_eq(t->poolers[0].type.v, POOLER_RDS_PROXY);
	ck_assert_uint_eq(t->poolers[0].max_connections_percent.v, 100);
	ck_assert_uint_eq(t->poolers[1].type.v, POOLER_PGBOUNCER);
	ck_assert_uint_eq(t->poolers[1].pool_mode.v, POOL_STATEMENT);
	ck_assert_uint_eq(t->clients[0].type.v, CLIENT_WORKER);
	ck_assert(t->clients[0].surge_percent);
	ck_assert_uint_eq(t->clients[0].surge.v, 25);
	ck_assert(!t->clients[1].surge_percent);
	ck_assert_uint_eq(t->clients[1].surge.v, 3);
	ck_assert(t->clients[2].surge_percent);
	ck_assert_uint_eq(t->clients[2].surge.v, 100);
	ck_assert_uint_eq(t->clients[1].type.v, CLIENT_TOOL);
	ck_assert_uint_eq(t->clients[2].type.v, CLIENT_JOB);
	ck_assert_uint_eq(t->clients[3].type.v, CLIENT_SERVERLESS);
	/* references resolved */
	ck_assert(t->clients[0].via_pooler);
	ck_assert_uint_eq(t->clients[0].target, 0);
	ck_assert_uint_eq(t->clients[1].target, 1);
	ck_assert_uint_eq(t->poolers[1].db, 0);
	model_free(t);

	/* the names of the tables agree with model.c's */
	ck_assert_str_eq(client_type_name(CLIENT_SERVERLESS), "serverless");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100}}\n"
		      "poolers: {b: {type: pgbouncr, database: main}}\n",
		      "t.yaml:3:21: error: poolers.b.type: unknown pooler type \"pgbouncr\", did you mean "
		      "\"pgbouncer\"?");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100}}\n"
		      "clients: {a: {type: service, connects_to: main, surge: \"3\", pool: {size: 1}}}\n",
		      "t.yaml:3:56: error: clients.a.surge: expected a non-negative integer or a percentage "
		      "such as 25%, got \"3\" (a quoted string)");
}
END_TEST

START_TEST(test_strings_and_lists)
{
	struct topology *t = load_ok(
		"version: 1\n"
		"environment: yes\n"
		"databases:\n"
		"  main:\n"
		"    max_connections: 100\n"
		"    host: !!str 10\n"
		"    config: 'testdata/valid/conf/postgresql.conf'\n"
		"    instance: db.t3.medium\n"
		"    ignore: [CB003, above-optimum, whatever-the-rules-say]\n"
		"poolers:\n"
		"  b: {type: pgbouncer, database: main, users: [app, jobs]}\n"
		"clients:\n"
		"  api:\n"
		"    type: service\n"
		"    connects_to: b\n"
		"    framework: sqlalchemy\n"
		"    url: >-\n"
		"      postgresql://app@db/shop\n"
		"    uses: [temp_tables, listen_notify]\n"
		"    application_name: \"caf\\u00e9\"\n"
		"lint:\n"
		"  disable: [CB007]\n"
		"  severity: {CB003: off, CB014: error}\n");
	const struct client *c = &t->clients[0];
	size_t fi;

	ck_assert_str_eq(t->environment.s, "yes");
	ck_assert_str_eq(t->databases[0].host.s, "10");
	ck_assert_str_eq(t->databases[0].config.s, "testdata/valid/conf/postgresql.conf");
	/* load_file reads the config file (config.c): it fills what the YAML leaves out */
	ck_assert(VALUE_SET(t->databases[0].idle_in_transaction_session_timeout));
	ck_assert_uint_eq(t->databases[0].idle_in_transaction_session_timeout.v, 600000);
	ck_assert_str_eq(t->databases[0].instance.s, "db.t3.medium");
	ck_assert_uint_eq(t->databases[0].ignore.n, 3);
	ck_assert_str_eq(t->databases[0].ignore.v[2].s, "whatever-the-rules-say");
	ck_assert_uint_eq(t->poolers[0].users.n, 2);
	ck_assert_str_eq(t->poolers[0].users.v[1].s, "jobs");
	ck_assert_str_eq(client_cold(c)->url.s, "postgresql://app@db/shop");
	ck_assert_str_eq(client_cold(c)->application_name.s, "caf\xc3\xa9");
	ck_assert_uint_eq(client_cold(c)->uses.n, 2);
	ck_assert_str_eq(client_cold(c)->uses.v[0].s, "temp_tables");
	ck_assert_str_eq(client_cold(c)->uses.v[1].s, "listen_notify");
	ck_assert_ptr_nonnull(framework_find("sqlalchemy", &fi));
	ck_assert_uint_eq(c->framework_index, fi);
	ck_assert_uint_eq(client_cold(c)->ignore.n, 0);
	ck_assert_uint_eq(client_cold(c)->ignore.pos.line, 0);
	ck_assert_uint_eq(t->lint_disable.n, 1);
	ck_assert_str_eq(t->lint_disable.v[0].s, "CB007");
	ck_assert_uint_eq(t->nlint_severity, 2);
	ck_assert_str_eq(t->lint_severity[0].rule.s, "CB003");
	ck_assert_str_eq(t->lint_severity[0].level.s, "off");
	ck_assert_str_eq(t->lint_severity[1].rule.s, "CB014");
	ck_assert_str_eq(t->lint_severity[1].level.s, "error");
	ck_pos(t->lint_severity[1].rule.pos, "t.yaml", 23, 26);
	ck_pos(t->lint_severity[1].level.pos, "t.yaml", 23, 33);
	model_free(t);

	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, host: \"a\\0b\"}}\n",
		      "t.yaml:2:48: error: databases.main.host: strings cannot contain NUL characters");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, host: true}}\n",
		      "t.yaml:2:48: error: databases.main.host: expected a string, got true");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, ignore: CB003}}\n",
		      "t.yaml:2:50: error: databases.main.ignore: expected a list of strings, got \"CB003\"");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100}}\n"
		      "poolers: {b: {type: pgbouncer, database: main, users: [app, \"\"]}}\n",
		      "t.yaml:3:61: error: poolers.b.users: expected a non-empty string, got \"\"");
}
END_TEST

START_TEST(test_core_schema_keys)
{
	/* quoted keys and ids, a %YAML 1.2 directive, document markers */
	struct topology *t = load_ok(
		"%YAML 1.2\n"
		"---\n"
		"\"version\": 1\n"
		"'databases':\n"
		"  \"2024\": {max_connections: 100}\n"
		"  true: {max_connections: 100}\n"
		"...\n");

	ck_assert_uint_eq(t->ndatabases, 2);
	ck_assert_str_eq(t->databases[0].id.s, "2024");
	ck_assert_str_eq(t->databases[1].id.s, "true");
	model_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* positions                                                           */

START_TEST(test_positions)
{
	char *err = NULL;
	struct topology *t = load_file("testdata/load/positions.yaml", &err);
	const char *f = "testdata/load/positions.yaml";
	const struct client *api, *worker;

	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_str_eq(t->file, f);
	ck_assert_uint_eq(t->nfiles, 1);
	ck_assert_str_eq(t->files[0], f);
	ck_pos(t->version.pos, f, 2, 10);
	ck_pos(t->databases[0].id.pos, f, 4, 3);
	ck_pos(t->databases[0].max_connections.pos, f, 5, 22);
	ck_pos(t->databases[0].idle_in_transaction_session_timeout.pos, f, 6, 53);
	ck_assert_uint_eq(t->databases[0].idle_in_transaction_session_timeout.v, 600000);
	ck_pos(t->databases[0].ignore.pos, f, 7, 13);
	ck_pos(t->databases[0].ignore.v[0].pos, f, 7, 14);
	ck_pos(t->databases[0].ignore.v[1].pos, f, 7, 21);
	ck_assert_str_eq(t->poolers[0].id.s, "bouncer");
	ck_pos(t->poolers[0].id.pos, f, 9, 3);
	ck_pos(t->poolers[0].type.pos, f, 10, 11);
	ck_pos(t->poolers[0].users.pos, f, 13, 7);
	ck_pos(t->poolers[0].users.v[0].pos, f, 13, 9);
	ck_pos(t->poolers[0].users.v[1].pos, f, 14, 9);

	api = &t->clients[0];
	ck_pos(api->id.pos, f, 16, 3);
	ck_pos(api->type.pos, f, 16, 15);
	ck_pos(client_cold(api)->application_name.pos, f, 16, 42);
	ck_assert_str_eq(client_cold(api)->application_name.s, "gr\xc3\xb6\xc3\x9f" "e-\xc3\xa4pi");
	/* columns count characters: three 2-byte letters before it */
	ck_pos(api->connects_to.pos, f, 16, 68);
	ck_pos(api->pool.pos, f, 17, 9);
	ck_pos(api->pool.size.pos, f, 17, 22);
	ck_pos(api->pool.acquire_timeout.pos, f, 17, 43);
	ck_assert_uint_eq(client_cold(api)->load.pos.line, 0);

	worker = &t->clients[1];
	ck_pos(worker->id.pos, f, 18, 3);
	ck_pos(worker->pool.pos, f, 21, 5);
	ck_pos(worker->pool.size.pos, f, 22, 13);
	ck_pos(worker->pool.acquire_timeout.pos, f, 23, 24);
	ck_pos(client_cold(worker)->load.pos, f, 24, 5);
	ck_pos(client_cold(worker)->load.rate.pos, f, 25, 13);
	ck_pos(client_cold(worker)->load.hold.pos, f, 26, 13);
	ck_assert_uint_eq(client_cold(worker)->load.hold.v, 40);

	/* no environment anywhere: production, from no line */
	ck_assert_str_eq(t->environment.s, "production");
	ck_assert_uint_eq(t->environment.pos.line, 0);
	ck_assert_str_eq(worker->environment.s, "production");
	ck_assert_str_eq(t->databases[0].environment.s, "production");
	model_free(t);
}
END_TEST

START_TEST(test_bom)
{
	static const char yaml[] = "\xef\xbb\xbfversion: 1\ndatabases:\n  main: {max_connections: 100}\n";
	char path[] = "/tmp/check_load_bomXXXXXX";
	char *err = NULL;
	struct topology *t = load_ok(yaml);
	int fd;

	ck_pos(t->version.pos, "t.yaml", 1, 10);
	model_free(t);

	/* the same from a file descriptor */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, yaml, sizeof(yaml) - 1), (int)sizeof(yaml) - 1);
	close(fd);
	t = load_file(path, &err);
	unlink(path);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_pos(t->version.pos, path, 1, 10);
	ck_pos(t->databases[0].max_connections.pos, path, 3, 27);
	model_free(t);

	t = load_file("testdata/load/bom.yaml", &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_pos(t->version.pos, "testdata/load/bom.yaml", 3, 10);
	model_free(t);
}
END_TEST

START_TEST(test_crlf)
{
	char *err = NULL;
	struct topology *t = load_file("testdata/load/crlf.yaml", &err);
	const char *f = "testdata/load/crlf.yaml";

	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_pos(t->version.pos, f, 3, 10);
	ck_pos(t->databases[0].idle_in_transaction_session_timeout.pos, f, 8, 44);
	ck_assert_uint_eq(t->databases[0].idle_in_transaction_session_timeout.v, 600000);
	ck_pos(client_cold(&t->clients[0])->url.pos, f, 13, 10);
	ck_assert_str_eq(client_cold(&t->clients[0])->url.s, "postgresql://app@db.internal/shop");
	ck_pos(t->clients[0].pool.acquire_timeout.pos, f, 14, 38);
	model_free(t);
}
END_TEST

START_TEST(test_environment)
{
	struct topology *t = load_ok(
		"version: 1\n"
		"databases:\n"
		"  main: {max_connections: 100, environment: production}\n"
		"clients:\n"
		"  api: {type: service, connects_to: main, pool: {size: 1}}\n"
		"environment: staging\n");

	ck_assert_str_eq(t->environment.s, "staging");
	ck_pos(t->environment.pos, "t.yaml", 6, 14);
	ck_assert_str_eq(t->databases[0].environment.s, "production");
	ck_pos(t->databases[0].environment.pos, "t.yaml", 3, 45);
	/* inherited, with the position it came from */
	ck_assert_str_eq(t->clients[0].environment.s, "staging");
	ck_pos(t->clients[0].environment.pos, "t.yaml", 6, 14);
	model_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* errors                                                              */

START_TEST(test_errors_stream)
{
	char *err = NULL;

	ck_assert_ptr_null(load_buffer("t.yaml", NULL, 0, &err));
	ck_assert_str_eq(err, "t.yaml:1:1: error: empty document; expected a mapping with \"version: 1\"");
	free(err);
	ck_load_error("version: 1\n--- |\n  text\n",
		      "t.yaml:2:1: error: a second YAML document is not allowed (a topology is one document)");
	ck_load_error("[version, 1]\n", "t.yaml:1:1: error: expected a mapping at the top level, got a list");
	ck_load_error("version: 1\ndatabases:\n  main: {max_connections: 100\n",
		      "t.yaml:4:1: error: did not find expected ',' or '}' (while parsing a flow mapping at "
		      "line 3, column 9)");
	ck_load_error("version: 1\nkey: \"unterminated\n",
		      "t.yaml:3:1: error: found unexpected end of stream (while scanning a quoted scalar at "
		      "line 2, column 6)");
	/* a tab inside a plain scalar's indentation */
	ck_load_error("version: 1\ndatabases:\n  main:\n    max_connections: 100\n\thost: x\n",
		      "t.yaml:5:1: error: found a tab character that violates indentation (while scanning a "
		      "plain scalar at line 4, column 22); tabs cannot be used for indentation");
	/* UTF-16 with a byte order mark */
	err = NULL;
	ck_assert_ptr_null(load_buffer("t.yaml", "\xff\xfev\0:\0 \0" "1\0\n\0", 12, &err));
	ck_assert_str_eq(err, "t.yaml:1:1: error: input is UTF-16; connbudget reads UTF-8");
	free(err);
	/* invalid UTF-8: the byte that starts the broken sequence, in characters */
	ck_load_error("version: 1\n# \xc3\xa4\xc3\xa4 caf\xe9!\n",
		      "t.yaml:2:9: error: invalid UTF-8: byte 0xE9 starts a sequence that is cut short");
	ck_load_error("version: 1\n# \x01\n", "t.yaml:2:3: error: control characters are not allowed (byte 0x01)");
}
END_TEST

START_TEST(test_errors_schema)
{
	char *yaml;

	/* unknown keys, with and without a close candidate */
	ck_load_error("version: 1\nenvironmnet: prod\n",
		      "t.yaml:2:1: error: unknown key \"environmnet\", did you mean \"environment\"?");
	ck_load_error("version: 1\nzzz: 1\n",
		      "t.yaml:2:1: error: unknown key \"zzz\" (expected version, environment, databases, "
		      "poolers, clients, lint, include or sources)");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, sttings: {}}}\n",
		      "t.yaml:2:42: error: databases.main: unknown key \"sttings\", did you mean \"settings\"?");
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 100, [a]: 1}}\n",
		      "t.yaml:2:42: error: databases.main: expected a key, got a list");
	/* a long value is cut in the message, control characters escaped */
	ck_load_error("version: 1\ndatabases: {main: {max_connections: \"a\\tb\\n"
		      "0123456789012345678901234567890123456789012345678901234567890123456789\"}}\n",
		      "t.yaml:2:37: error: databases.main.max_connections: expected a non-negative integer, "
		      "got \"a\\tb\\n01234567890123456789012345678901234567890123456789012345...\"");
	/* the first error in the file wins when the content is at fault */
	ck_load_error("version: 1\ndatabases:\n  main: {max_connections: x, port: y}\n",
		      "t.yaml:3:27: error: databases.main.max_connections: expected a non-negative integer, "
		      "got \"x\"");
	/* dangling references suggest the closest id */
	yaml = xasprintf("%sclients: {api: {type: service, connects_to: mainn, pool: {size: 1}}}\n", DB);
	ck_load_error(yaml, "t.yaml:3:45: error: clients.api.connects_to: unknown database or pooler "
		      "\"mainn\", did you mean \"main\"?");
	free(yaml);
	/* go-database-sql without pool.size is the unbounded case, not an error */
	yaml = xasprintf("%sclients: {api: {type: service, connects_to: main, framework: go-database-sql}}\n",
			 DB);
	model_free(load_ok(yaml));
	free(yaml);
	/* django derives its size from threads (default 1): not an error either */
	yaml = xasprintf("%sclients: {api: {type: service, connects_to: main, framework: django}}\n", DB);
	model_free(load_ok(yaml));
	free(yaml);
	yaml = xasprintf("%sclients: {api: {type: service, connects_to: main, framework: prisma, cpus: 2}}\n",
			 DB);
	model_free(load_ok(yaml));
	free(yaml);
	/* max_replicas equal to replicas, concurrency equal to max_concurrency: fine */
	yaml = xasprintf("%sclients:\n  a: {type: job, connects_to: main, replicas: 2, max_replicas: 2, "
			 "pool: {size: 1}}\n  b: {type: serverless, connects_to: main, concurrency: 5, "
			 "max_concurrency: 5, pool: {size: 1}}\n", DB);
	model_free(load_ok(yaml));
	free(yaml);
	/* max_connections one above the reserved slots: fine */
	model_free(load_ok("version: 1\ndatabases: {main: {max_connections: 4}}\n"));
	ck_load_error("version: 1\ndatabases: {main: {max_connections: 3}}\n",
		      "t.yaml:2:37: error: databases.main.max_connections: 3 must be more than "
		      "superuser_reserved_connections 3 + reserved_connections 0");
}
END_TEST

/* ------------------------------------------------------------------ */
/* includes                                                            */

START_TEST(test_include_globs_and_diamond)
{
	char *err = NULL;
	struct topology *t = load_file("testdata/load/include.yaml", &err);
	size_t i;

	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_uint_eq(t->nfiles, 5);
	ck_assert_str_eq(t->files[0], "testdata/load/include.yaml");
	ck_assert_str_eq(t->files[1], "testdata/load/inc/db.yaml");
	ck_assert_str_eq(t->files[2], "testdata/load/inc/clients-a.yaml");
	ck_assert_str_eq(t->files[3], "testdata/load/inc/common.yaml");
	ck_assert_str_eq(t->files[4], "testdata/load/inc/clients-b.yaml");
	ck_assert_uint_eq(t->nclients, 4);
	ck_assert_str_eq(t->clients[0].id.s, "top");
	ck_assert_str_eq(t->clients[1].id.s, "a");
	ck_assert_str_eq(t->clients[2].id.s, "common");
	ck_assert_str_eq(t->clients[3].id.s, "b");
	/* objects keep the file they are defined in */
	ck_pos(t->clients[0].id.pos, "testdata/load/include.yaml", 11, 3);
	ck_pos(t->databases[0].id.pos, "testdata/load/inc/db.yaml", 4, 3);
	ck_pos(t->clients[2].id.pos, "testdata/load/inc/common.yaml", 3, 3);
	ck_pos(t->clients[3].pool.size.pos, "testdata/load/inc/clients-b.yaml", 7, 18);
	/* the top file's environment reaches the fragments' objects */
	ck_assert_str_eq(t->clients[3].environment.s, "staging");
	ck_pos(t->clients[3].environment.pos, "testdata/load/include.yaml", 5, 14);
	ck_pos(t->databases[0].environment.pos, "testdata/load/inc/db.yaml", 6, 18);
	/* references across files */
	ck_assert(t->clients[1].via_pooler);
	ck_assert_uint_eq(t->poolers[0].db, 0);
	/* the id indexes are complete, as model_index would build them */
	ck_assert_uint_eq(t->client_index.len, t->nclients);
	ck_assert_uint_eq(t->pooler_index.len, t->npoolers);
	ck_assert_uint_eq(t->db_index.len, t->ndatabases);
	for (i = 0; i < t->nclients; i++) {
		size_t index;
		ck_assert(model_find_client(t, t->clients[i].id.s, &index));
		ck_assert_uint_eq(index, i);
	}
	ck_assert(model_find_pooler(t, "bouncer", &i) && i == 0);
	ck_assert(model_find_database(t, "main", &i) && i == 0);
	ck_assert(!model_find_database(t, "bouncer", &i));
	model_free(t);

	t = load_file("testdata/load/single-include.yaml", &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_uint_eq(t->nfiles, 2);
	ck_assert_str_eq(t->files[1], "testdata/load/inc/common.yaml");
	model_free(t);
}
END_TEST

START_TEST(test_include_relative_to_cwd)
{
	char *err = NULL;
	struct topology *t;

	ck_assert_int_eq(chdir("testdata/load"), 0);
	t = load_file("include.yaml", &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_str_eq(t->files[0], "include.yaml");
	ck_assert_str_eq(t->files[1], "inc/db.yaml");
	ck_assert_str_eq(t->files[3], "inc/common.yaml");
	model_free(t);
}
END_TEST

/* Write text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove a directory tree made by a test (symbolic links are not followed). */
static void remove_tree(const char *dir)
{
	ck_assert_int_eq(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

START_TEST(test_include_limits)
{
	char dir[] = "/tmp/check_load_incXXXXXX";
	char *err = NULL, *top, *want, *name, *text;
	struct topology *t;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* a chain of LOAD_MAX_INCLUDE_DEPTH includes loads, one more does not */
	write_file(dir, "top.yaml", "version: 1\ndatabases: {main: {max_connections: 100}}\ninclude: f1.yaml\n");
	for (i = 1; i <= LOAD_MAX_INCLUDE_DEPTH + 1; i++) {
		name = xasprintf("f%d.yaml", i);
		text = xasprintf("include: f%d.yaml\n", i + 1);
		write_file(dir, name, text);
		free(name);
		free(text);
	}
	name = xasprintf("f%d.yaml", LOAD_MAX_INCLUDE_DEPTH);
	write_file(dir, name, "clients: {}\n");
	free(name);
	top = xasprintf("%s/top.yaml", dir);
	t = load_file(top, &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_uint_eq(t->nfiles, LOAD_MAX_INCLUDE_DEPTH + 1);
	model_free(t);
	name = xasprintf("f%d.yaml", LOAD_MAX_INCLUDE_DEPTH);
	text = xasprintf("include: f%d.yaml\n", LOAD_MAX_INCLUDE_DEPTH + 1);
	write_file(dir, name, text);
	free(name);
	free(text);
	ck_assert_ptr_null(load_file(top, &err));
	want = xasprintf("%s/f%d.yaml:1:10: error: includes nested deeper than %d levels", dir,
			 LOAD_MAX_INCLUDE_DEPTH, LOAD_MAX_INCLUDE_DEPTH);
	ck_assert_str_eq(err, want);
	free(err);
	free(want);
	free(top);

	/* an absolute include path is used as it is */
	write_file(dir, "leaf.yaml", "clients: {}\n");
	text = xasprintf("version: 1\ndatabases: {main: {max_connections: 100}}\ninclude: [\"%s/leaf.yaml\"]\n",
			 dir);
	write_file(dir, "abs.yaml", text);
	free(text);
	top = xasprintf("%s/abs.yaml", dir);
	t = load_file(top, &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	want = xasprintf("%s/leaf.yaml", dir);
	ck_assert_str_eq(t->files[1], want);
	free(want);
	free(top);
	model_free(t);

	/* a symbolic link to a file already read is the same file: read once */
	name = xasprintf("%s/link.yaml", dir);
	text = xasprintf("%s/leaf.yaml", dir);
	ck_assert_int_eq(symlink(text, name), 0);
	free(name);
	free(text);
	write_file(dir, "links.yaml", "version: 1\ndatabases: {main: {max_connections: 100}}\n"
		   "include: [leaf.yaml, link.yaml]\n");
	top = xasprintf("%s/links.yaml", dir);
	t = load_file(top, &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_uint_eq(t->nfiles, 2);
	free(top);
	model_free(t);

	/* LOAD_MAX_INCLUDE_FILES included files load, one more does not */
	name = xasprintf("%s/parts", dir);
	ck_assert_int_eq(mkdir(name, 0700), 0);
	for (i = 1; i <= LOAD_MAX_INCLUDE_FILES; i++) {
		char *part = xasprintf("p%04d.yaml", i);
		write_file(name, part, "clients: {}\n");
		free(part);
	}
	write_file(dir, "many.yaml", "version: 1\ndatabases: {main: {max_connections: 100}}\n"
		   "include: \"parts/*.yaml\"\n");
	top = xasprintf("%s/many.yaml", dir);
	t = load_file(top, &err);
	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_uint_eq(t->nfiles, LOAD_MAX_INCLUDE_FILES + 1);
	model_free(t);
	write_file(name, "p9999.yaml", "clients: {}\n");
	ck_assert_ptr_null(load_file(top, &err));
	want = xasprintf("%s:3:10: error: include \"%s/parts/*.yaml\": the pattern matches more than %d files",
			 top, dir, LOAD_MAX_INCLUDE_FILES);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	free(top);
	free(name);
	remove_tree(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* limits on hostile input                                             */

/* n copies of c (malloc'd) */
static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* "version: 1\n" + prefix + open × n + middle + close × n + "\n" */
static char *nested(const char *prefix, const char *open, const char *middle, const char *close, size_t n)
{
	struct sbuf b = { 0 };
	size_t i;

	sbuf_puts(&b, "version: 1\n");
	sbuf_puts(&b, prefix);
	for (i = 0; i < n; i++)
		sbuf_puts(&b, open);
	sbuf_puts(&b, middle);
	for (i = 0; close && i < n; i++)
		sbuf_puts(&b, close);
	sbuf_putc(&b, '\n');
	return sbuf_detach(&b);
}

START_TEST(test_deep_nesting)
{
	char *yaml;

	/* the 64th '[' is the 65th collection (the top mapping is the first) */
	yaml = nested("databases: ", "[", "x", "]", 100000);
	ck_load_error(yaml, "t.yaml:2:75: error: nesting deeper than 64 levels");
	free(yaml);
	yaml = nested("databases: ", "{a: ", "x", "}", 100000);
	ck_load_error(yaml, "t.yaml:2:264: error: nesting deeper than 64 levels");
	free(yaml);
	yaml = nested("databases:\n  ", "- ", "x", NULL, 100000);
	ck_load_error(yaml, "t.yaml:3:129: error: nesting deeper than 64 levels");
	free(yaml);
	/* deep, but within the limit: the content error is reported */
	yaml = nested("databases: ", "[", "x", "]", 60);
	ck_load_error(yaml, "t.yaml:2:12: error: databases: expected a mapping of id to settings, got a list");
	free(yaml);
}
END_TEST

START_TEST(test_billion_laughs)
{
	struct sbuf b = { 0 };
	char *yaml;
	int i, j;

	/* the classic: 10^9 "lol" if aliases were expanded */
	sbuf_puts(&b, "version: 1\nlol0: &l0 \"lol\"\n");
	for (i = 1; i <= 9; i++) {
		sbuf_printf(&b, "lol%d: &l%d [", i, i);
		for (j = 0; j < 10; j++)
			sbuf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
		sbuf_puts(&b, "]\n");
	}
	sbuf_puts(&b, "databases: *l9\n");
	yaml = sbuf_detach(&b);
	/* the unknown key comes first, but the aliases make the stream unacceptable */
	ck_load_error(yaml, "t.yaml:3:12: error: aliases are not supported (*l0)");
	free(yaml);
	ck_load_error("version: 1\ndatabases: &d {main: *d}\n",
		      "t.yaml:2:22: error: databases.main: aliases are not supported (*d)");
	/* an anchor alone is harmless */
	model_free(load_ok("version: 1\ndatabases: &d {main: &m {max_connections: 100}}\n"));
}
END_TEST

START_TEST(test_size_limits)
{
	size_t n = (size_t)LOAD_MAX_FILE_BYTES + 1;
	char *big = xmalloc(n), *err = NULL, *yaml, *want, *id, *host;
	struct topology *t;
	struct sbuf b = { 0 };
	int i;

	memset(big, ' ', n);
	ck_assert_ptr_null(load_buffer("big.yaml", big, n, &err));
	ck_assert_str_eq(err, "big.yaml:1:1: error: cannot read: input of 16777217 bytes is larger than the "
			 "limit of 16777216 bytes (16 MiB)");
	free(err);
	free(big);

	ck_assert_ptr_null(load_file("/dev/zero", &err));
	ck_assert_str_eq(err, "/dev/zero:1:1: error: cannot read: a character device, not a regular file");
	free(err);
	ck_assert_ptr_null(load_file("testdata", &err));
	ck_assert_str_eq(err, "testdata:1:1: error: cannot read: Is a directory");
	free(err);
	ck_assert_ptr_null(load_file("testdata/no-such-file.yaml", &err));
	ck_assert_str_eq(err, "testdata/no-such-file.yaml:1:1: error: cannot read: No such file or directory");
	free(err);

	/* ids and strings: at the limit fine, one over not */
	id = repeat('i', LOAD_MAX_ID_LEN);
	host = repeat('h', LOAD_MAX_STRING_LEN);
	yaml = xasprintf("version: 1\ndatabases: {%s: {max_connections: 100, host: %s}}\n", id, host);
	t = load_ok(yaml);
	ck_assert_uint_eq(strlen(t->databases[0].id.s), LOAD_MAX_ID_LEN);
	ck_assert_uint_eq(strlen(t->databases[0].host.s), LOAD_MAX_STRING_LEN);
	model_free(t);
	free(yaml);
	yaml = xasprintf("version: 1\ndatabases: {main: {max_connections: 100, host: x%s}}\n", host);
	want = xasprintf("t.yaml:2:48: error: databases.main.host: string of %d bytes is longer than the "
			 "limit of %d bytes", LOAD_MAX_STRING_LEN + 1, LOAD_MAX_STRING_LEN);
	ck_load_error(yaml, want);
	free(want);
	free(yaml);
	yaml = xasprintf("version: 1\ndatabases: {i%s: {max_connections: 100}}\n", id);
	want = xasprintf("t.yaml:2:13: error: databases: id \"%.60s...\" of %d characters is longer than "
			 "the limit of %d", id, LOAD_MAX_ID_LEN + 1, LOAD_MAX_ID_LEN);
	ck_load_error(yaml, want);
	free(want);
	free(yaml);
	free(id);
	free(host);

	/* LOAD_MAX_LIST_ITEMS items in one list, then one more */
	sbuf_puts(&b, "version: 1\ndatabases:\n  main:\n    max_connections: 100\n    ignore:\n");
	for (i = 0; i < LOAD_MAX_LIST_ITEMS; i++)
		sbuf_printf(&b, "      - r%d\n", i);
	yaml = sbuf_detach(&b);
	model_free(load_ok(yaml));
	sbuf_puts(&b, yaml);
	sbuf_puts(&b, "      - one-more\n");
	free(yaml);
	yaml = sbuf_detach(&b);
	want = xasprintf("t.yaml:%d:9: error: databases.main.ignore: more than %d items in one list",
			 LOAD_MAX_LIST_ITEMS + 6, LOAD_MAX_LIST_ITEMS);
	ck_load_error(yaml, want);
	free(want);
	free(yaml);
	/* duplicates in a long list are found through the map */
	sbuf_puts(&b, "version: 1\ndatabases: {main: {max_connections: 100, ignore: [");
	for (i = 0; i < 100; i++)
		sbuf_printf(&b, "r%d, ", i);
	sbuf_puts(&b, "r7]}}\n");
	yaml = sbuf_detach(&b);
	ck_load_error(yaml, "t.yaml:2:541: error: databases.main.ignore: duplicate item \"r7\" (first at line 2)");
	free(yaml);
}
END_TEST

/* Run load_file("-") with standard input fed by writer (in a child process). */
static struct topology *load_stdin(void (*writer)(int fd), char **err)
{
	struct topology *t;
	int p[2], saved = dup(STDIN_FILENO), status;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		writer(p[1]);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_ge(dup2(p[0], STDIN_FILENO), 0);
	close(p[0]);
	t = load_file("-", err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return t;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			_exit(1);
		s += w;
		n -= (size_t)w;
	}
}

static void write_topology(int fd)
{
	static const char yaml[] = "version: 1\ndatabases:\n  main: {max_connections: 100}\n"
		"include: testdata/load/inc/common.yaml\n";
	write_all(fd, yaml, sizeof(yaml) - 1);
}

static void write_endless(int fd)
{
	static const char line[] = "# an endless comment ########################################\n";
	for (;;)
		write_all(fd, line, sizeof(line) - 1);
}

START_TEST(test_stdin)
{
	char *err = NULL;
	struct topology *t = load_stdin(write_topology, &err);

	ck_assert_msg(t != NULL, "%s", err ? err : "");
	ck_assert_str_eq(t->file, "-");
	ck_pos(t->databases[0].id.pos, "-", 3, 3);
	/* includes from standard input resolve against the working directory */
	ck_assert_str_eq(t->files[1], "testdata/load/inc/common.yaml");
	model_free(t);

	ck_assert_ptr_null(load_stdin(write_endless, &err));
	ck_assert_str_eq(err, "-:1:1: error: input is larger than the limit of 16777216 bytes (16 MiB)");
	free(err);
}
END_TEST

START_TEST(test_fifo_without_writer)
{
	char dir[] = "/tmp/check_load_fifoXXXXXX";
	char *path, *want, *err = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/fifo.yaml", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(load_file(path, &err));
	want = xasprintf("%s:1:1: error: cannot read: a FIFO (named pipe), not a regular file", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	unlink(path);
	rmdir(dir);
	free(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* load_set                                                            */

static struct topology *load_set_base(void)
{
	char *err = NULL;
	struct topology *t = load_file("testdata/load/set.yaml", &err);

	ck_assert_msg(t != NULL, "%s", err ? err : "");
	return t;
}

#define ck_set_ok(t, path, value)                                              \
	do {                                                                   \
		char *e_ = NULL;                                               \
		int rc_ = load_set(t, path, value, &e_);                       \
		ck_assert_msg(rc_ == 0, "%s=%s: %s", path, value, e_ ? e_ : ""); \
		ck_assert_ptr_null(e_);                                        \
	} while (0)

#define ck_set_error(t, path, value, expected)                   \
	do {                                                     \
		char *e_ = NULL;                                 \
		ck_assert_int_eq(load_set(t, path, value, &e_), -1); \
		ck_assert_ptr_nonnull(e_);                       \
		ck_assert_str_eq(e_, expected);                  \
		free(e_);                                        \
	} while (0)

#define ck_validate_error(t, expected)                           \
	do {                                                     \
		char *e_ = NULL;                                 \
		ck_assert_int_eq(load_validate(t, &e_), -1);     \
		ck_assert_ptr_nonnull(e_);                       \
		ck_assert_str_eq(e_, expected);                  \
		free(e_);                                        \
	} while (0)

START_TEST(test_set_values)
{
	struct topology *t = load_set_base();
	const char *f = "testdata/load/set.yaml";
	struct client *api = &t->clients[0];
	char *err = NULL;
	size_t fi;

	ck_set_ok(t, "clients.api.replicas", "6");
	ck_assert_uint_eq(api->replicas.v, 6);
	ck_assert(VALUE_SET(api->replicas));
	ck_pos(api->replicas.pos, f, 16, 15); /* keeps the position of what it replaced */
	ck_set_ok(t, "clients.api.pool.size", "0x0f");
	ck_assert_uint_eq(api->pool.size.v, 15);
	ck_set_ok(t, "clients.api.surge", "25%");
	ck_assert(api->surge_percent);
	ck_assert_uint_eq(api->surge.v, 25);
	ck_pos(api->surge.pos, f, 13, 3); /* unset before: the client's position */
	ck_set_ok(t, "clients.api.surge", "2  # a comment");
	ck_assert(!api->surge_percent);
	ck_assert_uint_eq(api->surge.v, 2);
	ck_set_ok(t, "clients.api.uses", "[listen_notify, temp_tables]");
	ck_assert_uint_eq(client_cold(api)->uses.n, 2);
	ck_assert_str_eq(client_cold(api)->uses.v[1].s, "temp_tables");
	ck_set_ok(t, "clients.api.framework", "hikaricp");
	ck_assert_ptr_nonnull(framework_find("hikaricp", &fi));
	ck_assert_uint_eq(api->framework_index, fi);
	ck_set_ok(t, "clients.api.environment", "'staging'");
	ck_assert_str_eq(api->environment.s, "staging");
	ck_set_ok(t, "databases.main.settings.idle_session_timeout", "30min");
	ck_assert_uint_eq(t->databases[0].idle_session_timeout.v, 1800000);
	ck_set_ok(t, "databases.main.max_connections", "200");
	ck_assert_uint_eq(t->databases[0].max_connections.v, 200);
	ck_set_ok(t, "poolers.bouncer.default_pool_size", "15");
	ck_assert_uint_eq(t->poolers[0].default_pool_size.v, 15);
	ck_set_ok(t, "poolers.bouncer.pool_mode", "session");
	ck_assert_uint_eq(t->poolers[0].pool_mode.v, POOL_SESSION);
	ck_assert_int_eq(load_validate(t, &err), 0);

	/* re-resolved by load_validate */
	ck_assert(api->via_pooler);
	ck_set_ok(t, "clients.api.connects_to", "main");
	ck_assert_int_eq(load_validate(t, &err), 0);
	ck_assert(!api->via_pooler);
	ck_assert_uint_eq(api->target, 0);
	ck_assert_int_eq(load_validate(t, &err), 0);
	ck_assert_ptr_null(err);
	model_free(t);
}
END_TEST

START_TEST(test_set_then_validate)
{
	struct topology *t = load_set_base();

	ck_set_ok(t, "clients.api.max_replicas", "2");
	ck_validate_error(t, "testdata/load/set.yaml:13:3: error: clients.api.max_replicas: 2 is less than "
			  "replicas 3");
	ck_set_ok(t, "clients.api.max_replicas", "3");
	ck_set_ok(t, "clients.fn.replicas", "2");
	ck_validate_error(t, "testdata/load/set.yaml:20:3: error: clients.fn.replicas: does not apply to a "
			  "client of type serverless");
	ck_set_ok(t, "clients.fn.type", "worker");
	ck_validate_error(t, "testdata/load/set.yaml:23:22: error: clients.fn.max_concurrency: does not apply to "
			  "a client of type worker");
	model_free(t);

	/* setting one field of an absent group makes the group present: load needs both */
	t = load_set_base();
	ck_set_ok(t, "clients.api.load.rate", "12.5");
	ck_pos(client_cold(&t->clients[0])->load.pos, "testdata/load/set.yaml", 13, 3);
	ck_validate_error(t, "testdata/load/set.yaml:13:3: error: clients.api.load: missing hold (how long a "
			  "transaction holds a connection)");
	ck_set_ok(t, "clients.api.load.hold", "750ms");
	ck_assert_uint_eq(client_cold(&t->clients[0])->load.hold.v, 750);
	ck_set_ok(t, "clients.api.connects_to", "nowhere");
	ck_validate_error(t, "testdata/load/set.yaml:15:18: error: clients.api.connects_to: unknown database or "
			  "pooler \"nowhere\"");
	model_free(t);
}
END_TEST

/*
 * A client's rarely set fields (struct client_cold) are copied before
 * --set changes one: a saved struct client (plan keeps one while it
 * probes) still reads what it read, and a rejected value changes nothing.
 */
START_TEST(test_set_cold_copy)
{
	struct topology *t = load_set_base();
	struct client *api = &t->clients[0], saved;
	char *err = NULL;

	ck_assert_ptr_null(api->cold); /* api sets none of them */
	ck_set_ok(t, "clients.api.url", "postgresql://app@db/shop");
	ck_assert_ptr_nonnull(api->cold);
	ck_set_ok(t, "clients.api.pool.count", "2");
	memcpy(&saved, api, sizeof(saved));
	ck_set_ok(t, "clients.api.url", "postgresql://app@other/shop");
	ck_set_ok(t, "clients.api.load.hold", "750ms");
	ck_set_ok(t, "clients.api.pool.count", "3");
	ck_assert_ptr_ne(api->cold, saved.cold);
	ck_assert_str_eq(client_cold(api)->url.s, "postgresql://app@other/shop");
	ck_assert_uint_eq(client_cold(api)->pool_count.v, 3);
	ck_assert_str_eq(client_cold(&saved)->url.s, "postgresql://app@db/shop");
	ck_assert_uint_eq(client_cold(&saved)->pool_count.v, 2);
	ck_assert(!VALUE_SET(client_cold(&saved)->load.hold));
	ck_assert_uint_eq(client_cold(&saved)->load.pos.line, 0);
	memcpy(api, &saved, sizeof(saved)); /* plan's restore */
	ck_assert_str_eq(client_cold(api)->url.s, "postgresql://app@db/shop");
	ck_assert_uint_eq(client_cold(api)->load.pos.line, 0);
	ck_assert_int_eq(load_set(t, "clients.api.pool.count", "-1", &err), -1);
	free(err);
	ck_assert_ptr_eq(api->cold, saved.cold);
	ck_assert_uint_eq(client_cold(api)->pool_count.v, 2);
	ck_assert_int_eq(load_validate(t, &err), 0);
	model_free(t);
}
END_TEST

START_TEST(test_set_errors)
{
	struct topology *t = load_set_base();
	char *err = NULL;

	ck_set_error(t, "clients.api.replica", "6",
		     "--set clients.api.replica: unknown field \"replica\", did you mean \"replicas\"?");
	ck_set_error(t, "clients.apx.replicas", "6",
		     "--set clients.apx.replicas: unknown client \"apx\", did you mean \"api\"?");
	ck_set_error(t, "databases.nope.max_connections", "6",
		     "--set databases.nope.max_connections: unknown database \"nope\"");
	ck_set_error(t, "client.api.replicas", "6",
		     "--set client.api.replicas: unknown section \"client\", did you mean \"clients\"?");
	ck_set_error(t, "lint.disable", "[CB001]",
		     "--set lint.disable: expected SECTION.ID.FIELD, e.g. clients.api.replicas");
	ck_set_error(t, "servers.x.y", "1",
		     "--set servers.x.y: unknown section \"servers\" (expected databases, poolers or clients)");
	ck_set_error(t, "clients.api", "6", "--set clients.api: expected SECTION.ID.FIELD, e.g. clients.api.replicas");
	ck_set_error(t, "clients..replicas", "6",
		     "--set clients..replicas: expected SECTION.ID.FIELD, e.g. clients.api.replicas");
	ck_set_error(t, "clients.api.replicas.", "6",
		     "--set clients.api.replicas.: expected SECTION.ID.FIELD, e.g. clients.api.replicas");
	ck_set_error(t, "clients.api.a.b.c.d.e.f.g", "6",
		     "--set clients.api.a.b.c.d.e.f.g: expected SECTION.ID.FIELD, e.g. clients.api.replicas");
	ck_set_error(t, "clients.api.pool", "6",
		     "--set clients.api.pool: \"pool\" is a group; set one of its fields (size, count, overflow, "
		     "acquire_timeout, idle_timeout)");
	ck_set_error(t, "clients.api.replicas.x", "6",
		     "--set clients.api.replicas.x: unknown field \"x\" (\"replicas\" has no fields)");
	ck_set_error(t, "clients.api.pool.sise", "6",
		     "--set clients.api.pool.sise: unknown field \"sise\", did you mean \"size\"?");
	/* values: the file's own messages */
	ck_set_error(t, "clients.api.replicas", "three",
		     "--set clients.api.replicas: expected a non-negative integer, got a string (value not shown)");
	ck_set_error(t, "clients.api.replicas", "-1",
		     "--set clients.api.replicas: expected a non-negative integer, got an integer (value not shown)");
	ck_set_error(t, "clients.api.replicas", "\"6\"",
		     "--set clients.api.replicas: expected a non-negative integer, got a quoted string (value not shown)");
	ck_set_error(t, "clients.api.replicas", "", "--set clients.api.replicas: missing value");
	ck_set_error(t, "clients.api.replicas", "~",
		     "--set clients.api.replicas: expected a non-negative integer, got null");
	ck_set_error(t, "clients.api.replicas", "1\n---\n2",
		     "--set clients.api.replicas: a second YAML document is not allowed (a topology is one document)");
	ck_set_error(t, "clients.api.replicas", "[1",
		     "--set clients.api.replicas: did not find expected ',' or ']' (while parsing a flow sequence "
		     "at line 1, column 1)");
	ck_set_error(t, "clients.api.replicas", "*a", "--set clients.api.replicas: aliases are not supported");
	ck_set_error(t, "clients.api.surge", "101%", "--set clients.api.surge: surge percentage 101% is above 100%");
	ck_set_error(t, "clients.api.framework", "prsma",
		     "--set clients.api.framework: unknown framework (value not shown), did you mean \"prisma\"?");
	ck_set_error(t, "databases.main.instance", "db.x9.huge",
		     "--set databases.main.instance: unknown RDS instance class (value not shown); set "
		     "max_connections instead");
	ck_set_error(t, "clients.api.uses", "[temp_tables, temp_tables]",
		     "--set clients.api.uses: duplicate item (value not shown)");
	ck_set_error(t, "poolers.bouncer.users", "[]", "--set poolers.bouncer.users: expected a non-empty list, got []");
	/* a value that may be a secret is never quoted, nor a path that is none */
	ck_set_error(t, "clients.api.replicas", "postgres://app:S3cr3t@db/app",
		     "--set clients.api.replicas: expected a non-negative integer, got a string (value not shown)");
	ck_set_error(t, "clients.api.pool", "{size: 1, Password=S3cr3t: 2}",
		     "--set clients.api.pool: \"pool\" is a group; set one of its fields (size, count, overflow, "
		     "acquire_timeout, idle_timeout)");
	ck_assert_int_eq(load_set(t, "clients.api.framework", "Host=db;Password=S3cr3t;", &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--set clients.api.framework: unknown framework (value not shown) (known: "));
	ck_assert_ptr_null(strstr(err, "S3cr3t"));
	free(err);
	err = NULL;
	ck_set_error(t, "postgres://app:S3cr3t@db/app?sslmode", "require",
		     "--set (path not shown): expected SECTION.ID.FIELD, e.g. clients.api.replicas; "
		     "a path holds only letters, digits, '_', '-' and '.'");
	/* nothing changed */
	ck_assert_uint_eq(t->clients[0].replicas.v, 3);
	ck_assert(!VALUE_SET(t->clients[0].surge));
	ck_assert_int_eq(load_validate(t, &err), 0);
	model_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the corpus                                                          */

/* The first line of a file (malloc'd), or NULL. */
static char *first_line(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return xstrdup(buf);
}

START_TEST(test_invalid_corpus)
{
	glob_t g;
	size_t i, failed = 0;
	struct sbuf report = { 0 };

	ck_assert_int_eq(glob("testdata/invalid/*.yaml", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 90);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		size_t n = strlen(path);
		char *exp_path = xasprintf("%.*s.expected", (int)(n - 5), path);
		char *want = first_line(exp_path), *err = NULL, *nl;
		struct topology *t = load_file(path, &err);

		if (!want) {
			sbuf_printf(&report, "%s: no %s\n", path, exp_path);
			failed++;
		} else if (t) {
			sbuf_printf(&report, "%s: loaded, want %s\n", path, want);
			failed++;
		} else {
			nl = strchr(err, '\n');
			if (nl)
				*nl = '\0';
			if (strcmp(err, want) != 0) {
				sbuf_printf(&report, "%s:\n  want %s\n  got  %s\n", path, want, err);
				failed++;
			}
		}
		model_free(t);
		free(err);
		free(want);
		free(exp_path);
	}
	globfree(&g);
	ck_assert_msg(failed == 0, "%zu of the corpus differ:\n%s", failed, report.s ? report.s : "");
	sbuf_release(&report);
}
END_TEST

START_TEST(test_valid_corpus)
{
	static const char *const patterns[] = { "testdata/load/*.yaml", "testdata/valid/*.yaml",
						"testdata/examples/*.yaml" };
	size_t p, i, loaded = 0;

	for (p = 0; p < ARRAY_LEN(patterns); p++) {
		glob_t g;
		if (glob(patterns[p], 0, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			char *err = NULL;
			struct topology *t = load_file(g.gl_pathv[i], &err);
			ck_assert_msg(t != NULL, "%s", err ? err : "");
			ck_assert_str_eq(t->files[0], g.gl_pathv[i]);
			model_free(t);
			loaded++;
		}
		globfree(&g);
	}
	ck_assert_uint_ge(loaded, 8);
}
END_TEST

/*
 * testdata/invalid-multi/: every error of a file, in the order and words of
 * its .expected (tests/errors.sh checks the same through the command); a
 * file that loads has its errors in the rules it names.
 */
START_TEST(test_multi_corpus)
{
	glob_t g;
	size_t i, j;

	ck_assert_int_eq(glob("testdata/invalid-multi/*.yaml", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 3);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		char *exp_path = xasprintf("%.*s.expected", (int)(strlen(path) - 5), path);
		char *want = NULL, *line;
		size_t cap = 0, len;
		FILE *f = fopen(exp_path, "r");
		struct load_errors errs;
		struct findings fi;
		struct topology *t = load_file_errors(path, &errs);

		ck_assert_msg(f != NULL, "%s", exp_path);
		if (t) {
			ck_assert_int_eq(rules_prepare_errors(t, NULL, &fi, &errs), -1);
			model_free(t);
		}
		ck_assert_uint_ge(errs.n, 1);
		for (j = 0; getline(&want, &cap, f) > 0; j++) {
			len = strlen(want);
			if (len && want[len - 1] == '\n')
				want[len - 1] = '\0';
			if (j == errs.n) {
				ck_assert_msg(errs.truncated, "%s: line %zu", path, j + 1);
				line = xasprintf(LOAD_TOO_MANY_ERRORS, LOAD_MAX_ERRORS);
			} else {
				ck_assert_msg(j < errs.n, "%s: %zu errors, want more", path, errs.n);
				line = load_error_format(&errs.v[j]);
			}
			ck_assert_str_eq(line, want);
			free(line);
		}
		ck_assert_uint_eq(j, errs.n + errs.truncated);
		fclose(f);
		free(want);
		free(exp_path);
		load_errors_release(&errs);
	}
	globfree(&g);
}
END_TEST

/* Sorted by position, not in the order found: a check on the whole topology
 * (found last) at line 3 comes before a key's error at line 9; the client
 * with the error is not checked (no "missing connects_to" for it). */
START_TEST(test_errors_sorted)
{
	static const char yaml[] =
		"version: 1\n"
		"databases:\n"
		"  main: { headroom: 5 }\n"
		"clients:\n"
		"  api:\n"
		"    type: service\n"
		"    pool: { size: 1 }\n"
		"    connects_to: main\n"
		"    replica: 2\n"
		"  web: { type: service, conects_to: main, pool: { size: 1 } }\n";
	char *err = NULL;

	ck_assert_ptr_null(load_buffer("t.yaml", yaml, strlen(yaml), &err));
	ck_assert_str_eq(err, "t.yaml:3:3: error: databases.main: missing max_connections (required unless "
			 "instance is given)");
	free(err);
}
END_TEST

/*
 * Reading past a value whose readers pushed path components of their own
 * (a sources: entry's index, in a buffer of its reader) and failed: an
 * error found while skipping names only what is still there (found by
 * fuzz_load), and a YAML-level one replaces what was said about the file.
 * Items of a list are read on after a bad one.
 */
START_TEST(test_errors_recover)
{
	static const char tag[] = "version: 1\n"
				  "sources:\n"
				  "  - {kubernetes: a.yaml, env: 5, x: !!binary eQ==}\n"
				  "databases: {main: {max_connections: 10}}\n";
	static const char items[] = "version: 1\ndatabases: {main: {max_connections: 100, "
				    "ignore: [1, CB001, CB001, [x], CB002]}}\n";
	char *err = NULL;

	ck_assert_ptr_null(load_buffer("t.yaml", tag, strlen(tag), &err));
	ck_assert_str_eq(err, "t.yaml:3:37: error: unsupported tag !!binary (only !!str, !!map and !!seq are accepted)");
	free(err);
	ck_assert_ptr_null(load_buffer("t.yaml", items, strlen(items), &err));
	ck_assert_str_eq(err, "t.yaml:2:51: error: databases.main.ignore: expected a string, got 1");
	free(err);
}
END_TEST

/* load_errors_add: at most LOAD_MAX_ERRORS, then truncated; release accepts NULL. */
START_TEST(test_errors_cap)
{
	struct load_errors e = { 0 };
	int i;

	for (i = 0; i < LOAD_MAX_ERRORS; i++)
		ck_assert(load_errors_add(&e, "f.yaml", (unsigned)i + 1, 1, xstrdup("x")));
	ck_assert(!e.truncated);
	ck_assert(!load_errors_add(&e, "f.yaml", 99, 1, xstrdup("dropped")));
	ck_assert(e.truncated);
	ck_assert_uint_eq(e.n, LOAD_MAX_ERRORS);
	load_errors_release(&e);
	ck_assert_uint_eq(e.n, 0);
	load_errors_release(NULL);
}
END_TEST

Suite *load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc;

	tc = tcase_create("scalars");
	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_integer_errors);
	tcase_add_test(tc, test_reals);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_surge_and_enums);
	tcase_add_test(tc, test_strings_and_lists);
	tcase_add_test(tc, test_core_schema_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("positions");
	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_environment);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_add_test(tc, test_errors_stream);
	tcase_add_test(tc, test_errors_schema);
	tcase_add_test(tc, test_invalid_corpus);
	tcase_add_test(tc, test_valid_corpus);
	tcase_add_test(tc, test_multi_corpus);
	tcase_add_test(tc, test_errors_sorted);
	tcase_add_test(tc, test_errors_recover);
	tcase_add_test(tc, test_errors_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("includes");
	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_include_globs_and_diamond);
	tcase_add_test(tc, test_include_relative_to_cwd);
	tcase_add_test(tc, test_include_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_billion_laughs);
	tcase_add_test(tc, test_size_limits);
	tcase_add_test(tc, test_stdin);
	tcase_add_test(tc, test_fifo_without_writer);
	suite_add_tcase(s, tc);

	tc = tcase_create("load_set");
	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_add_test(tc, test_set_values);
	tcase_add_test(tc, test_set_then_validate);
	tcase_add_test(tc, test_set_cold_copy);
	tcase_add_test(tc, test_set_errors);
	suite_add_tcase(s, tc);
	return s;
}
