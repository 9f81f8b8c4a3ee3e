/*
 * report_sarif.c - SARIF 2.1.0 (SPEC §6), the format GitHub code scanning
 * uploads: one run, the rule registry as tool.driver.rules[], one result
 * per finding with one physical location.
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
	cJSON *m = cJSON_AddObjectToObject(o, key);

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

/* One rules[] entry; help carries the whole documentation. */
static bool sarif_rule(cJSON *arr, const struct rule *rule)
{
	const char *doc = rule->doc ? rule->doc : rule->summary;
	char *full = first_paragraph(doc);
	cJSON *o = report_json_push_object(arr), *conf;
	bool ok = false;

	if (!o || !report_json_add_str(o, "id", rule->id) || !report_json_add_str(o, "name", rule->name) ||
	    !add_message(o, "shortDescription", rule->summary) ||
	    !add_message(o, "fullDescription", *full ? full : rule->summary) ||
	    !add_message(o, "help", doc))
		goto out;
	conf = cJSON_AddObjectToObject(o, "defaultConfiguration");
	ok = conf && report_json_add_str(conf, "level", sarif_level(rule->severity));
out:
	free(full);
	return ok;
}

/* locations[0].physicalLocation of a finding. */
static bool sarif_location(cJSON *result, const struct report_file *rf, const struct finding *f)
{
	struct pos p = report_finding_pos(rf, f);
	cJSON *locs = cJSON_AddArrayToObject(result, "locations");
	cJSON *loc = locs ? report_json_push_object(locs) : NULL;
	cJSON *phys = loc ? cJSON_AddObjectToObject(loc, "physicalLocation") : NULL;
	cJSON *art = phys ? cJSON_AddObjectToObject(phys, "artifactLocation") : NULL;
	cJSON *region, *logical, *lo;

	if (!art || !report_json_add_str(art, "uri", p.file))
		return false;
	region = cJSON_AddObjectToObject(phys, "region");
	if (!region || !report_json_add_u64(region, "startLine", p.line) ||
	    !report_json_add_u64(region, "startColumn", p.col) ||
	    !report_json_add_u64(region, "endLine", p.line) ||
	    !report_json_add_u64(region, "endColumn", (uint64_t)p.col + report_finding_span(rf, f)))
		return false;
	logical = cJSON_AddArrayToObject(loc, "logicalLocations");
	lo = logical ? report_json_push_object(logical) : NULL;
	return lo && report_json_add_str(lo, "fullyQualifiedName", report_finding_object(f)) &&
	       report_json_add_str(lo, "kind", "object");
}

static bool sarif_result(cJSON *arr, const struct report_file *rf, const struct finding *f)
{
	cJSON *o = report_json_push_object(arr);

	return o && report_json_add_str(o, "ruleId", f->rule->id) &&
	       report_json_add_u64(o, "ruleIndex", rule_index(f->rule)) &&
	       report_json_add_str(o, "level", sarif_level(f->severity)) &&
	       add_message(o, "message", f->message) && sarif_location(o, rf, f);
}

int report_sarif(FILE *out, const struct report *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *runs, *run, *tool, *driver, *rules, *results;
	struct report_iter it;
	const struct finding *f;
	size_t i;

	if (!root)
		return -1;
	if (!report_json_add_str(root, "$schema", SARIF_SCHEMA) ||
	    !report_json_add_str(root, "version", SARIF_VERSION) ||
	    !(runs = cJSON_AddArrayToObject(root, "runs")) || !(run = report_json_push_object(runs)) ||
	    !(tool = cJSON_AddObjectToObject(run, "tool")) ||
	    !(driver = cJSON_AddObjectToObject(tool, "driver")) ||
	    !report_json_add_str(driver, "name", "connbudget") ||
	    !report_json_add_str(driver, "version", report_version(r)) ||
	    !report_json_add_str(driver, "informationUri", CONNBUDGET_URI) ||
	    !(rules = cJSON_AddArrayToObject(driver, "rules")))
		goto fail;
	for (i = 0; i < rule_count; i++)
		if (!sarif_rule(rules, &rule_registry[i]))
			goto fail;
	if (!report_json_add_str(run, "columnKind", "unicodeCodePoints") ||
	    !(results = cJSON_AddArrayToObject(run, "results")))
		goto fail;
	report_iter_init(&it, r);
	while ((f = report_iter_next(&it)))
		if (!sarif_result(results, it.rf, f))
			goto fail;
	return report_json_print(out, root);
fail:
	cJSON_Delete(root);
	return -1;
}
