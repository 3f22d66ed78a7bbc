"""One row per shop: its share of Shopify's cost bucket, drawn by every job (services/rate_budget.py).

The shop is referred to by its id, without a foreign key: the first request of a shop
can come before the shop is committed (its set-up, the OAuth callback), from a cursor
that cannot see it yet. A row left by a shop that was deleted or never committed is
never read again (ids are not reused).
"""

from odoo import fields, models


class ShopifyRateBudget(models.Model):
    _name = "shopify.rate.budget"
    _description = "Shopify API cost budget"
    _log_access = False

    shop_id = fields.Integer(string="Shop ID", required=True, index=True)
    available = fields.Float(string="Points Available", readonly=True)
    maximum = fields.Float(string="Bucket Size", readonly=True)
    restore_rate = fields.Float(string="Restore Rate (points/s)", readonly=True)
    updated_at = fields.Datetime(readonly=True)
    draws = fields.Integer(string="Requests", readonly=True)
    waits = fields.Integer(string="Requests That Waited", readonly=True)
    wait_seconds = fields.Float(string="Seconds Waited", readonly=True)
    throttled = fields.Integer(string="Throttled Answers", readonly=True)

    _shop_unique = models.Constraint("UNIQUE (shop_id)", "One budget per shop.")


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    api_budget_summary = fields.Char(string="Shopify API Budget", compute="_compute_api_budget_summary")

    def _compute_api_budget_summary(self):
        budgets = self.env["shopify.rate.budget"].sudo()
        for shop in self:
            budget = budgets.search([("shop_id", "=", shop.id)], limit=1)
            if not budget:
                shop.api_budget_summary = self.env._("No request sent yet.")
                continue
            shop.api_budget_summary = self.env._(
                "%(rate)s points/s, bucket %(maximum)s; %(draws)s requests, %(waits)s waited their turn "
                "(%(seconds)s s in all), %(throttled)s throttled by Shopify.",
                rate=f"{budget.restore_rate:g}",
                maximum=f"{budget.maximum:g}",
                draws=budget.draws,
                waits=budget.waits,
                seconds=f"{budget.wait_seconds:.1f}",
                throttled=budget.throttled,
            )
