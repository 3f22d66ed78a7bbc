"""A sale order line that is an item a customer received in exchange for a return (importers/exchange.py)."""

from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    shopify_exchange_line_id = fields.Char(
        string="Shopify Exchange Line Item",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The Shopify line item an exchange of a return added to the order: the line is added once.",
    )
