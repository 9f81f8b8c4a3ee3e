# mk/poolers.mk - the pooler model (docs/poolers.md): PgBouncer's pools read
# from real pgbouncer.ini shapes. Included by the main Makefile.
#
#   make poolers-test     tests/poolers.sh: the figures of testdata/poolers/,
#                         each computed by hand in its YAML file

.PHONY: poolers-test

poolers-test: build/connbudget
	tests/poolers.sh

TEST_EXTRA += poolers-test
