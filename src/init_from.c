/*
 * init_from.c - `connbudget init --from PATH`: a starter topology written
 * from the manifests a team already has (docs/sources.md#starting-from-your-manifests).
 *
 * It reads PATH as a `sources:` entry would (load_sources_scan), then
 * writes what a person would otherwise copy by hand:
 *
 *	sources:    the entry itself, and an env: mapping of the variables it
 *	            recognised (DB_POOL → pool.size, WEB_CONCURRENCY → processes)
 *	databases:  one per host:port the workloads' urls name
 *	poolers:    a CloudNativePG Pooler, or a workload named like PgBouncer,
 *	            that a url names
 *	clients:    every workload whose url it could read, bound with from:
 *
 * It writes no figure the manifests hold (check reads those from them on
 * every run) and invents none they lack: max_connections, which no
 * manifest states, is PostgreSQL's default with a comment saying so, and a
 * client whose pool size nothing gives is left to check's CB020. Nothing
 * of a url but its host and port is written, so a password in a manifest
 * never reaches the starter.
 */
#include "init_from.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conninfo.h"
#include "load.h"
#include "load_sources.h"
#include "quote.h"
#include "source/source.h"

/* The variables init recognises, per client field, in the order it tries them. */
static const struct known_field {
	const char *field;
	const char *const vars[8];
} known[] = {
	{ "url", { "DATABASE_URL", "DB_URL", "POSTGRES_URL", "POSTGRESQL_URL", "PG_URL", "DATABASE_URI", NULL } },
	{ "pool.size", { "DB_POOL", "DB_POOL_SIZE", "DATABASE_POOL", "DATABASE_POOL_SIZE", "POOL_SIZE", "PG_POOL_SIZE",
			 NULL } },
	{ "processes", { "WEB_CONCURRENCY", "GUNICORN_WORKERS", "PUMA_WORKERS", "UVICORN_WORKERS", NULL } },
	{ "threads", { "RAILS_MAX_THREADS", "PUMA_MAX_THREADS", "GUNICORN_THREADS", NULL } },
};

enum { MAX_VARS = 8, MAX_LISTED = 20 };

/* Where a url points: a database or a pooler of the starter. */
struct target {
	char *id;
	char *host;
	uint64_t port;
	bool pooler;
	const struct source_item *from;   /* the pooler's workload or CloudNativePG Pooler */
	size_t database;                  /* a pooler's: index into the targets */
	bool upstream_guessed;            /* a PgBouncer workload's database is not in the manifests */
	bool rds_proxy;                   /* an RDS Proxy endpoint; from (an aws_db_proxy, a DBProxy) may be NULL */
};

struct starter {
	const char *kind;                 /* "kubernetes", "compose" */
	struct source_items items;
	bool used[ARRAY_LEN(known)][MAX_VARS];
	const char *extra_url[MAX_VARS];  /* url variables by value, not by a known name */
	size_t nextra;
	struct target *t;
	size_t nt, cap;
	struct strmap ids;                /* every id taken (keys in arena) */
	struct arena *arena;
};

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * A free id made of name: each character outside [A-Za-z0-9_-] becomes
 * '-', the id is cut at 56 characters (so that a suffix keeps it within
 * 64), a taken one gains -2, -3, ... Always returns a malloc'd id.
 */
static char *take_id(struct starter *s, const char *name)
{
	char *base = xstrdup(*name ? name : "x"), *id, *p;
	unsigned n;

	for (p = base; *p; p++)
		if (!id_char(*p))
			*p = '-';
	if (strlen(base) > 56)
		base[56] = '\0';
	id = xstrdup(base);
	for (n = 2; strmap_get(&s->ids, id, NULL); n++) {
		free(id);
		id = xasprintf("%s-%u", base, n);
	}
	free(base);
	strmap_put(&s->ids, arena_strdup(s->arena, id), 0, NULL);
	return id;
}

/* The first label of a host name: "db" of "db.shop.svc.cluster.local". */
static char *first_label(const char *host)
{
	const char *dot = strchr(host, '.');

	return dot ? xstrndup(host, (size_t)(dot - host)) : xstrdup(host);
}

/* Does the value read as a PostgreSQL URI (postgres://, postgresql+psycopg2://, ...)? */
static bool uri_value(const char *v)
{
	struct conninfo ci = { 0 };
	bool uri = v && conninfo_parse(v, &ci, NULL) == 0 && ci.uri;

	conninfo_release(&ci);
	return uri;
}

/*
 * Is e a url variable: one of the names init knows (its value may be a
 * Secret's), or any variable whose value is a PostgreSQL URI
 * (HASURA_GRAPHQL_DATABASE_URL)?
 */
static bool url_var(const struct source_env *e)
{
	size_t k;

	for (k = 0; known[0].vars[k]; k++)
		if (strcmp(e->name, known[0].vars[k]) == 0)
			return true;
	return uri_value(e->value);
}

/* The container of w that sets a url variable, and that variable; NULL when none does. */
static const struct source_env *url_of(const struct source_item *w, const struct source_container **cont,
				       size_t *ncont)
{
	const struct source_env *found = NULL;
	size_t i, k;

	*cont = NULL;
	*ncont = 0;
	for (i = 0; i < w->ncontainers; i++)
		for (k = 0; k < w->containers[i].nenv; k++)
			if (url_var(&w->containers[i].env[k])) {
				if ((*ncont)++ == 0) {
					*cont = &w->containers[i];
					/* the variable's last definition wins, as in Kubernetes and serverless.yml */
					found = source_env_find(&w->containers[i], w->containers[i].env[k].name);
				}
				break;
			}
	return found;
}

/* Note which variables the workload's containers set (the env: mapping). */
static void note_vars(struct starter *s, const struct source_item *w)
{
	size_t f, k, i, x;

	for (f = 0; f < ARRAY_LEN(known); f++)
		for (k = 0; known[f].vars[k]; k++)
			for (i = 0; i < w->ncontainers; i++)
				if (source_env_find(&w->containers[i], known[f].vars[k]))
					s->used[f][k] = true;
	/* a url under a name init does not know: kept for the mapping, in the order met */
	for (i = 0; i < w->ncontainers; i++)
		for (k = 0; k < w->containers[i].nenv; k++) {
			const struct source_env *e = &w->containers[i].env[k];
			bool have = false;

			if (!url_var(e))
				continue;
			for (x = 0; known[0].vars[x]; x++)
				have = have || strcmp(known[0].vars[x], e->name) == 0;
			for (x = 0; x < s->nextra; x++)
				have = have || strcmp(s->extra_url[x], e->name) == 0;
			if (!have && s->nextra < MAX_VARS)
				s->extra_url[s->nextra++] = e->name;
		}
}

static size_t add_target(struct starter *s, const char *id_from, const char *host, uint64_t port, bool pooler)
{
	struct target *t;

	xgrow(&s->t, &s->cap, s->nt + 1, sizeof(*s->t));
	t = &s->t[s->nt];
	memset(t, 0, sizeof(*t));
	t->id = take_id(s, id_from);
	t->host = host ? xstrdup(host) : NULL;
	t->port = port;
	t->pooler = pooler;
	return s->nt++;
}

/* The database at host:port, added on first sight. */
static size_t database_at(struct starter *s, const char *host, uint64_t port, const char *id_from)
{
	size_t i;

	for (i = 0; i < s->nt; i++)
		if (!s->t[i].pooler && s->t[i].host && strcasecmp(s->t[i].host, host) == 0 && s->t[i].port == port)
			return i;
	return add_target(s, id_from, host, port, false);
}

/*
 * A pooler the host names: a CloudNativePG Pooler of that name, else a
 * workload whose name says PgBouncer (its service usually bears the
 * workload's name). NULL when neither.
 */
static const struct source_item *pooler_named(const struct starter *s, const char *label)
{
	size_t i;

	for (i = 0; i < s->items.n; i++) {
		const struct source_item *it = &s->items.v[i];
		if (strcasecmp(it->name, label) != 0)
			continue;
		if (it->role == SOURCE_POOLER || (it->role == SOURCE_WORKLOAD && strstr(it->name, "bouncer")))
			return it;
	}
	return NULL;
}

/*
 * An RDS Proxy endpoint, NAME.proxy-ID.REGION.rds.amazonaws.com
 * (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html):
 * the source's one RDS Proxy, else NULL in *p; false when host is no proxy's.
 */
static bool rds_proxy_at(const struct starter *s, const char *host, const struct source_item **p)
{
	size_t i, n = 0, hl = strlen(host), sl = strlen(".rds.amazonaws.com");

	if (!strstr(host, ".proxy-") || hl < sl || strcasecmp(host + hl - sl, ".rds.amazonaws.com") != 0)
		return false;
	*p = NULL;
	for (i = 0; i < s->items.n; i++)
		if (s->items.v[i].rds_proxy && n++ == 0)
			*p = &s->items.v[i];
	if (n > 1)
		*p = NULL; /* which one, only its endpoint knows */
	return true;
}

/* The target a url's host:port names, added on first sight. */
static size_t target_of(struct starter *s, const char *host, uint64_t port)
{
	char *label = first_label(host);
	const struct source_item *p = pooler_named(s, label);
	size_t i, ti;

	if (!p && rds_proxy_at(s, host, &p)) {
		for (i = 0; i < s->nt; i++)
			if (s->t[i].rds_proxy && s->t[i].host && strcasecmp(s->t[i].host, host) == 0)
				break;
		if (i < s->nt) {
			free(label);
			return i;
		}
		ti = add_target(s, label, host, port, true);
		free(label);
		s->t[ti].rds_proxy = true;
		s->t[ti].from = p;
		s->t[ti].database = SIZE_MAX;
		s->t[ti].upstream_guessed = true;
		return ti;
	}
	if (!p) {
		ti = database_at(s, host, port, label);
		free(label);
		return ti;
	}
	free(label);
	for (i = 0; i < s->nt; i++)
		if (s->t[i].pooler && s->t[i].from == p)
			return i;
	ti = add_target(s, p->name, host, port, true);
	s->t[ti].from = p;
	if (p->role == SOURCE_POOLER && p->cluster) {
		/* CloudNativePG's read-write service of the cluster */
		char *rw = xasprintf("%s-rw", p->cluster);
		i = database_at(s, rw, 5432, p->cluster);
		free(rw);
	} else {
		i = SIZE_MAX;
	}
	s->t[ti].database = i;
	s->t[ti].upstream_guessed = i == SIZE_MAX;
	return ti;
}

/* What from: names item it by: KIND/NAME, with the namespace when another has the name. */
static void put_from(FILE *out, const struct starter *s, const struct source_item *it)
{
	size_t i;
	bool clash = false;
	char *ref;

	for (i = 0; i < s->items.n; i++) {
		const struct source_item *o = &s->items.v[i];
		if (o != it && o->role == it->role && strcmp(o->kind, it->kind) == 0 && strcmp(o->name, it->name) == 0)
			clash = true;
	}
	ref = clash ? xasprintf("%s:%s/%s/%s", s->kind, it->namespace, it->kind, it->name)
		    : xasprintf("%s:%s/%s", s->kind, it->kind, it->name);
	quote_yaml(out, ref);
	free(ref);
}

/* "deployment/web (k8s/web.yaml:7)" for a comment. */
static void put_where(FILE *out, const struct source_item *it)
{
	char *w = xasprintf("%s/%s at %s:%u", it->kind, it->name, it->file, it->pos.line);

	quote_yaml(out, w);
	free(w);
}

static void write_sources(FILE *out, const struct starter *s, const char *path)
{
	size_t f, k;
	bool any = false;

	fputs("sources:\n  - ", out);
	fputs(s->kind, out);
	fputs(": ", out);
	quote_yaml(out, path);
	fputc('\n', out);
	for (f = 0; f < ARRAY_LEN(known); f++) {
		size_t n = f == 0 ? s->nextra : 0;
		for (k = 0; known[f].vars[k]; k++)
			n += s->used[f][k];
		/* DATABASE_URL alone is the default: nothing to say */
		if (n == 0 || (f == 0 && n == 1 && s->used[0][0]))
			continue;
		if (!any)
			fputs("    env:                           # the variables your workloads set\n", out);
		any = true;
		fprintf(out, "      %s: ", known[f].field);
		if (n > 1)
			fputc('[', out);
		for (k = 0, n = 0; known[f].vars[k]; k++)
			if (s->used[f][k])
				fprintf(out, "%s%s", n++ ? ", " : "", known[f].vars[k]);
		for (k = 0; f == 0 && k < s->nextra; k++) {
			fputs(n++ ? ", " : "", out);
			quote_yaml(out, s->extra_url[k]);
		}
		fputs(n > 1 ? "]\n" : "\n", out);
	}
}

static void write_databases(FILE *out, const struct starter *s)
{
	const struct source_item *res = NULL;
	size_t i, nres = 0, ndb = 0;

	for (i = 0; i < s->items.n; i++)
		if (s->items.v[i].role == SOURCE_DATABASE && nres++ == 0)
			res = &s->items.v[i];
	for (i = 0; i < s->nt; i++)
		ndb += !s->t[i].pooler;
	fputs("\ndatabases:\n", out);
	for (i = 0; i < s->nt; i++) {
		const struct target *t = &s->t[i];
		if (t->pooler)
			continue;
		fprintf(out, "  %s:\n", t->id);
		if (nres == 1 && ndb == 1) {
			/* the plan's or template's one database: its class gives max_connections */
			fputs("    from: ", out);
			put_from(out, s, res);
			fputs("   # check: the database the urls name\n", out);
		}
		if (t->host) {
			fputs("    host: ", out);
			quote_yaml(out, t->host);
			fprintf(out, "\n    port: %llu\n", (unsigned long long)t->port);
		} else {
			fputs("    # host: the database behind the pooler: its host and port here\n", out);
		}
		if (!(nres == 1 && ndb == 1))
			fputs("    max_connections: 100           # PostgreSQL's default: set your server's "
			      "(SHOW max_connections)\n", out);
	}
}

static void write_poolers(FILE *out, const struct starter *s)
{
	size_t i;
	bool any = false;

	for (i = 0; i < s->nt; i++) {
		const struct target *t = &s->t[i];
		if (!t->pooler)
			continue;
		if (!any)
			fputs("\npoolers:\n", out);
		any = true;
		fprintf(out, "  %s:\n    type: %s\n", t->id, t->rds_proxy ? "rds_proxy" : "pgbouncer");
		if (t->from) {
			fputs("    from: ", out);
			put_from(out, s, t->from);
			fputc('\n', out);
		}
		fprintf(out, "    database: %s", s->t[t->database].id);
		fputs(t->upstream_guessed ? "                   # check: the database it opens connections to\n"
					  : "\n", out);
		fputs("    host: ", out);
		quote_yaml(out, t->host);
		fprintf(out, "\n    port: %llu\n", (unsigned long long)t->port);
		if (t->from && t->from->role == SOURCE_WORKLOAD)
			fputs("    # config: pgbouncer.ini          # its file gives every pool exactly\n", out);
	}
}

/* A workload's url: its target, or why there is none (*why: a short phrase). */
static bool client_target(struct starter *s, const struct source_item *w, size_t *ti, const char **why,
			  const struct source_container **cont, size_t *ncont)
{
	const struct source_env *u = url_of(w, cont, ncont);
	struct conninfo ci = { 0 };
	bool ok = false;

	*why = "no database url";
	if (!u)
		return false;
	if (!u->value) {
		*why = "its url comes from a Secret or a value never read";
		return false;
	}
	if (conninfo_parse(u->value, &ci, NULL) != 0 || ci.nhosts == 0 || !ci.hosts[0].name[0] ||
	    !ci.hosts[0].port_valid) {
		*why = "its url names no host and port";
	} else {
		*ti = target_of(s, ci.hosts[0].name, ci.hosts[0].port);
		ok = true;
	}
	conninfo_release(&ci);
	return ok;
}

/* Is w the server a url names: a pooler of the starter, or a database's own workload (compose's postgres)? */
static bool serves(const struct starter *s, const struct source_item *w)
{
	size_t i;

	for (i = 0; i < s->nt; i++) {
		const struct target *t = &s->t[i];
		char *label;
		bool same;

		if (t->pooler) {
			if (t->from == w)
				return true;
			continue;
		}
		if (!t->host)
			continue;
		label = first_label(t->host);
		same = strcasecmp(label, w->name) == 0;
		free(label);
		if (same)
			return true;
	}
	return false;
}

static void write_clients(FILE *out, struct starter *s, const size_t *ti, const bool *bound)
{
	size_t i, listed = 0, more = 0;

	fputs("\nclients:\n", out);
	for (i = 0; i < s->items.n; i++) {
		const struct source_item *w = &s->items.v[i];
		const struct source_container *cont;
		size_t ncont;
		char *id;

		if (w->role != SOURCE_WORKLOAD || !bound[i])
			continue;
		id = take_id(s, w->name);
		fprintf(out, "  %s:\n", id);
		free(id);
		fputs("    from: ", out);
		put_from(out, s, w);
		fputc('\n', out);
		(void)url_of(w, &cont, &ncont);
		if (ncont > 1) {
			fputs("    container: ", out);
			quote_yaml(out, cont->name);
			fputs("                # the first of its containers with a url\n", out);
		}
		fprintf(out, "    type: %s\n", w->serverless ? "serverless" : w->job ? "job" : "service");
		fprintf(out, "    connects_to: %s\n", s->t[ti[i]].id);
	}
	for (i = 0; i < s->items.n; i++) {
		const struct source_item *w = &s->items.v[i];
		const struct source_container *cont;
		size_t ncont, unused;
		const char *why;

		if (w->role != SOURCE_WORKLOAD || bound[i] || serves(s, w))
			continue;
		if (listed == MAX_LISTED) {
			more++;
			continue;
		}
		if (listed++ == 0)
			fputs("  # Not bound: bind one with from: and connects_to: if it opens connections.\n", out);
		(void)client_target(s, w, &unused, &why, &cont, &ncont);
		fputs("  #   ", out);
		put_where(out, w);
		fprintf(out, ": %s\n", why);
	}
	if (more)
		fprintf(out, "  #   and %zu more\n", more);
}

/* The first 64 KiB of the file at path, NUL-terminated, in buf; false when it cannot be read. */
static bool file_head(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return true;
}

/*
 * The kind a file reads like, from its first 64 KiB, else NULL (manifests):
 *  - a Terraform plan: JSON naming its "format_version" and "planned_values" or "values";
 *  - a Serverless Framework file: named serverless.*, or top-level
 *    `functions:` and `provider:` (it may hold a template under resources:);
 *  - a CloudFormation or SAM template: AWSTemplateFormatVersion, or
 *    Resources whose types are AWS:: ones;
 *  - a compose file: a top-level `services:` key and no `apiVersion:` (a
 *    Kubernetes manifest has no top-level services; a compose file no
 *    apiVersion).
 */
static const char *kind_of_text(const char *path, const char *base)
{
	char buf[65536];
	const char *p = buf;

	if (!file_head(path, buf, sizeof(buf)))
		return NULL;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '{' && strstr(p, "\"format_version\"") &&
	    (strstr(p, "\"planned_values\"") || strstr(p, "\"values\"")))
		return "terraform";
	/* before CloudFormation: a serverless.yml may hold a template under resources: */
	if (strncmp(base, "serverless.", 11) == 0 ||
	    ((strncmp(buf, "functions:", 10) == 0 || strstr(buf, "\nfunctions:")) &&
	     (strncmp(buf, "provider:", 9) == 0 || strstr(buf, "\nprovider:"))))
		return "serverless";
	if (strstr(buf, "AWSTemplateFormatVersion") ||
	    ((strstr(buf, "Resources:") || strstr(buf, "\"Resources\"")) && strstr(buf, "AWS::")))
		return "cloudformation";
	if ((strncmp(buf, "services:", 9) == 0 || strstr(buf, "\nservices:")) && !strstr(buf, "apiVersion:"))
		return "compose";
	return NULL;
}

/* The kinds init --from reads, as KIND=PATH spells them. */
static const char *const from_kinds[] = { "kubernetes", "compose", "serverless", "cloudformation", "terraform" };

/*
 * KIND=PATH, or PATH: a directory is kubernetes, a file what its name or
 * text says (kind_of_text), else kubernetes.
 */
static int parse_from(const char *spec, const char **kind, const char **path)
{
	const char *eq = strchr(spec, '='), *base, *k;
	struct stat st;
	size_t i;

	for (i = 0; eq && i < ARRAY_LEN(from_kinds); i++)
		if ((size_t)(eq - spec) == strlen(from_kinds[i]) && strncmp(spec, from_kinds[i], (size_t)(eq - spec)) == 0) {
			*kind = from_kinds[i];
			*path = eq + 1;
			return **path ? 0 : -1;
		}
	*path = spec;
	if (strcmp(spec, "-") == 0)
		return -1;
	base = strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec;
	k = stat(spec, &st) == 0 && S_ISREG(st.st_mode) ? kind_of_text(spec, base) : NULL;
	if (!k && stat(spec, &st) == 0 && S_ISREG(st.st_mode) && strstr(base, "compose"))
		k = "compose";
	*kind = k ? k : "kubernetes";
	return 0;
}

/*
 * The source's path as the starter at out writes it: relative to out's
 * directory, as a sources: path is. NULL (after printing why) when it
 * cannot be said.
 */
static char *path_for(const char *path, const char *outfile)
{
	char *slash, *dir, here[PATH_MAX], there[PATH_MAX], target[PATH_MAX], *rel;
	struct sbuf b = { 0 };
	size_t common = 0, i;

	if (path[0] == '/' || strcmp(outfile, "-") == 0 || !(slash = strrchr(outfile, '/')))
		return xstrdup(path);
	dir = xstrndup(outfile, (size_t)(slash - outfile) + 1);
	if (!realpath(".", here) || !realpath(dir, there) || strcmp(here, there) == 0) {
		free(dir);
		return xstrdup(path);
	}
	free(dir);
	if (!realpath(path, target)) {
		quote_fprintf(stderr, "connbudget: error: init --from %s: a glob (or a path that does not exist) "
			      "can only be written for a topology in the working directory", path);
		return NULL;
	}
	/* the longest common directory prefix, then one ../ per directory of there left */
	for (i = 0; there[i] && there[i] == target[i]; i++)
		if (there[i] == '/')
			common = i;
	if (!there[i] && (target[i] == '/' || !target[i]))
		common = i;
	if (common == 0)
		return xstrdup(target);  /* nothing but / in common: the absolute path says it best */
	for (i = common; there[i]; i++)
		if (there[i] == '/')
			sbuf_puts(&b, "../");
	sbuf_puts(&b, target[common] == '/' ? target + common + 1 : target + common);
	if (!b.len)
		sbuf_puts(&b, ".");
	rel = sbuf_detach(&b);
	return rel;
}

int init_from_write(FILE *out, const char *spec, const char *outfile, const char *schema_line)
{
	struct starter s = { 0 };
	struct topology *t = xcalloc(1, sizeof(*t));
	const char *kind, *path;
	char *err = NULL, *rel = NULL;
	size_t i, *ti = NULL, nbound = 0, nwork = 0;
	bool *bound = NULL;
	int rc = -1;

	if (parse_from(spec, &kind, &path) != 0) {
		quote_fprintf(stderr, "connbudget: error: init --from takes a directory, a file, or KIND=PATH "
			      "(kubernetes|compose|serverless|cloudformation|terraform; - is standard input), not \"%s\"", spec);
		goto out;
	}
	s.kind = kind;
	s.arena = &t->arena;
	if (load_sources_scan(t, kind, path, &s.items, &err) != 0) {
		quote_fputs_line(stderr, err);
		goto out;
	}
	if (!(rel = path_for(path, outfile)))
		goto out;
	ti = xcalloc(s.items.n + 1, sizeof(*ti));
	bound = xcalloc(s.items.n + 1, sizeof(*bound));
	for (i = 0; i < s.items.n; i++) {
		const struct source_item *w = &s.items.v[i];
		const struct source_container *cont;
		size_t ncont;
		const char *why;

		if (w->role != SOURCE_WORKLOAD)
			continue;
		nwork++;
		note_vars(&s, w);
		/* a PgBouncer workload a url names is a pooler, not a client */
		if ((bound[i] = client_target(&s, w, &ti[i], &why, &cont, &ncont)))
			nbound++;
	}
	for (i = 0; i < s.nt; i++)
		if (s.t[i].pooler && s.t[i].from && s.t[i].from->role == SOURCE_WORKLOAD)
			bound[s.t[i].from - s.items.v] = false;
	/* a pooler whose upstream the manifests do not name: the one database, else a placeholder */
	for (i = 0; i < s.nt; i++)
		if (s.t[i].pooler && s.t[i].database == SIZE_MAX) {
			size_t k, only = SIZE_MAX, ndb = 0;
			for (k = 0; k < s.nt; k++)
				if (!s.t[k].pooler && ndb++ == 0)
					only = k;
			s.t[i].database = ndb == 1 ? only : add_target(&s, "main", NULL, 5432, false);
		}
	if (nbound == 0) {
		quote_fprintf(stderr, "connbudget: error: init --from %s: none of its %zu workloads has a database url "
			      "init can read (DATABASE_URL, DB_URL, POSTGRES_URL, ...); `connbudget init` writes a "
			      "commented template to start from", path, nwork);
		goto out;
	}
	fputs(schema_line, out);
	fputs("#\n# A starter written by `connbudget init --from ", out);
	quote_yaml(out, path);
	fprintf(out, "` (%zu workload%s).\n"
		"# Replicas, autoscaling, surge and env values are read from the manifests\n"
		"# on every run; what they cannot say is yours to set: max_connections,\n"
		"# and a pool size where check reports CB020.\n"
		"version: 1\n\n", nwork, nwork == 1 ? "" : "s");
	write_sources(out, &s, rel);
	write_databases(out, &s);
	write_poolers(out, &s);
	write_clients(out, &s, ti, bound);
	rc = 0;
out:
	for (i = 0; i < s.nt; i++) {
		free(s.t[i].id);
		free(s.t[i].host);
	}
	free(s.t);
	free(ti);
	free(bound);
	free(rel);
	free(err);
	strmap_release(&s.ids);
	source_items_release(&s.items);
	model_free(t);
	return rc;
}
