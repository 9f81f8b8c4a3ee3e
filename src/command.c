/*
 * command.c - the subcommands: load → budget → rules → report, and the
 * small ones (rules, explain, init, schema).
 */
#include "command.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "budget.h"
#include "init_template.h"
#include "load.h"
#include "model.h"
#include "version.h"

#include "schema_data.h"

/* An output destination: stdout, or a temporary file renamed into place. */
struct output {
	FILE *f;
	char *tmp;          /* temporary path, NULL for stdout */
	const char *dest;
	bool force;
};

/*
 * Open o->output (or stdout). Writing goes to a temporary file in the same
 * directory; output_close renames it into place only when everything was
 * written, so an existing file is never truncated by a failed run.
 * Returns 0, or -1 after printing why.
 */
static int output_open(struct output *out, const char *dest, bool force)
{
	int fd;

	memset(out, 0, sizeof(*out));
	out->dest = dest;
	out->force = force;
	if (!dest || strcmp(dest, "-") == 0) {
		out->f = stdout;
		return 0;
	}
	if (!force && access(dest, F_OK) == 0) {
		fprintf(stderr, "connbudget: error: %s: file exists (use --force to overwrite)\n", dest);
		return -1;
	}
	out->tmp = xasprintf("%s.tmp.XXXXXX", dest);
	fd = mkstemp(out->tmp);
	if (fd < 0 || !(out->f = fdopen(fd, "w"))) {
		fprintf(stderr, "connbudget: error: %s: %s\n", dest, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		free(out->tmp);
		out->tmp = NULL;
		return -1;
	}
	return 0;
}

/*
 * Finish writing: ok says whether the content is complete. Without --force
 * the file is linked into place (fails if something appeared meanwhile),
 * with it renamed over. Returns 0, or -1 after printing why.
 */
static int output_close(struct output *out, bool ok)
{
	int rc = 0;

	if (!out->tmp) {
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = -1;
		return ok && rc == 0 ? 0 : -1;
	}
	if (fclose(out->f) != 0)
		ok = false;
	if (ok) {
		if (out->force)
			rc = rename(out->tmp, out->dest);
		else
			rc = link(out->tmp, out->dest);
		if (rc != 0)
			fprintf(stderr, "connbudget: error: %s: %s\n", out->dest, strerror(errno));
	} else {
		fprintf(stderr, "connbudget: error: %s: could not write the report\n", out->dest);
		rc = -1;
	}
	unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
	return rc;
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
 * load → budget → rules_prepare for one file (rules_start runs the checks
 * themselves). Returns 0, or -1 after printing the positioned error; on
 * -1, l holds nothing to release.
 */
static int run_pipeline(const char *path, const struct options *o, struct loaded *l)
{
	char *err = NULL;

	memset(l, 0, sizeof(*l));
	l->topo = load_file(path, &err);
	if (!l->topo)
		goto fail;
	if (budget_compute(l->topo, 100, &l->budget, &err) != 0)
		goto fail;
	if (rules_prepare(l->topo, &o->rules, &l->findings, &err) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "%s\n", err ? err : "connbudget: error: could not load");
	free(err);
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
	size_t i, n = 0;
	bool load_failed = false;
	int status = EXIT_ERROR;

	for (i = 0; i < npaths; i++) {
		if (run_pipeline(paths[i], o, &l[n]) != 0) {
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
	if (load_failed && n == 0)
		goto out; /* nothing to report: the errors are on stderr */
	if (load_failed && o->output) {
		/* Keep whatever -o FILE held: a partial report is worse than none. */
		fprintf(stderr, "connbudget: error: %s not written: an input could not be loaded\n",
			o->output);
		goto out;
	}
	r.files = rf; /* r.sections: set by the hook */
	r.nfiles = n;
	r.command = command;
	status = command_write_report(o, &r);
	if (load_failed)
		status = EXIT_ERROR;
out:
	rules_wait(&job);
	loaded_free(l, n);
	free(rf);
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

/* Run command over the FILE arguments, or the default FILE when none is given. */
static int run_files_or_default(struct options *o, const char *command)
{
	char *def;
	int status;

	if (o->nargs)
		return run_files(o, command, o->args, o->nargs);
	def = default_config();
	if (!def) {
		fprintf(stderr, "connbudget: error: no FILE given and no connbudget.yaml "
				"in this directory or a parent up to the repository root\n");
		return EXIT_ERROR;
	}
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
	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: graph takes at most one FILE\n");
		return EXIT_ERROR;
	}
	if (o->format != REPORT_MERMAID && o->format != REPORT_DOT) {
		if (o->format_given) {
			fprintf(stderr, "connbudget: error: graph draws --format mermaid or dot, not %s\n",
				report_format_name(o->format));
			return EXIT_ERROR;
		}
		o->format = REPORT_MERMAID; /* CONNBUDGET_FORMAT names a report format */
	}
	return run_files_or_default(o, "graph");
}

int command_report(struct options *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "connbudget: error: report takes one FILE\n");
		return EXIT_ERROR;
	}
	return run_files(o, "report", o->args, 1);
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
			fprintf(stderr, "connbudget: error: unknown rule \"%s\", did you mean \"%s\"?\n",
				o->args[0], near);
		else
			fprintf(stderr, "connbudget: error: unknown rule \"%s\" (see `connbudget rules`)\n",
				o->args[0]);
		free(names);
		return EXIT_ERROR;
	}
	printf("%s %s (%s)\n\n%s\n\n%s\n", r->id, r->name, severity_name(r->severity), r->summary, r->doc);
	return EXIT_PASS;
}

int command_init(struct options *o)
{
	const char *path = o->nargs ? o->args[0] : "connbudget.yaml";
	struct output out;
	bool ok;

	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: init takes at most one FILE\n");
		return EXIT_ERROR;
	}
	if (output_open(&out, path, o->force) != 0)
		return EXIT_ERROR;
	ok = fputs(init_template, out.f) >= 0;
	if (output_close(&out, ok) != 0)
		return EXIT_ERROR;
	if (out.f != stdout)
		fprintf(stderr, "wrote %s\n", path);
	return EXIT_PASS;
}

int command_schema(struct options *o)
{
	(void)o;
	return fputs((const char *)schema_data, stdout) >= 0 ? EXIT_PASS : EXIT_ERROR;
}

/*
 * The `check --format json` report of paths, as a newly allocated string
 * in *json (caller frees): the same load → budget → rules pipeline as
 * check. Returns 0, or EXIT_ERROR after printing why (*json is NULL).
 */
int command_json(struct options *o, char **paths, size_t npaths, char **json)
{
	struct loaded *l = xcalloc(npaths, sizeof(*l));
	struct report_file *rf = xcalloc(npaths, sizeof(*rf));
	struct report r = { 0 };
	size_t i, n = 0, len = 0;
	FILE *f = NULL;
	int status = EXIT_ERROR, wrote;

	*json = NULL;
	for (i = 0; i < npaths; i++) {
		if (run_pipeline(paths[i], o, &l[n]) != 0)
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
	wrote = f ? report_write(f, REPORT_JSON, &r) : -1;
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
