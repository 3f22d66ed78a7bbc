"""Inventory: Odoo -> Shopify, batched, debounced, idempotent, stale-safe."""

import hashlib
import logging

from ..services.errors import ShopifyUserError, SyncError
from ..services.gid import to_gid
from ..services.queries import INVENTORY_LEVEL_QUERY, INVENTORY_SET
from ..services.shopify_enums import CHANGE_FROM_QUANTITY_STALE
from .base import ResourceHandler, SyncResult

_logger = logging.getLogger(__name__)

MAX_STALE_ROUNDS = 3


class InventoryPushHandler(ResourceHandler):
    """Push every pending (product, location) of the shop, one compare-and-set each."""

    resource_type = "inventory_push"

    def _run(self, resource_id):
        cr = self.env.cr
        cr.execute(
            "SELECT id FROM shopify_inventory_pending WHERE shop_id = %s FOR UPDATE SKIP LOCKED", (self.shop.id,)
        )
        pending = self.env["shopify.inventory.pending"].browse([row[0] for row in cr.fetchall()])
        if not pending:
            return SyncResult("skipped", None, "Inventory", note="Nothing to push.")
        work = [(p.product_id, p.mapping_id, p.last_move_id) for p in pending]
        pending.unlink()
        pushed = sum(self._push_one(product, mapping, last_move) for product, mapping, last_move in work)
        note = f"{pushed} quantities pushed, {len(work) - pushed} already right."
        return SyncResult("handled", None, "Inventory", note=note)

    def _push_one(self, product, mapping, last_move):
        item_id = self.env["shopify.variant.binding"]._of(self.shop, product).inventory_item_id
        if not item_id:
            return 0  # unbound from this store since the change was noted
        item_gid = to_gid("inventory_item", item_id)
        location_gid = to_gid("location", mapping.shopify_location_id)
        for _round in range(MAX_STALE_ROUNDS):
            wanted = int(product.with_context(location=mapping.location_id.id).free_qty)
            current = self._shopify_available(item_gid, location_gid)
            if current == wanted:
                return 0
            variables = {
                "key": _idempotency_key(
                    shop=self.shop,
                    item_id=item_id,
                    mapping=mapping,
                    last_move=last_move,
                    wanted=wanted,
                    current=current,
                ),
                "input": {
                    "name": "available",
                    "reason": "correction",
                    "referenceDocumentUri": f"odoo://stock.move/{last_move}",
                    "quantities": [
                        {
                            "inventoryItemId": item_gid,
                            "locationId": location_gid,
                            "quantity": wanted,
                            "changeFromQuantity": current,
                        }
                    ],
                },
            }
            try:
                self.client.mutate(INVENTORY_SET, variables, "inventorySetQuantities")
            except ShopifyUserError as err:
                if CHANGE_FROM_QUANTITY_STALE in err.codes:
                    _logger.info("Shopify quantity of %s changed meanwhile: re-reading", product.display_name)
                    continue
                raise
            self.env["shopify.echo"]._remember(
                self.shop,
                "inventory_levels",
                f"{item_id}-{mapping.shopify_location_id}",
                wanted,
            )
            return 1
        raise SyncError(
            self.env._("Shopify's quantity of %s kept changing: not pushed this time.", product.display_name)
        )

    def _shopify_available(self, item_gid, location_gid):
        data = self.client.execute(INVENTORY_LEVEL_QUERY, {"id": item_gid, "locationId": location_gid})
        level = ((data.get("inventoryItem") or {}).get("inventoryLevel")) or {}
        quantities = {q["name"]: q["quantity"] for q in level.get("quantities") or []}
        if "available" not in quantities:
            raise SyncError(
                self.env._("%(item)s is not stocked at %(location)s in Shopify.", item=item_gid, location=location_gid),
                missing=self.env._("the item stocked at the mapped Shopify location"),
                fix_model="shopify.location.mapping",
            )
        return quantities["available"]


def _idempotency_key(*, shop, item_id, mapping, last_move, wanted, current):
    """The same Odoo version of the same change gives the same key: a retried push applies once."""
    raw = f"{shop.id}:{item_id}:{mapping.shopify_location_id}:{last_move}:{wanted}:{current}"
    return "odoo-inventory-" + hashlib.sha256(raw.encode()).hexdigest()[:32]
