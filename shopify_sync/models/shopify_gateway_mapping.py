from odoo import api, fields, models

from ..services.labels import gateway_label


class ShopifyGatewayMapping(models.Model):
    """A Shopify payment gateway (``shopify_payments``, ``paypal``, ``gift_card``...) -> its payments' journal."""

    _name = "shopify.gateway.mapping"
    _description = "Shopify Payment Gateway Mapping"
    _order = "shop_id, gateway"
    _rec_name = "gateway"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    gateway = fields.Char(required=True, help="As Shopify names it on the transaction, e.g. shopify_payments.")
    gateway_label = fields.Char(string="Gateway name", compute="_compute_gateway_label")
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit')), ('company_id', '=', company_id)]",
        help="Payments of this gateway are registered in this journal. For Shopify Payments use a clearing "
        "journal whose outstanding receipts account the payouts clear.",
    )

    _gateway_uniq = models.UniqueIndex("(shop_id, lower(gateway))", "This gateway is already mapped for this store.")

    @api.depends("gateway")
    def _compute_gateway_label(self):
        for mapping in self:
            mapping.gateway_label = gateway_label(self.env, mapping.gateway)

    @api.depends("gateway")
    def _compute_display_name(self):
        for mapping in self:
            label = gateway_label(self.env, mapping.gateway)
            mapping.display_name = f"{label} ({mapping.gateway})" if label and label != mapping.gateway else label

    @api.model
    def _journal(self, shop, gateway):
        mapping = self.search([("shop_id", "=", shop.id), ("gateway", "=ilike", gateway or "")], limit=1)
        return mapping.journal_id
