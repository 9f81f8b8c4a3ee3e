/*
 * rds.c - AWS RDS for PostgreSQL instance classes (docs/model.md `instance:`).
 *
 * AWS's default parameter group sets max_connections to
 * LEAST({DBInstanceClassMemory/9531392}, 5000). DBInstanceClassMemory is not
 * the advertised RAM: the operating system and RDS's own processes keep a
 * share, so the nominal figure over-estimates max_connections (db.t3.medium:
 * 450 from the nominal 4 GiB, about 413 on a real instance). AWS does not
 * publish DBInstanceClassMemory, so each row says where its figure comes from:
 *
 *  - measured: someone ran SHOW max_connections on an instance with the
 *    default parameter group and published the result. The row stores
 *    MEASURED(n), the middle of the DBInstanceClassMemory range for which the
 *    formula gives n, so the table reproduces the published figure exactly.
 *  - derived: no published figure was found; class_memory = nominal RAM ×
 *    the ratio measured on db.t3.medium (MEASURED(413) / 4 GiB = 0.9176).
 *    The overhead is not quite proportional (it is relatively larger on the
 *    smallest classes: db.t4g.small measures 181 where the ratio gives 206),
 *    so a derived row is an estimate; an explicit max_connections wins.
 */
#include "rds.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The rows are catalog/rds.tsv (its note column is this table's source);
 * tools/catalog_gen.sh checks that they are in strcmp order, as rds_find's
 * bsearch needs. class_memory was computed as
 *   measured n:  n * 9531392 + 9531392 / 2, the middle of the range giving n;
 *   derived:     nominal GiB * 985307648 (the db.t3.medium ratio above).
 */
#define CATALOG_ROW(p, n, mc, r, gb, cm, src, ver, note) { n, gb, cm, note },
const struct rds_class rds_classes[] = {
#include "catalog_rds.h"
};
#undef CATALOG_ROW

const size_t rds_class_count = ARRAY_LEN(rds_classes);

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rds_class *)elem)->name);
}

const struct rds_class *rds_find(const char *name)
{
	return bsearch(name, rds_classes, rds_class_count, sizeof(rds_classes[0]), cmp_name);
}

const char *rds_suggest(const char *name)
{
	const char *names[ARRAY_LEN(rds_classes)];
	size_t i;

	for (i = 0; i < rds_class_count; i++)
		names[i] = rds_classes[i].name;
	return closest_word(name, names, rds_class_count);
}

uint64_t rds_max_connections(const struct rds_class *c)
{
	return u64_min(c->class_memory / RDS_BYTES_PER_CONNECTION, RDS_MAX_CONNECTIONS_CAP);
}

/*
 * AWS's "Maximum connections for Aurora Serverless v2" table, Aurora
 * PostgreSQL column
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.max-connections).
 * 32 ACUs reach the cap, so every larger maximum does too.
 */
static const struct {
	double max_acu;
	uint64_t max_connections;
} serverless_v2[] = {
	{ 1, 189 }, { 4, 823 }, { 8, 1669 }, { 16, 3360 }, { 32, RDS_MAX_CONNECTIONS_CAP },
};

uint64_t aurora_serverless_max_connections(double min_acu, double max_acu)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(serverless_v2); i++)
		if (max_acu == serverless_v2[i].max_acu)
			n = serverless_v2[i].max_connections;
	if (max_acu > serverless_v2[ARRAY_LEN(serverless_v2) - 1].max_acu)
		n = RDS_MAX_CONNECTIONS_CAP;
	if (n && min_acu == 0.5)
		n = u64_min(n, AURORA_SERVERLESS_MIN_ACU_CAP);
	return n;
}
