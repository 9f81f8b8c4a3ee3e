/*
 * compose.c - compose files → items (source.h, docs/sources.md).
 *
 * Every entry of `services:` is a workload (kind "service"): replicas from
 * deploy.replicas, else the legacy `scale`, else 1; surge 0 (compose
 * stops a container before it starts its replacement); one container with
 * `environment`, a mapping or a list of "NAME=value". An env_file is
 * never read (it is where the secrets go). Interpolation follows the
 * Compose specification (docs.docker.com/reference/compose-file/interpolation/):
 * `${VAR:-default}` and `${VAR-default}` take the default, since nothing
 * of the shell that runs compose is known here; `${VAR}` and `$VAR` are
 * unknown and stand as nothing, and a value that is only that is unknown;
 * `$$` is a `$`. Anchors, aliases and merge keys (`<<: *common`) are
 * followed, as compose files use them for shared blocks.
 */
#include <string.h>

#include "source.h"

static bool name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The value after interpolation, NULL when it is nothing but unknown variables. */
static const char *interpolate(struct source_items *out, const char *s)
{
	struct sbuf b = { 0 };
	const char *p = s, *end;
	bool unknown = false;
	char *res;

	if (!strchr(s, '$'))
		return arena_strdup(out->arena, s);
	while (*p) {
		if (p[0] == '$' && p[1] == '$') {
			sbuf_putc(&b, '$');
			p += 2;
		} else if (p[0] == '$' && p[1] == '{' && (end = strchr(p + 2, '}'))) {
			const char *q = p + 2;
			while (q < end && name_char(*q))
				q++;
			if (q + 1 < end && q[0] == ':' && q[1] == '-')
				sbuf_add(&b, q + 2, (size_t)(end - q - 2));
			else if (q < end && q[0] == '-')
				sbuf_add(&b, q + 1, (size_t)(end - q - 1));
			else
				unknown = true; /* ${VAR}, ${VAR:?err}, ${VAR:+alt}: the shell's */
			p = end + 1;
		} else if (p[0] == '$' && name_char(p[1])) {
			p++;
			while (name_char(*p))
				p++;
			unknown = true;
		} else {
			sbuf_putc(&b, *p++);
		}
	}
	if (!b.s && unknown)
		return NULL;
	res = arena_strdup(out->arena, b.s ? b.s : "");
	sbuf_release(&b);
	return res;
}

/* One variable of `environment`, appended to *v. */
static int add_var(struct ld *ld, struct source_items *out, const struct tnode *key, const struct tnode *val,
		   const struct tnode *item, struct source_env **v, size_t *n, size_t *cap)
{
	struct source_env e = { 0 };

	if (item) {
		/* "NAME=value"; a bare NAME passes the shell's value: unknown */
		const char *text = tree_str(item), *eq;
		if (!text)
			return 0;
		if (source_template_value(ld, text, item->pos))
			return -1;
		eq = strchr(text, '=');
		e.name = arena_strndup(out->arena, text, eq ? (size_t)(eq - text) : strlen(text));
		e.pos = item->pos;
		if (eq)
			e.value = interpolate(out, eq + 1);
	} else {
		if (!tree_str(key))
			return 0;
		e.name = arena_strdup(out->arena, key->s);
		e.pos = key->pos;
		if (val && val->kind == TN_SCALAR && tree_str(val)) {
			if (source_template_value(ld, val->s, val->pos))
				return -1;
			e.value = interpolate(out, val->s);
			e.pos = val->pos;
		}
	}
	xgrow(v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = e;
	return 0;
}

/* A mapping's variables: what it merges (<<) first, so that its own keys win. */
static int add_map(struct ld *ld, struct source_items *out, const struct tnode *map, unsigned depth,
		   struct source_env **v, size_t *n, size_t *cap)
{
	size_t i, j;

	if (!map || map->kind != TN_MAP || depth > 8)
		return 0;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct tnode *k = map->kids[i], *m = map->kids[i + 1];
		if (!(k->kind == TN_SCALAR && k->plain && strcmp(k->s, "<<") == 0))
			continue;
		if (m->kind == TN_MAP && add_map(ld, out, m, depth + 1, v, n, cap))
			return -1;
		for (j = 0; m->kind == TN_SEQ && j < m->n; j++)
			if (add_map(ld, out, m->kids[j], depth + 1, v, n, cap))
				return -1;
	}
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct tnode *k = map->kids[i];
		if (k->kind == TN_SCALAR && k->plain && strcmp(k->s, "<<") == 0)
			continue;
		if (add_var(ld, out, k, map->kids[i + 1], NULL, v, n, cap))
			return -1;
	}
	return 0;
}

static int read_environment(struct ld *ld, struct source_items *out, const struct tnode *env,
			    struct source_container *c)
{
	struct source_env *v = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (env && env->kind == TN_MAP)
		rc = add_map(ld, out, env, 0, &v, &n, &cap);
	for (i = 0; rc == 0 && env && env->kind == TN_SEQ && i < env->n; i++)
		rc = add_var(ld, out, NULL, NULL, env->kids[i], &v, &n, &cap);
	c->env = arena_alloc(out->arena, (n ? n : 1) * sizeof(*c->env));
	if (n)
		memcpy(c->env, v, n * sizeof(*v));
	c->nenv = n;
	free(v);
	return rc;
}

static int read_doc(struct ld *ld, const struct tnode *root, struct source_items *out)
{
	const struct tnode *services = tree_get(root, "services");
	size_t i;

	if (!services)
		return 0;
	if (services->kind != TN_MAP) {
		ld_error(ld, services->pos, "services: expected a mapping of name to service");
		return -2;
	}
	for (i = 0; i + 1 < services->n; i += 2) {
		const struct tnode *key = services->kids[i], *svc = services->kids[i + 1];
		const struct tnode *replicas = tree_path(svc, "deploy.replicas");
		struct source_item *it;
		struct source_container *c;

		if (!tree_str(key) || !svc || svc->kind != TN_MAP)
			continue;
		if (!replicas)
			replicas = tree_get(svc, "scale");
		it = source_item_add(out);
		it->role = SOURCE_WORKLOAD;
		it->kind = "service";
		it->name = arena_strdup(out->arena, key->s);
		it->pos = key->pos;
		if (replicas && tree_str(replicas)) {
			if (replicas->kind != TN_SCALAR) {
				ld_error(ld, replicas->pos, "replicas: expected a number");
				return -2;
			}
			if (source_template_value(ld, replicas->s, replicas->pos))
				return -1;
			it->replicas.text = arena_strdup(out->arena, replicas->s);
			it->replicas.pos = replicas->pos;
		} else {
			it->replicas = (struct source_value){ "1", key->pos, true };
		}
		it->surge = (struct source_value){ "0", key->pos, true };
		it->containers = c = arena_alloc(out->arena, sizeof(*c));
		memset(c, 0, sizeof(*c));
		it->ncontainers = 1;
		c->name = tree_str(tree_get(svc, "container_name")) ? arena_strdup(out->arena,
			tree_str(tree_get(svc, "container_name"))) : it->name;
		c->pos = key->pos;
		if (read_environment(ld, out, tree_get(svc, "environment"), c))
			return -1;
	}
	return 0;
}

static int read_file(struct ld *ld, const char *file, const char *data, size_t len, struct source_items *out)
{
	return source_read_stream(ld, file, data, len, SOURCE_ALIASES, out, read_doc);
}

const struct source_kind source_compose = { "compose", read_file, NULL, NULL, NULL };
