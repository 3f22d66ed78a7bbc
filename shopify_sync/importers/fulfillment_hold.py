"""Shopify fulfillment holds -> the hold shown on the sale order's open deliveries, as Shopify has it now."""

from .. import const
from ..mapping.common import nodes
from ..services.errors import TemporaryError
from ..services.gid import to_gid
from ..services.queries import FULFILLMENT_ORDER_HOLDS_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult


def hold_reasons(order_node):
    """The reasons of every hold on an order's fulfillment orders, in words, "" when none."""
    reasons = []
    for fulfillment_order in nodes(order_node.get("fulfillmentOrders")):
        for hold in fulfillment_order.get("fulfillmentHolds") or []:
            reason = hold.get("displayReason") or hold.get("reason") or ""
            notes = hold.get("reasonNotes")
            text = f"{reason} ({notes})" if notes else reason
            if text and text not in reasons:
                reasons.append(text)
    return "; ".join(reasons)


class FulfillmentHoldHandler(ResourceHandler):
    """Resource id: the Shopify fulfillment order. Each run reads the holds of its order as they
    are now: a repeated, late or out-of-order event leaves the newest state, applied once."""

    resource_type = const.FULFILLMENT_HOLD
    type_label = "Fulfillment hold"
    channel = const.CHANNEL_FULFILLMENT
    rollout_object = "fulfillments"
    topics = {
        topic: Topic("fulfillment_order.id", ("fulfillment_order", "fulfillment_hold"))
        for topic in ("fulfillment_holds/added", "fulfillment_holds/released")
    }

    def _run(self, resource_id):
        node = self.client.fetch_node(
            FULFILLMENT_ORDER_HOLDS_QUERY, to_gid("fulfillment_order", resource_id), "fulfillmentOrder"
        )
        order_node = node.get("order") or {}
        self.label = label = order_node.get("name") or self.env._("Fulfillment order %s", resource_id)
        order = self.env["shopify.order.binding"]._record(self.shop, order_node.get("legacyResourceId"))
        if not order:
            # Usually the order's own webhook is a moment behind: retried, as any temporary trouble.
            raise TemporaryError(
                self.env._("The hold of %s waits for the order, which is not in Odoo yet.", label),
                missing=self.env._("the Odoo order for Shopify order %s", label),
                retry_advice=self.env._("Retried automatically; the hold is shown once the order is synced."),
                fix_model="sale.order",
            )
        reasons = hold_reasons(order_node)
        if (order.shopify_fulfillment_hold or "") == reasons:
            return SyncResult("skipped", order, label, None, self.env._("The deliveries already show this."))
        order._shopify_set_fulfillment_hold(reasons)
        note = self.env._("On hold: %s", reasons) if reasons else self.env._("Hold released")
        return SyncResult("updated", order, label, None, note)
