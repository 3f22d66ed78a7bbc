from odoo import fields, models

from ..services.gid import admin_url


class ShopifyVariantBinding(models.Model):
    """A Shopify variant of one store as an Odoo product variant, with its inventory item for stock pushes."""

    _name = "shopify.variant.binding"
    _inherit = "shopify.binding"
    _description = "Shopify variant binding"
    _shopify_resource_type = "product"
    _shopify_admin_kind = "product"

    odoo_id = fields.Many2one("product.product", string="Product Variant", required=True, ondelete="restrict")
    shopify_product_id = fields.Char(string="Shopify Product ID", help="Numeric id of the variant's product.")
    inventory_item_id = fields.Char(string="Shopify Inventory Item", help="Numeric id; stock is pushed to it.")

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This product variant is already bound in this store.")

    def _sync_job_resource(self):
        return "product", self.shopify_product_id

    def _admin_url(self):
        return admin_url(self.shop_id.domain, "product", self.shopify_product_id, variant_id=self.shopify_id)


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.variant.binding", "odoo_id", string="Shopify Bindings", readonly=True, copy=False
    )
    shopify_created_sku = fields.Char(
        readonly=True,
        copy=False,
        help="The SKU of the Shopify variant this product was created for: unique, so that two "
        "stores importing the same new SKU at once make one product.",
    )
    shopify_bound = fields.Boolean(
        string="Bound to Shopify", compute="_compute_shopify_bound", search="_search_shopify_bound"
    )

    _shopify_created_sku_uniq = models.UniqueIndex(
        "(shopify_created_sku) WHERE shopify_created_sku IS NOT NULL",
        "A product was already created for this Shopify SKU.",
    )

    def _compute_shopify_bound(self):
        for product in self:
            product.shopify_bound = bool(product.sudo().shopify_binding_ids)

    def _search_shopify_bound(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        bound = self.env["shopify.variant.binding"].sudo()._search([])
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", bound.subselect("odoo_id"))]

    def action_shopify_bind(self):
        """Open a new variant binding for this product (the product mapping screen's Bind)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bind %s to a store variant", self.display_name),
            "res_model": "shopify.variant.binding",
            "view_mode": "form",
            "target": "new",
            "context": {"default_odoo_id": self.id},
        }

    def _filter_to_unlink(self):
        # A bound variant that Odoo would delete (an attribute value removed) is archived instead.
        return super()._filter_to_unlink().filtered(lambda p: not p.sudo().shopify_binding_ids)
