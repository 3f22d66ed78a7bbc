from odoo import Command, api, fields, models


class ShopifyReviewRejectWizard(models.TransientModel):
    """Reject the changes of waiting reviews; who and why are recorded."""

    _name = "shopify.review.reject.wizard"
    _description = "Reject Shopify changes under review"

    sync_job_ids = fields.Many2many("shopify.sync.job", required=True)
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "shopify.sync.job":
            values["sync_job_ids"] = [Command.set(self.env.context.get("active_ids") or [])]
        return values

    def action_reject(self):
        self.sync_job_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
