"""The day-one stock comparison, queued when stock must be agreed (models/shopify_stock_agreement.py)."""

from .. import const
from .base import ResourceHandler, SyncResult


class StockCompareHandler(ResourceHandler):
    resource_type = const.STOCK_COMPARE
    type_label = "Stock comparison"
    channel = const.CHANNEL_INVENTORY

    def _run(self, resource_id):
        # Not a rollout object of its own: it writes nothing to Shopify, and a
        # comparison waiting for review would only delay the one a manager reviews.
        if not self.shop._pushes_stock() or self.shop.rollout_stock == "off":
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
