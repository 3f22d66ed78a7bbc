from odoo import api, fields, models

from ..mapping.history import STANDINGS
from ..services.labels import financial_status_label


class ShopifyOrderBinding(models.Model):
    """A Shopify order as an Odoo sale order: an order always belongs to exactly one store."""

    _name = "shopify.order.binding"
    _inherit = "shopify.binding"
    _description = "Shopify order binding"
    _shopify_admin_kind = "order"

    odoo_id = fields.Many2one("sale.order", string="Sale Order", required=True, ondelete="restrict")
    shopify_name = fields.Char(string="Shopify Order", readonly=True)
    financial_status = fields.Char(string="Shopify Payment Status Code", readonly=True)
    financial_status_label = fields.Char(string="Shopify Payment Status", compute="_compute_financial_status_label")
    shopify_deleted_at = fields.Datetime(
        string="Deleted in Shopify",
        readonly=True,
        help="When the order's deletion in Shopify (orders/delete) reached Odoo: the Odoo order is kept.",
    )
    shopify_cancelled_at = fields.Datetime(
        string="Cancelled in Shopify",
        readonly=True,
        help="When Shopify cancelled the order, once Odoo applied it (the undelivered rest cancelled).",
    )
    import_standing = fields.Selection(
        STANDINGS,
        readonly=True,
        help="How the order first came into Odoo: open (work to do), history (done with in Shopify "
        "before the import: recorded in its final state, no delivery) or cancelled.",
    )

    _record_uniq = models.UniqueIndex("(odoo_id)", "This sale order already belongs to a Shopify order.")

    @api.depends("financial_status")
    def _compute_financial_status_label(self):
        for binding in self:
            binding.financial_status_label = financial_status_label(self.env, binding.financial_status)


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.order.binding", "odoo_id", string="Shopify Bindings", readonly=True, copy=False
    )
