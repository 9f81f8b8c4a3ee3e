# bench.mk - `make bench` (issue 7): connbudget against libyaml's bare event
# scan on generated topologies of 10, 1 000, 10 000 and 100 000 clients.
#
#   make bench                        the table, the targets, callgrind counts
#   make bench BENCH_SIZES="10 10000" only these sizes
#   make bench BENCH_RUNS=9           runs per timing (median; at least 5)
#   make bench BENCH_TIMER=hyperfine  hyperfine instead of the interleaved loop
#   make bench BENCH_STRICT=1         exit 1 when a target fails
#   make bench-gen                    only write bench/out/*.yaml
#   make bench-observe                observe with 40 000 distinct live names
#                                     (tests/fakepg.py), every format, beside check
#
# Both programs are built here, into build/bench/, with one set of flags
# (BENCH_CFLAGS: the main Makefile's CSTD, WARN and PKG_CFLAGS, and
# BENCH_OPT, -O2 -g by default), so that they are compared like for like.
# The measured connbudget is build/bench/connbudget, from the same sources
# as build/connbudget but its own objects: build/obj/ may have been built
# with OPT=-O0 for a debugging session, and make does not notice a change
# of flags. build/bench/flags records the flags and rebuilds both programs
# when they change. The scan links libyaml alone: it is the process a bare
# libyaml scanner would be. bench/run.sh builds nothing: make does, then
# runs it.

BENCH_SIZES  ?= 10 1000 10000 100000
BENCH_RUNS   ?= 7
BENCH_TIMER  ?= interleaved
BENCH_STRICT ?= 0
BENCH_OPT    ?= -O2 -g
BENCH_CFLAGS  = $(CSTD) $(WARN) $(BENCH_OPT) -Isrc -Ibuild/gen $(PKG_CFLAGS) $(CFLAGS)
BENCH_LIBS    = $(shell pkg-config --libs yaml-0.1 2>/dev/null)
BENCH_OBJ     = $(SRC:%.c=build/bench/obj/%.o) build/bench/obj/cmd/connbudget/main.o

.PHONY: bench bench-gen bench-flags-check bench-observe

# Rewritten only when the flags differ from the last build's.
build/bench/flags: bench-flags-check
	@mkdir -p $(@D)
	@echo '$(CC) $(BENCH_CFLAGS) $(LDFLAGS)' | cmp -s - $@ 2>/dev/null || \
		echo '$(CC) $(BENCH_CFLAGS) $(LDFLAGS)' > $@

build/bench/obj/%.o: %.c $(GEN) $(HDRS) build/bench/flags
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

build/bench/connbudget: $(BENCH_OBJ) build/libyaml_yalloc.a
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(REL_LIBS)

build/bench/scan: bench/scan.c build/bench/flags
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_LIBS)

# Generate the topologies only (bench/out/, gitignored).
bench-gen:
	BENCH_SIZES="$(BENCH_SIZES)" bench/run.sh --generate-only

bench: build/bench/connbudget build/bench/scan
	CONNBUDGET=build/bench/connbudget SCAN=build/bench/scan BENCH_SIZES="$(BENCH_SIZES)" \
		BENCH_RUNS="$(BENCH_RUNS)" BENCH_TIMER="$(BENCH_TIMER)" BENCH_STRICT="$(BENCH_STRICT)" \
		bench/run.sh
	CONNBUDGET=build/bench/connbudget bench/observe.sh 40000
	CONNBUDGET=build/bench/connbudget SCAN=build/bench/scan BENCH_RUNS="$(BENCH_RUNS)" bench/sources.sh 50000

# observe's passes are linear in names: 40 000 live names against 40 000
# declared clients, in every format, beside `check` on the same file.
bench-observe: build/bench/connbudget
	CONNBUDGET=build/bench/connbudget bench/observe.sh 40000
	CONNBUDGET=build/bench/connbudget SCAN=build/bench/scan BENCH_RUNS="$(BENCH_RUNS)" bench/sources.sh 50000
