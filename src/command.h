/*
 * command.h - the subcommands behind cmd/connbudget/main.c.
 *
 * Adding a subcommand: there are 4 things to do.
 *  1. Write `int command_<name>(struct options *o)` here and in command.c;
 *     it returns an exit status (enum exit_status).
 *  2. Add a row to `commands[]` in cmd/connbudget/main.c.
 *  3. Add its options (if any) to the options table there.
 *  4. Document it in docs/ and contrib/bash-completion/connbudget.
 */
#ifndef CONNBUDGET_COMMAND_H
#define CONNBUDGET_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "budget.h"
#include "load.h"
#include "model.h"
#include "report/report.h"
#include "rules.h"

/* Exit status of every command (docs/commands.md). */
enum exit_status {
	EXIT_PASS = 0,   /* ran, no finding at or above --fail-on */
	EXIT_FAIL = 1,   /* ran, at least one finding at or above --fail-on */
	EXIT_ERROR = 2,  /* could not run: usage, unreadable or invalid input */
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	enum report_format format;
	bool format_given;        /* --format was on the command line (not CONNBUDGET_FORMAT) */
	int fail_on;              /* a severity, or LEVEL_OFF for "never" */
	enum color_mode color;
	const char *output;       /* -o FILE, NULL for stdout */
	bool force;               /* init / -o may overwrite */
	bool quiet;
	bool ids;                 /* rules --ids: one id per line */
	struct rule_cli rules;
	char **args;              /* positional arguments after the subcommand */
	size_t nargs;
	/* plan */
	const char **sets;
	size_t nsets;
	const char *solve;
	const char *spike;
	/* observe */
	const char *dsn, *pgbouncer, *pooler, *database, *idle_threshold, *timeout;
	/* alerts */
	bool kubernetes, exporter_queries;
	const char **selectors;   /* --selector [ID=]MATCHERS, repeatable */
	size_t nselectors;
	/* diff */
	const char *base;         /* --base REV */
	/* init */
	const char *from;         /* --from PATH: a starter from manifests */
	const char *baseline;     /* --baseline REPORT.json */
};

/* One loaded topology and what was computed from it (command_run). */
struct loaded {
	struct topology *topo;
	struct budget budget;
	struct findings findings;
};

/*
 * Called by command_run once every file went through load → budget →
 * rules, before the report is written (observe adds its findings and
 * points r->sections at its section here). Returns 0 to go on, or an exit status to stop with
 * after printing why.
 */
typedef int (*command_hook)(struct options *o, struct loaded *l, size_t n, struct report *r,
			    void *arg);

/*
 * The check/report pipeline over paths, each a separate topology reported
 * together; hook (may be NULL) runs when every file loaded. Returns the
 * exit status.
 */
int command_run(struct options *o, const char *command, char **paths, size_t npaths,
		command_hook hook, void *arg);

int command_check(struct options *o);
int command_report(struct options *o);
/* graph [FILE]: the topology as a picture, --format mermaid (default) or dot. */
int command_graph(struct options *o);
int command_rules(struct options *o);
int command_explain(struct options *o);
int command_init(struct options *o);
int command_schema(struct options *o);

/*
 * Write a report of topologies already loaded and computed: to -o FILE
 * (atomically) or standard output, in o->format, with colour per --color.
 * The caller sets r's files, nfiles and command (and its sections);
 * quiet, version, fail_on and color are filled from o. Returns the exit
 * status: EXIT_ERROR when the report could not be written, else EXIT_FAIL
 * when a finding reaches --fail-on, else EXIT_PASS.
 */
int command_write_report(struct options *o, struct report *r);
/*
 * With --format github and GITHUB_STEP_SUMMARY set (GitHub Actions), that
 * file opened for appending, where the markdown report goes too; else (or
 * after a warning that it cannot be opened) NULL. The caller closes it.
 */
FILE *command_step_summary(const struct options *o);
/*
 * Write text as it is to -o FILE (atomically, as a report) or standard
 * output. Returns EXIT_PASS, or EXIT_ERROR after printing why.
 */
int command_write_text(struct options *o, const char *text);

/* Every load error of errs on stderr, one line each, then "too many errors" if it was cut. */
void command_print_load_errors(const struct load_errors *errs);

/*
 * At exit: flush and close standard output. Returns status, or EXIT_ERROR
 * after saying so on stderr when any write to it failed (a full disk,
 * /dev/full, a closed pipe's EPIPE), in any command.
 */
/* A write to standard output failed with errno err: command_close_stdout names it. */
void command_stdout_error(int err);
int command_close_stdout(int status);

/*
 * The FILE a command uses when given none: ./connbudget.yaml or the
 * nearest parent's (command_find_config), named relative to the working
 * directory. NULL, after saying so on stderr, when there is none; the
 * caller frees the path.
 */
char *command_default_config(void);
/*
 * The FILE of a command that takes at most one: o->args[0], or else the
 * default FILE (command_default_config), which is also stored in *def for
 * the caller to free (*def is NULL otherwise). NULL, after saying why on
 * stderr, when more than one FILE is given or none is found.
 */
char *command_one_file(struct options *o, const char *command, char **def);

/*
 * The JSON Schema `make install` put beside the running binary
 * (BIN/../share/connbudget/topology.schema.json), as an absolute path the
 * caller frees; NULL when there is none.
 */
char *command_installed_schema(void);

/*
 * The `check --format json` report of paths as one string in *json
 * (caller frees), from the same pipeline as check. Returns 0, or
 * EXIT_ERROR after printing why.
 */
int command_json(struct options *o, char **paths, size_t npaths, char **json);
/* The same in any format of the report table (REPORT_MERMAID: the picture). */
int command_report_string(struct options *o, char **paths, size_t npaths, enum report_format fmt,
			  char **out);

int command_observe(struct options *o);   /* observe.c */
int command_diff(struct options *o);      /* diff.c */
int command_alerts(struct options *o);    /* alerts.c */

/*
 * Find connbudget.yaml / connbudget.yml in dir or the nearest parent, not
 * above the repository root (the first directory holding .git). Returns a
 * newly allocated path (caller frees) or NULL.
 */
char *command_find_config(const char *dir);

#endif
