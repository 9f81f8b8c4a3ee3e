/*
 * rules_impl.h - what the rule registry (rules.c) and its checks
 * (rule_checks.c, rule_config.c) share; not for other modules, which use
 * rules.h.
 *
 * The dependency goes one way: a check depends on the registry's types
 * (struct rule_ctx, struct rule_client) and the helpers rules.c gives it
 * (rule_emit in rules.h, rule_vemit, rule_ignored, rule_client_url), and
 * rules.c knows a check only as the function its registry row points at,
 * declared in the second half of this header. The checks have no header
 * of their own for rules.c to include.
 */
#ifndef CONNBUDGET_RULES_IMPL_H
#define CONNBUDGET_RULES_IMPL_H

#include <stdarg.h>

#include "budget.h"
#include "conninfo.h"
#include "model.h"
#include "rules.h"

/*
 * The client a client-scope check looks at. rules_run walks the clients
 * once and runs every client rule on each in turn, so that a client's
 * figures are derived, and its url parsed, once for all of them (and its
 * 440 bytes come into the cache once, not once per rule).
 */
struct rule_client {
	size_t index;
	const struct client *c;
	const struct client_fig *f;
	struct conninfo url;      /* rule_client_url's parse, when url_state is 1 */
	int url_state;            /* 0 not parsed yet, 1 parsed, -1 none or unparsable */
};

/*
 * CB012's map of "host:port" (host in lower case) → the first pooler
 * declaring it, built once per run by rules_share_init with
 * pooler_endpoints_build (rule_checks.c, beside the check that reads it).
 */
struct pooler_endpoints {
	struct strmap map;
	char **keys;              /* the map's keys, per pooler (NULL without a host) */
	size_t n;
	/* Chains of poolers (docs/poolers.md), per pooler: its interval in a
	 * walk of the forest whose roots are the poolers on a database and
	 * whose children are the poolers in front (the poolers behind p are
	 * those whose interval holds p's); and the pooler beyond it on its
	 * chain, with its mode there, that breaks sessions most (CB005,
	 * CB006), SIZE_MAX when none does */
	size_t *tin, *tout, *beyond;
	enum pool_mode *beyond_mode;
};

/*
 * CB023's map of every client's application_name as the server would
 * store it, per database and per server generation ("db index", a '15' or
 * '16' byte, the stored name) → the first client with that key. Built by
 * rules_share_init only when CB023 runs and some client's name would be
 * altered (else no two distinct names can collide), with
 * appname_index_build (rule_checks.c).
 */
struct appname_index {
	struct strmap map;
	char **keys;              /* the map's keys, two per client */
	size_t n;
	bool built;
};

/* One rule being run over one topology. */
struct rule_ctx {
	const struct topology *t;
	const struct budget *b;
	const struct rule *rule;  /* the rule whose check is running */
	enum severity severity;   /* its effective severity */
	struct findings *out;     /* where rule_emit appends */
	const int *level;         /* the effective level per registry row */
	const struct suppress_state *sup; /* today and lint.disable (findings_suppress_vadd) */
	bool shadow;              /* the rule is off by lint.disable alone: run unseen */
	struct rule_client *client;             /* client-scope checks: the client */
	const struct pooler_endpoints *endpoints; /* for CB012 */
	const struct appname_index *appnames;     /* for CB023 */
};

/*
 * The url of ctx->client parsed, once per client; NULL when the client has
 * no url or it does not parse. rules_run releases it.
 */
const struct conninfo *rule_client_url(struct rule_ctx *ctx);

/* rule_emit with a va_list. */
void rule_vemit(struct rule_ctx *ctx, const struct strlist *ignore, struct pos pos,
		const char *object, const char *fmt, va_list ap) PRINTF_LIKE(5, 0);


/* ---- what the registry's rows point at (rule_checks.c, rule_config.c) ---- */

/* Database and pooler checks walk the model; client checks see ctx->client. */
void check_over_capacity(struct rule_ctx *ctx);         /* CB001 */
void check_no_headroom(struct rule_ctx *ctx);           /* CB002 */
void check_above_optimum(struct rule_ctx *ctx);         /* CB003 */
void check_serverless_direct(struct rule_ctx *ctx);     /* CB004 */
void check_prisma_pgbouncer_flag(struct rule_ctx *ctx); /* CB005 */
void check_session_features(struct rule_ctx *ctx);      /* CB006 */
void check_no_acquire_timeout(struct rule_ctx *ctx);    /* CB007 */
void check_memory(struct rule_ctx *ctx);                /* CB008 */
void check_pooler_client_limit(struct rule_ctx *ctx);   /* CB009 */
void check_unbounded_pool(struct rule_ctx *ctx);        /* CB010 */
void check_idle_in_transaction(struct rule_ctx *ctx);   /* CB011 */
void check_bypasses_pooler(struct rule_ctx *ctx);       /* CB012 */
void check_password_in_url(struct rule_ctx *ctx);       /* CB013 */
void check_cross_environment(struct rule_ctx *ctx);     /* CB014 */
void check_pool_below_load(struct rule_ctx *ctx);       /* CB015 */
void check_unbounded_concurrency(struct rule_ctx *ctx); /* CB016 */
void check_threads_exceed_pool(struct rule_ctx *ctx);   /* CB017 */
void check_serverless_pool_size(struct rule_ctx *ctx);  /* CB019 */
void check_unknown_pool_size(struct rule_ctx *ctx);   /* CB020 */
void check_pooler_cap_over_capacity(struct rule_ctx *ctx); /* CB021 */
void check_application_name_altered(struct rule_ctx *ctx); /* CB023 */
void check_unbounded_pooler(struct rule_ctx *ctx);      /* CB010, on poolers */
void check_config_mismatch(struct rule_ctx *ctx);       /* CB018 (rule_config.c) */

/* CB012's endpoints (see struct pooler_endpoints); release accepts a zeroed e. */
void pooler_endpoints_build(struct pooler_endpoints *e, const struct topology *t, const struct budget *b);
void pooler_endpoints_release(struct pooler_endpoints *e);

/* CB023's index (see struct appname_index); release accepts a zeroed x. */
void appname_index_build(struct appname_index *x, const struct topology *t);
void appname_index_release(struct appname_index *x);

/*
 * A client rule's checks of other objects, run with the database and
 * pooler rules under the client rule's id and level (CB010 also fires on
 * a pooler whose pool has no limit). The table is the registry's (rules.c).
 */
struct rule_object_check {
	const char *id;
	void (*check)(struct rule_ctx *ctx);
};
extern const struct rule_object_check rule_object_checks[];
extern const size_t rule_object_check_count;

#endif
