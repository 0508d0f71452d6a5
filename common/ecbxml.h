/*
 * ecbxml: the European Central Bank's euro reference rates as XML.
 *
 *   <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
 *                    xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
 *     <Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1252'/>…</Cube>…</Cube>
 *   </gesmes:Envelope>
 *
 * One reader for eurofxref-daily.xml (one dated block), eurofxref-hist-90d.xml
 * and eurofxref-hist.xml (many).  Call it through feed_parse(), which sorts
 * and checks what this returns.  Thread-safe; no I/O.
 */
#ifndef CCONV_ECBXML_H
#define CCONV_ECBXML_H

#include <stddef.h>

#include "codeset.h"
#include "rates.h"

#define ECBXML_NS_GESMES "http://www.gesmes.org/xml/2002-08-01"
#define ECBXML_NS_EUROFXREF "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"

/*
 * Parses the document into *n finished EUR-based snapshots in document order
 * (*out a malloc'd array; caller frees with rates_vec_free()).  Each rate
 * attribute becomes a struct dec through dec_parse(), so "0.86080" keeps its
 * digits.
 * A DOCTYPE is refused outright, so no entity is ever declared, expanded or
 * fetched.  -1 with err "ECB XML line N: …" naming the rule.  The codes
 * neither ISO 4217 list knows are skipped and added to skipped (NULL: not
 * noted).
 */
int ecbxml_parse(const char *body, size_t len, struct rates ***out, size_t *n, struct codeset *skipped, char *err,
    size_t errlen);

#endif
