#!/bin/sh
# catalog_gen.sh FILE.tsv - print catalog/FILE.tsv as C: one
# CATALOG_ROW(provider, name, max_connections, reserved, memory_gb,
# class_memory, source, verified, note) per row, for src/catalog.c and
# src/rds.c to include. Fails (exit 1) on a row without a source or a
# verified date, a wrong column count, a quote or backslash, or rows out of
# strcmp order: the tables are searched with bsearch.
set -eu
file=$1
provider=$(basename "$file" .tsv)
LC_ALL=C awk -F '\t' -v p="$provider" -v f="$file" '
function die(msg) { printf "%s:%d: %s\n", f, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
NR == 1 {
	if ($0 != "name\tmax_connections\treserved\tmemory_gb\tclass_memory\tsource\tverified\tnote")
		die("header must be name, max_connections, reserved, memory_gb, class_memory, source, verified, note")
	next
}
{
	if (NF != 8) die("expected 8 tab-separated columns, found " NF)
	if ($0 ~ /["\\]/) die("quotes and backslashes are not allowed")
	if ($1 == "") die("empty name")
	if ($2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ || $5 !~ /^[0-9]+$/) die("max_connections, reserved and class_memory are whole numbers")
	if ($4 !~ /^[0-9]+(\.[0-9]+)?$/) die("memory_gb is a number")
	if ($6 !~ /^https:\/\//) die("row " $1 " has no source (an https:// vendor page)")
	if ($7 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) die("row " $1 " has no verified date (YYYY-MM-DD)")
	if (NR > 2 && !((prev "") < ($1 ""))) die("rows out of order at " $1)
	prev = $1 ""
	printf "CATALOG_ROW(\"%s\", \"%s\", %s, %s, %s, UINT64_C(%s), \"%s\", \"%s\", \"%s\")\n", p, $1, $2, $3, $4, $5, $6, $7, $8
}
END { if (!bad && NR < 2) { printf "%s: no rows\n", f > "/dev/stderr"; exit 1 } }
' "$file"
