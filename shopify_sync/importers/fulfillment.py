"""Shopify fulfillments -> validation of the sale order's delivery, exactly once."""

from collections import defaultdict

from .. import const
from ..mapping.common import nodes, parse_datetime
from ..services.errors import DataConflictError, MappingError
from ..services.gid import to_gid
from ..services.queries import FULFILLMENT_QUERY
from ..services.resources import Topic
from ..services.shopify_enums import FAILED_FULFILLMENT_STATUSES
from .base import ResourceHandler, SyncResult

IGNORED_STATUSES = FAILED_FULFILLMENT_STATUSES


class FulfillmentHandler(ResourceHandler):
    resource_type = const.FULFILLMENT
    type_label = "Fulfillment"
    channel = const.CHANNEL_FULFILLMENT
    rollout_object = "fulfillments"
    # A fulfillment's id is also how an echo of our own write is recognised
    topics = {
        topic: Topic("id", ("id", "order_id", "updated_at")) for topic in ("fulfillments/create", "fulfillments/update")
    }
    binding_models = ("shopify.fulfillment.binding",)
    gid_type = "Fulfillment"
    door_label_key = "name"

    def _run(self, resource_id):
        node = self.client.fetch_node(FULFILLMENT_QUERY, to_gid("fulfillment", resource_id), "fulfillment")
        label = node.get("name") or resource_id
        updated_at = parse_datetime(node.get("updatedAt"))
        bindings = self.env["shopify.fulfillment.binding"]
        done = bindings._record(self.shop, resource_id)
        if done:
            return SyncResult("skipped", done, label, updated_at, "Fulfillment already validated in Odoo.")
        if (node.get("status") or "").upper() in IGNORED_STATUSES:
            return SyncResult("skipped", None, label, updated_at, f"Fulfillment status {node.get('status')}.")
        order = self._synced_order(node, f"Fulfillment {label}", "the fulfillment is validated once")
        wanted = self._quantities(node, label)
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )[:1]
        if not picking and order.shopify_is_pos:
            note = self.env._("Point-of-sale order: the goods were handed over at the counter, stock already left.")
            return SyncResult("skipped", order, label, updated_at, note)
        self._check_open_quantities(order, picking, wanted, label)
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            quantity = min(wanted.pop(move.product_id.id, 0.0), move.product_uom_qty)
            move.quantity = quantity
            move.picked = bool(quantity)
        tracking = ", ".join(filter(None, (t.get("number") for t in node.get("trackingInfo") or [])))
        bindings._bind(self.shop, resource_id, picking, tracking=tracking or False, shopify_updated_at=updated_at)
        picking.with_context(cancel_backorder=False)._action_done()
        backorder = order.picking_ids.filtered(lambda p: p.backorder_id == picking)
        note = f"Validated {picking.name}" + (f", backorder {backorder.name}" if backorder else "")
        return SyncResult("updated", picking, label, updated_at, note)

    def _quantities(self, node, label):
        products = self.env["product.product"]
        variants = self.env["shopify.variant.binding"]
        wanted = defaultdict(float)
        for item in nodes(node.get("fulfillmentLineItems")):
            line = item.get("lineItem") or {}
            variant_id = (line.get("variant") or {}).get("legacyResourceId")
            product = variant_id and variants._record(self.shop, variant_id)
            if not product and line.get("sku"):
                product = products.search([("default_code", "=", line["sku"])], limit=1)
            if not product:
                raise MappingError(
                    self.env._(
                        "Fulfillment %(label)s: line item %(line)s (SKU %(sku)s) has no Odoo product.",
                        label=label,
                        line=line.get("id"),
                        sku=line.get("sku"),
                    ),
                    missing=self.env._("the product mapping of the fulfilled line"),
                    fix_model="product.product",
                )
            wanted[product.id] += float(item.get("quantity") or 0)
        return wanted

    def _check_open_quantities(self, order, picking, wanted, label):
        open_qty = defaultdict(float)
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            open_qty[move.product_id.id] += move.product_uom_qty
        over = {pid: qty for pid, qty in wanted.items() if qty > open_qty.get(pid, 0.0) + 1e-6}
        if not picking or over:
            names = ", ".join(self.env["product.product"].browse(list(over)).mapped("display_name")) or "all lines"
            raise DataConflictError(
                self.env._(
                    "Fulfillment %(label)s ships %(names)s of %(order)s, already delivered in Odoo: nothing was "
                    "validated twice.",
                    label=label,
                    names=names,
                    order=order.name,
                ),
                missing=self.env._("an open delivery for the fulfilled quantities"),
                retry_advice=self.env._("Check the delivery in Odoo; mark this job resolved if it is already correct."),
                fix_model="stock.picking",
            )
