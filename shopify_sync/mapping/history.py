"""A store's past on day one: which orders are history, which are work, what the books take.

Pure functions of plain values (Shopify Order nodes, naive UTC datetimes, dates): no Odoo.

- An order is **cancelled** when Shopify cancelled it.
- An order is **history** when it was done with before the import started: closed
  (archived) before then, or fulfilled before then; or placed before the cut-off the
  merchant chose. History is recorded in its final state; it needs no delivery.
- Any other order is **open**: the work of the days to come (normal flow).

Without an import (no start, no cut-off) every order is open: the live flow as it was.
"""

from ..services.shopify_enums import FULFILLED, PAID_FINANCIAL_STATUSES
from .common import nodes, parse_datetime

OPEN, HISTORY, CANCELLED = "open", "history", "cancelled"
STANDINGS = [(OPEN, "Open"), (HISTORY, "History"), (CANCELLED, "Cancelled")]
# the counts of the import preview (services/queries.IMPORT_PREVIEW_QUERY's aliases)
PREVIEW_COUNTS = ("all", "open", "cancelled", "refunded", "partlyRefunded")


def _fulfilled_at(node):
    """When the order was last fulfilled, as far as the node tells: its fulfillments' dates,
    else its last update (a fulfilled order not updated since was fulfilled by then)."""
    dates = [parse_datetime(f.get("createdAt")) for f in node.get("fulfillments") or [] if f.get("createdAt")]
    if dates:
        return max(dates)
    return parse_datetime(node.get("updatedAt"))


def standing(node, started_at=None, cutoff=None):
    """OPEN, HISTORY or CANCELLED for an Order node.

    ``started_at``: when the store's import started (naive UTC datetime), None if never;
    ``cutoff``: orders placed before it (naive UTC datetime) are history, None for no cut-off.
    """
    if node.get("cancelledAt"):
        return CANCELLED
    placed = parse_datetime(node.get("processedAt") or node.get("createdAt"))
    if cutoff and placed and placed < cutoff:
        return HISTORY
    if not started_at:
        return OPEN
    closed = parse_datetime(node.get("closedAt"))
    if closed and closed <= started_at:
        return HISTORY
    if (node.get("displayFulfillmentStatus") or "") == FULFILLED:
        fulfilled = _fulfilled_at(node)
        if fulfilled and fulfilled <= started_at:
            return HISTORY
    return OPEN


def delivered_quantities(node):
    """What left the warehouse of each product line of ``order_lines`` (same order, same filter):
    the quantity less what is still to ship (``unfulfilledQuantity``); without that field,
    all of it for a fulfilled order, none otherwise."""
    fulfilled = (node.get("displayFulfillmentStatus") or "") == FULFILLED
    found = []
    for line in nodes(node.get("lineItems")):
        quantity = int(line.get("quantity") or 0)
        if quantity <= 0:
            continue
        left = line.get("unfulfilledQuantity")
        if left is None:
            found.append(quantity if fulfilled else 0)
        else:
            found.append(max(quantity - int(left), 0))
    return found


def shipped_before(node, started_at):
    """``delivered_quantities`` of an open order whose fulfillments predate the import's start
    (zeros if they do not, or without an import): that part left before Odoo, the rest is work."""
    delivered = delivered_quantities(node)
    if not started_at or not any(delivered):
        return [0] * len(delivered)
    fulfilled = _fulfilled_at(node)
    if fulfilled and fulfilled <= started_at:
        return delivered
    return [0] * len(delivered)


def before_accounting_start(moment, accounting_start):
    """True when ``moment`` (naive UTC datetime or date) falls before ``accounting_start`` (a date):
    the merchant's former books hold it. No accounting start: nothing is before it."""
    if not accounting_start or not moment:
        return False
    day = moment.date() if hasattr(moment, "date") and callable(moment.date) else moment
    return day < accounting_start


def settled_before(node, accounting_start):
    """A historical order placed before the accounting start and paid (or refunded) since: its money
    is the former books'. Its invoice-and-payments job (one more query per order) is not needed;
    a later transaction of it still reaches that job by its own webhook."""
    placed = parse_datetime(node.get("processedAt") or node.get("createdAt"))
    paid = (node.get("displayFinancialStatus") or "").upper() in PAID_FINANCIAL_STATUSES
    return paid and before_accounting_start(placed, accounting_start)


def paid_at(payment_dates, node):
    """When an order was paid: its last payment, else when it was placed (naive UTC)."""
    dates = [d for d in payment_dates if d]
    if dates:
        return max(dates)
    return parse_datetime(node.get("processedAt") or node.get("createdAt"))


def summary(counts):
    """The import preview's counts (open, history, cancelled...) checked for consistency:
    ``all`` = open + history + cancelled; a negative history (Shopify counts at different
    moments) is shown as 0."""
    found = dict(counts)
    history = found.get("all", 0) - found.get("open", 0) - found.get("cancelled", 0)
    found["history"] = max(history, 0)
    return found
