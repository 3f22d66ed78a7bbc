"""Value formats shared by the store and the GraphQL layer: GIDs, money, timestamps.

REST payloads carry timestamps in the shop's time zone with an offset
(``2026-11-25T02:46:52-05:00``) and money as two-decimal strings (``"199.00"``);
the GraphQL Admin API answers timestamps in UTC (``2026-11-25T07:46:52Z``) and
``Decimal`` amounts without trailing zeros (``"199.0"``, ``"409.94"``).
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - zoneinfo is in the standard library
    ZoneInfo, ZoneInfoNotFoundError = None, Exception

GID_PREFIX = "gid://shopify/"


def gid(kind, numeric):
    return f"{GID_PREFIX}{kind}/{numeric}"


def parse_gid(value):
    """``gid://shopify/Order/1`` -> ("Order", 1); (None, None) when it is not a GID."""
    if not isinstance(value, str) or not value.startswith(GID_PREFIX):
        return None, None
    try:
        kind, numeric = value[len(GID_PREFIX) :].split("/", 1)
        return kind, int(numeric.split("?", 1)[0])
    except ValueError:
        return None, None


def to_decimal(value):
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        return Decimal("0")


def cents(value):
    """Round to two decimals, half up, as Shopify rounds taxes and discounts."""
    return to_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rest_money(value):
    """REST money string: always two decimals."""
    return str(cents(value))


def graphql_decimal(value):
    """GraphQL ``Decimal``: a string without trailing zeros but with one decimal place."""
    number = to_decimal(value)
    if number == 0:
        return "0.0"
    text = format(number.normalize(), "f")
    return text if "." in text else f"{text}.0"


def money_bag(amount, currency):
    money = {"amount": graphql_decimal(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def shop_zone(name):
    if ZoneInfo is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_time(value):
    """An aware datetime from a REST or GraphQL timestamp (naive means UTC); None if empty."""
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if len(text) == 10:  # a bare date, as search syntax allows
            text += "T00:00:00"
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rest_time(moment, zone=UTC):
    """REST timestamp in the shop's zone: ``2026-11-25T02:46:52-05:00``."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def graphql_time(value):
    """GraphQL ``DateTime``: UTC with a Z, second precision; None stays None."""
    moment = parse_time(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def enum_value(value, allowed, default=None):
    """REST status (``partially_refunded``) -> GraphQL enum (``PARTIALLY_REFUNDED``)."""
    if not value:
        return default
    name = str(value).upper()
    return name if name in allowed else default


def level_quantity(level, name):
    """A stored level's quantity of ``name``: on hand is available plus what orders committed."""
    committed = level.get("committed", 0)
    return {
        "available": level["available"],
        "committed": committed,
        "on_hand": level["available"] + committed,
    }.get(name, 0)
