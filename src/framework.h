/*
 * framework.h - pool defaults of client libraries (docs/model.md), one table.
 */
#ifndef CONNBUDGET_FRAMEWORK_H
#define CONNBUDGET_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a framework's default pool size is derived. */
enum fw_size {
	FW_SIZE_FIXED,       /* size */
	FW_SIZE_CPUS_2X_1,   /* cpus × 2 + 1 (prisma ≤ 6) */
	FW_SIZE_MAX_4_CPUS,  /* max(4, cpus) (pgxpool) */
	FW_SIZE_THREADS,     /* threads, default 1 (django: one connection per thread) */
	FW_SIZE_UNBOUNDED,   /* no limit (database/sql SetMaxOpenConns 0) */
};

/* How a framework's default acquire timeout is known. */
enum fw_timeout {
	FW_TIMEOUT_NONE,     /* waits forever: CB007 */
	FW_TIMEOUT_MS,       /* acquire_timeout_ms */
	FW_TIMEOUT_NA,       /* no pool to wait on (django): never CB007 */
};

struct framework {
	const char *name;
	enum fw_size size_kind;
	uint64_t size;
	uint64_t overflow;
	enum fw_timeout timeout_kind;
	uint64_t acquire_timeout_ms;
	const char *source;  /* where the defaults are documented */
};

extern const struct framework framework_table[];
extern const size_t framework_count;

/* The framework with this name, or NULL. */
const struct framework *framework_find(const char *name, size_t *index);
/* The closest known name, for "did you mean" (NULL when none is close). */
const char *framework_suggest(const char *name);
/* Does this framework's default size need `cpus:`? */
bool framework_needs_cpus(const struct framework *f);

#endif
