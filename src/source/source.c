/*
 * source.c - what the source readers share (source.h): the item list, the
 * document loop and the word on templates.
 */
#include "source.h"

#include <string.h>

void source_items_release(struct source_items *items)
{
	free(items->v);
	items->v = NULL;
	items->n = items->cap = 0;
}

struct source_item *source_item_add(struct source_items *out)
{
	struct source_item *it;

	xgrow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	it = &out->v[out->n++];
	memset(it, 0, sizeof(*it));
	it->namespace = "default";
	return it;
}

void source_container_env(struct source_items *out, struct source_container *c, struct source_env *v, size_t n)
{
	c->env = arena_alloc(out->arena, (n ? n : 1) * sizeof(*c->env));
	if (n)
		memcpy(c->env, v, n * sizeof(*v));
	c->nenv = n;
	free(v);
}

void source_one_container(struct source_items *out, struct source_item *it, struct source_env *v, size_t n)
{
	struct source_container *c = arena_alloc(out->arena, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->name = it->name;
	c->pos = it->pos;
	it->containers = c;
	it->ncontainers = 1;
	source_container_env(out, c, v, n);
}

const struct source_env *source_env_find(const struct source_container *c, const char *name)
{
	size_t i;

	for (i = c->nenv; i-- > 0;)
		if (strcmp(c->env[i].name, name) == 0)
			return &c->env[i];
	return NULL;
}

static const char TEMPLATE_ADVICE[] =
	"a template, not a manifest: render it first and read the output "
	"(helm template RELEASE CHART > rendered.yaml, kubectl kustomize DIR > rendered.yaml, "
	"or pipe it to --source kubernetes=-)";

int source_template_check(struct ld *ld, const char *file, const char *data, size_t len)
{
	const char *at = NULL, *p;
	uint64_t line = 1, col = 1;
	size_t i;

	for (i = 0; !at && i + 1 < len; i++)
		if (data[i] == '{' && data[i + 1] == '{')
			at = data + i;

	if (!at)
		return 0;
	for (p = data; p < at; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			col++; /* columns count characters, not bytes */
		}
	}
	ld_clear(ld);
	return ld_error(ld, pos_make(file, line, col), "%s", TEMPLATE_ADVICE);
}

int source_template_value(struct ld *ld, const char *s, struct pos pos)
{
	if (!s || !strstr(s, "{{"))
		return 0;
	ld_clear(ld);
	return ld_error(ld, pos, "%s", TEMPLATE_ADVICE);
}

int source_read_stream(struct ld *ld, const char *file, const char *data, size_t len, unsigned flags,
		       struct source_items *out,
		       int (*read_doc)(struct ld *ld, const struct tnode *root, struct source_items *out))
{
	struct arena tree = { 0 };
	struct tnode *root;
	struct yr r;
	int rc;

	yr_init_buffer(&r, ld, file, data, len);
	r.multi_doc = true;
	r.aliases = flags & SOURCE_ALIASES;
	r.tags = flags & SOURCE_TAGS;
	rc = yr_next(&r); /* the stream's start */
	while (rc == 0) {
		int got = tree_next_document(&r, &tree, &root);
		if (got <= 0) {
			rc = got;
			break;
		}
		if (root)
			rc = read_doc(ld, root, out);
		if (rc == 0 && ld->err.what)
			rc = -1;
		/* the document's tree goes; what the items keep is in out's arena */
		arena_release(&tree);
		memset(&tree, 0, sizeof(tree));
	}
	/* a syntax error, or a node of the wrong shape (-2), in a file with `{{` */
	if (rc && (r.stream_failed || rc == -2) && !(flags & SOURCE_NO_HELM))
		source_template_check(ld, file, data, len);
	arena_release(&tree);
	yr_release(&r);
	return rc ? -1 : 0;
}
