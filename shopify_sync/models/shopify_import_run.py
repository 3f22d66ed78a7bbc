"""A day-one import of one kind of record, with a Shopify bulk operation.

Each run goes through queue jobs, one step at a time, ids only, under identity
keys of services/identity.py:

1. *start* asks Shopify for the export;
2. *poll* waits for it (a new job with an eta each time: waiting uses up no attempt);
3. *cut* streams the JSONL file once (nothing parsed, nothing held) and records
   each chunk's byte range (shopify.import.chunk);
4. *chunk* jobs import the chunks, up to ``shopify_sync.import_read_jobs`` of
   them at once (the lanes): chunk ``n`` is of lane ``n mod N`` (default 2), a
   lane's chunk job imports its chunk and then enqueues the lane's next one, so
   at most N chunk jobs of a run exist at once and no two of them write the same row;
5. *fold* (a job of its own every few seconds, waiting uses no attempt) writes
   the sum of the chunks on the run, restarts a lane whose job is gone and ends
   the run once every chunk is done.

An orders run starts its lanes only once the products and customers runs
started before it are done or failed, so that its orders find their products
and customers in Odoo. A chunk's records, its counts and its position commit
together, so a killed chunk is read again from the position before it, and its
records go through the sync jobs' own path (bindings, identity keys, locks):
read again, they create nothing twice.
"""

import logging
import time
from collections import Counter
from datetime import timedelta
from itertools import takewhile

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..importers.order_links import enqueue_link_flush
from ..importers.product import find_or_create_attribute, find_or_create_attribute_value
from ..mapping.product import real_options
from ..services import bulk
from ..services.bulk_reader import ResultExpired, open_lines
from ..services.db import independent_env
from ..services.errors import DataConflictError, TemporaryError, ThrottledError
from ..services.gid import numeric_id
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
from .shopify_import_chunk import COUNT_FIELDS
from .shopify_shop import ACTIVE_STATES
from .shopify_sync_job import DEFERRED, FAILED

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
# Lanes and fold (steps 3 and 5)
READ_JOBS = 2
FOLD_SECONDS = 3.0
FOLD_PRIORITY = 5  # before the chunk jobs (10): a free worker refreshes the counters first
WAITS_FOR_KINDS = ("products", "customers")
LIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")
# Step 4: what a record ended as, counted on its chunk
COUNTERS = {
    "created": "created_count",
    "linked": "linked_count",
    "updated": "updated_count",
    FAILED: "failed_count",
    DEFERRED: "deferred_count",
}
MAX_UNREADABLE_NOTES = 50


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

    def _read_jobs(self):
        """Chunk jobs of one run at once (its lanes)."""
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.import_read_jobs")
        return max(int(value), 1) if value else READ_JOBS

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

    # -- step 3: cut the file ------------------------------------------------------
    def import_cut(self):
        """Queue job: record the chunks of the export file, then start the lanes and the fold."""
        self.ensure_one()
        if self.state != "reading":
            return f"Run {self.id} is {self.state}: nothing to cut."
        if not self.chunk_ids:  # a retry after a commit finds them
            cutter, options = bulk.ChunkCutter(self._chunk_size()), {}
            try:
                with open_lines(self.result_url, timeout=max(self.shop_id.api_timeout, 30)) as lines:
                    if self.object_kind == "products":
                        collect_options(self._fed(lines, cutter), options)
                    else:
                        for end_offset, raw in lines:
                            cutter.feed(end_offset, raw)
                bounds = cutter.finish()
            except ResultExpired as err:
                return self._fail(
                    self.env._(
                        "Shopify's export file expired before it was read (%s). Restart the import to export again.",
                        err,
                    )
                )
            except TemporaryError as err:
                self._retry_or_fail(err)
                return self.message
            if not bounds:
                return self._finish()
            prepare_attributes(self.env, options)
            self.env["shopify.import.chunk"].create(
                [
                    {
                        "run_id": self.id,
                        "sequence": sequence,
                        "start_offset": start_offset,
                        "start_line": start_line,
                        "end_offset": end_offset,
                        "end_line": end_line,
                        "read_offset": start_offset,
                        "rows_read": start_line,
                    }
                    for sequence, (start_offset, start_line, end_offset, end_line) in enumerate(bounds)
                ]
            )
        self._fold_step()
        return f"{len(self.chunk_ids)} chunks."

    @staticmethod
    def _fed(lines, cutter):
        for end_offset, raw in lines:
            cutter.feed(end_offset, raw)
            yield end_offset, raw

    # -- the lanes -----------------------------------------------------------------
    def _start_lanes(self):
        """Enqueue, for each lane, its first chunk not done, unless a job of it is alive."""
        lanes, seen = self._read_jobs(), set()
        for chunk in self.chunk_ids.filtered(lambda c: c.state != "done").sorted("sequence"):
            lane = chunk.sequence % lanes
            if lane in seen:
                continue
            seen.add(lane)
            if not self._live_jobs(f"chunk:{chunk.sequence}"):
                self._enqueue_step("chunk", position=chunk.sequence)

    def _after_chunk(self, chunk, counts, done):
        """A chunk job's end: the order links' flush once, then this chunk's rest or the lane's next chunk."""
        if self.object_kind == "orders" and counts.get("created"):
            enqueue_link_flush(self.env, self.shop_id)
        if not done:
            self._enqueue_step("chunk", position=chunk.sequence)  # its time is up: the rest in a job of its own
            return
        following = self.chunk_ids.filtered(lambda c: c.sequence == chunk.sequence + self._read_jobs())
        # Alive already when the lanes setting changed during the run: then another lane has it.
        if following and following.state != "done" and not self._live_jobs(f"chunk:{following.sequence}"):
            self._enqueue_step("chunk", position=following.sequence)
        self._enqueue_step("fold", priority=FOLD_PRIORITY, seconds=FOLD_SECONDS)

    def _live_jobs(self, step):
        """Whether a queue job of this run's ``step`` (a LIKE pattern) waits or runs."""
        self.env.cr.execute(
            "SELECT 1 FROM queue_job WHERE identity_key LIKE %s AND state IN %s LIMIT 1",
            (import_identity_key(self.shop_id.id, self.id, step), LIVE_JOB_STATES),
        )
        return bool(self.env.cr.fetchone())

    def _waits_for(self):
        """The products and customers runs an orders run waits for: those of the shop started before it, not ended."""
        if self.object_kind != "orders":
            return self.browse()
        return self.search(
            [
                ("shop_id", "=", self.shop_id.id),
                ("object_kind", "in", WAITS_FOR_KINDS),
                ("id", "<", self.id),
                ("state", "in", ACTIVE_STATES),
            ]
        )

    # -- step 4: a chunk job imports its byte range of the export file -----------------
    def import_chunk(self, sequence):
        """Queue job: import the records of chunk ``sequence`` from its saved position; then the lane's next chunk.

        The chunk's records, counts and position are one transaction: a job killed
        in the middle leaves the position before it, and its retry reads that part again.
        """
        self.ensure_one()
        chunk = self.chunk_ids.filtered(lambda c: c.sequence == sequence)
        if self.state != "reading" or not chunk or chunk.state == "done":
            return f"Run {self.id} is {self.state}: nothing to read in chunk {sequence}."
        try:
            return self._read_chunk(chunk)
        except (RetryableJobError, psycopg2.OperationalError):
            raise  # queue_job retries these (throttling, a concurrent update, a lost connection)
        except Exception as err:
            # Not a Shopify failure (those are handled below): a defect or a database error. The job fails
            # and is rolled back as queue_job does; the run must not stay "reading" without a word, so the
            # message is written on a cursor of its own (it survives the rollback).
            self._fail_independently(err, chunk.rows_read)
            raise

    def _fail_independently(self, err, rows):
        with independent_env(self.env) as env:
            run = env[self._name].browse(self.id)
            run._fail(
                env._(
                    "The import stopped on an unexpected error at line %(rows)s: %(error)s. "
                    "The job shows the details; Restart import starts again, nothing is imported twice.",
                    rows=rows,
                    error=err,
                )
            )

    def _read_chunk(self, chunk):
        deadline = time.monotonic() + self._chunk_seconds()
        counts = Counter()
        position, rows = chunk.read_offset, chunk.rows_read
        finished = False
        run = self.with_context(shopify_import_chunk=chunk.id)
        try:
            with open_lines(self.result_url, offset=position, timeout=max(self.shop_id.api_timeout, 30)) as lines:
                mine = takewhile(lambda line: line[0] <= chunk.end_offset, lines)
                for group in bulk.iter_groups(mine, start_line=rows):
                    counts[run._import_group(group, chunk)] += 1
                    position, rows = group.end_offset, group.last_line
                    if time.monotonic() > deadline:
                        break
                else:
                    finished = True
        except ResultExpired as err:
            self._save_chunk(chunk, counts, position, rows)
            return self._fail(
                self.env._(
                    "Shopify's export file expired while it was read (%(error)s): %(rows)s lines were imported. "
                    "Restart the import to export again.",
                    error=err,
                    rows=rows,
                )
            )
        except TemporaryError as err:
            # A retry keeps nothing of this part and reads it again from the saved position;
            # the last attempt keeps what it read, and the run stops with a message.
            self._save_chunk(chunk, counts, position, rows)
            self._retry_or_fail(err)
            return self.message
        finished = finished or position >= chunk.end_offset
        self._save_chunk(chunk, counts, position, rows, done=finished)
        self._after_chunk(chunk, counts, done=finished)
        return f"Chunk {chunk.sequence}: read up to line {rows} (byte {position}): {dict(counts)}"

    def _save_chunk(self, chunk, counts, position, rows, done=False):
        vals = {"read_offset": position, "rows_read": rows}
        if done:
            vals.update(state="done", rows_read=chunk.end_line, read_offset=chunk.end_offset)
        for outcome, count in counts.items():
            field = COUNTERS.get(outcome, "skipped_count")
            vals[field] = vals.get(field, chunk[field]) + count
        chunk.write(vals)

    def _import_group(self, group, chunk):
        """Import one record of the file through its sync job; its outcome."""
        kind = self.object_kind
        resource_type = bulk.KINDS[kind]
        sync_jobs = self.env["shopify.sync.job"].sudo()
        resource_id = self._resource_id(group)
        if resource_id is None:
            return self._note_unreadable(group, chunk)
        problems = list(group.errors)
        missing = bulk.missing_fields(kind, group) if group.root is not None else []
        if missing:
            problems.append(self.env._("fields missing: %s", ", ".join(missing)))
        if problems:
            error = DataConflictError(
                self.env._(
                    "Lines %(first)s-%(last)s of Shopify's export of %(kind)s could not be imported: %(problems)s",
                    first=group.first_line,
                    last=group.last_line,
                    kind=kind,
                    problems="; ".join(problems),
                ),
                missing=self.env._("a complete export row") if missing else self.env._("a readable export line"),
                retry_advice=self.env._("Retry is safe: it reads the record from Shopify again."),
            )
            outcome = sync_jobs._import_failure(self.shop_id, resource_type, resource_id, error)
        else:
            outcome = sync_jobs._import_node(self.shop_id, resource_type, resource_id, bulk.assemble(kind, group))
        return self._note_result(resource_type, resource_id, outcome)

    def _note_result(self, resource_type, resource_id, outcome):
        """Remember on the record's sync job what this run did to it (the result line's links); ``outcome``."""
        result = import_result(outcome)
        if result:
            # One statement per record, in the chunk's transaction: the import's hot path.
            self.env.cr.execute(
                """
                UPDATE shopify_sync_job SET import_run_id = %s, import_result = %s
                 WHERE shop_id = %s AND resource_type = %s AND resource_id = %s
                """,
                (self.id, result, self.shop_id.id, resource_type, str(resource_id)),
            )
            self.env["shopify.sync.job"].invalidate_model(["import_run_id", "import_result"])
        return outcome

    def _resource_id(self, group):
        """The record's numeric Shopify id when the file names a record of this kind, else None."""
        if not group.gid or not bulk.resource_of_gid(self.object_kind, group.gid):
            return None
        try:
            return numeric_id(group.resource_id)
        except ValueError:
            return None

    def _note_unreadable(self, group, chunk):
        """A line that names no record: one failure, noted on the run."""
        note = self.env._(
            "Lines %(first)s-%(last)s: %(problems)s",
            first=group.first_line,
            last=group.last_line,
            problems="; ".join(group.errors) or self.env._("no record id"),
        )
        notes = (chunk.unreadable_lines or "").splitlines()
        if len(notes) < MAX_UNREADABLE_NOTES:
            chunk.unreadable_lines = "\n".join([*notes, note])
        _logger.warning("Shopify import %s of %s: %s", self.object_kind, self.shop_id.name, note)
        return FAILED

    # -- the fold ------------------------------------------------------------------
    def import_fold(self):
        """Queue job: the run's counters as the sum of its chunks; lanes kept going; the run ended when all are done."""
        self.ensure_one()
        if self.state == "failed":
            # Chunk jobs still running when the run failed commit their records: their counts are folded too.
            self.write(self._folded())
            if self._live_jobs("chunk:%"):
                self._enqueue_step("fold", priority=FOLD_PRIORITY, seconds=FOLD_SECONDS)
            return "Failed: counters folded."
        if self.state != "reading":
            return f"Run {self.id} is {self.state}: nothing to fold."
        return self._fold_step()

    def _fold_step(self):
        chunks = self.chunk_ids
        if all(chunk.state == "done" for chunk in chunks):
            return self._finish()
        vals = self._folded()
        waiting = self._waits_for()
        if waiting:
            vals["message"] = self.env._(
                "Waiting for the %s import to end: orders are imported once their products and customers are.",
                " and ".join(waiting.mapped("object_kind")),
            )
        elif self.message:
            vals["message"] = False
        if any(self[name] != value for name, value in vals.items()):
            self.write(vals)
        if not waiting:
            self._start_lanes()
        self._enqueue_step("fold", priority=FOLD_PRIORITY, seconds=FOLD_SECONDS)
        return f"{len(chunks.filtered(lambda c: c.state == 'done'))}/{len(chunks)} chunks done."

    def _folded(self):
        """The run's counters, rows read and notes as the sum of its chunks ({} for a run without chunks)."""
        chunks = self.chunk_ids
        if not chunks:
            return {}
        vals = {name: sum(chunks.mapped(name)) for name in COUNT_FIELDS}
        vals["rows_read"] = sum(chunk.rows_read - chunk.start_line for chunk in chunks)
        vals["read_offset"] = sum(chunk.read_offset - chunk.start_offset for chunk in chunks)
        notes = [note for chunk in chunks for note in (chunk.unreadable_lines or "").splitlines()]
        vals["unreadable_lines"] = "\n".join(notes[:MAX_UNREADABLE_NOTES]) or False
        return vals

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


def import_result(outcome):
    """The result line's word for a record's outcome: created, linked, present (already there), failed;
    None for a record handed to its sync job (its outcome comes later)."""
    if outcome == DEFERRED:
        return None
    return {"created": "created", "linked": "linked", FAILED: "failed"}.get(outcome, "present")


def collect_options(lines, options):
    """The option names and values the products of the file make variants of, into ``options`` {name: {value}}."""
    for group in bulk.iter_groups(lines):
        if group.root is None or group.errors:
            continue
        try:
            node = bulk.assemble("products", group)
            found = real_options(node.get("options"), node["variants"]["nodes"])
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # its record fails on its own when its chunk is read
        for name, values in found:
            options.setdefault(name, {}).update(dict.fromkeys(values))


def prepare_attributes(env, options):
    """Create, once and before the lanes, the attributes and values the products need.

    Two lanes creating the same attribute at once would make two of them (it has no
    unique name), or wait for each other on the values' unique index.
    """
    for name, values in options.items():
        attribute = find_or_create_attribute(env, name)
        for value in values:
            find_or_create_attribute_value(env, attribute, value)
