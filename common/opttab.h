/*
 * opttab: what the two programs' option tables share.
 *
 * Each program keeps its options as the rows of one table of its own struct
 * (cli/args.c, server/config.c), and every row holds a struct opttab_name at
 * the same place.  Both find a row the same way: a long option as "--name"
 * or "--name=value" (the value is everything after the first '='), a short
 * one by its letter.  Both split a comma-separated value (CCONV_UPSTREAM,
 * which both read) the same way too.  Pure and thread-safe.
 */
#ifndef CCONV_OPTTAB_H
#define CCONV_OPTTAB_H

#include <stddef.h>

struct opttab_name {
	const char *lng;	/* "--refresh", as typed */
	char shrt;		/* 'v' for -v; 0: none */
};

/*
 * The table is n rows of stride bytes (the size of one row); first points
 * at the first row's struct opttab_name.  The index of the row whose long
 * name arg ("--name" or "--name=value") names, or -1 when none does.
 * *value is set to the text after the first '=' of arg, or NULL when it
 * has none, whether a row matched or not.
 */
int opttab_find_long(const struct opttab_name *first, size_t n, size_t stride, const char *arg,
    const char **value);

/*
 * The long name a mistyped "--name" or "--name=value" most likely meant: the
 * nearest by textmatch_distance() when it is at most 2 and under half the
 * typed name's length ("--frm" → "--from"), else NULL.  Borrowed from the
 * table.
 */
const char *opttab_suggest_long(const struct opttab_name *first, size_t n, size_t stride, const char *arg);

/* The index of the row whose short letter is c (not 0), or -1. */
int opttab_find_short(const struct opttab_name *first, size_t n, size_t stride, char c);

/*
 * The next item of the comma-separated value at *p, as people write one
 * ("a, b"): its start, and in *len its length without the blanks (spaces,
 * tabs) around it; an empty item has *len 0.  *p moves past the comma, or
 * becomes NULL after the last item.
 */
const char *opttab_next_item(const char **p, size_t *len);

#endif
