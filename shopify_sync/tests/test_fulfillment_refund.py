from odoo.tests import tagged

from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestFulfillmentsAndRefunds(ShopifyHttpCase):
    def _synced_order(self, quantities=(2, 1)):
        seeded = self.seed_order()
        for line, quantity in zip(seeded["line_items"], quantities, strict=False):
            line["quantity"] = quantity
        seeded["total_price"] = self.simulator.recompute_total(seeded)
        self.simulator.seed_order(seeded)
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.state, "sale")
        return seeded, order

    def _fulfil(self, seeded, lines, fulfillment_id):
        fulfillment = {
            "id": fulfillment_id,
            "order_id": seeded["id"],
            "status": "success",
            "tracking_company": "UPS",
            "tracking_number": f"1Z{fulfillment_id}",
            "line_items": [dict(line, quantity=qty) for line, qty in lines],
        }
        self.simulator.seed_fulfillment(seeded["id"], fulfillment)
        return fulfillment

    def test_duplicate_fulfillment_event_validates_once(self):
        seeded, order = self._synced_order()
        fulfillment = self._fulfil(seeded, [(seeded["line_items"][0], 2), (seeded["line_items"][1], 1)], 5550001)
        payload = self.simulator.webhook_payload("fulfillments/create", fulfillment["id"])
        self.post_webhook("fulfillments/create", payload)
        self.perform_jobs()
        self.post_webhook("fulfillments/update", payload)
        self.post_webhook("fulfillments/create", payload)
        self.perform_jobs()
        picking = self.bound("fulfillment", 5550001)
        self.assertIn(picking, order.picking_ids)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.shopify_binding_ids.tracking, "1Z5550001")
        self.assertEqual(len(order.picking_ids), 1, "no backorder: everything shipped")
        job = self.sync_job("fulfillment", 5550001)
        self.assertEqual((job.state, job.outcome), ("done", "skipped"))

    def test_partial_fulfillment_leaves_backorder_then_conflict(self):
        seeded, order = self._synced_order(quantities=(2, 1))
        first_line = seeded["line_items"][0]
        self._fulfil(seeded, [(first_line, 1)], 5550002)
        self.sync("fulfillment", 5550002)
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        backorder = order.picking_ids - done
        self.assertEqual(len(done), 1)
        self.assertEqual(len(backorder), 1)
        self.assertEqual(sum(done.move_ids.mapped("quantity")), 1)
        self.assertEqual(sum(backorder.move_ids.mapped("product_uom_qty")), 2)
        # a fulfillment for more than what is still open is a conflict, never a second validation
        self._fulfil(seeded, [(first_line, 2)], 5550003)
        job = self.sync_fails("fulfillment", 5550003)
        self.assertEqual(job.category, "data_conflict")
        self.assertEqual(backorder.state not in ("done", "cancel"), True)

    def test_refund_twice_one_credit_note(self):
        seeded, order = self._synced_order(quantities=(2, 1))
        line = seeded["line_items"][0]
        refund = {
            "id": 6660001,
            "order_id": seeded["id"],
            "note": "Damaged",
            "refund_line_items": [
                {
                    "line_item_id": line["id"],
                    "line_item": line,
                    "quantity": 1,
                    "restock_type": "no_restock",
                    "subtotal": line["price"],
                    "total_tax": "0.00",
                }
            ],
            "transactions": [{"kind": "refund", "status": "success", "amount": line["price"]}],
        }
        self.simulator.seed_refund(seeded["id"], refund)
        payload = self.simulator.webhook_payload("refunds/create", refund["id"])
        self.post_webhook("refunds/create", payload)
        self.post_webhook("refunds/create", payload)
        self.perform_jobs()
        self.sync("refund", refund["id"])
        notes = self.env["account.move"].search([("ref", "like", "Refund 6660001")])
        self.assertEqual(notes, self.bound("refund", 6660001))
        self.assertEqual(len(notes), 1)
        self.assertEqual((notes.move_type, notes.state), ("out_refund", "draft"))
        self.assertAlmostEqual(notes.amount_untaxed, float(line["price"]), places=2)
        self.assertEqual(self.sync_job("refund", refund["id"]).outcome, "skipped")

    def test_restock_creates_return_only_when_enabled(self):
        self.shop.refund_restock = True
        seeded, order = self._synced_order(quantities=(2, 1))
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        line = seeded["line_items"][0]
        refund = {
            "id": 6660002,
            "order_id": seeded["id"],
            "refund_line_items": [
                {
                    "line_item_id": line["id"],
                    "line_item": line,
                    "quantity": 1,
                    "restock_type": "return",
                    "subtotal": line["price"],
                    "total_tax": "0.00",
                }
            ],
            "transactions": [{"kind": "refund", "status": "success", "amount": line["price"]}],
        }
        self.simulator.seed_refund(seeded["id"], refund)
        self.sync("refund", refund["id"])
        returns = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(len(returns), 1)
        self.assertEqual(sum(returns.move_ids.mapped("product_uom_qty")), 1)
        self.assertIn(returns.name, self.sync_job("refund", refund["id"]).outcome_note)
