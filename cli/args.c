/*
 * args: argv and environment → struct args, the CLI's only parser of user text.
 *
 * Parsing walks argv once, applying each flag through set_value(); afterwards
 * every row of opts[] with a variable that no flag set is filled from the
 * environment through the same function, then every row still unset from the
 * defaults file (rcfile.c), so a flag, its variable and its config key are
 * validated by the same code and flags beat variables beat the file.  Then
 * come the two operands, checked in the order of the exit codes: shape of
 * the code list and the amount first (64), the codes against ISO 4217 last
 * (65).  No network is touched before all of
 * this has passed; the rates' own list is checked later by main.c.
 *
 * getopt_long() is not used: its global state makes it awkward to call twice
 * (the tests do, many times), it prints its own messages bypassing log.c, and
 * it would take "-1" as an option where the user meant a (refused) amount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "buf.h"
#include "currency.h"
#include "err.h"
#include "fetch.h"
#include "opttab.h"
#include "rcfile.h"
#include "upstream.h"
#include "url.h"

enum opt_id {
	OPT_FROM,
	OPT_SERVER,
	OPT_UPSTREAM,
	OPT_JSON,
	OPT_RAW,
	OPT_LIST,
	OPT_OFFLINE,
	OPT_DATE,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
};

struct opt {
	enum opt_id id;
	struct opttab_name name;	/* "--from", 'f' (0: no short form) */
	int has_value;
	const char *env;	/* NULL: no environment variable */
	int conf;		/* an enum rcfile_key, or NO_CONF */
};

#define NO_CONF (-1)

/* Rows in the order of enum opt_id, so a row's index is its id. */
static const struct opt opts[] = {
	{ OPT_FROM,	{ "--from", 'f' },	1, NULL,			RCFILE_FROM },
	{ OPT_SERVER,	{ "--server", 's' },	1, "CCONV_SERVER",		RCFILE_SERVER },
	{ OPT_UPSTREAM,	{ "--upstream", 'u' },	1, "CCONV_UPSTREAM",		RCFILE_UPSTREAM },
	{ OPT_JSON,	{ "--json", 0 },	0, NULL,			NO_CONF },
	{ OPT_RAW,	{ "--raw", 0 },		0, NULL,			NO_CONF },
	{ OPT_LIST,	{ "--list", 'l' },	0, NULL,			NO_CONF },
	{ OPT_OFFLINE,	{ "--offline", 0 },	0, NULL,			NO_CONF },
	{ OPT_DATE,	{ "--date", 'd' },	1, NULL,			NO_CONF },
	{ OPT_VERBOSE,	{ "--verbose", 'v' },	0, NULL,			NO_CONF },
	{ OPT_HELP,	{ "--help", 'h' },	0, NULL,			NO_CONF },
	{ OPT_VERSION,	{ "--version", 0 },	0, NULL,			NO_CONF },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* Short, to fit a terminal: the forms, the options most used, and where
 * the rest is; docs/cconv.1 is the reference.  Every option is named here
 * (tests/package/check_manpages.py, the shell completions read them). */
static const char usage_text[] =
    "usage: cconv [OPTIONS] CUR[,CUR...] AMOUNT       from EUR (or --from) into each CUR\n"
    "       cconv [OPTIONS] AMOUNT CUR[,CUR...]\n"
    "       cconv [OPTIONS] FROM [to] CUR[,CUR...] AMOUNT\n"
    "       cconv [OPTIONS] AMOUNT FROM [to] CUR[,CUR...]\n"
    "       cconv [OPTIONS] AMOUNT                   into the config file's 'to' list\n"
    "       cconv --list [TEXT]                      the currencies, or those whose code or name has TEXT\n"
    "\n"
    "  $ cconv 100 usd to gbp\n"
    "  75.34 GBP\n"
    "\n"
    "Codes are ISO 4217, in any case.  AMOUNT: 1234.5, .5, 1_000, 1,000.50, or as\n"
    "your locale writes numbers (1.000,50), as results are at a terminal.\n"
    "\n"
    "Options:\n"
    "  -f, --from CUR         convert from CUR (default EUR)\n"
    "  -d, --date YYYY-MM-DD  at the rates of that date, or the nearest earlier one\n"
    "  -l, --list [TEXT]      list the currencies of the rates, or those matching TEXT\n"
    "      --raw              numbers only, one a line, for scripts\n"
    "  -v, --verbose          say where the rates came from, their date and age\n"
    "  -h, --help             print this help\n"
    "\n"
    "More options, the environment, the config file and the exit codes: man cconv\n"
    "  -s, --server URL       --json      --version\n"
    "  -u, --upstream URL     --offline\n";

/* A user's value made safe to echo in a message (buf_quote()). */
static void
quote(const char *s, char out[BUF_QUOTE_LEN])
{
	buf_quote(out, BUF_QUOTE_LEN, s, strlen(s));
}

/* One URL, len bytes of s, of the option `what`: fetch_url_check()'s rule. */
static int
check_url(const char *what, const char *s, size_t len, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];

	if (fetch_url_check(s, len, err, errlen) == -1) {
		err_prefix(err, errlen, "%s '%s'", what, url_quote(s, len, q, sizeof(q)));
		return -1;
	}
	return 0;
}

static int
set_server(struct args *a, const char *what, const char *v, char *err, size_t errlen)
{
	size_t len = strlen(v);

	if (check_url(what, v, len, err, errlen) == -1)
		return -1;
	/* "{server}/latest" must not become "…//latest". */
	while (len > 1 && v[len - 1] == '/')
		len--;
	free(a->server);
	a->server = strndup(v, len);
	if (a->server == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Appends each element of a comma-separated list of URLs. */
static int
add_upstreams(struct args *a, const char *what, const char *v, char *err, size_t errlen)
{
	for (const char *next = v; next != NULL;) {
		size_t len;
		const char *p = opttab_next_item(&next, &len);

		if (len == 0) {
			/* The list is not shown: its other URLs may hold credentials. */
			err_set(err, errlen, "%s: empty URL in the list", what);
			return -1;
		}
		if (check_url(what, p, len, err, errlen) == -1)
			return -1;
		if (a->nupstream == ARGS_MAX_UPSTREAMS) {
			err_set(err, errlen, "%s: more than %d upstream URLs", what, ARGS_MAX_UPSTREAMS);
			return -1;
		}
		a->upstream[a->nupstream] = strndup(p, len);
		if (a->upstream[a->nupstream] == NULL) {
			err_set(err, errlen, "out of memory");
			return -1;
		}
		a->nupstream++;
	}
	return 0;
}

/* A past date, as YYYY-MM-DD; today (UTC) is allowed, tomorrow is not. */
static int
set_date(struct args *a, const char *what, const char *v, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];

	if (dt_past_date_check(v, (int64_t)time(NULL), err, errlen) == -1) {
		quote(v, q);
		err_prefix(err, errlen, "%s '%s'", what, q);
		return -1;
	}
	memcpy(a->date, v, DT_DATE_LEN);
	return 0;
}

/* The one validator for every source of a value: `what` is "--server" or
 * "CCONV_SERVER", for the message.  0, or -1 with err set (a usage error). */
static int
set_value(struct args *a, const struct opt *o, const char *what, const char *v, const char **from,
    char *err, size_t errlen)
{
	switch (o->id) {
	case OPT_FROM:
		if (v[0] == '\0') {
			err_set(err, errlen, "%s: empty currency code", what);
			return -1;
		}
		*from = v;	/* judged with the other codes, after the amount */
		return 0;
	case OPT_SERVER:
		return set_server(a, what, v, err, errlen);
	case OPT_UPSTREAM:
		return add_upstreams(a, what, v, err, errlen);
	case OPT_JSON:
		a->json = 1;
		return 0;
	case OPT_RAW:
		a->raw = 1;
		return 0;
	case OPT_LIST:
		a->list = 1;
		return 0;
	case OPT_OFFLINE:
		a->offline = 1;
		return 0;
	case OPT_DATE:
		return set_date(a, what, v, err, errlen);
	case OPT_VERBOSE:
		a->verbose = 1;
		return 0;
	case OPT_HELP:
		a->help = 1;
		return 0;
	case OPT_VERSION:
		a->version = 1;
		return 0;
	}
	err_set(err, errlen, "%s: unhandled option", what);
	return -1;
}

/* A negative number is an operand (a refused amount), not an option: no
 * option is a digit, and "-1" deserves the amount's own message. */
static int
looks_negative(const char *s)
{
	return s[0] == '-' && ((s[1] >= '0' && s[1] <= '9') || s[1] == '.');
}

/* Splits "GBP,usd, JPY" into a->to without judging the codes (spaces around
 * an element dropped); an empty element is a usage error.  The codes are
 * normalised later. */
static int
split_targets(struct args *a, const char *list, const char *elem[ARGS_MAX_TARGETS],
    size_t elen[ARGS_MAX_TARGETS], char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];

	a->nto = 0;
	for (const char *next = list; next != NULL;) {
		size_t len;
		const char *p = opttab_next_item(&next, &len);

		if (len == 0) {
			quote(list, q);
			if (list[0] == '\0')
				err_set(err, errlen, "no target currency given (see cconv --help)");
			else
				err_set(err, errlen, "empty currency code in the list '%s'", q);
			return -1;
		}
		if (a->nto == ARGS_MAX_TARGETS) {
			err_set(err, errlen, "more than %d target currencies", ARGS_MAX_TARGETS);
			return -1;
		}
		elem[a->nto] = p;
		elen[a->nto] = len;
		a->nto++;
	}
	return 0;
}

/*
 * What a typed text that is no code may have meant, after "unknown currency
 * 'X'" in err: the currencies whose name holds it ("yen": JPY), then the
 * codes one slip away ("GPB": GBP).  Up to three are said in the line; more
 * name matches are left in a->match for the caller to list.
 */
static void
suggest_codes(struct args *a, const char *typed, const char *code, char *err, size_t errlen)
{
	const struct currency *slip[3];
	size_t nslip = code[0] != '\0' ? currency_suggest(code, slip, 3) : 0;
	size_t nname = strlen(typed) >= 3 ? currency_search(typed, a->match, ARGS_MAX_MATCHES) : 0;
	char said[256] = "";

	if (nname > 3 || (nname > 0 && nname + nslip > 3)) {
		a->nmatch_all = nname;
		a->nmatch = nname < ARGS_MAX_MATCHES ? nname : ARGS_MAX_MATCHES;
		err_append(err, errlen, "%zu currencies have it in their name:", nname);
		return;
	}
	for (size_t i = 0; i < nname + nslip; i++) {
		const struct currency *c = i < nname ? a->match[i] : slip[i - nname];
		size_t len = strlen(said);

		snprintf(said + len, sizeof(said) - len, "%s%s", i == 0 ? "" : i + 1 < nname + nslip ? ", " : " or ",
		    c->code);
		if (i < nname) {
			len = strlen(said);
			snprintf(said + len, sizeof(said) - len, " (%s)", c->name);
		}
	}
	if (said[0] != '\0')
		err_append(err, errlen, "did you mean %s?", said);
}

/* s[0..n) → an upper-case ISO 4217 code in out, or the 65 message, with what
 * the user may have meant. */
static int
check_code(struct args *a, const char *s, size_t n, char out[4], char *err, size_t errlen)
{
	char typed[BUF_QUOTE_LEN];	/* longer than buf_quote() keeps, so a cut still shows */
	char q[BUF_QUOTE_LEN];

	if (n >= sizeof(typed))
		n = sizeof(typed) - 1;
	memcpy(typed, s, n);
	typed[n] = '\0';
	if (currency_normalize(typed, out) == -1) {
		quote(typed, q);
		err_set(err, errlen, "unknown currency '%s'", q);
		suggest_codes(a, typed, "", err, errlen);
		return -1;
	}
	if (currency_find(out) == NULL) {
		err_set(err, errlen, "unknown currency '%s'", out);
		suggest_codes(a, typed, out, err, errlen);
		return -1;
	}
	return 0;
}

/* The value of the option `what` that ends argv[*i]: the next argument. */
static const char *
next_value(int argc, char *const argv[], int *i, const char *what, char *err, size_t errlen)
{
	if (*i + 1 >= argc) {
		err_set(err, errlen, "%s needs a value (see cconv --help)", what);
		return NULL;
	}
	return argv[++*i];
}

/*
 * Applies the flag argv[*i] ("--name", "--name=value", or a cluster of short
 * flags such as "-vfUSD"), taking its value from argv[*i + 1] when needed.
 * set_by_flag[k] records that opts[k] came from argv.  0, or -1 with err set.
 */
static int
parse_flag(struct args *a, int argc, char *const argv[], int *i, int set_by_flag[NOPTS],
    const char **from, char *err, size_t errlen)
{
	const char *arg = argv[*i];
	const struct opt *o;
	const char *value = "";
	char what[32];
	char q[BUF_QUOTE_LEN];

	if (arg[1] == '-') {
		const char *eqv;
		int k = opttab_find_long(&opts[0].name, NOPTS, sizeof(opts[0]), arg, &eqv);

		if (k == -1) {
			const char *meant = opttab_suggest_long(&opts[0].name, NOPTS, sizeof(opts[0]), arg);

			quote(arg, q);
			if (meant != NULL)
				err_set(err, errlen, "unknown option '%s'; did you mean %s?", q, meant);
			else
				err_set(err, errlen, "unknown option '%s' (see cconv --help)", q);
			return -1;
		}
		o = &opts[k];
		snprintf(what, sizeof(what), "%s", o->name.lng);
		if (eqv != NULL && !o->has_value) {
			err_set(err, errlen, "%s takes no value", what);
			return -1;
		}
		if (eqv != NULL)
			value = eqv;
		else if (o->has_value && (value = next_value(argc, argv, i, what, err, errlen)) == NULL)
			return -1;
		set_by_flag[o - opts] = 1;
		return set_value(a, o, what, value, from, err, errlen);
	}

	for (const char *c = arg + 1; *c != '\0'; c++) {
		int k = opttab_find_short(&opts[0].name, NOPTS, sizeof(opts[0]), *c);

		if (k == -1) {
			char bad[2] = { *c, '\0' };
			quote(bad, q);
			err_set(err, errlen, "unknown option '-%s' (see cconv --help)", q);
			return -1;
		}
		o = &opts[k];
		snprintf(what, sizeof(what), "-%c", o->name.shrt);
		set_by_flag[o - opts] = 1;
		if (!o->has_value) {
			if (set_value(a, o, what, "", from, err, errlen) == -1)
				return -1;
			if (a->help || a->version)
				return 0;
			continue;
		}
		if (c[1] != '\0')
			value = c + 1;
		else if ((value = next_value(argc, argv, i, what, err, errlen)) == NULL)
			return -1;
		return set_value(a, o, what, value, from, err, errlen);
	}
	return 0;
}

#define MAX_OPERANDS 4	/* AMOUNT FROM to CUR is the longest form */

/* Where the operands put each part; NULL: not given there. */
struct operands {
	const char *from;
	const char *targets;
	const char *amount;
};

/* 1 when s starts as a number does ("100", ".5", "-1", "1,000"), so it is
 * read as the amount wherever it stands; anything else is a currency list. */
static int
amountish(const char *s)
{
	size_t i = 0;

	if (s[i] == '-' || s[i] == '+')
		i++;
	if (s[i] == '.' || s[i] == ',')
		i++;
	return s[i] >= '0' && s[i] <= '9';
}

/* "to" as qalc and units users put it between two currencies, in any case. */
static int
is_to(const char *s)
{
	return (s[0] == 't' || s[0] == 'T') && (s[1] == 'o' || s[1] == 'O') && s[2] == '\0';
}

/* The refusal of an arrangement of operands no form reads, with the forms. */
static void
refuse_form(const char *const op[], size_t n, size_t more, char *err, size_t errlen)
{
	char typed[BUF_QUOTE_LEN] = "", q[BUF_QUOTE_LEN];
	size_t len = 0;

	for (size_t i = 0; i < n && len + 1 < sizeof(typed); i++)
		len += (size_t)snprintf(typed + len, sizeof(typed) - len, "%s%s", i > 0 ? " " : "", op[i]);
	quote(typed, q);
	err_set(err, errlen, "cannot read '%s%s' as a conversion: write CUR AMOUNT, AMOUNT CUR, FROM [to] CUR "
	    "AMOUNT or AMOUNT FROM [to] CUR (see cconv --help)", q, more > 0 ? " ..." : "");
}

/*
 * The operands (more: how many beyond op[MAX_OPERANDS - 1]) in one of the
 * forms of args.h.  file_to: the defaults file names targets, so AMOUNT
 * alone will do.  0, or -1 with the usage error in err.
 */
static int
read_operands(const char *const op[], size_t n, size_t more, int file_to, struct operands *o, char *err,
    size_t errlen)
{
	const char *w[MAX_OPERANDS];
	size_t m = 0, to_at = 0;	/* 0: no "to" (it is never first) */

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i++) {
		if (n >= 3 && to_at == 0 && i > 0 && is_to(op[i]))
			to_at = i;
		else
			w[m++] = op[i];
	}
	/* "to" where it joins no two currencies is no code either: the
	 * forms say where it goes. */
	for (size_t i = 0; i < m; i++) {
		if (is_to(w[i])) {
			refuse_form(op, n, more, err, errlen);
			return -1;
		}
	}
	if (more > 0 || m == 0 || m > 3) {
		if (m == 0 && more == 0)
			err_set(err, errlen, "expected CUR[,CUR...] AMOUNT (see cconv --help)");
		else
			refuse_form(op, n, more, err, errlen);
		return -1;
	}
	if (m == 1) {
		if (file_to) {
			o->amount = w[0];
			return 0;
		}
		if (amountish(w[0]))
			err_set(err, errlen, "missing the currency to convert into: write AMOUNT CUR, or set 'to' "
			    "in the config file (see cconv --help)");
		else
			err_set(err, errlen, "missing AMOUNT after the currency codes (see cconv --help)");
		return -1;
	}
	if (m == 2 && to_at == 0 && !(amountish(w[0]) && amountish(w[1]))) {
		/* CUR AMOUNT unless only the first looks like a number: a bad
		 * amount after codes keeps the amount's own message. */
		int amount_first = amountish(w[0]) && !amountish(w[1]);

		o->amount = w[amount_first ? 0 : 1];
		o->targets = w[amount_first ? 1 : 0];
		return 0;
	}
	if (m == 3 && amountish(w[2]) && !amountish(w[0]) && !amountish(w[1]) && (to_at == 0 || to_at == 1)) {
		o->from = w[0];
		o->targets = w[1];
		o->amount = w[2];
		return 0;
	}
	if (m == 3 && amountish(w[0]) && !amountish(w[1]) && !amountish(w[2]) && (to_at == 0 || to_at == 2)) {
		o->amount = w[0];
		o->from = w[1];
		o->targets = w[2];
		return 0;
	}
	refuse_form(op, n, more, err, errlen);
	return -1;
}

/* --list's TEXT: the operands joined by spaces ("swiss franc"). */
static int
set_filter(struct args *a, const char *const op[], size_t n, size_t more, char *err, size_t errlen)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(a->filter + len, sizeof(a->filter) - len, "%s%s", i > 0 ? " " : "", op[i]);

		if (w < 0 || (size_t)w >= sizeof(a->filter) - len) {
			err_set(err, errlen, "--list: the text to look for is longer than %d bytes",
			    ARGS_FILTER_MAX - 1);
			return -1;
		}
		len += (size_t)w;
	}
	if (more > 0) {
		err_set(err, errlen, "--list: the text to look for is longer than %d bytes", ARGS_FILTER_MAX - 1);
		return -1;
	}
	return 0;
}

/* Puts "config 'PATH': line N: " before the message in err: a value of key k
 * of the defaults file was refused. */
static void
blame_rcfile(char *err, size_t errlen, const struct rcfile *rc, enum rcfile_key k)
{
	err_prefix(err, errlen, "config '%s': line %d", rc->path, rc->line[k]);
}

/*
 * Fills every row that neither a flag nor a variable set from the defaults
 * file.  The values stay owned by rc (*from may point into it), so rc must
 * outlive the checks of the codes; *from_rc says whether it does.
 */
static int
apply_rcfile(struct args *a, const struct rcfile *rc, const int set[NOPTS], const char **from,
    int *from_rc, char *err, size_t errlen)
{
	for (size_t k = 0; k < NOPTS; k++) {
		int c = opts[k].conf;

		if (c == NO_CONF || set[k] || rc->value[c] == NULL)
			continue;
		if (set_value(a, &opts[k], rcfile_key_name((enum rcfile_key)c), rc->value[c], from, err,
		    errlen) == -1) {
			blame_rcfile(err, errlen, rc, (enum rcfile_key)c);
			return -1;
		}
		if (opts[k].id == OPT_FROM)
			*from_rc = 1;
	}
	return 0;
}

enum args_exit
args_parse(int argc, char *const argv[], struct args *a, char *err, size_t errlen)
{
	const char *operand[MAX_OPERANDS];
	size_t noperand = 0, more = 0;
	const char *from = "EUR", *targets;
	int from_rc = 0, targets_rc = 0;	/* taken from the defaults file */
	int set[NOPTS];			/* by a flag or a variable */
	const char *elem[ARGS_MAX_TARGETS];
	size_t elen[ARGS_MAX_TARGETS];
	char q[BUF_QUOTE_LEN];
	struct operands o;
	struct rcfile rc;
	int only_operands = 0;
	enum args_exit ret = ARGS_EX_USAGE;

	memset(a, 0, sizeof(*a));
	memset(&rc, 0, sizeof(rc));
	/* A locale that is not installed leaves C's: plain amounts still read. */
	(void)numfmt_from_environment(&a->numfmt);
	memset(set, 0, sizeof(set));
	if (errlen > 0)
		err[0] = '\0';

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!only_operands && strcmp(arg, "--") == 0) {
			only_operands = 1;
		} else if (!only_operands && arg[0] == '-' && arg[1] != '\0' && !looks_negative(arg)) {
			if (parse_flag(a, argc, argv, &i, set, &from, err, errlen) == -1)
				goto out;
			if (a->help || a->version) {
				ret = ARGS_EX_OK;
				goto out;
			}
		} else if (noperand == MAX_OPERANDS) {
			more++;
		} else {
			operand[noperand++] = arg;
		}
	}

	for (size_t k = 0; k < NOPTS; k++) {
		const char *v;

		if (opts[k].env == NULL || set[k])
			continue;
		v = getenv(opts[k].env);
		if (v == NULL || v[0] == '\0')
			continue;
		if (set_value(a, &opts[k], opts[k].env, v, &from, err, errlen) == -1)
			goto out;
		set[k] = 1;
	}
	if (rcfile_load(&rc, err, errlen) == -1 ||
	    apply_rcfile(a, &rc, set, &from, &from_rc, err, errlen) == -1)
		goto out;
	if (a->server == NULL && set_server(a, "server", ARGS_SERVER_DEFAULT, err, errlen) == -1)
		goto out;
	if (a->nupstream == 0 && add_upstreams(a, "upstream", UPSTREAM_DEFAULT, err, errlen) == -1)
		goto out;
	if (a->raw && a->json) {
		err_set(err, errlen, "--raw and --json cannot be combined");
		goto out;
	}

	if (a->list) {
		if (set_filter(a, operand, noperand, more, err, errlen) == -1)
			goto out;
		ret = ARGS_EX_OK;
		goto out;
	}
	if (read_operands(operand, noperand, more, rc.value[RCFILE_TO] != NULL, &o, err, errlen) == -1)
		goto out;
	if (o.from != NULL) {
		if (set[OPT_FROM]) {
			quote(o.from, q);
			err_set(err, errlen, "the currency to convert from is given twice: by --from and by '%s'", q);
			goto out;
		}
		from = o.from;
		from_rc = 0;
		if (strchr(from, ',') != NULL) {
			quote(from, q);
			err_set(err, errlen, "one currency to convert from, not the list '%s' (see cconv --help)", q);
			goto out;
		}
	}
	targets = o.targets;
	if (targets == NULL) {
		targets = rc.value[RCFILE_TO];
		targets_rc = 1;
	}
	if (split_targets(a, targets, elem, elen, err, errlen) == -1) {
		if (targets_rc)
			blame_rcfile(err, errlen, &rc, RCFILE_TO);
		goto out;
	}
	if (numfmt_parse_amount(&a->numfmt, o.amount, strlen(o.amount), &a->amount, err, errlen) == -1)
		goto out;

	ret = ARGS_EX_CURRENCY;
	if (check_code(a, from, strlen(from), a->from, err, errlen) == -1) {
		if (from_rc)
			blame_rcfile(err, errlen, &rc, RCFILE_FROM);
		goto out;
	}
	for (size_t k = 0; k < a->nto; k++) {
		if (check_code(a, elem[k], elen[k], a->to[k], err, errlen) == -1) {
			if (targets_rc)
				blame_rcfile(err, errlen, &rc, RCFILE_TO);
			goto out;
		}
	}
	ret = ARGS_EX_OK;
out:
	rcfile_free(&rc);
	return ret;
}

void
args_free(struct args *a)
{
	if (a == NULL)
		return;
	free(a->server);
	a->server = NULL;
	for (size_t i = 0; i < a->nupstream; i++)
		free(a->upstream[i]);
	a->nupstream = 0;
}

const char *
args_usage(void)
{
	return usage_text;
}
