# mk/observe.mk - `connbudget observe` against real servers (issue 6).
# Included by the main Makefile; see docs/design.md.
#
#   make observe-test     tests/observe.sh on the sanitized binary: a throwaway
#                         PostgreSQL cluster and a PgBouncer on 127.0.0.1 and random
#                         ports (run as the postgres user from a temporary directory),
#                         sessions with known application_names, CB101-CB106 firing
#                         and not, an unreachable server, a wrong password; well
#                         under a minute, nothing left running
#   make observe-startup  `check` start-up with and without libpq in the process
#                         (hyperfine): the figure in docs/observe.md
#
# libpq is never linked into build/connbudget: src/pq.c dlopen()s
# libpq.so.5 the first time observe runs. The test needs the servers, and
# observe needs libpq5 at run time; the main Makefile's `deps` installs
# OBSERVE_DEBS with the rest (observe-deps does it alone).

OBSERVE_DEBS := postgresql pgbouncer libpq5
DEBS += $(OBSERVE_DEBS)

.PHONY: observe-deps observe-test observe-startup

observe-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(OBSERVE_DEBS)"

observe-test: observe-deps
	@$(MAKE) --no-print-directory build/san/connbudget
	CONNBUDGET=build/san/connbudget tests/observe.sh

# The same program with libpq linked in (as it would be without dlopen):
# only for measuring what dlopen saves `check`.
build/observe/connbudget-libpq: $(OBJ) build/obj/cmd/connbudget/main.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -Wl,--no-as-needed -lpq

observe-startup: build/connbudget build/observe/connbudget-libpq
	@command -v hyperfine >/dev/null || { echo "observe-startup needs hyperfine"; exit 2; }
	@ldd build/connbudget | grep -q libpq && { echo "build/connbudget links libpq"; exit 1; } || true
	hyperfine -N -i --warmup 20 \
		'build/connbudget check testdata/examples/connbudget.yaml' \
		'build/observe/connbudget-libpq check testdata/examples/connbudget.yaml'
