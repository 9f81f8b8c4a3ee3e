#!/usr/bin/python3
"""Print the input errors a connbudget document carries, one line each, as
standard error prints them ("file:line:col: error: message", or
"connbudget: error: message" without a position), so tests/errors.sh can
hold every format to the same .expected file.

    doc_errors.py json|sarif|github|junit|markdown FILE

Exit status 0, or 1 when the document is not of that format.
"""

import json
import re
import sys
import xml.etree.ElementTree as ET


def line(file, ln, col, message):
    if file is None:
        return "connbudget: error: %s" % message
    return "%s:%s:%s: error: %s" % (file, ln, col, message)


def from_json(text):
    for e in json.loads(text).get("input_errors", []):
        yield line(e.get("file"), e.get("line"), e.get("column"), e["message"])


def from_sarif(text):
    for inv in json.loads(text)["runs"][0].get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []):
            if n["level"] != "error":
                continue
            locs = n.get("locations")
            if not locs:
                yield line(None, 0, 0, n["message"]["text"])
                continue
            pl = locs[0]["physicalLocation"]
            uri = re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)),
                         pl["artifactLocation"]["uri"])
            yield line(uri, pl["region"]["startLine"], pl["region"]["startColumn"], n["message"]["text"])


def unescape(s, prop):
    s = s.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        s = s.replace("%3A", ":").replace("%2C", ",")
    return s.replace("%25", "%")


GITHUB = re.compile(r"^::error (?:file=([^,]*),line=(\d+),col=(\d+),)?title=connbudget input error::(.*)$")


def from_github(text):
    for ln in text.splitlines():
        m = GITHUB.match(ln)
        if m:
            file = unescape(m.group(1), True) if m.group(1) is not None else None
            yield line(file, m.group(2), m.group(3), unescape(m.group(4), False))


def from_junit(text):
    root = ET.fromstring(text)
    for suite in root:
        if suite.get("name") != "input":
            continue
        for case in suite:
            err = case.find("error")
            name = case.get("name")
            m = re.match(r"^(.*):(\d+):(\d+)$", name)
            if m:
                yield line(m.group(1), m.group(2), m.group(3), err.get("message"))
            else:
                yield line(None, 0, 0, err.get("message"))


MD = re.compile(r"^- \*\*error\*\* (?:`([^`]*):(\d+):(\d+)` )?(.*)$")


def from_markdown(text):
    inside = False
    for ln in text.splitlines():
        if ln.startswith("### "):
            inside = ln == "### Input errors"
            continue
        m = MD.match(ln) if inside else None
        if m:
            yield line(m.group(1), m.group(2), m.group(3), m.group(4))


READERS = {"json": from_json, "sarif": from_sarif, "github": from_github, "junit": from_junit,
           "markdown": from_markdown}


def main(argv):
    if len(argv) != 3 or argv[1] not in READERS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        text = f.read()
    try:
        for ln in READERS[argv[1]](text):
            print(ln)
    except (ValueError, KeyError, IndexError, ET.ParseError) as e:
        print("doc_errors.py: not a %s document: %s" % (argv[1], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
