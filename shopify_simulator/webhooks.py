"""Webhook bodies in Shopify's REST shape, and a sender that signs and delivers them like Shopify."""

import base64
import copy
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests

# Shopify retries a failed delivery (non-2xx, or no answer within 5 s) 8 times
# over about 4 hours with exponential backoff; these are the waits in seconds.
SHOPIFY_RETRY_SCHEDULE = (60, 120, 240, 480, 960, 1920, 3840, 7680)
SHOPIFY_TIMEOUT = 5


def sign(body, secret):
    """Base64 HMAC-SHA256 of the raw body bytes, as in X-Shopify-Hmac-Sha256."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_payload(store, topic, resource_id=None, **extra):
    """The body Shopify would send for ``topic`` about a stored resource."""
    with store.lock:
        if topic.startswith("orders/"):
            return copy.deepcopy(store.orders[int(resource_id)])
        if topic.startswith("customers/") and topic not in ("customers/redact", "customers/data_request"):
            return copy.deepcopy(store.customers[int(resource_id)])
        if topic.startswith("products/"):
            return copy.deepcopy(store.products[int(resource_id)])
        if topic.startswith("fulfillments/"):
            return copy.deepcopy(store.fulfillments[int(resource_id)])
        if topic == "refunds/create":
            return copy.deepcopy(store.refunds[int(resource_id)])
        if topic == "inventory_levels/update":
            item, location = extra["inventory_item_id"], extra["location_id"]
            return {
                "inventory_item_id": int(item),
                "location_id": int(location),
                "available": store.inventory.get((int(item), int(location))),
                "updated_at": store.tick(),
            }
        if topic == "app/uninstalled":
            return {
                "id": 1,
                "name": store.shop_domain.split(".")[0],
                "domain": store.shop_domain,
                "myshopify_domain": store.shop_domain,
            }
        if topic in ("customers/redact", "customers/data_request"):
            customer = store.customers.get(int(resource_id)) or {"id": int(resource_id)}
            body = {
                "shop_id": 1,
                "shop_domain": store.shop_domain,
                "customer": {"id": customer["id"], "email": customer.get("email"), "phone": customer.get("phone")},
            }
            body["orders_to_redact" if topic == "customers/redact" else "orders_requested"] = extra.get("orders", [])
            return body
        if topic == "shop/redact":
            return {"shop_id": 1, "shop_domain": store.shop_domain}
    raise ValueError(f"no payload builder for {topic}")


class Delivery:
    """What one delivery attempt gave."""

    def __init__(self, topic, event_id, webhook_id, status_code, attempt=1, dropped=False, elapsed=0.0, error=None):
        self.topic, self.event_id, self.webhook_id = topic, event_id, webhook_id
        self.status_code, self.attempt, self.dropped = status_code, attempt, dropped
        self.elapsed, self.error = elapsed, error

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300

    def __repr__(self):
        return f"<Delivery {self.topic} {self.event_id[:8]} -> {self.status_code} (attempt {self.attempt})>"


class WebhookSender:
    def __init__(self, url, shop_domain, client_secret, api_version="2026-01", drop_rate=0.0, seed=None):
        self.url, self.shop_domain, self.client_secret, self.api_version = url, shop_domain, client_secret, api_version
        self.drop_rate = drop_rate
        self.random = random.Random(seed)
        self.log = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def _session(self):
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def headers(self, topic, body, event_id, webhook_id, triggered_at=None, secret=None, bad_hmac=False):
        signature = sign(body, secret or self.client_secret)
        if bad_hmac:
            signature = sign(body + b" ", secret or self.client_secret)
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Triggered-At": triggered_at or datetime.now(UTC).isoformat(timespec="milliseconds"),
        }

    def send(
        self,
        topic,
        payload,
        event_id=None,
        webhook_id=None,
        triggered_at=None,
        hmac_secret=None,
        bad_hmac=False,
        extra_headers=None,
        timeout=10,
        attempt=1,
    ):
        body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
        event_id = event_id or str(uuid.uuid4())
        webhook_id = webhook_id or str(uuid.uuid4())
        with self._lock:
            dropped = self.drop_rate and self.random.random() < self.drop_rate
        if dropped:
            delivery = Delivery(topic, event_id, webhook_id, None, attempt, dropped=True)
            self._log(delivery)
            return delivery
        headers = self.headers(topic, body, event_id, webhook_id, triggered_at, hmac_secret, bad_hmac)
        headers.update(extra_headers or {})
        started = time.monotonic()
        try:
            response = self._session().post(self.url, data=body, headers=headers, timeout=timeout)
            delivery = Delivery(
                topic, event_id, webhook_id, response.status_code, attempt, elapsed=time.monotonic() - started
            )
        except requests.RequestException as exc:
            delivery = Delivery(
                topic, event_id, webhook_id, None, attempt, elapsed=time.monotonic() - started, error=str(exc)
            )
        self._log(delivery)
        return delivery

    def _log(self, delivery):
        with self._lock:
            self.log.append(delivery)

    def send_duplicate(self, topic, payload, copies=2, new_webhook_id=False, event_id=None):
        event_id = event_id or str(uuid.uuid4())
        webhook_id = str(uuid.uuid4())
        return [
            self.send(topic, payload, event_id=event_id, webhook_id=None if new_webhook_id else webhook_id)
            for _copy in range(copies)
        ]

    def send_concurrent(self, topic, payload, copies=20, event_id=None, new_webhook_id=False):
        """``copies`` threads released at once by a barrier, same event id."""
        event_id = event_id or str(uuid.uuid4())
        webhook_id = str(uuid.uuid4())
        barrier = threading.Barrier(copies)

        def one(_n):
            barrier.wait()
            return self.send(topic, payload, event_id=event_id, webhook_id=None if new_webhook_id else webhook_id)

        with ThreadPoolExecutor(max_workers=copies) as pool:
            return list(pool.map(one, range(copies)))

    def send_many(self, deliveries, shuffle=True, concurrency=8):
        """Deliver ``[(topic, payload)]`` or ``[(topic, payload, kwargs)]``, optionally out of order."""
        items = list(deliveries)
        if shuffle:
            with self._lock:
                self.random.shuffle(items)

        def one(item):
            topic, payload, *rest = item
            return self.send(topic, payload, **(rest[0] if rest else {}))

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, items))

    def deliver_with_retries(self, topic, payload, schedule=SHOPIFY_RETRY_SCHEDULE, time_scale=1.0, **kwargs):
        """Retry non-2xx answers (and no answer within 5 s) on Shopify's schedule, time compressed by ``time_scale``."""
        kwargs.setdefault("event_id", str(uuid.uuid4()))
        kwargs.setdefault("timeout", SHOPIFY_TIMEOUT)
        attempts = []
        for attempt, wait in enumerate((0, *schedule), start=1):
            if wait:
                time.sleep(wait * time_scale)
            delivery = self.send(topic, payload, attempt=attempt, **kwargs)
            attempts.append(delivery)
            if delivery.ok or delivery.dropped:
                break
        return attempts
