"""Publish Odoo products to Shopify stores (the product form's button and the list's action)."""

from odoo import fields, models


class ShopifyPublishWizard(models.TransientModel):
    _name = "shopify.publish.wizard"
    _description = "Publish products to Shopify"

    product_tmpl_ids = fields.Many2many("product.template", string="Products", required=True)
    shop_ids = fields.Many2many(
        "shopify.shop",
        string="Stores",
        required=True,
        domain="[('sync_enabled', '=', True)]",
        help="Each product is created in each store (or updated where it is already bound).",
    )

    def action_publish(self):
        self.ensure_one()
        self.shop_ids._publish_products(self.product_tmpl_ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": "Shopify",
                "message": self.env._(
                    "%(products)s product(s) queued for publishing to %(shops)s.",
                    products=len(self.product_tmpl_ids),
                    shops=", ".join(self.shop_ids.mapped("name")),
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
