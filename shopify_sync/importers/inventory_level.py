"""Shopify -> Odoo stock, for a shop whose stock authority is Shopify (its POS or a 3PL counts it).

One job per (inventory item, location) absorbs every ``inventory_levels/update``
of that pair; it reads the level fresh and sets Odoo's on-hand quantity of the
mapped location (and its children) to Shopify's *on hand*. On hand, not
available: what Shopify committed to unfulfilled orders is still on the shelf,
and Odoo reserves it for the same orders' deliveries, so the two sides stay
equal whichever of an order and its level change arrives first. Written with
the ``shopify_sync`` context, the adjustment pushes nothing back.
"""

from .. import const
from ..services import stock as stock_rules
from ..services.gid import to_gid
from ..services.queries import INVENTORY_LEVEL_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult


class InventoryLevelHandler(ResourceHandler):
    resource_type = const.INVENTORY_LEVEL
    type_label = "Inventory level"
    channel = const.CHANNEL_INVENTORY
    rollout_object = "stock"
    topics = {
        "inventory_levels/update": Topic(
            "inventory_item_id",
            ("inventory_item_id", "location_id", "available", "updated_at"),
            odoo_stock_note="Stock is managed in Odoo: a Shopify-side change is overwritten by the next push.",
            location_key="location_id",
        )
    }

    def _run(self, resource_id):
        item_id, location_id = resource_id.split("-", 1)
        label = f"Inventory item {item_id} at location {location_id}"
        if self.shop.stock_authority != "shopify":
            return SyncResult("skipped", None, label, note="Odoo is the stock authority of this shop.")
        binding = (
            self.env["shopify.variant.binding"]
            .sudo()
            .search([("shop_id", "=", self.shop.id), ("inventory_item_id", "=", item_id)], limit=1)
        )
        mapping = self.shop.location_mapping_ids.filtered(lambda m: m.shopify_location_id == location_id)[:1]
        if not binding or not mapping:
            missing = "no bound variant has this inventory item" if not binding else "the location is not mapped"
            return SyncResult("skipped", None, label, note=f"Not in Odoo's stock: {missing}.")
        product = binding.odoo_id
        label = product.display_name
        if not product.is_storable:
            return SyncResult("skipped", product, label, note="Odoo does not track this product's stock.")
        data = self.client.execute(
            INVENTORY_LEVEL_QUERY,
            {"id": to_gid("inventory_item", item_id), "locationId": to_gid("location", location_id)},
        )
        item = data.get("inventoryItem") or {}
        quantities = stock_rules.level_quantities(item.get("inventoryLevel"))
        if "on_hand" not in quantities:
            return SyncResult("skipped", product, label, note="No longer stocked at this Shopify location.")
        on_hand = quantities["on_hand"]
        location = mapping.location_id
        current = product.with_context(location=location.id).qty_available
        delta = on_hand - current
        if not product.uom_id.compare(delta, 0):
            return SyncResult("skipped", product, label, note=f"Odoo already has {on_hand:g} on hand.")
        quant = self.env["stock.quant"]._shopify_counted(product, location, delta)
        name = self.env._("Shopify inventory level: %s", self.shop.name)
        quant.with_context(inventory_name=name)._apply_inventory()
        return SyncResult(
            "updated", product, label, note=f"On hand at {location.display_name}: {current:g} -> {on_hand:g}."
        )
