/*
 * budget.c - the arithmetic of SPEC §3: model → figures.
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

#include "framework.h"
#include "rds.h"
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

/* The pool of one process, after framework defaults (SPEC §4). */
static bool client_pool(struct calc *c, const struct client *cl, struct client_fig *f)
{
	const struct framework *fw = cl->framework.s ? &framework_table[cl->framework_index] : NULL;
	const struct client_cold *cc = client_cold(cl);
	uint64_t cpus = num_or(&cl->cpus, 0);
	uint64_t size = 0;

	if (VALUE_SET(cl->pool.size)) {
		size = cl->pool.size.v;
		f->pool_unbounded = size == 0; /* size 0 means unlimited */
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

/* Instances and connections of one client (SPEC §3 "Per client"). */
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
	return true;
}

/* Add a to *sum; an unbounded term makes the sum unbounded. */
static bool amount_add(struct amount *sum, const struct amount *a)
{
	if (a->unbounded) {
		sum->unbounded = true;
		return true;
	}
	return u64_add(sum->steady, a->steady, &sum->steady) &&
	       u64_add(sum->peak, a->peak, &sum->peak);
}

static uint64_t db_max_connections(const struct database *d)
{
	const struct rds_class *rc;

	if (VALUE_SET(d->max_connections))
		return d->max_connections.v;
	rc = d->instance.s ? rds_find(d->instance.s) : NULL;
	return rc ? rds_max_connections(rc) : 0;
}

/* Settings and cap of one pooler (SPEC §3 "Per pooler"); demand comes later. */
static bool pooler_settings(struct calc *c, const struct pooler *p, struct pooler_fig *f)
{
	const struct database *d = &c->t->databases[p->db];
	uint64_t per_instance;

	f->instances = num_or(&p->instances, 1);
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
	f->default_pool_size = num_or(&p->default_pool_size, PGBOUNCER_DEFAULT_POOL_SIZE);
	f->reserve_pool_size = num_or(&p->reserve_pool_size, PGBOUNCER_DEFAULT_RESERVE_POOL);
	f->max_client_conn = num_or(&p->max_client_conn, PGBOUNCER_DEFAULT_MAX_CLIENT_CONN);
	f->max_db_connections = num_or(&p->max_db_connections, PGBOUNCER_DEFAULT_MAX_DB_CONNECTIONS);
	f->users = p->users.n ? p->users.n : 1;
	if (!u64_add(f->default_pool_size, f->reserve_pool_size, &per_instance) ||
	    !u64_mul(f->users, per_instance, &per_instance))
		return overflow(c, p->id.pos, "poolers", p->id.s,
				"users x (default_pool_size + reserve_pool_size)");
	if (f->max_db_connections)
		per_instance = u64_min(per_instance, f->max_db_connections);
	f->has_client_limit = true;
	if (!u64_mul(f->instances, per_instance, &f->cap) ||
	    !u64_mul(f->instances, f->max_client_conn, &f->client_limit))
		return overflow(c, p->id.pos, "poolers", p->id.s, "instances x pool or client limit");
	return true;
}

/* Database settings with PostgreSQL's defaults, capacity, budget, optimum. */
static bool database_settings(struct calc *c, const struct database *d, struct db_fig *f)
{
	uint64_t used;

	f->max_connections = db_max_connections(d);
	f->superuser_reserved = num_or(&d->superuser_reserved_connections, PG_DEFAULT_SUPERUSER_RESERVED);
	f->reserved = num_or(&d->reserved_connections, PG_DEFAULT_RESERVED);
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

/* Contributors of each database: its poolers, then its direct clients, in file order. */
static void collect_contributors(const struct topology *t, struct budget *b)
{
	size_t i, *fill = xcalloc(t->ndatabases, sizeof(*fill));

	for (i = 0; i < t->npoolers; i++)
		b->dbs[t->poolers[i].db].ncontrib++;
	for (i = 0; i < t->nclients; i++)
		if (!t->clients[i].via_pooler)
			b->dbs[t->clients[i].target].ncontrib++;
	for (i = 0; i < t->ndatabases; i++)
		b->dbs[i].contrib = xcalloc(b->dbs[i].ncontrib, sizeof(struct contrib));
	for (i = 0; i < t->npoolers; i++) {
		size_t d = t->poolers[i].db;
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
	size_t i;

	memset(b, 0, sizeof(*b));
	b->topo = t;
	b->spike_pct = spike_pct;
	b->conn = xbig_calloc(t->nclients, sizeof(*b->conn));
	b->conn_unbounded = xcalloc(t->nclients, sizeof(*b->conn_unbounded));
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
		if (cl->via_pooler &&
		    !amount_add(&b->poolers[cl->target].client_demand, &f.conn)) {
			overflow(&c, t->poolers[cl->target].id.pos, "poolers", t->poolers[cl->target].id.s,
				 "the sum of its clients' connections");
			goto out;
		}
	}
	for (i = 0; i < t->npoolers; i++) {
		struct pooler_fig *p = &b->poolers[i];
		struct db_fig *d = &b->dbs[t->poolers[i].db];

		p->server.steady = p->client_demand.unbounded ? p->cap : u64_min(p->cap, p->client_demand.steady);
		p->server.peak = p->client_demand.unbounded ? p->cap : u64_min(p->cap, p->client_demand.peak);
		if (!amount_add(&d->demand, &p->server)) {
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
	collect_pooled(t, b);
out:
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
	struct amount sum = { 0, 0, false };
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
		for (i = 0; i < b->topo->npoolers; i++)
			free(b->poolers[i].clients);
	xbig_free(b->conn);
	free(b->conn_unbounded);
	free(b->poolers);
	free(b->dbs);
	b->conn = NULL;
	b->conn_unbounded = NULL;
	b->poolers = NULL;
	b->dbs = NULL;
}
