import time

import requests

from .conftest import TOKEN
from .test_graphql import post

SET_QTY = """mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }"""


def _qty_input(item, location, quantity, change_from):
    return {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {
                "inventoryItemId": f"gid://shopify/InventoryItem/{item}",
                "locationId": f"gid://shopify/Location/{location}",
                "quantity": quantity,
                "changeFromQuantity": change_from,
            }
        ],
    }


def test_500_and_502_for_next_n_calls(sim):
    sim.fail_next(2, status=500)
    assert [post(sim, "query { shop { name } }").status_code for _i in range(3)] == [500, 500, 200]
    sim.fail_next(1, status=502)
    assert post(sim, "query { shop { name } }").status_code == 502


def test_slow_answer_after_the_work_is_done(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    sim.slow_next(1, 1.5, operation="SetMeta")
    query = """mutation SetMeta($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
      metafields { id } userErrors { message } } }"""
    variables = {
        "m": [
            {
                "ownerId": f"gid://shopify/Order/{order['id']}",
                "namespace": "odoo",
                "key": "k",
                "type": "json",
                "value": "{}",
            }
        ]
    }
    started = time.monotonic()
    try:
        requests.post(
            sim.graphql_url(),
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": TOKEN},
            timeout=0.5,
        )
        raise AssertionError("the client should have timed out")
    except requests.Timeout:
        pass
    assert time.monotonic() - started < 1.4
    assert len(sim.mutations_named("metafieldsSet", applied=True)) == 1, "the server did the work"


def test_malformed_json(sim):
    sim.malformed_next(1)
    response = post(sim, "query { shop { name } }")
    try:
        response.json()
        raise AssertionError("malformed JSON expected")
    except ValueError:
        pass


def test_throttled_graphql_and_429(sim):
    sim.throttle_next(1)
    body = post(sim, "query { shop { name } }").json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 2000
    sim.throttle_mode = "http429"
    sim.throttle_next(1)
    response = post(sim, "query { shop { name } }")
    assert response.status_code == 429
    assert float(response.headers["Retry-After"]) >= 1


def test_bucket_empties_under_load(sim):
    sim.bucket.restore_rate = 0.0001
    sim.bucket.available = 5
    body = post(sim, "query { shop { name } }").json()
    assert body["data"]["shop"]["name"]
    product = sim.generate(products=1)["products"][0]
    query = """query($id: ID!) { product(id: $id) { variants(first: 50) { nodes { id inventoryItem { id } } } } }"""
    body = post(sim, query, {"id": f"gid://shopify/Product/{product['id']}"}).json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"


def test_inventory_idempotency_and_stale_compare(sim):
    product = sim.generate(products=1, variants_per_product=1)["products"][0]
    item = product["variants"][0]["inventory_item_id"]
    location = 655441491
    sim.set_inventory(item, location, 10)
    variables = {"input": _qty_input(item, location, 7, 10), "key": "push-1"}
    first = post(sim, SET_QTY, variables).json()["data"]["inventorySetQuantities"]
    again = post(sim, SET_QTY, variables).json()["data"]["inventorySetQuantities"]
    assert first == again
    assert sim.inventory(item, location) == 7
    assert [m["applied"] for m in sim.mutations_named("inventorySetQuantities")] == [True, False]
    stale = post(sim, SET_QTY, {"input": _qty_input(item, location, 3, 10), "key": "push-2"}).json()
    errors = stale["data"]["inventorySetQuantities"]["userErrors"]
    assert errors[0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert sim.inventory(item, location) == 7


def test_fulfillment_create_reduces_remaining(sim):
    order = sim.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
    fo = next(f for f in sim.store.fulfillment_orders.values() if f["order_id"] == order["id"])
    line = fo["lines"][0]
    query = """mutation F($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) @idempotent(key: "pick-1") {
      fulfillment { id status } userErrors { field message } } }"""
    variables = {
        "f": {
            "lineItemsByFulfillmentOrder": [
                {
                    "fulfillmentOrderId": f"gid://shopify/FulfillmentOrder/{fo['id']}",
                    "fulfillmentOrderLineItems": [
                        {"id": f"gid://shopify/FulfillmentOrderLineItem/{line['id']}", "quantity": line["total"]}
                    ],
                }
            ],
            "trackingInfo": {"company": "UPS", "number": "1Z1"},
        }
    }
    created = post(sim, query, variables).json()["data"]["fulfillmentCreate"]
    assert created["fulfillment"]["status"] == "SUCCESS"
    assert line["remaining"] == 0
    assert post(sim, query, variables).json()["data"]["fulfillmentCreate"] == created, "idempotent"
    assert len(sim.store.fulfillments) == 1
