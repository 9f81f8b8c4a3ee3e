#!/bin/sh
# seed.sh - build the fuzzers' seed corpus from every *.yaml under testdata/.
#
#   fuzz/seed.sh [DIR]     (default build/fuzz/seed)
#
# Each file is copied flat, its path folded into its name
# (testdata/invalid/alias-bomb.yaml → testdata_invalid_alias-bomb.yaml), so a
# crash found from a seed still points back at its source. Files larger than
# the fuzzers' -max_len (64 KiB) are skipped: libFuzzer would cut them anyway.
# The directory is rebuilt from scratch, so removed testdata leaves no seed.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build/fuzz/seed}
max=65536
rm -rf "$out"
mkdir -p "$out"
n=0
skipped=0
for f in $(find testdata -type f -name '*.yaml' | LC_ALL=C sort); do
	if [ "$(wc -c <"$f")" -gt "$max" ]; then
		skipped=$((skipped + 1))
		continue
	fi
	cp "$f" "$out/$(printf '%s' "$f" | tr '/' '_')"
	n=$((n + 1))
done
# A minimal valid topology, so the corpus is never empty on a fresh clone.
printf 'version: 1\ndatabases:\n  main:\n    max_connections: 100\n' >"$out/minimal.yaml"
n=$((n + 1))
echo "fuzz seed corpus: $n files in $out ($skipped larger than $max bytes skipped)"
