/*
 * plan.c - `connbudget plan`: --set, --spike and --solve on the one
 * pipeline (see plan.h).
 *
 * Nothing here computes a figure. A plan edits the model with load_set,
 * validates it with load_validate, and asks budget_compute and rules_run
 * what the topology looks like then; the changed figures are a comparison
 * of two struct budget, the breaking factor a search over budget_compute's
 * spike factor, and --solve a search over whole pipeline runs.
 */
#include "plan.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "report/report.h"
#include "quote.h"

/* ANSI escapes for the text section (used only with colour). */
#define BOLD "\033[1m"
#define RED "\033[1;31m"
#define GREEN "\033[1;32m"
#define RESET "\033[0m"

bool plan_parse_factor(const char *s, uint64_t *hundredths)
{
	uint64_t whole = 0, frac = 0;
	const char *p = s;
	int digits = 0, decimals = 0;

	for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	if (!digits)
		return false;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && decimals < 2; p++, decimals++)
			frac = frac * 10 + (uint64_t)(*p - '0');
		if (!decimals)
			return false;
		if (decimals == 1)
			frac *= 10;
	}
	if (*p == 'x' || *p == 'X')
		p++;
	if (*p)
		return false;
	*hundredths = whole * 100 + frac;
	return *hundredths >= 1 && *hundredths <= PLAN_SPIKE_MAX;
}

/* ---- the figures that moved --------------------------------------------- */

static void add_change(struct plan_result *r, char *path, uint64_t before, bool bu, uint64_t after,
		       bool au)
{
	if (bu == au && (bu || before == after)) {
		free(path);
		return;
	}
	r->changes = xrealloc(r->changes, (r->nchanges + 1) * sizeof(*r->changes));
	r->changes[r->nchanges++] = (struct plan_change){ path, before, after, bu, au };
}

/* A count that is never unbounded. */
static void change_u64(struct plan_result *r, const char *sec, const char *id, const char *what,
		       uint64_t before, uint64_t after)
{
	add_change(r, xasprintf("%s.%s.%s", sec, id, what), before, false, after, false);
}

/* The steady and peak of an amount ("clients.api.steady", "....peak"). */
static void change_amount(struct plan_result *r, const char *prefix, const struct amount *b,
			  const struct amount *a)
{
	add_change(r, xasprintf("%s.steady", prefix), b->steady, b->unbounded, a->steady, a->unbounded);
	add_change(r, xasprintf("%s.peak", prefix), b->peak, b->unbounded, a->peak, a->unbounded);
}

/*
 * Every figure that differs between base (the topology as written) and
 * plan, in the order the demand flows: clients, poolers, databases.
 * base_clients are base's client figures, taken before the model was
 * edited (budget_client would now derive the edited ones).
 */
static void diff_budgets(const struct topology *t, const struct budget *base,
			 const struct client_fig *base_clients, const struct budget *plan,
			 struct plan_result *r)
{
	size_t i;

	for (i = 0; i < t->nclients; i++) {
		struct client_fig after;
		const struct client_fig *b = &base_clients[i], *a = budget_client(plan, i, &after);
		const char *id = t->clients[i].id.s;
		char *prefix = xasprintf("clients.%s", id);

		if (t->clients[i].type.v == CLIENT_SERVERLESS)
			change_u64(r, "clients", id, "concurrency", b->concurrency, a->concurrency);
		change_amount(r, prefix, &b->conn, &a->conn);
		if (b->has_needed || a->has_needed)
			change_u64(r, "clients", id, "needed", b->needed, a->needed);
		free(prefix);
	}
	for (i = 0; i < t->npoolers; i++) {
		const struct pooler_fig *b = &base->poolers[i], *a = &plan->poolers[i];
		const char *id = t->poolers[i].id.s;
		char *prefix;

		change_u64(r, "poolers", id, "cap", b->cap, a->cap);
		if (b->has_client_limit || a->has_client_limit)
			change_u64(r, "poolers", id, "client_limit", b->client_limit, a->client_limit);
		prefix = xasprintf("poolers.%s.client_demand", id);
		change_amount(r, prefix, &b->client_demand, &a->client_demand);
		free(prefix);
		prefix = xasprintf("poolers.%s.server", id);
		change_amount(r, prefix, &b->server, &a->server);
		free(prefix);
	}
	for (i = 0; i < t->ndatabases; i++) {
		const struct db_fig *b = &base->dbs[i], *a = &plan->dbs[i];
		const char *id = t->databases[i].id.s;
		char *prefix = xasprintf("databases.%s.demand", id);

		change_u64(r, "databases", id, "max_connections", b->max_connections, a->max_connections);
		change_u64(r, "databases", id, "capacity", b->capacity, a->capacity);
		change_u64(r, "databases", id, "budget", b->budget, a->budget);
		if (b->has_optimum && a->has_optimum)
			change_u64(r, "databases", id, "optimum", b->optimum, a->optimum);
		change_amount(r, prefix, &b->demand, &a->demand);
		free(prefix);
	}
}

/* ---- --spike: the breaking factor ---------------------------------------- */

/*
 * The first database whose steady demand exceeds its capacity with every
 * load.hold × pct/100, or -1 when none does (or -2 with *err when the
 * figures overflow). *demand and *capacity describe the database found.
 */
static int over_capacity_at(const struct topology *t, uint64_t pct, struct plan_spike *s,
			    char **err)
{
	struct budget b;
	size_t i;
	int found = -1;

	if (budget_compute(t, pct, &b, err) != 0)
		return -2;
	for (i = 0; i < t->ndatabases; i++) {
		const struct db_fig *d = &b.dbs[i];
		if (d->demand.unbounded || d->demand.steady > d->capacity) {
			found = (int)i;
			s->unbounded = d->demand.unbounded;
			s->demand = d->demand.steady;
			s->capacity = d->capacity;
			break;
		}
	}
	budget_release(&b);
	return found;
}

/*
 * The breaking factor: the smallest F = 1.00, 1.01, … 100.00 at which a
 * database's steady demand exceeds its capacity (docs/decisions.md). Steady demand
 * never falls as F grows (each term is a min of a cap and ceil(rate × hold
 * × F)), so a binary search over the hundredths finds the same F as the
 * walk does, in 14 steps instead of up to 9901.
 */
static int find_breaking(const struct topology *t, struct plan_spike *s, char **err)
{
	uint64_t lo = PLAN_SPIKE_MIN, hi = PLAN_SPIKE_MAX, mid;
	int db;

	s->breaks = false;
	db = over_capacity_at(t, hi, s, err);
	if (db == -2)
		return -1;
	if (db < 0)
		return 0;
	db = over_capacity_at(t, lo, s, err);
	if (db == -2)
		return -1;
	if (db < 0) {
		/* lo holds, hi breaks: keep that invariant */
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			db = over_capacity_at(t, mid, s, err);
			if (db == -2)
				return -1;
			if (db >= 0)
				hi = mid;
			else
				lo = mid;
		}
		lo = hi;
		db = over_capacity_at(t, lo, s, err);
		if (db < 0)
			return -1;
	}
	s->breaks = true;
	s->breaking = lo;
	s->database = xstrdup(t->databases[db].id.s);
	return 0;
}

/* ---- --solve: the boundary of one integer field --------------------------- */

enum section { SEC_DATABASES, SEC_POOLERS, SEC_CLIENTS };

/*
 * The fields --solve can search, and which way they push: raising a field
 * that adds demand (or takes capacity away) gives the largest value that
 * still passes; raising one that adds capacity gives the smallest that
 * passes. lo excludes a 0 that means "unlimited" rather than "none".
 */
static const struct solve_field {
	enum section sec;
	const char *name;
	bool capacity;
	uint64_t lo;
	size_t off;              /* of the struct num in the object (cold: in its struct client_cold) */
	bool cold;
} solve_fields[] = {
	{ SEC_CLIENTS, "replicas", false, 0, offsetof(struct client, replicas), false },
	{ SEC_CLIENTS, "max_replicas", false, 0, offsetof(struct client, max_replicas), false },
	{ SEC_CLIENTS, "surge", false, 0, offsetof(struct client, surge), false },
	{ SEC_CLIENTS, "processes", false, 0, offsetof(struct client, processes), false },
	{ SEC_CLIENTS, "threads", false, 0, offsetof(struct client, threads), false },
	{ SEC_CLIENTS, "cpus", false, 0, offsetof(struct client, cpus), false },
	{ SEC_CLIENTS, "pool.size", false, 1, offsetof(struct client, pool.size), false }, /* 0 = unbounded */
	{ SEC_CLIENTS, "pool.count", false, 0, offsetof(struct client_cold, pool_count), true },
	{ SEC_CLIENTS, "pool.overflow", false, 0, offsetof(struct client_cold, pool_overflow), true },
	{ SEC_CLIENTS, "extra_connections", false, 0, offsetof(struct client_cold, extra_connections), true },
	{ SEC_CLIENTS, "concurrency", false, 0, offsetof(struct client_cold, concurrency), true },
	{ SEC_CLIENTS, "max_concurrency", false, 0, offsetof(struct client, max_concurrency), false },
	{ SEC_CLIENTS, "load.hold", false, 0, offsetof(struct client_cold, load.hold), true },
	{ SEC_POOLERS, "instances", false, 0, offsetof(struct pooler, instances), false },
	{ SEC_POOLERS, "default_pool_size", false, 0, offsetof(struct pooler, default_pool_size), false },
	{ SEC_POOLERS, "reserve_pool_size", false, 0, offsetof(struct pooler, reserve_pool_size), false },
	{ SEC_POOLERS, "max_client_conn", true, 0, offsetof(struct pooler, max_client_conn), false },
	/* max_db_connections 0 means unlimited */
	{ SEC_POOLERS, "max_db_connections", false, 1, offsetof(struct pooler, max_db_connections), false },
	{ SEC_POOLERS, "max_connections_percent", false, 0,
	  offsetof(struct pooler, max_connections_percent), false },
	{ SEC_DATABASES, "max_connections", true, 0, offsetof(struct database, max_connections), false },
	{ SEC_DATABASES, "superuser_reserved_connections", false, 0,
	  offsetof(struct database, superuser_reserved_connections), false },
	{ SEC_DATABASES, "reserved_connections", false, 0,
	  offsetof(struct database, reserved_connections), false },
	{ SEC_DATABASES, "headroom", false, 0, offsetof(struct database, headroom), false },
	{ SEC_DATABASES, "cores", true, 0, offsetof(struct database, cores), false },
	{ SEC_DATABASES, "spindles", true, 0, offsetof(struct database, spindles), false },
};

/* The effective value of an unset field, from the plan's figures. */
static uint64_t effective_value(const struct solve_field *sf, const struct budget *b, size_t i)
{
	static const struct {
		enum section sec;
		const char *name;
		size_t off;
	} figs[] = {
		{ SEC_CLIENTS, "replicas", offsetof(struct client_fig, replicas) },
		{ SEC_CLIENTS, "max_replicas", offsetof(struct client_fig, max_replicas) },
		{ SEC_CLIENTS, "surge", offsetof(struct client_fig, surge) },
		{ SEC_CLIENTS, "processes", offsetof(struct client_fig, processes) },
		{ SEC_CLIENTS, "pool.size", offsetof(struct client_fig, pool_size) },
		{ SEC_CLIENTS, "pool.count", offsetof(struct client_fig, pool_count) },
		{ SEC_CLIENTS, "pool.overflow", offsetof(struct client_fig, pool_overflow) },
		{ SEC_CLIENTS, "extra_connections", offsetof(struct client_fig, extra) },
		{ SEC_CLIENTS, "concurrency", offsetof(struct client_fig, concurrency) },
		{ SEC_CLIENTS, "max_concurrency", offsetof(struct client_fig, max_concurrency) },
		{ SEC_POOLERS, "instances", offsetof(struct pooler_fig, instances) },
		{ SEC_POOLERS, "default_pool_size", offsetof(struct pooler_fig, default_pool_size) },
		{ SEC_POOLERS, "reserve_pool_size", offsetof(struct pooler_fig, reserve_pool_size) },
		{ SEC_POOLERS, "max_client_conn", offsetof(struct pooler_fig, max_client_conn) },
		{ SEC_POOLERS, "max_db_connections", offsetof(struct pooler_fig, max_db_connections) },
		{ SEC_POOLERS, "max_connections_percent", offsetof(struct pooler_fig, max_connections_percent) },
		{ SEC_DATABASES, "max_connections", offsetof(struct db_fig, max_connections) },
		{ SEC_DATABASES, "superuser_reserved_connections", offsetof(struct db_fig, superuser_reserved) },
		{ SEC_DATABASES, "reserved_connections", offsetof(struct db_fig, reserved) },
		{ SEC_DATABASES, "headroom", offsetof(struct db_fig, headroom) },
	};
	struct client_fig fig;
	const char *base = sf->sec == SEC_CLIENTS ? (const char *)budget_client(b, i, &fig) :
			   sf->sec == SEC_POOLERS ? (const char *)&b->poolers[i] :
						    (const char *)&b->dbs[i];
	size_t k;

	for (k = 0; k < ARRAY_LEN(figs); k++)
		if (figs[k].sec == sf->sec && strcmp(figs[k].name, sf->name) == 0)
			return *(const uint64_t *)(const void *)(base + figs[k].off);
	return 0; /* threads, cpus, load.hold, cores, spindles: absent is none */
}

/* A search in progress: the object PATH names, kept intact between probes. */
struct solver {
	struct topology *t;
	const char *path;
	void *obj;
	void *saved;             /* the object as it was before the search */
	size_t size;
	uint64_t spike;
	const struct rule_cli *cli;
	int fail_on;
	/* the blockers found at every valid value probed so far (PLAN_NO_VALUE) */
	struct plan_blocker *common;
	size_t ncommon;
	bool common_set;
};

/* What one value gives: pass, or why not. */
struct probe {
	bool pass;
	char *invalid;           /* the loader rejects the value (its message), else NULL */
	struct plan_blocker *b;  /* the findings at or above --fail-on */
	size_t n;
};

static void blockers_free(struct plan_blocker *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(b[i].message);
		free(b[i].object);
	}
	free(b);
}

static void probe_release(struct probe *p)
{
	free(p->invalid);
	blockers_free(p->b, p->n);
	memset(p, 0, sizeof(*p));
}

/* Does a finding of this severity fail the run at --fail-on? */
static bool blocks(enum severity s, int fail_on)
{
	return fail_on != LEVEL_OFF && (int)s >= fail_on;
}

/* The message of a "file:line:col: error: message" (or of "--set X: message"). */
static char *bare_message(char *err)
{
	const char *m = strstr(err, ": error: ");
	char *s;

	if (m)
		m += strlen(": error: ");
	else if (strncmp(err, "--set ", 6) == 0 && (m = strstr(err, ": ")))
		m += 2;
	else
		m = err;
	s = xstrdup(m);
	free(err);
	return s;
}

static bool same_blocker(const struct plan_blocker *a, const struct plan_blocker *b)
{
	return a->rule == b->rule && strcmp(a->object, b->object) == 0;
}

/* Keep in s->common only the blockers that p also has. */
static void intersect_common(struct solver *s, const struct probe *p)
{
	size_t i, j, keep = 0;

	if (p->invalid)
		return; /* an invalid value says nothing about findings */
	if (!s->common_set) {
		s->common = xcalloc(p->n ? p->n : 1, sizeof(*s->common));
		for (i = 0; i < p->n; i++) {
			s->common[i] = p->b[i];
			s->common[i].message = xstrdup(p->b[i].message);
			s->common[i].object = xstrdup(p->b[i].object);
		}
		s->ncommon = p->n;
		s->common_set = true;
		return;
	}
	for (i = 0; i < s->ncommon; i++) {
		bool found = false;
		for (j = 0; j < p->n && !found; j++)
			found = same_blocker(&s->common[i], &p->b[j]);
		if (found) {
			s->common[keep++] = s->common[i];
		} else {
			free(s->common[i].message);
			free(s->common[i].object);
		}
	}
	s->ncommon = keep;
}

/*
 * Run the pipeline with PATH = v: load_set, load_validate, budget, rules;
 * then put the object back as it was. Returns 0 with *p filled, or -1 with
 * *err when the rules cannot run at all (an error unrelated to v).
 */
static int probe(struct solver *s, uint64_t v, struct probe *p, char **err)
{
	char value[24], *e = NULL;
	struct budget b;
	struct findings f;
	size_t i;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	memset(&b, 0, sizeof(b));
	memset(&f, 0, sizeof(f));
	snprintf(value, sizeof(value), "%" PRIu64, v);
	if (load_set(s->t, s->path, value, &e) != 0 || load_validate(s->t, &e) != 0 ||
	    budget_compute(s->t, s->spike, &b, &e) != 0) {
		p->invalid = bare_message(e ? e : xasprintf("%s: invalid value %s", s->path, value));
		goto out;
	}
	if (rules_run(s->t, &b, s->cli, &f, &e) != 0) {
		*err = e;
		rc = -1;
		goto out;
	}
	for (i = 0; i < f.n; i++) {
		const struct finding *x = &f.v[i];
		if (!blocks(x->severity, s->fail_on))
			continue;
		p->b = xrealloc(p->b, (p->n + 1) * sizeof(*p->b));
		p->b[p->n++] = (struct plan_blocker){ x->rule, x->severity, xstrdup(x->message),
						       xstrdup(x->object ? x->object : ""), x->pos };
	}
	p->pass = p->n == 0;
	intersect_common(s, p);
out:
	memcpy(s->obj, s->saved, s->size);
	budget_release(&b);
	findings_release(&f);
	return rc;
}

/* v moved by d toward "up" or down, clamped to [lo, hi]. */
static uint64_t step(uint64_t v, uint64_t d, bool up, uint64_t lo, uint64_t hi)
{
	if (up)
		return hi - v < d ? hi : v + d;
	return v - lo < d ? lo : v - d;
}

/*
 * Gallop from v in one direction (1, 2, 4, … steps) for a value that
 * passes. Returns 1 and *found, 0 when none did up to the end of the
 * range, -1 on error.
 */
static int gallop_for_pass(struct solver *s, uint64_t v, bool up, uint64_t lo, uint64_t hi,
			   uint64_t *found, char **err)
{
	uint64_t d, w, last = v;
	struct probe p;

	for (d = 1;; d *= 2) {
		w = step(v, d, up, lo, hi);
		if (w == last)
			return 0;
		last = w;
		if (probe(s, w, &p, err) != 0)
			return -1;
		if (p.pass) {
			probe_release(&p);
			*found = w;
			return 1;
		}
		probe_release(&p);
	}
}

/* Hand a probe's blockers (and invalid message) over to the result. */
static void take_blockers(struct plan_solve *out, struct probe *p)
{
	out->invalid = p->invalid;
	out->blockers = p->b;
	out->nblockers = p->n;
	memset(p, 0, sizeof(*p));
}

/*
 * The search: an anchor that passes (the current value when it does,
 * else the nearest value found by galloping toward less demand, then the
 * other way), then gallop from the anchor in the boundary's direction
 * until a value fails, and bisect between the last pass and the first
 * fail. Assumes pass/fail changes once on that side of the anchor, which
 * holds for every rule that counts connections.
 */
static int solve_search(struct solver *s, const struct solve_field *sf, uint64_t cur,
			struct plan_solve *out, char **err)
{
	uint64_t lo = sf->lo, hi = PLAN_SOLVE_MAX, anchor = 0, pass_v, fail_v, d, w, mid;
	bool up = !sf->capacity; /* the boundary lies above the anchor for demand fields */
	struct probe p, fail_p;
	int rc;

	memset(&fail_p, 0, sizeof(fail_p));
	out->lo = lo;
	out->hi = hi;
	cur = cur < lo ? lo : cur > hi ? hi : cur;
	if (probe(s, cur, &p, err) != 0)
		return -1;
	if (p.pass) {
		anchor = cur;
		probe_release(&p);
	} else {
		rc = gallop_for_pass(s, cur, !up, lo, hi, &anchor, err);
		if (rc == 0)
			rc = gallop_for_pass(s, cur, up, lo, hi, &anchor, err);
		if (rc < 0) {
			probe_release(&p);
			return -1;
		}
		if (rc == 0) {
			out->result = PLAN_NO_VALUE;
			if (s->ncommon) {
				out->unrelated = true;
				out->blockers = s->common;
				out->nblockers = s->ncommon;
				s->common = NULL;
				s->ncommon = 0;
				probe_release(&p);
			} else {
				take_blockers(out, &p);
			}
			return 0;
		}
		probe_release(&p);
	}
	/* gallop from the anchor toward the boundary */
	pass_v = anchor;
	for (d = 1;; d *= 2) {
		w = step(anchor, d, up, lo, hi);
		if (w == pass_v) {
			out->result = PLAN_NO_LIMIT;
			out->value = w;
			return 0;
		}
		if (probe(s, w, &fail_p, err) != 0)
			return -1;
		if (!fail_p.pass) {
			fail_v = w;
			break;
		}
		probe_release(&fail_p);
		pass_v = w;
	}
	/* bisect: pass_v passes, fail_v fails */
	while ((up ? fail_v - pass_v : pass_v - fail_v) > 1) {
		mid = up ? pass_v + (fail_v - pass_v) / 2 : fail_v + (pass_v - fail_v) / 2;
		if (probe(s, mid, &p, err) != 0) {
			probe_release(&fail_p);
			return -1;
		}
		if (p.pass) {
			pass_v = mid;
			probe_release(&p);
		} else {
			fail_v = mid;
			probe_release(&fail_p);
			fail_p = p;
		}
	}
	out->result = PLAN_SOLVED;
	out->value = pass_v;
	out->at = fail_v;
	take_blockers(out, &fail_p);
	return 0;
}

/*
 * --solve PATH: find the object and field, then search. A PATH the loader
 * does not know is reported in the loader's words; a known field that is
 * not a count is refused with the list of those that are.
 */
static int plan_solve(struct topology *t, const struct plan_request *req, const struct budget *b,
		      struct plan_solve *out, char **err)
{
	static const char *const sections[] = { "databases", "poolers", "clients" };
	const char *path = req->solve, *dot1 = strchr(path, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	const struct solve_field *sf = NULL;
	struct solver s;
	struct sbuf names = { 0 };
	char *id = NULL, *e = NULL;
	size_t k, idx = 0, i;
	bool found = false;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	out->path = xstrdup(path);
	for (k = 0; dot1 && dot2 && k < ARRAY_LEN(sections); k++)
		if (strlen(sections[k]) == (size_t)(dot1 - path) &&
		    strncmp(path, sections[k], (size_t)(dot1 - path)) == 0)
			break;
	if (dot1 && dot2 && k < ARRAY_LEN(sections)) {
		id = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
		found = k == SEC_DATABASES ? model_find_database(t, id, &idx) :
			k == SEC_POOLERS ? model_find_pooler(t, id, &idx) : model_find_client(t, id, &idx);
		for (i = 0; found && i < ARRAY_LEN(solve_fields); i++)
			if (solve_fields[i].sec == (enum section)k && strcmp(solve_fields[i].name, dot2 + 1) == 0)
				sf = &solve_fields[i];
	}
	if (found) {
		s.obj = k == SEC_DATABASES ? (void *)&t->databases[idx] :
			k == SEC_POOLERS ? (void *)&t->poolers[idx] : (void *)&t->clients[idx];
		s.size = k == SEC_DATABASES ? sizeof(struct database) :
			 k == SEC_POOLERS ? sizeof(struct pooler) : sizeof(struct client);
		s.saved = xmalloc(s.size);
		memcpy(s.saved, s.obj, s.size);
	}
	if (!sf) {
		/* let the loader name what is wrong with the path (undoing a success) */
		if (load_set(t, path, "1", &e) != 0 && (strstr(e, "unknown") || strstr(e, "expected SECTION") ||
							 strstr(e, "is a group"))) {
			*err = strncmp(e, "--set ", 6) == 0 ? xasprintf("--solve %s", e + 6) : xstrdup(e);
			goto out;
		}
		if (!found) {
			*err = xasprintf("--solve %s: expected SECTION.ID.FIELD naming a count, e.g. "
					 "clients.api.replicas", path);
			goto out;
		}
		memcpy(s.obj, s.saved, s.size);
		for (i = 0; i < ARRAY_LEN(solve_fields); i++)
			if (solve_fields[i].sec == (enum section)k)
				sbuf_printf(&names, "%s%s", names.len ? ", " : "", solve_fields[i].name);
		*err = xasprintf("--solve %s: not a count connbudget can search; for %s: %s", path,
				 sections[k], names.s ? names.s : "none");
		goto out;
	}
	out->raises_capacity = sf->capacity;
	s.t = t;
	s.path = path;
	s.spike = req->spike;
	s.cli = req->cli;
	s.fail_on = req->fail_on;
	{
		const char *base = sf->cold ? (const char *)client_cold(s.obj) : (const char *)s.obj;
		const struct num *n = (const struct num *)(const void *)(base + sf->off);
		bool percent = k == SEC_CLIENTS && strcmp(sf->name, "surge") == 0 &&
			       ((const struct client *)s.obj)->surge_percent;
		uint64_t cur = VALUE_SET(*n) && !percent ? n->v : effective_value(sf, b, idx);

		rc = solve_search(&s, sf, cur, out, err);
	}
	/* the object is as it was; validate once more so every resolved index is too */
	if (rc == 0 && load_validate(t, err) != 0)
		rc = -1;
out:
	free(e);
	free(id);
	free(s.saved);
	blockers_free(s.common, s.ncommon);
	sbuf_release(&names);
	return rc;
}

/* ---- the plan ------------------------------------------------------------ */

/* Replace every occurrence of v (of SET_HIDE_MIN bytes or more) in *s by LOAD_SET_HIDDEN. */
enum { SET_HIDE_MIN = 4 };

static void hide_text(char **s, const char *v)
{
	const char *p = *s, *q;
	size_t n = strlen(v);
	struct sbuf b = { 0 };

	if (n < SET_HIDE_MIN || !strstr(p, v))
		return;
	while ((q = strstr(p, v)) != NULL) {
		sbuf_add(&b, p, (size_t)(q - p));
		sbuf_puts(&b, LOAD_SET_HIDDEN);
		p = q + n;
	}
	sbuf_puts(&b, p);
	free(*s);
	*s = sbuf_detach(&b);
}

/*
 * A validation error after --set may quote a value it set (`unknown
 * database or pooler "..."`), as written or masked: both are replaced by
 * LOAD_SET_HIDDEN in *err. Shorter values than SET_HIDE_MIN (a count, a
 * mode) are left, or every "1" of a line number would go.
 */
static void hide_set_values(char **err, const struct plan_result *res)
{
	size_t i;

	for (i = 0; *err && i < res->nsets; i++) {
		char *masked = mask_password(res->sets[i].value);

		hide_text(err, masked);
		hide_text(err, res->sets[i].value);
		free(masked);
	}
}

int plan_run(struct topology *t, const struct plan_request *req, struct plan_result *res,
	     struct budget *b, struct findings *f, char **err)
{
	struct budget base;
	struct client_fig *base_clients = NULL;
	size_t i;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	memset(b, 0, sizeof(*b));
	memset(f, 0, sizeof(*f));
	memset(&base, 0, sizeof(base));
	*err = NULL;
	/* the baseline: the topology as written, no spike */
	if (budget_compute(t, 100, &base, err) != 0)
		return -1;
	base_clients = xcalloc(t->nclients ? t->nclients : 1, sizeof(*base_clients));
	for (i = 0; i < t->nclients; i++)
		budget_client(&base, i, &base_clients[i]);
	res->sets = xcalloc(req->nsets ? req->nsets : 1, sizeof(*res->sets));
	for (i = 0; i < req->nsets; i++) {
		const char *eq = strchr(req->sets[i], '=');

		if (!eq || eq == req->sets[i]) {
			/* the argument may be "$DATABASE_URL": never quoted */
			*err = xstrdup("--set (argument not shown): expected PATH=VALUE, e.g. "
				       "clients.api.replicas=6");
			goto out;
		}
		res->sets[i].path = xstrndup(req->sets[i], (size_t)(eq - req->sets[i]));
		res->sets[i].value = xstrdup(eq + 1);
		res->nsets = i + 1;
		if (load_set(t, res->sets[i].path, res->sets[i].value, err) != 0)
			goto out;
	}
	if (req->nsets && load_validate(t, err) != 0) {
		hide_set_values(err, res);
		goto out;
	}
	if (budget_compute(t, req->spike, b, err) != 0 || rules_run(t, b, req->cli, f, err) != 0)
		goto out;
	diff_budgets(t, &base, base_clients, b, res);
	if (req->has_spike) {
		res->has_spike = true;
		res->spike.factor = req->spike;
		if (find_breaking(t, &res->spike, err) != 0)
			goto out;
	}
	if (req->solve) {
		res->has_solve = true;
		if (plan_solve(t, req, b, &res->solve, err) != 0)
			goto out;
	}
	rc = 0;
out:
	free(base_clients);
	budget_release(&base);
	if (rc != 0) {
		budget_release(b);
		findings_release(f);
		memset(f, 0, sizeof(*f));
	}
	return rc;
}

void plan_result_release(struct plan_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->nsets; i++) {
		free(res->sets[i].path);
		free(res->sets[i].value);
	}
	free(res->sets);
	for (i = 0; i < res->nchanges; i++)
		free(res->changes[i].path);
	free(res->changes);
	free(res->solve.path);
	free(res->solve.invalid);
	blockers_free(res->solve.blockers, res->solve.nblockers);
	free(res->spike.database);
	memset(res, 0, sizeof(*res));
}

/* ---- the command ---------------------------------------------------------- */

int command_plan(struct options *o)
{
	struct plan_request req;
	struct plan_result res;
	struct budget b;
	struct findings f;
	struct report_file rf;
	struct report_section section;
	struct report r;
	struct topology *t = NULL;
	struct load_errors errs = { 0 };
	char *err = NULL, *def = NULL, *path;
	int status = EXIT_ERROR;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	memset(&b, 0, sizeof(b));
	memset(&f, 0, sizeof(f));
	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: plan takes at most one FILE\n");
		return EXIT_ERROR;
	}
	req.sets = o->sets;
	req.nsets = o->nsets;
	req.solve = o->solve;
	req.spike = 100;
	req.cli = &o->rules;
	req.fail_on = o->fail_on;
	if (o->spike) {
		if (!plan_parse_factor(o->spike, &req.spike)) {
			quote_fprintf(stderr, "connbudget: error: --spike: expected a factor from 0.01 to 100 with "
					"at most two decimals (e.g. 2 or 1.5), got \"%s\"", str_clip(o->spike));
			return EXIT_ERROR;
		}
		req.has_spike = true;
	}
	path = command_one_file(o, "plan", &def);
	if (!path)
		return EXIT_ERROR;
	t = load_file_errors(path, &errs);
	if (!t) {
		command_print_load_errors(&errs);
		if (report_format_carries_errors(o->format)) {
			/* the document says why: no figures, the errors (docs/formats.md) */
			memset(&r, 0, sizeof(r));
			r.command = "plan";
			r.input_errors = &errs;
			(void)command_write_report(o, &r); /* exit 2 whatever it finds */
		}
		goto out;
	}
	if (plan_run(t, &req, &res, &b, &f, &err) != 0) {
		if (err && strncmp(err, "--", 2) == 0)
			quote_fprintf(stderr, "connbudget: error: %s", err);
		else
			quote_fputs_line(stderr, err ? err : "connbudget: error: cannot run the plan");
		goto out;
	}
	rf.topo = t;
	rf.budget = &b;
	rf.findings = &f;
	plan_section(&res, &section);
	memset(&r, 0, sizeof(r));
	r.files = &rf;
	r.nfiles = 1;
	r.command = "plan";
	r.sections = &section;
	r.nsections = 1;
	status = command_write_report(o, &r);
	report_section_release(&section);
	budget_release(&b);
	findings_release(&f);
out:
	load_errors_release(&errs);
	free(err);
	free(def);
	plan_result_release(&res);
	model_free(t);
	return status;
}

/* ---- text ------------------------------------------------------------------ */

static void fmt_count(char buf[24], uint64_t v, bool unbounded)
{
	if (unbounded)
		snprintf(buf, 24, "unbounded");
	else
		snprintf(buf, 24, "%" PRIu64, v);
}

/* "2.00" from hundredths. */
static void fmt_factor(char buf[24], uint64_t h)
{
	snprintf(buf, 24, "%" PRIu64 ".%02" PRIu64, h / 100, h % 100);
}

/* One blocker as "CB001 peak demand …", appended to sb. */
static void put_blocker(struct sbuf *sb, const struct plan_blocker *b)
{
	sbuf_printf(sb, "%s ", b->rule->id);
	quote_text_str(sb, b->message);
}

static void print_solve(struct sbuf *out, const struct plan_solve *s, bool color)
{
	const char *bold = color ? BOLD : "", *reset = color ? RESET : "";
	struct sbuf sb = { 0 };
	size_t i;

	switch (s->result) {
	case PLAN_SOLVED:
		if (s->raises_capacity)
			sbuf_printf(&sb, "%s must be at least %s%" PRIu64 "%s", s->path, bold, s->value, reset);
		else
			sbuf_printf(&sb, "%s can go up to %s%" PRIu64 "%s", s->path, bold, s->value, reset);
		sbuf_printf(&sb, " (at %" PRIu64 ": ", s->at);
		if (s->invalid)
			quote_text_str(&sb, s->invalid);
		for (i = 0; !s->invalid && i < s->nblockers; i++) {
			if (i)
				sbuf_puts(&sb, "; ");
			put_blocker(&sb, &s->blockers[i]);
		}
		sbuf_puts(&sb, ")");
		break;
	case PLAN_NO_LIMIT:
		if (s->raises_capacity)
			sbuf_printf(&sb, "%s can go down to %" PRIu64 ": every value from %" PRIu64
				    " to %" PRIu64 " passes", s->path, s->value, s->lo, s->hi);
		else
			sbuf_printf(&sb, "%s has no limit: every value up to %" PRIu64 " passes",
				    s->path, s->value);
		break;
	case PLAN_NO_VALUE:
		sbuf_printf(&sb, "no value of %s from %" PRIu64 " to %" PRIu64 " passes", s->path,
			    s->lo, s->hi);
		sbuf_puts(&sb, s->unrelated ? "; these findings, unrelated to it, fire at every value tried:"
					    : "; at the current value:");
		if (s->invalid) {
			sbuf_puts(&sb, "\n           ");
			quote_text_str(&sb, s->invalid);
		}
		/* each blocker one line, its file name and message through quote_text */
		for (i = 0; i < s->nblockers; i++) {
			const struct plan_blocker *b = &s->blockers[i];
			sbuf_puts(&sb, "\n           ");
			quote_text_str(&sb, pos_file(b->pos));
			sbuf_printf(&sb, ":%u:%u: %s: ", b->pos.line, b->pos.col, severity_name(b->severity));
			quote_text_str(&sb, b->message);
			sbuf_printf(&sb, " [%s %s]", b->rule->id, b->rule->name);
		}
		break;
	}
	sbuf_printf(out, "  %ssolve%s    %s\n", bold, reset, sb.s);
	sbuf_release(&sb);
}

static void print_spike(struct sbuf *out, const struct plan_spike *s, bool color)
{
	const char *bold = color ? BOLD : "", *reset = color ? RESET : "";
	const char *ink = color ? (s->breaks ? RED : GREEN) : "";
	char f[24], hold[24];

	if (!s->breaks) {
		sbuf_printf(out, "  %sspike%s    %snever breaks%s: steady demand stays within capacity "
			    "up to a 100x latency spike (max_concurrency and pooler caps bound it)\n",
			    bold, reset, ink, reset);
		return;
	}
	fmt_factor(f, s->breaking);
	if (s->breaking == PLAN_SPIKE_MIN) {
		sbuf_printf(out, "  %sspike%s    %sbreaks at 1.00x%s: database '%s' is over capacity "
			    "without a spike (steady demand ", bold, reset, ink, reset, s->database);
	} else {
		fmt_factor(hold, s->breaking - 1);
		sbuf_printf(out, "  %sspike%s    holds up to a %sx latency spike; %sbreaks at %sx%s: "
			    "database '%s' steady demand ", bold, reset, hold, ink, f, reset, s->database);
	}
	if (s->unbounded)
		sbuf_puts(out, "is unbounded)\n");
	else
		sbuf_printf(out, "%" PRIu64 " exceeds capacity %" PRIu64 "%s\n", s->demand, s->capacity,
			    s->breaking == PLAN_SPIKE_MIN ? ")" : "");
}

/* The plan section of the text report (changed figures, spike, solve), appended to out. */
static void plan_text(struct sbuf *out, const struct plan_result *p, bool color)
{
	const char *bold = color ? BOLD : "", *reset = color ? RESET : "";
	/* → on a terminal, padded to the two columns of "->" */
	const char *arrow = color ? "\xE2\x86\x92 " : "->";
	size_t i, wpath = strlen("figure"), wnum = strlen("before");
	char f[24], before[24], after[24];

	sbuf_printf(out, "%splan%s\n", bold, reset);
	for (i = 0; i < p->nsets; i++) {
		char *v = mask_password(p->sets[i].value);
		sbuf_puts(out, "  set      ");
		quote_text_str(out, p->sets[i].path);
		sbuf_puts(out, " = ");
		quote_text_str(out, v);
		sbuf_putc(out, '\n');
		free(v);
	}
	if (p->has_spike) {
		fmt_factor(f, p->spike.factor);
		sbuf_printf(out, "  spike    %sx: every load.hold multiplied by %s\n", f, f);
	}
	if (!p->nsets && !p->has_spike)
		sbuf_puts(out, "  no --set or --spike: the figures are the topology's own\n");
	for (i = 0; i < p->nchanges; i++) {
		const struct plan_change *c = &p->changes[i];
		size_t n = strlen(c->path);

		wpath = n > wpath ? n : wpath;
		fmt_count(before, c->before, c->before_unbounded);
		fmt_count(after, c->after, c->after_unbounded);
		wnum = strlen(before) > wnum ? strlen(before) : wnum;
		wnum = strlen(after) > wnum ? strlen(after) : wnum;
	}
	if (p->nchanges) {
		sbuf_printf(out, "  %-*s  %*s    %*s\n", (int)wpath, "figure", (int)wnum, "before",
			    (int)wnum, "after");
		for (i = 0; i < p->nchanges; i++) {
			const struct plan_change *c = &p->changes[i];

			fmt_count(before, c->before, c->before_unbounded);
			fmt_count(after, c->after, c->after_unbounded);
			sbuf_printf(out, "  %-*s  %*s %s %s%*s%s\n", (int)wpath, c->path, (int)wnum, before,
				    arrow, bold, (int)wnum, after, reset);
		}
	} else if (p->nsets || p->has_spike) {
		sbuf_puts(out, "  no figure changed\n");
	}
	if (p->has_spike)
		print_spike(out, &p->spike, color);
	if (p->has_solve)
		print_solve(out, &p->solve, color);
	sbuf_putc(out, '\n');
}

/* ---- JSON ------------------------------------------------------------------ */

/* key: v as an exact integer (raw decimal: no rounding above 2^53). */
static bool json_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_AddRawToObject(o, key, buf) != NULL;
}

/* key: a count, or null beside "<key>_unbounded": true. */
static bool json_count(cJSON *o, const char *key, uint64_t v, bool unbounded)
{
	char flag[64];

	if (!unbounded)
		return json_u64(o, key, v);
	snprintf(flag, sizeof(flag), "%s_unbounded", key);
	return cJSON_AddNullToObject(o, key) && cJSON_AddTrueToObject(o, flag);
}

/* A --set value as JSON: an integer or decimal stays a number, the rest a string. */
static bool json_set_value(cJSON *o, const char *key, const char *v)
{
	size_t n = strspn(v, "0123456789");

	if (n && n < 19 && !v[n] && (v[0] != '0' || n == 1))
		return cJSON_AddRawToObject(o, key, v) != NULL;
	if (n && v[n] == '.' && v[n + 1] && strspn(v + n + 1, "0123456789") == strlen(v + n + 1) &&
	    (v[0] != '0' || n == 1))
		return cJSON_AddRawToObject(o, key, v) != NULL;
	return cJSON_AddStringToObject(o, key, v) != NULL;
}

static bool json_blocker(cJSON *arr, const struct plan_blocker *b)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return false;
	}
	return cJSON_AddStringToObject(o, "rule", b->rule->id) &&
	       cJSON_AddStringToObject(o, "name", b->rule->name) &&
	       cJSON_AddStringToObject(o, "severity", severity_name(b->severity)) &&
	       cJSON_AddStringToObject(o, "message", b->message) &&
	       cJSON_AddStringToObject(o, "file", pos_file(b->pos) ? pos_file(b->pos) : "") &&
	       json_u64(o, "line", b->pos.line) && json_u64(o, "column", b->pos.col) &&
	       cJSON_AddStringToObject(o, "object", b->object);
}

static bool json_solve(cJSON *plan, const struct plan_solve *s)
{
	static const char *const results[] = { "solved", "no_limit", "no_value" };
	cJSON *o = cJSON_AddObjectToObject(plan, "solve"), *arr;
	size_t i;

	if (!o || !cJSON_AddStringToObject(o, "path", s->path))
		return false;
	if (s->result == PLAN_SOLVED ? !json_u64(o, "value", s->value)
				     : !cJSON_AddNullToObject(o, "value"))
		return false;
	if (!cJSON_AddStringToObject(o, "result", results[s->result]) ||
	    !cJSON_AddStringToObject(o, "direction", s->raises_capacity ? "min" : "max") ||
	    !json_u64(o, "lo", s->lo) || !json_u64(o, "hi", s->hi))
		return false;
	if (s->result == PLAN_SOLVED ? !json_u64(o, "at", s->at) : !cJSON_AddNullToObject(o, "at"))
		return false;
	if (s->invalid ? !cJSON_AddStringToObject(o, "invalid", s->invalid)
		       : !cJSON_AddNullToObject(o, "invalid"))
		return false;
	if (!(arr = cJSON_AddArrayToObject(o, "blocked_by")))
		return false;
	for (i = 0; i < s->nblockers; i++)
		if (!json_blocker(arr, &s->blockers[i]))
			return false;
	return true;
}

static bool json_spike(cJSON *plan, const struct plan_spike *s)
{
	cJSON *o = cJSON_AddObjectToObject(plan, "spike");

	if (!o || !cJSON_AddNumberToObject(o, "factor", (double)s->factor / 100.0))
		return false;
	if (!s->breaks)
		return cJSON_AddNullToObject(o, "breaking_factor") && cJSON_AddNullToObject(o, "database");
	return cJSON_AddNumberToObject(o, "breaking_factor", (double)s->breaking / 100.0) &&
	       cJSON_AddStringToObject(o, "database", s->database) &&
	       json_count(o, "steady_demand", s->demand, s->unbounded) &&
	       json_u64(o, "capacity", s->capacity);
}

int plan_json(const struct plan_result *p, void *cjson_parent)
{
	cJSON *plan = cJSON_AddObjectToObject(cjson_parent, "plan"), *set, *changes;
	size_t i;

	if (!plan || !(set = cJSON_AddObjectToObject(plan, "set")))
		return -1;
	for (i = 0; i < p->nsets; i++) {
		char *v = mask_password(p->sets[i].value);
		bool ok = json_set_value(set, p->sets[i].path, v);
		free(v);
		if (!ok)
			return -1;
	}
	if (!(changes = cJSON_AddArrayToObject(plan, "changes")))
		return -1;
	for (i = 0; i < p->nchanges; i++) {
		const struct plan_change *c = &p->changes[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(changes, o)) {
			cJSON_Delete(o);
			return -1;
		}
		if (!cJSON_AddStringToObject(o, "path", c->path) ||
		    !json_count(o, "before", c->before, c->before_unbounded) ||
		    !json_count(o, "after", c->after, c->after_unbounded))
			return -1;
	}
	if (p->has_solve && !json_solve(plan, &p->solve))
		return -1;
	if (p->has_spike && !json_spike(plan, &p->spike))
		return -1;
	return 0;
}

void plan_section(const struct plan_result *p, struct report_section *s)
{
	struct sbuf plain = { 0 }, color = { 0 };
	cJSON *parent = cJSON_CreateObject();

	memset(s, 0, sizeof(*s));
	s->name = "plan";
	if (parent && plan_json(p, parent) == 0)
		s->json = cJSON_DetachItemFromObjectCaseSensitive(parent, s->name);
	cJSON_Delete(parent);
	plan_text(&plain, p, false);
	plan_text(&color, p, true);
	s->text = plain.s;
	s->text_color = color.s;
}
