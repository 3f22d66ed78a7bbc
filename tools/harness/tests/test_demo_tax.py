"""The demo's and the bench's 6 % tax (tools/harness/orm.py) shows as 6 % on a sale order: a tax group of its own."""

from odoo.tests import TransactionCase, tagged

from tools.harness.orm import ShopSettings, _configure


@tagged("post_install", "-at_install")
class TestDemoTax(TransactionCase):
    def _settings(self, domain):
        return ShopSettings("Tax Shop", domain, "http://127.0.0.1:1", "token", "secret", tax_name="Demo tax 6%")

    def test_the_6_percent_tax_has_a_6_percent_group_once(self):
        shop = self.env["shopify.shop"].browse(_configure(self.env, self._settings("tax-shop.myshopify.com")))
        tax = shop.tax_mapping_ids.tax_id
        self.assertEqual((tax.amount, tax.tax_group_id.name), (6.0, "Tax 6%"))
        other = self.env["shopify.shop"].browse(_configure(self.env, self._settings("tax-shop-2.myshopify.com")))
        self.assertEqual(other.tax_mapping_ids.tax_id, tax, "the same tax for a second store")
        self.assertEqual(len(self.env["account.tax.group"].search([("name", "=", "Tax 6%")])), 1)
        partner = self.env["res.partner"].create({"name": "Tax customer"})
        product = self.env["product.product"].create({"name": "Taxed", "list_price": 100.0, "taxes_id": [(6, 0, [])]})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id, "price_unit": 100.0, "tax_ids": [(6, 0, tax.ids)]})],
            }
        )
        groups = [group["group_name"] for subtotal in order.tax_totals["subtotals"] for group in subtotal["tax_groups"]]
        self.assertEqual(groups, ["Tax 6%"])

    def test_an_earlier_demo_tax_moves_to_its_own_group(self):
        old = self.env["account.tax"].create(
            {"name": "Demo tax 6%", "amount": 6.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        self.assertNotEqual(old.tax_group_id.name, "Tax 6%")
        shop = self.env["shopify.shop"].browse(_configure(self.env, self._settings("tax-shop-3.myshopify.com")))
        self.assertEqual(shop.tax_mapping_ids.tax_id, old)
        self.assertEqual(old.tax_group_id.name, "Tax 6%")
