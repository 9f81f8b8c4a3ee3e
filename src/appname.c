/* appname.c - see appname.h. */
#include "appname.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static bool printable(unsigned char c)
{
	return c >= 32 && c <= 126;
}

char *appname_stored(const char *name, int server_version_num)
{
	struct sbuf b = { 0 };
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p && b.len < APPNAME_MAX_BYTES; p++) {
		char esc[8];

		if (printable(*p)) {
			sbuf_putc(&b, (char)*p);
		} else if (server_version_num >= APPNAME_ESCAPE_VERSION) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			sbuf_puts(&b, esc);
		} else {
			sbuf_putc(&b, '?');
		}
	}
	if (b.len > APPNAME_MAX_BYTES) {
		/* an escape cut short, as the server clips it */
		b.len = APPNAME_MAX_BYTES;
		b.s[b.len] = '\0';
	}
	return sbuf_detach(&b);
}

bool appname_altered(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		if (!printable(*p))
			return true;
	return strlen(name) > APPNAME_MAX_BYTES;
}
