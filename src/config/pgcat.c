/*
 * pgcat.c - pgcat.toml as PgCat reads it (config.h).
 *
 * PgCat deserializes its file with the `toml` crate into the structs of
 * its src/config.rs (postgresml/pgcat); this reader takes the TOML subset
 * PgCat's own files use (pgcat.toml, pgcat.minimal.toml,
 * examples/docker/pgcat.toml): `#` comments, `[a.b."c"]` table headers
 * with bare or quoted keys, `key = value` (dotted keys too), basic strings
 * with escapes, literal strings, integers (`_` separators, `+`/`-`),
 * booleans, floats and dates kept as written, and arrays, nested and
 * spanning lines, with a trailing comma. Inline tables and `[[arrays of
 * tables]]` (no PgCat sample uses them) are refused at their position.
 *
 * Every scalar becomes one setting named by its full dotted path, array
 * elements by their index: `pools.postgres.shards.0.servers.1.0` is the
 * host of the shard's second server. A key defined twice, or a table
 * header given twice, is TOML's error and PgCat's ("duplicate key").
 * Arrays nest at most TOML_MAX_DEPTH deep and a file holds at most
 * TOML_MAX_VALUES values, so a hostile file ends in an error, not a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

enum {
	TOML_MAX_DEPTH = 16,      /* arrays in arrays */
	TOML_MAX_VALUES = 10000,  /* scalars and headers in one file */
	TOML_MAX_KEY = 4096,      /* bytes of one dotted path */
};

struct tm_read {
	struct arena *a;
	struct config_file *out;
	char **err;
	const char *file, *p, *end, *line_start;
	uint64_t line;
	char **headers; /* table headers seen (malloc'd array of arena strings) */
	size_t nheaders, capheaders;
	size_t nvalues;
};

static struct pos tm_pos(const struct tm_read *r, const char *at)
{
	return pos_make(r->file, r->line, config_column_of(r->line_start, at));
}

static int tm_fail(struct tm_read *r, const char *at, const char *what)
{
	return config_fail_at(r->err, tm_pos(r, at), "invalid TOML in '%s': %s (PgCat refuses to "
			      "start)", r->file, what);
}

/* Cut b back to its first len bytes. */
static void tm_truncate(struct sbuf *b, size_t len)
{
	if (b->s) {
		b->len = len;
		b->s[len] = '\0';
	}
}

/* Skip blanks; with nl, also newlines and comments. */
static void tm_skip(struct tm_read *r, bool nl)
{
	while (r->p < r->end) {
		if (*r->p == ' ' || *r->p == '\t' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n' && nl)) {
			r->p++;
		} else if (*r->p == '#') {
			while (r->p < r->end && *r->p != '\n')
				r->p++;
		} else if (*r->p == '\n' && nl) {
			r->p++;
			r->line++;
			r->line_start = r->p;
		} else {
			break;
		}
	}
}

/* After a value or header: blanks, a comment, then the end of the line. */
static int tm_eol(struct tm_read *r)
{
	tm_skip(r, false);
	if (r->p < r->end && *r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
		r->p++;
	if (r->p < r->end && *r->p != '\n')
		return tm_fail(r, r->p, "expected the end of the line");
	return 0;
}

static bool tm_bare(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* Append UTF-8 of code point cp to b; false when cp is not a scalar value. */
static bool tm_utf8(struct sbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	}
	sbuf_add(b, u, n);
	return true;
}

/*
 * A one-line basic ("...") or literal ('...') string at r->p, its quotes
 * and (basic) escapes resolved, into the arena. Returns it, or NULL with
 * *err set.
 */
static const char *tm_string(struct tm_read *r)
{
	const char *start = r->p;
	char q = *r->p++;
	struct sbuf b = { 0 };
	const char *s;

	if (r->end - start >= 3 && start[1] == q && start[2] == q) {
		tm_fail(r, start, "multi-line strings are not read by connbudget");
		return NULL;
	}
	for (;;) {
		if (r->p >= r->end || *r->p == '\n') {
			sbuf_release(&b);
			tm_fail(r, start, "unterminated string");
			return NULL;
		}
		if (*r->p == q)
			break;
		if (q == '"' && *r->p == '\\') {
			static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
			const char *e = r->p + 1 < r->end ? strchr(from, r->p[1]) : NULL;

			if (e && r->p[1]) {
				sbuf_add(&b, &to[e - from], 1);
				r->p += 2;
				continue;
			}
			if (r->p + 1 < r->end && (r->p[1] == 'u' || r->p[1] == 'U')) {
				size_t n = r->p[1] == 'u' ? 4 : 8, i;
				unsigned long cp = 0;

				for (i = 0; i < n; i++) {
					const char *h = r->p + 2 + i;
					int d = h >= r->end ? -1 : *h >= '0' && *h <= '9' ? *h - '0' :
						*h >= 'a' && *h <= 'f' ? *h - 'a' + 10 :
						*h >= 'A' && *h <= 'F' ? *h - 'A' + 10 : -1;
					if (d < 0)
						break;
					cp = cp * 16 + (unsigned long)d;
				}
				if (i == n && tm_utf8(&b, cp)) {
					r->p += 2 + n;
					continue;
				}
			}
			sbuf_release(&b);
			tm_fail(r, r->p, "invalid escape in a string");
			return NULL;
		}
		sbuf_add(&b, r->p, 1);
		r->p++;
	}
	r->p++;
	s = arena_strndup(r->a, b.s ? b.s : "", b.len);
	sbuf_release(&b);
	return s;
}

/*
 * A dotted key (bare or quoted parts) at r->p, appended to path after a
 * '.' when path is not empty. Returns 0 or -1.
 */
static int tm_key(struct tm_read *r, struct sbuf *path)
{
	for (;;) {
		const char *part, *at = r->p;

		tm_skip(r, false);
		at = r->p;
		if (r->p < r->end && (*r->p == '"' || *r->p == '\'')) {
			part = tm_string(r);
			if (!part)
				return -1;
		} else {
			while (r->p < r->end && tm_bare((unsigned char)*r->p))
				r->p++;
			if (r->p == at)
				return tm_fail(r, at, "expected a key");
			part = arena_strndup(r->a, at, (size_t)(r->p - at));
		}
		if (path->len)
			sbuf_add(path, ".", 1);
		sbuf_add(path, part, strlen(part));
		if (path->len > TOML_MAX_KEY)
			return tm_fail(r, at, "key too long");
		tm_skip(r, false);
		if (r->p >= r->end || *r->p != '.')
			return 0;
		r->p++;
	}
}

/* Is name already a setting, or a prefix of one as a table? */
static bool tm_defined(const struct tm_read *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->out->n; i++) {
		const char *s = r->out->v[i].name;

		if (strcmp(s, name) == 0 || (strncmp(s, name, n) == 0 && s[n] == '.'))
			return true;
	}
	return false;
}

/*
 * Add the setting name = value, read from at to r->p; its raw text is
 * those bytes, without a string's quotes.
 */
static int tm_add(struct tm_read *r, const char *name, const char *value, const char *at)
{
	size_t q = at < r->p && (*at == '"' || *at == '\'') && r->p - at >= 2;

	if (++r->nvalues > TOML_MAX_VALUES)
		return tm_fail(r, at, "too many values (connbudget reads at most 10000)");
	if (tm_defined(r, name))
		return config_fail_at(r->err, tm_pos(r, at), "duplicate key `%s` in '%s' (PgCat refuses "
				      "to start)", str_clip(name), r->file);
	config_add_setting(r->out, "", arena_strdup(r->a, name), value,
			   arena_strndup(r->a, at + q, (size_t)(r->p - at) - 2 * q), tm_pos(r, at));
	return 0;
}

/* A scalar other than a string: an integer (its `_` removed), a boolean,
 * or a float or date kept as written. */
static int tm_scalar(struct tm_read *r, const char *name)
{
	const char *at = r->p;
	struct sbuf b = { 0 };
	size_t i;
	int rc;

	while (r->p < r->end && (tm_bare((unsigned char)*r->p) || strchr("+.:", *r->p)))
		r->p++;
	if (r->p == at)
		return tm_fail(r, at, "expected a value");
	for (i = 0; at + i < r->p; i++) {
		char c = at[i];

		if (c == '_') {
			/* an underscore between two digits only */
			if (!i || at + i + 1 >= r->p || !strchr("0123456789", at[i - 1]) ||
			    !strchr("0123456789", at[i + 1]))
				return sbuf_release(&b), tm_fail(r, at + i, "invalid number");
			continue;
		}
		sbuf_add(&b, &c, 1);
	}
	sbuf_puts(&b, "");
	if (strcmp(b.s, "true") != 0 && strcmp(b.s, "false") != 0 &&
	    !strchr("+-0123456789in", b.s[0])) {
		sbuf_release(&b);
		return tm_fail(r, at, "expected a value (a string needs quotes)");
	}
	rc = tm_add(r, name, arena_strdup(r->a, b.s), at);
	sbuf_release(&b);
	return rc;
}

/* A value at r->p for the setting name (arrays recursively, depth deep). */
static int tm_value(struct tm_read *r, struct sbuf *name, int depth)
{
	const char *at = r->p;

	if (r->p >= r->end || *r->p == '\n')
		return tm_fail(r, at, "expected a value");
	if (*r->p == '"' || *r->p == '\'') {
		const char *s = tm_string(r);

		return s ? tm_add(r, name->s, s, at) : -1;
	}
	if (*r->p == '{')
		return tm_fail(r, at, "inline tables are not read by connbudget");
	if (*r->p == '[') {
		size_t base = name->len, idx = 0;

		if (depth >= TOML_MAX_DEPTH)
			return tm_fail(r, at, "arrays nested too deep");
		r->p++;
		for (;;) {
			char num[24];
			int rc;

			tm_skip(r, true);
			if (r->p < r->end && *r->p == ']') {
				r->p++;
				break;
			}
			snprintf(num, sizeof(num), ".%zu", idx++);
			sbuf_puts(name, num);
			rc = tm_value(r, name, depth + 1);
			tm_truncate(name, base);
			if (rc)
				return rc;
			tm_skip(r, true);
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				continue;
			}
			if (r->p < r->end && *r->p == ']') {
				r->p++;
				break;
			}
			return tm_fail(r, r->p < r->end ? r->p : at, "expected ',' or ']' in an array");
		}
		if (idx == 0)
			return tm_add(r, name->s, "", at); /* [] defines the key */
		return 0;
	}
	return tm_scalar(r, name->s);
}

/* Parse the whole file: headers and key/value lines. */
static int tm_parse(struct tm_read *r)
{
	struct sbuf table = { 0 }, name = { 0 };
	int rc = 0;

	sbuf_puts(&table, "");
	sbuf_puts(&name, "");
	while (rc == 0) {
		tm_skip(r, true);
		if (r->p >= r->end)
			break;
		if (*r->p == '[') {
			const char *at = r->p;
			size_t i;

			r->p++;
			if (r->p < r->end && *r->p == '[') {
				rc = tm_fail(r, at, "arrays of tables are not read by connbudget");
				break;
			}
			tm_truncate(&table, 0);
			if ((rc = tm_key(r, &table)) != 0)
				break;
			if (r->p >= r->end || *r->p != ']') {
				rc = tm_fail(r, r->p < r->end ? r->p : at, "expected ']' after a table name");
				break;
			}
			r->p++;
			for (i = 0; i < r->nheaders; i++)
				if (strcmp(r->headers[i], table.s) == 0)
					break;
			if (i < r->nheaders || ++r->nvalues > TOML_MAX_VALUES) {
				rc = config_fail_at(r->err, tm_pos(r, at), "duplicate table [%s] in '%s' (PgCat "
						    "refuses to start)", str_clip(table.s), r->file);
				break;
			}
			xgrow(&r->headers, &r->capheaders, r->nheaders + 1, sizeof(*r->headers));
			r->headers[r->nheaders++] = arena_strdup(r->a, table.s);
			rc = tm_eol(r);
			continue;
		}
		tm_truncate(&name, 0);
		sbuf_puts(&name, table.s ? table.s : "");
		if ((rc = tm_key(r, &name)) != 0)
			break;
		if (r->p >= r->end || *r->p != '=') {
			rc = tm_fail(r, r->p, "expected '=' after a key");
			break;
		}
		r->p++;
		tm_skip(r, false);
		if ((rc = tm_value(r, &name, 0)) == 0)
			rc = tm_eol(r);
	}
	sbuf_release(&table);
	sbuf_release(&name);
	return rc;
}

int config_read_pgcat(struct arena *a, const char *path, struct pos from, struct config_file *out,
		      char **err)
{
	struct tm_read r;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (config_read_nested(path, from, 0, false, &data, &len, err) != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.out = out;
	r.err = err;
	r.file = arena_strdup(a, path);
	r.p = r.line_start = data;
	r.end = data + len;
	r.line = 1;
	if (memchr(data, '\0', len))
		rc = config_fail_at(err, from, "invalid TOML in '%s': a NUL byte", path);
	else
		rc = tm_parse(&r);
	free(r.headers);
	free(data);
	return rc;
}
