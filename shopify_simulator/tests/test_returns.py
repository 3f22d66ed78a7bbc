"""Returns: returnRequest, returnApproveRequest, returnDeclineRequest, returnCancel, returnClose,
returnProcess; Order.returns, the return's refund, the returns/* webhooks."""

from .helpers import data, order_gid

LOCATION = "gid://shopify/Location/655441491"
RETURN_FIELDS = """id name status totalQuantity closedAt requestApprovedAt decline { reason note }
  returnLineItems(first: 10) { nodes { id quantity processedQuantity unprocessedQuantity
    ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id sku } } } } }
  reverseFulfillmentOrders(first: 5) { nodes { id status lineItems(first: 10) { nodes {
    id totalQuantity dispositions { type quantity location { id } } } } } }
  refunds(first: 5) { nodes { id totalRefundedSet { shopMoney { amount } }
    refundLineItems(first: 5) { nodes { quantity restockType } } return { id } } }"""
REQUEST = (
    "mutation Request($input: ReturnRequestInput!) { returnRequest(input: $input) { return { "
    + RETURN_FIELDS
    + " } userErrors { field message code } } }"
)
APPROVE = """mutation Approve($input: ReturnApproveRequestInput!) {
  returnApproveRequest(input: $input) { return { id status }
    userErrors { field message code } } }"""
DECLINE = """mutation Decline($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) { return { id status decline { reason note } }
    userErrors { field message code } } }"""
CANCEL = """mutation Cancel($id: ID!) { returnCancel(id: $id) { return { id status }
  userErrors { field message code } } }"""
CLOSE = """mutation Close($id: ID!) { returnClose(id: $id) { return { id status closedAt }
  userErrors { field message code } } }"""
PROCESS = (
    "mutation Process($input: ReturnProcessInput!) { returnProcess(input: $input) { return { "
    + RETURN_FIELDS
    + " } userErrors { field message code } } }"
)
ORDER_RETURNS = (
    """query($id: ID!) { order(id: $id) { returns(first: 5) { nodes { id status } } } }"""
)


def shipped_order(sim, quantity=2):
    order = sim.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
    line = order["line_items"][0]
    line["quantity"] = quantity
    sim.seed_order(order)
    fulfillment = sim.seed_fulfillment(order["id"], {"line_items": [dict(line, quantity=quantity)]})
    fli = fulfillment["line_items"][0]["fulfillment_line_item_id"]
    return sim.store.orders[int(order["id"])], f"gid://shopify/FulfillmentLineItem/{fli}"


def request(sim, order, fli, quantity=1):
    variables = {
        "input": {
            "orderId": order_gid(order),
            "returnLineItems": [
                {
                    "fulfillmentLineItemId": fli,
                    "quantity": quantity,
                    "returnReason": "SIZE_TOO_SMALL",
                }
            ],
        }
    }
    return data(sim, REQUEST, variables)["returnRequest"]


def test_request_approve_process_with_refund_closes_the_return(sim):
    order, fli = shipped_order(sim)
    sim.take_webhooks()
    requested = request(sim, order, fli, quantity=2)
    assert requested["userErrors"] == []
    ret = requested["return"]
    assert (ret["status"], ret["totalQuantity"]) == ("REQUESTED", 2)
    assert ret["reverseFulfillmentOrders"]["nodes"] == []
    approved = data(sim, APPROVE, {"input": {"id": ret["id"]}})["returnApproveRequest"]
    assert approved["return"]["status"] == "OPEN"
    again = data(sim, APPROVE, {"input": {"id": ret["id"]}})["returnApproveRequest"]
    assert again["return"] is None and again["userErrors"][0]["code"] == "INVALID_STATE"
    line_id = ret["returnLineItems"]["nodes"][0]["id"]
    sale = next(t for t in order["transactions"] if t["kind"] == "sale")
    variables = {
        "input": {
            "returnId": ret["id"],
            "returnLineItems": [
                {
                    "id": line_id,
                    "quantity": 2,
                    "dispositions": [
                        {
                            "reverseFulfillmentOrderLineItemId": "gid://shopify/ReverseFulfillmentOrderLineItem/1",
                            "quantity": 1,
                            "dispositionType": "RESTOCKED",
                            "locationId": LOCATION,
                        },
                        {
                            "reverseFulfillmentOrderLineItemId": "gid://shopify/ReverseFulfillmentOrderLineItem/1",
                            "quantity": 1,
                            "dispositionType": "NOT_RESTOCKED",
                        },
                    ],
                }
            ],
            "financialTransfer": {
                "issueRefund": {
                    "orderTransactions": [
                        {
                            "parentId": f"gid://shopify/OrderTransaction/{sale['id']}",
                            "transactionAmount": {"amount": "10.00", "currencyCode": "USD"},
                        }
                    ]
                }
            },
        }
    }
    processed = data(sim, PROCESS, variables)["returnProcess"]
    assert processed["userErrors"] == []
    ret = processed["return"]
    assert ret["status"] == "CLOSED" and ret["closedAt"]
    assert ret["returnLineItems"]["nodes"][0]["processedQuantity"] == 2
    [rfo] = ret["reverseFulfillmentOrders"]["nodes"]
    dispositions = rfo["lineItems"]["nodes"][0]["dispositions"]
    assert [(d["type"], d["quantity"], (d["location"] or {}).get("id")) for d in dispositions] == [
        ("RESTOCKED", 1, LOCATION),
        ("NOT_RESTOCKED", 1, None),
    ]
    [refund] = ret["refunds"]["nodes"]
    assert refund["totalRefundedSet"]["shopMoney"]["amount"] == "10.0"
    assert refund["refundLineItems"]["nodes"] == [{"quantity": 2, "restockType": "RETURN"}]
    assert refund["return"]["id"] == ret["id"]
    topics = [topic for topic, _id in sim.take_webhooks()]
    assert topics == [
        "returns/request",
        "returns/approve",
        "refunds/create",
        "returns/process",
        "reverse_fulfillment_orders/dispose",
        "returns/close",
    ]
    listed = data(sim, ORDER_RETURNS, {"id": order_gid(order)})["order"]["returns"]["nodes"]
    assert listed == [{"id": ret["id"], "status": "CLOSED"}]
    payload = sim.webhook_payload("returns/process", ret["id"].rsplit("/", 1)[1])
    assert (payload["status"], payload["order_id"]) == ("closed", int(order["id"]))


def test_decline_cancel_close_and_user_errors(sim):
    order, fli = shipped_order(sim, quantity=2)
    too_many = request(sim, order, fli, quantity=3)
    assert too_many["return"] is None and too_many["userErrors"][0]["code"] == "INVALID"
    first = request(sim, order, fli)["return"]
    declined = data(
        sim,
        DECLINE,
        {"input": {"id": first["id"], "declineReason": "FINAL_SALE", "declineNote": "Sale"}},
    )
    assert declined["returnDeclineRequest"]["return"]["decline"] == {
        "reason": "FINAL_SALE",
        "note": "Sale",
    }
    assert declined["returnDeclineRequest"]["return"]["status"] == "DECLINED"
    second = request(sim, order, fli, quantity=2)["return"]  # a declined return frees its units
    assert data(sim, CANCEL, {"id": second["id"]})["returnCancel"]["return"]["status"] == "CANCELED"
    third = request(sim, order, fli)["return"]
    closed = data(sim, CLOSE, {"id": third["id"]})["returnClose"]
    assert closed["return"] is None and closed["userErrors"][0]["code"] == "INVALID_STATE"
    data(sim, APPROVE, {"input": {"id": third["id"]}})
    assert data(sim, CLOSE, {"id": third["id"]})["returnClose"]["return"]["status"] == "CLOSED"
    missing = data(sim, CANCEL, {"id": "gid://shopify/Return/1"})["returnCancel"]
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"


EXCHANGE_FIELDS = """query($id: ID!) { return(id: $id) { id status
  exchangeLineItems(first: 5) { nodes { id quantity processedQuantity unprocessedQuantity variantId
    lineItems { id quantity variant { id } } } }
  refunds(first: 5) { nodes { totalRefundedSet { shopMoney { amount } }
    transactions(first: 5) { nodes { kind gateway } } } } } }"""


def test_exchange_items_become_order_lines_and_the_refund_is_net(sim):
    order, fli = shipped_order(sim)
    variant = {"id": order["line_items"][0]["variant_id"]}  # a replacement of the same variant
    before = len(order["line_items"])
    ret = sim.store.request_return(
        order["id"],
        [{"fulfillment_line_item_id": int(fli.rsplit("/", 1)[1]), "quantity": 1}],
        approve=True,
        exchange=[{"variant_id": variant["id"], "quantity": 1}],
    )
    read = data(sim, EXCHANGE_FIELDS, {"id": f"gid://shopify/Return/{ret['id']}"})["return"]
    item = read["exchangeLineItems"]["nodes"][0]
    assert (item["quantity"], item["processedQuantity"], item["lineItems"]) == (1, 0, [])
    sale = next(t for t in order["transactions"] if t["kind"] == "sale")
    sim.store.process_return(
        ret["id"],
        [{"id": ret["return_line_items"][0]["id"], "quantity": 1, "dispositions": []}],
        refund=[{"parent_id": sale["id"], "amount": "1.50"}],
        exchange=[{"id": ret["exchange_line_items"][0]["id"], "quantity": 1}],
    )
    assert len(sim.store.orders[int(order["id"])]["line_items"]) == before + 1
    read = data(sim, EXCHANGE_FIELDS, {"id": f"gid://shopify/Return/{ret['id']}"})["return"]
    item = read["exchangeLineItems"]["nodes"][0]
    assert (item["processedQuantity"], item["unprocessedQuantity"]) == (1, 0)
    assert item["lineItems"][0]["variant"]["id"] == f"gid://shopify/ProductVariant/{variant['id']}"
    assert item["variantId"] == item["lineItems"][0]["variant"]["id"]
    refund = read["refunds"]["nodes"][0]
    net = refund["totalRefundedSet"]["shopMoney"]["amount"]
    assert float(net) == 1.5, "net of the exchange"
    topics = [topic for topic, _id in sim.take_webhooks()]
    assert "returns/process" in topics and "refunds/create" in topics
