"""Shopify global ids.

Bindings store Shopify's numeric id (``legacyResourceId``) as a string in
``shopify_id``: webhooks carry it as ``id`` and it is what the Shopify admin
shows in URLs.  GraphQL wants the GID; these helpers convert both ways.
"""

import re

MAX_ID = 2**63 - 1  # Shopify ids are 64-bit integers

_GID_RE = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(?:\?.*)?$")

# GraphQL id types of the parts of resources; a resource type's own is declared on its
# handler (``gid_type``) and added by services/resources.py.
SUB_RESOURCE_GID_TYPES = {
    "variant": "ProductVariant",
    "fulfillment_order": "FulfillmentOrder",
    "inventory_item": "InventoryItem",
    "location": "Location",
    "line_item": "LineItem",
    "transaction": "OrderTransaction",
}
RESOURCE_GID_TYPES = dict(SUB_RESOURCE_GID_TYPES)


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


# Where a record is in the Shopify admin: https://admin.shopify.com/store/<store>/<path>/<id>
# kind -> path, from the handlers' ``admin_path`` (filled by services/resources.py)
ADMIN_PATHS = {}


def admin_url(domain, kind, resource_id, *, variant_id=None):
    """The Shopify admin page of a record, or False for kinds (and ids) the admin has no page for.

    ``admin_url("my-store.myshopify.com", "order", "450789469")`` ->
    ``https://admin.shopify.com/store/my-store/orders/450789469``; a variant's page is under
    its product: ``admin_url(domain, "product", product_id, variant_id=...)``.
    """
    path = ADMIN_PATHS.get(kind)
    if not (path and domain and str(resource_id or "").isdigit()):
        return False
    store = domain.removesuffix(".myshopify.com")
    url = f"https://admin.shopify.com/store/{store}/{path}/{resource_id}"
    return f"{url}/variants/{variant_id}" if variant_id else url
