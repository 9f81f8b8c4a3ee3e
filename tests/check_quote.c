/*
 * check_quote.c - the output gate (src/quote.c): every byte value 0..255
 * and every bidi control through every function, and the exact escapes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "report/report_impl.h"

/* The bidi and isolate controls, and the line and paragraph separators, as UTF-8. */
static const char *const hidden_cps[] = {
	"\xD8\x9C",     /* U+061C */
	"\xE2\x80\x8E", "\xE2\x80\x8F",
	"\xE2\x80\xA8", "\xE2\x80\xA9",
	"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
	"\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9",
	"\xC2\x85",     /* NEL, a C1 control */
};

/* True when s holds no byte below 0x20, no DEL and is valid UTF-8 without a hidden character. */
static bool terminal_clean(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return false;
	return !quote_text_needed(s, strlen(s));
}

static char *text(const char *s, size_t n)
{
	struct sbuf b = { 0 };

	quote_text(&b, s, n);
	return sbuf_detach(&b);
}

static char *markdown(const char *s)
{
	struct sbuf b = { 0 };

	quote_markdown(&b, s);
	return sbuf_detach(&b);
}

static char *utf8(const char *s)
{
	struct sbuf b = { 0 };

	quote_utf8(&b, s, strlen(s));
	return sbuf_detach(&b);
}

static char *gh(const char *s, bool property)
{
	struct sbuf b = { 0 };

	if (property)
		report_github_escape_property(&b, s);
	else
		report_github_escape_data(&b, s);
	return sbuf_detach(&b);
}

static char *xml(const char *s)
{
	struct sbuf b = { 0 };

	report_xml_escape(&b, s, true);
	return sbuf_detach(&b);
}

/* Every byte value, alone and between letters, through every gate. */
START_TEST(test_every_byte)
{
	unsigned c;

	for (c = 1; c < 256; c++) {
		char in[4] = { 'a', (char)c, 'b', 0 };
		char *t = text(in, 3), *m = markdown(in), *u = utf8(in), *g = gh(in, false),
		     *p = gh(in, true), *x = xml(in);

		ck_assert_msg(terminal_clean(t), "text of byte 0x%02X: %s", c, t);
		ck_assert_msg(terminal_clean(m), "markdown of byte 0x%02X", c);
		ck_assert_msg(!strchr(m, '\n'), "markdown of byte 0x%02X", c);
		ck_assert_msg(terminal_clean(g) && terminal_clean(p), "github of byte 0x%02X", c);
		ck_assert_msg(quote_utf8_valid(u, strlen(u)), "utf8 of byte 0x%02X", c);
		ck_assert_msg(quote_utf8_valid(x, strlen(x)), "xml of byte 0x%02X", c);
		if (c >= 0x20 && c < 0x7F) {
			ck_assert_str_eq(t, in); /* printable ASCII: as it is */
			ck_assert_str_eq(u, in);
		} else if (c >= 0x80) {
			char want[8];
			snprintf(want, sizeof(want), "a\\x%02Xb", c); /* a lone byte above 0x7f is invalid */
			ck_assert_str_eq(t, want);
			ck_assert_str_eq(u, "a\xEF\xBF\xBD" "b");
		} else {
			ck_assert_str_eq(u, in); /* valid UTF-8: JSON escapes controls itself */
		}
		free(t);
		free(m);
		free(u);
		free(g);
		free(p);
		free(x);
	}
}
END_TEST

/* Every byte pair: whatever two bytes make, the result is clean. */
START_TEST(test_every_pair)
{
	unsigned c, d;

	for (c = 1; c < 256; c++) {
		for (d = 1; d < 256; d++) {
			char in[3] = { (char)c, (char)d, 0 };
			char *t = text(in, 2), *u = utf8(in);

			ck_assert_msg(terminal_clean(t), "text of 0x%02X 0x%02X", c, d);
			ck_assert_msg(quote_utf8_valid(u, strlen(u)), "utf8 of 0x%02X 0x%02X", c, d);
			free(t);
			free(u);
		}
	}
}
END_TEST

START_TEST(test_text_escapes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a\tb\nc\rd\x1b[2J", "a\\tb\\nc\\rd\\e[2J" },
		{ "\x01\x7f", "\\x01\\x7F" },
		{ "x\nevil.yaml:1:1: error: forged", "x\\nevil.yaml:1:1: error: forged" },
		{ "\n::error::x", "\\n::error::x" },
		{ "\x1b]52;c;aGVsbG8=\x07", "\\e]52;c;aGVsbG8=\\x07" },
		{ "abc\xE2\x80\xAE" "fed", "abc\\u202efed" },
		{ "\xC2\x85", "\\u0085" },
		{ "\xE2\x81\xA6", "\\u2066" },
		{ "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80" },
		{ "\xC3", "\\xC3" },                 /* cut short */
		{ "\xC0\xAF", "\\xC0\\xAF" },         /* overlong */
		{ "\xED\xA0\x80", "\\xED\\xA0\\x80" }, /* a surrogate */
		{ "\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80" }, /* above U+10FFFF */
		{ "back\\slash", "back\\slash" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = text(cases[i].in, strlen(cases[i].in));
		ck_assert_str_eq(t, cases[i].out);
		ck_assert(quote_text_needed(cases[i].in, strlen(cases[i].in)) ==
			  (strcmp(cases[i].in, cases[i].out) != 0));
		free(t);
	}
}
END_TEST

/* A sequence is never read past the length given. */
START_TEST(test_text_length)
{
	char *t = text("\xE2\x80\xAE", 2);

	ck_assert_str_eq(t, "\\xE2\\x80");
	free(t);
}
END_TEST

START_TEST(test_hidden_code_points)
{
	size_t i;

	for (i = 0; i < sizeof(hidden_cps) / sizeof(hidden_cps[0]); i++) {
		const char *s = hidden_cps[i];
		char *t = text(s, strlen(s)), *m = markdown(s), *g = gh(s, false);
		uint32_t cp;

		quote_utf8_next((const unsigned char *)s, &cp);
		ck_assert(quote_char_hidden(cp));
		ck_assert(!graph_char_ok(cp));
		ck_assert_msg(terminal_clean(t) && t[0] == '\\' && t[1] == 'u', "%s", t);
		ck_assert(terminal_clean(m) && terminal_clean(g));
		free(t);
		free(m);
		free(g);
	}
	ck_assert(!quote_char_hidden(0x200D)); /* a joiner is not a direction */
	ck_assert(!quote_char_hidden(0xE9));
}
END_TEST

START_TEST(test_utf8)
{
	char *u = utf8("ok \xC3\xA9 \xFF x \xE2\x80\xAE \xC3");

	ck_assert_str_eq(u, "ok \xC3\xA9 \xEF\xBF\xBD x \xE2\x80\xAE \xEF\xBF\xBD");
	ck_assert(quote_utf8_valid(u, strlen(u)));
	ck_assert(!quote_utf8_valid("\xFF", 1));
	ck_assert(quote_utf8_valid("", 0));
	free(u);
}
END_TEST

START_TEST(test_markdown)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "max_connections", "max_connections" },
		{ "a|b `c` <d> [e](f)", "a\\|b \\`c\\` \\<d\\> \\[e\\](f)" },
		{ "ping @team now", "ping @<!-- -->team now" },
		{ "@admin", "@<!-- -->admin" },
		{ "cc @org/team", "cc @org/team" },          /* a path, not a mention */
		{ "app:***@db.internal/app", "app:\\*\\*\\*@db.internal/app" },
		{ "user@host", "user@host" },
		{ "&lt;b&gt; & a", "&amp;lt;b&amp;gt; & a" },
		{ "x\ny", "x\\\\ny" },
		{ "\x1b[2J", "\\\\e\\[2J" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = markdown(cases[i].in);
		ck_assert_str_eq(m, cases[i].out);
		free(m);
	}
}
END_TEST

START_TEST(test_markdown_code)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a.yaml:1:2", "`a.yaml:1:2`" },
		{ "a`b", "``a`b``" },
		{ "`a``", "``` `a`` ```" },
		{ "a\nb", "`a\\nb`" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf b = { 0 };
		quote_markdown_code(&b, cases[i].in);
		ck_assert_str_eq(b.s, cases[i].out);
		sbuf_release(&b);
	}
}
END_TEST

/* quote_fprintf writes one line, whatever its arguments hold. */
START_TEST(test_fprintf_one_line)
{
	char buf[256] = { 0 };
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	ck_assert_ptr_nonnull(f);
	quote_fprintf(f, "connbudget: error: %s: %d", "a\nevil.yaml:1:1: error: x\x1b[2J", 7);
	quote_fputs_line(f, "plain");
	fclose(f);
	ck_assert_str_eq(buf, "connbudget: error: a\\nevil.yaml:1:1: error: x\\e[2J: 7\nplain\n");
}
END_TEST

Suite *quote_suite(void)
{
	Suite *s = suite_create("quote");
	TCase *tc = tcase_create("bytes");

	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_every_pair);
	tcase_add_test(tc, test_hidden_code_points);
	suite_add_tcase(s, tc);
	tc = tcase_create("escapes");
	tcase_add_test(tc, test_text_escapes);
	tcase_add_test(tc, test_text_length);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_markdown);
	tcase_add_test(tc, test_markdown_code);
	tcase_add_test(tc, test_fprintf_one_line);
	suite_add_tcase(s, tc);
	return s;
}
