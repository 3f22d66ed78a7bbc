"""The failure path of sync jobs: record the problem, tell a person, close it."""

import logging
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models

from ..services.db import independent_env
from ..services.errors import TEMPORARY
from ..services.labels import local_time
from ..services.retry_policy import THROTTLE_PATIENCE
from .shopify_sync_job_history import MEANINGFUL_OUTCOMES

MEANINGFUL = dict(MEANINGFUL_OUTCOMES)
# Outcomes whose lag is a sync's lag (see _is_real_sync).
LAG_OUTCOMES = ("created", "updated", "linked")

_logger = logging.getLogger(__name__)


class ShopifySyncJob(models.Model):
    _inherit = "shopify.sync.job"

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

    def _record_success(self, result, started):
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

    # -- activities --------------------------------------------------------
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
