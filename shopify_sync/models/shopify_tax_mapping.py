from odoo import api, fields, models
from odoo.tools.float_utils import float_compare


class ShopifyTaxMapping(models.Model):
    """Shopify tax line (rate, included or not, country) -> Odoo tax."""

    _name = "shopify.tax.mapping"
    _description = "Shopify Tax Mapping"
    _order = "shop_id, country_code, rate"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    rate = fields.Float(required=True, digits=(12, 6), help="As Shopify sends it: 0.08875 for 8.875%.")
    price_include = fields.Boolean(string="Included in Price")
    country_code = fields.Char(help="ISO country code of the shipping address; empty matches any.")
    title = fields.Char(help="Shopify tax title, for reference.")
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        required=True,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', 'parent_of', company_id)]",
    )

    @api.model
    def _find(self, shop, rate, price_include, country_code):
        candidates = self.search([("shop_id", "=", shop.id), ("price_include", "=", bool(price_include))])
        matching = candidates.filtered(lambda m: float_compare(m.rate, rate, precision_digits=6) == 0)
        exact = matching.filtered(lambda m: (m.country_code or "").upper() == (country_code or "").upper())
        return (exact or matching.filtered(lambda m: not m.country_code))[:1]
