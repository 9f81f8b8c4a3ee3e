/*
 * rules.h - the rule registry (docs/rules) and the findings it produces.
 *
 * How to add a rule: there are 4 things to do.
 *  1. Write `void check_<name>(struct rule_ctx *ctx)` in rule_checks.c,
 *     declared with the others in rules_impl.h:
 *     for a database or pooler rule, walk the model and figures; for a
 *     client rule, look at the one client in ctx->client (rules_run calls
 *     it once per client). Call rule_emit for every object that breaks the
 *     rule, with the numbers that caused it.
 *  2. Add one row to `rule_registry[]` in rules.c: id, name, default
 *     severity, scope, the check, a one-line summary and the full
 *     documentation (why it matters, how to fix, a YAML example).
 *  3. Add golden cases under testdata/rules/<id>/: at least one
 *     `fires.yaml` + `fires.expected` and one `passes.yaml` + `passes.expected`.
 *  4. Run `make docs` to regenerate docs/rules and the man page.
 * A test fails when a rule lacks documentation or golden cases.
 */
#ifndef CONNBUDGET_RULES_H
#define CONNBUDGET_RULES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "conninfo.h"
#include "load.h"
#include "model.h"
#include "util.h"

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

/* A rule's effective level: a severity, or off. */
enum { LEVEL_OFF = -1 };

const char *severity_name(enum severity s);
/* "error" | "warning" | "info" → severity; "off" → LEVEL_OFF; else false. */
bool severity_parse(const char *s, int *level);

/* What kind of object a rule checks (junit: one testcase per rule × object). */
enum rule_scope { SCOPE_DATABASE, SCOPE_POOLER, SCOPE_CLIENT };

struct rule_ctx;

struct rule {
	const char *id;       /* "CB001" */
	const char *name;     /* "over-capacity" */
	enum severity severity;
	enum rule_scope scope;
	void (*check)(struct rule_ctx *ctx); /* NULL: emitted elsewhere (observe, config) */
	const char *summary;  /* one line, lowercase, no full stop */
	const char *doc;      /* why it matters, how to fix, a YAML example */
};

extern const struct rule rule_registry[];
extern const size_t rule_count;

/* By id ("CB001", any case) or name ("over-capacity"); NULL when unknown. */
const struct rule *rule_find(const char *id_or_name);
size_t rule_index(const struct rule *r);

struct finding {
	const struct rule *rule;
	enum severity severity;  /* after lint.severity / --severity */
	uint32_t order;          /* findings_sort's: its file's place in the topology */
	char *message;           /* with the numbers; passwords already masked */
	struct pos pos;
	char *object;            /* "databases.main", "clients.api", "poolers.bouncer" */
};

/*
 * The findings for one topology, sorted by file order, line, column, rule
 * id. The array is an xbig array; messages and objects live in the arena.
 */
struct findings {
	struct finding *v;
	size_t n, cap;
	int *level;              /* effective level per registry row (LEVEL_OFF or a severity) */
	struct suppress_state *sup; /* rules_prepare's: today, lint.disable per rule (NULL: none) */
	/* the `ignore:` / `lint.disable` entries that suppressed a finding or
	 * brought one back (xgrow'd, may repeat): CB022 reports the others */
	const struct str **used;
	size_t nused, used_cap;
	struct arena arena;      /* every message and object */
};

/*
 * How suppressions are judged in one run, resolved by rules_prepare (and
 * released with its findings): the day an `until` is held against, and per
 * registry row the lint.disable entry that turns the rule off, or the
 * expired one whose findings come back with a note.
 */
struct suppress_state {
	uint32_t today;          /* YYYYMMDD */
	struct lint_entry {
		const struct str *entry;          /* in t->lint_disable; NULL: none */
		const struct suppress_info *info; /* its reason and until (NULL: a plain entry) */
		bool expired;        /* only an expired entry names the rule: it runs */
		bool shadow;         /* off by this entry alone: run unseen, to judge the entry (CB022) */
	} *disable;
};

/*
 * Add a finding of r about object at sev, unless the object's ignore list
 * (may be NULL) suppresses it: an entry naming r whose `until` has not
 * passed drops it; one that has passed, or an expired lint.disable entry
 * of r, brings it back with the reason and a note that the suppression
 * expired. Either way the entry is recorded as used in sink. sup (may be
 * NULL: today from the clock, no lint.disable) is the run's; sink may be
 * another thread's findings. With shadow, nothing is added: the finding
 * only marks r's lint.disable entry used.
 */
void findings_suppress_vadd(const struct suppress_state *sup, struct findings *sink,
			    const struct strlist *ignore, bool shadow, const struct rule *r,
			    enum severity sev, struct pos pos, const char *object, const char *fmt,
			    va_list ap) PRINTF_LIKE(9, 0);
/*
 * Append a finding of rule r at sev: its message formatted from fmt, it
 * and object copied into f's arena.
 */
void findings_vadd(struct findings *f, const struct rule *r, enum severity sev, struct pos pos,
		   const char *object, const char *fmt, va_list ap) PRINTF_LIKE(6, 0);
void findings_release(struct findings *f);
/* Sort f as rules_run does (after appending findings of one's own, as observe does). */
void findings_sort(struct findings *f, const struct topology *t);

/* Command-line rule settings: they win over the file's `lint:`. */
struct rule_cli {
	int *level;              /* per registry row: LEVEL_OFF, a severity, or RULE_CLI_UNSET */
	bool *enable;            /* --enable: on even when the file's lint disables it */
	uint32_t today;          /* --today as YYYYMMDD; 0: the clock's (UTC) */
	bool require_reason;     /* --require-reason: a suppression without a reason is an error */
};
enum { RULE_CLI_UNSET = -2 };
void rule_cli_init(struct rule_cli *c);
void rule_cli_release(struct rule_cli *c);
/* --disable LIST, --enable LIST (comma separated ids or names), --severity RULE=LEVEL.
 * Return 0, or -1 with *err (caller frees) naming the bad rule or level. */
int rule_cli_disable(struct rule_cli *c, const char *list, char **err);
int rule_cli_enable(struct rule_cli *c, const char *list, char **err);
int rule_cli_severity(struct rule_cli *c, const char *spec, char **err);

/*
 * Run every enabled rule over t and its figures b. cli may be NULL.
 * Returns 0, or -1 with *err "file:line:col: error: ..." when the file names
 * an unknown rule (in `ignore`, `lint.disable`, `lint.severity`) or level,
 * or (--require-reason) has a suppression without a reason.
 */
int rules_run(const struct topology *t, const struct budget *b, const struct rule_cli *cli,
	      struct findings *out, char **err);

/*
 * rules_run in two steps, so that the checks can run on a thread of their
 * own (command.c does, beside the JSON report's figures). rules_prepare is
 * the part that can fail: it checks the ignore lists and resolves each
 * rule's level into out, with rules_run's return and *err; on -1, out
 * holds nothing. rules_check then runs the checks and sorts the findings;
 * it reads t and b and writes only out.
 */
int rules_prepare(const struct topology *t, const struct rule_cli *cli, struct findings *out,
		  char **err);
/*
 * The same with every bad rule reference of the file (an unknown rule in
 * an ignore list, lint.disable or lint.severity, an unknown level, a
 * missing reason), sorted by position (load.h's list and its limit):
 * -1 with errs holding at least one. The caller releases errs either way.
 */
int rules_prepare_errors(const struct topology *t, const struct rule_cli *cli, struct findings *out,
			 struct load_errors *errs);
void rules_check(const struct topology *t, const struct budget *b, struct findings *out);

/*
 * rules_check shared out between threads (command.c runs it beside the
 * JSON report). rules_share_init (one thread, after rules_prepare) sets
 * out the work; then any number of threads call rules_share_work, each
 * with findings of its own (zeroed; the first to arrive also runs the
 * database and pooler rules), and the clients are handed out in chunks
 * until none are left; once every call has returned, rules_share_finish
 * moves other's findings (may be NULL) into out, sorts them, and
 * releases other and s. All of them read t and b only.
 */
struct pooler_endpoints;
struct rules_share {
	const struct topology *t;
	const struct budget *b;
	const int *level;                   /* out's */
	const struct suppress_state *sup;   /* out's */
	bool shadow;                        /* CB022 is on: rules off by lint.disable alone run unseen */
	size_t *client_rules, nclient_rules; /* the client rules that run */
	struct pooler_endpoints *endpoints; /* for CB012 */
	struct appname_index *appnames;     /* for CB023 */
	atomic_size_t next;                 /* the first client not handed out yet */
	atomic_bool objects_taken;          /* the database and pooler rules have a thread */
};
void rules_share_init(struct rules_share *s, const struct topology *t, const struct budget *b,
		      const struct findings *out);
void rules_share_work(struct rules_share *s, struct findings *out);
void rules_share_finish(struct rules_share *s, struct findings *out, struct findings *other);

/* Used by check functions: report one finding about an object, unless the
 * object's ignore list names the rule. object is e.g. "clients.api". */
void rule_emit(struct rule_ctx *ctx, const struct strlist *ignore, struct pos pos,
	       const char *object, const char *fmt, ...) PRINTF_LIKE(5, 6);

struct summary {
	size_t errors, warnings, infos;
};
void findings_count(const struct findings *f, struct summary *s);

#endif
