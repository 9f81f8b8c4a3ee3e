/*
 * alerts.c - the alert set of a topology (see alerts.h, docs/alerts.md).
 *
 * Every threshold is a figure of the topology as budget.c computed it:
 * 80% of max_connections, the budget, a client's declared peak. Nothing
 * here writes YAML: src/report/prometheus.c does.
 */
#include "alerts.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "observe.h"
#include "util.h"
#include "version.h"
#include "quote.h"

const char alerts_exporter_queries[] =
	"# postgres_exporter query file (--extend.query-path), written by\n"
	"# `connbudget alerts --exporter-queries`. It exports\n"
	"# connbudget_application_connections{application_name}: the client\n"
	"# backends of the server by application_name, which the rules of\n"
	"# `connbudget alerts` hold against each client's declared peak.\n"
	"connbudget_application:\n"
	"  query: \"SELECT application_name, count(*) AS connections FROM pg_stat_activity"
	" WHERE backend_type = 'client backend' GROUP BY application_name\"\n"
	"  master: true\n"
	"  metrics:\n"
	"    - application_name:\n"
	"        usage: \"LABEL\"\n"
	"        description: \"application_name of the sessions\"\n"
	"    - connections:\n"
	"        usage: \"GAUGE\"\n"
	"        description: \"client backends with this application_name\"\n";

/* ---- selectors ------------------------------------------------------------ */

static bool is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool is_label_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * Is s a PromQL matcher list: `name op "value"` separated by commas, op
 * one of = != =~ !~, the value a double-quoted string with backslash
 * escapes? Checked so that nothing a user writes can end the selector's
 * braces or start another expression.
 */
static bool valid_matchers(const char *s)
{
	const char *p = s;

	for (;;) {
		while (*p == ' ')
			p++;
		if (!is_label_start(*p))
			return false;
		while (is_label_start(*p) || (*p >= '0' && *p <= '9'))
			p++;
		while (*p == ' ')
			p++;
		if (p[0] == '=' && p[1] == '~')
			p += 2;
		else if (p[0] == '!' && (p[1] == '=' || p[1] == '~'))
			p += 2;
		else if (p[0] == '=')
			p++;
		else
			return false;
		while (*p == ' ')
			p++;
		if (*p++ != '"')
			return false;
		for (; *p != '"'; p++) {
			if (!*p || *p == '\n')
				return false;
			if (*p == '\\' && !*++p)
				return false;
		}
		p++;
		while (*p == ' ')
			p++;
		if (!*p)
			return true;
		if (*p++ != ',')
			return false;
	}
}

bool alerts_parse_selector(const char *arg, struct alert_selector *out)
{
	const char *eq = strchr(arg, '=');
	const char *p;

	out->id = NULL;
	out->matchers = arg;
	/* "ID=..." when what stands before the first '=' is an id and the
	 * rest is a matcher list; else the whole is a matcher list */
	if (eq && eq > arg) {
		for (p = arg; p < eq && is_id_char(*p); p++)
			;
		if (p == eq && valid_matchers(eq + 1)) {
			out->id = arg;
			out->matchers = eq + 1;
			return true;
		}
	}
	return valid_matchers(arg);
}

/* The length of a selector's id (it runs to the '='). */
static size_t selector_id_len(const struct alert_selector *s)
{
	return (size_t)(strchr(s->id, '=') - s->id);
}

static bool selector_names(const struct alert_selector *s, const char *id)
{
	return s->id && strlen(id) == selector_id_len(s) && strncmp(s->id, id, selector_id_len(s)) == 0;
}

/* The matchers given for object id, else (when fallback) those given for every object, else NULL. */
static const char *selector_for(const struct alerts_options *ao, const char *id, bool fallback)
{
	const char *all = NULL;
	size_t i;

	for (i = 0; i < ao->nselectors; i++) {
		if (selector_names(&ao->selectors[i], id))
			return ao->selectors[i].matchers;
		if (!ao->selectors[i].id)
			all = ao->selectors[i].matchers;
	}
	return fallback ? all : NULL;
}

/* ---- PromQL and labels ------------------------------------------------------ */

/* Append s to b as the inside of a PromQL double-quoted string. */
static void promql_quote(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '"')
			sbuf_printf(b, "\\%c", c);
		else if (c == '\n')
			sbuf_puts(b, "\\n");
		else if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\x%02x", c);
		else
			sbuf_putc(b, (char)c);
	}
}

/*
 * s as literal text of a Prometheus template: labels and annotations are
 * expanded as Go templates, so every "{{" from the topology becomes the
 * action {{ "{{" }}, which prints it. Returns a malloc'd string.
 */
static char *template_literal(const char *s)
{
	struct sbuf b = { 0 };

	for (; *s; s++) {
		if (s[0] == '{' && s[1] == '{') {
			sbuf_puts(&b, "{{ \"{{\" }}");
			s++;
		} else {
			sbuf_putc(&b, *s);
		}
	}
	return sbuf_detach(&b);
}

/*
 * "{a,b}" from the matcher lists given (each may be NULL or empty): the
 * user's selector and the rule's own matchers. Appended to b.
 */
static void selector(struct sbuf *b, const char *user, const char *own)
{
	bool u = user && *user, w = own && *own;

	sbuf_putc(b, '{');
	if (u)
		sbuf_puts(b, user);
	if (u && w)
		sbuf_putc(b, ',');
	if (w)
		sbuf_puts(b, own);
	sbuf_putc(b, '}');
}

/* A database's matchers: its --selector, else server="HOST:PORT" as postgres_exporter labels it. */
static char *database_matchers(const struct alerts_options *ao, const struct database *d)
{
	const char *user = selector_for(ao, d->id.s, true);
	struct sbuf b = { 0 };

	if (user)
		return xstrdup(user);
	if (!d->host.s)
		return xstrdup("");
	sbuf_puts(&b, "server=\"");
	promql_quote(&b, d->host.s);
	sbuf_printf(&b, ":%" PRIu64 "\"", VALUE_SET(d->port) ? d->port.v : (uint64_t)PG_DEFAULT_PORT);
	return sbuf_detach(&b);
}

/* n × pct / 100 written exactly ("80", "77.6", "0.25"). */
static char *percent_of(uint64_t n, uint64_t pct)
{
	uint64_t hundredths = n * pct; /* n ≤ PG_MAX_BACKENDS: no overflow */
	uint64_t whole = hundredths / 100, frac = hundredths % 100;

	if (!frac)
		return xasprintf("%" PRIu64, whole);
	if (frac % 10 == 0)
		return xasprintf("%" PRIu64 ".%" PRIu64, whole, frac / 10);
	return xasprintf("%" PRIu64 ".%02" PRIu64, whole, frac);
}

/* ---- building ---------------------------------------------------------------- */

static struct alert *add_alert(struct alert_group *g, const char *name, char *expr, uint64_t for_s,
			       const char *severity)
{
	struct alert *a;

	xgrow(&g->v, &g->cap, g->n + 1, sizeof(*g->v));
	a = &g->v[g->n++];
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->expr = expr;
	a->for_s = for_s;
	a->labels[a->nlabels++] = (struct alert_kv){ "severity", xstrdup(severity) };
	return a;
}

static void add_label(struct alert *a, const char *name, char *value)
{
	assert(a->nlabels < ALERT_MAX_KV);
	a->labels[a->nlabels++] = (struct alert_kv){ name, value };
}

static void add_annotation(struct alert *a, const char *name, char *value)
{
	assert(a->nannotations < ALERT_MAX_KV);
	a->annotations[a->nannotations++] = (struct alert_kv){ name, value };
}

/* The annotations every rule carries: the object and where it is defined. */
static void add_origin(struct alert *a, const char *object, struct pos pos)
{
	const char *file = pos_file(pos);

	add_annotation(a, "connbudget_object", xstrdup(object));
	char *where = file ? template_literal(file) : xstrdup("(unknown)");

	add_annotation(a, "connbudget_source", xasprintf("%s:%u", where, pos.line));
	free(where);
}

/* Seconds from milliseconds, written exactly ("300", "0.25"). */
static char *seconds(uint64_t ms)
{
	if (ms % 1000 == 0)
		return xasprintf("%" PRIu64, ms / 1000);
	if (ms % 10 == 0)
		return xasprintf("%" PRIu64 ".%02" PRIu64, ms / 1000, ms % 1000 / 10);
	return xasprintf("%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
}

/* The labels of a rule about database d (and, when who is set, about that client or pooler). */
static void object_labels(struct alert *a, const struct database *d, const char *who_label,
			  const char *who)
{
	add_label(a, "connbudget_database", xstrdup(d->id.s));
	if (who_label)
		add_label(a, who_label, xstrdup(who));
	add_label(a, "environment", template_literal(d->environment.s ? d->environment.s : ""));
}

/* "sum by (BY) (METRIC{MATCHERS}) > THRESHOLD", malloc'd. */
static char *above(const char *agg, const char *metric, const char *user, const char *own,
		   const char *threshold)
{
	struct sbuf b = { 0 };

	sbuf_printf(&b, "%s (%s", agg, metric);
	selector(&b, user, own);
	sbuf_printf(&b, ") > %s", threshold);
	return sbuf_detach(&b);
}

/* The three rules on a database's own connections: near max_connections, above the budget, idle in transaction. */
static void database_rules(struct alert_group *g, const struct database *d, const struct db_fig *f,
			   const char *m, const struct alerts_options *ao)
{
	char *object = xasprintf("databases.%s", d->id.s);
	char *near = percent_of(f->max_connections, ALERTS_NEAR_MAX_PERCENT);
	char *budget = xasprintf("%" PRIu64, f->budget);
	char *idle = seconds(ao->idle_threshold_ms);
	char *peak = f->demand.unbounded ? xstrdup("unbounded") : xasprintf("%" PRIu64, f->demand.peak);
	struct alert *a;

	a = add_alert(g, "ConnbudgetConnectionsNearMax",
		      above("sum by (server)", "pg_stat_activity_count", m, NULL, near),
		      ALERTS_FOR_WARNING_S, "warning");
	object_labels(a, d, NULL, NULL);
	add_annotation(a, "summary",
		       xasprintf("database '%s' has {{ $value }} connections, more than %d%% of its "
				 "max_connections %" PRIu64, d->id.s, ALERTS_NEAR_MAX_PERCENT,
				 f->max_connections));
	add_annotation(a, "description",
		       xasprintf("above %s connections PostgreSQL is close to refusing clients; capacity "
				 "for non-superusers is %" PRIu64 ", the topology's peak demand %s",
				 near, f->capacity, peak));
	add_origin(a, object, d->id.pos);

	a = add_alert(g, "ConnbudgetConnectionsAboveBudget",
		      above("sum by (server)", "pg_stat_activity_count", m, NULL, budget),
		      ALERTS_FOR_CRITICAL_S, "critical");
	object_labels(a, d, NULL, NULL);
	add_annotation(a, "summary",
		       xasprintf("database '%s' has {{ $value }} connections, above its budget %" PRIu64,
				 d->id.s, f->budget));
	add_annotation(a, "description",
		       xasprintf("the budget keeps %" PRIu64 " of max_connections %" PRIu64
				 " free for administration and monitoring; capacity for non-superusers is %" PRIu64
				 ", the topology's peak demand %s",
				 f->max_connections - f->budget, f->max_connections, f->capacity, peak));
	add_origin(a, object, d->id.pos);

	a = add_alert(g, "ConnbudgetIdleInTransaction",
		      above("max by (server, datname)", "pg_stat_activity_max_tx_duration", m,
			    "state=\"idle in transaction\"", idle),
		      ALERTS_FOR_CRITICAL_S, "warning");
	object_labels(a, d, NULL, NULL);
	add_annotation(a, "summary",
		       xasprintf("a transaction on database '%s' ({{ $labels.datname }}) has been idle for "
				 "{{ $value }} s, longer than %s s", d->id.s, idle));
	add_annotation(a, "description",
		       xstrdup("a transaction left open holds its connection and its locks until it ends; "
			       "idle_in_transaction_session_timeout ends such sessions"));
	add_origin(a, object, d->id.pos);

	free(peak);
	free(idle);
	free(budget);
	free(near);
	free(object);
}

/* What a client's sessions call themselves: application_name, default its id. */
static const char *client_app(const struct client *c)
{
	return client_cold(c)->application_name.s ? client_cold(c)->application_name.s : c->id.s;
}

/* The clients sharing one application_name on a database. */
struct app_peak {
	size_t first;             /* the first client with the name */
	size_t sharing;
	uint64_t peak;            /* their peaks added */
	bool unbounded;
};

/*
 * One rule per application_name among the clients connecting straight to
 * database di: live connections above the declared peak. Clients sharing a
 * name share its count, so their peaks are added (as `observe` does); an
 * unbounded one leaves the name without a threshold, and without a rule.
 * Clients behind a pooler reach PostgreSQL through the pooler's server
 * connections, which the pooler's cap bounds: they get none. One walk
 * over the clients, names looked up by hash.
 */
static void client_rules(struct alert_group *g, const struct topology *t, const struct budget *b,
			 size_t di, const char *m, bool *needs_queries)
{
	const struct database *d = &t->databases[di];
	struct strmap names = { 0 }; /* application_name → index into apps */
	struct app_peak *apps = NULL;
	size_t napps = 0, cap = 0, i, at;

	for (i = 0; i < t->nclients; i++) {
		const struct client *c = &t->clients[i];
		struct amount conn = budget_conn(b, i);
		struct app_peak *ap;

		if (c->via_pooler || c->target != di)
			continue;
		if (strmap_put(&names, client_app(c), napps, &at)) {
			xgrow(&apps, &cap, napps + 1, sizeof(*apps));
			at = napps++;
			apps[at] = (struct app_peak){ i, 0, 0, false };
		}
		ap = &apps[at];
		ap->sharing++;
		if (conn.unbounded || !u64_add(ap->peak, conn.peak, &ap->peak))
			ap->unbounded = true;
	}
	for (at = 0; at < napps; at++) {
		const struct app_peak *ap = &apps[at];
		const struct client *c = &t->clients[ap->first];
		const char *app = client_app(c);
		char *threshold, *object;
		struct sbuf own = { 0 };
		struct alert *a;

		if (ap->unbounded)
			continue;
		sbuf_puts(&own, "application_name=\"");
		promql_quote(&own, app);
		sbuf_putc(&own, '"');
		threshold = xasprintf("%" PRIu64, ap->peak);
		a = add_alert(g, "ConnbudgetClientAboveDeclaredPeak",
			      above("sum by (server)", "connbudget_application_connections", m, own.s,
				    threshold),
			      ALERTS_FOR_WARNING_S, "warning");
		object_labels(a, d, "connbudget_client", c->id.s);
		add_label(a, "application_name", template_literal(app));
		if (ap->sharing == 1)
			add_annotation(a, "summary",
				       xasprintf("client '%s' holds {{ $value }} connections on database "
						 "'%s', above its declared peak %" PRIu64, c->id.s, d->id.s,
						 ap->peak));
		else {
			char *name = template_literal(app);

			add_annotation(a, "summary",
				       xasprintf("the %zu clients named '%s' (first '%s') hold {{ $value }} "
						 "connections on database '%s', above their declared peak %" PRIu64,
						 ap->sharing, name, c->id.s, d->id.s, ap->peak));
			free(name);
		}
		add_annotation(a, "description",
			       xstrdup("more sessions than the topology declares: a pool larger than "
				       "declared, more replicas or processes, or a connection leak; the "
				       "budget no longer holds"));
		object = xasprintf("clients.%s", c->id.s);
		add_origin(a, object, c->id.pos);
		free(object);
		free(threshold);
		sbuf_release(&own);
		*needs_queries = true;
	}
	free(apps);
	strmap_release(&names);
}

/* PgBouncer poolers of database di: clients waiting for a server connection. */
static void pooler_rules(struct alert_group *g, const struct topology *t, size_t di,
			 const struct alerts_options *ao)
{
	size_t i;

	for (i = 0; i < t->npoolers; i++) {
		const struct pooler *p = &t->poolers[i];
		char *object;
		struct alert *a;

		if (p->db != di || p->type.v != POOLER_PGBOUNCER)
			continue;
		a = add_alert(g, "ConnbudgetPgbouncerClientsWaiting",
			      above("sum by (database, user)", "pgbouncer_pools_client_waiting_connections",
				    selector_for(ao, p->id.s, false), "database!=\"pgbouncer\"", "0"),
			      ALERTS_FOR_CRITICAL_S, "warning");
		object_labels(a, &t->databases[di], "connbudget_pooler", p->id.s);
		add_annotation(a, "summary",
			       xasprintf("{{ $value }} clients of pooler '%s' wait for a server connection "
					 "(pool {{ $labels.database }}/{{ $labels.user }})", p->id.s));
		add_annotation(a, "description",
			       xstrdup("every server connection of the pool is in use: clients queue "
				       "until one is free, or time out (query_wait_timeout)"));
		object = xasprintf("poolers.%s", p->id.s);
		add_origin(a, object, p->id.pos);
		free(object);
	}
}

/* The PrometheusRule's name: "connbudget-" and the topology file's stem, as a DNS-1123 name. */
static char *k8s_name(const char *file)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base), i;
	struct sbuf b = { 0 };
	bool dash = true;

	sbuf_puts(&b, "connbudget");
	for (i = 0; i < n && b.len < 63; i++) {
		char c = base[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash)
				sbuf_putc(&b, '-');
			sbuf_putc(&b, c);
			dash = false;
		} else {
			dash = true;
		}
	}
	return sbuf_detach(&b);
}

int alerts_build(const struct topology *t, const struct budget *b,
		 const struct alerts_options *ao, struct alert_set *out, char **err)
{
	size_t i, k;

	for (i = 0; i < ao->nselectors; i++) {
		const struct alert_selector *s = &ao->selectors[i];
		bool found = !s->id;

		for (k = 0; !found && k < t->ndatabases; k++)
			found = selector_names(s, t->databases[k].id.s);
		for (k = 0; !found && k < t->npoolers; k++)
			found = selector_names(s, t->poolers[k].id.s);
		if (!found) {
			*err = xasprintf("--selector names '%.*s', which is no database or pooler of %s",
					 (int)selector_id_len(s), s->id, t->file);
			return -1;
		}
	}
	out->file = t->file;
	out->version = ao->version;
	out->kubernetes = ao->kubernetes;
	out->k8s_name = k8s_name(t->file);
	out->groups = xcalloc(t->ndatabases ? t->ndatabases : 1, sizeof(*out->groups));
	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		struct alert_group *g = &out->groups[out->ngroups++];
		char *m = database_matchers(ao, d);

		g->name = xasprintf("connbudget:%s", d->id.s);
		database_rules(g, d, &b->dbs[i], m, ao);
		client_rules(g, t, b, i, m, &out->needs_queries);
		pooler_rules(g, t, i, ao);
		free(m);
	}
	return 0;
}

void alerts_release(struct alert_set *s)
{
	size_t i, k, j;

	if (!s)
		return;
	for (i = 0; i < s->ngroups; i++) {
		struct alert_group *g = &s->groups[i];

		for (k = 0; k < g->n; k++) {
			free(g->v[k].expr);
			for (j = 0; j < g->v[k].nlabels; j++)
				free(g->v[k].labels[j].value);
			for (j = 0; j < g->v[k].nannotations; j++)
				free(g->v[k].annotations[j].value);
		}
		free(g->v);
		free(g->name);
	}
	free(s->groups);
	free(s->k8s_name);
	memset(s, 0, sizeof(*s));
}

/* ---- the command ------------------------------------------------------------ */

struct alerts_job {
	struct alerts_options ao;
	struct alert_set set;
};

/* command_run's hook: build the alert set of the one file loaded, for the report to write. */
static int alerts_hook(struct options *o, struct loaded *l, size_t n, struct report *r, void *arg)
{
	struct alerts_job *job = arg;
	char *err = NULL;

	(void)o;
	assert(n == 1);
	if (alerts_build(l[0].topo, &l[0].budget, &job->ao, &job->set, &err) != 0) {
		quote_fprintf(stderr, "connbudget: error: %s", err);
		free(err);
		return EXIT_ERROR;
	}
	r->alerts = &job->set;
	return 0;
}

int command_alerts(struct options *o)
{
	struct alerts_job job = { 0 };
	struct alert_selector *sel;
	char *def, *path;
	size_t i;
	int status = EXIT_ERROR;

	if (o->format_given && o->format != REPORT_PROMETHEUS) {
		quote_fprintf(stderr, "connbudget: error: alerts writes --format prometheus only, not %s",
			report_format_name(o->format));
		return EXIT_ERROR;
	}
	o->format = REPORT_PROMETHEUS; /* whatever CONNBUDGET_FORMAT says */
	if (o->exporter_queries) {
		if (o->nargs) {
			fprintf(stderr, "connbudget: error: alerts --exporter-queries takes no FILE\n");
			return EXIT_ERROR;
		}
		return command_write_text(o, alerts_exporter_queries);
	}
	path = command_one_file(o, "alerts", &def);
	if (!path)
		return EXIT_ERROR;
	job.ao.kubernetes = o->kubernetes;
	job.ao.version = CONNBUDGET_VERSION;
	job.ao.idle_threshold_ms = OBSERVE_IDLE_THRESHOLD_MS;
	if (o->idle_threshold && (!observe_parse_duration(o->idle_threshold, &job.ao.idle_threshold_ms) ||
				  job.ao.idle_threshold_ms == 0)) {
		quote_fprintf(stderr, "connbudget: error: --idle-threshold: expected a duration such as "
				"5min or 250ms, got \"%s\"", str_clip(o->idle_threshold));
		goto out;
	}
	sel = xcalloc(o->nselectors ? o->nselectors : 1, sizeof(*sel));
	job.ao.selectors = sel;
	job.ao.nselectors = o->nselectors;
	for (i = 0; i < o->nselectors; i++) {
		if (!alerts_parse_selector(o->selectors[i], &sel[i])) {
			quote_fprintf(stderr, "connbudget: error: --selector: expected [ID=]MATCHERS with PromQL "
					"label matchers such as instance=\"db-1:9187\", got \"%s\"",
				str_clip(o->selectors[i]));
			goto out;
		}
	}
	status = command_run(o, "alerts", &path, 1, alerts_hook, &job);
out:
	alerts_release(&job.set);
	free((void *)job.ao.selectors);
	free(def);
	return status;
}
