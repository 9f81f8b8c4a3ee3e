/*
 * pq.h - libpq, loaded with dlopen the first time `observe` needs it.
 *
 * connbudget is not linked against libpq: its dependency tree (libssl,
 * libgssapi, libldap...) would cost every `check` several milliseconds of
 * start-up. Only `observe` calls pq_load, which opens libpq.so.5 once and
 * fills a table of the few functions used. The types below are declared
 * here, with libpq's ABI (libpq-fe.h), so that not even the header is
 * needed to build; tests/check_observe.c compares them with libpq-fe.h
 * when it is installed.
 */
#ifndef CONNBUDGET_PQ_H
#define CONNBUDGET_PQ_H

/* libpq's opaque handles (the struct tags libpq-fe.h uses). */
struct pg_conn;
struct pg_result;

/* ConnStatusType: only the value observe tests. */
enum pq_conn_status {
	PQ_CONNECTION_OK = 0,
	PQ_CONNECTION_BAD = 1,
};

/* ExecStatusType: the values a read-only statement may end with. */
enum pq_exec_status {
	PQ_RES_EMPTY_QUERY = 0,
	PQ_RES_COMMAND_OK = 1,
	PQ_RES_TUPLES_OK = 2,
};

/* PQconninfoOption, field for field. */
struct pq_conninfo_option {
	char *keyword;
	char *envvar;
	char *compiled;
	char *val;
	char *label;
	char *dispchar;  /* "*": a password field */
	int dispsize;
};

/* The libpq functions observe uses, named after PQ<name>. */
struct pq_api {
	struct pg_conn *(*connectdb_params)(const char *const *keywords, const char *const *values,
					    int expand_dbname);
	enum pq_conn_status (*status)(const struct pg_conn *conn);
	char *(*error_message)(const struct pg_conn *conn);
	struct pg_result *(*exec)(struct pg_conn *conn, const char *query);
	enum pq_exec_status (*result_status)(const struct pg_result *res);
	char *(*result_error_message)(const struct pg_result *res);
	int (*ntuples)(const struct pg_result *res);
	int (*nfields)(const struct pg_result *res);
	char *(*fname)(const struct pg_result *res, int field);
	char *(*getvalue)(const struct pg_result *res, int row, int field);
	int (*getisnull)(const struct pg_result *res, int row, int field);
	void (*clear)(struct pg_result *res);
	void (*finish)(struct pg_conn *conn);
	struct pq_conninfo_option *(*conninfo_parse)(const char *conninfo, char **errmsg);
	void (*conninfo_free)(struct pq_conninfo_option *opts);
	void (*freemem)(void *p);
	int (*server_version)(const struct pg_conn *conn);
	const char *(*parameter_status)(const struct pg_conn *conn, const char *name);
};

/* The library pq_load opens; $CONNBUDGET_LIBPQ overrides it (tests). */
#define PQ_LIBRARY "libpq.so.5"

/*
 * Open libpq (once per process) and resolve every function of struct
 * pq_api. Returns the table, which lives until exit, or NULL with *err
 * (caller frees) saying that observe needs libpq and what dlopen said.
 */
const struct pq_api *pq_load(char **err);

#endif
