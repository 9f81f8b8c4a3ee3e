/*
 * catalog.h - managed providers' PostgreSQL figures, one row per instance
 * class or plan (docs/providers.md). The rows live in catalog/PROVIDER.tsv,
 * compiled in by tools/catalog_gen.sh; each carries the vendor page it was
 * read from and the date it was verified.
 */
#ifndef CONNBUDGET_CATALOG_H
#define CONNBUDGET_CATALOG_H

#include <stddef.h>
#include <stdint.h>

struct catalog_row {
	const char *provider;     /* "rds", the file's name */
	const char *name;         /* "db.t3.medium" */
	uint64_t max_connections; /* the provider's default */
	uint64_t reserved;        /* connections the provider keeps for itself */
	double memory_gb;         /* the advertised memory */
	uint64_t class_memory;    /* rds: DBInstanceClassMemory in bytes; else 0 */
	const char *source;       /* the vendor page, https:// */
	const char *verified;     /* YYYY-MM-DD */
	const char *note;         /* how the figure was read */
};

/* Every row, grouped by provider, each group sorted by name (strcmp). */
extern const struct catalog_row catalog_rows[];
extern const size_t catalog_row_count;
/* Provider names, in the order of catalog_rows. */
extern const char *const catalog_providers[];
extern const size_t catalog_provider_count;

/* True when provider is a known provider name. */
int catalog_has_provider(const char *provider);
/* `instance:` without `provider:` means this one. */
#define CATALOG_DEFAULT_PROVIDER "rds"

/* The row of provider (NULL: CATALOG_DEFAULT_PROVIDER) with this name, or NULL. */
const struct catalog_row *catalog_find(const char *provider, const char *name);
/* The closest name of provider, for "did you mean" (NULL when none is close). */
const char *catalog_suggest(const char *provider, const char *name);

/*
 * A pooler a provider runs for its databases (`type: managed`,
 * docs/poolers.md "Managed poolers"): its figures, each read from the
 * provider's page (source) on the date verified. A provider whose pooler
 * figures are not all documented has a row with `missing` saying which
 * one is not: `type: managed` on it is an input error.
 */
struct managed_pooler {
	const char *provider;        /* "neon", a catalog provider */
	const char *service;         /* "Neon's PgBouncer" */
	const char *type;            /* the pooler it behaves as: "pgbouncer" */
	unsigned pool_percent;       /* default_pool_size = this % of max_connections (rounded down); 0: pool_size */
	uint64_t pool_size;          /* default_pool_size when pool_percent is 0 */
	uint64_t max_client_conn;
	const char *pool_mode;       /* "transaction" */
	uint64_t port;               /* the pooler's port */
	const char *unavailable;     /* instances whose catalog note starts so have no pooler; NULL: none */
	const char *source;          /* the vendor page, https:// */
	const char *verified;        /* YYYY-MM-DD */
	const char *missing;         /* NULL when every figure ships; else the figure not documented */
};

extern const struct managed_pooler catalog_managed_poolers[];
extern const size_t catalog_managed_pooler_count;
/* The managed pooler of provider (NULL: CATALOG_DEFAULT_PROVIDER), or NULL when it runs none we know. */
const struct managed_pooler *catalog_managed_pooler(const char *provider);

#endif
