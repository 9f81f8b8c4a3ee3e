/*
 * config.h - the real configuration files behind a topology: a database's
 * `config: postgresql.conf`, a pgbouncer pooler's `config: pgbouncer.ini`
 * and a pgpool pooler's `config: pgpool.conf` (docs/topology.md, rule CB018).
 *
 * config_apply reads every referenced file once, right after the YAML is
 * read and before load_validate: a setting the YAML leaves unset is filled
 * from the file (its position then points into the file), a setting given
 * in both with different values is recorded in topology.mismatches, which
 * check_config_mismatch turns into CB018 findings. Nothing else in the
 * program opens these files.
 *
 * postgresql.conf is read by our own parser, which follows PostgreSQL's
 * guc-file.l (tokens, quoting, units, include directives); pgbouncer.ini by
 * inih (Debian's libinih), configured as PgBouncer reads its file.
 */
#ifndef CONNBUDGET_CONFIG_H
#define CONNBUDGET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

enum {
	/* include nesting: PostgreSQL's CONF_FILE_MAX_DEPTH (guc.h) */
	CONFIG_MAX_DEPTH = 10,
	/* PostgreSQL's MAX_BACKENDS (postmaster.h): the upper limit of
	 * max_connections and of the reserved counts */
	PG_MAX_BACKENDS = 0x3FFFF,
	/* the port= of a [databases] entry when it gives none: PgBouncer's
	 * doc/config.md, section [databases], "port" (and PostgreSQL's) */
	BOUNCER_ENTRY_DEFAULT_PORT = 5432,
};

/* One `name = value` line of a config file. */
struct config_setting {
	const char *section; /* pgbouncer.ini: the section in lower case; postgresql.conf: "" */
	const char *name;    /* lower case, except [databases] / [users] keys (as written, unquoted) */
	const char *value;   /* quotes and escapes removed (postgresql.conf) */
	const char *raw;     /* as the file writes it: the token, without the quotes around a
			      * quoted string, escapes kept (CB018 quotes it: '24h' -> 24h) */
	struct pos pos;      /* the name: its file, line and column */
};

/*
 * The settings of one file and its includes, in the order read (the last
 * of a name wins). Strings live in the arena given to the reader; v is
 * malloc'd and freed by config_file_release.
 */
struct config_file {
	struct config_setting *v;
	size_t n, cap;
};

/*
 * Read postgresql.conf at path (and what it includes) into out, which the
 * caller has zeroed. from is where the file is referenced (the YAML
 * `config:` node): an unreadable file is reported there. Returns 0, or -1
 * with *err "file:line:col: error: ..." (caller frees); out is then still
 * to be released. A postgresql.auto.conf in the same directory (where
 * ALTER SYSTEM writes) is read after it, so its settings win.
 */
int config_read_postgresql(struct arena *a, const char *path, struct pos from,
			   struct config_file *out, char **err);

/* ALTER SYSTEM's file, beside postgresql.conf (PostgreSQL's PG_AUTOCONF_FILENAME). */
#define PG_AUTOCONF_FILE "postgresql.auto.conf"

/* The same for pgbouncer.ini, read with inih; `%include FILE` is followed. */
int config_read_pgbouncer(struct arena *a, const char *path, struct pos from,
			  struct config_file *out, char **err);

/*
 * The same for pgpool.conf (pgpool.c: pgpool-II's own grammar; `include
 * 'FILE'` is followed, relative to the including file). Names are kept as
 * written (pgpool compares them case-sensitively), section "".
 */
int config_read_pgpool(struct arena *a, const char *path, struct pos from, struct config_file *out,
		       char **err);

/*
 * The same for pgcat.toml (pgcat.c: the TOML subset PgCat's files use).
 * Every scalar is one setting named by its dotted path, array elements by
 * index (`pools.P.shards.0.servers.1.0`), section "", at its value.
 */
int config_read_pgcat(struct arena *a, const char *path, struct pos from, struct config_file *out,
		      char **err);

/*
 * The same for odyssey.conf (odyssey.c: Odyssey's own grammar; `include
 * "FILE"` is followed, relative to the including file). section is the
 * path of the setting's blocks as written (`database "app".user default`),
 * name its keyword, value its token as written (strings keep their
 * quotes), pos the value; each block adds an entry named "{" at its keyword.
 */
int config_read_odyssey(struct arena *a, const char *path, struct pos from, struct config_file *out,
			char **err);

/* Is name a parameter pgpool-II 4.3 knows (backend_hostname0 included)? */
bool config_pgpool_known(const char *name);

/* The last setting of this name in this section (name compared ignoring
 * case), or NULL. */
const struct config_setting *config_find(const struct config_file *f, const char *section,
					 const char *name);

/* Free f->v; accepts an empty f. */
void config_file_release(struct config_file *f);

/*
 * The folder (already resolved) that stands for '/' in the absolute
 * includes of the files read next, or NULL: config_apply sets it from the
 * object's `config_root:` before reading the object's file, and clears it
 * after. Loading is single-threaded, and so is this.
 */
void config_set_include_root(const char *root);

/*
 * A time setting as PostgreSQL reads one whose base unit is milliseconds
 * (idle_in_transaction_session_timeout): a number, optional whitespace and
 * an optional unit (us, ms, s, min, h, d; a bare number is milliseconds),
 * fractions rounded to the nearest millisecond. True and *ms when valid.
 */
bool config_parse_pg_ms(const char *value, uint64_t *ms);

/*
 * Read the config file of every database and pooler of t that has one
 * (paths relative to the file defining the object), fill what the YAML
 * leaves unset and record mismatches (t->mismatches). Safe to call again:
 * a mismatch already recorded is not added twice. Returns 0, or -1 with
 * *err "file:line:col: error: ..." (caller frees).
 */
int config_apply(struct topology *t, char **err);

#endif
