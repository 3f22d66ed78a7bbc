"""What Shopify will not ship: a sale line's ordered quantity lowered, its open delivery with it.

Shared by refunds of unshipped units (importers/refund.py), cancellations (importers/order.py) and
order edits (importers/order_edits.py).
Odoo lowers the open delivery moves itself when a confirmed line's quantity goes down (sale_stock:
a negative procurement merged into the open move, cancelled at zero), exactly as for a manual
change; a line is never lowered below what was delivered. Each lowered unit is also counted in
``shopify_removed_qty``: Shopify keeps it in the line's quantity, and an order update compares the
two (importers/order.py _update_lines).
"""

from odoo.tools import float_is_zero


class UndeliveredRest:
    def __init__(self, env, order):
        self.env = env
        self.order = order
        self.precision = env["decimal.precision"].precision_get("Product Unit")

    def open_quantity(self, line):
        return max(line.product_uom_qty - line.qty_delivered, 0.0)

    def reduce(self, lines_and_quantities, count_removed=True):
        """Lower each line by its quantity, at most its open units; return [(line, units lowered)].

        ``count_removed``: the units are also counted in ``shopify_removed_qty`` (Shopify still counts
        them in the line's quantity); not for an order edit, whose quantities already leave them out."""
        wanted = {}
        for line, quantity in lines_and_quantities:
            if line and line.product_id.type == "consu":  # goods: a service is not delivered
                wanted[line] = wanted.get(line, 0.0) + float(quantity)
        changes = []
        for line, quantity in wanted.items():
            units = min(quantity, self.open_quantity(line))
            if not float_is_zero(units, precision_digits=self.precision):
                changes.append((line, units))
        if not changes:
            return []
        locked = self.order.locked
        if locked:
            self.order.action_unlock()
        for line, units in changes:
            vals = {"product_uom_qty": line.product_uom_qty - units}
            if count_removed:
                vals["shopify_removed_qty"] = line.shopify_removed_qty + units
            line.write(vals)
        if locked:
            self.order.action_lock()
        return changes

    def cancel_rest(self):
        """Lower every goods line to what was delivered: the open deliveries are cancelled."""
        return self.reduce([(line, self.open_quantity(line)) for line in self.order.order_line])

    def describe(self, changes):
        return ", ".join(f"{units:g} × {line.product_id.display_name}" for line, units in changes)
