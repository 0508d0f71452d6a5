/*
 * backoff: how long the refresher waits before its next round.
 *
 * After a success, the configured refresh interval.  After failures, an
 * exponential backoff from BACKOFF_MIN seconds, doubling per consecutive
 * failure up to the refresh interval, with "equal jitter" (a random point in
 * the upper half of the step) so that many daemons behind one LAN do not
 * retry an upstream in lockstep.  An upstream's Retry-After (429, 503) is a
 * floor, honoured up to the refresh interval: an upstream may slow our
 * retries down, never make the daemon serve its rates longer than --refresh
 * without asking again.  Pure; thread-safe.
 */
#ifndef CCONVD_BACKOFF_H
#define CCONVD_BACKOFF_H

#define BACKOFF_MIN 5L			/* seconds before the first retry */

/*
 * refresh: seconds between successful rounds; failures: consecutive failed
 * rounds (0 after a success); retry_after: seconds the upstream asked for, 0
 * if none; jitter: a random number in [0, 1).  Returns seconds, >= 1.
 */
long backoff_delay(long refresh, unsigned failures, long retry_after, double jitter);

#endif
