from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    x_shopify_refund_id = fields.Char(string="Shopify Refund", readonly=True, copy=False)
    x_shopify_shop_id = fields.Many2one("shopify.shop", string="Shopify Shop", readonly=True, copy=False)

    _shopify_refund_uniq = models.UniqueIndex(
        "(x_shopify_shop_id, x_shopify_refund_id) WHERE x_shopify_refund_id IS NOT NULL",
        "This Shopify refund already has a credit note.",
    )
