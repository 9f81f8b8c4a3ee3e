/*
 * graph.c - the topology as a picture, for the mermaid and dot writers
 * (docs/graph.md): which nodes and edges there are, the lines of text on
 * each, their colour and marks. Every number is a figure of the budget as
 * it is (a folded node's edge carries budget_conn_sum of its clients); the
 * writers (mermaid.c, dot.c) only spell the picture in their language.
 *
 * Order is the model's: clients in file order (a folded node where its
 * first client stands), then poolers, then databases, so that a change to
 * the topology changes only its own lines of the picture.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

/* What each mark says on its node (see enum graph_mark: adding one). */
static const struct {
	unsigned mark;
	const char *note;
} marks[] = {
	{ GRAPH_MARK_UNBOUNDED, "unbounded: no pool limit" },
	{ GRAPH_MARK_ASSUMED, "assumed: no max_concurrency" },
};

bool graph_char_ok(uint32_t cp)
{
	return !quote_char_hidden(cp) && (cp < 0xFFFD || cp > 0xFFFF);
}

const char *graph_state_class(enum graph_state s)
{
	switch (s) {
	case GRAPH_UNDER:
		return "under";
	case GRAPH_HEADROOM:
		return "headroom";
	case GRAPH_OVER:
		return "over";
	case GRAPH_NEUTRAL:
		break;
	}
	return "";
}

const char *graph_kind_prefix(enum graph_kind k)
{
	switch (k) {
	case GRAPH_CLIENT:
		return "client";
	case GRAPH_FOLD:
		return "fold";
	case GRAPH_POOLER:
		return "pooler";
	case GRAPH_DATABASE:
		break;
	}
	return "db";
}

static struct graph_node *add_node(struct graph *g, enum graph_kind k, unsigned file, const char *key)
{
	struct graph_node *n;

	xgrow(&g->nodes, &g->ncap, g->nnodes + 1, sizeof(*g->nodes));
	n = &g->nodes[g->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->file = file;
	n->key = key;
	return n;
}

/* Add a line of text to n, formatted into the graph's arena. */
static void PRINTF_LIKE(3, 4) add_line(struct graph *g, struct graph_node *n, const char *fmt, ...)
{
	va_list ap;

	assert(n->nlines < GRAPH_MAX_LINES);
	va_start(ap, fmt);
	n->line[n->nlines++] = arena_vasprintf(&g->arena, fmt, ap);
	va_end(ap);
}

/* The environment line, when the object's differs from the topology's. */
static void env_line(struct graph *g, struct graph_node *n, const struct topology *t, const char *env)
{
	if (env && t->environment.s && strcmp(env, t->environment.s) != 0)
		add_line(g, n, "environment %s", env);
}

/* One line per mark set on n. */
static void mark_lines(struct graph *g, struct graph_node *n)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(marks); i++)
		if (n->marks & marks[i].mark)
			add_line(g, n, "%s", marks[i].note);
}

/* "steady 120, peak 400", "server steady 25, peak 25" or "unbounded". */
static const char *amount_label(struct graph *g, const char *what, const struct amount *a)
{
	char s[REPORT_NUM_LEN], p[REPORT_NUM_LEN];

	if (a->unbounded)
		return arena_printf(&g->arena, "%sunbounded", what);
	if (a->unknown) /* CB020: a workload's pool size nothing gives */
		return arena_printf(&g->arena, "%sunknown", what);
	report_u64(s, a->steady);
	report_u64(p, a->peak);
	if (a->lower_bound)
		return arena_printf(&g->arena, "%ssteady \u2265 %s, peak \u2265 %s", what, s, p);
	return arena_printf(&g->arena, "%ssteady %s, peak %s", what, s, p);
}

static void add_edge(struct graph *g, size_t from, size_t to, const struct amount *a, const char *what)
{
	struct graph_edge *e;

	xgrow(&g->edges, &g->ecap, g->nedges + 1, sizeof(*g->edges));
	e = &g->edges[g->nedges++];
	e->from = from;
	e->to = to;
	e->marks = a->unbounded ? GRAPH_MARK_UNBOUNDED : 0;
	e->label = amount_label(g, what, a);
}

/*
 * "service, 1 instance", "service, 3 to 10 instances": low (steady) and
 * high (peak) from the figures, one noun for 1 and another for the rest.
 */
static void range_line(struct graph *g, struct graph_node *n, const char *type, uint64_t low,
		       uint64_t high, const char *one, const char *many)
{
	char l[REPORT_NUM_LEN], h[REPORT_NUM_LEN];

	report_u64(l, low);
	report_u64(h, high);
	if (low == high)
		add_line(g, n, "%s, %s %s", type, l, low == 1 ? one : many);
	else
		add_line(g, n, "%s, %s to %s %s", type, l, h, many);
}

/* A client's own node: id, type and instances, processes, environment, marks. */
static void client_node(struct graph *g, const struct report_file *rf, unsigned file, size_t i)
{
	const struct client *c = &rf->topo->clients[i];
	enum client_type type = (enum client_type)c->type.v;
	struct graph_node *n = add_node(g, GRAPH_CLIENT, file, c->id.s);
	struct client_fig f;
	char num[REPORT_NUM_LEN];

	budget_client(rf->budget, i, &f);
	if (f.conn.unbounded)
		n->marks |= GRAPH_MARK_UNBOUNDED;
	if (f.concurrency_assumed)
		n->marks |= GRAPH_MARK_ASSUMED;
	add_line(g, n, "%s", c->id.s);
	if (type == CLIENT_SERVERLESS) {
		range_line(g, n, client_type_name(type), f.concurrency, f.max_concurrency, "concurrent",
			   "concurrent");
	} else {
		range_line(g, n, client_type_name(type), f.replicas, f.peak_instances, "instance",
			   "instances");
		if (f.processes != 1) {
			report_u64(num, f.processes);
			add_line(g, n, "%s processes each", num);
		}
	}
	env_line(g, n, rf->topo, c->environment.s);
	mark_lines(g, n);
}

/*
 * A folded node for clients[0..n) (same type, target and environment):
 * "42 serverless clients", the first and last ids, environment, marks.
 */
static void fold_node(struct graph *g, const struct report_file *rf, unsigned file,
		      const size_t *clients, size_t n)
{
	const struct client *first = &rf->topo->clients[clients[0]];
	const struct client *last = &rf->topo->clients[clients[n - 1]];
	struct graph_node *node = add_node(g, GRAPH_FOLD, file, first->id.s);
	size_t i;

	for (i = 0; i < n; i++) {
		struct client_fig f;

		budget_client(rf->budget, clients[i], &f);
		if (f.conn.unbounded)
			node->marks |= GRAPH_MARK_UNBOUNDED;
		if (f.concurrency_assumed)
			node->marks |= GRAPH_MARK_ASSUMED;
	}
	add_line(g, node, "%zu %s clients", n, client_type_name((enum client_type)first->type.v));
	add_line(g, node, "%s ... %s", first->id.s, last->id.s);
	env_line(g, node, rf->topo, first->environment.s);
	mark_lines(g, node);
}

static void pooler_node(struct graph *g, const struct report_file *rf, unsigned file, size_t p)
{
	const struct pooler *pl = &rf->topo->poolers[p];
	const struct pooler_fig *f = &rf->budget->poolers[p];
	enum pooler_type type = (enum pooler_type)pl->type.v;
	struct graph_node *n = add_node(g, GRAPH_POOLER, file, pl->id.s);
	char cap[REPORT_NUM_LEN], inst[REPORT_NUM_LEN], lim[REPORT_NUM_LEN];

	if (f->cap_unbounded) {
		snprintf(cap, sizeof(cap), "unbounded"); /* CB010: a pool without limit */
		n->marks |= GRAPH_MARK_UNBOUNDED;
	} else {
		report_u64(cap, f->cap);
	}
	report_u64(inst, f->instances);
	add_line(g, n, "%s", pl->id.s);
	if (type == POOLER_PGBOUNCER)
		add_line(g, n, "%s, %s mode", pooler_type_name(type), pool_mode_name(f->pool_mode));
	else
		add_line(g, n, "%s", pooler_type_name(type));
	if (f->instances > 1)
		add_line(g, n, "cap %s, %s instances", cap, inst);
	else
		add_line(g, n, "cap %s", cap);
	if (f->has_client_limit) {
		report_u64(lim, f->client_limit);
		add_line(g, n, "client limit %s", lim);
		/* CB009's test; an unbounded client is CB010's alone, its edge marked */
		if (!f->client_demand.unbounded && f->client_demand.peak > f->client_limit)
			n->state = GRAPH_OVER;
	}
	env_line(g, n, rf->topo, pl->environment.s);
}

static void database_node(struct graph *g, const struct report_file *rf, unsigned file, size_t db)
{
	static const struct {
		enum graph_state state;
		const char *words;
	} states[] = {
		[DB_UNDER_BUDGET] = { GRAPH_UNDER, "under budget" },
		[DB_IN_HEADROOM] = { GRAPH_HEADROOM, "within headroom" },
		[DB_OVER_CAPACITY] = { GRAPH_OVER, "over capacity" },
	};
	const struct database *d = &rf->topo->databases[db];
	const struct db_fig *f = &rf->budget->dbs[db];
	enum report_db_state st = report_db_state(f);
	struct graph_node *n = add_node(g, GRAPH_DATABASE, file, d->id.s);
	char cap[REPORT_NUM_LEN], bud[REPORT_NUM_LEN], peak[REPORT_NUM_LEN], max[REPORT_NUM_LEN];
	uint64_t pct;

	report_u64(cap, f->capacity);
	report_u64(bud, f->budget);
	report_u64(peak, f->demand.peak);
	report_u64(max, f->max_connections);
	n->state = states[st].state;
	add_line(g, n, "%s", d->id.s);
	add_line(g, n, "capacity %s, budget %s", cap, bud);
	if (report_util_percent(f, &pct)) {
		add_line(g, n, "peak %s of max %s: %llu%%", peak, max, (unsigned long long)pct);
	} else {
		n->marks |= GRAPH_MARK_UNBOUNDED;
		add_line(g, n, "peak unbounded of max %s", max);
	}
	add_line(g, n, "%s", states[st].words);
	env_line(g, n, rf->topo, d->environment.s);
}

/*
 * The fold groups of one topology: clients with the same type, target
 * (pooler or database) and environment. group[i] is client i's group;
 * members lists each group's clients in file order from start[g]
 * (counting sort). Returns the number of groups; the caller frees the
 * three arrays.
 */
static size_t fold_groups(const struct topology *t, size_t **group_out, size_t **start_out,
			  size_t **members_out)
{
	struct strmap keys = { 0 };
	struct arena a = { 0 };
	size_t *group = xbig_calloc(t->nclients ? t->nclients : 1, sizeof(*group));
	size_t *members = xbig_calloc(t->nclients ? t->nclients : 1, sizeof(*members));
	size_t *start, *fill, ngroups = 0, i;

	for (i = 0; i < t->nclients; i++) {
		const struct client *c = &t->clients[i];
		char *key = arena_printf(&a, "%u %c %u %s", (unsigned)c->type.v, c->via_pooler ? 'p' : 'd',
					      (unsigned)c->target, c->environment.s ? c->environment.s : "");
		size_t old;

		if (strmap_put(&keys, key, ngroups, &old))
			group[i] = ngroups++;
		else
			group[i] = old;
	}
	start = xcalloc(ngroups + 1, sizeof(*start));
	fill = xcalloc(ngroups + 1, sizeof(*fill));
	for (i = 0; i < t->nclients; i++)
		start[group[i] + 1]++;
	for (i = 0; i < ngroups; i++)
		start[i + 1] += start[i];
	memcpy(fill, start, (ngroups + 1) * sizeof(*fill));
	for (i = 0; i < t->nclients; i++)
		members[fill[group[i]]++] = i;
	free(fill);
	strmap_release(&keys);
	arena_release(&a);
	*group_out = group;
	*start_out = start;
	*members_out = members;
	return ngroups;
}

/*
 * The nodes and edges of one file, appended to g: every client's node (a
 * folded group's once, where its first client stands), the poolers', the
 * databases'; then an edge per client (per folded group) and per pooler.
 */
static void graph_file(struct graph *g, const struct report_file *rf, unsigned file)
{
	const struct topology *t = rf->topo;
	size_t *group, *start, *members, *fold_of, *cnode, ngroups, pooler_base, db_base, i;

	ngroups = fold_groups(t, &group, &start, &members);
	fold_of = xcalloc(ngroups + 1, sizeof(*fold_of));
	cnode = xbig_calloc(t->nclients ? t->nclients : 1, sizeof(*cnode));
	for (i = 0; i < ngroups; i++)
		fold_of[i] = SIZE_MAX;
	for (i = 0; i < t->nclients; i++) {
		size_t gi = group[i], n = start[gi + 1] - start[gi];

		if (n <= GRAPH_FOLD_ABOVE) {
			cnode[i] = g->nnodes;
			client_node(g, rf, file, i);
			continue;
		}
		if (fold_of[gi] == SIZE_MAX) {
			fold_of[gi] = g->nnodes;
			fold_node(g, rf, file, members + start[gi], n);
		}
		cnode[i] = fold_of[gi];
	}
	pooler_base = g->nnodes;
	for (i = 0; i < t->npoolers; i++)
		pooler_node(g, rf, file, i);
	db_base = g->nnodes;
	for (i = 0; i < t->ndatabases; i++)
		database_node(g, rf, file, i);

	for (i = 0; i < t->nclients; i++) {
		const struct client *c = &t->clients[i];
		size_t gi = group[i], n = start[gi + 1] - start[gi];
		size_t to = (c->via_pooler ? pooler_base : db_base) + c->target;
		struct amount a;

		if (n <= GRAPH_FOLD_ABOVE)
			a = budget_conn(rf->budget, i);
		else if (members[start[gi]] == i)
			a = budget_conn_sum(rf->budget, members + start[gi], n);
		else
			continue; /* its group's edge is drawn */
		add_edge(g, cnode[i], to, &a, "");
	}
	/* a pooler in front of a pooler: its edge goes to that pooler */
	for (i = 0; i < t->npoolers; i++)
		add_edge(g, pooler_base + i, t->poolers[i].via_pooler ? pooler_base + t->poolers[i].inner :
					     db_base + t->poolers[i].db, &rf->budget->poolers[i].server, "server ");
	free(fold_of);
	free(start);
	xbig_free(cnode);
	xbig_free(group);
	xbig_free(members);
}

void graph_build(struct graph *g, const struct report_file *files, size_t nfiles)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	g->nfiles = nfiles;
	for (i = 0; i < nfiles; i++)
		if (files[i].topo && files[i].budget && files[i].budget->dbs)
			graph_file(g, &files[i], (unsigned)i);
}

void graph_release(struct graph *g)
{
	if (!g)
		return;
	arena_release(&g->arena);
	free(g->nodes);
	free(g->edges);
	memset(g, 0, sizeof(*g));
}
