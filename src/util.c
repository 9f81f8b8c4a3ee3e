/* util.c - see util.h. */
#include "util.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The one place an allocation failure leaves the program. */
static void oom(void)
{
	fputs("connbudget: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

/* The capacity xgrow and xbig_grow grow cap to: doubled until need fits. */
static size_t grown(size_t cap, size_t need)
{
	size_t n = cap ? cap : 8;

	while (n < need) {
		if (n > SIZE_MAX / 2)
			oom();
		n *= 2;
	}
	return n;
}

void xgrow(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp;
	size_t n, bytes;

	if (need <= *cap)
		return;
	n = grown(*cap, need);
	if (__builtin_mul_overflow(n, size, &bytes))
		oom();
	*p = xrealloc(*p, bytes);
	*cap = n;
}

/*
 * From BIG_MIN bytes on, an array or arena block gets its own mapping,
 * offered to transparent huge pages: the first touch of each 2 MiB of it
 * is then one page fault instead of 512. On virtual machines a fault is
 * slow (about 12 microseconds where `make bench` was measured, against
 * 0.3 ms for 4 MiB in 2 MiB pages), and a large topology touches tens of
 * thousands of pages. A small array stays with malloc: a mapping costs
 * at least one whole 2 MiB page once touched. 256 KiB (64 small pages,
 * about 0.8 ms of faults there) is where a huge page is already cheaper
 * and the memory target at 100 000 clients still holds; at 64 KiB the
 * arrays between would each take a huge page and RSS would pass it.
 */
enum { BIG_MIN = 256 * 1024, BIG_RESERVE = 1 << 30, BIG_ALIGN = 2 * 1024 * 1024 };

/* The system's page size (not cached: two threads may ask, and glibc answers from memory). */
static size_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

/*
 * A mapping for a big block: at least want bytes of data starting on a
 * 2 MiB boundary and offered huge pages, and one small page just before
 * the data for the block's header, so that the header costs a small page
 * and not a whole huge one. Returns the data's start and sets *size to its
 * length; NULL when the kernel refuses (a strict overcommit policy, say).
 * big_unmap releases it.
 */
static char *big_map(size_t want, size_t *size)
{
	size_t page = page_size();
	size_t len = (want + BIG_ALIGN - 1) / BIG_ALIGN * BIG_ALIGN;
	size_t total;
	char *raw, *data, *end;

	if (len < want || len > SIZE_MAX - 2 * (size_t)BIG_ALIGN - page)
		return NULL;
	total = len + BIG_ALIGN + page;
	raw = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	data = (char *)(((uintptr_t)raw + page + BIG_ALIGN - 1) & ~((uintptr_t)BIG_ALIGN - 1));
	end = raw + total;
	if (data - page > raw)
		munmap(raw, (size_t)(data - page - raw));
	if (end > data + len)
		munmap(data + len, (size_t)(end - (data + len)));
#ifdef MADV_HUGEPAGE
	(void)madvise(data, len, MADV_HUGEPAGE);
#endif
	*size = len;
	return data;
}

/* Release a mapping big_map made: data and size as it returned them. */
static void big_unmap(char *data, size_t size)
{
	munmap(data - page_size(), size + page_size());
}

/*
 * The header before an xbig array's data: the length of its mapping's
 * data part, or 0 when the array (header first) was malloc'd.
 */
union big_head {
	size_t reserve;
	max_align_t align;
};

void xbig_grow(void *pp, size_t *cap, size_t need, size_t size)
{
	char **p = pp;
	union big_head *h = *p ? (union big_head *)(void *)*p - 1 : NULL;
	bool mapped = h && h->reserve;
	size_t n, bytes, total, reserve;
	char *data = NULL;

	if (need <= *cap)
		return;
	n = grown(*cap, need);
	if (__builtin_mul_overflow(n, size, &bytes) ||
	    __builtin_add_overflow(bytes, sizeof(*h), &total))
		oom();
	if (mapped && h->reserve >= bytes) {
		*cap = n; /* room in its mapping already */
		return;
	}
	/*
	 * Into a mapping of its own: once when it gets large, and again past
	 * the reservation (1 GiB; LOAD_MAX_OBJECTS keeps the model far below),
	 * twice the size. mremap cannot move it: the header page and the data
	 * are two areas.
	 */
	if (mapped) {
		data = big_map(bytes > SIZE_MAX / 4 ? bytes : bytes * 2, &reserve);
		if (!data)
			oom();
	} else if (total >= BIG_MIN) {
		data = big_map(bytes > BIG_RESERVE ? bytes : BIG_RESERVE, &reserve);
	}
	if (data) {
		if (h) {
			memcpy(data, *p, *cap * size);
			xbig_free(*p);
		}
		*p = data;
		h = (union big_head *)(void *)data - 1;
		h->reserve = reserve;
	} else {
		h = xrealloc(h, total);
		h->reserve = 0;
		*p = (char *)(h + 1);
	}
	*cap = n;
}

void xbig_reserve(void *pp, size_t *cap, size_t n, size_t size)
{
	if (*cap == 0 && n && size && n <= SIZE_MAX / size && n * size >= BIG_MIN)
		xbig_grow(pp, cap, n, size);
}

void *xbig_calloc(size_t n, size_t size)
{
	void *p = NULL;
	size_t cap = 0;

	xbig_grow(&p, &cap, n ? n : 1, size ? size : 1);
	if (!((union big_head *)p - 1)->reserve)
		memset(p, 0, cap * (size ? size : 1));
	return p;
}

void xbig_free(void *p)
{
	union big_head *h = p ? (union big_head *)p - 1 : NULL;

	if (!h)
		return;
	if (h->reserve)
		big_unmap(p, h->reserve);
	else
		free(h);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/*
 * fmt formatted once into a stack buffer, then copied into the n + 1 bytes
 * take(ctx, n + 1) returns; a text longer than the buffer (few messages
 * are) is formatted a second time, straight into them: one vsnprintf pass
 * instead of two on the common path. xvasprintf and arena_vasprintf
 * differ only in take.
 */
static char *vformat(const char *fmt, va_list ap, char *(*take)(void *ctx, size_t n), void *ctx)
{
	char buf[256];
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	if (n < 0)
		oom();
	s = take(ctx, (size_t)n + 1);
	if ((size_t)n < sizeof(buf))
		memcpy(s, buf, (size_t)n + 1);
	else
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static char *take_heap(void *ctx, size_t n)
{
	(void)ctx;
	return xmalloc(n);
}

char *xvasprintf(const char *fmt, va_list ap)
{
	return vformat(fmt, ap, take_heap, NULL);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

double round_even(double v)
{
	/*
	 * Adding and subtracting 2^52 leaves no bits below the point, and the
	 * addition rounds to nearest, halves to even; a value that large is
	 * an integer already. volatile keeps the compiler from folding the
	 * two steps (and any wider evaluation) away.
	 */
	volatile double big = 4503599627370496.0; /* 2^52 */
	double a = fabs(v), r;

	if (!(a < big))
		return v;
	r = (a + big) - big;
	return copysign(r, v);
}

bool u64_mul_div_ceil(uint64_t a, uint64_t p, uint64_t d, uint64_t *r)
{
	uint64_t prod;

	if (d == 0 || !u64_mul(a, p, &prod))
		return false;
	*r = prod / d + (prod % d != 0);
	return true;
}

/* Arena blocks: a header followed by the payload. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	size_t mapped;        /* the data length of its own mapping (big_map), or 0 when malloc'd */
	max_align_t data[];
};

/*
 * The first block is 64 KiB of malloc'd memory, which a small topology
 * never leaves. The second is a mapping of BIG_RESERVE bytes of address
 * space, offered huge pages and touched only as far as it is used, so a
 * large topology's strings lie in one run of 2 MiB pages. Should the
 * kernel refuse the mapping (a strict overcommit policy), or a block fill
 * up, malloc'd blocks follow, doubling up to 8 MiB.
 */
enum { ARENA_BLOCK = 64 * 1024, ARENA_BLOCK_MAX = 8 * 1024 * 1024 };

/*
 * n bytes aligned to align (a power of two, at most max_align_t's), not
 * zeroed: from the newest block when they fit, else from a new block.
 */
static void *arena_take(struct arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	void *p;

	if (n > SIZE_MAX - sizeof(max_align_t))
		oom();
	if (!b || at > b->size || b->size - at < n) {
		size_t size = !b ? ARENA_BLOCK : b->size >= ARENA_BLOCK_MAX / 2 ? ARENA_BLOCK_MAX : b->size * 2;
		size_t mapped = 0;
		char *data;

		if (n > size)
			size = n;
		if (b && !b->mapped && b->next == NULL && n <= BIG_RESERVE &&
		    (data = big_map(BIG_RESERVE, &mapped)) != NULL) {
			/* the header in the small page before the data */
			b = (struct arena_block *)(void *)(data - offsetof(struct arena_block, data));
			size = mapped;
		} else {
			b = xmalloc(sizeof(*b) + size);
			mapped = 0;
		}
		b->mapped = mapped;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		at = 0;
	}
	p = (char *)b->data + at;
	b->used = at + n;
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_take(a, n, sizeof(max_align_t));

	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_take(a, n + 1, 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

static char *take_arena(void *ctx, size_t n)
{
	return arena_take(ctx, n, 1);
}

char *arena_vasprintf(struct arena *a, const char *fmt, va_list ap)
{
	return vformat(fmt, ap, take_arena, a);
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vasprintf(a, fmt, ap);
	va_end(ap);
	return s;
}

void arena_adopt(struct arena *to, struct arena *from)
{
	struct arena_block **tail = &to->head;

	while (*tail)
		tail = &(*tail)->next;
	*tail = from->head;
	from->head = NULL;
}

void arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		if (b->mapped)
			big_unmap((char *)b->data, b->mapped);
		else
			free(b);
	}
	a->head = NULL;
}

/*
 * The sbuf writers are on the reporters' hot path (one call per character
 * or field of a large report), so each checks for room inline and calls
 * sbuf_grow only when the buffer is full: cap > len always holds once s is
 * set (the NUL needs a byte), and cap - len <= n means n bytes and the NUL
 * do not fit.
 */
enum { SBUF_MIN = 64 }; /* first allocation: most messages fit, no realloc chain */

/* Make room for need bytes in all (the NUL included). */
static void sbuf_grow(struct sbuf *b, size_t need)
{
	xgrow(&b->s, &b->cap, need < SBUF_MIN ? SBUF_MIN : need, 1);
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->cap - b->len <= n)
		sbuf_grow(b, b->len + n + 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void cat_list(struct sbuf *b, va_list ap)
{
	const char *s;

	while ((s = va_arg(ap, const char *)) != NULL)
		sbuf_add(b, s, strlen(s));
}

const char *sbuf_cat(struct sbuf *b, ...)
{
	va_list ap;

	b->len = 0;
	sbuf_add(b, "", 0);
	va_start(ap, b);
	cat_list(b, ap);
	va_end(ap);
	return b->s;
}

void sbuf_cat_more(struct sbuf *b, ...)
{
	va_list ap;

	va_start(ap, b);
	cat_list(b, ap);
	va_end(ap);
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_putc(struct sbuf *b, char c)
{
	if (b->cap - b->len <= 1)
		sbuf_grow(b, b->len + 2);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

/*
 * Format straight into the spare room; only when it does not fit, grow and
 * format again. No temporary string, so no argument may point into b itself.
 */
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	if ((size_t)n >= room) {
		sbuf_grow(b, b->len + (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* s cut to max bytes (at most CLIP_PATH_MAX) as str_clip says. */
static const char *clip(const char *s, size_t max)
{
	static _Thread_local char buf[CLIP_SLOTS][CLIP_PATH_MAX + sizeof("...")];
	static _Thread_local unsigned next;
	char *out;
	size_t n;

	if (!s || strnlen(s, max + 1) <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n], the first byte left out, must start a character */
	out = buf[next++ % CLIP_SLOTS];
	memcpy(out, s, n);
	memcpy(out + n, "...", sizeof("..."));
	return out;
}

const char *str_clip(const char *s)
{
	return clip(s, CLIP_MAX);
}

const char *str_clip_path(const char *s)
{
	return clip(s, CLIP_PATH_MAX);
}

char *sbuf_detach(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void sbuf_release(struct sbuf *b)
{
	if (!b)
		return;
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* FNV-1a: short ids, good enough spread, no dependencies. */
static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* The slot of key (hash h): where it is, or the empty slot where it would go. */
static size_t strmap_find(const struct strmap *m, const char *key, uint32_t h)
{
	size_t mask = m->cap - 1;
	size_t i = h & mask;

	while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & mask;
	return i;
}

static void strmap_rehash(struct strmap *m, size_t cap)
{
	struct strmap n = { xbig_calloc(cap, sizeof(*n.slots)), cap, 0 };
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key) {
			size_t j = strmap_find(&n, m->slots[i].key, m->slots[i].hash);
			n.slots[j] = m->slots[i];
			n.len++;
		}
	}
	xbig_free(m->slots);
	*m = n;
}

uint32_t strmap_prefetch(const struct strmap *m, const char *key)
{
	uint32_t h = (uint32_t)str_hash(key);

#if defined(__GNUC__) || defined(__clang__)
	if (m->cap)
		__builtin_prefetch(&m->slots[h & (m->cap - 1)], 1);
#endif
	return h;
}

bool strmap_put(struct strmap *m, const char *key, size_t val, size_t *old)
{
	return strmap_put_hashed(m, key, (uint32_t)str_hash(key), val, old);
}

void strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;

	while (n > cap / 8 * 7) {
		if (cap > SIZE_MAX / 2 / sizeof(*m->slots))
			oom();
		cap *= 2;
	}
	if (cap > m->cap)
		strmap_rehash(m, cap);
}

bool strmap_put_hashed(struct strmap *m, const char *key, uint32_t h, size_t val, size_t *old)
{
	size_t i;

	assert(val <= UINT32_MAX);
	if ((m->len + 1) * 8 > m->cap * 7)
		strmap_rehash(m, m->cap ? m->cap * 2 : 16);
	i = strmap_find(m, key, h);
	if (m->slots[i].key) {
		if (old)
			*old = m->slots[i].val;
		return false;
	}
	m->slots[i].key = key;
	m->slots[i].hash = h;
	m->slots[i].val = (uint32_t)val;
	m->len++;
	return true;
}

const char *strmap_key(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return m->slots[strmap_find(m, key, (uint32_t)str_hash(key))].key;
}

bool strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	i = strmap_find(m, key, (uint32_t)str_hash(key));
	if (!m->slots[i].key)
		return false;
	if (val)
		*val = m->slots[i].val;
	return true;
}

void strmap_release(struct strmap *m)
{
	if (!m)
		return;
	xbig_free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

size_t edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];
	size_t i, j;

	if (lb > 64 || la > 64)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb] > limit ? limit + 1 : row[lb];
}

const char *closest_word(const char *word, const char *const *candidates, size_t n)
{
	size_t limit = strlen(word) <= 4 ? 1 : strlen(word) <= 8 ? 2 : 3;
	const char *best = NULL;
	size_t best_d = limit + 1, i;

	for (i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i], limit);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

bool date_parse(const char *s, size_t n, uint32_t *date)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, m, d;
	size_t i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < n; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (unsigned)(s[0] - '0') * 1000 + (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 +
	    (unsigned)(s[3] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (y == 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*date = y * 10000 + m * 100 + d;
	return true;
}

uint32_t date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm))
		return 0;
	return (uint32_t)(tm.tm_year + 1900) * 10000 + (uint32_t)(tm.tm_mon + 1) * 100 + (uint32_t)tm.tm_mday;
}
