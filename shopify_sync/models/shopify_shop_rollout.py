"""Per-object rollout switches of a shop: off, review or automatic.

Off: the webhook door still records and acknowledges every delivery; the
dispatcher holds it ("Held: sync off") instead of giving it a sync job, and a
sync job that runs anyway (a retry, a reconciliation) writes nothing. Turning
the object back on catches up: the held deliveries are dispatched again and a
reconciliation lists what Shopify changed since the switch went off.
"""

from datetime import timedelta

from odoo import fields, models

from .. import const
from ..services.identity import reconcile_identity_key
from ..services.rollout import MODES, OBJECT_LABELS, OBJECTS, RECONCILED, object_of, switch_field


def _switch(obj):
    label = OBJECT_LABELS[obj]
    return fields.Selection(
        MODES,
        string=label,
        default="automatic",
        required=True,
        tracking=True,
        help=f"{label}: off (deliveries held, nothing written), review (each change waits for approval "
        "with its diff) or automatic.",
    )


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    rollout_orders = _switch("orders")
    rollout_customers = _switch("customers")
    rollout_products = _switch("products")
    rollout_fulfillments = _switch("fulfillments")
    rollout_refunds = _switch("refunds")
    rollout_stock = _switch("stock")
    rollout_deliveries = _switch("deliveries")
    rollout_accounting = _switch("accounting")
    rollout_off_since = fields.Json(readonly=True, copy=False, help="Per object switched off: since when (UTC).")
    review_count = fields.Integer(
        string="To review", compute="_compute_review_count", help="Sync jobs waiting for a reviewer's decision."
    )

    def _compute_review_count(self):
        groups = self.env["shopify.sync.job"]._read_group(
            [("shop_id", "in", self.ids), ("state", "=", "to_review")], ["shop_id"], ["__count"]
        )
        counts = {shop.id: count for shop, count in groups}
        for shop in self:
            shop.review_count = counts.get(shop.id, 0)

    def _rollout_mode(self, resource_type):
        """off, review or automatic for a sync job's resource type (automatic when no switch covers it)."""
        self.ensure_one()
        obj = object_of(resource_type)
        return self[switch_field(obj)] if obj else "automatic"

    def write(self, vals):
        switched = [obj for obj in OBJECTS if switch_field(obj) in vals]
        before = {shop.id: {obj: shop[switch_field(obj)] for obj in switched} for shop in self} if switched else {}
        result = super().write(vals)
        for shop in self.filtered(lambda s: s.id in before):
            since, resumed = shop._switched(before[shop.id])
            if since != (shop.rollout_off_since or {}):
                super(ShopifyShop, shop).write({"rollout_off_since": since or False})
            if resumed:
                shop._catch_up(resumed)
        return result

    def _switched(self, before):
        """When objects went off (``{object: since}``), and those turned back on (with their off-since)."""
        since = dict(self.rollout_off_since or {})
        now = fields.Datetime.now()
        resumed = {}
        for obj, old in before.items():
            new = self[switch_field(obj)]
            if new == "off" and old != "off":
                since[obj] = fields.Datetime.to_string(now)
            elif old == "off" and new != "off":
                resumed[obj] = fields.Datetime.to_datetime(since.pop(obj, None)) or now
        return since, resumed

    def _catch_up(self, resumed):
        """Dispatch the held deliveries of resumed objects again, run the jobs that ran while off
        (stock pushes, deliveries), and reconcile since they went off."""
        resource_types = tuple(rtype for obj in resumed for rtype in OBJECTS[obj][1])
        self.flush_recordset()  # the dispatcher reads the switches on a cursor of its own
        deliveries = self.env["shopify.webhook.delivery"].sudo()
        held = deliveries.search(
            [("shop_id", "=", self.id), ("state", "=", "off"), ("resource_type", "in", resource_types)]
        )
        if held:
            held.write({"state": "received"})
            deliveries.flush_model(["state"])
            deliveries._wake_dispatcher(self.id)
        held_jobs = (
            self.env["shopify.sync.job"]
            .sudo()
            .search([("shop_id", "=", self.id), ("resource_type", "in", resource_types), ("held_by_switch", "=", True)])
        )
        for job in held_jobs:
            job._enqueue()
        reconciled = [obj for obj in resumed if set(OBJECTS[obj][1]) & set(RECONCILED)]
        if reconciled and self.sync_enabled:
            since = min(resumed[obj] for obj in reconciled) - timedelta(hours=self.reconcile_overlap_hours)
            self.sudo().with_delay(
                channel=const.CHANNEL_ROOT,
                identity_key=reconcile_identity_key(self.id),
                description=f"Shopify catch-up after a switch turned on: {self.name}",
            ).reconcile(fields.Datetime.to_string(since))

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_job")
        action.update(
            domain=[],
            context=self._shop_facet_context({"search_default_to_review": 1}),
            name=self.env._("To review: %s", self.name),
        )
        return action
