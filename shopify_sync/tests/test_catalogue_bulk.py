"""Publishing many products at once: one bulk productSet mutation, each line bound to its product."""

from odoo import Command
from odoo.tests import tagged

from . import test_catalogue_publish as single

BULK_FROM = 3


@tagged("post_install", "-at_install")
class TestCatalogueBulk(single.CatalogueCase):
    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.bulk_publish_from", str(BULK_FROM))
        params.set_param("shopify_sync.import_poll_seconds", "0")

    def _publish_many(self, templates):
        wizard = self.env["shopify.publish.wizard"].create(
            {"product_tmpl_ids": [Command.set(templates.ids)], "shop_ids": [Command.set(self.shop.ids)]}
        )
        wizard.action_publish()
        performed = self.perform_jobs(max_rounds=1)  # the start: file uploaded, bulk mutation running
        for operation in self.simulator.bulk_operations():
            if operation["type"] == "MUTATION":
                self.simulator.bulk_wait(int(operation["id"].rsplit("/", 1)[1]))
        return performed + self.perform_jobs(max_rounds=20)

    def _batch(self):
        return self.env["shopify.publish.batch"].search([("shop_id", "=", self.shop.id)], limit=1)

    def _bulk_mutations(self):
        return [o for o in self.simulator.bulk_operations() if o["type"] == "MUTATION"]

    def test_many_products_are_one_bulk_mutation_each_line_bound(self):
        templates = self.env["product.template"]
        for number in range(4):
            templates |= self._template(name=f"Bulk Shirt {number}")
        calls_before = len(self.simulator.mutations_named("productSet", applied=True))
        bulk_before = len(self._bulk_mutations())
        self._publish_many(templates)
        self.assertEqual(len(self._bulk_mutations()) - bulk_before, 1, "one bulk mutation for the four products")
        batch = self._batch()
        self.assertEqual((batch.state, batch.created_count, batch.failed_count), ("done", 4, 0), batch.message)
        self.assertEqual(len(self.simulator.mutations_named("productSet", applied=True)) - calls_before, 4)
        for template in templates:
            shopify_products = self._products_titled(template.name)
            self.assertEqual(len(shopify_products), 1, template.name)
            product = shopify_products[0]
            self.assertEqual(self.bound("product", product["id"]), template)
            self.assertEqual(product["handle"], template.shopify_handle)
            for variant in product["variants"]:
                self.assertEqual(self.bound("variant", variant["id"]).default_code, variant["sku"])
            job = self.sync_job("product_push", template.id)
            self.assertEqual((job.state, job.outcome), ("done", "created"), job.message)
        # Shopify's products/create about them: echoes, no job, no second Odoo product.
        count = self.env["product.template"].search_count([])
        self._send_webhooks()
        self.perform_jobs()
        self.assertEqual(self.env["product.template"].search_count([]), count)
        # Published again: bound now, so each is a push of its own; nothing created twice.
        self._publish_many(templates)
        self.assertEqual(len(self._bulk_mutations()) - bulk_before, 1, "no second bulk mutation for bound products")
        for template in templates:
            self.assertEqual(len(self._products_titled(template.name)), 1)
            self.assertEqual(len(template.shopify_binding_ids), 1)

    def test_a_failing_line_fails_its_product_only(self):
        templates = self.env["product.template"]
        for number in range(3):
            templates |= self._template(name=f"Line Shirt {number}")
        self.simulator.bulk_fail_line(1)
        self._publish_many(templates)
        batch = self._batch()
        self.assertEqual((batch.state, batch.created_count, batch.failed_count), ("done", 2, 1))
        failed = templates[1]
        job = self.sync_job("product_push", failed.id)
        self.assertEqual(job.state, "failed")
        self.assertIn("Simulated failure of this line", job.message)
        self.assertIn(failed.name, job.message)
        self.assertFalse(failed.shopify_binding_ids)
        self.assertFalse(self._products_titled(failed.name))
        for template in templates - failed:
            self.assertEqual(self.sync_job("product_push", template.id).outcome, "created")
            self.assertEqual(len(template.shopify_binding_ids), 1)
        # Published again, the failed product alone (below the threshold): created, once.
        self._publish(failed)
        self.assertEqual(self.sync_job("product_push", failed.id).outcome, "created")
        self.assertEqual(len(self._products_titled(failed.name)), 1)

    def test_shopify_event_before_the_batch_is_read_links_by_handle(self):
        templates = self.env["product.template"]
        for number in range(3):
            templates |= self._template(name=f"Early Shirt {number}")
        for template in templates:  # no SKU to match them by: only the handle can
            template.product_variant_ids.default_code = False
        wizard = self.env["shopify.publish.wizard"].create(
            {"product_tmpl_ids": [Command.set(templates.ids)], "shop_ids": [Command.set(self.shop.ids)]}
        )
        wizard.action_publish()
        self.perform_jobs(max_rounds=1)
        self.simulator.bulk_wait(int(self._bulk_mutations()[-1]["id"].rsplit("/", 1)[1]))
        count = self.env["product.template"].search_count([])
        self._send_webhooks()  # products/create of each, before the result is read
        self.perform_jobs(max_rounds=20)
        self.assertEqual(self.env["product.template"].search_count([]), count, "no product created twice in Odoo")
        self.assertEqual(self._batch().state, "done")
        for template in templates:
            self.assertEqual(len(self._products_titled(template.name)), 1)
            self.assertEqual(len(template.shopify_binding_ids), 1)
            self.assertEqual(len(template.product_variant_ids.shopify_binding_ids), 2)

    def test_a_failed_bulk_operation_publishes_its_products_one_by_one(self):
        templates = self.env["product.template"]
        for number in range(3):
            templates |= self._template(name=f"Fallback Shirt {number}")
        self.simulator.bulk_fail_next("INTERNAL_SERVER_ERROR")
        self._publish_many(templates)
        batch = self._batch()
        self.assertEqual(batch.state, "failed")
        self.assertIn("INTERNAL_SERVER_ERROR", batch.message)
        for template in templates:
            self.assertEqual(len(self._products_titled(template.name)), 1, "created once, by its own push")
            self.assertEqual(len(template.shopify_binding_ids), 1)
            self.assertEqual(self.sync_job("product_push", template.id).outcome, "created")

    def test_a_refused_bulk_mutation_publishes_its_products_one_by_one(self):
        templates = self.env["product.template"]
        for number in range(3):
            templates |= self._template(name=f"Refused Shirt {number}")
        # The uploaded file is gone when Shopify is asked to run it: NO_SUCH_FILE.
        self.simulator.before_next("RunBulkMutation", self.simulator.uploads.files.clear)
        self._publish_many(templates)
        batch = self._batch()
        self.assertEqual(batch.state, "failed")
        self.assertIn("published one by one", batch.message)
        for template in templates:
            self.assertEqual(len(self._products_titled(template.name)), 1)
            self.assertEqual(self.sync_job("product_push", template.id).outcome, "created")
