"""Backlog reads: a burst of order events read with one bulk export instead of one ORDER_QUERY each.

*When*: the webhook dispatcher (models/shopify_webhook_delivery.py) asks after
each batch it dispatched (``_consider_backlog_read``). It is the cheapest
correct place: it runs once per 25 deliveries, not once per order job, it
already holds the shop's dispatcher lock (one decision at a time per shop),
and the order jobs it just enqueued are committed, so the count sees them.
A read starts when the shop's waiting order jobs (queue_job pending or
enqueued, not started) and received order deliveries cost more, at the points
ORDER_QUERY costs, than the shop's budget gives within ``HORIZON_SECONDS``
(services/rate_budget.py), there are at least ``shopify_sync.backlog_read_min_orders``
of them (0: never), no read of the shop is active and Shopify has a bulk slot
free (the import's runs count).

*How*: queue jobs, ids only, under identity keys of services/identity.py, as
the import's steps: *start* sends ``bulkOperationRunQuery`` with the import's
order document, filtered on ``updated_at`` since the earliest waiting event
less a margin; *poll* waits for it; *stage* streams the JSONL file into
``shopify.backlog.node`` rows (models/shopify_backlog_node.py), a chunk per
job: the file is streamed (services/bulk_reader.py) and grouped into orders
(services/bulk.py); a chunk's rows and the file position after it commit
together, and only orders an order job or a received delivery waits for are
staged. The waiting order jobs are held (their eta) meanwhile, and woken when
the read ends, whatever its end: an order job imports its staged row when the
read started after the job's events were received, else it queries Shopify as
before (``_backlog_node`` in models/shopify_sync_job.py). A failed read only
costs the wait.
"""

import logging
import time
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..services import backlog, bulk
from ..services.backlog import ACTIVE_STATES
from ..services.bulk_reader import ResultExpired, open_lines
from ..services.errors import TemporaryError, ThrottledError
from ..services.gid import numeric_id
from ..services.identity import backlog_identity_key, identity_key, resource_keys_pattern
from ..services.queries import BULK_RUN_QUERY, ORDER_QUERY, bulk_export_query
from ..services.rate_budget import ORDER_POINTS, expected_points, points_soon
from ..services.retry_policy import MAX_ATTEMPTS
from ..services.shopify_enums import BULK_COMPLETED, BULK_WAITING_STATUSES

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Starting"),
    ("running", "Exporting in Shopify"),
    ("staging", "Staging"),
    ("done", "Done"),
    ("failed", "Failed"),
]
WAITING_JOB_STATES = ("pending", "enqueued")
WAITING_STATUSES = BULK_WAITING_STATUSES
CHANNEL = const.CHANNEL_ORDER
PRIORITY = 1  # before the order jobs of the channel (10): they wait for it
# A shop Shopify has not told its bucket yet: the Standard plan's (2,000 points, 100 a second).
DEFAULT_BUCKET, DEFAULT_RESTORE_RATE = 2000.0, 100.0
KEEP_READS = timedelta(days=7)


class ShopifyBacklogRead(models.Model):
    _name = "shopify.backlog.read"
    _inherit = ["shopify.bulk.step"]
    _description = "Shopify Backlog Read"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, index=True)
    started_at = fields.Datetime(
        readonly=True, help="When the export was asked for: a row it stages is at least as fresh as this."
    )
    covers_since = fields.Datetime(readonly=True, help="Orders updated since then are exported.")
    waiting_count = fields.Integer(readonly=True, help="Order events waiting when the read was decided.")
    read_offset = fields.Integer(readonly=True)
    staged_count = fields.Integer(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    message = fields.Text(readonly=True)

    # -- the decision (the dispatcher, after a batch) -------------------------------------
    @api.model
    def _min_orders(self):
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.backlog_read_min_orders")
        return max(int(value), 0) if value else backlog.DEFAULT_MIN_ORDERS  # unset: False; "0" turns reads off

    @api.model
    def _consider_backlog_read(self, shop):
        """Start a backlog read of ``shop`` if its waiting order events are worth one; the read or None."""
        min_orders = self._min_orders()
        if not min_orders:
            return None
        active = self._active_read(shop)
        if active:
            # Events after its start: they wait for its end too, where a next read may take them.
            active._hold_waiting_jobs()
            return None
        waiting, earliest = self._waiting_orders(shop)
        if waiting < min_orders:
            return None
        soon = points_soon(self.env.cr, shop.id, backlog.HORIZON_SECONDS)
        if soon is None:
            soon = DEFAULT_BUCKET + DEFAULT_RESTORE_RATE * backlog.HORIZON_SECONDS
        burst = backlog.Backlog(waiting, expected_points(ORDER_QUERY, ORDER_POINTS), soon)
        if not burst.worth_a_read(min_orders) or not self._bulk_slot_free(shop):
            return None
        now = fields.Datetime.now()
        self.env["shopify.backlog.node"].sudo()._purge(shop)
        read = self.sudo().create(
            {
                "shop_id": shop.id,
                "started_at": now,
                "covers_since": (earliest or now) - backlog.MARGIN,
                "waiting_count": waiting,
            }
        )
        read._enqueue_step("start")
        read._hold_waiting_jobs()
        _logger.info("Shopify %s: backlog read %s of %s waiting orders", shop.name, read.id, waiting)
        return read

    @api.model
    def _active_read(self, shop):
        """The shop's read still running (not given up yet), if any."""
        return self.sudo().search(
            [
                ("shop_id", "=", shop.id),
                ("state", "in", ACTIVE_STATES),
                ("started_at", ">", fields.Datetime.now() - backlog.MAX_ACTIVE),
            ],
            limit=1,
        )

    @api.model
    def _waiting_orders(self, shop):
        """(count, earliest time) of the shop's order events not fetched yet: waiting jobs and received deliveries."""
        cr = self.env.cr
        self.env["queue.job"].flush_model(["state", "identity_key"])
        pattern = resource_keys_pattern(shop.id, "order")
        # Not the jobs whose order a read staged already: they import it when they run.
        cr.execute(
            """
            SELECT count(*), min(q.date_created) FROM queue_job q
             WHERE q.identity_key LIKE %(pattern)s AND q.state IN %(states)s
               AND NOT EXISTS (SELECT 1 FROM shopify_backlog_node n
                                WHERE n.shop_id = %(shop)s AND n.resource_id = substr(q.identity_key, %(cut)s))
            """,
            {"pattern": pattern, "states": WAITING_JOB_STATES, "shop": shop.id, "cut": len(pattern)},
        )
        jobs, first_job = cr.fetchone()
        cr.execute(
            """
            SELECT count(*), min(received_at) FROM shopify_webhook_delivery
             WHERE shop_id = %s AND state = 'received' AND resource_type = 'order'
            """,
            (shop.id,),
        )
        received, first_delivery = cr.fetchone()
        earliest = min((t for t in (first_job, first_delivery) if t), default=None)
        return jobs + received, earliest

    @api.model
    def _bulk_slot_free(self, shop):
        """Shopify runs 5 bulk queries at once per shop from 2026-01, one before; the import's runs count."""
        limit = 5 if (shop.api_version or "") >= "2026-01" else 1
        running = (
            self.env["shopify.import.run"].sudo().search_count([("shop_id", "=", shop.id), ("state", "=", "running")])
        )
        return running + len(self._active_read(shop)) < limit

    def _hold_waiting_jobs(self):
        """Hold the shop's waiting order jobs until the read ends (it wakes them): they would only wait for it."""
        self.ensure_one()
        now = fields.Datetime.now()
        jobs = self._order_jobs([("state", "=", "pending"), "|", ("eta", "=", False), ("eta", "<=", now)])
        # The oldest the budget serves now query meanwhile (workers idle while the export runs otherwise).
        available = points_soon(self.env.cr, self.shop_id.id, 0) or 0.0
        jobs = jobs.sorted("id")[int(max(available, 0.0) // expected_points(ORDER_QUERY, ORDER_POINTS)) :]
        staged = set(
            self.env["shopify.backlog.node"].sudo().search([("shop_id", "=", self.shop_id.id)]).mapped("resource_id")
        )
        jobs = jobs.filtered(lambda job: job.identity_key.rsplit(":", 1)[-1] not in staged)  # they import theirs
        jobs.write(
            {
                "eta": now + timedelta(seconds=backlog.POSTPONE_SECONDS),
                "result": backlog.waiting_result(self.id),
            }
        )

    def _wake_waiting_jobs(self):
        """The read ended: the order jobs waiting for it run now (from a staged row or a query)."""
        self.ensure_one()
        jobs = self._order_jobs([("state", "=", "pending"), ("result", "=", backlog.waiting_result(self.id))])
        jobs.write({"eta": False})
        return len(jobs)

    def _order_jobs(self, domain):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("identity_key", "=like", resource_keys_pattern(self.shop_id.id, "order")), *domain])
        )

    # -- the steps -------------------------------------------------------------------------
    def _enqueue_step(self, step, position=None, seconds=None):
        self.ensure_one()
        eta = fields.Datetime.now() + timedelta(seconds=seconds) if seconds else None
        delayed = self.with_delay(
            channel=CHANNEL,
            priority=PRIORITY,
            identity_key=backlog_identity_key(self.shop_id.id, self.id, step, position),
            description=f"Shopify backlog read ({self.shop_id.name}): {step}",
            eta=eta,
            max_retries=MAX_ATTEMPTS,
        )
        if step == "stage":
            return delayed.backlog_stage(position)
        return getattr(delayed, f"backlog_{step}")()

    def backlog_start(self):
        """Queue job: ask Shopify for the export of the orders updated since ``covers_since``."""
        self.ensure_one()
        if self.state != "draft":
            return f"Backlog read {self.id} is {self.state}: nothing to start."
        # Before the request: every row of the export is at least as fresh as this instant. Times are
        # stored to the second: starting on a second's boundary covers every event of the second before.
        time.sleep(1.0 - time.time() % 1.0)
        self.started_at = fields.Datetime.now()
        search = backlog.updated_since(self.covers_since)
        data = self._call(BULK_RUN_QUERY, {"query": bulk_export_query("orders", search)})
        if data is None:
            return self.message
        payload = data.get("bulkOperationRunQuery") or {}
        operation = payload.get("bulkOperation") or {}
        errors = payload.get("userErrors") or []
        if errors or not operation.get("id"):
            detail = "; ".join(err.get("message") or "" for err in errors) or "no bulk operation returned"
            return self._fail(self.env._("Shopify refused the backlog export: %s", detail))
        self.write({"state": "running", "bulk_operation_gid": operation["id"], "bulk_status": operation.get("status")})
        self._enqueue_step("poll", seconds=backlog.poll_seconds(0))
        return f"Bulk operation {operation['id']} started."

    def backlog_poll(self):
        """Queue job: look at the export; look again later, stage it, or give it up."""
        self.ensure_one()
        if self.state != "running":
            return f"Backlog read {self.id} is {self.state}: nothing to poll."
        if self.started_at < fields.Datetime.now() - backlog.MAX_ACTIVE:
            return self._fail(self.env._("Shopify's backlog export took too long: the orders are queried one by one."))
        operation = self._poll_operation()
        if operation is None:
            return self.message
        status = operation.get("status")
        if status in WAITING_STATUSES:
            self._enqueue_step("poll", seconds=backlog.poll_seconds(self.poll_count))
            return f"Still {status}."
        if status == BULK_COMPLETED and not operation.get("url"):
            return self._done()  # no order updated since: Shopify gives no file
        if status == BULK_COMPLETED:
            self.write({"state": "staging", "result_url": operation["url"], "read_offset": 0})
            self._enqueue_step("stage", position=0)
            return "Completed: staging."
        code = operation.get("errorCode") or status or "-"
        return self._fail(self.env._("Shopify's backlog export ended %(status)s (%(code)s).", status=status, code=code))

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

    # -- shared ----------------------------------------------------------------------------
    def _refused_message(self, error):
        return self.env._("Shopify refused the backlog export: %s", error)

    def _retry_or_fail(self, error):
        """Retried once soon (throttling without using an attempt); then the read is given up."""
        uuid = self.env.context.get("job_uuid")
        job = uuid and self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        throttled = isinstance(error, ThrottledError)
        if not job or (job.retry >= 1 and not throttled):
            self._fail(self.env._("Shopify kept failing, the backlog read stopped: %s", error))
            return
        raise RetryableJobError(str(error), seconds=2, ignore_retry=throttled) from error

    def _fail(self, message):
        """The read stops; the order jobs waiting for it query Shopify one by one, as without it."""
        self.write({"state": "failed", "message": message, "finished_at": fields.Datetime.now()})
        woken = self._wake_waiting_jobs()
        _logger.warning("Shopify backlog read %s of %s failed: %s", self.id, self.shop_id.name, message)
        self.shop_id.sudo().with_context(mail_create_nosubscribe=True).message_post(
            body=self.env._(
                "A backlog read of orders failed (%(message)s): %(count)s order jobs query Shopify one by one.",
                message=message,
                count=woken,
            )
        )
        return message

    def _done(self):
        """The read is staged: its waiting jobs run, and the events that came after it started get
        a next read if they are worth one (it holds them again; the staged ones are left be)."""
        self.write({"state": "done", "finished_at": fields.Datetime.now(), "message": False})
        woken = self._wake_waiting_jobs()
        self._consider_backlog_read(self.shop_id)
        return f"Done: {self.staged_count} orders staged, {woken} order jobs woken."

    # -- cleanup ---------------------------------------------------------------------------
    @api.model
    def _cron_cleanup(self):
        """Give up reads active too long, drop staged rows past their time and old reads."""
        stuck = self.sudo().search(
            [("state", "in", ACTIVE_STATES), ("started_at", "<", fields.Datetime.now() - backlog.MAX_ACTIVE)]
        )
        for read in stuck:
            read._fail(self.env._("The backlog read did not end in time."))
        self.env["shopify.backlog.node"].sudo()._purge()
        self.sudo().search(
            [("state", "in", ("done", "failed")), ("finished_at", "<", fields.Datetime.now() - KEEP_READS)]
        ).unlink()
        return len(stuck)
