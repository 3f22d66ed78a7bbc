"""Fulfillments: Odoo -> Shopify, for shops that ship from Odoo; once per delivery."""

from .. import const
from ..mapping.common import nodes
from ..services.errors import DataConflictError
from ..services.gid import numeric_id, to_gid
from ..services.queries import FULFILLMENT_CREATE, FULFILLMENT_ORDERS_QUERY
from .base import ResourceHandler, SyncResult


class FulfillmentPushHandler(ResourceHandler):
    resource_type = const.PICKING_PUSH
    type_label = "Delivery to Shopify"
    channel = const.CHANNEL_FULFILLMENT
    rollout_object = "deliveries"

    def _run(self, resource_id):
        picking = self.env["stock.picking"].browse(int(resource_id)).exists()
        if not picking:
            return SyncResult("skipped", None, f"Delivery {resource_id}", note="Delivery deleted.")
        if picking.sudo().shopify_binding_ids:
            return SyncResult("skipped", picking, picking.name, note="Already fulfilled in Shopify.")
        order = picking.sale_id
        order_binding = order._shopify_binding(self.shop)
        data = self.client.fetch_node(FULFILLMENT_ORDERS_QUERY, to_gid("order", order_binding.shopify_id), "order")
        variant_ids = {
            b.odoo_id.id: b.shopify_id
            for b in self.env["shopify.variant.binding"]._of(self.shop, picking.move_ids.product_id)
        }
        # Lines are allocated on the fulfillment orders' total quantities, not
        # on what remains: a retry after a timeout (Shopify did the work)
        # then sends the very same request under the same idempotency key,
        # and Shopify answers with the fulfillment it already created.
        capacity = {}
        for fulfillment_order in nodes(data.get("fulfillmentOrders")):
            for line in nodes(fulfillment_order.get("lineItems")):
                variant = ((line.get("lineItem") or {}).get("variant") or {}).get("legacyResourceId")
                if variant:
                    capacity.setdefault(variant, []).append(
                        [fulfillment_order["id"], line["id"], int(line.get("totalQuantity") or 0)]
                    )
        groups = {}
        for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.quantity):
            quantity = int(move.quantity)
            for slot in capacity.get(variant_ids.get(move.product_id.id), []):
                take = min(quantity, slot[2])
                if take:
                    groups.setdefault(slot[0], []).append({"id": slot[1], "quantity": take})
                    slot[2] -= take
                    quantity -= take
            if quantity:
                raise DataConflictError(
                    self.env._(
                        "%(picking)s ships %(product)s that Shopify does not expect to fulfil for %(order)s: "
                        "nothing was sent.",
                        picking=picking.name,
                        product=move.product_id.display_name,
                        order=order.client_order_ref,
                    ),
                    missing=self.env._("Shopify fulfillment order lines for the delivered products"),
                    retry_advice=self.env._(
                        "Check the order in Shopify; mark this job resolved if it was fulfilled there."
                    ),
                    fix_model="stock.picking",
                )
        variables = {
            "key": f"odoo-picking-{self._database_uuid()}-{picking.id}",
            "fulfillment": {
                "notifyCustomer": True,
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items} for fo_id, items in groups.items()
                ],
                "trackingInfo": {"number": None, "company": None},
            },
        }
        result = self.client.mutate(FULFILLMENT_CREATE, variables, "fulfillmentCreate")
        fulfillment_id = numeric_id(result["fulfillment"]["id"])
        self.env["shopify.fulfillment.binding"]._bind(self.shop, fulfillment_id, picking)
        self.env["shopify.echo"]._remember(self.shop, "fulfillments", fulfillment_id)
        return SyncResult("created", picking, picking.name, note=f"Shopify fulfillment {fulfillment_id}")

    def _database_uuid(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.uuid")
