/*
 * report.h - figures + findings → text | json | sarif | github | junit | gcc |
 * markdown, and the topology as a picture → mermaid | dot.
 *
 * Reporters walk the same list of files and findings; none computes a
 * figure. Each writes to a FILE * (a file, stdout, or open_memstream).
 * A reporter depends on the model, the figures (budget.h) and the findings
 * (rules.h) alone: what a command adds of its own (plan's what-if,
 * observe's live facts) reaches it as a struct report_section, built
 * before the report is written.
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

/* Does f's document carry the input errors (struct report's input_errors)? text and gcc do not. */
bool report_format_carries_errors(enum report_format f);

/* "text" → REPORT_TEXT ...; false when unknown. */
bool report_format_parse(const char *s, enum report_format *f);
const char *report_format_name(enum report_format f);

struct alert_set; /* alerts.h */
struct load_errors; /* load.h */
struct cJSON;

/*
 * A section a command adds to its report beside the figures and findings
 * (plan: the --set/--spike/--solve results; observe: the live facts). The
 * command builds it, every form a reporter may print, before the report is
 * written; the reporter prints it as it is and never calls back into the
 * command. The strings and the tree are the section's: free them with
 * report_section_release.
 *
 * Adding one to a command: fill a struct report_section (name, json, and
 * text when the text report shows it), point struct report's sections at
 * it, release it after the report is written.
 */
struct report_section {
	const char *name;      /* the JSON report's member: "plan", "observed" */
	struct cJSON *json;    /* that member's value; NULL when cJSON could not
				* build it (out of memory): the JSON report fails */
	char *text;            /* the text report's section, plain; NULL: none */
	char *text_color;      /* the same with ANSI colour (when r->color) */
	char **notes;          /* one-line statements every format prints (the JSON
				* one from its member), e.g. that figures are lower bounds */
	size_t nnotes;
};

/* Free what s holds and zero it; accepts a zeroed s. */
void report_section_release(struct report_section *s);

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
	const struct report_section *sections; /* a command's own sections, in order */
	size_t nsections;
	const struct alert_set *alerts;  /* alerts: the rules to write (REPORT_PROMETHEUS), else NULL */
	/*
	 * The input errors of the files that could not be loaded (NULL:
	 * none). json, sarif, github, junit and markdown carry them in the
	 * document and fail it; text and gcc leave them to standard error,
	 * where every format prints them too.
	 */
	const struct load_errors *input_errors;
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

/*
 * The key a finding is recognised by across changes: rule id, object and
 * message with every digit removed, so neither a moved line nor a changed
 * figure makes it another finding (diff matches by it, SARIF hashes it).
 * Caller frees.
 */
char *report_finding_key(const char *rule, const char *object, const char *message);

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
