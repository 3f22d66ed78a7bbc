"""inventorySetQuantities and fulfillmentCreate, mixed into Mutations."""

from .formatting import gid, graphql_time, parse_gid

INVENTORY_REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
}
QUANTITY_LIMIT = 1_000_000_000


class StockMutations:
    """Needs ``self.store`` and ``self.nodes``; each returns (payload, replay or None)."""

    def _inventorySetQuantities(self, input, schema):
        """As Shopify answers at the request's API version (``schema``): the compareQuantity
        check before 2026-04; ITEM_NOT_STOCKED_AT_LOCATION before 2026-10, then INVALID_LOCATION."""
        errors, plan, seen = [], [], set()
        inputs = schema.type_map["InventorySetQuantitiesInput"].fields
        compare_check = "ignoreCompareQuantity" in inputs
        codes = schema.type_map["InventorySetQuantitiesUserErrorCode"].values
        not_stocked = next(
            c for c in ("ITEM_NOT_STOCKED_AT_LOCATION", "INVALID_LOCATION") if c in codes
        )

        def error(path, message, code):
            errors.append({"field": ["input", *path], "message": message, "code": code})

        if input["name"] not in ("available", "on_hand"):
            error(
                ["name"],
                "The quantity name must be either 'available' or 'on_hand'.",
                "INVALID_NAME",
            )
        if input["reason"] not in INVENTORY_REASONS:
            error(["reason"], "The specified reason is invalid.", "INVALID_REASON")
        uri = input.get("referenceDocumentUri")
        if uri is not None and "://" not in uri:
            error(
                ["referenceDocumentUri"],
                "The specified reference document is invalid.",
                "INVALID_REFERENCE_DOCUMENT",
            )
        for index, quantity in enumerate(input["quantities"]):
            path = ["quantities", str(index)]
            item, location = (
                parse_gid(quantity["inventoryItemId"])[1],
                parse_gid(quantity["locationId"])[1],
            )
            if item is None or self.store.variant_for_item(item) is None:
                error(
                    [*path, "inventoryItemId"],
                    "The specified inventory item could not be found.",
                    "INVALID_INVENTORY_ITEM",
                )
                continue
            if location is None or location not in self.store.locations:
                error(
                    [*path, "locationId"],
                    "The specified location could not be found.",
                    "INVALID_LOCATION",
                )
                continue
            if (item, location) in seen:
                message = "The combination of inventoryItemId and locationId must be unique."
                error(path, message, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR")
            seen.add((item, location))
            name = input["name"] if input["name"] in ("available", "on_hand") else "available"
            current = self.store.quantity(item, location, name)
            if current is None:
                message = "The specified inventory item is not stocked at the location."
                error([*path, "locationId"], message, not_stocked)
                continue
            new = int(quantity["quantity"])
            if new > QUANTITY_LIMIT:
                error(
                    [*path, "quantity"],
                    "The quantity can't be higher than 1,000,000,000.",
                    "INVALID_QUANTITY_TOO_HIGH",
                )
            if new < -QUANTITY_LIMIT:
                error(
                    [*path, "quantity"],
                    "The quantity can't be lower than -1,000,000,000.",
                    "INVALID_QUANTITY_TOO_LOW",
                )
            if new < 0 and input["name"] == "on_hand":
                error(
                    [*path, "quantity"],
                    "The quantity can't be negative.",
                    "INVALID_QUANTITY_NEGATIVE",
                )
            if (
                quantity.get("changeFromQuantity") is not None
                and quantity["changeFromQuantity"] != current
            ):
                message = (
                    "The changeFromQuantity argument no longer matches the persisted quantity."
                )
                error([*path, "changeFromQuantity"], message, "CHANGE_FROM_QUANTITY_STALE")
            if (
                compare_check
                and not input.get("ignoreCompareQuantity")
                and quantity.get("changeFromQuantity") is None
            ):
                if quantity.get("compareQuantity") is None:
                    message = (
                        "The compareQuantity argument must be given to each quantity "
                        "or ignored using ignoreCompareQuantity."
                    )
                    error([*path, "compareQuantity"], message, "COMPARE_QUANTITY_REQUIRED")
                elif quantity["compareQuantity"] != current:
                    message = "The compareQuantity value does not match persisted value."
                    error([*path, "compareQuantity"], message, "COMPARE_QUANTITY_STALE")
            plan.append((item, location, new, current))
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}, None
        changes = []
        for item, location, new, current in plan:
            self.store.set_quantity(item, location, input["name"], new)
            for name in ("available", "on_hand"):
                changes.append(
                    {
                        "name": name,
                        "delta": new - current,
                        "quantityAfterChange": new,
                        "item": item,
                        "location": location,
                        "ledgerDocumentUri": None,
                    }
                )
        group = {
            "id": gid("InventoryAdjustmentGroup", self.store.next_id()),
            "createdAt": graphql_time(self.store.tick()),
            "reason": input["reason"],
            "referenceDocumentUri": uri,
        }

        def payload():
            return {"inventoryAdjustmentGroup": self._group_node(group, changes), "userErrors": []}

        return payload(), payload

    def _group_node(self, group, changes):
        def resolve_changes(_info, inventoryItemIds=None, locationIds=None, quantityNames=None):
            items = {parse_gid(i)[1] for i in inventoryItemIds or []}
            locations = {parse_gid(i)[1] for i in locationIds or []}
            return [
                dict(
                    c,
                    item=self.nodes.inventory_item(c["item"]),
                    location=self.nodes.location(c["location"]),
                )
                for c in changes
                if (not items or c["item"] in items)
                and (not locations or c["location"] in locations)
                and (not quantityNames or c["name"] in quantityNames)
            ]

        return dict(group, __typename="InventoryAdjustmentGroup", changes=resolve_changes)

    # -- fulfillmentCreate -------------------------------------------------------------------
    def _fulfillmentCreate(self, fulfillment, message=None):
        errors, wanted, orders, location = [], {}, set(), None
        groups = fulfillment["lineItemsByFulfillmentOrder"]
        if not groups:
            errors.append(
                {
                    "field": ["fulfillment", "lineItemsByFulfillmentOrder"],
                    "message": "can't be blank",
                }
            )
        for index, group in enumerate(groups):
            field = ["fulfillment", "lineItemsByFulfillmentOrder", str(index)]
            fo = self.store.fulfillment_orders.get(parse_gid(group["fulfillmentOrderId"])[1])
            if not fo:
                errors.append(
                    {
                        "field": [*field, "fulfillmentOrderId"],
                        "message": "Fulfillment order does not exist.",
                    }
                )
                continue
            if fo["status"] in ("CLOSED", "CANCELLED", "ON_HOLD"):
                status = fo["status"].lower()
                text = f"Fulfillment order {fo['id']} has an unfulfillable status= {status}."
                errors.append({"field": [*field, "fulfillmentOrderId"], "message": text})
                continue
            orders.add(fo["order_id"])
            location = location or fo["location_id"]
            lines = {line["id"]: line for line in fo["lines"]}
            requested = group.get("fulfillmentOrderLineItems")
            if requested is None:
                requested = [
                    {"id": gid("FulfillmentOrderLineItem", i), "quantity": ln["remaining"]}
                    for i, ln in lines.items()
                    if ln["remaining"]
                ]
            for item in requested:
                line = lines.get(parse_gid(item["id"])[1])
                if line is None:
                    errors.append(
                        {
                            "field": [*field, "fulfillmentOrderLineItems"],
                            "message": "Fulfillment order line item does not exist.",
                        }
                    )
                    continue
                so_far = wanted.get(line["id"], (line, 0))[1]
                wanted[line["id"]] = (line, so_far + int(item["quantity"]))
        for line, quantity in wanted.values():
            if quantity <= 0 or quantity > line["remaining"]:
                errors.append(
                    {
                        "field": ["fulfillment"],
                        "message": "Invalid fulfillment order line item quantity requested.",
                    }
                )
                break
        if len(orders) > 1:
            errors.append(
                {
                    "field": ["fulfillment"],
                    "message": "All fulfillment orders must belong to the same order.",
                }
            )
        if not errors and not wanted:
            errors.append(
                {"field": ["fulfillment"], "message": "Nothing to fulfill: no remaining quantity."}
            )
        if errors:
            return {"fulfillment": None, "userErrors": errors}, None
        tracking = fulfillment.get("trackingInfo") or {}
        numbers = tracking.get("numbers") or (
            [tracking["number"]] if tracking.get("number") else []
        )
        urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
        rest = self.store.seed_fulfillment(
            orders.pop(),
            {
                "status": "success",
                "location_id": location,
                "tracking_company": tracking.get("company"),
                "tracking_numbers": numbers,
                "tracking_urls": urls,
                "notify_customer": bool(fulfillment.get("notifyCustomer")),
                "line_items": [
                    {"id": line["line_item_id"], "quantity": q} for line, q in wanted.values()
                ],
            },
        )

        def payload():
            return {
                "fulfillment": self.nodes.fulfillment(self.store.fulfillments.get(rest["id"])),
                "userErrors": [],
            }

        return payload(), payload
