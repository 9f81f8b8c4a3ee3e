/*
 * check_config.c - postgresql.conf and pgbouncer.ini behind a topology
 * (config.c) and CB018 (rule_config.c). Tests run in tests/, so the
 * fixtures are ../testdata/config/; small bad files are written to a
 * temporary directory by the test that needs them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "load.h"
#include "rules_impl.h"
#include "rules.h"

#define nowhere pos_make("t.yaml", 1, 1)

/* A fresh temporary directory (removed by rm_tmpdir). */
static char *mk_tmpdir(void)
{
	char *d = xstrdup("/tmp/cb-config-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void rm_tmpdir(char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(d);
}

/* Write text to dir/name; returns the path (caller frees). */
static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Read a postgresql.conf text (written to a temporary file); the error, or NULL. */
static char *pg_error(const char *text)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	char *dir = mk_tmpdir(), *path = write_file(dir, "postgresql.conf", text), *err = NULL;

	if (config_read_postgresql(&a, path, nowhere, &f, &err) == 0)
		ck_assert_ptr_null(err);
	else
		ck_assert_ptr_nonnull(err);
	config_file_release(&f);
	arena_release(&a);
	free(path);
	rm_tmpdir(dir);
	return err;
}

static char *ini_error(const char *text)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	char *dir = mk_tmpdir(), *path = write_file(dir, "pgbouncer.ini", text), *err = NULL;

	if (config_read_pgbouncer(&a, path, nowhere, &f, &err) == 0)
		ck_assert_ptr_null(err);
	else
		ck_assert_ptr_nonnull(err);
	config_file_release(&f);
	arena_release(&a);
	free(path);
	rm_tmpdir(dir);
	return err;
}

/* err ends with want after its "DIR/postgresql.conf" part; frees err. */
static void assert_error_has(char *err, const char *want)
{
	ck_assert_msg(err != NULL, "no error, want \"%s\"", want);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
	free(err);
}

/* The line:col part of err, for files written by pg_error/ini_error. */
static void assert_error_at(char *err, const char *name, const char *linecol, const char *want)
{
	char *at = xasprintf("/%s:%s: error: ", name, linecol);

	ck_assert_msg(err != NULL, "no error, want %s", at);
	ck_assert_msg(strstr(err, at) != NULL, "error \"%s\" is not at %s", err, at);
	free(at);
	assert_error_has(err, want);
}

START_TEST(test_pg_durations)
{
	/* PostgreSQL's parse_int with GUC_UNIT_MS: rint() rounds halves to even */
	static const struct {
		const char *in;
		uint64_t ms;
	} ok[] = {
		{ "10min", 600000 }, { "1h", 3600000 }, { "1d", 86400000 }, { "30s", 30000 },
		{ "1500", 1500 }, { "250ms", 250 }, { "1.5s", 1500 }, { "10 min", 600000 },
		{ "1500us", 2 }, { "2500us", 2 }, { "0", 0 }, { "0x10", 16 }, { "010", 8 },
		{ " 5s ", 5000 }, { "2147483647", 2147483647 },
	};
	static const char *const bad[] = {
		"", "abc", "10 mins", "10MB", "-1", "5 s s", "1e10", "2147483648", "10Min", "s",
	};
	uint64_t ms;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(config_parse_pg_ms(ok[i].in, &ms), "\"%s\" rejected", ok[i].in);
		ck_assert_msg(ms == ok[i].ms, "\"%s\" is %llu, want %llu", ok[i].in,
			      (unsigned long long)ms, (unsigned long long)ok[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!config_parse_pg_ms(bad[i], &ms), "\"%s\" accepted", bad[i]);
}
END_TEST

/* The realistic file: includes, include_dir order, the last setting wins. */
START_TEST(test_pg_includes)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(config_read_postgresql(&a, "../testdata/config/prod/postgresql.conf",
						nowhere, &f, &err), 0);
	s = config_find(&f, "", "max_connections");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "400"); /* conf.d/20-connections.conf wins over 300 */
	ck_assert_str_eq(pos_file(s->pos), "../testdata/config/prod/conf.d/20-connections.conf");
	ck_assert_uint_eq(s->pos.line, 2);
	ck_assert_uint_eq(s->pos.col, 1);
	s = config_find(&f, "", "idle_session_timeout"); /* written IDLE_SESSION_TIMEOUT */
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "1h");
	ck_assert_str_eq(pos_file(s->pos), "../testdata/config/prod/tuning.conf");
	ck_assert_uint_eq(s->pos.line, 3);
	s = config_find(&f, "", "idle_in_transaction_session_timeout");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "60000");
	s = config_find(&f, "", "application_name");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "it's quoted");
	s = config_find(&f, "", "work_mem");
	ck_assert_str_eq(s->value, "16MB");
	ck_assert_ptr_null(config_find(&f, "", "include"));
	ck_assert_ptr_null(config_find(&f, "", "include_dir"));
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

/* postgresql.auto.conf beside the file is read after it: ALTER SYSTEM wins. */
START_TEST(test_pg_auto_conf)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(config_read_postgresql(&a, "../testdata/config/auto/postgresql.conf",
						nowhere, &f, &err), 0);
	s = config_find(&f, "", "max_connections");
	ck_assert_str_eq(s->value, "250");
	ck_assert_str_eq(pos_file(s->pos), "../testdata/config/auto/postgresql.auto.conf");
	ck_assert_uint_eq(s->pos.line, 3);
	s = config_find(&f, "", "superuser_reserved_connections");
	ck_assert_str_eq(pos_file(s->pos), "../testdata/config/auto/postgresql.conf");
	config_file_release(&f);
	/* named itself, it is read once */
	ck_assert_int_eq(config_read_postgresql(&a, "../testdata/config/auto/postgresql.auto.conf",
						nowhere, &f, &err), 0);
	ck_assert_uint_eq(f.n, 2);
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

/* The stock Debian files load; the sample sets nothing. */
START_TEST(test_pg_stock_files)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(config_read_postgresql(&a, "../testdata/config/debian/postgresql.conf.sample",
						nowhere, &f, &err), 0);
	ck_assert_uint_eq(f.n, 0);
	config_file_release(&f);
	ck_assert_int_eq(config_read_postgresql(&a, "../testdata/config/debian/postgresql.conf",
						nowhere, &f, &err), 0);
	s = config_find(&f, "", "max_connections");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "100");
	ck_assert_uint_eq(s->pos.line, 65);
	s = config_find(&f, "", "data_directory");
	ck_assert_str_eq(s->value, "/var/lib/postgresql/15/main");
	s = config_find(&f, "", "log_line_prefix");
	ck_assert_str_eq(s->value, "%m [%p] %q%u@%d ");
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

/* guc-file.l's tokens and ParseConfigFp's grammar. */
START_TEST(test_pg_syntax)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	char *dir = mk_tmpdir(), *err = NULL, *path;

	path = write_file(dir, "ok.conf",
			  "a = on\n"
			  "b 'x\\ty'   # escapes\n"
			  "  c=-1.5e3\n"
			  "d = /path/to:x\n" /* UNQUOTED_STRING would need a letter first: error below */
			  );
	ck_assert_int_eq(config_read_postgresql(&a, path, nowhere, &f, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/ok.conf:4:5: error: syntax error"));
	free(err);
	err = NULL;
	config_file_release(&f);
	free(path);
	path = write_file(dir, "ok2.conf",
			  "a = on\n"
			  "b 'x\\ty'   # escapes\n"
			  "  c=-1.5e3\n"
			  "d = path/to:x\n"
			  "e = 64MB\n"
			  "f = 0x1F\n"
			  "g = ''\n"
			  "schema.var = 1"); /* a qualified name; no newline at the end */
	ck_assert_int_eq(config_read_postgresql(&a, path, nowhere, &f, &err), 0);
	ck_assert_str_eq(config_find(&f, "", "b")->value, "x\ty");
	ck_assert_str_eq(config_find(&f, "", "c")->value, "-1.5e3");
	ck_assert_uint_eq(config_find(&f, "", "c")->pos.col, 3);
	ck_assert_str_eq(config_find(&f, "", "d")->value, "path/to:x");
	ck_assert_str_eq(config_find(&f, "", "e")->value, "64MB");
	ck_assert_str_eq(config_find(&f, "", "f")->value, "0x1F");
	ck_assert_str_eq(config_find(&f, "", "g")->value, "");
	ck_assert_str_eq(config_find(&f, "", "schema.var")->value, "1");
	config_file_release(&f);
	free(path);
	arena_release(&a);
	rm_tmpdir(dir);

	/* a value, then only a comment or the end of the line */
	assert_error_at(pg_error("max_connections = 100 200\n"), "postgresql.conf", "1:23",
			"': expected the end of the line after the value (a value with spaces is quoted)");
	assert_error_at(pg_error("\n\nmax_connections =\n"), "postgresql.conf", "3:18",
			"near end of line: expected a value");
	/* a fraction with a unit must be quoted: REAL "1.5" then "s" */
	assert_error_at(pg_error("idle_session_timeout = 1.5s\n"), "postgresql.conf", "1:27",
			"': expected the end of the line after the value");
	assert_error_at(pg_error("x = 'unterminated\n"), "postgresql.conf", "1:5",
			"': a quoted value without its closing quote");
	assert_error_at(pg_error("= 5\n"), "postgresql.conf", "1:1", "': expected a parameter name");
	assert_error_at(pg_error("10 = 5\n"), "postgresql.conf", "1:1", "syntax error");
	/* a qualified name is not a value */
	assert_error_at(pg_error("x = a.b\n"), "postgresql.conf", "1:5", "': expected a value");
	/* a line that does not parse is never quoted: it may hold a password */
	assert_error_at(pg_error("primary_conninfo = host=db password=S3cr3t\n"), "postgresql.conf", "1:24",
			"': expected the end of the line after the value");
	{
		char *e = pg_error("primary_conninfo = host=db password=S3cr3t\n");
		ck_assert_ptr_null(strstr(e, "S3cr3t"));
		ck_assert_ptr_null(strstr(e, "password"));
		free(e);
	}
	{
		char *e = pg_error("primary_conninfo = 'host=db password=S3cr3t\n");
		ck_assert_ptr_null(strstr(e, "S3cr3t"));
		free(e);
	}
	ck_assert_ptr_null(pg_error("# only comments\n\n   \t\n"));
	ck_assert_ptr_null(pg_error(""));
}
END_TEST

START_TEST(test_pg_include_errors)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	char *dir = mk_tmpdir(), *err = NULL, *path, *want;

	/* a missing include is an error at the directive; include_if_exists is not */
	path = write_file(dir, "main.conf", "max_connections = 10\n  include 'nope.conf'\n");
	ck_assert_int_eq(config_read_postgresql(&a, path, nowhere, &f, &err), -1);
	want = xasprintf("%s:2:3: error: cannot read configuration file '%s/nope.conf': "
			 "No such file or directory", path, dir);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	err = NULL;
	config_file_release(&f);
	free(path);

	path = write_file(dir, "ifexists.conf", "include_if_exists = 'nope.conf'\nport = 1\n");
	ck_assert_int_eq(config_read_postgresql(&a, path, nowhere, &f, &err), 0);
	ck_assert_uint_eq(f.n, 1);
	config_file_release(&f);
	free(path);

	/* a cycle ends at the nesting limit instead of looping */
	free(write_file(dir, "a.conf", "include 'b.conf'\n"));
	path = write_file(dir, "b.conf", "include 'a.conf'\n");
	ck_assert_int_eq(config_read_postgresql(&a, path, nowhere, &f, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "nested deeper than 10"));
	free(err);
	err = NULL;
	config_file_release(&f);
	free(path);

	/* the file named in the YAML is reported where the YAML names it */
	path = xasprintf("%s/absent.conf", dir);
	ck_assert_int_eq(config_read_postgresql(&a, path, nowhere, &f, &err), -1);
	want = xasprintf("t.yaml:1:1: error: cannot read configuration file '%s': "
			 "No such file or directory", path);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	free(path);
	config_file_release(&f);
	arena_release(&a);
	rm_tmpdir(dir);
}
END_TEST

START_TEST(test_ini_stock_file)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(config_read_pgbouncer(&a, "../testdata/config/debian/pgbouncer.ini", nowhere,
					       &f, &err), 0);
	s = config_find(&f, "pgbouncer", "listen_port");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "6432");
	ck_assert_uint_eq(s->pos.line, 54);
	ck_assert_uint_eq(s->pos.col, 1);
	s = config_find(&f, "pgbouncer", "auth_file");
	ck_assert_str_eq(s->value, "/etc/pgbouncer/userlist.txt");
	ck_assert_ptr_null(config_find(&f, "pgbouncer", "default_pool_size")); /* commented out */
	ck_assert_ptr_null(config_find(&f, "databases", "foodb"));
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

START_TEST(test_ini_databases_and_include)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(config_read_pgbouncer(&a, "../testdata/config/prod/pgbouncer.ini", nowhere,
					       &f, &err), 0);
	s = config_find(&f, "databases", "main");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->value, "host=db.internal port=5432 dbname=shop pool_size=40");
	ck_assert_uint_eq(s->pos.line, 5);
	/* %include limits.ini continues [pgbouncer]; its value is the last */
	s = config_find(&f, "pgbouncer", "max_client_conn");
	ck_assert_str_eq(s->value, "3000");
	ck_assert_str_eq(pos_file(s->pos), "../testdata/config/prod/limits.ini");
	ck_assert_uint_eq(s->pos.line, 2);
	s = config_find(&f, "users", "app");
	ck_assert_str_eq(s->value, "pool_mode=transaction");
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

START_TEST(test_ini_syntax)
{
	char line[400];

	/* PgBouncer: name = value only; no inline comments; no continuation */
	assert_error_at(ini_error("[pgbouncer]\nlisten_port: 6432\n"), "pgbouncer.ini", "2:12",
			"syntax error in configuration");
	assert_error_at(ini_error("[pgbouncer\nlisten_port = 6432\n"), "pgbouncer.ini", "1:1",
			"syntax error in configuration");
	assert_error_at(ini_error("\n  listen_port = 6432\n"), "pgbouncer.ini", "2:3",
			"value without section: listen_port");
	assert_error_at(ini_error("[pgbouncer]\n\njunk\n"), "pgbouncer.ini", "3:1",
			"syntax error in configuration");
	assert_error_at(ini_error("[pgbouncer]\n%include\n"), "pgbouncer.ini", "2:1",
			"%include: empty file name");
	assert_error_at(ini_error("[pgbouncer]\n%include nope.ini\n"), "pgbouncer.ini", "2:1",
			"nope.ini': No such file or directory");
	assert_error_at(ini_error("; nothing\n# at all\n"), "pgbouncer.ini", "1:1",
			"main section missing from config file");
	/* PgBouncer's own strictness (cfparser.c, src/loader.c), in its words */
	assert_error_at(ini_error("[pgbouncer]\npool_sise = 5\n"), "pgbouncer.ini", "2:1",
			"unknown parameter: pgbouncer/pool_sise");
	assert_error_at(ini_error("[pgbouncer]\nPool_Mode = session\n"), "pgbouncer.ini", "2:1",
			"unknown parameter: pgbouncer/Pool_Mode");
	assert_error_at(ini_error("[pgbouncer]\n[PgBouncer]\n"), "pgbouncer.ini", "2:1",
			"invalid section \"PgBouncer\"");
	assert_error_at(ini_error("[pgbouncer]\n[pool]\n"), "pgbouncer.ini", "2:1",
			"invalid section \"pool\"");
	assert_error_at(ini_error("[pgbouncer] junk\n"), "pgbouncer.ini", "1:13",
			"syntax error in configuration");
	assert_error_at(ini_error("[pgbouncer]\nquery_timeout = 1s\n"), "pgbouncer.ini", "2:1",
			"invalid value \"1s\" for parameter query_timeout");
	assert_error_at(ini_error("[pgbouncer]\nquery_timeout = -1\n"), "pgbouncer.ini", "2:1",
			"invalid value \"-1\" for parameter query_timeout");
	assert_error_at(ini_error("[pgbouncer]\nlisten_port =\n"), "pgbouncer.ini", "2:1",
			"invalid value \"\" for parameter listen_port");
	assert_error_at(ini_error("[pgbouncer]\nauth_type = magic\n"), "pgbouncer.ini", "2:1",
			"invalid value \"magic\" for parameter auth_type");
	assert_error_at(ini_error("[pgbouncer]\nserver_tls_sslmode = on\n"), "pgbouncer.ini", "2:1",
			"invalid value \"on\" for parameter server_tls_sslmode");
	assert_error_at(ini_error("[pgbouncer]\nauth_dbname = pgbouncer\n"), "pgbouncer.ini", "2:1",
			"invalid value \"pgbouncer\" for parameter auth_dbname");
	assert_error_at(ini_error("[pgbouncer]\n[databases]\n\"my db\" = host=x\n"), "pgbouncer.ini",
			"3:1", "syntax error in configuration");
	assert_error_at(ini_error("[pgbouncer]\n[databases]\nmy db = host=x\n"), "pgbouncer.ini",
			"3:3", "syntax error in configuration");
	assert_error_at(ini_error("[pgbouncer]\n[databases]\npgbouncer = host=x\n"), "pgbouncer.ini",
			"3:1", "database name \"pgbouncer\" is reserved");
	assert_error_at(ini_error("[pgbouncer]\n[peers]\n0 = host=x\n"), "pgbouncer.ini", "3:1",
			"ids of peers must be a number larger than 0");
	/* what PgBouncer takes: strtol's sign and bases, strtod's seconds, any case of a lookup */
	ck_assert_ptr_null(ini_error("[pgbouncer]\ndefault_pool_size = 0x10\nreserve_pool_size = -1\n"
				     "query_timeout = 1.5\npool_mode = SESSION\nauth_type = scram-sha-256\n"
				     "[databases]\n'my db' = host=x\n[peers]\n1 = host=y\n"));
	/* a later [pgbouncer] header resets the earlier values (fill_defaults) */
	{
		struct arena a = { 0 };
		struct config_file f = { 0 };
		char *dir = mk_tmpdir(), *err = NULL,
		     *path = write_file(dir, "pgbouncer.ini", "[pgbouncer]\ndefault_pool_size = 7\n"
					"pool_mode = transaction\n[databases]\nx = host=y\n[pgbouncer]\n"
					"pool_mode = session\n");

		ck_assert_int_eq(config_read_pgbouncer(&a, path, nowhere, &f, &err), 0);
		ck_assert_ptr_null(config_find(&f, "pgbouncer", "default_pool_size"));
		ck_assert_str_eq(config_find(&f, "pgbouncer", "pool_mode")->value, "session");
		ck_assert_ptr_nonnull(config_find(&f, "databases", "x"));
		config_file_release(&f);
		arena_release(&a);
		free(path);
		rm_tmpdir(dir);
	}
	/* a line longer than inih's default 200-byte buffer */
	memset(line, 'x', sizeof(line));
	memcpy(line, "[databases]\nmain = host=", 24);
	memcpy(line + sizeof(line) - 28, "\n[pgbouncer]\nverbose=1\n", 24);
	ck_assert_ptr_null(ini_error(line));
}
END_TEST

/* Load a topology file and apply its config files (again: it is idempotent). */
static struct topology *load(const char *path)
{
	char *err = NULL;
	struct topology *t = load_file(path, &err);

	ck_assert_msg(t != NULL, "load %s: %s", path, err ? err : "?");
	ck_assert_msg(config_apply(t, &err) == 0, "config_apply %s: %s", path, err ? err : "?");
	return t;
}

START_TEST(test_apply_fills)
{
	struct topology *t = load("../testdata/config/prod.yaml");
	const struct database *d = &t->databases[0];
	const struct pooler *p = &t->poolers[0];

	ck_assert_uint_eq(t->nmismatches, 0);
	ck_assert(VALUE_SET(d->superuser_reserved_connections));
	ck_assert_uint_eq(d->superuser_reserved_connections.v, 5);
	ck_assert_str_eq(pos_file(d->superuser_reserved_connections.pos),
			 "../testdata/config/prod/postgresql.conf");
	ck_assert_uint_eq(d->superuser_reserved_connections.pos.line, 9);
	ck_assert_uint_eq(d->idle_session_timeout.v, 3600000);
	ck_assert_uint_eq(d->idle_in_transaction_session_timeout.v, 60000);
	ck_assert_uint_eq(d->idle_in_transaction_session_timeout.pos.line, 1);
	ck_assert_uint_eq(d->max_connections.v, 400);
	ck_assert(!VALUE_SET(d->reserved_connections));
	/* pgbouncer.ini: default_pool_size = 20 is the pooler's; the [databases]
	 * entry's pool_size=40 is its own pool's, and only 'main' is on db.internal */
	ck_assert_uint_eq(p->default_pool_size.v, 20);
	ck_assert_ptr_nonnull(p->bouncer);
	ck_assert_uint_eq(p->bouncer->nentries, 2);
	ck_assert_str_eq(p->bouncer->entries[0].name, "main");
	ck_assert(p->bouncer->entries[0].points_here);
	ck_assert_uint_eq(p->bouncer->entries[0].pool_size.v, 40);
	ck_assert_uint_eq(p->bouncer->entries[0].pool_size.pos.line, 5);
	ck_assert_str_eq(p->bouncer->entries[1].name, "reporting");
	ck_assert(!p->bouncer->entries[1].points_here); /* db-replica.internal */
	ck_assert_uint_eq(p->bouncer->entries[1].pool_mode.v, POOL_SESSION);
	ck_assert_uint_eq(p->bouncer->nusers, 1);
	ck_assert_str_eq(p->bouncer->users[0].name, "app");
	ck_assert_uint_eq(p->bouncer->users[0].pool_mode.v, POOL_TRANSACTION);
	ck_assert_uint_eq(p->pool_mode.v, POOL_TRANSACTION);
	ck_assert_uint_eq(p->reserve_pool_size.v, 5);
	ck_assert_uint_eq(p->max_client_conn.v, 3000);
	ck_assert_str_eq(pos_file(p->max_client_conn.pos), "../testdata/config/prod/limits.ini");
	ck_assert_uint_eq(p->max_db_connections.v, 60);
	ck_assert_uint_eq(p->port.v, 6432);
	ck_assert_uint_eq(p->port.pos.line, 13);
	model_free(t);

	t = load("../testdata/config/debian-sample.yaml");
	ck_assert_uint_eq(t->nmismatches, 0);
	ck_assert(!VALUE_SET(t->databases[0].superuser_reserved_connections));
	ck_assert_uint_eq(t->poolers[0].port.v, 6432);
	ck_assert(!VALUE_SET(t->poolers[0].default_pool_size));
	ck_assert_uint_eq(t->poolers[0].pool_mode.v, POOL_TRANSACTION); /* the YAML's */
	model_free(t);
}
END_TEST

/* Run CB018's check alone over t; returns the findings (release them). */
static void run_cb018(const struct topology *t, struct findings *out)
{
	struct rule_ctx ctx = { 0 };

	memset(out, 0, sizeof(*out));
	ctx.t = t;
	ctx.rule = rule_find("CB018");
	ck_assert_ptr_nonnull(ctx.rule);
	ctx.severity = SEV_ERROR;
	ctx.out = out;
	check_config_mismatch(&ctx);
}

START_TEST(test_mismatch)
{
	char *dir = mk_tmpdir(), *yaml, *err = NULL;
	struct topology *t;
	struct findings fs;
	const struct config_mismatch *m;

	free(write_file(dir, "pgbouncer.ini",
			"[databases]\n"
			"main = host=db2.internal port=6543 pool_size=30\n"
			"[pgbouncer]\n"
			"default_pool_size = 25\n"
			"max_client_conn = 500\n"
			"pool_mode = Transaction\n"));
	free(write_file(dir, "postgresql.conf", "max_connections = 200\n"
						"idle_in_transaction_session_timeout = '5min'\n"));
	yaml = write_file(dir, "t.yaml",
			  "version: 1\n"
			  "databases:\n"
			  "  main:\n"
			  "    max_connections: 100\n"
			  "    host: db.internal\n"
			  "    port: 5432\n"
			  "    config: postgresql.conf\n"
			  "    settings: { idle_in_transaction_session_timeout: 10min }\n"
			  "poolers:\n"
			  "  bouncer:\n"
			  "    type: pgbouncer\n"
			  "    database: main\n"
			  "    default_pool_size: 20\n"
			  "    max_client_conn: 500\n"
			  "    pool_mode: transaction\n"
			  "    config: pgbouncer.ini\n"
			  "    ignore: [CB009]\n"
			  "clients:\n"
			  "  api: { type: service, connects_to: bouncer, pool: { size: 5 } }\n");
	t = load(yaml);
	ck_assert_uint_eq(t->nmismatches, 5);
	ck_assert_int_eq(config_apply(t, &err), 0); /* a third time: nothing added */
	ck_assert_uint_eq(t->nmismatches, 5);

	run_cb018(t, &fs);
	ck_assert_uint_eq(fs.n, 5);
	/* postgresql.conf first: max_connections, then the timeout */
	m = &t->mismatches[0];
	ck_assert_str_eq(m->setting, "max_connections");
	ck_assert_str_eq(m->yaml_value, "100");
	ck_assert_str_eq(m->conf_value, "200");
	ck_assert_uint_eq(m->yaml_pos.line, 4);
	ck_assert_uint_eq(m->yaml_pos.col, 22);
	ck_assert_uint_eq(m->conf_pos.line, 1);
	ck_assert_str_eq(m->object, "databases.main");
	ck_assert_ptr_nonnull(strstr(fs.v[0].message, "max_connections is 100 in the topology but 200 in '"));
	ck_assert_ptr_nonnull(strstr(fs.v[1].message,
				     "idle_in_transaction_session_timeout is 10min in the topology but 5min in '"));
	ck_assert_uint_eq(fs.v[1].pos.line, 2);
	/* pgbouncer.ini: default_pool_size (the entry's pool_size=30 is its
	 * pool's own setting, not the pooler's default), then where the server
	 * really is (the entry named like the database) */
	ck_assert_ptr_nonnull(strstr(fs.v[2].message, "default_pool_size is 20 in the topology but 25 in '"));
	ck_assert_uint_eq(fs.v[2].pos.line, 4);
	ck_assert_uint_eq(fs.v[2].pos.col, 1);
	ck_assert_str_eq(fs.v[2].object, "poolers.bouncer");
	ck_assert_ptr_nonnull(strstr(fs.v[3].message,
				     "host of database 'main' is 'db.internal' in the topology but "
				     "'db2.internal' in '"));
	ck_assert_ptr_nonnull(strstr(fs.v[3].message, "pgbouncer.ini' ([databases] 'main')"));
	ck_assert_uint_eq(fs.v[3].pos.line, 2);
	ck_assert_ptr_nonnull(strstr(fs.v[4].message, "port of database 'main' is 5432 in the topology but 6543"));
	/* max_client_conn and pool_mode agree (PgBouncer reads the mode ignoring case) */
	findings_release(&fs);

	model_free(t);
	free(yaml);

	/* the referencing object's ignore list silences its mismatches */
	yaml = write_file(dir, "t2.yaml",
			  "version: 1\n"
			  "databases:\n"
			  "  main: { max_connections: 100, config: postgresql.conf, ignore: [config-mismatch] }\n"
			  "poolers:\n"
			  "  bouncer: { type: pgbouncer, database: main, default_pool_size: 20,\n"
			  "             config: pgbouncer.ini }\n");
	t = load(yaml);
	ck_assert_uint_eq(t->nmismatches, 2);
	run_cb018(t, &fs);
	ck_assert_uint_eq(fs.n, 1);
	ck_assert_str_eq(fs.v[0].object, "poolers.bouncer");
	findings_release(&fs);
	model_free(t);
	free(yaml);
	rm_tmpdir(dir);
}
END_TEST

/*
 * CB018 quotes the file's value as the file writes it (without a quoted
 * string's quotes), so it can be searched for: '24h' is 24h, not 1d; the
 * YAML's value is the topology's, normalised.
 */
START_TEST(test_mismatch_as_written)
{
	static const char *const want[] = {
		"max_connections is 200 in the topology but 0x64 in '",
		"idle_in_transaction_session_timeout is 12h in the topology but 24h in '",
		"idle_session_timeout is 5min in the topology but 600s in '",
		"pool_mode is transaction in the topology but Session in '",
		"port of database 'main' is 5432 in the topology but 06543 in '",
		"max_pool is 2 in the topology but 3 in '",
	};
	char *dir = mk_tmpdir(), *yaml;
	struct topology *t;
	struct findings fs;
	size_t i;

	free(write_file(dir, "postgresql.conf", "max_connections = 0x64\n"
						"idle_in_transaction_session_timeout = '24h'\n"
						"idle_session_timeout = 600s\n"));
	free(write_file(dir, "pgbouncer.ini", "[databases]\nmain = host=db.internal port=06543\n"
					      "[pgbouncer]\npool_mode = Session\n"));
	free(write_file(dir, "pgpool.conf", "max_pool = '3'\n"));
	yaml = write_file(dir, "t.yaml",
			  "version: 1\n"
			  "databases:\n"
			  "  main:\n"
			  "    max_connections: 200\n"
			  "    host: db.internal\n"
			  "    port: 5432\n"
			  "    config: postgresql.conf\n"
			  "    settings: { idle_in_transaction_session_timeout: 12h, idle_session_timeout: 5min }\n"
			  "poolers:\n"
			  "  bouncer: { type: pgbouncer, database: main, pool_mode: transaction, config: pgbouncer.ini }\n"
			  "  pool: { type: pgpool, database: main, max_pool: 2, config: pgpool.conf }\n");
	t = load(yaml);
	run_cb018(t, &fs);
	ck_assert_uint_eq(fs.n, ARRAY_LEN(want));
	for (i = 0; i < fs.n; i++)
		ck_assert_msg(strstr(fs.v[i].message, want[i]), "%s: want \"%s\"", fs.v[i].message, want[i]);
	findings_release(&fs);
	model_free(t);
	free(yaml);
	rm_tmpdir(dir);
}
END_TEST

/* Bad values are input errors in the config file; a missing file is one at `config:`. */
START_TEST(test_apply_errors)
{
	static const struct {
		const char *ini, *conf, *want;
	} cases[] = {
		{ "[pgbouncer]\ndefault_pool_size = twenty\n", NULL,
		  "pgbouncer.ini:2:1: error: invalid value \"twenty\" for parameter default_pool_size" },
		{ "[pgbouncer]\npool_mode = sometimes\n", NULL,
		  "pgbouncer.ini:2:1: error: invalid value \"sometimes\" for parameter pool_mode" },
		{ "[pgbouncer]\nlisten_port = 70000\n", NULL,
		  "pgbouncer.ini:2:1: error: listen_port: expected a port from 1 to 65535, got \"70000\"" },
		{ "[pgbouncer]\nmax_client_conn = -5\n", NULL,
		  "pgbouncer.ini:2:1: error: max_client_conn: expected a non-negative integer, got \"-5\"" },
		{ "[pgbouncer]\n[databases]\nmain = pool_size=x\n", NULL,
		  "pgbouncer.ini:3:1: error: pool_size: expected a non-negative integer, got \"x\"" },
		{ "[pgbouncer]\n[databases]\nmain = host='unterminated\n", NULL,
		  "pgbouncer.ini:3:1: error: [databases] 'main': malformed connect string" },
		{ NULL, "max_connections = 0\n",
		  "postgresql.conf:1:1: error: max_connections: expected an integer from 1 to 262143, got \"0\"" },
		{ NULL, "max_connections = '100MB'\n",
		  "postgresql.conf:1:1: error: max_connections: expected an integer from 1 to 262143, got \"100MB\"" },
		{ NULL, "  idle_session_timeout = '5 parsecs'\n",
		  "postgresql.conf:1:3: error: idle_session_timeout: expected a duration" },
		{ NULL, "superuser_reserved_connections = -1\n",
		  "postgresql.conf:1:1: error: superuser_reserved_connections: expected an integer from 0 to 262143" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = mk_tmpdir(), *yaml, *err = NULL, *want;
		struct topology *t;

		if (cases[i].ini)
			free(write_file(dir, "pgbouncer.ini", cases[i].ini));
		if (cases[i].conf)
			free(write_file(dir, "postgresql.conf", cases[i].conf));
		yaml = write_file(dir, "t.yaml",
				  cases[i].ini ?
				  "version: 1\ndatabases: { main: { max_connections: 100 } }\n"
				  "poolers: { b: { type: pgbouncer, database: main, config: pgbouncer.ini } }\n" :
				  "version: 1\ndatabases: { main: { max_connections: 100, config: postgresql.conf } }\n");
		t = load_file(yaml, &err);
		if (t) /* until the loader calls config_apply itself */
			ck_assert_int_eq(config_apply(t, &err), -1);
		want = xasprintf("%s/%s", dir, cases[i].want);
		ck_assert_msg(err && strncmp(err, want, strlen(want)) == 0, "case %zu: got \"%s\", want \"%s\"",
			      i, err ? err : "(none)", want);
		free(want);
		free(err);
		model_free(t);
		free(yaml);
		rm_tmpdir(dir);
	}
}
END_TEST

START_TEST(test_apply_missing_file)
{
	char *err = NULL;
	const char yaml[] =
		"version: 1\n"
		"databases: { main: { max_connections: 100 } }\n"
		"poolers:\n"
		"  b:\n"
		"    type: pgbouncer\n"
		"    database: main\n"
		"    config: nope/pgbouncer.ini\n";
	struct topology *t = load_buffer("../testdata/config/t.yaml", yaml, strlen(yaml), &err);

	if (t)
		ck_assert_int_eq(config_apply(t, &err), -1);
	ck_assert_str_eq(err, "../testdata/config/t.yaml:7:13: error: cannot read configuration file "
			      "'../testdata/config/nope/pgbouncer.ini': No such file or directory");
	free(err);
	model_free(t);
}
END_TEST

START_TEST(test_pgpool_file)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(config_read_pgpool(&a, "../testdata/poolers/pgpool/good-sized.conf", nowhere,
					    &f, &err), 0);
	s = config_find(&f, "", "num_init_children");
	ck_assert_str_eq(s->value, "20"); /* the comment after it is no part of it */
	ck_assert_uint_eq(s->pos.line, 7);
	ck_assert_uint_eq(s->pos.col, 1);
	ck_assert_str_eq(config_find(&f, "", "max_pool")->value, "2");
	ck_assert_str_eq(config_find(&f, "", "max_pool")->raw, "2");
	ck_assert_str_eq(config_find(&f, "", "listen_backlog_multiplier")->value, "2"); /* no '=' */
	ck_assert_str_eq(config_find(&f, "", "child_life_time")->value, "5min");
	ck_assert_str_eq(config_find(&f, "", "backend_hostname0")->value, "127.0.0.1"); /* unquoted */
	ck_assert(config_pgpool_known("backend_hostname0"));
	ck_assert(config_pgpool_known("num_init_children"));
	ck_assert(!config_pgpool_known("pool_sise"));
	ck_assert(!config_pgpool_known("Num_Init_Children")); /* pgpool compares with strcmp */
	config_file_release(&f);
	ck_assert_int_eq(config_read_pgpool(&a, "../testdata/poolers/pgpool/bad-syntax.conf", nowhere,
					    &f, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "bad-syntax.conf:2:1: error: syntax error in configuration file"));
	free(err);
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

/* A reader of src/config/ (config_read_pgcat, config_read_odyssey ...). */
typedef int (*config_reader)(struct arena *a, const char *path, struct pos from, struct config_file *out,
			     char **err);

/* Read file name of testdata/config/<dir>/ with read; 0 or -1 with *err. */
static int read_testdata(config_reader read, const char *dir, struct arena *a, const char *name,
			 struct config_file *f, char **err)
{
	char path[256];

	snprintf(path, sizeof(path), "../testdata/config/%s/%s", dir, name);
	return read(a, path, nowhere, f, err);
}

/* Read a pgcat.toml of testdata/config/pgcat/; 0 or -1 with *err. */
static int read_pgcat(struct arena *a, const char *name, struct config_file *f, char **err)
{
	return read_testdata(config_read_pgcat, "pgcat", a, name, f, err);
}

START_TEST(test_pgcat_shapes)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(read_pgcat(&a, "shapes.toml", &f, &err), 0);
	ck_assert_str_eq(config_find(&f, "", "general.port")->value, "6432"); /* 6_432 */
	ck_assert_str_eq(config_find(&f, "", "general.port")->raw, "6_432"); /* as written */
	ck_assert_str_eq(config_find(&f, "", "general.admin_password")->raw, "p\\\"w\\u00e9");
	ck_assert_str_eq(config_find(&f, "", "general.admin_username")->raw, "admin"); /* '' */
	ck_assert_str_eq(config_find(&f, "", "general.admin_username")->value, "admin");
	ck_assert_str_eq(config_find(&f, "", "general.admin_password")->value, "p\"w\xc3\xa9");
	ck_assert_str_eq(config_find(&f, "", "general.healthcheck_delay")->value, "3.5e3");
	s = config_find(&f, "", "pools.app.users.1.pool_size"); /* [pools.app.users."1"] */
	ck_assert_str_eq(s->value, "3");
	ck_assert_uint_eq(s->pos.line, 21);
	ck_assert_uint_eq(s->pos.col, 13); /* the value */
	s = config_find(&f, "", "pools.app.shards.0.servers.2.0"); /* literal string, third server */
	ck_assert_str_eq(s->value, "DB.internal");
	ck_assert_uint_eq(s->pos.line, 28);
	ck_assert_uint_eq(s->pos.col, 5);
	ck_assert_str_eq(config_find(&f, "", "pools.app.shards.0.servers.2.1")->value, "6543");
	ck_assert_str_eq(config_find(&f, "", "pools.other.users.0.pool_size")->value, "7"); /* dotted key */
	ck_assert_str_eq(config_find(&f, "", "pools.other.shards.0.servers.0.2")->value, "primary");
	config_file_release(&f);
	/* the samples PgCat ships read whole */
	ck_assert_int_eq(read_pgcat(&a, "sample.toml", &f, &err), 0);
	ck_assert_str_eq(config_find(&f, "", "pools.sharded_db.users.1.pool_size")->value, "21");
	config_file_release(&f);
	ck_assert_int_eq(read_pgcat(&a, "docker.toml", &f, &err), 0);
	config_file_release(&f);
	ck_assert_int_eq(read_pgcat(&a, "minimal.toml", &f, &err), 0);
	config_file_release(&f);
	arena_release(&a);
}
END_TEST


/* A topology whose pooler `cat` of type type reads testdata/config/<type>/name, on database host:port. */
static struct topology *pooler_topology(const char *type, const char *name, const char *host, unsigned port,
					char **err)
{
	char yaml[1024];
	struct topology *t;

	snprintf(yaml, sizeof(yaml), "version: 1\ndatabases:\n  main: { host: %s, port: %u, "
		 "max_connections: 100 }\npoolers:\n  cat: { type: %s, database: main, config: "
		 "../testdata/config/%s/%s }\n", host, port, type, type, name);
	t = load_buffer("t.yaml", yaml, strlen(yaml), err); /* config_apply included */
	return t;
}

/* A topology whose pgcat pooler reads name, on database host:port. */
static struct topology *pgcat_topology(const char *name, const char *host, unsigned port, char **err)
{
	return pooler_topology("pgcat", name, host, port, err);
}

/* A file and the error it must give. */
struct refusal {
	const char *file, *want;
};

/* Every case's file of testdata/config/<dir>/, read with read, fails with its message. */
static void expect_unreadable(config_reader read, const char *dir, const struct refusal *cases, size_t n)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	char *err = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(read_testdata(read, dir, &a, cases[i].file, &f, &err), -1);
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "%s: %s", cases[i].file, err);
		free(err);
		err = NULL;
		config_file_release(&f);
	}
	arena_release(&a);
}

/* Every case's file behind a pooler of type type (database h:5432) fails to load with its message. */
static void expect_refused(const char *type, const struct refusal *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *err = NULL;
		struct topology *t = pooler_topology(type, cases[i].file, "h", 5432, &err);

		ck_assert_ptr_null(t);
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "%s: %s", cases[i].file, err);
		free(err);
	}
}

START_TEST(test_pgcat_syntax)
{
	static const struct refusal cases[] = {
		{ "bad-duplicate-key.toml", "bad-duplicate-key.toml:6:13: error: duplicate key "
					    "`pools.p.users.0.pool_size`" },
		{ "bad-duplicate-table.toml", "bad-duplicate-table.toml:2:1: error: duplicate table [pools.p]" },
		{ "bad-unterminated.toml", "bad-unterminated.toml:2:8: error: invalid TOML in" },
		{ "bad-deep.toml", "bad-deep.toml:1:21: error: invalid TOML in" },
		{ "bad-inline-table.toml", "bad-inline-table.toml:1:5: error: invalid TOML in" },
	};

	expect_unreadable(config_read_pgcat, "pgcat", cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(test_pgcat_cap)
{
	static const struct {
		const char *file, *host;
		unsigned port;
		uint64_t sum;
		unsigned mode_line; /* the pool_mode that breaks most (all transaction), col 13 */
	} cases[] = {
		/* by hand: app's users 10 + 3 on its one db.internal:5432 server,
		 * other's 7 on its one: 13 + 7; app's written transaction beats
		 * other's default */
		{ "shapes.toml", "db.internal", 5432, 20, 12 },
		/* hosts compare ignoring case: app's third server, 10 + 3 */
		{ "shapes.toml", "DB.INTERNAL", 6543, 13, 12 },
		/* sharded_db: 3 shards x one 127.0.0.1 server x (9 + 21); simple_db: 5;
		 * sharded_db's users.0 transaction (its own line) beats simple_db's session */
		{ "sample.toml", "127.0.0.1", 5432, 95, 282 },
		/* 3 shards x 2 servers on postgres:5432 x 9 */
		{ "docker.toml", "postgres", 5432, 54, 59 },
		{ "minimal.toml", "127.0.0.1", 28815, 10, 17 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;
		struct topology *t = pgcat_topology(cases[i].file, cases[i].host, cases[i].port, &err);

		ck_assert_msg(t != NULL, "%s: %s", cases[i].file, err);
		ck_assert_uint_eq(t->poolers[0].pgcat_pool_sum.v, cases[i].sum);
		ck_assert_uint_eq(t->poolers[0].pool_mode.v, POOL_TRANSACTION);
		ck_assert_uint_eq(t->poolers[0].pool_mode.pos.line, cases[i].mode_line);
		ck_assert_uint_eq(t->poolers[0].pool_mode.pos.col, 13);
		ck_assert_uint_eq(t->nmismatches, 0);
		model_free(t);
	}
}
END_TEST

START_TEST(test_pgcat_refused)
{
	static const struct refusal cases[] = {
		{ "bad-missing-pool-size.toml", "bad-missing-pool-size.toml:2:12: error: pools.p.users.0: "
						"missing field `pool_size`" },
		{ "bad-two-primaries.toml", "bad-two-primaries.toml:5:12: error: pools.p.shards.0: Shard has "
					    "more than one primary" },
		{ "bad-server-length.toml", "bad-server-length.toml:3:13: error: pools.p.shards.0.servers: "
					    "each server is" },
		{ "shapes.toml", "t.yaml:5:47: error: poolers.cat.config: no server of" },
	};

	expect_refused("pgcat", cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* A pgcat.toml written to a temporary directory behind a topology (pooler_extra: more pooler fields). */
static struct topology *pgcat_text(const char *toml, const char *pooler_extra, char **err)
{
	char *dir = mk_tmpdir(), *path = write_file(dir, "pgcat.toml", toml), yaml[1024];
	struct topology *t;

	snprintf(yaml, sizeof(yaml), "version: 1\ndatabases:\n  main: { host: h, port: 5432, "
		 "max_connections: 100 }\npoolers:\n  cat: { type: pgcat, database: main, config: %s%s }\n",
		 path, pooler_extra);
	t = load_buffer("t.yaml", yaml, strlen(yaml), err);
	free(path);
	rm_tmpdir(dir);
	return t;
}

/* A topology pool_mode other than the file's is CB018 at the file's line, quoted as written. */
START_TEST(test_pgcat_pool_mode_mismatch)
{
	static const char shard[] = "[pools.p.shards.0]\ndatabase = \"d\"\nservers = [[\"h\", 5432, \"primary\"]]\n";
	static const struct {
		const char *toml, *yaml, *want;
		enum pool_mode mode;
		unsigned line;
	} cases[] = {
		{ "[pools.p]\npool_mode = \"Session\"\n[pools.p.users.0]\nusername = \"u\"\npool_size = 5\n",
		  ", pool_mode: transaction",
		  "pool_mode is transaction in the topology but Session in '", POOL_TRANSACTION, 2 },
		/* the user's own pool_mode wins over its pool's */
		{ "[pools.p]\npool_mode = \"session\"\n[pools.p.users.0]\nusername = \"u\"\npool_size = 5\n"
		  "pool_mode = 'transaction'\n", ", pool_mode: session",
		  "pool_mode is session in the topology but transaction in '", POOL_SESSION, 6 },
		/* none written: PgCat's default, at the user's table */
		{ "[pools.p.users.0]\nusername = \"u\"\npool_size = 5\n", ", pool_mode: session",
		  "pool_mode is session in the topology but transaction in '", POOL_SESSION, 2 },
		/* agreeing: no finding; the file's mode fills an unset one */
		{ "[pools.p]\npool_mode = \"session\"\n[pools.p.users.0]\nusername = \"u\"\npool_size = 5\n",
		  "", NULL, POOL_SESSION, 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL, *toml = xasprintf("%s%s", cases[i].toml, shard);
		struct topology *t = pgcat_text(toml, cases[i].yaml, &err);
		struct findings fs;

		ck_assert_msg(t != NULL, "case %zu: %s", i, err);
		ck_assert_uint_eq(t->poolers[0].pool_mode.v, cases[i].mode);
		run_cb018(t, &fs);
		ck_assert_uint_eq(fs.n, cases[i].want ? 1 : 0);
		if (cases[i].want) {
			ck_assert_msg(strstr(fs.v[0].message, cases[i].want), "case %zu: %s", i, fs.v[0].message);
			ck_assert_uint_eq(fs.v[0].pos.line, cases[i].line);
			ck_assert_str_eq(fs.v[0].object, "poolers.cat");
		} else {
			ck_assert_uint_eq(t->poolers[0].pool_mode.pos.line, cases[i].line);
		}
		if (i == 2)
			ck_assert_ptr_nonnull(strstr(fs.v[0].message, "(PgCat's default: pool 'p' sets no pool_mode)"));
		findings_release(&fs);
		model_free(t);
		free(toml);
	}
}
END_TEST

/* A pool_mode serde does not read (PgCat has no statement mode) is refused at the line. */
START_TEST(test_pgcat_pool_mode_refused)
{
	char *err = NULL;
	struct topology *t = pgcat_text("[pools.p]\npool_mode = \"statement\"\n[pools.p.users.0]\n"
					"username = \"u\"\npool_size = 5\n[pools.p.shards.0]\ndatabase = \"d\"\n"
					"servers = [[\"h\", 5432, \"primary\"]]\n", "", &err);

	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, "pgcat.toml:2:13: error: pools.p.pool_mode: unknown variant (expected "
			     "\"transaction\" or \"session\"; PgCat refuses to start)"), "%s", err);
	free(err);
}
END_TEST

START_TEST(test_pgcat_warns)
{
	char *err = NULL;
	struct topology *t = pgcat_topology("shapes.toml", "db.internal", 5432, &err);

	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(config_apply(t, &err), 0); /* again: the warning is not repeated */
	ck_assert_uint_eq(t->nwarnings, 1);
	ck_assert_str_eq(t->warnings[0], "../testdata/config/pgcat/shapes.toml:13:13: warning: unknown key "
			 "\"pools.app.pool_sise\" in pool 'app': PgCat ignores it (a misspelling?)");
	model_free(t);
}
END_TEST

/* Read an odyssey.conf of testdata/config/odyssey/; 0 or -1 with *err. */
static int read_odyssey(struct arena *a, const char *name, struct config_file *f, char **err)
{
	return read_testdata(config_read_odyssey, "odyssey", a, name, f, err);
}

START_TEST(test_odyssey_shapes)
{
	struct arena a = { 0 };
	struct config_file f = { 0 };
	const struct config_setting *s;
	char *err = NULL;

	ck_assert_int_eq(read_odyssey(&a, "shapes.conf", &f, &err), 0);
	ck_assert_str_eq(config_find(&f, "", "daemonize")->value, "no"); /* a comment after it */
	ck_assert_str_eq(config_find(&f, "", "readahead")->value, "8kb");
	ck_assert_str_eq(config_find(&f, "", "readahead")->raw, "8kb");
	/* the included file's route, in the include's place, at its own line */
	s = config_find(&f, "database \"app\".user \"svc\"", "pool_size");
	ck_assert_str_eq(s->value, "11");
	ck_assert_str_eq(pos_file(s->pos), "../testdata/config/odyssey/shapes-routes.conf");
	ck_assert_uint_eq(s->pos.line, 6);
	ck_assert_uint_eq(s->pos.col, 13); /* the value */
	/* the brace on the next line; strings keep their quotes */
	s = config_find(&f, "storage \"pg\"", "host");
	ck_assert_str_eq(s->value, "\"[db.internal]:5432,replica.internal,tcp://DB.internal:6543\"");
	ck_assert_uint_eq(s->pos.line, 8);
	ck_assert_uint_eq(s->pos.col, 7);
	ck_assert_ptr_nonnull(config_find(&f, "storage \"pg\"", "{"));
	/* a one-line block, an escaped quote, a user's address range */
	s = config_find(&f, "database \"a\\\"b\".user \"u\" \"10.0.0.0/8\"", "pool");
	ck_assert_str_eq(s->value, "\"statement\"");
	ck_assert_str_eq(s->raw, "statement"); /* as written, without the quotes */
	ck_assert_uint_eq(s->pos.line, 11);
	s = config_find(&f, "database default.user default.ldap_storage_credentials \"group_ro\"",
			"ldap_storage_username");
	ck_assert_str_eq(s->value, "\"ro\"");
	config_file_release(&f);
	/* Odyssey's own sample reads whole */
	ck_assert_int_eq(read_odyssey(&a, "odyssey.conf", &f, &err), 0);
	ck_assert_str_eq(config_find(&f, "database default.user default", "pool_size")->value, "0");
	ck_assert_str_eq(config_find(&f, "storage \"postgres_server\".watchdog", "pool_size")->value, "10");
	config_file_release(&f);
	ck_assert_int_eq(read_odyssey(&a, "routes.conf", &f, &err), 0);
	config_file_release(&f);
	arena_release(&a);
}
END_TEST

START_TEST(test_odyssey_syntax)
{
	static const struct refusal cases[] = {
		/* the unclosed block is the user's, opened at 7:2 */
		{ "bad-missing-brace.conf", "bad-missing-brace.conf:7:2: error: invalid odyssey.conf" },
		{ "bad-missing-brace.conf", "the block opened here has no '}'" },
		{ "bad-unterminated.conf", "bad-unterminated.conf:2:7: error: invalid odyssey.conf" },
		{ "bad-stray-brace.conf", "bad-stray-brace.conf:2:1: error: invalid odyssey.conf" },
		/* 101 + 101 x 101 includes: the 10001st is refused, in fanout-b.conf */
		{ "bad-fanout.conf", "too many settings and includes (connbudget reads at most 10000)" },
	};

	expect_unreadable(config_read_odyssey, "odyssey", cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(test_odyssey_cap)
{
	static const struct {
		const char *file, *host;
		unsigned port;
		uint64_t sum, clients; /* clients UINT64_MAX: no limit */
		enum pool_mode mode;
	} cases[] = {
		/* by hand: app.api 40 + app.worker 10 + the shared pool dba 3
		 * (dba1 and dba2 share it) on pg_main; reports and console elsewhere.
		 * clients: 200 + 50 + 5 + 5 = 260 < the global client_max 400 */
		{ "routes.conf", "db.internal", 5432, 53, 260, POOL_TRANSACTION },
		/* reports.internal:5432 (the port in its host): 20, 100 clients */
		{ "routes.conf", "reports.internal", 5432, 20, 100, POOL_SESSION },
		/* shapes: svc 11 + a"b.u 7 + default.default 2 on every endpoint of pg;
		 * svc has no client_max: no limit; statement is a"b.u's */
		{ "shapes.conf", "db.internal", 5432, 20, UINT64_MAX, POOL_STATEMENT },
		/* an endpoint without a port takes the storage's 5433; hosts ignore case */
		{ "shapes.conf", "replica.internal", 5433, 20, UINT64_MAX, POOL_STATEMENT },
		{ "shapes.conf", "db.INTERNAL", 6543, 20, UINT64_MAX, POOL_STATEMENT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;
		struct topology *t = pooler_topology("odyssey", cases[i].file, cases[i].host, cases[i].port, &err);
		const struct pooler *p;

		ck_assert_msg(t != NULL, "%s: %s", cases[i].file, err);
		p = &t->poolers[0];
		ck_assert_uint_eq(p->odyssey_unlimited.line, 0);
		ck_assert_uint_eq(p->odyssey_pool_sum.v, cases[i].sum);
		ck_assert_uint_eq(VALUE_SET(p->odyssey_client_max) ? p->odyssey_client_max.v : UINT64_MAX,
				  cases[i].clients);
		ck_assert_uint_eq(p->odyssey_pool_mode.v, cases[i].mode);
		model_free(t);
	}
}
END_TEST

START_TEST(test_odyssey_unlimited)
{
	char *err = NULL;
	struct topology *t = pooler_topology("odyssey", "odyssey.conf", "localhost", 5432, &err);

	ck_assert_msg(t != NULL, "%s", err);
	/* the default route's pool_size 0: no limit, at its value */
	ck_assert_uint_eq(t->poolers[0].odyssey_unlimited.line, 665);
	ck_assert_uint_eq(t->poolers[0].odyssey_unlimited.col, 13);
	ck_assert(!VALUE_SET(t->poolers[0].odyssey_pool_sum));
	ck_assert(!VALUE_SET(t->poolers[0].odyssey_client_max));
	model_free(t);
}
END_TEST

START_TEST(test_odyssey_refused)
{
	static const struct refusal cases[] = {
		{ "bad-no-storage.conf", "bad-no-storage.conf:3:2: error: rule 'd.u': no rule storage is "
					 "specified" },
		{ "bad-unknown-storage.conf", "bad-unknown-storage.conf:4:11: error: rule 'd.u': no rule "
					      "storage 'pgg' found" },
		{ "bad-no-pool.conf", "bad-no-pool.conf:3:2: error: rule 'd.u': pooling mode is not set" },
		{ "bad-pool-mode.conf", "bad-pool-mode.conf:5:8: error: rule 'd.u': unknown pooling mode" },
		{ "bad-pool-size.conf", "bad-pool-size.conf:6:13: error: rule 'd.u': pool_size: expected an "
					"integer from 0 to 2147483647" },
		{ "routes.conf", "t.yaml:5:49: error: poolers.cat.config: no route's storage of" },
	};

	expect_refused("odyssey", cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(test_odyssey_warns)
{
	char *err = NULL;
	struct topology *t = pooler_topology("odyssey", "shapes.conf", "db.internal", 5432, &err);

	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(config_apply(t, &err), 0); /* again: the warnings are not repeated */
	ck_assert_uint_eq(t->nwarnings, 3);
	ck_assert_str_eq(t->warnings[0], "../testdata/config/odyssey/shapes.conf:16:13: warning: unknown key "
			 "\"pool_sise\" in route 'default.default': Odyssey's documentation does not name it "
			 "(a misspelling?)");
	ck_assert_str_eq(t->warnings[2], "../testdata/config/odyssey/shapes.conf:24:1: warning: unknown block "
			 "\"mystery\": Odyssey's documentation does not name it (a misspelling?)");
	model_free(t);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *pg = tcase_create("postgresql.conf");
	TCase *ini = tcase_create("pgbouncer.ini");
	TCase *apply = tcase_create("apply");
	TCase *pgpool = tcase_create("pgpool.conf");
	TCase *pgcat = tcase_create("pgcat.toml");
	TCase *odyssey = tcase_create("odyssey.conf");

	tcase_add_test(pg, test_pg_durations);
	tcase_add_test(pg, test_pg_includes);
	tcase_add_test(pg, test_pg_auto_conf);
	tcase_add_test(pg, test_pg_stock_files);
	tcase_add_test(pg, test_pg_syntax);
	tcase_add_test(pg, test_pg_include_errors);
	tcase_add_test(ini, test_ini_stock_file);
	tcase_add_test(ini, test_ini_databases_and_include);
	tcase_add_test(ini, test_ini_syntax);
	tcase_add_test(apply, test_apply_fills);
	tcase_add_test(apply, test_mismatch);
	tcase_add_test(apply, test_mismatch_as_written);
	tcase_add_test(apply, test_apply_errors);
	tcase_add_test(apply, test_apply_missing_file);
	tcase_add_test(pgpool, test_pgpool_file);
	suite_add_tcase(s, pg);
	suite_add_tcase(s, ini);
	suite_add_tcase(s, apply);
	suite_add_tcase(s, pgpool);
	tcase_add_test(pgcat, test_pgcat_shapes);
	tcase_add_test(pgcat, test_pgcat_syntax);
	tcase_add_test(pgcat, test_pgcat_cap);
	tcase_add_test(pgcat, test_pgcat_refused);
	tcase_add_test(pgcat, test_pgcat_warns);
	tcase_add_test(pgcat, test_pgcat_pool_mode_mismatch);
	tcase_add_test(pgcat, test_pgcat_pool_mode_refused);
	suite_add_tcase(s, pgcat);
	tcase_add_test(odyssey, test_odyssey_shapes);
	tcase_add_test(odyssey, test_odyssey_syntax);
	tcase_add_test(odyssey, test_odyssey_cap);
	tcase_add_test(odyssey, test_odyssey_unlimited);
	tcase_add_test(odyssey, test_odyssey_refused);
	tcase_add_test(odyssey, test_odyssey_warns);
	suite_add_tcase(s, odyssey);
	return s;
}
