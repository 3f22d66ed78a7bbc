"""Shopify Order -> sale order values (amounts, discounts, tax keys)."""

from decimal import ROUND_HALF_UP, Decimal

from ..services.shopify_enums import (
    FAILED_FULFILLMENT_STATUSES,
    NOT_RESTOCKED,
    PAID_FINANCIAL_STATUSES,
    RESTOCK_CANCEL,
)
from .common import money, nodes


def tax_keys(tax_lines):
    """[(rate, title)] of a line's tax lines, rate as float fraction."""
    return [(float(tax.get("rate") or 0.0), tax.get("title") or "") for tax in tax_lines or []]


def line_values(line):
    """Quantity, unit price and discount (percent) of a LineItem node."""
    quantity = int(line.get("quantity") or 0)
    unit_price = money(line.get("originalUnitPriceSet"))
    discount_amount = money(line.get("totalDiscountSet"))
    gross = unit_price * quantity
    discount = Decimal("0")
    if gross and discount_amount:
        discount = (discount_amount / gross * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return {
        "quantity": quantity,
        "price_unit": float(unit_price),
        "discount": float(discount),
        "taxes": tax_keys(line.get("taxLines")),
        "sku": line.get("sku") or ((line.get("variant") or {}).get("sku")) or "",
        "title": line.get("title") or line.get("name") or "",
        "variant_title": line.get("variantTitle") or "",
        "variant_id": ((line.get("variant") or {}).get("legacyResourceId")),
        "product_id": (((line.get("variant") or {}).get("product") or {}).get("legacyResourceId")),
        "gift_card": bool(line.get("isGiftCard")),
    }


def shipping_values(shipping_line):
    price = money(shipping_line.get("discountedPriceSet") or shipping_line.get("originalPriceSet"))
    return {
        "title": shipping_line.get("title") or shipping_line.get("code") or "Shipping",
        "price_unit": float(price),
        "taxes": tax_keys(shipping_line.get("taxLines")),
    }


def order_lines(order, refunds_first=None, refund_lines_first=None):
    """The values of an order node's lines, each with the quantity Shopify still counts as ordered
    (an edit's removals taken off, see ``ordered_quantity``); a line an edit removed is left out."""
    refunded = refunded_quantities(order, refunds_first, refund_lines_first)
    result = []
    for line in nodes(order.get("lineItems")):
        values = line_values(line)
        values["quantity"] = ordered_quantity(line, refunded)
        if values["quantity"] > 0:
            result.append(values)
    return result


def refunded_quantities(order, refunds_first=None, lines_first=None):
    """{line item id: units refunded} from an order node's ``refunds``, or None when they are not
    known (not read, or a list read to its limit may be partial)."""
    refunds = order.get("refunds")
    if refunds is None or (refunds_first and len(refunds) >= refunds_first):
        return None
    refunded = {}
    for refund in refunds:
        if "refundLineItems" not in refund:
            return None
        items = nodes(refund.get("refundLineItems"))
        if lines_first and len(items) >= lines_first:
            return None
        for item in items:
            line_id = (item.get("lineItem") or {}).get("id")
            refunded[line_id] = refunded.get(line_id, 0) + int(item.get("quantity") or 0)
    return refunded


def ordered_quantity(line, refunded):
    """Units of a LineItem node Shopify still counts as ordered: its ``quantity`` less the units
    order edits removed.

    Shopify's ``quantity`` counts refunded and removed units, ``currentQuantity`` neither: what an
    edit removed is the difference less the refunded units. Refunds keep their own path (their
    unshipped units leave the Odoo line with ``shopify_removed_qty``). Without ``currentQuantity``
    or the refunds (``refunded`` None), the quantity as it is.
    """
    quantity = int(line.get("quantity") or 0)
    current = line.get("currentQuantity")
    if current is None or refunded is None:
        return quantity
    removed_by_edits = quantity - int(current) - refunded.get(line.get("id"), 0)
    return quantity - max(removed_by_edits, 0)


def order_shipping(order):
    return [shipping_values(s) for s in nodes(order.get("shippingLines"))]


def rounding_difference(shopify_total, odoo_total):
    return (Decimal(str(shopify_total)) - Decimal(str(odoo_total))).quantize(Decimal("0.01"))


def is_paid(order):
    return (order.get("displayFinancialStatus") or "").upper() in PAID_FINANCIAL_STATUSES


def _stored(value, places):
    """``value`` rounded half up, as Odoo stores a field of that precision (Python's round() on the
    float 2.675 gives 2.67, Odoo stores 2.68: the two would never compare equal)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def line_signature(lines):
    """Comparable form of order lines: (product id, qty, price, discount), each as Odoo stores it."""
    return sorted((p, _stored(q, 3), _stored(pu, 2), _stored(d, 2)) for p, q, pu, d in lines)


def fulfilled_quantities(order, fulfillments_first=None, lines_first=None):
    """{line item id: units shipped} of an order node's ``fulfillments`` (the failed ones shipped nothing).

    None when a list was read to its limit (``fulfillments_first``, ``lines_first``): it may be partial.
    """
    fulfillments = order.get("fulfillments") or []
    if fulfillments_first and len(fulfillments) >= fulfillments_first:
        return None
    shipped = {}
    for fulfillment in fulfillments:
        items = nodes(fulfillment.get("fulfillmentLineItems"))
        if lines_first and len(items) >= lines_first:
            return None
        if (fulfillment.get("status") or "").upper() in FAILED_FULFILLMENT_STATUSES:
            continue
        for item in items:
            line_id = (item.get("lineItem") or {}).get("id")
            shipped[line_id] = shipped.get(line_id, 0) + int(item.get("quantity") or 0)
    return shipped


def unshipped_refund_lines(refund, fulfillments_first=None, lines_first=None):
    """[(refund line item node, units)] of a Refund node that Shopify will not ship.

    A line restocked as CANCEL was never shipped. A line not restocked (NO_RESTOCK, LEGACY_RESTOCK)
    is unshipped when nothing of its order line was fulfilled (the refund's ``order.fulfillments``,
    whose lists were read up to ``fulfillments_first`` and ``lines_first`` entries: a list read to its
    limit may be partial, and the line then counts as shipped); otherwise it is a refund of shipped
    goods the customer keeps, and moves no stock. A RETURN is a return of shipped goods
    (importers/refund.py), never an unshipped line.
    """
    shipped = fulfilled_quantities(refund.get("order") or {}, fulfillments_first, lines_first)
    result = []
    for item in nodes(refund.get("refundLineItems")):
        quantity = int(item.get("quantity") or 0)
        restock = (item.get("restockType") or "").upper()
        line_id = (item.get("lineItem") or {}).get("id")
        never_shipped = shipped is not None and not shipped.get(line_id)
        unshipped = restock == RESTOCK_CANCEL or (restock in NOT_RESTOCKED and never_shipped)
        if quantity > 0 and unshipped:
            result.append((item, quantity))
    return result
