#!/usr/bin/env bash
# Unix citizenship: make install / uninstall, the man page renders cleanly,
# bash completion completes, generated docs are current and their links
# resolve, CONNBUDGET_FORMAT.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

# install / uninstall into a throwaway prefix
make --no-print-directory install PREFIX="$TMP/usr" >/dev/null 2>&1 && ok || bad "make install failed"
for f in bin/connbudget share/man/man1/connbudget.1 share/bash-completion/completions/connbudget \
	share/connbudget/topology.schema.json; do
	[ -e "$TMP/usr/$f" ] && ok || bad "make install did not install $f"
done
"$TMP/usr/bin/connbudget" --version | grep -q "^connbudget " && ok || bad "installed binary does not run"
cmp -s "$TMP/usr/share/connbudget/topology.schema.json" schemas/topology.schema.json && ok || bad "the installed schema is not schemas/topology.schema.json"
# init's editor schema line names the installed schema, and the starter
# file validates against it; without an installed schema, init writes how
# to save one and no schema line an editor would follow
(cd "$TMP" && usr/bin/connbudget init starter.yaml 2>/dev/null) && ok || bad "installed init failed"
line=$(head -1 "$TMP/starter.yaml")
[ "$line" = "# yaml-language-server: \$schema=file://$(cd "$TMP" && pwd -P)/usr/share/connbudget/topology.schema.json" ] && ok || bad "installed init's schema line: $line"
$PY - "$TMP/starter.yaml" <<'PYEOF' && ok || bad "the starter file does not validate against the schema its first line names"
import json, re, sys
import jsonschema, yaml
text = open(sys.argv[1]).read()
m = re.match(r"# yaml-language-server: \$schema=file://(\S+)\n", text)
schema = json.load(open(m.group(1)))
jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(text))
PYEOF
(cd "$TMP" && "$CB" init plain.yaml 2>/dev/null) && ok || bad "init failed"
grep -Eq '^#[[:space:]]*yaml-language-server' "$TMP/plain.yaml" && bad "init without an installed schema writes a schema line" || ok
grep -q 'connbudget schema > topology.schema.json' "$TMP/plain.yaml" && ok || bad "init without an installed schema says how to save one"
(cd "$TMP" && "$CB" schema > topology.schema.json &&
	{ echo '# yaml-language-server: $schema=./topology.schema.json'; tail -n +4 plain.yaml; } > saved.yaml && mv saved.yaml plain.yaml)
$PY - "$TMP/plain.yaml" <<'PYEOF' && ok || bad "the starter file does not validate against ./topology.schema.json"
import json, os, re, sys
import jsonschema, yaml
text = open(sys.argv[1]).read()
m = re.match(r"# yaml-language-server: \$schema=(\./\S+)\n", text)
schema = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), m.group(1))))
jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(text))
PYEOF
"$CB" check -q "$TMP/plain.yaml" >/dev/null && ok || bad "the starter file with the saved schema's line fails check"
make --no-print-directory uninstall PREFIX="$TMP/usr" >/dev/null 2>&1 && ok || bad "make uninstall failed"
[ -z "$(find "$TMP/usr" -type f)" ] && ok || bad "make uninstall left files: $(find "$TMP/usr" -type f)"

# the release binary: libyaml (on yalloc) and inih linked in, libm not needed;
# libyaml's own allocator calls go to yalloc, not to glibc's malloc
if command -v ldd >/dev/null; then
	libs=$(ldd "$CB")
	for lib in libyaml libinih libm.so; do
		case "$libs" in *"$lib"*) bad "$CB loads $lib at start-up (docs/performance.md)" ;; *) ok ;; esac
	done
fi
if command -v nm >/dev/null; then
	syms=$(nm "$CB" 2>/dev/null)
	case "$syms" in *" T yaml_parser_parse"*) ok ;; *) bad "$CB: libyaml is not linked in" ;; esac
	case "$syms" in *" T yalloc_malloc"*) ok ;; *) bad "$CB: yalloc is missing" ;; esac
fi

# the man page: renders, groff has nothing to warn about, lists every rule
if command -v groff >/dev/null; then
	warn=$(groff -ww -man -Tutf8 -z connbudget.1 2>&1)
	[ -z "$warn" ] && ok || bad "groff warns on connbudget.1: $warn"
fi
if command -v man >/dev/null; then
	page=$(MANWIDTH=80 man -l connbudget.1 2>/dev/null)
	case "$page" in *"CONNBUDGET(1)"*) ok ;; *) bad "man -l connbudget.1 does not render" ;; esac
	for id in $("$CB" rules --ids); do
		case "$page" in *"$id"*) ok ;; *) bad "man page lacks $id" ;; esac
	done
fi

# The rule pages, their table and the man page are generated from the registry and current
tools/gendocs.sh "$CB" --check && ok || bad "generated docs are stale (make docs)"

# Every relative link in the Markdown reaches a file and a heading, and no
# file refers to a document outside the repository.
/usr/bin/python3 tests/doclinks.py && ok || bad "a broken link or an outside reference (tests/doclinks.py)"

# bash completion
complete_words() { # the words typed so far → the candidates
	bash -c '
		source contrib/bash-completion/connbudget
		export PATH="$(dirname "$1"):$PATH"
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		_connbudget
		printf "%s\n" "${COMPREPLY[@]}"' _ "$CB" "$@"
}
mkdir -p "$TMP/bin" && ln -sf "$CB" "$TMP/bin/connbudget"
CB_SAVED=$CB; CB=$TMP/bin/connbudget
complete_words connbudget "" | grep -qx "plan" && ok || bad "completion: subcommands"
complete_words connbudget check --for | grep -qx -- "--format" && ok || bad "completion: options"
complete_words connbudget check --format "" | grep -qx "sarif" && ok || bad "completion: formats"
complete_words connbudget explain CB00 | grep -qx "CB007" && ok || bad "completion: rule ids"
complete_words connbudget plan --sp | grep -qx -- "--spike" && ok || bad "completion: plan options"
complete_words connbudget diff --basel | grep -qx -- "--baseline" && ok || bad "completion: diff options"
complete_words connbudget diff --format "" | grep -qx "markdown" && ok || bad "completion: diff formats"
CB=$CB_SAVED

# CONNBUDGET_FORMAT sets the default format; --format wins
out=$(CONNBUDGET_FORMAT=gcc "$CB" check testdata/examples/connbudget.yaml)
case "$out" in "testdata/examples/connbudget.yaml:"*) ok ;; *) bad "CONNBUDGET_FORMAT=gcc ignored" ;; esac
out=$(CONNBUDGET_FORMAT=gcc "$CB" check --format json testdata/examples/connbudget.yaml)
case "$out" in "{"*) ok ;; *) bad "--format does not win over CONNBUDGET_FORMAT" ;; esac
# --color auto on a terminal (script(1) gives one): colour, but not with NO_COLOR or TERM=dumb
if command -v script >/dev/null; then
	tty_run() { script -qec "$*" /dev/null </dev/null; }
	out=$(TERM=xterm tty_run "$CB" check testdata/examples/connbudget.yaml)
	case "$out" in *$'\033['*) ok ;; *) bad "--color auto on a terminal does not colour" ;; esac
	out=$(TERM=dumb tty_run "$CB" check testdata/examples/connbudget.yaml)
	case "$out" in *$'\033['*) bad "TERM=dumb still colours" ;; *) ok ;; esac
	out=$(NO_COLOR=1 TERM=xterm tty_run "$CB" check testdata/examples/connbudget.yaml)
	case "$out" in *$'\033['*) bad "NO_COLOR still colours" ;; *) ok ;; esac
fi
out=$(TERM=dumb "$CB" check --color always testdata/examples/connbudget.yaml)
case "$out" in *$'\033['*) ok ;; *) bad "--color always must colour even with TERM=dumb" ;; esac

finish
