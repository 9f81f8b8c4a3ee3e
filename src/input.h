/*
 * input.h - the one gate every input file goes through: the topology and
 * its includes (load.c), and the files config: names (src/config/).
 *
 * Between input_begin and input_end (one run: load_file, load_buffer), a
 * file is read at most once: the gate keeps each regular file's bytes,
 * by device and inode, and hands them out again. The run has budgets
 * (docs/security.md "Limits"): distinct files, file uses (a cached file's again
 * included), bytes of all uses together, and directory entries looked at
 * by glob patterns and include_dir. A file is opened with O_NONBLOCK and checked with
 * fstat before a byte is read: only regular files are read; a FIFO, tty,
 * device or socket is refused, so nothing blocks.
 *
 * Every function returns 0, or -1 with the reason (no position: the caller
 * knows where the file was named) in input_why(); input_missing() tells a
 * file that does not exist.
 */
#ifndef CONNBUDGET_INPUT_H
#define CONNBUDGET_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum {
	INPUT_MAX_FILES = 2000,                 /* distinct files read in one run */
	INPUT_MAX_READS = 10000,                /* file uses in one run, again-included ones too */
	INPUT_MAX_BYTES = 64 * 1024 * 1024,     /* bytes of all uses in one run */
	INPUT_MAX_DIR_ENTRIES = 100000,         /* directory entries globs and include_dir look at */
};

/* Start a run: empty cache, fresh budgets. */
void input_begin(void);
/* End the run: free the cache. Outside a run the gate caches nothing. */
void input_end(void);

/*
 * Open path for reading (O_NONBLOCK, then blocking again) after fstat says
 * it is a regular file within the byte limits; charges one use and its
 * size. *again is true when this file (device and inode) was handed out
 * before in this run. The caller closes *fd.
 */
int input_open(const char *path, int *fd, bool *again);

/*
 * The whole of path, read once per run: *data (NUL-terminated, *len bytes)
 * belongs to the gate until input_end, or, outside a run, to the caller
 * (free it). Charges one use and its bytes, every time.
 */
int input_read(const char *path, const char **data, size_t *len, bool *owned);

/*
 * Expand a glob(3) pattern (backslash escapes a metacharacter) one path
 * component at a time: opendir and fnmatch per component, a leading '.'
 * matched only explicitly, directories entered through a symbolic link
 * that leads back into one being expanded skipped. Stops with an error
 * once max matches would be exceeded or the run's directory entry budget
 * is spent. *paths (sorted, no match: *n == 0) is freed with
 * input_glob_free.
 */
int input_glob(const char *pattern, size_t max, char ***paths, size_t *n);
void input_glob_free(char **paths, size_t n);

/*
 * Charge one directory entry read by a caller that lists a directory
 * itself (include_dir) against the run's INPUT_MAX_DIR_ENTRIES: -1 once
 * the budget is spent.
 */
int input_dir_entry(void);

/*
 * What a file that is not regular is, for a refusal: "a directory", "a
 * symbolic link" (from lstat), "a FIFO (named pipe)", "a socket", "a block
 * device", "a terminal" (fd, when >= 0, is one) or "a character device".
 */
const char *input_kind(mode_t m, int fd);

/* Why the last call failed (lives until the next call). */
const char *input_why(void);
/* Whether the last failure was a file that does not exist. */
bool input_missing(void);

#endif
