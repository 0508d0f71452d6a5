/*
 * buf: a growable text buffer with a hard cap, in the manner of curl's dynbuf.
 *
 * Every append either fits under the cap and succeeds, or fails with -1 and leaves
 * the buffer marked as failed; later appends are ignored, so a caller may build a
 * whole answer and check once with buf_failed().  The data is always
 * NUL-terminated.  The caller owns the memory: buf_free() releases it,
 * buf_steal() hands it over (caller frees with free()).  Not thread-safe.
 */
#ifndef CCONV_BUF_H
#define CCONV_BUF_H

#include <stddef.h>

/* Why a buffer failed.  The cap is the request's doing (an answer too
 * large to give); memory is the server's, and worth trying again. */
enum buf_failure {
	BUF_OK,
	BUF_TOO_LARGE,		/* an append would have passed the cap */
	BUF_NO_MEMORY,		/* growing the buffer failed */
};

struct buf {
	char *data;
	size_t len;
	size_t size;
	size_t cap;		/* most bytes of text ever held */
	enum buf_failure failed;
};

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a JSON string literal, quotes included.  Bytes that are not
 * valid UTF-8 are written as U+FFFD so the output is always valid JSON. */
int buf_json_str(struct buf *b, const char *s, size_t n);
/* BUF_OK (0), or why the first append that failed did. */
enum buf_failure buf_failed(const struct buf *b);
/* Gives back the room allocated beyond the text, so that an answer kept for a
 * while holds only its own bytes; a failed realloc keeps the room. */
void buf_shrink(struct buf *b);
/* Returns the text (caller frees) and resets b; NULL if the buffer failed. */
char *buf_steal(struct buf *b, size_t *len);

/*
 * The one way outside text (an upstream's words, a request's path, a file's
 * line, a user's value) is put into a message that reaches a log, a terminal
 * or an error answer: buf_quote() copies s[0..n) into out, each byte outside
 * printable ASCII shown as '?' (so no newline, ESC or other control, and no
 * byte a terminal could read as one, passes), as many bytes as out holds with
 * "..." when cut.  Always NUL-terminates (outlen > 0).  A buffer of
 * BUF_QUOTE_LEN bytes holds a short quote (a code, a date, a value), one of
 * BUF_QUOTE_LONG_LEN a sentence (an upstream's reason for a failure).
 */
#define BUF_QUOTE_KEEP 40			/* bytes of the text kept in a short quote */
#define BUF_QUOTE_LEN (BUF_QUOTE_KEEP + 4)	/* the kept bytes, "..." and the NUL */
#define BUF_QUOTE_LONG_KEEP 200			/* bytes of the text kept in a long quote */
#define BUF_QUOTE_LONG_LEN (BUF_QUOTE_LONG_KEEP + 4)
void buf_quote(char *out, size_t outlen, const char *s, size_t n);

/*
 * The last guard of every log line, for text that reached a message without
 * buf_quote(): replaces in place each byte of s[0..n) that could end a line
 * or drive a terminal with '?': the C0 controls (newline, ESC, ...), DEL, the
 * C1 controls written in UTF-8 (U+0080..U+009F) and every byte that is not
 * part of valid UTF-8.  Valid UTF-8 text otherwise stays as it is.
 */
void buf_scrub(char *s, size_t n);

#endif
