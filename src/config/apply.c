/*
 * apply.c - the settings of a database's postgresql.conf and a pgbouncer
 * pooler's pgbouncer.ini applied to the model (config_apply; see config.h):
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

#include "config_impl.h"
#include "load.h"

/*
 * Look key up in a [databases] connect string ("host=db port=5432
 * pool_size=30"; a value may be single-quoted, '' standing for a quote).
 * Returns 1 and *val (malloc'd), 0 when absent, -1 on a malformed string.
 */
static int connstr_get(const char *cs, const char *key, char **val)
{
	const char *p = cs;

	*val = NULL;
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
			goto bad;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\'') {
			for (p++;; p++) {
				if (!*p) {
					sbuf_release(&b);
					goto bad;
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
			sbuf_add(&b, v, (size_t)(p - v));
		}
		if (klen == strlen(key) && strncasecmp(k, key, klen) == 0) {
			free(*val);
			*val = sbuf_detach(&b); /* the last one wins */
		} else {
			sbuf_release(&b);
		}
		if (!*p)
			return *val ? 1 : 0;
	}
bad:
	free(*val);
	*val = NULL;
	return -1;
}

/* ---- applying a file to the model --------------------------------------- */

/* How a setting's value reads and prints. */
enum conf_kind {
	KIND_INT,      /* a count */
	KIND_MS,       /* milliseconds (postgresql.conf time units) */
	KIND_MODE,     /* enum pool_mode */
	KIND_PORT,     /* 1..65535 */
};

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
				return config_printf(a, "%llu%s", (unsigned long long)(v / units[i].ms),
						    units[i].unit);
		return config_printf(a, "%llums", (unsigned long long)v);
	}
	return config_printf(a, "%llu", (unsigned long long)v);
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

/* Where a setting of one object is being settled. */
struct target {
	struct topology *t;
	const char *object;            /* "poolers.bouncer" */
	const struct strlist *ignore;
};

/*
 * Settle one numeric setting: fill it from the file when the YAML leaves
 * it unset, else record a mismatch when the two differ.
 */
static void settle(const struct target *tg, struct num *yaml, enum conf_kind kind, uint64_t v,
		   struct pos pos, const char *setting, const char *detail)
{
	struct config_mismatch m;

	if (!VALUE_SET(*yaml)) {
		yaml->v = v;
		yaml->pos = pos;
		return;
	}
	if (yaml->v == v)
		return;
	m.setting = setting;
	m.yaml_pos = yaml->pos;
	m.conf_pos = pos;
	m.yaml_value = format_value(&tg->t->arena, kind, yaml->v);
	m.conf_value = format_value(&tg->t->arena, kind, v);
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
	struct target tg = { t, config_printf(&t->arena, "databases.%s", d->id.s), &d->ignore };
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
				       "got \"%s\"", fl->name, INT_MAX, s->value);
		if (!ok)
			return config_fail_at(err, s->pos, "%s: expected an integer from %llu to %llu, got \"%s\"",
				       fl->name, (unsigned long long)fl->min,
				       (unsigned long long)fl->max, s->value);
		settle(&tg, (struct num *)(void *)((char *)d + fl->off), fl->kind, v, s->pos, fl->name,
		       NULL);
	}
	return 0;
}

/* The pgbouncer.ini settings connbudget reads: [pgbouncer] name, and the
 * [databases] connect-string key that overrides it for one database. */
static const struct bouncer_field {
	const char *setting;     /* the topology's field */
	const char *ini;         /* in [pgbouncer] */
	const char *db_key;      /* in a [databases] connect string, or NULL */
	const char *db_key_alt;  /* its other spelling (PgBouncer ≥ 1.24 reserve_pool_size) */
	size_t off;              /* of the struct num in struct pooler */
	enum conf_kind kind;
} bouncer_fields[] = {
	{ "pool_mode", "pool_mode", "pool_mode", NULL, offsetof(struct pooler, pool_mode), KIND_MODE },
	{ "default_pool_size", "default_pool_size", "pool_size", NULL,
	  offsetof(struct pooler, default_pool_size), KIND_INT },
	{ "reserve_pool_size", "reserve_pool_size", "reserve_pool", "reserve_pool_size",
	  offsetof(struct pooler, reserve_pool_size), KIND_INT },
	{ "max_client_conn", "max_client_conn", NULL, NULL, offsetof(struct pooler, max_client_conn),
	  KIND_INT },
	{ "max_db_connections", "max_db_connections", "max_db_connections", NULL,
	  offsetof(struct pooler, max_db_connections), KIND_INT },
	{ "port", "listen_port", NULL, NULL, offsetof(struct pooler, port), KIND_PORT },
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
 * The [databases] entry that serves the pooler's database: the entry named
 * like the database, else the one whose dbname= names it, else the only
 * entry, else the fallback `*`; NULL when none fits.
 */
static const struct config_setting *pick_db_entry(const struct config_file *f, const char *db)
{
	const struct config_setting *named = NULL, *by_dbname = NULL, *only = NULL, *star = NULL;
	bool several = false;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		char *dbname;

		if (strcmp(s->section, "databases") != 0)
			continue;
		if (strcmp(s->name, "*") == 0) {
			star = s;
			continue;
		}
		if (strcmp(s->name, db) == 0)
			named = s;
		if (connstr_get(s->value, "dbname", &dbname) == 1 && strcmp(dbname, db) == 0)
			by_dbname = s;
		free(dbname);
		if (only && strcmp(only->name, s->name) != 0)
			several = true;
		only = s;
	}
	if (named)
		return named;
	if (by_dbname)
		return by_dbname;
	if (only && !several)
		return only;
	return star;
}

static const struct database *find_database(const struct topology *t, const char *id)
{
	size_t i;

	for (i = 0; id && i < t->ndatabases; i++)
		if (t->databases[i].id.s && strcmp(t->databases[i].id.s, id) == 0)
			return &t->databases[i];
	return NULL;
}

/*
 * The [databases] entry's host and port against the database's declared
 * ones: a pooler that sends its server connections elsewhere than the
 * topology says is a mismatch too. Unix-socket hosts are not compared.
 */
static int check_entry_endpoint(const struct target *tg, const struct config_setting *entry,
				const struct database *d, char **err)
{
	struct config_mismatch m;
	char *host = NULL, *port = NULL;
	uint64_t pv;
	int rc = 0;

	if (!d || connstr_get(entry->value, "host", &host) < 0 ||
	    connstr_get(entry->value, "port", &port) < 0)
		goto out;
	memset(&m, 0, sizeof(m));
	m.conf_pos = entry->pos;
	m.object = tg->object;
	m.ignore = tg->ignore;
	m.detail = config_printf(&tg->t->arena, "[databases] '%s'", entry->name);
	if (host && *host != '/' && d->host.s && strcasecmp(host, d->host.s) != 0) {
		m.setting = config_printf(&tg->t->arena, "host of database '%s'", d->id.s);
		m.yaml_pos = d->host.pos;
		m.yaml_value = config_printf(&tg->t->arena, "'%s'", d->host.s);
		m.conf_value = config_printf(&tg->t->arena, "'%s'", host);
		add_mismatch(tg->t, &m);
	}
	if (port && VALUE_SET(d->port)) {
		if (!parse_bouncer_value(KIND_PORT, port, &pv)) {
			rc = config_fail_at(err, entry->pos, "[databases] '%s': port: expected 1 to 65535, got \"%s\"",
				     entry->name, port);
			goto out;
		}
		if (pv != d->port.v) {
			m.setting = config_printf(&tg->t->arena, "port of database '%s'", d->id.s);
			m.yaml_pos = d->port.pos;
			m.yaml_value = format_value(&tg->t->arena, KIND_INT, d->port.v);
			m.conf_value = format_value(&tg->t->arena, KIND_INT, pv);
			add_mismatch(tg->t, &m);
		}
	}
out:
	free(host);
	free(port);
	return rc;
}

static int apply_pgbouncer(struct topology *t, struct pooler *p, const struct config_file *f,
			   char **err)
{
	struct target tg = { t, config_printf(&t->arena, "poolers.%s", p->id.s), &p->ignore };
	const struct config_setting *entry = pick_db_entry(f, p->database.s ? p->database.s : "");
	size_t i;

	for (i = 0; i < ARRAY_LEN(bouncer_fields); i++) {
		const struct bouncer_field *fl = &bouncer_fields[i];
		const struct config_setting *s = config_find(f, "pgbouncer", fl->ini);
		const char *value = s ? s->value : NULL, *detail = NULL, *name = fl->ini;
		struct pos pos = s ? s->pos : (struct pos){ 0 };
		char *dbval = NULL;
		uint64_t v;
		int found = 0;

		if (entry && fl->db_key) {
			found = connstr_get(entry->value, fl->db_key, &dbval);
			if (found == 0 && fl->db_key_alt)
				found = connstr_get(entry->value, fl->db_key_alt, &dbval);
			if (found < 0)
				return config_fail_at(err, entry->pos, "[databases] '%s': malformed connect string "
					       "(expected key=value pairs)", entry->name);
			if (found) {
				value = dbval;
				pos = entry->pos;
				name = fl->db_key;
				detail = config_printf(&t->arena, "%s of [databases] '%s'", fl->db_key,
						      entry->name);
			}
		}
		if (!value)
			continue;
		if (!parse_bouncer_value(fl->kind, value, &v)) {
			const char *want = fl->kind == KIND_MODE ? "session, transaction or statement" :
					   fl->kind == KIND_PORT ? "a port from 1 to 65535" :
								   "a non-negative integer";
			int rc = config_fail_at(err, pos, "%s: expected %s, got \"%s\"", name, want, value);
			free(dbval);
			return rc;
		}
		if (!detail && strcmp(fl->setting, fl->ini) != 0)
			detail = fl->ini;
		settle(&tg, (struct num *)(void *)((char *)p + fl->off), fl->kind, v, pos, fl->setting,
		       detail);
		free(dbval);
	}
	if (entry)
		return check_entry_endpoint(&tg, entry, find_database(t, p->database.s), err);
	return 0;
}

int config_apply(struct topology *t, char **err)
{
	struct config_file f = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < t->ndatabases && rc == 0; i++) {
		struct database *d = &t->databases[i];
		const char *path;

		if (!d->config.s)
			continue;
		path = config_resolve_path(&t->arena, pos_file(d->id.pos), d->config.s);
		rc = config_read_postgresql(&t->arena, path, d->config.pos, &f, err);
		if (rc == 0)
			rc = apply_postgresql(t, d, &f, err);
		config_file_release(&f);
	}
	for (i = 0; i < t->npoolers && rc == 0; i++) {
		struct pooler *p = &t->poolers[i];
		const char *path;

		if (!p->config.s)
			continue;
		if (VALUE_SET(p->type) && p->type.v == POOLER_RDS_PROXY) {
			rc = config_fail_at(err, p->config.pos, "poolers.%s.config: an rds_proxy has no config "
				     "file; only a pgbouncer pooler reads one (pgbouncer.ini)", p->id.s);
			break;
		}
		path = config_resolve_path(&t->arena, pos_file(p->id.pos), p->config.s);
		rc = config_read_pgbouncer(&t->arena, path, p->config.pos, &f, err);
		if (rc == 0)
			rc = apply_pgbouncer(t, p, &f, err);
		config_file_release(&f);
	}
	return rc;
}
