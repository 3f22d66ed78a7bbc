"""productSet: upsert by identifier, lists replaced, user errors, webhooks, a late answer."""

import pytest
import requests

from .helpers import gql, post

PRODUCT_SET = """mutation PublishProduct($input: ProductSetInput!,
    $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id legacyResourceId handle title vendor tags status descriptionHtml
      variants(first: 10) { nodes { id sku price compareAtPrice selectedOptions { name value } } } }
    userErrors { field message code }
  }
}"""


def _input(**extra):
    return {
        "title": "Odoo Shirt",
        "handle": "odoo-shirt-7",
        "vendor": "Odoo Works",
        "tags": ["b", "a"],
        "descriptionHtml": "<p>Soft</p>",
        "productOptions": [
            {"name": "Size", "position": 1, "values": [{"name": "S"}, {"name": "M"}]}
        ],
        "variants": [
            {
                "optionValues": [{"optionName": "Size", "name": "S"}],
                "sku": "OS-S",
                "price": "10.00",
            },
            {
                "optionValues": [{"optionName": "Size", "name": "M"}],
                "sku": "OS-M",
                "price": "11.00",
            },
        ],
        **extra,
    }


def _set(sim, data, identifier=None):
    body = gql(sim, PRODUCT_SET, {"input": data, "identifier": identifier})
    return body["data"]["productSet"]


def test_upsert_by_handle_makes_one_product_and_keeps_its_variants(sim):
    first = _set(sim, _input(), {"handle": "odoo-shirt-7"})
    assert first["userErrors"] == []
    product = first["product"]
    assert (product["title"], product["vendor"], product["status"]) == (
        "Odoo Shirt",
        "Odoo Works",
        "ACTIVE",
    )
    assert product["descriptionHtml"] == "<p>Soft</p>"
    again = _set(sim, _input(title="Odoo Shirt v2"), {"handle": "odoo-shirt-7"})["product"]
    assert again["id"] == product["id"]
    assert again["title"] == "Odoo Shirt v2"
    ids = [v["id"] for v in product["variants"]["nodes"]]
    assert [v["id"] for v in again["variants"]["nodes"]] == ids, "same option values: same variants"
    assert len([p for p in sim.store.products.values() if p.get("handle") == "odoo-shirt-7"]) == 1
    topics = [topic for topic, _id in sim.take_webhooks()]
    assert topics == ["products/create", "products/update"]
    assert sim.take_webhooks() == []


def test_update_by_id_changes_only_what_is_given_and_drops_left_out_variants(sim):
    product = _set(sim, _input(handle="odoo-shirt-8"))["product"]
    small = product["variants"]["nodes"][0]
    updated = _set(
        sim,
        {
            "variants": [
                {
                    "id": small["id"],
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    "price": "12.5",
                },
            ]
        },
        {"id": product["id"]},
    )["product"]
    assert updated["title"] == "Odoo Shirt", "not given: kept"
    assert [(v["id"], v["sku"], v["price"]) for v in updated["variants"]["nodes"]] == [
        (small["id"], "OS-S", "12.50")
    ]


def test_user_errors_apply_nothing(sim):
    before = len(sim.store.products)
    unknown = _set(sim, {"title": "X"}, {"id": "gid://shopify/Product/1"})
    assert unknown["product"] is None
    assert unknown["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"
    blank = _set(sim, {"title": " "})
    assert blank["userErrors"][0]["field"] == ["input", "title"]
    _set(sim, _input(handle="taken-1"))
    taken = _set(sim, _input(handle="taken-1"))
    assert (
        taken["userErrors"][0]["code"] == "HANDLE_NOT_UNIQUE"
    ), "a handle without identifier creates"
    assert len(sim.store.products) == before + 1


def test_a_timeout_after_the_write_leaves_the_product_created(sim):
    sim.slow_next(1, 1.5, operation="PublishProduct")
    with pytest.raises(requests.Timeout):
        post(
            sim,
            PRODUCT_SET,
            {"input": _input(handle="late-1"), "identifier": {"handle": "late-1"}},
            timeout=0.5,
        )
    assert len([p for p in sim.store.products.values() if p.get("handle") == "late-1"]) == 1
    retried = _set(sim, _input(handle="late-1"), {"handle": "late-1"})["product"]
    assert len([p for p in sim.store.products.values() if p.get("handle") == "late-1"]) == 1
    assert retried["handle"] == "late-1"
