/*
 * rule_checks.c - the check functions of CB001-CB017, CB019, CB021 and CB023.
 *
 * A database or pooler check walks the model and the figures of budget.c
 * and calls rule_emit for every object that breaks its rule; a client
 * check looks at the one client in ctx->client (rules_run walks them).
 * No check computes a figure: counts come from struct budget, and a check
 * only compares them and names the numbers in its message. Where a finding points (docs/decisions.md): the database
 * for CB001, CB002, CB003, CB008, CB011, the pooler for CB009, CB021 and a
 * pooler's CB010, the client
 * for the rest, at the most specific node that exists (see each rule's doc).
 */
#include "rules_impl.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "appname.h"
#include "conninfo.h"
#include "framework.h"
#include "catalog.h"
#include "util.h"

/* Contributors listed in a message before "and N more". */
enum { LIST_MAX = 10 };

/* The position of n when the file set it, else fallback. */
static struct pos pos_or(const struct num *n, struct pos fallback)
{
	return VALUE_SET(*n) ? n->pos : fallback;
}

static void emit(struct rule_ctx *ctx, const struct strlist *ignore, struct pos pos,
		 const char *section, const char *id, const char *fmt, ...) PRINTF_LIKE(6, 7);

/*
 * rule_emit for the object section.id ("clients" and "api" → "clients.api").
 * The object name is joined on the stack (ids are at most LOAD_MAX_ID_LEN
 * bytes), and on the heap only for a longer one.
 */
static void emit(struct rule_ctx *ctx, const struct strlist *ignore, struct pos pos,
		 const char *section, const char *id, const char *fmt, ...)
{
	char buf[192], *object = buf;
	size_t ns, ni;
	va_list ap;

	ns = strlen(section);
	ni = strlen(id);
	if (ns + ni + 2 > sizeof(buf))
		object = xmalloc(ns + ni + 2);
	memcpy(object, section, ns);
	object[ns] = '.';
	memcpy(object + ns + 1, id, ni + 1);
	va_start(ap, fmt);
	rule_vemit(ctx, ignore, pos, object, fmt, ap);
	va_end(ap);
	if (object != buf)
		free(object);
}

/* One term of a "(api 120, metrics 4)" list. */
struct term {
	const char *name;
	uint64_t n;
	size_t order;
};

/* Largest first; equal counts keep file order. */
static int term_cmp(const void *a, const void *b)
{
	const struct term *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Write "api 120, metrics 4" into sb: terms with a count above zero, largest
 * first, at most LIST_MAX of them and then "and N more". Sorts v in place.
 */
static void put_terms(struct sbuf *sb, struct term *v, size_t n)
{
	size_t i, shown = 0, nonzero = 0;

	qsort(v, n, sizeof(*v), term_cmp);
	for (i = 0; i < n; i++)
		nonzero += v[i].n > 0;
	for (i = 0; i < n && shown < LIST_MAX; i++) {
		if (!v[i].n)
			continue;
		sbuf_printf(sb, "%s%s %" PRIu64, shown ? ", " : "", v[i].name, v[i].n);
		shown++;
	}
	if (nonzero > shown)
		sbuf_printf(sb, ", and %zu more", nonzero - shown);
}

/* The server-side peak a database contributor adds (pooler or direct client). */
static uint64_t contrib_peak(const struct budget *b, const struct contrib *c)
{
	return c->kind == CONTRIB_POOLER ? b->poolers[c->index].server.peak
					 : budget_conn(b, c->index).peak;
}

static const char *contrib_name(const struct topology *t, const struct contrib *c)
{
	return c->kind == CONTRIB_POOLER ? t->poolers[c->index].id.s : t->clients[c->index].id.s;
}

/* "api 120, metrics 4" for the contributors of database d; the caller frees. */
static char *db_terms(const struct rule_ctx *ctx, size_t d)
{
	const struct db_fig *f = &ctx->b->dbs[d];
	struct term *v = xcalloc(f->ncontrib, sizeof(*v));
	struct sbuf sb = { 0 };
	size_t i;

	for (i = 0; i < f->ncontrib; i++) {
		v[i].name = contrib_name(ctx->t, &f->contrib[i]);
		v[i].n = contrib_peak(ctx->b, &f->contrib[i]);
		v[i].order = i;
	}
	put_terms(&sb, v, f->ncontrib);
	free(v);
	return sbuf_detach(&sb);
}

/*
 * CB001: peak demand above capacity, or unbounded demand (a direct client
 * with no pool limit: the message names it, and no other rule fires on
 * account of the unbounded value).
 */
void check_over_capacity(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i, j;

	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		const struct db_fig *f = &ctx->b->dbs[i];

		if (f->demand.unbounded) {
			struct sbuf sb = { 0 };
			size_t n = 0;
			char *names;

			for (j = 0; j < f->ncontrib; j++) {
				const struct contrib *c = &f->contrib[j];
				bool unb = c->kind == CONTRIB_CLIENT ? budget_conn(ctx->b, c->index).unbounded
								     : ctx->b->poolers[c->index].server.unbounded;
				if (unb)
					sbuf_printf(&sb, "%s'%s'", n++ ? ", " : "", contrib_name(t, c));
			}
			names = sbuf_detach(&sb);
			emit(ctx, &d->ignore, d->id.pos, "databases", d->id.s,
			     "peak demand is unbounded on database '%s' (%s %s %s no pool limit)",
			     d->id.s, n == 1 ? "client" : "clients", names, n == 1 ? "has" : "have");
			free(names);
		} else if (f->demand.peak > f->capacity) {
			char *terms = db_terms(ctx, i);
			emit(ctx, &d->ignore, d->id.pos, "databases", d->id.s,
			     "peak demand %" PRIu64 " exceeds capacity %" PRIu64 " on database '%s' (%s)",
			     f->demand.peak, f->capacity, d->id.s, terms);
			free(terms);
		}
	}
}

/* CB002: budget < peak demand ≤ capacity (the headroom is eaten). */
void check_no_headroom(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i;

	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		const struct db_fig *f = &ctx->b->dbs[i];

		if (f->demand.unbounded || f->demand.peak <= f->budget || f->demand.peak > f->capacity)
			continue;
		emit(ctx, &d->ignore, d->id.pos, "databases", d->id.s,
		     "peak demand %" PRIu64 " exceeds budget %" PRIu64 " on database '%s' "
		     "(max_connections %" PRIu64 " minus headroom %" PRIu64 ")",
		     f->demand.peak, f->budget, d->id.s, f->max_connections, f->headroom);
	}
}

/*
 * CB003's recommendation for database d (docs/decisions.md), each size at least 1:
 *  - one RDS Proxy and nothing else: the max_connections_percent whose cap
 *    is within optimum;
 *  - otherwise optimum, less what RDS Proxies open, is shared evenly by
 *    every pool: each direct client's process pools (peak instances ×
 *    processes × pool.count) and each pgbouncer's pools (instances ×
 *    its (entry, user) pools). Direct clients get a pool.size, pgbouncers the
 *    default_pool_size that keeps their share (less reserve_pool_size).
 *    With one pgbouncer alone this is ⌊optimum ÷ (instances × users)⌋ −
 *    reserve_pool_size.
 * Appends "; ... would fit" to sb.
 */
static void recommend_pool_size(const struct rule_ctx *ctx, size_t d, struct sbuf *sb)
{
	const struct topology *t = ctx->t;
	const struct db_fig *f = &ctx->b->dbs[d];
	uint64_t bouncer_pools = 0, client_pools = 0, fixed = 0, max_reserve = 0;
	uint64_t avail, slots, share, n;
	size_t i, bouncers = 0, proxies = 0, bouncer = 0, proxy = 0;

	for (i = 0; i < f->ncontrib; i++) {
		const struct contrib *c = &f->contrib[i];

		if (c->kind == CONTRIB_POOLER) {
			const struct pooler_fig *p = &ctx->b->poolers[c->index];

			if (t->poolers[c->index].type.v == POOLER_RDS_PROXY) {
				proxy = c->index;
				proxies++;
				fixed = u64_add(fixed, p->server.peak, &n) ? n : UINT64_MAX;
			} else {
				bouncer = c->index;
				bouncers++;
				bouncer_pools = u64_mul(p->instances, p->npools, &n) &&
						u64_add(bouncer_pools, n, &n) ? n : UINT64_MAX;
				max_reserve = u64_max(max_reserve, p->reserve_pool_size);
			}
		} else {
			struct client_fig fig;
			const struct client_fig *cf = budget_client(ctx->b, c->index, &fig);
			uint64_t inst = t->clients[c->index].type.v == CLIENT_SERVERLESS ?
						cf->max_concurrency : cf->peak_instances;

			client_pools = u64_mul(inst, cf->processes, &n) && u64_mul(n, cf->pool_count, &n) &&
				       u64_add(client_pools, n, &n) ? n : UINT64_MAX;
		}
	}
	if (proxies == 1 && f->ncontrib == 1) {
		n = f->max_connections ? f->optimum * 100 / f->max_connections : 0;
		sbuf_printf(sb, "; max_connections_percent %" PRIu64 " on pooler '%s' would fit",
			    u64_max(n, 1), t->poolers[proxy].id.s);
		return;
	}
	slots = u64_add(bouncer_pools, client_pools, &n) ? n : UINT64_MAX;
	if (!slots) {
		sbuf_puts(sb, "; lower the caps of its RDS Proxies to fit");
		return;
	}
	avail = f->optimum > fixed ? f->optimum - fixed : 0;
	share = avail / slots;
	sbuf_puts(sb, "; ");
	if (client_pools)
		sbuf_printf(sb, "pool.size %" PRIu64 " per process%s", u64_max(share, 1),
			    bouncers ? " and " : "");
	if (bouncers) {
		n = share > max_reserve ? share - max_reserve : 0;
		if (bouncers == 1)
			sbuf_printf(sb, "default_pool_size %" PRIu64 " on pooler '%s'", u64_max(n, 1),
				    t->poolers[bouncer].id.s);
		else
			sbuf_printf(sb, "default_pool_size %" PRIu64 " on each of its %zu pgbouncers",
				    u64_max(n, 1), bouncers);
	}
	sbuf_puts(sb, " would fit");
	if (!(bouncers == 1 && f->ncontrib == 1))
		sbuf_printf(sb, " (%" PRIu64 " shared by %" PRIu64 " pools)", avail, slots);
}

/* CB003: peak demand above cores × 2 + spindles; names the pool size that would fit. */
void check_above_optimum(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i;

	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		const struct db_fig *f = &ctx->b->dbs[i];
		struct sbuf sb = { 0 };
		char *advice;

		if (!f->has_optimum || f->demand.unbounded || f->demand.peak <= f->optimum)
			continue;
		recommend_pool_size(ctx, i, &sb);
		advice = sbuf_detach(&sb);
		emit(ctx, &d->ignore, d->id.pos, "databases", d->id.s,
		     "peak demand %" PRIu64 " exceeds optimum %" PRIu64 " on database '%s' "
		     "(cores %" PRIu64 " x 2 + spindles %" PRIu64 ")%s",
		     f->demand.peak, f->optimum, d->id.s, d->cores.v,
		     VALUE_SET(d->spindles) ? d->spindles.v : 0, advice);
		free(advice);
	}
}

/* CB004: a serverless client straight on a database. Points at connects_to. */
void check_serverless_direct(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_fig *f = ctx->client->f;
	char *peak;

	if (c->type.v != CLIENT_SERVERLESS || c->via_pooler)
		return;
	peak = f->conn.unbounded ? xstrdup("") :
	       xasprintf("peak %" PRIu64 " connections at ", f->conn.peak);
	emit(ctx, &client_cold(c)->ignore, c->connects_to.pos, "clients", c->id.s,
	     "serverless client '%s' connects straight to database '%s' (%smax_concurrency %" PRIu64 "%s)",
	     c->id.s, ctx->t->databases[c->target].id.s, peak, f->max_concurrency,
	     f->concurrency_assumed ? " assumed" : "");
	free(peak);
}

/* Does a pooler of p's type break sessions in mode m (CB005, CB006)? */
static bool breaks_sessions(const struct pooler *p, enum pool_mode m)
{
	return (p->type.v == POOLER_PGBOUNCER || p->type.v == POOLER_ODYSSEY || p->type.v == POOLER_SUPAVISOR ||
		p->type.v == POOLER_PGCAT) &&
	       m != POOL_SESSION;
}

/*
 * The pgbouncer, odyssey, supavisor or pgcat a client goes through in transaction or statement mode,
 * or NULL; its mode in *mode. Behind a pooler in front of a pooler
 * (docs/poolers.md), each connection the outer one holds for a client's
 * session is multiplexed again by the inner one: the strictest mode on
 * the chain is what the client meets, the first pooler of that mode the
 * one named (ctx->endpoints keeps the rest of each chain's).
 */
static const struct pooler *transaction_bouncer(const struct rule_ctx *ctx, const struct client *c,
						enum pool_mode *mode)
{
	const struct pooler *p;
	const struct pooler_endpoints *e = ctx->endpoints;
	size_t far;
	enum pool_mode m;

	if (!c->via_pooler)
		return NULL;
	p = &ctx->t->poolers[c->target];
	m = budget_client_mode(ctx->b, ctx->client->index);
	far = e && e->beyond ? e->beyond[c->target] : SIZE_MAX;
	if (breaks_sessions(p, m) && (far == SIZE_MAX || m >= e->beyond_mode[c->target])) {
		*mode = m;
		return p;
	}
	if (far == SIZE_MAX)
		return NULL;
	*mode = e->beyond_mode[c->target];
	return &ctx->t->poolers[far];
}

/* Does the client's url carry pgbouncer=true (as a URI query or key=value parameter)? */
static bool has_pgbouncer_flag(struct rule_ctx *ctx)
{
	const struct conninfo *ci = rule_client_url(ctx);
	const char *v;

	if (!ci)
		return strstr(client_cold(ctx->client->c)->url.s, "pgbouncer=true") != NULL;
	v = conninfo_param(ci, "pgbouncer");
	return v && strcasecmp(v, "true") == 0;
}

/* CB005: prisma (≤ 6) through a transaction-mode pgbouncer without pgbouncer=true. */
void check_prisma_pgbouncer_flag(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_cold *cc = client_cold(c);
	const struct pooler *p;
	enum pool_mode m;
	const char *mode;

	if (!c->framework.s || strcmp(c->framework.s, "prisma") != 0)
		return;
	if (!(p = transaction_bouncer(ctx, c, &m)))
		return;
	mode = pool_mode_name(m);
	if (!cc->url.s)
		emit(ctx, &cc->ignore, c->framework.pos, "clients", c->id.s,
		     "prisma client '%s' goes through %s '%s' in %s mode "
		     "without a url carrying 'pgbouncer=true'", c->id.s, pooler_type_name((enum pooler_type)p->type.v),
		     p->id.s, mode);
	else if (!has_pgbouncer_flag(ctx))
		emit(ctx, &cc->ignore, cc->url.pos, "clients", c->id.s,
		     "prisma client '%s' goes through %s '%s' in %s mode "
		     "but its url lacks 'pgbouncer=true'", c->id.s, pooler_type_name((enum pooler_type)p->type.v),
		     p->id.s, mode);
}

/* Is this feature broken by a pooler in mode m (transaction or statement)? */
static bool feature_breaks(const char *name, enum pool_mode m)
{
	if (strcmp(name, feature_name(FEATURE_MULTI_STATEMENT_TRANSACTIONS)) == 0)
		return m == POOL_STATEMENT;
	return true;
}

/*
 * CB006: session features through a transaction/statement-mode pgbouncer.
 * One finding per client, at its first offending `uses` entry, naming them
 * all. RDS Proxy pins such sessions instead of breaking them: not here.
 */
void check_session_features(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_cold *cc = client_cold(c);
	const struct pooler *p;
	enum pool_mode m;
	struct sbuf sb = { 0 };
	struct pos at = { 0 };
	size_t j, n = 0;
	char *list;

	if (!cc->uses.n || !(p = transaction_bouncer(ctx, c, &m)))
		return;
	for (j = 0; j < cc->uses.n; j++) {
		if (!feature_breaks(cc->uses.v[j].s, m))
			continue;
		if (!n++)
			at = cc->uses.v[j].pos;
		sbuf_printf(&sb, "%s%s", n > 1 ? ", " : "", cc->uses.v[j].s);
	}
	list = sbuf_detach(&sb);
	if (n)
		emit(ctx, &cc->ignore, at, "clients", c->id.s,
		     "client '%s' uses %s through %s '%s' in %s mode",
		     c->id.s, list, pooler_type_name((enum pooler_type)p->type.v), p->id.s, pool_mode_name(m));
	free(list);
}

/*
 * CB007: no acquire timeout from the YAML or the framework's defaults.
 * Points at acquire_timeout when it is 0, else at `pool:`, else the client.
 */
void check_no_acquire_timeout(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_fig *f = ctx->client->f;
	struct pos at = c->pool.pos.line ? c->pool.pos : c->id.pos;
	char *why, *pool;

	if (f->has_acquire_timeout || f->acquire_timeout_na || f->pool_unknown)
		return; /* an unknown pool is CB020's */
	if (VALUE_SET(c->pool.acquire_timeout)) {
		at = pos_or(&c->pool.acquire_timeout, at);
		why = xstrdup(" (acquire_timeout 0 disables it)");
	} else if (c->framework.s) {
		why = xasprintf(" (framework '%s' has none by default)", c->framework.s);
	} else {
		why = xstrdup("");
	}
	pool = f->pool_unbounded ? xstrdup("") :
	       xasprintf(" of %" PRIu64, f->per_pool);
	emit(ctx, &client_cold(c)->ignore, at, "clients", c->id.s,
	     "client '%s' has no acquire_timeout%s: borrowers wait forever once its pool%s is exhausted",
	     c->id.s, why, pool);
	free(why);
	free(pool);
}

/*
 * CB008: max_connections above memory_gb × 100 (about 10 MB a connection).
 * memory_gb is the file's, or the nominal memory of its RDS `instance`.
 */
void check_memory(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i;

	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		const struct db_fig *f = &ctx->b->dbs[i];
		const struct catalog_row *rc = NULL;
		double gb, limit;
		struct pos at;
		char *from;

		if (VALUE_SET(d->memory_gb)) {
			gb = d->memory_gb.v;
		} else if (d->instance.s && (rc = catalog_find(d->provider.s, d->instance.s)) &&
			   rc->memory_gb > 0) {
			gb = rc->memory_gb;
		} else {
			continue;
		}
		limit = gb * 100;
		if ((double)f->max_connections <= limit + 1e-9) /* 4.1 x 100 is 409.99999999999994 */
			continue;
		at = VALUE_SET(d->max_connections) ? d->max_connections.pos :
		     VALUE_SET(d->memory_gb) ? d->memory_gb.pos : rc ? d->instance.pos : d->id.pos;
		from = !rc ? xstrdup("") :
		       d->provider.s && strcmp(d->provider.s, CATALOG_DEFAULT_PROVIDER) != 0 ?
		       xasprintf(" of %s instance '%s'", d->provider.s, rc->name) :
		       xasprintf(" of instance '%s'", rc->name);
		emit(ctx, &d->ignore, at, "databases", d->id.s,
		     "max_connections %" PRIu64 " exceeds %.15g for memory_gb %.15g%s on database '%s' "
		     "(100 connections per GB)", f->max_connections, limit, gb, from, d->id.s);
		free(from);
	}
}

/*
 * CB009: a pgbouncer's clients open more connections than it accepts. The
 * clients behind each pooler come from its list in the budget (file
 * order), so the check is linear in the number of clients.
 */
void check_pooler_client_limit(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i, j;

	for (i = 0; i < t->npoolers; i++) {
		const struct pooler *p = &t->poolers[i];
		const struct pooler_fig *f = &ctx->b->poolers[i];
		struct sbuf sb = { 0 };
		struct term *v;
		char *terms;

		if (!f->has_client_limit || f->client_demand.unbounded ||
		    f->client_demand.peak <= f->client_limit)
			continue;
		/* its clients, then the poolers in front of it (their server side) */
		v = xcalloc(f->nclients + f->nouter + 1, sizeof(*v));
		for (j = 0; j < f->nclients; j++) {
			v[j].name = t->clients[f->clients[j]].id.s;
			v[j].n = budget_conn(ctx->b, f->clients[j]).peak;
			v[j].order = f->clients[j];
		}
		for (j = 0; j < f->nouter; j++) {
			v[f->nclients + j].name = t->poolers[f->outer[j]].id.s;
			v[f->nclients + j].n = ctx->b->poolers[f->outer[j]].server.peak;
			v[f->nclients + j].order = t->nclients + f->outer[j];
		}
		put_terms(&sb, v, f->nclients + f->nouter);
		free(v);
		terms = sbuf_detach(&sb);
		if (p->type.v == POOLER_ODYSSEY)
			emit(ctx, &p->ignore, pos_or(&p->odyssey_client_max, p->id.pos), "poolers", p->id.s,
			     "peak client connections %" PRIu64 " exceed client_limit %" PRIu64 " on pooler "
			     "'%s' (%" PRIu64 " x client_max over its routes %" PRIu64 "; %s)",
			     f->client_demand.peak, f->client_limit, p->id.s, f->instances_steady,
			     p->odyssey_client_max.v, terms);
		else if (p->type.v == POOLER_PGPOOL)
			emit(ctx, &p->ignore, pos_or(&p->num_init_children, p->id.pos), "poolers", p->id.s,
			     "peak client connections %" PRIu64 " exceed client_limit %" PRIu64 " on pooler "
			     "'%s' (num_init_children %" PRIu64 "; %s)",
			     f->client_demand.peak, f->client_limit, p->id.s, f->num_init_children, terms);
		else if (p->type.v == POOLER_SUPAVISOR)
			emit(ctx, &p->ignore, pos_or(&p->default_max_clients, p->id.pos), "poolers", p->id.s,
			     "peak client connections %" PRIu64 " exceed client_limit %" PRIu64 " on pooler "
			     "'%s' (default_max_clients; %s)",
			     f->client_demand.peak, f->client_limit, p->id.s, terms);
		else
		emit(ctx, &p->ignore, pos_or(&p->max_client_conn, p->id.pos), "poolers", p->id.s,
		     "peak client connections %" PRIu64 " exceed client_limit %" PRIu64 " on pooler '%s' "
		     "(%" PRIu64 " %s x max_client_conn %" PRIu64 "; %s)",
		     f->client_demand.peak, f->client_limit, p->id.s, f->instances,
		     f->instances == 1 ? "instance" : "instances", f->max_client_conn, terms);
		free(terms);
	}
}

/* CB010: a pool without an upper bound (pool.size 0, or a framework default). */
void check_unbounded_pool(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	const struct client *c = ctx->client->c;
	char *then;

	if (!ctx->client->f->pool_unbounded)
		return;
	if (c->via_pooler && ctx->b->poolers[c->target].cap_unbounded)
		then = xasprintf("pooler '%s' has no cap either", t->poolers[c->target].id.s);
	else if (c->via_pooler)
		then = xasprintf("pooler '%s' caps its server side at %" PRIu64,
				 t->poolers[c->target].id.s, ctx->b->poolers[c->target].cap);
	else
		then = xasprintf("demand on database '%s' is unbounded",
				 t->databases[c->target].id.s);
	if (VALUE_SET(c->pool.size))
		emit(ctx, &client_cold(c)->ignore, c->pool.size.pos, "clients", c->id.s,
		     "client '%s' has pool.size 0, which means no limit (%s)", c->id.s, then);
	else
		emit(ctx, &client_cold(c)->ignore, c->framework.s ? c->framework.pos : c->id.pos, "clients", c->id.s,
		     "client '%s' has no pool limit: framework '%s' opens connections without bound "
		     "unless pool.size is set (%s)", c->id.s, c->framework.s ? c->framework.s : "-", then);
	free(then);
}

/*
 * CB010, its pooler part: a pgbouncer pool without limit (pool_size or
 * default_pool_size 0: unlimited since PgBouncer 1.24) that no
 * max_db_connections or max_user_connections bounds. Points at the
 * setting that says 0, else at the pooler.
 */
void check_unbounded_pooler(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i, k;

	for (i = 0; i < t->npoolers; i++) {
		const struct pooler *p = &t->poolers[i];
		const struct pooler_fig *f = &ctx->b->poolers[i];
		const struct pool_fig *pf = NULL;

		if (!f->cap_unbounded)
			continue;
		if (p->type.v == POOLER_ODYSSEY) {
			emit(ctx, &p->ignore, f->unbounded_pos, "poolers", p->id.s,
			     "pooler '%s' has a route to %s '%s' with pool_size 0 or none, which "
			     "means no limit in Odyssey: its server side is bounded only by its clients' demand",
			     p->id.s, p->via_pooler ? "pooler" : "database",
			     p->via_pooler ? t->poolers[p->inner].id.s : t->databases[p->db].id.s);
			continue;
		}
		for (k = 0; k < f->npools && !pf; k++)
			if (f->pools[k].unbounded)
				pf = &f->pools[k];
		emit(ctx, &p->ignore, f->unbounded_pos, "poolers", p->id.s,
		     "pooler '%s' has pool_size 0 for pool '%s'%s%s, which means no limit since "
		     "PgBouncer 1.24: its server side is bounded only by its clients' demand",
		     p->id.s, pf ? pf->entry : "-", pf && pf->user ? " user " : "",
		     pf && pf->user ? pf->user : "");
	}
}

/*
 * CB021: a pooler read from a config file can open more than the
 * database's capacity (its whole cap, with every other contributor's
 * peak) although the declared demand fits: pools no declared client uses
 * (a staging entry on the production server) still open connections.
 * Names the pools in file order, up to LIST_MAX.
 */
void check_pooler_cap_over_capacity(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i, k;

	for (i = 0; i < t->npoolers; i++) {
		const struct pooler *p = &t->poolers[i];
		const struct pooler_fig *f = &ctx->b->poolers[i];
		const struct db_fig *d = &ctx->b->dbs[p->db];
		const struct pooler_fig *in = p->via_pooler ? &ctx->b->poolers[p->inner] : NULL;
		uint64_t others, worst, limit, declared;
		struct sbuf sb = { 0 };
		char *pools, npools[48];

		if (!p->config.s || f->cap_unbounded)
			continue;
		/* in front of a pooler (docs/poolers.md): held against that
		 * pooler's client limit; without one, its cap bounds what
		 * reaches the database, and its own CB021 is the check */
		if (in && (!in->has_client_limit || in->client_demand.unbounded ||
			   in->client_demand.peak > in->client_limit))
			continue;
		if (!in && (d->demand.unbounded || d->demand.peak > d->capacity))
			continue;
		limit = in ? in->client_limit : d->capacity;
		declared = in ? in->client_demand.peak : d->demand.peak;
		others = declared - f->server.peak;
		if (!u64_add(others, f->cap, &worst))
			worst = UINT64_MAX;
		if (worst <= limit)
			continue;
		for (k = 0; k < f->npools && k < LIST_MAX; k++) {
			const struct pool_fig *pf = &f->pools[k];
			sbuf_printf(&sb, "%s%s%s%s %" PRIu64, k ? ", " : "", pf->entry, pf->user ? "/" : "",
				    pf->user ? pf->user : "", pf->cap);
		}
		if (f->npools > LIST_MAX)
			sbuf_printf(&sb, " and %zu more", f->npools - LIST_MAX);
		pools = sbuf_detach(&sb);
		if (p->type.v == POOLER_PGCAT || p->type.v == POOLER_ODYSSEY) {
			npools[0] = 0;
			free(pools);
			pools = xasprintf("pool_size summed over %s %" PRIu64, p->type.v == POOLER_PGCAT ?
					  "users and server entries" : "its routes",
					  f->cap / (f->instances ? f->instances : 1));
		} else if (p->type.v != POOLER_PGPOOL) {
			snprintf(npools, sizeof(npools), "%zu %s: ", f->npools, f->npools == 1 ? "pool" : "pools");
		} else {
			npools[0] = 0;
			free(pools);
			pools = xasprintf("num_init_children %" PRIu64 " x max_pool %" PRIu64,
					  f->num_init_children, f->max_pool);
		}
		emit(ctx, &p->ignore, p->config.pos, "poolers", p->id.s,
		     "pooler '%s' can open %" PRIu64 " server connections to %s '%s' (%s%s); "
		     "with %s peak %" PRIu64 " that is %" PRIu64 " > %s %" PRIu64
		     ", although the declared peak %s %" PRIu64 " fits",
		     p->id.s, f->cap, in ? "pooler" : "database",
		     in ? t->poolers[p->inner].id.s : t->databases[p->db].id.s, npools, pools,
		     in ? "its other clients'" : "the other contributors'", others, worst,
		     in ? "client_limit" : "capacity", limit, in ? "client demand" : "demand", declared);
		free(pools);
	}
}

/* CB011: no idle_in_transaction_session_timeout (or 0, disabled). */
void check_idle_in_transaction(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	size_t i;

	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		const struct num *n = &d->idle_in_transaction_session_timeout;

		if (VALUE_SET(*n) && n->v > 0)
			continue;
		if (VALUE_SET(*n))
			emit(ctx, &d->ignore, pos_or(n, d->id.pos), "databases", d->id.s,
			     "idle_in_transaction_session_timeout is 0 (disabled) on database '%s'", d->id.s);
		else
			emit(ctx, &d->ignore, d->id.pos, "databases", d->id.s,
			     "database '%s' has no idle_in_transaction_session_timeout: a session idle "
			     "in a transaction holds its connection and locks forever", d->id.s);
	}
}

/* "host:port" with the host in lower case: CB012's key for an endpoint. */
static char *endpoint_key(const char *host, uint64_t port)
{
	char *k = xasprintf("%s:%" PRIu64, host, port), *p;

	for (p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

/* Does any host of ci equal host:port (host case-insensitively, no DNS)? */
static bool url_reaches(const struct conninfo *ci, const char *host, uint64_t port)
{
	size_t i;

	for (i = 0; i < ci->nhosts; i++)
		if (ci->hosts[i].port_valid && ci->hosts[i].port == port &&
		    strcasecmp(ci->hosts[i].name, host) == 0)
			return true;
	return false;
}

/* The first pooler (in file order) whose declared host:port a url host names. */
static bool url_pooler(const struct conninfo *ci, const struct strmap *poolers, size_t *index)
{
	size_t i, found;

	*index = SIZE_MAX;
	for (i = 0; i < ci->nhosts; i++) {
		char *k;

		if (!ci->hosts[i].port_valid)
			continue;
		k = endpoint_key(ci->hosts[i].name, ci->hosts[i].port);
		if (strmap_get(poolers, k, &found) && found < *index)
			*index = found;
		free(k);
	}
	return *index != SIZE_MAX;
}

/*
 * The chains' part of e (struct pooler_endpoints): a walk of each tree
 * from the pooler on the database outwards, with a stack of its own, so
 * that each pooler is entered after the one it sits in front of.
 */
static void pooler_chains_build(struct pooler_endpoints *e, const struct topology *t, const struct budget *b)
{
	size_t n = t->npoolers, *stack = xcalloc(n ? n : 1, sizeof(*stack)), *next = xcalloc(n ? n : 1, sizeof(*next));
	size_t i, sp, clock = 0;

	e->tin = xcalloc(n ? n : 1, sizeof(*e->tin));
	e->tout = xcalloc(n ? n : 1, sizeof(*e->tout));
	e->beyond = xcalloc(n ? n : 1, sizeof(*e->beyond));
	e->beyond_mode = xcalloc(n ? n : 1, sizeof(*e->beyond_mode));
	for (i = 0; i < n; i++) {
		if (t->poolers[i].via_pooler)
			continue;
		sp = 0;
		stack[sp++] = i;
		e->tin[i] = clock++;
		e->beyond[i] = SIZE_MAX;
		while (sp) {
			size_t q = stack[sp - 1];
			const struct pooler_fig *f = &b->poolers[q];

			size_t o;
			enum pool_mode m;

			if (next[q] == f->nouter) {
				e->tout[q] = clock++;
				sp--;
				continue;
			}
			o = f->outer[next[q]++];
			m = budget_outer_mode(b, q, o);
			/* q is nearer to o's clients than what lies beyond q: it wins a tie */
			if (breaks_sessions(&t->poolers[q], m) &&
			    (e->beyond[q] == SIZE_MAX || m >= e->beyond_mode[q])) {
				e->beyond[o] = q;
				e->beyond_mode[o] = m;
			} else {
				e->beyond[o] = e->beyond[q];
				e->beyond_mode[o] = e->beyond_mode[q];
			}
			e->tin[o] = clock++;
			stack[sp++] = o;
		}
	}
	free(stack);
	free(next);
}

void pooler_endpoints_build(struct pooler_endpoints *e, const struct topology *t, const struct budget *b)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	if (b && b->poolers)
		pooler_chains_build(e, t, b);
	e->keys = xcalloc(t->npoolers + 1, sizeof(*e->keys));
	e->n = t->npoolers;
	for (i = 0; i < t->npoolers; i++) {
		if (!t->poolers[i].host.s)
			continue;
		e->keys[i] = endpoint_key(t->poolers[i].host.s, budget_pooler_port(&t->poolers[i]));
		strmap_put(&e->map, e->keys[i], i, NULL); /* the first pooler keeps a shared key */
	}
}

void pooler_endpoints_release(struct pooler_endpoints *e)
{
	size_t i;

	free(e->tin);
	free(e->tout);
	free(e->beyond);
	free(e->beyond_mode);
	if (!e->keys) {
		memset(e, 0, sizeof(*e));
		return;
	}
	for (i = 0; i < e->n; i++)
		free(e->keys[i]);
	free(e->keys);
	strmap_release(&e->map);
	memset(e, 0, sizeof(*e));
}

/* Is pooler j one that pooler p sits in front of, directly or down its chain? */
static bool behind(const struct pooler_endpoints *e, size_t p, size_t j)
{
	return e->tin && e->tin[j] < e->tin[p] && e->tout[p] < e->tout[j];
}

/*
 * CB012: the url goes to the other endpoint: a pooled client's url names
 * its database's host:port or a pooler behind its own (docs/poolers.md),
 * or a direct client's url names a pooler's.
 * Skipped when that endpoint declares no host, or the url does not parse.
 * Poolers are found through ctx->endpoints, their "host:port" keys.
 */
void check_bypasses_pooler(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	const struct client *c = ctx->client->c;
	const struct client_cold *cc = client_cold(c);
	const struct conninfo *ci = rule_client_url(ctx);
	size_t j;

	if (!ci)
		return;
	if (c->via_pooler) {
		const struct database *d = &t->databases[model_client_database(t, c)];
		uint64_t port = VALUE_SET(d->port) ? d->port.v : PG_DEFAULT_PORT;

		if (d->host.s && url_reaches(ci, d->host.s, port))
			emit(ctx, &cc->ignore, cc->url.pos, "clients", c->id.s,
			     "client '%s' connects_to pooler '%s' but its url goes straight to "
			     "database '%s' at %s:%" PRIu64, c->id.s, t->poolers[c->target].id.s,
			     d->id.s, d->host.s, port);
		else if (url_pooler(ci, &ctx->endpoints->map, &j) && behind(ctx->endpoints, c->target, j))
			emit(ctx, &cc->ignore, cc->url.pos, "clients", c->id.s,
			     "client '%s' connects_to pooler '%s' but its url goes past it to pooler '%s' "
			     "at %s:%" PRIu64, c->id.s, t->poolers[c->target].id.s, t->poolers[j].id.s,
			     t->poolers[j].host.s, budget_pooler_port(&t->poolers[j]));
	} else if (url_pooler(ci, &ctx->endpoints->map, &j)) {
		const struct pooler *p = &t->poolers[j];
		emit(ctx, &cc->ignore, cc->url.pos, "clients", c->id.s,
		     "client '%s' connects_to database '%s' but its url goes through "
		     "pooler '%s' at %s:%" PRIu64, c->id.s, t->databases[c->target].id.s,
		     p->id.s, p->host.s, budget_pooler_port(p));
	}
}

/* CB013: a literal password in url (not a ${VAR} / $VAR placeholder). */
void check_password_in_url(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_cold *cc = client_cold(c);
	char *masked;

	if (!cc->url.s)
		return;
	/* a secret is what the masker masks, in every form it knows */
	masked = mask_password(cc->url.s);
	if (strcmp(masked, cc->url.s) != 0)
		emit(ctx, &cc->ignore, cc->url.pos, "clients", c->id.s,
		     "client '%s' has a password in its url '%s'", c->id.s, masked);
	free(masked);
}

static bool same_pos(struct pos a, struct pos b)
{
	return a.line == b.line && a.col == b.col && pos_file_index(a) == pos_file_index(b);
}

/*
 * CB014: the client's environment is not its database's. Points at the
 * client's own `environment:` when it sets one, else at the client.
 */
void check_cross_environment(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	const struct client *c = ctx->client->c;
	const struct database *d;
	struct pos at = c->id.pos;

	if (!c->environment.s)
		return;
	d = &t->databases[ctx->client->f->database];
	if (!d->environment.s || strcasecmp(c->environment.s, d->environment.s) == 0)
		return;
	if (c->environment.pos.line && !same_pos(c->environment.pos, t->environment.pos))
		at = c->environment.pos;
	emit(ctx, &client_cold(c)->ignore, at, "clients", c->id.s,
	     "client '%s' in environment '%s' connects to database '%s' in environment '%s'",
	     c->id.s, c->environment.s, d->id.s, d->environment.s);
}

/* CB015: Little's law needs more connections in flight than the client opens. */
void check_pool_below_load(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_cold *cc = client_cold(c);
	const struct client_fig *f = ctx->client->f;
	char *spike;

	if (!VALUE_SET(cc->load.rate) || !VALUE_SET(cc->load.hold))
		return; /* no Little's law figure */
	if (!f->has_needed || f->conn.unbounded || f->pool_unknown || f->needed <= f->conn.peak)
		return;
	spike = ctx->b->spike_pct == 100 ? xstrdup("") :
		xasprintf(" x spike %" PRIu64 ".%02" PRIu64, ctx->b->spike_pct / 100,
			  ctx->b->spike_pct % 100);
	emit(ctx, &cc->ignore, cc->load.pos.line ? cc->load.pos : c->id.pos, "clients", c->id.s,
	     "client '%s' needs %" PRIu64 " connections in flight (rate %.15g/s x hold %" PRIu64
	     "ms%s) but opens at most %" PRIu64, c->id.s, f->needed, cc->load.rate.v,
	     cc->load.hold.v, spike, f->conn.peak);
	free(spike);
}

/* CB016: a serverless client without max_concurrency (1000 assumed). */
void check_unbounded_concurrency(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_fig *f = ctx->client->f;
	char *peak;

	if (c->type.v != CLIENT_SERVERLESS || !f->concurrency_assumed)
		return;
	peak = f->conn.unbounded ? xstrdup("") :
	       xasprintf(", a peak of %" PRIu64 " connections", f->conn.peak);
	/* a function read from a Terraform plan: the plan is where its reservation is missing */
	emit(ctx, &client_cold(c)->ignore, client_cold(c)->source ? client_cold(c)->source->pos : c->id.pos,
	     "clients", c->id.s,
	     "serverless client '%s' has no max_concurrency; %" PRIu64 " is assumed%s",
	     c->id.s, f->max_concurrency, peak);
	free(peak);
}

/* CB017: more threads per process than one pool has connections. */
void check_threads_exceed_pool(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_fig *f = ctx->client->f;
	uint64_t pool = f->per_pool;

	if (!VALUE_SET(c->threads) || f->pool_unbounded || f->pool_unknown || c->threads.v <= pool)
		return;
	emit(ctx, &client_cold(c)->ignore, pos_or(&c->threads, c->id.pos), "clients", c->id.s,
	     "client '%s' runs %" PRIu64 " threads per process on a pool of %" PRIu64
	     " (pool.size %" PRIu64 " + pool.overflow %" PRIu64 "): %" PRIu64
	     " threads wait for a connection", c->id.s, c->threads.v, pool, f->pool_size,
	     f->pool_overflow, c->threads.v - pool);
}

/* CB019: a serverless instance serves one request; its pool needs 1 connection. */
void check_serverless_pool_size(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct client_fig *f = ctx->client->f;
	uint64_t per;
	struct pos at;

	if (c->type.v != CLIENT_SERVERLESS || f->pool_unbounded || f->pool_unknown)
		return;
	per = f->per_process - f->extra;
	if (per <= 1)
		return;
	at = VALUE_SET(c->pool.size) ? c->pool.size.pos : c->pool.pos.line ? c->pool.pos :
	     c->framework.s ? c->framework.pos : c->id.pos;
	emit(ctx, &client_cold(c)->ignore, at, "clients", c->id.s,
	     "serverless client '%s' allows %" PRIu64 " connections per instance (pool.count %"
	     PRIu64 " x (pool.size %" PRIu64 " + pool.overflow %" PRIu64 ")) where 1 is enough",
	     c->id.s, per, f->pool_count, f->pool_size, f->pool_overflow);
}

/* CB020: a workload's client whose pool size nothing gives (docs/sources.md). */
void check_unknown_pool_size(struct rule_ctx *ctx)
{
	const struct client *c = ctx->client->c;
	const struct workload_ref *src = client_cold(c)->source;

	if (!ctx->client->f->pool_unknown || !src)
		return;
	if (src->pool_vars)
		emit(ctx, &client_cold(c)->ignore, src->pos, "clients", c->id.s,
		     "client '%s' (%s/%s) has no pool size: %s%s %s set in its container; set %s, or "
		     "pool.size in the topology. Its demand is unknown and the sums it feeds are lower bounds",
		     c->id.s, src->kind, src->name, strstr(src->pool_vars, " or ") ? "none of " : "",
		     src->pool_vars, strstr(src->pool_vars, " or ") ? "is" : "is not",
		     strstr(src->pool_vars, " or ") ? "one" : "it");
	else
		emit(ctx, &client_cold(c)->ignore, src->pos, "clients", c->id.s,
		     "client '%s' (%s/%s) has no pool size: map the variable its application reads with "
		     "env: {pool.size: VAR} on the source, or set pool.size in the topology. Its demand is "
		     "unknown and the sums it feeds are lower bounds", c->id.s, src->kind, src->name);
}

/*--- CB023 --------------------------------------------------------------------*/

/* The versions whose storing differs: '?' before 16, \xNN from 16. */
static const int appname_versions[] = { 150000, APPNAME_ESCAPE_VERSION };

static const char *declared_appname(const struct client *c)
{
	return client_cold(c)->application_name.s ? client_cold(c)->application_name.s : c->id.s;
}

/* "<database index>\x1f<'0' + version slot>\x1f<stored name>", a new string. */
static char *appname_key(const struct topology *t, size_t i, size_t v)
{
	char *stored = appname_stored(declared_appname(&t->clients[i]), appname_versions[v]);
	char *key = xasprintf("%zu\x1f%zu\x1f%s", model_client_database(t, &t->clients[i]), v, stored);

	free(stored);
	return key;
}

void appname_index_build(struct appname_index *x, const struct topology *t)
{
	size_t i, v;
	bool altered = false;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < t->nclients && !altered; i++)
		altered = appname_altered(declared_appname(&t->clients[i]));
	if (!altered)
		return;
	x->built = true;
	x->n = t->nclients * ARRAY_LEN(appname_versions);
	x->keys = xcalloc(x->n, sizeof(*x->keys));
	strmap_reserve(&x->map, x->n);
	for (i = 0; i < t->nclients; i++)
		for (v = 0; v < ARRAY_LEN(appname_versions); v++) {
			char *key = appname_key(t, i, v);

			if (strmap_get(&x->map, key, &(size_t){ 0 })) {
				free(key);
				continue;
			}
			x->keys[i * ARRAY_LEN(appname_versions) + v] = key;
			strmap_put(&x->map, key, i, NULL);
		}
}

void appname_index_release(struct appname_index *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++)
		free(x->keys[i]);
	free(x->keys);
	strmap_release(&x->map);
	memset(x, 0, sizeof(*x));
}

/*
 * CB023: the client's application_name (its id by default) would be
 * stored other than as written (clipped to 63 bytes, or a byte outside
 * printable ASCII replaced), or it would be stored as the same name as an
 * earlier client's different one on the same database. Points at the
 * client's `application_name` when set, else at the client.
 */
void check_application_name_altered(struct rule_ctx *ctx)
{
	const struct topology *t = ctx->t;
	const struct client *c = ctx->client->c;
	const struct client_cold *cc = client_cold(c);
	const char *name = declared_appname(c);
	struct pos at = cc->application_name.s ? cc->application_name.pos : c->id.pos;
	const char *what = cc->application_name.s ? "application_name" : "id (its application_name)";
	size_t v, j;

	if (appname_altered(name)) {
		char *old = appname_stored(name, appname_versions[0]);
		char *now = appname_stored(name, appname_versions[1]);

		if (strcmp(old, now) == 0)
			emit(ctx, &cc->ignore, at, "clients", c->id.s,
			     "client '%s': %s of %zu bytes is stored by PostgreSQL as its first %d, '%s'",
			     c->id.s, what, strlen(name), APPNAME_MAX_BYTES, now);
		else
			emit(ctx, &cc->ignore, at, "clients", c->id.s,
			     "client '%s': %s '%s' is stored by PostgreSQL as '%s' (before 16) or '%s' "
			     "(16 and later)", c->id.s, what, name, old, now);
		free(old);
		free(now);
	}
	if (!ctx->appnames || !ctx->appnames->built)
		return;
	{
		size_t other[ARRAY_LEN(appname_versions)];
		bool clash[ARRAY_LEN(appname_versions)];
		char *stored;

		for (v = 0; v < ARRAY_LEN(appname_versions); v++) {
			char *key = appname_key(t, ctx->client->index, v);

			clash[v] = strmap_get(&ctx->appnames->map, key, &j) && j != ctx->client->index &&
				   strcmp(declared_appname(&t->clients[j]), name) != 0;
			other[v] = j;
			free(key);
		}
		if (!clash[0] && !clash[1])
			return;
		v = clash[0] ? 0 : 1;
		stored = appname_stored(name, appname_versions[v]);
		emit(ctx, &cc->ignore, at, "clients", c->id.s,
		     "client '%s' and client '%s' both appear as '%s' in pg_stat_activity "
		     "(%s), so their sessions cannot be told apart", c->id.s,
		     t->clients[other[v]].id.s, stored,
		     clash[0] && clash[1] ? "every PostgreSQL version" :
		     v == 0 ? "PostgreSQL 15 and earlier" : "PostgreSQL 16 and later");
		free(stored);
	}
}
