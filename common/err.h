/*
 * err: the error-buffer convention of every module.
 *
 * A function that can fail takes (char *err, size_t errlen) and returns its
 * status.  On failure the callee writes only its own reason with err_set()
 * ("HTTP 503", "rate for 'USD' is negative"); each caller that knows a subject
 * the reason lacks adds it once, in front, with err_prefix() ("upstream
 * 'https://…': HTTP 503").  Several reasons gathered for one failure are
 * joined with err_append() ("a; b").  No code reads, strips or tests the text
 * of a message: a caller that must branch on an outcome gets it as a status.
 *
 * Every function accepts err == NULL or errlen == 0 (nothing is written),
 * always leaves err NUL-terminated otherwise, and cuts a message too long for
 * the buffer at a UTF-8 character boundary: a cut message is all a message can
 * be.  Thread-safe: they touch only the caller's buffer.
 */
#ifndef CCONV_ERR_H
#define CCONV_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Replaces err with the formatted reason. */
void err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err_set() for a module's own variadic "fail" helper. */
void err_vset(char *err, size_t errlen, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* Puts the formatted subject and ": " in front of the reason already in err. */
void err_prefix(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds the formatted clause after the text in err, separated by "; " (no
 * separator when err is empty). */
void err_append(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
