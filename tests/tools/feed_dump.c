/*
 * feed_dump: reads one rates document from a file through feed_parse() and
 * prints what the program would store.
 *
 *   feed_dump FILE [DATE:CUR]...
 *
 * stderr gets one summary line: "N snapshots, OLDEST .. NEWEST, parsed in
 * T ms" (the parse alone, file reading excluded), so the same driver measures
 * the parser on the real ECB history.  stdout gets one line per query,
 * "DATE CUR RATE" with the rate exactly as stored, or "DATE CUR none".  A
 * refused document prints the parser's message and exits 1; a usage or I/O
 * error exits 64 or 66.  Used by tests/e2e/test_ecb_history.py.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The whole file, at most FEED_MAX_BODY + 1 bytes (feed_parse() refuses more). */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *body = NULL;

	if (f == NULL)
		return NULL;
	if ((body = malloc((size_t)FEED_MAX_BODY + 1)) != NULL)
		*len = fread(body, 1, (size_t)FEED_MAX_BODY + 1, f);
	if (ferror(f)) {
		free(body);
		body = NULL;
	}
	fclose(f);
	return body;
}

int
main(int argc, char **argv)
{
	struct rates **v = NULL;
	size_t len = 0, n = 0;
	char err[512], *body;
	double t0, t1;

	if (argc < 2) {
		fprintf(stderr, "usage: feed_dump FILE [DATE:CUR]...\n");
		return 64;
	}
	if ((body = slurp(argv[1], &len)) == NULL) {
		fprintf(stderr, "feed_dump: '%s': %s\n", argv[1], strerror(errno));
		return 66;
	}
	t0 = now_ms();
	int rc = feed_parse(body, len, &v, &n, err, sizeof(err));
	t1 = now_ms();
	free(body);
	if (rc == -1) {
		fprintf(stderr, "feed_dump: '%s': %s\n", argv[1], err);
		return 1;
	}
	fprintf(stderr, "%zu snapshots, %s .. %s, %zu bytes parsed in %.1f ms\n", n, rates_date(v[0]),
	    rates_date(v[n - 1]), len, t1 - t0);
	for (int i = 2; i < argc; i++) {
		const char *q = argv[i], *colon = strchr(q, ':');
		const struct rate_entry *e = NULL;
		char text[DEC_STRLEN] = "none";

		if (colon == NULL) {
			fprintf(stderr, "feed_dump: '%s': expected DATE:CUR\n", q);
			rates_vec_free(v, n);
			return 64;
		}
		for (size_t k = 0; k < n && e == NULL; k++)
			if (strncmp(rates_date(v[k]), q, (size_t)(colon - q)) == 0 &&
			    rates_date(v[k])[colon - q] == '\0')
				e = rates_find(v[k], colon + 1);
		if (e != NULL)
			dec_format(&e->rate, text, sizeof(text));
		printf("%.*s %s %s\n", (int)(colon - q), q, colon + 1, text);
	}
	rates_vec_free(v, n);
	return 0;
}
