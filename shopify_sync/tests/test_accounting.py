from odoo.tests import tagged

from .accounting_common import setup_accounting
from .common import ShopifyTransactionCase


class AccountingMixin:
    def invoice_of(self, order_id):
        return self.env["shopify.invoice.binding"]._record(self.shop, order_id)

    def payments_of(self, order_id):
        bindings = self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("order_shopify_id", "=", str(order_id))]
        )
        return bindings.odoo_id

    def paid_order(self, transactions=None, **overrides):
        seeded = self.seed_order(**overrides)
        if transactions is not None:
            seeded["transactions"] = transactions(seeded)
            seeded = self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        return seeded


@tagged("post_install", "-at_install")
class TestInvoicesAndPayments(AccountingMixin, ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)

    def test_paid_order_one_invoice_one_payment(self):
        seeded = self.paid_order()
        order = self.bound("order", seeded["id"])
        invoice = self.invoice_of(seeded["id"])
        self.assertEqual(order.invoice_ids, invoice)
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(invoice.amount_total, float(seeded["total_price"]), places=2)
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 1)
        self.assertEqual(payments.journal_id, self.books.card)
        self.assertAlmostEqual(payments.amount, float(seeded["total_price"]), places=2)
        self.assertEqual(invoice.payment_state, "paid")
        # again, and through every path: nothing new
        self.sync("order", seeded["id"])
        self.sync("order_payments", seeded["id"])
        self.perform_jobs()
        self.assertEqual(order.invoice_ids, invoice)
        self.assertEqual(self.payments_of(seeded["id"]), payments)
