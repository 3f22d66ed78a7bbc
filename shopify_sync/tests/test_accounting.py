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

    def test_split_tender_two_payments_two_journals(self):
        def split(seeded):
            total = float(seeded["total_price"])
            return [
                {"kind": "sale", "status": "success", "gateway": "gift_card", "amount": "20.00"},
                {"kind": "sale", "status": "success", "gateway": "shopify_payments", "amount": f"{total - 20:.2f}"},
            ]

        seeded = self.paid_order(split)
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 2)
        self.assertEqual(payments.journal_id, self.books.card | self.books.gift)
        gift = payments.filtered(lambda p: p.journal_id == self.books.gift)
        self.assertAlmostEqual(gift.amount, 20.0, places=2)
        # the gift card used reduces the gift-card liability
        self.assertIn(self.books.gift_liability, gift.move_id.line_ids.account_id)
        self.assertEqual(self.invoice_of(seeded["id"]).payment_state, "paid")

    def test_authorization_partial_then_final_capture(self):
        def captures(seeded, final=False):
            total = float(seeded["total_price"])
            auth = {
                "id": 8800001,
                "kind": "authorization",
                "status": "success",
                "gateway": "shopify_payments",
                "amount": f"{total:.2f}",
            }
            found = [
                auth,
                {
                    "id": 8800002,
                    "kind": "capture",
                    "status": "success",
                    "gateway": "shopify_payments",
                    "amount": "30.00",
                    "parent_id": 8800001,
                },
                {
                    "id": 8800003,
                    "kind": "capture",
                    "status": "failure",
                    "gateway": "shopify_payments",
                    "amount": "30.00",
                    "parent_id": 8800001,
                },
            ]
            if final:
                found.append(
                    {
                        "id": 8800004,
                        "kind": "capture",
                        "status": "success",
                        "gateway": "shopify_payments",
                        "amount": f"{total - 30:.2f}",
                        "parent_id": 8800001,
                    }
                )
                found.append(
                    {
                        "id": 8800005,
                        "kind": "void",
                        "status": "success",
                        "gateway": "shopify_payments",
                        "amount": "0.00",
                        "parent_id": 8800001,
                    }
                )
            return found

        seeded = self.paid_order(captures, financial_status="partially_paid")
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 1, "the authorization and the failed capture make no payment")
        self.assertAlmostEqual(payments.amount, 30.0, places=2)
        self.assertFalse(self.invoice_of(seeded["id"]), "not paid yet: no invoice under the when-paid policy")
        seeded["transactions"] = captures(seeded, final=True)
        seeded["financial_status"] = "paid"
        self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 2, "a void cancels nothing that exists")
        self.assertAlmostEqual(sum(payments.mapped("amount")), float(seeded["total_price"]), places=2)
        invoice = self.invoice_of(seeded["id"])
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "paid"))

    def test_unmapped_gateway_fails_is_fixed_and_retried(self):
        def bogus(seeded):
            return [{"kind": "sale", "status": "success", "gateway": "klarna", "amount": seeded["total_price"]}]

        seeded = self.seed_order()
        seeded["transactions"] = bogus(seeded)
        seeded = self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        job = self.sync_fails("order_payments", seeded["id"])
        self.assertEqual(job.category, "mapping")
        for part in ("klarna", seeded["name"], f"{float(seeded['total_price']):.2f}"):
            self.assertIn(part, job.message)
        self.assertFalse(self.payments_of(seeded["id"]))
        action = job.action_fix_mapping()
        self.assertEqual(action["res_model"], "shopify.gateway.mapping")
        self.assertEqual(action["context"]["default_gateway"], "klarna")
        self.assertEqual(action["context"]["default_shop_id"], self.shop.id)
        self.env["shopify.gateway.mapping"].with_context(**action["context"]).create(
            {"journal_id": self.books.paypal.id}
        )
        job.action_retry()
        self.perform_jobs()
        self.sync("order_payments", seeded["id"])
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 1)
        self.assertEqual(payments.journal_id, self.books.paypal)
        self.assertEqual(self.sync_job("order_payments", seeded["id"]).state, "done")

    def test_transaction_before_its_order_waits(self):
        seeded = self.seed_order()
        job = self.sync_fails("order_payments", seeded["id"])
        self.assertEqual(job.category, "mapping")
        self.assertIn("not in Odoo yet", job.message)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        self.assertEqual(len(self.payments_of(seeded["id"])), 1)
        self.assertEqual(self.sync_job("order_payments", seeded["id"]).state, "done")

    def test_invoice_total_mismatch_is_a_conflict_nothing_posted(self):
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        order.order_line[:1].price_unit += 7.0  # Odoo's order no longer matches Shopify's
        self.perform_jobs()
        invoice = self.invoice_of(seeded["id"])
        self.assertEqual(invoice.state, "draft")
        job = self.sync_job("order_payments", seeded["id"])
        self.assertEqual((job.category, job.needs_action), ("data_conflict", True))
        self.assertIn(f"{invoice.amount_total:.2f}", job.message)
        self.assertIn(f"{float(seeded['total_price']):.2f}", job.message)
        payment = self.payments_of(seeded["id"])
        self.assertEqual(len(payment), 1, "the money received is booked, waiting for the invoice")
        self.assertFalse(payment.move_id.line_ids.filtered("reconciled"))

    def test_gift_card_sold_is_a_liability(self):
        seeded = self.seed_order()
        seeded["line_items"][0]["gift_card"] = True
        seeded = self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertIn(self.books.gift_product, order.order_line.product_id)
        invoice = self.invoice_of(seeded["id"])
        gift_lines = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.books.gift_product)
        self.assertTrue(gift_lines)
        self.assertEqual(gift_lines.account_id, self.books.gift_liability)
        self.assertEqual(gift_lines.account_id.account_type, "liability_current")

    def test_policy_never_makes_no_invoice(self):
        self.shop.invoice_policy = "never"
        seeded = self.paid_order()
        self.assertFalse(self.invoice_of(seeded["id"]))
        self.assertFalse(self.payments_of(seeded["id"]))

    def test_when_fulfilled_policy_waits_for_the_fulfillment(self):
        self.shop.invoice_policy = "on_fulfilled"
        seeded = self.paid_order()
        self.assertFalse(self.invoice_of(seeded["id"]))
        self.assertEqual(len(self.payments_of(seeded["id"])), 1)
        seeded["fulfillment_status"] = "fulfilled"
        self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        invoice = self.invoice_of(seeded["id"])
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "paid"))

    def test_foreign_currency_transaction_fails_as_configuration(self):
        def euros(seeded):
            return [
                {
                    "kind": "sale",
                    "status": "success",
                    "gateway": "shopify_payments",
                    "amount": seeded["total_price"],
                    "currency": "EUR",
                }
            ]

        seeded = self.seed_order()
        seeded["transactions"] = euros(seeded)
        self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        job = self.sync_fails("order_payments", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("EUR", job.message)
