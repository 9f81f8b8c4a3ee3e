/*
 * load_yaml.h - the loader's one wrapper around libyaml (private to load*.c).
 *
 * A `struct yr` pulls events from libyaml's event API (never its document
 * tree) over a file descriptor or a memory buffer, enforcing the input limits
 * of load.h: file size, nesting depth, node count. Aliases are rejected.
 * Every error comes out in one shape,
 * "file:line:col: error: path: what". The error being handled is ld->err;
 * a reader that can go on (load_fields.c, load.c) moves it to ld->errs
 * with yr_recover and reads the next key; a YAML-level problem stops the
 * file.
 */
#ifndef CONNBUDGET_LOAD_YAML_H
#define CONNBUDGET_LOAD_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "load.h"
#include "model.h"
#include "util.h"

/* State shared by every stream of one load (a file and its includes, or a --set). */
struct ld {
	struct topology *t;   /* strings go to t->arena */
	struct load_error err; /* the error being handled; err.what NULL while all is well */
	struct load_errors errs; /* the errors recovered from (yr_recover), then the rest */
	bool recover;         /* readers go on after an error (a file; not a --set) */
	bool stop;            /* a limit or the error cap was reached: nothing more is read */
	size_t nodes;         /* scalar and collection events read so far */
	struct str *scratch;  /* list items being collected (load_fields.c) */
	size_t scratch_cap;
	struct strmap interned; /* short strings read so far, each kept once in t->arena */
};

enum {
	YR_PATH_MAX = 8,          /* components of a dotted path: clients.api.pool.size */
	YR_HIST = 64 * 1024,      /* bytes kept to place a reader error; > libyaml's raw buffer */
};

/* One YAML stream being read. */
struct yr {
	yaml_parser_t parser;
	yaml_event_t ev;          /* the current event, valid when have_ev */
	bool have_ev;
	bool no_parser;           /* yr_init_scalar: ev is borrowed, no parser */
	struct ld *ld;
	const char *file;         /* the name positions carry (owned by the caller) */
	unsigned file_id;         /* its number in the position file table (pos_file_id) */
	const char *set_path;     /* load_set: errors read "--set PATH: what" */
	struct pos set_pos;       /* load_set: the position every value gets */
	const char *set_label;    /* load_set_at: errors read "file:line:col: error: LABEL: what" */
	/* what a source file (src/source/) may hold and a topology may not */
	bool multi_doc;           /* several documents (a manifest stream) */
	bool aliases;             /* aliases and merge keys (compose's x- blocks) */
	bool tags;                /* any tag (CloudFormation's !Ref, !Sub): the tree records it */
	unsigned depth;
	unsigned ndocs;           /* documents started */
	bool stream_failed;       /* yr_next failed: the stream itself is bad */
	bool ended;               /* the stream's end was read */
	const char *path[YR_PATH_MAX];
	size_t npath;

	/* input from a file descriptor (fd >= 0) or a buffer (buf) */
	int fd;
	const unsigned char *buf;
	size_t buflen;
	uint64_t total;           /* bytes handed to libyaml */
	bool too_large;
	int read_errno;
	/* a regular file: a reader error's bytes are read again from it (pread
	 * at base + offset) instead of being kept in hist */
	bool seekable;
	uint64_t base;
	/* else the last YR_HIST bytes handed to libyaml and the position of hist[0] */
	unsigned char *hist;
	size_t hist_len;
	uint32_t hist_line, hist_col;
	uint64_t hist_off;
};

/* Read from fd (not closed by yr_release) or from len bytes at data (not copied). */
void yr_init_fd(struct yr *r, struct ld *ld, const char *file, int fd);
void yr_init_buffer(struct yr *r, struct ld *ld, const char *file, const void *data, size_t len);
/*
 * A reader already on one scalar event holding value, with no parser: what
 * yr_init_buffer and two yr_next would give for value written as a plain
 * scalar (quoted false: digits, say) or a double-quoted one, its escapes
 * undone. value (valid UTF-8, as every value read from YAML is) must
 * outlive the reader. Release with yr_release.
 */
void yr_init_scalar(struct yr *r, struct ld *ld, const char *file, const char *value, bool quoted);
/* Release the parser and the current event; accepts a reader that failed. */
void yr_release(struct yr *r);

/*
 * Advance to the next event (r->ev). Returns 0, or -1 with the error recorded
 * in r->ld->err: a libyaml error, an alias, an unsupported tag (any tag is
 * accepted with r->tags), too deep, too
 * many nodes, a file over the size limit, a second document.
 */
int yr_next(struct yr *r);

/*
 * After an error about the content (a schema error), read the rest of the
 * stream: a YAML-level problem further on (syntax, encoding, alias, depth,
 * size, a second document) replaces the error, so a file is reported as
 * unparsable before anything is said about its content.
 */
void yr_drain(struct yr *r);

/* The position of the current event (or set_pos under load_set). */
struct pos yr_pos(const struct yr *r);

/* Record an error about the current event / at pos, prefixed with the dotted
 * path, as ld->err; returns -1. While an error is being handled (not yet
 * kept by yr_recover), later ones are dropped. */
int yr_error(struct yr *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
int yr_error_at(struct yr *r, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* "expected <what>, got <the current node described>"; returns -1. */
int yr_type_error(struct yr *r, const char *what);
/* Record an error without a path: "file:line:col: error: what"; returns -1. */
int ld_error(struct ld *ld, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Record msg (taken over), a whole message of its own, as the error; returns -1. */
int ld_error_msg(struct ld *ld, char *msg);
/* Forget the error being handled (ld->err). */
void ld_clear(struct ld *ld);
/* Move the error being handled to ld->errs (at the cap: ld->stop). */
void ld_keep(struct ld *ld);
/* The error being handled as one message; caller frees. NULL when there is none. */
char *ld_message(const struct ld *ld);

/*
 * After an error in the value of a key at nesting depth (r->depth when the
 * key was read) and path length npath (r->npath then: what the value's
 * readers pushed goes first, as it may name their own, gone, buffers):
 * keep the error and read to the end of that value, so the
 * caller goes on with the next key. Without an error being handled (the
 * value's reader kept its own), the same when an error has been kept.
 * Returns 0, or -1 when reading must stop (the stream failed, a limit or
 * the error cap, a --set, or no error was said at all).
 */
int yr_recover(struct yr *r, unsigned depth, size_t npath);
/*
 * After an error about a key read at depth (an unknown or duplicate key, a
 * bad id, a key that is a collection): keep the error and read past the key
 * and its value. 0 or -1 as yr_recover.
 */
int yr_recover_key(struct yr *r, unsigned depth);

void yr_path_push(struct yr *r, const char *component);
void yr_path_pop(struct yr *r);

/*
 * rel resolved against the directory of file (load.c): "dir/main.yaml" +
 * "inc/a.yaml" → "dir/inc/a.yaml"; with escape, glob metacharacters of the
 * directory part are escaped. Caller frees.
 */
char *load_join_dir(const char *file, const char *rel, bool escape);

/* YAML 1.2 core-schema resolution of a scalar. */
enum sclass { SC_NULL, SC_BOOL, SC_INT, SC_FLOAT, SC_STR };
enum sclass yr_class_of(const char *s, size_t n);
/* The class of the current event, a scalar: quoted, block and !!str scalars are strings. */
enum sclass yr_class(const struct yr *r);
/* The current scalar's text and length (it may contain NUL bytes). */
static inline const char *yr_text(const struct yr *r)
{
	return (const char *)r->ev.data.scalar.value;
}
static inline size_t yr_len(const struct yr *r)
{
	return r->ev.data.scalar.length;
}
static inline bool yr_is(const struct yr *r, yaml_event_type_t type)
{
	return r->ev.type == type;
}

/*
 * Append s (n bytes) double-quoted, masked, escaped and cut after a
 * readable length; for a --set value (r->set_path), LOAD_SET_HIDDEN
 * instead. r may be NULL.
 */
void yr_quote(const struct yr *r, struct sbuf *b, const char *s, size_t n);
/* Append what the current node is, for "got ...": "a mapping", -3, "three". */
void yr_describe(struct sbuf *b, const struct yr *r);

#endif
