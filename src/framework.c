/*
 * framework.c - the framework defaults table (docs/model.md).
 *
 * Each row cites where the library documents the default. Explicit pool.*
 * values always win; each field is filled separately.
 */
#include "framework.h"

#include <string.h>

#include "util.h"

const struct framework framework_table[] = {
	/* node-postgres pg.Pool: max = 10, connectionTimeoutMillis = 0 (wait forever).
	 * https://node-postgres.com/apis/pool */
	{ "node-postgres", FW_SIZE_FIXED, 10, 0, FW_TIMEOUT_NONE, 0,
	  "node-postgres pg.Pool: max 10, connectionTimeoutMillis 0 (no timeout)" },
	/* Prisma ORM <= 6: connection_limit = num_physical_cpus * 2 + 1, pool_timeout = 10 s.
	 * https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool */
	{ "prisma", FW_SIZE_CPUS_2X_1, 0, 0, FW_TIMEOUT_MS, 10000,
	  "Prisma ORM <= 6: connection_limit = num_physical_cpus x 2 + 1, pool_timeout 10 s" },
	/* Prisma ORM 7 moved pooling to the driver adapter (@prisma/adapter-pg → pg.Pool). */
	{ "prisma-7", FW_SIZE_FIXED, 10, 0, FW_TIMEOUT_NONE, 0,
	  "Prisma ORM 7: the driver adapter's pg.Pool (max 10, no acquire timeout)" },
	/* HikariCP HikariConfig.java: maximumPoolSize 10, connectionTimeout 30 000 ms. */
	{ "hikaricp", FW_SIZE_FIXED, 10, 0, FW_TIMEOUT_MS, 30000,
	  "HikariCP HikariConfig: maximumPoolSize 10, connectionTimeout 30 s" },
	/* SQLAlchemy pool/impl.py QueuePool: pool_size 5, max_overflow 10, timeout 30 s. */
	{ "sqlalchemy", FW_SIZE_FIXED, 5, 10, FW_TIMEOUT_MS, 30000,
	  "SQLAlchemy QueuePool: pool_size 5, max_overflow 10, pool_timeout 30 s" },
	/* Django without a pool: one persistent connection per thread (CONN_MAX_AGE). */
	{ "django", FW_SIZE_THREADS, 1, 0, FW_TIMEOUT_NA, 0,
	  "Django: one connection per thread, no pool to wait on" },
	/* Django >= 5.1 OPTIONS["pool"]: psycopg_pool ConnectionPool defaults, timeout 30 s. */
	{ "django-pool", FW_SIZE_FIXED, 4, 0, FW_TIMEOUT_MS, 30000,
	  "Django >= 5.1 OPTIONS[\"pool\"]: psycopg_pool min_size 4 = max_size, timeout 30 s" },
	/* Rails database.yml: pool ENV.fetch("RAILS_MAX_THREADS") { 5 }, checkout_timeout 5 s.
	 * (Rails 8.1 names the key max_connections.) */
	{ "rails", FW_SIZE_FIXED, 5, 0, FW_TIMEOUT_MS, 5000,
	  "Rails database.yml: pool RAILS_MAX_THREADS or 5, checkout_timeout 5 s" },
	/* Go database/sql: SetMaxOpenConns default 0 = unlimited. */
	{ "go-database-sql", FW_SIZE_UNBOUNDED, 0, 0, FW_TIMEOUT_NONE, 0,
	  "Go database/sql: MaxOpenConns 0 = unlimited, no acquire timeout" },
	/* pgx pgxpool/pool.go: MaxConns default max(4, runtime.NumCPU()). */
	{ "pgxpool", FW_SIZE_MAX_4_CPUS, 4, 0, FW_TIMEOUT_NONE, 0,
	  "pgx pgxpool: MaxConns max(4, runtime.NumCPU()), context deadline only" },
	/* psycopg_pool ConnectionPool(min_size=4, max_size=None → min_size), timeout 30 s. */
	{ "psycopg-pool", FW_SIZE_FIXED, 4, 0, FW_TIMEOUT_MS, 30000,
	  "psycopg_pool ConnectionPool: min_size 4, max_size = min_size, timeout 30 s" },
	/* asyncpg create_pool(min_size=10, max_size=10); acquire() waits without timeout. */
	{ "asyncpg", FW_SIZE_FIXED, 10, 0, FW_TIMEOUT_NONE, 0,
	  "asyncpg create_pool: max_size 10, acquire timeout None" },
	/* knex lib/client.js: pool {min: 2, max: 10}, acquireConnectionTimeout 60 000 ms. */
	{ "knex", FW_SIZE_FIXED, 10, 0, FW_TIMEOUT_MS, 60000,
	  "knex: pool max 10, acquireConnectionTimeout 60 s" },
	/* Sequelize: pool.max 5, pool.acquire 60 000 ms. */
	{ "sequelize", FW_SIZE_FIXED, 5, 0, FW_TIMEOUT_MS, 60000,
	  "Sequelize: pool.max 5, pool.acquire 60 s" },
	/* TypeORM's postgres driver hands pooling to pg.Pool (max 10, no timeout). */
	{ "typeorm", FW_SIZE_FIXED, 10, 0, FW_TIMEOUT_NONE, 0,
	  "TypeORM postgres driver: pg.Pool max 10, no acquire timeout" },
	/* Npgsql connection string: Max Pool Size 100, Timeout 15 s. */
	{ "npgsql", FW_SIZE_FIXED, 100, 0, FW_TIMEOUT_MS, 15000,
	  "Npgsql: Max Pool Size 100, Timeout 15 s" },
};

const size_t framework_count = ARRAY_LEN(framework_table);

const struct framework *framework_find(const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < framework_count; i++) {
		if (strcmp(framework_table[i].name, name) == 0) {
			if (index)
				*index = i;
			return &framework_table[i];
		}
	}
	return NULL;
}

const char *framework_suggest(const char *name)
{
	const char *names[ARRAY_LEN(framework_table)];
	size_t i;

	for (i = 0; i < framework_count; i++)
		names[i] = framework_table[i].name;
	return closest_word(name, names, framework_count);
}

bool framework_needs_cpus(const struct framework *f)
{
	return f->size_kind == FW_SIZE_CPUS_2X_1 || f->size_kind == FW_SIZE_MAX_4_CPUS;
}
