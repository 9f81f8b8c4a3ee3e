#!/usr/bin/env python3
"""json_subset.py ACTUAL EXPECTED: every key/value in EXPECTED appears in ACTUAL.

Golden JSON reports are compared structurally: objects match key by key
(extra keys in ACTUAL are fine), lists element by element (same length),
numbers by value.
"""
import json
import sys


def diff(actual, expected, path="$"):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out = []
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{path}.{k}: missing")
            else:
                out += diff(actual[k], v, f"{path}.{k}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected a list of {len(expected)}, got {actual!r}"]
        out = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            out += diff(a, e, f"{path}[{i}]")
        return out
    if isinstance(expected, float) or isinstance(actual, float):
        ok = isinstance(actual, (int, float)) and abs(actual - expected) < 1e-9
    else:
        ok = actual == expected and type(actual) is type(expected)
    return [] if ok else [f"{path}: got {actual!r}, want {expected!r}"]


def main():
    with open(sys.argv[1]) as f:
        actual = json.load(f)
    with open(sys.argv[2]) as f:
        expected = json.load(f)
    problems = diff(actual, expected)
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
