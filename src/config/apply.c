/*
 * apply.c - the settings of a database's postgresql.conf, a pgbouncer
 * pooler's pgbouncer.ini and a pgpool pooler's pgpool.conf applied to the model (config_apply; see config.h):
 * what the YAML leaves unset is filled from the file, a value given in
 * both that differs is recorded for CB018.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "budget.h"
#include "config_impl.h"
#include "load.h"

/* ---- applying a file to the model --------------------------------------- */

static char *format_value(struct arena *a, enum conf_kind kind, uint64_t v)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "d", 86400000 }, { "h", 3600000 }, { "min", 60000 }, { "s", 1000 } };
	size_t i;

	if (kind == KIND_MODE)
		return arena_strdup(a, pool_mode_name((enum pool_mode)v));
	if (kind == KIND_MS && v) {
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (v % units[i].ms == 0)
				return arena_printf(a, "%llu%s", (unsigned long long)(v / units[i].ms),
						    units[i].unit);
		return arena_printf(a, "%llums", (unsigned long long)v);
	}
	return arena_printf(a, "%llu", (unsigned long long)v);
}

/* Record a mismatch unless the same one is already there (config_apply run twice). */
static void add_mismatch(struct topology *t, const struct config_mismatch *m)
{
	size_t i;

	for (i = 0; i < t->nmismatches; i++) {
		const struct config_mismatch *o = &t->mismatches[i];
		if (strcmp(o->object, m->object) == 0 && strcmp(o->setting, m->setting) == 0 &&
		    pos_file_index(o->conf_pos) == pos_file_index(m->conf_pos) &&
		    o->conf_pos.line == m->conf_pos.line && o->conf_pos.col == m->conf_pos.col)
			return;
	}
	t->mismatches = xrealloc(t->mismatches, (t->nmismatches + 1) * sizeof(*t->mismatches));
	t->mismatches[t->nmismatches++] = *m;
}

/*
 * The file's value for CB018 as the file writes it (s->raw: `'24h'` is
 * 24h, never normalised to 1d, so it can be searched for), cut like every
 * value a message quotes; the finding's message is masked and each
 * reporter quotes it on the way out (rule_emit, quote.h).
 */
static char *conf_text(struct arena *a, const char *raw)
{
	return arena_strdup(a, str_clip(raw));
}

void config_settle(const struct target *tg, struct num *yaml, enum conf_kind kind, uint64_t v,
		   const struct config_setting *s, const char *setting, const char *detail)
{
	struct config_mismatch m;

	if (!VALUE_SET(*yaml)) {
		yaml->v = v;
		yaml->pos = s->pos;
		return;
	}
	if (yaml->v == v)
		return;
	m.setting = setting;
	m.yaml_pos = yaml->pos;
	m.conf_pos = s->pos;
	m.yaml_value = format_value(&tg->t->arena, kind, yaml->v);
	m.conf_value = conf_text(&tg->t->arena, s->raw);
	m.object = tg->object;
	m.ignore = tg->ignore;
	m.detail = detail;
	add_mismatch(tg->t, &m);
}

/* The postgresql.conf settings connbudget reads, with PostgreSQL's ranges. */
static const struct pg_field {
	const char *name;
	size_t off;              /* of the struct num in struct database */
	enum conf_kind kind;
	uint64_t min, max;
} pg_fields[] = {
	{ "max_connections", offsetof(struct database, max_connections), KIND_INT, 1, PG_MAX_BACKENDS },
	{ "superuser_reserved_connections", offsetof(struct database, superuser_reserved_connections),
	  KIND_INT, 0, PG_MAX_BACKENDS },
	{ "reserved_connections", offsetof(struct database, reserved_connections), KIND_INT, 0,
	  PG_MAX_BACKENDS },
	{ "idle_in_transaction_session_timeout",
	  offsetof(struct database, idle_in_transaction_session_timeout), KIND_MS, 0, INT_MAX },
	{ "idle_session_timeout", offsetof(struct database, idle_session_timeout), KIND_MS, 0, INT_MAX },
};

static int apply_postgresql(struct topology *t, struct database *d, const struct config_file *f,
			    char **err)
{
	struct target tg = { t, arena_printf(&t->arena, "databases.%s", d->id.s), &d->ignore };
	size_t i;

	for (i = 0; i < ARRAY_LEN(pg_fields); i++) {
		const struct pg_field *fl = &pg_fields[i];
		const struct config_setting *s = config_find(f, "", fl->name);
		uint64_t v;
		bool ok;

		if (!s)
			continue;
		if (fl->kind == KIND_MS)
			ok = config_parse_pg_ms(s->value, &v);
		else
			ok = config_parse_pg_int(s->value, fl->min, fl->max, &v);
		if (!ok && fl->kind == KIND_MS)
			return config_fail_at(err, s->pos, "%s: expected a duration from 0 to %d ms (a number "
				       "and one of us, ms, s, min, h, d; a bare number is milliseconds), "
				       "got \"%s\"", fl->name, INT_MAX, str_clip(s->value));
		if (!ok)
			return config_fail_at(err, s->pos, "%s: expected an integer from %llu to %llu, got \"%s\"",
				       fl->name, (unsigned long long)fl->min,
				       (unsigned long long)fl->max, str_clip(s->value));
		config_settle(&tg, (struct num *)(void *)((char *)d + fl->off), fl->kind, v, s, fl->name, NULL);
	}
	return 0;
}

/* The [pgbouncer] settings connbudget reads into the pooler's own fields
 * (a [databases] or [users] entry's overrides are its pools', not these). */
static const struct bouncer_field {
	const char *setting;     /* the topology's field */
	const char *ini;         /* in [pgbouncer] */
	size_t off;              /* of the struct num in struct pooler */
	enum conf_kind kind;
} bouncer_fields[] = {
	{ "pool_mode", "pool_mode", offsetof(struct pooler, pool_mode), KIND_MODE },
	{ "default_pool_size", "default_pool_size", offsetof(struct pooler, default_pool_size), KIND_INT },
	{ "reserve_pool_size", "reserve_pool_size", offsetof(struct pooler, reserve_pool_size), KIND_INT },
	{ "max_client_conn", "max_client_conn", offsetof(struct pooler, max_client_conn), KIND_INT },
	{ "max_db_connections", "max_db_connections", offsetof(struct pooler, max_db_connections),
	  KIND_INT },
	{ "port", "listen_port", offsetof(struct pooler, port), KIND_PORT },
};

/* A PgBouncer value as the model holds it; false when it is not one. */
static bool parse_bouncer_value(enum conf_kind kind, const char *s, uint64_t *v)
{
	static const char *const modes[] = { "session", "transaction", "statement" };
	unsigned long long n;
	char *end;
	size_t i;

	if (kind == KIND_MODE) {
		for (i = 0; i < ARRAY_LEN(modes); i++)
			if (strcasecmp(s, modes[i]) == 0) {
				*v = i; /* enum pool_mode order */
				return true;
			}
		return false;
	}
	/* cf_set_int: strtol base 0, the whole value */
	if (!(*s >= '0' && *s <= '9'))
		return false;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (*end || errno == ERANGE || n > INT_MAX)
		return false;
	if (kind == KIND_PORT && (n < 1 || n > 65535))
		return false;
	*v = n;
	return true;
}

/*
 * The keys PgBouncer 1.25.2 takes in a [databases] connect string and in a
 * [users] entry (parse_database and parse_user in its src/loader.c,
 * compared with strcmp: as written), each with the first release that
 * takes it; any other is refused with its own words. "1.4" means 1.4 or
 * earlier.
 */
static const struct entry_param {
	const char *key, *since;
} db_keys[] = {
	{ "dbname", "1.4" }, { "host", "1.4" }, { "port", "1.4" }, { "user", "1.4" },
	{ "password", "1.4" }, { "auth_user", "1.6" }, { "auth_dbname", "1.19" },
	{ "client_encoding", "1.4" }, { "datestyle", "1.4" }, { "timezone", "1.4" },
	{ "pool_size", "1.4" }, { "min_pool_size", "1.16" }, { "reserve_pool", "1.4" },
	{ "reserve_pool_size", "1.24" }, { "max_db_connections", "1.6" },
	{ "max_db_client_connections", "1.24" }, { "server_lifetime", "1.23" },
	{ "load_balance_hosts", "1.24" }, { "pool_mode", "1.6" }, { "connect_query", "1.4" },
	{ "application_name", "1.4" }, { "auth_query", "1.22" },
}, user_keys[] = {
	{ "pool_mode", "1.6" }, { "pool_size", "1.23" }, { "reserve_pool_size", "1.24" },
	{ "max_user_connections", "1.6" }, { "transaction_timeout", "1.25" },
	{ "idle_transaction_timeout", "1.24" }, { "query_timeout", "1.24" },
	{ "client_idle_timeout", "1.24" }, { "max_user_client_connections", "1.24" },
};

static bool known_key(const struct entry_param *keys, size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].key, k) == 0)
			return true;
	return false;
}

/*
 * The keys of a connect string (or [users] value) that set something the
 * budget reads, or that must be checked: key, where it goes, its kind.
 */
struct entry_key {
	const char *key;
	size_t off;          /* of a struct num in struct bouncer_entry / bouncer_user */
	enum conf_kind kind;
};
static const struct entry_key entry_nums[] = {
	{ "pool_size", offsetof(struct bouncer_entry, pool_size), KIND_INT },
	{ "reserve_pool", offsetof(struct bouncer_entry, reserve_pool), KIND_INT },
	{ "reserve_pool_size", offsetof(struct bouncer_entry, reserve_pool), KIND_INT },
	{ "max_db_connections", offsetof(struct bouncer_entry, max_db_connections), KIND_INT },
	{ "pool_mode", offsetof(struct bouncer_entry, pool_mode), KIND_MODE },
};
static const struct entry_key user_nums[] = {
	{ "pool_size", offsetof(struct bouncer_user, pool_size), KIND_INT },
	{ "reserve_pool_size", offsetof(struct bouncer_user, reserve_pool_size), KIND_INT },
	{ "max_user_connections", offsetof(struct bouncer_user, max_user_connections), KIND_INT },
	{ "pool_mode", offsetof(struct bouncer_user, pool_mode), KIND_MODE },
};

/*
 * Every key=value of a [databases] or [users] value, keys as written;
 * -1 when malformed: no `=`, an empty key or value, an unterminated quote
 * (cstr_get_pair in PgBouncer's src/loader.c).
 */
struct connstr_pair {
	char *key, *val;
};
static int connstr_pairs(const char *cs, struct connstr_pair **out, size_t *n)
{
	const char *p = cs;

	*out = NULL;
	*n = 0;
	for (;;) {
		const char *k, *v;
		size_t klen;
		struct sbuf b = { 0 };

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		for (k = p; *p && *p != '=' && *p != ' ' && *p != '\t'; p++)
			;
		klen = (size_t)(p - k);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=' || !klen)
			return -1;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\'') {
			for (p++;; p++) {
				if (!*p) {
					sbuf_release(&b);
					return -1;
				}
				if (*p == '\'' && p[1] == '\'') {
					sbuf_putc(&b, '\'');
					p++;
				} else if (*p == '\'') {
					p++;
					break;
				} else {
					sbuf_putc(&b, *p);
				}
			}
		} else {
			for (v = p; *p && *p != ' ' && *p != '\t'; p++)
				;
			if (p == v)
				return -1; /* cstr_get_value: "disallow empty values" */
			sbuf_add(&b, v, (size_t)(p - v));
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].key = xstrndup(k, klen);
		(*out)[(*n)++].val = sbuf_detach(&b);
	}
}

static void connstr_pairs_free(struct connstr_pair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].val);
	}
	free(v);
}

/*
 * Read one [databases] entry (is_user false) or [users] entry into obj, a
 * struct bouncer_entry or bouncer_user: the numbers the budget reads,
 * host, port and user of an entry. Unknown keys and bad values are input
 * errors at the entry's line. Returns 0 or -1 with *err.
 */
static int read_entry(struct arena *a, const struct config_setting *s, bool is_user, void *obj,
		      char **err)
{
	const char *what = is_user ? "[users]" : "[databases]";
	const struct entry_key *nums = is_user ? user_nums : entry_nums;
	size_t nnums = is_user ? ARRAY_LEN(user_nums) : ARRAY_LEN(entry_nums);
	struct connstr_pair *v;
	size_t n, i, j;
	int rc = 0;

	if (connstr_pairs(s->value, &v, &n) != 0) {
		connstr_pairs_free(v, n);
		return config_fail_at(err, s->pos, "%s '%s': malformed connect string (expected key=value "
			       "pairs; PgBouncer: \"syntax error in %s\")", what, str_clip(s->name),
			       is_user ? "user settings" : "connection string");
	}
	for (i = 0; i < n && rc == 0; i++) {
		uint64_t val;

		if (is_user ? !known_key(user_keys, ARRAY_LEN(user_keys), v[i].key) :
			      !known_key(db_keys, ARRAY_LEN(db_keys), v[i].key)) {
			rc = config_fail_at(err, s->pos, "%s '%s': unrecognized %s parameter: %s", what,
					    str_clip(s->name), is_user ? "user" : "connection", str_clip(v[i].key));
			break;
		}
		for (j = 0; j < nnums; j++) {
			struct num *nm;

			if (strcmp(nums[j].key, v[i].key) != 0)
				continue;
			if (!parse_bouncer_value(nums[j].kind, v[i].val, &val)) {
				if (nums[j].kind == KIND_MODE)
					rc = config_fail_at(err, s->pos, "%s '%s': invalid pool mode: %s", what,
							    str_clip(s->name), str_clip(v[i].val));
				else /* PgBouncer reads it with atoi: see docs/poolers.md */
					rc = config_fail_at(err, s->pos, "%s: expected a non-negative integer, got "
							    "\"%s\"", v[i].key, str_clip(v[i].val));
				break;
			}
			nm = (struct num *)(void *)((char *)obj + nums[j].off);
			nm->v = val;
			nm->pos = s->pos;
		}
		if (rc || is_user)
			continue;
		if (strcmp(v[i].key, "host") == 0) {
			((struct bouncer_entry *)obj)->host = arena_strdup(a, v[i].val);
		} else if (strcmp(v[i].key, "user") == 0) {
			((struct bouncer_entry *)obj)->user = arena_strdup(a, v[i].val);
		} else if (strcmp(v[i].key, "port") == 0) {
			struct bouncer_entry *e = obj;

			if (!parse_bouncer_value(KIND_PORT, v[i].val, &val)) {
				rc = config_fail_at(err, s->pos, "%s '%s': invalid port: %s (expected 1 to 65535)",
						    what, str_clip(s->name), str_clip(v[i].val));
			} else {
				e->port = val;
				e->port_raw = arena_strdup(a, v[i].val);
			}
		}
	}
	connstr_pairs_free(v, n);
	return rc;
}

/*
 * The [databases] entry's host and port against the database's declared
 * ones, for the entry that stands for the database (named like it, or
 * the only one): a pooler that sends its server connections elsewhere
 * than the topology says is a mismatch. Unix-socket hosts are not compared.
 */
static void check_entry_endpoint(const struct target *tg, const struct bouncer_entry *e,
				 const struct config_target *to)
{
	struct config_mismatch m;

	memset(&m, 0, sizeof(m));
	m.conf_pos = e->pos;
	m.object = tg->object;
	m.ignore = tg->ignore;
	m.detail = arena_printf(&tg->t->arena, "[databases] '%s'", e->name);
	if (e->host && *e->host != '/' && to->host && strcasecmp(e->host, to->host) != 0) {
		m.setting = arena_printf(&tg->t->arena, "host of %s '%s'", to->kind, to->id);
		m.yaml_pos = to->host_pos;
		m.yaml_value = arena_printf(&tg->t->arena, "'%s'", to->host);
		m.conf_value = arena_printf(&tg->t->arena, "'%s'", e->host);
		add_mismatch(tg->t, &m);
	}
	if (to->port_set && e->port != to->port) {
		m.setting = arena_printf(&tg->t->arena, "port of %s '%s'", to->kind, to->id);
		m.yaml_pos = to->port_pos;
		m.yaml_value = format_value(&tg->t->arena, KIND_INT, to->port);
		m.conf_value = e->port_raw ? conf_text(&tg->t->arena, e->port_raw) :
					     format_value(&tg->t->arena, KIND_INT, e->port);
		add_mismatch(tg->t, &m);
	}
}

/*
 * Does entry e send its server connections to target to (a database, or
 * the pooler behind this one)? Its host (a Unix socket or none counts:
 * the file cannot tell) and port against the target's; a target that
 * declares no host takes every entry on its port.
 */
static bool entry_points_at(const struct bouncer_entry *e, const struct config_target *to)
{
	if (e->port != to->port)
		return false;
	return !to->host || !e->host || *e->host == '/' || strcasecmp(e->host, to->host) == 0;
}

/*
 * The [databases] and [users] entries of f, into a bouncer_conf in the
 * topology's arena, each entry told whether it points at the pooler's
 * database. An entry named twice keeps its last line, as PgBouncer does.
 * Returns 0 or -1 with *err.
 */
static int read_bouncer_conf(struct topology *t, struct pooler *p, const struct target *tg,
			     const struct config_file *f, const char *path, char **err)
{
	struct bouncer_conf *bc = arena_alloc(&t->arena, sizeof(*bc));
	struct config_target to;
	bool known = config_target(t, p, &to);
	const struct config_setting *mu = config_find(f, "pgbouncer", "max_user_connections");
	size_t i, j, nd = 0, nu = 0, stand = SIZE_MAX;
	bool any = false;

	for (i = 0; i < f->n; i++) {
		nd += strcmp(f->v[i].section, "databases") == 0;
		nu += strcmp(f->v[i].section, "users") == 0;
	}
	bc->entries = arena_alloc(&t->arena, (nd ? nd : 1) * sizeof(*bc->entries));
	bc->users = arena_alloc(&t->arena, (nu ? nu : 1) * sizeof(*bc->users));
	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		bool is_user = strcmp(s->section, "users") == 0;
		void *obj;

		if (!is_user && strcmp(s->section, "databases") != 0)
			continue;
		if (is_user) {
			for (j = 0; j < bc->nusers && strcmp(bc->users[j].name, s->name) != 0; j++)
				;
			if (j == bc->nusers)
				bc->nusers++;
			memset(&bc->users[j], 0, sizeof(bc->users[j]));
			bc->users[j].name = s->name;
			bc->users[j].pos = s->pos;
			obj = &bc->users[j];
		} else {
			for (j = 0; j < bc->nentries && strcmp(bc->entries[j].name, s->name) != 0; j++)
				;
			if (j == bc->nentries)
				bc->nentries++;
			memset(&bc->entries[j], 0, sizeof(bc->entries[j]));
			bc->entries[j].name = s->name;
			bc->entries[j].pos = s->pos;
			bc->entries[j].port = BOUNCER_ENTRY_DEFAULT_PORT;
			obj = &bc->entries[j];
		}
		if (read_entry(&t->arena, s, is_user, obj, err) != 0)
			return -1;
	}
	if (mu) {
		uint64_t v;
		if (!parse_bouncer_value(KIND_INT, mu->value, &v))
			return config_fail_at(err, mu->pos, "max_user_connections: expected a non-negative "
				       "integer, got \"%s\"", str_clip(mu->value));
		bc->max_user_connections.v = v;
		bc->max_user_connections.pos = mu->pos;
	}
	/* the entry that stands for the database (at the end of a chain): named like it, else the only one */
	for (i = 0; known && to.dbname && i < bc->nentries; i++)
		if (strcmp(bc->entries[i].name, to.dbname) == 0)
			stand = i;
	if (stand == SIZE_MAX && bc->nentries == 1)
		stand = 0;
	for (i = 0; known && i < bc->nentries; i++) {
		bc->entries[i].points_here = i == stand || entry_points_at(&bc->entries[i], &to);
		any = any || bc->entries[i].points_here;
	}
	if (known && stand != SIZE_MAX)
		check_entry_endpoint(tg, &bc->entries[stand], &to);
	if (known && bc->nentries && !any)
		return config_fail_at(err, p->config.pos, "poolers.%s.config: no [databases] entry of '%s' "
			       "points at %s '%s' (host %s, port %llu): name an entry like the "
			       "database, or give it the %s's host and port", p->id.s, path,
			       to.kind, to.id, to.host ? to.host : "not declared", (unsigned long long)to.port,
			       to.kind);
	p->bouncer = bc;
	return 0;
}

static int apply_pgbouncer(struct topology *t, struct pooler *p, const struct config_file *f,
			   const char *path, char **err)
{
	struct target tg = { t, arena_printf(&t->arena, "poolers.%s", p->id.s), &p->ignore };
	size_t i;

	for (i = 0; i < ARRAY_LEN(bouncer_fields); i++) {
		const struct bouncer_field *fl = &bouncer_fields[i];
		const struct config_setting *s = config_find(f, "pgbouncer", fl->ini);
		uint64_t v;

		if (!s)
			continue;
		if (!parse_bouncer_value(fl->kind, s->value, &v)) {
			const char *want = fl->kind == KIND_MODE ? "session, transaction or statement" :
					   fl->kind == KIND_PORT ? "a port from 1 to 65535" :
								   "a non-negative integer";
			return config_fail_at(err, s->pos, "%s: expected %s, got \"%s\"", fl->ini, want, str_clip(s->value));
		}
		config_settle(&tg, (struct num *)(void *)((char *)p + fl->off), fl->kind, v, s, fl->setting,
		       strcmp(fl->setting, fl->ini) != 0 ? fl->ini : NULL);
	}
	return read_bouncer_conf(t, p, &tg, f, path, err);
}

/* ---- pgpool.conf ---------------------------------------------------------- */

/*
 * An integer as pgpool's parse_int reads one without unit (pool_config_
 * variables.c): strtol with base 0 (octal, hex), re-read with strtod when
 * it stops at '.', 'e' or 'E' or overflows, trailing whitespace allowed,
 * rounded to the nearest integer. 1: valid (*out set); 0: not an integer
 * ("invalid value for parameter"); -1: an integer outside [min, max]
 * ("is outside the valid range"). max is at most INT_MAX, which pgpool's
 * parse_int refuses to exceed as an invalid value.
 */
static int pgpool_int(const char *value, long long min, long long max, long long *out)
{
	const char *end;
	double v;

	if (!config_scan_number(value, &v, &end) || *end)
		return 0;
	v = rint(v);
	if (v > INT_MAX || v < INT_MIN)
		return 0;
	*out = (long long)v;
	return *out >= min && *out <= max ? 1 : -1;
}

/* The last setting of name, compared as pgpool does (case-sensitively). */
static const struct config_setting *pgpool_find(const struct config_file *f, const char *name)
{
	size_t i = f->n;

	while (i-- > 0)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

/* The pgpool.conf settings connbudget reads or checks, with pgpool 4.3's
 * ranges (pool_config_variables.c); off 0: checked, not kept */
static const struct pgpool_field {
	const char *name;
	size_t off;
	enum conf_kind kind;
	long long min, max;
} pgpool_fields[] = {
	{ "num_init_children", offsetof(struct pooler, num_init_children), KIND_INT, 1, INT_MAX },
	{ "max_pool", offsetof(struct pooler, max_pool), KIND_INT, 0, INT_MAX },
	{ "reserved_connections", offsetof(struct pooler, reserved_connections), KIND_INT, 0, INT_MAX },
	{ "port", offsetof(struct pooler, port), KIND_PORT, 1024, 65535 },
	{ "listen_backlog_multiplier", 0, KIND_INT, 1, INT_MAX },
	{ "child_max_connections", 0, KIND_INT, 0, INT_MAX },
};

bool config_target(const struct topology *t, const struct pooler *p, struct config_target *out)
{
	const struct pooler *q;
	size_t i, steps;

	memset(out, 0, sizeof(*out));
	if (p->database.s && model_find_database(t, p->database.s, &i)) {
		const struct database *d = &t->databases[i];

		out->kind = "database";
		out->id = out->dbname = d->id.s;
		out->host = d->host.s;
		out->host_pos = d->host.pos;
		out->port_set = VALUE_SET(d->port);
		out->port = out->port_set ? d->port.v : BOUNCER_ENTRY_DEFAULT_PORT;
		out->port_pos = d->port.pos;
		return true;
	}
	if (!p->database.s || !model_find_pooler(t, p->database.s, &i))
		return false;
	q = &t->poolers[i];
	out->kind = "pooler";
	out->id = q->id.s;
	out->host = q->host.s;
	out->host_pos = q->host.pos;
	out->port_set = VALUE_SET(q->port);
	out->port = budget_pooler_port(q);
	out->port_pos = q->port.pos;
	/* the chain is not checked yet: a cycle ends the walk after every pooler */
	for (steps = 0; q && steps <= t->npoolers; steps++) {
		if (q->database.s && model_find_database(t, q->database.s, &i)) {
			out->dbname = t->databases[i].id.s;
			break;
		}
		q = q->database.s && model_find_pooler(t, q->database.s, &i) ? &t->poolers[i] : NULL;
	}
	return true;
}

int config_fail_unreached(char **err, const struct pooler *p, const char *path, const struct config_target *tg,
			  const char *what, const char *whom)
{
	return config_fail_at(err, p->config.pos, "poolers.%s.config: no %s of '%s' points at %s "
			      "'%s' (host %s, port %llu): give %s the %s's host and port", p->id.s, what, path,
			      tg->kind, tg->id, tg->host ? tg->host : "not declared", (unsigned long long)tg->port,
			      whom, tg->kind);
}

void config_add_warning(struct topology *t, struct pos pos, const char *msg)
{
	const char *w = arena_printf(&t->arena, "%s:%u:%u: warning: %s", pos_file(pos),
				      (unsigned)pos.line, (unsigned)pos.col, msg);
	size_t i;

	for (i = 0; i < t->nwarnings; i++)
		if (strcmp(t->warnings[i], w) == 0)
			return;
	xgrow(&t->warnings, &t->capwarnings, t->nwarnings + 1, sizeof(*t->warnings));
	t->warnings[t->nwarnings++] = w;
}

/*
 * Apply pgpool.conf f to pooler p: what pgpool refuses to start with
 * (exit 3, FATAL) is an error at the line in pgpool's words (without the
 * value: a config file can hold secrets); a name pgpool does not know is
 * a load warning, as pgpool ignores it.
 */
static int apply_pgpool(struct topology *t, struct pooler *p, const struct config_file *f,
			const char *path, char **err)
{
	struct target tg = { t, arena_printf(&t->arena, "poolers.%s", p->id.s), &p->ignore };
	size_t i;

	(void)path; /* pgpool's messages name the setting, not the file */
	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		const char *n = s->name;
		bool ascii = true;
		long long v;

		/* every backend_portN, in pgpool's range for it (1024 .. 65535) */
		if (strncmp(n, "backend_port", 12) == 0 && n[12] && config_pgpool_known(n) &&
		    pgpool_int(s->value, 1024, 65535, &v) != 1)
			return config_fail_at(err, s->pos, "invalid value for parameter \"%s\" (pgpool refuses "
					      "to start: expected a port from 1024 to 65535)", n);
		if (config_pgpool_known(n))
			continue;
		for (; *n; n++)
			if ((unsigned char)*n >= 0x80)
				ascii = false;
		config_add_warning(t, s->pos, ascii ? arena_printf(&t->arena, "unknown parameter \"%s\": pgpool "
					   "ignores it (a misspelling?)", s->name) :
				       "unknown parameter (not ASCII): pgpool ignores it");
	}
	for (i = 0; i < ARRAY_LEN(pgpool_fields); i++) {
		const struct pgpool_field *fl = &pgpool_fields[i];
		const struct config_setting *s = pgpool_find(f, fl->name);
		long long v;
		int ok;

		if (!s)
			continue;
		ok = pgpool_int(s->value, fl->min, fl->max, &v);
		if (ok == 0)
			return config_fail_at(err, s->pos, "invalid value for parameter \"%s\" (pgpool refuses "
					      "to start: expected an integer)", fl->name);
		if (ok < 0)
			return config_fail_at(err, s->pos, "value is outside the valid range for parameter "
					      "\"%s\" (%lld .. %lld)", fl->name, fl->min, fl->max);
		if (fl->off)
			config_settle(&tg, (struct num *)(void *)((char *)p + fl->off), fl->kind, (uint64_t)v, s,
			       fl->name, NULL);
	}
	return 0;
}

/* The reader and applier of each pooler type's config file (rds_proxy has none). */
static const struct pooler_reader {
	int (*read)(struct arena *a, const char *path, struct pos from, struct config_file *out,
		    char **err);
	int (*apply)(struct topology *t, struct pooler *p, const struct config_file *f, const char *path,
		     char **err);
} pooler_readers[] = {
	[POOLER_PGBOUNCER] = { config_read_pgbouncer, apply_pgbouncer },
	[POOLER_PGPOOL] = { config_read_pgpool, apply_pgpool },
	[POOLER_PGCAT] = { config_read_pgcat, config_apply_pgcat },
	[POOLER_ODYSSEY] = { config_read_odyssey, config_apply_odyssey },
};

/* Read and apply pooler p's config: file, if it has one. Returns 0 or -1 with *err. */
static int apply_pooler(struct topology *t, struct pooler *p, char **err)
{
	struct config_file f = { 0 };
	const struct pooler_reader *kind;
	const char *path;
	int rc;

	/* a managed pooler has no file of ours: validation refuses config: on it */
	if (!p->config.s || (VALUE_SET(p->type) && p->type.v == POOLER_MANAGED))
		return 0;
	if (VALUE_SET(p->type) && p->type.v == POOLER_RDS_PROXY)
		return config_fail_at(err, p->config.pos, "poolers.%s.config: an rds_proxy has no config "
				      "file; only pgbouncer (pgbouncer.ini), pgpool (pgpool.conf), pgcat "
				      "(pgcat.toml) and odyssey (odyssey.conf) poolers read one", p->id.s);
	path = config_resolve_path(&t->arena, pos_file(p->id.pos), p->config.s);
	config_set_include_root(p->config_root.s ? config_resolve_path(&t->arena, pos_file(p->id.pos),
								       p->config_root.s) : NULL);
	kind = &pooler_readers[VALUE_SET(p->type) ? p->type.v : POOLER_PGBOUNCER];
	rc = kind->read(&t->arena, path, p->config.pos, &f, err);
	config_set_include_root(NULL);
	if (rc == 0)
		rc = kind->apply(t, p, &f, path, err);
	config_file_release(&f);
	return rc;
}

/*
 * The poolers in the order their files are applied (malloc'd): file
 * order, except that a pooler in front of another comes after it, since
 * its entries are matched against that pooler's port, which the inner
 * one's file may give. The chains are not checked yet: a walk stops at a
 * pooler already placed or after every pooler (a cycle).
 */
static size_t *pooler_order(const struct topology *t)
{
	size_t n = t->npoolers, i, k = 0, m, j, steps;
	size_t *order = xcalloc(n ? n : 1, sizeof(*order)), *path = xcalloc(n ? n : 1, sizeof(*path));
	bool *placed = xcalloc(n ? n : 1, sizeof(*placed));

	for (i = 0; i < n; i++) {
		const struct pooler *p;

		m = 0;
		for (j = i, steps = 0; !placed[j] && steps < n; steps++) {
			placed[j] = true;
			path[m++] = j;
			p = &t->poolers[j];
			if (!p->database.s || model_find_database(t, p->database.s, &j) ||
			    !model_find_pooler(t, p->database.s, &j))
				break;
		}
		while (m)
			order[k++] = path[--m];
	}
	free(path);
	free(placed);
	return order;
}

int config_apply(struct topology *t, char **err)
{
	struct config_file f = { 0 };
	size_t i, k, *order;
	int rc = 0;

	for (i = 0; i < t->ndatabases && rc == 0; i++) {
		struct database *d = &t->databases[i];
		const char *path;

		if (!d->config.s)
			continue;
		path = config_resolve_path(&t->arena, pos_file(d->id.pos), d->config.s);
		config_set_include_root(d->config_root.s ? config_resolve_path(&t->arena, pos_file(d->id.pos),
									       d->config_root.s) : NULL);
		rc = config_read_postgresql(&t->arena, path, d->config.pos, &f, err);
		config_set_include_root(NULL);
		if (rc == 0)
			rc = apply_postgresql(t, d, &f, err);
		config_file_release(&f);
	}
	order = pooler_order(t);
	for (k = 0; k < t->npoolers && rc == 0; k++)
		rc = apply_pooler(t, &t->poolers[order[k]], err);
	free(order);
	return rc;
}
