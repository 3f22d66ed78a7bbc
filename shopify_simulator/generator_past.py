"""A store with a past: generated orders dated over months, most of them done with.

``Past`` says how many orders are history (the oldest ones, as in a real store: an order
number follows the date) and what happened to them: fulfilled fully or partly and closed
(archived), cancelled, refunded fully or partly. The rest are open: placed in the last
days, unfulfilled or partly fulfilled. ``PastPlanner.apply`` gives one generated REST order
its dates and events before the store seeds it: ``processed_at``, ``closed_at``,
``cancelled_at``, its fulfillments and refunds, each dated after the one before.

The planner draws from an RNG of its own: a store generated without a past is the same
store, seed for seed, as before.
"""

import random
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from .formatting import rest_money, to_decimal
from .order_store import line_unit_amounts

CANCEL_REASONS = ["customer", "inventory", "declined", "fraud", "other"]
CARRIERS = ["UPS", "USPS", "FedEx", "DHL Express"]
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class Past:
    """Shares of a generated store's orders (each 0..1)."""

    history: float = 0.0  # of all orders: done with before today (the oldest ones)
    cancelled: float = 0.05  # of history: cancelled (and refunded, not fulfilled)
    partial: float = 0.10  # of history: fulfilled partly, then closed
    refunded: float = 0.10  # of history not cancelled: refunded (half fully, half partly)
    unarchived: float = 0.10  # of history fulfilled: left open (not archived) in Shopify
    open_partial: float = 0.20  # of open orders: partly fulfilled
    months: int = 6  # history spreads over this many months
    open_days: int = 3  # open orders were placed in the last days

    @classmethod
    def of(cls, history=0.0, options=None):
        """A Past from ``history`` and a dict of the other fields (unknown keys refused)."""
        options = dict(options or {})
        unknown = set(options) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown past option(s): {', '.join(sorted(unknown))}")
        return cls(history=float(history or 0.0), **options)


class PastPlanner:
    """Dates and events of each generated order, by its index among ``total`` orders."""

    def __init__(self, past, total, seed, now=None, zone=UTC):
        self.past = past
        self.total = total
        self.rng = random.Random(f"past-{seed}")
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.zone = zone
        self.history_count = round(total * past.history)
        self.open_start = self.now - past.open_days * DAY
        self.history_start = self.open_start - past.months * 30 * DAY
        self.made = {"history": 0, "open": 0, "cancelled": 0, "refunded": 0, "partial": 0}

    def _time(self, moment):
        return moment.astimezone(self.zone).isoformat(timespec="seconds")

    def _between(self, start, end, index, count):
        """The index-th of ``count`` moments spread evenly (with a jitter) from start to end."""
        span = (end - start).total_seconds()
        return start + timedelta(seconds=span * (index + self.rng.random()) / max(count, 1))

    def _before_now(self, moment, margin=HOUR):
        return min(moment, self.now - margin)

    def apply(self, order, index):
        """Give the REST ``order`` (not seeded yet) its dates and its past; return its kind."""
        history = index < self.history_count
        if history:
            placed = self._between(self.history_start, self.open_start, index, self.history_count)
        else:
            opened = index - self.history_count
            placed = self._between(
                self.open_start, self.now - 2 * HOUR, opened, self.total - self.history_count
            )
        order["created_at"] = order["processed_at"] = self._time(placed)
        for transaction in order.get("transactions") or []:
            transaction["processed_at"] = transaction["created_at"] = order["processed_at"]
        kind = self._history(order, placed) if history else self._open(order, placed)
        self.made["history" if history else "open"] += 1
        return kind

    # -- history ---------------------------------------------------------------------
    def _history(self, order, placed):
        past, draw = self.past, self.rng.random()
        if draw < past.cancelled:
            return self._cancel(order, placed)
        partly = draw < past.cancelled + past.partial
        shipped = self._before_now(placed + self.rng.uniform(2, 72) * HOUR, 2 * DAY)
        self._fulfil(order, shipped, partly)
        last = shipped
        kind = "partial" if partly else "fulfilled"
        if self.rng.random() < past.refunded:
            fully = self.rng.random() < 0.5
            refunded = self._before_now(shipped + self.rng.uniform(2, 20) * DAY, DAY)
            self._refund(order, refunded, fully)
            last, kind = refunded, f"{kind}_refunded"
        if partly or self.rng.random() >= past.unarchived:
            last = self._before_now(last + self.rng.uniform(1, 10) * DAY, 12 * HOUR)
            order["closed_at"] = self._time(last)
        order["updated_at"] = self._time(last)
        if partly:
            self.made["partial"] += 1
        return kind

    def _cancel(self, order, placed):
        cancelled = self._before_now(placed + self.rng.uniform(1, 48) * HOUR, 2 * DAY)
        order["cancelled_at"] = order["closed_at"] = order["updated_at"] = self._time(cancelled)
        order["cancel_reason"] = self.rng.choice(CANCEL_REASONS)
        self._refund(order, cancelled, fully=True)
        self.made["cancelled"] += 1
        return "cancelled"

    # -- open ------------------------------------------------------------------------
    def _open(self, order, placed):
        order["updated_at"] = order["processed_at"]
        lines = order.get("line_items") or []
        can_split = len(lines) > 1 or any(int(line["quantity"]) > 1 for line in lines)
        if can_split and self.rng.random() < self.past.open_partial:
            shipped = self._before_now(placed + self.rng.uniform(1, 24) * HOUR)
            self._fulfil(order, shipped, partly=True)
            order["updated_at"] = self._time(shipped)
            return "open_partial"
        return "open"

    # -- events ----------------------------------------------------------------------
    def _fulfil(self, order, moment, partly):
        """One fulfillment dated ``moment``: every line, or (partly) part of them."""
        lines = order.get("line_items") or []
        shipped = [(line, int(line["quantity"])) for line in lines]
        if partly and len(lines) > 1:
            shipped = shipped[:1]
        elif partly and shipped and shipped[0][1] > 1:
            shipped = [(shipped[0][0], shipped[0][1] - 1)]
        number = f"1Z{self.rng.randint(10**9, 10**10 - 1)}"
        stamp = self._time(moment)
        order.setdefault("fulfillments", []).append(
            {
                "created_at": stamp,
                "updated_at": stamp,
                "status": "success",
                "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
                "tracking_company": self.rng.choice(CARRIERS),
                "tracking_number": number,
                "line_items": [
                    {"id": line["id"], "quantity": quantity} for line, quantity in shipped
                ],
            }
        )

    def _refund(self, order, moment, fully):
        """A refund dated ``moment``: every line and shipping, or (partly) one unit of a line."""
        lines = order.get("line_items") or []
        if fully:
            items = [(line, int(line["quantity"])) for line in lines]
            amount = to_decimal(order["total_price"])
        else:
            items = [(lines[0], 1)]
            price, tax = line_unit_amounts(lines[0])
            amount = to_decimal(rest_money(price + tax))
        stamp = self._time(moment)
        gateway = (order.get("transactions") or [{}])[-1].get("gateway") or "shopify_payments"
        order.setdefault("refunds", []).append(
            {
                "created_at": stamp,
                "processed_at": stamp,
                "note": "Cancelled" if order.get("cancelled_at") else None,
                "refund_line_items": [
                    {"line_item_id": line["id"], "quantity": quantity, "restock_type": "no_restock"}
                    for line, quantity in items
                ],
                "transactions": [
                    {
                        "kind": "refund",
                        "status": "success",
                        "gateway": gateway,
                        "amount": rest_money(amount),
                    }
                ],
            }
        )
        self.made["refunded"] += 1
