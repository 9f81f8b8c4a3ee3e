/*
 * odyssey.c - odyssey.conf as Odyssey reads it (config.h).
 *
 * Odyssey's configuration file is its own format (yandex/odyssey,
 * documentation/configuration.md and the odyssey.conf at the root of its
 * repository; the tokens are those of its sources/include/parser.h):
 * whitespace separates tokens and newlines are whitespace, `#` starts a
 * comment to the end of the line, a keyword is a letter then letters,
 * digits and `_`, a number is digits (a `-` before them, a size suffix
 * `b`, `kb`, `mb`, `gb` after them), a string is "..." on one line in which
 * a backslash keeps the next byte, and `{` `}` open and close a block:
 *
 *   daemonize no
 *   include "routes.conf"
 *   storage "postgres_server" { type "remote" host "localhost" port 5432 }
 *   database default { user default { storage "postgres_server" pool "session" pool_size 0 } }
 *
 * A statement is a keyword then a block: `{` at once (`listen {`), or
 * after one name (`storage "name"`, `database default`) or two, the second
 * a string (`user "name" "10.0.0.0/8"`, a route's address range), the
 * brace on the same line or a later one; else it is a setting, the keyword
 * and one value token on the keyword's line. `include "path"` at the top of a
 * file reads path (relative to the including file) in its place.
 *
 * Every setting is one config_setting: section is the path of its blocks,
 * each written as its keyword and names as in the file, joined by '.'
 * (`database "app".user default`); name is its keyword; value is its token
 * as written (a string keeps its quotes and escapes: Odyssey does not
 * unescape them either); pos is the value. Every block also adds one entry
 * named "{" with an empty value, section the block's own path, at its
 * keyword, so that an empty block is seen. Blocks nest at most
 * ODY_MAX_DEPTH deep, includes CONFIG_MAX_DEPTH deep, and the files hold
 * at most ODY_MAX_VALUES entries and includes together, so a hostile file
 * ends in an error, not a hang.
 */
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

enum {
	ODY_MAX_DEPTH = 16,      /* blocks in blocks */
	ODY_MAX_VALUES = 10000,  /* settings and blocks, includes counted */
	ODY_MAX_SECTION = 4096,  /* bytes of one block path */
	ODY_MAX_NAMES = 2,       /* tokens between a keyword and its '{' */
};

enum ody_tok { TOK_EOF, TOK_OPEN, TOK_CLOSE, TOK_STRING, TOK_NUM, TOK_WORD };

struct ody_token {
	enum ody_tok kind;
	const char *s;   /* its bytes in the buffer */
	size_t n;
	uint64_t line;
	struct pos pos;
};

/* One file being read; the counters are shared by its includes. */
struct ody_read {
	struct arena *a;
	struct config_file *out;
	char **err;
	const char *file, *p, *end, *line_start;
	uint64_t line;
	int depth;        /* include depth */
	size_t *nvalues;
};

static int ody_read_file(struct arena *a, struct config_file *out, const char *path, struct pos from,
			 int depth, size_t *nvalues, char **err);

static struct pos ody_pos(const struct ody_read *r, const char *at)
{
	return pos_make(r->file, r->line, config_column_of(r->line_start, at));
}

static int ody_fail(struct ody_read *r, struct pos at, const char *what)
{
	return config_fail_at(r->err, at, "invalid odyssey.conf '%s': %s (Odyssey refuses to start)",
			      r->file, what);
}

static bool ody_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool ody_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Skip whitespace (counting lines) and comments. */
static void ody_skip(struct ody_read *r)
{
	while (r->p < r->end) {
		char c = *r->p;

		if (c == '\n') {
			r->p++;
			r->line++;
			r->line_start = r->p;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
			r->p++;
		} else if (c == '#') {
			while (r->p < r->end && *r->p != '\n')
				r->p++;
		} else {
			break;
		}
	}
}

/* The next token into *t; 0, or -1 with *err on a byte no token starts with. */
static int ody_next(struct ody_read *r, struct ody_token *t)
{
	const char *s;

	ody_skip(r);
	s = r->p;
	t->s = s;
	t->line = r->line;
	t->pos = ody_pos(r, s);
	if (s >= r->end) {
		t->kind = TOK_EOF;
		t->n = 0;
		return 0;
	}
	if (*s == '{' || *s == '}') {
		t->kind = *s == '{' ? TOK_OPEN : TOK_CLOSE;
		r->p++;
	} else if (ody_digit((unsigned char)*s) || (*s == '-' && s + 1 < r->end && ody_digit((unsigned char)s[1]))) {
		t->kind = TOK_NUM;
		r->p++;
		while (r->p < r->end && ody_digit((unsigned char)*r->p))
			r->p++;
		/* parser.h's od_parser_read_size_suffix_multiplier: b, kb, mb, gb */
		if (r->p < r->end && strchr("bB", *r->p)) {
			r->p++;
		} else if (r->p + 1 < r->end && strchr("kKmMgG", *r->p) && strchr("bB", r->p[1])) {
			r->p += 2;
		}
	} else if (ody_alpha((unsigned char)*s)) {
		t->kind = TOK_WORD;
		while (r->p < r->end && (ody_alpha((unsigned char)*r->p) || ody_digit((unsigned char)*r->p) ||
					 *r->p == '_'))
			r->p++;
	} else if (*s == '"') {
		t->kind = TOK_STRING;
		r->p++;
		while (r->p < r->end && *r->p != '"') {
			if (*r->p == '\n')
				break;
			r->p += *r->p == '\\' && r->p + 1 < r->end && r->p[1] != '\n' ? 2 : 1;
		}
		if (r->p >= r->end || *r->p != '"')
			return ody_fail(r, t->pos, "unterminated string");
		r->p++;
	} else {
		return ody_fail(r, t->pos, "unexpected character (expected a keyword, a string, a "
				"number, '{' or '}')");
	}
	t->n = (size_t)(r->p - s);
	return 0;
}

static bool ody_is(const struct ody_token *t, const char *word)
{
	return t->kind == TOK_WORD && t->n == strlen(word) && memcmp(t->s, word, t->n) == 0;
}

static int ody_count(struct ody_read *r, struct pos at)
{
	if (++*r->nvalues > ODY_MAX_VALUES)
		return ody_fail(r, at, "too many settings and includes (connbudget reads at most 10000)");
	return 0;
}

/*
 * The statements of one block (section, depth deep) up to its '}' (open
 * is where it began), or of a file's top level (open NULL) up to its end.
 * Returns 0 or -1 with *err.
 */
static int ody_block(struct ody_read *r, struct sbuf *section, int depth, const struct pos *open)
{
	for (;;) {
		struct ody_token kw, names[ODY_MAX_NAMES], t;
		const char *save_p = NULL, *save_ls = NULL;
		uint64_t save_line = 0;
		size_t n = 0, base, i;
		int rc;

		if (ody_next(r, &kw) != 0)
			return -1;
		if (kw.kind == TOK_EOF) {
			if (!open)
				return 0;
			return config_fail_at(r->err, *open, "invalid odyssey.conf '%s': the block opened "
					      "here has no '}' (Odyssey refuses to start)", r->file);
		}
		if (kw.kind == TOK_CLOSE) {
			if (open)
				return 0;
			return ody_fail(r, kw.pos, "'}' without a block to close");
		}
		if (kw.kind != TOK_WORD)
			return ody_fail(r, kw.pos, "expected a keyword");
		/* `kw {`, `kw NAME {`, `kw NAME "NAME" {` (a user's address
		 * range), else `kw VALUE`, the value on the keyword's line */
		if (ody_next(r, &t) != 0)
			return -1;
		while (t.kind != TOK_OPEN) {
			if (t.line != kw.line || (t.kind != TOK_STRING && t.kind != TOK_NUM && t.kind != TOK_WORD) ||
			    (n == 1 && t.kind != TOK_STRING) || n == ODY_MAX_NAMES)
				break;
			if (n == 0)
				save_p = r->p, save_ls = r->line_start, save_line = r->line;
			names[n++] = t;
			if (ody_next(r, &t) != 0)
				return -1;
		}
		if (t.kind != TOK_OPEN) {
			/* a setting: the keyword and its one value */
			if (n == 0)
				return config_fail_at(r->err, kw.pos, "invalid odyssey.conf '%s': '%s' needs a "
						      "value on its line (Odyssey refuses to start)", r->file,
						      str_clip(arena_strndup(r->a, kw.s, kw.n)));
			r->p = save_p, r->line_start = save_ls, r->line = save_line;
			if (!open && ody_is(&kw, "include")) {
				const char *inc;

				if (names[0].kind != TOK_STRING || names[0].n < 3)
					return ody_fail(r, names[0].pos, "include needs a file name in quotes");
				/* an include counts, so a file that includes itself many times ends */
				if (ody_count(r, names[0].pos) != 0)
					return -1;
				inc = config_resolve_include(r->a, r->file, arena_strndup(r->a, names[0].s + 1,
									names[0].n - 2), names[0].pos, r->err);
				if (!inc || ody_read_file(r->a, r->out, inc, names[0].pos, r->depth + 1, r->nvalues,
							  r->err) != 0)
					return -1;
				continue;
			}
			if (ody_count(r, names[0].pos) != 0)
				return -1;
			config_add_setting(r->out, arena_strdup(r->a, section->s ? section->s : ""),
					   arena_strndup(r->a, kw.s, kw.n), arena_strndup(r->a, names[0].s, names[0].n),
					   names[0].kind == TOK_STRING ? arena_strndup(r->a, names[0].s + 1, names[0].n - 2) :
									 NULL, names[0].pos);
			continue;
		}
		/* a block: its path, its "{" entry, its statements */
		if (depth >= ODY_MAX_DEPTH)
			return ody_fail(r, t.pos, "blocks nested too deep");
		base = section->len;
		if (base)
			sbuf_putc(section, '.');
		sbuf_add(section, kw.s, kw.n);
		for (i = 0; i < n; i++) {
			sbuf_putc(section, ' ');
			sbuf_add(section, names[i].s, names[i].n);
		}
		if (section->len > ODY_MAX_SECTION)
			return ody_fail(r, kw.pos, "block names too long");
		if (ody_count(r, kw.pos) != 0)
			return -1;
		config_add_setting(r->out, arena_strdup(r->a, section->s), "{", "", NULL, kw.pos);
		rc = ody_block(r, section, depth + 1, &kw.pos);
		section->len = base;
		section->s[base] = '\0';
		if (rc != 0)
			return rc;
	}
}

/* Read one odyssey.conf (the top level or an include) named at from. */
static int ody_read_file(struct arena *a, struct config_file *out, const char *path, struct pos from,
			 int depth, size_t *nvalues, char **err)
{
	struct ody_read r;
	struct sbuf section = { 0 };
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (config_read_nested(path, from, depth, false, &data, &len, err) != 0)
		return -1;
	r = (struct ody_read){ .a = a, .out = out, .err = err, .file = arena_strdup(a, path), .p = data,
			       .end = data + len, .line_start = data, .line = 1, .depth = depth,
			       .nvalues = nvalues };
	sbuf_puts(&section, "");
	if (memchr(data, '\0', len))
		rc = config_fail_at(err, from, "invalid odyssey.conf '%s': a NUL byte (Odyssey refuses "
				    "to start)", path);
	else
		rc = ody_block(&r, &section, 0, NULL);
	sbuf_release(&section);
	free(data);
	return rc;
}

int config_read_odyssey(struct arena *a, const char *path, struct pos from, struct config_file *out,
			char **err)
{
	size_t nvalues = 0;

	return ody_read_file(a, out, path, from, 0, &nvalues, err);
}
