#!/usr/bin/env bash
# The pre-commit hook, end to end: a throwaway repository uses this one as
# the hook source (`pre-commit try-repo`), a failing topology makes the
# commit fail, a fixed one lets it through. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/connbudget tests/precommit.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

command -v pre-commit >/dev/null || { echo "pre-commit is not installed (Debian package pre-commit)"; exit 2; }
# language: system runs `connbudget` from PATH: the binary under test.
mkdir -p "$TMP/bin"
ln -s "$CB" "$TMP/bin/connbudget"
export PATH=$TMP/bin:$PATH
export PRE_COMMIT_HOME=$TMP/cache
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid

# try-repo needs the hook source as a git repository: take this working
# tree as it is (CI runs in a fresh clone; a session may have uncommitted work).
SRC=$TMP/src
mkdir -p "$SRC"
cp .pre-commit-hooks.yaml "$SRC/"
git -C "$SRC" init -q && git -C "$SRC" add -A && git -C "$SRC" commit -qm hooks

REPO=$TMP/repo
mkdir -p "$REPO/infra"
git -C "$REPO" init -q
cp testdata/examples/connbudget.yaml "$REPO/infra/connbudget.yaml"
git -C "$REPO" add -A

# A failing topology: the hook fails and names the finding.
(cd "$REPO" && pre-commit try-repo "$SRC" connbudget --files infra/connbudget.yaml) >"$TMP/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ok || bad "failing topology: the hook passed"
grep -q "CB001" "$TMP/out" && ok || { bad "failing topology: no CB001 in the hook output"; cat "$TMP/out"; }

# The fixed architecture passes.
cp testdata/examples/fixed.yaml "$REPO/infra/connbudget.yaml"
git -C "$REPO" add -A
(cd "$REPO" && pre-commit try-repo "$SRC" connbudget --files infra/connbudget.yaml) >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "fixed topology: the hook failed"; cat "$TMP/out"; }

# Files outside the pattern are not checked.
printf 'not: [a topology\n' >"$REPO/infra/other.yaml"
git -C "$REPO" add -A
(cd "$REPO" && pre-commit try-repo "$SRC" connbudget --files infra/other.yaml) >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "other.yaml should be skipped by the files pattern"; cat "$TMP/out"; }

# And as a real commit hook: installed from a config, a commit is refused.
cat >"$REPO/.pre-commit-config.yaml" <<CFG
repos:
  - repo: $SRC
    rev: $(git -C "$SRC" rev-parse HEAD)
    hooks:
      - id: connbudget
CFG
cp testdata/examples/connbudget.yaml "$REPO/infra/connbudget.yaml"
git -C "$REPO" add -A
(cd "$REPO" && pre-commit install -q >/dev/null && git commit -qm broken) >"$TMP/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ok || bad "git commit of a failing topology went through"
cp testdata/examples/fixed.yaml "$REPO/infra/connbudget.yaml"
git -C "$REPO" add -A
(cd "$REPO" && git commit -qm fixed) >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "git commit of the fixed topology was refused"; cat "$TMP/out"; }

finish
