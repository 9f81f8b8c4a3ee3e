# mk/diff.mk - `connbudget diff` against a real git repository.
# Included by the main Makefile; see docs/diff.md.
#
#   make diff-test   tests/diff.sh on the sanitized binary: a repository of
#                    two commits built in a temporary directory (replicas
#                    1 → 3 and a worker added), every format, --baseline,
#                    and exit 2 outside a repository and for an unknown
#                    revision; tests/ci_recipes.sh runs the contrib/ci/
#                    recipes' steps as written, gh and curl replaced by a
#                    stub that records the comment they post and then edit

DIFF_DEBS := git tar
DEBS += $(DIFF_DEBS)
TEST_EXTRA += diff-test

.PHONY: diff-test
diff-test: build/san/connbudget
	CONNBUDGET=build/san/connbudget tests/diff.sh
	CONNBUDGET=build/san/connbudget tests/ci_recipes.sh
