"""The day-one stock comparison, queued when stock must be agreed (models/shopify_stock_agreement.py)."""

from .base import ResourceHandler, SyncResult


class StockCompareHandler(ResourceHandler):
    resource_type = "stock_compare"

    def _run(self, resource_id):
        if not (self.shop.push_inventory and self.shop.stock_authority == "odoo"):
            return SyncResult("skipped", None, "Stock comparison", note="Stock push is off for this shop.")
        agreement = self.env["shopify.stock.agreement"]._compare(self.shop)
        if not agreement:
            return SyncResult("skipped", None, "Stock comparison", note="Every bound variant is agreed.")
        note = (
            f"{agreement.count_equal} equal, {agreement.count_odoo_higher} Odoo higher, "
            f"{agreement.count_odoo_lower} Odoo lower, {agreement.count_unknown} unknown in Odoo, "
            f"{agreement.count_left_out} not compared: waiting for a manager's choice."
        )
        return SyncResult("handled", agreement, agreement.name, note=note)
