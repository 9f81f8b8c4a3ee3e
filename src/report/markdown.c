/*
 * report_markdown.c - GitHub-flavoured Markdown for `report --format
 * markdown` (a pull-request comment, a job summary): the same budget
 * table as text, one per database, the topology as a mermaid picture
 * (mermaid.c; GitHub draws it), then the findings as a list and the
 * summary line.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

/* s through the password masker, then quote_markdown: no markup, no mention. */
static void md_escape(struct sbuf *b, const char *raw)
{
	char *masked = mask_may_change(raw) ? mask_password(raw) : NULL;

	quote_markdown(b, masked ? masked : raw);
	free(masked);
}

void report_md_escape(struct sbuf *b, const char *raw)
{
	md_escape(b, raw);
}

/* One table cell: " text |", bold for the total row; " |" when empty. */
static void md_cell(struct sbuf *b, const char *text, bool bold)
{
	if (!*text) {
		sbuf_puts(b, " |");
		return;
	}
	sbuf_puts(b, bold ? " **" : " ");
	quote_markdown(b, text);
	sbuf_puts(b, bold ? "** |" : " |");
}

static void md_table(struct sbuf *b, const struct report *r, const struct report_file *rf, size_t db)
{
	const struct database *d = &rf->topo->databases[db];
	bool extended = r->command && strcmp(r->command, "check") != 0;
	struct report_table t;
	size_t i;

	report_db_table(rf, db, extended, &t);
	sbuf_puts(b, "### Database `");
	sbuf_puts(b, d->id.s);
	sbuf_puts(b, "` (");
	quote_markdown(b, report_object_file(rf->topo, &d->id));
	sbuf_puts(b, ")\n\n");
	for (i = 0; i < t.n; i++) {
		const struct report_row *row = &t.rows[i];
		bool total = row->kind == ROW_DEMAND;

		sbuf_putc(b, '|');
		if (row->kind == ROW_POOLED) {
			size_t k;

			sbuf_putc(b, ' ');
			for (k = 0; k < row->depth; k++)
				sbuf_puts(b, "↳");
			sbuf_putc(b, ' ');
			quote_markdown(b, row->label);
			sbuf_puts(b, " |");
		} else {
			md_cell(b, row->label, total);
		}
		md_cell(b, row->type, false);
		md_cell(b, row->steady, total);
		md_cell(b, row->peak, total);
		md_cell(b, row->kind == ROW_HEADER ? "note" : row->note, false);
		sbuf_putc(b, '\n');
		if (row->kind == ROW_HEADER)
			sbuf_puts(b, "|:--|:--|--:|--:|:--|\n");
	}
	sbuf_putc(b, '\n');
	report_table_release(&t);
}

/* The picture of every file with figures, in a ```mermaid block; nothing when none has. */
static void md_picture(struct sbuf *b, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (r->files[i].topo && r->files[i].budget && r->files[i].budget->dbs)
			break;
	if (i == r->nfiles)
		return;
	sbuf_puts(b, "### Topology\n\n```mermaid\n");
	report_graph_mermaid(b, r->files, r->nfiles);
	sbuf_puts(b, "```\n\n");
}

/* "### Input errors": what kept a file from being checked. */
static void md_input_errors(struct sbuf *b, const struct report *r)
{
	size_t i, n = report_input_error_count(r);
	struct report_input_error e;

	if (!n)
		return;
	sbuf_puts(b, "### Input errors\n\n");
	for (i = 0; i < n; i++) {
		report_input_error(r, i, &e);
		sbuf_puts(b, "- **error** ");
		if (e.file) {
			struct sbuf loc = { 0 };

			sbuf_printf(&loc, "%s:%u:%u", e.file, e.line, e.col);
			quote_markdown_code(b, loc.s);
			sbuf_putc(b, ' ');
			sbuf_release(&loc);
		}
		md_escape(b, e.message);
		sbuf_putc(b, '\n');
		report_input_error_release(&e);
	}
	sbuf_putc(b, '\n');
}

int report_markdown(FILE *out, const struct report *r)
{
	struct report plain = *r;
	struct sbuf b = { 0 }, line = { 0 };
	struct report_iter it;
	const struct finding *f;
	bool first = true;
	size_t i, db, ns = 0, nn = 0;
	const char *note;
	int rc;

	if (!r->quiet) {
		for (i = 0; i < r->nfiles; i++) {
			const struct report_file *rf = &r->files[i];
			if (!rf->topo || !rf->budget || !rf->budget->dbs)
				continue;
			for (db = 0; db < rf->topo->ndatabases; db++)
				md_table(&b, r, rf, db);
		}
		md_picture(&b, r);
	}
	md_input_errors(&b, r);
	report_iter_init(&it, r);
	while ((f = report_iter_next(&it))) {
		struct pos p = report_finding_pos(it.rf, f);
		struct sbuf loc = { 0 };

		if (first)
			sbuf_puts(&b, "### Findings\n\n");
		first = false;
		sbuf_printf(&loc, "%s:%u:%u", pos_file(p), p.line, p.col);
		sbuf_printf(&b, "- **%s** ", severity_name(f->severity));
		quote_markdown_code(&b, loc.s);
		sbuf_putc(&b, ' ');
		sbuf_release(&loc);
		md_escape(&b, f->message);
		sbuf_printf(&b, " (%s %s)\n", f->rule->id, f->rule->name);
	}
	if (!first)
		sbuf_putc(&b, '\n');
	plain.color = false; /* Markdown has no ANSI colour */
	report_summary_line(&line, &plain);
	sbuf_printf(&b, "**%s**\n", line.s);
	sbuf_release(&line);
	while ((note = report_next_note(r, &ns, &nn))) {
		sbuf_puts(&b, "\n> **Note:** ");
		md_escape(&b, note);
		sbuf_putc(&b, '\n');
	}
	rc = report_put(out, b.s);
	sbuf_release(&b);
	return rc;
}
