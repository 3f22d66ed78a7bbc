"""The staged rows of a backlog read (its *stage* step: models/shopify_backlog_read.py).

A row is the order node as the import builds it (``bulk.assemble``), the same
shape ORDER_QUERY gives, and carries when its read started: the order job uses
it only if that is after its events were received, and deletes it
(``_backlog_node`` in models/shopify_sync_job.py). Rows left over are deleted
after ``STAGED_TTL`` (the cleanup cron) and at the shop's next read.
"""

from odoo import api, fields, models

from ..services import backlog


class ShopifyBacklogNode(models.Model):
    _name = "shopify.backlog.node"
    _description = "Shopify Backlog Staged Order"
    _log_access = False

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", readonly=True)
    read_id = fields.Many2one("shopify.backlog.read", required=True, ondelete="cascade", index=True, readonly=True)
    resource_id = fields.Char(required=True, readonly=True, help="The order's numeric Shopify id.")
    payload = fields.Json(readonly=True)
    read_started_at = fields.Datetime(required=True, readonly=True, index=True)

    _shop_resource_idx = models.Index("(shop_id, resource_id)")

    @api.model
    def _forget_shop(self, shop):
        """Delete every row staged for ``shop`` (a redact request): the order jobs then query Shopify."""
        self.search([("shop_id", "=", shop.id)]).unlink()

    @api.model
    def _purge(self, shop=None):
        """Delete the rows staged longer than ``STAGED_TTL`` ago (of ``shop``, or of every shop)."""
        domain = [("read_started_at", "<", fields.Datetime.now() - backlog.STAGED_TTL)]
        if shop:
            domain.append(("shop_id", "=", shop.id))
        self.search(domain).unlink()
