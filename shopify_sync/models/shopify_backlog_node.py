"""The staged rows of a backlog read, and its *stage* step (see shopify_backlog_read.py).

The export file is streamed (services/bulk_reader.py), grouped into orders
(services/bulk.py) and staged a chunk per job; a chunk's rows and the file
position after it commit together. Only orders an order job or a received
delivery waits for are staged. A row is the order node as the import builds
it (``bulk.assemble``), the same shape ORDER_QUERY gives, and carries when its
read started: the order job uses it only if that is after its events were
received, and deletes it (models/shopify_sync_job_backlog.py). Rows left over
are deleted after ``STAGED_TTL`` (the cleanup cron) and at the shop's next read.
"""

import logging
import time

from odoo import api, fields, models

from ..services import backlog, bulk
from ..services.bulk_reader import ResultExpired, open_lines
from ..services.errors import TemporaryError
from ..services.gid import numeric_id
from ..services.identity import identity_key
from .shopify_backlog_read import WAITING_JOB_STATES

_logger = logging.getLogger(__name__)


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


class ShopifyBacklogRead(models.Model):
    _inherit = "shopify.backlog.read"

    def backlog_stage(self, offset):
        """Queue job: stage the orders of the file after byte ``offset``; then the next part, or done.

        A job stages up to ``STAGE_MAX_ROWS`` rows or runs ``STAGE_SECONDS``, well inside a worker's
        time limit; it filters and inserts ``STAGE_CHUNK`` export rows at a time, so that only a
        chunk is in memory. Its rows and the position after them commit together.
        """
        self.ensure_one()
        if self.state != "staging" or offset != self.read_offset:
            return f"Backlog read {self.id} is {self.state} at byte {self.read_offset}: nothing to stage at {offset}."
        deadline = time.monotonic() + backlog.STAGE_SECONDS
        nodes, position, staged, finished = {}, offset, 0, False
        try:
            with open_lines(self.result_url, offset=offset, timeout=max(self.shop_id.api_timeout, 30)) as lines:
                for group in bulk.iter_groups(lines):
                    position = group.end_offset
                    resource_id = self._staged_id(group)
                    if resource_id:
                        nodes[resource_id] = bulk.assemble("orders", group)
                    if len(nodes) >= backlog.STAGE_CHUNK:
                        staged += self._stage(nodes)
                        nodes = {}
                        if staged >= backlog.STAGE_MAX_ROWS or time.monotonic() > deadline:
                            break
                else:
                    finished = True
        except ResultExpired as err:
            return self._fail(self.env._("Shopify's backlog export expired before it was staged: %s", err))
        except TemporaryError as err:
            self._retry_or_fail(err)
            return self.message
        staged += self._stage(nodes)
        self.write({"read_offset": position, "staged_count": self.staged_count + staged})
        if finished:
            return self._done()
        self._enqueue_step("stage", position=position)
        return f"Staged {staged} orders up to byte {position}."

    def _staged_id(self, group):
        """The order's numeric id when the group is a complete order row, else None (its job queries it)."""
        if group.errors or group.root is None or bulk.missing_fields("orders", group):
            return None
        if not group.gid or not bulk.resource_of_gid("orders", group.gid):
            return None
        try:
            return str(numeric_id(group.resource_id))
        except ValueError:
            return None

    def _stage(self, nodes):
        """Insert the rows of the orders something waits for (a job not started, a delivery); their number."""
        wanted = self._awaited(list(nodes))
        rows = [
            {
                "shop_id": self.shop_id.id,
                "read_id": self.id,
                "resource_id": resource_id,
                "payload": nodes[resource_id],
                "read_started_at": self.started_at,
            }
            for resource_id in nodes
            if resource_id in wanted
        ]
        self.env["shopify.backlog.node"].sudo().create(rows)
        return len(rows)

    def _awaited(self, resource_ids):
        """The ids among ``resource_ids`` whose order job waits, or whose delivery is not dispatched yet,
        and whose events were all received before the read started (the others' jobs query Shopify)."""
        if not resource_ids:
            return set()
        shop_id = self.shop_id.id
        keys = {identity_key(shop_id, "order", rid): rid for rid in resource_ids}
        cr = self.env.cr
        cr.execute(
            "SELECT identity_key FROM queue_job WHERE identity_key = ANY(%s) AND state IN %s",
            (list(keys), WAITING_JOB_STATES),
        )
        wanted = {keys[key] for (key,) in cr.fetchall()}
        cr.execute(
            """
            SELECT resource_id, received_at >= %s FROM shopify_webhook_delivery
             WHERE shop_id = %s AND state = 'received' AND resource_type = 'order' AND resource_id = ANY(%s)
            """,
            (self.started_at, shop_id, resource_ids),
        )
        received = cr.fetchall()
        wanted |= {rid for rid, _late in received}
        if not wanted:
            return set()
        cr.execute(
            """
            SELECT DISTINCT j.resource_id FROM shopify_sync_job j
              JOIN shopify_webhook_delivery d ON d.sync_job_id = j.id
             WHERE j.shop_id = %s AND j.resource_type = 'order' AND j.resource_id = ANY(%s) AND d.received_at >= %s
            """,
            (shop_id, list(wanted), self.started_at),
        )
        late = {rid for (rid,) in cr.fetchall()} | {rid for rid, is_late in received if is_late}
        # Nor those a read staged already (a job not run yet since): that row serves.
        cr.execute(
            "SELECT resource_id FROM shopify_backlog_node WHERE shop_id = %s AND resource_id = ANY(%s)",
            (shop_id, list(wanted)),
        )
        return wanted - late - {rid for (rid,) in cr.fetchall()}
