/*
 * libFuzzer target: jscan, the JSON scanner every rates document goes
 * through.  Beyond "no crash, no UB": jscan and jansson, an independent
 * parser, agree on which texts are JSON (jansson's own limits aside: it
 * refuses numbers a double or long long cannot hold, which jscan keeps as
 * text, nests deeper, and stops at a NUL byte); every string decodes to UTF-8 no longer than
 * its text, with no NUL; and skipping a value lands where reading it
 * token by token does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the text token by token; 0 when it is JSON, -1 with err set. */
static int
walk(const char *text, size_t size, char *err, size_t errlen)
{
	struct jscan s;
	enum jscan_token tok;
	char out[64];
	struct dec d;

	jscan_start(&s, text, size);
	while ((tok = jscan_next(&s, err, errlen)) != JSCAN_END) {
		if (tok == JSCAN_ERROR)
			return -1;
		if (tok == JSCAN_KEY || tok == JSCAN_STRING) {
			size_t n = jscan_string(&s.str, out, sizeof(out));
			if (n > s.str.n || strlen(out) != (n < sizeof(out) ? n : sizeof(out) - 1))
				abort();
		}
		if (tok == JSCAN_NUMBER)
			(void)jscan_rate(s.tok, s.num_len, &d);
	}
	return 0;
}

/* The same text read with jscan_skip() for the top value: same verdict. */
static int
skipped(const char *text, size_t size)
{
	struct jscan s;
	char err[160];

	jscan_start(&s, text, size);
	if (jscan_skip(&s, jscan_next(&s, err, sizeof(err)), err, sizeof(err)) == -1)
		return -1;
	return jscan_next(&s, err, sizeof(err)) == JSCAN_END ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[160];
	json_error_t jerr;
	json_t *j;
	int ours = walk(text, size, err, sizeof(err));

	if (ours == -1 && (err[0] == '\0' || strncmp(err, "line ", 5) != 0))
		abort();
	if (skipped(text, size) != ours)
		abort();
	j = json_loadb(text, size, JSON_DECODE_ANY, &jerr);
	json_decref(j);
	if (ours == 0 && j == NULL && strstr(jerr.text, "too big") == NULL && strstr(jerr.text, "overflow") == NULL)
		abort();
	/* jansson also takes a NUL byte for the end of the text, where jscan refuses it. */
	if (ours == -1 && j != NULL && strstr(err, "nested more than") == NULL && memchr(text, '\0', size) == NULL)
		abort();
	return 0;
}
