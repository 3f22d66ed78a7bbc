import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shopify_simulator import SHOPIFY_RETRY_SCHEDULE, WebhookSender

SECRET = "whsec_sender"


class Receiver:
    """A tiny webhook endpoint that verifies signatures independently."""

    def __init__(self, statuses=None):
        self.requests, self.statuses = [], list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
                valid = hmac.compare_digest(expected, self.headers["X-Shopify-Hmac-Sha256"])
                receiver.requests.append({"headers": dict(self.headers), "body": body, "valid": valid})
                status = receiver.statuses.pop(0) if receiver.statuses else (200 if valid else 401)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


def test_headers_and_signature(receiver):
    sender = WebhookSender(receiver.url, "s.myshopify.com", SECRET)
    delivery = sender.send("orders/create", {"id": 1, "note": "é ✓"})
    assert delivery.status_code == 200
    request = receiver.requests[0]
    assert request["valid"]
    for header in (
        "X-Shopify-Topic",
        "X-Shopify-Hmac-Sha256",
        "X-Shopify-Shop-Domain",
        "X-Shopify-Webhook-Id",
        "X-Shopify-Event-Id",
        "X-Shopify-Triggered-At",
        "X-Shopify-API-Version",
    ):
        assert request["headers"].get(header), header
    assert json.loads(request["body"]) == {"id": 1, "note": "é ✓"}


def test_bad_hmac(receiver):
    assert (
        WebhookSender(receiver.url, "s.myshopify.com", SECRET)
        .send("orders/create", {"id": 1}, bad_hmac=True)
        .status_code
        == 401
    )
    assert not receiver.requests[0]["valid"]


def test_duplicates_same_event_id(receiver):
    sender = WebhookSender(receiver.url, "s.myshopify.com", SECRET)
    sender.send_duplicate("orders/create", {"id": 1}, copies=2)
    sender.send_duplicate("orders/create", {"id": 2}, copies=2, new_webhook_id=True)
    heads = [r["headers"] for r in receiver.requests]
    assert heads[0]["X-Shopify-Event-Id"] == heads[1]["X-Shopify-Event-Id"]
    assert heads[0]["X-Shopify-Webhook-Id"] == heads[1]["X-Shopify-Webhook-Id"]
    assert heads[2]["X-Shopify-Event-Id"] == heads[3]["X-Shopify-Event-Id"]
    assert heads[2]["X-Shopify-Webhook-Id"] != heads[3]["X-Shopify-Webhook-Id"]


def test_concurrent_copies(receiver):
    results = WebhookSender(receiver.url, "s.myshopify.com", SECRET).send_concurrent(
        "orders/create", {"id": 3}, copies=12
    )
    assert len(results) == 12 and len(receiver.requests) == 12
    assert len({r["headers"]["X-Shopify-Event-Id"] for r in receiver.requests}) == 1


def test_out_of_order_and_drop_rate(receiver):
    sender = WebhookSender(receiver.url, "s.myshopify.com", SECRET, drop_rate=0.5, seed=3)
    results = sender.send_many([("orders/create", {"id": i}) for i in range(40)], shuffle=True, concurrency=4)
    dropped = [r for r in results if r.dropped]
    assert 5 < len(dropped) < 35
    assert len(receiver.requests) == 40 - len(dropped)
    ids = [json.loads(r["body"])["id"] for r in receiver.requests]
    assert ids != sorted(ids)


def test_retries_on_shopify_schedule_time_compressed():
    receiver = Receiver(statuses=[500, 503, 200])
    try:
        attempts = WebhookSender(receiver.url, "s.myshopify.com", SECRET).deliver_with_retries(
            "orders/create", {"id": 9}, time_scale=0.0001
        )
    finally:
        receiver.close()
    assert [a.status_code for a in attempts] == [500, 503, 200]
    assert len({r["headers"]["X-Shopify-Event-Id"] for r in receiver.requests}) == 1
    assert len(SHOPIFY_RETRY_SCHEDULE) == 8
    assert 3.5 * 3600 < sum(SHOPIFY_RETRY_SCHEDULE) < 4.5 * 3600
