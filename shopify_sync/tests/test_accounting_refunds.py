from odoo.tests import tagged

from .accounting_common import setup_accounting
from .common import ShopifyTransactionCase
from .test_accounting import AccountingMixin


def unit_price(line):
    quantity = int(line["quantity"])
    return round((float(line["price"]) * quantity - float(line.get("total_discount") or 0)) / quantity, 2)


@tagged("post_install", "-at_install")
class TestRefundsAndPayouts(AccountingMixin, ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)
        cls.shop.post_credit_notes = True

    def refund(self, seeded, refund_id, money_back, shipping=None, adjustments=()):
        line = seeded["line_items"][0]
        refund = {
            "id": refund_id,
            "order_id": seeded["id"],
            "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "no_restock"}],
            "refund_shipping_lines": [
                {"subtotal_amount_set": {"shop_money": {"amount": f"{shipping:.2f}"}}}
            ] if shipping else [],
            "order_adjustments": list(adjustments),
            "transactions": [
                {"kind": "refund", "status": "success", "gateway": "shopify_payments", "amount": f"{money_back:.2f}"},
                {"kind": "refund", "status": "failure", "gateway": "shopify_payments", "amount": "1.00"},
            ],
        }
        self.simulator.seed_refund(seeded["id"], refund)
        return refund

    def refund_payments(self, refund):
        ids = [str(t["id"]) for t in self.simulator.store.refunds[refund["id"]]["transactions"]]
        return self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_id", "in", ids)]
        ).odoo_id

    def test_refund_one_credit_note_one_outbound_payment(self):
        seeded = self.paid_order()
        line = seeded["line_items"][0]
        shipping = float(seeded["shipping_lines"][0]["price"])
        money_back = round(unit_price(line) * 1.06, 2) + round(shipping * 1.06, 2) + 4.0
        refund = self.refund(
            seeded, 6670001, money_back, shipping=shipping,
            adjustments=[{"kind": "refund_discrepancy", "amount": "-4.00", "tax_amount": "0.00"}],
        )
        self.sync("refund", refund["id"])
        self.sync("refund", refund["id"])
        self.perform_jobs()
        credit_note = self.bound("refund", refund["id"])
        self.assertEqual(len(credit_note), 1)
        self.assertAlmostEqual(credit_note.amount_total, money_back, delta=0.05)
        self.assertEqual(credit_note.state, "posted")
        payments = self.refund_payments(refund)
        self.assertEqual(len(payments), 1, "the failed refund transaction moved no money")
        self.assertEqual((payments.payment_type, payments.journal_id), ("outbound", self.books.card))
        self.assertAlmostEqual(payments.amount, money_back, places=2)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertFalse(self.sync_job("refund", refund["id"]).needs_action)

    def test_refund_mismatch_names_both_amounts(self):
        seeded = self.paid_order()
        # Shopify refunded less than the refunded line is worth
        refund = self.refund(seeded, 6670002, 9.0)
        self.sync("refund", refund["id"])
        credit_note = self.bound("refund", refund["id"])
        self.assertEqual(credit_note.state, "draft")
        job = self.sync_job("refund", refund["id"])
        self.assertEqual((job.category, job.needs_action), ("data_conflict", True))
        self.assertIn(f"{credit_note.amount_total:.2f}", job.message)
        self.assertIn("9.00", job.message)
        payment = self.refund_payments(refund)
        self.assertEqual(len(payment), 1, "the money that left is booked, waiting for the credit note")
        self.assertFalse(payment.move_id.line_ids.filtered("reconciled"))
