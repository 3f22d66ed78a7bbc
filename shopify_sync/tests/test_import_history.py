"""Day one of a store with a past: history imported as history, open orders as work.

The simulator's store is generated with a past (most orders fulfilled and closed months
ago, some cancelled or refunded, the last days' orders open); the import records the
history in its final state without a delivery, a reservation or a stock move, books no
money from before the accounting start, and keeps the normal flow for open orders.
"""

import unittest
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from ..mapping import history as hmap
from ..mapping.common import parse_datetime
from ..services import bulk
from .accounting_common import setup_accounting
from .common import ShopifyTransactionCase
from .test_import import ImportMixin

STARTED = datetime(2026, 12, 1, 12, 0, 0)


def _order(**values):
    node = {
        "processedAt": "2026-06-01T10:00:00Z",
        "updatedAt": "2026-06-10T10:00:00Z",
        "displayFulfillmentStatus": "UNFULFILLED",
        "lineItems": {"nodes": [{"quantity": 2, "unfulfilledQuantity": 2}, {"quantity": 1}]},
    }
    node.update(values)
    return node


class TestStanding(unittest.TestCase):
    """mapping.history: which orders are history, cancelled or open."""

    def test_cancelled_is_cancelled_whatever_else(self):
        node = _order(cancelledAt="2026-06-02T10:00:00Z", closedAt="2026-06-02T10:00:00Z")
        self.assertEqual(hmap.standing(node, STARTED), hmap.CANCELLED)
        self.assertEqual(hmap.standing(node), hmap.CANCELLED)

    def test_without_an_import_every_order_is_open(self):
        node = _order(closedAt="2026-06-05T10:00:00Z", displayFulfillmentStatus="FULFILLED")
        self.assertEqual(hmap.standing(node), hmap.OPEN)

    def test_closed_before_the_import_is_history(self):
        self.assertEqual(hmap.standing(_order(closedAt="2026-06-05T10:00:00Z"), STARTED), hmap.HISTORY)
        after = _order(closedAt="2026-12-01T12:00:01Z")
        self.assertEqual(hmap.standing(after, STARTED), hmap.OPEN, "closed after the import started: live work")

    def test_fulfilled_before_the_import_is_history(self):
        fulfilled = _order(displayFulfillmentStatus="FULFILLED")
        self.assertEqual(hmap.standing(fulfilled, STARTED), hmap.HISTORY)
        touched_since = _order(displayFulfillmentStatus="FULFILLED", updatedAt="2026-12-02T10:00:00Z")
        self.assertEqual(hmap.standing(touched_since, STARTED), hmap.OPEN, "fulfilled when? not known: open")
        dated = dict(touched_since, fulfillments=[{"createdAt": "2026-06-03T10:00:00Z"}])
        self.assertEqual(hmap.standing(dated, STARTED), hmap.HISTORY, "its fulfillment's date tells")
        partly = _order(displayFulfillmentStatus="PARTIALLY_FULFILLED")
        self.assertEqual(hmap.standing(partly, STARTED), hmap.OPEN, "partly fulfilled and open: the rest is work")

    def test_placed_before_the_cutoff_is_history(self):
        cutoff = datetime(2026, 7, 1)
        self.assertEqual(hmap.standing(_order(), STARTED, cutoff), hmap.HISTORY)
        self.assertEqual(hmap.standing(_order(), None, cutoff), hmap.HISTORY)
        recent = _order(processedAt="2026-11-30T10:00:00Z")
        self.assertEqual(hmap.standing(recent, STARTED, cutoff), hmap.OPEN)

    def test_delivered_quantities(self):
        node = _order(
            displayFulfillmentStatus="PARTIALLY_FULFILLED",
            lineItems={
                "nodes": [
                    {"quantity": 3, "unfulfilledQuantity": 1},
                    {"quantity": 0, "unfulfilledQuantity": 0},
                    {"quantity": 1, "unfulfilledQuantity": 1},
                ]
            },
        )
        self.assertEqual(hmap.delivered_quantities(node), [2, 0], "the lines of order_lines: quantity > 0")
        fulfilled = _order(displayFulfillmentStatus="FULFILLED", lineItems={"nodes": [{"quantity": 2}]})
        self.assertEqual(hmap.delivered_quantities(fulfilled), [2], "no unfulfilledQuantity: fulfilled is all")

    def test_settled_before_the_accounting_start(self):
        start = date(2026, 12, 1)
        self.assertTrue(hmap.settled_before(_order(displayFinancialStatus="PAID"), start))
        self.assertTrue(hmap.settled_before(_order(displayFinancialStatus="REFUNDED"), start))
        self.assertFalse(hmap.settled_before(_order(displayFinancialStatus="PENDING"), start), "money to come")
        recent = _order(displayFinancialStatus="PAID", processedAt="2026-12-01T00:00:00Z")
        self.assertFalse(hmap.settled_before(recent, start))
        self.assertFalse(hmap.settled_before(_order(displayFinancialStatus="PAID"), None))

    def test_shipped_before_the_import(self):
        partly = _order(displayFulfillmentStatus="PARTIALLY_FULFILLED")
        partly["lineItems"]["nodes"][0]["unfulfilledQuantity"] = 1
        self.assertEqual(hmap.shipped_before(partly, STARTED), [1, 0])
        self.assertEqual(hmap.shipped_before(partly, None), [0, 0], "no import: the live flow")
        later = dict(partly, fulfillments=[{"createdAt": "2026-12-02T10:00:00Z"}])
        self.assertEqual(hmap.shipped_before(later, STARTED), [0, 0], "shipped after the start: its event delivers")

    def test_accounting_start(self):
        start = date(2026, 12, 1)
        self.assertTrue(hmap.before_accounting_start(datetime(2026, 11, 30, 23, 59), start))
        self.assertFalse(hmap.before_accounting_start(datetime(2026, 12, 1, 0, 0), start))
        self.assertFalse(hmap.before_accounting_start(date(2026, 12, 1), start))
        self.assertFalse(hmap.before_accounting_start(datetime(2020, 1, 1), None), "no start: nothing before")
        self.assertEqual(hmap.paid_at([None, datetime(2026, 6, 2)], _order()), datetime(2026, 6, 2))
        self.assertEqual(hmap.paid_at([], _order()), datetime(2026, 6, 1, 10, 0))

    def test_preview_searches_and_summary(self):
        searches = bulk.preview_searches(datetime(2026, 1, 1), datetime(2026, 7, 1))
        self.assertEqual(searches["all"], "created_at:>='2026-01-01T00:00:00Z'")
        self.assertIn("status:open AND -fulfillment_status:shipped", searches["open"])
        self.assertIn("processed_at:>='2026-07-01T00:00:00Z'", searches["open"])
        self.assertIsNone(bulk.preview_searches()["all"])
        self.assertEqual(hmap.summary({"all": 10, "open": 3, "cancelled": 2})["history"], 5)
        self.assertEqual(hmap.summary({"all": 1, "open": 3, "cancelled": 0})["history"], 0)


@tagged("post_install", "-at_install")
class TestImportHistory(ImportMixin, ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop, policy="on_paid")

    def setUp(self):
        super().setUp()
        self.data = self.simulator.generate(
            customers=3,
            products=3,
            orders=20,
            lines_per_order=2,
            seed=2801,
            history=0.8,
            past={"cancelled": 0.15, "refunded": 0.3, "open_partial": 0.5},
        )
        self.store = self.simulator.store

    def rest(self, order):
        return self.store.orders[order["id"]]

    def orders_of(self, kind, orders=None):
        """The seeded orders (or ``orders``) that are ``kind``: history, cancelled or open, as Shopify has them."""
        found = []
        for order in self.data["orders"] if orders is None else orders:
            rest = self.rest(order)
            if rest.get("cancelled_at"):
                standing = hmap.CANCELLED
            elif rest.get("closed_at") or rest.get("fulfillment_status") == "fulfilled":
                standing = hmap.HISTORY
            else:
                standing = hmap.OPEN
            if standing == kind:
                found.append(order)
        return found

    def count_stock(self):
        """Day one's count: every imported product on hand, 50 units each."""
        stock = self.env.ref("stock.stock_location_stock")
        products = self.env["shopify.variant.binding"].search([("shop_id", "=", self.shop.id)]).odoo_id
        for product in products.filtered("is_storable"):
            self.env["stock.quant"]._update_available_quantity(product, stock, 50)
        return products

    def stock_levels(self, products):
        quants = self.env["stock.quant"].search([("product_id", "in", products.ids)])
        return sorted((q.product_id.id, q.location_id.id, q.quantity, q.reserved_quantity) for q in quants)

    def import_store(self):
        self.assertEqual(set(self.run_import(objects=("products", "customers")).mapped("state")), {"done"})
        products = self.count_stock()
        counted = self.stock_levels(products)
        runs = self.run_import(objects=("orders",))
        self.assertEqual(runs.state, "done", runs.message)
        self.perform_jobs(max_rounds=20)  # invoices and payments, order links
        return products, counted

    def test_history_recorded_as_history_open_orders_as_work(self):
        history, cancelled, open_ = (self.orders_of(k) for k in (hmap.HISTORY, hmap.CANCELLED, hmap.OPEN))
        self.assertTrue(history and cancelled and open_, (len(history), len(cancelled), len(open_)))
        products, counted = self.import_store()
        self.assertEqual(self.shop.accounting_start_date, fields.Date.context_today(self.shop))
        self.assertTrue(self.shop.import_started_at)

        for order in history:
            sale = self.bound("order", order["id"])
            binding = sale.shopify_binding_ids
            self.assertEqual((sale.state, sale.locked, binding.import_standing), ("sale", True, "history"))
            self.assertFalse(sale.picking_ids, f"{order['name']}: no delivery for history")
            self.assertEqual(sale.date_order, parse_datetime(self.rest(order)["processed_at"]), "dated when placed")
            lines = sale.order_line.filtered(lambda line: line.product_id.is_storable)
            self.assertEqual(sum(lines.mapped("qty_delivered")), self.shipped(order), order["name"])
            self.assertFalse(sale.invoice_ids, f"{order['name']}: paid before the accounting start")
            self.assertFalse(self.payments_of(order))
            self.assertFalse(self.sync_job("order_payments", order["id"]), "no query for the former books' money")
        for order in cancelled:
            sale = self.bound("order", order["id"])
            self.assertEqual(sale.state, "cancel", f"{order['name']} is in Odoo, cancelled")
            self.assertFalse(sale.picking_ids or sale.invoice_ids)
            job = self.sync_job("order", order["id"])
            # the import made the Odoo order: it reads Created (and counts as created), not Already there
            self.assertEqual((job.outcome, job.import_result), ("created", "created"), job.outcome_note)
            self.assertTrue(job.record_created_at)
        partly = [order for order in open_ if self.shipped(order)]
        self.assertTrue(partly, "some open orders are partly fulfilled")
        for order in open_:
            sale = self.bound("order", order["id"])
            self.assertEqual(sale.state, "sale", "open orders: the confirmation policy (on create)")
            self.assertEqual(sale.shopify_binding_ids.import_standing, "open")
            delivery = sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            lines = sale.order_line.filtered(lambda line: line.product_id.is_storable)
            left = sum(lines.mapped("product_uom_qty")) - self.shipped(order)
            self.assertEqual(sum(delivery.move_ids.mapped("product_uom_qty")), left, "a delivery for what is left")
            self.assertEqual(sum(lines.mapped("qty_delivered")), self.shipped(order), "shipped before Odoo")
            self.assertTrue(sale.invoice_ids, "paid open order: invoiced (on paid)")

        history_sales = self.env["sale.order"].browse([self.bound("order", o["id"]).id for o in history])
        self.assertFalse(history_sales.picking_ids)
        self.assertFalse(
            self.env["stock.move"].search([("sale_line_id.order_id", "in", history_sales.ids)]),
            "no stock move of history, open or done",
        )
        open_sales = self.env["sale.order"].browse([self.bound("order", o["id"]).id for o in open_])
        self.assertEqual(
            [(p, loc, qty) for p, loc, qty, _reserved in self.stock_levels(products)],
            [(p, loc, qty) for p, loc, qty, _reserved in counted],
            "the counted stock is what it was: nothing replayed",
        )
        reserved = sum(level[3] for level in self.stock_levels(products))
        open_quantity = sum(
            open_sales.order_line.filtered(lambda line: line.product_id.is_storable).mapped("product_uom_qty")
        )
        open_left = open_quantity - sum(self.shipped(order) for order in open_)
        self.assertLessEqual(reserved, open_left, "only what is left of open orders reserves stock")
        start = self.shop.accounting_start_date
        moves = self.env["account.move"].search([("partner_id", "in", history_sales.partner_id.ids)])
        self.assertFalse(moves.filtered(lambda m: m.invoice_date and m.invoice_date < start))
        self.assertFalse(
            self.env["account.move"].search([("invoice_line_ids.sale_line_ids.order_id", "in", history_sales.ids)]),
            "no invoice of history paid before the accounting start",
        )

        # The import run twice creates nothing new.
        before = self.env["sale.order"].search_count([])
        again = self.run_import(objects=("orders",))
        self.assertEqual((again.state, again.created_count), ("done", 0), again.message)
        self.assertEqual(self.env["sale.order"].search_count([]), before)

    def shipped(self, order):
        """Units Shopify fulfilled of ``order``."""
        return sum(
            int(item["quantity"])
            for f in self.store.fulfillments.values()
            if f["order_id"] == order["id"]
            for item in f["line_items"]
        )

    def payments_of(self, order):
        return self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("order_shopify_id", "=", str(order["id"]))]
        )

    def test_refund_of_history_after_the_accounting_start_one_credit_note(self):
        self.import_store()
        order = next(o for o in self.orders_of(hmap.HISTORY) if self.rest(o)["financial_status"] == "paid")
        sale = self.bound("order", order["id"])
        line = self.rest(order)["line_items"][0]
        credit_notes = self.env["account.move"].search([("move_type", "=", "out_refund")])

        earlier = self.simulator.seed_refund(
            order["id"],
            {
                "created_at": (datetime.now() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "no_restock"}],
                "transactions": [{"kind": "refund", "gateway": "shopify_payments", "amount": "1.00"}],
            },
        )
        self.sync("refund", earlier["id"])
        self.assertEqual(self.sync_job("refund", earlier["id"]).state, "done")
        self.assertFalse(self.bound("refund", earlier["id"]), "refunded before the accounting start: no credit note")

        today = self.simulator.seed_refund(
            order["id"],
            {
                "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "no_restock"}],
                "transactions": [{"kind": "refund", "gateway": "shopify_payments", "amount": "1.00"}],
            },
        )
        for _twice in range(2):
            self.sync("refund", today["id"])
        credit_note = self.bound("refund", today["id"])
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.invoice_origin, sale.name, "the refund found its historical order")
        new = self.env["account.move"].search([("move_type", "=", "out_refund")]) - credit_notes
        self.assertEqual(new, credit_note, "one credit note, for the refund after the accounting start")

    def test_return_of_history_finds_its_order(self):
        products, counted = self.import_store()
        self.shop.refund_restock = True
        order = next(
            o
            for o in self.orders_of(hmap.HISTORY)
            if self.rest(o)["financial_status"] == "paid" and self.rest(o)["fulfillment_status"] == "fulfilled"
        )
        sale = self.bound("order", order["id"])
        line = self.rest(order)["line_items"][0]
        delivered = sum(sale.order_line.mapped("qty_delivered"))
        refund = self.simulator.seed_refund(
            order["id"],
            {
                "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "return"}],
                "transactions": [{"kind": "refund", "gateway": "shopify_payments", "amount": "1.00"}],
            },
        )
        self.sync("refund", refund["id"])
        self.assertEqual(self.sync_job("refund", refund["id"]).state, "done")
        self.assertEqual(self.bound("refund", refund["id"]).invoice_origin, sale.name)
        receipt = sale.picking_ids
        self.assertEqual((receipt.picking_type_code, receipt.state != "done"), ("incoming", True))
        self.assertEqual(sum(receipt.move_ids.mapped("product_uom_qty")), 1.0)
        self.assertEqual(sum(sale.order_line.mapped("qty_delivered")), delivered - 1)
        sale.order_line.invalidate_recordset()
        sale.order_line._compute_qty_delivered()
        self.assertEqual(sum(sale.order_line.mapped("qty_delivered")), delivered - 1, "kept when recomputed")
        self.assertEqual(
            [(p, loc, qty) for p, loc, qty, _reserved in self.stock_levels(products)],
            [(p, loc, qty) for p, loc, qty, _reserved in counted],
            "the goods come back when the receipt is validated, not before",
        )

    def test_wizard_shows_what_it_found_then_imports_with_its_rules(self):
        # every order, not the default 60-day window: the store's past is months old
        wizard = self.env["shopify.import.wizard"].create({"shop_id": self.shop.id, "orders_since": False})
        self.assertEqual(wizard.accounting_start_date, fields.Date.context_today(wizard), "default: today")
        exports = len(self.simulator.bulk_operations())
        wizard.action_preview()
        self.assertEqual(len(self.simulator.calls_named("ImportPreview")), 1, "one query counts it all")
        self.assertEqual(len(self.simulator.bulk_operations()), exports, "no export")
        every = list(self.store.orders.values())  # the simulator's store: this test's orders and earlier ones
        found = (wizard.open_count, wizard.history_count, wizard.cancelled_count)
        expected = tuple(len(self.orders_of(kind, every)) for kind in (hmap.OPEN, hmap.HISTORY, hmap.CANCELLED))
        self.assertEqual(found, expected)
        self.assertTrue(all(expected), expected)
        refunded = [o for o in every if o["financial_status"] == "refunded"]
        partly = [o for o in every if o["financial_status"] == "partially_refunded"]
        self.assertEqual((wizard.refunded_count, wizard.partly_refunded_count), (len(refunded), len(partly)))
        placed = sorted(parse_datetime(o["processed_at"]) for o in every)
        self.assertEqual((wizard.oldest_order_at, wizard.newest_order_at), (placed[0], placed[-1]))

        # A cut-off after every order: all but the cancelled ones are history.
        wizard.write({"history_cutoff": date.today() + timedelta(days=1), "accounting_start_date": date(2020, 1, 1)})
        wizard.action_preview()
        self.assertEqual((wizard.open_count, wizard.history_count), (0, len(every) - expected[2]))
        wizard.write({"import_products": False, "import_customers": False})
        wizard.action_import()
        self.assertEqual(self.shop.history_cutoff, date.today() + timedelta(days=1))
        self.assertEqual(self.shop.accounting_start_date, date(2020, 1, 1), "the user's accounting start is kept")

    def test_late_webhook_meets_history_not_in_odoo(self):
        """Reconciliation or a late webhook: an order done with before the import, not in Odoo yet."""
        self.assertEqual(set(self.run_import(objects=("products", "customers")).mapped("state")), {"done"})
        self.shop.write({"import_started_at": fields.Datetime.now(), "accounting_start_date": fields.Date.today()})
        history = self.orders_of(hmap.HISTORY)[0]
        cancelled = self.orders_of(hmap.CANCELLED)[0]
        self.sync("order", history["id"])
        self.sync("order", cancelled["id"])
        sale = self.bound("order", history["id"])
        self.assertEqual((sale.state, sale.locked, bool(sale.picking_ids)), ("sale", True, False))
        self.assertEqual(self.bound("order", cancelled["id"]).state, "cancel")
        self.perform_jobs(max_rounds=10)
        self.assertFalse(sale.invoice_ids)
