/*
 * config.c - postgresql.conf and pgbouncer.ini behind the topology; see
 * config.h.
 *
 * postgresql.conf follows PostgreSQL's own lexer (src/backend/utils/misc/
 * guc-file.l): one `name [=] value` per line, `#` comments, values that are
 * identifiers, numbers with unit letters (`10min`, `64MB`) or single-quoted
 * strings ('' and backslash escapes), `include`, `include_if_exists` and
 * `include_dir` relative to the including file, names compared ignoring
 * case, the last setting of a name winning. Values are converted as
 * parse_int() does (strtol base 0, fractions rounded, units for time
 * settings only).
 *
 * pgbouncer.ini is read with inih, set up as PgBouncer's own parser
 * (libusual cfparser.c) reads its file: `;` and `#` comment lines, a value
 * running to the end of its line (no inline comments, no continuation
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

#include "load.h"

/* ---- shared helpers ---------------------------------------------------- */

/* Set *err to "file:line:col: error: message" and return -1. */
static int fail_at(char **err, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int fail_at(char **err, struct pos pos, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(*err);
	*err = xasprintf("%s:%u:%u: error: %s", pos_file(pos), pos.line, pos.col, msg);
	free(msg);
	return -1;
}

/* A formatted string in the arena. */
static char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
static char *arena_printf(struct arena *a, const char *fmt, ...)
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
static const char *resolve_path(struct arena *a, const char *base, const char *path)
{
	const char *slash = base ? strrchr(base, '/') : NULL;

	if (path[0] == '/' || !slash)
		return arena_strdup(a, path);
	return arena_printf(a, "%.*s/%s", (int)(slash - base), base, path);
}

/* Column (1-based, in characters) of p on the line starting at line. */
static uint32_t column_of(const char *line, const char *p)
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
static int read_whole(const char *path, char **data, size_t *len, const char **why, bool *missing)
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

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void add_setting(struct config_file *f, const char *section, const char *name,
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

/* ---- postgresql.conf ---------------------------------------------------- */

/* The tokens of guc-file.l. */
enum pg_tok {
	PG_EOF, PG_EOL, PG_ID, PG_QUALIFIED_ID, PG_STRING, PG_UNQUOTED_STRING,
	PG_INTEGER, PG_REAL, PG_EQUALS, PG_ERROR,
};

struct pg_lex {
	const char *file;        /* display path, in the arena */
	const char *p, *end;
	const char *line_start;
	uint32_t line;
	const char *tok;         /* the token last read */
	size_t len;
};

/* guc-file.l: LETTER [A-Za-z_\200-\377], LETTER_OR_DIGIT adds [0-9] */
static bool pg_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool pg_letter_or_digit(unsigned char c)
{
	return pg_letter(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_ascii_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Length of INTEGER {SIGN}?({DIGIT}+|0x{HEXDIGIT}+){UNIT_LETTER}* at p, 0 if none. */
static size_t pg_integer_len(const char *p, const char *end)
{
	size_t s = (p < end && (*p == '+' || *p == '-')) ? 1 : 0;
	size_t dec = s, hex = 0, best;

	while (p + dec < end && is_digit(p[dec]))
		dec++;
	if (dec == s)
		dec = 0;
	if (p + s + 2 < end && p[s] == '0' && p[s + 1] == 'x' && is_hex(p[s + 2])) {
		hex = s + 2;
		while (p + hex < end && is_hex(p[hex]))
			hex++;
	}
	best = dec > hex ? dec : hex;
	if (!best)
		return 0;
	/* the unit letters after either form; the longer match wins */
	if (dec) {
		while (p + dec < end && is_ascii_letter(p[dec]))
			dec++;
	}
	if (hex) {
		while (p + hex < end && is_ascii_letter(p[hex]))
			hex++;
	}
	return dec > hex ? dec : hex;
}

/* Length of REAL {SIGN}?{DIGIT}*"."{DIGIT}*{EXPONENT}? at p, 0 if none. */
static size_t pg_real_len(const char *p, const char *end)
{
	size_t i = (p < end && (*p == '+' || *p == '-')) ? 1 : 0;
	size_t e;

	while (p + i < end && is_digit(p[i]))
		i++;
	if (p + i >= end || p[i] != '.')
		return 0;
	i++;
	while (p + i < end && is_digit(p[i]))
		i++;
	if (p + i < end && (p[i] == 'e' || p[i] == 'E')) {
		e = i + 1;
		if (p + e < end && (p[e] == '+' || p[e] == '-'))
			e++;
		if (p + e < end && is_digit(p[e])) {
			while (p + e < end && is_digit(p[e]))
				e++;
			i = e;
		}
	}
	return i;
}

/*
 * The next token, as guc-file.l's longest match picks it: whitespace and
 * `#` comments are skipped; the newline is a token (PG_EOL) and the
 * caller moves to the next line.
 */
static enum pg_tok pg_next(struct pg_lex *l)
{
	const char *p = l->p, *end = l->end;
	size_t i, id, qid = 0, u, in, re;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p < end && *p == '#')
		while (p < end && *p != '\n')
			p++;
	l->tok = p;
	l->len = 1;
	if (p >= end) {
		l->len = 0;
		l->p = p;
		return PG_EOF;
	}
	if (*p == '\n') {
		l->p = p + 1;
		return PG_EOL;
	}
	if (*p == '=') {
		l->p = p + 1;
		return PG_EQUALS;
	}
	if (*p == '\'') {
		/* STRING \'([^'\\\n]|\\.|\'\')*\' */
		for (i = 1; p + i < end && p[i] != '\n'; i++) {
			if (p[i] == '\\') {
				if (p + i + 1 >= end || p[i + 1] == '\n')
					break;
				i++;
			} else if (p[i] == '\'') {
				if (p + i + 1 < end && p[i + 1] == '\'') {
					i++;
					continue;
				}
				l->len = i + 1;
				l->p = p + l->len;
				return PG_STRING;
			}
		}
		l->p = p + 1;
		return PG_ERROR;
	}
	if (pg_letter((unsigned char)*p)) {
		for (id = 1; p + id < end && pg_letter_or_digit((unsigned char)p[id]); id++)
			;
		if (p + id + 1 < end && p[id] == '.' && pg_letter((unsigned char)p[id + 1])) {
			for (qid = id + 2; p + qid < end && pg_letter_or_digit((unsigned char)p[qid]); qid++)
				;
		}
		for (u = 1; p + u < end && (pg_letter_or_digit((unsigned char)p[u]) ||
					    (p[u] && strchr("-._:/", p[u]))); u++)
			;
		l->len = u;
		l->p = p + u;
		if (u == id)
			return PG_ID;
		return u == qid ? PG_QUALIFIED_ID : PG_UNQUOTED_STRING;
	}
	in = pg_integer_len(p, end);
	re = pg_real_len(p, end);
	if (in || re) {
		l->len = in >= re ? in : re;
		l->p = p + l->len;
		return in >= re ? PG_INTEGER : PG_REAL;
	}
	l->p = p + 1;
	return PG_ERROR;
}

static struct pos pg_tok_pos(const struct pg_lex *l)
{
	return pos_make(l->file, l->line, column_of(l->line_start, l->tok));
}

/* A single-quoted token without its quotes, escapes resolved (GUC_scanstr). */
static char *pg_unquote(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n);
	size_t i, o = 0;

	for (i = 1; i + 1 < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 2 < n) {
			c = s[++i];
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0', k;
					for (k = 1; k < 3 && i + 2 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
						v = v * 8 + (s[++i] - '0');
					c = (char)v;
				}
				break;
			}
		} else if (c == '\'' && i + 2 < n && s[i + 1] == '\'') {
			i++;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

/* What a postgresql.conf read shares across its includes. */
struct pg_read {
	struct arena *a;
	struct config_file *out;
	char **err;
};

static int pg_read_file(struct pg_read *r, const char *path, struct pos from, int depth,
			bool missing_ok);

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * include_dir: every file in dir whose name ends in ".conf" and does not
 * start with ".", in strcmp order (as PostgreSQL reads them).
 */
static int pg_read_dir(struct pg_read *r, const char *dir, struct pos from, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d)
		return fail_at(r->err, from, "cannot open configuration directory '%s': %s", dir,
			       strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *full;

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		full = xasprintf("%s/%s", dir, de->d_name);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(full);
			continue;
		}
		xgrow(&names, &cap, n + 1, sizeof(*names));
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == 0; i++)
		rc = pg_read_file(r, arena_strdup(r->a, names[i]), from, depth + 1, false);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* One `include*` directive: value is the path as written. */
static int pg_include(struct pg_read *r, const struct pg_lex *l, const char *directive,
		      const char *value, struct pos pos, int depth)
{
	const char *path;

	if (!*value)
		return fail_at(r->err, pos, "%s: empty file name", directive);
	path = resolve_path(r->a, l->file, value);
	if (strcmp(directive, "include_dir") == 0)
		return pg_read_dir(r, path, pos, depth);
	return pg_read_file(r, path, pos, depth + 1, strcmp(directive, "include_if_exists") == 0);
}

/* Parse one file's text (ParseConfigFp): name [=] value, then end of line. */
static int pg_parse(struct pg_read *r, const char *file, const char *buf, size_t len, int depth)
{
	struct pg_lex l = { file, buf, buf + len, buf, 1, buf, 0 };
	enum pg_tok tok;

	for (;;) {
		struct pos npos;
		char *name, *value;

		tok = pg_next(&l);
		if (tok == PG_EOF)
			return 0;
		if (tok == PG_EOL) {
			l.line++;
			l.line_start = l.p;
			continue;
		}
		if (tok != PG_ID && tok != PG_QUALIFIED_ID)
			goto syntax;
		npos = pg_tok_pos(&l);
		name = arena_strndup(r->a, l.tok, l.len);
		lower(name);
		tok = pg_next(&l);
		if (tok == PG_EQUALS)
			tok = pg_next(&l);
		if (tok != PG_ID && tok != PG_STRING && tok != PG_INTEGER && tok != PG_REAL &&
		    tok != PG_UNQUOTED_STRING)
			goto syntax;
		value = tok == PG_STRING ? pg_unquote(r->a, l.tok, l.len)
					 : arena_strndup(r->a, l.tok, l.len);
		tok = pg_next(&l);
		if (tok != PG_EOL && tok != PG_EOF)
			goto syntax;
		if (strcmp(name, "include") == 0 || strcmp(name, "include_if_exists") == 0 ||
		    strcmp(name, "include_dir") == 0) {
			if (pg_include(r, &l, name, value, npos, depth) != 0)
				return -1;
		} else {
			add_setting(r->out, "", name, value, npos);
		}
		if (tok == PG_EOF)
			return 0;
		l.line++;
		l.line_start = l.p;
	}
syntax:
	if (tok == PG_EOL || tok == PG_EOF)
		return fail_at(r->err, pg_tok_pos(&l), "syntax error in '%s' near end of line", file);
	return fail_at(r->err, pg_tok_pos(&l), "syntax error in '%s' near \"%.*s\"", file,
		       (int)(l.len > 40 ? 40 : l.len), l.tok);
}

/*
 * Read one postgresql.conf (top level or included). from is the directive
 * (or YAML node) that names it; depth counts the includes above it.
 */
static int pg_read_file(struct pg_read *r, const char *path, struct pos from, int depth,
			bool missing_ok)
{
	char *buf = NULL;
	size_t len = 0;
	const char *why;
	bool missing;
	int rc;

	if (depth > CONFIG_MAX_DEPTH)
		return fail_at(r->err, from, "cannot open configuration file '%s': includes nested "
			       "deeper than %d (an include cycle?)", path, CONFIG_MAX_DEPTH);
	if (read_whole(path, &buf, &len, &why, &missing) != 0) {
		if (missing && missing_ok)
			return 0;
		return fail_at(r->err, from, "cannot read configuration file '%s': %s", path, why);
	}
	rc = pg_parse(r, path, buf, len, depth);
	free(buf);
	return rc;
}

int config_read_postgresql(struct arena *a, const char *path, struct pos from,
			   struct config_file *out, char **err)
{
	struct pg_read r = { a, out, err };

	return pg_read_file(&r, arena_strdup(a, path), from, 0, false);
}

bool config_parse_pg_ms(const char *value, uint64_t *ms)
{
	/* memory units are not valid here; time units and their factor to ms */
	static const struct {
		const char *unit;
		double factor;
	} units[] = {
		{ "us", 0.001 }, { "ms", 1 }, { "s", 1000 }, { "min", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	char *end;
	double v;
	size_t i, n;

	/* parse_int(): strtol base 0, falling back to strtod for fractions */
	errno = 0;
	v = (double)strtol(value, &end, 0);
	if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
		errno = 0;
		v = strtod(value, &end);
	}
	if (end == value || errno == ERANGE || isnan(v))
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r' || *end == '\f' ||
	       *end == '\v')
		end++;
	if (*end) {
		n = strlen(end);
		while (n && (end[n - 1] == ' ' || end[n - 1] == '\t'))
			n--;
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (strlen(units[i].unit) == n && strncmp(end, units[i].unit, n) == 0)
				break;
		if (i == ARRAY_LEN(units))
			return false;
		v *= units[i].factor;
	}
	v = round_even(v);
	if (v < 0 || v > INT_MAX)
		return false;
	*ms = (uint64_t)v;
	return true;
}

/* An integer setting without unit (parse_int with no GUC_UNIT), in [min, max]. */
static bool parse_pg_int(const char *value, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = (double)strtol(value, &end, 0);
	if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
		errno = 0;
		v = strtod(value, &end);
	}
	if (end == value || errno == ERANGE || isnan(v))
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end)
		return false;
	v = round_even(v);
	if (v < (double)min || v > (double)max)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* ---- pgbouncer.ini ------------------------------------------------------ */

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
		fail_at(s->r->err, pos_make(s->file, s->line, column_of(s->line_ptr, p)),
			"%%include: empty file name");
		s->r->failed = true;
		return false;
	}
	path = xstrndup(q, n);
	rc = ini_read_file(s->r, resolve_path(s->r->a, s->file, path),
			   pos_make(s->file, s->line, column_of(s->line_ptr, p)), s->depth + 1,
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
	struct pos pos = pos_make(s->file, s->line, column_of(s->line_ptr, p));
	char *sec, *key;
	size_t n;

	if (!*section)
		section = s->inherited;
	if (!*section) {
		fail_at(s->r->err, pos, "'%s' is outside any section ([databases], [users], [pgbouncer])",
			name);
		goto fail;
	}
	/* PgBouncer takes `name = value` only, where inih also takes `name: value` */
	for (q = p + strlen(name); *q == ' ' || *q == '\t'; q++)
		;
	if (strncmp(p, name, strlen(name)) != 0 || *q != '=') {
		fail_at(s->r->err, pos, "expected 'name = value' in '%s'", s->file);
		goto fail;
	}
	sec = arena_strdup(s->r->a, section);
	lower(sec);
	n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		key = arena_strndup(s->r->a, name + 1, n - 2); /* a quoted database name */
	} else {
		key = arena_strdup(s->r->a, name);
		if (strcmp(sec, "databases") != 0 && strcmp(sec, "users") != 0)
			lower(key);
	}
	add_setting(s->r->out, sec, key, arena_strdup(s->r->a, value), pos);
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
		return fail_at(r->err, from, "cannot open configuration file '%s': includes nested "
			       "deeper than %d (an include cycle?)", path, CONFIG_MAX_DEPTH);
	if (read_whole(path, &buf, &len, &why, &missing) != 0)
		return fail_at(r->err, from, "cannot read configuration file '%s': %s", path, why);
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
		struct pos pos = pos_make(path, rc > 0 ? (uint32_t)rc : s.line, column_of(s.line_ptr, p));

		if (rc < 0)
			fail_at(r->err, pos, "cannot read configuration file '%s': out of memory", path);
		else if (*p == '[')
			fail_at(r->err, pos, "section header without ']' in '%s'", path);
		else
			fail_at(r->err, pos, "expected 'name = value' in '%s'", path);
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

/*
 * Look key up in a [databases] connect string ("host=db port=5432
 * pool_size=30"; a value may be single-quoted, '' standing for a quote).
 * Returns 1 and *val (malloc'd), 0 when absent, -1 on a malformed string.
 */
static int connstr_get(const char *cs, const char *key, char **val)
{
	const char *p = cs;

	*val = NULL;
	for (;;) {
		const char *k, *v;
		size_t klen;
		struct sbuf b = { 0 };

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		for (k = p; *p && *p != '=' && *p != ' ' && *p != '\t'; p++)
			;
		klen = (size_t)(p - k);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=' || !klen)
			goto bad;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\'') {
			for (p++;; p++) {
				if (!*p) {
					sbuf_release(&b);
					goto bad;
				}
				if (*p == '\'' && p[1] == '\'') {
					sbuf_putc(&b, '\'');
					p++;
				} else if (*p == '\'') {
					p++;
					break;
				} else {
					sbuf_putc(&b, *p);
				}
			}
		} else {
			for (v = p; *p && *p != ' ' && *p != '\t'; p++)
				;
			sbuf_add(&b, v, (size_t)(p - v));
		}
		if (klen == strlen(key) && strncasecmp(k, key, klen) == 0) {
			free(*val);
			*val = sbuf_detach(&b); /* the last one wins */
		} else {
			sbuf_release(&b);
		}
		if (!*p)
			return *val ? 1 : 0;
	}
bad:
	free(*val);
	*val = NULL;
	return -1;
}

/* ---- applying a file to the model --------------------------------------- */

/* How a setting's value reads and prints. */
enum conf_kind {
	KIND_INT,      /* a count */
	KIND_MS,       /* milliseconds (postgresql.conf time units) */
	KIND_MODE,     /* enum pool_mode */
	KIND_PORT,     /* 1..65535 */
};

static char *format_value(struct arena *a, enum conf_kind kind, uint64_t v)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "d", 86400000 }, { "h", 3600000 }, { "min", 60000 }, { "s", 1000 } };
	size_t i;

	if (kind == KIND_MODE)
		return arena_strdup(a, pool_mode_name((enum pool_mode)v));
	if (kind == KIND_MS && v) {
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (v % units[i].ms == 0)
				return arena_printf(a, "%llu%s", (unsigned long long)(v / units[i].ms),
						    units[i].unit);
		return arena_printf(a, "%llums", (unsigned long long)v);
	}
	return arena_printf(a, "%llu", (unsigned long long)v);
}

/* Record a mismatch unless the same one is already there (config_apply run twice). */
static void add_mismatch(struct topology *t, const struct config_mismatch *m)
{
	size_t i;

	for (i = 0; i < t->nmismatches; i++) {
		const struct config_mismatch *o = &t->mismatches[i];
		if (strcmp(o->object, m->object) == 0 && strcmp(o->setting, m->setting) == 0 &&
		    pos_file_index(o->conf_pos) == pos_file_index(m->conf_pos) &&
		    o->conf_pos.line == m->conf_pos.line && o->conf_pos.col == m->conf_pos.col)
			return;
	}
	t->mismatches = xrealloc(t->mismatches, (t->nmismatches + 1) * sizeof(*t->mismatches));
	t->mismatches[t->nmismatches++] = *m;
}

/* Where a setting of one object is being settled. */
struct target {
	struct topology *t;
	const char *object;            /* "poolers.bouncer" */
	const struct strlist *ignore;
};

/*
 * Settle one numeric setting: fill it from the file when the YAML leaves
 * it unset, else record a mismatch when the two differ.
 */
static void settle(const struct target *tg, struct num *yaml, enum conf_kind kind, uint64_t v,
		   struct pos pos, const char *setting, const char *detail)
{
	struct config_mismatch m;

	if (!VALUE_SET(*yaml)) {
		yaml->v = v;
		yaml->pos = pos;
		return;
	}
	if (yaml->v == v)
		return;
	m.setting = setting;
	m.yaml_pos = yaml->pos;
	m.conf_pos = pos;
	m.yaml_value = format_value(&tg->t->arena, kind, yaml->v);
	m.conf_value = format_value(&tg->t->arena, kind, v);
	m.object = tg->object;
	m.ignore = tg->ignore;
	m.detail = detail;
	add_mismatch(tg->t, &m);
}

/* The postgresql.conf settings connbudget reads, with PostgreSQL's ranges. */
static const struct pg_field {
	const char *name;
	size_t off;              /* of the struct num in struct database */
	enum conf_kind kind;
	uint64_t min, max;
} pg_fields[] = {
	{ "max_connections", offsetof(struct database, max_connections), KIND_INT, 1, PG_MAX_BACKENDS },
	{ "superuser_reserved_connections", offsetof(struct database, superuser_reserved_connections),
	  KIND_INT, 0, PG_MAX_BACKENDS },
	{ "reserved_connections", offsetof(struct database, reserved_connections), KIND_INT, 0,
	  PG_MAX_BACKENDS },
	{ "idle_in_transaction_session_timeout",
	  offsetof(struct database, idle_in_transaction_session_timeout), KIND_MS, 0, INT_MAX },
	{ "idle_session_timeout", offsetof(struct database, idle_session_timeout), KIND_MS, 0, INT_MAX },
};

static int apply_postgresql(struct topology *t, struct database *d, const struct config_file *f,
			    char **err)
{
	struct target tg = { t, arena_printf(&t->arena, "databases.%s", d->id.s), &d->ignore };
	size_t i;

	for (i = 0; i < ARRAY_LEN(pg_fields); i++) {
		const struct pg_field *fl = &pg_fields[i];
		const struct config_setting *s = config_find(f, "", fl->name);
		uint64_t v;
		bool ok;

		if (!s)
			continue;
		if (fl->kind == KIND_MS)
			ok = config_parse_pg_ms(s->value, &v);
		else
			ok = parse_pg_int(s->value, fl->min, fl->max, &v);
		if (!ok && fl->kind == KIND_MS)
			return fail_at(err, s->pos, "%s: expected a duration from 0 to %d ms (a number "
				       "and one of us, ms, s, min, h, d; a bare number is milliseconds), "
				       "got \"%s\"", fl->name, INT_MAX, s->value);
		if (!ok)
			return fail_at(err, s->pos, "%s: expected an integer from %llu to %llu, got \"%s\"",
				       fl->name, (unsigned long long)fl->min,
				       (unsigned long long)fl->max, s->value);
		settle(&tg, (struct num *)(void *)((char *)d + fl->off), fl->kind, v, s->pos, fl->name,
		       NULL);
	}
	return 0;
}

/* The pgbouncer.ini settings connbudget reads: [pgbouncer] name, and the
 * [databases] connect-string key that overrides it for one database. */
static const struct bouncer_field {
	const char *setting;     /* the topology's field */
	const char *ini;         /* in [pgbouncer] */
	const char *db_key;      /* in a [databases] connect string, or NULL */
	const char *db_key_alt;  /* its other spelling (PgBouncer ≥ 1.24 reserve_pool_size) */
	size_t off;              /* of the struct num in struct pooler */
	enum conf_kind kind;
} bouncer_fields[] = {
	{ "pool_mode", "pool_mode", "pool_mode", NULL, offsetof(struct pooler, pool_mode), KIND_MODE },
	{ "default_pool_size", "default_pool_size", "pool_size", NULL,
	  offsetof(struct pooler, default_pool_size), KIND_INT },
	{ "reserve_pool_size", "reserve_pool_size", "reserve_pool", "reserve_pool_size",
	  offsetof(struct pooler, reserve_pool_size), KIND_INT },
	{ "max_client_conn", "max_client_conn", NULL, NULL, offsetof(struct pooler, max_client_conn),
	  KIND_INT },
	{ "max_db_connections", "max_db_connections", "max_db_connections", NULL,
	  offsetof(struct pooler, max_db_connections), KIND_INT },
	{ "port", "listen_port", NULL, NULL, offsetof(struct pooler, port), KIND_PORT },
};

/* A PgBouncer value as the model holds it; false when it is not one. */
static bool parse_bouncer_value(enum conf_kind kind, const char *s, uint64_t *v)
{
	static const char *const modes[] = { "session", "transaction", "statement" };
	unsigned long long n;
	char *end;
	size_t i;

	if (kind == KIND_MODE) {
		for (i = 0; i < ARRAY_LEN(modes); i++)
			if (strcasecmp(s, modes[i]) == 0) {
				*v = i; /* enum pool_mode order */
				return true;
			}
		return false;
	}
	/* cf_set_int: strtol base 0, the whole value */
	if (!is_digit(*s))
		return false;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (*end || errno == ERANGE || n > INT_MAX)
		return false;
	if (kind == KIND_PORT && (n < 1 || n > 65535))
		return false;
	*v = n;
	return true;
}

/*
 * The [databases] entry that serves the pooler's database: the entry named
 * like the database, else the one whose dbname= names it, else the only
 * entry, else the fallback `*`; NULL when none fits.
 */
static const struct config_setting *pick_db_entry(const struct config_file *f, const char *db)
{
	const struct config_setting *named = NULL, *by_dbname = NULL, *only = NULL, *star = NULL;
	bool several = false;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		char *dbname;

		if (strcmp(s->section, "databases") != 0)
			continue;
		if (strcmp(s->name, "*") == 0) {
			star = s;
			continue;
		}
		if (strcmp(s->name, db) == 0)
			named = s;
		if (connstr_get(s->value, "dbname", &dbname) == 1 && strcmp(dbname, db) == 0)
			by_dbname = s;
		free(dbname);
		if (only && strcmp(only->name, s->name) != 0)
			several = true;
		only = s;
	}
	if (named)
		return named;
	if (by_dbname)
		return by_dbname;
	if (only && !several)
		return only;
	return star;
}

static const struct database *find_database(const struct topology *t, const char *id)
{
	size_t i;

	for (i = 0; id && i < t->ndatabases; i++)
		if (t->databases[i].id.s && strcmp(t->databases[i].id.s, id) == 0)
			return &t->databases[i];
	return NULL;
}

/*
 * The [databases] entry's host and port against the database's declared
 * ones: a pooler that sends its server connections elsewhere than the
 * topology says is a mismatch too. Unix-socket hosts are not compared.
 */
static int check_entry_endpoint(const struct target *tg, const struct config_setting *entry,
				const struct database *d, char **err)
{
	struct config_mismatch m;
	char *host = NULL, *port = NULL;
	uint64_t pv;
	int rc = 0;

	if (!d || connstr_get(entry->value, "host", &host) < 0 ||
	    connstr_get(entry->value, "port", &port) < 0)
		goto out;
	memset(&m, 0, sizeof(m));
	m.conf_pos = entry->pos;
	m.object = tg->object;
	m.ignore = tg->ignore;
	m.detail = arena_printf(&tg->t->arena, "[databases] '%s'", entry->name);
	if (host && *host != '/' && d->host.s && strcasecmp(host, d->host.s) != 0) {
		m.setting = arena_printf(&tg->t->arena, "host of database '%s'", d->id.s);
		m.yaml_pos = d->host.pos;
		m.yaml_value = arena_printf(&tg->t->arena, "'%s'", d->host.s);
		m.conf_value = arena_printf(&tg->t->arena, "'%s'", host);
		add_mismatch(tg->t, &m);
	}
	if (port && VALUE_SET(d->port)) {
		if (!parse_bouncer_value(KIND_PORT, port, &pv)) {
			rc = fail_at(err, entry->pos, "[databases] '%s': port: expected 1 to 65535, got \"%s\"",
				     entry->name, port);
			goto out;
		}
		if (pv != d->port.v) {
			m.setting = arena_printf(&tg->t->arena, "port of database '%s'", d->id.s);
			m.yaml_pos = d->port.pos;
			m.yaml_value = format_value(&tg->t->arena, KIND_INT, d->port.v);
			m.conf_value = format_value(&tg->t->arena, KIND_INT, pv);
			add_mismatch(tg->t, &m);
		}
	}
out:
	free(host);
	free(port);
	return rc;
}

static int apply_pgbouncer(struct topology *t, struct pooler *p, const struct config_file *f,
			   char **err)
{
	struct target tg = { t, arena_printf(&t->arena, "poolers.%s", p->id.s), &p->ignore };
	const struct config_setting *entry = pick_db_entry(f, p->database.s ? p->database.s : "");
	size_t i;

	for (i = 0; i < ARRAY_LEN(bouncer_fields); i++) {
		const struct bouncer_field *fl = &bouncer_fields[i];
		const struct config_setting *s = config_find(f, "pgbouncer", fl->ini);
		const char *value = s ? s->value : NULL, *detail = NULL, *name = fl->ini;
		struct pos pos = s ? s->pos : (struct pos){ 0 };
		char *dbval = NULL;
		uint64_t v;
		int found = 0;

		if (entry && fl->db_key) {
			found = connstr_get(entry->value, fl->db_key, &dbval);
			if (found == 0 && fl->db_key_alt)
				found = connstr_get(entry->value, fl->db_key_alt, &dbval);
			if (found < 0)
				return fail_at(err, entry->pos, "[databases] '%s': malformed connect string "
					       "(expected key=value pairs)", entry->name);
			if (found) {
				value = dbval;
				pos = entry->pos;
				name = fl->db_key;
				detail = arena_printf(&t->arena, "%s of [databases] '%s'", fl->db_key,
						      entry->name);
			}
		}
		if (!value)
			continue;
		if (!parse_bouncer_value(fl->kind, value, &v)) {
			const char *want = fl->kind == KIND_MODE ? "session, transaction or statement" :
					   fl->kind == KIND_PORT ? "a port from 1 to 65535" :
								   "a non-negative integer";
			int rc = fail_at(err, pos, "%s: expected %s, got \"%s\"", name, want, value);
			free(dbval);
			return rc;
		}
		if (!detail && strcmp(fl->setting, fl->ini) != 0)
			detail = fl->ini;
		settle(&tg, (struct num *)(void *)((char *)p + fl->off), fl->kind, v, pos, fl->setting,
		       detail);
		free(dbval);
	}
	if (entry)
		return check_entry_endpoint(&tg, entry, find_database(t, p->database.s), err);
	return 0;
}

int config_apply(struct topology *t, char **err)
{
	struct config_file f = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < t->ndatabases && rc == 0; i++) {
		struct database *d = &t->databases[i];
		const char *path;

		if (!d->config.s)
			continue;
		path = resolve_path(&t->arena, pos_file(d->id.pos), d->config.s);
		rc = config_read_postgresql(&t->arena, path, d->config.pos, &f, err);
		if (rc == 0)
			rc = apply_postgresql(t, d, &f, err);
		config_file_release(&f);
	}
	for (i = 0; i < t->npoolers && rc == 0; i++) {
		struct pooler *p = &t->poolers[i];
		const char *path;

		if (!p->config.s)
			continue;
		if (VALUE_SET(p->type) && p->type.v == POOLER_RDS_PROXY) {
			rc = fail_at(err, p->config.pos, "poolers.%s.config: an rds_proxy has no config "
				     "file; only a pgbouncer pooler reads one (pgbouncer.ini)", p->id.s);
			break;
		}
		path = resolve_path(&t->arena, pos_file(p->id.pos), p->config.s);
		rc = config_read_pgbouncer(&t->arena, path, p->config.pos, &f, err);
		if (rc == 0)
			rc = apply_pgbouncer(t, p, &f, err);
		config_file_release(&f);
	}
	return rc;
}
