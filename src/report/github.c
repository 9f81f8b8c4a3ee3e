/*
 * report_github.c - GitHub Actions workflow commands, one per finding:
 *   ::error file=F,line=L,col=C,title=CB001 over-capacity::message
 * (warning → ::warning, info → ::notice), which the runner turns into
 * annotations on the pull request.
 *
 * Escaping follows the runner's own (actions/toolkit command.ts): '%' in
 * the message, and in property values also ':' and ','. CR and LF, like
 * every other control character of the input, are written as quote_text
 * shows them (\r, \n), so a message is always one line of the log.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

/* The workflow command of a severity. */
static const char *github_command(enum severity s)
{
	switch (s) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	case SEV_INFO:
		break;
	}
	return "notice";
}

/*
 * Escape s into b; property adds ':' and ','. s goes through quote_text
 * first, so no control character (CR and LF included, as \r and \n) or
 * bidi control of the input reaches the log. '%' is escaped in the same
 * pass as the rest, so no escape is ever escaped twice.
 */
static void github_escape(struct sbuf *b, const char *s, bool property)
{
	struct sbuf clean = { 0 };
	size_t n = strlen(s);

	if (quote_text_needed(s, n)) {
		quote_text(&clean, s, n);
		s = clean.s;
	}
	for (; *s; s++) {
		switch (*s) {
		case '%':
			sbuf_puts(b, "%25");
			break;
		case ':':
			sbuf_puts(b, property ? "%3A" : ":");
			break;
		case ',':
			sbuf_puts(b, property ? "%2C" : ",");
			break;
		default:
			sbuf_putc(b, *s);
		}
	}
	sbuf_release(&clean);
}

void report_github_escape_data(struct sbuf *b, const char *s)
{
	/* data is a message or a value; properties are file names and titles, kept as they are */
	char *masked = mask_may_change(s) ? mask_password(s) : NULL;

	github_escape(b, masked ? masked : s, false);
	free(masked);
}

void report_github_escape_property(struct sbuf *b, const char *s)
{
	github_escape(b, s, true);
}


/* One finding as a workflow command. */
static void github_finding(struct sbuf *b, const struct report_file *rf, const struct finding *f)
{
	struct pos p = report_finding_pos(rf, f);

	sbuf_printf(b, "::%s file=", github_command(f->severity));
	report_github_escape_property(b, pos_file(p));
	sbuf_printf(b, ",line=%u,col=%u,title=", p.line, p.col);
	report_github_escape_property(b, f->rule->id);
	sbuf_putc(b, ' ');
	report_github_escape_property(b, f->rule->name);
	sbuf_puts(b, "::");
	report_github_escape_data(b, f->message);
	sbuf_putc(b, '\n');
}

/* An input error: an error annotation at its position (a notice of the cut has none). */
static void github_input_error(struct sbuf *b, const struct report *r, size_t i)
{
	struct report_input_error e;

	report_input_error(r, i, &e);
	sbuf_puts(b, "::error ");
	if (e.file) {
		sbuf_puts(b, "file=");
		report_github_escape_property(b, e.file);
		sbuf_printf(b, ",line=%u,col=%u,", e.line, e.col);
	}
	sbuf_puts(b, "title=connbudget input error::");
	report_github_escape_data(b, e.message);
	sbuf_putc(b, '\n');
	report_input_error_release(&e);
}

/*
 * The most severe first, at most GITHUB_MAX_PER_SEVERITY of each severity
 * (so that none GitHub would show is crowded out), then one notice with
 * how many were left out, then the command's notes.
 */
int report_github(FILE *out, const struct report *r)
{
	static const enum severity order[] = { SEV_ERROR, SEV_WARNING, SEV_INFO };
	struct sbuf b = { 0 };
	size_t ns = 0, nn = 0, left = 0, i;
	const char *note;
	struct report_iter it;
	const struct finding *f;
	int rc;

	for (i = 0; i < report_input_error_count(r); i++)
		github_input_error(&b, r, i);
	for (i = 0; i < ARRAY_LEN(order); i++) {
		size_t shown = 0;
		report_iter_init(&it, r);
		while ((f = report_iter_next(&it))) {
			if (f->severity != order[i])
				continue;
			if (shown++ < GITHUB_MAX_PER_SEVERITY)
				github_finding(&b, it.rf, f);
			else
				left++;
		}
	}
	if (left)
		sbuf_printf(&b, "::notice title=connbudget::%zu more finding%s not annotated "
			    "(GitHub shows %d of each severity per step); the text or sarif report has them all\n",
			    left, left == 1 ? "" : "s", GITHUB_MAX_PER_SEVERITY);
	while ((note = report_next_note(r, &ns, &nn))) {
		sbuf_puts(&b, "::notice title=connbudget::");
		report_github_escape_data(&b, note);
		sbuf_putc(&b, '\n');
	}
	rc = b.s ? report_put(out, b.s) : 0;
	sbuf_release(&b);
	return rc;
}
