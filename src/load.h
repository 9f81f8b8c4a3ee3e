/*
 * load.h - YAML topology → model (docs/topology.md), built straight from libyaml's
 * event stream; every value keeps file:line:col.
 *
 * Errors come back as a list of positioned entries (struct load_errors),
 * sorted by position, at most LOAD_MAX_ERRORS of them; load_file and
 * load_buffer give the first as one message "file:line:col: error: what".
 * The loader knows no rule and computes no figure.
 */
#ifndef CONNBUDGET_LOAD_H
#define CONNBUDGET_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Limits on hostile input (docs/security.md "Limits"). */
enum {
	LOAD_MAX_FILE_BYTES = 16 * 1024 * 1024, /* one input file */
	LOAD_MAX_DEPTH = 64,                    /* YAML nesting */
	LOAD_MAX_NODES = 4 * 1000 * 1000,       /* scalar + collection events, all files */
	LOAD_MAX_INCLUDE_DEPTH = 16,
	LOAD_MAX_INCLUDE_FILES = 1000,
	LOAD_MAX_ID_LEN = 128,
	LOAD_MAX_STRING_LEN = 4096,
	LOAD_MAX_LIST_ITEMS = 10000,            /* items of one list, entries of lint.severity */
	LOAD_MAX_OBJECTS = 200000,              /* databases + poolers + clients, all files */
	LOAD_MAX_ERRORS = 20,                   /* errors kept from one load, as compilers do */
};

/*
 * One input error. file is NULL when what is a whole message of its own
 * ("--set PATH: what", a config reader's "file:line:col: error: what").
 */
struct load_error {
	const char *file;     /* lives as long as the process (pos_file) */
	unsigned line, col;   /* 1-based */
	char *what;           /* malloc'd; masked, not yet quoted for a terminal */
};

/* The errors of one load, in the order found until load_errors_sort. */
struct load_errors {
	struct load_error *v;
	size_t n, cap;
	bool truncated;       /* there were more than LOAD_MAX_ERRORS: the rest were dropped */
};

/*
 * Append an error (what is taken over, freed here when the list is full).
 * Returns false, with e->truncated set, when the list already holds
 * LOAD_MAX_ERRORS entries.
 */
bool load_errors_add(struct load_errors *e, const char *file, unsigned line, unsigned col, char *what);
/* Sort e by file (t's files in the order read, others after), line and column; stable. */
void load_errors_sort(struct load_errors *e, const struct topology *t);
/* Append src's entries to dst (up to LOAD_MAX_ERRORS, then truncated); src is left empty. */
void load_errors_move(struct load_errors *dst, struct load_errors *src);
/* Free the entries; e is left empty and can be reused. Accepts NULL. */
void load_errors_release(struct load_errors *e);
/* "file:line:col: error: what", or what alone without a file; caller frees. */
char *load_error_format(const struct load_error *e);
/* What a list that was cut at LOAD_MAX_ERRORS ends with (docs/security.md). */
#define LOAD_TOO_MANY_ERRORS "connbudget: error: too many errors, stopping after %d" /* LOAD_MAX_ERRORS */

/*
 * Load the topology in path ("-" reads standard input), with its includes,
 * and validate it (load_validate). Returns a topology the caller frees with
 * model_free, or NULL with *err set (caller frees).
 */
struct topology *load_file(const char *path, char **err);

/*
 * The same with every error: NULL with errs holding at least one entry,
 * sorted by file (in the order they were read), line and column; the
 * caller releases errs (load_errors_release) either way.
 */
struct topology *load_file_errors(const char *path, struct load_errors *errs);

/*
 * The same from memory: name is used in positions and includes resolve
 * relative to its directory. data need not be NUL-terminated.
 */
struct topology *load_buffer(const char *name, const char *data, size_t len, char **err);

/*
 * Cross-field checks and reference resolution (ordering constraints,
 * dangling connects_to/database, framework needs, required fields). Run by
 * load_* and again after `plan --set`. Returns 0, or -1 with *err set.
 */
int load_validate(struct topology *t, char **err);

/*
 * Override one scalar, as `plan --set PATH=VALUE` does: PATH is
 * section.id.field[.subfield] (e.g. clients.api.replicas, clients.api.pool.size),
 * VALUE a YAML scalar read and checked by the same code as the file.
 * Returns 0, or -1 with *err naming the path, never quoting the value (it
 * may be a secret: LOAD_SET_HIDDEN stands in its place). Call
 * load_validate after.
 */
int load_set(struct topology *t, const char *path, const char *value, char **err);

/*
 * The same for a value read from a source file (src/source/), given as
 * the text of one scalar, not YAML: digits are read as a plain integer,
 * anything else as a quoted string ("25%", a url, "true" a string). The
 * field takes pos, the value's place in that file, and an error reads
 * "file:line:col: error: LABEL: what" there (label: "env DB_POOL"), still
 * never quoting the value.
 */
int load_set_at(struct topology *t, const char *path, const char *value, const char *label, struct pos pos,
		char **err);

/*
 * --source KIND=PATH (docs/sources.md): a source read after the topology's
 * own `sources:` by every load of this run, PATH relative to the working
 * directory ("-": standard input). Returns 0, or -1 with *err (caller frees).
 */
int load_sources_cli_add(const char *spec, char **err);

/* What an error says in place of a --set value, which it never quotes. */
#define LOAD_SET_HIDDEN "(value not shown)"

#endif
