/*
 * fuzz_common.h - what the libFuzzer targets (fuzz_*.c) share: the oracle
 * that every error message is positioned, and the loader's invariants on a
 * topology it accepted.
 *
 * A broken oracle is reported on stderr and ends in abort(), which libFuzzer
 * records as a crash with the input that caused it. Only the targets include
 * this file; it is not part of src/.
 */
#ifndef CONNBUDGET_FUZZ_COMMON_H
#define CONNBUDGET_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "model.h"

/* The name every fuzz input is loaded under (positions must name it). */
#define FUZZ_NAME "fuzz.yaml"

/* Report a broken oracle and crash, so libFuzzer keeps the input. */
static inline _Noreturn void fuzz_fail(const char *fmt, ...) PRINTF_LIKE(1, 2);
static inline _Noreturn void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz oracle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Does the input mention `include`? Only then may a message name another file. */
static inline bool fuzz_has_include(const uint8_t *data, size_t size)
{
	static const char word[] = "include";
	size_t i, n = sizeof(word) - 1;

	for (i = 0; i + n <= size; i++)
		if (memcmp(data + i, word, n) == 0)
			return true;
	return false;
}

/*
 * An upper bound on the line a position in this input can name: every byte
 * that can be (part of) a line break (LF, CR, NEL, LS, PS) counts once, plus
 * one more line because libyaml's end-of-stream mark, on input without a
 * final line break, sits at column 1 of the line after the last
 * (yaml_parser_fetch_stream_end forces a new line): an error found there is
 * reported one line past the end.
 */
static inline uint64_t fuzz_max_line(const uint8_t *data, size_t size)
{
	uint64_t n = 2;
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
		    data[i] == 0xa9)
			n++;
	return n;
}

/*
 * Read a decimal number at *p (at least one digit), advance *p past it.
 * Returns false when there is no digit or the value does not fit.
 */
static inline bool fuzz_number(const char **p, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*s - '0');
		s++;
	}
	*p = s;
	return true;
}

/*
 * The oracle for a failed stage (load, budget, rules, a config reader): err
 * must be "FILE:LINE:COL: error: TEXT" with LINE and COL at least 1 and TEXT
 * not empty. FILE is name (the input's), whose positions must lie inside
 * the input; another file is accepted only when the input can include one.
 * stage names the failing call in the report. Returns normally or aborts.
 */
static inline void fuzz_check_error_in(const char *stage, const char *name, const uint8_t *data,
				       size_t size, const char *err)
{
	static const char tag[] = ": error: ";
	const char *p = NULL, *colon;
	uint64_t line = 0, col = 0;
	bool own;

	if (!err)
		fuzz_fail("%s failed without a message", stage);
	/* FILE ends at the first ':' that is followed by LINE:COL: error: */
	for (colon = strchr(err, ':'); colon; colon = strchr(colon + 1, ':')) {
		p = colon + 1;
		if (fuzz_number(&p, &line) && *p == ':' && (p++, fuzz_number(&p, &col)) &&
		    strncmp(p, tag, sizeof(tag) - 1) == 0)
			break;
	}
	if (!colon || colon == err)
		fuzz_fail("%s: message without a position: \"%s\"", stage, err);
	own = (size_t)(colon - err) == strlen(name) && strncmp(err, name, strlen(name)) == 0;
	if (!own && !fuzz_has_include(data, size))
		fuzz_fail("%s: message names a file other than %s: \"%s\"", stage, name, err);
	if (line < 1 || col < 1)
		fuzz_fail("%s: position %llu:%llu is not 1-based: \"%s\"", stage,
			  (unsigned long long)line, (unsigned long long)col, err);
	if (own && (line > fuzz_max_line(data, size) || col > (uint64_t)size + 1))
		fuzz_fail("%s: position %llu:%llu lies outside the %zu-byte input: \"%s\"", stage,
			  (unsigned long long)line, (unsigned long long)col, size, err);
	if (p[sizeof(tag) - 1] == '\0')
		fuzz_fail("%s: message with an empty text: \"%s\"", stage, err);
}

/* fuzz_check_error_in for the YAML input, fuzz.yaml. */
static inline void fuzz_check_error(const char *stage, const uint8_t *data, size_t size, const char *err)
{
	fuzz_check_error_in(stage, FUZZ_NAME, data, size, err);
}

/*
 * A fixed topology (fuzz.yaml, from memory) whose files read the input,
 * written as input: it loads, or its error is positioned in the topology
 * or in the input and at most err_max bytes long. Returns normally or aborts.
 */
static inline void fuzz_load_behind(const char *topology, size_t tlen, const char *input,
				    const uint8_t *data, size_t size, size_t err_max)
{
	char *err = NULL;
	struct topology *t = load_buffer(FUZZ_NAME, topology, tlen, &err);

	if (t) {
		if (err)
			fuzz_fail("load_buffer returned a topology and an error: \"%s\"", err);
		model_free(t);
		return;
	}
	if (strncmp(err ? err : "", FUZZ_NAME ":", strlen(FUZZ_NAME ":")) == 0)
		fuzz_check_error_in("load_buffer", FUZZ_NAME, (const uint8_t *)topology, tlen, err);
	else
		fuzz_check_error_in("load_buffer", input, data, size, err);
	if (strlen(err) > err_max)
		fuzz_fail("load_buffer: a message of %zu bytes (at most %zu): \"%.200s...\"", strlen(err),
			  err_max, err);
	free(err);
}

/*
 * A source target (fuzz_source, fuzz_terraform): LLVMFuzzerTestOneInput
 * writes the input to FILE in the working directory and loads a topology
 * whose `sources:` entries (SOURCES, YAML lines) read it, with a database
 * and a pooler at the hosts and ports a url can name for discovery: it
 * loads, or fails with a positioned error at most the readers' bound long
 * (quoted tokens and file names are clipped, util.h).
 */
#define FUZZ_SOURCE_TARGET(FILE_NAME, SOURCES)                                                              \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                        \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                         \
	{                                                                                                     \
		static const char topology[] = "version: 1\nsources:\n" SOURCES                             \
					       "databases:\n"                                                 \
					       "  main: { max_connections: 100, host: db, port: 5432 }\n"     \
					       "poolers:\n"                                                   \
					       "  bouncer: { type: pgbouncer, database: main, host: pgbouncer, " \
					       "port: 6432 }\n";                                              \
		FILE *f = fopen(FILE_NAME, "wb");                                                             \
                                                                                                              \
		if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)                       \
			fuzz_fail("cannot write %s in the working directory", FILE_NAME);                     \
		fuzz_load_behind(topology, sizeof(topology) - 1, FILE_NAME, data, size,                      \
				 4 * CLIP_PATH_MAX + 1024);                                                   \
		return 0;                                                                                     \
	}

/* A position the loader stored: 1-based, and inside the input when it is fuzz.yaml's. */
static inline void fuzz_check_pos(const char *what, struct pos pos, const uint8_t *data, size_t size)
{
	if (!pos_file(pos))
		fuzz_fail("loader: %s has no file", what);
	if (pos.line < 1 || pos.col < 1)
		fuzz_fail("loader: %s at %u:%u is not 1-based", what, pos.line, pos.col);
	if (strcmp(pos_file(pos), FUZZ_NAME) == 0 &&
	    (pos.line > fuzz_max_line(data, size) || pos.col > (uint64_t)size + 1))
		fuzz_fail("loader: %s at %u:%u lies outside the %zu-byte input", what, pos.line,
			  pos.col, size);
}

/*
 * The loader's contract on a topology it returned (docs/topology.md, model.h):
 * version 1, at least one database, every id present and positioned, enum
 * values in range, references resolved to valid indexes.
 */
static inline void fuzz_check_topology(const struct topology *t, const uint8_t *data, size_t size)
{
	size_t i;

	if (!VALUE_SET(t->version) || t->version.v != 1)
		fuzz_fail("loader: accepted a topology without version 1");
	if (t->ndatabases < 1)
		fuzz_fail("loader: accepted a topology without a database");
	for (i = 0; i < t->ndatabases; i++) {
		const struct database *d = &t->databases[i];
		if (!d->id.s)
			fuzz_fail("loader: database %zu has no id", i);
		fuzz_check_pos("a database id", d->id.pos, data, size);
	}
	for (i = 0; i < t->npoolers; i++) {
		const struct pooler *p = &t->poolers[i];
		if (!p->id.s)
			fuzz_fail("loader: pooler %zu has no id", i);
		fuzz_check_pos("a pooler id", p->id.pos, data, size);
		/* type: managed is resolved by the loader: none is left */
		if (p->type.v >= POOLER_MANAGED || p->pool_mode.v > POOL_STATEMENT)
			fuzz_fail("loader: pooler '%s' has type %llu, pool_mode %llu", p->id.s,
				  (unsigned long long)p->type.v, (unsigned long long)p->pool_mode.v);
		if (p->db >= t->ndatabases)
			fuzz_fail("loader: pooler '%s' resolves to database %zu of %zu", p->id.s,
				  p->db, t->ndatabases);
	}
	for (i = 0; i < t->nclients; i++) {
		const struct client *c = &t->clients[i];
		if (!c->id.s)
			fuzz_fail("loader: client %zu has no id", i);
		fuzz_check_pos("a client id", c->id.pos, data, size);
		if (c->type.v > CLIENT_TOOL)
			fuzz_fail("loader: client '%s' has type %llu", c->id.s,
				  (unsigned long long)c->type.v);
		if (c->target >= (c->via_pooler ? t->npoolers : t->ndatabases))
			fuzz_fail("loader: client '%s' resolves to %s %zu", c->id.s,
				  c->via_pooler ? "pooler" : "database", (size_t)c->target);
	}
}

#endif
