"""The sync job's buttons: retry, open the record, open the screen where staff fix the cause."""

from odoo import models
from odoo.exceptions import UserError

# States a retry does not apply to: the person decides (Approve or Reject) instead.
NOT_RETRIED = ("to_review", "rejected")


class ShopifySyncJob(models.Model):
    _inherit = "shopify.sync.job"  # pylint: disable=consider-merging-classes-inherited

    # -- screens -----------------------------------------------------------
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
