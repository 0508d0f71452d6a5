/*
 * cache: the CLI's copy of the last rates it received, for when neither the
 * daemon nor any upstream answers.
 *
 * One file, $XDG_CACHE_HOME/cconv/latest.json (else
 * $HOME/.cache/cconv/latest.json), in Frankfurter's format plus each rate's
 * date where it is not the file's ("dates") and source: "fetched_at" and
 * "upstream" of the first, "sources" of the rates from others
 * (fxjson_render() with FXJSON_ORIGIN), so it is read back through
 * fxjson_parse() and its every validation rule: a damaged file is refused,
 * never trusted.  A file written before rates had their own dates and
 * sources reads as rates of its date from its one upstream.  It is replaced atomically (a temp
 * file in the same folder, fsync, rename), so a reader sees the old snapshot or
 * the new one, never half of one.  Not thread-safe (it reads the environment).
 */
#ifndef CCONV_CLI_CACHE_H
#define CCONV_CLI_CACHE_H

#include <stddef.h>

#include "rates.h"

#define CACHE_DIR "cconv"
#define CACHE_FILE "latest.json"
#define CACHE_PATH_MAX 4096	/* bytes, NUL included */

/* Outcomes of cache_read(). */
enum cache_status {
	CACHE_MISSING = -2,	/* there is no cache file yet */
	CACHE_INVALID = -1,	/* it cannot be read, or is not valid: err says why */
	CACHE_READ = 0,
};

/*
 * Writes the cache file's path into out (CACHE_PATH_MAX bytes).  Returns 0, or
 * -1 with err set when neither XDG_CACHE_HOME nor HOME is an absolute path or
 * the path is too long.
 */
int cache_path(char *out, size_t outlen, char *err, size_t errlen);

/*
 * Replaces the file at path with snapshot r, creating missing folders with
 * mode 0700.  Returns 0, or -1 with err naming the file, then the reason:
 * "cache '/x/latest.json': rename: Permission denied".  Nothing is left
 * behind on failure.
 */
int cache_write(const char *path, const struct rates *r, char *err, size_t errlen);

/* 1 when the file at path holds exactly what cache_write() would write for
 * r (every rate, date and source, and their fetch times), else 0. */
int cache_holds(const char *path, const struct rates *r);

/*
 * Reads and validates the file at path (at most FXJSON_MAX_BODY bytes).  On
 * success *out is a finished snapshot with the origin recorded in the file;
 * caller frees with rates_free().  Returns CACHE_READ; CACHE_MISSING when the
 * file does not exist ("cache '/x/latest.json': No such file or directory");
 * or CACHE_INVALID when it exists but cannot be read or is not valid, with
 * err naming the file and the reason: "cache '/x/latest.json': not JSON (…)".
 */
enum cache_status cache_read(const char *path, struct rates **out, char *err, size_t errlen);

#endif
