/*
 * budget.h - model → figures (docs/model.md): per client steady/peak, per pooler
 * cap and server side, per database capacity, budget, optimum, demand.
 *
 * Defaults (framework table, PostgreSQL's, PgBouncer's) are derived here, so
 * every other stage reads the effective values from these structs and never
 * recomputes a figure.
 */
#ifndef CONNBUDGET_BUDGET_H
#define CONNBUDGET_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Documented defaults, each with its source. */
enum {
	PG_DEFAULT_PORT = 5432,                   /* PostgreSQL port */
	PG_DEFAULT_SUPERUSER_RESERVED = 3,        /* superuser_reserved_connections */
	PG_DEFAULT_RESERVED = 0,                  /* reserved_connections (PostgreSQL 16+) */
	CB_DEFAULT_HEADROOM = 10,                 /* connbudget: kept free for admin/monitoring */
	PGBOUNCER_DEFAULT_PORT = 6432,            /* PgBouncer listen_port */
	PGBOUNCER_DEFAULT_POOL_SIZE = 20,         /* default_pool_size */
	PGBOUNCER_DEFAULT_RESERVE_POOL = 0,       /* reserve_pool_size */
	PGBOUNCER_DEFAULT_MAX_CLIENT_CONN = 100,  /* max_client_conn */
	PGBOUNCER_DEFAULT_MAX_DB_CONNECTIONS = 0, /* max_db_connections: 0 = unlimited */
	PGBOUNCER_DEFAULT_MAX_USER_CONNECTIONS = 0, /* max_user_connections: 0 = unlimited */
	/* Pools one pooler may have (entries x users): a bound on the work of
	 * its max-flow, far above any real file */
	BUDGET_MAX_POOLS = 65536,
	RDS_PROXY_DEFAULT_MAX_CONN_PERCENT = 100, /* MaxConnectionsPercent */
	/* pgpool-II 4.3: num_init_children 32 (range 1 .. INT_MAX) and
	 * max_pool 4 (0 .. INT_MAX), as src/config/pool_config_variables.c
	 * declares them; doc/src/sgml/connection-pooling.sgml (max_pool): "the
	 * number of connections from Pgpool-II processes to the backends may
	 * reach num_init_children * max_pool in total"; connection-settings.sgml
	 * (num_init_children): "also the concurrent connections limit to
	 * Pgpool-II from clients" */
	PGPOOL_DEFAULT_NUM_INIT_CHILDREN = 32,
	PGPOOL_DEFAULT_MAX_POOL = 4,
	PGPOOL_DEFAULT_PORT = 9999,               /* pgpool.conf.sample: port = 9999 */
	SUPAVISOR_TRANSACTION_PORT = 6543,        /* Supabase: the pooler's transaction-mode port */
	/* PgCat's CONFIG.md, pools.<pool_name>.pool_mode: default "transaction"
	 * (config.rs, Pool::default_pool_mode) */
	PGCAT_DEFAULT_POOL_MODE = POOL_TRANSACTION,
	LAMBDA_DEFAULT_CONCURRENCY = 1000,        /* AWS account concurrency limit */
};

/* A pair of connection counts; when unbounded, steady/peak are meaningless. */
struct amount {
	uint64_t steady, peak;
	bool unbounded;
	/* docs/sources.md "Unknown pool size" (CB020): unknown, a client whose pool
	 * size nothing gives (figures 0, reported null); lower_bound, a sum with
	 * such a client in it that no cap binds (the figures may be larger) */
	bool unknown, lower_bound;
};

struct client_fig {
	/* effective pool, after framework defaults */
	uint64_t pool_size, pool_overflow, pool_count, extra;
	bool pool_unbounded;        /* CB010: no upper bound */
	bool pool_unknown;          /* CB020: a workload's pool size nothing gives (model_pool_unknown) */
	bool has_acquire_timeout;   /* YAML or framework default */
	bool acquire_timeout_na;    /* the framework has no pool to wait on (django) */
	uint64_t acquire_timeout_ms;
	uint64_t per_pool;          /* size + overflow: the most one pool opens */
	uint64_t per_process;       /* pool.count × (size + overflow) + extra */
	/* instances */
	uint64_t replicas, max_replicas, surge, processes, peak_instances;
	uint64_t concurrency, max_concurrency; /* serverless */
	bool concurrency_assumed;   /* CB016: no max_concurrency, 1000 assumed */
	/* Little's law (load): connections in flight */
	bool has_needed;
	uint64_t needed;
	struct amount conn;         /* what the client opens (to its pooler or database) */
	size_t database;            /* the database its connections end at */
};

/*
 * One PgBouncer pool: a (database entry, user) pair (docs/poolers.md). The
 * figures are over all instances of the pooler.
 */
struct pool_fig {
	const char *entry;          /* the [databases] entry, or the database id without a file */
	const char *user;           /* NULL: the one user the topology leaves unnamed */
	uint64_t size, reserve;     /* effective pool_size and reserve_pool_size */
	enum pool_mode mode;
	bool unbounded;             /* size 0: no limit (PgBouncer >= 1.24) */
	struct pos size_pos;        /* where the size was set; line 0 for the default */
	uint64_t cap;               /* instances x (size + reserve); 0 when unbounded */
	struct amount demand;       /* the clients known to use this pool */
	struct amount server;       /* min(cap, demand) */
};

struct pooler_fig {
	uint64_t cap;               /* server connections it can open */
	struct amount client_demand;
	bool has_client_limit;      /* pgbouncer */
	uint64_t client_limit;      /* instances × max_client_conn */
	struct amount server;       /* min(cap, client demand) */
	/* effective settings */
	/* instances: the peak (a rolling deploy of a from: pooler: max_replicas + surge,
	 * docs/sources.md), which caps count at; instances_steady: client_limit's */
	uint64_t instances_steady, cap_steady;
	uint64_t instances, default_pool_size, reserve_pool_size, max_client_conn,
		max_db_connections, max_connections_percent, users;
	uint64_t num_init_children, max_pool, reserved_connections; /* pgpool */
	enum pool_mode pool_mode;
	size_t *clients;            /* the clients behind it (topology indices), in file order */
	size_t nclients;
	/* the poolers in front of it (docs/poolers.md "A pooler in front of a
	 * pooler"), in file order: their server side is part of its client_demand */
	size_t *outer;
	size_t nouter;
	size_t *outer_pool;         /* pgbouncer: parallel to outer, as client_pool */
	size_t at_inner;            /* in front of a pooler: its place in that one's outer */
	/* pgbouncer: its pools, and which one each client fills */
	struct pool_fig *pools;
	size_t npools;
	size_t *client_pool;        /* parallel to clients: index into pools, or SIZE_MAX (cannot be told) */
	struct amount untold;       /* the demand of clients whose pool cannot be told */
	bool cap_unbounded;         /* a pool without limit and no entry or user limit: CB010 */
	struct pos unbounded_pos;   /* the setting that made it so */
	uint64_t max_user_connections; /* [pgbouncer], 0 = unlimited */
	char **names;               /* the user names of pools that come from urls (owned) */
	size_t nnames;
};

enum contrib_kind { CONTRIB_CLIENT, CONTRIB_POOLER };

struct contrib {
	enum contrib_kind kind;
	size_t index;               /* into topology clients or poolers */
};

struct db_fig {
	uint64_t max_connections, superuser_reserved, reserved, headroom;
	uint64_t capacity;          /* max − superuser_reserved − reserved */
	uint64_t budget;            /* min(capacity, max − headroom) */
	bool has_optimum;
	uint64_t optimum;           /* cores × 2 + spindles */
	struct amount demand;       /* Σ direct clients + Σ server side of the poolers on it */
	double utilization;         /* demand.peak / max_connections (unbounded: 0) */
	struct contrib *contrib;    /* direct clients and the poolers on it (not those in front of them), in file order */
	size_t ncontrib;
};

/* What one client opens, as the budget keeps it (budget_conn). */
struct client_conn {
	uint64_t steady, peak;      /* both 0 when unbounded */
};

/*
 * The figures of a topology. A client's are not kept whole (there may be a
 * hundred thousand clients, 168 bytes each): only what it opens, which
 * every sum is built from, in 16 bytes and a flag (budget_conn);
 * budget_client derives the rest again.
 */
struct budget {
	const struct topology *topo;
	struct client_conn *conn;   /* per client: client_fig.conn without its flag */
	bool *conn_unbounded;       /* per client: client_fig.conn.unbounded */
	bool *conn_unknown;         /* per client: client_fig.conn.unknown (CB020) */
	struct pooler_fig *poolers;
	struct db_fig *dbs;
	/* spike factor in hundredths applied to load.hold (100 = none; plan --spike) */
	uint64_t spike_pct;
};

/* The port pooler p listens on: its own port, else its type's default. */
uint64_t budget_pooler_port(const struct pooler *p);

/*
 * Compute every figure of t into b (spike_pct 100 = no spike). Returns 0, or
 * -1 with *err "file:line:col: error: ..." when a product overflows 64 bits.
 * b owns its arrays: release with budget_release (accepts an unfilled b).
 */
int budget_compute(const struct topology *t, uint64_t spike_pct, struct budget *b, char **err);
void budget_release(struct budget *b);
/*
 * The figures of client i of b's topology, derived again from the model
 * exactly as budget_compute derived them (which cannot fail now that it
 * succeeded). The model must not have changed since: plan, which edits
 * it, keeps what it needs of a baseline before editing. Returns f.
 */
const struct client_fig *budget_client(const struct budget *b, size_t i, struct client_fig *f);
/*
 * The pool mode client i meets at its pooler: its pool's, or, when its
 * pool cannot be told, the strictest of the pooler's pools (statement over
 * transaction over session). Only for a client behind a pooler.
 */
enum pool_mode budget_client_mode(const struct budget *b, size_t i);
/* The same for pooler outer, in front of pooler inner: the mode its connections meet there. */
enum pool_mode budget_outer_mode(const struct budget *b, size_t inner, size_t outer);
/* What client i opens: client_fig.conn, without deriving the rest. */
static inline struct amount budget_conn(const struct budget *b, size_t i)
{
	struct amount a = { b->conn[i].steady, b->conn[i].peak, b->conn_unbounded[i], b->conn_unknown[i],
			    false };
	return a;
}

/*
 * What clients[0..n) of b's topology open together: the sum of their
 * budget_conn, unbounded when any is (steady and peak 0 then). The clients
 * must share one target (a pooler, or a database they reach directly),
 * whose sum budget_compute already checked: a part of it cannot overflow.
 */
struct amount budget_conn_sum(const struct budget *b, const size_t *clients, size_t n);

#endif
