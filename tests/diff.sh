#!/usr/bin/env bash
# connbudget diff against a real git repository: commit 1 holds
# testdata/diff/one.yaml, commit 2 raises the API's replicas from 1 to 3 and
# adds a worker (testdata/diff/two.yaml). The diff shows main's peak before
# and after and CB001 as new (exit 1); a tree against itself shows no change
# (exit 0); markdown opens with the comment marker; --baseline reads a saved
# report; no repository and an unknown revision are exit 2. Ends with
# "N passed, N failed".
#
#   CONNBUDGET=build/san/connbudget tests/diff.sh
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
ROOT=$PWD

command -v git >/dev/null 2>&1 || { echo "diff.sh: no git" >&2; exit 2; }
export GIT_CONFIG_NOSYSTEM=1 HOME=$TMP GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
unset GITHUB_STEP_SUMMARY
export TMPDIR=$TMP/tmp
mkdir -p "$TMPDIR"

REPO=$TMP/repo
save_base() { "$CB" check --format json infra/connbudget.yaml >"$TMP/base.json"; }
diff_repo "$REPO" save_base

#--- commit 2 against commit 1 ----------------------------------------------
expect_rc 1 "diff HEAD~1: a new error" "$CB" diff --base HEAD~1 infra/connbudget.yaml
contains "$out" "database main: steady 40 → 130, peak 40 → 130" "diff text: main's peak before → after"
contains "$out" "client jobs (added)" "diff text: the added worker"
contains "$out" "new findings:" "diff text: new findings"
contains "$out" "[CB001 over-capacity]" "diff text: CB001 new"
contains "$out" "1 new finding (1 error), 0 resolved" "diff text: the counts"
expect_rc 0 "diff --fail-on never" "$CB" diff --base HEAD~1 --fail-on never infra/connbudget.yaml
[ -z "$(ls "$TMPDIR")" ] && ok || bad "diff: the base tree's temporary directory was left behind"

# from a subdirectory, and the default FILE found there
cd infra || exit 2
expect_rc 1 "diff from a subdirectory" "$CB" diff --base HEAD~1
contains "$out" "peak 40 → 130" "diff from a subdirectory: the base is read"
cd "$REPO" || exit 2

#--- the other direction: CB001 resolved, nothing new --------------------------
git checkout -q -b back HEAD~1
expect_rc 0 "diff back to commit 1: nothing new" "$CB" diff --base master infra/connbudget.yaml
contains "$out" "peak 130 → 40" "diff back: peak after → before"
contains "$out" "resolved findings:" "diff back: CB001 resolved"
git checkout -q master

#--- a tree against itself ----------------------------------------------------
expect_rc 0 "diff HEAD against itself" "$CB" diff --base HEAD infra/connbudget.yaml
contains "$out" "no change" "diff HEAD: no change"
expect_rc 0 "diff without --base and no upstream: HEAD" "$CB" diff infra/connbudget.yaml
contains "$out" "no change" "diff default base: no change"

#--- a moved line is not a new finding ----------------------------------------
{ echo "# a comment that moves every line"; cat infra/connbudget.yaml; } >"$TMP/moved"
cp "$TMP/moved" infra/connbudget.yaml
expect_rc 0 "diff of moved lines" "$CB" diff --base HEAD infra/connbudget.yaml
contains "$out" "no change" "diff of moved lines: the same findings"
git checkout -q -- infra/connbudget.yaml

#--- SARIF: the same fingerprint for a finding whose line and figures moved ----
fp() { "$CB" check --format sarif "$1" | $PY -c 'import json, sys
print(" ".join(r["partialFingerprints"]["connbudget/v1"] for r in json.load(sys.stdin)["runs"][0]["results"] if r["ruleId"] == "CB001"))'; }
sed 's/replicas: 3/replicas: 4/' infra/connbudget.yaml >"$TMP/more.yaml"
{ echo "# moved"; cat "$TMP/more.yaml"; } >"$TMP/moved.yaml"
a=$(fp infra/connbudget.yaml); b=$(fp "$TMP/moved.yaml")
[ -n "$a" ] && [ "${#a}" = 16 ] && ok || bad "sarif: no connbudget/v1 fingerprint on CB001 ($a)"
[ "$a" = "$b" ] && ok || bad "sarif: the fingerprint changed with a line and a figure ($a, $b)"

#--- formats ------------------------------------------------------------------
expect_rc 1 "diff --format markdown" "$CB" diff --base HEAD~1 --format markdown infra/connbudget.yaml
[ "$(head -1 "$TMP/out")" = "<!-- connbudget diff -->" ] && ok || bad "markdown: first line is not the marker"
contains "$out" '```mermaid' "markdown: the topology picture"
contains "$out" 'client_jobs -->|"steady 10, peak 10"| db_main' "markdown: the picture is the head's"
contains "$out" "| peak | 40 | **130** |" "markdown: the before → after table"
contains "$out" "### New findings" "markdown: new findings"
expect_rc 1 "diff --format json" "$CB" diff --base HEAD~1 --format json infra/connbudget.yaml
if $PY - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"]["name"] == "connbudget"
assert len(d["base"]["rev"]) == 40
db = d["databases"][0]
assert db["id"] == "main" and db["before"]["demand"]["peak"] == 40 and db["after"]["demand"]["peak"] == 130
jobs = [c for c in d["clients"] if c["id"] == "jobs"][0]
assert jobs["before"] is None and jobs["after"]["peak"] == 10
assert [f["rule"] for f in d["findings"]["new"]] == ["CB001"]
assert d["findings"]["resolved"] == [] and d["findings"]["unchanged"] == 0
assert d["summary"]["passed"] is False
PY
then ok; else bad "diff json: shape or figures"; fi
expect_rc 1 "diff --format github" "$CB" diff --base HEAD~1 --format github infra/connbudget.yaml
contains "$out" "::error file=infra/connbudget.yaml,line=" "github: an annotation for the new finding"
[ "$(printf '%s\n' "$out" | grep -c '^::')" = 1 ] && ok || bad "github: one annotation, for the new finding only"
expect_rc 0 "diff HEAD --format github: nothing new" "$CB" diff --base HEAD --format github infra/connbudget.yaml
[ -z "$out" ] && ok || bad "github: an annotation for an old finding"
expect_rc 2 "diff --format sarif" "$CB" diff --format sarif infra/connbudget.yaml
contains "$err" "diff writes --format text, json, markdown or github" "diff sarif: the message"
expect_rc 1 "diff -o FILE" "$CB" diff --base HEAD~1 --format markdown -o "$TMP/comment.md" infra/connbudget.yaml
[ "$(head -1 "$TMP/comment.md")" = "<!-- connbudget diff -->" ] && ok || bad "diff -o: the comment"

#--- GITHUB_STEP_SUMMARY: the markdown comment beside the annotations --------
GITHUB_STEP_SUMMARY=$TMP/summary.md "$CB" diff --base HEAD~1 --format github infra/connbudget.yaml >/dev/null
[ "$(head -1 "$TMP/summary.md" 2>/dev/null)" = "<!-- connbudget diff -->" ] && ok || bad "diff: no markdown in GITHUB_STEP_SUMMARY"
GITHUB_STEP_SUMMARY=$TMP/summary2.md "$CB" diff --base HEAD~1 infra/connbudget.yaml >/dev/null
[ ! -e "$TMP/summary2.md" ] && ok || bad "diff --format text wrote GITHUB_STEP_SUMMARY"
GITHUB_STEP_SUMMARY=$TMP/summary3.md "$CB" check --format github infra/connbudget.yaml >/dev/null
grep -q "| api |" "$TMP/summary3.md" 2>/dev/null && ok || bad "check --format github: no table in GITHUB_STEP_SUMMARY"

#--- check --format github: at most 10 annotations per severity ---------------
{ printf 'version: 1\ndatabases:\n  main:\n    max_connections: 1000\n    settings:\n      idle_in_transaction_session_timeout: 10min\nclients:\n'
  for i in $(seq 1 12); do printf '  c%d:\n    type: service\n    connects_to: main\n    pool: { size: 5 }\n' "$i"; done; } >"$TMP/many.yaml"
run "$CB" check --format github "$TMP/many.yaml"
[ "$(printf '%s\n' "$out" | grep -c '^::warning ')" = 10 ] && ok || bad "github: not 10 warnings of 12"
contains "$out" "::notice title=connbudget::2 more findings not annotated" "github: the count left out"
# diff --format github too: 12 new warnings, 10 annotated
run "$CB" diff --baseline "$TMP/base.json" --format github "$TMP/many.yaml"
[ "$(printf '%s\n' "$out" | grep -c '^::warning ')" = 10 ] && ok || bad "diff github: not 10 new warnings of 12"
contains "$out" "::notice title=connbudget::2 more new findings not annotated" "diff github: the count left out"

#--- --baseline ---------------------------------------------------------------
expect_rc 1 "diff --baseline" "$CB" diff --baseline "$TMP/base.json" infra/connbudget.yaml
contains "$out" "peak 40 → 130" "diff --baseline: before → after"
contains "$out" "[CB001 over-capacity]" "diff --baseline: CB001 new"
echo '{}' >"$TMP/bad.json"
expect_rc 2 "diff --baseline of a non-report" "$CB" diff --baseline "$TMP/bad.json" infra/connbudget.yaml
contains "$err" "is not a \`connbudget check --format json\` report" "diff --baseline: the message"
expect_rc 2 "diff --baseline of a missing file" "$CB" diff --baseline "$TMP/none.json" infra/connbudget.yaml
expect_rc 2 "diff --base with --baseline" "$CB" diff --base HEAD --baseline "$TMP/base.json" infra/connbudget.yaml

#--- sources: the pull request edits only a manifest ----------------------------
# testdata/sources/shop with web's replicas 3 -> 1 in commit 1 (the topology
# binds web with from: and gives no replicas), then the manifest's 3: web is
# steady 1 x 4 x 5 = 20, then 3 x 4 x 5 = 60; the peak follows the HPA (10 +
# 1) x 4 x 5 = 220 in both. The topology file itself never changes.
SRC=$TMP/srcrepo
mkdir -p "$SRC" && cp -r "$ROOT/testdata/sources/shop/." "$SRC/" && rm -f "$SRC/init.yaml"
cd "$SRC" || exit 2
sed -i 's/^    replicas: 2$//' connbudget.yaml
sed -i 's/^  replicas: 3/  replicas: 1/' k8s/web.yaml
git init -q -b master && git add -A && git commit -qm one
sed -i 's/^  replicas: 1/  replicas: 3/' k8s/web.yaml
git commit -qam "web: 3 replicas"
expect_rc 0 "diff of a manifest-only change" "$CB" diff --base HEAD~1 --fail-on never connbudget.yaml
contains "$out" "steady 30 → 70" "diff: the database's steady demand follows the manifest (20 + 10 → 60 + 10)"
contains "$out" "client web" "diff: web changed"
contains "$out" "steady 20 → 60" "diff: web's steady 1 x 4 x 5 → 3 x 4 x 5"
git diff --quiet HEAD~1 -- connbudget.yaml && ok || bad "diff of sources: the topology was edited"
# a new worker's manifest, with a url naming the database and DB_POOL 8:
# discovered, 1 x 8 = 8 steady, (1 + 25% of 1, rounded up) x 8 = 16 at peak
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: billing, namespace: shop }\nspec:\n  template:\n    spec:\n      containers:\n        - name: billing\n          env:\n            - { name: DATABASE_URL, value: "postgres://db.internal:5432/shop" }\n            - { name: DB_POOL, value: "8" }\n' >k8s/billing.yaml
git add k8s/billing.yaml && git commit -qm "billing worker"
expect_rc 0 "diff of a new manifest" "$CB" diff --base HEAD~1 --fail-on never connbudget.yaml
contains "$out" "client billing (added)" "diff: a new workload enters the budget with no topology edit"
contains "$out" "steady 70 → 78" "diff: its demand is counted"
cd "$ROOT" || exit 2

#--- errors -------------------------------------------------------------------
expect_rc 2 "diff --base of an unknown revision" "$CB" diff --base no-such-rev infra/connbudget.yaml
contains "$err" "unknown revision \"no-such-rev\"" "diff unknown revision: the message"
expect_rc 2 "diff --base of an option-like revision" "$CB" diff --base=--all infra/connbudget.yaml
mkdir -p "$TMP/norepo"
cp "$ROOT/testdata/diff/two.yaml" "$TMP/norepo/connbudget.yaml"
cd "$TMP/norepo" || exit 2
export GIT_CEILING_DIRECTORIES=$TMP
expect_rc 2 "diff outside a repository" "$CB" diff connbudget.yaml
contains "$err" "not a git repository" "diff outside a repository: the message"
expect_rc 1 "diff --baseline outside a repository" "$CB" diff --baseline "$TMP/base.json" connbudget.yaml
[ -z "$(ls "$TMPDIR")" ] && ok || bad "diff: a temporary directory was left behind"

finish
