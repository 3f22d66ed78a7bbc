import json
from pathlib import Path

import requests

from shopify_simulator import SimulatorControl

from .conftest import TOKEN

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ORDER_QUERY = """
query Order($id: ID!) {
  order(id: $id) {
    id legacyResourceId name email totalPriceSet { shopMoney { amount currencyCode } }
    customer { id email defaultAddress { city countryCodeV2 } }
    lineItems(first: 10) { nodes { id sku quantity variant { id } originalUnitPriceSet { shopMoney { amount } } } }
    shippingLines(first: 5) { nodes { title originalPriceSet { shopMoney { amount } } } }
  }
}
"""


def post(sim, query, variables=None, token=TOKEN, version="2026-01"):
    return requests.post(
        sim.graphql_url(version),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=5,
    )


def test_rest_sample_seeded_and_served_with_gids(sim):
    sample = json.loads((SAMPLES / "orders_create.json").read_text())
    sim.seed_order(sample)
    body = post(sim, ORDER_QUERY, {"id": "gid://shopify/Order/820982911946154508"}).json()
    order = body["data"]["order"]
    assert order["id"] == "gid://shopify/Order/820982911946154508"
    assert order["legacyResourceId"] == "820982911946154508"
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "213.94", "currencyCode": "USD"}
    assert order["customer"]["id"] == "gid://shopify/Customer/115310627314723954"
    assert order["customer"]["defaultAddress"]["countryCodeV2"] == "CA"
    line = order["lineItems"]["nodes"][0]
    assert (line["sku"], line["quantity"], line["originalUnitPriceSet"]["shopMoney"]["amount"]) == (
        "IPOD2008PINK",
        1,
        "199.00",
    )
    assert order["shippingLines"]["nodes"][0]["originalPriceSet"]["shopMoney"]["amount"] == "10.00"
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] > 0 and "currentlyAvailable" in cost["throttleStatus"]


def test_unknown_field_is_a_graphql_error(sim):
    body = post(sim, "query { shop { name nonexistentField } }").json()
    assert "data" not in body or body.get("data") is None
    assert "nonexistentField" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "undefinedField"


def test_wrong_token_is_401_and_revocation(sim):
    assert post(sim, "query { shop { name } }", token="wrong").status_code == 401
    assert post(sim, "query { shop { name } }").status_code == 200
    sim.revoke_token()
    assert post(sim, "query { shop { name } }").status_code == 401
    sim.restore_token()
    assert post(sim, "query { shop { name } }").json()["data"]["shop"]["name"]


def test_generated_orders_are_consistent(sim):
    data = sim.generate(customers=2, products=3, variants_per_product=2, orders=4, lines_per_order=3, seed=1)
    assert len(data["orders"]) == 4
    for order in data["orders"]:
        assert order["total_price"] == sim.recompute_total(json.loads(json.dumps(order)))
        assert all(line["variant_id"] in sim.store.variants for line in order["line_items"])


def test_deleted_resource_is_null(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    sim.delete("order", order["id"])
    body = post(sim, ORDER_QUERY, {"id": f"gid://shopify/Order/{order['id']}"}).json()
    assert body["data"]["order"] is None


def test_updated_at_filter_and_pagination(sim):
    data = sim.generate(customers=1, products=1, orders=5)
    query = """query($first: Int!, $after: String, $query: String) {
      orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
        nodes { legacyResourceId updatedAt } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = post(sim, query, {"first": 2, "after": after, "query": "updated_at:>='2026-01-01T00:00:00Z'"}).json()
        orders = page["data"]["orders"]
        seen += [n["legacyResourceId"] for n in orders["nodes"]]
        if not orders["pageInfo"]["hasNextPage"]:
            break
        after = orders["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(str(o["id"]) for o in data["orders"])
    future = post(sim, query, {"first": 10, "query": "updated_at:>'2099-01-01T00:00:00Z'"}).json()
    assert future["data"]["orders"]["nodes"] == []


def test_control_api_drives_a_running_simulator(sim):
    control = SimulatorControl(sim.base_url)
    assert control.health()["ok"]
    data = control.generate(customers=1, products=1, orders=1)
    control.faults(fail_next=1, status=502)
    assert post(sim, "query { shop { name } }").status_code == 502
    assert post(sim, "query { shop { name } }").status_code == 200
    control.touch("order", data["orders"][0]["id"])
    assert control.payload("orders/updated", data["orders"][0]["id"])["id"] == data["orders"][0]["id"]
    assert len(control.calls()) == 2
