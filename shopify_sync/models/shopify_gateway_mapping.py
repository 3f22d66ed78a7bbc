from odoo import api, fields, models


class ShopifyGatewayMapping(models.Model):
    """A Shopify payment gateway (``shopify_payments``, ``paypal``, ``gift_card``...) -> its payments' journal."""

    _name = "shopify.gateway.mapping"
    _description = "Shopify Payment Gateway Mapping"
    _order = "shop_id, gateway"
    _rec_name = "gateway"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    gateway = fields.Char(required=True, help="As Shopify names it on the transaction, e.g. shopify_payments.")
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit')), ('company_id', '=', company_id)]",
        help="Payments of this gateway are registered in this journal. For Shopify Payments use a clearing "
        "journal whose outstanding receipts account the payouts clear.",
    )

    _gateway_uniq = models.UniqueIndex("(shop_id, lower(gateway))", "This gateway is already mapped for this store.")

    @api.model
    def _journal(self, shop, gateway):
        mapping = self.search([("shop_id", "=", shop.id), ("gateway", "=ilike", gateway or "")], limit=1)
        return mapping.journal_id
