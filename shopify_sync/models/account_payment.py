from odoo import api, fields, models

from ..services.labels import gateway_label


class ShopifyTransactionBinding(models.Model):
    """A Shopify order transaction (sale, capture or refund) as its Odoo payment: one payment per transaction."""

    _name = "shopify.transaction.binding"
    _inherit = "shopify.binding"
    _description = "Shopify transaction binding"

    odoo_id = fields.Many2one("account.payment", string="Payment", required=True, ondelete="restrict")
    order_shopify_id = fields.Char(string="Shopify Order ID", readonly=True)
    kind = fields.Char(readonly=True)
    gateway = fields.Char(string="Gateway Code", readonly=True)
    gateway_label = fields.Char(string="Gateway", compute="_compute_gateway_label")

    _record_uniq = models.UniqueIndex("(odoo_id)", "This payment already belongs to a Shopify transaction.")

    @api.depends("gateway")
    def _compute_gateway_label(self):
        for binding in self:
            binding.gateway_label = gateway_label(self.env, binding.gateway)

    def _sync_job_resource(self):
        return self._shopify_resource_type, self.order_shopify_id


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.transaction.binding", "odoo_id", string="Shopify Transactions", readonly=True, copy=False
    )
