"""Day-one import with bulk operations, against the simulator: no duplicates, resumable, failures kept."""

import json
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from ..models.shopify_sync_job import ShopifySyncJob
from ..services import bulk_reader
from ..services.identity import advisory_key, identity_key
from .common import ShopifyHttpCase, ShopifyTransactionCase


class WorkerKilled(BaseException):
    """Stands for a worker killed in the middle of a job: nothing of its transaction commits, no handler runs."""


class ImportMixin:
    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.import_poll_seconds", "0")
        params.set_param("shopify_sync.import_chunk_size", "2")
        params.set_param("shopify_sync.import_read_jobs", "1")  # one lane: the steps one after the other

    def seed_store(self, seed, orders=3):
        return self.simulator.generate(customers=2, products=3, orders=orders, lines_per_order=2, seed=seed)

    @contextmanager
    def worker_dies_after_first_record(self):
        """The job's worker is killed once the job has imported one record (WorkerKilled)."""
        calls = []
        real = ShopifySyncJob._import_node

        def dying(self_, *args, **kwargs):
            if calls:
                raise WorkerKilled()
            calls.append(args)
            return real(self_, *args, **kwargs)

        with patch.object(ShopifySyncJob, "_import_node", dying):
            yield

    def bulk_fault(self, fail=None, expire=False):
        """Make the simulator's next bulk operation fail with ``fail`` (an errorCode) or expire."""
        if fail:
            self.simulator.bulk_fail_next(fail)
        if expire:
            self.simulator.bulk_expire_next()

    def wait_exports(self):
        """Let the simulator finish writing the files of the exports started (its worker threads)."""
        for operation in self.simulator.bulk_operations():
            if operation["status"] in ("CREATED", "RUNNING"):
                self.simulator.bulk_wait(int(operation["id"].rsplit("/", 1)[1]))

    def run_import(self, objects=("products", "customers", "orders"), since=None, max_rounds=60):
        runs = self.shop.action_import(objects=objects, since=since)
        self.perform_jobs(max_rounds=1)  # the starts
        self.wait_exports()
        self.perform_jobs(max_rounds=max_rounds)
        return runs

    def import_jobs(self, run, states=("pending", "enqueued")):
        return self.env["queue.job"].search(
            [("identity_key", "=like", f"shopify_sync:{self.shop.id}:import:{run.id}:%"), ("state", "in", states)]
        )

    def perform_import_step(self, run):
        """Perform the run's waiting step (its fold when no other step waits); its outcome."""
        jobs = self.import_jobs(run)
        steps = jobs.filtered(lambda job: not job.identity_key.endswith(":fold"))
        self.assertLessEqual(len(steps), 1, "one waiting step per run (one lane)")
        self.assertTrue(jobs, "a step waits")
        return self._perform_one((steps or jobs)[:1].uuid)

    def chunk_jobs(self, run, states=("pending", "enqueued")):
        return self.import_jobs(run, states=states).filtered(lambda job: ":chunk:" in job.identity_key)

    def cut(self, run):
        """Perform the run's cut step: its chunks recorded, its lanes started."""
        self.assertEqual(self.perform_import_step(run), "done")
        self.assertTrue(run.chunk_ids)

    def orders_run_reading(self):
        """An orders run started and polled until its file is ready to read (nothing read yet)."""
        run = self.shop.action_import(objects=("orders",))
        self.assertEqual(self.perform_import_step(run), "done")  # start
        self.wait_exports()
        for _poll in range(20):
            if run.state != "running":
                break
            self.perform_import_step(run)
        self.assertEqual(run.state, "reading")
        return run

    def assert_once(self, data):
        """Every seeded record has exactly one Odoo record in this shop."""
        for order in data["orders"]:
            self.assertEqual(len(self.orders_named(order["name"])), 1, order["name"])
            self.assertTrue(self.bound("order", order["id"]))
        for customer in data["customers"]:
            partner = self.bound("customer", customer["id"])
            self.assertEqual(len(partner), 1)
            domain = [("email", "=ilike", customer["email"]), ("parent_id", "=", False)]
            same_email = self.env["res.partner"].search(domain)
            self.assertEqual(same_email, partner, customer["email"])
        for product in data["products"]:
            self.assertEqual(len(self.bound("product", product["id"])), 1)
            for variant in product["variants"]:
                self.assertEqual(len(self.bound("variant", variant["id"])), 1)

    @contextmanager
    def export_rewritten(self, rewrite):
        """Serve the simulator's export file through ``rewrite(bytes) -> bytes`` (a corrupted file)."""
        real_get = bulk_reader.requests.get

        class Rewritten:
            def __init__(self, response):
                self.status_code = response.status_code
                self._body = rewrite(response.content) if response.status_code < 300 else b""

            def iter_content(self, chunk_size):
                for start in range(0, len(self._body), chunk_size):
                    yield self._body[start : start + chunk_size]

            def close(self):
                pass

        def get(url, headers=None, **kwargs):
            response = real_get(url, **kwargs)  # the whole file, then cut at the asked offset
            rewritten = Rewritten(response)
            start = int((headers or {}).get("Range", "bytes=0-")[6:-1] or 0)
            if start:
                rewritten._body, rewritten.status_code = rewritten._body[start:], 206
            return rewritten

        with patch.object(bulk_reader.requests, "get", get):
            yield


@tagged("post_install", "-at_install")
class TestImport(ImportMixin, ShopifyTransactionCase):
    def test_wizard_starts_the_chosen_kinds_once(self):
        wizard = self.env["shopify.import.wizard"].create(
            {"shop_id": self.shop.id, "import_products": False, "import_customers": False, "orders_since": "2026-01-01"}
        )
        wizard.action_import()
        run = self.shop.import_run_ids
        self.assertEqual((run.object_kind, run.since, run.state), ("orders", datetime(2026, 1, 1), "draft"))
        self.assertEqual(self.import_jobs(run).identity_key, f"shopify_sync:{self.shop.id}:import:{run.id}:start")
        with self.assertRaises(UserError):
            self.shop.action_import(objects=("orders",))
        self.perform_import_step(run)
        self.assertEqual(run.state, "running")
        query = self.simulator.bulk_operations()[-1]["query"]
        self.assertIn("created_at:>='2026-01-01T00:00:00Z'", query)
        self.assertIn("lineItems", query)

    def test_import_twice_creates_nothing_twice(self):
        data = self.seed_store(seed=171)
        runs = self.run_import()
        self.assertEqual(set(runs.mapped("state")), {"done"}, runs.mapped("message"))
        self.assert_once(data)
        orders = runs.filtered(lambda r: r.object_kind == "orders")
        self.assertGreaterEqual(orders.created_count + orders.linked_count, len(data["orders"]))
        self.assertEqual(orders.failed_count, 0)
        self.assertEqual(orders.rows_read, orders.object_count)
        self.assertEqual(self.shop.import_progress, 100.0)
        self.assertEqual(self.shop.import_state, "done")
        sync_job = self.sync_job("order", data["orders"][0]["id"])
        self.assertEqual((sync_job.state, sync_job.res_model), ("done", "sale.order"))

        again = self.run_import()
        self.assertEqual(set(again.mapped("state")), {"done"})
        self.assertEqual(sum(again.mapped("created_count")), 0)
        self.assert_once(data)

    def test_resumed_after_its_job_is_killed(self):
        data = self.seed_store(seed=172, orders=5)
        run = self.orders_run_reading()
        self.cut(run)
        self.assertGreaterEqual(len(run.chunk_ids), 3, "5 orders (and earlier ones) in chunks of 2")
        first = run.chunk_ids[0]
        self.assertEqual(self._perform_one(self.chunk_jobs(run).uuid), "done")  # first chunk committed
        self.assertEqual((first.state, first.created_count + first.linked_count), ("done", 2))
        second = run.chunk_ids[1]
        saved = (second.state, second.read_offset, second.rows_read, second.created_count + second.linked_count)

        # The next chunk's worker dies after its first record.
        job = self.chunk_jobs(run)
        self.assertTrue(job.identity_key.endswith(":chunk:1"))
        with self.worker_dies_after_first_record(), self.assertRaises(WorkerKilled):
            with self.env.cr.savepoint():
                Job.load(self.env, job.uuid).perform()
        self.env.invalidate_all()
        self.assertEqual(
            (second.state, second.read_offset, second.rows_read, second.created_count + second.linked_count), saved
        )

        # Restarted, the job reads that chunk again: nothing twice.
        self.perform_jobs(max_rounds=60)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.rows_read, run.object_count)
        self.assertEqual(set(run.chunk_ids.mapped("state")), {"done"})
        in_store = len(self.simulator.store.orders)  # the class's earlier tests seeded some too
        self.assertEqual((run.created_count + run.linked_count, run.failed_count), (in_store, 0))
        self.assert_once({"orders": data["orders"], "customers": [], "products": []})

    def test_unexpected_error_stops_the_run_with_a_message(self):
        self.seed_store(seed=173, orders=2)
        run = self.orders_run_reading()
        self.cut(run)
        job = self.chunk_jobs(run)
        self.env.flush_all()  # what the earlier steps left in the cache is theirs, committed before this job

        def broken(self_, *args, **kwargs):
            raise ValueError("a defect in the mapping")

        with patch.object(ShopifySyncJob, "_import_node", broken):
            self.assertEqual(self._perform_one(job.uuid), "failed")
        self.env.invalidate_all()
        self.assertEqual(run.state, "failed", "the run does not stay 'reading' without a word")
        self.assertIn("a defect in the mapping", run.message)
        self.assertIn("Restart import", run.message)

    def test_bad_line_and_missing_fields_fail_their_record_only(self):
        data = self.seed_store(seed=173, orders=4)
        broken, incomplete = data["orders"][1], data["orders"][2]

        def rewrite(body):
            lines = []
            for line in body.split(b"\n"):
                record = json.loads(line) if line.strip() else {}
                if record.get("id") == f"gid://shopify/Order/{broken['id']}":
                    line = line.rstrip()[:-1]  # its closing brace lost: the line does not parse
                elif record.get("id") == f"gid://shopify/Order/{incomplete['id']}":
                    record.pop("name")
                    line = json.dumps(record).encode()
                lines.append(line)
            return b"\n".join(lines)

        with self.export_rewritten(rewrite):
            run = self.run_import(objects=("orders",))
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.failed_count, 2)
        for order, text in ((broken, "line"), (incomplete, "name")):
            job = self.sync_job("order", order["id"])
            self.assertEqual((job.state, job.needs_action), ("failed", True))
            self.assertIn(text, job.message)
            self.assertFalse(self.bound("order", order["id"]))
        for order in (data["orders"][0], data["orders"][3]):
            self.assertEqual(len(self.orders_named(order["name"])), 1)
        # A failure is an ordinary sync job: its retry reads Shopify and imports it, once.
        self.sync_job("order", broken["id"]).action_retry()
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(broken["name"])), 1)

    def test_failed_bulk_operation_says_why_and_restarts(self):
        data = self.seed_store(seed=176, orders=1)
        self.bulk_fault(fail="INTERNAL_SERVER_ERROR")
        run = self.run_import(objects=("orders",))
        self.assertEqual(run.state, "failed")
        self.assertIn("INTERNAL_SERVER_ERROR", run.message)
        self.assertEqual(self.shop.import_state, "failed")
        self.assertIn(run.message, self.shop.import_message)
        self.assertFalse(self.bound("order", data["orders"][0]["id"]))
        restarted = self.shop.action_restart_import()
        self.perform_jobs(max_rounds=60)
        self.assertEqual((restarted.state, restarted.object_kind), ("done", "orders"))
        self.assertEqual((run.state, self.shop.import_state), ("failed", "done"), "the failed run stays as it was")
        self.assertEqual(len(self.orders_named(data["orders"][0]["name"])), 1)

    def test_expired_bulk_operation_says_so(self):
        self.seed_store(seed=177, orders=1)
        self.bulk_fault(expire=True)
        run = self.run_import(objects=("orders",))
        self.assertEqual((run.state, run.bulk_status), ("failed", "EXPIRED"))
        self.assertIn("expired", run.message)
        self.assertEqual(run.rows_read, 0)

    def test_file_expiring_while_read_keeps_what_was_imported(self):
        data = self.seed_store(seed=178, orders=3)
        run = self.shop.action_import(objects=("orders",))
        self.perform_import_step(run)
        self.wait_exports()
        for _step in range(20):
            if "done" in run.chunk_ids.mapped("state"):
                break
            self.perform_import_step(run)
        self.simulator.bulk_expire()
        self.assertEqual(self._perform_one(self.chunk_jobs(run).uuid), "done")
        self.assertEqual(run.state, "failed")
        self.assertIn("expired", run.message)
        self.assertEqual(run.created_count, 2, "the chunk read before stays imported, and counted")
        self.assertEqual(self.shop.import_state, "failed")
        self.shop.action_restart_import()
        self.perform_jobs(max_rounds=1)
        self.wait_exports()
        self.perform_jobs(max_rounds=60)
        self.assertEqual(self.shop.import_state, "done")
        self.assert_once({"orders": data["orders"], "customers": [], "products": []})

    def test_temporary_failure_while_polling_is_retried_then_stops_the_run(self):
        self.seed_store(seed=179, orders=1)
        run = self.shop.action_import(objects=("orders",))
        self.perform_import_step(run)
        self.wait_exports()
        self.simulator.fail_next(1, status=503, operation="BulkOperation")
        self.assertEqual(self.perform_import_step(run), "retry")
        self.assertEqual(run.state, "running")
        # On its last attempt the step stops the run with a message instead of failing unseen.
        self.import_jobs(run).max_retries = 1
        self.simulator.fail_next(1, status=503, operation="BulkOperation")
        self.assertEqual(self.perform_import_step(run), "done")
        self.assertEqual(run.state, "failed")
        self.assertIn("Shopify kept failing", run.message)
        self.assertEqual(self.shop.import_state, "failed")

    def test_order_synced_by_another_job_meanwhile_is_handed_to_it(self):
        data = self.seed_store(seed=174, orders=2)
        busy = data["orders"][0]
        key = identity_key(self.shop.id, "order", busy["id"])
        run = self.shop.action_import(objects=("orders",))
        self.perform_import_step(run)
        self.wait_exports()
        with db_connect(self.env.cr.dbname).cursor() as other:
            # A webhook's job holds the order's lock in another transaction.
            other.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("run", key),))
            for _step in range(60):
                if run.state in ("done", "failed"):
                    break
                self.perform_import_step(run)
            other.rollback()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.deferred_count, 1)
        self.assertFalse(self.bound("order", busy["id"]))
        self.perform_jobs()
        self.assertEqual(len(self.orders_named(busy["name"])), 1)
        self.assertEqual(len(self.orders_named(data["orders"][1]["name"])), 1)


@tagged("post_install", "-at_install")
class TestImportWhileWebhooks(ImportMixin, ShopifyHttpCase):
    def test_import_while_the_same_orders_arrive_by_webhook(self):
        data = self.seed_store(seed=175, orders=4)
        for order in data["orders"]:
            response = self.post_webhook("orders/create", {"id": order["id"]})
            self.assertEqual(response.status_code, 200, response.text)
        self.dispatch()
        # Two orders are synced by their webhook's job before the import reads the file.
        for order in data["orders"][:2]:
            self.sync("order", order["id"])
        run = self.shop.action_import(objects=("orders",))
        self.perform_import_step(run)
        self.wait_exports()
        for _step in range(20):
            if run.state in ("done", "failed"):
                break
            self.perform_import_step(run)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.created_count, run.skipped_count, run.failed_count), (2, 2, 0))
        # Then the webhooks' jobs of all four run: Odoo has them already.
        self.perform_jobs()
        for order in data["orders"]:
            self.assertEqual(len(self.orders_named(order["name"])), 1, order["name"])
            self.assertEqual(self.sync_job("order", order["id"]).state, "done")
