#!/usr/bin/python3
"""graph_check.py - `connbudget graph` says what the JSON report says.

    CONNBUDGET=build/connbudget /usr/bin/python3 tests/graph_check.py FILE...

For every topology FILE (one that loads) this draws the picture in both
languages and reads it back:

  - the dot output, line by line, as dot.c writes it: every quoted string
    well formed, no control character anywhere;
  - the mermaid output, line by line: every id [A-Za-z0-9_]+, every label
    made only of letters, digits, " -_.,:/()+=", entities (#35;) and the
    writer's own <br>, so no input can end a string or start markup;
  - against `report --format json`: every client drawn once (its own node,
    or counted in a folded node of its type), each client's edge labelled
    with its steady and peak, a folded node's edge with the sum of its
    clients' (per type and target, the drawn edges add up to the JSON
    clients'), each pooler's edge (to its database, or the pooler it is in
    front of) with its server figures, each database's
    capacity, budget, peak, utilization and class (over capacity, within
    headroom, under budget);
  - both languages draw the same edges with the same labels, in the same
    order.

Prints "FAIL: file: what" lines and, last, "graph_check: N passed, N failed"
(one check per file).
"""

import json
import os
import re
import subprocess
import sys

CB = os.environ.get("CONNBUDGET", "build/connbudget")

QSTR = r'"(?:[^"\\\n]|\\.)*"'
DOT_NODE = re.compile(r'^  (' + QSTR + r') \[label=(' + QSTR + r'), shape=(\w+), (.*)\];$')
DOT_EDGE = re.compile(r'^  (' + QSTR + r') -> (' + QSTR + r') \[label=(' + QSTR + r')(.*)\];$')
DOT_FIXED = {
    "digraph connbudget {", "}",
}
MM_TEXT = r'(?:[A-Za-z0-9 \-_.,:/()+=]|#[0-9]+;|<br>)*'
MM_ID = r'[A-Za-z0-9_]+'
MM_NODE = re.compile(r'^  (' + MM_ID + r')(\("|\(\["|\{\{"|\[\(")(' + MM_TEXT + r')("\)|"\]\)|"\}\}|"\)\])$')
MM_EDGE = re.compile(r'^  (' + MM_ID + r') -->\|"(' + MM_TEXT + r')"\| (' + MM_ID + r')$')
MM_OTHER = re.compile(r'^(flowchart LR|  classDef \w+ [-a-z0-9:#,. ]+|  class ' + MM_ID +
                      r'(?:,' + MM_ID + r')* \w+|  linkStyle [0-9,]+ [-a-z0-9:#,. ]+)$')


def unquote(s):
    """A dot quoted string's text: backslash escapes and &amp; undone."""
    s = re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), s[1:-1])
    return s.replace("&amp;", "&")


def run(args):
    p = subprocess.run([CB] + args, capture_output=True)
    if p.returncode != 0:
        raise ValueError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode()[:300]))
    return p.stdout.decode("utf-8")


def amount(steady, peak, unbounded, prefix="", unknown=False, lower=False):
    if unbounded:
        return prefix + "unbounded"
    if unknown:
        return prefix + "unknown"
    if lower:
        return prefix + "steady \u2265 %d, peak \u2265 %d" % (steady, peak)
    return prefix + "steady %d, peak %d" % (steady, peak)


def parse_dot(text, fail):
    nodes, edges = {}, []
    for line in text.split("\n")[:-1]:
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line):
            fail("dot: a control character in %r" % line)
        m = DOT_NODE.match(line)
        if m:
            key = unquote(m.group(1))
            nodes[key] = {"lines": unquote(m.group(2)).split("\n"), "shape": m.group(3),
                          "class": re.search(r'class="([^"]*)"', m.group(4))}
            continue
        m = DOT_EDGE.match(line)
        if m:
            edges.append((unquote(m.group(1)), unquote(m.group(2)), unquote(m.group(3))))
            continue
        if line in DOT_FIXED or re.match(r'^  (graph|node|edge) \[[^\]]*\];$', line):
            continue
        fail("dot: a line not as dot.c writes it: %r" % line)
    return nodes, edges


def parse_mermaid(text, fail):
    edges = []
    for line in text.split("\n")[:-1]:
        if MM_NODE.match(line) or MM_OTHER.match(line):
            continue
        m = MM_EDGE.match(line)
        if m:
            edges.append(m.group(2))
            continue
        fail("mermaid: a line that could break out of its string: %r" % line)
    return edges


def mm_unescape(s):
    return re.sub(r'#([0-9]+);', lambda m: chr(int(m.group(1))), s)


def check(path):
    failures = []
    fail = failures.append
    rep = json.loads(run(["report", "--fail-on", "never", "--format", "json", path]))
    dot = run(["graph", "--fail-on", "never", "--format", "dot", path])
    mmd = run(["graph", "--fail-on", "never", path])
    nodes, edges = parse_dot(dot, fail)
    mm_edges = parse_mermaid(mmd, fail)
    if [mm_unescape(e) for e in mm_edges] != [e[2] for e in edges]:
        fail("mermaid and dot edges differ")
    out = {}
    for a, b, label in edges:
        if a in out:
            fail("two edges from %s" % a)
        out[a] = (b, label)

    # clients: their own node, or counted in a folded node; per (type, target) the edges add up
    drawn = {}
    for c in rep["clients"]:
        target = ("pooler:" if c["via"] == "pooler" else "db:") + c["connects_to"]
        group = drawn.setdefault((c["type"], target), {"n": 0, "steady": 0, "peak": 0, "unb": False,
                                                       "seen": 0, "dsteady": 0, "dpeak": 0, "dunb": False})
        group["n"] += 1
        group["steady"] += c["steady"] or 0
        group["peak"] += c["peak"] or 0
        group["unb"] |= c["unbounded"]
        key = "client:" + c["id"]
        if key not in nodes:
            continue
        if nodes[key]["lines"][0] != c["id"]:
            fail("client %s: first line %r" % (c["id"], nodes[key]["lines"][0]))
        want = (target, amount(c["steady"], c["peak"], c["unbounded"], "", c.get("unknown", False), c.get("lower_bound", False)))
        if out.get(key) != want:
            fail("client %s: edge %r, want %r" % (c["id"], out.get(key), want))
    for key, n in nodes.items():
        if not key.startswith("fold:"):
            continue
        m = re.match(r'^(\d+) (\w+) clients$', n["lines"][0])
        if not m or key not in out:
            fail("fold %s: %r" % (key, n["lines"]))
            continue
        if int(m.group(1)) <= 5:
            fail("fold %s of %s clients: not above the threshold" % (key, m.group(1)))
    for key, (target, label) in out.items():
        if key.startswith("client:") or key.startswith("fold:"):
            n = nodes[key]
            if key.startswith("client:"):
                ctype, count = next(c["type"] for c in rep["clients"] if "client:" + c["id"] == key), 1
            else:
                m = re.match(r'^(\d+) (\w+) clients$', n["lines"][0])
                ctype, count = m.group(2), int(m.group(1))
            g = drawn.get((ctype, target))
            if not g:
                fail("%s: no JSON client of type %s on %s" % (key, ctype, target))
                continue
            g["seen"] += count
            m = re.match(r'^steady (?:\u2265 )?(\d+), peak (?:\u2265 )?(\d+)$', label)
            if m:
                g["dsteady"] += int(m.group(1))
                g["dpeak"] += int(m.group(2))
            elif label == "unbounded":
                g["dunb"] = True
            elif label == "unknown":
                pass  # CB020: counted as 0, as in the JSON's sum
            else:
                fail("%s: edge label %r" % (key, label))
    for (ctype, target), g in drawn.items():
        if g["seen"] != g["n"]:
            fail("%s clients on %s: %d in JSON, %d drawn" % (ctype, target, g["n"], g["seen"]))
        if (g["dsteady"], g["dpeak"], g["dunb"]) != (g["steady"], g["peak"], g["unb"]):
            fail("%s clients on %s: edges add up to %r, JSON to %r" % (
                ctype, target, (g["dsteady"], g["dpeak"], g["dunb"]), (g["steady"], g["peak"], g["unb"])))

    for p in rep["poolers"]:
        key = "pooler:" + p["id"]
        s = p["server"]
        # a pooler in front of a pooler draws its edge to that pooler (JSON's connects_to)
        to = "pooler:" + p["connects_to"] if p.get("connects_to") else "db:" + p["database"]
        want = (to, amount(s["steady"], s["peak"], s["unbounded"], "server ", s.get("unknown", False), s.get("lower_bound", False)))
        if out.get(key) != want:
            fail("pooler %s: edge %r, want %r" % (p["id"], out.get(key), want))
        cap = "cap unbounded" if p["cap"] is None else "cap %d" % p["cap"]
        if key not in nodes or cap not in " ".join(nodes[key]["lines"]):
            fail("pooler %s: no %s" % (p["id"], cap))

    for d in rep["databases"]:
        key = "db:" + d["id"]
        if key not in nodes:
            fail("database %s not drawn" % d["id"])
            continue
        lines = nodes[key]["lines"]
        dem = d["demand"]
        if dem["unbounded"] or dem["peak"] > d["capacity"]:
            want = ("over capacity", "over")
        elif dem["peak"] > d["budget"]:
            want = ("within headroom", "headroom")
        else:
            want = ("under budget", "under")
        if lines[1] != "capacity %d, budget %d" % (d["capacity"], d["budget"]):
            fail("database %s: %r" % (d["id"], lines[1]))
        if not dem["unbounded"]:
            pct = int(d["utilization"] * 100 + 0.5)
            line = "peak %d of max %d: %d%%" % (dem["peak"], d["max_connections"], pct)
            if lines[2] != line:
                fail("database %s: %r, want %r" % (d["id"], lines[2], line))
        cls = nodes[key]["class"]
        if lines[3] != want[0] or not cls or want[1] not in cls.group(1).split():
            fail("database %s: %r class %r, want %r" % (d["id"], lines[3], cls and cls.group(1), want))
    return failures


def main():
    passed = failed = 0
    for path in sys.argv[1:]:
        try:
            failures = check(path)
        except (ValueError, KeyError, StopIteration, json.JSONDecodeError) as e:
            failures = ["%s: %r" % (type(e).__name__, e)]
        for f in failures[:10]:
            print("FAIL: %s: %s" % (path, f))
        if failures:
            failed += 1
        else:
            passed += 1
    print("graph_check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
