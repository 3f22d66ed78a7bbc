from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # Writes made by the sync itself never push back to Shopify.
        if not self.env.context.get("shopify_sync"):
            self.env["shopify.inventory.pending"].sudo()._mark(moves.filtered(lambda m: m.state == "done"))
        return moves
