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
