"""Order edits: orderEditBegin / AddVariant / SetQuantity / Commit, the orders/edited body, the
control route, and what Shopify refuses."""

from shopify_simulator.control_client import SimulatorControl

from .helpers import gql

CALCULATED = """calculatedOrder { id committed subtotalLineItemsQuantity
      lineItems(first: 10) { nodes { id quantity editableQuantityBeforeChanges variant { id } } }
      addedLineItems(first: 10) { nodes { id quantity } } }
    orderEditSession { id }
    userErrors { field message }"""

BEGIN = f"""mutation Begin($id: ID!) {{ orderEditBegin(id: $id) {{ {CALCULATED} }} }}"""
ADD = f"""mutation Add($id: ID!, $variantId: ID!, $quantity: Int!) {{
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity) {{
    calculatedLineItem {{ id quantity }} {CALCULATED} }} }}"""
SET = f"""mutation SetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!) {{
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: true) {{
    calculatedLineItem {{ id quantity }} {CALCULATED} }} }}"""
COMMIT = """mutation Commit($id: ID!) {
  orderEditCommit(id: $id, notifyCustomer: false, staffNote: "size changed") {
    order { id edited
      lineItems(first: 10) { nodes { id quantity currentQuantity variant { id } } } }
    successMessages userErrors { field message } } }"""


def _seeded(sim, seed=7):
    data = sim.generate(customers=1, products=3, orders=1, lines_per_order=2, seed=seed)
    order = data["orders"][0]
    ordered = {int(line["variant_id"]) for line in order["line_items"]}
    other = next(v for p in data["products"] for v in p["variants"] if int(v["id"]) not in ordered)
    return order, other


def _run(sim, document, **variables):
    result = gql(sim, document, variables)
    assert "errors" not in result, result
    return next(iter(result["data"].values()))


def test_an_edit_is_staged_then_committed_once(sim):
    order, other = _seeded(sim)
    first, second = order["line_items"]
    begun = _run(sim, BEGIN, id=f"gid://shopify/Order/{order['id']}")
    calculated = begun["calculatedOrder"]["id"]
    assert begun["userErrors"] == [] and begun["orderEditSession"]["id"].endswith(
        calculated.rsplit("/", 1)[1]
    )
    assert begun["calculatedOrder"]["committed"] is False
    added = _run(
        sim, ADD, id=calculated, variantId=f"gid://shopify/ProductVariant/{other['id']}", quantity=2
    )
    assert added["calculatedLineItem"]["quantity"] == 2
    assert [line["quantity"] for line in added["calculatedOrder"]["addedLineItems"]["nodes"]] == [2]
    lowered = _run(
        sim,
        SET,
        id=calculated,
        lineItemId=f"gid://shopify/CalculatedLineItem/{first['id']}",
        quantity=0,
    )
    assert lowered["calculatedLineItem"]["quantity"] == 0
    raised = _run(
        sim,
        SET,
        id=calculated,
        lineItemId=f"gid://shopify/CalculatedLineItem/{second['id']}",
        quantity=second["quantity"] + 1,
    )
    assert raised["calculatedOrder"]["subtotalLineItemsQuantity"] == second["quantity"] + 1 + 2
    # nothing changed in the order before the commit
    assert sim.store.orders[int(order["id"])]["line_items"][0]["quantity"] == first["quantity"]
    assert sim.take_webhooks() == []
    committed = _run(sim, COMMIT, id=calculated)
    assert committed["userErrors"] == [] and committed["order"]["edited"] is True
    lines = {line["id"]: line for line in committed["order"]["lineItems"]["nodes"]}
    removed = lines[f"gid://shopify/LineItem/{first['id']}"]
    assert (removed["quantity"], removed["currentQuantity"]) == (first["quantity"], 0)
    more = lines[f"gid://shopify/LineItem/{second['id']}"]
    assert (more["quantity"], more["currentQuantity"]) == (second["quantity"] + 1,) * 2
    new = [line for line in lines.values() if line["variant"]["id"].endswith(f"/{other['id']}")]
    assert [(line["quantity"], line["currentQuantity"]) for line in new] == [(2, 2)]
    webhooks = sim.take_webhooks()
    assert [topic for topic, _id in webhooks] == ["orders/edited", "orders/updated"]
    body = sim.webhook_payload(*webhooks[0])["order_edit"]
    assert body["order_id"] == int(order["id"]) and body["staff_note"] == "size changed"
    assert body["line_items"]["removals"] == [{"id": int(first["id"]), "delta": first["quantity"]}]
    assert {"id": int(second["id"]), "delta": 1} in body["line_items"]["additions"]
    assert sim.webhook_payload("orders/edited", order["id"]) == {"order_edit": body}
    # the open fulfillment order follows: nothing left of the removed line, more of the raised one
    remaining = {
        line["line_item_id"]: line["remaining"]
        for fo in sim.store.fulfillment_orders_of(order["id"])
        for line in fo["lines"]
    }
    assert (
        remaining[int(first["id"])] == 0 and remaining[int(second["id"])] == second["quantity"] + 1
    )
    # a committed calculated order is not committed again
    again = _run(sim, COMMIT, id=calculated)
    assert again["order"] is None and again["userErrors"]
    assert sim.take_webhooks() == []


def test_refused_edits_change_nothing(sim):
    order, _other = _seeded(sim, seed=8)
    first = order["line_items"][0]
    sim.seed_fulfillment(order["id"], {"line_items": [dict(first, quantity=first["quantity"])]})
    calculated = _run(sim, BEGIN, id=f"gid://shopify/Order/{order['id']}")["calculatedOrder"]["id"]
    fulfilled = _run(
        sim,
        SET,
        id=calculated,
        lineItemId=f"gid://shopify/CalculatedLineItem/{first['id']}",
        quantity=0,
    )
    assert (
        fulfilled["calculatedLineItem"] is None
        and "unfulfilled" in fulfilled["userErrors"][0]["message"]
    )
    unknown = _run(sim, ADD, id=calculated, variantId="gid://shopify/ProductVariant/1", quantity=1)
    assert unknown["userErrors"][0]["field"] == ["variantId"]
    empty = _run(sim, COMMIT, id=calculated)
    assert empty["order"] is None and empty["userErrors"]
    missing = _run(sim, BEGIN, id="gid://shopify/Order/1")
    assert missing["calculatedOrder"] is None and missing["userErrors"][0]["field"] == ["id"]
    assert sim.store.order_edits == {} and sim.take_webhooks() == []


def test_control_edits_an_order(sim):
    control = SimulatorControl(sim.base_url)
    order, other = _seeded(sim, seed=9)
    first = order["line_items"][0]
    edit, errors = control.edit_order(
        order["id"], quantities={first["id"]: first["quantity"] - 1}, add=[(other["id"], 1)]
    )
    assert errors == []
    assert edit["line_items"]["removals"] == [{"id": int(first["id"]), "delta": 1}]
    assert [a["delta"] for a in edit["line_items"]["additions"]] == [1]
    stored = control.resource("order", order["id"])
    assert stored["edited"] is True and len(stored["line_items"]) == 3
    assert stored["line_items"][0]["current_quantity"] == first["quantity"] - 1
    assert control.webhook_payload("orders/edited", order["id"]) == {"order_edit": edit}
    refused, errors = control.edit_order(order["id"], add=[(99, 1)])
    assert refused is None and errors
