"""A webhook sender that signs and delivers like Shopify: headers, HMAC, duplicates, retries."""

import base64
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

# Shopify retries a failed delivery (a non-2xx answer, or none: 1 s to connect,
# 5 s in all) 8 times over about 4 hours with exponential backoff, resending the
# original body and headers (same X-Shopify-Webhook-Id, Event-Id, Triggered-At).
# Shopify does not publish the exact waits; these double from 1 minute
# (60 s ... 7680 s, 4 h 15 min in all). They are the waits before retries 1 to 8.
SHOPIFY_RETRY_SCHEDULE = (60, 120, 240, 480, 960, 1920, 3840, 7680)
SHOPIFY_TIMEOUT = (1.0, 5.0)  # (connect, read) seconds


def sign(body, secret):
    """Base64 of HMAC-SHA256 over the raw body bytes, as in X-Shopify-Hmac-Sha256."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return base64.b64encode(
        hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    ).decode()


def serialize(payload):
    """The exact bytes sent: compact JSON, UTF-8 (not \\u-escaped), as Shopify sends."""
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Delivery:
    """One delivery attempt; quacks like a ``requests.Response`` where it matters."""

    def __init__(
        self,
        topic,
        event_id,
        webhook_id,
        attempt=1,
        dropped=False,
        response=None,
        error=None,
        seconds=0.0,
        headers_sent=None,
        body=b"",
    ):
        self.topic, self.event_id, self.webhook_id, self.attempt = (
            topic,
            event_id,
            webhook_id,
            attempt,
        )
        self.dropped, self.response, self.error = dropped, response, error
        self.seconds, self.headers_sent, self.body = seconds, headers_sent or {}, body
        self.status_code = response.status_code if response is not None else None

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def elapsed(self):
        return timedelta(seconds=self.seconds)

    @property
    def text(self):
        return self.response.text if self.response is not None else ""

    @property
    def headers(self):
        return self.response.headers if self.response is not None else {}

    def json(self):
        return self.response.json()

    def as_dict(self):
        return {
            "topic": self.topic,
            "event_id": self.event_id,
            "webhook_id": self.webhook_id,
            "status": self.status_code,
            "attempt": self.attempt,
            "dropped": self.dropped,
            "error": self.error,
            "seconds": round(self.seconds, 4),
        }

    def __repr__(self):
        outcome = "dropped" if self.dropped else self.status_code or self.error
        return (
            f"<Delivery {self.topic} event {self.event_id[:8]} attempt {self.attempt}: {outcome}>"
        )


class WebhookSender:
    """Deliver signed webhooks to ``url`` for ``shop_domain``.

    ``drop_rate`` (0.0-1.0) drops that share of deliveries, decided by an RNG
    seeded with ``seed``: a dropped delivery is logged, never sent. ``log``
    holds every attempt, in the order they finished.
    """

    def __init__(
        self,
        url,
        shop_domain,
        client_secret,
        api_version="2026-01",
        drop_rate=0.0,
        seed=None,
        timeout=10,
    ):
        self.url, self.shop_domain, self.client_secret = url, shop_domain, client_secret
        self.api_version, self.drop_rate, self.timeout = api_version, float(drop_rate), timeout
        self.random = random.Random(seed)
        self.log = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def _session(self):
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def headers(
        self, topic, body, event_id, webhook_id, triggered_at=None, hmac_secret=None, bad_hmac=False
    ):
        secret = hmac_secret or self.client_secret
        signature = sign(body, secret)
        if bad_hmac:
            signature = sign(body, secret + "-wrong")
        return {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "Accept": "*/*",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": triggered_at or now_iso(),
            "X-Shopify-API-Version": self.api_version,
        }

    def _draw_drop(self):
        with self._lock:
            return self.drop_rate > 0 and self.random.random() < self.drop_rate

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
        timeout=None,
        attempt=1,
        drop=None,
    ):
        """POST one delivery (payload: dict, or the exact bytes to send); return a Delivery."""
        body = serialize(payload)
        event_id, webhook_id = event_id or str(uuid.uuid4()), webhook_id or str(uuid.uuid4())
        if self._draw_drop() if drop is None else drop:
            return self._log(
                Delivery(topic, event_id, webhook_id, attempt, dropped=True, body=body)
            )
        headers = self.headers(
            topic, body, event_id, webhook_id, triggered_at, hmac_secret, bad_hmac
        )
        headers.update(extra_headers or {})
        started = time.monotonic()
        try:
            response = self._session().post(
                self.url,
                data=body,
                headers=headers,
                timeout=timeout or self.timeout,
                allow_redirects=False,
            )
            delivery = Delivery(
                topic,
                event_id,
                webhook_id,
                attempt,
                response=response,
                seconds=time.monotonic() - started,
                headers_sent=headers,
                body=body,
            )
        except requests.RequestException as exc:
            delivery = Delivery(
                topic,
                event_id,
                webhook_id,
                attempt,
                error=f"{type(exc).__name__}: {exc}",
                seconds=time.monotonic() - started,
                headers_sent=headers,
                body=body,
            )
        return self._log(delivery)

    def _log(self, delivery):
        with self._lock:
            self.log.append(delivery)
        return delivery

    def log_entries(self):
        with self._lock:
            return [d.as_dict() for d in self.log]

    def send_duplicate(
        self, topic, payload, copies=2, new_webhook_id=False, event_id=None, **kwargs
    ):
        """The same event delivered ``copies`` times in a row.

        Same X-Shopify-Event-Id; same X-Shopify-Webhook-Id unless ``new_webhook_id``."""
        event_id, webhook_id = event_id or str(uuid.uuid4()), str(uuid.uuid4())
        triggered_at = kwargs.pop("triggered_at", None) or now_iso()
        return [
            self.send(
                topic,
                payload,
                event_id=event_id,
                webhook_id=None if new_webhook_id else webhook_id,
                triggered_at=triggered_at,
                **kwargs,
            )
            for _copy in range(copies)
        ]

    def send_concurrent(
        self, topic, payload, copies=20, event_id=None, new_webhook_id=False, **kwargs
    ):
        """``copies`` threads, released at once by a barrier, deliver the same event."""
        event_id, webhook_id = event_id or str(uuid.uuid4()), str(uuid.uuid4())
        triggered_at = kwargs.pop("triggered_at", None) or now_iso()
        barrier = threading.Barrier(copies)
        drops = [self._draw_drop() for _copy in range(copies)]  # decided in order, not by threads

        def one(index):
            barrier.wait(timeout=30)
            return self.send(
                topic,
                payload,
                event_id=event_id,
                webhook_id=None if new_webhook_id else webhook_id,
                triggered_at=triggered_at,
                drop=drops[index],
                **kwargs,
            )

        with ThreadPoolExecutor(max_workers=copies) as pool:
            return list(pool.map(one, range(copies)))

    def send_many(self, deliveries, shuffle=True, concurrency=8):
        """Deliver ``[(topic, payload)]`` or ``[(topic, payload, send_kwargs)]``.

        ``shuffle`` puts them out of order with the sender's seeded RNG."""
        items = list(deliveries)
        if shuffle:
            with self._lock:
                self.random.shuffle(items)
        drops = [self._draw_drop() for _item in items]  # decided in order, not by threads

        def one(index):
            topic, payload, *rest = items[index]
            return self.send(topic, payload, drop=drops[index], **(rest[0] if rest else {}))

        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            return list(pool.map(one, range(len(items))))

    def deliver_with_retries(
        self,
        topic,
        payload,
        schedule=SHOPIFY_RETRY_SCHEDULE,
        time_scale=1.0,
        sleep=time.sleep,
        **kwargs,
    ):
        """First attempt, then a retry after each wait of ``schedule`` (times ``time_scale``).

        Stops at the first 2xx answer; a timeout or a connection error is a failure.
        Returns the attempts."""
        kwargs.setdefault("event_id", str(uuid.uuid4()))
        kwargs.setdefault("webhook_id", str(uuid.uuid4()))
        kwargs.setdefault("triggered_at", now_iso())
        kwargs.setdefault("timeout", SHOPIFY_TIMEOUT)
        attempts = []
        for attempt, wait in enumerate((0, *schedule), start=1):
            if wait:
                sleep(wait * time_scale)
            delivery = self.send(topic, payload, attempt=attempt, **kwargs)
            attempts.append(delivery)
            if delivery.ok or delivery.dropped:
                break
        return attempts


def now_iso():
    """ISO-8601 UTC with a Z, as X-Shopify-Triggered-At."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
