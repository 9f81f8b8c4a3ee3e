#!/usr/bin/python3
"""A stand-in for the GitHub CLI (`gh api`) and for `curl` against GitLab's
notes API, for tests/ci_recipes.sh. It keeps the pull request's comments in
$STUB_STATE/comments.json and logs every call to $STUB_STATE/calls, one line
each ("GET", "POST", "PATCH 1"), so the test sees what a recipe did. It
implements only the calls contrib/ci/pr-comment.sh makes."""

import json
import os
import sys

STATE = os.environ["STUB_STATE"]
DB = os.path.join(STATE, "comments.json")
MARKER = "<!-- connbudget diff -->"


def load():
    return json.load(open(DB)) if os.path.exists(DB) else []


def save(comments):
    json.dump(comments, open(DB, "w"))


def log(line):
    with open(os.path.join(STATE, "calls"), "a") as f:
        f.write(line + "\n")


def body_of(arg):
    # gh: body=@FILE; curl: body@FILE
    return open(arg.split("@", 1)[1]).read()


def main():
    tool, args = os.path.basename(sys.argv[0]), sys.argv[1:]
    comments = load()
    method, body, url = "GET", None, None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-X":
            method = args[i + 1]
            i += 1
        elif a in ("-F", "--data-urlencode"):
            body = body_of(args[i + 1])
            i += 1
        elif a in ("-H", "--jq"):
            i += 1
        elif not a.startswith("-") and a != "api":
            url = a
        i += 1
    if method == "GET":
        log("GET")
        if tool == "gh":   # the recipe's --jq filter: the first id whose body starts with the marker
            ids = [c["id"] for c in comments if c["body"].startswith(MARKER)]
            print(ids[0] if ids else "")
        else:
            print(json.dumps(comments))
        return 0
    if method == "POST":
        comments.append({"id": len(comments) + 1, "body": body})
        log("POST")
    elif method in ("PATCH", "PUT"):
        cid = int(url.rstrip("/").split("/")[-1])
        for c in comments:
            if c["id"] == cid:
                c["body"] = body
        log("%s %d" % (method, cid))
    save(comments)
    print("{}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
