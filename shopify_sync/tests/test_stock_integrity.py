"""Stock integrity: tracked as Shopify tracks, agreed before the first push, held before emptying a store."""

import copy
import unittest

from odoo.tests import tagged

from ..mapping import product as pmap
from ..services import stock as rules
from .common import ShopifyHttpCase

LOCATION = 655441491


class TestStockRules(unittest.TestCase):
    """The pure rules: tracking, comparison, opening count, breaker."""

    def test_tracking_follows_shopify_per_template(self):
        def node(*tracked):
            variants = [
                {
                    "legacyResourceId": str(i),
                    "sku": f"S{i}",
                    "price": "1",
                    "inventoryItem": {"id": f"gid://shopify/InventoryItem/{i}", "tracked": t},
                }
                for i, t in enumerate(tracked, start=1)
            ]
            return pmap.product_values({"legacyResourceId": "9", "variants": {"nodes": variants}})

        self.assertIs(node(True, False).template_vals()["is_storable"], True)
        self.assertIs(node(False, False).template_vals()["is_storable"], False)
        self.assertEqual([v.tracked for v in node(True, False).variants], [True, False])
        self.assertIsNone(
            pmap.product_values(
                {
                    "legacyResourceId": "9",
                    "variants": {
                        "nodes": [
                            {
                                "legacyResourceId": "1",
                                "price": "1",
                                "inventoryItem": {"id": "gid://shopify/InventoryItem/1"},
                            }
                        ]
                    },
                }
            )
            .variants[0]
            .tracked,
            "not read: unknown, not False",
        )

    def test_comparison_status(self):
        self.assertEqual(rules.comparison_status(5.0, True, 5), "equal")
        self.assertEqual(rules.comparison_status(6.0, True, 5), "odoo_higher")
        self.assertEqual(rules.comparison_status(4.0, True, 5), "odoo_lower")
        self.assertEqual(rules.comparison_status(0.0, False, 5), "unknown")

    def test_opening_count_leaves_open_deliveries_their_quantity(self):
        # Shopify: 48 available, 2 committed to an order Odoo also has, waiting for stock
        self.assertEqual(rules.opening_delta(48, on_hand=0, outgoing=2), 50)
        self.assertEqual(rules.opening_delta(48, on_hand=50, outgoing=2), 0)
        self.assertEqual(rules.opening_delta(10, on_hand=15, outgoing=0), -5)

    def test_breaker(self):
        kwargs = {"zero_percent": 10, "change_percent": 25, "min_variants": 5}
        self.assertEqual(rules.breaker_verdict(6, 6, 20, **kwargs).reason, "zero")
        self.assertIsNone(rules.breaker_verdict(2, 2, 20, **kwargs), "10 %: not more than 10 %")
        self.assertIsNone(rules.breaker_verdict(3, 3, 3, **kwargs), "a few sell-outs: never held")
        self.assertEqual(rules.breaker_verdict(6, 0, 20, **kwargs).reason, "change")
        self.assertIsNone(rules.breaker_verdict(5, 0, 20, **kwargs), "25 %: not more than 25 %")
        self.assertEqual(rules.breaker_verdict(6, 6, 20, **kwargs).percent(6), 30.0)


@tagged("post_install", "-at_install")
class TestStockIntegrity(ShopifyHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.stock = cls.warehouse.lot_stock_id
        cls.mapping = cls.env["shopify.location.mapping"].create(
            {"shop_id": cls.shop.id, "location_id": cls.stock.id, "shopify_location_id": str(LOCATION)}
        )
        # An order of the store's usual shape (customer, taxes, payment), made before the products of
        # a test exist, so that its own lines commit none of their stock.
        cls.template_order = cls.simulator.generate(customers=1, orders=1, lines_per_order=1)["orders"][0]

    # -- helpers ------------------------------------------------------------------------
    def _store_product(self, variants=3, quantity=50, untracked=()):
        """A product in the store, ``quantity`` of each variant at the mapped location."""
        product = self.simulator.generate(products=1, variants_per_product=variants)["products"][0]
        for index in untracked:
            product["variants"][index]["inventory_management"] = None
        if untracked:
            product = self.simulator.seed_product(product)
        for variant in product["variants"]:
            self.simulator.set_inventory(variant["inventory_item_id"], LOCATION, quantity)
        return product

    def _arrives(self, topic, resource_id):
        payload = self.simulator.webhook_payload(topic, resource_id)
        self.assertEqual(self.post_webhook(topic, payload).status_code, 200)
        return self.perform_jobs()

    def _order_for(self, variants, quantity=1):
        """A new order in the store for ``quantity`` of each variant (Shopify commits the stock)."""
        order = copy.deepcopy(self.template_order)
        for key in ("id", "name", "order_number", "number", "admin_graphql_api_id"):
            order.pop(key, None)
        line = order["line_items"][0]
        order["line_items"] = []
        for variant in variants:
            item = dict(copy.deepcopy(line), variant_id=variant["id"], product_id=variant["product_id"])
            item.update(sku=variant["sku"], variant_title=variant["title"], quantity=quantity, price=variant["price"])
            item.update(total_discount="0.00", discount_allocations=[])
            for key in ("id", "admin_graphql_api_id"):
                item.pop(key, None)
            order["line_items"].append(item)
        order.update(discount_applications=[], discount_codes=[])
        total = self.simulator.recompute_total(order)
        for transaction in order.get("transactions") or []:
            transaction.pop("id", None)
            transaction["amount"] = total
        return self.simulator.seed_order(order)

    def _deliver(self, sale_order):
        picking = sale_order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_context(skip_sms=True).button_validate()
        self.assertEqual(picking.state, "done")

    def _agreement(self):
        return self.env["shopify.stock.agreement"].search([("shop_id", "=", self.shop.id), ("state", "=", "draft")])

    def _pushes_of(self, variants):
        items = {f"gid://shopify/InventoryItem/{v['inventory_item_id']}" for v in variants}
        return [
            m
            for m in self.simulator.mutations_named("inventorySetQuantities", applied=True)
            if m["variables"]["quantities"][0]["inventoryItemId"] in items
        ]

    def _shopify(self, variant):
        return self.simulator.inventory(variant["inventory_item_id"], LOCATION)

    def _free(self, product):
        return product.with_context(location=self.stock.id).free_qty

    # -- 1. tracked as Shopify tracks, 2. only tracked quantities pushed -----------------------
    def test_a_store_of_50_keeps_49_after_odoo_ships_one(self):
        """The new user's path: products/create, the agreement, an order, Odoo's delivery: 49, never 0."""
        rest = self._store_product()
        self._arrives("products/create", rest["id"])
        products = [self.bound("variant", v["id"]) for v in rest["variants"]]
        self.assertTrue(all(p.is_storable for p in products), "Shopify tracks them: Odoo tracks them")
        agreement = self._agreement()
        self.assertEqual(len(agreement.line_ids), 3, "the new variants wait for the agreement")
        self.assertEqual((agreement.count_unknown, agreement.count_equal), (3, 0), "Odoo never counted them")
        self.assertEqual(len(agreement.activity_ids), 1, "one activity asks a manager")
        self.assertFalse(self._pushes_of(rest["variants"]), "nothing pushed before the agreement")

        agreement.action_take_shopify()
        agreement.action_take_shopify()
        self.assertEqual(agreement.state, "done")
        self.assertEqual(len(agreement.move_ids), 3, "one adjustment line per variant, applied once")
        self.assertEqual([self._free(p) for p in products], [50, 50, 50])
        self.assertFalse(agreement.activity_ids, "the activity is done")

        order = self._order_for(rest["variants"])
        self.assertEqual([self._shopify(v) for v in rest["variants"]], [49, 49, 49], "Shopify committed them")
        self._arrives("orders/create", order["id"])
        sale = self.bound("order", order["id"])
        self.assertEqual(sale.state, "sale")
        self._deliver(sale)
        self.perform_jobs()
        self.assertEqual([self._shopify(v) for v in rest["variants"]], [49, 49, 49])
        zeros = [m for m in self._pushes_of(rest["variants"]) if m["variables"]["quantities"][0]["quantity"] == 0]
        self.assertFalse(zeros, "never 0")

    def test_agreed_after_the_orders_arrived_keeps_their_deliveries_whole(self):
        """Orders in Odoo wait for stock when the count is taken: the store keeps its available quantity."""
        rest = self._store_product(variants=1, quantity=50)
        self._arrives("products/create", rest["id"])
        order = self._order_for(rest["variants"], quantity=2)
        self._arrives("orders/create", order["id"])
        product, sale = self.bound("variant", rest["variants"][0]["id"]), self.bound("order", order["id"])
        self.assertEqual(self._shopify(rest["variants"][0]), 48)
        self._agreement().action_take_shopify()
        self.assertEqual(product.with_context(location=self.stock.id).qty_available, 50, "48 + the 2 of the order")
        self.assertEqual(self._free(product), 48, "the delivery reserved its 2")
        self._deliver(sale)
        self.perform_jobs()
        self.assertEqual(self._shopify(rest["variants"][0]), 48, "nothing counted twice")
        self.assertFalse(self._pushes_of(rest["variants"]), "Odoo agrees with Shopify: no write")

    def test_a_variant_shopify_does_not_track_never_pushes(self):
        rest = self._store_product(variants=2, untracked=(1,))
        self._arrives("products/create", rest["id"])
        tracked, untracked = (self.bound("variant", v["id"]) for v in rest["variants"])
        self.assertTrue(tracked.is_storable, "a template with a tracked variant is tracked")
        bindings = self.env["shopify.variant.binding"]
        self.assertEqual(bindings._of(self.shop, untracked).stock_state, "shopify_untracked")
        agreement = self._agreement()
        left_out = agreement.line_ids.filtered(lambda line: line.status == "left_out")
        self.assertEqual(left_out.product_id, untracked)
        self.assertEqual(left_out.left_out_reason, "Shopify does not track it.")
        agreement.action_push_odoo()
        self.assertEqual(bindings._of(self.shop, tracked).stock_state, "pushed")
        self.perform_jobs()
        before = self._shopify(rest["variants"][1])
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": untracked.id, "location_id": self.stock.id, "inventory_quantity": 7}
        ).action_apply_inventory()
        self.perform_jobs()
        self.assertFalse(self._pushes_of(rest["variants"][1:]), "the untracked variant never pushes")
        self.assertEqual(self._shopify(rest["variants"][1]), before)

    def test_a_product_odoo_does_not_track_never_pushes_and_readiness_says_so(self):
        rest = self._store_product(variants=1)
        sku = rest["variants"][0]["sku"]
        linked = self.env["product.product"].create({"name": "Sold by the piece", "default_code": sku})
        self.assertFalse(linked.is_storable)
        self._arrives("products/create", rest["id"])
        self.assertEqual(self.bound("variant", rest["variants"][0]["id"]), linked, "linked by SKU")
        self.assertFalse(linked.is_storable, "a product linked by SKU keeps Odoo's setting")
        binding = self.env["shopify.variant.binding"]._of(self.shop, linked)
        self.assertEqual(binding.stock_state, "odoo_untracked")
        self.assertEqual(
            dict(binding._fields["stock_state"]._description_selection(self.env))[binding.stock_state],
            "Not pushed: Odoo does not track it",
        )
        self.env["shopify.inventory.pending"]._mark(self.env["stock.move"])  # nothing to mark
        self.shop._check_readiness()
        line = self.shop.readiness_line_ids.filtered(lambda r: r.code == "stock")
        self.assertEqual(line.state, "red")
        self.assertIn("Not pushed: Odoo does not track it: 1 (", line.detail)
        self.assertIn("Sold by the piece", line.detail)
        self.assertIn(binding.id, line.fix_action["domain"][0][2])

    # -- 3. day-one agreement ---------------------------------------------------------------
    def test_day_one_comparison_counts_and_pushing_odoo_quantities(self):
        rest = self._store_product(variants=4, quantity=10)
        self._arrives("products/create", rest["id"])
        products = [self.bound("variant", v["id"]) for v in rest["variants"]]
        agreement = self._agreement()
        agreement.action_cancel()  # as if agreed earlier; this test compares counted stock
        for product, quantity in zip(products, (10, 12, 8), strict=False):
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {"product_id": product.id, "location_id": self.stock.id, "inventory_quantity": quantity}
            ).action_apply_inventory()
        self.assertFalse(self._pushes_of(rest["variants"]), "counted in Odoo, still not pushed")
        self.perform_jobs()
        agreement = self._agreement()
        counts = (
            agreement.count_equal,
            agreement.count_odoo_higher,
            agreement.count_odoo_lower,
            agreement.count_unknown,
        )
        self.assertEqual(counts, (1, 1, 1, 1))
        agreement.action_push_odoo()
        agreement.action_push_odoo()
        self.perform_jobs()
        self.assertEqual([self._shopify(v) for v in rest["variants"]], [10, 12, 8, 0])
        self.assertEqual(len(self._pushes_of(rest["variants"])), 3, "the equal one needs no write")

    def test_line_by_line_leaves_some_for_later(self):
        rest = self._store_product(variants=2, quantity=5)
        self._arrives("products/create", rest["id"])
        agreement = self._agreement()
        first, second = agreement.line_ids.sorted(lambda line: line.binding_id.shopify_id)
        first.decision = "shopify"
        agreement.action_apply_lines()
        self.assertEqual(first.binding_id.stock_state, "pushed")
        self.assertEqual(second.binding_id.stock_state, "to_agree", "decided later: still not pushed")
        self.assertEqual(self._free(first.product_id), 5)
        self.shop.action_compare_stock()
        self.assertEqual(self._agreement().line_ids.binding_id, second.binding_id, "only what is left")

    def test_one_location_is_agreed_apart(self):
        rest = self._store_product(variants=1, quantity=7)
        self._arrives("products/create", rest["id"])
        shop_wide = self._agreement()
        self.simulator.seed_location({"id": 655441492, "name": "Pop-up store"})
        self.simulator.set_inventory(rest["variants"][0]["inventory_item_id"], 655441492, 3)
        popup = self.env["stock.location"].create({"name": "Pop-up", "location_id": self.stock.id, "usage": "internal"})
        mapping = self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": popup.id, "shopify_location_id": "655441492"}
        )
        action = mapping.action_compare_stock()
        popup_agreement = self.env["shopify.stock.agreement"].browse(action["res_id"])
        self.assertNotEqual(popup_agreement, shop_wide)
        self.assertEqual((popup_agreement.mapping_ids, popup_agreement.line_ids.shopify_available), (mapping, 3))
        popup_agreement.action_take_shopify()
        binding = self.env["shopify.variant.binding"]._of(self.shop, self.bound("variant", rest["variants"][0]["id"]))
        self.assertEqual(binding.stock_agreed_mapping_ids, mapping)
        self.assertEqual(binding.stock_state, "to_agree", "the main warehouse is still to agree")
        self.assertEqual(popup_agreement.line_ids.product_id.with_context(location=popup.id).qty_available, 3)

    def test_turning_push_on_again_agrees_again(self):
        rest = self._store_product(variants=1, quantity=3)
        self._arrives("products/create", rest["id"])
        self._agreement().action_take_shopify()
        binding = self.env["shopify.variant.binding"]._of(self.shop, self.bound("variant", rest["variants"][0]["id"]))
        self.assertEqual(binding.stock_state, "pushed")
        self.shop.push_inventory = False
        self.shop.push_inventory = True
        self.assertEqual(binding.stock_state, "to_agree")
        self.assertIn(f"shopify_sync:{self.shop.id}:stock_compare:all", self.shopify_jobs().mapped("identity_key"))

    # -- 4. the circuit breaker -----------------------------------------------------------
    def test_breaker_holds_a_push_zeroing_30_percent_then_push_anyway(self):
        rest = self._store_product(variants=20, quantity=6)
        self._arrives("products/create", rest["id"])
        self._agreement().action_take_shopify()
        products = [self.bound("variant", v["id"]) for v in rest["variants"]]
        for product in products[:6]:  # a wrong count: 6 of 20 variants (30 %) to 0
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {"product_id": product.id, "location_id": self.stock.id, "inventory_quantity": 0}
            ).action_apply_inventory()
        self.perform_jobs()
        hold = self.env["shopify.inventory.hold"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual((hold.state, hold.zero_count, hold.variant_count), ("held", 6, 20))
        self.assertIn("6 of the 20 variants", hold.reason)
        self.assertEqual(len(hold.activity_ids), 1)
        self.assertEqual([self._shopify(v) for v in rest["variants"][:6]], [6] * 6, "nothing written")
        pending = self.env["shopify.inventory.pending"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(pending), 6, "nothing lost: the rows wait")
        # A day of normal sales meanwhile does not go past the hold either
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": products[10].id, "location_id": self.stock.id, "inventory_quantity": 5}
        ).action_apply_inventory()
        self.perform_jobs()
        self.assertEqual(self._shopify(rest["variants"][10]), 6, "waits while a hold is open")

        hold.action_push_anyway()
        hold.action_push_anyway()
        self.perform_jobs()
        self.assertEqual(hold.state, "pushed")
        self.assertFalse(hold.activity_ids)
        self.assertEqual([self._shopify(v) for v in rest["variants"][:6]], [0] * 6)
        self.assertEqual(self._shopify(rest["variants"][10]), 5, "judged again once the hold is decided")
        self.assertEqual(len(self.env["shopify.inventory.hold"].search([("shop_id", "=", self.shop.id)])), 1)

    def test_breaker_discard_forgets_the_held_rows(self):
        rest = self._store_product(variants=10, quantity=4)
        self._arrives("products/create", rest["id"])
        self._agreement().action_take_shopify()
        for variant in rest["variants"][:5]:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": self.bound("variant", variant["id"]).id,
                    "location_id": self.stock.id,
                    "inventory_quantity": 40,
                }
            ).action_apply_inventory()
        self.perform_jobs()
        hold = self.env["shopify.inventory.hold"].search([("shop_id", "=", self.shop.id), ("state", "=", "held")])
        self.assertEqual(hold.change_count, 5, "half the shop's variants at once")
        hold.action_discard()
        self.assertFalse(self.env["shopify.inventory.pending"].search([("shop_id", "=", self.shop.id)]))
        self.perform_jobs()
        self.assertEqual([self._shopify(v) for v in rest["variants"][:5]], [4] * 5)

    def test_a_few_sell_outs_are_not_held(self):
        rest = self._store_product(variants=3, quantity=1)
        self._arrives("products/create", rest["id"])
        self._agreement().action_take_shopify()
        for variant in rest["variants"]:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": self.bound("variant", variant["id"]).id,
                    "location_id": self.stock.id,
                    "inventory_quantity": 0,
                }
            ).action_apply_inventory()
        self.perform_jobs()
        self.assertFalse(self.env["shopify.inventory.hold"].search([("shop_id", "=", self.shop.id)]))
        self.assertEqual([self._shopify(v) for v in rest["variants"]], [0, 0, 0])

    # -- 5. Shopify as the stock authority -----------------------------------------------------
    def test_shopify_authority_imports_a_level_change_once_and_never_pushes(self):
        rest = self._store_product(variants=1, quantity=12)
        self._arrives("products/create", rest["id"])
        self.shop.stock_authority = "shopify"
        product = self.bound("variant", rest["variants"][0]["id"])
        item = rest["variants"][0]["inventory_item_id"]
        payload = self.simulator.webhook_payload(
            "inventory_levels/update", inventory_item_id=item, location_id=LOCATION
        )
        for _copy in range(2):
            self.assertEqual(self.post_webhook("inventory_levels/update", payload).status_code, 200)
        performed = self.perform_jobs()
        self.assertEqual(self.outcomes_of(performed, "inventory_level"), ["done"], "one job for the event")
        job = self.sync_job("inventory_level", f"{item}-{LOCATION}")
        self.assertEqual(job.outcome, "updated")
        self.assertEqual(product.with_context(location=self.stock.id).qty_available, 12)
        moves = self.env["stock.move"].search([("product_id", "=", product.id), ("is_inventory", "=", True)])
        self.assertEqual(len(moves), 1, "applied once")
        # The same level again (a retried delivery under a new event id): nothing more
        self.assertEqual(self.post_webhook("inventory_levels/update", payload).status_code, 200)
        self.perform_jobs()
        again = self.env["stock.move"].search([("product_id", "=", product.id), ("is_inventory", "=", True)])
        self.assertEqual(again, moves, "the same level sets nothing twice")
        # Odoo's own moves never push to this shop, and the import made no push
        self.assertFalse(self.env["shopify.inventory.pending"].search([("shop_id", "=", self.shop.id)]))
        self.assertFalse(self._pushes_of(rest["variants"]))
        self.assertEqual(self.env["shopify.variant.binding"]._of(self.shop, product).stock_state, "shopify_authority")

    def test_odoo_authority_acknowledges_level_changes_at_the_door(self):
        rest = self._store_product(variants=1)
        self._arrives("products/create", rest["id"])
        item = rest["variants"][0]["inventory_item_id"]
        payload = self.simulator.webhook_payload(
            "inventory_levels/update", inventory_item_id=item, location_id=LOCATION
        )
        self.assertEqual(self.post_webhook("inventory_levels/update", payload).status_code, 200)
        delivery = self.deliveries().filtered(lambda d: d.topic == "inventory_levels/update")[:1]
        self.assertEqual(delivery.state, "ignored")
        self.assertFalse(self.dispatcher_jobs())
