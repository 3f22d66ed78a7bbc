from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    x_shopify_product_id = fields.Char(
        string="Shopify Product ID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Shopify's numeric id of the product; variants carry their own id.",
    )
    x_shopify_product_shop_id = fields.Many2one(
        "shopify.shop", string="Shopify Product Shop", readonly=True, copy=False, ondelete="restrict"
    )

    _shopify_product_uniq = models.UniqueIndex(
        "(x_shopify_product_shop_id, x_shopify_product_id) WHERE x_shopify_product_id IS NOT NULL",
        "This Shopify product is already linked to another Odoo product of the same shop.",
    )
