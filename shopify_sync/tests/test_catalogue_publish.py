"""The two-way catalogue: field authority per shop, publishing Odoo products, pushes, store prices."""

import unittest

from odoo import Command
from odoo.tests import tagged

from ..mapping import catalogue
from .common import ShopifyHttpCase, make_user

PUBLISH = "PublishProduct"


class CatalogueCase(ShopifyHttpCase):
    """A store, a Size attribute, and the helpers that make, publish and find Odoo products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.size = cls.env["product.attribute"].create(
            {
                "name": "Size",
                "create_variant": "always",
                "value_ids": [Command.create({"name": "S"}), Command.create({"name": "M"})],
            }
        )

    def setUp(self):
        super().setUp()
        self.simulator.take_webhooks()  # those of the products earlier tests published

    def _template(self, name="Odoo Shirt", **values):
        template = self.env["product.template"].create(
            dict(
                {
                    "name": name,
                    "list_price": 20.0,
                    "shopify_vendor": "Odoo Works",
                    "attribute_line_ids": [
                        Command.create(
                            {"attribute_id": self.size.id, "value_ids": [Command.set(self.size.value_ids.ids)]}
                        )
                    ],
                },
                **values,
            )
        )
        for variant in template.product_variant_ids:
            variant.default_code = (
                f"{name[:3].upper()}-{template.id}-{variant.product_template_attribute_value_ids.name}"
            )
        return template

    def _publish(self, template):
        wizard = self.env["shopify.publish.wizard"].create(
            {"product_tmpl_ids": [Command.set(template.ids)], "shop_ids": [Command.set(self.shop.ids)]}
        )
        wizard.action_publish()
        return self.perform_jobs()

    def _products_titled(self, title):
        return [p for p in self.simulator.store.products.values() if p.get("title") == title]

    def _own(self, *keys):
        self.shop.write({f"catalogue_{key}_owner": "odoo" for key in keys})

    def _send_webhooks(self):
        for topic, product_id in self.simulator.take_webhooks():
            payload = self.simulator.webhook_payload(topic, product_id)
            self.assertEqual(self.post_webhook(topic, payload).status_code, 200)


@tagged("post_install", "-at_install")
class TestCataloguePublish(CatalogueCase):
    # -- authority ------------------------------------------------------------------
    def test_authority_table_is_kept_in_the_protected_fields(self):
        self.assertEqual(set(self.shop._catalogue_owners().values()), {"shopify"}, "everything Shopify's by default")
        self._own("title", "price")
        specs = self.shop._protected_field_specs()
        self.assertIn("product.template.name", specs)
        self.assertIn("product.template.list_price", specs)
        self.assertIn("res.partner.name", specs, "the other protected fields are kept")
        self.assertEqual(self.shop._odoo_owned(), {"title", "price"})
        self.shop.catalogue_title_owner = "shopify"
        self.assertNotIn("product.template.name", self.shop._protected_field_specs())
        self.assertEqual(catalogue.owners(["product.product.barcode"])["barcode"], "odoo")

    # -- publishing -----------------------------------------------------------------
    def test_publish_twice_makes_one_shopify_product_bound_to_the_template(self):
        template = self._template()
        self._publish(template)
        job = self.sync_job("product_push", template.id)
        self.assertEqual(job.outcome, "created", job.message)
        shopify_products = self._products_titled("Odoo Shirt")
        self.assertEqual(len(shopify_products), 1)
        product = shopify_products[0]
        self.assertEqual(self.bound("product", product["id"]), template)
        self.assertEqual(
            sorted(v["sku"] for v in product["variants"]), sorted(template.product_variant_ids.mapped("default_code"))
        )
        for variant in product["variants"]:
            self.assertEqual(self.bound("variant", variant["id"]).default_code, variant["sku"])
        self.assertEqual(product["vendor"], "Odoo Works")
        self._publish(template)
        self.assertEqual(len(self._products_titled("Odoo Shirt")), 1, "published twice: still one product")
        self.assertEqual(len(template.shopify_binding_ids), 1)

    def test_timeout_after_shopify_created_it_makes_no_second_product(self):
        template = self._template(name="Slow Shirt")
        # Odoo's test harness raises request timeouts below 10 s to 10 s
        self.shop.api_timeout = 1
        before = len(self.simulator.mutations_named("productSet", applied=True))
        self.simulator.slow_next(1, 11.0, operation=PUBLISH)
        wizard = self.env["shopify.publish.wizard"].create(
            {"product_tmpl_ids": [Command.set(template.ids)], "shop_ids": [Command.set(self.shop.ids)]}
        )
        wizard.action_publish()
        self.assertEqual([self._perform_one(job.uuid) for job in self.shopify_jobs()], ["retry"])
        template.name = "Slow Shirt renamed meanwhile"
        performed = self.perform_jobs()
        self.assertEqual(self.outcomes_of(performed, "product_push"), ["done"])
        applied = len(self.simulator.mutations_named("productSet", applied=True)) - before
        self.assertEqual(applied, 2, "the retry upserted")
        self.assertFalse(self._products_titled("Slow Shirt"), "the retry updated the product the first call made")
        shopify_products = self._products_titled("Slow Shirt renamed meanwhile")
        self.assertEqual(len(shopify_products), 1, "the retry found the product the first call created")
        self.assertEqual(shopify_products[0]["handle"], f"slow-shirt-{template.id}")
        self.assertEqual(self.bound("product", shopify_products[0]["id"]), template)

    def test_own_create_webhook_is_an_echo_and_makes_no_job(self):
        template = self._template(name="Echo Shirt")
        self._publish(template)
        self.assertFalse(self.shopify_jobs())
        self._send_webhooks()
        self.assertEqual([outcome for _uuid, outcome in self.dispatch()], ["done"])
        echo = self.deliveries().filtered(lambda d: d.topic == "products/create")
        self.assertEqual((echo.state, echo.note), ("ignored", "Echo of a write made by this addon."))
        self.assertFalse(self.shopify_jobs(), "no import job for our own product")
        self.assertEqual(self.env["product.template"].search_count([("name", "=", "Echo Shirt")]), 1)

    # -- edits on each side -----------------------------------------------------------
    def _published(self, name):
        template = self._template(name=name)
        self._publish(template)
        self.simulator.take_webhooks()
        product_id = template.shopify_binding_ids.shopify_id
        return template, self.simulator.store.products[int(product_id)]

    def test_odoo_edit_of_an_odoo_owned_field_is_pushed_once_debounced(self):
        self._own("title", "price")
        template, product = self._published("Pushed Shirt")
        template.name = "Pushed Shirt v2"
        template.list_price = 25.0
        template.name = "Pushed Shirt v3"
        self.assertEqual(len(self.shopify_jobs()), 1, "three edits, one waiting push job")
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(stored["title"], "Pushed Shirt v3")
        self.assertEqual({v["price"] for v in stored["variants"]}, {"25.00"})
        self.assertEqual(self.sync_job("product_push", template.id).outcome, "updated")

    def test_archiving_a_product_whose_status_odoo_owns_archives_it_in_shopify(self):
        self._own("status")
        template, product = self._published("Archived Shirt")
        self.assertEqual(product["status"], "active")
        template.action_archive()
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        self.assertEqual(self.simulator.store.products[int(product["id"])]["status"], "archived")

    def test_odoo_edit_of_a_shopify_owned_field_is_never_pushed(self):
        self._own("price")
        template, product = self._published("Kept Shirt")
        before = len(self.simulator.mutations_named("productSet"))
        template.shopify_vendor = "Changed in Odoo"
        self.assertFalse(self.shopify_jobs(), "the vendor is Shopify's: nothing to push")
        template.name = "Renamed in Odoo"
        self.assertFalse(self.shopify_jobs(), "the title is Shopify's: nothing to push")
        self.assertEqual(len(self.simulator.mutations_named("productSet")), before)
        self.assertEqual(self.simulator.store.products[int(product["id"])]["title"], "Kept Shirt")

    def test_user_edits_of_a_shopify_owned_field_suggest_making_it_odoo_owned(self):
        template, _product = self._published("Suggested Shirt")
        user = make_user(
            self.env,
            "catalogue_editor",
            "base.group_user,product.group_product_manager,shopify_sync.group_shopify_user",
        )
        for name in ("Suggested Shirt 1", "Suggested Shirt 2", "Suggested Shirt 3"):
            template.with_user(user).name = name
        self.assertFalse(self.shopify_jobs(), "the title is Shopify's: never pushed")
        self.shop.action_refresh_suggestions()
        suggestion = self.shop.suggestion_ids.filtered(lambda s: s.spec == "product.template.name")
        self.assertEqual((suggestion.kind, suggestion.count), ("protect", 3))
        suggestion.action_apply()
        self.assertEqual(self.shop.catalogue_title_owner, "odoo", "protected: Odoo owns the title from now on")
        template.with_user(user).name = "Suggested Shirt 4"
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        bound = self.simulator.store.products[int(template.shopify_binding_ids.shopify_id)]
        self.assertEqual(bound["title"], "Suggested Shirt 4")

    def test_the_import_never_sets_an_odoo_owned_sku(self):
        self._own("sku")
        template, product = self._published("Sku Shirt")
        variant = template.product_variant_ids[0]
        variant.default_code = False
        shopify_variant = next(v for v in product["variants"] if self.bound("variant", v["id"]) == variant)
        variants = [dict(v, sku="SHOPIFY-SKU") if v is shopify_variant else v for v in product["variants"]]
        self.simulator.seed_product(dict(product, variants=variants))
        self.sync("product", product["id"])
        self.assertFalse(variant.default_code, "Odoo owns the SKU: the import leaves it empty")

    def test_shopify_edit_of_a_shopify_owned_field_is_imported(self):
        template, product = self._published("Imported Shirt")
        self.simulator.seed_product(dict(product, title="Renamed in Shopify", vendor="Shopify Vendor"))
        self.sync("product", product["id"])
        self.assertEqual(template.name, "Renamed in Shopify")
        self.assertEqual(template.shopify_vendor, "Shopify Vendor")

    def test_shopify_edit_of_an_odoo_owned_field_is_kept_then_restored(self):
        self._own("title", "price")
        template, product = self._published("Owned Shirt")
        variant = product["variants"][0]
        edited = dict(variant, price="99.00")
        others = product["variants"][1:]
        self.simulator.seed_product(
            dict(product, title="Edited in Shopify admin", vendor="New Vendor", variants=[edited, *others])
        )
        self.sync("product", product["id"])
        self.assertEqual(template.name, "Owned Shirt", "the import never writes an Odoo-owned field")
        self.assertEqual(template.shopify_vendor, "New Vendor", "the Shopify-owned vendor is imported")
        self.assertIn("name", self.sync_job("product", product["id"]).outcome_note)
        # the import queued the product's push, which restores Odoo's values and reports the change
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(stored["title"], "Owned Shirt")
        self.assertEqual({v["price"] for v in stored["variants"]}, {"20.00"})
        self.assertEqual(stored["vendor"], "New Vendor", "the Shopify-owned vendor is not pushed")
        note = self.sync_job("product_push", template.id).outcome_note
        self.assertIn("Changed in Shopify", note)
        self.assertIn("'Edited in Shopify admin' (Odoo: 'Owned Shirt')", note)
        self.assertIn("variants.price '99.00' (Odoo: '20.00')", note)
        binding = template.shopify_binding_ids
        self.assertEqual(binding.catalogue_conflict_count, 1)
        # our own products/update is an echo: no loop
        self._send_webhooks()
        self.dispatch()
        self.assertFalse(self.shopify_jobs())

    def test_a_flapping_field_is_stopped_and_reported(self):
        self._own("title")
        self.shop.catalogue_flap_limit = 3
        template, product = self._published("Flapping Shirt")
        outcomes = []
        for round_number in range(4):
            current = self.simulator.store.products[int(product["id"])]
            self.simulator.seed_product(dict(current, title=f"Other app's title {round_number}"))
            self.shop._publish_products(template)
            outcomes += self.outcomes_of(self.perform_jobs(), "product_push")
        self.assertEqual(outcomes, ["done", "done", "done", "failed"])
        job = self.sync_job("product_push", template.id)
        self.assertEqual((job.state, job.category), ("failed", "data_conflict"), job.message)
        self.assertIn("restored by Odoo 3 times", job.message)
        self.assertIn("Other app's title 3", job.message)
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(stored["title"], "Other app's title 3", "stopped: not pushed again")
        # the owner decides: Shopify keeps the title from now on, and the product pushes again
        self.shop.catalogue_title_owner = "shopify"
        self._own("price")
        template.list_price = 30.0
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(stored["title"], "Other app's title 3")
        self.assertEqual({v["price"] for v in stored["variants"]}, {"30.00"})

    # -- prices per store -----------------------------------------------------------
    def test_pricelist_prices_are_pushed_and_a_currency_mismatch_fails(self):
        self._own("price")
        template, product = self._published("Priced Shirt")
        usd = self.env.ref("base.USD")
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Store USD",
                "currency_id": usd.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "1_product",
                            "product_tmpl_id": template.id,
                            "compute_price": "fixed",
                            "fixed_price": 17.5,
                        }
                    )
                ],
            }
        )
        self.shop.catalogue_pricelist_id = pricelist
        self.shop._publish_products(template)
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual({v["price"] for v in stored["variants"]}, {"17.50"})
        eur = self.env.ref("base.EUR")
        eur.active = True
        pricelist.currency_id = eur
        before = len(self.simulator.mutations_named("productSet"))
        self.shop._publish_products(template)
        self.perform_jobs()
        job = self.sync_job("product_push", template.id)
        self.assertEqual((job.state, job.category), ("failed", "configuration"), job.message)
        self.assertIn("EUR", job.message)
        self.assertEqual(len(self.simulator.mutations_named("productSet")), before, "nothing pushed")

    def test_a_pricelist_rule_changed_pushes_the_prices_it_gives(self):
        self._own("price")
        template, product = self._published("Ruled Shirt")
        self._published("Unruled Shirt")
        pricelist = self.env["product.pricelist"].create(
            {"name": "Store USD", "currency_id": self.env.ref("base.USD").id}
        )
        self.shop.catalogue_pricelist_id = pricelist
        rule = self.env["product.pricelist.item"].create(
            {
                "pricelist_id": pricelist.id,
                "applied_on": "1_product",
                "product_tmpl_id": template.id,
                "compute_price": "fixed",
                "fixed_price": 18.0,
            }
        )
        waiting = self.shopify_jobs()
        self.assertEqual(len(waiting), 1, "only the product the rule prices")
        self.assertTrue(waiting.identity_key.endswith(f":product_push:{template.id}"), waiting.identity_key)
        self.perform_jobs()
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual({v["price"] for v in stored["variants"]}, {"18.00"})
        rule.fixed_price = 16.0
        rule.fixed_price = 15.0
        self.assertEqual(len(self.shopify_jobs()), 1, "two changes of the rule, one waiting push")
        self.perform_jobs()
        self.assertEqual({v["price"] for v in self.simulator.store.products[int(product["id"])]["variants"]}, {"15.00"})
        rule.unlink()
        self.perform_jobs()
        self.assertEqual({v["price"] for v in self.simulator.store.products[int(product["id"])]["variants"]}, {"20.00"})
        # a rule of a pricelist no store uses pushes nothing
        elsewhere = self.env["product.pricelist"].create({"name": "Other", "currency_id": self.env.ref("base.USD").id})
        self.env["product.pricelist.item"].create(
            {"pricelist_id": elsewhere.id, "applied_on": "3_global", "compute_price": "fixed", "fixed_price": 1.0}
        )
        self.assertFalse(self.shopify_jobs())

    # -- options and variants -----------------------------------------------------------
    def test_a_variant_added_in_odoo_is_created_and_bound_once_when_odoo_owns_the_options(self):
        self._own("options")
        template, product = self._published("Growing Shirt")
        large = self.env["product.attribute.value"].create({"name": "L", "attribute_id": self.size.id})
        line = template.attribute_line_ids
        template.write({"attribute_line_ids": [Command.update(line.id, {"value_ids": [Command.link(large.id)]})]})
        new_variant = template.product_variant_ids.filtered(
            lambda v: v.product_template_attribute_value_ids.product_attribute_value_id == large
        )
        new_variant.default_code = f"GRO-{template.id}-L"
        self.assertEqual(len(self.shopify_jobs()), 1, "the new value waits as one push")
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(len(self._products_titled("Growing Shirt")), 1)
        self.assertEqual(len(stored["variants"]), 3)
        self.assertEqual(stored["options"][0]["values"], ["S", "M", "L"])
        created = next(v for v in stored["variants"] if v["option1"] == "L")
        self.assertEqual((created["sku"], created["price"]), (f"GRO-{template.id}-L", "20.00"))
        self.assertEqual(self.bound("variant", created["id"]), new_variant)
        kept = {str(v["id"]) for v in product["variants"]}
        self.assertTrue(kept <= {str(v["id"]) for v in stored["variants"]}, "the variants it had are kept, by id")
        # pushed again: nothing to change, no variant made twice
        before = len(self.simulator.mutations_named("productSet"))
        self.shop._publish_products(template)
        self.perform_jobs()
        self.assertEqual(self.sync_job("product_push", template.id).outcome, "skipped")
        self.assertEqual(len(self.simulator.mutations_named("productSet")), before)
        # a value removed in Odoo: its Shopify variant goes, its binding is archived
        small = self.size.value_ids.filtered(lambda v: v.name == "S")
        small_variant = template.product_variant_ids.filtered(
            lambda v: v.product_template_attribute_value_ids.product_attribute_value_id == small
        )
        small_binding = self.env["shopify.variant.binding"]._of(self.shop, small_variant)
        template.write({"attribute_line_ids": [Command.update(line.id, {"value_ids": [Command.unlink(small.id)]})]})
        self.assertEqual(self.outcomes_of(self.perform_jobs(), "product_push"), ["done"])
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(sorted(v["option1"] for v in stored["variants"]), ["L", "M"])
        self.assertFalse(small_binding.active)

    def test_a_variant_added_in_odoo_is_not_pushed_while_shopify_owns_the_options(self):
        self._own("price")
        template, product = self._published("Fixed Shirt")
        large = self.env["product.attribute.value"].create({"name": "XL", "attribute_id": self.size.id})
        line = template.attribute_line_ids
        template.write({"attribute_line_ids": [Command.update(line.id, {"value_ids": [Command.link(large.id)]})]})
        self.assertFalse(self.shopify_jobs(), "options are Shopify's: the change waits for no push")
        template.list_price = 21.0
        self.perform_jobs()
        stored = self.simulator.store.products[int(product["id"])]
        self.assertEqual(len(stored["variants"]), 2, "Shopify keeps its own variants")
        self.assertEqual({v["price"] for v in stored["variants"]}, {"21.00"})


class TestCatalogueMapping(unittest.TestCase):
    """Pure: the authority table and productSet input, no database."""

    def test_owners_follow_the_protected_fields_and_keep_the_others(self):
        specs = ["res.partner.name", "product.template.name"]
        self.assertEqual(catalogue.owners(specs)["title"], "odoo")
        self.assertEqual(catalogue.owners(specs)["price"], "shopify")
        after = catalogue.with_owners(specs, {"title": "shopify", "price": "odoo"})
        self.assertEqual(after, ["res.partner.name", "product.template.list_price"])

    def test_handle_is_stable_and_unique_per_template(self):
        self.assertEqual(catalogue.handle("Café Shirt / Blue", 42), "cafe-shirt-blue-42")
        self.assertEqual(catalogue.handle("***", 7), "product-7")

    def test_only_the_fields_to_send_are_in_the_input(self):
        product = {"title": "T", "vendor": "V", "tags": ["b", "a"], "status": "ACTIVE"}
        variants = [{"id": "gid://shopify/ProductVariant/1", "options": (("Size", "S"),), "sku": "X", "price": 5}]
        data = catalogue.product_input(product, variants, {"title", "price"})
        self.assertEqual(set(data), {"title", "variants"})
        self.assertEqual(
            data["variants"],
            [
                {
                    "id": "gid://shopify/ProductVariant/1",
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    "price": "5.00",
                }
            ],
        )

    def test_reshaped_when_an_option_or_variant_differs(self):
        vid = "gid://shopify/ProductVariant/1"
        node = {
            "options": [{"name": "Size", "values": ["S"]}],
            "variants": {"nodes": [{"id": vid}]},
        }
        options = (("Size", ("S",)),)
        self.assertFalse(catalogue.reshaped(options, [{"id": vid}], node))
        self.assertTrue(catalogue.reshaped((("Size", ("S", "M")),), [{"id": vid}], node), "a value added")
        self.assertTrue(catalogue.reshaped(options, [{"id": vid}, {"id": None}], node), "a variant to create")
        self.assertTrue(catalogue.reshaped(options, [], node), "a Shopify variant left out")
        plain = {"options": [{"name": "Title", "values": ["Default Title"]}], "variants": {"nodes": [{"id": vid}]}}
        self.assertFalse(catalogue.reshaped((), [{"id": vid}], plain), "Shopify's default option is no option")
        data = catalogue.product_input(
            {}, [{"id": None, "options": (("Size", "M"),), "price": 3}], set(), new_send={"price"}
        )
        self.assertEqual(data["variants"][0]["price"], "3.00", "a new variant is sent whole")

    def test_differences_and_shopify_edits(self):
        vid = "gid://shopify/ProductVariant/1"
        node = {
            "title": "Edited",
            "tags": ["a"],
            "variants": {"nodes": [{"id": vid, "price": "9.0", "sku": "X"}]},
        }
        sent = {"title": "Mine", "variants": [{"id": vid, "price": "9.00", "optionValues": []}]}
        self.assertEqual(catalogue.differences(sent, node), ["title"])
        wanted = catalogue.flat_input(sent)
        self.assertEqual(catalogue.shopify_edits({"title": "Mine"}, wanted, node), ["title"])
        self.assertEqual(catalogue.shopify_edits({"title": "Edited"}, wanted, node), [], "Odoo's change, not Shopify's")
        self.assertEqual(catalogue.shopify_edits({}, wanted, node), [], "never pushed: no edit to tell")
