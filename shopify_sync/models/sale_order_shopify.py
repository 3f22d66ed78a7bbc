"""The way back from a sale order to the Shopify sync job that made it, and its Shopify returns."""

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_sync_job_id = fields.Many2one("shopify.sync.job", compute="_compute_shopify_sync_job_id")
    shopify_return_ids = fields.One2many(
        "shopify.return.binding", "sale_order_id", string="Shopify Returns", readonly=True, copy=False
    )
    shopify_expected_return_count = fields.Integer(
        string="Expected Returns",
        compute="_compute_shopify_expected_return_count",
        help="Returns requested or approved in Shopify, not processed yet: nothing has moved in Odoo.",
    )

    @api.depends("shopify_return_ids.expected")
    def _compute_shopify_expected_return_count(self):
        for order in self:
            order.shopify_expected_return_count = len(order.shopify_return_ids.filtered("expected"))

    def _compute_shopify_sync_job_id(self):
        for order in self:
            order.shopify_sync_job_id = order.sudo().shopify_binding_ids[:1].sync_job_id

    def action_open_shopify_sync_job(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "shopify.sync.job",
            "res_id": self.shopify_sync_job_id.id,
            "view_mode": "form",
        }
