"""Inventory: Odoo -> Shopify, batched, debounced, idempotent, stale-safe."""

import hashlib
import logging

from .. import const
from ..services import stock as stock_rules
from ..services.errors import ShopifyUserError, SyncError
from ..services.gid import to_gid
from ..services.queries import INVENTORY_LEVEL_QUERY, INVENTORY_SET
from ..services.shopify_enums import CHANGE_FROM_QUANTITY_STALE
from .base import ResourceHandler, SyncResult

_logger = logging.getLogger(__name__)

MAX_STALE_ROUNDS = 3


class InventoryPushHandler(ResourceHandler):
    """Push every pending (product, location) of the shop, one compare-and-set each.

    The run reads as steps: take the waiting rows, keep those that may be
    pushed (tracked on both sides, agreed at that location), read Shopify's
    quantities, let the circuit breaker judge the plan, then write.
    """

    resource_type = const.INVENTORY_PUSH
    type_label = "Inventory push"
    channel = const.CHANNEL_INVENTORY
    rollout_object = "stock"

    def _run(self, resource_id):
        rows = self._take_rows()
        if not rows:
            return SyncResult("skipped", None, "Inventory", note="Nothing to push.")
        rows, dropped = self._pushable(rows)
        plan = [(row, *self._quantities(row)) for row in rows]
        to_change = [(row, current, wanted) for row, current, wanted in plan if current != wanted]
        held, hold = self._judge(to_change)
        pushed = sum(self._push_one(row, current) for row, current, _wanted in to_change if row not in held)
        (rows - held).unlink()
        notes = [f"{pushed} quantities pushed, {len(plan) - len(to_change)} already right."]
        notes += dropped
        if held:
            notes.append(f"{len(held)} held by the circuit breaker ({hold.name}, #{hold.id}).")
        return SyncResult("handled", None, "Inventory", note=" ".join(notes))

    # -- steps ------------------------------------------------------------------------
    def _take_rows(self):
        """The shop's waiting rows, locked (another run of the shop skips them)."""
        self.env.cr.execute(
            "SELECT id FROM shopify_inventory_pending WHERE shop_id = %s FOR UPDATE SKIP LOCKED", (self.shop.id,)
        )
        return self.env["shopify.inventory.pending"].browse([row[0] for row in self.env.cr.fetchall()])

    def _pushable(self, rows):
        """The rows whose stock may be pushed; the others are dropped, each reason said once."""
        untracked = not_agreed = self.env["shopify.inventory.pending"]
        if self.shop.stock_authority != "odoo" or not self.shop.push_inventory:
            rows.unlink()
            return rows.browse(), ["Stock push is off for this shop: nothing pushed."]
        # The rows' bindings in this store, read once: their inventory items serve the reads and writes.
        bindings = self.env["shopify.variant.binding"]._of(self.shop, rows.product_id)
        by_product = {binding.odoo_id: binding for binding in bindings}
        self._item_ids = {binding.odoo_id.id: binding.inventory_item_id for binding in bindings}
        for row in rows:
            binding = by_product.get(row.product_id, bindings.browse())
            if not binding._pushable():
                untracked |= row
            elif row.mapping_id not in binding.stock_agreed_mapping_ids:
                not_agreed |= row
        dropped = []
        if untracked:
            dropped.append(f"{len(untracked)} not pushed: not tracked in Odoo or in Shopify (see their bindings).")
        if not_agreed:
            dropped.append(f"{len(not_agreed)} waiting for the stock agreement of their location.")
            self.shop._request_stock_comparison()
        (untracked | not_agreed).unlink()
        return rows - untracked - not_agreed, dropped

    def _quantities(self, row):
        """(Shopify's available quantity now, Odoo's free quantity) of one row."""
        wanted = int(row.product_id.with_context(location=row.mapping_id.location_id.id).free_qty)
        return self._shopify_available(self._item_gid(row), self._location_gid(row)), wanted

    def _judge(self, to_change):
        """The rows the circuit breaker holds, and their hold.

        Rows a manager approved always go. While the shop has a hold open, the
        other changes wait with it; otherwise a plan that would zero or change
        too large a share of the shop's variants opens a hold.
        """
        holds = self.env["shopify.inventory.hold"].sudo()
        unapproved = [(row, current, wanted) for row, current, wanted in to_change if not row.approved]
        rows = self.env["shopify.inventory.pending"].browse([row.id for row, _c, _w in unapproved])
        if not unapproved:
            return rows, holds
        hold = holds.search([("shop_id", "=", self.shop.id), ("state", "=", "held")], limit=1)
        if hold:
            return rows, hold
        verdict = stock_rules.breaker_verdict(
            changes=len(unapproved),
            zeros=sum(1 for _row, current, wanted in unapproved if wanted <= 0 < current),
            total=self.shop._pushed_variant_count(),
            zero_percent=self.shop.inventory_hold_zero_percent,
            change_percent=self.shop.inventory_hold_change_percent,
            min_variants=self.shop.inventory_hold_min_variants,
        )
        if verdict is None:
            return rows.browse(), holds
        return rows, holds._hold(self.shop, verdict, unapproved)

    # -- writing ----------------------------------------------------------------------
    def _item_gid(self, row):
        return to_gid("inventory_item", self._item_ids[row.product_id.id])

    def _location_gid(self, row):
        return to_gid("location", row.mapping_id.shopify_location_id)

    def _push_one(self, row, current):
        """Set Shopify's available quantity to Odoo's free one, compare-and-set against ``current``."""
        product, mapping = row.product_id, row.mapping_id
        item_id = self._item_ids[product.id]
        item_gid, location_gid = self._item_gid(row), self._location_gid(row)
        for _round in range(MAX_STALE_ROUNDS):
            wanted = int(product.with_context(location=mapping.location_id.id).free_qty)
            if current == wanted:
                return 0
            variables = {
                "key": _idempotency_key(
                    shop=self.shop,
                    item_id=item_id,
                    mapping=mapping,
                    last_move=row.last_move_id,
                    wanted=wanted,
                    current=current,
                ),
                "input": {
                    "name": "available",
                    "reason": "correction",
                    "referenceDocumentUri": f"odoo://stock.move/{row.last_move_id}",
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
                    current = self._shopify_available(item_gid, location_gid)
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
        quantities = stock_rules.level_quantities(level)
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
