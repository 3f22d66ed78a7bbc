"""Returns and what happens to them (REST-like shape): requested, approved (a reverse fulfillment
order), declined, cancelled, processed (dispositions, restock, a refund) and closed.

As at Shopify: only fulfilled units can be returned; a request is approved or declined; an open
return is processed item by item, each processed unit disposed (RESTOCKED at a location, or
NOT_RESTOCKED, MISSING, PROCESSING_REQUIRED); a return whose units are all processed closes. Each
change queues the webhook Shopify sends (``take_webhooks``).
"""

import copy

from .formatting import rest_money
from .order_store import line_unit_amounts

DISPOSITIONS = {"MISSING", "NOT_RESTOCKED", "PROCESSING_REQUIRED", "RESTOCKED"}


class ReturnError(ValueError):
    """A return mutation Shopify would refuse: ``field``, ``code`` and the message."""

    def __init__(self, message, code="INVALID", field=None):
        super().__init__(message)
        self.code, self.field = code, field


class ReturnActivity:
    """Mixed into Store, after OrderActivity."""

    def _fulfillment_line(self, fulfillment_line_item_id):
        """(fulfillment, its line) of a fulfillment line item id, or (None, None)."""
        for fulfillment in self.fulfillments.values():
            for line in fulfillment.get("line_items") or []:
                if int(line.get("fulfillment_line_item_id") or 0) == int(fulfillment_line_item_id):
                    return fulfillment, line
        return None, None

    def _returned_quantity(self, fulfillment_line_item_id, but=None):
        return sum(
            int(item["quantity"])
            for ret in self.returns.values()
            if ret["id"] != but and ret["status"] not in ("DECLINED", "CANCELED")
            for item in ret["return_line_items"]
            if item["fulfillment_line_item_id"] == int(fulfillment_line_item_id)
        )

    def _queue(self, topic, resource_id):
        self.webhook_outbox.append((topic, int(resource_id)))

    def request_return(self, order_id, items, approve=False, exchange=None):
        """A customer's return request (``returnRequest``), approved at once with ``approve``.

        ``items``: ``[{"fulfillment_line_item_id", "quantity", "return_reason", "customer_note"}]``;
        ``exchange``: ``[{"variant_id", "quantity"}]``, the items sent in exchange (exchange line
        items: each becomes a line item of the order once processed).
        """
        with self.lock:
            oid = int(order_id)
            order = self.orders.get(oid)
            if order is None:
                raise ReturnError("Order does not exist.", "NOT_FOUND", ["input", "orderId"])
            if not items:
                raise ReturnError(
                    "Return line items can't be blank.", "BLANK", ["input", "returnLineItems"]
                )
            rid = self.next_id()
            lines = []
            for index, item in enumerate(items):
                fulfillment, line = self._fulfillment_line(item["fulfillment_line_item_id"])
                field = ["input", "returnLineItems", str(index), "quantity"]
                if fulfillment is None or fulfillment["order_id"] != oid:
                    raise ReturnError("Fulfillment line item does not exist.", "NOT_FOUND", field)
                quantity = int(item["quantity"])
                left = int(line.get("quantity") or 0) - self._returned_quantity(
                    item["fulfillment_line_item_id"]
                )
                if quantity < 1 or quantity > left:
                    raise ReturnError(f"Quantity must be between 1 and {left}.", "INVALID", field)
                lines.append(
                    {
                        "id": self.next_id(),
                        "fulfillment_line_item_id": int(item["fulfillment_line_item_id"]),
                        "line_item_id": int(line["id"]),
                        "quantity": quantity,
                        "processed_quantity": 0,
                        "return_reason": item.get("return_reason") or "UNKNOWN",
                        "customer_note": item.get("customer_note"),
                    }
                )
            count = sum(1 for ret in self.returns.values() if ret["order_id"] == oid)
            now = self.tick()
            ret = {
                "id": rid,
                "order_id": oid,
                "name": f"{order.get('name')}-R{count + 1}",
                "status": "REQUESTED",
                "created_at": now,
                "updated_at": now,
                "closed_at": None,
                "request_approved_at": None,
                "decline": None,
                "return_line_items": lines,
                "exchange_line_items": [
                    {
                        "id": self.next_id(),
                        "variant_id": int(item["variant_id"]),
                        "quantity": int(item["quantity"]),
                        "processed_quantity": 0,
                        "line_item_ids": [],
                    }
                    for item in exchange or []
                ],
                "reverse_fulfillment_orders": [],
                "refund_ids": [],
            }
            self.returns[rid] = ret
            order["updated_at"] = self.tick()
            self._queue("returns/request", rid)
            if approve:
                self.approve_return(rid)
            return copy.deepcopy(ret)

    def _return(self, return_id, *statuses):
        ret = self.returns.get(int(return_id))
        if ret is None:
            raise ReturnError("Return does not exist.", "NOT_FOUND", ["id"])
        if statuses and ret["status"] not in statuses:
            raise ReturnError(f"Return is {ret['status'].lower()}.", "INVALID_STATE", ["id"])
        return ret

    def _touch_return(self, ret, topic):
        ret["updated_at"] = self.tick()
        self.orders[ret["order_id"]]["updated_at"] = ret["updated_at"]
        self._queue(topic, ret["id"])
        return copy.deepcopy(ret)

    def approve_return(self, return_id):
        """``returnApproveRequest``: the return opens, with one reverse fulfillment order."""
        with self.lock:
            ret = self._return(return_id, "REQUESTED")
            ret["status"] = "OPEN"
            ret["request_approved_at"] = self.tick()
            ret["reverse_fulfillment_orders"].append(
                {
                    "id": self.next_id(),
                    "status": "OPEN",
                    "lines": [
                        {
                            "id": self.next_id(),
                            "return_line_item_id": item["id"],
                            "fulfillment_line_item_id": item["fulfillment_line_item_id"],
                            "quantity": item["quantity"],
                            "dispositions": [],
                        }
                        for item in ret["return_line_items"]
                    ],
                }
            )
            return self._touch_return(ret, "returns/approve")

    def decline_return(self, return_id, reason="OTHER", note=None):
        with self.lock:
            ret = self._return(return_id, "REQUESTED")
            ret["status"], ret["decline"] = "DECLINED", {"reason": reason, "note": note}
            return self._touch_return(ret, "returns/decline")

    def cancel_return(self, return_id):
        with self.lock:
            ret = self._return(return_id, "REQUESTED", "OPEN")
            if any(item["processed_quantity"] for item in ret["return_line_items"]):
                raise ReturnError(
                    "A return with processed items can't be canceled.", "INVALID_STATE", ["id"]
                )
            ret["status"] = "CANCELED"
            for rfo in ret["reverse_fulfillment_orders"]:
                rfo["status"] = "CANCELED"
            return self._touch_return(ret, "returns/cancel")

    def close_return(self, return_id, queue=True):
        with self.lock:
            ret = self._return(return_id, "OPEN")
            ret["status"], ret["closed_at"] = "CLOSED", self.tick()
            for rfo in ret["reverse_fulfillment_orders"]:
                rfo["status"] = "CLOSED"
            return self._touch_return(ret, "returns/close") if queue else copy.deepcopy(ret)

    def process_return(self, return_id, lines, refund=None, note=None, exchange=None, charge=None):
        """``returnProcess``: ``lines`` ``[{"id": return line item id, "quantity", "dispositions":
        [{"type", "quantity", "location_id"}]}]``; ``refund``: ``[{"parent_id": transaction id,
        "amount"}]`` refunds that money (one Refund of the processed units, restock type RETURN);
        ``exchange``: ``[{"id": exchange line item id, "quantity"}]``, the exchange items processed:
        each becomes a new line item of the order. As at Shopify the refund is net of the
        exchange: the caller gives the money actually refunded; ``charge``: ``{"gateway",
        "amount"}``, what the customer pays when the exchange is worth more (a sale on the order).

        A return whose units are all processed closes.
        """
        with self.lock:
            ret = self._return(return_id, "OPEN")
            items = {item["id"]: item for item in ret["return_line_items"]}
            rfo_lines = {
                line["return_line_item_id"]: line
                for rfo in ret["reverse_fulfillment_orders"]
                for line in rfo["lines"]
            }
            for index, line in enumerate(lines):
                field = ["input", "returnLineItems", str(index)]
                item = items.get(int(line["id"]))
                if item is None:
                    raise ReturnError(
                        "Return line item does not exist.", "NOT_FOUND", [*field, "id"]
                    )
                quantity = int(line["quantity"])
                if quantity < 1 or quantity > item["quantity"] - item["processed_quantity"]:
                    raise ReturnError(
                        "Quantity exceeds the unprocessed quantity.",
                        "INVALID",
                        [*field, "quantity"],
                    )
                for disposition in line.get("dispositions") or []:
                    if disposition["type"] not in DISPOSITIONS:
                        raise ReturnError(
                            "Disposition type is invalid.", "INVALID", [*field, "dispositions"]
                        )
                    if disposition["type"] == "RESTOCKED" and not disposition.get("location_id"):
                        raise ReturnError(
                            "Location is required to restock.", "BLANK", [*field, "dispositions"]
                        )
                if sum(int(d["quantity"]) for d in line.get("dispositions") or []) > quantity:
                    raise ReturnError(
                        "Disposed quantity exceeds the processed quantity.", "INVALID", field
                    )
            order = self.orders[ret["order_id"]]
            order_lines = {int(li["id"]): li for li in order.get("line_items") or []}
            refund_items = []
            for line in lines:
                item = items[int(line["id"])]
                quantity = int(line["quantity"])
                item["processed_quantity"] += quantity
                for disposition in line.get("dispositions") or []:
                    rfo_lines[item["id"]]["dispositions"].append(
                        {
                            "id": self.next_id(),
                            "type": disposition["type"],
                            "quantity": int(disposition["quantity"]),
                            "location_id": disposition.get("location_id"),
                            "created_at": self.tick(),
                        }
                    )
                    if disposition["type"] == "RESTOCKED":
                        self._restock(
                            order_lines.get(item["line_item_id"], {}),
                            {"restock_type": "return", "location_id": disposition["location_id"]},
                            int(disposition["quantity"]),
                        )
                refund_items.append((item, quantity))
            self._process_exchange(ret, order, exchange or [])
            if charge:
                order.setdefault("transactions", []).append(
                    {
                        "id": self.next_id(),
                        "kind": "sale",
                        "status": "success",
                        "gateway": charge.get("gateway") or "shopify_payments",
                        "amount": rest_money(charge["amount"]),
                        "processed_at": self.tick(),
                        "created_at": self.tick(),
                    }
                )
            if refund or (exchange and refund_items):
                self._refund_return(ret, order_lines, refund_items, refund or [], note)
            self._touch_return(ret, "returns/process")
            for rfo in ret["reverse_fulfillment_orders"]:
                self._queue("reverse_fulfillment_orders/dispose", rfo["id"])
            if all(
                item["processed_quantity"] >= item["quantity"] for item in ret["return_line_items"]
            ):
                self.close_return(ret["id"])
            return copy.deepcopy(ret)

    def _process_exchange(self, ret, order, exchange):
        """The processed exchange items become new line items of the order (its totals follow)."""
        items = {item["id"]: item for item in ret.get("exchange_line_items") or []}
        for index, entry in enumerate(exchange):
            item = items.get(int(entry["id"]))
            field = ["input", "exchangeLineItems", str(index)]
            if item is None:
                raise ReturnError("Exchange line item does not exist.", "NOT_FOUND", [*field, "id"])
            quantity = int(entry["quantity"])
            if quantity < 1 or quantity > item["quantity"] - item["processed_quantity"]:
                raise ReturnError(
                    "Quantity exceeds the unprocessed quantity.", "INVALID", [*field, "quantity"]
                )
        for entry in exchange:
            item = items[int(entry["id"])]
            line = self._new_line(order, item["variant_id"], int(entry["quantity"]))
            order.setdefault("line_items", []).append(line)
            item["line_item_ids"].append(line["id"])
            item["processed_quantity"] += int(entry["quantity"])

    def _refund_return(self, ret, order_lines, refund_items, refund, note):
        transactions = []
        for entry in refund:
            parent = next(
                (
                    t
                    for t in self.orders[ret["order_id"]].get("transactions") or []
                    if int(t["id"]) == int(entry["parent_id"])
                ),
                {},
            )
            transactions.append(
                {
                    "kind": "refund",
                    "status": "success",
                    "gateway": parent.get("gateway") or "shopify_payments",
                    "parent_id": entry["parent_id"],
                    "amount": rest_money(entry["amount"]),
                }
            )
        items = []
        for item, quantity in refund_items:
            unit, tax = line_unit_amounts(order_lines.get(item["line_item_id"], {}))
            items.append(
                {
                    "line_item_id": item["line_item_id"],
                    "quantity": quantity,
                    "restock_type": "return",
                    "subtotal": rest_money(unit * quantity),
                    "total_tax": rest_money(tax * quantity),
                }
            )
        refund = self.seed_refund(
            ret["order_id"],
            {
                "return_id": ret["id"],
                "note": note,
                "refund_line_items": items,
                "transactions": transactions,
            },
        )
        ret["refund_ids"].append(int(refund["id"]))
        self._queue("refunds/create", refund["id"])
