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
 * Stopping is graceful: http_stop() turns new clients away at once, answers
 * every request that still arrives on an open connection with
 * "Connection: close", and waits for the connections to go, at most
 * HTTP_DRAIN_MS, before tearing the server down.  A client in the middle of
 * a keep-alive exchange so gets its answer instead of a reset; an idle
 * keep-alive connection costs at most that wait.
 */
#include <netdb.h>
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
#include "http.h"
#include "httpcache.h"
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
 * libmicrohttpd's default, 32 KiB, costs 16 MiB at 500 keep-alive
 * connections.  8 KiB refused (431) any request with more than about 3.9 KB of
 * cookies, which a browser on a busy intranet host can carry; 16 KiB takes
 * header lines up to about 7.9 KB, the 8 KB nginx accepts by default
 * (large_client_header_buffers), for about 4 MiB more at 500 connections.
 * Larger heads are refused with 431.
 */
#define HTTP_CONN_MEMORY 16384U

struct http {
	struct MHD_Daemon *d;
	const struct cconvd_config *cfg;
	const struct api_history *history;
	atomic_int closing;	/* set by http_stop(): every answer closes its connection */
};

struct arg_sink {
	struct api_arg args[API_MAX_ARGS + 1];
	size_t n;
};

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
	snprintf(num, sizeof(num), "%lld", (long long)resp->age);
	if (add_header(r, MHD_HTTP_HEADER_ETAG, etag) == -1 ||
	    add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc) == -1 ||
	    add_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date) == -1 ||
	    add_header(r, MHD_HTTP_HEADER_AGE, num) == -1)
		return -1;
	if (resp->stale && add_header(r, MHD_HTTP_HEADER_WARNING, "110 - \"Response is Stale\"") == -1)
		return -1;
	if (resp->cache == API_CACHE_RATES) {
		/* nginx ignores Age: give it the moment itself ("0": do not keep). */
		if (next > now)
			snprintf(num, sizeof(num), "@%lld", (long long)next);
		else
			snprintf(num, sizeof(num), "0");
		if (add_header(r, "X-Accel-Expires", num) == -1)
			return -1;
	}
	return 0;
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

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct http *h = cls;
	struct arg_sink args;
	struct api_request req;
	struct api_response resp;
	struct api_ctx ctx;
	struct MHD_Response *r = NULL;
	enum MHD_Result ret = MHD_NO;
	unsigned token;
	char *body, etag[HTTPCACHE_ETAG_LEN];
	size_t len = 0;
	int status;
	int64_t next;
	struct timespec t0, t1;

	(void)version;
	(void)upload_data;
	/*
	 * libmicrohttpd closes the connection after a response queued before the
	 * request was fully read, so the first call only marks the request and
	 * the answer goes out on the next one: that keeps connections alive.
	 * Other methods are refused at once, which also closes the connection
	 * rather than reading a body nobody wants.
	 */
	int answerable = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (*req_cls == NULL && answerable) {
		*req_cls = h;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	args.n = 0;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, on_arg, &args);
	req.method = method;
	req.path = origin_path(url);
	req.path_len = strlen(req.path);
	req.args = args.args;
	req.nargs = args.n;

	/* The refresh time before the snapshot: see publish_swap() in refresher.c. */
	memset(&ctx, 0, sizeof(ctx));
	next = publish_next_refresh();
	ctx.rates = publish_acquire(&token);
	ctx.now = (int64_t)time(NULL);
	ctx.max_age = h->cfg->max_age;
	ctx.get_status = publish_get_status;
	ctx.render_metrics = metrics_render;
	ctx.history = h->history;
	api_handle(&ctx, &req, &resp);
	publish_release(token);

	if ((body = buf_steal(&resp.body, &len)) == NULL)
		goto out;
	status = resp.status;
	if (resp.cache != API_CACHE_NO_STORE) {
		httpcache_etag(body, len, etag);
		if (httpcache_not_modified(
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
		    etag, resp.last_modified)) {
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
		char qm[64], qu[64];
		buf_quote(qm, sizeof(qm), method, strlen(method));
		buf_quote(qu, sizeof(qu), url, strlen(url));
		log_debug("%s %s -> %d", qm, qu, status);
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		goto out;
	}
	if (status != MHD_HTTP_NOT_MODIFIED &&
	    add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp.content_type) == -1)
		goto out;
	if (atomic_load(&h->closing) && add_header(r, MHD_HTTP_HEADER_CONNECTION, "close") == -1)
		goto out;
	if (status == 405 && add_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") == -1)
		goto out;
	if (resp.csp != NULL && (add_header(r, "Content-Security-Policy", resp.csp) == -1 ||
	    add_header(r, "X-Content-Type-Options", "nosniff") == -1 ||
	    add_header(r, "Referrer-Policy", "no-referrer") == -1))
		goto out;
	if (add_cache_headers(r, &resp, etag, ctx.now, next, h->cfg->max_age) == -1)
		goto out;
	ret = MHD_queue_response(conn, (unsigned int)status, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_count_request(resp.endpoint, status,
	    (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
out:
	if (r != NULL)
		MHD_destroy_response(r);
	api_response_free(&resp);
	return ret;
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

unsigned
http_threads(const struct cconvd_config *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (cfg->threads > 0)
		return (unsigned int)cfg->threads;

	return ncpu < 1 ? 1U : ncpu > HTTP_MAX_THREADS ? HTTP_MAX_THREADS : (unsigned int)ncpu;
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
	    MHD_USE_ERROR_LOG;
	int gai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", cfg->listen_port);
	if ((gai = getaddrinfo(cfg->listen_host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "listen '%s': %s", cfg->listen_host, gai_strerror(gai));
		goto fail;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "http: out of memory");
		goto fail;
	}
	h->cfg = cfg;
	h->history = history;
	h->d = MHD_start_daemon(flags, cfg->listen_port, on_accept, h, on_request, h,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, HTTP_CONN_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, HTTP_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->max_conns_per_ip,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		snprintf(err, errlen, "listen '%s:%u': cannot bind or start the HTTP server "
		    "(address in use or not local?)", cfg->listen_host, cfg->listen_port);
		goto fail;
	}
	if ((info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT)) == NULL) {
		snprintf(err, errlen, "listen: cannot read back the bound port");
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
		for (int waited = 0; waited < HTTP_DRAIN_MS; waited += HTTP_DRAIN_POLL_MS) {
			info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
			if (info == NULL || info->num_connections == 0)
				break;
			nanosleep(&pause, NULL);
		}
		MHD_stop_daemon(h->d);
	}
	free(h);
}
