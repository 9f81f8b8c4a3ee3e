# mk/graph.mk - `connbudget graph` rendered by the real tools (docs/graph.md).
# Included by the main Makefile.
#
#   make graph-test   tests/graph.sh on the sanitized binary: every topology
#                     under testdata/ that loads, drawn as dot and as mermaid,
#                     rendered by Graphviz (`dot -Tsvg`, one call each) and by
#                     the mermaid CLI (one call for every chart of the run, from
#                     a Markdown file); the figures on the edges against the
#                     JSON report, hostile ids and labels, folding, the committed
#                     pictures in docs/img/ current. The rendered charts are
#                     left in build/graph-test/ to look at.
#   make graph-tools  install the mermaid CLI into build/npm (once)
#   make docs         also writes docs/img/*.svg (the seed incident and the
#                     fixed architecture, in both renderings)
#
# The mermaid CLI (@mermaid-js/mermaid-cli, from npm) drives Debian's
# chromium through puppeteer: PUPPETEER_SKIP_DOWNLOAD=1 keeps puppeteer from
# fetching a browser of its own, and tests/graph-puppeteer.json points it at
# /usr/bin/chromium with --no-sandbox, without which chromium refuses to
# start as root. npm comes with some builds of nodejs; Debian ships it apart.

GRAPH_DEBS := graphviz chromium nodejs $(if $(shell command -v npm 2>/dev/null),,npm)
DEBS += $(GRAPH_DEBS)
MERMAID_CLI := @mermaid-js/mermaid-cli@11.17.0
MMDC := build/npm/node_modules/.bin/mmdc
GRAPH_IMG := docs/img/incident.svg docs/img/incident-dot.svg docs/img/fixed.svg docs/img/fixed-dot.svg

TEST_EXTRA += graph-test

.PHONY: graph-deps graph-tools graph-test graph-docs

graph-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(GRAPH_DEBS)"

graph-tools: $(MMDC)

$(MMDC):
	@mkdir -p build/npm
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix build/npm $(MERMAID_CLI)

graph-test: graph-deps
	@$(MAKE) --no-print-directory build/connbudget build/san/connbudget $(MMDC)
	CONNBUDGET=build/san/connbudget MMDC=$(MMDC) tests/graph.sh

# The pictures of docs/graph.md: the seed incident and the fixed architecture.
graph-docs: build/connbudget $(MMDC)
	MMDC=$(MMDC) tools/graphdocs.sh build/connbudget

docs: graph-docs
