/*
 * load_sources.h - `sources:` (docs/sources.md): reading the manifests a
 * topology names and binding their workloads to its clients and poolers
 * (private to load*.c).
 */
#ifndef CONNBUDGET_LOAD_SOURCES_H
#define CONNBUDGET_LOAD_SOURCES_H

#include <stddef.h>

#include "load_yaml.h"
#include "model.h"

/* `sources:` of the top-level file (the current event, its value): entries into t->sources. */
int load_read_sources(struct yr *r, struct topology *t);

/*
 * Read every source file of t->sources and apply what they say: from:
 * bindings, discovered clients, the facts (load_set_at), mismatches for
 * CB018. Runs once the topology's own files are read, before its config
 * files. client_cap is the loader's capacity of t->clients (a discovered
 * client is appended). Returns 0, or -1 with the error in ld->err.
 */
int load_sources_apply(struct ld *ld, struct topology *t, size_t *client_cap);

struct source_items;
/*
 * `init --from`: the items of one source (kind "kubernetes" or "compose",
 * path as --source takes it) into *items, ConfigMaps joined, strings in
 * t->arena (t: an empty topology the caller frees with model_free; its
 * sources become this one). Returns 0, or -1 with *err (caller frees).
 */
int load_sources_scan(struct topology *t, const char *kind, const char *path, struct source_items *items,
		      char **err);

#endif
