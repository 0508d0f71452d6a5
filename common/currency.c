/*
 * currency: the ISO 4217 table, as a sorted static array.
 *
 * The table lists every currency a person might convert: the active national
 * currencies and the shared ones (XAF, XOF, XPF, XCD, XCG), then, marked
 * historic, the codes ISO 4217 has withdrawn since the euro began: the euro's
 * predecessors (BGN since 2026) and the currencies replaced or redenominated
 * since (ANG by XCG, which took over its numeric code).  Historic
 * codes stay because a day in the past has rates for them (the ECB published
 * CYP, ROL and TRL for years) and a history must not lose them.  Fund codes
 * (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals (XAU, XAG,
 * XPD, XPT), the SDR and the test codes (XTS, XXX) are left out: none is money
 * a person holds, and most have no minor units, so an upstream rate for one is
 * skipped.
 *
 * Names and symbols are those Frankfurter answers ("British Pound", "£";
 * "Chinese Renminbi Yuan", "¥"), so a Frankfurter client sees the same text
 * from us: Frankfurter takes them from the Ruby money gem's table (7.0.2),
 * with its own corrections ("CFA" spelt so) and the euro's predecessors
 * added.  A historic code keeps "(old)" after a name its successor shares, and
 * a code neither lists has no symbol.
 *
 * Minor units are ISO 4217's, which are what people and banks print (ISK 0,
 * KWD 3), not what coins exist; a historic code keeps the minor units ISO
 * listed while it was current (ITL 0, TRL 0).
 *
 * The array is sorted by code; lookups are a binary search, and a unit test
 * checks the order.  Everything here is read-only, so thread-safe.
 */
#include <stddef.h>
#include <string.h>

#include "currency.h"
#include "textmatch.h"

static const struct currency table[] = {
	{ "AED", "United Arab Emirates Dirham", 2, 784, 0, "د.إ" },
	{ "AFN", "Afghan Afghani", 2, 971, 0, "؋" },
	{ "ALL", "Albanian Lek", 2, 8, 0, "L" },
	{ "AMD", "Armenian Dram", 2, 51, 0, "֏" },
	{ "ANG", "Netherlands Antillean Guilder", 2, 532, 1, "ƒ" },
	{ "AOA", "Angolan Kwanza", 2, 973, 0, "Kz" },
	{ "ARS", "Argentine Peso", 2, 32, 0, "$" },
	{ "ATS", "Austrian Schilling", 2, 40, 1, "öS" },
	{ "AUD", "Australian Dollar", 2, 36, 0, "$" },
	{ "AWG", "Aruban Florin", 2, 533, 0, "ƒ" },
	{ "AZM", "Azerbaijani Manat (old)", 2, 31, 1, NULL },
	{ "AZN", "Azerbaijani Manat", 2, 944, 0, "₼" },
	{ "BAM", "Bosnia and Herzegovina Convertible Mark", 2, 977, 0, "КМ" },
	{ "BBD", "Barbadian Dollar", 2, 52, 0, "$" },
	{ "BDT", "Bangladeshi Taka", 2, 50, 0, "৳" },
	{ "BEF", "Belgian Franc", 2, 56, 1, "BF" },
	{ "BGN", "Bulgarian Lev", 2, 975, 1, "лв." },
	{ "BHD", "Bahraini Dinar", 3, 48, 0, "د.ب" },
	{ "BIF", "Burundian Franc", 0, 108, 0, "Fr" },
	{ "BMD", "Bermudian Dollar", 2, 60, 0, "$" },
	{ "BND", "Brunei Dollar", 2, 96, 0, "$" },
	{ "BOB", "Bolivian Boliviano", 2, 68, 0, "Bs." },
	{ "BRL", "Brazilian Real", 2, 986, 0, "R$" },
	{ "BSD", "Bahamian Dollar", 2, 44, 0, "$" },
	{ "BTN", "Bhutanese Ngultrum", 2, 64, 0, "Nu." },
	{ "BWP", "Botswana Pula", 2, 72, 0, "P" },
	{ "BYN", "Belarusian Ruble", 2, 933, 0, "Br" },
	{ "BYR", "Belarusian Ruble (old)", 0, 974, 1, "Br" },
	{ "BZD", "Belize Dollar", 2, 84, 0, "$" },
	{ "CAD", "Canadian Dollar", 2, 124, 0, "$" },
	{ "CDF", "Congolese Franc", 2, 976, 0, "Fr" },
	{ "CHF", "Swiss Franc", 2, 756, 0, "CHF" },
	{ "CLP", "Chilean Peso", 0, 152, 0, "$" },
	{ "CNY", "Chinese Renminbi Yuan", 2, 156, 0, "¥" },
	{ "COP", "Colombian Peso", 2, 170, 0, "$" },
	{ "CRC", "Costa Rican Colón", 2, 188, 0, "₡" },
	{ "CSD", "Serbian Dinar (old)", 2, 891, 1, NULL },
	{ "CUC", "Cuban Convertible Peso", 2, 931, 1, "$" },
	{ "CUP", "Cuban Peso", 2, 192, 0, "$" },
	{ "CVE", "Cape Verdean Escudo", 2, 132, 0, "$" },
	{ "CYP", "Cyprus Pound", 2, 196, 1, "£" },
	{ "CZK", "Czech Koruna", 2, 203, 0, "Kč" },
	{ "DEM", "Deutsche Mark", 2, 276, 1, "DM" },
	{ "DJF", "Djiboutian Franc", 0, 262, 0, "Fdj" },
	{ "DKK", "Danish Krone", 2, 208, 0, "kr." },
	{ "DOP", "Dominican Peso", 2, 214, 0, "$" },
	{ "DZD", "Algerian Dinar", 2, 12, 0, "د.ج" },
	{ "EEK", "Estonian Kroon", 2, 233, 1, "KR" },
	{ "EGP", "Egyptian Pound", 2, 818, 0, "ج.م" },
	{ "ERN", "Eritrean Nakfa", 2, 232, 0, "Nfk" },
	{ "ESP", "Spanish Peseta", 0, 724, 1, "₧" },
	{ "ETB", "Ethiopian Birr", 2, 230, 0, "Br" },
	{ "EUR", "Euro", 2, 978, 0, "€" },
	{ "FIM", "Finnish Markka", 2, 246, 1, "mk" },
	{ "FJD", "Fijian Dollar", 2, 242, 0, "$" },
	{ "FKP", "Falkland Pound", 2, 238, 0, "£" },
	{ "FRF", "French Franc", 2, 250, 1, "F" },
	{ "GBP", "British Pound", 2, 826, 0, "£" },
	{ "GEL", "Georgian Lari", 2, 981, 0, "₾" },
	{ "GHC", "Ghanaian Cedi (old)", 2, 288, 1, "₵" },
	{ "GHS", "Ghanaian Cedi", 2, 936, 0, "₵" },
	{ "GIP", "Gibraltar Pound", 2, 292, 0, "£" },
	{ "GMD", "Gambian Dalasi", 2, 270, 0, "D" },
	{ "GNF", "Guinean Franc", 0, 324, 0, "Fr" },
	{ "GRD", "Greek Drachma", 2, 300, 1, "₯" },
	{ "GTQ", "Guatemalan Quetzal", 2, 320, 0, "Q" },
	{ "GYD", "Guyanese Dollar", 2, 328, 0, "$" },
	{ "HKD", "Hong Kong Dollar", 2, 344, 0, "$" },
	{ "HNL", "Honduran Lempira", 2, 340, 0, "L" },
	{ "HRK", "Croatian Kuna", 2, 191, 1, "kn" },
	{ "HTG", "Haitian Gourde", 2, 332, 0, "G" },
	{ "HUF", "Hungarian Forint", 2, 348, 0, "Ft" },
	{ "IDR", "Indonesian Rupiah", 2, 360, 0, "Rp" },
	{ "IEP", "Irish Pound", 2, 372, 1, "IR£" },
	{ "ILS", "Israeli New Shekel", 2, 376, 0, "₪" },
	{ "INR", "Indian Rupee", 2, 356, 0, "₹" },
	{ "IQD", "Iraqi Dinar", 3, 368, 0, "ع.د" },
	{ "IRR", "Iranian Rial", 2, 364, 0, "﷼" },
	{ "ISK", "Icelandic Króna", 0, 352, 0, "kr." },
	{ "ITL", "Italian Lira", 0, 380, 1, "₤" },
	{ "JMD", "Jamaican Dollar", 2, 388, 0, "$" },
	{ "JOD", "Jordanian Dinar", 3, 400, 0, "د.ا" },
	{ "JPY", "Japanese Yen", 0, 392, 0, "¥" },
	{ "KES", "Kenyan Shilling", 2, 404, 0, "KSh" },
	{ "KGS", "Kyrgyzstani Som", 2, 417, 0, "som" },
	{ "KHR", "Cambodian Riel", 2, 116, 0, "៛" },
	{ "KMF", "Comorian Franc", 0, 174, 0, "Fr" },
	{ "KPW", "North Korean Won", 2, 408, 0, "₩" },
	{ "KRW", "South Korean Won", 0, 410, 0, "₩" },
	{ "KWD", "Kuwaiti Dinar", 3, 414, 0, "د.ك" },
	{ "KYD", "Cayman Islands Dollar", 2, 136, 0, "$" },
	{ "KZT", "Kazakhstani Tenge", 2, 398, 0, "₸" },
	{ "LAK", "Lao Kip", 2, 418, 0, "₭" },
	{ "LBP", "Lebanese Pound", 2, 422, 0, "ل.ل" },
	{ "LKR", "Sri Lankan Rupee", 2, 144, 0, "₨" },
	{ "LRD", "Liberian Dollar", 2, 430, 0, "$" },
	{ "LSL", "Lesotho Loti", 2, 426, 0, "L" },
	{ "LTL", "Lithuanian Litas", 2, 440, 1, "Lt" },
	{ "LUF", "Luxembourg Franc", 2, 442, 1, "F" },
	{ "LVL", "Latvian Lats", 2, 428, 1, "Ls" },
	{ "LYD", "Libyan Dinar", 3, 434, 0, "ل.د" },
	{ "MAD", "Moroccan Dirham", 2, 504, 0, "د.م." },
	{ "MDL", "Moldovan Leu", 2, 498, 0, "L" },
	{ "MGA", "Malagasy Ariary", 2, 969, 0, "Ar" },
	{ "MKD", "Macedonian Denar", 2, 807, 0, "ден" },
	{ "MMK", "Myanmar Kyat", 2, 104, 0, "K" },
	{ "MNT", "Mongolian Tögrög", 2, 496, 0, "₮" },
	{ "MOP", "Macanese Pataca", 2, 446, 0, "P" },
	{ "MRO", "Mauritanian Ouguiya (old)", 2, 478, 1, "UM" },
	{ "MRU", "Mauritanian Ouguiya", 2, 929, 0, "UM" },
	{ "MTL", "Maltese Lira", 2, 470, 1, "₤" },
	{ "MUR", "Mauritian Rupee", 2, 480, 0, "₨" },
	{ "MVR", "Maldivian Rufiyaa", 2, 462, 0, "MVR" },
	{ "MWK", "Malawian Kwacha", 2, 454, 0, "MK" },
	{ "MXN", "Mexican Peso", 2, 484, 0, "$" },
	{ "MYR", "Malaysian Ringgit", 2, 458, 0, "RM" },
	{ "MZM", "Mozambican Metical (old)", 2, 508, 1, NULL },
	{ "MZN", "Mozambican Metical", 2, 943, 0, "MTn" },
	{ "NAD", "Namibian Dollar", 2, 516, 0, "$" },
	{ "NGN", "Nigerian Naira", 2, 566, 0, "₦" },
	{ "NIO", "Nicaraguan Córdoba", 2, 558, 0, "C$" },
	{ "NLG", "Dutch Guilder", 2, 528, 1, "ƒ" },
	{ "NOK", "Norwegian Krone", 2, 578, 0, "kr" },
	{ "NPR", "Nepalese Rupee", 2, 524, 0, "Rs." },
	{ "NZD", "New Zealand Dollar", 2, 554, 0, "$" },
	{ "OMR", "Omani Rial", 3, 512, 0, "ر.ع." },
	{ "PAB", "Panamanian Balboa", 2, 590, 0, "B/." },
	{ "PEN", "Peruvian Sol", 2, 604, 0, "S/" },
	{ "PGK", "Papua New Guinean Kina", 2, 598, 0, "K" },
	{ "PHP", "Philippine Peso", 2, 608, 0, "₱" },
	{ "PKR", "Pakistani Rupee", 2, 586, 0, "₨" },
	{ "PLN", "Polish Złoty", 2, 985, 0, "zł" },
	{ "PTE", "Portuguese Escudo", 0, 620, 1, "$" },
	{ "PYG", "Paraguayan Guaraní", 0, 600, 0, "₲" },
	{ "QAR", "Qatari Riyal", 2, 634, 0, "ر.ق" },
	{ "ROL", "Romanian Leu (old)", 2, 642, 1, "L" },
	{ "RON", "Romanian Leu", 2, 946, 0, "Lei" },
	{ "RSD", "Serbian Dinar", 2, 941, 0, "RSD" },
	{ "RUB", "Russian Ruble", 2, 643, 0, "₽" },
	{ "RWF", "Rwandan Franc", 0, 646, 0, "FRw" },
	{ "SAR", "Saudi Riyal", 2, 682, 0, "ر.س" },
	{ "SBD", "Solomon Islands Dollar", 2, 90, 0, "$" },
	{ "SCR", "Seychellois Rupee", 2, 690, 0, "₨" },
	{ "SDD", "Sudanese Dinar", 2, 736, 1, NULL },
	{ "SDG", "Sudanese Pound", 2, 938, 0, "£" },
	{ "SEK", "Swedish Krona", 2, 752, 0, "kr" },
	{ "SGD", "Singapore Dollar", 2, 702, 0, "$" },
	{ "SHP", "Saint Helenian Pound", 2, 654, 0, "£" },
	{ "SIT", "Slovenian Tolar", 2, 705, 1, "SIT" },
	{ "SKK", "Slovak Koruna", 2, 703, 1, "Sk" },
	{ "SLE", "New Leone", 2, 925, 0, "Le" },
	{ "SLL", "Sierra Leonean Leone (old)", 2, 694, 1, "Le" },
	{ "SOS", "Somali Shilling", 2, 706, 0, "Sh" },
	{ "SRD", "Surinamese Dollar", 2, 968, 0, "$" },
	{ "SSP", "South Sudanese Pound", 2, 728, 0, "£" },
	{ "STD", "Sao Tome and Principe Dobra (old)", 2, 678, 1, "Db" },
	{ "STN", "São Tomé and Príncipe Second Dobra", 2, 930, 0, "Db" },
	{ "SVC", "Salvadoran Colón", 2, 222, 0, "₡" },
	{ "SYP", "Syrian Pound", 2, 760, 0, "£S" },
	{ "SZL", "Swazi Lilangeni", 2, 748, 0, "E" },
	{ "THB", "Thai Baht", 2, 764, 0, "฿" },
	{ "TJS", "Tajikistani Somoni", 2, 972, 0, "ЅМ" },
	{ "TMM", "Turkmenistani Manat (old)", 2, 795, 1, "m" },
	{ "TMT", "Turkmenistani Manat", 2, 934, 0, "m" },
	{ "TND", "Tunisian Dinar", 3, 788, 0, "د.ت" },
	{ "TOP", "Tongan Paʻanga", 2, 776, 0, "T$" },
	{ "TRL", "Turkish Lira (old)", 0, 792, 1, "₤" },
	{ "TRY", "Turkish Lira", 2, 949, 0, "₺" },
	{ "TTD", "Trinidad and Tobago Dollar", 2, 780, 0, "$" },
	{ "TWD", "New Taiwan Dollar", 2, 901, 0, "$" },
	{ "TZS", "Tanzanian Shilling", 2, 834, 0, "Sh" },
	{ "UAH", "Ukrainian Hryvnia", 2, 980, 0, "₴" },
	{ "UGX", "Ugandan Shilling", 0, 800, 0, "USh" },
	{ "USD", "United States Dollar", 2, 840, 0, "$" },
	{ "UYU", "Uruguayan Peso", 2, 858, 0, "$U" },
	{ "UZS", "Uzbekistan Som", 2, 860, 0, "so'm" },
	{ "VED", "Venezuelan Bolívar Digital", 2, 926, 0, NULL },
	{ "VEF", "Venezuelan Bolivar Fuerte", 2, 937, 1, "Bs.F" },
	{ "VES", "Venezuelan Bolívar Soberano", 2, 928, 0, "Bs" },
	{ "VND", "Vietnamese Đồng", 0, 704, 0, "₫" },
	{ "VUV", "Vanuatu Vatu", 0, 548, 0, "Vt" },
	{ "WST", "Samoan Tala", 2, 882, 0, "T" },
	{ "XAF", "Central African CFA Franc", 0, 950, 0, "CFA" },
	{ "XCD", "East Caribbean Dollar", 2, 951, 0, "$" },
	{ "XCG", "Caribbean Guilder", 2, 532, 0, "Cg" },
	{ "XOF", "West African CFA Franc", 0, 952, 0, "Fr" },
	{ "XPF", "CFP Franc", 0, 953, 0, "Fr" },
	{ "YER", "Yemeni Rial", 2, 886, 0, "﷼" },
	{ "ZAR", "South African Rand", 2, 710, 0, "R" },
	{ "ZMK", "Zambian Kwacha (old)", 2, 894, 1, "ZK" },
	{ "ZMW", "Zambian Kwacha", 2, 967, 0, "K" },
	{ "ZWD", "Zimbabwean Dollar (old)", 2, 716, 1, "$" },
	{ "ZWG", "Zimbabwe Gold", 2, 924, 0, "ZiG" },
	{ "ZWL", "Zimbabwean Dollar", 2, 932, 1, "$" },
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

int
currency_code_ok(const char *s)
{
	if (s == NULL)
		return 0;
	/* Stops at the first bad byte, so a short string's NUL is never passed. */
	return is_upper(s[0]) && is_upper(s[1]) && is_upper(s[2]) && s[3] == '\0';
}

int
currency_normalize(const char *s, char out[4])
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < 3; i++) {
		char c = s[i];

		/* ASCII ranges, not toupper(): the locale must not widen the set. */
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!is_upper(c))
			return -1;
		out[i] = c;
	}
	if (s[3] != '\0')
		return -1;
	out[3] = '\0';
	return 0;
}

const struct currency *
currency_find(const char *code)
{
	size_t lo = 0, hi = TABLE_LEN;

	if (!currency_code_ok(code))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(code, table[mid].code, 3);

		if (c == 0)
			return &table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t
currency_count(void)
{
	return TABLE_LEN;
}

const struct currency *
currency_at(size_t i)
{
	return i < TABLE_LEN ? &table[i] : NULL;
}

int
currency_matches(const struct currency *c, const char *query)
{
	return textmatch_contains(c->code, query) || textmatch_contains(c->name, query);
}

/* The most traded currencies, most first (BIS Triennial Survey 2022): the
 * ones a person searching by name most likely means. */
static const char traded[][4] = {
	"USD", "EUR", "JPY", "GBP", "CNY", "AUD", "CAD", "CHF", "HKD", "SGD", "SEK", "KRW", "NOK", "NZD", "INR",
	"MXN",
};

static int
is_traded(const char *code)
{
	for (size_t i = 0; i < sizeof(traded) / sizeof(traded[0]); i++)
		if (memcmp(traded[i], code, 3) == 0)
			return 1;
	return 0;
}

/* Counts c when it matches, and keeps it while out has room. */
static void
take(const struct currency *c, const char *query, const struct currency **out, size_t max, size_t *n)
{
	if (c == NULL || !currency_matches(c, query))
		return;
	if (*n < max)
		out[*n] = c;
	(*n)++;
}

size_t
currency_search(const char *query, const struct currency **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(traded) / sizeof(traded[0]); i++)
		take(currency_find(traded[i]), query, out, max, &n);
	for (int historic = 0; historic <= 1; historic++)
		for (size_t i = 0; i < TABLE_LEN; i++)
			if (table[i].historic == historic && !is_traded(table[i].code))
				take(&table[i], query, out, max, &n);
	return n;
}

size_t
currency_suggest(const char *typed, const struct currency **out, size_t max)
{
	size_t n = 0;

	if (strlen(typed) != 3)
		return 0;
	for (size_t i = 0; i < TABLE_LEN && n < max; i++)
		if (!table[i].historic && textmatch_distance(typed, table[i].code) == 1)
			out[n++] = &table[i];
	return n;
}
