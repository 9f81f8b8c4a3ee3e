# mk/fuzz.mk - hostile-input hardening (issue 3): libFuzzer targets,
# valgrind over the CLI tests, the secret-leak and special-file tests.
# Included by the main Makefile; see docs/design.md.
#
#   make fuzz [FUZZ_SECONDS=60]              every fuzzer, FUZZ_SECONDS each
#                                            (FUZZ_NICE=19: at the lowest CPU priority;
#                                            then FUZZ_TIMEOUT=20, as the timeout is wall-clock)
#   make fuzz-smoke [FUZZ_SMOKE_SECONDS=30]  every fuzzer, a short bounded run (for make test):
#                   [FUZZ_SMOKE_READER_SECONDS=20]  load and pipeline FUZZ_SMOKE_SECONDS each,
#                                            config, conninfo, source and terraform
#                                            FUZZ_SMOKE_READER_SECONDS
#   make fuzz-min FUZZ_TARGET=load FUZZ_CRASH=build/fuzz/artifacts/load-crash-...
#                                            minimize a crash reproducer
#   make valgrind                            tests/cli.sh under valgrind, zero leaks and errors
#   make secrets                             tests/secrets.sh on the sanitized binary
#   make limits                              tests/limits.sh on the release binary (timed)
#                                            and on the sanitized one (time bounds x10)
#
# The fuzz build (clang, -fsanitize=fuzzer,address,undefined) lives in
# build/fuzz/: objects, the six binaries (load, pipeline, config, conninfo,
# source, terraform), the seed corpora (seed/ for the YAML targets,
# seed-config/, seed-conninfo/, seed-source/, seed-terraform/),
# the growing corpora build/fuzz/corpus-*/ and crash reproducers
# build/fuzz/artifacts/.

FUZZ_CC            ?= clang
FUZZ_OPT           ?= -O1 -g
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_SMOKE_READER_SECONDS ?= 20
FUZZ_NICE          ?= 0
FUZZ_TIMEOUT       ?= 2
FUZZ_TARGETS       := load pipeline config conninfo source terraform
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS         = $(CSTD) $(WARN) $(FUZZ_OPT) -Isrc -Ibuild/gen $(PKG_CFLAGS) $(CFLAGS)

FUZZ_OBJ := $(SRC:%.c=build/fuzz/%.o)
FUZZ_BIN := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-seed fuzz-smoke fuzz-min valgrind secrets limits

# Every object carries coverage instrumentation (fuzzer-no-link); only the
# final link adds libFuzzer's main.
build/fuzz/%.o: %.c $(GEN) $(HDRS) fuzz/fuzz_common.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

# A static pattern rule, so make keeps the objects (a plain pattern rule
# would treat them as intermediate files and delete them after each build).
$(FUZZ_BIN): build/fuzz/fuzz_%: build/fuzz/fuzz/fuzz_%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz-seed:
	@fuzz/seed.sh build/fuzz/seed

# One target after the other: the machine may have two cores only.
fuzz: fuzz-build fuzz-seed
	@rc=0; for t in $(FUZZ_TARGETS); do FUZZ_NICE=$(FUZZ_NICE) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) fuzz/run.sh $$t $(FUZZ_SECONDS) || rc=1; done; exit $$rc

fuzz-smoke: fuzz-build fuzz-seed
	@rc=0; for t in $(FUZZ_TARGETS); do s=$(FUZZ_SMOKE_SECONDS); \
		case $$t in config|conninfo|source|terraform) s=$(FUZZ_SMOKE_READER_SECONDS) ;; esac; \
		FUZZ_NICE=$(FUZZ_NICE) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) fuzz/run.sh $$t $$s || rc=1; done; exit $$rc

FUZZ_TARGET ?= load
fuzz-min: build/fuzz/fuzz_$(FUZZ_TARGET)
	@test -n "$(FUZZ_CRASH)" || { echo "usage: make fuzz-min FUZZ_TARGET=load|pipeline|config|conninfo|source|terraform FUZZ_CRASH=FILE" >&2; exit 2; }
	cd "$$(mktemp -d)" && $(CURDIR)/build/fuzz/fuzz_$(FUZZ_TARGET) -minimize_crash=1 -runs=20000 \
		-max_total_time=60 -timeout=2 -exact_artifact_path=$(abspath $(FUZZ_CRASH)).min \
		$(abspath $(FUZZ_CRASH)) </dev/null; \
	echo "minimized: $(FUZZ_CRASH).min"

# The CLI tests under valgrind, on the plain (non-sanitized) build: the
# wrapper makes any leak or memory error exit 99, which cli.sh reports.
valgrind: build/connbudget
	@command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 2; }
	@start=$$(date +%s); CONNBUDGET=tests/valgrind-wrap.sh tests/cli.sh; rc=$$?; \
	echo "valgrind: tests/cli.sh took $$(($$(date +%s) - start)) s"; exit $$rc

secrets: build/san/connbudget
	CONNBUDGET=build/san/connbudget tests/secrets.sh

limits: build/connbudget build/san/connbudget
	CONNBUDGET=build/connbudget tests/limits.sh
	CONNBUDGET=build/san/connbudget LIMIT_SCALE=10 tests/limits.sh
