from odoo import fields, models
from odoo.exceptions import UserError


class ShopifyResolveWizard(models.TransientModel):
    """Mark sync problems resolved by hand; a reason is required."""

    _name = "shopify.resolve.wizard"
    _description = "Resolve Shopify sync problems"

    sync_job_ids = fields.Many2many("shopify.sync.job", required=True)
    reason = fields.Text(required=True)

    def action_resolve(self):
        deciding = self.sync_job_ids.filtered(lambda job: job.state in ("to_review", "rejected"))
        if deciding:
            raise UserError(
                self.env._(
                    "%s waits for a review decision or was rejected: approve or reject it instead.",
                    ", ".join(deciding.mapped("name")),
                )
            )
        for job in self.sync_job_ids:
            activities = job._problem_activities()
            if activities:
                activities.action_feedback(feedback=self.env._("Resolved by hand: %s", self.reason))
            job.write(
                {
                    "state": "ignored",
                    "needs_action": False,
                    "resolution_note": self.reason,
                    "problem_activity_id": False,
                }
            )
            job._post_resolution(self.reason)
        return {"type": "ir.actions.act_window_close"}
