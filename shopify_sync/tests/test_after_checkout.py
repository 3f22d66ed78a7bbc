"""After checkout: refunds of units not shipped yet, and cancellations after payment or partial delivery.

Each path is applied once: its webhook delivered twice, out of order with its neighbour, and its job
run again after a timeout that came after its write. The result is one credit note, one refund
payment, and the delivery reduced once.
"""

import unittest

from odoo.tests import tagged

from ..mapping import order as omap
from .accounting_common import setup_accounting
from .common import ShopifyHttpCase
from .test_accounting import AccountingMixin
from .test_accounting_refunds import unit_price


def refund_node(items, fulfilled=()):
    """A Refund node as the refund query reads it: (line item id, quantity, restock type) lines,
    and the (line item id, quantity) its order's fulfillments shipped."""
    return {
        "refundLineItems": {
            "nodes": [
                {"quantity": quantity, "restockType": restock, "lineItem": {"id": line_id}}
                for line_id, quantity, restock in items
            ]
        },
        "order": {
            "fulfillments": [
                {
                    "status": "SUCCESS",
                    "fulfillmentLineItems": {
                        "nodes": [
                            {"quantity": quantity, "lineItem": {"id": line_id}} for line_id, quantity in fulfilled
                        ]
                    },
                },
                {
                    "status": "CANCELLED",
                    "fulfillmentLineItems": {"nodes": [{"quantity": 5, "lineItem": {"id": "L3"}}]},
                },
            ]
        },
    }


class TestUnshippedRefundLines(unittest.TestCase):
    def test_unshipped_refund_lines_by_restock_type(self):
        node = refund_node(
            [("L1", 1, "CANCEL"), ("L2", 2, "NO_RESTOCK"), ("L3", 1, "NO_RESTOCK"), ("L4", 1, "RETURN")],
            fulfilled=[("L1", 1), ("L2", 1)],
        )
        unshipped = [(item["lineItem"]["id"], quantity) for item, quantity in omap.unshipped_refund_lines(node)]
        # CANCEL: never shipped; NO_RESTOCK of a line shipped in part: shipped goods kept by the customer;
        # NO_RESTOCK of a line only a failed fulfillment touched: unshipped; RETURN: a return, not this path
        self.assertEqual(unshipped, [("L1", 1), ("L3", 1)])
        # a list read to its limit may be partial: a line not restocked then counts as shipped
        unshipped = omap.unshipped_refund_lines(node, fulfillments_first=2)
        self.assertEqual([item["lineItem"]["id"] for item, _quantity in unshipped], ["L1"])
        unshipped = omap.unshipped_refund_lines(node, fulfillments_first=5, lines_first=2)
        self.assertEqual([item["lineItem"]["id"] for item, _quantity in unshipped], ["L1"])


class AfterCheckoutCase(AccountingMixin, ShopifyHttpCase):
    """A store with its books, and the helpers of the after-checkout paths (also test_order_edits.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)
        cls.shop.post_credit_notes = True

    # -- helpers -----------------------------------------------------------------
    def webhook(self, topic, resource_id, copies=1):
        payload = self.simulator.webhook_payload(topic, resource_id)
        for _copy in range(copies):
            self.post_webhook(topic, payload)

    def synced_paid_order(self):
        """A paid order in Shopify and in Odoo: confirmed, invoiced, paid, its delivery open."""
        seeded = self.seed_order()
        self.webhook("orders/create", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.invoice_of(seeded["id"]).state, "posted")
        return seeded, order

    def refund(self, seeded, refund_id, restock, line_index=0, quantity=1):
        line = seeded["line_items"][line_index]
        money_back = round(unit_price(line) * quantity * 1.06, 2)
        refund = {
            "id": refund_id,
            "order_id": seeded["id"],
            "refund_line_items": [{"line_item_id": line["id"], "quantity": quantity, "restock_type": restock}],
            "transactions": [
                {"kind": "refund", "status": "success", "gateway": "shopify_payments", "amount": f"{money_back:.2f}"}
            ],
        }
        self.simulator.seed_refund(seeded["id"], refund)
        return refund, money_back

    def fulfil(self, seeded, fulfillment_id, lines):
        """Ship ``lines`` [(line index, quantity)] in Shopify and bring the fulfillment into Odoo."""
        items = [dict(seeded["line_items"][index], quantity=quantity) for index, quantity in lines]
        self.simulator.seed_fulfillment(seeded["id"], {"id": fulfillment_id, "line_items": items})
        self.webhook("fulfillments/create", fulfillment_id)
        self.perform_jobs()
        self.assertTrue(self.bound("fulfillment", fulfillment_id))

    def goods_lines(self, order):
        return order.order_line.filtered(lambda line: line.product_id.type == "consu")

    def open_moves(self, line):
        return line.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel") and move.picking_code == "outgoing"
        )

    def refund_payments(self, refund):
        ids = [str(t["id"]) for t in self.simulator.store.refunds[int(refund["id"])]["transactions"]]
        bindings = self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_id", "in", ids)]
        )
        return bindings.odoo_id

    def credit_notes(self, order):
        return self.env["account.move"].search([("move_type", "=", "out_refund"), ("invoice_origin", "=", order.name)])

    def rerun(self, resource_type, resource_id):
        """The job runs again after its work was committed (its answer lost to a timeout)."""
        job = self.sync_job(resource_type, resource_id)
        queue_job = self.env["queue.job"].search([("identity_key", "=", job.identity_key)], order="id desc", limit=1)
        self.assertEqual(queue_job.state, "done", job.message)
        queue_job.write({"state": "pending"})
        self.assertEqual(self._perform_one(queue_job.uuid), "done")

    def assert_refund_booked_once(self, order, refund, money_back):
        credit_note = self.bound("refund", refund["id"])
        self.assertEqual(self.credit_notes(order), credit_note, "one credit note")
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, money_back, delta=0.05)
        payments = self.refund_payments(refund)
        self.assertEqual(len(payments), 1, "one refund payment")
        self.assertEqual((payments.payment_type, payments.journal_id), ("outbound", self.books.card))
        self.assertEqual(credit_note.payment_state, "paid")
        return credit_note

    def assert_nothing_to_invoice(self, order):
        for line in order.order_line.filtered(lambda sol: not sol.display_type):
            self.assertAlmostEqual(line.qty_to_invoice, 0.0, msg=f"{line.name} is not 'to invoice'")
        self.assertNotEqual(order.invoice_status, "to invoice")

    def partly_shipped_paid_order(self):
        seeded, order = self.synced_paid_order()
        shipped = int(seeded["line_items"][0]["quantity"])
        self.fulfil(seeded, 5710100 + int(seeded["id"]) % 1000, [(0, shipped)])
        first, second = self.goods_lines(order)[0], self.goods_lines(order)[1]
        self.assertEqual(first.qty_delivered, shipped)
        self.assertTrue(self.open_moves(second))
        return seeded, order, first, second

    def assert_cancelled_rest(self, seeded, order, first, second, refund):
        shipped = int(seeded["line_items"][0]["quantity"])
        self.assertEqual(order.state, "sale", "what was delivered stays")
        self.assertEqual((first.product_uom_qty, first.qty_delivered), (shipped, shipped))
        self.assertEqual(second.product_uom_qty, 0)
        self.assertEqual(second.shopify_removed_qty, int(seeded["line_items"][1]["quantity"]))
        self.assertFalse(self.open_moves(first) | self.open_moves(second), "nothing left to ship")
        self.assertEqual(len(order.picking_ids.filtered(lambda p: p.state == "done")), 1)
        money_back = float(refund["transactions"][0]["amount"])
        self.assert_refund_booked_once(order, refund, money_back)
        self.assert_nothing_to_invoice(order)
        notes = order.message_ids.filtered(lambda m: "Shopify cancelled" in (m.body or ""))
        self.assertEqual(len(notes), 1, "one note says Shopify cancelled it anyway")
        self.assertIn(first.product_id.display_name, notes.body)
        binding = order.shopify_binding_ids
        self.assertTrue(binding.shopify_cancelled_at)


@tagged("post_install", "-at_install")
class TestAfterCheckout(AfterCheckoutCase):
    # -- item 1: refunds of units not shipped yet ---------------------------------
    def test_cancel_refund_twice_takes_the_unit_off_once(self):
        seeded, order = self.synced_paid_order()
        line = self.goods_lines(order)[0]
        ordered = line.product_uom_qty
        refund, money_back = self.refund(seeded, 6710001, "cancel")
        self.webhook("refunds/create", refund["id"], copies=2)
        self.webhook("orders/updated", seeded["id"])  # Shopify's order changed with the refund
        self.perform_jobs()
        self.assertIn("not shipped, taken off the order", self.sync_job("refund", refund["id"]).outcome_note)
        self.rerun("refund", refund["id"])
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        self.assert_refund_booked_once(order, refund, money_back)
        self.assertEqual(line.product_uom_qty, ordered - 1)
        self.assertEqual(line.shopify_removed_qty, 1)
        self.assertEqual(sum(self.open_moves(line).mapped("product_uom_qty")), ordered - 1, "the delivery lost 1")
        self.assert_nothing_to_invoice(order)
        order_job = self.sync_job("order", seeded["id"])
        self.assertFalse(order_job.needs_action, "Shopify's quantity still counts the refunded unit: no conflict")
        self.assertEqual(line.product_uom_qty, ordered - 1, "an order update does not bring the unit back")

    def test_unshipped_refund_before_its_order_waits_and_applies_once(self):
        seeded = self.seed_order()
        refund, money_back = self.refund(seeded, 6710002, "no_restock")
        # the refund's webhook comes first: its order is not in Odoo yet
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        job = self.sync_job("refund", refund["id"])
        self.assertEqual(job.category, "mapping")
        self.assertFalse(self.bound("refund", refund["id"]))
        self.webhook("orders/create", seeded["id"], copies=2)
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        line = self.goods_lines(order)[0]
        ordered = int(seeded["line_items"][0]["quantity"])
        self.assertEqual(self.sync_job("refund", refund["id"]).outcome, "created", "the order brought its refund")
        self.assertFalse(self.sync_job("refund", refund["id"]).needs_action)
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        self.assert_refund_booked_once(order, refund, money_back)
        self.assertEqual((line.product_uom_qty, line.shopify_removed_qty), (ordered - 1, 1))
        self.assertEqual(sum(self.open_moves(line).mapped("product_uom_qty")), ordered - 1)
        self.assertEqual(len(self.invoice_of(seeded["id"])), 1)
        self.assert_nothing_to_invoice(order)

    def test_shipped_refund_without_return_moves_no_stock(self):
        seeded, order = self.synced_paid_order()
        everything = [(index, int(line["quantity"])) for index, line in enumerate(seeded["line_items"])]
        self.fulfil(seeded, 5710001, everything)
        line = self.goods_lines(order)[0]
        moves = order.picking_ids.move_ids
        quantities = [(move.id, move.state, move.quantity) for move in moves]
        refund, money_back = self.refund(seeded, 6710003, "no_restock")
        self.webhook("refunds/create", refund["id"], copies=2)
        self.perform_jobs()
        self.assert_refund_booked_once(order, refund, money_back)
        self.assertEqual(order.picking_ids.move_ids, moves, "no return, no new move")
        self.assertEqual([(move.id, move.state, move.quantity) for move in moves], quantities)
        self.assertEqual(line.shopify_removed_qty, 0)
        self.assertEqual(line.product_uom_qty, int(seeded["line_items"][0]["quantity"]))

    def test_unshipped_refund_of_a_locked_order(self):
        seeded, order = self.synced_paid_order()
        order.action_lock()
        line = self.goods_lines(order)[0]
        ordered = line.product_uom_qty
        refund, money_back = self.refund(seeded, 6710005, "cancel")
        self.sync("refund", refund["id"])
        self.perform_jobs()
        self.assert_refund_booked_once(order, refund, money_back)
        self.assertEqual(line.product_uom_qty, ordered - 1)
        self.assertEqual(sum(self.open_moves(line).mapped("product_uom_qty")), ordered - 1)
        self.assertTrue(order.locked, "locked again")

    def test_order_update_of_a_draft_order_keeps_the_refunded_unit_off(self):
        self.shop.confirm_policy = "never"
        self.shop.invoice_policy = "never"
        try:
            seeded = self.seed_order()
            self.sync("order", seeded["id"])
            order = self.bound("order", seeded["id"])
            self.assertEqual(order.state, "draft")
            ordered = int(seeded["line_items"][0]["quantity"])
            refund, _money_back = self.refund(seeded, 6710004, "cancel")
            self.sync("refund", refund["id"])
            line = self.goods_lines(order)[0]
            self.assertEqual((line.product_uom_qty, line.shopify_removed_qty), (ordered - 1, 1))
            # Shopify changes the order's note and another line's price: Odoo rewrites the draft's lines
            changed = self.simulator.store.orders[int(seeded["id"])]
            changed["line_items"][1]["price"] = f"{float(changed['line_items'][1]['price']) + 1:.2f}"
            self.simulator.touch("order", seeded["id"])
            self.sync("order", seeded["id"])
            line = self.goods_lines(order).filtered(lambda sol: sol.shopify_removed_qty)
            self.assertEqual((line.product_uom_qty, line.shopify_removed_qty), (ordered - 1, 1))
        finally:
            self.shop.confirm_policy = "on_create"
            self.shop.invoice_policy = "on_paid"

    # -- item 5: cancellation after payment or partial delivery -------------------
    def test_cancel_after_partial_delivery_cancels_the_rest_once(self):
        seeded, order, first, second = self.partly_shipped_paid_order()
        _cancelled, refund = self.simulator.cancel_order(seeded["id"], reason="customer")
        self.assertEqual(refund["refund_line_items"][0]["restock_type"], "cancel")
        self.webhook("orders/cancelled", seeded["id"], copies=2)
        self.perform_jobs()
        self.webhook("refunds/create", refund["id"], copies=2)
        self.webhook("orders/updated", seeded["id"])
        self.perform_jobs()
        # the order job again after its write (a timeout), with a newer version of the order
        self.simulator.touch("order", seeded["id"])
        self.rerun("order", seeded["id"])
        self.rerun("refund", refund["id"])
        self.assertEqual(self.sync_job("order", seeded["id"]).outcome, "skipped")
        self.assert_cancelled_rest(seeded, order, first, second, refund)

    def test_cancel_refund_before_the_cancellation_applies_once(self):
        seeded, order, first, second = self.partly_shipped_paid_order()
        _cancelled, refund = self.simulator.cancel_order(seeded["id"], reason="inventory")
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        self.assertEqual(second.product_uom_qty, 0, "the refund took the unshipped units off")
        self.webhook("orders/cancelled", seeded["id"], copies=2)
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        self.assert_cancelled_rest(seeded, order, first, second, refund)
        self.assertIn("INVENTORY", order.message_ids.filtered(lambda m: "Shopify cancelled" in (m.body or "")).body)

    def test_cancel_of_an_unshipped_paid_order_keeps_the_invoice(self):
        seeded, order = self.synced_paid_order()
        _cancelled, refund = self.simulator.cancel_order(seeded["id"])
        self.webhook("orders/cancelled", seeded["id"])
        self.webhook("refunds/create", refund["id"])
        self.perform_jobs()
        self.assertEqual(order.state, "sale", "invoiced: the order stays, its goods are taken off")
        self.assertFalse(self.goods_lines(order).filtered("product_uom_qty"))
        self.assertFalse(order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")))
        self.assert_refund_booked_once(order, refund, float(refund["transactions"][0]["amount"]))
        self.assertEqual(self.invoice_of(seeded["id"]).state, "posted")
