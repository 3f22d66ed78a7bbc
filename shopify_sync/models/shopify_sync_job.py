"""Sync jobs: one row per Shopify resource, with its sync history, state and open problem.

The model's sections, in the order a job goes through them:

- *fields and names*: what a job is, what it last did (``last_outcome``) and its
  readable title;
- *identity at the door*: one row per resource whatever the concurrency, one
  waiting queue job per resource;
- *the run* (``run_sync``): the queue job that brings one resource into Odoo;
- *staged backlog rows*: an order job imports the row a backlog read staged
  (models/shopify_backlog_read.py) instead of querying Shopify, or waits for
  that read. The fresh-data rule holds: the job reads Shopify, never the
  webhook body. A staged row is Shopify's data as a bulk export read it, and is
  used only when that read started after every event the job serves was
  received (the job's deliveries, queued or merged into it, and any delivery of
  the order not dispatched yet); otherwise the job queries Shopify as before.
  Same handler, same keys, same lock and bindings as a queried order: the row
  only replaces the fetch. The row is deleted in the job's transaction: a job
  rolled back keeps it for its retry, a job committed leaves none for a second run;
- *the rollout switch and review-before-apply*: in review mode a job runs its
  handler as a dry run (see models/shopify_review_recorder.py): inside a
  savepoint that is rolled back, with writes to Shopify only noted. The job
  then waits *To review* with the diff and a fingerprint (Shopify's updatedAt
  and a hash of the diff). Approve runs the dry run again: the same
  fingerprint, and the handler runs for real; another one (Shopify or Odoo
  changed meanwhile), and the new diff is shown instead. The sync job is one
  row per resource, so there is never more than one waiting review per
  resource: a new event refreshes its diff. A switched-off object runs nothing;
- *success* and *failure*: what a run leaves on the job, its deliveries, its
  chatter and the problem's activity;
- *day-one import*: a bulk export row goes through the job's own path
  (models/shopify_import_run.py);
- *review decisions*, *buttons* and *retention*.
"""

import logging
import math
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..importers import HANDLERS
from ..importers.base import SyncResult
from ..services import backlog, review
from ..services.db import independent_env
from ..services.errors import (
    CATEGORIES,
    TEMPORARY,
    ConcurrentSyncError,
    DataConflictError,
    SyncError,
    TemporaryError,
    ThrottledError,
)
from ..services.gid import admin_url, to_gid
from ..services.identity import identity_key, lock_door, try_lock_resource, try_lock_review
from ..services.labels import job_title, label_from_payload, local_time
from ..services.resources import CHANNELS, RESOURCE_TYPES
from ..services.retry_policy import MAX_ATTEMPTS, THROTTLE_PATIENCE, throttle_wait, within_throttle_patience
from ..services.rollout import OBJECTS, object_of
from .shopify_review_recorder import DiffRecorder, DryRunClient, DryRunStop

_logger = logging.getLogger(__name__)

PENDING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
# In the order a job goes through them (the statusbar's order).
JOB_STATES = [
    ("pending", "Pending"),
    ("to_review", "To review"),
    ("failed", "Failed"),
    ("done", "Done"),
    ("ignored", "Resolved manually"),
    ("rejected", "Rejected"),
]
# States a retry does not apply to: the person decides (Approve or Reject) instead.
NOT_RETRIED = ("to_review", "rejected")
OUTCOMES = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("skipped", "Skipped"),
    ("linked", "Linked"),
    ("cancelled", "Cancelled"),
    ("handled", "Handled"),
]
# What a run did to the Odoo record, kept when a later run only skips
MEANINGFUL_OUTCOMES = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("linked", "Linked"),
    ("cancelled", "Cancelled"),
]
MEANINGFUL = dict(MEANINGFUL_OUTCOMES)
# Outcomes worth a line in the chatter even without a failure before them
NOTEWORTHY = ("created", "linked", "cancelled")
# Outcomes whose lag is a sync's lag (see _is_real_sync).
LAG_OUTCOMES = ("created", "updated", "linked")
# What an import row can end as, besides the handler's outcomes: its record failed,
# or it was handed to the ordinary sync job (another job held it, or a temporary failure).
FAILED = "failed"
DEFERRED = "deferred"
IMPORT_RESULTS = [("created", "Created"), ("linked", "Linked"), ("present", "Already there"), ("failed", "Failed")]
PUSH_TYPES = ("inventory_push", "picking_push", "product_push")  # their diff is what they would send to Shopify
STOP_AT_SEND = ("picking_push", "product_push")  # reads Shopify's answer to its write: the dry run ends at the write


def record_link(record):
    """A record named in the chatter, as a link that opens it (``S00021``); empty for no record."""
    if not record:
        return ""
    return Markup('<a href="/odoo/%s/%s" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
        record._name,
        record.id,
        record._name,
        record.id,
        record.display_name,
    )


class SyncFailed(UserError):
    """A classified, recorded sync failure: the queue job ends as failed."""


class ReviewResult(SyncResult):
    """The outcome of a dry run: the change a reviewer decides on."""

    def __init__(self, entries, record=None, label=None, updated_at=None):
        super().__init__("review", record, label, updated_at, review.summary(entries))
        self.entries = entries
        self.fingerprint = review.fingerprint(updated_at and fields.Datetime.to_string(updated_at), entries)


class OffResult(SyncResult):
    """A job of an object switched off: nothing run, nothing written."""


class StaleApproval(Exception):  # noqa: N818 - a decision, not an error
    """The change applied for real differs from the approved one: undone, shown again."""


class ShopifySyncJob(models.Model):
    """One line per Shopify resource: its sync history, state and open problem."""

    _name = "shopify.sync.job"
    _description = "Shopify Sync Job"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "last_seen desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    resource_type = fields.Selection(RESOURCE_TYPES, required=True, readonly=True, index=True)
    resource_id = fields.Char(required=True, readonly=True)
    resource_label = fields.Char(readonly=True, help="Order number, customer or product name in Shopify.")
    identity_key = fields.Char(required=True, readonly=True, index=True)
    shopify_admin_url = fields.Char(compute="_compute_shopify_admin_url")
    state = fields.Selection(JOB_STATES, default="pending", required=True, readonly=True, index=True, tracking=True)
    status_path = fields.Char(
        compute="_compute_status_path",
        help="The states of this job's path, in the statusbar's order (widget shopify_status_path).",
    )
    outcome = fields.Selection(OUTCOMES, string="Last run", readonly=True)
    outcome_note = fields.Text(readonly=True)
    res_model = fields.Char(string="Odoo Model", readonly=True)
    res_id = fields.Many2oneReference(string="Odoo Record ID", model_field="res_model", readonly=True)
    # Open problem, if any: the four questions
    category = fields.Selection(CATEGORIES, readonly=True, index=True)
    message = fields.Text(string="What happened", readonly=True)
    missing = fields.Char(string="What is missing", readonly=True)
    retry_advice = fields.Char(string="Retry", readonly=True)
    fix_model = fields.Char(readonly=True)
    fix_hint = fields.Json(readonly=True)
    needs_action = fields.Boolean(readonly=True, index=True)
    resolution_note = fields.Text(readonly=True)
    problem_activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    # Counters and times
    attempt_count = fields.Integer(readonly=True)
    failure_count = fields.Integer(readonly=True)
    first_seen = fields.Datetime(readonly=True, default=fields.Datetime.now)
    last_seen = fields.Datetime(readonly=True, default=fields.Datetime.now)
    last_success_at = fields.Datetime(readonly=True)
    last_failed_at = fields.Datetime(readonly=True)
    throttled_since = fields.Datetime(
        readonly=True,
        help="Shopify has been throttling this job's calls since then; cleared by any other outcome. "
        "Throttling is waited out for up to 30 minutes without using up attempts.",
    )
    shopify_updated_at = fields.Datetime(readonly=True)
    lag_seconds = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Seconds between Shopify's updatedAt and the last real sync (created, updated or linked a newer "
        "Shopify version); skips, no-ops and re-runs of a version already synced are not lag.",
    )
    lag_at = fields.Datetime(string="Lag measured at", readonly=True, index=True, help="When lag_seconds was measured.")
    failed_category = fields.Selection(
        CATEGORIES,
        string="Failed with",
        readonly=True,
        index=True,
        help="The reason of this job's last failure, kept once it is fixed: what reports count failures by.",
    )
    delivery_ids = fields.One2many("shopify.webhook.delivery", "sync_job_id", readonly=True)
    delivery_count = fields.Integer(compute="_compute_counts")
    queue_job_count = fields.Integer(compute="_compute_counts")
    has_pending_job = fields.Boolean(compute="_compute_counts")
    # What it last did
    last_outcome = fields.Selection(
        MEANINGFUL_OUTCOMES,
        string="Last meaningful outcome",
        readonly=True,
        index=True,
        help="What the sync last did to the Odoo record; a later skipped run does not replace it.",
    )
    last_outcome_at = fields.Datetime(string="Meaningful outcome at", readonly=True)
    record_created_at = fields.Datetime(
        string="Record created at",
        readonly=True,
        help="When this job's sync created the Odoo record; a later update does not hide it.",
    )
    resource_summary = fields.Char(
        readonly=True, help="Who and how much, as Shopify last told: e.g. the customer and total of an order."
    )
    display_outcome = fields.Char(string="Outcome", compute="_compute_display_outcome")
    same_reason_count = fields.Integer(
        compute="_compute_same_reason_count", help="Other open failures of this shop with the same reason."
    )
    # Day-one import
    import_run_id = fields.Many2one(
        "shopify.import.run",
        string="Last import",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The last import run that read this record.",
    )
    import_result = fields.Selection(IMPORT_RESULTS, readonly=True, help="What that import did to the record.")
    # Review before apply, and the rollout switch
    review_diff = fields.Json(readonly=True, copy=False)
    review_diff_html = fields.Html(string="Change", compute="_compute_review_diff_html", sanitize=False)
    review_summary = fields.Char(readonly=True, copy=False)
    review_fingerprint = fields.Char(readonly=True, copy=False)
    review_updated_at = fields.Datetime(string="Shopify version reviewed", readonly=True, copy=False)
    review_refreshed_at = fields.Datetime(readonly=True, copy=False)
    review_decision = fields.Selection(
        [("approved", "Approved"), ("rejected", "Rejected")], readonly=True, copy=False, tracking=True
    )
    reviewed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    reviewed_at = fields.Datetime(readonly=True, copy=False)
    reject_reason = fields.Text(readonly=True, copy=False)
    held_by_switch = fields.Boolean(
        readonly=True, copy=False, help="Ran while its object was switched off: run again when switched on."
    )

    _resource_uniq = models.UniqueIndex(
        "(shop_id, resource_type, resource_id)", "A sync job for this resource already exists."
    )

    # -- names and computed fields ----------------------------------------------
    @api.depends("resource_type", "resource_id", "resource_label", "resource_summary")
    def _compute_name(self):
        for job in self:
            job.name = job_title(
                job._resource_type_label(), job.resource_label or job.resource_id, job.resource_summary
            )

    @api.depends("state", "review_decision")
    def _compute_status_path(self):
        """The job form's one statusbar: the states of the job's own path in order, the current one marked."""
        order = [value for value, _label in self._fields["state"].selection]
        for job in self:
            job.status_path = ",".join(state for state in order if state in job._status_path_states())

    def _status_path_states(self):
        """Pending first; To review where a person decides or decided; Failed while it is; then where it ends."""
        self.ensure_one()
        states = {"pending", self.state}
        if self.state == "to_review" or self.review_decision:
            states.add("to_review")
        if self.state not in ("rejected", "ignored"):
            states.add("done")  # the goal of a pending, waiting or failed job
        return states

    def _resource_type_label(self):
        return dict(self._fields["resource_type"]._description_selection(self.env)).get(
            self.resource_type, self.resource_type or ""
        )

    def _compute_shopify_admin_url(self):
        for job in self:
            job.shopify_admin_url = admin_url(job.shop_id.domain, job.resource_type, job.resource_id)

    def _compute_counts(self):
        jobs = self.env["queue.job"].sudo()
        for job in self:
            job.delivery_count = len(job.delivery_ids)
            domain = [("identity_key", "=", job.identity_key)]
            job.queue_job_count = jobs.search_count(domain)
            job.has_pending_job = bool(jobs.search_count(domain + [("state", "in", PENDING_JOB_STATES)]))

    @api.depends("outcome", "last_outcome", "record_created_at", "category")
    def _compute_display_outcome(self):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for job in self:
            meaningful = outcomes.get(job.last_outcome, "")
            if job.record_created_at and job.last_outcome not in (False, "created"):
                # Created by this job, changed since: both are history worth keeping.
                meaningful = self.env._(
                    "%(created)s, then %(later)s", created=outcomes.get("created"), later=meaningful.lower()
                )
            last = outcomes.get(job.outcome, "")
            if meaningful and last and job.outcome != job.last_outcome:
                job.display_outcome = self.env._(
                    "%(meaningful)s (last run: %(last)s)", meaningful=meaningful, last=last
                )
            else:
                job.display_outcome = meaningful or last or False

    def _compute_review_diff_html(self):
        for job in self:
            job.review_diff_html = review.render_html(job.review_diff) if job.review_diff is not False else False

    @api.depends("category", "needs_action", "shop_id")
    def _compute_same_reason_count(self):
        for job in self:
            if not (job.id and job.category and job.needs_action):
                job.same_reason_count = 0
                continue
            job.same_reason_count = self.search_count(job._same_reason_domain() + [("id", "!=", job.id)])

    # -- identity at the door ------------------------------------------------
    @api.model
    def _identity_key(self, shop, resource_type, resource_id):
        return identity_key(shop.id, resource_type, resource_id)

    @api.model
    def _ensure(self, shop, resource_type, resource_id, inserted=None):
        """The sync job row of a resource, inserted once whatever the concurrency.

        ``inserted`` (a set), when given, gets the row's id if this call inserted it.
        """
        key = self._identity_key(shop, resource_type, resource_id)
        company_id = getattr(shop.company_id, "id", shop.company_id)
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            INSERT INTO shopify_sync_job AS j
                (shop_id, company_id, resource_type, resource_id, identity_key, name, state,
                 attempt_count, failure_count, first_seen, last_seen,
                 create_uid, write_uid, create_date, write_date)
            VALUES (%(shop)s, %(company)s, %(rtype)s, %(rid)s, %(key)s, %(name)s, 'pending',
                    0, 0, %(now)s, %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s)
            ON CONFLICT (shop_id, resource_type, resource_id) DO NOTHING
            RETURNING id
            """,
            {
                "shop": shop.id,
                "company": company_id,
                "rtype": resource_type,
                "rid": resource_id,
                "key": key,
                "name": f"{dict(RESOURCE_TYPES).get(resource_type, resource_type)} {resource_id}",
                "now": now,
                "uid": self.env.uid,
            },
        )
        row = self.env.cr.fetchone()
        if row and inserted is not None:
            inserted.add(row[0])
        if not row:
            self.env.cr.execute(
                "SELECT id FROM shopify_sync_job WHERE shop_id=%s AND resource_type=%s AND resource_id=%s",
                (shop.id, resource_type, resource_id),
            )
            row = self.env.cr.fetchone()
        return self.browse(row[0])

    def _enqueue(self, delivery_id=None, priority=None, eta=None):
        """Enqueue the sync of this resource unless a job is already waiting."""
        self.ensure_one()
        return self._enqueue_resource(
            self.shop_id.id, self.resource_type, self.resource_id, delivery_id=delivery_id, priority=priority, eta=eta
        )

    @api.model
    def _enqueue_resource(
        self, shop_id, resource_type, resource_id, delivery_id=None, priority=None, eta=None, committed=False
    ):
        """Enqueue the sync of one resource unless a job is already waiting.

        Callers for one resource are serialised by an advisory lock, and the
        check reads committed state (READ COMMITTED at the door), so there is
        never more than one waiting job per resource; a waiting job fetches
        the newest state when it runs, so it serves every event it absorbs.
        A job already started is not reused (its data may predate the event).
        ``committed``: the caller is a job, whose snapshot may predate the start of
        the job it would reuse; the check then reads committed state on a cursor of
        its own (the lock stays on the caller's). Returns ``(queue job id, created)``.
        Plain SQL where it can: this runs on every webhook.
        """
        key = identity_key(shop_id, resource_type, resource_id)
        cr = self.env.cr
        lock_door(cr, key)
        if committed:
            # Looked for and enqueued on a cursor of its own, committed at once: queue_job's own
            # identity check would read this job's snapshot too. A flush enqueued so, then waiting
            # for the lock this job holds, reads what this job commits.
            with independent_env(self.env) as env:
                return env[self._name]._enqueue_locked(
                    key, shop_id, resource_type, resource_id, delivery_id, priority, eta
                )
        return self._enqueue_locked(key, shop_id, resource_type, resource_id, delivery_id, priority, eta)

    @api.model
    def _enqueue_locked(self, key, shop_id, resource_type, resource_id, delivery_id, priority, eta):
        """The waiting job of ``key``, or a new one; the caller holds the door lock."""
        cr = self.env.cr
        cr.execute(
            "SELECT id FROM queue_job WHERE identity_key = %s AND state IN %s LIMIT 1", (key, PENDING_JOB_STATES)
        )
        row = cr.fetchone()
        if row:
            return row[0], False
        job = (
            self.sudo()
            .browse()
            .with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
            .with_delay(
                channel=CHANNELS.get(resource_type, const.CHANNEL_ROOT),
                identity_key=key,
                description=f"Shopify sync: {resource_type} {resource_id}",
                priority=priority,
                eta=eta,
                max_retries=MAX_ATTEMPTS,
            )
            .run_sync(shop_id, resource_type, resource_id, delivery_id)
        )
        if not hasattr(job, "uuid"):
            return None, True  # executed at once (queue_job__no_delay)
        cr.execute("SELECT id FROM queue_job WHERE uuid = %s", (job.uuid,))
        row = cr.fetchone()
        return (row[0] if row else None), True

    # -- the run: the queue job ---------------------------------------------
    def run_sync(self, shop_id, resource_type, resource_id, delivery_id=None):
        """Queue job: bring one Shopify resource into Odoo, exactly once.

        Arguments are ids only; the data is fetched fresh from Shopify.
        """
        shop = self.env["shopify.shop"].with_context(active_test=False).browse(shop_id).exists()
        if not shop:
            return "Shop no longer exists: nothing to do."
        sync_job = self.search(
            [("shop_id", "=", shop.id), ("resource_type", "=", resource_type), ("resource_id", "=", resource_id)]
        )
        if not sync_job:
            try:
                with self.env.cr.savepoint():
                    sync_job = self._ensure(shop, resource_type, resource_id)
            except pg_errors.SerializationFailure as err:
                raise RetryableJobError(
                    "Sync job created concurrently; retrying.", seconds=2, ignore_retry=True
                ) from err
        if not try_lock_resource(self.env.cr, sync_job.identity_key):
            raise RetryableJobError(
                f"{sync_job.name} is being synced by another job; retrying shortly.", seconds=3, ignore_retry=True
            )
        # An order staged by a backlog read (see _backlog_node), or None: fetch it.
        node = sync_job._backlog_node()
        started = fields.Datetime.now()
        handler = HANDLERS[resource_type](self.env, shop, sync_job)
        try:
            with self.env.cr.savepoint():
                # Rollout switch (see _run_handler): applied, dry run for review, or off.
                result = sync_job._run_handler(handler, resource_id, node=node)
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure) as err:
            # Another transaction wrote the same record meanwhile: the retry
            # starts from a fresh snapshot and finds it.
            self._fail_temporarily(
                sync_job, ConcurrentSyncError(f"{sync_job.name} was written concurrently ({err.pgcode}).")
            )
        except TemporaryError as err:
            self._fail_temporarily(sync_job, err)
        except SyncError as err:
            err.label, err.summary = handler.label, handler.summary
            sync_job._record_failure(err, final=True)
            raise SyncFailed(f"[{err.category}] {err}") from err
        sync_job._record_success(result, started)
        return result.summary()

    def _fail_temporarily(self, sync_job, error):
        """Record a temporary failure and hand the retry to queue_job (see services/retry_policy.py).

        Throttling is waited out without using up attempts, within the
        throttle patience.  A concurrent write is not a problem worth a line:
        it is retried within seconds and only recorded once the retries run out.
        """
        now = fields.Datetime.now()
        throttled = isinstance(error, ThrottledError)
        if throttled and within_throttle_patience(sync_job.throttled_since, now):
            since = sync_job.throttled_since or now
            seconds = throttle_wait(error.retry_after, (now - since).total_seconds())
            sync_job._record_failure(error, final=False, throttled_since=since, wait=seconds)
            raise RetryableJobError(str(error), seconds=seconds, ignore_retry=True) from error
        attempt, exhausted = self._current_attempt()
        if exhausted or not isinstance(error, ConcurrentSyncError):
            since = sync_job.throttled_since if throttled else None
            sync_job._record_failure(error, final=exhausted, attempt=attempt, throttled_since=since)
        # Past the patience a throttled job follows the retry pattern like any failure.
        seconds = math.ceil(error.retry_after) if error.retry_after and not throttled else None
        raise RetryableJobError(str(error), seconds=seconds) from error

    def _current_attempt(self):
        """(attempt number, whether it is the last one) for the running queue job."""
        uuid = self.env.context.get("job_uuid")
        job = uuid and self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        if not job:
            return 1, True
        attempt = job.retry + 1
        return attempt, bool(job.max_retries) and attempt >= job.max_retries

    def _gid(self):
        return to_gid(self.resource_type, self.resource_id)

    # -- staged backlog rows (models/shopify_backlog_read.py) ------------------
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
        active_domain = [("shop_id", "=", self.shop_id.id), ("state", "in", backlog.ACTIVE_STATES)]
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

    # -- the rollout switch and review-before-apply: the call site in run_sync --
    def _run_handler(self, handler, resource_id, node=None):
        """Run the handler as the shop's switch for this object says: for real, as a dry run, or not at all.

        ``node`` is the resource's Shopify data when already fetched (a bulk export row).
        """
        self.ensure_one()
        mode = self.shop_id._rollout_mode(self.resource_type)
        if mode == "off":
            label = OBJECTS[object_of(self.resource_type)][0]
            return OffResult("skipped", note=self.env._("%s are switched off for this shop: nothing written.", label))
        if mode != "review":
            return handler.run(resource_id, node=node)
        result = self._dry_run(handler, resource_id, node=node)
        if not result.entries:
            # Nothing a person would decide on (e.g. a version Odoo already has): run it as usual.
            return type(handler)(self.env, self.shop_id, self).run(resource_id, node=node)
        approved = self.env.context.get("shopify_review_approve")
        if not approved or approved != result.fingerprint:
            return result
        applied = type(handler)(self.env, self.shop_id, self).run(resource_id, node=node)
        if applied.updated_at != result.updated_at:
            raise StaleApproval(self.env._("Shopify changed while the review was applied."))
        return applied

    def _dry_run(self, handler, resource_id, node=None):
        """Run ``handler`` inside a savepoint rolled back afterwards; return the change it would make."""
        with DiffRecorder() as recorder:
            handler.env = handler.env(context=dict(handler.env.context, shopify_review_token=recorder.token))
            handler.shop = handler.shop.with_env(handler.env)
            client = DryRunClient(handler.shop._graphql_client(), stop=self.resource_type in STOP_AT_SEND)
            handler._client = client
            with self.env.cr.savepoint() as savepoint:
                try:
                    result = handler.run(resource_id, node=node)
                except DryRunStop:
                    result = SyncResult("review", label=self.resource_label)
                entries = recorder.finish(handler.env)
                if self.resource_type in PUSH_TYPES:
                    review.add_send(entries, client.mutations)
                record = result.record
                if record and (record._name, record.id) in recorder.created:
                    record = None  # a record the approval would create
                result = ReviewResult(entries, record and (record._name, record.id), result.label, result.updated_at)
                savepoint.close(rollback=True)  # nothing of the dry run stays but its diff
        if result.record:
            result.record = self.env[result.record[0]].browse(result.record[1])
        return result

    # -- success ---------------------------------------------------------------
    def _record_success(self, result, started):
        """Record a run that did not fail: its change waiting for review, its object switched off, or its change."""
        if isinstance(result, ReviewResult):
            return self._record_review(result)
        if isinstance(result, OffResult):
            return self._record_off(result)
        self.ensure_one()
        recovered = bool(self.needs_action or self.problem_activity_id or self.state == "failed") or bool(
            self.last_failed_at and (not self.last_success_at or self.last_failed_at > self.last_success_at)
        )
        self.write(self._success_vals(result))
        self._learn_from_deliveries()
        self._post_success(self.attempt_count, result, recovered)
        self._note_on_record(result)
        self._mark_deliveries_done(started)
        if result.warning:
            self._raise_activity()
        else:
            self._close_activity(result)
        if self.held_by_switch:
            self.held_by_switch = False
        if self.env.context.get("shopify_review_approve"):
            self._note_decision("approved")
        return None

    def _success_vals(self, result):
        """The job's fields after a successful run of ``result``."""
        now = fields.Datetime.now()
        vals = {
            "state": "done",
            "outcome": result.outcome,
            "outcome_note": result.note or False,
            "category": False,
            "message": False,
            "missing": False,
            "retry_advice": False,
            "fix_model": False,
            "needs_action": False,
            "attempt_count": self.attempt_count + 1,
            "last_seen": now,
            "last_success_at": now,
            "throttled_since": False,
        }
        if result.label:
            vals["resource_label"] = result.label
        if result.outcome in MEANINGFUL:
            vals.update(last_outcome=result.outcome, last_outcome_at=now)
        if result.outcome == "created" and not self.record_created_at:
            vals["record_created_at"] = now
        if result.record:
            vals.update(res_model=result.record._name, res_id=result.record.id)
            summary = self._summary_of_record(result.record)
            if summary:
                vals["resource_summary"] = summary
        if result.updated_at:
            if self._is_real_sync(result):
                vals["lag_seconds"] = max((now - result.updated_at).total_seconds(), 0.0)
                vals["lag_at"] = now
            vals["shopify_updated_at"] = result.updated_at
        if result.category:
            vals["category"] = result.category
        warning = result.warning
        if warning:
            vals.update(
                category=warning.category,
                message=str(warning),
                missing=warning.missing,
                retry_advice=warning.retry_advice,
                fix_model=warning.fix_model,
                needs_action=True,
            )
        return vals

    def _is_real_sync(self, result):
        """Whether ``result`` brought a Shopify version Odoo did not have: only that is lag.

        A skip, a no-op and a re-run of the version already synced (an import
        reading it again) measure nothing but the age of the version.
        """
        if result.outcome not in LAG_OUTCOMES or not result.updated_at:
            return False
        return not self.shopify_updated_at or result.updated_at > self.shopify_updated_at

    def _mark_deliveries_done(self, started):
        """Mark the deliveries this run served as done, on a READ COMMITTED cursor.

        A late copy of an event bumps its delivery's receipt count while the
        job runs; updating that row from the job's own (repeatable read)
        transaction would then fail to serialise and redo the whole job.
        """
        with independent_env(self.env) as env:
            env.cr.execute(
                """
                UPDATE shopify_webhook_delivery SET state = 'done'
                 WHERE sync_job_id = %s AND state IN ('queued', 'duplicate', 'failed') AND received_at <= %s
                """,
                (self.id, started),
            )
        self.env["shopify.webhook.delivery"].invalidate_model(["state"])

    def _record_review(self, result):
        """Wait in *To review* with the diff; a refreshed diff replaces the previous one."""
        self.ensure_one()
        refreshed = self.state == "to_review" and self.review_fingerprint != result.fingerprint
        vals = {
            "state": "to_review",
            "outcome": False,
            "outcome_note": result.note,
            "review_diff": result.entries,
            "review_summary": result.note,
            "review_fingerprint": result.fingerprint,
            "review_updated_at": result.updated_at or False,
            "review_decision": False,
            "category": False,
            "message": False,
            "needs_action": False,
            "attempt_count": self.attempt_count + 1,
            "last_seen": fields.Datetime.now(),
        }
        if refreshed:
            vals["review_refreshed_at"] = fields.Datetime.now()
        if result.label:
            vals["resource_label"] = result.label
        if result.record:
            vals.update(res_model=result.record._name, res_id=result.record.id)
        self.write(vals)
        # The run no longer fails: the failure's activity is done, the review is a decision of its own.
        self._close_activity(
            result, self.env._("Resolved: the sync ran again; its change waits for review (%s).", result.summary())
        )

    def _record_off(self, result):
        """Nothing written; the job's deliveries are held until the object is switched on."""
        self.ensure_one()
        self.write(
            {
                "state": "done",
                "outcome": "skipped",
                "outcome_note": result.note,
                "held_by_switch": True,
                "last_seen": fields.Datetime.now(),
            }
        )
        self.delivery_ids.filtered(lambda d: d.state in ("queued", "duplicate")).write({"state": "off"})

    def _note_decision(self, decision, reason=None):
        self.write(
            {
                "review_decision": decision,
                "reviewed_by_id": self.env.uid,
                "reviewed_at": fields.Datetime.now(),
                "reject_reason": reason or False,
            }
        )

    # -- failure ---------------------------------------------------------------
    def _record_failure(self, error, final, attempt=None, throttled_since=None, wait=None, in_transaction=False):
        """Record ``error`` on this sync job in a transaction of its own.

        The job's own transaction is rolled back (nothing half-written), so
        the record of the failure must not depend on it.  A failure that needs
        a person (any final one) raises one activity, reused across retries.
        ``throttled_since`` is when Shopify's throttling of this job began, and
        ``wait`` is given while it is waited out (no attempt used up); any
        other failure ends the throttled spell. ``in_transaction``: the caller's
        transaction commits (an import chunk, whose failed record alone was
        rolled back to its savepoint), so the failure is written in it.
        """
        self.ensure_one()
        if in_transaction:
            self._write_failure(self.env(su=True), error, final, attempt, throttled_since, wait)
        else:
            with independent_env(self.env, read_committed=False) as env:
                self._write_failure(env, error, final, attempt, throttled_since, wait)
            # What the other cursor wrote is newer than this transaction's cache.
            self.env.invalidate_all()
        _logger.info("Shopify sync %s failed (%s, final=%s): %s", self.name, error.category, final, error)

    def _write_failure(self, env, error, final, attempt, throttled_since, wait):
        """The failure record of ``_record_failure``, written through ``env``."""
        job = env[self._name].browse(self.id)
        if not job.exists():
            # The row was inserted by the failing transaction itself (a run with no job row
            # yet): nothing committed to write on. Its queue job says the failure and retries.
            _logger.warning("Shopify sync %s: failure not recorded, its row is not committed yet", self.name)
            return
        needs_action = bool(final)
        message = str(error)
        if throttled_since and wait is not None:
            message = env._(
                "%(message)s (throttled since %(since)s; next try in %(wait)s s; throttling is waited "
                "out for up to %(patience)s min without using up attempts)",
                message=message,
                since=local_time(env, throttled_since),
                wait=f"{wait:.0f}",
                patience=f"{THROTTLE_PATIENCE.total_seconds() / 60:g}",
            )
        elif error.category == TEMPORARY and not final:
            message = env._(
                "%(message)s (attempt %(attempt)s; retried automatically)", message=message, attempt=attempt
            )
        elif error.category == TEMPORARY:
            message = env._("%s (retries exhausted)", message)
        job.write(
            {
                "state": "failed" if final else job.state,
                "category": error.category,
                "failed_category": error.category,
                "message": message,
                "missing": error.missing,
                "retry_advice": error.retry_advice,
                "fix_model": error.fix_model,
                "fix_hint": error.fix_hint or False,
                "needs_action": needs_action,
                "attempt_count": job.attempt_count + 1,
                "failure_count": job.failure_count + 1,
                "last_seen": fields.Datetime.now(),
                "last_failed_at": fields.Datetime.now(),
                "throttled_since": throttled_since or False,
            }
        )
        learnt = {
            "resource_label": getattr(error, "label", None),
            "resource_summary": getattr(error, "summary", None),
        }
        job.write({key: value for key, value in learnt.items() if value and not job[key]})
        job._learn_from_deliveries()
        if wait is None:
            # A throttled wait uses up no attempt: not a failure worth a line.
            job._post_failure(job.attempt_count, error, message)
        if final:
            job.delivery_ids.filtered(lambda d: d.state in ("queued", "duplicate"))._mark("failed", message)
            try:
                with env.cr.savepoint():
                    job._raise_activity()
            except (pg_errors.UniqueViolation, pg_errors.SerializationFailure) as exc:
                # Another job followed the same record meanwhile (shops follow their
                # responsible up front, so this is rare): the failure stays recorded
                # and listed as needing action, the next failure raises the activity.
                env.invalidate_all()
                _logger.warning("Shopify sync %s: activity not raised this time (%s)", job.name, exc.pgcode)

    # -- what the deliveries already know --------------------------------------
    def _learn_from_deliveries(self):
        """Fill the label and summary from the newest webhook body, before Shopify is asked."""
        for job in self:
            if job.resource_label and job.resource_summary:
                continue
            deliveries = self.env["shopify.webhook.delivery"].search(
                [("sync_job_id", "=", job.id)], order="id desc", limit=10
            )
            with_body = deliveries.filtered("raw_body")[:1]
            label, summary = label_from_payload(job.resource_type, with_body.raw_body)
            label = label or next((d.resource_label for d in deliveries if d.resource_label), "")
            vals = {}
            if label and not job.resource_label:
                vals["resource_label"] = label
            if summary and not job.resource_summary:
                vals["resource_summary"] = summary
            if vals:
                job.write(vals)

    def _summary_of_record(self, record):
        """Who and how much, from the Odoo record the run produced (an order's customer and total)."""
        if record and record._name == "sale.order":
            amount = f"{record.amount_total:.2f} {record.currency_id.name}"
            return " · ".join(part for part in (record.partner_id.name, amount) if part)
        return False

    # -- the chatter -----------------------------------------------------------
    def _post_history(self, text, details=None):
        """One line in the job's chatter: ``text`` in bold, then ``details``."""
        body = Markup("<p><b>%s</b></p>") % text
        if details:
            body += Markup("<p>%s</p>") % details
        self.with_context(mail_create_nosubscribe=True).message_post(
            body=body, subtype_xmlid="mail.mt_note", message_type="comment"
        )

    def _post_failure(self, attempt, error, message):
        categories = dict(self._fields["category"]._description_selection(self.env))
        self._post_history(
            self.env._(
                "Attempt %(attempt)s failed (%(reason)s)",
                attempt=attempt,
                reason=categories.get(error.category, error.category),
            ),
            message,
        )

    def _post_success(self, attempt, result, recovered):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        if not recovered and result.outcome not in NOTEWORTHY:
            return
        what = outcomes.get(result.outcome, result.outcome)
        parts = [part for part in (record_link(result.record), result.note) if part]
        self._post_history(
            self.env._("Attempt %(attempt)s succeeded: %(what)s", attempt=attempt, what=what),
            Markup(" ").join(parts) if parts else None,
        )

    def _note_on_record(self, result):
        """The chatter line of a record the sync brought: ``Imported from Shopify #1013 (store X)``."""
        record = result.record
        if result.outcome not in ("created", "linked") or not record or "message_ids" not in record._fields:
            return
        names = {"name": self.resource_label or self.resource_id, "shop": self.shop_id.name}
        if result.outcome == "created":
            text = self.env._("Imported from Shopify %(name)s (store %(shop)s)", **names)
        else:
            text = self.env._("Linked to Shopify %(name)s (store %(shop)s)", **names)
        record.sudo().with_context(mail_create_nosubscribe=True).message_post(
            body=Markup("%s · %s") % (text, self._job_link()), subtype_xmlid="mail.mt_note"
        )

    def _post_retry_request(self):
        for job in self:
            job.sudo()._post_history(
                self.env._(
                    "Retry requested by %(user)s (attempt %(attempt)s)",
                    user=self.env.user.name,
                    attempt=job.attempt_count + 1,
                )
            )

    def _post_resolution(self, reason):
        for job in self:
            job.sudo()._post_history(
                self.env._(
                    "Marked resolved by %(user)s after attempt %(attempt)s",
                    user=self.env.user.name,
                    attempt=job.attempt_count,
                ),
                reason,
            )

    # -- activities: one per open problem, linked to its job ---------------------
    def _job_link(self):
        self.ensure_one()
        return record_link(self)

    def _activity_target(self):
        """The Odoo record when it exists, else the sync job itself."""
        record = self.res_model and self.res_id and self.env[self.res_model].browse(self.res_id).exists()
        if record and "activity_ids" in record._fields:
            return record
        return self

    def _activity_note(self):
        return Markup("<p><b>%s</b>: %s</p><p>%s %s</p><p>%s</p>") % (
            self._job_link(),
            self.message or "",
            self.env._("Missing:"),
            self.missing or "-",
            self.retry_advice or "",
        )

    def _raise_activity(self):
        """One activity per open problem, updated (not duplicated) on each retry."""
        self.ensure_one()
        note = self._activity_note()
        activity = self.problem_activity_id
        if activity.exists() and activity.active:
            activity.write({"note": note})
            return activity
        target = self._activity_target()
        activity = target.activity_schedule(
            "shopify_sync.mail_activity_type_sync_failure",
            summary=self.env._("Shopify sync failed: %s", self.name)[:250],
            note=note,
            user_id=(self.shop_id.user_id or self.env.ref("base.user_admin")).id,
        )
        self.problem_activity_id = activity
        return activity

    def _problem_activities(self):
        """Every open sync-failure activity of this job's problem, wherever it was filed.

        Besides the one the job points to, an activity filed on the shop (as
        earlier versions did before the Odoo record existed; the upgrade to
        19.0.2.2.0 links those to their job) or on the job itself, and one on
        the Odoo record, that links to this job.
        """
        self.ensure_one()
        activity_type = self.env.ref("shopify_sync.mail_activity_type_sync_failure")
        domain = [("activity_type_id", "=", activity_type.id)]
        places = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        found = self.env["mail.activity"].sudo().search(domain + places)
        link = f'/odoo/shopify.sync.job/{self.id}"'
        around = [("shopify.shop", self.shop_id.id)]
        if self.res_model and self.res_id:
            around.append((self.res_model, self.res_id))
        for model, res_id in around:
            candidates = (
                self.env["mail.activity"].sudo().search(domain + [("res_model", "=", model), ("res_id", "=", res_id)])
            )
            found |= candidates.filtered(lambda a: link in str(a.note or ""))
        return (found | self.problem_activity_id.sudo()).exists().filtered("active")

    def _close_activity(self, result, feedback=None):
        """Mark the problem's activities done: ``result`` is the run that no longer fails."""
        activities = self._problem_activities()
        if activities:
            activities.action_feedback(
                feedback=feedback or self.env._("Resolved: the sync succeeded (%s).", result.summary())
            )
        self.problem_activity_id = False

    # -- day-one import (models/shopify_import_run.py) --------------------------
    @api.model
    def _import_node(self, shop, resource_type, resource_id, node):
        """Bring one fetched record into Odoo as its sync job would; return the outcome.

        Same sync job row, lock, handler, bindings and identity keys as a webhook's
        job: only the fetch is skipped (the export row is the fresh Shopify data).
        Runs in an import chunk's transaction and never raises for one record: a
        failure is recorded on the record's sync job and the chunk goes on.
        """
        inserted = set()
        try:
            with self.env.cr.savepoint():
                sync_job = self._ensure(shop, resource_type, resource_id, inserted=inserted)
        except pg_errors.SerializationFailure:
            # Created meanwhile by a webhook's door: that resource's own job takes it.
            return self._defer(shop, resource_type, resource_id)
        if not try_lock_resource(self.env.cr, sync_job.identity_key):
            # A webhook's job is syncing the record right now: a job of its own follows
            # (it fetches Shopify afresh, and finds what that one wrote).
            return self._defer(shop, resource_type, resource_id)
        handler = HANDLERS[resource_type](self.env, shop, sync_job)
        started = fields.Datetime.now()
        try:
            with self.env.cr.savepoint():
                result = sync_job._run_handler(handler, resource_id, node=node)
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            return self._defer(shop, resource_type, resource_id)
        except TemporaryError as err:
            sync_job._record_failure(err, final=False, attempt=1, in_transaction=True)
            return self._defer(shop, resource_type, resource_id)
        except SyncError as err:
            err.label, err.summary = handler.label, handler.summary
            sync_job._record_failure(err, final=True, in_transaction=True)
            return FAILED
        except (KeyError, TypeError, ValueError) as err:
            # A row the mapping cannot read (a field missing or of another shape).
            error = DataConflictError(
                self.env._(
                    "Shopify's export row of %(name)s could not be read: %(error)r", name=sync_job.name, error=err
                ),
                missing=self.env._("a complete export row"),
                retry_advice=self.env._("Retry is safe: it reads the record from Shopify again."),
            )
            sync_job._record_failure(error, final=True, in_transaction=True)
            return FAILED
        if sync_job.id in inserted:
            sync_job._record_first_import(result, started)
        else:
            sync_job._record_success(result, started)
        return result.outcome

    def _record_first_import(self, result, started):
        """The success of a sync job row this import inserted: its fields and the record's chatter line only.

        The row is new in this transaction: no webhook delivery points at it, no failure or
        activity came before, so the job's own chatter line, the deliveries' update (a
        cursor of its own) and the activity's look are left out. Any other result (a
        review, a switch, a warning) takes the full path.
        """
        self.ensure_one()
        if type(result) is not SyncResult or result.warning:
            return self._record_success(result, started)
        self.write(self._success_vals(result))
        self._note_on_record(result)
        return None

    @api.model
    def _import_failure(self, shop, resource_type, resource_id, error):
        """Record a row that cannot be imported at all (a line that does not parse, fields missing)."""
        try:
            with self.env.cr.savepoint():
                sync_job = self._ensure(shop, resource_type, resource_id)
        except pg_errors.SerializationFailure:
            return self._defer(shop, resource_type, resource_id)
        sync_job._record_failure(error, final=True, in_transaction=True)
        return FAILED

    @api.model
    def _defer(self, shop, resource_type, resource_id):
        """Hand a record to its ordinary sync job (enqueued once whatever the callers)."""
        self.sudo()._enqueue_resource(shop.id, resource_type, resource_id, priority=20)
        return DEFERRED

    # -- review decisions -------------------------------------------------------
    def action_approve(self):
        """Apply the reviewed change of each job, once; a stale one shows its new diff instead."""
        counts = {"applied": [], "refreshed": [], "failed": [], "skipped": []}
        for job in self:
            counts[job._approve_one()].append(job.name)
        message = self.env._(
            "%(applied)s applied, %(refreshed)s with a new diff to review (Shopify or Odoo changed), "
            "%(failed)s failed (see the job), %(skipped)s no longer waiting.",
            applied=len(counts["applied"]),
            refreshed=len(counts["refreshed"]),
            failed=len(counts["failed"]),
            skipped=len(counts["skipped"]),
        )
        kind = "warning" if counts["refreshed"] or counts["failed"] else "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Review"),
                "message": message,
                "type": kind,
                "sticky": bool(counts["refreshed"] or counts["failed"]),
                # closing the button's action reloads the record or list it was pressed on (a soft
                # reload restores the current form as it was: its statusbar kept "To review")
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _approve_one(self):
        """applied, refreshed, failed or skipped. Two approvals of one review apply it once."""
        self.ensure_one()
        if not self._lock_for_decision():
            return "skipped"
        job = self.with_context(shopify_review_approve=self.review_fingerprint)
        try:
            with self.env.cr.savepoint():
                job.run_sync(self.shop_id.id, self.resource_type, self.resource_id)
        except StaleApproval:
            # Shopify changed between the check and the write: undone, the new diff is shown.
            self.run_sync(self.shop_id.id, self.resource_type, self.resource_id)
        except SyncFailed:
            self.invalidate_recordset()
            return "failed"
        except RetryableJobError as err:
            raise UserError(
                self.env._("%(job)s cannot be applied right now: %(reason)s", job=self.name, reason=err)
            ) from err
        self.invalidate_recordset()
        if self.state == "to_review":
            self.message_post(body=self.env._("Shopify or Odoo changed since the review: the new diff is shown."))
            return "refreshed"
        return "applied"

    def _lock_for_decision(self):
        """Take the decision on this review, or tell the user someone else is taking it.

        A transaction-level advisory lock serialises the deciders (a row lock
        would block the failure record, written on a cursor of its own); the
        state is then read as committed, on a READ COMMITTED cursor, so a
        decision committed since this transaction began is seen. Returns
        whether the review still waits.
        """
        self.flush_recordset()
        if not try_lock_review(self.env.cr, self.id):
            raise UserError(
                self.env._("Someone else is deciding on %s right now: reload to see the result.", self.name)
            )
        with independent_env(self.env) as env:
            env.cr.execute("SELECT state FROM shopify_sync_job WHERE id = %s", (self.id,))
            committed = env.cr.fetchone()[0]
        self.invalidate_recordset()
        return committed == "to_review" and self.state == "to_review"

    def action_reject(self, reason):
        """Record who rejected each waiting review and why; nothing is written."""
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the change is rejected."))
        for job in self:
            if not job._lock_for_decision():
                continue
            job.write({"state": "rejected"})
            job._note_decision("rejected", reason.strip())
            job._mark_deliveries_done(fields.Datetime.now())  # decided: the events are served
            job.message_post(body=self.env._("Change rejected: %s", reason.strip()))
        return True

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject changes"),
            "res_model": "shopify.review.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    # -- buttons ----------------------------------------------------------------
    def action_retry(self):
        """Enqueue again, with the same identity key: safe whatever the state.

        A change waiting for review is approved or rejected, not retried; a rejected one stays so.
        """
        deciding = self.filtered(lambda job: job.state in NOT_RETRIED)
        if deciding:
            raise UserError(
                self.env._(
                    "%s waits for a review decision or was rejected: approve or reject it instead of retrying.",
                    ", ".join(deciding.mapped("name")),
                )
            )
        for job in self:
            if not job.shop_id.active or not job.shop_id.sync_enabled:
                raise UserError(self.env._("Shop %s is inactive or its sync is disabled.", job.shop_id.name))
            job.sudo()._enqueue()
            job.sudo().write({"state": "pending", "needs_action": False})
            job._post_retry_request()
        return True

    def action_open_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            raise UserError(self.env._("No Odoo record is linked to %s yet.", self.name))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def action_fix_mapping(self):
        """Open the screen where the cause of this failure is fixed."""
        self.ensure_one()
        hint = self.fix_hint or {}
        if self.fix_model == "product.product" and self.env.user.has_group("shopify_sync.group_shopify_manager"):
            action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_product_fix_wizard")
            action["context"] = {"default_sync_job_id": self.id}
            return action
        if self.fix_model == "product.product":
            action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_product_mapping")
            if hint.get("default_code"):
                action["domain"] = ["|", ("default_code", "=", hint["default_code"]), ("shopify_bound", "=", False)]
            return action
        if self.fix_model == "shopify.tax.mapping":
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Tax Mappings"),
                "res_model": "shopify.tax.mapping",
                "view_mode": "list",
                "domain": [("shop_id", "=", self.shop_id.id)],
                "context": {
                    "default_shop_id": self.shop_id.id,
                    "default_rate": hint.get("rate", 0.0),
                    "default_price_include": hint.get("price_include", False),
                    "default_country_code": hint.get("country_code") or False,
                },
            }
        if self.fix_model == "shopify.gateway.mapping":
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Payment Gateways"),
                "res_model": "shopify.gateway.mapping",
                "view_mode": "list",
                "domain": [("shop_id", "=", self.shop_id.id)],
                "context": {"default_shop_id": self.shop_id.id, "default_gateway": hint.get("gateway") or False},
            }
        if self.fix_model == "shopify.shop":
            return {
                "type": "ir.actions.act_window",
                "res_model": "shopify.shop",
                "res_id": self.shop_id.id,
                "view_mode": "form",
            }
        if self.fix_model and self.res_model == self.fix_model and self.res_id:
            return self.action_open_record()
        if self.fix_model:
            return {"type": "ir.actions.act_window", "res_model": self.fix_model, "view_mode": "list,form"}
        raise UserError(self.env._("This problem has no mapping to fix."))

    def action_view_queue_jobs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Queue Jobs"),
            "res_model": "queue.job",
            "view_mode": "list,form",
            "domain": [("identity_key", "=", self.identity_key)],
        }

    def action_open_in_shopify(self):
        self.ensure_one()
        if not self.shopify_admin_url:
            raise UserError(self.env._("Shopify's admin has no page for %s.", self.name))
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}

    # -- retry many --------------------------------------------------------------
    def _same_reason_domain(self):
        """Open failures of the same shops with the same reasons as these jobs."""
        pairs = {(job.shop_id.id, job.category) for job in self if job.category}
        domain = [("id", "=", 0)]
        for shop_id, category in pairs:
            domain = ["|", "&", ("shop_id", "=", shop_id), ("category", "=", category)] + domain
        return [("needs_action", "=", True)] + domain

    def action_retry_same_reason(self):
        """Retry every open failure of these jobs' shops that has the same reason (one click after a fix)."""
        jobs = self.search(self._same_reason_domain()) | self.filtered("needs_action")
        jobs.action_retry()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%s sync job(s) queued again.", len(jobs)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # -- retention ---------------------------------------------------------
    @api.model
    def _cron_purge(self):
        """Forget sync jobs that succeeded long ago; open problems are kept."""
        for shop in self.env["shopify.shop"].with_context(active_test=False).search([]):
            limit = fields.Datetime.now() - timedelta(days=shop.sync_job_retention_days)
            self.search(
                [
                    ("shop_id", "=", shop.id),
                    ("state", "in", ("done", "ignored")),
                    ("needs_action", "=", False),
                    ("last_seen", "<", limit),
                ]
            ).unlink()
