/*
 * config: cconvd's options, from one table.
 *
 * Each option has a flag, an environment variable, a type, bounds and a
 * default; a flag beats its variable, which beats the default.  Every source goes
 * through the same validator, so "--refresh 5" and "CCONV_REFRESH=5" are refused
 * with the same sentence.  Not thread-safe; called once from main().
 */
#ifndef CCONVD_CONFIG_H
#define CCONVD_CONFIG_H

#include <stddef.h>

#include "publish.h"

/* Upstreams fetched per round: as many as a status reports on (publish.h). */
#define CONFIG_MAX_UPSTREAMS PUBLISH_MAX_UPSTREAMS

struct cconvd_config {
	char *listen_host;	/* "127.0.0.1", "::1", "0.0.0.0", a name */
	unsigned short listen_port;	/* 0: any free port (the log says which) */
	char *db_path;
	char **upstreams;	/* in precedence order, at most CONFIG_MAX_UPSTREAMS */
	size_t nupstreams;
	char *history_upstream;	/* fills missed days (gapfill.h); NULL: never */
	long refresh;		/* seconds between fetches */
	long max_age;		/* seconds after which rates are stale */
	long max_conns_per_ip;	/* connections one client address may hold; 0: no limit */
	long threads;		/* HTTP threads; 0: one per core */
	long series_memory;	/* MiB long series answers not yet sent may hold together */
	int verbose;
	char *import_path;	/* --import FILE: load history, then exit; NULL: serve */
	char *backfill_start;	/* --backfill START: "YYYY-MM-DD", not in the future; NULL: serve */
};

/* Outcomes of config_parse(). */
enum config_status {
	CONFIG_USAGE = -1,	/* bad option: err says which and why; exit 64 */
	CONFIG_RUN = 0,		/* start the daemon */
	CONFIG_EXIT = 1,	/* --help or --version was printed: exit 0 */
};

/*
 * Fills c from argv and the environment.  err: "--refresh must be between 60
 * and 86400 seconds (got '5')", "CCONV_LISTEN 'x': expected HOST:PORT".  The
 * default database path's folders are not created here (store_open() does).
 * c is zeroed first; its strings are owned by c and config_free() releases
 * them, safely after any return value (twice included).
 */
enum config_status config_parse(struct cconvd_config *c, int argc, char **argv, char *err, size_t errlen);
void config_free(struct cconvd_config *c);

#endif
