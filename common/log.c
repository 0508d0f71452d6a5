/*
 * log: the one place both programs write diagnostics.
 *
 * Each line is formatted into a local buffer and written with one write(2), so
 * lines from concurrent threads never interleave.  Lines longer than the buffer
 * are cut, not split.  The prefix and level are set once at start, before any
 * thread exists, and only read afterwards.
 *
 * A message is one line whatever its arguments hold: callers quote outside
 * text with buf_quote(), and every message is scrubbed here too (buf_scrub()),
 * so text that reached one unquoted can neither start a forged line nor send
 * a terminal escape.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

#define LOG_LINE_MAX 2048

static const char *log_prog = "cconv";
static int log_level_verbose;
static int log_stamped;

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_level_verbose = verbose;
}

void
log_stamp(int on)
{
	log_stamped = on;
}

int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	/* "DEV:INO", both decimal, nothing else. */
	if (js == NULL || *js < '0' || *js > '9')
		return 0;
	errno = 0;
	dev = strtoull(js, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return 0;
	ino = strtoull(end + 1, &end, 10);
	if (*end != '\0' || errno != 0)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* Appends s to line[0..*len), leaving room for the final newline. */
static void
put(char *line, size_t *len, const char *s)
{
	size_t n = strlen(s), room = LOG_LINE_MAX - 1 - *len;

	if (n > room)
		n = room;
	memcpy(line + *len, s, n);
	*len += n;
}

static void
log_emit(const char *level, const char *why, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
log_emit(const char *level, const char *why, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX], msg[LOG_LINE_MAX];
	size_t len = 0;

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	buf_scrub(msg, strlen(msg));
	if (log_stamped) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		if (gmtime_r(&now, &tm) != NULL && strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm) > 0)
			put(line, &len, stamp);
	}
	put(line, &len, log_prog);
	put(line, &len, ": ");
	put(line, &len, level);
	put(line, &len, msg);
	if (why != NULL) {
		put(line, &len, ": ");
		put(line, &len, why);
	}
	line[len++] = '\n';
	/* Nothing sensible to do if stderr is gone. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

#define LOG_FN(name, level, with_errno)			\
	void						\
	name(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		const char *why = NULL;			\
		if (with_errno)				\
			why = strerror(errno);		\
		va_start(ap, fmt);			\
		log_emit(level, why, fmt, ap);		\
		va_end(ap);				\
	}

LOG_FN(log_info, "info: ", 0)
LOG_FN(log_warn, "warning: ", 1)
LOG_FN(log_warnx, "warning: ", 0)
LOG_FN(log_err, "error: ", 1)
LOG_FN(log_errx, "error: ", 0)
LOG_FN(log_note, "", 0)

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_level_verbose)
		return;
	va_start(ap, fmt);
	log_emit("debug: ", NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *why = strerror(errno);

	va_start(ap, fmt);
	log_emit("fatal: ", why, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("fatal: ", NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_debug_enabled(void)
{
	return log_level_verbose;
}
