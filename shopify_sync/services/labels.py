"""Readable names for sync jobs and deliveries, from what a webhook body already says.

``Order #1015 · Bob Norman · 409.94 USD`` reads better than ``order 450789469``,
and the webhook body has all of it before Shopify is ever asked.
"""

import json

from .resources import DOOR_LABEL_KEYS

SEPARATOR = " · "


def job_title(type_label, label, summary=None):
    """``Order #1015 · Bob Norman · 409.94 USD``."""
    head = " ".join(part for part in (type_label, label) if part)
    return SEPARATOR.join(part for part in (head, summary) if part)


def _payload(raw_body):
    if not raw_body:
        return {}
    try:
        payload = json.loads(raw_body)
    except (TypeError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _person(data):
    data = data or {}
    name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    return name or data.get("email") or ""


def label_from_payload(resource_type, raw_body):
    """(label, summary) of a resource from a webhook body; either may be empty."""
    payload = _payload(raw_body)
    if not payload:
        return "", ""
    if resource_type == "order":
        customer = _person(payload.get("customer")) or _person(payload.get("billing_address"))
        total = payload.get("total_price")
        currency = payload.get("currency") or payload.get("presentment_currency") or ""
        amount = f"{float(total):.2f} {currency}".strip() if _is_number(total) else ""
        summary = SEPARATOR.join(part for part in (customer, amount) if part)
        return payload.get("name") or "", summary
    if resource_type == "customer":
        return _person(payload), payload.get("email") or ""
    if resource_type == "product":
        return payload.get("title") or "", ""
    return payload.get("name") or "", ""


# What the webhook door keeps of a body whatever the shop's raw-body setting: names that
# identify a record to staff and hold no personal data (an order's number, a product's title).
# (resource type -> payload key, from the handlers' ``door_label_key``: services/resources.py)


def door_label(resource_type, payload):
    """The short label of a delivery, kept at the door (at most 64 characters)."""
    key = DOOR_LABEL_KEYS.get(resource_type)
    value = payload.get(key) if key and isinstance(payload, dict) else None
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)[:64] or None


def order_node_summary(node):
    """(label, summary) of a GraphQL Order node: ``#1015``, ``Bob Norman · 409.94 USD``."""
    customer = node.get("customer") or {}
    who = " ".join(p for p in (customer.get("firstName"), customer.get("lastName")) if p) or customer.get("email") or ""
    money = (node.get("totalPriceSet") or {}).get("shopMoney") or {}
    amount = money.get("amount")
    total = f"{float(amount):.2f} {money.get('currencyCode') or ''}".strip() if _is_number(amount) else ""
    return node.get("name") or "", SEPARATOR.join(p for p in (who, total) if p)


def delivery_title(topic, label, resource_id):
    """``orders/create #1015``."""
    return f"{topic} {label or resource_id or ''}".strip()


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
