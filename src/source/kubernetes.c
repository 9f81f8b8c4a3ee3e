/*
 * kubernetes.c - Kubernetes manifests → items (source.h, docs/sources.md).
 *
 * A file is a stream of documents (`---`), and a `kind: List` document
 * holds more in `items`. What is read, with the defaults the API server
 * gives a field left out:
 *
 *  - Deployment, StatefulSet, Argo Rollout: spec.replicas; surge from
 *    spec.strategy (a Deployment's rollingUpdate.maxSurge, default 25%,
 *    0 for Recreate; a StatefulSet replaces pods in place: 0; a Rollout's
 *    canary.maxSurge, default 25%; a canary with trafficRouting: 100%, the
 *    stable ReplicaSet stays fully scaled while the canary grows to its
 *    weight, and maxSurge is not used; blueGreen: 100%, the whole preview
 *    stack beside the active one). kubernetes.io/docs/concepts/workloads/
 *    controllers/deployment/#max-surge, argo-rollouts.readthedocs.io/en/
 *    stable/features/specification/
 *  - Job: spec.parallelism (default 1); CronJob: the same in
 *    spec.jobTemplate. Surge 0.
 *  - HorizontalPodAutoscaler (autoscaling/v1 and v2 have the same
 *    scaleTargetRef, minReplicas and maxReplicas); KEDA ScaledObject:
 *    scaleTargetRef.name (kind Deployment unless given), maxReplicaCount
 *    (default 100), minReplicaCount (default 0). keda.sh/docs/2.16/reference/scaledobject-spec/
 *  - ConfigMap: data, for configMapKeyRef and envFrom.
 *  - CloudNativePG Pooler: spec.instances (default 1), spec.pgbouncer.poolMode
 *    (default session) and parameters. cloudnative-pg.io/documentation/current/connection_pooling/
 *
 * A container's env: `value` (with $(VAR) references to the variables
 * before it expanded, as the kubelet does), configMapKeyRef (resolved by
 * load_sources.c once every file is read), anything else (secretKeyRef,
 * fieldRef) unknown: a Secret is never read.
 */
#include <string.h>
#include <strings.h>

#include "source.h"

struct kctx {
	struct ld *ld;
	struct source_items *out;
};

/* A scalar's text kept in the items' arena, or NULL. */
static const char *keep(struct source_items *out, const struct tnode *n)
{
	const char *s = tree_str(n);

	return s ? arena_strdup(out->arena, s) : NULL;
}

/* A scalar field of the manifest, or -2 when it is not one (a template, often). */
static int value(struct ld *ld, struct source_items *out, const struct tnode *n, struct source_value *v)
{
	if (!n || (n->kind == TN_SCALAR && !tree_str(n)))
		return 0;
	if (n->kind != TN_SCALAR) {
		ld_error(ld, n->pos, "expected a number, got a %s", n->kind == TN_MAP ? "mapping" : "sequence");
		return -2;
	}
	if (source_template_value(ld, n->s, n->pos))
		return -1;
	v->text = arena_strdup(out->arena, n->s);
	v->pos = n->pos;
	v->implied = false;
	return 0;
}

static void imply(struct source_value *v, const char *text, struct pos pos)
{
	if (v->text)
		return;
	v->text = text;
	v->pos = pos;
	v->implied = true;
}

/* "$(VAR)" references to earlier variables, as the kubelet expands them; "$$" is "$". */
static const char *expand(struct source_items *out, const struct source_container *c, const char *s)
{
	struct sbuf b = { 0 };
	const char *p = s, *end;
	char *name, *res;

	if (!strchr(s, '$'))
		return s;
	while (*p) {
		if (p[0] == '$' && p[1] == '$') {
			sbuf_putc(&b, '$');
			p += 2;
		} else if (p[0] == '$' && p[1] == '(' && (end = strchr(p + 2, ')'))) {
			const struct source_env *e;

			name = xstrndup(p + 2, (size_t)(end - p - 2));
			e = source_env_find(c, name);
			free(name);
			if (e && e->value)
				sbuf_puts(&b, e->value);
			else if (!e)
				sbuf_add(&b, p, (size_t)(end - p + 1)); /* undefined: left as written */
			/* defined but unknown (a Secret): nothing known stands in its place */
			p = end + 1;
		} else {
			sbuf_putc(&b, *p++);
		}
	}
	if (!b.s)
		return "";
	res = arena_strdup(out->arena, b.s);
	sbuf_release(&b);
	return res;
}

static int read_env(struct kctx *k, const struct tnode *list, struct source_container *c)
{
	size_t i, n = tree_len(list);

	c->env = arena_alloc(k->out->arena, (n ? n : 1) * sizeof(*c->env));
	for (i = 0; i < n; i++) {
		const struct tnode *e = tree_item(list, i), *name = tree_get(e, "name");
		const struct tnode *val = tree_get(e, "value"), *ref;
		struct source_env *v = &c->env[c->nenv];

		if (!tree_str(name))
			continue;
		memset(v, 0, sizeof(*v));
		v->name = keep(k->out, name);
		v->pos = name->pos;
		if (val && val->kind == TN_SCALAR) {
			if (source_template_value(k->ld, val->s, val->pos))
				return -1;
			v->value = expand(k->out, c, arena_strdup(k->out->arena, val->s));
			v->pos = val->pos;
		} else if ((ref = tree_path(e, "valueFrom.configMapKeyRef"))) {
			v->config_map = keep(k->out, tree_get(ref, "name"));
			v->config_key = keep(k->out, tree_get(ref, "key"));
		}
		c->nenv++;
	}
	return 0;
}

static int read_containers(struct kctx *k, const struct tnode *pod, struct source_item *it)
{
	const struct tnode *list = tree_get(pod, "containers");
	size_t i, j, n = tree_len(list);

	it->containers = arena_alloc(k->out->arena, (n ? n : 1) * sizeof(*it->containers));
	for (i = 0; i < n; i++) {
		const struct tnode *c = tree_item(list, i), *from = tree_get(c, "envFrom");
		struct source_container *sc = &it->containers[it->ncontainers++];

		memset(sc, 0, sizeof(*sc));
		sc->name = keep(k->out, tree_get(c, "name"));
		sc->pos = c ? c->pos : it->pos;
		if (!sc->name)
			sc->name = "";
		if (read_env(k, tree_get(c, "env"), sc))
			return -1;
		sc->from = arena_alloc(k->out->arena, (tree_len(from) ? tree_len(from) : 1) * sizeof(*sc->from));
		for (j = 0; j < tree_len(from); j++) {
			const struct tnode *ref = tree_path(tree_item(from, j), "configMapRef.name");
			if (!tree_str(ref))
				continue; /* secretRef: never read */
			sc->from[sc->nfrom].config_map = keep(k->out, ref);
			sc->from[sc->nfrom].pos = ref->pos;
			sc->nfrom++;
		}
	}
	return 0;
}

/* The surge a workload's strategy states or implies. */
static int read_surge(struct kctx *k, const char *kind, const struct tnode *spec, struct source_item *it)
{
	const struct tnode *strategy = tree_get(spec, "strategy");
	struct pos at = strategy ? strategy->pos : it->pos;

	if (strcmp(kind, "rollout") == 0) {
		const struct tnode *routing = tree_path(strategy, "canary.trafficRouting");

		if (tree_get(strategy, "blueGreen")) {
			imply(&it->surge, "100%", tree_get(strategy, "blueGreen")->pos);
			return 0;
		}
		if (routing) { /* the stable stays fully scaled beside the canary: maxSurge is not used */
			imply(&it->surge, "100%", routing->pos);
			return 0;
		}
		if (value(k->ld, k->out, tree_path(strategy, "canary.maxSurge"), &it->surge))
			return -2;
		imply(&it->surge, "25%", at);
		return 0;
	}
	if (strcmp(kind, "deployment") == 0) {
		const struct tnode *type = tree_get(strategy, "type");
		if (tree_is(type, "Recreate")) {
			imply(&it->surge, "0", type->pos);
			return 0;
		}
		if (value(k->ld, k->out, tree_path(strategy, "rollingUpdate.maxSurge"), &it->surge))
			return -2;
		imply(&it->surge, "25%", at);
		return 0;
	}
	/* StatefulSet, Job, CronJob: a pod is replaced, never doubled */
	imply(&it->surge, "0", it->pos);
	return 0;
}

static const char *lower(struct source_items *out, const char *s)
{
	char *l = arena_strdup(out->arena, s), *p;

	for (p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
}

static int read_object(struct kctx *k, const struct tnode *doc, unsigned depth);

static int read_list(struct kctx *k, const struct tnode *doc, unsigned depth)
{
	const struct tnode *items = tree_get(doc, "items");
	size_t i;
	int rc;

	for (i = 0; i < tree_len(items); i++)
		if ((rc = read_object(k, tree_item(items, i), depth + 1)))
			return rc;
	return 0;
}

static int read_object(struct kctx *k, const struct tnode *doc, unsigned depth)
{
	const struct tnode *kindn = tree_get(doc, "kind"), *meta = tree_get(doc, "metadata");
	const struct tnode *name = tree_get(meta, "name"), *ns = tree_get(meta, "namespace");
	const struct tnode *spec = tree_get(doc, "spec");
	const char *kind;
	struct source_item *it;
	int rc = 0;

	if (!doc || doc->kind != TN_MAP || !tree_str(kindn) || depth > 4)
		return 0;
	if (source_template_value(k->ld, kindn->s, kindn->pos))
		return -1;
	kind = kindn->s;
	if (strcasecmp(kind, "List") == 0)
		return read_list(k, doc, depth);
	if (strcasecmp(kind, "Deployment") && strcasecmp(kind, "StatefulSet") && strcasecmp(kind, "Rollout") &&
	    strcasecmp(kind, "Job") && strcasecmp(kind, "CronJob") && strcasecmp(kind, "HorizontalPodAutoscaler") &&
	    strcasecmp(kind, "ScaledObject") && strcasecmp(kind, "ConfigMap") && strcasecmp(kind, "Pooler"))
		return 0; /* other kinds: nothing connbudget counts */
	if (name && name->kind != TN_SCALAR) {
		ld_error(k->ld, name->pos, "metadata.name: expected a string, got a %s",
			 name->kind == TN_MAP ? "mapping" : "sequence");
		return -2;
	}
	if (!tree_str(name))
		return 0; /* generateName only: nothing can name it */
	if (source_template_value(k->ld, name->s, name->pos) || source_template_value(k->ld, tree_str(ns), ns ? ns->pos : name->pos))
		return -1;
	it = source_item_add(k->out);
	it->kind = lower(k->out, kind);
	it->name = keep(k->out, name);
	it->pos = name->pos;
	if (tree_str(ns))
		it->namespace = keep(k->out, ns);

	if (strcmp(it->kind, "configmap") == 0) {
		const struct tnode *data = tree_get(doc, "data");
		size_t i, n = data && data->kind == TN_MAP ? data->n / 2 : 0;
		struct source_container *c;

		it->role = SOURCE_CONFIG_MAP;
		it->containers = c = arena_alloc(k->out->arena, sizeof(*c));
		memset(c, 0, sizeof(*c));
		it->ncontainers = 1;
		c->name = "";
		c->env = arena_alloc(k->out->arena, (n ? n : 1) * sizeof(*c->env));
		for (i = 0; i < n; i++) {
			const struct tnode *key = data->kids[2 * i], *val = data->kids[2 * i + 1];
			struct source_env *e = &c->env[c->nenv];
			if (!tree_str(key) || !val || val->kind != TN_SCALAR)
				continue;
			memset(e, 0, sizeof(*e));
			e->name = keep(k->out, key);
			e->value = arena_strdup(k->out->arena, val->s);
			e->pos = val->pos;
			c->nenv++;
		}
		return 0;
	}
	if (strcmp(it->kind, "horizontalpodautoscaler") == 0 || strcmp(it->kind, "scaledobject") == 0) {
		bool keda = it->kind[0] == 's';
		const struct tnode *target = tree_get(spec, "scaleTargetRef");

		it->role = SOURCE_AUTOSCALER;
		it->target_kind = tree_str(tree_get(target, "kind")) ? lower(k->out, tree_str(tree_get(target, "kind")))
								       : "deployment";
		it->target_name = keep(k->out, tree_get(target, "name"));
		if (value(k->ld, k->out, tree_get(spec, keda ? "maxReplicaCount" : "maxReplicas"), &it->max_replicas) ||
		    value(k->ld, k->out, tree_get(spec, keda ? "minReplicaCount" : "minReplicas"), &it->min_replicas))
			return -2;
		if (keda)
			imply(&it->max_replicas, "100", it->pos);
		imply(&it->min_replicas, keda ? "0" : "1", it->pos);
		return 0;
	}
	if (strcmp(it->kind, "pooler") == 0) {
		const struct tnode *bouncer = tree_get(spec, "pgbouncer"), *params = tree_get(bouncer, "parameters");

		it->role = SOURCE_POOLER;
		it->cluster = keep(k->out, tree_path(spec, "cluster.name"));
		if (value(k->ld, k->out, tree_get(spec, "instances"), &it->replicas) ||
		    value(k->ld, k->out, tree_get(bouncer, "poolMode"), &it->pool_mode) ||
		    value(k->ld, k->out, tree_get(params, "default_pool_size"), &it->default_pool_size) ||
		    value(k->ld, k->out, tree_get(params, "max_client_conn"), &it->max_client_conn) ||
		    value(k->ld, k->out, tree_get(params, "reserve_pool_size"), &it->reserve_pool_size) ||
		    value(k->ld, k->out, tree_path(spec, "deploymentStrategy.rollingUpdate.maxSurge"), &it->surge))
			return -2;
		imply(&it->replicas, "1", it->pos);
		imply(&it->pool_mode, "session", it->pos);
		/* deploymentStrategy is a Deployment's strategy: Recreate stops the old pods first */
		if (tree_is(tree_path(spec, "deploymentStrategy.type"), "Recreate"))
			imply(&it->surge, "0", tree_path(spec, "deploymentStrategy.type")->pos);
		imply(&it->surge, "25%", it->pos);
		return 0;
	}
	/* a workload */
	it->role = SOURCE_WORKLOAD;
	if (strcmp(it->kind, "job") == 0 || strcmp(it->kind, "cronjob") == 0) {
		const struct tnode *job = it->kind[0] == 'c' ? tree_path(spec, "jobTemplate.spec") : spec;
		it->job = true;
		if (value(k->ld, k->out, tree_get(job, "parallelism"), &it->replicas))
			return -2;
		imply(&it->replicas, "1", it->pos);
		rc = read_surge(k, it->kind, job, it);
		if (rc == 0)
			rc = read_containers(k, tree_path(job, "template.spec"), it);
		return rc;
	}
	if (value(k->ld, k->out, tree_get(spec, "replicas"), &it->replicas))
		return -2;
	if (strcmp(it->kind, "rollout") == 0 && tree_get(spec, "workloadRef")) {
		const struct tnode *ref = tree_get(spec, "workloadRef");
		it->template_kind = tree_str(tree_get(ref, "kind")) ? lower(k->out, tree_str(tree_get(ref, "kind")))
								      : "deployment";
		it->template_name = keep(k->out, tree_get(ref, "name"));
	}
	rc = read_surge(k, it->kind, spec, it);
	if (rc == 0)
		rc = read_containers(k, tree_path(spec, "template.spec"), it);
	return rc;
}

static int read_doc(struct ld *ld, const struct tnode *root, struct source_items *out)
{
	struct kctx k = { ld, out };

	return read_object(&k, root, 0);
}

static int read_file(struct ld *ld, const char *file, const char *data, size_t len, struct source_items *out)
{
	return source_read_stream(ld, file, data, len, 0, out, read_doc);
}

const struct source_kind source_kubernetes = { "kubernetes", read_file, NULL, NULL, NULL };
