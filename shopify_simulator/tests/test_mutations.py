"""metafieldsSet, inventorySetQuantities and fulfillmentCreate: effects, user errors, records."""

import json

import pytest

from .helpers import data, gql, order_gid

SET_METAFIELDS = """mutation SetMetafields($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key type value compareDigest ownerType }
    userErrors { field message code }
  }
}"""
READ_METAFIELD = """query($id: ID!) { order(id: $id) {
  metafield(namespace: "odoo", key: "sale_order") { id value type jsonValue compareDigest }
  metafields(first: 5, namespace: "odoo") { nodes { key value } } } }"""
SET_QUANTITIES = """mutation SetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}"""
FULFILL = """mutation Fulfill($fulfillment: FulfillmentInput!, $key: String!) {
  fulfillmentCreate(fulfillment: $fulfillment) @idempotent(key: $key) {
    fulfillment { id status trackingInfo(first: 3) { company number url }
      fulfillmentLineItems(first: 10) { nodes { quantity lineItem { sku } } } }
    userErrors { field message }
  }
}"""
LOCATION = "gid://shopify/Location/655441491"


def metafield(owner, value, **extra):
    return {
        "ownerId": owner,
        "namespace": "odoo",
        "key": "sale_order",
        "type": "json",
        "value": value,
        **extra,
    }


def test_metafields_set_is_served_back_and_recorded(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    variables = {"metafields": [metafield(order_gid(order), '{"id": 42, "name": "S00042"}')]}
    result = data(sim, SET_METAFIELDS, variables)["metafieldsSet"]
    assert result["userErrors"] == []
    assert result["metafields"][0]["ownerType"] == "ORDER"
    read = data(sim, READ_METAFIELD, {"id": order_gid(order)})["order"]
    assert read["metafield"]["value"] == '{"id": 42, "name": "S00042"}'
    assert read["metafield"]["jsonValue"] == {"id": 42, "name": "S00042"}
    assert read["metafields"]["nodes"] == [
        {"key": "sale_order", "value": '{"id": 42, "name": "S00042"}'}
    ]
    [record] = sim.mutations_named("metafieldsSet")
    assert record["applied"] is True and record["operation"] == "SetMetafields"
    assert record["input"] == record["variables"] == record["request_variables"] == variables
    assert record["result"]["metafields"][0]["id"] == read["metafield"]["id"]
    assert sim.mutations_named("metafieldsSet", applied=False) == []


def test_metafields_set_is_atomic_and_checks_compare_digest(sim):
    made = sim.generate(customers=1, products=1, orders=2)
    first, second = (order_gid(o) for o in made["orders"])
    data(sim, SET_METAFIELDS, {"metafields": [metafield(first, '{"v": 1}')]})
    digest = data(sim, READ_METAFIELD, {"id": first})["order"]["metafield"]["compareDigest"]
    bad = data(
        sim,
        SET_METAFIELDS,
        {"metafields": [metafield(second, '{"v": 2}'), metafield(first, "{not json")]},
    )
    errors = bad["metafieldsSet"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["metafields", "1", "value"], "INVALID_VALUE")
    ]
    assert (
        data(sim, READ_METAFIELD, {"id": second})["order"]["metafield"] is None
    ), "nothing applied"
    stale = data(
        sim, SET_METAFIELDS, {"metafields": [metafield(first, '{"v": 3}', compareDigest="0" * 64)]}
    )
    assert stale["metafieldsSet"]["userErrors"][0]["code"] == "STALE_OBJECT"
    fresh = data(
        sim, SET_METAFIELDS, {"metafields": [metafield(first, '{"v": 3}', compareDigest=digest)]}
    )
    assert fresh["metafieldsSet"]["userErrors"] == []
    unknown = data(sim, SET_METAFIELDS, {"metafields": [metafield("gid://shopify/Order/1", "{}")]})
    assert unknown["metafieldsSet"]["userErrors"][0]["code"] == "INVALID"
    assert [m["applied"] for m in sim.mutations_named("metafieldsSet")] == [
        True,
        False,
        False,
        True,
        False,
    ]


def inventory_input(item, quantity, change_from=None, **extra):
    line = {
        "inventoryItemId": f"gid://shopify/InventoryItem/{item}",
        "locationId": LOCATION,
        "quantity": quantity,
    }
    if change_from is not None:
        line["changeFromQuantity"] = change_from
    line.update(extra.pop("line", {}))
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "logistics://odoo/move/7",
        "quantities": [line],
        **extra,
    }


def stocked_item(sim, available=10):
    product = sim.generate(products=1, variants_per_product=1)["products"][0]
    item = product["variants"][0]["inventory_item_id"]
    sim.set_inventory(item, 655441491, available)
    return item


def test_inventory_set_quantities_applies_once_per_idempotency_key(sim):
    item = stocked_item(sim, 10)
    variables = {"input": inventory_input(item, 7, change_from=10), "key": "push-1"}
    first = data(sim, SET_QUANTITIES, variables)["inventorySetQuantities"]
    assert first["userErrors"] == []
    group = first["inventoryAdjustmentGroup"]
    assert (
        group["reason"] == "correction"
        and group["referenceDocumentUri"] == "logistics://odoo/move/7"
    )
    assert [(c["name"], c["delta"], c["quantityAfterChange"]) for c in group["changes"]] == [
        ("available", -3, 7),
        ("on_hand", -3, 7),
    ]
    assert group["changes"][0]["item"]["id"] == f"gid://shopify/InventoryItem/{item}"
    again = data(sim, SET_QUANTITIES, variables)["inventorySetQuantities"]
    assert again == first, "a repeated key answers the first result"
    assert sim.inventory(item, 655441491) == 7
    records = sim.mutations_named("inventorySetQuantities")
    assert [(r["applied"], r["replayed"], r["idempotency_key"]) for r in records] == [
        (True, False, "push-1"),
        (False, True, "push-1"),
    ]
    assert records[0]["input"] == {"input": records[0]["variables"]}
    assert records[0]["variables"]["quantities"][0]["changeFromQuantity"] == 10
    assert records[0]["request_variables"]["key"] == "push-1"
    reused = data(
        sim, SET_QUANTITIES, {"input": inventory_input(item, 5, change_from=7), "key": "push-1"}
    )
    assert (
        reused["inventorySetQuantities"]["userErrors"][0]["code"]
        == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    )
    assert sim.inventory(item, 655441491) == 7


def test_inventory_stale_and_missing_compare_quantities(sim):
    item = stocked_item(sim, 10)

    def errors(payload, key):
        result = data(sim, SET_QUANTITIES, {"input": payload, "key": key})["inventorySetQuantities"]
        return [(e["code"], e["field"][-1]) for e in result["userErrors"]]

    assert errors(inventory_input(item, 3, change_from=9), "a") == [
        ("CHANGE_FROM_QUANTITY_STALE", "changeFromQuantity")
    ]
    assert errors(inventory_input(item, 3, line={"compareQuantity": 4}), "b") == [
        ("COMPARE_QUANTITY_STALE", "compareQuantity")
    ]
    assert errors(inventory_input(item, 3), "c") == [
        ("COMPARE_QUANTITY_REQUIRED", "compareQuantity")
    ]
    assert errors(dict(inventory_input(item, 3, change_from=10), reason="because"), "d") == [
        ("INVALID_REASON", "reason")
    ]
    assert errors(dict(inventory_input(item, 3, change_from=10), name="incoming"), "e") == [
        ("INVALID_NAME", "name")
    ]
    assert sim.inventory(item, 655441491) == 10, "nothing applied"
    assert (
        errors(
            inventory_input(item, 3, line={"compareQuantity": 4}, ignoreCompareQuantity=True), "f"
        )
        == []
    )
    assert sim.inventory(item, 655441491) == 3
    assert [r["applied"] for r in sim.mutations_named("inventorySetQuantities")] == [False] * 5 + [
        True
    ]


@pytest.mark.parametrize(
    "version, compare_required, not_stocked",
    [("2026-01", True, "ITEM_NOT_STOCKED_AT_LOCATION"), ("2026-10", False, "INVALID_LOCATION")],
)
def test_inventory_set_quantities_by_api_version(sim, version, compare_required, not_stocked):
    """compareQuantity is gone from 2026-04, ITEM_NOT_STOCKED_AT_LOCATION from 2026-10."""
    item = stocked_item(sim, 10)
    elsewhere = sim.seed_location({"name": "Empty shelf"})["id"]

    def errors(payload, key):
        variables = {"input": payload, "key": key}
        body = data(sim, SET_QUANTITIES, variables, version=version)["inventorySetQuantities"]
        return [(e["code"], e["field"][-1]) for e in body["userErrors"]]

    unstocked = inventory_input(
        item, 3, change_from=10, line={"locationId": f"gid://shopify/Location/{elsewhere}"}
    )
    assert errors(unstocked, "a") == [(not_stocked, "locationId")]
    required = [("COMPARE_QUANTITY_REQUIRED", "compareQuantity")] if compare_required else []
    assert errors(inventory_input(item, 4), "b") == required


def fulfillment_order(sim, order):
    return next(fo for fo in sim.store.fulfillment_orders.values() if fo["order_id"] == order["id"])


def fulfill_variables(fo, quantities, key, tracking=None):
    lines = [
        {"id": f"gid://shopify/FulfillmentOrderLineItem/{line['id']}", "quantity": quantity}
        for line, quantity in zip(fo["lines"], quantities, strict=False)
        if quantity
    ]
    group = {
        "fulfillmentOrderId": f"gid://shopify/FulfillmentOrder/{fo['id']}",
        "fulfillmentOrderLineItems": lines,
    }
    fulfillment = {"lineItemsByFulfillmentOrder": [group], "notifyCustomer": False}
    if tracking:
        fulfillment["trackingInfo"] = tracking
    return {"fulfillment": fulfillment, "key": key}


def remaining(sim, order):
    query = """query($id: ID!) { order(id: $id) {
      displayFulfillmentStatus fulfillments(first: 5) { id }
      fulfillmentOrders(first: 1) {
        nodes { status lineItems(first: 5) { nodes { remainingQuantity } } }
      } } }"""
    found = data(sim, query, {"id": order_gid(order)})["order"]
    node = found["fulfillmentOrders"]["nodes"][0]
    lines = [n["remainingQuantity"] for n in node["lineItems"]["nodes"]]
    return lines, node["status"], found["displayFulfillmentStatus"], len(found["fulfillments"])


def test_fulfillment_create_reduces_remaining_quantity(sim):
    order = sim.generate(
        customers=1, products=1, variants_per_product=2, orders=1, lines_per_order=2, seed=3
    )["orders"][0]
    fo = fulfillment_order(sim, order)
    totals = [line["total"] for line in fo["lines"]]
    tracking = {
        "company": "UPS",
        "number": "1Z999AA10123456784",
        "url": "https://www.ups.com/track?tracknum=1Z9",
    }
    created = data(sim, FULFILL, fulfill_variables(fo, [totals[0], 0], "pick-1", tracking))[
        "fulfillmentCreate"
    ]
    assert created["userErrors"] == []
    assert created["fulfillment"]["status"] == "SUCCESS"
    assert created["fulfillment"]["trackingInfo"] == [
        {
            "company": "UPS",
            "number": "1Z999AA10123456784",
            "url": "https://www.ups.com/track?tracknum=1Z9",
        }
    ]
    assert created["fulfillment"]["fulfillmentLineItems"]["nodes"][0]["quantity"] == totals[0]
    assert remaining(sim, order) == ([0, totals[1]], "IN_PROGRESS", "PARTIALLY_FULFILLED", 1)
    replay = data(sim, FULFILL, fulfill_variables(fo, [totals[0], 0], "pick-1", tracking))[
        "fulfillmentCreate"
    ]
    assert replay == created, "same key: same fulfillment, nothing fulfilled twice"
    assert remaining(sim, order) == ([0, totals[1]], "IN_PROGRESS", "PARTIALLY_FULFILLED", 1)
    data(sim, FULFILL, fulfill_variables(fo, [0, totals[1]], "pick-2"))
    assert remaining(sim, order) == ([0, 0], "CLOSED", "FULFILLED", 2)


def test_over_fulfilling_is_a_user_error(sim):
    order = sim.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
    fo = fulfillment_order(sim, order)
    total = fo["lines"][0]["total"]
    refused = data(sim, FULFILL, fulfill_variables(fo, [total + 1], "too-many"))[
        "fulfillmentCreate"
    ]
    assert refused["fulfillment"] is None
    assert refused["userErrors"] == [
        {
            "field": ["fulfillment"],
            "message": "Invalid fulfillment order line item quantity requested.",
        }
    ]
    assert remaining(sim, order) == ([total], "OPEN", "UNFULFILLED", 0)
    closed = data(sim, FULFILL, fulfill_variables(fo, [total], "all"))["fulfillmentCreate"]
    assert closed["userErrors"] == []
    again = data(sim, FULFILL, fulfill_variables(fo, [1], "more"))["fulfillmentCreate"]
    assert "unfulfillable status" in again["userErrors"][0]["message"]
    assert [m["applied"] for m in sim.mutations_named("fulfillmentCreate")] == [False, True, False]


def test_mutation_records_keep_what_was_sent(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    body = gql(
        sim,
        """mutation Two($a: [MetafieldsSetInput!]!) {
      first: metafieldsSet(metafields: $a) { userErrors { code } }
      second: metafieldsSet(metafields: [{ownerId: "gid://shopify/Order/1", key: "kk", value: "x",
        type: "single_line_text_field"}]) { userErrors { code } } }""",
        {"a": [metafield(order_gid(order), json.dumps({"n": 1}))]},
    )
    assert (
        body["data"]["first"]["userErrors"] == []
        and body["data"]["second"]["userErrors"][0]["code"] == "INVALID"
    )
    first, second = sim.mutations_named("metafieldsSet")
    assert (first["applied"], second["applied"]) == (True, False)
    assert first["result"] == {"userErrors": []} and second["input"]["metafields"][0]["key"] == "kk"
    assert first["call_id"] == second["call_id"] == sim.calls[-1]["id"]


LEVELS_AT_LOCATION = """
query Levels($id: ID!) {
  location(id: $id) {
    inventoryLevels(first: 50) {
      nodes {
        item { legacyResourceId tracked }
        quantities(names: ["available", "committed", "on_hand"]) { name quantity }
      }
    }
  }
}
"""


def quantities_at_location(sim, item):
    levels = data(sim, LEVELS_AT_LOCATION, {"id": LOCATION})["location"]["inventoryLevels"]["nodes"]
    level = next(n for n in levels if n["item"]["legacyResourceId"] == str(item))
    return level["item"]["tracked"], {q["name"]: q["quantity"] for q in level["quantities"]}


def test_an_order_commits_its_stock_and_a_fulfillment_ships_it(sim):
    """Checkout: available down, committed up; shipped: on hand down, available unchanged."""
    order = sim.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
    product = sim.generate(products=1, variants_per_product=1)["products"][0]
    variant = product["variants"][0]
    item = variant["inventory_item_id"]
    sim.set_inventory(item, 655441491, 10)
    line = dict(
        order["line_items"][0], variant_id=variant["id"], product_id=product["id"], quantity=2
    )
    line.pop("id")
    order = sim.seed_order(dict(order, id=None, name=None, line_items=[line]) | {"id": 990001})
    assert quantities_at_location(sim, item) == (
        True,
        {"available": 8, "committed": 2, "on_hand": 10},
    )
    sim.seed_fulfillment(
        order["id"], {"line_items": [{"id": order["line_items"][0]["id"], "quantity": 2}]}
    )
    assert quantities_at_location(sim, item) == (
        True,
        {"available": 8, "committed": 0, "on_hand": 8},
    )


def test_an_untracked_variant_commits_nothing(sim):
    order = sim.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
    product = sim.generate(products=1, variants_per_product=1)["products"][0]
    product["variants"][0]["inventory_management"] = None
    product = sim.seed_product(product)
    variant = product["variants"][0]
    sim.set_inventory(variant["inventory_item_id"], 655441491, 5)
    line = dict(
        order["line_items"][0], variant_id=variant["id"], product_id=product["id"], quantity=1
    )
    line.pop("id")
    sim.seed_order(dict(order, name=None, line_items=[line]) | {"id": 990002})
    tracked, quantities = quantities_at_location(sim, variant["inventory_item_id"])
    assert (tracked, quantities["available"]) == (False, 5)
