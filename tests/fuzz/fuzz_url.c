/*
 * libFuzzer target: url_redact() (every URL a program shows or stores).  Its
 * properties: a secret planted as a password or as a query value never comes
 * out; the form is at most 2n + 4 bytes (so URL_SHOWN_LEN holds any URL the
 * programs accept); and a form cut by a small buffer is a prefix of the whole
 * one, so a cut form is redacted too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IN_MAX 2048
#define SECRET "Zq7SECRETq7Z"

static void
check_planted(const char *in)
{
	char url[IN_MAX + 64], out[2 * (IN_MAX + 64) + 8];

	if (strstr(in, SECRET) != NULL)
		return;
	/* As a password: everything before the last '@' ahead of the path. */
	snprintf(url, sizeof(url), "http://u:%s@%s", SECRET, in);
	if (strstr(url_redact(url, out, sizeof(out)), SECRET) != NULL)
		abort();
	/* As a query value: a new query, or a parameter of the one there. */
	snprintf(url, sizeof(url), "%s%caccess_key=%s", in, strchr(in, '?') != NULL ? '&' : '?', SECRET);
	if (strstr(url_redact(url, out, sizeof(out)), SECRET) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[IN_MAX + 1], a[2 * IN_MAX + 8], cut[32];
	size_t n;

	if (size > IN_MAX)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	n = strlen(in);
	url_redact(in, a, sizeof(a));
	if (strlen(a) > 2 * n + 4)
		abort();
	for (size_t len = 1; len <= sizeof(cut); len += 7) {
		url_redact(in, cut, len);
		if (strlen(cut) >= len || strncmp(cut, a, strlen(cut)) != 0)
			abort();
	}
	check_planted(in);
	return 0;
}
