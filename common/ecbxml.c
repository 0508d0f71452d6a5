/*
 * ecbxml: the ECB's <Cube> documents read with expat.
 *
 * Why expat rather than libxml2: the document is flat (an envelope, one outer
 * <Cube>, dated <Cube time> blocks of <Cube currency rate/> leaves), so a
 * stream of start/end events with attributes is all that is needed and no
 * tree is ever built, even for the full history.  expat 2.5 also has
 * billion-laughs protection on by default and fetches no external entity
 * unless a handler for them is installed (none is); libxml2 would need the
 * right option flags on every call to be as safe.  We go further than both
 * defaults: any DOCTYPE stops the parse, because the ECB's feeds have none and
 * every entity trick (expansion bombs, external files or URLs) needs one.
 *
 * Names arrive namespace-qualified as "URI\1local" (a U+0001 cannot appear in
 * an XML 1.0 namespace name, so the split is unambiguous).  The envelope must
 * be gesmes:Envelope and every <Cube> must be in the eurofxref namespace: a
 * document that looks right but says it is something else is refused rather
 * than guessed at.  Elements other than <Cube> (gesmes:subject, gesmes:Sender)
 * are ignored.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include <expat.h>

#include "buf.h"
#include "ecbxml.h"
#include "err.h"
#include "feed.h"

#define NS_SEP '\1'
#define MAX_DEPTH 16		/* the format needs 4; deeper is not an ECB feed */

struct ctx {
	XML_Parser p;
	char *err;
	size_t errlen;
	int failed;
	int depth;			/* elements open, the current one included */
	int cube[MAX_DEPTH + 1];	/* cube[d]: the element at depth d is a <Cube> */
	struct rates *day;		/* the open <Cube time> block */
	struct rates **v;
	size_t n, cap;
	struct codeset *skipped;
};

/* Records the first failure, whose reason is in c->err: puts the format and
 * the line in front and stops the parser. */
static void
record_failure(struct ctx *c)
{
	err_prefix(c->err, c->errlen, "ECB XML line %lu", (unsigned long)XML_GetCurrentLineNumber(c->p));
	c->failed = 1;
	XML_StopParser(c->p, XML_FALSE);
}

/* Records the first failure, the formatted reason, as record_failure() does. */
__attribute__((format(printf, 2, 3)))
static void
fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	va_start(ap, fmt);
	err_vset(c->err, c->errlen, fmt, ap);
	va_end(ap);
	record_failure(c);
}

static const char *
attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

/* A dated block opens: the snapshot it fills. */
static void
open_day(struct ctx *c, const XML_Char **atts)
{
	const char *time = attr(atts, "time");
	char q[BUF_QUOTE_LEN];

	if (time == NULL) {
		fail(c, "<Cube> inside the outer <Cube> has no 'time' attribute");
		return;
	}
	if ((c->day = rates_new("EUR", time, c->err, c->errlen)) == NULL) {
		buf_quote(q, sizeof(q), time, strlen(time));
		err_prefix(c->err, c->errlen, "<Cube time='%s'>", q);
		record_failure(c);
	}
}

static void
add_cube_rate(struct ctx *c, const XML_Char **atts)
{
	const char *code = attr(atts, "currency"), *text = attr(atts, "rate");
	char q[BUF_QUOTE_LEN], qc[BUF_QUOTE_LEN];
	struct dec d;

	if (code == NULL || text == NULL) {
		fail(c, "<Cube> in the block for %s needs both 'currency' and 'rate'", rates_date(c->day));
		return;
	}
	buf_quote(qc, sizeof(qc), code, strlen(code));
	if (dec_parse(text, strlen(text), &d) == -1) {
		buf_quote(q, sizeof(q), text, strlen(text));
		fail(c, "%s %s: rate '%s' is not a plain decimal number", rates_date(c->day), qc, q);
		return;
	}
	if (feed_add_rate(c->day, code, &d, c->skipped, c->err, c->errlen) == RATES_REJECTED) {
		err_prefix(c->err, c->errlen, "%s %s", rates_date(c->day), qc);
		record_failure(c);
	}
}

static void
on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct ctx *c = ud;
	const char *sep = strchr(name, NS_SEP);
	const char *local = sep != NULL ? sep + 1 : name;
	size_t urilen = sep != NULL ? (size_t)(sep - name) : 0;
	char q[BUF_QUOTE_LEN], ql[BUF_QUOTE_LEN];

	if (c->failed)
		return;
	if (++c->depth > MAX_DEPTH) {
		fail(c, "elements nested deeper than %d", MAX_DEPTH);
		return;
	}
	c->cube[c->depth] = 0;
	buf_quote(q, sizeof(q), name, urilen);
	buf_quote(ql, sizeof(ql), local, strlen(local));
	if (c->depth == 1) {
		if (strcmp(local, "Envelope") != 0 || urilen != strlen(ECBXML_NS_GESMES) ||
		    memcmp(name, ECBXML_NS_GESMES, urilen) != 0)
			fail(c, "root element <%s> in namespace '%s', expected <Envelope> in '%s'", ql, q,
			    ECBXML_NS_GESMES);
		return;
	}
	if (strcmp(local, "Cube") != 0)
		return;
	if (urilen != strlen(ECBXML_NS_EUROFXREF) || memcmp(name, ECBXML_NS_EUROFXREF, urilen) != 0) {
		fail(c, "<Cube> in namespace '%s', expected '%s'", q, ECBXML_NS_EUROFXREF);
		return;
	}
	c->cube[c->depth] = 1;
	/* Envelope > Cube > Cube time > Cube currency rate, and nothing else. */
	switch (c->depth) {
	case 2:
		break;
	case 3:
		if (!c->cube[2])
			fail(c, "<Cube time> outside the outer <Cube>");
		else
			open_day(c, atts);
		break;
	case 4:
		if (!c->cube[3] || c->day == NULL)
			fail(c, "<Cube currency> outside a <Cube time> block");
		else
			add_cube_rate(c, atts);
		break;
	default:
		fail(c, "<Cube> nested %d deep; the format has 3 levels", c->depth - 1);
		break;
	}
}

static void
on_end(void *ud, const XML_Char *name)
{
	struct ctx *c = ud;

	(void)name;
	if (c->failed)
		return;
	if (c->depth == 3 && c->day != NULL) {
		if (rates_finish(c->day, c->err, c->errlen) == -1) {
			err_prefix(c->err, c->errlen, "block for %s", rates_date(c->day));
			record_failure(c);
			return;
		}
		if (rates_vec_append(&c->v, &c->n, &c->cap, c->day) == -1) {
			fail(c, "more than %d dated blocks, or out of memory", RATES_VEC_MAX);
			return;
		}
		c->day = NULL;
	}
	c->depth--;
}

static void
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	fail(ud, "a DOCTYPE is not allowed (ECB feeds have none; its entities could expand without bound "
	    "or be fetched from elsewhere)");
}

/* Unreachable while DOCTYPEs are refused; kept so that relaxing that rule
 * could never let an entity declaration through by accident. */
static void
on_entity(void *ud, const XML_Char *name, int param, const XML_Char *value, int vlen, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)param;
	(void)value;
	(void)vlen;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	fail(ud, "entity declarations are not allowed");
}

int
ecbxml_parse(const char *body, size_t len, struct rates ***out, size_t *n, struct codeset *skipped, char *err,
    size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen, .skipped = skipped };
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (len > INT_MAX) {
		err_set(err, errlen, "ECB XML: document larger than %d bytes", INT_MAX);
		goto out;
	}
	if ((c.p = XML_ParserCreateNS(NULL, NS_SEP)) == NULL) {
		err_set(err, errlen, "ECB XML: out of memory");
		goto out;
	}
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, on_start, on_end);
	XML_SetStartDoctypeDeclHandler(c.p, on_doctype);
	XML_SetEntityDeclHandler(c.p, on_entity);
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(c.p, body, (int)len, XML_TRUE) == XML_STATUS_ERROR) {
		if (!c.failed)
			err_set(err, errlen, "ECB XML line %lu: not well-formed XML (%s)",
			    (unsigned long)XML_GetCurrentLineNumber(c.p), XML_ErrorString(XML_GetErrorCode(c.p)));
		goto out;
	}
	if (c.n == 0) {
		err_set(err, errlen, "ECB XML: no <Cube time='…'> block with rates");
		goto out;
	}
	*out = c.v;
	*n = c.n;
	c.v = NULL;
	c.n = 0;
	rc = 0;
out:
	rates_free(c.day);
	rates_vec_free(c.v, c.n);
	if (c.p != NULL)
		XML_ParserFree(c.p);
	return rc;
}
