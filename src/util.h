/*
 * util.h - allocation that cannot fail, an arena, checked arithmetic,
 * a growable string buffer and a string hash map.
 *
 * Every allocation failure leaves through xmalloc's one exit; callers never
 * check for NULL from x* functions.
 */
#ifndef CONNBUDGET_UTIL_H
#define CONNBUDGET_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (an array of *cap elements of size) so that it holds at least need. */
void xgrow(void *pp, size_t *cap, size_t need, size_t size);
/*
 * The same for arrays that may grow large (the model's object arrays): up
 * to 256 KiB (BIG_MIN in util.c) they are malloc'd; beyond, they move
 * once into their own mapping, reserved large (1 GiB of address space, no
 * memory until touched) and offered huge pages, where they grow without
 * moving or copying. Free them with xbig_free (which accepts NULL), never free().
 */
void xbig_grow(void *pp, size_t *cap, size_t need, size_t size);
/*
 * A guess at an empty array's final size: when n elements would take a
 * mapping of their own, the array goes there at once, so that it never
 * grows through malloc'd pages copied at each doubling; its untouched
 * pages cost address space only. A smaller guess does nothing.
 */
void xbig_reserve(void *pp, size_t *cap, size_t n, size_t size);
/* A zeroed array of n elements of size, freed with xbig_free. */
void *xbig_calloc(size_t n, size_t size);
void xbig_free(void *p);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap);

/*
 * Checked 64-bit unsigned arithmetic. Each returns true and stores the result
 * when it fits, false (leaving *r unspecified) when it would overflow.
 */
static inline bool u64_add(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}
static inline bool u64_mul(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}
static inline bool u64_sub(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_sub_overflow(a, b, r);
}
static inline uint64_t u64_min(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t u64_max(uint64_t a, uint64_t b) { return a > b ? a : b; }
/* ceil(a * p / d) without overflow for a, p < 2^32; false when it does not fit. */
bool u64_mul_div_ceil(uint64_t a, uint64_t p, uint64_t d, uint64_t *r);
/*
 * v rounded to the nearest integer, halves to even: nearbyint(v) in the
 * default rounding mode (NaN and infinities unchanged). Here so that the
 * program does not load libm, a shared library of its own, for this one
 * function: each library costs some 0.3 ms of start-up (docs/performance.md).
 */
double round_even(double v);

/*
 * An arena: many small allocations released by one call. Memory is
 * zero-filled. arena_release frees everything; the arena may be reused.
 */
struct arena {
	struct arena_block *head;
};
/* n zeroed bytes, aligned for any type. */
void *arena_alloc(struct arena *a, size_t n);
/* Strings are not aligned: they take their length and a NUL, no more. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* fmt formatted into the arena (as xvasprintf, which mallocs). */
char *arena_vasprintf(struct arena *a, const char *fmt, va_list ap);
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
void arena_release(struct arena *a);
/* Move everything of from into to (allocating goes on in to's own block); from is left empty. */
void arena_adopt(struct arena *to, struct arena *from);

/*
 * An input token as a message quotes it, so that a 16 MiB value makes a
 * one-line message: s itself when it has at most CLIP_MAX bytes, else its
 * first CLIP_MAX bytes (cut at a UTF-8 character boundary) and "...", in
 * one of CLIP_SLOTS buffers of this thread used in turn (valid until
 * CLIP_SLOTS more calls: enough for the tokens of one message).
 * str_clip_path does the same at CLIP_PATH_MAX bytes, for a file name: a
 * longer one cannot name a file (ENAMETOOLONG), a shorter one is shown whole.
 */
enum { CLIP_MAX = 60, CLIP_PATH_MAX = 4096, CLIP_SLOTS = 4 };
const char *str_clip(const char *s);
const char *str_clip_path(const char *s);

/* A growable NUL-terminated string. sbuf_release frees s; s may be NULL when empty. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
/*
 * The strings up to a NULL appended to b (sbuf_cat_more), or in place of
 * what b held (sbuf_cat); returns b's text. No format is parsed: the
 * cheap way to build a key or a path in a loop.
 */
const char *sbuf_cat(struct sbuf *b, ...);
void sbuf_cat_more(struct sbuf *b, ...);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Hand over the string (never NULL) and reset the buffer. */
char *sbuf_detach(struct sbuf *b);
void sbuf_release(struct sbuf *b);

/*
 * A map from NUL-terminated keys to values below 2^32 (open addressing,
 * linear probing, at most 7/8 full). Keys are not copied: they must
 * outlive the map. Each slot keeps its key's hash beside it, so a probe
 * reads the key only when the hashes agree: 16 bytes a slot, in one xbig
 * array.
 */
struct strmap_slot {
	const char *key;       /* NULL: empty */
	uint32_t hash, val;
};
struct strmap {
	struct strmap_slot *slots;
	size_t cap, len;
};
/* Insert key → val (val <= UINT32_MAX). Returns false (and stores the
 * existing value in *old, if old is not NULL) when the key is already present. */
bool strmap_put(struct strmap *m, const char *key, size_t val, size_t *old);
/*
 * strmap_put in two steps, for a caller that can do other work between:
 * strmap_prefetch hashes key and asks the CPU for its first slot, and
 * returns the hash; strmap_put_hashed is strmap_put with that hash. On a
 * map larger than the cache the slot is a miss to memory (about 170 ns
 * where `make bench` runs), which the work in between then hides.
 */
uint32_t strmap_prefetch(const struct strmap *m, const char *key);
bool strmap_put_hashed(struct strmap *m, const char *key, uint32_t hash, size_t val, size_t *old);
/* Look key up; true and *val when present. */
bool strmap_get(const struct strmap *m, const char *key, size_t *val);
/* Room for n keys in all, so that putting them rehashes no more. */
void strmap_reserve(struct strmap *m, size_t n);
/* The key as stored (the pointer given to strmap_put), or NULL when absent. */
const char *strmap_key(const struct strmap *m, const char *key);
void strmap_release(struct strmap *m);

/*
 * A calendar date written YYYY-MM-DD (n bytes at s, exactly 10), from year
 * 1 to 9999 and a day that exists in its month (leap years counted): true
 * and *date as the number YYYYMMDD, which orders as the dates do.
 */
bool date_parse(const char *s, size_t n, uint32_t *date);
/* Today's date in UTC, as date_parse gives it. */
uint32_t date_today(void);

/* Levenshtein distance, capped: returns limit + 1 when larger. */
size_t edit_distance(const char *a, const char *b, size_t limit);
/* The candidate closest to word (NULL when none is close enough). */
const char *closest_word(const char *word, const char *const *candidates, size_t n);

#endif
