/*
 * command.c - the subcommands: load → budget → rules → report, and the
 * small ones (rules, explain, init, schema).
 */
#include "command.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "budget.h"
#include "init_from.h"
#include "init_template.h"
#include "input.h"
#include "load.h"
#include "model.h"
#include "version.h"

#include "schema_data.h"
#include "quote.h"

/* An output destination: stdout, or a temporary file renamed into place. */
struct output {
	FILE *f;
	char *tmp;          /* temporary path, NULL for stdout */
	const char *dest;
	bool force;
};

/* errno of a failed write to standard output, seen by output_close (0: none seen). */
static int stdout_errno;

/*
 * The one temporary file being written, for the signal handler: pending_set
 * is 1 while pending_tmp names a file to remove. The handler only reads
 * them, calls unlink(2) and raise(3), both async-signal-safe.
 */
static const char *volatile pending_tmp;
static volatile sig_atomic_t pending_set;
static const int pending_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction pending_old[ARRAY_LEN(pending_signals)];

/* SIGINT, SIGTERM, SIGHUP while a temporary file exists: remove it, then die of the signal. */
static void pending_handler(int sig)
{
	int saved = errno;

	if (pending_set)
		unlink(pending_tmp);
	pending_set = 0;
	errno = saved;
	/* SA_RESETHAND put the default action back: this ends the process as the
	 * signal would have, once the handler returns and unblocks it. */
	raise(sig);
}

/* Remove path if a signal ends the process before pending_clear; a signal ignored stays ignored. */
static void pending_arm(const char *path)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pending_handler;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_LEN(pending_signals); i++)
		sigaddset(&sa.sa_mask, pending_signals[i]);
	pending_tmp = path;
	pending_set = 1;
	for (i = 0; i < ARRAY_LEN(pending_signals); i++) {
		sigaction(pending_signals[i], NULL, &pending_old[i]);
		if (pending_old[i].sa_handler != SIG_IGN)
			sigaction(pending_signals[i], &sa, NULL);
	}
}

/* The temporary file is gone or in place: the signals' old actions back. */
static void pending_clear(void)
{
	size_t i;

	pending_set = 0;
	for (i = 0; i < ARRAY_LEN(pending_signals); i++)
		if (pending_old[i].sa_handler != SIG_IGN)
			sigaction(pending_signals[i], &pending_old[i], NULL);
	pending_tmp = NULL;
}

/*
 * Whether dest may be written: 0 when it does not exist (*mode: 0666 less
 * the umask) or is a regular file and force is set (*mode: its permission
 * bits); -1, after printing why, for anything else, whatever force says:
 * a regular file without force, or something that is not a regular file
 * (a device, FIFO, socket, directory, or a symbolic link, which is never
 * followed).
 */
static int output_check(const char *dest, bool force, mode_t *mode)
{
	struct stat st;
	mode_t mask;

	if (lstat(dest, &st) != 0) {
		if (errno != ENOENT) {
			quote_fprintf(stderr, "connbudget: error: %s: %s", dest, strerror(errno));
			return -1;
		}
		mask = umask(0);
		umask(mask);
		*mode = 0666 & ~mask;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		quote_fprintf(stderr, "connbudget: error: %s: %s, not a regular file: not replaced", dest,
			      input_kind(st.st_mode, -1));
		return -1;
	}
	if (!force) {
		quote_fprintf(stderr, "connbudget: error: %s: file exists (use --force to overwrite)", dest);
		return -1;
	}
	*mode = st.st_mode & 0777;
	return 0;
}

/*
 * Open o->output (or stdout). Writing goes to a temporary file in the same
 * directory, with the mode the file will have (output_check); output_close
 * renames it into place only when everything was written, so an existing
 * file is never truncated by a failed run, and a signal removes it.
 * Returns 0, or -1 after printing why.
 */
static int output_open(struct output *out, const char *dest, bool force)
{
	mode_t mode;
	int fd;

	memset(out, 0, sizeof(*out));
	out->dest = dest;
	out->force = force;
	if (!dest || strcmp(dest, "-") == 0) {
		out->f = stdout;
		return 0;
	}
	if (output_check(dest, force, &mode) != 0)
		return -1;
	out->tmp = xasprintf("%s.tmp.XXXXXX", dest);
	pending_arm(out->tmp); /* before the file exists: no moment it could be left behind */
	fd = mkstemp(out->tmp);
	if (fd < 0 || fchmod(fd, mode) != 0 || !(out->f = fdopen(fd, "w"))) {
		quote_fprintf(stderr, "connbudget: error: %s: %s", dest, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		pending_clear();
		free(out->tmp);
		out->tmp = NULL;
		return -1;
	}
	return 0;
}

/*
 * Finish writing: ok says whether the content is complete. Without --force
 * the file is linked into place (fails if something appeared meanwhile),
 * with it renamed over a regular file (checked again just before). Standard
 * output is flushed here and checked once more at exit
 * (command_close_stdout). Returns 0, or -1 after printing why.
 */
static int output_close(struct output *out, bool ok)
{
	mode_t mode;
	int rc = 0;

	if (!out->tmp) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			stdout_errno = errno; /* the failed write's, most likely: for the message at exit */
			rc = -1;
		}
		return ok && rc == 0 ? 0 : -1;
	}
	if (fclose(out->f) != 0)
		ok = false;
	if (ok && out->force && output_check(out->dest, true, &mode) != 0) {
		rc = -1; /* it stopped being a regular file while we wrote: said why */
	} else if (ok) {
		rc = out->force ? rename(out->tmp, out->dest) : link(out->tmp, out->dest);
		if (rc != 0)
			quote_fprintf(stderr, "connbudget: error: %s: %s", out->dest, strerror(errno));
	} else {
		quote_fprintf(stderr, "connbudget: error: %s: could not write the report", out->dest);
		rc = -1;
	}
	unlink(out->tmp);
	pending_clear();
	free(out->tmp);
	out->tmp = NULL;
	return rc;
}

void command_stdout_error(int err)
{
	if (!stdout_errno)
		stdout_errno = err;
}

int command_close_stdout(int status)
{
	int err = 0;

	if (ferror(stdout) && !stdout_errno) {
		/* a write failed where nobody looked (usage, a long --help): try
		 * once more for the reason */
		clearerr(stdout);
		errno = 0;
		if (fflush(stdout) != 0 || ferror(stdout))
			stdout_errno = errno;
		err = stdout_errno ? stdout_errno : -1;
	} else if (ferror(stdout)) {
		err = stdout_errno; /* a write failed before */
	}
	errno = 0;
	if (fflush(stdout) != 0 && err == 0)
		err = errno ? errno : -1;
	if (fclose(stdout) != 0 && err == 0)
		err = errno ? errno : -1;
	if (err == 0)
		return status;
	if (err > 0)
		fprintf(stderr, "connbudget: error: cannot write standard output: %s\n", strerror(err));
	else
		fprintf(stderr, "connbudget: error: cannot write standard output\n");
	return EXIT_ERROR;
}

static bool use_color(const struct options *o, FILE *f)
{
	const char *term = getenv("TERM");

	if (o->format != REPORT_TEXT)
		return false;
	switch (o->color) {
	case COLOR_ALWAYS:
		return true;
	case COLOR_NEVER:
		return false;
	case COLOR_AUTO:
		break;
	}
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return f == stdout && isatty(STDOUT_FILENO);
}

/*
 * Print every load error of errs on standard error, one line each through
 * the text gate, then LOAD_TOO_MANY_ERRORS when the list was cut. Every
 * --format prints them so; the documents (report_format_carries_errors)
 * carry them too, through struct report's input_errors.
 */
void command_print_load_errors(const struct load_errors *errs)
{
	char *line;
	size_t i;

	for (i = 0; i < errs->n; i++) {
		line = load_error_format(&errs->v[i]);
		quote_fputs_line(stderr, line);
		free(line);
	}
	if (errs->truncated)
		fprintf(stderr, LOAD_TOO_MANY_ERRORS "\n", LOAD_MAX_ERRORS);
}

/*
 * load → budget → rules_prepare for one file (rules_start runs the checks
 * themselves). Returns 0, or -1 after printing the positioned errors and
 * appending them to all (when not NULL) for the report's documents; on
 * -1, l holds nothing to release.
 */
static int run_pipeline(const char *path, const struct options *o, struct loaded *l,
			struct load_errors *all)
{
	struct load_errors errs = { 0 };
	char *err = NULL;

	memset(l, 0, sizeof(*l));
	l->topo = load_file_errors(path, &errs);
	if (!l->topo)
		goto fail;
	if (budget_compute(l->topo, 100, &l->budget, &err) != 0)
		goto fail;
	if (rules_prepare_errors(l->topo, &o->rules, &l->findings, &errs) != 0)
		goto fail;
	load_errors_release(&errs);
	return 0;
fail:
	if (err) {
		quote_fputs_line(stderr, err);
		load_errors_add(&errs, NULL, 0, 0, err);
	} else {
		command_print_load_errors(&errs);
	}
	if (all)
		load_errors_move(all, &errs);
	load_errors_release(&errs);
	budget_release(&l->budget);
	findings_release(&l->findings);
	model_free(l->topo);
	memset(l, 0, sizeof(*l));
	return -1;
}

/* Release the n topologies of l and their figures and findings, then l itself. */
static void loaded_free(struct loaded *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		findings_release(&l[i].findings);
		budget_release(&l[i].budget);
		model_free(l[i].topo);
	}
	free(l);
}

/*
 * From this many clients on (all files together), a JSON report runs the
 * rule checks on a second thread while it writes the figures, and then
 * helps with what is left of them. Below this the thread costs more than
 * it saves (starting one takes about 0.5 ms where `make bench` runs).
 */
enum { RULES_THREAD_MIN = 2000 };

/*
 * The rule checks of every loaded file. Threaded (rules_start), a second
 * thread works through each file's rules_share while the report writes
 * the figures; rules_wait, which the report calls before it reads a
 * finding (struct report's await_findings), takes what is left of the
 * clients on this thread, joins, and merges the two threads' findings.
 * Both threads only read the model and the figures. Else the checks run
 * at once, here.
 */
struct rules_job {
	struct loaded *l;
	size_t n;
	struct rules_share *share;  /* per file */
	struct findings *mine;      /* per file: what this thread finds */
	pthread_t thread;
	bool running;               /* started and not joined yet */
};

static void *rules_thread(void *arg)
{
	struct rules_job *j = arg;
	size_t i;

	for (i = 0; i < j->n; i++)
		rules_share_work(&j->share[i], &j->l[i].findings);
	return NULL;
}

/* This thread's part: what is left of the checks, into j->mine. */
static void rules_help(struct rules_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		rules_share_work(&j->share[i], &j->mine[i]);
}

/* Once every part is done: each file's findings in one sorted list. */
static void rules_merge(struct rules_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		rules_share_finish(&j->share[i], &j->l[i].findings, &j->mine[i]);
	free(j->share);
	free(j->mine);
	j->share = NULL;
	j->mine = NULL;
}

/* Return once the findings are complete; at once when they are (arg: a rules_job). */
static void rules_wait(void *arg)
{
	struct rules_job *j = arg;

	if (!j->running)
		return;
	rules_help(j);
	if (pthread_join(j->thread, NULL) != 0)
		return; /* cannot happen: the thread is joinable and not joined */
	j->running = false;
	rules_merge(j);
}

/* Run the checks of these files: on two threads (see RULES_THREAD_MIN), or here and now. */
static void rules_start(struct rules_job *j, struct loaded *l, size_t n, bool threaded)
{
	size_t i, clients = 0;

	j->l = l;
	j->n = n;
	for (i = 0; i < n; i++)
		clients += l[i].topo->nclients;
	if (!threaded || clients < RULES_THREAD_MIN) {
		for (i = 0; i < n; i++)
			rules_check(l[i].topo, &l[i].budget, &l[i].findings);
		return;
	}
	j->share = xcalloc(n, sizeof(*j->share));
	j->mine = xcalloc(n, sizeof(*j->mine));
	for (i = 0; i < n; i++)
		rules_share_init(&j->share[i], l[i].topo, &l[i].budget, &l[i].findings);
	j->running = pthread_create(&j->thread, NULL, rules_thread, j) == 0;
	if (!j->running) { /* no second thread: all of it here */
		rules_help(j);
		rules_merge(j);
	}
}

/*
 * The check/report pipeline over every file argument: each file is a
 * separate topology, reported together. Exit status: 2 if any file could
 * not be loaded, else 1 when a finding reaches --fail-on, else 0.
 */
int command_run(struct options *o, const char *command, char **paths, size_t npaths,
		command_hook hook, void *arg)
{
	struct loaded *l = xcalloc(npaths, sizeof(*l));
	struct report_file *rf = xcalloc(npaths, sizeof(*rf));
	struct report r = { 0 };
	struct rules_job job = { 0 };
	struct load_errors input_errors = { 0 };
	size_t i, n = 0;
	bool load_failed = false, carried;
	int status = EXIT_ERROR;

	for (i = 0; i < npaths; i++) {
		if (run_pipeline(paths[i], o, &l[n], &input_errors) != 0) {
			load_failed = true;
			continue;
		}
		rf[n].topo = l[n].topo;
		rf[n].budget = &l[n].budget;
		rf[n].findings = &l[n].findings;
		n++;
	}
	/* JSON writes its figures first; a hook and the other formats read the findings first */
	rules_start(&job, l, n, !hook && o->format == REPORT_JSON);
	r.await_findings = rules_wait;
	r.await_arg = &job;
	if (hook && !load_failed && (status = hook(o, l, n, &r, arg)) != 0)
		goto out;
	status = EXIT_ERROR;
	carried = report_format_carries_errors(o->format);
	if (load_failed && n == 0 && !carried)
		goto out; /* nothing to report: the errors are on stderr */
	if (load_failed && o->output && !carried) {
		/* Keep whatever -o FILE held: a partial report is worse than none. */
		quote_fprintf(stderr, "connbudget: error: %s not written: an input could not be loaded",
			o->output);
		goto out;
	}
	r.files = rf; /* r.sections: set by the hook */
	r.nfiles = n;
	r.command = command;
	r.input_errors = load_failed ? &input_errors : NULL;
	status = command_write_report(o, &r);
	if (load_failed)
		status = EXIT_ERROR;
out:
	rules_wait(&job);
	loaded_free(l, n);
	free(rf);
	load_errors_release(&input_errors);
	return status;
}

static int run_files(struct options *o, const char *command, char **paths, size_t npaths)
{
	return command_run(o, command, paths, npaths, NULL, NULL);
}

FILE *command_step_summary(const struct options *o)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	FILE *f;

	if (o->format != REPORT_GITHUB || !path || !*path)
		return NULL;
	if (!(f = fopen(path, "a")))
		fprintf(stderr, "connbudget: warning: GITHUB_STEP_SUMMARY: %s: %s\n", path, strerror(errno));
	return f;
}

/* With --format github in Actions: the markdown report in the job summary too. */
static void write_step_summary(struct options *o, struct report *r)
{
	FILE *f = command_step_summary(o);

	if (!f)
		return;
	r->color = false;
	if (report_write(f, REPORT_MARKDOWN, r) != 0 || fclose(f) != 0)
		fprintf(stderr, "connbudget: warning: GITHUB_STEP_SUMMARY: could not write the summary\n");
}

int command_write_report(struct options *o, struct report *r)
{
	struct summary total = { 0, 0, 0 };
	struct output out;
	size_t i;

	if (output_open(&out, o->output, o->force) != 0)
		return EXIT_ERROR;
	r->quiet = o->quiet;
	r->version = CONNBUDGET_VERSION;
	r->fail_on = o->fail_on;
	r->color = use_color(o, out.f);
	if (output_close(&out, report_write(out.f, o->format, r) == 0) != 0)
		return EXIT_ERROR;
	report_await_findings(r); /* the report has, unless it failed early */
	write_step_summary(o, r);
	for (i = 0; i < r->nfiles; i++) {
		struct summary s;
		findings_count(r->files[i].findings, &s);
		total.errors += s.errors;
		total.warnings += s.warnings;
		total.infos += s.infos;
	}
	return report_failed(&total, o->fail_on) ? EXIT_FAIL : EXIT_PASS;
}

int command_write_text(struct options *o, const char *text)
{
	struct output out;

	if (output_open(&out, o->output, o->force) != 0)
		return EXIT_ERROR;
	fputs(text, out.f);
	return output_close(&out, !ferror(out.f)) == 0 ? EXIT_PASS : EXIT_ERROR;
}

char *command_find_config(const char *dir)
{
	static const char *const names[] = { "connbudget.yaml", "connbudget.yml" };
	char *d = xstrdup(dir);
	char *found = NULL;

	for (;;) {
		struct stat st;
		char *git;
		size_t i;

		for (i = 0; i < ARRAY_LEN(names) && !found; i++) {
			char *p = xasprintf("%s/%s", d, names[i]);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				found = p;
			else
				free(p);
		}
		git = xasprintf("%s/.git", d);
		i = stat(git, &st) == 0; /* the repository root: look no higher */
		free(git);
		if (found || i || strcmp(d, "/") == 0 || !*d)
			break;
		*strrchr(d, '/') = '\0';
		if (!*d)
			strcpy(d, "/");
	}
	free(d);
	return found;
}

/* The default FILE of check: ./connbudget.yaml, or the nearest in a parent. */
static char *default_config(void)
{
	char cwd[4096];
	char *found, *rel;
	ptrdiff_t dir_len;

	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	found = command_find_config(cwd);
	if (!found)
		return NULL;
	/* Report positions relative to the working directory, as a user would
	 * type them: the file is in cwd or one of its parents, so it is "../"
	 * once per directory between them, then its name. */
	dir_len = strrchr(found, '/') - found;
	rel = NULL;
	if (strncmp(found, cwd, dir_len) == 0 && (cwd[dir_len] == '/' || !cwd[dir_len] || dir_len == 0)) {
		struct sbuf b = { 0 };
		const char *p;

		for (p = cwd + dir_len; *p; p++)
			if (*p == '/' && p[1])
				sbuf_puts(&b, "../");
		sbuf_puts(&b, found + dir_len + 1);
		rel = sbuf_detach(&b);
	}
	if (!rel)
		rel = xstrdup(found);
	free(found);
	return rel;
}

char *command_default_config(void)
{
	char *def = default_config();

	if (!def)
		fprintf(stderr, "connbudget: error: no FILE given and no connbudget.yaml "
				"in this directory or a parent up to the repository root\n");
	return def;
}

char *command_one_file(struct options *o, const char *command, char **def)
{
	*def = NULL;
	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: %s takes at most one FILE\n", command);
		return NULL;
	}
	if (o->nargs)
		return o->args[0];
	return *def = command_default_config();
}

/* Run command over the FILE arguments, or the default FILE when none is given. */
static int run_files_or_default(struct options *o, const char *command)
{
	char *def;
	int status;

	if (o->nargs)
		return run_files(o, command, o->args, o->nargs);
	def = command_default_config();
	if (!def)
		return EXIT_ERROR;
	status = run_files(o, command, &def, 1);
	free(def);
	return status;
}

int command_check(struct options *o)
{
	return run_files_or_default(o, "check");
}

int command_graph(struct options *o)
{
	char *def, *path;
	int status;

	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: graph takes at most one FILE\n");
		return EXIT_ERROR;
	}
	if (o->format != REPORT_MERMAID && o->format != REPORT_DOT) {
		if (o->format_given) {
			quote_fprintf(stderr, "connbudget: error: graph draws --format mermaid or dot, not %s",
				report_format_name(o->format));
			return EXIT_ERROR;
		}
		o->format = REPORT_MERMAID; /* CONNBUDGET_FORMAT names a report format */
	}
	path = command_one_file(o, "graph", &def);
	if (!path)
		return EXIT_ERROR;
	status = run_files(o, "graph", &path, 1);
	free(def);
	return status;
}

int command_report(struct options *o)
{
	char *def, *path = command_one_file(o, "report", &def);
	int status;

	if (!path)
		return EXIT_ERROR;
	status = run_files(o, "report", &path, 1);
	free(def);
	return status;
}

int command_rules(struct options *o)
{
	size_t i;

	for (i = 0; i < rule_count; i++) {
		const struct rule *r = &rule_registry[i];
		if (o->ids)
			printf("%s\n", r->id);
		else
			printf("%s  %-38s %-8s %s\n", r->id, r->name, severity_name(r->severity), r->summary);
	}
	return EXIT_PASS;
}

int command_explain(struct options *o)
{
	const struct rule *r;

	if (o->nargs != 1) {
		fprintf(stderr, "connbudget: error: explain takes one RULE (an id like CB001 or a name like over-capacity)\n");
		return EXIT_ERROR;
	}
	r = rule_find(o->args[0]);
	if (!r) {
		const char **names = xcalloc(rule_count, sizeof(*names));
		const char *near;
		size_t i;

		for (i = 0; i < rule_count; i++)
			names[i] = rule_registry[i].name;
		near = closest_word(o->args[0], names, rule_count);
		if (near)
			quote_fprintf(stderr, "connbudget: error: unknown rule \"%s\", did you mean \"%s\"?",
				str_clip(o->args[0]), near);
		else
			quote_fprintf(stderr, "connbudget: error: unknown rule \"%s\" (see `connbudget rules`)",
				str_clip(o->args[0]));
		free(names);
		return EXIT_ERROR;
	}
	printf("%s %s (%s)\n\n%s\n\n%s\n", r->id, r->name, severity_name(r->severity), r->summary, r->doc);
	return EXIT_PASS;
}

char *command_installed_schema(void)
{
	char exe[4096], *p, *path, *real;
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	p = strrchr(exe, '/');
	if (!p)
		return NULL;
	*p = '\0';
	path = xasprintf("%s/../share/connbudget/topology.schema.json", exe);
	real = realpath(path, NULL);
	free(path);
	if (real && (stat(real, &st) != 0 || !S_ISREG(st.st_mode))) {
		free(real);
		real = NULL;
	}
	return real;
}

/*
 * The editor schema line init writes above its template: the installed
 * schema's, or how to save one beside the file (never a URL that may not
 * exist). The caller frees.
 */
static char *init_schema_line(void)
{
	char *schema = command_installed_schema(), *line;

	if (schema) {
		line = xasprintf("# yaml-language-server: $schema=file://%s\n", schema);
		free(schema);
		return line;
	}
	return xstrdup("# For completion and checks in your editor, save the schema beside this file\n"
		       "# (connbudget schema > topology.schema.json) and make this the first line:\n"
		       "#   # yaml-language-server: $schema=./topology.schema.json\n");
}

int command_init(struct options *o)
{
	const char *path = o->nargs ? o->args[0] : "connbudget.yaml";
	struct output out;
	char *line;
	bool ok;

	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: init takes at most one FILE\n");
		return EXIT_ERROR;
	}
	if (output_open(&out, path, o->force) != 0)
		return EXIT_ERROR;
	line = init_schema_line();
	if (o->from)
		ok = init_from_write(out.f, o->from, path, line) == 0 && !ferror(out.f);
	else
		ok = fputs(line, out.f) >= 0 && fputs(init_template, out.f) >= 0;
	free(line);
	if (output_close(&out, ok) != 0)
		return EXIT_ERROR;
	if (out.f != stdout)
		quote_fprintf(stderr, "wrote %s", path);
	return EXIT_PASS;
}

int command_schema(struct options *o)
{
	return command_write_text(o, (const char *)schema_data);
}

/*
 * The `check --format json` report of paths, as a newly allocated string
 * in *json (caller frees): the same load → budget → rules pipeline as
 * check. Returns 0, or EXIT_ERROR after printing why (*json is NULL).
 */
int command_json(struct options *o, char **paths, size_t npaths, char **json)
{
	return command_report_string(o, paths, npaths, REPORT_JSON, json);
}

int command_report_string(struct options *o, char **paths, size_t npaths, enum report_format fmt,
			  char **json)
{
	struct loaded *l = xcalloc(npaths, sizeof(*l));
	struct report_file *rf = xcalloc(npaths, sizeof(*rf));
	struct report r = { 0 };
	size_t i, n = 0, len = 0;
	FILE *f = NULL;
	int status = EXIT_ERROR, wrote;

	*json = NULL;
	for (i = 0; i < npaths; i++) {
		if (run_pipeline(paths[i], o, &l[n], NULL) != 0)
			goto out;
		rules_check(l[n].topo, &l[n].budget, &l[n].findings);
		rf[n].topo = l[n].topo;
		rf[n].budget = &l[n].budget;
		rf[n].findings = &l[n].findings;
		n++;
	}
	r.files = rf;
	r.nfiles = n;
	r.command = "check";
	r.version = CONNBUDGET_VERSION;
	r.fail_on = o->fail_on;
	f = open_memstream(json, &len);
	wrote = f ? report_write(f, fmt, &r) : -1;
	if (f && fclose(f) != 0)
		wrote = -1;
	if (wrote != 0) {
		fprintf(stderr, "connbudget: error: could not build the report\n");
		free(*json);
		*json = NULL;
		goto out;
	}
	status = EXIT_PASS;
out:
	loaded_free(l, n);
	free(rf);
	return status;
}
