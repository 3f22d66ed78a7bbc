"""A sync job's history is never lost, and its activity lives exactly as long as its problem."""

from odoo.modules.module import load_script
from odoo.tests import tagged

from .common import ShopifyHttpCase
from .test_cockpit_facets import listed


def migration(version, stage):
    """A migration script of the addon, as Odoo loads it."""
    return load_script(f"shopify_sync/migrations/{version}/{stage}-migration.py", f"shopify_sync_{stage}_{version}")


def bodies(job):
    return " | ".join(job.message_ids.mapped(lambda m: str(m.body or "")))


@tagged("post_install", "-at_install")
class TestJobHistory(ShopifyHttpCase):
    def _webhook(self, topic, order_id):
        self.post_webhook(topic, self.simulator.webhook_payload(topic, order_id))
        return self.perform_jobs()

    def test_stale_skip_keeps_the_created_outcome(self):
        seeded = self.seed_order()
        self._webhook("orders/create", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.outcome, job.last_outcome), ("created", "created"))
        created_at = job.last_outcome_at
        self.assertTrue(created_at)
        self._webhook("orders/updated", seeded["id"])
        self.shop.reconcile("2026-01-01 00:00:00")
        self.perform_jobs()
        self.assertEqual((job.outcome, job.category), ("skipped", "stale"), "the last run was a stale skip")
        self.assertEqual(job.last_outcome, "created", "the skip does not hide that the order was created")
        self.assertEqual(job.last_outcome_at, created_at)
        self.assertIn("Created", job.display_outcome)

    def test_the_job_list_reads_created_for_an_order_a_webhook_created(self):
        seeded = self.seed_order()
        self._webhook("orders/create", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertTrue(self.bound("order", seeded["id"]))
        # what the shop's Sync jobs list shows in its Outcome column
        action = self.shop.action_open_sync_jobs()
        arch = self.env["shopify.sync.job"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="display_outcome"', arch)
        rows = self.env["shopify.sync.job"].web_search_read(
            [("id", "in", listed(self.env, action).ids)], {"name": {}, "display_outcome": {}}
        )
        self.assertEqual([r["display_outcome"] for r in rows["records"] if r["id"] == job.id], ["Created"])
        # changed in Shopify: updated, and the list still says the sync created the order
        self.simulator.touch("order", seeded["id"])
        self._webhook("orders/updated", seeded["id"])
        self.assertEqual(job.last_outcome, "updated")
        rows = self.env["shopify.sync.job"].web_search_read([("id", "=", job.id)], {"display_outcome": {}})
        self.assertEqual(rows["records"][0]["display_outcome"], "Created, then updated")
        # then a reconciliation finds nothing newer: a stale skip, and still created, then updated
        self.shop.reconcile("2026-01-01 00:00:00")
        self.perform_jobs()
        self.assertEqual(job.outcome, "skipped")
        self.assertEqual(job.display_outcome, "Created, then updated (last run: Skipped)")
        self.assertTrue(job.record_created_at)

    def test_failure_retry_and_resolution_are_in_the_chatter(self):
        seeded = self.seed_order()
        self.simulator.fail_next(1, status=500)
        self._webhook("orders/create", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.state, job.outcome, job.last_outcome), ("done", "created", "created"))
        text = bodies(job)
        self.assertIn("Attempt 1 failed", text, "the recovered timeout is not forgotten")
        self.assertIn("500", text)
        self.assertIn("Attempt 2 succeeded", text)
        # a mapping failure, a retry, then a resolution by hand
        other = self.seed_order(seed=21)
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        self._webhook("orders/create", other["id"])
        failed = self.sync_job("order", other["id"])
        self.assertEqual(failed.state, "failed")
        failed.action_retry()
        self.perform_jobs()
        text = bodies(failed)
        self.assertIn("Attempt 1 failed", text)
        self.assertIn("Retry requested", text)
        self.assertIn("Attempt 2 failed", text)
        self.assertIn("is not mapped to an Odoo product", text)
        wizard = self.env["shopify.resolve.wizard"].create({"sync_job_ids": failed.ids, "reason": "Phoned in"})
        wizard.action_resolve()
        self.assertIn("Phoned in", bodies(failed))


@tagged("post_install", "-at_install")
class TestProblemActivities(ShopifyHttpCase):
    def setUp(self):
        super().setUp()
        # Only this test's activities: tests on committed cursors (concurrency) may leave theirs behind.
        self.env.cr.execute("SELECT COALESCE(max(id), 0) FROM mail_activity")
        self.activity_floor = self.env.cr.fetchone()[0]

    def _activities(self):
        activity_type = self.env.ref("shopify_sync.mail_activity_type_sync_failure")
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("activity_type_id", "=", activity_type.id), ("id", ">", self.activity_floor)])
        )

    def test_activity_raised_before_the_order_existed_is_done_once_it_syncs(self):
        """Total mismatch on a new order: the activity is filed without an Odoo record, then closed by success."""
        seeded = self.seed_order()
        wrong_total = f"{float(seeded['total_price']) + 5:.2f}"
        self.simulator.seed_order(dict(seeded, total_price=wrong_total))
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.assertEqual([o for _u, o in self.perform_jobs()], ["failed"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.category, job.res_id), ("data_conflict", 0))
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual((activity.res_model, activity.res_id), (job._name, job.id), "no order yet: on the job")
        self.assertIn(f"/odoo/shopify.sync.job/{job.id}", str(activity.note), "the activity links to its job")
        # a second failure of the same problem does not raise a second activity
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(len(self._activities().filtered("active")), 1)
        # the fix (Shopify's total corrected) and a retry: the order syncs
        self.simulator.seed_order(seeded)
        self.simulator.touch("order", seeded["id"])
        self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", seeded["id"]))
        performed = self.perform_jobs()
        self.assertEqual(self.outcomes_of(performed, "order"), ["done"])
        self.assertEqual(self.outcomes_of(performed, "order_links"), ["done"], "the new order's link")
        order = self.bound("order", seeded["id"])
        self.assertTrue(order)
        self.assertEqual(job.state, "done")
        self.assertFalse(self._activities().filtered("active"), "no activity is left open once the problem is solved")
        self.assertFalse(order.activity_ids.filtered(lambda a: a.activity_type_id == activity.activity_type_id))
        self.assertFalse(self.shop.activity_ids)

    def test_activity_on_the_order_when_it_exists_links_to_the_job(self):
        seeded = self.seed_order()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        # the order changes in Shopify to a tax rate without mapping: it fails now with an Odoo record
        self.env["shopify.tax.mapping"].search([("shop_id", "=", self.shop.id)]).unlink()
        self.simulator.touch("order", seeded["id"])
        self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", seeded["id"]))
        self.perform_jobs()
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(job.state, "failed", job.message)
        activity = job.problem_activity_id
        self.assertEqual((activity.res_model, activity.res_id), ("sale.order", order.id))
        self.assertIn(f"/odoo/shopify.sync.job/{job.id}", str(activity.note))
        self.env["shopify.tax.mapping"].create(
            {"shop_id": self.shop.id, "rate": 0.06, "price_include": False, "tax_id": self.tax.id}
        )
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(job.state, "done")
        left = self._activities().filtered("active")
        self.assertFalse(left, [(a.res_model, a.res_id, a.summary, str(a.note)[:200]) for a in left])

    def _unmapped_order(self, seed=None):
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order(seed=seed)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.assertEqual([o for _u, o in self.perform_jobs()], ["failed"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(job.category, "mapping")
        self.assertEqual(len(self._activities().filtered("active")), 1)
        return seeded, job

    def test_activity_done_when_the_fixed_order_waits_for_review_even_if_rejected(self):
        """The retry after the fix ends in *To review*: the failure is over, its activity too."""
        _seeded, job = self._unmapped_order(seed=31)
        self.shop.write({"create_products": True, "rollout_orders": "review"})
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(job.state, "to_review")
        self.assertFalse(self._activities().filtered("active"), "the mapping problem is solved")
        self.assertFalse(job.problem_activity_id)
        job.action_reject("Not this one")
        self.assertEqual(job.state, "rejected")
        self.assertFalse(self._activities().filtered("active"))

    def test_activity_filed_on_the_shop_by_an_earlier_version_is_done_on_success(self):
        """Earlier versions filed it on the shop, summary ``Shopify sync failed: Order #1001``, without a link."""
        seeded, job = self._unmapped_order(seed=32)
        self._activities().unlink()
        legacy = self.shop.activity_schedule(
            "shopify_sync.mail_activity_type_sync_failure",
            summary=f"Shopify sync failed: Order {seeded['name']}",
            note="The order's product is not mapped.",
        )
        # The upgrade to 19.0.2.2.0 links it to its job
        self.assertEqual(migration("19.0.2.2.0", "post").link_legacy_activities(self.env), 1)
        self.shop.create_products = True
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(job.state, "done", job.message)
        self.assertNotEqual(job.name, f"Order {seeded['name']}", "the name now has the customer and total")
        self.assertFalse(legacy.exists() and legacy.active, "no activity is left open once the problem is solved")
        self.assertFalse(self.shop.activity_ids)

    def test_activity_done_when_resolved_by_hand(self):
        _seeded, job = self._unmapped_order(seed=33)
        self.env["shopify.resolve.wizard"].create(
            {"sync_job_ids": job.ids, "reason": "Shipped by hand"}
        ).action_resolve()
        self.assertEqual((job.state, job.needs_action), ("ignored", False))
        self.assertFalse(self._activities().filtered("active"))
