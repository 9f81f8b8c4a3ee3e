/*
 * report.h - figures + findings → text | json | sarif | github | junit | gcc |
 * markdown, and the topology as a picture → mermaid | dot.
 *
 * Reporters walk the same list of files and findings; none computes a
 * figure. Each writes to a FILE * (a file, stdout, or open_memstream).
 */
#ifndef CONNBUDGET_REPORT_H
#define CONNBUDGET_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "budget.h"
#include "model.h"
#include "rules.h"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_SARIF,
	REPORT_GITHUB,
	REPORT_JUNIT,
	REPORT_GCC,
	REPORT_MARKDOWN,
	REPORT_PROMETHEUS, /* `alerts` only: the alert set as Prometheus rules */
	REPORT_MERMAID,   /* the picture (graph.c), as a mermaid flowchart */
	REPORT_DOT,       /* the picture as a Graphviz digraph */
};

/* "text" → REPORT_TEXT ...; false when unknown. */
bool report_format_parse(const char *s, enum report_format *f);
const char *report_format_name(enum report_format f);

struct observed; /* observe.h */
struct plan_result; /* plan.h */
struct alert_set; /* alerts.h */

/* One loaded topology with its figures and findings. */
struct report_file {
	const struct topology *topo;
	const struct budget *budget;
	const struct findings *findings;
};

struct report {
	const struct report_file *files;
	size_t nfiles;
	const char *command;   /* "check", "report" or "plan" */
	bool color;            /* ANSI colour in text output */
	bool quiet;            /* findings only, no table */
	const char *version;   /* connbudget's version */
	int fail_on;           /* --fail-on: a severity, or LEVEL_OFF for "never";
				* 0 is SEV_INFO, so set it explicitly */
	const struct observed *observed; /* observe: live facts for JSON "observed", else NULL */
	const struct plan_result *plan;  /* plan: --set/--spike/--solve results, else NULL */
	const struct alert_set *alerts;  /* alerts: the rules to write (REPORT_PROMETHEUS), else NULL */
	/*
	 * When set, the findings may still be in the making (on another
	 * thread): a reporter calls report_await_findings before it reads
	 * any, and await_findings(await_arg) returns once they are complete.
	 * It may be called more than once.
	 */
	void (*await_findings)(void *arg);
	void *await_arg;
};

/* Wait until r's findings are complete (see struct report); at once when they are. */
void report_await_findings(const struct report *r);

/* Write r in format f. Returns 0, or -1 on an output error. */
int report_write(FILE *out, enum report_format f, const struct report *r);

/*
 * The mermaid flowchart of these files' topologies and figures (the
 * source, no ``` fence around it), appended to b: what `graph` and
 * `report --format markdown` draw, for any other document to embed.
 * docs/graph.md describes the picture.
 */
void report_graph_mermaid(struct sbuf *b, const struct report_file *files, size_t nfiles);

/* Is a summary with these counts a failure at this --fail-on level (a
 * severity, or LEVEL_OFF for "never")? */
bool report_failed(const struct summary *s, int fail_on);

#endif
