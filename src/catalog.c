/*
 * catalog.c - the managed-provider table (catalog.h), generated from
 * catalog/PROVIDER.tsv at build time.
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CATALOG_ROW(p, n, mc, r, gb, cm, src, ver, note) { p, n, mc, r, gb, cm, src, ver, note },
const struct catalog_row catalog_rows[] = {
#include "catalog_all.h"
};
#undef CATALOG_ROW

const size_t catalog_row_count = ARRAY_LEN(catalog_rows);

#define CATALOG_PROVIDER(p) p,
const char *const catalog_providers[] = {
#include "catalog_providers.h"
};
#undef CATALOG_PROVIDER

const size_t catalog_provider_count = ARRAY_LEN(catalog_providers);

/*
 * The poolers the providers run (catalog.h), verified 2026-12-03:
 * - neon: Neon's "Connection pooling" page: PgBouncer in transaction mode,
 *   up to 10,000 client connections (max_client_conn), pools per user and
 *   database sized at 90% of the compute's max_connections
 *   (default_pool_size), on the compute's port 5432 (the -pooler host),
 *   https://neon.com/docs/connect/connection-pooling
 * - azure: "PgBouncer in Azure Database for PostgreSQL flexible server":
 *   pgbouncer.default_pool_size 50, pgbouncer.max_client_conn 5000, on
 *   port 6432 of the server; supported on the General Purpose and Memory
 *   Optimized tiers only, not on Burstable,
 *   https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-pgbouncer
 *   and pgbouncer.pool_mode TRANSACTION by default (Microsoft's "PgBouncer
 *   Best Practices in Azure Database for PostgreSQL - Part 1", Azure PgBouncer
 *   defaults)
 * - supabase: the compute sizes' Supavisor client limits are on
 *   https://supabase.com/docs/guides/platform/compute-and-disk, but no
 *   default pool size per compute size is: not shipped.
 * In provider order (strcmp).
 */
const struct managed_pooler catalog_managed_poolers[] = {
	{ "azure", "Azure's built-in PgBouncer", "pgbouncer", 0, 50, 5000, "transaction", 6432, "Burstable",
	  "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-pgbouncer", "2026-12-03",
	  NULL },
	{ "neon", "Neon's PgBouncer", "pgbouncer", 90, 0, 10000, "transaction", 5432, NULL,
	  "https://neon.com/docs/connect/connection-pooling", "2026-12-03", NULL },
	{ "supabase", "Supavisor", "supavisor", 0, 0, 0, "transaction", 6543, NULL,
	  "https://supabase.com/docs/guides/platform/compute-and-disk", "2026-12-03",
	  "default pool size per compute size" },
};
const size_t catalog_managed_pooler_count = ARRAY_LEN(catalog_managed_poolers);

const struct managed_pooler *catalog_managed_pooler(const char *provider)
{
	size_t i;

	if (!provider)
		provider = CATALOG_DEFAULT_PROVIDER;
	for (i = 0; i < catalog_managed_pooler_count; i++)
		if (strcmp(catalog_managed_poolers[i].provider, provider) == 0)
			return &catalog_managed_poolers[i];
	return NULL;
}

int catalog_has_provider(const char *provider)
{
	size_t i;

	for (i = 0; i < catalog_provider_count; i++)
		if (strcmp(catalog_providers[i], provider) == 0)
			return 1;
	return 0;
}

/* The first and one-past-last rows of provider in *lo, *hi. */
static void provider_range(const char *provider, size_t *lo, size_t *hi)
{
	size_t i = 0;

	if (!provider)
		provider = CATALOG_DEFAULT_PROVIDER;
	while (i < catalog_row_count && strcmp(catalog_rows[i].provider, provider) != 0)
		i++;
	*lo = i;
	while (i < catalog_row_count && strcmp(catalog_rows[i].provider, provider) == 0)
		i++;
	*hi = i;
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct catalog_row *)elem)->name);
}

const struct catalog_row *catalog_find(const char *provider, const char *name)
{
	size_t lo, hi;

	provider_range(provider, &lo, &hi);
	if (lo == hi)
		return NULL;
	return bsearch(name, catalog_rows + lo, hi - lo, sizeof(catalog_rows[0]), cmp_name);
}

const char *catalog_suggest(const char *provider, const char *name)
{
	const char **names;
	const char *best;
	size_t lo, hi, i;

	provider_range(provider, &lo, &hi);
	if (lo == hi)
		return NULL;
	names = xmalloc((hi - lo) * sizeof(*names));
	for (i = lo; i < hi; i++)
		names[i - lo] = catalog_rows[i].name;
	best = closest_word(name, names, hi - lo);
	free(names);
	return best;
}
