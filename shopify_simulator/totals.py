"""Order totals in REST shape: taxes per line and per shipping line, and the order's sums."""

from decimal import Decimal

from .formatting import cents, rest_money, to_decimal


def recompute_totals(order):
    """Recompute a REST order's tax lines and totals in place; return total_price.

    Taxes are rate x discounted amount per line (and per shipping line), rounded
    to cents; with taxes_included they are the included part of the price.
    """
    included = bool(order.get("taxes_included"))
    currency = order.get("currency") or "USD"
    line_total, discounts, tax_total = Decimal("0"), Decimal("0"), Decimal("0")
    for line in order.get("line_items") or []:
        gross = to_decimal(line.get("price")) * int(line.get("quantity") or 0)
        discount = to_decimal(line.get("total_discount"))
        line_total, discounts = line_total + gross, discounts + discount
        tax_total += _apply_tax(line.get("tax_lines"), gross - discount, included, currency)
    shipping = Decimal("0")
    for ship in order.get("shipping_lines") or []:
        price = to_decimal(ship.get("discounted_price") or ship.get("price"))
        shipping += price
        tax_total += _apply_tax(ship.get("tax_lines"), price, included, currency)
    # Duties and their import taxes, additional fees and tips are paid on top of the goods:
    # the import taxes are never in a price, a fee's taxes are as the order's.
    duties, import_taxes = Decimal("0"), Decimal("0")
    for duty in (d for line in order.get("line_items") or [] for d in line.get("duties") or []):
        duties += to_decimal(duty.get("price"))
        import_taxes += _apply_tax(
            duty.get("tax_lines"), to_decimal(duty.get("price")), False, currency
        )
    fees = Decimal("0")
    for fee in order.get("additional_fees") or []:
        price = to_decimal(fee.get("price"))
        fees += price
        tax_total += _apply_tax(fee.get("tax_lines"), price, included, currency)
    tip = to_decimal(order.get("total_tip_received"))
    subtotal = line_total - discounts
    total = (
        subtotal + shipping + (0 if included else tax_total) + duties + import_taxes + fees + tip
    )
    tax_total += import_taxes
    totals = {
        "total_line_items_price": line_total,
        "total_discounts": discounts,
        "subtotal_price": subtotal,
        "total_tax": tax_total,
        "total_price": total,
        "current_subtotal_price": subtotal,
        "current_total_discounts": discounts,
        "current_total_tax": tax_total,
        "current_total_price": total,
    }
    for key, value in totals.items():
        order[key] = rest_money(value)
        order[f"{key}_set"] = money_set(value, currency)
    order["total_shipping_price_set"] = money_set(shipping, currency)
    order["total_outstanding"] = (
        "0.00" if order.get("financial_status") == "paid" else rest_money(total)
    )
    return order["total_price"]


def _apply_tax(tax_lines, amount, included, currency):
    total = Decimal("0")
    for tax in tax_lines or []:
        rate = to_decimal(tax.get("rate"))
        value = cents(amount - amount / (1 + rate)) if included else cents(amount * rate)
        tax["price"], tax["price_set"] = rest_money(value), money_set(value, currency)
        total += value
    return total


def money_set(value, currency):
    money = {"amount": rest_money(value), "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}
