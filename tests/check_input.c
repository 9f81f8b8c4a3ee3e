/* check_input.c - the reading gate: read once, refusals, globs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "model.h"
#include "util.h"

static char *put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(test_read_once)
{
	char dir[] = "/tmp/check_input_XXXXXX";
	const char *a, *b;
	size_t la, lb;
	bool owned;
	char *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = put(dir, "a.conf", "x = 1\n");
	input_begin();
	ck_assert_int_eq(input_read(path, &a, &la, &owned), 0);
	ck_assert(!owned);
	/* changed on disk: the run still sees the bytes it read first */
	free(put(dir, "a.conf", "x = 22\n"));
	ck_assert_int_eq(input_read(path, &b, &lb, &owned), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(lb, 6);
	input_end();
	/* outside a run: read afresh, the caller's */
	ck_assert_int_eq(input_read(path, &a, &la, &owned), 0);
	ck_assert(owned);
	ck_assert_str_eq(a, "x = 22\n");
	free((char *)a);
	unlink(path);
	free(path);

	ck_assert_int_ne(input_read("/nonexistent/x.conf", &a, &la, &owned), 0);
	ck_assert(input_missing());
	ck_assert_int_ne(input_read("/dev/null", &a, &la, &owned), 0);
	ck_assert_str_eq(input_why(), "a character device, not a regular file");
	ck_assert(!input_missing());
	rmdir(dir);
}
END_TEST

START_TEST(test_fifo_refused)
{
	char dir[] = "/tmp/check_input_XXXXXX";
	char *path;
	bool again;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_ne(input_open(path, &fd, &again), 0);
	ck_assert_str_eq(input_why(), "a FIFO (named pipe), not a regular file");
	unlink(path);
	free(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_glob)
{
	char dir[] = "/tmp/check_input_XXXXXX";
	char **v, *pat, *link;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	free(put(dir, "b.yaml", ""));
	free(put(dir, "a.yaml", ""));
	free(put(dir, ".hidden.yaml", ""));
	free(put(dir, "c.txt", ""));
	link = xasprintf("%s/loop", dir);
	ck_assert_int_eq(symlink(".", link), 0);
	pat = xasprintf("%s/*.yaml", dir);
	ck_assert_int_eq(input_glob(pat, 10, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(strstr(v[0], "/a.yaml") && strstr(v[1], "/b.yaml"));
	input_glob_free(v, n);
	free(pat);
	/* the link back to the directory is not followed */
	pat = xasprintf("%s/*/*/*.yaml", dir);
	ck_assert_int_eq(input_glob(pat, 10, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	input_glob_free(v, n);
	free(pat);
	/* a literal component, then the limit */
	pat = xasprintf("%s/loop/*.yaml", dir);
	ck_assert_int_eq(input_glob(pat, 1, &v, &n), -1);
	ck_assert_str_eq(input_why(), "the pattern matches more than 1 files");
	free(pat);
	pat = xasprintf("%s/nomatch/*.yaml", dir);
	ck_assert_int_eq(input_glob(pat, 10, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	input_glob_free(v, n);
	free(pat);
	unlink(link);
	free(link);
	pat = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(pat), 0);
	free(pat);
}
END_TEST

/*
 * The process-wide table of file names, filled: every position keeps a
 * name, and the gate refuses the file. The table stays full for the rest
 * of the process, so this needs Check's fork mode (the default).
 */
START_TEST(test_file_table_full)
{
	const char *d;
	size_t i, len;
	bool owned;
	char *name;

	if (getenv("CK_FORK") && strcmp(getenv("CK_FORK"), "no") == 0)
		return;
	for (i = 0; i < POS_MAX_FILES + 10; i++) {
		name = xasprintf("/check-input/f%zu.yaml", i);
		ck_assert_ptr_nonnull(pos_file(pos_make(name, 1, 1)));
		free(name);
	}
	ck_assert_uint_eq(pos_file_id("/check-input/another.yaml"), POS_FILE_FULL);
	ck_assert_str_eq(pos_file(pos_make("/check-input/another.yaml", 1, 1)),
			 "(more file names than the position table holds)");
	/* a name seen before keeps its own */
	ck_assert_str_eq(pos_file(pos_make("/check-input/f7.yaml", 1, 1)), "/check-input/f7.yaml");
	ck_assert_int_ne(input_read("/etc/hostname-not-seen-before", &d, &len, &owned), 0);
	ck_assert_str_eq(input_why(), "more than 16382 file names in one process");
}
END_TEST

Suite *input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("gate");

	tcase_add_test(tc, test_read_once);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_glob);
	tcase_add_test(tc, test_file_table_full);
	suite_add_tcase(s, tc);
	return s;
}
