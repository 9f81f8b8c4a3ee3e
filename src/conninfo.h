/*
 * conninfo.h - a small reader of PostgreSQL connection strings, as libpq
 * reads them: URIs (postgresql://user:password@host:port,host2/db?k=v; also
 * jdbc:postgresql:// and SQLAlchemy's postgresql+DRIVER://) and key=value
 * conninfo (host=a port=5432 password='x y'), except that the
 * userinfo runs to the last '@' (user:p@ss@host), as the drivers read it.
 *
 * Only what the rules need: the host/port pairs (CB012), the password and
 * where it sits in the text (CB013, mask_password), and every parameter
 * (CB005 looks for pgbouncer=true). libpq itself is not linked.
 */
#ifndef CONNBUDGET_CONNINFO_H
#define CONNBUDGET_CONNINFO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One host of a (possibly multi-host) connection string. */
struct conninfo_host {
	char *name;          /* percent-decoded; "" when empty (libpq: the default socket) */
	uint64_t port;       /* 5432 when not given */
	bool port_valid;     /* false when the port is not a number in 1..65535 */
};

/* Where a password sits in the original text: s[off .. off+len). */
struct conninfo_span {
	size_t off, len;
	bool placeholder;    /* the value is `${NAME}` or `$NAME`, not a literal */
};

struct conninfo {
	bool uri;                      /* postgresql:// or postgres:// (or jdbc:postgresql://) */
	struct conninfo_host *hosts;   /* in order; none when no host is given */
	size_t nhosts;
	char *user;                    /* decoded; NULL when absent */
	char *password;                /* decoded, the last one given; NULL when absent */
	struct conninfo_span *pw;      /* every non-empty password in the text */
	size_t npw;
	char **keys, **vals;           /* every parameter (query or key=value) except the
	                                  ones above, decoded, in order */
	size_t nparams;
};

/*
 * Parse s into ci (which the caller zero-initializes or not: it is
 * overwritten). Returns 0, or -1 with *err (caller frees, may be NULL to
 * ignore) saying what is wrong, never quoting the text (it may hold a
 * password); ci holds nothing on -1. Release with
 * conninfo_release (accepts a zeroed or released ci).
 */
int conninfo_parse(const char *s, struct conninfo *ci, char **err);
void conninfo_release(struct conninfo *ci);

/* The value of the last parameter named key (not host/port/user/password), or NULL. */
const char *conninfo_param(const struct conninfo *ci, const char *key);

/* Is s an environment placeholder, `${NAME...}` or `$NAME`, rather than a literal? */
bool conninfo_is_placeholder(const char *s);

/*
 * Replace every literal password in s (a connection string, URI or
 * key=value, or any text that holds one) by "***": the URI userinfo up to
 * the last '@' (`app:p@ss@db`), and the value of password, sslpassword,
 * passwd and pwd in any case, in key=value conninfo, a URL query or a
 * semicolon-separated .NET string, quoted or not (an unclosed quote masks
 * to the end). Returns a new string the caller frees. Every message, echo
 * and error that may quote user text goes through it, and CB013 fires when
 * it changes a url.
 */
char *mask_password(const char *s);

/*
 * Might mask_password change s? False when s has neither "://" and an '@'
 * (a URI's userinfo) nor "pass" or "pwd" in any case, one of which every
 * secret it knows needs: the output gates test it before they copy.
 */
bool mask_may_change(const char *s);

/*
 * A message from fmt and ap, through mask_password: every diagnostic made
 * of user text (load and validation errors, config errors, findings) is
 * formatted by it. Caller frees.
 */
char *mask_vasprintf(const char *fmt, va_list ap);

/*
 * s with every '@' of a URI's userinfo but the last percent-encoded, so
 * that libpq (which ends the userinfo at the first '@') reads
 * `app:p@ss@db` as the drivers and conninfo_parse do: password "p@ss",
 * host "db". Other text is copied as it is. Caller frees.
 */
char *conninfo_encode_userinfo(const char *s);

/* Does the text carry a literal password (not a placeholder)? */
bool conninfo_has_literal_password(const struct conninfo *ci);

#endif
