"""Per-object switches: off records and acknowledges without writing, and catches up when turned on."""

from odoo.tests import tagged

from ..services.identity import reconcile_identity_key
from .common import ShopifyHttpCase, ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestSwitchesAtTheDoor(ShopifyHttpCase):
    def test_off_holds_deliveries_and_catches_up_when_on(self):
        self.shop.rollout_customers = "off"
        self.assertTrue(self.shop.rollout_off_since.get("customers"))
        rest = self.simulator.generate(customers=1)["customers"][0]
        response = self.post_webhook("customers/create", self.simulator.webhook_payload("customers/create", rest["id"]))
        self.assertEqual(response.status_code, 200, "acknowledged while off")
        self.perform_jobs()
        delivery = self.deliveries()
        self.assertEqual(delivery.state, "off")
        self.assertFalse(self.bound("customer", rest["id"]))
        self.assertFalse(self.sync_job("customer", rest["id"]), "no sync job while off")
        self.assertFalse(self.shopify_jobs())
        # an object switched off does not hold the others
        seeded = self.simulator.generate(products=1, variants_per_product=1)["products"][0]
        self.post_webhook("products/create", self.simulator.webhook_payload("products/create", seeded["id"]))
        self.perform_jobs()
        self.assertTrue(self.bound("product", seeded["id"]))

        self.shop.rollout_customers = "automatic"
        self.assertFalse((self.shop.rollout_off_since or {}).get("customers"))
        reconcile = self.env["queue.job"].search([("identity_key", "=", reconcile_identity_key(self.shop.id))])
        self.assertTrue(reconcile, "a reconciliation catches up what changed while off")
        self.assertEqual(delivery.state, "received", "held deliveries are dispatched again")
        self.perform_jobs()
        self.assertTrue(self.bound("customer", rest["id"]))
        self.assertEqual(delivery.state, "done")
        self.assertEqual(len(self.env["res.partner"].search([("email", "=", rest["email"])])), 1)


@tagged("post_install", "-at_install")
class TestSwitchesAtRunTime(ShopifyTransactionCase):
    def test_a_job_of_an_object_switched_off_writes_nothing(self):
        self.shop.rollout_orders = "off"
        seeded = self.seed_order()
        sent = len(self.simulator.mutations)
        self.sync("order", seeded["id"])
        self.assertFalse(self.orders_named(seeded["name"]))
        self.assertFalse(self.bound("customer", seeded["customer"]["id"]))
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.state, job.outcome), ("done", "skipped"))
        self.assertIn("switched off", job.outcome_note)
        self.assertEqual(len(self.simulator.mutations), sent, "nothing sent to Shopify")

    def test_reconciliation_catches_up_an_order_when_turned_on(self):
        self.shop.rollout_orders = "off"
        seeded = self.seed_order()
        self.shop.rollout_orders = "automatic"
        reconcile = self.env["queue.job"].search([("identity_key", "=", reconcile_identity_key(self.shop.id))])
        self.assertEqual(len(reconcile), 1)
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)

    def test_a_push_held_while_off_runs_when_turned_on(self):
        self.shop.rollout_stock = "off"
        self.sync("inventory_push", "all")
        job = self.sync_job("inventory_push", "all")
        self.assertIn("switched off", job.outcome_note)
        self.assertEqual((job.outcome, job.held_by_switch), ("skipped", True))
        self.assertFalse(self.shopify_jobs().filtered(lambda j: j.identity_key == job.identity_key))
        self.shop.rollout_stock = "automatic"
        self.assertTrue(self.shopify_jobs().filtered(lambda j: j.identity_key == job.identity_key))
        self.perform_jobs()
        self.assertFalse(job.held_by_switch)

    def test_unswitched_resources_always_run(self):
        self.assertEqual(self.shop._rollout_mode("shop_redact"), "automatic")
        self.shop.rollout_stock = "review"
        self.assertEqual(self.shop._rollout_mode("inventory_push"), "review")
