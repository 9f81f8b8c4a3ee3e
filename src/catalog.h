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

#endif
