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

#include "report/report_diff.h"

/*
 * Compare two reports (JSON text of `check --format json`). Takes neither
 * string; d owns the parsed trees. Returns 0, or -1 with *err set (caller
 * frees) when either is not such a report.
 */
int diff_compare(struct diff *d, const char *base_json, const char *head_json, char **err);
void diff_release(struct diff *d);

#endif
