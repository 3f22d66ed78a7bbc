"""An order job and the shop's backlog reads (models/shopify_backlog_read.py): import a staged row, or wait.

The fresh-data rule holds: the job reads Shopify, never the webhook body. A
staged row is Shopify's data as a bulk export read it, and is used only when
that read started after every event the job serves was received (the job's
deliveries, queued or merged into it, and any delivery of the order not
dispatched yet); otherwise the job queries Shopify as before. Same handler,
same keys, same lock and bindings as a queried order: the row only replaces
the fetch. The row is deleted in the job's transaction: a job rolled back
keeps it for its retry, a job committed leaves none for a second run.
"""

from odoo import fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..services import backlog
from .shopify_backlog_read import ACTIVE_STATES


class ShopifySyncJob(models.Model):
    _inherit = "shopify.sync.job"  # pylint: disable=consider-merging-classes-inherited

    def _backlog_node(self):
        """The order's staged node to import instead of querying Shopify, or None; waits for a read covering it.

        Raises RetryableJobError (no attempt used) while a backlog read of the shop that held
        this job is still running: the read wakes the job when it ends.
        """
        self.ensure_one()
        uuid = self.env.context.get("job_uuid")
        if self.resource_type != "order" or not uuid or self.shop_id._rollout_mode("order") != "automatic":
            return None
        nodes = self.env["shopify.backlog.node"].sudo()
        reads = self.env["shopify.backlog.read"].sudo()
        staged_domain = [("shop_id", "=", self.shop_id.id), ("resource_id", "=", self.resource_id)]
        active_domain = [("shop_id", "=", self.shop_id.id), ("state", "in", ACTIVE_STATES)]
        if not nodes.search_count(staged_domain, limit=1) and not reads.search_count(active_domain, limit=1):
            return None
        received = self._events_received_at(uuid)
        if received is None:
            return None
        fresh = [("read_started_at", ">", received)]
        staged = nodes.search(staged_domain + fresh, order="read_started_at desc", limit=1)
        if staged:
            payload = staged.payload
            nodes.search(staged_domain).unlink()
            return payload
        # A read still running that holds this job: it waits for its end, when it either finds its row
        # or, if its events came after the read started, a next read (models/shopify_backlog_read.py) or a
        # query. A job the read left to the budget queries now.
        active = reads.search(
            active_domain + [("started_at", ">", fields.Datetime.now() - backlog.MAX_ACTIVE)], limit=1
        )
        if active and self._held_by(uuid, active):
            raise RetryableJobError(
                backlog.waiting_result(active.id), seconds=backlog.POSTPONE_SECONDS, ignore_retry=True
            )
        return None

    def _held_by(self, uuid, read):
        """True when the running queue job was held for ``read`` (its result says so)."""
        self.env.cr.execute("SELECT result FROM queue_job WHERE uuid = %s", (uuid,))
        row = self.env.cr.fetchone()
        return bool(row) and row[0] == backlog.waiting_result(read.id)

    def _events_received_at(self, uuid):
        """When the last event this queue job serves was received (None: the job is unknown).

        Its deliveries (queued, or merged into it while it waited); without any (a retry
        asked by a person, a record an import handed over), the job's creation. And any
        delivery of the order not dispatched yet, which may be merging into it right now.
        """
        cr = self.env.cr
        cr.execute("SELECT id, date_created FROM queue_job WHERE uuid = %s", (uuid,))
        row = cr.fetchone()
        if not row:
            return None
        queue_job_id, created = row
        self.env["shopify.webhook.delivery"].flush_model()
        cr.execute(
            "SELECT max(received_at) FROM shopify_webhook_delivery WHERE sync_job_id = %s AND queue_job_id = %s",
            (self.id, queue_job_id),
        )
        linked = cr.fetchone()[0]
        cr.execute(
            """
            SELECT max(received_at) FROM shopify_webhook_delivery
             WHERE shop_id = %s AND state = 'received' AND resource_type = %s AND resource_id = %s
            """,
            (self.shop_id.id, self.resource_type, self.resource_id),
        )
        waiting = cr.fetchone()[0]
        return max((t for t in (linked or created, waiting) if t), default=None)
