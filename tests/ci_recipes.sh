#!/usr/bin/env bash
# The CI recipes of contrib/ci/, run as written: their connbudget steps are
# read out of the workflow files and run in a real git repository of two
# commits (testdata/diff: replicas 1 → 3 and a worker added), with `gh` and
# `curl` replaced by tests/stub_gh.py, which records each call and keeps the
# comments. The first run posts one comment, the second edits it; the body
# is the diff's markdown, marker first. Ends with "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/ci_recipes.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
ROOT=$PWD
PY=/usr/bin/python3
export GIT_CONFIG_NOSYSTEM=1 HOME=$TMP GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
unset GITHUB_STEP_SUMMARY

# The recipes are valid YAML, and name the comment script.
for y in contrib/ci/github-connbudget.yml contrib/ci/gitlab-connbudget.yml; do
	$PY -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$y" && ok || bad "$y is not valid YAML"
	grep -q 'contrib/ci/pr-comment.sh connbudget-diff.md' "$y" && ok || bad "$y does not post the comment"
done

# PATH: connbudget (the binary under test), gh and curl (the stub).
BIN=$TMP/bin
mkdir -p "$BIN"
ln -s "$CB" "$BIN/connbudget"
ln -s "$ROOT/tests/stub_gh.py" "$BIN/gh"
ln -s "$ROOT/tests/stub_gh.py" "$BIN/curl"

REPO=$TMP/repo
diff_repo "$REPO"

# A recipe's connbudget commands as one script, the install path made ours.
steps() { # steps FILE.yml github|gitlab
	$PY - "$1" "$2" "$ROOT" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
root = sys.argv[3]
if sys.argv[2] == "github":
    run = [s["run"] for s in doc["jobs"]["connbudget"]["steps"] if "connbudget diff" in s.get("run", "")][0]
else:
    run = "\n".join(doc["connbudget"]["script"])
print(run.replace("/tmp/connbudget", root))
PY
}

#--- GitHub Actions ------------------------------------------------------------
GH=$TMP/github.sh
steps "$ROOT/contrib/ci/github-connbudget.yml" github >"$GH"
export STUB_STATE=$TMP/gh-state
mkdir -p "$STUB_STATE"
for n in 1 2; do
	PATH=$BIN:$PATH GH_TOKEN=t GITHUB_REPOSITORY=shop/infra PR_NUMBER=7 BASE_SHA=$BASE \
		bash -e "$GH" >"$TMP/gh.out" 2>&1
	rc=$?
	[ "$rc" = 1 ] && ok || { bad "github recipe run $n: exit $rc, want 1 (a new CB001)"; cat "$TMP/gh.out"; }
done
calls=$(tr '\n' ' ' <"$STUB_STATE/calls")
[ "$calls" = "GET POST GET PATCH 1 " ] && ok || bad "github recipe: calls were \"$calls\", want one POST then one PATCH"
$PY - "$STUB_STATE/comments.json" <<'PY' && ok || bad "github recipe: the comment"
import json, sys
c = json.load(open(sys.argv[1]))
assert len(c) == 1, c
b = c[0]["body"]
assert b.startswith("<!-- connbudget diff -->\n"), b[:80]
assert "CB001" in b and "130" in b, b
PY

#--- GitLab CI -------------------------------------------------------------------
GL=$TMP/gitlab.sh
steps "$ROOT/contrib/ci/gitlab-connbudget.yml" gitlab >"$GL"
export STUB_STATE=$TMP/gl-state
mkdir -p "$STUB_STATE"
for n in 1 2; do
	PATH=$BIN:$PATH GITLAB_TOKEN=t CI_API_V4_URL=https://gitlab.example/api/v4 CI_PROJECT_ID=3 \
		CI_MERGE_REQUEST_IID=9 CI_MERGE_REQUEST_DIFF_BASE_SHA=$BASE bash -e "$GL" >"$TMP/gl.out" 2>&1
	rc=$?
	[ "$rc" = 1 ] && ok || { bad "gitlab recipe run $n: exit $rc, want 1"; cat "$TMP/gl.out"; }
done
calls=$(tr '\n' ' ' <"$STUB_STATE/calls")
[ "$calls" = "GET POST GET PUT 1 " ] && ok || bad "gitlab recipe: calls were \"$calls\", want one POST then one PUT"
[ -s "$REPO/connbudget.xml" ] && ok || bad "gitlab recipe: no JUnit report"
$PY "$ROOT/tests/validate.py" junit "$REPO/connbudget.xml" && ok || bad "gitlab recipe: the JUnit report"
$PY - "$STUB_STATE/comments.json" <<'PY' && ok || bad "gitlab recipe: the note"
import json, sys
c = json.load(open(sys.argv[1]))
assert len(c) == 1 and c[0]["body"].startswith("<!-- connbudget diff -->\n"), c
PY

# A body without the marker is refused: the script would lose track of its comment.
echo "hello" >"$TMP/plain.md"
PATH=$BIN:$PATH GH_TOKEN=t GITHUB_REPOSITORY=shop/infra PR_NUMBER=7 \
	"$ROOT/contrib/ci/pr-comment.sh" "$TMP/plain.md" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "pr-comment.sh accepted a body without the marker"

finish
