/*
 * report/diff.c - `connbudget diff` in text, json, markdown and github:
 * the figures of both sides before → after and the findings new and
 * resolved, as struct diff (diff.c) holds them. Nothing is computed here:
 * every figure is printed as the report it came from has it.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "report_diff.h"
#include "../version.h"
#include "report_impl.h"
#include "quote.h"

/* The figures of a database shown before → after, as (label, JSON key, sub-key). */
static const struct figure {
	const char *label, *key, *sub;
	bool percent;
} db_rows[] = {
	{ "steady", "demand", "steady", false },
	{ "peak", "demand", "peak", false },
	{ "capacity", "capacity", NULL, false },
	{ "budget", "budget", NULL, false },
	{ "max_connections", "max_connections", NULL, false },
	{ "utilization", "utilization", NULL, true },
}, client_rows[] = {
	{ "steady", "steady", NULL, false },
	{ "peak", "peak", NULL, false },
}, pooler_rows[] = {
	{ "server steady", "server", "steady", false },
	{ "server peak", "server", "peak", false },
	{ "client peak", "client_demand", "peak", false },
};

/* Text and markdown both: bytes from the reports through one gate each. */
typedef void (*escape_fn)(struct sbuf *b, const char *s);

/* Terminal text: the password masker, then quote_text (no control, no bidi, one line). */
static void text_escape(struct sbuf *b, const char *raw)
{
	char *masked = mask_may_change(raw) ? mask_password(raw) : NULL;

	quote_text_str(b, masked ? masked : raw);
	free(masked);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A figure of obj as text into buf: "-" when obj is absent, "unbounded" for null. */
static const char *figure_text(char *buf, size_t len, const cJSON *obj, const struct figure *f)
{
	const cJSON *v;

	if (!obj)
		return "-";
	v = cJSON_GetObjectItemCaseSensitive(obj, f->key);
	if (v && f->sub)
		v = cJSON_GetObjectItemCaseSensitive(v, f->sub);
	if (!v)
		return "-";
	if (cJSON_IsNull(v))
		return "unbounded";
	if (!cJSON_IsNumber(v))
		return "?";
	if (f->percent)
		snprintf(buf, len, "%.0f%%", v->valuedouble * 100.0);
	else
		snprintf(buf, len, "%.0f", v->valuedouble);
	return buf;
}

/* "a → b"; "a" when they are the same or the object is on one side only. */
static void before_after(struct sbuf *b, const struct diff_object *o, const struct figure *f)
{
	char x[64], y[64];
	const char *before = figure_text(x, sizeof(x), o->before, f);
	const char *after = figure_text(y, sizeof(y), o->after, f);

	if (!o->after)
		sbuf_puts(b, before);
	else if (!o->before || strcmp(before, after) == 0)
		sbuf_puts(b, after);
	else
		sbuf_printf(b, "%s → %s", before, after);
}

static bool figure_changed(const struct diff_object *o, const struct figure *f)
{
	char x[64], y[64];

	return strcmp(figure_text(x, sizeof(x), o->before, f),
		      figure_text(y, sizeof(y), o->after, f)) != 0;
}

/* One finding as `file:line:col: severity: message [CB001 name]`. */
static void finding_line(struct sbuf *b, const cJSON *f, escape_fn esc)
{
	const cJSON *line = cJSON_GetObjectItemCaseSensitive(f, "line");
	const cJSON *col = cJSON_GetObjectItemCaseSensitive(f, "column");
	const char *file = str_of(f, "file");

	if (file) {
		esc(b, file);
		if (cJSON_IsNumber(line))
			sbuf_printf(b, ":%.0f", line->valuedouble);
		if (cJSON_IsNumber(col))
			sbuf_printf(b, ":%.0f", col->valuedouble);
		sbuf_puts(b, ": ");
	}
	esc(b, str_of(f, "severity") ? str_of(f, "severity") : "error");
	sbuf_puts(b, ": ");
	esc(b, str_of(f, "message") ? str_of(f, "message") : "");
	sbuf_puts(b, " [");
	esc(b, str_of(f, "rule") ? str_of(f, "rule") : "");
	if (str_of(f, "name")) {
		sbuf_putc(b, ' ');
		esc(b, str_of(f, "name"));
	}
	sbuf_putc(b, ']');
}

static bool nothing_changed(const struct diff *d)
{
	size_t i;

	for (i = 0; i < d->ndbs; i++)
		if (d->dbs[i].changed)
			return false;
	return !d->nclients && !d->npoolers && !d->nadded && !d->nresolved;
}

/* The base as named to a reader: a commit's short hash, or the baseline file. */
static void base_name(struct sbuf *b, const struct diff *d, escape_fn esc)
{
	if (d->base_file) {
		esc(b, d->base_file);
		return;
	}
	sbuf_printf(b, "%.12s", d->base_rev);
}

/* "1 new (1 error), 0 resolved, 2 unchanged" */
static void counts(struct sbuf *b, const struct diff *d)
{
	size_t e = 0, i;

	for (i = 0; i < d->nadded; i++)
		if (str_of(d->added[i], "severity") && strcmp(str_of(d->added[i], "severity"), "error") == 0)
			e++;
	sbuf_printf(b, "%zu new finding%s", d->nadded, d->nadded == 1 ? "" : "s");
	if (e)
		sbuf_printf(b, " (%zu error%s)", e, e == 1 ? "" : "s");
	sbuf_printf(b, ", %zu resolved, %zu unchanged", d->nresolved, d->nunchanged);
}

/* The changed objects of one kind: "client api: peak 20 → 60" lines. */
static void text_objects(struct sbuf *b, const char *kind, const struct diff_object *v, size_t n,
			 const struct figure *rows, size_t nrows)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		bool first = true;
		sbuf_printf(b, "%s ", kind);
		text_escape(b, v[i].id);
		if (!v[i].before)
			sbuf_puts(b, " (added)");
		else if (!v[i].after)
			sbuf_puts(b, " (removed)");
		for (j = 0; j < nrows; j++) {
			if (v[i].before && v[i].after && !figure_changed(&v[i], &rows[j]))
				continue;
			sbuf_printf(b, "%s%s ", first ? ": " : ", ", rows[j].label);
			before_after(b, &v[i], &rows[j]);
			first = false;
		}
		sbuf_putc(b, '\n');
	}
}

static void diff_text(struct sbuf *b, const struct diff *d)
{
	size_t i;

	sbuf_puts(b, "connbudget diff against ");
	base_name(b, d, text_escape);
	sbuf_putc(b, '\n');
	if (nothing_changed(d)) {
		sbuf_printf(b, "no change: %zu finding%s unchanged\n", d->nunchanged,
			    d->nunchanged == 1 ? "" : "s");
		return;
	}
	if (!d->quiet) {
		text_objects(b, "database", d->dbs, d->ndbs, db_rows, ARRAY_LEN(db_rows));
		text_objects(b, "client", d->clients, d->nclients, client_rows, ARRAY_LEN(client_rows));
		text_objects(b, "pooler", d->poolers, d->npoolers, pooler_rows, ARRAY_LEN(pooler_rows));
	}
	if (d->nadded)
		sbuf_puts(b, "new findings:\n");
	for (i = 0; i < d->nadded; i++) {
		sbuf_puts(b, "  ");
		finding_line(b, d->added[i], text_escape);
		sbuf_putc(b, '\n');
	}
	if (d->nresolved)
		sbuf_puts(b, "resolved findings:\n");
	for (i = 0; i < d->nresolved; i++) {
		sbuf_puts(b, "  ");
		finding_line(b, d->resolved[i], text_escape);
		sbuf_putc(b, '\n');
	}
	counts(b, d);
	sbuf_putc(b, '\n');
}

static void md_escape_fn(struct sbuf *b, const char *s)
{
	report_md_escape(b, s);
}

/* The one-line verdict under the marker. */
static void md_verdict(struct sbuf *b, const struct diff *d)
{
	size_t i;

	if (nothing_changed(d)) {
		sbuf_puts(b, "**connbudget**: no change to any connection budget\n");
		return;
	}
	sbuf_printf(b, "**connbudget**: %s ", d->failed ? "❌" : "✅");
	counts(b, d);
	for (i = 0; i < d->ndbs; i++) {
		const struct figure *peak = &db_rows[1], *cap = &db_rows[2];
		char x[64];
		if (!d->dbs[i].changed)
			continue;
		sbuf_puts(b, "; ");
		report_md_escape(b, d->dbs[i].id);
		sbuf_puts(b, ": peak ");
		before_after(b, &d->dbs[i], peak);
		sbuf_printf(b, " of %s", figure_text(x, sizeof(x), d->dbs[i].after, cap));
	}
	sbuf_putc(b, '\n');
}

static void md_findings(struct sbuf *b, const char *title, const cJSON *const *v, size_t n)
{
	size_t i;

	if (!n)
		return;
	sbuf_printf(b, "\n### %s\n\n", title);
	for (i = 0; i < n; i++) {
		sbuf_puts(b, "- ");
		finding_line(b, v[i], md_escape_fn);
		sbuf_putc(b, '\n');
	}
}

static void diff_markdown(struct sbuf *b, const struct diff *d)
{
	size_t i, j;

	sbuf_puts(b, "<!-- connbudget diff -->\n");
	md_verdict(b, d);
	sbuf_puts(b, "\nBase: ");
	base_name(b, d, md_escape_fn);
	sbuf_putc(b, '\n');
	for (i = 0; i < d->ndbs && !d->quiet; i++) {
		const struct diff_object *o = &d->dbs[i];
		sbuf_puts(b, "\n#### database ");
		report_md_escape(b, o->id);
		sbuf_puts(b, !o->before ? " (added)" : !o->after ? " (removed)" : "");
		sbuf_puts(b, "\n\n| | before | after |\n|---|---:|---:|\n");
		for (j = 0; j < ARRAY_LEN(db_rows); j++) {
			char x[64], y[64];
			bool ch = figure_changed(o, &db_rows[j]);
			sbuf_printf(b, "| %s | %s | %s%s%s |\n", db_rows[j].label,
				    figure_text(x, sizeof(x), o->before, &db_rows[j]), ch ? "**" : "",
				    figure_text(y, sizeof(y), o->after, &db_rows[j]), ch ? "**" : "");
		}
	}
	if (!d->quiet && (d->nclients || d->npoolers)) {
		sbuf_puts(b, "\n| changed | before → after |\n|---|---|\n");
		for (i = 0; i < d->nclients + d->npoolers; i++) {
			bool client = i < d->nclients;
			const struct diff_object *o = client ? &d->clients[i] : &d->poolers[i - d->nclients];
			const struct figure *rows = client ? client_rows : pooler_rows;
			size_t nrows = client ? ARRAY_LEN(client_rows) : ARRAY_LEN(pooler_rows);
			bool first = true;
			sbuf_printf(b, "| %s ", client ? "client" : "pooler");
			report_md_escape(b, o->id);
			sbuf_puts(b, " |");
			for (j = 0; j < nrows; j++) {
				if (o->before && o->after && !figure_changed(o, &rows[j]))
					continue;
				sbuf_printf(b, "%s%s ", first ? " " : ", ", rows[j].label);
				before_after(b, o, &rows[j]);
				first = false;
			}
			sbuf_puts(b, " |\n");
		}
	}
	md_findings(b, "New findings", d->added, d->nadded);
	md_findings(b, "Resolved findings", d->resolved, d->nresolved);
	sbuf_printf(b, "\n%zu finding%s unchanged.\n", d->nunchanged, d->nunchanged == 1 ? "" : "s");
	if (d->picture && *d->picture)
		sbuf_printf(b, "\n<details><summary>The topology after the change</summary>\n\n"
			    "```mermaid\n%s```\n\n</details>\n", d->picture);
}

/* GitHub annotations: one workflow command per new finding. */
/* New findings as workflow commands, the most severe first, at most
 * GITHUB_MAX_PER_SEVERITY of each (as `check --format github`), then how
 * many were left out. */
static void diff_github(struct sbuf *b, const struct diff *d)
{
	static const char *const order[] = { "error", "warning", "notice" };
	size_t i, k, left = 0;

	for (k = 0; k < ARRAY_LEN(order); k++) {
		size_t shown = 0;

		for (i = 0; i < d->nadded; i++) {
			const cJSON *f = d->added[i];
			const cJSON *line = cJSON_GetObjectItemCaseSensitive(f, "line");
			const cJSON *col = cJSON_GetObjectItemCaseSensitive(f, "column");
			const char *sev = str_of(f, "severity");
			const char *cmd = sev && strcmp(sev, "error") == 0 ? "error" :
					  sev && strcmp(sev, "warning") == 0 ? "warning" : "notice";

			if (strcmp(cmd, order[k]) != 0)
				continue;
			if (shown++ >= GITHUB_MAX_PER_SEVERITY) {
				left++;
				continue;
			}
			sbuf_printf(b, "::%s ", cmd);
			if (str_of(f, "file")) {
				sbuf_puts(b, "file=");
				report_github_escape_property(b, str_of(f, "file"));
				if (cJSON_IsNumber(line))
					sbuf_printf(b, ",line=%.0f", line->valuedouble);
				if (cJSON_IsNumber(col))
					sbuf_printf(b, ",col=%.0f", col->valuedouble);
				sbuf_putc(b, ',');
			}
			sbuf_puts(b, "title=");
			report_github_escape_property(b, str_of(f, "rule") ? str_of(f, "rule") : "");
			report_github_escape_property(b, " ");
			report_github_escape_property(b, str_of(f, "name") ? str_of(f, "name") : "");
			report_github_escape_property(b, " (new)");
			sbuf_puts(b, "::");
			report_github_escape_data(b, str_of(f, "message") ? str_of(f, "message") : "");
			sbuf_putc(b, '\n');
		}
	}
	if (left)
		sbuf_printf(b, "::notice title=connbudget::%zu more new finding%s not annotated "
			    "(GitHub shows %d of each severity per step); the text or markdown diff has them all\n",
			    left, left == 1 ? "" : "s", GITHUB_MAX_PER_SEVERITY);
}

/* Selected members of one side (null for an added or removed object). */
static void json_side(struct report_jw *w, const char *key, const cJSON *obj, const char *const *members)
{
	if (!obj) {
		report_jw_null(w, key);
		return;
	}
	report_jw_begin(w, key, false);
	for (; *members; members++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *members);
		if (v)
			report_jw_value(w, *members, v);
	}
	report_jw_end(w, false);
}

static void json_objects(struct report_jw *w, const char *key, const struct diff_object *v,
			 size_t n, const char *const *members)
{
	size_t i;

	report_jw_open(w, key, true);
	for (i = 0; i < n; i++) {
		report_jw_begin(w, NULL, false);
		report_jw_str(w, "id", v[i].id);
		json_side(w, "before", v[i].before, members);
		json_side(w, "after", v[i].after, members);
		report_jw_end(w, false);
	}
	report_jw_close(w, true);
}

static void json_findings(struct report_jw *w, const char *key, const cJSON *const *v, size_t n)
{
	size_t i;

	report_jw_open(w, key, true);
	for (i = 0; i < n; i++)
		report_jw_value(w, NULL, v[i]);
	report_jw_close(w, true);
}

static int diff_json(FILE *out, const struct diff *d)
{
	static const char *const db_members[] = { "file", "max_connections", "capacity", "budget",
						  "optimum", "demand", "utilization", "unbounded", NULL };
	static const char *const client_members[] = { "connects_to", "steady", "peak",
						      "unbounded", NULL };
	static const char *const pooler_members[] = { "database", "cap", "client_demand",
						      "client_limit", "server", NULL };
	struct report_jw w;

	report_jw_init(&w, out);
	report_jw_open(&w, NULL, false);
	report_jw_begin(&w, "tool", false);
	report_jw_str(&w, "name", "connbudget");
	report_jw_str(&w, "version", CONNBUDGET_VERSION);
	report_jw_end(&w, false);
	report_jw_begin(&w, "base", false);
	if (d->base_file) {
		report_jw_null(&w, "rev");
		report_jw_str(&w, "baseline", d->base_file);
	} else {
		report_jw_str(&w, "rev", d->base_rev);
	}
	report_jw_end(&w, false);
	json_objects(&w, "databases", d->dbs, d->ndbs, db_members);
	json_objects(&w, "clients", d->clients, d->nclients, client_members);
	json_objects(&w, "poolers", d->poolers, d->npoolers, pooler_members);
	report_jw_open(&w, "findings", false);
	json_findings(&w, "new", d->added, d->nadded);
	json_findings(&w, "resolved", d->resolved, d->nresolved);
	report_jw_u64(&w, "unchanged", d->nunchanged);
	report_jw_close(&w, false);
	report_jw_begin(&w, "summary", false);
	report_jw_u64(&w, "new", d->nadded);
	report_jw_u64(&w, "resolved", d->nresolved);
	report_jw_u64(&w, "unchanged", d->nunchanged);
	report_jw_bool(&w, "changed", !nothing_changed(d));
	report_jw_bool(&w, "passed", !d->failed);
	report_jw_end(&w, false);
	report_jw_close(&w, false);
	return report_jw_finish(&w);
}

int report_diff(FILE *out, enum report_format f, const struct diff *d)
{
	struct sbuf b = { 0 };
	int rc;

	switch (f) {
	case REPORT_JSON:
		return diff_json(out, d);
	case REPORT_MARKDOWN:
		diff_markdown(&b, d);
		break;
	case REPORT_GITHUB:
		diff_github(&b, d);
		break;
	default:
		diff_text(&b, d);
		break;
	}
	rc = b.s ? report_put(out, b.s) : 0;
	sbuf_release(&b);
	return rc;
}
