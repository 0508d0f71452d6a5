/*
 * backoff: the refresher's retry policy, kept pure so that it is tested
 * exactly rather than by waiting.
 */
#include "backoff.h"

long
backoff_delay(long refresh, unsigned failures, long retry_after, double jitter)
{
	long step = refresh;

	if (failures > 0) {
		step = BACKOFF_MIN;
		for (unsigned i = 1; i < failures && step < refresh; i++)
			step *= 2;
		if (step > refresh)
			step = refresh;
		step = step / 2 + (long)(jitter * (double)(step - step / 2));
	}
	if (retry_after > refresh)
		retry_after = refresh;
	if (retry_after > step)
		step = retry_after;
	return step < 1 ? 1 : step;
}
