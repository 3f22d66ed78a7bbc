from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation


def parse_datetime(value):
    """Shopify ISO-8601 timestamp -> naive UTC datetime (Odoo's convention)."""
    if not value:
        return None
    text = value.replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


# The two sets of amounts of a Shopify MoneyBag: the shop's currency, the customer's.
SHOP_MONEY = "shopMoney"
PRESENTMENT_MONEY = "presentmentMoney"


def money(money_bag, side=SHOP_MONEY):
    """Amount of a MoneyBag's ``side`` (shopMoney by default) as Decimal (0 when absent)."""
    try:
        return Decimal(str(((money_bag or {}).get(side) or {}).get("amount") or "0"))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {money_bag!r}") from exc


def currency_of(money_bag, side=SHOP_MONEY):
    return ((money_bag or {}).get(side) or {}).get("currencyCode")


def booked_currency(order, in_presentment):
    """The currency code an order is booked in: its presentment currency when the shop books orders so."""
    if in_presentment and order.get("presentmentCurrencyCode"):
        return order["presentmentCurrencyCode"]
    return order.get("currencyCode") or currency_of(order.get("totalPriceSet"))


def money_side(order, booked):
    """The set of amounts of an order booked in currency ``booked``: one set, never a mix.

    Presentment money only for an order whose presentment currency differs from the shop's
    and is the one it is booked in; shop money otherwise (the default).
    """
    presentment = order.get("presentmentCurrencyCode")
    if presentment and presentment != order.get("currencyCode") and booked == presentment:
        return PRESENTMENT_MONEY
    return SHOP_MONEY


def nodes(connection):
    return (connection or {}).get("nodes") or []


def side_in(money_bag, currency_code):
    """The set of a MoneyBag's amounts that is in ``currency_code``: shop money unless only presentment money is."""
    if currency_of(money_bag) != currency_code and currency_of(money_bag, PRESENTMENT_MONEY) == currency_code:
        return PRESENTMENT_MONEY
    return SHOP_MONEY
