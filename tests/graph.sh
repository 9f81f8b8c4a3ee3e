#!/usr/bin/env bash
# graph tests: `connbudget graph` on every topology under testdata/ that
# loads, drawn as dot and as mermaid and rendered by the real tools
# (Graphviz's dot, one call per picture; the mermaid CLI through Debian's
# chromium, one call for every chart of the run, from a Markdown file);
# tests/graph_check.py reads each picture back against the JSON report and
# the escaping rules; the command line; folding on a generated topology of
# 1 000 clients; the committed pictures of docs/graph.md. The pictures are
# left in build/graph-test/ to look at.
#
#   CONNBUDGET=build/san/connbudget MMDC=build/npm/node_modules/.bin/mmdc tests/graph.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
MMDC=${MMDC:-build/npm/node_modules/.bin/mmdc}
case "$MMDC" in /*) ;; *) MMDC=$PWD/$MMDC ;; esac
OUT=$PWD/build/graph-test
rm -rf "$OUT"
mkdir -p "$OUT"

for tool in dot "$MMDC" /usr/bin/chromium; do
	command -v "$tool" >/dev/null || { bad "$tool is missing (make graph-test installs it)"; finish; exit; }
done

#--- every topology that loads ----------------------------------------------
python3 bench/gen.py 1000 "$OUT/gen-1000.yaml"
topologies=()
skipped=0
while IFS= read -r f; do
	"$CB" check -q --fail-on never "$f" >/dev/null 2>&1
	case $? in
	0) topologies+=("$f") ;;
	2) skipped=$((skipped + 1)) ;; # an input error: nothing to draw
	*) bad "$f: check exit status" ;;
	esac
done < <(find testdata -name '*.yaml' -o -name '*.yml' | LC_ALL=C sort)
topologies+=("$OUT/gen-1000.yaml")
[ "${#topologies[@]}" -ge 50 ] && ok || bad "only ${#topologies[@]} topologies load"

# dot: one picture each; mermaid: every chart into one Markdown file
charts=0
: >"$OUT/charts.md"
: >"$OUT/charts.list"
for f in "${topologies[@]}"; do
	n=$(printf '%03d' "$charts")
	expect_rc 0 "graph --format dot $f" "$CB" graph --fail-on never --format dot "$f"
	printf '%s\n' "$out" >"$OUT/$n.dot"
	if dot -Tsvg "$OUT/$n.dot" -o "$OUT/$n-dot.svg" 2>"$OUT/$n-dot.err" && [ ! -s "$OUT/$n-dot.err" ]; then
		ok
	else
		bad "dot -Tsvg $f: $(head -3 "$OUT/$n-dot.err")"
	fi
	expect_rc 0 "graph $f" "$CB" graph --fail-on never "$f"
	{ printf '## %s\n\n```mermaid\n' "$f"; printf '%s\n' "$out"; printf '```\n\n'; } >>"$OUT/charts.md"
	printf '%s\n' "$f" >>"$OUT/charts.list"
	charts=$((charts + 1))
done
# and report --format markdown's own picture, block and all
expect_rc 1 "report --format markdown" "$CB" report --format markdown testdata/examples/connbudget.yaml
printf '%s\n\n' "$out" >>"$OUT/charts.md"
charts=$((charts + 1))

# One mermaid CLI call renders every chart (each takes a second or more to start).
mermaid() { # IN OUT: render IN (Markdown) into OUT.md, OUT-1.svg, OUT-2.svg ...
	"$MMDC" -q -p tests/graph-puppeteer.json -i "$1" -o "$2.md" -e svg >"$2.log" 2>&1
}
t0=$SECONDS
if mermaid "$OUT/charts.md" "$OUT/rendered"; then
	echo "mermaid CLI: $charts charts in $((SECONDS - t0)) s"
	ok
	rendered=$(ls "$OUT"/rendered-*.svg 2>/dev/null | wc -l)
	[ "$rendered" = "$charts" ] && ok || bad "mermaid CLI rendered $rendered charts of $charts"
	small=$(find "$OUT" -name 'rendered-*.svg' -size -2k | wc -l)
	[ "$small" = 0 ] && ok || bad "$small mermaid charts rendered as (near) empty images"
else
	bad "mermaid CLI failed on the charts: $(grep -m3 -i error "$OUT/rendered.log")"
	# find the first chart it fails on, one call each (only when something is wrong)
	i=0
	while IFS= read -r f; do
		i=$((i + 1))
		{ echo '```mermaid'; "$CB" graph --fail-on never "$f"; echo '```'; } >"$OUT/one-in.md"
		mermaid "$OUT/one-in.md" "$OUT/one" || { bad "mermaid CLI fails on $f"; break; }
	done <"$OUT/charts.list"
fi

# the pictures say what the JSON report says; no input escapes its string
run /usr/bin/python3 tests/graph_check.py "${topologies[@]}"
if [ "$rc" = 0 ]; then ok; else bad "graph_check"; printf '%s\n' "$out" | tail -20; fi
contains "$out" "graph_check: ${#topologies[@]} passed, 0 failed" "graph_check count"

#--- what the pictures show --------------------------------------------------
expect_rc 1 "incident: exit 1 (CB001)" "$CB" graph testdata/examples/connbudget.yaml
contains "$out" "class db_main over" "incident: main is over capacity"
contains "$out" 'client_api -->|"steady 120, peak 120"| db_main' "incident: api's edge"
contains "$out" "environment staging" "incident: staging-api's environment"
expect_rc 0 "fixed: exit 0" "$CB" graph --format dot testdata/examples/fixed.yaml
contains "$out" '"pooler:bouncer" -> "db:main" [label="server steady 25, peak 25"];' "fixed: the pooler's server side"
contains "$out" 'class="under"' "fixed: main under budget"
contains "$out" "pgbouncer, transaction mode\\ncap 25" "fixed: pooler mode and cap"

expect_rc 1 "fold" "$CB" graph testdata/graph/fold.yaml
mm=$out
contains "$mm" 'fold_fn_2d1(["6 serverless clients<br>fn-1 ... fn-6"])' "six functions fold"
contains "$mm" 'fold_fn_2d1 -->|"steady 21, peak 210"| pooler_edge' "the fold's edge: the sum"
contains "$mm" 'client_worker_2d5("worker-5' "five workers do not fold"
contains "$mm" 'client_worker_2dstaging("worker-staging' "another environment is another group"
contains "$mm" "class db_shop headroom" "shop within headroom"
contains "$mm" "class db_events over" "events over capacity"
contains "$mm" "class client_reporting,client_ingest marked" "unbounded and assumed marked"
contains "$mm" 'client_reporting -->|"unbounded"| pooler_edge' "unbounded edge"
contains "$mm" "linkStyle 7 stroke" "the unbounded edge dashed"
lacks "$mm" "pooler_edge over" "an unbounded client alone does not make its pooler over"
expect_rc 1 "fold, dot" "$CB" graph --format dot testdata/graph/fold.yaml
contains "$out" 'style="rounded,filled,dashed", class="marked"' "dot: marked dashed"
contains "$out" 'shape=box3d' "dot: the fold's shape"

# a 1 000-client topology is still a picture
expect_rc 0 "gen 1000" "$CB" graph --fail-on never --format dot "$OUT/gen-1000.yaml"
nodes=$(printf '%s\n' "$out" | grep -c ' \[label=.*shape=')
folds=$(printf '%s\n' "$out" | grep -c '^  "fold:[^"]*" \[label=')
[ "$nodes" -le 100 ] && ok || bad "1 000 clients: $nodes nodes"
[ "$folds" -ge 20 ] && ok || bad "1 000 clients: $folds folded nodes"

#--- the command line --------------------------------------------------------
expect_rc 2 "graph --format json" "$CB" graph --format json testdata/examples/fixed.yaml
contains "$err" "graph draws --format mermaid or dot, not json" "graph --format json"
expect_rc 2 "graph two files" "$CB" graph testdata/examples/fixed.yaml testdata/examples/connbudget.yaml
expect_rc 2 "graph missing file" "$CB" graph testdata/nope.yaml
contains "$err" "testdata/nope.yaml:1:1: error:" "missing file is positioned"
expect_rc 2 "graph invalid topology" "$CB" graph testdata/invalid/dangling-connects-to.yaml
expect_rc 0 "CONNBUDGET_FORMAT=json does not apply" env CONNBUDGET_FORMAT=json "$CB" graph testdata/examples/fixed.yaml
contains "$out" "flowchart LR" "graph under CONNBUDGET_FORMAT=json"
expect_rc 0 "CONNBUDGET_FORMAT=dot" env CONNBUDGET_FORMAT=dot "$CB" graph testdata/examples/fixed.yaml
contains "$out" "digraph connbudget {" "CONNBUDGET_FORMAT=dot"
expect_rc 0 "--fail-on never" "$CB" graph --fail-on never testdata/examples/connbudget.yaml
mkdir -p "$TMP/repo/.git" "$TMP/repo/sub"
cp testdata/examples/fixed.yaml "$TMP/repo/connbudget.yaml"
(cd "$TMP/repo/sub" && "$CB" graph >"$TMP/default.out" 2>&1)
[ $? = 0 ] && ok || bad "graph without FILE"
contains "$(cat "$TMP/default.out")" "pooler_bouncer" "graph without FILE: the parent's connbudget.yaml"
(cd "$TMP" && "$CB" graph >/dev/null 2>"$TMP/nofile.err")
[ $? = 2 ] && ok || bad "graph without FILE and none found: exit 2"
expect_rc 0 "graph -o" "$CB" graph --format dot -o "$TMP/g.dot" testdata/examples/fixed.yaml
cmp -s "$TMP/g.dot" "$OUT/$(grep -nx testdata/examples/fixed.yaml "$OUT/charts.list" | cut -d: -f1 |
	awk '{ printf "%03d", $1 - 1 }').dot" && ok || bad "graph -o differs from stdout"
a=$("$CB" graph --fail-on never "$OUT/gen-1000.yaml")
b=$("$CB" graph --fail-on never "$OUT/gen-1000.yaml")
[ "$a" = "$b" ] && ok || bad "two runs draw different pictures"

# report --format markdown embeds exactly graph's picture; -q leaves it out
expect_rc 0 "report markdown (fixed)" "$CB" report --format markdown testdata/examples/fixed.yaml
md=$out
pic=$("$CB" graph testdata/examples/fixed.yaml)
contains "$md" "### Topology

\`\`\`mermaid
$pic
\`\`\`" "markdown embeds the picture"
expect_rc 0 "report markdown -q" "$CB" report -q --format markdown testdata/examples/fixed.yaml
lacks "$out" '```mermaid' "quiet markdown has no picture"

#--- the committed pictures ----------------------------------------------------
if MMDC=$MMDC tools/graphdocs.sh build/connbudget --check; then ok; else bad "docs/img is stale"; fi

finish
