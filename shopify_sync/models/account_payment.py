from odoo import fields, models


class ShopifyTransactionBinding(models.Model):
    """A Shopify order transaction (sale, capture or refund) as its Odoo payment: one payment per transaction."""

    _name = "shopify.transaction.binding"
    _inherit = "shopify.binding"
    _description = "Shopify transaction binding"

    odoo_id = fields.Many2one("account.payment", string="Payment", required=True, ondelete="restrict")
    order_shopify_id = fields.Char(string="Shopify Order ID", readonly=True)
    kind = fields.Char(readonly=True)
    gateway = fields.Char(readonly=True)

    _record_uniq = models.UniqueIndex("(odoo_id)", "This payment already belongs to a Shopify transaction.")

    def _sync_job_resource(self):
        return self._shopify_resource_type, self.order_shopify_id


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.transaction.binding", "odoo_id", string="Shopify Transactions", readonly=True, copy=False
    )
