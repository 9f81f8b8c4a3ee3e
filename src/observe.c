/*
 * observe.c - see observe.h: `connbudget observe`, the topology held
 * against a live PostgreSQL (and PgBouncer).
 *
 * Only read-only statements go to the servers: SELECT from pg_settings and
 * pg_stat_activity; SHOW CONFIG, SHOW POOLS and SHOW DATABASES on
 * PgBouncer's admin console, which speaks only the simple query protocol
 * (PQexec). libpq comes from pq_load, so `check` never loads it.
 */
#include "observe.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "appname.h"
#include "catalog.h"
#include "command.h"
#include "pq.h"
#include "util.h"
#include "quote.h"

/*--- durations ---------------------------------------------------------------*/

/* The units of a topology duration (docs/decisions.md), in milliseconds. */
static const struct {
	const char *name;
	uint64_t ms;
} duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "min", 60 * 1000 }, { "h", 60 * 60 * 1000 },
	{ "d", 24 * 60 * 60 * 1000 },
};

bool observe_parse_duration(const char *s, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0, scale = 1, unit = 1, v;
	const char *p = s;
	size_t i;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if (!u64_mul(whole, 10, &whole) || !u64_add(whole, (uint64_t)(*p - '0'), &whole))
			return false;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		/* Keep up to 6 decimals: below a nanosecond nothing survives anyway. */
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale < 1000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p == ' ')
		p++;
	if (*p) {
		for (i = 0; i < ARRAY_LEN(duration_units); i++)
			if (strcmp(p, duration_units[i].name) == 0)
				break;
		if (i == ARRAY_LEN(duration_units))
			return false;
		unit = duration_units[i].ms;
	} else if (scale != 1 || p[-1] == ' ') {
		return false; /* a bare number is integer milliseconds */
	}
	if (!u64_mul(whole, unit, &v) || !u64_add(v, frac * unit / scale, &v))
		return false;
	*ms = v;
	return true;
}

/* ms as the topology would write it: the largest unit that divides it. */
static void format_duration(char buf[32], uint64_t ms)
{
	size_t i = ARRAY_LEN(duration_units);

	if (ms == 0) {
		snprintf(buf, 32, "0 (disabled)");
		return;
	}
	while (--i > 0)
		if (ms % duration_units[i].ms == 0)
			break;
	snprintf(buf, 32, "%" PRIu64 "%s", ms / duration_units[i].ms, duration_units[i].name);
}

/* An age, to the second once it is one. */
static void format_age(char buf[32], uint64_t ms)
{
	if (ms < 1000)
		snprintf(buf, 32, "%" PRIu64 "ms", ms);
	else
		snprintf(buf, 32, "%" PRIu64 "s", ms / 1000);
}

/*--- talking to the servers --------------------------------------------------*/

/* Drop trailing newlines and blanks from libpq's messages, in place. */
static char *trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/*
 * libpq's parse errors quote pieces of the connection string (`missing "="
 * after "x"`), and a malformed password may be such a piece. Return a copy
 * of msg (caller frees) in which every quoted piece is "***" unless the
 * DSN writes it as a keyword (followed by '=').
 */
static char *redact_quoted(const char *msg, const char *dsn)
{
	struct sbuf b = { 0 };
	const char *p = msg, *q, *end;

	while ((q = strchr(p, '"')) && (end = strchr(q + 1, '"'))) {
		size_t len = (size_t)(end - q - 1);
		char *piece = xstrndup(q + 1, len);
		char *keyword = xasprintf("%s=", piece);
		bool keep = len > 0 && strstr(dsn, keyword) != NULL;

		sbuf_add(&b, p, (size_t)(q - p) + 1);
		sbuf_puts(&b, keep ? piece : "***");
		sbuf_putc(&b, '"');
		free(piece);
		free(keyword);
		p = end + 1;
	}
	sbuf_puts(&b, p);
	return sbuf_detach(&b);
}

/*
 * The DSN for messages: mask_password's "***" for the password, and, as
 * a second guard, every occurrence of the password libpq reads from it
 * (mask_password leaves what looks like a ${PLACEHOLDER} alone, but a
 * DSN given to observe holds the real thing). Caller frees.
 */
static char *mask_dsn(const struct pq_api *pq, const char *dsn)
{
	char *encoded = conninfo_encode_userinfo(dsn);
	struct pq_conninfo_option *opts = pq->conninfo_parse(encoded, NULL), *op;
	char *masked = mask_password(dsn);

	for (op = opts; op && op->keyword; op++) {
		struct sbuf b = { 0 };
		const char *p = masked, *q;
		size_t len;

		if (strcmp(op->keyword, "password") != 0 || !op->val || !*op->val)
			continue;
		len = strlen(op->val);
		while ((q = strstr(p, op->val))) {
			sbuf_add(&b, p, (size_t)(q - p));
			sbuf_puts(&b, "***");
			p = q + len;
		}
		sbuf_puts(&b, p);
		free(masked);
		masked = sbuf_detach(&b);
	}
	if (opts)
		pq->conninfo_free(opts);
	free(encoded);
	return masked;
}

/* A non-negative decimal integer, the whole string. */
static bool parse_u64(const char *s, uint64_t *v);

/*
 * Connect to dsn within the run's deadline (s->deadline_ms): PQconninfoParse
 * reads it (key=value or URI) and the options go to libpq as arrays, never
 * spliced into a string. A connect_timeout in the DSN (or PGCONNECT_TIMEOUT)
 * bounds the whole attempt, across every host it lists, and a deadline is
 * always there, so connect_timeout=0 cannot wait forever. Added when
 * absent: fallback_application_name, and for PgBouncer's console (admin)
 * dbname "pgbouncer" (unless PGDATABASE is set). what names the server and
 * option the command-line option in messages. Returns 0 with s connected
 * (pq_session_finish frees it), or -1 with *err showing the DSN only with
 * its password masked.
 */
static int connect_dsn(struct pq_session *s, const char *dsn, const char *what, const char *option, bool admin, char **err)
{
	const struct pq_api *pq = s->pq;
	struct pq_conninfo_option *opts, *op;
	const char **kw = NULL, **val = NULL;
	char *perr = NULL, *why = NULL, *masked = mask_dsn(pq, dsn);
	char *encoded = conninfo_encode_userinfo(dsn);
	const char *timeout = getenv("PGCONNECT_TIMEOUT");
	const char *env_db = getenv("PGDATABASE");
	bool has_db = admin ? env_db && *env_db : true;
	bool has_fallback = false;
	uint64_t secs = 0;
	size_t n = 0, count = 0;
	int rc = -1;

	/* libpq would take `p@ss@db` as the password "p" and the host "ss@db", and quote the host */
	opts = pq->conninfo_parse(encoded, &perr);
	if (!opts) {
		/* Not echoed even masked: where the password ends is unknown. */
		why = perr ? redact_quoted(trim(perr), dsn) : xstrdup("out of memory");
		*err = xasprintf("%s is not a connection string libpq accepts: %s", option, why);
		goto out;
	}
	for (op = opts; op->keyword; op++)
		count++;
	kw = xcalloc(count + 3, sizeof(*kw));
	val = xcalloc(count + 3, sizeof(*val));
	for (op = opts; op->keyword; op++) {
		if (!op->val)
			continue;
		if (strcmp(op->keyword, "connect_timeout") == 0)
			timeout = op->val;
		else if (strcmp(op->keyword, "dbname") == 0)
			has_db = true;
		else if (strcmp(op->keyword, "fallback_application_name") == 0)
			has_fallback = true;
		kw[n] = op->keyword;
		val[n++] = op->val;
	}
	if (!has_fallback) {
		kw[n] = "fallback_application_name";
		val[n++] = "connbudget";
	}
	if (!has_db) {
		kw[n] = "dbname";
		val[n++] = "pgbouncer";
	}
	/* libpq's own reading of connect_timeout: whole seconds, 0 none, at least 2 */
	if (timeout && parse_u64(timeout, &secs) && secs > 0 && secs < 2)
		secs = 2;
	if (secs > OBSERVE_TIMEOUT_MAX_MS / 1000)
		secs = OBSERVE_TIMEOUT_MAX_MS / 1000;
	if (pq_session_connect(s, kw, val, secs * 1000, &why) != 0) {
		*err = xasprintf("cannot connect to %s at '%s': %s", what, masked, why);
		goto out;
	}
	rc = 0;
out:
	free(why);
	free(kw);
	free(val);
	if (opts)
		pq->conninfo_free(opts);
	if (perr)
		pq->freemem(perr);
	free(masked);
	free(encoded);
	return rc;
}

/*
 * Run one read-only statement that returns rows. Returns the result
 * (caller PQclear-s it), or NULL with *err naming what was being read.
 */
static struct pg_result *query(struct pq_session *s, const char *sql, const char *what, char **err)
{
	char *why = NULL;
	struct pg_result *res = pq_session_query(s, sql, PQ_RES_TUPLES_OK, &why);

	if (res)
		return res;
	*err = xasprintf("reading %s: %s", what, why);
	free(why);
	return NULL;
}

/* The index of the first column of res named one of names (NULL-terminated), or -1. */
static int column(const struct pq_api *pq, const struct pg_result *res, const char *const *names)
{
	int i, n = pq->nfields(res);

	for (; *names; names++)
		for (i = 0; i < n; i++)
			if (strcmp(pq->fname(res, i), *names) == 0)
				return i;
	return -1;
}

/* The text of a cell, or NULL when the column is missing (-1) or the value NULL. */
static const char *cell(const struct pq_api *pq, const struct pg_result *res, int row, int col)
{
	if (col < 0 || pq->getisnull(res, row, col))
		return NULL;
	return pq->getvalue(res, row, col);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	uint64_t r = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (!u64_mul(r, 10, &r) || !u64_add(r, (uint64_t)(*s - '0'), &r))
			return false;
	}
	*v = r;
	return true;
}

/* A cell as an observed_value: absent when missing, NULL or not a count. */
static struct observed_value cell_value(const struct pq_api *pq, const struct pg_result *res,
					int row, int col)
{
	struct observed_value v = { false, 0 };

	v.present = parse_u64(cell(pq, res, row, col), &v.v);
	return v;
}

static char *xstrdup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static const char sql_settings[] =
	"SELECT name, setting, unit FROM pg_catalog.pg_settings WHERE name IN ("
	"'max_connections', 'superuser_reserved_connections', 'reserved_connections', "
	"'idle_in_transaction_session_timeout')";

/*
 * Client backends other than ours; the age of their state in whole ms.
 * Without pg_read_all_stats, other users' rows show no backend_type: a
 * row with a database and a user is then taken for a client backend
 * (background processes have neither, autovacuum workers no user).
 */
static const char sql_sessions[] =
	"SELECT application_name, usename, state, "
	"(extract(epoch FROM pg_catalog.now() - state_change) * 1000)::bigint AS state_age_ms, "
	"backend_type IS NULL AS hidden "
	"FROM pg_catalog.pg_stat_activity "
	"WHERE pid <> pg_catalog.pg_backend_pid() AND (backend_type = 'client backend' OR "
	"(backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL))";

/* pg_settings rows into o: counts as they are, the timeout into ms. */
static void read_settings(const struct pq_api *pq, const struct pg_result *res, struct observed *o)
{
	static const char *const c_name[] = { "name", NULL }, *const c_setting[] = { "setting", NULL },
		*const c_unit[] = { "unit", NULL };
	int cn = column(pq, res, c_name), cs = column(pq, res, c_setting), cu = column(pq, res, c_unit);
	int i, n = pq->ntuples(res);

	for (i = 0; i < n; i++) {
		const char *name = cell(pq, res, i, cn);
		const char *unit = cell(pq, res, i, cu);
		struct observed_value v = cell_value(pq, res, i, cs);

		if (!name)
			continue;
		if (strcmp(name, "max_connections") == 0) {
			o->max_connections = v;
		} else if (strcmp(name, "superuser_reserved_connections") == 0) {
			o->superuser_reserved_connections = v;
		} else if (strcmp(name, "reserved_connections") == 0) {
			o->reserved_connections = v;
		} else if (strcmp(name, "idle_in_transaction_session_timeout") == 0) {
			uint64_t scale = 1;
			size_t k;

			for (k = 0; unit && k < ARRAY_LEN(duration_units); k++)
				if (strcmp(unit, duration_units[k].name) == 0)
					scale = duration_units[k].ms;
			if (v.present && !u64_mul(v.v, scale, &v.v))
				v.present = false;
			o->idle_in_transaction_session_timeout = v;
		}
	}
}

/* pg_stat_activity rows into o->sessions. */
static void read_sessions(const struct pq_api *pq, const struct pg_result *res, struct observed *o)
{
	static const char *const c_app[] = { "application_name", NULL }, *const c_user[] = { "usename", NULL },
		*const c_state[] = { "state", NULL }, *const c_age[] = { "state_age_ms", NULL },
		*const c_hidden[] = { "hidden", NULL };
	int ca = column(pq, res, c_app), cu = column(pq, res, c_user), cs = column(pq, res, c_state),
	    cg = column(pq, res, c_age), ch = column(pq, res, c_hidden);
	int i, n = pq->ntuples(res);

	o->sessions = xcalloc((size_t)n, sizeof(*o->sessions));
	for (i = 0; i < n; i++) {
		struct observed_session *s = &o->sessions[o->nsessions++];
		const char *age = cell(pq, res, i, cg);

		s->application_name = xstrdup_or_empty(cell(pq, res, i, ca));
		s->user = xstrdup_or_empty(cell(pq, res, i, cu));
		s->state = xstrdup_or_empty(cell(pq, res, i, cs));
		s->hidden = cell(pq, res, i, ch) && strcmp(cell(pq, res, i, ch), "t") == 0;
		o->nhidden += s->hidden;
		if (age) {
			/* state_change a moment after our transaction began: age 0 */
			s->has_age = true;
			if (*age == '-' || !parse_u64(age, &s->state_age_ms))
				s->state_age_ms = 0;
		}
	}
}

/*
 * Limit what the server may spend on our statements to what is left of the
 * deadline, so that a lock or a slow catalog ends in the server's own
 * error (and frees the backend) before our deadline cancels it.
 */
static int limit_statements(struct pq_session *s, char **err)
{
	uint64_t now = pq_now_ms(), left = s->deadline_ms > now ? s->deadline_ms - now : 1;
	struct pg_result *res;
	char sql[128], *why = NULL;

	/* a tenth before the deadline (the lock a tenth before that), so that the
	 * server's own reason comes first */
	left -= left / 10;

	snprintf(sql, sizeof(sql), "SET statement_timeout = %llu; SET lock_timeout = %llu",
		 (unsigned long long)left, (unsigned long long)(left - left / 10));
	res = pq_session_query(s, sql, PQ_RES_COMMAND_OK, &why);
	if (!res) {
		*err = xasprintf("setting statement_timeout: %s", why);
		free(why);
		return -1;
	}
	s->pq->clear(res);
	return 0;
}

int observe_fetch_postgres(const char *dsn, struct observed *o, char **err)
{
	struct pq_session s = { .deadline_ms = o->deadline_ms, .timeout_ms = o->timeout_ms };
	const struct pq_api *pq = s.pq = pq_load(err);
	struct pg_result *res = NULL;
	const char *version;
	char *why = NULL;
	int rc = -1;

	if (!pq)
		return -1;
	if (connect_dsn(&s, dsn, "PostgreSQL", "--dsn", false, err) != 0)
		return -1;
	version = pq->parameter_status(s.conn, "server_version");
	o->server_version = xstrdup_or_empty(version);
	o->server_version_num = pq->server_version(s.conn);
	if (limit_statements(&s, &why) != 0)
		goto out;
	if (!(res = query(&s, sql_settings, "pg_settings", &why)))
		goto out;
	read_settings(pq, res, o);
	pq->clear(res);
	if (!(res = query(&s, sql_sessions, "pg_stat_activity", &why)))
		goto out;
	read_sessions(pq, res, o);
	pq->clear(res);
	rc = 0;
out:
	if (why) {
		char *masked = mask_dsn(pq, dsn);
		*err = xasprintf("PostgreSQL at '%s': %s", masked, why);
		free(masked);
		free(why);
	}
	pq_session_finish(&s);
	return rc;
}

static void read_bouncer_config(const struct pq_api *pq, const struct pg_result *res,
				struct observed_pgbouncer *b)
{
	static const char *const c_key[] = { "key", NULL }, *const c_value[] = { "value", NULL };
	int ck = column(pq, res, c_key), cv = column(pq, res, c_value);
	int i, n = pq->ntuples(res);

	for (i = 0; i < n; i++) {
		const char *key = cell(pq, res, i, ck);
		struct observed_value v = cell_value(pq, res, i, cv);

		if (!key)
			continue;
		if (strcmp(key, "pool_mode") == 0 && cell(pq, res, i, cv)) {
			free(b->pool_mode);
			b->pool_mode = xstrdup(cell(pq, res, i, cv));
		} else if (strcmp(key, "default_pool_size") == 0) {
			b->default_pool_size = v;
		} else if (strcmp(key, "reserve_pool_size") == 0) {
			b->reserve_pool_size = v;
		} else if (strcmp(key, "max_client_conn") == 0) {
			b->max_client_conn = v;
		} else if (strcmp(key, "max_db_connections") == 0) {
			b->max_db_connections = v;
		}
	}
}

/* The admin console's own database: not a pool of the topology. */
#define BOUNCER_ADMIN_DB "pgbouncer"

/* SHOW POOLS rows, looked up by column name (the set varies by version). */
static void read_bouncer_pools(const struct pq_api *pq, const struct pg_result *res,
			       struct observed_pgbouncer *b)
{
	static const char *const c_db[] = { "database", NULL }, *const c_user[] = { "user", NULL },
		*const c_mode[] = { "pool_mode", NULL }, *const c_cla[] = { "cl_active", NULL },
		*const c_clw[] = { "cl_waiting", NULL }, *const c_sva[] = { "sv_active", NULL },
		*const c_svi[] = { "sv_idle", NULL };
	int cd = column(pq, res, c_db), cu = column(pq, res, c_user), cm = column(pq, res, c_mode),
	    ca = column(pq, res, c_cla), cw = column(pq, res, c_clw), cs = column(pq, res, c_sva),
	    ci = column(pq, res, c_svi);
	int i, n = pq->ntuples(res);

	b->pools = xcalloc((size_t)n, sizeof(*b->pools));
	for (i = 0; i < n; i++) {
		const char *db = cell(pq, res, i, cd);
		struct observed_pool *p;

		if (!db || strcmp(db, BOUNCER_ADMIN_DB) == 0)
			continue;
		p = &b->pools[b->npools++];
		p->database = xstrdup(db);
		p->user = xstrdup_or_empty(cell(pq, res, i, cu));
		p->pool_mode = cell(pq, res, i, cm) ? xstrdup(cell(pq, res, i, cm)) : NULL;
		p->cl_active = cell_value(pq, res, i, ca).v;
		p->cl_waiting = cell_value(pq, res, i, cw).v;
		p->sv_active = cell_value(pq, res, i, cs).v;
		p->sv_idle = cell_value(pq, res, i, ci).v;
	}
}

/* SHOW DATABASES rows: the effective pool settings of every database entry. */
static void read_bouncer_dbs(const struct pq_api *pq, const struct pg_result *res,
			     struct observed_pgbouncer *b)
{
	static const char *const c_name[] = { "name", NULL }, *const c_size[] = { "pool_size", NULL },
		*const c_res[] = { "reserve_pool", "reserve_pool_size", NULL },
		*const c_mode[] = { "pool_mode", NULL }, *const c_max[] = { "max_connections", NULL };
	int cn = column(pq, res, c_name), cs = column(pq, res, c_size), cr = column(pq, res, c_res),
	    cm = column(pq, res, c_mode), cx = column(pq, res, c_max);
	int i, n = pq->ntuples(res);

	b->dbs = xcalloc((size_t)n, sizeof(*b->dbs));
	for (i = 0; i < n; i++) {
		const char *name = cell(pq, res, i, cn);
		struct observed_bouncer_db *d;

		if (!name || strcmp(name, BOUNCER_ADMIN_DB) == 0)
			continue;
		d = &b->dbs[b->ndbs++];
		d->name = xstrdup(name);
		d->pool_size = cell_value(pq, res, i, cs);
		d->reserve_pool = cell_value(pq, res, i, cr);
		d->max_connections = cell_value(pq, res, i, cx);
		d->pool_mode = cell(pq, res, i, cm) ? xstrdup(cell(pq, res, i, cm)) : NULL;
	}
}

int observe_fetch_pgbouncer(const char *dsn, struct observed *o, char **err)
{
	struct observed_pgbouncer *b = &o->pgbouncer;
	struct pq_session s = { .deadline_ms = o->deadline_ms, .timeout_ms = o->timeout_ms };
	const struct pq_api *pq = s.pq = pq_load(err);
	struct pg_result *res = NULL;
	char *why = NULL;
	int rc = -1;

	/* The admin console has no statement_timeout: the deadline alone bounds it. */
	if (!pq)
		return -1;
	if (connect_dsn(&s, dsn, "PgBouncer", "--pgbouncer", true, err) != 0)
		return -1;
	b->version = xstrdup_or_empty(pq->parameter_status(s.conn, "server_version"));
	if (!(res = query(&s, "SHOW CONFIG", "SHOW CONFIG", &why)))
		goto out;
	read_bouncer_config(pq, res, b);
	pq->clear(res);
	if (!(res = query(&s, "SHOW POOLS", "SHOW POOLS", &why)))
		goto out;
	read_bouncer_pools(pq, res, b);
	pq->clear(res);
	if (!(res = query(&s, "SHOW DATABASES", "SHOW DATABASES", &why)))
		goto out;
	read_bouncer_dbs(pq, res, b);
	pq->clear(res);
	b->present = true;
	rc = 0;
out:
	if (why) {
		char *masked = mask_dsn(pq, dsn);
		*err = xasprintf("PgBouncer at '%s': %s (is it the admin console, dbname=pgbouncer, "
				 "and the user in admin_users or stats_users?)", masked, why);
		free(masked);
		free(why);
	}
	pq_session_finish(&s);
	return rc;
}

/*--- counting ----------------------------------------------------------------*/

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Count keys[0..n) (sorted here) into *out, one entry per distinct key. */
static void count_keys(const char **keys, size_t n, struct observed_count **out, size_t *nout)
{
	size_t i;

	*out = xcalloc(n, sizeof(**out));
	*nout = 0;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		if (*nout && strcmp((*out)[*nout - 1].key, keys[i]) == 0) {
			(*out)[*nout - 1].n++;
			continue;
		}
		(*out)[*nout].key = keys[i];
		(*out)[(*nout)++].n = 1;
	}
}

void observe_summarize(struct observed *o)
{
	const char **keys = xcalloc(o->nsessions, sizeof(*keys));
	size_t i;

	free(o->by_application);
	free(o->by_user);
	free(o->by_state);
	for (i = 0; i < o->nsessions; i++)
		keys[i] = o->sessions[i].application_name;
	count_keys(keys, o->nsessions, &o->by_application, &o->napplication);
	for (i = 0; i < o->nsessions; i++)
		keys[i] = o->sessions[i].user;
	count_keys(keys, o->nsessions, &o->by_user, &o->nuser);
	/* PostgreSQL hides other users' state from roles without pg_read_all_stats. */
	for (i = 0; i < o->nsessions; i++)
		keys[i] = *o->sessions[i].state ? o->sessions[i].state : "unknown";
	count_keys(keys, o->nsessions, &o->by_state, &o->nstate);
	free(keys);
}

/*--- findings ----------------------------------------------------------------*/

/*
 * Append one finding of rule id about object at pos, unless the rule is
 * off (f->level) or ignore names it. The message is formatted here; the
 * message and object go to the findings' arena.
 */
static void add_finding(struct findings *f, const char *id, const struct strlist *ignore,
			struct pos pos, const char *object, const char *fmt, ...) PRINTF_LIKE(6, 7);
static void add_finding(struct findings *f, const char *id, const struct strlist *ignore,
			struct pos pos, const char *object, const char *fmt, ...)
{
	const struct rule *r = rule_find(id);
	int level;
	va_list ap;

	assert(r);
	level = f->level ? f->level[rule_index(r)] : (int)r->severity;
	if (level == LEVEL_OFF)
		return;
	va_start(ap, fmt);
	findings_suppress_vadd(f->sup, f, ignore, false, r, (enum severity)level, pos, object, fmt, ap);
	va_end(ap);
}

/* The node a value of the topology came from: the field when the file sets it, else the object's id. */
static struct pos field_pos(const struct num *field, const struct str *id)
{
	return VALUE_SET(*field) ? field->pos : id->pos;
}

/* What a client's sessions call themselves: application_name, default its id. */
static const char *client_app(const struct client *c)
{
	return client_cold(c)->application_name.s ? client_cold(c)->application_name.s : c->id.s;
}

/*
 * The names of one observation, each looked up in constant time: the
 * live application_names (index into o->by_application) and the declared
 * ones as the server would store them, grouped (clients sharing a stored
 * name share a count and their peaks add up). Built once per run, so that
 * every pass below is linear in clients plus sessions.
 */
struct names {
	struct strmap live;        /* application_name → index in o->by_application */
	struct strmap declared;    /* stored name → group */
	char **stored;             /* per client of the database: its stored name, else NULL */
	size_t *first;             /* per group: its first client */
	size_t *sharing;           /* per group: how many clients */
	uint64_t *visible;         /* per live name: sessions whose owner the role can see */
	size_t ngroups;
};

static void names_build(struct names *nm, const struct topology *t, const struct observed *o)
{
	size_t i, g;

	memset(nm, 0, sizeof(*nm));
	strmap_reserve(&nm->live, o->napplication);
	for (i = 0; i < o->napplication; i++)
		strmap_put(&nm->live, o->by_application[i].key, i, NULL);
	nm->visible = xcalloc(o->napplication + 1, sizeof(*nm->visible));
	for (i = 0; i < o->nsessions; i++)
		if (!o->sessions[i].hidden && strmap_get(&nm->live, o->sessions[i].application_name, &g))
			nm->visible[g]++;
	nm->stored = xcalloc(t->nclients + 1, sizeof(*nm->stored));
	nm->first = xcalloc(t->nclients + 1, sizeof(*nm->first));
	nm->sharing = xcalloc(t->nclients + 1, sizeof(*nm->sharing));
	strmap_reserve(&nm->declared, t->nclients);
	for (i = 0; i < t->nclients; i++) {
		if (model_client_database(t, &t->clients[i]) != o->database)
			continue;
		nm->stored[i] = appname_stored(client_app(&t->clients[i]), o->server_version_num);
		if (!strmap_get(&nm->declared, nm->stored[i], &g)) {
			g = nm->ngroups++;
			strmap_put(&nm->declared, nm->stored[i], g, NULL);
			nm->first[g] = i;
		}
		nm->sharing[g]++;
	}
}

static void names_release(struct names *nm, const struct topology *t)
{
	size_t i;

	strmap_release(&nm->live);
	strmap_release(&nm->declared);
	for (i = 0; i < t->nclients; i++)
		free(nm->stored[i]);
	free(nm->stored);
	free(nm->first);
	free(nm->sharing);
	free(nm->visible);
}

/* The first client of the database whose sessions the server names app, or NULL. */
static const struct client *client_named(const struct topology *t, const struct names *nm,
					 const char *app)
{
	size_t g;

	return strmap_get(&nm->declared, app, &g) ? &t->clients[nm->first[g]] : NULL;
}

/*
 * CB101 for one count: live value v (when present) against the
 * topology's effective want, found at pos. origin (NULL when the file
 * sets the value) says where want comes from: "PostgreSQL's default".
 */
static void drift_count(struct findings *f, const char *setting, struct observed_value v,
			uint64_t want, struct pos pos, const char *origin, const char *kind,
			const char *id, const struct strlist *ignore, const char *object)
{
	if (!v.present || v.v == want)
		return;
	add_finding(f, "CB101", ignore, pos, object,
		    "live %s %" PRIu64 " on %s '%s' differs from the topology's %" PRIu64 "%s%s%s",
		    setting, v.v, kind, id, want, origin ? " (" : "", origin ? origin : "",
		    origin ? ")" : "");
}

/* Where the topology's value of field comes from when the file does not set it. */
static const char *default_origin(const struct num *field, const char *whose)
{
	return VALUE_SET(*field) ? NULL : whose;
}

/* CB101 on the database: max_connections, the reserved counts, the idle timeout. */
static void drift_database(const struct topology *t, const struct budget *b,
			   const struct observed *o, struct findings *f, const char *object)
{
	static const char pg_default[] = "PostgreSQL's default";
	const struct database *db = &t->databases[o->database];
	const struct db_fig *d = &b->dbs[o->database];
	const struct observed_value *timeout = &o->idle_in_transaction_session_timeout;
	const struct num *set_timeout = &db->idle_in_transaction_session_timeout;
	uint64_t want_timeout = VALUE_SET(*set_timeout) ? set_timeout->v : PG_DEFAULT_IDLE_IN_TX_TIMEOUT_MS;

	if (!VALUE_SET(db->max_connections) && db->instance.s) {
		/* AWS's default for the RDS instance class: point at `instance:` */
		char *origin = db->provider.s && strcmp(db->provider.s, CATALOG_DEFAULT_PROVIDER) != 0 ?
			       xasprintf("%s's default for instance '%s'", db->provider.s, db->instance.s) :
			       xasprintf("AWS's default for instance '%s'", db->instance.s);

		drift_count(f, "max_connections", o->max_connections, d->max_connections,
			    db->instance.pos, origin, "database", db->id.s, &db->ignore, object);
		free(origin);
	} else {
		drift_count(f, "max_connections", o->max_connections, d->max_connections,
			    field_pos(&db->max_connections, &db->id), NULL, "database", db->id.s,
			    &db->ignore, object);
	}
	drift_count(f, "superuser_reserved_connections", o->superuser_reserved_connections,
		    d->superuser_reserved, field_pos(&db->superuser_reserved_connections, &db->id),
		    default_origin(&db->superuser_reserved_connections, pg_default), "database",
		    db->id.s, &db->ignore, object);
	if (o->reserved_connections.present) {
		drift_count(f, "reserved_connections", o->reserved_connections, d->reserved,
			    field_pos(&db->reserved_connections, &db->id),
			    default_origin(&db->reserved_connections, pg_default), "database", db->id.s,
			    &db->ignore, object);
	} else if (d->reserved != 0) {
		add_finding(f, "CB101", &db->ignore, field_pos(&db->reserved_connections, &db->id),
			    object, "database '%s' declares reserved_connections %" PRIu64
			    " but the live server (PostgreSQL %s) has no such setting (16 and later)",
			    db->id.s, d->reserved, o->server_version ? o->server_version : "?");
	}
	if (timeout->present && timeout->v != want_timeout) {
		char live[32], want[32];
		const char *origin = default_origin(set_timeout, pg_default);

		format_duration(live, timeout->v);
		format_duration(want, want_timeout);
		add_finding(f, "CB101", &db->ignore, field_pos(set_timeout, &db->id), object,
			    "live idle_in_transaction_session_timeout %s on database '%s' differs "
			    "from the topology's %s%s%s%s", live, db->id.s, want, origin ? " (" : "",
			    origin ? origin : "", origin ? ")" : "");
	}
}

/* CB101 on the pgbouncer: SHOW CONFIG, then the database entries that override it. */
static void drift_pgbouncer(const struct topology *t, const struct budget *b,
			    const struct observed *o, struct findings *f)
{
	const struct observed_pgbouncer *ob = &o->pgbouncer;
	const struct pooler *p = &t->poolers[ob->pooler];
	const struct pooler_fig *pf = &b->poolers[ob->pooler];
	static const char bouncer_default[] = "PgBouncer's default";
	const char *want_mode = pool_mode_name(pf->pool_mode);
	char *object = xasprintf("poolers.%s", p->id.s);
	size_t i;

	if (ob->pool_mode && strcmp(ob->pool_mode, want_mode) != 0)
		add_finding(f, "CB101", &p->ignore, field_pos(&p->pool_mode, &p->id), object,
			    "live pool_mode '%s' on pgbouncer '%s' differs from the topology's '%s'%s",
			    ob->pool_mode, p->id.s, want_mode,
			    VALUE_SET(p->pool_mode) ? "" : " (PgBouncer's default)");
	drift_count(f, "default_pool_size", ob->default_pool_size, pf->default_pool_size,
		    field_pos(&p->default_pool_size, &p->id),
		    default_origin(&p->default_pool_size, bouncer_default), "pgbouncer", p->id.s,
		    &p->ignore, object);
	drift_count(f, "reserve_pool_size", ob->reserve_pool_size, pf->reserve_pool_size,
		    field_pos(&p->reserve_pool_size, &p->id),
		    default_origin(&p->reserve_pool_size, bouncer_default), "pgbouncer", p->id.s,
		    &p->ignore, object);
	drift_count(f, "max_client_conn", ob->max_client_conn, pf->max_client_conn,
		    field_pos(&p->max_client_conn, &p->id),
		    default_origin(&p->max_client_conn, bouncer_default), "pgbouncer", p->id.s,
		    &p->ignore, object);
	drift_count(f, "max_db_connections", ob->max_db_connections, pf->max_db_connections,
		    field_pos(&p->max_db_connections, &p->id),
		    default_origin(&p->max_db_connections, bouncer_default), "pgbouncer", p->id.s,
		    &p->ignore, object);

	/* A [databases] entry may override the pool settings for its database. */
	for (i = 0; i < ob->ndbs; i++) {
		const struct observed_bouncer_db *d = &ob->dbs[i];

		if (d->pool_size.present && ob->default_pool_size.present &&
		    d->pool_size.v != ob->default_pool_size.v && d->pool_size.v != pf->default_pool_size)
			add_finding(f, "CB101", &p->ignore, field_pos(&p->default_pool_size, &p->id), object,
				    "live pool_size %" PRIu64 " of database '%s' on pgbouncer '%s' "
				    "differs from the topology's default_pool_size %" PRIu64,
				    d->pool_size.v, d->name, p->id.s, pf->default_pool_size);
		if (d->reserve_pool.present && ob->reserve_pool_size.present &&
		    d->reserve_pool.v != ob->reserve_pool_size.v && d->reserve_pool.v != pf->reserve_pool_size)
			add_finding(f, "CB101", &p->ignore, field_pos(&p->reserve_pool_size, &p->id), object,
				    "live reserve_pool %" PRIu64 " of database '%s' on pgbouncer '%s' "
				    "differs from the topology's reserve_pool_size %" PRIu64,
				    d->reserve_pool.v, d->name, p->id.s, pf->reserve_pool_size);
		if (d->max_connections.present && ob->max_db_connections.present &&
		    d->max_connections.v != ob->max_db_connections.v &&
		    d->max_connections.v != pf->max_db_connections)
			add_finding(f, "CB101", &p->ignore, field_pos(&p->max_db_connections, &p->id), object,
				    "live max_db_connections %" PRIu64 " of database '%s' on pgbouncer '%s' "
				    "differs from the topology's %" PRIu64,
				    d->max_connections.v, d->name, p->id.s, pf->max_db_connections);
		if (d->pool_mode && *d->pool_mode && strcmp(d->pool_mode, want_mode) != 0)
			add_finding(f, "CB101", &p->ignore, field_pos(&p->pool_mode, &p->id), object,
				    "live pool_mode '%s' of database '%s' on pgbouncer '%s' differs "
				    "from the topology's '%s'", d->pool_mode, d->name, p->id.s, want_mode);
	}
	free(object);
}

/* CB102: live application names that no client of the database declares. */
static void undeclared(const struct topology *t, const struct observed *o, const struct names *nm,
		       struct findings *f, const char *object)
{
	const struct database *db = &t->databases[o->database];
	size_t i;

	for (i = 0; i < o->napplication; i++) {
		const struct observed_count *c = &o->by_application[i];

		if (*c->key && client_named(t, nm, c->key))
			continue;
		if (*c->key)
			add_finding(f, "CB102", &db->ignore, db->id.pos, object,
				    "%" PRIu64 " live connection%s with application_name '%s' on database "
				    "'%s' match%s no client of the topology", c->n, c->n == 1 ? "" : "s",
				    c->key, db->id.s, c->n == 1 ? "es" : "");
		else
			add_finding(f, "CB102", &db->ignore, db->id.pos, object,
				    "%" PRIu64 " live connection%s without application_name on database "
				    "'%s' match%s no client of the topology", c->n, c->n == 1 ? "" : "s",
				    db->id.s, c->n == 1 ? "es" : "");
	}
}

/*
 * CB103: a client holding more live connections than its declared peak.
 * Clients sharing an application_name (as the server stores it) share its
 * count and their peaks are added; the finding points at the first of
 * them. Only sessions whose owner the role can see count: without
 * pg_monitor a hidden session may be another role's parallel worker,
 * which carries its leader's application_name.
 */
static void above_peak(const struct topology *t, const struct budget *b, const struct observed *o,
		       const struct names *nm, struct findings *f)
{
	uint64_t *peak = xcalloc(nm->ngroups + 1, sizeof(*peak));
	bool *unbounded = xcalloc(nm->ngroups + 1, sizeof(*unbounded));
	size_t i, g, k;

	for (i = 0; i < t->nclients; i++) {
		struct amount conn;

		if (!nm->stored[i])
			continue;
		strmap_get(&nm->declared, nm->stored[i], &g);
		conn = budget_conn(b, i);
		if (conn.unbounded || !u64_add(peak[g], conn.peak, &peak[g]))
			unbounded[g] = true;
	}
	for (g = 0; g < nm->ngroups; g++) {
		const struct client *c = &t->clients[nm->first[g]];
		const char *app = nm->stored[nm->first[g]];
		uint64_t live = strmap_get(&nm->live, app, &k) ? nm->visible[k] : 0;
		char *object;

		if (unbounded[g] || live <= peak[g])
			continue;
		object = xasprintf("clients.%s", c->id.s);
		if (nm->sharing[g] == 1 && strcmp(app, client_app(c)) == 0)
			add_finding(f, "CB103", &client_cold(c)->ignore, c->id.pos, object,
				    "client '%s' holds %" PRIu64 " live connections on database '%s', "
				    "above its declared peak %" PRIu64, c->id.s, live,
				    o->database_id, peak[g]);
		else if (nm->sharing[g] == 1)
			add_finding(f, "CB103", &client_cold(c)->ignore, c->id.pos, object,
				    "client '%s' (application_name '%s' as the server stores it) holds %"
				    PRIu64 " live connections on database '%s', above its declared peak %"
				    PRIu64, c->id.s, app, live, o->database_id, peak[g]);
		else
			add_finding(f, "CB103", &client_cold(c)->ignore, c->id.pos, object,
				    "the %zu clients named '%s' (first '%s') hold %" PRIu64 " live connections "
				    "on database '%s', above their declared peak %" PRIu64, nm->sharing[g], app,
				    c->id.s, live, o->database_id, peak[g]);
		free(object);
	}
	free(peak);
	free(unbounded);
}

static bool idle_in_transaction(const struct observed_session *s)
{
	return strncmp(s->state, "idle in transaction", strlen("idle in transaction")) == 0;
}

/*
 * CB104: sessions idle in transaction for longer than the threshold, one
 * finding per application_name (sorted), at the database's key; the
 * message names the client that declares the name, if any. One pass over
 * the sessions counts them per name.
 */
static void idle_sessions(const struct topology *t, const struct observed *o,
			  const struct names *nm, struct findings *f, const char *object)
{
	const struct database *db = &t->databases[o->database];
	uint64_t *n = xcalloc(o->napplication + 1, sizeof(*n));
	uint64_t *oldest = xcalloc(o->napplication + 1, sizeof(*oldest));
	size_t i, k;

	for (k = 0; k < o->nsessions; k++) {
		const struct observed_session *s = &o->sessions[k];

		if (!idle_in_transaction(s) || !s->has_age || s->state_age_ms <= o->idle_threshold_ms ||
		    !strmap_get(&nm->live, s->application_name, &i))
			continue;
		n[i]++;
		oldest[i] = u64_max(oldest[i], s->state_age_ms);
	}
	for (i = 0; i < o->napplication; i++) {
		const char *app = o->by_application[i].key;
		const struct client *c;
		char threshold[32], age[32], *who;

		if (!n[i])
			continue;
		format_duration(threshold, o->idle_threshold_ms);
		format_age(age, oldest[i]);
		c = *app ? client_named(t, nm, app) : NULL;
		if (c && strcmp(c->id.s, app) != 0)
			who = xasprintf("of client '%s' (application_name '%s')", c->id.s, app);
		else if (c)
			who = xasprintf("of client '%s'", c->id.s);
		else if (*app)
			who = xasprintf("with application_name '%s'", app);
		else
			who = xstrdup("without application_name");
		add_finding(f, "CB104", &db->ignore, db->id.pos, object,
			    "%" PRIu64 " session%s %s idle in transaction on database '%s' for longer "
			    "than %s (oldest %s)", n[i], n[i] == 1 ? "" : "s", who, db->id.s, threshold, age);
		free(who);
	}
	free(n);
	free(oldest);
}

/* CB105: PgBouncer pools with clients waiting for a server connection. */
static void clients_waiting(const struct topology *t, const struct observed *o, struct findings *f)
{
	const struct observed_pgbouncer *ob = &o->pgbouncer;
	const struct pooler *p = &t->poolers[ob->pooler];
	char *object = xasprintf("poolers.%s", p->id.s);
	size_t i;

	for (i = 0; i < ob->npools; i++) {
		const struct observed_pool *pl = &ob->pools[i];

		if (!pl->cl_waiting)
			continue;
		add_finding(f, "CB105", &p->ignore, p->id.pos, object,
			    "%" PRIu64 " client%s waiting in pool '%s/%s' of pgbouncer '%s' "
			    "(cl_active %" PRIu64 ", sv_active %" PRIu64 ", sv_idle %" PRIu64 ")",
			    pl->cl_waiting, pl->cl_waiting == 1 ? "" : "s", pl->database, pl->user,
			    p->id.s, pl->cl_active, pl->sv_active, pl->sv_idle);
	}
	free(object);
}

/* CB106: live connections above 80% of the live max_connections. */
static void live_utilization(const struct topology *t, const struct observed *o,
			     struct findings *f, const char *object)
{
	const struct database *db = &t->databases[o->database];
	uint64_t total = o->nsessions, max = o->max_connections.v;

	if (!o->max_connections.present || max == 0 ||
	    total * 100 <= (uint64_t)OBSERVE_UTILIZATION_PCT * max)
		return;
	add_finding(f, "CB106", &db->ignore, db->id.pos, object,
		    "%" PRIu64 " live connections on database '%s' are %" PRIu64 "%% of max_connections %"
		    PRIu64 " (above %d%%)", total, db->id.s, total * 100 / max, max,
		    OBSERVE_UTILIZATION_PCT);
}

void observe_findings(const struct topology *t, const struct budget *b, const struct observed *o,
		      struct findings *f)
{
	char *object = xasprintf("databases.%s", t->databases[o->database].id.s);
	struct names nm;

	names_build(&nm, t, o);
	drift_database(t, b, o, f, object);
	if (o->pgbouncer.present)
		drift_pgbouncer(t, b, o, f);
	undeclared(t, o, &nm, f, object);
	above_peak(t, b, o, &nm, f);
	idle_sessions(t, o, &nm, f, object);
	if (o->pgbouncer.present)
		clients_waiting(t, o, f);
	live_utilization(t, o, f, object);
	names_release(&nm, t);
	free(object);
	findings_sort(f, t);
}

/*--- JSON --------------------------------------------------------------------*/

/* key: v as exact decimal text (no rounding above 2^53). */
static bool json_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_AddRawToObject(o, key, buf) != NULL;
}

/* key: v, or null when the server has no such setting. */
static bool json_value(cJSON *o, const char *key, struct observed_value v)
{
	return v.present ? json_u64(o, key, v.v) : cJSON_AddNullToObject(o, key) != NULL;
}

static bool json_str(cJSON *o, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(o, key, s) != NULL : cJSON_AddNullToObject(o, key) != NULL;
}

/* key: {name: count, ...}. */
static bool json_counts(cJSON *o, const char *key, const struct observed_count *c, size_t n)
{
	cJSON *m = cJSON_AddObjectToObject(o, key);
	size_t i;

	if (!m)
		return false;
	for (i = 0; i < n; i++)
		if (!json_u64(m, c[i].key, c[i].n))
			return false;
	return true;
}

static bool json_connections(cJSON *parent, const struct observed *o)
{
	cJSON *c = cJSON_AddObjectToObject(parent, "connections");
	cJSON *idle;
	uint64_t over = 0, oldest = 0;
	bool any_idle = false, no_state = o->nsessions && o->nhidden == o->nsessions;
	size_t i;

	if (!c)
		return false;
	for (i = 0; i < o->nsessions; i++) {
		const struct observed_session *s = &o->sessions[i];

		if (!idle_in_transaction(s) || !s->has_age)
			continue;
		any_idle = true;
		oldest = u64_max(oldest, s->state_age_ms);
		if (s->state_age_ms > o->idle_threshold_ms)
			over++;
	}
	if (!json_u64(c, "total", o->nsessions) || !json_u64(c, "state_hidden", o->nhidden) ||
	    !cJSON_AddBoolToObject(c, "lower_bound", o->nhidden != 0) ||
	    !json_counts(c, "by_application", o->by_application, o->napplication) ||
	    !json_counts(c, "by_user", o->by_user, o->nuser) ||
	    !json_counts(c, "by_state", o->by_state, o->nstate))
		return false;
	idle = cJSON_AddObjectToObject(c, "idle_in_transaction");
	/* null, not 0, where no state could be seen */
	return idle && json_u64(idle, "threshold_ms", o->idle_threshold_ms) &&
	       (no_state ? cJSON_AddNullToObject(idle, "over_threshold") != NULL
			 : json_u64(idle, "over_threshold", over)) &&
	       (any_idle ? json_u64(idle, "oldest_ms", oldest)
			 : cJSON_AddNullToObject(idle, "oldest_ms") != NULL);
}

static bool json_pgbouncer(cJSON *parent, const struct observed_pgbouncer *b)
{
	cJSON *o, *config, *pools, *dbs;
	size_t i;

	if (!b->present)
		return cJSON_AddNullToObject(parent, "pgbouncer") != NULL;
	if (!(o = cJSON_AddObjectToObject(parent, "pgbouncer")) || !json_str(o, "pooler", b->pooler_id) ||
	    !json_str(o, "version", b->version) || !(config = cJSON_AddObjectToObject(o, "config")) ||
	    !json_str(config, "pool_mode", b->pool_mode) ||
	    !json_value(config, "default_pool_size", b->default_pool_size) ||
	    !json_value(config, "reserve_pool_size", b->reserve_pool_size) ||
	    !json_value(config, "max_client_conn", b->max_client_conn) ||
	    !json_value(config, "max_db_connections", b->max_db_connections) ||
	    !(pools = cJSON_AddArrayToObject(o, "pools")))
		return false;
	for (i = 0; i < b->npools; i++) {
		const struct observed_pool *p = &b->pools[i];
		cJSON *e = cJSON_CreateObject();

		if (!e)
			return false;
		if (!cJSON_AddItemToArray(pools, e)) {
			cJSON_Delete(e);
			return false;
		}
		if (!json_str(e, "database", p->database) || !json_str(e, "user", p->user) ||
		    !json_str(e, "pool_mode", p->pool_mode) || !json_u64(e, "cl_active", p->cl_active) ||
		    !json_u64(e, "cl_waiting", p->cl_waiting) || !json_u64(e, "sv_active", p->sv_active) ||
		    !json_u64(e, "sv_idle", p->sv_idle))
			return false;
	}
	if (!(dbs = cJSON_AddArrayToObject(o, "databases")))
		return false;
	for (i = 0; i < b->ndbs; i++) {
		const struct observed_bouncer_db *d = &b->dbs[i];
		cJSON *e = cJSON_CreateObject();

		if (!e)
			return false;
		if (!cJSON_AddItemToArray(dbs, e)) {
			cJSON_Delete(e);
			return false;
		}
		if (!json_str(e, "name", d->name) || !json_value(e, "pool_size", d->pool_size) ||
		    !json_value(e, "reserve_pool", d->reserve_pool) ||
		    !json_str(e, "pool_mode", d->pool_mode && *d->pool_mode ? d->pool_mode : NULL) ||
		    !json_value(e, "max_connections", d->max_connections))
			return false;
	}
	return true;
}

int observe_json(const struct observed *o, void *cjson_parent)
{
	cJSON *obs = cJSON_AddObjectToObject(cjson_parent, "observed");

	if (!obs || !json_str(obs, "database", o->database_id) ||
	    !json_str(obs, "server_version", o->server_version) ||
	    !cJSON_AddNumberToObject(obs, "server_version_num", o->server_version_num) ||
	    !json_value(obs, "max_connections", o->max_connections) ||
	    !json_value(obs, "superuser_reserved_connections", o->superuser_reserved_connections) ||
	    !json_value(obs, "reserved_connections", o->reserved_connections) ||
	    !json_value(obs, "idle_in_transaction_session_timeout_ms",
			o->idle_in_transaction_session_timeout) ||
	    !json_connections(obs, o) || !json_pgbouncer(obs, &o->pgbouncer))
		return -1;
	return 0;
}

void observe_section(const struct observed *o, struct report_section *s)
{
	cJSON *parent = cJSON_CreateObject();

	memset(s, 0, sizeof(*s));
	s->name = "observed";
	if (o->nhidden) {
		s->notes = xcalloc(1, sizeof(*s->notes));
		s->notes[s->nnotes++] = xasprintf(
			"the role of --dsn may not see the state and owner of %zu of %zu sessions "
			"(grant it pg_monitor): they count in the totals as \"unknown\" but toward no "
			"client's live connections, so per-client figures (CB103) are lower bounds",
			o->nhidden, o->nsessions);
	}
	if (parent && observe_json(o, parent) == 0)
		s->json = cJSON_DetachItemFromObjectCaseSensitive(parent, s->name);
	if (s->json && s->nnotes) {
		cJSON *notes = cJSON_AddArrayToObject(s->json, "notes");

		for (size_t k = 0; notes && k < s->nnotes; k++)
			cJSON_AddItemToArray(notes, cJSON_CreateString(s->notes[k]));
	}
	cJSON_Delete(parent);
}

void observe_release(struct observed *o)
{
	struct observed_pgbouncer *b = &o->pgbouncer;
	size_t i;

	for (i = 0; i < o->nsessions; i++) {
		free(o->sessions[i].application_name);
		free(o->sessions[i].user);
		free(o->sessions[i].state);
	}
	free(o->sessions);
	free(o->server_version);
	free(o->by_application);
	free(o->by_user);
	free(o->by_state);
	for (i = 0; i < b->npools; i++) {
		free(b->pools[i].database);
		free(b->pools[i].user);
		free(b->pools[i].pool_mode);
	}
	free(b->pools);
	for (i = 0; i < b->ndbs; i++) {
		free(b->dbs[i].name);
		free(b->dbs[i].pool_mode);
	}
	free(b->dbs);
	free(b->version);
	free(b->pool_mode);
	memset(o, 0, sizeof(*o));
}

/*--- the command -------------------------------------------------------------*/

/*
 * --database: the topology database the DSN is; default the only one.
 * Returns 0 and *index, or -1 after printing why.
 */
static int pick_database(const struct topology *t, const char *id, size_t *index)
{
	struct sbuf ids = { 0 };
	size_t i;

	if (id) {
		if (model_find_database(t, id, index))
			return 0;
		for (i = 0; i < t->ndatabases; i++)
			sbuf_printf(&ids, "%s'%s'", i ? ", " : "", t->databases[i].id.s);
		quote_fprintf(stderr, "connbudget: error: --database: no database '%s' in %s (it has %s)",
			id, t->file, ids.s);
		sbuf_release(&ids);
		return -1;
	}
	if (t->ndatabases == 1) {
		*index = 0;
		return 0;
	}
	for (i = 0; i < t->ndatabases; i++)
		sbuf_printf(&ids, "%s'%s'", i ? ", " : "", t->databases[i].id.s);
	quote_fprintf(stderr, "connbudget: error: %s has %zu databases (%s): say which one --dsn "
			"connects to with --database ID", t->file, t->ndatabases, ids.s);
	sbuf_release(&ids);
	return -1;
}

/*
 * --pooler: the topology pgbouncer the --pgbouncer console belongs to;
 * default the only pgbouncer. Returns 0 and *index, or -1 after printing why.
 */
static int pick_pooler(const struct topology *t, const char *id, size_t *index)
{
	size_t i, n = 0;

	if (id) {
		if (!model_find_pooler(t, id, index)) {
			quote_fprintf(stderr, "connbudget: error: --pooler: no pooler '%s' in %s", id, t->file);
			return -1;
		}
		if (t->poolers[*index].type.v != POOLER_PGBOUNCER) {
			quote_fprintf(stderr, "connbudget: error: --pooler: '%s' is a %s, not a pgbouncer", id,
				pooler_type_name((enum pooler_type)t->poolers[*index].type.v));
			return -1;
		}
		return 0;
	}
	for (i = 0; i < t->npoolers; i++) {
		if (t->poolers[i].type.v == POOLER_PGBOUNCER) {
			*index = i;
			n++;
		}
	}
	if (n == 1)
		return 0;
	if (n == 0)
		quote_fprintf(stderr, "connbudget: error: --pgbouncer: %s declares no pgbouncer pooler", t->file);
	else
		quote_fprintf(stderr, "connbudget: error: %s has %zu pgbouncer poolers: say which one "
				"--pgbouncer is with --pooler ID", t->file, n);
	return -1;
}

/* What command_observe hands its hook: the facts, and the report's section of them. */
struct observe_run {
	struct observed obs;
	struct report_section section;
};

/*
 * The hook command_run calls once the file is loaded, computed and linted:
 * pick the database (and pooler), read the servers, add the findings, and
 * hand the facts to the report as its section. Returns 0, or EXIT_ERROR
 * after printing why.
 */
static int observe_hook(struct options *o, struct loaded *l, size_t n, struct report *r, void *arg)
{
	struct observe_run *run = arg;
	struct observed *obs = &run->obs;
	const struct topology *t;
	char *err = NULL;

	assert(n == 1);
	(void)n;
	t = l->topo;
	if (pick_database(t, o->database, &obs->database) != 0)
		return EXIT_ERROR;
	obs->database_id = t->databases[obs->database].id.s;
	if (o->pgbouncer) {
		if (pick_pooler(t, o->pooler, &obs->pgbouncer.pooler) != 0)
			return EXIT_ERROR;
		obs->pgbouncer.pooler_id = t->poolers[obs->pgbouncer.pooler].id.s;
	}
	if (observe_fetch_postgres(o->dsn, obs, &err) != 0)
		goto fail;
	if (o->pgbouncer && observe_fetch_pgbouncer(o->pgbouncer, obs, &err) != 0)
		goto fail;
	if (obs->nhidden)
		fprintf(stderr, "connbudget: warning: the role of --dsn may not see the state of %zu "
				"sessions of other users (grant it pg_monitor): they count as \"unknown\" "
				"and CB104 cannot judge them\n", obs->nhidden);
	observe_summarize(obs);
	observe_findings(t, &l->budget, obs, &l->findings);
	observe_section(obs, &run->section);
	r->sections = &run->section;
	r->nsections = 1;
	return 0;
fail:
	quote_fprintf(stderr, "connbudget: error: %s", err);
	free(err);
	return EXIT_ERROR;
}

int command_observe(struct options *o)
{
	struct observe_run run;
	struct observed *obs = &run.obs;
	char *def, *path;
	int status;

	memset(&run, 0, sizeof(run));
	obs->idle_threshold_ms = OBSERVE_IDLE_THRESHOLD_MS;
	obs->timeout_ms = OBSERVE_TIMEOUT_MS;
	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: observe takes at most one FILE (and --dsn CONNINFO)\n");
		return EXIT_ERROR;
	}
	if (!o->dsn) {
		fprintf(stderr, "connbudget: error: observe needs --dsn CONNINFO (a libpq connection "
				"string or URI of the database)\n");
		return EXIT_ERROR;
	}
	if (o->pooler && !o->pgbouncer) {
		fprintf(stderr, "connbudget: error: --pooler names the pooler of --pgbouncer CONNINFO, "
				"which is missing\n");
		return EXIT_ERROR;
	}
	if (o->idle_threshold && !observe_parse_duration(o->idle_threshold, &obs->idle_threshold_ms)) {
		quote_fprintf(stderr, "connbudget: error: --idle-threshold: expected a duration like 30s, "
				"5min or 250ms, got \"%s\"", str_clip(o->idle_threshold));
		return EXIT_ERROR;
	}
	if (o->timeout && (!observe_parse_duration(o->timeout, &obs->timeout_ms) ||
			   obs->timeout_ms == 0 || obs->timeout_ms > OBSERVE_TIMEOUT_MAX_MS)) {
		quote_fprintf(stderr, "connbudget: error: --timeout: expected a duration from 1ms to 1h "
				"like 10s or 500ms, got \"%s\"", str_clip(o->timeout));
		return EXIT_ERROR;
	}
	path = command_one_file(o, "observe", &def);
	if (!path)
		return EXIT_ERROR;
	/* One deadline for the whole run: both servers, every query. */
	obs->deadline_ms = pq_now_ms() + obs->timeout_ms;
	status = command_run(o, "observe", &path, 1, observe_hook, &run);
	free(def);
	report_section_release(&run.section);
	observe_release(obs);
	return status;
}
