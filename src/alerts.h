/*
 * alerts.h - `connbudget alerts`: the monitoring a topology promises, as
 * Prometheus alerting rules (docs/alerts.md).
 *
 * alerts_build turns a loaded topology and its figures into an alert set:
 * plain data (names, PromQL expressions with the topology's numbers in
 * them, labels, annotations). src/report/prometheus.c writes that set as
 * a rules file or a PrometheusRule manifest; it computes nothing.
 *
 * The metric names are the exporters' own:
 *  - postgres_exporter (prometheus-community, 0.11 as Debian ships it):
 *    pg_stat_activity_count{datname,state,server} and
 *    pg_stat_activity_max_tx_duration{datname,state,server}, from its
 *    built-in pg_stat_activity query (cmd/postgres_exporter/queries.go);
 *  - connbudget_application_connections{application_name,server}, which
 *    postgres_exporter exports from the query file `alerts
 *    --exporter-queries` writes (its --extend.query-path), since its own
 *    queries do not group sessions by application_name;
 *  - pgbouncer_exporter (prometheus-community):
 *    pgbouncer_pools_client_waiting_connections{database,user}, the
 *    cl_waiting column of SHOW POOLS (collector.go's metricMaps).
 */
#ifndef CONNBUDGET_ALERTS_H
#define CONNBUDGET_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "model.h"

enum {
	/* The seed checklist's alert: connections above 80% of max_connections. */
	ALERTS_NEAR_MAX_PERCENT = 80,
	/* How long a condition must hold before an alert fires (Prometheus `for`). */
	ALERTS_FOR_WARNING_S = 5 * 60,
	ALERTS_FOR_CRITICAL_S = 60,
};

/* One label or annotation: name and value (the value malloc'd). */
struct alert_kv {
	const char *name;
	char *value;
};

enum { ALERT_MAX_KV = 8 };

/* One alerting rule. */
struct alert {
	const char *name;         /* "ConnbudgetConnectionsNearMax" */
	char *expr;               /* PromQL, label values escaped for PromQL */
	uint64_t for_s;           /* the `for` duration, seconds */
	struct alert_kv labels[ALERT_MAX_KV];
	size_t nlabels;
	struct alert_kv annotations[ALERT_MAX_KV];
	size_t nannotations;
};

/* The rules of one database: its own, its direct clients' and its poolers'. */
struct alert_group {
	char *name;               /* "connbudget:main" */
	struct alert *v;
	size_t n, cap;
};

struct alert_set {
	const char *file;         /* the topology, as given */
	const char *version;      /* connbudget's */
	bool kubernetes;          /* wrap the groups in a PrometheusRule */
	char *k8s_name;           /* the PrometheusRule's metadata.name */
	bool needs_queries;       /* a rule reads connbudget_application_connections */
	struct alert_group *groups;
	size_t ngroups;
};

/* A label matcher list the user gives for one database or pooler (--selector ID=MATCHERS). */
struct alert_selector {
	const char *id;           /* NULL: every object without a selector of its own */
	const char *matchers;     /* PromQL matchers, as written: instance="db-1:9187" */
};

struct alerts_options {
	bool kubernetes;
	uint64_t idle_threshold_ms;
	const struct alert_selector *selectors;
	size_t nselectors;
	const char *version;
};

/*
 * Parse one --selector argument, "ID=MATCHERS" or "MATCHERS" alone (for
 * every object). The strings point into arg. Returns false when arg is
 * malformed (an empty side, or an ID that is not an id).
 */
bool alerts_parse_selector(const char *arg, struct alert_selector *out);

/*
 * Build the alert set of topology t with figures b into out (zeroed by
 * the caller). Returns 0, or -1 with *err (malloc'd) when a --selector
 * names no database or pooler of t. out is then still to be released.
 */
int alerts_build(const struct topology *t, const struct budget *b,
		 const struct alerts_options *ao, struct alert_set *out, char **err);

/* Free what s owns; accepts a zeroed s. */
void alerts_release(struct alert_set *s);

/*
 * The postgres_exporter query file (--extend.query-path) that exports
 * connbudget_application_connections, as a NUL-terminated string.
 */
extern const char alerts_exporter_queries[];

#endif
