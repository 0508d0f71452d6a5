/*
 * rcfile: the CLI's defaults file, $XDG_CONFIG_HOME/cconv/config (else
 * $HOME/.config/cconv/config).
 *
 *   # a comment
 *   server = http://rates.lan:8080
 *   upstream = https://a.example/latest, https://b.example/latest
 *   from = USD
 *   to = GBP,JPY
 *
 * One "key = value" per line; blank lines and lines starting with '#' are
 * skipped; spaces around the key and the value are dropped.  This module only
 * reads the file's shape (known keys, each once, each with a value); the
 * values are judged by args.c with the same code as the flags, and every
 * message names the file and the line.  A missing file is no error.  Not
 * thread-safe (it reads the environment).
 */
#ifndef CCONV_CLI_RCFILE_H
#define CCONV_CLI_RCFILE_H

#include <stddef.h>

#define RCFILE_PATH_MAX 4096	/* bytes, NUL included */
#define RCFILE_MAX_BYTES 65536	/* a longer file is refused */

enum rcfile_key {
	RCFILE_SERVER,
	RCFILE_UPSTREAM,
	RCFILE_FROM,
	RCFILE_TO,
	RCFILE_NKEYS
};

struct rcfile {
	char path[RCFILE_PATH_MAX];	/* "" when there is no file to read */
	char *value[RCFILE_NKEYS];	/* owned; NULL: not in the file */
	int line[RCFILE_NKEYS];		/* 1-based line of each value */
};

/* "server", "upstream", "from", "to". */
const char *rcfile_key_name(enum rcfile_key k);

/*
 * Reads the defaults file into rc: the path from the environment as above
 * (nothing is read when neither variable is an absolute path).  Returns 0
 * (also when the file does not exist), or -1 with err naming the file and
 * the line: "config '/h/.config/cconv/config': line 3: unknown key 'sever'
 * (known: server, upstream, from, to)".  rc is always initialised and must
 * be released with rcfile_free().
 */
int rcfile_load(struct rcfile *rc, char *err, size_t errlen);

void rcfile_free(struct rcfile *rc);

#endif
