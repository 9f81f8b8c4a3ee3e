/*
 * yalloc.h - the memory libyaml works with, in the release build.
 *
 * libyaml allocates and frees a few small blocks for every token and event
 * (a scalar's text starts at 16 bytes and doubles as it grows), all through
 * malloc, realloc, free and strdup in its api.c: a fifth of its running
 * time goes to glibc's allocator. The release build links Debian's static
 * libyaml.a with those four names renamed to yalloc_* (objcopy
 * --redefine-sym, see the Makefile), so that libyaml's blocks come from
 * here instead: free lists by size, carved from 64 KiB chunks, a few
 * instructions each. Nothing else calls these functions.
 *
 * The sanitizer builds link the shared libyaml unchanged, so that ASan,
 * UBSan and TSan see libyaml's own blocks; the unit tests exercise this
 * allocator directly, and the release build's CLI tests (valgrind
 * included) run libyaml on it.
 *
 * Blocks up to 1 KiB come from per-thread free lists; the chunks are never
 * returned (libyaml's working set is a few hundred KiB at most and is
 * reused by every later parse), so a block may be freed on another thread
 * than the one that allocated it. Larger blocks go to malloc.
 */
#ifndef CONNBUDGET_YALLOC_H
#define CONNBUDGET_YALLOC_H

#include <stddef.h>

/* As malloc, realloc, free and strdup; NULL (to libyaml: a memory error) when memory is out. */
void *yalloc_malloc(size_t n);
void *yalloc_realloc(void *p, size_t n);
void yalloc_free(void *p);
char *yalloc_strdup(const char *s);

#endif
