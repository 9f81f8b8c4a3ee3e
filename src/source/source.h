/*
 * source.h - one reader per kind of infrastructure file: Kubernetes
 * manifests, compose files, Serverless Framework files, CloudFormation
 * templates and Terraform plans
 * (docs/sources.md).
 *
 * A reader turns a file into items: the workloads it declares (a
 * Deployment, a compose service, a Lambda function), and what joins them (an autoscaler, a
 * ConfigMap). Each item keeps what the file states, as written, with the
 * place it is written:
 *
 *	deployment default/web   replicas "3" @ k8s/web.yaml:7:13
 *	                         container web: DATABASE_URL "postgres://..." @ k8s/web.yaml:21:20
 *
 * The reader copies and never computes: a replica count is a fact, a
 * demand is budget.c's. A value it cannot read with certainty (a Secret,
 * an env_file, a template) is left unknown, never guessed, and a Secret
 * is never opened. It knows no topology field, no rule and no figure:
 * src/load_sources.c binds the items to the topology's clients and poolers
 * (from:), finds the ones nobody binds (discovery) and applies the facts
 * through load_set_at (load.h), so a value from a manifest is read and
 * checked exactly as the same value in the topology, and keeps its own
 * position for the findings about it.
 *
 * Adding a reader:
 *  1. Write src/source/<name>.c defining `const struct source_kind
 *     source_<name>` and declare it at the end of this header.
 *  2. Add its row to the table in src/load_sources.c, where the keys of a
 *     `sources:` entry are looked up.
 *  3. Golden cases under testdata/sources/: real files with their origin
 *     in a comment, the figures computed by hand in tests/sources.sh.
 *  4. Its section in docs/sources.md; a seed for the fuzz target.
 */
#ifndef CONNBUDGET_SOURCE_H
#define CONNBUDGET_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "load_yaml.h"
#include "source/tree.h"
#include "model.h"
#include "util.h"

/* A value as the file writes it ("3", "25%"); text NULL when the file says nothing. */
struct source_value {
	const char *text;
	struct pos pos;
	bool implied;            /* not written: what the kind implies (a Deployment's 25% surge) */
};

/* One environment variable of a container. */
struct source_env {
	const char *name;
	const char *value;       /* NULL: not known (a Secret, a missing ConfigMap key) */
	struct pos pos;          /* the value, or the variable's name when there is none */
	const char *config_map;  /* valueFrom.configMapKeyRef: resolved by the kind's finish */
	const char *config_key;
};

/* envFrom.configMapRef: every key of a ConfigMap, below the container's own env. */
struct source_env_from {
	const char *config_map;
	struct pos pos;
};

struct source_container {
	const char *name;
	struct pos pos;
	struct source_env *env;
	size_t nenv;
	struct source_env_from *from;
	size_t nfrom;
};

enum source_role {
	SOURCE_WORKLOAD,         /* Deployment, StatefulSet, Rollout, Job, CronJob, compose service, function */
	SOURCE_POOLER,           /* CloudNativePG Pooler (a pgbouncer), RDS Proxy (rds_proxy) */
	SOURCE_AUTOSCALER,       /* HorizontalPodAutoscaler, KEDA ScaledObject */
	SOURCE_CONFIG_MAP,       /* its data as env (name = key) in containers[0] */
	SOURCE_DATABASE,         /* Terraform aws_db_instance (postgres), aws_rds_cluster_instance (aurora-postgresql),
				    azurerm_postgresql_flexible_server */
};

struct source_item {
	enum source_role role;
	const char *file;        /* the file it was read from (set by the loader) */
	const char *kind;        /* lower case: "deployment", "service" (compose) */
	const char *namespace;   /* "default" when the manifest names none */
	const char *name;
	struct pos pos;          /* metadata.name (the service's key in compose) */
	bool job;                /* Job, CronJob: a client of type job */
	bool serverless;         /* a Lambda function: a client of type serverless, no replicas */
	struct source_value replicas, max_replicas, surge;
	/* serverless: the reserved concurrency ("-1": none, unbounded) and the steady (provisioned) one */
	struct source_value max_concurrency, concurrency;
	/* SOURCE_DATABASE: the instance class, a catalog name (db.r6g.large), of the catalog provider
	 * (text NULL: rds); an Aurora Serverless v2 instance has min_acu and max_acu instead */
	struct source_value instance, provider, min_acu, max_acu;
	/* SOURCE_DATABASE: max_connections of its parameter group (a formula: unknown) or server configuration */
	struct source_value max_connections;
	/* SOURCE_DATABASE: what its file calls the provider, the instance, max_connections and an Aurora
	 * Serverless v2 cluster's min_acu and max_acu, as CB018 quotes them */
	const char *provider_word, *instance_word, *max_connections_word, *min_acu_word, *max_acu_word;
	/* an Argo Rollout's spec.workloadRef: the workload whose pod template it runs */
	const char *template_kind, *template_name;
	/* SOURCE_AUTOSCALER: what it scales, and its floor */
	const char *target_kind, *target_name;
	struct source_value min_replicas;
	/* SOURCE_POOLER: spec.pgbouncer.poolMode and parameters */
	struct source_value pool_mode, default_pool_size, max_client_conn, reserve_pool_size;
	/* SOURCE_POOLER, an RDS Proxy (rds_proxy true): its target group's MaxConnectionsPercent */
	bool rds_proxy;
	struct source_value max_connections_percent;
	const char *cluster;     /* spec.cluster.name: its database is the service CLUSTER-rw */
	struct source_container *containers;
	size_t ncontainers;
};

/* The items of every file of one `sources:` entry; malloc'd arrays, strings in the arena. */
struct source_items {
	struct source_item *v;
	size_t n, cap;
	struct arena *arena;
};

/* One kind of source file. */
struct source_kind {
	const char *name;        /* "kubernetes", as written in `sources:` */
	/*
	 * Read one file, len bytes at data named file, and append its items.
	 * Returns 0, or -1 with the error "file:line:col: error: what" in
	 * ld->err (the loader's guarded YAML reader, load_yaml.h, records it);
	 * items appended before an error stay.
	 */
	int (*read)(struct ld *ld, const char *file, const char *data, size_t len, struct source_items *out);
	/* what its files call a function's reserved and provisioned concurrency, as CB018 quotes them (NULL: no functions) */
	const char *reserved, *provisioned;
	/* and an RDS Proxy's connection limit, a percentage of max_connections (NULL: no proxies) */
	const char *proxy_percent;
};

/* Release the array of items (everything else lives in the arena). */
void source_items_release(struct source_items *items);

/* Shared by the readers (source.c). A new item, zeroed, namespace "default". */
struct source_item *source_item_add(struct source_items *out);
/* Set c's env to the n variables at v, copied into out's arena; v (malloc'd) is freed. */
void source_container_env(struct source_items *out, struct source_container *c, struct source_env *v, size_t n);
/* Give it one container, named as it is and at its position, holding the n variables at v (freed). */
void source_one_container(struct source_items *out, struct source_item *it, struct source_env *v, size_t n);
/* The variable's definition in c (the last one wins, as in Kubernetes), or NULL. */
const struct source_env *source_env_find(const struct source_container *c, const char *name);
/*
 * Templates (Helm's `{{ .Values.x }}`) are not manifests. A reader calls
 * source_template_check after a failed parse, and with a value it reads
 * (s, at pos): when the file is a template, the error says so at the first
 * `{{` and how to render it, in place of what the YAML reader said.
 * Returns -1 when it recorded that error, else 0.
 */
int source_template_check(struct ld *ld, const char *file, const char *data, size_t len);
int source_template_value(struct ld *ld, const char *s, struct pos pos);
/* What a kind's files may hold beyond a manifest stream (source_read_stream's flags). */
enum {
	SOURCE_ALIASES = 1 << 0, /* anchors, aliases and merge keys */
	SOURCE_TAGS = 1 << 1,    /* any tag (!Ref, !Sub), kept in the tree */
	SOURCE_NO_HELM = 1 << 2, /* `{{` is the format's own (CloudFormation's {{resolve:...}}), not a Helm template */
};
/*
 * Read a whole file of items, read_doc called on each document's root;
 * read_doc returns 0, -1 on an error it recorded, or -2 on a node of the
 * wrong shape (which in a file holding `{{` is a template's doing).
 * flags: SOURCE_ALIASES, SOURCE_TAGS.
 */
int source_read_stream(struct ld *ld, const char *file, const char *data, size_t len, unsigned flags,
		       struct source_items *out,
		       int (*read_doc)(struct ld *ld, const struct tnode *root, struct source_items *out));

extern const struct source_kind source_kubernetes;
extern const struct source_kind source_compose;
extern const struct source_kind source_serverless;
extern const struct source_kind source_cloudformation;
extern const struct source_kind source_terraform;

#endif
