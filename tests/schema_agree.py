#!/usr/bin/python3
"""schema_agree.py - the topology JSON Schema and the loader agree on testdata/.

The promise of docs/topology.md: the loader accepts exactly what the schema accepts. For every
*.yaml / *.yml under testdata/ this validates the file against
schemas/topology.schema.json (draft 2020-12) and runs

    $CONNBUDGET check --format json FILE      (default build/connbudget)

from the repository root, then checks that

    schema-valid   <=>  exit status 0 or 1   (loaded; findings or none)
    schema-invalid <=>  exit status 2        (input error)

Run it with /usr/bin/python3 (python3-yaml, python3-jsonschema):

    CONNBUDGET=build/connbudget /usr/bin/python3 tests/schema_agree.py [-v]

It prints one line per disagreement, then "N passed, N failed", and exits 1
when anything disagrees.

What the schema cannot see, and how each case is expected instead:

* YAML-level problems are found here, on the raw stream, and must be exit 2:
  a syntax error, bytes that are not UTF-8, a stream with no document or more
  than one, a duplicate key in a mapping, a non-scalar mapping key, an alias
  cycle, an explicit tag other than !!str, !!seq and !!map, and the loader's
  documented limits on hostile input (src/load.h: 16 MiB per file, nesting
  depth 64, strings of at most 4096 bytes). Aliases: the loader may
  either support or reject them; which one it does is probed once with a
  valid topology that uses an alias, and files with aliases are expected to
  behave the same way.
* Cross-field and cross-file constraints cannot be written in JSON Schema:
  files the schema accepts but the loader rightly rejects for such a reason
  are listed, by path under testdata/, in LOADER_ONLY below with the reason.
  An entry the schema rejects, or the loader accepts, is stale and fails.
* Include fragments are not topologies on their own (they may omit
  `version`): files under a directory named `inc` or `fragments`, and files
  that a file outside such a directory names in its `include:` (globs
  expanded as the loader does), are skipped. A file that includes itself, or
  is included back by one of its fragments, is still a topology (the include
  cycle is what its test is about).
* Types: the YAML is read with the YAML 1.2 core schema that the loader uses,
  not PyYAML's YAML 1.1 (where `yes`, `on`, `0o17`, `1_000` and `12:30` mean
  other things): plain scalars resolve to null, true/false, integers
  (decimal, 0o octal, 0x hex) and floats; everything else is a string.
  JSON Schema counts 2.0 as an integer; YAML's core schema and the loader do
  not, so the validator here counts only real integers as "integer" and only
  finite numbers as "number" (JSON has no .inf or .nan).
"""
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TESTDATA = "testdata"
SCHEMA = os.path.join("schemas", "topology.schema.json")

# Files the schema accepts and the loader rejects for a reason JSON Schema
# cannot express. Path relative to testdata/ → the reason, one of:
#   dangling reference   connects_to / database names no such object
#   ambiguous reference  connects_to or a pooler's database names an id that is both a
#                        database and a pooler
#   pooler cycle         a pooler's database names a pooler whose chain comes back to it
#   ordering constraint  max_replicas < replicas, concurrency > max_concurrency,
#                        max_connections <= superuser_reserved + reserved,
#                        headroom >= max_connections (defaults included)
#   duplicate id         the same id in two files of one include tree
#   include problem      a missing file, a cycle, a fragment that breaks the
#                        fragment rules, no database left after merging
#   arithmetic overflow  a figure or a duration does not fit in 64 bits (docs/model.md)
#   config file          `config:` names a file that is missing or does not parse
#   object limit         more databases + poolers + clients than src/load.h allows
#   managed pooler       type: managed on a database without a provider, or on a
#                        provider without a pooler whose figures are documented,
#                        or on an instance of a tier without the pooler
# (An unknown RDS class is not here: the schema's `instance` enum lists the
# classes of src/rds.c, and tests/check_rds.c keeps the two equal.)
LOADER_ONLY = {
    "invalid/ambiguous-connects-to.yaml": "ambiguous reference",
    "invalid/concurrency-above-max.yaml": "ordering constraint",
    "invalid/dangling-connects-to.yaml": "dangling reference",
    "invalid/dangling-pooler-database.yaml": "dangling reference",
    "invalid/pooler-ambiguous-database.yaml": "ambiguous reference",
    "invalid/pooler-cycle.yaml": "pooler cycle",
    "invalid/pooler-self.yaml": "pooler cycle",
    "invalid/duplicate-id-include.yaml": "duplicate id",
    "invalid/duration-overflow.yaml": "arithmetic overflow",
    "invalid/fragment-lint.yaml": "include problem",
    "invalid/fragment-unknown-key.yaml": "include problem",
    "invalid/fragment-version.yaml": "include problem",
    "invalid/headroom-too-big.yaml": "ordering constraint",
    "invalid/include-cycle.yaml": "include problem",
    "invalid/include-directory.yaml": "include problem",
    "invalid/include-missing.yaml": "include problem",
    "invalid/include-self.yaml": "include problem",
    "invalid/max-connections-reserved.yaml": "ordering constraint",
    "invalid/max-replicas-below-replicas.yaml": "ordering constraint",
    "invalid/max-replicas-below-default.yaml": "ordering constraint",
    "invalid/concurrency-above-assumed.yaml": "ordering constraint",
    "invalid/managed-no-provider.yaml": "managed pooler",
    "invalid/managed-rds.yaml": "managed pooler",
    "invalid/managed-azure-burstable.yaml": "managed pooler",
    "invalid/managed-supabase.yaml": "managed pooler",
    "invalid-budget/product-overflow.yaml": "arithmetic overflow: each value fits, their product does not",
    "config/rooted-missing.yaml": "config file: an absolute include without config_root",
}

# The loader's limits on hostile input (src/load.h).
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_STRING_BYTES = 4096
MAX_NODES = 4 * 1000 * 1000

FRAGMENT_DIRS = {"inc", "fragments"}


class YamlLevel(Exception):
    """The file has a problem below the schema: the loader must exit 2."""


# --- YAML 1.2 core schema --------------------------------------------------

class CoreResolver(yaml.resolver.BaseResolver):
    pass


def _implicit(tag, regexp, first):
    CoreResolver.add_implicit_resolver(tag, re.compile(regexp, re.X), list(first))


_implicit("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])
_implicit("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_implicit("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
          "-+0123456789")
_implicit("tag:yaml.org,2002:float",
          r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
              |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
          "-+.0123456789")


class CoreLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                 yaml.composer.Composer, CoreResolver):
    """Parses and composes only; nodes are converted by Converter."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        CoreResolver.__init__(self)


def core_scalar(node):
    tag, v = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        return v
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return v.lower() == "true"
    try:
        if tag == "tag:yaml.org,2002:int":
            if v.startswith("0o"):
                return int(v[2:], 8)
            if v.startswith("0x"):
                return int(v[2:], 16)
            return int(v, 10)
        if tag == "tag:yaml.org,2002:float":
            low = v.lower()
            if low.endswith(".inf"):
                return -math.inf if low.startswith("-") else math.inf
            if low == ".nan":
                return math.nan
            return float(v)
    except ValueError:
        raise YamlLevel(f"{v!r} is not a valid {tag}")
    raise YamlLevel(f"explicit tag {tag}")


class Converter:
    """Node tree → plain Python values, checking what the schema never sees."""

    def __init__(self):
        self.nodes = 0
        self.stack = set()

    def convert(self, node, depth=0):
        """depth: collections enclosing node (the loader's nesting count)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlLevel("more nodes than the loader allows")
        if id(node) in self.stack:
            raise YamlLevel("alias cycle")
        if isinstance(node, yaml.ScalarNode):
            if len(node.value.encode("utf-8")) > MAX_STRING_BYTES:
                raise YamlLevel("scalar longer than the loader allows")
            return core_scalar(node)
        depth += 1
        if depth > MAX_DEPTH:
            raise YamlLevel("nesting deeper than the loader allows")
        self.stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(n, depth) for n in node.value]
            out = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise YamlLevel("a mapping key that is not a scalar")
                if k.value in out:
                    raise YamlLevel(f"duplicate key {k.value!r}")
                self.nodes += 1
                out[k.value] = self.convert(v, depth)
            return out
        finally:
            self.stack.discard(id(node))


ALLOWED_TAGS = {yaml.ScalarEvent: "tag:yaml.org,2002:str",
                yaml.SequenceStartEvent: "tag:yaml.org,2002:seq",
                yaml.MappingStartEvent: "tag:yaml.org,2002:map"}


def check_tag(ev):
    """Only !!str on a scalar, !!seq on a sequence, !!map on a mapping."""
    tag = getattr(ev, "tag", None)
    if tag is not None and tag != ALLOWED_TAGS.get(type(ev)):
        raise YamlLevel(f"explicit tag {tag}")


def read_yaml(path, aliases_ok=True):
    """(value, has_alias) of a one-document YAML file; YamlLevel on a problem.
    With aliases_ok false, a file with an alias is not converted (value None):
    the loader rejects it anyway, and an alias bomb would take long."""
    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise YamlLevel("file larger than the loader allows")
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlLevel(f"not UTF-8: {e}")
    has_alias = False
    try:
        for ev in yaml.parse(text, Loader=CoreLoader):
            has_alias = has_alias or isinstance(ev, yaml.AliasEvent)
            check_tag(ev)
        docs = list(yaml.compose_all(text, Loader=CoreLoader))
    except yaml.YAMLError as e:
        raise YamlLevel(f"YAML error: {str(e).splitlines()[0]}")
    if len(docs) != 1:
        raise YamlLevel(f"{len(docs)} documents")
    if has_alias and not aliases_ok:
        return None, True
    return Converter().convert(docs[0]), has_alias


# --- JSON types as YAML's core schema has them --------------------------------

def _is_integer(checker, v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(checker, v):
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))


StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}))


# --- the walk ----------------------------------------------------------------

def yaml_files():
    out = []
    for d, dirs, files in os.walk(TESTDATA):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".yaml", ".yml")):
                out.append(os.path.join(d, f))
    return out


def in_fragment_dir(path):
    """Is path under a directory named inc/ or fragments/ (below testdata/)?"""
    parts = os.path.normpath(os.path.relpath(path, TESTDATA)).split(os.sep)[:-1]
    return bool(set(parts) & FRAGMENT_DIRS)


def includes_of(path, value):
    """Files path's `include:` names (globs expanded, sorted)."""
    inc = value.get("include") if isinstance(value, dict) else None
    if isinstance(inc, str):
        inc = [inc]
    if not isinstance(inc, list):
        return []
    out = []
    base = os.path.dirname(path)
    for pattern in inc:
        if not isinstance(pattern, str):
            continue
        full = os.path.normpath(os.path.join(base, pattern))
        if glob.has_magic(pattern):
            out += sorted(os.path.normpath(p) for p in glob.glob(full))
        else:
            out.append(full)
    return out


def run(binary, path):
    try:
        p = subprocess.run([binary, "check", "--format", "json", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    err = p.stderr.decode("utf-8", "replace").strip().splitlines()
    return p.returncode, err[0] if err else ""


PROBE = """\
version: 1
databases:
  main: &db
    max_connections: 100
    settings: { idle_in_transaction_session_timeout: 10min }
  copy: *db
clients:
  tool:
    type: tool
    connects_to: main
    pool: { size: 1, acquire_timeout: 1s }
"""


def loader_takes_aliases(binary):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(PROBE)
    try:
        rc, _ = run(binary, f.name)
    finally:
        os.unlink(f.name)
    return rc in (0, 1)


def main():
    verbose = "-v" in sys.argv[1:]
    os.chdir(ROOT)
    binary = os.environ.get("CONNBUDGET", os.path.join("build", "connbudget"))
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    if not os.access(binary, os.X_OK):
        print(f"schema_agree.py: no executable {binary} (build it, or set CONNBUDGET)",
              file=sys.stderr)
        return 2
    with open(SCHEMA) as f:
        schema = json.load(f)
    StrictValidator.check_schema(schema)
    validator = StrictValidator(schema)
    aliases_ok = loader_takes_aliases(binary)

    files = yaml_files()
    parsed = {}
    fragments = set(p for p in files if in_fragment_dir(p))
    for path in files:
        try:
            parsed[path] = read_yaml(path, aliases_ok)
        except YamlLevel as e:
            parsed[path] = e
        except OSError as e:
            parsed[path] = YamlLevel(str(e))
        value = parsed[path][0] if isinstance(parsed[path], tuple) else None
        if not in_fragment_dir(path):
            fragments.update(p for p in includes_of(path, value) if p != path)

    passed = failed = skipped = 0
    stale = set(LOADER_ONLY)
    for path in files:
        rel = os.path.relpath(path, TESTDATA)
        if path in fragments:
            skipped += 1
            continue
        got = parsed[path]
        reason = None
        if isinstance(got, YamlLevel):
            want, why = {2}, f"YAML level: {got}"
        elif got[1] and not aliases_ok:
            want, why = {2}, "uses an alias, which the loader rejects"
        else:
            errors = sorted(validator.iter_errors(got[0]), key=lambda e: list(e.path))
            if rel in LOADER_ONLY:
                stale.discard(rel)
                reason = LOADER_ONLY[rel]
                if errors:
                    failed += 1
                    print(f"FAIL: {path}: listed as loader-only ({reason}) but the schema "
                          f"rejects it: {errors[0].message}")
                    continue
                want, why = {2}, f"loader-only: {reason}"
            elif errors:
                e = errors[0]
                where = ".".join(str(p) for p in e.path) or "(top)"
                want, why = {2}, f"schema-invalid at {where}: {e.message}"
            else:
                want, why = {0, 1}, "schema-valid"
        rc, first = run(binary, path)
        if rc in want:
            passed += 1
            if verbose:
                print(f"ok: {path}: {why}; exit {rc}")
        else:
            failed += 1
            print(f"FAIL: {path}: {why}; connbudget exit {rc}: {first}")
    for rel in sorted(stale):
        failed += 1
        print(f"FAIL: LOADER_ONLY names {rel}, which is not a topology under {TESTDATA}/")
    if verbose:
        print(f"({skipped} include fragments skipped; loader "
              f"{'supports' if aliases_ok else 'rejects'} aliases)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
