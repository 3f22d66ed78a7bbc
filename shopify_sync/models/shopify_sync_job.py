import logging
import math

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..importers import HANDLERS
from ..services.db import independent_env
from ..services.errors import CATEGORIES, ConcurrentSyncError, SyncError, TemporaryError, ThrottledError
from ..services.gid import admin_url, to_gid
from ..services.identity import identity_key, lock_door, try_lock_resource
from ..services.resources import CHANNELS, RESOURCE_TYPES
from ..services.retry_policy import MAX_ATTEMPTS, throttle_wait, within_throttle_patience

_logger = logging.getLogger(__name__)

PENDING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
# In the order a job goes through them; review states are added in shopify_sync_job_review.py.
JOB_STATES = [
    ("pending", "Pending"),
    ("failed", "Failed"),
    ("done", "Done"),
    ("ignored", "Resolved manually"),
]
OUTCOMES = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("skipped", "Skipped"),
    ("linked", "Linked"),
    ("cancelled", "Cancelled"),
    ("handled", "Handled"),
]


class SyncFailed(UserError):
    """A classified, recorded sync failure: the queue job ends as failed."""


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
    outcome = fields.Selection(OUTCOMES, readonly=True)
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

    _resource_uniq = models.UniqueIndex(
        "(shop_id, resource_type, resource_id)", "A sync job for this resource already exists."
    )

    def _compute_name(self):
        """Readable title: see shopify_sync_job_history.py."""
        for job in self:
            job.name = f"{job.resource_type} {job.resource_id}"

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

    @api.model
    def _identity_key(self, shop, resource_type, resource_id):
        return identity_key(shop.id, resource_type, resource_id)

    # -- identity at the door ------------------------------------------------
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

    # -- the job -----------------------------------------------------------
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
        # An order staged by a backlog read (models/shopify_sync_job_backlog.py), or None: fetch it.
        node = sync_job._backlog_node()
        started = fields.Datetime.now()
        handler = HANDLERS[resource_type](self.env, shop, sync_job)
        try:
            with self.env.cr.savepoint():
                # Rollout switch (models/shopify_sync_job_review.py): applied, dry run for review, or off.
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
