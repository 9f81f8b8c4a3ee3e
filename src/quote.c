/*
 * quote.c - the output gate for bytes from outside (quote.h): one line of
 * terminal text, valid UTF-8 for documents, Markdown without markup, and
 * the printer of every diagnostic that may carry input.
 *
 * Every function starts with the fast path: a run of printable ASCII
 * (0x20-0x7E) needs nothing and is copied in one piece. Only a byte
 * outside it is looked at closely.
 */
#include "quote.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The length of the run of printable ASCII at the start of s[0..n). */
static size_t plain_run(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x7F)
		i++;
	return i;
}

size_t quote_utf8_next(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t v, lo = 0x80, hi = 0xBF;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F; /* no UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (i = 1; i < n; i++) {
		unsigned char d = s[i];
		/* a NUL is below lo: the sequence ends there, unread past */
		if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xBF)) {
			*cp = 0xFFFD;
			return 1;
		}
		v = v << 6 | (d & 0x3F);
	}
	*cp = v;
	return n;
}

bool quote_char_hidden(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return true;
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The length of the character at s (at most n bytes, s[n] readable), with
 * its code point; 0 when s starts with a byte of invalid UTF-8. A sequence
 * is never taken past n.
 */
static size_t next_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k = quote_utf8_next(s, cp);

	if (k > n || (k == 1 && s[0] >= 0x80))
		return 0;
	return k;
}

/*
 * Is there, in the n bytes at s, a byte of invalid UTF-8 or (with hidden)
 * a character quote_char_hidden names? ASCII that may pass is skipped in
 * runs.
 */
static bool has_bad(const char *s, size_t n, bool hidden)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		while (i < n && p[i] < 0x80 && (!hidden || (p[i] >= 0x20 && p[i] < 0x7F)))
			i++;
		if (i == n)
			break;
		k = next_char(p + i, n - i, &cp);
		if (!k || (hidden && quote_char_hidden(cp)))
			return true;
		i += k;
	}
	return false;
}

bool quote_text_needed(const char *s, size_t n)
{
	return has_bad(s, n, true);
}

void quote_text(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, k;
	uint32_t cp;

	while (i < n) {
		run = plain_run(p + i, n - i);
		if (run) {
			sbuf_add(b, s + i, run);
			i += run;
			if (i == n)
				break;
		}
		k = next_char(p + i, n - i, &cp);
		if (!k) {
			sbuf_printf(b, "\\x%02X", p[i]);
			i++;
			continue;
		}
		if (!quote_char_hidden(cp)) {
			sbuf_add(b, s + i, k);
		} else if (cp == '\t') {
			sbuf_puts(b, "\\t");
		} else if (cp == '\n') {
			sbuf_puts(b, "\\n");
		} else if (cp == '\r') {
			sbuf_puts(b, "\\r");
		} else if (cp == 0x1B) {
			sbuf_puts(b, "\\e");
		} else if (cp < 0x80) {
			sbuf_printf(b, "\\x%02X", (unsigned)cp);
		} else {
			sbuf_printf(b, "\\u%04x", (unsigned)cp);
		}
		i += k;
	}
}

void quote_text_str(struct sbuf *b, const char *s)
{
	quote_text(b, s, strlen(s));
}

bool quote_utf8_valid(const char *s, size_t n)
{
	return !has_bad(s, n, false);
}

void quote_utf8(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start, k;
	uint32_t cp;

	while (i < n) {
		start = i;
		while (i < n && p[i] < 0x80)
			i++;
		while (i < n && (k = next_char(p + i, n - i, &cp)) != 0)
			i += k;
		sbuf_add(b, s + start, i - start);
		if (i < n) {
			sbuf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
			i++;
		}
	}
}

static bool md_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A letter, a digit or '_': what a regular expression's \w matches. */
static bool md_wordish(unsigned char c)
{
	return md_word(c) || c == '_';
}

/*
 * Would GitHub read the '@' at at (in the text that begins at start) as a
 * mention? As its mention filter does: after the start or a character
 * other than a letter, digit or '_'; a name of letters, digits and '-'
 * that starts with a letter or digit; then not a '/', and either the end,
 * a character other than a letter, digit, '_' or '.', or dots followed by
 * the end or such a character. So user@host and app:***@db.internal
 * are no mentions, and "ping @team." is one.
 */
static bool md_mention(const unsigned char *start, const unsigned char *at)
{
	const unsigned char *e = at + 1;

	if (at > start && md_wordish(at[-1]))
		return false;
	if (!md_word(*e))
		return false;
	while (md_word(*e) || *e == '-')
		e++;
	if (*e == '/')
		return false;
	if (*e == '.') {
		while (*e == '.')
			e++;
		return !*e || !md_wordish(*e);
	}
	return !*e || (!md_wordish(*e) && *e != '.');
}

/*
 * Could '&' at s start a character reference (&lt; &#60; &#x3c;), which
 * Markdown would decode? A name or number of letters, digits and '#'
 * closed by ';'.
 */
static bool md_entity(const unsigned char *s)
{
	const unsigned char *e = s + 1;

	while (md_word(*e) || *e == '#')
		e++;
	return e > s + 1 && *e == ';';
}

/*
 * Markdown escaping of t, which quote_text has made one clean line. What
 * Markdown reads as markup takes a backslash ('|' too, which ends a table
 * cell); an '&' that would start a character reference is &amp;; an underscore inside a
 * word (max_connections) is left alone, as GFM never reads it as emphasis.
 */
static void md_escape(struct sbuf *b, const char *t)
{
	const unsigned char *start = (const unsigned char *)t, *s;

	for (s = start; *s; s++) {
		if (*s == '_' && s > start && md_word(s[-1]) && md_word(s[1])) {
			sbuf_putc(b, '_');
			continue;
		}
		if (*s == '&' && md_entity(s)) {
			sbuf_puts(b, "&amp;");
			continue;
		}
		if (*s == '@' && md_mention(start, s)) {
			sbuf_puts(b, "@<!-- -->");
			continue;
		}
		if (strchr("\\`*_[]<>|#~", *s))
			sbuf_putc(b, '\\');
		sbuf_putc(b, (char)*s);
	}
}

void quote_markdown(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	struct sbuf t = { 0 };

	if (!quote_text_needed(s, n)) {
		md_escape(b, s);
		return;
	}
	quote_text(&t, s, n);
	md_escape(b, t.s ? t.s : "");
	sbuf_release(&t);
}

void quote_markdown_code(struct sbuf *b, const char *s)
{
	struct sbuf t = { 0 };
	const char *c;
	size_t run = 0, longest = 0, k;
	bool pad;

	quote_text_str(&t, s);
	c = t.s ? t.s : "";
	for (; *c; c++) {
		run = *c == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	c = t.s ? t.s : "";
	pad = *c == '`' || (t.len && c[t.len - 1] == '`');
	for (k = 0; k <= longest; k++)
		sbuf_putc(b, '`');
	if (pad)
		sbuf_putc(b, ' ');
	sbuf_puts(b, c);
	if (pad)
		sbuf_putc(b, ' ');
	for (k = 0; k <= longest; k++)
		sbuf_putc(b, '`');
	sbuf_release(&t);
}

void quote_fputs_line(FILE *f, const char *s)
{
	size_t n = strlen(s);
	struct sbuf b = { 0 };

	if (!quote_text_needed(s, n)) {
		fputs(s, f);
	} else {
		quote_text(&b, s, n);
		fputs(b.s, f);
		sbuf_release(&b);
	}
	fputc('\n', f);
}

void quote_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	quote_fputs_line(f, s);
	free(s);
}

void quote_yaml(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		uint32_t cp;
		size_t n = quote_utf8_next(s, &cp);

		if (cp == '\\' || cp == '"')
			fprintf(out, "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7F)
			fprintf(out, "\\x%02X", (unsigned)cp);
		else if (quote_char_hidden(cp) || cp == 0xFEFF || (cp == 0xFFFD && n == 1))
			fprintf(out, "\\u%04X", (unsigned)cp);
		else
			fwrite(s, 1, n, out);
		s += n;
	}
	fputc('"', out);
}
