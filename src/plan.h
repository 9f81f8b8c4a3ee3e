/*
 * plan.h - `connbudget plan FILE`: what-if on a topology.
 *
 * The plan runs the one pipeline (load_set + load_validate → budget →
 * rules) on an edited model; it never computes a figure itself:
 *
 *  --set PATH=VALUE  overrides scalars with load_set, then the report and
 *                    findings are the plan's, and every figure that moved
 *                    is listed before → after (the baseline is the same
 *                    pipeline on the topology as written);
 *  --spike F         computes the figures with every load.hold × F
 *                    (budget_compute's spike factor) and finds the
 *                    breaking factor: the smallest F (in hundredths, up to
 *                    100) at which a database's steady demand exceeds its
 *                    capacity;
 *  --solve PATH      searches the boundary value of one integer field
 *                    over the real pipeline, under the --set/--spike plan.
 *
 * The report carries a plan_result as a section (plan_section) that the
 * reporters print as it is; the exit status stays the plan's.
 */
#ifndef CONNBUDGET_PLAN_H
#define CONNBUDGET_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "command.h"
#include "model.h"
#include "rules.h"

enum {
	PLAN_SOLVE_MAX = 1000000,    /* --solve searches up to this value (docs/decisions.md) */
	PLAN_SPIKE_MIN = 100,        /* the breaking-factor walk starts at F = 1.00 ... */
	PLAN_SPIKE_MAX = 10000,      /* ... and ends at F = 100.00 (hundredths) */
};

/* One --set, split at its first '=' (both malloc'd). */
struct plan_set {
	char *path, *value;
};

/* A figure that differs between the topology as written and under the plan. */
struct plan_change {
	char *path;                  /* "clients.api.peak", "databases.main.demand.steady" */
	uint64_t before, after;
	bool before_unbounded, after_unbounded;
};

/* A finding that stops a --solve search (copied: it outlives the probe). */
struct plan_blocker {
	const struct rule *rule;
	enum severity severity;
	char *message;
	char *object;
	struct pos pos;              /* pos.file points into the topology */
};

enum plan_solve_result {
	PLAN_SOLVED,                 /* value is the boundary; at is one step past it */
	PLAN_NO_LIMIT,               /* every value tried passes */
	PLAN_NO_VALUE,               /* no value tried passes; blockers are why */
};

struct plan_solve {
	char *path;
	bool raises_capacity;        /* the smallest passing value is wanted, not the largest */
	enum plan_solve_result result;
	uint64_t value;              /* PLAN_SOLVED: the largest (or smallest) value that passes */
	uint64_t at;                 /* PLAN_SOLVED: value + 1 (or − 1), where the blockers fire */
	uint64_t lo, hi;             /* the range searched */
	char *invalid;               /* at `at` the loader rejects the value itself: why, else NULL */
	struct plan_blocker *blockers;
	size_t nblockers;
	bool unrelated;              /* PLAN_NO_VALUE: blockers fire at every value tried */
};

struct plan_spike {
	uint64_t factor;             /* --spike F in hundredths */
	bool breaks;                 /* false: "never" (caps bound the demand up to 100×) */
	uint64_t breaking;           /* the smallest breaking F, in hundredths */
	char *database;              /* the first database over capacity at that F */
	uint64_t demand, capacity;   /* its steady demand and capacity there */
	bool unbounded;              /* its demand is unbounded (a CB010 pool) */
};

struct plan_result {
	struct plan_set *sets;
	size_t nsets;
	struct plan_change *changes; /* in the order clients, poolers, databases */
	size_t nchanges;
	bool has_solve;
	struct plan_solve solve;
	bool has_spike;
	struct plan_spike spike;
};

/* What the command line asks of the plan. */
struct plan_request {
	const char *const *sets;     /* "PATH=VALUE" */
	size_t nsets;
	const char *solve;           /* PATH, or NULL */
	bool has_spike;
	uint64_t spike;              /* hundredths (100 without --spike) */
	const struct rule_cli *cli;  /* --disable/--enable/--severity, or NULL */
	int fail_on;                 /* what counts as failing in --solve */
};

/* "2", "1.5", "2.25x" → hundredths (200, 150, 225); 0.01 to 100. */
bool plan_parse_factor(const char *s, uint64_t *hundredths);

/*
 * Run the plan on t (edited in place: the --set values stay applied).
 * Fills res, and b and f with the figures and findings under the plan (for
 * the report; release them with budget_release and findings_release).
 * Returns 0, or -1 with *err (caller frees): a bad --set path or value, a
 * --solve path that names no integer field, or an input error.
 */
int plan_run(struct topology *t, const struct plan_request *req, struct plan_result *res,
	     struct budget *b, struct findings *f, char **err);

/* Free what res holds; accepts a zeroed res. */
void plan_result_release(struct plan_result *res);

/* The `plan` command: FILE with --set / --solve / --spike. */
int command_plan(struct options *o);

/*
 * The report's "plan" section of p (struct report_section): the JSON
 * object, and the text section (the --set values, the changed figures
 * before → after, the spike and solve results) plain and in colour. The
 * caller releases s with report_section_release.
 */
void plan_section(const struct plan_result *p, struct report_section *s);

/* Add the "plan" object to a cJSON object; 0, or -1 when cJSON could not
 * allocate. */
int plan_json(const struct plan_result *p, void *cjson_parent);

#endif
