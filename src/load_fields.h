/*
 * load_fields.h - the loader's field tables (private to load*.c).
 *
 * One table per kind of object lists every key it accepts: name, how the
 * value is read, where it is stored (an offset into the object) and which
 * types of object it applies to. The file and `plan --set` both go through
 * load_read_field, so a value is checked by the same code wherever it comes
 * from.
 */
#ifndef CONNBUDGET_LOAD_FIELDS_H
#define CONNBUDGET_LOAD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "load_yaml.h"
#include "model.h"

/* How a value is read, and the member it is stored in. */
enum fkind {
	F_UINT,      /* struct num: a non-negative integer */
	F_PORT,      /* struct num: 1 to 65535 */
	F_PERCENT,   /* struct num: 1 to 100 */
	F_REAL,      /* struct real: a non-negative decimal */
	F_DURATION,  /* struct num: milliseconds, from an integer or "<n>[ ]<unit>" */
	F_SURGE,     /* struct num + client.surge_percent: an integer or "N%" */
	F_STR,       /* struct str: a non-empty string */
	F_ENUM,      /* struct num: the index of the value in names */
	F_FRAMEWORK, /* struct str + client.framework_index: a framework.h name */
	F_INSTANCE,  /* struct str: an instance class or plan of the catalog (catalog.h) */
	F_PROVIDER,  /* struct str: a provider of the catalog */
	F_LIST,      /* struct strlist: strings, no duplicates */
	F_FEATURES,  /* struct strlist: session features (enum feature), no duplicates */
	F_SUPPRESS,  /* struct strlist: rules, each plain or {rule, reason, until} (ignore, lint.disable) */
	F_LEVELS,    /* topology.lint_severity: a mapping RULE → error|warning|info|off */
	F_MAP,       /* a nested mapping read with sub (its members live in the same object) */
};

enum {
	FL_NONEMPTY = 1,     /* F_LIST: an empty list is an error */
	FL_COLD = 2,         /* off (pos_off) is into the client's struct client_cold */
	TABLE_MAX = 32,      /* fields of one table */
};
#define NO_POS ((size_t)-1) /* F_MAP without a struct pos of its own */

struct table;

struct field {
	const char *name;
	enum fkind kind;
	size_t off;                /* offset of the member in the object */
	unsigned types;            /* bit (1 << type) for every type it applies to; 0 = all */
	unsigned flags;
	const char *const *names;  /* F_ENUM: the values in enum order */
	size_t nnames;
	const char *what;          /* F_ENUM: what the value is ("client type") */
	const struct table *sub;   /* F_MAP: the nested keys */
	size_t pos_off;            /* F_MAP: offset of a struct pos that gets the key's position */
};

struct table {
	const char *name;          /* "database", "pooler", "client", "pool", ... */
	const struct field *fields;
	size_t n;
};

extern const struct table load_table_database;
extern const struct table load_table_pooler;
extern const struct table load_table_client;
extern const struct table load_table_lint;   /* its object is the struct topology */

/* The field called name (len bytes), or NULL. */
const struct field *load_field_find(const struct table *tb, const char *name, size_t len);

/*
 * Read the current node, a mapping, into obj with tb: every key must be in
 * the table and appear once. Consumes the node up to its end. Returns 0 or -1.
 */
int load_read_mapping(struct yr *r, const struct table *tb, void *obj);

/*
 * Read the current node as the value of f into obj; keypos is the position
 * of its key (F_MAP stores it). Consumes the node. Returns 0 or -1; nothing
 * in obj changes on error.
 */
int load_read_field(struct yr *r, const struct field *f, void *obj, struct pos keypos);

/* Report the current key as unknown among names, with a suggestion. Returns -1. */
int load_unknown_key(struct yr *r, const char *const *names, size_t n);

/* A non-empty string scalar into the topology arena; NUL bytes and over-long
 * strings are errors. Returns 0 or -1. */
int load_read_string(struct yr *r, struct str *out);
/* A list of strings (see F_LIST); returns 0 or -1. */
int load_read_strlist(struct yr *r, struct strlist *out, bool nonempty);

/* Did the file (or a --set) give f a value in obj? Where? */
bool load_field_is_set(const struct field *f, const void *obj);
struct pos load_field_pos(const struct field *f, const void *obj);
/* Give the group f (an F_MAP with a position of its own) the position pos in obj. */
void load_field_mark(struct yr *r, const struct field *f, void *obj, struct pos pos);

/* The names of enum pooler_type, enum client_type. */
extern const char *const load_pooler_types[];
extern const char *const load_client_types[];

#endif
