/*
 * budget.c - the arithmetic of docs/model.md: model → figures.
 *
 * Every count is a uint64_t and every sum and product goes through the
 * checked helpers of util.h: a figure that would overflow is an input error
 * naming the object, never a wrapped number. Defaults are derived here and
 * nowhere else (framework table, PostgreSQL's and PgBouncer's own).
 */
#include "budget.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo.h"
#include "framework.h"
#include "rds.h"
#include "catalog.h"
#include "util.h"

/* Where an overflow is reported: the object's key and a dotted path. */
struct calc {
	const struct topology *t;
	char **err;
	int failed;
};

/*
 * Record an overflow at pos (first one wins) and return false. section and
 * id name the object ("clients", "api"), what the figure that overflowed.
 */
static bool overflow(struct calc *c, struct pos pos, const char *section, const char *id,
		     const char *what)
{
	if (!c->failed && c->err)
		*c->err = xasprintf("%s:%u:%u: error: %s.%s: %s overflows 64 bits",
				    pos_file(pos), pos.line, pos.col, section, id, what);
	c->failed = 1;
	return false;
}

static void collect_pooled(const struct topology *t, struct budget *b);

static uint64_t num_or(const struct num *n, uint64_t def)
{
	return VALUE_SET(*n) ? n->v : def;
}

/*
 * ceil(rate × hold_ms × spike_pct / 100 / 1000): connections in flight by
 * Little's law. Floating error below 1e-9 is rounded away first, so 30/s ×
 * 750 ms is exactly 22.5 → 23 and 300/s × 750 ms is exactly 225.
 * Returns false when the figure does not fit in 2^63.
 */
static bool littles_law(double rate, uint64_t hold_ms, uint64_t spike_pct, uint64_t *out)
{
	double v = rate * (double)hold_ms * (double)spike_pct / 100000.0;
	double r = round_even(v);

	if (!(v >= 0) || v > 9.2e18)
		return false;
	if (fabs(v - r) <= 1e-9 * (v > 1 ? v : 1))
		v = r;
	*out = (uint64_t)ceil(v);
	return true;
}

/* The pool of one process, after framework defaults (docs/model.md). */
static bool client_pool(struct calc *c, const struct client *cl, struct client_fig *f)
{
	const struct framework *fw = cl->framework.s ? &framework_table[cl->framework_index] : NULL;
	const struct client_cold *cc = client_cold(cl);
	uint64_t cpus = num_or(&cl->cpus, 0);
	uint64_t size = 0;

	if (VALUE_SET(cl->pool.size)) {
		size = cl->pool.size.v;
		f->pool_unbounded = size == 0; /* size 0 means unlimited */
	} else if (model_pool_unknown(cl)) {
		f->pool_unknown = true; /* counted as 0, its sums marked lower bounds */
	} else if (fw) {
		switch (fw->size_kind) {
		case FW_SIZE_FIXED:
			size = fw->size;
			break;
		case FW_SIZE_CPUS_2X_1:
			if (!u64_mul(cpus, 2, &size) || !u64_add(size, 1, &size))
				return overflow(c, cl->cpus.pos, "clients", cl->id.s, "cpus x 2 + 1");
			break;
		case FW_SIZE_MAX_4_CPUS:
			size = u64_max(fw->size, cpus);
			break;
		case FW_SIZE_THREADS:
			size = num_or(&cl->threads, fw->size);
			break;
		case FW_SIZE_UNBOUNDED:
			f->pool_unbounded = true;
			break;
		}
	}
	f->pool_size = size;
	f->pool_overflow = num_or(&cc->pool_overflow, fw ? fw->overflow : 0);
	f->pool_count = num_or(&cc->pool_count, 1);
	f->extra = num_or(&cc->extra_connections, 0);

	if (VALUE_SET(cl->pool.acquire_timeout)) {
		f->acquire_timeout_ms = cl->pool.acquire_timeout.v;
		f->has_acquire_timeout = cl->pool.acquire_timeout.v > 0; /* 0 = disabled */
	} else if (fw && fw->timeout_kind == FW_TIMEOUT_MS) {
		f->acquire_timeout_ms = fw->acquire_timeout_ms;
		f->has_acquire_timeout = true;
	} else if (fw && fw->timeout_kind == FW_TIMEOUT_NA) {
		f->acquire_timeout_na = true;
	}

	if (!u64_add(f->pool_size, f->pool_overflow, &f->per_pool) ||
	    !u64_mul(f->pool_count, f->per_pool, &f->per_process) ||
	    !u64_add(f->per_process, f->extra, &f->per_process))
		return overflow(c, cl->pool.pos.line ? cl->pool.pos : cl->id.pos, "clients", cl->id.s,
				"pool.count x (pool.size + pool.overflow) + extra_connections");
	return true;
}

/* Instances and connections of one client (docs/model.md "Per client"). */
static bool client_figures(struct calc *c, const struct client *cl, uint64_t spike_pct,
			   struct client_fig *f)
{
	const struct client_cold *cc = client_cold(cl);
	uint64_t per_instance;

	if (!client_pool(c, cl, f))
		return false;
	f->database = model_client_database(c->t, cl);

	if (VALUE_SET(cc->load.rate) && VALUE_SET(cc->load.hold)) {
		if (!littles_law(cc->load.rate.v, cc->load.hold.v, spike_pct, &f->needed))
			return overflow(c, cc->load.pos, "clients", cl->id.s, "load.rate x load.hold");
		f->has_needed = true;
	}

	if (cl->type.v == CLIENT_SERVERLESS) {
		f->max_concurrency = num_or(&cl->max_concurrency, LAMBDA_DEFAULT_CONCURRENCY);
		f->concurrency_assumed = !VALUE_SET(cl->max_concurrency);
		if (VALUE_SET(cc->concurrency))
			f->concurrency = cc->concurrency.v;
		else if (f->has_needed)
			f->concurrency = u64_min(f->max_concurrency, f->needed);
		else
			f->concurrency = f->max_concurrency;
		f->replicas = f->max_replicas = f->peak_instances = 0;
		f->processes = 1;
		if (!u64_mul(f->concurrency, f->per_process, &f->conn.steady) ||
		    !u64_mul(f->max_concurrency, f->per_process, &f->conn.peak))
			return overflow(c, cl->id.pos, "clients", cl->id.s,
					"max_concurrency x connections per instance");
	} else {
		f->replicas = num_or(&cl->replicas, 1);
		f->max_replicas = num_or(&cl->max_replicas, f->replicas);
		f->processes = num_or(&cl->processes, 1);
		if (cl->surge_percent) {
			if (!u64_mul_div_ceil(f->max_replicas, cl->surge.v, 100, &f->surge))
				return overflow(c, cl->surge.pos, "clients", cl->id.s, "surge");
		} else {
			f->surge = num_or(&cl->surge, 0);
		}
		if (!u64_add(f->max_replicas, f->surge, &f->peak_instances) ||
		    !u64_mul(f->processes, f->per_process, &per_instance) ||
		    !u64_mul(f->replicas, per_instance, &f->conn.steady) ||
		    !u64_mul(f->peak_instances, per_instance, &f->conn.peak))
			return overflow(c, cl->id.pos, "clients", cl->id.s,
					"replicas x processes x connections per process");
	}
	if (f->pool_unbounded) {
		f->conn.unbounded = true;
		f->conn.steady = f->conn.peak = 0;
	}
	f->conn.unknown = f->pool_unknown;
	return true;
}

/* Add a to *sum; an unbounded term makes the sum unbounded. */
static bool amount_add(struct amount *sum, const struct amount *a)
{
	if (a->unknown || a->lower_bound)
		sum->lower_bound = true;
	if (a->unbounded) {
		sum->unbounded = true;
		return true;
	}
	return u64_add(sum->steady, a->steady, &sum->steady) &&
	       u64_add(sum->peak, a->peak, &sum->peak);
}

static uint64_t db_max_connections(const struct database *d)
{
	const struct catalog_row *row;

	if (VALUE_SET(d->max_connections))
		return d->max_connections.v;
	if (VALUE_SET(d->max_acu))
		return aurora_serverless_max_connections(VALUE_SET(d->min_acu) ? d->min_acu.v : 0, d->max_acu.v);
	row = d->instance.s ? catalog_find(d->provider.s, d->instance.s) : NULL;
	return row ? row->max_connections : 0;
}

/*
 * The provider's row of the database's instance (catalog.h), when it keeps
 * connections for itself; NULL otherwise. Its reserved figure is every slot
 * a user cannot have, superuser slots included (Azure: "max user
 * connections" = max_connections - 15), so it stands in for both of
 * PostgreSQL's defaults.
 */
static const struct catalog_row *db_provider_reserves(const struct database *d)
{
	const struct catalog_row *row = d->instance.s ? catalog_find(d->provider.s, d->instance.s) : NULL;

	return row && row->reserved ? row : NULL;
}

/* The port a pooler listens on: its own, else its type's default. */
uint64_t budget_pooler_port(const struct pooler *p)
{
	if (VALUE_SET(p->port))
		return p->port.v;
	/* RDS Proxy endpoints listen on the engine's port; PgCat and Odyssey
	 * samples (pgcat.toml, odyssey.conf's listen) on PgBouncer's 6432. */
	if (p->type.v == POOLER_PGPOOL)
		return PGPOOL_DEFAULT_PORT;
	/* Supavisor: 6543 in transaction mode, 5432 in session mode */
	if (p->type.v == POOLER_SUPAVISOR)
		return VALUE_SET(p->pool_mode) && p->pool_mode.v == POOL_TRANSACTION ? SUPAVISOR_TRANSACTION_PORT
										     : PG_DEFAULT_PORT;
	return p->type.v == POOLER_RDS_PROXY ? PG_DEFAULT_PORT : PGBOUNCER_DEFAULT_PORT;
}

/* Settings and cap of one pooler (docs/model.md "Per pooler"); demand comes later. */
static bool pooler_settings(struct calc *c, const struct pooler *p, struct pooler_fig *f)
{
	const struct database *d = &c->t->databases[p->db];

	f->instances = f->instances_steady = num_or(&p->instances, 1);
	/* a rolling deploy of the pooler itself: old and new pods hold their pools */
	if (VALUE_SET(p->instances_peak) && p->instances_peak.v > f->instances)
		f->instances = p->instances_peak.v;
	f->pool_mode = (enum pool_mode)num_or(&p->pool_mode, POOL_SESSION);
	if (p->type.v == POOLER_RDS_PROXY) {
		f->max_connections_percent = num_or(&p->max_connections_percent,
						    RDS_PROXY_DEFAULT_MAX_CONN_PERCENT);
		if (!u64_mul(db_max_connections(d), f->max_connections_percent, &f->cap))
			return overflow(c, p->id.pos, "poolers", p->id.s,
					"max_connections x max_connections_percent");
		f->cap /= 100;
		return true;
	}
	if (p->type.v == POOLER_PGPOOL) {
		/* docs/poolers.md "pgpool-II": each child serves one client at a
		 * time and caches up to max_pool backend connections */
		f->num_init_children = num_or(&p->num_init_children, PGPOOL_DEFAULT_NUM_INIT_CHILDREN);
		f->max_pool = num_or(&p->max_pool, PGPOOL_DEFAULT_MAX_POOL);
		if (!u64_mul(f->instances, f->num_init_children, &f->cap) ||
		    !u64_mul(f->cap, f->max_pool, &f->cap))
			return overflow(c, p->id.pos, "poolers", p->id.s, "num_init_children x max_pool");
		/* connection-settings.sgml (reserved_connections): with it set,
		 * a client beyond num_init_children - reserved_connections is
		 * refused ("Sorry, too many clients already"); without it, one
		 * beyond num_init_children waits in the listen queue */
		f->reserved_connections = num_or(&p->reserved_connections, 0);
		f->client_limit = f->num_init_children > f->reserved_connections ?
					  f->num_init_children - f->reserved_connections : 0;
		if (!u64_mul(f->instances_steady, f->client_limit, &f->client_limit))
			return overflow(c, p->id.pos, "poolers", p->id.s, "instances x num_init_children");
		f->has_client_limit = true;
		return true;
	}
	if (p->type.v == POOLER_PGCAT) {
		/* docs/poolers.md "PgCat": every server entry opens pool_size
		 * connections per user; no client limit is known; the pool mode
		 * is the topology's or the file's (config_apply_pgcat) */
		f->pool_mode = (enum pool_mode)num_or(&p->pool_mode, PGCAT_DEFAULT_POOL_MODE);
		if (!u64_mul(f->instances, num_or(&p->pgcat_pool_sum, 0), &f->cap))
			return overflow(c, p->id.pos, "poolers", p->id.s, "instances x pool_size");
		return true;
	}
	if (p->type.v == POOLER_ODYSSEY) {
		/* docs/poolers.md "Odyssey": each route's pool_size, 0 = no limit;
		 * each route's client_max, 0 or none = no limit */
		f->pool_mode = (enum pool_mode)num_or(&p->odyssey_pool_mode, POOL_SESSION);
		f->cap_unbounded = p->odyssey_unlimited.line != 0;
		f->unbounded_pos = p->odyssey_unlimited;
		if (!f->cap_unbounded && !u64_mul(f->instances, num_or(&p->odyssey_pool_sum, 0), &f->cap))
			return overflow(c, p->id.pos, "poolers", p->id.s, "instances x pool_size");
		f->has_client_limit = VALUE_SET(p->odyssey_client_max);
		if (f->has_client_limit &&
		    !u64_mul(f->instances_steady, p->odyssey_client_max.v, &f->client_limit))
			return overflow(c, p->id.pos, "poolers", p->id.s, "instances x client_max");
		return true;
	}
	if (p->type.v == POOLER_SUPAVISOR) {
		/* docs/poolers.md "Supavisor": one pool of default_pool_size per
		 * (database, role), held by one node of the cluster whatever the
		 * number of nodes; default_max_clients the tenant's client limit */
		f->instances = f->instances_steady = 1;
		f->default_pool_size = num_or(&p->default_pool_size, 0);
		f->users = p->users.n ? p->users.n : 1;
		if (!u64_mul(f->users, f->default_pool_size, &f->cap))
			return overflow(c, p->id.pos, "poolers", p->id.s, "users x default_pool_size");
		f->has_client_limit = VALUE_SET(p->default_max_clients);
		f->client_limit = num_or(&p->default_max_clients, 0);
		return true;
	}
	f->default_pool_size = num_or(&p->default_pool_size, PGBOUNCER_DEFAULT_POOL_SIZE);
	/* type: managed on Neon (catalog.c): pools of 90% of the compute's
	 * max_connections, rounded down, unless the topology sizes them */
	if (p->managed && p->managed->pool_percent && !VALUE_SET(p->default_pool_size)) {
		if (!u64_mul(db_max_connections(d), p->managed->pool_percent, &f->default_pool_size))
			return overflow(c, p->id.pos, "poolers", p->id.s, "max_connections x pool percent");
		f->default_pool_size /= 100;
	}
	f->reserve_pool_size = num_or(&p->reserve_pool_size, PGBOUNCER_DEFAULT_RESERVE_POOL);
	f->max_client_conn = num_or(&p->max_client_conn, PGBOUNCER_DEFAULT_MAX_CLIENT_CONN);
	f->max_db_connections = num_or(&p->max_db_connections, PGBOUNCER_DEFAULT_MAX_DB_CONNECTIONS);
	f->users = p->users.n ? p->users.n : 1;
	f->has_client_limit = true;
	if (!u64_mul(f->instances_steady, f->max_client_conn, &f->client_limit))
		return overflow(c, p->id.pos, "poolers", p->id.s, "instances x max_client_conn");
	return true; /* the cap comes with the pools (pooler_pools) */
}

/* ---- PgBouncer's pools (docs/poolers.md) --------------------------------- */

/* A capacity without limit, in the pool network below. */
#define FLOW_INF UINT64_MAX

/* a + b, FLOW_INF when either is or the sum overflows. */
static uint64_t cap_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return a == FLOW_INF || b == FLOW_INF || !u64_add(a, b, &r) ? FLOW_INF : r;
}

/* a × b for a count of instances b: FLOW_INF stays FLOW_INF; false on overflow. */
static bool cap_mul(uint64_t a, uint64_t b, uint64_t *r)
{
	if (a == FLOW_INF) {
		*r = b ? FLOW_INF : 0;
		return true;
	}
	return u64_mul(a, b, r) && *r != FLOW_INF;
}

/*
 * The pool network of one pooler: source → entry (max_db_connections) →
 * user (the pool's size + reserve) → sink (max_user_connections). Its
 * maximum flow is what the pooler can open: an entry's pools share its
 * max_db_connections, a user's pools across entries share its
 * max_user_connections. Nodes: 0 source, 1..ne entries, then nu users,
 * then the sink. Arrays malloc'd, freed by flow_release.
 */
struct flow_edge {
	size_t to, rev;
	uint64_t cap;
};
struct flow {
	struct flow_edge *e;
	size_t ne, cape;
	size_t *head_n, **adj, *adj_cap; /* per node: its edges' indices */
	size_t nodes;
};

static void flow_init(struct flow *f, size_t nodes)
{
	memset(f, 0, sizeof(*f));
	f->nodes = nodes;
	f->head_n = xcalloc(nodes, sizeof(*f->head_n));
	f->adj = xcalloc(nodes, sizeof(*f->adj));
	f->adj_cap = xcalloc(nodes, sizeof(*f->adj_cap));
}

static void flow_adj(struct flow *f, size_t node, size_t edge)
{
	xgrow(&f->adj[node], &f->adj_cap[node], f->head_n[node] + 1, sizeof(size_t));
	f->adj[node][f->head_n[node]++] = edge;
}

/* An edge from a to b of capacity cap, with its residual twin. */
static void flow_edge(struct flow *f, size_t a, size_t b, uint64_t cap)
{
	xgrow(&f->e, &f->cape, f->ne + 2, sizeof(*f->e));
	f->e[f->ne] = (struct flow_edge){ b, f->ne + 1, cap };
	f->e[f->ne + 1] = (struct flow_edge){ a, f->ne, 0 };
	flow_adj(f, a, f->ne);
	flow_adj(f, b, f->ne + 1);
	f->ne += 2;
}

static void flow_release(struct flow *f)
{
	size_t i;

	for (i = 0; i < f->nodes; i++)
		free(f->adj[i]);
	free(f->adj);
	free(f->adj_cap);
	free(f->head_n);
	free(f->e);
	memset(f, 0, sizeof(*f));
}

/*
 * The maximum flow from node 0 to the last node (Edmonds-Karp: shortest
 * augmenting paths found by breadth-first search). FLOW_INF when a path
 * of unlimited edges exists. Consumes the capacities.
 */
static uint64_t flow_max(struct flow *f)
{
	size_t sink = f->nodes - 1, *prev = xcalloc(f->nodes, sizeof(size_t));
	size_t *queue = xcalloc(f->nodes, sizeof(size_t));
	uint64_t total = 0;

	for (;;) {
		size_t qh = 0, qt = 0, v, k;
		uint64_t push = FLOW_INF;

		for (v = 0; v < f->nodes; v++)
			prev[v] = SIZE_MAX;
		prev[0] = 0;
		queue[qt++] = 0;
		while (qh < qt && prev[sink] == SIZE_MAX) {
			v = queue[qh++];
			for (k = 0; k < f->head_n[v]; k++) {
				const struct flow_edge *e = &f->e[f->adj[v][k]];
				if (e->cap && prev[e->to] == SIZE_MAX) {
					prev[e->to] = f->adj[v][k];
					queue[qt++] = e->to;
				}
			}
		}
		if (prev[sink] == SIZE_MAX)
			break;
		for (v = sink; v != 0; v = f->e[f->e[prev[v]].rev].to)
			push = u64_min(push, f->e[prev[v]].cap);
		if (push == FLOW_INF) {
			total = FLOW_INF;
			break;
		}
		for (v = sink; v != 0; v = f->e[f->e[prev[v]].rev].to) {
			struct flow_edge *e = &f->e[prev[v]];
			e->cap -= push;
			if (f->e[e->rev].cap != FLOW_INF)
				f->e[e->rev].cap += push;
		}
		total = cap_add(total, push);
		if (total == FLOW_INF)
			break;
	}
	free(prev);
	free(queue);
	return total;
}

/* The pools of one pgbouncer as they are being built. */
struct pool_build {
	const struct topology *t;
	const struct pooler *p;
	struct pooler_fig *f;
	const struct bouncer_entry *entries; /* the entries that point at the database */
	size_t nentries;
	struct bouncer_entry implicit;       /* without a file: one entry named like the database */
	const char **users;                  /* the pool users (NULL: the unnamed one) */
	size_t nusers;
	size_t nnamed;                       /* users[0..nnamed): the topology's and the urls' */
	size_t *pool_entry, *pool_user;      /* per pool: its entry and user */
	const char **client_db, **client_user; /* per pooled client: its url's dbname and user */
};

static const struct bouncer_user *bouncer_user_find(const struct bouncer_conf *bc, const char *name)
{
	size_t i;

	for (i = 0; bc && name && i < bc->nusers; i++)
		if (strcmp(bc->users[i].name, name) == 0)
			return &bc->users[i];
	return NULL;
}

/* Index of name in the build's users, adding it; NULL is the unnamed user. */
static size_t pool_user_index(struct pool_build *pb, const char *name)
{
	size_t i;

	for (i = 0; i < pb->nusers; i++)
		if ((!name && !pb->users[i]) || (name && pb->users[i] && strcmp(name, pb->users[i]) == 0))
			return i;
	pb->users = xrealloc(pb->users, (pb->nusers + 1) * sizeof(*pb->users));
	pb->users[pb->nusers] = name;
	return pb->nusers++;
}

/* A name from a url, kept by the pooler's figures. */
static const char *pool_keep_name(struct pooler_fig *f, const char *s)
{
	size_t i;

	for (i = 0; i < f->nnames; i++)
		if (strcmp(f->names[i], s) == 0)
			return f->names[i];
	f->names = xrealloc(f->names, (f->nnames + 1) * sizeof(*f->names));
	f->names[f->nnames] = xstrdup(s);
	return f->names[f->nnames++];
}

/*
 * Read the dbname and user of every pooled client's url (NULL when the
 * url or the part is absent, or the url does not parse: CB013's and
 * CB012's readers report that).
 */
static void pool_read_urls(struct pool_build *pb)
{
	struct pooler_fig *f = pb->f;
	size_t k;

	pb->client_db = xcalloc(f->nclients ? f->nclients : 1, sizeof(char *));
	pb->client_user = xcalloc(f->nclients ? f->nclients : 1, sizeof(char *));
	for (k = 0; k < f->nclients; k++) {
		const char *url = client_cold(&pb->t->clients[f->clients[k]])->url.s;
		struct conninfo ci;
		const char *db;

		if (!url || conninfo_parse(url, &ci, NULL) != 0)
			continue;
		if (ci.user && *ci.user)
			pb->client_user[k] = pool_keep_name(f, ci.user);
		db = conninfo_param(&ci, "dbname");
		if (db && *db)
			pb->client_db[k] = pool_keep_name(f, db);
		conninfo_release(&ci);
	}
}

/*
 * The pools: one per (entry, user) for every entry that points at the
 * database, one per entry with a forced user=. The users are the
 * pooler's `users:` and those its clients' urls name, or one unnamed
 * user when nothing names one. Settings as PgBouncer's pool_pool_size,
 * pool_res_pool_size and probably_wrong_pool_pool_mode take them
 * (src/server.c): the [users] entry's, else the [databases] entry's, else
 * [pgbouncer]'s. Returns false on overflow or too many pools.
 */
static bool pool_list(struct calc *c, struct pool_build *pb)
{
	const struct pooler *p = pb->p;
	const struct bouncer_conf *bc = p->bouncer;
	struct pooler_fig *f = pb->f;
	size_t i, j, k, nnamed;

	for (i = 0; i < p->users.n; i++)
		pool_user_index(pb, p->users.v[i].s);
	for (k = 0; k < f->nclients; k++)
		if (pb->client_user[k])
			pool_user_index(pb, pb->client_user[k]);
	if (!pb->nusers)
		pool_user_index(pb, NULL);
	nnamed = pb->nnamed = pb->nusers;
	for (i = 0; i < pb->nentries; i++) {
		const struct bouncer_entry *e = &pb->entries[i];
		size_t from = e->user ? pool_user_index(pb, e->user) : 0;
		size_t to = e->user ? from + 1 : nnamed;

		for (j = from; j < to; j++) {
			const struct bouncer_user *u = bouncer_user_find(bc, pb->users[j]);
			struct pool_fig *pf;

			if (f->npools >= BUDGET_MAX_POOLS)
				return overflow(c, p->id.pos, "poolers", p->id.s, "the number of pools");
			f->pools = xrealloc(f->pools, (f->npools + 1) * sizeof(*f->pools));
			pb->pool_entry = xrealloc(pb->pool_entry, (f->npools + 1) * sizeof(size_t));
			pb->pool_user = xrealloc(pb->pool_user, (f->npools + 1) * sizeof(size_t));
			pb->pool_entry[f->npools] = i;
			pb->pool_user[f->npools] = j;
			pf = &f->pools[f->npools++];
			memset(pf, 0, sizeof(*pf));
			pf->entry = e->name;
			pf->user = pb->users[j];
			if (u && VALUE_SET(u->pool_size)) {
				pf->size = u->pool_size.v;
				pf->size_pos = u->pool_size.pos;
			} else if (VALUE_SET(e->pool_size)) {
				pf->size = e->pool_size.v;
				pf->size_pos = e->pool_size.pos;
			} else {
				pf->size = f->default_pool_size;
				pf->size_pos = p->default_pool_size.pos;
			}
			pf->reserve = u && VALUE_SET(u->reserve_pool_size) ? u->reserve_pool_size.v :
				      VALUE_SET(e->reserve_pool) ? e->reserve_pool.v : f->reserve_pool_size;
			pf->mode = (enum pool_mode)(u && VALUE_SET(u->pool_mode) ? u->pool_mode.v :
						    VALUE_SET(e->pool_mode) ? e->pool_mode.v : f->pool_mode);
			pf->unbounded = pf->size == 0; /* 0 = unlimited since PgBouncer 1.24 */
			if (!pf->unbounded && (!u64_add(pf->size, pf->reserve, &pf->cap) ||
					       !u64_mul(pf->cap, f->instances, &pf->cap)))
				return overflow(c, p->id.pos, "poolers", p->id.s,
						"instances x (pool_size + reserve_pool_size)");
		}
	}
	return true;
}

/* The entry a client's pool belongs to: by its url's dbname, else by the database id, else the only one. */
static size_t pool_client_entry(const struct pool_build *pb, const char *dbname)
{
	const char *want = dbname ? dbname : pb->t->databases[pb->p->db].id.s;
	size_t i, star = SIZE_MAX;

	for (i = 0; i < pb->nentries; i++) {
		if (strcmp(pb->entries[i].name, want) == 0)
			return i;
		if (strcmp(pb->entries[i].name, "*") == 0)
			star = i;
	}
	if (dbname)
		return star; /* PgBouncer's fallback database serves any other name */
	return pb->nentries == 1 ? 0 : SIZE_MAX;
}

/*
 * The pool a client fills: its url's dbname and user (NULL: not given)
 * pick the entry and the user, the entry's forced user= first, else the
 * pooler's only user. SIZE_MAX when it cannot be told.
 */
static size_t pool_of(const struct pool_build *pb, const char *dbname, const char *user)
{
	const struct pooler_fig *f = pb->f;
	size_t e = pool_client_entry(pb, dbname), i;
	bool known = e != SIZE_MAX;

	if (known && pb->entries[e].user)
		user = pb->entries[e].user;
	else if (known && !user)
		known = pb->nnamed == 1, user = pb->users[0];
	for (i = 0; known && i < f->npools; i++)
		if (pb->pool_entry[i] == e &&
		    (user ? f->pools[i].user && strcmp(f->pools[i].user, user) == 0 : !f->pools[i].user))
			return i;
	return SIZE_MAX;
}

/* Which pool each client fills, and the demand of every pool. */
static bool pool_assign(struct calc *c, const struct budget *b, struct pool_build *pb)
{
	struct pooler_fig *f = pb->f;
	size_t k, i;

	f->client_pool = xcalloc(f->nclients ? f->nclients : 1, sizeof(size_t));
	for (k = 0; k < f->nclients; k++) {
		size_t pool = pool_of(pb, pb->client_db[k], pb->client_user[k]);
		struct amount a = budget_conn(b, f->clients[k]);

		f->client_pool[k] = pool;
		if (!amount_add(pool == SIZE_MAX ? &f->untold : &f->pools[pool].demand, &a))
			return overflow(c, pb->p->id.pos, "poolers", pb->p->id.s,
					"the sum of its clients' connections");
	}
	/* a pooler in front fills a pool as a client without a url does */
	f->outer_pool = xcalloc(f->nouter ? f->nouter : 1, sizeof(size_t));
	for (k = 0; k < f->nouter; k++) {
		size_t pool = pool_of(pb, NULL, NULL);

		f->outer_pool[k] = pool;
		if (!amount_add(pool == SIZE_MAX ? &f->untold : &f->pools[pool].demand, &b->poolers[f->outer[k]].server))
			return overflow(c, pb->p->id.pos, "poolers", pb->p->id.s,
					"the sum of its clients' connections");
	}
	for (i = 0; i < f->npools; i++) {
		struct pool_fig *pf = &f->pools[i];

		if (pf->unbounded) {
			pf->server = pf->demand;
		} else {
			pf->server.steady = pf->demand.unbounded ? pf->cap : u64_min(pf->cap, pf->demand.steady);
			pf->server.peak = pf->demand.unbounded ? pf->cap : u64_min(pf->cap, pf->demand.peak);
		}
	}
	return true;
}

/*
 * The maximum flow of the pooler's network with each pool's edge given
 * by edge(pool): FLOW_INF when unlimited. Limits are per instance, so each
 * is multiplied by the instances (pool caps already are).
 */
static bool pool_flow(struct calc *c, const struct pool_build *pb, int which, uint64_t *out)
{
	const struct bouncer_conf *bc = pb->p->bouncer;
	const struct pooler_fig *f = pb->f;
	size_t ne = pb->nentries, nu = pb->nusers, i;
	struct flow fl;
	uint64_t lim;

	flow_init(&fl, ne + nu + 2);
	for (i = 0; i < ne; i++) {
		const struct bouncer_entry *e = &pb->entries[i];
		lim = VALUE_SET(e->max_db_connections) && e->max_db_connections.v ? e->max_db_connections.v :
		      f->max_db_connections ? f->max_db_connections : FLOW_INF;
		if (!cap_mul(lim, f->instances, &lim))
			goto bad;
		flow_edge(&fl, 0, 1 + i, lim);
	}
	for (i = 0; i < nu; i++) {
		const struct bouncer_user *u = bouncer_user_find(bc, pb->users[i]);
		lim = u && VALUE_SET(u->max_user_connections) && u->max_user_connections.v ?
			      u->max_user_connections.v :
		      f->max_user_connections ? f->max_user_connections : FLOW_INF;
		if (!cap_mul(lim, f->instances, &lim))
			goto bad;
		flow_edge(&fl, 1 + ne + i, 1 + ne + nu, lim);
	}
	for (i = 0; i < f->npools; i++) {
		const struct pool_fig *pf = &f->pools[i];
		uint64_t edge = pf->unbounded ? FLOW_INF : pf->cap;

		if (which == 1)
			edge = pf->server.unbounded ? FLOW_INF : pf->server.steady;
		else if (which == 2)
			edge = pf->server.unbounded ? FLOW_INF : pf->server.peak;
		flow_edge(&fl, 1 + pb->pool_entry[i], 1 + ne + pb->pool_user[i], edge);
	}
	*out = flow_max(&fl);
	flow_release(&fl);
	return true;
bad:
	flow_release(&fl);
	return overflow(c, pb->p->id.pos, "poolers", pb->p->id.s, "instances x a connection limit");
}

/* min(cap, known + untold), FLOW_INF standing for unlimited; the figure into *out. */
static void pool_server(const struct pooler_fig *f, uint64_t known, uint64_t untold, bool untold_inf,
			uint64_t *out, bool *unbounded)
{
	uint64_t v = untold_inf ? FLOW_INF : cap_add(known, untold);

	if (!f->cap_unbounded)
		v = u64_min(v, f->cap);
	*unbounded = v == FLOW_INF;
	*out = *unbounded ? 0 : v;
}

/*
 * Pools, cap and server side of pgbouncer i of b (its clients collected).
 * The cap is the maximum flow of its pool network; the server side the
 * flow with each pool bounded by its clients' demand, plus what clients
 * whose pool cannot be told open, within the cap.
 */
static bool pooler_pools(struct calc *c, struct budget *b, size_t i)
{
	const struct topology *t = c->t;
	struct pooler_fig *f = &b->poolers[i];
	struct pool_build pb;
	uint64_t capf, st, pk;
	bool ok = false, unb;
	size_t k;

	memset(&pb, 0, sizeof(pb));
	pb.t = t;
	pb.p = &t->poolers[i];
	pb.f = f;
	if (pb.p->bouncer && pb.p->bouncer->nentries) {
		pb.entries = xcalloc(pb.p->bouncer->nentries, sizeof(*pb.entries));
		for (k = 0; k < pb.p->bouncer->nentries; k++)
			if (pb.p->bouncer->entries[k].points_here)
				((struct bouncer_entry *)pb.entries)[pb.nentries++] = pb.p->bouncer->entries[k];
	} else {
		pb.implicit.name = t->databases[pb.p->db].id.s;
		pb.implicit.pos = pb.p->id.pos;
		pb.implicit.points_here = true;
		pb.entries = &pb.implicit;
		pb.nentries = 1;
	}
	f->max_user_connections = pb.p->bouncer ? num_or(&pb.p->bouncer->max_user_connections,
							 PGBOUNCER_DEFAULT_MAX_USER_CONNECTIONS) :
						  PGBOUNCER_DEFAULT_MAX_USER_CONNECTIONS;
	pool_read_urls(&pb);
	if (!pool_list(c, &pb) || !pool_assign(c, b, &pb) || !pool_flow(c, &pb, 0, &capf))
		goto out;
	f->users = pb.nnamed;
	f->cap_unbounded = capf == FLOW_INF;
	f->cap = f->cap_unbounded ? 0 : capf;
	for (k = 0; f->cap_unbounded && k < f->npools; k++)
		if (f->pools[k].unbounded) {
			f->unbounded_pos = f->pools[k].size_pos.line ? f->pools[k].size_pos : pb.p->id.pos;
			break;
		}
	if (!pool_flow(c, &pb, 1, &st) || !pool_flow(c, &pb, 2, &pk))
		goto out;
	pool_server(f, st, f->untold.steady, f->untold.unbounded, &f->server.steady, &unb);
	pool_server(f, pk, f->untold.peak, f->untold.unbounded, &f->server.peak, &f->server.unbounded);
	f->server.unbounded = f->server.unbounded || unb;
	if (f->server.unbounded)
		f->server.steady = f->server.peak = 0;
	ok = true;
out:
	if (pb.entries != &pb.implicit)
		free((void *)pb.entries);
	free(pb.users);
	free(pb.pool_entry);
	free(pb.pool_user);
	free(pb.client_db);
	free(pb.client_user);
	return ok;
}

/* Database settings with PostgreSQL's defaults, capacity, budget, optimum. */
static bool database_settings(struct calc *c, const struct database *d, struct db_fig *f)
{
	uint64_t used;
	const struct catalog_row *row = db_provider_reserves(d);

	f->max_connections = db_max_connections(d);
	f->superuser_reserved = num_or(&d->superuser_reserved_connections,
				       row ? 0 : PG_DEFAULT_SUPERUSER_RESERVED);
	f->reserved = num_or(&d->reserved_connections, row ? row->reserved : PG_DEFAULT_RESERVED);
	f->headroom = num_or(&d->headroom, CB_DEFAULT_HEADROOM);
	if (!u64_add(f->superuser_reserved, f->reserved, &used))
		return overflow(c, d->id.pos, "databases", d->id.s, "superuser_reserved + reserved connections");
	f->capacity = f->max_connections > used ? f->max_connections - used : 0;
	f->budget = u64_min(f->capacity, f->max_connections > f->headroom ?
					 f->max_connections - f->headroom : 0);
	if (VALUE_SET(d->cores)) {
		f->has_optimum = true;
		if (!u64_mul(d->cores.v, 2, &f->optimum) ||
		    !u64_add(f->optimum, num_or(&d->spindles, 0), &f->optimum))
			return overflow(c, d->cores.pos, "databases", d->id.s, "cores x 2 + spindles");
	}
	return true;
}

/* The clients behind each pooler, in file order (counted first, then filled). */
static void collect_pooled(const struct topology *t, struct budget *b)
{
	size_t i;

	for (i = 0; i < t->nclients; i++)
		if (t->clients[i].via_pooler)
			b->poolers[t->clients[i].target].nclients++;
	for (i = 0; i < t->npoolers; i++) {
		b->poolers[i].clients = xcalloc(b->poolers[i].nclients, sizeof(size_t));
		b->poolers[i].nclients = 0;
	}
	for (i = 0; i < t->nclients; i++) {
		struct pooler_fig *p = &b->poolers[t->clients[i].target];
		if (t->clients[i].via_pooler)
			p->clients[p->nclients++] = i;
	}
}

/*
 * The poolers in front of each pooler, in file order, and every pooler in
 * the order its server side is known (*order, malloc'd): the outermost
 * first, each before the pooler it connects to. A pooler's depth is the
 * number of poolers between it and its database; deeper ones come first,
 * in file order among one depth, so a topology without chains keeps file
 * order.
 */
static size_t *collect_outer(const struct topology *t, struct budget *b)
{
	size_t n = t->npoolers, i, k, cur, d, maxd = 0;
	size_t *depth = xcalloc(n ? n : 1, sizeof(*depth)), *start, *order;
	bool *known = xcalloc(n ? n : 1, sizeof(*known));

	for (i = 0; i < n; i++) {
		/* the chain has no cycle (load_validate): walk to a known depth, then back */
		for (cur = i, d = 0; !known[cur] && t->poolers[cur].via_pooler; cur = t->poolers[cur].inner)
			d++;
		d += known[cur] ? depth[cur] : 0;
		for (cur = i; !known[cur]; cur = t->poolers[cur].inner) {
			depth[cur] = d--;
			known[cur] = true;
			if (!t->poolers[cur].via_pooler)
				break;
		}
		maxd = depth[i] > maxd ? depth[i] : maxd;
		if (t->poolers[i].via_pooler)
			b->poolers[t->poolers[i].inner].nouter++;
	}
	for (i = 0; i < n; i++) {
		b->poolers[i].outer = xcalloc(b->poolers[i].nouter ? b->poolers[i].nouter : 1, sizeof(size_t));
		b->poolers[i].nouter = 0;
	}
	for (i = 0; i < n; i++)
		if (t->poolers[i].via_pooler) {
			struct pooler_fig *in = &b->poolers[t->poolers[i].inner];
			b->poolers[i].at_inner = in->nouter;
			in->outer[in->nouter++] = i;
		}
	/* a counting sort by depth, deepest first */
	start = xcalloc(maxd + 2, sizeof(*start));
	order = xcalloc(n ? n : 1, sizeof(*order));
	for (i = 0; i < n; i++)
		start[maxd - depth[i] + 1]++;
	for (k = 1; k <= maxd + 1; k++)
		start[k] += start[k - 1];
	for (i = 0; i < n; i++)
		order[start[maxd - depth[i]]++] = i;
	free(start);
	free(depth);
	free(known);
	return order;
}

/* Contributors of each database: the poolers on it, then its direct clients, in file order. */
static void collect_contributors(const struct topology *t, struct budget *b)
{
	size_t i, *fill = xcalloc(t->ndatabases, sizeof(*fill));

	for (i = 0; i < t->npoolers; i++)
		if (!t->poolers[i].via_pooler)
			b->dbs[t->poolers[i].db].ncontrib++;
	for (i = 0; i < t->nclients; i++)
		if (!t->clients[i].via_pooler)
			b->dbs[t->clients[i].target].ncontrib++;
	for (i = 0; i < t->ndatabases; i++)
		b->dbs[i].contrib = xcalloc(b->dbs[i].ncontrib, sizeof(struct contrib));
	for (i = 0; i < t->npoolers; i++) {
		size_t d = t->poolers[i].db;
		if (!t->poolers[i].via_pooler)
			b->dbs[d].contrib[fill[d]++] = (struct contrib){ CONTRIB_POOLER, i };
	}
	for (i = 0; i < t->nclients; i++) {
		size_t d = t->clients[i].target;
		if (!t->clients[i].via_pooler)
			b->dbs[d].contrib[fill[d]++] = (struct contrib){ CONTRIB_CLIENT, i };
	}
	free(fill);
}

int budget_compute(const struct topology *t, uint64_t spike_pct, struct budget *b, char **err)
{
	struct calc c = { t, err, 0 };
	size_t i, j, *order = NULL;

	memset(b, 0, sizeof(*b));
	b->topo = t;
	b->spike_pct = spike_pct;
	b->conn = xbig_calloc(t->nclients, sizeof(*b->conn));
	b->conn_unbounded = xcalloc(t->nclients, sizeof(*b->conn_unbounded));
	b->conn_unknown = xcalloc(t->nclients ? t->nclients : 1, sizeof(*b->conn_unknown));
	b->poolers = xcalloc(t->npoolers, sizeof(*b->poolers));
	b->dbs = xcalloc(t->ndatabases, sizeof(*b->dbs));

	for (i = 0; i < t->ndatabases; i++)
		if (!database_settings(&c, &t->databases[i], &b->dbs[i]))
			goto out;
	for (i = 0; i < t->npoolers; i++)
		if (!pooler_settings(&c, &t->poolers[i], &b->poolers[i]))
			goto out;
	for (i = 0; i < t->nclients; i++) {
		const struct client *cl = &t->clients[i];
		struct client_fig f;

		memset(&f, 0, sizeof(f));
		if (!client_figures(&c, cl, spike_pct, &f))
			goto out;
		b->conn[i] = (struct client_conn){ f.conn.steady, f.conn.peak };
		b->conn_unbounded[i] = f.conn.unbounded;
		b->conn_unknown[i] = f.conn.unknown;
		if (cl->via_pooler &&
		    !amount_add(&b->poolers[cl->target].client_demand, &f.conn)) {
			overflow(&c, t->poolers[cl->target].id.pos, "poolers", t->poolers[cl->target].id.s,
				 "the sum of its clients' connections");
			goto out;
		}
	}
	collect_pooled(t, b);
	order = collect_outer(t, b);
	for (j = 0; j < t->npoolers; j++) {
		size_t i = order[j];
		struct pooler_fig *p = &b->poolers[i];
		struct db_fig *d = &b->dbs[t->poolers[i].db];

		if (t->poolers[i].type.v == POOLER_PGBOUNCER) {
			if (!pooler_pools(&c, b, i))
				goto out;
		} else if (p->cap_unbounded) {
			p->server = p->client_demand; /* odyssey's pool_size 0 */
			if (p->server.unbounded)
				p->server.steady = p->server.peak = 0;
		} else {
			p->server.steady = p->client_demand.unbounded ? p->cap :
					   u64_min(p->cap, p->client_demand.steady);
			p->server.peak = p->client_demand.unbounded ? p->cap : u64_min(p->cap, p->client_demand.peak);
		}
		/* a sum below an unknown pool is exact only where the cap binds it */
		p->server.lower_bound = p->client_demand.lower_bound &&
					(p->cap_unbounded || p->server.peak < p->cap);
		/* every cap is linear in the instances: the steady one is the peak's share */
		p->cap_steady = p->cap;
		if (p->instances_steady < p->instances && !p->cap_unbounded) {
			p->cap_steady = p->cap / p->instances * p->instances_steady;
			if (!p->server.unbounded)
				p->server.steady = u64_min(p->server.steady, p->cap_steady);
		}
		if (t->poolers[i].via_pooler) {
			/* its server side is the client side of the pooler it connects to */
			size_t in = t->poolers[i].inner;

			if (!amount_add(&b->poolers[in].client_demand, &p->server)) {
				overflow(&c, t->poolers[in].id.pos, "poolers", t->poolers[in].id.s,
					 "the sum of its clients' connections");
				goto out;
			}
		} else if (!amount_add(&d->demand, &p->server)) {
			overflow(&c, t->databases[t->poolers[i].db].id.pos, "databases",
				 t->databases[t->poolers[i].db].id.s, "demand");
			goto out;
		}
	}
	for (i = 0; i < t->nclients; i++) {
		const struct client *cl = &t->clients[i];
		struct amount conn = budget_conn(b, i);

		if (!cl->via_pooler && !amount_add(&b->dbs[cl->target].demand, &conn)) {
			overflow(&c, t->databases[cl->target].id.pos, "databases",
				 t->databases[cl->target].id.s, "demand");
			goto out;
		}
	}
	for (i = 0; i < t->ndatabases; i++) {
		struct db_fig *d = &b->dbs[i];
		if (d->demand.unbounded)
			d->demand.steady = d->demand.peak = 0;
		d->utilization = d->max_connections && !d->demand.unbounded ?
					 (double)d->demand.peak / (double)d->max_connections : 0;
	}
	collect_contributors(t, b);
out:
	free(order);
	if (c.failed) {
		budget_release(b);
		return -1;
	}
	return 0;
}

const struct client_fig *budget_client(const struct budget *b, size_t i, struct client_fig *f)
{
	struct calc c = { b->topo, NULL, 0 };
	bool ok;

	assert(i < b->topo->nclients);
	memset(f, 0, sizeof(*f));
	ok = client_figures(&c, &b->topo->clients[i], b->spike_pct, f);
	assert(ok);
	(void)ok;
	return f;
}

struct amount budget_conn_sum(const struct budget *b, const size_t *clients, size_t n)
{
	struct amount sum = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		struct amount a = budget_conn(b, clients[i]);
		bool ok = amount_add(&sum, &a);

		assert(ok); /* a part of a sum budget_compute checked */
		(void)ok;
	}
	if (sum.unbounded)
		sum.steady = sum.peak = 0;
	return sum;
}

void budget_release(struct budget *b)
{
	size_t i;

	if (!b)
		return;
	if (b->dbs && b->topo)
		for (i = 0; i < b->topo->ndatabases; i++)
			free(b->dbs[i].contrib);
	if (b->poolers && b->topo)
		for (i = 0; i < b->topo->npoolers; i++) {
			struct pooler_fig *p = &b->poolers[i];
			size_t k;

			free(p->clients);
			free(p->outer);
			free(p->outer_pool);
			free(p->pools);
			free(p->client_pool);
			for (k = 0; k < p->nnames; k++)
				free(p->names[k]);
			free(p->names);
		}
	xbig_free(b->conn);
	free(b->conn_unbounded);
	free(b->conn_unknown);
	free(b->poolers);
	free(b->dbs);
	b->conn = NULL;
	b->conn_unbounded = NULL;
	b->conn_unknown = NULL;
	b->poolers = NULL;
	b->dbs = NULL;
}

/* Position of client i in pooler f's list (sorted: file order is index order), or SIZE_MAX. */
static size_t pooled_position(const struct pooler_fig *f, size_t i)
{
	size_t lo = 0, hi = f->nclients;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->clients[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nclients && f->clients[lo] == i ? lo : SIZE_MAX;
}

/* The mode of pool of f, or, SIZE_MAX, the strictest of its pools (its own mode without pools). */
static enum pool_mode pool_mode_of(const struct pooler_fig *f, size_t pool)
{
	enum pool_mode m;
	size_t k;

	if (pool != SIZE_MAX)
		return f->pools[pool].mode;
	m = f->npools ? POOL_SESSION : f->pool_mode;
	for (k = 0; k < f->npools; k++)
		if (f->pools[k].mode > m)
			m = f->pools[k].mode; /* statement > transaction > session */
	return m;
}

enum pool_mode budget_client_mode(const struct budget *b, size_t i)
{
	const struct client *cl = &b->topo->clients[i];
	const struct pooler_fig *f;
	size_t k, pool;

	assert(cl->via_pooler);
	f = &b->poolers[cl->target];
	k = f->client_pool ? pooled_position(f, i) : SIZE_MAX;
	pool = k == SIZE_MAX ? SIZE_MAX : f->client_pool[k];
	return pool_mode_of(f, pool);
}

enum pool_mode budget_outer_mode(const struct budget *b, size_t inner, size_t outer)
{
	const struct pooler_fig *f = &b->poolers[inner];
	size_t k = b->poolers[outer].at_inner;

	assert(k < f->nouter && f->outer[k] == outer);
	return pool_mode_of(f, f->outer_pool ? f->outer_pool[k] : SIZE_MAX);
}
