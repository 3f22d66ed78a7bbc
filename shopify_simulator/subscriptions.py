"""Webhook subscriptions made through the API, and their deliveries.

``webhookSubscriptions`` lists them; ``webhookSubscriptionCreate``, ``webhookSubscriptionUpdate``
and ``webhookSubscriptionDelete`` change them, answering ``userErrors`` as Shopify does (one
subscription per topic and URI). :meth:`Subscriptions.deliver` sends an event to every
subscription of its topic, signed, with the subscription's ``includeFields``; Shopify deletes a
subscription after ``MAX_CONSECUTIVE_FAILURES`` failed deliveries in a row.
"""

import itertools
import json
import threading
from datetime import UTC, datetime

import requests

from .formatting import gid, graphql_time, parse_gid
from .pagination import check_page_size, connection
from .webhooks import sign

MAX_CONSECUTIVE_FAILURES = 8
FORMATS = ("JSON", "XML")


def topic_enum(topic):
    """``orders/create`` -> ``ORDERS_CREATE``."""
    return topic.replace("/", "_").upper()


TOPICS = (
    "app/uninstalled",
    "customers/create",
    "customers/update",
    "customers/delete",
    "customers/merge",
    "fulfillments/create",
    "fulfillments/update",
    "inventory_levels/update",
    "orders/cancelled",
    "orders/create",
    "orders/fulfilled",
    "orders/paid",
    "orders/updated",
    "orders/edited",
    "orders/delete",
    "products/create",
    "products/update",
    "products/delete",
    "refunds/create",
    "order_transactions/create",
    "orders/risk_assessment_changed",
    "fulfillment_holds/added",
    "fulfillment_holds/released",
    "companies/create",
    "companies/update",
    "companies/delete",
    "company_locations/create",
    "company_locations/update",
    "company_locations/delete",
    "company_contacts/create",
    "company_contacts/update",
    "company_contacts/delete",
    "returns/approve",
    "returns/cancel",
    "returns/close",
    "returns/decline",
    "returns/process",
    "returns/reopen",
    "returns/request",
    "returns/update",
)
_BY_ENUM = {topic_enum(topic): topic for topic in TOPICS}


def topic_name(enum):
    """``ORDERS_CREATE`` -> ``orders/create``."""
    return _BY_ENUM[enum]


class Subscriptions:
    def __init__(self, api_version):
        self.api_version = api_version
        self.records = {}  # numeric id -> dict
        self.deleted = []  # (id, topic, reason)
        self._ids = itertools.count(1100000001)
        self._lock = threading.Lock()

    # -- GraphQL -------------------------------------------------------------------------
    def resolvers(self):
        return {
            "webhookSubscriptions": self._list,
            "webhookSubscription": self._one,
            "webhookSubscriptionCreate": self._create,
            "webhookSubscriptionUpdate": self._update,
            "webhookSubscriptionDelete": self._delete,
        }

    def node(self, record):
        return {
            "id": gid("WebhookSubscription", record["id"]),
            "legacyResourceId": str(record["id"]),
            "topic": topic_enum(record["topic"]),
            "uri": record["uri"],
            "callbackUrl": record["uri"],
            "format": record["format"],
            "includeFields": list(record["include_fields"]),
            "filter": record["filter"],
            "apiVersion": {"handle": self.api_version},
            "createdAt": graphql_time(record["created_at"]),
            "updatedAt": graphql_time(record["updated_at"]),
        }

    def _list(
        self,
        _info,
        first=None,
        after=None,
        last=None,
        before=None,
        reverse=False,
        topics=None,
        format=None,
        uri=None,
    ):  # noqa: A002 - Shopify's argument name
        check_page_size(first, last)
        with self._lock:
            records = sorted(self.records.values(), key=lambda r: r["id"])
        wanted = {topic_name(t) for t in topics or ()}
        entries = [
            (r["id"], r["id"], self.node(r))
            for r in records
            if (not wanted or r["topic"] in wanted)
            and (format is None or r["format"] == format)
            and (uri is None or r["uri"] == uri)
        ]
        return connection(entries, first, after, last, before, reverse)

    def _one(self, _info, id):  # noqa: A002 - GraphQL argument
        kind, numeric = parse_gid(id)
        record = self.records.get(numeric) if kind == "WebhookSubscription" else None
        return self.node(record) if record else None

    def _create(self, _info, topic, webhookSubscription):  # noqa: N803 - GraphQL argument
        name = topic_name(topic)
        values, errors = self._values(webhookSubscription, required_uri=True)
        with self._lock:
            if not errors and any(
                r["topic"] == name and r["uri"] == values["uri"] for r in self.records.values()
            ):
                errors.append(
                    {
                        "field": ["webhookSubscription", "callbackUrl"],
                        "message": "Address for this topic has already been taken",
                    }
                )
            if errors:
                return {"webhookSubscription": None, "userErrors": errors}
            now = _now()
            record = dict(
                values, id=next(self._ids), topic=name, created_at=now, updated_at=now, failures=0
            )
            self.records[record["id"]] = record
            return {"webhookSubscription": self.node(record), "userErrors": []}

    def _update(self, _info, id, webhookSubscription):  # noqa: A002,N803 - GraphQL arguments
        kind, numeric = parse_gid(id)
        values, errors = self._values(webhookSubscription, required_uri=False)
        with self._lock:
            record = self.records.get(numeric) if kind == "WebhookSubscription" else None
            if record is None:
                errors = [{"field": ["id"], "message": "Webhook subscription does not exist"}]
            if errors:
                return {"webhookSubscription": None, "userErrors": errors}
            for key, value in values.items():
                if key in webhookSubscription or (
                    key == "uri" and "callbackUrl" in webhookSubscription
                ):
                    record[key] = value
            record["updated_at"] = _now()
            return {"webhookSubscription": self.node(record), "userErrors": []}

    def _delete(self, _info, id):  # noqa: A002 - GraphQL argument
        kind, numeric = parse_gid(id)
        with self._lock:
            if kind != "WebhookSubscription" or self.records.pop(numeric, None) is None:
                return {
                    "deletedWebhookSubscriptionId": None,
                    "userErrors": [
                        {"field": ["id"], "message": "Webhook subscription does not exist"}
                    ],
                }
            self.deleted.append((numeric, None, "deleted by the app"))
        return {"deletedWebhookSubscriptionId": id, "userErrors": []}

    @staticmethod
    def _values(data, required_uri):
        uri = data.get("uri") or data.get("callbackUrl")
        values = {
            "uri": uri,
            "format": data.get("format") or "JSON",
            "include_fields": list(data.get("includeFields") or []),
            "filter": data.get("filter"),
        }
        errors = []
        if required_uri and not uri:
            errors.append(
                {"field": ["webhookSubscription", "uri"], "message": "Address can't be blank"}
            )
        elif uri and not uri.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            errors.append(
                {
                    "field": ["webhookSubscription", "uri"],
                    "message": "Address protocol is not supported",
                }
            )
        if not required_uri and not uri:
            values.pop("uri")
        return values, errors

    # -- deliveries ------------------------------------------------------------------------
    def for_topic(self, topic):
        with self._lock:
            return [dict(r) for r in self.records.values() if r["topic"] == topic]

    def deliver(self, topic, payload, shop_domain, secret, timeout=10):
        """POST ``payload`` to each subscription of ``topic``; return [(subscription id, status)].

        A status of None means the endpoint could not be reached. After
        MAX_CONSECUTIVE_FAILURES failures in a row the subscription is deleted.
        """
        results = []
        for record in self.for_topic(topic):
            fields = record["include_fields"]
            body_dict = {k: v for k, v in payload.items() if k in fields} if fields else payload
            body = json.dumps(body_dict).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Shopify-Topic": topic,
                "X-Shopify-Shop-Domain": shop_domain,
                "X-Shopify-Hmac-Sha256": sign(body, secret),
                "X-Shopify-Webhook-Id": f"sub-{record['id']}-{next(self._ids)}",
                "X-Shopify-Event-Id": f"evt-{next(self._ids)}",
                "X-Shopify-API-Version": self.api_version,
                "X-Shopify-Triggered-At": graphql_time(_now()),
            }
            try:
                status = requests.post(
                    record["uri"], data=body, headers=headers, timeout=timeout
                ).status_code
            except requests.RequestException:
                status = None
            self._count(record["id"], ok=status is not None and 200 <= status < 300)
            results.append((record["id"], status))
        return results

    def _count(self, subscription_id, ok):
        with self._lock:
            record = self.records.get(subscription_id)
            if record is None:
                return
            record["failures"] = 0 if ok else record["failures"] + 1
            if record["failures"] >= MAX_CONSECUTIVE_FAILURES:
                del self.records[subscription_id]
                self.deleted.append((subscription_id, record["topic"], "failed deliveries"))


def _now():
    return datetime.now(UTC).isoformat()
