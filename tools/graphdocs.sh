#!/usr/bin/env bash
# The pictures of docs/graph.md, from the example topologies: the seed
# incident (testdata/examples/connbudget.yaml) and the fixed architecture
# (testdata/examples/fixed.yaml), each as the mermaid CLI and as Graphviz
# draw it. `make docs` runs it; tests/graph.sh checks nothing is stale.
#
#   MMDC=build/npm/node_modules/.bin/mmdc tools/graphdocs.sh BINARY [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
CB=$1
mode=${2:-write}
MMDC=${MMDC:-build/npm/node_modules/.bin/mmdc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name:topology, in the order of the charts in one Markdown file (one mmdc call)
pictures="incident:testdata/examples/connbudget.yaml fixed:testdata/examples/fixed.yaml"
: >"$tmp/all.md"
for p in $pictures; do
	name=${p%%:*} topo=${p#*:}
	# graph exits 1 when the topology has findings (the incident has): the picture is still whole
	"$CB" graph --fail-on never --format dot "$topo" | dot -Tsvg >"$tmp/$name-dot.svg"
	{ echo '```mermaid'; "$CB" graph --fail-on never "$topo"; echo '```'; echo; } >>"$tmp/all.md"
done
"$MMDC" -q -p tests/graph-puppeteer.json -i "$tmp/all.md" -o "$tmp/out.md" -e svg >/dev/null
i=1
for p in $pictures; do
	mv "$tmp/out-$i.svg" "$tmp/${p%%:*}.svg"
	i=$((i + 1))
done

status=0
mkdir -p docs/img
for p in $pictures; do
	for f in "${p%%:*}.svg" "${p%%:*}-dot.svg"; do
		if [ "$mode" = --check ]; then
			cmp -s "$tmp/$f" "docs/img/$f" || { echo "docs/img/$f is stale: run make docs"; status=1; }
		else
			cp "$tmp/$f" "docs/img/$f"
		fi
	done
done
exit $status
