"""Seeding from REST dicts, generated data, fulfillments and refunds, webhook payloads."""

import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopify_simulator import ShopifySimulator, recompute_totals
from shopify_simulator.formatting import parse_time
from shopify_simulator.store import Store

from .helpers import data, deep, order_gid, sample

SKU = re.compile(r"^[A-Z]{2}\d*-[A-Z]{2}-(S|M|L|XL)$")
MONEY = re.compile(r"^\d+\.\d{2}$")
STATUS_QUERY = """query($id: ID!) { order(id: $id) {
  updatedAt displayFulfillmentStatus displayFinancialStatus
  totalRefundedSet { shopMoney { amount } }
  lineItems(first: 10) { nodes { id quantity currentQuantity } }
  fulfillments(first: 5) { name status trackingInfo(first: 2) { company number } }
  fulfillmentOrders(first: 2) {
    nodes { status lineItems(first: 10) { nodes { remainingQuantity } } }
  } } }"""


def D(value):  # noqa: N802 - reads as a constructor
    return Decimal(str(value))


def check_totals(order):
    lines = order["line_items"]
    subtotal = sum(D(li["price"]) * li["quantity"] - D(li["total_discount"]) for li in lines)
    shipping = sum(D(s["discounted_price"]) for s in order["shipping_lines"])
    taxes = sum(
        D(t["price"]) for part in lines + order["shipping_lines"] for t in part["tax_lines"]
    )
    assert D(order["subtotal_price"]) == subtotal
    assert D(order["total_tax"]) == taxes
    assert D(order["total_price"]) == subtotal + shipping + taxes, "taxes_included is false"
    for line in lines:
        assert len(line["tax_lines"]) == 1
        net = D(line["price"]) * line["quantity"] - D(line["total_discount"])
        expected = (net * D("0.06")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert D(line["tax_lines"][0]["price"]) == expected, "rounded half up, as Shopify does"


def test_sample_totals_are_consistent():
    order = sample("orders_create")
    check_totals(order)
    copy = deep(order)
    assert recompute_totals(copy) == "421.88"
    assert copy == order, "recomputing a consistent order changes nothing"


def test_generated_data_is_realistic_and_consistent(sim):
    made = sim.generate(
        customers=3, products=4, variants_per_product=3, orders=6, lines_per_order=3, seed=7
    )
    assert [len(made[k]) for k in ("customers", "products", "orders")] == [3, 4, 6]
    skus = [v["sku"] for p in made["products"] for v in p["variants"]]
    assert all(SKU.match(sku) for sku in skus), skus
    assert len(set(skus)) == len(skus)
    for customer in made["customers"]:
        assert re.match(r"^[a-z]+\.[a-z]+\.\d+@example\.com$", customer["email"])
        assert customer["default_address"]["country_code"] == "US"
        assert re.match(r"^\d{5}$", customer["default_address"]["zip"])
    for order in made["orders"]:
        check_totals(order)
        assert all(MONEY.match(order[k]) for k in ("total_price", "subtotal_price", "total_tax"))
        assert all(MONEY.match(li["price"]) for li in order["line_items"])
        assert order["name"].startswith("#")
    listed = data(sim, "query { orders(first: 50) { nodes { legacyResourceId } } }")["orders"][
        "nodes"
    ]
    assert {n["legacyResourceId"] for n in listed} == {str(o["id"]) for o in made["orders"]}


def test_generation_is_deterministic_for_a_seed():
    def run():
        sim = ShopifySimulator()
        made = sim.generate(customers=2, products=2, orders=3, seed=42)
        return [
            (o["email"], o["total_price"], [li["sku"] for li in o["line_items"]])
            for o in made["orders"]
        ]

    assert run() == run()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    products=st.integers(1, 3),
    variants=st.integers(1, 6),
    orders=st.integers(1, 4),
    lines=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_generated_totals_hold_for_any_shape(products, variants, orders, lines, seed):
    sim = ShopifySimulator()
    made = sim.generate(
        customers=1,
        products=products,
        variants_per_product=variants,
        orders=orders,
        lines_per_order=lines,
        seed=seed,
    )
    for order in made["orders"]:
        assert len(order["line_items"]) == lines
        check_totals(order)


def test_updated_at_is_monotonic_and_touch_bumps_it(sim):
    store = Store("x.myshopify.com")
    stamps = [parse_time(store.tick()) for _tick in range(5)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    before = parse_time(order["updated_at"])
    touched = parse_time(sim.touch("order", order["id"])["updated_at"])
    assert touched > before
    reseeded = parse_time(sim.seed_order(order)["updated_at"])
    assert reseeded > touched, "re-seeding a stale copy is an edit, never a step back"
    graph = data(sim, STATUS_QUERY, {"id": order_gid(order)})["order"]
    assert parse_time(graph["updatedAt"]) == reseeded


def test_fulfillments_and_refunds_change_the_order(sim):
    order = sim.generate(
        customers=1, products=1, variants_per_product=2, orders=1, lines_per_order=2
    )["orders"][0]
    first, second = order["line_items"]
    item = sim.store.variants[first["variant_id"]]["inventory_item_id"]
    stock = sim.inventory(item, 655441491)
    sim.seed_fulfillment(
        order["id"],
        {
            "line_items": [{"id": first["id"], "quantity": first["quantity"]}],
            "tracking_company": "UPS",
            "tracking_number": "1Z999",
        },
    )
    graph = data(sim, STATUS_QUERY, {"id": order_gid(order)})["order"]
    assert graph["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert graph["fulfillments"] == [
        {
            "name": f"{order['name']}.1",
            "status": "SUCCESS",
            "trackingInfo": [{"company": "UPS", "number": "1Z999"}],
        }
    ]
    remaining = [
        n["remainingQuantity"] for n in graph["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"]
    ]
    assert remaining == [0, second["quantity"]]
    sim.seed_fulfillment(
        order["id"], {"line_items": [{"id": second["id"], "quantity": second["quantity"]}]}
    )
    amount = str(D(first["price"]) + D(first["tax_lines"][0]["price"]) / first["quantity"])
    sim.seed_refund(
        order["id"],
        {
            "note": "damaged",
            "refund_line_items": [
                {"line_item_id": first["id"], "quantity": 1, "restock_type": "return"}
            ],
            "transactions": [
                {"kind": "refund", "status": "success", "amount": amount, "gateway": "bogus"}
            ],
        },
    )
    graph = data(sim, STATUS_QUERY, {"id": order_gid(order)})["order"]
    assert graph["displayFulfillmentStatus"] == "FULFILLED"
    assert graph["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert graph["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert D(graph["totalRefundedSet"]["shopMoney"]["amount"]) == D(amount)
    assert graph["lineItems"]["nodes"][0]["currentQuantity"] == first["quantity"] - 1
    assert sim.inventory(item, 655441491) == stock + 1, "a returned item is restocked"


def test_refund_of_unshipped_units_leaves_the_fulfillment_order(sim):
    order = sim.generate(
        customers=1, products=1, variants_per_product=2, orders=1, lines_per_order=2
    )["orders"][0]
    first, second = order["line_items"]
    item = sim.store.variants[second["variant_id"]]["inventory_item_id"]
    level = sim.store.levels[(int(item), 655441491)]
    available, committed = level["available"], level["committed"]
    sim.seed_fulfillment(order["id"], {"line_items": [{"id": first["id"], "quantity": 1}]})
    sim.seed_refund(
        order["id"],
        {
            "refund_line_items": [
                # shipped in part: a refund of shipped goods, the fulfillment order keeps it
                {"line_item_id": first["id"], "quantity": 1, "restock_type": "no_restock"},
                {"line_item_id": second["id"], "quantity": 1, "restock_type": "cancel"},
            ],
            "transactions": [{"kind": "refund", "amount": "1.00", "gateway": "bogus"}],
        },
    )
    graph = data(sim, STATUS_QUERY, {"id": order_gid(order)})["order"]
    remaining = [
        n["remainingQuantity"] for n in graph["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"]
    ]
    assert remaining == [first["quantity"] - 1, second["quantity"] - 1]
    assert (level["available"], level["committed"]) == (available + 1, committed - 1)


def test_cancel_order_after_partial_fulfillment_refunds_the_rest(sim):
    order = sim.generate(
        customers=1, products=1, variants_per_product=2, orders=1, lines_per_order=2
    )["orders"][0]
    first, second = order["line_items"]
    sim.seed_fulfillment(
        order["id"], {"line_items": [{"id": first["id"], "quantity": first["quantity"]}]}
    )
    cancelled, refund = sim.cancel_order(order["id"], reason="inventory")
    assert cancelled["cancel_reason"] == "inventory" and cancelled["cancelled_at"]
    items = refund["refund_line_items"]
    assert [(i["line_item_id"], i["quantity"], i["restock_type"]) for i in items] == [
        (second["id"], second["quantity"], "cancel")
    ]
    money_back = D(refund["transactions"][0]["amount"])
    assert abs(money_back - D(items[0]["subtotal"]) - D(items[0]["total_tax"])) <= D("0.01")
    assert money_back > 0
    graph = data(
        sim,
        """query($id: ID!) { order(id: $id) { cancelledAt cancelReason displayFinancialStatus
      refunds(first: 5) { legacyResourceId }
      fulfillmentOrders(first: 2) {
        nodes { status lineItems(first: 5) { nodes { remainingQuantity } } } }
      } }""",
        {"id": order_gid(order)},
    )["order"]
    assert graph["cancelReason"] == "INVENTORY" and graph["cancelledAt"]
    assert graph["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert graph["refunds"] == [{"legacyResourceId": str(refund["id"])}]
    fulfillment_order = graph["fulfillmentOrders"]["nodes"][0]
    assert fulfillment_order["status"] == "CLOSED"
    assert [n["remainingQuantity"] for n in fulfillment_order["lineItems"]["nodes"]] == [0, 0]
    payload = sim.webhook_payload("orders/cancelled", order["id"])
    assert payload["cancel_reason"] == "inventory"
    assert [r["id"] for r in payload["refunds"]] == [refund["id"]]


def test_refund_served_through_graphql(sim):
    order = sim.seed_order(sample("orders_create"))
    refund = sim.seed_refund(
        order["id"],
        {
            "id": 929361464,
            "refund_line_items": [
                {"id": 1, "line_item_id": 518995019, "quantity": 1, "restock_type": "no_restock"}
            ],
            "order_adjustments": [
                {"id": 5, "kind": "shipping_refund", "amount": "-10.00", "tax_amount": "-0.60"}
            ],
            "transactions": [{"id": 7, "kind": "refund", "amount": "211.94", "gateway": "bogus"}],
        },
    )
    found = data(
        sim,
        """query { refund(id: "gid://shopify/Refund/929361464") { legacyResourceId
      order { name } totalRefundedSet { shopMoney { amount } }
      refundLineItems(first: 5) { nodes { quantity restockType restocked lineItem { sku }
        subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
      refundShippingLines(first: 5) {
        nodes { shippingLine { title } subtotalAmountSet { shopMoney { amount } } }
      }
      transactions(first: 5) {
        nodes { kind status gateway amountSet { shopMoney { amount } } }
      } } }""",
    )["refund"]
    assert refund["refund_line_items"][0]["subtotal"] == "189.00"
    assert found["order"]["name"] == "#1001"
    assert found["totalRefundedSet"]["shopMoney"]["amount"] == "211.94"
    line = found["refundLineItems"]["nodes"][0]
    assert (line["quantity"], line["restockType"], line["restocked"], line["lineItem"]["sku"]) == (
        1,
        "NO_RESTOCK",
        False,
        "IPOD2008BLACK",
    )
    assert (
        line["subtotalSet"]["shopMoney"]["amount"],
        line["totalTaxSet"]["shopMoney"]["amount"],
    ) == ("189.0", "11.34")
    assert found["refundShippingLines"]["nodes"] == [
        {
            "shippingLine": {"title": "Generic Shipping"},
            "subtotalAmountSet": {"shopMoney": {"amount": "10.0"}},
        }
    ]
    assert found["transactions"]["nodes"][0] == {
        "kind": "REFUND",
        "status": "SUCCESS",
        "gateway": "bogus",
        "amountSet": {"shopMoney": {"amount": "211.94"}},
    }


def test_webhook_payloads_in_rest_shape(sim):
    order = sim.seed_order(sample("orders_create"))
    sim.seed_product(sample("products_create"))
    sim.seed_fulfillment(
        order["id"], {"id": 255858046, "line_items": [{"id": 466157049, "quantity": 1}]}
    )
    created = sim.webhook_payload("orders/create", order["id"])
    assert created["id"] == 450789469 and created["line_items"][0]["sku"] == "IPOD2008PINK"
    assert [f["id"] for f in created["fulfillments"]] == [255858046] and created["refunds"] == []
    fulfilled = sim.webhook_payload("fulfillments/create", 255858046)
    assert fulfilled["order_id"] == 450789469
    assert (
        fulfilled["line_items"][0]["sku"] == "IPOD2008PINK"
        and fulfilled["line_items"][0]["quantity"] == 1
    )
    assert (
        sim.webhook_payload("products/update", 632910392)["variants"][0]["inventory_item_id"]
        == 808950810
    )
    assert (
        sim.webhook_payload("customers/update", 207119551)["email"] == "bob.norman@mail.example.com"
    )
    level = sim.webhook_payload(
        "inventory_levels/update", inventory_item_id=808950810, location_id=655441491
    )
    assert set(level) == {
        "inventory_item_id",
        "location_id",
        "available",
        "updated_at",
        "admin_graphql_api_id",
    }
    assert level["available"] == 10
    redact = sim.webhook_payload("customers/redact", 207119551)
    assert redact["customer"]["email"] == "bob.norman@mail.example.com"
    assert redact["orders_to_redact"] == [450789469] and redact["shop_domain"] == sim.shop_domain
    request = sim.webhook_payload("customers/data_request", 207119551)
    assert request["orders_requested"] == [450789469] and "id" in request["data_request"]
    assert set(sim.webhook_payload("shop/redact")) == {"shop_id", "shop_domain"}
    assert sim.webhook_payload("app/uninstalled")["myshopify_domain"] == sim.shop_domain
    assert sim.webhook_payload("orders/delete", 450789469) == {"id": 450789469}
    with pytest.raises(ValueError):
        sim.webhook_payload("carts/create", 1)


PAST_QUERY = """{
  all: ordersCount(limit: null) { count precision }
  open: ordersCount(query: "status:open -fulfillment_status:shipped") { count }
  cancelled: ordersCount(query: "status:cancelled") { count }
  refunded: ordersCount(query: "financial_status:refunded") { count }
  capped: ordersCount(limit: 3) { count precision }
  oldest: orders(first: 1, sortKey: PROCESSED_AT) { nodes { processedAt closedAt } }
  newest: orders(first: 1, sortKey: PROCESSED_AT, reverse: true) { nodes { processedAt } }
}"""


def test_generated_store_with_a_past(sim):
    """80 % history (the oldest orders, over months, fulfilled and closed, cancelled or
    refunded), 20 % open (placed in the last days); the counts Shopify's search gives."""
    made = sim.generate(customers=5, products=4, orders=100, seed=11, history=0.8)
    orders = made["orders"]
    past = made["past"]
    assert past["history"] == 80 and past["open"] == 20
    assert past["cancelled"] and past["refunded"] and past["partial"]
    now = datetime.now(UTC)
    stored = sim.store.orders
    history, open_ = orders[:80], orders[80:]
    for order in history:
        rest = stored[order["id"]]
        placed = parse_time(rest["processed_at"])
        assert placed < now - timedelta(days=3)
        if rest.get("cancelled_at"):
            assert parse_time(rest["cancelled_at"]) > placed
            assert rest["financial_status"] == "refunded" and not rest.get("fulfillment_status")
            continue
        assert rest["fulfillment_status"] in ("fulfilled", "partial")
        shipped = [f for f in sim.store.fulfillments.values() if f["order_id"] == order["id"]]
        assert shipped and all(parse_time(f["created_at"]) > placed for f in shipped)
        if rest.get("closed_at"):
            assert parse_time(rest["closed_at"]) > parse_time(shipped[0]["created_at"])
            assert parse_time(rest["closed_at"]) < now
    months = {parse_time(stored[o["id"]]["processed_at"]).strftime("%Y-%m") for o in history}
    assert len(months) >= 5, "history spreads over months"
    for order in open_:
        rest = stored[order["id"]]
        assert parse_time(rest["processed_at"]) >= now - timedelta(days=3, minutes=1)
        assert not rest.get("closed_at") and not rest.get("cancelled_at")
        assert rest.get("fulfillment_status") in (None, "partial")
    found = data(sim, PAST_QUERY)
    assert found["all"] == {"count": 100, "precision": "EXACT"}
    assert found["capped"] == {"count": 3, "precision": "AT_LEAST"}
    assert found["cancelled"]["count"] == past["cancelled"]
    assert found["open"]["count"] == sum(
        1
        for o in orders
        if not stored[o["id"]].get("closed_at")
        and stored[o["id"]].get("fulfillment_status") != "fulfilled"
    )
    assert found["refunded"]["count"] == sum(
        1 for o in orders if stored[o["id"]]["financial_status"] == "refunded"
    )
    assert found["oldest"]["nodes"][0]["processedAt"] < found["newest"]["nodes"][0]["processedAt"]
    line = data(
        sim,
        "query($id: ID!) { order(id: $id) { lineItems(first: 5) {"
        " nodes { quantity unfulfilledQuantity } } } }",
        {"id": order_gid(orders[0])},
    )["order"]["lineItems"]["nodes"]
    assert all(item["unfulfilledQuantity"] <= item["quantity"] for item in line)


def test_a_store_without_a_past_is_the_store_it_always_was():
    def run(**past):
        sim = ShopifySimulator()
        made = sim.generate(customers=2, products=2, orders=4, seed=42, **past)
        return [
            (o["email"], o["total_price"], [li["sku"] for li in o["line_items"]])
            for o in made["orders"]
        ]

    assert run() == run(history=0.0)
    assert run() == run(history=0.5), "the past draws from an RNG of its own"


COMPANY_LOCATION_QUERY = """query($id: ID!) { company(id: $id) { locations(first: 5) { nodes {
  id taxSettings { taxExempt taxExemptions taxRegistrationId } } } } }"""
COMPANY_KEYS = {
    "name", "note", "external_id", "main_contact_admin_graphql_api_id", "created_at", "updated_at",
    "customer_since", "admin_graphql_api_id",
}  # fmt: skip


def test_company_webhooks_in_shopify_shape_also_once_deleted(sim):
    buyer = sim.generate(customers=1, products=0, orders=0, seed=5)["customers"][0]
    address = {
        "address1": "1 Main St",
        "city": "Austin",
        "country_code": "US",
        "province_code": "TX",
    }
    company = sim.seed_company(
        {
            "name": "Acme",
            "locations": [
                {
                    "name": "HQ",
                    "billing_address": address,
                    "tax_settings": {
                        "tax_exempt": True,
                        "tax_exemptions": ["US_TX_RESELLER_EXEMPTION"],
                        "tax_registration_id": "TX-1",
                    },
                },
                {"name": "Dock", "billing_address": address},
            ],
            "contacts": [{"customer_id": buyer["id"], "title": "Buyer", "is_main_contact": True}],
        }
    )
    hq, dock = company["locations"]
    contact = company["contacts"][0]
    body = sim.webhook_payload("companies/update", company["id"])
    assert set(body) == COMPANY_KEYS
    assert (
        body["main_contact_admin_graphql_api_id"] == f"gid://shopify/CompanyContact/{contact['id']}"
    )
    location = sim.webhook_payload("company_locations/update", hq["id"])
    assert location["admin_graphql_api_id"] == f"gid://shopify/CompanyLocation/{hq['id']}"
    assert set(location["company"]) == COMPANY_KEYS
    assert location["tax_settings"] == {
        "tax_registration_id": "TX-1",
        "tax_exempt": True,
        "tax_exemptions": ["US_TX_RESELLER_EXEMPTION"],
    }
    assert location["billing_address"]["zone_code"] == "TX"
    assert (
        location["billing_address"]["company_admin_graphql_api_id"] == body["admin_graphql_api_id"]
    )
    person = sim.webhook_payload("company_contacts/update", contact["id"])
    assert person["customer_admin_graphql_api_id"] == f"gid://shopify/Customer/{buyer['id']}"
    assert person["company"]["admin_graphql_api_id"] == body["admin_graphql_api_id"]
    settings = data(sim, COMPANY_LOCATION_QUERY, {"id": body["admin_graphql_api_id"]})
    nodes = settings["company"]["locations"]["nodes"]
    assert [n["taxSettings"]["taxExempt"] for n in nodes] == [True, False]
    assert nodes[0]["taxSettings"]["taxExemptions"] == ["US_TX_RESELLER_EXEMPTION"]
    # deleted: the deletion's body is the entry as it was; the company is updated
    before = sim.store.companies[company["id"]]["updated_at"]
    sim.remove_company_entry("locations", dock["id"])
    sim.remove_company_entry("contacts", contact["id"])
    assert sim.webhook_payload("company_locations/delete", dock["id"])["name"] == "Dock"
    assert sim.webhook_payload("company_contacts/delete", contact["id"])["title"] == "Buyer"
    assert parse_time(sim.store.companies[company["id"]]["updated_at"]) > parse_time(before)
    sim.delete("company", company["id"])
    assert sim.webhook_payload("companies/delete", company["id"])["name"] == "Acme"


def test_an_order_for_a_tax_exempt_company_location_has_no_tax(sim):
    buyer = sim.generate(customers=1, products=2, orders=0, seed=6)["customers"][0]
    company = sim.seed_company(
        {
            "name": "Exempt Co",
            "locations": [{"name": "HQ", "tax_settings": {"tax_exempt": True}}, {"name": "Dock"}],
        }
    )
    hq, dock = company["locations"]
    generated = sim.generate(customers=1, products=2, orders=2, seed=7)["orders"]
    assert D(generated[0]["total_tax"]) > 0
    exempt = sim.seed_order(
        dict(generated[0], customer=buyer, company={"id": company["id"], "location_id": hq["id"]})
    )
    taxed = sim.seed_order(
        dict(generated[1], customer=buyer, company={"id": company["id"], "location_id": dock["id"]})
    )
    assert exempt["total_tax"] == "0.00"
    assert not [
        t for line in exempt["line_items"] + exempt["shipping_lines"] for t in line["tax_lines"]
    ]
    shipping = sum(D(s["discounted_price"]) for s in exempt["shipping_lines"])
    assert D(exempt["total_price"]) == D(exempt["subtotal_price"]) + shipping
    assert D(exempt["total_price"]) == D(generated[0]["total_price"]) - D(generated[0]["total_tax"])
    assert taxed["total_tax"] == generated[1]["total_tax"]
