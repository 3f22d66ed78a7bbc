"""A day-one import of one kind of record, with a Shopify bulk operation.

Each run goes through queue jobs, one step at a time, ids only, under identity
keys of services/identity.py: *start* asks Shopify for the export, *poll*
waits for it (a new job with an eta each time: waiting uses up no attempt),
*cut* streams the JSONL file once and records its chunks (shopify.import.chunk),
then *chunk* jobs import the chunks, up to ``shopify_sync.import_read_jobs`` of
them at once, while *fold* keeps the run's counters the sum of its chunks and
ends the run (shopify_import_run_lanes.py). A chunk's records, its counts and
its position commit together, so a killed chunk is read again from the position
before it, and its records go through the sync jobs' own path (bindings,
identity keys, locks): read again, they create nothing twice.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..services import bulk
from ..services.errors import ThrottledError
from ..services.identity import import_identity_key
from ..services.queries import BULK_RUN_QUERY, bulk_export_query
from ..services.retry_policy import MAX_ATTEMPTS
from ..services.shopify_enums import (
    BULK_ACCESS_DENIED,
    BULK_CANCELED,
    BULK_COMPLETED,
    BULK_EXPIRED,
    BULK_INTERNAL_SERVER_ERROR,
    BULK_LIMIT_CODES,
    BULK_TIMEOUT,
    BULK_WAITING_STATUSES,
)

_logger = logging.getLogger(__name__)

KIND_SELECTION = [("products", "Products"), ("customers", "Customers"), ("orders", "Orders")]
STATES = [
    ("draft", "Waiting"),
    ("running", "Exporting in Shopify"),
    ("reading", "Importing"),
    ("done", "Done"),
    ("failed", "Failed"),
]
WAITING_STATUSES = BULK_WAITING_STATUSES
LIMIT_CODES = BULK_LIMIT_CODES
CHANNEL = const.CHANNEL_IMPORT
CHUNK_SECONDS = 30.0
CHUNK_SIZE = 200
MAX_POLL_SECONDS = 60
STEP_NAMES = {"chunk": "read"}


class ShopifyImportRun(models.Model):
    _name = "shopify.import.run"
    _inherit = ["shopify.import.counts", "shopify.bulk.step"]
    _description = "Shopify Import Run"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    object_kind = fields.Selection(KIND_SELECTION, required=True, readonly=True)
    since = fields.Datetime(readonly=True, help="Only records created since then; empty: all of them.")
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, index=True)
    error_code = fields.Char(readonly=True, copy=False)
    object_count = fields.Integer(readonly=True, help="Lines of the export, as Shopify counts them.")
    read_offset = fields.Integer(readonly=True, help="Bytes of the export file imported so far.")
    rows_read = fields.Integer(readonly=True)
    progress = fields.Float(compute="_compute_progress", store=True, digits=(5, 1))
    message = fields.Text(readonly=True)
    unreadable_lines = fields.Text(readonly=True, help="Lines of the export that name no record and could not be read.")
    chunk_ids = fields.One2many("shopify.import.chunk", "run_id", string="Chunks", readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)

    present_count = fields.Integer(
        string="Already there",
        compute="_compute_result_line",
        help="Records Odoo already had: updated to Shopify's version, or already at it.",
    )
    result_line = fields.Char(
        string="Result",
        compute="_compute_result_line",
        help="What happened to the records read: created, linked to a record Odoo had, already there, failed.",
    )

    @api.depends("created_count", "linked_count", "updated_count", "skipped_count", "failed_count", "deferred_count")
    def _compute_result_line(self):
        for run in self:
            run.present_count = run.updated_count + run.skipped_count
            line = self.env._(
                "%(created)s created · %(linked)s linked · %(present)s already there · %(failed)s failed",
                created=run.created_count,
                linked=run.linked_count,
                present=run.present_count,
                failed=run.failed_count,
            )
            if run.deferred_count:
                line += " · " + self.env._("%s handed to their sync job", run.deferred_count)
            run.result_line = line

    def _result_domain(self, result):
        """The sync jobs of the records this run created, linked, found already there, or failed on.

        A record read again by a later run belongs to that run's result.
        """
        self.ensure_one()
        return [("import_run_id", "=", self.id), ("import_result", "=", result)]

    def action_open_result(self):
        """The sync jobs behind one number of the result line (``import_result`` in the context)."""
        self.ensure_one()
        result = self.env.context.get("import_result", "created")
        labels = {
            "created": self.env._("Created"),
            "linked": self.env._("Linked"),
            "present": self.env._("Already there"),
            "failed": self.env._("Failed"),
        }
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_job")
        action.update(
            name=f"{self.display_name}: {labels[result]}",
            domain=self._result_domain(result),
            context={"search_default_group_category": 1} if result == "failed" else {},
        )
        return action

    @api.depends("rows_read", "object_count", "state")
    def _compute_progress(self):
        for run in self:
            run.progress = 100.0 if run.state == "done" else bulk.progress(run.rows_read, run.object_count)

    @api.depends("object_kind", "shop_id.name")
    def _compute_display_name(self):
        kinds = dict(self._fields["object_kind"]._description_selection(self.env))
        for run in self:
            run.display_name = self.env._(
                "%(kind)s import of %(shop)s", kind=kinds[run.object_kind], shop=run.shop_id.name
            )

    # -- enqueueing ------------------------------------------------------------
    def _enqueue_step(self, step, position=None, seconds=None, priority=None):
        """Enqueue one step of this run, once per identity key (ids only); a chunk's step carries its sequence."""
        self.ensure_one()
        eta = fields.Datetime.now() + timedelta(seconds=seconds) if seconds else None
        delayed = self.with_delay(
            channel=CHANNEL,
            identity_key=import_identity_key(self.shop_id.id, self.id, step, position),
            # Chunk jobs are named "...: read" as the chunk chain's were (the bench counts them by name).
            description=f"Shopify import {self.object_kind} ({self.shop_id.name}): {STEP_NAMES.get(step, step)}",
            eta=eta,
            priority=priority,
            max_retries=MAX_ATTEMPTS,
        )
        if position is not None:
            return getattr(delayed, f"import_{step}")(position)
        return getattr(delayed, f"import_{step}")()

    def _poll_seconds(self):
        """Seconds before the next look at the export: soon at first, then less often (unset: that default)."""
        configured = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.import_poll_seconds")
        if configured not in (None, False, ""):
            return max(float(configured), 0.0)
        return min(2 * 1.5**self.poll_count, MAX_POLL_SECONDS)

    def _chunk_size(self):
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.import_chunk_size")
        return max(int(value), 1) if value else CHUNK_SIZE

    def _chunk_seconds(self):
        """A chunk also ends after this many seconds, well inside a worker's limit_time_real (120 s by
        default): a job the server kills for its time is redone from the same position, again and again."""
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.import_chunk_seconds")
        return max(float(value), 1.0) if value else CHUNK_SECONDS

    # -- step 1: start the bulk operation ----------------------------------------
    def import_start(self):
        """Queue job: ask Shopify to export the records of this run."""
        self.ensure_one()
        if self.state != "draft":
            return f"Run {self.id} is {self.state}: nothing to start."
        search = bulk.search_since(self.since)
        data = self._call(BULK_RUN_QUERY, {"query": bulk_export_query(self.object_kind, search)})
        if data is None:
            return self.message
        payload = data.get("bulkOperationRunQuery") or {}
        errors = payload.get("userErrors") or []
        if any(err.get("code") in LIMIT_CODES for err in errors):
            self.message = self.env._("Waiting: Shopify is already running as many exports as it allows.")
            self._enqueue_step("start", seconds=max(self._poll_seconds(), 1) * 5)
            return self.message
        operation = payload.get("bulkOperation") or {}
        if errors or not operation.get("id"):
            detail = "; ".join(err.get("message") or "" for err in errors) or self.env._("no bulk operation returned")
            return self._fail(self.env._("Shopify refused the export: %s", detail))
        self.write(
            {
                "state": "running",
                "bulk_operation_gid": operation["id"],
                "bulk_status": operation.get("status"),
                "started_at": fields.Datetime.now(),
                "message": False,
            }
        )
        self._enqueue_step("poll", seconds=self._poll_seconds())
        return f"Bulk operation {operation['id']} started."

    # -- step 2: wait for it ---------------------------------------------------------
    def import_poll(self):
        """Queue job: look at the bulk operation; look again later, read it, or say why it failed."""
        self.ensure_one()
        if self.state != "running":
            return f"Run {self.id} is {self.state}: nothing to poll."
        operation = self._poll_operation()
        if operation is None:
            return self.message
        status = operation.get("status")
        self.write(
            {"object_count": int(operation.get("objectCount") or 0), "error_code": operation.get("errorCode") or False}
        )
        if status in WAITING_STATUSES:
            self._enqueue_step("poll", seconds=self._poll_seconds())
            return f"Still {status}."
        if status == BULK_COMPLETED and not operation.get("url"):
            return self._finish()  # nothing to export: Shopify gives no file
        if status == BULK_COMPLETED:
            self.write({"state": "reading", "result_url": operation["url"], "read_offset": 0, "rows_read": 0})
            self._enqueue_step("cut")
            return "Completed: cutting the file into chunks."
        return self._fail(self._failure_message(status, operation.get("errorCode")))

    def _failure_message(self, status, code):
        if status == BULK_EXPIRED:
            return self.env._("Shopify's export expired before it was read. Restart the import to export again.")
        if status == BULK_CANCELED:
            return self.env._("The export was cancelled in Shopify. Restart the import to export again.")
        reasons = {
            BULK_ACCESS_DENIED: self.env._("the app lacks an access scope the export needs"),
            BULK_INTERNAL_SERVER_ERROR: self.env._("an internal error in Shopify"),
            BULK_TIMEOUT: self.env._("Shopify timed out building the file"),
        }
        return self.env._(
            "Shopify could not export %(kind)s: %(reason)s (%(code)s). Restart the import once it is fixed.",
            kind=dict(self._fields["object_kind"]._description_selection(self.env))[self.object_kind],
            reason=reasons.get(code, self.env._("the bulk operation failed")),
            code=code or status or "-",
        )

    # -- shared -----------------------------------------------------------------
    def _refused_message(self, error):
        return self.env._("Shopify refused the import: %s", error)

    def _retry_or_fail(self, error):
        """A temporary failure: queue_job retries the step (throttling uses no attempt); the last one fails the run."""
        uuid = self.env.context.get("job_uuid")
        job = uuid and self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        throttled = isinstance(error, ThrottledError)
        if job and job.max_retries and job.retry + 1 >= job.max_retries and not throttled:
            self._fail(self.env._("Shopify kept failing, the import stopped: %s", error))
            return
        seconds = int(error.retry_after) if error.retry_after else None
        raise RetryableJobError(str(error), seconds=seconds, ignore_retry=throttled) from error

    def _fail(self, message):
        """The run stops here with ``message`` on the shop and a *Restart import*; what it imported stays."""
        self.write({"state": "failed", "message": message, "finished_at": fields.Datetime.now(), **self._folded()})
        _logger.warning("Shopify import %s of %s failed: %s", self.object_kind, self.shop_id.name, message)
        return message

    def _finish(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now(), "message": False, **self._folded()})
        return self.env._(
            "Done: %(created)s created, %(linked)s linked, %(updated)s updated, %(failed)s failed.",
            created=self.created_count,
            linked=self.linked_count,
            updated=self.updated_count,
            failed=self.failed_count,
        )

    def action_restart(self):
        """A new run of the same kind and period (the failed one stays, with what it did)."""
        runs = self.env[self._name]
        for run in self.filtered(lambda r: r.state == "failed"):
            runs |= run.shop_id._start_import_runs([run.object_kind], since=run.since)
        return runs
