/*
 * load_fields.c - the key tables of databases, poolers, clients and lint,
 * and the readers of every kind of value (docs/topology.md, docs/decisions.md).
 */
#include "load_fields.h"

#include <assert.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "framework.h"
#include "load.h"
#include "catalog.h"

/* Duration units, PostgreSQL's (postgresql.conf time units), in milliseconds. */
enum {
	MS_PER_S = 1000,
	MS_PER_MIN = 60 * MS_PER_S,
	MS_PER_H = 60 * MS_PER_MIN,
	MS_PER_D = 24 * MS_PER_H,
};

static const struct {
	const char *name;
	uint64_t ms;
} duration_units[] = {
	{ "ms", 1 }, { "s", MS_PER_S }, { "min", MS_PER_MIN }, { "h", MS_PER_H }, { "d", MS_PER_D },
};

enum {
	PORT_MAX = 65535,
	PERCENT_MAX = 100,
	LIST_LINEAR = 32,   /* lists up to this long are checked for duplicates without a map */
};

static const char WHAT_UINT[] = "a non-negative integer";
static const char WHAT_REAL[] = "a non-negative number";
static const char WHAT_DURATION[] =
	"a duration (integer milliseconds, or a number and a unit: ms, s, min, h, d)";
static const char WHAT_SURGE[] = "a non-negative integer or a percentage such as 25%";
static const char WHAT_PORT[] = "a port number from 1 to 65535";
static const char WHAT_PERCENT[] = "a percentage from 1 to 100";

/* In enum order (model.h). */
const char *const load_pooler_types[] = { "pgbouncer", "rds_proxy", "pgpool", "pgcat", "odyssey", "supavisor", "managed" };
const char *const load_client_types[] = { "service", "worker", "serverless", "job", "tool" };
static const char *const pool_modes[] = { "session", "transaction", "statement" };
static const char *const levels[] = { "error", "warning", "info", "off" };

/* Which types a field applies to. */
#define T_SERVERLESS (1u << CLIENT_SERVERLESS)
#define T_NOT_SERVERLESS ((1u << CLIENT_SERVICE) | (1u << CLIENT_WORKER) | (1u << CLIENT_JOB) | \
			  (1u << CLIENT_TOOL))
#define T_PGBOUNCER (1u << POOLER_PGBOUNCER)
#define T_RDS_PROXY (1u << POOLER_RDS_PROXY)
#define T_PGPOOL (1u << POOLER_PGPOOL)
#define T_PGCAT (1u << POOLER_PGCAT)
#define T_ODYSSEY (1u << POOLER_ODYSSEY)
#define T_SUPAVISOR (1u << POOLER_SUPAVISOR)
#define T_MANAGED (1u << POOLER_MANAGED)

#define FIELD(type, n, k, m) { .name = (n), .kind = (k), .off = offsetof(type, m) }
#define FIELD_T(type, n, k, m, t) { .name = (n), .kind = (k), .off = offsetof(type, m), .types = (t) }
/* A client field kept in struct client_cold (model.h). */
#define FIELD_COLD(n, k, m) { .name = (n), .kind = (k), .off = offsetof(struct client_cold, m), \
		.flags = FL_COLD }
#define FIELD_ENUM(type, n, m, v, w) { .name = (n), .kind = F_ENUM, .off = offsetof(type, m), \
		.names = (v), .nnames = ARRAY_LEN(v), .what = (w) }

static const struct field settings_fields[] = {
	FIELD(struct database, "idle_in_transaction_session_timeout", F_DURATION,
	      idle_in_transaction_session_timeout),
	FIELD(struct database, "idle_session_timeout", F_DURATION, idle_session_timeout),
};
static const struct table settings_table = { "settings", settings_fields, ARRAY_LEN(settings_fields) };

static const struct field database_fields[] = {
	FIELD(struct database, "max_connections", F_UINT, max_connections),
	FIELD(struct database, "superuser_reserved_connections", F_UINT, superuser_reserved_connections),
	FIELD(struct database, "reserved_connections", F_UINT, reserved_connections),
	FIELD(struct database, "headroom", F_UINT, headroom),
	FIELD(struct database, "cores", F_UINT, cores),
	FIELD(struct database, "spindles", F_UINT, spindles),
	FIELD(struct database, "memory_gb", F_REAL, memory_gb),
	FIELD(struct database, "instance", F_INSTANCE, instance),
	FIELD(struct database, "from", F_STR, from),
	FIELD(struct database, "provider", F_PROVIDER, provider),
	FIELD(struct database, "min_acu", F_REAL, min_acu),
	FIELD(struct database, "max_acu", F_REAL, max_acu),
	FIELD(struct database, "host", F_STR, host),
	FIELD(struct database, "port", F_PORT, port),
	FIELD(struct database, "environment", F_STR, environment),
	{ .name = "settings", .kind = F_MAP, .sub = &settings_table, .pos_off = NO_POS },
	FIELD(struct database, "config", F_STR, config),
	FIELD(struct database, "config_root", F_STR, config_root),
	FIELD(struct database, "ignore", F_SUPPRESS, ignore),
};
const struct table load_table_database = { "database", database_fields, ARRAY_LEN(database_fields) };

static const struct field pooler_fields[] = {
	FIELD_ENUM(struct pooler, "type", type, load_pooler_types, "pooler type"),
	FIELD(struct pooler, "database", F_STR, database),
	FIELD_T(struct pooler, "instances", F_UINT, instances, T_PGBOUNCER | T_PGCAT | T_ODYSSEY),
	{ .name = "pool_mode", .kind = F_ENUM, .off = offsetof(struct pooler, pool_mode),
	  .names = pool_modes, .nnames = ARRAY_LEN(pool_modes), .what = "pool mode",
	  .types = T_PGBOUNCER | T_SUPAVISOR | T_PGCAT | T_MANAGED },
	FIELD_T(struct pooler, "default_pool_size", F_UINT, default_pool_size, T_PGBOUNCER | T_SUPAVISOR | T_MANAGED),
	FIELD_T(struct pooler, "default_max_clients", F_UINT, default_max_clients, T_SUPAVISOR),
	FIELD_T(struct pooler, "reserve_pool_size", F_UINT, reserve_pool_size, T_PGBOUNCER),
	FIELD_T(struct pooler, "max_client_conn", F_UINT, max_client_conn, T_PGBOUNCER | T_MANAGED),
	FIELD_T(struct pooler, "max_db_connections", F_UINT, max_db_connections, T_PGBOUNCER),
	FIELD_T(struct pooler, "max_connections_percent", F_PERCENT, max_connections_percent, T_RDS_PROXY),
	FIELD_T(struct pooler, "num_init_children", F_UINT, num_init_children, T_PGPOOL),
	FIELD_T(struct pooler, "max_pool", F_UINT, max_pool, T_PGPOOL),
	{ .name = "users", .kind = F_LIST, .off = offsetof(struct pooler, users), .types = T_PGBOUNCER | T_SUPAVISOR | T_MANAGED,
	  .flags = FL_NONEMPTY },
	FIELD(struct pooler, "host", F_STR, host),
	FIELD(struct pooler, "port", F_PORT, port),
	FIELD_T(struct pooler, "config", F_STR, config, T_PGBOUNCER | T_PGPOOL | T_PGCAT | T_ODYSSEY),
	FIELD_T(struct pooler, "config_root", F_STR, config_root, T_PGBOUNCER | T_PGPOOL | T_PGCAT | T_ODYSSEY),
	FIELD(struct pooler, "environment", F_STR, environment),
	FIELD(struct pooler, "ignore", F_SUPPRESS, ignore),
	FIELD_T(struct pooler, "from", F_STR, from, T_PGBOUNCER | T_RDS_PROXY),
};
const struct table load_table_pooler = { "pooler", pooler_fields, ARRAY_LEN(pooler_fields) };

static const struct field pool_fields[] = {
	FIELD(struct client, "size", F_UINT, pool.size),
	FIELD_COLD("count", F_UINT, pool_count),
	FIELD_COLD("overflow", F_UINT, pool_overflow),
	FIELD(struct client, "acquire_timeout", F_DURATION, pool.acquire_timeout),
	FIELD_COLD("idle_timeout", F_DURATION, pool_idle_timeout),
};
static const struct table pool_table = { "pool", pool_fields, ARRAY_LEN(pool_fields) };

static const struct field load_fields[] = {
	FIELD_COLD("rate", F_REAL, load.rate),
	FIELD_COLD("hold", F_DURATION, load.hold),
};
static const struct table load_table = { "load", load_fields, ARRAY_LEN(load_fields) };

static const struct field client_fields[] = {
	FIELD_ENUM(struct client, "type", type, load_client_types, "client type"),
	FIELD(struct client, "connects_to", F_STR, connects_to),
	FIELD_T(struct client, "replicas", F_UINT, replicas, T_NOT_SERVERLESS),
	FIELD_T(struct client, "max_replicas", F_UINT, max_replicas, T_NOT_SERVERLESS),
	FIELD_T(struct client, "surge", F_SURGE, surge, T_NOT_SERVERLESS),
	FIELD_T(struct client, "processes", F_UINT, processes, T_NOT_SERVERLESS),
	FIELD(struct client, "threads", F_UINT, threads),
	FIELD(struct client, "cpus", F_UINT, cpus),
	FIELD(struct client, "framework", F_FRAMEWORK, framework),
	{ .name = "pool", .kind = F_MAP, .sub = &pool_table, .pos_off = offsetof(struct client, pool.pos) },
	FIELD_COLD("extra_connections", F_UINT, extra_connections),
	FIELD_COLD("url", F_STR, url),
	FIELD_COLD("uses", F_FEATURES, uses),
	{ .name = "load", .kind = F_MAP, .sub = &load_table, .flags = FL_COLD,
	  .pos_off = offsetof(struct client_cold, load.pos) },
	FIELD_T(struct client, "max_concurrency", F_UINT, max_concurrency, T_SERVERLESS),
	{ .name = "concurrency", .kind = F_UINT, .off = offsetof(struct client_cold, concurrency),
	  .types = T_SERVERLESS, .flags = FL_COLD },
	FIELD(struct client, "environment", F_STR, environment),
	FIELD_COLD("application_name", F_STR, application_name),
	FIELD_COLD("ignore", F_SUPPRESS, ignore),
	FIELD_COLD("from", F_STR, from),
	FIELD_COLD("container", F_STR, container),
};
const struct table load_table_client = { "client", client_fields, ARRAY_LEN(client_fields) };

static const struct field lint_fields[] = {
	FIELD(struct topology, "disable", F_SUPPRESS, lint_disable),
	{ .name = "severity", .kind = F_LEVELS },
};
const struct table load_table_lint = { "lint", lint_fields, ARRAY_LEN(lint_fields) };

const struct field *load_field_find(const struct table *tb, const char *name, size_t len)
{
	size_t i;

	if (len == 0)
		return NULL;
	/* the first byte rules out most names; the rest compare in line (a
	 * key is looked up for every key of the file) */
	for (i = 0; i < tb->n; i++) {
		const char *f = tb->fields[i].name;
		size_t k = 1;

		if (f[0] != name[0])
			continue;
		while (k < len && f[k] == name[k])
			k++;
		if (k == len && f[len] == '\0')
			return &tb->fields[i];
	}
	return NULL;
}

/* "a, b or c" */
static void join_names(struct sbuf *b, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sbuf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
}

/*
 * "unknown <what> "x", did you mean "y"?" when a name is close, else the
 * list of names when it is short enough to read. Returns -1.
 */
static int unknown_name(struct yr *r, const char *what, const char *const *names, size_t n)
{
	struct sbuf b = { 0 };
	const char *best = closest_word(yr_text(r), names, n);

	yr_quote(r, &b, yr_text(r), yr_len(r));
	if (best) {
		yr_error(r, "unknown %s %s, did you mean \"%s\"?", what, b.s, best);
	} else if (n <= 8) {
		sbuf_puts(&b, " (expected ");
		join_names(&b, names, n);
		sbuf_putc(&b, ')');
		yr_error(r, "unknown %s %s", what, b.s);
	} else {
		yr_error(r, "unknown %s %s", what, b.s);
	}
	sbuf_release(&b);
	return -1;
}

int load_unknown_key(struct yr *r, const char *const *names, size_t n)
{
	return unknown_name(r, "key", names, n);
}

int load_read_mapping(struct yr *r, const struct table *tb, void *obj)
{
	uint32_t seen[TABLE_MAX] = { 0 };
	const char *names[TABLE_MAX];
	const struct field *f;
	struct pos keypos;
	unsigned depth;
	size_t i, npath;

	assert(tb->n <= TABLE_MAX);
	if (!yr_is(r, YAML_MAPPING_START_EVENT))
		return yr_type_error(r, "a mapping");
	for (;;) {
		/* after an error, the next key (yr_recover) */
		depth = r->depth;
		npath = r->npath;
		if (yr_next(r))
			return -1;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			return 0;
		if (!yr_is(r, YAML_SCALAR_EVENT)) {
			yr_type_error(r, "a key");
			if (yr_recover_key(r, depth))
				return -1;
			continue;
		}
		f = load_field_find(tb, yr_text(r), yr_len(r));
		if (!f) {
			for (i = 0; i < tb->n; i++)
				names[i] = tb->fields[i].name;
			if (load_unknown_key(r, names, tb->n) && yr_recover_key(r, depth))
				return -1;
			continue;
		}
		keypos = yr_pos(r);
		i = (size_t)(f - tb->fields);
		if (seen[i]) {
			yr_error(r, "duplicate key \"%s\" (first at line %u)", f->name, seen[i]);
			if (yr_recover_key(r, depth))
				return -1;
			continue;
		}
		seen[i] = keypos.line;
		yr_path_push(r, f->name);
		if (yr_next(r))
			return -1;
		if (load_read_field(r, f, obj, keypos) && yr_recover(r, depth, npath))
			return -1;
		r->npath = npath;
	}
}

enum int_result { INT_OK, INT_NEGATIVE, INT_TOO_LARGE };

/*
 * A core-schema integer: [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+ (the caller
 * has checked the form). -0 is 0; other negatives and values over 2^64 - 1
 * are reported as such.
 */
static enum int_result parse_int(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0, base = 10;
	bool neg = false, over = false;
	size_t i;

	if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++, n--;
	} else if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		base = s[1] == 'o' ? 8 : 16;
		s += 2, n -= 2;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		uint64_t d = c >= 'a' ? (uint64_t)(c - 'a' + 10) : c >= 'A' ? (uint64_t)(c - 'A' + 10) :
			(uint64_t)(c - '0');
		if (!u64_mul(x, base, &x) || !u64_add(x, d, &x))
			over = true;
	}
	if (neg && (over || x != 0))
		return INT_NEGATIVE;
	if (over)
		return INT_TOO_LARGE;
	*v = x;
	return INT_OK;
}

static int too_large(struct yr *r, const char *what, const char *max)
{
	struct sbuf b = { 0 };

	yr_describe(&b, r);
	yr_error(r, "expected %s, got %s (too large: the maximum is %s)", what, b.s, max);
	sbuf_release(&b);
	return -1;
}

/* An integer scalar into *v, checked against [min, max]; what names the expectation. */
static int read_u64(struct yr *r, const char *what, uint64_t min, uint64_t max, uint64_t *v)
{
	if (!yr_is(r, YAML_SCALAR_EVENT) || yr_class(r) != SC_INT)
		return yr_type_error(r, what);
	switch (parse_int(yr_text(r), yr_len(r), v)) {
	case INT_OK:
		break;
	case INT_NEGATIVE:
		return yr_type_error(r, what);
	case INT_TOO_LARGE:
		return too_large(r, what, "18446744073709551615");
	}
	if (*v < min || *v > max)
		return yr_type_error(r, what);
	return 0;
}

/* A core-schema int or float, finite and not negative. */
static int read_real(struct yr *r, double *v)
{
	struct sbuf b = { 0 };
	const char *s = yr_text(r), *dp = localeconv()->decimal_point;
	enum sclass c;
	uint64_t u;
	size_t i;

	if (!yr_is(r, YAML_SCALAR_EVENT))
		return yr_type_error(r, WHAT_REAL);
	c = yr_class(r);
	if (c != SC_INT && c != SC_FLOAT)
		return yr_type_error(r, WHAT_REAL);
	if (s[0] == '-' && strspn(s + 1, "0.") != yr_len(r) - 1)
		return yr_type_error(r, WHAT_REAL);
	if (c == SC_FLOAT && strpbrk(s, "nN"))
		return yr_type_error(r, WHAT_REAL); /* .inf, .nan */
	if (c == SC_INT && yr_len(r) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		if (parse_int(s, yr_len(r), &u) != INT_OK)
			return too_large(r, WHAT_REAL, "about 1.8e308");
		*v = (double)u;
		return 0;
	}
	/* strtod reads the locale's decimal point: hand it that */
	for (i = 0; i < yr_len(r); i++) {
		if (s[i] == '.')
			sbuf_puts(&b, dp);
		else
			sbuf_putc(&b, s[i]);
	}
	*v = strtod(b.s, NULL);
	sbuf_release(&b);
	if (isinf(*v))
		return too_large(r, WHAT_REAL, "about 1.8e308");
	if (*v == 0)
		*v = 0; /* -0.0 */
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Milliseconds from "<digits>[.<digits>]<unit>" (whitespace allowed around
 * and between, as the schema's pattern has it): the fraction is rounded to
 * the nearest millisecond, half up, from its first FRAC_DIGITS digits.
 * Returns 0, 1 when the text is not a duration, 2 when it overflows.
 */
enum { FRAC_DIGITS = 9 };
static int parse_duration(const char *s, size_t n, uint64_t *ms)
{
	static const uint64_t pow10[FRAC_DIGITS + 1] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	};
	size_t i = 0, int_start, int_len, frac_start = 0, frac_len = 0, unit_start, unit_len, u;
	uint64_t ip, frac = 0, v, part;

	while (i < n && is_space(s[i]))
		i++;
	int_start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	int_len = i - int_start;
	if (int_len == 0)
		return 1;
	if (i < n && s[i] == '.') {
		frac_start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		frac_len = i - frac_start;
		if (frac_len == 0)
			return 1;
	}
	while (i < n && is_space(s[i]))
		i++;
	unit_start = i;
	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	unit_len = i - unit_start;
	while (i < n && is_space(s[i]))
		i++;
	if (i != n)
		return 1;
	for (u = 0; u < ARRAY_LEN(duration_units); u++)
		if (strlen(duration_units[u].name) == unit_len &&
		    memcmp(s + unit_start, duration_units[u].name, unit_len) == 0)
			break;
	if (u == ARRAY_LEN(duration_units))
		return 1;
	if (parse_int(s + int_start, int_len, &ip) != INT_OK || !u64_mul(ip, duration_units[u].ms, &v))
		return 2;
	if (frac_len > FRAC_DIGITS)
		frac_len = FRAC_DIGITS;
	for (i = 0; i < frac_len; i++)
		frac = frac * 10 + (uint64_t)(s[frac_start + i] - '0');
	/* frac < 10^9 and a unit <= 8.64e7 ms: the product fits in 64 bits */
	part = (frac * duration_units[u].ms + pow10[frac_len] / 2) / pow10[frac_len];
	if (!u64_add(v, part, &v))
		return 2;
	*ms = v;
	return 0;
}

/* A duration: integer milliseconds, or a string with a PostgreSQL time unit. */
static int read_duration(struct yr *r, uint64_t *ms)
{
	enum sclass c;

	if (!yr_is(r, YAML_SCALAR_EVENT))
		return yr_type_error(r, WHAT_DURATION);
	c = yr_class(r);
	if (c == SC_INT)
		return read_u64(r, WHAT_DURATION, 0, UINT64_MAX, ms);
	if (c != SC_STR)
		return yr_type_error(r, WHAT_DURATION);
	switch (parse_duration(yr_text(r), yr_len(r), ms)) {
	case 0:
		return 0;
	case 2:
		return too_large(r, "a duration", "18446744073709551615 ms");
	default:
		return yr_type_error(r, WHAT_DURATION);
	}
}

/* surge: an integer, or "N%" with N from 0 to 100 written without leading zeros. */
static int read_surge(struct yr *r, uint64_t *v, bool *percent)
{
	const char *s = yr_text(r);
	size_t n = yr_len(r), digits;

	if (!yr_is(r, YAML_SCALAR_EVENT))
		return yr_type_error(r, WHAT_SURGE);
	if (yr_class(r) == SC_INT) {
		*percent = false;
		return read_u64(r, WHAT_SURGE, 0, UINT64_MAX, v);
	}
	digits = strspn(s, "0123456789");
	if (yr_class(r) != SC_STR || digits == 0 || digits + 1 != n || s[digits] != '%' ||
	    (digits > 1 && s[0] == '0'))
		return yr_type_error(r, WHAT_SURGE);
	if (parse_int(s, digits, v) != INT_OK || *v > PERCENT_MAX)
		return yr_error(r, "surge percentage %s is above 100%%", str_clip(s));
	*percent = true;
	return 0;
}

/*
 * Strings up to this length are kept once per load: a topology names the
 * same databases, poolers, frameworks and environments over and over.
 */
enum { INTERN_MAX = 64 };

/* The arena copy of the n bytes at s (NUL-terminated there), shared when short. */
static const char *intern(struct ld *ld, const char *s, size_t n)
{
	const char *kept;
	char *copy;

	if (n > INTERN_MAX)
		return arena_strndup(&ld->t->arena, s, n);
	kept = strmap_key(&ld->interned, s);
	if (kept)
		return kept;
	copy = arena_strndup(&ld->t->arena, s, n);
	strmap_put(&ld->interned, copy, 0, NULL);
	return copy;
}

int load_read_string(struct yr *r, struct str *out)
{
	if (!yr_is(r, YAML_SCALAR_EVENT) || yr_class(r) != SC_STR)
		return yr_type_error(r, "a string");
	if (yr_len(r) == 0)
		return yr_error(r, "expected a non-empty string, got \"\"");
	if (yr_len(r) > LOAD_MAX_STRING_LEN)
		return yr_error(r, "string of %zu bytes is longer than the limit of %d bytes", yr_len(r),
				LOAD_MAX_STRING_LEN);
	if (memchr(yr_text(r), '\0', yr_len(r)))
		return yr_error(r, "strings cannot contain NUL characters");
	out->s = intern(r->ld, yr_text(r), yr_len(r));
	out->pos = yr_pos(r);
	return 0;
}

/* One of a closed set of names (enum order); *v gets its index. */
static int read_enum(struct yr *r, const struct field *f, uint64_t *v)
{
	struct sbuf b = { 0 };
	size_t i;

	if (!yr_is(r, YAML_SCALAR_EVENT) || yr_class(r) != SC_STR) {
		sbuf_printf(&b, "a %s (", f->what);
		join_names(&b, f->names, f->nnames);
		sbuf_putc(&b, ')');
		yr_type_error(r, b.s);
		sbuf_release(&b);
		return -1;
	}
	for (i = 0; i < f->nnames; i++) {
		if (strlen(f->names[i]) == yr_len(r) && memcmp(f->names[i], yr_text(r), yr_len(r)) == 0) {
			*v = i;
			return 0;
		}
	}
	return unknown_name(r, f->what, f->names, f->nnames);
}

static int read_framework(struct yr *r, struct str *out, size_t *index)
{
	struct sbuf b = { 0 };
	struct str s;
	const char *best;
	size_t i;

	if (load_read_string(r, &s))
		return -1;
	if (framework_find(s.s, index)) {
		*out = s;
		return 0;
	}
	yr_quote(r, &b, yr_text(r), yr_len(r));
	best = framework_suggest(s.s);
	if (best) {
		yr_error(r, "unknown framework %s, did you mean \"%s\"?", b.s, best);
	} else {
		sbuf_puts(&b, " (known: ");
		for (i = 0; i < framework_count; i++)
			sbuf_printf(&b, "%s%s", i ? ", " : "", framework_table[i].name);
		sbuf_putc(&b, ')');
		yr_error(r, "unknown framework %s", b.s);
	}
	sbuf_release(&b);
	return -1;
}

/*
 * An instance class or plan. When the database's provider was read before
 * it, the name must be one of that provider's; otherwise any provider's name
 * passes here and the loader's validation checks the pair once the whole
 * mapping is read. Returns 0, or -1 with the error set.
 */
static int read_instance(struct yr *r, const char *provider, struct str *out)
{
	struct sbuf b = { 0 };
	const char *best;
	struct str s;
	size_t i;

	/* Neon names its compute sizes by number (`instance: 0.25`) */
	if (yr_is(r, YAML_SCALAR_EVENT) && (yr_class(r) == SC_INT || yr_class(r) == SC_FLOAT) &&
	    yr_len(r) <= LOAD_MAX_STRING_LEN) {
		s.s = intern(r->ld, yr_text(r), yr_len(r));
		s.pos = yr_pos(r);
	} else if (load_read_string(r, &s)) {
		return -1;
	}
	for (i = 0; i < catalog_provider_count; i++)
		if ((!provider || strcmp(provider, catalog_providers[i]) == 0) &&
		    catalog_find(catalog_providers[i], s.s)) {
			*out = s;
			return 0;
		}
	yr_quote(r, &b, yr_text(r), yr_len(r));
	if (!provider || strcmp(provider, CATALOG_DEFAULT_PROVIDER) == 0) {
		yr_error(r, "unknown RDS instance class %s; set max_connections instead", b.s);
	} else if ((best = catalog_suggest(provider, s.s))) {
		yr_error(r, "unknown %s instance %s, did you mean \"%s\"? (connbudget catalog %s lists them)",
			 provider, b.s, best, provider);
	} else {
		yr_error(r, "unknown %s instance %s; connbudget catalog %s lists them, or set "
			 "max_connections instead", provider, b.s, provider);
	}
	sbuf_release(&b);
	return -1;
}

/* A provider of the catalog; out points at the catalog's own copy of the name. */
static int read_provider(struct yr *r, struct str *out)
{
	size_t i;

	if (!yr_is(r, YAML_SCALAR_EVENT) || yr_class(r) != SC_STR)
		return yr_type_error(r, "a provider (a string)");
	for (i = 0; i < catalog_provider_count; i++) {
		if (strlen(catalog_providers[i]) == yr_len(r) &&
		    memcmp(catalog_providers[i], yr_text(r), yr_len(r)) == 0) {
			out->s = catalog_providers[i];
			out->pos = yr_pos(r);
			return 0;
		}
	}
	return unknown_name(r, "provider", catalog_providers, catalog_provider_count);
}

static int read_feature(struct yr *r, struct str *out)
{
	const char *names[FEATURE_COUNT];
	size_t i;

	if (!yr_is(r, YAML_SCALAR_EVENT) || yr_class(r) != SC_STR)
		return yr_type_error(r, "a session feature (a string)");
	for (i = 0; i < FEATURE_COUNT; i++) {
		names[i] = feature_name((enum feature)i);
		if (strlen(names[i]) == yr_len(r) && memcmp(names[i], yr_text(r), yr_len(r)) == 0) {
			out->s = names[i];
			out->pos = yr_pos(r);
			return 0;
		}
	}
	return unknown_name(r, "session feature", names, FEATURE_COUNT);
}

static const char *const suppress_keys[] = { "rule", "reason", "until" };

/*
 * One `ignore:` / `lint.disable` entry in the mapping form, the current
 * node: {rule: RULE, reason: STRING, until: YYYY-MM-DD}, rule required.
 * The rule goes to *rule (its position the value's, for an unknown rule),
 * the rest to *info. Consumes the mapping. Returns 0 or -1.
 */
static int read_suppress_entry(struct yr *r, struct str *rule, struct suppress_info *info)
{
	unsigned seen[ARRAY_LEN(suppress_keys)] = { 0 };
	size_t k;

	memset(rule, 0, sizeof(*rule));
	memset(info, 0, sizeof(*info));
	info->pos = yr_pos(r);
	for (;;) {
		if (yr_next(r))
			return -1;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			break;
		if (!yr_is(r, YAML_SCALAR_EVENT))
			return yr_type_error(r, "a key");
		for (k = 0; k < ARRAY_LEN(suppress_keys); k++)
			if (strlen(suppress_keys[k]) == yr_len(r) &&
			    memcmp(suppress_keys[k], yr_text(r), yr_len(r)) == 0)
				break;
		if (k == ARRAY_LEN(suppress_keys))
			return load_unknown_key(r, suppress_keys, ARRAY_LEN(suppress_keys));
		if (seen[k])
			return yr_error(r, "duplicate key \"%s\" (first at line %u)", suppress_keys[k], seen[k]);
		seen[k] = yr_pos(r).line;
		yr_path_push(r, suppress_keys[k]);
		if (yr_next(r))
			return -1;
		if (k == 0 && load_read_string(r, rule))
			return -1;
		if (k == 1 && load_read_string(r, &info->reason))
			return -1;
		if (k == 2 && (!yr_is(r, YAML_SCALAR_EVENT) || yr_class(r) != SC_STR ||
			       !date_parse(yr_text(r), yr_len(r), &info->until)))
			return yr_type_error(r, "a date YYYY-MM-DD (the last day the suppression holds)");
		yr_path_pop(r);
	}
	if (!rule->s)
		return yr_error_at(r, info->pos, "missing rule (the rule id or name this entry suppresses)");
	return 0;
}

enum list_kind { LIST_STRINGS, LIST_FEATURES, LIST_SUPPRESS };

/*
 * A list of strings (or of session features, or of suppressions), without
 * duplicates. Items are collected in ld->scratch and copied into the arena
 * at the end; a list of suppressions with a mapping among them also gets
 * out->info.
 */
static int read_list(struct yr *r, struct strlist *out, bool nonempty, enum list_kind kind)
{
	static const char *const what[] = { "a list of strings", "a list of session features",
					    "a list of strings" };
	struct ld *ld = r->ld;
	struct strmap seen = { 0 };
	struct suppress_info *infos = NULL, info;
	struct pos pos;
	struct str item;
	size_t n = 0, i, first = 0, infos_cap = 0;
	unsigned depth = r->depth;      /* the list's: its start is the current event */
	size_t npath = r->npath;
	bool dup, mapped = false, bad = false;
	int ret = -1;

	if (!yr_is(r, YAML_SEQUENCE_START_EVENT))
		return yr_type_error(r, what[kind]);
	pos = yr_pos(r);
	for (;;) {
		if (yr_next(r))
			goto out;
		if (yr_is(r, YAML_SEQUENCE_END_EVENT))
			break;
		if (n >= LOAD_MAX_LIST_ITEMS) {
			r->ld->stop = true; /* a limit: nothing more is read */
			yr_error(r, "more than %d items in one list", LOAD_MAX_LIST_ITEMS);
			goto out;
		}
		memset(&info, 0, sizeof(info));
		if (kind == LIST_SUPPRESS && yr_is(r, YAML_MAPPING_START_EVENT)) {
			if (read_suppress_entry(r, &item, &info))
				goto bad_item;
			mapped = true;
		} else if (kind == LIST_FEATURES ? read_feature(r, &item) : load_read_string(r, &item)) {
			goto bad_item;
		} else {
			info.pos = item.pos;
		}
		dup = false;
		if (n < LIST_LINEAR) {
			for (i = 0; i < n && !dup; i++)
				if (strcmp(ld->scratch[i].s, item.s) == 0)
					dup = true, first = i;
		} else {
			if (n == LIST_LINEAR)
				for (i = 0; i < n; i++)
					strmap_put(&seen, ld->scratch[i].s, i, NULL);
			dup = !strmap_put(&seen, item.s, n, &first);
		}
		if (dup) {
			struct sbuf b = { 0 };
			yr_quote(r, &b, item.s, strlen(item.s));
			if (r->set_path)
				yr_error(r, "duplicate item %s", b.s);
			else
				yr_error_at(r, info.pos, "duplicate item %s (first at line %u)", b.s,
					    ld->scratch[first].pos.line);
			sbuf_release(&b);
			goto bad_item;
		}
		xgrow(&ld->scratch, &ld->scratch_cap, n + 1, sizeof(*ld->scratch));
		if (kind == LIST_SUPPRESS) {
			xgrow(&infos, &infos_cap, n + 1, sizeof(*infos));
			infos[n] = info;
		}
		ld->scratch[n++] = item;
		continue;
bad_item:
		/* the error is kept and the next item read; the list is not stored */
		if (yr_recover(r, depth, npath))
			goto out;
		bad = true;
	}
	if (bad)
		goto out;
	if (n == 0 && nonempty) {
		yr_error_at(r, pos, "expected a non-empty list, got []");
		goto out;
	}
	out->v = n ? arena_alloc(&ld->t->arena, n * sizeof(*out->v)) : NULL;
	if (n)
		memcpy(out->v, ld->scratch, n * sizeof(*out->v));
	out->n = n;
	out->pos = pos;
	out->info = NULL;
	if (mapped) {
		struct suppress_info *v = arena_alloc(&ld->t->arena, n * sizeof(*v));

		memcpy(v, infos, n * sizeof(*v));
		out->info = v;
	}
	ret = 0;
out:
	free(infos);
	strmap_release(&seen);
	return ret;
}

int load_read_strlist(struct yr *r, struct strlist *out, bool nonempty)
{
	return read_list(r, out, nonempty, LIST_STRINGS);
}

/*
 * lint.severity: RULE → level. The rules module checks the rule names; the
 * levels are a closed set. Replaces t->lint_severity when the whole mapping
 * is good.
 */
static int read_levels(struct yr *r, struct topology *t)
{
	struct lint_severity *v = NULL, e;
	struct strmap seen = { 0 };
	size_t n = 0, cap = 0, first;
	uint64_t level;
	const struct field f = { .name = "level", .kind = F_ENUM, .names = levels,
				 .nnames = ARRAY_LEN(levels), .what = "level" };
	int ret = -1;

	if (!yr_is(r, YAML_MAPPING_START_EVENT))
		return yr_type_error(r, "a mapping of rule to level");
	for (;;) {
		if (yr_next(r))
			goto out;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			break;
		if (n >= LOAD_MAX_LIST_ITEMS) {
			r->ld->stop = true; /* a limit: nothing more is read */
			yr_error(r, "more than %d entries in one mapping", LOAD_MAX_LIST_ITEMS);
			goto out;
		}
		if (!yr_is(r, YAML_SCALAR_EVENT)) {
			yr_type_error(r, "a rule id or name");
			goto out;
		}
		if (load_read_string(r, &e.rule))
			goto out;
		if (!strmap_put(&seen, e.rule.s, n, &first)) {
			struct sbuf b = { 0 };
			yr_quote(r, &b, e.rule.s, strlen(e.rule.s));
			yr_error(r, "duplicate key %s (first at line %u)", b.s, v[first].rule.pos.line);
			sbuf_release(&b);
			goto out;
		}
		yr_path_push(r, e.rule.s);
		if (yr_next(r) || read_enum(r, &f, &level))
			goto out;
		yr_path_pop(r);
		e.level.s = levels[level];
		e.level.pos = yr_pos(r);
		xgrow(&v, &cap, n + 1, sizeof(*v));
		v[n++] = e;
	}
	free(t->lint_severity);
	t->lint_severity = v;
	t->nlint_severity = n;
	v = NULL;
	ret = 0;
out:
	free(v);
	strmap_release(&seen);
	return ret;
}

/*
 * Where a member of obj at off lives: in obj, or (FL_COLD) in the client's
 * struct client_cold, which the first write makes. Only called to store a
 * value that has been read whole, so that obj changes only on success.
 */
static char *member_at(struct yr *r, const struct field *f, size_t off, void *obj)
{
	if (f->flags & FL_COLD)
		return (char *)client_cold_edit(&r->ld->t->arena, obj, false) + off;
	return (char *)obj + off;
}

/* The same to read: an unset client_cold reads as all unset. */
static const char *member_in(const struct field *f, size_t off, const void *obj)
{
	if (f->flags & FL_COLD)
		return (const char *)client_cold(obj) + off;
	return (const char *)obj + off;
}

/* Store v (size bytes) as f's member of obj. */
static int store(struct yr *r, const struct field *f, void *obj, const void *v, size_t size)
{
	memcpy(member_at(r, f, f->off, obj), v, size);
	return 0;
}

void load_field_mark(struct yr *r, const struct field *f, void *obj, struct pos pos)
{
	assert(f->kind == F_MAP && f->pos_off != NO_POS);
	memcpy(member_at(r, f, f->pos_off, obj), &pos, sizeof(pos));
}

int load_read_field(struct yr *r, const struct field *f, void *obj, struct pos keypos)
{
	struct num nv = { 0 };
	struct real rv = { 0 };
	struct str sv = { 0 };
	struct strlist lv = { 0 };
	struct client *c = obj;
	size_t index;
	bool percent;

	nv.pos = rv.pos = yr_pos(r);
	switch (f->kind) {
	case F_UINT:
		if (read_u64(r, WHAT_UINT, 0, UINT64_MAX, &nv.v))
			return -1;
		return store(r, f, obj, &nv, sizeof(nv));
	case F_PORT:
		if (read_u64(r, WHAT_PORT, 1, PORT_MAX, &nv.v))
			return -1;
		return store(r, f, obj, &nv, sizeof(nv));
	case F_PERCENT:
		if (read_u64(r, WHAT_PERCENT, 1, PERCENT_MAX, &nv.v))
			return -1;
		return store(r, f, obj, &nv, sizeof(nv));
	case F_DURATION:
		if (read_duration(r, &nv.v))
			return -1;
		return store(r, f, obj, &nv, sizeof(nv));
	case F_ENUM:
		if (read_enum(r, f, &nv.v))
			return -1;
		return store(r, f, obj, &nv, sizeof(nv));
	case F_SURGE:
		if (read_surge(r, &nv.v, &percent))
			return -1;
		c->surge_percent = percent;
		return store(r, f, obj, &nv, sizeof(nv));
	case F_REAL:
		if (read_real(r, &rv.v))
			return -1;
		return store(r, f, obj, &rv, sizeof(rv));
	case F_STR:
		if (load_read_string(r, &sv))
			return -1;
		return store(r, f, obj, &sv, sizeof(sv));
	case F_FRAMEWORK:
		if (read_framework(r, &sv, &index))
			return -1;
		assert(index <= UINT16_MAX);
		c->framework_index = (uint16_t)index;
		return store(r, f, obj, &sv, sizeof(sv));
	case F_INSTANCE: /* only struct database has one */
		if (read_instance(r, ((const struct database *)obj)->provider.s, &sv))
			return -1;
		return store(r, f, obj, &sv, sizeof(sv));
	case F_PROVIDER:
		if (read_provider(r, &sv))
			return -1;
		return store(r, f, obj, &sv, sizeof(sv));
	case F_LIST:
	case F_FEATURES:
	case F_SUPPRESS:
		if (read_list(r, &lv, f->flags & FL_NONEMPTY,
			      f->kind == F_FEATURES ? LIST_FEATURES :
			      f->kind == F_SUPPRESS ? LIST_SUPPRESS : LIST_STRINGS))
			return -1;
		return store(r, f, obj, &lv, sizeof(lv));
	case F_LEVELS:
		return read_levels(r, obj);
	case F_MAP:
		if (load_read_mapping(r, f->sub, obj))
			return -1;
		if (f->pos_off != NO_POS)
			load_field_mark(r, f, obj, keypos);
		return 0;
	}
	return -1;
}

bool load_field_is_set(const struct field *f, const void *obj)
{
	const char *member = member_in(f, f->off, obj);
	size_t i;

	switch (f->kind) {
	case F_REAL:
		return VALUE_SET(*(const struct real *)member);
	case F_STR:
	case F_FRAMEWORK:
	case F_INSTANCE:
	case F_PROVIDER:
		return ((const struct str *)member)->s != NULL;
	case F_LIST:
	case F_FEATURES:
	case F_SUPPRESS:
		return ((const struct strlist *)member)->pos.line != 0;
	case F_LEVELS:
		return ((const struct topology *)obj)->nlint_severity != 0;
	case F_MAP:
		if (f->pos_off != NO_POS)
			return ((const struct pos *)(const void *)member_in(f, f->pos_off, obj))->line != 0;
		for (i = 0; i < f->sub->n; i++)
			if (load_field_is_set(&f->sub->fields[i], obj))
				return true;
		return false;
	default:
		return VALUE_SET(*(const struct num *)member);
	}
}

struct pos load_field_pos(const struct field *f, const void *obj)
{
	const char *member = member_in(f, f->off, obj);
	struct pos none = { 0 };
	size_t i;

	switch (f->kind) {
	case F_REAL:
		return ((const struct real *)member)->pos;
	case F_STR:
	case F_FRAMEWORK:
	case F_INSTANCE:
	case F_PROVIDER:
		return ((const struct str *)member)->pos;
	case F_LIST:
	case F_FEATURES:
	case F_SUPPRESS:
		return ((const struct strlist *)member)->pos;
	case F_LEVELS:
		if (((const struct topology *)obj)->nlint_severity)
			return ((const struct topology *)obj)->lint_severity[0].rule.pos;
		return none;
	case F_MAP:
		if (f->pos_off != NO_POS)
			return *(const struct pos *)(const void *)member_in(f, f->pos_off, obj);
		for (i = 0; i < f->sub->n; i++)
			if (load_field_is_set(&f->sub->fields[i], obj))
				return load_field_pos(&f->sub->fields[i], obj);
		return none;
	default:
		return ((const struct num *)member)->pos;
	}
}
