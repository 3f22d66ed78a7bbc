"""Go-live readiness: every line turns red on its situation and green once fixed."""

from odoo.tests import tagged

from ..services import readiness as rules
from .common import SECRET, ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestReadiness(ShopifyTransactionCase):
    def check(self, code):
        states = self.shop._check_readiness()
        line = self.shop.readiness_line_ids.filtered(lambda line: line.code == code)
        self.assertEqual(line.state, states[code])
        return line

    def assertLine(self, code, state):
        line = self.check(code)
        self.assertEqual(line.state, state, f"{code}: {line.detail}")
        return line

    def test_authority(self):
        self.shop.write({"rollout_deliveries": "automatic", "push_fulfillments": False, "rollout_stock": "off"})
        line = self.assertLine("authority", "green")
        self.assertIn("Deliveries: done in Shopify, not pushed from Odoo", line.detail, "a direction, not a fault")
        self.shop.rollout_stock = "automatic"
        line = self.assertLine("authority", "red")
        self.assertIn("Stock is on but no location is mapped", line.detail)
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["shopify.location.mapping"].create(
            {"shop_id": self.shop.id, "location_id": warehouse.lot_stock_id.id, "shopify_location_id": "655441491"}
        )
        self.assertLine("authority", "green")
        self.shop.stock_authority = "shopify"
        self.assertLine("authority", "green")

    def test_token_of_client_credentials_shop(self):
        """A shop whose token Odoo obtains has no token saved by hand: no false alarm."""
        self.shop.write(
            {"auth_method": "client_credentials", "client_id": self.simulator.client_id, "new_client_secret": SECRET}
        )
        self.shop.sudo().access_token = False
        self.env.flush_all()  # the token is obtained on a cursor of its own
        line = self.assertLine("token", "green")
        self.assertIn("Client credentials", line.detail)

    def test_duplicate_internal_references(self):
        self.shop.match_product_by_sku = True
        products = self.env["product.product"].create(
            [{"name": "Mug A", "default_code": "DUP-REF-1"}, {"name": "Mug B", "default_code": "DUP-REF-1"}]
        )
        line = self.assertLine("product_refs", "red")
        self.assertIn("DUP-REF-1", line.detail)
        self.assertEqual(self.env["product.product"].search(line.action_fix()["domain"]), products)
        products[1].default_code = "DUP-REF-2"
        self.assertLine("product_refs", "green")

    def test_variants_without_sku(self):
        rest = self.simulator.generate(products=1, variants_per_product=1)["products"][0]
        rest["variants"][0]["sku"] = ""
        self.simulator.seed_product(rest)
        line = self.assertLine("variant_skus", "red")
        self.assertIn(rest["title"], line.detail)
        rest["variants"][0]["sku"] = "NOW-WITH-SKU"
        self.simulator.seed_product(rest)
        self.assertLine("variant_skus", "green")
        self.shop.match_product_by_sku = False
        self.assertLine("variant_skus", "green")

    def test_partners_sharing_an_email(self):
        self.shop.match_partner_by_email = True
        partners = self.env["res.partner"].create(
            [{"name": "Ann", "email": "twice@example.com"}, {"name": "Ann B", "email": "Twice@example.com"}]
        )
        line = self.assertLine("partner_emails", "red")
        self.assertIn("twice@example.com", line.detail)
        self.assertEqual(self.env["res.partner"].search(line.action_fix()["domain"]), partners)
        partners[1].active = False
        self.assertLine("partner_emails", "green")

    def test_tax_rates_and_locations_seen_in_recent_orders(self):
        self.seed_order()
        self.shop.tax_mapping_ids.unlink()
        line = self.assertLine("taxes", "red")
        self.assertIn("6%", line.detail)
        context = line.action_fix()["context"]
        self.env["shopify.tax.mapping"].create(
            {"shop_id": self.shop.id, "rate": context["default_rate"], "tax_id": self.tax.id}
        )
        self.assertLine("taxes", "green")

        orders, _error = self.env["shopify.readiness.line"]._readiness_orders(self.shop)
        _taxes, locations, _carriers = rules.seen_in_orders(orders)
        self.assertTrue(locations, "the simulator assigns its orders to a location")
        self.shop.location_mapping_ids.unlink()
        self.assertLine("locations", "red")
        stock = self.env.ref("stock.stock_location_stock")
        for location_id in locations:
            self.env["shopify.location.mapping"].create(
                {"shop_id": self.shop.id, "location_id": stock.id, "shopify_location_id": location_id}
            )
        self.assertLine("locations", "green")
        self.assertLine("carriers", "green")

    def test_gateways_and_webhooks_follow_what_exists(self):
        expected = "red" if "shopify.gateway.mapping" in self.env else "na"
        self.assertIn(self.check("gateways").state, {expected, "green"})
        if "webhook_subscription_ids" not in self.shop._fields:
            self.assertLine("webhooks", "na")

    def test_failures_explain_their_reason(self):
        job = self.env["shopify.sync.job"]._ensure(self.shop, "order", "990001")
        job.write({"state": "failed", "last_failed_at": "2026-11-30 10:00:00", "category": False, "message": False})
        self.assertLine("failures", "red")
        job.write({"category": "mapping", "message": "SKU X is not mapped."})
        self.assertLine("failures", "green")

    def test_token(self):
        self.assertLine("token", "green")
        self.simulator.revoke_token()
        try:
            self.assertLine("token", "red")
        finally:
            self.simulator.restore_token()
        self.assertLine("token", "green")

    def test_awkward_case_from_the_sync_job_history(self):
        self.assertLine("awkward", "red")
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order()
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "mapping")
        self.map_skus(seeded["line_items"])
        self.sync("order", seeded["id"])
        line = self.assertLine("awkward", "green")
        self.assertIn(job.name, line.detail)
        self.assertTrue(self.shop.readiness_line_ids.filtered(lambda line: line.code == "selftest").state == "red")
        self.assertFalse(self.shop.readiness_ok, "never self-tested: not ready")
