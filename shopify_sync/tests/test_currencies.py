"""Orders in another presentment currency (Markets): booked in the shop's currency or the customer's.

The simulator converts the amounts of an order whose presentment currency is EUR at 2 EUR for
1 of the shop's currency: presentment money is twice shop money, so a mix of the two shows.
"""

import unittest

from odoo.tests import tagged

from ..mapping.common import PRESENTMENT_MONEY, SHOP_MONEY, booked_currency, money, money_side
from .accounting_common import setup_accounting
from .common import ShopifyTransactionCase

RATE = 2


def bag(shop, presentment, shop_code="USD", presentment_code="EUR"):
    return {
        "shopMoney": {"amount": shop, "currencyCode": shop_code},
        "presentmentMoney": {"amount": presentment, "currencyCode": presentment_code},
    }


@tagged("post_install", "-at_install")
class TestCurrencies(ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.company_currency = cls.shop.company_id.currency_id
        assert cls.company_currency != cls.eur, "the test company's currency is not EUR"
        cls.eur_pricelist = cls.env["product.pricelist"].create({"name": "Shopify EUR", "currency_id": cls.eur.id})
        cls.simulator.set_presentment_rate("EUR", RATE)

    def eur_order(self, seed, **overrides):
        seeded = self.seed_order(seed=seed, presentment_currency="EUR", **overrides)
        self.assertEqual(seeded["currency"], self.company_currency.name, "the shop's currency is the company's")
        return seeded

    def lines(self, order):
        return order.order_line.filtered(lambda line: line.product_id != self.shop._rounding_product())

    def test_default_books_shop_money_in_the_shops_currency(self):
        self.assertEqual(self.shop.order_currency, "shop")
        seeded = self.eur_order(401)
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.currency_id, self.company_currency)
        self.assertAlmostEqual(order.amount_total, float(seeded["total_price"]), places=2)
        first = seeded["line_items"][0]
        self.assertAlmostEqual(self.lines(order)[0].price_unit, float(first["price"]), places=2)

    def test_presentment_setting_books_presentment_money_in_the_customers_currency(self):
        self.shop.order_currency = "presentment"
        seeded = self.eur_order(402)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.currency_id, self.eur)
        self.assertEqual(order.pricelist_id, self.eur_pricelist)
        self.assertAlmostEqual(order.amount_total, RATE * float(seeded["total_price"]), delta=0.05)
        first = seeded["line_items"][0]
        self.assertAlmostEqual(self.lines(order)[0].price_unit, RATE * float(first["price"]), places=2)
        # the invoice and its payment: Shopify's presentment amounts, in EUR
        invoice = self.env["shopify.invoice.binding"]._record(self.shop, seeded["id"])
        self.assertEqual(invoice.currency_id, self.eur)
        self.assertEqual(invoice.state, "posted", self.sync_job("order_payments", seeded["id"]).outcome_note)
        payments = (
            self.env["shopify.transaction.binding"]
            .search([("shop_id", "=", self.shop.id), ("order_shopify_id", "=", str(seeded["id"]))])
            .odoo_id
        )
        self.assertEqual(payments.currency_id, self.eur)
        self.assertAlmostEqual(sum(payments.mapped("amount")), RATE * float(seeded["total_price"]), places=2)
        self.assertEqual(invoice.payment_state, "paid")

    def test_a_refund_of_an_order_booked_in_presentment_money_is_too(self):
        self.shop.order_currency = "presentment"
        seeded = self.eur_order(406)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        line = seeded["line_items"][0]
        unit = round((float(line["price"]) * int(line["quantity"]) - float(line.get("total_discount") or 0)), 2)
        unit = round(unit / int(line["quantity"]), 2)
        money_back = round(unit * 1.06, 2)
        refund = {
            "id": 6680001,
            "order_id": seeded["id"],
            "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "no_restock"}],
            "transactions": [
                {"kind": "refund", "status": "success", "gateway": "shopify_payments", "amount": f"{money_back:.2f}"}
            ],
        }
        self.simulator.seed_refund(seeded["id"], refund)
        self.sync("refund", refund["id"])
        job = self.sync_job("refund", refund["id"])
        self.assertEqual(job.state, "done", job.outcome_note)
        credit_note = self.env["shopify.refund.binding"]._record(self.shop, refund["id"])
        self.assertEqual(credit_note.currency_id, self.eur)
        self.assertAlmostEqual(credit_note.amount_total, RATE * money_back, delta=0.02)
        self.assertFalse(job.category, "the credit note matches the money refunded: no warning")
        ids = [str(t["id"]) for t in self.simulator.store.refunds[refund["id"]]["transactions"]]
        payment = (
            self.env["shopify.transaction.binding"]
            .search([("shop_id", "=", self.shop.id), ("shopify_id", "in", ids)])
            .odoo_id
        )
        self.assertEqual(payment.currency_id, self.eur)
        self.assertAlmostEqual(payment.amount, RATE * money_back, places=2)

    def test_an_order_keeps_its_set_of_amounts_when_the_setting_changes(self):
        seeded = self.eur_order(403)
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        lines_before = [(line.product_id, line.price_unit) for line in order.order_line]
        self.shop.order_currency = "presentment"
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(job.state, "done", job.outcome_note)
        self.assertEqual(order.currency_id, self.company_currency)
        self.assertEqual([(line.product_id, line.price_unit) for line in order.order_line], lines_before)

    def test_a_missing_pricelist_is_a_configuration_failure_naming_the_currency(self):
        self.shop.order_currency = "presentment"
        self.eur_pricelist.active = False
        seeded = self.eur_order(404)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("EUR", job.message)
        self.assertFalse(self.bound("order", seeded["id"]))

    def test_an_inactive_currency_is_a_configuration_failure_naming_it(self):
        self.shop.order_currency = "presentment"
        self.eur.active = False
        seeded = self.eur_order(405)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("EUR", job.message)
        self.assertIn("not active", job.message)


class TestMoneySideMapping(unittest.TestCase):
    """The pure choice of a set of amounts: one per order, never a mix."""

    def test_side_follows_the_booked_currency(self):
        order = {"currencyCode": "USD", "presentmentCurrencyCode": "EUR", "totalPriceSet": bag("10.0", "20.0")}
        self.assertEqual(booked_currency(order, in_presentment=False), "USD")
        self.assertEqual(booked_currency(order, in_presentment=True), "EUR")
        self.assertEqual(money_side(order, "USD"), SHOP_MONEY)
        self.assertEqual(money_side(order, "EUR"), PRESENTMENT_MONEY)
        self.assertEqual(str(money(order["totalPriceSet"], money_side(order, "EUR"))), "20.0")
        same = {"currencyCode": "USD", "presentmentCurrencyCode": "USD"}
        self.assertEqual(money_side(same, "USD"), SHOP_MONEY)
        self.assertEqual(booked_currency(same, in_presentment=True), "USD")
