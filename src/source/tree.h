/*
 * tree.h - one YAML document of a source file as a tree of nodes, each with
 * its position (private to src/source/).
 *
 * The topology is read straight from the event stream (load_yaml.h)
 * because its shape is known key by key. A manifest is not: the facts sit
 * deep (spec.template.spec.containers[].env[]) among keys connbudget never
 * reads, and one fact needs another read later (a container's env var
 * names a ConfigMap further down the stream). So a reader builds the tree
 * of one document at a time from the same guarded event reader (limits,
 * UTF-8, no tags unless the reader takes them: CloudFormation's `!Ref` is
 * kept in the node's tag), looks its facts up, and drops it.
 *
 * Aliases resolve to the anchored node itself (never a copy, so a "billion
 * laughs" document costs what its text costs), and tree_get follows YAML's
 * merge keys (`<<: *defaults`), which compose files use for shared blocks.
 */
#ifndef CONNBUDGET_SOURCE_TREE_H
#define CONNBUDGET_SOURCE_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "load_yaml.h"
#include "model.h"
#include "util.h"

enum tnode_kind { TN_SCALAR, TN_MAP, TN_SEQ };

struct tnode {
	enum tnode_kind kind;
	bool plain;              /* a plain (unquoted) scalar, untagged */
	const char *tag;         /* the tag as written ("!Ref"), when the reader takes tags; else NULL */
	struct pos pos;
	const char *s;           /* TN_SCALAR: the text, NUL-terminated (may hold NUL bytes) */
	size_t len;
	/* TN_MAP: keys and values alternating (kids[2i], kids[2i+1]); TN_SEQ: the items */
	struct tnode **kids;
	size_t n;
};

/*
 * Read the next document of r into a tree allocated in a. Returns 1 with
 * *root set (NULL for an empty document), 0 at the end of the stream, -1
 * on an error recorded in r->ld->err. r is positioned after the stream
 * start before the first call.
 */
int tree_next_document(struct yr *r, struct arena *a, struct tnode **root);

/* The value of key in map (merge keys followed), or NULL; NULL map is allowed. */
const struct tnode *tree_get(const struct tnode *map, const char *key);
/* tree_get through a dotted path of keys: "spec.template.spec". */
const struct tnode *tree_path(const struct tnode *map, const char *path);
/* Whether n is a scalar equal to s. */
bool tree_is(const struct tnode *n, const char *s);
/* The scalar's text, or NULL when n is not a scalar (or is null / empty). */
const char *tree_str(const struct tnode *n);
/* A sequence's item count and items (0 for anything else). */
size_t tree_len(const struct tnode *n);
const struct tnode *tree_item(const struct tnode *n, size_t i);

#endif
