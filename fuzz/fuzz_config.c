/*
 * fuzz_config.c - libFuzzer target over the config readers (src/config/):
 * bytes as a postgresql.conf, a pgbouncer.ini, a pgcat.toml and an
 * odyssey.conf → settings or a positioned, bounded error, never a crash, a
 * hang or a leak; then the same bytes behind a topology's `config:`, so
 * that applying the settings is fuzzed too (a pgcat pooler reads the same
 * bytes as its pgcat.toml, an odyssey pooler as its odyssey.conf).
 *
 *   make build/fuzz/fuzz_config && (cd "$(mktemp -d)" && .../fuzz_config CORPUS)
 *
 * Run it from an empty directory: the input is written there as fuzz.conf,
 * fuzz.ini, fuzz.toml and fuzz-odyssey.conf, and an include in it resolves
 * there.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz_common.h"
#include "load.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CONF "fuzz.conf"
#define FUZZ_INI "fuzz.ini"
#define FUZZ_TOML "fuzz.toml"
#define FUZZ_ODYSSEY "fuzz-odyssey.conf"

/* Which reader reads a file. */
enum fuzz_kind { KIND_CONF, KIND_INI, KIND_TOML, KIND_ODYSSEY };

/* Each kind's file and reader. */
static const struct fuzz_reader {
	const char *file, *stage;
	int (*read)(struct arena *a, const char *path, struct pos from, struct config_file *out,
		    char **err);
} readers[] = {
	[KIND_CONF] = { FUZZ_CONF, "config_read_postgresql", config_read_postgresql },
	[KIND_INI] = { FUZZ_INI, "config_read_pgbouncer", config_read_pgbouncer },
	[KIND_TOML] = { FUZZ_TOML, "config_read_pgcat", config_read_pgcat },
	[KIND_ODYSSEY] = { FUZZ_ODYSSEY, "config_read_odyssey", config_read_odyssey },
};

/*
 * The longest message a reader may give: every quoted token is cut to
 * CLIP_MAX bytes and every quoted file name to CLIP_PATH_MAX (util.h), so a
 * 64 KiB value makes a one-line message. The position's own file name was
 * opened, so it is shorter than a path can be.
 */
enum { ERR_MAX = 4 * CLIP_PATH_MAX + 1024 };

/* The topology whose database reads fuzz.conf and whose pooler reads fuzz.ini. */
static const char topology[] =
	"version: 1\n"
	"databases:\n"
	"  main:\n"
	"    max_connections: 100\n"
	"    config: " FUZZ_CONF "\n"
	"poolers:\n"
	"  bouncer:\n"
	"    type: pgbouncer\n"
	"    database: main\n"
	"    pool_mode: transaction\n"
	"    config: " FUZZ_INI "\n"
	"clients:\n"
	"  api:\n"
	"    type: service\n"
	"    connects_to: bouncer\n"
	"    pool: { size: 10 }\n";

/* The topology whose pgcat pooler reads fuzz.toml. */
static const char topology_pgcat[] =
	"version: 1\n"
	"databases:\n"
	"  main: { max_connections: 100 }\n"
	"poolers:\n"
	"  cat: { type: pgcat, database: main, config: " FUZZ_TOML " }\n";

/* The topology whose odyssey pooler reads fuzz-odyssey.conf. */
static const char topology_odyssey[] =
	"version: 1\n"
	"databases:\n"
	"  main: { max_connections: 100 }\n"
	"poolers:\n"
	"  ody: { type: odyssey, database: main, config: " FUZZ_ODYSSEY " }\n";

/* Write n bytes to path (truncating it); aborts when the directory refuses. */
static void put_file(const char *path, const uint8_t *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
		fuzz_fail("cannot write %s in the working directory", path);
}

/* A reader's error: positioned in name (or an included file) and bounded. */
static void check_error(const char *stage, const char *name, const uint8_t *data, size_t size,
			const char *err)
{
	fuzz_check_error_in(stage, name, data, size, err);
	if (strlen(err) > ERR_MAX)
		fuzz_fail("%s: a message of %zu bytes (at most %d): \"%.200s...\"", stage, strlen(err),
			  ERR_MAX, err);
}

/*
 * What a reader returned holds to its contract: every setting has a name, a
 * value and a 1-based position inside the input when it is the input's;
 * pgbouncer.ini settings have a lower-case section. The value parsers run
 * over every value (they must not crash on any).
 */
static void check_settings(const char *name, const struct config_file *f, enum fuzz_kind kind,
			   const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct config_setting *s = &f->v[i];
		uint64_t v;
		const char *c;

		if (!s->name || !s->value || !s->section)
			fuzz_fail("%s: setting %zu without a name, value or section", name, i);
		if (!pos_file(s->pos) || s->pos.line < 1 || s->pos.col < 1)
			fuzz_fail("%s: setting '%s' at %u:%u is not positioned", name, s->name,
				  s->pos.line, s->pos.col);
		if (strcmp(pos_file(s->pos), name) == 0 &&
		    (s->pos.line > fuzz_max_line(data, size) || s->pos.col > (uint64_t)size + 1))
			fuzz_fail("%s: setting '%s' at %u:%u lies outside the %zu-byte input", name,
				  s->name, s->pos.line, s->pos.col, size);
		if (kind == KIND_INI)
			for (c = s->section; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					fuzz_fail("%s: section '%s' is not in lower case", name, s->section);
		if (kind == KIND_CONF && !*s->name)
			fuzz_fail("%s: a setting with an empty name", name);
		(void)config_parse_pg_ms(s->value, &v);
		if (config_find(f, s->section, s->name) == NULL)
			fuzz_fail("%s: config_find misses '%s' in '%s'", name, s->name, s->section);
	}
}

/* One reader over the input, written as its file. */
static void read_one(enum fuzz_kind kind, const uint8_t *data, size_t size)
{
	const char *name = readers[kind].file;
	struct arena a = { 0 };
	struct config_file f = { 0 };
	char *err = NULL;
	int rc;

	rc = readers[kind].read(&a, name, pos_make(name, 1, 1), &f, &err);
	if (rc == 0) {
		if (err)
			fuzz_fail("%s: read and an error: \"%s\"", name, err);
		check_settings(name, &f, kind, data, size);
	} else {
		check_error(readers[kind].stage, name, data, size, err);
	}
	free(err);
	config_file_release(&f);
	arena_release(&a);
}

/*
 * One input: the four readers over it, then a topology that reads it as its
 * pooler's pgbouncer.ini when it has a '[' (a section), else as its
 * database's postgresql.conf, the other file empty. Frees everything.
 * Always returns 0 (libFuzzer's convention).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool ini = size > 0 && memchr(data, '[', size) != NULL;

	enum fuzz_kind k;

	for (k = KIND_CONF; k <= KIND_ODYSSEY; k++) {
		put_file(readers[k].file, data, size);
		read_one(k, data, size);
	}
	fuzz_load_behind(topology_pgcat, sizeof(topology_pgcat) - 1, FUZZ_TOML, data, size, ERR_MAX);
	fuzz_load_behind(topology_odyssey, sizeof(topology_odyssey) - 1, FUZZ_ODYSSEY, data, size, ERR_MAX);

	/* the other file the smallest that loads: PgBouncer needs its [pgbouncer] section */
	if (ini)
		put_file(FUZZ_CONF, NULL, 0);
	else
		put_file(FUZZ_INI, (const uint8_t *)"[pgbouncer]\n", strlen("[pgbouncer]\n"));
	fuzz_load_behind(topology, sizeof(topology) - 1, ini ? FUZZ_INI : FUZZ_CONF, data, size, ERR_MAX);
	return 0;
}
