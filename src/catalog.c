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
