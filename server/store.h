/*
 * store: every accepted snapshot, kept in SQLite.
 *
 * One table of snapshots (date, pivot currency, when fetched, from which
 * upstream) and one of rates by (date, currency), the rate kept as the exact
 * decimal text.  Saving a date again replaces that date's rows, so re-fetching
 * never duplicates.  WAL mode, one transaction per snapshot; the schema
 * version lives in PRAGMA user_version and store_open() migrates older files
 * and refuses newer ones.  A store is used by one thread at a time.
 */
#ifndef CCONVD_STORE_H
#define CCONVD_STORE_H

#include <stddef.h>

#include "rates.h"

struct store;

/* Opens or creates the database, creating missing parent folders (0700).
 * NULL with err set: "store '/x/rates.db': unable to open database file". */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);	/* accepts NULL */

/* Writes the snapshot (its date, pivot, origin and rates) in one transaction.
 * 0, or -1 with err set; on failure the database is unchanged. */
int store_save(struct store *s, const struct rates *r, char *err, size_t errlen);

/* Loads the newest snapshot (latest date, then latest fetch).  0 with *out a
 * finished snapshot (caller frees with rates_free()) or NULL when the store is
 * empty; -1 with err set. */
int store_load_latest(struct store *s, struct rates **out, char *err, size_t errlen);

#endif
