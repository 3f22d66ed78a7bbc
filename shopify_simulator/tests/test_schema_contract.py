"""The simulator's schema is a strict subset of Shopify's published Admin schema.

For shopify_sync's default API version and its oldest supported one (docs/SCHEMA_CONTRACT.md):
any type, field, argument, input field or enum value the simulator has and Shopify has not (or
with another type), and any argument Shopify requires that the simulator lacks, fails the test.
"""

import pytest
from graphql import build_schema

from shopify_simulator.graphql_api import SCHEMA_VERSION, schema_for
from shopify_simulator.shopify_schema import (
    api_versions,
    missing_reason,
    shopify_schema,
    subset_differences,
    validate_document,
)

from .helpers import gql

SUPPORTED, DEFAULT, CONTRACT = api_versions()


def _shopify(version):
    reason = missing_reason([version])
    if reason:
        pytest.skip(reason)
    return shopify_schema(version)


def test_the_simulator_describes_the_default_version():
    assert SCHEMA_VERSION == DEFAULT, "schema.graphql describes shopify_sync's default API version"


@pytest.mark.parametrize("version", CONTRACT)
def test_simulator_schema_is_a_subset_of_shopify(version):
    differences = subset_differences(schema_for(version), _shopify(version))
    assert not differences, (
        f"the simulator's schema at {version} differs from Shopify's "
        f"in {len(differences)} place(s):\n" + "\n".join(differences)
    )


def test_the_comparison_finds_every_kind_of_difference():
    theirs = build_schema(
        """
        type Query { shop(id: ID!, first: Int): Shop }
        type Shop { name: String! tags: [String!]! }
        input ShopInput { name: String! note: String }
        enum Status { OPEN CLOSED }
        """
    )
    ours = build_schema(
        """
        type Query { shop(first: String, extra: Int): Shop other: Int }
        type Shop { name: String tags: [String!]! invented: Int }
        input ShopInput { note: Int made: String }
        enum Status { OPEN CLOSED GONE }
        type Invented { id: ID }
        """
    )
    assert subset_differences(ours, theirs) == [
        "argument field Query.shop(extra): not at Shopify",
        "argument field Query.shop(first): type String here, Int at Shopify",
        "argument field Query.shop(id): required at Shopify, missing here",
        "enum value Status.GONE: not at Shopify",
        "field Query.other: not at Shopify",
        "field Shop.invented: not at Shopify",
        "field Shop.name: type String here, String! at Shopify",
        "input ShopInput.made: not at Shopify",
        "input ShopInput.name: required at Shopify, missing here",
        "input ShopInput.note: type Int here, String at Shopify",
        "type Invented: not at Shopify",
    ]
    assert subset_differences(theirs, theirs) == []


def test_a_corrupted_field_name_is_named():
    schema = _shopify(DEFAULT)
    assert validate_document(schema, "query Shop { shop { name } }") == []
    assert validate_document(schema, "query Shop { shop { nmae } }") == [
        "Cannot query field 'nmae' on type 'Shop'. Did you mean 'name'?"
    ]


# -- what differs by version ----------------------------------------------------------------
INVENTORY_SET = """
mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { field message code } }
}
"""


def _inventory_input(**extra):
    return {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {
                "inventoryItemId": "gid://shopify/InventoryItem/1",
                "locationId": "gid://shopify/Location/1",
                "quantity": 1,
                **extra,
            }
        ],
    }


@pytest.mark.parametrize(
    "version, accepted", [("2026-01", True), ("2026-04", False), ("2026-10", False)]
)
def test_compare_quantity_exists_before_2026_04_only(sim, version, accepted):
    body = gql(
        sim,
        INVENTORY_SET,
        {"input": _inventory_input(compareQuantity=1)},
        version=version,
    )
    if accepted:
        assert "errors" not in body
    else:
        assert "compareQuantity" in body["errors"][0]["message"]


@pytest.mark.parametrize("version", SUPPORTED)
def test_every_supported_version_has_a_simulator_schema(version):
    schema = schema_for(version)
    fields = schema.type_map["InventoryQuantityInput"].fields
    assert ("compareQuantity" in fields) == (version < "2026-04")
    codes = schema.type_map["InventorySetQuantitiesUserErrorCode"].values
    assert ("ITEM_NOT_STOCKED_AT_LOCATION" in codes) == (version < "2026-10")
