/*
 * tmpdir: removing a test's temp folder with everything in it.  Header-only,
 * since every unit test is a program of its own.
 */
#ifndef CCONV_TEST_TMPDIR_H
#define CCONV_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static inline int
tmpdir_remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes dir and all below it, deepest first, following no link.  0 or -1. */
static inline int
tmpdir_remove(const char *dir)
{
	return nftw(dir, tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
