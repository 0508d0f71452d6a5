/*
 * lockfile: one cconvd per database, told by a lock file beside it.
 *
 * The daemon holds an exclusive flock(2) on "<path>.lock" for as long as it
 * runs and writes its pid inside, so a second daemon is refused with the
 * first one's pid, and a one-shot writer (--import, --backfill) finds the
 * daemon to signal.  <path> is the file the given path names, every symbolic
 * link resolved (the folder's when the file does not exist yet), so a link to
 * the database meets the same lock; a file with more than one name (hard
 * links) is refused.  The kernel drops the lock when its holder dies, kill -9
 * included, so a stale file never locks anyone out.
 *
 * Messages are the module's own reasons ("cannot open lock file '/x.lock':
 * Permission denied"); the caller adds which database they concern.
 * Thread-safe: no shared state.
 */
#ifndef CCONVD_LOCKFILE_H
#define CCONVD_LOCKFILE_H

#include <stddef.h>

struct lockfile;

enum lockfile_status {
	LOCKFILE_TAKEN,		/* lockfile_take(): this process holds the lock now */
	LOCKFILE_FREE,		/* lockfile_holder(): no process holds it */
	LOCKFILE_HELD,		/* another process holds it: *pid is its pid */
	LOCKFILE_ERROR,		/* err says why */
};

/*
 * Takes the lock on "<path>.lock" for this process, creating the file (0600)
 * if need be, and writes this process's pid into it.  LOCKFILE_TAKEN with
 * *out the held lock (the caller releases it with lockfile_release());
 * LOCKFILE_HELD with *holder the holder's pid, or 0 when it wrote none, and
 * err set ("in use by another cconvd (pid 12 holds '/x/rates.db.lock')");
 * LOCKFILE_ERROR with err set (also for a path that cannot be resolved, and
 * for a file with several hard links).  A lock found busy is tried again for about
 * 200 ms first (see lockfile.c).
 */
enum lockfile_status lockfile_take(const char *path, struct lockfile **out, long *holder, char *err,
    size_t errlen);

/* Drops the lock and frees lf; accepts NULL. */
void lockfile_release(struct lockfile *lf);

/*
 * Who holds the lock on "<path>.lock", without taking it: LOCKFILE_FREE (*pid
 * 0) when no process does or no lock file (or folder) exists; LOCKFILE_HELD with *pid the
 * holder's; LOCKFILE_ERROR with *pid 0 and err set when that cannot be told
 * (the file unreadable, a holder whose pid is not written yet).  Never
 * creates the file and needs only read access to it.
 */
enum lockfile_status lockfile_holder(const char *path, long *pid, char *err, size_t errlen);

#endif
