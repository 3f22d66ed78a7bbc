from odoo.tests import tagged

from .common import ShopifyHttpCase

SHOPIFY_LOCATION = 655441491


def _quantity(mutation):
    """The first quantity of a recorded inventorySetQuantities call."""
    return mutation["input"]["input"]["quantities"][0]


@tagged("post_install", "-at_install")
class TestPushesToShopify(ShopifyHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.mapping = cls.env["shopify.location.mapping"].create(
            {
                "shop_id": cls.shop.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "shopify_location_id": str(SHOPIFY_LOCATION),
                "name": "Main warehouse",
            }
        )

    def _synced_products(self, count=1):
        products = self.simulator.generate(products=count, variants_per_product=1)["products"]
        odoo_products = self.env["product.product"]
        for product in products:
            self.sync("product", product["id"])
            variant = self.bound("variant", product["variants"][0]["id"])
            self.assertTrue(variant.is_storable, "Shopify tracks it: Odoo tracks it")
            odoo_products |= variant
        self.agree_stock()
        return odoo_products

    def _set_stock(self, product, quantity):
        quant = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "inventory_quantity": quantity,
                }
            )
        )
        quant.action_apply_inventory()

    def _inventory_pushes(self, applied=None):
        return self.simulator.mutations_named("inventorySetQuantities", applied=applied)

    def test_push_retried_after_timeout_applies_once(self):
        product = self._synced_products()
        item = self.item_of(product)
        self._set_stock(product, 10)
        self.assertEqual(len(self.shopify_jobs()), 1, "one debounced push job")
        before = len(self._inventory_pushes(applied=True))
        # Odoo's test harness raises request timeouts below 10 s to 10 s
        self.shop.api_timeout = 1
        self.simulator.slow_next(1, 11.0, operation="SetInventory")
        outcomes = [outcome for _uuid, outcome in self.perform_jobs()]
        self.assertEqual(outcomes, ["retry", "done"])
        self.assertEqual(self.simulator.inventory(item, SHOPIFY_LOCATION), 10)
        self.assertEqual(len(self._inventory_pushes(applied=True)) - before, 1, "applied exactly once")

    def test_stale_compare_quantity_is_recomputed(self):
        product = self._synced_products()
        item = self.item_of(product)
        self._set_stock(product, 8)
        self.simulator.before_next("SetInventory", lambda: self.simulator.set_inventory(item, SHOPIFY_LOCATION, 4))
        self.perform_jobs()
        pushes = [
            m for m in self._inventory_pushes() if m["variables"]["quantities"][0]["inventoryItemId"].endswith(item)
        ]
        self.assertEqual([m["applied"] for m in pushes], [False, True])
        self.assertEqual(pushes[1]["variables"]["quantities"][0]["changeFromQuantity"], 4, "re-read, not overwritten")
        self.assertEqual(self.simulator.inventory(item, SHOPIFY_LOCATION), 8)

    def test_own_inventory_write_echo_makes_no_job(self):
        product = self._synced_products()
        item = self.item_of(product)
        self._set_stock(product, 7)
        self.assertEqual([o for _u, o in self.perform_jobs()], ["done"])
        push_job = self.sync_job("inventory_push", "all")
        self.assertEqual(push_job.outcome_note, "1 quantities pushed, 0 already right.", push_job.message)
        payload = self.simulator.webhook_payload(
            "inventory_levels/update", inventory_item_id=int(item), location_id=SHOPIFY_LOCATION
        )
        self.assertEqual(self.post_webhook("inventory_levels/update", payload).status_code, 200)
        self.assertEqual(self.post_webhook("inventory_levels/update", payload).status_code, 200)
        self.assertFalse(self.dispatcher_jobs() | self.shopify_jobs(), "no job: a loop cannot start")
        notes = self.deliveries().filtered(lambda d: d.topic == "inventory_levels/update").mapped("note")
        self.assertIn("Echo of a write made by this addon.", notes)
        self.assertEqual(len(self._inventory_pushes(applied=True)), len(self._inventory_pushes(applied=True)))

    def test_burst_of_moves_is_one_push_per_product_and_location(self):
        products = self._synced_products(count=20)
        # Every variant of the shop changes at once: the circuit breaker would rightly hold it.
        self.shop.inventory_hold_change_percent = 100
        before = len(self._inventory_pushes())
        for round_number in range(10):
            for product in products:
                self._set_stock(product, 10 + round_number)
        self.assertEqual(len(self.shopify_jobs()), 1, "200 moves, one waiting push job")
        self.assertEqual(self.env["shopify.inventory.pending"].search_count([("shop_id", "=", self.shop.id)]), 20)
        self.perform_jobs()
        self.assertLessEqual(len(self._inventory_pushes()) - before, 20)
        for product in products:
            self.assertEqual(self.simulator.inventory(self.item_of(product), SHOPIFY_LOCATION), 19)

    def test_sync_writes_do_not_push_back(self):
        product = self._synced_products()
        self.env["stock.quant"].with_context(shopify_sync=True, inventory_mode=True).create(
            {"product_id": product.id, "location_id": self.warehouse.lot_stock_id.id, "inventory_quantity": 3}
        ).with_context(shopify_sync=True).action_apply_inventory()
        self.assertFalse(self.shopify_jobs())

    def test_odoo_delivery_creates_one_shopify_fulfillment_even_after_timeout(self):
        self.shop.write({"push_fulfillments": True, "push_inventory": False})
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.shop.api_timeout = 1
        self.simulator.slow_next(1, 11.0, operation="CreateFulfillment")
        performed = self.perform_jobs()
        outcomes = self.outcomes_of(performed, "picking_push")
        self.assertEqual(outcomes, ["retry", "done"], self.sync_job("picking_push", picking.id).message)
        self.assertEqual(self.outcomes_of(performed, "order_links"), ["done"], "the order's link, sent meanwhile")
        fulfillments = [f for f in self.simulator.store.fulfillments.values() if f["order_id"] == seeded["id"]]
        self.assertEqual(len(fulfillments), 1)
        self.assertEqual(picking.shopify_binding_ids.shopify_id, str(fulfillments[0]["id"]))
        # Shopify's webhook about our own fulfillment is acknowledged, nothing more, also
        # when it arrives while the shop's dispatcher is already waiting
        self.env["shopify.webhook.delivery"]._enqueue_dispatcher(self.shop.id)
        payload = self.simulator.webhook_payload("fulfillments/create", fulfillments[0]["id"])
        self.assertEqual(self.post_webhook("fulfillments/create", payload).status_code, 200)
        self.assertEqual([outcome for _uuid, outcome in self.dispatch()], ["done"])
        echo = self.deliveries().filtered(lambda d: d.topic == "fulfillments/create")
        self.assertEqual((echo.state, echo.note), ("ignored", "Echo of a write made by this addon."))
        self.assertFalse(self.shopify_jobs())
