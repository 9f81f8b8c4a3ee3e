/*
 * dot.c - the topology as a Graphviz digraph (`graph --format dot`, to
 * pipe into `dot -Tsvg`): the same picture as mermaid.c, from graph.c,
 * with the same colours; every id and line of text through
 * report_dot_escape. docs/graph.md shows the output.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

/* Fill and line colour of each graph_state, as mermaid.c's classes. */
static const struct {
	const char *fill, *line;
} colors[] = {
	[GRAPH_NEUTRAL] = { "#f8f9fa", "#5f6368" },
	[GRAPH_UNDER] = { "#e6f4ea", "#1e8e3e" },
	[GRAPH_HEADROOM] = { "#fef7e0", "#f29900" },
	[GRAPH_OVER] = { "#fce8e6", "#d93025" },
};

/* Each kind's shape. */
static const char *const shapes[] = {
	[GRAPH_CLIENT] = "box",
	[GRAPH_FOLD] = "box3d",
	[GRAPH_POOLER] = "hexagon",
	[GRAPH_DATABASE] = "cylinder",
};

static const char *const header =
	"digraph connbudget {\n"
	"  graph [rankdir=LR, nodesep=0.3, ranksep=0.9, fontname=\"Helvetica\"];\n"
	"  node [fontname=\"Helvetica\", fontsize=11, style=filled, margin=\"0.15,0.08\"];\n"
	"  edge [fontname=\"Helvetica\", fontsize=10, color=\"#5f6368\"];\n";

void report_dot_escape(struct sbuf *b, const char *s)
{
	char *masked = mask_may_change(s) ? mask_password(s) : NULL;
	const unsigned char *p = (const unsigned char *)(masked ? masked : s);

	while (*p) {
		uint32_t cp;
		size_t n = quote_utf8_next(p, &cp);

		if (cp == '"' || cp == '\\') {
			sbuf_putc(b, '\\');
			sbuf_putc(b, (char)cp);
		} else if (cp == '&') {
			sbuf_puts(b, "&amp;");
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			sbuf_putc(b, ' ');
		} else if (!graph_char_ok(cp)) {
			sbuf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
		} else {
			sbuf_add(b, (const char *)p, n);
		}
		p += n;
	}
	free(masked);
}

/* A node's id, quoted: "kind:key", behind "fN:" when the picture has several files. */
static void node_id(struct sbuf *b, const struct graph *g, const struct graph_node *n)
{
	sbuf_putc(b, '"');
	if (g->nfiles > 1)
		sbuf_printf(b, "f%u:", n->file);
	sbuf_puts(b, graph_kind_prefix(n->kind));
	sbuf_putc(b, ':');
	report_dot_escape(b, n->key);
	sbuf_putc(b, '"');
}

/* The digraph of g, appended to b. */
static void dot_graph(struct sbuf *b, const struct graph *g)
{
	size_t i, k;

	sbuf_puts(b, header);
	for (i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];
		const char *cls = graph_state_class(n->state);

		sbuf_puts(b, "  ");
		node_id(b, g, n);
		sbuf_puts(b, " [label=\"");
		for (k = 0; k < n->nlines; k++) {
			if (k)
				sbuf_puts(b, "\\n");
			report_dot_escape(b, n->line[k]);
		}
		sbuf_printf(b, "\", shape=%s, fillcolor=\"%s\", color=\"%s\"", shapes[n->kind],
			    colors[n->state].fill, colors[n->state].line);
		if (n->kind == GRAPH_CLIENT || n->kind == GRAPH_FOLD)
			sbuf_puts(b, n->marks ? ", style=\"rounded,filled,dashed\"" : ", style=\"rounded,filled\"");
		else if (n->marks)
			sbuf_puts(b, ", style=\"filled,dashed\"");
		if (n->state == GRAPH_OVER)
			sbuf_puts(b, ", penwidth=2");
		if (*cls || n->marks)
			sbuf_printf(b, ", class=\"%s%s%s\"", cls, *cls && n->marks ? " " : "",
				    n->marks ? "marked" : "");
		sbuf_puts(b, "];\n");
	}
	for (i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];

		sbuf_puts(b, "  ");
		node_id(b, g, &g->nodes[e->from]);
		sbuf_puts(b, " -> ");
		node_id(b, g, &g->nodes[e->to]);
		sbuf_puts(b, " [label=\"");
		report_dot_escape(b, e->label);
		sbuf_puts(b, e->marks ? "\", style=dashed, color=\"#d93025\", class=\"marked\"];\n" : "\"];\n");
	}
	sbuf_puts(b, "}\n");
}

int report_dot(FILE *out, const struct report *r)
{
	struct sbuf b = { 0 };
	struct graph g;
	int rc;

	graph_build(&g, r->files, r->nfiles);
	dot_graph(&b, &g);
	graph_release(&g);
	rc = report_put(out, b.s);
	sbuf_release(&b);
	return rc;
}
