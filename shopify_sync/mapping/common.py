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


def money(money_bag):
    """Amount of a MoneyBag's shopMoney as Decimal (0 when absent)."""
    try:
        return Decimal(str(((money_bag or {}).get("shopMoney") or {}).get("amount") or "0"))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {money_bag!r}") from exc


def currency_of(money_bag):
    return ((money_bag or {}).get("shopMoney") or {}).get("currencyCode")


def nodes(connection):
    return (connection or {}).get("nodes") or []
