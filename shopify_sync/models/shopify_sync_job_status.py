"""The job form's statusbar: one bar, the states of the job's own path in order, the current one marked."""

from odoo import api, fields, models


class ShopifySyncJob(models.Model):
    _inherit = "shopify.sync.job"  # pylint: disable=consider-merging-classes-inherited

    status_path = fields.Char(
        compute="_compute_status_path",
        help="The states of this job's path, in the statusbar's order (widget shopify_status_path).",
    )

    @api.depends("state", "review_decision")
    def _compute_status_path(self):
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
