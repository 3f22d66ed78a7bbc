from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from ..services import retry_policy
from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestRetryPolicy(ShopifyHttpCase):
    """Failures use up a bounded number of attempts; throttling is waited out, within a bound."""

    def _order_job(self, max_retries=None):
        seeded = self.seed_order()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.dispatch()
        queue_job = self.shopify_jobs()
        self.assertEqual(len(queue_job), 1)
        if max_retries:
            queue_job.max_retries = max_retries
        return seeded, queue_job

    def test_jobs_carry_the_policy(self):
        _seeded, queue_job = self._order_job()
        self.assertEqual(queue_job.max_retries, retry_policy.MAX_ATTEMPTS)
        function = self.env.ref("shopify_sync.job_function_shopify_sync_job_run_sync")
        stored = {int(count): seconds for count, seconds in function.retry_pattern.items()}
        self.assertEqual(stored, retry_policy.RETRY_PATTERN, "data XML and retry_policy agree")

    def test_throttle_wait_grows_with_the_spell_and_is_capped(self):
        wait = retry_policy.throttle_wait
        self.assertEqual(wait(1.0, 0, rand=lambda: 0.0), retry_policy.THROTTLE_MIN_WAIT)
        self.assertEqual(wait(5.0, 0, rand=lambda: 0.0), 5.0, "Shopify's Retry-After is honoured")
        self.assertEqual(wait(None, 40, rand=lambda: 0.0), 20.0, "half the time throttled so far")
        self.assertEqual(wait(1.0, 3600, rand=lambda: 0.0), retry_policy.THROTTLE_MAX_WAIT)
        self.assertEqual(wait(120.0, 3600, rand=lambda: 0.0), 120.0, "a longer Retry-After wins over the cap")
        self.assertLess(wait(None, 40, rand=lambda: 0.999999), 25.0, "jitter adds at most a quarter")
        now = fields.Datetime.now()
        self.assertTrue(retry_policy.within_throttle_patience(False, now))
        self.assertTrue(retry_policy.within_throttle_patience(now - timedelta(minutes=29), now))
        self.assertFalse(retry_policy.within_throttle_patience(now - retry_policy.THROTTLE_PATIENCE, now))

    def test_throttling_is_waited_out_without_using_up_attempts(self):
        seeded, queue_job = self._order_job(max_retries=2)
        self.simulator.throttle_mode = "http429"
        self.simulator.throttle_next(6)
        first = self._perform_one(queue_job.uuid)
        self.assertEqual(first, "retry")
        job = self.sync_job("order", seeded["id"])
        self.assertTrue(job.throttled_since)
        self.assertIn("HTTP 429", job.message)
        self.assertIn("without using up attempts", job.message)
        self.assertFalse(job.needs_action, "waiting out throttling needs nobody")
        self.assertEqual((queue_job.retry, queue_job.state), (0, "pending"))
        since = job.throttled_since
        outcomes = self.outcomes_of(self.perform_jobs(), "order")
        self.assertEqual(outcomes, ["retry"] * 5 + ["done"], "six 429s, then done, with max_retries=2")
        self.assertEqual((job.state, job.failure_count, job.needs_action), ("done", 6, False))
        self.assertFalse(job.throttled_since, "success ends the throttled spell")
        self.assertLessEqual(since, job.last_failed_at)
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)
        self.assertTrue(self.bound("order", seeded["id"]))
        self.assertFalse(job.problem_activity_id)

    def test_throttling_past_the_patience_uses_up_attempts(self):
        seeded, queue_job = self._order_job(max_retries=2)
        self.simulator.throttle_mode = "http429"
        self.simulator.throttle_next(100)
        self.assertEqual(self._perform_one(queue_job.uuid), "retry")
        job = self.sync_job("order", seeded["id"])
        long_ago = fields.Datetime.now() - retry_policy.THROTTLE_PATIENCE - timedelta(seconds=1)
        job.throttled_since = long_ago
        outcomes = [o for _u, o in self.perform_jobs()]
        self.assertEqual(outcomes, ["retry", "failed"], "two attempts used up, then a visible failure")
        self.assertEqual((job.state, job.category, job.needs_action), ("failed", "temporary", True))
        self.assertIn("retries exhausted", job.message)
        self.assertEqual(job.throttled_since, long_ago, "the spell is not restarted by a counted attempt")
        self.assertTrue(job.problem_activity_id)
        self.assertFalse(self.orders_named(seeded["name"]))

    def test_reconciliation_retries_a_temporary_failure(self):
        self.seed_order()
        self.simulator.fail_next(1, status=503)
        # Not assertRaises: its savepoint would also drop the progress line, written
        # on a second cursor in production (the test cursor is shared).
        try:
            self.shop.reconcile("2026-01-01 00:00:00")
        except RetryableJobError as err:
            self.assertIn("503", str(err))
        else:
            self.fail("a 503 during reconciliation is retried")
        self.assertIn("Waiting to retry", self.shop.reconcile_progress)
        self.assertIn("503", self.shop.reconcile_progress)
        self.assertFalse(self.shop.last_reconciled_at)
        self.shop.reconcile("2026-01-01 00:00:00")
        self.assertIn("Done", self.shop.reconcile_progress)
