"""The duplicate self-test, the team note and the insights from manual work."""

import shutil

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ShopifyHttpCase, ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestSelfTest(ShopifyHttpCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())

    def test_selftest_finds_no_duplicate(self):
        seeded = self.seed_order()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertTrue(order)
        with self.allow_requests(all_requests=True):
            self.shop.action_run_selftest()
        self.assertTrue(self.shop.selftest_at)
        self.assertTrue(self.shop.selftest_ok, self.shop.selftest_note)
        self.assertIn("1 delivery recorded (2 receipts)", self.shop.selftest_note)
        self.assertEqual(self.orders_named(seeded["name"]), order, "nothing new created")
        self.perform_jobs()
        self.assertEqual(self.orders_named(seeded["name"]), order)
        self.shop._check_readiness()
        line = self.shop.readiness_line_ids.filtered(lambda line: line.code == "selftest")
        self.assertEqual(line.state, "green", line.detail)

    def test_selftest_with_sync_off_sends_nothing(self):
        seeded = self.seed_order()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        before = self.env["shopify.webhook.delivery"].search_count([])
        self.shop.sync_enabled = False
        with self.assertRaisesRegex(UserError, "Sync is off"):
            self.shop.action_run_selftest()
        self.shop.sync_enabled = True
        self.shop.rollout_orders = "off"
        with self.assertRaisesRegex(UserError, "switched on"):
            self.shop.action_run_selftest()
        self.assertEqual(self.env["shopify.webhook.delivery"].search_count([]), before, "nothing sent")
        self.assertFalse(self.shop.selftest_at)


@tagged("post_install", "-at_install")
class TestTeamNoteAndInsights(ShopifyTransactionCase):
    def test_team_note_renders_from_the_configuration(self):
        self.shop.write({"rollout_orders": "review", "user_id": self.env.ref("base.user_admin").id})
        self.shop._check_readiness()
        report = self.env.ref("shopify_sync.action_report_shopify_team_note")
        html, _kind = report._render_qweb_html(report.report_name, self.shop.ids)
        html = html.decode()
        self.assertIn("Team note", html)
        self.assertIn(self.shop.name, html)
        self.assertIn("Review", html)
        self.assertIn("res.partner.street", html, "protected fields")
        self.assertIn(self.env.ref("base.user_admin").name, html, "who owns retries")
        self.assertIn("Duplicate self-test", html, "the test examples run, from the readiness check")
        if shutil.which("wkhtmltopdf"):
            pdf, kind = report._render_qweb_pdf(report.report_name, self.shop.ids)
            self.assertEqual(kind, "pdf")
            self.assertTrue(pdf.startswith(b"%PDF"))

    def test_manual_edit_tracked_and_protection_applied(self):
        rest = self.simulator.generate(customers=1)["customers"][0]
        self.sync("customer", rest["id"])
        partner = self.bound("customer", rest["id"])
        user = self.env.ref("base.user_admin")
        self.assertNotIn("res.partner.phone", self.shop._protected_field_specs())
        partner.with_context(shopify_sync=True).write({"phone": "+32 1"})
        self.assertFalse(
            self.env["shopify.manual.edit"].search([("res_id", "=", partner.id)]), "sync writes are not noted"
        )
        for number in ("+32 2", "+32 3", "+32 4"):
            partner.with_user(user).write({"phone": number})
        edits = self.env["shopify.manual.edit"].search([("res_id", "=", partner.id), ("field_name", "=", "phone")])
        self.assertEqual(len(edits), 3)
        self.assertEqual(edits.user_id, user)
        self.shop.action_refresh_suggestions()
        suggestion = self.shop.suggestion_ids.filtered(lambda s: s.kind == "protect" and s.spec == "res.partner.phone")
        self.assertEqual(suggestion.count, 3)
        suggestion.action_apply()
        self.assertIn("res.partner.phone", self.shop._protected_field_specs())
        self.assertTrue(suggestion.applied)
        self.change_and_sync(rest, phone="+1 555 0100")
        self.assertEqual(partner.phone, "+32 4", "the protected field keeps the staff's value")

    def change_and_sync(self, rest, **changes):
        rest.update(changes)
        self.simulator.seed_customer(rest)
        self.simulator.touch("customer", rest["id"])
        self.sync("customer", rest["id"])

    def test_a_repeating_failure_reason_suggests_a_rule(self):
        for index in range(3):
            job = self.env["shopify.sync.job"]._ensure(self.shop, "order", f"77000{index}")
            job.write({"state": "failed", "category": "mapping", "missing": "an Odoo product for SKU Z"})
        self.shop.action_refresh_suggestions()
        rule = self.shop.suggestion_ids.filtered(lambda s: s.kind == "rule")
        self.assertEqual(rule.count, 3)
        self.assertEqual(self.env["shopify.sync.job"].search_count(rule.action_open()["domain"]), 3)

    def test_a_value_staff_keep_filling_suggests_a_mapping(self):
        user = self.env.ref("base.user_admin")
        for _index in range(3):
            rest = self.simulator.generate(customers=1)["customers"][0]
            self.sync("customer", rest["id"])
            partner = self.bound("customer", rest["id"])
            partner.with_context(shopify_sync=True).write({"street2": False})
            partner.with_user(user).write({"street2": "Building B"})
        self.shop.action_refresh_suggestions()
        mapping = self.shop.suggestion_ids.filtered(lambda s: s.kind == "mapping" and s.spec == "res.partner.street2")
        self.assertEqual((mapping.count, mapping.value), (3, "Building B"))
        mapping.action_apply()
        self.assertFalse(mapping.applied, "only protections are applied in one click")
