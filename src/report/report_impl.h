/*
 * report_impl.h - what the reporters (report_*.c) share; not for other
 * modules, which use report.h.
 *
 * Every reporter walks the same lists through these helpers: the findings
 * of every file in order (report_iter), the rows of a database's budget
 * table (report_db_table), the name and figures of a contributor. None of
 * them computes a figure: numbers come from struct budget as they are.
 */
#ifndef CONNBUDGET_REPORT_IMPL_H
#define CONNBUDGET_REPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "budget.h"
#include "conninfo.h"
#include "model.h"
#include "quote.h"
#include "report.h"
#include "rules.h"
#include "util.h"

/*
 * GitHub shows at most this many annotations of each kind (error, warning,
 * notice) per step and drops the rest ("Annotations are limited to 10
 * per type per step", docs.github.com, workflow commands; checked
 * 2026-12-02).
 */
enum { GITHUB_MAX_PER_SEVERITY = 10 };

/* Room for a uint64_t in decimal, a sign or "%", and the NUL. */
enum { REPORT_NUM_LEN = 28 }; /* a u64, "≥ " before it (docs/sources.md) */

/*
 * The notes of every section in order: *section and *note start at 0 and
 * are advanced; returns the next note, or NULL after the last.
 */
static inline const char *report_next_note(const struct report *r, size_t *section, size_t *note)
{
	while (*section < r->nsections) {
		const struct report_section *s = &r->sections[*section];

		if (*note < s->nnotes)
			return s->notes[(*note)++];
		(*section)++;
		*note = 0;
	}
	return NULL;
}

/* One writer per format (report.c dispatches through a table of these). */
int report_text(FILE *out, const struct report *r);
int report_json(FILE *out, const struct report *r);
int report_sarif(FILE *out, const struct report *r);
int report_github(FILE *out, const struct report *r);
int report_junit(FILE *out, const struct report *r);
int report_gcc(FILE *out, const struct report *r);
int report_markdown(FILE *out, const struct report *r);
int report_prometheus(FILE *out, const struct report *r); /* prometheus.c */
int report_mermaid(FILE *out, const struct report *r);
int report_dot(FILE *out, const struct report *r);

/*
 * Every finding of every file, in file order then the order of each
 * struct findings (already sorted by position and rule):
 *
 *	struct report_iter it;
 *	const struct finding *f;
 *	report_iter_init(&it, r);
 *	while ((f = report_iter_next(&it)))
 *		... it.rf is the finding's file ...
 */
struct report_iter {
	const struct report *r;
	const struct report_file *rf; /* the file of the finding last returned */
	size_t file, i;
};
void report_iter_init(struct report_iter *it, const struct report *r);
const struct finding *report_iter_next(struct report_iter *it);

/*
 * One input error as the documents write it: where (file NULL when the
 * message names no position) and what, without the "file:line:col: error: "
 * or "connbudget: error: " prefix. The last one of a list cut at
 * LOAD_MAX_ERRORS says so. Release with report_input_error_release.
 */
struct report_input_error {
	char *file;
	unsigned line, col;
	char *message;
};
/* How many input errors the documents write (the cut's note included). */
size_t report_input_error_count(const struct report *r);
/* Input error i (below report_input_error_count) into *e. */
void report_input_error(const struct report *r, size_t i, struct report_input_error *e);
void report_input_error_release(struct report_input_error *e);

/* Counts of all files' findings (findings_count summed). */
void report_summary(const struct report *r, struct summary *s);

/*
 * Where a finding points: its own file (the one defining the object, which
 * may be an include), else the topology's; line and column at least 1 so
 * every format can print them.
 */
struct pos report_finding_pos(const struct report_file *rf, const struct finding *f);
/* The finding's object ("clients.api"), or "topology" when it names none. */
const char *report_finding_object(const struct finding *f);
/*
 * Length in characters of the YAML node a finding points at, when known:
 * the object's id when the finding points at the id's key (CB001 points at
 * `main:` under databases), else 1. SARIF's endColumn is startColumn + this.
 */
uint32_t report_finding_span(const struct report_file *rf, const struct finding *f);

/*
 * The diagnostic line of one finding, without newline:
 * "file:line:col: severity: message [CB001 over-capacity]", with ANSI
 * colour when color (bold location and id, coloured severity). Appended to b.
 */
void report_finding_line(struct sbuf *b, const struct report_file *rf, const struct finding *f,
			 bool color);
/*
 * The one-line summary, without newline: "1 error, 2 warnings, 0 infos in
 * 1 file: failed"; red or green when color. Appended to b.
 */
void report_summary_line(struct sbuf *b, const struct report *r);

/* The file an object is defined in, else the topology's file. */
const char *report_object_file(const struct topology *t, const struct str *id);

/* A contributor to a database: its id, its type name, the figures it adds. */
const char *report_contrib_id(const struct topology *t, const struct contrib *c);
const char *report_contrib_type(const struct topology *t, const struct contrib *c);
struct amount report_contrib_amount(const struct budget *b, const struct contrib *c);
/*
 * The clients behind pooler p, in file order:
 *
 *	struct report_pooled it;
 *	size_t k;
 *	report_pooled_init(&it, rf, p);
 *	while (report_pooled_next(&it, &k))
 *		... rf->topo->clients[k] ...
 *
 * They come from the pooler's list in the budget (budget_compute builds
 * it). A budget made by hand without that list (a test's fixture) is
 * served by a walk over every client instead.
 */
struct report_pooled {
	const struct topology *t;
	const size_t *list;   /* the budget's list, or NULL: walk t->clients */
	size_t n, p, i;
};
void report_pooled_init(struct report_pooled *it, const struct report_file *rf, size_t p);
bool report_pooled_next(struct report_pooled *it, size_t *client);

/* v in decimal into buf. */
void report_u64(char buf[REPORT_NUM_LEN], uint64_t v);
/* Utilization as a whole percent (rounded), false when demand is unbounded. */
bool report_util_percent(const struct db_fig *d, uint64_t *pct);

/* Where a database's peak demand stands (the colour of its gauge and node). */
enum report_db_state {
	DB_UNDER_BUDGET,     /* peak ≤ budget */
	DB_IN_HEADROOM,      /* budget < peak ≤ capacity (CB002) */
	DB_OVER_CAPACITY,    /* peak > capacity, or unbounded (CB001) */
};
enum report_db_state report_db_state(const struct db_fig *d);

/* Which row of a budget table. */
enum report_row_kind {
	ROW_HEADER,          /* column names */
	ROW_CONTRIB,         /* a direct client or a pooler: counted in demand */
	ROW_POOLED,          /* a pooler's client, or a pooler in front of it: its client side, not counted */
	ROW_DEMAND,          /* the total */
	ROW_MAX_CONNECTIONS,
	ROW_CAPACITY,
	ROW_BUDGET,
	ROW_OPTIMUM,
	ROW_UTILIZATION,
	ROW_HEADROOM_LEFT,   /* report/plan only: budget − demand.peak */
};

/* One row: every cell already formatted; "" for an empty cell. */
struct report_row {
	enum report_row_kind kind;
	const char *label;             /* an id or the figure's name */
	const char *type;              /* "service", "pgbouncer"; "" for figures */
	char steady[REPORT_NUM_LEN];
	char peak[REPORT_NUM_LEN];     /* a figure row's one value sits here */
	char note[64];                 /* "" or a remark ("client side, not counted") */
	size_t depth;                  /* ROW_POOLED: 1 under a contributor, one more per pooler in front */
};

/* The deepest a row is indented: a longer chain of poolers would make the
 * table's size grow with the square of its length. */
enum { REPORT_DEPTH_SHOWN = 8 };

/* The rows of one database's budget table. Labels and types point into the model. */
struct report_table {
	struct report_row *rows;
	size_t n, cap;
};

/*
 * Fill t with database db's table: header, contributors (a pooler followed
 * by its clients, then by the poolers in front of it, each followed by
 * its own, one level deeper), demand, max_connections, capacity, budget, optimum,
 * utilization, and with extended (report and plan) the headroom left.
 * Release with report_table_release.
 */
void report_db_table(const struct report_file *rf, size_t db, bool extended, struct report_table *t);
void report_table_release(struct report_table *t);

/* ANSI escapes for text output (used only when colour is on). */
#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[1;31m"
#define ANSI_GREEN "\033[1;32m"
#define ANSI_YELLOW "\033[1;33m"
#define ANSI_BLUE "\033[1;34m"

/*
 * A JSON document streamed to a FILE * (report_json.c), for json and sarif.
 * The skeleton (containers opened with report_jw_open) is written two
 * spaces per level, one member or array entry per line; an entry (opened
 * with report_jw_begin in the skeleton) stays on its line, compact, as
 * cJSON prints it: every member and container begun inside it is written
 * there. Nothing of the document is kept but a 64 KiB output buffer.
 * Strings needing escapes and doubles are printed by cJSON. Errors (a
 * failed write, a misnested close) are sticky: later calls write nothing
 * more and report_jw_finish returns -1. Keys are NUL-terminated strings.
 *
 *	struct report_jw w;
 *	report_jw_init(&w, out);
 *	report_jw_open(&w, NULL, false);          {
 *	report_jw_open(&w, "results", true);        "results": [
 *	report_jw_begin(&w, NULL, false);             {"id":"CB001",
 *	report_jw_str(&w, "id", "CB001");
 *	report_jw_u64(&w, "line", 3);                 "line":3}
 *	report_jw_end(&w, false);
 *	report_jw_close(&w, true);                  ]
 *	report_jw_close(&w, false);               }
 *	return report_jw_finish(&w);
 */
struct cJSON;
struct report_jw {
	FILE *out;
	char *obuf;           /* output buffer, flushed when full and at the end */
	size_t olen;
	char *buf;            /* cJSON's print buffer, reused by every value it prints */
	int cap;
	unsigned depth;       /* open containers */
	unsigned skeleton;    /* of which the skeleton's: deeper ones are inside an entry */
	bool first;           /* the innermost container has no member yet */
	bool failed;
	const char *clean;    /* a file name found to need no escaping (every entry repeats it) */
	size_t clean_len;
};
void report_jw_init(struct report_jw *w, FILE *out);
/* Open a skeleton object or array: a member named key, or (key NULL) an
 * array entry or the document itself. */
void report_jw_open(struct report_jw *w, const char *key, bool array);
/* Close it; closing the document writes the final newline. */
void report_jw_close(struct report_jw *w, bool array);
/* Begin and end a compact object or array: an entry of the skeleton on its
 * own line, or (inside an entry) a member or element of it. */
void report_jw_begin(struct report_jw *w, const char *key, bool array);
void report_jw_end(struct report_jw *w, bool array);
/* Members (key NULL: array elements): a string (s NULL: null), an exact
 * integer, a boolean, null, a double (as cJSON prints it). */
void report_jw_str(struct report_jw *w, const char *key, const char *s);
void report_jw_u64(struct report_jw *w, const char *key, uint64_t v);
void report_jw_bool(struct report_jw *w, const char *key, bool v);
void report_jw_null(struct report_jw *w, const char *key);
void report_jw_double(struct report_jw *w, const char *key, double v);
/* key: item, a cJSON tree printed compactly (key NULL in an array); item
 * stays the caller's. */
void report_jw_value(struct report_jw *w, const char *key, const struct cJSON *item);
/* Mark the document failed (a value could not be built). */
void report_jw_fail(struct report_jw *w);
/* Flush and free the buffers; 0, or -1 when anything failed or a container is open. */
int report_jw_finish(struct report_jw *w);

/* report_finding_key of f (password masked) as FNV-1a 64, 16 hex digits: SARIF's connbudget/v1. */
enum { REPORT_FINGERPRINT_LEN = 17 };
void report_fingerprint(char buf[REPORT_FINGERPRINT_LEN], const struct finding *f);

/* Markdown escaping (report_markdown.c), appended to b: markup and '|' backslash-escaped, passwords masked. */
void report_md_escape(struct sbuf *b, const char *raw);

/* GitHub workflow-command escaping (report_github.c), appended to b. */
void report_github_escape_data(struct sbuf *b, const char *s);
void report_github_escape_property(struct sbuf *b, const char *s);

/*
 * XML 1.0 escaping (report_junit.c), appended to b: & < > " ' as entities;
 * in attributes (attr) also TAB, LF, CR as character references so they
 * survive attribute normalisation; characters XML 1.0 forbids (other C0
 * controls, U+FFFE, U+FFFF, surrogates) and invalid UTF-8 become U+FFFD.
 */
void report_xml_escape(struct sbuf *b, const char *s, bool attr);

/*
 * The topology as a picture (graph.c), for the mermaid and dot writers:
 * nodes for clients, poolers and databases, an edge per connection. The
 * builder decides everything a picture says (which nodes, which lines of
 * text, which colour, which marks) from the figures as they are; the
 * writers only spell it in their language, escaping every line.
 *
 * Clients of the same type, on the same target, in the same environment
 * fold into one node when there are more than GRAPH_FOLD_ABOVE of them.
 */
enum { GRAPH_FOLD_ABOVE = 5, GRAPH_MAX_LINES = 6 };

enum graph_kind { GRAPH_CLIENT, GRAPH_FOLD, GRAPH_POOLER, GRAPH_DATABASE };

/* A node's colour: neutral, or where the figures stand against a limit. */
enum graph_state {
	GRAPH_NEUTRAL,
	GRAPH_UNDER,       /* a database under its budget */
	GRAPH_HEADROOM,    /* a database eating into its headroom */
	GRAPH_OVER,        /* a database over capacity, a pooler over its client limit */
};

/*
 * Marks on a node or edge whose figure is not a plain declared number.
 * Adding one: a bit here, a row in graph.c's marks table (its note, shown
 * on the node), and where graph_build sets it. The writers draw every
 * marked node and edge dashed, whichever mark it is.
 */
enum graph_mark {
	GRAPH_MARK_UNBOUNDED = 1u << 0,  /* a pool with no upper bound (CB010) */
	GRAPH_MARK_ASSUMED = 1u << 1,    /* a figure assumed, not declared (CB016's 1000) */
};

struct graph_node {
	enum graph_kind kind;
	enum graph_state state;
	unsigned marks;                  /* enum graph_mark bits */
	unsigned file;                   /* index into the report's files */
	const char *key;                 /* the model id; a fold's: its first client's id */
	const char *line[GRAPH_MAX_LINES]; /* text lines, unescaped (in the graph's arena) */
	size_t nlines;
};

struct graph_edge {
	size_t from, to;                 /* node indices */
	unsigned marks;
	const char *label;               /* "steady 120, peak 400", unescaped */
};

/* Nodes in the order a writer declares them: clients, poolers, databases, file by file. */
struct graph {
	struct arena arena;
	struct graph_node *nodes;
	size_t nnodes, ncap;
	struct graph_edge *edges;
	size_t nedges, ecap;
	size_t nfiles;
};

/* Build g from files (those without figures are skipped); release with graph_release. */
void graph_build(struct graph *g, const struct report_file *files, size_t nfiles);
void graph_release(struct graph *g);
/* The class name of a state ("under", "headroom", "over"; "" for neutral). */
const char *graph_state_class(enum graph_state s);
/* The node kind's word in ids ("client", "fold", "pooler", "db"). */
const char *graph_kind_prefix(enum graph_kind k);

/*
 * Mermaid escaping (mermaid.c), appended to b. In a label (id false) every
 * byte but letters, digits, space and -_.,:/()+= becomes an entity (#35;),
 * so that no quote, bracket, backtick, '<', '%%' or keyword can end the
 * string or reach the page as markup; line breaks become spaces; C0/C1
 * and bidi controls and invalid UTF-8 become U+FFFD. As an id (id true)
 * the result matches [A-Za-z0-9_]+ and differs for different inputs:
 * letters and digits stay, '_' is doubled, any other byte is '_' and two
 * hex digits.
 */
void report_mermaid_escape(struct sbuf *b, const char *s, bool id);
/*
 * Graphviz DOT escaping (dot.c) for the inside of a double-quoted string,
 * appended to b: '"' and '\\' take a backslash, '&' is &amp; (Graphviz
 * reads entities in labels), line breaks become spaces, C0/C1 and bidi
 * controls and invalid UTF-8 become U+FFFD; other UTF-8 stays as it is.
 */
void report_dot_escape(struct sbuf *b, const char *s);

/*
 * May code point cp stand in a picture's label (graph.c)? Not one that
 * quote_char_hidden names (C0 and C1 controls, DEL, bidi controls, the
 * line and paragraph separators), U+FFFE/U+FFFF or U+FFFD itself: those
 * become U+FFFD.
 */
bool graph_char_ok(uint32_t cp);

/* The version to print: the report's, else this build's. */
const char *report_version(const struct report *r);

/* Write the NUL-terminated s; 0, or -1 on an output error. */
int report_put(FILE *out, const char *s);

#endif
