"""The way back from a sale order to the Shopify sync job that made it."""

from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_sync_job_id = fields.Many2one("shopify.sync.job", compute="_compute_shopify_sync_job_id")

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
