/*
 * log: one line per event on stderr, with a level, for both programs.
 *
 * The daemon's lines look like "cconvd: warning: store /x/rates.db: disk I/O error";
 * journald adds the timestamp, so we do not.  The CLI uses the same functions with
 * the prefix "cconv", which keeps stdout free for answers.  log_warn() appends
 * strerror(errno); log_warnx() does not (OpenBSD's convention).  Debug lines are
 * printed only after log_init(..., verbose = 1).  All functions are thread-safe:
 * each line is written with a single write(2).
 */
#ifndef CCONV_LOG_H
#define CCONV_LOG_H

void log_init(const char *progname, int verbose);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether debug lines are printed: lets a caller skip preparing one. */
int log_debug_enabled(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
