/*
 * report_json.c - the JSON report (SPEC §6), documented by
 * schemas/report.schema.json, and the streaming JSON writer and cJSON
 * helpers SARIF shares.
 *
 * The document is streamed, never held whole: the skeleton (the top-level
 * object, its keys, brackets and indentation) is written as it goes, and
 * each array entry (a database, pooler, client, finding) is built as a
 * small cJSON object, printed on one line, and deleted before the next is
 * built. Memory is one entry's, whatever the size of the topology; cJSON
 * still does all the escaping and number printing. Every child is attached
 * to its parent before it is filled, so deleting an entry frees it all
 * after a failure; every cJSON_Add* result is checked. Counts are uint64_t
 * written as raw decimal text so that nothing above 2^53 is rounded; an
 * unbounded figure is null with "unbounded": true beside it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "observe.h"
#include "plan.h"
#include "report_impl.h"

/* The first size of the print buffer; it grows to the longest entry printed. */
enum { JW_BUF_MIN = 4096 };

void report_jw_init(struct report_jw *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first = true;
}

/* Write n bytes, unless the document has failed; a failure is remembered. */
static void jw_write(struct report_jw *w, const char *s, size_t n)
{
	if (!w->failed && n && fwrite(s, 1, n, w->out) != n)
		w->failed = true;
}

/* A newline and two spaces per open container. */
static void jw_newline(struct report_jw *w)
{
	static const char spaces[] = "\n                                ";
	unsigned n = 2 * w->depth;

	jw_write(w, spaces, 1);
	for (; n > sizeof(spaces) - 2; n -= sizeof(spaces) - 2)
		jw_write(w, spaces + 1, sizeof(spaces) - 2);
	jw_write(w, spaces + 1, n);
}

/*
 * Print item (its value, never its key) compactly into w's buffer and
 * write it. cJSON_PrintPreallocated reuses the buffer from entry to entry;
 * when the entry does not fit, cJSON_PrintUnformatted prints it instead
 * and the buffer grows for the next one.
 */
static void jw_print(struct report_jw *w, const cJSON *item)
{
	char *text;
	size_t n;

	if (!item) {
		w->failed = true;
		return;
	}
	if (!w->buf) {
		w->buf = xmalloc(JW_BUF_MIN);
		w->cap = JW_BUF_MIN;
	}
	if (cJSON_PrintPreallocated((cJSON *)item, w->buf, w->cap, false)) {
		jw_write(w, w->buf, strlen(w->buf));
		return;
	}
	text = cJSON_PrintUnformatted(item);
	if (!text) {
		w->failed = true;
		return;
	}
	n = strlen(text);
	jw_write(w, text, n);
	cJSON_free(text);
	/* room for the next entry of this size, with cJSON's estimate slack */
	if (n < INT_MAX / 2 - 64 && (int)n * 2 + 64 > w->cap) {
		free(w->buf);
		w->cap = (int)n * 2 + 64;
		w->buf = xmalloc((size_t)w->cap);
	}
}

/* Start a member of the open container: the separator, indentation, "key": . */
static void jw_member(struct report_jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first)
			jw_write(w, ",", 1);
		jw_newline(w);
	}
	w->first = false;
	if (key) {
		cJSON *k = cJSON_CreateStringReference(key);

		jw_print(w, k);
		cJSON_Delete(k);
		jw_write(w, ": ", 2);
	}
}

void report_jw_open(struct report_jw *w, const char *key, bool array)
{
	jw_member(w, key);
	jw_write(w, array ? "[" : "{", 1);
	w->depth++;
	w->first = true;
}

void report_jw_close(struct report_jw *w, bool array)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	w->depth--;
	if (!w->first)
		jw_newline(w);
	jw_write(w, array ? "]" : "}", 1);
	w->first = false;
	if (w->depth == 0)
		jw_write(w, "\n", 1);
}

void report_jw_value(struct report_jw *w, const char *key, const cJSON *item)
{
	jw_member(w, key);
	jw_print(w, item);
}

void report_jw_item(struct report_jw *w, const char *key, cJSON *item)
{
	report_jw_value(w, key, item);
	cJSON_Delete(item);
}

void report_jw_fail(struct report_jw *w)
{
	w->failed = true;
}

int report_jw_finish(struct report_jw *w)
{
	int rc = w->failed || w->depth != 0 ? -1 : 0;

	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
	return rc;
}

bool report_json_add(cJSON *o, const char *key, cJSON *item)
{
	if (!item)
		return false;
	if (!cJSON_AddItemToObjectCS(o, key, item)) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

cJSON *report_json_add_object(cJSON *o, const char *key)
{
	cJSON *child = cJSON_CreateObject();

	return report_json_add(o, key, child) ? child : NULL;
}

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
	return report_json_add(o, key, cJSON_CreateRaw(buf));
}

bool report_json_add_str(cJSON *o, const char *key, const char *s)
{
	return report_json_add(o, key, s ? cJSON_CreateStringReference(s) : cJSON_CreateNull());
}

static bool add_bool(cJSON *o, const char *key, bool v)
{
	return report_json_add(o, key, cJSON_CreateBool(v));
}

static bool add_null(cJSON *o, const char *key)
{
	return report_json_add(o, key, cJSON_CreateNull());
}

/* key: v, or null when the figure is unbounded. */
static bool add_count(cJSON *o, const char *key, uint64_t v, bool unbounded)
{
	if (unbounded)
		return add_null(o, key);
	return report_json_add_u64(o, key, v);
}

/* "steady", "peak" and "unbounded" of an amount, into o. */
static bool add_amount_fields(cJSON *o, const struct amount *a)
{
	return add_count(o, "steady", a->steady, a->unbounded) &&
	       add_count(o, "peak", a->peak, a->unbounded) && add_bool(o, "unbounded", a->unbounded);
}

/* key: {"steady", "peak", "unbounded"}. */
static bool add_amount(cJSON *o, const char *key, const struct amount *a)
{
	cJSON *obj = report_json_add_object(o, key);

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
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	if (!report_json_add(o, "contributors", arr))
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

/* Database i of rf as one entry; NULL when cJSON could not allocate. */
static cJSON *json_database(const struct report_file *rf, size_t i)
{
	const struct database *db = &rf->topo->databases[i];
	const struct db_fig *d = &rf->budget->dbs[i];
	cJSON *o = cJSON_CreateObject();
	bool ok;

	ok = o && add_origin(o, rf->topo, &db->id) &&
	     report_json_add_u64(o, "max_connections", d->max_connections) &&
	     report_json_add_u64(o, "superuser_reserved_connections", d->superuser_reserved) &&
	     report_json_add_u64(o, "reserved_connections", d->reserved) &&
	     report_json_add_u64(o, "headroom", d->headroom) &&
	     report_json_add_u64(o, "capacity", d->capacity) &&
	     report_json_add_u64(o, "budget", d->budget) &&
	     add_count(o, "optimum", d->optimum, !d->has_optimum) &&
	     add_amount(o, "demand", &d->demand) &&
	     (d->demand.unbounded ? add_null(o, "utilization") :
				    report_json_add(o, "utilization", cJSON_CreateNumber(d->utilization))) &&
	     add_bool(o, "unbounded", d->demand.unbounded) && json_contributors(o, rf, d);
	if (ok)
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* The ids of the clients behind pooler p, in file order. */
static bool json_pooled_clients(cJSON *o, const struct report_file *rf, size_t p)
{
	const struct topology *t = rf->topo;
	cJSON *arr = cJSON_CreateArray();
	struct report_pooled it;
	size_t k;

	if (!report_json_add(o, "clients", arr))
		return false;
	report_pooled_init(&it, rf, p);
	while (report_pooled_next(&it, &k)) {
		cJSON *s = cJSON_CreateStringReference(t->clients[k].id.s);
		if (!s)
			return false;
		if (!cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return false;
		}
	}
	return true;
}

/* Pooler i of rf as one entry; NULL when cJSON could not allocate. */
static cJSON *json_pooler(const struct report_file *rf, size_t i)
{
	const struct topology *t = rf->topo;
	const struct pooler *p = &t->poolers[i];
	const struct pooler_fig *f = &rf->budget->poolers[i];
	cJSON *o = cJSON_CreateObject();
	bool ok;

	ok = o && add_origin(o, t, &p->id) &&
	     report_json_add_str(o, "type", pooler_type_name((enum pooler_type)p->type.v)) &&
	     report_json_add_str(o, "database", t->databases[p->db].id.s) &&
	     report_json_add_str(o, "pool_mode", pool_mode_name(f->pool_mode)) &&
	     report_json_add_u64(o, "instances", f->instances) &&
	     report_json_add_u64(o, "cap", f->cap) &&
	     add_amount(o, "client_demand", &f->client_demand) &&
	     add_count(o, "client_limit", f->client_limit, !f->has_client_limit) &&
	     add_amount(o, "server", &f->server);
	if (ok && p->type.v == POOLER_PGBOUNCER)
		ok = report_json_add_u64(o, "default_pool_size", f->default_pool_size) &&
		     report_json_add_u64(o, "reserve_pool_size", f->reserve_pool_size) &&
		     report_json_add_u64(o, "max_client_conn", f->max_client_conn) &&
		     report_json_add_u64(o, "max_db_connections", f->max_db_connections) &&
		     report_json_add_u64(o, "users", f->users);
	else if (ok)
		ok = report_json_add_u64(o, "max_connections_percent", f->max_connections_percent);
	if (ok && json_pooled_clients(o, rf, i))
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* The instance figures: replicas for services, concurrency for serverless. */
static bool json_instances(cJSON *o, const struct client *c, const struct client_fig *f)
{
	if (c->type.v == CLIENT_SERVERLESS)
		return report_json_add_u64(o, "concurrency", f->concurrency) &&
		       report_json_add_u64(o, "max_concurrency", f->max_concurrency) &&
		       add_bool(o, "concurrency_assumed", f->concurrency_assumed);
	return report_json_add_u64(o, "replicas", f->replicas) &&
	       report_json_add_u64(o, "max_replicas", f->max_replicas) &&
	       report_json_add_u64(o, "surge", f->surge) &&
	       report_json_add_u64(o, "processes", f->processes) &&
	       report_json_add_u64(o, "peak_instances", f->peak_instances);
}

/* Client i of rf as one entry; NULL when cJSON could not allocate. */
static cJSON *json_client(const struct report_file *rf, size_t i)
{
	const struct topology *t = rf->topo;
	const struct client *c = &t->clients[i];
	const struct client_fig *f = &rf->budget->clients[i];
	cJSON *o = cJSON_CreateObject();

	if (o && add_origin(o, t, &c->id) &&
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
	    json_instances(o, c, f) && add_count(o, "needed", f->needed, !f->has_needed))
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* One finding as one entry; NULL when cJSON could not allocate. */
static cJSON *json_finding(const struct report_file *rf, const struct finding *f)
{
	struct pos p = report_finding_pos(rf, f);
	cJSON *o = cJSON_CreateObject();

	if (o && report_json_add_str(o, "rule", f->rule->id) &&
	    report_json_add_str(o, "name", f->rule->name) &&
	    report_json_add_str(o, "severity", severity_name(f->severity)) &&
	    report_json_add_str(o, "message", f->message) && report_json_add_str(o, "file", p.file) &&
	    report_json_add_u64(o, "line", p.line) && report_json_add_u64(o, "column", p.col) &&
	    report_json_add_str(o, "object", report_finding_object(f)) &&
	    report_json_add_str(o, "topology", rf->topo ? rf->topo->file : NULL))
		return o;
	cJSON_Delete(o);
	return NULL;
}

static const char *fail_on_name(int fail_on)
{
	return fail_on == LEVEL_OFF ? "never" : severity_name((enum severity)fail_on);
}

/* The summary object; NULL when cJSON could not allocate. */
static cJSON *json_summary(const struct report *r)
{
	cJSON *o = cJSON_CreateObject();
	struct summary s;

	report_summary(r, &s);
	if (o && report_json_add_u64(o, "errors", s.errors) &&
	    report_json_add_u64(o, "warnings", s.warnings) &&
	    report_json_add_u64(o, "infos", s.infos) &&
	    add_bool(o, "passed", !report_failed(&s, r->fail_on)) &&
	    report_json_add_str(o, "fail_on", fail_on_name(r->fail_on)))
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* Does file i have figures to list? */
static bool has_figures(const struct report_file *rf)
{
	return rf->topo && rf->budget && rf->budget->dbs;
}

/*
 * key: [ ... ] with one entry per object of every file that has figures:
 * entry(rf, k) for k below the count count(topology) gives.
 */
static void json_objects(struct report_jw *w, const struct report *r, const char *key,
			 size_t (*count)(const struct topology *),
			 cJSON *(*entry)(const struct report_file *, size_t))
{
	size_t i, k;

	report_jw_open(w, key, true);
	for (i = 0; i < r->nfiles && !w->failed; i++) {
		const struct report_file *rf = &r->files[i];

		if (!has_figures(rf))
			continue;
		for (k = 0; k < count(rf->topo) && !w->failed; k++)
			report_jw_item(w, NULL, entry(rf, k));
	}
	report_jw_close(w, true);
}

static size_t count_databases(const struct topology *t)
{
	return t->ndatabases;
}

static size_t count_poolers(const struct topology *t)
{
	return t->npoolers;
}

static size_t count_clients(const struct topology *t)
{
	return t->nclients;
}

/*
 * The members hook(x, parent) adds to a parent object (observe_json and
 * plan_json take a cJSON parent), each written as a member of the
 * document: "observed": {...}.
 */
static void json_hook(struct report_jw *w, int (*hook)(const void *, void *), const void *x)
{
	cJSON *parent = cJSON_CreateObject();
	const cJSON *m;

	if (!parent || hook(x, parent) != 0) {
		report_jw_fail(w);
	} else {
		for (m = parent->child; m; m = m->next)
			report_jw_value(w, m->string, m);
	}
	cJSON_Delete(parent);
}

static int observe_hook(const void *x, void *parent)
{
	return observe_json(x, parent);
}

static int plan_hook(const void *x, void *parent)
{
	return plan_json(x, parent);
}

int report_json(FILE *out, const struct report *r)
{
	struct report_jw w;
	struct report_iter it;
	const struct finding *f;
	size_t i;

	report_jw_init(&w, out);
	report_jw_open(&w, NULL, false);
	report_jw_open(&w, "tool", false);
	report_jw_item(&w, "name", cJSON_CreateStringReference("connbudget"));
	report_jw_item(&w, "version", cJSON_CreateStringReference(report_version(r)));
	report_jw_close(&w, false);
	report_jw_item(&w, "command", cJSON_CreateStringReference(r->command ? r->command : "check"));

	report_jw_open(&w, "files", true);
	for (i = 0; i < r->nfiles; i++) {
		const struct topology *t = r->files[i].topo;

		if (t)
			report_jw_item(&w, NULL, cJSON_CreateStringReference(t->file ? t->file : "-"));
	}
	report_jw_close(&w, true);
	json_objects(&w, r, "databases", count_databases, json_database);
	json_objects(&w, r, "poolers", count_poolers, json_pooler);
	json_objects(&w, r, "clients", count_clients, json_client);

	report_jw_open(&w, "findings", true);
	report_iter_init(&it, r);
	while (!w.failed && (f = report_iter_next(&it)))
		report_jw_item(&w, NULL, json_finding(it.rf, f));
	report_jw_close(&w, true);

	report_jw_item(&w, "summary", json_summary(r));
	if (r->observed && !w.failed)
		json_hook(&w, observe_hook, r->observed);
	if (r->plan && !w.failed)
		json_hook(&w, plan_hook, r->plan);
	report_jw_close(&w, false);
	return report_jw_finish(&w);
}
