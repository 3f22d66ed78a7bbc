"""Shopify Order -> sale order values (amounts, discounts, tax keys)."""

from decimal import ROUND_HALF_UP, Decimal

from ..services.gid import numeric_id
from ..services.shopify_enums import (
    FAILED_FULFILLMENT_STATUSES,
    NOT_RESTOCKED,
    PAID_FINANCIAL_STATUSES,
    RESTOCK_CANCEL,
)
from .common import SHOP_MONEY, money, nodes


def tax_keys(tax_lines):
    """[(rate, title)] of a line's tax lines, rate as float fraction."""
    return [(float(tax.get("rate") or 0.0), tax.get("title") or "") for tax in tax_lines or []]


def line_values(line, side=SHOP_MONEY):
    """Quantity, unit price and discount (percent) of a LineItem node, in its ``side`` amounts."""
    quantity = int(line.get("quantity") or 0)
    unit_price = money(line.get("originalUnitPriceSet"), side)
    discount_amount = money(line.get("totalDiscountSet"), side)
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


def shipping_values(shipping_line, side=SHOP_MONEY):
    price = money(shipping_line.get("discountedPriceSet") or shipping_line.get("originalPriceSet"), side)
    return {
        "title": shipping_line.get("title") or shipping_line.get("code") or "Shipping",
        "price_unit": float(price),
        "taxes": tax_keys(shipping_line.get("taxLines")),
    }


def order_lines(order, side=SHOP_MONEY, refunds_first=None, refund_lines_first=None):
    """The values of an order node's lines, each with the quantity Shopify still counts as ordered
    (an edit's removals taken off, see ``ordered_quantity``); a line an edit removed is left out."""
    refunded = refunded_quantities(order, refunds_first, refund_lines_first)
    result = []
    for line in nodes(order.get("lineItems")):
        values = line_values(line, side)
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


def order_shipping(order, side=SHOP_MONEY):
    return [shipping_values(s, side) for s in nodes(order.get("shippingLines"))]


def rounding_difference(shopify_total, odoo_total):
    return (Decimal(str(shopify_total)) - Decimal(str(odoo_total))).quantize(Decimal("0.01"))


def is_paid(order):
    return (order.get("displayFinancialStatus") or "").upper() in PAID_FINANCIAL_STATUSES


def payment_terms_name(order):
    """The name of a B2B order's payment terms ("Net 30"), or None for an order paid at checkout."""
    return (order.get("paymentTerms") or {}).get("paymentTermsName") or None


def payment_due(order):
    """Whether the order is due for confirmation and invoicing under a "when paid" policy: paid, or on
    payment terms (a B2B order is paid later, by its terms)."""
    return is_paid(order) or bool(payment_terms_name(order))


def purchasing_company(order):
    """(company id, location id) of a B2B order placed for a company location, or None."""
    entity = order.get("purchasingEntity") or {}
    company, location = (entity.get("company") or {}).get("id"), (entity.get("location") or {}).get("id")
    if not (company and location):
        return None
    return numeric_id(company), numeric_id(location)


def location_tax_exempt(order):
    """Whether a B2B order was placed for a company location Shopify exempts from tax (its taxSettings)."""
    entity = order.get("purchasingEntity") or {}
    return bool(((entity.get("location") or {}).get("taxSettings") or {}).get("taxExempt"))


def customer_reference(order):
    """The sale order's customer reference: the buyer's PO number (B2B), else Shopify's order name."""
    return (order.get("poNumber") or "").strip() or order.get("name")


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


# Shopify's risk levels (RiskAssessmentResult) in rising order; PENDING is no level yet.
RISK_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
# What Shopify's recommendation says of the risk, when no assessment says more.
RECOMMENDATION_LEVELS = {"CANCEL": "high", "INVESTIGATE": "medium"}


def risk_level(order):
    """The highest risk level of an Order's ``risk`` (its assessments and recommendation):
    none, low, medium or high; "pending" while the only assessments are pending."""
    risk = order.get("risk") or {}
    levels = [str(a.get("riskLevel") or "").lower() for a in risk.get("assessments") or []]
    levels.append(RECOMMENDATION_LEVELS.get(str(risk.get("recommendation") or "").upper(), ""))
    known = [level for level in levels if level in RISK_RANK]
    if not known:
        return "pending" if "pending" in levels else "none"
    return max(known, key=RISK_RANK.get)


def risk_at_least(level, threshold):
    """Whether ``level`` reaches ``threshold`` (a level name; "never" or anything else: no)."""
    return level in RISK_RANK and threshold in RISK_RANK and RISK_RANK[level] >= RISK_RANK[threshold]


def retail_location_id(order):
    """The Shopify location (numeric id) where a point-of-sale order was taken, or None."""
    return (order.get("retailLocation") or {}).get("legacyResourceId") or None


def is_pos(order):
    """A point-of-sale order: its source is ``pos``, or it was taken at a retail location."""
    return (order.get("sourceName") or "").lower() == "pos" or bool(retail_location_id(order))


def order_extras(order, side=SHOP_MONEY):
    """What an Order charges besides its goods and shipping, each for a line of its own product:
    ``{"kind": tip | duty | import_tax | fee, "title", "price_unit", "taxes"}``.

    Duties are summed over the line items (``LineItem.duties``) and the taxes charged on them
    (import taxes, ``Duty.taxLines``) are a line of their own, untaxed: they are the tax. An
    additional fee is taxed as its tax lines say, like a shipping line.
    """
    extras = []
    tip = money(order.get("totalTipReceivedSet"), side)
    if tip:
        extras.append({"kind": "tip", "title": "", "price_unit": float(tip), "taxes": []})
    duties = [duty for line in nodes(order.get("lineItems")) for duty in line.get("duties") or []]
    duty_total = sum((money(duty.get("price"), side) for duty in duties), Decimal("0"))
    if duty_total:
        extras.append({"kind": "duty", "title": "", "price_unit": float(duty_total), "taxes": []})
    import_taxes = sum(
        (money(tax.get("priceSet"), side) for duty in duties for tax in duty.get("taxLines") or []), Decimal("0")
    )
    if import_taxes:
        extras.append({"kind": "import_tax", "title": "", "price_unit": float(import_taxes), "taxes": []})
    for fee in order.get("additionalFees") or []:
        extras.append(
            {
                "kind": "fee",
                "title": fee.get("name") or "",
                "price_unit": float(money(fee.get("price"), side)),
                "taxes": tax_keys(fee.get("taxLines")),
            }
        )
    return extras
