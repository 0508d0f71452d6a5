/*
 * rfile: a named file opened for reading, or refused at once.
 *
 * O_NONBLOCK makes open(2) of a FIFO return at once instead of waiting for a
 * writer; fstat(2) of the descriptor, not stat(2) of the path, judges what
 * was opened, so a file swapped in between cannot slip through.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "rfile.h"

static const char *
kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

enum rfile_status
rfile_open(const char *path, int *fd, struct stat *st, char *err, size_t errlen)
{
	struct stat sb;
	enum rfile_status rc = RFILE_ERROR;
	int flags, f;

	*fd = -1;
	if ((f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			rc = RFILE_MISSING;
		err_set(err, errlen, "%s", strerror(errno));
		return rc;
	}
	if (fstat(f, &sb) == -1) {
		err_set(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(err, errlen, "%s, not a regular file", kind(sb.st_mode));
		rc = RFILE_REFUSED;
		goto fail;
	}
	if ((flags = fcntl(f, F_GETFL)) == -1 || fcntl(f, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		err_set(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (st != NULL)
		*st = sb;
	*fd = f;
	return RFILE_OPEN;
fail:
	(void)close(f);	/* read-only, never read: nothing to lose */
	return rc;
}
