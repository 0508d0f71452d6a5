/*
 * rfile: a regular file opens blocking and readable; a FIFO with no writer,
 * a folder and a character device are refused at once with their kind; a
 * missing file is told apart from other failures.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rfile.h"
#include "tmpdir.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_rfile.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
test_regular_file_opens_blocking(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char err[128] = "", got[8] = "";
	int fd;
	FILE *w;

	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	assert_non_null(w = fopen(f->path, "w"));
	fputs("rates", w);
	fclose(w);
	assert_int_equal(rfile_open(f->path, &fd, &st, err, sizeof(err)), RFILE_OPEN);
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(fd, got, sizeof(got) - 1), 5);
	assert_string_equal(got, "rates");
	close(fd);
}

/* Without the fix this open(2) would wait for a writer for ever. */
static void
test_fifo_is_refused_at_once(void **state)
{
	struct fixture *f = *state;
	char err[128] = "";
	int fd = 7;

	snprintf(f->path, sizeof(f->path), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(rfile_open(f->path, &fd, NULL, err, sizeof(err)), RFILE_REFUSED);
	assert_int_equal(fd, -1);
	assert_string_equal(err, "a FIFO, not a regular file");
}

static void
test_folder_and_device_are_refused(void **state)
{
	struct fixture *f = *state;
	char err[128] = "";
	int fd;

	assert_int_equal(rfile_open(f->dir, &fd, NULL, err, sizeof(err)), RFILE_REFUSED);
	assert_string_equal(err, "a folder, not a regular file");
	assert_int_equal(rfile_open("/dev/null", &fd, NULL, err, sizeof(err)), RFILE_REFUSED);
	assert_string_equal(err, "a character device, not a regular file");
	assert_int_equal(fd, -1);
}

static void
test_missing_is_its_own_status(void **state)
{
	struct fixture *f = *state;
	char err[128] = "";
	int fd;

	snprintf(f->path, sizeof(f->path), "%s/none", f->dir);
	assert_int_equal(rfile_open(f->path, &fd, NULL, err, sizeof(err)), RFILE_MISSING);
	assert_string_equal(err, "No such file or directory");
	snprintf(f->path, sizeof(f->path), "%s/none/below", f->dir);
	assert_int_equal(rfile_open(f->path, &fd, NULL, err, sizeof(err)), RFILE_MISSING);
	assert_int_equal(fd, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regular_file_opens_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_is_refused_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder_and_device_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_is_its_own_status, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
