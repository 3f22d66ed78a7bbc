"""Runs Admin API GraphQL documents against the store: validation, execution, cost, errors."""

import re
from functools import cache, cached_property
from pathlib import Path

from graphql import build_schema, execute, parse, validate
from graphql.error import GraphQLError
from graphql.utilities import get_operation_ast

from .formatting import parse_gid
from .mutations import Mutations
from .nodes import NodeFactory
from .pagination import check_page_size, connection, root_window
from .query_cost import QueryCost
from .search import matches, parse_query, search

HERE = Path(__file__).parent
# schema.graphql describes this API version (shopify_sync's default); tests/test_schema_contract.py
# checks it is a strict subset of Shopify's published schema for it.
SCHEMA_VERSION = "2026-10"
# What an older version still has, as `extend` definitions of schema.graphql: every version
# before the first one of a pair gets its file (Shopify removed those inputs and values then).
OLDER_VERSIONS = (
    ("2026-04", "schema_before_2026-04.graphql"),
    ("2026-10", "schema_before_2026-10.graphql"),
)


@cache
def schema_for(version=None):
    """The simulator's schema as it answers at API ``version`` (None: SCHEMA_VERSION)."""
    sdl = [(HERE / "schema.graphql").read_text(), (HERE / "schema_enums.graphql").read_text()]
    version = version or SCHEMA_VERSION
    for before, name in OLDER_VERSIONS:
        if version != "unstable" and version < before:
            sdl.append((HERE / name).read_text())
    return build_schema("\n".join(sdl))


SCHEMA = schema_for(SCHEMA_VERSION)

# graphql-core's validation messages, rewritten to the text and codes Shopify answers.
VALIDATION_MESSAGES = [
    (
        re.compile(r"Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'"),
        "Field '{field}' doesn't exist on type '{type}'",
        "undefinedField",
        lambda m: {"typeName": m["type"], "fieldName": m["field"]},
    ),
    (
        re.compile(r"Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'"),
        "Field '{field}' doesn't accept argument '{arg}'",
        "argumentNotAccepted",
        lambda m: {"name": m["field"], "typeName": "Field", "argumentName": m["arg"]},
    ),
    (
        re.compile(r"Field '(?P<field>\w+)' argument '(?P<arg>\w+)' of type '[^']+' is required"),
        "Field '{field}' is missing required arguments: {arg}",
        "missingRequiredArguments",
        lambda m: {"className": "Field", "name": m["field"], "arguments": m["arg"]},
    ),
    (
        re.compile(r"Unknown type '(?P<type>\w+)'"),
        "No such type {type}, so it can't be a fragment condition",
        "undefinedType",
        lambda m: {"typeName": m["type"]},
    ),
    (
        re.compile(r"Variable '\$(?P<var>\w+)' is never used"),
        "Variable ${var} is declared by {operation} but not used",
        "variableNotUsed",
        lambda m: {"variableName": m["var"]},
    ),
]
ROOT_CONNECTIONS = {"orders": "order", "customers": "customer", "products": "product"}
DEFAULT_SORT = {"order": "PROCESSED_AT", "customer": "ID", "product": "ID"}


class Prepared:
    """A parsed and validated request, with its requested cost, ready to run."""

    def __init__(
        self,
        document=None,
        errors=None,
        cost=None,
        variables=None,
        operation_name=None,
        schema=None,
    ):
        self.document, self.errors, self.cost = document, errors, cost
        self.variables, self.operation_name = variables or {}, operation_name
        self.schema = schema or SCHEMA

    @cached_property
    def requested_cost(self):
        return self.cost.requested() if self.cost else 0

    @property
    def is_mutation(self):
        return bool(self.cost and self.cost.is_mutation)


class GraphQLApi:
    def __init__(self, store):
        self.store = store
        self.nodes = NodeFactory(store)
        self.idempotent_results = {}  # (mutation name, key) -> {"fingerprint", "replay"}
        self.mutations = Mutations(self)
        self.root = self._root()

    # -- entry points ---------------------------------------------------------------
    def prepare(self, query, variables=None, operation_name=None, version=None):
        schema = schema_for(version)
        try:
            document = parse(query)
        except GraphQLError as error:
            return Prepared(errors=[_formatted(error)])
        errors = validate(schema, document)
        if errors:
            operation = get_operation_ast(document, operation_name)
            label = (
                f"{operation.operation.value} '{operation.name.value}'"
                if operation and operation.name
                else "anonymous query"
            )
            return Prepared(errors=[self._validation_error(e, label) for e in errors])
        if get_operation_ast(document, operation_name) is None:
            message = (
                f"No operation named '{operation_name}'"
                if operation_name
                else "An operation name is required"
            )
            return Prepared(
                errors=[{"message": message, "extensions": {"code": "operationNotFound"}}]
            )
        cost = QueryCost(schema, document, variables, operation_name)
        return Prepared(
            document, None, cost, variables, operation_name=operation_name, schema=schema
        )

    def run(self, prepared):
        """Execute; return (body without extensions, actual cost, [mutation records])."""
        context = {"pending": []}
        with self.store.lock:
            result = execute(
                prepared.schema,
                prepared.document,
                root_value=self.root,
                context_value=context,
                variable_values=prepared.variables,
                operation_name=prepared.operation_name,
            )
        body = {}
        if result.errors:
            body["errors"] = [_formatted(e) for e in result.errors]
        body["data"] = result.data
        for entry in context["pending"]:
            entry["result"] = (result.data or {}).get(entry.pop("alias"))
        actual = prepared.cost.actual(result.data) if result.data is not None else 0
        return body, min(actual, prepared.requested_cost), context["pending"]

    @staticmethod
    def _validation_error(error, operation_label):
        formatted = _formatted(error)
        message = error.message.replace('"', "'")
        for pattern, template, code, extra in VALIDATION_MESSAGES:
            match = pattern.search(message)
            if match:
                formatted["message"] = template.format(
                    operation=operation_label, **match.groupdict()
                )
                formatted["extensions"] = {"code": code, **extra(match)}
                break
        return formatted

    # -- root fields ------------------------------------------------------------------
    def _root(self):
        nodes, store = self.nodes, self.store

        def by_gid(kind, build):
            def resolve(_info, id):
                gid_kind, numeric = parse_gid(id)
                return build(numeric) if gid_kind == kind and numeric is not None else None

            return resolve

        root = {
            "shop": lambda _info: nodes.shop(),
            "node": lambda _info, id: nodes.by_gid(id),
            "nodes": lambda _info, ids: [nodes.by_gid(i) for i in ids],
            "order": by_gid("Order", lambda i: nodes.order(store.orders.get(i))),
            "customer": by_gid("Customer", lambda i: nodes.customer(store.customers.get(i))),
            "company": by_gid("Company", lambda i: nodes.company(store.companies.get(i))),
            "product": by_gid("Product", lambda i: nodes.product(store.products.get(i))),
            "productVariant": by_gid(
                "ProductVariant", lambda i: nodes.variant(store.variants.get(i))
            ),
            "fulfillment": by_gid(
                "Fulfillment", lambda i: nodes.fulfillment(store.fulfillments.get(i))
            ),
            "fulfillmentOrder": by_gid(
                "FulfillmentOrder",
                lambda i: nodes.fulfillment_order(store.fulfillment_orders.get(i)),
            ),
            "refund": by_gid("Refund", lambda i: nodes.refund(store.refunds.get(i))),
            "return": by_gid("Return", lambda i: nodes.return_node(store.returns.get(i))),
            "inventoryItem": by_gid("InventoryItem", nodes.inventory_item),
            "inventoryLevel": lambda _info, id: nodes.by_gid(id)
            if id.startswith("gid://shopify/InventoryLevel/")
            else None,
            "location": self._location,
            "shopifyPaymentsAccount": lambda _info: nodes.shopify_payments_account(),
            "locations": self._locations,
        }
        for field, resource in ROOT_CONNECTIONS.items():
            root[field] = self._search(resource)
        root["ordersCount"] = self._orders_count
        root.update(self.mutations.resolvers())
        return root

    def _orders_count(self, _info, query=None, limit=10000, savedSearchId=None):  # noqa: N803
        """Orders matching ``query``: at most ``limit`` (then AT_LEAST), as Shopify counts them."""
        del savedSearchId  # saved searches are not simulated
        terms = parse_query(query)
        found = sum(
            1 for record in list(self.store.orders.values()) if matches("order", record, terms)
        )
        if limit is not None and found > limit:
            return {"count": limit, "precision": "AT_LEAST"}
        return {"count": found, "precision": "EXACT"}

    def _location(self, _info, id=None):
        """``location`` without an id is the shop's primary location."""
        if id is None:
            return self.nodes.location(self.store.first_location_id())
        kind, numeric = parse_gid(id)
        return self.nodes.location(numeric) if kind == "Location" else None

    def _search(self, resource):
        build = getattr(self.nodes, resource)

        def resolve(
            _info,
            first=None,
            after=None,
            last=None,
            before=None,
            reverse=False,
            query=None,
            sortKey=None,
        ):
            check_page_size(first, last)
            found = root_window(
                lambda: search(
                    resource,
                    list(self.store.collection(resource).values()),
                    query,
                    sortKey or DEFAULT_SORT[resource],
                ),
                reverse,
            )
            return connection(found, first, after, last, before, reverse, build=build)

        return resolve

    def _locations(
        self,
        _info,
        first=None,
        after=None,
        last=None,
        before=None,
        reverse=False,
        query=None,
        includeInactive=False,
    ):
        check_page_size(first, last)
        entries = [
            (location_id, location_id, self.nodes.location(location_id))
            for location_id, rest in sorted(self.store.locations.items())
            if includeInactive or rest.get("active", True)
        ]
        return connection(entries, first, after, last, before, reverse)


def _formatted(error):
    formatted = dict(error.formatted)
    if not formatted.get("extensions"):
        formatted.pop("extensions", None)
    return formatted
