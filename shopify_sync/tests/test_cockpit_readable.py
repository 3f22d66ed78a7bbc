"""Readable values: deliveries say their event and repeats, records in the chatter are links, local times,
Shopify codes as words, the mapped location shown, protected fields picked by label."""

from datetime import datetime

from lxml import etree

from odoo import Command
from odoo.tests import Form, tagged

from ..services.labels import financial_status_label, gateway_label, local_time
from .common import ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestCockpitReadable(ShopifyTransactionCase):
    # -- the delivery form --------------------------------------------------------------
    def _delivery(self, **values):
        return self.env["shopify.webhook.delivery"].create(
            {"shop_id": self.shop.id, "topic": "orders/create", "event_id": "evt-123", **values}
        )

    def test_a_delivery_says_its_event_and_the_repeats_it_suppressed(self):
        delivery = self._delivery(receipt_count=20)
        self.assertEqual(delivery.repeat_count, 19)
        self.assertEqual(delivery.receipts_summary, "Received 20 times: the first served, 19 suppressed as repeats")
        once = self._delivery(event_id="evt-124")
        self.assertEqual((once.repeat_count, once.receipts_summary), (0, "Received once"))
        arch = etree.fromstring(
            self.env["shopify.webhook.delivery"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for name in ("event_id", "topic", "receipts_summary", "repeat_count"):
            node = arch.find(f".//field[@name='{name}']")
            self.assertIsNotNone(node, name)
            self.assertFalse(node.get("groups"), f"{name} shown to every user")
        payload = arch.find(".//page[@name='payload']")
        self.assertEqual(payload.get("invisible"), "not raw_body", "the payload shown when kept")
        self.assertIsNotNone(payload.find("field[@name='raw_body']"))

    # -- the chatter ------------------------------------------------------------------------
    def test_a_record_named_in_the_chatter_is_a_link(self):
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order(seed=4)
        job = self.sync_fails("order", seeded["id"])
        self.shop.create_products = True
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        bodies = " ".join(job.message_ids.mapped(lambda m: str(m.body)))
        self.assertIn(f'<a href="/odoo/sale.order/{order.id}"', bodies)
        self.assertIn(f">{order.name}</a>", bodies)
        notes = " ".join(order.message_ids.mapped(lambda m: str(m.body)))
        self.assertIn(f'<a href="/odoo/shopify.sync.job/{job.id}"', notes)

    # -- times ------------------------------------------------------------------------------
    def test_times_in_messages_are_the_users(self):
        when = datetime(2026, 12, 7, 16, 20, 5)
        brussels = self.env(context=dict(self.env.context, tz="Europe/Brussels"))
        self.assertEqual(local_time(brussels, when), "2026-12-07 17:20:05 CET")
        self.env.user.tz = "America/New_York"
        self.assertEqual(local_time(self.env(context={}), when), "2026-12-07 11:20:05 EST")
        self.assertEqual(local_time(self.env, False), "")

    # -- Shopify codes ---------------------------------------------------------------------
    def test_shopify_codes_read_as_words(self):
        self.assertEqual(financial_status_label(self.env, "PARTIALLY_REFUNDED"), "Partially refunded")
        self.assertEqual(financial_status_label(self.env, "SOMETHING_NEW"), "Something new")
        self.assertEqual(gateway_label(self.env, "shopify_payments"), "Shopify Payments")
        self.assertEqual(gateway_label(self.env, "my_bank_transfer"), "My bank transfer")
        seeded = self.seed_order(seed=7)
        self.sync("order", seeded["id"])
        binding = self.env["shopify.order.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_id", "=", str(seeded["id"]))]
        )
        self.assertTrue(binding.financial_status)
        self.assertEqual(binding.financial_status_label, financial_status_label(self.env, binding.financial_status))
        self.assertNotEqual(binding.financial_status_label, binding.financial_status)
        journal = self.env["account.journal"].search([("type", "=", "bank")], limit=1)
        mapping = self.env["shopify.gateway.mapping"].create(
            {"shop_id": self.shop.id, "gateway": "paypal", "journal_id": journal.id}
        )
        self.assertEqual((mapping.gateway_label, mapping.display_name), ("PayPal", "PayPal (paypal)"))

    # -- the mapped location ----------------------------------------------------------------
    def test_a_typed_location_id_shows_its_shopify_location(self):
        self.simulator.seed_location({"id": 777001, "name": "Pop-up store", "active": True})
        stock = self.env.ref("stock.stock_location_stock")
        mapping = self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": stock.id, "shopify_location_id": "777001"}
        )
        self.assertFalse(mapping.shopify_location_ref_id, "not fetched yet")
        self.shop.action_fetch_locations()
        self.assertEqual(mapping.shopify_location_ref_id.name, "Pop-up store")
        self.assertEqual((mapping.shopify_location_id, mapping.name), ("777001", "Pop-up store"))
        other = self.env["stock.location"].create({"name": "Shelf", "usage": "internal"})
        second = self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": other.id, "shopify_location_id": "655441491"}
        )
        known = self.shop.shopify_location_ids.filtered(lambda loc: loc.shopify_id == "655441491")
        self.assertEqual(known.name, "Main warehouse")
        self.assertEqual(second.shopify_location_ref_id, known, "a location fetched before is shown at once")

    # -- protected fields -------------------------------------------------------------------
    def test_protected_fields_are_picked_by_label_and_stored_as_before(self):
        fields_model = self.env["ir.model.fields"]
        name = fields_model._get("res.partner", "name")
        lines = fields_model._get("sale.order", "order_line")
        ref = fields_model._get("sale.order", "client_order_ref")
        self.assertIn(name, self.shop.protected_field_ids)
        self.assertIn(lines, self.shop.protected_field_ids)
        self.assertEqual(len(self.shop.protected_field_ids), len(self.shop._protected_field_specs()))
        self.shop.protected_field_ids = [Command.unlink(name.id), Command.link(ref.id)]
        specs = self.shop._protected_field_specs()
        self.assertNotIn("res.partner.name", specs)
        self.assertEqual(specs[-1], "sale.order.client_order_ref")
        self.assertTrue(self.shop._is_protected("sale.order", "client_order_ref"))
        self.assertTrue(self.shop._is_protected("sale.order", "order_line"), "the others kept, in their order")
        form = Form(self.shop)
        form.protected_field_ids.remove(id=lines.id)
        form.save()
        self.assertFalse(self.shop._is_protected("sale.order", "order_line"))
        arch = etree.fromstring(self.env["shopify.shop"].get_views([(False, "form")])["views"]["form"]["arch"])
        picker = arch.find(".//field[@name='protected_field_ids']")
        self.assertEqual(picker.get("widget"), "many2many_tags")
