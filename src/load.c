/*
 * load.c - YAML topology files → model (docs/topology.md, docs/decisions.md): the top level, the
 * id sections, includes, the checks that need the whole topology
 * (load_validate) and `plan --set` (load_set).
 *
 * The event reader lives in load_yaml.c, the keys and value readers in
 * load_fields.c. Files are read one at a time: a file's includes are read
 * after the file itself, depth first, so only one libyaml parser is open.
 */
#include "load.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "budget.h"
#include "config/config.h"
#include "conninfo.h"
#include "framework.h"
#include "input.h"
#include "load_fields.h"
#include "load_sources.h"
#include "load_yaml.h"
#include "catalog.h"
#include "quote.h"
#include "rds.h"

/* docs/decisions.md: the top level's environment when it names none. */
static const char DEFAULT_ENVIRONMENT[] = "production";
/* The only format version (docs/topology.md). */
enum { FORMAT_VERSION = 1 };

enum top_key { K_VERSION, K_ENVIRONMENT, K_DATABASES, K_POOLERS, K_CLIENTS, K_LINT, K_INCLUDE, K_SOURCES,
	       K_COUNT };
static const char *const top_keys[K_COUNT] = {
	"version", "environment", "databases", "poolers", "clients", "lint", "include", "sources",
};
/* What an included file may hold (docs/decisions.md). */
static const char *const fragment_keys[] = { "version", "databases", "poolers", "clients", "include" };
static const bool fragment_ok[K_COUNT] = { true, false, true, true, true, false, true, false };

/* An include entry of the file being read, resolved against its directory. */
struct incl {
	char *path;           /* malloc'd */
	struct pos pos;       /* the entry, for errors */
	bool glob;
};

struct incvec {
	struct incl *v;
	size_t n, cap;
};

struct fileid {
	dev_t dev;
	ino_t ino;
	bool known;           /* false: a buffer without a file behind it */
};

/* One load_file / load_buffer. */
struct loader {
	struct ld ld;
	struct topology *t;
	size_t db_cap, pooler_cap, client_cap, files_cap;
	/* the include chain being read (for cycles) and every file read (read once) */
	struct chain {
		struct fileid id;
		const char *name;
	} *chain;
	size_t nchain, chain_cap;
	struct fileid *seen;
	size_t nseen, seen_cap;
	struct pos top_pos;        /* the top file's top-level mapping */
	struct pos databases_pos;  /* the top file's `databases:` key; line 0 when absent */
	/* after errors read past: the objects that had one (skipped by validate),
	 * and whether any error may hide an object (then nothing is validated) */
	struct vskip {
		bool *bad[3];      /* K_DATABASES, K_POOLERS, K_CLIENTS: by index; NULL: none */
		size_t cap[3];
	} skip;
	bool untrusted;
};

/* Errors so far: kept and being handled. */
static size_t nerrors(const struct loader *L)
{
	return L->ld.errs.n + (L->ld.err.what != NULL);
}

/* Object i of section k (K_DATABASES, K_POOLERS, K_CLIENTS) had an error. */
static void mark_bad(struct loader *L, int k, size_t i)
{
	struct vskip *s = &L->skip;
	size_t old = s->cap[k - K_DATABASES];

	xgrow(&s->bad[k - K_DATABASES], &s->cap[k - K_DATABASES], i + 1, sizeof(bool));
	memset(s->bad[k - K_DATABASES] + old, 0, (s->cap[k - K_DATABASES] - old) * sizeof(bool));
	s->bad[k - K_DATABASES][i] = true;
}

/* After an error about a top-level key or an id: read past it; nothing will be validated. */
static int untrusted_key(struct loader *L, struct yr *r, unsigned depth)
{
	L->untrusted = true;
	return yr_recover_key(r, depth);
}

static void incvec_release(struct incvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i].path);
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

/*
 * rel resolved against the directory of file, as given: "dir/main.yaml" +
 * "inc/a.yaml" → "dir/inc/a.yaml". With escape, glob(3) metacharacters of
 * the directory part are escaped so only rel's are patterns. Caller frees.
 */
char *load_join_dir(const char *file, const char *rel, bool escape)
{
	const char *slash = strrchr(file, '/');
	struct sbuf b = { 0 };
	const char *p;

	if (rel[0] == '/' || !slash)
		return xstrdup(rel);
	for (p = file; p <= slash; p++) {
		if (escape && strchr("*?[\\", *p))
			sbuf_putc(&b, '\\');
		sbuf_putc(&b, *p);
	}
	sbuf_puts(&b, rel);
	return sbuf_detach(&b);
}

/* include: a path or a list of paths; entries are read after this file. */
static int read_include(struct yr *r, struct incvec *incs)
{
	bool list = yr_is(r, YAML_SEQUENCE_START_EVENT);
	struct str s;

	if (!list && !yr_is(r, YAML_SCALAR_EVENT))
		return yr_type_error(r, "a path or a list of paths");
	for (;;) {
		if (list) {
			if (yr_next(r))
				return -1;
			if (yr_is(r, YAML_SEQUENCE_END_EVENT))
				return 0;
		}
		if (incs->n >= LOAD_MAX_INCLUDE_FILES) {
			r->ld->stop = true; /* a limit: nothing more is read */
			return yr_error(r, "more than %d include entries", LOAD_MAX_INCLUDE_FILES);
		}
		if (load_read_string(r, &s))
			return -1;
		xgrow(&incs->v, &incs->cap, incs->n + 1, sizeof(*incs->v));
		incs->v[incs->n].glob = strpbrk(s.s, "*?[") != NULL;
		incs->v[incs->n].path = load_join_dir(r->file, s.s, incs->v[incs->n].glob);
		incs->v[incs->n].pos = s.pos;
		incs->n++;
		if (!list)
			return 0;
	}
}

static int read_version(struct yr *r, struct num *out)
{
	static const struct field f = { .name = "version", .kind = F_UINT, .off = 0 };

	if (load_read_field(r, &f, out, yr_pos(r)))
		return -1;
	if (out->v != FORMAT_VERSION)
		return yr_error(r, "unsupported version %llu (this connbudget reads version %d)",
				(unsigned long long)out->v, FORMAT_VERSION);
	return 0;
}

static bool valid_id(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

static size_t nobjects(const struct topology *t)
{
	return t->ndatabases + t->npoolers + t->nclients;
}

/* The id, position of the object at index i of section k. */
static const struct str *section_id(const struct topology *t, enum top_key k, size_t i)
{
	if (k == K_DATABASES)
		return &t->databases[i].id;
	if (k == K_POOLERS)
		return &t->poolers[i].id;
	return &t->clients[i].id;
}

/* The current key is not an acceptable id: too long or not [A-Za-z0-9_-]+. */
static int id_error(struct yr *r)
{
	struct sbuf b = { 0 };

	yr_quote(r, &b, yr_text(r), yr_len(r));
	if (yr_len(r) > LOAD_MAX_ID_LEN)
		yr_error(r, "id %s of %zu characters is longer than the limit of %d", b.s, yr_len(r),
			 LOAD_MAX_ID_LEN);
	else
		yr_error(r, "invalid id %s: ids match [A-Za-z0-9_-]+", b.s);
	sbuf_release(&b);
	return -1;
}

/* An id defined a second time: in the same mapping, or in another file of the topology. */
static int duplicate_id(struct yr *r, const struct str *first, const struct str *again)
{
	if (pos_file_index(first->pos) == pos_file_index(again->pos))
		return yr_error(r, "duplicate key \"%s\" (first at line %u)", again->s, first->pos.line);
	return yr_error(r, "duplicate id \"%s\" (first defined at %s:%u:%u)", again->s, pos_file(first->pos),
			first->pos.line, first->pos.col);
}

/*
 * databases: / poolers: / clients: a mapping of id → object. Ids are
 * unique across every file of the topology (the id index catches a second
 * definition in another file too).
 */
static int read_section(struct loader *L, struct yr *r, enum top_key k)
{
	struct topology *t = L->t;
	struct strmap *index = k == K_DATABASES ? &t->db_index : k == K_POOLERS ? &t->pooler_index :
		&t->client_index;
	const struct table *tb = k == K_DATABASES ? &load_table_database :
		k == K_POOLERS ? &load_table_pooler : &load_table_client;
	struct str id;
	size_t i, old, before, npath;
	unsigned depth;
	uint32_t hash;
	void *obj;

	if (!yr_is(r, YAML_MAPPING_START_EVENT))
		return yr_type_error(r, "a mapping of id to settings");
	for (;;) {
		depth = r->depth; /* the mapping's: after an error, the next key */
		npath = r->npath;
		if (yr_next(r))
			return -1;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			return 0;
		if (!yr_is(r, YAML_SCALAR_EVENT)) {
			yr_type_error(r, "an id");
			if (untrusted_key(L, r, depth))
				return -1;
			continue;
		}
		if (yr_len(r) > LOAD_MAX_ID_LEN || !valid_id(yr_text(r), yr_len(r))) {
			if (id_error(r) && untrusted_key(L, r, depth))
				return -1;
			continue;
		}
		if (nobjects(t) >= LOAD_MAX_OBJECTS) {
			L->ld.stop = true; /* a limit: nothing more is read */
			return yr_error(r, "more than %d databases, poolers and clients in all", LOAD_MAX_OBJECTS);
		}
		id.s = arena_strndup(&t->arena, yr_text(r), yr_len(r));
		/* the index's slot comes from memory while the object is set up */
		hash = strmap_prefetch(index, id.s);
		id.pos = yr_pos(r);
		i = k == K_DATABASES ? t->ndatabases : k == K_POOLERS ? t->npoolers : t->nclients;
		if (k == K_DATABASES) {
			t->ndatabases++;
			xbig_grow(&t->databases, &L->db_cap, t->ndatabases, sizeof(*t->databases));
			memset(&t->databases[i], 0, sizeof(t->databases[i]));
			t->databases[i].id = id;
			obj = &t->databases[i];
		} else if (k == K_POOLERS) {
			t->npoolers++;
			xbig_grow(&t->poolers, &L->pooler_cap, t->npoolers, sizeof(*t->poolers));
			memset(&t->poolers[i], 0, sizeof(t->poolers[i]));
			t->poolers[i].id = id;
			obj = &t->poolers[i];
		} else {
			t->nclients++;
			xbig_grow(&t->clients, &L->client_cap, t->nclients, sizeof(*t->clients));
			memset(&t->clients[i], 0, sizeof(t->clients[i]));
			t->clients[i].id = id;
			obj = &t->clients[i];
		}
		/* a second definition: the new object goes again, the first stands */
		if (!strmap_put_hashed(index, id.s, hash, i, &old)) {
			duplicate_id(r, section_id(t, k, old), &id);
			*(k == K_DATABASES ? &t->ndatabases : k == K_POOLERS ? &t->npoolers : &t->nclients) = i;
			if (yr_recover_key(r, depth))
				return -1;
			continue;
		}
		yr_path_push(r, id.s);
		before = nerrors(L);
		if (yr_next(r))
			return -1;
		if (load_read_mapping(r, tb, obj) && yr_recover(r, depth, npath))
			return -1;
		if (nerrors(L) > before)
			mark_bad(L, k, i);
		r->npath = npath;
	}
}

/* The keys of a file's top-level mapping (the current event). */
static int read_top(struct loader *L, struct yr *r, bool top, struct incvec *incs)
{
	uint32_t seen[K_COUNT] = { 0 };
	struct num version = { 0 };
	struct pos keypos;
	unsigned depth;
	size_t k, npath;
	int rc;

	for (;;) {
		depth = r->depth; /* the mapping's: after an error, the next key */
		npath = r->npath;
		if (yr_next(r))
			return -1;
		if (yr_is(r, YAML_MAPPING_END_EVENT))
			return 0;
		if (!yr_is(r, YAML_SCALAR_EVENT)) {
			yr_type_error(r, "a key");
			if (untrusted_key(L, r, depth))
				return -1;
			continue;
		}
		for (k = 0; k < K_COUNT; k++)
			if (strlen(top_keys[k]) == yr_len(r) && memcmp(top_keys[k], yr_text(r), yr_len(r)) == 0)
				break;
		if (k == K_COUNT) {
			if (top)
				load_unknown_key(r, top_keys, K_COUNT);
			else
				load_unknown_key(r, fragment_keys, ARRAY_LEN(fragment_keys));
			if (untrusted_key(L, r, depth))
				return -1;
			continue;
		}
		keypos = yr_pos(r);
		if (!top && !fragment_ok[k])
			yr_error(r, "\"%s\" is not allowed in an included file (only version, databases, "
				 "poolers, clients and include)", top_keys[k]);
		else if (seen[k])
			yr_error(r, "duplicate key \"%s\" (first at line %u)", top_keys[k], seen[k]);
		if (r->ld->err.what) {
			if (untrusted_key(L, r, depth))
				return -1;
			continue;
		}
		seen[k] = keypos.line;
		if (top && k == K_DATABASES)
			L->databases_pos = keypos;
		yr_path_push(r, top_keys[k]);
		if (yr_next(r))
			return -1;
		switch ((enum top_key)k) {
		case K_VERSION:
			rc = read_version(r, top ? &L->t->version : &version);
			break;
		case K_ENVIRONMENT:
			rc = load_read_string(r, &L->t->environment);
			break;
		case K_LINT:
			rc = load_read_mapping(r, &load_table_lint, L->t);
			break;
		case K_INCLUDE:
			rc = read_include(r, incs);
			break;
		case K_SOURCES:
			rc = load_read_sources(r, L->t);
			break;
		default:
			rc = read_section(L, r, (enum top_key)k);
			break;
		}
		/* an include or a source not read, a section not a mapping, may hide objects */
		if (rc && k != K_VERSION && k != K_ENVIRONMENT && k != K_LINT)
			L->untrusted = true;
		if (rc && yr_recover(r, depth, npath))
			return -1;
		r->npath = npath;
	}
}

/* One YAML stream: exactly one document whose top level is a mapping. */
static int read_document(struct loader *L, struct yr *r, bool top, struct incvec *incs)
{
	struct pos start = pos_make(r->file, 1, 1);

	if (yr_next(r) || yr_next(r)) /* stream start, then a document or the end */
		return -1;
	if (yr_is(r, YAML_STREAM_END_EVENT))
		return ld_error(&L->ld, start, top ? "empty document; expected a mapping with \"version: 1\"" :
				"empty document; expected a mapping with databases, poolers or clients");
	if (yr_next(r))
		return -1;
	if (!yr_is(r, YAML_MAPPING_START_EVENT))
		return yr_type_error(r, "a mapping at the top level");
	if (top)
		L->top_pos = yr_pos(r);
	if (read_top(L, r, top, incs))
		return -1;
	/* document end, then the stream's (yr_next rejects a second document) */
	return yr_next(r) || yr_next(r) ? -1 : 0;
}

/*
 * A large top-level file gets room for its clients at once, guessed from
 * its size: the client array goes straight into a mapping of its own
 * (xbig_reserve) instead of growing through malloc'd pages copied at each
 * doubling, and the client index is not rehashed on its way up (each
 * rehash writes a new table into fresh memory). The array's guess is
 * generous: its untouched pages cost only address space. The index's is
 * not, since every slot of it may be touched: the benchmark's topologies
 * have 160 bytes of YAML per client, and a denser file rehashes as it
 * would have without a guess.
 */
enum { PRESIZE_ARRAY_BYTES = 128, PRESIZE_INDEX_BYTES = 160, PRESIZE_MIN_CLIENTS = 1024 };

static void presize(struct loader *L, off_t size)
{
	size_t bytes = size > 0 ? (size_t)size : 0;

	if (bytes / PRESIZE_ARRAY_BYTES < PRESIZE_MIN_CLIENTS)
		return;
	xbig_reserve(&L->t->clients, &L->client_cap, bytes / PRESIZE_ARRAY_BYTES, sizeof(*L->t->clients));
	strmap_reserve(&L->t->client_index, bytes / PRESIZE_INDEX_BYTES);
}

/* An error about a file: at the include entry that names it, or at name:1:1. */
static int file_error(struct loader *L, const char *name, const struct pos *from, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
static int file_error(struct loader *L, const char *name, const struct pos *from, const char *fmt, ...)
{
	struct pos top = pos_make(name, 1, 1);
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (from)
		ld_error(&L->ld, *from, "cannot read \"%s\": %s", name, what);
	else
		ld_error(&L->ld, top, "cannot read: %s", what);
	free(what);
	return -1;
}

static int load_stream(struct loader *L, const char *name, int fd, const struct fileid *id,
		       const struct pos *from, const char *data, size_t len, unsigned depth);

/* Forget the errors kept about file (a file found unparsable after them). */
static void errors_drop_file(struct load_errors *e, const char *file)
{
	size_t i, n = 0;

	for (i = 0; i < e->n; i++) {
		if (e->v[i].file && strcmp(e->v[i].file, file) == 0)
			free(e->v[i].what);
		else
			e->v[n++] = e->v[i];
	}
	e->n = n;
}

/*
 * Read every include entry of a file, in order; globs expand sorted, one
 * directory at a time (input_glob), and stop at the include limit.
 */
static int load_includes(struct loader *L, struct incvec *incs, unsigned depth)
{
	size_t i, j, n;
	char **paths;

	for (i = 0; i < incs->n; i++) {
		if (!incs->v[i].glob) {
			if (load_stream(L, incs->v[i].path, -1, NULL, &incs->v[i].pos, NULL, 0, depth))
				return -1;
			continue;
		}
		if (input_glob(incs->v[i].path, LOAD_MAX_INCLUDE_FILES, &paths, &n) != 0)
			return ld_error(&L->ld, incs->v[i].pos, "include \"%s\": %s",
					incs->v[i].path, input_why());
		for (j = 0; j < n; j++) {
			if (load_stream(L, paths[j], -1, NULL, &incs->v[i].pos, NULL, 0, depth)) {
				input_glob_free(paths, n);
				return -1;
			}
		}
		input_glob_free(paths, n);
	}
	return 0;
}

/* "a.yaml → b.yaml → a.yaml": the chain from the first visit of name. */
static int cycle_error(struct loader *L, size_t from_index, const char *name, const struct pos *from)
{
	struct sbuf b = { 0 };
	size_t i;

	for (i = from_index; i < L->nchain; i++)
		sbuf_printf(&b, "%s → ", L->chain[i].name);
	sbuf_puts(&b, name);
	ld_error(&L->ld, *from, "include cycle: %s", b.s);
	sbuf_release(&b);
	return -1;
}

/*
 * Read one file of the topology (name; from fd when fd >= 0, from data when
 * data, else opened here) and then its includes. from is the include entry
 * that names it (NULL for the top file). A file already read by another
 * route is skipped; one that is being read is a cycle.
 */
static int load_stream(struct loader *L, const char *name, int fd, const struct fileid *given,
		       const struct pos *from, const char *data, size_t len, unsigned depth)
{
	struct topology *t = L->t;
	struct incvec incs = { 0 };
	struct fileid id = { 0 };
	struct stat st;
	struct yr r;
	const char *fname;
	bool opened = false;
	size_t i;
	int rc = -1;

	if (depth > LOAD_MAX_INCLUDE_DEPTH)
		return ld_error(&L->ld, *from, "includes nested deeper than %d levels", LOAD_MAX_INCLUDE_DEPTH);
	if (given) {
		id = *given;
	} else if (!data) {
		if (fd < 0) {
			/* input.h: a regular file only, within the run's budgets */
			bool again;

			if (input_open(name, &fd, &again) != 0)
				return file_error(L, name, from, "%s", input_why());
			opened = true;
		}
		if (fstat(fd, &st) != 0) {
			file_error(L, name, from, "%s", strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			file_error(L, name, from, "%s", strerror(EISDIR));
			goto out;
		}
		if (S_ISREG(st.st_mode) && st.st_size > LOAD_MAX_FILE_BYTES) {
			file_error(L, name, from, "file of %lld bytes is larger than the limit of %d bytes (16 MiB)",
				   (long long)st.st_size, LOAD_MAX_FILE_BYTES);
			goto out;
		}
		id.dev = st.st_dev;
		id.ino = st.st_ino;
		id.known = true;
		if (!from && S_ISREG(st.st_mode))
			presize(L, st.st_size);
	}
	if (data && len > LOAD_MAX_FILE_BYTES) {
		file_error(L, name, from, "input of %zu bytes is larger than the limit of %d bytes (16 MiB)",
			   len, LOAD_MAX_FILE_BYTES);
		goto out;
	}
	if (id.known) {
		for (i = 0; i < L->nchain; i++) {
			if (L->chain[i].id.known && L->chain[i].id.dev == id.dev && L->chain[i].id.ino == id.ino) {
				cycle_error(L, i, name, from);
				goto out;
			}
		}
		for (i = 0; i < L->nseen; i++) {
			if (L->seen[i].dev == id.dev && L->seen[i].ino == id.ino) {
				rc = 0; /* reached before by another route: read once */
				goto out;
			}
		}
		xgrow(&L->seen, &L->seen_cap, L->nseen + 1, sizeof(*L->seen));
		L->seen[L->nseen++] = id;
	}
	if (from && t->nfiles > LOAD_MAX_INCLUDE_FILES) {
		ld_error(&L->ld, *from, "more than %d files included", LOAD_MAX_INCLUDE_FILES);
		goto out;
	}
	fname = from ? arena_strdup(&t->arena, name) : name;
	xgrow(&t->files, &L->files_cap, t->nfiles + 1, sizeof(*t->files));
	t->files[t->nfiles++] = fname;
	xgrow(&L->chain, &L->chain_cap, L->nchain + 1, sizeof(*L->chain));
	L->chain[L->nchain].id = id;
	L->chain[L->nchain].name = fname;
	L->nchain++;

	if (data)
		yr_init_buffer(&r, &L->ld, fname, data, len);
	else
		yr_init_fd(&r, &L->ld, fname, fd);
	rc = read_document(L, &r, from == NULL, &incs);
	if (rc)
		yr_drain(&r);
	/* a YAML-level problem: nothing else said about the file is trustworthy */
	if (r.stream_failed)
		errors_drop_file(&L->ld.errs, fname);
	yr_release(&r);
	if (opened) {
		close(fd);
		opened = false;
	}
	if (rc == 0)
		rc = load_includes(L, &incs, depth + 1);
	L->nchain--;
out:
	if (opened)
		close(fd);
	incvec_release(&incs);
	return rc;
}

/* Checks on the whole topology that --set cannot change, and the environment default. */
static int finish(struct loader *L)
{
	struct topology *t = L->t;
	size_t i;

	/* after other errors these may only echo them (a misspelt "verison:") */
	if (!VALUE_SET(t->version) && nerrors(L) == 0)
		return ld_error(&L->ld, L->top_pos, "missing required key \"version\" (the format version, %d)",
				FORMAT_VERSION);
	if (t->ndatabases == 0 && nerrors(L) == 0)
		return ld_error(&L->ld, L->databases_pos.line ? L->databases_pos : L->top_pos,
				"no databases: at least one database is required");
	if (!t->environment.s) {
		t->environment.s = DEFAULT_ENVIRONMENT;
		t->environment.pos = pos_make(t->file, 0, 0);
	}
	for (i = 0; i < t->ndatabases; i++)
		if (!t->databases[i].environment.s)
			t->databases[i].environment = t->environment;
	for (i = 0; i < t->npoolers; i++)
		if (!t->poolers[i].environment.s)
			t->poolers[i].environment = t->environment;
	for (i = 0; i < t->nclients; i++)
		if (!t->clients[i].environment.s)
			t->clients[i].environment = t->environment;
	/* The id indexes model_index would build are complete already: read_section
	 * filled them (they are what finds a duplicate id), so they are not rebuilt. */
	return 0;
}

static int validate(struct topology *t, struct load_errors *errs, const struct vskip *skip);

/* The common path of load_file and load_buffer: NULL with errs filled, sorted. */
static struct topology *load_top(const char *path, bool std_in, const char *data, size_t len,
				 struct load_errors *errs)
{
	struct topology *t = xcalloc(1, sizeof(*t));
	struct loader L = { 0 };
	struct fileid id = { 0 };
	struct stat st;
	char *err = NULL;
	size_t i;
	int rc;

	memset(errs, 0, sizeof(*errs));
	input_begin();
	L.t = t;
	L.ld.t = t;
	L.ld.recover = true;
	t->file = arena_strdup(&t->arena, path);
	L.top_pos = pos_make(t->file, 1, 1);
	if (data) {
		/* a buffer named after a real file: a cycle back to it is caught */
		if (stat(path, &st) == 0) {
			id.dev = st.st_dev;
			id.ino = st.st_ino;
			id.known = true;
		}
		rc = load_stream(&L, t->file, -1, &id, NULL, data, len, 0);
	} else {
		rc = load_stream(&L, t->file, std_in ? STDIN_FILENO : -1, NULL, NULL, NULL, 0, 0);
	}
	if (rc == 0)
		rc = finish(&L);
	/* the errors read past are kept; what follows stops at its first */
	L.ld.recover = false;
	/* docs/sources.md: the manifests' facts, before the config files fill what is still unset */
	if (rc == 0)
		rc = load_sources_apply(&L.ld, t, &L.client_cap);
	/* config.h: the `config:` files fill what the YAML leaves unset, so they
	 * are read before anything is validated */
	if (rc == 0 && config_apply(t, &err) != 0) {
		ld_error_msg(&L.ld, err ? err : xstrdup("error: cannot load the topology"));
		rc = -1;
	}
	/* the objects without errors, unless an error may have hidden one */
	if (rc == 0 && !L.untrusted)
		rc = validate(t, &L.ld.errs, &L.skip);
	input_end();
	for (i = 0; i < ARRAY_LEN(L.skip.bad); i++)
		free(L.skip.bad[i]);
	free(L.chain);
	free(L.seen);
	free(L.ld.scratch);
	strmap_release(&L.ld.interned);
	ld_keep(&L.ld);
	if (rc != 0 && L.ld.errs.n == 0)
		load_errors_add(&L.ld.errs, NULL, 0, 0, xstrdup("error: cannot load the topology"));
	/* what a config file holds that its program ignores (model.h) */
	for (i = 0; L.ld.errs.n == 0 && i < t->nwarnings; i++)
		quote_fputs_line(stderr, t->warnings[i]); /* input bytes: through the text gate */
	load_errors_sort(&L.ld.errs, t);
	*errs = L.ld.errs;
	if (errs->n) {
		model_free(t);
		return NULL;
	}
	return t;
}

/* The first error of errs as one message into *err, and errs released. */
static struct topology *first_error(struct topology *t, struct load_errors *errs, char **err)
{
	*err = errs->n ? load_error_format(&errs->v[0]) : NULL;
	load_errors_release(errs);
	return t;
}

struct topology *load_file_errors(const char *path, struct load_errors *errs)
{
	return load_top(path, strcmp(path, "-") == 0, NULL, 0, errs);
}

struct topology *load_file(const char *path, char **err)
{
	struct load_errors errs;

	return first_error(load_file_errors(path, &errs), &errs, err);
}

struct topology *load_buffer(const char *name, const char *data, size_t len, char **err)
{
	struct load_errors errs;

	/* libyaml reads a NULL buffer of length 0 as an empty stream */
	return first_error(load_top(name, false, data ? data : "", data ? len : 0, &errs), &errs, err);
}

bool load_errors_add(struct load_errors *e, const char *file, unsigned line, unsigned col, char *what)
{
	if (e->n >= LOAD_MAX_ERRORS) {
		e->truncated = true;
		free(what);
		return false;
	}
	xgrow(&e->v, &e->cap, e->n + 1, sizeof(*e->v));
	e->v[e->n].file = file;
	e->v[e->n].line = line;
	e->v[e->n].col = col;
	e->v[e->n].what = what;
	e->n++;
	return true;
}

void load_errors_move(struct load_errors *dst, struct load_errors *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		load_errors_add(dst, src->v[i].file, src->v[i].line, src->v[i].col, src->v[i].what);
	if (src->truncated)
		dst->truncated = true;
	free(src->v);
	memset(src, 0, sizeof(*src));
}

void load_errors_release(struct load_errors *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n; i++)
		free(e->v[i].what);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

char *load_error_format(const struct load_error *e)
{
	if (!e->file)
		return xstrdup(e->what);
	return xasprintf("%s:%u:%u: error: %s", e->file, e->line, e->col, e->what);
}

/* ------------------------------------------------------------------ */
/* load_validate: the checks that need more than one value.            */

/* Every error of load_validate, in the order found. */
struct vstate {
	const struct topology *t;
	struct load_errors *errs;
};

static size_t file_index(const struct topology *t, const char *file)
{
	size_t i;

	for (i = 0; file && i < t->nfiles; i++)
		if (strcmp(t->files[i], file) == 0)
			return i;
	return t->nfiles;
}

/* Does a come before b: file order (files the topology did not read last), line, column? */
static bool error_before(const struct topology *t, const struct load_error *a, const struct load_error *b)
{
	size_t fa = file_index(t, a->file), fb = file_index(t, b->file);

	if (fa != fb)
		return fa < fb;
	if (a->line != b->line)
		return a->line < b->line;
	return a->col < b->col;
}

/* An insertion sort: e holds at most LOAD_MAX_ERRORS. */
void load_errors_sort(struct load_errors *e, const struct topology *t)
{
	struct load_error x;
	size_t i, j;

	for (i = 1; i < e->n; i++) {
		x = e->v[i];
		for (j = i; j > 0 && error_before(t, &x, &e->v[j - 1]); j--)
			e->v[j] = e->v[j - 1];
		e->v[j] = x;
	}
}

static void vfail(struct vstate *v, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void vfail(struct vstate *v, struct pos pos, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = mask_vasprintf(fmt, ap);
	va_end(ap);
	/* the file name must outlive the model: the position table's copy */
	load_errors_add(v->errs, pos_file(pos) ? pos_file(pos) : pos_file(pos_make(v->t->file, 0, 0)),
			pos.line, pos.col, what);
}

/* ", did you mean "x"?" over the ids of databases (and poolers), or "". Caller frees. */
static char *suggest_id(const struct topology *t, const char *word, bool poolers)
{
	size_t n = t->ndatabases + (poolers ? t->npoolers : 0), i, k = 0;
	const char **ids = xmalloc(n * sizeof(*ids));
	const char *best;
	char *s;

	for (i = 0; i < t->ndatabases; i++)
		ids[k++] = t->databases[i].id.s;
	for (i = 0; poolers && i < t->npoolers; i++)
		ids[k++] = t->poolers[i].id.s;
	best = closest_word(word, ids, n);
	s = best ? xasprintf(", did you mean \"%s\"?", best) : xstrdup("");
	free(ids);
	return s;
}

/* Fields set on an object whose type they do not apply to. */
static void check_applies(struct vstate *v, const struct table *tb, const void *obj, const char *section,
			  const char *id, const char *kind, const char *const *type_names, uint64_t type)
{
	size_t i;

	for (i = 0; i < tb->n; i++) {
		const struct field *f = &tb->fields[i];
		if (f->types && !(f->types & (1u << type)) && load_field_is_set(f, obj))
			vfail(v, load_field_pos(f, obj), "%s.%s.%s: does not apply to a %s of type %s", section, id,
			      f->name, kind, type_names[type]);
	}
}

/* A whole number of half ACUs, from `least` up. */
static bool acu_ok(double acu, double least)
{
	return acu >= least && acu <= 1e6 && acu * 2 == (double)(uint64_t)(acu * 2);
}

/*
 * min_acu and max_acu: an Aurora Serverless v2 instance of provider aurora,
 * in place of instance; its max_connections is AWS's figure for max_acu
 * (src/rds.c), which has to exist unless max_connections is set.
 */
static void validate_serverless(struct vstate *v, const struct database *d)
{
	const struct real *at = VALUE_SET(d->max_acu) ? &d->max_acu : &d->min_acu;

	if (!VALUE_SET(d->min_acu) && !VALUE_SET(d->max_acu))
		return;
	if (!d->provider.s || strcmp(d->provider.s, "aurora") != 0)
		vfail(v, at->pos, "databases.%s.%s: an Aurora Serverless v2 capacity needs provider: aurora",
		      d->id.s, at == &d->max_acu ? "max_acu" : "min_acu");
	if (d->instance.s)
		vfail(v, d->instance.pos, "databases.%s.instance: an Aurora Serverless v2 database gives "
		      "min_acu and max_acu instead of instance", d->id.s);
	if (!VALUE_SET(d->max_acu))
		vfail(v, d->min_acu.pos, "databases.%s.min_acu: needs max_acu", d->id.s);
	if (VALUE_SET(d->min_acu) && !acu_ok(d->min_acu.v, 0.5))
		vfail(v, d->min_acu.pos, "databases.%s.min_acu: %g is not 0.5 or more in steps of 0.5",
		      d->id.s, d->min_acu.v);
	if (VALUE_SET(d->max_acu) && !acu_ok(d->max_acu.v, 1))
		vfail(v, d->max_acu.pos, "databases.%s.max_acu: %g is not 1 or more in steps of 0.5",
		      d->id.s, d->max_acu.v);
	else if (VALUE_SET(d->max_acu) && VALUE_SET(d->min_acu) && d->min_acu.v > d->max_acu.v)
		vfail(v, d->min_acu.pos, "databases.%s.min_acu: %g is more than max_acu %g", d->id.s,
		      d->min_acu.v, d->max_acu.v);
	else if (VALUE_SET(d->max_acu) && !VALUE_SET(d->max_connections) &&
		 !aurora_serverless_max_connections(VALUE_SET(d->min_acu) ? d->min_acu.v : 0, d->max_acu.v))
		vfail(v, d->max_acu.pos, "databases.%s.max_acu: AWS gives max_connections for max_acu 1, 4, "
		      "8, 16 and 32 or more, not %g; set max_connections", d->id.s, d->max_acu.v);
}

static void validate_database(struct vstate *v, const struct database *d)
{
	uint64_t su = VALUE_SET(d->superuser_reserved_connections) ? d->superuser_reserved_connections.v :
		PG_DEFAULT_SUPERUSER_RESERVED;
	uint64_t res = VALUE_SET(d->reserved_connections) ? d->reserved_connections.v : PG_DEFAULT_RESERVED;
	uint64_t sum;

	if (!VALUE_SET(d->max_connections) && !d->instance.s && !VALUE_SET(d->max_acu) && d->from.s)
		vfail(v, d->from.pos, "databases.%s: missing max_connections: %s gives neither it nor an instance "
		      "class the catalog knows; write max_connections", d->id.s, str_clip(d->from.s));
	else if (!VALUE_SET(d->max_connections) && !d->instance.s && !VALUE_SET(d->max_acu))
		vfail(v, d->id.pos, "databases.%s: missing max_connections (required unless instance is given)",
		      d->id.s);
	validate_serverless(v, d);
	if (d->instance.s && !catalog_find(d->provider.s, d->instance.s)) {
		if (!d->provider.s || strcmp(d->provider.s, CATALOG_DEFAULT_PROVIDER) == 0)
			vfail(v, d->instance.pos, "databases.%s.instance: unknown RDS instance class \"%s\"; "
			      "set max_connections instead", d->id.s, d->instance.s);
		else
			vfail(v, d->instance.pos, "databases.%s.instance: unknown %s instance \"%s\"; "
			      "connbudget catalog %s lists them, or set max_connections instead", d->id.s,
			      d->provider.s, d->instance.s, d->provider.s);
	}
	if (d->provider.s && !d->instance.s && !VALUE_SET(d->min_acu) && !VALUE_SET(d->max_acu))
		vfail(v, d->provider.pos, "databases.%s.provider: %s needs instance (connbudget catalog %s "
		      "lists them)", d->id.s, d->provider.s, d->provider.s);
	if (VALUE_SET(d->max_connections) && (!u64_add(su, res, &sum) || d->max_connections.v <= sum))
		vfail(v, d->max_connections.pos, "databases.%s.max_connections: %llu must be more than "
		      "superuser_reserved_connections %llu + reserved_connections %llu", d->id.s,
		      (unsigned long long)d->max_connections.v, (unsigned long long)su,
		      (unsigned long long)res);
	if (VALUE_SET(d->max_connections) && VALUE_SET(d->headroom) && d->headroom.v >= d->max_connections.v)
		vfail(v, d->headroom.pos, "databases.%s.headroom: %llu must be less than max_connections %llu",
		      d->id.s, (unsigned long long)d->headroom.v, (unsigned long long)d->max_connections.v);
}

/*
 * type: managed (docs/poolers.md "Managed poolers"): the pooler its
 * database's provider runs. It becomes the type that pooler behaves as,
 * its figures filling what the topology leaves unset; Neon's pool size
 * follows the database's max_connections, so the budget computes it
 * (budget.c). Refused at the type's line when the database has no
 * provider, the provider runs no pooler we know, or one of its figures is
 * not documented.
 */
static void resolve_managed(struct vstate *v, struct topology *t, struct pooler *p)
{
	const struct managed_pooler *m;
	const struct catalog_row *row;
	const struct database *d;
	uint64_t i;
	size_t di;

	if (!p->database.s || !model_find_database(t, p->database.s, &di)) {
		if (p->via_pooler)
			vfail(v, p->type.pos, "poolers.%s.type: a managed pooler opens its connections to "
			      "a database, not to pooler '%s'", p->id.s, p->database.s);
		return; /* the missing or unknown database is reported already */
	}
	d = &t->databases[di];
	if (!d->provider.s) {
		vfail(v, p->type.pos, "poolers.%s.type: managed needs its database's provider, and "
		      "databases.%s has no provider: (neon or azure); else use type: pgbouncer or "
		      "supavisor with its figures", p->id.s, d->id.s);
		return;
	}
	m = catalog_managed_pooler(d->provider.s);
	if (!m) {
		vfail(v, p->type.pos, "poolers.%s.type: provider %s runs no pooler connbudget knows; use "
		      "type: pgbouncer or supavisor with its figures (default_pool_size, max_client_conn)",
		      p->id.s, d->provider.s);
		return;
	}
	if (m->missing) {
		vfail(v, p->type.pos, "poolers.%s.type: %s's documentation gives no %s for %s; use "
		      "type: %s with default_pool_size and default_max_clients (connbudget catalog %s "
		      "lists the client limits)", p->id.s, d->provider.s, m->missing, m->service, m->type,
		      d->provider.s);
		return;
	}
	row = d->instance.s ? catalog_find(d->provider.s, d->instance.s) : NULL;
	if (m->unavailable && row && strncmp(row->note, m->unavailable, strlen(m->unavailable)) == 0) {
		vfail(v, p->type.pos, "poolers.%s.type: %s is not available on %s instance %s (%s tier); "
		      "use type: pgbouncer with its figures", p->id.s, m->service, d->provider.s,
		      d->instance.s, m->unavailable);
		return;
	}
	if (m->pool_percent && !VALUE_SET(p->default_pool_size) && !VALUE_SET(d->max_connections) && !row) {
		vfail(v, p->type.pos, "poolers.%s.type: %s sizes its pools from max_connections, which "
		      "databases.%s does not give; set instance or max_connections", p->id.s, m->service,
		      d->id.s);
		return;
	}
	p->managed = m;
	for (i = 0; i < POOLER_MANAGED; i++)
		if (strcmp(pooler_type_name((enum pooler_type)i), m->type) == 0)
			p->type.v = i;
	/* the provider's figures, where the topology is silent, at the type's line */
	if (!VALUE_SET(p->pool_mode))
		for (i = POOL_SESSION; i <= POOL_STATEMENT; i++)
			if (strcmp(pool_mode_name((enum pool_mode)i), m->pool_mode) == 0)
				p->pool_mode = (struct num){ .v = i, .pos = p->type.pos };
	if (!VALUE_SET(p->max_client_conn))
		p->max_client_conn = (struct num){ .v = m->max_client_conn, .pos = p->type.pos };
	if (!m->pool_percent && !VALUE_SET(p->default_pool_size))
		p->default_pool_size = (struct num){ .v = m->pool_size, .pos = p->type.pos };
	if (!VALUE_SET(p->port))
		p->port = (struct num){ .v = m->port, .pos = p->type.pos };
}

static void validate_pooler(struct vstate *v, struct topology *t, struct pooler *p)
{
	size_t i, j;
	char *hint;

	if (!VALUE_SET(p->type))
		vfail(v, p->id.pos, "poolers.%s: missing type (pgbouncer, rds_proxy, pgpool, pgcat, odyssey, supavisor or managed)", p->id.s);
	else
		check_applies(v, &load_table_pooler, p, "poolers", p->id.s, "pooler", load_pooler_types,
			      p->type.v);
	p->via_pooler = false;
	if (!p->database.s) {
		vfail(v, p->id.pos, "poolers.%s: missing database (the database it opens connections to)",
		      p->id.s);
	} else if (model_find_database(t, p->database.s, &i)) {
		p->db = i;
		/* an id both a database and another pooler is ambiguous, as for
		 * connects_to; a pooler named like its database names the database */
		if (model_find_pooler(t, p->database.s, &j) && &t->poolers[j] != p) {
			const struct pos *a = &t->databases[i].id.pos, *b = &t->poolers[j].id.pos;
			vfail(v, p->database.pos, "poolers.%s.database: \"%s\" is both a database (%s:%u:%u) "
			      "and a pooler (%s:%u:%u); rename one", p->id.s, p->database.s, pos_file(*a), a->line,
			      a->col, pos_file(*b), b->line, b->col);
		}
	} else if (model_find_pooler(t, p->database.s, &j)) {
		/* a pooler in front of a pooler (docs/poolers.md): db comes with the chain */
		p->via_pooler = true;
		p->inner = j;
	} else {
		hint = suggest_id(t, p->database.s, true);
		vfail(v, p->database.pos, "poolers.%s.database: unknown database \"%s\"%s", p->id.s,
		      p->database.s, hint);
		free(hint);
	}
	/* a pgcat's pools are only in its pgcat.toml, an odyssey's routes in
	 * its odyssey.conf (docs/poolers.md "PgCat", "Odyssey") */
	if (VALUE_SET(p->type) && (p->type.v == POOLER_PGCAT || p->type.v == POOLER_ODYSSEY) && !p->config.s)
		vfail(v, p->id.pos, "poolers.%s: %s pooler needs config: (its %s)", p->id.s,
		      p->type.v == POOLER_PGCAT ? "a pgcat" : "an odyssey",
		      p->type.v == POOLER_PGCAT ? "pgcat.toml" : "odyssey.conf");
	if (VALUE_SET(p->type) && p->type.v == POOLER_MANAGED)
		resolve_managed(v, t, p);
	/* Supavisor has no default pool size of its own: Supabase sets it per compute size */
	if (VALUE_SET(p->type) && p->type.v == POOLER_SUPAVISOR && !VALUE_SET(p->default_pool_size))
		vfail(v, p->id.pos, "poolers.%s: a supavisor pooler needs default_pool_size (its Pool Size "
		      "in the database settings)", p->id.s);
	if (p->users.pos.line && p->users.n == 0)
		vfail(v, p->users.pos, "poolers.%s.users: expected a non-empty list, got []", p->id.s);
	/* pgpool's ranges (budget.h): num_init_children 1 .. INT_MAX, max_pool 0 .. INT_MAX */
	if (VALUE_SET(p->num_init_children) &&
	    (p->num_init_children.v == 0 || p->num_init_children.v > INT_MAX))
		vfail(v, p->num_init_children.pos, "poolers.%s.num_init_children: expected an integer "
		      "from 1 to %d, got %llu", p->id.s, INT_MAX, (unsigned long long)p->num_init_children.v);
	if (VALUE_SET(p->max_pool) && p->max_pool.v > INT_MAX)
		vfail(v, p->max_pool.pos, "poolers.%s.max_pool: expected an integer from 0 to %d, got %llu",
		      p->id.s, INT_MAX, (unsigned long long)p->max_pool.v);
}

static void validate_client(struct vstate *v, struct topology *t, struct client *c)
{
	const struct client_cold *cc = client_cold(c);
	const struct framework *fw = NULL;
	size_t db, pl, fi;
	bool is_db, is_pooler;
	char *hint;

	if (!VALUE_SET(c->type))
		vfail(v, c->id.pos, "clients.%s: missing type (service, worker, serverless, job or tool)",
		      c->id.s);
	else
		check_applies(v, &load_table_client, c, "clients", c->id.s, "client", load_client_types,
			      c->type.v);
	if (!c->connects_to.s) {
		vfail(v, c->id.pos, "clients.%s: missing connects_to (a database or pooler id)", c->id.s);
	} else {
		is_db = model_find_database(t, c->connects_to.s, &db);
		is_pooler = model_find_pooler(t, c->connects_to.s, &pl);
		if (is_db && is_pooler) {
			const struct pos *a = &t->databases[db].id.pos, *b = &t->poolers[pl].id.pos;
			vfail(v, c->connects_to.pos, "clients.%s.connects_to: \"%s\" is both a database (%s:%u:%u) "
			      "and a pooler (%s:%u:%u); rename one", c->id.s, c->connects_to.s, pos_file(*a), a->line,
			      a->col, pos_file(*b), b->line, b->col);
		} else if (is_db || is_pooler) {
			c->via_pooler = is_pooler;
			c->target = (uint32_t)(is_pooler ? pl : db); /* < LOAD_MAX_OBJECTS */
		} else {
			hint = suggest_id(t, c->connects_to.s, true);
			vfail(v, c->connects_to.pos, "clients.%s.connects_to: unknown database or pooler \"%s\"%s",
			      c->id.s, c->connects_to.s, hint);
			free(hint);
		}
	}
	if (c->framework.s) {
		fw = framework_find(c->framework.s, &fi);
		if (fw)
			c->framework_index = (uint16_t)fi; /* the table is far shorter than 2^16 */
		else
			vfail(v, c->framework.pos, "clients.%s.framework: unknown framework \"%s\"", c->id.s,
			      c->framework.s);
	}
	if (!VALUE_SET(c->pool.size) && !model_pool_unknown(c)) {
		if (!c->framework.s)
			vfail(v, c->id.pos, "clients.%s: missing pool.size (required unless a framework gives "
			      "the default)", c->id.s);
		else if (fw && framework_needs_cpus(fw) && !VALUE_SET(c->cpus))
			vfail(v, c->id.pos, "clients.%s: framework \"%s\" derives pool.size from cpus: set cpus "
			      "or pool.size", c->id.s, fw->name);
	}
	if (cc->load.pos.line && !VALUE_SET(cc->load.rate))
		vfail(v, cc->load.pos, "clients.%s.load: missing rate (transactions per second)", c->id.s);
	if (cc->load.pos.line && !VALUE_SET(cc->load.hold))
		vfail(v, cc->load.pos, "clients.%s.load: missing hold (how long a transaction holds a "
		      "connection)", c->id.s);
	if (VALUE_SET(c->replicas) && VALUE_SET(c->max_replicas) && c->max_replicas.v < c->replicas.v)
		vfail(v, c->max_replicas.pos, "clients.%s.max_replicas: %llu is less than replicas %llu",
		      c->id.s, (unsigned long long)c->max_replicas.v, (unsigned long long)c->replicas.v);
	else if (!VALUE_SET(c->replicas) && VALUE_SET(c->max_replicas) && c->max_replicas.v < 1)
		vfail(v, c->max_replicas.pos,
		      "clients.%s.max_replicas: 0 is less than replicas 1 (the default when replicas "
		      "is not given)", c->id.s);
	if (VALUE_SET(cc->concurrency) && VALUE_SET(c->max_concurrency) && cc->concurrency.v > c->max_concurrency.v)
		vfail(v, cc->concurrency.pos, "clients.%s.concurrency: %llu is more than max_concurrency %llu",
		      c->id.s, (unsigned long long)cc->concurrency.v, (unsigned long long)c->max_concurrency.v);
	else if (VALUE_SET(cc->concurrency) && !VALUE_SET(c->max_concurrency) &&
		 cc->concurrency.v > LAMBDA_DEFAULT_CONCURRENCY)
		vfail(v, cc->concurrency.pos,
		      "clients.%s.concurrency: %llu is more than max_concurrency %d (assumed when "
		      "max_concurrency is not given); set max_concurrency", c->id.s,
		      (unsigned long long)cc->concurrency.v, LAMBDA_DEFAULT_CONCURRENCY);
	if (VALUE_SET(c->surge) && c->surge_percent && c->surge.v > 100)
		vfail(v, c->surge.pos, "clients.%s.surge: surge percentage %llu%% is above 100%%", c->id.s,
		      (unsigned long long)c->surge.v);
}

/*
 * Poolers in front of poolers (docs/poolers.md): each chain is followed
 * from its outer end, in file order, to the database it ends at, which
 * every pooler on it takes as its db. A chain that comes back to a pooler
 * on it is a cycle, reported at the database: that closes it.
 */
static void resolve_chains(struct vstate *v, struct topology *t)
{
	enum { WHITE, GRAY, BLACK, CYCLE_NAMES = 8 };
	unsigned char *color = xcalloc(t->npoolers ? t->npoolers : 1, 1);
	size_t *path = xcalloc(t->npoolers ? t->npoolers : 1, sizeof(*path));
	size_t i, n, k, m, cur, db;
	bool cycle;

	for (i = 0; i < t->npoolers; i++) {
		if (color[i] != WHITE)
			continue;
		n = 0;
		cycle = false;
		for (cur = i; color[cur] == WHITE;) {
			color[cur] = GRAY;
			path[n++] = cur;
			if (!t->poolers[cur].via_pooler)
				break;
			if (color[t->poolers[cur].inner] == GRAY) {
				const struct pooler *p = &t->poolers[cur];
				struct sbuf sb = { 0 };

				for (k = 0; k < n && path[k] != p->inner; k++)
					;
				/* a long cycle is named by its first poolers */
				for (m = 0; k < n; k++, m++)
					if (m < CYCLE_NAMES)
						sbuf_printf(&sb, "%s -> ", t->poolers[path[k]].id.s);
				if (m > CYCLE_NAMES)
					sbuf_printf(&sb, "%zu more -> ", m - CYCLE_NAMES);
				sbuf_puts(&sb, t->poolers[p->inner].id.s);
				vfail(v, p->database.pos, "poolers.%s.database: pooler \"%s\" closes a cycle of "
				      "poolers (%s): a chain of poolers must end at a database", p->id.s,
				      p->database.s, sb.s);
				sbuf_release(&sb);
				cycle = true;
				break;
			}
			cur = t->poolers[cur].inner;
		}
		/* the database the path ends at: its last pooler's, or the one a done chain ends at */
		cur = path[n - 1];
		db = t->poolers[cur].via_pooler && !cycle ? t->poolers[t->poolers[cur].inner].db :
							    t->poolers[cur].db;
		for (k = 0; k < n; k++) {
			color[path[k]] = BLACK;
			if (!cycle)
				t->poolers[path[k]].db = db;
		}
	}
	free(color);
	free(path);
}

/* Was object i of a section (skip->bad[k]) read with an error? */
static bool skipped(const struct vskip *skip, int k, size_t i)
{
	return skip && i < skip->cap[k] && skip->bad[k][i];
}

/*
 * Every cross-field check of the objects skip does not name (NULL: all),
 * its errors added to errs; 0, or -1 when there are any.
 */
static int validate(struct topology *t, struct load_errors *errs, const struct vskip *skip)
{
	struct vstate v = { 0 };
	size_t i, before = errs->n;

	v.t = t;
	v.errs = errs;
	for (i = 0; i < t->ndatabases; i++)
		if (!skipped(skip, 0, i))
			validate_database(&v, &t->databases[i]);
	for (i = 0; i < t->npoolers; i++)
		if (!skipped(skip, 1, i))
			validate_pooler(&v, t, &t->poolers[i]);
	resolve_chains(&v, t);
	for (i = 0; i < t->nclients; i++)
		if (!skipped(skip, 2, i))
			validate_client(&v, t, &t->clients[i]);
	return errs->n > before || errs->truncated ? -1 : 0;
}

int load_validate(struct topology *t, char **err)
{
	struct load_errors errs = { 0 };

	if (validate(t, &errs, NULL) == 0)
		return 0;
	load_errors_sort(&errs, t);
	first_error(t, &errs, err);
	return -1;
}

/* ------------------------------------------------------------------ */
/* load_set: plan --set PATH=VALUE through the file's own readers.     */

static int set_error(char **err, const char *path, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int set_error(char **err, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	*err = xasprintf("--set %s: %s", str_clip(path), what);
	free(what);
	return -1;
}

/* ", did you mean "x"?" among the names of a table, or "". Caller frees. */
static char *suggest_field(const struct table *tb, const char *word)
{
	const char *names[TABLE_MAX];
	const char *best;
	size_t i;

	for (i = 0; i < tb->n; i++)
		names[i] = tb->fields[i].name;
	best = closest_word(word, names, tb->n);
	return best ? xasprintf(", did you mean \"%s\"?", best) : xstrdup("");
}

/* ", did you mean "x"?" among the ids of a section, or "". Caller frees. */
static char *suggest_in_section(const struct topology *t, enum top_key k, const char *word)
{
	size_t n = k == K_DATABASES ? t->ndatabases : k == K_POOLERS ? t->npoolers : t->nclients, i;
	const char **ids = xmalloc((n ? n : 1) * sizeof(*ids));
	const char *best;
	char *s;

	for (i = 0; i < n; i++)
		ids[i] = section_id(t, k, i)->s;
	best = closest_word(word, ids, n);
	s = best ? xasprintf(", did you mean \"%s\"?", best) : xstrdup("");
	free(ids);
	return s;
}

/* Only letters, digits, '_', '-' and '.'? */
static bool path_chars_ok(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-' || *p == '.'))
			return false;
	return true;
}

/*
 * Find the field PATH names: section.id.field[.subfield]. Sets *obj and *f;
 * returns 0 or -1 with *err.
 */
static int set_resolve(struct topology *t, const char *path, void **obj, size_t *size,
		       const struct field **f, const struct field **group, struct pos *idpos, char **err)
{
	static const char *const sections[] = { "databases", "poolers", "clients" };
	static const char *const kinds[] = { "database", "pooler", "client" };
	char *copy = xstrdup(path), *parts[YR_PATH_MAX], *p, *hint;
	const struct table *tb;
	const char *best;
	size_t n = 0, k, i, index;
	bool found;
	int rc = -1;

	/* "postgres://app:pw@db/app?x" is no path, and may be a secret: not quoted */
	if (!path_chars_ok(path)) {
		*err = xstrdup("--set (path not shown): expected SECTION.ID.FIELD, e.g. clients.api.replicas; "
			       "a path holds only letters, digits, '_', '-' and '.'");
		goto out;
	}
	for (p = copy; n < YR_PATH_MAX; n++) {
		parts[n] = p;
		p = strchr(p, '.');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	for (i = 0; i < n; i++)
		if (!*parts[i])
			break;
	if (p || i < n || n < 3) {
		set_error(err, path, "expected SECTION.ID.FIELD, e.g. clients.api.replicas");
		goto out;
	}
	for (k = 0; k < ARRAY_LEN(sections); k++)
		if (strcmp(parts[0], sections[k]) == 0)
			break;
	if (k == ARRAY_LEN(sections)) {
		best = closest_word(parts[0], sections, ARRAY_LEN(sections));
		if (best)
			set_error(err, path, "unknown section \"%s\", did you mean \"%s\"?", str_clip(parts[0]), best);
		else
			set_error(err, path, "unknown section \"%s\" (expected databases, poolers or clients)",
				  str_clip(parts[0]));
		goto out;
	}
	if (k == 0) {
		found = model_find_database(t, parts[1], &index);
		tb = &load_table_database;
		*obj = found ? &t->databases[index] : NULL;
		*size = sizeof(struct database);
	} else if (k == 1) {
		found = model_find_pooler(t, parts[1], &index);
		tb = &load_table_pooler;
		*obj = found ? &t->poolers[index] : NULL;
		*size = sizeof(struct pooler);
	} else {
		found = model_find_client(t, parts[1], &index);
		tb = &load_table_client;
		*obj = found ? &t->clients[index] : NULL;
		*size = sizeof(struct client);
	}
	if (!found) {
		hint = suggest_in_section(t, (enum top_key)(K_DATABASES + k), parts[1]);
		set_error(err, path, "unknown %s \"%s\"%s", kinds[k], str_clip(parts[1]), hint);
		free(hint);
		goto out;
	}
	*idpos = section_id(t, (enum top_key)(K_DATABASES + k), index)->pos;
	for (i = 2; i < n; i++) {
		*f = load_field_find(tb, parts[i], strlen(parts[i]));
		if (!*f) {
			hint = suggest_field(tb, parts[i]);
			set_error(err, path, "unknown field \"%s\"%s", str_clip(parts[i]), hint);
			free(hint);
			goto out;
		}
		if ((*f)->kind == F_MAP && i + 1 < n) {
			*group = *f;
			tb = (*f)->sub;
			continue;
		}
		if ((*f)->kind == F_MAP) {
			struct sbuf b = { 0 };
			size_t j;
			for (j = 0; j < (*f)->sub->n; j++)
				sbuf_printf(&b, "%s%s", j ? ", " : "", (*f)->sub->fields[j].name);
			set_error(err, path, "\"%s\" is a group; set one of its fields (%s)", str_clip(parts[i]), b.s);
			sbuf_release(&b);
			goto out;
		}
		if (i + 1 < n) {
			set_error(err, path, "unknown field \"%s\" (\"%s\" has no fields)", str_clip(parts[i + 1]),
				  str_clip(parts[i]));
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

/* load_set, and load_set_at when at is given (its label and position). */
static int set_value(struct topology *t, const char *path, const char *value, const char *label,
		     const struct pos *at, char **err)
{
	struct ld ld = { 0 };
	const struct field *f = NULL, *group = NULL;
	struct pos idpos;
	struct yr r;
	void *obj = NULL, *copy;
	size_t size = 0;
	const char *p = value;
	bool digits, plain = false;
	int rc = -1;

	*err = NULL;
	if (set_resolve(t, path, &obj, &size, &f, &group, &idpos, err))
		return -1;
	/*
	 * A source's value is the text of one scalar: digits are read as the
	 * YAML reader reads a plain 3, anything else as a quoted string (a
	 * manifest's "25%", a url, "true"). A count into a plain integer field,
	 * the common case of a stream of a thousand workloads, is stored here.
	 */
	while (*p >= '0' && *p <= '9')
		p++;
	digits = p != value && *p == '\0';
	/* a decimal (an Aurora Serverless v2 MinCapacity 0.5) into a real field reads as a plain 0.5 */
	if (f->kind == F_REAL && p != value && *p == '.' && p[1] >= '0' && p[1] <= '9') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
		plain = *p == '\0';
	}
	if (at && f->kind == F_UINT && !(f->flags & FL_COLD) && !group && digits) {
		uint64_t v = 0;
		const char *q = value;

		for (; *q >= '0' && *q <= '9'; q++)
			if (!u64_mul(v, 10, &v) || !u64_add(v, (uint64_t)(*q - '0'), &v))
				break;
		if (*q == '\0') {
			struct num nv = { v, *at };
			memcpy((char *)obj + f->off, &nv, sizeof(nv));
			return 0;
		}
	}
	/* read into a copy: the object changes only when the whole value is good */
	copy = xmalloc(size);
	memcpy(copy, obj, size);
	/* a client's rarely set fields are shared with saved copies (plan): change a copy of them */
	if ((f->flags & FL_COLD) || (group && (group->flags & FL_COLD)))
		client_cold_edit(&t->arena, copy, true);
	ld.t = t;
	if (at)
		yr_init_scalar(&r, &ld, "--set", value, !digits && !plain);
	else
		yr_init_buffer(&r, &ld, "--set", value, strlen(value));
	r.set_path = path;
	r.set_label = label;
	/* the value keeps the position of what it replaces, so findings point into the file */
	r.set_pos = load_field_is_set(f, obj) ? load_field_pos(f, obj) : idpos;
	if (r.set_pos.line == 0)
		r.set_pos = idpos;
	if (at)
		r.set_pos = *at;
	if (at) {
		if (load_read_field(&r, f, copy, r.set_pos))
			goto out;
	} else {
		if (yr_next(&r) || yr_next(&r))
			goto out;
		if (yr_is(&r, YAML_STREAM_END_EVENT)) {
			yr_error(&r, "missing value");
			goto out;
		}
		if (yr_next(&r) || load_read_field(&r, f, copy, r.set_pos))
			goto out;
		if (yr_next(&r) || yr_next(&r))
			goto out;
	}
	/* pool.size set on a client without `pool:` makes the group present */
	if (group && group->pos_off != NO_POS && !load_field_is_set(group, copy))
		load_field_mark(&r, group, copy, r.set_pos);
	memcpy(obj, copy, size);
	rc = 0;
out:
	if (rc)
		yr_drain(&r);
	yr_release(&r);
	free(ld.scratch);
	strmap_release(&ld.interned);
	free(copy);
	if (rc)
		*err = ld.err.what ? ld_message(&ld) : xasprintf("--set %s: invalid value", path);
	ld_clear(&ld);
	return rc;
}

int load_set(struct topology *t, const char *path, const char *value, char **err)
{
	return set_value(t, path, value, NULL, NULL, err);
}

int load_set_at(struct topology *t, const char *path, const char *value, const char *label, struct pos pos,
		char **err)
{
	return set_value(t, path, value, label, &pos, err);
}
