/*
 * v2: the router of Frankfurter's API v2 and what its routes share: the
 * error body, the check of parameter names, the start of a 200.
 *
 * Frankfurter answers an unknown parameter with 422 rather than ignoring
 * it, so every v2 route lists the names it takes; a misspelt "quote=" then
 * says so instead of answering every currency.  CSV exists only for rates:
 * any other ".csv" path is 406, as Frankfurter answers it.
 */
#include <stdio.h>
#include <string.h>

#include "v2.h"
#include "v2meta.h"
#include "v2rates.h"


static const char ct_json[] = "application/json";

/* What Frankfurter answers at /v2: which version this is and where its
 * contract is.  The OpenAPI document is Frankfurter's, not served here. */
static const char root_payload[] = "{\"version\":\"v2\",\"status\":\"current\","
    "\"openapi\":\"https://api.frankfurter.dev/v2/openapi.json\",\"docs\":\"https://frankfurter.dev\"}\n";

int
v2_is_path(const char *path, size_t n)
{
	return api_is_word(path, n, "/v2") || (n >= 4 && memcmp(path, "/v2/", 4) == 0);
}

void
v2_begin_answer(const struct api_ctx *ctx, struct api_response *resp)
{
	resp->status = 200;
	resp->content_type = ct_json;
	if (ctx->rates == NULL) {
		/* Nothing to date it by: an answer that a first fetch will change. */
		resp->last_modified = -1;
		resp->cache = API_CACHE_NO_STORE;
		return;
	}
	resp->last_modified = rates_fetched_at(ctx->rates);
	resp->age = ctx->now > resp->last_modified ? ctx->now - resp->last_modified : 0;
	resp->stale = rates_stale_at(ctx->rates, ctx->now, ctx->max_age);
	resp->cache = API_CACHE_RATES;
}

static int
allowed_name(const struct api_arg *a, const char *const *allowed)
{
	for (; *allowed != NULL; allowed++)
		if (api_is_word(a->key, a->key_len, *allowed))
			return 1;
	return 0;
}

int
v2_known_params(const struct api_request *req, const char *const *allowed, struct api_response *resp)
{
	char list[BUF_QUOTE_LEN * 2], quoted[BUF_QUOTE_LEN];
	size_t used = 0;

	/* Past the limit the names are not all known (http.c may drop them). */
	if (req->nargs > API_MAX_ARGS) {
		api_answer_error(resp, 422, "more than %d query parameters", API_MAX_ARGS);
		return -1;
	}
	list[0] = '\0';
	for (size_t i = 0; i < req->nargs; i++) {
		if (allowed_name(&req->args[i], allowed))
			continue;
		buf_quote(quoted, sizeof(quoted), req->args[i].key, req->args[i].key_len);
		if (used < sizeof(list)) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s", used > 0 ? ", " : "", quoted);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	if (list[0] == '\0')
		return 0;
	api_answer_error(resp, 422, "unknown parameter: %s", list);
	return -1;
}

static void
route_root(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	static const char *const none[] = { NULL };

	if (v2_known_params(req, none, resp) == -1)
		return;
	v2_begin_answer(ctx, resp);
	buf_puts(&resp->body, root_payload);
}

const struct api_arg *
v2_arg(const struct api_request *req, const char *name, int *bad, struct api_response *resp)
{
	const struct api_arg *found = NULL;

	for (size_t i = 0; i < req->nargs; i++) {
		const struct api_arg *a = &req->args[i];
		if (!api_is_word(a->key, a->key_len, name))
			continue;
		if (found != NULL && *bad == 0) {
			api_answer_error(resp, 422, "parameter '%s' given twice", name);
			*bad = -1;
		}
		found = a;
	}
	return found;
}

void
v2_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	const char *path = req->path + 3;	/* after "/v2" */
	size_t n = req->path_len - 3;

	resp->endpoint = API_EP_V2;
	if (n == 0 || api_is_word(path, n, "/"))
		route_root(ctx, req, resp);
	else if (v2rates_route(ctx, req, path, n, resp))
		;
	else if (n >= 4 && memcmp(path + n - 4, ".csv", 4) == 0)
		api_answer_error(resp, 406, "CSV is served for rates only");
	else if (!v2meta_handle(ctx, req, path, n, resp))
		api_answer_error(resp, 404, "not found");
	/* api_answer_error() frees the failed buffer first, so its short
	 * message needs little memory. */
	if (buf_failed(&resp->body) == BUF_NO_MEMORY)
		api_answer_error(resp, 503, "out of memory; try again");
	else if (buf_failed(&resp->body))
		api_answer_error(resp, 422, "answer too large; ask for less");
}
