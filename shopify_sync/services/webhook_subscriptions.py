"""Which webhook subscriptions a shop needs, and what to change in Shopify to get exactly those.

Pure: the GraphQL documents, and :func:`plan`, which compares what Shopify holds
with what is needed and says, per topic, its state and the change to make.
"""

from collections import namedtuple

from .resources import COMPLIANCE_TOPICS, INCLUDE_FIELDS
from .shopify_enums import WEBHOOK_FORMAT_JSON
from .topics import SHOPIFY_STOCK_TOPICS, TOPIC_RESOURCES

# Declared on the handlers' topics (services/resources.py):
#   COMPLIANCE_TOPICS: set in the app's configuration (Dev Dashboard), never through the API.
#   INCLUDE_FIELDS: the payload fields the webhook door reads (the resource id; a
#     fulfillment's id is also how an echo of our own write is recognised). Jobs never read
#     the body: they fetch fresh data. An empty list sends the whole body.

SUBSCRIPTION_FIELDS = "id topic uri format includeFields"
LIST_QUERY = f"""
query WebhookSubscriptions($first: Int!, $after: String) {{
  webhookSubscriptions(first: $first, after: $after) {{
    nodes {{ {SUBSCRIPTION_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
CREATE_MUTATION = f"""
mutation CreateWebhookSubscription($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {{
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {{
    webhookSubscription {{ {SUBSCRIPTION_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""
UPDATE_MUTATION = f"""
mutation UpdateWebhookSubscription($id: ID!, $subscription: WebhookSubscriptionInput!) {{
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $subscription) {{
    webhookSubscription {{ {SUBSCRIPTION_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""
DELETE_MUTATION = """
mutation DeleteWebhookSubscription($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""

# state: ok / missing / wrong / extra; action: None / create / update / delete
Change = namedtuple("Change", "topic state action subscription_id uri")


def needed_topics(stock_authority="odoo"):
    """Every topic the addon handles, but those only the app's configuration can subscribe.

    Inventory level changes only where Shopify is the stock authority: elsewhere Odoo's push owns them.
    """
    return {
        topic: INCLUDE_FIELDS.get(topic, [])
        for topic in TOPIC_RESOURCES
        if topic not in COMPLIANCE_TOPICS and (stock_authority == "shopify" or topic not in SHOPIFY_STOCK_TOPICS)
    }


def topic_enum(topic):
    """``orders/create`` -> ``ORDERS_CREATE``."""
    return topic.replace("/", "_").upper()


def topic_of(enum):
    """``ORDERS_CREATE`` -> ``orders/create``; an unknown one splits at its last underscore."""
    known = {topic_enum(topic): topic for topic in TOPIC_RESOURCES}
    if enum in known:
        return known[enum]
    resource, _sep, event = (enum or "").lower().rpartition("_")
    return f"{resource}/{event}" if resource else event


def subscription_input(uri, include_fields):
    return {"uri": uri, "format": WEBHOOK_FORMAT_JSON, "includeFields": list(include_fields)}


def plan(needed, existing, uri):
    """The changes that make ``existing`` (nodes of webhookSubscriptions) exactly ``needed`` at ``uri``.

    One subscription per needed topic, at ``uri``, in JSON, with its fields. A
    subscription at another URI or in another format is updated; duplicates and
    subscriptions of topics not needed are deleted.
    """
    by_topic = {}
    for node in existing:
        by_topic.setdefault(topic_of(node.get("topic")), []).append(node)
    changes = []
    for topic, fields in sorted(needed.items()):
        nodes = by_topic.pop(topic, [])
        exact = [n for n in nodes if _matches(n, uri, fields)]
        keep = exact[0] if exact else (nodes[0] if nodes else None)
        if keep is None:
            changes.append(Change(topic, "missing", "create", None, None))
        elif exact:
            changes.append(Change(topic, "ok", None, keep["id"], keep.get("uri")))
        else:
            changes.append(Change(topic, "wrong", "update", keep["id"], keep.get("uri")))
        changes += [Change(topic, "extra", "delete", n["id"], n.get("uri")) for n in nodes if n is not keep]
    for topic, nodes in sorted(by_topic.items()):
        changes += [Change(topic, "extra", "delete", n["id"], n.get("uri")) for n in nodes]
    return changes


def _matches(node, uri, fields):
    return (
        node.get("uri") == uri
        and (node.get("format") or WEBHOOK_FORMAT_JSON) == WEBHOOK_FORMAT_JSON
        and sorted(node.get("includeFields") or []) == sorted(fields)
    )
