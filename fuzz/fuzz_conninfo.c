/*
 * fuzz_conninfo.c - libFuzzer target over the connection-string reader
 * and the password masking (src/conninfo.c): bytes → a parse or an error,
 * and a masked text that never shows a password the parse found.
 *
 *   make build/fuzz/fuzz_conninfo && .../fuzz_conninfo CORPUS
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Is p (not empty, without '*' or '\x01') one the masked text may show?
 * Only when it is also in the text outside every literal password (rest:
 * s with each literal password replaced by one '\x01'): a password "h" in
 * "host=h password=h" stays visible as the host. masked is built from the
 * same pieces and "***", so p cannot arise across a cut.
 */
static void check_hidden(const char *what, const char *p, const char *rest, const char *masked,
			 const char *s)
{
	if (!*p || strpbrk(p, "*\x01") || strstr(rest, p))
		return;
	if (strstr(masked, p))
		fuzz_fail("mask_password shows the %s \"%s\" of \"%s\": \"%s\"", what, p, s, masked);
}

/*
 * The parse's contract: spans inside the text, ports in range when valid,
 * every host, key and value present, conninfo_param finding every key;
 * then mask_password hides every literal password (raw and decoded).
 */
static void check_parse(const char *s, const struct conninfo *ci)
{
	size_t i, n = strlen(s), at = 0;
	struct sbuf rest = { 0 };
	char *masked;
	bool literal = false;

	for (i = 0; i < ci->nhosts; i++) {
		if (!ci->hosts[i].name)
			fuzz_fail("host %zu of \"%s\" has no name", i, s);
		if (ci->hosts[i].port_valid && (ci->hosts[i].port < 1 || ci->hosts[i].port > 65535))
			fuzz_fail("host %zu of \"%s\": port %llu is valid", i, s,
				  (unsigned long long)ci->hosts[i].port);
	}
	for (i = 0; i < ci->nparams; i++) {
		if (!ci->keys[i] || !ci->vals[i])
			fuzz_fail("parameter %zu of \"%s\" without a key or value", i, s);
		if (!conninfo_param(ci, ci->keys[i]))
			fuzz_fail("conninfo_param misses '%s' of \"%s\"", ci->keys[i], s);
	}
	for (i = 0; i < ci->npw; i++) {
		const struct conninfo_span *sp = &ci->pw[i];
		if (sp->len == 0 || sp->off > n || sp->len > n - sp->off)
			fuzz_fail("password span %zu+%zu outside the %zu bytes of \"%s\"", sp->off, sp->len,
				  n, s);
		if (sp->placeholder)
			continue;
		literal = true;
		if (sp->off < at)
			fuzz_fail("password spans overlap in \"%s\"", s);
		sbuf_add(&rest, s + at, sp->off - at);
		sbuf_putc(&rest, '\x01');
		at = sp->off + sp->len;
	}
	sbuf_puts(&rest, s + at);
	if (literal != conninfo_has_literal_password(ci))
		fuzz_fail("conninfo_has_literal_password disagrees with the spans of \"%s\"", s);

	masked = mask_password(s);
	for (i = 0; i < ci->npw; i++) {
		const struct conninfo_span *sp = &ci->pw[i];
		char *raw;

		if (sp->placeholder)
			continue;
		raw = xstrndup(s + sp->off, sp->len);
		check_hidden("password", raw, rest.s ? rest.s : "", masked, s);
		free(raw);
	}
	if (ci->password && !conninfo_is_placeholder(ci->password))
		check_hidden("decoded password", ci->password, rest.s ? rest.s : "", masked, s);
	free(masked);
	sbuf_release(&rest);
}

/*
 * One input, as a NUL-terminated string (an embedded NUL ends it, as in
 * a YAML value): parse it, hold the result to its contract, mask it.
 * Frees everything. Always returns 0 (libFuzzer's convention).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct conninfo ci;
	char *err = NULL, *masked;

	if (conninfo_parse(s, &ci, &err) == 0) {
		if (err)
			fuzz_fail("conninfo_parse returned a parse and an error: \"%s\"", err);
		check_parse(s, &ci);
		conninfo_release(&ci);
	} else {
		if (!err || !*err)
			fuzz_fail("conninfo_parse failed without a message on \"%s\"", s);
		/* the text that did not parse still goes through the fallback */
		masked = mask_password(s);
		free(masked);
	}
	conninfo_release(&ci); /* a released ci: a no-op */
	free(err);
	free(s);
	return 0;
}
