/*
 * diff.h - what a change does to the budget: two `check --format json`
 * reports (the base's and the head's, from the same pipeline) compared
 * object by object, and the findings matched between them.
 */
#ifndef CONNBUDGET_DIFF_H
#define CONNBUDGET_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/report.h"

struct cJSON;

/* One object on either side: before or after is NULL when it was added or removed. */
struct diff_object {
	const char *id;
	const struct cJSON *before, *after;
	bool changed;            /* some figure differs (or it was added or removed) */
};

/* The comparison; every pointer points into the two parsed reports it owns. */
struct diff {
	const char *base_rev;    /* the commit, or "baseline" with the file in base_file */
	const char *base_file;   /* --baseline REPORT.json, else NULL */
	struct cJSON *base, *head;
	struct diff_object *dbs, *clients, *poolers;
	size_t ndbs, nclients, npoolers;
	const struct cJSON **added, **resolved;  /* findings: new in head, gone from base */
	size_t nadded, nresolved, nunchanged;
	int fail_on;             /* --fail-on: a severity, or LEVEL_OFF */
	bool failed;             /* a new finding at or above fail_on */
	bool quiet;
	char *picture;           /* the head's topology as a mermaid flowchart, or NULL */
};

/*
 * Compare two reports (JSON text of `check --format json`). Takes neither
 * string; d owns the parsed trees. Returns 0, or -1 with *err set (caller
 * frees) when either is not such a report.
 */
int diff_compare(struct diff *d, const char *base_json, const char *head_json, char **err);
void diff_release(struct diff *d);

/*
 * Write d in format f (text, json, markdown or github; others fall back
 * to text). Returns 0, or -1 on an output error. (report/diff.c)
 */
int report_diff(FILE *out, enum report_format f, const struct diff *d);

#endif
