"""Review-before-apply: the diff, approve once, a stale diff refreshed, bulk decisions."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.shopify_review_recorder import DIFF_MODELS
from .common import ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestReview(ShopifyTransactionCase):
    def setUp(self):
        super().setUp()
        self.shop.rollout_customers = "review"

    def customer(self, **changes):
        rest = self.simulator.generate(customers=1)["customers"][0]
        if changes:
            rest.update(changes)
            self.simulator.seed_customer(rest)
        return rest

    def change(self, rest, **changes):
        rest.update(changes)
        self.simulator.seed_customer(rest)
        self.simulator.touch("customer", rest["id"])
        return rest

    def partners_with(self, email):
        return self.env["res.partner"].with_context(active_test=False).search([("email", "=", email)])

    def test_the_recorder_hooks_only_the_models_it_watches(self):
        recorded = self.env["shopify.review.recorded"]._inherit_children
        self.assertEqual(set(recorded), set(DIFF_MODELS))
        self.assertNotIn("shopify.sync.job", recorded)

    def test_review_shows_the_record_it_would_create_and_writes_nothing(self):
        rest = self.customer()
        sent = len(self.simulator.mutations)
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        self.assertEqual(job.state, "to_review")
        self.assertFalse(self.bound("customer", rest["id"]))
        self.assertFalse(self.partners_with(rest["email"]))
        created = [e for e in job.review_diff if e["op"] == "create" and e["model"] == "res.partner"]
        self.assertTrue(created, job.review_diff)
        values = {f["name"]: f["new"] for f in created[0]["fields"]}
        self.assertEqual(values["email"], rest["email"])
        self.assertIn("to create", job.review_summary)
        self.assertIn(rest["email"], str(job.review_diff_html))
        self.assertEqual(self.shop.review_count, 1)
        self.assertEqual(len(self.simulator.mutations), sent, "a dry run sends nothing to Shopify")

    def test_approve_applies_once(self):
        rest = self.customer()
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        job.action_approve()
        partner = self.bound("customer", rest["id"])
        self.assertEqual(partner.email, rest["email"])
        self.assertEqual((job.state, job.outcome, job.review_decision), ("done", "created", "approved"))
        self.assertEqual(job.reviewed_by_id, self.env.user)
        job.action_approve()
        self.sync("customer", rest["id"])
        self.assertEqual(len(self.partners_with(rest["email"])), 1)
        self.assertEqual(self.shop.review_count, 0)

    def test_update_shows_odoo_value_to_shopify_value(self):
        self.shop.rollout_customers = "automatic"
        rest = self.customer()
        self.sync("customer", rest["id"])
        partner = self.bound("customer", rest["id"])
        old_email = partner.email
        self.shop.rollout_customers = "review"
        self.change(rest, email="changed.by.shopify@example.com")
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        self.assertEqual(job.state, "to_review")
        self.assertEqual(partner.email, old_email, "nothing written before approval")
        writes = [e for e in job.review_diff if e["op"] == "write" and e["model"] == "res.partner"]
        email = [f for e in writes for f in e["fields"] if f["name"] == "email"]
        self.assertEqual((email[0]["old"], email[0]["new"]), (old_email, "changed.by.shopify@example.com"))
        self.assertEqual((job.res_model, job.res_id), ("res.partner", partner.id))
        job.action_approve()
        self.assertEqual(partner.email, "changed.by.shopify@example.com")

    def test_stale_diff_is_refetched_not_applied(self):
        rest = self.customer()
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        reviewed = job.review_fingerprint
        self.change(rest, email="newer@example.com")
        job.action_approve()
        self.assertEqual(job.state, "to_review", "Shopify changed: the new diff waits for a decision")
        self.assertNotEqual(job.review_fingerprint, reviewed)
        self.assertTrue(job.review_refreshed_at)
        self.assertFalse(self.bound("customer", rest["id"]), "the old diff was not applied")
        created = next(e for e in job.review_diff if e["op"] == "create" and e["model"] == "res.partner")
        self.assertIn("newer@example.com", [f["new"] for f in created["fields"]])
        job.action_approve()
        self.assertEqual(self.bound("customer", rest["id"]).email, "newer@example.com")

    def test_new_event_refreshes_the_one_pending_review(self):
        rest = self.customer()
        self.sync("customer", rest["id"])
        first = self.sync_job("customer", rest["id"])
        self.change(rest, email="second@example.com")
        self.sync("customer", rest["id"])
        jobs = self.env["shopify.sync.job"].search([("shop_id", "=", self.shop.id), ("state", "=", "to_review")])
        self.assertEqual(jobs, first, "one waiting review per resource")
        self.assertIn("second@example.com", str(first.review_diff))

    def test_bulk_approve_and_reject(self):
        rests = [self.customer() for _i in range(4)]
        for rest in rests:
            self.sync("customer", rest["id"])
        jobs = [self.sync_job("customer", rest["id"]) for rest in rests]
        approved = jobs[0] | jobs[1]
        action = approved.action_approve()
        self.assertIn("2 applied", action["params"]["message"])
        self.assertTrue(all(self.bound("customer", rest["id"]) for rest in rests[:2]))
        rejected = jobs[2] | jobs[3]
        wizard = (
            self.env["shopify.review.reject.wizard"]
            .with_context(active_model="shopify.sync.job", active_ids=rejected.ids)
            .create({"reason": "Customer rules not agreed yet"})
        )
        wizard.action_reject()
        for job in rejected:
            self.assertEqual((job.state, job.review_decision), ("rejected", "rejected"))
            self.assertEqual(job.reviewed_by_id, self.env.user)
            self.assertEqual(job.reject_reason, "Customer rules not agreed yet")
        self.assertFalse(any(self.bound("customer", rest["id"]) for rest in rests[2:]))
        with self.assertRaises(UserError):
            jobs[2].action_reject("  ")

    def test_order_in_review_creates_nothing_and_sends_no_metafield(self):
        self.shop.rollout_orders = "review"
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(job.state, "to_review")
        self.assertFalse(self.orders_named(seeded["name"]))
        self.assertFalse(self.metafield_writes(seeded["id"]))
        models = {e["model"] for e in job.review_diff if e["op"] == "create"}
        self.assertTrue({"sale.order", "sale.order.line", "res.partner"} <= models, models)
        job.action_approve()
        self.assertEqual(job.state, "done", job.review_summary)
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)
        self.assertFalse(self.metafield_writes(seeded["id"]), "the link waits in the shop's outbox")
        self.flush_order_links()
        self.assertEqual(len(self.metafield_writes(seeded["id"])), 1)


@tagged("post_install", "-at_install")
class TestReviewStockPush(ShopifyTransactionCase):
    def test_stock_push_in_review_shows_what_it_would_send(self):
        location = 655441491
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": warehouse.lot_stock_id.id, "shopify_location_id": str(location)}
        )
        rest = self.simulator.generate(products=1, variants_per_product=1)["products"][0]
        self.sync("product", rest["id"])
        product = self.bound("variant", rest["variants"][0]["id"])
        self.env["shopify.variant.binding"]._of(
            self.shop, product
        ).stock_agreed_mapping_ids = self.shop.location_mapping_ids
        item = self.item_of(product)
        self.shop.rollout_stock = "review"
        before = self.simulator.inventory(item, location)
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": before + 7}
        ).action_apply_inventory()
        self.sync("inventory_push", "all")
        job = self.sync_job("inventory_push", "all")
        self.assertEqual(job.state, "to_review")
        sends = [e for e in job.review_diff if e["op"] == "send"]
        self.assertEqual([e["record"] for e in sends], ["inventorySetQuantities"])
        self.assertIn(f'"quantity": {before + 7}', sends[0]["fields"][0]["new"])
        self.assertEqual(self.simulator.inventory(item, location), before, "nothing sent before approval")
        job.action_approve()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.simulator.inventory(item, location), before + 7)
