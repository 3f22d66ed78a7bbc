"""GraphQL objects of refunds: refund line items, refunded shipping, refund transactions."""

from .formatting import enum_value, gid, graphql_time, to_decimal
from .order_nodes import sum_decimal
from .pagination import paged

RESTOCK_TYPES = {"CANCEL", "LEGACY_RESTOCK", "NO_RESTOCK", "RETURN"}
DISCREPANCY_REASONS = {
    "CUSTOMER",
    "DAMAGE",
    "FULL_RETURN_BALANCING_ADJUSTMENT",
    "PENDING_REFUND_DISCREPANCY",
    "REFUND_DISCREPANCY",
    "RESTOCK",
}


class RefundNodes:
    """Mixed into NodeFactory, with OrderNodes: uses ``order()``, ``line_item()``, ``money()``..."""

    def refund(self, rest):
        if not rest:
            return None
        rid, oid = int(rest["id"]), rest["order_id"]
        order = self.store.orders.get(oid)  # its presentment currency: the refund's too
        transactions = rest.get("transactions") or []
        total = sum_decimal(
            t.get("amount")
            for t in transactions
            if t.get("kind") == "refund" and t.get("status") == "success"
        )
        return {
            "__typename": "Refund",
            "id": gid("Refund", rid),
            "legacyResourceId": str(rid),
            "createdAt": graphql_time(rest.get("created_at")),
            "processedAt": graphql_time(rest.get("processed_at") or rest.get("created_at")),
            "updatedAt": graphql_time(rest.get("processed_at") or rest.get("created_at")),
            "note": rest.get("note"),
            "order": lambda _info: self.order(self.store.orders.get(oid)),
            "totalRefundedSet": self.money(total, order),
            "refundLineItems": paged(
                lambda: [self._refund_line(oid, item) for item in rest["refund_line_items"]]
            ),
            "refundShippingLines": paged(lambda: self._refund_shipping(rest)),
            "transactions": paged(lambda: [self.transaction(t, oid) for t in transactions]),
            "orderAdjustments": paged(lambda: self._order_adjustments(rest, order)),
            "return": lambda _info: self.return_node(self.store.returns.get(rest.get("return_id"))),
        }

    def _order_adjustments(self, rest, order=None):
        """Adjustments other than shipping refunds (those are refund shipping lines)."""
        return [
            {
                "__typename": "OrderAdjustment",
                "id": gid("OrderAdjustment", adjustment.get("id") or index),
                "amountSet": self.money(adjustment.get("amount"), order),
                "taxAmountSet": self.money(adjustment.get("tax_amount") or "0.00", order),
                "reason": enum_value(
                    adjustment.get("kind"), DISCREPANCY_REASONS, "REFUND_DISCREPANCY"
                ),
            }
            for index, adjustment in enumerate(rest.get("order_adjustments") or [], start=1)
            if adjustment.get("kind") != "shipping_refund"
        ]

    def _refund_line(self, order_id, item):
        restock = enum_value(item.get("restock_type"), RESTOCK_TYPES, "NO_RESTOCK")
        line = item.get("line_item") or {}
        order = self.store.orders.get(order_id)
        return {
            "id": gid("RefundLineItem", item["id"]),
            "quantity": int(item.get("quantity") or 0),
            "restockType": restock,
            "restocked": restock != "NO_RESTOCK",
            "lineItem": self._order_line(order_id, item["line_item_id"])
            or self.line_item(line, {"id": order_id}),
            "location": self.location(item.get("location_id")) if item.get("location_id") else None,
            "priceSet": self.money(line.get("price"), order),
            "subtotalSet": self.money(item.get("subtotal"), order),
            "totalTaxSet": self.money(item.get("total_tax"), order),
        }

    def _refund_shipping(self, rest):
        order = self.store.orders.get(rest["order_id"]) or {}
        shipping_lines = {int(s["id"]): s for s in order.get("shipping_lines") or [] if s.get("id")}
        first = next(iter(shipping_lines.values()), {"title": "Shipping", "price": "0.00"})
        result = []
        for index, line in enumerate(rest.get("refund_shipping_lines") or [], start=1):
            shipping = (
                shipping_lines.get(int(line.get("shipping_line_id") or 0))
                or line.get("shipping_line")
                or first
            )
            subtotal = (line.get("subtotal_amount_set") or {}).get("shop_money", {}).get("amount")
            tax = (line.get("tax_amount_set") or {}).get("shop_money", {}).get("amount")
            result.append(
                self._refund_shipping_node(line.get("id") or index, shipping, subtotal, tax, order)
            )
        for index, adjustment in enumerate(rest.get("order_adjustments") or [], start=1):
            if adjustment.get("kind") == "shipping_refund":
                amount = -to_decimal(adjustment.get("amount"))
                tax = -to_decimal(adjustment.get("tax_amount"))
                result.append(
                    self._refund_shipping_node(
                        adjustment.get("id") or index, first, amount, tax, order
                    )
                )
        return result

    def _refund_shipping_node(self, node_id, shipping, subtotal, tax, order=None):
        return {
            "__typename": "RefundShippingLine",
            "id": gid("RefundShippingLine", node_id),
            "shippingLine": self.shipping_line(shipping, order),
            "subtotalAmountSet": self.money(subtotal, order),
            "taxAmountSet": self.money(tax, order),
        }
