"""Exchanges: the items a Shopify return sends in exchange become lines of the same Odoo order.

Shopify adds a processed exchange item to the order as a new line item (``ExchangeLineItem.lineItems``).
Odoo adds one sale line per such line item, once (keyed by its id, ``shopify_exchange_line_id``),
whichever of the return's and its refund's jobs comes first; the order's procurement makes the
delivery of the new lines. The money is the refund's (importers/refund.py): Shopify's refund is net
of the exchange, so the exchanged items reduce the credit note (or, when the customer owes more, the
difference is an invoice), each exchanged line invoiced by it, never twice.
"""

from odoo import Command

from ..mapping.common import money, nodes, side_in
from ..services.errors import MappingError
from ..services.gid import numeric_id
from .base import line_item_product


def exchange_line_items(return_node):
    """[(line item node, quantity)] of the processed exchange items of a Return node."""
    found = []
    for item in nodes((return_node or {}).get("exchangeLineItems")):
        if not item.get("processedQuantity"):
            continue
        for line in item.get("lineItems") or []:
            if line and line.get("id"):
                found.append((line, float(line.get("quantity") or 0)))
    return found


class Exchange:
    def __init__(self, handler, order, label):
        self.env = handler.env
        self.shop = handler.shop
        self.order = order
        self.label = label

    def lines(self, return_node):
        """The order's lines of the return's exchanged items, added now if missing; (lines, added)."""
        wanted = exchange_line_items(return_node)
        if not wanted:
            return self.env["sale.order.line"], self.env["sale.order.line"]
        existing = self.order.order_line.filtered("shopify_exchange_line_id")
        known = {line.shopify_exchange_line_id: line for line in existing}
        values = []
        for line, quantity in wanted:
            key = str(numeric_id(line["id"]))
            if key not in known and quantity:
                values.append(self._values(line, quantity, key))
        added = self.env["sale.order.line"]
        if values:
            locked = self.order.locked
            if locked:
                self.order.action_unlock()
            before = self.order.order_line
            self.order.order_line = [Command.create(vals) for vals in values]
            added = self.order.order_line - before
            if locked:
                self.order.action_lock()
        keys = {str(numeric_id(line["id"])) for line, _quantity in wanted}
        lines = self.order.order_line.filtered(lambda sol: sol.shopify_exchange_line_id in keys)
        return lines, added

    def _values(self, line, quantity, key):
        product = self._product(line)
        price = line.get("discountedUnitPriceSet")
        like = self.order.order_line.filtered(lambda sol: sol.product_id.type == "consu" and sol.tax_ids)[:1]
        return {
            "product_id": product.id,
            "name": self.env._("Exchange: %s", line.get("name") or product.display_name),
            "product_uom_qty": quantity,
            "price_unit": float(money(price, side_in(price, self.order.currency_id.name))),
            "tax_ids": [Command.set((like.tax_ids if line.get("taxable", True) else like.tax_ids.browse()).ids)],
            "shopify_exchange_line_id": key,
        }

    def _product(self, line):
        product = line_item_product(self.env, self.shop, line)
        if not product:
            raise MappingError(
                self.env._(
                    "%(label)s: exchange item %(line)s (SKU %(sku)s) has no Odoo product.",
                    label=self.label,
                    line=line.get("id"),
                    sku=line.get("sku"),
                ),
                missing=self.env._("the product mapping of the exchanged item"),
                retry_advice=self.env._("Retry once the product is synced: the exchange is added once."),
                fix_model="product.product",
            )
        return product

    @staticmethod
    def describe(added):
        return ", ".join(f"{line.product_uom_qty:g} x {line.product_id.display_name}" for line in added)
