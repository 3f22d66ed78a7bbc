"""The way back from a sale order to the Shopify sync job that made it, its risk hold and its Shopify returns."""

from odoo import api, fields, models

from ..services.shopify_enums import PAID_FINANCIAL_STATUSES

RISK_LEVELS = [("none", "None"), ("pending", "Pending"), ("low", "Low"), ("medium", "Medium"), ("high", "High")]
RISK_ACTIVITY = "shopify_sync.mail_activity_type_risk_review"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_sync_job_id = fields.Many2one("shopify.sync.job", compute="_compute_shopify_sync_job_id")
    shopify_risk_level = fields.Selection(
        RISK_LEVELS,
        string="Shopify Risk",
        readonly=True,
        copy=False,
        help="The order's risk level as Shopify rates it.",
    )
    shopify_risk_hold = fields.Boolean(
        string="Held for Risk Review",
        readonly=True,
        copy=False,
        help="Shopify rates the order at or above the store's risk threshold: it is not confirmed until a "
        "person releases it.",
    )
    shopify_risk_released_level = fields.Selection(
        RISK_LEVELS,
        string="Risk Released At",
        readonly=True,
        copy=False,
        help="The risk level at which a person released the order; only a higher level holds it again.",
    )
    shopify_is_pos = fields.Boolean(
        string="Shopify Point of Sale",
        readonly=True,
        copy=False,
        help="Taken at a Shopify point of sale: the goods were handed over at the counter.",
    )
    shopify_pos_location_id = fields.Many2one(
        "stock.location",
        string="Shopify POS Location",
        readonly=True,
        copy=False,
        help="The Odoo location mapped to the Shopify retail location: the goods leave it.",
    )
    shopify_fulfillment_hold = fields.Char(
        readonly=True,
        copy=False,
        help="Why Shopify holds the order's fulfillment (fulfillment_holds/added); empty when it is not held.",
    )
    shopify_return_ids = fields.One2many(
        "shopify.return.binding", "sale_order_id", string="Shopify Returns", readonly=True, copy=False
    )
    shopify_expected_return_count = fields.Integer(
        string="Expected Returns",
        compute="_compute_shopify_expected_return_count",
        help="Returns requested or approved in Shopify, not processed yet: nothing has moved in Odoo.",
    )

    @api.depends("shopify_return_ids.expected")
    def _compute_shopify_expected_return_count(self):
        for order in self:
            order.shopify_expected_return_count = len(order.shopify_return_ids.filtered("expected"))

    def _compute_shopify_sync_job_id(self):
        for order in self:
            order.shopify_sync_job_id = order.sudo().shopify_binding_ids[:1].sync_job_id

    def action_open_shopify_sync_job(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "shopify.sync.job",
            "res_id": self.shopify_sync_job_id.id,
            "view_mode": "form",
        }

    def _shopify_set_fulfillment_hold(self, reasons):
        """Show Shopify's fulfillment holds (importers/fulfillment_hold.py) on the order and its open deliveries."""
        self.ensure_one()
        self.shopify_fulfillment_hold = reasons or False
        body = (
            self.env._("Shopify holds the fulfillment: %s", reasons)
            if reasons
            else self.env._("Shopify released the fulfillment hold.")
        )
        pickings = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        for record in [self, *pickings]:
            record.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def _shopify_hand_over(self):
        """A confirmed point-of-sale order: its goods were handed over at the counter. Its open
        deliveries are validated from the mapped location, so the stock leaves once and no
        delivery waits; a done one is never touched again."""
        pickings = self.env["stock.picking"]
        for order in self.filtered(lambda o: o.shopify_is_pos and o.state == "sale"):
            source = order.shopify_pos_location_id
            for picking in order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
            ):
                if source and picking.location_id != source:
                    picking.do_unreserve()
                    picking.write({"location_id": source.id})
                    picking.move_ids.write({"location_id": source.id})
                for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                    move.quantity = move.product_uom_qty
                    move.picked = True
                picking.with_context(shopify_sync=True, cancel_backorder=True)._action_done()
                pickings |= picking
        return pickings

    # -- risk hold (importers/order_risk.py holds, a person releases) ---------
    def _shopify_hold_for_risk(self, level):
        """Hold the order for review: one activity, one chatter line, however often it is called."""
        self.ensure_one()
        if self.shopify_risk_hold:
            return
        self.shopify_risk_hold = True
        binding = self.sudo().shopify_binding_ids[:1]
        user = binding.shop_id.user_id or self.env.ref("base.user_admin")
        label = dict(RISK_LEVELS).get(level, level)
        if not self._shopify_risk_activities():
            self.activity_schedule(
                RISK_ACTIVITY,
                summary=self.env._("Shopify rates %(order)s %(level)s risk: review it", order=self.name, level=label),
                note=(
                    self.env._(
                        "The order is held and not confirmed. Check it in Shopify, then release it here "
                        "(Release risk hold) or cancel it."
                    )
                    if self.state == "draft"
                    else self.env._(
                        "The order was already confirmed when Shopify rated it: check it in Shopify before "
                        "delivering it, then release it here (Release risk hold) or cancel it."
                    )
                ),
                user_id=user.id,
            )
        self.message_post(
            body=self.env._("Held for review: Shopify rates this order %s risk.", label),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _shopify_risk_activities(self):
        activity_type = self.env.ref(RISK_ACTIVITY)
        return self.activity_ids.filtered(lambda a: a.active and a.activity_type_id == activity_type)

    def action_shopify_release_risk_hold(self):
        """A person releases the hold: the order follows the store's confirmation policy again."""
        for order in self.filtered("shopify_risk_hold"):
            order.write({"shopify_risk_hold": False, "shopify_risk_released_level": order.shopify_risk_level})
            order._shopify_risk_activities().action_feedback(feedback=self.env._("Risk hold released."))
            order.message_post(
                body=self.env._(
                    "Risk hold released by %(user)s (Shopify risk: %(level)s).",
                    user=self.env.user.name,
                    level=dict(RISK_LEVELS).get(order.shopify_risk_level, order.shopify_risk_level or "-"),
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            binding = order.sudo().shopify_binding_ids[:1]
            shop = binding.shop_id
            policy = shop.confirm_policy
            paid = (binding.financial_status or "").upper() in PAID_FINANCIAL_STATUSES
            if order.state == "draft" and (policy == "on_create" or (policy == "on_paid" and paid)):
                order.action_confirm()
                order._shopify_hand_over()
        return True
