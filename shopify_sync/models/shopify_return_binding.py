"""A Shopify return as Odoo knows it: the sale order it belongs to, its status and, once Shopify
processed it, the one return receipt it became (importers/order_return.py)."""

from odoo import api, fields, models

RETURN_STATUSES = [
    ("requested", "Requested"),
    ("open", "Approved, expected"),
    ("closed", "Closed"),
    ("declined", "Declined"),
    ("canceled", "Cancelled"),
]
EXPECTED = ("requested", "open")


class ShopifyReturnBinding(models.Model):
    """A requested or approved return points at no receipt yet; a processed one at its receipt."""

    _name = "shopify.return.binding"
    _inherit = "shopify.binding"
    _description = "Shopify return binding"
    _order = "id desc"

    odoo_id = fields.Many2one(
        "stock.picking",
        string="Return Receipt",
        ondelete="restrict",
        readonly=True,
        help="The receipt of the returned units, once Shopify processed the return.",
    )
    sale_order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    name = fields.Char(string="Return", readonly=True)
    status = fields.Selection(RETURN_STATUSES, readonly=True, required=True, default="requested")
    expected = fields.Boolean(compute="_compute_expected", store=True)
    quantity = fields.Float(string="Units", readonly=True, help="Units the customer returns.")
    processed_quantity = fields.Float(string="Units Processed", readonly=True)
    summary = fields.Char(string="Items", readonly=True)

    _record_uniq = models.UniqueIndex("(odoo_id)", "This receipt already belongs to a Shopify return.")

    @api.depends("status", "odoo_id")
    def _compute_expected(self):
        for binding in self:
            binding.expected = binding.status in EXPECTED and not binding.odoo_id

    def _compute_display_name(self):
        for binding in self:
            binding.display_name = binding.name or f"{binding.shop_id.name}: {binding.shopify_id}"
