/*
 * model.h - the topology as plain structs: databases, poolers, clients.
 *
 * A topology is what one top-level FILE argument (with its includes) says.
 * Every scalar keeps the position of the YAML node it came from, and a flag
 * telling whether the file set it: defaults are derived later (budget.c), so
 * `plan --set` can edit the model before anything is derived.
 *
 * Strings, lists and nested values of a topology live in its arena; the
 * growable arrays (databases, poolers, clients, lint_severity, files) are
 * malloc'd. model_free is the one call that releases all of it.
 */
#ifndef CONNBUDGET_MODEL_H
#define CONNBUDGET_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * A position in an input file, in 8 bytes, since every value of the model
 * carries one. line and col are 1-based (col counts characters), 0 when
 * there is no position; 25 bits hold any line or column of a file within
 * LOAD_MAX_FILE_BYTES. The file is an index into a table of file names
 * for the whole process (pos_file_id), 0 for none, in two 7-bit halves
 * that fill the two words: read it with pos_file, build positions with
 * pos_at.
 */
struct pos {
	unsigned line : 25;
	unsigned file_hi : 7;
	unsigned col : 25;
	unsigned file_lo : 7;
};

enum {
	POS_MAX = (1 << 25) - 1,     /* lines and columns beyond are stored as this */
	POS_MAX_FILES = (1 << 14) - 1, /* file names the table holds, POS_FILE_FULL among them */
	POS_FILE_FULL = POS_MAX_FILES  /* the name every file past the table's end shares */
};

/*
 * The index of a file name in the table, added the first time it is seen
 * (a copy is kept until the process ends); 0 for NULL. When the table is
 * full, POS_FILE_FULL, whose name says so: a position never loses its
 * file, and the reading gate (input.h) refuses such a file with an error.
 * Look it up once per file read, not per position.
 */
unsigned pos_file_id(const char *file);
/* A position in file number file_id (from pos_file_id). */
static inline struct pos pos_at(unsigned file_id, uint64_t line, uint64_t col)
{
	struct pos p;

	p.line = line > POS_MAX ? POS_MAX : (unsigned)line;
	p.col = col > POS_MAX ? POS_MAX : (unsigned)col;
	p.file_hi = (file_id >> 7) & 0x7f;
	p.file_lo = file_id & 0x7f;
	return p;
}
/* The same, looking the file name up. */
struct pos pos_make(const char *file, uint64_t line, uint64_t col);
/* The file name of a position, or NULL; the string lives as long as the process. */
const char *pos_file(struct pos p);
/* The file number of a position (0: none). */
static inline unsigned pos_file_index(struct pos p)
{
	return (unsigned)p.file_hi << 7 | p.file_lo;
}

/*
 * An integer (or duration in milliseconds, or enum value) from the file.
 * A value given (in the YAML, a config file or by plan --set) always has
 * a position, one left unset never has: VALUE_SET tells which.
 */
struct num {
	uint64_t v;
	struct pos pos;
};

/* A decimal (memory_gb, load.rate), set as a num is. */
struct real {
	double v;
	struct pos pos;
};

/* Was the num or real x given? */
#define VALUE_SET(x) ((x).pos.line != 0)

/* A string; s == NULL when absent. */
struct str {
	const char *s;
	struct pos pos;
};

/*
 * What an `ignore:` or `lint.disable` entry written as a mapping
 * ({rule: CB003, reason: "...", until: 2027-03-31}) adds to its rule.
 */
struct suppress_info {
	struct pos pos;       /* the entry: the mapping, or the plain item */
	struct str reason;    /* NULL when none is given */
	uint32_t until;       /* the last day it holds, as YYYYMMDD (date_parse); 0: no end */
};

struct strlist {
	struct str *v;
	size_t n;
	struct pos pos; /* the sequence node; pos.line == 0 when absent */
	/* ignore and lint.disable: per item, NULL when every item is a plain rule */
	const struct suppress_info *info;
};

enum client_type { CLIENT_SERVICE, CLIENT_WORKER, CLIENT_SERVERLESS, CLIENT_JOB, CLIENT_TOOL };
enum pooler_type { POOLER_PGBOUNCER, POOLER_RDS_PROXY, POOLER_PGPOOL, POOLER_PGCAT, POOLER_ODYSSEY, POOLER_SUPAVISOR,
		  /* a provider's pooler (docs/poolers.md "Managed poolers"): the loader
		   * turns it into the type it behaves as, so none is left after a load */
		  POOLER_MANAGED };
enum pool_mode { POOL_SESSION, POOL_TRANSACTION, POOL_STATEMENT };

/* Session features a client may declare in `uses`. */
enum feature {
	FEATURE_LISTEN_NOTIFY,
	FEATURE_ADVISORY_LOCKS,
	FEATURE_SESSION_SET,
	FEATURE_PREPARED_STATEMENTS,
	FEATURE_TEMP_TABLES,
	FEATURE_MULTI_STATEMENT_TRANSACTIONS,
	FEATURE_COUNT
};

const char *client_type_name(enum client_type t);
const char *pooler_type_name(enum pooler_type t);
const char *pool_mode_name(enum pool_mode m);
const char *feature_name(enum feature f);

/* Where a client's or pooler's facts were read (docs/sources.md): JSON's "source". */
struct workload_ref {
	const char *file;             /* the manifest, as positions name it */
	const char *kind;             /* "deployment", "service" (compose) */
	const char *namespace;        /* "default" when unnamed; NULL for compose */
	const char *name;
	const char *container;        /* NULL for a pooler */
	const char *pool_vars;        /* the env: variables of pool.size, "DB_POOL or MAX_THREADS"; NULL: none */
	struct pos pos;               /* metadata.name */
};

/* One entry of `sources:`: a kind of file, its path or glob, its env mapping. */
struct source_env_var {
	const char *field;            /* a client field: "url", "pool.size" */
	struct pos pos;
	struct str *vars;             /* the variables, the first set wins */
	size_t nvars;
};
struct source_entry {
	struct str kind;              /* "kubernetes", "compose" */
	struct str path;              /* as written; "-" is standard input */
	struct source_env_var *env;   /* the mapping as written (url defaults to DATABASE_URL) */
	size_t nenv;
	bool command_line;            /* --source KIND=PATH: relative to the working directory */
};

struct database {
	struct str id;        /* pos: the key under `databases:` */
	struct num max_connections;
	struct num superuser_reserved_connections;
	struct num reserved_connections;
	struct num headroom;
	struct num cores;
	struct num spindles;
	struct real memory_gb;
	struct str instance;
	struct str provider;  /* a catalog provider (catalog.h); NULL means rds */
	struct real min_acu;  /* Aurora Serverless v2's capacity range (provider aurora) */
	struct real max_acu;
	struct str host;
	struct num port;
	struct str environment; /* inherited from the top level when unset (pos of the top level's) */
	struct num idle_in_transaction_session_timeout; /* settings:, milliseconds */
	struct num idle_session_timeout;                /* settings:, milliseconds */
	struct str config;    /* postgresql.conf path as written */
	struct str config_root; /* the folder '/' stands for in its absolute includes */
	struct str from;      /* a source's database instance (docs/sources.md), as written */
	const struct workload_ref *source; /* that resource, once bound; NULL: none */
	struct strlist ignore;
};

/*
 * One [databases] entry of a pooler's pgbouncer.ini, as it bears on the
 * budget (docs/poolers.md). A num left unset inherits PgBouncer's
 * [pgbouncer] setting; strings are NULL when the entry does not give them.
 */
struct bouncer_entry {
	const char *name;        /* "main", or "*" for the fallback entry */
	struct pos pos;          /* the entry's line */
	const char *host;        /* host=; NULL: not given (a Unix socket) */
	uint64_t port;           /* port=, 5432 when not given */
	const char *port_raw;    /* port= as written (CB018 quotes it), NULL when not given */
	const char *user;        /* a forced user=: one pool whatever the clients send */
	bool points_here;        /* host and port are the pooler's database's */
	struct num pool_size, reserve_pool, max_db_connections, pool_mode;
};

/* One [users] entry: its overrides of the entry's and the defaults' settings. */
struct bouncer_user {
	const char *name;
	struct pos pos;
	struct num pool_size, reserve_pool_size, pool_mode, max_user_connections;
};

/* What a pooler's pgbouncer.ini says beyond the pooler's own fields. */
struct bouncer_conf {
	struct bouncer_entry *entries;   /* in file order (the last of a name kept) */
	size_t nentries;
	struct bouncer_user *users;
	size_t nusers;
	struct num max_user_connections; /* [pgbouncer], 0 = unlimited */
};

struct managed_pooler; /* catalog.h */

struct pooler {
	struct str id;
	struct num type;      /* enum pooler_type */
	/* a database id, or the id of the pooler it connects to (a pooler in
	 * front of a pooler, docs/poolers.md) */
	struct str database;
	bool via_pooler;      /* resolved: database names a pooler */
	size_t inner;         /* that pooler, an index into topology.poolers, when via_pooler */
	size_t db;            /* the database its connections end at (through its inner poolers), resolved by the loader */
	struct num instances;
	struct num pool_mode; /* enum pool_mode */
	struct num default_pool_size;
	struct num reserve_pool_size;
	struct num max_client_conn;
	struct num max_db_connections;
	struct num max_connections_percent;
	struct num num_init_children; /* pgpool: preforked children, its client limit */
	struct num max_pool;          /* pgpool: cached backend connections per child */
	struct num default_max_clients; /* supavisor: the tenant's client limit */
	struct num reserved_connections; /* pgpool, from config: only: children kept to refuse clients */
	/* pgcat, from config: only: Σ pool_size over its users and the
	 * server entries on the database, per instance (docs/poolers.md) */
	struct num pgcat_pool_sum;
	/* odyssey, from config: only (docs/poolers.md "Odyssey"): Σ pool_size
	 * over the routes whose storage is the database, per instance, unset
	 * when one of them has pool_size 0 (no limit; odyssey_unlimited is
	 * where); Σ client_max over them, unset when one has none (no limit) */
	struct num odyssey_pool_sum;
	struct pos odyssey_unlimited;
	struct num odyssey_client_max;
	struct num odyssey_pool_mode; /* enum pool_mode: the most breaking of those routes' `pool` */
	struct strlist users;
	struct str host;
	struct num port;
	struct str config;
	struct str config_root; /* the folder '/' stands for in its absolute includes */
	struct str environment;
	struct strlist ignore;
	const struct bouncer_conf *bouncer; /* from config: (arena), NULL without one */
	struct str from;      /* a workload of the sources whose pods are its instances */
	const struct workload_ref *source;  /* that workload, once bound */
	struct num instances_peak; /* from:: max_replicas + surge of the workload (a rolling deploy) */
	/* type: managed: the provider's pooler (catalog.h) whose figures fill
	 * what the pooler leaves unset; NULL for every other pooler */
	const struct managed_pooler *managed;
};

struct pool {
	struct pos pos;       /* the `pool:` key; line 0 when absent */
	struct num size;
	struct num acquire_timeout; /* milliseconds */
	/* count, overflow and idle_timeout are in struct client_cold */
};

struct load {
	struct pos pos;       /* the `load:` key; line 0 when absent */
	struct real rate;     /* transactions per second across all instances */
	struct num hold;      /* milliseconds */
};

/*
 * What a client rarely sets, apart: in a block of its own in the
 * topology's arena, allocated only for a client that sets one of these
 * (the others read client_cold_none through client_cold). Without them
 * struct client is 248 bytes instead of 440, which every walk over the
 * clients, and the memory of 100 000 of them, feels (docs/performance.md).
 *
 * A block is never changed once another object may point to it: the
 * loader fills a new client's block while it reads the client, and
 * `--set` and `plan` give the client a copy before they change one of
 * these (load_set), so a saved copy of a struct client keeps its values.
 */
struct client_cold {
	struct num pool_count;        /* pool.count */
	struct num pool_overflow;     /* pool.overflow */
	struct num pool_idle_timeout; /* pool.idle_timeout, milliseconds */
	struct num extra_connections;
	struct str url;
	struct strlist uses;
	struct load load;
	struct num concurrency;
	struct str application_name;
	struct strlist ignore;
	struct str from;              /* a workload of the sources: "kubernetes:deployment/web" */
	struct str container;         /* its container, when it has several */
	const struct workload_ref *source; /* the workload bound (from:) or discovered; NULL: none */
	bool discovered;              /* made from a workload nobody bound (docs/sources.md) */
};

struct client {
	struct str id;
	struct num type;      /* enum client_type */
	struct str connects_to;
	bool via_pooler;      /* resolved: connects_to names a pooler */
	bool surge_percent;   /* surge is a percentage */
	uint16_t framework_index; /* into the framework table (framework.h), valid when framework.s */
	uint32_t target;      /* index into databases or poolers (LOAD_MAX_OBJECTS fits) */
	struct num replicas;
	struct num max_replicas;
	struct num surge;     /* an integer, or a percentage when surge_percent */
	struct num processes;
	struct num threads;
	struct num cpus;
	struct str framework;
	struct pool pool;
	struct num max_concurrency;
	struct str environment;
	struct client_cold *cold; /* NULL when none is set: read with client_cold, write with client_cold_edit */
};

/* The all-unset block: what client_cold gives for a client without one. */
extern const struct client_cold client_cold_none;

/* A client's rarely set fields (never NULL). */
static inline const struct client_cold *client_cold(const struct client *c)
{
	return c->cold ? c->cold : &client_cold_none;
}

/*
 * c's block to write into: its own, or a new all-unset one in arena.
 * With copy, a new one in any case, holding what c's held: the one c had
 * stays as it was for whoever else points to it (copy on write).
 */
struct client_cold *client_cold_edit(struct arena *arena, struct client *c, bool copy);

/*
 * CB020: a client read from a workload (from:, discovery) whose pool size
 * no variable, topology value or framework gives (docs/sources.md).
 */
static inline bool model_pool_unknown(const struct client *c)
{
	return client_cold(c)->source && !VALUE_SET(c->pool.size) && !c->framework.s;
}

/*
 * A setting given both in the YAML and in the config file its object
 * references (`config:`), with different values: finding CB018. Recorded
 * by config_apply (config.c); the strings live in the topology's arena.
 */
struct config_mismatch {
	const char *setting;          /* the topology's name for it: "default_pool_size" */
	struct pos yaml_pos;          /* the value in the YAML */
	struct pos conf_pos;          /* the setting in the config file */
	char *yaml_value, *conf_value;
	const char *object;           /* "poolers.bouncer", "databases.main" */
	const struct strlist *ignore; /* the object's ignore list */
	const char *detail;           /* NULL, or how the file names it ("pool_size of [databases] 'main'") */
};

/* lint.severity entries: RULE → level (one of "error", "warning", "info", "off"). */
struct lint_severity {
	struct str rule;
	struct str level;
};

struct topology {
	struct arena arena;
	const char *file;     /* the top-level file as given on the command line */
	struct num version;
	struct str environment;

	struct database *databases;
	size_t ndatabases;
	struct pooler *poolers;
	size_t npoolers;
	struct client *clients;
	size_t nclients;

	struct strlist lint_disable;
	struct lint_severity *lint_severity;
	size_t nlint_severity;

	const char **files;   /* every file read: the top level first, then includes */
	size_t nfiles;

	/* CB018: YAML settings that disagree with their config file (malloc'd array) */
	struct config_mismatch *mismatches;
	size_t nmismatches;

	/* What a config file holds that its program ignores (pgpool.conf's
	 * unknown keys): "file:line:col: warning: ..." lines in the arena,
	 * printed to stderr once the topology has loaded; never a finding */
	const char **warnings;
	size_t nwarnings, capwarnings;

	/* Id indexes (id → array index), built by model_index. */
	struct strmap db_index, pooler_index, client_index;
	/* `sources:` and --source (arena) */
	struct source_entry *sources;
	size_t nsources;
};

/* Build the id indexes; false when an id is defined twice (the loader reports it first). */
void model_index(struct topology *t);
/* Look an id up; true and *index when found. */
bool model_find_database(const struct topology *t, const char *id, size_t *index);
bool model_find_pooler(const struct topology *t, const char *id, size_t *index);
bool model_find_client(const struct topology *t, const char *id, size_t *index);
/* The database a client's connections end at (through its pooler, if any). */
size_t model_client_database(const struct topology *t, const struct client *c);
/* Does the object's ignore list name this rule (by id or by name)? */
bool model_ignores(const struct strlist *ignore, const char *rule_id, const char *rule_name);

/* Free a topology and everything in it; accepts NULL. */
void model_free(struct topology *t);

#endif
