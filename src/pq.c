/* pq.c - see pq.h. */
#include "pq.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* Every symbol of struct pq_api and where its pointer goes. */
static const struct {
	const char *name;
	size_t off;
} pq_symbols[] = {
	{ "PQconnectStartParams", offsetof(struct pq_api, connect_start_params) },
	{ "PQconnectPoll", offsetof(struct pq_api, connect_poll) },
	{ "PQsocket", offsetof(struct pq_api, socket) },
	{ "PQsetnonblocking", offsetof(struct pq_api, setnonblocking) },
	{ "PQsendQuery", offsetof(struct pq_api, send_query) },
	{ "PQflush", offsetof(struct pq_api, flush) },
	{ "PQconsumeInput", offsetof(struct pq_api, consume_input) },
	{ "PQisBusy", offsetof(struct pq_api, is_busy) },
	{ "PQgetResult", offsetof(struct pq_api, get_result) },
	{ "PQgetCancel", offsetof(struct pq_api, get_cancel) },
	{ "PQcancel", offsetof(struct pq_api, cancel) },
	{ "PQfreeCancel", offsetof(struct pq_api, free_cancel) },
	{ "PQsetNoticeProcessor", offsetof(struct pq_api, set_notice_processor) },
	{ "PQstatus", offsetof(struct pq_api, status) },
	{ "PQerrorMessage", offsetof(struct pq_api, error_message) },
	{ "PQresultStatus", offsetof(struct pq_api, result_status) },
	{ "PQresultErrorMessage", offsetof(struct pq_api, result_error_message) },
	{ "PQntuples", offsetof(struct pq_api, ntuples) },
	{ "PQnfields", offsetof(struct pq_api, nfields) },
	{ "PQfname", offsetof(struct pq_api, fname) },
	{ "PQgetvalue", offsetof(struct pq_api, getvalue) },
	{ "PQgetisnull", offsetof(struct pq_api, getisnull) },
	{ "PQclear", offsetof(struct pq_api, clear) },
	{ "PQfinish", offsetof(struct pq_api, finish) },
	{ "PQconninfoParse", offsetof(struct pq_api, conninfo_parse) },
	{ "PQconninfoFree", offsetof(struct pq_api, conninfo_free) },
	{ "PQfreemem", offsetof(struct pq_api, freemem) },
	{ "PQserverVersion", offsetof(struct pq_api, server_version) },
	{ "PQparameterStatus", offsetof(struct pq_api, parameter_status) },
};

/* POSIX dlsym: a function pointer has the size and representation of void *. */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers fit in void *");
_Static_assert(sizeof(struct pq_api) == sizeof(pq_symbols) / sizeof(pq_symbols[0]) * sizeof(void *),
	       "every member of struct pq_api has a symbol");

static struct pq_api pq_table;
static void *pq_handle;

/*
 * The first call opens the library with RTLD_NOW (a missing symbol shows
 * here, not in the middle of a query) and fills pq_table; later calls
 * return it. The handle is never closed: libpq registers atexit handlers
 * of its own (OpenSSL's).
 */
const struct pq_api *pq_load(char **err)
{
	const char *lib = getenv("CONNBUDGET_LIBPQ");
	struct pq_api api;
	void *h;
	size_t i;

	if (pq_handle)
		return &pq_table;
	if (!lib || !*lib)
		lib = PQ_LIBRARY;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		*err = xasprintf("observe needs libpq (Debian package libpq5): %s",
				 why ? why : lib);
		return NULL;
	}
	memset(&api, 0, sizeof(api));
	for (i = 0; i < ARRAY_LEN(pq_symbols); i++) {
		void *sym = dlsym(h, pq_symbols[i].name);

		if (!sym) {
			*err = xasprintf("observe needs libpq (Debian package libpq5): "
					 "%s has no %s", lib, pq_symbols[i].name);
			dlclose(h);
			return NULL;
		}
		/* Copied, not cast: ISO C has no void * to function pointer conversion. */
		memcpy((char *)&api + pq_symbols[i].off, &sym, sizeof(sym));
	}
	pq_table = api;
	pq_handle = h;
	return &pq_table;
}

uint64_t pq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * libpq's message on one line, as a new string: its lines joined by "; ",
 * the indentation and the doubled blank after "ERROR:" dropped, and the
 * query excerpt with its caret ("LINE 1: ...", "   ^") left out.
 */
static char *message(const char *m)
{
	struct sbuf b = { 0 };
	const char *line = m ? m : "";

	while (*line) {
		const char *end = strchr(line, '\n'), *p = line;
		size_t n;

		if (!end)
			end = line + strlen(line);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(end - p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n && strncmp(p, "LINE ", 5) != 0 && strspn(p, "^ ") < n) {
			const char *blank = memchr(p, ':', n);

			if (b.len)
				sbuf_puts(&b, "; ");
			if (blank && blank + 2 < p + n && blank[1] == ' ' && blank[2] == ' ') {
				sbuf_add(&b, p, (size_t)(blank - p) + 2);
				n -= (size_t)(blank - p) + 3;
				p = blank + 3;
			}
			sbuf_add(&b, p, n);
		}
		line = *end ? end + 1 : end;
	}
	if (!b.len)
		sbuf_puts(&b, "no reason given");
	return sbuf_detach(&b);
}

/* The notice processor: keep the server's last word instead of printing it. */
static void keep_notice(void *arg, const char *text)
{
	struct pq_session *s = arg;

	free(s->notice);
	s->notice = message(text);
}

/*
 * Wait until the socket is readable (or writable) or the time is past
 * until. Returns 1 ready, 0 timed out, -1 on a poll error.
 */
static int wait_socket(int fd, bool write, uint64_t until)
{
	struct pollfd p = { .fd = fd, .events = write ? POLLOUT : POLLIN };

	for (;;) {
		uint64_t now = pq_now_ms();
		int r;

		if (now >= until)
			return 0;
		r = poll(&p, 1, until - now > 60000 ? 60000 : (int)(until - now));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static void format_ms(char buf[32], uint64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, 32, "%llus", (unsigned long long)(ms / 1000));
	else
		snprintf(buf, 32, "%llums", (unsigned long long)ms);
}

int pq_session_connect(struct pq_session *s, const char *const *keywords,
		       const char *const *values, uint64_t connect_ms, char **err)
{
	const struct pq_api *pq = s->pq;
	enum pq_polling_status st = PQ_POLLING_WRITING;
	uint64_t connect_by = s->deadline_ms, now = pq_now_ms();
	bool by_connect_timeout = false;
	char took[32];

	if (connect_ms && now + connect_ms < connect_by) {
		connect_by = now + connect_ms;
		by_connect_timeout = true;
	}
	s->conn = pq->connect_start_params(keywords, values, 0);
	if (!s->conn) {
		*err = xstrdup("out of memory");
		return -1;
	}
	pq->set_notice_processor(s->conn, keep_notice, s);
	if (pq->status(s->conn) == PQ_CONNECTION_BAD)
		goto bad;
	while (st != PQ_POLLING_OK) {
		int fd = pq->socket(s->conn), r;

		if (st == PQ_POLLING_FAILED)
			goto bad;
		r = fd < 0 ? -1 : wait_socket(fd, st == PQ_POLLING_WRITING, connect_by);
		if (r == 0) {
			format_ms(took, by_connect_timeout ? connect_ms : s->timeout_ms);
			*err = xasprintf("no connection within %s (%s)", took,
					 by_connect_timeout ? "connect_timeout" : "--timeout");
			goto fail;
		}
		if (r < 0)
			goto bad;
		st = pq->connect_poll(s->conn);
	}
	if (pq->setnonblocking(s->conn, 1) != 0)
		goto bad;
	return 0;
bad:
	*err = message(pq->error_message(s->conn));
fail:
	pq->finish(s->conn);
	s->conn = NULL;
	return -1;
}

/* A cancel request on a thread of its own, so that a peer that never closes cannot hold us. */
struct cancel_call {
	const struct pq_api *pq;
	struct pg_cancel *cancel;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done, abandoned;
};

static void cancel_call_free(struct cancel_call *c)
{
	c->pq->free_cancel(c->cancel);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->done_cond);
	free(c);
}

static void *cancel_thread(void *arg)
{
	struct cancel_call *c = arg;
	char errbuf[256];
	bool abandoned;

	c->pq->cancel(c->cancel, errbuf, (int)sizeof(errbuf));
	pthread_mutex_lock(&c->lock);
	c->done = true;
	abandoned = c->abandoned;
	pthread_cond_signal(&c->done_cond);
	pthread_mutex_unlock(&c->lock);
	if (abandoned)
		cancel_call_free(c);
	return NULL;
}

/*
 * Ask the server to cancel the running query (PQcancel opens a connection
 * of its own and waits for the server to close it) and wait for that at
 * most PQ_CANCEL_WAIT_MS. Returns true when the request went through in time.
 */
static bool cancel_query(struct pq_session *s)
{
	struct cancel_call *c = xcalloc(1, sizeof(*c));
	struct timespec until;
	pthread_t t;
	bool done;

	c->pq = s->pq;
	c->cancel = s->pq->get_cancel(s->conn);
	if (!c->cancel) {
		free(c);
		return false;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->done_cond, NULL);
	if (pthread_create(&t, NULL, cancel_thread, c) != 0) {
		cancel_call_free(c);
		return false;
	}
	pthread_detach(t);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PQ_CANCEL_WAIT_MS / 1000;
	until.tv_nsec += (long)(PQ_CANCEL_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->done)
		if (pthread_cond_timedwait(&c->done_cond, &c->lock, &until) == ETIMEDOUT)
			break;
	done = c->done;
	c->abandoned = !done;
	pthread_mutex_unlock(&c->lock);
	if (done)
		cancel_call_free(c);
	return done;
}

struct pg_result *pq_session_query(struct pq_session *s, const char *sql,
				   enum pq_exec_status want, char **err)
{
	const struct pq_api *pq = s->pq;
	struct pg_result *last = NULL, *res;
	char *failed = NULL;
	int fd = pq->socket(s->conn), r;

	if (!pq->send_query(s->conn, sql))
		goto lost;
	/* Non-blocking: the query may not have left yet. */
	while ((r = pq->flush(s->conn)) == 1)
		if (wait_socket(fd, true, s->deadline_ms) <= 0)
			goto timeout;
	if (r < 0)
		goto lost;
	for (;;) {
		while (pq->is_busy(s->conn)) {
			r = wait_socket(fd, false, s->deadline_ms);
			if (r == 0)
				goto timeout;
			if (r < 0 || !pq->consume_input(s->conn))
				goto lost;
		}
		res = pq->get_result(s->conn);
		if (!res)
			break;
		if (!failed && pq->result_status(res) != want && pq->result_status(res) != PQ_RES_COMMAND_OK)
			failed = message(pq->result_error_message(res));
		if (last)
			pq->clear(last);
		last = res;
	}
	if (!failed && last && pq->result_status(last) == want)
		return last;
	if (!failed)
		failed = xstrdup("the server sent no rows");
	if (last)
		pq->clear(last);
	goto said;
timeout:
	{
		char took[32];

		format_ms(took, s->timeout_ms);
		*err = xasprintf("no answer within %s (--timeout); %s", took,
				 cancel_query(s) ? "the query was cancelled"
						 : "the cancel request got no answer either");
	}
	if (last)
		pq->clear(last);
	return NULL;
lost:
	if (last)
		pq->clear(last);
	if (!failed)
		failed = message(pq->error_message(s->conn));
said:
	/* The reason a server gives for ending a session may come as a notice first. */
	if (s->notice && !strstr(failed, s->notice)) {
		*err = xasprintf("%s (the server said: %s)", failed, s->notice);
		free(failed);
	} else {
		*err = failed;
	}
	return NULL;
}

void pq_session_finish(struct pq_session *s)
{
	if (s->conn)
		s->pq->finish(s->conn);
	s->conn = NULL;
	free(s->notice);
	s->notice = NULL;
}
