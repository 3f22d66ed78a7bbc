"""Token checks, the cost-based rate limit, and each injected fault."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from shopify_simulator import ShopifySimulator

from .helpers import SECRET, SHOP, TOKEN, data, gql, order_gid, post

SHOP_QUERY = "query ShopName { shop { name } }"
INVALID_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
SET_METAFIELDS = """mutation SetMetafields($m: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $m) { metafields { id } userErrors { message } } }"""


def metafield_variables(order, value="{}"):
    return {
        "m": [
            {
                "ownerId": order_gid(order),
                "namespace": "odoo",
                "key": "sale_order",
                "type": "json",
                "value": value,
            }
        ]
    }


def test_wrong_or_missing_token_is_401(sim):
    for token in ("shpat_wrong", None):
        response = post(sim, SHOP_QUERY, token=token)
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN
    assert post(sim, SHOP_QUERY).status_code == 200
    assert [c["status"] for c in sim.calls] == [401, 401, 200]


def test_revoked_token_until_restored(sim):
    sim.revoke_token()
    assert post(sim, SHOP_QUERY).status_code == 401
    assert post(sim, SHOP_QUERY).json() == INVALID_TOKEN
    sim.restore_token()
    assert data(sim, SHOP_QUERY)["shop"]["name"]


def test_throttle_next_graphql_mode(sim):
    sim.throttle_next(1)
    response = post(sim, SHOP_QUERY)
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert "data" not in body
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"] == {
        "maximumAvailable": 2000.0,
        "currentlyAvailable": 2000,
        "restoreRate": 100.0,
    }
    assert sim.calls[-1]["throttled"] is True
    assert data(sim, SHOP_QUERY)["shop"]["name"], "only the next call"


def test_throttle_next_http429_mode(sim):
    sim.throttle_mode = "http429"
    sim.throttle_next(2)
    first, second, third = (post(sim, SHOP_QUERY) for _call in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert float(first.headers["Retry-After"]) >= 1.0
    assert "Exceeded 2 calls per second" in first.json()["errors"]


def test_bucket_empties_and_refills():
    with ShopifySimulator(SHOP, TOKEN, SECRET, bucket_size=100, restore_rate=10) as sim:
        sim.generate(customers=1, products=1, orders=20)
        query = "query { orders(first: 20) { nodes { id } } }"  # 2 + 20 points, all used
        statuses = []
        for _call in range(6):
            body = gql(sim, query)
            statuses.append(body["errors"][0]["extensions"]["code"] if "errors" in body else "OK")
        assert statuses[:4] == ["OK"] * 4 and statuses[4] == "THROTTLED"
        throttled = next(c for c in sim.calls if c.get("throttled"))
        assert throttled["requested_cost"] == 22
        sim.bucket.restore_rate = 1000
        time.sleep(0.15)
        few = 'query { orders(first: 20, query: "id:<0") { nodes { id } } }'
        body = gql(sim, few)
        assert "errors" not in body and body["data"]["orders"]["nodes"] == []
        assert body["extensions"]["cost"]["actualQueryCost"] == 2
        assert (
            body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] >= 97
        ), "unused points refunded"


def test_bucket_exhaustion_in_http429_mode_gives_retry_after():
    sim = ShopifySimulator(
        SHOP, TOKEN, SECRET, bucket_size=50, restore_rate=10, throttle_mode="http429"
    )
    with sim:
        sim.bucket.available = 8
        response = post(sim, "query { orders(first: 40) { nodes { id } } }")  # 42 points
        assert response.status_code == 429
        assert 3.0 <= float(response.headers["Retry-After"]) <= 3.5, "(42 - 8) points at 10/s"
        sim.bucket.available = 50
        assert post(sim, "query { orders(first: 40) { nodes { id } } }").status_code == 200


def test_fail_next_n_calls_with_500_then_502(sim):
    sim.fail_next(2, status=500)
    responses = [post(sim, SHOP_QUERY) for _call in range(3)]
    assert [r.status_code for r in responses] == [500, 500, 200]
    assert responses[0].json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    sim.fail_next(1, status=502)
    gateway = post(sim, SHOP_QUERY)
    assert gateway.status_code == 502 and gateway.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        gateway.json()
    assert [c["status"] for c in sim.calls] == [500, 500, 200, 502]


def test_failures_can_target_one_operation(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    sim.fail_next(1, status=503, operation="SetMetafields")
    assert post(sim, SHOP_QUERY).status_code == 200
    assert post(sim, SET_METAFIELDS, metafield_variables(order)).status_code == 503
    assert sim.mutations == [], "a failed call does no work"
    assert post(sim, SET_METAFIELDS, metafield_variables(order)).status_code == 200


def test_concurrent_calls_consume_exactly_n_failures(sim):
    sim.fail_next(5, status=500)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _i: post(sim, SHOP_QUERY).status_code, range(12)))
    assert sorted(statuses) == [200] * 7 + [500] * 5


def test_slow_answer_after_the_work_is_done(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    sim.slow_next(1, 1.5, operation="SetMetafields")
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        post(sim, SET_METAFIELDS, metafield_variables(order, '{"id": 7}'), timeout=0.4)
    assert time.monotonic() - started < 1.0
    [record] = sim.mutations_named("metafieldsSet")
    assert record["applied"], "Shopify did the work"
    read = data(
        sim,
        'query($id: ID!) { order(id: $id) { metafield(namespace: "odoo", key: "sale_order") '
        "{ value } } }",
        {"id": order_gid(order)},
    )
    assert read["order"]["metafield"]["value"] == '{"id": 7}'


def test_malformed_json_after_the_work_is_done(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    sim.malformed_next(1)
    response = post(sim, SET_METAFIELDS, metafield_variables(order))
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert response.content.startswith(b'{"data"')
    assert sim.mutations_named("metafieldsSet", applied=True)
    assert post(sim, SHOP_QUERY).json()["data"]["shop"]["name"]


def test_reset_faults_clears_everything_queued(sim):
    sim.fail_next(3)
    sim.slow_next(2, 5)
    sim.malformed_next(1)
    sim.throttle_next(1)
    sim.revoke_token()
    sim.throttle_mode = "http429"
    sim.reset_faults()
    assert sim.faults.pending() == {
        "fail": [],
        "slow": [],
        "malformed": [],
        "throttle": [],
        "token_revoked": False,
    }
    assert sim.throttle_mode == "graphql"
    started = time.monotonic()
    assert data(sim, SHOP_QUERY)["shop"]["name"]
    assert time.monotonic() - started < 1


def test_start_and_stop_are_fast_even_with_a_request_held():
    started = time.monotonic()
    sim = ShopifySimulator(SHOP, TOKEN, SECRET).start()
    assert time.monotonic() - started < 0.5
    sim.slow_next(1, 30)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(post, sim, SHOP_QUERY, None, TOKEN, None, None, 10)
        time.sleep(0.2)
        stopping = time.monotonic()
        sim.stop()
        assert time.monotonic() - stopping < 0.5
        assert pending.result().status_code == 200, "the held answer is released at stop"
    with pytest.raises(requests.ConnectionError):
        post(sim, SHOP_QUERY, timeout=1)


def test_before_next_runs_just_before_the_call_executes(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    seen = []
    sim.before_next("SetMetafields", lambda: seen.append(len(sim.mutations)))
    assert post(sim, SHOP_QUERY).status_code == 200
    assert seen == [], "only the named operation"
    assert post(sim, SET_METAFIELDS, metafield_variables(order)).status_code == 200
    assert seen == [0], "ran once, before the mutation was applied"
    post(sim, SET_METAFIELDS, metafield_variables(order))
    assert seen == [0]
