import shutil

from odoo.tests import tagged

from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestSyncJobsScreens(ShopifyHttpCase):
    def test_fix_mapping_and_retry_from_the_screens(self):
        if not shutil.which("chromium"):
            self.skipTest("Debian chromium is not installed")
        self.shop.write(
            {"create_products": False, "match_product_by_sku": True, "user_id": self.env.ref("base.user_admin").id}
        )
        data = self.simulator.generate(customers=1, products=1, variants_per_product=1, orders=1, lines_per_order=1)
        order, product = data["orders"][0], data["products"][0]
        product["variants"][0]["sku"] = "TOUR-SKU-1"
        self.simulator.seed_product(product)
        order["line_items"][0]["sku"] = "TOUR-SKU-1"
        self.simulator.seed_order(order)
        self.env["product.product"].create({"name": "Tour product", "default_code": "NOT-YET"})
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", order["id"]))
        self.perform_jobs()
        job = self.sync_job("order", order["id"])
        self.assertEqual((job.category, job.needs_action), ("mapping", True))
        self.env.flush_all()
        self.start_tour("/odoo", "shopify_sync_fix_and_retry", login="admin")
        self.env.invalidate_all()
        self.assertEqual(job.state, "pending")
        tour_product = self.env["product.product"].search([("name", "=", "Tour product")])
        self.assertEqual(self.bound("variant", order["line_items"][0]["variant_id"]), tour_product)
        # the order, and the product whose sync completes the new binding (its inventory item)
        performed = self.perform_jobs()
        self.assertEqual(
            self.outcomes_of(performed, "order") + self.outcomes_of(performed, "product"), ["done", "done"]
        )
        self.assertEqual(self.outcomes_of(performed, "order_links"), ["done"], "the new order's link")
        self.assertTrue(self.item_of(tour_product), "the product's sync filled in the inventory item")
        self.assertEqual(len(self.orders_named(order["name"])), 1)
        self.assertFalse(job.problem_activity_id)
        self.env.flush_all()
        self.start_tour(
            f"/odoo/action-shopify_sync.action_shopify_sync_job/{job.id}", "shopify_sync_see_success", login="admin"
        )

    def test_a_review_turns_the_card_amber_until_approved(self):
        if not shutil.which("chromium"):
            self.skipTest("Debian chromium is not installed")
        self.shop.rollout_customers = "review"
        rest = self.simulator.generate(customers=1)["customers"][0]
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        self.assertEqual(job.state, "to_review")
        self.shop.invalidate_recordset()
        self.assertEqual((self.shop.needs_attention, self.shop.overview_color), (False, 2))
        self.env.flush_all()
        self.start_tour("/odoo", "shopify_sync_review_amber_then_green", login="admin")
        self.env.invalidate_all()
        self.assertEqual((job.state, job.review_decision), ("done", "approved"))
        self.assertEqual(self.bound("customer", rest["id"]).email, rest["email"])
        self.assertEqual(self.shop.overview_color, 10)
