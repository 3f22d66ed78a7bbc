"""Readable names for sync jobs and deliveries, from what a webhook body already says.

``Order #1015 · Bob Norman · 409.94 USD`` reads better than ``order 450789469``,
and the webhook body has all of it before Shopify is ever asked.
"""

import json

import pytz

from odoo.tools import format_datetime

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


def local_time(env, value):
    """A UTC datetime as the user reads it in messages: their time zone, named (``2026-12-07 17:20:05 CET``)."""
    if not value:
        return ""
    tz = env.context.get("tz") or env.user.tz or "UTC"
    zone = pytz.timezone(tz)
    return "{} {}".format(
        format_datetime(env, value, tz=tz, dt_format="yyyy-MM-dd HH:mm:ss"),
        pytz.utc.localize(value).astimezone(zone).tzname(),
    )


def financial_status_label(env, code):
    """Shopify's ``displayFinancialStatus`` (``PARTIALLY_REFUNDED``) as people read it."""
    if not code:
        return False
    labels = {
        "AUTHORIZED": env._("Authorized"),
        "EXPIRED": env._("Expired"),
        "PAID": env._("Paid"),
        "PARTIALLY_PAID": env._("Partially paid"),
        "PARTIALLY_REFUNDED": env._("Partially refunded"),
        "PENDING": env._("Pending"),
        "REFUNDED": env._("Refunded"),
        "VOIDED": env._("Voided"),
    }
    return labels.get(code, _words(code))


def gateway_label(env, code):
    """A Shopify payment gateway (``shopify_payments``) as people read it; an unknown one in words."""
    if not code:
        return False
    labels = {
        "shopify_payments": env._("Shopify Payments"),
        "paypal": env._("PayPal"),
        "gift_card": env._("Gift card"),
        "manual": env._("Manual payment"),
        "cash": env._("Cash"),
        "bogus": env._("Bogus (test gateway)"),
        "shop_cash": env._("Shop Cash"),
        "store_credit": env._("Store credit"),
        "shopify_store_credit": env._("Store credit"),
    }
    return labels.get(code.strip().lower(), _words(code))


def _words(code):
    """``SOME_CODE`` or ``some_code`` → ``Some code``."""
    text = code.replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]
