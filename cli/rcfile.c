/*
 * rcfile: the defaults file's lines → up to four (key, value, line) triples.
 *
 * The file is small and written by hand, so it is read whole (bounded) and
 * split here; every shape error stops at the first bad line with its number,
 * because a silently skipped line would leave the user wondering why a
 * default does not apply.  '#' starts a comment only at the start of a line:
 * a URL may hold '#'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dirs.h"
#include "err.h"
#include "rcfile.h"
#include "rfile.h"

static const char *const key_names[RCFILE_NKEYS] = { "server", "upstream", "from", "to" };

const char *
rcfile_key_name(enum rcfile_key k)
{
	return k < RCFILE_NKEYS ? key_names[k] : "?";
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* s[0..*n) without blanks at both ends. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && is_blank(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_blank(s[*n - 1]))
		(*n)--;
	return s;
}

/* One line, s[0..n), number lineno.  0, or -1 with the reason in err (the
 * caller names the file and the line). */
static int
parse_line(struct rcfile *rc, const char *s, size_t n, int lineno, char *err, size_t errlen)
{
	const char *eq, *key, *val;
	size_t klen, vlen;
	char q[BUF_QUOTE_LEN];

	s = trim(s, &n);
	if (n == 0 || s[0] == '#')
		return 0;
	if (memchr(s, '\0', n) != NULL) {
		err_set(err, errlen, "a NUL byte");
		return -1;
	}
	if ((eq = memchr(s, '=', n)) == NULL) {
		buf_quote(q, sizeof(q), s, n);
		err_set(err, errlen, "expected 'key = value', got '%s'", q);
		return -1;
	}
	klen = (size_t)(eq - s);
	key = trim(s, &klen);
	vlen = n - (size_t)(eq + 1 - s);
	val = trim(eq + 1, &vlen);
	for (int k = 0; k < RCFILE_NKEYS; k++) {
		if (strlen(key_names[k]) != klen || memcmp(key_names[k], key, klen) != 0)
			continue;
		if (rc->value[k] != NULL) {
			err_set(err, errlen, "'%s' was already set on line %d", key_names[k], rc->line[k]);
			return -1;
		}
		if (vlen == 0) {
			err_set(err, errlen, "'%s' has no value", key_names[k]);
			return -1;
		}
		if ((rc->value[k] = strndup(val, vlen)) == NULL) {
			err_set(err, errlen, "out of memory");
			return -1;
		}
		rc->line[k] = lineno;
		return 0;
	}
	buf_quote(q, sizeof(q), key, klen);
	err_set(err, errlen, "unknown key '%s' (known: server, upstream, from, to)", q);
	return -1;
}

/* Reads the file at path into rc; as rcfile_load(). */
static int
rcfile_read(const char *path, struct rcfile *rc, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len;
	int fd = -1, ret = -1;

	memset(rc, 0, sizeof(*rc));
	if (strlen(path) >= sizeof(rc->path)) {
		err_set(err, errlen, "config: path longer than %zu bytes", sizeof(rc->path) - 1);
		return -1;
	}
	memcpy(rc->path, path, strlen(path) + 1);
	switch (rfile_open(path, &fd, NULL, err, errlen)) {
	case RFILE_MISSING:
		if (errlen > 0)
			err[0] = '\0';
		return 0;	/* no defaults file: not an error */
	case RFILE_OPEN:
		break;
	default:
		goto out;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		err_set(err, errlen, "%s", strerror(errno));
		goto out;
	}
	fd = -1;	/* f owns it */
	if ((text = malloc(RCFILE_MAX_BYTES + 1)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	len = fread(text, 1, RCFILE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		err_set(err, errlen, "%s", strerror(errno));
		goto out;
	}
	if (len > RCFILE_MAX_BYTES) {
		err_set(err, errlen, "larger than %d bytes", RCFILE_MAX_BYTES);
		goto out;
	}
	for (size_t start = 0, lineno = 1; start < len; lineno++) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		if (parse_line(rc, text + start, end - start, (int)lineno, err, errlen) == -1) {
			err_prefix(err, errlen, "line %zu", lineno);
			goto out;
		}
		start = end + 1;
	}
	ret = 0;
out:
	if (ret == -1)
		err_prefix(err, errlen, "config '%s'", path);
	free(text);
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		(void)close(fd);	/* read-only: nothing to lose */
	return ret;
}

int
rcfile_load(struct rcfile *rc, char *err, size_t errlen)
{
	char path[RCFILE_PATH_MAX];

	memset(rc, 0, sizeof(*rc));
	switch (dirs_xdg(DIRS_CONFIG, "cconv/config", path, sizeof(path), err, errlen)) {
	case DIRS_OK:
		return rcfile_read(path, rc, err, errlen);
	case DIRS_NO_HOME:
		if (errlen > 0)
			err[0] = '\0';
		return 0;	/* no home, no defaults file: not an error */
	case DIRS_TOO_LONG:
		break;
	}
	err_prefix(err, errlen, "config");
	return -1;
}

void
rcfile_free(struct rcfile *rc)
{
	if (rc == NULL)
		return;
	for (int k = 0; k < RCFILE_NKEYS; k++) {
		free(rc->value[k]);
		rc->value[k] = NULL;
	}
}
