/*
 * cache: the last rates the CLI received, kept in one file for the day neither
 * the daemon nor an upstream answers.
 *
 * The file is the same Frankfurter JSON an upstream sends, plus when and from
 * where the rates were fetched, so reading it back is the one validated data
 * path (fxjson_parse()) and not a second, trusting parser.  Writing follows
 * the usual atomic-replace recipe: a temp file from mkostemp() in the target's
 * own folder (rename(2) is atomic only within one file system), the whole text
 * written, fsync(2), close, rename over the target, then fsync of the folder so
 * the new name survives a crash.  Any failure removes the temp file, so an
 * interrupted write leaves the previous cache intact and no debris behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "dirs.h"
#include "err.h"
#include "fxjson.h"
#include "rfile.h"

#define READ_CHUNK 65536	/* bytes per read(2) */

int
cache_path(char *out, size_t outlen, char *err, size_t errlen)
{
	if (dirs_xdg(DIRS_CACHE, CACHE_DIR "/" CACHE_FILE, out, outlen, err, errlen) != DIRS_OK) {
		err_prefix(err, errlen, "cache");
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The file's text for r into b; 0, or -1 with err set. */
static int
render(struct buf *b, const struct rates *r, char *err, size_t errlen)
{
	const struct rate_entry *pivot = rates_find(r, rates_pivot(r)->code);

	if (pivot == NULL || fxjson_render(b, r, pivot, NULL, 0, NULL, FXJSON_ORIGIN) == -1 || buf_failed(b)) {
		err_set(err, errlen, "the rates could not be written as JSON");
		return -1;
	}
	return 0;
}

int
cache_write(const char *path, const struct rates *r, char *err, size_t errlen)
{
	struct buf b;
	char dir[CACHE_PATH_MAX];
	char tmp[CACHE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd = -1, dfd = -1, tmp_made = 0, n;
	int rc = -1;

	buf_init(&b, FXJSON_MAX_BODY);
	if (slash == NULL || slash == path || (size_t)(slash - path) >= sizeof(dir)) {
		err_set(err, errlen, "not an absolute file path");
		goto out;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';

	if (render(&b, r, err, errlen) == -1)
		goto out;
	if (dirs_make_parents(path, err, errlen) == -1)
		goto out;

	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		err_set(err, errlen, "path too long");
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		err_set(err, errlen, "creating a temp file: %s", strerror(errno));
		goto out;
	}
	tmp_made = 1;
	if (write_all(fd, b.data, b.len) == -1 || fsync(fd) == -1) {
		err_set(err, errlen, "writing '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_set(err, errlen, "writing '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		err_set(err, errlen, "rename: %s", strerror(errno));
		goto out;
	}
	tmp_made = 0;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 || fsync(dfd) == -1) {
		err_set(err, errlen, "syncing folder: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		err_prefix(err, errlen, "cache '%s'", path);
	if (fd != -1)
		(void)close(fd);	/* already failing; the temp file goes below */
	if (dfd != -1)
		(void)close(dfd);	/* read-only descriptor: nothing to lose */
	if (tmp_made)
		(void)unlink(tmp);	/* best effort on a path we just created */
	buf_free(&b);
	return rc;
}

/* The whole file at path into b (FXJSON_MAX_BODY bytes at most): CACHE_READ,
 * CACHE_MISSING or CACHE_INVALID with err set, without the path. */
static enum cache_status
read_whole(const char *path, struct buf *b, char *err, size_t errlen)
{
	char *chunk = NULL;
	int fd = -1;
	enum cache_status rc = CACHE_INVALID;

	/* A FIFO there would otherwise hang every command that falls back to
	 * the cache, and shell completion with it. */
	if (rfile_open(path, &fd, NULL, err, errlen) == RFILE_MISSING)
		rc = CACHE_MISSING;
	if (fd == -1)
		goto out;
	if ((chunk = malloc(READ_CHUNK)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t got = read(fd, chunk, READ_CHUNK);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			err_set(err, errlen, "%s", strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (buf_append(b, chunk, (size_t)got) == -1) {
			err_set(err, errlen, "larger than %d bytes", FXJSON_MAX_BODY);
			goto out;
		}
	}
	rc = CACHE_READ;
out:
	if (fd != -1)
		(void)close(fd);	/* read-only descriptor: nothing to lose */
	free(chunk);
	return rc;
}

int
cache_holds(const char *path, const struct rates *r)
{
	struct buf want, have;
	char err[256];
	int same;

	buf_init(&want, FXJSON_MAX_BODY);
	buf_init(&have, FXJSON_MAX_BODY);
	same = render(&want, r, err, sizeof(err)) == 0 && read_whole(path, &have, err, sizeof(err)) == CACHE_READ &&
	    want.len == have.len && memcmp(want.data, have.data, want.len) == 0;
	buf_free(&want);
	buf_free(&have);
	return same;
}

enum cache_status
cache_read(const char *path, struct rates **out, char *err, size_t errlen)
{
	struct buf b;
	enum cache_status rc;

	*out = NULL;
	buf_init(&b, FXJSON_MAX_BODY);
	if ((rc = read_whole(path, &b, err, errlen)) == CACHE_READ &&
	    fxjson_parse(b.data != NULL ? b.data : "", b.len, out, err, errlen) == -1)
		rc = CACHE_INVALID;
	if (rc != CACHE_READ)
		err_prefix(err, errlen, "cache '%s'", path);
	buf_free(&b);
	return rc;
}
