/*
 * history: stored rates for request threads, read-only and never waiting on
 * the writer.
 *
 * A small pool of read-only stores (store_open_readonly()) on the daemon's
 * database, one per HTTP thread: SQLite's WAL lets each read the last commit
 * while the refresher writes, so a request never waits for a save and nothing
 * on the request path can write.  Each store is one thread's at a time (a
 * mutex per slot; a thread keeps to the slot it used last, so its page cache
 * stays warm, and only waits when every slot is busy with another request).
 * The pool follows the daemon's writer when it opens the file again (deleted,
 * or replaced by a restored backup): history_follow().  history_api() is what
 * api.c calls; every function is thread-safe.
 */
#ifndef CCONVD_HISTORY_H
#define CCONVD_HISTORY_H

#include <stddef.h>

#include "api.h"
#include "store.h"

struct history;

/* nconn read-only stores on path, which must already hold a current schema
 * (open it with store_open() first), each ranking sources by order[0 ..
 * norder) as store_set_order() does (copied).  NULL with err set: the
 * store's message, or "out of memory"; the caller says it was history. */
struct history *history_open(const char *path, size_t nconn, const char *const *order, size_t norder,
    char *err, size_t errlen);
/* Only once no request can still use it; accepts NULL. */
void history_close(struct history *h);

/*
 * For store_on_reopen(writer, history_follow, h): on STORE_REOPENING closes
 * every connection (waiting for requests still using one) and has dated
 * requests answer 503 until STORE_REOPENED, which opens them on the new file.
 * Runs on the writer's thread; h must stay open while the writer may call it
 * (stop the refresher before history_close()).
 */
void history_follow(void *h, enum store_reopen what);

/* The functions api.c calls for the dated routes; borrowed from h. */
const struct api_history *history_api(struct history *h);

#endif
