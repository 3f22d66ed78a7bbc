"""The Admin API surface: validation errors, GIDs, money, samples served through GraphQL."""

import requests

from .helpers import TOKEN, data, gql, order_gid, post, sample

ORDER_QUERY = """
query Order($id: ID!) {
  order(id: $id) {
    id legacyResourceId name email createdAt updatedAt processedAt cancelledAt closed
    displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded
    totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount } }
    subtotalPriceSet { shopMoney { amount } }
    totalTaxSet { shopMoney { amount } }
    totalDiscountsSet { shopMoney { amount } }
    totalShippingPriceSet { shopMoney { amount } }
    customer {
      id legacyResourceId email displayName defaultAddress { city provinceCode countryCodeV2 }
    }
    billingAddress { name company address1 city zip countryCodeV2 }
    lineItems(first: 10) {
      nodes {
        id name sku quantity currentQuantity variantTitle
        variant { id legacyResourceId sku } product { id title }
        originalUnitPriceSet { shopMoney { amount } }
        discountedUnitPriceSet { shopMoney { amount } }
        totalDiscountSet { shopMoney { amount } }
        taxLines { title rate ratePercentage priceSet { shopMoney { amount } } }
      }
    }
    shippingLines(first: 5) {
      nodes { title code source originalPriceSet { shopMoney { amount } } taxLines { rate } }
    }
    taxLines { title rate priceSet { shopMoney { amount } } }
    fulfillmentOrders(first: 5) {
      nodes {
        status assignedLocation { name }
        lineItems(first: 10) { nodes { totalQuantity remainingQuantity } }
      }
    }
  }
}
"""


def test_unknown_field_is_a_graphql_validation_error(sim):
    response = post(sim, 'query { order(id: "gid://shopify/Order/1") { id nonexistentField } }')
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    error = body["errors"][0]
    assert error["message"] == "Field 'nonexistentField' doesn't exist on type 'Order'"
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Order",
        "fieldName": "nonexistentField",
    }
    assert error["locations"] == [{"line": 1, "column": 49}]
    assert "cost" in body["extensions"]


def test_argument_errors_use_shopify_codes(sim):
    body = gql(sim, "query { order { id } }")
    assert body["errors"][0]["extensions"]["code"] == "missingRequiredArguments"
    assert body["errors"][0]["message"] == "Field 'order' is missing required arguments: id"
    body = gql(sim, 'query { order(id: "x", foo: 1) { id } }')
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"
    body = gql(sim, "query { shop { name ")
    assert "Syntax Error" in body["errors"][0]["message"]
    body = gql(sim, "query($n: Int) { orders(first: $n) { nodes { id } } }", {"n": "ten"})
    assert "Variable '$n' got invalid value 'ten'" in body["errors"][0]["message"]
    assert body["data"] is None


def test_connections_require_first_or_last_and_cap_at_250(sim):
    body = gql(sim, "query { orders { nodes { id } } }")
    assert body["errors"][0]["message"] == "you must provide one of first or last"
    assert body["data"] is None
    body = gql(sim, "query { orders(first: 251) { nodes { id } } }")
    assert "250" in body["errors"][0]["message"]


def test_rest_order_sample_is_served_with_gids_and_money_bags(sim):
    rest = sample("orders_create")
    sim.seed_order(rest)
    order = data(sim, ORDER_QUERY, {"id": order_gid(rest)})["order"]
    assert order["id"] == "gid://shopify/Order/450789469"
    assert order["legacyResourceId"] == "450789469"
    assert order["name"] == "#1001"
    assert order["createdAt"] == "2026-03-13T20:09:54Z", "REST offset time becomes UTC"
    assert (order["displayFinancialStatus"], order["displayFulfillmentStatus"]) == (
        "PAID",
        "UNFULFILLED",
    )
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "421.88", "currencyCode": "USD"}
    assert order["totalPriceSet"]["presentmentMoney"] == {"amount": "421.88"}
    assert (
        order["subtotalPriceSet"]["shopMoney"]["amount"] == "388.0"
    ), "Decimal without trailing zeros"
    assert order["totalTaxSet"]["shopMoney"]["amount"] == "23.88"
    assert order["totalDiscountsSet"]["shopMoney"]["amount"] == "10.0"
    assert order["totalShippingPriceSet"]["shopMoney"]["amount"] == "10.0"
    assert order["customer"]["id"] == "gid://shopify/Customer/207119551"
    assert order["customer"]["defaultAddress"] == {
        "city": "Louisville",
        "provinceCode": "KY",
        "countryCodeV2": "US",
    }
    assert order["billingAddress"]["name"] == "Bob Norman"
    pink, black = order["lineItems"]["nodes"]
    assert pink["id"] == "gid://shopify/LineItem/466157049"
    assert (pink["sku"], pink["quantity"], pink["variantTitle"]) == ("IPOD2008PINK", 1, "Pink")
    assert pink["originalUnitPriceSet"]["shopMoney"]["amount"] == "199.0"
    assert pink["variant"] is None, "the sample's variants are not seeded yet"
    assert black["discountedUnitPriceSet"]["shopMoney"]["amount"] == "189.0"
    assert black["totalDiscountSet"]["shopMoney"]["amount"] == "10.0"
    assert black["taxLines"] == [
        {
            "title": "State Tax",
            "rate": 0.06,
            "ratePercentage": 6.0,
            "priceSet": {"shopMoney": {"amount": "11.34"}},
        }
    ]
    shipping = order["shippingLines"]["nodes"][0]
    assert (shipping["title"], shipping["code"], shipping["source"]) == (
        "Generic Shipping",
        "Free Shipping",
        "shopify",
    )
    assert shipping["originalPriceSet"]["shopMoney"]["amount"] == "10.0"
    assert order["taxLines"] == [
        {"title": "State Tax", "rate": 0.06, "priceSet": {"shopMoney": {"amount": "23.88"}}}
    ]
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    assert fulfillment_order["status"] == "OPEN"
    assert fulfillment_order["assignedLocation"]["name"] == "Main warehouse"
    assert [line["remainingQuantity"] for line in fulfillment_order["lineItems"]["nodes"]] == [1, 1]


def test_seeding_an_order_seeds_its_customer(sim):
    sim.seed_order(sample("orders_create"))
    customer = data(
        sim, 'query { customer(id: "gid://shopify/Customer/207119551") { email phone state } }'
    )
    assert customer["customer"] == {
        "email": "bob.norman@mail.example.com",
        "phone": "+16136120707",
        "state": "DISABLED",
    }


def test_customer_and_product_samples(sim):
    sim.seed_customer(sample("customers_create"))
    sim.seed_product(sample("products_create"))
    sim.seed_order(sample("orders_create"))
    customer = data(
        sim,
        """query { customer(id: "gid://shopify/Customer/207119551") {
          displayName tags note verifiedEmail taxExempt addresses(first: 5) { company address2 }
          defaultAddress { address1 } } }""",
    )["customer"]
    assert customer["displayName"] == "Bob Norman"
    assert customer["tags"] == ["vip", "newsletter"]
    assert [a["company"] for a in customer["addresses"]] == [None, "Norman Imports"]
    product = data(
        sim,
        """query { product(id: "gid://shopify/Product/632910392") {
          title handle status vendor productType options(first: 3) { name position values }
          variants(first: 10) { nodes { sku price position selectedOptions { name value }
            inventoryItem { legacyResourceId
              inventoryLevel(locationId: "gid://shopify/Location/655441491") {
              quantities(names: ["available", "committed"]) { name quantity } } } } } } }""",
    )["product"]
    assert (product["status"], product["vendor"], product["handle"]) == (
        "ACTIVE",
        "Apple",
        "ipod-nano",
    )
    assert product["options"] == [
        {"name": "Color", "position": 1, "values": ["Pink", "Red", "Green", "Black"]}
    ]
    pink = product["variants"]["nodes"][0]
    assert (pink["sku"], pink["price"], pink["selectedOptions"]) == (
        "IPOD2008PINK",
        "199.00",
        [{"name": "Color", "value": "Pink"}],
    )
    levels = pink["inventoryItem"]["inventoryLevel"]["quantities"]
    # the sample order took one at checkout: committed, no longer available
    assert levels == [{"name": "available", "quantity": 9}, {"name": "committed", "quantity": 1}]
    line = data(sim, ORDER_QUERY, {"id": "gid://shopify/Order/450789469"})["order"]["lineItems"][
        "nodes"
    ][0]
    assert line["variant"] == {
        "id": "gid://shopify/ProductVariant/808950810",
        "legacyResourceId": "808950810",
        "sku": "IPOD2008PINK",
    }
    assert line["product"]["title"] == "IPod Nano - 8GB"


def test_node_lookups_and_wrong_gid_types(sim):
    order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
    found = data(
        sim,
        """query($id: ID!, $ids: [ID!]!) { node(id: $id) { id ... on Order { name } }
          nodes(ids: $ids) { __typename id } order(id: "gid://shopify/Customer/1") { id } }""",
        {"id": order_gid(order), "ids": [order_gid(order), "gid://shopify/Order/1", "not-a-gid"]},
    )
    assert found["node"] == {"id": order_gid(order), "name": order["name"]}
    assert found["nodes"] == [{"__typename": "Order", "id": order_gid(order)}, None, None]
    assert found["order"] is None


def test_deleted_resources_answer_null(sim):
    made = sim.generate(
        customers=1, products=1, variants_per_product=1, orders=2, lines_per_order=1
    )
    first, second = made["orders"]
    variant = made["products"][0]["variants"][0]
    sim.delete("order", first["id"])
    sim.delete("product", made["products"][0]["id"])
    sim.delete("customers", made["customers"][0]["id"])
    found = data(
        sim,
        """query($order: ID!, $other: ID!, $variant: ID!) {
          order(id: $order) { id } node(id: $order) { id } productVariant(id: $variant) { id }
          other: order(id: $other) {
            customer { id } lineItems(first: 5) { nodes { variant { id } product { id } } }
          }
          orders(first: 10) { nodes { id } } }""",
        {
            "order": order_gid(first),
            "other": order_gid(second),
            "variant": f"gid://shopify/ProductVariant/{variant['id']}",
        },
    )
    assert found["order"] is None and found["node"] is None and found["productVariant"] is None
    assert found["other"]["customer"] is None
    assert found["other"]["lineItems"]["nodes"] == [{"variant": None, "product": None}]
    assert found["orders"]["nodes"] == [{"id": order_gid(second)}]


def test_every_answer_carries_cost_and_throttle_status(sim):
    sim.generate(customers=1, products=2, orders=3)
    body = gql(
        sim, "query { orders(first: 50) { nodes { id lineItems(first: 10) { nodes { id } } } } }"
    )
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 50 * (1 + 2 + 10)
    assert cost["actualQueryCost"] < cost["requestedQueryCost"], "only three orders came back"
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0


def test_a_query_over_the_max_cost_is_refused(sim):
    query = "query { orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }"
    body = gql(sim, query)
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["extensions"]["cost"]["requestedQueryCost"] > 1000


def test_shop_locations_and_headers(sim):
    sim.seed_location({"id": 24826418, "name": "Ottawa store", "active": True})
    sim.seed_location({"id": 24826419, "name": "Closed store", "active": False})
    response = post(
        sim,
        "query { shop { id name myshopifyDomain currencyCode ianaTimezone } "
        "locations(first: 5) { nodes { legacyResourceId name isActive } } location { name } }",
    )
    body = response.json()["data"]
    assert body["shop"]["myshopifyDomain"] == "sim-test.myshopify.com"
    assert body["shop"]["id"].startswith("gid://shopify/Shop/")
    assert [n["name"] for n in body["locations"]["nodes"]] == ["Ottawa store", "Main warehouse"]
    assert body["location"]["name"] == "Main warehouse"
    assert response.headers["X-Shopify-API-Version"] == "2026-01"
    assert response.headers["X-Request-Id"]
    other = post(sim, "query { shop { name } }", version="2025-10")
    assert other.headers["X-Shopify-API-Version"] == "2025-10"
    missing = requests.post(
        f"{sim.base_url}/admin/api/latest/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=5,
    )
    assert missing.status_code == 404


def test_bad_request_body_is_400(sim):
    response = requests.post(
        sim.graphql_url(), data=b"{not json", headers={"X-Shopify-Access-Token": TOKEN}, timeout=5
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


PAGE = """query Page($first: Int, $last: Int, $after: String, $before: String, $query: String,
    $sortKey: OrderSortKeys, $reverse: Boolean) {
  orders(first: $first, last: $last, after: $after, before: $before, query: $query,
      sortKey: $sortKey, reverse: $reverse) {
    edges { cursor node { legacyResourceId updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def page(sim, **variables):
    return data(sim, PAGE, variables)["orders"]


def ids(result):
    return [int(edge["node"]["legacyResourceId"]) for edge in result["edges"]]


def test_pagination_walks_every_order_once_in_both_directions(sim):
    made = sorted(o["id"] for o in sim.generate(customers=1, products=1, orders=7)["orders"])
    seen, after, pages = [], None, 0
    while True:
        result = page(sim, first=3, after=after, sortKey="ID")
        seen += ids(result)
        pages += 1
        assert result["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert seen == made and pages == 3
    last = page(sim, last=2, sortKey="ID")
    assert ids(last) == made[-2:] and last["pageInfo"]["hasPreviousPage"]
    before = page(sim, last=2, before=last["pageInfo"]["startCursor"], sortKey="ID")
    assert ids(before) == made[-4:-2]
    assert ids(page(sim, first=3, sortKey="ID", reverse=True)) == made[::-1][:3]
    bad = gql(sim, PAGE, {"first": 2, "after": "not-a-cursor"})
    assert bad["errors"][0]["message"] == "Invalid cursor for current pagination sort."


def test_updated_at_search_and_sort(sim):
    made = sim.generate(customers=1, products=1, orders=4)["orders"]
    edited = sim.touch("order", made[1]["id"])
    stamp = data(sim, "query($id: ID!) { order(id: $id) { updatedAt } }", {"id": order_gid(edited)})
    stamp = stamp["order"]["updatedAt"]
    assert ids(page(sim, first=10, query=f"updated_at:>='{stamp}'")) == [made[1]["id"]]
    assert ids(page(sim, first=10, query=f"updated_at:>'{stamp}'")) == []
    assert len(ids(page(sim, first=10, query=f"updated_at:<'{stamp}'"))) == 3
    assert len(ids(page(sim, first=10, query="updated_at:>'2026-01-01T00:00:00Z'"))) == 4
    by_update = page(sim, first=10, sortKey="UPDATED_AT")
    stamps = [edge["node"]["updatedAt"] for edge in by_update["edges"]]
    assert stamps == sorted(stamps) and ids(by_update)[-1] == made[1]["id"]
    newest_first = page(sim, first=1, sortKey="UPDATED_AT", reverse=True)
    assert ids(newest_first) == [made[1]["id"]]
    sim.touch("order", made[0]["id"])
    rest = page(
        sim,
        first=10,
        sortKey="UPDATED_AT",
        after=newest_first["pageInfo"]["endCursor"],
        reverse=True,
    )
    assert made[0]["id"] not in ids(rest), "keyset cursors: an order edited later is not re-listed"


def test_search_compares_times_across_offsets(sim):
    sim.seed_order(sample("orders_create"))  # updated 2026-03-13T16:09:54-04:00 = 20:09:54Z
    assert ids(page(sim, first=5, query="updated_at:>'2026-03-13T20:09:00Z'")) == [450789469]
    assert ids(page(sim, first=5, query="updated_at:>'2026-03-13T20:10:00Z'")) == []
    assert ids(page(sim, first=5, query="email:bob.norman@mail.example.com")) == [450789469]
    assert ids(page(sim, first=5, query="-financial_status:paid")) == []
    assert ids(page(sim, first=5, query="id:>=450789469 AND updated_at:<2026-03-14")) == [450789469]
