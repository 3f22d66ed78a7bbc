from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    x_shopify_fulfillment_id = fields.Char(
        string="Shopify Fulfillment",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Numeric id of the Shopify fulfillment this delivery was validated for, or created as.",
    )
    x_shopify_tracking = fields.Char(string="Shopify Tracking", readonly=True, copy=False)

    _shopify_fulfillment_uniq = models.UniqueIndex(
        "(x_shopify_fulfillment_id) WHERE x_shopify_fulfillment_id IS NOT NULL",
        "This Shopify fulfillment is already recorded on another delivery.",
    )
