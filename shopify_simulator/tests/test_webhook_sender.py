"""The webhook sender, checked against a tiny local receiver that verifies HMACs on its own."""

import json
import re
from datetime import datetime

import pytest

from shopify_simulator import SHOPIFY_RETRY_SCHEDULE, WebhookSender, sign

from .helpers import SECRET, Receiver, expected_signature, sample

SHOP = "sim-test.myshopify.com"
HEADERS = {
    "Content-Type",
    "X-Shopify-Topic",
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Shop-Domain",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Event-Id",
    "X-Shopify-Triggered-At",
    "X-Shopify-API-Version",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def sender_for(receiver, **kwargs):
    return WebhookSender(receiver.url, SHOP, SECRET, **kwargs)


def test_sign_matches_an_independent_hmac():
    body = b'{"id":1,"note":"caf\xc3\xa9"}'
    assert sign(body, SECRET) == expected_signature(body)
    assert sign(body.decode(), SECRET) == expected_signature(body)
    assert sign(body, "other") != expected_signature(body)


def test_headers_and_body_as_shopify_sends_them(receiver):
    payload = sample("orders_create")
    payload["note"] = "Gift for Zoë ✓"
    delivery = sender_for(receiver).send("orders/create", payload)
    assert delivery.ok and delivery.status_code == 200 and delivery.elapsed.total_seconds() > 0
    request = receiver.requests[0]
    assert request["valid"], "signed over the exact bytes sent"
    assert HEADERS <= set(request["headers"])
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == SHOP
    assert headers["X-Shopify-API-Version"] == "2026-01"
    assert UUID.match(headers["X-Shopify-Webhook-Id"]) and UUID.match(headers["X-Shopify-Event-Id"])
    assert headers["X-Shopify-Triggered-At"].endswith("Z")
    datetime.fromisoformat(headers["X-Shopify-Triggered-At"].replace("Z", "+00:00"))
    compact = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert request["body"] == compact, "compact JSON, raw UTF-8"
    assert "Zoë ✓".encode() in request["body"]


def test_bytes_are_sent_verbatim_and_bad_hmac_is_detected(receiver):
    sender = sender_for(receiver)
    raw = b'{ "id" : 1 }'
    assert sender.send("orders/create", raw).status_code == 200
    assert receiver.requests[0]["body"] == raw
    assert sender.send("orders/create", raw, bad_hmac=True).status_code == 401
    assert sender.send("orders/create", raw, hmac_secret="another-secret").status_code == 401
    assert [r["valid"] for r in receiver.requests] == [True, False, False]
    extra = sender.send("orders/create", raw, extra_headers={"X-Shopify-Topic": "orders/updated"})
    assert extra.ok and receiver.header(3, "X-Shopify-Topic") == "orders/updated"


def test_duplicate_deliveries_share_the_event_id(receiver):
    sender = sender_for(receiver)
    sender.send_duplicate("orders/create", {"id": 1}, copies=3)
    sender.send_duplicate(
        "orders/create", {"id": 2}, copies=2, new_webhook_id=True, event_id="evt-2"
    )
    events = [receiver.header(i, "X-Shopify-Event-Id") for i in range(5)]
    hooks = [receiver.header(i, "X-Shopify-Webhook-Id") for i in range(5)]
    assert len(set(events[:3])) == 1 and len(set(hooks[:3])) == 1
    assert events[3:] == ["evt-2", "evt-2"] and hooks[3] != hooks[4]
    assert len({receiver.header(i, "X-Shopify-Triggered-At") for i in range(3)}) == 1


def test_concurrent_copies_arrive_together(receiver):
    deliveries = sender_for(receiver).send_concurrent(
        "orders/create", {"id": 3}, copies=12, event_id="evt-3"
    )
    assert len(deliveries) == 12 and all(d.ok for d in deliveries)
    assert len(receiver.requests) == 12
    assert {r["headers"]["X-Shopify-Event-Id"] for r in receiver.requests} == {"evt-3"}
    arrivals = [r["at"] for r in receiver.requests]
    assert max(arrivals) - min(arrivals) < 1.0, "released at once by a barrier"


def test_send_many_out_of_order_with_a_seeded_drop_rate(receiver):
    items = [("orders/create", {"id": i}) for i in range(40)]
    deliveries = sender_for(receiver, drop_rate=0.25, seed=11).send_many(
        items, shuffle=True, concurrency=4
    )
    dropped = [d for d in deliveries if d.dropped]
    assert 3 <= len(dropped) <= 20
    assert all(d.status_code is None and not d.ok for d in dropped)
    assert len(receiver.requests) == 40 - len(dropped), "a dropped delivery is never sent"
    sent_order = [json.loads(d.body)["id"] for d in deliveries]
    assert sorted(sent_order) == list(range(40)) and sent_order != list(range(40))
    again = sender_for(receiver, drop_rate=0.25, seed=11).send_many(
        items, shuffle=True, concurrency=4
    )
    assert [json.loads(d.body)["id"] for d in again if d.dropped] == [
        json.loads(d.body)["id"] for d in dropped
    ]


def test_retries_follow_the_schedule_with_the_same_headers():
    receiver = Receiver(statuses=[500, 503, 404, 200])
    waits = []
    try:
        sender = WebhookSender(receiver.url, SHOP, SECRET)
        attempts = sender.deliver_with_retries(
            "orders/create", {"id": 9}, time_scale=0.001, sleep=waits.append
        )
    finally:
        receiver.close()
    assert [a.status_code for a in attempts] == [500, 503, 404, 200]
    assert [a.attempt for a in attempts] == [1, 2, 3, 4]
    assert waits == pytest.approx([w * 0.001 for w in SHOPIFY_RETRY_SCHEDULE[:3]])
    for header in (
        "X-Shopify-Event-Id",
        "X-Shopify-Webhook-Id",
        "X-Shopify-Triggered-At",
        "X-Shopify-Hmac-Sha256",
    ):
        assert len({receiver.header(i, header) for i in range(4)}) == 1, header
    assert [entry["attempt"] for entry in sender.log_entries()] == [1, 2, 3, 4]


def test_retries_give_up_after_eight_and_count_timeouts():
    receiver = Receiver(statuses=[200] + [500] * 20, delays=[0.6])
    try:
        sender = WebhookSender(receiver.url, SHOP, SECRET)
        attempts = sender.deliver_with_retries(
            "orders/create", {"id": 10}, time_scale=0.00001, timeout=(1.0, 0.3)
        )
    finally:
        receiver.close()
    assert len(attempts) == 1 + 8
    assert (
        attempts[0].status_code is None and "Timeout" in attempts[0].error
    ), "no answer within the timeout"
    assert [a.status_code for a in attempts[1:]] == [500] * 8


def test_connection_errors_are_failed_attempts():
    receiver = Receiver()
    url = receiver.url
    receiver.close()
    attempts = WebhookSender(url, SHOP, SECRET).deliver_with_retries(
        "orders/create", {"id": 11}, schedule=(1, 2), time_scale=0.0001
    )
    assert len(attempts) == 3 and all(a.error and a.status_code is None for a in attempts)


def test_the_retry_schedule_constant():
    assert len(SHOPIFY_RETRY_SCHEDULE) == 8
    assert list(SHOPIFY_RETRY_SCHEDULE) == sorted(SHOPIFY_RETRY_SCHEDULE)
    assert 3.5 * 3600 <= sum(SHOPIFY_RETRY_SCHEDULE) <= 4.5 * 3600
