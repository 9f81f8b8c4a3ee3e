/*
 * fuzz_source.c - libFuzzer target over the source readers (src/source/):
 * bytes as a Kubernetes manifest stream and as a compose file behind a
 * topology's `sources:`, bound, discovered and applied → a topology or a
 * positioned, bounded error, never a crash, a hang or a leak.
 *
 *   make build/fuzz/fuzz_source && (cd "$(mktemp -d)" && .../fuzz_source CORPUS)
 *
 * Run it from an empty directory: the input is written there as
 * fuzz-source.yaml.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "load.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SOURCE "fuzz-source.yaml"

/* The longest message: quoted tokens and file names are clipped (util.h). */
enum { ERR_MAX = 4 * CLIP_PATH_MAX + 1024 };

/* Both YAML kinds over the same file, every env field kind, a database and a pooler to discover. */
static const char topology[] =
	"version: 1\n"
	"sources:\n"
	"  - kubernetes: " FUZZ_SOURCE "\n"
	"    env: { pool.size: [DB_POOL, MAX_THREADS], processes: WEB_CONCURRENCY, pool.acquire_timeout: T }\n"
	"  - compose: " FUZZ_SOURCE "\n"
	"    env: { pool.size: DB_POOL, threads: MAX_THREADS }\n"

	"databases:\n"
	"  main: { max_connections: 100, host: db, port: 5432 }\n"
	"poolers:\n"
	"  bouncer: { type: pgbouncer, database: main, host: pgbouncer, port: 6432 }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(FUZZ_SOURCE, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		fuzz_fail("cannot write %s in the working directory", FUZZ_SOURCE);
	fuzz_load_behind(topology, sizeof(topology) - 1, FUZZ_SOURCE, data, size, ERR_MAX);
	return 0;
}
