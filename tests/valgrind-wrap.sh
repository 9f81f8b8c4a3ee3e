#!/bin/sh
# valgrind-wrap.sh - run build/connbudget under valgrind, for tests/cli.sh:
#
#   CONNBUDGET=tests/valgrind-wrap.sh tests/cli.sh      (make valgrind)
#
# Any memory error or definite/indirect leak makes the run exit 99, which
# cli.sh's exit-status checks report as a failure; valgrind's report goes to
# standard error. The binary is found beside this script (../build/connbudget)
# so the wrapper works from any directory; VALGRIND_TARGET overrides it.
here=$(cd "$(dirname "$0")" && pwd)
exec valgrind --leak-check=full --error-exitcode=99 \
	--errors-for-leak-kinds=definite,indirect -q \
	"${VALGRIND_TARGET:-$here/../build/connbudget}" "$@"
