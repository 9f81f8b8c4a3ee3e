#!/usr/bin/env bash
# Regenerate what comes from the rule registry: the README rule table and
# the man page. `make docs` runs it; tests/cli.sh checks nothing is stale.
#
#   tools/gendocs.sh BINARY [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
CB=$1
mode=${2:-write}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# README: the table between the markers.
{
	echo "| id | name | severity | fires when |"
	echo "|---|---|---|---|"
	"$CB" rules | awk '{ id=$1; name=$2; sev=$3; $1=$2=$3=""; sub(/^ +/, ""); printf "| %s | %s | %s | %s |\n", id, name, sev, $0 }'
} >"$tmp/table.md"
awk -v table="$tmp/table.md" '
	/<!-- rules:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/<!-- rules:end -->/ { skip = 0 }
	!skip { print }
' README.md >"$tmp/README.md"

# Man page: man/connbudget.1.in with the rule list in place of @RULES@.
"$CB" rules | awk '{ id=$1; name=$2; sev=$3; $1=$2=$3=""; sub(/^ +/, ""); printf ".TP\n.B %s %s\n(%s) %s\n", id, name, sev, $0 }' >"$tmp/rules.man"
awk -v rules="$tmp/rules.man" '/^@RULES@$/ { while ((getline l < rules) > 0) print l; next } { print }' \
	man/connbudget.1.in >"$tmp/connbudget.1"

if [ "$mode" = --check ]; then
	cmp -s "$tmp/README.md" README.md || { echo "README.md rule table is stale: run make docs"; exit 1; }
	cmp -s "$tmp/connbudget.1" connbudget.1 || { echo "connbudget.1 is stale: run make docs"; exit 1; }
else
	cp "$tmp/README.md" README.md
	cp "$tmp/connbudget.1" connbudget.1
fi
