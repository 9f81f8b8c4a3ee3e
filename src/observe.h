/*
 * observe.h - the topology against a live PostgreSQL and PgBouncer
 * (docs/observe.md): live facts in, findings CB101–CB106 and the JSON "observed"
 * object out.
 *
 * Three stages, as the rest of the program: observe_fetch_* talk to the
 * servers through libpq (pq.h, loaded on first use) with read-only
 * statements and fill a struct observed; observe_findings holds it against
 * the topology's effective figures (struct budget) and appends findings;
 * observe_json writes it, and observe_section hands it to the report as a
 * section the reporters print as it is. Only the first stage needs a
 * server, so the other two are tested on hand-made facts.
 */
#ifndef CONNBUDGET_OBSERVE_H
#define CONNBUDGET_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "model.h"
#include "rules.h"

enum {
	/* --timeout default: the whole run, connecting and every query */
	OBSERVE_TIMEOUT_MS = 10 * 1000,
	/* --timeout at most an hour */
	OBSERVE_TIMEOUT_MAX_MS = 60 * 60 * 1000,
	/* --idle-threshold default: 5 min (docs/observe.md CB104) */
	OBSERVE_IDLE_THRESHOLD_MS = 5 * 60 * 1000,
	/* CB106 fires above this share of max_connections (docs/observe.md) */
	OBSERVE_UTILIZATION_PCT = 80,
	/* idle_in_transaction_session_timeout when postgresql.conf leaves it: 0, disabled */
	PG_DEFAULT_IDLE_IN_TX_TIMEOUT_MS = 0,
};

/* A setting read from a server; present is false when the server has no such setting. */
struct observed_value {
	bool present;
	uint64_t v;
};

/*
 * One client backend of pg_stat_activity (not observe's own). Strings are
 * "" when NULL. A role without pg_read_all_stats (pg_monitor) sees other
 * users' sessions with application_name and user but no state: hidden.
 */
struct observed_session {
	char *application_name;
	char *user;
	char *state;
	bool has_age;
	uint64_t state_age_ms;  /* now() - state_change */
	bool hidden;
};

/* One line of a by_* count; key points into the sessions. */
struct observed_count {
	const char *key;
	uint64_t n;
};

/* A PgBouncer pool (SHOW POOLS): one per database and user. */
struct observed_pool {
	char *database, *user;
	char *pool_mode;        /* NULL when the version does not show it */
	uint64_t cl_active, cl_waiting, sv_active, sv_idle;
};

/* A PgBouncer database entry (SHOW DATABASES), effective values. */
struct observed_bouncer_db {
	char *name;
	struct observed_value pool_size, reserve_pool, max_connections;
	char *pool_mode;        /* NULL or "" when the entry does not override it */
};

struct observed_pgbouncer {
	bool present;           /* --pgbouncer was given and read */
	size_t pooler;          /* index into the topology's poolers */
	const char *pooler_id;  /* the topology's string */
	char *version;          /* the admin console's server_version */
	/* SHOW CONFIG */
	char *pool_mode;        /* NULL when absent */
	struct observed_value default_pool_size, reserve_pool_size, max_client_conn,
		max_db_connections;
	struct observed_pool *pools;
	size_t npools;
	struct observed_bouncer_db *dbs;
	size_t ndbs;
};

/*
 * What observe saw. Strings are owned (observe_release frees them) except
 * the ids and count keys, which point into the topology and the sessions.
 */
struct observed {
	size_t database;        /* index into the topology's databases */
	const char *database_id;
	char *server_version;   /* server_version, e.g. "15.8 (Debian 15.8-0+deb12u1)" */
	int server_version_num; /* PQserverVersion, e.g. 150008 */
	struct observed_value max_connections, superuser_reserved_connections,
		reserved_connections, idle_in_transaction_session_timeout; /* the last in ms */
	struct observed_session *sessions;
	size_t nsessions;
	size_t nhidden;         /* sessions whose state the role may not see */
	uint64_t idle_threshold_ms; /* CB104's --idle-threshold */
	uint64_t timeout_ms;    /* --timeout */
	uint64_t deadline_ms;   /* when the run gives up, on pq_now_ms's clock */
	/* observe_summarize: sorted by key */
	struct observed_count *by_application, *by_user, *by_state;
	size_t napplication, nuser, nstate;
	struct observed_pgbouncer pgbouncer;
};

/*
 * Connect to dsn (anything libpq accepts) and read the server's settings
 * and client backends into o (whose database, database_id and
 * idle_threshold_ms, timeout_ms and deadline_ms the caller sets), giving
 * up at the deadline. Returns 0, or -1 with *err (caller frees):
 * libpq's message, with the DSN shown only with its password masked.
 */
int observe_fetch_postgres(const char *dsn, struct observed *o, char **err);

/*
 * Connect to PgBouncer's admin console at dsn (dbname defaults to
 * "pgbouncer") and read SHOW CONFIG, SHOW POOLS, SHOW DATABASES into
 * o->pgbouncer (whose pooler and pooler_id the caller sets). Returns 0, or
 * -1 with *err as above.
 */
int observe_fetch_pgbouncer(const char *dsn, struct observed *o, char **err);

/* Count the sessions by application_name, user and state. */
void observe_summarize(struct observed *o);

/*
 * Append findings CB101–CB106 about t (figures b) to f, honouring f->level
 * (LEVEL_OFF: none) and the objects' ignore lists, then sort f as rules_run
 * does. Call observe_summarize first.
 */
void observe_findings(const struct topology *t, const struct budget *b, const struct observed *o,
		      struct findings *f);

/*
 * Add "observed": {...} to cjson_parent (a cJSON object). Returns 0, or -1
 * when cJSON could not allocate (what was added stays attached to the parent).
 */
int observe_json(const struct observed *o, void *cjson_parent);

/*
 * The report's "observed" section of o (struct report_section): the JSON
 * object observe_json builds; the text report shows none. The caller
 * releases s with report_section_release.
 */
struct report_section;
void observe_section(const struct observed *o, struct report_section *s);

/*
 * Parse a duration as the topology writes them: integer milliseconds, or a
 * number and a unit (ms, s, min, h, d), a space allowed between. Returns
 * true and *ms, false when malformed or too large.
 */
bool observe_parse_duration(const char *s, uint64_t *ms);

/* Free what o owns; accepts a zeroed o. */
void observe_release(struct observed *o);

#endif
