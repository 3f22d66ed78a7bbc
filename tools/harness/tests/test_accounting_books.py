"""The books the demo and the bench give a shop (tools/harness/accounting.py): once, and wired as the addon expects."""

from odoo.tests import TransactionCase, tagged

from tools.harness import accounting


@tagged("post_install", "-at_install")
class TestAccountingBooks(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["shopify.shop"].create(
            {"name": "Books Shop", "domain": "books-shop.myshopify.com", "base_url": "http://127.0.0.1:1"}
        )

    def test_set_up_twice_gives_one_set_of_books(self):
        first = accounting.configure_accounting(self.env, self.shop.id)
        again = accounting.configure_accounting(self.env, self.shop.id, "on_fulfilled")
        self.assertEqual(first, again)
        self.assertEqual(self.shop.invoice_policy, "on_fulfilled")
        mappings = {m.gateway: m.journal_id.id for m in self.shop.gateway_mapping_ids}
        self.assertEqual(mappings, first)
        self.assertEqual(len(self.env["account.account"].search([("code", "=", "SHPCLR")])), 1)
        self.assertEqual(self.shop.payout_journal_id.id, first["shopify_payments"])
        self.assertEqual(self.shop.gift_card_product_id.property_account_income_id, self.shop.gift_card_account_id)

    def test_a_card_payment_waits_in_the_clearing_account(self):
        journals = accounting.configure_accounting(self.env, self.shop.id)
        partner = self.env["res.partner"].create({"name": "Card customer"})
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": 42.0,
                "journal_id": journals["shopify_payments"],
            }
        )
        payment.action_post()
        clearing = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == self.shop.payout_clearing_account_id
        )
        self.assertEqual(clearing.balance, 42.0)
        self.assertEqual(accounting.clearing_of_payouts(self.env, self.shop.id)["account_balance"], 42.0)
        gift = self.env["account.journal"].browse(journals["gift_card"])
        self.assertEqual(gift.inbound_payment_method_line_ids.payment_account_id, self.shop.gift_card_account_id)
        self.assertEqual(
            accounting.payments_by_journal(self.env, self.shop.id), {}, "no Shopify transaction was booked here"
        )
