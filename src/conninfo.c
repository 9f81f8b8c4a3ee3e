/*
 * conninfo.c - see conninfo.h. The grammar follows libpq's fe-connect.c
 * (conninfo_uri_parse_options, conninfo_uri_parse_params,
 * conninfo_parse): the same separators, the same quoting, the same
 * percent-decoding, so a string means here what it means to libpq. One
 * exception: a URI's userinfo ends at its last '@', not its first, as the
 * drivers read it (observe encodes the others before libpq sees them).
 */
#include "conninfo.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { CONNINFO_DEFAULT_PORT = 5432 }; /* libpq DEF_PGPORT */

/* What the parse collected before hosts and ports are paired. */
struct raw {
	char *host, *hostaddr, *port;   /* comma lists as given, decoded */
};

/* Set *err (when err is not NULL) to a formatted message. */
static void fail(char **err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void fail(char **err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) as libpq's conninfo_uri_decode does: %XX must be
 * two hex digits and %00 is refused. Returns a new string, or NULL with
 * *err set.
 */
static char *uri_decode(const char *s, size_t n, char **err)
{
	char *d = xmalloc(n + 1), *o = d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
			free(d);
			fail(err, "invalid percent-encoded token");
			return NULL;
		}
		*o = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
		if (*o == '\0') {
			free(d);
			fail(err, "forbidden value %%00 in a percent-encoded value");
			return NULL;
		}
		o++;
		i += 2;
	}
	*o = '\0';
	return d;
}

static void add_param(struct conninfo *ci, char *key, char *val)
{
	ci->keys = xrealloc(ci->keys, (ci->nparams + 1) * sizeof(*ci->keys));
	ci->vals = xrealloc(ci->vals, (ci->nparams + 1) * sizeof(*ci->vals));
	ci->keys[ci->nparams] = key;
	ci->vals[ci->nparams] = val;
	ci->nparams++;
}

static void replace(char **slot, char *val)
{
	free(*slot);
	*slot = val;
}

/*
 * Store one keyword's value (both already decoded; ownership passes here).
 * off/len locate the value's raw text in the input, for passwords.
 */
static void store(struct conninfo *ci, struct raw *raw, char *key, char *val, size_t off, size_t len)
{
	if (strcmp(key, "host") == 0) {
		replace(&raw->host, val);
	} else if (strcmp(key, "hostaddr") == 0) {
		replace(&raw->hostaddr, val);
	} else if (strcmp(key, "port") == 0) {
		replace(&raw->port, val);
	} else if (strcmp(key, "user") == 0) {
		replace(&ci->user, val);
	} else if (strcasecmp(key, "password") == 0 || strcasecmp(key, "sslpassword") == 0) {
		/* libpq's keywords are lowercase, but a `PASSWORD=` is as secret as a `password=` */
		if (*val) {
			ci->pw = xrealloc(ci->pw, (ci->npw + 1) * sizeof(*ci->pw));
			ci->pw[ci->npw].off = off;
			ci->pw[ci->npw].len = len;
			ci->pw[ci->npw].placeholder = conninfo_is_placeholder(val);
			ci->npw++;
		}
		if (strcasecmp(key, "password") == 0)
			replace(&ci->password, val);
		else
			free(val);
	} else {
		add_param(ci, key, val);
		return;
	}
	free(key);
}

/*
 * The query part of a URI: key=value pairs joined by '&', both sides
 * percent-decoded. libpq rejects unknown keys; Prisma's and others'
 * (pgbouncer=true, connection_limit=1) are accepted here, since urls in a
 * topology are not only libpq's.
 */
static int parse_params(const char *s, size_t p, struct conninfo *ci, struct raw *raw, char **err)
{
	while (s[p]) {
		size_t k = p, eq = 0, v;
		char *key, *val;

		while (s[p] && s[p] != '&') {
			if (s[p] == '=') {
				if (eq) {
					fail(err, "extra key/value separator \"=\" in a URI query parameter");
					return -1;
				}
				eq = p;
			}
			p++;
		}
		if (!eq) {
			fail(err, "missing key/value separator \"=\" in a URI query parameter");
			return -1;
		}
		v = eq + 1;
		if (!(key = uri_decode(s + k, eq - k, err)))
			return -1;
		if (!(val = uri_decode(s + v, p - v, err))) {
			free(key);
			return -1;
		}
		if (strcmp(key, "ssl") == 0 && strcmp(val, "true") == 0) {
			/* libpq maps ssl=true to sslmode=require */
			free(key);
			free(val);
			key = xstrdup("sslmode");
			val = xstrdup("require");
		}
		store(ci, raw, key, val, v, p - v);
		if (s[p] == '&')
			p++;
	}
	return 0;
}

/* postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...] */
static int parse_uri(const char *s, size_t start, struct conninfo *ci, struct raw *raw, char **err)
{
	struct sbuf hosts = { 0 }, ports = { 0 };
	size_t p = start;
	char prev;
	int rc = -1;

	/*
	 * Credentials end at the last '@' before the first '/'. libpq takes the
	 * first, but node-postgres, Go, Prisma and Python take the last, so
	 * `app:p@ss@db` is the password "p@ss" to them, and to us.
	 */
	{
		size_t last = 0;

		for (; s[p] && s[p] != '/'; p++)
			if (s[p] == '@')
				last = p;
		if (last)
			p = last;
	}
	if (s[p] == '@') {
		size_t q = start, at = p;

		while (q < at && s[q] != ':')
			q++;
		if (q > start) {
			char *user = uri_decode(s + start, q - start, err);
			if (!user)
				goto out;
			replace(&ci->user, user);
		}
		if (s[q] == ':') {
			size_t pw = ++q;
			q = at;
			if (q > pw) {
				char *val = uri_decode(s + pw, q - pw, err);
				if (!val)
					goto out;
				store(ci, raw, xstrdup("password"), val, pw, q - pw);
			}
		}
		p = q + 1;
	} else {
		p = start;
	}

	/* Hosts: netloc[:port] pairs separated by commas. */
	for (;;) {
		size_t h, hl;

		if (s[p] == '[') {
			h = ++p;
			while (s[p] && s[p] != ']')
				p++;
			if (!s[p]) {
				fail(err, "missing \"]\" after an IPv6 host address");
				goto out;
			}
			if (p == h) {
				fail(err, "empty IPv6 host address");
				goto out;
			}
			hl = p - h;
			p++;
			if (s[p] && s[p] != ':' && s[p] != '/' && s[p] != '?' && s[p] != ',') {
				fail(err, "unexpected character \"%c\" after an IPv6 host address", s[p]);
				goto out;
			}
		} else {
			h = p;
			while (s[p] && s[p] != ':' && s[p] != '/' && s[p] != '?' && s[p] != ',')
				p++;
			hl = p - h;
		}
		sbuf_add(&hosts, s + h, hl);
		prev = s[p];
		if (prev == ':') {
			size_t ps = ++p;
			while (s[p] && s[p] != '/' && s[p] != '?' && s[p] != ',')
				p++;
			sbuf_add(&ports, s + ps, p - ps);
			prev = s[p];
		}
		if (prev != ',')
			break;
		p++;
		sbuf_putc(&hosts, ',');
		sbuf_putc(&ports, ',');
	}
	if (hosts.len) {
		char *v = uri_decode(hosts.s, hosts.len, err);
		if (!v)
			goto out;
		replace(&raw->host, v);
	}
	if (ports.len) {
		char *v = uri_decode(ports.s, ports.len, err);
		if (!v)
			goto out;
		replace(&raw->port, v);
	}

	/* The database name, then the query. */
	if (prev && prev != '?') {
		size_t d = ++p;
		while (s[p] && s[p] != '?')
			p++;
		if (p > d) {
			char *v = uri_decode(s + d, p - d, err);
			if (!v)
				goto out;
			add_param(ci, xstrdup("dbname"), v);
		}
		prev = s[p];
	}
	if (prev && parse_params(s, p + 1, ci, raw, err) != 0)
		goto out;
	rc = 0;
out:
	sbuf_release(&hosts);
	sbuf_release(&ports);
	return rc;
}

/* key = value ... with values bare (backslash escapes) or 'single quoted'. */
static int parse_kv(const char *s, struct conninfo *ci, struct raw *raw, char **err)
{
	size_t p = 0;

	while (s[p]) {
		size_t k, kl, v, vl;
		struct sbuf val = { 0 };

		while (isspace((unsigned char)s[p]))
			p++;
		if (!s[p])
			break;
		k = p;
		while (s[p] && s[p] != '=' && !isspace((unsigned char)s[p]))
			p++;
		kl = p - k;
		while (isspace((unsigned char)s[p]))
			p++;
		if (s[p] != '=') {
			fail(err, "missing \"=\" after a keyword at offset %zu of the connection string", k);
			return -1;
		}
		p++;
		while (isspace((unsigned char)s[p]))
			p++;
		if (s[p] != '\'') {
			v = p;
			while (s[p] && !isspace((unsigned char)s[p])) {
				if (s[p] == '\\') {
					p++;
					if (!s[p])
						break;
				}
				sbuf_putc(&val, s[p++]);
			}
			vl = p - v;
		} else {
			v = ++p;
			for (;;) {
				if (!s[p]) {
					sbuf_release(&val);
					fail(err, "unterminated quoted string in the connection string");
					return -1;
				}
				if (s[p] == '\\') {
					p++;
					if (s[p])
						sbuf_putc(&val, s[p++]);
					continue;
				}
				if (s[p] == '\'')
					break;
				sbuf_putc(&val, s[p++]);
			}
			vl = p - v;
			p++;
		}
		store(ci, raw, xstrndup(s + k, kl), sbuf_detach(&val), v, vl);
	}
	return 0;
}

/* Count the elements of a comma list ("" is one empty element). */
static size_t count_list(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* The i-th element of a comma list, as a new string. */
static char *list_item(const char *s, size_t i)
{
	const char *e;

	while (i--)
		s = strchr(s, ',') + 1;
	e = strchr(s, ',');
	return e ? xstrndup(s, (size_t)(e - s)) : xstrdup(s);
}

static void parse_port(const char *s, struct conninfo_host *h)
{
	uint64_t v = 0;
	const char *p;

	h->port = CONNINFO_DEFAULT_PORT;
	h->port_valid = true;
	if (!*s)
		return;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > 65535) {
			h->port_valid = false;
			h->port = 0;
			return;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	h->port = v;
	h->port_valid = v >= 1 && v <= 65535;
}

/* Pair hosts with ports as libpq's connectOptions2 does. */
static int pair_hosts(struct conninfo *ci, const struct raw *raw, char **err)
{
	const char *hosts = raw->host ? raw->host : raw->hostaddr;
	size_t nh, np, i;

	if (!hosts)
		return 0;
	nh = count_list(hosts);
	np = raw->port ? count_list(raw->port) : 0;
	if (np > 1 && np != nh) {
		fail(err, "could not match %zu port numbers to %zu hosts", np, nh);
		return -1;
	}
	ci->hosts = xcalloc(nh, sizeof(*ci->hosts));
	ci->nhosts = nh;
	for (i = 0; i < nh; i++) {
		char *port = np == 0 ? xstrdup("") : list_item(raw->port, np == 1 ? 0 : i);
		ci->hosts[i].name = list_item(hosts, i);
		parse_port(port, &ci->hosts[i]);
		free(port);
	}
	return 0;
}

/* The length of a URI prefix libpq (or JDBC) accepts, or 0. */
static size_t uri_prefix(const char *s)
{
	static const char *const prefixes[] = {
		"postgresql://", "postgres://", "jdbc:postgresql://",
	};
	static const char *const schemes[] = { "postgresql+", "postgres+" };
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(prefixes); i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return strlen(prefixes[i]);
	/* SQLAlchemy's dialect+driver: postgresql+psycopg2://, postgresql+asyncpg:// */
	for (i = 0; i < ARRAY_LEN(schemes); i++) {
		if (strncmp(s, schemes[i], strlen(schemes[i])) != 0)
			continue;
		n = strlen(schemes[i]);
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))
			return 0;
		while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
			n++;
		return strncmp(s + n, "://", 3) == 0 ? n + 3 : 0;
	}
	return 0;
}

char *conninfo_encode_userinfo(const char *s)
{
	struct sbuf sb = { 0 };
	size_t start = uri_prefix(s), p, last = 0;

	if (!start)
		return xstrdup(s);
	for (p = start; s[p] && s[p] != '/'; p++)
		if (s[p] == '@')
			last = p;
	for (p = 0; s[p]; p++) {
		if (p >= start && p < last && s[p] == '@')
			sbuf_puts(&sb, "%40");
		else
			sbuf_putc(&sb, s[p]);
	}
	return sbuf_detach(&sb);
}

int conninfo_parse(const char *s, struct conninfo *ci, char **err)
{
	struct raw raw = { NULL, NULL, NULL };
	size_t start = uri_prefix(s);
	int rc;

	memset(ci, 0, sizeof(*ci));
	if (err)
		*err = NULL;
	ci->uri = start > 0;
	rc = ci->uri ? parse_uri(s, start, ci, &raw, err) : parse_kv(s, ci, &raw, err);
	if (rc == 0)
		rc = pair_hosts(ci, &raw, err);
	free(raw.host);
	free(raw.hostaddr);
	free(raw.port);
	if (rc != 0)
		conninfo_release(ci);
	return rc;
}

void conninfo_release(struct conninfo *ci)
{
	size_t i;

	if (!ci)
		return;
	for (i = 0; i < ci->nhosts; i++)
		free(ci->hosts[i].name);
	for (i = 0; i < ci->nparams; i++) {
		free(ci->keys[i]);
		free(ci->vals[i]);
	}
	free(ci->hosts);
	free(ci->user);
	free(ci->password);
	free(ci->pw);
	free(ci->keys);
	free(ci->vals);
	memset(ci, 0, sizeof(*ci));
}

const char *conninfo_param(const struct conninfo *ci, const char *key)
{
	size_t i;

	for (i = ci->nparams; i-- > 0;)
		if (strcmp(ci->keys[i], key) == 0)
			return ci->vals[i];
	return NULL;
}

bool conninfo_is_placeholder(const char *s)
{
	size_t n = strlen(s);
	size_t i;

	if (n >= 4 && s[0] == '$' && s[1] == '{' && s[n - 1] == '}')
		return strchr(s + 2, '}') == s + n - 1;
	if (n < 2 || s[0] != '$' || !(isalpha((unsigned char)s[1]) || s[1] == '_'))
		return false;
	for (i = 2; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

bool conninfo_has_literal_password(const struct conninfo *ci)
{
	size_t i;

	for (i = 0; i < ci->npw; i++)
		if (!ci->pw[i].placeholder)
			return true;
	return false;
}

/*
 * The masker. A secret is found two ways, and every span either finds is
 * masked (a password that one reading misses, the other catches):
 *
 *  - conninfo_parse's own password spans, when the text parses;
 *  - a scan of the text by pattern, which needs no grammar: the userinfo of
 *    `scheme://user:SECRET@host` (up to the last '@' before the query, as
 *    the drivers read it), and every `KEY=SECRET` whose key is one of
 *    secret_keys in any case, in key=value conninfo, a URL query or a
 *    semicolon-separated .NET string, with spaces around '=' or not. A
 *    bare value runs to ';', '&', or a blank before the next `key=`; a
 *    quoted value ('...' or "...", with backslash or doubled-quote escapes)
 *    ends at its closing quote, and one that never closes is masked to the
 *    end of the text, so an odd quote cannot leak what follows it.
 *
 * Placeholders (`${NAME}`, `$NAME`) are not secrets and stay as written.
 */
struct spans {
	struct conninfo_span *v;
	size_t n;
};

static void spans_add(struct spans *sp, const char *s, size_t off, size_t len)
{
	char *val;

	if (!len)
		return;
	val = xstrndup(s + off, len);
	if (!conninfo_is_placeholder(val)) {
		sp->v = xrealloc(sp->v, (sp->n + 1) * sizeof(*sp->v));
		sp->v[sp->n].off = off;
		sp->v[sp->n].len = len;
		sp->v[sp->n].placeholder = false;
		sp->n++;
	}
	free(val);
}

/* Key names whose value is a secret (libpq's, Npgsql's and ODBC's), longest first. */
static const char *const secret_keys[] = { "sslpassword", "password", "passwd", "pwd" };

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The length of the secret key starting at s[p] (on a word boundary), or 0. */
static size_t secret_key_at(const char *s, size_t p)
{
	size_t i, n;

	if (p > 0 && is_word(s[p - 1]))
		return 0;
	for (i = 0; i < ARRAY_LEN(secret_keys); i++) {
		n = strlen(secret_keys[i]);
		if (strncasecmp(s + p, secret_keys[i], n) == 0 && !is_word(s[p + n]))
			return n;
	}
	return 0;
}

/*
 * Does the blank at s[p] end a bare value: is it followed by the end of the
 * text or by the next `key=`? A .NET value runs to its ';' with spaces in
 * it (`Password=my secret;`), and libpq refuses `password=a b c=d`, so any
 * other blank is taken as part of the value.
 */
static bool next_is_key(const char *s, size_t p)
{
	size_t k;

	while (isspace((unsigned char)s[p]))
		p++;
	if (!s[p])
		return true;
	for (k = p; is_word(s[k]); k++)
		;
	if (k == p)
		return false;
	while (s[k] == ' ' || s[k] == '\t')
		k++;
	return s[k] == '=';
}

/*
 * The value after `KEY` at s[p] (p just past the key): its span, and the
 * offset where scanning resumes. Returns false when no '=' follows.
 */
static bool scan_value(const char *s, size_t p, size_t *off, size_t *len, size_t *next)
{
	char q;

	while (s[p] == ' ' || s[p] == '\t')
		p++;
	if (s[p] != '=')
		return false;
	p++;
	while (s[p] == ' ' || s[p] == '\t')
		p++;
	if (s[p] == '\'' || s[p] == '"') {
		q = s[p++];
		*off = p;
		for (; s[p]; p++) {
			if (s[p] == '\\' && s[p + 1]) {
				p++;
			} else if (s[p] == q && s[p + 1] == q) {
				p++;
			} else if (s[p] == q) {
				break;
			}
		}
		*len = p - *off;
		*next = s[p] ? p + 1 : p;
		return true;
	}
	*off = p;
	if (strncmp(s + p, "***", 3) == 0 && (s[p + 3] == '\'' || s[p + 3] == '"')) {
		/* masked already, inside a message's quotes: masking again keeps the quote */
		*len = 3;
		*next = p + 3;
		return true;
	}
	for (; s[p] && s[p] != ';' && s[p] != '&'; p++) {
		if (s[p] == '\\' && s[p + 1])
			p++;
		else if (isspace((unsigned char)s[p]) && next_is_key(s, p))
			break;
	}
	*len = p - *off;
	*next = p;
	return true;
}

/*
 * `://user:SECRET@` at s[p] (p at the ':' of "://"): the password is what
 * lies between the first ':' and the last '@' before a '?', '#' or space,
 * when that ':' comes before the first '@'.
 */
static void scan_userinfo(const char *s, size_t p, struct spans *sp)
{
	size_t i = p + 3, colon = 0, first_at = 0, last_at = 0;

	for (; s[i] && s[i] != '?' && s[i] != '#' && !isspace((unsigned char)s[i]); i++) {
		if (s[i] == ':' && !colon)
			colon = i;
		if (s[i] == '@') {
			if (!first_at)
				first_at = i;
			last_at = i;
		}
	}
	if (colon && first_at && colon < first_at)
		spans_add(sp, s, colon + 1, last_at - colon - 1);
}

static void scan_patterns(const char *s, struct spans *sp)
{
	size_t p = 0, k, off, len, next;

	while (s[p]) {
		if (strncmp(s + p, "://", 3) == 0) {
			scan_userinfo(s, p, sp);
			p += 3;
		} else if ((k = secret_key_at(s, p)) != 0 && scan_value(s, p + k, &off, &len, &next)) {
			spans_add(sp, s, off, len);
			p = next;
		} else {
			p++;
		}
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct conninfo_span *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

bool mask_may_change(const char *s)
{
	const char *p;

	/* a URI's password sits in its userinfo, before an '@' */
	if (strchr(s, '@') && strstr(s, "://"))
		return true;
	for (p = s; (p = strpbrk(p, "pP")) != NULL; p++)
		if (strncasecmp(p, "pass", 4) == 0 || strncasecmp(p, "pwd", 3) == 0)
			return true;
	return false;
}

char *mask_password(const char *s)
{
	struct conninfo ci;
	struct spans sp = { NULL, 0 };
	struct sbuf sb = { 0 };
	size_t i, at = 0;

	if (!mask_may_change(s))
		return xstrdup(s);
	if (conninfo_parse(s, &ci, NULL) == 0) {
		for (i = 0; i < ci.npw; i++)
			if (!ci.pw[i].placeholder)
				spans_add(&sp, s, ci.pw[i].off, ci.pw[i].len);
		conninfo_release(&ci);
	}
	scan_patterns(s, &sp);
	if (sp.n)
		qsort(sp.v, sp.n, sizeof(*sp.v), span_cmp);
	for (i = 0; i < sp.n; i++) {
		size_t end = sp.v[i].off + sp.v[i].len;

		if (end <= at)
			continue; /* inside a span already masked */
		if (sp.v[i].off >= at) {
			sbuf_add(&sb, s + at, sp.v[i].off - at);
			sbuf_puts(&sb, "***");
		}
		at = end; /* an overlapping span widens the one before */
	}
	sbuf_puts(&sb, s + at);
	free(sp.v);
	return sbuf_detach(&sb);
}

char *mask_vasprintf(const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap), *masked = mask_password(raw);

	free(raw);
	return masked;
}
