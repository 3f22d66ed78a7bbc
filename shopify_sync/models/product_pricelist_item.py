"""A rule of a store's pricelist changed: the prices it gives are pushed to that store.

A shop that names a pricelist (its Catalogue tab) and owns prices in Odoo pushes each
variant's price from that pricelist (importers/product_push.py). A rule added, changed
or removed changes those prices without any product being edited: the bound products
the rule applies to get a push, debounced as any product edit.
"""

from odoo import api, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        items._shopify_push_prices()
        return items

    def write(self, vals):
        before = self._shopify_affected()  # a rule moved to another product changes both
        result = super().write(vals)
        self._shopify_push_prices(before)
        return result

    def unlink(self):
        affected = self._shopify_affected()
        result = super().unlink()
        self.env["product.pricelist.item"]._shopify_push_prices(affected)
        return result

    def _shopify_affected(self):
        """{shop: bound templates} of the shops whose pricelist holds these rules and whose prices Odoo owns."""
        shops = (
            self.env["shopify.shop"]
            .sudo()
            .search([("catalogue_pricelist_id", "in", self.pricelist_id.ids), ("sync_enabled", "=", True)])
            .filtered(lambda shop: "price" in shop._odoo_owned())
        )
        affected = {}
        bindings = self.env["shopify.product.binding"].sudo()
        for shop in shops:
            bound = bindings.search([("shop_id", "=", shop.id)]).odoo_id
            templates = bound.browse()
            for item in self.filtered(lambda i, s=shop: i.pricelist_id == s.catalogue_pricelist_id):
                templates |= item._shopify_templates(bound)
            if templates:
                affected[shop] = templates
        return affected

    def _shopify_templates(self, bound):
        """The templates among ``bound`` this rule prices."""
        self.ensure_one()
        if self.applied_on == "0_product_variant":
            return bound & self.product_id.product_tmpl_id
        if self.applied_on == "1_product":
            return bound & self.product_tmpl_id
        if self.applied_on == "2_product_category":
            return bound.filtered(lambda t: t.categ_id.parent_path.startswith(self.categ_id.parent_path))
        return bound

    def _shopify_push_prices(self, before=None):
        affected = self._shopify_affected() if self else {}
        for shop, templates in (before or {}).items():
            affected[shop] = affected.get(shop, templates.browse()) | templates
        for shop, templates in affected.items():
            shop._schedule_product_push(templates)
