"""Orders and what happens to them: fulfillment orders, fulfillments, refunds (REST shape)."""

import copy

from .formatting import cents, gid, rest_money, to_decimal
from .totals import recompute_totals

RESTOCKING = {"return", "cancel", "legacy_restock"}


class OrderActivity:
    """Mixed into Store: seeding orders, their fulfillment orders, fulfillments and refunds."""

    def seed_order(self, rest, detach=True):
        """``detach=False``: the store keeps ``rest`` itself and returns the stored record."""
        with self.lock:
            order = copy.deepcopy(rest) if detach else rest
            order.setdefault("id", self.next_id())
            oid = int(order["id"])
            previous = self.orders.get(oid)
            self._stamp(order, previous)
            order.setdefault("processed_at", order["created_at"])
            order.setdefault("currency", self.currency)
            order.setdefault("admin_graphql_api_id", gid("Order", oid))
            if not order.get("name"):
                number = order.get("order_number") or self.next_order_number()
                order["name"], order["order_number"] = f"#{number}", number
            customer = order.get("customer")
            if customer and customer.get("id") and int(customer["id"]) not in self.customers:
                self.seed_customer(customer)
            for line in order.get("line_items") or []:
                line.setdefault("id", self.next_id())
                line.setdefault("admin_graphql_api_id", gid("LineItem", line["id"]))
                for duty in line.get("duties") or []:
                    duty.setdefault("id", self.next_id())
            for fee in order.get("additional_fees") or []:
                fee.setdefault("id", self.next_id())
            for transaction in order.get("transactions") or []:
                transaction.setdefault("id", self.next_id())
                transaction.setdefault("status", "success")
                transaction.setdefault("processed_at", order["processed_at"])
                transaction.setdefault("created_at", transaction["processed_at"])
            if self._placed_for_tax_exempt_location(order):
                _remove_taxes(order)
            embedded_fulfillments = order.pop("fulfillments", None) or []
            embedded_refunds = order.pop("refunds", None) or []
            self.orders[oid] = order
            self.deleted.discard(("order", oid))
            self._sync_fulfillment_order(order)
            if previous is None and not order.get("cancelled_at"):
                self._commit(order)
            for fulfillment in embedded_fulfillments:
                if int(fulfillment.get("id") or 0) not in self.fulfillments:
                    self.seed_fulfillment(oid, fulfillment, bump_order=False, detach=detach)
            for refund in embedded_refunds:
                if int(refund.get("id") or 0) not in self.refunds:
                    self.seed_refund(oid, refund, bump_order=False, detach=detach)
            return copy.deepcopy(order) if detach else order

    def _placed_for_tax_exempt_location(self, order):
        """Whether a B2B order (REST ``company``: id, location_id) is for an exempt location."""
        placed_for = order.get("company") or {}
        company = self.companies.get(int(placed_for.get("id") or 0)) or {}
        location_id = int(placed_for.get("location_id") or 0)
        location = next(
            (loc for loc in company.get("locations") or [] if int(loc["id"]) == location_id), None
        )
        return bool(((location or {}).get("tax_settings") or {}).get("tax_exempt"))

    def _sync_fulfillment_order(self, order):
        """One fulfillment order per order, at the first location, mirroring its line items."""
        oid = int(order["id"])
        fo = next(iter(self.fulfillment_orders_of(oid)), None)
        if fo is None:
            fo_id = self.next_id()
            fo = {
                "id": fo_id,
                "order_id": oid,
                "status": "OPEN",
                # a point-of-sale order is handed over where it was taken
                "location_id": int(order.get("location_id") or 0) or self.first_location_id(),
                "created_at": order["created_at"],
                "updated_at": order["updated_at"],
                "lines": [],
            }
            self.fulfillment_orders[fo_id] = fo
            self._order_fulfillment_orders.setdefault(oid, []).append(fo)
        known = {line["line_item_id"] for line in fo["lines"]}
        for line in order.get("line_items") or []:
            if int(line["id"]) not in known and line.get("requires_shipping", True):
                quantity = int(line.get("quantity") or 0)
                fo["lines"].append(
                    {
                        "id": self.next_id(),
                        "line_item_id": int(line["id"]),
                        "total": quantity,
                        "remaining": quantity,
                    }
                )
        if order.get("cancelled_at"):
            fo["status"] = "CANCELLED"
        self._refresh_fulfillment_status(oid)

    def _refresh_fulfillment_status(self, order_id):
        order = self.orders[order_id]
        fulfillment_orders = self.fulfillment_orders_of(order_id)
        lines = [line for fo in fulfillment_orders for line in fo["lines"]]
        for fo in fulfillment_orders:
            if fo.get("holds") and fo["status"] not in ("CANCELLED", "CLOSED"):
                fo["status"] = "ON_HOLD"
            elif fo["status"] not in ("CANCELLED",):
                remaining = sum(line["remaining"] for line in fo["lines"])
                total = sum(line["total"] for line in fo["lines"])
                fo["status"] = (
                    "CLOSED"
                    if total and not remaining
                    else "IN_PROGRESS"
                    if remaining < total
                    else "OPEN"
                )
        remaining = sum(line["remaining"] for line in lines)
        total = sum(line["total"] for line in lines)
        if total and remaining == 0:
            order["fulfillment_status"] = "fulfilled"
        elif remaining < total:
            order["fulfillment_status"] = "partial"

    # -- risk and fulfillment holds ------------------------------------------------------
    def assess_order_risk(self, order_id, risk_level, recommendation=None, facts=()):
        """A new risk assessment on an order (as orderRiskAssessmentCreate or Shopify's own).

        The order's ``updated_at`` is left alone: the assessment is news of its own
        (orders/risk_assessment_changed), not an edit of the order. Returns that topic's body.
        """
        recommended = {"high": "cancel", "medium": "investigate", "pending": "none"}
        with self.lock:
            order = self.orders[int(order_id)]
            level = str(risk_level).lower()
            order.setdefault("risk_assessments", []).append(
                {"risk_level": level, "facts": [dict(f) for f in facts]}
            )
            order["risk_recommendation"] = recommendation or recommended.get(level, "accept")
            return {
                "order_id": str(order["id"]),
                "admin_graphql_api_order_id": gid("Order", order["id"]),
                "risk_level": level,
                "provider_id": None,
                "provider_title": None,
                "created_at": self.tick(),
            }

    def hold_fulfillment_order(self, order_id, reason="other", reason_notes=None):
        """Hold the order's (first) fulfillment order; return (fulfillment order id, hold)."""
        with self.lock:
            fo = self.fulfillment_orders_of(int(order_id))[0]
            hold = {"id": self.next_id(), "reason": reason, "reason_notes": reason_notes}
            fo.setdefault("holds", []).append(hold)
            fo["updated_at"] = self.tick()
            self._refresh_fulfillment_status(int(order_id))
            return fo["id"], copy.deepcopy(hold)

    def release_fulfillment_holds(self, order_id):
        """Release the holds of the order's fulfillment orders: [(fulfillment order id, hold)]."""
        with self.lock:
            released = []
            for fo in self.fulfillment_orders_of(int(order_id)):
                for hold in fo.pop("holds", None) or []:
                    fo.setdefault("released_holds", []).append(hold)
                    released.append((fo["id"], copy.deepcopy(hold)))
                if fo["status"] == "ON_HOLD":
                    fo["status"] = "OPEN"
                fo["updated_at"] = self.tick()
            self._refresh_fulfillment_status(int(order_id))
            return released

    def seed_fulfillment(self, order_id, rest, bump_order=True, detach=True):
        """``detach=False``: the store keeps ``rest`` itself and returns the stored record."""
        with self.lock:
            oid = int(order_id)
            order = self.orders[oid]
            fulfillment = copy.deepcopy(rest) if detach else rest
            fulfillment.setdefault("id", self.next_id())
            fid = int(fulfillment["id"])
            fulfillment["order_id"] = oid
            self._stamp(fulfillment, self.fulfillments.get(fid))
            fulfillment.setdefault("status", "success")
            fulfillment.setdefault("location_id", self.first_location_id())
            fulfillment.setdefault("admin_graphql_api_id", gid("Fulfillment", fid))
            if not fulfillment.get("name"):  # counted only when needed: a scan of every fulfillment
                count = sum(
                    1 for f in self.fulfillments.values() if f["order_id"] == oid and f["id"] != fid
                )
                fulfillment["name"] = f"{order.get('name')}.{count + 1}"
            if fulfillment.get("tracking_number") and not fulfillment.get("tracking_numbers"):
                fulfillment["tracking_numbers"] = [fulfillment["tracking_number"]]
            fulfillment.setdefault("tracking_numbers", [])
            fulfillment.setdefault(
                "tracking_number", (fulfillment["tracking_numbers"] or [None])[0]
            )
            fulfillment.setdefault("tracking_urls", [])
            fulfillment.setdefault("tracking_url", (fulfillment["tracking_urls"] or [None])[0])
            fulfillment.setdefault("tracking_company", None)
            for line in fulfillment.get("line_items") or []:
                line.setdefault("fulfillment_line_item_id", self.next_id())
            new = fid not in self.fulfillments
            self.fulfillments[fid] = fulfillment
            if new and fulfillment["status"] in ("success", "pending", "open"):
                self._consume_fulfillment_orders(oid, fulfillment.get("line_items") or [])
            if bump_order:
                order["updated_at"] = self.tick()
            self.deleted.discard(("fulfillment", fid))
            return copy.deepcopy(fulfillment) if detach else fulfillment

    def _consume_fulfillment_orders(self, order_id, line_items):
        order_lines = {
            int(line["id"]): line for line in self.orders[order_id].get("line_items") or []
        }
        for item in line_items:
            wanted = int(item.get("quantity") or 0)
            for fo in self.fulfillment_orders_of(order_id):
                for line in fo["lines"]:
                    if line["line_item_id"] == int(item["id"]) and wanted:
                        taken = min(line["remaining"], wanted)
                        line["remaining"] -= taken
                        wanted -= taken
                        self._ship(order_lines.get(line["line_item_id"]), fo["location_id"], taken)
                fo["updated_at"] = self.tick()
        self._refresh_fulfillment_status(order_id)

    # -- what orders do to stock: committed at checkout, gone from on hand when shipped ---
    def _tracked_level(self, line, location_id):
        """The level of a line's tracked variant at ``location_id``; None if untracked."""
        variant = self.variants.get(int((line or {}).get("variant_id") or 0))
        if not variant or variant.get("inventory_management", "shopify") != "shopify":
            return None
        return self.levels.get((int(variant["inventory_item_id"]), int(location_id or 0)))

    def _commit(self, order):
        """Checkout: a tracked line's quantity leaves available and is committed, as at Shopify."""
        for fo in self.fulfillment_orders_of(int(order["id"])):
            lines = {int(line["id"]): line for line in order.get("line_items") or []}
            for fo_line in fo["lines"]:
                level = self._tracked_level(lines.get(fo_line["line_item_id"]), fo["location_id"])
                if level is not None:
                    level["available"] -= fo_line["total"]
                    level["committed"] = level.get("committed", 0) + fo_line["total"]
                    level["updated_at"] = self.tick()

    def _ship(self, line, location_id, quantity):
        """A fulfillment: the committed quantity leaves on hand (available is unchanged)."""
        level = self._tracked_level(line, location_id)
        if level is not None and quantity:
            level["committed"] = max(level.get("committed", 0) - quantity, 0)
            level["updated_at"] = self.tick()

    def seed_refund(self, order_id, rest, bump_order=True, detach=True):
        """``detach=False``: the store keeps ``rest`` itself and returns the stored record."""
        with self.lock:
            oid = int(order_id)
            order = self.orders[oid]
            refund = copy.deepcopy(rest) if detach else rest
            refund.setdefault("id", self.next_id())
            rid = int(refund["id"])
            refund["order_id"] = oid
            refund.setdefault("created_at", self.tick())
            refund.setdefault("processed_at", refund["created_at"])
            refund.setdefault("admin_graphql_api_id", gid("Refund", rid))
            refund.setdefault("note", None)
            lines = {int(line["id"]): line for line in order.get("line_items") or []}
            for item in refund.setdefault("refund_line_items", []):
                item.setdefault("id", self.next_id())
                line_id = int(item.get("line_item_id") or (item.get("line_item") or {}).get("id"))
                item["line_item_id"] = line_id
                line = lines.get(line_id, {})
                item.setdefault("line_item", copy.deepcopy(line))
                item.setdefault("restock_type", "no_restock")
                item.setdefault(
                    "location_id",
                    self.first_location_id() if item["restock_type"] in RESTOCKING else None,
                )
                quantity = int(item.get("quantity") or 0)
                unit = line_unit_amounts(line)
                item.setdefault("subtotal", rest_money(unit[0] * quantity))
                item.setdefault("total_tax", rest_money(unit[1] * quantity))
                if rid not in self.refunds and not refund.get("return_id"):
                    # a return's refund: its units were restocked by their dispositions
                    self._remove_unshipped(oid, line, item, quantity)
                    self._restock(line, item, quantity)
            for transaction in refund.setdefault("transactions", []):
                transaction.setdefault("id", self.next_id())
                transaction.setdefault("kind", "refund")
                transaction.setdefault("status", "success")
                transaction.setdefault("created_at", refund["created_at"])
                transaction.setdefault("processed_at", refund["processed_at"])
            refund.setdefault("order_adjustments", [])
            self.refunds[rid] = refund
            refunded = sum(
                (
                    to_decimal(t.get("amount"))
                    for r in self.refunds.values()
                    if r["order_id"] == oid
                    for t in r["transactions"]
                    if t["kind"] == "refund" and t["status"] == "success"
                ),
                cents(0),
            )
            if refunded > 0:
                total = to_decimal(order.get("total_price"))
                order["financial_status"] = (
                    "refunded" if refunded >= total else "partially_refunded"
                )
            if bump_order:
                order["updated_at"] = self.tick()
            self.deleted.discard(("refund", rid))
            return copy.deepcopy(refund) if detach else refund

    def _fulfilled_quantity(self, order_id, line_id):
        return sum(
            int(fl.get("quantity") or 0)
            for f in self.fulfillments.values()
            if f["order_id"] == order_id and f.get("status") in ("success", "pending", "open")
            for fl in f.get("line_items") or []
            if int(fl["id"]) == line_id
        )

    def _remove_unshipped(self, order_id, line, item, quantity):
        """Refunded units Shopify will not ship leave the fulfillment order, and their commitment.

        As at Shopify: a line restocked as ``cancel``, or not restocked while nothing of it was
        fulfilled, is taken off the open fulfillment order (its total and remaining quantity);
        a ``return`` or a refund of shipped units leaves it as it is.
        """
        restock = item["restock_type"]
        line_id = int(item["line_item_id"])
        nothing_shipped = not self._fulfilled_quantity(order_id, line_id)
        if not (
            restock == "cancel" or (restock in ("no_restock", "legacy_restock") and nothing_shipped)
        ):
            return
        wanted = quantity
        for fo in self.fulfillment_orders_of(order_id):
            for fo_line in fo["lines"]:
                if fo_line["line_item_id"] == line_id and wanted:
                    taken = min(fo_line["remaining"], wanted)
                    fo_line["remaining"] -= taken
                    fo_line["total"] -= taken
                    wanted -= taken
                    self._ship(line, fo["location_id"], taken)  # no longer committed
                    fo["updated_at"] = self.tick()
        self._refresh_fulfillment_status(order_id)

    def cancel_order(self, order_id, reason="customer", refund=True, gateway="shopify_payments"):
        """Cancel an order as the Shopify admin does: what is not shipped is cancelled and
        restocked, and (``refund``) one refund gives back the money of the cancelled units, tax
        included.

        Returns ``(order, refund or None)`` (REST shapes). What was fulfilled stays fulfilled.
        """
        with self.lock:
            oid = int(order_id)
            order = self.orders[oid]
            if order.get("cancelled_at"):
                return copy.deepcopy(order), None  # Shopify cancels an order once
            remaining = {}
            for fo in self.fulfillment_orders_of(oid):
                for fo_line in fo["lines"]:
                    remaining[fo_line["line_item_id"]] = (
                        remaining.get(fo_line["line_item_id"], 0) + fo_line["remaining"]
                    )
            items, amount = [], cents(0)
            for line in order.get("line_items") or []:
                quantity = remaining.get(int(line["id"]), 0)
                if quantity:
                    unit, tax = line_unit_amounts(line)
                    items.append(
                        {"line_item_id": line["id"], "quantity": quantity, "restock_type": "cancel"}
                    )
                    amount += (unit + tax) * quantity
            refunded = None
            if refund and items:
                refunded = self.seed_refund(
                    oid,
                    {
                        "note": f"Order cancelled ({reason})",
                        "refund_line_items": items,
                        "transactions": [
                            {
                                "kind": "refund",
                                "status": "success",
                                "gateway": gateway,
                                "amount": rest_money(amount),
                            }
                        ],
                    },
                    bump_order=False,
                )
            else:
                lines = {int(line["id"]): line for line in order.get("line_items") or []}
                for item in items:
                    line = lines[int(item["line_item_id"])]
                    item["location_id"] = self.first_location_id()
                    self._remove_unshipped(oid, line, item, item["quantity"])
                    self._restock(line, item, item["quantity"])
            order["cancelled_at"] = self.tick()
            order["cancel_reason"] = reason
            order["updated_at"] = order["cancelled_at"]
            for fo in self.fulfillment_orders_of(oid):
                shipped = any(line["total"] for line in fo["lines"])
                fo["status"] = "CLOSED" if shipped else "CANCELLED"
            return copy.deepcopy(order), refunded

    def _restock(self, line, item, quantity):
        variant = self.variants.get(int(line.get("variant_id") or 0))
        if variant and item["restock_type"] in RESTOCKING and quantity:
            key = (int(variant["inventory_item_id"]), int(item["location_id"]))
            level = self.levels.get(key) or self._level(*key, 0)
            level["available"] += quantity
            level["updated_at"] = self.tick()


def line_unit_amounts(line):
    """(discounted unit price, unit tax) of a REST line item, for refunds."""
    quantity = int(line.get("quantity") or 0) or 1
    price = to_decimal(line.get("price"))
    discount = to_decimal(line.get("total_discount")) / quantity
    tax = (
        sum((to_decimal(t.get("price")) for t in line.get("tax_lines") or []), cents(0)) / quantity
    )
    return price - discount, tax


def _remove_taxes(order):
    """Shopify charges a tax-exempt company location no tax: no tax lines, totals without them."""
    if not any(
        line.get("tax_lines")
        for line in (order.get("line_items") or [])
        + (order.get("shipping_lines") or [])
        + (order.get("additional_fees") or [])
    ) and not order.get("tax_lines"):
        return
    for line in (
        (order.get("line_items") or [])
        + (order.get("shipping_lines") or [])
        + (order.get("additional_fees") or [])
    ):
        line["tax_lines"] = []
    order["tax_lines"] = []
    order["taxes_included"] = False
    recompute_totals(order)
