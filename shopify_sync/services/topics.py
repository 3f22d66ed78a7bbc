"""Which webhook topics the addon handles, and what resource each names."""

from .gid import numeric_id

# topic -> (resource type, key in the payload that holds the resource id)
TOPIC_RESOURCES = {
    "orders/create": ("order", "id"),
    "orders/updated": ("order", "id"),
    "orders/paid": ("order", "id"),
    "orders/cancelled": ("order", "id"),
    "orders/fulfilled": ("order", "id"),
    "fulfillments/create": ("fulfillment", "id"),
    "fulfillments/update": ("fulfillment", "id"),
    "refunds/create": ("refund", "id"),
    "order_transactions/create": ("order_payments", "order_id"),
    "customers/create": ("customer", "id"),
    "customers/update": ("customer", "id"),
    "products/create": ("product", "id"),
    "products/update": ("product", "id"),
    "inventory_levels/update": ("inventory_level", "inventory_item_id"),
    "app/uninstalled": ("shop", None),
    "customers/data_request": ("privacy_request", None),
    "customers/redact": ("customer_redact", None),
    "shop/redact": ("shop_redact", None),
}

# Topics that only a shop whose stock authority is Shopify turns into jobs; the others
# acknowledge them at the door, with this note (an echo of our own push is noted as such).
SHOPIFY_STOCK_TOPICS = {
    "inventory_levels/update": "Stock is managed in Odoo: a Shopify-side change is overwritten by the next push.",
}


def door_note(topic, stock_authority):
    """Why the door acknowledges ``topic`` without a job for a shop of ``stock_authority``, or None."""
    if topic in SHOPIFY_STOCK_TOPICS and stock_authority != "shopify":
        return SHOPIFY_STOCK_TOPICS[topic]
    return None


# Topics Shopify has (WebhookSubscriptionTopic) that the addon does not subscribe to, on purpose.
# Answered 200 and recorded as ignored if they come anyway. The README's topic table lists them
# with these reasons; tests/test_schema_contract.py checks they exist at Shopify and are listed.
IGNORED_TOPICS = {
    "orders/delete": "A sale order that reached Odoo may be delivered or invoiced: it is never deleted "
    "from Shopify. Cancel it in Odoo if need be.",
    "orders/edited": "An edit also sends orders/updated, which re-reads the whole order.",
    "orders/partially_fulfilled": "Each shipment sends fulfillments/create, which validates the delivery.",
    "orders/risk_assessment_changed": "Fraud risk is judged in Shopify before fulfilment; Odoo holds no risk data.",
    "customers/delete": "The partner may have orders and invoices: it is kept. Erasure comes as customers/redact.",
    "customers/merge": "Both partners are kept (they may have orders); the kept customer's next customers/update "
    "updates its partner. Merge the partners in Odoo by hand if wanted.",
    "products/delete": "The product may be on orders and stock moves: it is kept. Archive it in Odoo if wanted.",
    "disputes/create": "A dispute reaches the books with the payout's DISPUTE_WITHDRAWAL balance transaction, "
    "which raises an activity when the payout is booked.",
    "disputes/update": "As disputes/create: the payout's balance transactions carry the money.",
    "returns/request": "Returns change no money or stock until refunded: refunds/create makes the credit note.",
    "returns/approve": "As returns/request.",
    "returns/decline": "As returns/request.",
    "returns/process": "As returns/request.",
    "returns/close": "As returns/request.",
    "returns/reopen": "As returns/request.",
    "returns/cancel": "As returns/request.",
    "returns/update": "As returns/request.",
    "tender_transactions/create": "Payments come from order_transactions/create, with their gateway and kind.",
}

RESOURCE_TYPES = [
    ("order", "Order"),
    ("customer", "Customer"),
    ("product", "Product"),
    ("fulfillment", "Fulfillment"),
    ("refund", "Refund"),
    ("order_payments", "Invoice and payments"),
    ("order_links", "Order links to Shopify"),
    ("payout_list", "Payout list"),
    ("payout", "Payout"),
    ("inventory_level", "Inventory level"),
    ("inventory_push", "Inventory push"),
    ("stock_compare", "Stock comparison"),
    ("picking_push", "Delivery to Shopify"),
    ("shop", "Shop"),
    ("privacy_request", "Customer data request"),
    ("customer_redact", "Customer redaction"),
    ("shop_redact", "Shop redaction"),
]


class PayloadError(ValueError):
    """The webhook body lacks what its topic requires."""


def resource_of(topic, payload, event_id):
    """Return ``(resource_type, resource_id)`` for a handled topic, or None.

    Privacy and shop topics have no Shopify resource id of their own: the
    event id names the unit of work, so each request is handled once.
    """
    route = TOPIC_RESOURCES.get(topic)
    if route is None:
        return None
    resource_type, key = route
    if key is None:
        if topic in ("customers/redact", "customers/data_request"):
            customer = payload.get("customer")
            try:
                return resource_type, numeric_id(customer.get("id") if isinstance(customer, dict) else None)
            except ValueError as exc:
                raise PayloadError(f"{topic} without a valid customer.id") from exc
        return resource_type, str(event_id)[:64]
    try:
        rid = numeric_id(payload.get(key))
    except ValueError as exc:
        raise PayloadError(f"{topic} payload has no valid '{key}'") from exc
    if resource_type == "inventory_level":
        try:
            return resource_type, f"{rid}-{numeric_id(payload.get('location_id'))}"
        except ValueError as exc:
            raise PayloadError("inventory_levels/update payload has no valid 'location_id'") from exc
    return resource_type, rid
