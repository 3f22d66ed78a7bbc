"""The mutations: metafieldsSet, inventorySetQuantities, fulfillmentCreate, productSet, order edits.

Each validates its whole input first and applies nothing when there is a user
error, as Shopify does. ``@idempotent(key:)`` on inventorySetQuantities and
fulfillmentCreate replays the first successful result for a repeated key;
the same key with different arguments is refused
(``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``).
"""

import json
from decimal import Decimal, InvalidOperation

from graphql.execution.values import get_directive_values

from .formatting import gid, graphql_time, parse_gid
from .nodes import app_namespace
from .order_edit_mutations import OrderEditMutations
from .product_mutations import ProductMutations
from .return_mutations import ReturnMutations
from .stock_mutations import StockMutations

MAX_METAFIELDS = 25
METAFIELD_OWNERS = {
    "Order": "order",
    "Customer": "customer",
    "Product": "product",
    "ProductVariant": "variant",
}
METAFIELD_TYPES = {
    "single_line_text_field",
    "multi_line_text_field",
    "json",
    "number_integer",
    "number_decimal",
    "boolean",
    "date",
    "date_time",
    "url",
    "color",
    "weight",
    "dimension",
    "volume",
    "rating",
    "money",
    "product_reference",
    "variant_reference",
    "customer_reference",
    "order_reference",
    "file_reference",
}
IDEMPOTENT_MUTATIONS = {"inventorySetQuantities", "fulfillmentCreate"}


def _valid_value(kind, value):
    try:
        if kind == "json":
            json.loads(value)
        elif kind == "number_integer":
            int(value)
        elif kind == "number_decimal":
            Decimal(value)
        elif kind == "boolean":
            return value in ("true", "false")
        elif kind == "url":
            return value.startswith(("http://", "https://", "mailto:", "sms:", "tel:"))
        elif kind == "single_line_text_field":
            return "\n" not in value
    except (ValueError, InvalidOperation):
        return False
    return True


class Mutations(StockMutations, ProductMutations, OrderEditMutations, ReturnMutations):
    def __init__(self, api):
        self.api = api
        self.store = api.store
        self.nodes = api.nodes

    def resolvers(self):
        return {
            "metafieldsSet": lambda info, metafields: self._run(
                info, "metafieldsSet", {"metafields": metafields}
            ),
            "inventorySetQuantities": lambda info, input: self._run(
                info, "inventorySetQuantities", {"input": input}
            ),
            "fulfillmentCreate": lambda info, fulfillment, message=None: self._run(
                info, "fulfillmentCreate", {"fulfillment": fulfillment, "message": message}
            ),
            "orderEditBegin": lambda info, id: self._run(info, "orderEditBegin", {"id": id}),
            "orderEditAddVariant": lambda info, **args: self._run(
                info, "orderEditAddVariant", args
            ),
            "orderEditSetQuantity": lambda info, **args: self._run(
                info, "orderEditSetQuantity", args
            ),
            "orderEditCommit": lambda info, **args: self._run(info, "orderEditCommit", args),
            "productSet": lambda info, input, identifier=None, synchronous=True: self._run(
                info,
                "productSet",
                {"input": input, "identifier": identifier, "synchronous": synchronous},
            ),
            **self.return_resolvers(),
        }

    # -- bookkeeping -----------------------------------------------------------------
    def _run(self, info, name, args):
        node = info.field_nodes[0]
        directive = info.schema.get_directive("idempotent")
        key = (get_directive_values(directive, node, info.variable_values) or {}).get("key")
        key = key if name in IDEMPOTENT_MUTATIONS else None
        fingerprint = json.dumps(args, sort_keys=True, default=str)
        entry = {
            "name": name,
            "alias": node.alias.value if node.alias else name,
            "input": args,
            # the mutation's input object ({"metafields": [...]} for metafieldsSet)
            "variables": args.get("input") or args.get("fulfillment") or args,
            "idempotency_key": key,
            "applied": False,
            "replayed": False,
        }
        info.context["pending"].append(entry)
        previous = self.api.idempotent_results.get((name, key)) if key else None
        if previous and previous["fingerprint"] != fingerprint:
            message = "The same idempotency key cannot be used with different operation parameters."
            return self._refusal(name, message, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
        if previous:
            entry["replayed"] = True
            return previous["replay"]()
        extra = {"schema": info.schema} if name == "inventorySetQuantities" else {}
        payload, replay = getattr(self, f"_{name}")(**args, **extra)
        entry["applied"] = replay is not None
        if key and replay is not None:
            self.api.idempotent_results[(name, key)] = {
                "fingerprint": fingerprint,
                "replay": replay,
            }
        return payload

    @staticmethod
    def _refusal(name, message, code):
        if name == "fulfillmentCreate":
            return {"fulfillment": None, "userErrors": [{"field": None, "message": message}]}
        return {
            "inventoryAdjustmentGroup": None,
            "userErrors": [{"field": None, "message": message, "code": code}],
        }

    # -- metafieldsSet --------------------------------------------------------------------
    def _metafieldsSet(self, metafields):
        errors = []
        if len(metafields) > MAX_METAFIELDS:
            message = f"Exceeded the maximum metafields input limit of {MAX_METAFIELDS}."
            errors.append(
                {"field": ["metafields"], "message": message, "code": "LESS_THAN_OR_EQUAL_TO"}
            )
        for index, item in enumerate(metafields):
            errors += self._metafield_errors(index, item)
        if errors:
            return {"metafields": [], "userErrors": errors}, None
        saved = [self._save_metafield(item) for item in metafields]
        return {"metafields": [self.nodes.metafield(m) for m in saved], "userErrors": []}, (
            lambda: {"metafields": [self.nodes.metafield(m) for m in saved], "userErrors": []}
        )

    def _metafield_errors(self, index, item):
        def error(field, message, code):
            return {
                "field": ["metafields", str(index), field],
                "message": message,
                "code": code,
                "elementIndex": index,
            }

        kind, numeric = parse_gid(item["ownerId"])
        resource = METAFIELD_OWNERS.get(kind)
        if not resource or self.store.get(resource, numeric) is None:
            return [error("ownerId", "Owner does not exist.", "INVALID")]
        namespace, key = app_namespace(item.get("namespace")), item["key"]
        existing = self.store.metafields.get(item["ownerId"], {}).get((namespace, key))
        kind = item.get("type") or (existing or {}).get("type")
        found = []
        if len(key) < 2:
            found.append(error("key", "Key is too short (minimum is 2 characters).", "TOO_SHORT"))
        if len(key) > 64:
            found.append(error("key", "Key is too long (maximum is 64 characters).", "TOO_LONG"))
        if len(namespace) < 2:
            found.append(
                error("namespace", "Namespace is too short (minimum is 2 characters).", "TOO_SHORT")
            )
        if not kind:
            found.append(error("type", "Type can't be blank.", "BLANK"))
        elif kind not in METAFIELD_TYPES or (existing and existing["type"] != kind):
            found.append(
                error("type", f"Type '{kind}' is invalid for this metafield.", "INVALID_TYPE")
            )
        elif not _valid_value(kind, item["value"]):
            found.append(error("value", f"Value is invalid for type {kind}.", "INVALID_VALUE"))
        if "compareDigest" in item:
            current = self.nodes.metafield(existing)["compareDigest"] if existing else None
            if item["compareDigest"] != current:
                message = (
                    "The resource has been updated since it was loaded. "
                    "Try again with an updated `compareDigest` value."
                )
                found.append(error("compareDigest", message, "STALE_OBJECT"))
        return found

    def _save_metafield(self, item):
        namespace, key = app_namespace(item.get("namespace")), item["key"]
        owner = self.store.metafields.setdefault(item["ownerId"], {})
        previous = owner.get((namespace, key))
        now = graphql_time(self.store.tick())
        numeric = int(parse_gid(previous["id"])[1]) if previous else self.store.next_id()
        kind = parse_gid(item["ownerId"])[0]
        changed = not previous or previous["value"] != item["value"]
        metafield = {
            "id": gid("Metafield", numeric),
            "legacyResourceId": str(numeric),
            "namespace": namespace,
            "key": key,
            "type": item.get("type") or previous["type"],
            "value": item["value"],
            "ownerType": kind.upper(),
            "createdAt": previous["createdAt"] if previous else now,
            "updatedAt": now if changed else previous["updatedAt"],
        }
        owner[(namespace, key)] = metafield
        return metafield

    # -- inventorySetQuantities ----------------------------------------------------------
