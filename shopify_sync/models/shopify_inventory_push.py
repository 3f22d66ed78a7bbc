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

    _pending_uniq = models.UniqueIndex("(product_id, mapping_id)")

    @api.model
    def _mark(self, moves):
        """Remember which synced products changed in mapped locations; schedule one push per shop."""
        mappings = self.env["shopify.location.mapping"].sudo().search([("shop_id.sync_enabled", "=", True)])
        if not mappings:
            return
        shops = self.env["shopify.shop"]
        for move in moves:
            product = move.product_id
            if not product.x_shopify_inventory_item_id or not product.x_shopify_shop_id:
                continue
            for mapping in mappings.filtered(lambda m, p=product: m.shop_id == p.x_shopify_shop_id):
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
                    (mapping.shop_id.id, product.id, mapping.id, move.id),
                )
                shops |= mapping.shop_id
        for shop in shops:
            shop._schedule_inventory_push()


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    location_mapping_ids = fields.One2many("shopify.location.mapping", "shop_id", string="Location Mappings")
    push_inventory = fields.Boolean(
        string="Push stock to Shopify",
        default=True,
        help="Odoo is the authority for stock: available quantities of mapped locations are pushed.",
    )
    inventory_debounce_seconds = fields.Integer(default=30, help="Changes are gathered this long, then pushed.")
    push_fulfillments = fields.Boolean(
        string="Push deliveries to Shopify",
        help="For stores that ship from Odoo: validating a delivery creates the Shopify fulfillment.",
    )

    def _schedule_inventory_push(self):
        """At most one waiting push job per shop: the identity key absorbs the burst."""
        self.ensure_one()
        if self.push_inventory:
            sync_job = self.env["shopify.sync.job"].sudo()._ensure(self, "inventory_push", "all")
            sync_job._enqueue(eta=max(self.inventory_debounce_seconds, 0))
