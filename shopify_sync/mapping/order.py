"""Shopify Order -> sale order values (amounts, discounts, tax keys)."""

from decimal import ROUND_HALF_UP, Decimal

from ..services.gid import numeric_id
from ..services.shopify_enums import PAID_FINANCIAL_STATUSES
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


def order_lines(order, side=SHOP_MONEY):
    return [line_values(line, side) for line in nodes(order.get("lineItems")) if int(line.get("quantity") or 0) > 0]


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
