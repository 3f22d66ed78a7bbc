"""Store credit: a refund to store credit and store credit spent on an order move the store's
store-credit liability account, never a bank or clearing account, once per Shopify transaction;
gift cards keep the journal of their gateway and its gift-card liability."""

from odoo.tests import tagged

from .accounting_common import make_account
from .test_accounting_refunds import unit_price
from .test_after_checkout import AfterCheckoutCase

GATEWAY = "shopify_store_credit"


@tagged("post_install", "-at_install")
class TestStoreCredit(AfterCheckoutCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store_credit = make_account(cls.env, "Store credit owed to customers", "liability_current", reconcile=True)
        # mapped to the gift-card journal on purpose: the payment's account is the store credit's all the same
        cls.env["shopify.gateway.mapping"].create(
            {"shop_id": cls.shop.id, "gateway": GATEWAY, "journal_id": cls.books.gift.id}
        )
        cls.shop.store_credit_account_id = cls.store_credit

    def balance(self, account, moves):
        return sum(moves.line_ids.filtered(lambda line: line.account_id == account).mapped("balance"))

    def test_refund_to_store_credit_books_the_liability_once(self):
        seeded, order = self.synced_paid_order()
        line = seeded["line_items"][0]
        refund = {
            "id": 6910001,
            "order_id": seeded["id"],
            "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "no_restock"}],
            "transactions": [{"kind": "refund", "status": "success", "gateway": GATEWAY, "amount": None}],
        }
        money_back = round(unit_price(line) * 1.06, 2)
        refund["transactions"][0]["amount"] = f"{money_back:.2f}"
        self.simulator.seed_refund(seeded["id"], refund)
        self.webhook("refunds/create", refund["id"], copies=2)
        self.perform_jobs()
        self.rerun("refund", refund["id"])
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        credit_note = self.bound("refund", refund["id"])
        self.assertEqual(self.credit_notes(order), credit_note, "one credit note")
        self.assertEqual(credit_note.state, "posted")
        payments = self.refund_payments(refund)
        self.assertEqual(len(payments), 1, "one store-credit payment")
        self.assertEqual(payments.payment_type, "outbound")
        self.assertAlmostEqual(payments.amount, money_back, places=2)
        self.assertAlmostEqual(self.balance(self.store_credit, payments.move_id), -money_back, places=2)
        accounts = payments.move_id.line_ids.account_id
        self.assertNotIn(self.books.clearing, accounts, "no money back through the card")
        self.assertNotIn(self.books.gift_liability, accounts, "store credit is not a gift card")
        self.assertEqual(credit_note.payment_state, "paid")
        moved = self.env["account.move.line"].search([("account_id", "=", self.store_credit.id)])
        self.assertEqual(moved.move_id, payments.move_id, "one move on the store-credit account")

    def test_order_paid_partly_with_store_credit(self):
        seeded = self.seed_order()
        total = float(seeded["total_price"])
        seeded["transactions"] = [
            {"kind": "sale", "status": "success", "gateway": GATEWAY, "amount": "15.00"},
            {"kind": "sale", "status": "success", "gateway": "shopify_payments", "amount": f"{total - 15:.2f}"},
        ]
        seeded = self.simulator.seed_order(seeded)
        self.webhook("orders/create", seeded["id"], copies=2)
        self.perform_jobs()
        self.sync("order_payments", seeded["id"])
        invoice = self.invoice_of(seeded["id"])
        self.assertEqual(invoice.state, "posted")
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 2, "one payment per transaction")
        credit = payments.filtered(lambda p: p.outstanding_account_id == self.store_credit)
        card = payments - credit
        self.assertEqual((credit.payment_type, credit.amount), ("inbound", 15.0))
        self.assertAlmostEqual(self.balance(self.store_credit, credit.move_id), 15.0, places=2)
        self.assertEqual(card.journal_id, self.books.card)
        self.assertAlmostEqual(card.amount, total - 15, places=2)
        self.assertEqual(invoice.payment_state, "paid")

    def test_store_credit_without_an_account_waits_for_it(self):
        self.shop.store_credit_account_id = False
        seeded = self.seed_order()
        total = float(seeded["total_price"])
        seeded["transactions"] = [
            {"kind": "sale", "status": "success", "gateway": GATEWAY, "amount": "10.00"},
            {"kind": "sale", "status": "success", "gateway": "shopify_payments", "amount": f"{total - 10:.2f}"},
        ]
        seeded = self.simulator.seed_order(seeded)
        self.webhook("orders/create", seeded["id"])
        self.perform_jobs()
        job = self.sync_job("order_payments", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("store-credit liability account", job.message)
        self.assertFalse(self.payments_of(seeded["id"]).filtered(lambda p: p.amount == 10.0))
        self.assertEqual(self.shop._check_readiness()["liabilities"], "red")
        self.shop.store_credit_account_id = self.store_credit
        self.assertEqual(self.shop._check_readiness()["liabilities"], "green")
        self.sync("order_payments", seeded["id"])
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 2)
        self.assertEqual(self.invoice_of(seeded["id"]).payment_state, "paid")
