"""Backlog reads: when to read a burst of orders with one bulk export, pure functions and constants.

A burst of order events larger than the shop's budget fetches soon would have
each order job wait its turn for ``ORDER_QUERY`` (36 points a 3-line order,
docs/BENCHMARKS.md "Points per order"). One bulk export of the orders updated
since the burst began costs Shopify's mutation (10 points) and a few polls
instead; its rows are staged and the order jobs import from them
(models/shopify_backlog_read.py).
"""

from dataclasses import dataclass
from datetime import timedelta

DEFAULT_MIN_ORDERS = 25  # ir.config_parameter shopify_sync.backlog_read_min_orders; 0 disables
HORIZON_SECONDS = 10  # "soon": what the budget gives within this many seconds
MARGIN = timedelta(minutes=15)  # the export starts this long before the earliest waiting event
MAX_ACTIVE = timedelta(minutes=5)  # a read not done by then is given up: the jobs query as usual
POSTPONE_SECONDS = 30  # a job covered by a running read waits this long at most (it is woken when the read ends)
STAGED_TTL = timedelta(hours=1)  # staged rows not consumed by then are deleted
STAGE_CHUNK = 500  # export rows filtered and inserted at a time
STAGE_MAX_ROWS = 2000  # rows staged per job at most
STAGE_SECONDS = 30.0  # a stage job ends after this long (a worker's limit_time_real is 120 s by default)
MAX_POLL_SECONDS = 10
# The states of a read (shopify.backlog.read) until it ends: the order jobs it holds wait for it.
ACTIVE_STATES = ("draft", "running", "staging")
# The result a waiting order job carries while it waits for a read (queue_job's ``result``): the
# read wakes the jobs carrying it when it ends.
WAITING_MARKER = "Waiting for Shopify backlog read"


@dataclass
class Backlog:
    """What a shop has waiting and what its budget gives soon."""

    waiting: int
    points_per_order: float
    points_soon: float

    def worth_a_read(self, min_orders):
        """True when the waiting orders cost more than the budget gives soon (and are at least ``min_orders``)."""
        if not min_orders or self.waiting < min_orders:
            return False
        return self.waiting * self.points_per_order > self.points_soon


def updated_since(since):
    """The ``query:`` search argument of an export of the records updated since ``since`` (a datetime)."""
    return f"updated_at:>='{since:%Y-%m-%dT%H:%M:%SZ}'"


def poll_seconds(poll_count):
    """Seconds before the next look at the export: soon (a burst's export is small), then less often."""
    return min(1.0 * 1.5**poll_count, MAX_POLL_SECONDS)


def waiting_result(read_id):
    return f"{WAITING_MARKER} {read_id}."
