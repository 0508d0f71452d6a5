/*
 * libFuzzer target: api_handle(), every route and parameter rule, over a fixed
 * snapshot and a fake history of three days (2026-11-16, -18, -20).  The input
 * is one flags byte, then "path?query" as libmicrohttpd hands them over after
 * decoding: the path ends at its first NUL (http.c takes strlen(url)), query
 * keys and values are raw bytes split on '&' and the first '=', NUL bytes
 * included.
 *
 * Checked on every input: the status is one the API documents, 5xx (503) only
 * when there are no rates or the history is absent or broken (flag bits), every
 * JSON answer parses (jansson), every error is exactly the form of its route's
 * dialect ({"error":"..."} on cconvd's own routes, {"message":"..."} and never
 * 400 on Frankfurter's, never 422 on cconvd's, fixer.io's error object with
 * access_key, Frankfurter v2's under /v2), OPTIONS is an empty 204, and every
 * other kind of answer (text, the page, metrics) is a 200.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "fxjson.h"
#include "metrics.h"
#include "v2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1795190400	/* 2026-11-20T16:00:00Z */

static const char snapshot_json[] =
    "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{"
    "\"GBP\":0.884,\"JPY\":163.36,\"KWD\":0.32411,\"USD\":1.0512,\"CHF\":0.9301,"
    "\"BHD\":0.39634,\"ISK\":145.7,\"CLF\":0.02543}}";

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "get", "BREW"
};

static const char *const history_days[] = { "2026-11-16", "2026-11-18", "2026-11-20" };
static struct rates *snapshot;
static int history_broken;	/* set per input from its flags byte */

/* The snapshot's rates under another date; caller frees. */
static struct rates *
day_snapshot(const char *date)
{
	char body[sizeof(snapshot_json)], err[256];
	const char *at = strstr(snapshot_json, "2026-11-20");
	struct rates *r = NULL;

	memcpy(body, snapshot_json, sizeof(snapshot_json));
	memcpy(body + (at - snapshot_json), date, 10);
	if (fxjson_parse(body, sizeof(body) - 1, &r, err, sizeof(err)) == -1 ||
	    rates_set_origin(r, FUZZ_NOW, "http://127.0.0.1/latest") == -1)
		abort();
	return r;
}

static int
fake_on(void *cls, const char *date, const struct api_only *only, struct rates **out, struct api_day *day, char *err,
    size_t errlen)
{
	(void)cls;
	(void)only;
	*out = NULL;
	memset(day, 0, sizeof(*day));
	day->stored = 1;
	if (history_broken) {
		snprintf(err, errlen, "store '/x.db': disk I/O error");
		return -1;
	}
	for (int i = 2; i >= 0; i--)
		if (strcmp(history_days[i], date) <= 0) {
			*out = day_snapshot(history_days[i]);
			return 0;
		}
	return 0;
}

static int
fake_each(void *cls, const char *start, const char *end, const struct api_only *only,
    int (*fn)(void *, const struct rates *), void *arg, char *err, size_t errlen)
{
	(void)only;
	(void)cls;
	if (history_broken) {
		snprintf(err, errlen, "store '/x.db': disk I/O error");
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (strcmp(history_days[i], start) < 0 || strcmp(history_days[i], end) > 0)
			continue;
		struct rates *r = day_snapshot(history_days[i]);
		int rc = fn(arg, r);
		rates_free(r);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The same days, newest first, for the ECB's files. */
static int
fake_provider_each(void *cls, const char *provider, const char *base, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	(void)provider;
	(void)base;
	if (history_broken) {
		snprintf(err, errlen, "store '/x.db': disk I/O error");
		return -1;
	}
	for (int i = 2; i >= 0; i--) {
		if (strcmp(history_days[i], start) < 0 || strcmp(history_days[i], end) > 0)
			continue;
		struct rates *r = day_snapshot(history_days[i]);
		int rc = fn(arg, r);
		rates_free(r);
		if (rc != 0)
			return rc;
	}
	(void)cls;
	return 0;
}

static const struct api_history fake_history = { NULL, fake_on, fake_each, fake_provider_each };

static void
fake_status(struct fetch_status *st)
{
	memset(st, 0, sizeof(*st));
	st->at = FUZZ_NOW;
	st->ok = 0;
	memcpy(st->upstream, "http://127.0.0.1/\"quoted\"", 26);
	memcpy(st->error, "HTTP 503\n\x01", 11);
}

static void
load_snapshot(void)
{
	char err[256];

	if (fxjson_parse(snapshot_json, sizeof(snapshot_json) - 1, &snapshot, err, sizeof(err)) == -1 ||
	    rates_set_origin(snapshot, FUZZ_NOW, "http://127.0.0.1/latest") == -1)
		abort();
}

/* A /v2 error is Frankfurter v2's: {"status":N,"message":"…"}, N its status. */
static int
v2_error_ok(const struct api_response *resp, json_t *j)
{
	json_t *st = json_object_get(j, "status"), *m = json_object_get(j, "message");

	return json_object_size(j) == 2 && json_is_integer(st) && json_integer_value(st) == resp->status &&
	    json_is_string(m) && json_string_length(m) > 0;
}

/* fixer.io's {"success":false,"error":{"code":N,"type":"…","info":"…"}}, N the status. */
static int
fixer_error_ok(const struct api_response *resp, json_t *j)
{
	json_t *e = json_object_get(j, "error"), *code = json_object_get(e, "code");
	json_t *type = json_object_get(e, "type"), *info = json_object_get(e, "info");

	return json_object_size(j) == 2 && json_is_false(json_object_get(j, "success")) && json_object_size(e) == 3 &&
	    json_is_integer(code) && json_integer_value(code) == resp->status && json_is_string(type) &&
	    json_string_length(type) > 0 && json_is_string(info) && json_string_length(info) > 0;
}

static int
frankfurter_route(enum api_endpoint ep)
{
	return ep == API_EP_LATEST || ep == API_EP_CURRENCIES || ep == API_EP_DATE || ep == API_EP_SERIES ||
	    ep == API_EP_V1;
}

static void
check_response(const struct api_request *req, const struct api_response *resp, int may_503, int v2)
{
	json_t *j, *e;
	json_error_t jerr;
	int frankfurter = !v2 && frankfurter_route(resp->endpoint);
	const char *key = frankfurter ? "message" : "error";

	if (strcmp(req->method, "OPTIONS") == 0) {
		if (resp->status != 204 || resp->body.len != 0 || resp->content_type != NULL)
			abort();
		return;
	}
	switch (resp->status) {
	case 200: case 404: case 405:
		break;
	case 400:
		if (v2 || frankfurter)
			abort();
		break;
	case 406:
		if (!v2)
			abort();
		break;
	case 422:
		if (!v2 && !frankfurter)
			abort();
		break;
	case 503:
		if (!may_503)
			abort();
		break;
	default:
		abort();
	}
	if (resp->body.data == NULL || resp->content_type == NULL ||
	    strlen(resp->body.data) != resp->body.len)
		abort();
	if (strcmp(resp->content_type, "application/json") != 0) {
		if (resp->status != 200)
			abort();
		return;
	}
	if ((j = json_loadb(resp->body.data, resp->body.len, 0, &jerr)) == NULL)
		abort();
	if (v2 && resp->status != 200 && resp->status != 405) {
		if (!v2_error_ok(resp, j))
			abort();
	} else if (resp->status != 200 && resp->endpoint != API_EP_HEALTHZ && resp->fixer_errors) {
		if (!fixer_error_ok(resp, j))
			abort();
	} else if (resp->status != 200 && resp->endpoint != API_EP_HEALTHZ) {
		e = json_object_get(j, key);
		if (json_object_size(j) != 1 || !json_is_string(e) || json_string_length(e) == 0)
			abort();
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_arg args[API_MAX_ARGS + 1];
	struct api_request req;
	struct api_response resp;
	struct api_ctx ctx;
	const char *in = (const char *)data + 1, *end, *q, *p;
	char *path;
	size_t n, plen;

	if (size == 0)
		return 0;
	if (snapshot == NULL)
		load_snapshot();
	n = size - 1;
	end = in + n;
	q = memchr(in, '?', n);
	plen = (size_t)((q != NULL ? q : end) - in);
	if ((path = malloc(plen + 1)) == NULL)
		return 0;
	memcpy(path, in, plen);
	path[plen] = '\0';

	req.method = methods[data[0] & 7];
	req.path = path;
	req.path_len = strlen(path);
	req.args = args;
	req.nargs = 0;
	req.accept = NULL;
	/* http.c passes at most one argument more than the API accepts. */
	for (p = q != NULL ? q + 1 : end; q != NULL && req.nargs < API_MAX_ARGS + 1; ) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp != NULL ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		struct api_arg *a = &args[req.nargs++];

		a->key = p;
		a->key_len = (size_t)((eq != NULL ? eq : stop) - p);
		a->value = eq != NULL ? eq + 1 : NULL;
		a->value_len = eq != NULL ? (size_t)(stop - eq - 1) : 0;
		if (amp == NULL)
			break;
		p = amp + 1;
	}

	/* Fields added to api_ctx later start as NULL/0 (their routes' "absent" case). */
	memset(&ctx, 0, sizeof(ctx));
	ctx.rates = (data[0] & 0x08) ? NULL : snapshot;
	/* Bit 4: two days later, so answers are stale. */
	ctx.now = FUZZ_NOW + ((data[0] & 0x10) ? 2 * 86400 : 60);
	ctx.max_age = 86400;
	ctx.get_status = (data[0] & 0x20) ? NULL : fake_status;
	ctx.render_metrics = (data[0] & 0x40) ? NULL : metrics_render;
	/* Bit 7: history broken, or absent when bit 6 is set too. */
	history_broken = (data[0] & 0x80) != 0;
	ctx.history = (data[0] & 0xc0) == 0xc0 ? NULL : &fake_history;
	api_handle(&ctx, &req, &resp);
	check_response(&req, &resp, ctx.rates == NULL || (data[0] & 0x80) != 0, v2_is_path(req.path, req.path_len));
	api_response_free(&resp);
	free(path);
	return 0;
}
