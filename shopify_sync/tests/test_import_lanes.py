"""Import lanes: a run's chunks imported side by side, resumable; the orders run waits for the catalogue."""

from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import ShopifyTransactionCase
from .test_import import ImportMixin, WorkerKilled


@tagged("post_install", "-at_install")
class TestImportLanes(ImportMixin, ShopifyTransactionCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.import_read_jobs", "2")

    def lane_keys(self, run):
        return sorted(job.identity_key.rsplit(":", 1)[1] for job in self.chunk_jobs(run))

    def test_chunks_are_imported_in_parallel_lanes(self):
        data = self.seed_store(seed=181, orders=7)
        run = self.orders_run_reading()
        self.cut(run)
        chunks = run.chunk_ids
        self.assertGreaterEqual(len(chunks), 4, "7 orders (and earlier ones) in chunks of 2")
        self.assertEqual(chunks.mapped("sequence"), list(range(len(chunks))))
        self.assertEqual(chunks[0].start_offset, 0)
        for before, after in zip(chunks, chunks[1:], strict=False):
            self.assertEqual((after.start_offset, after.start_line), (before.end_offset, before.end_line))
        self.assertEqual(chunks[-1].end_line, run.object_count)
        # Two chunk jobs of the run wait at once: one per lane, never more.
        self.assertEqual(self.lane_keys(run), ["0", "1"])
        lane_1 = self.chunk_jobs(run).filtered(lambda job: job.identity_key.endswith(":chunk:1"))
        self.assertEqual(self._perform_one(lane_1.uuid), "done")
        self.assertEqual(self.lane_keys(run), ["0", "3"], "lane 1 goes on with its next chunk")
        self.perform_jobs(max_rounds=60)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(set(chunks.mapped("state")), {"done"})
        self.assertEqual(run.rows_read, run.object_count)
        self.assertEqual(
            run.created_count + run.linked_count,
            sum(chunks.mapped("created_count")) + sum(chunks.mapped("linked_count")),
        )
        self.assertEqual(run.failed_count, 0)
        self.assert_once({"orders": data["orders"], "customers": [], "products": []})
        # The order links were queued once per chunk, not once per order, and are all sent.
        self.assertFalse(self.env["shopify.order.link.outbox"].search([("shop_id", "=", self.shop.id)]))

    def test_killed_chunk_job_beside_another_lane_imports_nothing_twice(self):
        data = self.seed_store(seed=182, orders=6)
        run = self.orders_run_reading()
        self.cut(run)
        first, second = self.chunk_jobs(run).sorted("identity_key")
        with self.worker_dies_after_first_record(), self.assertRaises(WorkerKilled):
            with self.env.cr.savepoint():
                Job.load(self.env, first.uuid).perform()
        self.env.invalidate_all()
        self.assertEqual(run.chunk_ids[0].state, "pending")
        self.assertEqual(run.chunk_ids[0].created_count, 0, "nothing of the killed chunk stays")
        self.assertEqual(self._perform_one(second.uuid), "done")
        # The killed job is performed again (as the runner requeues it), then the rest.
        self.perform_jobs(max_rounds=60)
        self.assertEqual(run.state, "done", run.message)
        in_store = len(self.simulator.store.orders)
        self.assertEqual((run.created_count + run.linked_count, run.failed_count), (in_store, 0))
        self.assert_once({"orders": data["orders"], "customers": [], "products": []})

    def test_fold_restarts_a_lane_whose_job_is_gone(self):
        data = self.seed_store(seed=186, orders=4)
        run = self.orders_run_reading()
        self.cut(run)
        self.assertEqual(self.lane_keys(run), ["0", "1"])
        self.chunk_jobs(run).unlink()  # lost: e.g. purged while the run waited
        fold = self.import_jobs(run).filtered(lambda job: job.identity_key.endswith(":fold"))
        self.assertEqual(self._perform_one(fold.uuid), "done")
        self.assertEqual(self.lane_keys(run), ["0", "1"], "the fold enqueues each lane's first chunk not done")
        self.perform_jobs(max_rounds=60)
        self.assertEqual(run.state, "done", run.message)
        self.assert_once({"orders": data["orders"], "customers": [], "products": []})

    def start_catalogue_and_orders(self, seed):
        data = self.seed_store(seed=seed, orders=2)
        runs = self.shop.action_import(objects=("products", "orders"))
        products, orders = runs.filtered(lambda r: r.object_kind == "products"), runs - runs[:1]
        self.assertEqual(orders.object_kind, "orders")
        self.perform_import_step(products)  # start
        self.perform_import_step(orders)  # start
        self.wait_exports()
        for _step in range(20):
            if orders.chunk_ids:
                break
            self.perform_import_step(orders)
        self.assertEqual(self.perform_import_step(orders), "done")  # a fold
        return data, products, orders

    def test_orders_wait_for_the_products_then_go_on(self):
        data, products, orders = self.start_catalogue_and_orders(seed=183)
        self.assertIn(products.state, ("running", "reading"))
        self.assertFalse(self.chunk_jobs(orders), "no order is read while the products are imported")
        self.assertIn("Waiting for the products import", orders.message)
        for _round in range(40):
            if products.state == "done":
                break
            for job in self.import_jobs(products):
                self._perform_one(job.uuid)
        self.assertEqual(products.state, "done", products.message)
        self.perform_import_step(orders)  # the fold starts the lanes
        self.assertTrue(self.chunk_jobs(orders))
        self.perform_jobs(max_rounds=60)
        self.assertEqual(orders.state, "done", orders.message)
        self.assertFalse(orders.message)
        self.assertEqual((orders.deferred_count, orders.failed_count), (0, 0))
        self.assert_once({"orders": data["orders"], "customers": [], "products": data["products"]})

    def test_orders_go_on_when_the_products_run_failed(self):
        data, products, orders = self.start_catalogue_and_orders(seed=184)
        self.assertFalse(self.chunk_jobs(orders))
        products._fail("Shopify could not export the products.")
        self.perform_import_step(orders)
        self.assertTrue(self.chunk_jobs(orders), "a failed products run does not hold the orders")
        self.perform_jobs(max_rounds=60)
        self.assertEqual(orders.state, "done", orders.message)
        self.assertEqual(products.state, "failed")
        self.assert_once({"orders": data["orders"], "customers": [], "products": []})

    def test_product_attributes_are_made_once_before_the_lanes(self):
        data = self.seed_store(seed=185, orders=0)
        run = self.shop.action_import(objects=("products",))
        self.perform_import_step(run)  # start
        self.wait_exports()
        for _step in range(20):
            if run.chunk_ids:
                break
            self.perform_import_step(run)
        self.assertGreaterEqual(len(self.chunk_jobs(run)), 2)
        Value = self.env["product.attribute.value"]
        for product in data["products"]:
            for option in product["options"]:
                for value in option["values"]:
                    domain = [("attribute_id.name", "=ilike", option["name"]), ("name", "=ilike", value)]
                    self.assertEqual(Value.search_count(domain), 1, (option["name"], value))
        self.perform_jobs(max_rounds=60)
        self.assertEqual(run.state, "done", run.message)
        for name in ("Color", "Size"):
            self.assertEqual(self.env["product.attribute"].search_count([("name", "=ilike", name)]), 1, name)
        self.assert_once({"orders": [], "customers": [], "products": data["products"]})

    def test_unset_poll_seconds_mean_the_default(self):
        params = self.env["ir.config_parameter"].sudo()
        run = self.env["shopify.import.run"].create({"shop_id": self.shop.id, "object_kind": "orders"})
        params.set_param("shopify_sync.import_poll_seconds", False)  # unset
        self.assertFalse(params.get_param("shopify_sync.import_poll_seconds"))
        self.assertEqual(run._poll_seconds(), 2.0)
        run.poll_count = 20
        self.assertEqual(run._poll_seconds(), 60.0)
        params.set_param("shopify_sync.import_poll_seconds", "0")
        self.assertEqual(run._poll_seconds(), 0.0)
        params.set_param("shopify_sync.import_poll_seconds", "7.5")
        self.assertEqual(run._poll_seconds(), 7.5)
