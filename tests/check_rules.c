/*
 * check_rules.c - the rule registry, levels and suppression, the command
 * line's rule options, password masking, the connection-string reader,
 * and rules run over small topologies (load → budget → rules).
 */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budget.h"
#include "conninfo.h"
#include "load.h"
#include "rules.h"

/*------------------------------------------------------------------ registry */

/* Every rule docs/rules lists, in registry order. */
static const char *const spec_ids[] = {
	"CB001", "CB002", "CB003", "CB004", "CB005", "CB006", "CB007", "CB008", "CB009",
	"CB010", "CB011", "CB012", "CB013", "CB014", "CB015", "CB016", "CB017", "CB018",
	"CB019", "CB020", "CB021", "CB022", "CB023", "CB101", "CB102", "CB103", "CB104", "CB105", "CB106",
};

START_TEST(test_registry_complete)
{
	size_t i;

	ck_assert_uint_eq(rule_count, sizeof(spec_ids) / sizeof(spec_ids[0]));
	for (i = 0; i < rule_count; i++)
		ck_assert_str_eq(rule_registry[i].id, spec_ids[i]);
}
END_TEST

START_TEST(test_registry_unique)
{
	size_t i, j;

	for (i = 0; i < rule_count; i++) {
		for (j = i + 1; j < rule_count; j++) {
			ck_assert_str_ne(rule_registry[i].id, rule_registry[j].id);
			ck_assert_str_ne(rule_registry[i].name, rule_registry[j].name);
		}
	}
}
END_TEST

/* Summary: one lowercase line without a final full stop. Doc: the three
 * sections, an example, and lines of at most 78 characters. */
START_TEST(test_registry_docs)
{
	size_t i;

	for (i = 0; i < rule_count; i++) {
		const struct rule *r = &rule_registry[i];
		const char *line = r->doc;
		size_t n = strlen(r->summary);

		ck_assert_msg(n > 10, "%s: summary too short", r->id);
		ck_assert_msg(!strchr(r->summary, '\n'), "%s: summary is not one line", r->id);
		ck_assert_msg(r->summary[n - 1] != '.', "%s: summary ends with a full stop", r->id);
		ck_assert_msg(!(r->summary[0] >= 'A' && r->summary[0] <= 'Z') ||
				      strncmp(r->summary, "Little", 6) == 0,
			      "%s: summary starts with a capital", r->id);
		ck_assert_msg(strstr(r->doc, "Why it matters\n"), "%s: doc lacks why", r->id);
		ck_assert_msg(strstr(r->doc, "\nHow to fix\n"), "%s: doc lacks how to fix", r->id);
		ck_assert_msg(strstr(r->doc, "\nWhere it points\n"), "%s: doc lacks position", r->id);
		ck_assert_msg(strstr(r->doc, "\nExample\n  "), "%s: doc lacks an example", r->id);
		ck_assert_msg(r->doc[strlen(r->doc) - 1] == '\n', "%s: doc does not end a line", r->id);
		while (*line) {
			const char *e = strchr(line, '\n');
			size_t len = e ? (size_t)(e - line) : strlen(line);
			ck_assert_msg(len <= 78, "%s: doc line longer than 78: %.*s", r->id, (int)len, line);
			ck_assert_msg(!memchr(line, '\t', len), "%s: tab in doc", r->id);
			line += len + (e != NULL);
		}
	}
}
END_TEST

/*
 * CB001-CB017 and CB019 have checks; observe emits CB101-CB106 itself, and
 * rules_share_finish CB022 once every other rule has run.
 * CB018's check lives with the config reader (rule_config.c) and is wired
 * into its row once the loader reads config files, so either is fine here.
 * Scopes are those of docs/rules/README.md.
 */
START_TEST(test_registry_checks_and_scopes)
{
	size_t i;

	for (i = 0; i < rule_count; i++) {
		const struct rule *r = &rule_registry[i];
		if (strcmp(r->id, "CB018") == 0)
			continue;
		if (strcmp(r->id, "CB022") == 0) { /* run by rules_share_finish, after the others */
			ck_assert_msg(r->check == NULL, "CB022: check presence");
			continue;
		}
		ck_assert_msg((r->check == NULL) == (r->id[2] == '1'), "%s: check presence", r->id);
	}
	ck_assert_int_eq(rule_find("CB001")->scope, SCOPE_DATABASE);
	ck_assert_int_eq(rule_find("CB002")->scope, SCOPE_DATABASE);
	ck_assert_int_eq(rule_find("CB003")->scope, SCOPE_DATABASE);
	ck_assert_int_eq(rule_find("CB008")->scope, SCOPE_DATABASE);
	ck_assert_int_eq(rule_find("CB011")->scope, SCOPE_DATABASE);
	ck_assert_int_eq(rule_find("CB009")->scope, SCOPE_POOLER);
	ck_assert_int_eq(rule_find("CB105")->scope, SCOPE_POOLER);
	ck_assert_int_eq(rule_find("CB004")->scope, SCOPE_CLIENT);
	ck_assert_int_eq(rule_find("CB019")->scope, SCOPE_CLIENT);
	ck_assert_int_eq(rule_find("CB103")->scope, SCOPE_CLIENT);
	ck_assert_int_eq(rule_find("CB001")->severity, SEV_ERROR);
	ck_assert_int_eq(rule_find("CB002")->severity, SEV_WARNING);
	ck_assert_int_eq(rule_find("CB003")->severity, SEV_INFO);
}
END_TEST

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/*
 * Every rule with a check has golden cases: fires.yaml whose .expected is
 * not empty and names only that rule's id on its lines (other rules may
 * fire too, but the rule under test must), passes.yaml with an empty
 * .expected, and every case has its .expected. Tests run in tests/.
 */
START_TEST(test_registry_golden_cases)
{
	size_t i;

	for (i = 0; i < rule_count; i++) {
		const struct rule *r = &rule_registry[i];
		char path[256], line[1024], tag[64];
		struct dirent *de;
		DIR *dir;
		FILE *f;
		bool found = false;

		if (!r->check)
			continue;
		snprintf(path, sizeof(path), "../testdata/rules/%s/passes.yaml", r->id);
		ck_assert_msg(file_exists(path), "%s: no passes.yaml", r->id);
		snprintf(path, sizeof(path), "../testdata/rules/%s/passes.expected", r->id);
		ck_assert_msg(file_size(path) == 0, "%s: passes.expected is missing or not empty", r->id);
		snprintf(path, sizeof(path), "../testdata/rules/%s/fires.yaml", r->id);
		ck_assert_msg(file_exists(path), "%s: no fires.yaml", r->id);
		snprintf(path, sizeof(path), "../testdata/rules/%s/fires.expected", r->id);
		f = fopen(path, "r");
		ck_assert_msg(f != NULL, "%s: no fires.expected", r->id);
		snprintf(tag, sizeof(tag), "[%s %s]", r->id, r->name);
		while (fgets(line, sizeof(line), f))
			found |= strstr(line, tag) != NULL;
		fclose(f);
		ck_assert_msg(found, "%s: fires.expected has no %s line", r->id, tag);

		snprintf(path, sizeof(path), "../testdata/rules/%s", r->id);
		dir = opendir(path);
		ck_assert_ptr_nonnull(dir);
		while ((de = readdir(dir))) {
			size_t n = strlen(de->d_name);
			if (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0) {
				snprintf(path, sizeof(path), "../testdata/rules/%s/%.*s.expected", r->id,
					 (int)(n - 5), de->d_name);
				ck_assert_msg(file_exists(path), "%s has no .expected", path);
			}
		}
		closedir(dir);
	}
}
END_TEST

START_TEST(test_rule_find)
{
	const struct rule *r = rule_find("CB007");

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "no-acquire-timeout");
	ck_assert_ptr_eq(rule_find("cb007"), r);
	ck_assert_ptr_eq(rule_find("no-acquire-timeout"), r);
	ck_assert_ptr_eq(rule_find("No-Acquire-Timeout"), r);
	ck_assert_ptr_eq(rule_find("CB106"), &rule_registry[rule_count - 1]);
	ck_assert_ptr_null(rule_find("CB999"));
	ck_assert_ptr_null(rule_find(""));
	ck_assert_ptr_null(rule_find("CB00"));
	ck_assert_ptr_null(rule_find("over-capacity "));
	ck_assert_uint_eq(rule_index(r), 6);
	ck_assert_uint_eq(rule_index(rule_find("CB001")), 0);
}
END_TEST

START_TEST(test_severity)
{
	int level = 99;

	ck_assert_str_eq(severity_name(SEV_ERROR), "error");
	ck_assert_str_eq(severity_name(SEV_WARNING), "warning");
	ck_assert_str_eq(severity_name(SEV_INFO), "info");
	ck_assert(severity_parse("error", &level) && level == SEV_ERROR);
	ck_assert(severity_parse("warning", &level) && level == SEV_WARNING);
	ck_assert(severity_parse("info", &level) && level == SEV_INFO);
	ck_assert(severity_parse("off", &level) && level == LEVEL_OFF);
	ck_assert(severity_parse("Warning", &level) && level == SEV_WARNING);
	level = 99;
	ck_assert(!severity_parse("fatal", &level));
	ck_assert(!severity_parse("", &level));
	ck_assert(!severity_parse("never", &level));
	ck_assert(!severity_parse("errors", &level));
	ck_assert_int_eq(level, 99);
}
END_TEST

START_TEST(test_findings_count)
{
	struct finding v[4] = {
		{ .severity = SEV_ERROR }, { .severity = SEV_WARNING },
		{ .severity = SEV_WARNING }, { .severity = SEV_INFO },
	};
	struct findings f = { .v = v, .n = 4, .cap = 4 };
	struct summary s = { 9, 9, 9 };

	findings_count(&f, &s);
	ck_assert_uint_eq(s.errors, 1);
	ck_assert_uint_eq(s.warnings, 2);
	ck_assert_uint_eq(s.infos, 1);
	f.n = 0;
	findings_count(&f, &s);
	ck_assert_uint_eq(s.errors + s.warnings + s.infos, 0);
}
END_TEST

/*------------------------------------------------------------- rule options */

static int idx(const char *id)
{
	return (int)rule_index(rule_find(id));
}

START_TEST(test_cli_disable)
{
	struct rule_cli c;
	char *err = NULL;

	rule_cli_init(&c);
	ck_assert_int_eq(c.level[0], RULE_CLI_UNSET);
	ck_assert_int_eq(rule_cli_disable(&c, "CB001, over-capacity ,cb014", &err), 0);
	ck_assert_int_eq(c.level[idx("CB001")], LEVEL_OFF);
	ck_assert_int_eq(c.level[idx("CB014")], LEVEL_OFF);
	ck_assert_int_eq(c.level[idx("CB002")], RULE_CLI_UNSET);

	ck_assert_int_eq(rule_cli_disable(&c, "CB999", &err), -1);
	ck_assert_str_eq(err, "--disable: unknown rule \"CB999\"");
	free(err);
	ck_assert_int_eq(rule_cli_disable(&c, "CB002,over-capacty", &err), -1);
	ck_assert_str_eq(err, "--disable: unknown rule \"over-capacty\", did you mean \"over-capacity\"?");
	free(err);
	ck_assert_int_eq(rule_cli_disable(&c, "CB002,,CB003", &err), -1);
	ck_assert_str_eq(err, "--disable: empty rule name in \"CB002,,CB003\"");
	free(err);
	ck_assert_int_eq(rule_cli_disable(&c, "", &err), -1);
	free(err);
	rule_cli_release(&c);
	rule_cli_release(&c);
}
END_TEST

/* The last option naming a rule wins: --disable then --enable turns it on. */
START_TEST(test_cli_enable_severity)
{
	struct rule_cli c;
	char *err = NULL;

	rule_cli_init(&c);
	ck_assert_int_eq(rule_cli_disable(&c, "CB003", &err), 0);
	ck_assert_int_eq(rule_cli_enable(&c, "CB003,CB007", &err), 0);
	ck_assert_int_eq(c.level[idx("CB003")], RULE_CLI_UNSET);
	ck_assert(c.enable[idx("CB003")] && c.enable[idx("CB007")]);
	ck_assert_int_eq(rule_cli_enable(&c, "nope", &err), -1);
	ck_assert_str_eq(err, "--enable: unknown rule \"nope\"");
	free(err);

	ck_assert_int_eq(rule_cli_severity(&c, "CB007=error", &err), 0);
	ck_assert_int_eq(c.level[idx("CB007")], SEV_ERROR);
	ck_assert_int_eq(rule_cli_severity(&c, "no-acquire-timeout=off", &err), 0);
	ck_assert_int_eq(c.level[idx("CB007")], LEVEL_OFF);
	ck_assert(!c.enable[idx("CB007")]);
	ck_assert_int_eq(rule_cli_severity(&c, "CB007", &err), -1);
	ck_assert_str_eq(err, "--severity: expected RULE=LEVEL, got \"CB007\"");
	free(err);
	ck_assert_int_eq(rule_cli_severity(&c, "=error", &err), -1);
	free(err);
	ck_assert_int_eq(rule_cli_severity(&c, "CB007=fatal", &err), -1);
	ck_assert_str_eq(err, "--severity: unknown level \"fatal\" for CB007 "
			      "(expected error, warning, info or off)");
	free(err);
	ck_assert_int_eq(rule_cli_severity(&c, "CB077=error", &err), -1);
	ck_assert_str_eq(err, "--severity: unknown rule \"CB077\"");
	free(err);
	rule_cli_release(&c);
}
END_TEST

/*--------------------------------------------------------- password masking */

static void mask_is(const char *in, const char *want)
{
	char *got = mask_password(in);
	ck_assert_msg(strcmp(got, want) == 0, "mask_password(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	free(got);
}

START_TEST(test_mask_password)
{
	mask_is("postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app");
	mask_is("postgres://app:P%40ss@db/app", "postgres://app:***@db/app");
	mask_is("postgresql://app@db/app?sslmode=require&password=hunter2&x=1",
		"postgresql://app@db/app?sslmode=require&password=***&x=1");
	mask_is("postgresql://a:one@db/app?password=two", "postgresql://a:***@db/app?password=***");
	mask_is("host=db user=app password=hunter2 dbname=app", "host=db user=app password=*** dbname=app");
	mask_is("host=db password='pa ss\\'x' dbname=app", "host=db password='***' dbname=app");
	mask_is("host=db password = spaced dbname=app", "host=db password = *** dbname=app");
	mask_is("jdbc:postgresql://db:5432/app?user=a&password=j", "jdbc:postgresql://db:5432/app?user=a&password=***");
	/* placeholders and no password at all stay as they are */
	mask_is("postgresql://app:${DB_PASSWORD}@db/app", "postgresql://app:${DB_PASSWORD}@db/app");
	mask_is("postgresql://app@db/app?password=$PGPASS", "postgresql://app@db/app?password=$PGPASS");
	mask_is("host=db password=${PW}", "host=db password=${PW}");
	mask_is("postgresql://app@db:5432/app", "postgresql://app@db:5432/app");
	mask_is("postgresql://app:@db/app", "postgresql://app:@db/app");
	mask_is("", "");
	/* text that is not a connection string: masked by pattern */
	mask_is("mysql://root:toor@db/x", "mysql://root:***@db/x");
	mask_is("garbage password=abc;other", "garbage password=***;other");
	mask_is("${DATABASE_URL}", "${DATABASE_URL}");
}
END_TEST

/* An unencoded '@' in the password: the userinfo ends at the last '@', as the drivers read it. */
START_TEST(test_mask_unencoded_at)
{
	mask_is("postgres://app:p@ss@db/app", "postgres://app:***@db/app");
	mask_is("postgresql://app:a@b@c@db:5432/app?sslmode=require", "postgresql://app:***@db:5432/app?sslmode=require");
	/* a '/' in the password is masked too: the scan runs to the last '@' before the query */
	mask_is("postgres://app:p/ss@db/app", "postgres://app:***@db/app");
	mask_is("jdbc:postgresql://app:p@ss@db/app", "jdbc:postgresql://app:***@db/app");
	mask_is("got \"postgres://app:p@ss@db/app\" here", "got \"postgres://app:***@db/app\" here");
	mask_is("postgres://app@db/my@db", "postgres://app@db/my@db");
}
END_TEST

START_TEST(test_mask_unencoded_at_parse)
{
	struct conninfo ci;

	ck_assert_int_eq(conninfo_parse("postgres://app:p@ss@db:6432/app", &ci, NULL), 0);
	ck_assert_str_eq(ci.user, "app");
	ck_assert_str_eq(ci.password, "p@ss");
	ck_assert_uint_eq(ci.nhosts, 1);
	ck_assert_str_eq(ci.hosts[0].name, "db");
	ck_assert_uint_eq(ci.hosts[0].port, 6432);
	conninfo_release(&ci);
}
END_TEST

START_TEST(test_encode_userinfo)
{
	char *s = conninfo_encode_userinfo("postgres://app:p@s@s@db/app?x=a@b");
	ck_assert_str_eq(s, "postgres://app:p%40s%40s@db/app?x=a@b");
	free(s);
	s = conninfo_encode_userinfo("host=db password=a@b");
	ck_assert_str_eq(s, "host=db password=a@b");
	free(s);
	s = conninfo_encode_userinfo("postgresql://db/app");
	ck_assert_str_eq(s, "postgresql://db/app");
	free(s);
}
END_TEST

/* key=value conninfo: sslpassword, keys in any case, quotes that never close. */
START_TEST(test_mask_keyvalue_forms)
{
	mask_is("host=db sslpassword=k3y dbname=app", "host=db sslpassword=*** dbname=app");
	mask_is("host=db PASSWORD=s3 dbname=app", "host=db PASSWORD=*** dbname=app");
	mask_is("host=db Password=s3 SSLPassword='a b'", "host=db Password=*** SSLPassword='***'");
	mask_is("host=db password=\"se cret dbname=app", "host=db password=\"***");
	mask_is("host=db password='se cret dbname=app", "host=db password='***");
	mask_is("host=db password='a' x='y dbname=app", "host=db password='***' x='y dbname=app");
	mask_is("host=db password=\"a b\" dbname=app", "host=db password=\"***\" dbname=app");
	mask_is("host=db password=a\\ b dbname=app", "host=db password=*** dbname=app");
	mask_is("host=db passfile=/x/pgpass", "host=db passfile=/x/pgpass");
	/* a bare value with blanks (libpq refuses it) runs to the next key=, or the end */
	mask_is("host=db password=a b c dbname=app", "host=db password=*** dbname=app");
	mask_is("host=db password=a b", "host=db password=***");
	mask_is("host=db password=ab  ", "host=db password=***  ");
	mask_is("host=db password=$PGPASSWORD sslpassword=${KEY}", "host=db password=$PGPASSWORD sslpassword=${KEY}");
}
END_TEST

/* .NET / Npgsql: semicolons between pairs, Password= or Pwd=, doubled quotes. */
START_TEST(test_mask_dotnet_forms)
{
	mask_is("Host=db;Username=app;Password=secret;", "Host=db;Username=app;Password=***;");
	mask_is("Server=db;User Id=app;Pwd=secret;Database=app", "Server=db;User Id=app;Pwd=***;Database=app");
	/* a .NET value runs to its ';', spaces and all */
	mask_is("Host=db; Password = s e;Port=5432", "Host=db; Password = ***;Port=5432");
	mask_is("Host=db;Password=my long secret", "Host=db;Password=***");
	mask_is("Host=db;Password=\"a;\"\"b\";Port=5432", "Host=db;Password=\"***\";Port=5432");
	mask_is("Host=db;password='x;y", "Host=db;password='***");
	/* libpq reads this one as `Password` = "k;", and the ';' goes with it */
	mask_is("Host=db;SSL Password=k;", "Host=db;SSL Password=***");
}
END_TEST

/* Every prefix of every form, cut anywhere (mid-key, mid-quote): the secret never survives whole. */
START_TEST(test_mask_prefixes)
{
	static const char *const forms[] = {
		"postgres://app:p@ss@db/app", "host=db sslpassword='S3 cr' x=1", "Host=db;Pwd=\"S3;\"\"cr\";",
		"postgres://db/app?SslPassword=S3cr&x=1", "host=db PASSWORD = S3cr\\ x", "password=\"S3cr",
	};
	static const char *const secrets[] = { "p@ss", "S3 cr", "S3;\"\"cr", "S3cr", "S3cr\\ x", "S3cr" };
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(forms); i++) {
		for (n = 0; n <= strlen(forms[i]); n++) {
			char *in = xstrndup(forms[i], n), *got = mask_password(in);
			ck_assert_msg(!strstr(got, secrets[i]), "mask_password(\"%s\") = \"%s\"", in, got);
			free(got);
			free(in);
		}
	}
}
END_TEST

static char *masked_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = mask_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Every diagnostic is formatted through the masker, whatever it quotes. */
START_TEST(test_mask_vasprintf)
{
	char *s = masked_printf("unknown database or pooler \"%s\" (%d)", "postgres://app:p@ss@db/app", 3);

	ck_assert_str_eq(s, "unknown database or pooler \"postgres://app:***@db/app\" (3)");
	free(s);
	/* a message that quotes a masked url masks to the same text */
	s = masked_printf("its url '%s' [CB013]", "postgres://db/app?Password=***");
	ck_assert_str_eq(s, "its url 'postgres://db/app?Password=***' [CB013]");
	free(s);
	s = masked_printf("its url \"%s\"", "host=db password=***");
	ck_assert_str_eq(s, "its url \"host=db password=***\"");
	free(s);
	s = masked_printf("environment '%s' is not '%s'", "Password=x;", "prod");
	ck_assert_str_eq(s, "environment 'Password=***;' is not 'prod'");
	free(s);
}
END_TEST

/* URL query parameters, any case. */
START_TEST(test_mask_query_forms)
{
	mask_is("postgres://db/app?Password=s3", "postgres://db/app?Password=***");
	mask_is("postgres://db/app?PASSWORD=s3&x=1", "postgres://db/app?PASSWORD=***&x=1");
	mask_is("postgres://db/app?sslpassword=k&sslmode=require", "postgres://db/app?sslpassword=***&sslmode=require");
	mask_is("postgres://db/app?SslPassword=k", "postgres://db/app?SslPassword=***");
	mask_is("postgres://db/app?pwd=k", "postgres://db/app?pwd=***");
}
END_TEST

/*--------------------------------------------------------- conninfo reader */

START_TEST(test_conninfo_uri)
{
	struct conninfo ci;
	char *err = NULL;

	ck_assert_int_eq(conninfo_parse("postgresql://app:pw@Db.Internal:6432/mydb?pgbouncer=true&sslmode=require",
					&ci, &err), 0);
	ck_assert(ci.uri);
	ck_assert_uint_eq(ci.nhosts, 1);
	ck_assert_str_eq(ci.hosts[0].name, "Db.Internal");
	ck_assert_uint_eq(ci.hosts[0].port, 6432);
	ck_assert(ci.hosts[0].port_valid);
	ck_assert_str_eq(ci.user, "app");
	ck_assert_str_eq(ci.password, "pw");
	ck_assert_uint_eq(ci.npw, 1);
	ck_assert_uint_eq(ci.pw[0].off, 17);
	ck_assert_uint_eq(ci.pw[0].len, 2);
	ck_assert(conninfo_has_literal_password(&ci));
	ck_assert_str_eq(conninfo_param(&ci, "dbname"), "mydb");
	ck_assert_str_eq(conninfo_param(&ci, "pgbouncer"), "true");
	ck_assert_str_eq(conninfo_param(&ci, "sslmode"), "require");
	ck_assert_ptr_null(conninfo_param(&ci, "host"));
	conninfo_release(&ci);

	/* several hosts, a missing port is 5432, IPv6, percent-decoding */
	ck_assert_int_eq(conninfo_parse("postgres://a:1,b,[::1]:7,%2Ftmp/db", &ci, &err), 0);
	ck_assert_uint_eq(ci.nhosts, 4);
	ck_assert_str_eq(ci.hosts[0].name, "a");
	ck_assert_uint_eq(ci.hosts[0].port, 1);
	ck_assert_str_eq(ci.hosts[1].name, "b");
	ck_assert_uint_eq(ci.hosts[1].port, 5432);
	ck_assert_str_eq(ci.hosts[2].name, "::1");
	ck_assert_uint_eq(ci.hosts[2].port, 7);
	ck_assert_str_eq(ci.hosts[3].name, "/tmp");
	ck_assert_ptr_null(ci.user);
	ck_assert_uint_eq(ci.npw, 0);
	conninfo_release(&ci);

	/* no host; a query host= overrides the netloc */
	ck_assert_int_eq(conninfo_parse("postgresql:///db", &ci, &err), 0);
	ck_assert_uint_eq(ci.nhosts, 0);
	conninfo_release(&ci);
	ck_assert_int_eq(conninfo_parse("postgresql://x/db?host=y&port=5433", &ci, &err), 0);
	ck_assert_uint_eq(ci.nhosts, 1);
	ck_assert_str_eq(ci.hosts[0].name, "y");
	ck_assert_uint_eq(ci.hosts[0].port, 5433);
	conninfo_release(&ci);

	/* SQLAlchemy's dialect+driver scheme is a URI; a bare "+" or no driver is not */
	ck_assert_int_eq(conninfo_parse("postgresql+psycopg2://u:pw@pg.internal:6432/app", &ci, &err), 0);
	ck_assert(ci.uri);
	ck_assert_str_eq(ci.hosts[0].name, "pg.internal");
	ck_assert_uint_eq(ci.hosts[0].port, 6432);
	ck_assert_str_eq(ci.password, "pw");
	conninfo_release(&ci);
	ck_assert_int_eq(conninfo_parse("postgres+asyncpg://h/db", &ci, &err), 0);
	ck_assert(ci.uri);
	conninfo_release(&ci);
	ck_assert_int_eq(conninfo_parse("postgresql+://h/db", &ci, NULL), -1);

	/* a non-numeric port never matches */
	ck_assert_int_eq(conninfo_parse("postgresql://h:${PORT}/db", &ci, &err), 0);
	ck_assert(!ci.hosts[0].port_valid);
	conninfo_release(&ci);

	/* placeholders are not literal passwords */
	ck_assert_int_eq(conninfo_parse("postgresql://u:${PW}@h/db", &ci, &err), 0);
	ck_assert_uint_eq(ci.npw, 1);
	ck_assert(ci.pw[0].placeholder);
	ck_assert(!conninfo_has_literal_password(&ci));
	conninfo_release(&ci);
}
END_TEST

START_TEST(test_conninfo_kv)
{
	struct conninfo ci;
	char *err = NULL;

	ck_assert_int_eq(conninfo_parse(" host=a,b port = 5433,6432 user=u password='x \\' y' dbname=d ",
					&ci, &err), 0);
	ck_assert(!ci.uri);
	ck_assert_uint_eq(ci.nhosts, 2);
	ck_assert_str_eq(ci.hosts[0].name, "a");
	ck_assert_uint_eq(ci.hosts[0].port, 5433);
	ck_assert_str_eq(ci.hosts[1].name, "b");
	ck_assert_uint_eq(ci.hosts[1].port, 6432);
	ck_assert_str_eq(ci.password, "x ' y");
	ck_assert_str_eq(ci.user, "u");
	ck_assert_str_eq(conninfo_param(&ci, "dbname"), "d");
	conninfo_release(&ci);

	/* one port for every host; hostaddr when there is no host */
	ck_assert_int_eq(conninfo_parse("host=a,b port=7", &ci, &err), 0);
	ck_assert_uint_eq(ci.hosts[1].port, 7);
	conninfo_release(&ci);
	ck_assert_int_eq(conninfo_parse("hostaddr=10.0.0.1", &ci, &err), 0);
	ck_assert_str_eq(ci.hosts[0].name, "10.0.0.1");
	ck_assert_uint_eq(ci.hosts[0].port, 5432);
	conninfo_release(&ci);
	ck_assert(conninfo_is_placeholder("${X}"));
	ck_assert(conninfo_is_placeholder("$DB_PASSWORD"));
	ck_assert(conninfo_is_placeholder("${X:-y}"));
	ck_assert(!conninfo_is_placeholder("$"));
	ck_assert(!conninfo_is_placeholder("${}"));
	ck_assert(!conninfo_is_placeholder("$1abc"));
	ck_assert(!conninfo_is_placeholder("pa$$word"));
	ck_assert(!conninfo_is_placeholder("${X}y"));
}
END_TEST

START_TEST(test_conninfo_errors)
{
	static const char *const bad[] = {
		"host",                           /* no = */
		"host=a password='open",          /* unterminated quote */
		"host=a,b,c port=1,2",            /* 2 ports for 3 hosts */
		"postgresql://[::1/db",           /* no ] */
		"postgresql://[]/db",             /* empty IPv6 */
		"postgresql://h/db?sslmode",      /* no = in the query */
		"postgresql://h/db?a=b=c",        /* two = */
		"postgresql://u:p%zz@h/db",       /* bad percent token */
		"postgresql://u:p%00@h/db",       /* %00 */
		"postgresql://h/db?x=1%",         /* truncated token */
		"${DATABASE_URL}",
	};
	struct conninfo ci;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = NULL;
		ck_assert_msg(conninfo_parse(bad[i], &ci, &err) == -1, "parsed \"%s\"", bad[i]);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(!strstr(err, "p%zz") && !strstr(err, "open"), "error quotes input: %s", err);
		ck_assert_uint_eq(ci.nhosts, 0);
		free(err);
	}
	ck_assert_int_eq(conninfo_parse("host", &ci, NULL), -1);
}
END_TEST

/*------------------------------------------------ load → budget → rules */

/* One topology run through the pipeline. */
struct run {
	struct topology *t;
	struct budget b;
	struct findings f;
	char *err;
	int rc;
};

static void run_yaml(struct run *r, const char *yaml, const struct rule_cli *cli)
{
	memset(r, 0, sizeof(*r));
	r->t = load_buffer("t.yaml", yaml, strlen(yaml), &r->err);
	ck_assert_msg(r->t != NULL, "load: %s", r->err ? r->err : "?");
	ck_assert_msg(budget_compute(r->t, 100, &r->b, &r->err) == 0, "budget: %s", r->err);
	r->rc = rules_run(r->t, &r->b, cli, &r->f, &r->err);
}

static void run_release(struct run *r)
{
	findings_release(&r->f);
	budget_release(&r->b);
	model_free(r->t);
	free(r->err);
}

/* The findings as "line:col severity id object: message" lines. */
static char *render(const struct findings *f)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; i < f->n; i++)
		len += strlen(f->v[i].message) + strlen(f->v[i].object) + 64;
	s = p = calloc(1, len);
	for (i = 0; i < f->n; i++)
		p += sprintf(p, "%u:%u %s %s %s: %s\n", f->v[i].pos.line, f->v[i].pos.col,
			     severity_name(f->v[i].severity), f->v[i].rule->id, f->v[i].object,
			     f->v[i].message);
	return s;
}

static void findings_are(const struct findings *f, const char *want)
{
	char *got = render(f);
	ck_assert_msg(strcmp(got, want) == 0, "findings:\n%s\nwant:\n%s", got, want);
	free(got);
}

#define DB_OK \
	"version: 1\n" \
	"databases:\n" \
	"  main:\n" \
	"    max_connections: 100\n" \
	"    settings:\n" \
	"      idle_in_transaction_session_timeout: 10min\n"

/* The worked example of docs/model.md, plus a metrics tool: CB001 with its contributors. */
static const char three_servers[] =
	DB_OK
	"clients:\n"
	"  api:\n"
	"    type: service\n"
	"    connects_to: main\n"
	"    replicas: 3\n"
	"    processes: 2\n"
	"    pool: { size: 20, acquire_timeout: 5s }\n"
	"  metrics:\n"
	"    type: tool\n"
	"    connects_to: main\n"
	"    pool: { size: 4 }\n";

START_TEST(test_run_three_servers)
{
	struct run r;

	run_yaml(&r, three_servers, NULL);
	ck_assert_int_eq(r.rc, 0);
	findings_are(&r.f,
		     "3:3 error CB001 databases.main: peak demand 124 exceeds capacity 97 on database 'main' (api 120, metrics 4)\n"
		     "17:5 warning CB007 clients.metrics: client 'metrics' has no acquire_timeout: borrowers wait forever once its pool of 4 is exhausted\n");
	ck_assert_str_eq(pos_file(r.f.v[0].pos), "t.yaml");
	ck_assert_ptr_eq(r.f.v[0].rule, rule_find("CB001"));
	ck_assert_int_eq(r.f.level[idx("CB001")], SEV_ERROR);
	ck_assert_int_eq(r.f.level[idx("CB003")], SEV_INFO);
	ck_assert_int_eq(r.f.level[idx("CB018")], SEV_ERROR);
	run_release(&r);
}
END_TEST

/* CB001's list: largest first, ties in file order, ten shown then "and N more". */
START_TEST(test_run_contributor_list)
{
	char yaml[4096];
	size_t n, i;
	struct run r;

	n = (size_t)snprintf(yaml, sizeof(yaml), DB_OK "clients:\n");
	for (i = 0; i < 11; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "  c%02zu: { type: tool, connects_to: main, pool: { size: 9, acquire_timeout: 1s } }\n", i);
	snprintf(yaml + n, sizeof(yaml) - n,
		 "  big: { type: tool, connects_to: main, pool: { size: 20, acquire_timeout: 1s } }\n"
		 "  idle: { type: job, connects_to: main, replicas: 0, pool: { size: 5, acquire_timeout: 1s } }\n");
	run_yaml(&r, yaml, NULL);
	ck_assert_int_eq(r.rc, 0);
	findings_are(&r.f, "3:3 error CB001 databases.main: peak demand 119 exceeds capacity 97 on database 'main' "
			   "(big 20, c00 9, c01 9, c02 9, c03 9, c04 9, c05 9, c06 9, c07 9, c08 9, and 2 more)\n");
	run_release(&r);
}
END_TEST

/* `ignore:` by id in any case or by name; lint.disable; lint.severity. */
START_TEST(test_run_file_suppression)
{
	struct run r;

	run_yaml(&r, DB_OK
		 "    ignore: [cb001]\n"
		 "clients:\n"
		 "  api:\n"
		 "    type: service\n"
		 "    connects_to: main\n"
		 "    replicas: 9\n"
		 "    pool: { size: 20 }\n"
		 "    ignore: [no-acquire-timeout]\n", NULL);
	ck_assert_int_eq(r.rc, 0);
	findings_are(&r.f, "");
	ck_assert_int_eq(r.f.level[idx("CB001")], SEV_ERROR); /* the rule ran; the object opted out */
	run_release(&r);

	run_yaml(&r, DB_OK
		 "clients:\n"
		 "  api:\n"
		 "    type: service\n"
		 "    connects_to: main\n"
		 "    replicas: 9\n"
		 "    pool: { size: 20 }\n"
		 "lint:\n"
		 "  disable: [over-capacity]\n"
		 "  severity: { CB007: error, CB011: off }\n", NULL);
	ck_assert_int_eq(r.rc, 0);
	findings_are(&r.f, "12:5 error CB007 clients.api: client 'api' has no acquire_timeout: "
			   "borrowers wait forever once its pool of 20 is exhausted\n");
	ck_assert_int_eq(r.f.level[idx("CB001")], LEVEL_OFF);
	ck_assert_int_eq(r.f.level[idx("CB007")], SEV_ERROR);
	ck_assert_int_eq(r.f.level[idx("CB011")], LEVEL_OFF);
	run_release(&r);
}
END_TEST

static const char suppressed[] =
	"version: 1\n"
	"databases:\n"
	"  main:\n"
	"    max_connections: 100\n"
	"clients:\n"
	"  api:\n"
	"    type: service\n"
	"    connects_to: main\n"
	"    replicas: 9\n"
	"    pool: { size: 20 }\n"
	"    ignore: [CB007]\n"
	"lint:\n"
	"  disable: [CB001, CB011]\n"
	"  severity: { CB011: info }\n";

/* The command line wins over the file's lint:, but never over `ignore:`. */
START_TEST(test_run_cli_levels)
{
	struct rule_cli c;
	struct run r;
	char *err = NULL;

	rule_cli_init(&c);
	run_yaml(&r, suppressed, &c);
	findings_are(&r.f, "");
	run_release(&r);

	/* --enable restores the file's level (CB011: info), else the default */
	ck_assert_int_eq(rule_cli_enable(&c, "CB001,CB011,CB007", &err), 0);
	run_yaml(&r, suppressed, &c);
	findings_are(&r.f,
		     "3:3 error CB001 databases.main: peak demand 180 exceeds capacity 97 on database 'main' (api 180)\n"
		     "3:3 info CB011 databases.main: database 'main' has no idle_in_transaction_session_timeout: "
		     "a session idle in a transaction holds its connection and locks forever\n");
	ck_assert_int_eq(r.f.level[idx("CB007")], SEV_WARNING);
	run_release(&r);

	/* --severity sets the level outright; --disable turns a rule off */
	ck_assert_int_eq(rule_cli_severity(&c, "CB001=warning", &err), 0);
	ck_assert_int_eq(rule_cli_disable(&c, "no-idle-in-transaction-timeout", &err), 0);
	run_yaml(&r, suppressed, &c);
	findings_are(&r.f, "3:3 warning CB001 databases.main: peak demand 180 exceeds capacity 97 on database 'main' (api 180)\n");
	ck_assert_int_eq(r.f.level[idx("CB011")], LEVEL_OFF);
	run_release(&r);
	rule_cli_release(&c);
}
END_TEST

/* Unknown rules and levels in the file are positioned input errors. */
START_TEST(test_run_unknown_rules)
{
	static const struct {
		const char *yaml, *err;
	} cases[] = {
		{ DB_OK "    ignore: [CB999]\n",
		  "t.yaml:7:14: error: databases.main.ignore: unknown rule \"CB999\"" },
		{ DB_OK "clients:\n  api:\n    type: tool\n    connects_to: main\n"
			"    pool: { size: 1 }\n    ignore: [no-acquire-timout]\n",
		  "t.yaml:12:14: error: clients.api.ignore: unknown rule \"no-acquire-timout\", "
		  "did you mean \"no-acquire-timeout\"?" },
		{ DB_OK "lint:\n  disable: [CB001, CB999]\n",
		  "t.yaml:8:20: error: lint.disable: unknown rule \"CB999\"" },
		{ DB_OK "lint:\n  severity:\n    over-capacty: warning\n",
		  "t.yaml:9:5: error: lint.severity: unknown rule \"over-capacty\", did you mean \"over-capacity\"?" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		run_yaml(&r, cases[i].yaml, NULL);
		ck_assert_int_eq(r.rc, -1);
		ck_assert_ptr_nonnull(r.err);
		ck_assert_str_eq(r.err, cases[i].err);
		ck_assert_uint_eq(r.f.n, 0);
		ck_assert_ptr_null(r.f.level);
		run_release(&r);
	}
}
END_TEST

/* An unbounded pool on a database: CB001 says so, CB010 names the pool,
 * and nothing else fires on account of the unbounded figure. */
START_TEST(test_run_unbounded)
{
	struct run r;

	run_yaml(&r, "version: 1\n"
		     "databases:\n"
		     "  main:\n"
		     "    max_connections: 100\n"
		     "    cores: 2\n"
		     "    settings: { idle_in_transaction_session_timeout: 1min }\n"
		     "clients:\n"
		     "  go:\n"
		     "    type: service\n"
		     "    framework: go-database-sql\n"
		     "    connects_to: main\n"
		     "    threads: 50\n"
		     "    load: { rate: 1000, hold: 1s }\n"
		     "    pool: { acquire_timeout: 1s }\n"
		     "  go2:\n"
		     "    type: job\n"
		     "    connects_to: main\n"
		     "    pool: { size: 0, acquire_timeout: 1s }\n", NULL);
	ck_assert_int_eq(r.rc, 0);
	findings_are(&r.f,
		     "3:3 error CB001 databases.main: peak demand is unbounded on database 'main' (clients 'go', 'go2' have no pool limit)\n"
		     "10:16 error CB010 clients.go: client 'go' has no pool limit: framework 'go-database-sql' opens connections "
		     "without bound unless pool.size is set (demand on database 'main' is unbounded)\n"
		     "18:19 error CB010 clients.go2: client 'go2' has pool.size 0, which means no limit (demand on database 'main' is unbounded)\n");
	run_release(&r);
}
END_TEST

/* Every serverless rule at once, sorted by position; the password never
 * reaches a message. */
START_TEST(test_run_serverless)
{
	struct run r;
	size_t i;

	run_yaml(&r, "version: 1\n"
		     "databases:\n"
		     "  main: { max_connections: 3000, memory_gb: 8, host: db }\n"
		     "clients:\n"
		     "  fn:\n"
		     "    type: serverless\n"
		     "    connects_to: main\n"
		     "    environment: staging\n"
		     "    url: postgresql://fn:Sup3rSecret@db/app\n"
		     "    pool: { size: 2, acquire_timeout: 1s }\n", NULL);
	ck_assert_int_eq(r.rc, 0);
	findings_are(&r.f,
		     "3:3 warning CB011 databases.main: database 'main' has no idle_in_transaction_session_timeout: "
		     "a session idle in a transaction holds its connection and locks forever\n"
		     "3:28 warning CB008 databases.main: max_connections 3000 exceeds 800 for memory_gb 8 on database 'main' (100 connections per GB)\n"
		     "5:3 warning CB016 clients.fn: serverless client 'fn' has no max_concurrency; 1000 is assumed, a peak of 2000 connections\n"
		     "7:18 error CB004 clients.fn: serverless client 'fn' connects straight to database 'main' (peak 2000 connections at max_concurrency 1000 assumed)\n"
		     "8:18 warning CB014 clients.fn: client 'fn' in environment 'staging' connects to database 'main' in environment 'production'\n"
		     "9:10 warning CB013 clients.fn: client 'fn' has a password in its url 'postgresql://fn:***@db/app'\n"
		     "10:19 warning CB019 clients.fn: serverless client 'fn' allows 2 connections per instance "
		     "(pool.count 1 x (pool.size 2 + pool.overflow 0)) where 1 is enough\n");
	for (i = 0; i < r.f.n; i++)
		ck_assert_msg(!strstr(r.f.v[i].message, "Sup3rSecret"), "password in %s", r.f.v[i].message);
	run_release(&r);
}
END_TEST

/* CB015 under plan --spike names the factor; CB003's advice behind an RDS Proxy. */
START_TEST(test_run_spike_and_proxy)
{
	static const char yaml[] =
		"version: 1\n"
		"databases:\n"
		"  main:\n"
		"    max_connections: 400\n"
		"    cores: 8\n"
		"    settings: { idle_in_transaction_session_timeout: 1min }\n"
		"poolers:\n"
		"  proxy: { type: rds_proxy, database: main, max_connections_percent: 10 }\n"
		"clients:\n"
		"  api:\n"
		"    type: service\n"
		"    connects_to: proxy\n"
		"    pool: { size: 30, acquire_timeout: 1s }\n"
		"    load: { rate: 100, hold: 200ms }\n";
	struct topology *t;
	struct budget b;
	struct findings f;
	char *err = NULL;

	t = load_buffer("t.yaml", yaml, strlen(yaml), &err);
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(budget_compute(t, 250, &b, &err), 0);
	ck_assert_int_eq(rules_run(t, &b, NULL, &f, &err), 0);
	findings_are(&f,
		     "3:3 info CB003 databases.main: peak demand 30 exceeds optimum 16 on database 'main' "
		     "(cores 8 x 2 + spindles 0); max_connections_percent 4 on pooler 'proxy' would fit\n"
		     "14:5 warning CB015 clients.api: client 'api' needs 50 connections in flight "
		     "(rate 100/s x hold 200ms x spike 2.50) but opens at most 30\n");
	findings_release(&f);
	budget_release(&b);
	model_free(t);
}
END_TEST

/* A topology of n clients, a database and a pgbouncer, most of them breaking a rule or two. */
static char *many_clients(size_t n)
{
	size_t i, cap = 256 + n * 160, len;
	char *y = malloc(cap);

	ck_assert_ptr_nonnull(y);
	len = (size_t)snprintf(y, cap, DB_OK "    cores: 4\n"
			       "poolers:\n"
			       "  bouncer: { type: pgbouncer, database: main, pool_mode: transaction }\n"
			       "clients:\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(y + len, cap - len,
					"  c%zu: { type: %s, connects_to: %s, threads: %zu, pool: { size: %zu } }\n",
					i, i % 3 ? "service" : "serverless", i % 2 ? "main" : "bouncer",
					i % 7, 1 + i % 5);
	return y;
}

static void *share_thread(void *arg)
{
	void **a = arg;

	rules_share_work(a[0], a[1]);
	return NULL;
}

/*
 * rules_share, as command.c runs it on two threads: whatever share of the
 * clients each worker takes, the merged findings are rules_run's, in the
 * same order. Worker A alone, then B alone (nothing left), then B first,
 * then both at once on two threads.
 */
START_TEST(test_run_shared)
{
	char *yaml = many_clients(300), *want, *got, *err = NULL;
	struct topology *t = load_buffer("t.yaml", yaml, strlen(yaml), &err);
	struct budget b;
	struct findings ref;
	int order;

	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(budget_compute(t, 100, &b, &err), 0);
	ck_assert_int_eq(rules_run(t, &b, NULL, &ref, &err), 0);
	ck_assert_uint_gt(ref.n, 300);
	want = render(&ref);
	for (order = 0; order < 3; order++) {
		struct findings out, mine;
		struct rules_share sh;
		pthread_t th;
		void *arg[2] = { &sh, &out };

		memset(&mine, 0, sizeof(mine));
		ck_assert_int_eq(rules_prepare(t, NULL, &out, &err), 0);
		rules_share_init(&sh, t, &b, &out);
		if (order == 0) {
			rules_share_work(&sh, &out);
			rules_share_work(&sh, &mine);
			ck_assert_uint_eq(mine.n, 0);
		} else if (order == 1) {
			rules_share_work(&sh, &mine);
			rules_share_work(&sh, &out);
			ck_assert_uint_eq(out.n, 0);
		} else {
			ck_assert_int_eq(pthread_create(&th, NULL, share_thread, arg), 0);
			rules_share_work(&sh, &mine);
			ck_assert_int_eq(pthread_join(th, NULL), 0);
		}
		rules_share_finish(&sh, &out, &mine);
		got = render(&out);
		ck_assert_msg(strcmp(got, want) == 0, "order %d:\n%s\nwant:\n%s", order, got, want);
		free(got);
		findings_release(&out);
	}
	free(want);
	findings_release(&ref);
	budget_release(&b);
	model_free(t);
	free(yaml);
}
END_TEST

Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("registry");
	tcase_add_test(tc, test_registry_complete);
	tcase_add_test(tc, test_registry_unique);
	tcase_add_test(tc, test_registry_docs);
	tcase_add_test(tc, test_registry_checks_and_scopes);
	tcase_add_test(tc, test_registry_golden_cases);
	tcase_add_test(tc, test_rule_find);
	tcase_add_test(tc, test_severity);
	tcase_add_test(tc, test_findings_count);
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	tcase_add_test(tc, test_cli_disable);
	tcase_add_test(tc, test_cli_enable_severity);
	suite_add_tcase(s, tc);

	tc = tcase_create("conninfo");
	tcase_add_test(tc, test_mask_password);
	tcase_add_test(tc, test_mask_unencoded_at);
	tcase_add_test(tc, test_mask_unencoded_at_parse);
	tcase_add_test(tc, test_encode_userinfo);
	tcase_add_test(tc, test_mask_keyvalue_forms);
	tcase_add_test(tc, test_mask_dotnet_forms);
	tcase_add_test(tc, test_mask_query_forms);
	tcase_add_test(tc, test_mask_prefixes);
	tcase_add_test(tc, test_mask_vasprintf);
	tcase_add_test(tc, test_conninfo_uri);
	tcase_add_test(tc, test_conninfo_kv);
	tcase_add_test(tc, test_conninfo_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_test(tc, test_run_three_servers);
	tcase_add_test(tc, test_run_contributor_list);
	tcase_add_test(tc, test_run_file_suppression);
	tcase_add_test(tc, test_run_cli_levels);
	tcase_add_test(tc, test_run_unknown_rules);
	tcase_add_test(tc, test_run_unbounded);
	tcase_add_test(tc, test_run_serverless);
	tcase_add_test(tc, test_run_spike_and_proxy);
	tcase_add_test(tc, test_run_shared);
	suite_add_tcase(s, tc);
	return s;
}
