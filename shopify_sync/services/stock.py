"""Pure rules of stock integrity: the day-one comparison, the opening count and the circuit breaker.

Quantities compared and pushed are Shopify's *available* (on hand less what
unfulfilled orders committed) against Odoo's *free* quantity of the mapped
location and its children (on hand less what deliveries reserved): the two
numbers mean the same thing on both sides.
"""

from dataclasses import dataclass

COMPARISON_STATUSES = [
    ("equal", "Equal"),
    ("odoo_higher", "Odoo higher"),
    ("odoo_lower", "Odoo lower"),
    ("unknown", "Unknown in Odoo"),
    ("left_out", "Not compared"),
]

DEFAULT_HOLD_ZERO_PERCENT = 10
DEFAULT_HOLD_CHANGE_PERCENT = 25
DEFAULT_HOLD_MIN_VARIANTS = 5


def comparison_status(odoo_free, odoo_counted, shopify_available):
    """How Odoo's free quantity stands against Shopify's available one.

    ``odoo_counted`` is False when Odoo has never held a quantity of the product
    in the location: its 0 is no count, so the line is *unknown in Odoo*.
    """
    if not odoo_counted:
        return "unknown"
    odoo = round(odoo_free)
    if odoo == shopify_available:
        return "equal"
    return "odoo_higher" if odoo > shopify_available else "odoo_lower"


def opening_delta(shopify_available, on_hand, outgoing):
    """What to add to Odoo's on-hand quantity so that, its deliveries served, Shopify's available is left.

    Shopify's available is already net of what its open orders committed; Odoo's
    deliveries of the same orders (``outgoing``, reserved or still waiting for
    stock) take theirs from the new on hand, so it is Shopify's available plus
    that outgoing quantity. Reserved or not matters: the adjustment itself
    lets waiting deliveries reserve.
    """
    return shopify_available + outgoing - on_hand


@dataclass(frozen=True)
class Verdict:
    """Why a push run is held (``reason`` "zero" or "change"), with its figures."""

    reason: str
    zeros: int
    changes: int
    total: int

    def percent(self, count):
        return round(100.0 * count / self.total, 1) if self.total else 100.0


def breaker_verdict(changes, zeros, total, *, zero_percent, change_percent, min_variants):
    """A Verdict when a run would zero or change too large a share of the shop's variants, else None.

    ``changes`` and ``zeros`` count the (variant, location) pairs the run would
    change and set to 0 from a positive quantity; ``total`` counts the pairs the
    shop pushes. A run that touches fewer than ``min_variants`` pairs is never
    held: selling out a few variants is a normal day, not a fault.
    """
    total = max(total, 1)
    if zeros >= min_variants and zeros * 100 > zero_percent * total:
        return Verdict("zero", zeros, changes, total)
    if changes >= min_variants and changes * 100 > change_percent * total:
        return Verdict("change", zeros, changes, total)
    return None


def level_quantities(level_node):
    """``{name: quantity}`` of an InventoryLevel node's quantities."""
    return {q["name"]: q["quantity"] for q in (level_node or {}).get("quantities") or []}
