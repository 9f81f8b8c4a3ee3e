/*
 * report_json.c - the JSON report (SPEC §6), documented by
 * schemas/report.schema.json, and the cJSON helpers SARIF shares.
 *
 * The whole document is built as one cJSON tree and printed at the end.
 * Every child is attached to its parent before it is filled, so on any
 * allocation failure deleting the root frees everything; every cJSON_Add*
 * result is checked. Counts are uint64_t written as raw decimal text so
 * that nothing above 2^53 is rounded; an unbounded figure is null with
 * "unbounded": true beside it.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "observe.h"
#include "plan.h"
#include "report_impl.h"

cJSON *report_json_push_object(cJSON *array)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (!cJSON_AddItemToArray(array, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

bool report_json_add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[REPORT_NUM_LEN];

	report_u64(buf, v);
	return cJSON_AddRawToObject(o, key, buf) != NULL;
}

bool report_json_add_str(cJSON *o, const char *key, const char *s)
{
	if (!s)
		return cJSON_AddNullToObject(o, key) != NULL;
	return cJSON_AddStringToObject(o, key, s) != NULL;
}

static void indent(struct sbuf *b, int depth)
{
	sbuf_putc(b, '\n');
	for (; depth > 0; depth--)
		sbuf_puts(b, "  ");
}

/*
 * Re-indent compact JSON (cJSON_PrintUnformatted: no blank outside strings)
 * with two spaces per level and "key": value, the way jq and most tools
 * print it; cJSON_Print would indent with tabs. Empty containers stay {}
 * and []. Appended to b.
 */
static void pretty(struct sbuf *b, const char *s)
{
	bool in_string = false;
	int depth = 0;

	for (; *s; s++) {
		char c = *s;

		if (in_string) {
			sbuf_putc(b, c);
			if (c == '\\' && s[1])
				sbuf_putc(b, *++s);
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			sbuf_putc(b, c);
			break;
		case '{':
		case '[':
			sbuf_putc(b, c);
			if (s[1] == (c == '{' ? '}' : ']')) {
				sbuf_putc(b, *++s);
				break;
			}
			indent(b, ++depth);
			break;
		case '}':
		case ']':
			indent(b, --depth);
			sbuf_putc(b, c);
			break;
		case ',':
			sbuf_putc(b, c);
			indent(b, depth);
			break;
		case ':':
			sbuf_puts(b, ": ");
			break;
		default:
			sbuf_putc(b, c);
		}
	}
	sbuf_putc(b, '\n');
}

int report_json_print(FILE *out, cJSON *root)
{
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;
	struct sbuf b = { 0 };
	int rc = -1;

	if (!text)
		goto out;
	pretty(&b, text);
	rc = report_put(out, b.s);
out:
	sbuf_release(&b);
	cJSON_free(text);
	cJSON_Delete(root);
	return rc;
}

/* key: v, or null when the figure is unbounded. */
static bool add_count(cJSON *o, const char *key, uint64_t v, bool unbounded)
{
	if (unbounded)
		return cJSON_AddNullToObject(o, key) != NULL;
	return report_json_add_u64(o, key, v);
}

/* "steady", "peak" and "unbounded" of an amount, into o. */
static bool add_amount_fields(cJSON *o, const struct amount *a)
{
	return add_count(o, "steady", a->steady, a->unbounded) &&
	       add_count(o, "peak", a->peak, a->unbounded) &&
	       cJSON_AddBoolToObject(o, "unbounded", a->unbounded) != NULL;
}

/* key: {"steady", "peak", "unbounded"}. */
static bool add_amount(cJSON *o, const char *key, const struct amount *a)
{
	cJSON *obj = cJSON_AddObjectToObject(o, key);

	return obj && add_amount_fields(obj, a);
}

/* "file" (where the object is defined) and "topology" (the FILE argument). */
static bool add_origin(cJSON *o, const struct topology *t, const struct str *id)
{
	return report_json_add_str(o, "id", id->s) &&
	       report_json_add_str(o, "file", report_object_file(t, id)) &&
	       report_json_add_str(o, "topology", t->file);
}

static bool json_contributors(cJSON *o, const struct report_file *rf, const struct db_fig *d)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "contributors");
	size_t i;

	if (!arr)
		return false;
	for (i = 0; i < d->ncontrib; i++) {
		const struct contrib *c = &d->contrib[i];
		cJSON *e = report_json_push_object(arr);

		if (!e || !report_json_add_str(e, "id", report_contrib_id(rf->topo, c)) ||
		    !report_json_add_str(e, "kind", c->kind == CONTRIB_POOLER ? "pooler" : "client") ||
		    !report_json_add_str(e, "type", report_contrib_type(rf->topo, c)) ||
		    !add_amount_fields(e, report_contrib_amount(rf->budget, c)))
			return false;
	}
	return true;
}

static bool json_database(cJSON *arr, const struct report_file *rf, size_t i)
{
	const struct database *db = &rf->topo->databases[i];
	const struct db_fig *d = &rf->budget->dbs[i];
	cJSON *o = report_json_push_object(arr);

	if (!o || !add_origin(o, rf->topo, &db->id) ||
	    !report_json_add_u64(o, "max_connections", d->max_connections) ||
	    !report_json_add_u64(o, "superuser_reserved_connections", d->superuser_reserved) ||
	    !report_json_add_u64(o, "reserved_connections", d->reserved) ||
	    !report_json_add_u64(o, "headroom", d->headroom) ||
	    !report_json_add_u64(o, "capacity", d->capacity) ||
	    !report_json_add_u64(o, "budget", d->budget) ||
	    !add_count(o, "optimum", d->optimum, !d->has_optimum) ||
	    !add_amount(o, "demand", &d->demand))
		return false;
	if (d->demand.unbounded) {
		if (!cJSON_AddNullToObject(o, "utilization"))
			return false;
	} else if (!cJSON_AddNumberToObject(o, "utilization", d->utilization)) {
		return false;
	}
	return cJSON_AddBoolToObject(o, "unbounded", d->demand.unbounded) &&
	       json_contributors(o, rf, d);
}

/* The ids of the clients behind pooler p. */
static bool json_pooled_clients(cJSON *o, const struct topology *t, size_t p)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "clients");
	size_t k = 0;

	if (!arr)
		return false;
	for (; report_next_pooled_client(t, p, &k); k++) {
		cJSON *s = cJSON_CreateString(t->clients[k].id.s);
		if (!s)
			return false;
		if (!cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return false;
		}
	}
	return true;
}

static bool json_pooler(cJSON *arr, const struct report_file *rf, size_t i)
{
	const struct topology *t = rf->topo;
	const struct pooler *p = &t->poolers[i];
	const struct pooler_fig *f = &rf->budget->poolers[i];
	bool pgbouncer = p->type.v == POOLER_PGBOUNCER;
	cJSON *o = report_json_push_object(arr);

	if (!o || !add_origin(o, t, &p->id) ||
	    !report_json_add_str(o, "type", pooler_type_name((enum pooler_type)p->type.v)) ||
	    !report_json_add_str(o, "database", t->databases[p->db].id.s) ||
	    !report_json_add_str(o, "pool_mode", pool_mode_name(f->pool_mode)) ||
	    !report_json_add_u64(o, "instances", f->instances) ||
	    !report_json_add_u64(o, "cap", f->cap) ||
	    !add_amount(o, "client_demand", &f->client_demand) ||
	    !add_count(o, "client_limit", f->client_limit, !f->has_client_limit) ||
	    !add_amount(o, "server", &f->server))
		return false;
	if (pgbouncer) {
		if (!report_json_add_u64(o, "default_pool_size", f->default_pool_size) ||
		    !report_json_add_u64(o, "reserve_pool_size", f->reserve_pool_size) ||
		    !report_json_add_u64(o, "max_client_conn", f->max_client_conn) ||
		    !report_json_add_u64(o, "max_db_connections", f->max_db_connections) ||
		    !report_json_add_u64(o, "users", f->users))
			return false;
	} else if (!report_json_add_u64(o, "max_connections_percent", f->max_connections_percent)) {
		return false;
	}
	return json_pooled_clients(o, t, i);
}

/* The instance figures: replicas for services, concurrency for serverless. */
static bool json_instances(cJSON *o, const struct client *c, const struct client_fig *f)
{
	if (c->type.v == CLIENT_SERVERLESS)
		return report_json_add_u64(o, "concurrency", f->concurrency) &&
		       report_json_add_u64(o, "max_concurrency", f->max_concurrency) &&
		       cJSON_AddBoolToObject(o, "concurrency_assumed", f->concurrency_assumed);
	return report_json_add_u64(o, "replicas", f->replicas) &&
	       report_json_add_u64(o, "max_replicas", f->max_replicas) &&
	       report_json_add_u64(o, "surge", f->surge) &&
	       report_json_add_u64(o, "processes", f->processes) &&
	       report_json_add_u64(o, "peak_instances", f->peak_instances);
}

static bool json_client(cJSON *arr, const struct report_file *rf, size_t i)
{
	const struct topology *t = rf->topo;
	const struct client *c = &t->clients[i];
	const struct client_fig *f = &rf->budget->clients[i];
	cJSON *o = report_json_push_object(arr);

	return o && add_origin(o, t, &c->id) &&
	       report_json_add_str(o, "type", client_type_name((enum client_type)c->type.v)) &&
	       report_json_add_str(o, "connects_to", c->connects_to.s) &&
	       report_json_add_str(o, "via", c->via_pooler ? "pooler" : "database") &&
	       report_json_add_str(o, "database", t->databases[f->database].id.s) &&
	       report_json_add_str(o, "framework", c->framework.s) &&
	       add_amount_fields(o, &f->conn) &&
	       add_count(o, "pool_size", f->pool_size, f->pool_unbounded) &&
	       report_json_add_u64(o, "pool_overflow", f->pool_overflow) &&
	       report_json_add_u64(o, "pool_count", f->pool_count) &&
	       report_json_add_u64(o, "extra_connections", f->extra) &&
	       add_count(o, "per_process", f->per_process, f->pool_unbounded) &&
	       add_count(o, "acquire_timeout_ms", f->acquire_timeout_ms, !f->has_acquire_timeout) &&
	       json_instances(o, c, f) &&
	       add_count(o, "needed", f->needed, !f->has_needed);
}

static bool json_finding(cJSON *arr, const struct report_file *rf, const struct finding *f)
{
	struct pos p = report_finding_pos(rf, f);
	cJSON *o = report_json_push_object(arr);

	return o && report_json_add_str(o, "rule", f->rule->id) &&
	       report_json_add_str(o, "name", f->rule->name) &&
	       report_json_add_str(o, "severity", severity_name(f->severity)) &&
	       report_json_add_str(o, "message", f->message) &&
	       report_json_add_str(o, "file", p.file) &&
	       report_json_add_u64(o, "line", p.line) &&
	       report_json_add_u64(o, "column", p.col) &&
	       report_json_add_str(o, "object", report_finding_object(f)) &&
	       report_json_add_str(o, "topology", rf->topo ? rf->topo->file : NULL);
}

static const char *fail_on_name(int fail_on)
{
	return fail_on == LEVEL_OFF ? "never" : severity_name((enum severity)fail_on);
}

static bool json_summary(cJSON *root, const struct report *r)
{
	cJSON *o = cJSON_AddObjectToObject(root, "summary");
	struct summary s;

	report_summary(r, &s);
	return o && report_json_add_u64(o, "errors", s.errors) &&
	       report_json_add_u64(o, "warnings", s.warnings) &&
	       report_json_add_u64(o, "infos", s.infos) &&
	       cJSON_AddBoolToObject(o, "passed", !report_failed(&s, r->fail_on)) &&
	       report_json_add_str(o, "fail_on", fail_on_name(r->fail_on));
}

/* Every file's databases, poolers, clients: the arrays of the document. */
static bool json_objects(cJSON *root, const struct report *r)
{
	cJSON *files = cJSON_AddArrayToObject(root, "files");
	cJSON *dbs = cJSON_AddArrayToObject(root, "databases");
	cJSON *poolers = cJSON_AddArrayToObject(root, "poolers");
	cJSON *clients = cJSON_AddArrayToObject(root, "clients");
	size_t i, k;

	if (!files || !dbs || !poolers || !clients)
		return false;
	for (i = 0; i < r->nfiles; i++) {
		const struct report_file *rf = &r->files[i];
		const struct topology *t = rf->topo;
		cJSON *name;

		if (!t)
			continue;
		name = cJSON_CreateString(t->file ? t->file : "-");
		if (!name)
			return false;
		if (!cJSON_AddItemToArray(files, name)) {
			cJSON_Delete(name);
			return false;
		}
		if (!rf->budget || !rf->budget->dbs)
			continue;
		for (k = 0; k < t->ndatabases; k++)
			if (!json_database(dbs, rf, k))
				return false;
		for (k = 0; k < t->npoolers; k++)
			if (!json_pooler(poolers, rf, k))
				return false;
		for (k = 0; k < t->nclients; k++)
			if (!json_client(clients, rf, k))
				return false;
	}
	return true;
}

int report_json(FILE *out, const struct report *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *tool, *findings;
	struct report_iter it;
	const struct finding *f;

	if (!root)
		return -1;
	tool = cJSON_AddObjectToObject(root, "tool");
	if (!tool || !report_json_add_str(tool, "name", "connbudget") ||
	    !report_json_add_str(tool, "version", report_version(r)) ||
	    !report_json_add_str(root, "command", r->command ? r->command : "check") ||
	    !json_objects(root, r))
		goto fail;
	findings = cJSON_AddArrayToObject(root, "findings");
	if (!findings)
		goto fail;
	report_iter_init(&it, r);
	while ((f = report_iter_next(&it)))
		if (!json_finding(findings, it.rf, f))
			goto fail;
	if (!json_summary(root, r))
		goto fail;
	if (r->observed && observe_json(r->observed, root) != 0)
		goto fail;
	if (r->plan && plan_json(r->plan, root) != 0)
		goto fail;
	return report_json_print(out, root);
fail:
	cJSON_Delete(root);
	return -1;
}
