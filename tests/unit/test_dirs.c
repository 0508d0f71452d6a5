/*
 * dirs: the XDG base folders (absolute variables only, HOME included) for
 * each base, and mkdir -p above a file: nested, private, idempotent,
 * relative, blocked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dirs.h"

struct fixture {
	char root[64];		/* a fresh temp folder */
	char path[PATH_MAX];
	char err[PATH_MAX + 256];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/test_dirs.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(unsetenv("XDG_CONFIG_HOME"), 0);
	assert_int_equal(unsetenv("XDG_CACHE_HOME"), 0);
	assert_int_equal(unsetenv("XDG_STATE_HOME"), 0);
	assert_int_equal(setenv("HOME", "/home/tester", 1), 0);
	*state = f;
	return 0;
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(f);
	return 0;
}

/* dirs_xdg(base, rel) must give want. */
static void
assert_xdg(struct fixture *f, enum dirs_base base, const char *want)
{
	assert_int_equal(dirs_xdg(base, "cconv/x", f->path, sizeof(f->path), f->err, sizeof(f->err)), DIRS_OK);
	assert_string_equal(f->path, want);
}

static void
test_xdg_defaults_under_home(void **state)
{
	struct fixture *f = *state;

	assert_xdg(f, DIRS_CONFIG, "/home/tester/.config/cconv/x");
	assert_xdg(f, DIRS_CACHE, "/home/tester/.cache/cconv/x");
	assert_xdg(f, DIRS_STATE, "/home/tester/.local/state/cconv/x");
}

static void
test_xdg_variables(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("XDG_CONFIG_HOME", "/c", 1), 0);
	assert_int_equal(setenv("XDG_CACHE_HOME", "/k", 1), 0);
	assert_int_equal(setenv("XDG_STATE_HOME", "/s", 1), 0);
	assert_xdg(f, DIRS_CONFIG, "/c/cconv/x");
	assert_xdg(f, DIRS_CACHE, "/k/cconv/x");
	assert_xdg(f, DIRS_STATE, "/s/cconv/x");

	/* The spec: an empty or relative XDG_* value is ignored. */
	assert_int_equal(setenv("XDG_STATE_HOME", "", 1), 0);
	assert_xdg(f, DIRS_STATE, "/home/tester/.local/state/cconv/x");
	assert_int_equal(setenv("XDG_STATE_HOME", "relative/state", 1), 0);
	assert_xdg(f, DIRS_STATE, "/home/tester/.local/state/cconv/x");
	/* An absolute variable needs no HOME. */
	assert_int_equal(unsetenv("HOME"), 0);
	assert_xdg(f, DIRS_CACHE, "/k/cconv/x");
}

/* A relative HOME is refused like a missing one, and names the variable. */
static void
test_xdg_no_home(void **state)
{
	struct fixture *f = *state;
	const char *homes[] = { "relative/home", "", NULL };

	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
		if (homes[i] != NULL)
			assert_int_equal(setenv("HOME", homes[i], 1), 0);
		else
			assert_int_equal(unsetenv("HOME"), 0);
		assert_int_equal(dirs_xdg(DIRS_STATE, "cconv/x", f->path, sizeof(f->path), f->err, sizeof(f->err)),
		    DIRS_NO_HOME);
		assert_string_equal(f->err, "neither XDG_STATE_HOME nor HOME is an absolute path");
		assert_string_equal(f->path, "");
	}
	assert_int_equal(setenv("XDG_CONFIG_HOME", "relative/config", 1), 0);
	assert_int_equal(dirs_xdg(DIRS_CONFIG, "cconv/x", f->path, sizeof(f->path), f->err, sizeof(f->err)),
	    DIRS_NO_HOME);
	assert_string_equal(f->err, "neither XDG_CONFIG_HOME nor HOME is an absolute path");
}

static void
test_xdg_too_long(void **state)
{
	struct fixture *f = *state;
	char small[28];		/* "/home/tester/.cache/cconv/x" is 27 bytes */

	assert_int_equal(dirs_xdg(DIRS_CACHE, "cconv/x", small, sizeof(small), f->err, sizeof(f->err)), DIRS_OK);
	assert_string_equal(small, "/home/tester/.cache/cconv/x");
	assert_int_equal(dirs_xdg(DIRS_STATE, "cconv/x", small, sizeof(small), f->err, sizeof(f->err)),
	    DIRS_TOO_LONG);
	assert_string_equal(f->err, "path longer than 27 bytes");
	assert_string_equal(small, "");
}

static mode_t
mode_of(const char *p)
{
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	return st.st_mode & 0777;
}

static void
test_make_parents(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	/* Two missing folders, one doubled slash; the file is not made. */
	snprintf(f->path, sizeof(f->path), "%s/a//b/file.db", f->root);
	assert_int_equal(dirs_make_parents(f->path, f->err, sizeof(f->err)), 0);
	snprintf(p, sizeof(p), "%s/a", f->root);
	assert_int_equal(mode_of(p), 0700);
	snprintf(p, sizeof(p), "%s/a/b", f->root);
	assert_int_equal(mode_of(p), 0700);
	assert_int_equal(access(f->path, F_OK), -1);

	/* Existing folders are fine, and keep their mode. */
	assert_int_equal(chmod(p, 0750), 0);
	assert_int_equal(dirs_make_parents(f->path, f->err, sizeof(f->err)), 0);
	assert_int_equal(mode_of(p), 0750);

	/* A path without a folder needs none. */
	assert_int_equal(dirs_make_parents("file.db", f->err, sizeof(f->err)), 0);
}

static void
test_make_parents_relative(void **state)
{
	struct fixture *f = *state;
	char cwd[PATH_MAX], p[PATH_MAX];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->root), 0);
	assert_int_equal(dirs_make_parents("rel/sub/file.db", f->err, sizeof(f->err)), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(p, sizeof(p), "%s/rel/sub", f->root);
	assert_int_equal(mode_of(p), 0700);
}

static void
test_make_parents_fails(void **state)
{
	struct fixture *f = *state;
	char file[128], want[PATH_MAX + 64], big[PATH_MAX + 1];
	FILE *fp;

	/* A plain file where a folder should be. */
	snprintf(file, sizeof(file), "%s/plain", f->root);
	assert_non_null(fp = fopen(file, "w"));
	fclose(fp);
	snprintf(f->path, sizeof(f->path), "%s/sub/x.db", file);
	assert_int_equal(dirs_make_parents(f->path, f->err, sizeof(f->err)), -1);
	snprintf(want, sizeof(want), "cannot create folder '%s/sub': Not a directory", file);
	assert_string_equal(f->err, want);

	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';	/* PATH_MAX bytes: one too many */
	assert_int_equal(dirs_make_parents(big, f->err, sizeof(f->err)), -1);
	snprintf(want, sizeof(want), "path longer than %d bytes", PATH_MAX - 1);
	assert_string_equal(f->err, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_xdg_defaults_under_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_variables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_no_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_parents_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_parents_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
