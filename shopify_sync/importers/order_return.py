"""Shopify returns -> the sale order's expected returns, and one return receipt once processed.

A return is read fresh from Shopify whichever of its webhooks arrived (requested, approved,
declined, cancelled, processed, closed, in any order, any number of times): its binding records
its status on the sale order, and the first run that finds units processed creates the one
receipt of those units, into the locations their dispositions say. The refund of the return is
the refund path's (importers/refund.py): one credit note, checked against the money refunded.
"""

from collections import defaultdict

from .. import const
from ..mapping.common import nodes, parse_datetime
from ..services.errors import DataConflictError, MappingError
from ..services.gid import numeric_id, to_gid
from ..services.queries import RETURN_QUERY
from ..services.resources import Topic
from ..services.shopify_enums import DISPOSITION_MISSING, DISPOSITION_RESTOCKED
from .base import ResourceHandler, SyncResult, line_item_product
from .exchange import Exchange

RETURN_TOPICS = (
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/process",
    "returns/close",
    "returns/reopen",
    "returns/update",
)


class ReturnHandler(ResourceHandler):
    resource_type = const.RETURN
    type_label = "Return"
    channel = const.CHANNEL_REFUND
    rollout_object = "refunds"
    topics = {topic: Topic("id", ("id", "order_id", "status")) for topic in RETURN_TOPICS}
    binding_models = ("shopify.return.binding",)
    gid_type = "Return"

    def _run(self, resource_id):
        node = self.client.fetch_node(RETURN_QUERY, to_gid(const.RETURN, resource_id), "return")
        label = f"Return {node.get('name') or resource_id}"
        updated_at = parse_datetime(node.get("closedAt") or node.get("requestApprovedAt") or node.get("createdAt"))
        order = self._synced_order(node, label, "the return is applied once")
        # the receipt returns units of the order's delivery: never while the order's own job writes it
        self._lock_related(const.ORDER, (node.get("order") or {}).get("legacyResourceId"))
        bindings = self.env["shopify.return.binding"]
        binding = bindings._find(self.shop, resource_id)
        status = (node.get("status") or "REQUESTED").lower()
        items = self._items(node, label)
        values = {
            "name": node.get("name") or str(resource_id),
            "status": status,
            "quantity": sum(quantity for _product, quantity, _processed in items),
            "processed_quantity": sum(processed for _product, _quantity, processed in items),
            "summary": ", ".join(f"{quantity:g} x {product.display_name}" for product, quantity, _p in items),
            "shopify_updated_at": updated_at,
        }
        created = not binding
        if created:
            binding = bindings.sudo().create(
                dict(values, shop_id=self.shop.id, shopify_id=str(resource_id), sale_order_id=order.id)
            )
        changed = created or binding.status != status
        receipt = binding.odoo_id
        notes = []
        processed = self._dispositions(node, label)
        if processed and not receipt:
            receipt = self._receipt(order, processed, label)
            binding.odoo_id = receipt
            notes.append(self.env._("return receipt %s", receipt.name))
        elif processed:
            self._check_received(receipt, processed, label)
        _exchanged, added = Exchange(self, order, label).lines(node)
        if added:
            # the items sent in exchange: new lines of the order, delivered by its procurement
            notes.append(self.env._("exchange items added to the order: %s", Exchange.describe(added)))
        binding.write(values)
        if changed or notes:
            order.sudo().message_post(body=self._chatter(binding, notes), subtype_xmlid="mail.mt_note")
        if notes:
            return SyncResult(
                "created", receipt or order, label, updated_at, f"{order.name}: {status}, " + ", ".join(notes)
            )
        if changed:
            return SyncResult("updated", order, label, updated_at, f"{order.name}: return {status}")
        return SyncResult("skipped", receipt or order, label, updated_at, f"Return already {status} in Odoo.")

    # -- what the return holds ----------------------------------------------------------
    def _product(self, fulfillment_line, label):
        line = (fulfillment_line or {}).get("lineItem") or {}
        product = line_item_product(self.env, self.shop, line)
        if not product:
            raise MappingError(
                self.env._(
                    "%(label)s: returned line item %(line)s (SKU %(sku)s) has no Odoo product.",
                    label=label,
                    line=line.get("id"),
                    sku=line.get("sku"),
                ),
                missing=self.env._("the product mapping of the returned line"),
                fix_model="product.product",
            )
        return product

    def _items(self, node, label):
        """[(product, units returned, units processed)] of the return's line items."""
        return [
            (
                self._product(item.get("fulfillmentLineItem"), label),
                float(item.get("quantity") or 0),
                float(item.get("processedQuantity") or 0),
            )
            for item in nodes(node.get("returnLineItems"))
        ]

    def _dispositions(self, node, label):
        """{(product id, destination location id): units} of the processed units Odoo receives."""
        wanted = defaultdict(float)
        for rfo in nodes(node.get("reverseFulfillmentOrders")):
            for line in nodes(rfo.get("lineItems")):
                product = None
                for disposition in line.get("dispositions") or []:
                    kind = disposition.get("type")
                    quantity = float(disposition.get("quantity") or 0)
                    if kind == DISPOSITION_MISSING or not quantity:
                        continue  # expected, never arrived: nothing to receive
                    product = product or self._product(line.get("fulfillmentLineItem"), label)
                    location = (disposition.get("location") or {}).get("id")
                    destination = self._restock_location(location) if kind == DISPOSITION_RESTOCKED else None
                    wanted[(product.id, (destination or self._not_restocked_location()).id)] += quantity
        return dict(wanted)

    def _restock_location(self, shopify_location_gid):
        """The Odoo location mapped to the Shopify location units were restocked at (None: unmapped)."""
        if not shopify_location_gid:
            return None
        mapping = self.env["shopify.location.mapping"].search(
            [("shop_id", "=", self.shop.id), ("shopify_location_id", "=", numeric_id(shopify_location_gid))], limit=1
        )
        return mapping.location_id or None

    def _not_restocked_location(self):
        if self.shop.return_scrap_location_id:
            return self.shop.return_scrap_location_id
        return self.env["stock.location"].search(
            [("usage", "=", "inventory"), ("company_id", "=", self.shop.company_id.id)], order="id", limit=1
        )

    # -- the receipt ---------------------------------------------------------------------
    def _receipt(self, order, wanted, label):
        """One validated return of the order's delivery: each product's units into their locations."""
        per_product = defaultdict(float)
        for (product_id, _location_id), quantity in wanted.items():
            per_product[product_id] += quantity
        delivered = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
        delivery = max(
            delivered,
            key=lambda p: sum(min(per_product.get(m.product_id.id, 0.0), m.quantity) for m in p.move_ids),
            default=delivered,
        )
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking")
            .create({})
            if delivery
            else None
        )
        short = dict(per_product)
        for line in wizard.product_return_moves if wizard else []:
            line.quantity = min(short.get(line.product_id.id, 0.0), line.move_quantity)
            short[line.product_id.id] = short.get(line.product_id.id, 0.0) - line.quantity
        if not wizard or any(quantity > 1e-6 for quantity in short.values()):
            raise DataConflictError(
                self.env._(
                    "%(label)s returns units of %(order)s that no validated delivery of it holds: no receipt "
                    "was created.",
                    label=label,
                    order=order.name,
                ),
                missing=self.env._("a validated delivery of the returned units"),
                retry_advice=self.env._("Validate the order's delivery in Odoo, then retry: the receipt is made once."),
                fix_model="stock.picking",
            )
        receipt = wizard._create_return()
        self._route(receipt, wanted)
        for move in receipt.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipt.with_context(cancel_backorder=False)._action_done()
        return receipt

    def _route(self, receipt, wanted):
        """Send each product's units where their disposition says (a move per destination)."""
        for move in receipt.move_ids:
            destinations = [
                (location_id, quantity)
                for (product_id, location_id), quantity in wanted.items()
                if product_id == move.product_id.id
            ]
            first, rest = destinations[0], destinations[1:]
            for location_id, quantity in rest:
                values = {"product_uom_qty": quantity, "location_dest_id": location_id, "picking_id": receipt.id}
                extra = move.copy(values)
                extra._action_confirm()
            move.move_line_ids.unlink()
            move.write({"product_uom_qty": first[1], "location_dest_id": first[0]})
        receipt.move_ids._action_assign()

    def _check_received(self, receipt, wanted, label):
        """A return processed again after its receipt: the new units are not received twice, nor silently."""
        received = sum(receipt.move_ids.filtered(lambda m: m.state == "done").mapped("quantity"))
        if sum(wanted.values()) > received + 1e-6:
            raise DataConflictError(
                self.env._(
                    "%(label)s was processed again in Shopify after its receipt %(receipt)s: %(more)g more "
                    "unit(s) came back, not received in Odoo.",
                    label=label,
                    receipt=receipt.name,
                    more=sum(wanted.values()) - received,
                ),
                missing=self.env._("a receipt of the units processed later"),
                retry_advice=self.env._("Receive the further units in Odoo by hand, then mark this job resolved."),
                fix_model="stock.picking",
            )

    def _chatter(self, binding, notes):
        status = dict(binding._fields["status"]._description_selection(self.env)).get(binding.status)
        text = self.env._(
            "Shopify return %(name)s: %(status)s (%(items)s).",
            name=binding.name,
            status=status,
            items=binding.summary or "-",
        )
        if binding.expected:
            text += " " + self.env._("Nothing has moved in Odoo yet.")
        if notes:
            text += " " + ", ".join(notes).capitalize() + "."
        return text
