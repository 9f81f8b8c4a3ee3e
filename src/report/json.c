/*
 * report_json.c - the JSON report, documented by
 * schemas/report.schema.json, and the streaming JSON writer SARIF shares.
 *
 * The document is streamed, never held whole. The skeleton (the top-level
 * object, its keys, brackets and two-space indentation) and each array
 * entry (a database, pooler, client, finding), one compact entry per line,
 * are written member by member into a 64 KiB buffer that is flushed as it
 * fills: no tree is built for them, so a report of 100 000 clients costs
 * about what its bytes cost. cJSON still prints what is not plain: a
 * string that needs escaping (a control character, a quote, a backslash)
 * and a floating-point number go through cJSON_PrintPreallocated on a
 * cJSON item on the stack, so the escaping and number formatting are
 * cJSON's, byte for byte; a string with none of those is copied as it is,
 * which is what cJSON would print for it. Counts are uint64_t written as
 * exact decimal text, so nothing above 2^53 is rounded; an unbounded
 * figure is null with "unbounded": true beside it. A command's sections
 * (plan's "plan", observe's "observed"), handed over as cJSON trees in
 * struct report_section, are printed the same way after the summary.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "load.h"
#include "report_impl.h"

/* The writer's per-member steps, inlined into the entry writers below so
 * that the length of each literal key is a constant. */
#if defined(__GNUC__) || defined(__clang__)
#define JW_INLINE static inline __attribute__((always_inline))
#else
#define JW_INLINE static inline
#endif

/* The first size of cJSON's print buffer (it grows to the longest value
 * printed), and the size of the output buffer. */
enum { JW_BUF_MIN = 4096, JW_OUT = 64 * 1024 };

void report_jw_init(struct report_jw *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first = true;
	w->obuf = xmalloc(JW_OUT);
}

/* Hand the buffered bytes to the stream; a failed write is remembered. */
static void jw_flush(struct report_jw *w)
{
	if (!w->failed && w->olen && fwrite(w->obuf, 1, w->olen, w->out) != w->olen)
		w->failed = true;
	w->olen = 0;
}

/*
 * Room for n more bytes at the end of the output buffer (n <= JW_OUT),
 * flushing it first when needed: the caller writes them and adds n to
 * w->olen. After a failure the bytes land in the buffer and are dropped.
 */
static inline char *jw_reserve(struct report_jw *w, size_t n)
{
	if (n > JW_OUT - w->olen)
		jw_flush(w);
	return w->obuf + w->olen;
}

/* Append n bytes, unless the document has failed. */
static inline void jw_write(struct report_jw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (n > JW_OUT) {
		jw_flush(w);
		if (!w->failed && fwrite(s, 1, n, w->out) != n)
			w->failed = true;
		return;
	}
	memcpy(jw_reserve(w, n), s, n);
	w->olen += n;
}

/* Append one byte. */
static inline void jw_putc(struct report_jw *w, char c)
{
	*jw_reserve(w, 1) = c;
	w->olen++;
}

/* Write a string literal. */
#define JW_LIT(w, lit) jw_write((w), (lit), sizeof(lit) - 1)

/* A newline and two spaces per open container. */
static void jw_newline(struct report_jw *w)
{
	static const char spaces[] = "\n                                ";
	unsigned n = 2 * w->depth;

	jw_write(w, spaces, 1);
	for (; n > sizeof(spaces) - 2; n -= sizeof(spaces) - 2)
		jw_write(w, spaces + 1, sizeof(spaces) - 2);
	jw_write(w, spaces + 1, n);
}

/*
 * Write n bytes that cJSON printed, each byte of invalid UTF-8 in them
 * (from a string or a key: cJSON copies bytes above 0x7f as they are, and
 * no escape it writes holds one) replaced by U+FFFD, so that the document
 * is valid UTF-8 whatever the input held.
 */
static void jw_write_utf8(struct report_jw *w, const char *s, size_t n)
{
	struct sbuf mended = { 0 };

	if (quote_utf8_valid(s, n)) {
		jw_write(w, s, n);
		return;
	}
	quote_utf8(&mended, s, n);
	jw_write(w, mended.s, mended.len);
	sbuf_release(&mended);
}

/*
 * Print item (its value, never its key) compactly with cJSON into w's
 * print buffer and write it. cJSON_PrintPreallocated reuses the buffer;
 * when the value does not fit, cJSON_PrintUnformatted prints it instead
 * and the buffer grows for the next one. item may live on the stack:
 * printing frees nothing.
 */
static void jw_print(struct report_jw *w, const cJSON *item)
{
	char *text;
	size_t n;

	if (!item) {
		w->failed = true;
		return;
	}
	if (!w->buf) {
		w->buf = xmalloc(JW_BUF_MIN);
		w->cap = JW_BUF_MIN;
	}
	if (cJSON_PrintPreallocated((cJSON *)item, w->buf, w->cap, false)) {
		jw_write_utf8(w, w->buf, strlen(w->buf));
		return;
	}
	text = cJSON_PrintUnformatted(item);
	if (!text) {
		w->failed = true;
		return;
	}
	n = strlen(text);
	jw_write_utf8(w, text, n);
	cJSON_free(text);
	/* room for the next value of this size, with cJSON's estimate slack */
	if (n < INT_MAX / 2 - 64 && (int)n * 2 + 64 > w->cap) {
		free(w->buf);
		w->cap = (int)n * 2 + 64;
		w->buf = xmalloc((size_t)w->cap);
	}
}

/* The bytes cJSON escapes in a string: controls, the quote, the backslash. */
static bool jw_escaped(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/*
 * Does any of the n bytes at p need escaping? Eight at a time: a byte of
 * x is zero exactly when (x - 0x01..) & ~x & 0x80.. has its high bit, so
 * XOR with a repeated byte finds that byte, and subtracting 0x20.. flags
 * bytes below 0x20 (and a few above 0x7f, which then take the exact test).
 */
static bool jw_word_flags(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	/* x & highs: a byte above 0x7f, which may start invalid UTF-8 */
	return ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & highs) != 0;
}

static bool jw_needs_escape(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t x;

	if (n < 8) {
		/* padded with a byte that is never escaped */
		unsigned char pad[8] = { 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a' };

		memcpy(pad, p, n);
		memcpy(&x, pad, 8);
		return jw_word_flags(x);
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, p + i, 8);
		if (jw_word_flags(x))
			goto exact;
	}
	if (i < n) {
		/* the last 8 bytes, overlapping what was checked */
		memcpy(&x, p + n - 8, 8);
		if (jw_word_flags(x))
			goto exact;
	}
	return false;
exact:
	/* a flag may be a byte above 0x7f: decide byte by byte, then whether
	 * those bytes are valid UTF-8 (jw_print mends the string if not) */
	for (i = 0; i < n; i++)
		if (jw_escaped(p[i]))
			return true;
	return !quote_utf8_valid((const char *)p, n);
}

/*
 * Values written at a cursor into room already reserved, each returning
 * the cursor after it: the members below (jw_*) and the entries' fast
 * lane (cur_*, further down) both write through them.
 */

/* s (n bytes, nothing to escape) between quotes. */
JW_INLINE char *cur_quoted(char *p, const char *s, size_t n)
{
	*p++ = '"';
	memcpy(p, s, n);
	p[n] = '"';
	return p + n + 1;
}

JW_INLINE char *cur_null(char *p)
{
	memcpy(p, "null", 4);
	return p + 4;
}

enum { U64_DIGITS = 20 }; /* UINT64_MAX has 20 digits */

JW_INLINE char *cur_u64(char *p, uint64_t v)
{
	char tmp[U64_DIGITS];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(p, tmp + n, sizeof(tmp) - n);
	return p + sizeof(tmp) - n;
}

JW_INLINE char *cur_bool(char *p, bool v)
{
	if (v) {
		memcpy(p, "true", 4);
		return p + 4;
	}
	memcpy(p, "false", 5);
	return p + 5;
}

/*
 * s as a JSON string. Without a byte cJSON escapes, cJSON would print s
 * between quotes unchanged, so that is done here directly; anything else
 * is cJSON's to escape.
 */
static void jw_string(struct report_jw *w, const char *raw)
{
	char *masked = mask_may_change(raw) ? mask_password(raw) : NULL;
	const char *s = masked ? masked : raw;
	size_t n = strlen(s);
	cJSON item;

	if (n <= JW_OUT - 2 && !jw_needs_escape((const unsigned char *)s, n)) {
		w->olen = (size_t)(cur_quoted(jw_reserve(w, n + 2), s, n) - w->obuf);
	} else {
		memset(&item, 0, sizeof(item));
		item.type = cJSON_String;
		item.valuestring = (char *)s;
		jw_print(w, &item);
	}
	free(masked);
}

/*
 * "key": (in the skeleton) or "key": (inside an entry). Keys are this
 * program's own names, never input, and need no escaping.
 */
JW_INLINE void jw_key(struct report_jw *w, const char *key, bool skeleton)
{
	size_t n = strlen(key);
	char *o;

	assert(n <= 256);
	o = jw_reserve(w, n + 4);
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (skeleton)
		*o = ' ';
	w->olen += n + 3 + skeleton;
}

/*
 * Start a member of the open container: the separator, then (in the
 * skeleton) a new line, then the key. Inside an entry everything stays on
 * the entry's line, without spaces, as cJSON prints compactly.
 */
JW_INLINE void jw_member(struct report_jw *w, const char *key)
{
	bool skeleton = w->depth <= w->skeleton;

	if (w->depth > 0) {
		if (!w->first)
			jw_putc(w, ',');
		if (skeleton)
			jw_newline(w);
	}
	w->first = false;
	if (key)
		jw_key(w, key, skeleton);
}

void report_jw_open(struct report_jw *w, const char *key, bool array)
{
	jw_member(w, key);
	jw_putc(w, array ? '[' : '{');
	w->depth++;
	w->skeleton = w->depth;
	w->first = true;
}

void report_jw_close(struct report_jw *w, bool array)
{
	if (w->depth == 0 || w->depth != w->skeleton) {
		w->failed = true;
		return;
	}
	w->depth--;
	w->skeleton = w->depth;
	if (!w->first)
		jw_newline(w);
	jw_putc(w, array ? ']' : '}');
	w->first = false;
	if (w->depth == 0)
		JW_LIT(w, "\n");
}

JW_INLINE void jw_begin(struct report_jw *w, const char *key, bool array)
{
	jw_member(w, key);
	jw_putc(w, array ? '[' : '{');
	w->depth++;
	w->first = true;
}

JW_INLINE void jw_end(struct report_jw *w, bool array)
{
	if (w->depth <= w->skeleton) {
		w->failed = true;
		return;
	}
	w->depth--;
	jw_putc(w, array ? ']' : '}');
	w->first = false;
}

JW_INLINE void jw_str(struct report_jw *w, const char *key, const char *s)
{
	jw_member(w, key);
	if (s)
		jw_string(w, s);
	else
		JW_LIT(w, "null");
}

JW_INLINE void jw_u64(struct report_jw *w, const char *key, uint64_t v)
{
	jw_member(w, key);
	w->olen = (size_t)(cur_u64(jw_reserve(w, U64_DIGITS), v) - w->obuf);
}

JW_INLINE void jw_bool(struct report_jw *w, const char *key, bool v)
{
	jw_member(w, key);
	w->olen = (size_t)(cur_bool(jw_reserve(w, 5), v) - w->obuf);
}

JW_INLINE void jw_null(struct report_jw *w, const char *key)
{
	jw_member(w, key);
	JW_LIT(w, "null");
}

JW_INLINE void jw_double(struct report_jw *w, const char *key, double v)
{
	cJSON item;

	jw_member(w, key);
	memset(&item, 0, sizeof(item));
	item.type = cJSON_Number;
	cJSON_SetNumberValue(&item, v);
	jw_print(w, &item);
}

/*
 * The fast lane for an entry whose members are all known (a client, a
 * contributor, a finding: most of a large report). The writer's checks run
 * once per entry instead of once per member: cur_begin reserves CUR_ROOM
 * bytes, and the cur_* helpers write at a cursor with no check. The room
 * holds every key (under 400 bytes), number (20 at most, U64_DIGITS each)
 * and id or name (4 at most, ids up to LOAD_MAX_ID_LEN) of any such entry.
 * A string from the input is copied in line when it needs no escaping and
 * leaves CUR_ROOM free after it; else it goes through jw_string, and the
 * room is reserved again. The bytes are the ones the jw_* members above
 * write.
 */
enum { CUR_ROOM = 2048 };
_Static_assert(CUR_ROOM >= 400 + 20 * U64_DIGITS + 4 * (LOAD_MAX_ID_LEN + 2),
	       "CUR_ROOM holds an entry's fixed part");

/* The separator and the "{" of a new entry; the cursor after it. */
JW_INLINE char *cur_begin(struct report_jw *w)
{
	jw_begin(w, NULL, false);
	return jw_reserve(w, CUR_ROOM);
}

/* The cursor's bytes become the buffer's; the entry is closed. */
JW_INLINE void cur_end(struct report_jw *w, char *p)
{
	w->olen = (size_t)(p - w->obuf);
	w->first = false;
	jw_end(w, false);
}

/* A literal (a key and its punctuation). */
#define CUR_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)
/* ,"key": and a value, after the entry's first member (key is a literal). */
#define CUR_KEY(p, key) CUR_LIT(p, ",\"" key "\":")
#define CUR_U64(p, key, v) (CUR_KEY(p, key), (p) = cur_u64((p), (v)))
#define CUR_COUNT(p, key, v, unbounded) (CUR_KEY(p, key), (p) = cur_count((p), (v), (unbounded)))
#define CUR_BOOL(p, key, v) (CUR_KEY(p, key), (p) = cur_bool((p), (v)))
#define CUR_NAME(p, key, s) (CUR_KEY(p, key), (p) = cur_name((p), (s)))
#define CUR_STR(w, p, key, s) (CUR_KEY(p, key), (p) = cur_str((w), (p), (s)))
#define CUR_FILE(w, p, key, s) (CUR_KEY(p, key), (p) = cur_file((w), (p), (s)))

/* v, or null when unbounded (put_count). */
JW_INLINE char *cur_count(char *p, uint64_t v, bool unbounded)
{
	return unbounded ? cur_null(p) : cur_u64(p, v);
}

/*
 * A string with nothing to escape: the program's own names (types,
 * kinds), and ids. Every database, pooler and client id matches
 * [A-Za-z0-9_-]+ (load.c's valid_id), a client's connects_to names one of
 * them and its framework is one of framework.h's once load_validate has
 * passed, and no report is written before it has.
 */
JW_INLINE char *cur_name(char *p, const char *s)
{
	return cur_quoted(p, s, strlen(s));
}

/*
 * s as a JSON string, or null (jw_str); the cursor after it. A file name
 * (file) is the same string in entry after entry: the last one found
 * clean is remembered, and not looked at again.
 */
static char *cur_string(struct report_jw *w, char *p, const char *s, bool file)
{
	size_t n;
	bool clean;

	if (!s)
		return cur_null(p);
	if (s == w->clean) {
		n = w->clean_len;
		clean = true;
	} else {
		n = strlen(s);
		clean = !jw_needs_escape((const unsigned char *)s, n);
		if (clean && file) {
			w->clean = s;
			w->clean_len = n;
		}
	}
	if (clean && n + 2 + CUR_ROOM <= (size_t)(w->obuf + JW_OUT - p))
		return cur_quoted(p, s, n);
	w->olen = (size_t)(p - w->obuf);
	jw_string(w, s);
	return jw_reserve(w, CUR_ROOM);
}

JW_INLINE char *cur_str(struct report_jw *w, char *p, const char *s)
{
	return cur_string(w, p, s, false);
}

JW_INLINE char *cur_file(struct report_jw *w, char *p, const char *s)
{
	return cur_string(w, p, s, true);
}

/* The exported members, for report_sarif.c. */
void report_jw_begin(struct report_jw *w, const char *key, bool array)
{
	jw_begin(w, key, array);
}

void report_jw_end(struct report_jw *w, bool array)
{
	jw_end(w, array);
}

void report_jw_str(struct report_jw *w, const char *key, const char *s)
{
	jw_str(w, key, s);
}

void report_jw_u64(struct report_jw *w, const char *key, uint64_t v)
{
	jw_u64(w, key, v);
}

void report_jw_bool(struct report_jw *w, const char *key, bool v)
{
	jw_bool(w, key, v);
}

void report_jw_null(struct report_jw *w, const char *key)
{
	jw_null(w, key);
}

void report_jw_double(struct report_jw *w, const char *key, double v)
{
	jw_double(w, key, v);
}

void report_jw_value(struct report_jw *w, const char *key, const cJSON *item)
{
	jw_member(w, key);
	jw_print(w, item);
}

void report_jw_fail(struct report_jw *w)
{
	w->failed = true;
}

int report_jw_finish(struct report_jw *w)
{
	int rc;

	jw_flush(w);
	rc = w->failed || w->depth != 0 ? -1 : 0;
	free(w->buf);
	free(w->obuf);
	w->buf = w->obuf = NULL;
	w->cap = 0;
	return rc;
}

/* key: v, or null when the figure is unbounded. */
static void put_count(struct report_jw *w, const char *key, uint64_t v, bool unbounded)
{
	if (unbounded)
		jw_null(w, key);
	else
		jw_u64(w, key, v);
}

/* "steady", "peak" and "unbounded" of an amount, as members of the open object. */
static void put_amount_fields(struct report_jw *w, const struct amount *a)
{
	put_count(w, "steady", a->steady, a->unbounded || a->unknown);
	put_count(w, "peak", a->peak, a->unbounded || a->unknown);
	jw_bool(w, "unbounded", a->unbounded);
	/* docs/sources.md (CB020): only when a pool size is unknown */
	if (a->unknown)
		jw_bool(w, "unknown", true);
	if (a->lower_bound && !a->unknown)
		jw_bool(w, "lower_bound", true);
}

/* key: {"steady", "peak", "unbounded"}. */
static void put_amount(struct report_jw *w, const char *key, const struct amount *a)
{
	jw_begin(w, key, false);
	put_amount_fields(w, a);
	jw_end(w, false);
}

/* "id", "file" (where the object is defined) and "topology" (the FILE argument). */
static void put_origin(struct report_jw *w, const struct topology *t, const struct str *id)
{
	jw_str(w, "id", id->s);
	jw_str(w, "file", report_object_file(t, id));
	jw_str(w, "topology", t->file);
}

/*
 * Lists of clients (a database's contributors, a pooler's clients) name
 * clients far apart in the model: reading each id is a cache miss, one
 * per client at 100 000 clients. PREFETCH_AHEAD entries ahead the client
 * is asked for, and half as far ahead (by then it is in) its id's text.
 */
enum { PREFETCH_AHEAD = 16 };

JW_INLINE void prefetch_client(const struct topology *t, size_t far, size_t near)
{
#if defined(__GNUC__) || defined(__clang__)
	if (far < t->nclients)
		__builtin_prefetch(&t->clients[far]);
	if (near < t->nclients)
		__builtin_prefetch(t->clients[near].id.s);
#else
	(void)t, (void)far, (void)near;
#endif
}

/* The client index of contributor i of d, or SIZE_MAX (a pooler, or past the end). */
static size_t contrib_client(const struct db_fig *d, size_t i)
{
	return i < d->ncontrib && d->contrib[i].kind == CONTRIB_CLIENT ? d->contrib[i].index : SIZE_MAX;
}

/* The client ahead entries past the iterator in its list, or SIZE_MAX (no list, or past the end). */
static size_t pooled_client(const struct report_pooled *it, size_t ahead)
{
	return it->list && it->i + ahead < it->n ? it->list[it->i + ahead] : SIZE_MAX;
}

/* ,"steady":…,"peak":…,"unbounded":… (put_amount_fields after the first member). */
JW_INLINE char *cur_amount(char *p, const struct amount *a)
{
	CUR_COUNT(p, "steady", a->steady, a->unbounded || a->unknown);
	CUR_COUNT(p, "peak", a->peak, a->unbounded || a->unknown);
	CUR_BOOL(p, "unbounded", a->unbounded);
	if (a->unknown)
		CUR_BOOL(p, "unknown", true);
	if (a->lower_bound && !a->unknown)
		CUR_BOOL(p, "lower_bound", true);
	return p;
}

static void put_contributors(struct report_jw *w, const struct report_file *rf,
			     const struct db_fig *d)
{
	char *p;
	size_t i;

	jw_begin(w, "contributors", true);
	for (i = 0; i < d->ncontrib; i++) {
		const struct contrib *c = &d->contrib[i];
		struct amount a = report_contrib_amount(rf->budget, c);

		prefetch_client(rf->topo, contrib_client(d, i + PREFETCH_AHEAD),
				contrib_client(d, i + PREFETCH_AHEAD / 2));

		p = cur_begin(w);
		CUR_LIT(p, "\"id\":");
		p = cur_name(p, report_contrib_id(rf->topo, c));
		CUR_NAME(p, "kind", c->kind == CONTRIB_POOLER ? "pooler" : "client");
		CUR_NAME(p, "type", report_contrib_type(rf->topo, c));
		p = cur_amount(p, &a);
		cur_end(w, p);
	}
	jw_end(w, true);
}

/* Database i of rf as one entry. */
static void json_database(struct report_jw *w, const struct report_file *rf, size_t i)
{
	const struct database *db = &rf->topo->databases[i];
	const struct db_fig *d = &rf->budget->dbs[i];

	jw_begin(w, NULL, false);
	put_origin(w, rf->topo, &db->id);
	jw_u64(w, "max_connections", d->max_connections);
	jw_u64(w, "superuser_reserved_connections", d->superuser_reserved);
	jw_u64(w, "reserved_connections", d->reserved);
	jw_u64(w, "headroom", d->headroom);
	jw_u64(w, "capacity", d->capacity);
	jw_u64(w, "budget", d->budget);
	put_count(w, "optimum", d->optimum, !d->has_optimum);
	put_amount(w, "demand", &d->demand);
	if (d->demand.unbounded)
		jw_null(w, "utilization");
	else
		jw_double(w, "utilization", d->utilization);
	jw_bool(w, "unbounded", d->demand.unbounded);
	put_contributors(w, rf, d);
	jw_end(w, false);
}

/* A pgbouncer's pools, and the demand whose pool cannot be told. */
static void put_pools(struct report_jw *w, const struct pooler_fig *f)
{
	size_t k;

	jw_begin(w, "pools", true);
	for (k = 0; k < f->npools; k++) {
		const struct pool_fig *pf = &f->pools[k];

		jw_begin(w, NULL, false);
		jw_str(w, "entry", pf->entry);
		jw_str(w, "user", pf->user);
		put_count(w, "pool_size", pf->size, pf->unbounded);
		jw_u64(w, "reserve_pool_size", pf->reserve);
		jw_str(w, "pool_mode", pool_mode_name(pf->mode));
		put_count(w, "cap", pf->cap, pf->unbounded);
		jw_bool(w, "unbounded", pf->unbounded);
		put_amount(w, "demand", &pf->demand);
		put_amount(w, "server", &pf->server);
		jw_end(w, false);
	}
	jw_end(w, true);
	put_amount(w, "unassigned_demand", &f->untold);
}

/* Pooler i of rf as one entry, with the ids of the clients behind it in file order. */
static void json_pooler(struct report_jw *w, const struct report_file *rf, size_t i)
{
	const struct topology *t = rf->topo;
	const struct pooler *p = &t->poolers[i];
	const struct pooler_fig *f = &rf->budget->poolers[i];
	struct report_pooled it;
	size_t k;

	jw_begin(w, NULL, false);
	put_origin(w, t, &p->id);
	jw_str(w, "type", pooler_type_name((enum pooler_type)p->type.v));
	if (p->managed) /* docs/poolers.md "Managed poolers" */
		jw_str(w, "managed", p->managed->provider);
	jw_str(w, "database", t->databases[p->db].id.s);
	/* a pooler in front of a pooler (docs/poolers.md): only on a chain, so
	 * the reports of topologies without one stay as they were */
	if (p->via_pooler)
		jw_str(w, "connects_to", t->poolers[p->inner].id.s);
	jw_str(w, "pool_mode", pool_mode_name(f->pool_mode));
	if (p->from.s) {
		/* docs/sources.md: a rolling deploy of the pooler runs old and new pods */
		jw_begin(w, "instances", false);
		jw_u64(w, "steady", f->instances_steady);
		jw_u64(w, "peak", f->instances);
		jw_end(w, false);
	} else {
		jw_u64(w, "instances", f->instances);
	}
	put_count(w, "cap", f->cap, f->cap_unbounded);
	if (p->from.s)
		put_count(w, "cap_steady", f->cap_steady, f->cap_unbounded);
	jw_bool(w, "cap_unbounded", f->cap_unbounded);
	put_amount(w, "client_demand", &f->client_demand);
	put_count(w, "client_limit", f->client_limit, !f->has_client_limit);
	put_amount(w, "server", &f->server);
	if (p->type.v == POOLER_PGBOUNCER) {
		jw_u64(w, "default_pool_size", f->default_pool_size);
		jw_u64(w, "reserve_pool_size", f->reserve_pool_size);
		jw_u64(w, "max_client_conn", f->max_client_conn);
		jw_u64(w, "max_db_connections", f->max_db_connections);
		jw_u64(w, "users", f->users);
		jw_u64(w, "max_user_connections", f->max_user_connections);
		put_pools(w, f);
	} else if (p->type.v == POOLER_PGPOOL) {
		jw_u64(w, "num_init_children", f->num_init_children);
		jw_u64(w, "max_pool", f->max_pool);
		jw_u64(w, "reserved_connections", f->reserved_connections);
	} else if (p->type.v == POOLER_RDS_PROXY) {
		jw_u64(w, "max_connections_percent", f->max_connections_percent);
	} else if (p->type.v == POOLER_SUPAVISOR) {
		jw_u64(w, "default_pool_size", f->default_pool_size);
		jw_u64(w, "users", f->users);
	}
	jw_begin(w, "clients", true);
	report_pooled_init(&it, rf, i);
	while (report_pooled_next(&it, &k)) {
		prefetch_client(t, pooled_client(&it, PREFETCH_AHEAD), pooled_client(&it, PREFETCH_AHEAD / 2));
		jw_str(w, NULL, t->clients[k].id.s);
	}
	jw_end(w, true);
	if (f->nouter) {
		jw_begin(w, "poolers", true);
		for (k = 0; k < f->nouter; k++)
			jw_str(w, NULL, t->poolers[f->outer[k]].id.s);
		jw_end(w, true);
	}
	jw_end(w, false);
}

/* The instance figures: replicas for services, concurrency for serverless. */
JW_INLINE char *cur_instances(char *p, const struct client *c, const struct client_fig *f)
{
	if (c->type.v == CLIENT_SERVERLESS) {
		CUR_U64(p, "concurrency", f->concurrency);
		CUR_U64(p, "max_concurrency", f->max_concurrency);
		CUR_BOOL(p, "concurrency_assumed", f->concurrency_assumed);
		return p;
	}
	CUR_U64(p, "replicas", f->replicas);
	CUR_U64(p, "max_replicas", f->max_replicas);
	CUR_U64(p, "surge", f->surge);
	CUR_U64(p, "processes", f->processes);
	CUR_U64(p, "peak_instances", f->peak_instances);
	return p;
}

/* Client i of rf as one entry. */
static void json_client(struct report_jw *w, const struct report_file *rf, size_t i)
{
	const struct topology *t = rf->topo;
	const struct client *c = &t->clients[i];
	struct client_fig fig;
	const struct client_fig *f = budget_client(rf->budget, i, &fig);
	char *p = cur_begin(w);

	CUR_LIT(p, "\"id\":");
	p = cur_name(p, c->id.s);
	CUR_FILE(w, p, "file", report_object_file(t, &c->id));
	CUR_FILE(w, p, "topology", t->file);
	CUR_NAME(p, "type", client_type_name((enum client_type)c->type.v));
	CUR_NAME(p, "connects_to", c->connects_to.s);
	CUR_NAME(p, "via", c->via_pooler ? "pooler" : "database");
	CUR_NAME(p, "database", t->databases[f->database].id.s);
	CUR_STR(w, p, "framework", c->framework.s); /* may be null */
	p = cur_amount(p, &f->conn);
	CUR_COUNT(p, "pool_size", f->pool_size, f->pool_unbounded || f->pool_unknown);
	CUR_U64(p, "pool_overflow", f->pool_overflow);
	CUR_U64(p, "pool_count", f->pool_count);
	CUR_U64(p, "extra_connections", f->extra);
	CUR_COUNT(p, "per_process", f->per_process, f->pool_unbounded || f->pool_unknown);
	CUR_COUNT(p, "acquire_timeout_ms", f->acquire_timeout_ms, !f->has_acquire_timeout);
	p = cur_instances(p, c, f);
	CUR_COUNT(p, "needed", f->needed, !f->has_needed);
	if (client_cold(c)->source) {
		const struct workload_ref *src = client_cold(c)->source;

		CUR_BOOL(p, "discovered", client_cold(c)->discovered);
		CUR_LIT(p, ",\"source\":{\"file\":");
		p = cur_file(w, p, src->file);
		CUR_STR(w, p, "kind", src->kind);
		CUR_STR(w, p, "namespace", src->namespace);
		CUR_STR(w, p, "name", src->name);
		CUR_STR(w, p, "container", src->container);
		CUR_LIT(p, "}");
	}
	cur_end(w, p);
}

/* One finding as one entry. */
static void json_finding(struct report_jw *w, const struct report_file *rf, const struct finding *f)
{
	struct pos at = report_finding_pos(rf, f);
	char *p = cur_begin(w);

	CUR_LIT(p, "\"rule\":");
	p = cur_name(p, f->rule->id);
	CUR_NAME(p, "name", f->rule->name);
	CUR_NAME(p, "severity", severity_name(f->severity));
	CUR_STR(w, p, "message", f->message);
	CUR_FILE(w, p, "file", pos_file(at));
	CUR_U64(p, "line", at.line);
	CUR_U64(p, "column", at.col);
	CUR_STR(w, p, "object", report_finding_object(f));
	CUR_FILE(w, p, "topology", rf->topo ? rf->topo->file : NULL);
	cur_end(w, p);
}

static const char *fail_on_name(int fail_on)
{
	return fail_on == LEVEL_OFF ? "never" : severity_name((enum severity)fail_on);
}

/* The summary object. */
static void json_summary(struct report_jw *w, const struct report *r)
{
	struct summary s;

	report_summary(r, &s);
	jw_begin(w, "summary", false);
	jw_u64(w, "errors", s.errors);
	jw_u64(w, "warnings", s.warnings);
	jw_u64(w, "infos", s.infos);
	jw_bool(w, "passed", !report_failed(&s, r->fail_on) && !report_input_error_count(r));
	jw_str(w, "fail_on", fail_on_name(r->fail_on));
	jw_end(w, false);
}

/* "input_errors": the files that could not be loaded, when there are any. */
static void json_input_errors(struct report_jw *w, const struct report *r)
{
	size_t i, n = report_input_error_count(r);
	struct report_input_error e;

	if (!n)
		return;
	report_jw_open(w, "input_errors", true);
	for (i = 0; i < n && !w->failed; i++) {
		report_input_error(r, i, &e);
		jw_begin(w, NULL, false);
		if (e.file) {
			jw_str(w, "file", e.file);
			jw_u64(w, "line", e.line);
			jw_u64(w, "column", e.col);
		}
		jw_str(w, "message", e.message);
		jw_end(w, false);
		report_input_error_release(&e);
	}
	report_jw_close(w, true);
}

/* Does file i have figures to list? */
static bool has_figures(const struct report_file *rf)
{
	return rf->topo && rf->budget && rf->budget->dbs;
}

/*
 * key: [ ... ] with one entry per object of every file that has figures:
 * entry(w, rf, k) for k below the count count(topology) gives.
 */
static void json_objects(struct report_jw *w, const struct report *r, const char *key,
			 size_t (*count)(const struct topology *),
			 void (*entry)(struct report_jw *, const struct report_file *, size_t))
{
	size_t i, k;

	report_jw_open(w, key, true);
	for (i = 0; i < r->nfiles && !w->failed; i++) {
		const struct report_file *rf = &r->files[i];

		if (!has_figures(rf))
			continue;
		for (k = 0; k < count(rf->topo) && !w->failed; k++)
			entry(w, rf, k);
	}
	report_jw_close(w, true);
}

static size_t count_databases(const struct topology *t)
{
	return t->ndatabases;
}

static size_t count_poolers(const struct topology *t)
{
	return t->npoolers;
}

static size_t count_clients(const struct topology *t)
{
	return t->nclients;
}

int report_json(FILE *out, const struct report *r)
{
	struct report_jw w;
	struct report_iter it;
	const struct finding *f;
	size_t i;

	report_jw_init(&w, out);
	report_jw_open(&w, NULL, false);
	report_jw_open(&w, "tool", false);
	jw_str(&w, "name", "connbudget");
	jw_str(&w, "version", report_version(r));
	report_jw_close(&w, false);
	jw_str(&w, "command", r->command ? r->command : "check");

	report_jw_open(&w, "files", true);
	for (i = 0; i < r->nfiles; i++) {
		const struct topology *t = r->files[i].topo;

		if (t)
			jw_str(&w, NULL, t->file ? t->file : "-");
	}
	report_jw_close(&w, true);
	json_objects(&w, r, "databases", count_databases, json_database);
	json_objects(&w, r, "poolers", count_poolers, json_pooler);
	json_objects(&w, r, "clients", count_clients, json_client);

	report_await_findings(r);
	report_jw_open(&w, "findings", true);
	report_iter_init(&it, r);
	while (!w.failed && (f = report_iter_next(&it)))
		json_finding(&w, it.rf, f);
	report_jw_close(&w, true);

	json_input_errors(&w, r);
	/* the summary is a skeleton member on its own line, compact inside */
	json_summary(&w, r);
	for (i = 0; i < r->nsections && !w.failed; i++) {
		const struct report_section *s = &r->sections[i];

		if (s->json)
			report_jw_value(&w, s->name, s->json);
		else
			report_jw_fail(&w); /* it could not be built */
	}
	report_jw_close(&w, false);
	return report_jw_finish(&w);
}
