#!/usr/bin/python3
"""Check the repository's Markdown: every relative link names a file that
exists, every #anchor a heading of the page it points at (GitHub's slugs),
and no file refers to a document outside the repository.

    doclinks.py            exit 0 when all hold, 1 with one line per problem
"""

import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    h = heading.strip().lower()
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def headings(path):
    out, fence = set(), False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"^#+ ", line):
            out.add(slug(re.sub(r"^#+ ", "", line)))
    return out


def tracked():
    r = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [p for p in r.stdout.decode().split("\0") if p]


def main():
    problems = []
    files = tracked()
    # Built so that this file does not match itself.
    outside = re.compile("|".join(["\\.\\./" + "shared", "SPEC" + "\\.md", "SPEC" + " §"]))
    for p in files:
        full = os.path.join(REPO, p)
        if not os.path.isfile(full):
            continue
        try:
            text = open(full, encoding="utf-8").read()
        except UnicodeDecodeError:
            continue
        for n, line in enumerate(text.split("\n"), 1):
            if outside.search(line):
                problems.append("%s:%d: refers to a document outside the repository" % (p, n))
        if not p.endswith(".md"):
            continue
        fence = False
        for n, line in enumerate(text.split("\n"), 1):
            if line.startswith("```"):
                fence = not fence
            if fence:
                continue
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(full), path)) if path else full
                if not os.path.exists(dest):
                    problems.append("%s:%d: link to missing %s" % (p, n, path))
                elif anchor and dest.endswith(".md") and anchor not in headings(dest):
                    problems.append("%s:%d: no heading #%s in %s" % (p, n, anchor, os.path.relpath(dest, REPO)))
    for pr in problems:
        print(pr, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
