/*
 * serverless.c - Serverless Framework files (serverless.yml) → items
 * (source.h, docs/sources.md).
 *
 * Every entry of `functions:` is a workload of kind "function", a Lambda
 * function and so a client of type serverless:
 *
 *  - `reservedConcurrency` is its ceiling (max_concurrency); without it the
 *    function shares the account's pool and has no ceiling of its own;
 *  - `provisionedConcurrency` is what stays warm (concurrency);
 *  - its one container's env is `provider.environment` overlaid by the
 *    function's own `environment` (the function's wins, as the framework
 *    merges them). www.serverless.com/framework/docs/providers/aws/guide/functions
 *
 * Variables (`${...}`, www.serverless.com/framework/docs/guides/variables):
 * `${self:PATH}` is looked up in the same file when it names a scalar
 * (itself resolved the same way, a few levels deep); anything else
 * (`${env:X}`, `${opt:stage}`, `${sls:stage}`, `${ssm:...}`, `${file(...)}`,
 * `${cf:...}`), a fallback the deployer's shell may override, and a value
 * that is a CloudFormation function (`Fn::GetAtt`, `!Ref`) are unknown: the
 * field falls back to the topology's value. Never an error, and nothing
 * is fetched: an SSM parameter or a secret is never read.
 */
#include <string.h>

#include "source.h"

/* How deep a ${self:} may lead to another ${self:}. */
enum { SLS_VAR_DEPTH = 8 };

struct sctx {
	struct ld *ld;
	struct source_items *out;
	const struct tnode *root;
};

/* The end of the variable starting at p ("${"): its closing brace, nested ones counted; NULL if none. */
static const char *var_end(const char *p)
{
	unsigned depth = 0;

	for (; *p; p++) {
		if (p[0] == '$' && p[1] == '{') {
			depth++;
			p++;
		} else if (*p == '}' && --depth == 0) {
			return p;
		}
	}
	return NULL;
}

static const char *resolve(struct sctx *x, const char *s, unsigned depth, struct pos *pos);

/*
 * The value of one variable, inner (between "${" and "}", n bytes): a
 * ${self:PATH} naming a scalar of this file, else NULL (unknown). *pos
 * becomes the scalar's position.
 */
static const char *resolve_var(struct sctx *x, const char *inner, size_t n, unsigned depth, struct pos *pos)
{
	const struct tnode *hit;
	char *path;
	size_t len;

	if (depth >= SLS_VAR_DEPTH || n <= 5 || memcmp(inner, "self:", 5) != 0 || memchr(inner, '$', n))
		return NULL;
	/* "${self:custom.pool, 5}": the fallback is used only when self: has nothing */
	for (len = 5; len < n && inner[len] != ',' && inner[len] != ' '; len++)
		;
	path = xstrndup(inner + 5, len - 5);
	hit = *path ? tree_path(x->root, path) : NULL;
	free(path);
	if (!hit || hit->kind != TN_SCALAR || hit->tag || !tree_str(hit))
		return NULL;
	*pos = hit->pos;
	return resolve(x, hit->s, depth + 1, pos);
}

/*
 * s with its variables resolved, in the items' arena; NULL when any is
 * unknown. *pos stays the value's own unless s is one variable only, when
 * it becomes the position of what that names.
 */
static const char *resolve(struct sctx *x, const char *s, unsigned depth, struct pos *pos)
{
	struct sbuf b = { 0 };
	const char *p = s, *end, *v;
	struct pos at = *pos;
	char *res;

	if (!strstr(s, "${"))
		return arena_strdup(x->out->arena, s);
	while (*p) {
		if (p[0] == '$' && p[1] == '{') {
			if (!(end = var_end(p)) ||
			    !(v = resolve_var(x, p + 2, (size_t)(end - p - 2), depth, &at))) {
				sbuf_release(&b);
				return NULL;
			}
			sbuf_puts(&b, v);
			if (p == s && end[1] == '\0')
				*pos = at; /* the whole value is that scalar */
			p = end + 1;
		} else {
			sbuf_putc(&b, *p++);
		}
	}
	res = arena_strdup(x->out->arena, b.s ? b.s : "");
	sbuf_release(&b);
	return res;
}

/* A numeric field of a function: its text resolved, unknown (text NULL) when it cannot be; -2 if not a scalar. */
static int value(struct sctx *x, const struct tnode *n, const char *what, struct source_value *v)
{
	struct pos pos;

	if (!n || (n->kind == TN_SCALAR && !tree_str(n)))
		return 0;
	if (n->kind != TN_SCALAR) {
		ld_error(x->ld, n->pos, "%s: expected a number, got a %s", what,
			 n->kind == TN_MAP ? "mapping" : "sequence");
		return -2;
	}
	if (n->tag)
		return 0; /* !Ref and the like: CloudFormation's, unknown here */
	pos = n->pos;
	v->text = resolve(x, n->s, 0, &pos);
	v->pos = pos;
	return 0;
}

/* The variables of an environment mapping, appended to *v; anything but a mapping is unknown and skipped. */
static void add_env(struct sctx *x, const struct tnode *env, struct source_env **v, size_t *n, size_t *cap)
{
	size_t i;

	if (!env || env->kind != TN_MAP)
		return;
	for (i = 0; i + 1 < env->n; i += 2) {
		const struct tnode *key = env->kids[i], *val = env->kids[i + 1];
		struct source_env e = { 0 };

		if (!tree_str(key))
			continue;
		e.name = arena_strdup(x->out->arena, key->s);
		e.pos = key->pos;
		if (val && val->kind == TN_SCALAR && !val->tag && tree_str(val)) {
			struct pos pos = val->pos;
			if ((e.value = resolve(x, val->s, 0, &pos)))
				e.pos = pos;
		}
		xgrow(v, cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = e;
	}
}

static int read_function(struct sctx *x, const struct tnode *key, const struct tnode *fn)
{
	struct source_item *it;
	struct source_env *v = NULL;
	size_t n = 0, cap = 0;

	if (!tree_str(key) || !fn || fn->kind != TN_MAP)
		return 0; /* `${file(fn.yml)}` and the like: not in this file */
	it = source_item_add(x->out);
	it->role = SOURCE_WORKLOAD;
	it->kind = "function";
	it->serverless = true;
	it->name = arena_strdup(x->out->arena, key->s);
	it->pos = key->pos;
	if (value(x, tree_get(fn, "reservedConcurrency"), "reservedConcurrency", &it->max_concurrency) ||
	    value(x, tree_get(fn, "provisionedConcurrency"), "provisionedConcurrency", &it->concurrency))
		return -2;
	add_env(x, tree_path(x->root, "provider.environment"), &v, &n, &cap);
	add_env(x, tree_get(fn, "environment"), &v, &n, &cap);
	source_one_container(x->out, it, v, n);
	return 0;
}

static int read_doc(struct ld *ld, const struct tnode *root, struct source_items *out)
{
	struct sctx x = { ld, out, root };
	const struct tnode *fns = tree_get(root, "functions");
	size_t i, j;
	int rc;

	if (!fns || (fns->kind == TN_SCALAR && !tree_str(fns)))
		return 0;
	if (fns->kind == TN_MAP) {
		for (i = 0; i + 1 < fns->n; i += 2)
			if ((rc = read_function(&x, fns->kids[i], fns->kids[i + 1])))
				return rc;
		return 0;
	}
	if (fns->kind == TN_SEQ) {
		/* a list of mappings of functions (often `- ${file(...)}`, not in this file) */
		for (i = 0; i < fns->n; i++) {
			const struct tnode *m = fns->kids[i];
			for (j = 0; m->kind == TN_MAP && j + 1 < m->n; j += 2)
				if ((rc = read_function(&x, m->kids[j], m->kids[j + 1])))
					return rc;
		}
		return 0;
	}
	if (strstr(fns->s, "${"))
		return 0; /* functions: ${file(functions.yml)} */
	ld_error(ld, fns->pos, "functions: expected a mapping of name to function");
	return -2;
}

static int read_file(struct ld *ld, const char *file, const char *data, size_t len, struct source_items *out)
{
	return source_read_stream(ld, file, data, len, SOURCE_ALIASES | SOURCE_TAGS | SOURCE_NO_HELM, out,
				  read_doc);
}

const struct source_kind source_serverless = { "serverless", read_file, "reservedConcurrency", "provisionedConcurrency", NULL };
