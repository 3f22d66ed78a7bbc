"""Deletions and merges from Shopify: products/delete, orders/delete, customers/merge, draft orders.

Every topic goes through the webhook door and the queue, delivered twice and out of order.
"""

from odoo.tests import tagged

from ..services.topics import IGNORED_TOPICS
from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestMergesDeletions(ShopifyHttpCase):
    def post_twice(self, topic, payload):
        """Shopify delivers at least once: two events, two event ids."""
        for _attempt in range(2):
            self.assertEqual(self.post_webhook(topic, payload).status_code, 200)

    def assertNoFailure(self, resource_type, resource_id):
        job = self.sync_job(resource_type, resource_id)
        self.assertTrue(job, f"a sync job for {resource_type} {resource_id}")
        self.assertNotEqual(job.state, "failed", job.outcome_note)
        return job

    def variant_bindings(self, product_id):
        return (
            self.env["shopify.variant.binding"]
            .with_context(active_test=False)
            .search([("shop_id", "=", self.shop.id), ("shopify_product_id", "=", str(product_id))])
        )

    # -- products/delete --------------------------------------------------------------
    def test_product_delete_archives_what_nothing_else_uses(self):
        data = self.simulator.generate(customers=0, products=2, variants_per_product=1, orders=0, seed=301)
        unused, ordered = data["products"]
        for product in (unused, ordered):
            self.post_webhook("products/create", self.simulator.webhook_payload("products/create", product["id"]))
        self.perform_jobs()
        template = self.bound("product", unused["id"])
        variant = self.bound("variant", unused["variants"][0]["id"])
        ordered_variant = self.bound("variant", ordered["variants"][0]["id"])
        self.assertTrue(template and variant and ordered_variant)
        partner = self.env["res.partner"].create({"name": "Open order customer"})
        open_order = self.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": ordered_variant.id})]}
        )
        for product in (unused, ordered):
            self.simulator.delete("product", product["id"])
            self.post_twice("products/delete", {"id": product["id"]})
        self.perform_jobs()
        for product in (unused, ordered):
            self.assertNoFailure("product", product["id"])
            self.assertEqual(self.variant_bindings(product["id"]).mapped("active"), [False])
            binding = self.env["shopify.product.binding"]._find(self.shop, product["id"])
            self.assertFalse(binding.active, "the product binding is archived, not deleted")
        self.assertFalse(variant.active, "nothing else uses it: archived")
        self.assertFalse(template.active)
        self.assertTrue(ordered_variant.active, "on an open order line: kept")
        self.assertTrue(ordered_variant.product_tmpl_id.active)
        self.assertIn("open order line", self.sync_job("product", ordered["id"]).outcome_note)
        self.assertEqual(open_order.order_line.product_id, ordered_variant)
        # a third delivery, later: nothing more to do
        self.post_webhook("products/delete", {"id": unused["id"]})
        self.perform_jobs()
        self.assertEqual(self.assertNoFailure("product", unused["id"]).outcome, "skipped")

    def test_product_delete_before_create_creates_nothing(self):
        data = self.simulator.generate(customers=0, products=1, variants_per_product=1, orders=0, seed=302)
        product = data["products"][0]
        created = self.simulator.webhook_payload("products/create", product["id"])
        self.simulator.delete("product", product["id"])
        self.post_twice("products/delete", {"id": product["id"]})
        self.post_webhook("products/create", created)
        self.perform_jobs()
        self.post_webhook("products/create", created)  # a late repeat of the creation
        self.perform_jobs()
        self.assertEqual(self.assertNoFailure("product", product["id"]).outcome, "skipped")
        self.assertFalse(self.env["shopify.product.binding"]._find(self.shop, product["id"]))
        sku = product["variants"][0]["sku"]
        self.assertFalse(
            self.env["product.product"].with_context(active_test=False).search([("default_code", "=", sku)])
        )

    def test_a_gone_product_without_deletion_is_still_a_failure(self):
        data = self.simulator.generate(customers=0, products=1, variants_per_product=1, orders=0, seed=303)
        product = data["products"][0]
        created = self.simulator.webhook_payload("products/create", product["id"])
        self.simulator.delete("product", product["id"])
        self.post_webhook("products/create", created)
        self.perform_jobs()
        self.assertEqual(self.sync_job("product", product["id"]).category, "data_conflict")

    # -- orders/delete ----------------------------------------------------------------
    def test_order_delete_keeps_the_order_and_raises_one_activity(self):
        seeded = self.seed_order(seed=304)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        state = order.state
        self.simulator.delete("order", seeded["id"])
        self.post_twice("orders/delete", {"id": seeded["id"]})
        self.perform_jobs()
        self.post_webhook("orders/delete", {"id": seeded["id"]})
        self.perform_jobs()
        self.assertNoFailure("order", seeded["id"])
        self.assertEqual(self.bound("order", seeded["id"]), order, "the order's binding stays")
        self.assertEqual(order.state, state, "the Odoo order is left as it was")
        activities = order.activity_ids.filtered(lambda a: "deleted" in (a.summary or ""))
        self.assertEqual(len(activities), 1, "one activity however often the deletion comes")
        self.assertTrue(self.env["shopify.order.binding"]._find(self.shop, seeded["id"]).shopify_deleted_at)

    def test_order_deleted_before_create_is_skipped(self):
        seeded = self.seed_order(seed=305)
        created = self.simulator.webhook_payload("orders/create", seeded["id"])
        self.simulator.delete("order", seeded["id"])
        self.post_webhook("orders/delete", {"id": seeded["id"]})
        self.post_webhook("orders/create", created)
        self.perform_jobs()
        self.assertEqual(self.assertNoFailure("order", seeded["id"]).outcome, "skipped")
        self.assertFalse(self.orders_named(seeded["name"]))

    # -- customers/merge ----------------------------------------------------------------
    def merge_data(self, seed):
        data = self.simulator.generate(customers=2, products=1, variants_per_product=1, orders=1, seed=seed)
        order = data["orders"][0]
        losing = next(c for c in data["customers"] if c["id"] == order["customer"]["id"])
        kept = next(c for c in data["customers"] if c["id"] != losing["id"])
        return order, losing, kept

    def shop_partners(self):
        return self.env["shopify.partner.binding"].search([("shop_id", "=", self.shop.id)]).odoo_id

    def test_merge_moves_the_losing_binding_to_the_surviving_customer(self):
        order, losing, kept = self.merge_data(306)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", order["id"]))
        self.perform_jobs()
        partner = self.bound("customer", losing["id"])
        sale = self.bound("order", order["id"])
        self.assertEqual(sale.partner_id, partner)
        top_level = [("parent_id", "=", False)]
        before = self.env["res.partner"].with_context(active_test=False).search_count(top_level)
        body = self.simulator.merge_customers(kept["id"], losing["id"])
        self.post_twice("customers/merge", body)
        # the losing customer's update, delivered late, and the order's, which now names the kept one
        self.post_webhook("customers/update", {"id": losing["id"], "updated_at": losing["updated_at"]})
        self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", order["id"]))
        self.perform_jobs()
        self.post_webhook("customers/merge", body)  # repeated once more, later
        self.perform_jobs()
        merge_id = f"{losing['id']}-{kept['id']}"
        self.assertNoFailure("customer_merge", merge_id)
        self.assertNoFailure("customer", losing["id"])
        self.assertNoFailure("order", order["id"])
        self.assertEqual(self.bound("customer", kept["id"]), partner, "the surviving customer has the partner")
        self.assertFalse(self.env["shopify.partner.binding"]._find(self.shop, losing["id"]))
        self.assertEqual(partner.email, kept["email"], "updated from the surviving customer")
        self.assertEqual(self.bound("order", order["id"]), sale, "the order's link is kept")
        self.assertEqual(sale.partner_id, partner)
        after = self.env["res.partner"].with_context(active_test=False).search_count(top_level)
        self.assertEqual(after, before, "no new contact")
        self.assertNotIn(
            kept["email"],
            (self.env["res.partner"].search([("parent_id", "=", False)]) - partner).mapped("email"),
            "no third partner for the surviving customer",
        )

    def test_merge_of_two_bound_customers_keeps_both_partners_and_the_orders(self):
        order, losing, kept = self.merge_data(307)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", order["id"]))
        self.post_webhook("customers/create", self.simulator.webhook_payload("customers/create", kept["id"]))
        self.perform_jobs()
        losing_partner, kept_partner = self.bound("customer", losing["id"]), self.bound("customer", kept["id"])
        self.assertNotEqual(losing_partner, kept_partner)
        sale = self.bound("order", order["id"])
        top_level = [("parent_id", "=", False)]
        partners_before = self.env["res.partner"].with_context(active_test=False).search_count(top_level)
        body = self.simulator.merge_customers(kept["id"], losing["id"])
        self.post_twice("customers/merge", body)
        self.perform_jobs()
        job = self.assertNoFailure("customer_merge", f"{losing['id']}-{kept['id']}")
        self.assertIn(kept_partner.display_name, job.outcome_note)
        self.assertEqual(self.bound("customer", kept["id"]), kept_partner)
        self.assertFalse(self.env["shopify.partner.binding"]._find(self.shop, losing["id"]))
        self.assertTrue(losing_partner.exists() and losing_partner.active, "kept: it has orders")
        self.assertEqual(self.bound("order", order["id"]), sale)
        self.assertEqual(sale.partner_id, losing_partner, "the order's partner is left as it was")
        self.assertEqual(
            self.env["res.partner"].with_context(active_test=False).search_count(top_level),
            partners_before,
            "no third partner",
        )

    def test_merge_before_the_losing_customer_is_known_and_a_failed_merge(self):
        order, losing, kept = self.merge_data(308)
        created = self.simulator.webhook_payload("customers/create", losing["id"])
        failed = self.simulator.webhook_payload("customers/merge", losing["id"], kept_id=kept["id"], status="failed")
        self.post_webhook("customers/merge", failed)
        self.perform_jobs()
        job = self.assertNoFailure("customer_merge", f"{losing['id']}-{kept['id']}")
        self.assertEqual(job.outcome, "skipped", "Shopify still has both customers")
        body = self.simulator.merge_customers(kept["id"], losing["id"])
        self.post_webhook("customers/merge", body)
        self.post_webhook("customers/create", created)  # the losing customer's creation, after its merge
        self.perform_jobs()
        self.assertNoFailure("customer", losing["id"])
        self.assertFalse(self.env["shopify.partner.binding"]._find(self.shop, losing["id"]))
        self.assertEqual(len(self.env["shopify.partner.binding"].search([("shopify_id", "=", str(kept["id"]))])), 1)

    # -- draft orders -------------------------------------------------------------------
    def test_draft_orders_are_acknowledged_without_a_job(self):
        for topic in ("draft_orders/create", "draft_orders/update", "draft_orders/delete"):
            self.assertIn(topic, IGNORED_TOPICS)
            self.post_twice(topic, {"id": 994400 + len(topic), "name": "#D1", "status": "open"})
        deliveries = self.deliveries().filtered(lambda d: d.topic.startswith("draft_orders/"))
        self.assertEqual(set(deliveries.mapped("state")), {"ignored"})
        self.assertEqual(len(deliveries), 6)
        self.assertFalse(self.shopify_jobs())
