/*
 * The ISO 4217 table: its order (binary search depends on it), its contents
 * (the minor units every printed amount follows), and the two code checks that
 * stand between typed text and a lookup.
 */
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "currency.h"

static void
test_table_sorted_unique_valid(void **state)
{
	size_t n = currency_count();

	(void)state;
	assert_true(n >= 185 && n <= 200);
	for (size_t i = 0; i < n; i++) {
		const struct currency *c = currency_at(i);

		assert_non_null(c);
		assert_true(currency_code_ok(c->code));
		assert_non_null(c->name);
		assert_true(strlen(c->name) > 0);
		assert_true(c->minor >= 0 && c->minor <= 4);
		assert_true(c->numeric >= 1 && c->numeric <= 999);
		assert_true(c->historic == 0 || c->historic == 1);
		/* Numeric codes are unique among current codes; ISO may give a withdrawn code's number to
		 * its successor (ANG and XCG share 532). */
		for (size_t j = 0; j < i; j++)
			if (!c->historic && !currency_at(j)->historic)
				assert_int_not_equal(currency_at(j)->numeric, c->numeric);
		if (i > 0)	/* strictly increasing: sorted and no duplicates */
			assert_true(strcmp(currency_at(i - 1)->code, c->code) < 0);
		/* Every entry is reachable through the binary search. */
		assert_ptr_equal(currency_find(c->code), c);
	}
	assert_null(currency_at(n));
	assert_null(currency_at((size_t)-1));
}

static void
test_minor_units(void **state)
{
	static const struct {
		const char *code;
		int minor;
	} cases[] = {
		{ "EUR", 2 }, { "USD", 2 }, { "GBP", 2 }, { "CHF", 2 }, { "HUF", 2 },
		{ "ILS", 2 }, { "HRK", 2 }, { "BGN", 2 }, { "XCD", 2 },
		{ "JPY", 0 }, { "KRW", 0 }, { "ISK", 0 }, { "CLP", 0 }, { "VND", 0 },
		{ "UGX", 0 }, { "PYG", 0 }, { "RWF", 0 }, { "KMF", 0 }, { "GNF", 0 },
		{ "DJF", 0 }, { "VUV", 0 }, { "BIF", 0 },
		{ "XAF", 0 }, { "XOF", 0 }, { "XPF", 0 },
		{ "KWD", 3 }, { "BHD", 3 }, { "JOD", 3 }, { "OMR", 3 }, { "TND", 3 },
		{ "LYD", 3 }, { "IQD", 3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct currency *c = currency_find(cases[i].code);

		assert_non_null(c);
		assert_string_equal(c->code, cases[i].code);
		assert_int_equal(c->minor, cases[i].minor);
	}
}

/* Every code the ECB's history carries, the euro's predecessors included, with ISO's numbers and the minor
 * units ISO listed while each was current. */
static void
test_historic(void **state)
{
	static const struct {
		const char *code;
		int minor;
		unsigned short numeric;
		unsigned char historic;
	} cases[] = {
		{ "CYP", 2, 196, 1 }, { "EEK", 2, 233, 1 }, { "LTL", 2, 440, 1 }, { "LVL", 2, 428, 1 },
		{ "MTL", 2, 470, 1 }, { "ROL", 2, 642, 1 }, { "SIT", 2, 705, 1 }, { "SKK", 2, 703, 1 },
		{ "TRL", 0, 792, 1 }, { "HRK", 2, 191, 1 }, { "DEM", 2, 276, 1 }, { "ITL", 0, 380, 1 },
		{ "ESP", 0, 724, 1 }, { "FRF", 2, 250, 1 }, { "BYR", 0, 974, 1 }, { "VEF", 2, 937, 1 },
		{ "RON", 2, 946, 0 }, { "TRY", 2, 949, 0 }, { "GBP", 2, 826, 0 }, { "EUR", 2, 978, 0 },
		{ "JPY", 0, 392, 0 }, { "USD", 2, 840, 0 }, { "ANG", 2, 532, 1 }, { "XCG", 2, 532, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct currency *c = currency_find(cases[i].code);

		assert_non_null(c);
		assert_int_equal(c->minor, cases[i].minor);
		assert_int_equal(c->numeric, cases[i].numeric);
		assert_int_equal(c->historic, cases[i].historic);
	}
}

/*
 * The current list against Debian's iso-codes (package iso-codes), where it is installed: every
 * current code it lists is ours with the same number, unless left out on purpose (funds, metals,
 * SDR, test codes) or withdrawn after that package's edition was made; every current code of ours
 * is in it, unless ISO added it after that edition.
 */
#define ISO_CODES_JSON "/usr/share/iso-codes/json/iso_4217.json"

static int
in_list(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

static void
test_against_iso_codes(void **state)
{
	static const char *const left_out[] = {
		"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "XAG", "XAU", "XBA",
		"XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX",
	};
	static const char *const withdrawn_since[] = { "ANG", "BGN", "CUC", "HRK", "SLL", "ZWL" };
	static const char *const added_since[] = { "XCG", "ZWG" };
	json_error_t jerr;
	json_t *doc, *list, *e;
	size_t i, matched = 0, current = 0;

	(void)state;
	doc = json_load_file(ISO_CODES_JSON, 0, &jerr);
	if (doc == NULL) {
		print_message("skipped: %s: %s (apt-get install iso-codes)\n", ISO_CODES_JSON, jerr.text);
		skip();
	}
	list = json_object_get(doc, "4217");
	assert_true(json_is_array(list));
	json_array_foreach(list, i, e) {
		const char *code = json_string_value(json_object_get(e, "alpha_3"));
		const char *num = json_string_value(json_object_get(e, "numeric"));
		const struct currency *c;

		assert_non_null(code);
		assert_non_null(num);
		c = currency_find(code);
		if (in_list(code, left_out, sizeof(left_out) / sizeof(left_out[0]))) {
			assert_null(c);
			continue;
		}
		assert_non_null(c);
		assert_int_equal(c->numeric, strtoul(num, NULL, 10));
		assert_int_equal(c->historic, in_list(code, withdrawn_since,
		    sizeof(withdrawn_since) / sizeof(withdrawn_since[0])));
		matched++;
	}
	for (i = 0; i < currency_count(); i++) {
		const struct currency *c = currency_at(i);
		int found = 0;
		size_t k;

		if (c->historic)
			continue;
		current++;
		json_array_foreach(list, k, e)
			if (strcmp(json_string_value(json_object_get(e, "alpha_3")), c->code) == 0)
				found = 1;
		assert_int_equal(found, !in_list(c->code, added_since, sizeof(added_since) / sizeof(added_since[0])));
	}
	assert_true(matched >= 150);
	assert_int_equal(current + 6, matched + 2);	/* ours: matched - withdrawn + added */
	json_decref(doc);
}

/*
 * Names and symbols against the Ruby money gem's table, where Debian's
 * ruby-money is installed: Frankfurter answers the gem's, so every current
 * code of ours that the gem lists has its name and symbol, but for what that
 * edition predates (symbols changed since, codes added since) and
 * Frankfurter's own corrections of the gem ("CFA" spelt so).
 */
#define RUBY_MONEY_GLOB "/usr/share/rubygems-integration/all/gems/money-*/config/"

static json_t *
ruby_money_table(void)
{
	static const char *const files[] = { "currency_iso.json", "currency_non_iso.json",
	    "currency_backwards_compatible.json" };
	json_t *all = json_object();
	glob_t g;

	assert_non_null(all);
	if (glob(RUBY_MONEY_GLOB, 0, NULL, &g) != 0) {
		json_decref(all);
		return NULL;
	}
	/* The gem's loader: later files override earlier ones. */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_MAX];
		json_error_t jerr;
		json_t *doc;

		snprintf(path, sizeof(path), "%s%s", g.gl_pathv[g.gl_pathc - 1], files[i]);
		doc = json_load_file(path, 0, &jerr);
		assert_non_null(doc);
		assert_int_equal(json_object_update(all, doc), 0);
		json_decref(doc);
	}
	globfree(&g);
	return all;
}

static void
test_against_ruby_money(void **state)
{
	/* Changed in the gem since Debian's edition (6.16): symbols, and a name. */
	static const char *const changed_since[] = { "AMD", "GEL", "ILS", "RSD", "TMT" };
	static const char *const corrected[] = { "XAF", "XOF", "XPF" };
	json_t *all = ruby_money_table();
	size_t checked = 0;

	(void)state;
	if (all == NULL) {
		print_message("skipped: no %s (apt-get install ruby-money)\n", RUBY_MONEY_GLOB);
		skip();
	}
	for (size_t i = 0; i < currency_count(); i++) {
		const struct currency *c = currency_at(i);
		char key[4];
		json_t *e;
		const char *sym;

		for (int k = 0; k < 4; k++)
			key[k] = (char)(c->code[k] >= 'A' && c->code[k] <= 'Z' ? c->code[k] - 'A' + 'a' : c->code[k]);
		if (c->historic || (e = json_object_get(all, key)) == NULL)
			continue;
		sym = json_string_value(json_object_get(e, "symbol"));
		if (in_list(c->code, changed_since, sizeof(changed_since) / sizeof(changed_since[0])))
			continue;
		if (!in_list(c->code, corrected, sizeof(corrected) / sizeof(corrected[0])) &&
		    strcmp(c->name, json_string_value(json_object_get(e, "name"))) != 0)
			fail_msg("%s: name '%s', the gem's '%s'", c->code, c->name,
			    json_string_value(json_object_get(e, "name")));
		if ((sym == NULL ? c->symbol != NULL : c->symbol == NULL || strcmp(c->symbol, sym) != 0))
			fail_msg("%s: symbol '%s', the gem's '%s'", c->code, c->symbol ? c->symbol : "(none)",
			    sym ? sym : "(none)");
		checked++;
	}
	assert_true(checked >= 140);
	json_decref(all);
}

/* The names and symbols Frankfurter prints, which ours must match. */
static void
test_frankfurter_names(void **state)
{
	static const char *const rows[][3] = {
		{ "AUD", "Australian Dollar", "$" }, { "GBP", "British Pound", "£" },
		{ "USD", "United States Dollar", "$" }, { "JPY", "Japanese Yen", "¥" },
		{ "CHF", "Swiss Franc", "CHF" }, { "CNY", "Chinese Renminbi Yuan", "¥" },
		{ "EUR", "Euro", "€" }, { "KRW", "South Korean Won", "₩" },
		{ "XOF", "West African CFA Franc", "Fr" }, { "DEM", "Deutsche Mark", "DM" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct currency *c = currency_find(rows[i][0]);

		assert_non_null(c);
		assert_string_equal(c->name, rows[i][1]);
		assert_non_null(c->symbol);
		assert_string_equal(c->symbol, rows[i][2]);
	}
	assert_null(currency_find("VED")->symbol);
}

static void
test_find(void **state)
{
	size_t n = currency_count();

	(void)state;
	/* The ends of the table, where an off-by-one in the search shows. */
	assert_ptr_equal(currency_find(currency_at(0)->code), currency_at(0));
	assert_ptr_equal(currency_find(currency_at(n - 1)->code), currency_at(n - 1));
	assert_string_equal(currency_at(0)->code, "AED");
	assert_string_equal(currency_at(n - 1)->code, "ZWL");

	/* Well-formed but not a currency, or deliberately left out. */
	assert_null(currency_find("QQQ"));
	assert_null(currency_find("AAA"));
	assert_null(currency_find("ZZZ"));
	assert_null(currency_find("XAU"));
	assert_null(currency_find("XXX"));
	assert_null(currency_find("XTS"));
	assert_null(currency_find("XDR"));
	assert_null(currency_find("CLF"));
	assert_non_null(currency_find("CYP"));	/* historic, found */
	/* Not upper case, or not three letters: never found. */
	assert_null(currency_find("usd"));
	assert_null(currency_find("US"));
	assert_null(currency_find("USDD"));
	assert_null(currency_find(""));
	assert_null(currency_find(NULL));
}

static void
test_code_ok(void **state)
{
	(void)state;
	assert_true(currency_code_ok("USD"));
	assert_true(currency_code_ok("QQQ"));	/* shape only, not membership */
	assert_false(currency_code_ok("usd"));
	assert_false(currency_code_ok("Usd"));
	assert_false(currency_code_ok("US"));
	assert_false(currency_code_ok("USDD"));
	assert_false(currency_code_ok("U$D"));
	assert_false(currency_code_ok("US1"));
	assert_false(currency_code_ok(""));
	assert_false(currency_code_ok("US\xc4"));
	assert_false(currency_code_ok(NULL));
}

static void
test_normalize(void **state)
{
	static const char *const refused[] = {
		"us", "usdd", "u$d", "", "u", "US1", "us ", " us", "\xc3\xa9ur", "[SD", "`sd", "{sd", "@SD",
	};
	char out[4];

	(void)state;
	assert_int_equal(currency_normalize("gbp", out), 0);
	assert_string_equal(out, "GBP");
	assert_int_equal(currency_normalize("GBP", out), 0);
	assert_string_equal(out, "GBP");
	assert_int_equal(currency_normalize("uSd", out), 0);
	assert_string_equal(out, "USD");
	assert_int_equal(currency_normalize("qqq", out), 0);	/* shape only */
	assert_string_equal(out, "QQQ");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(currency_normalize(refused[i], out), -1);
	assert_int_equal(currency_normalize(NULL, out), -1);
}

static void
test_search(void **state)
{
	const struct currency *got[8];
	size_t n;

	(void)state;
	assert_int_equal(currency_search("swiss", got, 8), 1);
	assert_string_equal(got[0]->code, "CHF");
	assert_int_equal(currency_search("ZLOTY", got, 8), 1);
	assert_string_equal(got[0]->code, "PLN");
	assert_int_equal(currency_search("chf", got, 8), 1);
	/* The most traded first, then current ones, the many matches counted
	 * beyond what fits. */
	assert_true(currency_search("dollar", got, 2) > 8);
	assert_string_equal(got[0]->code, "USD");
	assert_string_equal(got[1]->code, "AUD");
	n = currency_search("franc", got, 2);
	assert_true(n > 8);
	assert_string_equal(got[0]->code, "CHF");
	assert_false(got[1]->historic);
	n = currency_search("pound", got, 8);
	assert_true(n > 8);
	for (size_t i = 0; i < 8; i++)
		assert_true(currency_matches(got[i], "POUND"));
	assert_int_equal(currency_search("no such money", got, 8), 0);
}

static void
test_suggest(void **state)
{
	const struct currency *got[4];

	(void)state;
	assert_int_equal(currency_suggest("GPB", got, 4), 1);
	assert_string_equal(got[0]->code, "GBP");
	assert_true(currency_suggest("USS", got, 4) >= 1);
	assert_string_equal(got[0]->code, "USD");
	assert_int_equal(currency_suggest("QQQ", got, 4), 0);
	assert_int_equal(currency_suggest("dollar", got, 4), 0);
	/* Historic codes are not proposed: CEM is one slip from DEM alone. */
	assert_int_equal(currency_suggest("CEM", got, 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted_unique_valid),
		cmocka_unit_test(test_minor_units),
		cmocka_unit_test(test_frankfurter_names),
		cmocka_unit_test(test_historic),
		cmocka_unit_test(test_against_iso_codes),
		cmocka_unit_test(test_against_ruby_money),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_code_ok),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
