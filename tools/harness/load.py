"""Signed webhook requests written as raw bytes, and an asyncio sender that posts them as fast as Odoo answers.

Requests are built and signed before the clock starts; one asyncio loop posts
them, one connection per request (Odoo's prefork workers close the connection
after each answer anyway).
"""

import asyncio
import base64
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from collections import Counter

WEBHOOK_PATH = "/shopify_sync/webhook"
API_VERSION = "2026-01"
TRIGGERED_AT = "2026-11-25T10:00:00.000Z"


def sign(secret, body):
    """X-Shopify-Hmac-Sha256 of ``body`` (bytes)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def dumps(payload):
    return json.dumps(payload, separators=(",", ":")).encode()


# -- exact-count deliveries (raw sockets) ------------------------------------------
def raw_request(host, port, path, shop, secret, topic, body, event_id, webhook_id):
    """The bytes of one signed webhook POST, ready to send."""
    headers = {
        "Host": f"{host}:{port}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Triggered-At": TRIGGERED_AT,
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Hmac-Sha256": sign(secret, body),
    }
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


async def post_raw(host, port, data, timeout=60.0):
    """Send one pre-built request; return the HTTP status (0 when there was no answer)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        try:
            writer.write(data)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
    except (OSError, TimeoutError):
        return 0
    first = answer.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) > 1 and first[1].isdigit() else 0


class Deliverer:
    """Post pre-built requests over ``concurrency`` connections at a time, as fast as Odoo answers.

    One thread runs an asyncio loop: the client needs little CPU, and no
    sender waits for the GIL between connecting and sending its request.
    """

    def __init__(self, host, port, concurrency):
        self.host, self.port, self.concurrency = host, port, concurrency
        self.statuses = Counter()
        self.started = self.finished = None

    async def _send_all(self, requests_):
        pending = iter(requests_)

        async def sender():
            for data in pending:
                self.statuses[await post_raw(self.host, self.port, data)] += 1

        await asyncio.gather(*(sender() for _n in range(self.concurrency)))

    def send(self, requests_):
        self.started = time.monotonic()
        asyncio.run(self._send_all(list(requests_)))
        self.finished = time.monotonic()
        return self

    def send_in_background(self, requests_):
        thread = threading.Thread(target=self.send, args=(list(requests_),), name="bench-deliverer", daemon=True)
        thread.start()
        return thread

    @property
    def seconds(self):
        return (self.finished or time.monotonic()) - (self.started or time.monotonic())

    @property
    def non_2xx(self):
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)


def storm_requests(orders, copies, port, shop, secret, seed=20261125, host="127.0.0.1"):
    """A duplicate storm: each order's orders/create event ``copies`` times, shuffled, a third with a new webhook id.

    Returns (events [(event id, webhook id, body)], requests [bytes]).
    """
    events = [(str(uuid.uuid4()), str(uuid.uuid4()), dumps(o)) for o in orders]
    order = [(n, k) for n in range(len(events)) for k in range(copies)]
    random.Random(seed).shuffle(order)
    requests_ = []
    for position, (n, _k) in enumerate(order):
        event_id, webhook_id, body = events[n]
        webhook_id = str(uuid.uuid4()) if position % 3 == 0 else webhook_id
        requests_.append(
            raw_request(host, port, WEBHOOK_PATH, shop, secret, "orders/create", body, event_id, webhook_id)
        )
    return events, requests_
