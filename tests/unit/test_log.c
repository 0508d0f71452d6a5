/*
 * log: fatal() and fatalx() end the program with status 1 after exactly one
 * line naming the program, the level and the reason (the house rule in
 * log.h), an ordinary warning leaves it running, an error says "error:", a
 * stamped line starts with its time, and only stderr itself counts as the
 * journal.  Each logging case runs in a child process whose stderr is a pipe.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

#define STATUS_RETURNED 42	/* the child's exit status when the call came back */

/* Runs fn in a child with stderr into a pipe: its exit status into *status
 * and everything it wrote to stderr into out. */
static void
run_child(void (*fn)(void), int *status, char *out, size_t outlen)
{
	size_t got = 0;
	int fds[2], ws;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	/* The child's exit() flushes stdio: nothing of cmocka's may be pending. */
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(fds[1], STDERR_FILENO) == -1)
			_exit(99);
		close(fds[0]);
		close(fds[1]);
		log_init("cconvd", 0);
		fn();
		_exit(STATUS_RETURNED);
	}
	close(fds[1]);
	while (got + 1 < outlen && (n = read(fds[0], out + got, outlen - 1 - got)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		assert_true(n > 0);
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	*status = WEXITSTATUS(ws);
}

static void
call_fatalx(void)
{
	fatalx("pthread_mutex_init: %s", strerror(EAGAIN));
}

static void
call_fatal(void)
{
	errno = ENOMEM;
	fatal("cannot go on with %d threads", 3);
}

static void
call_warnx(void)
{
	log_warnx("store '%s': disk I/O error", "/x/rates.db");
}

static void
test_fatalx_exits_with_its_line(void **state)
{
	char out[512], want[256];
	int status;

	(void)state;
	run_child(call_fatalx, &status, out, sizeof(out));
	assert_int_equal(status, 1);
	snprintf(want, sizeof(want), "cconvd: fatal: pthread_mutex_init: %s\n", strerror(EAGAIN));
	assert_string_equal(out, want);
}

static void
test_fatal_adds_errno(void **state)
{
	char out[512], want[256];
	int status;

	(void)state;
	run_child(call_fatal, &status, out, sizeof(out));
	assert_int_equal(status, 1);
	snprintf(want, sizeof(want), "cconvd: fatal: cannot go on with 3 threads: %s\n", strerror(ENOMEM));
	assert_string_equal(out, want);
}

/* The contrast: a warning is one line and the program goes on. */
static void
test_warnx_returns(void **state)
{
	char out[512];
	int status;

	(void)state;
	run_child(call_warnx, &status, out, sizeof(out));
	assert_int_equal(status, STATUS_RETURNED);
	assert_string_equal(out, "cconvd: warning: store '/x/rates.db': disk I/O error\n");
}

static void
call_forger(void)
{
	log_warnx("refresh: upstream reported failure: %s", "boom\ncconvd: info: refresh ok (new rates): "
	    "upstream FORGED\x1b[31m\r\t\x7f \xc2\x9b" "2J \xff caf\xc3\xa9 \xe2\x80\xa6");
}

/* Whatever a caller passes, a message is one line: controls (newline, ESC, CR,
 * tab, DEL), C1 controls in UTF-8 and bytes that are not UTF-8 become '?';
 * other UTF-8 text stays. */
static void
test_message_cannot_forge_a_line(void **state)
{
	char out[512];
	int status;

	(void)state;
	run_child(call_forger, &status, out, sizeof(out));
	assert_int_equal(status, STATUS_RETURNED);
	assert_string_equal(out, "cconvd: warning: refresh: upstream reported failure: boom?cconvd: info: refresh ok "
	    "(new rates): upstream FORGED?[31m??? ??2J ? caf\xc3\xa9 \xe2\x80\xa6\n");
}

static void
call_errx_stamped(void)
{
	log_stamp(1);
	log_errx("listen '%s': address already in use", "127.0.0.1:8080");
}

/* A failure that stops a start says "error:"; stamped, the line starts with
 * its UTC time, within the seconds the child ran. */
static void
test_errx_stamped(void **state)
{
	char out[512], stamp[32];
	time_t before = time(NULL), after, when;
	struct tm tm;
	int status;

	(void)state;
	run_child(call_errx_stamped, &status, out, sizeof(out));
	after = time(NULL);
	assert_int_equal(status, STATUS_RETURNED);
	assert_true(strlen(out) > 21 && out[20] == ' ');
	assert_string_equal(out + 21, "cconvd: error: listen '127.0.0.1:8080': address already in use\n");
	memcpy(stamp, out, 20);
	stamp[20] = '\0';
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(stamp, "%Y-%m-%dT%H:%M:%SZ", &tm));
	when = timegm(&tm);
	assert_true(when >= before && when <= after);
}

/* JOURNAL_STREAM must name stderr's own device and inode, exactly. */
static void
test_journal_is_stderr_only(void **state)
{
	char path[] = "/tmp/test_log_XXXXXX", val[64];
	struct stat st;
	int fd, saved;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((saved = dup(STDERR_FILENO)) >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);

	unsetenv("JOURNAL_STREAM");
	assert_int_equal(log_stderr_is_journal(), 0);
	snprintf(val, sizeof(val), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", val, 1);
	assert_int_equal(log_stderr_is_journal(), 1);
	snprintf(val, sizeof(val), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", val, 1);
	assert_int_equal(log_stderr_is_journal(), 0);
	snprintf(val, sizeof(val), "%llu:%llux", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", val, 1);
	assert_int_equal(log_stderr_is_journal(), 0);
	setenv("JOURNAL_STREAM", "", 1);
	assert_int_equal(log_stderr_is_journal(), 0);

	unsetenv("JOURNAL_STREAM");
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fd);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fatalx_exits_with_its_line),
		cmocka_unit_test(test_fatal_adds_errno),
		cmocka_unit_test(test_warnx_returns),
		cmocka_unit_test(test_message_cannot_forge_a_line),
		cmocka_unit_test(test_errx_stamped),
		cmocka_unit_test(test_journal_is_stderr_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
