"""GraphQL objects of returns: Return, its line items, reverse fulfillment orders, dispositions."""

from .formatting import gid, graphql_time, to_decimal
from .pagination import paged


class ReturnNodes:
    """Mixed into NodeFactory, with OrderNodes: uses ``order()``, ``refund()``, ``location()``..."""

    def return_node(self, rest):
        if not rest:
            return None
        oid = rest["order_id"]
        items = rest["return_line_items"]
        decline = rest.get("decline")
        return {
            "__typename": "Return",
            "id": gid("Return", rest["id"]),
            "name": rest["name"],
            "status": rest["status"],
            "createdAt": graphql_time(rest["created_at"]),
            "closedAt": graphql_time(rest.get("closed_at")),
            "requestApprovedAt": graphql_time(rest.get("request_approved_at")),
            "totalQuantity": sum(item["quantity"] for item in items),
            "decline": {"reason": decline["reason"], "note": decline.get("note")}
            if decline
            else None,
            "order": lambda _info: self.order(self.store.orders.get(oid)),
            "returnLineItems": paged(lambda: [self._return_line(oid, item) for item in items]),
            "reverseFulfillmentOrders": paged(
                lambda: [
                    self._reverse_fulfillment_order(oid, rfo)
                    for rfo in rest["reverse_fulfillment_orders"]
                ]
            ),
            "refunds": paged(
                lambda: [self.refund(self.store.refunds.get(rid)) for rid in rest["refund_ids"]]
            ),
            "exchangeLineItems": paged(
                lambda: [
                    self._exchange_line(oid, item) for item in rest.get("exchange_line_items") or []
                ]
            ),
        }

    def _exchange_line(self, oid, item):
        return {
            "__typename": "ExchangeLineItem",
            "id": gid("ExchangeLineItem", item["id"]),
            "quantity": item["quantity"],
            "processedQuantity": item["processed_quantity"],
            "unprocessedQuantity": item["quantity"] - item["processed_quantity"],
            "variantId": gid("ProductVariant", item["variant_id"]),
            "lineItems": [self._order_line(oid, line_id) for line_id in item["line_item_ids"]],
        }

    def _fulfillment_line_node(self, oid, fulfillment_line_item_id):
        fulfillment, line = self.store._fulfillment_line(fulfillment_line_item_id)
        if line is None:
            return None
        quantity = int(line.get("quantity") or 0)
        return {
            "__typename": "FulfillmentLineItem",
            "id": gid("FulfillmentLineItem", fulfillment_line_item_id),
            "quantity": quantity,
            "originalTotalSet": self.money(
                to_decimal(self._line_price(oid, line["id"])) * quantity
            ),
            "lineItem": self._order_line(oid, line["id"]),
        }

    def _return_line(self, oid, item):
        return {
            "__typename": "ReturnLineItem",
            "id": gid("ReturnLineItem", item["id"]),
            "quantity": item["quantity"],
            "processedQuantity": item["processed_quantity"],
            "unprocessedQuantity": item["quantity"] - item["processed_quantity"],
            "customerNote": item.get("customer_note"),
            "returnReasonNote": "",
            "fulfillmentLineItem": lambda _info: self._fulfillment_line_node(
                oid, item["fulfillment_line_item_id"]
            ),
        }

    def _reverse_fulfillment_order(self, oid, rfo):
        return {
            "__typename": "ReverseFulfillmentOrder",
            "id": gid("ReverseFulfillmentOrder", rfo["id"]),
            "status": rfo["status"],
            "order": lambda _info: self.order(self.store.orders.get(oid)),
            "lineItems": paged(
                lambda: [
                    {
                        "__typename": "ReverseFulfillmentOrderLineItem",
                        "id": gid("ReverseFulfillmentOrderLineItem", line["id"]),
                        "totalQuantity": line["quantity"],
                        "fulfillmentLineItem": lambda _info, line=line: self._fulfillment_line_node(
                            oid, line["fulfillment_line_item_id"]
                        ),
                        "dispositions": [
                            {
                                "__typename": "ReverseFulfillmentOrderDisposition",
                                "id": gid("ReverseFulfillmentOrderDisposition", d["id"]),
                                "createdAt": graphql_time(d["created_at"]),
                                "quantity": d["quantity"],
                                "type": d["type"],
                                "location": self.location(d["location_id"])
                                if d.get("location_id")
                                else None,
                            }
                            for d in line["dispositions"]
                        ],
                    }
                    for line in rfo["lines"]
                ]
            ),
        }
