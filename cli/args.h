/*
 * args: the CLI's command line and environment, parsed once into a struct.
 *
 *   cconv [OPTIONS] CUR[,CUR…] AMOUNT	(from EUR, or --from)
 *   cconv [OPTIONS] AMOUNT CUR[,CUR…]
 *   cconv [OPTIONS] FROM [to] CUR[,CUR…] AMOUNT
 *   cconv [OPTIONS] AMOUNT FROM [to] CUR[,CUR…]
 *   cconv [OPTIONS] AMOUNT		(targets from the defaults file)
 *   cconv --list [OPTIONS] [TEXT]	(the currencies whose code or name has TEXT)
 *
 * Every option is one row of a table in args.c (short and long name, the
 * environment variable that may also set it, whether it takes a value); a flag
 * beats its variable, an empty variable counts as unset.  Both "--opt value"
 * and "--opt=value" work, short options take "-f USD" or "-fUSD", and "--" ends
 * the options.  Everything the user typed is checked here, before any network
 * access: the amount with numfmt_parse_amount() (plain decimal text, or
 * grouped as LC_NUMERIC or '_' and spaces group it: 1,000.50, 1 000,50,
 * 1_000; an ambiguous one refused), the codes with
 * currency_normalize() and currency_find().  After args_parse() succeeds the
 * rest of the program works on values that cannot be invalid.
 *
 * Not thread-safe (it reads the environment); call it once, from main().
 */
#ifndef CCONV_CLI_ARGS_H
#define CCONV_CLI_ARGS_H

#include <stddef.h>

#include "currency.h"
#include "dt.h"
#include "fetch.h"
#include "money.h"
#include "numfmt.h"

/* Exit codes (the values of <sysexits.h>, documented in --help and README). */
enum args_exit {
	ARGS_EX_OK = 0,
	ARGS_EX_USAGE = 64,	/* usage error or bad amount */
	ARGS_EX_CURRENCY = 65,	/* unknown currency */
	ARGS_EX_DATAERR = 65,	/* the daemon refused the request with its reason (no rates that far back) */
	ARGS_EX_NORATES = 69,	/* no rates from any source */
	ARGS_EX_SOFTWARE = 70,	/* libcurl, the clock or memory failed: not the user's doing */
	ARGS_EX_IOERR = 74,	/* stdout could not be written */
};

#define ARGS_SERVER_DEFAULT "http://127.0.0.1:8080"
#define ARGS_MAX_TARGETS 256	/* more than ISO 4217 has codes */
#define ARGS_MAX_UPSTREAMS 16	/* URLs asked and merged, in precedence order */
#define ARGS_URL_MAX FETCH_URL_MAX	/* bytes in a URL (fetch_url_check()), without the NUL */
#define ARGS_FILTER_MAX 64	/* bytes of --list's TEXT, with the NUL */
#define ARGS_MAX_MATCHES 12	/* currencies named when a typed name is no code */

struct args {
	char from[4];			/* upper case, an ISO 4217 code */
	char to[ARGS_MAX_TARGETS][4];	/* upper case, ISO 4217, in the order given */
	size_t nto;
	struct dec amount;
	struct numfmt numfmt;		/* LC_NUMERIC's way with numbers: how AMOUNT was read, how
					 * results are written at a terminal */
	char *server;			/* owned; never ends in '/' */
	char *upstream[ARGS_MAX_UPSTREAMS];	/* owned */
	size_t nupstream;		/* at least 1 after a successful parse */
	int json;
	int raw;			/* numbers only (not with json) */
	int list;			/* --list: to, nto and amount unset */
	char filter[ARGS_FILTER_MAX];	/* --list's TEXT (its operands, joined by spaces); "": all */
	/* After ARGS_EX_CURRENCY for a typed name that is no code ("dollar"):
	 * the currencies whose name matches it, nmatch_all of them in all, the
	 * first nmatch here (borrowed from currency.h's table), for the
	 * caller to list under the message. */
	const struct currency *match[ARGS_MAX_MATCHES];
	size_t nmatch, nmatch_all;
	int offline;			/* the cache only */
	char date[DT_DATE_LEN];		/* --date: "YYYY-MM-DD", not in the future; "": the latest */
	int verbose;
	int help;			/* --help seen: print args_usage(), exit 0 */
	int version;			/* --version seen */
};

/*
 * Parses argv (argv[0] ignored), the variables CCONV_SERVER and
 * CCONV_UPSTREAM (a comma-separated list), and the defaults file (rcfile.h:
 * server, upstream, from, and to, the targets when only AMOUNT is given)
 * into a; flags beat variables beat the file.  A bad line of the file is a
 * usage error naming the file and the line.  Returns ARGS_EX_OK, or
 * ARGS_EX_USAGE / ARGS_EX_CURRENCY with err holding one line for the user
 * ("amount '1e3': only digits and one '.' are allowed", "unknown currency
 * 'GPB'; did you mean GBP?", "unknown option '--frm'; did you mean
 * --from?"; a name that matches many currencies lists them in a->match).
 * The operands are read in the forms above, a currency list being
 * anything that does not start like a number; any other arrangement is
 * refused with the forms that are accepted.  When --help or --version is seen, parsing stops there and
 * ARGS_EX_OK is returned with a->help or a->version set.  a is always
 * initialised and must be released with args_free(), whatever the result.
 */
enum args_exit args_parse(int argc, char *const argv[], struct args *a, char *err, size_t errlen);

/* Frees what a owns; accepts a struct that args_parse() filled or failed on. */
void args_free(struct args *a);

/* The --help text: usage, options, environment variables, exit codes.
 * A static string. */
const char *args_usage(void);

#endif
