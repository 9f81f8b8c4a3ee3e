/*
 * report_diff.h - what the diff reporter (report/diff.c) is given: the
 * comparison of two reports, as data. `connbudget diff` (src/diff.c)
 * builds it and owns it; the reporter only writes it, as every format
 * writes the struct report it is given.
 */
#ifndef CONNBUDGET_REPORT_DIFF_H
#define CONNBUDGET_REPORT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

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
 * Write d in format f (text, json, markdown or github; others fall back
 * to text). Returns 0, or -1 on an output error.
 */
int report_diff(FILE *out, enum report_format f, const struct diff *d);

#endif
