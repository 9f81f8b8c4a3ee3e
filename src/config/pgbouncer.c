/*
 * pgbouncer.c - pgbouncer.ini, read with inih set up as PgBouncer's own
 * parser (libusual cfparser.c) reads its file: `;` and `#` comment lines, a
 * value running to the end of its line (no inline comments, no continuation
 * lines), `name = value` only, and `%include FILE`, which we resolve
 * relative to the including file (PgBouncer itself uses its working
 * directory, which a linter cannot know).
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
#include "load.h"

/* What an ini read shares across its %include files. */
struct ini_read {
	struct arena *a;
	struct config_file *out;
	char **err;
	bool failed;
};

/* One ini file being read: the source of inih's reader and the handler's context. */
struct ini_src {
	struct ini_read *r;
	const char *file;        /* display path, in the arena */
	const char *buf;
	size_t len, off;
	uint32_t line;           /* the line last handed to inih */
	const char *line_ptr;    /* its start */
	bool at_line_start;
	char section[64];        /* the last [section] seen, for %include */
	const char *inherited;   /* the section in effect where this file was included */
	int depth;
};

static int ini_read_file(struct ini_read *r, const char *path, struct pos from, int depth,
			 const char *inherited);

/* Skip a UTF-8 byte order mark on line 1 (inih skips it too) and blanks. */
static const char *ini_line_text(const struct ini_src *s)
{
	const char *p = s->line_ptr;

	if (s->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v')
		p++;
	return p;
}

/*
 * A line starting a new line of the file: remember [section] headers, and
 * follow `%include FILE` here (the reader hands inih an empty line for it,
 * so line numbers stay right). Returns false when the include failed.
 */
static bool ini_line_start(struct ini_src *s, bool *consumed)
{
	const char *p = ini_line_text(s), *q, *eol;
	char *path;
	size_t n;
	int rc;

	*consumed = false;
	eol = strchr(p, '\n');
	if (!eol)
		eol = p + strlen(p);
	if (*p == '[') {
		q = memchr(p, ']', (size_t)(eol - p));
		if (q) {
			n = (size_t)(q - p - 1);
			if (n >= sizeof(s->section))
				n = sizeof(s->section) - 1;
			memcpy(s->section, p + 1, n);
			s->section[n] = '\0';
		}
		return true;
	}
	if (strncmp(p, "%include", 8) != 0 || !strchr(" \t\r\n", p[8]))
		return true;
	*consumed = true;
	for (q = p + 8; *q == ' ' || *q == '\t'; q++)
		;
	n = (size_t)(eol - q);
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\r'))
		n--;
	if (!n) {
		config_fail_at(s->r->err, pos_make(s->file, s->line, config_column_of(s->line_ptr, p)),
			"%%include: empty file name");
		s->r->failed = true;
		return false;
	}
	path = xstrndup(q, n);
	rc = ini_read_file(s->r, config_resolve_path(s->r->a, s->file, path),
			   pos_make(s->file, s->line, config_column_of(s->line_ptr, p)), s->depth + 1,
			   *s->section ? s->section : s->inherited);
	free(path);
	if (rc != 0)
		s->r->failed = true;
	return rc == 0;
}

/* inih's reader: the next line of the buffer (or as much as fits in num - 1). */
static char *ini_next_line(char *str, int num, void *stream)
{
	struct ini_src *s = stream;
	size_t n = 0;
	bool consumed;

	if (s->r->failed || s->off >= s->len || num < 2)
		return NULL;
	if (s->at_line_start) {
		s->line++;
		s->line_ptr = s->buf + s->off;
		if (!ini_line_start(s, &consumed))
			return NULL;
		if (consumed) {
			while (s->off < s->len && s->buf[s->off++] != '\n')
				;
			strcpy(str, "\n");
			return str;
		}
	}
	while (n < (size_t)num - 1 && s->off < s->len) {
		char c = s->buf[s->off++];
		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = '\0';
	s->at_line_start = str[n - 1] == '\n';
	return str;
}

/* inih's handler: one name = value of the current section. */
static int ini_on_setting(void *user, const char *section, const char *name, const char *value)
{
	struct ini_src *s = user;
	const char *p = ini_line_text(s), *q;
	struct pos pos = pos_make(s->file, s->line, config_column_of(s->line_ptr, p));
	char *sec, *key;
	size_t n;

	if (!*section)
		section = s->inherited;
	if (!*section) {
		config_fail_at(s->r->err, pos, "'%s' is outside any section ([databases], [users], [pgbouncer])",
			str_clip(name));
		goto fail;
	}
	/* PgBouncer takes `name = value` only, where inih also takes `name: value` */
	for (q = p + strlen(name); *q == ' ' || *q == '\t'; q++)
		;
	if (strncmp(p, name, strlen(name)) != 0 || *q != '=') {
		config_fail_at(s->r->err, pos, "expected 'name = value' in '%s'", s->file);
		goto fail;
	}
	sec = arena_strdup(s->r->a, section);
	config_lower(sec);
	n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		key = arena_strndup(s->r->a, name + 1, n - 2); /* a quoted database name */
	} else {
		key = arena_strdup(s->r->a, name);
		if (strcmp(sec, "databases") != 0 && strcmp(sec, "users") != 0)
			config_lower(key);
	}
	config_add_setting(s->r->out, sec, key, arena_strdup(s->r->a, value), pos);
	return 1;
fail:
	s->r->failed = true;
	return 0;
}

/*
 * Set inih up as PgBouncer reads its file. These are Debian's libinih
 * run-time switches (libinih1 55: the compile-time INI_* options of
 * upstream's ini.h exported as variables).
 */
static void ini_configure(void)
{
	ini_allow_multiline = false;       /* no continuation lines */
	ini_allow_inline_comments = false; /* a value runs to the end of its line */
	ini_stop_on_first_error = true;
	ini_allow_no_value = false;
	ini_use_stack = false;             /* lines of any length: a heap buffer that grows */
	ini_allow_realloc = true;
	ini_max_line = LOAD_MAX_FILE_BYTES + 3;
}

static int ini_read_file(struct ini_read *r, const char *path, struct pos from, int depth,
			 const char *inherited)
{
	struct ini_src s;
	char *buf = NULL;
	size_t len = 0;
	const char *why;
	bool missing;
	int rc;

	if (depth > CONFIG_MAX_DEPTH)
		return config_fail_at(r->err, from, "cannot open configuration file '%s': includes nested "
			       "deeper than %d (an include cycle?)", str_clip_path(path), CONFIG_MAX_DEPTH);
	if (config_read_whole(path, &buf, &len, &why, &missing) != 0)
		return config_fail_at(r->err, from, "cannot read configuration file '%s': %s",
				      str_clip_path(path), why);
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.file = path;
	s.buf = buf;
	s.len = len;
	s.line_ptr = buf;
	s.at_line_start = true;
	s.inherited = inherited;
	s.depth = depth;
	ini_configure();
	rc = ini_parse_stream(ini_next_line, &s, ini_on_setting, &s);
	if (rc != 0 && !r->failed) {
		const char *p = ini_line_text(&s);
		struct pos pos = pos_make(path, rc > 0 ? (uint32_t)rc : s.line, config_column_of(s.line_ptr, p));

		if (rc < 0)
			config_fail_at(r->err, pos, "cannot read configuration file '%s': out of memory", path);
		else if (*p == '[')
			config_fail_at(r->err, pos, "section header without ']' in '%s'", path);
		else
			config_fail_at(r->err, pos, "expected 'name = value' in '%s'", path);
		r->failed = true;
	}
	free(buf);
	return r->failed ? -1 : 0;
}

int config_read_pgbouncer(struct arena *a, const char *path, struct pos from,
			  struct config_file *out, char **err)
{
	struct ini_read r = { a, out, err, false };

	return ini_read_file(&r, arena_strdup(a, path), from, 0, "");
}

