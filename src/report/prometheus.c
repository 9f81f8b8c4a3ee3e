/*
 * prometheus.c - `alerts --format prometheus`: an alert set (alerts.h) as a
 * Prometheus rules file, or wrapped in a prometheus-operator PrometheusRule
 * (--kubernetes). It writes what alerts_build decided and computes nothing.
 *
 * Every string is written as a YAML double-quoted scalar through
 * quote_yaml (quote.h), so nothing from the topology (a file name, an environment,
 * an application_name) can end a value or start a key.
 */
#include <inttypes.h>
#include <string.h>

#include "alerts.h"
#include "report_impl.h"

/* A Prometheus duration: "5m" for whole minutes, else seconds. */
static void duration(FILE *out, uint64_t s)
{
	if (s && s % 60 == 0)
		fprintf(out, "%" PRIu64 "m", s / 60);
	else
		fprintf(out, "%" PRIu64 "s", s);
}

static void key_values(FILE *out, const char *ind, const char *key, const struct alert_kv *kv,
		       size_t n)
{
	size_t i;

	if (!n)
		return;
	fprintf(out, "%s%s:\n", ind, key);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s  %s: ", ind, kv[i].name);
		quote_yaml(out, kv[i].value);
		fputc('\n', out);
	}
}

/* The groups, each line starting with ind. */
static void groups(FILE *out, const struct alert_set *s, const char *ind)
{
	char deeper[32];
	size_t i, k;

	snprintf(deeper, sizeof(deeper), "%s        ", ind);
	fprintf(out, "%sgroups:\n", ind);
	for (i = 0; i < s->ngroups; i++) {
		const struct alert_group *g = &s->groups[i];

		fprintf(out, "%s  - name: ", ind);
		quote_yaml(out, g->name);
		fprintf(out, "\n%s    rules:\n", ind);
		for (k = 0; k < g->n; k++) {
			const struct alert *a = &g->v[k];

			fprintf(out, "%s      - alert: %s\n%sexpr: ", ind, a->name, deeper);
			quote_yaml(out, a->expr);
			fprintf(out, "\n%sfor: ", deeper);
			duration(out, a->for_s);
			fputc('\n', out);
			key_values(out, deeper, "labels", a->labels, a->nlabels);
			key_values(out, deeper, "annotations", a->annotations, a->nannotations);
		}
	}
}

int report_prometheus(FILE *out, const struct report *r)
{
	const struct alert_set *s = r->alerts;

	if (!s)
		return -1;
	fputs("# Prometheus alerting rules for ", out);
	quote_yaml(out, s->file);
	fprintf(out, ", written by connbudget %s\n"
		     "# (connbudget alerts): regenerate them whenever the topology changes.\n",
		s->version);
	if (s->needs_queries)
		fputs("# The ConnbudgetClientAboveDeclaredPeak rules read connbudget_application_connections:\n"
		      "# run postgres_exporter with --extend.query-path set to the file that\n"
		      "# `connbudget alerts --exporter-queries` writes.\n", out);
	if (!s->kubernetes) {
		groups(out, s, "");
		return 0;
	}
	fputs("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: ", out);
	quote_yaml(out, s->k8s_name);
	fputs("\n  labels:\n    app.kubernetes.io/managed-by: \"connbudget\"\nspec:\n", out);
	groups(out, s, "  ");
	return 0;
}
