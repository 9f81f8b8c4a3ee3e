/*
 * check_catalog.c - the managed-provider catalog (catalog/PROVIDER.tsv): every row
 * has a vendor page and a verified date, each provider's rows are sorted and
 * found by name, the RDS rows agree with AWS's formula in src/rds.c and
 * the Aurora rows stay within it.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "rds.h"

START_TEST(test_every_row_sourced)
{
	size_t i, k;

	ck_assert_uint_gt(catalog_row_count, 0);
	for (i = 0; i < catalog_row_count; i++) {
		const struct catalog_row *r = &catalog_rows[i];

		ck_assert_msg(r->source && strncmp(r->source, "https://", 8) == 0 &&
				      strlen(r->source) > 12,
			      "%s %s has no source", r->provider, r->name);
		ck_assert_msg(r->verified && strlen(r->verified) == 10, "%s %s has no verified date",
			      r->provider, r->name);
		for (k = 0; k < 10; k++)
			ck_assert_msg(k == 4 || k == 7 ? r->verified[k] == '-' :
							 isdigit((unsigned char)r->verified[k]) != 0,
				      "%s %s: verified %s is not YYYY-MM-DD", r->provider, r->name,
				      r->verified);
		ck_assert_msg(r->max_connections > r->reserved, "%s %s: reserved %ju >= max %ju",
			      r->provider, r->name, (uintmax_t)r->reserved,
			      (uintmax_t)r->max_connections);
		ck_assert_msg(r->memory_gb >= 0, "%s %s", r->provider, r->name);
		ck_assert_ptr_eq(catalog_find(r->provider, r->name), r);
		if (i > 0 && strcmp(catalog_rows[i - 1].provider, r->provider) == 0)
			ck_assert_msg(strcmp(catalog_rows[i - 1].name, r->name) < 0,
				      "%s not sorted at %s", r->provider, r->name);
	}
}
END_TEST

START_TEST(test_providers)
{
	size_t i;

	ck_assert(catalog_has_provider("rds"));
	ck_assert(!catalog_has_provider("nosuch"));
	ck_assert_ptr_null(catalog_find("nosuch", "db.t3.medium"));
	ck_assert_ptr_null(catalog_find("rds", "db.t3.enormous"));
	for (i = 0; i < catalog_row_count; i++)
		ck_assert_msg(catalog_has_provider(catalog_rows[i].provider), "%s",
			      catalog_rows[i].provider);
	ck_assert_str_eq(catalog_suggest("rds", "db.t3.meduim"), "db.t3.medium");
}
END_TEST

START_TEST(test_rds_agrees)
{
	size_t i, n = 0;

	for (i = 0; i < catalog_row_count; i++) {
		const struct catalog_row *r = &catalog_rows[i];
		const struct rds_class *c;

		if (strcmp(r->provider, "rds") != 0)
			continue;
		n++;
		c = rds_find(r->name);
		ck_assert_msg(c != NULL, "%s", r->name);
		ck_assert_msg(rds_max_connections(c) == r->max_connections, "%s: %ju vs %ju", r->name,
			      (uintmax_t)rds_max_connections(c), (uintmax_t)r->max_connections);
		ck_assert(c->nominal_gib == r->memory_gb);
		ck_assert_uint_eq(c->class_memory, r->class_memory);
	}
	ck_assert_uint_eq(n, rds_class_count);
}
END_TEST

/*
 * Aurora's figures are AWS's table, LEAST(DBInstanceClassMemory / 9531392,
 * 5000): never above what the class's nominal memory would give (the
 * memory PostgreSQL sees is less), and no DBInstanceClassMemory is made up.
 */
START_TEST(test_aurora_within_formula)
{
	size_t i, n = 0;

	for (i = 0; i < catalog_row_count; i++) {
		const struct catalog_row *r = &catalog_rows[i];
		uint64_t nominal;

		if (strcmp(r->provider, "aurora") != 0)
			continue;
		n++;
		nominal = (uint64_t)(r->memory_gb * 1073741824.0) / RDS_BYTES_PER_CONNECTION;
		if (nominal > RDS_MAX_CONNECTIONS_CAP)
			nominal = RDS_MAX_CONNECTIONS_CAP;
		ck_assert_msg(r->memory_gb > 0, "aurora %s has no memory_gb", r->name);
		ck_assert_msg(r->max_connections <= nominal, "aurora %s: %ju above the formula's %ju", r->name,
			      (uintmax_t)r->max_connections, (uintmax_t)nominal);
		ck_assert_uint_eq(r->class_memory, 0);
	}
	ck_assert_uint_gt(n, 0);
}
END_TEST

/* The whole file at path, NUL-terminated. Caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s (run from tests/)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * The schema's instance names, per provider ($defs.database.allOf: one
 * if/then per provider, and one for a database that names none, which
 * means rds), are the catalog's rows in order, so the editor rejects what
 * the loader rejects.
 */
START_TEST(test_schema_enums)
{
	char *text = slurp("../schemas/topology.schema.json");
	cJSON *root = cJSON_Parse(text);
	const cJSON *all, *cond, *item;
	size_t seen = 0;

	ck_assert_msg(root != NULL, "topology.schema.json does not parse");
	all = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "$defs"), "database");
	all = cJSON_GetObjectItemCaseSensitive(all, "allOf");
	ck_assert_msg(cJSON_IsArray(all), "no $defs.database.allOf");
	cJSON_ArrayForEach(cond, all) {
		const cJSON *iff = cJSON_GetObjectItemCaseSensitive(cond, "if");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(iff, "properties"), "provider"),
			"const");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cond, "then"), "properties"),
			"instance"), "enum");
		const char *provider = cJSON_IsString(c) ? c->valuestring : CATALOG_DEFAULT_PROVIDER;
		size_t i, k = 0;

		ck_assert_msg(cJSON_IsArray(e), "an allOf entry without then.properties.instance.enum");
		for (i = 0; i < catalog_row_count && strcmp(catalog_rows[i].provider, provider) != 0; i++)
			;
		ck_assert_msg(i < catalog_row_count, "the schema names provider %s, the catalog has none", provider);
		cJSON_ArrayForEach(item, e) {
			ck_assert_msg(cJSON_IsString(item), "a non-string in %s's instance enum", provider);
			ck_assert_msg(i + k < catalog_row_count && strcmp(catalog_rows[i + k].provider, provider) == 0 &&
					      strcmp(catalog_rows[i + k].name, item->valuestring) == 0,
				      "schema %s enum[%zu] is %s, the catalog differs there", provider, k,
				      item->valuestring);
			k++;
		}
		ck_assert_msg(i + k == catalog_row_count || strcmp(catalog_rows[i + k].provider, provider) != 0,
			      "schema lists %zu %s names, the catalog more", k, provider);
		seen++;
	}
	ck_assert_uint_eq(seen, catalog_provider_count + 1);
	cJSON_Delete(root);
	free(text);
}
END_TEST

Suite *catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *rows = tcase_create("rows");

	tcase_add_test(rows, test_every_row_sourced);
	tcase_add_test(rows, test_providers);
	tcase_add_test(rows, test_rds_agrees);
	tcase_add_test(rows, test_aurora_within_formula);
	tcase_add_test(rows, test_schema_enums);
	suite_add_tcase(s, rows);
	return s;
}
