"""The import wizard says what it will read, and each run says what happened to each kind, with links."""

from datetime import timedelta

from odoo import fields
from odoo.tests import Form, tagged

from .common import ShopifyTransactionCase
from .test_import import ImportMixin


@tagged("post_install", "-at_install")
class TestImportResult(ImportMixin, ShopifyTransactionCase):
    def _wizard(self):
        return Form(self.env["shopify.import.wizard"].with_context(active_model="shopify.shop", active_id=self.shop.id))

    def test_the_wizard_reads_60_days_of_orders_unless_told_and_says_so(self):
        form = self._wizard()
        since = fields.Date.context_today(self.shop) - timedelta(days=60)
        self.assertEqual(form.orders_since, since)
        self.assertIn(f"Orders created since {fields.Date.to_string(since)} (60 days).", form.summary)
        self.assertIn("Customers: all of them.", form.summary)
        form.orders_since = False
        self.assertIn("every order the store ever had", form.summary)
        form.orders_since = since + timedelta(days=30)
        form.import_products = False
        self.assertIn("(30 days)", form.summary)
        self.assertNotIn("Products", form.summary)
        wizard = form.save()
        action = wizard.action_import()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("(30 days)", action["params"]["message"])
        self.assertEqual(set(self.shop.import_run_ids.mapped("object_kind")), {"customers", "orders"})

    def test_each_kind_says_created_linked_already_there_failed_with_links(self):
        self.shop.match_partner_by_email = True
        data = self.seed_store(seed=61, orders=2)
        known = data["customers"][0]
        partner = self.env["res.partner"].create({"name": "Known already", "email": known["email"]})
        self.run_import(objects=("customers",))
        run = self.shop.import_run_ids.filtered(lambda r: r.object_kind == "customers")
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(
            (run.created_count, run.linked_count, run.present_count, run.failed_count), (1, 1, 0, 0), run.result_line
        )
        self.assertEqual(run.result_line, "1 created · 1 linked · 0 already there · 0 failed")
        jobs = self.env["shopify.sync.job"]
        created = jobs.search(run.with_context(import_result="created").action_open_result()["domain"])
        linked = jobs.search(run.with_context(import_result="linked").action_open_result()["domain"])
        self.assertEqual(linked, self.sync_job("customer", known["id"]))
        self.assertEqual(self.bound("customer", known["id"]), partner)
        self.assertEqual(created, self.sync_job("customer", data["customers"][1]["id"]))
        self.shop.invalidate_recordset()
        self.assertIn(run, self.shop.import_latest_run_ids)
        # read again: everything is already there
        self.run_import(objects=("customers",))
        again = self.shop.import_run_ids.filtered(lambda r: r.object_kind == "customers") - run
        self.assertEqual(again.result_line, "0 created · 0 linked · 2 already there · 0 failed")
        present = jobs.search(again.with_context(import_result="present").action_open_result()["domain"])
        self.assertEqual(present, created | linked)
        self.assertFalse(jobs.search(again.with_context(import_result="failed").action_open_result()["domain"]))
        self.assertFalse(
            jobs.search(run.with_context(import_result="created").action_open_result()["domain"]),
            "read again: the record belongs to the newer run's result",
        )
