"""What a sync job did, kept: its last meaningful outcome, its chatter, its readable name."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.labels import job_title, label_from_payload

MEANINGFUL_OUTCOMES = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("linked", "Linked"),
    ("cancelled", "Cancelled"),
]


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


# Outcomes worth a line in the chatter even without a failure before them
NOTEWORTHY = ("created", "linked", "cancelled")


class ShopifySyncJob(models.Model):
    _name = "shopify.sync.job"
    _inherit = "shopify.sync.job"

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
    outcome = fields.Selection(string="Last run")
    resource_summary = fields.Char(
        readonly=True, help="Who and how much, as Shopify last told: e.g. the customer and total of an order."
    )
    display_outcome = fields.Char(string="Outcome", compute="_compute_display_outcome")
    same_reason_count = fields.Integer(
        compute="_compute_same_reason_count", help="Other open failures of this shop with the same reason."
    )

    @api.depends("resource_type", "resource_id", "resource_label", "resource_summary")
    def _compute_name(self):
        for job in self:
            job.name = job_title(
                job._resource_type_label(), job.resource_label or job.resource_id, job.resource_summary
            )

    def _resource_type_label(self):
        return dict(self._fields["resource_type"]._description_selection(self.env)).get(
            self.resource_type, self.resource_type or ""
        )

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

    # -- the link between a job and its activity ------------------------------
    def _job_link(self):
        self.ensure_one()
        return record_link(self)

    # -- retry many --------------------------------------------------------------
    def _same_reason_domain(self):
        """Open failures of the same shops with the same reasons as these jobs."""
        pairs = {(job.shop_id.id, job.category) for job in self if job.category}
        domain = [("id", "=", 0)]
        for shop_id, category in pairs:
            domain = ["|", "&", ("shop_id", "=", shop_id), ("category", "=", category)] + domain
        return [("needs_action", "=", True)] + domain

    @api.depends("category", "needs_action", "shop_id")
    def _compute_same_reason_count(self):
        for job in self:
            if not (job.id and job.category and job.needs_action):
                job.same_reason_count = 0
                continue
            job.same_reason_count = self.search_count(job._same_reason_domain() + [("id", "!=", job.id)])

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

    # -- buttons -----------------------------------------------------------------
    def action_open_in_shopify(self):
        self.ensure_one()
        if not self.shopify_admin_url:
            raise UserError(self.env._("Shopify's admin has no page for %s.", self.name))
        return {"type": "ir.actions.act_url", "url": self.shopify_admin_url, "target": "new"}
