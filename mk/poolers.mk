# mk/poolers.mk - the pooler model (docs/poolers.md): PgBouncer's pools read
# from real pgbouncer.ini shapes. Included by the main Makefile.
#
#   make poolers-test     tests/poolers.sh: the figures of testdata/poolers/,
#                         each computed by hand in its YAML file; then
#                         tests/pgbouncer_agree.sh: the real pgbouncer
#                         (Debian's package) started on every ini under
#                         testdata/, which connbudget must accept or refuse
#                         as PgBouncer does, reading the values it shows

.PHONY: poolers-test

poolers-test: build/connbudget
	tests/poolers.sh
	tests/pgbouncer_agree.sh

TEST_EXTRA += poolers-test
