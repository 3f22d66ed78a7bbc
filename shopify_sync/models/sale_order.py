from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "shopify.identity.mixin"]

    x_shopify_name = fields.Char(string="Shopify Order", readonly=True, copy=False)
    x_shopify_financial_status = fields.Char(string="Shopify Payment Status", readonly=True, copy=False)
