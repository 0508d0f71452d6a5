/*
 * lockfile: the daemon's lock file and the pid inside it.
 *
 * A separate file rather than a lock on the database itself: SQLite owns the
 * database's POSIX locks, and a close(2) of any descriptor on that file would
 * silently drop ours if they were fcntl locks.  flock(2) locks belong to the
 * open file description, so only lockfile_release() (or the holder's death)
 * drops this one.
 *
 * A prober (lockfile_holder()) takes a shared lock for a few microseconds: a
 * lock it is granted means no holder, and is dropped at once.  A daemon
 * starting at that instant must not take the prober for a second daemon, so
 * lockfile_take() tries a busy lock again, LOCKFILE_TRIES times
 * LOCKFILE_PAUSE_NS apart, before it gives up.  The pid is only trusted while
 * the lock is seen held: a daemon writes it under the lock, and cconvd blocks
 * its signals before it takes the lock, so a SIGHUP sent to that pid cannot
 * kill it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "lockfile.h"
#include "log.h"

#define LOCKFILE_TRIES 10	/* attempts at a busy lock, LOCKFILE_PAUSE_NS apart */
#define LOCKFILE_PAUSE_NS 20000000L	/* 20 ms */
#define LOCKFILE_PATH_MAX (PATH_MAX + 8)
#define LOCKFILE_PID_MAX 24	/* the pid as text, its newline and the NUL */

struct lockfile {
	int fd;			/* flock()ed exclusively */
};

#define LOCKFILE_LINKS_MAX 40	/* links followed to a file not created yet: Linux's own limit */

/*
 * The file path names, with every symbolic link resolved, into out: the
 * path's own realpath(3) when it exists, else its folder's followed by its
 * last name (the file SQLite will create there), a dangling link followed to
 * its target first, as SQLite follows it.  -1 with errno set when that cannot
 * be resolved.
 */
static int
resolve(const char *path, char out[PATH_MAX])
{
	char cur[PATH_MAX], target[PATH_MAX], real[PATH_MAX];
	const char *name;
	char *slash;
	struct stat sb;
	ssize_t n;

	if ((size_t)snprintf(cur, sizeof(cur), "%s", path) >= sizeof(cur)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int links = 0;; links++) {
		if (realpath(cur, out) != NULL)
			return 0;
		slash = strrchr(cur, '/');
		name = slash != NULL ? slash + 1 : cur;
		if (errno != ENOENT || *name == '\0')
			return -1;
		if (lstat(cur, &sb) == -1 || !S_ISLNK(sb.st_mode))
			break;
		if (links == LOCKFILE_LINKS_MAX) {
			errno = ELOOP;
			return -1;
		}
		if ((n = readlink(cur, target, sizeof(target) - 1)) == -1)
			return -1;
		target[n] = '\0';
		/* A relative target is relative to the link's folder. */
		if (target[0] == '/' || slash == NULL)
			slash = cur;
		else
			slash++;
		if ((size_t)snprintf(slash, sizeof(cur) - (size_t)(slash - cur), "%s", target) >=
		    sizeof(cur) - (size_t)(slash - cur)) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	if (slash != NULL)
		*slash = '\0';
	if (realpath(slash == NULL ? "." : slash == cur ? "/" : cur, real) == NULL)
		return -1;
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", strcmp(real, "/") == 0 ? "" : real, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* "<the file path resolves to>.lock" into lock, so that every name of one
 * file (a symbolic link, a relative path) meets the same lock; -1 with err set
 * when it does not fit or the path cannot be resolved (errno kept). */
static int
lock_path(const char *path, char lock[LOCKFILE_PATH_MAX], char *err, size_t errlen)
{
	char real[PATH_MAX];
	int saved;

	if (strlen(path) + sizeof(".lock") > LOCKFILE_PATH_MAX) {
		err_set(err, errlen, "path too long for its lock file");
		errno = ENAMETOOLONG;
		return -1;
	}
	if (resolve(path, real) == -1) {
		saved = errno;
		err_set(err, errlen, "cannot resolve '%s' for its lock file: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	snprintf(lock, LOCKFILE_PATH_MAX, "%s.lock", real);
	return 0;
}

/*
 * A file with several names (hard links) cannot be guarded by a lock beside
 * one of them: a daemon started on another name would not see it.  SQLite
 * would also keep a journal beside each name, so such a database is refused.
 */
static int
one_name(const char *lock, char *err, size_t errlen)
{
	char file[LOCKFILE_PATH_MAX];
	struct stat sb;

	snprintf(file, sizeof(file), "%.*s", (int)(strlen(lock) - strlen(".lock")), lock);
	if (stat(file, &sb) == 0 && sb.st_nlink > 1) {
		err_set(err, errlen, "the file has %ju names (hard links), and a lock beside one of them would not "
		    "stop a cconvd started on another: give it one name", (uintmax_t)sb.st_nlink);
		return -1;
	}
	return 0;
}

/* The pid the holder wrote into the lock file, as text ("" when none). */
static void
read_holder(int fd, char holder[LOCKFILE_PID_MAX])
{
	ssize_t got = pread(fd, holder, LOCKFILE_PID_MAX - 1, 0);

	holder[got > 0 ? got : 0] = '\0';
	holder[strcspn(holder, "\n")] = '\0';
}

/* The holder's pid from its text; 0 when it is not one. */
static long
parse_pid(const char *holder)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(holder, &end, 10);
	if (errno != 0 || end == holder || *end != '\0' || pid <= 1)
		return 0;
	return pid;
}

enum lockfile_status
lockfile_take(const char *path, struct lockfile **out, long *holder, char *err, size_t errlen)
{
	const struct timespec pause = { 0, LOCKFILE_PAUSE_NS };
	enum lockfile_status rc = LOCKFILE_ERROR;
	char lock[LOCKFILE_PATH_MAX], pid[LOCKFILE_PID_MAX], text[LOCKFILE_PID_MAX];
	struct lockfile *lf = NULL;
	int n, tries = 0;

	*out = NULL;
	*holder = 0;
	if (lock_path(path, lock, err, errlen) == -1 || one_name(lock, err, errlen) == -1)
		goto out;
	if ((lf = malloc(sizeof(*lf))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	if ((lf->fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		err_set(err, errlen, "cannot open lock file '%s': %s", lock, strerror(errno));
		goto out;
	}
	while (flock(lf->fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			err_set(err, errlen, "cannot lock '%s': %s", lock, strerror(errno));
			goto out;
		}
		if (++tries < LOCKFILE_TRIES) {
			nanosleep(&pause, NULL);
			continue;
		}
		read_holder(lf->fd, text);
		*holder = parse_pid(text);
		err_set(err, errlen, "in use by another cconvd (pid %s holds '%s')", text[0] ? text : "unknown",
		    lock);
		rc = LOCKFILE_HELD;
		goto out;
	}
	/* Informative only: a failure to record the pid changes nothing. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(lf->fd, 0) == 0 && pwrite(lf->fd, pid, (size_t)n, 0) != n)
		log_debug("could not write the pid into '%s'", lock);
	*out = lf;
	lf = NULL;
	rc = LOCKFILE_TAKEN;
out:
	lockfile_release(lf);
	return rc;
}

void
lockfile_release(struct lockfile *lf)
{
	if (lf == NULL)
		return;
	if (lf->fd != -1)
		(void)close(lf->fd);	/* releases the flock; the pid stays, trusted only under a lock */
	free(lf);
}

/*
 * The file is opened read-only and never created, so a one-shot writer run
 * by another user (root) neither needs write access to it nor leaves behind
 * a lock file the daemon could not open.
 */
enum lockfile_status
lockfile_holder(const char *path, long *pid, char *err, size_t errlen)
{
	enum lockfile_status rc = LOCKFILE_ERROR;
	char lock[LOCKFILE_PATH_MAX], text[LOCKFILE_PID_MAX];
	int fd = -1;

	*pid = 0;
	if (lock_path(path, lock, err, errlen) == -1) {
		if (errno == ENOENT)	/* no folder, so no lock file and no daemon */
			rc = LOCKFILE_FREE;
		goto out;
	}
	if ((fd = open(lock, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {	/* no daemon has ever run on it */
			rc = LOCKFILE_FREE;
			goto out;
		}
		err_set(err, errlen, "cannot open lock file '%s': %s", lock, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		rc = LOCKFILE_FREE;
		goto out;
	}
	if (errno != EWOULDBLOCK) {
		err_set(err, errlen, "cannot probe lock file '%s': %s", lock, strerror(errno));
		goto out;
	}
	read_holder(fd, text);
	if ((*pid = parse_pid(text)) == 0) {
		err_set(err, errlen, "a cconvd holds '%s' but its pid ('%s') cannot be read", lock, text);
		goto out;
	}
	rc = LOCKFILE_HELD;
out:
	if (fd != -1)
		(void)close(fd);	/* drops a probe lock that was granted */
	return rc;
}
