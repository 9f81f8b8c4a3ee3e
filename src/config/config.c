/*
 * config.c - what the config readers share: reading a file whole, the
 * settings list and its lookup, positioned errors; see config.h.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_impl.h"
#include "conninfo.h"
#include "input.h"
#include "load.h"

/* ---- shared helpers ---------------------------------------------------- */

/* Set *err to "file:line:col: error: message" and return -1. */
int config_fail_at(char **err, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
int config_fail_at(char **err, struct pos pos, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = mask_vasprintf(fmt, ap);
	va_end(ap);
	free(*err);
	*err = xasprintf("%s:%u:%u: error: %s", pos_file(pos), pos.line, pos.col, msg);
	free(msg);
	return -1;
}


/*
 * path as seen from the directory of base (a file): absolute paths, and
 * bases without a directory part (a topology in the working directory, or
 * standard input), leave path as it is. The result lives in the arena.
 */
const char *config_resolve_path(struct arena *a, const char *base, const char *path)
{
	const char *slash = base ? strrchr(base, '/') : NULL;

	if (path[0] == '/' || !slash)
		return arena_strdup(a, path);
	return arena_printf(a, "%.*s/%s", (int)(slash - base), base, path);
}

static const char *include_root;

void config_set_include_root(const char *root)
{
	include_root = root;
}

const char *config_resolve_include(struct arena *a, const char *base, const char *path,
				   struct pos pos, char **err)
{
	if (path[0] != '/')
		return config_resolve_path(a, base, path);
	if (!include_root) {
		config_fail_at(err, pos, "absolute include '%s' would read this machine's file: set "
			       "`config_root:` on the database or pooler to the repository folder that "
			       "stands for '/'", str_clip_path(path));
		return NULL;
	}
	return arena_printf(a, "%s%s", include_root, path);
}

/* Column (1-based, in characters) of p on the line starting at line. */
uint32_t config_column_of(const char *line, const char *p)
{
	uint32_t col = 1;

	for (; line < p; line++)
		if (((unsigned char)*line & 0xC0) != 0x80)
			col++;
	return col;
}

/*
 * Read the whole file at path, through the reading gate (input.h: once
 * per run, a regular file only, within the run's budgets), into a malloc'd
 * NUL-terminated buffer. Returns 0, or -1 with *why set to a reason that
 * lives until the next read. *missing tells a file that does not exist.
 */
int config_read_whole(const char *path, char **data, size_t *len, const char **why, bool *missing)
{
	const char *d;
	size_t n;
	bool owned;

	*missing = false;
	if (input_read(path, &d, &n, &owned) != 0) {
		*missing = input_missing();
		*why = input_why();
		return -1;
	}
	if (memchr(d, '\0', n)) {
		if (owned)
			free((char *)d);
		*why = "contains a NUL byte (not a text file)";
		return -1;
	}
	if (owned) {
		*data = (char *)d;
	} else {
		*data = xmalloc(n + 1);
		memcpy(*data, d, n + 1);
	}
	*len = n;
	return 0;
}

void config_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void config_add_setting(struct config_file *f, const char *section, const char *name,
			const char *value, const char *raw, struct pos pos)
{
	xgrow(&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n++] = (struct config_setting){ section, name, value, raw ? raw : value, pos };
}

const struct config_setting *config_find(const struct config_file *f, const char *section,
					 const char *name)
{
	size_t i;

	for (i = f->n; i-- > 0;)
		if (strcmp(f->v[i].section, section) == 0 && strcasecmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

void config_file_release(struct config_file *f)
{
	if (!f)
		return;
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

bool config_scan_number(const char *value, double *v, const char **end)
{
	char *e;

	errno = 0;
	*v = (double)strtol(value, &e, 0);
	if (*e == '.' || *e == 'e' || *e == 'E' || errno == ERANGE) {
		errno = 0;
		*v = strtod(value, &e);
	}
	if (e == value || errno == ERANGE || isnan(*v))
		return false;
	while (isspace((unsigned char)*e))
		e++;
	*end = e;
	return true;
}

int config_read_nested(const char *path, struct pos from, int depth, bool missing_ok, char **data,
		       size_t *len, char **err)
{
	const char *why;
	bool missing;

	if (depth > CONFIG_MAX_DEPTH)
		return config_fail_at(err, from, "cannot open configuration file '%s': includes nested "
				      "deeper than %d (an include cycle?)", str_clip_path(path), CONFIG_MAX_DEPTH);
	if (config_read_whole(path, data, len, &why, &missing) != 0) {
		if (missing && missing_ok)
			return 1;
		return config_fail_at(err, from, "cannot read configuration file '%s': %s",
				      str_clip_path(path), why);
	}
	return 0;
}
