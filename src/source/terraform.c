/*
 * terraform.c - a Terraform plan (`terraform show -json PLANFILE`) or state
 * (`terraform show -json`) → items (source.h, docs/sources.md).
 *
 * The format is Terraform's JSON output format, version 1.x
 * (developer.hashicorp.com/terraform/internals/json-format): the planned
 * values (a state's values) of the root module and, recursively, its child
 * modules, each resource with its address, type, name and attribute values.
 * A value Terraform only knows after apply is absent there: it stays
 * unknown here. JSON is read by the same guarded YAML reader as every
 * source, so each fact keeps its line and column in the plan file.
 *
 * Read so far:
 *  - aws_ecs_service: a workload; desired_count the replicas,
 *    deployment_maximum_percent (default 200) the surge: maximum - 100
 *    percent, since a deploy starts new tasks beside the old ones up to it;
 *  - aws_ecs_task_definition: its container_definitions (a JSON string in
 *    the JSON) give the service's containers and their `environment`; the
 *    service's task definition is found by its `task_definition` value
 *    (family, family:revision or ARN), else by the configuration's
 *    reference (aws_ecs_task_definition.api.arn); `secrets` are never read;
 *  - aws_appautoscaling_target of service_namespace "ecs": an autoscaler,
 *    max_capacity and min_capacity, of the service its resource_id
 *    (service/CLUSTER/NAME) or its configuration's reference names;
 *  - aws_lambda_function: a serverless workload, one container named by its
 *    function_name; reserved_concurrent_executions its max_concurrency as
 *    written ("-1", the provider's default, is no reservation: unbounded),
 *    environment[0].variables its env, each value at its own position;
 *  - aws_db_instance of engine "postgres": a database, its instance_class
 *    the catalog instance (another engine is skipped);
 *  - aws_rds_cluster_instance of engine "aurora-postgresql": a database of
 *    provider aurora, its instance_class the catalog instance; of class
 *    db.serverless, the min_capacity and max_capacity of its cluster's
 *    serverlessv2_scaling_configuration are its min_acu and max_acu, the
 *    cluster the aws_rds_cluster whose cluster_identifier is the
 *    instance's, else the one its configuration references;
 *  - aws_db_parameter_group, aws_rds_cluster_parameter_group: a database's
 *    max_connections from the `parameter` named max_connections of its
 *    instance's group (parameter_group_name, db_parameter_group_name), else
 *    its cluster's (db_cluster_parameter_group_name); a formula is unknown;
 *  - aws_db_proxy of engine_family "POSTGRESQL": a pooler (an RDS Proxy),
 *    its connection limit the max_connections_percent of the
 *    connection_pool_config of its aws_db_proxy_default_target_group, the
 *    one whose db_proxy_name is the proxy's name, else whose configuration
 *    references it; a group without one holds AWS's default, 100
 *    (docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html);
 *  - google_sql_database_instance of a database_version POSTGRES_*: a
 *    database whose max_connections is its settings' database_flags
 *    max_connections (the catalog holds no Cloud SQL figures, so its tier
 *    gives none);
 *  - azurerm_postgresql_flexible_server: a database of provider azure, its
 *    sku_name TIER_Standard_SIZE (GP_Standard_D4ds_v5) without the tier
 *    the catalog instance (D4ds_v5), another shape an error at it; the
 *    administrator_password is never read;
 *  - azurerm_postgresql_flexible_server_configuration named max_connections:
 *    its value is the max_connections of the server its server_id (the
 *    server's id) or its configuration's reference names;
 *  - aws_lambda_provisioned_concurrency_config: the provisioned concurrency
 *    of the function its function_name (a name or an ARN) or its
 *    configuration's reference names, summed over its qualifiers (aliases,
 *    versions), is that function's steady concurrency.
 *
 * Items: kind is the resource type, name its label, namespace the module
 * path ("workers" for module.workers, "default" for the root module).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

enum { MAX_MODULE_DEPTH = 32 };

/* A task definition, kept until the services are joined to it. */
struct taskdef {
	const char *label, *family, *namespace;
	const struct tnode *defs;    /* container_definitions, a JSON string */
};

/* A provisioned concurrency config, kept until the functions are joined to it. */
struct provisioned {
	const char *label, *namespace;
	const struct tnode *function, *qualifier, *count;
};

/*
 * A resource a database is joined to (its Aurora cluster, a parameter group,
 * a server configuration), kept until the joins.
 */
struct resource {
	const char *type, *label, *namespace;
	const struct tnode *vals;
};

/* What one plan file holds, before the joins. */
struct tctx {
	struct ld *ld;
	struct source_items *out;
	const struct tnode *config;  /* configuration.root_module */
	struct taskdef *defs;
	size_t ndefs, cap;
	struct provisioned *pcs;
	size_t npcs, pcap;
	struct resource *res;
	size_t nres, rcap;
	/* the attribute values of each item of out (NULL for items of other files) */
	const struct tnode **values;
	size_t nvalues, vcap;
};

static const char *keep(struct source_items *out, const struct tnode *n)
{
	const char *s = tree_str(n);

	return s ? arena_strdup(out->arena, s) : NULL;
}

/* Absent, or JSON's null (an unset block or attribute). */
static bool is_null(const struct tnode *n)
{
	return !n || (n->kind == TN_SCALAR && !tree_str(n));
}

/* A count or percentage value: its text, or an error on a mapping or a list. */
static int value(struct tctx *k, const struct tnode *n, struct source_value *v)
{
	if (is_null(n))
		return 0;
	if (n->kind != TN_SCALAR) {
		ld_error(k->ld, n->pos, "expected a number, got a %s", n->kind == TN_MAP ? "mapping" : "sequence");
		return -1;
	}
	v->text = arena_strdup(k->out->arena, n->s);
	v->pos = n->pos;
	v->implied = false;
	return 0;
}

/* "api" of "api:3" and of "arn:aws:ecs:eu-west-1:123:task-definition/api:3". */
static char *family_of(const char *s)
{
	const char *slash = strrchr(s, '/'), *start = slash ? slash + 1 : s;
	const char *colon = strchr(start, ':');

	if (!slash && strncmp(s, "arn:", 4) == 0)
		return NULL;
	return colon ? xstrndup(start, (size_t)(colon - start)) : xstrdup(start);
}

/* The configuration of the module at path ("" root, "a.b" nested): its resources list. */
static const struct tnode *config_resources(const struct tnode *module, const char *path)
{
	const char *dot;
	char *name;
	const struct tnode *next;

	while (module && *path) {
		dot = strchr(path, '.');
		name = dot ? xstrndup(path, (size_t)(dot - path)) : xstrdup(path);
		next = tree_get(tree_get(tree_get(module, "module_calls"), name), "module");
		free(name);
		module = next;
		path = dot ? dot + 1 : "";
	}
	return tree_get(module, "resources");
}

/*
 * The first reference of the configuration of resource (type.name in the
 * module at ns) in expression key that names a resource of want_type: its
 * label ("api" of "aws_ecs_task_definition.api.arn"), malloc'd; NULL when none.
 */
static char *config_ref(const struct tctx *k, const char *ns, const char *type, const char *name, const char *key,
			const char *want_type)
{
	const struct tnode *res = config_resources(k->config, strcmp(ns, "default") == 0 ? "" : ns);
	size_t i, j, n = tree_len(res), wl = strlen(want_type);

	for (i = 0; i < n; i++) {
		const struct tnode *r = tree_item(res, i), *refs;
		if (!tree_is(tree_get(r, "type"), type) || !tree_is(tree_get(r, "name"), name))
			continue;
		refs = tree_path(tree_get(r, "expressions"), key);
		refs = tree_get(refs, "references");
		for (j = 0; j < tree_len(refs); j++) {
			const char *s = tree_str(tree_item(refs, j)), *end;
			if (!s || strncmp(s, want_type, wl) != 0 || s[wl] != '.')
				continue;
			end = strchr(s + wl + 1, '.');
			return end ? xstrndup(s + wl + 1, (size_t)(end - s - wl - 1)) : xstrdup(s + wl + 1);
		}
	}
	return NULL;
}

/* container_definitions: each container's name and environment (secrets are never read). */
static int read_containers(struct tctx *k, const struct tnode *defs, struct source_item *it)
{
	cJSON *root, *c, *env, *e;
	size_t n;

	if (!tree_str(defs))
		return 0; /* known only after apply */
	root = cJSON_ParseWithLength(defs->s, defs->len);
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		ld_error(k->ld, defs->pos, "container_definitions: expected a JSON list of containers");
		return -1;
	}
	n = (size_t)cJSON_GetArraySize(root);
	it->containers = arena_alloc(k->out->arena, (n ? n : 1) * sizeof(*it->containers));
	it->ncontainers = 0;
	cJSON_ArrayForEach(c, root) {
		struct source_container *sc = &it->containers[it->ncontainers++];
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");

		memset(sc, 0, sizeof(*sc));
		sc->name = cJSON_IsString(name) ? arena_strdup(k->out->arena, name->valuestring) : "";
		sc->pos = defs->pos;
		env = cJSON_GetObjectItemCaseSensitive(c, "environment");
		sc->env = arena_alloc(k->out->arena, ((size_t)cJSON_GetArraySize(env) + 1) * sizeof(*sc->env));
		cJSON_ArrayForEach(e, env) {
			const cJSON *en = cJSON_GetObjectItemCaseSensitive(e, "name");
			const cJSON *ev = cJSON_GetObjectItemCaseSensitive(e, "value");
			struct source_env *v = &sc->env[sc->nenv];

			if (!cJSON_IsString(en))
				continue;
			memset(v, 0, sizeof(*v));
			v->name = arena_strdup(k->out->arena, en->valuestring);
			v->value = cJSON_IsString(ev) ? arena_strdup(k->out->arena, ev->valuestring) : NULL;
			v->pos = defs->pos;
			sc->nenv++;
		}
	}
	cJSON_Delete(root);
	return 0;
}

/* The attribute values of the item just added, for the joins. */
static void keep_values(struct tctx *k, const struct tnode *vals)
{
	xgrow(&k->values, &k->vcap, k->out->n, sizeof(*k->values));
	while (k->nvalues < k->out->n)
		k->values[k->nvalues++] = NULL;
	k->values[k->out->n - 1] = vals;
}

/* A new item of the resource labelled name in the module ns. */
static struct source_item *add_item(struct tctx *k, enum source_role role, const char *kind, const char *ns,
				    const struct tnode *name)
{
	struct source_item *it = source_item_add(k->out);

	it->role = role;
	it->kind = kind;
	it->namespace = ns;
	it->name = keep(k->out, name);
	it->pos = name->pos;
	return it;
}

/*
 * max_connections from a list of {name, value} blocks (a parameter group's
 * `parameter`, a Cloud SQL instance's `database_flags`), key naming them in
 * errors: a number is the database's; a formula
 * ({DBInstanceClassMemory/9531392}) is unknown, the catalog's figure
 * stands. Returns 1 when the list sets it.
 */
static int flags_max_connections(struct tctx *k, const struct tnode *params, const char *key, struct source_item *it)
{
	size_t i;

	if (is_null(params))
		return 0;
	if (params->kind != TN_SEQ) {
		ld_error(k->ld, params->pos, "%s: expected a list of {name, value} blocks", key);
		return -1;
	}
	for (i = 0; i < params->n; i++) {
		const struct tnode *p = params->kids[i], *v = tree_get(p, "value");
		if (p->kind != TN_MAP) {
			ld_error(k->ld, p->pos, "%s: expected a {name, value} block", key);
			return -1;
		}
		if (!tree_is(tree_get(p, "name"), "max_connections"))
			continue;
		if (value(k, v, &it->max_connections))
			return -1;
		if (it->max_connections.text && strchr(it->max_connections.text, '{'))
			it->max_connections.text = NULL; /* a formula: AWS computes it from the class */
		return 1;
	}
	return 0;
}

/* A Lambda function: its reserved concurrency and environment[0].variables, one container. */
static int read_lambda(struct tctx *k, const struct tnode *vals, const char *ns, const struct tnode *name)
{
	struct source_item *it = add_item(k, SOURCE_WORKLOAD, "aws_lambda_function", ns, name);
	const struct tnode *env = tree_get(vals, "environment"), *vars = NULL;
	struct source_container *c;
	size_t i;

	it->serverless = true;
	if (value(k, tree_get(vals, "reserved_concurrent_executions"), &it->max_concurrency))
		return -1;
	c = it->containers = arena_alloc(k->out->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	it->ncontainers = 1;
	c->name = keep(k->out, tree_get(vals, "function_name"));
	if (!c->name)
		c->name = it->name;
	c->pos = it->pos;
	if (!is_null(env)) {
		const struct tnode *blk = tree_item(env, 0);
		if (env->kind != TN_SEQ || (blk && blk->kind != TN_MAP && !is_null(blk))) {
			ld_error(k->ld, env->pos, "environment: expected a list of one block");
			return -1;
		}
		vars = tree_get(blk, "variables");
	}
	if (!is_null(vars) && vars->kind != TN_MAP) {
		ld_error(k->ld, vars->pos, "environment.variables: expected a mapping of name to value");
		return -1;
	}
	if (vars && vars->kind == TN_MAP) {
		c->env = arena_alloc(k->out->arena, (vars->n / 2 + 1) * sizeof(*c->env));
		for (i = 0; i + 1 < vars->n; i += 2) {
			const struct tnode *key = vars->kids[i], *val = vars->kids[i + 1];
			struct source_env *v = &c->env[c->nenv];

			if (!tree_str(key))
				continue;
			if (val->kind != TN_SCALAR) {
				ld_error(k->ld, val->pos, "environment.variables: expected a string, got a %s",
					 val->kind == TN_MAP ? "mapping" : "sequence");
				return -1;
			}
			memset(v, 0, sizeof(*v));
			v->name = keep(k->out, key);
			v->value = keep(k->out, val);
			v->pos = val->pos;
			c->nenv++;
		}
	}
	keep_values(k, vals);
	return 0;
}

/* A new database (values vals), its facts named as the aws provider names them; another provider's renames them. */
static struct source_item *add_database(struct tctx *k, const char *kind, const char *ns, const struct tnode *name,
					const struct tnode *vals)
{
	struct source_item *it = add_item(k, SOURCE_DATABASE, kind, ns, name);

	it->provider_word = "engine";
	it->instance_word = "instance_class";
	it->max_connections_word = "parameter group max_connections";
	it->min_acu_word = "serverlessv2_scaling_configuration.min_capacity";
	it->max_acu_word = "serverlessv2_scaling_configuration.max_capacity";
	keep_values(k, vals);
	return it;
}

/*
 * An Azure Database for PostgreSQL flexible server: provider azure, its
 * sku_name TIER_Standard_SIZE's SIZE the catalog instance (the azurerm
 * provider's B_Standard_B1ms, GP_Standard_D4ds_v5, MO_Standard_E4ds_v5);
 * the administrator_password is never read.
 */
static int read_flexible_server(struct tctx *k, const struct tnode *vals, const char *ns, const struct tnode *name)
{
	static const char *const tiers[] = { "B_Standard_", "GP_Standard_", "MO_Standard_" };
	struct source_item *it = add_database(k, "azurerm_postgresql_flexible_server", ns, name, vals);
	const struct tnode *sku = tree_get(vals, "sku_name");
	const char *s = tree_str(sku);
	size_t i, n;

	it->provider_word = it->instance_word = "sku_name";
	it->max_connections_word = "configuration max_connections";
	it->provider = (struct source_value){ "azure", is_null(sku) ? it->pos : sku->pos, false };
	if (is_null(sku))
		return 0; /* known only after apply */
	if (sku->kind != TN_SCALAR) {
		ld_error(k->ld, sku->pos, "sku_name: expected a SKU name (GP_Standard_D4ds_v5), got a %s",
			 sku->kind == TN_MAP ? "mapping" : "sequence");
		return -1;
	}
	for (i = 0; i < ARRAY_LEN(tiers); i++) {
		n = strlen(tiers[i]);
		if (strncmp(s, tiers[i], n) == 0 && s[n]) {
			it->instance = (struct source_value){ arena_strdup(k->out->arena, s + n), sku->pos, false };
			return 0;
		}
	}
	/* the value is not quoted, as no fact a source gives is (it may be a misplaced secret) */
	ld_error(k->ld, sku->pos, "sku_name: not a flexible server SKU: expected TIER_Standard_SIZE, TIER one of "
		 "B, GP and MO (B_Standard_B1ms, GP_Standard_D4ds_v5)");
	return -1;
}

static int read_resource(struct tctx *k, const struct tnode *r, const char *ns)
{
	const struct tnode *type = tree_get(r, "type"), *name = tree_get(r, "name"), *vals = tree_get(r, "values");
	struct source_item *it;

	if (!tree_str(type) || !tree_str(name) || !tree_is(tree_get(r, "mode"), "managed"))
		return 0;
	if (tree_is(type, "aws_ecs_task_definition")) {
		struct taskdef *d;

		xgrow(&k->defs, &k->cap, k->ndefs + 1, sizeof(*k->defs));
		d = &k->defs[k->ndefs++];
		d->label = keep(k->out, name);
		d->family = keep(k->out, tree_get(vals, "family"));
		d->namespace = ns;
		d->defs = tree_get(vals, "container_definitions");
		return 0;
	}
	if (tree_is(type, "aws_lambda_function"))
		return read_lambda(k, vals, ns, name);
	if (tree_is(type, "aws_db_instance")) {
		if (!tree_is(tree_get(vals, "engine"), "postgres"))
			return 0;
		it = add_database(k, "aws_db_instance", ns, name, vals);
		return value(k, tree_get(vals, "instance_class"), &it->instance);
	}
	if (tree_is(type, "aws_db_proxy")) {
		if (!tree_is(tree_get(vals, "engine_family"), "POSTGRESQL"))
			return 0;
		it = add_item(k, SOURCE_POOLER, "aws_db_proxy", ns, name);
		it->rds_proxy = true;
		keep_values(k, vals);
		return 0;
	}
	if (tree_is(type, "azurerm_postgresql_flexible_server"))
		return read_flexible_server(k, vals, ns, name);
	if (tree_is(type, "aws_rds_cluster") || tree_is(type, "aws_db_parameter_group") ||
	    tree_is(type, "aws_rds_cluster_parameter_group") || tree_is(type, "aws_db_proxy_default_target_group") ||
	    tree_is(type, "azurerm_postgresql_flexible_server_configuration")) {
		xgrow(&k->res, &k->rcap, k->nres + 1, sizeof(*k->res));
		k->res[k->nres++] = (struct resource){ type->s, keep(k->out, name), ns, vals };
		return 0;
	}
	if (tree_is(type, "google_sql_database_instance")) {
		const struct tnode *version = tree_get(vals, "database_version");
		const struct tnode *settings = tree_get(vals, "settings"), *blk = tree_item(settings, 0);

		if (!tree_str(version) || strncmp(tree_str(version), "POSTGRES_", 9) != 0)
			return 0; /* MySQL, SQL Server */
		it = add_database(k, "google_sql_database_instance", ns, name, vals);
		it->max_connections_word = "database_flags max_connections";
		if (!is_null(settings) && (settings->kind != TN_SEQ || (blk && blk->kind != TN_MAP))) {
			ld_error(k->ld, settings->pos, "settings: expected a list of one block");
			return -1;
		}
		return flags_max_connections(k, tree_get(blk, "database_flags"), "settings.database_flags", it) < 0 ? -1 : 0;
	}
	if (tree_is(type, "aws_rds_cluster_instance")) {
		const struct tnode *engine = tree_get(vals, "engine");

		if (!tree_is(engine, "aurora-postgresql"))
			return 0;
		it = add_database(k, "aws_rds_cluster_instance", ns, name, vals);
		it->provider = (struct source_value){ "aurora", engine->pos, false };
		return value(k, tree_get(vals, "instance_class"), &it->instance);
	}
	if (tree_is(type, "aws_lambda_provisioned_concurrency_config")) {
		struct provisioned *pc;

		xgrow(&k->pcs, &k->pcap, k->npcs + 1, sizeof(*k->pcs));
		pc = &k->pcs[k->npcs++];
		pc->label = keep(k->out, name);
		pc->namespace = ns;
		pc->function = tree_get(vals, "function_name");
		pc->qualifier = tree_get(vals, "qualifier");
		pc->count = tree_get(vals, "provisioned_concurrent_executions");
		return 0;
	}
	if (tree_is(type, "aws_appautoscaling_target")) {
		if (!tree_is(tree_get(vals, "service_namespace"), "ecs"))
			return 0;
		it = add_item(k, SOURCE_AUTOSCALER, "aws_appautoscaling_target", ns, name);
		it->target_kind = "aws_ecs_service";
		if (value(k, tree_get(vals, "max_capacity"), &it->max_replicas) ||
		    value(k, tree_get(vals, "min_capacity"), &it->min_replicas))
			return -1;
		keep_values(k, vals);
		return 0;
	}
	if (!tree_is(type, "aws_ecs_service"))
		return 0;
	it = add_item(k, SOURCE_WORKLOAD, "aws_ecs_service", ns, name);
	if (value(k, tree_get(vals, "desired_count"), &it->replicas))
		return -1;
	{
		const struct tnode *max = tree_get(vals, "deployment_maximum_percent");
		struct source_value m = { 0 };
		char *end;
		unsigned long pct;

		if (value(k, max, &m))
			return -1;
		if (m.text) {
			pct = strtoul(m.text, &end, 10);
			if (*end || end == m.text || pct < 100 || pct > 200) {
				ld_error(k->ld, m.pos, "deployment_maximum_percent: expected an integer from 100 to 200");
				return -1;
			}
			it->surge.text = arena_printf(k->out->arena, "%lu%%", pct - 100);
			it->surge.pos = m.pos;
		} else {
			it->surge = (struct source_value){ "100%", it->pos, true };
		}
	}
	keep_values(k, vals);
	return 0;
}

static int read_module(struct tctx *k, const struct tnode *m, const char *ns, unsigned depth)
{
	const struct tnode *res = tree_get(m, "resources"), *kids = tree_get(m, "child_modules");
	size_t i;
	int rc;

	if (depth > MAX_MODULE_DEPTH) {
		ld_error(k->ld, m->pos, "modules nested more than %d deep", MAX_MODULE_DEPTH);
		return -1;
	}
	for (i = 0; i < tree_len(res); i++)
		if (read_resource(k, tree_item(res, i), ns))
			return -1;
	for (i = 0; i < tree_len(kids); i++) {
		const struct tnode *c = tree_item(kids, i);
		const char *addr = tree_str(tree_get(c, "address"));
		struct sbuf path = { 0 };
		const char *p;

		/* module.a.module.b → "a.b" */
		for (p = addr ? addr : ""; strncmp(p, "module.", 7) == 0;) {
			const char *dot = strchr(p + 7, '.');
			size_t n = dot ? (size_t)(dot - p - 7) : strlen(p + 7);
			if (path.len)
				sbuf_putc(&path, '.');
			sbuf_add(&path, p + 7, n);
			p = dot ? dot + 1 : p + 7 + n;
		}
		rc = read_module(k, c, path.s ? arena_strdup(k->out->arena, path.s) : ns, depth + 1);
		sbuf_release(&path);
		if (rc)
			return -1;
	}
	return 0;
}

/* "f" of "f" and of "arn:aws:lambda:eu-west-1:123:function:f:live"; NULL for another ARN. */
static char *function_of(const char *s)
{
	const char *p = strstr(s, ":function:"), *end;

	if (strncmp(s, "arn:", 4) != 0)
		return xstrdup(s);
	if (!p)
		return NULL;
	p += strlen(":function:");
	end = strchr(p, ':');
	return end ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
}

/* Whether the provisioned concurrency config pc is of the function item it (label, function_name fn). */
static bool provisioned_of(const struct tctx *k, const struct provisioned *pc, const struct source_item *it,
			   const char *fn)
{
	const char *s = tree_str(pc->function);
	char *name = s ? function_of(s) : NULL;
	bool yes;

	if (name) {
		yes = fn && strcmp(name, fn) == 0;
		free(name);
		return yes;
	}
	if (strcmp(pc->namespace, it->namespace) != 0)
		return false;
	name = config_ref(k, pc->namespace, "aws_lambda_provisioned_concurrency_config", pc->label,
			  "function_name", "aws_lambda_function");
	yes = name && strcmp(name, it->name) == 0;
	free(name);
	return yes;
}

/*
 * A function's steady concurrency: the provisioned concurrency of its
 * configs, one per qualifier (AWS refuses a second for the same one),
 * summed; at the first one's position.
 */
static int join_provisioned(struct tctx *k, struct source_item *it, const char *fn)
{
	size_t i, j;
	uint64_t sum = 0, n;
	const struct provisioned *first = NULL;

	for (i = 0; i < k->npcs; i++) {
		const struct provisioned *pc = &k->pcs[i];
		struct source_value v = { 0 };
		char *end;

		if (!provisioned_of(k, pc, it, fn))
			continue;
		if (value(k, pc->count, &v))
			return -1;
		if (!v.text)
			continue; /* known only after apply */
		n = strtoull(v.text, &end, 10);
		if (*end || v.text[0] < '0' || v.text[0] > '9' || !u64_add(sum, n, &sum)) {
			ld_error(k->ld, v.pos, "provisioned_concurrent_executions: expected a non-negative integer");
			return -1;
		}
		for (j = 0; first && j < i; j++) {
			const struct provisioned *o = &k->pcs[j];
			if (tree_str(o->qualifier) && tree_str(pc->qualifier) && tree_str(o->count) &&
			    strcmp(tree_str(o->qualifier), tree_str(pc->qualifier)) == 0 && provisioned_of(k, o, it, fn)) {
				ld_error(k->ld, pc->qualifier->pos, "a second provisioned concurrency config of "
					 "aws_lambda_function.%s for qualifier \"%s\" (the first at %u:%u)",
					 str_clip(it->name), str_clip(tree_str(pc->qualifier)), o->qualifier->pos.line,
					 o->qualifier->pos.col);
				return -1;
			}
		}
		if (!first)
			first = pc;
	}
	if (first) {
		it->concurrency.text = arena_printf(k->out->arena, "%llu", (unsigned long long)sum);
		it->concurrency.pos = first->count->pos;
	}
	return 0;
}

/*
 * The kept resource of type want whose want_attr is the value of attr in
 * vals (the values of resource src_type.src_label in the module ns), else
 * the one src's configuration references in attr; NULL when none.
 */
static const struct resource *find_named(const struct tctx *k, const char *ns, const char *src_type,
					 const char *src_label, const struct tnode *vals, const char *attr,
					 const char *want, const char *want_attr)
{
	const char *v = tree_str(tree_get(vals, attr));
	const struct resource *found = NULL;
	char *ref = v ? NULL : config_ref(k, ns, src_type, src_label, attr, want);
	size_t i;

	for (i = 0; i < k->nres && !found; i++) {
		const struct resource *o = &k->res[i];
		const char *id = tree_str(tree_get(o->vals, want_attr));
		if (strcmp(o->type, want) != 0)
			continue;
		if ((v && id && strcmp(id, v) == 0) || (ref && strcmp(o->label, ref) == 0 && strcmp(o->namespace, ns) == 0))
			found = o;
	}
	free(ref);
	return found;
}

/* A cluster instance's aws_rds_cluster: by cluster_identifier, else by reference. */
static const struct resource *cluster_of(const struct tctx *k, const struct source_item *it, const struct tnode *vals)
{
	return find_named(k, it->namespace, it->kind, it->name, vals, "cluster_identifier", "aws_rds_cluster",
			  "cluster_identifier");
}

/*
 * An Aurora Serverless v2 instance (class db.serverless): its cluster's
 * serverlessv2_scaling_configuration[0] gives min_acu and max_acu in place
 * of the class.
 */
static int join_cluster(struct tctx *k, struct source_item *it, const struct tnode *vals)
{
	const struct tnode *scaling, *blk;
	const struct resource *c;

	if (!it->instance.text || strcmp(it->instance.text, "db.serverless") != 0)
		return 0;
	if (!(c = cluster_of(k, it, vals))) {
		ld_error(k->ld, it->instance.pos, "instance_class db.serverless: the plan has no aws_rds_cluster "
			 "of aws_rds_cluster_instance.%s to give its capacity", str_clip(it->name));
		return -1;
	}
	scaling = tree_get(c->vals, "serverlessv2_scaling_configuration");
	blk = tree_item(scaling, 0);
	if (!is_null(scaling) && (scaling->kind != TN_SEQ || (blk && blk->kind != TN_MAP))) {
		ld_error(k->ld, scaling->pos, "serverlessv2_scaling_configuration: expected a list of one block");
		return -1;
	}
	if (!blk) {
		ld_error(k->ld, it->instance.pos, "instance_class db.serverless: aws_rds_cluster.%s has no "
			 "serverlessv2_scaling_configuration", str_clip(c->label));
		return -1;
	}
	it->instance.text = NULL;
	return value(k, tree_get(blk, "min_capacity"), &it->min_acu) ||
	       value(k, tree_get(blk, "max_capacity"), &it->max_acu) ? -1 : 0;
}

/* max_connections from a parameter group's `parameter` blocks, as flags_max_connections. */
static int group_max_connections(struct tctx *k, const struct resource *g, struct source_item *it)
{
	return g ? flags_max_connections(k, tree_get(g->vals, "parameter"), "parameter", it) : 0;
}

/*
 * A database's parameter groups: an aws_db_instance's parameter_group_name,
 * a cluster instance's db_parameter_group_name, which wins (AWS applies the
 * instance's group over its cluster's), else its cluster's
 * db_cluster_parameter_group_name; each by name, else by reference.
 */
static int join_parameters(struct tctx *k, struct source_item *it, const struct tnode *vals)
{
	const struct resource *c;
	int rc;

	if (strcmp(it->kind, "aws_db_instance") == 0)
		return group_max_connections(k, find_named(k, it->namespace, it->kind, it->name, vals,
							   "parameter_group_name", "aws_db_parameter_group", "name"), it) < 0 ? -1 : 0;
	rc = group_max_connections(k, find_named(k, it->namespace, it->kind, it->name, vals, "db_parameter_group_name",
						 "aws_db_parameter_group", "name"), it);
	if (rc || !(c = cluster_of(k, it, vals)))
		return rc < 0 ? -1 : 0;
	return group_max_connections(k, find_named(k, c->namespace, c->type, c->label, c->vals,
						   "db_cluster_parameter_group_name", "aws_rds_cluster_parameter_group",
						   "name"), it) < 0 ? -1 : 0;
}

/*
 * An RDS Proxy's connection limit: the max_connections_percent of its
 * default target group's connection_pool_config, that group's db_proxy_name
 * the proxy's name or, known only after apply, a reference to the proxy.
 * A group that sets none holds AWS's default, 100; without a group the
 * topology's value stands.
 */
static int join_proxy(struct tctx *k, struct source_item *it, const struct tnode *vals)
{
	const char *name = tree_str(tree_get(vals, "name"));
	size_t i;

	for (i = 0; i < k->nres; i++) {
		const struct resource *g = &k->res[i];
		const char *pn = tree_str(tree_get(g->vals, "db_proxy_name"));
		const struct tnode *cfg, *blk;
		char *ref;
		bool mine;

		if (strcmp(g->type, "aws_db_proxy_default_target_group") != 0)
			continue;
		if (pn) {
			mine = name && strcmp(pn, name) == 0;
		} else {
			ref = config_ref(k, g->namespace, g->type, g->label, "db_proxy_name", "aws_db_proxy");
			mine = ref && strcmp(ref, it->name) == 0 && strcmp(g->namespace, it->namespace) == 0;
			free(ref);
		}
		if (!mine)
			continue;
		cfg = tree_get(g->vals, "connection_pool_config");
		blk = tree_item(cfg, 0);
		if (!is_null(cfg) && (cfg->kind != TN_SEQ || (blk && blk->kind != TN_MAP))) {
			ld_error(k->ld, cfg->pos, "connection_pool_config: expected a list of one block");
			return -1;
		}
		if (value(k, tree_get(blk, "max_connections_percent"), &it->max_connections_percent))
			return -1;
		if (!it->max_connections_percent.text && (!blk || !tree_get(blk, "max_connections_percent")))
			it->max_connections_percent = (struct source_value){ "100", blk ? blk->pos : g->vals ? g->vals->pos : it->pos,
										 true };
		return 0;
	}
	return 0;
}

/*
 * An Azure flexible server's max_connections: the value of its
 * azurerm_postgresql_flexible_server_configuration named max_connections,
 * the one whose server_id is the server's id, else whose configuration
 * references the server (azurerm_postgresql_flexible_server.main.id). A
 * second one for the same server is an error, as Azure keeps one value.
 */
static int join_configuration(struct tctx *k, struct source_item *it, const struct tnode *vals)
{
	const char *id = tree_str(tree_get(vals, "id"));
	const struct tnode *first = NULL;
	size_t i;

	for (i = 0; i < k->nres; i++) {
		const struct resource *c = &k->res[i];
		const char *sid = tree_str(tree_get(c->vals, "server_id"));
		const struct tnode *v = tree_get(c->vals, "value");
		char *ref;
		bool yes;

		if (strcmp(c->type, "azurerm_postgresql_flexible_server_configuration") != 0 ||
		    !tree_is(tree_get(c->vals, "name"), "max_connections"))
			continue;
		if (sid) {
			yes = id && strcmp(sid, id) == 0;
		} else {
			ref = strcmp(c->namespace, it->namespace) == 0 ?
				      config_ref(k, c->namespace, c->type, c->label, "server_id", it->kind) : NULL;
			yes = ref && strcmp(ref, it->name) == 0;
			free(ref);
		}
		if (!yes)
			continue;
		if (first) {
			ld_error(k->ld, v ? v->pos : first->pos, "a second max_connections configuration of "
				 "azurerm_postgresql_flexible_server.%s (the first at %u:%u)", str_clip(it->name),
				 first->pos.line, first->pos.col);
			return -1;
		}
		first = v ? v : tree_get(c->vals, "name");
		if (value(k, v, &it->max_connections))
			return -1;
	}
	return 0;
}

/*
 * Each proxy's target group, each database's parameter groups, cluster or
 * server configuration, each service's task definition and autoscaling
 * target, each function's provisioned concurrency.
 */
static int join(struct tctx *k, size_t first)
{
	size_t i, j;

	for (i = first; i < k->out->n; i++)
		if (k->out->v[i].rds_proxy && join_proxy(k, &k->out->v[i], i < k->nvalues ? k->values[i] : NULL))
			return -1;

	for (i = first; i < k->out->n; i++) {
		struct source_item *it = &k->out->v[i];

		const struct tnode *vals = i < k->nvalues ? k->values[i] : NULL;

		if (it->role != SOURCE_DATABASE)
			continue;
		if (strcmp(it->kind, "google_sql_database_instance") == 0)
			continue; /* its flags are its own */
		if (strcmp(it->kind, "azurerm_postgresql_flexible_server") == 0) {
			if (join_configuration(k, it, vals))
				return -1;
		} else if (join_parameters(k, it, vals) ||
			   (strcmp(it->kind, "aws_rds_cluster_instance") == 0 && join_cluster(k, it, vals))) {
			return -1;
		}
	}

	for (i = first; i < k->out->n; i++) {
		struct source_item *it = &k->out->v[i];

		if (it->serverless &&
		    join_provisioned(k, it, tree_str(tree_get(i < k->nvalues ? k->values[i] : NULL, "function_name"))))
			return -1;
	}

	for (i = first; i < k->out->n; i++) {
		struct source_item *it = &k->out->v[i];
		const struct tnode *vals = i < k->nvalues ? k->values[i] : NULL;
		const char *td = tree_str(tree_get(vals, "task_definition"));
		char *family = td ? family_of(td) : NULL, *ref = NULL;

		if (it->role != SOURCE_WORKLOAD || it->serverless)
			continue;
		if (!family)
			ref = config_ref(k, it->namespace, "aws_ecs_service", it->name, "task_definition",
					 "aws_ecs_task_definition");
		for (j = 0; j < k->ndefs; j++) {
			const struct taskdef *d = &k->defs[j];
			if (strcmp(d->namespace, it->namespace) != 0 && !family)
				continue;
			if ((family && d->family && strcmp(d->family, family) == 0) ||
			    (ref && strcmp(d->label, ref) == 0)) {
				if (read_containers(k, d->defs, it)) {
					free(family);
					free(ref);
					return -1;
				}
				break;
			}
		}
		free(family);
		free(ref);
	}
	/* an autoscaling target names its service by resource_id service/CLUSTER/NAME */
	for (i = first; i < k->out->n; i++) {
		struct source_item *as = &k->out->v[i];
		const char *rid = tree_str(tree_get(i < k->nvalues ? k->values[i] : NULL, "resource_id"));
		const char *want = rid && strncmp(rid, "service/", 8) == 0 && strchr(rid + 8, '/') ?
					   strchr(rid + 8, '/') + 1 : NULL;
		char *ref = NULL;

		if (as->role != SOURCE_AUTOSCALER)
			continue;
		if (!want)
			ref = config_ref(k, as->namespace, "aws_appautoscaling_target", as->name, "resource_id",
					 "aws_ecs_service");
		for (j = first; j < k->out->n && !as->target_name; j++) {
			const struct source_item *w = &k->out->v[j];
			const char *svc = tree_str(tree_get(j < k->nvalues ? k->values[j] : NULL, "name"));

			if (w->role != SOURCE_WORKLOAD || w->serverless)
				continue;
			if ((want && svc && strcmp(svc, want) == 0) ||
			    (ref && strcmp(w->name, ref) == 0 && strcmp(w->namespace, as->namespace) == 0)) {
				as->target_name = w->name;
				as->namespace = w->namespace;
			}
		}
		free(ref);
	}
	return 0;
}

static int read_doc(struct ld *ld, const struct tnode *root, struct source_items *out)
{
	struct tctx k = { ld, out, NULL, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0 };
	const struct tnode *fv, *values;
	size_t first = out->n;
	int rc;

	if (root->kind != TN_MAP) {
		ld_error(ld, root->pos, "not a `terraform show -json` plan or state: expected a JSON object");
		return -1;
	}
	fv = tree_get(root, "format_version");
	if (!tree_str(fv) || strncmp(tree_str(fv), "1.", 2) != 0) {
		ld_error(ld, fv ? fv->pos : root->pos, "not a `terraform show -json` plan or state of format 1.x "
			 "(format_version %s)", tree_str(fv) ? "is another major version" : "is missing");
		return -1;
	}
	values = tree_get(root, "planned_values");
	if (!values)
		values = tree_get(root, "values");
	k.config = tree_path(root, "configuration.root_module");
	rc = values ? read_module(&k, tree_get(values, "root_module"), "default", 0) : 0;
	if (rc == 0)
		rc = join(&k, first);
	free(k.defs);
	free(k.pcs);
	free(k.res);
	free(k.values);
	return rc;
}

static int read_file(struct ld *ld, const char *file, const char *data, size_t len, struct source_items *out)
{
	return source_read_stream(ld, file, data, len, 0, out, read_doc);
}

const struct source_kind source_terraform = { "terraform", read_file, "reserved_concurrent_executions", "provisioned_concurrent_executions",
						 "max_connections_percent" };
