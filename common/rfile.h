/*
 * rfile: opening a file that a user or the environment names, for reading,
 * without ever waiting on it.
 *
 * A plain open(2) of a FIFO blocks until a writer comes, and a read of a
 * terminal or a socket waits for input: a cache, config or import path that
 * names one would hang the program.  rfile_open() opens without blocking,
 * refuses anything but a regular file with the reason, and only then makes
 * the descriptor blocking again, so reads of the file behave as usual.
 * Thread-safe.
 */
#ifndef CCONV_RFILE_H
#define CCONV_RFILE_H

#include <stddef.h>
#include <sys/stat.h>

enum rfile_status {
	RFILE_OPEN = 0,		/* *fd is the file's, read-only; caller closes it */
	RFILE_MISSING,		/* no such file (ENOENT, or a path component is no folder) */
	RFILE_REFUSED,		/* it exists but is not a regular file (a FIFO, a device, a folder) */
	RFILE_ERROR,		/* open or fstat failed otherwise (permission, I/O) */
};

/*
 * Opens path read-only (close-on-exec, never as a controlling terminal).  On
 * RFILE_OPEN *fd is blocking and *st describes the file; otherwise *fd is -1
 * and err holds the reason alone ("No such file or directory", "a FIFO, not
 * a regular file"): the caller names the file.  st may be NULL.
 */
enum rfile_status rfile_open(const char *path, int *fd, struct stat *st, char *err, size_t errlen);

#endif
