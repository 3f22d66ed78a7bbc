"""Shopify search syntax (the ``query:`` argument) and sort keys for the root connections.

Supported: ``field:value``, ``field:>value``, ``>=``, ``<``, ``<=`` on dates
(``updated_at``, ``created_at``, ``processed_at``) and ``id``; equality on a few
text fields; ``-field:value`` / ``NOT field:value``; ``AND`` between terms; bare
words match names, titles and emails. ``OR`` and parentheses are not supported:
terms are always combined with AND.
"""

import re
import shlex

from .formatting import graphql_time, parse_time, to_decimal

TERM = re.compile(r"^(?P<negate>-)?(?P<field>[a-z_]+):(?P<op>>=|<=|>|<)?(?P<value>.*)$")
DATE_FIELDS = {"updated_at", "created_at", "processed_at"}
TEXT_FIELDS = {
    "order": {
        "email": "email",
        "name": "name",
        "financial_status": "financial_status",
        "tag": "tags",
    },
    "customer": {
        "email": "email",
        "phone": "phone",
        "state": "state",
        "tag": "tags",
        "first_name": "first_name",
        "last_name": "last_name",
    },
    "product": {
        "title": "title",
        "status": "status",
        "product_type": "product_type",
        "vendor": "vendor",
        "handle": "handle",
        "tag": "tags",
    },
}
FREE_TEXT = {
    "order": ("name", "email"),
    "customer": ("first_name", "last_name", "email"),
    "product": ("title",),
}


def parse_query(text):
    """``updated_at:>'2026-01-01T00:00:00Z' AND status:active`` -> [(negate, field, op, value)]."""
    try:
        words = shlex.split(text or "")
    except ValueError:
        words = (text or "").replace("'", " ").replace('"', " ").split()
    terms, negate_next = [], False
    for word in words:
        if word in ("AND", "OR"):
            continue
        if word == "NOT":
            negate_next = True
            continue
        match = TERM.match(word)
        if match:
            negate = bool(match["negate"]) != negate_next
            terms.append((negate, match["field"], match["op"] or "=", match["value"]))
        else:
            terms.append((negate_next, None, "=", word))
        negate_next = False
    return terms


# Order filters that are not a field's value: ``status`` (open, closed, cancelled, not_closed)
# and ``fulfillment_status`` with Shopify's search words (shipped, partial, unshipped...).
FULFILLMENT_WORDS = {
    "shipped": {"fulfilled"},
    "fulfilled": {"fulfilled"},
    "partial": {"partial"},
    "unshipped": {""},
    "unfulfilled": {"", "partial"},
    "any": {"", "partial", "fulfilled"},
}


def _order_status(record, value):
    closed, cancelled = bool(record.get("closed_at")), bool(record.get("cancelled_at"))
    return {
        "open": not closed and not cancelled,
        "closed": closed,
        "cancelled": cancelled,
        "not_closed": not closed,
    }.get(value, True)


def _fulfillment_status(record, value):
    words = FULFILLMENT_WORDS.get(value)
    return True if words is None else (record.get("fulfillment_status") or "") in words


ORDER_STATES = {"status": _order_status, "fulfillment_status": _fulfillment_status}


def _compare(left, op, right):
    if left is None or right is None:
        return False
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
        "=": left == right,
    }[op]


def matches(resource, record, terms):
    fields = TEXT_FIELDS.get(resource, {})
    for negate, field, op, value in terms:
        if field in DATE_FIELDS:
            try:
                ok = _compare(parse_time(record.get(field)), op, parse_time(value))
            except ValueError:
                ok = False
        elif resource == "order" and field in ORDER_STATES:
            ok = ORDER_STATES[field](record, value.lower())
        elif field == "id":
            ok = value.isdigit() and _compare(int(record["id"]), op, int(value))
        elif field in fields:
            actual = record.get(fields[field])
            if fields[field] == "tags":
                ok = value.lower() in [t.strip().lower() for t in str(actual or "").split(",")]
            else:
                ok = str(actual or "").lower() == value.lower()
        elif field is None:
            ok = any(
                value.lower() in str(record.get(name) or "").lower()
                for name in FREE_TEXT.get(resource, ())
            )
        else:
            ok = True  # an unsupported filter is ignored, as Shopify ignores unknown fields
        if ok == negate:
            return False
    return True


def sort_value(resource, record, sort_key):
    """A JSON-able value to sort on (and to put in cursors); ties are broken by id."""
    if sort_key in ("UPDATED_AT", "CREATED_AT", "PROCESSED_AT"):
        field = sort_key.lower()
        return graphql_time(record.get(field) or record.get("created_at")) or ""
    if sort_key == "ORDER_NUMBER":
        return int(record.get("order_number") or 0)
    if sort_key == "TOTAL_PRICE":
        return float(to_decimal(record.get("total_price")))
    if sort_key == "CUSTOMER_NAME":
        customer = record.get("customer") or {}
        return (
            f"{customer.get('first_name') or ''} {customer.get('last_name') or ''}".strip().lower()
        )
    if sort_key == "NAME":
        return f"{record.get('first_name') or ''} {record.get('last_name') or ''}".strip().lower()
    if sort_key in ("TITLE", "PRODUCT_TYPE", "VENDOR"):
        return str(record.get(sort_key.lower()) or "").lower()
    return int(record["id"])


def search(resource, records, query=None, sort_key="ID"):
    """[(sort value, id, record)] of the records matching ``query``, in ascending sort order."""
    terms = parse_query(query)
    found = [
        (sort_value(resource, r, sort_key), int(r["id"]), r)
        for r in records
        if matches(resource, r, terms)
    ]
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return found
