/*
 * report_junit.c - JUnit XML as GitLab's and Jenkins' importers read it:
 * one <testsuite> per FILE argument, one uniquely named <testcase> per
 * enabled rule × object in the rule's scope (every object checked, whether
 * the rule fired or not), a <failure> for each finding.
 *
 * Importers read one <failure> per testcase (Jenkins keeps only the first),
 * so when a rule fires twice on one object the second finding gets its own
 * testcase, "CB006 session-feature-in-transaction-pool: clients.api #2": every
 * finding is one failure and `failures` equals the number of findings. A
 * finding about an object outside the rule's scope (or of a rule that is not
 * run per object, like CB018) gets a testcase of its own the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

/* One testcase: a rule × object, with at most one finding. */
struct testcase {
	char *name;                  /* owned */
	const struct finding *finding; /* NULL: passed */
};

/* The testcases of one file, and their names for lookup. */
struct suite {
	struct testcase *v;
	size_t n, cap;
	size_t failures;
	struct strmap names;         /* name → index into v; keys owned by v */
	/* per base name, the last "#k" given, so that the next search starts
	 * there: n findings on one object cost n steps, not n²/2 */
	struct strmap bases;         /* base name → index into counters */
	struct counter { char *base; size_t k; } *counters;
	size_t ncounters, capcounters;
};

/* Append a testcase with this name (owned by the suite from now on). */
static struct testcase *suite_add(struct suite *s, char *name)
{
	struct testcase *tc;

	xgrow(&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	tc = &s->v[s->n];
	tc->name = name;
	tc->finding = NULL;
	strmap_put(&s->names, name, s->n, NULL);
	s->n++;
	return tc;
}

static void suite_release(struct suite *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	strmap_release(&s->names);
	for (i = 0; i < s->ncounters; i++)
		free(s->counters[i].base);
	free(s->counters);
	strmap_release(&s->bases);
	memset(s, 0, sizeof(*s));
}

/* Is registry row i run per object in this file? */
static bool rule_checked(const struct findings *f, size_t i)
{
	const struct rule *rule = &rule_registry[i];
	int level = f && f->level ? f->level[i] : (int)rule->severity;

	return level != LEVEL_OFF && rule->check;
}

/* A testcase for rule × every object of its scope. */
static void add_scope(struct suite *s, const struct topology *t, const struct rule *rule)
{
	size_t i;

	switch (rule->scope) {
	case SCOPE_DATABASE:
		for (i = 0; i < t->ndatabases; i++)
			suite_add(s, xasprintf("%s %s: databases.%s", rule->id, rule->name,
					       t->databases[i].id.s));
		break;
	case SCOPE_POOLER:
		for (i = 0; i < t->npoolers; i++)
			suite_add(s, xasprintf("%s %s: poolers.%s", rule->id, rule->name,
					       t->poolers[i].id.s));
		break;
	case SCOPE_CLIENT:
		for (i = 0; i < t->nclients; i++)
			suite_add(s, xasprintf("%s %s: clients.%s", rule->id, rule->name,
					       t->clients[i].id.s));
		break;
	}
}

/*
 * Place a finding: on its rule × object testcase when that one has none
 * yet, else on the first free "name #k" (created as needed).
 */
static void place_finding(struct suite *s, const struct finding *f)
{
	char *base = xasprintf("%s %s: %s", f->rule->id, f->rule->name, report_finding_object(f));
	char *name = xstrdup(base);
	size_t idx, c, k = 1;

	if (strmap_get(&s->bases, base, &c)) {
		k = s->counters[c].k;
		if (k > 1) {
			free(name);
			name = xasprintf("%s #%zu", base, k);
		}
	} else {
		xgrow(&s->counters, &s->capcounters, s->ncounters + 1, sizeof(*s->counters));
		c = s->ncounters++;
		s->counters[c].base = xstrdup(base);
		s->counters[c].k = 1;
		strmap_put(&s->bases, s->counters[c].base, c, NULL);
	}
	while (strmap_get(&s->names, name, &idx) && s->v[idx].finding) {
		free(name);
		name = xasprintf("%s #%zu", base, ++k);
	}
	s->counters[c].k = k;
	if (strmap_get(&s->names, name, &idx)) {
		free(name);
		s->v[idx].finding = f;
	} else {
		suite_add(s, name)->finding = f;
	}
	s->failures++;
	free(base);
}

/* Every testcase of one file, in rule order then object order, then extras. */
static void build_suite(struct suite *s, const struct report_file *rf)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (rf->topo)
		for (i = 0; i < rule_count; i++)
			if (rule_checked(rf->findings, i))
				add_scope(s, rf->topo, &rule_registry[i]);
	if (rf->findings)
		for (i = 0; i < rf->findings->n; i++)
			place_finding(s, &rf->findings->v[i]);
}

/* A character XML 1.0 allows (Char production). */
static bool xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
	       (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void report_xml_escape(struct sbuf *b, const char *s, bool attr)
{
	char *masked = mask_may_change(s) ? mask_password(s) : NULL;
	const unsigned char *p = (const unsigned char *)(masked ? masked : s);

	while (*p) {
		uint32_t cp;
		size_t n;
		const unsigned char *run = p;

		/* printable ASCII that needs no escape, copied as one run */
		while (*p >= 0x20 && *p < 0x7f && *p != '&' && *p != '<' && *p != '>' &&
		       *p != '"' && *p != '\'')
			p++;
		if (p > run)
			sbuf_add(b, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		n = quote_utf8_next(p, &cp);

		switch (cp) {
		case '&':
			sbuf_puts(b, "&amp;");
			break;
		case '<':
			sbuf_puts(b, "&lt;");
			break;
		case '>':
			sbuf_puts(b, "&gt;");
			break;
		case '"':
			sbuf_puts(b, "&quot;");
			break;
		case '\'':
			sbuf_puts(b, "&apos;");
			break;
		case '\r':
			sbuf_puts(b, "&#13;");
			break;
		case '\t':
		case '\n':
			if (attr)
				sbuf_printf(b, "&#%u;", (unsigned)cp);
			else
				sbuf_putc(b, (char)cp);
			break;
		default:
			if (cp == 0xFFFD || !xml_char(cp))
				sbuf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
			else
				sbuf_add(b, (const char *)p, n);
		}
		p += n;
	}
	free(masked);
}

/* One <testcase>, with its <failure> when a finding landed on it. */
static void junit_testcase(struct sbuf *b, const struct report_file *rf, const char *classname,
			   const struct testcase *tc)
{
	struct sbuf line = { 0 };

	sbuf_puts(b, "    <testcase name=\"");
	report_xml_escape(b, tc->name, true);
	sbuf_puts(b, "\" classname=\"");
	report_xml_escape(b, classname, true);
	if (!tc->finding) {
		sbuf_puts(b, "\"/>\n");
		return;
	}
	sbuf_puts(b, "\">\n      <failure type=\"");
	report_xml_escape(b, tc->finding->rule->id, true);
	sbuf_puts(b, "\" message=\"");
	report_xml_escape(b, tc->finding->message, true);
	sbuf_puts(b, "\">");
	report_finding_line(&line, rf, tc->finding, false);
	report_xml_escape(b, line.s, false);
	sbuf_puts(b, "</failure>\n    </testcase>\n");
	sbuf_release(&line);
}

/*
 * The input errors as one testsuite, "input", a testcase with an <error>
 * each (JUnit's error: the test could not run), named by its position.
 */
static void junit_input_errors(struct sbuf *b, const struct report *r)
{
	size_t i, n = report_input_error_count(r);
	struct report_input_error e;

	if (!n)
		return;
	sbuf_printf(b, "  <testsuite name=\"input\" tests=\"%zu\" failures=\"0\" errors=\"%zu\">\n", n, n);
	for (i = 0; i < n; i++) {
		struct sbuf name = { 0 }, body = { 0 };

		report_input_error(r, i, &e);
		if (e.file)
			sbuf_printf(&name, "%s:%u:%u", e.file, e.line, e.col);
		else
			sbuf_printf(&name, "input error #%zu", i + 1);
		sbuf_puts(b, "    <testcase name=\"");
		report_xml_escape(b, name.s, true);
		sbuf_puts(b, "\" classname=\"connbudget.input\">\n      <error message=\"");
		report_xml_escape(b, e.message, true);
		sbuf_puts(b, "\" type=\"input error\">");
		/* the body is a line of text, as a failure's: a line feed of the input must not start a line */
		quote_text_str(&body, e.message);
		report_xml_escape(b, body.s, false);
		sbuf_puts(b, "</error>\n    </testcase>\n");
		sbuf_release(&name);
		sbuf_release(&body);
		report_input_error_release(&e);
	}
	sbuf_puts(b, "  </testsuite>\n");
}

int report_junit(FILE *out, const struct report *r)
{
	struct suite *suites = xcalloc(r->nfiles, sizeof(*suites));
	struct sbuf b = { 0 };
	size_t tests = 0, failures = 0, i, k, ie = report_input_error_count(r);
	int rc;

	for (i = 0; i < r->nfiles; i++) {
		build_suite(&suites[i], &r->files[i]);
		tests += suites[i].n;
		failures += suites[i].failures;
	}
	sbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sbuf_printf(&b, "<testsuites name=\"connbudget\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		    tests + ie, failures, ie);
	junit_input_errors(&b, r);
	for (i = 0; i < r->nfiles; i++) {
		const struct report_file *rf = &r->files[i];
		const char *file = rf->topo && rf->topo->file ? rf->topo->file : "-";

		sbuf_puts(&b, "  <testsuite name=\"");
		report_xml_escape(&b, file, true);
		sbuf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", suites[i].n,
			    suites[i].failures);
		for (k = 0; k < suites[i].n; k++)
			junit_testcase(&b, rf, file, &suites[i].v[k]);
		if (i == 0 && report_next_note(r, &(size_t){ 0 }, &(size_t){ 0 })) {
			size_t ns = 0, nn = 0;
			const char *note;

			sbuf_puts(&b, "    <system-out>");
			while ((note = report_next_note(r, &ns, &nn))) {
				sbuf_puts(&b, "note: ");
				report_xml_escape(&b, note, false);
				sbuf_putc(&b, '\n');
			}
			sbuf_puts(&b, "</system-out>\n");
		}
		sbuf_puts(&b, "  </testsuite>\n");
		suite_release(&suites[i]);
	}
	sbuf_puts(&b, "</testsuites>\n");
	rc = report_put(out, b.s);
	sbuf_release(&b);
	free(suites);
	return rc;
}
