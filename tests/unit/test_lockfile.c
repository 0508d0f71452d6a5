/*
 * lockfile: the lock is taken and its pid written, a second taker is refused
 * with the holder's pid, another process reads that pid, and the lock is free
 * again after release or its holder's death.  A second process is a fork():
 * flock(2) locks are per open file, so they are refused within one process too,
 * but the pid must be read across processes.  Every name of one file meets
 * the same lock.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lockfile.h"

struct fixture {
	char dir[64];
	char path[128];		/* the guarded file; its lock is path + ".lock" */
	char lock[136];
	char err[512];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/cconv-lockfile-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/rates.db", f->dir);
	snprintf(f->lock, sizeof(f->lock), "%s.lock", f->path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	(void)unlink(f->lock);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* What a child process saw, sent back through a pipe. */
struct seen {
	enum lockfile_status status;
	long pid;
};

/* Runs fn(f, &seen) in a child and returns what it saw. */
static struct seen
in_child(struct fixture *f, void (*fn)(struct fixture *, struct seen *))
{
	struct seen seen = { LOCKFILE_ERROR, -1 };
	int fds[2], wstatus;
	pid_t child;

	assert_int_equal(pipe(fds), 0);
	assert_true((child = fork()) != -1);
	if (child == 0) {
		(void)close(fds[0]);
		fn(f, &seen);
		_exit(write(fds[1], &seen, sizeof(seen)) == (ssize_t)sizeof(seen) ? 0 : 1);
	}
	(void)close(fds[1]);
	assert_int_equal(read(fds[0], &seen, sizeof(seen)), (ssize_t)sizeof(seen));
	(void)close(fds[0]);
	assert_int_equal(waitpid(child, &wstatus, 0), child);
	assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	return seen;
}

static void
child_holder(struct fixture *f, struct seen *seen)
{
	seen->status = lockfile_holder(f->path, &seen->pid, f->err, sizeof(f->err));
}

static void
child_take(struct fixture *f, struct seen *seen)
{
	struct lockfile *lf = NULL;

	seen->status = lockfile_take(f->path, &lf, &seen->pid, f->err, sizeof(f->err));
	lockfile_release(lf);
}

static void
test_take_write_pid_release(void **state)
{
	struct fixture *f = *state;
	struct lockfile *lf = NULL, *second = (struct lockfile *)1;
	char text[32], want[32];
	struct seen seen;
	long holder = -1, pid = -1;
	ssize_t n;
	int fd;

	/* No lock file yet: free, and asking does not create one. */
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_FREE);
	assert_int_equal(pid, 0);
	assert_int_equal(access(f->lock, F_OK), -1);

	assert_int_equal(lockfile_take(f->path, &lf, &holder, f->err, sizeof(f->err)), LOCKFILE_TAKEN);
	assert_non_null(lf);
	assert_true((fd = open(f->lock, O_RDONLY)) >= 0);
	assert_true((n = read(fd, text, sizeof(text) - 1)) > 0);
	text[n] = '\0';
	(void)close(fd);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(text, want);

	/* A second taker in this process: refused, told who holds it. */
	assert_int_equal(lockfile_take(f->path, &second, &holder, f->err, sizeof(f->err)), LOCKFILE_HELD);
	assert_null(second);
	assert_int_equal(holder, (long)getpid());
	snprintf(want, sizeof(want), "(pid %ld holds '", (long)getpid());
	assert_non_null(strstr(f->err, want));

	/* Another process: refused too, and reads the pid. */
	seen = in_child(f, child_take);
	assert_int_equal(seen.status, LOCKFILE_HELD);
	assert_int_equal(seen.pid, (long)getpid());
	seen = in_child(f, child_holder);
	assert_int_equal(seen.status, LOCKFILE_HELD);
	assert_int_equal(seen.pid, (long)getpid());

	/* Released: free for another process, and the stale pid is not trusted. */
	lockfile_release(lf);
	seen = in_child(f, child_holder);
	assert_int_equal(seen.status, LOCKFILE_FREE);
	assert_int_equal(seen.pid, 0);
	seen = in_child(f, child_take);
	assert_int_equal(seen.status, LOCKFILE_TAKEN);
	assert_int_equal(seen.pid, 0);
	lockfile_release(NULL);
}

/* A holder that dies without releasing (kill -9, a crash) leaves the lock
 * free: the kernel drops it with the process. */
static void
test_holder_death_frees_it(void **state)
{
	struct fixture *f = *state;
	struct lockfile *lf = NULL;
	int ready[2], go[2], wstatus;
	long holder = -1, pid = -1;
	pid_t child;
	char c = 0;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	assert_true((child = fork()) != -1);
	if (child == 0) {
		struct lockfile *mine = NULL;
		long other;

		if (lockfile_take(f->path, &mine, &other, f->err, sizeof(f->err)) != LOCKFILE_TAKEN)
			_exit(1);
		if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);	/* dies holding it */
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_HELD);
	assert_int_equal(pid, (long)child);
	assert_int_equal(lockfile_take(f->path, &lf, &holder, f->err, sizeof(f->err)), LOCKFILE_HELD);
	assert_int_equal(holder, (long)child);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(child, &wstatus, 0), child);
	assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_FREE);
	assert_int_equal(lockfile_take(f->path, &lf, &holder, f->err, sizeof(f->err)), LOCKFILE_TAKEN);
	lockfile_release(lf);
	(void)close(ready[0]);
	(void)close(ready[1]);
	(void)close(go[0]);
	(void)close(go[1]);
}

/* A lock held by something that wrote no pid cannot be told apart from a
 * daemon that has not written it yet: the prober says so rather than guess,
 * and a taker is refused with "unknown". */
static void
test_held_without_pid(void **state)
{
	struct fixture *f = *state;
	struct lockfile *lf = (struct lockfile *)1;
	long pid = -1;
	char want[200];
	int fd;

	assert_true((fd = open(f->lock, O_RDWR | O_CREAT, 0600)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	assert_int_equal(pid, 0);
	snprintf(want, sizeof(want), "a cconvd holds '%s' but its pid ('') cannot be read", f->lock);
	assert_string_equal(f->err, want);
	assert_int_equal(lockfile_take(f->path, &lf, &pid, f->err, sizeof(f->err)), LOCKFILE_HELD);
	assert_null(lf);
	assert_int_equal(pid, 0);
	snprintf(want, sizeof(want), "in use by another cconvd (pid unknown holds '%s')", f->lock);
	assert_string_equal(f->err, want);
	(void)close(fd);
}

/* Names of one file meet one lock: a symbolic link to it, a path through a
 * linked folder (the file not created yet), a relative path, a link to a file
 * not created yet.  A file with a second hard link is refused. */
static void
test_names_of_one_file(void **state)
{
	struct fixture *f = *state;
	struct lockfile *lf = NULL, *other = (struct lockfile *)1;
	char alias[160], through[192], link_db[160], dangling[160], hard[160], want[256], cwd[PATH_MAX];
	const char *const held[] = { through, link_db, "rates.db" };
	long holder = -1, pid = -1;
	int fd;

	snprintf(alias, sizeof(alias), "%s/alias", f->dir);
	snprintf(through, sizeof(through), "%s/rates.db", alias);
	snprintf(link_db, sizeof(link_db), "%s/link.db", f->dir);
	snprintf(dangling, sizeof(dangling), "%s/dangling.db", f->dir);
	snprintf(hard, sizeof(hard), "%s/hard.db", f->dir);
	assert_int_equal(symlink(f->dir, alias), 0);
	assert_int_equal(lockfile_take(f->path, &lf, &holder, f->err, sizeof(f->err)), LOCKFILE_TAKEN);
	assert_true((fd = open(f->path, O_RDWR | O_CREAT, 0600)) >= 0);
	(void)close(fd);
	assert_int_equal(symlink(f->path, link_db), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		assert_int_equal(lockfile_take(held[i], &other, &holder, f->err, sizeof(f->err)), LOCKFILE_HELD);
		assert_null(other);
		snprintf(want, sizeof(want), "in use by another cconvd (pid %ld holds '%s')", (long)getpid(), f->lock);
		assert_string_equal(f->err, want);
		assert_int_equal(lockfile_holder(held[i], &pid, f->err, sizeof(f->err)), LOCKFILE_HELD);
		assert_int_equal(pid, (long)getpid());
	}
	assert_int_equal(chdir(cwd), 0);
	lockfile_release(lf);

	/* A link to a file not created yet is followed, as SQLite follows it;
	 * a loop of links is refused. */
	assert_int_equal(symlink("missing.db", dangling), 0);
	assert_int_equal(lockfile_take(dangling, &lf, &holder, f->err, sizeof(f->err)), LOCKFILE_TAKEN);
	snprintf(want, sizeof(want), "%s/missing.db", f->dir);
	assert_int_equal(lockfile_holder(want, &pid, f->err, sizeof(f->err)), LOCKFILE_HELD);
	lockfile_release(lf);
	snprintf(want, sizeof(want), "%s/missing.db.lock", f->dir);
	assert_int_equal(unlink(want), 0);
	assert_int_equal(unlink(dangling), 0);
	assert_int_equal(symlink("dangling.db", dangling), 0);
	assert_int_equal(lockfile_take(dangling, &other, &holder, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	assert_null(other);
	snprintf(want, sizeof(want), "cannot resolve '%s' for its lock file: Too many levels of symbolic links",
	    dangling);
	assert_string_equal(f->err, want);

	assert_int_equal(link(f->path, hard), 0);
	assert_int_equal(lockfile_take(hard, &other, &holder, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	assert_null(other);
	assert_non_null(strstr(f->err, "the file has 2 names (hard links)"));
	assert_int_equal(lockfile_take(f->path, &other, &holder, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	assert_int_equal(unlink(hard), 0);
	assert_int_equal(lockfile_take(link_db, &lf, &holder, f->err, sizeof(f->err)), LOCKFILE_TAKEN);
	lockfile_release(lf);

	assert_int_equal(unlink(dangling), 0);
	assert_int_equal(unlink(link_db), 0);
	assert_int_equal(unlink(alias), 0);
	assert_int_equal(unlink(f->path), 0);
}

/* A lock file that cannot be opened, and a path with no room for ".lock". */
static void
test_errors(void **state)
{
	struct fixture *f = *state;
	struct lockfile *lf = (struct lockfile *)1;
	char *long_path;
	long pid = -1;

	assert_int_equal(mkdir(f->lock, 0700), 0);	/* a folder where the file should be */
	assert_int_equal(lockfile_take(f->path, &lf, &pid, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	assert_null(lf);
	assert_non_null(strstr(f->err, "cannot open lock file '"));
	assert_int_equal(rmdir(f->lock), 0);

	assert_non_null(long_path = malloc(2 * PATH_MAX + 1));
	memset(long_path, 'a', 2 * PATH_MAX);
	long_path[2 * PATH_MAX] = '\0';
	assert_int_equal(lockfile_holder(long_path, &pid, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	assert_string_equal(f->err, "path too long for its lock file");
	assert_int_equal(lockfile_take(long_path, &lf, &pid, f->err, sizeof(f->err)), LOCKFILE_ERROR);
	free(long_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_write_pid_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_death_frees_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_without_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_of_one_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
