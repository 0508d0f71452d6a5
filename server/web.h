/*
 * web: the page served at "/", server/web/index.html built into the binary.
 *
 * The array is generated at build time by cmake/embed.cmake (web_index.c in
 * the build tree), so the daemon needs no file at run time and the page cannot
 * drift from the binary that serves it.  Read-only, static, thread-safe.
 */
#ifndef CCONVD_WEB_H
#define CCONVD_WEB_H

#include <stddef.h>

extern const unsigned char web_index_html[];	/* NUL-terminated */
extern const size_t web_index_html_len;		/* bytes, NUL excluded */

#endif
