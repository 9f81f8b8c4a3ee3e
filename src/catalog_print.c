/*
 * catalog_print.c - `connbudget catalog [PROVIDER]`: the managed-provider
 * tables of catalog/PROVIDER.tsv as a person reads them (text), as
 * docs/providers.md shows them (markdown, which tools/gendocs.sh writes)
 * and as a program reads them (json). Each table lists its rows from the
 * smallest max_connections up and ends with the vendor pages its figures
 * come from, and the dates they were verified.
 */
#include "catalog_print.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "command.h"
#include "quote.h"
#include "util.h"

/* What a provider's names are, and what the catalog says of it, for the heading. */
static const struct provider_info {
	const char *name, *title, *unit;
} infos[] = {
	{ "aiven", "Aiven for PostgreSQL", "service plan" },
	{ "aurora", "Amazon Aurora PostgreSQL", "instance class" },
	{ "azure", "Azure Database for PostgreSQL flexible server", "SKU" },
	{ "digitalocean", "DigitalOcean Managed PostgreSQL", "node size" },
	{ "heroku", "Heroku Postgres", "plan" },
	{ "neon", "Neon", "compute size (CU)" },
	{ "rds", "Amazon RDS for PostgreSQL", "instance class" },
	{ "supabase", "Supabase", "compute size" },
};

static const struct provider_info *info_of(const char *provider)
{
	static const struct provider_info unknown = { NULL, NULL, "instance" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(infos); i++)
		if (strcmp(infos[i].name, provider) == 0)
			return &infos[i];
	return &unknown;
}

static int by_size(const void *a, const void *b)
{
	const struct catalog_row *x = *(const struct catalog_row *const *)a, *y = *(const struct catalog_row *const *)b;

	if (x->max_connections != y->max_connections)
		return x->max_connections < y->max_connections ? -1 : 1;
	if (x->memory_gb != y->memory_gb)
		return x->memory_gb < y->memory_gb ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The rows of provider, smallest first; *n of them (the caller frees the array). */
static const struct catalog_row **rows_of(const char *provider, size_t *n)
{
	const struct catalog_row **v = xcalloc(catalog_row_count + 1, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < catalog_row_count; i++)
		if (strcmp(catalog_rows[i].provider, provider) == 0)
			v[(*n)++] = &catalog_rows[i];
	qsort(v, *n, sizeof(*v), by_size);
	return v;
}

/* Each distinct (source, verified) of the rows, in the order first met. */
static void put_sources(struct sbuf *b, const struct catalog_row **v, size_t n, bool md)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(v[k]->source, v[i]->source) == 0 && strcmp(v[k]->verified, v[i]->verified) == 0)
				break;
		if (k < i)
			continue;
		if (md)
			sbuf_printf(b, "Source: <%s>, verified %s.\n", v[i]->source, v[i]->verified);
		else
			sbuf_printf(b, "  source: %s (verified %s)\n", v[i]->source, v[i]->verified);
	}
}

static void put_gb(struct sbuf *b, double gb)
{
	if (gb == (double)(uint64_t)gb)
		sbuf_printf(b, "%llu", (unsigned long long)gb);
	else
		sbuf_printf(b, "%g", gb);
}

/* The provider's pooler for `type: managed` (catalog.h), when it has a row. */
static void put_managed(struct sbuf *b, const char *provider, bool md)
{
	const struct managed_pooler *m = catalog_managed_pooler(provider);

	if (!m)
		return;
	sbuf_puts(b, md ? "\nManaged pooler (`type: managed`): " : "  managed pooler (type: managed): ");
	if (m->missing) {
		sbuf_printf(b, "not shipped: the documentation gives no %s for %s; use %stype: %s%s with "
			    "its figures.\n", m->missing, m->service, md ? "`" : "", m->type, md ? "`" : "");
	} else {
		sbuf_printf(b, "%s, default_pool_size ", m->service);
		if (m->pool_percent)
			sbuf_printf(b, "%u%% of max_connections (rounded down)", m->pool_percent);
		else
			sbuf_printf(b, "%llu", (unsigned long long)m->pool_size);
		sbuf_printf(b, ", max_client_conn %llu, %s mode, port %llu%s%s%s.\n",
			    (unsigned long long)m->max_client_conn, m->pool_mode, (unsigned long long)m->port,
			    m->unavailable ? "; none on the " : "", m->unavailable ? m->unavailable : "",
			    m->unavailable ? " tier" : "");
	}
	if (md)
		sbuf_printf(b, "Source: <%s>, verified %s.\n", m->source, m->verified);
	else
		sbuf_printf(b, "  source: %s (verified %s)\n", m->source, m->verified);
}

static void text_table(struct sbuf *b, const char *provider)
{
	const struct provider_info *in = info_of(provider);
	size_t n, i, w = strlen(in->unit);
	const struct catalog_row **v = rows_of(provider, &n);

	for (i = 0; i < n; i++)
		if (strlen(v[i]->name) > w)
			w = strlen(v[i]->name);
	sbuf_printf(b, "%s (%s): %zu rows\n", in->title ? in->title : provider, provider, n);
	sbuf_printf(b, "  %-*s  max_connections  reserved  memory_gb  note\n", (int)w, in->unit);
	for (i = 0; i < n; i++) {
		struct sbuf gb = { 0 };
		put_gb(&gb, v[i]->memory_gb);
		sbuf_printf(b, "  %-*s  %15llu  %8llu  %9s  %s\n", (int)w, v[i]->name,
			    (unsigned long long)v[i]->max_connections, (unsigned long long)v[i]->reserved, gb.s,
			    v[i]->note);
		sbuf_release(&gb);
	}
	put_sources(b, v, n, false);
	put_managed(b, provider, false);
	free(v);
}

static void markdown_table(struct sbuf *b, const char *provider)
{
	const struct provider_info *in = info_of(provider);
	size_t n, i;
	const struct catalog_row **v = rows_of(provider, &n);

	sbuf_printf(b, "## %s (`provider: %s`)\n\n", in->title ? in->title : provider, provider);
	sbuf_printf(b, "| %s | max_connections | reserved | memory_gb | note |\n|---|--:|--:|--:|---|\n", in->unit);
	for (i = 0; i < n; i++) {
		sbuf_printf(b, "| `%s` | %llu | %llu | ", v[i]->name, (unsigned long long)v[i]->max_connections,
			    (unsigned long long)v[i]->reserved);
		put_gb(b, v[i]->memory_gb);
		sbuf_puts(b, " | ");
		quote_markdown(b, v[i]->note);
		sbuf_puts(b, " |\n");
	}
	sbuf_putc(b, '\n');
	put_sources(b, v, n, true);
	put_managed(b, provider, true);
	free(v);
}

/* "lo to hi", or one figure when they are the same. */
static void put_range(struct sbuf *b, uint64_t lo, uint64_t hi)
{
	if (lo == hi)
		sbuf_printf(b, "%llu", (unsigned long long)lo);
	else
		sbuf_printf(b, "%llu to %llu", (unsigned long long)lo, (unsigned long long)hi);
}

/* One line per provider: its rows, their range, what it reserves, its page. */
static void markdown_summary(struct sbuf *b)
{
	size_t i, k, n;

	sbuf_puts(b, "| provider | service | rows | max_connections | reserved | source |\n|---|---|--:|--:|--:|---|\n");
	for (i = 0; i < catalog_provider_count; i++) {
		const char *p = catalog_providers[i];
		const struct catalog_row **v = rows_of(p, &n);
		const struct provider_info *in = info_of(p);
		uint64_t rlo = UINT64_MAX, rhi = 0;

		for (k = 0; k < n; k++) {
			rlo = v[k]->reserved < rlo ? v[k]->reserved : rlo;
			rhi = v[k]->reserved > rhi ? v[k]->reserved : rhi;
		}
		if (n == 0) {
			free(v);
			continue;
		}
		sbuf_printf(b, "| `%s` | %s | %zu | ", p, in->title ? in->title : p, n);
		put_range(b, v[0]->max_connections, v[n - 1]->max_connections);
		sbuf_puts(b, " | ");
		put_range(b, rlo, rhi);
		sbuf_printf(b, " | <%s> |\n", v[0]->source);
		free(v);
	}
}

static void json_rows(struct sbuf *b, const char *only)
{
	cJSON *all = cJSON_CreateArray();
	char *text;
	size_t i;

	for (i = 0; i < catalog_row_count; i++) {
		const struct catalog_row *r = &catalog_rows[i];
		cJSON *o;

		if (only && strcmp(r->provider, only) != 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "provider", r->provider);
		cJSON_AddStringToObject(o, "name", r->name);
		cJSON_AddNumberToObject(o, "max_connections", (double)r->max_connections);
		cJSON_AddNumberToObject(o, "reserved", (double)r->reserved);
		cJSON_AddNumberToObject(o, "memory_gb", r->memory_gb);
		cJSON_AddStringToObject(o, "source", r->source);
		cJSON_AddStringToObject(o, "verified", r->verified);
		cJSON_AddStringToObject(o, "note", r->note);
		cJSON_AddItemToArray(all, o);
	}
	text = cJSON_Print(all);
	if (!text) {
		fputs("connbudget: out of memory\n", stderr);
		exit(2);
	}
	sbuf_puts(b, text);
	sbuf_putc(b, '\n');
	free(text);
	cJSON_Delete(all);
}

/* "azure, neon, rds" */
static char *provider_list(void)
{
	struct sbuf b = { 0 };
	size_t i;

	for (i = 0; i < catalog_provider_count; i++)
		sbuf_cat_more(&b, i ? ", " : "", catalog_providers[i], (const char *)NULL);
	return sbuf_detach(&b);
}

int command_catalog(struct options *o)
{
	const char *only = o->nargs ? o->args[0] : NULL;
	struct sbuf b = { 0 };
	size_t i;
	int rc;

	if (o->nargs > 1) {
		fprintf(stderr, "connbudget: error: catalog takes at most one PROVIDER\n");
		return EXIT_ERROR;
	}
	if (only && !catalog_has_provider(only)) {
		const char *near = closest_word(only, catalog_providers, catalog_provider_count);
		char *list = provider_list();

		if (near)
			quote_fprintf(stderr, "connbudget: error: unknown provider \"%s\", did you mean \"%s\"? (%s)",
				      str_clip(only), near, list);
		else
			quote_fprintf(stderr, "connbudget: error: unknown provider \"%s\" (the catalog has %s)",
				      str_clip(only), list);
		free(list);
		return EXIT_ERROR;
	}
	if (o->format_given && o->format == REPORT_JSON) {
		json_rows(&b, only);
	} else if (o->format_given && o->format == REPORT_MARKDOWN) {
		if (!only)
			markdown_summary(&b);
		for (i = 0; i < catalog_provider_count; i++)
			if (!only || strcmp(only, catalog_providers[i]) == 0) {
				if (b.len)
					sbuf_putc(&b, '\n');
				markdown_table(&b, catalog_providers[i]);
			}
	} else if (o->format_given && o->format != REPORT_TEXT) {
		fprintf(stderr, "connbudget: error: catalog writes --format text, markdown or json\n");
		return EXIT_ERROR;
	} else {
		for (i = 0; i < catalog_provider_count; i++)
			if (!only || strcmp(only, catalog_providers[i]) == 0) {
				if (b.len)
					sbuf_putc(&b, '\n');
				text_table(&b, catalog_providers[i]);
			}
	}
	rc = command_write_text(o, b.s ? b.s : "");
	sbuf_release(&b);
	return rc;
}
