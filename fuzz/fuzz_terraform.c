/*
 * fuzz_terraform.c - libFuzzer target over the Terraform reader
 * (src/source/terraform.c): bytes as a `terraform show -json` plan behind a
 * topology's `sources:`, bound, discovered and applied → a topology or a
 * positioned, bounded error, never a crash, a hang or a leak.
 *
 *   make build/fuzz/fuzz_terraform && (cd "$(mktemp -d)" && .../fuzz_terraform CORPUS)
 *
 * Run it from an empty directory: the input is written there as
 * fuzz-plan.json. A plan is JSON, not a YAML stream of manifests, so it has
 * a target, seeds (every plan under testdata/sources/terraform*) and a
 * dictionary (fuzz/terraform.dict) of its own.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

/* Every env field kind. */
FUZZ_SOURCE_TARGET("fuzz-plan.json",
		   "  - terraform: fuzz-plan.json\n"
		   "    env: { pool.size: [DB_POOL, MAX_THREADS], processes: WEB_CONCURRENCY, pool.acquire_timeout: T }\n")
