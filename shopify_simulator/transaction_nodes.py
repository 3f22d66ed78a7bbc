"""GraphQL objects of order transactions (REST ``transactions`` of an order or a refund).

An order keeps its payment transactions under ``transactions`` (REST shape: ``id``,
``kind``, ``status``, ``gateway``, ``amount``, ``parent_id``, ``processed_at``); a
refund keeps its refund transactions the same way. ``Order.transactions`` lists both,
as Shopify does.
"""

from .formatting import enum_value, gid, graphql_time, money_bag

TRANSACTION_KINDS = {
    "AUTHORIZATION",
    "CAPTURE",
    "CHANGE",
    "EMV_AUTHORIZATION",
    "REFUND",
    "SALE",
    "SUGGESTED_REFUND",
    "VOID",
}
TRANSACTION_STATUSES = {"AWAITING_RESPONSE", "ERROR", "FAILURE", "PENDING", "SUCCESS", "UNKNOWN"}


def order_transactions(store, order_id):
    """Every REST transaction of an order: its payments, then its refunds' transactions."""
    order = store.orders.get(int(order_id)) or {}
    found = list(order.get("transactions") or [])
    for refund in store.refunds.values():
        if refund["order_id"] == int(order_id):
            found += refund.get("transactions") or []
    return found


def transaction_amount(store, rest, order_id):
    """A transaction's amount; a sale or capture seeded without one is for the order's total."""
    if rest.get("amount") is not None:
        return rest["amount"]
    return (store.orders.get(int(order_id)) or {}).get("total_price")


def find_transaction(store, transaction_id):
    """(REST transaction, order id) of a transaction id, or (None, None)."""
    for order_id in list(store.orders):
        for rest in order_transactions(store, order_id):
            if int(rest["id"]) == int(transaction_id):
                return rest, order_id
    return None, None


def transaction_payload(store, transaction_id):
    """The REST body of an ``order_transactions/create`` webhook."""
    rest, order_id = find_transaction(store, transaction_id)
    return {
        "id": int(rest["id"]),
        "order_id": int(order_id),
        "kind": rest.get("kind") or "sale",
        "status": rest.get("status") or "success",
        "gateway": rest.get("gateway"),
        "amount": str(transaction_amount(store, rest, order_id)),
        "currency": store.currency,
        "parent_id": rest.get("parent_id"),
        "processed_at": rest.get("processed_at"),
        "created_at": rest.get("created_at"),
        "admin_graphql_api_id": gid("OrderTransaction", rest["id"]),
    }


class TransactionNodes:
    """Mixed into NodeFactory: uses ``store``, ``money()`` and ``order()``."""

    def transaction(self, rest, order_id):
        if not rest:
            return None
        parent_id = rest.get("parent_id")
        return {
            "__typename": "OrderTransaction",
            "id": gid("OrderTransaction", rest["id"]),
            "kind": enum_value(rest.get("kind"), TRANSACTION_KINDS, "SALE"),
            "status": enum_value(rest.get("status"), TRANSACTION_STATUSES, "SUCCESS"),
            "gateway": rest.get("gateway"),
            "formattedGateway": (rest.get("gateway") or "").replace("_", " ").title() or None,
            "test": bool(rest.get("test")),
            # ``currency`` on a seeded transaction: a shop-money currency other than the store's
            "amountSet": self._transaction_money(rest, order_id),
            "processedAt": graphql_time(rest.get("processed_at")),
            "createdAt": graphql_time(rest.get("created_at")),
            "order": lambda _info: self.order(self.store.orders.get(int(order_id))),
            "parentTransaction": lambda _info: self.transaction_by_id(parent_id)
            if parent_id
            else None,
        }

    def _transaction_money(self, rest, order_id):
        amount = transaction_amount(self.store, rest, order_id)
        if rest.get("currency"):
            return money_bag(amount, rest["currency"])
        return self.money(amount, self.store.orders.get(int(order_id)))

    def transaction_by_id(self, transaction_id):
        rest, order_id = find_transaction(self.store, transaction_id)
        return self.transaction(rest, order_id)

    def order_transaction_list(self, order_id):
        return [
            self.transaction(rest, order_id) for rest in order_transactions(self.store, order_id)
        ]
