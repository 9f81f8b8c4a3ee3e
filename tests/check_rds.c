/*
 * check_rds.c - the RDS instance-class table and AWS's max_connections
 * formula (the schema's names per provider are check_catalog.c's).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rds.h"

static const double GIB = 1024.0 * 1024.0 * 1024.0;

START_TEST(test_t3_medium)
{
	const struct rds_class *c = rds_find("db.t3.medium");

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->name, "db.t3.medium");
	/* RDS: about 410-413, not the 450 that nominal 4 GiB would give */
	ck_assert_uint_ge(rds_max_connections(c), 405);
	ck_assert_uint_le(rds_max_connections(c), 415);
	ck_assert(c->nominal_gib == 4);
}
END_TEST

START_TEST(test_measured_figures)
{
	/* Rows with a published SHOW max_connections reproduce it exactly. */
	static const struct {
		const char *name;
		uint64_t max_connections;
	} measured[] = {
		{ "db.t2.small", 198 }, { "db.t2.medium", 413 }, { "db.t2.large", 856 },
		{ "db.m4.large", 856 }, { "db.r4.large", 1660 }, { "db.m7g.large", 832 },
		{ "db.t4g.small", 181 }, { "db.r7g.2xlarge", 5000 },
	};
	size_t i;

	for (i = 0; i < sizeof(measured) / sizeof(measured[0]); i++) {
		const struct rds_class *c = rds_find(measured[i].name);

		ck_assert_msg(c != NULL, "%s missing", measured[i].name);
		ck_assert_msg(rds_max_connections(c) == measured[i].max_connections,
			      "%s: %ju, want %ju", measured[i].name,
			      (uintmax_t)rds_max_connections(c),
			      (uintmax_t)measured[i].max_connections);
		ck_assert_msg(strstr(c->source, "measured") != NULL, "%s: source does not say measured",
			      measured[i].name);
	}
}
END_TEST

START_TEST(test_unknown)
{
	ck_assert_ptr_null(rds_find("db.t3.enormous"));
	ck_assert_ptr_null(rds_find(""));
	ck_assert_ptr_null(rds_find("db.T3.medium"));
	ck_assert_ptr_null(rds_find("t3.medium"));
	/* before the first and after the last row */
	ck_assert_ptr_null(rds_find("db.a"));
	ck_assert_ptr_null(rds_find("db.z"));
}
END_TEST

START_TEST(test_suggest)
{
	ck_assert_str_eq(rds_suggest("db.t3.meduim"), "db.t3.medium");
	ck_assert_str_eq(rds_suggest("db.m6g.larg"), "db.m6g.large");
	ck_assert_ptr_null(rds_suggest("cache.r6g.large.something"));
}
END_TEST

START_TEST(test_cap)
{
	const char *big[] = { "db.m5.4xlarge", "db.m6g.4xlarge", "db.m7g.4xlarge", "db.r5.2xlarge",
			      "db.r5.4xlarge", "db.r6g.4xlarge", "db.r7g.4xlarge" };
	struct rds_class huge = { "db.test.huge", 4096, (uint64_t)1 << 42, "test" };
	size_t i;

	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		const struct rds_class *c = rds_find(big[i]);

		ck_assert_msg(c != NULL, "%s missing", big[i]);
		ck_assert_uint_eq(rds_max_connections(c), RDS_MAX_CONNECTIONS_CAP);
	}
	ck_assert_uint_eq(rds_max_connections(&huge), 5000);
	/* just below and at the cap */
	huge.class_memory = (uint64_t)4999 * RDS_BYTES_PER_CONNECTION + RDS_BYTES_PER_CONNECTION - 1;
	ck_assert_uint_eq(rds_max_connections(&huge), 4999);
	huge.class_memory = (uint64_t)5000 * RDS_BYTES_PER_CONNECTION;
	ck_assert_uint_eq(rds_max_connections(&huge), 5000);
}
END_TEST

START_TEST(test_every_row)
{
	size_t i;

	ck_assert_uint_ge(rds_class_count, 40);
	for (i = 0; i < rds_class_count; i++) {
		const struct rds_class *c = &rds_classes[i];

		ck_assert_msg(c->source && strlen(c->source) > 10, "%s has no source", c->name);
		ck_assert_msg(strncmp(c->source, "measured", 8) == 0 ||
				      strncmp(c->source, "derived", 7) == 0,
			      "%s: source says neither measured nor derived", c->name);
		ck_assert_msg(c->nominal_gib > 0, "%s has no nominal memory", c->name);
		ck_assert_msg((double)c->class_memory < c->nominal_gib * GIB,
			      "%s: class memory %ju is not below nominal %.2f GiB", c->name,
			      (uintmax_t)c->class_memory, c->nominal_gib);
		/* the OS share is at most a quarter of the class */
		ck_assert_msg((double)c->class_memory > 0.75 * c->nominal_gib * GIB,
			      "%s: class memory implausibly small", c->name);
		ck_assert_msg(strncmp(c->name, "db.", 3) == 0, "%s", c->name);
		if (i > 0)
			ck_assert_msg(strcmp(rds_classes[i - 1].name, c->name) < 0,
				      "table not sorted at %s", c->name);
		ck_assert_ptr_eq(rds_find(c->name), c);
	}
}
END_TEST

START_TEST(test_required_classes)
{
	static const char *const fams[][2] = {
		{ "t3", "micro small medium large xlarge 2xlarge" },
		{ "t4g", "micro small medium large xlarge 2xlarge" },
		{ "m5", "large xlarge 2xlarge 4xlarge" },
		{ "m6g", "large xlarge 2xlarge 4xlarge" },
		{ "m7g", "large xlarge 2xlarge 4xlarge" },
		{ "r5", "large xlarge 2xlarge 4xlarge" },
		{ "r6g", "large xlarge 2xlarge 4xlarge" },
		{ "r7g", "large xlarge 2xlarge 4xlarge" },
	};
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		char sizes[64], name[64], *tok, *save = NULL;

		strcpy(sizes, fams[i][1]);
		for (tok = strtok_r(sizes, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			snprintf(name, sizeof(name), "db.%s.%s", fams[i][0], tok);
			ck_assert_msg(rds_find(name) != NULL, "%s missing", name);
		}
	}
}
END_TEST

START_TEST(test_monotonic_in_memory)
{
	/* Within a family, a bigger class never allows fewer connections. */
	static const char *const order[] = { "db.t3.micro", "db.t3.small", "db.t3.medium",
					     "db.t3.large", "db.t3.xlarge", "db.t3.2xlarge" };
	size_t i;

	for (i = 1; i < sizeof(order) / sizeof(order[0]); i++)
		ck_assert_uint_le(rds_max_connections(rds_find(order[i - 1])),
				  rds_max_connections(rds_find(order[i])));
}
END_TEST

/* AWS's Aurora Serverless v2 table (src/rds.c), and the 2000 cap at min_acu 0.5 */
START_TEST(test_aurora_serverless)
{
	static const struct {
		double min_acu, max_acu;
		uint64_t want;
	} cases[] = {
		{ 1, 1, 189 }, { 1, 4, 823 }, { 2, 8, 1669 }, { 1, 16, 3360 },
		{ 1, 32, 5000 }, { 8, 48.5, 5000 }, { 0, 128, 5000 },
		/* min_acu 0.5: min(3360, 2000); min(189, 2000) stays */
		{ 0.5, 16, 2000 }, { 0.5, 128, 2000 }, { 0.5, 1, 189 },
		/* no figure from AWS between its rows */
		{ 1, 2, 0 }, { 1, 24, 0 }, { 0.5, 31.5, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(aurora_serverless_max_connections(cases[i].min_acu, cases[i].max_acu) == cases[i].want,
			      "min_acu %g max_acu %g: want %ju", cases[i].min_acu, cases[i].max_acu,
			      (uintmax_t)cases[i].want);
}
END_TEST

Suite *rds_suite(void)
{
	Suite *s = suite_create("rds");
	TCase *lookup = tcase_create("lookup");
	TCase *formula = tcase_create("formula");
	TCase *table = tcase_create("table");

	tcase_add_test(lookup, test_t3_medium);
	tcase_add_test(lookup, test_unknown);
	tcase_add_test(lookup, test_suggest);
	tcase_add_test(formula, test_measured_figures);
	tcase_add_test(formula, test_cap);
	tcase_add_test(formula, test_monotonic_in_memory);
	tcase_add_test(formula, test_aurora_serverless);
	tcase_add_test(table, test_every_row);
	tcase_add_test(table, test_required_classes);
	suite_add_tcase(s, lookup);
	suite_add_tcase(s, formula);
	suite_add_tcase(s, table);
	return s;
}
