/*
 * pgbouncer.c - pgbouncer.ini, read with inih set up as PgBouncer's own
 * parser (libusual cfparser.c) reads its file: `;` and `#` comment lines, a
 * value running to the end of its line (no inline comments, no continuation
 * lines), `name = value` only, and `%include FILE`, which we resolve
 * relative to the including file (PgBouncer itself uses its working
 * directory, which a linter cannot know).
 *
 * What PgBouncer refuses to start with is refused here, in its words
 * (cfparser.c and src/loader.c of PgBouncer 1.25.2; checked against
 * Debian's pgbouncer 1.18, which refuses the same files): a section other
 * than [pgbouncer], [databases], [users] and [peers], names compared as
 * written ("invalid section"); a [pgbouncer] key it does not know, also
 * compared as written ("unknown parameter": PgBouncer 1.x refuses to start,
 * it does not warn); a value its type does not take ("invalid value"); a
 * key that is not cfparser's word or 'quoted' name ("syntax error"); a
 * file without [pgbouncer] ("main section missing"). A later [pgbouncer]
 * header resets every [pgbouncer] value before it to its default, as
 * cfparser's fill_defaults does, so its settings are dropped here.
 */
#include "config.h"

#include <ctype.h>
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
#include "load.h"

/* What an ini read shares across its %include files. */
struct ini_read {
	struct arena *a;
	struct config_file *out;
	char **err;
	bool failed;
	bool got_main;           /* a [pgbouncer] header was seen */
};

/* One ini file being read: the source of inih's reader and the handler's context. */
struct ini_src {
	struct ini_read *r;
	const char *file;        /* display path, in the arena */
	const char *buf;
	size_t len, off;
	uint32_t line;           /* the line last handed to inih */
	const char *line_ptr;    /* its start */
	bool at_line_start;
	char section[64];        /* the last [section] seen, for %include */
	const char *inherited;   /* the section in effect where this file was included */
	int depth;
};

static int ini_read_file(struct ini_read *r, const char *path, struct pos from, int depth,
			 const char *inherited);

/* How PgBouncer reads a [pgbouncer] value (the CfOps of its CF_ABS rows). */
enum bouncer_param_type {
	BP_INT,       /* CF_INT, cf_set_int: strtol base 0, the whole value, sign allowed */
	BP_UINT,      /* CF_UINT, cf_set_uint: strtoul base 0, the whole value */
	BP_TIME,      /* CF_TIME_USEC: seconds, a non-negative decimal, no unit */
	BP_STR,       /* CF_STR: anything */
	BP_AUTHDB,    /* CF_AUTHDB: a string other than "pgbouncer" */
	BP_AUTH_TYPE, /* CF_LOOKUP(auth_type_map), ignoring case */
	BP_POOL_MODE, /* CF_LOOKUP(pool_mode_map) */
	BP_SSLMODE,   /* CF_LOOKUP(sslmode_map) */
};

/*
 * Every [pgbouncer] parameter of PgBouncer 1.25.2 (the bouncer_params table
 * of its src/main.c, described in doc/config.md) with its type and the
 * first release whose table has it. "1.4" means 1.4 or earlier: the table
 * took this form in 1.4. service_name, a Windows-only alias of job_name,
 * is left out, as a Linux build leaves it out. Names are compared as
 * written: PgBouncer's find_key uses strcmp.
 */
static const struct bouncer_param {
	const char *name;
	enum bouncer_param_type type;
	const char *since;
} bouncer_params[] = {
	{ "admin_users", BP_STR, "1.4" },
	{ "application_name_add_host", BP_INT, "1.6" },
	{ "auth_dbname", BP_AUTHDB, "1.19" },
	{ "auth_file", BP_STR, "1.4" },
	{ "auth_hba_file", BP_STR, "1.7" },
	{ "auth_ident_file", BP_STR, "1.23" },
	{ "auth_ldap_options", BP_STR, "1.25" },
	{ "auth_query", BP_STR, "1.6" },
	{ "auth_type", BP_AUTH_TYPE, "1.4" },
	{ "auth_user", BP_STR, "1.8" },
	{ "autodb_idle_timeout", BP_TIME, "1.4" },
	{ "cancel_wait_timeout", BP_TIME, "1.19" },
	{ "client_idle_timeout", BP_TIME, "1.4" },
	{ "client_login_timeout", BP_TIME, "1.4" },
	{ "client_tls13_ciphers", BP_STR, "1.25" },
	{ "client_tls_ca_file", BP_STR, "1.7" },
	{ "client_tls_cert_file", BP_STR, "1.7" },
	{ "client_tls_ciphers", BP_STR, "1.7" },
	{ "client_tls_dheparams", BP_STR, "1.7" },
	{ "client_tls_ecdhcurve", BP_STR, "1.7" },
	{ "client_tls_key_file", BP_STR, "1.7" },
	{ "client_tls_protocols", BP_STR, "1.7" },
	{ "client_tls_sslmode", BP_SSLMODE, "1.7" },
	{ "conffile", BP_STR, "1.4" },
	{ "default_pool_size", BP_INT, "1.4" },
	{ "disable_pqexec", BP_INT, "1.4" },
	{ "dns_max_ttl", BP_TIME, "1.4" },
	{ "dns_nxdomain_ttl", BP_TIME, "1.6" },
	{ "dns_zone_check_period", BP_TIME, "1.5" },
	{ "idle_transaction_timeout", BP_TIME, "1.5" },
	{ "ignore_startup_parameters", BP_STR, "1.4" },
	{ "job_name", BP_STR, "1.4" },
	{ "listen_addr", BP_STR, "1.4" },
	{ "listen_backlog", BP_INT, "1.4" },
	{ "listen_port", BP_INT, "1.4" },
	{ "log_connections", BP_INT, "1.4" },
	{ "log_disconnections", BP_INT, "1.4" },
	{ "log_pooler_errors", BP_INT, "1.4" },
	{ "log_stats", BP_INT, "1.11" },
	{ "logfile", BP_STR, "1.4" },
	{ "max_client_conn", BP_INT, "1.4" },
	{ "max_db_client_connections", BP_INT, "1.24" },
	{ "max_db_connections", BP_INT, "1.6" },
	{ "max_packet_size", BP_UINT, "1.6" },
	{ "max_prepared_statements", BP_INT, "1.21" },
	{ "max_user_client_connections", BP_INT, "1.24" },
	{ "max_user_connections", BP_INT, "1.6" },
	{ "min_pool_size", BP_INT, "1.5" },
	{ "peer_id", BP_INT, "1.19" },
	{ "pidfile", BP_STR, "1.4" },
	{ "pkt_buf", BP_INT, "1.4" },
	{ "pool_mode", BP_POOL_MODE, "1.4" },
	{ "query_timeout", BP_TIME, "1.4" },
	{ "query_wait_notify", BP_INT, "1.25" },
	{ "query_wait_timeout", BP_TIME, "1.4" },
	{ "reserve_pool_size", BP_INT, "1.4" },
	{ "reserve_pool_timeout", BP_TIME, "1.4" },
	{ "resolv_conf", BP_STR, "1.12" },
	{ "sbuf_loopcnt", BP_INT, "1.4" },
	{ "scram_iterations", BP_INT, "1.25" },
	{ "server_check_delay", BP_TIME, "1.4" },
	{ "server_check_query", BP_STR, "1.4" },
	{ "server_connect_timeout", BP_TIME, "1.4" },
	{ "server_fast_close", BP_INT, "1.9" },
	{ "server_idle_timeout", BP_TIME, "1.4" },
	{ "server_lifetime", BP_TIME, "1.4" },
	{ "server_login_retry", BP_TIME, "1.4" },
	{ "server_reset_query", BP_STR, "1.4" },
	{ "server_reset_query_always", BP_INT, "1.7" },
	{ "server_round_robin", BP_INT, "1.4" },
	{ "server_tls13_ciphers", BP_STR, "1.25" },
	{ "server_tls_ca_file", BP_STR, "1.7" },
	{ "server_tls_cert_file", BP_STR, "1.7" },
	{ "server_tls_ciphers", BP_STR, "1.7" },
	{ "server_tls_key_file", BP_STR, "1.7" },
	{ "server_tls_protocols", BP_STR, "1.7" },
	{ "server_tls_sslmode", BP_SSLMODE, "1.7" },
	{ "so_reuseport", BP_INT, "1.12" },
	{ "stats_period", BP_INT, "1.4" },
	{ "stats_users", BP_STR, "1.4" },
	{ "suspend_timeout", BP_TIME, "1.4" },
	{ "syslog", BP_INT, "1.4" },
	{ "syslog_facility", BP_STR, "1.4" },
	{ "syslog_ident", BP_STR, "1.4" },
	{ "tcp_defer_accept", BP_INT, "1.4" },
	{ "tcp_keepalive", BP_INT, "1.4" },
	{ "tcp_keepcnt", BP_INT, "1.4" },
	{ "tcp_keepidle", BP_INT, "1.4" },
	{ "tcp_keepintvl", BP_INT, "1.4" },
	{ "tcp_socket_buffer", BP_INT, "1.4" },
	{ "tcp_user_timeout", BP_INT, "1.13" },
	{ "track_extra_parameters", BP_STR, "1.20" },
	{ "transaction_timeout", BP_TIME, "1.25" },
	{ "unix_socket_dir", BP_STR, "1.4" },
	{ "unix_socket_group", BP_STR, "1.6" },
	{ "unix_socket_mode", BP_INT, "1.6" },
	{ "user", BP_STR, "1.4" },
	{ "verbose", BP_INT, "1.4" },
};

/* The sections PgBouncer 1.25 knows (config_sects in src/main.c); [peers] since 1.19. */
static const char *const bouncer_sections[] = { "pgbouncer", "databases", "users", "peers" };

static const struct bouncer_param *find_param(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(bouncer_params); i++)
		if (strcmp(bouncer_params[i].name, name) == 0)
			return &bouncer_params[i];
	return NULL;
}

/* cf_set_lookup: one of names, ignoring case. */
static bool in_lookup(const char *const *names, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(names[i], v) == 0)
			return true;
	return false;
}

/*
 * Does PgBouncer take value v for a parameter of this type? Its setters in
 * libusual cfparser.c (cf_set_int, cf_set_uint, cf_set_time_usec,
 * cf_set_lookup) and src/util.c (cf_set_authdb), done the same way: strtol
 * and strtoul take the value whole but ignore overflow, times are
 * strtod's and must not be negative.
 */
static bool param_value_ok(enum bouncer_param_type type, const char *v)
{
	/* auth_type_map: ldap only in builds with LDAP (1.25), pam with PAM (Debian's has it) */
	static const char *const auth_types[] = { "any", "trust", "plain", "md5", "cert", "hba",
						  "ldap", "pam", "scram-sha-256" };
	static const char *const modes[] = { "session", "transaction", "statement" };
	static const char *const sslmodes[] = { "disable", "allow", "prefer", "require",
						"verify-ca", "verify-full" };
	char *end;
	double d;

	switch (type) {
	case BP_INT:
		(void)strtol(v, &end, 0);
		return end != v && !*end;
	case BP_UINT:
		(void)strtoul(v, &end, 0);
		return end != v && !*end;
	case BP_TIME:
		errno = 0;
		d = strtod(v, &end);
		return !errno && end != v && !*end && !(d < 0);
	case BP_STR:
		return true;
	case BP_AUTHDB:
		return strcmp(v, "pgbouncer") != 0;
	case BP_AUTH_TYPE:
		return in_lookup(auth_types, ARRAY_LEN(auth_types), v);
	case BP_POOL_MODE:
		return in_lookup(modes, ARRAY_LEN(modes), v);
	case BP_SSLMODE:
		return in_lookup(sslmodes, ARRAY_LEN(sslmodes), v);
	}
	return false;
}

/* Skip a UTF-8 byte order mark on line 1 (inih skips it too) and blanks. */
static const char *ini_line_text(const struct ini_src *s)
{
	const char *p = s->line_ptr;

	if (s->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v')
		p++;
	return p;
}

/* Fail at p on the current line with PgBouncer's words for a line it cannot parse. */
static bool ini_syntax_error(struct ini_src *s, const char *p)
{
	config_fail_at(s->r->err, pos_make(s->file, s->line, config_column_of(s->line_ptr, p)),
		       "syntax error in configuration");
	s->r->failed = true;
	return false;
}

/*
 * A [section] header at p (eol ends its line): cfparser takes the name up
 * to ']' as written and refuses a section PgBouncer does not know; after
 * ']' we allow blanks and a comment only (cfparser would also take a
 * `name = value` there). A [pgbouncer] header drops the [pgbouncer]
 * settings read so far: PgBouncer's fill_defaults resets them. Returns
 * false on an error (reported).
 */
static bool ini_section(struct ini_src *s, const char *p, const char *eol)
{
	const char *q = memchr(p, ']', (size_t)(eol - p)), *t;
	struct config_file *f = s->r->out;
	size_t n, i, j;

	if (!q)
		return ini_syntax_error(s, p);
	for (t = q + 1; t < eol && (*t == ' ' || *t == '\t' || *t == '\r'); t++)
		;
	if (t < eol && *t != ';' && *t != '#')
		return ini_syntax_error(s, t);
	n = (size_t)(q - p - 1);
	for (i = 0; i < ARRAY_LEN(bouncer_sections); i++)
		if (strlen(bouncer_sections[i]) == n && memcmp(bouncer_sections[i], p + 1, n) == 0)
			break;
	if (i == ARRAY_LEN(bouncer_sections)) {
		config_fail_at(s->r->err, pos_make(s->file, s->line, config_column_of(s->line_ptr, p)),
			       "invalid section \"%.*s\" in configuration (PgBouncer knows [pgbouncer], "
			       "[databases], [users] and [peers])", (int)n, p + 1);
		s->r->failed = true;
		return false;
	}
	memcpy(s->section, p + 1, n);
	s->section[n] = '\0';
	if (i == 0) {
		s->r->got_main = true;
		for (i = j = 0; i < f->n; i++)
			if (strcmp(f->v[i].section, "pgbouncer") != 0)
				f->v[j++] = f->v[i];
		f->n = j;
	}
	return true;
}

/*
 * A line starting a new line of the file: remember [section] headers, and
 * follow `%include FILE` here (the reader hands inih an empty line for it,
 * so line numbers stay right). Returns false when the include failed.
 */
static bool ini_line_start(struct ini_src *s, bool *consumed)
{
	const char *p = ini_line_text(s), *q, *eol;
	char *path;
	size_t n;
	int rc;

	*consumed = false;
	eol = strchr(p, '\n');
	if (!eol)
		eol = p + strlen(p);
	if (*p == '[')
		return ini_section(s, p, eol);
	if (strncmp(p, "%include", 8) != 0 || !strchr(" \t\r\n", p[8]))
		return true;
	*consumed = true;
	for (q = p + 8; *q == ' ' || *q == '\t'; q++)
		;
	n = (size_t)(eol - q);
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\r'))
		n--;
	if (!n) {
		config_fail_at(s->r->err, pos_make(s->file, s->line, config_column_of(s->line_ptr, p)),
			"%%include: empty file name");
		s->r->failed = true;
		return false;
	}
	path = xstrndup(q, n);
	{
		struct pos at = pos_make(s->file, s->line, config_column_of(s->line_ptr, p));
		const char *inc = config_resolve_include(s->r->a, s->file, path, at, s->r->err);

		rc = inc ? ini_read_file(s->r, inc, at, s->depth + 1,
					 *s->section ? s->section : s->inherited) : -1;
	}
	free(path);
	if (rc != 0)
		s->r->failed = true;
	return rc == 0;
}

/* inih's reader: the next line of the buffer (or as much as fits in num - 1). */
static char *ini_next_line(char *str, int num, void *stream)
{
	struct ini_src *s = stream;
	size_t n = 0;
	bool consumed;

	if (s->r->failed || s->off >= s->len || num < 2)
		return NULL;
	if (s->at_line_start) {
		s->line++;
		s->line_ptr = s->buf + s->off;
		if (!ini_line_start(s, &consumed))
			return NULL;
		if (consumed) {
			while (s->off < s->len && s->buf[s->off++] != '\n')
				;
			strcpy(str, "\n");
			return str;
		}
	}
	while (n < (size_t)num - 1 && s->off < s->len) {
		char c = s->buf[s->off++];
		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = '\0';
	s->at_line_start = str[n - 1] == '\n';
	return str;
}

/* inih's handler: one name = value of the current section. */
static int ini_on_setting(void *user, const char *section, const char *name, const char *value)
{
	struct ini_src *s = user;
	const char *p = ini_line_text(s), *q;
	struct pos pos = pos_make(s->file, s->line, config_column_of(s->line_ptr, p));
	char *sec, *key;

	if (!*section)
		section = s->inherited;
	if (!*section) {
		config_fail_at(s->r->err, pos, "value without section: %s (put it under [pgbouncer], "
			       "[databases] or [users])", str_clip(name));
		goto fail;
	}
	/*
	 * cfparser's key: a run of letters, digits and _.-*, or a 'quoted'
	 * name, then `=` (where inih also takes `name: value`, or any text)
	 */
	if (*p == '\'') {
		q = strchr(p + 1, '\'');
		if (!q || q == p + 1 || (size_t)(q - p - 1) != strlen(name) - 2)
			return ini_syntax_error(s, p) ? 1 : 0;
		key = arena_strndup(s->r->a, p + 1, (size_t)(q - p - 1));
		q++;
	} else {
		for (q = p; *q && (isalnum((unsigned char)*q) || strchr("_.-*", *q)); q++)
			;
		if (q == p || (size_t)(q - p) != strlen(name))
			return ini_syntax_error(s, q) ? 1 : 0;
		key = arena_strndup(s->r->a, p, (size_t)(q - p));
	}
	while (*q == ' ' || *q == '\t')
		q++;
	if (*q != '=')
		return ini_syntax_error(s, q) ? 1 : 0;
	sec = arena_strdup(s->r->a, section);
	if (strcmp(sec, "pgbouncer") == 0) {
		const struct bouncer_param *bp = find_param(key);

		if (!bp) {
			config_fail_at(s->r->err, pos, "unknown parameter: pgbouncer/%s", key);
			goto fail;
		}
		if (!param_value_ok(bp->type, value)) {
			config_fail_at(s->r->err, pos, "invalid value \"%s\" for parameter %s in configuration",
				       value, key);
			goto fail;
		}
	} else if (strcmp(sec, "databases") == 0 && strcmp(key, "pgbouncer") == 0) {
		config_fail_at(s->r->err, pos, "database name \"pgbouncer\" is reserved");
		goto fail;
	} else if (strcmp(sec, "peers") == 0) {
		char *end;
		long id = strtol(key, &end, 10);

		/* parse_peer: strtonum(name, 1, 0xFFFF) */
		if (!isdigit((unsigned char)*key) || *end || id < 1 || id > 0xFFFF) {
			config_fail_at(s->r->err, pos, "ids of peers must be a number larger than 0 and at "
				       "most 65536, got \"%s\"", key);
			goto fail;
		}
	}
	config_add_setting(s->r->out, sec, key, arena_strdup(s->r->a, value), NULL, pos);
	return 1;
fail:
	s->r->failed = true;
	return 0;
}

/*
 * Set inih up as PgBouncer reads its file. These are Debian's libinih
 * run-time switches (libinih1 55: the compile-time INI_* options of
 * upstream's ini.h exported as variables).
 */
static void ini_configure(void)
{
	ini_allow_multiline = false;       /* no continuation lines */
	ini_allow_inline_comments = false; /* a value runs to the end of its line */
	ini_stop_on_first_error = true;
	ini_allow_no_value = false;
	ini_use_stack = false;             /* lines of any length: a heap buffer that grows */
	ini_allow_realloc = true;
	ini_max_line = LOAD_MAX_FILE_BYTES + 3;
}

static int ini_read_file(struct ini_read *r, const char *path, struct pos from, int depth,
			 const char *inherited)
{
	struct ini_src s;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (config_read_nested(path, from, depth, false, &buf, &len, r->err) != 0)
		return -1;
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.file = path;
	s.buf = buf;
	s.len = len;
	s.line_ptr = buf;
	s.at_line_start = true;
	s.inherited = inherited;
	s.depth = depth;
	ini_configure();
	rc = ini_parse_stream(ini_next_line, &s, ini_on_setting, &s);
	if (rc != 0 && !r->failed) {
		const char *p = ini_line_text(&s);
		struct pos pos = pos_make(path, rc > 0 ? (uint32_t)rc : s.line, config_column_of(s.line_ptr, p));

		if (rc < 0)
			config_fail_at(r->err, pos, "cannot read configuration file '%s': out of memory", path);
		else
			config_fail_at(r->err, pos, "syntax error in configuration");
		r->failed = true;
	}
	free(buf);
	return r->failed ? -1 : 0;
}

int config_read_pgbouncer(struct arena *a, const char *path, struct pos from,
			  struct config_file *out, char **err)
{
	struct ini_read r = { a, out, err, false, false };
	const char *file = arena_strdup(a, path);

	if (ini_read_file(&r, file, from, 0, "") != 0)
		return -1;
	/* cf_load_file: "load_init_file: main section missing from config file" */
	if (!r.got_main)
		return config_fail_at(err, pos_make(file, 1, 1), "main section missing from config file "
				      "(PgBouncer does not start without a [pgbouncer] section)");
	return 0;
}

