"""Order edits after checkout: the Odoo order's lines and delivery follow Shopify's, once.

Each edit is applied once: its orders/edited delivered twice, with the orders/updated that follows,
before the order's own creation, and its job run again after a timeout that came after its write.
Delivered units and posted invoices are never changed; a line changed by hand in Odoo is kept.
"""

import unittest

from odoo.tests import tagged

from ..mapping import order as omap
from .test_after_checkout import AfterCheckoutCase


class TestOrderedQuantity(unittest.TestCase):
    def test_an_edit_removal_is_told_from_a_refund(self):
        line = {"id": "L1", "quantity": 5, "currentQuantity": 2}
        # 3 units gone: 1 refunded (its own path), 2 removed by an edit
        self.assertEqual(omap.ordered_quantity(line, {"L1": 1}), 3)
        self.assertEqual(omap.ordered_quantity(line, {"L1": 3}), 5, "all refunded: no edit")
        self.assertEqual(omap.ordered_quantity(line, None), 5, "refunds unknown: the quantity as it is")
        self.assertEqual(omap.ordered_quantity({"id": "L1", "quantity": 5}, {}), 5, "no currentQuantity read")

    def test_refunded_quantities_of_a_partial_list_are_unknown(self):
        refund = {"refundLineItems": {"nodes": [{"quantity": 2, "lineItem": {"id": "L1"}}]}}
        order = {"refunds": [refund, refund]}
        self.assertEqual(omap.refunded_quantities(order), {"L1": 4})
        self.assertIsNone(omap.refunded_quantities(order, refunds_first=2))
        self.assertIsNone(omap.refunded_quantities(order, lines_first=1))
        self.assertIsNone(omap.refunded_quantities({"refunds": [{"legacyResourceId": "1"}]}))

    def test_a_removed_line_leaves_the_order_lines(self):
        order = {
            "lineItems": {
                "nodes": [
                    {"id": "L1", "quantity": 2, "currentQuantity": 0, "originalUnitPriceSet": None},
                    {"id": "L2", "quantity": 1, "currentQuantity": 1, "originalUnitPriceSet": None},
                ]
            },
            "refunds": [],
        }
        self.assertEqual([line["quantity"] for line in omap.order_lines(order)], [1])


@tagged("post_install", "-at_install")
class TestOrderEdits(AfterCheckoutCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        extra = cls.simulator.generate(customers=0, products=1, orders=0, seed=2929)
        cls.extra_variant = extra["products"][0]["variants"][0]

    def extra_product(self):
        return self.env["shopify.variant.binding"]._record(self.shop, self.extra_variant["id"])

    def edit(self, seeded, quantities=None, add=None):
        """Edit the order in Shopify: ``quantities`` {line index: new quantity}, ``add`` [(variant, qty)]."""
        lines = seeded["line_items"]
        return self.simulator.edit_order(
            seeded["id"],
            quantities={lines[index]["id"]: quantity for index, quantity in (quantities or {}).items()},
            add=[(variant["id"], quantity) for variant, quantity in add or []],
        )

    def deliver_edit(self, seeded, copies=2):
        """orders/edited (``copies`` times), then the orders/updated Shopify sends after it."""
        self.webhook("orders/edited", seeded["id"], copies=copies)
        self.webhook("orders/updated", seeded["id"])
        self.perform_jobs()

    def line_of(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)

    def moves_state(self, order):
        return sorted((move.id, move.state, move.product_uom_qty) for move in order.picking_ids.move_ids)

    def assert_open(self, line, quantity):
        self.assertAlmostEqual(sum(self.open_moves(line).mapped("product_uom_qty")), quantity)

    def assert_applied_once(self, seeded, order):
        """The order's job again after its write (a timeout), and the edit's webhooks once more."""
        lines = sorted((line.product_id.id, line.product_uom_qty) for line in order.order_line)
        moves, notes = self.moves_state(order), len(order.message_ids)
        self.rerun("order", seeded["id"])
        self.deliver_edit(seeded)
        self.assertEqual(sorted((line.product_id.id, line.product_uom_qty) for line in order.order_line), lines)
        self.assertEqual(self.moves_state(order), moves, "no move added, changed or cancelled again")
        self.assertEqual(len(order.message_ids), notes, "no note again")
        self.assertFalse(self.sync_job("order", seeded["id"]).needs_action)

    # -- a confirmed order nothing of which is delivered or invoiced ---------------
    def test_edit_before_delivery_and_invoice_follows_shopify_once(self):
        self.shop.invoice_policy = "never"
        try:
            seeded, order = self.synced_unshipped_order()
            first, second = self.goods_lines(order)[0], self.goods_lines(order)[1]
            ordered = first.product_uom_qty
            edit = self.edit(seeded, quantities={0: ordered + 1, 1: 0}, add=[(self.extra_variant, 2)])
            self.assertEqual(edit["line_items"]["removals"][0]["delta"], second.product_uom_qty)
            self.deliver_edit(seeded)
            job = self.sync_job("order", seeded["id"])
            self.assertFalse(job.needs_action, job.message)
            self.assertIn("Shopify edit", job.outcome_note)
            self.assertEqual(order.state, "sale", "still confirmed: no protected-field failure")
            self.assertEqual(first.product_uom_qty, ordered + 1)
            self.assert_open(first, ordered + 1)
            self.assertEqual((second.product_uom_qty, second.shopify_removed_qty), (0, 0))
            self.assertFalse(self.open_moves(second), "the removed line's move is cancelled")
            added = self.line_of(order, self.extra_product())
            self.assertEqual(added.product_uom_qty, 2)
            self.assert_open(added, 2)
            self.assertEqual(len(order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))), 1)
            self.assert_applied_once(seeded, order)
        finally:
            self.shop.invoice_policy = "on_paid"

    def synced_unshipped_order(self):
        seeded = self.seed_order()
        self.webhook("orders/create", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.invoice_ids)
        return seeded, order

    def test_edit_before_the_order_reaches_odoo(self):
        seeded = self.seed_order()
        second_quantity = int(seeded["line_items"][1]["quantity"])
        self.edit(seeded, quantities={1: 0}, add=[(self.extra_variant, 1)])
        self.webhook("orders/edited", seeded["id"])  # the edit's webhook comes first
        self.webhook("orders/create", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)
        kept = self.env["shopify.variant.binding"]._record(self.shop, seeded["line_items"][0]["variant_id"])
        self.assertEqual(self.line_of(order, kept).product_uom_qty, int(seeded["line_items"][0]["quantity"]))
        self.assertEqual(
            self.goods_lines(order).product_id,
            kept | self.extra_product(),
            f"the removed line ({second_quantity} units) is not ordered",
        )
        added = self.line_of(order, self.extra_product())
        self.assertEqual(added.product_uom_qty, 1)
        self.assert_open(added, 1)
        self.assert_applied_once(seeded, order)

    # -- after partial delivery ------------------------------------------------------
    def test_edit_after_partial_delivery_leaves_delivered_units(self):
        seeded, order, first, second = self.partly_shipped_paid_order()
        shipped = first.qty_delivered
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        done_moves = [(move.id, move.quantity) for move in done.move_ids]
        # a fulfilled line cannot lose units in Shopify
        with self.assertRaises(ValueError):
            self.edit(seeded, quantities={0: 0})
        self.edit(seeded, quantities={1: 0}, add=[(self.extra_variant, 3)])
        self.deliver_edit(seeded)
        self.assertEqual((first.product_uom_qty, first.qty_delivered), (shipped, shipped))
        self.assertEqual(second.product_uom_qty, 0)
        self.assertFalse(self.open_moves(second))
        added = self.line_of(order, self.extra_product())
        self.assert_open(added, 3)
        self.assertEqual([(move.id, move.quantity) for move in done.move_ids], done_moves, "delivered: untouched")
        self.assertEqual(done.state, "done")
        self.assert_applied_once(seeded, order)

    # -- after invoicing ---------------------------------------------------------------
    def test_edit_after_invoicing_keeps_the_posted_invoice(self):
        seeded, order = self.synced_paid_order()
        invoice = self.invoice_of(seeded["id"])
        invoiced = (invoice.state, invoice.amount_total, sorted(invoice.invoice_line_ids.mapped("quantity")))
        first = self.goods_lines(order)[0]
        ordered = first.product_uom_qty
        self.edit(seeded, quantities={0: ordered - 1}, add=[(self.extra_variant, 1)])
        self.deliver_edit(seeded)
        self.assertEqual(first.product_uom_qty, ordered - 1)
        self.assert_open(first, ordered - 1)
        self.assert_open(self.line_of(order, self.extra_product()), 1)
        self.assertEqual(
            (invoice.state, invoice.amount_total, sorted(invoice.invoice_line_ids.mapped("quantity"))), invoiced
        )
        self.assertEqual(self.env["account.move"].search([("invoice_origin", "=", order.name)]), invoice)
        self.assertAlmostEqual(first.qty_to_invoice, -1, msg="the unit removed is left to a credit note")
        self.assertAlmostEqual(self.line_of(order, self.extra_product()).qty_to_invoice, 1)
        notes = order.message_ids.filtered(lambda m: "after it was invoiced" in (m.body or ""))
        self.assertEqual(len(notes), 1, "one note says the posted invoice was kept")
        self.assertIn(first.product_id.display_name, notes.body)
        self.assert_applied_once(seeded, order)

    def test_edit_after_a_refund_before_shipping_counts_each_unit_once(self):
        seeded, order = self.synced_paid_order()
        first, second = self.goods_lines(order)[0], self.goods_lines(order)[1]
        ordered = int(seeded["line_items"][0]["quantity"])
        self.assertGreaterEqual(ordered, 2)
        refund, _money_back = self.refund(seeded, 6729001, "cancel")
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        self.assertEqual((first.product_uom_qty, first.shopify_removed_qty), (ordered - 1, 1))
        # Shopify's current quantity is ordered - 1 (the refund): the edit removes one more, raises the other line
        self.edit(seeded, quantities={0: ordered - 2, 1: second.product_uom_qty + 1})
        raised = second.product_uom_qty + 1
        self.deliver_edit(seeded)
        self.assertEqual((first.product_uom_qty, first.shopify_removed_qty), (ordered - 2, 1))
        self.assert_open(first, ordered - 2)
        self.assertEqual(second.product_uom_qty, raised)
        self.assert_open(second, raised)
        self.assertEqual(len(self.credit_notes(order)), 1, "the edit adds no credit note of its own")
        self.assert_applied_once(seeded, order)

    # -- lines changed by hand in Odoo ---------------------------------------------------
    def test_a_line_changed_by_hand_is_kept_and_reported(self):
        self.shop.invoice_policy = "never"
        try:
            seeded, order = self.synced_unshipped_order()
            first, second = self.goods_lines(order)[0], self.goods_lines(order)[1]
            by_hand = first.product_uom_qty + 5
            first.with_user(self.env.ref("base.user_admin")).product_uom_qty = by_hand
            edits = self.env["shopify.manual.edit"].search(
                [("model", "=", "sale.order.line"), ("res_id", "=", first.id)]
            )
            self.assertEqual(edits.field_name, "product_uom_qty")
            raised = second.product_uom_qty + 1
            self.edit(seeded, quantities={0: 1, 1: raised})
            self.deliver_edit(seeded)
            self.assertEqual(first.product_uom_qty, by_hand, "the line changed by hand is kept")
            self.assertEqual(second.product_uom_qty, raised, "the other line follows Shopify")
            self.assert_open(second, raised)
            job = self.sync_job("order", seeded["id"])
            self.assertTrue(job.needs_action)
            self.assertEqual(job.category, "protected_field")
            self.assertIn("changed by hand", job.message)
            self.assertEqual(second.product_uom_qty, raised)
        finally:
            self.shop.invoice_policy = "on_paid"
