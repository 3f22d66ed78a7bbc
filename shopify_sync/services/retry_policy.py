"""How long a sync job keeps trying: the retry policy, in one place.

Two kinds of temporary trouble are told apart:

* **Failures** (HTTP 5xx, timeouts, network errors, a concurrent write):
  each one uses up one of ``MAX_ATTEMPTS`` attempts, spaced by the job
  function's retry pattern (``data/queue_job_data.xml``).  After the last one
  the sync job is failed, listed as needing action, and raises an activity.
* **Throttling** (HTTP 429, GraphQL ``THROTTLED``): Shopify asks us to slow
  down; the record itself is fine.  Attempts are not used up while the job has
  been throttled for less than ``THROTTLE_PATIENCE``; the job waits at least
  what Shopify asks (``Retry-After``), and longer the longer throttling lasts
  (half the time throttled so far, up to ``THROTTLE_MAX_WAIT``), with jitter so that the jobs of a busy shop do not
  all come back in the same second.  Past the patience, throttling uses up
  attempts like any failure, so no job waits for ever.

The functions are pure: the caller passes the clock and the random source.
"""

import random
from datetime import timedelta

MAX_ATTEMPTS = 8
# Seconds to wait once queue_job's retry count reaches the key; the last entry
# holds for the attempts after it.  10 + 30 + 60 + 120 + 300 + 600 + 1800 s:
# the 8th and last attempt comes about 49 minutes after the first.
RETRY_PATTERN = {1: 10, 2: 30, 3: 60, 4: 120, 5: 300, 6: 600, 7: 1800}

THROTTLE_PATIENCE = timedelta(minutes=30)
THROTTLE_MIN_WAIT = 2.0
THROTTLE_MAX_WAIT = 60.0
THROTTLE_JITTER = 0.25


def throttle_wait(retry_after, throttled_for, rand=random.random):
    """Seconds to wait before the next try of a throttled job.

    :param retry_after: what Shopify asked for (seconds), or None
    :param throttled_for: seconds since this job was first throttled (0 the first time)
    :param rand: a source of floats in [0, 1), for the jitter
    """
    backoff = min(max(THROTTLE_MIN_WAIT, throttled_for / 2.0), THROTTLE_MAX_WAIT)
    return max(backoff, float(retry_after or 0.0)) * (1.0 + THROTTLE_JITTER * rand())


def within_throttle_patience(throttled_since, now):
    """True while a job first throttled at ``throttled_since`` may wait without using up attempts.

    ``throttled_since`` is empty (None, or Odoo's False) when the job is not throttled.
    """
    return not throttled_since or now - throttled_since < THROTTLE_PATIENCE
