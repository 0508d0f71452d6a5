/*
 * The CLI's command line: defaults, environment against flags, both value
 * forms, "--", code lists, case folding, and every usage error with its exit
 * code and message; the defaults file (flags beat variables beat the file,
 * every bad line named), --list, --raw, --offline.
 */
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

#include "args.h"
#include "money.h"
#include "upstream.h"

#define MAX_ARGV 16

struct fixture {
	struct args a;
	char err[1024];
	char home[64];		/* XDG_CONFIG_HOME: a fresh folder per test */
	char dir[96];		/* home/cconv */
	char file[128];		/* home/cconv/config */
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(unsetenv("CCONV_SERVER"), 0);
	assert_int_equal(unsetenv("CCONV_UPSTREAM"), 0);
	/* No test may read the config file of the user running it. */
	snprintf(f.home, sizeof(f.home), "/tmp/cconv-args-XXXXXX");
	assert_non_null(mkdtemp(f.home));
	snprintf(f.dir, sizeof(f.dir), "%s/cconv", f.home);
	snprintf(f.file, sizeof(f.file), "%s/config", f.dir);
	assert_int_equal(setenv("XDG_CONFIG_HOME", f.home, 1), 0);
	*state = &f;
	return 0;
}

/* Writes the defaults file. */
static void
write_config(struct fixture *f, const char *text)
{
	FILE *fp;

	(void)mkdir(f->dir, 0700);
	assert_non_null(fp = fopen(f->file, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	args_free(&f->a);
	(void)unlink(f->file);
	(void)rmdir(f->dir);
	assert_int_equal(rmdir(f->home), 0);
	assert_int_equal(unsetenv("CCONV_SERVER"), 0);
	assert_int_equal(unsetenv("CCONV_UPSTREAM"), 0);
	return 0;
}

/* Parses "cconv" followed by the NULL-terminated arguments. */
static int
parse(struct fixture *f, ...)
{
	char *argv[MAX_ARGV];
	int argc = 0;
	va_list ap;

	argv[argc++] = "cconv";
	va_start(ap, f);
	for (char *s = va_arg(ap, char *); s != NULL; s = va_arg(ap, char *)) {
		assert_true(argc < MAX_ARGV - 1);
		argv[argc++] = s;
	}
	va_end(ap);
	argv[argc] = NULL;
	return args_parse(argc, argv, &f->a, f->err, sizeof(f->err));
}

static void
assert_amount(const struct args *a, const char *want)
{
	char got[DEC_STRLEN];

	dec_format(&a->amount, got, sizeof(got));
	assert_string_equal(got, want);
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "GBP", "100", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "EUR");
	assert_int_equal(f->a.nto, 1);
	assert_string_equal(f->a.to[0], "GBP");
	assert_amount(&f->a, "100");
	assert_string_equal(f->a.server, ARGS_SERVER_DEFAULT);
	assert_int_equal(f->a.nupstream, 3);
	assert_string_equal(f->a.upstream[0], UPSTREAM_ECB_DAILY);
	assert_string_equal(f->a.upstream[1], UPSTREAM_FRANKFURTER_V2);
	assert_string_equal(f->a.upstream[2], UPSTREAM_FRANKFURTER);
	assert_false(f->a.json);
	assert_false(f->a.verbose);
	assert_false(f->a.help);
	assert_false(f->a.version);
}

static void
test_environment(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("CCONV_SERVER", "http://10.0.0.1:9000/", 1), 0);
	assert_int_equal(setenv("CCONV_UPSTREAM", "file:///srv/latest.json,https://a.example/latest", 1), 0);
	assert_int_equal(parse(f, "GBP", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.server, "http://10.0.0.1:9000");	/* no "//latest" later */
	assert_int_equal(f->a.nupstream, 2);
	assert_string_equal(f->a.upstream[0], "file:///srv/latest.json");
	assert_string_equal(f->a.upstream[1], "https://a.example/latest");
}

static void
test_empty_environment_is_unset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("CCONV_SERVER", "", 1), 0);
	assert_int_equal(setenv("CCONV_UPSTREAM", "", 1), 0);
	assert_int_equal(parse(f, "GBP", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.server, ARGS_SERVER_DEFAULT);
	assert_int_equal(f->a.nupstream, 3);
	assert_string_equal(f->a.upstream[0], UPSTREAM_ECB_DAILY);
	assert_string_equal(f->a.upstream[1], UPSTREAM_FRANKFURTER_V2);
	assert_string_equal(f->a.upstream[2], UPSTREAM_FRANKFURTER);
}

static void
test_flags_beat_environment(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("CCONV_SERVER", "http://env:1", 1), 0);
	assert_int_equal(setenv("CCONV_UPSTREAM", "http://env-a,http://env-b", 1), 0);
	assert_int_equal(parse(f, "-s", "http://flag:2", "--upstream", "http://flag-a", "-u", "http://flag-b",
	    "GBP", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.server, "http://flag:2");
	assert_int_equal(f->a.nupstream, 2);
	assert_string_equal(f->a.upstream[0], "http://flag-a");
	assert_string_equal(f->a.upstream[1], "http://flag-b");
}

static void
test_value_forms(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--from=usd", "--server=http://s:1", "--upstream=http://u1,http://u2",
	    "--json", "--verbose", "JPY", "12.5", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "USD");
	assert_string_equal(f->a.server, "http://s:1");
	assert_int_equal(f->a.nupstream, 2);
	assert_string_equal(f->a.upstream[1], "http://u2");
	assert_true(f->a.json);
	assert_true(f->a.verbose);
	assert_amount(&f->a, "12.5");
	args_free(&f->a);

	/* Short forms: attached value, and a cluster ending in a valued flag. */
	assert_int_equal(parse(f, "-fchf", "GBP", ".5", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "CHF");
	assert_amount(&f->a, "0.5");
	args_free(&f->a);
	assert_int_equal(parse(f, "-vf", "gbp", "usd", "7", NULL), ARGS_EX_OK);
	assert_true(f->a.verbose);
	assert_string_equal(f->a.from, "GBP");
	assert_string_equal(f->a.to[0], "USD");
	args_free(&f->a);

	/* Options may follow the operands. */
	assert_int_equal(parse(f, "GBP", "3", "--from", "SEK", "-v", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "SEK");
	assert_true(f->a.verbose);
}

static void
test_double_dash(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "-v", "--", "GBP", "1", NULL), ARGS_EX_OK);
	assert_true(f->a.verbose);
	assert_string_equal(f->a.to[0], "GBP");
	args_free(&f->a);

	/* After "--", "--json" is an operand: here a bad amount. */
	assert_int_equal(parse(f, "--", "GBP", "--json", NULL), ARGS_EX_USAGE);
	assert_false(f->a.json);
	assert_non_null(strstr(f->err, "'--json'"));
}

static void
test_code_list_and_case(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "gbp,Usd,JPY,kwd", "1234.5", NULL), ARGS_EX_OK);
	assert_int_equal(f->a.nto, 4);
	assert_string_equal(f->a.to[0], "GBP");
	assert_string_equal(f->a.to[1], "USD");
	assert_string_equal(f->a.to[2], "JPY");
	assert_string_equal(f->a.to[3], "KWD");
	assert_amount(&f->a, "1234.5");
}

static void
test_empty_code_in_list(void **state)
{
	struct fixture *f = *state;
	static const char *const lists[] = { "GBP,,USD", "GBP,", ",GBP", "," };

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		assert_int_equal(parse(f, lists[i], "1", NULL), ARGS_EX_USAGE);
		assert_non_null(strstr(f->err, "empty currency code"));
		args_free(&f->a);
	}
	assert_int_equal(parse(f, "", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "no target currency"));
}

static void
test_bad_amount(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "1e3", "NaN", "inf", "0x10", "1,5", "", " 1", "5.",
	    "1234567890123456" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char quoted[64];

		assert_int_equal(parse(f, "GBP", bad[i], NULL), ARGS_EX_USAGE);
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		assert_non_null(strstr(f->err, quoted));
		args_free(&f->a);
	}
	/* A negative amount reaches the amount's message, not "unknown option". */
	assert_int_equal(parse(f, "GBP", "-1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "amount '-1'"));
}

static void
test_usage_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "expected CUR"));
	args_free(&f->a);
	assert_int_equal(parse(f, "GBP", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "missing AMOUNT"));
	args_free(&f->a);
	assert_int_equal(parse(f, "GBP", "1", "2", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "cannot read 'GBP 1 2' as a conversion: write CUR AMOUNT, AMOUNT CUR"));
	args_free(&f->a);
	assert_int_equal(parse(f, "--frobnicate", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "unknown option '--frobnicate'"));
	args_free(&f->a);
	assert_int_equal(parse(f, "-x", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "unknown option '-x'"));
	args_free(&f->a);
	assert_int_equal(parse(f, "GBP", "1", "--from", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "--from needs a value"));
	args_free(&f->a);
	assert_int_equal(parse(f, "--json=yes", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "--json takes no value"));
	args_free(&f->a);
	assert_int_equal(parse(f, "--server=", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "--server '': empty URL"));
	args_free(&f->a);
	assert_int_equal(parse(f, "-u", "http://a,,http://b", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "-u: empty URL in the list"));
	args_free(&f->a);
	assert_int_equal(parse(f, "--from=", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "--from: empty currency code"));
}

static void
test_bad_environment(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setenv("CCONV_UPSTREAM", "http://a,", 1), 0);
	assert_int_equal(parse(f, "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "CCONV_UPSTREAM: empty URL in the list"));
	args_free(&f->a);

	/* A flag replaces the variable, so the variable's fault does not matter. */
	assert_int_equal(parse(f, "-u", "http://ok", "GBP", "1", NULL), ARGS_EX_OK);
	assert_int_equal(f->a.nupstream, 1);
	args_free(&f->a);

	assert_int_equal(setenv("CCONV_SERVER", "http://has space", 1), 0);
	assert_int_equal(parse(f, "-u", "http://ok", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err,
	    "CCONV_SERVER 'http://has space': a URL cannot hold spaces or control characters"));
}

/* The forms qalc and units users type, each giving the same conversion. */
static void
test_operand_forms(void **state)
{
	struct fixture *f = *state;
	static const char *const forms[][4] = {
		{ "usd", "gbp,JPY", "100", NULL },
		{ "100", "usd", "gbp,JPY", NULL },
		{ "usd", "to", "gbp,JPY", "100" },
		{ "100", "USD", "TO", "gbp,JPY" },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(parse(f, forms[i][0], forms[i][1], forms[i][2], forms[i][3], NULL), ARGS_EX_OK);
		assert_string_equal(f->a.from, "USD");
		assert_int_equal(f->a.nto, 2);
		assert_string_equal(f->a.to[0], "GBP");
		assert_string_equal(f->a.to[1], "JPY");
		assert_amount(&f->a, "100");
		args_free(&f->a);
	}
	/* AMOUNT CUR: from EUR, or --from. */
	assert_int_equal(parse(f, "100", "GBP", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "EUR");
	assert_string_equal(f->a.to[0], "GBP");
	assert_amount(&f->a, "100");
	args_free(&f->a);
	assert_int_equal(parse(f, "-f", "chf", ".5", "GBP", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "CHF");
	assert_amount(&f->a, "0.5");
	args_free(&f->a);
	/* A source in the file gives way to one among the operands. */
	write_config(f, "from = JPY\n");
	assert_int_equal(parse(f, "usd", "gbp", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.from, "USD");
	args_free(&f->a);

	/* Arrangements no form reads are refused with the forms; never a guess. */
	static const char *const bad[][5] = {
		{ "1", "2", NULL },
		{ "usd", "1", "gbp", NULL },
		{ "usd", "gbp", "jpy", "1", NULL },
		{ "100", "to", "gbp", NULL },
		{ "usd", "gbp", "to", "1", NULL },
		{ "to", "usd", "gbp", "1", NULL },
		{ "to", "gbp", "100", NULL },
		{ "100", "to", NULL },
		{ "1", "usd", "to", "gbp", "x" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(f, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], NULL),
		    ARGS_EX_USAGE);
		assert_non_null(strstr(f->err, "as a conversion: write CUR AMOUNT, AMOUNT CUR, FROM [to] CUR AMOUNT "
		    "or AMOUNT FROM [to] CUR"));
		args_free(&f->a);
	}
	assert_int_equal(parse(f, "-f", "CHF", "usd", "gbp", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err, "the currency to convert from is given twice: by --from and by 'usd'");
	args_free(&f->a);
	assert_int_equal(parse(f, "usd,chf", "gbp", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "one currency to convert from, not the list 'usd,chf'"));
}

/* What a slip or a name most likely meant, said with the refusal. */
static void
test_did_you_mean(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "GPB", "100", NULL), ARGS_EX_CURRENCY);
	assert_string_equal(f->err, "unknown currency 'GPB'; did you mean GBP?");
	assert_int_equal(f->a.nmatch, 0);
	args_free(&f->a);
	assert_int_equal(parse(f, "swiss", "100", NULL), ARGS_EX_CURRENCY);
	assert_string_equal(f->err, "unknown currency 'swiss'; did you mean CHF (Swiss Franc)?");
	args_free(&f->a);
	assert_int_equal(parse(f, "--frm", "USD", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err, "unknown option '--frm'; did you mean --from?");
	args_free(&f->a);
	/* A name many currencies share: they are listed by the caller. */
	assert_int_equal(parse(f, "dollar", "100", NULL), ARGS_EX_CURRENCY);
	assert_true(f->a.nmatch_all > ARGS_MAX_MATCHES);
	assert_int_equal(f->a.nmatch, ARGS_MAX_MATCHES);
	assert_string_equal(f->a.match[0]->code, "USD");
	for (size_t i = 0; i < f->a.nmatch; i++)
		assert_non_null(strstr(f->a.match[i]->name, "Dollar"));
	assert_non_null(strstr(f->err, "unknown currency 'dollar'; "));
	args_free(&f->a);
	assert_int_equal(parse(f, "qqq", "100", NULL), ARGS_EX_CURRENCY);
	assert_string_equal(f->err, "unknown currency 'QQQ'");
}

static void
test_unknown_currency(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "GBP,xyz", "1", NULL), ARGS_EX_CURRENCY);
	assert_string_equal(f->err, "unknown currency 'XYZ'");
	args_free(&f->a);
	assert_int_equal(parse(f, "gb1", "1", NULL), ARGS_EX_CURRENCY);
	assert_string_equal(f->err, "unknown currency 'gb1'");
	args_free(&f->a);
	assert_int_equal(parse(f, "-f", "ABC", "GBP", "1", NULL), ARGS_EX_CURRENCY);
	assert_string_equal(f->err, "unknown currency 'ABC'");
	args_free(&f->a);
	/* Usage errors come first: a bad amount with a bad code is 64. */
	assert_int_equal(parse(f, "XYZ", "abc", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "'abc'"));
}

static void
test_help_and_version(void **state)
{
	struct fixture *f = *state;
	const char *u = args_usage();

	assert_int_equal(parse(f, "--help", NULL), ARGS_EX_OK);
	assert_true(f->a.help);
	args_free(&f->a);
	assert_int_equal(parse(f, "GBP", "-h", NULL), ARGS_EX_OK);
	assert_true(f->a.help);
	args_free(&f->a);
	assert_int_equal(parse(f, "--version", NULL), ARGS_EX_OK);
	assert_true(f->a.version);

	/* The help fits a terminal of 40 rows with room for the command: every
	 * form, every option named, and where the rest is. */
	static const char *const words[] = { "--from", "--server", "--upstream", "--json", "--raw", "--list",
	    "--offline", "--date", "--verbose", "--help", "--version", "-f,", "-s,", "-u,", "-l,", "-d,", "-v,",
	    "-h,", "CUR[,CUR...] AMOUNT", "AMOUNT CUR[,CUR...]", "FROM [to] CUR[,CUR...] AMOUNT",
	    "AMOUNT FROM [to] CUR[,CUR...]", "--list [TEXT]", "man cconv" };
	size_t lines = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		assert_non_null(strstr(u, words[i]));
	for (const char *p = u; *p != '\0'; p++)
		lines += *p == '\n';
	assert_true(lines <= 25);
}

static void
test_config_file_defaults(void **state)
{
	struct fixture *f = *state;

	write_config(f, "# defaults\n\n  server = http://rates.lan:8080/  \n"
	    "upstream=file:///srv/a.json, https://b.example/latest\nfrom = usd\r\nto = GBP,jpy\n");
	/* With 'to' in the file, AMOUNT alone is enough. */
	assert_int_equal(parse(f, "12.5", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.server, "http://rates.lan:8080");
	assert_int_equal(f->a.nupstream, 2);
	assert_string_equal(f->a.upstream[0], "file:///srv/a.json");
	assert_string_equal(f->a.upstream[1], "https://b.example/latest");
	assert_string_equal(f->a.from, "USD");
	assert_int_equal(f->a.nto, 2);
	assert_string_equal(f->a.to[0], "GBP");
	assert_string_equal(f->a.to[1], "JPY");
	assert_amount(&f->a, "12.5");
	args_free(&f->a);

	/* Operands still work, and beat the file's targets. */
	assert_int_equal(parse(f, "KWD", "1", NULL), ARGS_EX_OK);
	assert_int_equal(f->a.nto, 1);
	assert_string_equal(f->a.to[0], "KWD");
	args_free(&f->a);

	/* $HOME/.config when XDG_CONFIG_HOME is unset. */
	assert_int_equal(unsetenv("XDG_CONFIG_HOME"), 0);
	assert_int_equal(setenv("HOME", "/nonexistent-cconv-home", 1), 0);
	assert_int_equal(parse(f, "1", NULL), ARGS_EX_USAGE);	/* no file there: no 'to' */
	assert_non_null(strstr(f->err, "missing the currency to convert into: write AMOUNT CUR"));
}

static void
test_flags_beat_variables_beat_file(void **state)
{
	struct fixture *f = *state;

	write_config(f, "server = http://file:1\nupstream = http://file-up\nfrom = GBP\n");
	assert_int_equal(setenv("CCONV_SERVER", "http://env:2", 1), 0);
	assert_int_equal(parse(f, "JPY", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.server, "http://env:2");
	assert_string_equal(f->a.upstream[0], "http://file-up");
	assert_string_equal(f->a.from, "GBP");
	args_free(&f->a);
	assert_int_equal(parse(f, "-s", "http://flag:3", "-f", "CHF", "-u", "http://flag-up", "JPY", "1", NULL),
	    ARGS_EX_OK);
	assert_string_equal(f->a.server, "http://flag:3");
	assert_int_equal(f->a.nupstream, 1);
	assert_string_equal(f->a.upstream[0], "http://flag-up");
	assert_string_equal(f->a.from, "CHF");
}

/* Every bad line is refused, naming the file and the line. */
static void
test_config_errors(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *msg;
	} cases[] = {
		{ "server = http://a\nnonsense\n", ARGS_EX_USAGE, "line 2: expected 'key = value', got 'nonsense'" },
		{ "sever = http://a\n", ARGS_EX_USAGE,
		  "line 1: unknown key 'sever' (known: server, upstream, from, to)" },
		{ "to = GBP\n# again\nto = USD\n", ARGS_EX_USAGE, "line 3: 'to' was already set on line 1" },
		{ "from =\n", ARGS_EX_USAGE, "line 1: 'from' has no value" },
		{ "server = http://has space\n", ARGS_EX_USAGE,
		  "line 1: server 'http://has space': a URL cannot hold spaces" },
		{ "upstream = http://a,,http://b\n", ARGS_EX_USAGE, "line 1: upstream: empty URL in the list" },
		{ "to = GBP\nfrom = XYZ\n", ARGS_EX_CURRENCY, "line 2: unknown currency 'XYZ'" },
		{ "to = GBP,QQQ\n", ARGS_EX_CURRENCY, "line 1: unknown currency 'QQQ'" },
		{ "to = GBP,,USD\n", ARGS_EX_USAGE, "line 1: empty currency code in the list" },
	};
	struct fixture *f = *state;
	char want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		write_config(f, cases[i].text);
		rc = parse(f, "1", NULL);
		snprintf(want, sizeof(want), "config '%s': %s", f->file, cases[i].msg);
		if (rc != cases[i].rc || strstr(f->err, want) == NULL)
			fail_msg("case %zu: got %d '%s', wanted %d '%s'", i, rc, f->err, cases[i].rc, want);
		args_free(&f->a);
	}
	/* A bad file is reported even when flags would override every key. */
	write_config(f, "bogus\n");
	assert_int_equal(parse(f, "-s", "http://x", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "line 1"));
	args_free(&f->a);
	/* ...but not --help, which must always work. */
	assert_int_equal(parse(f, "--help", NULL), ARGS_EX_OK);
	assert_true(f->a.help);
}

static void
test_list_raw_offline(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--list", NULL), ARGS_EX_OK);
	assert_true(f->a.list);
	assert_int_equal(f->a.nto, 0);
	args_free(&f->a);
	assert_int_equal(parse(f, "-l", "--raw", "--offline", NULL), ARGS_EX_OK);
	assert_true(f->a.list && f->a.raw && f->a.offline);
	args_free(&f->a);
	/* Operands are the text to look for. */
	assert_int_equal(parse(f, "--list", "swiss", "franc", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.filter, "swiss franc");
	args_free(&f->a);
	assert_int_equal(parse(f, "--list", "0123456789012345678901234567890", "01234567890123456789012345678901",
	    NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "longer than 63 bytes"));
	args_free(&f->a);
	assert_int_equal(parse(f, "--raw", "--json", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err, "--raw and --json cannot be combined");
	args_free(&f->a);
	assert_int_equal(parse(f, "--offline", "--raw", "GBP", "1", NULL), ARGS_EX_OK);
	assert_true(f->a.offline && f->a.raw && !f->a.list);
	assert_string_equal(f->a.to[0], "GBP");
}

static void
test_date(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "GBP", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.date, "");
	args_free(&f->a);
	assert_int_equal(parse(f, "--date", "2024-01-06", "GBP", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.date, "2024-01-06");
	args_free(&f->a);
	assert_int_equal(parse(f, "-d2000-02-29", "GBP", "1", NULL), ARGS_EX_OK);
	assert_string_equal(f->a.date, "2000-02-29");
	args_free(&f->a);
	assert_int_equal(parse(f, "--date=2024-13-01", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err, "--date '2024-13-01': expected a date as YYYY-MM-DD");
	args_free(&f->a);
	assert_int_equal(parse(f, "-d", "yesterday", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err, "-d 'yesterday': expected a date as YYYY-MM-DD");
	args_free(&f->a);
	assert_int_equal(parse(f, "--date", "9999-12-31", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_non_null(strstr(f->err, "--date '9999-12-31': in the future (today is "));
}

/* A URL names its scheme, the same rule as cconvd's (fetch_url_check()), and
 * a list of them is split the same way. */
static void
test_url_schemes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--server", "127.0.0.1:8080", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err,
	    "--server '127.0.0.1:8080': expected a URL starting with http://, https:// or file://");
	args_free(&f->a);
	assert_int_equal(parse(f, "-u", "http://ok,ftp://x/", "GBP", "1", NULL), ARGS_EX_USAGE);
	assert_string_equal(f->err, "-u 'ftp://x/': expected a URL starting with http://, https:// or file://");
	args_free(&f->a);
	assert_int_equal(parse(f, "--server", "HTTPS://rates.example", "-u", "file:///srv/latest.json", "GBP", "1",
	    NULL), ARGS_EX_OK);
	assert_string_equal(f->a.server, "HTTPS://rates.example");
	assert_string_equal(f->a.upstream[0], "file:///srv/latest.json");
	args_free(&f->a);
	/* CCONV_UPSTREAM is split as cconvd splits it: blanks, tabs too, dropped. */
	assert_int_equal(setenv("CCONV_UPSTREAM", "http://a ,\thttp://b", 1), 0);
	assert_int_equal(parse(f, "GBP", "1", NULL), ARGS_EX_OK);
	assert_int_equal(f->a.nupstream, 2);
	assert_string_equal(f->a.upstream[0], "http://a");
	assert_string_equal(f->a.upstream[1], "http://b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_environment_is_unset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_beat_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_dash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_list_and_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_code_in_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_amount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operand_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_did_you_mean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_currency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_file_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_beat_variables_beat_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_raw_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_schemes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
