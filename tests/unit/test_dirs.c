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

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dirs.h"
#include "tmpdir.h"

/* The XDG tests start from HOME=/home/tester and no XDG variable. */
static int
reset_env(void **state)
{
	(void)state;
	if (unsetenv("XDG_CONFIG_HOME") != 0 || unsetenv("XDG_CACHE_HOME") != 0 || unsetenv("XDG_STATE_HOME") != 0)
		return -1;
	return setenv("HOME", "/home/tester", 1);
}

/* The mkdir -p tests work in a fresh temp folder, *state, removed after. */
static int
make_root(void **state)
{
	static char root[64];

	snprintf(root, sizeof(root), "/tmp/test_dirs.XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	*state = root;
	return 0;
}

static int
remove_root(void **state)
{
	return tmpdir_remove(*state);
}

/* dirs_xdg(base, rel) must give want. */
static void
assert_xdg(enum dirs_base base, const char *want)
{
	char path[PATH_MAX], err[256];

	assert_int_equal(dirs_xdg(base, "cconv/x", path, sizeof(path), err, sizeof(err)), DIRS_OK);
	assert_string_equal(path, want);
}

static void
test_xdg_defaults_under_home(void **state)
{
	(void)state;
	assert_xdg(DIRS_CONFIG, "/home/tester/.config/cconv/x");
	assert_xdg(DIRS_CACHE, "/home/tester/.cache/cconv/x");
	assert_xdg(DIRS_STATE, "/home/tester/.local/state/cconv/x");
}

static void
test_xdg_variables(void **state)
{
	(void)state;
	assert_int_equal(setenv("XDG_CONFIG_HOME", "/c", 1), 0);
	assert_int_equal(setenv("XDG_CACHE_HOME", "/k", 1), 0);
	assert_int_equal(setenv("XDG_STATE_HOME", "/s", 1), 0);
	assert_xdg(DIRS_CONFIG, "/c/cconv/x");
	assert_xdg(DIRS_CACHE, "/k/cconv/x");
	assert_xdg(DIRS_STATE, "/s/cconv/x");

	/* The spec: an empty or relative XDG_* value is ignored. */
	assert_int_equal(setenv("XDG_STATE_HOME", "", 1), 0);
	assert_xdg(DIRS_STATE, "/home/tester/.local/state/cconv/x");
	assert_int_equal(setenv("XDG_STATE_HOME", "relative/state", 1), 0);
	assert_xdg(DIRS_STATE, "/home/tester/.local/state/cconv/x");
	/* An absolute variable needs no HOME. */
	assert_int_equal(unsetenv("HOME"), 0);
	assert_xdg(DIRS_CACHE, "/k/cconv/x");
}

/* A relative HOME is refused like a missing one, and names the variable. */
static void
test_xdg_no_home(void **state)
{
	const char *homes[] = { "relative/home", "", NULL };
	char path[PATH_MAX], err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
		if (homes[i] != NULL)
			assert_int_equal(setenv("HOME", homes[i], 1), 0);
		else
			assert_int_equal(unsetenv("HOME"), 0);
		assert_int_equal(dirs_xdg(DIRS_STATE, "cconv/x", path, sizeof(path), err, sizeof(err)),
		    DIRS_NO_HOME);
		assert_string_equal(err, "neither XDG_STATE_HOME nor HOME is an absolute path");
		assert_string_equal(path, "");
	}
	assert_int_equal(setenv("XDG_CONFIG_HOME", "relative/config", 1), 0);
	assert_int_equal(dirs_xdg(DIRS_CONFIG, "cconv/x", path, sizeof(path), err, sizeof(err)), DIRS_NO_HOME);
	assert_string_equal(err, "neither XDG_CONFIG_HOME nor HOME is an absolute path");
}

static void
test_xdg_too_long(void **state)
{
	char small[28], err[256];	/* "/home/tester/.cache/cconv/x" is 27 bytes */

	(void)state;
	assert_int_equal(dirs_xdg(DIRS_CACHE, "cconv/x", small, sizeof(small), err, sizeof(err)), DIRS_OK);
	assert_string_equal(small, "/home/tester/.cache/cconv/x");
	assert_int_equal(dirs_xdg(DIRS_STATE, "cconv/x", small, sizeof(small), err, sizeof(err)), DIRS_TOO_LONG);
	assert_string_equal(err, "path longer than 27 bytes");
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
	const char *root = *state;
	char path[PATH_MAX], p[PATH_MAX], err[256];

	/* Two missing folders, one doubled slash; the file is not made. */
	snprintf(path, sizeof(path), "%s/a//b/file.db", root);
	assert_int_equal(dirs_make_parents(path, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/a", root);
	assert_int_equal(mode_of(p), 0700);
	snprintf(p, sizeof(p), "%s/a/b", root);
	assert_int_equal(mode_of(p), 0700);
	assert_int_equal(access(path, F_OK), -1);

	/* Existing folders are fine, and keep their mode. */
	assert_int_equal(chmod(p, 0750), 0);
	assert_int_equal(dirs_make_parents(path, err, sizeof(err)), 0);
	assert_int_equal(mode_of(p), 0750);

	/* A path without a folder needs none. */
	assert_int_equal(dirs_make_parents("file.db", err, sizeof(err)), 0);
}

static void
test_make_parents_relative(void **state)
{
	const char *root = *state;
	char cwd[PATH_MAX], p[PATH_MAX], err[256];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(root), 0);
	assert_int_equal(dirs_make_parents("rel/sub/file.db", err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(p, sizeof(p), "%s/rel/sub", root);
	assert_int_equal(mode_of(p), 0700);
}

static void
test_make_parents_fails(void **state)
{
	const char *root = *state;
	char file[128], path[256], want[PATH_MAX + 64], big[PATH_MAX + 1], err[PATH_MAX + 64];
	FILE *fp;

	/* A plain file where a folder should be. */
	snprintf(file, sizeof(file), "%s/plain", root);
	assert_non_null(fp = fopen(file, "w"));
	fclose(fp);
	snprintf(path, sizeof(path), "%s/sub/x.db", file);
	assert_int_equal(dirs_make_parents(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot create folder '%s/sub': Not a directory", file);
	assert_string_equal(err, want);

	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';	/* PATH_MAX bytes: one too many */
	assert_int_equal(dirs_make_parents(big, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "path longer than %d bytes", PATH_MAX - 1);
	assert_string_equal(err, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_xdg_defaults_under_home, reset_env),
		cmocka_unit_test_setup(test_xdg_variables, reset_env),
		cmocka_unit_test_setup(test_xdg_no_home, reset_env),
		cmocka_unit_test_setup(test_xdg_too_long, reset_env),
		cmocka_unit_test_setup_teardown(test_make_parents, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_make_parents_relative, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_make_parents_fails, make_root, remove_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
