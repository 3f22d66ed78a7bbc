"""Bulk query operations: run, poll, the JSONL result, the concurrency limit, faults."""

import json

import pytest
import requests

from shopify_simulator import SimulatorControl

from .helpers import SECRET, data, gql

RUN = """mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}"""
POLL = """query Poll($id: ID!) {
  node(id: $id) {
    ... on BulkOperation {
      id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url
      partialDataUrl query
    }
  }
}"""
PRODUCTS = """{ products { edges { node { id title
  variants(first: 10) { edges { node { id sku price } } } } } } }"""
ORDERS = """{ orders(query: "%s") { edges { node { id name createdAt
  customer { id email }
  lineItems { edges { node { id sku quantity } } } } } } }"""


def run(sim, query, **kwargs):
    return data(sim, RUN, {"query": query}, **kwargs)["bulkOperationRunQuery"]


def started(sim, query):
    payload = run(sim, query)
    assert payload["userErrors"] == [], payload
    assert payload["bulkOperation"]["status"] == "CREATED"
    return payload["bulkOperation"]["id"]


def poll(sim, gid, polls=200):
    """Poll as a client does; the statuses seen, and the last answer."""
    seen = []
    for _poll in range(polls):
        operation = data(sim, POLL, {"id": gid})["node"]
        seen.append(operation["status"])
        if operation["status"] not in ("CREATED", "RUNNING", "CANCELING"):
            return seen, operation
        sim.bulk_wait(gid.rsplit("/", 1)[1])  # no sleeping: the worker is done before the next poll
    raise AssertionError(f"still {seen[-1]} after {polls} polls")


def lines(url):
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response, [json.loads(line) for line in response.text.splitlines()]


def test_products_with_variants_as_jsonl_lines(sim):
    made = sim.generate(products=3, variants_per_product=2)
    gid = started(sim, PRODUCTS)
    seen, operation = poll(sim, gid)
    assert seen[0] == "RUNNING" and seen[-1] == "COMPLETED", seen
    assert operation["errorCode"] is None and operation["completedAt"]
    assert operation["query"] == PRODUCTS
    response, rows = lines(operation["url"])
    assert response.headers["Content-Type"] == "application/jsonl"
    assert int(operation["fileSize"]) == len(response.content)
    assert int(operation["objectCount"]) == len(rows) == 9
    assert int(operation["rootObjectCount"]) == 3
    parents = {}
    for row in rows:
        if "__parentId" not in row:
            assert row["id"].startswith("gid://shopify/Product/") and "variants" not in row
            parents[row["id"]] = []
        else:
            assert row["__parentId"] in parents, "a child comes after its parent"
            parents[row["__parentId"]].append(row["sku"])
    expected = {
        f"gid://shopify/Product/{p['id']}": [v["sku"] for v in p["variants"]]
        for p in made["products"]
    }
    assert parents == expected


def test_orders_with_line_items_honour_the_query_filter(sim):
    orders = sim.generate(customers=2, products=2, orders=5, lines_per_order=2)["orders"]
    old = orders[:2]
    for order in old:
        sim.seed_order(dict(order, created_at="2025-03-04T10:00:00-05:00"))
    gid = started(sim, ORDERS % "created_at:<'2026-01-01'")
    _seen, operation = poll(sim, gid)
    assert operation["status"] == "COMPLETED"
    _response, rows = lines(operation["url"])
    roots = [r for r in rows if "__parentId" not in r]
    assert [r["id"] for r in roots] == [f"gid://shopify/Order/{o['id']}" for o in old]
    assert all(r["createdAt"].startswith("2025-03-04") for r in roots)
    assert roots[0]["customer"]["email"] == old[0]["email"], "objects stay in their line"
    children = [r for r in rows if "__parentId" in r]
    assert {c["__parentId"] for c in children} == {r["id"] for r in roots}
    assert len(children) == 4 and all(
        c["id"].startswith("gid://shopify/LineItem/") for c in children
    )
    assert int(operation["rootObjectCount"]) == 2 and int(operation["objectCount"]) == 6
    everything = started(sim, ORDERS % "")
    _seen, operation = poll(sim, everything)
    assert int(operation["rootObjectCount"]) == 5 and int(operation["objectCount"]) == 15


def test_orders_updated_since_an_instant(sim):
    """``updated_at:>=`` selects the orders edited since then, as a backlog read asks for them."""
    orders = sim.generate(customers=2, products=2, orders=4, lines_per_order=2)["orders"]
    edited = sim.touch("order", orders[1]["id"])
    since = edited["updated_at"]  # the latest instant of the store: only this order is that recent
    gid = started(sim, ORDERS % f"updated_at:>='{since}'")
    _seen, operation = poll(sim, gid)
    _response, rows = lines(operation["url"])
    roots = [r for r in rows if "__parentId" not in r]
    assert [r["id"] for r in roots] == [f"gid://shopify/Order/{orders[1]['id']}"]
    assert len(rows) == 3, "its two line items follow it"
    later = started(sim, ORDERS % "updated_at:>'2999-01-01T00:00:00Z'")
    _seen, operation = poll(sim, later)
    assert operation["status"] == "COMPLETED"
    assert (operation["url"], operation["objectCount"]) == (None, "0"), "nothing since: no file"


def test_the_query_costs_the_mutation_only(sim):
    sim.generate(customers=300)
    body = gql(sim, RUN, {"query": "{ customers { edges { node { id email } } } }"})
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    assert body["extensions"]["cost"]["actualQueryCost"] == 10
    gid = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    _seen, operation = poll(sim, gid)
    assert int(operation["objectCount"]) == 300, "more than a page: bulk does not page"
    assert sim.bucket.status()["currentlyAvailable"] >= 1980


def test_a_sixth_concurrent_query_is_refused(sim):
    sim.generate(customers=2)
    sim.bulk_running(polls=100)
    ids = [started(sim, "{ customers { edges { node { id } } } }") for _n in range(5)]
    sixth = run(sim, "{ customers { edges { node { id } } } }")
    assert sixth["bulkOperation"] is None
    assert [e["code"] for e in sixth["userErrors"]] == ["LIMIT_REACHED"]
    assert len(sim.bulk_operations()) == 5, "no operation for the refused one"
    assert {data(sim, POLL, {"id": i})["node"]["status"] for i in ids} == {"RUNNING"}
    # once one is done, a new one may start
    sim.bulk_running(polls=0)
    sim.bulk_wait()
    assert run(sim, "{ customers { edges { node { id } } } }")["userErrors"] == []


def test_before_2026_01_one_query_at_a_time(sim):
    sim.bulk_running(polls=100)
    query = "{ customers { edges { node { id } } } }"
    first = run(sim, query, version="2025-10")["bulkOperation"]["id"]
    second = run(sim, query, version="2025-10")
    assert second["bulkOperation"] is None
    assert second["userErrors"][0]["code"] == "OPERATION_IN_PROGRESS"
    assert first in second["userErrors"][0]["message"]


def test_a_failed_operation_has_an_error_code_and_partial_data(sim):
    sim.generate(customers=10)
    sim.bulk_fail_next("TIMEOUT")
    _seen, operation = poll(sim, started(sim, "{ customers { edges { node { id } } } }"))
    assert operation["status"] == "FAILED" and operation["errorCode"] == "TIMEOUT"
    assert operation["url"] is None and operation["completedAt"] is None
    _response, rows = lines(operation["partialDataUrl"])
    assert len(rows) == int(operation["objectCount"]) == 5
    # the fault was for one operation only
    _seen, operation = poll(sim, started(sim, "{ customers { edges { node { id } } } }"))
    assert operation["status"] == "COMPLETED" and operation["errorCode"] is None


def test_an_expired_operation_has_no_url(sim):
    sim.generate(customers=2)
    query = "{ customers { edges { node { id } } } }"
    sim.bulk_expire_next()
    seen, operation = poll(sim, started(sim, query))
    assert "COMPLETED" not in seen and operation["status"] == "EXPIRED"
    assert operation["url"] is None
    _seen, operation = poll(sim, started(sim, query))
    assert operation["status"] == "COMPLETED"
    sim.bulk_expire()
    assert requests.get(operation["url"], timeout=5).status_code == 403
    after = data(sim, POLL, {"id": operation["id"]})["node"]
    assert after["status"] == "EXPIRED" and after["url"] is None


def test_current_bulk_operation_and_cancel(sim):
    sim.generate(customers=2)
    assert data(sim, "{ currentBulkOperation { id } }")["currentBulkOperation"] is None
    sim.bulk_running(polls=100)
    gid = started(sim, "{ customers { edges { node { id } } } }")
    current = data(sim, "{ currentBulkOperation(type: QUERY) { id status } }")
    assert current["currentBulkOperation"] == {"id": gid, "status": "RUNNING"}
    cancel = (
        "mutation($id: ID!) { bulkOperationCancel(id: $id) "
        "{ bulkOperation { id status } userErrors { message } } }"
    )
    payload = data(sim, cancel, {"id": gid})["bulkOperationCancel"]
    assert payload["userErrors"] == [] and payload["bulkOperation"]["status"] in (
        "CANCELING",
        "CANCELED",
    )
    sim.bulk_wait()
    assert data(sim, POLL, {"id": gid})["node"]["status"] == "CANCELED"
    again = data(sim, cancel, {"id": gid})["bulkOperationCancel"]
    assert again["userErrors"][0]["message"].endswith("canceled")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ shop { id } }", "at least one connection"),
        ('{ node(id: "gid://shopify/Order/1") { id } }', "'node' and 'nodes'"),
        ("{ products { edges { node { title variants { edges { node { id } } } } } } }", "'id'"),
        ("{ orders { edges { node { id nope } } } }", "Invalid bulk query"),
        (
            "{ orders { edges { node { id lineItems { edges { node { id } } } "
            "fulfillmentOrders { edges { node { id "
            "lineItems { edges { node { id } } } } } } } } } }",
            "nesting depth",
        ),
    ],
)
def test_queries_shopify_refuses_to_run_in_bulk(sim, query, message):
    payload = run(sim, query)
    assert payload["bulkOperation"] is None
    assert payload["userErrors"][0]["code"] == "INVALID"
    assert message in payload["userErrors"][0]["message"]
    assert sim.bulk_operations() == []


def test_control_api_drives_bulk_faults(sim):
    control = SimulatorControl(sim.base_url)
    sim.generate(customers=4)
    control.bulk_running(polls=2)
    control.bulk_fail_next("INTERNAL_SERVER_ERROR")
    seen, operation = poll(sim, started(sim, "{ customers { edges { node { id } } } }"))
    assert seen == ["RUNNING", "RUNNING", "FAILED"]
    assert operation["errorCode"] == "INTERNAL_SERVER_ERROR"
    control.bulk_running(polls=0)
    control.bulk_expire_next()
    _seen, operation = poll(sim, started(sim, "{ customers { edges { node { id } } } }"))
    assert operation["status"] == "EXPIRED"
    listed = control.bulk_operations()
    assert [o["status"] for o in listed] == ["FAILED", "EXPIRED"]
    with pytest.raises(requests.HTTPError):
        control.bulk_fail_next("NOT_A_CODE")


def test_generate_summary_for_large_stores(sim):
    made = SimulatorControl(sim.base_url).generate(
        customers=30, products=20, variants_per_product=2, orders=40, summary=True
    )
    assert made == {"customers": 30, "products": 20, "variants": 40, "orders": 40}
    assert len(sim.store.orders) == 40 and len(sim.store.variants) == 40
    skus = [v["sku"] for v in sim.store.variants.values()]
    assert len(set(skus)) == 40, "every product has its own SKU prefix"
    order = next(iter(sim.store.orders.values()))
    customer = sim.store.customers[order["customer"]["id"]]
    assert order["customer"]["default_address"] is not customer["default_address"]
    assert len(sim.store.fulfillment_orders_of(order["id"])) == 1
    _seen, operation = poll(sim, started(sim, ORDERS % ""))
    assert int(operation["rootObjectCount"]) == 40 and int(operation["objectCount"]) == 120


def test_a_token_without_the_read_scope_gets_access_denied(sim):
    sim.generate(customers=2, products=1, orders=2)
    sim.set_app_scopes(["read_products"])
    form = {"grant_type": "client_credentials", "client_id": sim.client_id, "client_secret": SECRET}
    issued = requests.post(f"{sim.base_url}/admin/oauth/access_token", data=form, timeout=10)
    limited = issued.json()["access_token"]
    denied = run(sim, ORDERS % "", token=limited)["bulkOperation"]["id"]
    allowed = run(sim, PRODUCTS, token=limited)["bulkOperation"]["id"]
    _seen, operation = poll(sim, denied)
    assert operation["status"] == "FAILED" and operation["errorCode"] == "ACCESS_DENIED"
    assert operation["partialDataUrl"] is None and operation["objectCount"] == "0"
    _seen, operation = poll(sim, allowed)
    assert operation["status"] == "COMPLETED"


def test_an_operation_stays_running_for_the_seconds_asked(sim):
    sim.generate(customers=2)
    SimulatorControl(sim.base_url).bulk_running(polls=0, seconds=3600)
    gid = started(sim, "{ customers { edges { node { id } } } }")
    sim.bulk_wait()
    for _poll in range(3):
        assert data(sim, POLL, {"id": gid})["node"]["status"] == "RUNNING"
    sim.bulk_running(seconds=0)
    assert data(sim, POLL, {"id": gid})["node"]["status"] == "COMPLETED"
    assert sim.bulk.pending() == {"faults": [], "running_polls": 0, "running_seconds": 0.0}
    sim.reset_faults()
    assert sim.bulk.pending()["running_polls"] == 1


def test_the_file_resumes_from_a_byte_range(sim):
    sim.generate(products=4, variants_per_product=2)
    _seen, operation = poll(sim, started(sim, PRODUCTS))
    whole = requests.get(operation["url"], timeout=10).content
    start = whole.index(b"\n", len(whole) // 2) + 1
    rest = requests.get(operation["url"], headers={"Range": f"bytes={start}-"}, timeout=10)
    assert rest.status_code == 206
    assert rest.headers["Content-Range"] == f"bytes {start}-{len(whole) - 1}/{len(whole)}"
    assert rest.content == whole[start:]
    past = requests.get(operation["url"], headers={"Range": f"bytes={len(whole)}-"}, timeout=10)
    assert past.status_code == 416
