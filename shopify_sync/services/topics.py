"""Which webhook topics the addon handles, and what resource each names."""

from .. import importers  # noqa: F401  (the handlers register the resource types)
from .gid import numeric_id
from .resources import RESOURCE_TYPES, SHOPIFY_STOCK_TOPICS, TOPIC_RESOURCES, TOPICS

__all__ = [
    "RESOURCE_TYPES",
    "SHOPIFY_STOCK_TOPICS",
    "TOPIC_RESOURCES",
    "PayloadError",
    "door_note",
    "payload_value",
    "payload_with",
    "resource_of",
]

# The tables are derived from the handlers' declarations (services/resources.py):
#   TOPIC_RESOURCES: topic -> (resource type, key in the payload that holds the resource id)
#   SHOPIFY_STOCK_TOPICS: topics that only a shop whose stock authority is Shopify turns into
#     jobs; the others acknowledge them at the door, with this note (an echo of our own push
#     is noted as such)
#   RESOURCE_TYPES: [(resource type, label)]


def door_note(topic, stock_authority):
    """Why the door acknowledges ``topic`` without a job for a shop of ``stock_authority``, or None."""
    if topic in SHOPIFY_STOCK_TOPICS and stock_authority != "shopify":
        return SHOPIFY_STOCK_TOPICS[topic]
    return None


# Topics Shopify has (WebhookSubscriptionTopic) that the addon does not subscribe to, on purpose.
# Answered 200 and recorded as ignored if they come anyway. The README's topic table lists them
# with these reasons; tests/test_schema_contract.py checks they exist at Shopify and are listed.
IGNORED_TOPICS = {
    "orders/partially_fulfilled": "Each shipment sends fulfillments/create, which validates the delivery.",
    "customers/delete": "The partner may have orders and invoices: it is kept. Erasure comes as customers/redact.",
    "disputes/create": "A dispute reaches the books with the payout's DISPUTE_WITHDRAWAL balance transaction, "
    "which raises an activity when the payout is booked.",
    "disputes/update": "As disputes/create: the payout's balance transactions carry the money.",
    "reverse_fulfillment_orders/dispose": "A disposition is read with its return: processing a return sends "
    "returns/process, whose job reads each reverse fulfillment order's dispositions.",
    "tender_transactions/create": "Payments come from order_transactions/create, with their gateway and kind.",
    "draft_orders/create": "A draft order is not an order: once completed, Shopify sends orders/create.",
    "draft_orders/update": "As draft_orders/create.",
    "draft_orders/delete": "As draft_orders/create: a draft deleted before completion never reached Odoo.",
}


def payload_value(payload, key):
    """``payload[key]``; a dotted key reads a nested object (``fulfillment_order.id``)."""
    value = payload
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def payload_with(key, value):
    """The smallest body that holds ``value`` at ``key`` (dotted: nested), for a self-test event."""
    *parents, last = key.split(".")
    body = {last: value}
    for part in reversed(parents):
        body = {part: body}
    return body


class PayloadError(ValueError):
    """The webhook body lacks what its topic requires."""


def resource_of(topic, payload, event_id):
    """Return ``(resource_type, resource_id)`` for a handled topic, or None.

    Privacy and shop topics have no Shopify resource id of their own: the
    event id names the unit of work, so each request is handled once.
    """
    spec = TOPICS.get(topic)
    if spec is None:
        return None
    resource_type = TOPIC_RESOURCES[topic][0]
    key = spec.id_key
    if key is None:
        if spec.customer_keyed:
            customer = payload.get("customer")
            try:
                return resource_type, numeric_id(customer.get("id") if isinstance(customer, dict) else None)
            except ValueError as exc:
                raise PayloadError(f"{topic} without a valid customer.id") from exc
        return resource_type, str(event_id)[:64]
    try:
        rid = numeric_id(payload_value(payload, key))
    except ValueError as exc:
        raise PayloadError(f"{topic} payload has no valid '{key}'") from exc
    if spec.location_key:
        try:
            return resource_type, f"{rid}-{numeric_id(payload.get(spec.location_key))}"
        except ValueError as exc:
            raise PayloadError(f"{topic} payload has no valid '{spec.location_key}'") from exc
    return resource_type, rid
