/*
 * fuzz_pipeline.c - libFuzzer target over the whole pipeline: bytes → load →
 * budget → rules → every reporter, written into memory.
 *
 * Besides the sanitizers, it holds each stage to its contract: a failing
 * stage returns a positioned error; the figures keep their order
 * (capacity ≤ max_connections, budget ≤ capacity, steady ≤ peak); every
 * reporter succeeds on a memory stream; the json and sarif reports parse as
 * JSON. Run it from an empty directory, as fuzz_load.c says.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "budget.h"
#include "fuzz_common.h"
#include "load.h"
#include "model.h"
#include "report/report.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The order every computed figure keeps (docs/model.md and its ordering constraints). */
/*
 * Database i's demand is the sum of its contributors, and no pooler in
 * front of another is one of them: it counts only through that pooler.
 */
static void check_contributors(const struct topology *t, const struct budget *b, size_t i)
{
	const struct db_fig *d = &b->dbs[i];
	uint64_t sum = 0;
	size_t k;

	for (k = 0; k < d->ncontrib; k++) {
		const struct contrib *c = &d->contrib[k];
		struct amount a = c->kind == CONTRIB_POOLER ? b->poolers[c->index].server : budget_conn(b, c->index);

		if (c->kind == CONTRIB_POOLER && t->poolers[c->index].via_pooler)
			fuzz_fail("budget: pooler '%s' counts on database '%s' and on the pooler it is in front of",
				  t->poolers[c->index].id.s, t->databases[i].id.s);
		if (!a.unbounded)
			sum += a.peak; /* a part of a sum budget_compute checked */
	}
	if (!d->demand.unbounded && sum != d->demand.peak)
		fuzz_fail("budget: database '%s' demand %llu, its contributors' %llu", t->databases[i].id.s,
			  (unsigned long long)d->demand.peak, (unsigned long long)sum);
}

static void check_figures(const struct topology *t, const struct budget *b)
{
	size_t i;

	for (i = 0; i < t->nclients; i++) {
		struct client_fig fig;
		const struct client_fig *c = budget_client(b, i, &fig);

		/* derived again, the figures agree with what budget_compute summed */
		if (c->conn.unbounded != b->conn_unbounded[i] ||
		    (!c->conn.unbounded && (c->conn.steady != b->conn[i].steady ||
					    c->conn.peak != b->conn[i].peak)))
			fuzz_fail("budget: client '%s' derived again differs", t->clients[i].id.s);
		if (!c->conn.unbounded && c->conn.steady > c->conn.peak)
			fuzz_fail("budget: client '%s' steady %llu > peak %llu", t->clients[i].id.s,
				  (unsigned long long)c->conn.steady, (unsigned long long)c->conn.peak);
		if (c->database >= t->ndatabases)
			fuzz_fail("budget: client '%s' ends at database %zu of %zu",
				  t->clients[i].id.s, c->database, t->ndatabases);
	}
	for (i = 0; i < t->npoolers; i++) {
		const struct pooler_fig *p = &b->poolers[i];
		if (p->server.steady > p->server.peak || (!p->cap_unbounded && p->server.peak > p->cap))
			fuzz_fail("budget: pooler '%s' server %llu/%llu, cap %llu", t->poolers[i].id.s,
				  (unsigned long long)p->server.steady,
				  (unsigned long long)p->server.peak, (unsigned long long)p->cap);
		if (t->poolers[i].db >= t->ndatabases)
			fuzz_fail("budget: pooler '%s' ends at database %zu of %zu", t->poolers[i].id.s,
				  t->poolers[i].db, t->ndatabases);
		/* in front of a pooler: its server side is part of that one's client side */
		if (t->poolers[i].via_pooler) {
			const struct pooler_fig *in = &b->poolers[t->poolers[i].inner];
			if (!in->client_demand.unbounded && !p->server.unbounded &&
			    in->client_demand.peak < p->server.peak)
				fuzz_fail("budget: pooler '%s' sends %llu to a pooler whose client peak is %llu",
					  t->poolers[i].id.s, (unsigned long long)p->server.peak,
					  (unsigned long long)in->client_demand.peak);
		}
	}
	for (i = 0; i < t->ndatabases; i++) {
		const struct db_fig *d = &b->dbs[i];
		if (d->capacity > d->max_connections || d->budget > d->capacity)
			fuzz_fail("budget: database '%s' max %llu, capacity %llu, budget %llu",
				  t->databases[i].id.s, (unsigned long long)d->max_connections,
				  (unsigned long long)d->capacity, (unsigned long long)d->budget);
		if (!d->demand.unbounded && d->demand.steady > d->demand.peak)
			fuzz_fail("budget: database '%s' steady %llu > peak %llu", t->databases[i].id.s,
				  (unsigned long long)d->demand.steady,
				  (unsigned long long)d->demand.peak);
		check_contributors(t, b, i);
	}
}

/* Findings point somewhere and carry a message. */
static void check_findings(const struct findings *f, const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!f->v[i].rule || !f->v[i].message || !f->v[i].message[0] || !f->v[i].object)
			fuzz_fail("rules: finding %zu lacks its rule, message or object", i);
		if (f->v[i].pos.line)
			fuzz_check_pos("a finding", f->v[i].pos, data, size);
	}
}

/*
 * Write r in format f into memory and check the result: the writer
 * succeeds, and a JSON format parses. Frees the buffer.
 */
static void write_one(enum report_format f, const struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc;

	if (!out)
		abort(); /* the harness, not the code under test, ran out of memory */
	rc = report_write(out, f, r);
	if (fclose(out) != 0 || rc != 0)
		fuzz_fail("report_write %s failed on a memory stream", report_format_name(f));
	if (strlen(buf) != len)
		fuzz_fail("report %s holds a NUL byte", report_format_name(f));
	if (f == REPORT_JSON || f == REPORT_SARIF) {
		cJSON *j = cJSON_ParseWithLength(buf, len);
		if (!j)
			fuzz_fail("report %s is not JSON near \"%.40s\"", report_format_name(f),
				  cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
		cJSON_Delete(j);
	}
	free(buf);
}

/*
 * One input through every stage. The colour and quiet switches and the
 * --fail-on level come from the input's length, so the corpus explores them
 * while each input stays deterministic. Frees everything. Returns 0.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fail_on[] = { SEV_ERROR, SEV_WARNING, SEV_INFO, LEVEL_OFF };
	struct budget b;
	struct findings f;
	struct report_file rf;
	struct report r;
	char *err = NULL;
	struct topology *t;
	int fmt;

	memset(&b, 0, sizeof(b));
	memset(&f, 0, sizeof(f));
	t = load_buffer(FUZZ_NAME, (const char *)data, size, &err);
	if (!t) {
		fuzz_check_error("load_buffer", data, size, err);
		goto out;
	}
	fuzz_check_topology(t, data, size);
	if (budget_compute(t, 100, &b, &err) != 0) {
		fuzz_check_error("budget_compute", data, size, err);
		goto out;
	}
	check_figures(t, &b);
	if (rules_run(t, &b, NULL, &f, &err) != 0) {
		fuzz_check_error("rules_run", data, size, err);
		goto out;
	}
	check_findings(&f, data, size);

	rf.topo = t;
	rf.budget = &b;
	rf.findings = &f;
	memset(&r, 0, sizeof(r));
	r.files = &rf;
	r.nfiles = 1;
	r.command = "check";
	r.color = size & 1;
	r.quiet = (size >> 1) & 1;
	r.version = "fuzz";
	r.fail_on = fail_on[(size >> 2) % ARRAY_LEN(fail_on)];
	/* every format report.c knows: its table answers "unknown" past the last */
	for (fmt = REPORT_TEXT; strcmp(report_format_name((enum report_format)fmt), "unknown") != 0; fmt++)
		if (fmt != REPORT_PROMETHEUS) /* written from an alert set, which alerts.sh tests */
			write_one((enum report_format)fmt, &r);
	if (fmt <= REPORT_MARKDOWN)
		fuzz_fail("report_format_name stops at %d, before markdown", fmt);
out:
	free(err);
	findings_release(&f);
	budget_release(&b);
	model_free(t);
	return 0;
}
