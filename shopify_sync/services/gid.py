"""Shopify global ids.

The addon stores Shopify's numeric id (``legacyResourceId``) as a string in
``x_shopify_id``: webhooks carry it as ``id`` and it is what the Shopify admin
shows in URLs.  GraphQL wants the GID; these helpers convert both ways.
"""

import re

MAX_ID = 2**63 - 1  # Shopify ids are 64-bit integers

_GID_RE = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(?:\?.*)?$")

RESOURCE_GID_TYPES = {
    "order": "Order",
    "customer": "Customer",
    "product": "Product",
    "variant": "ProductVariant",
    "fulfillment": "Fulfillment",
    "fulfillment_order": "FulfillmentOrder",
    "refund": "Refund",
    "inventory_item": "InventoryItem",
    "location": "Location",
    "line_item": "LineItem",
}


def to_gid(resource_type, numeric_id):
    """``to_gid("order", 450789469)`` -> ``gid://shopify/Order/450789469``."""
    gid_type = RESOURCE_GID_TYPES.get(resource_type, resource_type)
    return f"gid://shopify/{gid_type}/{numeric_id}"


def numeric_id(value):
    """Return the numeric id, as a string, of a GID or a numeric id.

    Raises ``ValueError`` for anything else, so that a malformed id never
    becomes an identity key.
    """
    if value is None or isinstance(value, bool):
        raise ValueError(f"not a Shopify id: {value!r}")
    if isinstance(value, int):
        return _checked(value, value)
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        return _checked(int(text), value)
    match = _GID_RE.match(text)
    if not match:
        raise ValueError(f"not a Shopify id: {value!r}")
    return _checked(int(match.group("id")), value)


def _checked(number, original):
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not a Shopify id: {original!r}")
    return str(number)
