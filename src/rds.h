/*
 * rds.h - AWS RDS for PostgreSQL instance classes (docs/model.md `instance:`).
 *
 * max_connections defaults to LEAST(DBInstanceClassMemory / 9531392, 5000);
 * DBInstanceClassMemory is the memory PostgreSQL sees, measured, about 12%
 * below the nominal RAM of the class.
 */
#ifndef CONNBUDGET_RDS_H
#define CONNBUDGET_RDS_H

#include <stddef.h>
#include <stdint.h>

enum {
	RDS_BYTES_PER_CONNECTION = 9531392, /* AWS default parameter group divisor */
	RDS_MAX_CONNECTIONS_CAP = 5000,     /* AWS default parameter group LEAST(…, 5000) */
};

struct rds_class {
	const char *name;            /* "db.t3.medium" */
	double nominal_gib;          /* the class's advertised memory */
	uint64_t class_memory;       /* DBInstanceClassMemory in bytes */
	const char *source;
};

/* Every known class, sorted by name (strcmp order). */
extern const struct rds_class rds_classes[];
extern const size_t rds_class_count;

/* The class with this name, or NULL. */
const struct rds_class *rds_find(const char *name);
/* The closest known class name, for "did you mean" (NULL when none is close). */
const char *rds_suggest(const char *name);
/* LEAST(class_memory / 9531392, 5000). */
uint64_t rds_max_connections(const struct rds_class *c);

enum {
	AURORA_SERVERLESS_MIN_ACU_CAP = 2000, /* max_connections when min_acu is 0.5 */
};
/*
 * Aurora Serverless v2 on Aurora PostgreSQL: the default max_connections of
 * an instance whose capacity ranges from min_acu to max_acu, as AWS's table
 * gives it for the maximum ACUs (its memory, by the formula above), capped
 * at 2000 when min_acu is 0.5. 0 when AWS lists no figure for max_acu.
 */
uint64_t aurora_serverless_max_connections(double min_acu, double max_acu);

#endif
