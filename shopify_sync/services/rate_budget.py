"""The shop's Shopify cost budget, kept in PostgreSQL and shared by every job of the shop.

Shopify gives an app a leaky bucket per store (``throttleStatus``: maximum,
currently available, restore rate). Every worker of every Odoo node draws from
the one row of its shop in ``shopify_rate_budget`` before it sends a request:

* **draw** takes the request's expected requested cost, after refilling the
  row by the time elapsed at the restore rate. The row may go below zero: the
  request then waits until the debt is restored (``-available / restore_rate``
  seconds). Each draw is one ``UPDATE ... RETURNING``: its row lock lasts that
  statement, on a cursor of its own committed at once, so jobs never hold each
  other for more than a statement, and they queue in the order they drew.
* **settle**, after Shopify answered, gives back what the request did not use
  (requested - actual, all of it when Shopify throttled it) and takes Shopify's
  own figure when it is lower (points spent by another client of the token).

So the jobs of one shop space their requests by the bucket instead of each
discovering THROTTLED. The waits are counted on the row (shown on the shop)
and never use up a job's attempts: a wait longer than ``MAX_WAIT`` gives its
draw back and raises ThrottledError, which the sync job postpones without
counting an attempt (models/shopify_sync_job.py). Raw SQL: the refill, the
draw and the counters must be one atomic statement under the row lock.
"""

import logging
import time

import psycopg2
from psycopg2.pool import PoolError

from .db import read_committed_cursor
from .errors import ThrottledError

_logger = logging.getLogger(__name__)

MAX_WAIT = 20.0  # seconds a request waits in place for its turn
DEFAULT_COST = 50  # a query not seen yet in this process (its requested cost is learnt from the answer)
ORDER_POINTS = 36  # actual cost of ORDER_QUERY for a 3-line order (docs/BENCHMARKS.md, "Points per order")
# The actual cost Shopify last reported per query document, in this process (graphql_client.py learns it):
# what a request of that document is expected to take from the bucket once settled.
ACTUAL_COST = {}

# The instant of the statement (one for the whole statement), in UTC as Odoo stores datetimes.
NOW = "(statement_timestamp() AT TIME ZONE 'UTC')"


def _refilled(row=""):
    """The row's points now: available + restore_rate * seconds since updated_at, capped at maximum."""
    return f"LEAST({row}maximum, {row}available + {row}restore_rate * EXTRACT(EPOCH FROM ({NOW} - {row}updated_at)))"


DRAW_SQL = f"""
UPDATE shopify_rate_budget
   SET available = {_refilled()} - %(cost)s,
       updated_at = {NOW},
       draws = draws + 1,
       waits = waits + CASE WHEN {_refilled()} < %(cost)s THEN 1 ELSE 0 END,
       wait_seconds = wait_seconds + GREATEST(%(cost)s - {_refilled()}, 0) / GREATEST(restore_rate, 1)
 WHERE shop_id = %(shop)s
RETURNING available, restore_rate
"""

# The first answer of a shop creates its row; later ones give back what was not used and
# adopt Shopify's figure when it is lower (never higher: others may have drawn meanwhile).
SETTLE_SQL = f"""
INSERT INTO shopify_rate_budget AS b
    (shop_id, available, maximum, restore_rate, updated_at, draws, waits, wait_seconds, throttled)
VALUES (%(shop)s, %(shopify)s, %(maximum)s, %(rate)s, {NOW}, 0, 0, 0, %(throttled)s)
ON CONFLICT (shop_id) DO UPDATE
   SET available = LEAST({_refilled("b.")} + %(refund)s, EXCLUDED.available, EXCLUDED.maximum),
       maximum = EXCLUDED.maximum,
       restore_rate = EXCLUDED.restore_rate,
       updated_at = {NOW},
       throttled = b.throttled + EXCLUDED.throttled
"""

THROTTLED_SQL = "UPDATE shopify_rate_budget SET throttled = throttled + 1 WHERE shop_id = %(shop)s"

POINTS_SOON_SQL = f"""
SELECT {_refilled()} + restore_rate * %(seconds)s, restore_rate FROM shopify_rate_budget WHERE shop_id = %(shop)s
"""

REFUND_SQL = f"""
UPDATE shopify_rate_budget
   SET available = LEAST(maximum, {_refilled()} + %(refund)s), updated_at = {NOW}
 WHERE shop_id = %(shop)s
"""


def expected_points(query, default):
    """The points a request of ``query`` is expected to cost, as Shopify last charged it in this process."""
    return ACTUAL_COST.get(query, default)


def points_soon(cr, shop_id, seconds):
    """The points the shop's budget gives within ``seconds``: what is available now plus the restore.

    None when Shopify has not told the shop's bucket yet (no request answered).
    """
    cr.execute(POINTS_SOON_SQL, {"shop": shop_id, "seconds": float(seconds)})
    row = cr.fetchone()
    return float(row[0]) if row else None


class ShopBudget:
    """The budget of one shop, on cursors of ``registry`` (Odoo's registry of the database)."""

    def __init__(self, registry, shop_id, sleep=time.sleep):
        self._registry = registry
        self.shop_id = shop_id
        self._sleep = sleep

    def _execute(self, sql, params):
        # A cursor of its own in READ COMMITTED (a concurrent draw waits for the row, then
        # builds on it), committed when the block ends: the row lock lasts one statement.
        # The budget paces requests, it never fails one: a database error here (no free
        # connection, a statement cancelled) leaves the request to Shopify's own throttle.
        try:
            with read_committed_cursor(self._registry) as cr:
                cr.execute(sql, dict(params, shop=self.shop_id))
                return cr.fetchone() if cr.description else None
        except (psycopg2.Error, PoolError) as err:
            _logger.warning("shop %s: Shopify budget not updated (%s)", self.shop_id, err)
            return None

    def draw(self, cost):
        """Take ``cost`` points, waiting for them if the shop's jobs already spent the bucket; the points taken."""
        row = self._execute(DRAW_SQL, {"cost": float(cost)})
        if not row:
            return 0.0  # Shopify has not told this shop's bucket yet: the first answer creates the row
        available, restore_rate = row
        wait = max(-available, 0.0) / max(restore_rate, 1.0)
        if wait > MAX_WAIT:
            self.refund(cost)
            raise ThrottledError(
                f"The shop's Shopify budget is spent for the next {wait:.0f} s: the job waits its turn.",
                retry_after=wait,
            )
        if wait > 0:
            _logger.debug("shop %s: waiting %.2f s for %s Shopify points", self.shop_id, wait, cost)
            self._sleep(wait)
        return float(cost)

    def refund(self, points):
        if points:
            self._execute(REFUND_SQL, {"refund": float(points)})

    def settle(self, drawn, actual, status, throttled=False):
        """After an answer: give back ``drawn - actual`` and adopt Shopify's figure when it is lower."""
        if not status:
            self.refund(drawn - (actual or 0))
            if throttled:
                self._execute(THROTTLED_SQL, {})
            return
        self._execute(
            SETTLE_SQL,
            {
                "refund": max(float(drawn) - float(actual or 0), 0.0),
                "shopify": float(status.get("currentlyAvailable") or 0),
                "maximum": float(status.get("maximumAvailable") or 0),
                "rate": float(status.get("restoreRate") or 0),
                "throttled": 1 if throttled else 0,
            },
        )
