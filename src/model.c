/* model.c - names, indexes and the lifecycle of a topology. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

/*
 * The file names positions refer to, index 1 up (0 is "no file"), and
 * their index by name. Copies, kept until the process ends: a position
 * may outlive the topology it came from (a finding, an error message).
 */
static struct {
	char **names;
	size_t n, cap;
	struct strmap index;
} pos_files;

unsigned pos_file_id(const char *file)
{
	size_t id;
	char *copy;

	if (!file)
		return 0;
	if (strmap_get(&pos_files.index, file, &id))
		return (unsigned)id;
	if (pos_files.n > POS_FILE_FULL)
		return POS_FILE_FULL;
	if (pos_files.n == POS_FILE_FULL)
		file = "(more file names than the position table holds)";
	if (!pos_files.n) {
		xgrow(&pos_files.names, &pos_files.cap, 1, sizeof(*pos_files.names));
		pos_files.names[pos_files.n++] = NULL;
	}
	copy = xstrdup(file);
	xgrow(&pos_files.names, &pos_files.cap, pos_files.n + 1, sizeof(*pos_files.names));
	pos_files.names[pos_files.n] = copy;
	strmap_put(&pos_files.index, copy, pos_files.n, NULL);
	return (unsigned)pos_files.n++;
}

struct pos pos_make(const char *file, uint64_t line, uint64_t col)
{
	return pos_at(pos_file_id(file), line, col);
}

const char *pos_file(struct pos p)
{
	unsigned id = pos_file_index(p);

	return id && id < pos_files.n ? pos_files.names[id] : NULL;
}

const struct client_cold client_cold_none;

struct client_cold *client_cold_edit(struct arena *arena, struct client *c, bool copy)
{
	struct client_cold *fresh;

	if (c->cold && !copy)
		return c->cold;
	fresh = arena_alloc(arena, sizeof(*fresh));
	if (c->cold)
		memcpy(fresh, c->cold, sizeof(*fresh));
	c->cold = fresh;
	return fresh;
}

const char *client_type_name(enum client_type t)
{
	static const char *const names[] = { "service", "worker", "serverless", "job", "tool" };
	return names[t];
}

const char *pooler_type_name(enum pooler_type t)
{
	static const char *const names[] = { "pgbouncer", "rds_proxy", "pgpool", "pgcat", "odyssey", "supavisor", "managed" };
	return names[t];
}

const char *pool_mode_name(enum pool_mode m)
{
	static const char *const names[] = { "session", "transaction", "statement" };
	return names[m];
}

const char *feature_name(enum feature f)
{
	static const char *const names[FEATURE_COUNT] = {
		"listen_notify", "advisory_locks", "session_set",
		"prepared_statements", "temp_tables", "multi_statement_transactions",
	};
	return names[f];
}

void model_index(struct topology *t)
{
	size_t i;

	strmap_release(&t->db_index);
	strmap_release(&t->pooler_index);
	strmap_release(&t->client_index);
	for (i = 0; i < t->ndatabases; i++)
		strmap_put(&t->db_index, t->databases[i].id.s, i, NULL);
	for (i = 0; i < t->npoolers; i++)
		strmap_put(&t->pooler_index, t->poolers[i].id.s, i, NULL);
	for (i = 0; i < t->nclients; i++)
		strmap_put(&t->client_index, t->clients[i].id.s, i, NULL);
}

bool model_find_database(const struct topology *t, const char *id, size_t *index)
{
	return strmap_get(&t->db_index, id, index);
}

bool model_find_pooler(const struct topology *t, const char *id, size_t *index)
{
	return strmap_get(&t->pooler_index, id, index);
}

bool model_find_client(const struct topology *t, const char *id, size_t *index)
{
	return strmap_get(&t->client_index, id, index);
}

size_t model_client_database(const struct topology *t, const struct client *c)
{
	return c->via_pooler ? t->poolers[c->target].db : c->target;
}

bool model_ignores(const struct strlist *ignore, const char *rule_id, const char *rule_name)
{
	size_t i;

	for (i = 0; i < ignore->n; i++)
		if (strcmp(ignore->v[i].s, rule_id) == 0 || strcmp(ignore->v[i].s, rule_name) == 0)
			return true;
	return false;
}

void model_free(struct topology *t)
{
	if (!t)
		return;
	strmap_release(&t->db_index);
	strmap_release(&t->pooler_index);
	strmap_release(&t->client_index);
	xbig_free(t->databases);
	xbig_free(t->poolers);
	xbig_free(t->clients);
	free(t->lint_severity);
	free(t->files);
	free(t->mismatches);
	free(t->warnings);
	arena_release(&t->arena);
	free(t);
}
