#!/usr/bin/env bash
# pr-comment.sh BODY.md: post BODY.md as the pull request's connbudget
# comment, or edit the one already there. The comment is found by its
# first line, the marker `<!-- connbudget diff -->` that
# `connbudget diff --format markdown` writes, so a pull request keeps one
# comment however often the job runs.
#
#   GitHub Actions (gh is on the runner):   GH_TOKEN, GITHUB_REPOSITORY, PR_NUMBER
#   GitLab CI (curl):                       GITLAB_TOKEN, CI_API_V4_URL,
#                                           CI_PROJECT_ID, CI_MERGE_REQUEST_IID
#
# The platform is GitLab when CI_MERGE_REQUEST_IID is set, else GitHub.
# Exit status: 0 posted or edited, 2 on bad usage; otherwise gh's or curl's.
set -euo pipefail
MARKER='<!-- connbudget diff -->'
body=${1:?usage: pr-comment.sh BODY.md}
[ -r "$body" ] || { echo "pr-comment.sh: cannot read $body" >&2; exit 2; }
[ "$(head -n 1 "$body")" = "$MARKER" ] ||
	{ echo "pr-comment.sh: $body does not start with $MARKER (connbudget diff --format markdown)" >&2; exit 2; }

if [ -n "${CI_MERGE_REQUEST_IID:-}" ]; then
	api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
	auth="PRIVATE-TOKEN: ${GITLAB_TOKEN:?GITLAB_TOKEN is needed to post the note}"
	# the first note whose body starts with the marker
	id=$(curl -fsS -H "$auth" "$api?per_page=100" |
		/usr/bin/python3 -c 'import json, sys
m = sys.argv[1]
ids = [n["id"] for n in json.load(sys.stdin) if n.get("body", "").startswith(m)]
print(ids[0] if ids else "")' "$MARKER")
	if [ -n "$id" ]; then
		curl -fsS -X PUT -H "$auth" --data-urlencode "body@$body" "$api/$id" >/dev/null
		echo "pr-comment.sh: edited note $id"
	else
		curl -fsS -X POST -H "$auth" --data-urlencode "body@$body" "$api" >/dev/null
		echo "pr-comment.sh: posted a note"
	fi
else
	repo=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is needed}
	pr=${PR_NUMBER:?PR_NUMBER is needed (github.event.pull_request.number)}
	id=$(gh api "repos/$repo/issues/$pr/comments" --paginate \
		--jq "map(select(.body | startswith(\"$MARKER\"))) | .[0].id // empty")
	if [ -n "$id" ]; then
		gh api -X PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" >/dev/null
		echo "pr-comment.sh: edited comment $id"
	else
		gh api -X POST "repos/$repo/issues/$pr/comments" -F "body=@$body" >/dev/null
		echo "pr-comment.sh: posted a comment"
	fi
fi
