from odoo import fields, models

from ..mapping.catalogue import WATCHED


class ShopifyProductBinding(models.Model):
    """A Shopify product of one store as an Odoo product template; its variants have bindings of their own."""

    _name = "shopify.product.binding"
    _inherit = "shopify.binding"
    _description = "Shopify product binding"
    _shopify_admin_kind = "product"

    odoo_id = fields.Many2one("product.template", string="Product", required=True, ondelete="restrict", index=True)
    active = fields.Boolean(
        default=True, readonly=True, help="Archived when Shopify deleted the product (products/delete)."
    )
    shopify_handle = fields.Char(readonly=True)
    catalogue_snapshot = fields.Json(
        readonly=True, copy=False, help="The values Odoo last pushed (mapping/catalogue.py flat_input)."
    )
    catalogue_conflict_count = fields.Integer(
        string="Conflicts this hour",
        readonly=True,
        copy=False,
        help="Shopify edits of Odoo-owned fields restored since the start of the window.",
    )
    catalogue_conflict_since = fields.Datetime(string="Conflict window start", readonly=True, copy=False)
    catalogue_conflict_note = fields.Char(string="Last conflict", readonly=True, copy=False)
    image_hash = fields.Char(
        readonly=True,
        copy=False,
        help="SHA-256 of the product image last uploaded: an unchanged image is not sent again.",
    )

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This product is already bound in this store.")


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.product.binding", "odoo_id", string="Shopify Bindings", readonly=True, copy=False
    )
    shopify_vendor = fields.Char(string="Vendor (Shopify)", help="The product's vendor or brand in Shopify.")
    shopify_handle = fields.Char(
        readonly=True,
        copy=False,
        help="Set when the product is first published: the key by which a retried publish finds the "
        "product its first attempt created in Shopify, whatever the product is renamed meanwhile.",
    )

    def write(self, vals):
        result = super().write(vals)
        names = WATCHED["product.template"] & set(vals)
        if names and not self.env.context.get("shopify_sync"):
            self.env["shopify.shop"]._product_changed(self, names)
        return result

    def _shopify_bindings_blocking_unlink(self):
        variants = self.with_context(active_test=False).product_variant_ids
        return super()._shopify_bindings_blocking_unlink() + variants._shopify_bindings_blocking_unlink()

    def action_shopify_publish(self):
        """Open the publish wizard for these products (the form's button and the list's action)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Publish to Shopify"),
            "res_model": "shopify.publish.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_product_tmpl_ids": self.ids},
        }
