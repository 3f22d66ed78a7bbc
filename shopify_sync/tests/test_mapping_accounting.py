"""Pure mapping of Shopify money: which transactions are payments, refunds, balance transactions."""

import unittest
from decimal import Decimal

from ..mapping import accounting as amap


def _tx(tid, kind, status="SUCCESS", amount="10.00", gateway="shopify_payments", parent=None):
    return {
        "id": f"gid://shopify/OrderTransaction/{tid}",
        "kind": kind,
        "status": status,
        "gateway": gateway,
        "amountSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"}},
        "processedAt": "2026-11-25T10:00:00Z",
        "parentTransaction": {"id": f"gid://shopify/OrderTransaction/{parent}"} if parent else None,
    }


class TestTransactions(unittest.TestCase):
    def test_only_successful_sales_and_captures_are_payments(self):
        found = amap.payments(
            [
                _tx(1, "AUTHORIZATION", amount="50.00"),
                _tx(2, "CAPTURE", amount="20.00", parent=1),
                _tx(3, "CAPTURE", status="FAILURE", amount="30.00", parent=1),
                _tx(4, "VOID", amount="0.00", parent=1),
                _tx(5, "SALE", status="PENDING"),
                _tx(6, "SALE", gateway="gift_card", amount="5.00"),
                _tx(7, "REFUND"),
            ]
        )
        self.assertEqual([(t["id"], t["amount"]) for t in found], [("2", Decimal("20.00")), ("6", Decimal("5.00"))])
        self.assertEqual(found[0]["parent_id"], "1")
        self.assertEqual(found[1]["gateway"], "gift_card")

    def test_refunded_total_counts_successful_refunds_only(self):
        nodes = [_tx(1, "REFUND", amount="12.50"), _tx(2, "REFUND", status="FAILURE"), _tx(3, "SALE")]
        self.assertEqual(amap.refunded_total(nodes), Decimal("12.50"))
        self.assertEqual([t["id"] for t in amap.refunds(nodes)], ["1"])

    def test_differs_within_the_tolerance(self):
        self.assertFalse(amap.differs(100.03, Decimal("100.00"), 0.05))
        self.assertTrue(amap.differs(100.06, Decimal("100.00"), 0.05))
        self.assertTrue(amap.differs(421.88, Decimal("209.00"), 0.05))
        self.assertFalse(amap.differs(10.0, Decimal("10.00"), 0))


class TestBalanceTransactions(unittest.TestCase):
    def test_charge_values(self):
        balance = amap.balance_transaction(
            {
                "id": "gid://shopify/ShopifyPaymentsBalanceTransaction/91",
                "type": "CHARGE",
                "amount": {"amount": "100.00", "currencyCode": "USD"},
                "fee": {"amount": "3.20", "currencyCode": "USD"},
                "net": {"amount": "96.80", "currencyCode": "USD"},
                "sourceOrderTransactionId": "5551",
                "associatedOrder": {"id": "gid://shopify/Order/77", "name": "#1001"},
                "transactionDate": "2026-11-25T10:00:00Z",
            }
        )
        self.assertEqual((balance["id"], balance["transaction_id"], balance["order_id"]), ("91", "5551", "77"))
        self.assertEqual(balance["amount"] - balance["fee"], balance["net"])
        self.assertTrue(amap.settles_payment(balance))
        self.assertFalse(amap.settles_payment(dict(balance, type="DISPUTE_WITHDRAWAL")))
