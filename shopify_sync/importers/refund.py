"""Shopify refunds -> one draft credit note per refund, by refund id; units refunded before shipping
leave the sale order and its open delivery with it (importers/undelivered.py). The units of a
Shopify return come back with the return (importers/order_return.py), never with its refund."""

from odoo import Command

from .. import const
from ..mapping import history as hmap
from ..mapping import order as omap
from ..mapping.common import SHOP_MONEY, money, nodes, parse_datetime, side_in
from ..services.errors import DataConflictError
from ..services.gid import to_gid
from ..services.queries import REFUND_FULFILLMENT_LINES_FIRST, REFUND_FULFILLMENTS_FIRST, REFUND_QUERY
from ..services.resources import Topic
from ..services.shopify_enums import RESTOCK_RETURN
from .base import ResourceHandler, SyncResult
from .exchange import Exchange, exchange_line_items
from .refund_settlement import RefundSettlement
from .undelivered import UndeliveredRest


class RefundHandler(ResourceHandler):
    resource_type = const.REFUND
    type_label = "Refund"
    channel = const.CHANNEL_REFUND
    rollout_object = "refunds"
    topics = {"refunds/create": Topic("id", ("id", "order_id", "created_at"))}
    binding_models = ("shopify.refund.binding",)
    gid_type = "Refund"

    side = SHOP_MONEY  # the set of amounts of the refund's order (_run)

    def _run(self, resource_id):
        node = self.client.fetch_node(REFUND_QUERY, to_gid("refund", resource_id), "refund")
        moves = self.env["account.move"]
        bindings = self.env["shopify.refund.binding"]
        updated_at = parse_datetime(node.get("updatedAt") or node.get("createdAt"))
        label = f"Refund {resource_id}"
        existing = bindings._record(self.shop, resource_id)
        order = self._synced_order(node, label, "one credit note is created")
        # The order's set of amounts: a refund of an order booked in its presentment currency is, too.
        self.side = side_in(node.get("totalRefundedSet"), order.currency_id.name)
        if existing:
            warning = RefundSettlement(self, node, order, label).settle(existing)
            note = "Credit note already exists." + (f" {warning}" if warning else "")
            return SyncResult("skipped", existing, label, updated_at, note, warning)
        refunded_at = parse_datetime(node.get("processedAt") or node.get("createdAt"))
        if hmap.before_accounting_start(refunded_at, self.shop.accounting_start_date):
            note = self.env._(
                "Refunded before the accounting start date (%s): the former books hold it, no credit note.",
                self.shop.accounting_start_date,
            )
            return SyncResult("skipped", order, label, updated_at, note)
        # the order's lines and delivery may change with it: never while the order's own job writes them
        self._lock_related(const.ORDER, (node.get("order") or {}).get("legacyResourceId"))
        if self.shop.refund_policy == "amount":
            lines = [self._amount_line(order, money(node.get("totalRefundedSet"), self.side))]
        else:
            lines = [self._item_line(order, item) for item in nodes(node.get("refundLineItems"))]
            lines += [
                self._shipping_line(order, money(ship.get("subtotalAmountSet"), self.side))
                for ship in nodes(node.get("refundShippingLines"))
                if money(ship.get("subtotalAmountSet"), self.side)
            ]
            lines += [self._adjustment_line(adjustment) for adjustment in nodes(node.get("orderAdjustments"))]
        exchanged, exchange_note = self._exchange(order, node, label)
        if self.shop.refund_policy != "amount":
            # an exchanged line another move already invoices (an earlier refund of the return) is not again
            lines += [self._exchange_line(line) for line in exchanged if line.qty_invoiced < line.product_uom_qty]
        move_type = "out_refund"
        if sum(vals["quantity"] * vals["price_unit"] for vals in lines if vals) < 0:
            # the customer owes more for the exchange than the return is worth: Shopify charged the
            # difference, booked as an invoice of it (the same lines, the other way round)
            move_type = "out_invoice"
            lines = [dict(vals, quantity=-vals["quantity"]) for vals in lines if vals]
        credit_note = moves.with_company(order.company_id).create(
            {
                "move_type": move_type,
                "partner_id": order.partner_invoice_id.id,
                "currency_id": order.currency_id.id,
                "invoice_origin": order.name,
                "ref": f"Shopify {label} ({order.client_order_ref})",
                "narration": node.get("note") or False,
                "invoice_line_ids": [Command.create(vals) for vals in lines if vals],
            }
        )
        bindings._bind(self.shop, resource_id, credit_note, shopify_updated_at=updated_at)
        kind = "invoice" if move_type == "out_invoice" else "credit note"
        note = f"Draft {kind} {credit_note.name or credit_note.id} for {order.name}" + exchange_note
        note += self._take_off_unshipped(order, node)
        restock = [item for item in nodes(node.get("refundLineItems")) if item.get("restockType") == RESTOCK_RETURN]
        shopify_return = node.get("return")
        if restock and shopify_return:
            # one path: a Shopify return's units come back with the return (importers/order_return.py)
            note += f"; restocked by Shopify return {shopify_return.get('name') or shopify_return.get('id')}"
        elif restock and self.shop.refund_restock:
            note += f"; return receipt {self._return_receipt(order, restock, label).name}"
        elif restock:
            note += "; restock requested in Shopify, no return created (option off)"
        warning = RefundSettlement(self, node, order, label).settle(credit_note)
        return SyncResult("created", credit_note, label, updated_at, note, warning)

    def _exchange(self, order, node, label):
        """The order's lines of the items the refund's return sent in exchange (added once if missing)."""
        shopify_return = node.get("return")
        if not exchange_line_items(shopify_return):
            return self.env["sale.order.line"], ""
        exchanged, added = Exchange(self, order, label).lines(shopify_return)
        note = f"; exchange: {Exchange.describe(added)} added to the order" if added else ""
        return exchanged, note

    def _exchange_line(self, sale_line):
        """An item sent in exchange: it reduces the money back (Shopify's refund is net of it), and the
        credit note invoices its line (a negative quantity on a credit note)."""
        return {
            "product_id": sale_line.product_id.id,
            "name": sale_line.name,
            "quantity": -(sale_line.product_uom_qty - sale_line.qty_invoiced),
            "price_unit": sale_line.price_unit,
            "tax_ids": [Command.set(sale_line.tax_ids.ids)],
            "sale_line_ids": [Command.set(sale_line.ids)],
        }

    def _take_off_unshipped(self, order, node):
        """Units refunded before shipping leave the order and its open delivery (once: with the credit note)."""
        unshipped = omap.unshipped_refund_lines(node, REFUND_FULFILLMENTS_FIRST, REFUND_FULFILLMENT_LINES_FIRST)
        if not unshipped or order.state == "cancel":
            return ""
        rest = UndeliveredRest(self.env, order)
        wanted = [(self._order_line(order, item), quantity) for item, quantity in unshipped]
        changes = rest.reduce(wanted)
        note = f"; not shipped, taken off the order: {rest.describe(changes)}" if changes else ""
        goods = sum(quantity for line, quantity in wanted if line.product_id.type == "consu")
        short = goods - sum(units for _line, units in changes)
        if short > 0:
            note += (
                f"; {short:g} refunded unit(s) no longer open in Odoo (delivered, or the rest of a cancelled "
                "order already taken off): left as they are"
            )
        return note

    def _return_receipt(self, order, restock, label):
        """A return of the restocked quantities, against the order's validated delivery."""
        delivered = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
        if not delivered and order.shopify_binding_ids[:1].import_standing == hmap.HISTORY:
            return self._history_return(order, restock)
        if not delivered:
            raise DataConflictError(
                self.env._(
                    "%(label)s restocks items of %(order)s, which has no validated delivery to return.",
                    label=label,
                    order=order.name,
                ),
                missing=self.env._("a validated delivery for the restocked items"),
                fix_model="stock.picking",
            )
        wanted = {}
        for item in restock:
            sale_line = self._order_line(order, item)
            wanted[sale_line.product_id.id] = wanted.get(sale_line.product_id.id, 0) + float(item.get("quantity") or 0)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivered[0].id, active_ids=delivered[0].ids, active_model="stock.picking")
            .create({})
        )
        for line in wizard.product_return_moves:
            line.quantity = min(wanted.pop(line.product_id.id, 0.0), line.move_quantity)
        return wizard._create_return()

    def _history_return(self, order, restock):
        """A return of a historical order, which left the warehouse before Odoo knew it (no delivery to
        return against): a receipt from the customer of the restocked quantities, to validate when the
        goods arrive; the lines' delivered quantities less what comes back."""
        picking_type = order.warehouse_id.in_type_id
        customers = self.env.ref("stock.stock_location_customers")
        destination = picking_type.default_location_dest_id
        moves = []
        for item in restock:
            sale_line, quantity = self._order_line(order, item), float(item.get("quantity") or 0)
            if not sale_line or not quantity:
                continue
            moves.append(
                Command.create(
                    {
                        "product_id": sale_line.product_id.id,
                        "product_uom_qty": quantity,
                        "product_uom": sale_line.product_uom_id.id,
                        "location_id": customers.id,
                        "location_dest_id": destination.id,
                    }
                )
            )
            sale_line.shopify_shipped_before = max(sale_line.shopify_shipped_before - quantity, 0.0)
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": order.partner_shipping_id.id,
                "origin": order.name,
                "location_id": customers.id,
                "location_dest_id": destination.id,
                "move_ids": moves,
            }
        )
        receipt.sale_id = order
        receipt.action_confirm()
        return receipt

    def _order_line(self, order, item):
        line = item.get("lineItem") or {}
        variant_id = (line.get("variant") or {}).get("legacyResourceId")
        product = variant_id and self.env["shopify.variant.binding"]._record(self.shop, variant_id)
        return order.order_line.filtered(lambda sol: product and sol.product_id == product)[:1]

    def _item_line(self, order, item):
        quantity = float(item.get("quantity") or 0)
        subtotal = float(money(item.get("subtotalSet"), self.side))
        sale_line = self._order_line(order, item)
        if not quantity:
            return None
        return {
            "product_id": sale_line.product_id.id or False,
            "name": sale_line.name or f"Refunded item {(item.get('lineItem') or {}).get('sku') or ''}",
            "quantity": quantity,
            "price_unit": subtotal / quantity,
            "tax_ids": [Command.set(sale_line.tax_ids.ids)],
            "sale_line_ids": [Command.set(sale_line.ids)],
        }

    def _shipping_line(self, order, amount):
        """Refunded shipping, taxed as the order's shipping was (Shopify refunds its tax with it)."""
        product = self.shop.shipping_product_id or self.env.ref("shopify_sync.product_shopify_shipping")
        shipped = order.order_line.filtered(lambda line: line.product_id == product)[:1]
        return {
            "product_id": product.id,
            "name": "Shipping refund",
            "quantity": 1,
            "price_unit": float(amount),
            "tax_ids": [Command.set(shipped.tax_ids.ids)],
        }

    def _adjustment_line(self, adjustment):
        """An order adjustment: a negative amount is money refunded beyond the lines (tax included)."""
        amount = -(money(adjustment.get("amountSet"), self.side) + money(adjustment.get("taxAmountSet"), self.side))
        if not amount:
            return None
        return {
            "name": f"Refund adjustment ({(adjustment.get('reason') or 'other').lower()})",
            "quantity": 1,
            "price_unit": float(amount),
            "tax_ids": [Command.clear()],
        }

    def _amount_line(self, order, amount):
        return {
            "name": f"Refund on {order.name}",
            "quantity": 1,
            "price_unit": float(amount),
            "tax_ids": [Command.clear()],
        }
