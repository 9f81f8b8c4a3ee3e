/*
 * prometheus.c - `alerts --format prometheus`: an alert set (alerts.h) as a
 * Prometheus rules file, or wrapped in a prometheus-operator PrometheusRule
 * (--kubernetes). It writes what alerts_build decided and computes nothing.
 *
 * Every string is written as a YAML double-quoted scalar through
 * yaml_quote, so nothing from the topology (a file name, an environment,
 * an application_name) can end a value or start a key.
 */
#include <inttypes.h>
#include <string.h>

#include "alerts.h"
#include "report_impl.h"

/* The length of the UTF-8 sequence at s (1 to 4), 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* The code point of a valid sequence of length n at s. */
static uint32_t utf8_cp(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	uint32_t cp = s[0] & lead_mask[n];
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3F);
	return cp;
}

/*
 * s as a YAML double-quoted scalar: backslash and quote escaped, C0 and
 * C1 controls, DEL, the line and paragraph separators and the bidi and
 * isolate controls as \x or \u escapes, invalid UTF-8 as U+FFFD.
 */
static void yaml_quote(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t n = utf8_len(s);
		uint32_t cp;

		if (n == 0) {
			fputs("\\uFFFD", out);
			s++;
			continue;
		}
		cp = utf8_cp(s, n);
		if (cp == '\\' || cp == '"')
			fprintf(out, "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7F)
			fprintf(out, "\\x%02X", (unsigned)cp);
		else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
			 (cp >= 0x200E && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
			 (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061C || cp == 0xFEFF)
			fprintf(out, "\\u%04X", (unsigned)cp);
		else
			fwrite(s, 1, n, out);
		s += n;
	}
	fputc('"', out);
}

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
		yaml_quote(out, kv[i].value);
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
		yaml_quote(out, g->name);
		fprintf(out, "\n%s    rules:\n", ind);
		for (k = 0; k < g->n; k++) {
			const struct alert *a = &g->v[k];

			fprintf(out, "%s      - alert: %s\n%sexpr: ", ind, a->name, deeper);
			yaml_quote(out, a->expr);
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
	yaml_quote(out, s->file);
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
	yaml_quote(out, s->k8s_name);
	fputs("\n  labels:\n    app.kubernetes.io/managed-by: \"connbudget\"\nspec:\n", out);
	groups(out, s, "  ");
	return 0;
}
