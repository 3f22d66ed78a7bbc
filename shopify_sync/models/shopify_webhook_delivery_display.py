"""Deliveries read like ``orders/create #1015``, from what the delivery already knows."""

from odoo import api, fields, models

from ..services.labels import delivery_title, label_from_payload


class ShopifyWebhookDelivery(models.Model):
    _name = "shopify.webhook.delivery"
    _inherit = "shopify.webhook.delivery"

    resource_label = fields.Char(
        readonly=True, help="Order number or product title, as the webhook named it (no personal data)."
    )

    @api.depends("topic", "resource_id", "resource_label", "sync_job_id.resource_label")
    def _compute_display_name(self):
        for delivery in self:
            label = delivery.resource_label or delivery.sync_job_id.resource_label
            if not label:
                label, _summary = label_from_payload(delivery.resource_type, delivery.raw_body)
            delivery.display_name = delivery_title(delivery.topic, label, delivery.resource_id or delivery.event_id)
