"""Backlog reads: a burst of order events read with one bulk export, against the simulator."""

import time
from datetime import UTC, datetime

from odoo.tests import tagged

from ..services import backlog
from ..services.identity import backlog_identity_key
from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestBacklogRead(ShopifyHttpCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.backlog_read_min_orders", "3")

    # -- kit -------------------------------------------------------------------------------
    def set_budget(self, available, restore_rate):
        """The shop's budget row as Shopify last told it (services/rate_budget.py), as of this statement."""
        self.env.cr.execute(
            """
            INSERT INTO shopify_rate_budget
                (shop_id, available, maximum, restore_rate, updated_at, draws, waits, wait_seconds, throttled)
            VALUES (%(shop)s, %(available)s, 2000, %(rate)s, statement_timestamp() AT TIME ZONE 'UTC', 0, 0, 0, 0)
            ON CONFLICT (shop_id) DO UPDATE
               SET available = EXCLUDED.available, restore_rate = EXCLUDED.restore_rate,
                   updated_at = EXCLUDED.updated_at
            """,
            {"shop": self.shop.id, "available": available, "rate": restore_rate},
        )

    def spend_budget(self):
        """Spent: 0 points now and 5 a second, 50 within the horizon: 3 orders (108 points) are a backlog."""
        self.set_budget(0, 5)

    def refill_budget(self):
        self.set_budget(2000, 100000)

    def burst(self, count, seed):
        """``count`` orders seeded in Shopify and their orders/create webhooks received (not dispatched)."""
        orders = [self.seed_order(seed=seed + n) for n in range(count)]
        for order in orders:
            response = self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", order["id"]))
            self.assertEqual(response.status_code, 200, response.text)
        return orders

    def reads(self):
        return self.env["shopify.backlog.read"].search([("shop_id", "=", self.shop.id)])

    def staged(self):
        return self.env["shopify.backlog.node"].search([("shop_id", "=", self.shop.id)])

    def order_calls(self):
        return len(self.simulator.calls_named("Order"))

    def order_jobs(self, states=("pending", "enqueued")):
        return self.shopify_jobs(states).filtered(lambda job: ":order:" in job.identity_key)

    def step(self, read, step, position=None):
        """Perform the read's waiting ``step`` as the runner would; its outcome."""
        key = backlog_identity_key(self.shop.id, read.id, step, position)
        job = self.env["queue.job"].search([("identity_key", "=", key), ("state", "in", ("pending", "enqueued"))])
        self.assertEqual(len(job), 1, key)
        return self._perform_one(job.uuid)

    def run_read(self, read, spent_at_end=False):
        """Start (unless started), poll and stage ``read`` to its end (``spent_at_end``: the budget spent then)."""
        if read.state == "draft":
            self.assertEqual(self.step(read, "start"), "done")
        for operation in self.simulator.bulk_operations():
            if operation["status"] in ("CREATED", "RUNNING"):
                self.simulator.bulk_wait(int(operation["id"].rsplit("/", 1)[1]))
        for _poll in range(10):
            if read.state != "running":
                break
            self.assertEqual(self.step(read, "poll"), "done")
        if spent_at_end:
            self.spend_budget()  # Shopify's answers to the polls told the budget it is plentiful
        if read.state == "staging":
            self.assertEqual(self.step(read, "stage", 0), "done")

    def assert_once(self, orders):
        for order in orders:
            odoo_orders = self.orders_named(order["name"])
            self.assertEqual(len(odoo_orders), 1, order["name"])
            self.assertEqual(odoo_orders.state, "sale", "confirmed on create, as without a backlog read")
            self.assertEqual(self.bound("order", order["id"]), odoo_orders)
            lines = odoo_orders.order_line.filtered(lambda line: not line.display_type and line.product_id.type)
            self.assertGreaterEqual(len(lines), len(order["line_items"]))

    def burst_with_read(self, count, seed):
        """A burst over the threshold, dispatched after a second (its read starts after every delivery)."""
        orders = self.burst(count, seed)
        time.sleep(1.1)  # times are to the second: the read is decided in a later second than the deliveries
        self.spend_budget()
        self.dispatch()
        read = self.reads()
        self.assertEqual(len(read), 1, "one backlog read for the burst")
        self.refill_budget()  # the later calls of the test (products, links) do not wait for it
        return orders, read

    # -- tests -----------------------------------------------------------------------------
    def test_a_burst_is_read_once_and_its_jobs_query_nothing(self):
        orders, read = self.burst_with_read(4, seed=900)
        self.assertEqual((read.state, read.waiting_count), ("draft", 4))
        jobs = self.order_jobs()
        self.assertEqual(len(jobs), 4)
        self.assertEqual(set(jobs.mapped("result")), {backlog.waiting_result(read.id)}, "held until the read ends")
        self.assertTrue(all(jobs.mapped("eta")))
        # A later batch while the read is active starts no second read; its job waits for the read too.
        orders += self.burst(1, seed=904)
        self.spend_budget()  # spent still: it is held (with points to spare it would query at once)
        self.dispatch()
        self.assertEqual(self.reads(), read)
        self.assertEqual(set(self.order_jobs().mapped("result")), {backlog.waiting_result(read.id)})
        time.sleep(1.1)
        self.assertEqual(self.step(read, "start"), "done")
        self.assertEqual(read.state, "running")
        query = self.simulator.bulk_operations()[-1]["query"]
        self.assertIn(f"updated_at:>='{read.covers_since:%Y-%m-%dT%H:%M:%SZ}'", query)
        # An order job run while the export runs waits for it, without using an attempt.
        job = self.order_jobs()[0]
        self.assertEqual(self._perform_one(job.uuid), "retry")
        self.assertEqual((job.retry, job.result), (0, backlog.waiting_result(read.id)))
        calls_before = self.order_calls()
        self.run_read(read)
        self.assertEqual((read.state, read.staged_count), ("done", 5))
        self.assertFalse(any(self.order_jobs().mapped("eta")), "woken when the read ended")
        performed = self.perform_jobs()
        self.assertEqual(set(self.outcomes_of(performed, "order")), {"done"})
        self.assertEqual(self.order_calls(), calls_before, "no ORDER_QUERY: every order came from the export")
        self.assert_once(orders)
        self.assertEqual({self.sync_job("order", o["id"]).outcome for o in orders}, {"created"})
        self.assertFalse(self.staged(), "each staged order consumed by its job")
        calls = [c for c in self.simulator.calls if c.get("operation") in ("RunBulkQuery", "BulkOperation")]
        self.assertLessEqual(sum(c.get("actual_cost") or 0 for c in calls), 10 + 10, "the mutation and a few polls")

    def test_events_after_a_read_started_get_the_next_read(self):
        first, read = self.burst_with_read(3, seed=950)
        time.sleep(1.1)
        self.assertEqual(self.step(read, "start"), "done")
        later = self.burst(3, seed=953)  # received after the export started: not in it
        self.spend_budget()
        self.dispatch()
        self.assertEqual(self.reads(), read, "no second read while one is active")
        self.assertEqual(len(self.order_jobs()), 6)
        self.assertEqual(set(self.order_jobs().mapped("result")), {backlog.waiting_result(read.id)})
        self.run_read(read, spent_at_end=True)  # ends: its 3 jobs are woken, the 3 later ones get a read
        self.assertEqual(read.staged_count, 3)
        second = self.reads() - read
        self.assertEqual((len(second), second.waiting_count), (1, 3))
        self.refill_budget()
        time.sleep(1.1)
        self.run_read(second)
        self.assertEqual((second.state, second.staged_count), ("done", 3))
        calls_before = self.order_calls()
        self.perform_jobs()
        self.assertEqual(self.order_calls(), calls_before, "both reads together: no ORDER_QUERY")
        self.assert_once(first + later)
        self.assertFalse(self.staged())

    def test_a_staged_order_older_than_the_jobs_event_is_not_used(self):
        orders, read = self.burst_with_read(3, seed=910)
        self.run_read(read)
        self.assertEqual(len(self.staged()), 3)
        # Order 0 changes in Shopify after the export started: its event merges into its waiting job.
        time.sleep(1.1)
        newest = self.simulator.touch("order", orders[0]["id"])["updated_at"]
        self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", orders[0]["id"]))
        self.dispatch()
        calls_before = self.order_calls()
        self.perform_jobs()
        self.assertEqual(self.order_calls(), calls_before + 1, "order 0 was queried, the others came from the export")
        self.assert_once(orders)
        binding = self.env["shopify.order.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_id", "=", str(orders[0]["id"]))]
        )
        self.assertEqual(binding.shopify_updated_at.strftime("%Y-%m-%dT%H:%M:%S"), _utc(newest))
        self.assertEqual(self.staged().mapped("resource_id"), [str(orders[0]["id"])], "the stale row is left")

    def test_a_failed_export_lets_the_jobs_query_nothing_lost(self):
        self.simulator.bulk_fail_next("INTERNAL_SERVER_ERROR")
        orders, read = self.burst_with_read(3, seed=920)
        self.run_read(read)
        self.assertEqual(read.state, "failed")
        self.assertIn("INTERNAL_SERVER_ERROR", read.message)
        self.assertIn("backlog read", self.shop.message_ids[0].body)
        self.assertFalse(any(self.order_jobs().mapped("eta")), "woken when the read failed")
        self.assertFalse(self.staged())
        calls_before = self.order_calls()
        performed = self.perform_jobs()
        self.assertEqual(set(self.outcomes_of(performed, "order")), {"done"})
        self.assertEqual(self.order_calls(), calls_before + 3, "each order queried as without a read")
        self.assert_once(orders)

    def test_a_retried_job_after_its_commit_makes_no_second_order(self):
        orders, read = self.burst_with_read(3, seed=930)
        self.run_read(read)
        job = self.order_jobs().filtered(lambda j: j.identity_key.endswith(f":{orders[0]['id']}"))
        self.assertEqual(self._perform_one(job.uuid), "done")
        self.assertEqual(self.sync_job("order", orders[0]["id"]).outcome, "created")
        links = len(self.waiting_links())
        job.write({"state": "pending"})  # the runner thought it dead: it runs again
        calls_before = self.order_calls()
        self.assertEqual(self._perform_one(job.uuid), "done")
        self.assertEqual(self.order_calls(), calls_before + 1, "its staged row is gone: the rerun queries Shopify")
        self.assertEqual(len(self.orders_named(orders[0]["name"])), 1)
        self.assertEqual(self.sync_job("order", orders[0]["id"]).outcome, "skipped", "the same version: stale")
        self.assertEqual(len(self.waiting_links()), links, "no second link")

    def test_a_redact_request_erases_the_staged_orders(self):
        orders, read = self.burst_with_read(4, seed=905)
        self.run_read(read)
        self.assertTrue(self.staged())
        self.sync("customer_redact", "3333")  # the redact request's job
        self.assertFalse(self.staged(), "no staged order is kept after a redact request")
        self.perform_jobs()
        self.assert_once(orders)

    def test_no_read_when_disabled_or_the_budget_suffices(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.backlog_read_min_orders", False)  # unset
        self.assertEqual(self.reads()._min_orders(), backlog.DEFAULT_MIN_ORDERS)
        params.set_param("shopify_sync.backlog_read_min_orders", "0")
        self.spend_budget()
        self.burst(3, seed=940)
        self.dispatch()
        self.assertFalse(self.reads(), "0 disables backlog reads")
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.backlog_read_min_orders", "3")
        self.set_budget(2000, 100)
        self.burst(3, seed=943)
        self.dispatch()
        self.assertFalse(self.reads(), "6 orders (216 points) are well within 2,000 points")
        self.assertFalse(any(self.order_jobs().mapped("eta")))


def _utc(shopify_time):
    """A REST time with offset as naive UTC text, the way Odoo stores it."""
    return datetime.fromisoformat(shopify_time).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
