/* pq.c - see pq.h. */
#include "pq.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Every symbol of struct pq_api and where its pointer goes. */
static const struct {
	const char *name;
	size_t off;
} pq_symbols[] = {
	{ "PQconnectdbParams", offsetof(struct pq_api, connectdb_params) },
	{ "PQstatus", offsetof(struct pq_api, status) },
	{ "PQerrorMessage", offsetof(struct pq_api, error_message) },
	{ "PQexec", offsetof(struct pq_api, exec) },
	{ "PQresultStatus", offsetof(struct pq_api, result_status) },
	{ "PQresultErrorMessage", offsetof(struct pq_api, result_error_message) },
	{ "PQntuples", offsetof(struct pq_api, ntuples) },
	{ "PQnfields", offsetof(struct pq_api, nfields) },
	{ "PQfname", offsetof(struct pq_api, fname) },
	{ "PQgetvalue", offsetof(struct pq_api, getvalue) },
	{ "PQgetisnull", offsetof(struct pq_api, getisnull) },
	{ "PQclear", offsetof(struct pq_api, clear) },
	{ "PQfinish", offsetof(struct pq_api, finish) },
	{ "PQconninfoParse", offsetof(struct pq_api, conninfo_parse) },
	{ "PQconninfoFree", offsetof(struct pq_api, conninfo_free) },
	{ "PQfreemem", offsetof(struct pq_api, freemem) },
	{ "PQserverVersion", offsetof(struct pq_api, server_version) },
	{ "PQparameterStatus", offsetof(struct pq_api, parameter_status) },
};

/* POSIX dlsym: a function pointer has the size and representation of void *. */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers fit in void *");
_Static_assert(sizeof(struct pq_api) == sizeof(pq_symbols) / sizeof(pq_symbols[0]) * sizeof(void *),
	       "every member of struct pq_api has a symbol");

static struct pq_api pq_table;
static void *pq_handle;

/*
 * The first call opens the library with RTLD_NOW (a missing symbol shows
 * here, not in the middle of a query) and fills pq_table; later calls
 * return it. The handle is never closed: libpq registers atexit handlers
 * of its own (OpenSSL's).
 */
const struct pq_api *pq_load(char **err)
{
	const char *lib = getenv("CONNBUDGET_LIBPQ");
	struct pq_api api;
	void *h;
	size_t i;

	if (pq_handle)
		return &pq_table;
	if (!lib || !*lib)
		lib = PQ_LIBRARY;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		*err = xasprintf("observe needs libpq (Debian package libpq5): %s",
				 why ? why : lib);
		return NULL;
	}
	memset(&api, 0, sizeof(api));
	for (i = 0; i < ARRAY_LEN(pq_symbols); i++) {
		void *sym = dlsym(h, pq_symbols[i].name);

		if (!sym) {
			*err = xasprintf("observe needs libpq (Debian package libpq5): "
					 "%s has no %s", lib, pq_symbols[i].name);
			dlclose(h);
			return NULL;
		}
		/* Copied, not cast: ISO C has no void * to function pointer conversion. */
		memcpy((char *)&api + pq_symbols[i].off, &sym, sizeof(sym));
	}
	pq_table = api;
	pq_handle = h;
	return &pq_table;
}
