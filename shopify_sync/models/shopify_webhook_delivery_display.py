"""Deliveries read like ``orders/create #1015``, from what the delivery already knows."""

from odoo import api, fields, models

from ..services.labels import delivery_title, label_from_payload


class ShopifyWebhookDelivery(models.Model):
    _name = "shopify.webhook.delivery"
    _inherit = "shopify.webhook.delivery"

    resource_label = fields.Char(
        readonly=True, help="Order number or product title, as the webhook named it (no personal data)."
    )

    repeat_count = fields.Integer(
        string="Suppressed repeats",
        compute="_compute_receipts",
        help="Receipts of this same event after the first: acknowledged and counted, nothing run again.",
    )
    receipts_summary = fields.Char(string="Receipts", compute="_compute_receipts")

    @api.depends("receipt_count")
    def _compute_receipts(self):
        for delivery in self:
            receipts = max(delivery.receipt_count, 1)
            delivery.repeat_count = receipts - 1
            if receipts == 1:
                delivery.receipts_summary = self.env._("Received once")
            else:
                delivery.receipts_summary = self.env._(
                    "Received %(receipts)s times: the first served, %(repeats)s suppressed as repeats",
                    receipts=receipts,
                    repeats=receipts - 1,
                )

    @api.depends("topic", "resource_id", "resource_label", "sync_job_id.resource_label")
    def _compute_display_name(self):
        for delivery in self:
            label = delivery.resource_label or delivery.sync_job_id.resource_label
            if not label:
                label, _summary = label_from_payload(delivery.resource_type, delivery.raw_body)
            delivery.display_name = delivery_title(delivery.topic, label, delivery.resource_id or delivery.event_id)
