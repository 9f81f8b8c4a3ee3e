#!/usr/bin/env bash
# Regenerate what comes from the rule registry: the rule table in
# docs/rules/README.md, one page per rule (docs/rules/CBxxx.md, the text
# `connbudget explain` prints), the man page, and from the catalog
# docs/providers.md and README.md's provider table. `make docs` runs it;
# tests/unix.sh runs it with --check, which fails when anything is stale.
#
#   tools/gendocs.sh BINARY [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
CB=$1
mode=${2:-write}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# docs/rules/README.md: the table between the markers, each id a link to
# its page.
{
	echo "| id | name | severity | fires when |"
	echo "|---|---|---|---|"
	"$CB" rules | awk '{ id=$1; name=$2; sev=$3; $1=$2=$3=""; sub(/^ +/, ""); printf "| [%s](%s.md) | %s | %s | %s |\n", id, id, name, sev, $0 }'
} >"$tmp/table.md"
awk -v table="$tmp/table.md" '
	/<!-- rules:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/<!-- rules:end -->/ { skip = 0 }
	!skip { print }
' docs/rules/README.md >"$tmp/README.md"

# docs/rules/CBxxx.md: `connbudget explain ID` under a title.
mkdir "$tmp/pages"
for id in $("$CB" rules | awk '{ print $1 }'); do
	{
		"$CB" explain "$id" | awk -v id="$id" 'NR == 1 { printf "# %s\n\n[All rules](README.md)\n\n```text\n", $0; next } NR == 2 && $0 == "" { next } { print } END { print "```" }'
	} >"$tmp/pages/$id.md"
done

# docs/providers.md: every catalog table, and README.md: the summary table
# (its first lines), between the catalog markers.
"$CB" catalog --format markdown >"$tmp/catalog.md"
awk '/^$/ { exit } { print }' "$tmp/catalog.md" >"$tmp/summary.md"
for f in docs/providers.md README.md; do
	src=$tmp/catalog.md
	[ "$f" = README.md ] && src=$tmp/summary.md
	awk -v table="$src" '
		/<!-- catalog:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
		/<!-- catalog:end -->/ { skip = 0 }
		!skip { print }
	' "$f" >"$tmp/${f##*/}.cat"
done

# Man page: man/connbudget.1.in with the rule list in place of @RULES@.
"$CB" rules | awk '{ id=$1; name=$2; sev=$3; $1=$2=$3=""; sub(/^ +/, ""); printf ".TP\n.B %s %s\n(%s) %s\n", id, name, sev, $0 }' >"$tmp/rules.man"
awk -v rules="$tmp/rules.man" '/^@RULES@$/ { while ((getline l < rules) > 0) print l; next } { print }' \
	man/connbudget.1.in >"$tmp/connbudget.1"

if [ "$mode" = --check ]; then
	cmp -s "$tmp/README.md" docs/rules/README.md || { echo "docs/rules/README.md rule table is stale: run make docs"; exit 1; }
	for f in "$tmp"/pages/*.md docs/rules/CB*.md; do
		b=${f##*/}
		cmp -s "$tmp/pages/$b" "docs/rules/$b" || { echo "docs/rules/$b is stale: run make docs"; exit 1; }
	done
	cmp -s "$tmp/connbudget.1" connbudget.1 || { echo "connbudget.1 is stale: run make docs"; exit 1; }
	cmp -s "$tmp/providers.md.cat" docs/providers.md || { echo "docs/providers.md is stale: run make docs"; exit 1; }
	cmp -s "$tmp/README.md.cat" README.md || { echo "README.md's catalog table is stale: run make docs"; exit 1; }
else
	cp "$tmp/README.md" docs/rules/README.md
	rm -f docs/rules/CB*.md
	cp "$tmp"/pages/*.md docs/rules/
	cp "$tmp/connbudget.1" connbudget.1
	cp "$tmp/providers.md.cat" docs/providers.md
	cp "$tmp/README.md.cat" README.md
fi
