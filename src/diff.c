/*
 * diff.c - `connbudget diff`: the budget at a git revision (or a saved
 * `check --format json` report) against the working tree.
 *
 * The base revision's tree is extracted into a temporary directory
 * (`git archive REV | tar -x`, both run by fork/exec, never a shell), and
 * the same relative FILE is loaded there, so its includes, config files
 * and sources are the revision's too. Both sides go through the one
 * pipeline (command_json); this file only compares the two reports.
 */
#include "diff.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "rules.h"
#include "util.h"

/* ---- git, through fork/exec ---- */

/*
 * Run argv (argv[0] found on PATH) with stdin from in_fd (-1: /dev/null),
 * stdout to out_fd (-1: /dev/null) and stderr to /dev/null. Returns the
 * child's pid, or -1.
 */
static pid_t spawn(char *const argv[], int in_fd, int out_fd, int close_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);
	if (close_fd >= 0)
		close(close_fd);
	dup2(in_fd >= 0 ? in_fd : null, STDIN_FILENO);
	dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	execvp(argv[0], argv);
	_exit(127);
}

/* Wait for pid; true when it exited with status 0. */
static bool reap(pid_t pid)
{
	int st;

	if (pid < 0)
		return false;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * Run argv and collect its standard output, without the final newline,
 * into *out (caller frees; NULL on failure). Returns true when it exited 0.
 */
static bool capture(char *const argv[], char **out)
{
	struct sbuf b = { 0 };
	char buf[4096];
	int fds[2];
	ssize_t n;
	pid_t pid;
	bool ok;

	*out = NULL;
	if (pipe(fds) != 0)
		return false;
	pid = spawn(argv, -1, fds[1], fds[0]);
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sbuf_add(&b, buf, (size_t)n);
	close(fds[0]);
	ok = reap(pid);
	if (!ok) {
		sbuf_release(&b);
		return false;
	}
	while (b.len && b.s[b.len - 1] == '\n')
		b.s[--b.len] = '\0';
	*out = b.s ? sbuf_detach(&b) : xstrdup("");
	return true;
}

/* `git -C top archive REV | tar -x -C dir`: the whole tree, from any subdirectory. */
static bool git_extract(const char *top, const char *rev, const char *dir)
{
	char *git[] = { "git", "-C", (char *)top, "archive", "--format=tar", (char *)rev, NULL };
	char *tar[] = { "tar", "-x", "-C", (char *)dir, "-f", "-", NULL };
	int fds[2];
	pid_t a, t;
	bool ok_a, ok_t;

	if (pipe(fds) != 0)
		return false;
	a = spawn(git, -1, fds[1], fds[0]);
	t = spawn(tar, fds[0], -1, fds[1]);
	close(fds[0]);
	close(fds[1]);
	ok_a = reap(a);
	ok_t = reap(t);
	return ok_a && ok_t;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove dir and everything under it, never following a symbolic link. */
static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * The commit diff compares with: --base REV, else the merge-base of HEAD
 * with its upstream, else HEAD. Returns its full hash (caller frees), or
 * NULL after printing why.
 */
static char *base_commit(const char *rev)
{
	char *out = NULL, *spec;
	char *mb[] = { "git", "merge-base", "HEAD", "@{upstream}", NULL };

	if (!rev) {
		if (capture(mb, &out) && *out)
			return out;
		free(out);
		rev = "HEAD";
	}
	spec = xasprintf("%s^{commit}", rev);
	char *argv[] = { "git", "rev-parse", "--verify", "--quiet", "--end-of-options", spec, NULL };
	if (!capture(argv, &out) || !*out) {
		fprintf(stderr, "connbudget: error: diff: unknown revision \"%s\"\n", rev);
		free(out);
		out = NULL;
	}
	free(spec);
	return out;
}

/* The empty report a topology has where it did not exist yet. */
static const char empty_report[] = "{\"databases\":[],\"clients\":[],\"poolers\":[],\"findings\":[]}";

/*
 * The base side's report: paths (relative to the working directory)
 * loaded from rev's tree, extracted into a temporary directory that is
 * always removed. A file the revision does not have counts as empty.
 * Returns 0 with *json set (caller frees), or EXIT_ERROR after printing why.
 */
static int base_report(struct options *o, const char *rev, char **paths, size_t npaths,
		       char **json)
{
	char *top = NULL, *prefix = NULL, *dir = NULL, *where = NULL;
	char **rel = xcalloc(npaths ? npaths : 1, sizeof(*rel));
	char *toplevel[] = { "git", "rev-parse", "--show-toplevel", NULL };
	char *show_prefix[] = { "git", "rev-parse", "--show-prefix", NULL };
	const char *tmpdir = getenv("TMPDIR");
	size_t i, n = 0;
	int cwd = -1, status = EXIT_ERROR;

	*json = NULL;
	if (!capture(toplevel, &top) || !capture(show_prefix, &prefix))
		goto out; /* command_diff checked that this is a repository */
	dir = xasprintf("%s/connbudget-diff.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "connbudget: error: diff: %s: %s\n", dir, strerror(errno));
		free(dir);
		dir = NULL;
		goto out;
	}
	if (!git_extract(top, rev, dir)) {
		fprintf(stderr, "connbudget: error: diff: could not read the tree of %s\n", rev);
		goto out;
	}
	where = xasprintf("%s/%s", dir, prefix);
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	if (cwd < 0 || chdir(where) != 0) {
		/* the working directory is new since rev: nothing of it at the base */
		*json = xstrdup(empty_report);
		status = EXIT_PASS;
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		const char *p = paths[i];
		size_t tl = strlen(top);

		if (p[0] == '/' && strncmp(p, top, tl) == 0 && p[tl] == '/')
			rel[n] = xasprintf("%s/%s", dir, p + tl + 1);
		else
			rel[n] = xstrdup(p);
		if (access(rel[n], F_OK) == 0)
			n++;
		else
			free(rel[n]);
	}
	if (n == 0) {
		*json = xstrdup(empty_report);
		status = EXIT_PASS;
	} else {
		status = command_json(o, rel, n, json);
	}
out:
	if (cwd >= 0) {
		if (fchdir(cwd) != 0)
			fprintf(stderr, "connbudget: error: diff: cannot return to the working directory\n");
		close(cwd);
	}
	if (dir) {
		rm_tree(dir);
		free(dir);
	}
	for (i = 0; i < n; i++)
		free(rel[i]);
	free(rel);
	free(where);
	free(top);
	free(prefix);
	return status;
}

/* A whole file into a string (caller frees); NULL after printing why. */
static char *slurp(const char *path)
{
	struct sbuf b = { 0 };
	char buf[8192];
	size_t n;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "connbudget: error: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&b, buf, n);
	if (ferror(f)) {
		fprintf(stderr, "connbudget: error: %s: could not read\n", path);
		sbuf_release(&b);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	return b.s ? sbuf_detach(&b) : xstrdup("");
}

/* ---- the comparison ---- */

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Do a and b differ in any of keys (a missing key equals a missing key)? */
static bool differ(const cJSON *a, const cJSON *b, const char *const *keys)
{
	for (; *keys; keys++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, *keys);
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, *keys);
		if (!x != !y || (x && !cJSON_Compare(x, y, true)))
			return true;
	}
	return false;
}

/*
 * Pair the objects of array key in base and head by "id": head's order
 * first, then what only base has. With only_changed, unchanged pairs are
 * left out. Returns the array (caller frees) and its length in *n.
 */
static struct diff_object *pair(const cJSON *base, const cJSON *head, const char *key,
				const char *const *figures, bool only_changed, size_t *n)
{
	const cJSON *ba = cJSON_GetObjectItemCaseSensitive(base, key);
	const cJSON *ha = cJSON_GetObjectItemCaseSensitive(head, key);
	size_t cap = (size_t)cJSON_GetArraySize(ba) + (size_t)cJSON_GetArraySize(ha) + 1;
	struct diff_object *v = xcalloc(cap, sizeof(*v));
	const cJSON *h, *b;

	*n = 0;
	cJSON_ArrayForEach(h, ha) {
		const char *id = str_of(h, "id");
		const cJSON *match = NULL;
		if (!id)
			continue;
		cJSON_ArrayForEach(b, ba)
			if (str_of(b, "id") && strcmp(str_of(b, "id"), id) == 0)
				match = b;
		struct diff_object d = { id, match, h, !match || differ(match, h, figures) };
		if (!only_changed || d.changed)
			v[(*n)++] = d;
	}
	cJSON_ArrayForEach(b, ba) {
		const char *id = str_of(b, "id");
		bool found = false;
		if (!id)
			continue;
		cJSON_ArrayForEach(h, ha)
			if (str_of(h, "id") && strcmp(str_of(h, "id"), id) == 0)
				found = true;
		if (!found)
			v[(*n)++] = (struct diff_object){ id, b, NULL, true };
	}
	return v;
}

static char *key_of(const cJSON *f)
{
	return report_finding_key(str_of(f, "rule"), str_of(f, "object"), str_of(f, "message"));
}

/*
 * Match the findings: each head finding takes the first unused base
 * finding with its key (unchanged) or is new; base findings left over are
 * resolved.
 */
static void match_findings(struct diff *d)
{
	const cJSON *bf = cJSON_GetObjectItemCaseSensitive(d->base, "findings");
	const cJSON *hf = cJSON_GetObjectItemCaseSensitive(d->head, "findings");
	size_t nb = (size_t)cJSON_GetArraySize(bf), nh = (size_t)cJSON_GetArraySize(hf), i;
	char **bkeys = xcalloc(nb + 1, sizeof(*bkeys));
	bool *used = xcalloc(nb + 1, sizeof(*used));
	const cJSON *f;

	d->added = xcalloc(nh + 1, sizeof(*d->added));
	d->resolved = xcalloc(nb + 1, sizeof(*d->resolved));
	i = 0;
	cJSON_ArrayForEach(f, bf)
		bkeys[i++] = key_of(f);
	cJSON_ArrayForEach(f, hf) {
		char *k = key_of(f);
		bool matched = false;
		for (i = 0; i < nb && !matched; i++)
			if (!used[i] && strcmp(bkeys[i], k) == 0)
				used[i] = matched = true;
		free(k);
		if (matched) {
			d->nunchanged++;
			continue;
		}
		d->added[d->nadded++] = f;
		int level;
		const char *sev = str_of(f, "severity");
		if (d->fail_on != LEVEL_OFF && sev && severity_parse(sev, &level) &&
		    level != LEVEL_OFF && level >= d->fail_on)
			d->failed = true;
	}
	i = 0;
	cJSON_ArrayForEach(f, bf) {
		if (!used[i])
			d->resolved[d->nresolved++] = f;
		free(bkeys[i]);
		i++;
	}
	free(bkeys);
	free(used);
}

int diff_compare(struct diff *d, const char *base_json, const char *head_json, char **err)
{
	static const char *const db_figures[] = { "max_connections", "capacity", "budget",
						  "demand", "utilization", "unbounded", NULL };
	static const char *const client_figures[] = { "connects_to", "steady", "peak",
						      "unbounded", NULL };
	static const char *const pooler_figures[] = { "database", "cap", "client_demand",
						      "client_limit", "server", NULL };

	d->base = cJSON_Parse(base_json);
	d->head = cJSON_Parse(head_json);
	if (!cJSON_IsObject(d->base) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(d->base, "databases"))) {
		*err = xstrdup("the baseline is not a `connbudget check --format json` report");
		return -1;
	}
	if (!cJSON_IsObject(d->head)) {
		*err = xstrdup("the head report could not be read");
		return -1;
	}
	d->dbs = pair(d->base, d->head, "databases", db_figures, false, &d->ndbs);
	d->clients = pair(d->base, d->head, "clients", client_figures, true, &d->nclients);
	d->poolers = pair(d->base, d->head, "poolers", pooler_figures, true, &d->npoolers);
	match_findings(d);
	return 0;
}

void diff_release(struct diff *d)
{
	if (!d)
		return;
	free(d->dbs);
	free(d->clients);
	free(d->poolers);
	free(d->added);
	free(d->resolved);
	cJSON_Delete(d->base);
	cJSON_Delete(d->head);
	free(d->picture);
	memset(d, 0, sizeof(*d));
}

/* ---- the command ---- */

int command_diff(struct options *o)
{
	struct diff d = { 0 };
	char *def = NULL, *rev = NULL, *base = NULL, *head = NULL, *err = NULL;
	char **paths = o->args;
	size_t npaths = o->nargs;
	FILE *mem;
	size_t len = 0;
	char *text = NULL;
	int status = EXIT_ERROR, wrote;

	if (o->format != REPORT_TEXT && o->format != REPORT_JSON && o->format != REPORT_MARKDOWN &&
	    o->format != REPORT_GITHUB) {
		fprintf(stderr, "connbudget: error: diff writes --format text, json, markdown or github, not %s\n",
			report_format_name(o->format));
		return EXIT_ERROR;
	}
	if (o->base && o->baseline) {
		fprintf(stderr, "connbudget: error: diff takes --base or --baseline, not both\n");
		return EXIT_ERROR;
	}
	if (npaths == 0) {
		if (!(def = command_default_config()))
			return EXIT_ERROR;
		paths = &def;
		npaths = 1;
	}
	if (o->baseline) {
		if (!(base = slurp(o->baseline)))
			goto out;
	} else {
		char *argv[] = { "git", "rev-parse", "--git-dir", NULL }, *gd = NULL;
		bool repo = capture(argv, &gd);
		free(gd);
		if (!repo) {
			fprintf(stderr, "connbudget: error: diff: not a git repository "
					"(use --baseline REPORT.json to compare with a saved report)\n");
			goto out;
		}
		if (!(rev = base_commit(o->base)))
			goto out;
		if (base_report(o, rev, paths, npaths, &base) != 0)
			goto out;
	}
	if (command_json(o, paths, npaths, &head) != 0)
		goto out;
	d.fail_on = o->fail_on;
	d.quiet = o->quiet;
	d.base_rev = rev ? rev : "baseline";
	d.base_file = o->baseline;
	if (diff_compare(&d, base, head, &err) != 0) {
		fprintf(stderr, "connbudget: error: %s: %s\n", o->baseline ? o->baseline : "diff", err);
		goto out;
	}
	/* the comment shows the topology after the change, as `report --format markdown` does */
	if ((o->format == REPORT_MARKDOWN ||
	     (o->format == REPORT_GITHUB && getenv("GITHUB_STEP_SUMMARY"))) && !o->quiet &&
	    command_report_string(o, paths, npaths, REPORT_MERMAID, &d.picture) != 0)
		d.picture = NULL;
	mem = open_memstream(&text, &len);
	wrote = mem ? report_diff(mem, o->format, &d) : -1;
	if (mem && fclose(mem) != 0)
		wrote = -1;
	if (wrote != 0) {
		fprintf(stderr, "connbudget: error: diff: could not write the report\n");
		goto out;
	}
	status = command_write_text(o, text);
	if ((mem = command_step_summary(o))) {
		if (report_diff(mem, REPORT_MARKDOWN, &d) != 0 || fclose(mem) != 0)
			fprintf(stderr, "connbudget: warning: GITHUB_STEP_SUMMARY: could not write the summary\n");
	}
	if (status == EXIT_PASS && d.failed)
		status = EXIT_FAIL;
out:
	free(text);
	free(err);
	diff_release(&d);
	free(base);
	free(head);
	free(rev);
	free(def);
	return status;
}
