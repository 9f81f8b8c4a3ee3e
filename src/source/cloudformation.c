/*
 * cloudformation.c - CloudFormation and AWS SAM templates → items
 * (source.h, docs/sources.md).
 *
 * What is read of `Resources:`, each item named by its logical id:
 *
 *  - AWS::Lambda::Function and AWS::Serverless::Function (kind "function",
 *    a serverless client): ReservedConcurrentExecutions (max_concurrency),
 *    ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions
 *    (concurrency, SAM's), Environment.Variables. A SAM function sits on
 *    `Globals.Function`: its variables below the function's own, and its
 *    concurrency where the function states none
 *    (docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html).
 *  - AWS::ECS::Service (kind "service"): DesiredCount (replicas, default 1),
 *    DeploymentConfiguration.MaximumPercent (surge = MaximumPercent - 100
 *    percent, default 200, so 100%; a CODE_DEPLOY blue/green controller
 *    starts a whole replacement: 100%), and the containers of the
 *    AWS::ECS::TaskDefinition its TaskDefinition names in the template
 *    (ContainerDefinitions[].Environment; Secrets are never read).
 *    docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html
 *  - AWS::ApplicationAutoScaling::ScalableTarget on ecs:service:DesiredCount:
 *    MaxCapacity and MinCapacity of the service its ResourceId
 *    (service/CLUSTER/NAME, as a string, !Sub or !Join) names.
 *  - AWS::RDS::DBInstance of Engine postgres (kind "database", for a
 *    topology database's from:): DBInstanceClass, a catalog instance.
 *    docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html
 *  - AWS::RDS::DBInstance of Engine aurora-postgresql, an Aurora cluster's
 *    instance (kind "database" too): provider aurora, DBInstanceClass a
 *    catalog instance; of class db.serverless, the MinCapacity and
 *    MaxCapacity of its cluster's ServerlessV2ScalingConfiguration are its
 *    min_acu and max_acu. The cluster is the AWS::RDS::DBCluster its
 *    DBClusterIdentifier refers to (!Ref), else the one whose
 *    DBClusterIdentifier it equals; one only a deploy knows (!ImportValue)
 *    leaves them unknown, none is an input error.
 *    docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbcluster.html
 *  - AWS::RDS::DBParameterGroup, AWS::RDS::DBClusterParameterGroup: a
 *    DBInstance's max_connections from Parameters.max_connections of the
 *    group its DBParameterGroupName refers to (!Ref), else (an Aurora
 *    instance) of its cluster's DBClusterParameterGroupName; a group named
 *    by a plain string is outside the template, unknown; a formula is
 *    unknown, the catalog's figure stands.
 *    docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbparametergroup.html
 *    docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbclusterparametergroup.html
 *  - AWS::RDS::DBProxy of EngineFamily POSTGRESQL (kind "dbproxy", for an
 *    rds_proxy pooler's from:): the MaxConnectionsPercent of the
 *    AWS::RDS::DBProxyTargetGroup whose DBProxyName names it.
 *
 * Intrinsic functions, long form (`Ref:`, `Fn::Sub:`) and short (`!Ref`,
 * `!Sub`), are resolved as far as the template alone can: a Ref to a
 * Parameter with a Default is the default, !Sub and !Join of what
 * resolves, !FindInMap into Mappings. Anything else (a resource's Ref or
 * GetAtt, a pseudo parameter, !If, !ImportValue, a parameter without a
 * Default, a `{{resolve:...}}` dynamic reference) is unknown: the field
 * falls back to the topology's value. Never an error, and nothing is
 * fetched: a secret is never read.
 */
#include <string.h>
#include <strings.h>

#include "source.h"

/* How deep intrinsic functions may nest inside one another. */
enum { CFN_DEPTH = 8 };
/* ECS: MaximumPercent 200, the default for a service without one (the resource page above), less 100. */
static const char ECS_DEFAULT_SURGE[] = "100%";
/* ECS blue/green (CODE_DEPLOY, EXTERNAL): the replacement task set is as large as the old one. */
static const char ECS_BLUE_GREEN_SURGE[] = "100%";

struct cctx {
	struct ld *ld;
	struct source_items *out;
	const struct tnode *root, *params, *mappings, *resources;
};

static const char *eval(struct cctx *x, const struct tnode *n, unsigned depth, struct pos *pos);

/* An intrinsic in either form: its name without "Fn::" or "!" ("Ref", "Sub") and its argument. */
static const char *intrinsic(const struct tnode *n, const struct tnode **arg)
{
	const struct tnode *k;

	if (n->tag && n->tag[0] == '!') {
		*arg = n;
		return n->tag + 1;
	}
	if (n->kind != TN_MAP || n->n != 2 || (k = n->kids[0])->kind != TN_SCALAR)
		return NULL;
	*arg = n->kids[1];
	if (strcmp(k->s, "Ref") == 0 || strcmp(k->s, "Condition") == 0)
		return k->s;
	return strncmp(k->s, "Fn::", 4) == 0 ? k->s + 4 : NULL;
}

/* The text of a node that is a scalar argument (a short form's own text), or NULL. */
static const char *arg_text(const struct tnode *arg)
{
	return arg && arg->kind == TN_SCALAR ? tree_str(arg) : NULL;
}

/* Ref NAME: a parameter's Default, else unknown (a resource, a pseudo parameter). */
static const char *ref(struct cctx *x, const char *name, unsigned depth, struct pos *pos)
{
	const struct tnode *p = tree_get(x->params, name);

	return p ? eval(x, tree_get(p, "Default"), depth + 1, pos) : NULL;
}

/* !Sub "text ${Name}" with vars (the list form's mapping, or NULL). */
static const char *sub(struct cctx *x, const char *s, const struct tnode *vars, unsigned depth)
{
	struct sbuf b = { 0 };
	const char *p = s, *end, *v;
	struct pos at;
	char *name, *res;

	while (*p) {
		if (p[0] == '$' && p[1] == '{' && p[2] == '!') {
			sbuf_puts(&b, "${"); /* ${!Literal} */
			p += 3;
			continue;
		}
		if (!(p[0] == '$' && p[1] == '{')) {
			sbuf_putc(&b, *p++);
			continue;
		}
		if (!(end = strchr(p, '}')))
			goto unknown;
		name = xstrndup(p + 2, (size_t)(end - p - 2));
		v = NULL;
		if (tree_get(vars, name))
			v = eval(x, tree_get(vars, name), depth + 1, &at);
		else if (!strchr(name, '.'))
			v = ref(x, name, depth, &at); /* a GetAtt (Name.Attr) is the resource's */
		free(name);
		if (!v)
			goto unknown;
		sbuf_puts(&b, v);
		p = end + 1;
	}
	res = arena_strdup(x->out->arena, b.s ? b.s : "");
	sbuf_release(&b);
	return res;
unknown:
	sbuf_release(&b);
	return NULL;
}

/* !Join [DELIM, [ITEMS]]: unknown when an item is. */
static const char *join(struct cctx *x, const struct tnode *arg, unsigned depth)
{
	const char *delim = arg_text(tree_item(arg, 0)), *v;
	const struct tnode *items = tree_item(arg, 1);
	struct sbuf b = { 0 };
	struct pos at;
	size_t i;
	char *res;

	if (tree_len(arg) != 2 || !items || items->kind != TN_SEQ)
		return NULL;
	for (i = 0; i < items->n; i++) {
		if (!(v = eval(x, items->kids[i], depth + 1, &at))) {
			sbuf_release(&b);
			return NULL;
		}
		if (i && delim)
			sbuf_puts(&b, delim);
		sbuf_puts(&b, v);
	}
	res = arena_strdup(x->out->arena, b.s ? b.s : "");
	sbuf_release(&b);
	return res;
}

/*
 * The value of n as the template alone tells it, in the items' arena, or
 * NULL when it is unknown. *pos becomes the position of the scalar it
 * comes from (a parameter's Default, a mapping's value).
 */
static const char *eval(struct cctx *x, const struct tnode *n, unsigned depth, struct pos *pos)
{
	const struct tnode *arg;
	const char *fn, *s;
	struct pos at;

	if (!n || depth > CFN_DEPTH)
		return NULL;
	at = n->pos;
	if (!(fn = intrinsic(n, &arg))) {
		if (n->kind != TN_SCALAR || n->tag || !(s = tree_str(n)) || strstr(s, "{{resolve:"))
			return NULL;
		*pos = n->pos;
		return arena_strdup(x->out->arena, s);
	}
	if (strcmp(fn, "Ref") == 0 && arg_text(arg))
		s = ref(x, arg_text(arg), depth, &at);
	else if (strcmp(fn, "Sub") == 0 && arg_text(arg))
		s = sub(x, arg_text(arg), NULL, depth);
	else if (strcmp(fn, "Sub") == 0 && tree_len(arg) == 2 && arg_text(tree_item(arg, 0)))
		s = sub(x, arg_text(tree_item(arg, 0)), tree_item(arg, 1), depth);
	else if (strcmp(fn, "Join") == 0)
		s = join(x, arg, depth);
	else if (strcmp(fn, "FindInMap") == 0 && tree_len(arg) == 3) {
		const char *m = eval(x, tree_item(arg, 0), depth + 1, &at), *k1, *k2;
		k1 = m ? eval(x, tree_item(arg, 1), depth + 1, &at) : NULL;
		k2 = k1 ? eval(x, tree_item(arg, 2), depth + 1, &at) : NULL;
		s = k2 ? eval(x, tree_get(tree_get(tree_get(x->mappings, m), k1), k2), depth + 1, &at) : NULL;
	} else {
		s = NULL; /* GetAtt, If, ImportValue, Select, GetAZs ...: the deploy's */
	}
	if (s)
		*pos = s && (strcmp(fn, "Ref") == 0 || strcmp(fn, "FindInMap") == 0) ? at : n->pos;
	return s;
}

/* No property, or one of no value (`X:`, `X: ~`). */
static bool is_null(const struct tnode *n)
{
	return !n || (n->kind == TN_SCALAR && !n->tag && !tree_str(n));
}

/* A fact from a property: its value, unknown (text NULL) when it cannot be told; -2 if it is a list. */
static int fact(struct cctx *x, const struct tnode *n, const char *what, const char *want, struct source_value *v)
{
	struct pos pos;

	if (is_null(n))
		return 0;
	if (n->kind == TN_SEQ && !n->tag) {
		ld_error(x->ld, n->pos, "%s: expected %s, got a sequence", what, want);
		return -2;
	}
	pos = n->pos;
	if ((v->text = eval(x, n, 0, &pos)))
		v->pos = pos;
	return 0;
}

/* A count: fact(), said to be a number. */
static int value(struct cctx *x, const struct tnode *n, const char *what, struct source_value *v)
{
	return fact(x, n, what, "a number", v);
}

/* A container's variables: vars (a mapping of name to value) appended to *v. */
static void add_vars(struct cctx *x, const struct tnode *vars, struct source_env **v, size_t *n, size_t *cap)
{
	size_t i;

	for (i = 0; vars && vars->kind == TN_MAP && !vars->tag && i + 1 < vars->n; i += 2) {
		const struct tnode *key = vars->kids[i];
		struct source_env e = { 0 };
		struct pos pos = vars->kids[i + 1]->pos;

		if (!tree_str(key))
			continue;
		e.name = arena_strdup(x->out->arena, key->s);
		e.pos = key->pos;
		if ((e.value = eval(x, vars->kids[i + 1], 0, &pos)))
			e.pos = pos;
		xgrow(v, cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = e;
	}
}

/* ECS: a container definition's Environment, a list of {Name, Value}. */
static void add_list(struct cctx *x, const struct tnode *list, struct source_env **v, size_t *n, size_t *cap)
{
	size_t i;

	for (i = 0; i < tree_len(list); i++) {
		const struct tnode *e = tree_item(list, i), *name = tree_get(e, "Name");
		struct source_env env = { 0 };
		struct pos pos;

		if (!tree_str(name) || name->tag)
			continue;
		env.name = arena_strdup(x->out->arena, name->s);
		env.pos = name->pos;
		pos = name->pos;
		if ((env.value = eval(x, tree_get(e, "Value"), 0, &pos)))
			env.pos = pos;
		xgrow(v, cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = env;
	}
}

/* A new item of the template: logical id key, of kind and role. */
static struct source_item *add_item(struct cctx *x, const struct tnode *key, const char *kind,
				    enum source_role role)
{
	struct source_item *it = source_item_add(x->out);

	it->role = role;
	it->kind = kind;
	it->name = arena_strdup(x->out->arena, key->s);
	it->pos = key->pos;
	return it;
}

static int read_function(struct cctx *x, const struct tnode *key, const struct tnode *props, bool sam)
{
	const struct tnode *globals = sam ? tree_path(x->root, "Globals.Function") : NULL;
	const struct tnode *reserved = tree_get(props, "ReservedConcurrentExecutions");
	const struct tnode *warm = tree_path(props, "ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
	struct source_item *it = add_item(x, key, "function", SOURCE_WORKLOAD);
	struct source_env *v = NULL;
	size_t n = 0, cap = 0;

	it->serverless = true;
	if (!reserved)
		reserved = tree_get(globals, "ReservedConcurrentExecutions");
	if (!warm && sam)
		warm = tree_path(globals, "ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
	if (value(x, reserved, "ReservedConcurrentExecutions", &it->max_concurrency) ||
	    value(x, warm, "ProvisionedConcurrentExecutions", &it->concurrency))
		return -2;
	add_vars(x, tree_path(globals, "Environment.Variables"), &v, &n, &cap);
	add_vars(x, tree_path(props, "Environment.Variables"), &v, &n, &cap);
	source_one_container(x->out, it, v, n);
	return 0;
}

/* The resource a Ref names in the template (!Ref X, {Ref: X}), or NULL. */
static const struct tnode *ref_resource(struct cctx *x, const struct tnode *n)
{
	const struct tnode *arg;
	const char *fn = n ? intrinsic(n, &arg) : NULL;

	return fn && strcmp(fn, "Ref") == 0 && arg_text(arg) ? tree_get(x->resources, arg_text(arg)) : NULL;
}

static int read_service(struct cctx *x, const struct tnode *key, const struct tnode *props)
{
	const struct tnode *task = tree_get(ref_resource(x, tree_get(props, "TaskDefinition")), "Properties");
	const struct tnode *defs = tree_get(task, "ContainerDefinitions");
	const struct tnode *ctl = tree_path(props, "DeploymentController.Type");
	struct source_item *it = add_item(x, key, "service", SOURCE_WORKLOAD);
	struct source_value max = { 0 };
	size_t i;

	if (value(x, tree_get(props, "DesiredCount"), "DesiredCount", &it->replicas))
		return -2;
	if (!tree_get(props, "DesiredCount"))
		it->replicas = (struct source_value){ "1", key->pos, true };
	if (tree_is(ctl, "CODE_DEPLOY") || tree_is(ctl, "EXTERNAL")) {
		it->surge = (struct source_value){ ECS_BLUE_GREEN_SURGE, ctl->pos, true };
	} else if (tree_path(props, "DeploymentConfiguration.MaximumPercent")) {
		const char *p;
		uint64_t pct = 0;

		if (value(x, tree_path(props, "DeploymentConfiguration.MaximumPercent"), "MaximumPercent", &max))
			return -2;
		for (p = max.text; p && *p >= '0' && *p <= '9' && pct < 100000; p++)
			pct = pct * 10 + (uint64_t)(*p - '0');
		if (max.text && (*p || p == max.text || pct < 100 || pct >= 100000)) {
			ld_error(x->ld, max.pos, "MaximumPercent: expected a whole number of percent from 100");
			return -2;
		}
		if (max.text)
			it->surge = (struct source_value){ arena_printf(x->out->arena, "%llu%%",
								       (unsigned long long)(pct - 100)), max.pos, false };
	} else {
		it->surge = (struct source_value){ ECS_DEFAULT_SURGE, key->pos, true };
	}
	it->containers = arena_alloc(x->out->arena, (tree_len(defs) ? tree_len(defs) : 1) * sizeof(*it->containers));
	for (i = 0; i < tree_len(defs); i++) {
		const struct tnode *d = tree_item(defs, i);
		struct source_container *c = &it->containers[it->ncontainers++];
		struct source_env *v = NULL;
		size_t n = 0, cap = 0;
		struct pos at = d->pos;

		memset(c, 0, sizeof(*c));
		c->name = eval(x, tree_get(d, "Name"), 0, &at);
		if (!c->name)
			c->name = "";
		c->pos = d->pos;
		add_list(x, tree_get(d, "Environment"), &v, &n, &cap);
		source_container_env(x->out, c, v, n);
	}
	return 0;
}

/*
 * The names a ScalableTarget's ResourceId may give its service by: a Ref,
 * a GetAtt's resource, a !Sub's ${X} or ${X.Name}, a string's last part
 * (service/CLUSTER/NAME). Appended to *names (at most 16), walking n.
 */
static void id_names(struct cctx *x, const struct tnode *n, unsigned depth, const char **names, size_t *nn)
{
	const struct tnode *arg;
	const char *fn, *s, *p;
	size_t i;

	if (!n || depth > CFN_DEPTH || *nn >= 16)
		return;
	fn = intrinsic(n, &arg);
	if (fn && (strcmp(fn, "Ref") == 0 || strcmp(fn, "GetAtt") == 0)) {
		s = arg_text(arg) ? arg_text(arg) : arg_text(tree_item(arg, 0));
		if (s) {
			p = strchr(s, '.');
			names[(*nn)++] = p ? arena_strndup(x->out->arena, s, (size_t)(p - s)) : s;
		}
		return;
	}
	if (fn && strcmp(fn, "Sub") == 0) {
		s = arg_text(arg) ? arg_text(arg) : arg_text(tree_item(arg, 0));
		for (p = s; p && (p = strstr(p, "${")) && *nn < 16; p += 2) {
			size_t len = strcspn(p + 2, ".}");
			names[(*nn)++] = arena_strndup(x->out->arena, p + 2, len);
		}
	}
	if (fn && !(strcmp(fn, "Sub") == 0 || strcmp(fn, "Join") == 0))
		return;
	if (n->kind == TN_SCALAR && !fn && (s = tree_str(n)) && (p = strrchr(s, '/'))) {
		names[(*nn)++] = p + 1;
		return;
	}
	for (i = 0; n->kind != TN_SCALAR && i < n->n; i++)
		id_names(x, n->kids[i], depth + 1, names, nn);
}

/*
 * The logical id of the resource of type `type` whose Properties.prop is
 * name (compared without case when fold), or whose logical id is when by_id;
 * NULL if none.
 */
static const char *resource_named(struct cctx *x, const char *type, const char *prop, const char *name, bool by_id,
				  bool fold)
{
	size_t i;

	for (i = 0; x->resources && i + 1 < x->resources->n; i += 2) {
		const struct tnode *key = x->resources->kids[i], *r = x->resources->kids[i + 1];
		struct pos at;
		const char *v;

		if (!tree_str(key) || !tree_is(tree_get(r, "Type"), type))
			continue;
		v = eval(x, tree_get(tree_get(r, "Properties"), prop), 0, &at);
		if ((by_id && strcmp(key->s, name) == 0) || (v && (fold ? strcasecmp(v, name) : strcmp(v, name)) == 0))
			return key->s;
	}
	return NULL;
}

/* The logical id of the ECS service a ResourceId names, by logical id or ServiceName; NULL if none. */
static const char *scaled_service(struct cctx *x, const struct tnode *id)
{
	const char *names[16], *s;
	size_t nn = 0, k;

	id_names(x, id, 0, names, &nn);
	for (k = 0; k < nn; k++)
		if ((s = resource_named(x, "AWS::ECS::Service", "ServiceName", names[k], true, false)))
			return arena_strdup(x->out->arena, s);
	return NULL;
}

static int read_scalable_target(struct cctx *x, const struct tnode *key, const struct tnode *props)
{
	const struct tnode *dim = tree_get(props, "ScalableDimension");
	struct source_item *it;

	if (dim && !tree_is(dim, "ecs:service:DesiredCount"))
		return 0; /* DynamoDB, Aurora replicas, a Lambda's provisioned concurrency: not replicas */
	it = add_item(x, key, "scalabletarget", SOURCE_AUTOSCALER);
	it->target_kind = "service";
	it->target_name = scaled_service(x, tree_get(props, "ResourceId"));
	if (value(x, tree_get(props, "MaxCapacity"), "MaxCapacity", &it->max_replicas) ||
	    value(x, tree_get(props, "MinCapacity"), "MinCapacity", &it->min_replicas))
		return -2;
	return 0;
}

/*
 * max_connections from the parameter group of type `type`
 * (AWS::RDS::DBParameterGroup, AWS::RDS::DBClusterParameterGroup) that an
 * instance's DBParameterGroupName or a cluster's
 * DBClusterParameterGroupName refers to in the template (a plain name is
 * a group outside it: unknown). Parameters maps a name to its value; a
 * number is the database's, a formula ({DBInstanceClassMemory/9531392})
 * is unknown and the catalog's figure stands, as is an intrinsic that
 * does not resolve. Parameters as a sequence is an input error at it.
 * Returns 1 when the group sets max_connections (or only a deploy knows
 * its Parameters), so that no other group's applies.
 */
static int group_max_connections(struct cctx *x, const struct tnode *name, const char *type, struct source_item *it)
{
	const struct tnode *g = ref_resource(x, name), *params, *arg;

	if (!tree_is(tree_get(g, "Type"), type))
		return 0;
	params = tree_path(g, "Properties.Parameters");
	if (is_null(params))
		return 0;
	if (intrinsic(params, &arg))
		return 1; /* only a deploy knows them (!If) */
	if (params->kind != TN_MAP) {
		ld_error(x->ld, params->pos, "Parameters: expected a mapping of parameter name to value");
		return -2;
	}
	if (!tree_get(params, "max_connections"))
		return 0;
	if (value(x, tree_get(params, "max_connections"), "max_connections", &it->max_connections))
		return -2;
	if (it->max_connections.text && strchr(it->max_connections.text, '{'))
		it->max_connections.text = NULL; /* a formula: AWS computes it from the class */
	return 1;
}

/*
 * The logical id of the AWS::RDS::DBCluster an Aurora instance's
 * DBClusterIdentifier names: a Ref to it, else a value equal to its
 * DBClusterIdentifier property (AWS stores identifiers in lowercase, so
 * case is not compared). NULL when the template holds none; *rc is -2
 * when the identifier is a list, 1 when only a deploy knows it (a
 * Parameter without a Default, !ImportValue of another stack's cluster).
 */
static const char *cluster_of(struct cctx *x, const struct tnode *id, int *rc)
{
	const struct tnode *arg;
	struct source_value name = { 0 };

	if (ref_resource(x, id)) {
		intrinsic(id, &arg);
		return tree_is(tree_get(ref_resource(x, id), "Type"), "AWS::RDS::DBCluster") ? arg_text(arg) : NULL;
	}
	if ((*rc = fact(x, id, "DBClusterIdentifier", "a cluster identifier", &name)))
		return NULL;
	if (!name.text) {
		*rc = !is_null(id);
		return NULL;
	}
	return resource_named(x, "AWS::RDS::DBCluster", "DBClusterIdentifier", name.text, false, true);
}

/*
 * An Aurora Serverless v2 instance (class db.serverless): its cluster's
 * ServerlessV2ScalingConfiguration gives min_acu (MinCapacity) and max_acu
 * (MaxCapacity) in place of the class; a cluster (unknown) or a
 * configuration (!If) only a deploy knows leaves them unknown.
 */
static int cluster_capacity(struct cctx *x, const struct tnode *key, const char *cluster, bool unknown,
			    struct source_item *it)
{
	const struct tnode *scaling, *arg;

	if (!it->instance.text || strcmp(it->instance.text, "db.serverless") != 0)
		return 0;
	if (!cluster && unknown) {
		it->instance.text = NULL;
		return 0;
	}
	if (!cluster) {
		ld_error(x->ld, it->instance.pos, "DBInstanceClass db.serverless: the template has no "
			 "AWS::RDS::DBCluster of database/%s to give its capacity", str_clip(key->s));
		return -2;
	}
	scaling = tree_path(tree_get(x->resources, cluster), "Properties.ServerlessV2ScalingConfiguration");
	if (is_null(scaling)) {
		ld_error(x->ld, it->instance.pos, "DBInstanceClass db.serverless: AWS::RDS::DBCluster %s has no "
			 "ServerlessV2ScalingConfiguration", str_clip(cluster));
		return -2;
	}
	it->instance.text = NULL;
	if (intrinsic(scaling, &arg))
		return 0;
	if (scaling->kind != TN_MAP) {
		ld_error(x->ld, scaling->pos, "ServerlessV2ScalingConfiguration: expected a mapping");
		return -2;
	}
	return value(x, tree_get(scaling, "MinCapacity"), "MinCapacity", &it->min_acu) ||
	       value(x, tree_get(scaling, "MaxCapacity"), "MaxCapacity", &it->max_acu) ? -2 : 0;
}

/*
 * An RDS instance of PostgreSQL, or an Aurora cluster's instance of Aurora
 * PostgreSQL (provider aurora): its class (an Aurora Serverless v2 one's
 * capacity from its cluster) and its parameter group's max_connections,
 * which wins over its cluster's (AWS applies the instance's group over
 * the cluster's), for a database's from:; another engine is no database
 * of ours.
 */
static int read_db_instance(struct cctx *x, const struct tnode *key, const struct tnode *props)
{
	struct source_value engine = { 0 };
	const char *cluster = NULL;
	struct source_item *it;
	bool aurora;
	int rc = 0;

	if (fact(x, tree_get(props, "Engine"), "Engine", "an engine name", &engine))
		return -2;
	aurora = engine.text && strcasecmp(engine.text, "aurora-postgresql") == 0;
	if (!engine.text || (strcasecmp(engine.text, "postgres") != 0 && !aurora))
		return 0; /* another engine, or one only a deploy knows */
	it = add_item(x, key, "database", SOURCE_DATABASE);
	it->provider_word = "Engine";
	it->instance_word = "DBInstanceClass";
	it->max_connections_word = "Parameters.max_connections";
	it->min_acu_word = "ServerlessV2ScalingConfiguration.MinCapacity";
	it->max_acu_word = "ServerlessV2ScalingConfiguration.MaxCapacity";
	if (fact(x, tree_get(props, "DBInstanceClass"), "DBInstanceClass", "an instance class", &it->instance))
		return -2;
	if (aurora) {
		it->provider = (struct source_value){ "aurora", engine.pos, false };
		cluster = cluster_of(x, tree_get(props, "DBClusterIdentifier"), &rc);
		if (rc < 0 || cluster_capacity(x, key, cluster, rc == 1, it))
			return -2;
	}
	rc = group_max_connections(x, tree_get(props, "DBParameterGroupName"), "AWS::RDS::DBParameterGroup", it);
	if (rc || !cluster)
		return rc < 0 ? -2 : 0;
	return group_max_connections(x, tree_path(tree_get(x->resources, cluster), "Properties.DBClusterParameterGroupName"),
				     "AWS::RDS::DBClusterParameterGroup", it) < 0 ? -2 : 0;
}

/*
 * An RDS Proxy of PostgreSQL (EngineFamily POSTGRESQL, kind "dbproxy"):
 * its connection limit is the ConnectionPoolConfigurationInfo's
 * MaxConnectionsPercent of the AWS::RDS::DBProxyTargetGroup whose
 * DBProxyName is a Ref to it or its DBProxyName; a group that sets none
 * holds AWS's default, 100
 * (docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html).
 */
static int read_db_proxy(struct cctx *x, const struct tnode *key, const struct tnode *props)
{
	struct source_value family = { 0 }, name = { 0 };
	struct source_item *it;
	size_t i;

	if (fact(x, tree_get(props, "EngineFamily"), "EngineFamily", "an engine family", &family) ||
	    fact(x, tree_get(props, "DBProxyName"), "DBProxyName", "a name", &name))
		return -2;
	if (!family.text || strcmp(family.text, "POSTGRESQL") != 0)
		return 0; /* MYSQL, SQLSERVER, or one only a deploy knows */
	it = add_item(x, key, "dbproxy", SOURCE_POOLER);
	it->rds_proxy = true;
	for (i = 0; i + 1 < x->resources->n; i += 2) {
		const struct tnode *r = x->resources->kids[i + 1], *gp = tree_get(r, "Properties");
		const struct tnode *pn = tree_get(gp, "DBProxyName"), *cfg;
		struct pos at;
		const char *v;

		if (!tree_is(tree_get(r, "Type"), "AWS::RDS::DBProxyTargetGroup"))
			continue;
		v = ref_resource(x, pn) ? NULL : eval(x, pn, 0, &at);
		if (ref_resource(x, pn) != tree_get(x->resources, key->s) && !(name.text && v && strcmp(v, name.text) == 0))
			continue;
		cfg = tree_get(gp, "ConnectionPoolConfigurationInfo");
		if (cfg && cfg->kind != TN_MAP && !cfg->tag) {
			ld_error(x->ld, cfg->pos, "ConnectionPoolConfigurationInfo: expected a mapping");
			return -2;
		}
		if (cfg && cfg->tag)
			break; /* !If and the like: only the deploy knows */
		if (value(x, tree_get(cfg, "MaxConnectionsPercent"), "MaxConnectionsPercent", &it->max_connections_percent))
			return -2;
		if (!it->max_connections_percent.text && !tree_get(cfg, "MaxConnectionsPercent"))
			it->max_connections_percent = (struct source_value){ "100", (cfg ? cfg : x->resources->kids[i])->pos, true };
		break;
	}
	return 0;
}

static int read_doc(struct ld *ld, const struct tnode *root, struct source_items *out)
{
	struct cctx x = { ld, out, root, tree_get(root, "Parameters"), tree_get(root, "Mappings"),
			  tree_get(root, "Resources") };
	size_t i;
	int rc = 0;

	if (!x.resources)
		return 0;
	if (x.resources->kind != TN_MAP) {
		ld_error(ld, x.resources->pos, "Resources: expected a mapping of logical id to resource");
		return -2;
	}
	for (i = 0; rc == 0 && i + 1 < x.resources->n; i += 2) {
		const struct tnode *key = x.resources->kids[i], *r = x.resources->kids[i + 1];
		const struct tnode *type = tree_get(r, "Type"), *props = tree_get(r, "Properties");

		if (!tree_str(key) || !tree_str(type))
			continue;
		if (tree_is(type, "AWS::Lambda::Function") || tree_is(type, "AWS::Serverless::Function"))
			rc = read_function(&x, key, props, tree_is(type, "AWS::Serverless::Function"));
		else if (tree_is(type, "AWS::ECS::Service"))
			rc = read_service(&x, key, props);
		else if (tree_is(type, "AWS::ApplicationAutoScaling::ScalableTarget"))
			rc = read_scalable_target(&x, key, props);
		else if (tree_is(type, "AWS::RDS::DBInstance"))
			rc = read_db_instance(&x, key, props);
		else if (tree_is(type, "AWS::RDS::DBProxy"))
			rc = read_db_proxy(&x, key, props);
	}
	return rc;
}

static int read_file(struct ld *ld, const char *file, const char *data, size_t len, struct source_items *out)
{
	return source_read_stream(ld, file, data, len, SOURCE_TAGS | SOURCE_NO_HELM, out, read_doc);
}

const struct source_kind source_cloudformation = { "cloudformation", read_file, "ReservedConcurrentExecutions", "ProvisionedConcurrentExecutions",
						      "MaxConnectionsPercent" };
