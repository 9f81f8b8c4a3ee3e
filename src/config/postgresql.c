/*
 * postgresql.c - postgresql.conf, read as PostgreSQL's own lexer reads it
 * (src/backend/utils/misc/guc-file.l): one `name [=] value` per line, `#`
 * comments, values that are identifiers, numbers with unit letters (`10min`,
 * `64MB`) or single-quoted strings ('' and backslash escapes), `include`,
 * `include_if_exists` and `include_dir` relative to the including file,
 * names compared ignoring case, the last setting of a name winning. Values
 * are converted as parse_int() does (strtol base 0, fractions rounded, units
 * for time settings only).
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
#include "input.h"
#include "load.h"

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
	return pos_make(l->file, l->line, config_column_of(l->line_start, l->tok));
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
		return config_fail_at(r->err, from, "cannot open configuration directory '%s': %s", str_clip_path(dir),
			       strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *full;

		if (input_dir_entry() != 0) {
			rc = config_fail_at(r->err, from, "cannot read configuration directory '%s': %s", str_clip_path(dir),
					    input_why());
			break;
		}
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
	if (n && rc == 0)
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
		return config_fail_at(r->err, pos, "%s: empty file name", directive);
	path = config_resolve_include(r->a, l->file, value, pos, r->err);
	if (!path)
		return -1;
	if (strcmp(directive, "include_dir") == 0)
		return pg_read_dir(r, path, pos, depth);
	return pg_read_file(r, path, pos, depth + 1, strcmp(directive, "include_if_exists") == 0);
}

/* Parse one file's text (ParseConfigFp): name [=] value, then end of line. */
static int pg_parse(struct pg_read *r, const char *file, const char *buf, size_t len, int depth)
{
	struct pg_lex l = { file, buf, buf + len, buf, 1, buf, 0 };
	enum pg_tok tok;
	const char *want = "a parameter name";

	for (;;) {
		struct pos npos;
		char *name, *value, *raw;

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
		config_lower(name);
		tok = pg_next(&l);
		if (tok == PG_EQUALS)
			tok = pg_next(&l);
		want = "a value";
		if (tok != PG_ID && tok != PG_STRING && tok != PG_INTEGER && tok != PG_REAL &&
		    tok != PG_UNQUOTED_STRING)
			goto syntax;
		value = tok == PG_STRING ? pg_unquote(r->a, l.tok, l.len)
					 : arena_strndup(r->a, l.tok, l.len);
		raw = tok == PG_STRING ? arena_strndup(r->a, l.tok + 1, l.len - 2) : value;
		tok = pg_next(&l);
		want = "the end of the line after the value (a value with spaces is quoted)";
		if (tok != PG_EOL && tok != PG_EOF)
			goto syntax;
		if (strcmp(name, "include") == 0 || strcmp(name, "include_if_exists") == 0 ||
		    strcmp(name, "include_dir") == 0) {
			if (pg_include(r, &l, name, value, npos, depth) != 0)
				return -1;
		} else {
			config_add_setting(r->out, "", name, value, raw, npos);
		}
		if (tok == PG_EOF)
			return 0;
		l.line++;
		l.line_start = l.p;
		want = "a parameter name";
	}
syntax:
	/* a line that does not parse may hold a secret (primary_conninfo): it is never quoted */
	if (tok == PG_EOL || tok == PG_EOF)
		return config_fail_at(r->err, pg_tok_pos(&l), "syntax error in '%s' near end of line: expected %s",
				      file, want);
	if (tok == PG_ERROR && *l.tok == '\'')
		return config_fail_at(r->err, pg_tok_pos(&l), "syntax error in '%s': a quoted value without its "
				      "closing quote", file);
	return config_fail_at(r->err, pg_tok_pos(&l), "syntax error in '%s': expected %s", file, want);
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
	int rc;

	rc = config_read_nested(path, from, depth, missing_ok, &buf, &len, r->err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = pg_parse(r, path, buf, len, depth);
	free(buf);
	return rc;
}

int config_read_postgresql(struct arena *a, const char *path, struct pos from,
			   struct config_file *out, char **err)
{
	struct pg_read r = { a, out, err };
	const char *file = arena_strdup(a, path), *base = strrchr(file, '/');

	if (pg_read_file(&r, file, from, 0, false) != 0)
		return -1;
	/*
	 * ALTER SYSTEM's file, read after the main one when it is there so that
	 * its settings win: ProcessConfigFileInternal (guc-file.l up to
	 * PostgreSQL 15, guc.c from 16) parses PG_AUTOCONF_FILENAME (guc.h)
	 * from the data directory; here, from the directory of `config:`.
	 */
	if (strcmp(base ? base + 1 : file, PG_AUTOCONF_FILE) == 0)
		return 0;
	return pg_read_file(&r, config_resolve_path(a, file, PG_AUTOCONF_FILE), from, 0, true);
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
	const char *end;
	double v;
	size_t i, n;

	if (!config_scan_number(value, &v, &end))
		return false;
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
bool config_parse_pg_int(const char *value, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	double v;

	if (!config_scan_number(value, &v, &end) || *end)
		return false;
	v = round_even(v);
	if (v < (double)min || v > (double)max)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* ---- pgbouncer.ini ------------------------------------------------------ */
