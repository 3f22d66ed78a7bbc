"""``SimulatorControl``: the HTTP client of the control API (``/_sim/...``, control.py).

It has the verbs of the in-process ``ShopifySimulator`` (seed, generate, faults,
records...), so that a test or the harness drives a simulator running in another
process as it would drive one of its own.
"""

import requests

from .bulk_control import BulkControlVerbs


class SimulatorControl(BulkControlVerbs):
    """Client of the control API, with the verbs of the in-process ``ShopifySimulator``."""

    def __init__(self, base_url, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _post(self, route, payload, timeout=None):
        response = self.session.post(
            f"{self.base_url}/_sim/{route}", json=payload, timeout=timeout or self.timeout
        )
        response.raise_for_status()
        return response.json()

    def _get(self, route, **params):
        response = self.session.get(
            f"{self.base_url}/_sim/{route}", params=params, timeout=self.timeout
        )
        response.raise_for_status()
        return response.json()

    def graphql_url(self, version=None):
        return f"{self.base_url}/admin/api/{version or self.health()['api_version']}/graphql.json"

    # -- data
    def health(self):
        return self._get("health")

    def generate(self, **kwargs):
        """A large store (``summary=True``) takes a while: no short timeout for it."""
        return self._post("generate", kwargs, timeout=max(self.timeout, 600))

    def seed(
        self,
        customers=(),
        products=(),
        orders=(),
        locations=(),
        fulfillments=(),
        refunds=(),
        inventory=(),
    ):
        return self._post(
            "seed",
            {
                "customers": list(customers),
                "products": list(products),
                "orders": list(orders),
                "locations": list(locations),
                "fulfillments": list(fulfillments),
                "refunds": list(refunds),
                "inventory": list(inventory),
            },
        )

    def seed_order(self, rest):
        return self.seed(orders=[rest])

    def seed_payout(self, **kwargs):
        """Pay out the Shopify Payments transactions not paid out yet (``dispute_order_id``,
        ``dispute_amount``, ``adjustment``, ``status``); the payout (REST shape)."""
        return self._post("payout", kwargs)

    def seed_customer(self, rest):
        return self.seed(customers=[rest])

    def seed_product(self, rest):
        return self.seed(products=[rest])

    def seed_location(self, rest):
        return self.seed(locations=[rest])

    def seed_fulfillment(self, order_id, rest):
        return self.seed(fulfillments=[dict(rest, order_id=order_id)])

    def seed_refund(self, order_id, rest):
        return self.seed(refunds=[dict(rest, order_id=order_id)])

    def cancel_order(self, order_id, reason="customer", refund=True, gateway="shopify_payments"):
        body = {"order_id": order_id, "reason": reason, "refund": refund, "gateway": gateway}
        answer = self._post("cancel", body)
        return answer["order"], answer["refund"]

    def edit_order(self, order_id, quantities=None, add=None, staff_note=""):
        """Commit an order edit; returns ``(order edit or None, user errors)``."""
        body = {
            "order_id": order_id,
            "quantities": {str(k): v for k, v in (quantities or {}).items()},
            "add": [list(pair) for pair in add or []],
            "staff_note": staff_note,
        }
        answer = self._post("edit", body)
        return answer["order_edit"], answer["user_errors"]

    def set_inventory(self, item_id, location_id, available):
        body = {"inventory_item_id": item_id, "location_id": location_id, "available": available}
        return self._post("inventory", body)["available"]

    def inventory(self, item_id, location_id):
        return self._get("inventory", inventory_item_id=item_id, location_id=location_id)[
            "available"
        ]

    def touch(self, resource, resource_id):
        return self._post("touch", {"resource": resource, "id": resource_id})

    def delete(self, resource, resource_id):
        return self._post("delete", {"resource": resource, "id": resource_id})["deleted"]

    def resource(self, resource, resource_id):
        return self._get("resource", type=resource, id=resource_id)

    def webhook_payload(self, topic, resource_id=None, **extra):
        return self._post("payload", {"topic": topic, "id": resource_id, "extra": extra})

    payload = webhook_payload

    def send_webhook(
        self, url, topic, resource_id=None, payload=None, copies=1, concurrent=False, event_id=None
    ):
        body = {
            "url": url,
            "topic": topic,
            "id": resource_id,
            "payload": payload,
            "copies": copies,
            "concurrent": concurrent,
            "event_id": event_id,
        }
        return self._post("webhook", body)

    # -- faults
    def faults(self, **kwargs):
        return self._post("faults", kwargs)

    def pending_faults(self):
        return self._get("faults")["pending"]

    def fail_next(self, n=1, status=500, operation=None):
        return self.faults(fail_next=n, status=status, operation=operation)

    def slow_next(self, n=1, seconds=2.0, operation=None):
        return self.faults(slow_next=n, seconds=seconds, operation=operation)

    def malformed_next(self, n=1, operation=None):
        return self.faults(malformed_next=n, operation=operation)

    def throttle_next(self, n=1, operation=None):
        return self.faults(throttle_next=n, operation=operation)

    def set_throttle_mode(self, mode):
        return self.faults(throttle_mode=mode)

    def revoke_token(self):
        return self.faults(revoke_token=True)

    def restore_token(self):
        return self.faults(restore_token=True)

    def reset(self, records=False):
        return self._post("reset", {"records": records})

    def reset_faults(self):
        return self.reset()

    # -- OAuth and webhook subscriptions
    def oauth(self, **kwargs):
        return self._post("oauth", kwargs)

    def advance_clock(self, seconds):
        return self.oauth(advance_clock=seconds)

    def webhook_subscriptions(self):
        return self._get("subscriptions")

    def deliver(self, topic, resource_id=None, payload=None):
        return self._post("deliver", {"topic": topic, "id": resource_id, "payload": payload})

    # -- records
    def mutations(self, name=None):
        return self._get("mutations", **({"name": name} if name else {}))

    def mutations_named(self, name, applied=None):
        params = {"name": name} | ({"applied": str(applied).lower()} if applied is not None else {})
        return self._get("mutations", **params)

    def calls(self, operation=None, since=0):
        params = {"operation": operation} if operation else {}
        return self._get("calls", **(params | ({"since": since} if since else {})))

    def set_bucket(self, maximum=None, restore_rate=None):
        return self._post("bucket", {"maximum": maximum, "restore_rate": restore_rate})

    def bucket(self):
        return self._get("bucket")
