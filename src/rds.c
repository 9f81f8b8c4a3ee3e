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

/* The middle of the DBInstanceClassMemory range that gives max_connections n. */
#define MEASURED(n) ((uint64_t)(n) * RDS_BYTES_PER_CONNECTION + RDS_BYTES_PER_CONNECTION / 2)

/* DBInstanceClassMemory per nominal GiB, as measured on db.t3.medium:
 * MEASURED(413) / 4 = 985307648 bytes (0.9176 of a GiB). */
#define DERIVED_BYTES_PER_GIB (MEASURED(413) / 4)
#define DERIVED(gib) ((uint64_t)(gib) * DERIVED_BYTES_PER_GIB)

#define SRC_DERIVED "derived: nominal x 0.9176 (ratio measured on db.t3.medium)"
#define SRC_GIST "gist.github.com/guizmaii/1cacffef793c2ba9645083c3e18b3d8c"

/* Sorted by name in strcmp order (rds_find searches it with bsearch). */
const struct rds_class rds_classes[] = {
	{ "db.m4.large", 8, MEASURED(856),
	  "measured: SHOW max_connections = 856 (" SRC_GIST ")" },
	{ "db.m5.2xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.m5.4xlarge", 64, DERIVED(64), SRC_DERIVED },
	{ "db.m5.large", 8, DERIVED(8), SRC_DERIVED },
	{ "db.m5.xlarge", 16, DERIVED(16), SRC_DERIVED },
	{ "db.m6g.2xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.m6g.4xlarge", 64, DERIVED(64), SRC_DERIVED },
	{ "db.m6g.large", 8, DERIVED(8), SRC_DERIVED },
	{ "db.m6g.xlarge", 16, DERIVED(16), SRC_DERIVED },
	{ "db.m7g.2xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.m7g.4xlarge", 64, DERIVED(64), SRC_DERIVED },
	{ "db.m7g.large", 8, MEASURED(832),
	  "measured: SHOW max_connections = 832 (github.com/mitodl/ol-infrastructure/pull/5427)" },
	{ "db.m7g.xlarge", 16, DERIVED(16), SRC_DERIVED },
	{ "db.r4.large", 15.25, MEASURED(1660),
	  "measured: SHOW max_connections = 1660 (" SRC_GIST ")" },
	{ "db.r5.2xlarge", 64, DERIVED(64), SRC_DERIVED },
	{ "db.r5.4xlarge", 128, DERIVED(128), SRC_DERIVED },
	{ "db.r5.large", 16, DERIVED(16), SRC_DERIVED },
	{ "db.r5.xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.r6g.2xlarge", 64, DERIVED(64), SRC_DERIVED },
	{ "db.r6g.4xlarge", 128, DERIVED(128), SRC_DERIVED },
	{ "db.r6g.large", 16, DERIVED(16), SRC_DERIVED },
	{ "db.r6g.xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.r7g.2xlarge", 64, DERIVED(64),
	  SRC_DERIVED "; SHOW max_connections = 5000, the cap, measured "
	  "(github.com/mitodl/ol-infrastructure/pull/5427)" },
	{ "db.r7g.4xlarge", 128, DERIVED(128), SRC_DERIVED },
	{ "db.r7g.large", 16, DERIVED(16), SRC_DERIVED },
	{ "db.r7g.xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.t2.large", 8, MEASURED(856),
	  "measured: SHOW max_connections = 856 (" SRC_GIST ")" },
	{ "db.t2.medium", 4, MEASURED(413),
	  "measured: SHOW max_connections = 413 (" SRC_GIST ")" },
	{ "db.t2.small", 2, MEASURED(198),
	  "measured: SHOW max_connections = 198 (" SRC_GIST ")" },
	{ "db.t3.2xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.t3.large", 8, DERIVED(8), SRC_DERIVED },
	{ "db.t3.medium", 4, MEASURED(413),
	  "measured: SHOW max_connections = 413 on db.t2.medium, the same 4 GiB (" SRC_GIST
	  "); commonly quoted for db.t3.medium: about 410-413" },
	{ "db.t3.micro", 1, DERIVED(1), SRC_DERIVED },
	{ "db.t3.small", 2, DERIVED(2), SRC_DERIVED },
	{ "db.t3.xlarge", 16, DERIVED(16), SRC_DERIVED },
	{ "db.t4g.2xlarge", 32, DERIVED(32), SRC_DERIVED },
	{ "db.t4g.large", 8, DERIVED(8), SRC_DERIVED },
	{ "db.t4g.medium", 4, DERIVED(4), SRC_DERIVED },
	{ "db.t4g.micro", 1, DERIVED(1), SRC_DERIVED },
	{ "db.t4g.small", 2, MEASURED(181),
	  "measured: max_connections = 181 "
	  "(github.com/kirill-markin/flashcards-open-source-app/pull/1657)" },
	{ "db.t4g.xlarge", 16, DERIVED(16), SRC_DERIVED },
};

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
