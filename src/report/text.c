/*
 * report_text.c - the terminal formats: text (a budget table per database,
 * the findings, a summary line) and gcc (the finding lines alone).
 *
 * `check` prints the plain table; `report` and `plan` print the same table
 * with the headroom left and a gauge per database (report_db_table's
 * extended rows), and after the tables the sections a command added (plan's
 * what-if), as the command rendered them. Colour only when r->color: no
 * escape at all otherwise.
 */
#include <string.h>

#include "report_impl.h"

enum { GAUGE_WIDTH = 40 };

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Drop trailing blanks so that no line ends in spaces. */
static void trim_right(struct sbuf *b)
{
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
}

/*
 * The ASCII gauge of one database: demand.peak against max_connections,
 * GAUGE_WIDTH cells, '>' after the bracket when over 100%. Green up to the
 * budget, yellow up to capacity, red above (only with color).
 */
static void text_gauge(struct sbuf *b, const struct db_fig *d, bool color)
{
	uint64_t pct = 0, cells;
	bool bounded = report_util_percent(d, &pct);
	enum report_db_state state = report_db_state(d);
	const char *ink = state == DB_OVER_CAPACITY ? ANSI_RED :
			  state == DB_IN_HEADROOM ? ANSI_YELLOW : ANSI_GREEN;
	size_t i;

	cells = !bounded || pct >= 100 ? GAUGE_WIDTH : (pct * GAUGE_WIDTH + 50) / 100;
	sbuf_puts(b, "  [");
	if (color)
		sbuf_puts(b, ink);
	for (i = 0; i < cells; i++)
		sbuf_putc(b, '#');
	if (color)
		sbuf_puts(b, ANSI_RESET);
	for (; i < GAUGE_WIDTH; i++)
		sbuf_putc(b, '.');
	sbuf_puts(b, !bounded || pct > 100 ? "]>" : "] ");
	if (bounded)
		sbuf_printf(b, " %llu%%\n", (unsigned long long)pct);
	else
		sbuf_puts(b, " unbounded\n");
}

/* The columns s takes: its characters (a figure may start with "\u2265 "). */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/*
 * One database's table, aligned: label, kind, steady, peak, note. A
 * pooler's clients are indented beneath it; a rule separates the
 * contributors from the totals.
 */
static void text_table(struct sbuf *b, const struct report *r, const struct report_file *rf,
		       size_t db, bool extended)
{
	const struct database *d = &rf->topo->databases[db];
	struct report_table t;
	size_t lw = 0, tw = 0, vw = 0, i;

	report_db_table(rf, db, extended, &t);
	for (i = 0; i < t.n; i++) {
		const struct report_row *row = &t.rows[i];
		lw = max_size(lw, strlen(row->label) + (row->kind == ROW_POOLED ? 2 * row->depth : 0));
		tw = max_size(tw, strlen(row->type));
		vw = max_size(vw, max_size(columns(row->steady), columns(row->peak)));
	}
	sbuf_printf(b, "%sdatabase '%s'%s (", r->color ? ANSI_BOLD : "", d->id.s,
		    r->color ? ANSI_RESET : "");
	quote_text_str(b, report_object_file(rf->topo, &d->id));
	sbuf_puts(b, ")\n");
	for (i = 0; i < t.n; i++) {
		const struct report_row *row = &t.rows[i];
		size_t indent = row->kind == ROW_POOLED ? 2 * row->depth : 0;

		if (row->kind == ROW_DEMAND) {
			size_t k, w = lw + tw + 2 * vw + 6;
			sbuf_puts(b, "  ");
			for (k = 0; k < w; k++)
				sbuf_putc(b, '-');
			sbuf_putc(b, '\n');
		}
		sbuf_printf(b, "  %*s%-*s  %-*s  %*s  %*s  %s", (int)indent, "",
			    (int)(lw - indent), row->label, (int)tw, row->type,
			    (int)(vw + strlen(row->steady) - columns(row->steady)), row->steady,
			    (int)(vw + strlen(row->peak) - columns(row->peak)), row->peak, row->note);
		trim_right(b);
		sbuf_putc(b, '\n');
	}
	if (extended)
		text_gauge(b, &rf->budget->dbs[db], r->color);
	sbuf_putc(b, '\n');
	report_table_release(&t);
}

/*
 * Write b to out and empty it for the next piece (its memory is kept);
 * 0, or -1 on an output error.
 */
static int flush(FILE *out, struct sbuf *b)
{
	int rc = b->len ? report_put(out, b->s) : 0;

	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
	return rc;
}

/*
 * Every finding as a diagnostic line, written as it is formatted: b holds
 * one line at a time, so memory does not grow with the number of findings.
 */
static int finding_lines(FILE *out, struct sbuf *b, const struct report *r, bool color)
{
	struct report_iter it;
	const struct finding *f;

	report_iter_init(&it, r);
	while ((f = report_iter_next(&it))) {
		report_finding_line(b, it.rf, f, color);
		sbuf_putc(b, '\n');
		if (flush(out, b) != 0)
			return -1;
	}
	return 0;
}

int report_text(FILE *out, const struct report *r)
{
	bool extended = r->command && strcmp(r->command, "check") != 0;
	struct sbuf b = { 0 };
	size_t i, db, ns = 0, nn = 0;
	const char *note;
	int rc = -1;

	if (!r->quiet) {
		for (i = 0; i < r->nfiles; i++) {
			const struct report_file *rf = &r->files[i];
			if (!rf->topo || !rf->budget || !rf->budget->dbs)
				continue;
			for (db = 0; db < rf->topo->ndatabases; db++) {
				text_table(&b, r, rf, db, extended);
				if (flush(out, &b) != 0)
					goto out;
			}
		}
	}
	for (i = 0; i < r->nsections && !r->quiet; i++) {
		const struct report_section *s = &r->sections[i];
		const char *text = r->color ? s->text_color : s->text;

		if (text && report_put(out, text) != 0)
			goto out;
	}
	if (finding_lines(out, &b, r, r->color) != 0)
		goto out;
	report_summary_line(&b, r);
	sbuf_putc(&b, '\n');
	while ((note = report_next_note(r, &ns, &nn)))
		sbuf_printf(&b, "note: %s\n", note);
	rc = flush(out, &b);
out:
	sbuf_release(&b);
	return rc;
}

int report_gcc(FILE *out, const struct report *r)
{
	struct sbuf b = { 0 };
	int rc = finding_lines(out, &b, r, false);
	size_t ns = 0, nn = 0;
	const char *note;

	/* a positionless line, as a compiler driver prints "cc1: note: ..." */
	while (rc == 0 && (note = report_next_note(r, &ns, &nn)))
		sbuf_printf(&b, "connbudget: note: %s\n", note);
	if (rc == 0 && b.len)
		rc = flush(out, &b);
	sbuf_release(&b);
	return rc;
}
