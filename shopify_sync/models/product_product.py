from odoo import fields, models


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "shopify.identity.mixin"]

    x_shopify_inventory_item_id = fields.Char(string="Shopify Inventory Item", readonly=True, copy=False)
