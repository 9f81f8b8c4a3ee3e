/*
 * scan.c - the benchmark's baseline: libyaml's bare event scan.
 *
 *   build/bench/scan FILE
 *
 * Reads FILE into memory (as connbudget's loader does, for its size limit)
 * and runs yaml_parser_parse over every event, deleting each at once, and
 * nothing else: no tree, no model, no output but the event count. This is
 * the floor any libyaml-based loader of the same file stands on; `make
 * bench` holds connbudget's time and memory against it.
 *
 * Exit status: 0 after the whole stream, 1 on a YAML error (printed as
 * file:line:col), 2 on bad usage or an unreadable file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/*
 * Read all of path into a malloc'd buffer; *len gets its size. Returns the
 * buffer (the caller frees it), or NULL with a message printed.
 */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f) {
		fprintf(stderr, "scan: cannot open '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			p = realloc(buf, cap);
			if (!p) {
				fprintf(stderr, "scan: out of memory reading '%s'\n", path);
				free(buf);
				buf = NULL;
				goto out;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "scan: cannot read '%s': %s\n", path, strerror(errno));
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = n;
out:
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	yaml_parser_t parser;
	yaml_event_t event;
	unsigned char *buf;
	size_t len = 0;
	unsigned long events = 0;
	int rc = 2, done = 0;

	if (argc != 2) {
		fputs("usage: scan FILE\n", stderr);
		return 2;
	}
	buf = read_file(argv[1], &len);
	if (!buf)
		return 2;
	if (!yaml_parser_initialize(&parser)) {
		fputs("scan: cannot initialize the YAML parser\n", stderr);
		free(buf);
		return 2;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "%s:%lu:%lu: error: %s\n", argv[1],
				(unsigned long)parser.problem_mark.line + 1,
				(unsigned long)parser.problem_mark.column + 1,
				parser.problem ? parser.problem : "YAML error");
			rc = 1;
			goto out;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		events++;
		yaml_event_delete(&event);
	}
	printf("%lu events\n", events);
	rc = 0;
out:
	yaml_parser_delete(&parser);
	free(buf);
	return rc;
}
