#!/usr/bin/python3
"""Validate connbudget's machine-readable outputs.

    validate.py report FILE   JSON report against schemas/report.schema.json (draft 2020-12)
                              and its internal consistency (summary counts, references)
    validate.py sarif FILE    SARIF against the official 2.1.0 schema (draft-04), plus
                              ruleIndex/ruleId agreement and one location per result
    validate.py junit FILE    parses as XML; testsuites/testsuite/testcase structure,
                              unique testcase names, tests/failures/errors counts that match
    validate.py github FILE   every line is a workflow command
                              ::error|warning|notice [file=F,line=L,col=C,]title=T::message
                              with the runner's escaping (% CR LF, and : , in properties)

FILE may be "-" for standard input. The SARIF schema is $CONNBUDGET_SARIF_SCHEMA
(or $SARIF_SCHEMA), else tests/schemas/sarif-schema-2.1.0.json, a copy of
the OASIS schema (https://docs.oasis-open.org/sarif/sarif/v2.1.0/). Exit status 0 when valid, 1 with one
line per problem on standard error when not, 2 on bad usage or a missing schema.

Run it with /usr/bin/python3 (Debian's python3-jsonschema).
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT_SCHEMA = os.path.join(REPO, "schemas", "report.schema.json")
SARIF_SCHEMA = (
    os.environ.get("CONNBUDGET_SARIF_SCHEMA")
    or os.environ.get("SARIF_SCHEMA")
    or os.path.join(REPO, "tests", "schemas", "sarif-schema-2.1.0.json")
)


class Invalid(Exception):
    """The document is not valid; args[0] is a list of problems."""


def read(path):
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def load_json(data, what):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Invalid(["not %s JSON: %s" % (what, e)])


def load_schema(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        print("validate.py: cannot read schema %s: %s" % (path, e), file=sys.stderr)
        sys.exit(2)


def schema_errors(validator_class, schema, doc):
    v = validator_class(schema)
    out = []
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        out.append("%s: %s" % (where, e.message))
    return out


def check_report(data):
    from jsonschema import Draft202012Validator

    doc = load_json(data, "report")
    problems = schema_errors(Draft202012Validator, load_schema(REPORT_SCHEMA), doc)
    if problems:
        raise Invalid(problems)
    # What a schema cannot say: the summary counts the findings, and every
    # reference names an object of the same topology.
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in doc["findings"]:
        counts[f["severity"]] += 1
    for key, sev in (("errors", "error"), ("warnings", "warning"), ("infos", "info")):
        if doc["summary"][key] != counts[sev]:
            problems.append("summary/%s: %d, but %d %s findings"
                            % (key, doc["summary"][key], counts[sev], sev))
    files = set(doc["files"])
    ids = {}
    for kind in ("databases", "poolers", "clients"):
        for i, o in enumerate(doc[kind]):
            if o["topology"] not in files:
                problems.append("%s/%d: topology %r is not in files" % (kind, i, o["topology"]))
            key = (kind, o["topology"], o["id"])
            if key in ids:
                problems.append("%s/%d: id %r appears twice in %r" % (kind, i, o["id"], o["topology"]))
            ids[key] = o
    for i, d in enumerate(doc["databases"]):
        for c in d["contributors"]:
            kind = "poolers" if c["kind"] == "pooler" else "clients"
            if (kind, d["topology"], c["id"]) not in ids:
                problems.append("databases/%d: contributor %r is not in %s" % (i, c["id"], kind))
    for i, p in enumerate(doc["poolers"]):
        if ("databases", p["topology"], p["database"]) not in ids:
            problems.append("poolers/%d: database %r is not in databases" % (i, p["database"]))
    for i, c in enumerate(doc["clients"]):
        if ("databases", c["topology"], c["database"]) not in ids:
            problems.append("clients/%d: database %r is not in databases" % (i, c["database"]))
    if problems:
        raise Invalid(problems)


def check_sarif(data):
    from jsonschema import Draft4Validator

    doc = load_json(data, "SARIF")
    problems = schema_errors(Draft4Validator, load_schema(SARIF_SCHEMA), doc)
    if problems:
        raise Invalid(problems)
    if doc.get("version") != "2.1.0":
        problems.append("version: %r, expected \"2.1.0\"" % doc.get("version"))
    runs = doc.get("runs", [])
    if len(runs) != 1:
        problems.append("runs: %d runs, expected 1" % len(runs))
    for r, run in enumerate(runs):
        rules = run["tool"]["driver"].get("rules", [])
        for k, rule in enumerate(rules):
            for field in ("shortDescription", "fullDescription", "help", "defaultConfiguration"):
                if field not in rule:
                    problems.append("runs/%d/tool/driver/rules/%d: no %s" % (r, k, field))
        for k, res in enumerate(run.get("results", [])):
            where = "runs/%d/results/%d" % (r, k)
            idx = res.get("ruleIndex")
            if idx is None or not 0 <= idx < len(rules) or rules[idx]["id"] != res.get("ruleId"):
                problems.append("%s: ruleIndex %r does not name rule %r" % (where, idx, res.get("ruleId")))
            if res.get("level") not in ("error", "warning", "note"):
                problems.append("%s: level %r" % (where, res.get("level")))
            locs = res.get("locations", [])
            if len(locs) != 1:
                problems.append("%s: %d locations, expected 1" % (where, len(locs)))
                continue
            phys = locs[0].get("physicalLocation", {})
            region = phys.get("region", {})
            for field in ("startLine", "startColumn", "endLine", "endColumn"):
                if field not in region:
                    problems.append("%s: region has no %s" % (where, field))
            if not phys.get("artifactLocation", {}).get("uri"):
                problems.append("%s: no artifactLocation.uri" % where)
    if problems:
        raise Invalid(problems)


def count_attr(el, name, where, problems):
    v = el.get(name)
    if v is None or not re.fullmatch(r"\d+", v):
        problems.append("%s: %s=%r is not a count" % (where, name, v))
        return None
    return int(v)


def check_junit(data):
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise Invalid(["not well-formed XML: %s" % e])
    problems = []
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'):
        problems.append("no XML declaration with encoding UTF-8")
    if root.tag != "testsuites":
        raise Invalid(["root element is <%s>, expected <testsuites>" % root.tag])
    total_tests = total_failures = total_errors = 0
    for s, suite in enumerate(root):
        where = "testsuite %d" % (s + 1)
        if suite.tag != "testsuite":
            problems.append("%s: <%s> inside <testsuites>" % (where, suite.tag))
            continue
        if not suite.get("name"):
            problems.append("%s: no name" % where)
        where = "testsuite %r" % suite.get("name")
        names = set()
        tests = failures = errors = 0
        for case in suite:
            # the Ant/Jenkins JUnit schema: testcases, then system-out/system-err
            if case.tag in ("system-out", "system-err"):
                continue
            if case.tag != "testcase":
                problems.append("%s: <%s> inside <testsuite>" % (where, case.tag))
                continue
            tests += 1
            name = case.get("name")
            if not name or case.get("classname") is None:
                problems.append("%s: testcase without name or classname" % where)
            if name in names:
                problems.append("%s: testcase name %r is not unique" % (where, name))
            names.add(name)
            fails = case.findall("failure")
            if len(fails) > 1:
                problems.append("%s: testcase %r has %d failures (importers read one)"
                                % (where, name, len(fails)))
            for f in fails:
                if not f.get("type") or f.get("message") is None:
                    problems.append("%s: testcase %r: failure without type or message" % (where, name))
            failures += bool(fails)
            errs = case.findall("error")
            if len(errs) > 1 or (errs and fails):
                problems.append("%s: testcase %r has more than one failure or error" % (where, name))
            for f in errs:
                if not f.get("type") or f.get("message") is None:
                    problems.append("%s: testcase %r: error without type or message" % (where, name))
            errors += bool(errs)
        n = count_attr(suite, "errors", where, problems) if suite.get("errors") is not None else errors
        if n is not None and n != errors:
            problems.append("%s: errors=%d but %d testcases in error" % (where, n, errors))
        total_errors += errors
        n = count_attr(suite, "tests", where, problems)
        if n is not None and n != tests:
            problems.append("%s: tests=%d but %d testcases" % (where, n, tests))
        n = count_attr(suite, "failures", where, problems)
        if n is not None and n != failures:
            problems.append("%s: failures=%d but %d failed testcases" % (where, n, failures))
        total_tests += tests
        total_failures += failures
    n = count_attr(root, "tests", "testsuites", problems)
    if n is not None and n != total_tests:
        problems.append("testsuites: tests=%d but %d testcases" % (n, total_tests))
    n = count_attr(root, "errors", "testsuites", problems) if root.get("errors") is not None else total_errors
    if n is not None and n != total_errors:
        problems.append("testsuites: errors=%d but %d testcases in error" % (n, total_errors))
    n = count_attr(root, "failures", "testsuites", problems)
    if n is not None and n != total_failures:
        problems.append("testsuites: failures=%d but %d failed testcases" % (n, total_failures))
    if problems:
        raise Invalid(problems)


GITHUB_LINE = re.compile(
    r"^::(error|warning|notice) (?:file=([^,]*),line=(\d+),col=(\d+),)?title=([^:]*)::(.*)$")
DATA_ESCAPES = re.compile(r"%(?!25|0D|0A)")
PROPERTY_ESCAPES = re.compile(r"%(?!25|0D|0A|3A|2C)")


def check_github(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Invalid(["not UTF-8: %s" % e])
    problems = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        problems.append("the last line has no newline")
    for n, line in enumerate(lines, 1):
        m = GITHUB_LINE.match(line)
        if not m:
            problems.append("line %d: not a workflow command: %r" % (n, line))
            continue
        _, file, lineno, col, title, message = m.groups()
        if file is not None and not file:
            problems.append("line %d: empty file property" % n)
        if file is not None and (int(lineno) < 1 or int(col) < 1):
            problems.append("line %d: line and col must be at least 1" % n)
        for name, value in (("file", file or ""), ("title", title)):
            if ":" in value or "\r" in value:
                problems.append("line %d: %s property has an unescaped ':' or CR" % (n, name))
            if "," in value and name == "title":
                problems.append("line %d: title property has an unescaped ','" % n)
            if PROPERTY_ESCAPES.search(value):
                problems.append("line %d: %s property has a '%%' that is not an escape" % (n, name))
        if "\r" in message:
            problems.append("line %d: message has an unescaped CR" % n)
        if DATA_ESCAPES.search(message):
            problems.append("line %d: message has a '%%' that is not an escape" % n)
    if problems:
        raise Invalid(problems)


CHECKS = {"report": check_report, "sarif": check_sarif, "junit": check_junit, "github": check_github}


def main(argv):
    if len(argv) < 3 or argv[1] not in CHECKS:
        print("usage: validate.py report|sarif|junit|github FILE...", file=sys.stderr)
        return 2
    kind, status = argv[1], 0
    for path in argv[2:]:
        try:
            data = read(path)
        except OSError as e:
            print("validate.py: %s: %s" % (path, e), file=sys.stderr)
            return 2
        try:
            CHECKS[kind](data)
        except Invalid as e:
            for p in e.args[0]:
                print("%s: invalid %s: %s" % (path, kind, p), file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
