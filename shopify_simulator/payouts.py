"""Shopify Payments: a payouts account whose balance transactions settle order transactions.

A payout gathers the balance transactions not paid out yet: one CHARGE per
successful Shopify Payments sale or capture (its processing fee on it), one REFUND
per Shopify Payments refund transaction, and optionally a DISPUTE_WITHDRAWAL (chargeback,
with its fee) and an ADJUSTMENT. Each balance transaction's ``net`` is its
``amount`` less its ``fee``; the payout's ``net`` is the sum of those nets.
"""

import re

from .formatting import cents, gid, graphql_time, rest_money, to_decimal
from .pagination import check_page_size, connection
from .transaction_nodes import order_transactions, transaction_amount

GATEWAY = "shopify_payments"
SOURCE_TYPES = {"CHARGE": "CHARGE", "REFUND": "REFUND", "DISPUTE_WITHDRAWAL": "DISPUTE"}
FEE_RATE, FEE_FIXED, DISPUTE_FEE = to_decimal("0.029"), to_decimal("0.30"), to_decimal("15.00")


def ensure_payout_books(store):
    if not hasattr(store, "payouts"):
        store.payouts, store.balance_transactions = {}, {}


def _settled_transaction_ids(store):
    return {bt.get("source_order_transaction_id") for bt in store.balance_transactions.values()}


def _balance(
    store, payout_id, kind, amount, *, fee=0, order_id=None, transaction=None, reason=None
):
    bt_id = store.next_id()
    amount, fee = cents(to_decimal(amount)), cents(to_decimal(fee))
    store.balance_transactions[bt_id] = {
        "id": bt_id,
        "type": kind,
        "amount": rest_money(amount),
        "fee": rest_money(fee),
        "net": rest_money(amount - fee),
        "payout_id": payout_id,
        "order_id": order_id,
        "source_order_transaction_id": transaction and int(transaction["id"]),
        "source_type": SOURCE_TYPES.get(kind, "ADJUSTMENT"),
        "adjustment_reason": reason,
        "transaction_date": (transaction or {}).get("processed_at") or store.tick(),
    }
    return amount - fee


def seed_payout(store, dispute_order_id=None, dispute_amount=None, adjustment=None, status="PAID"):
    """Pay out every Shopify Payments transaction not paid out yet; return the payout (REST shape).

    ``dispute_order_id`` adds a chargeback on that order (``dispute_amount``, by default its
    total, with the dispute fee); ``adjustment`` a signed adjustment of the balance.
    """
    with store.lock:
        ensure_payout_books(store)
        payout_id, net = store.next_id(), cents(0)
        settled = _settled_transaction_ids(store)
        for order_id in list(store.orders):
            for rest in order_transactions(store, order_id):
                if rest.get("gateway") != GATEWAY or rest.get("status", "success") != "success":
                    continue
                if int(rest["id"]) in settled:
                    continue
                amount = to_decimal(transaction_amount(store, rest, order_id))
                if rest.get("kind") in ("sale", "capture"):
                    fee = cents(amount * FEE_RATE + FEE_FIXED)
                    net += _balance(
                        store,
                        payout_id,
                        "CHARGE",
                        amount,
                        fee=fee,
                        order_id=order_id,
                        transaction=rest,
                    )
                elif rest.get("kind") == "refund":
                    net += _balance(
                        store, payout_id, "REFUND", -amount, order_id=order_id, transaction=rest
                    )
        if dispute_order_id:
            order = store.orders[int(dispute_order_id)]
            amount = to_decimal(dispute_amount or order.get("total_price"))
            net += _balance(
                store,
                payout_id,
                "DISPUTE_WITHDRAWAL",
                -amount,
                fee=DISPUTE_FEE,
                order_id=int(dispute_order_id),
            )
        if adjustment:
            net += _balance(store, payout_id, "ADJUSTMENT", adjustment, reason="adjustment")
        store.payouts[payout_id] = {
            "id": payout_id,
            "status": status,
            "net": rest_money(net),
            "currency": store.currency,
            "issued_at": store.tick(),
        }
        return dict(store.payouts[payout_id])


class PayoutNodes:
    """Mixed into NodeFactory: the ``shopifyPaymentsAccount`` root field."""

    def shopify_payments_account(self):
        ensure_payout_books(self.store)
        return {
            "__typename": "ShopifyPaymentsAccount",
            "id": gid("ShopifyPaymentsAccount", self.store.shop_id),
            "activated": True,
            "payouts": self._payouts,
            "balanceTransactions": self._balance_transactions,
        }

    def _money(self, amount):
        return {"amount": rest_money(to_decimal(amount)), "currencyCode": self.currency}

    def payout(self, rest):
        return {
            "__typename": "ShopifyPaymentsPayout",
            "id": gid("ShopifyPaymentsPayout", rest["id"]),
            "legacyResourceId": str(rest["id"]),
            "issuedAt": graphql_time(rest["issued_at"]),
            "net": self._money(rest["net"]),
            "status": rest["status"],
            "transactionType": "DEPOSIT" if to_decimal(rest["net"]) >= 0 else "WITHDRAWAL",
        }

    def payout_by_id(self, payout_id):
        ensure_payout_books(self.store)
        rest = self.store.payouts.get(payout_id)
        return self.payout(rest) if rest else None

    def balance_transaction(self, rest):
        order = self.store.orders.get(int(rest["order_id"] or 0))
        payout = self.store.payouts.get(rest["payout_id"]) or {}
        return {
            "__typename": "ShopifyPaymentsBalanceTransaction",
            "id": gid("ShopifyPaymentsBalanceTransaction", rest["id"]),
            "type": rest["type"],
            "test": False,
            "amount": self._money(rest["amount"]),
            "fee": self._money(rest["fee"]),
            "net": self._money(rest["net"]),
            "sourceType": rest["source_type"],
            # BigInt: Shopify encodes it as a string
            "sourceId": _big_int(rest["source_order_transaction_id"]),
            "sourceOrderTransactionId": _big_int(rest["source_order_transaction_id"]),
            "adjustmentReason": rest["adjustment_reason"],
            "transactionDate": graphql_time(rest["transaction_date"]),
            "associatedOrder": {"id": gid("Order", order["id"]), "name": order.get("name")}
            if order
            else None,
            "associatedPayout": {
                "id": gid("ShopifyPaymentsPayout", rest["payout_id"])
                if rest["payout_id"]
                else None,
                "status": payout.get("status") or "PENDING",
            },
        }

    def _payouts(
        self, _info, first=None, after=None, last=None, before=None, reverse=False, **_filters
    ):
        check_page_size(first, last)
        entries = [(p, p, self.payout(rest)) for p, rest in sorted(self.store.payouts.items())]
        return connection(entries, first, after, last, before, reverse)

    def _balance_transactions(
        self,
        _info,
        first=None,
        after=None,
        last=None,
        before=None,
        reverse=False,
        query=None,
        **_sort,
    ):
        check_page_size(first, last)
        match = re.search(r"payout_id:(\d+)", query or "")
        wanted = int(match.group(1)) if match else None
        entries = [
            (b, b, self.balance_transaction(rest))
            for b, rest in sorted(self.store.balance_transactions.items())
            if wanted is None or rest["payout_id"] == wanted
        ]
        return connection(entries, first, after, last, before, reverse)


def _big_int(value):
    return None if value is None else str(value)
