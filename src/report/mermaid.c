/*
 * mermaid.c - the topology as a mermaid flowchart (`graph --format
 * mermaid`, the picture in `report --format markdown`), as GitHub renders
 * it in Markdown: clients on the left, databases on the right, a class per
 * colour. The picture is graph.c's; here it is only spelt, every line of
 * text through report_mermaid_escape. docs/graph.md shows the output.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

/* The colours of graph_state classes and of marked (dashed) nodes and edges. */
static const char *const class_defs =
	"  classDef under fill:#e6f4ea,stroke:#1e8e3e,color:#0d3b1e\n"
	"  classDef headroom fill:#fef7e0,stroke:#f29900,color:#4a3500\n"
	"  classDef over fill:#fce8e6,stroke:#d93025,color:#5c0f0a,stroke-width:2px\n"
	"  classDef marked stroke-dasharray:5 3\n";
static const char *const marked_link = "stroke:#d93025,stroke-dasharray:5 3";

/* Entities for what may not stand in a label as it is. */
static bool label_plain(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
	       (cp && strchr(" -_.,:/()+=", (int)cp));
}

void report_mermaid_escape(struct sbuf *b, const char *s, bool id)
{
	/* an id stays one-to-one; a label is masked */
	char *masked = !id && mask_may_change(s) ? mask_password(s) : NULL;
	const unsigned char *p = (const unsigned char *)(masked ? masked : s);

	while (*p) {
		uint32_t cp;
		size_t n = quote_utf8_next(p, &cp);

		if (id) {
			/* every byte on its own: ids are ASCII, and this is one-to-one */
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
				sbuf_putc(b, (char)*p);
			else if (*p == '_')
				sbuf_puts(b, "__");
			else
				sbuf_printf(b, "_%02x", *p);
			p++;
			continue;
		}
		if (cp == '\n' || cp == '\r' || cp == '\t')
			sbuf_putc(b, ' ');
		else if (cp < 0x80 && label_plain(cp))
			sbuf_putc(b, (char)cp);
		else
			sbuf_printf(b, "#%u;", (unsigned)(graph_char_ok(cp) ? cp : 0xFFFD));
		p += n;
	}
	free(masked);
}

/* A node's id: kind_escapedkey, behind fN_ when the picture has several files. */
static void node_id(struct sbuf *b, const struct graph *g, const struct graph_node *n)
{
	if (g->nfiles > 1)
		sbuf_printf(b, "f%u_", n->file);
	sbuf_puts(b, graph_kind_prefix(n->kind));
	sbuf_putc(b, '_');
	report_mermaid_escape(b, n->key, true);
}

/* The opening and closing of each kind's shape. */
static const struct {
	const char *open, *close;
} shapes[] = {
	[GRAPH_CLIENT] = { "(\"", "\")" },     /* rounded */
	[GRAPH_FOLD] = { "([\"", "\"])" },     /* stadium */
	[GRAPH_POOLER] = { "{{\"", "\"}}" },   /* hexagon */
	[GRAPH_DATABASE] = { "[(\"", "\")]" }, /* cylinder */
};

/* "  class id,id,... name" for the nodes that pass want, if any. */
static void class_line(struct sbuf *b, const struct graph *g, const char *name,
		       bool (*want)(const struct graph_node *n, const char *name))
{
	bool first = true;
	size_t i;

	for (i = 0; i < g->nnodes; i++) {
		if (!want(&g->nodes[i], name))
			continue;
		sbuf_puts(b, first ? "  class " : ",");
		first = false;
		node_id(b, g, &g->nodes[i]);
	}
	if (!first)
		sbuf_printf(b, " %s\n", name);
}

static bool in_state(const struct graph_node *n, const char *name)
{
	return strcmp(graph_state_class(n->state), name) == 0;
}

static bool is_marked(const struct graph_node *n, const char *name)
{
	(void)name;
	return n->marks != 0;
}

/* The flowchart of g, appended to b. */
static void mermaid_graph(struct sbuf *b, const struct graph *g)
{
	static const enum graph_state colored[] = { GRAPH_UNDER, GRAPH_HEADROOM, GRAPH_OVER };
	bool first = true;
	size_t i, k;

	sbuf_puts(b, "flowchart LR\n");
	for (i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		sbuf_puts(b, "  ");
		node_id(b, g, n);
		sbuf_puts(b, shapes[n->kind].open);
		for (k = 0; k < n->nlines; k++) {
			if (k)
				sbuf_puts(b, "<br>");
			report_mermaid_escape(b, n->line[k], false);
		}
		sbuf_puts(b, shapes[n->kind].close);
		sbuf_putc(b, '\n');
	}
	for (i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];

		sbuf_puts(b, "  ");
		node_id(b, g, &g->nodes[e->from]);
		sbuf_puts(b, " -->|\"");
		report_mermaid_escape(b, e->label, false);
		sbuf_puts(b, "\"| ");
		node_id(b, g, &g->nodes[e->to]);
		sbuf_putc(b, '\n');
	}
	sbuf_puts(b, class_defs);
	for (i = 0; i < ARRAY_LEN(colored); i++)
		class_line(b, g, graph_state_class(colored[i]), in_state);
	class_line(b, g, "marked", is_marked);
	for (i = 0; i < g->nedges; i++) {
		if (!g->edges[i].marks)
			continue;
		sbuf_printf(b, first ? "  linkStyle %zu" : ",%zu", i);
		first = false;
	}
	if (!first)
		sbuf_printf(b, " %s\n", marked_link);
}

void report_graph_mermaid(struct sbuf *b, const struct report_file *files, size_t nfiles)
{
	struct graph g;

	graph_build(&g, files, nfiles);
	mermaid_graph(b, &g);
	graph_release(&g);
}

int report_mermaid(FILE *out, const struct report *r)
{
	struct sbuf b = { 0 };
	int rc;

	report_graph_mermaid(&b, r->files, r->nfiles);
	rc = report_put(out, b.s);
	sbuf_release(&b);
	return rc;
}
