"""Review-before-apply on sync jobs, and the off switch at run time.

In review mode a sync job runs its handler as a dry run (see
models/shopify_review_recorder.py): inside a savepoint that is rolled back,
with writes to Shopify only noted. The job then waits *To review* with the
diff and a fingerprint (Shopify's updatedAt and a hash of the diff). Approve
runs the dry run again: the same fingerprint, and the handler runs for real;
another one (Shopify or Odoo changed meanwhile), and the new diff is shown
instead. The sync job is one row per resource, so there is never more than
one waiting review per resource: a new event refreshes its diff.
"""

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..importers.base import SyncResult
from ..services import review
from ..services.db import independent_env
from ..services.identity import try_lock_review
from ..services.rollout import OBJECTS, object_of
from .shopify_review_recorder import DiffRecorder, DryRunClient, DryRunStop
from .shopify_sync_job import SyncFailed

PUSH_TYPES = ("inventory_push", "picking_push", "product_push")  # their diff is what they would send to Shopify
STOP_AT_SEND = ("picking_push", "product_push")  # reads Shopify's answer to its write: the dry run ends at the write


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
    _inherit = "shopify.sync.job"  # pylint: disable=consider-merging-classes-inherited

    state = fields.Selection(
        # Pending, To review, Failed, Done, Resolved manually, Rejected: the statusbar's order.
        selection_add=[
            ("pending",),
            ("to_review", "To review"),
            ("failed",),
            ("done",),
            ("ignored",),
            ("rejected", "Rejected"),
        ],
        ondelete={"to_review": "set default", "rejected": "set default"},
    )
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

    def _compute_review_diff_html(self):
        for job in self:
            job.review_diff_html = review.render_html(job.review_diff) if job.review_diff is not False else False

    # -- the call site in run_sync ------------------------------------------
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

    def _record_success(self, result, started):
        if isinstance(result, ReviewResult):
            return self._record_review(result)
        if isinstance(result, OffResult):
            return self._record_off(result)
        res = super()._record_success(result, started)
        if self.held_by_switch:
            self.held_by_switch = False
        if self.env.context.get("shopify_review_approve"):
            self._note_decision("approved")
        return res

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

    # -- decisions ------------------------------------------------------------
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
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
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
