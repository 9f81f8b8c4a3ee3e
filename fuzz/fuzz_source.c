/*
 * fuzz_source.c - libFuzzer target over the source readers (src/source/):
 * bytes as a Kubernetes manifest stream, a compose file, a Serverless
 * Framework file and a CloudFormation template behind a topology's
 * `sources:`, bound, discovered and applied → a topology or a
 * positioned, bounded error, never a crash, a hang or a leak.
 *
 *   make build/fuzz/fuzz_source && (cd "$(mktemp -d)" && .../fuzz_source CORPUS)
 *
 * Run it from an empty directory: the input is written there as
 * fuzz-source.yaml.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

/* Every YAML kind over the same file, every env field kind. */
FUZZ_SOURCE_TARGET("fuzz-source.yaml",
		   "  - kubernetes: fuzz-source.yaml\n"
		   "    env: { pool.size: [DB_POOL, MAX_THREADS], processes: WEB_CONCURRENCY, pool.acquire_timeout: T }\n"
		   "  - compose: fuzz-source.yaml\n"
		   "    env: { pool.size: DB_POOL, threads: MAX_THREADS }\n"
		   "  - serverless: fuzz-source.yaml\n"
		   "    env: { pool.size: DB_POOL }\n"
		   "  - cloudformation: fuzz-source.yaml\n"
		   "    env: { pool.size: DB_POOL }\n")
