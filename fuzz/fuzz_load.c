/*
 * fuzz_load.c - libFuzzer target over the loader: bytes → a topology or a
 * positioned error, never a crash, a hang, a leak or an unpositioned message.
 *
 *   make build/fuzz/fuzz_load && (cd "$(mktemp -d)" && .../fuzz_load CORPUS)
 *
 * Run it from an empty directory: `include:` paths resolve against the
 * directory of "fuzz.yaml", the working directory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "load.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * One input: load it, then hold the result to the loader's contract (a
 * topology that keeps its invariants, or an error naming file:line:col).
 * Frees everything it loaded. Always returns 0 (libFuzzer's convention).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	struct topology *t;

	t = load_buffer(FUZZ_NAME, (const char *)data, size, &err);
	if (t) {
		if (err)
			fuzz_fail("load_buffer returned a topology and an error: \"%s\"", err);
		fuzz_check_topology(t, data, size);
		model_free(t);
		return 0;
	}
	fuzz_check_error("load_buffer", data, size, err);
	free(err);
	return 0;
}
