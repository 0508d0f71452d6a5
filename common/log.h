/*
 * log: one line per event on stderr, with a level, for both programs.
 *
 * The daemon's lines look like "cconvd: warning: store /x/rates.db: disk I/O error".
 * Under systemd journald stamps each line itself; anywhere else a daemon's line
 * needs its own time, so the daemon turns on log_stamp() unless
 * log_stderr_is_journal().  The CLI uses the same functions with the prefix
 * "cconv", unstamped, which keeps stdout free for answers.  log_warn() appends
 * strerror(errno); log_warnx() does not (OpenBSD's convention); log_err() and
 * log_errx() are the same for a failure that stops what was asked (a start-up,
 * a command).  Debug lines are printed only after log_init(..., verbose = 1).
 * All functions are thread-safe: each line is written with a single write(2).
 */
#ifndef CCONV_LOG_H
#define CCONV_LOG_H

void log_init(const char *progname, int verbose);

/*
 * With on = 1, every later line starts with its UTC time in ISO 8601
 * ("2026-12-03T07:01:02Z cconvd: info: …").  Call before any thread exists.
 */
void log_stamp(int on);

/*
 * 1 when stderr is the systemd journal's stream: JOURNAL_STREAM names the
 * device and inode of the journal's socket (systemd.exec(5)), and stderr is
 * that very file, so journald already records each line's time.  Else 0.
 */
int log_stderr_is_journal(void);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether debug lines are printed: lets a caller skip preparing one. */
int log_debug_enabled(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Plain "progname: message" with no level word, for the CLI's user-facing notes. */
void log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The house rule on failures, OpenBSD's: the outside world's failures
 * degrade, impossible local ones are fatal.  An unreachable upstream, a full
 * disk, a bad file or request, and running out of memory are reported and
 * survived: a refresh round fails and is retried, an answer becomes a 503,
 * a start-up or a one-shot command stops with its exit status.  A failure
 * that only a broken system produces, such as a pthread_*_init() returning
 * an error, ends the program here: one "fatal:" line, then exit(1), with no
 * cleanup.  fatal() appends strerror(errno); fatalx() does not, so a
 * function that returns its error code is reported as
 * fatalx("pthread_mutex_init: %s", strerror(rc)).
 */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
