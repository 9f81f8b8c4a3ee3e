/*
 * connbudget - the connection budget of a PostgreSQL deployment.
 *
 * argv → options → one command in src/ → exit status. Everything that can
 * be tested lives in src/; this file only parses and dispatches.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_print.h"
#include "command.h"
#include "load.h"
#include "plan.h"
#include "quote.h"
#include "report/report.h"
#include "rules.h"
#include "version.h"

/* Subcommands, dispatched by name (see command.h: adding a subcommand). */
static const struct command {
	const char *name;
	int (*run)(struct options *o);
	const char *usage;
	const char *help;
} commands[] = {
	{ "check", command_check, "check [OPTIONS] [FILE...]",
	  "lint topologies (default FILE: ./connbudget.yaml or the nearest parent's; \"-\" = stdin)" },
	{ "report", command_report, "report [OPTIONS] [FILE]",
	  "budget table per database: every contributor, steady and peak (default FILE as check's)" },
	{ "graph", command_graph, "graph [--format mermaid|dot] [FILE]",
	  "the topology as a picture: connections on every edge (default FILE as check's)" },
	{ "plan", command_plan, "plan [OPTIONS] [FILE]",
	  "what-if: --set PATH=VALUE (repeatable), --solve PATH, --spike FACTOR" },
	{ "rules", command_rules, "rules [--ids]",
	  "list every rule: id, name, default severity, summary" },
	{ "explain", command_explain, "explain RULE",
	  "a rule's full documentation (by id CB001 or name over-capacity)" },
	{ "init", command_init, "init [--force] [--from PATH] [FILE]",
	  "write a starter topology (default connbudget.yaml); --from: from your manifests" },
	{ "schema", command_schema, "schema", "print the topology JSON Schema" },
	{ "catalog", command_catalog, "catalog [--format text|markdown|json] [PROVIDER]",
	  "the managed providers' max_connections per instance, with the vendor page of each figure" },
	{ "observe", command_observe, "observe [OPTIONS] [FILE]",
	  "compare a live PostgreSQL (--dsn) and PgBouncer (--pgbouncer) with the topology" },
	{ "diff", command_diff, "diff [OPTIONS] [--base REV | --baseline REPORT.json] [FILE...]",
	  "what a change does to every budget: git REV (or a saved json report) against the working tree" },
	{ "alerts", command_alerts, "alerts [OPTIONS] [FILE]",
	  "Prometheus alerting rules that watch what the topology promises" },
};

enum {
	OPT_FORMAT = 256, OPT_FAIL_ON, OPT_COLOR, OPT_DISABLE, OPT_ENABLE, OPT_SEVERITY,
	OPT_FORCE, OPT_IDS, OPT_SET, OPT_SOLVE, OPT_SPIKE, OPT_DSN, OPT_PGBOUNCER, OPT_POOLER, OPT_DATABASE, OPT_IDLE_THRESHOLD, OPT_TIMEOUT,
	OPT_KUBERNETES, OPT_SELECTOR, OPT_EXPORTER_QUERIES, OPT_TODAY, OPT_REQUIRE_REASON, OPT_BASE,
	OPT_BASELINE, OPT_SOURCE, OPT_FROM,
};

/* The options, with their help text: one table prints --help and feeds getopt. */
static const struct opt {
	struct option lo;
	const char *arg;
	const char *help;
} opts[] = {
	{ { "format", required_argument, NULL, OPT_FORMAT }, "FMT",
	  "text|json|sarif|github|junit|gcc|markdown|mermaid|dot (default text, or $CONNBUDGET_FORMAT; graph: mermaid)" },
	{ { "fail-on", required_argument, NULL, OPT_FAIL_ON }, "LEVEL",
	  "error|warning|info|never: lowest severity that fails (default error)" },
	{ { "color", required_argument, NULL, OPT_COLOR }, "WHEN",
	  "auto|always|never (auto: only on a terminal, not with NO_COLOR or TERM=dumb)" },
	{ { "output", required_argument, NULL, 'o' }, "FILE",
	  "write the report to FILE (atomically; refuses to overwrite without --force)" },
	{ { "disable", required_argument, NULL, OPT_DISABLE }, "RULES", "turn rules off (ids or names, comma separated)" },
	{ { "enable", required_argument, NULL, OPT_ENABLE }, "RULES", "turn rules on, even when the file's lint disables them" },
	{ { "severity", required_argument, NULL, OPT_SEVERITY }, "RULE=LEVEL", "set a rule's severity (error|warning|info|off)" },
	{ { "today", required_argument, NULL, OPT_TODAY }, "YYYY-MM-DD",
	  "the date suppressions' until is held against (default: today, UTC)" },
	{ { "require-reason", no_argument, NULL, OPT_REQUIRE_REASON }, NULL,
	  "make a suppression (ignore, lint.disable) without a reason an input error" },
	{ { "quiet", no_argument, NULL, 'q' }, NULL, "findings only, no budget table" },
	{ { "force", no_argument, NULL, OPT_FORCE }, NULL, "let init and -o overwrite an existing file" },
	{ { "ids", no_argument, NULL, OPT_IDS }, NULL, "rules: print only the ids" },
	{ { "source", required_argument, NULL, OPT_SOURCE }, "KIND=PATH",
	  "read workloads from manifests as a sources: entry does (kubernetes|compose|serverless|cloudformation; - is standard input; repeatable)" },
	{ { "from", required_argument, NULL, OPT_FROM }, "PATH",
	  "init: a starter bound to the workloads of PATH (a manifest directory or file, a compose file, or KIND=PATH)" },
	{ { "set", required_argument, NULL, OPT_SET }, "PATH=VALUE",
	  "plan: override a scalar, e.g. clients.api.replicas=6 (repeatable)" },
	{ { "solve", required_argument, NULL, OPT_SOLVE }, "PATH",
	  "plan: the largest (or smallest) value of an integer field that still passes" },
	{ { "spike", required_argument, NULL, OPT_SPIKE }, "FACTOR",
	  "plan: multiply every load.hold by FACTOR (e.g. 2.5) and find the breaking factor" },
	{ { "dsn", required_argument, NULL, OPT_DSN }, "CONNINFO",
	  "observe: the database, as a libpq connection string or URI" },
	{ { "database", required_argument, NULL, OPT_DATABASE }, "ID",
	  "observe: which database of the topology --dsn is (default: the only one)" },
	{ { "pgbouncer", required_argument, NULL, OPT_PGBOUNCER }, "CONNINFO",
	  "observe: PgBouncer's admin console (dbname defaults to pgbouncer)" },
	{ { "pooler", required_argument, NULL, OPT_POOLER }, "ID",
	  "observe: which pgbouncer of the topology --pgbouncer is (default: the only one)" },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, "DURATION",
	  "observe: give up after this long, connecting and reading both servers (default 10s)" },
	{ { "idle-threshold", required_argument, NULL, OPT_IDLE_THRESHOLD }, "DURATION",
	  "observe: idle in transaction longer than this is CB104 (default 5min); alerts: the idle-in-transaction alert's threshold" },
	{ { "kubernetes", no_argument, NULL, OPT_KUBERNETES }, NULL,
	  "alerts: wrap the rules in a PrometheusRule manifest" },
	{ { "selector", required_argument, NULL, OPT_SELECTOR }, "[ID=]MATCHERS",
	  "alerts: PromQL label matchers for a database's or pooler's series (repeatable)" },
	{ { "exporter-queries", no_argument, NULL, OPT_EXPORTER_QUERIES }, NULL,
	  "alerts: print the postgres_exporter query file the client rules need" },
	{ { "base", required_argument, NULL, OPT_BASE }, "REV",
	  "diff: the git revision to compare with (default: merge-base with the upstream, else HEAD)" },
	{ { "baseline", required_argument, NULL, OPT_BASELINE }, "REPORT.json",
	  "diff: compare with a saved `check --format json` report instead of git" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help" },
	{ { "version", no_argument, NULL, 'V' }, NULL, "show the version" },
};

/* The help text, built whole and written with one call, so that a failed
 * write (a full device) keeps its reason for the message at exit. */
static void usage(FILE *f)
{
	struct sbuf b = { 0 };
	size_t i;

	sbuf_puts(&b, "usage: connbudget COMMAND [OPTIONS] [ARGS]\n\n"
		      "The worst-case PostgreSQL connections of every client, pooler and database,\n"
		      "held against max_connections.\n\ncommands:\n");
	for (i = 0; i < ARRAY_LEN(commands); i++)
		sbuf_printf(&b, "  %-28s %s\n", commands[i].usage, commands[i].help);
	sbuf_puts(&b, "\noptions:\n");
	for (i = 0; i < ARRAY_LEN(opts); i++) {
		char left[64];
		const struct opt *p = &opts[i];
		int sh = p->lo.val < 256 ? p->lo.val : 0;

		if (sh)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", sh, p->lo.name,
				 p->arg ? " " : "", p->arg ? p->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", p->lo.name,
				 p->arg ? " " : "", p->arg ? p->arg : "");
		sbuf_printf(&b, "  %-28s %s\n", left, p->help);
	}
	sbuf_puts(&b, "\nexit status: 0 passed, 1 a finding at or above --fail-on, 2 could not run\n"
		      "documentation: connbudget explain RULE, man connbudget\n");
	errno = 0;
	if ((fwrite(b.s, 1, b.len, f) != b.len || fflush(f) != 0) && f == stdout)
		command_stdout_error(errno);
	sbuf_release(&b);
}

static int usage_error(const char *fmt, const char *arg)
{
	struct sbuf b = { 0 };

	/* arg is the user's word: one line, through quote_text */
	sbuf_puts(&b, "connbudget: error: ");
	sbuf_printf(&b, fmt, arg);
	quote_fputs_line(stderr, b.s);
	sbuf_release(&b);
	fprintf(stderr, "Try 'connbudget --help'.\n");
	return EXIT_ERROR;
}

static int parse_fail_on(const char *s, int *level)
{
	if (strcmp(s, "never") == 0) {
		*level = LEVEL_OFF;
		return 0;
	}
	return severity_parse(s, level) && *level != LEVEL_OFF ? 0 : -1;
}

/* Apply one option; returns 0, or an exit status after printing why. */
static int apply_option(struct options *o, int c, const char *arg)
{
	char *err = NULL;
	int rc = 0;

	switch (c) {
	case OPT_FORMAT:
		if (!report_format_parse(arg, &o->format))
			return usage_error("unknown format \"%s\" (text, json, sarif, github, junit, gcc, markdown, mermaid, dot, prometheus)", str_clip(arg));
		o->format_given = true;
		break;
	case OPT_FAIL_ON:
		if (parse_fail_on(arg, &o->fail_on) != 0)
			return usage_error("--fail-on takes error, warning, info or never, not \"%s\"", str_clip(arg));
		break;
	case OPT_COLOR:
		if (strcmp(arg, "auto") == 0)
			o->color = COLOR_AUTO;
		else if (strcmp(arg, "always") == 0)
			o->color = COLOR_ALWAYS;
		else if (strcmp(arg, "never") == 0)
			o->color = COLOR_NEVER;
		else
			return usage_error("--color takes auto, always or never, not \"%s\"", str_clip(arg));
		break;
	case 'o':
		o->output = arg;
		break;
	case OPT_DISABLE:
		rc = rule_cli_disable(&o->rules, arg, &err);
		break;
	case OPT_ENABLE:
		rc = rule_cli_enable(&o->rules, arg, &err);
		break;
	case OPT_SEVERITY:
		rc = rule_cli_severity(&o->rules, arg, &err);
		break;
	case OPT_TODAY:
		if (!date_parse(arg, strlen(arg), &o->rules.today))
			return usage_error("--today takes a date YYYY-MM-DD, not \"%s\"", arg);
		break;
	case OPT_REQUIRE_REASON:
		o->rules.require_reason = true;
		break;
	case 'q':
		o->quiet = true;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_IDS:
		o->ids = true;
		break;
	case OPT_SET:
		o->sets[o->nsets++] = arg;
		break;
	case OPT_SOURCE:
		if (load_sources_cli_add(arg, &err) != 0) {
			rc = usage_error("%s", err);
			free(err);
			return rc;
		}
		break;
	case OPT_FROM:
		o->from = arg;
		break;
	case OPT_SOLVE:
		o->solve = arg;
		break;
	case OPT_SPIKE:
		o->spike = arg;
		break;
	case OPT_DSN:
		o->dsn = arg;
		break;
	case OPT_DATABASE:
		o->database = arg;
		break;
	case OPT_PGBOUNCER:
		o->pgbouncer = arg;
		break;
	case OPT_POOLER:
		o->pooler = arg;
		break;
	case OPT_IDLE_THRESHOLD:
		o->idle_threshold = arg;
		break;
	case OPT_TIMEOUT:
		o->timeout = arg;
		break;
	case OPT_KUBERNETES:
		o->kubernetes = true;
		break;
	case OPT_SELECTOR:
		o->selectors[o->nselectors++] = arg;
		break;
	case OPT_EXPORTER_QUERIES:
		o->exporter_queries = true;
		break;
	case OPT_BASE:
		o->base = arg;
		break;
	case OPT_BASELINE:
		o->baseline = arg;
		break;
	default:
		return EXIT_ERROR;
	}
	if (rc != 0) {
		rc = usage_error("%s", err);
		free(err);
	}
	return rc;
}

/*
 * Run getopt over argv with optstring ("+..." stops at the subcommand,
 * "-..." collects positional arguments into o->args). Returns -1 to go on,
 * or the exit status to leave with (--help, --version, a bad option).
 */
static int parse_args(int argc, char **argv, const char *optstring, const struct option *lo,
		      struct options *o)
{
	int c, rc;

	optind = 0; /* glibc: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, lo, NULL)) != -1) {
		switch (c) {
		case 1:
			o->args[o->nargs++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_PASS;
		case 'V':
			printf("connbudget %s\n", CONNBUDGET_VERSION);
			errno = 0;
			if (fflush(stdout) != 0)
				command_stdout_error(errno);
			return EXIT_PASS;
		case '?':
		case ':':
			return usage_error("unknown or incomplete option \"%s\"", str_clip(argv[optind - 1]));
		default:
			if ((rc = apply_option(o, c, optarg)) != 0)
				return rc;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct option lo[ARRAY_LEN(opts) + 1];
	struct options o = { 0 };
	const struct command *cmd = NULL;
	const char *env = getenv("CONNBUDGET_FORMAT");
	int status;
	size_t i;

	for (i = 0; i < ARRAY_LEN(opts); i++)
		lo[i] = opts[i].lo;
	memset(&lo[i], 0, sizeof(lo[i]));

	o.format = REPORT_TEXT;
	o.fail_on = SEV_ERROR;
	o.color = COLOR_AUTO;
	o.args = xcalloc((size_t)argc, sizeof(*o.args));
	o.sets = xcalloc((size_t)argc, sizeof(*o.sets));
	o.selectors = xcalloc((size_t)argc, sizeof(*o.selectors));
	rule_cli_init(&o.rules);
	if (env && *env && !report_format_parse(env, &o.format)) {
		status = usage_error("CONNBUDGET_FORMAT: unknown format \"%s\"", str_clip(env));
		goto out;
	}
	/* Global options may come before the subcommand... */
	if ((status = parse_args(argc, argv, "+o:qhV", lo, &o)) >= 0)
		goto out;
	if (optind >= argc) {
		usage(stderr);
		status = EXIT_ERROR;
		goto out;
	}
	for (i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		status = usage_error("unknown command \"%s\"", str_clip(argv[optind]));
		goto out;
	}
	/* ...and after it, mixed with its arguments; "--" ends the options. */
	argc -= optind;
	argv += optind;
	if ((status = parse_args(argc, argv, "-o:qhV", lo, &o)) >= 0)
		goto out;
	for (; optind < argc; optind++)
		o.args[o.nargs++] = argv[optind];
	if (o.format == REPORT_PROMETHEUS && cmd->run != command_alerts) {
		status = usage_error("the prometheus format is written by `connbudget alerts`, not by %s",
				     cmd->name);
		goto out;
	}
	status = cmd->run(&o);
out:
	free(o.args);
	free(o.sets);
	free(o.selectors);
	rule_cli_release(&o.rules);
	return command_close_stdout(status);
}
