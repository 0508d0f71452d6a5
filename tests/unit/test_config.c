/*
 * cconvd's options: defaults, the environment, flag over variable, both value
 * forms, the listen address forms, upstream lists, and every bound refused
 * with CONFIG_USAGE and a sentence that names the source the user wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "upstream.h"

#define MAX_ARGV 16

static const char *const env_vars[] = {
	"CCONV_LISTEN", "CCONV_DB", "CCONV_UPSTREAM", "CCONV_REFRESH", "CCONV_MAX_AGE", "CCONV_HISTORY_UPSTREAM",
	"CCONV_MAX_CONNS_PER_IP",
};

struct fixture {
	struct cconvd_config c;
	char err[1024];
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		assert_int_equal(unsetenv(env_vars[i]), 0);
	assert_int_equal(unsetenv("XDG_STATE_HOME"), 0);
	assert_int_equal(setenv("HOME", "/home/tester", 1), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	config_free(&f->c);
	return 0;
}

/* config_parse() on "cconvd" plus the NULL-terminated arguments. */
static enum config_status
run(struct fixture *f, ...)
{
	char *argv[MAX_ARGV + 1];
	int argc = 0;
	const char *a;
	va_list ap;

	config_free(&f->c);
	f->err[0] = '\0';
	argv[argc++] = (char *)"cconvd";
	va_start(ap, f);
	while ((a = va_arg(ap, const char *)) != NULL) {
		assert_true(argc < MAX_ARGV);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;
	return config_parse(&f->c, argc, argv, f->err, sizeof(f->err));
}

/* Refused, and the message holds every given fragment. */
static void
assert_usage(struct fixture *f, int rc, const char *want1, const char *want2)
{
	assert_int_equal(rc, CONFIG_USAGE);
	if (strstr(f->err, want1) == NULL || (want2 != NULL && strstr(f->err, want2) == NULL))
		fail_msg("message '%s' lacks '%s' / '%s'", f->err, want1, want2 != NULL ? want2 : "");
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "127.0.0.1");
	assert_int_equal(f->c.listen_port, 8080);
	assert_string_equal(f->c.db_path, "/home/tester/.local/state/cconv/rates.db");
	/* Frankfurter first, then the ECB's own daily XML. */
	assert_int_equal(f->c.nupstreams, 3);
	assert_string_equal(f->c.upstreams[0], "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml");
	assert_string_equal(f->c.upstreams[1], "https://api.frankfurter.dev/v2/rates?base=EUR");
	assert_string_equal(f->c.upstreams[2], "https://api.frankfurter.dev/v1/latest");
	assert_string_equal(f->c.history_upstream, "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml");
	assert_int_equal(f->c.refresh, 3600);
	assert_int_equal(f->c.max_age, 86400);
	assert_int_equal(f->c.max_conns_per_ip, 64);
	assert_int_equal(f->c.series_memory, 64);
	assert_int_equal(f->c.verbose, 0);
}

static void
test_db_default_paths(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("XDG_STATE_HOME", "/var/lib/xdg", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.db_path, "/var/lib/xdg/cconv/rates.db");

	/* The XDG spec: an empty or relative XDG_STATE_HOME is ignored. */
	assert_int_equal(setenv("XDG_STATE_HOME", "", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.db_path, "/home/tester/.local/state/cconv/rates.db");
	assert_int_equal(setenv("XDG_STATE_HOME", "relative/dir", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.db_path, "/home/tester/.local/state/cconv/rates.db");

	assert_int_equal(unsetenv("XDG_STATE_HOME"), 0);
	/* A relative HOME is refused like a missing one (dirs.h). */
	assert_int_equal(setenv("HOME", "relative/home", 1), 0);
	assert_usage(f, run(f, NULL), "--db", "neither XDG_STATE_HOME nor HOME is an absolute path");
	assert_null(f->c.db_path);
	assert_int_equal(unsetenv("HOME"), 0);
	assert_usage(f, run(f, NULL), "--db", "HOME");
	assert_null(f->c.db_path);
	/* ...which does not matter when a path is given. */
	assert_int_equal(run(f, "--db", "/tmp/x.db", NULL), CONFIG_RUN);
	assert_string_equal(f->c.db_path, "/tmp/x.db");
	assert_int_equal(setenv("CCONV_DB", "/tmp/env.db", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.db_path, "/tmp/env.db");
}

static void
test_environment(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("CCONV_LISTEN", "0.0.0.0:9000", 1), 0);
	assert_int_equal(setenv("CCONV_DB", "/srv/rates.db", 1), 0);
	assert_int_equal(setenv("CCONV_UPSTREAM", "http://a.example/latest", 1), 0);
	assert_int_equal(setenv("CCONV_REFRESH", "60", 1), 0);
	assert_int_equal(setenv("CCONV_MAX_AGE", "31536000", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "0.0.0.0");
	assert_int_equal(f->c.listen_port, 9000);
	assert_string_equal(f->c.db_path, "/srv/rates.db");
	assert_int_equal(f->c.nupstreams, 1);
	assert_string_equal(f->c.upstreams[0], "http://a.example/latest");
	assert_int_equal(f->c.refresh, 60);
	assert_int_equal(f->c.max_age, 31536000);

	/* An empty variable is unset, not an error. */
	assert_int_equal(setenv("CCONV_REFRESH", "", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_int_equal(f->c.refresh, 3600);
}

static void
test_flag_beats_env(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("CCONV_LISTEN", "0.0.0.0:9000", 1), 0);
	assert_int_equal(setenv("CCONV_DB", "/srv/rates.db", 1), 0);
	assert_int_equal(setenv("CCONV_REFRESH", "120", 1), 0);
	assert_int_equal(setenv("CCONV_MAX_AGE", "600", 1), 0);
	assert_int_equal(run(f, "--listen", "localhost:81", "--db=/a.db", "--refresh", "300",
	    "--max-age=700", NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "localhost");
	assert_int_equal(f->c.listen_port, 81);
	assert_string_equal(f->c.db_path, "/a.db");
	assert_int_equal(f->c.refresh, 300);
	assert_int_equal(f->c.max_age, 700);

	/* A flag wins even when the variable it overrides is bad. */
	assert_int_equal(setenv("CCONV_REFRESH", "5", 1), 0);
	assert_int_equal(run(f, "--refresh", "61", NULL), CONFIG_RUN);
	assert_int_equal(f->c.refresh, 61);

	/* Repeating a flag: the last one counts. */
	assert_int_equal(run(f, "--refresh", "100", "--refresh=200", NULL), CONFIG_RUN);
	assert_int_equal(f->c.refresh, 200);
}

static void
test_bounds(void **state)
{
	struct fixture *f = *state;

	assert_usage(f, run(f, "--refresh", "5", NULL), "--refresh must be between 60 and 86400 seconds (got '5')",
	    NULL);
	assert_usage(f, run(f, "--refresh", "59", NULL), "--refresh", "'59'");
	assert_usage(f, run(f, "--refresh=86401", NULL), "--refresh", "'86401'");
	assert_int_equal(run(f, "--refresh", "86400", NULL), CONFIG_RUN);
	assert_int_equal(f->c.refresh, 86400);
	assert_usage(f, run(f, "--max-age", "59", NULL), "--max-age must be between 60 and 31536000", "'59'");
	assert_usage(f, run(f, "--max-age", "31536001", NULL), "--max-age", "'31536001'");
	assert_int_equal(run(f, "--max-age", "60", NULL), CONFIG_RUN);
	assert_int_equal(f->c.max_age, 60);

	/* A count: 0 (no limit) is allowed, and the sentence has no unit. */
	assert_int_equal(run(f, "--max-conns-per-ip", "0", NULL), CONFIG_RUN);
	assert_int_equal(f->c.max_conns_per_ip, 0);
	assert_int_equal(run(f, "--max-conns-per-ip=1000", NULL), CONFIG_RUN);
	assert_int_equal(f->c.max_conns_per_ip, 1000);
	assert_usage(f, run(f, "--max-conns-per-ip", "1001", NULL),
	    "--max-conns-per-ip must be between 0 and 1000 (got '1001')", NULL);
	assert_usage(f, run(f, "--max-conns-per-ip=-1", NULL),
	    "--max-conns-per-ip must be a whole number (got '-1')", NULL);
	assert_int_equal(setenv("CCONV_MAX_CONNS_PER_IP", "8", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_int_equal(f->c.max_conns_per_ip, 8);
	assert_int_equal(unsetenv("CCONV_MAX_CONNS_PER_IP"), 0);

	assert_int_equal(run(f, "--series-memory", "1", NULL), CONFIG_RUN);
	assert_int_equal(f->c.series_memory, 1);
	assert_usage(f, run(f, "--series-memory", "0", NULL),
	    "--series-memory must be between 1 and 65536 (got '0')", NULL);
	assert_int_equal(setenv("CCONV_SERIES_MEMORY", "512", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_int_equal(f->c.series_memory, 512);
	assert_int_equal(unsetenv("CCONV_SERIES_MEMORY"), 0);

	assert_int_equal(f->c.threads, 0);	/* one per core */
	assert_int_equal(run(f, "--threads", "1", NULL), CONFIG_RUN);
	assert_int_equal(f->c.threads, 1);
	assert_usage(f, run(f, "--threads", "65", NULL), "--threads must be between 0 and 64 (got '65')", NULL);
	assert_int_equal(setenv("CCONV_THREADS", "2", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_int_equal(f->c.threads, 2);
	assert_int_equal(unsetenv("CCONV_THREADS"), 0);

	/* Not numbers at all, or what strtol alone would have taken. */
	assert_usage(f, run(f, "--refresh", "abc", NULL), "--refresh must be a whole number", "'abc'");
	assert_usage(f, run(f, "--refresh", "100s", NULL), "--refresh", "'100s'");
	assert_usage(f, run(f, "--refresh", " 100", NULL), "--refresh", "' 100'");
	assert_usage(f, run(f, "--refresh", "+100", NULL), "--refresh", "'+100'");
	assert_usage(f, run(f, "--refresh", "0x100", NULL), "--refresh", "'0x100'");
	assert_usage(f, run(f, "--refresh=", NULL), "--refresh", NULL);
	assert_usage(f, run(f, "--refresh", "99999999999999999999999", NULL), "--refresh must be between",
	    "'99999999999999999999999'");

	/* The same validator for the variables, naming the variable. */
	assert_int_equal(setenv("CCONV_REFRESH", "5", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_REFRESH must be between 60 and 86400 seconds (got '5')", NULL);
	assert_int_equal(unsetenv("CCONV_REFRESH"), 0);
	assert_int_equal(setenv("CCONV_MAX_AGE", "31536001", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_MAX_AGE must be between", "'31536001'");
	assert_int_equal(unsetenv("CCONV_MAX_AGE"), 0);
	assert_int_equal(setenv("CCONV_LISTEN", "x", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_LISTEN 'x': expected HOST:PORT", NULL);
	assert_int_equal(unsetenv("CCONV_LISTEN"), 0);
	assert_int_equal(setenv("CCONV_UPSTREAM", "ftp://x", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_UPSTREAM", "'ftp://x'");
	/* A failed parse leaves nothing to free. */
	assert_null(f->c.upstreams);
	assert_null(f->c.listen_host);
}

static void
test_listen_forms(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "--listen", "[::1]:8080", NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "::1");
	assert_int_equal(f->c.listen_port, 8080);
	assert_int_equal(run(f, "--listen=[fe80::1%eth0]:65535", NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "fe80::1%eth0");
	assert_int_equal(f->c.listen_port, 65535);
	assert_int_equal(run(f, "--listen", "127.0.0.1:0", NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "127.0.0.1");
	assert_int_equal(f->c.listen_port, 0);
	assert_int_equal(run(f, "--listen", "cconv-host.example:80", NULL), CONFIG_RUN);
	assert_string_equal(f->c.listen_host, "cconv-host.example");

	assert_usage(f, run(f, "--listen", "x", NULL), "--listen 'x': expected HOST:PORT", NULL);
	assert_usage(f, run(f, "--listen", "127.0.0.1", NULL), "--listen '127.0.0.1': expected HOST:PORT", NULL);
	assert_usage(f, run(f, "--listen", "127.0.0.1:", NULL), "--listen", "expected HOST:PORT");
	assert_usage(f, run(f, "--listen", ":8080", NULL), "--listen", "expected HOST:PORT");
	assert_usage(f, run(f, "--listen", "[::1]", NULL), "--listen", "expected HOST:PORT");
	assert_usage(f, run(f, "--listen", "[::1:8080", NULL), "--listen", "expected HOST:PORT");
	assert_usage(f, run(f, "--listen", "::1:8080", NULL), "--listen '::1:8080'", "brackets");
	assert_usage(f, run(f, "--listen", "host:http", NULL), "--listen 'host:http'", "port");
	assert_usage(f, run(f, "--listen", "host:65536", NULL), "--listen 'host:65536'", "0 to 65535");
	assert_usage(f, run(f, "--listen", "host:99999999999999999999999", NULL), "--listen", "0 to 65535");
	assert_usage(f, run(f, "--listen", "host:-1", NULL), "--listen", "port");
	assert_usage(f, run(f, "--listen", "ho st:80", NULL), "--listen 'ho st:80'", "host");
}

static void
test_upstreams(void **state)
{
	struct fixture *f = *state;

	/* Repeated flags keep their order; the variable is then ignored whole. */
	assert_int_equal(setenv("CCONV_UPSTREAM", "http://env.example/", 1), 0);
	assert_int_equal(run(f, "--upstream", "https://b.example/latest", "--upstream=file:///srv/rates.json",
	    "--upstream", "HTTP://a.example/", NULL), CONFIG_RUN);
	assert_int_equal(f->c.nupstreams, 3);
	assert_string_equal(f->c.upstreams[0], "https://b.example/latest");
	assert_string_equal(f->c.upstreams[1], "file:///srv/rates.json");
	assert_string_equal(f->c.upstreams[2], "HTTP://a.example/");

	/* The variable: a comma list, in order, blanks around items dropped. */
	assert_int_equal(setenv("CCONV_UPSTREAM", "http://one.example/x,https://two.example/y , file:///z", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_int_equal(f->c.nupstreams, 3);
	assert_string_equal(f->c.upstreams[0], "http://one.example/x");
	assert_string_equal(f->c.upstreams[1], "https://two.example/y");
	assert_string_equal(f->c.upstreams[2], "file:///z");

	assert_int_equal(setenv("CCONV_UPSTREAM", "http://one.example/,,http://two.example/", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_UPSTREAM", "empty item");
	assert_int_equal(setenv("CCONV_UPSTREAM", "http://one.example/,", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_UPSTREAM", "empty item");
	assert_int_equal(unsetenv("CCONV_UPSTREAM"), 0);

	assert_usage(f, run(f, "--upstream", "ftp://x.example/", NULL), "--upstream 'ftp://x.example/'",
	    "http://, https:// or file://");
	assert_usage(f, run(f, "--upstream", "api.frankfurter.dev", NULL), "--upstream", "http://");
	assert_usage(f, run(f, "--upstream", "http://", NULL), "--upstream 'http://'", NULL);
	assert_usage(f, run(f, "--upstream", "http://a b/", NULL), "--upstream", "spaces");
	assert_usage(f, run(f, "--upstream", NULL), "--upstream requires a value", NULL);
}

static void
test_history_upstream(void **state)
{
	struct fixture *f = *state;

	/* One URL, checked like an upstream; "none" turns gap filling off. */
	assert_int_equal(setenv("CCONV_HISTORY_UPSTREAM", "file:///srv/hist.xml", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_string_equal(f->c.history_upstream, "file:///srv/hist.xml");
	assert_int_equal(run(f, "--history-upstream", "http://h.example/90d.xml", NULL), CONFIG_RUN);
	assert_string_equal(f->c.history_upstream, "http://h.example/90d.xml");
	assert_int_equal(run(f, "--history-upstream=none", NULL), CONFIG_RUN);
	assert_null(f->c.history_upstream);
	assert_int_equal(setenv("CCONV_HISTORY_UPSTREAM", "none", 1), 0);
	assert_int_equal(run(f, NULL), CONFIG_RUN);
	assert_null(f->c.history_upstream);
	assert_int_equal(setenv("CCONV_HISTORY_UPSTREAM", "a,b", 1), 0);
	assert_usage(f, run(f, NULL), "CCONV_HISTORY_UPSTREAM 'a,b'", "http://, https:// or file://");
	assert_int_equal(unsetenv("CCONV_HISTORY_UPSTREAM"), 0);
	assert_usage(f, run(f, "--history-upstream", "gopher://x/", NULL), "--history-upstream 'gopher://x/'",
	    "http://");
	assert_usage(f, run(f, "--history-upstream", NULL), "--history-upstream requires a value", NULL);
}

static void
test_argv_errors(void **state)
{
	struct fixture *f = *state;

	assert_usage(f, run(f, "--foo", NULL), "unknown option '--foo'", NULL);
	assert_usage(f, run(f, "--foo=1", NULL), "unknown option '--foo'", NULL);
	assert_usage(f, run(f, "-x", NULL), "unknown option '-x'", NULL);
	assert_usage(f, run(f, "--db", NULL), "--db requires a value", NULL);
	assert_usage(f, run(f, "--db", "--verbose", NULL), "--db requires a value", NULL);
	assert_usage(f, run(f, "--db=", NULL), "--db", "empty");
	assert_usage(f, run(f, "--verbose=1", NULL), "--verbose", "no value");
	assert_usage(f, run(f, "serve", NULL), "unexpected argument 'serve'", NULL);
	assert_usage(f, run(f, "--", "serve", NULL), "unexpected argument 'serve'", NULL);
	/* A hostile value is echoed bounded and printable. */
	assert_usage(f, run(f, "--listen", "\x1b[2J", NULL), "--listen '?[2J'", NULL);
	{
		char longval[300];

		memset(longval, 'x', sizeof(longval) - 1);
		longval[sizeof(longval) - 1] = '\0';
		assert_usage(f, run(f, "--listen", longval, NULL), "xxx...': expected HOST:PORT", NULL);
		assert_true(strlen(f->err) < 120);
	}

	assert_int_equal(run(f, "-v", NULL), CONFIG_RUN);
	assert_int_equal(f->c.verbose, 1);
	assert_int_equal(run(f, "--verbose", "--", NULL), CONFIG_RUN);
	assert_int_equal(f->c.verbose, 1);
}

/* Runs config_parse() with stdout sent to a file; returns what it printed. */
static char *
capture(struct fixture *f, const char *arg, int *rc)
{
	char path[] = "/tmp/test_config.XXXXXX";
	static char out[8192];
	int fd, saved;
	ssize_t n;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(unlink(path), 0);
	fflush(stdout);
	assert_true((saved = dup(STDOUT_FILENO)) >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	*rc = run(f, arg, NULL);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, sizeof(out) - 1);
	assert_true(n > 0);
	out[n] = '\0';
	close(fd);
	return out;
}

static void
test_help_and_version(void **state)
{
	static const char *const want[] = {
		"--listen HOST:PORT", "CCONV_LISTEN", "127.0.0.1:8080", "--db PATH", "CCONV_DB",
		"XDG_STATE_HOME", "--upstream URL", "CCONV_UPSTREAM", UPSTREAM_ECB_DAILY ",",
		UPSTREAM_FRANKFURTER_V2 ",", UPSTREAM_FRANKFURTER,
		"--history-upstream URL", "CCONV_HISTORY_UPSTREAM", UPSTREAM_ECB_HIST_90D, "--refresh SECONDS",
		"CCONV_REFRESH", "3600", "--max-age SECONDS", "CCONV_MAX_AGE", "86400", "-v, --verbose",
		"--version", "-h, --help", "/convert/", "/latest", "/currencies", "/healthz", "64",
		"--series-memory MIB", "CCONV_SERIES_MEMORY",
	};
	struct fixture *f = *state;
	const char *out;
	int rc;

	/* Help works even when the environment is bad: it is read later. */
	assert_int_equal(setenv("CCONV_REFRESH", "5", 1), 0);
	out = capture(f, "--help", &rc);
	assert_int_equal(rc, CONFIG_EXIT);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(out, want[i]) == NULL)
			fail_msg("--help lacks '%s'", want[i]);
	out = capture(f, "-h", &rc);
	assert_int_equal(rc, CONFIG_EXIT);
	assert_non_null(strstr(out, "CCONV_LISTEN"));

	out = capture(f, "--version", &rc);
	assert_int_equal(rc, CONFIG_EXIT);
	assert_string_equal(out, "cconvd " CCONV_VERSION "\n");
	assert_string_equal(CCONV_VERSION, "0.1.0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_default_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flag_beats_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upstreams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_upstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_argv_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
