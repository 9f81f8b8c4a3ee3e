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

#include <stdint.h>

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

/* PostgresPollingStatusType (PQconnectPoll). */
enum pq_polling_status {
	PQ_POLLING_FAILED = 0,
	PQ_POLLING_READING = 1,
	PQ_POLLING_WRITING = 2,
	PQ_POLLING_OK = 3,
};

struct pg_cancel;

/* PQnoticeProcessor. */
typedef void (*pq_notice_processor)(void *arg, const char *message);

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
	struct pg_conn *(*connect_start_params)(const char *const *keywords,
						const char *const *values, int expand_dbname);
	enum pq_polling_status (*connect_poll)(struct pg_conn *conn);
	int (*socket)(const struct pg_conn *conn);
	int (*setnonblocking)(struct pg_conn *conn, int arg);
	int (*send_query)(struct pg_conn *conn, const char *query);
	int (*flush)(struct pg_conn *conn);
	int (*consume_input)(struct pg_conn *conn);
	int (*is_busy)(struct pg_conn *conn);
	struct pg_result *(*get_result)(struct pg_conn *conn);
	struct pg_cancel *(*get_cancel)(struct pg_conn *conn);
	int (*cancel)(struct pg_cancel *cancel, char *errbuf, int errbufsize);
	void (*free_cancel)(struct pg_cancel *cancel);
	pq_notice_processor (*set_notice_processor)(struct pg_conn *conn, pq_notice_processor proc,
						    void *arg);
	enum pq_conn_status (*status)(const struct pg_conn *conn);
	char *(*error_message)(const struct pg_conn *conn);
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

/*
 * One connection whose every wait ends at a deadline. libpq's blocking
 * calls (PQconnectdb, PQexec) wait as long as the server does; a session
 * instead drives libpq's non-blocking state machines (PQconnectPoll,
 * PQsendQuery + PQconsumeInput) and poll(2)s the socket until the
 * deadline, then cancels what the server is doing and gives up.
 */
struct pq_session {
	const struct pq_api *pq;
	struct pg_conn *conn;
	uint64_t deadline_ms;   /* on pq_now_ms's clock */
	uint64_t timeout_ms;    /* the --timeout the deadline came from, for messages */
	char *notice;           /* the server's last notice or asynchronous error, or NULL */
};

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t pq_now_ms(void);

/*
 * Start connecting with keywords/values (NULL-terminated, as
 * PQconnectdbParams takes them) and wait until connected, the deadline, or
 * connect_ms from now (0: no such limit), whichever comes first. s->pq, deadline_ms and
 * timeout_ms are set by the caller. Returns 0, or -1 with *err (caller
 * frees): libpq's reason, or that the time ran out. s->conn is then NULL.
 */
int pq_session_connect(struct pq_session *s, const char *const *keywords,
		       const char *const *values, uint64_t connect_ms, char **err);

/*
 * Send sql and wait for all its results. Returns the last one (caller
 * PQclear-s it) when every result has status want, or NULL with *err
 * (caller frees): the server's error, with the last thing it said before
 * the connection ended when it did; or, past the deadline, that no answer
 * came, after the query was cancelled (PQcancel, waited for at most
 * PQ_CANCEL_WAIT_MS).
 */
struct pg_result *pq_session_query(struct pq_session *s, const char *sql,
				   enum pq_exec_status want, char **err);

/* Close the connection and free what s owns; accepts a session never connected. */
void pq_session_finish(struct pq_session *s);

enum {
	/* how long a cancel request may take before it is left behind */
	PQ_CANCEL_WAIT_MS = 1000,
};

#endif
