from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import ShopifyHttpCase, make_user


@tagged("post_install", "-at_install")
class TestFailurePath(ShopifyHttpCase):
    def _unmapped_order(self):
        """An order whose product exists in Shopify but may not be created in Odoo."""
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        return seeded

    def test_mapping_failure_says_what_is_missing_then_retry_creates_one_order(self):
        seeded = self._unmapped_order()
        self.assertEqual([o for _u, o in self.perform_jobs()], ["failed"])
        job = self.sync_job("order", seeded["id"])
        line = seeded["line_items"][0]
        self.assertEqual((job.state, job.category, job.needs_action), ("failed", "mapping", True))
        self.assertIn(f"SKU {line['sku']}", job.message)
        self.assertIn("is not mapped to an Odoo product", job.message)
        self.assertIn("Retry is safe", job.retry_advice)
        self.assertEqual(job.fix_model, "product.product")
        action = job.action_fix_mapping()
        self.assertEqual(action["res_model"], "shopify.product.fix.wizard")
        self.assertEqual(action["context"]["default_sync_job_id"], job.id)
        activity = job.problem_activity_id
        self.assertEqual(
            (activity.res_model, activity.res_id), (job._name, job.id), "no Odoo order yet: the job holds the activity"
        )
        self.assertEqual(activity.user_id, self.shop.user_id)
        # fix: give every Shopify SKU an Odoo product, then retry
        self.map_skus(seeded["line_items"])
        job.action_retry()
        performed = self.perform_jobs()
        self.assertEqual(self.outcomes_of(performed, "order"), ["done"])
        self.assertEqual(self.outcomes_of(performed, "order_links"), ["done"], "the new order's link")
        self.assertEqual(job.state, "done")
        self.assertFalse(job.needs_action)
        self.assertEqual(activity.exists().state if activity.exists() else "done", "done")
        self.assertEqual(self.orders_named(seeded["name"]), self.bound("order", seeded["id"]))
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)

    def test_one_activity_across_retries_closed_on_success(self):
        seeded = self.seed_order()
        self.simulator.revoke_token()
        for _attempt in range(3):
            self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", seeded["id"]))
            self.perform_jobs()
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(job.failure_count, 3)
        activities = self.env["mail.activity"].search(
            [("activity_type_id", "=", self.env.ref("shopify_sync.mail_activity_type_sync_failure").id)]
        )
        self.assertEqual(len(activities), 1)
        self.simulator.restore_token()
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(job.state, "done")
        done = self.env["mail.activity"].with_context(active_test=False).search([("id", "in", activities.ids)])
        self.assertFalse(done.filtered("active"), "the activity is marked done on success")
        self.assertFalse(job.problem_activity_id)

    def test_temporary_failure_raises_activity_only_when_exhausted(self):
        seeded = self.seed_order()
        self.simulator.fail_next(100, status=500)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.dispatch()
        queue_job = self.shopify_jobs()
        queue_job.max_retries = 3
        outcomes = [o for _u, o in self.perform_jobs()]
        self.assertEqual(outcomes, ["retry", "retry", "failed"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.category, job.state, job.needs_action), ("temporary", "failed", True))
        self.assertIn("retries exhausted", job.message)
        self.assertTrue(job.problem_activity_id)

    def test_bulk_retry_and_user_rights(self):
        first = self._unmapped_order()
        second = self.seed_order(seed=11)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", second["id"]))
        self.perform_jobs()
        jobs = self.env["shopify.sync.job"].search([("needs_action", "=", True)])
        self.assertEqual(len(jobs), 2)
        user = make_user(self.env, "shopify_ops", "base.group_user,shopify_sync.group_shopify_user")
        self.map_skus(first["line_items"] + second["line_items"])
        self.env.ref("shopify_sync.action_shopify_sync_job_retry").with_user(user).with_context(
            active_model="shopify.sync.job", active_ids=jobs.ids
        ).run()
        self.assertEqual(len(self.shopify_jobs()), 2)
        self.perform_jobs()
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("message"))
        with self.assertRaises(AccessError):
            self.shop.with_user(user).write({"new_access_token": "stolen"})

    def test_reconciliation_recovers_a_dropped_webhook_once(self):
        dropped = self.seed_order()  # in Shopify, but its webhook never arrived
        self.shop.reconcile("2026-01-01 00:00:00")
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(dropped["name"])), 1)
        self.assertEqual(self.orders_named(dropped["name"]), self.bound("order", dropped["id"]))
        self.assertIn("Done", self.shop.reconcile_progress)
        self.assertTrue(self.shop.last_reconciled_at)
        # the late webhook changes nothing
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", dropped["id"]))
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(dropped["name"])), 1)
        self.assertEqual(self.sync_job("order", dropped["id"]).outcome, "skipped")
        # and a second reconciliation neither
        self.shop.reconcile("2026-01-01 00:00:00")
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(dropped["name"])), 1)

    def test_mark_resolved_requires_a_reason(self):
        seeded = self._unmapped_order()
        self.perform_jobs()
        job = self.sync_job("order", seeded["id"])
        wizard = Form(self.env["shopify.resolve.wizard"].with_context(default_sync_job_ids=job.ids))
        with self.assertRaises(AssertionError):
            wizard.save()
        wizard.reason = "Order handled by phone"
        wizard.save().action_resolve()
        self.assertEqual((job.state, job.needs_action), ("ignored", False))
        self.assertFalse(job.problem_activity_id)
