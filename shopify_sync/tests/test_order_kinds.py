"""Orders that are not plain web orders: point of sale (and, below, tips, duties and fees)."""

import uuid

from odoo import Command
from odoo.tests import tagged

from ..mapping import order as omap
from .accounting_common import make_journal, setup_accounting
from .common import ShopifyHttpCase, ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestPointOfSaleOrders(ShopifyHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.retail = cls.simulator.seed_location({"name": "Main Street store"})
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.shop.company_id.id)], limit=1)
        cls.counter = cls.env["stock.location"].create(
            {"name": "Main Street counter", "usage": "internal", "location_id": warehouse.view_location_id.id}
        )
        cls.pos_team = cls.env["crm.team"].create({"name": "Shopify POS"})
        cls.shop.pos_team_id = cls.pos_team
        cls.mapping = cls.env["shopify.location.mapping"].create(
            {"shop_id": cls.shop.id, "location_id": cls.counter.id, "shopify_location_id": str(cls.retail["id"])}
        )

    def _event(self, topic, payload):
        response = self.post_webhook(topic, payload, headers={"X-Shopify-Event-Id": str(uuid.uuid4())})
        self.assertEqual(response.status_code, 200)

    def _pos_order(self, location_id=None, gateway="cash"):
        """A paid order taken at the counter: source pos, the retail location, no shipping."""
        data = self.simulator.generate(customers=1, products=2, orders=1, lines_per_order=2, gateways=[gateway])
        order = data["orders"][0]
        order.update(
            source_name="pos",
            location_id=location_id or self.retail["id"],
            shipping_lines=[],
            shipping_address=None,
            financial_status="paid",
        )
        order["total_price"] = self.simulator.recompute_total(order)
        return self.simulator.seed_order(order)

    def test_recognised_by_source_or_retail_location(self):
        self.assertTrue(omap.is_pos({"sourceName": "pos"}))
        self.assertTrue(omap.is_pos({"sourceName": "shopify_draft_order", "retailLocation": {"legacyResourceId": "1"}}))
        self.assertFalse(omap.is_pos({"sourceName": "web", "retailLocation": None}))

    def test_handed_over_once_from_the_mapped_location(self):
        seeded = self._pos_order()
        payload = self.simulator.webhook_payload("orders/create", seeded["id"])
        self._event("orders/create", payload)
        self._event("orders/create", payload)
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(self.orders_named(seeded["name"]), order)
        self.assertEqual((order.state, order.team_id, order.shopify_is_pos), ("sale", self.pos_team, True))
        picking = order.picking_ids
        self.assertEqual(len(picking), 1, "no delivery waits: the goods left at the counter")
        self.assertEqual((picking.state, picking.location_id), ("done", self.counter))
        self.assertEqual(set(picking.move_ids.mapped("state")), {"done"})
        self.assertEqual(picking.move_ids.move_line_ids.location_id, self.counter)
        ordered = sum(line["quantity"] for line in seeded["line_items"])
        self.assertEqual(sum(picking.move_ids.mapped("quantity")), ordered)
        # an update, and Shopify's own fulfillment of the POS order: no second stock move
        self.simulator.touch("order", seeded["id"])
        self._event("orders/updated", self.simulator.webhook_payload("orders/updated", seeded["id"]))
        fulfillment = self.simulator.seed_fulfillment(
            seeded["id"],
            {"status": "success", "location_id": self.retail["id"], "line_items": seeded["line_items"]},
        )
        self._event("fulfillments/create", self.simulator.webhook_payload("fulfillments/create", fulfillment["id"]))
        self.perform_jobs()
        self.assertEqual(order.picking_ids, picking)
        self.assertEqual(sum(picking.move_ids.mapped("quantity")), ordered)
        job = self.sync_job("fulfillment", fulfillment["id"])
        self.assertEqual((job.state, job.outcome), ("done", "skipped"))
        moved = self.env["stock.move"].search([("location_id", "=", self.counter.id), ("state", "=", "done")])
        self.assertEqual(moved, picking.move_ids)

    def test_a_held_pos_order_is_handed_over_when_released(self):
        seeded = self._pos_order()
        self.simulator.assess_order_risk(seeded["id"], "high")
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual((order.state, order.shopify_risk_hold), ("draft", True))
        self.assertFalse(order.picking_ids)
        order.action_shopify_release_risk_hold()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.mapped("state"), ["done"])
        self.assertEqual(order.picking_ids.location_id, self.counter)

    def test_the_location_names_its_own_team(self):
        other_team = self.env["crm.team"].create({"name": "Main Street staff"})
        self.mapping.pos_team_id = other_team
        seeded = self._pos_order()
        self.sync("order", seeded["id"])
        self.assertEqual(self.bound("order", seeded["id"]).team_id, other_team)

    def test_an_unmapped_retail_location_is_a_mapping_failure(self):
        elsewhere = self.simulator.seed_location({"name": "Pop-up stand"})
        seeded = self._pos_order(location_id=elsewhere["id"])
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "mapping")
        self.assertIn(f"Shopify location {elsewhere['id']}", job.message)
        self.assertFalse(self.orders_named(seeded["name"]))
        # mapped: the retry makes one order, handed over from there
        self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": self.counter.id, "shopify_location_id": str(elsewhere["id"])}
        )
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.picking_ids.mapped("state"), ["done"])

    def test_paid_by_the_pos_gateway_journal(self):
        books = setup_accounting(self.env, self.shop)
        cash = make_journal(self.env, "Shop till", "cash")
        self.shop.gateway_mapping_ids = [Command.create({"gateway": "cash", "journal_id": cash.id})]
        seeded = self._pos_order(gateway="cash")
        self.sync("order", seeded["id"])
        self.sync("order_payments", seeded["id"])
        bindings = self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("order_shopify_id", "=", str(seeded["id"]))]
        )
        payment = bindings.odoo_id
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.journal_id, cash)
        self.assertNotEqual(payment.journal_id, books.card)
        self.assertAlmostEqual(payment.amount, float(seeded["total_price"]), places=2)
        invoice = self.env["shopify.invoice.binding"]._record(self.shop, seeded["id"])
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "paid"))


@tagged("post_install", "-at_install")
class TestTipsDutiesAndFees(ShopifyTransactionCase):
    def _order_with_extras(self):
        seeded = self.seed_order()
        for line in seeded["line_items"]:
            # without discounts Odoo's lines reproduce Shopify's to the cent: any rounding line would
            # come from the extras (a discount's own rounding: test_generated_orders.py)
            line.update(total_discount="0.00", discount_allocations=[])
        seeded["total_tip_received"] = "5.00"
        seeded["line_items"][0]["duties"] = [
            {"price": "3.00", "harmonized_system_code": "6109", "tax_lines": [{"title": "Import VAT", "rate": 0.2}]}
        ]
        seeded["additional_fees"] = [{"name": "Retail delivery fee", "price": "0.50", "tax_lines": [{"rate": 0.06}]}]
        seeded["total_price"] = self.simulator.recompute_total(seeded)
        return self.simulator.seed_order(seeded)

    def _line(self, order, xmlid):
        return order.order_line.filtered(lambda line: line.product_id == self.env.ref(xmlid))

    def test_each_becomes_a_line_of_its_own_product_and_the_totals_agree(self):
        seeded = self._order_with_extras()
        goods = sum(float(line["price"]) * line["quantity"] for line in seeded["line_items"])
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.amount_total, float(seeded["total_price"]))
        self.assertFalse(self._line(order, "shopify_sync.product_shopify_rounding"), "no rounding: the totals agree")
        tip = self._line(order, "shopify_sync.product_shopify_tip")
        duty = self._line(order, "shopify_sync.product_shopify_duty")
        import_tax = self._line(order, "shopify_sync.product_shopify_import_tax")
        fee = self._line(order, "shopify_sync.product_shopify_fee")
        self.assertEqual(
            [(line.price_unit, line.tax_ids) for line in tip | duty | import_tax],
            [
                (5.0, self.env["account.tax"]),
                (3.0, self.env["account.tax"]),
                (0.6, self.env["account.tax"]),
            ],
        )
        self.assertEqual((fee.name, fee.price_unit, fee.tax_ids), ("Retail delivery fee", 0.5, self.tax))
        self.assertGreater(float(seeded["total_price"]), goods + 5 + 3 + 0.6 + 0.5)
        # read again (an update): the same lines, none twice
        lines = order.order_line
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.assertEqual(order.order_line, lines)
        self.assertEqual(order.amount_total, float(seeded["total_price"]))

    def test_the_shop_names_its_own_products(self):
        tip_product = self.env["product.product"].create({"name": "Staff tips", "type": "service"})
        self.shop.tip_product_id = tip_product
        seeded = self._order_with_extras()
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.order_line.filtered(lambda line: line.product_id == tip_product).price_unit, 5.0)
        self.assertFalse(self._line(order, "shopify_sync.product_shopify_tip"))

    def test_the_totals_check_stays_strict(self):
        seeded = self._order_with_extras()
        seeded["total_price"] = f"{float(seeded['total_price']) + 1:.2f}"  # Shopify charges one more than its parts
        self.simulator.seed_order(seeded)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "data_conflict")
        self.assertFalse(self.orders_named(seeded["name"]))


@tagged("post_install", "-at_install")
class TestTipsDutiesAndFeesByWebhook(ShopifyHttpCase):
    def test_update_before_create_and_create_twice(self):
        seeded = self.seed_order()
        seeded["total_tip_received"] = "2.50"
        seeded["line_items"][1]["duties"] = [{"price": "1.20", "tax_lines": [{"title": "Import VAT", "rate": 0.25}]}]
        seeded["total_price"] = self.simulator.recompute_total(seeded)
        seeded = self.simulator.seed_order(seeded)
        for topic in ("orders/updated", "orders/create", "orders/create"):
            payload = self.simulator.webhook_payload(topic, seeded["id"])
            response = self.post_webhook(topic, payload, headers={"X-Shopify-Event-Id": str(uuid.uuid4())})
            self.assertEqual(response.status_code, 200)
            self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(self.orders_named(seeded["name"]), order)
        self.assertEqual(order.amount_total, float(seeded["total_price"]))
        kinds = ("tip", "duty", "import_tax", "fee")
        products = self.env["product.product"].browse([self.shop._extra_product(kind).id for kind in kinds])
        extras = order.order_line.filtered(lambda line: line.product_id in products)
        self.assertEqual(
            sorted((line.product_id.default_code, line.price_unit) for line in extras),
            [("SHOPIFY-DUTY", 1.2), ("SHOPIFY-IMPORT-TAX", 0.3), ("SHOPIFY-TIP", 2.5)],
        )
