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

static int read_environment(struct ld *ld, struct source_items *out, const struct tnode *env,
			    struct source_container *c)
{
	size_t i, n = !env ? 0 : env->kind == TN_MAP ? env->n / 2 : env->kind == TN_SEQ ? env->n : 0;

	c->env = arena_alloc(out->arena, (n ? n : 1) * sizeof(*c->env));
	for (i = 0; i < n; i++) {
		struct source_env *e = &c->env[c->nenv];
		const struct tnode *key, *val;

		memset(e, 0, sizeof(*e));
		if (env->kind == TN_MAP) {
			key = env->kids[2 * i];
			val = env->kids[2 * i + 1];
			if (!tree_str(key))
				continue;
			e->name = arena_strdup(out->arena, key->s);
			e->pos = key->pos;
			if (val && val->kind == TN_SCALAR && tree_str(val)) {
				if (source_template_value(ld, val->s, val->pos))
					return -1;
				e->value = interpolate(out, val->s);
				e->pos = val->pos;
			}
		} else {
			/* "NAME=value"; a bare NAME passes the shell's value: unknown */
			const char *item = tree_str(env->kids[i]), *eq;
			if (!item)
				continue;
			if (source_template_value(ld, item, env->kids[i]->pos))
				return -1;
			eq = strchr(item, '=');
			e->name = arena_strndup(out->arena, item, eq ? (size_t)(eq - item) : strlen(item));
			e->pos = env->kids[i]->pos;
			if (eq)
				e->value = interpolate(out, eq + 1);
		}
		c->nenv++;
	}
	return 0;
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
	return source_read_stream(ld, file, data, len, true, out, read_doc);
}

const struct source_kind source_compose = { "compose", read_file };
