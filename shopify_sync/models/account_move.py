from odoo import fields, models


class ShopifyRefundBinding(models.Model):
    """A Shopify refund as its Odoo credit note: one credit note per refund."""

    _name = "shopify.refund.binding"
    _inherit = "shopify.binding"
    _description = "Shopify refund binding"

    odoo_id = fields.Many2one("account.move", string="Credit Note", required=True, ondelete="restrict")

    _record_uniq = models.UniqueIndex("(odoo_id)", "This credit note already belongs to a Shopify refund.")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.refund.binding", "odoo_id", string="Shopify Refunds", readonly=True, copy=False
    )
