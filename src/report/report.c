/*
 * report.c - format names, dispatch, report_failed, and the helpers every
 * reporter shares (report_impl.h): the findings iterator, the diagnostic
 * and summary lines, contributor names and the rows of a budget table.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "load.h"
#include "report_impl.h"
#include "version.h"

/* Every format: its name on the command line and its writer. */
static const struct {
	enum report_format format;
	const char *name;
	int (*write)(FILE *out, const struct report *r);
} formats[] = {
	{ REPORT_TEXT, "text", report_text },
	{ REPORT_JSON, "json", report_json },
	{ REPORT_SARIF, "sarif", report_sarif },
	{ REPORT_GITHUB, "github", report_github },
	{ REPORT_JUNIT, "junit", report_junit },
	{ REPORT_GCC, "gcc", report_gcc },
	{ REPORT_MARKDOWN, "markdown", report_markdown },
	{ REPORT_PROMETHEUS, "prometheus", report_prometheus },
	{ REPORT_MERMAID, "mermaid", report_mermaid },
	{ REPORT_DOT, "dot", report_dot },
};

bool report_format_carries_errors(enum report_format f)
{
	return f == REPORT_JSON || f == REPORT_SARIF || f == REPORT_GITHUB || f == REPORT_JUNIT ||
	       f == REPORT_MARKDOWN;
}

bool report_format_parse(const char *s, enum report_format *f)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(formats); i++) {
		if (strcmp(s, formats[i].name) == 0) {
			*f = formats[i].format;
			return true;
		}
	}
	return false;
}

const char *report_format_name(enum report_format f)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(formats); i++)
		if (formats[i].format == f)
			return formats[i].name;
	return "unknown";
}

/*
 * Dispatch to the format's writer, then flush so that a full disk or a
 * closed pipe shows up here. Returns 0, or -1 when the writer failed or the
 * stream has an error.
 */
void report_await_findings(const struct report *r)
{
	if (r->await_findings)
		r->await_findings(r->await_arg);
}

int report_write(FILE *out, enum report_format f, const struct report *r)
{
	size_t i;

	/* JSON writes every figure first and waits just before its findings */
	if (f != REPORT_JSON)
		report_await_findings(r);
	for (i = 0; i < ARRAY_LEN(formats); i++) {
		if (formats[i].format != f)
			continue;
		if (formats[i].write(out, r) != 0)
			return -1;
		if (fflush(out) != 0 || ferror(out))
			return -1;
		return 0;
	}
	return -1;
}

bool report_failed(const struct summary *s, int fail_on)
{
	switch (fail_on) {
	case SEV_ERROR:
		return s->errors > 0;
	case SEV_WARNING:
		return s->errors + s->warnings > 0;
	case SEV_INFO:
		return s->errors + s->warnings + s->infos > 0;
	default: /* LEVEL_OFF: never */
		return false;
	}
}

void report_section_release(struct report_section *s)
{
	size_t i;

	cJSON_Delete(s->json);
	free(s->text);
	free(s->text_color);
	for (i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->notes);
	memset(s, 0, sizeof(*s));
}

int report_put(FILE *out, const char *s)
{
	return fputs(s, out) < 0 ? -1 : 0;
}

void report_iter_init(struct report_iter *it, const struct report *r)
{
	memset(it, 0, sizeof(*it));
	it->r = r;
}

const struct finding *report_iter_next(struct report_iter *it)
{
	while (it->file < it->r->nfiles) {
		const struct report_file *rf = &it->r->files[it->file];

		if (rf->findings && it->i < rf->findings->n) {
			it->rf = rf;
			return &rf->findings->v[it->i++];
		}
		it->file++;
		it->i = 0;
	}
	return NULL;
}

void report_summary(const struct report *r, struct summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < r->nfiles; i++) {
		struct summary one;

		if (!r->files[i].findings)
			continue;
		findings_count(r->files[i].findings, &one);
		s->errors += one.errors;
		s->warnings += one.warnings;
		s->infos += one.infos;
	}
}

size_t report_input_error_count(const struct report *r)
{
	const struct load_errors *e = r->input_errors;

	return e ? e->n + (e->truncated ? 1 : 0) : 0;
}

/* The decimal number in s[0..n), 1 or more, into *v; false when it is none. */
static bool position_number(const char *s, size_t n, unsigned *v)
{
	unsigned long x = 0;
	size_t i;

	if (n == 0 || n > 9)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	*v = (unsigned)x;
	return x > 0;
}

/*
 * A whole message ("file:line:col: error: what" from a config reader,
 * "connbudget: error: what"), split into e; the file is the text before
 * the last two ":N" ahead of ": error: ".
 */
static void split_message(const char *what, struct report_input_error *e)
{
	static const char tool[] = "connbudget: error: ", mark[] = ": error: ";
	const char *at = strstr(what, mark), *c2, *c1;

	if (strncmp(what, tool, sizeof(tool) - 1) == 0) {
		e->message = xstrdup(what + sizeof(tool) - 1);
		return;
	}
	if (at) {
		for (c2 = at; c2 > what && c2[-1] != ':'; c2--)
			;
		for (c1 = c2 > what ? c2 - 1 : what; c1 > what && c1[-1] != ':'; c1--)
			;
		if (c2 > what && c1 > what + 1 && position_number(c2, (size_t)(at - c2), &e->col) &&
		    position_number(c1, (size_t)(c2 - 1 - c1), &e->line)) {
			e->file = xstrndup(what, (size_t)(c1 - 1 - what));
			e->message = xstrdup(at + sizeof(mark) - 1);
			return;
		}
		e->line = e->col = 0;
	}
	e->message = xstrdup(what);
}

void report_input_error(const struct report *r, size_t i, struct report_input_error *e)
{
	const struct load_errors *errs = r->input_errors;

	memset(e, 0, sizeof(*e));
	if (i >= errs->n) {
		e->message = xasprintf("too many errors, stopping after %d", LOAD_MAX_ERRORS);
		return;
	}
	if (!errs->v[i].file) {
		split_message(errs->v[i].what, e);
		return;
	}
	e->file = xstrdup(errs->v[i].file);
	e->line = errs->v[i].line;
	e->col = errs->v[i].col;
	e->message = xstrdup(errs->v[i].what);
}

void report_input_error_release(struct report_input_error *e)
{
	free(e->file);
	free(e->message);
	memset(e, 0, sizeof(*e));
}

struct pos report_finding_pos(const struct report_file *rf, const struct finding *f)
{
	struct pos p = f->pos;

	if (!pos_file_index(p))
		p = pos_make(rf->topo && rf->topo->file ? rf->topo->file : "-", p.line, p.col);
	if (p.line < 1)
		p.line = 1;
	if (p.col < 1)
		p.col = 1;
	return p;
}

const char *report_finding_object(const struct finding *f)
{
	return f->object && *f->object ? f->object : "topology";
}

char *report_finding_key(const char *rule, const char *object, const char *message)
{
	struct sbuf b = { 0 };
	const char *s;

	sbuf_printf(&b, "%s\x1f%s\x1f", rule ? rule : "", object ? object : "");
	for (s = message ? message : ""; *s; s++)
		if (*s < '0' || *s > '9')
			sbuf_putc(&b, *s);
	return sbuf_detach(&b);
}

void report_fingerprint(char buf[REPORT_FINGERPRINT_LEN], const struct finding *f)
{
	/* FNV-1a, 64 bits (offset basis and prime from the FNV reference) */
	uint64_t h = UINT64_C(14695981039346656037);
	char *masked = mask_may_change(f->message) ? mask_password(f->message) : NULL;
	char *key = report_finding_key(f->rule->id, report_finding_object(f),
				       masked ? masked : f->message);
	const unsigned char *s;

	for (s = (const unsigned char *)key; *s; s++) {
		h ^= *s;
		h *= UINT64_C(1099511628211);
	}
	snprintf(buf, REPORT_FINGERPRINT_LEN, "%016" PRIx64, h);
	free(key);
	free(masked);
}

/* Characters (not bytes) in a UTF-8 string. */
static uint32_t utf8_chars(const char *s)
{
	uint32_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* The id node of the object a finding names ("poolers.bouncer"), or NULL. */
static const struct str *object_id(const struct topology *t, const char *object)
{
	const char *dot = object ? strchr(object, '.') : NULL;
	size_t i;

	if (!t || !dot)
		return NULL;
	if (strncmp(object, "databases.", 10) == 0 && model_find_database(t, dot + 1, &i))
		return &t->databases[i].id;
	if (strncmp(object, "poolers.", 8) == 0 && model_find_pooler(t, dot + 1, &i))
		return &t->poolers[i].id;
	if (strncmp(object, "clients.", 8) == 0 && model_find_client(t, dot + 1, &i))
		return &t->clients[i].id;
	return NULL;
}

uint32_t report_finding_span(const struct report_file *rf, const struct finding *f)
{
	const struct str *id = object_id(rf->topo, f->object);

	if (id && id->s && *id->s && id->pos.line == f->pos.line && id->pos.col == f->pos.col &&
	    pos_file_index(id->pos) && pos_file_index(id->pos) == pos_file_index(f->pos))
		return utf8_chars(id->s);
	return 1;
}

/* The colour of a severity word. */
static const char *severity_color(enum severity s)
{
	switch (s) {
	case SEV_ERROR:
		return ANSI_RED;
	case SEV_WARNING:
		return ANSI_YELLOW;
	case SEV_INFO:
		break;
	}
	return ANSI_BLUE;
}

void report_finding_line(struct sbuf *b, const struct report_file *rf, const struct finding *f,
			 bool color)
{
	struct pos p = report_finding_pos(rf, f);

	/* the file name and the message may carry input: through quote_text */
	if (color)
		sbuf_puts(b, ANSI_BOLD);
	quote_text_str(b, pos_file(p));
	if (color) {
		sbuf_printf(b, ":%u:%u:" ANSI_RESET " %s%s:" ANSI_RESET " ", p.line, p.col,
			    severity_color(f->severity), severity_name(f->severity));
		quote_text_str(b, f->message);
		sbuf_printf(b, " [" ANSI_BOLD "%s" ANSI_RESET " %s]", f->rule->id, f->rule->name);
	} else {
		sbuf_printf(b, ":%u:%u: %s: ", p.line, p.col, severity_name(f->severity));
		quote_text_str(b, f->message);
		sbuf_printf(b, " [%s %s]", f->rule->id, f->rule->name);
	}
}

/* "1 error", "0 infos": a count and its noun, plural unless one. */
static void count_noun(struct sbuf *b, size_t n, const char *noun)
{
	sbuf_printf(b, "%zu %s%s", n, noun, n == 1 ? "" : "s");
}

void report_summary_line(struct sbuf *b, const struct report *r)
{
	struct summary s;
	bool failed;

	report_summary(r, &s);
	failed = report_failed(&s, r->fail_on) || report_input_error_count(r);
	if (r->color)
		sbuf_puts(b, failed ? ANSI_RED : ANSI_GREEN);
	if (r->input_errors && r->input_errors->n) {
		count_noun(b, r->input_errors->n, "input error");
		sbuf_puts(b, ", ");
	}
	count_noun(b, s.errors, "error");
	sbuf_puts(b, ", ");
	count_noun(b, s.warnings, "warning");
	sbuf_puts(b, ", ");
	count_noun(b, s.infos, "info");
	sbuf_puts(b, " in ");
	count_noun(b, r->nfiles, "file");
	sbuf_puts(b, failed ? ": failed" : ": passed");
	if (r->color)
		sbuf_puts(b, ANSI_RESET);
}

const char *report_object_file(const struct topology *t, const struct str *id)
{
	if (pos_file_index(id->pos))
		return pos_file(id->pos);
	return t->file ? t->file : "-";
}

const char *report_contrib_id(const struct topology *t, const struct contrib *c)
{
	return c->kind == CONTRIB_POOLER ? t->poolers[c->index].id.s : t->clients[c->index].id.s;
}

const char *report_contrib_type(const struct topology *t, const struct contrib *c)
{
	if (c->kind == CONTRIB_POOLER)
		return pooler_type_name((enum pooler_type)t->poolers[c->index].type.v);
	return client_type_name((enum client_type)t->clients[c->index].type.v);
}

struct amount report_contrib_amount(const struct budget *b, const struct contrib *c)
{
	return c->kind == CONTRIB_POOLER ? b->poolers[c->index].server : budget_conn(b, c->index);
}

void report_pooled_init(struct report_pooled *it, const struct report_file *rf, size_t p)
{
	const struct pooler_fig *f = &rf->budget->poolers[p];

	memset(it, 0, sizeof(*it));
	it->t = rf->topo;
	it->p = p;
	it->list = f->clients;
	it->n = f->clients ? f->nclients : rf->topo->nclients;
}

bool report_pooled_next(struct report_pooled *it, size_t *client)
{
	const struct client *c;

	if (it->list) {
		if (it->i >= it->n)
			return false;
		*client = it->list[it->i++];
		return true;
	}
	while (it->i < it->n) {
		c = &it->t->clients[it->i++];
		if (c->via_pooler && c->target == it->p) {
			*client = it->i - 1;
			return true;
		}
	}
	return false;
}

/*
 * Digits from the right, then copied into place: the same text as
 * snprintf's "%llu" at a tenth of its cost, which counted when every
 * figure of a 100 000-client JSON report went through here.
 */
void report_u64(char buf[REPORT_NUM_LEN], uint64_t v)
{
	char tmp[REPORT_NUM_LEN];
	size_t n = sizeof(tmp);

	tmp[--n] = '\0';
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(buf, tmp + n, sizeof(tmp) - n);
}

bool report_util_percent(const struct db_fig *d, uint64_t *pct)
{
	double v;

	if (d->demand.unbounded)
		return false;
	v = d->utilization * 100.0 + 0.5;
	*pct = v >= 1.8e19 ? UINT64_MAX : v <= 0 ? 0 : (uint64_t)v;
	return true;
}

enum report_db_state report_db_state(const struct db_fig *d)
{
	if (d->demand.unbounded || d->demand.peak > d->capacity)
		return DB_OVER_CAPACITY;
	if (d->demand.peak > d->budget)
		return DB_IN_HEADROOM;
	return DB_UNDER_BUDGET;
}

/* Append a row of kind k; the caller fills its cells. */
static struct report_row *add_row(struct report_table *t, enum report_row_kind k, const char *label,
				  const char *note)
{
	struct report_row *row;

	xgrow(&t->rows, &t->cap, t->n + 1, sizeof(*t->rows));
	row = &t->rows[t->n++];
	memset(row, 0, sizeof(*row));
	row->kind = k;
	row->label = label;
	row->type = "";
	snprintf(row->note, sizeof(row->note), "%s", note ? note : "");
	return row;
}

/* The steady and peak cells of an amount ("unbounded" when it is). */
static void amount_cells(struct report_row *row, const struct amount *a)
{
	if (a->unbounded) {
		snprintf(row->steady, sizeof(row->steady), "unbounded");
		snprintf(row->peak, sizeof(row->peak), "unbounded");
		return;
	}
	if (a->unknown) {
		snprintf(row->steady, sizeof(row->steady), "unknown");
		snprintf(row->peak, sizeof(row->peak), "unknown");
		return;
	}
	if (a->lower_bound) {
		/* docs/sources.md: a client's pool size is unknown, the sum may be larger */
		snprintf(row->steady, sizeof(row->steady), "\u2265 %llu", (unsigned long long)a->steady);
		snprintf(row->peak, sizeof(row->peak), "\u2265 %llu", (unsigned long long)a->peak);
		return;
	}
	report_u64(row->steady, a->steady);
	report_u64(row->peak, a->peak);
}

/* A figure row: one value in the peak column. */
static void figure_row(struct report_table *t, enum report_row_kind k, const char *label, uint64_t v,
		       const char *note)
{
	report_u64(add_row(t, k, label, note)->peak, v);
}

/*
 * The rows beneath pooler p on a database's table: its clients, then each
 * pooler in front of it (docs/poolers.md), followed by its own, one level
 * deeper. A walk with a stack of its own: a chain may be long.
 */
static void pooled_rows(const struct report_file *rf, size_t p, struct report_table *t)
{
	const struct topology *topo = rf->topo;
	size_t *stack = NULL, *depth = NULL, n = 0, cap = 0, capd = 0, k, j, d;
	struct report_pooled it;
	struct report_row *row;
	struct amount a;

	xgrow(&stack, &cap, 1, sizeof(*stack));
	xgrow(&depth, &capd, 1, sizeof(*depth));
	stack[n] = p;
	depth[n++] = 1;
	while (n) {
		const struct pooler_fig *f;

		n--;
		p = stack[n];
		d = depth[n];
		f = &rf->budget->poolers[p];
		if (d > 1) {
			row = add_row(t, ROW_POOLED, topo->poolers[p].id.s, "pooler in front, not counted");
			row->type = pooler_type_name((enum pooler_type)topo->poolers[p].type.v);
			row->depth = d - 1 < REPORT_DEPTH_SHOWN ? d - 1 : REPORT_DEPTH_SHOWN;
			amount_cells(row, &f->server);
		}
		report_pooled_init(&it, rf, p);
		while (report_pooled_next(&it, &k)) {
			row = add_row(t, ROW_POOLED, topo->clients[k].id.s, "client side, not counted");
			row->type = client_type_name((enum client_type)topo->clients[k].type.v);
			row->depth = d < REPORT_DEPTH_SHOWN ? d : REPORT_DEPTH_SHOWN;
			a = budget_conn(rf->budget, k);
			amount_cells(row, &a);
		}
		/* pushed last first: they come out in file order */
		for (j = f->nouter; j-- > 0;) {
			xgrow(&stack, &cap, n + 1, sizeof(*stack));
			xgrow(&depth, &capd, n + 1, sizeof(*depth));
			stack[n] = f->outer[j];
			depth[n++] = d + 1;
		}
	}
	free(stack);
	free(depth);
}

/*
 * The rows of database db's table, in the order every format prints them
 * (see report_impl.h). Figures are copied from the budget as they are; the
 * one difference taken here is the headroom left (budget - demand.peak),
 * written as "-N" with a note when the peak is over the budget.
 */
void report_db_table(const struct report_file *rf, size_t db, bool extended, struct report_table *t)
{
	const struct topology *topo = rf->topo;
	const struct db_fig *d = &rf->budget->dbs[db];
	struct report_row *row;
	uint64_t pct;
	size_t i;

	memset(t, 0, sizeof(*t));
	row = add_row(t, ROW_HEADER, "contributor", NULL);
	row->type = "kind";
	snprintf(row->steady, sizeof(row->steady), "steady");
	snprintf(row->peak, sizeof(row->peak), "peak");

	for (i = 0; i < d->ncontrib; i++) {
		const struct contrib *c = &d->contrib[i];
		struct amount a = report_contrib_amount(rf->budget, c);

		row = add_row(t, ROW_CONTRIB, report_contrib_id(topo, c), NULL);
		row->type = report_contrib_type(topo, c);
		amount_cells(row, &a);
		if (c->kind == CONTRIB_POOLER)
			pooled_rows(rf, c->index, t);
	}

	amount_cells(add_row(t, ROW_DEMAND, "demand", NULL), &d->demand);
	figure_row(t, ROW_MAX_CONNECTIONS, "max_connections", d->max_connections, NULL);
	figure_row(t, ROW_CAPACITY, "capacity", d->capacity, "max_connections - reserved slots");
	figure_row(t, ROW_BUDGET, "budget", d->budget, "capacity, keeping headroom free");
	if (d->has_optimum) {
		figure_row(t, ROW_OPTIMUM, "optimum", d->optimum, "cores x 2 + spindles");
	} else {
		row = add_row(t, ROW_OPTIMUM, "optimum", "no cores given");
		snprintf(row->peak, sizeof(row->peak), "-");
	}
	row = add_row(t, ROW_UTILIZATION, "utilization", "peak / max_connections");
	if (report_util_percent(d, &pct))
		snprintf(row->peak, sizeof(row->peak), "%llu%%", (unsigned long long)pct);
	else
		snprintf(row->peak, sizeof(row->peak), "unbounded");

	if (!extended)
		return;
	if (d->demand.unbounded) {
		row = add_row(t, ROW_HEADROOM_LEFT, "headroom left", "demand is unbounded");
		snprintf(row->peak, sizeof(row->peak), "none");
	} else if (d->budget >= d->demand.peak) {
		figure_row(t, ROW_HEADROOM_LEFT, "headroom left", d->budget - d->demand.peak,
			   "budget - peak");
	} else {
		uint64_t over = d->demand.peak - d->budget;

		row = add_row(t, ROW_HEADROOM_LEFT, "headroom left", NULL);
		snprintf(row->peak, sizeof(row->peak), "-%llu", (unsigned long long)over);
		snprintf(row->note, sizeof(row->note), "over budget by %llu", (unsigned long long)over);
	}
}

void report_table_release(struct report_table *t)
{
	if (!t)
		return;
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

const char *report_version(const struct report *r)
{
	return r->version ? r->version : CONNBUDGET_VERSION;
}
