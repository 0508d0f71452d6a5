/*
 * dirs: where cconv keeps its files, and the folders above one.
 *
 * A base folder follows the XDG Base Directory spec: $XDG_CONFIG_HOME,
 * $XDG_CACHE_HOME or $XDG_STATE_HOME when it is an absolute path, else the
 * spec's default under $HOME.  The spec says a relative XDG_* value is invalid
 * and must be ignored.  It says nothing of a relative HOME; cconv refuses one
 * too, since a path relative to wherever a program happens to be started
 * would scatter caches and databases over the file system.  An unset or empty
 * variable counts as not absolute.
 *
 * dirs_xdg() reads the environment, so it is not thread-safe: call it from
 * main()'s thread before others start.  dirs_make_parents() is thread-safe.
 */
#ifndef CCONV_DIRS_H
#define CCONV_DIRS_H

#include <stddef.h>

enum dirs_base {
	DIRS_CONFIG,		/* $XDG_CONFIG_HOME, else $HOME/.config */
	DIRS_CACHE,		/* $XDG_CACHE_HOME, else $HOME/.cache */
	DIRS_STATE,		/* $XDG_STATE_HOME, else $HOME/.local/state */
};

enum dirs_status {
	DIRS_OK,		/* out holds the path */
	DIRS_NO_HOME,		/* neither the base's variable nor HOME is an absolute path */
	DIRS_TOO_LONG,		/* the path does not fit in out */
};

/*
 * Writes the base folder, '/' and rel ("cconv/latest.json") into out
 * (outlen > 0).  DIRS_OK; otherwise out is "" and err holds the reason:
 * "neither XDG_CACHE_HOME nor HOME is an absolute path", "path longer than
 * 4095 bytes".
 */
enum dirs_status dirs_xdg(enum dirs_base base, const char *rel, char *out, size_t outlen, char *err,
    size_t errlen);

/*
 * Creates every missing folder above the file at path, each with mode 0700
 * (what cconv keeps says what its user converts); folders that exist keep
 * theirs, and the file itself is left to its writer.  A relative path's
 * folders are made relative to the working folder.  0, or -1 with err set:
 * "cannot create folder '/a/b': Permission denied", "path longer than 4095
 * bytes".
 */
int dirs_make_parents(const char *path, char *err, size_t errlen);

#endif
