/*
 * http: libmicrohttpd in front of api_handle().
 *
 * libmicrohttpd runs a pool of internal threads (--threads, by default one per
 * core), each with its own epoll set.  0.9.75 sets no connection timeout and no connection limit by
 * default, so a handful of idle sockets could hold every slot forever; both are
 * set here, and a per-address limit (--max-conns-per-ip) so that one client
 * cannot take all the slots from the others.
 *
 * After api_handle(), this layer turns the answer's cache class into
 * validators and freshness (httpcache.h), answers a matching conditional
 * request 304, and counts the request in metrics: all without a lock.
 *
 * Long time series (api_is_heavy()) are not rendered on the HTTP thread: the
 * connection is suspended, a worker (jobs.h) renders the answer, resumes the
 * connection, and the handler call that follows sends it through the same
 * code as every other answer.  A bounded queue answers 503 beyond
 * HTTP_HEAVY_QUEUE rather than let scrapers pile up, and so does a budget
 * for the answers rendered but not yet sent (--series-memory), which
 * clients that ask and never read would otherwise pile up.
 *
 * Before routing, each request's head passes the checks RFC 9112 gives a
 * server that libmicrohttpd 0.9.75 leaves out (head_refusal()): one Host
 * (required in HTTP/1.1), one Content-Length value, and no transfer coding but
 * chunked, alone; anything else is refused with a 400 and the connection
 * closed, since the framing of whatever follows is unknown.
 *
 * Stopping is graceful: http_stop() turns new clients away at once, answers
 * every request that still arrives on an open connection with
 * "Connection: close", and waits for the connections to go, at most
 * HTTP_DRAIN_MS, before tearing the server down.  A client in the middle of
 * a keep-alive exchange so gets its answer instead of a reset; an idle
 * keep-alive connection costs at most that wait.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "dt.h"
#include "err.h"
#include "http.h"
#include "httpcache.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "publish.h"

#define HTTP_CONN_TIMEOUT 10U	/* seconds a connection may sit idle */
#define HTTP_CONN_LIMIT 1000U	/* connections open at once, all clients */
#define HTTP_MAX_THREADS 16U
#define HTTP_DRAIN_MS 1000	/* ms open connections get to finish at stop */
#define HTTP_DRAIN_POLL_MS 5	/* ms between looks at the connection count */
/*
 * Bytes of buffer per connection, request head and answer head together.
 * Half of libmicrohttpd's default, and still room for header lines up to the
 * 8 KB nginx accepts by default (large_client_header_buffers), which a
 * browser's cookies on a busy intranet host can need.  Larger heads are
 * refused with 431.
 */
#define HTTP_CONN_MEMORY 16384U
/*
 * Long time series (api_is_heavy()) are rendered on a worker thread, so that
 * an HTTP thread never makes the other connections it serves wait for one.
 * One worker: the renders are CPU work, and more workers would take cores the
 * HTTP threads need.  Scrapers of long series then wait for each other, which
 * is the fair place for them to wait.
 */
#define HTTP_HEAVY_WORKERS 1U
/*
 * Heavy requests waiting or being rendered at once; more are answered 503.
 * Eight full histories are about a second of work: a client beyond that is
 * better told to come back than left waiting with its connection held.
 */
#define HTTP_HEAVY_QUEUE 8U
#define HTTP_HEAVY_RETRY_AFTER 2	/* seconds, in a 503's Retry-After */
#define HTTP_FIELD_LINES 8	/* lines of one header field kept (struct fields) */

struct http {
	struct MHD_Daemon *d;
	const struct cconvd_config *cfg;
	const struct api_history *history;
	struct jobs *jobs;	/* the heavy requests' workers */
	/*
	 * Bytes of heavy answers rendered and not yet freed by libmicrohttpd,
	 * all clients together, and the most they may be (--series-memory).
	 * An answer is held until it is sent, or its client leaves or times
	 * out (HTTP_CONN_TIMEOUT without taking a byte), so a client that asks
	 * and reads slowly or never holds up to API_SERIES_CAP, and the
	 * connection limits alone would allow gigabytes.  No render starts
	 * while the budget is spent; one that has started is finished, so what
	 * is held exceeds the budget by at most one answer per worker.
	 */
	atomic_size_t unsent;
	size_t budget;
	atomic_int closing;	/* set by http_stop(): every answer closes its connection */
};

struct arg_sink {
	struct api_arg args[API_MAX_ARGS + 1];
	size_t n;
};

/*
 * *req_cls between libmicrohttpd's calls for one request: a mark, or the
 * struct heavy of a request handed to a worker.  NEW: the request line is
 * read (on_uri()); SEEN: the first handler call is done.  DROPPED: on_uri()
 * dropped the query (too many arguments).
 */
enum req_mark { REQ_NEW, REQ_NEW_DROPPED, REQ_SEEN, REQ_SEEN_DROPPED, REQ_MARKS };
static char req_marks[REQ_MARKS];

#define MARK(m) ((void *)&req_marks[(m)])

/* The request's heavy state, or NULL while *req_cls holds a mark. */
static struct heavy *
as_heavy(void *req_cls)
{
	if (req_cls == NULL)
		return NULL;
	for (int m = 0; m < REQ_MARKS; m++)
		if (req_cls == MARK(m))
			return NULL;
	return req_cls;
}

/* The header fields this layer reads itself, each as the lines received. */
enum field { F_HOST, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_IF_NONE_MATCH, F_IF_MODIFIED_SINCE, F_COUNT };

static const char *const field_names[F_COUNT] = {
	[F_HOST] = MHD_HTTP_HEADER_HOST, [F_CONTENT_LENGTH] = MHD_HTTP_HEADER_CONTENT_LENGTH,
	[F_TRANSFER_ENCODING] = MHD_HTTP_HEADER_TRANSFER_ENCODING,
	[F_IF_NONE_MATCH] = MHD_HTTP_HEADER_IF_NONE_MATCH,
	[F_IF_MODIFIED_SINCE] = MHD_HTTP_HEADER_IF_MODIFIED_SINCE,
};

struct fields {
	const char *v[F_COUNT][HTTP_FIELD_LINES];	/* the first lines' values, borrowed from conn */
	size_t n[F_COUNT];	/* lines received, kept or not */
};

static enum MHD_Result
on_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct fields *f = cls;

	(void)kind;
	for (int i = 0; i < F_COUNT; i++)
		if (strcasecmp(key, field_names[i]) == 0) {
			if (f->n[i] < HTTP_FIELD_LINES)
				f->v[i][f->n[i]] = value != NULL ? value : "";
			f->n[i]++;
			break;
		}
	return MHD_YES;
}

static void
read_fields(struct MHD_Connection *conn, struct fields *f)
{
	memset(f, 0, sizeof(*f));
	MHD_get_connection_values(conn, MHD_HEADER_KIND, on_field, f);
}

/*
 * Whether the Transfer-Encoding lines say exactly "chunked": one coding, no
 * parameters.  RFC 9112 §6.3: a request whose final coding is not chunked
 * cannot be framed; libmicrohttpd takes any other value as a body read to the
 * end of the connection and waits out its timeout.  Other codings before
 * chunked ("gzip, chunked") could be framed but not read, and a GET's body
 * means nothing here, so they are refused too.
 */
static int
chunked_alone(const struct fields *f)
{
	size_t members = 0;
	int chunked = 0;

	if (f->n[F_TRANSFER_ENCODING] > HTTP_FIELD_LINES)
		return 0;
	for (size_t i = 0; i < f->n[F_TRANSFER_ENCODING]; i++)
		for (const char *p = f->v[F_TRANSFER_ENCODING][i]; *p != '\0';) {
			size_t len = strcspn(p, ",");
			const char *end = p + len;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (end > p) {	/* empty list members do not count (RFC 9110 §5.6.1) */
				members++;
				chunked = (size_t)(end - p) == 7 && strncasecmp(p, "chunked", 7) == 0;
			}
			p += len + (p[len] == ',');
		}
	return members == 1 && chunked;
}

/*
 * The checks RFC 9112 makes a server's own and libmicrohttpd 0.9.75 does not
 * make: NULL when the head may be routed, else the reason for a 400 (why
 * holds it when it quotes the request).
 */
static const char *
head_refusal(const struct fields *f, const char *version, char *why, size_t whylen)
{
	char q[64];

	/* §3.2: exactly one Host, which an HTTP/1.1 request must send. */
	if (f->n[F_HOST] > 1)
		return "more than one Host header field";
	if (f->n[F_HOST] == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0)
		return "an HTTP/1.1 request needs a Host header field";
	if (f->n[F_TRANSFER_ENCODING] > 0) {
		/* §6.1: in HTTP/1.0, or beside Content-Length, the framing is faulty. */
		if (strcmp(version, MHD_HTTP_VERSION_1_1) != 0)
			return "Transfer-Encoding in an HTTP/1.0 request";
		if (f->n[F_CONTENT_LENGTH] > 0)
			return "both Transfer-Encoding and Content-Length";
		if (!chunked_alone(f)) {
			const char *v = f->v[F_TRANSFER_ENCODING][0];
			buf_quote(q, sizeof(q), v, strlen(v));
			err_set(why, whylen, "Transfer-Encoding '%s'%s: only chunked, alone, is understood", q,
			    f->n[F_TRANSFER_ENCODING] > 1 ? " and more lines" : "");
			return why;
		}
	}
	/* §6.3: Content-Length lines that disagree leave the body's end unknown. */
	for (size_t i = 1; i < f->n[F_CONTENT_LENGTH]; i++)
		if (i >= HTTP_FIELD_LINES || strcmp(f->v[F_CONTENT_LENGTH][i], f->v[F_CONTENT_LENGTH][0]) != 0)
			return "Content-Length given more than once with different values";
	return NULL;
}

/* Keeps one more argument than the API accepts, so the API can say "too many". */
static enum MHD_Result
on_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
    size_t value_size)
{
	struct arg_sink *s = cls;

	(void)kind;
	if (s->n == API_MAX_ARGS + 1)
		return MHD_NO;
	s->args[s->n].key = key;
	s->args[s->n].key_len = key_size;
	s->args[s->n].value = value;
	s->args[s->n].value_len = value != NULL ? value_size : 0;
	s->n++;
	return MHD_YES;
}

/*
 * libmicrohttpd's own %HH decoding, except that a decoded NUL becomes DEL
 * (0x7f).  The path reaches on_request() as a C string, so "%00" would
 * silently cut it: "/healthz%00/../latest" would be answered as "/healthz",
 * "/convert/GBP/1%00junk" as a conversion of 1.  No route, currency or amount
 * accepts DEL, so the request gets the 404 or 400 it deserves, and an error
 * quotes it as '?' like any other control byte.
 */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	size_t n = MHD_http_unescape(s);
	char *p = s;

	(void)cls;
	(void)conn;
	while ((p = memchr(p, '\0', n - (size_t)(p - s))) != NULL)
		*p = 0x7f;
	return n;
}

static int
add_header(struct MHD_Response *r, const char *name, const char *value)
{
	return MHD_add_response_header(r, name, value) == MHD_YES ? 0 : -1;
}

/*
 * Validators and freshness (httpcache.h).  Answers that must not be kept
 * (errors, /healthz, /metrics) say no-store: a cache in front must never
 * answer 503 "no rates yet" once rates exist, nor a frozen /healthz.
 */
static int
add_cache_headers(struct MHD_Response *r, const struct api_response *resp, const char *etag, int64_t now,
    int64_t next, long max_age)
{
	char date[DT_HTTP_LEN], num[24], cc[HTTPCACHE_CONTROL_LEN];

	if (resp->cache == API_CACHE_NO_STORE)
		return add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	httpcache_control(cc, resp->age, next - now, max_age, resp->cache == API_CACHE_IMMUTABLE);
	dt_http(resp->last_modified, date);
	httpcache_int(num, resp->age);
	if (add_header(r, MHD_HTTP_HEADER_ETAG, etag) == -1 ||
	    add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc) == -1 ||
	    add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date) == -1 ||
	    add_header(r, MHD_HTTP_HEADER_AGE, num) == -1)
		return -1;
	if (resp->stale && add_header(r, MHD_HTTP_HEADER_WARNING, "110 - \"Response is Stale\"") == -1)
		return -1;
	if (resp->cache == API_CACHE_RATES) {
		/* nginx ignores Age: give it the moment itself ("0": do not keep). */
		num[0] = '@';
		if (next > now)
			httpcache_int(num + 1, next);
		else
			httpcache_int(num, 0);
		if (add_header(r, "X-Accel-Expires", num) == -1)
			return -1;
	}
	return 0;
}

/*
 * CORS (Fetch standard §3.2): any page may read the API's answers, as it may
 * Frankfurter's, since they hold nothing but public rates and no request
 * carries credentials.  So "*", and a preflight (OPTIONS) is granted every
 * method and header this server takes, for a day.  The headers a page's
 * script may read beyond the safelisted ones: the validators and
 * freshness it needs to cache and retry well.
 */
#define HTTP_METHODS "GET, HEAD, OPTIONS"
#define HTTP_CORS_MAX_AGE "86400"

static int
add_cors_headers(struct MHD_Response *r, const char *method)
{
	if (add_header(r, "Access-Control-Allow-Origin", "*") == -1)
		return -1;
	if (strcmp(method, "OPTIONS") == 0)
		return add_header(r, "Access-Control-Allow-Methods", HTTP_METHODS) == -1 ||
		    add_header(r, "Access-Control-Allow-Headers", "*") == -1 ||
		    add_header(r, "Access-Control-Max-Age", HTTP_CORS_MAX_AGE) == -1 ? -1 : 0;
	return add_header(r, "Access-Control-Expose-Headers", "ETag, Age, Warning, Retry-After") == -1 ? -1 : 0;
}

/*
 * The origin-form path of a request target.  RFC 9112 §3.2.2: a server MUST
 * accept the absolute-form ("GET http://host:8080/latest"), which clients
 * talking to a proxy send; the authority is ours, so only the path counts.
 * libmicrohttpd has already split off the query.
 */
static const char *
origin_path(const char *url)
{
	const char *p;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return url;
	p += strcspn(p, "/");
	return *p == '/' ? p : "/";
}

/* The part of a request that api_handle() reads, copied so that it outlives
 * the handler call that saw it. */
struct req_copy {
	struct api_request req;
	struct api_arg args[API_MAX_ARGS + 1];
	char *text;		/* method, path, keys and values, each NUL-terminated */
};

/*
 * A heavy request, from the handler call that suspends its connection to
 * NOTIFY_COMPLETED.  The worker owns it from jobs_submit() until it calls
 * MHD_resume_connection(), the HTTP thread from then on; the mutex inside
 * libmicrohttpd's resume orders the worker's writes before the HTTP
 * thread's reads.
 */
struct heavy {
	struct http *h;
	struct MHD_Connection *conn;
	struct api_history hist;	/* h's, cut short by http_stop() (guarded_each()) */
	int cut;		/* it was */
	struct req_copy rc;
	struct api_response resp;
	size_t charged;		/* of h->unsent, for resp's body until respond() hands it over */
	int64_t now, next;
	struct timespec t0;
};

/* A heavy answer's body in libmicrohttpd's hands, charged until it frees it. */
struct held {
	struct http *h;
	char *body;
	size_t charged;
};

static void
budget_charge(struct http *h, size_t n)
{
	atomic_fetch_add(&h->unsent, n);
	metrics_heavy_unsent((int64_t)n);
}

static void
budget_release(struct http *h, size_t n)
{
	if (n == 0)
		return;
	atomic_fetch_sub(&h->unsent, n);
	metrics_heavy_unsent(-(int64_t)n);
}

static int
budget_spent(struct http *h)
{
	return atomic_load(&h->unsent) >= h->budget;
}

/* libmicrohttpd is done with a heavy answer: sent, or its client gone. */
static void
held_free(void *cls)
{
	struct held *hd = cls;

	free(hd->body);
	budget_release(hd->h, hd->charged);
	free(hd);
}

/* api_handle() on the current snapshot: what every request gets, inline or
 * on a worker.  *now and *next are the times the answer's headers need. */
static void
answer_current(const struct http *h, const struct api_history *history, const struct api_request *req,
    struct api_response *resp, int64_t *now, int64_t *next)
{
	struct api_ctx ctx;
	struct publication p;

	memset(&ctx, 0, sizeof(ctx));
	publish_acquire(&p);
	ctx.rates = p.rates;
	ctx.coverage = p.coverage;
	ctx.now = *now = (int64_t)time(NULL);
	*next = publish_next_wall(p.next_due_ms, *now, dt_mono_ms());
	ctx.max_age = h->cfg->max_age;
	ctx.get_status = publish_get_status;
	ctx.render_metrics = metrics_render;
	ctx.history = history;
	api_handle(&ctx, req, resp);
	publish_release(&p);
}

/*
 * resp as libmicrohttpd's answer on conn: validators, 304, headers, metrics.
 * The body moves to libmicrohttpd; resp stays the caller's to free.  With
 * charged non-NULL, the *charged bytes of the budget move with the body and
 * are released when libmicrohttpd frees it (*charged becomes 0).
 */
static enum MHD_Result
respond(struct http *h, struct MHD_Connection *conn, const char *method, const char *url,
    struct api_response *resp, size_t *charged, int64_t now, int64_t next, const struct timespec *t0,
    int close)
{
	struct MHD_Response *r = NULL;
	struct held *hd;
	enum MHD_Result ret = MHD_NO;
	char *body, etag[HTTPCACHE_ETAG_LEN], num[24];
	size_t len = 0;
	int status;
	struct timespec t1;

	if ((body = buf_steal(&resp->body, &len)) == NULL)
		goto out;
	status = resp->status;
	if (resp->cache != API_CACHE_NO_STORE) {
		struct fields f;
		read_fields(conn, &f);
		httpcache_etag(body, len, etag);
		/* A field on more lines than are kept gets the full answer, always correct. */
		if (f.n[F_IF_NONE_MATCH] <= HTTP_FIELD_LINES && f.n[F_IF_MODIFIED_SINCE] <= HTTP_FIELD_LINES &&
		    httpcache_not_modified(f.v[F_IF_NONE_MATCH], f.n[F_IF_NONE_MATCH], f.v[F_IF_MODIFIED_SINCE],
		    f.n[F_IF_MODIFIED_SINCE], etag, resp->last_modified, now)) {
			/*
			 * The body stays attached: libmicrohttpd sends no body with a
			 * 304 but then gives the 200's Content-Length, the only value
			 * RFC 9110 §8.6 allows (with an empty one it would say 0).
			 */
			status = MHD_HTTP_NOT_MODIFIED;
		}
	}
	if (log_debug_enabled()) {
		/* Decoded, so "%0a" would be a line of its own: quote what a client sent. */
		char qm[BUF_QUOTE_LEN], qu[BUF_QUOTE_LEN];
		buf_quote(qm, sizeof(qm), method, strlen(method));
		buf_quote(qu, sizeof(qu), url, strlen(url));
		log_debug("%s %s -> %d", qm, qu, status);
	}
	if (charged == NULL)
		r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	else if ((hd = malloc(sizeof(*hd))) != NULL) {
		*hd = (struct held){ h, body, *charged };
		if ((r = MHD_create_response_from_buffer_with_free_callback_cls(len, body, held_free, hd)) != NULL)
			*charged = 0;
		else
			free(hd);
	}
	if (r == NULL) {
		free(body);
		goto out;
	}
	if (status != MHD_HTTP_NOT_MODIFIED && resp->content_type != NULL &&
	    add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type) == -1)
		goto out;
	if ((close || atomic_load(&h->closing)) && add_header(r, MHD_HTTP_HEADER_CONNECTION, "close") == -1)
		goto out;
	if ((status == 405 || strcmp(method, "OPTIONS") == 0) &&
	    add_header(r, MHD_HTTP_HEADER_ALLOW, HTTP_METHODS) == -1)
		goto out;
	if (api_cross_origin(resp->endpoint) && add_cors_headers(r, method) == -1)
		goto out;
	if (resp->vary != NULL && add_header(r, MHD_HTTP_HEADER_VARY, resp->vary) == -1)
		goto out;
	if (resp->retry_after > 0) {
		snprintf(num, sizeof(num), "%d", resp->retry_after);
		if (add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num) == -1)
			goto out;
	}
	if (resp->csp != NULL && (add_header(r, "Content-Security-Policy", resp->csp) == -1 ||
	    add_header(r, "X-Content-Type-Options", "nosniff") == -1 ||
	    add_header(r, "Referrer-Policy", "no-referrer") == -1))
		goto out;
	if (add_cache_headers(r, resp, etag, now, next, h->cfg->max_age) == -1)
		goto out;
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_count_request(resp->endpoint, status,
	    (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000);
out:
	if (r != NULL)
		MHD_destroy_response(r);
	return ret;
}

/* req into dst, its strings into one allocation; -1 when out of memory. */
static int
copy_request(struct req_copy *dst, const struct api_request *req)
{
	size_t need = strlen(req->method) + 1 + req->path_len + 1 +
	    (req->accept != NULL ? strlen(req->accept) + 1 : 0);
	char *p;

	for (size_t i = 0; i < req->nargs; i++)
		need += req->args[i].key_len + 1 + req->args[i].value_len + 1;
	if ((dst->text = p = malloc(need)) == NULL)
		return -1;
#define COPY(field, s, n) do { memcpy(p, (s), (n)); p[n] = '\0'; (field) = p; p += (n) + 1; } while (0)
	COPY(dst->req.method, req->method, strlen(req->method));
	COPY(dst->req.path, req->path, req->path_len);
	dst->req.path_len = req->path_len;
	dst->req.accept = NULL;
	if (req->accept != NULL)
		COPY(dst->req.accept, req->accept, strlen(req->accept));
	for (size_t i = 0; i < req->nargs; i++) {
		const struct api_arg *a = &req->args[i];
		struct api_arg *b = &dst->args[i];
		COPY(b->key, a->key, a->key_len);
		b->key_len = a->key_len;
		b->value = NULL;
		if (a->value != NULL)
			COPY(b->value, a->value, a->value_len);
		b->value_len = a->value_len;
	}
#undef COPY
	dst->req.args = dst->args;
	dst->req.nargs = req->nargs;
	return 0;
}

static void
heavy_free(struct heavy *hv)
{
	if (hv == NULL)
		return;
	api_response_free(&hv->resp);
	budget_release(hv->h, hv->charged);
	free(hv->rc.text);
	free(hv);
}

/* A 503 for hv instead of its answer (the queue or the budget is full, or stopping). */
static void
heavy_refuse(struct heavy *hv, enum metrics_refusal why)
{
	api_answer_busy(&hv->resp, &hv->rc.req, why == METRICS_REFUSED_QUEUE_FULL ?
	    "too many long time series are being answered; retry shortly" :
	    why == METRICS_REFUSED_MEMORY ?
	    "too many long time series are waiting for their clients to read them; retry shortly" :
	    "the server is shutting down", HTTP_HEAVY_RETRY_AFTER);
	hv->now = (int64_t)time(NULL);
	hv->next = publish_next_wall(publish_next_due_ms(), hv->now, dt_mono_ms());
	metrics_count_heavy_refused(why);
}

/*
 * A heavy request's history: the daemon's, except that a series stops being
 * read once http_stop() has begun.  A render can take a second or more (the
 * whole history under a sanitizer), and a stop must not wait for it.
 */
struct guard {
	struct heavy *hv;
	int (*fn)(void *arg, const struct rates *r);
	void *arg;
};

static int
guarded_day(void *arg, const struct rates *r)
{
	struct guard *g = arg;

	if (atomic_load(&g->hv->h->closing)) {
		g->hv->cut = 1;
		return 1;
	}
	return g->fn(g->arg, r);
}

static int
guarded_each(void *cls, const char *start, const char *end, const struct api_only *only,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	struct heavy *hv = cls;
	const struct api_history *inner = hv->h->history;
	struct guard g = { hv, fn, arg };

	return inner->each(inner->cls, start, end, only, guarded_day, &g, err, errlen);
}

static int
guarded_provider_each(void *cls, const char *provider, const char *base, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	struct heavy *hv = cls;
	const struct api_history *inner = hv->h->history;
	struct guard g = { hv, fn, arg };

	return inner->provider_each(inner->cls, provider, base, start, end, guarded_day, &g, err, errlen);
}

static int
guarded_on(void *cls, const char *date, const struct api_only *only, struct rates **out, struct api_day *day,
    char *err, size_t errlen)
{
	const struct api_history *inner = ((struct heavy *)cls)->h->history;

	return inner->on(inner->cls, date, only, out, day, err, errlen);
}

/* On a worker: the answer, or a 503 when stopping or the budget is spent;
 * then the HTTP thread takes over. */
static void
heavy_run(void *arg, int cancelled)
{
	struct heavy *hv = arg;
	int spent = !cancelled && budget_spent(hv->h);

	if (!cancelled && !spent) {
		answer_current(hv->h, hv->h->history != NULL ? &hv->hist : NULL, &hv->rc.req, &hv->resp, &hv->now,
		    &hv->next);
		if (hv->cut)
			api_response_free(&hv->resp);
		else {
			buf_shrink(&hv->resp.body);
			hv->charged = hv->resp.body.size;
			budget_charge(hv->h, hv->charged);
		}
	}
	if (spent)
		heavy_refuse(hv, METRICS_REFUSED_MEMORY);
	else if (cancelled || hv->cut)
		heavy_refuse(hv, METRICS_REFUSED_STOPPING);
	metrics_heavy_in_flight(-1);
	/* The last touch: the HTTP thread may answer and free hv at once. */
	MHD_resume_connection(hv->conn);
}

/*
 * Suspends conn and queues req for a worker; the answer goes out from the
 * handler call that follows the resume.  -1 (nothing suspended) only when
 * out of memory: the caller then answers inline.
 */
static int
heavy_start(struct http *h, struct MHD_Connection *conn, const struct api_request *req,
    const struct timespec *t0, void **req_cls)
{
	struct heavy *hv;
	enum jobs_result res;

	if ((hv = calloc(1, sizeof(*hv))) == NULL)
		return -1;
	if (copy_request(&hv->rc, req) == -1) {
		free(hv);
		return -1;
	}
	hv->h = h;
	hv->conn = conn;
	hv->hist.cls = hv;
	hv->hist.on = guarded_on;
	hv->hist.each = guarded_each;
	hv->hist.provider_each = h->history != NULL && h->history->provider_each != NULL ? guarded_provider_each : NULL;
	hv->t0 = *t0;
	*req_cls = hv;
	/* Suspended before it is queued: resuming a connection that is not
	 * suspended is undefined, and a worker may finish at once. */
	MHD_suspend_connection(conn);
	/* Counted first: once queued, the job may end (and uncount it) at once. */
	metrics_heavy_in_flight(1);
	if (budget_spent(h)) {
		/* Refused at once: no slot taken, no worker woken. */
		metrics_heavy_in_flight(-1);
		heavy_refuse(hv, METRICS_REFUSED_MEMORY);
		MHD_resume_connection(conn);
	} else if ((res = jobs_submit(h->jobs, heavy_run, hv)) != JOBS_QUEUED) {
		metrics_heavy_in_flight(-1);
		heavy_refuse(hv, res == JOBS_FULL ? METRICS_REFUSED_QUEUE_FULL : METRICS_REFUSED_STOPPING);
		MHD_resume_connection(conn);
	}
	return 0;
}

/* The 400 for a head that head_refusal() refuses, closing the connection. */
static enum MHD_Result
refuse_head(struct http *h, struct MHD_Connection *conn, const char *method, const char *url, const char *why)
{
	struct api_response resp;
	struct timespec t0;
	enum MHD_Result ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	api_answer_bad_request(&resp, why);
	ret = respond(h, conn, method, url, &resp, NULL, (int64_t)time(NULL), 0, &t0, 1);
	api_response_free(&resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct http *h = cls;
	struct arg_sink args;
	struct api_request req;
	struct api_response resp;
	enum MHD_Result ret;
	int64_t now, next;
	struct timespec t0;
	int dropped = *req_cls == MARK(REQ_NEW_DROPPED) || *req_cls == MARK(REQ_SEEN_DROPPED);

	(void)upload_data;
	/*
	 * The first call comes once the head is read, before any body: the
	 * head is checked then, so a request whose body cannot be framed is
	 * refused at once rather than waited for.
	 */
	if (*req_cls == NULL || *req_cls == MARK(REQ_NEW) || *req_cls == MARK(REQ_NEW_DROPPED)) {
		struct fields f;
		char why[160];
		const char *refusal;

		read_fields(conn, &f);
		if ((refusal = head_refusal(&f, version, why, sizeof(why))) != NULL)
			return refuse_head(h, conn, method, url, refusal);
		/*
		 * libmicrohttpd closes the connection after a response queued
		 * before the request was fully read, so the first call only marks
		 * the request and the answer goes out on the next one: that keeps
		 * connections alive (a preflight's too).  Other methods are refused
		 * at once, which also closes the connection rather than reading a
		 * body nobody wants.
		 */
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strcmp(method, "OPTIONS") == 0) {
			*req_cls = dropped ? MARK(REQ_SEEN_DROPPED) : MARK(REQ_SEEN);
			return MHD_YES;
		}
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	struct heavy *hv = as_heavy(*req_cls);
	if (hv != NULL) {
		/* Resumed: a worker has left the answer (heavy_run()). */
		return respond(h, conn, method, url, &hv->resp, &hv->charged, hv->now, hv->next, &hv->t0, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	args.n = 0;
	if (dropped) {
		/* on_uri() dropped the query: one argument too many is what the API needs to know. */
		memset(args.args, 0, sizeof(args.args));
		for (; args.n < API_MAX_ARGS + 1; args.n++)
			args.args[args.n].key = "";
	} else
		MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, on_arg, &args);
	req.method = method;
	req.path = origin_path(url);
	req.path_len = strlen(req.path);
	req.args = args.args;
	req.nargs = args.n;
	req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	if (h->jobs != NULL && api_is_heavy(&req, (int64_t)time(NULL)) &&
	    heavy_start(h, conn, &req, &t0, req_cls) == 0)
		return MHD_YES;
	answer_current(h, h->history, &req, &resp, &now, &next);
	ret = respond(h, conn, method, url, &resp, NULL, now, next, &t0, 0);
	api_response_free(&resp);
	return ret;
}

/*
 * Called with the request line before libmicrohttpd parses the query.  It
 * keeps a record of every argument in the connection's memory
 * (HTTP_CONN_MEMORY), and 0.9.75, when that runs out while it parses them,
 * neither answers nor closes until the connection times out, so a short
 * query of empty arguments ("?&&&…") would hold a connection unanswered.
 * The API refuses more than API_MAX_ARGS parameters anyway, so a
 * query with more is cut off here, where the request line is still
 * libmicrohttpd's writable buffer (the const is the callback's signature,
 * not the memory's), and the request marked: on_request() then gives the API
 * one argument too many, which gets the answer the whole query would have.
 * Counted as libmicrohttpd splits: at each '&', and the text after the last.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	char *query = strchr(uri, '?');
	size_t n = 0;

	(void)cls;
	(void)conn;
	if (query == NULL || query[1] == '\0')
		return MARK(REQ_NEW);
	for (const char *p = query + 1; *p != '\0'; p++)
		n += *p == '&';
	n += query[strlen(query) - 1] != '&';
	if (n <= API_MAX_ARGS)
		return MARK(REQ_NEW);
	query[1] = '\0';
	return MARK(REQ_NEW_DROPPED);
}

/* Every request ends here, answered or not, the client gone or the server
 * stopping; never while suspended, as nothing closes a suspended connection
 * and http_stop() resumes them all first. */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)conn;
	(void)why;
	heavy_free(as_heavy(*req_cls));
	*req_cls = NULL;
}

/*
 * Once stopping, a new client is closed at once (and falls back, cconv to an
 * upstream) instead of waiting on a server that is going away.  Not
 * MHD_quiesce_daemon(): its listening socket may only be closed after
 * MHD_stop_daemon() (microhttpd.h), since a server thread may still be
 * taking it out of its epoll set, so clients would queue in the backlog for
 * the whole drain; closing it earlier is a race ThreadSanitizer reports, and
 * shutting it down makes libmicrohttpd 0.9.75 abort ("Failed to remove listen
 * FD from epoll set").
 */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http *h = cls;

	(void)addr;
	(void)addrlen;
	return atomic_load(&h->closing) ? MHD_NO : MHD_YES;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

/*
 * The listening socket is ours, not libmicrohttpd's, for one reason: a taken
 * address must be refused.  libmicrohttpd binds with SO_REUSEPORT when asked
 * to reuse an address, and then a second daemon on the same port silently
 * shares the requests with the first.  SO_REUSEADDR alone lets a restart
 * bind at once over the last run's TIME_WAIT connections, and nothing more.
 * On success the socket is bound, listening and non-blocking (the thread
 * pool's threads all accept on it); libmicrohttpd closes it on stop.
 */
static int
listen_on(const struct addrinfo *ai, const struct cconvd_config *cfg, char *err, size_t errlen)
{
	int fd, one = 1, v6 = ai->ai_family == AF_INET6;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1) {
		err_set(err, errlen, "listen: socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1)) {
		err_set(err, errlen, "listen: setsockopt: %s", strerror(errno));
		goto fail;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno == EADDRINUSE)
			err_set(err, errlen, "listen '%s%s%s:%u': address already in use: another cconvd, or another "
			    "program, listens there; stop it or choose another --listen", v6 ? "[" : "",
			    cfg->listen_host, v6 ? "]" : "", cfg->listen_port);
		else
			err_set(err, errlen, "listen '%s%s%s:%u': %s", v6 ? "[" : "", cfg->listen_host, v6 ? "]" : "",
			    cfg->listen_port, strerror(errno));
		goto fail;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		err_set(err, errlen, "listen: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

unsigned
http_threads(const struct cconvd_config *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (cfg->threads > 0)
		return (unsigned int)cfg->threads;

	return ncpu < 1 ? 1U : ncpu > HTTP_MAX_THREADS ? HTTP_MAX_THREADS : (unsigned int)ncpu;
}

unsigned
http_readers(const struct cconvd_config *cfg)
{
	return http_threads(cfg) + HTTP_HEAVY_WORKERS;
}

struct http *
http_start(const struct cconvd_config *cfg, const struct api_history *history, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	struct http *h = NULL;
	const union MHD_DaemonInfo *info;
	char port[8];
	unsigned int threads = http_threads(cfg);
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	int gai, fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", cfg->listen_port);
	if ((gai = getaddrinfo(cfg->listen_host, port, &hints, &ai)) != 0) {
		err_set(err, errlen, "listen '%s': %s", cfg->listen_host, gai_strerror(gai));
		goto fail;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		err_set(err, errlen, "http: out of memory");
		goto fail;
	}
	h->cfg = cfg;
	h->history = history;
	h->budget = (size_t)cfg->series_memory << 20;
	if ((h->jobs = jobs_start(HTTP_HEAVY_WORKERS, HTTP_HEAVY_QUEUE, err, errlen)) == NULL) {
		err_prefix(err, errlen, "http");
		goto fail;
	}
	if ((fd = listen_on(ai, cfg, err, errlen)) == -1)
		goto fail;
	/* The logger comes first: libmicrohttpd reports options parsed before it to stderr itself. */
	h->d = MHD_start_daemon(flags, cfg->listen_port, on_accept, h, on_request, h,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, HTTP_CONN_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, HTTP_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->max_conns_per_ip,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		err_set(err, errlen, "listen '%s:%u': cannot start the HTTP server (run with -v for its reason)",
		    cfg->listen_host, cfg->listen_port);
		goto fail;
	}
	if ((info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT)) == NULL) {
		err_set(err, errlen, "listen: cannot read back the bound port");
		goto fail;
	}
	int v6 = ai->ai_family == AF_INET6;
	log_info("listening on %s%s%s:%u", v6 ? "[" : "", cfg->listen_host, v6 ? "]" : "",
	    (unsigned)info->port);
	freeaddrinfo(ai);
	return h;
fail:
	if (ai != NULL)
		freeaddrinfo(ai);
	http_stop(h);
	return NULL;
}

void
http_stop(struct http *h)
{
	if (h == NULL)
		return;
	if (h->d != NULL) {
		const union MHD_DaemonInfo *info;
		struct timespec pause = { 0, HTTP_DRAIN_POLL_MS * 1000000L };

		/* From now on new clients are turned away at once (on_accept()). */
		atomic_store(&h->closing, 1);
		/*
		 * MHD_stop_daemon() panics on a suspended connection, and a
		 * suspended one would never drain: the heavy requests still
		 * waiting are answered 503 now, the one being rendered stops at
		 * its next day (closing is set) and is answered 503 too, and each
		 * is resumed by its job.  Later ones are answered 503 at once
		 * (jobs_submit() refuses them).
		 */
		jobs_stop(h->jobs);
		for (int waited = 0; waited < HTTP_DRAIN_MS; waited += HTTP_DRAIN_POLL_MS) {
			info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
			if (info == NULL || info->num_connections == 0)
				break;
			nanosleep(&pause, NULL);
		}
		MHD_stop_daemon(h->d);
	}
	jobs_stop(h->jobs);	/* when the daemon never started */
	jobs_free(h->jobs);
	free(h);
}
