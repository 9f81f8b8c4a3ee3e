# mk/alerts.mk - `connbudget alerts` against the real tools.
# Included by the main Makefile; see docs/alerts.md.
#
#   make alerts-test   tests/alerts.sh on the sanitized binary: promtool check
#                      rules on every testdata topology, promtool test rules on
#                      tests/alerts/*.test.yaml, and Debian's postgres_exporter
#                      against a throwaway PostgreSQL on 127.0.0.1 (random
#                      ports, stopped by PID) exporting every metric the rules
#                      read

ALERTS_DEBS := prometheus prometheus-postgres-exporter postgresql
DEBS += $(ALERTS_DEBS)
TEST_EXTRA += alerts-test

.PHONY: alerts-test
alerts-test: build/san/connbudget
	CONNBUDGET=build/san/connbudget tests/alerts.sh
