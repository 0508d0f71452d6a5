/*
 * config: argv and the environment become one checked struct cconvd_config.
 *
 * Every option is one row of options[] (redis's config.c is the model): its
 * flag, environment variable, type, bounds, default and help line.  The
 * parser, the precedence rule and --help all read that table, so adding an
 * option is adding a row.  Values from every source, defaults included, pass
 * through opt_apply(), which is why "--refresh 5" and "CCONV_REFRESH=5" get
 * the same sentence and why a default can never be something a user could
 * not have typed.  Precedence falls out of the order of work: argv first,
 * marking what it set; then the environment for what is still unset; then the
 * defaults.  --help and --version stop at once, before the environment is
 * read, so a bad variable cannot hide the help.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "dirs.h"
#include "dt.h"
#include "err.h"
#include "fetch.h"
#include "opttab.h"
#include "upstream.h"
#include "url.h"

#define HOST_MAX 255		/* a DNS name's limit (RFC 1035), and more than any address */

enum opt_type {
	OPT_LISTEN,		/* HOST:PORT into listen_host, listen_port */
	OPT_PATH,		/* char * at off */
	OPT_URLS,		/* appended to upstreams; a variable holds a comma list */
	OPT_URL,		/* char * at off; "none" leaves it NULL */
	OPT_SECONDS,		/* long at off, min..max */
	OPT_COUNT,		/* long at off, min..max, no unit */
	OPT_FLAG,		/* int at off, set to 1 */
	OPT_DATE,		/* char * at off: a YYYY-MM-DD date, not in the future */
	OPT_HELP,
	OPT_VERSION,
};

struct opt {
	struct opttab_name name;	/* "--verbose", 'v' (0: no short form) */
	const char *env;	/* NULL: flag only */
	enum opt_type type;
	size_t off;		/* field of struct cconvd_config */
	long min, max;		/* OPT_SECONDS, OPT_COUNT bounds */
	const char *def;	/* NULL: none, or computed (--db) */
	const char *metavar;	/* NULL: takes no value */
	const char *help;
};

static const struct opt options[] = {
	{ { "--listen", 0 }, "CCONV_LISTEN", OPT_LISTEN, 0, 0, 0,
	  "127.0.0.1:8080", "HOST:PORT",
	  "address to serve HTTP on; [::1]:8080 for IPv6,\n"
	  "port 0 for any free port" },
	{ { "--db", 0 }, "CCONV_DB", OPT_PATH, offsetof(struct cconvd_config, db_path), 0, 0,
	  NULL, "PATH",
	  "SQLite file of fetched rates;\nmissing folders are created" },
	{ { "--upstream", 0 }, "CCONV_UPSTREAM", OPT_URLS, 0, 0, 0,
	  UPSTREAM_DEFAULT, "URL",
	  "rates source: http://, https:// or file://,\n"
	  "Frankfurter v1/v2 or fixer JSON, the ECB's XML or CSV;\n"
	  "repeat the flag for more sources, in precedence order:\n"
	  "each round asks all and merges them per currency;\n"
	  "the variable takes a comma-separated list and\n"
	  "is ignored when any flag is given" },
	{ { "--history-upstream", 0 }, "CCONV_HISTORY_UPSTREAM", OPT_URL,
	  offsetof(struct cconvd_config, history_upstream), 0, 0,
	  UPSTREAM_ECB_HIST_90D, "URL",
	  "multi-day feed fetched after a refresh finds\n"
	  "working days missing since the newest stored\n"
	  "one (the daemon was down); only missing days\n"
	  "are stored; 'none' turns it off" },
	{ { "--refresh", 0 }, "CCONV_REFRESH", OPT_SECONDS, offsetof(struct cconvd_config, refresh), 60, 86400,
	  "3600", "SECONDS",
	  "time between fetches" },
	{ { "--max-age", 0 }, "CCONV_MAX_AGE", OPT_SECONDS, offsetof(struct cconvd_config, max_age), 60, 31536000,
	  "86400", "SECONDS",
	  "age of a fetch, or of the rates' date past their\n"
	  "next publication, after which they are marked stale" },
	/*
	 * One host may hold 64 of the 1000 connections: far more than a
	 * browser (6 per host) or a few scripts need, even behind one NAT
	 * address, while one misbehaving machine cannot take the server from the
	 * rest of a LAN.  0 lifts it for loopback benchmarks.
	 */
	{ { "--max-conns-per-ip", 0 }, "CCONV_MAX_CONNS_PER_IP", OPT_COUNT,
	  offsetof(struct cconvd_config, max_conns_per_ip), 0, 1000,
	  "64", "N",
	  "connections one client address may hold open;\n"
	  "0 for no limit" },
	/*
	 * One thread per core serves clients on other machines best.  A load
	 * generator on the same machine needs a core of its own, and server
	 * threads competing with it for the cores lengthen the tail latency, so
	 * such a comparison gives the server fewer threads (docs/benchmark.md).
	 */
	{ { "--threads", 0 }, "CCONV_THREADS", OPT_COUNT, offsetof(struct cconvd_config, threads), 0, 64,
	  "0", "N",
	  "HTTP threads; 0 for one per core" },
	/*
	 * A long series is rendered whole and held until its client has read
	 * it (http.c); the default leaves room for four of the largest answers
	 * (API_SERIES_CAP) waiting for slow readers at once.
	 */
	{ { "--series-memory", 0 }, "CCONV_SERIES_MEMORY", OPT_COUNT,
	  offsetof(struct cconvd_config, series_memory), 1, 65536,
	  "64", "MIB",
	  "memory in MiB that long time series answers\n"
	  "not yet read by their clients may hold together;\n"
	  "beyond it new ones are answered 503" },
	{ { "--import", 0 }, NULL, OPT_PATH, offsetof(struct cconvd_config, import_path), 0, 0,
	  NULL, "FILE",
	  "load history from FILE (the ECB's eurofxref-hist.csv\n"
	  "or XML, or a Frankfurter JSON answer) into the\n"
	  "database in one transaction, then exit" },
	{ { "--backfill", 0 }, NULL, OPT_DATE, offsetof(struct cconvd_config, backfill_start), 0, 0,
	  NULL, "START",
	  "load history from START (YYYY-MM-DD) to today\n"
	  "from the first upstream with a Frankfurter time\n"
	  "series ({base}/START..), then exit" },
	{ { "--verbose", 'v' }, NULL, OPT_FLAG, offsetof(struct cconvd_config, verbose), 0, 0,
	  NULL, NULL,
	  "log debug lines too" },
	{ { "--version", 0 }, NULL, OPT_VERSION, 0, 0, 0, NULL, NULL, "print the version and exit" },
	{ { "--help", 'h' }, NULL, OPT_HELP, 0, 0, 0, NULL, NULL, "print this help and exit" },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/* A user's value made safe to echo (buf_quote()), as an expression. */
static const char *
quote(const char *s, char *out, size_t outlen)
{
	buf_quote(out, outlen, s, strlen(s));
	return out;
}

/* Digits only (no sign, no blanks, no "0x": strtol would take all three),
 * into a long.  0, with *out LONG_MAX when the number overflows (so that a
 * range check reports it as out of range), or -1 when it is not a number. */
static int
parse_long(const char *s, long *out)
{
	char *end;

	*out = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (*end != '\0')
		return -1;
	if (errno == ERANGE)
		*out = LONG_MAX;
	return 0;
}

static int
host_char_ok(char ch, int bracketed)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    ch == '.' || ch == '-')
		return 1;
	return bracketed ? ch == ':' || ch == '%' : ch == '_';
}

/* "host:port" or "[v6]:port" into the config.  IPv6 needs its brackets:
 * in "::1:8080" no rule could tell where the address ends. */
static int
set_listen(struct cconvd_config *c, const char *src, const char *v, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];
	const char *host, *colon;
	size_t hostlen;
	int bracketed = v[0] == '[';
	long port;
	char *copy;

	if (bracketed) {
		const char *close = strchr(v, ']');
		host = v + 1;
		hostlen = close != NULL ? (size_t)(close - host) : 0;
		colon = close != NULL && close[1] == ':' ? close + 1 : NULL;
		if (close == NULL || memchr(host, ':', hostlen) == NULL)
			colon = NULL;
	} else {
		host = v;
		colon = strrchr(v, ':');
		hostlen = colon != NULL ? (size_t)(colon - v) : 0;
		if (colon != NULL && memchr(v, ':', hostlen) != NULL) {
			err_set(err, errlen, "%s '%s': an IPv6 address needs brackets, as in [::1]:8080", src,
			    quote(v, q, sizeof(q)));
			return -1;
		}
	}
	if (colon == NULL || hostlen == 0 || colon[1] == '\0') {
		err_set(err, errlen, "%s '%s': expected HOST:PORT", src, quote(v, q, sizeof(q)));
		return -1;
	}
	if (hostlen > HOST_MAX) {
		err_set(err, errlen, "%s '%s': host longer than %d bytes", src, quote(v, q, sizeof(q)), HOST_MAX);
		return -1;
	}
	for (size_t i = 0; i < hostlen; i++) {
		if (!host_char_ok(host[i], bracketed)) {
			err_set(err, errlen, "%s '%s': not a host name or address before the port", src,
			    quote(v, q, sizeof(q)));
			return -1;
		}
	}
	if (parse_long(colon + 1, &port) == -1 || port > 65535) {
		err_set(err, errlen, "%s '%s': the port must be a number from 0 to 65535", src,
		    quote(v, q, sizeof(q)));
		return -1;
	}
	if ((copy = strndup(host, hostlen)) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	free(c->listen_host);
	c->listen_host = copy;
	c->listen_port = (unsigned short)port;
	return 0;
}

static int
set_path(char **field, const char *src, const char *v, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];
	char *copy;

	if (v[0] == '\0') {
		err_set(err, errlen, "%s must not be empty", src);
		return -1;
	}
	if (strlen(v) >= PATH_MAX) {
		err_set(err, errlen, "%s '%s': path longer than %d bytes", src, quote(v, q, sizeof(q)),
		    PATH_MAX - 1);
		return -1;
	}
	if ((copy = strdup(v)) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	free(*field);
	*field = copy;
	return 0;
}

/* A copy of one URL, n bytes of v (a variable's list is not split in place),
 * or NULL with err set when it is not one we can fetch. */
static char *
url_copy(const char *src, const char *v, size_t n, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];
	char *copy;

	if (fetch_url_check(v, n, err, errlen) == -1) {
		err_prefix(err, errlen, "%s '%s'", src, url_quote(v, n, q, sizeof(q)));
		return NULL;
	}
	if ((copy = strndup(v, n)) == NULL)
		err_set(err, errlen, "out of memory");
	return copy;
}

/* One URL appended to the upstreams. */
static int
add_url(struct cconvd_config *c, const char *src, const char *v, size_t n, char *err, size_t errlen)
{
	char *copy = NULL, **grown;
	int rc = -1;

	if ((copy = url_copy(src, v, n, err, errlen)) == NULL)
		goto out;
	if (c->nupstreams == CONFIG_MAX_UPSTREAMS) {
		err_set(err, errlen, "%s: at most %d upstreams", src, CONFIG_MAX_UPSTREAMS);
		goto out;
	}
	if ((grown = reallocarray(c->upstreams, c->nupstreams + 1, sizeof(*grown))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	c->upstreams = grown;
	c->upstreams[c->nupstreams++] = copy;
	copy = NULL;
	rc = 0;
out:
	free(copy);
	return rc;
}

/* A flag gives one URL; a variable gives a comma list, blanks around items
 * ignored ("a, b" is two URLs), an empty item refused. */
static int
set_urls(struct cconvd_config *c, const char *src, const char *v, int is_list, char *err, size_t errlen)
{
	if (!is_list)
		return add_url(c, src, v, strlen(v), err, errlen);
	for (const char *next = v; next != NULL;) {
		size_t n;
		const char *p = opttab_next_item(&next, &n);

		if (n == 0) {
			/* The list is not shown: its other URLs may hold credentials. */
			err_set(err, errlen, "%s: empty item in the comma-separated list of URLs", src);
			return -1;
		}
		if (add_url(c, src, p, n, err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* The one validator: src is what the user wrote ("--refresh" or
 * "CCONV_REFRESH"), so the message points at the source they used. */
static int
opt_apply(struct cconvd_config *c, const struct opt *o, const char *src, const char *v, int from_env,
    char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];
	const char *unit;
	long n;

	switch (o->type) {
	case OPT_LISTEN:
		return set_listen(c, src, v, err, errlen);
	case OPT_PATH:
		return set_path((char **)((char *)c + o->off), src, v, err, errlen);
	case OPT_URLS:
		return set_urls(c, src, v, from_env, err, errlen);
	case OPT_URL: {
		char **field = (char **)((char *)c + o->off), *copy = NULL;

		if (strcmp(v, "none") != 0 && (copy = url_copy(src, v, strlen(v), err, errlen)) == NULL)
			return -1;
		free(*field);
		*field = copy;
		return 0;
	}
	case OPT_SECONDS:
	case OPT_COUNT:
		unit = o->type == OPT_SECONDS ? " seconds" : "";
		if (parse_long(v, &n) == -1) {
			err_set(err, errlen, "%s must be a whole number%s (got '%s')", src,
			    o->type == OPT_SECONDS ? " of seconds" : "", quote(v, q, sizeof(q)));
			return -1;
		}
		if (n < o->min || n > o->max) {
			err_set(err, errlen, "%s must be between %ld and %ld%s (got '%s')", src, o->min,
			    o->max, unit, quote(v, q, sizeof(q)));
			return -1;
		}
		*(long *)((char *)c + o->off) = n;
		return 0;
	case OPT_FLAG:
		*(int *)((char *)c + o->off) = 1;
		return 0;
	case OPT_DATE:
		if (dt_past_date_check(v, (int64_t)time(NULL), err, errlen) == -1) {
			err_prefix(err, errlen, "%s '%s'", src, quote(v, q, sizeof(q)));
			return -1;
		}
		return set_path((char **)((char *)c + o->off), src, v, err, errlen);
	case OPT_HELP:
	case OPT_VERSION:
		break;
	}
	return 0;
}

/* $XDG_STATE_HOME/cconv/rates.db, else ~/.local/state/cconv/rates.db
 * (dirs.h: both must be absolute paths). */
static int
default_db(struct cconvd_config *c, const struct opt *o, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (dirs_xdg(DIRS_STATE, "cconv/rates.db", path, sizeof(path), err, errlen) != DIRS_OK) {
		err_prefix(err, errlen, "no default database path (give --db or CCONV_DB)");
		return -1;
	}
	return opt_apply(c, o, "the default database path", path, 0, err, errlen);
}

/* The left column of an option's help: "-v, --verbose" or "    --db PATH". */
static void
option_left(const struct opt *o, char *left, size_t len)
{
	char shortcol[5] = "    ";

	if (o->name.shrt != 0)
		snprintf(shortcol, sizeof(shortcol), "-%c, ", o->name.shrt);
	snprintf(left, len, "%s%s%s%s", shortcol, o->name.lng, o->metavar != NULL ? " " : "",
	    o->metavar != NULL ? o->metavar : "");
}

static void
usage(FILE *f)
{
	char left[64];
	int w = 0;

	/* The text column starts after the longest option, so none runs into its text. */
	for (size_t i = 0; i < NOPTIONS; i++) {
		option_left(&options[i], left, sizeof(left));
		if ((int)strlen(left) > w)
			w = (int)strlen(left);
	}
	fprintf(f, "usage: cconvd [OPTIONS]\n"
	    "\n"
	    "A caching currency-rate proxy: fetches reference rates, keeps them in\n"
	    "SQLite and serves conversions over HTTP.  A flag beats its variable,\n"
	    "which beats the default.\n"
	    "\n"
	    "Options:\n");
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct opt *o = &options[i];
		const char *h = o->help, *nl;

		option_left(o, left, sizeof(left));
		/* Help text may span lines; indent each under the first. */
		while ((nl = strchr(h, '\n')) != NULL) {
			fprintf(f, "  %-*s  %.*s\n", w, left, (int)(nl - h), h);
			left[0] = '\0';
			h = nl + 1;
		}
		fprintf(f, "  %-*s  %s\n", w, left, h);
		if (o->env != NULL)
			fprintf(f, "  %-*s  variable %s\n", w, "", o->env);
		if (o->def != NULL && o->type == OPT_URLS) {
			/* A list of URLs: one a line, in the order tried. */
			const char *d = o->def, *comma;
			fprintf(f, "  %-*s  default", w, "");
			while ((comma = strchr(d, ',')) != NULL) {
				fprintf(f, " %.*s,\n  %-*s         ", (int)(comma - d), d, w, "");
				d = comma + 1;
			}
			fprintf(f, " %s\n", d);
		} else if (o->def != NULL)
			fprintf(f, "  %-*s  default %s\n", w, "", o->def);
		else if (o->type == OPT_PATH && o->off == offsetof(struct cconvd_config, db_path))
			fprintf(f, "  %-*s  default $XDG_STATE_HOME/cconv/rates.db,\n"
			    "  %-*s    else ~/.local/state/cconv/rates.db\n", w, "", w, "");
		if (o->type == OPT_SECONDS || o->type == OPT_COUNT)
			fprintf(f, "  %-*s  from %ld to %ld\n", w, "", o->min, o->max);
	}
	fprintf(f, "\n"
	    "HTTP endpoints (GET):\n"
	    "  /                                  the web page (converter and chart)\n"
	    "  /convert/CUR/AMOUNT                AMOUNT euros in CUR, as text\n"
	    "  /convert?from=&to=&amount=         one conversion, as JSON\n"
	    "  /latest?from=&to=&amount=          Frankfurter's format (also base=, symbols=)\n"
	    "  /currencies                        every currency it can convert\n"
	    "  /YYYY-MM-DD?from=&to=&amount=      that date's rates, or the nearest earlier\n"
	    "  /START..END?from=&to=&amount=      time series (END may be left out)\n"
	    "  /convert?...&date=YYYY-MM-DD       one conversion at a past date\n"
	    "  /healthz                           200 with rates, 503 without\n"
	    "  /metrics                           Prometheus text format (cconvd_*)\n"
	    "  (every path also under /v1/, as Frankfurter serves it)\n"
	    "\n"
	    "Exit status:\n"
	    "  0   stopped by SIGTERM or SIGINT, --help/--version, or an\n"
	    "      --import/--backfill that loaded its history\n"
	    "  64  bad option or value\n"
	    "  1   runtime failure at start (database, listening socket), or a\n"
	    "      failed --import/--backfill (the database is then unchanged)\n");
}

/* One argv element (and maybe its value from the next); *i advances past
 * what was used. */
static enum config_status
parse_arg(struct cconvd_config *c, int argc, char **argv, int *i, int *seen, char *err, size_t errlen)
{
	const char *a = argv[*i], *eq = NULL, *value = NULL;
	const struct opt *o;
	char q[BUF_QUOTE_LEN];
	int k = -1;

	if (a[0] == '-' && a[1] == '-')
		k = opttab_find_long(&options[0].name, NOPTIONS, sizeof(options[0]), a, &eq);
	else if (a[0] == '-' && a[1] != '\0' && a[2] == '\0')
		k = opttab_find_short(&options[0].name, NOPTIONS, sizeof(options[0]), a[1]);
	else if (a[0] != '-' || a[1] == '\0') {
		err_set(err, errlen, "unexpected argument '%s' (cconvd takes only options)", quote(a, q, sizeof(q)));
		return CONFIG_USAGE;
	}
	if (k == -1) {
		/* eq is the value's start: quote the name alone. */
		if (eq != NULL)
			err_set(err, errlen, "unknown option '%.*s'", (int)(eq - 1 - a), quote(a, q, sizeof(q)));
		else
			err_set(err, errlen, "unknown option '%s'", quote(a, q, sizeof(q)));
		return CONFIG_USAGE;
	}
	o = &options[k];
	if (o->metavar == NULL && eq != NULL) {
		err_set(err, errlen, "%s takes no value", o->name.lng);
		return CONFIG_USAGE;
	}
	if (o->metavar != NULL) {
		if (eq != NULL)
			value = eq;
		/* "--db --verbose" is far likelier a forgotten value than a file
		 * named "--verbose"; --db=--verbose still says the latter. */
		else if (*i + 1 < argc && !(argv[*i + 1][0] == '-' && argv[*i + 1][1] != '\0'))
			value = argv[++*i];
		else {
			err_set(err, errlen, "%s requires a value", o->name.lng);
			return CONFIG_USAGE;
		}
	}
	switch (o->type) {
	case OPT_HELP:
		usage(stdout);
		return CONFIG_EXIT;
	case OPT_VERSION:
		printf("cconvd %s\n", CCONV_VERSION);
		return CONFIG_EXIT;
	default:
		break;
	}
	seen[o - options] = 1;
	return opt_apply(c, o, o->name.lng, value, 0, err, errlen) == -1 ? CONFIG_USAGE : CONFIG_RUN;
}

enum config_status
config_parse(struct cconvd_config *c, int argc, char **argv, char *err, size_t errlen)
{
	int seen[NOPTIONS] = { 0 };
	enum config_status rc = CONFIG_USAGE;

	memset(c, 0, sizeof(*c));
	for (int i = 1; i < argc; i++) {
		/* "--" ends the options; since cconvd takes no operands, anything
		 * after it is refused like any other stray argument. */
		if (strcmp(argv[i], "--") == 0) {
			if (i + 1 < argc) {
				char q[BUF_QUOTE_LEN];
				err_set(err, errlen, "unexpected argument '%s' (cconvd takes only options)",
				    quote(argv[i + 1], q, sizeof(q)));
				goto out;
			}
			break;
		}
		if ((rc = parse_arg(c, argc, argv, &i, seen, err, errlen)) != CONFIG_RUN)
			goto out;
	}
	rc = CONFIG_USAGE;
	for (size_t k = 0; k < NOPTIONS; k++) {
		const struct opt *o = &options[k];
		const char *v;

		if (seen[k])
			continue;
		/* An empty variable counts as unset, as a unit file's "CCONV_DB="
		 * usually means "not configured here". */
		if (o->env != NULL && (v = getenv(o->env)) != NULL && v[0] != '\0') {
			if (opt_apply(c, o, o->env, v, 1, err, errlen) == -1)
				goto out;
		} else if (o->def != NULL) {
			/* UPSTREAM_DEFAULT is a list, written as the variable takes one. */
			if (opt_apply(c, o, "the default", o->def, o->type == OPT_URLS, err, errlen) == -1)
				goto out;
		} else if (o->type == OPT_PATH && o->off == offsetof(struct cconvd_config, db_path)) {
			if (default_db(c, o, err, errlen) == -1)
				goto out;
		}
	}
	if (c->import_path != NULL && c->backfill_start != NULL) {
		err_set(err, errlen, "--import and --backfill cannot be combined: run one, then the other");
		goto out;
	}
	rc = CONFIG_RUN;
out:
	if (rc != CONFIG_RUN)
		config_free(c);
	return rc;
}

void
config_free(struct cconvd_config *c)
{
	free(c->listen_host);
	free(c->db_path);
	free(c->history_upstream);
	free(c->import_path);
	free(c->backfill_start);
	for (size_t i = 0; i < c->nupstreams; i++)
		free(c->upstreams[i]);
	free(c->upstreams);
	memset(c, 0, sizeof(*c));
}
