"""Pure mapping: Shopify nodes -> plain values, no database."""

import unittest
from decimal import Decimal

from ..mapping import product as pmap


def _variant(vid, sku, **options):
    return {
        "legacyResourceId": str(vid),
        "title": " / ".join(options.values()) or "Default Title",
        "sku": sku,
        "price": "10.00",
        "selectedOptions": [{"name": k, "value": v} for k, v in options.items()]
        or [{"name": "Title", "value": "Default Title"}],
        "inventoryItem": {"id": f"gid://shopify/InventoryItem/{vid}0"},
    }


class TestProductValues(unittest.TestCase):
    def test_option_values_come_from_the_variants(self):
        node = {
            "legacyResourceId": "632910392",
            "title": "IPod Nano - 8GB",
            "updatedAt": "2026-11-25T10:00:00Z",
            # an older shape: the option carries no values
            "options": [{"name": "Color", "position": 1}],
            "variants": {"nodes": [_variant(1, "PINK", Color="Pink"), _variant(2, "RED", Color="Red")]},
        }
        values = pmap.product_values(node)
        self.assertEqual(values.options, (("Color", ("Pink", "Red")),))
        self.assertEqual([v.combination for v in values.variants], [(("Color", "Pink"),), (("Color", "Red"),)])
        self.assertEqual(values.variants[0].inventory_item_id, "10")
        self.assertEqual(values.variants[1].label, "'Red' (SKU RED)")

    def test_values_the_variants_do_not_have_are_left_out_and_order_kept(self):
        node = {
            "legacyResourceId": "1",
            "title": "Shirt",
            "options": [{"name": "Size", "values": ["S", "M", "L"]}, {"name": "Color", "values": ["Blue"]}],
            "variants": {
                "nodes": [
                    _variant(1, "S-B", Color="Blue", Size="S"),
                    _variant(2, "M-B", Color="Blue", Size="M"),
                ]
            },
        }
        values = pmap.product_values(node)
        self.assertEqual(values.options, (("Size", ("S", "M")), ("Color", ("Blue",))))

    def test_default_title_is_not_an_option(self):
        node = {"legacyResourceId": "2", "title": "Mug", "variants": {"nodes": [_variant(5, " MUG-1 ")]}}
        values = pmap.product_values(node)
        self.assertEqual(values.options, ())
        self.assertEqual(values.variants[0].combination, ())
        self.assertEqual(values.variants[0].sku, "MUG-1", "white space around an SKU is not part of it")

    def test_template_values(self):
        node = {
            "legacyResourceId": "3",
            "title": "",
            "variants": {"nodes": [dict(_variant(1, "A"), price="12.50"), dict(_variant(2, "B"), price="9.99")]},
        }
        values = pmap.product_values(node)
        self.assertEqual(values.template_vals()["name"], "Shopify product 3")
        self.assertEqual(values.template_vals()["list_price"], 9.99)
        self.assertEqual(values.variants[0].price, Decimal("12.50"))
        self.assertIsNone(values.updated_at)


class TestLineSignature(unittest.TestCase):
    def test_a_discount_compares_equal_to_what_odoo_stored(self):
        from ..mapping import order as omap

        # Shopify's allocation gives 2.675 %; Odoo stores the two-digit discount half up, 2.68, where
        # round() on the float 2.675 (2.67499...) gives 2.67.
        mapped = omap.line_signature([(7, 1.0, 19.99, 2.675)])
        stored = omap.line_signature([(7, 1.0, 19.99, 2.68)])
        self.assertEqual(mapped, stored)
        self.assertNotEqual(mapped, omap.line_signature([(7, 1.0, 19.99, 2.67)]))


class TestPurchasingCompany(unittest.TestCase):
    def order(self, tax_settings):
        location = {"id": "gid://shopify/CompanyLocation/7", "taxSettings": tax_settings}
        return {"purchasingEntity": {"company": {"id": "gid://shopify/Company/3"}, "location": location}}

    def test_the_location_and_its_tax_exemption(self):
        from ..mapping import order as omap

        exempt = self.order({"taxExempt": True})
        self.assertEqual(omap.purchasing_company(exempt), ("3", "7"))
        self.assertTrue(omap.location_tax_exempt(exempt))
        self.assertFalse(omap.location_tax_exempt(self.order({"taxExempt": False, "taxExemptions": ["X"]})))
        self.assertFalse(omap.location_tax_exempt(self.order(None)))
        self.assertFalse(omap.location_tax_exempt({"purchasingEntity": {"id": "gid://shopify/Customer/1"}}))
