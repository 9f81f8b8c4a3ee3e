/*
 * source.h - one reader per kind of infrastructure file: Kubernetes
 * manifests, docker-compose files, serverless.yml, CloudFormation
 * templates, Terraform plans. A reader reads one file and yields facts.
 *
 * A fact is what `plan --set PATH=VALUE` hands the loader, a field of the
 * topology and a value for it, with the place in the source file the value
 * was read from:
 *
 *	clients.api.replicas = 6  @ deploy/api.yaml:12:13
 *
 * The loader applies every fact with the code behind load_set (load.h):
 * the path is resolved and the value read and checked exactly as a --set
 * value (and so as the same value written in the topology), then
 * load_validate runs once over the result. Unlike a --set value, which
 * takes the position of what it replaces, a fact keeps its own, so that a
 * finding about it points into the source file. The loader, not the
 * reader, decides what a fact does to a field the topology sets itself.
 *
 * This is the interface only: no reader exists yet, and nothing is built
 * from this header until the first one is. The families of the same shape
 * are src/config/ (config.h) and the formats of src/report/ (report.c's
 * table): one struct of function pointers or one table, one file per
 * member, and the core never names a member.
 *
 * Adding a reader:
 *  1. Write src/source/<name>.c, defining
 *     `const struct source_kind source_<name>` with the read function
 *     below, and declare it at the end of this header.
 *  2. Add one row to the loader's table of kinds, in which the entries of
 *     the topology's `sources:` are looked up by name (the key and the
 *     table come with the first reader, the table shaped as report.c's
 *     formats[]).
 *  3. Add golden cases under testdata/, one source file beside the
 *     topology that names it and the expected facts and findings.
 *  4. Document the kind and the fields it fills in docs/.
 *
 * What read must do:
 *  - Read the one file at path (and what that file itself includes, by its
 *    own format's rules), nothing else: no network, no environment, no
 *    other file of the topology.
 *  - For every value it recognises, append one struct source_fact to out:
 *    path as load_set takes it (section.id.field[.subfield], naming an
 *    object the topology declares: clients.api.replicas), value the scalar
 *    as it would be written in the topology's YAML ("6", "30s", "true"),
 *    pos where in path the value stands (pos_make(path, line, col), line
 *    and column 1-based, the column counting characters). Grow out->v with
 *    xgrow (util.h); put path and value in ctx->arena.
 *  - Copy what the file says, never compute: a replica count is a fact,
 *    a demand is budget.c's (replicas × pool size, the defaults of a
 *    framework). A value it cannot read with certainty (a template
 *    expression, a variable with no default) yields no fact rather than a
 *    guess.
 *  - Know no rule and no figure, print nothing: the loader reports its
 *    errors, the rules judge the topology the facts make.
 *  - Return 0, or -1 with *err "file:line:col: error: what" (caller frees,
 *    the position in path, or ctx->from when path cannot be opened). Facts
 *    appended before an error stay in out; the caller releases out either
 *    way.
 *  - Stay within the loader's limits on hostile input (load.h): file size,
 *    nesting, the length of a string.
 */
#ifndef CONNBUDGET_SOURCE_H
#define CONNBUDGET_SOURCE_H

#include <stddef.h>

#include "model.h"
#include "util.h"

/* One value a source file gives a topology field. */
struct source_fact {
	const char *path;     /* "clients.api.replicas": load_set's PATH */
	const char *value;    /* "6": load_set's VALUE, a YAML scalar */
	struct pos pos;       /* where the value stands in the source file */
};

/* The facts of one source file, in the order read. v is malloc'd (the caller frees it). */
struct source_facts {
	struct source_fact *v;
	size_t n, cap;
};

/* What a reader is given besides the path. */
struct source_ctx {
	const struct topology *t;  /* the topology naming the source, as read so far */
	struct pos from;           /* the `sources:` entry naming the file */
	struct arena *arena;       /* where the facts' strings live (the topology's) */
};

/* One kind of source file. */
struct source_kind {
	const char *name;          /* "kubernetes", as written in `sources:` */
	/* Read path (resolved against the topology's directory); append its facts to out. */
	int (*read)(const struct source_ctx *ctx, const char *path, struct source_facts *out,
		    char **err);
};

/* The readers (src/source/<name>.c), one line each as they are added. */

#endif
