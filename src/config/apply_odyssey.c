/*
 * apply_odyssey.c - an odyssey pooler's odyssey.conf applied to the model
 * (config_apply_odyssey; docs/poolers.md "Odyssey").
 *
 * Odyssey (yandex/odyssey, docs/configuration/rules.md and storage.md;
 * formerly documentation/configuration.md) routes a client by its
 * `database "db" { user "u" { ... } }` (or `default`) to a route whose
 * `storage "name"` names a `storage "name" { type "remote" host "..."
 * port N }` block. Each route has its own server pool of at most
 * `pool_size` connections ("Set to zero to disable the limit"), takes at
 * most `client_max` clients (0 or absent: no limit) and pools in its
 * `pool` mode (session, transaction, statement). A route may draw on a
 * `shared_pool "name" { pool_size N }` instead, shared by every route that
 * names it (docs/features/shared-pools.md), and a storage's `watchdog { }`
 * is a route of its own to that storage.
 *
 * The pooler's cap on a database is the sum of pool_size over the routes
 * whose storage has an endpoint at the database's host and port, each
 * shared pool counted once; a pool_size 0 there leaves it without a cap.
 * What Odyssey's rules validation refuses (sources/rules.c: a route
 * without storage or pooling mode, a storage it cannot find, an unknown
 * pooling mode) is an error at the line; a key the documentation does not
 * name is a load warning. Values are never quoted in a message: a
 * password or storage_password may stand anywhere.
 */
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "budget.h"
#include "config_impl.h"

/* The keys docs/configuration/global.md, storage.md and rules.md (yandex/odyssey)
 * document, at the top level, in a storage block and in a route. */
static const char *const ody_global_keys[] = {
	"include", "daemonize", "sequential_routing", "priority", "pid_file", "unix_socket_dir",
	"unix_socket_mode", "locks_dir", "log_file", "log_format", "log_to_stdout", "log_syslog",
	"log_syslog_ident", "log_syslog_facility", "log_debug", "log_config", "log_session",
	"log_query", "log_stats", "promhttp_server_port", "log_general_stats_prom",
	"log_route_stats_prom", "stats_interval", "workers", "resolvers", "readahead",
	"cache_coroutine", "nodelay", "disable_nolinger", "keepalive", "keepalive_keep_interval",
	"keepalive_probes", "keepalive_usr_timeout", "backend_connect_timeout_ms",
	"coroutine_stack_size", "system_coroutine_stack_size", "client_max", "client_max_routing",
	"server_login_retry", "hba_file", "graceful_die_on_errors", "graceful_shutdown_timeout_ms",
	"availability_zone", "enable_online_restart", "bindwith_reuseport", "max_sigterms_to_die",
	"enable_host_watcher", "smart_search_path_enquoting", "log_async", "log_queue_depth",
	"external_auth_socket_path", "cpu_affinity", "cancel_timeout_ms", "cancel_queue_timeout_ms",
	"cancel_max_inflight", "dns_cache_ttl", "cache_msg_gc_size", "virtual_transaction",
	/* odyssey.conf's own (its PERFORMANCE section) */
	"pipeline", "cache", "cache_chunk", NULL,
};
static const char *const ody_blocks[] = {
	"listen", "storage", "database", "ldap_endpoint", "shared_pool", "soft_oom",
	"online_restart_drop_options", "conn_drop_options", NULL,
};
static const char *const ody_storage_keys[] = {
	"type", "host", "port", "tls", "tls_ca_file", "tls_key_file", "tls_cert_file", "tls_protocols",
	"endpoints_status_poll_interval", "server_max_routing", "balancing", "watchdog", NULL,
};
static const char *const ody_route_keys[] = {
	"authentication", "password", "auth_common_name", "auth_query", "auth_query_db",
	"auth_query_user", "auth_pam_service", "client_max", "storage", "storage_db", "storage_user",
	"storage_password", "ldap_storage_credentials", "ldap_storage_credentials_attr",
	"ldap_endpoint_name", "ldap_pool_size", "ldap_pool_timeout", "ldap_pool_ttl",
	"password_passthrough", "pool", "pool_size", "min_pool_size", "pool_timeout", "pool_ttl",
	"pool_discard", "pool_smart_discard", "pool_discard_query", "pool_discard_string",
	"pool_cancel", "pool_rollback", "client_fwd_error", "application_name_add_host",
	"reserve_session_server_connection", "server_lifetime", "server_drop_on_cached_plan_error",
	"pool_client_idle_timeout", "pool_idle_in_transaction_timeout", "pool_notice_after_waiting_ms",
	"pool_reserve_prepared_statement", "pool_pin_on_listen", "log_debug", "group_checker_interval",
	"maintain_params", "target_session_attrs", "quantiles", "catchup_timeout", "catchup_checks",
	"role", "client_show_id", "pool_routing", "pool_reset_timeout_ms", "auth_module",
	"enable_mdb_iamproxy_auth", "mdb_iamproxy_socket_path", "log_query", "options",
	"backend_startup_options", "group", "group_query", "group_query_user", "group_query_db",
	"shared_pool", "watchdog_lag_query", "watchdog_lag_interval", NULL,
};

/* Odyssey keeps pool_size, client_max and port in an int (sources/rules.h) */
#define ODY_INT_MAX INT_MAX

/* One block of a section: its keyword and its names, as written. */
struct oa_comp {
	const char *kw, *names;
	size_t kwn, namesn;
};

struct oa_storage {
	const char *names; /* `"postgres_server"`, as written */
	struct pos pos;
	const struct config_setting *type, *host, *port;
};

/* A route (a user block, or a storage's watchdog) and a shared pool. */
struct oa_route {
	const char *section;
	const char *shown; /* 'db.user' */
	struct pos pos;
	const struct config_setting *storage, *pool, *pool_size, *client_max, *shared_pool;
};

struct oa_conf {
	struct oa_storage *storages;
	size_t nstorages, capstorages;
	struct oa_route *routes;
	size_t nroutes, caproutes;
	struct oa_route *shared; /* only .section, .shown, .pos, .pool_size used */
	size_t nshared, capshared;
	const struct config_setting *client_max; /* the global one */
};

static bool oa_in(const char *const *keys, const char *k)
{
	for (; *keys; keys++)
		if (strcmp(*keys, k) == 0)
			return true;
	return false;
}

/* The length of s's next part up to stop (or its end), quotes and their escapes kept whole. */
static size_t oa_span(const char *s, char stop)
{
	size_t i = 0;

	while (s[i] && s[i] != stop) {
		if (s[i] == '"') {
			for (i++; s[i] && s[i] != '"'; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (!s[i])
				break;
		}
		i++;
	}
	return i;
}

/* Split section into at most n blocks; returns how many it has. */
static size_t oa_split(const char *section, struct oa_comp *c, size_t n)
{
	size_t k = 0;

	while (*section && k < n + 1) {
		size_t len = oa_span(section, '.'), kw = oa_span(section, ' ');

		if (k < n) {
			c[k].kw = section;
			c[k].kwn = kw < len ? kw : len;
			c[k].names = section + c[k].kwn + (kw < len);
			c[k].namesn = kw < len ? len - kw - 1 : 0;
		}
		k++;
		section += len + (section[len] == '.');
	}
	return k;
}

static bool oa_comp_is(const struct oa_comp *c, const char *kw)
{
	return c->kwn == strlen(kw) && strncmp(c->kw, kw, c->kwn) == 0;
}

/* A name as shown in a message: its first name without quotes (escapes kept). */
static const char *oa_shown(struct arena *a, const char *names, size_t n)
{
	size_t len = oa_span(names, ' ');

	if (len > n)
		len = n;
	if (len >= 2 && names[0] == '"')
		return str_clip(arena_strndup(a, names + 1, len - 2));
	return str_clip(arena_strndup(a, names, len));
}

/* A string setting's text (quotes removed), or NULL when it is not a string. */
static const char *oa_string(struct arena *a, const struct config_setting *s)
{
	size_t n = strlen(s->value);

	if (n < 2 || s->value[0] != '"')
		return NULL;
	return arena_strndup(a, s->value + 1, n - 2);
}

/* A number setting as Odyssey's parser reads it (a size suffix multiplies), in 0 .. max. */
static bool oa_number(const struct config_setting *s, uint64_t max, uint64_t *out)
{
	const char *p = s->value;
	uint64_t v = 0, mult = 1;

	if (!(*p >= '0' && *p <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if (!u64_mul(v, 10, &v) || !u64_add(v, (uint64_t)(*p - '0'), &v) || v > max)
			return false;
	if (*p == 'k' || *p == 'K')
		mult = 1024, p++;
	else if (*p == 'm' || *p == 'M')
		mult = 1024 * 1024, p++;
	else if (*p == 'g' || *p == 'G')
		mult = 1024 * 1024 * 1024, p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p || !u64_mul(v, mult, &v) || v > max)
		return false;
	*out = v;
	return true;
}

static void oa_warn(struct topology *t, const struct config_setting *s, const char *what)
{
	config_add_warning(t, s->pos, arena_printf(&t->arena, "unknown key \"%s\"%s: Odyssey's "
						    "documentation does not name it (a misspelling?)",
						    str_clip(s->name), what));
}

/* The route of section (created at pos when new). */
static struct oa_route *oa_route(struct arena *a, struct oa_route **v, size_t *n, size_t *cap,
				 const char *section, const char *shown, struct pos pos)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].section, section) == 0)
			return &(*v)[i];
	xgrow(v, cap, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].section = section;
	(*v)[*n].shown = arena_strdup(a, shown);
	(*v)[*n].pos = pos;
	return &(*v)[(*n)++];
}

static struct oa_storage *oa_storage(struct oa_conf *c, const char *names, size_t n, struct pos pos)
{
	size_t i;

	for (i = 0; i < c->nstorages; i++)
		if (strlen(c->storages[i].names) == n && strncmp(c->storages[i].names, names, n) == 0)
			return &c->storages[i];
	xgrow(&c->storages, &c->capstorages, c->nstorages + 1, sizeof(*c->storages));
	memset(&c->storages[c->nstorages], 0, sizeof(*c->storages));
	c->storages[c->nstorages].names = names;
	c->storages[c->nstorages].pos = pos;
	return &c->storages[c->nstorages++];
}

/* Where a setting the budget needs is kept: its key and its field in a struct. */
struct oa_field {
	const char *key;
	size_t off;
};
static const struct oa_field oa_route_fields[] = {
	{ "storage", offsetof(struct oa_route, storage) },
	{ "pool", offsetof(struct oa_route, pool) },
	{ "pool_size", offsetof(struct oa_route, pool_size) },
	{ "client_max", offsetof(struct oa_route, client_max) },
	{ "shared_pool", offsetof(struct oa_route, shared_pool) },
	{ NULL, 0 },
};
static const struct oa_field oa_storage_fields[] = {
	{ "type", offsetof(struct oa_storage, type) },
	{ "host", offsetof(struct oa_storage, host) },
	{ "port", offsetof(struct oa_storage, port) },
	{ NULL, 0 },
};

/* Keep s in the field of base that fields names for its key, if any. */
static void oa_keep(const struct oa_field *fields, void *base, const struct config_setting *s)
{
	for (; fields->key; fields++)
		if (strcmp(fields->key, s->name) == 0)
			*(const struct config_setting **)(void *)((char *)base + fields->off) = s;
}

/* Record a route's setting s (its keys checked against the documented ones). */
static void oa_route_key(struct topology *t, struct oa_route *r, const struct config_setting *s)
{
	if (strcmp(s->name, "{") == 0)
		return;
	if (!oa_in(ody_route_keys, s->name))
		oa_warn(t, s, arena_printf(&t->arena, " in route '%s'", r->shown));
	else
		oa_keep(oa_route_fields, r, s);
}

/* Is block c's keyword one of keys? */
static bool oa_comp_in(const char *const *keys, const struct oa_comp *c)
{
	for (; *keys; keys++)
		if (oa_comp_is(c, *keys))
			return true;
	return false;
}

/* A setting of storage block b (n blocks deep); a watchdog is a route of its own. */
static void oa_storage_key(struct topology *t, struct oa_conf *c, const struct config_setting *s,
			   const struct oa_comp *b, size_t n)
{
	struct arena *a = &t->arena;
	struct oa_storage *st = oa_storage(c, b[0].names, b[0].namesn, s->pos);
	const char *shown = oa_shown(a, b[0].names, b[0].namesn);

	if (n == 2 && oa_comp_is(&b[1], "watchdog"))
		oa_route_key(t, oa_route(a, &c->routes, &c->nroutes, &c->caproutes, s->section,
					 arena_printf(a, "watchdog of storage %s", shown), s->pos), s);
	if (n != 1 || strcmp(s->name, "{") == 0)
		return;
	if (!oa_in(ody_storage_keys, s->name))
		oa_warn(t, s, arena_printf(a, " in storage '%s'", shown));
	else
		oa_keep(oa_storage_fields, st, s);
}

/* A setting of database block b (n blocks deep): its user blocks are routes. */
static void oa_database_key(struct topology *t, struct oa_conf *c, const struct config_setting *s,
			    const struct oa_comp *b, size_t n)
{
	struct arena *a = &t->arena;
	const char *shown = oa_shown(a, b[0].names, b[0].namesn);
	bool open = strcmp(s->name, "{") == 0;

	if (n == 1 && !open)
		oa_warn(t, s, arena_printf(a, " in database '%s' (it holds user blocks)", shown));
	if (n != 2)
		return;
	if (!oa_comp_is(&b[1], "user")) {
		if (open)
			config_add_warning(t, s->pos, arena_printf(a, "unknown block \"%s\" in database "
				"'%s': Odyssey's documentation names only user blocks there",
				str_clip(arena_strndup(a, b[1].kw, b[1].kwn)), shown));
		return;
	}
	shown = arena_printf(a, "%s.%s", shown, oa_shown(a, b[1].names, b[1].namesn));
	oa_route_key(t, oa_route(a, &c->routes, &c->nroutes, &c->caproutes, s->section, shown, s->pos), s);
}

/* Sort f's settings into c; unknown keys become warnings. Returns 0 or -1. */
static int oa_collect(struct topology *t, const struct config_file *f, struct oa_conf *c, char **err)
{
	static const char *const named[] = { "storage", "database", "shared_pool", "user", NULL };
	struct arena *a = &t->arena;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		struct oa_comp b[3];
		size_t n = oa_split(s->section, b, 3);
		bool open = strcmp(s->name, "{") == 0;

		if (n == 0) {
			if (!oa_in(ody_global_keys, s->name))
				oa_warn(t, s, "");
			else if (strcmp(s->name, "client_max") == 0)
				c->client_max = s;
			continue;
		}
		/* `storage {`, `database {`, `user {`: Odyssey wants a name or default */
		if (open && n <= 2 && oa_comp_in(named, &b[n - 1]) && !b[n - 1].namesn &&
		    (n == 1 || oa_comp_is(&b[0], "database")))
			return config_fail_at(err, s->pos, "%.*s: the block needs a name (\"name\" or "
					      "default; Odyssey refuses to start)", (int)b[n - 1].kwn, b[n - 1].kw);
		if (oa_comp_is(&b[0], "storage")) {
			oa_storage_key(t, c, s, b, n);
		} else if (oa_comp_is(&b[0], "database")) {
			oa_database_key(t, c, s, b, n);
		} else if (oa_comp_is(&b[0], "shared_pool")) {
			struct oa_route *sp = oa_route(a, &c->shared, &c->nshared, &c->capshared,
						       arena_strndup(a, b[0].names, b[0].namesn),
						       oa_shown(a, b[0].names, b[0].namesn), s->pos);
			if (n == 1 && strcmp(s->name, "pool_size") == 0)
				sp->pool_size = s;
		} else if (n == 1 && open && !oa_comp_in(ody_blocks, &b[0])) {
			config_add_warning(t, s->pos, arena_printf(a, "unknown block \"%s\": Odyssey's "
				"documentation does not name it (a misspelling?)",
				str_clip(arena_strndup(a, b[0].kw, b[0].kwn))));
		}
	}
	return 0;
}

/* *out from number setting s in 0 .. max, or an error at it naming what. */
static int oa_want_number(const struct config_setting *s, uint64_t max, const char *what, uint64_t *out,
			  char **err)
{
	if (oa_number(s, max, out))
		return 0;
	return config_fail_at(err, s->pos, "%s: expected an integer from 0 to %" PRIu64 " (Odyssey "
			      "refuses to start)", what, max);
}

/* Check c as Odyssey's rules validation would; 0 or -1 with *err. */
static int oa_validate(struct topology *t, struct oa_conf *c, const char *path, char **err)
{
	struct arena *a = &t->arena;
	uint64_t v;
	size_t i, j;

	for (i = 0; i < c->nstorages; i++) {
		const struct oa_storage *st = &c->storages[i];
		/* a storage without type counts as remote: it may open connections */
		const char *type = st->type ? oa_string(a, st->type) : "remote";
		const char *shown = oa_shown(a, st->names, strlen(st->names));

		if (!type || (strcmp(type, "remote") != 0 && strcmp(type, "local") != 0))
			return config_fail_at(err, st->type->pos, "storage '%s': unknown storage type "
					      "(\"remote\" or \"local\"; Odyssey refuses to start)", shown);
		if (st->port && oa_want_number(st->port, 65535, arena_printf(a, "storage '%s': port",
									      shown), &v, err) != 0)
			return -1;
		if (st->host && !oa_string(a, st->host))
			return config_fail_at(err, st->host->pos, "storage '%s': host: expected a string in "
					      "quotes (Odyssey refuses to start)", shown);
	}
	for (i = 0; i < c->nshared; i++) {
		const struct oa_route *sp = &c->shared[i];

		/* shared-pools.md: "Must be positive integer" */
		if (!sp->pool_size || !oa_number(sp->pool_size, ODY_INT_MAX, &v) || v == 0)
			return config_fail_at(err, sp->pool_size ? sp->pool_size->pos : sp->pos, "shared_pool "
					      "'%s': pool_size must be a positive integer (Odyssey refuses to "
					      "start)", sp->shown);
	}
	if (c->client_max && oa_want_number(c->client_max, ODY_INT_MAX, "client_max", &v, err) != 0)
		return -1;
	if (c->nroutes == 0)
		return config_fail_at(err, pos_make(path, 1, 1), "no rules defined in '%s': no database "
				      "block has a user block (Odyssey refuses to start)", path);
	for (i = 0; i < c->nroutes; i++) {
		const struct oa_route *r = &c->routes[i];
		const char *name, *mode;

		if (!r->storage)
			return config_fail_at(err, r->pos, "rule '%s': no rule storage is specified (Odyssey "
					      "refuses to start)", r->shown);
		name = oa_string(a, r->storage);
		for (j = 0; name && j < c->nstorages; j++)
			if (strcmp(c->storages[j].names, r->storage->value) == 0)
				break;
		if (!name || j == c->nstorages)
			return config_fail_at(err, r->storage->pos, "rule '%s': no rule storage %s%s%s found "
					      "(Odyssey refuses to start)", r->shown, name ? "'" : "",
					      name ? str_clip(name) : "of that name", name ? "'" : "");
		if (!r->pool)
			return config_fail_at(err, r->pos, "rule '%s': pooling mode is not set (Odyssey "
					      "refuses to start)", r->shown);
		mode = oa_string(a, r->pool);
		if (!mode || (strcmp(mode, "session") != 0 && strcmp(mode, "transaction") != 0 &&
			      strcmp(mode, "statement") != 0))
			return config_fail_at(err, r->pool->pos, "rule '%s': unknown pooling mode "
					      "(\"session\", \"transaction\" or \"statement\"; Odyssey refuses "
					      "to start)", r->shown);
		if (r->pool_size && oa_want_number(r->pool_size, ODY_INT_MAX, arena_printf(a, "rule '%s': "
						   "pool_size", r->shown), &v, err) != 0)
			return -1;
		if (r->client_max && oa_want_number(r->client_max, ODY_INT_MAX, arena_printf(a, "rule "
						    "'%s': client_max", r->shown), &v, err) != 0)
			return -1;
		if (r->shared_pool) {
			for (j = 0; j < c->nshared; j++)
				if (strcmp(c->shared[j].section, r->shared_pool->value) == 0)
					break;
			if (j == c->nshared)
				return config_fail_at(err, r->shared_pool->pos, "rule '%s': unknown shared_pool "
						      "(Odyssey refuses to start)", r->shown);
		}
	}
	return 0;
}

/*
 * Does storage st have an endpoint at host:port (host NULL: any)? Its
 * host holds endpoints separated by ',', each `host`, `host:port`,
 * `[host]:port` or `tcp://...` (a `unix://` one is no TCP endpoint); one
 * without a port takes the storage's port (storage.md, odyssey.conf).
 */
static bool oa_points_at(struct arena *a, const struct oa_storage *st, const char *host, uint64_t port)
{
	const char *h = st->host ? oa_string(a, st->host) : NULL;
	uint64_t dflt = 0, p;

	if (st->port)
		(void)oa_number(st->port, 65535, &dflt);
	if (!h || !*h) /* a Unix socket in unix_socket_dir */
		return !host && dflt == port;
	while (*h) {
		size_t n = strcspn(h, ","), hn;
		const char *e = h, *colon;

		if (n >= 6 && strncmp(e, "tcp://", 6) == 0)
			e += 6;
		hn = n - (size_t)(e - h);
		if (!(n >= 7 && strncmp(h, "unix://", 7) == 0)) {
			const char *name = e;
			size_t namen;

			if (*e == '[') {
				const char *close = memchr(e, ']', hn);
				name = e + 1;
				namen = close ? (size_t)(close - name) : hn - 1;
				colon = close && close + 1 < e + hn && close[1] == ':' ? close + 1 : NULL;
			} else {
				colon = memchr(e, ':', hn);
				namen = colon ? (size_t)(colon - e) : hn;
			}
			p = dflt;
			if (colon) {
				struct config_setting ps = { 0 };
				ps.value = arena_strndup(a, colon + 1, (size_t)(e + hn - colon - 1));
				if (!oa_number(&ps, 65535, &p))
					p = 0;
			}
			if (p == port && (!host || (strlen(host) == namen && strncasecmp(host, name, namen) == 0)))
				return true;
		}
		h += n + (h[n] == ',');
	}
	return false;
}

static void oa_conf_release(struct oa_conf *c)
{
	free(c->storages);
	free(c->routes);
	free(c->shared);
}

int config_apply_odyssey(struct topology *t, struct pooler *p, const struct config_file *f,
			 const char *path, char **err)
{
	static const char *const modes[] = { "session", "transaction", "statement" }; /* enum pool_mode */
	struct oa_conf c = { 0 };
	struct config_target to;
	uint64_t sum = 0, clients = 0, v;
	bool *counted = NULL, unlimited_clients = false;
	struct pos unlimited = { 0 };
	size_t i, j, on = 0;
	int rc;

	rc = oa_collect(t, f, &c, err) == 0 && oa_validate(t, &c, path, err) == 0 ? 0 : -1;
	if (rc != 0 || !config_target(t, p, &to))
		goto out; /* an unknown database is load_validate's to report */
	counted = xcalloc(c.nshared + 1, sizeof(*counted));
	for (i = 0; i < c.nroutes; i++) {
		const struct oa_route *r = &c.routes[i];
		const char *mode = oa_string(&t->arena, r->pool);
		const struct oa_storage *st = NULL;
		const struct config_setting *size = r->pool_size;

		for (j = 0; j < c.nstorages; j++)
			if (strcmp(c.storages[j].names, r->storage->value) == 0)
				st = &c.storages[j];
		assert(st); /* oa_validate found it */
		if ((st->type && strcmp(st->type->value, "\"local\"") == 0) ||
		    !oa_points_at(&t->arena, st, to.host, to.port))
			continue;
		on++;
		/* the pool mode that breaks most: statement > transaction > session */
		for (j = 0; j < 3; j++)
			if (strcmp(mode, modes[j]) == 0 && (!VALUE_SET(p->odyssey_pool_mode) || j > p->odyssey_pool_mode.v)) {
				p->odyssey_pool_mode.v = j;
				p->odyssey_pool_mode.pos = r->pool->pos;
			}
		if (r->shared_pool) {
			for (j = 0; j < c.nshared; j++)
				if (strcmp(c.shared[j].section, r->shared_pool->value) == 0)
					break;
			if (counted[j])
				size = NULL;
			else
				size = c.shared[j].pool_size;
			counted[j] = true;
			if (!size)
				goto clients;
		}
		/* rules.md: pool_size 0 (its default) = unlimited */
		if (!size || (oa_number(size, ODY_INT_MAX, &v) && v == 0)) {
			if (!unlimited.line)
				unlimited = size ? size->pos : r->pos;
		} else if (oa_number(size, ODY_INT_MAX, &v)) {
			sum += v; /* at most 10000 routes of INT_MAX each */
		}
clients:
		if (!r->client_max || (oa_number(r->client_max, ODY_INT_MAX, &v) && v == 0))
			unlimited_clients = true;
		else if (oa_number(r->client_max, ODY_INT_MAX, &v))
			clients += v;
	}
	if (on == 0) {
		rc = config_fail_unreached(err, p, path, &to, "route's storage", "a storage");
		goto out;
	}
	if (unlimited.line) {
		p->odyssey_unlimited = unlimited;
	} else {
		p->odyssey_pool_sum.v = sum;
		p->odyssey_pool_sum.pos = p->config.pos;
	}
	/* the global client_max bounds every route's clients together */
	if (c.client_max && oa_number(c.client_max, ODY_INT_MAX, &v) && v > 0 &&
	    (unlimited_clients || v < clients)) {
		clients = v;
		unlimited_clients = false;
	}
	if (!unlimited_clients) {
		p->odyssey_client_max.v = clients;
		p->odyssey_client_max.pos = p->config.pos;
	}
out:
	free(counted);
	oa_conf_release(&c);
	return rc;
}
