"""A stock push run held by the circuit breaker, waiting for *Push anyway* or *Discard*.

A push run that would set more than a configurable share of a shop's variants
to 0, or change more than a share of them at once, is not sent: a wrong
location mapping or a configuration change looks like that, a day of normal
sales does not (services/stock.py ``breaker_verdict``). The run's rows stay
waiting in ``shopify.inventory.pending``; the hold lists what would have been
written and raises one activity. While a hold is open the shop pushes only
what a manager approved.
"""

from odoo import fields, models

from ..services.actions import notify
from ..services.db import lock_for_decision
from ..services.errors import SyncError

HOLD_STATES = [("held", "Held"), ("pushed", "Pushed anyway"), ("discarded", "Discarded")]


class ShopifyInventoryHold(models.Model):
    _name = "shopify.inventory.hold"
    _description = "Shopify stock push held by the circuit breaker"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    state = fields.Selection(HOLD_STATES, default="held", required=True, readonly=True, tracking=True)
    reason = fields.Text(readonly=True)
    variant_count = fields.Integer(string="Variants pushed by the shop", readonly=True)
    zero_count = fields.Integer(string="Would be set to 0", readonly=True)
    change_count = fields.Integer(string="Would change", readonly=True)
    line_ids = fields.One2many("shopify.inventory.hold.line", "hold_id", string="What would be written")
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_at = fields.Datetime(readonly=True)

    def _hold(self, shop, verdict, plan):
        """Record a held run of ``plan`` (``[(pending row, Shopify quantity, Odoo quantity)]``) and tell a person."""
        if verdict.reason == "zero":
            reason = self.env._(
                "This push would set %(count)s of the %(total)s variants the shop pushes to 0 (%(percent)s %%, "
                "more than %(limit)s %%). A location mapping or a configuration change can cause this.",
                count=verdict.zeros,
                total=verdict.total,
                percent=verdict.percent(verdict.zeros),
                limit=shop.inventory_hold_zero_percent,
            )
        else:
            reason = self.env._(
                "This push would change %(count)s of the %(total)s variants the shop pushes at once "
                "(%(percent)s %%, more than %(limit)s %%).",
                count=verdict.changes,
                total=verdict.total,
                percent=verdict.percent(verdict.changes),
                limit=shop.inventory_hold_change_percent,
            )
        hold = self.sudo().create(
            {
                "name": self.env._("Stock push of %s held", shop.name),
                "shop_id": shop.id,
                "reason": reason,
                "variant_count": verdict.total,
                "zero_count": verdict.zeros,
                "change_count": verdict.changes,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": row.product_id.id,
                            "mapping_id": row.mapping_id.id,
                            "shopify_quantity": current,
                            "odoo_quantity": wanted,
                        },
                    )
                    for row, current, wanted in plan
                ],
            }
        )
        hold.activity_schedule(
            "shopify_sync.mail_activity_type_stock_decision",
            summary=self.env._("Stock push held: %s", shop.name)[:250],
            note=reason + " " + self.env._("Open the hold to see the list, then Push anyway or Discard."),
            user_id=(shop.user_id or self.env.ref("base.user_admin")).id,
        )
        return hold

    def _decide(self, state):
        self.ensure_one()
        lock_for_decision(self)
        if self.state != "held":
            raise SyncError(self.env._("This hold was already decided: %s.", self.state))
        self.write({"state": state, "decided_by_id": self.env.user.id, "decided_at": fields.Datetime.now()})
        activity_type = self.env.ref("shopify_sync.mail_activity_type_stock_decision")
        self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type).action_feedback(
            feedback=dict(HOLD_STATES)[state]
        )

    def _rows(self):
        """The waiting rows of the held run's (product, location) pairs."""
        pending = self.env["shopify.inventory.pending"].sudo()
        rows = pending.browse()
        for line in self.line_ids:
            rows |= pending.search([("product_id", "=", line.product_id.id), ("mapping_id", "=", line.mapping_id.id)])
        return rows

    def action_push_anyway(self):
        """Approve the held rows and push them now; the shop's other rows are judged again."""
        try:
            self._decide("pushed")
        except SyncError as exc:
            return notify(str(exc), "info")
        self._rows().write({"approved": True})
        self.shop_id.with_context(shopify_push_now=True)._schedule_inventory_push()
        return notify(self.env._("%s quantities will be pushed now.", len(self.line_ids)), "success")

    def action_discard(self):
        """Forget the held rows: nothing of them is pushed until their products move again."""
        try:
            self._decide("discarded")
        except SyncError as exc:
            return notify(str(exc), "info")
        rows = self._rows().filtered(lambda r: not r.approved)
        count = len(rows)
        rows.unlink()
        self.shop_id._schedule_inventory_push()
        return notify(self.env._("%s held quantities discarded.", count), "success")


class ShopifyInventoryHoldLine(models.Model):
    _name = "shopify.inventory.hold.line"
    _description = "A quantity a held stock push would have written"
    _order = "hold_id, odoo_quantity, id"

    hold_id = fields.Many2one("shopify.inventory.hold", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", readonly=True)
    mapping_id = fields.Many2one("shopify.location.mapping", required=True, ondelete="cascade", readonly=True)
    shopify_quantity = fields.Integer(string="In Shopify now", readonly=True)
    odoo_quantity = fields.Integer(string="Odoo would push", readonly=True)
