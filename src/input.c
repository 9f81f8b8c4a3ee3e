/*
 * input.c - the reading gate: open, check, read once, budgets, globs; see
 * input.h.
 *
 * The gate is process-wide (loading runs on one thread) and holds one run
 * at a time.
 */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"
#include "model.h"
#include "util.h"

/* One regular file read in this run. */
struct cached {
	dev_t dev;
	ino_t ino;
	char *data;   /* NULL: opened (input_open), not read here */
	size_t len;
};

static struct {
	bool active;
	struct cached *v;
	size_t n, cap;
	size_t reads;            /* uses, against INPUT_MAX_READS */
	unsigned long long bytes; /* bytes of all uses, against INPUT_MAX_BYTES */
	size_t visits;           /* directory entries globs looked at */
	char why[512];
	bool missing;
} gate;

static int fail(bool missing, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int fail(bool missing, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(gate.why, sizeof(gate.why), fmt, ap);
	va_end(ap);
	gate.missing = missing;
	return -1;
}

static void reset(void)
{
	size_t i;

	for (i = 0; i < gate.n; i++)
		free(gate.v[i].data);
	free(gate.v);
	gate.v = NULL;
	gate.n = gate.cap = 0;
	gate.reads = 0;
	gate.bytes = 0;
	gate.visits = 0;
}

void input_begin(void)
{
	reset();
	gate.active = true;
}

void input_end(void)
{
	reset();
	gate.active = false;
}

const char *input_why(void)
{
	return gate.why;
}

bool input_missing(void)
{
	return gate.missing;
}

const char *input_kind(mode_t m, int fd)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISCHR(m))
		return isatty(fd) ? "a terminal" : "a character device";
	return "not a regular file";
}

/*
 * Open path (O_NONBLOCK: a FIFO without a writer opens instead of blocking),
 * check it with fstat, charge the use, and find it in the cache (*hit, or
 * NULL). Returns the descriptor (blocking again) or -1.
 */
static int gate_open(const char *path, struct cached **hit)
{
	struct stat st;
	size_t i;
	int fd, fl;

	*hit = NULL;
	gate.missing = false;
	if (!gate.active)
		gate.reads = 0, gate.bytes = 0, gate.visits = 0;
	if (gate.reads >= INPUT_MAX_READS)
		return fail(false, "more than %d file reads in one run", INPUT_MAX_READS);
	if (pos_file_id(path) == POS_FILE_FULL)
		return fail(false, "more than %d file names in one process", POS_FILE_FULL - 1);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fail(errno == ENOENT, "%s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		fail(false, "%s", strerror(errno));
		goto bad;
	}
	if (S_ISDIR(st.st_mode)) {
		fail(false, "%s", strerror(EISDIR));
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(false, "%s, not a regular file", input_kind(st.st_mode, fd));
		goto bad;
	}
	if (st.st_size > LOAD_MAX_FILE_BYTES) {
		fail(false, "file of %lld bytes is larger than the limit of %d bytes (16 MiB)",
		     (long long)st.st_size, LOAD_MAX_FILE_BYTES);
		goto bad;
	}
	if (gate.bytes + (unsigned long long)st.st_size > INPUT_MAX_BYTES) {
		fail(false, "more than %d bytes read in one run (64 MiB)", INPUT_MAX_BYTES);
		goto bad;
	}
	if (gate.active) {
		for (i = 0; i < gate.n; i++)
			if (gate.v[i].dev == st.st_dev && gate.v[i].ino == st.st_ino)
				break;
		if (i == gate.n) {
			if (gate.n >= INPUT_MAX_FILES) {
				fail(false, "more than %d files read in one run", INPUT_MAX_FILES);
				goto bad;
			}
			xgrow(&gate.v, &gate.cap, gate.n + 1, sizeof(*gate.v));
			gate.v[gate.n++] = (struct cached){ st.st_dev, st.st_ino, NULL, 0 };
		} else {
			*hit = &gate.v[i];
		}
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		fail(false, "%s", strerror(errno));
		goto bad;
	}
	gate.reads++;
	gate.bytes += (unsigned long long)st.st_size;
	return fd;
bad:
	close(fd);
	return -1;
}

int input_open(const char *path, int *fd, bool *again)
{
	struct cached *hit;

	*fd = gate_open(path, &hit);
	*again = hit != NULL;
	return *fd < 0 ? -1 : 0;
}

int input_read(const char *path, const char **data, size_t *len, bool *owned)
{
	struct cached *hit;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	ssize_t got;
	int fd = gate_open(path, &hit);

	if (fd < 0)
		return -1;
	if (hit && hit->data) {
		close(fd);
		*data = hit->data;
		*len = hit->len;
		*owned = false;
		return 0;
	}
	for (;;) {
		xgrow(&buf, &cap, n + 4096 + 1, 1);
		do
			got = read(fd, buf + n, cap - n - 1);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			fail(false, "%s", strerror(errno));
			goto bad;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > LOAD_MAX_FILE_BYTES) {
			fail(false, "larger than the limit of %d bytes (16 MiB)", LOAD_MAX_FILE_BYTES);
			goto bad;
		}
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	*owned = !gate.active;
	if (gate.active) {
		/* the entry gate_open added (or found unread) is the last one or hit */
		struct cached *c = hit ? hit : &gate.v[gate.n - 1];

		c->data = buf;
		c->len = n;
	}
	return 0;
bad:
	close(fd);
	free(buf);
	return -1;
}

/* ---- globs ------------------------------------------------------------- */

struct globber {
	char **v;
	size_t n, cap, max;
	struct { dev_t dev; ino_t ino; } *stack;  /* directories being expanded */
	size_t nstack, stack_cap;
};

/* Whether s has an unescaped glob metacharacter. */
static bool has_meta(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_match(struct globber *g, const char *path)
{
	if (g->n >= g->max)
		return fail(false, "the pattern matches more than %zu files", g->max);
	xgrow(&g->v, &g->cap, g->n + 1, sizeof(*g->v));
	g->v[g->n++] = xstrdup(path);
	return 0;
}

/*
 * Expand the components from pat on (pattern text, '/'-separated) below
 * prefix (a path ending in '/', or "" for the working directory).
 */
static int expand(struct globber *g, const char *prefix, const char *pat)
{
	const char *end;
	size_t len, i, nnames = 0, names_cap = 0;
	char **names = NULL, *comp, *next;
	struct stat st;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	while (*pat == '/')
		pat++;
	end = strchr(pat, '/');
	len = end ? (size_t)(end - pat) : strlen(pat);
	if (!has_meta(pat, len)) {
		struct sbuf b = { 0 };

		sbuf_puts(&b, prefix);
		for (i = 0; i < len; i++) {
			if (pat[i] == '\\' && i + 1 < len)
				i++;
			sbuf_putc(&b, pat[i]);
		}
		if (end && end[1]) {
			sbuf_putc(&b, '/');
			rc = expand(g, b.s, end + 1);
		} else if (lstat(b.s, &st) == 0) {
			rc = add_match(g, b.s);
		}
		sbuf_release(&b);
		return rc;
	}
	d = opendir(*prefix ? prefix : ".");
	if (!d)
		return 0; /* not there, or not a directory: no match, as glob(3) */
	if (fstat(dirfd(d), &st) == 0) {
		for (i = 0; i < g->nstack; i++)
			if (g->stack[i].dev == st.st_dev && g->stack[i].ino == st.st_ino)
				break;
		if (i < g->nstack) {
			closedir(d); /* a symbolic link back into a directory being expanded */
			return 0;
		}
		xgrow(&g->stack, &g->stack_cap, g->nstack + 1, sizeof(*g->stack));
		g->stack[g->nstack].dev = st.st_dev;
		g->stack[g->nstack].ino = st.st_ino;
		g->nstack++;
	} else {
		closedir(d);
		return 0;
	}
	comp = xstrndup(pat, len);
	while ((e = readdir(d)) != NULL) {
		if ((rc = input_dir_entry()) != 0)
			break;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fnmatch(comp, e->d_name, FNM_PERIOD) != 0)
			continue;
		xgrow(&names, &names_cap, nnames + 1, sizeof(*names));
		names[nnames++] = xstrdup(e->d_name);
	}
	closedir(d);
	free(comp);
	if (rc == 0 && nnames > 1)
		qsort(names, nnames, sizeof(*names), cmp_str);
	for (i = 0; i < nnames && rc == 0; i++) {
		if (end && end[1]) {
			next = xasprintf("%s%s/", prefix, names[i]);
			rc = expand(g, next, end + 1);
		} else {
			next = xasprintf("%s%s", prefix, names[i]);
			rc = add_match(g, next);
		}
		free(next);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	g->nstack--;
	return rc;
}

int input_dir_entry(void)
{
	if (++gate.visits > INPUT_MAX_DIR_ENTRIES)
		return fail(false, "more than %d directory entries looked at in one run", INPUT_MAX_DIR_ENTRIES);
	return 0;
}

int input_glob(const char *pattern, size_t max, char ***paths, size_t *n)
{
	struct globber g = { 0 };
	int rc;

	gate.missing = false;
	if (!gate.active)
		gate.visits = 0;
	g.max = max;
	rc = expand(&g, pattern[0] == '/' ? "/" : "", pattern);
	free(g.stack);
	if (rc != 0) {
		input_glob_free(g.v, g.n);
		*paths = NULL;
		*n = 0;
		return -1;
	}
	if (g.n > 1)
		qsort(g.v, g.n, sizeof(*g.v), cmp_str);
	*paths = g.v;
	*n = g.n;
	return 0;
}

void input_glob_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
