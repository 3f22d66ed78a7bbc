"""B2B orders: payment terms mapped to Odoo's, the PO number as customer reference, unpaid and invoiced."""

from odoo.tests import tagged

from .accounting_common import setup_accounting
from .common import ShopifyTransactionCase

NET_30 = {"id": 5500001, "payment_terms_name": "Net 30", "payment_terms_type": "net", "due_in_days": 30}


@tagged("post_install", "-at_install")
class TestB2BOrders(ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)  # invoices when paid
        cls.shop.confirm_policy = "on_paid"
        cls.net30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days (Shopify test)",
                "line_ids": [(0, 0, {"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )

    def b2b_order(self, seed, **overrides):
        """An unpaid order on Net 30 terms with a PO number, as a company's buyer places it."""
        values = {
            "financial_status": "pending",
            "transactions": [],
            "po_number": "PO-4711",
            "payment_terms": dict(NET_30),
        }
        values.update(overrides)
        return self.seed_order(seed=seed, **values)

    def map_net30(self):
        return self.env["shopify.payment.term.mapping"].create(
            {"shop_id": self.shop.id, "name": "net 30", "payment_term_id": self.net30.id}
        )

    def test_unmapped_payment_terms_are_a_configuration_failure_naming_them(self):
        seeded = self.b2b_order(501)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("Net 30", job.message)
        self.assertIn("Net 30", job.missing)
        self.assertFalse(self.bound("order", seeded["id"]), "nothing half-written")
        self.map_net30()
        self.sync("order", seeded["id"])
        self.assertTrue(self.bound("order", seeded["id"]), "the retry creates it")

    def test_unpaid_b2b_order_confirmed_and_invoiced_with_its_terms_not_paid(self):
        self.map_net30()
        seeded = self.b2b_order(502)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.client_order_ref, "PO-4711", "the PO number is the customer reference")
        binding = self.env["shopify.order.binding"]._find(self.shop, seeded["id"])
        self.assertEqual(binding.shopify_name, seeded["name"])
        self.assertEqual(order.payment_term_id, self.net30)
        self.assertEqual(order.state, "sale", "on terms: confirmed though unpaid")
        invoice = self.env["shopify.invoice.binding"]._record(self.shop, seeded["id"])
        self.assertEqual(invoice.state, "posted", self.sync_job("order_payments", seeded["id"]).outcome_note)
        self.assertEqual(invoice.invoice_payment_term_id, self.net30)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual((invoice.invoice_date_due - invoice.invoice_date).days, 30)
        payments = self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("order_shopify_id", "=", str(seeded["id"]))]
        )
        self.assertFalse(payments, "nothing paid")
        # delivered again: one order, one invoice
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.perform_jobs()
        self.assertEqual(len(self.env["shopify.order.binding"].search([("odoo_id", "=", order.id)])), 1)
        self.assertEqual(order.invoice_ids, invoice)
        self.assertEqual(order.client_order_ref, "PO-4711")

    def test_an_unpaid_order_without_terms_waits_for_its_payment(self):
        seeded = self.seed_order(seed=503, financial_status="pending", transactions=[])
        self.sync("order", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.state, "draft", "the when-paid policy: not confirmed")
        self.assertEqual(order.client_order_ref, seeded["name"], "no PO number: Shopify's order name")
        self.assertFalse(order.invoice_ids)
