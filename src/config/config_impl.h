/*
 * config_impl.h - what the config readers (config.c, postgresql.c,
 * pgbouncer.c, pgpool.c, pgcat.c, odyssey.c, apply*.c) share; not for the rest of the program, which
 * includes config.h alone.
 */
#ifndef CONNBUDGET_CONFIG_IMPL_H
#define CONNBUDGET_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* How a setting's value reads and prints. */
enum conf_kind {
	KIND_INT,      /* a count */
	KIND_MS,       /* milliseconds (postgresql.conf time units) */
	KIND_MODE,     /* enum pool_mode */
	KIND_PORT,     /* 1..65535 */
};

/* Where a setting of one object is being settled. */
struct target {
	struct topology *t;
	const char *object;            /* "poolers.bouncer" */
	const struct strlist *ignore;
};

/*
 * Settle one setting of the model, yaml, with v as read from the file's
 * setting s (apply.c): fill it from the file when the YAML leaves it
 * unset, else record a mismatch (CB018, at s) when the two differ: the
 * YAML's value as the topology means it, the file's as written (s->raw).
 * detail is NULL or how the file names it.
 */
void config_settle(const struct target *tg, struct num *yaml, enum conf_kind kind, uint64_t v,
		   const struct config_setting *s, const char *setting, const char *detail);

/* Set *err to "file:line:col: error: message" and return -1. */
int config_fail_at(char **err, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);


/*
 * path as seen from the directory of base (a file): absolute paths, and
 * bases without a directory part (a topology in the working directory, or
 * standard input), leave path as it is. The result lives in the arena.
 */
const char *config_resolve_path(struct arena *a, const char *base, const char *path);

/*
 * An include directive's path, as config_resolve_path, except that an
 * absolute path never reads this machine's files: it is taken under the
 * object's `config_root:` (config_set_include_root), and without one it is
 * an error at pos. Returns the path (in the arena), or NULL with *err set.
 */
const char *config_resolve_include(struct arena *a, const char *base, const char *path,
				   struct pos pos, char **err);

/* Column (1-based, in characters) of p on the line starting at line. */
uint32_t config_column_of(const char *line, const char *p);

/*
 * Read the whole file at path into a malloc'd NUL-terminated buffer.
 * Returns 0, or -1 with *why set to a static reason (errno text, "larger
 * than 16 MiB", ...). *missing tells a file that does not exist.
 */
int config_read_whole(const char *path, char **data, size_t *len, const char **why, bool *missing);

/*
 * Read a config file named at from (an include directive or the YAML
 * `config:` node) depth includes down: deeper than CONFIG_MAX_DEPTH is an
 * error (a cycle). Returns 0 with *data (malloc'd, the caller frees), 1
 * when the file does not exist and missing_ok (nothing to free), or -1
 * with *err.
 */
int config_read_nested(const char *path, struct pos from, int depth, bool missing_ok, char **data,
		       size_t *len, char **err);

/* ASCII letters of s to lower case, in place. */
void config_lower(char *s);

/* Append one setting (strings already in the arena) to f; raw is the
 * value as written (struct config_setting), NULL when it is value. */
void config_add_setting(struct config_file *f, const char *section, const char *name,
			const char *value, const char *raw, struct pos pos);

/*
 * The number at the start of value as PostgreSQL's parse_int (and
 * pgpool's copy of it) reads it: strtol with base 0 (octal, hex), read
 * again with strtod when that stops at '.', 'e' or 'E' or overflows; then
 * whitespace is skipped. True with *v and *end (the unit, or "") unless
 * there is no number, it overflows a double, or it is NaN.
 */
bool config_scan_number(const char *value, double *v, const char **end);

/* An integer setting without unit (PostgreSQL's parse_int with no
 * GUC_UNIT), in [min, max]. True and *out when valid. */
bool config_parse_pg_int(const char *value, uint64_t min, uint64_t max, uint64_t *out);

/* A load warning at pos (topology.warnings), once (config_apply may run twice). */
void config_add_warning(struct topology *t, struct pos pos, const char *msg);

/*
 * Where pooler p's server connections go, as its config file's entries
 * must name it: the database its database: names, or the pooler it names
 * (a pooler in front of a pooler, docs/poolers.md), at its own host and
 * listening port. Strings point into the topology.
 */
struct config_target {
	const char *kind;      /* "database" or "pooler" */
	const char *id;
	const char *host;      /* NULL: not declared (every host matches) */
	struct pos host_pos;
	uint64_t port;         /* declared, else the default (5432, a pooler's listening port) */
	bool port_set;         /* the topology gives it */
	struct pos port_pos;
	const char *dbname;    /* the database at the end of the chain: the entry named like it stands for it */
};
/* False when p's database: names nothing (load_validate reports it). */
bool config_target(const struct topology *t, const struct pooler *p, struct config_target *out);

/*
 * Pooler p's config file path has nothing on its target tg: the error at
 * its `config:`, "no <what> of 'path' points at database ...: give <whom>
 * the database's host and port". Returns -1.
 */
int config_fail_unreached(char **err, const struct pooler *p, const char *path, const struct config_target *tg,
			  const char *what, const char *whom);

/*
 * Apply pgcat.toml f to pgcat pooler p (apply_pgcat.c): its cap on the
 * database, what PgCat refuses as an error at the line, the keys it
 * ignores as load warnings. Returns 0 or -1 with *err.
 */
int config_apply_pgcat(struct topology *t, struct pooler *p, const struct config_file *f,
		       const char *path, char **err);

/*
 * Apply odyssey.conf f to odyssey pooler p (apply_odyssey.c): its cap and
 * client limit on the database and its pool mode, what Odyssey refuses as
 * an error at the line, the keys its documentation does not name as load
 * warnings. Returns 0 or -1 with *err.
 */
int config_apply_odyssey(struct topology *t, struct pooler *p, const struct config_file *f,
			 const char *path, char **err);

#endif
