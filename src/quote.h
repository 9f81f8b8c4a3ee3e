/*
 * quote.h - the one gate between bytes from outside and what connbudget
 * writes.
 *
 * Anything that comes from input (a YAML value, an included file's name, a
 * pgbouncer.ini value, a live server's reply, an unknown word on the
 * command line) reaches a terminal, a CI log or a document through one of
 * these, chosen by the kind of output:
 *
 *	text, gcc, github, stderr	quote_text: no control byte, no bidi
 *					control, no invalid UTF-8, one line
 *	json, sarif			quote_utf8: valid UTF-8 (the rest is
 *					the JSON writer's escaping)
 *	markdown			quote_markdown: no markup, no mention
 *	junit, mermaid, dot		their own escapers, on quote_utf8_next
 *					and quote_char_hidden
 *
 * Each has a fast path: a run of printable ASCII is copied as it is, so
 * benign input comes out byte for byte as before.
 */
#ifndef CONNBUDGET_QUOTE_H
#define CONNBUDGET_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/*
 * Decode one UTF-8 sequence at s: its length, and the code point in *cp.
 * An invalid or cut-short sequence, an overlong form or a surrogate gives
 * length 1 and *cp U+FFFD (a NUL ends a sequence: it is never read past).
 */
size_t quote_utf8_next(const unsigned char *s, uint32_t *cp);

/*
 * Is code point cp one that must not reach a terminal or a log as it is?
 * The C0 controls, DEL, the C1 controls (U+0080-U+009F), the bidi and
 * isolate controls (U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069) and the line and paragraph separators (U+2028, U+2029).
 */
bool quote_char_hidden(uint32_t cp);

/*
 * Would quote_text change the n bytes at s? False exactly when they are
 * valid UTF-8 without a hidden character.
 */
bool quote_text_needed(const char *s, size_t n);

/*
 * The n bytes at s, appended to b as one line a terminal shows as it is:
 * TAB, LF, CR and ESC as \t \n \r \e, every other C0 control, DEL and each
 * byte of invalid UTF-8 as \xNN (two upper-case hex digits), a hidden code
 * point above 0x7F as \uNNNN (four lower-case hex digits: \u202e). Other
 * bytes, the backslash included, are copied. The result holds no byte
 * below 0x20, no DEL, and is valid UTF-8.
 */
void quote_text(struct sbuf *b, const char *s, size_t n);
/* The NUL-terminated s through quote_text. */
void quote_text_str(struct sbuf *b, const char *s);

/*
 * s as a YAML double-quoted scalar on out: backslash and quote escaped,
 * a hidden character (quote_char_hidden) as \xNN or \uNNNN, invalid
 * UTF-8 as \uFFFD. Nothing written this way can end the value or start a
 * key, whatever a file it was read from held.
 */
void quote_yaml(FILE *out, const char *s);

/* Are the n bytes at s valid UTF-8? */
bool quote_utf8_valid(const char *s, size_t n);
/*
 * The n bytes at s, appended to b, each byte of invalid UTF-8 replaced by
 * U+FFFD (EF BF BD); valid UTF-8 is copied as it is, controls included
 * (JSON and XML writers escape those their own way).
 */
void quote_utf8(struct sbuf *b, const char *s, size_t n);

/*
 * The NUL-terminated s for GitHub-flavoured Markdown (a table cell, a list
 * item, a heading), appended to b, after quote_text (so no control, bidi
 * character or line break is left): the backslash and each of
 * ` * _ [ ] < > | # ~ take a backslash (but an underscore inside a word,
 * as in max_connections, stays as it is), an '&' that would start a character reference (&lt;) becomes
 * &amp;, and an '@' that GitHub would read as a mention ("@team", not
 * user@host) is written "@<!-- -->", which GitHub renders as a plain '@'
 * that notifies nobody.
 */
void quote_markdown(struct sbuf *b, const char *s);

/*
 * The NUL-terminated s, after quote_text, as a Markdown code span appended
 * to b: between single backticks, or (when s holds a run of k backticks)
 * between k + 1 of them, with a space inside each end when s begins or
 * ends with one, so that nothing in s ends the span. Not for a table cell.
 */
void quote_markdown_code(struct sbuf *b, const char *s);

/*
 * fmt's text, through quote_text, then a newline, written to f: every
 * diagnostic that may carry input ("connbudget: error: ...", a loader's
 * positioned error) goes out this way, so it is always exactly one line.
 */
void quote_fprintf(FILE *f, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The NUL-terminated s through quote_text, then a newline, written to f. */
void quote_fputs_line(FILE *f, const char *s);

#endif
