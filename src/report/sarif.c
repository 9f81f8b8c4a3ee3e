/*
 * report_sarif.c - SARIF 2.1.0 (docs/formats.md), the format GitHub code scanning
 * uploads: one run, the rule registry as tool.driver.rules[], one result
 * per finding with one physical location.
 *
 * The document is streamed (report_jw, report_json.c): each rule and each
 * result is written on its own line as it goes, so memory does not grow
 * with the number of findings.
 *
 * URIs are the paths exactly as the findings carry them (relative to the
 * working directory, as given on the command line). Columns count
 * characters (columnKind "unicodeCodePoints"). A region ends on its start
 * line, at startColumn + the length of the node when it is known (an
 * object's id), else at startColumn + 1 (report_finding_span).
 */
#include <stdlib.h>
#include <string.h>

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
static void put_message(struct report_jw *w, const char *key, const char *text)
{
	report_jw_begin(w, key, false);
	report_jw_str(w, "text", text);
	report_jw_end(w, false);
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

	report_jw_begin(w, NULL, false);
	report_jw_str(w, "id", rule->id);
	report_jw_str(w, "name", rule->name);
	put_message(w, "shortDescription", rule->summary);
	put_message(w, "fullDescription", *full ? full : rule->summary);
	put_message(w, "help", doc);
	report_jw_begin(w, "defaultConfiguration", false);
	report_jw_str(w, "level", sarif_level(rule->severity));
	report_jw_end(w, false);
	report_jw_end(w, false);
	free(full);
}

/*
 * path as a URI reference (RFC 3986): every byte but the unreserved ones
 * (ALPHA DIGIT - . _ ~) and '/' percent-encoded, so a file named
 * "a#b c%zz.yaml" is "a%23b%20c%25zz.yaml". Returns a new string (caller frees).
 */
static char *sarif_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sbuf b = { 0 };
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
			sbuf_putc(&b, (char)*p);
		} else {
			sbuf_putc(&b, '%');
			sbuf_putc(&b, hex[*p >> 4]);
			sbuf_putc(&b, hex[*p & 15]);
		}
	}
	return sbuf_detach(&b);
}

/* physicalLocation: file, line, column and a span of that many characters. */
static void sarif_physical(struct report_jw *w, const char *file, unsigned line, unsigned col, uint32_t span)
{
	char *uri = sarif_uri(file);

	report_jw_begin(w, "physicalLocation", false);
	report_jw_begin(w, "artifactLocation", false);
	report_jw_str(w, "uri", uri);
	free(uri);
	report_jw_end(w, false);
	report_jw_begin(w, "region", false);
	report_jw_u64(w, "startLine", line);
	report_jw_u64(w, "startColumn", col);
	report_jw_u64(w, "endLine", line);
	report_jw_u64(w, "endColumn", (uint64_t)col + span);
	report_jw_end(w, false);
	report_jw_end(w, false);
}

/* A toolExecutionNotification for input error i: the file could not be checked. */
static void sarif_input_error(struct report_jw *w, const struct report *r, size_t i)
{
	struct report_input_error e;

	report_input_error(r, i, &e);
	report_jw_open(w, NULL, false);
	report_jw_str(w, "level", "error");
	put_message(w, "message", e.message);
	if (e.file) {
		report_jw_begin(w, "locations", true);
		report_jw_begin(w, NULL, false);
		sarif_physical(w, e.file, e.line, e.col, 1);
		report_jw_end(w, false);
		report_jw_end(w, true);
	}
	report_jw_close(w, false);
	report_input_error_release(&e);
}

/*
 * The workload or resource a finding's object was read from (its from: or
 * discovery), when the finding points into that file: a manifest's or a
 * plan's line, which SARIF names as a logical location too.
 */
static const struct workload_ref *finding_source(const struct report_file *rf, const struct finding *f,
						 struct pos p)
{
	const struct workload_ref *ref = NULL;
	const char *o = f->object;
	size_t i;

	if (!o || !rf->topo)
		return NULL;
	if (strncmp(o, "clients.", 8) == 0 && model_find_client(rf->topo, o + 8, &i))
		ref = client_cold(&rf->topo->clients[i])->source;
	else if (strncmp(o, "poolers.", 8) == 0 && model_find_pooler(rf->topo, o + 8, &i))
		ref = rf->topo->poolers[i].source;
	else if (strncmp(o, "databases.", 10) == 0 && model_find_database(rf->topo, o + 10, &i))
		ref = rf->topo->databases[i].source;
	return ref && ref->file && strcmp(ref->file, pos_file(p)) == 0 ? ref : NULL;
}

/*
 * ref as its own tool names it: a Terraform resource address
 * (module.workers.aws_ecs_service.api; a resource type has an underscore),
 * else NAMESPACE/KIND/NAME as in from: (KIND/NAME without a namespace).
 */
static char *resource_name(const struct workload_ref *ref)
{
	struct sbuf b = { 0 };
	const char *ns = ref->namespace, *dot;

	if (strchr(ref->kind, '_')) {
		for (; ns && strcmp(ns, "default") != 0 && *ns; ns = dot ? dot + 1 : NULL) {
			dot = strchr(ns, '.');
			sbuf_puts(&b, "module.");
			sbuf_add(&b, ns, dot ? (size_t)(dot - ns) : strlen(ns));
			sbuf_putc(&b, '.');
		}
		sbuf_cat_more(&b, ref->kind, ".", ref->name, (const char *)NULL);
	} else if (ns) {
		sbuf_cat_more(&b, ns, "/", ref->kind, "/", ref->name, (const char *)NULL);
	} else {
		sbuf_cat_more(&b, ref->kind, "/", ref->name, (const char *)NULL);
	}
	return sbuf_detach(&b);
}

/* locations[0] (physical and logical) of a finding. */
static void sarif_location(struct report_jw *w, const struct report_file *rf,
			   const struct finding *f)
{
	struct pos p = report_finding_pos(rf, f);
	const struct workload_ref *ref;

	report_jw_begin(w, "locations", true);
	report_jw_begin(w, NULL, false);
	sarif_physical(w, pos_file(p), p.line, p.col, report_finding_span(rf, f));
	report_jw_begin(w, "logicalLocations", true);
	report_jw_begin(w, NULL, false);
	report_jw_str(w, "fullyQualifiedName", report_finding_object(f));
	report_jw_str(w, "kind", "object");
	report_jw_end(w, false);
	if ((ref = finding_source(rf, f, p))) {
		char *name = resource_name(ref);

		report_jw_begin(w, NULL, false);
		report_jw_str(w, "fullyQualifiedName", name);
		report_jw_str(w, "kind", "resource");
		report_jw_end(w, false);
		free(name);
	}
	report_jw_end(w, true);
	report_jw_end(w, false);
	report_jw_end(w, true);
}

/* One result. */
static void sarif_result(struct report_jw *w, const struct report_file *rf, const struct finding *f)
{
	char fp[REPORT_FINGERPRINT_LEN];

	report_jw_begin(w, NULL, false);
	report_jw_str(w, "ruleId", f->rule->id);
	report_jw_u64(w, "ruleIndex", rule_index(f->rule));
	report_jw_str(w, "level", sarif_level(f->severity));
	put_message(w, "message", f->message);
	sarif_location(w, rf, f);
	report_fingerprint(fp, f);
	report_jw_begin(w, "partialFingerprints", false);
	report_jw_str(w, "connbudget/v1", fp); /* not primaryLocationLineHash: GitHub computes that */
	report_jw_end(w, false);
	report_jw_end(w, false);
}

int report_sarif(FILE *out, const struct report *r)
{
	struct report_jw w;
	struct report_iter it;
	const struct finding *f;
	size_t i;

	report_jw_init(&w, out);
	report_jw_open(&w, NULL, false);
	report_jw_str(&w, "$schema", SARIF_SCHEMA);
	report_jw_str(&w, "version", SARIF_VERSION);
	report_jw_open(&w, "runs", true);
	report_jw_open(&w, NULL, false);
	report_jw_open(&w, "tool", false);
	report_jw_open(&w, "driver", false);
	report_jw_str(&w, "name", "connbudget");
	report_jw_str(&w, "version", report_version(r));
	report_jw_str(&w, "informationUri", CONNBUDGET_URI);
	report_jw_open(&w, "rules", true);
	for (i = 0; i < rule_count && !w.failed; i++)
		sarif_rule(&w, &rule_registry[i]);
	report_jw_close(&w, true);
	report_jw_close(&w, false);
	report_jw_close(&w, false);
	report_jw_str(&w, "columnKind", "unicodeCodePoints");
	if (report_input_error_count(r) || report_next_note(r, &(size_t){ 0 }, &(size_t){ 0 })) {
		size_t ns = 0, nn = 0, ie = report_input_error_count(r);
		const char *note;

		report_jw_open(&w, "invocations", true);
		report_jw_open(&w, NULL, false);
		report_jw_bool(&w, "executionSuccessful", ie == 0);
		report_jw_open(&w, "toolExecutionNotifications", true);
		for (i = 0; i < ie && !w.failed; i++)
			sarif_input_error(&w, r, i);
		while ((note = report_next_note(r, &ns, &nn))) {
			report_jw_open(&w, NULL, false);
			report_jw_str(&w, "level", "note");
			report_jw_open(&w, "message", false);
			report_jw_str(&w, "text", note);
			report_jw_close(&w, false);
			report_jw_close(&w, false);
		}
		report_jw_close(&w, true);
		report_jw_close(&w, false);
		report_jw_close(&w, true);
	}
	report_jw_open(&w, "results", true);
	report_iter_init(&it, r);
	while (!w.failed && (f = report_iter_next(&it)))
		sarif_result(&w, it.rf, f);
	report_jw_close(&w, true);
	report_jw_close(&w, false);
	report_jw_close(&w, true);
	report_jw_close(&w, false);
	return report_jw_finish(&w);
}
