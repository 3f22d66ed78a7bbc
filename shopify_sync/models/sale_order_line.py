from odoo import api, fields, models


class SaleOrderLine(models.Model):
    """What Shopify shipped before the order reached Odoo (day one), removed or added after checkout."""

    _inherit = "sale.order.line"

    shopify_shipped_before = fields.Float(
        string="Shipped Before Odoo",
        digits="Product Unit",
        readonly=True,
        copy=False,
        help="Quantity Shopify fulfilled before the day-one import: counted as delivered, with no delivery "
        "and no stock move (Odoo's day-one stock is the count); a delivery is made only for the rest.",
    )

    shopify_removed_qty = fields.Float(
        string="Removed in Shopify",
        digits="Product Unit",
        readonly=True,
        copy=False,
        help="Units Shopify will not ship (refunded before shipping, or the rest of a cancelled order): "
        "they were taken off the ordered quantity and the open delivery. Shopify still counts them in the "
        "line's quantity, so an order update compares the ordered quantity plus these units.",
    )

    shopify_exchange_line_id = fields.Char(
        string="Shopify Exchange Line Item",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The Shopify line item an exchange of a return added to the order (importers/exchange.py): "
        "the line is added once.",
    )

    @api.depends("shopify_shipped_before")
    def _compute_qty_delivered(self):
        result = super()._compute_qty_delivered()
        for line in self:
            if line.qty_delivered_method == "stock_move" and line.shopify_shipped_before:
                line.qty_delivered += line.shopify_shipped_before
        return result

    def _get_qty_procurement(self, previous_product_uom_qty=False):
        """The stock rules procure only what was not shipped before Odoo."""
        return super()._get_qty_procurement(previous_product_uom_qty) + self.shopify_shipped_before

    def write(self, vals):
        # a person's change of a synced order's line quantity is noted (models/shopify_manual_edit.py)
        self.env["shopify.manual.edit"]._note_user_write(self, vals)
        return super().write(vals)
