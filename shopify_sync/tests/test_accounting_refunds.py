from odoo.tests import tagged

from .accounting_common import setup_accounting
from .common import ShopifyHttpCase, ShopifyTransactionCase
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
            "refund_shipping_lines": [{"subtotal_amount_set": {"shop_money": {"amount": f"{shipping:.2f}"}}}]
            if shipping
            else [],
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
        return (
            self.env["shopify.transaction.binding"]
            .search([("shop_id", "=", self.shop.id), ("shopify_id", "in", ids)])
            .odoo_id
        )

    def test_refund_one_credit_note_one_outbound_payment(self):
        seeded = self.paid_order()
        line = seeded["line_items"][0]
        shipping = float(seeded["shipping_lines"][0]["price"])
        money_back = round(unit_price(line) * 1.06, 2) + round(shipping * 1.06, 2) + 4.0
        refund = self.refund(
            seeded,
            6670001,
            money_back,
            shipping=shipping,
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

    def payout_lines(self, payout):
        return self.env["shopify.balance.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("payout_shopify_id", "=", str(payout["id"]))]
        )

    def import_payouts(self, payout):
        """Import now (the simulated store keeps the payouts of earlier tests): the bindings of ``payout``."""
        self.shop.action_import_payouts()
        self.perform_jobs()
        return self.env["shopify.payout.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_id", "=", str(payout["id"]))]
        )

    def test_payout_imported_twice_one_set_of_lines(self):
        first, second = self.paid_order(), self.paid_order()
        money_back = round(unit_price(first["line_items"][0]) * 1.06, 2)
        refund = self.refund(first, 6670003, money_back)
        self.sync("refund", refund["id"])
        paypal = self.paid_order(
            lambda seeded: [{"kind": "sale", "status": "success", "gateway": "paypal", "amount": seeded["total_price"]}]
        )
        payout = self.simulator.seed_payout(dispute_order_id=second["id"], adjustment="-2.50")
        payouts = self.import_payouts(payout)
        self.assertEqual(len(payouts), 1)
        move = payouts.odoo_id
        self.assertEqual(move.state, "posted")
        lines = self.payout_lines(payout)
        types = sorted(lines.mapped("transaction_type"))
        self.assertEqual(
            types, ["ADJUSTMENT", "CHARGE", "CHARGE", "DISPUTE_WITHDRAWAL", "REFUND"], "PayPal is not paid out"
        )
        # the net amount stands as one line, to match the bank deposit
        transit = move.line_ids.filtered(lambda line: line.account_id == self.books.transit)
        self.assertEqual(len(transit), 1)
        self.assertAlmostEqual(transit.balance, float(payout["net"]), places=2)
        fees = move.line_ids.filtered(lambda line: line.account_id == self.books.fees)
        self.assertAlmostEqual(sum(fees.mapped("balance")), sum(lines.mapped("fee")), places=2)
        self.assertGreater(sum(fees.mapped("balance")), 0)
        # the Shopify Payments payments are cleared: the clearing account nets to zero for them
        cleared = self.payments_of(first["id"]) | self.payments_of(second["id"]) | self.refund_payments(refund)
        clearing_lines = cleared.move_id.line_ids.filtered(lambda line: line.account_id == self.books.clearing)
        self.assertEqual(len(clearing_lines), 3)
        self.assertTrue(all(clearing_lines.mapped("reconciled")))
        all_clearing = (move | cleared.move_id).line_ids.filtered(lambda line: line.account_id == self.books.clearing)
        self.assertEqual(len(all_clearing), 6)
        self.assertAlmostEqual(sum(all_clearing.mapped("balance")), 0.0, places=2)
        self.assertFalse(
            self.payments_of(paypal["id"]).move_id.line_ids.filtered("reconciled")
            - self.payments_of(paypal["id"]).move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
        )
        # a second import adds nothing
        self.assertEqual(self.import_payouts(payout), payouts)
        self.sync("payout", payout["id"])
        self.assertEqual(self.payout_lines(payout), lines)
        self.assertEqual(len(move.line_ids), len(lines) + 2, "one line per balance transaction, fees, net")

    def test_dispute_raises_an_activity_on_the_order(self):
        seeded = self.paid_order()
        order = self.bound("order", seeded["id"])
        payout = self.simulator.seed_payout(dispute_order_id=seeded["id"], dispute_amount="25.00")
        self.import_payouts(payout)
        activities = order.activity_ids.filtered(lambda a: "dispute" in (a.summary or "").lower())
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.shop.user_id)
        self.assertIn("25.00", str(activities.note))
        disputes = self.payout_lines(payout).filtered(lambda b: b.transaction_type == "DISPUTE_WITHDRAWAL")
        self.assertEqual(disputes.odoo_id.account_id, self.books.disputes)
        self.import_payouts(payout)
        self.assertEqual(len(order.activity_ids.filtered(lambda a: "dispute" in (a.summary or "").lower())), 1)

    def test_payout_without_accounts_fails_as_configuration(self):
        self.paid_order()
        self.shop.payout_fee_account_id = False
        payout = self.simulator.seed_payout()
        job = self.sync_fails("payout", payout["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("Payment Fees Account", job.message)
        self.assertFalse(self.env["shopify.payout.binding"].search([("shop_id", "=", self.shop.id)]))


@tagged("post_install", "-at_install")
class TestTransactionWebhook(AccountingMixin, ShopifyHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)

    def test_order_transaction_webhook_books_the_payment_once(self):
        seeded = self.paid_order()
        self.assertEqual(len(self.payments_of(seeded["id"])), 1)
        seeded["transactions"].append(
            {"id": 8900001, "kind": "sale", "status": "success", "gateway": "paypal", "amount": "3.00"}
        )
        self.simulator.seed_order(seeded)
        payload = self.simulator.webhook_payload("order_transactions/create", 8900001)
        self.assertEqual(payload["order_id"], int(seeded["id"]))
        for _copy in range(3):
            self.post_webhook("order_transactions/create", payload)
        self.perform_jobs()
        payments = self.payments_of(seeded["id"])
        self.assertEqual(len(payments), 2)
        self.assertEqual(payments.filtered(lambda p: p.journal_id == self.books.paypal).amount, 3.0)
