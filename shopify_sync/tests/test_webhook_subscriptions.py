"""Webhook subscriptions managed by Odoo: registration, the daily check, repair and the gap's reconciliation."""

from odoo.tests import tagged

from shopify_simulator.subscriptions import MAX_CONSECUTIVE_FAILURES

from ..services import webhook_subscriptions as subs
from ..services.identity import reconcile_identity_key
from .common import SHOP_DOMAIN, ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestWebhookSubscriptions(ShopifyHttpCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("web.base.url", self.base_url())
        self.shop.invalidate_recordset(["webhook_url", "compliance_webhook_help"])
        self.simulator.subscriptions.records.clear()

    def held(self):
        """What Shopify holds: {topic: (uri, format, include fields)}."""
        return {
            r["topic"]: (r["uri"], r["format"], r["include_fields"]) for r in self.simulator.webhook_subscriptions()
        }

    def table(self):
        return {(line.topic, line.state) for line in self.shop.webhook_subscription_ids}

    def test_register_twice_gives_the_same_subscriptions(self):
        result = self.shop.action_register_webhooks()["params"]
        self.assertEqual(result["type"], "success", result["message"])
        needed = subs.needed_topics()
        held = self.held()
        self.assertEqual(set(held), set(needed))
        self.assertNotIn("customers/redact", held, "compliance topics are app configuration only")
        for topic, (uri, fmt, include_fields) in held.items():
            self.assertEqual((uri, fmt), (self.shop.webhook_url, "JSON"), topic)
            self.assertEqual(include_fields, needed[topic])
        self.assertIn("id", held["orders/create"][2])
        ids = [r["id"] for r in self.simulator.webhook_subscriptions()]
        calls = len(self.simulator.calls)
        again = self.shop.action_register_webhooks()["params"]
        self.assertIn("0 change(s)", again["message"])
        self.assertEqual([r["id"] for r in self.simulator.webhook_subscriptions()], ids)
        self.assertEqual(len(self.simulator.calls), calls + 1, "one list query, no mutation")
        self.assertEqual({state for _topic, state in self.table()}, {"ok"})
        self.assertTrue(self.shop.manage_webhooks)
        self.assertIn(self.shop.webhook_url, self.shop.compliance_webhook_help)

    def test_register_repairs_wrong_url_and_removes_extras(self):
        records = self.simulator.subscriptions.records
        api = self.simulator.subscriptions
        api._create(None, "ORDERS_CREATE", {"uri": "https://old-erp.example.com/hook", "format": "JSON"})
        api._create(None, "CUSTOMERS_DELETE", {"uri": self.shop.webhook_url})
        wrong_id = next(r["id"] for r in records.values() if r["topic"] == "orders/create")
        self.shop.action_check_webhooks()
        self.assertIn(("customers/delete", "extra"), self.table(), "the check reports an extra one, and leaves it")
        self.shop.action_register_webhooks()
        held = self.held()
        self.assertNotIn("customers/delete", held)
        self.assertEqual(held["orders/create"][0], self.shop.webhook_url)
        self.assertIn(wrong_id, records, "the wrong one was updated in place")

    def test_dropped_subscription_is_recreated_and_the_gap_reconciled(self):
        self.shop.action_register_webhooks()
        self.assertFalse(self.shop.activity_ids)
        # Odoo answers 503 while its sync is off: after 8 failures Shopify drops the subscription.
        self.shop.sync_enabled = False
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            statuses = [self.simulator.deliver("orders/create", payload={"id": 1})[0][1] for _i in range(8)]
        self.assertEqual(statuses, [503] * MAX_CONSECUTIVE_FAILURES)
        self.assertNotIn("orders/create", self.held())
        self.shop.sync_enabled = True
        seeded = self.seed_order()  # an order of the gap, whose webhook never came
        result = self.shop.action_check_webhooks()["params"]
        self.assertEqual(result["type"], "warning", result["message"])
        self.assertIn("orders/create", result["message"])
        self.assertEqual(self.held()["orders/create"][0], self.shop.webhook_url)
        self.assertIn(("orders/create", "missing"), self.table())
        activity = self.shop.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("orders/create", activity.note)
        reconcile = self.env["queue.job"].search([("identity_key", "=", reconcile_identity_key(self.shop.id))])
        self.assertEqual(reconcile.state, "pending")
        self.assertEqual(self._perform_one(reconcile.uuid), "done")
        self.perform_jobs()
        self.assertEqual(self.sync_job("order", seeded["id"]).state, "done", "the gap's order came in")
        # the next check finds everything and raises nothing new
        self.assertEqual(self.shop.action_check_webhooks()["params"]["type"], "success")
        self.assertEqual(len(self.shop.activity_ids), 1)

    def test_cron_checks_managed_shops_only(self):
        self.env["shopify.shop"]._cron_check_webhooks()
        self.assertFalse(self.held(), "a shop whose webhooks are managed by hand is left alone")
        self.shop.manage_webhooks = True
        self.env["shopify.shop"]._cron_check_webhooks()
        self.assertEqual(set(self.held()), set(subs.needed_topics()))


@tagged("post_install", "-at_install")
class TestDoorAnswers(ShopifyHttpCase):
    def test_unknown_or_archived_shop_answered_like_a_bad_signature(self):
        bad_signature = self.post_webhook("orders/create", {"id": 1}, secret="wrong")
        unknown = self.post_webhook("orders/create", {"id": 1}, headers={"X-Shopify-Shop-Domain": "nope.myshopify.com"})
        self.shop.active = False
        archived = self.post_webhook("orders/create", {"id": 1}, headers={"X-Shopify-Shop-Domain": SHOP_DOMAIN})
        self.shop.active = True
        for response in (unknown, archived):
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response.json(), bad_signature.json())
        self.assertFalse(self.deliveries())

    def test_sync_disabled_answers_503_so_shopify_retries(self):
        self.shop.sync_enabled = False
        response = self.post_webhook("orders/create", {"id": 1})
        self.assertEqual(response.status_code, 503)
        self.assertFalse(self.deliveries(), "nothing is recorded: Shopify sends it again")
        self.assertEqual(self.post_webhook("orders/create", {"id": 1}, secret="wrong").status_code, 401)
