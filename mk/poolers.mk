# mk/poolers.mk - the pooler model (docs/poolers.md): PgBouncer's pools read
# from real pgbouncer.ini shapes, pgpool-II's from pgpool.conf. Included by the main Makefile.
#
#   make poolers-test     tests/poolers.sh: the figures of testdata/poolers/,
#                         each computed by hand in its YAML file; then
#                         tests/pgbouncer_agree.sh: the real pgbouncer
#                         (Debian's package) started on every ini under
#                         testdata/, which connbudget must accept or refuse
#                         as PgBouncer does, reading the values it shows;
#                         then tests/pgpool_agree.sh: the real pgpool-II
#                         (Debian's pgpool2) started with -n on every file
#                         under testdata/poolers/pgpool/, which connbudget
#                         must accept or refuse as pgpool does

.PHONY: poolers-test

poolers-test: build/connbudget
	tests/poolers.sh
	tests/pgbouncer_agree.sh
	tests/pgpool_agree.sh

DEBS += pgpool2

TEST_EXTRA += poolers-test
