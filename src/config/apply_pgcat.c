/*
 * apply_pgcat.c - a pgcat pooler's pgcat.toml applied to the model
 * (config_apply_pgcat; docs/poolers.md "PgCat").
 *
 * PgCat (postgresml/pgcat, src/config.rs) opens one pool per pool, user
 * and server address: `[pools.P.users.U]` gives `username` and
 * `pool_size`, `[pools.P.shards.S]` gives `database` and `servers = [[host,
 * port, role], ...]`, and every server entry of every shard of P opens up
 * to pool_size connections for each user of P (CONFIG.md, pool_size: "the
 * maximum number of connection from a single Pgcat process to any
 * database in the cluster is the sum of pool_size across all users"). The
 * pooler's cap on a database is that sum over the entries whose host and
 * port are the database's.
 *
 * What serde refuses when PgCat deserializes the file (a missing field,
 * a value of the wrong type) and what its Shard::validate refuses (no
 * servers, two primaries, a server twice) is an error at the line. serde
 * ignores a key its structs do not name (config.rs has no
 * deny_unknown_fields): that is a load warning, as for pgpool.conf.
 *
 * The pool mode of a user's pool is the user's `pool_mode`, else its
 * pool's, else PgCat's default, transaction (CONFIG.md; pool.rs: "match
 * user.pool_mode { Some(pool_mode) => pool_mode, None =>
 * pool_config.pool_mode }"); the pooler's is the one that breaks most over
 * the pools that reach the database, as for odyssey.conf's routes.
 * Pool names are split at '.', so a quoted pool name holding a dot is not
 * told apart.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "budget.h"
#include "config_impl.h"

/* The fields of config.rs's Config, Pool, User and Shard (postgresml/pgcat,
 * src/config.rs): a key outside these is ignored by PgCat. */
static const char *const pgcat_top_keys[] = { "path", "general", "plugins", "pools", NULL };
static const char *const pgcat_pool_keys[] = {
	"pool_mode", "load_balancing_mode", "default_role", "query_parser_enabled",
	"query_parser_max_length", "query_parser_read_write_splitting", "primary_reads_enabled",
	"connect_timeout", "idle_timeout", "checkout_failure_limit", "server_lifetime",
	"sharding_function", "automatic_sharding_key", "sharding_key_regex", "shard_id_regex",
	"regex_search_limit", "default_shard", "auth_query", "auth_query_user", "auth_query_password",
	"cleanup_server_connections", "log_client_parameter_status_changes",
	"prepared_statements_cache_size", "db_activity_based_routing", "db_activity_init_delay",
	"db_activity_ttl", "table_mutation_cache_ms_ttl", "plugins", "shards", "users", NULL,
};
static const char *const pgcat_user_keys[] = {
	"username", "password", "auth_type", "server_username", "server_password", "pool_size",
	"min_pool_size", "pool_mode", "server_lifetime", "statement_timeout", "connect_timeout",
	"idle_timeout", NULL,
};
static const char *const pgcat_shard_keys[] = { "database", "mirrors", "servers", NULL };

/* PgCat's `pool_size: u32` (config.rs, struct User) */
#define PGCAT_POOL_SIZE_MAX 4294967295ULL

/* A [pools.<pool>.users.<key>] or [pools.<pool>.shards.<key>] table. */
struct pc_table {
	const char *pool, *key;
	struct pos pos; /* its first setting */
	bool named;     /* a user's `username`, a shard's `database` */
	const struct config_setting *pool_size; /* a user's */
	const struct config_setting *pool_mode; /* a user's, or (pools list) a pool's */
};

struct pc_server {
	const char *pool, *shard, *index;
	struct pos pos;
	const struct config_setting *part[3]; /* host, port, role */
	size_t nparts;
};

struct pc_list {
	struct pc_table *v;
	size_t n, cap;
};

struct pc_conf {
	struct pc_list users, shards;
	struct pc_list pools; /* key "": a pool's own pool_mode */
	struct pc_server *servers;
	size_t nservers, capservers;
};

static bool pc_known(const char *const *keys, const char *k, size_t n)
{
	for (; *keys; keys++)
		if (strlen(*keys) == n && strncmp(*keys, k, n) == 0)
			return true;
	return false;
}

/* The next '.'-separated part of *s (into the arena), or NULL at the end. */
static const char *pc_part(struct arena *a, const char **s)
{
	const char *p = *s, *dot;

	if (!p)
		return NULL;
	dot = strchr(p, '.');
	*s = dot ? dot + 1 : NULL;
	return dot ? arena_strndup(a, p, (size_t)(dot - p)) : arena_strdup(a, p);
}

static void pc_warn_unknown(struct topology *t, const struct config_setting *s, const char *where)
{
	config_add_warning(t, s->pos, arena_printf(&t->arena, "unknown key \"%s\"%s: PgCat ignores it "
						    "(a misspelling?)", str_clip(s->name), where));
}

/* The table (pool, key) of l, added when new. */
static struct pc_table *pc_table(struct pc_list *l, const char *pool, const char *key, struct pos pos)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].pool, pool) == 0 && strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(*l->v));
	l->v[l->n].pool = pool;
	l->v[l->n].key = key;
	l->v[l->n].pos = pos;
	return &l->v[l->n++];
}

static struct pc_server *pc_server(struct pc_conf *c, const char *pool, const char *shard,
				   const char *index, struct pos pos)
{
	size_t i;

	for (i = 0; i < c->nservers; i++)
		if (strcmp(c->servers[i].pool, pool) == 0 && strcmp(c->servers[i].shard, shard) == 0 &&
		    strcmp(c->servers[i].index, index) == 0)
			return &c->servers[i];
	xgrow(&c->servers, &c->capservers, c->nservers + 1, sizeof(*c->servers));
	memset(&c->servers[c->nservers], 0, sizeof(*c->servers));
	c->servers[c->nservers].pool = pool;
	c->servers[c->nservers].shard = shard;
	c->servers[c->nservers].index = index;
	c->servers[c->nservers].pos = pos;
	return &c->servers[c->nservers++];
}

/* Sort f's settings into c; unknown keys become warnings. Returns 0 or -1. */
static int pc_collect(struct topology *t, const struct config_file *f, struct pc_conf *c, char **err)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		const char *rest = s->name, *top, *pool, *kind, *key, *field;

		top = pc_part(&t->arena, &rest);
		if (!pc_known(pgcat_top_keys, top, strlen(top))) {
			pc_warn_unknown(t, s, "");
			continue;
		}
		if (strcmp(top, "pools") != 0 || !rest)
			continue;
		pool = pc_part(&t->arena, &rest);
		kind = pc_part(&t->arena, &rest);
		if (!kind)
			continue;
		if (!pc_known(pgcat_pool_keys, kind, strlen(kind))) {
			pc_warn_unknown(t, s, arena_printf(&t->arena, " in pool '%s'", str_clip(pool)));
			continue;
		}
		if (strcmp(kind, "pool_mode") == 0 && !rest)
			pc_table(&c->pools, pool, "", s->pos)->pool_mode = s;
		if (strcmp(kind, "users") != 0 && strcmp(kind, "shards") != 0)
			continue;
		key = pc_part(&t->arena, &rest);
		field = pc_part(&t->arena, &rest);
		if (!key || !field)
			return config_fail_at(err, s->pos, "pools.%s.%s: expected a table of tables "
					      "([pools.%s.%s.0]; PgCat: \"invalid type\")", str_clip(pool), kind,
					      str_clip(pool), kind);
		if (strcmp(kind, "users") == 0) {
			struct pc_table *u = pc_table(&c->users, pool, key, s->pos);

			if (!pc_known(pgcat_user_keys, field, strlen(field)))
				pc_warn_unknown(t, s, "");
			else if (strcmp(field, "username") == 0)
				u->named = true;
			else if (strcmp(field, "pool_size") == 0)
				u->pool_size = s;
			else if (strcmp(field, "pool_mode") == 0)
				u->pool_mode = s;
			continue;
		}
		{
			struct pc_table *sh = pc_table(&c->shards, pool, key, s->pos);
			const char *index, *part;
			struct pc_server *sv;

			if (!pc_known(pgcat_shard_keys, field, strlen(field))) {
				pc_warn_unknown(t, s, "");
				continue;
			}
			if (strcmp(field, "database") == 0)
				sh->named = true;
			if (strcmp(field, "servers") != 0)
				continue;
			index = pc_part(&t->arena, &rest);
			if (!index)
				continue; /* servers = []: Shard::validate below */
			part = pc_part(&t->arena, &rest);
			sv = pc_server(c, pool, key, index, s->pos);
			if (!part || rest || strlen(part) != 1 || *part < '0' || *part > '2')
				return config_fail_at(err, s->pos, "pools.%s.shards.%s.servers: each server is "
						      "[\"host\", port, \"primary\" or \"replica\"] (PgCat: "
						      "\"invalid length\")", str_clip(pool), str_clip(key));
			sv->part[*part - '0'] = s;
			sv->nparts++;
		}
	}
	return 0;
}

/*
 * A pool_mode as serde reads config.rs's enum PoolMode: `Transaction`,
 * `Session` and their lower-case aliases. True and *mode when it is one.
 */
static bool pc_mode(const struct config_setting *s, uint64_t *mode)
{
	if (strcmp(s->value, "transaction") == 0 || strcmp(s->value, "Transaction") == 0)
		*mode = POOL_TRANSACTION;
	else if (strcmp(s->value, "session") == 0 || strcmp(s->value, "Session") == 0)
		*mode = POOL_SESSION;
	else
		return false;
	return true;
}

/* Every pool_mode of l (the tables' own) is one PgCat reads; 0 or -1 with *err. */
static int pc_validate_modes(const struct pc_list *l, char **err)
{
	size_t i;
	uint64_t m;

	for (i = 0; i < l->n; i++)
		if (l->v[i].pool_mode && !pc_mode(l->v[i].pool_mode, &m))
			return config_fail_at(err, l->v[i].pool_mode->pos, "%s: unknown variant (expected "
					      "\"transaction\" or \"session\"; PgCat refuses to start)",
					      str_clip(l->v[i].pool_mode->name));
	return 0;
}

/* Check c as serde and Shard::validate would; 0 or -1 with *err. */
static int pc_validate(const struct pc_conf *c, char **err)
{
	size_t i, j;

	if (pc_validate_modes(&c->pools, err) != 0 || pc_validate_modes(&c->users, err) != 0)
		return -1;

	for (i = 0; i < c->users.n; i++) {
		const struct pc_table *u = &c->users.v[i];
		char *end;
		unsigned long long v;

		if (!u->named || !u->pool_size)
			return config_fail_at(err, u->pos, "pools.%s.users.%s: missing field `%s` (PgCat "
					      "refuses to start; config.rs has no default for it)",
					      str_clip(u->pool), str_clip(u->key),
					      u->named ? "pool_size" : "username");
		v = strtoull(u->pool_size->value, &end, 10);
		if (!*u->pool_size->value || *end || *u->pool_size->value == '-' ||
		    *u->pool_size->value == '+' || v > PGCAT_POOL_SIZE_MAX)
			return config_fail_at(err, u->pool_size->pos, "pools.%s.users.%s.pool_size: expected "
					      "an integer from 0 to %llu (PgCat's u32)", str_clip(u->pool),
					      str_clip(u->key), PGCAT_POOL_SIZE_MAX);
	}
	for (i = 0; i < c->shards.n; i++) {
		const struct pc_table *sh = &c->shards.v[i];
		size_t primaries = 0, n = 0;

		if (!sh->named)
			return config_fail_at(err, sh->pos, "pools.%s.shards.%s: missing field `database` "
					      "(PgCat refuses to start)", str_clip(sh->pool), str_clip(sh->key));
		for (j = 0; j < c->nservers; j++) {
			const struct pc_server *sv = &c->servers[j];
			const char *port, *role;
			char *end;
			unsigned long pv;
			size_t k;

			if (strcmp(sv->pool, sh->pool) != 0 || strcmp(sv->shard, sh->key) != 0)
				continue;
			n++;
			if (sv->nparts != 3 || !sv->part[0] || !sv->part[1] || !sv->part[2])
				return config_fail_at(err, sv->pos, "pools.%s.shards.%s.servers: each server is "
						      "[\"host\", port, \"primary\" or \"replica\"] (PgCat: "
						      "\"invalid length\")", str_clip(sh->pool), str_clip(sh->key));
			port = sv->part[1]->value;
			pv = strtoul(port, &end, 10);
			if (!*port || *end || *port == '-' || *port == '+' || pv > 65535)
				return config_fail_at(err, sv->part[1]->pos, "pools.%s.shards.%s.servers: the "
						      "port must be an integer from 0 to 65535 (PgCat's u16)",
						      str_clip(sh->pool), str_clip(sh->key));
			/* config.rs, enum Role: Primary, Replica, Mirror and their
			 * lower-case aliases */
			role = sv->part[2]->value;
			if (strcasecmp(role, "primary") != 0 && strcasecmp(role, "replica") != 0 &&
			    strcasecmp(role, "mirror") != 0)
				return config_fail_at(err, sv->part[2]->pos, "pools.%s.shards.%s.servers: unknown "
						      "role (expected \"primary\", \"replica\" or \"mirror\")",
						      str_clip(sh->pool), str_clip(sh->key));
			primaries += strcasecmp(role, "primary") == 0;
			for (k = 0; k < j; k++) {
				const struct pc_server *o = &c->servers[k];

				if (strcmp(o->pool, sv->pool) == 0 && strcmp(o->shard, sv->shard) == 0 &&
				    o->nparts == 3 && strcmp(o->part[0]->value, sv->part[0]->value) == 0 &&
				    strcmp(o->part[1]->value, port) == 0 &&
				    strcasecmp(o->part[2]->value, role) == 0)
					return config_fail_at(err, sv->pos, "Shard %s contains duplicate server "
							      "configs (PgCat's Shard::validate)",
							      str_clip(sh->pool));
			}
		}
		if (n == 0)
			return config_fail_at(err, sh->pos, "pools.%s.shards.%s: Shard has no servers "
					      "configured (PgCat's Shard::validate)", str_clip(sh->pool),
					      str_clip(sh->key));
		if (primaries > 1)
			return config_fail_at(err, sh->pos, "pools.%s.shards.%s: Shard has more than one "
					      "primary configured (PgCat's Shard::validate)",
					      str_clip(sh->pool), str_clip(sh->key));
	}
	return 0;
}

static void pc_conf_release(struct pc_conf *c)
{
	free(c->pools.v);
	free(c->users.v);
	free(c->servers);
	free(c->shards.v);
}

/* The pool mode that breaks most so far, and the setting that gives it. */
struct pc_worst {
	uint64_t mode;
	bool set;
	const struct config_setting *s; /* NULL: PgCat's default */
	struct pos pos;                 /* s's, or the user's table's */
	const char *pool;
};

/* Take user u's pool mode into w: the user's, its pool's, or the default. */
static void pc_user_mode(const struct pc_conf *c, const struct pc_table *u, struct pc_worst *w)
{
	const struct config_setting *s = u->pool_mode;
	uint64_t mode = PGCAT_DEFAULT_POOL_MODE;
	size_t i;

	for (i = 0; !s && i < c->pools.n; i++)
		if (strcmp(c->pools.v[i].pool, u->pool) == 0)
			s = c->pools.v[i].pool_mode;
	if (s)
		pc_mode(s, &mode); /* pc_validate checked it */
	/* statement > transaction > session; a written line beats the default */
	if (w->set && (mode < w->mode || (mode == w->mode && (w->s || !s))))
		return;
	w->mode = mode;
	w->set = true;
	w->s = s;
	w->pos = s ? s->pos : u->pos;
	w->pool = u->pool;
}

/*
 * Settle the pooler's pool_mode with the most breaking mode w: against
 * its line, or, when no pool_mode is written, against PgCat's default at
 * the user's table (the detail says so).
 */
static void pc_settle_mode(struct topology *t, struct pooler *p, const struct pc_worst *w)
{
	struct target tg = { t, arena_printf(&t->arena, "poolers.%s", p->id.s), &p->ignore };
	struct config_setting dflt = { "", "pool_mode", "transaction", "transaction", w->pos };

	if (w->s)
		config_settle(&tg, &p->pool_mode, KIND_MODE, w->mode, w->s, "pool_mode", w->s->name);
	else
		config_settle(&tg, &p->pool_mode, KIND_MODE, w->mode, &dflt, "pool_mode",
			      arena_printf(&t->arena, "PgCat's default: pool '%s' sets no pool_mode",
					   str_clip(w->pool)));
}

int config_apply_pgcat(struct topology *t, struct pooler *p, const struct config_file *f,
		       const char *path, char **err)
{
	struct pc_conf c = { 0 };
	struct pc_worst worst = { 0 };
	struct config_target to;
	bool known = config_target(t, p, &to);
	uint64_t sum = 0;
	size_t i, j, on = 0;
	int rc;

	rc = pc_collect(t, f, &c, err);
	if (rc == 0)
		rc = pc_validate(&c, err);
	if (rc != 0 || !known)
		goto out;
	for (i = 0; i < c.nservers; i++) {
		const struct pc_server *sv = &c.servers[i];

		if (strtoull(sv->part[1]->value, NULL, 10) != to.port ||
		    (to.host && strcasecmp(sv->part[0]->value, to.host) != 0))
			continue;
		on++;
		for (j = 0; j < c.users.n; j++) {
			if (strcmp(c.users.v[j].pool, sv->pool) != 0)
				continue;
			pc_user_mode(&c, &c.users.v[j], &worst);
			if (!u64_add(sum, strtoull(c.users.v[j].pool_size->value, NULL, 10), &sum)) {
				rc = config_fail_at(err, p->config.pos, "poolers.%s.config: the pool sizes "
						    "overflow", p->id.s);
				goto out;
			}
		}
	}
	if (on == 0) {
		rc = config_fail_unreached(err, p, path, &to, "server", "a server");
		goto out;
	}
	p->pgcat_pool_sum.v = sum;
	p->pgcat_pool_sum.pos = p->config.pos;
	if (worst.set)
		pc_settle_mode(t, p, &worst);
out:
	pc_conf_release(&c);
	return rc;
}
