"""Customer and product sync jobs: create, protect Odoo's edits, link by e-mail or SKU."""

from odoo.tests import tagged

from .common import ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestCustomerAndProductSync(ShopifyTransactionCase):
    def test_customer_created_then_protected_name_kept(self):
        data = self.simulator.generate(customers=1, products=0, orders=0)
        customer = data["customers"][0]
        self.sync("customer", customer["id"])
        partner = self.bound("customer", customer["id"])
        self.assertTrue(partner)
        self.assertEqual(partner.email, customer["email"])
        self.assertTrue(partner.child_ids.filtered(lambda c: c.type == "invoice"), "default address as invoice contact")
        partner.name = "Name edited in Odoo"
        self.simulator.seed_customer(dict(customer, first_name="Changed", email="new@example.com"))
        self.simulator.touch("customer", customer["id"])
        self.sync("customer", customer["id"])
        self.assertEqual(partner.name, "Name edited in Odoo")
        self.assertEqual(partner.email, "new@example.com")
        job = self.sync_job("customer", customer["id"])
        self.assertIn("name", job.outcome_note)

    def test_email_match_links_or_fails_when_ambiguous(self):
        self.shop.match_partner_by_email = True
        data = self.simulator.generate(customers=2, products=0, orders=0)
        first, second = data["customers"]
        existing = self.env["res.partner"].create({"name": "Known", "email": first["email"]})
        self.sync("customer", first["id"])
        self.assertEqual(self.bound("customer", first["id"]), existing)
        self.assertEqual(self.sync_job("customer", first["id"]).outcome, "linked")
        self.env["res.partner"].create(
            [{"name": "Twin A", "email": second["email"]}, {"name": "Twin B", "email": second["email"]}]
        )
        self.sync_fails("customer", second["id"])
        self.assertEqual(self.sync_job("customer", second["id"]).category, "data_conflict")

    def test_product_with_options_creates_variants(self):
        data = self.simulator.generate(customers=0, products=1, variants_per_product=3, orders=0)
        product = data["products"][0]
        self.sync("product", product["id"])
        template = self.bound("product", product["id"])
        bindings = self.env["shopify.variant.binding"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(sorted(bindings.mapped("shopify_id")), sorted(str(v["id"]) for v in product["variants"]))
        self.assertEqual(bindings.odoo_id.product_tmpl_id, template)
        self.assertEqual(len(template.product_variant_ids), 3)
        self.sync("product", product["id"])
        self.assertEqual(self.sync_job("product", product["id"]).outcome, "skipped")

    def test_product_linked_by_sku(self):
        data = self.simulator.generate(customers=0, products=1, variants_per_product=1, orders=0)
        product = data["products"][0]
        sku = product["variants"][0]["sku"]
        odoo_product = self.env["product.product"].create({"name": "Existing", "default_code": sku})
        self.sync("product", product["id"])
        self.assertEqual(self.bound("variant", product["variants"][0]["id"]), odoo_product)
        self.assertEqual(self.sync_job("product", product["id"]).outcome, "linked")
