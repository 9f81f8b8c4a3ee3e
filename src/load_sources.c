/*
 * load_sources.c - `sources:` (docs/sources.md): the topology's figures read
 * from the manifests they live in.
 *
 * The readers of src/source/ turn each file into items (a Deployment, its
 * autoscaler, a ConfigMap) and know nothing of the topology; this file
 * joins them, finds the workload each `from:` names, picks its container,
 * and hands every fact to load_set_at, so that a value from a manifest is
 * read and checked exactly as the same value written in the topology, and
 * keeps the manifest's position for the findings about it. A workload no
 * client names, whose url points at a declared database or pooler, becomes
 * a client of its own (discovery).
 *
 * Precedence, per fact:
 *  - a value the manifest states (spec.replicas: 3) wins; a different one
 *    in the topology is a mismatch, CB018 at the manifest's line;
 *  - a value the kind implies (a Deployment's 25% surge, one replica)
 *    applies only where the topology says nothing;
 *  - an env variable, when set, wins over the topology's value, which is
 *    the fallback an application uses when its variable is unset.
 */
#include "load_sources.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conninfo.h"
#include "input.h"
#include "load_fields.h"
#include "source/source.h"

/* The kinds of `sources:` entries, looked up by name. */
static const struct source_kind *const kinds[] = { &source_kubernetes, &source_compose, &source_serverless,
						   &source_cloudformation, &source_terraform };
static const char *const kind_names[] = { "kubernetes", "compose", "serverless", "cloudformation", "terraform" };
static const char *const entry_keys[] = { "kubernetes", "compose", "serverless", "cloudformation", "terraform",
					   "env" };
/* The kinds as messages list them. */
static const char KIND_LIST[] = "kubernetes, compose, serverless, cloudformation or terraform";

/* The variable a source's workloads give their database url in, unless env: says. */
static const char DEFAULT_URL_VAR[] = "DATABASE_URL";

enum { SOURCES_MAX_ENTRIES = 100, SOURCES_MAX_FILES = 1000 };

/* ---- reading `sources:` -------------------------------------------------- */

/* Whether name is a client field env: may map: url, or one holding a number or a duration. */
static bool env_field_ok(const char *name)
{
	const char *dot = strchr(name, '.');
	const struct field *f;

	if (strcmp(name, "url") == 0)
		return true;
	f = load_field_find(&load_table_client, name, dot ? (size_t)(dot - name) : strlen(name));
	if (f && dot && f->kind == F_MAP && f->sub)
		f = load_field_find(f->sub, dot + 1, strlen(dot + 1));
	else if (dot)
		return false;
	return f && (f->kind == F_UINT || f->kind == F_DURATION || f->kind == F_SURGE || f->kind == F_REAL);
}

static int read_env_map(struct yr *r, struct topology *t, struct source_entry *e)
{
	struct source_env_var *v = NULL;
	size_t n = 0, cap = 0;
	struct str *vars = NULL;
	size_t nv = 0, vcap = 0;
	int rc = -1;

	if (!yr_is(r, YAML_MAPPING_START_EVENT))
		return yr_type_error(r, "a mapping of client field to variable");
	for (;;) {
		struct str field, var;
		bool list;
		size_t i;

		if (yr_next(r))
			goto out;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			break;
		if (load_read_string(r, &field))
			goto out;
		if (!env_field_ok(field.s)) {
			yr_error(r, "\"%s\" is not a client field the environment can give (url, pool.size, "
				 "pool.acquire_timeout, processes, threads, or another field holding a number)",
				 field.s);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (strcmp(v[i].field, field.s) == 0) {
				yr_error(r, "duplicate key \"%s\" (first at line %u)", field.s, v[i].pos.line);
				goto out;
			}
		yr_path_push(r, field.s);
		if (yr_next(r))
			goto out;
		list = yr_is(r, YAML_SEQUENCE_START_EVENT);
		nv = 0;
		for (;;) {
			if (list) {
				if (yr_next(r))
					goto out;
				if (yr_is(r, YAML_SEQUENCE_END_EVENT))
					break;
			}
			if (nv >= 32) {
				yr_error(r, "more than 32 variables for one field");
				goto out;
			}
			if (load_read_string(r, &var))
				goto out;
			xgrow(&vars, &vcap, nv + 1, sizeof(*vars));
			vars[nv++] = var;
			if (!list)
				break;
		}
		if (nv == 0) {
			yr_error(r, "expected a variable or a list of variables, got an empty list");
			goto out;
		}
		yr_path_pop(r);
		xgrow(&v, &cap, n + 1, sizeof(*v));
		v[n].field = field.s;
		v[n].pos = field.pos;
		v[n].nvars = nv;
		v[n].vars = arena_alloc(&t->arena, nv * sizeof(*vars));
		memcpy(v[n].vars, vars, nv * sizeof(*vars));
		n++;
	}
	e->nenv = n;
	if (n) {
		e->env = arena_alloc(&t->arena, n * sizeof(*v));
		memcpy(e->env, v, n * sizeof(*v));
	}
	rc = 0;
out:
	free(v);
	free(vars);
	return rc;
}

static int read_entry(struct yr *r, struct topology *t, struct source_entry *e)
{
	struct pos start = yr_pos(r);
	size_t k;
	bool env_seen = false;

	memset(e, 0, sizeof(*e));
	if (!yr_is(r, YAML_MAPPING_START_EVENT))
		return yr_type_error(r, "a mapping such as {kubernetes: deploy/*.yaml}");
	for (;;) {
		if (yr_next(r))
			return -1;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			break;
		if (!yr_is(r, YAML_SCALAR_EVENT))
			return yr_type_error(r, "a key");
		for (k = 0; k < ARRAY_LEN(entry_keys); k++)
			if (strlen(entry_keys[k]) == yr_len(r) && memcmp(entry_keys[k], yr_text(r), yr_len(r)) == 0)
				break;
		if (k == ARRAY_LEN(entry_keys))
			return load_unknown_key(r, entry_keys, ARRAY_LEN(entry_keys));
		if (k == ARRAY_LEN(entry_keys) - 1) {
			if (env_seen)
				return yr_error(r, "duplicate key \"env\"");
			env_seen = true;
			yr_path_push(r, "env");
			if (yr_next(r) || read_env_map(r, t, e))
				return -1;
			yr_path_pop(r);
			continue;
		}
		if (e->kind.s)
			return yr_error(r, "one kind of source per entry: \"%s\" is already given", e->kind.s);
		e->kind.s = kind_names[k];
		e->kind.pos = yr_pos(r);
		yr_path_push(r, kind_names[k]);
		if (yr_next(r) || load_read_string(r, &e->path))
			return -1;
		yr_path_pop(r);
	}
	if (!e->kind.s)
		return yr_error_at(r, start, "a source entry needs its kind and path (KIND: PATH, KIND %s)", KIND_LIST);
	return 0;
}

int load_read_sources(struct yr *r, struct topology *t)
{
	struct source_entry *v = NULL;
	size_t n = 0, cap = 0;
	char idx[32];
	int rc = -1;

	if (!yr_is(r, YAML_SEQUENCE_START_EVENT))
		return yr_type_error(r, "a list of sources");
	for (;;) {
		if (yr_next(r))
			goto out;
		if (yr_is(r, YAML_SEQUENCE_END_EVENT))
			break;
		if (n >= SOURCES_MAX_ENTRIES) {
			r->ld->stop = true; /* a limit: nothing more is read */
			yr_error(r, "more than %d sources", SOURCES_MAX_ENTRIES);
			goto out;
		}
		xgrow(&v, &cap, n + 1, sizeof(*v));
		snprintf(idx, sizeof(idx), "[%zu]", n);
		yr_path_push(r, idx);
		if (read_entry(r, t, &v[n]))
			goto out;
		yr_path_pop(r);
		n++;
	}
	t->sources = arena_alloc(&t->arena, (n + 1) * sizeof(*v));
	if (n)
		memcpy(t->sources, v, n * sizeof(*v));
	t->nsources = n;
	rc = 0;
out:
	free(v);
	return rc;
}

/* ---- reading the files --------------------------------------------------- */

/* Everything read from the sources of one load. */
struct bind {
	struct ld *ld;
	struct topology *t;
	size_t *client_cap;
	struct source_items items;      /* of every entry, in order */
	size_t *entry_of;               /* items.v[i] came from t->sources[entry_of[i]] */
	bool *bound;                    /* items.v[i] is named by a from: */
	/* "NAMESPACE/NAME" → ConfigMap, "NAMESPACE/KIND/NAME" → the autoscaler targeting it */
	struct strmap config_maps, autoscalers;
	struct sbuf key, path, label;   /* scratch: an index key, a fact's path and label */
};

/* The index key of ns/name, or ns/kind/name; lives until the next call. */
static const char *item_key(struct bind *b, const char *ns, const char *kind, const char *name)
{
	sbuf_cat(&b->key, ns, "/", kind ? kind : "", kind ? "/" : "", name, (const char *)NULL);
	return b->key.s;
}

/* Index the ConfigMaps and the autoscalers (the first of a name wins, as a lookup in file order did). */
static void index_items(struct bind *b)
{
	size_t i;

	for (i = 0; i < b->items.n; i++) {
		const struct source_item *it = &b->items.v[i];
		if (it->role == SOURCE_CONFIG_MAP)
			strmap_put(&b->config_maps, arena_strdup(&b->t->arena, item_key(b, it->namespace, NULL, it->name)),
				   i, NULL);
		else if (it->role == SOURCE_AUTOSCALER && it->target_name)
			strmap_put(&b->autoscalers,
				   arena_strdup(&b->t->arena, item_key(b, it->namespace, it->target_kind, it->target_name)),
				   i, NULL);
	}
}

static int source_error(struct bind *b, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int source_error(struct bind *b, struct pos pos, const char *fmt, ...)
{
	va_list ap;
	char *what;
	int rc;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	rc = ld_error(b->ld, pos, "%s", what);
	free(what);
	return rc;
}

/* Standard input, whole, within the file size limit. */
static int read_stdin(struct bind *b, struct pos at, char **data, size_t *len)
{
	struct sbuf buf = { 0 };
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbuf_release(&buf);
			return source_error(b, at, "cannot read standard input: %s", strerror(errno));
		}
		if (n == 0)
			break;
		if (buf.len + (size_t)n > LOAD_MAX_FILE_BYTES) {
			sbuf_release(&buf);
			return source_error(b, at, "standard input is larger than the limit of %d bytes (16 MiB)",
					    LOAD_MAX_FILE_BYTES);
		}
		sbuf_add(&buf, chunk, (size_t)n);
	}
	*len = buf.len;
	*data = buf.s ? sbuf_detach(&buf) : xstrdup("");
	return 0;
}

static int read_one(struct bind *b, size_t entry, const struct source_kind *kind, const char *file)
{
	const struct source_entry *e = &b->t->sources[entry];
	const char *data, *name;
	size_t len, first = b->items.n, i;
	char *own = NULL;
	bool owned = false;
	int rc;

	if (strcmp(file, "-") == 0) {
		if (read_stdin(b, e->path.pos, &own, &len))
			return -1;
		data = own;
		name = "<stdin>";
	} else {
		if (input_read(file, &data, &len, &owned) != 0)
			return source_error(b, e->path.pos, "%s \"%s\": %s", e->kind.s, file, input_why());
		if (owned)
			own = (char *)data;
		name = arena_strdup(&b->t->arena, file);
	}
	if (len > LOAD_MAX_FILE_BYTES) {
		free(own);
		return source_error(b, e->path.pos, "%s \"%s\": file of %zu bytes is larger than the limit of %d "
				    "bytes (16 MiB)", e->kind.s, file, len, LOAD_MAX_FILE_BYTES);
	}
	rc = kind->read(b->ld, name, data, len, &b->items);
	free(own);
	for (i = first; i < b->items.n; i++)
		b->items.v[i].file = name;
	b->entry_of = xrealloc(b->entry_of, (b->items.n + 1) * sizeof(*b->entry_of));
	for (i = first; i < b->items.n; i++)
		b->entry_of[i] = entry;
	return rc;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The kind of source entry e. */
static const struct source_kind *kind_of(const struct source_entry *e)
{
	size_t k;

	for (k = 0; k < ARRAY_LEN(kinds); k++)
		if (strcmp(kinds[k]->name, e->kind.s) == 0)
			return kinds[k];
	return NULL;
}

/* The files of one entry: a path, a glob, a directory's *.yaml and *.yml, or "-". */
static int read_entry_files(struct bind *b, size_t entry)
{
	const struct source_entry *e = &b->t->sources[entry];
	const struct source_kind *kind = kind_of(e);
	char *path, **paths = NULL;
	size_t i, n = 0, k;
	struct stat st;
	int rc = 0;

	if (strcmp(e->path.s, "-") == 0)
		return read_one(b, entry, kind, "-");
	path = e->command_line ? xstrdup(e->path.s) : load_join_dir(b->t->file, e->path.s, has_glob(e->path.s));
	if (!has_glob(e->path.s) && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* a directory: its manifests, *.yaml then *.yml, each sorted */
		static const char *const exts[] = { "*.yaml", "*.yml" };
		for (k = 0; rc == 0 && k < ARRAY_LEN(exts); k++) {
			char *dir = load_join_dir("", path, true), *pat = xasprintf("%s/%s", dir, exts[k]);
			free(dir);
			if (input_glob(pat, SOURCES_MAX_FILES, &paths, &n) != 0)
				rc = source_error(b, e->path.pos, "%s \"%s\": %s", e->kind.s, e->path.s, input_why());
			for (i = 0; rc == 0 && i < n; i++)
				rc = read_one(b, entry, kind, paths[i]);
			if (paths)
				input_glob_free(paths, n);
			paths = NULL;
			free(pat);
		}
		free(path);
		return rc;
	}
	if (!has_glob(e->path.s)) {
		rc = read_one(b, entry, kind, path);
		free(path);
		return rc;
	}
	if (input_glob(path, SOURCES_MAX_FILES, &paths, &n) != 0) {
		rc = source_error(b, e->path.pos, "%s \"%s\": %s", e->kind.s, e->path.s, input_why());
	} else if (n == 0) {
		rc = source_error(b, e->path.pos, "%s \"%s\": no file matches", e->kind.s, e->path.s);
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = read_one(b, entry, kind, paths[i]);
	if (paths)
		input_glob_free(paths, n);
	free(path);
	return rc;
}

/* ---- joining what refers across files -------------------------------------- */

static const struct source_item *find_config_map(struct bind *b, const char *ns, const char *name)
{
	size_t i;

	return name && strmap_get(&b->config_maps, item_key(b, ns, NULL, name), &i) ? &b->items.v[i] : NULL;
}

/*
 * configMapKeyRef takes the key's value; envFrom puts every key of the
 * ConfigMap below the container's own variables, which win, as the kubelet
 * does. A ConfigMap not in the sources leaves its variables unknown.
 */
static void join_config_maps(struct bind *b)
{
	size_t i, j, k, m;

	for (i = 0; i < b->items.n; i++) {
		struct source_item *it = &b->items.v[i];
		for (j = 0; it->role != SOURCE_CONFIG_MAP && j < it->ncontainers; j++) {
			struct source_container *c = &it->containers[j];
			size_t extra = 0;

			for (k = 0; k < c->nenv; k++) {
				const struct source_item *cm;
				const struct source_env *v;
				if (!c->env[k].config_map)
					continue;
				cm = find_config_map(b, it->namespace, c->env[k].config_map);
				v = cm && c->env[k].config_key ? source_env_find(&cm->containers[0], c->env[k].config_key)
							       : NULL;
				if (v) {
					c->env[k].value = v->value;
					c->env[k].pos = v->pos;
				}
			}
			for (k = 0; k < c->nfrom; k++) {
				const struct source_item *cm = find_config_map(b, it->namespace, c->from[k].config_map);
				extra += cm ? cm->containers[0].nenv : 0;
			}
			if (extra) {
				struct source_env *env = arena_alloc(&b->t->arena, (extra + c->nenv) * sizeof(*env));
				size_t n = 0;
				for (k = 0; k < c->nfrom; k++) {
					const struct source_item *cm = find_config_map(b, it->namespace, c->from[k].config_map);
					for (m = 0; cm && m < cm->containers[0].nenv; m++)
						env[n++] = cm->containers[0].env[m];
				}
				memcpy(env + n, c->env, c->nenv * sizeof(*env));
				c->env = env;
				c->nenv += n;
			}
		}
	}
}

/*
 * An Argo Rollout with workloadRef runs the pod template of the workload
 * it names (a Deployment in its namespace): its containers, and so their
 * env, are that workload's. The workload keeps its own, and its own
 * replicas (Argo leaves them as they are unless told to scale it down).
 */
static void join_workload_refs(struct bind *b)
{
	size_t i, k;

	for (i = 0; i < b->items.n; i++) {
		struct source_item *it = &b->items.v[i];
		if (!it->template_name || it->ncontainers)
			continue;
		for (k = 0; k < b->items.n; k++) {
			const struct source_item *o = &b->items.v[k];
			if (o->role == SOURCE_WORKLOAD && o != it && strcmp(o->kind, it->template_kind) == 0 &&
			    strcmp(o->name, it->template_name) == 0 && strcmp(o->namespace, it->namespace) == 0) {
				it->containers = o->containers;
				it->ncontainers = o->ncontainers;
				break;
			}
		}
	}
}

/* The autoscaler of a workload: the one whose scaleTargetRef names it. */
static const struct source_item *find_autoscaler(struct bind *b, const struct source_item *w)
{
	size_t i;

	return strmap_get(&b->autoscalers, item_key(b, w->namespace, w->kind, w->name), &i) ? &b->items.v[i] : NULL;
}

/* ---- binding ------------------------------------------------------------------ */

/* Set the field at path (clients.ID.FIELD) to value, read at pos; errors at pos under label. */
static int set_fact(struct bind *b, const char *path, const char *value, const char *label, struct pos pos)
{
	char *err = NULL;
	int rc = load_set_at(b->t, path, value, label, pos, &err);

	if (rc) {
		ld_clear(b->ld);
		ld_error_msg(b->ld, err);
	}
	return rc;
}

/* Where a fact goes: a client's or a pooler's field. */
struct target {
	const char *object;             /* "clients.web" */
	const struct strlist *ignore;
	const struct source_item *w;
};

static void add_mismatch(struct bind *b, const struct target *tg, const char *name, struct pos yaml_pos,
			 const char *yaml_value, const struct source_value *v, const char *what);
static const char *num_text(struct bind *b, const char *name, struct num n, bool percent);

/*
 * Apply one fact the workload gives a numeric field (replicas, max_replicas,
 * surge, instances) at *now (and *percent for surge): stated, it wins and a
 * different topology value is a mismatch (CB018); implied, it fills only a
 * field the topology leaves unset. now is read again after the set, so it
 * must not be a client's cold field (load_set_at copies those): see
 * apply_concurrency.
 */
static int apply_fact(struct bind *b, const struct target *tg, const char *name, const struct source_value *v,
		      const struct num *now, const bool *percent, const char *what)
{
	struct num before = *now;
	bool before_percent = percent && *percent;
	int rc;

	if (!v->text || (v->implied && VALUE_SET(before)))
		return 0;
	rc = set_fact(b, sbuf_cat(&b->path, tg->object, ".", name, (const char *)NULL), v->text,
		      sbuf_cat(&b->label, tg->w->kind, "/", tg->w->name, " ", what, (const char *)NULL), v->pos);
	if (rc)
		return -1;
	if (!v->implied && VALUE_SET(before) && (before.v != now->v || (percent && before_percent != *percent)))
		add_mismatch(b, tg, name, before.pos, num_text(b, name, before, before_percent), v, what);
	return 0;
}

/* A function's provisioned concurrency, a cold client field: apply_fact, read again from the new block. */
static int apply_concurrency(struct bind *b, const struct target *tg, size_t ci, const char *what)
{
	const struct source_value *v = &tg->w->concurrency;
	struct num before = client_cold(&b->t->clients[ci])->concurrency, same = before;

	if (apply_fact(b, tg, "concurrency", v, &same, NULL, what))
		return -1;
	if (v->text && VALUE_SET(before) && client_cold(&b->t->clients[ci])->concurrency.v != before.v)
		add_mismatch(b, tg, "concurrency", before.pos, num_text(b, "concurrency", before, false), v, what);
	return 0;
}

/* A topology value as CB018 quotes it: a count, a percentage or a pool mode. */
static const char *num_text(struct bind *b, const char *name, struct num n, bool percent)
{
	return strcmp(name, "pool_mode") == 0 ? arena_strdup(&b->t->arena, pool_mode_name((enum pool_mode)n.v)) :
		arena_printf(&b->t->arena, "%llu%s", (unsigned long long)n.v, percent ? "%" : "");
}

/* CB018: the topology states yaml_value (at yaml_pos) for field name, the workload v (what, in its own words). */
static void add_mismatch(struct bind *b, const struct target *tg, const char *name, struct pos yaml_pos,
			 const char *yaml_value, const struct source_value *v, const char *what)
{
	struct config_mismatch m = { 0 };

	m.setting = name;
	m.yaml_pos = yaml_pos;
	m.conf_pos = v->pos;
	m.yaml_value = arena_strdup(&b->t->arena, yaml_value);
	m.conf_value = arena_strdup(&b->t->arena, v->text);
	m.object = tg->object;
	m.ignore = tg->ignore;
	m.detail = arena_printf(&b->t->arena, "%s of %s/%s", what, tg->w->kind, tg->w->name);
	b->t->mismatches = xrealloc(b->t->mismatches, (b->t->nmismatches + 1) * sizeof(*b->t->mismatches));
	b->t->mismatches[b->t->nmismatches++] = m;
}

static const struct str default_url_var = { DEFAULT_URL_VAR, { 0 } };

/* The variables env: maps field to, DATABASE_URL for an unmapped url; n 0 when none. */
static const struct str *env_vars(const struct source_entry *e, const char *field, size_t *n)
{
	size_t i;

	for (i = 0; i < e->nenv; i++)
		if (strcmp(e->env[i].field, field) == 0) {
			*n = e->env[i].nvars;
			return e->env[i].vars;
		}
	*n = strcmp(field, "url") == 0;
	return &default_url_var;
}

/* The first of vars the container sets to a known value, or NULL. */
static const struct source_env *first_set(const struct source_container *c, const struct str *vars, size_t n)
{
	const struct source_env *e;
	size_t i;

	for (i = 0; i < n; i++)
		if ((e = source_env_find(c, vars[i].s)) && e->value)
			return e;
	return NULL;
}

/*
 * The container a client reads: the one `container:` names, else the one
 * whose env has the url variable, else the workload's only one.
 */
static int pick_container(struct bind *b, const struct source_item *w, const struct source_entry *e,
			  const struct str *want, struct pos at, const struct source_container **out)
{
	const struct str *vars;
	size_t i, n, found = 0, k;

	*out = NULL;
	if (want && want->s) {
		for (i = 0; i < w->ncontainers; i++)
			if (strcmp(w->containers[i].name, want->s) == 0) {
				*out = &w->containers[i];
				return 0;
			}
		return source_error(b, want->pos, "container: %s/%s has no container \"%s\"", w->kind, w->name,
				    want->s);
	}
	vars = env_vars(e, "url", &n);
	for (i = 0; i < w->ncontainers; i++)
		for (k = 0; k < n; k++)
			if (source_env_find(&w->containers[i], vars[k].s)) {
				if (found++ == 0)
					*out = &w->containers[i];
				break;
			}
	if (found == 1)
		return 0;
	if (found == 0 && w->ncontainers == 1) {
		*out = &w->containers[0];
		return 0;
	}
	*out = NULL;
	if (w->ncontainers == 0)
		return 0;
	return source_error(b, at, "%s/%s has %zu containers%s: say which with container:", w->kind, w->name,
			    w->ncontainers, found ? " that set the url variable" : " and none sets the url variable");
}

/* The workload's replicas: spec.replicas, else its autoscaler's floor, else 1. */
static struct source_value replicas_of(const struct source_item *w, const struct source_item *as)
{
	if (w->replicas.text)
		return w->replicas;
	if (as && as->min_replicas.text) {
		struct source_value v = as->min_replicas;
		v.implied = true;
		return v;
	}
	return (struct source_value){ "1", w->pos, true };
}

static struct workload_ref *make_ref(struct bind *b, const struct source_item *w, const struct source_entry *e,
				     const struct source_container *c)
{
	struct workload_ref *ref = arena_alloc(&b->t->arena, sizeof(*ref));

	ref->file = w->file;
	ref->kind = w->kind;
	ref->namespace = strcmp(e->kind.s, "compose") != 0 ? w->namespace : NULL; /* a module's path in terraform */
	ref->name = w->name;
	ref->container = c ? c->name : NULL;
	ref->pos = w->pos;
	ref->pool_vars = NULL;
	{
		size_t i, n;
		const struct str *vars = env_vars(e, "pool.size", &n);
		struct sbuf sb = { 0 };

		for (i = 0; i < n; i++)
			sbuf_cat_more(&sb, i == 0 ? "" : i + 1 == n ? " or " : ", ", vars[i].s, (const char *)NULL);
		if (sb.s)
			ref->pool_vars = arena_strdup(&b->t->arena, sb.s);
		sbuf_release(&sb);
	}
	return ref;
}

/* Everything the workload (item wi) says about client ci. */
static int apply_client(struct bind *b, size_t ci, size_t wi)
{
	struct topology *t = b->t;
	struct client *c = &t->clients[ci];
	const struct source_item *w = &b->items.v[wi], *as = find_autoscaler(b, w);
	const struct source_entry *e = &t->sources[b->entry_of[wi]];
	const struct source_container *cont;
	struct client_cold *cold;
	struct target tg;
	struct source_value rep = replicas_of(w, as);
	struct source_value none = { 0 };
	size_t i, n;

	if (w->serverless != (c->type.v == CLIENT_SERVERLESS))
		return source_error(b, client_cold(c)->from.pos, "from: %s/%s is %s: client '%s' must be of type %s",
				    w->kind, str_clip(w->name), w->serverless ? "a function" : "not a function",
				    str_clip(c->id.s), w->serverless ? "serverless" : "service, worker, job or tool");
	if (pick_container(b, w, e, &client_cold(c)->container, client_cold(c)->from.pos, &cont))
		return -1;
	tg.object = arena_printf(&t->arena, "clients.%s", c->id.s);
	tg.ignore = &client_cold(c)->ignore;
	tg.w = w;
	if (w->serverless) {
		const char *reserved = kind_of(e)->reserved, *provisioned = kind_of(e)->provisioned;

		/* "-1" (a plan's): no reservation, so no max_concurrency (CB016); a topology's bound is then a drift */
		if (w->max_concurrency.text && strcmp(w->max_concurrency.text, "-1") == 0) {
			if (VALUE_SET(c->max_concurrency))
				add_mismatch(b, &tg, "max_concurrency", c->max_concurrency.pos,
					     num_text(b, "max_concurrency", c->max_concurrency, false), &w->max_concurrency,
					     reserved);
		} else if (apply_fact(b, &tg, "max_concurrency", &w->max_concurrency, &c->max_concurrency, NULL,
				      reserved)) {
			return -1;
		}
		/* a function has no replicas: its ceiling above, its warm floor here */
		if (apply_concurrency(b, &tg, ci, provisioned))
			return -1;
	} else if (apply_fact(b, &tg, "replicas", &rep, &c->replicas, NULL, w->job ? "parallelism" : "replicas") ||
		   apply_fact(b, &tg, "max_replicas", as ? &as->max_replicas : &none, &c->max_replicas, NULL,
			      "maxReplicas") ||
		   apply_fact(b, &tg, "surge", &w->surge, &c->surge, &c->surge_percent, "maxSurge")) {
		return -1;
	}
	/* the env mapping: url first, then every field in the order written */
	for (i = 0; cont && i <= e->nenv; i++) {
		const char *field = i == 0 ? "url" : e->env[i - 1].field;
		const struct str *vars;
		const struct source_env *v;
		int rc;

		if (i > 0 && strcmp(field, "url") == 0)
			continue;
		vars = env_vars(e, field, &n);
		if (!(v = first_set(cont, vars, n)))
			continue;
		rc = set_fact(b, sbuf_cat(&b->path, "clients.", c->id.s, ".", field, (const char *)NULL), v->value,
			      sbuf_cat(&b->label, "env ", v->name, (const char *)NULL), v->pos);
		if (rc)
			return -1;
	}
	c = &t->clients[ci];
	cold = client_cold_edit(&t->arena, c, false);
	cold->source = make_ref(b, w, e, cont);
	return 0;
}

/* A workload's count as written: digits, with a % when percent is given. */
static int count_of(struct bind *b, const struct source_value *v, const char *what, bool *percent, uint64_t *out)
{
	const char *p = v->text;
	uint64_t n = 0;

	if (percent)
		*percent = false;
	if (!*p)
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++)
		if (!u64_mul(n, 10, &n) || !u64_add(n, (uint64_t)(*p - '0'), &n))
			goto bad;
	if (percent && *p == '%' && p[1] == '\0' && p != v->text) {
		*percent = true;
		p++;
	}
	if (*p)
		goto bad;
	*out = n;
	return 0;
bad:
	return source_error(b, v->pos, "%s: expected a non-negative integer%s", what,
			    percent ? " or a percentage" : "");
}

/*
 * An RDS Proxy's connection limit from its target group: the pooler must be
 * one (type rds_proxy), since no other pooler has a percentage to take.
 */
static int apply_rds_proxy(struct bind *b, size_t pi, size_t wi, const struct target *tg)
{
	struct pooler *p = &b->t->poolers[pi];
	const struct source_item *w = &b->items.v[wi];

	if (p->type.v != POOLER_RDS_PROXY)
		return source_error(b, p->from.pos, "poolers.%s: from: names %s/%s, an RDS Proxy: write type: rds_proxy",
				    p->id.s, w->kind, str_clip(w->name));
	if (apply_fact(b, tg, "max_connections_percent", &w->max_connections_percent, &p->max_connections_percent,
		       NULL, kind_of(&b->t->sources[b->entry_of[wi]])->proxy_percent))
		return -1;
	p->source = make_ref(b, w, &b->t->sources[b->entry_of[wi]], NULL);
	return 0;
}

/*
 * A pooler's instances from its workload (a PgBouncer Deployment, or a
 * CloudNativePG Pooler and its settings): steady the replicas, peak
 * max_replicas + surge, since during a rolling deploy of the pooler the
 * old and the new pods each hold their pools.
 */
static int apply_pooler(struct bind *b, size_t pi, size_t wi)
{
	struct topology *t = b->t;
	struct pooler *p = &t->poolers[pi];
	const struct source_item *w = &b->items.v[wi], *as = find_autoscaler(b, w);
	struct source_value rep = replicas_of(w, as);
	uint64_t max, surge;
	bool percent;
	struct target tg;
	struct workload_ref *ref;

	tg.object = arena_printf(&t->arena, "poolers.%s", p->id.s);
	tg.ignore = &p->ignore;
	tg.w = w;
	if (w->rds_proxy)
		return apply_rds_proxy(b, pi, wi, &tg);
	if (p->type.v == POOLER_RDS_PROXY)
		return source_error(b, p->from.pos, "poolers.%s: from: names %s/%s, not an RDS Proxy (aws_db_proxy, "
				    "AWS::RDS::DBProxy)", p->id.s, w->kind, str_clip(w->name));
	if (apply_fact(b, &tg, "instances", &rep, &p->instances, NULL, w->role == SOURCE_POOLER ? "instances" : "replicas"))
		return -1;
	if (w->role == SOURCE_POOLER &&
	    (apply_fact(b, &tg, "pool_mode", &w->pool_mode, &p->pool_mode, NULL, "poolMode") ||
	     apply_fact(b, &tg, "default_pool_size", &w->default_pool_size, &p->default_pool_size, NULL,
			"parameters.default_pool_size") ||
	     apply_fact(b, &tg, "max_client_conn", &w->max_client_conn, &p->max_client_conn, NULL,
			"parameters.max_client_conn") ||
	     apply_fact(b, &tg, "reserve_pool_size", &w->reserve_pool_size, &p->reserve_pool_size, NULL,
			"parameters.reserve_pool_size")))
		return -1;
	max = VALUE_SET(p->instances) ? p->instances.v : 1;
	if (as && as->max_replicas.text && count_of(b, &as->max_replicas, "maxReplicas", NULL, &max))
		return -1;
	surge = 0;
	if (w->surge.text) {
		if (count_of(b, &w->surge, "maxSurge", &percent, &surge))
			return -1;
		if (percent && (surge > 100 || !u64_mul_div_ceil(max, surge, 100, &surge)))
			return source_error(b, w->surge.pos, "maxSurge: a percentage up to 100%%");
	}
	if (!u64_add(max, surge, &p->instances_peak.v))
		return source_error(b, w->pos, "%s/%s: max_replicas + surge is too large", w->kind, w->name);
	p->instances_peak.pos = as && as->max_replicas.text ? as->max_replicas.pos : w->surge.text ? w->surge.pos : w->pos;
	ref = make_ref(b, w, &t->sources[b->entry_of[wi]], NULL);
	p->source = ref;
	return 0;
}

/*
 * One string fact of a database (instance, provider) from its resource:
 * stated, it wins, and another value in the topology is a mismatch (CB018).
 * A provider the topology leaves unset is rds's, none to compare.
 */
static int apply_db_str(struct bind *b, const struct target *tg, const char *name, const struct str *now,
			const struct source_value *v, const char *what)
{
	struct str before = *now;

	if (!v->text)
		return 0; /* known only after apply */
	if (set_fact(b, sbuf_cat(&b->path, tg->object, ".", name, (const char *)NULL), v->text,
		     sbuf_cat(&b->label, tg->w->kind, "/", tg->w->name, " ", what, (const char *)NULL), v->pos))
		return -1;
	if (before.s && strcmp(before.s, now->s) != 0)
		add_mismatch(b, tg, name, before.pos, before.s, v, what);
	return 0;
}

/* An Aurora Serverless v2 capacity (min_acu, max_acu) of the database's cluster: as apply_db_str. */
static int apply_db_real(struct bind *b, const struct target *tg, const char *name, const struct real *now,
			 const struct source_value *v, const char *what)
{
	struct real before = *now;

	if (!v->text)
		return 0;
	if (set_fact(b, sbuf_cat(&b->path, tg->object, ".", name, (const char *)NULL), v->text,
		     sbuf_cat(&b->label, tg->w->kind, "/", tg->w->name, " ", what, (const char *)NULL), v->pos))
		return -1;
	if (VALUE_SET(before) && before.v != now->v)
		add_mismatch(b, tg, name, before.pos, arena_printf(&b->t->arena, "%g", before.v), v, what);
	return 0;
}

/*
 * A database's instance from its aws_db_instance, aws_rds_cluster_instance,
 * azurerm_postgresql_flexible_server, google_sql_database_instance (its
 * flags' max_connections only) or AWS::RDS::DBInstance: its provider
 * (aurora for a cluster instance, azure for a flexible server), its
 * instance class or SKU, or an Aurora Serverless v2 instance's capacity
 * range from its cluster, and the max_connections of its parameter group
 * or server configuration, which wins over the catalog's. Each fact is
 * quoted in CB018 as the item's file calls it (provider_word, ...).
 */
static int apply_database(struct bind *b, size_t di, size_t wi)
{
	struct topology *t = b->t;
	struct database *d = &t->databases[di];
	const struct source_item *w = &b->items.v[wi];
	struct target tg;

	tg.object = arena_printf(&t->arena, "databases.%s", d->id.s);
	tg.ignore = &d->ignore;
	tg.w = w;
	if (apply_db_str(b, &tg, "provider", &t->databases[di].provider, &w->provider, w->provider_word) ||
	    apply_db_str(b, &tg, "instance", &t->databases[di].instance, &w->instance, w->instance_word) ||
	    apply_db_real(b, &tg, "min_acu", &t->databases[di].min_acu, &w->min_acu, w->min_acu_word) ||
	    apply_db_real(b, &tg, "max_acu", &t->databases[di].max_acu, &w->max_acu, w->max_acu_word) ||
	    apply_fact(b, &tg, "max_connections", &w->max_connections, &t->databases[di].max_connections, NULL,
		       w->max_connections_word))
		return -1;
	t->databases[di].source = make_ref(b, w, &t->sources[b->entry_of[wi]], NULL);
	return 0;
}

/*
 * A Terraform resource address after "terraform:", as a plan writes it:
 * TYPE.LABEL in the root module, module.A.TYPE.LABEL (module.A.module.B...)
 * in a child module. Sets *ns ("default", or the module path "A.B"),
 * *kind and *name (malloc'd) and returns true; false when s is not one.
 */
static bool terraform_address(const char *s, char **ns, char **kind, char **name)
{
	struct sbuf path = { 0 };
	const char *dot, *label;

	while (strncmp(s, "module.", 7) == 0 && (dot = strchr(s + 7, '.')) && dot > s + 7) {
		if (path.len)
			sbuf_putc(&path, '.');
		sbuf_add(&path, s + 7, (size_t)(dot - s - 7));
		s = dot + 1;
	}
	dot = strchr(s, '.');
	label = dot ? dot + 1 : NULL;
	if (!dot || dot == s || !*label || strchr(label, '.') || strpbrk(s, "/[]\"") ) {
		sbuf_release(&path);
		return false;
	}
	*ns = xstrdup(path.s ? path.s : "default");
	*kind = xstrndup(s, (size_t)(dot - s));
	*name = xstrdup(label);
	sbuf_release(&path);
	return true;
}

/*
 * The item a from: names: SOURCE:KIND/NAME or SOURCE:NAMESPACE/KIND/NAME
 * (a Terraform plan's also by its address, terraform:aws_ecs_service.api),
 * of one of roles (1 << SOURCE_WORKLOAD, ...): a pooler may name a
 * CloudNativePG Pooler as well as a workload, a database a database.
 */
static int find_from(struct bind *b, const struct str *from, unsigned roles, size_t *out)
{
	const char *colon = strchr(from->s, ':'), *rest, *s1, *s2;
	char *src = NULL, *ns = NULL, *kind = NULL, *name = NULL;
	size_t i, found = 0, k;
	bool have_source = false, address = false;
	int rc = -1;

	if (colon && (size_t)(colon - from->s) == strlen("terraform") && strncmp(from->s, "terraform", 9) == 0 &&
	    !strchr(colon + 1, '/') && terraform_address(colon + 1, &ns, &kind, &name)) {
		src = xstrdup("terraform");
		address = true;
		goto named;
	}
	if (!colon || !(s1 = strchr(colon + 1, '/'))) {
		source_error(b, from->pos, "from: expected SOURCE:KIND/NAME or SOURCE:NAMESPACE/KIND/NAME "
			     "(kubernetes:deployment/web; a plan's resource also by its address, "
			     "terraform:aws_ecs_service.api), got \"%s\"", str_clip(from->s));
		return -1;
	}
	src = xstrndup(from->s, (size_t)(colon - from->s));
	rest = colon + 1;
	if ((s2 = strchr(s1 + 1, '/'))) {
		ns = xstrndup(rest, (size_t)(s1 - rest));
		kind = xstrndup(s1 + 1, (size_t)(s2 - s1 - 1));
		name = xstrdup(s2 + 1);
	} else {
		kind = xstrndup(rest, (size_t)(s1 - rest));
		name = xstrdup(s1 + 1);
	}
named:
	for (k = 0; k < b->t->nsources; k++)
		if (strcmp(b->t->sources[k].kind.s, src) == 0)
			have_source = true;
	if (!have_source) {
		source_error(b, from->pos, "from: no %s source in sources: (KIND: PATH, KIND %s)",
			     str_clip(src), KIND_LIST);
		goto out;
	}
	for (i = 0; i < b->items.n; i++) {
		const struct source_item *it = &b->items.v[i];
		if (strcmp(b->t->sources[b->entry_of[i]].kind.s, src) != 0)
			continue;
		if (!(roles & (1u << it->role)) || ((roles & (1u << SOURCE_POOLER)) && it->serverless))
			continue; /* a pooler's from: never names a function */
		if (strcasecmp(it->kind, kind) != 0 || strcmp(it->name, name) != 0)
			continue;
		if (ns && strcmp(it->namespace, ns) != 0)
			continue;
		if (found++ == 0)
			*out = i;
	}
	if (found == 0 && address)
		source_error(b, from->pos, "from: no %s in the terraform sources", str_clip(colon + 1));
	else if (found == 0)
		source_error(b, from->pos, "from: no %s \"%s\"%s%s in the %s sources", str_clip(kind), str_clip(name),
			     ns ? " in namespace " : "", ns ? str_clip(ns) : "", src);
	else if (found > 1)
		source_error(b, from->pos, "from: %s/%s is in several namespaces: write %s:NAMESPACE/%s/%s",
			     str_clip(kind), str_clip(name), src, str_clip(kind), str_clip(name));
	else
		rc = 0;
out:
	free(src);
	free(ns);
	free(kind);
	free(name);
	return rc;
}

/* The declared database or pooler at host:port: its id, or NULL. */
static const char *declared_at(const struct topology *t, const char *host, uint64_t port)
{
	size_t i;

	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		if (d->host.s && strcasecmp(d->host.s, host) == 0 &&
		    (VALUE_SET(d->port) ? d->port.v : 5432) == port)
			return d->id.s;
	}
	for (i = 0; i < t->npoolers; i++) {
		const struct pooler *p = &t->poolers[i];
		if (p->host.s && strcasecmp(p->host.s, host) == 0 && (!VALUE_SET(p->port) || p->port.v == port))
			return p->id.s;
	}
	return NULL;
}

/* What the workload's url names, if it is declared: the id, else NULL. */
static const char *url_target(const struct bind *b, const struct source_item *w)
{
	const struct source_entry *e = &b->t->sources[b->entry_of[w - b->items.v]];
	const struct str *vars;
	const char *id = NULL;
	size_t i, n;

	vars = env_vars(e, "url", &n);
	for (i = 0; !id && i < w->ncontainers; i++) {
		const struct source_env *u = first_set(&w->containers[i], vars, n);
		struct conninfo ci = { 0 };

		if (u && conninfo_parse(u->value, &ci, NULL) == 0 && ci.nhosts > 0 && ci.hosts[0].port_valid)
			id = declared_at(b->t, ci.hosts[0].name, ci.hosts[0].port);
		conninfo_release(&ci);
	}
	return id;
}

static bool id_ok(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > LOAD_MAX_ID_LEN)
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return false;
	return true;
}

/*
 * A discovered client's id: NAME, else NAMESPACE-NAME, else
 * KIND-NAMESPACE-NAME (dots become dashes). A Terraform resource (its kind
 * a resource type, with an underscore) is named by its label in the root
 * module and MODULE-label in a child module, else TYPE-that with the
 * provider's aws_ dropped (lambda_function-report), as docs/sources.md says.
 */
static char *discovered_id(const struct topology *t, const struct source_item *w)
{
	char *c[3], *p;
	size_t i, k, unused;

	if (strchr(w->kind, '_') && w->namespace) {
		const char *type = strncmp(w->kind, "aws_", 4) == 0 ? w->kind + 4 : w->kind;

		c[0] = strcmp(w->namespace, "default") == 0 ? xstrdup(w->name) :
			xasprintf("%s-%s", w->namespace, w->name);
		c[1] = xasprintf("%s-%s", type, c[0]);
		c[2] = xasprintf("%s-%s-%s", w->kind, w->namespace, w->name);
	} else {
		c[0] = xstrdup(w->name);
		c[1] = xasprintf("%s-%s", w->namespace, w->name);
		c[2] = xasprintf("%s-%s-%s", w->kind, w->namespace, w->name);
	}
	for (i = 0; i < 3; i++) {
		for (p = c[i]; *p; p++)
			if (*p == '.')
				*p = '-';
		if (id_ok(c[i]) && !strmap_get(&t->client_index, c[i], &unused)) {
			for (k = 0; k < 3; k++)
				if (k != i)
					free(c[k]);
			return c[i];
		}
	}
	for (k = 0; k < 3; k++)
		free(c[k]);
	return NULL;
}

static int discover(struct bind *b, size_t wi)
{
	struct topology *t = b->t;
	const struct source_item *w = &b->items.v[wi];
	const char *target = url_target(b, w);
	char *id;
	size_t ci, old;
	struct client *c;
	int rc;

	if (!target)
		return 0;
	if (!(id = discovered_id(t, w)))
		return source_error(b, w->pos, "%s/%s points at \"%s\" but no client id is free for it "
				    "(%s, %s-%s, %s-%s-%s): bind it with from:", w->kind, w->name, target, w->name,
				    w->namespace, w->name, w->kind, w->namespace, w->name);
	ci = t->nclients++;
	xbig_grow(&t->clients, b->client_cap, t->nclients, sizeof(*t->clients));
	c = &t->clients[ci];
	memset(c, 0, sizeof(*c));
	c->id.s = arena_strdup(&t->arena, id);
	c->id.pos = w->pos;
	c->environment = t->environment;
	free(id);
	strmap_put(&t->client_index, c->id.s, ci, &old);
	rc = set_fact(b, sbuf_cat(&b->path, "clients.", c->id.s, ".type", (const char *)NULL),
		      w->serverless ? "serverless" : w->job ? "job" : "service", "discovered", w->pos);
	if (rc)
		return -1;
	rc = set_fact(b, sbuf_cat(&b->path, "clients.", t->clients[ci].id.s, ".connects_to", (const char *)NULL),
		      target, "discovered", w->pos);
	if (rc || apply_client(b, ci, wi))
		return -1;
	client_cold_edit(&t->arena, &t->clients[ci], false)->discovered = true;
	return 0;
}

/* --source KIND=PATH, for every load of this run (command line state, as --set's). */
static struct { const char *kind, *path; } cli_sources[SOURCES_MAX_ENTRIES];
static size_t ncli_sources;

int load_sources_cli_add(const char *spec, char **err)
{
	const char *eq = strchr(spec, '=');
	size_t k;

	for (k = 0; eq && k < ARRAY_LEN(kind_names); k++)
		if (strlen(kind_names[k]) == (size_t)(eq - spec) && memcmp(kind_names[k], spec, (size_t)(eq - spec)) == 0)
			break;
	if (!eq || k == ARRAY_LEN(kind_names) || !eq[1]) {
		*err = xasprintf("--source takes KIND=PATH, KIND %s, PATH a file, glob, "
				 "directory or - (standard input)", KIND_LIST);
		return -1;
	}
	if (ncli_sources >= SOURCES_MAX_ENTRIES) {
		*err = xasprintf("more than %d --source options", SOURCES_MAX_ENTRIES);
		return -1;
	}
	cli_sources[ncli_sources].kind = kind_names[k];
	cli_sources[ncli_sources].path = eq + 1;
	ncli_sources++;
	return 0;
}

/* The command line's sources after the topology's own. */
static void add_cli_sources(struct topology *t)
{
	struct source_entry *v;
	size_t i, k;

	if (ncli_sources == 0)
		return;
	v = arena_alloc(&t->arena, (t->nsources + ncli_sources) * sizeof(*v));
	if (t->nsources)
		memcpy(v, t->sources, t->nsources * sizeof(*v));
	for (i = 0; i < ncli_sources; i++) {
		struct source_entry *e = &v[t->nsources + i];
		memset(e, 0, sizeof(*e));
		e->kind.s = cli_sources[i].kind;
		e->kind.pos = e->path.pos = pos_make("--source", 1, 1);
		e->path.s = cli_sources[i].path;
		e->command_line = true;
		/* the env mapping of the topology's first source of the same kind */
		for (k = 0; k < t->nsources; k++)
			if (strcmp(v[k].kind.s, e->kind.s) == 0) {
				e->env = v[k].env;
				e->nenv = v[k].nenv;
				break;
			}
	}
	t->sources = v;
	t->nsources += ncli_sources;
}

/* Read every entry of b->t's sources into b->items and join what refers across files. */
static int read_and_join(struct bind *b)
{
	size_t i;
	int rc = 0;

	b->items.arena = &b->t->arena;
	for (i = 0; rc == 0 && i < b->t->nsources; i++)
		rc = read_entry_files(b, i);
	if (rc)
		return rc;
	index_items(b);
	join_config_maps(b);
	join_workload_refs(b);
	return 0;
}

/* Everything of b but its items, which the caller keeps or releases. */
static void bind_release(struct bind *b)
{
	strmap_release(&b->config_maps);
	strmap_release(&b->autoscalers);
	sbuf_release(&b->key);
	sbuf_release(&b->path);
	sbuf_release(&b->label);
	free(b->entry_of);
	free(b->bound);
}

int load_sources_apply(struct ld *ld, struct topology *t, size_t *client_cap)
{
	struct bind b = { 0 };
	size_t i, wi, nclients;
	int rc = 0;

	add_cli_sources(t);
	if (t->nsources == 0)
		return 0;
	b.ld = ld;
	b.t = t;
	b.client_cap = client_cap;
	if ((rc = read_and_join(&b)) != 0)
		goto out;
	b.bound = xcalloc(b.items.n + 1, sizeof(*b.bound));
	nclients = t->nclients;
	for (i = 0; rc == 0 && i < nclients; i++) {
		const struct client_cold *cc = client_cold(&t->clients[i]);
		if (!cc->from.s)
			continue;
		if ((rc = find_from(&b, &cc->from, 1u << SOURCE_WORKLOAD, &wi)) == 0) {
			b.bound[wi] = true;
			rc = apply_client(&b, i, wi);
		}
	}
	for (i = 0; rc == 0 && i < t->npoolers; i++)
		if (t->poolers[i].from.s &&
		    (rc = find_from(&b, &t->poolers[i].from, 1u << SOURCE_WORKLOAD | 1u << SOURCE_POOLER, &wi)) == 0) {
			b.bound[wi] = true;
			rc = apply_pooler(&b, i, wi);
		}
	for (i = 0; rc == 0 && i < t->ndatabases; i++)
		if (t->databases[i].from.s && (rc = find_from(&b, &t->databases[i].from, 1u << SOURCE_DATABASE, &wi)) == 0)
			rc = apply_database(&b, i, wi);
	for (wi = 0; rc == 0 && wi < b.items.n; wi++)
		if (b.items.v[wi].role == SOURCE_WORKLOAD && !b.bound[wi])
			rc = discover(&b, wi);
out:
	source_items_release(&b.items);
	bind_release(&b);
	return rc ? -1 : 0;
}

int load_sources_scan(struct topology *t, const char *kind, const char *path, struct source_items *items,
		      char **err)
{
	struct ld ld = { 0 };
	struct bind b = { 0 };
	struct source_entry *e;
	int rc;

	*err = NULL;
	e = arena_alloc(&t->arena, sizeof(*e));
	e->kind.s = arena_strdup(&t->arena, kind);
	e->path.s = arena_strdup(&t->arena, path);
	e->kind.pos = e->path.pos = pos_make("--from", 1, 1);
	e->command_line = true;
	t->sources = e;
	t->nsources = 1;
	ld.t = t;
	b.ld = &ld;
	b.t = t;
	input_begin();
	rc = read_and_join(&b);
	input_end();
	if (rc == 0) {
		*items = b.items;
	} else {
		source_items_release(&b.items);
		*err = ld.err.what ? load_error_format(&ld.err) : xstrdup("could not read the sources");
		free(ld.err.what);
	}
	bind_release(&b);
	return rc ? -1 : 0;
}
