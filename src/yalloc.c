/* yalloc.c - see yalloc.h. */
#include "yalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	YA_GRAIN = 16,                    /* block sizes are multiples of it, and aligned to it */
	YA_SMALL_MAX = 1024,              /* larger blocks are malloc'd */
	YA_CLASSES = YA_SMALL_MAX / YA_GRAIN,
	YA_CHUNK = 64 * 1024,             /* small blocks are carved from chunks of this size */
};

/*
 * Before every block: its size class (it holds cls * YA_GRAIN bytes), or 0
 * for a malloc'd block of size bytes. 16 bytes, so the block after it is
 * aligned as malloc's are.
 */
struct head {
	size_t cls;
	size_t size;
};

/* A chunk starts with the link to the one allocated before it. */
union chunk {
	union chunk *next;
	struct head align;
};

/* Free small blocks by class: each free block's first bytes point to the next. */
static _Thread_local void *free_list[YA_CLASSES + 1];
/* What is left of this thread's current chunk. */
static _Thread_local char *bump;
static _Thread_local size_t bump_left;

/* Every chunk, so that they stay reachable (leak checkers) for the life of the process. */
static union chunk *chunks;
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;

/* A new small block of class cls from the current chunk, or from a new one. */
static void *carve(size_t cls)
{
	size_t need = sizeof(struct head) + cls * YA_GRAIN;
	struct head *h;

	if (bump_left < need) {
		union chunk *c = malloc(YA_CHUNK);
		if (!c)
			return NULL;
		pthread_mutex_lock(&chunks_lock);
		c->next = chunks;
		chunks = c;
		pthread_mutex_unlock(&chunks_lock);
		bump = (char *)(c + 1);
		bump_left = YA_CHUNK - sizeof(*c);
	}
	h = (struct head *)(void *)bump;
	bump += need;
	bump_left -= need;
	h->cls = cls;
	return h + 1;
}

static void *big_alloc(size_t n)
{
	struct head *h;

	if (n > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + n);
	if (!h)
		return NULL;
	h->cls = 0;
	h->size = n;
	return h + 1;
}

void *yalloc_malloc(size_t n)
{
	size_t cls = n ? (n + YA_GRAIN - 1) / YA_GRAIN : 1;
	void *p;

	if (n > YA_SMALL_MAX)
		return big_alloc(n);
	p = free_list[cls];
	if (!p)
		return carve(cls);
	free_list[cls] = *(void **)p;
	return p;
}

void yalloc_free(void *p)
{
	struct head *h;

	if (!p)
		return;
	h = (struct head *)p - 1;
	if (!h->cls) {
		free(h);
		return;
	}
	*(void **)p = free_list[h->cls];
	free_list[h->cls] = p;
}

void *yalloc_realloc(void *p, size_t n)
{
	struct head *h;
	size_t have;
	void *q;

	if (!p)
		return yalloc_malloc(n);
	h = (struct head *)p - 1;
	have = h->cls ? h->cls * YA_GRAIN : h->size;
	if (n <= have)
		return p;
	if (!h->cls) { /* a malloc'd block grows in place when it can */
		if (n > SIZE_MAX - sizeof(*h))
			return NULL;
		h = realloc(h, sizeof(*h) + n);
		if (!h)
			return NULL;
		h->size = n;
		return h + 1;
	}
	q = yalloc_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	yalloc_free(p);
	return q;
}

char *yalloc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = yalloc_malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}
