"""Order edits as Shopify commits them (REST shape), and the ``orders/edited`` body.

As at Shopify (``LineItem.quantity``: units ordered, including refunded and removed units;
``currentQuantity``: excluding them): a quantity lowered by an edit stays in the line's
``quantity`` and leaves its ``current_quantity`` and the open fulfillment order; a quantity
raised is added to both; a variant added is a new line item. Removing a line is setting its
quantity to 0: it stays, with a current quantity of 0. An edit can remove only what is not
fulfilled yet. The order's ``updated_at`` moves, and Shopify sends ``orders/edited`` then
``orders/updated``.
"""

import copy
from decimal import Decimal

from .formatting import cents, gid, rest_money, to_decimal
from .totals import recompute_totals


class OrderEditError(ValueError):
    """An edit Shopify refuses (a user error of orderEditSetQuantity / orderEditAddVariant)."""


class OrderEdits:
    """Mixed into Store: committed order edits, by id (``self.order_edits``)."""

    def current_quantity(self, order_id, line):
        """Units of a REST line item still ordered: neither refunded nor removed by an edit."""
        refunded = sum(
            int(item.get("quantity") or 0)
            for refund in self.refunds.values()
            if refund["order_id"] == int(order_id)
            for item in refund.get("refund_line_items") or []
            if int(item["line_item_id"]) == int(line["id"])
        )
        quantity = int(line.get("quantity") or 0)
        return max(quantity - refunded - int(line.get("edit_removed_quantity") or 0), 0)

    def _new_line(self, order, variant_id, quantity):
        variant = self.variants.get(int(variant_id))
        if variant is None:
            raise OrderEditError(f"variant {variant_id} does not exist")
        product = self.products.get(int(variant.get("product_id") or 0)) or {}
        line_id = self.next_id()
        return {
            "id": line_id,
            "admin_graphql_api_id": gid("LineItem", line_id),
            "variant_id": int(variant["id"]),
            "product_id": int(product["id"]) if product else None,
            "title": product.get("title") or variant.get("title") or "",
            "variant_title": variant.get("title"),
            "name": " - ".join(filter(None, [product.get("title"), variant.get("title")])),
            "sku": variant.get("sku"),
            "price": variant.get("price") or "0.00",
            "quantity": int(quantity),
            "current_quantity": int(quantity),
            "total_discount": "0.00",
            "requires_shipping": bool(variant.get("requires_shipping", True)),
            "taxable": bool(variant.get("taxable", True)),
            "gift_card": False,
            "tax_lines": self._taxes_like(order, to_decimal(variant.get("price")) * int(quantity)),
        }

    @staticmethod
    def _taxes_like(order, amount):
        """The tax lines of the order's first taxed line, on ``amount`` (the shop's rates)."""
        taxed = next(
            (line for line in order.get("line_items") or [] if line.get("tax_lines")), None
        )
        included = bool(order.get("taxes_included"))
        taxes = []
        for tax in (taxed or {}).get("tax_lines") or []:
            rate = to_decimal(tax.get("rate"))
            value = cents(amount - amount / (1 + rate)) if included else cents(amount * rate)
            taxes.append(
                {"title": tax.get("title"), "rate": tax.get("rate"), "price": rest_money(value)}
            )
        return taxes

    def _open_lines(self, order_id, line_id):
        return [
            fo_line
            for fo in self.fulfillment_orders_of(order_id)
            if fo["status"] not in ("CANCELLED", "CLOSED")
            for fo_line in fo["lines"]
            if fo_line["line_item_id"] == int(line_id)
        ]

    def unfulfilled_quantity(self, order_id, line_id):
        return sum(fo_line["remaining"] for fo_line in self._open_lines(order_id, line_id))

    def edit_order(self, order_id, quantities=None, add=None, staff_note="", commit=True):
        """Commit one edit of an order: ``quantities`` {line item id: new current quantity} (0
        removes the line), ``add`` [(variant id, quantity)]. Validated first: nothing is applied
        when Shopify would refuse a change. Returns the order edit (the ``order_edit`` of the
        ``orders/edited`` body)."""
        with self.lock:
            oid = int(order_id)
            order = self.orders[oid]
            if order.get("cancelled_at"):
                raise OrderEditError(f"order {oid} is cancelled: it cannot be edited")
            lines = {int(line["id"]): line for line in order.get("line_items") or []}
            changes = []
            for line_id, wanted in (quantities or {}).items():
                line = lines.get(int(line_id))
                if line is None:
                    raise OrderEditError(f"line item {line_id} is not on order {oid}")
                wanted = int(wanted)
                current = self.current_quantity(oid, line)
                if wanted < 0:
                    raise OrderEditError("quantity must be 0 or more")
                if current - wanted > self.unfulfilled_quantity(oid, line_id):
                    raise OrderEditError(
                        f"line item {line_id}: only unfulfilled units can be removed "
                        f"({self.unfulfilled_quantity(oid, line_id)} left to fulfill)"
                    )
                if wanted != current:
                    changes.append((line, wanted - current))
            added = [
                self._new_line(order, variant_id, quantity) for variant_id, quantity in add or []
            ]
            if any(line["quantity"] <= 0 for line in added):
                raise OrderEditError("an added variant needs a quantity of 1 or more")
            if not (changes or added):
                raise OrderEditError("the edit has no changes to commit")
            if not commit:
                return None
            additions, removals = [], []
            for line, delta in changes:
                if delta > 0:
                    line["quantity"] = int(line["quantity"]) + delta
                    for fo_line in self._open_lines(oid, line["id"])[:1]:
                        fo_line["total"] += delta
                        fo_line["remaining"] += delta
                    additions.append({"id": int(line["id"]), "delta": delta})
                else:
                    removed = -delta
                    line["edit_removed_quantity"] = (
                        int(line.get("edit_removed_quantity") or 0) + removed
                    )
                    for fo_line in self._open_lines(oid, line["id"]):
                        taken = min(fo_line["remaining"], removed)
                        fo_line["remaining"] -= taken
                        fo_line["total"] -= taken
                        removed -= taken
                    removals.append({"id": int(line["id"]), "delta": -delta})
            for line in added:
                order.setdefault("line_items", []).append(line)
                additions.append({"id": line["id"], "delta": line["quantity"]})
            self._sync_fulfillment_order(order)
            for line in order.get("line_items") or []:
                line["current_quantity"] = self.current_quantity(oid, line)
            edit_id = self.next_id()
            edit = {
                "id": edit_id,
                "app_id": None,
                "created_at": self.tick(),
                "committed_at": None,
                "notify_customer": False,
                "order_id": oid,
                "staff_note": staff_note or "",
                "user_id": None,
                "line_items": {"additions": additions, "removals": removals},
                "discounts": {"line_item": {"additions": [], "removals": []}},
                "shipping_lines": {"additions": [], "removals": []},
            }
            edit["committed_at"] = edit["created_at"]
            self._edited_totals(order)
            self.order_edits[edit_id] = edit
            order["edited"] = True
            order["updated_at"] = self.tick()
            return copy.deepcopy(edit)

    def _edited_totals(self, order):
        """The order's totals with the edited quantities (an edit changes the order, not a return),
        and its financial status against what was paid."""
        edited = copy.deepcopy(order)
        for line in edited.get("line_items") or []:
            ordered = int(line["quantity"])
            line["quantity"] = ordered - int(line.get("edit_removed_quantity") or 0)
            if ordered and line["quantity"] != ordered:
                # a line's discount is its units' discount: units removed take theirs with them
                share = Decimal(line["quantity"]) / Decimal(ordered)
                line["total_discount"] = str(cents(to_decimal(line.get("total_discount")) * share))
        total = to_decimal(recompute_totals(edited))
        for key, value in edited.items():
            if key.startswith(("total_", "current_total", "current_subtotal", "subtotal_")):
                order[key] = value
        paid = sum(
            (
                to_decimal(t.get("amount"))
                for t in order.get("transactions") or []
                if t.get("kind") in ("sale", "capture") and t.get("status", "success") == "success"
            ),
            cents(0),
        )
        if order.get("financial_status") in ("paid", "partially_paid") and paid:
            order["financial_status"] = "paid" if paid >= total else "partially_paid"

    def order_edit_payload(self, resource_id):
        """The ``orders/edited`` body: the order's latest committed edit (``resource_id``: the
        order id) or the edit of that id."""
        rid = int(resource_id)
        if rid in self.order_edits:
            return {"order_edit": copy.deepcopy(self.order_edits[rid])}
        edits = [edit for edit in self.order_edits.values() if edit["order_id"] == rid]
        if not edits:
            raise KeyError(f"order {rid} has no committed edit")
        return {"order_edit": copy.deepcopy(edits[-1])}
