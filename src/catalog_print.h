/*
 * catalog_print.h - `connbudget catalog [PROVIDER]` (docs/providers.md).
 */
#ifndef CONNBUDGET_CATALOG_PRINT_H
#define CONNBUDGET_CATALOG_PRINT_H

struct options;

/*
 * Print every provider's table (or PROVIDER's) with its sources: --format
 * text (default), markdown (docs/providers.md) or json. An unknown
 * provider is exit 2 with the closest name.
 */
int command_catalog(struct options *o);

#endif
