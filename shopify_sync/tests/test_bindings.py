"""Two stores, one Odoo catalogue: identity lives in per-store bindings."""

import copy
import json
from pathlib import Path

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from shopify_simulator import same_product_elsewhere

from .common import ShopifyTransactionCase, shop_values, start_simulator

EU_DOMAIN = "test-shop-eu.myshopify.com"
SHOPIFY_LOCATION = 655441491
SAMPLES = Path(__file__).resolve().parents[2] / "shopify_simulator" / "samples"


def other_store_customer(rest, offset):
    customer = copy.deepcopy(rest)
    customer["id"] = int(customer["id"]) + offset
    customer.pop("admin_graphql_api_id", None)
    for address in customer.get("addresses") or []:
        address.pop("id", None)
        address.pop("customer_id", None)
    customer.pop("default_address", None)
    return customer


class TwoStoresMixin:
    """A second store, "EU", with a simulator of its own, that sells the test shop's catalogue."""

    OFFSET = 7_000_000

    @classmethod
    def setup_second_store(cls):
        cls.eu_simulator = start_simulator(domain=EU_DOMAIN)
        cls.addClassCleanup(cls.eu_simulator.stop)
        cls.eu = cls.env["shopify.shop"].create(shop_values(cls.eu_simulator, name="Test Shop EU", domain=EU_DOMAIN))
        cls.env["shopify.tax.mapping"].create(
            {"shop_id": cls.eu.id, "rate": 0.06, "price_include": False, "tax_id": cls.tax.id}
        )

    def share_catalogue(self, products=2, variants=2):
        """Seed ``products`` in the test shop and the same ones in EU; return both stores' REST products."""
        us = self.simulator.generate(products=products, variants_per_product=variants)["products"]
        eu = [self.eu_simulator.seed_product(same_product_elsewhere(product, self.OFFSET)) for product in us]
        return us, eu

    def sync_in(self, shop, resource_type, resource_id):
        return self.env["shopify.sync.job"].run_sync(shop.id, resource_type, str(resource_id))

    def job_in(self, shop, resource_type, resource_id):
        return self.env["shopify.sync.job"].search(
            [("shop_id", "=", shop.id), ("resource_type", "=", resource_type), ("resource_id", "=", str(resource_id))]
        )


@tagged("post_install", "-at_install")
class TestTwoStores(TwoStoresMixin, ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_second_store()

    def setUp(self):
        super().setUp()
        self.eu_simulator.reset_faults()

    def _sync_catalogue(self, us, eu):
        for product in us:
            self.sync("product", product["id"])
        for product in eu:
            self.sync_in(self.eu, "product", product["id"])

    def test_same_catalogue_one_product_per_sku(self):
        us, eu = self.share_catalogue()
        self._sync_catalogue(us, eu)
        skus = [variant["sku"] for product in us for variant in product["variants"]]
        products = self.env["product.product"].search([("default_code", "in", skus)])
        self.assertEqual(len(products), len(skus), "one Odoo product per SKU")
        for us_product, eu_product in zip(us, eu, strict=True):
            template = self.bound("product", us_product["id"])
            self.assertEqual(self.bound("product", eu_product["id"], shop=self.eu), template)
            self.assertEqual(template.shopify_binding_ids.shop_id, self.shop | self.eu)
            self.assertEqual(self.job_in(self.eu, "product", eu_product["id"]).outcome, "linked")
            for us_variant, eu_variant in zip(us_product["variants"], eu_product["variants"], strict=True):
                product = self.bound("variant", us_variant["id"])
                self.assertEqual(self.bound("variant", eu_variant["id"], shop=self.eu), product)
                self.assertEqual(
                    sorted(product.shopify_binding_ids.mapped("inventory_item_id")),
                    sorted([str(us_variant["inventory_item_id"]), str(eu_variant["inventory_item_id"])]),
                )

    def test_an_order_from_each_store_uses_the_same_products(self):
        us, eu = self.share_catalogue(products=1, variants=2)
        self._sync_catalogue(us, eu)
        us_order = self.simulator.generate(customers=1, orders=1, lines_per_order=2)["orders"][0]
        eu_order = self.eu_simulator.generate(customers=1, orders=1, lines_per_order=2)["orders"][0]
        self.sync("order", us_order["id"])
        self.sync_in(self.eu, "order", eu_order["id"])
        us_sale, eu_sale = self.bound("order", us_order["id"]), self.bound("order", eu_order["id"], shop=self.eu)
        self.assertTrue(us_sale and eu_sale and us_sale != eu_sale)
        self.assertEqual(us_sale.shopify_binding_ids.shop_id, self.shop, "an order belongs to one store")
        self.assertEqual(eu_sale.shopify_binding_ids.shop_id, self.eu)
        catalogue = self.bound("product", us[0]["id"]).product_variant_ids
        for sale in (us_sale, eu_sale):
            lines = sale.order_line.filtered(lambda line: line.product_id.shopify_binding_ids)
            self.assertEqual(len(lines), 2)
            self.assertLessEqual(lines.product_id, catalogue, "the shared products, none created")

    def test_one_stock_change_pushes_to_each_store(self):
        us, eu = self.share_catalogue(products=1, variants=1)
        self._sync_catalogue(us, eu)
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        for shop in (self.shop, self.eu):
            self.env["shopify.location.mapping"].create(
                {"shop_id": shop.id, "location_id": warehouse.lot_stock_id.id, "shopify_location_id": SHOPIFY_LOCATION}
            )
        product = self.bound("variant", us[0]["variants"][0]["id"])
        self.assertTrue(product.is_storable, "Shopify tracks it: Odoo tracks it")
        for shop in (self.shop, self.eu):  # as each store's stock agreement would
            self.env["shopify.variant.binding"]._of(shop, product).stock_agreed_mapping_ids = shop.location_mapping_ids
        quant = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create({"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 12})
        )
        quant.action_apply_inventory()
        self.assertEqual(len(self.env["shopify.inventory.pending"].search([("product_id", "=", product.id)])), 2)
        for shop in (self.shop, self.eu):
            self.sync_in(shop, "inventory_push", "all")
        for simulator, variant in ((self.simulator, us[0]["variants"][0]), (self.eu_simulator, eu[0]["variants"][0])):
            pushes = simulator.mutations_named("inventorySetQuantities", applied=True)
            self.assertEqual(len(pushes), 1)
            quantity = pushes[0]["input"]["input"]["quantities"][0]
            self.assertEqual(quantity["inventoryItemId"], f"gid://shopify/InventoryItem/{variant['inventory_item_id']}")
            self.assertEqual(simulator.inventory(variant["inventory_item_id"], SHOPIFY_LOCATION), 12)
        keys = {
            push["idempotency_key"]
            for simulator in (self.simulator, self.eu_simulator)
            for push in simulator.mutations_named("inventorySetQuantities", applied=True)
        }
        self.assertEqual(len(keys), 2, "each store has its own idempotency key")
        echoes = self.env["shopify.echo"].search([("topic", "=", "inventory_levels")])
        self.assertEqual(echoes.shop_id, self.shop | self.eu)

    def _same_customer_in_both_stores(self):
        us = self.simulator.generate(customers=1)["customers"][0]
        eu = self.eu_simulator.seed_customer(other_store_customer(us, self.OFFSET))
        self.sync("customer", us["id"])
        self.sync_in(self.eu, "customer", eu["id"])
        return us, eu

    def test_customer_in_both_stores_is_one_partner_when_matching_by_email(self):
        (self.shop | self.eu).match_partner_by_email = True
        us, eu = self._same_customer_in_both_stores()
        partner = self.bound("customer", us["id"])
        self.assertEqual(self.bound("customer", eu["id"], shop=self.eu), partner)
        self.assertEqual(partner.shopify_binding_ids.shop_id, self.shop | self.eu)
        self.assertEqual(self.job_in(self.eu, "customer", eu["id"]).outcome, "linked")
        # a redaction from one store keeps the other store's binding, and the partner
        self.sync_in(self.eu, "customer_redact", eu["id"])
        self.assertEqual(partner.shopify_binding_ids.shop_id, self.shop)
        self.assertEqual(partner.email, us["email"])
        self.assertTrue(partner.active)
        job = self.job_in(self.eu, "customer_redact", eu["id"])
        self.assertEqual(job.outcome, "handled")
        self.assertIn("still bound to Test Shop", job.outcome_note)
        # the last store's redaction anonymises
        self.sync("customer_redact", us["id"])
        self.assertFalse(partner.shopify_binding_ids)
        self.assertFalse(partner.with_context(active_test=False).email)

    def test_customer_in_both_stores_is_two_partners_without_email_matching(self):
        us, eu = self._same_customer_in_both_stores()
        partner_us, partner_eu = self.bound("customer", us["id"]), self.bound("customer", eu["id"], shop=self.eu)
        self.assertTrue(partner_us and partner_eu)
        self.assertNotEqual(partner_us, partner_eu)
        self.assertEqual(partner_us.email, partner_eu.email)

    def test_email_match_skips_a_contact_already_bound_in_the_store(self):
        self.shop.match_partner_by_email = True
        first, second = self.simulator.generate(customers=2)["customers"]
        self.simulator.seed_customer(dict(second, email=first["email"]))
        self.sync("customer", first["id"])
        self.sync("customer", second["id"])
        self.assertNotEqual(self.bound("customer", first["id"]), self.bound("customer", second["id"]))
        self.assertEqual(self.sync_job("customer", second["id"]).outcome, "created")


@tagged("post_install", "-at_install")
class TestBindingRules(TwoStoresMixin, ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_second_store()

    def test_binding_a_product_already_bound_in_the_store_names_the_binding(self):
        product = self.env["product.product"].create({"name": "Mug", "default_code": "MUG"})
        self.bind("variant", "111", product, shop=self.eu)
        with self.assertRaisesRegex(ValidationError, "already bound in Test Shop EU to Shopify id 111"):
            self.env["shopify.variant.binding"].create(
                {"shop_id": self.eu.id, "shopify_id": "222", "odoo_id": product.id}
            )
        # another store may bind it
        self.env["shopify.variant.binding"].create(
            {"shop_id": self.shop.id, "shopify_id": "222", "odoo_id": product.id}
        )
        self.assertEqual(len(product.shopify_binding_ids), 2)

    def test_binding_to_a_record_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        partner = self.env["res.partner"].create({"name": "Elsewhere", "company_id": other.id})
        with self.assertRaisesRegex(ValidationError, "belongs to Other Company"):
            self.bind("customer", "333", partner)

    def test_a_bound_product_is_never_deleted_from_under_its_binding(self):
        product = self.env["product.product"].create({"name": "Lamp", "default_code": "LAMP"})
        self.bind("variant", "444", product)
        with self.assertRaisesRegex(UserError, r"bound to Shopify \(Test Shop: 444\)"):
            product.unlink()
        with self.assertRaisesRegex(UserError, "Test Shop: 444"):
            product.product_tmpl_id.unlink()
        product._unlink_or_archive()
        self.assertTrue(product.exists())
        self.assertFalse(product.active, "archived instead")

    def test_shopify_product_fixture_without_option_values(self):
        rest = json.loads((SAMPLES / "products_create.json").read_text())
        rest.pop("variant_gids", None)
        for option in rest["options"]:
            option.pop("values")
        self.simulator.seed_product(rest)
        self.sync("product", rest["id"])
        template = self.bound("product", rest["id"])
        self.assertEqual(len(template.product_variant_ids), len(rest["variants"]))
        self.assertEqual(
            sorted(template.attribute_line_ids.value_ids.mapped("name")), sorted(v["option1"] for v in rest["variants"])
        )
        for variant in rest["variants"]:
            self.assertEqual(self.bound("variant", variant["id"]).default_code, variant["sku"])

    def test_variants_matching_products_of_several_templates_are_bound_each(self):
        """A catalogue kept as one Odoo product per SKU: each variant binds to its own product."""
        us, eu = self.share_catalogue(products=1, variants=2)
        singles = self.env["product.product"].create(
            [{"name": v["sku"], "default_code": v["sku"]} for v in us[0]["variants"]]
        )
        self.sync("product", us[0]["id"])
        self.sync_in(self.eu, "product", eu[0]["id"])
        for index, single in enumerate(singles):
            self.assertEqual(self.bound("variant", us[0]["variants"][index]["id"]), single)
            self.assertEqual(self.bound("variant", eu[0]["variants"][index]["id"], shop=self.eu), single)
        self.assertEqual(self.bound("product", us[0]["id"]), singles[0].product_tmpl_id)
