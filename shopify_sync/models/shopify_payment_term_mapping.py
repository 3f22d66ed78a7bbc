from odoo import api, fields, models


class ShopifyPaymentTermMapping(models.Model):
    """Shopify payment terms (B2B: "Net 30", "Due on receipt"...) -> Odoo payment terms."""

    _name = "shopify.payment.term.mapping"
    _description = "Shopify Payment Terms Mapping"
    _order = "shop_id, name"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    name = fields.Char(
        string="Shopify Payment Terms",
        required=True,
        help="The name of the payment terms as Shopify gives it on an order (paymentTermsName), e.g. Net 30.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Odoo Payment Terms",
        required=True,
        domain="[('company_id', 'in', [False, company_id])]",
    )

    _shop_name_uniq = models.UniqueIndex(
        "(shop_id, lower(name))", "These Shopify payment terms are already mapped for this shop."
    )

    @api.model
    def _find(self, shop, name):
        """The Odoo payment terms of Shopify's ``name`` in ``shop`` (case-insensitive; empty when unmapped)."""
        return self.search([("shop_id", "=", shop.id), ("name", "=ilike", name or "")], limit=1).payment_term_id
