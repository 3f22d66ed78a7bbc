"""Shopify returns: expected while requested or approved, shown declined or cancelled, and once
processed one validated return receipt of the order's delivery into the locations its dispositions
say; its refund is one credit note. Each applied once: webhooks delivered twice, processed before the
approval arrives, and the job run again after a timeout that came after its write."""

from odoo.tests import tagged

from . import test_after_checkout as after_checkout
from .test_accounting_refunds import unit_price

SHOPIFY_LOCATION = 655441491  # the simulator's first location
LOCATION_GID = f"gid://shopify/Location/{SHOPIFY_LOCATION}"


class ReturnsCase(after_checkout.AfterCheckoutCase):
    """A store with its books and a returns shelf mapped to Shopify's location; the helpers of returns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.shop.company_id.id)], limit=1)
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Returns shelf", "usage": "internal", "location_id": warehouse.lot_stock_id.id}
        )
        cls.env["shopify.location.mapping"].create(
            {"shop_id": cls.shop.id, "location_id": cls.shelf.id, "shopify_location_id": str(SHOPIFY_LOCATION)}
        )

    # -- helpers -----------------------------------------------------------------------
    def shipped_order(self, fulfillment_id):
        seeded, order = self.synced_paid_order()
        self.fulfil(
            seeded, fulfillment_id, [(index, int(line["quantity"])) for index, line in enumerate(seeded["line_items"])]
        )
        self.assertEqual(order.picking_ids.state, "done")
        return seeded, order

    def request(self, seeded, fulfillment_id, lines=1, approve=False):
        """A return of one unit of each of the order's first ``lines`` lines, requested in Shopify."""
        store = self.simulator.store
        shipped = store.fulfillments[fulfillment_id]["line_items"][:lines]
        ret = store.request_return(
            seeded["id"],
            [{"fulfillment_line_item_id": line["fulfillment_line_item_id"], "quantity": 1} for line in shipped],
            approve=approve,
        )
        self.simulator.take_webhooks()
        return ret

    def process(self, seeded, ret, dispositions, refund=True):
        """Process the return's lines, one disposition type each, the money back refunded."""
        store = self.simulator.store
        order_lines = {int(line["id"]): line for line in seeded["line_items"]}
        items = ret["return_line_items"]
        money_back = round(sum(unit_price(order_lines[item["line_item_id"]]) for item in items) * 1.06, 2)
        sale = next(t for t in store.orders[int(seeded["id"])]["transactions"] if t["kind"] == "sale")
        processed = store.process_return(
            ret["id"],
            [
                {
                    "id": item["id"],
                    "quantity": 1,
                    "dispositions": [
                        {
                            "type": kind,
                            "quantity": 1,
                            "location_id": SHOPIFY_LOCATION if kind == "RESTOCKED" else None,
                        }
                    ],
                }
                for item, kind in zip(items, dispositions, strict=True)
            ],
            refund=[{"parent_id": sale["id"], "amount": f"{money_back:.2f}"}] if refund else None,
        )
        topics = self.simulator.take_webhooks()
        refund_id = next((rid for topic, rid in topics if topic == "refunds/create"), None)
        return processed, refund_id, money_back

    def receipts(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")

    def binding(self, ret):
        return self.env["shopify.return.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_id", "=", str(ret["id"]))]
        )

    def return_notes(self, order, ret):
        return order.message_ids.filtered(lambda m: f"Shopify return {ret['name']}" in (m.body or ""))


@tagged("post_install", "-at_install")
class TestReturns(ReturnsCase):
    # -- requested, approved: expected, nothing moves -----------------------------------------
    def test_requested_and_approved_returns_are_expected_and_move_nothing(self):
        seeded, order = self.shipped_order(5810001)
        moves = order.picking_ids.move_ids
        ret = self.request(seeded, 5810001)
        self.webhook("returns/request", ret["id"], copies=2)
        self.perform_jobs()
        binding = self.binding(ret)
        self.assertEqual((binding.status, binding.quantity, binding.sale_order_id), ("requested", 1, order))
        self.assertEqual(order.shopify_expected_return_count, 1)
        self.assertFalse(binding.odoo_id)
        self.assertFalse(self.receipts(order), "a request moves nothing")
        self.simulator.store.approve_return(ret["id"])
        self.webhook("returns/approve", ret["id"], copies=2)
        self.perform_jobs()
        self.assertEqual((binding.status, order.shopify_expected_return_count), ("open", 1))
        self.assertFalse(self.receipts(order), "an approval moves nothing")
        self.assertEqual(order.picking_ids.move_ids, moves)
        self.assertEqual(len(self.return_notes(order, ret)), 2, "one chatter line per status")
        self.assertIn("Nothing has moved in Odoo yet", self.return_notes(order, ret)[0].body)
        self.assertFalse(self.credit_notes(order))

    def test_declined_and_cancelled_returns_are_shown_as_such(self):
        seeded, order = self.shipped_order(5810002)
        declined = self.request(seeded, 5810002)
        self.simulator.store.decline_return(declined["id"], "FINAL_SALE", "Final sale item")
        self.webhook("returns/request", declined["id"])
        self.webhook("returns/decline", declined["id"], copies=2)
        cancelled = self.request(seeded, 5810002, approve=True)
        self.simulator.store.cancel_return(cancelled["id"])
        self.webhook("returns/cancel", cancelled["id"])
        self.webhook("returns/approve", cancelled["id"])
        self.perform_jobs()
        self.assertEqual(self.binding(declined).status, "declined")
        self.assertEqual(self.binding(cancelled).status, "canceled")
        self.assertEqual(order.shopify_expected_return_count, 0)
        self.assertFalse(self.receipts(order))
        self.assertEqual(len(self.return_notes(order, declined)), 1)
        self.assertIn("Declined", self.return_notes(order, declined).body)

    # -- processed: one receipt, one credit note ----------------------------------------------
    def test_processed_before_approval_twice_and_rerun_one_receipt_one_credit_note(self):
        seeded, order = self.shipped_order(5810003)
        ret = self.request(seeded, 5810003, lines=2, approve=True)
        processed, refund_id, money_back = self.process(seeded, ret, ["RESTOCKED", "NOT_RESTOCKED"])
        self.assertEqual(processed["status"], "CLOSED")
        # returns/process comes first, twice; the approval and the request arrive afterwards
        self.webhook("returns/process", ret["id"], copies=2)
        self.webhook("refunds/create", refund_id, copies=2)
        self.perform_jobs()
        self.assertIn("restocked by Shopify return", self.sync_job("refund", refund_id).outcome_note)
        self.webhook("returns/approve", ret["id"])
        self.webhook("returns/request", ret["id"])
        self.webhook("returns/close", ret["id"])
        self.perform_jobs()
        self.rerun("return", ret["id"])
        self.rerun("refund", refund_id)
        receipt = self.receipts(order)
        self.assertEqual(len(receipt), 1, "one return receipt")
        self.assertEqual(receipt.state, "done")
        binding = self.binding(ret)
        self.assertEqual((binding.odoo_id, binding.status, binding.processed_quantity), (receipt, "closed", 2))
        self.assertEqual(order.shopify_expected_return_count, 0)
        first, second = order.order_line.filtered(lambda line: line.product_id.type == "consu")[:2].product_id
        self.assertEqual(receipt.move_ids.product_id, first | second)
        scrap = self.env["stock.location"].search(
            [("usage", "=", "inventory"), ("company_id", "=", self.shop.company_id.id)], order="id", limit=1
        )
        self.assertEqual(
            sorted((move.product_id.id, move.location_dest_id.id, move.quantity) for move in receipt.move_ids),
            sorted([(first.id, self.shelf.id, 1.0), (second.id, scrap.id, 1.0)]),
            "the restocked unit on the mapped shelf, the other one scrapped",
        )
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(first, self.shelf), 1.0)
        self.assertEqual(self.sync_job("return", ret["id"]).outcome, "skipped")
        refund = {"id": refund_id}
        credit_note = self.assert_refund_booked_once(order, refund, money_back)
        self.assertTrue(credit_note)

    def test_a_return_refund_makes_no_second_receipt_with_the_restock_option(self):
        self.shop.refund_restock = True
        custom = self.env["stock.location"].create(
            {"name": "Damaged returns", "usage": "internal", "location_id": self.shelf.location_id.id}
        )
        self.shop.return_scrap_location_id = custom
        try:
            seeded, order = self.shipped_order(5810004)
            ret = self.request(seeded, 5810004, approve=True)
            _processed, refund_id, money_back = self.process(seeded, ret, ["NOT_RESTOCKED"])
            # the refund first: its job leaves the units to the return
            self.webhook("refunds/create", refund_id)
            self.perform_jobs()
            self.assertFalse(self.receipts(order), "the refund of a return makes no receipt")
            self.webhook("returns/close", ret["id"])
            self.webhook("returns/process", ret["id"])
            self.perform_jobs()
            receipt = self.receipts(order)
            self.assertEqual(len(receipt), 1)
            self.assertEqual(receipt.move_ids.location_dest_id, custom, "the shop's location for units not restocked")
            self.assertEqual(receipt.move_ids.quantity, 1)
            self.assert_refund_booked_once(order, {"id": refund_id}, money_back)
        finally:
            self.shop.refund_restock = False
            self.shop.return_scrap_location_id = False

    def test_a_return_processed_again_after_its_receipt_is_a_conflict(self):
        seeded, order = self.shipped_order(5810006)
        ret = self.request(seeded, 5810006, lines=2, approve=True)
        first_only = dict(ret, return_line_items=ret["return_line_items"][:1])
        self.process(seeded, first_only, ["RESTOCKED"], refund=False)
        self.webhook("returns/process", ret["id"])
        self.perform_jobs()
        receipt = self.receipts(order)
        self.assertEqual((len(receipt), receipt.move_ids.quantity), (1, 1.0))
        self.assertEqual(self.binding(ret).status, "open")
        second_only = dict(ret, return_line_items=ret["return_line_items"][1:])
        self.process(seeded, second_only, ["NOT_RESTOCKED"], refund=False)
        self.webhook("returns/process", ret["id"])
        self.perform_jobs()
        job = self.sync_job("return", ret["id"])
        self.assertEqual(job.category, "data_conflict")
        self.assertIn("processed again", job.message)
        self.assertEqual(self.receipts(order), receipt, "nothing received twice, nor in part")
        self.assertEqual(receipt.move_ids.quantity, 1.0)

    def test_a_return_before_its_order_waits_for_it(self):
        seeded, order = self.shipped_order(5810005)
        ret = self.request(seeded, 5810005)
        self.webhook("returns/request", ret["id"])
        self.perform_jobs()
        # the order's binding removed: Odoo does not know the order yet
        binding = order.shopify_binding_ids
        shopify_id = binding.shopify_id
        binding.unlink()
        self.simulator.store.approve_return(ret["id"])
        self.webhook("returns/approve", ret["id"])
        self.perform_jobs()
        job = self.sync_job("return", ret["id"])
        self.assertEqual(job.category, "mapping")
        self.assertEqual(self.binding(ret).status, "requested", "nothing half-written")
        self.env["shopify.order.binding"].create(
            {"shop_id": self.shop.id, "shopify_id": shopify_id, "odoo_id": order.id}
        )
        self.rerun_failed("return", ret["id"])
        self.assertEqual(self.binding(ret).status, "open")

    def rerun_failed(self, resource_type, resource_id):
        job = self.sync_job(resource_type, resource_id)
        queue_job = self.env["queue.job"].search([("identity_key", "=", job.identity_key)], order="id desc", limit=1)
        queue_job.write({"state": "pending"})
        self.assertEqual(self._perform_one(queue_job.uuid), "done")
