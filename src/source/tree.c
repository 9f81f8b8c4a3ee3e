/*
 * tree.c - one YAML document of a source file as a tree (tree.h).
 */
#include "tree.h"

#include <string.h>

/* The anchors of the document being read: name → node; and the stack of
 * children being collected, shared by every level (one allocation per
 * document rather than per mapping). */
struct anchors {
	struct strmap map;
	struct tnode **nodes;
	size_t n, cap;
	struct tnode **stack;
	size_t depth, stack_cap;
};

/*
 * A merge key's lookups are bounded: a chain of documents merging each
 * other may be deep and wide, and a lookup never costs more than this many
 * mappings visited.
 */
enum { MERGE_MAX_VISITS = 256, MERGE_MAX_DEPTH = 16 };

static int read_node(struct yr *r, struct arena *a, struct anchors *an, struct tnode **out);

static int add_anchor(struct anchors *an, struct arena *a, const yaml_char_t *name, struct tnode *n)
{
	if (!name)
		return 0;
	xgrow(&an->nodes, &an->cap, an->n + 1, sizeof(*an->nodes));
	an->nodes[an->n] = n;
	/* a later anchor of the same name wins, as YAML says */
	if (!strmap_put(&an->map, arena_strdup(a, (const char *)name), an->n, NULL)) {
		size_t old;
		strmap_get(&an->map, (const char *)name, &old);
		an->nodes[old] = n;
		return 0;
	}
	an->n++;
	return 0;
}

/* A tag kept in the tree ("!Ref"), or NULL; the core tags (!!str ...) change nothing and are dropped. */
static const char *tag_of(struct arena *a, const yaml_char_t *tag)
{
	if (!tag || strncmp((const char *)tag, "tag:yaml.org,2002:", 18) == 0)
		return NULL;
	return arena_strdup(a, (const char *)tag);
}

/* The items of a mapping or sequence that starts at the current event. */
static int read_collection(struct yr *r, struct arena *a, struct anchors *an, struct tnode *n)
{
	yaml_event_type_t end = n->kind == TN_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	size_t base = an->depth, nkids;
	struct tnode *kid;

	for (;;) {
		if (yr_next(r))
			return -1;
		if (yr_is(r, end))
			break;
		if (read_node(r, a, an, &kid))
			return -1;
		xgrow(&an->stack, &an->stack_cap, an->depth + 1, sizeof(*an->stack));
		an->stack[an->depth++] = kid;
	}
	nkids = an->depth - base;
	n->n = nkids;
	if (nkids) {
		n->kids = arena_alloc(a, nkids * sizeof(*n->kids));
		memcpy(n->kids, an->stack + base, nkids * sizeof(*n->kids));
	}
	an->depth = base;
	return 0;
}

/* The node at the current event (recursion bounded by the reader's depth limit). */
static int read_node(struct yr *r, struct arena *a, struct anchors *an, struct tnode **out)
{
	struct tnode *n;
	const yaml_char_t *anchor = NULL;
	size_t i;

	if (yr_is(r, YAML_ALIAS_EVENT)) {
		const char *name = (const char *)r->ev.data.alias.anchor;
		if (!strmap_get(&an->map, name, &i))
			return yr_error(r, "alias to an unknown anchor");
		*out = an->nodes[i];
		return 0;
	}
	n = arena_alloc(a, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->pos = yr_pos(r);
	if (yr_is(r, YAML_SCALAR_EVENT)) {
		n->kind = TN_SCALAR;
		n->plain = r->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !r->ev.data.scalar.tag;
		n->tag = tag_of(a, r->ev.data.scalar.tag);
		n->len = yr_len(r);
		n->s = arena_strndup(a, yr_text(r), n->len);
		anchor = r->ev.data.scalar.anchor;
	} else if (yr_is(r, YAML_MAPPING_START_EVENT) || yr_is(r, YAML_SEQUENCE_START_EVENT)) {
		bool map = yr_is(r, YAML_MAPPING_START_EVENT);
		char *name = NULL;

		n->kind = map ? TN_MAP : TN_SEQ;
		anchor = map ? r->ev.data.mapping_start.anchor : r->ev.data.sequence_start.anchor;
		n->tag = tag_of(a, map ? r->ev.data.mapping_start.tag : r->ev.data.sequence_start.tag);
		/* the event goes when the next is read: keep the anchor's name */
		if (anchor)
			name = xstrdup((const char *)anchor);
		if (read_collection(r, a, an, n)) {
			free(name);
			return -1;
		}
		add_anchor(an, a, (const yaml_char_t *)name, n);
		free(name);
		*out = n;
		return 0;
	} else {
		return yr_error(r, "unexpected YAML event");
	}
	add_anchor(an, a, anchor, n);
	*out = n;
	return 0;
}

int tree_next_document(struct yr *r, struct arena *a, struct tnode **root)
{
	struct anchors an = { 0 };
	int rc;

	*root = NULL;
	if (yr_next(r))
		return -1;
	if (yr_is(r, YAML_STREAM_END_EVENT))
		return 0;
	if (!yr_is(r, YAML_DOCUMENT_START_EVENT))
		return yr_error(r, "expected a document");
	if (yr_next(r))
		return -1;
	if (yr_is(r, YAML_DOCUMENT_END_EVENT))
		return 1;
	rc = read_node(r, a, &an, root);
	if (rc == 0 && yr_next(r)) /* the document's end */
		rc = -1;
	strmap_release(&an.map);
	free(an.nodes);
	free(an.stack);
	return rc ? -1 : 1;
}

static const struct tnode *get(const struct tnode *map, const char *key, size_t klen, unsigned depth,
			       unsigned *visits)
{
	const struct tnode *merge = NULL, *hit;
	size_t i;

	if (!map || map->kind != TN_MAP || depth > MERGE_MAX_DEPTH || ++*visits > MERGE_MAX_VISITS)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct tnode *k = map->kids[i];
		if (k->kind != TN_SCALAR)
			continue;
		if (k->len == klen && memcmp(k->s, key, klen) == 0)
			return map->kids[i + 1];
		if (k->plain && k->len == 2 && memcmp(k->s, "<<", 2) == 0)
			merge = map->kids[i + 1];
	}
	if (!merge)
		return NULL;
	/* `<<: *a` or `<<: [*a, *b]`: the first mapping that has the key wins */
	if (merge->kind == TN_MAP)
		return get(merge, key, klen, depth + 1, visits);
	for (i = 0; merge->kind == TN_SEQ && i < merge->n; i++)
		if ((hit = get(merge->kids[i], key, klen, depth + 1, visits)))
			return hit;
	return NULL;
}

const struct tnode *tree_get(const struct tnode *map, const char *key)
{
	unsigned visits = 0;

	return get(map, key, strlen(key), 0, &visits);
}

const struct tnode *tree_path(const struct tnode *map, const char *path)
{
	const char *dot;
	unsigned visits;

	while (map && (dot = strchr(path, '.'))) {
		visits = 0;
		map = get(map, path, (size_t)(dot - path), 0, &visits);
		path = dot + 1;
	}
	return map ? tree_get(map, path) : NULL;
}

bool tree_is(const struct tnode *n, const char *s)
{
	return n && n->kind == TN_SCALAR && n->len == strlen(s) && memcmp(n->s, s, n->len) == 0;
}

const char *tree_str(const struct tnode *n)
{
	if (!n || n->kind != TN_SCALAR)
		return NULL;
	if (n->plain && yr_class_of(n->s, n->len) == SC_NULL)
		return NULL;
	return n->s;
}

size_t tree_len(const struct tnode *n)
{
	return n && n->kind == TN_SEQ ? n->n : 0;
}

const struct tnode *tree_item(const struct tnode *n, size_t i)
{
	return n && n->kind == TN_SEQ && i < n->n ? n->kids[i] : NULL;
}
