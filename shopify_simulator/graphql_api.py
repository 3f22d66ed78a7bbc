"""Executes Admin API GraphQL documents against the store: queries, mutations, cost."""

import json
import re
from pathlib import Path

from graphql import build_schema, graphql_sync, parse, validate
from graphql.error import GraphQLError
from graphql.language import FieldNode, OperationDefinitionNode

from .nodes import GID_TYPES, NodeFactory, connection, gid, parse_gid

SCHEMA = build_schema((Path(__file__).parent / "schema.graphql").read_text())
_UPDATED_FILTER = re.compile(r"updated_at:(>=|>|<=|<)'?([0-9T:\-Z.+]+)'?")
SEARCH_ROOTS = {"orders": "order", "customers": "customer", "products": "product"}


def query_cost(document):
    """Shopify-like requested cost: 1 per object field, connections multiply by ``first``."""

    def cost(selection_set, multiplier):
        total = 0
        for selection in selection_set.selections if selection_set else []:
            if not isinstance(selection, FieldNode) or not selection.selection_set:
                continue
            first = next((a.value for a in selection.arguments or [] if a.name.value == "first"), None)
            size = int(getattr(first, "value", 1) or 1) if first is not None else 1
            total += multiplier + cost(selection.selection_set, multiplier * min(size, 250))
        return total

    total = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            base = 10 if definition.operation.value == "mutation" else 1
            total += base + cost(definition.selection_set, 1)
    return max(total, 1)


class GraphQLApi:
    def __init__(self, simulator):
        self.sim = simulator
        self.store = simulator.store
        self.nodes = NodeFactory(self.store)

    # -- entry point --------------------------------------------------------------
    def execute(self, query, variables, operation_name):
        """Return (body dict, requested cost). Raises GraphQLError on a syntax error."""
        document = parse(query)
        errors = validate(SCHEMA, document)
        if errors:
            return {"errors": [self._format_error(e) for e in errors]}, 0
        cost = query_cost(document)
        idempotency = _idempotency_key(document, variables or {})
        with self.store.lock:
            result = graphql_sync(
                SCHEMA,
                query,
                root_value=self._root(idempotency),
                variable_values=variables or {},
                operation_name=operation_name,
            )
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [self._format_error(e) for e in result.errors]
        return body, cost

    @staticmethod
    def actual_cost(data):
        """Shopify refunds the difference: 1 per object actually returned."""
        if isinstance(data, dict):
            return 1 + sum(GraphQLApi.actual_cost(value) for value in data.values())
        if isinstance(data, list):
            return sum(GraphQLApi.actual_cost(value) for value in data)
        return 0

    @staticmethod
    def _format_error(error):
        formatted = error.formatted
        code = "undefinedField" if "Cannot query field" in error.message else "GRAPHQL_ERROR"
        formatted.setdefault("extensions", {})["code"] = code
        return formatted

    # -- roots -----------------------------------------------------------------------
    def _root(self, idempotency):
        n, store = self.nodes, self.store

        def by_gid(kind, builder):
            def resolve(_info, id):  # noqa: A002 - GraphQL argument name
                gid_kind, numeric = parse_gid(id)
                if gid_kind != kind:
                    return None
                return builder(numeric)

            return resolve

        return {
            "shop": {
                "id": gid("Shop", 1),
                "name": self.sim.shop_name,
                "myshopifyDomain": store.shop_domain,
                "currencyCode": store.currency,
                "ianaTimezone": "America/New_York",
            },
            "node": lambda _info, id: self._node(id),
            "order": by_gid("Order", lambda i: n.order(store.orders.get(i))),
            "customer": by_gid("Customer", lambda i: n.customer(store.customers.get(i))),
            "product": by_gid("Product", lambda i: n.product(store.products.get(i))),
            "productVariant": by_gid("ProductVariant", lambda i: n.variant(store.variants.get(i))),
            "fulfillment": by_gid("Fulfillment", lambda i: n.fulfillment(store.fulfillments.get(i))),
            "fulfillmentOrder": by_gid(
                "FulfillmentOrder", lambda i: n.fulfillment_order(store.fulfillment_orders.get(i))
            ),
            "refund": by_gid("Refund", lambda i: n.refund(store.refunds.get(i))),
            "inventoryItem": by_gid("InventoryItem", lambda i: n.inventory_item({"inventory_item_id": i})),
            "location": by_gid("Location", lambda i: n.location(i)),
            "orders": self._search("order", n.order),
            "customers": self._search("customer", n.customer),
            "products": self._search("product", n.product),
            "locations": lambda _info, first=None, after=None: connection(
                [n.location(i) for i in store.locations], first, after
            ),
            "metafieldsSet": lambda _info, metafields: self._metafields_set(metafields),
            "inventorySetQuantities": lambda _info, input: self._inventory_set(input, idempotency),  # noqa: A002
            "fulfillmentCreate": lambda _info, fulfillment, message=None: self._fulfillment_create(
                fulfillment, idempotency
            ),
        }

    def _node(self, value):
        kind, numeric = parse_gid(value)
        resource = GID_TYPES.get(kind)
        if not resource:
            return None
        builder = getattr(self.nodes, resource if resource != "variant" else "variant")
        record = self.store.collection(resource).get(numeric)
        return builder(record) if record else None

    def _search(self, resource, builder):
        def resolve(_info, first=None, after=None, query=None, sortKey=None, reverse=False):  # noqa: N803
            records = list(self.store.collection(resource).values())
            for op, stamp in _UPDATED_FILTER.findall(query or ""):
                stamp = stamp.replace(".000", "")
                records = [r for r in records if _compare(r.get("updated_at") or "", op, stamp)]
            key = "updated_at" if sortKey == "UPDATED_AT" else "id"
            records.sort(
                key=lambda r: (r.get(key) or "", r["id"]) if key == "updated_at" else r["id"], reverse=bool(reverse)
            )
            return connection([builder(r) for r in records], first, after)

        return resolve

    # -- mutations -----------------------------------------------------------------
    def _record(self, name, variables, key, result, applied):
        self.sim.record_mutation(name, variables, key, result, applied)
        return result

    def _metafields_set(self, metafields):
        saved, errors = [], []
        for i, item in enumerate(metafields):
            kind, numeric = parse_gid(item["ownerId"])
            resource = GID_TYPES.get(kind)
            if not resource or numeric not in self.store.collection(resource):
                errors.append(
                    {
                        "field": ["metafields", str(i), "ownerId"],
                        "message": "Owner does not exist",
                        "code": "INVALID_VALUE",
                    }
                )
                continue
            now = self.store.tick()
            namespace = item.get("namespace") or "app"
            owner = self.store.metafields.setdefault(item["ownerId"], {})
            previous = owner.get((namespace, item["key"]))
            metafield = {
                "id": previous["id"] if previous else gid("Metafield", self.store.next_id()),
                "namespace": namespace,
                "key": item["key"],
                "type": item.get("type") or "single_line_text_field",
                "value": item["value"],
                "ownerType": kind.upper(),
                "createdAt": previous["createdAt"] if previous else now,
                "updatedAt": now,
            }
            owner[(namespace, item["key"])] = metafield
            saved.append(metafield)
        result = {"metafields": saved if not errors else None, "userErrors": errors}
        return self._record("metafieldsSet", {"metafields": metafields}, None, result, not errors)

    def _inventory_set(self, data, key):
        if key and key in self.sim.idempotent_results:
            return self._record("inventorySetQuantities", data, key, self.sim.idempotent_results[key], False)
        changes, errors = [], []
        for i, quantity in enumerate(data["quantities"]):
            item = parse_gid(quantity["inventoryItemId"])[1]
            location = parse_gid(quantity["locationId"])[1]
            current = self.store.inventory.get((item, location))
            if current is None:
                errors.append(
                    {
                        "field": ["input", "quantities", str(i)],
                        "message": "Item not stocked at location",
                        "code": "ITEM_NOT_STOCKED_AT_LOCATION",
                    }
                )
                continue
            for field, code in (
                ("changeFromQuantity", "CHANGE_FROM_QUANTITY_STALE"),
                ("compareQuantity", "COMPARE_QUANTITY_STALE"),
            ):
                if quantity.get(field) is not None and int(quantity[field]) != current:
                    errors.append(
                        {
                            "field": ["input", "quantities", str(i), field],
                            "message": f"The {field} argument no longer matches the persisted quantity.",
                            "code": code,
                        }
                    )
            changes.append((item, location, int(quantity["quantity"]), current))
        if errors:
            result = {"inventoryAdjustmentGroup": None, "userErrors": errors}
            return self._record("inventorySetQuantities", data, key, result, False)
        applied = []
        for item, location, new, current in changes:
            self.store.inventory[(item, location)] = new
            applied.append(
                {
                    "name": data.get("name") or "available",
                    "delta": new - current,
                    "quantityAfterChange": new,
                    "item": self.nodes.inventory_item({"inventory_item_id": item}),
                    "location": self.nodes.location(location),
                }
            )
        result = {
            "inventoryAdjustmentGroup": {
                "id": gid("InventoryAdjustmentGroup", self.store.next_id()),
                "reason": data["reason"],
                "referenceDocumentUri": data.get("referenceDocumentUri"),
                "changes": applied,
            },
            "userErrors": [],
        }
        if key:
            self.sim.idempotent_results[key] = result
        return self._record("inventorySetQuantities", data, key, result, True)

    def _fulfillment_create(self, data, key):
        if key and key in self.sim.idempotent_results:
            return self._record("fulfillmentCreate", data, key, self.sim.idempotent_results[key], False)
        lines, errors, order_id = [], [], None
        for group in data["lineItemsByFulfillmentOrder"]:
            fo = self.store.fulfillment_orders.get(parse_gid(group["fulfillmentOrderId"])[1])
            if not fo:
                errors.append({"field": ["fulfillment"], "message": "Fulfillment order does not exist"})
                continue
            order_id = fo["order_id"]
            wanted = group.get("fulfillmentOrderLineItems") or [
                {"id": gid("FulfillmentOrderLineItem", line["id"]), "quantity": line["remaining"]}
                for line in fo["lines"]
            ]
            for item in wanted:
                line = next((x for x in fo["lines"] if x["id"] == parse_gid(item["id"])[1]), None)
                if not line or int(item["quantity"]) > line["remaining"]:
                    errors.append({"field": ["fulfillment"], "message": "Invalid fulfillment order line item quantity"})
                    continue
                lines.append({"id": line["line_item_id"], "quantity": int(item["quantity"])})
        if errors or not lines:
            result = {"fulfillment": None, "userErrors": errors or [{"field": ["fulfillment"], "message": "Nothing"}]}
            return self._record("fulfillmentCreate", data, key, result, False)
        tracking = data.get("trackingInfo") or {}
        rest = self.store.seed_fulfillment(
            order_id,
            {
                "status": "success",
                "tracking_company": tracking.get("company"),
                "tracking_number": tracking.get("number"),
                "line_items": lines,
            },
        )
        result = {"fulfillment": self.nodes.fulfillment(rest), "userErrors": []}
        if key:
            self.sim.idempotent_results[key] = result
        return self._record("fulfillmentCreate", data, key, result, True)


def _compare(value, op, stamp):
    return {">": value > stamp, ">=": value >= stamp, "<": value < stamp, "<=": value <= stamp}[op]


def _idempotency_key(document, variables):
    """The ``@idempotent(key:)`` directive of the first mutation field, if any."""
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for selection in definition.selection_set.selections:
            for directive in getattr(selection, "directives", None) or []:
                if directive.name.value != "idempotent":
                    continue
                for argument in directive.arguments:
                    value = argument.value
                    if value.kind == "variable":
                        return variables.get(value.name.value)
                    return value.value
    return None


def json_error(message, code):
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


__all__ = ["GraphQLApi", "GraphQLError", "SEARCH_ROOTS", "json_error", "query_cost"]
