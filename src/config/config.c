/*
 * config.c - what the config readers share: reading a file whole, the
 * settings list and its lookup, positioned errors; see config.h.
 */
#include "config.h"

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
#include <sys/stat.h>

#include "config_impl.h"
#include "conninfo.h"
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

/* A formatted string in the arena. */
char *config_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
char *config_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *tmp, *s;

	va_start(ap, fmt);
	tmp = xvasprintf(fmt, ap);
	va_end(ap);
	s = arena_strdup(a, tmp);
	free(tmp);
	return s;
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
	return config_printf(a, "%.*s/%s", (int)(slash - base), base, path);
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
 * Read the whole file at path into a malloc'd NUL-terminated buffer.
 * Returns 0, or -1 with *why set to a static reason (errno text, "larger
 * than 16 MiB", ...). *missing tells a file that does not exist.
 */
int config_read_whole(const char *path, char **data, size_t *len, const char **why, bool *missing)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	int rc = -1;

	*missing = false;
	if (!f) {
		*missing = errno == ENOENT;
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fileno(f), &st) != 0) {
		*why = strerror(errno);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		*why = "is a directory";
		goto out;
	}
	for (;;) {
		xgrow(&buf, &cap, n + 4096 + 1, 1);
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > LOAD_MAX_FILE_BYTES) {
			*why = "larger than 16 MiB";
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		*why = "read error";
		goto out;
	}
	if (memchr(buf, '\0', n)) {
		*why = "contains a NUL byte (not a text file)";
		goto out;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

void config_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void config_add_setting(struct config_file *f, const char *section, const char *name,
			const char *value, struct pos pos)
{
	xgrow(&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n++] = (struct config_setting){ section, name, value, pos };
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

