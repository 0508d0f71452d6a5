/*
 * dirs: the XDG base folders and mkdir -p, shared by the CLI's cache and
 * defaults file and the daemon's database.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dirs.h"
#include "err.h"

#define DIRS_MODE 0700

static const struct {
	const char *var;	/* the XDG variable */
	const char *under_home;	/* the spec's default, relative to $HOME */
} bases[] = {
	[DIRS_CONFIG] = { "XDG_CONFIG_HOME", ".config" },
	[DIRS_CACHE] = { "XDG_CACHE_HOME", ".cache" },
	[DIRS_STATE] = { "XDG_STATE_HOME", ".local/state" },
};

enum dirs_status
dirs_xdg(enum dirs_base base, const char *rel, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *xdg = getenv(bases[base].var), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/%s", xdg, rel);
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, outlen, "%s/%s/%s", home, bases[base].under_home, rel);
	else {
		out[0] = '\0';
		err_set(err, errlen, "neither %s nor HOME is an absolute path", bases[base].var);
		return DIRS_NO_HOME;
	}
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		err_set(err, errlen, "path longer than %zu bytes", outlen - 1);
		return DIRS_TOO_LONG;
	}
	return DIRS_OK;
}

int
dirs_make_parents(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(dir)) {
		err_set(err, errlen, "path longer than %d bytes", PATH_MAX - 1);
		return -1;
	}
	memcpy(dir, path, len + 1);
	/* From 1: a leading '/' names the root, which exists.  Each '/' that
	 * ends a name ends a folder to make; "a//b" has one between a and b. */
	for (size_t i = 1; i < len; i++) {
		if (dir[i] != '/' || dir[i - 1] == '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, DIRS_MODE) == -1 && errno != EEXIST) {
			err_set(err, errlen, "cannot create folder '%s': %s", dir, strerror(errno));
			return -1;
		}
		dir[i] = '/';
	}
	return 0;
}
