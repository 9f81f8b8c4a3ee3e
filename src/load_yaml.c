/* load_yaml.c - see load_yaml.h. */
#include "load_yaml.h"

#include "conninfo.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"

enum {
	QUOTE_MAX = 60,           /* bytes of a value shown in a message */
	/* room for the history: it fills up to here before its front is dropped
	 * (down to the last YR_HIST bytes), so each byte read is moved about
	 * once rather than once per read */
	HIST_CAP = 2 * YR_HIST,
};

static const char CORE_TAG[] = "tag:yaml.org,2002:";

/*
 * Advance a position over n bytes of UTF-8: a line feed starts a new line,
 * every byte that is not a continuation byte is one column.
 */
static void advance(uint32_t *line, uint32_t *col, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		(*line)++;
		*col = 0;
		p = nl + 1;
	}
	for (; p < end; p++)
		if ((*p & 0xC0) != 0x80)
			(*col)++;
}

/* Skip a UTF-8 byte order mark at offset 0: libyaml drops it before counting columns. */
static size_t bom_len(const unsigned char *p, size_t n, uint64_t off)
{
	if (off == 0 && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 3;
	return 0;
}

/*
 * Keep (at least) the last YR_HIST bytes handed to libyaml, and the position
 * of the first byte kept. The buffer holds HIST_CAP bytes; when the next
 * read does not fit, the front is dropped so that YR_HIST bytes remain.
 */
static void hist_add(struct yr *r, const unsigned char *p, size_t n)
{
	size_t drop, skip;

	if (r->hist_len + n > HIST_CAP) {
		drop = r->hist_len + n - YR_HIST;
		if (drop > r->hist_len) {
			/* everything kept goes, and the front of p too */
			skip = bom_len(r->hist, r->hist_len, r->hist_off);
			advance(&r->hist_line, &r->hist_col, r->hist + skip, r->hist_len - skip);
			r->hist_off += r->hist_len;
			drop -= r->hist_len;
			skip = bom_len(p, drop, r->hist_off);
			advance(&r->hist_line, &r->hist_col, p + skip, drop - skip);
			r->hist_off += drop;
			p += drop;
			n -= drop;
			r->hist_len = 0;
		} else {
			skip = bom_len(r->hist, drop, r->hist_off);
			advance(&r->hist_line, &r->hist_col, r->hist + skip, drop - skip);
			r->hist_off += drop;
			memmove(r->hist, r->hist + drop, r->hist_len - drop);
			r->hist_len -= drop;
		}
	}
	memcpy(r->hist + r->hist_len, p, n);
	r->hist_len += n;
}

/*
 * libyaml's read handler: read at most LOAD_MAX_FILE_BYTES + 1 bytes in all,
 * so /dev/zero or an endless pipe stops at the limit. Returns 0 (a libyaml
 * "input error") when the input is too large or read(2) fails.
 */
static int read_handler(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	struct yr *r = data;
	uint64_t room = (uint64_t)LOAD_MAX_FILE_BYTES + 1 - r->total;
	ssize_t n;

	*size_read = 0;
	if (size > room)
		size = (size_t)room;
	do
		n = read(r->fd, buffer, size);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->read_errno = errno;
		return 0;
	}
	r->total += (uint64_t)n;
	if (r->total > LOAD_MAX_FILE_BYTES) {
		r->too_large = true;
		return 0;
	}
	if (r->hist)
		hist_add(r, buffer, (size_t)n);
	*size_read = (size_t)n;
	return 1;
}

static void yr_init(struct yr *r, struct ld *ld, const char *file)
{
	memset(r, 0, sizeof(*r));
	r->ld = ld;
	r->file = file;
	r->file_id = pos_file_id(file);
	r->fd = -1;
	if (!yaml_parser_initialize(&r->parser)) {
		fputs("connbudget: out of memory\n", stderr);
		exit(2);
	}
}

void yr_init_fd(struct yr *r, struct ld *ld, const char *file, int fd)
{
	struct stat st;
	off_t at;

	yr_init(r, ld, file);
	r->fd = fd;
	/*
	 * A regular file can be read again where an error needs its bytes; a
	 * pipe cannot, so the bytes handed to libyaml are kept (hist_add):
	 * copying every byte into the history costs a memcpy of the file and
	 * 128 KiB of fresh memory.
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (at = lseek(fd, 0, SEEK_CUR)) >= 0) {
		r->seekable = true;
		r->base = (uint64_t)at;
	} else {
		r->hist = xmalloc(HIST_CAP);
	}
	yaml_parser_set_input(&r->parser, read_handler, r);
}

void yr_init_buffer(struct yr *r, struct ld *ld, const char *file, const void *data, size_t len)
{
	yr_init(r, ld, file);
	r->buf = data;
	r->buflen = len;
	yaml_parser_set_input_string(&r->parser, data, len);
}

void yr_init_scalar(struct yr *r, struct ld *ld, const char *file, const char *value, bool quoted)
{
	memset(r, 0, sizeof(*r));
	r->ld = ld;
	r->file = file;
	r->file_id = pos_file_id(file);
	r->fd = -1;
	r->no_parser = true;
	r->ev.type = YAML_SCALAR_EVENT;
	r->ev.data.scalar.value = (yaml_char_t *)(uintptr_t)value;
	r->ev.data.scalar.length = strlen(value);
	r->ev.data.scalar.plain_implicit = !quoted;
	r->ev.data.scalar.quoted_implicit = quoted;
	r->ev.data.scalar.style = quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE;
}

void yr_release(struct yr *r)
{
	if (r->no_parser)
		return;
	if (r->have_ev)
		yaml_event_delete(&r->ev);
	r->have_ev = false;
	yaml_parser_delete(&r->parser);
	free(r->hist);
	r->hist = NULL;
}

/* Format path + what into ld->err at pos, unless an error is being handled. */
static int verror(struct yr *r, struct pos pos, bool with_path, const char *fmt, va_list ap)
{
	struct sbuf b = { 0 };
	char *what;
	size_t i;

	if (r->ld->err.what)
		return -1;
	what = mask_vasprintf(fmt, ap);
	if (r->set_label) {
		sbuf_printf(&b, "%s: %s", r->set_label, what);
	} else if (r->set_path) {
		sbuf_printf(&b, "--set %s: %s", r->set_path, what);
		free(what);
		return ld_error_msg(r->ld, sbuf_detach(&b));
	} else {
		if (with_path && r->npath) {
			for (i = 0; i < r->npath; i++)
				sbuf_printf(&b, "%s%s", i ? "." : "", r->path[i]);
			sbuf_puts(&b, ": ");
		}
		sbuf_puts(&b, what);
	}
	free(what);
	r->ld->err.file = pos_file(pos);
	r->ld->err.line = pos.line;
	r->ld->err.col = pos.col;
	r->ld->err.what = sbuf_detach(&b);
	return -1;
}

int yr_error(struct yr *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(r, yr_pos(r), true, fmt, ap);
	va_end(ap);
	return -1;
}

int yr_error_at(struct yr *r, struct pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(r, pos, true, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error without the dotted path (stream-level problems). */
static int yr_error_nopath(struct yr *r, struct pos pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int yr_error_nopath(struct yr *r, struct pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(r, pos, false, fmt, ap);
	va_end(ap);
	return -1;
}

int ld_error(struct ld *ld, struct pos pos, const char *fmt, ...)
{
	va_list ap;

	if (ld->err.what)
		return -1;
	va_start(ap, fmt);
	ld->err.what = mask_vasprintf(fmt, ap);
	va_end(ap);
	ld->err.file = pos_file(pos);
	ld->err.line = pos.line;
	ld->err.col = pos.col;
	return -1;
}

int ld_error_msg(struct ld *ld, char *msg)
{
	if (ld->err.what) {
		free(msg);
		return -1;
	}
	ld->err.file = NULL;
	ld->err.line = ld->err.col = 0;
	ld->err.what = msg;
	return -1;
}

void ld_clear(struct ld *ld)
{
	free(ld->err.what);
	memset(&ld->err, 0, sizeof(ld->err));
}

void ld_keep(struct ld *ld)
{
	if (!ld->err.what)
		return;
	if (!load_errors_add(&ld->errs, ld->err.file, ld->err.line, ld->err.col, ld->err.what))
		ld->stop = true;
	memset(&ld->err, 0, sizeof(ld->err));
}

char *ld_message(const struct ld *ld)
{
	return ld->err.what ? load_error_format(&ld->err) : NULL;
}

int yr_type_error(struct yr *r, const char *what)
{
	struct sbuf b = { 0 };

	yr_describe(&b, r);
	yr_error(r, "expected %s, got %s", what, b.s);
	sbuf_release(&b);
	return -1;
}

struct pos yr_pos(const struct yr *r)
{
	if (r->set_path)
		return r->set_pos;
	return pos_at(r->file_id, (uint64_t)r->ev.start_mark.line + 1,
		      (uint64_t)r->ev.start_mark.column + 1);
}

static struct pos mark_pos(const struct yr *r, yaml_mark_t m)
{
	return pos_at(r->file_id, (uint64_t)m.line + 1, (uint64_t)m.column + 1);
}

/* Advance over the file's first n bytes (of the input: from r->base), read again. */
static void file_advance(const struct yr *r, uint64_t n, uint32_t *line, uint32_t *col)
{
	unsigned char buf[16384];
	uint64_t at = 0;
	ssize_t got;
	size_t skip;

	while (at < n) {
		got = pread(r->fd, buf, n - at < sizeof(buf) ? (size_t)(n - at) : sizeof(buf),
			    (off_t)(r->base + at));
		if (got <= 0)
			return; /* the file changed under us: the position so far */
		skip = bom_len(buf, (size_t)got, at);
		advance(line, col, buf + skip, (size_t)got - skip);
		at += (uint64_t)got;
	}
}

/* The line and column of byte offset off of the input, for a reader error. */
static struct pos offset_pos(const struct yr *r, uint64_t off)
{
	uint32_t line = 0, col = 0;
	size_t skip;

	if (r->seekable) {
		file_advance(r, off, &line, &col);
	} else if (r->buf) {
		if (off > r->buflen)
			off = r->buflen;
		skip = bom_len(r->buf, (size_t)off, 0);
		advance(&line, &col, r->buf + skip, (size_t)off - skip);
	} else {
		line = r->hist_line;
		col = r->hist_col;
		if (off >= r->hist_off && off - r->hist_off <= r->hist_len) {
			size_t n = (size_t)(off - r->hist_off);
			skip = bom_len(r->hist, n, r->hist_off);
			advance(&line, &col, r->hist + skip, n - skip);
		}
	}
	return pos_at(r->file_id, (uint64_t)line + 1, (uint64_t)col + 1);
}

/* The input byte at offset off, when it is still at hand. */
static bool input_byte(const struct yr *r, uint64_t off, unsigned char *b)
{
	if (r->seekable)
		return pread(r->fd, b, 1, (off_t)(r->base + off)) == 1;
	if (r->buf) {
		if (off >= r->buflen)
			return false;
		*b = r->buf[off];
		return true;
	}
	if (off < r->hist_off || off - r->hist_off >= r->hist_len)
		return false;
	*b = r->hist[off - r->hist_off];
	return true;
}

/*
 * libyaml blames the byte after a cut-short sequence ("caf\xe9." blames the
 * '.'): point at the byte that started it, usually a Latin-1 letter.
 */
static int utf8_error(struct yr *r, uint64_t off)
{
	unsigned char b = 0;
	uint64_t start = off;
	int k;

	for (k = 1; k <= 3 && start > 0; k++) {
		if (!input_byte(r, off - (uint64_t)k, &b))
			break;
		if ((b & 0xC0) == 0xC0) {
			start = off - (uint64_t)k;
			break;
		}
	}
	if (start == off)
		input_byte(r, off, &b);
	return yr_error_nopath(r, offset_pos(r, start),
			       "invalid UTF-8: byte 0x%02X starts a sequence that is cut short", (unsigned)b);
}

/* Turn the parser's error into a positioned message; returns -1. */
static int parse_error(struct yr *r)
{
	yaml_parser_t *p = &r->parser;
	struct pos start = pos_at(r->file_id, 1, 1);
	const char *hint = "";

	if (r->too_large)
		return yr_error_nopath(r, start, "input is larger than the limit of %d bytes (16 MiB)",
				       LOAD_MAX_FILE_BYTES);
	if (r->read_errno)
		return yr_error_nopath(r, start, "cannot read: %s", strerror(r->read_errno));
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fputs("connbudget: out of memory\n", stderr);
		exit(2);
	case YAML_READER_ERROR:
		if (strstr(p->problem, "trailing UTF-8 octet"))
			return utf8_error(r, p->problem_offset);
		if (p->problem_value >= 0 && strstr(p->problem, "octet"))
			return yr_error_nopath(r, offset_pos(r, p->problem_offset),
					       "invalid UTF-8: byte 0x%02X cannot start a character",
					       (unsigned)p->problem_value & 0xFF);
		if (strstr(p->problem, "UTF-8") || strstr(p->problem, "Unicode"))
			return yr_error_nopath(r, offset_pos(r, p->problem_offset), "invalid UTF-8: %s",
					       p->problem);
		if (p->problem_value >= 0 && p->problem_value < 0x80)
			return yr_error_nopath(r, offset_pos(r, p->problem_offset),
					       "%s (byte 0x%02X)", p->problem, (unsigned)p->problem_value);
		if (p->problem_value >= 0)
			return yr_error_nopath(r, offset_pos(r, p->problem_offset),
					       "%s (U+%04X)", p->problem, (unsigned)p->problem_value);
		return yr_error_nopath(r, offset_pos(r, p->problem_offset), "%s", p->problem);
	default:
		break;
	}
	/* a scanner or parser error: the scanner stops on the offending character */
	if (p->buffer.pointer && p->buffer.pointer < p->buffer.last && *p->buffer.pointer == '\t')
		hint = "; tabs cannot be used for indentation";
	else if (p->problem && strstr(p->problem, "tab"))
		hint = "; tabs cannot be used for indentation";
	if (p->context)
		return yr_error_nopath(r, mark_pos(r, p->problem_mark), "%s (%s at line %zu, column %zu)%s",
				       p->problem ? p->problem : "syntax error", p->context,
				       p->context_mark.line + 1, p->context_mark.column + 1, hint);
	return yr_error_nopath(r, mark_pos(r, p->problem_mark), "%s%s",
			       p->problem ? p->problem : "syntax error", hint);
}

/* Only the core tags that do not change a value are accepted. */
static int check_tag(struct yr *r, const yaml_char_t *tag, const char *allowed)
{
	const char *t = (const char *)tag;

	if (!t || r->tags)
		return 0;
	if (strncmp(t, CORE_TAG, sizeof(CORE_TAG) - 1) == 0 &&
	    strcmp(t + sizeof(CORE_TAG) - 1, allowed) == 0)
		return 0;
	if (strncmp(t, CORE_TAG, sizeof(CORE_TAG) - 1) == 0) {
		struct sbuf b = { 0 };
		sbuf_puts(&b, "!!");
		sbuf_puts(&b, t + sizeof(CORE_TAG) - 1);
		yr_error(r, "unsupported tag %s (only !!str, !!map and !!seq are accepted)", b.s);
		sbuf_release(&b);
		return -1;
	}
	{
		struct sbuf b = { 0 };
		yr_quote(r, &b, t, strlen(t));
		yr_error(r, "unsupported tag %s (only !!str, !!map and !!seq are accepted)", b.s);
		sbuf_release(&b);
	}
	return -1;
}

static int count_node(struct yr *r)
{
	if (++r->ld->nodes > LOAD_MAX_NODES)
		return yr_error_nopath(r, yr_pos(r), "more than %d YAML nodes in all", LOAD_MAX_NODES);
	return 0;
}

/* The checks on one event that do not depend on where it is; 0 or -1. */
static int check_event(struct yr *r)
{
	switch (r->ev.type) {
	case YAML_STREAM_START_EVENT:
		if (r->ev.data.stream_start.encoding != YAML_UTF8_ENCODING)
			return yr_error_nopath(r, yr_pos(r), "input is UTF-16; connbudget reads UTF-8");
		return 0;
	case YAML_STREAM_END_EVENT:
	case YAML_NO_EVENT: /* libyaml's answer after the end */
		r->ended = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (++r->ndocs > 1 && !r->multi_doc)
			return yr_error_nopath(r, yr_pos(r), "a second YAML document is not allowed "
					       "(a topology is one document)");
		return 0;
	case YAML_ALIAS_EVENT:
		if (r->aliases)
			return count_node(r);
		return r->set_path ? yr_error(r, "aliases are not supported")
				   : yr_error(r, "aliases are not supported (*%s)",
					      (const char *)r->ev.data.alias.anchor);
	case YAML_SCALAR_EVENT:
		if (count_node(r))
			return -1;
		return check_tag(r, r->ev.data.scalar.tag, "str");
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (count_node(r))
			return -1;
		if (++r->depth > LOAD_MAX_DEPTH)
			return yr_error_nopath(r, yr_pos(r), "nesting deeper than %d levels", LOAD_MAX_DEPTH);
		if (r->ev.type == YAML_SEQUENCE_START_EVENT)
			return check_tag(r, r->ev.data.sequence_start.tag, "seq");
		return check_tag(r, r->ev.data.mapping_start.tag, "map");
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		r->depth--;
		return 0;
	default:
		return 0;
	}
}

int yr_next(struct yr *r)
{
	if (r->ld->err.what)
		return -1;
	if (r->have_ev) {
		yaml_event_delete(&r->ev);
		r->have_ev = false;
	}
	if (!yaml_parser_parse(&r->parser, &r->ev)) {
		r->stream_failed = true;
		return parse_error(r);
	}
	r->have_ev = true;
	if (check_event(r)) {
		r->stream_failed = true;
		return -1;
	}
	return 0;
}

void yr_drain(struct yr *r)
{
	struct load_error content_error = r->ld->err;

	if (r->no_parser || r->stream_failed || r->ended || !content_error.what)
		return;
	memset(&r->ld->err, 0, sizeof(r->ld->err));
	r->npath = 0;
	while (!r->ended && yr_next(r) == 0)
		;
	if (r->ld->err.what)
		free(content_error.what);
	else
		r->ld->err = content_error;
}

int yr_recover(struct yr *r, unsigned depth, size_t npath)
{
	assert(npath <= r->npath);
	r->npath = npath;
	/* no error being handled: the value's own were kept (a list's items), or none was said */
	if (!r->ld->recover || r->ld->stop || r->stream_failed || (!r->ld->err.what && !r->ld->errs.n))
		return -1;
	ld_keep(r->ld);
	if (r->ld->stop)
		return -1;
	while (r->depth > depth)
		if (yr_next(r))
			return -1;
	return 0;
}

int yr_recover_key(struct yr *r, unsigned depth)
{
	if (yr_recover(r, depth, r->npath) || yr_next(r))
		return -1;
	/* the value: a scalar, or a collection read to its end */
	while (r->depth > depth)
		if (yr_next(r))
			return -1;
	return 0;
}

void yr_path_push(struct yr *r, const char *component)
{
	/* the format nests at most 4 deep (clients.api.pool.size) */
	assert(r->npath < YR_PATH_MAX);
	r->path[r->npath++] = component;
}

void yr_path_pop(struct yr *r)
{
	if (r->npath)
		r->npath--;
}

static bool all_digits(const char *s, size_t n, int base)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (base == 8 && !(c >= '0' && c <= '7'))
			return false;
		if (base == 10 && !(c >= '0' && c <= '9'))
			return false;
		if (base == 16 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

static bool is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp++;
		if (!exp)
			return false;
	}
	return i == n;
}

enum sclass yr_class_of(const char *s, size_t n)
{
	size_t sign = n && (s[0] == '-' || s[0] == '+');

	if (n == 0 || is_word(s, n, "~") || is_word(s, n, "null") || is_word(s, n, "Null") ||
	    is_word(s, n, "NULL"))
		return SC_NULL;
	if (is_word(s, n, "true") || is_word(s, n, "True") || is_word(s, n, "TRUE") ||
	    is_word(s, n, "false") || is_word(s, n, "False") || is_word(s, n, "FALSE"))
		return SC_BOOL;
	if (all_digits(s + sign, n - sign, 10))
		return SC_INT;
	if (n > 2 && s[0] == '0' && s[1] == 'o' && all_digits(s + 2, n - 2, 8))
		return SC_INT;
	if (n > 2 && s[0] == '0' && s[1] == 'x' && all_digits(s + 2, n - 2, 16))
		return SC_INT;
	if (is_float(s, n))
		return SC_FLOAT;
	if (is_word(s + sign, n - sign, ".inf") || is_word(s + sign, n - sign, ".Inf") ||
	    is_word(s + sign, n - sign, ".INF") || is_word(s, n, ".nan") || is_word(s, n, ".NaN") ||
	    is_word(s, n, ".NAN"))
		return SC_FLOAT;
	return SC_STR;
}

enum sclass yr_class(const struct yr *r)
{
	if (r->ev.data.scalar.tag || r->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return SC_STR;
	return yr_class_of(yr_text(r), yr_len(r));
}

void yr_quote(const struct yr *r, struct sbuf *b, const char *text, size_t len)
{
	/* A value in a message may be a url with a password: never echo it. */
	char *copy, *s;
	size_t i, n, shown;

	if (r && r->set_path) {
		/* a --set value may be "$DATABASE_URL": its error names the path only */
		sbuf_puts(b, LOAD_SET_HIDDEN);
		return;
	}
	copy = xstrndup(text, len);
	s = mask_password(copy);
	n = strlen(s);
	shown = n;

	if (shown > QUOTE_MAX) {
		shown = QUOTE_MAX;
		while (shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
			shown--;
	}
	sbuf_putc(b, '"');
	for (i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			sbuf_putc(b, '\\');
			sbuf_putc(b, (char)c);
		} else if (c == '\n') {
			sbuf_puts(b, "\\n");
		} else if (c == '\t') {
			sbuf_puts(b, "\\t");
		} else if (c == '\r') {
			sbuf_puts(b, "\\r");
		} else if (c < 0x20 || c == 0x7F) {
			sbuf_printf(b, "\\x%02X", c);
		} else {
			sbuf_putc(b, (char)c);
		}
	}
	if (shown < n)
		sbuf_puts(b, "...");
	sbuf_putc(b, '"');
	free(s);
	free(copy);
}

void yr_describe(struct sbuf *b, const struct yr *r)
{
	enum sclass c;

	switch (r->ev.type) {
	case YAML_MAPPING_START_EVENT:
		sbuf_puts(b, "a mapping");
		return;
	case YAML_SEQUENCE_START_EVENT:
		sbuf_puts(b, "a list");
		return;
	case YAML_SCALAR_EVENT:
		break;
	default:
		sbuf_puts(b, "nothing");
		return;
	}
	c = yr_class(r);
	if (c == SC_NULL) {
		sbuf_puts(b, "null");
	} else if (r->set_path) {
		static const char *const kinds[] = {
			[SC_BOOL] = "a boolean", [SC_INT] = "an integer", [SC_FLOAT] = "a number",
			[SC_STR] = "a string",
		};
		bool quoted_number = r->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
				     yr_class_of(yr_text(r), yr_len(r)) != SC_STR;

		sbuf_printf(b, "%s %s", quoted_number ? "a quoted string" : kinds[c], LOAD_SET_HIDDEN);
	} else if (c != SC_STR) {
		/* a plain number or boolean is shown as written */
		if (yr_len(r) > QUOTE_MAX) {
			sbuf_add(b, yr_text(r), QUOTE_MAX);
			sbuf_puts(b, "...");
		} else {
			sbuf_add(b, yr_text(r), yr_len(r));
		}
	} else {
		yr_quote(r, b, yr_text(r), yr_len(r));
		if (r->ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		    r->ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
			enum sclass plain = yr_class_of(yr_text(r), yr_len(r));
			if (plain == SC_INT || plain == SC_FLOAT)
				sbuf_puts(b, " (a quoted string)");
		}
	}
}
