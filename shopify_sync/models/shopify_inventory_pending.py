"""Inventory changes waiting for the debounced push (see importers/inventory_push.py)."""

from odoo import api, fields, models


class ShopifyInventoryPending(models.Model):
    """A (product, location) whose available quantity changed since the last push."""

    _name = "shopify.inventory.pending"
    _description = "Shopify inventory change waiting to be pushed"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")
    mapping_id = fields.Many2one("shopify.location.mapping", required=True, ondelete="cascade")
    last_move_id = fields.Integer(help="Newest done move seen for this product and location.")
    approved = fields.Boolean(
        help="A manager chose this push (stock agreement, or Push anyway on a held run): "
        "the circuit breaker does not hold it."
    )

    _pending_uniq = models.UniqueIndex("(product_id, mapping_id)")

    @api.model
    def _mark(self, moves):
        """Remember which bound products changed in mapped locations; schedule one push per shop.

        A product bound to several stores is pushed to each, to that store's locations.
        """
        mappings = (
            self.env["shopify.location.mapping"]
            .sudo()
            .search(
                [
                    ("shop_id.sync_enabled", "=", True),
                    ("shop_id.push_inventory", "=", True),
                    ("shop_id.stock_authority", "=", "odoo"),
                ]
            )
        )
        if not mappings:
            return
        shops = self.env["shopify.shop"]
        # Only quantities Odoo tracks are pushed: a product it does not track has no stock to tell.
        for move in moves.filtered(lambda m: m.product_id.is_storable):
            bound_shops = move.product_id.sudo().shopify_binding_ids._pushable().shop_id
            for mapping in mappings.filtered(lambda m, s=bound_shops: m.shop_id in s):
                parent_path = mapping.location_id.parent_path
                if not any(loc.parent_path.startswith(parent_path) for loc in move.location_id | move.location_dest_id):
                    continue
                self.env.cr.execute(
                    """
                    INSERT INTO shopify_inventory_pending AS p (shop_id, product_id, mapping_id, last_move_id)
                    VALUES (%s, %s, %s, %s)
                    ON CONFLICT (product_id, mapping_id)
                    DO UPDATE SET last_move_id = GREATEST(p.last_move_id, EXCLUDED.last_move_id)
                    """,
                    (mapping.shop_id.id, move.product_id.id, mapping.id, move.id),
                )
                shops |= mapping.shop_id
        for shop in shops:
            shop._schedule_inventory_push()
