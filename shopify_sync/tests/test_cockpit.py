"""The operations cockpit: shop health, readable records, fixes that finish the job."""

from lxml import etree

from odoo.tests import Form, tagged

from ..models.shopify_shop_health import FAILURE_REASONS
from .common import ShopifyHttpCase
from .test_cockpit_facets import listed


@tagged("post_install", "-at_install")
class TestCockpit(ShopifyHttpCase):
    def _webhook(self, topic, resource_id):
        """The outcomes of the order jobs an orders/* webhook led to (the batched order-link job apart)."""
        self.post_webhook(topic, self.simulator.webhook_payload(topic, resource_id))
        return self.outcomes_of(self.perform_jobs(), "order")

    def _unmapped_order(self, seed=None):
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order(seed=seed)
        self.assertEqual(self._webhook("orders/create", seeded["id"]), ["failed"])
        return seeded, self.sync_job("order", seeded["id"])

    # -- overview -----------------------------------------------------------------
    def test_overview_card_turns_red_and_counts_lead_to_the_failures(self):
        ok = self.seed_order(seed=3)
        self.assertEqual(self._webhook("orders/create", ok["id"]), ["done"])
        self.shop.invalidate_recordset()
        self.assertFalse(self.shop.needs_attention, self.shop.attention_reason)
        self.assertEqual(self.shop.overview_color, 10)
        self.assertRegex(self.shop.lag_display, r"median \S+ \S+ · p95 \S+ \S+")
        self.assertIn("ago", self.shop.last_webhook_age)
        self.assertEqual((self.shop.order_count, self.shop.open_failure_count), (1, 0))
        _seeded, job = self._unmapped_order(seed=4)
        self.shop.invalidate_recordset()
        self.assertTrue(self.shop.needs_attention)
        self.assertEqual(self.shop.overview_color, 1)
        self.assertEqual((self.shop.failure_mapping_count, self.shop.open_failure_count), (1, 1))
        self.assertEqual(self.shop.open_failures_by_reason, "Mapping: 1")
        action = self.shop.with_context(failure_category="mapping").action_open_failures()
        self.assertEqual(listed(self.env, action), job)
        action = self.shop.with_context(failure_category="temporary").action_open_failures()
        self.assertFalse(listed(self.env, action))
        # a delivery waiting shows in the backlog
        self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", ok["id"]))
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.delivery_backlog_count, 1)
        action = self.shop.with_context(waiting_only=True).action_open_deliveries()
        self.assertEqual(len(listed(self.env, action)), 1)

    def test_overview_is_the_first_screen(self):
        root = self.env.ref("shopify_sync.menu_shopify_root")
        first = self.env["ir.ui.menu"].search([("parent_id", "=", root.id)], order="sequence, id", limit=1)
        self.assertEqual(first, self.env.ref("shopify_sync.menu_shopify_overview"))
        views = self.env["shopify.shop"].get_views([(False, "kanban"), (False, "list")])
        self.assertIn("o_shopify_overview", views["views"]["kanban"]["arch"])
        self.assertIn("open_failure_count", views["views"]["list"]["arch"])

    # -- readable records ---------------------------------------------------------
    def _failing_for_good(self, seeded):
        """The order's sync fails until the faults are reset (one attempt only)."""
        self.simulator.fail_next(100, status=500)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.dispatch()
        self.shopify_jobs().max_retries = 1
        self.perform_jobs()
        return self.sync_job("order", seeded["id"])

    def _title(self, seeded):
        customer = seeded["customer"]
        amount = f"{float(seeded['total_price']):.2f} {seeded['currency']}"
        return f"Order {seeded['name']} · {customer['first_name']} {customer['last_name']} · {amount}"

    def test_jobs_and_deliveries_read_like_people_say_them(self):
        seeded = self.seed_order()
        job = self._failing_for_good(seeded)
        self.assertEqual(job.state, "failed")
        self.assertEqual(
            job.name, f"Order {seeded['name']}", "the order number, from the delivery, before Shopify answered"
        )
        self.assertEqual(job.delivery_ids.display_name, f"orders/create {seeded['name']}")
        self.assertFalse(job.delivery_ids.raw_body)
        self.simulator.reset_faults()
        job.action_retry()
        self.perform_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.name, self._title(seeded), "customer and total from the Odoo order")

    def test_a_kept_body_names_the_customer_and_total_at_once(self):
        self.shop.keep_raw_body = True
        seeded = self.seed_order(seed=9)
        job = self._failing_for_good(seeded)
        self.assertEqual(job.name, self._title(seeded))

    def test_sale_order_leads_back_to_its_sync_job(self):
        seeded = self.seed_order()
        self._webhook("orders/create", seeded["id"])
        order = self.bound("order", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(order.shopify_sync_job_id, job)
        self.assertEqual(order.action_open_shopify_sync_job()["res_id"], job.id)
        lines = order.message_ids.mapped(lambda m: str(m.body))
        self.assertTrue(
            any(f"Imported from Shopify {seeded['name']} (store {self.shop.name})" in line for line in lines), lines
        )
        self.assertTrue(job.action_open_in_shopify()["url"].endswith(f"/orders/{seeded['id']}"))

    def test_records_that_cannot_be_made_by_hand_have_no_new_button(self):
        for model in ("shopify.sync.job", "shopify.webhook.delivery"):
            views = self.env[model].get_views([(False, "list"), (False, "form")])
            for view_type in ("list", "form"):
                self.assertIn('create="0"', views["views"][view_type]["arch"], (model, view_type))

    # -- fixes --------------------------------------------------------------------
    def _wizard(self, job, **values):
        action = job.action_fix_mapping()
        self.assertEqual(action["res_model"], "shopify.product.fix.wizard")
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def test_fix_wizard_creates_the_product_and_retries(self):
        seeded, job = self._unmapped_order()
        line = seeded["line_items"][0]
        wizard = self._wizard(job)
        self.assertEqual((wizard.mode, wizard.sku), ("create", line["sku"]))
        wizard.action_apply()
        self.assertEqual(job.state, "pending", "retried at once")
        # the other line still misses its product: fix it from the second failure
        self.perform_jobs()
        if job.state == "failed":
            self._wizard(job).action_apply()
            self.perform_jobs()
        self.assertEqual(job.state, "done", job.message)
        product = self.env["product.product"].search([("default_code", "=", line["sku"])])
        self.assertEqual(len(product), 1)
        self.assertEqual(self.bound("variant", line["variant_id"]), product)
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)
        self.assertIn("Fixed: Create a product with this SKU", " ".join(job.message_ids.mapped(lambda m: str(m.body))))

    def test_fix_wizard_links_an_existing_product(self):
        seeded, job = self._unmapped_order()
        existing = self.env["product.product"].create({"name": "Our own name for it"})
        skus = {item["sku"] for item in seeded["line_items"]}
        for _round in range(len(skus)):
            if job.state != "failed":
                break
            self._wizard(job, mode="link", product_id=existing if _round == 0 else self._new_product()).action_apply()
            self.perform_jobs()
        self.assertEqual(job.state, "done", job.message)
        self.assertIn(existing, self.bound("order", seeded["id"]).order_line.product_id)
        self.assertEqual(existing.shopify_binding_ids.shop_id, self.shop)

    def _new_product(self):
        return self.env["product.product"].create({"name": "Another one"})

    def test_fix_wizard_uses_the_fallback_and_retries_related_failures(self):
        _first, job = self._unmapped_order(seed=5)
        _second, other = self._unmapped_order(seed=6)
        fallback = self.env["product.product"].create({"name": "Unmapped Shopify item"})
        self._wizard(job, mode="fallback", fallback_product_id=fallback).action_apply()
        self.assertEqual(self.shop.fallback_product_id, fallback)
        self.assertEqual(job.state, "pending")
        self.assertEqual(other.state, "failed", "another SKU: not retried by this fix")
        self.assertEqual(job.same_reason_count, 0)
        self.assertEqual(other.same_reason_count, 0)
        other.action_retry_same_reason()
        self.perform_jobs()
        self.assertEqual((job.state, other.state), ("done", "done"))

    def test_retry_all_with_this_reason(self):
        _first, job = self._unmapped_order(seed=7)
        _second, other = self._unmapped_order(seed=8)
        self.assertEqual(job.same_reason_count, 1)
        self.shop.create_products = True
        job.action_retry_same_reason()
        self.assertEqual((job.state, other.state), ("pending", "pending"))
        self.perform_jobs()
        self.assertEqual((job.state, other.state), ("done", "done"))

    def test_overview_card_retries_all_failures_of_one_reason(self):
        _first, mapping = self._unmapped_order(seed=7)
        _second, other_mapping = self._unmapped_order(seed=8)
        self.shop.write({"create_products": True})
        temporary = self._failing_for_good(self.seed_order(seed=10))
        self.assertEqual((temporary.category, temporary.needs_action), ("temporary", True))
        self.shop.invalidate_recordset()
        self.assertEqual((self.shop.failure_mapping_count, self.shop.failure_temporary_count), (2, 1))
        self.simulator.reset_faults()
        action = self.shop.with_context(failure_category="mapping").action_retry_failures()
        self.assertIn("2 sync job(s)", action["params"]["message"])
        self.assertEqual((mapping.state, other_mapping.state), ("pending", "pending"))
        self.assertEqual((temporary.state, temporary.needs_action), ("failed", True), "another reason: left alone")
        self.perform_jobs()
        self.assertEqual((mapping.state, other_mapping.state), ("done", "done"))
        self.shop.invalidate_recordset()
        self.assertEqual((self.shop.failure_mapping_count, self.shop.failure_temporary_count), (0, 1))

    def test_overview_card_offers_retry_all_for_each_reason(self):
        arch = etree.fromstring(self.env["shopify.shop"].get_views([(False, "kanban")])["views"]["kanban"]["arch"])
        contexts = {button.get("context") for button in arch.iterfind(".//a[@name='action_retry_failures']")}
        self.assertEqual(contexts, {f"{{'failure_category': '{reason}'}}" for reason in FAILURE_REASONS})

    # -- locations -----------------------------------------------------------------
    def test_location_mappings_pick_from_the_store_locations(self):
        self.simulator.seed_location({"id": 777001, "name": "Pop-up store", "active": True})
        self.shop.action_fetch_locations()
        locations = self.shop.shopify_location_ids
        self.assertIn("Main warehouse", locations.mapped("name"))
        popup = locations.filtered(lambda loc: loc.shopify_id == "777001")
        self.assertEqual(popup.name, "Pop-up store")
        self.shop.action_fetch_locations()
        self.assertEqual(self.shop.shopify_location_ids, locations, "fetched again: no duplicates")
        stock = self.env.ref("stock.stock_location_stock")
        mapping = self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": stock.id, "shopify_location_ref_id": popup.id}
        )
        self.assertEqual((mapping.shopify_location_id, mapping.name), ("777001", "Pop-up store"))
        self.assertTrue(self.simulator.calls_named("Locations"), "read through the GraphQL locations query")
