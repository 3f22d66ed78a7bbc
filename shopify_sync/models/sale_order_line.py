from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_removed_qty = fields.Float(
        string="Removed in Shopify",
        digits="Product Unit",
        readonly=True,
        copy=False,
        help="Units Shopify will not ship (refunded before shipping, or the rest of a cancelled order): "
        "they were taken off the ordered quantity and the open delivery. Shopify still counts them in the "
        "line's quantity, so an order update compares the ordered quantity plus these units.",
    )

    def write(self, vals):
        # a person's change of a synced order's line quantity is noted (models/shopify_manual_edit.py)
        self.env["shopify.manual.edit"]._note_user_write(self, vals)
        return super().write(vals)
