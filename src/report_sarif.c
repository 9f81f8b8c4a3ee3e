/*
 * report_sarif.c - SARIF 2.1.0 (SPEC §6), the format GitHub code scanning
 * uploads: one run, the rule registry as tool.driver.rules[], one result
 * per finding with one physical location.
 *
 * The document is streamed (report_jw, report_json.c): each rule and each
 * result is one small cJSON tree printed on its own line, so memory does
 * not grow with the number of findings.
 *
 * URIs are the paths exactly as the findings carry them (relative to the
 * working directory, as given on the command line). Columns count
 * characters (columnKind "unicodeCodePoints"). A region ends on its start
 * line, at startColumn + the length of the node when it is known (an
 * object's id), else at startColumn + 1 (report_finding_span).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report_impl.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_VERSION "2.1.0"
#define CONNBUDGET_URI "https://github.com/connbudget/connbudget"

/* SARIF's level for a severity. */
static const char *sarif_level(enum severity s)
{
	switch (s) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	case SEV_INFO:
		break;
	}
	return "note";
}

/* key: {"text": text}. */
static bool add_message(cJSON *o, const char *key, const char *text)
{
	cJSON *m = report_json_add_object(o, key);

	return m && report_json_add_str(m, "text", text);
}

/*
 * The rule's documentation as one paragraph of prose for fullDescription:
 * its first paragraph (up to a blank line) without a heading line (an
 * unindented first line above indented ones, like "Why it matters"),
 * lines trimmed and joined by single spaces. Returns a new string.
 */
static char *first_paragraph(const char *doc)
{
	const char *end = strstr(doc, "\n\n");
	const char *p = doc, *nl;
	struct sbuf b = { 0 };

	if (!end)
		end = doc + strlen(doc);
	nl = memchr(doc, '\n', (size_t)(end - doc));
	if (nl && *doc != ' ' && *doc != '\t' && (nl[1] == ' ' || nl[1] == '\t'))
		p = nl + 1; /* a heading */
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = eol ? eol : end;

		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q > p) {
			if (b.len)
				sbuf_putc(&b, ' ');
			sbuf_add(&b, p, (size_t)(q - p));
		}
		p = eol ? eol + 1 : end;
	}
	return sbuf_detach(&b);
}

/* One rules[] entry, written to w; help carries the whole documentation. */
static void sarif_rule(struct report_jw *w, const struct rule *rule)
{
	const char *doc = rule->doc ? rule->doc : rule->summary;
	char *full = first_paragraph(doc);
	cJSON *o = cJSON_CreateObject(), *conf;

	if (!o || !report_json_add_str(o, "id", rule->id) || !report_json_add_str(o, "name", rule->name) ||
	    !add_message(o, "shortDescription", rule->summary) ||
	    !add_message(o, "fullDescription", *full ? full : rule->summary) ||
	    !add_message(o, "help", doc) || !(conf = report_json_add_object(o, "defaultConfiguration")) ||
	    !report_json_add_str(conf, "level", sarif_level(rule->severity))) {
		cJSON_Delete(o);
		o = NULL;
	}
	report_jw_item(w, NULL, o); /* printed before full, which it refers to, is freed */
	free(full);
}

/* locations[0].physicalLocation of a finding. */
static bool sarif_location(cJSON *result, const struct report_file *rf, const struct finding *f)
{
	struct pos p = report_finding_pos(rf, f);
	cJSON *locs = cJSON_CreateArray();
	cJSON *loc = report_json_add(result, "locations", locs) ? report_json_push_object(locs) : NULL;
	cJSON *phys = loc ? report_json_add_object(loc, "physicalLocation") : NULL;
	cJSON *art = phys ? report_json_add_object(phys, "artifactLocation") : NULL;
	cJSON *region, *logical, *lo;

	if (!art || !report_json_add_str(art, "uri", p.file))
		return false;
	region = report_json_add_object(phys, "region");
	if (!region || !report_json_add_u64(region, "startLine", p.line) ||
	    !report_json_add_u64(region, "startColumn", p.col) ||
	    !report_json_add_u64(region, "endLine", p.line) ||
	    !report_json_add_u64(region, "endColumn", (uint64_t)p.col + report_finding_span(rf, f)))
		return false;
	logical = cJSON_CreateArray();
	lo = report_json_add(loc, "logicalLocations", logical) ? report_json_push_object(logical) : NULL;
	return lo && report_json_add_str(lo, "fullyQualifiedName", report_finding_object(f)) &&
	       report_json_add_str(lo, "kind", "object");
}

/* One result; NULL when cJSON could not allocate. */
static cJSON *sarif_result(const struct report_file *rf, const struct finding *f)
{
	cJSON *o = cJSON_CreateObject();

	if (o && report_json_add_str(o, "ruleId", f->rule->id) &&
	    report_json_add_u64(o, "ruleIndex", rule_index(f->rule)) &&
	    report_json_add_str(o, "level", sarif_level(f->severity)) &&
	    add_message(o, "message", f->message) && sarif_location(o, rf, f))
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* A string member of the skeleton. */
static void put_str(struct report_jw *w, const char *key, const char *s)
{
	report_jw_item(w, key, cJSON_CreateStringReference(s));
}

int report_sarif(FILE *out, const struct report *r)
{
	struct report_jw w;
	struct report_iter it;
	const struct finding *f;
	size_t i;

	report_jw_init(&w, out);
	report_jw_open(&w, NULL, false);
	put_str(&w, "$schema", SARIF_SCHEMA);
	put_str(&w, "version", SARIF_VERSION);
	report_jw_open(&w, "runs", true);
	report_jw_open(&w, NULL, false);
	report_jw_open(&w, "tool", false);
	report_jw_open(&w, "driver", false);
	put_str(&w, "name", "connbudget");
	put_str(&w, "version", report_version(r));
	put_str(&w, "informationUri", CONNBUDGET_URI);
	report_jw_open(&w, "rules", true);
	for (i = 0; i < rule_count && !w.failed; i++)
		sarif_rule(&w, &rule_registry[i]);
	report_jw_close(&w, true);
	report_jw_close(&w, false);
	report_jw_close(&w, false);
	put_str(&w, "columnKind", "unicodeCodePoints");
	report_jw_open(&w, "results", true);
	report_iter_init(&it, r);
	while (!w.failed && (f = report_iter_next(&it)))
		report_jw_item(&w, NULL, sarif_result(it.rf, f));
	report_jw_close(&w, true);
	report_jw_close(&w, false);
	report_jw_close(&w, true);
	report_jw_close(&w, false);
	return report_jw_finish(&w);
}
