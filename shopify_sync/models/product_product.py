from odoo import api, fields, models

from ..mapping.catalogue import WATCHED
from ..services.gid import admin_url


class ShopifyVariantBinding(models.Model):
    """A Shopify variant of one store as an Odoo product variant, with its inventory item for stock pushes."""

    _name = "shopify.variant.binding"
    _inherit = "shopify.binding"
    _description = "Shopify variant binding"
    _shopify_admin_kind = "product"

    odoo_id = fields.Many2one("product.product", string="Product Variant", required=True, ondelete="restrict")
    shopify_product_id = fields.Char(string="Shopify Product ID", help="Numeric id of the variant's product.")
    active = fields.Boolean(
        default=True, readonly=True, help="Archived when Shopify deleted the product (products/delete)."
    )
    inventory_item_id = fields.Char(string="Shopify Inventory Item", help="Numeric id; stock is pushed to it.")
    shopify_tracked = fields.Boolean(
        string="Tracked in Shopify",
        readonly=True,
        help="Shopify tracks this variant's inventory (InventoryItem.tracked), as last synced.",
    )
    odoo_tracked = fields.Boolean(string="Tracked in Odoo", related="odoo_id.is_storable")
    stock_agreed_mapping_ids = fields.Many2many(
        "shopify.location.mapping",
        "shopify_variant_binding_stock_agreed_rel",
        "binding_id",
        "mapping_id",
        string="Stock agreed at",
        readonly=True,
        copy=False,
        help="Mapped locations where Odoo's and Shopify's quantities of this variant were agreed: "
        "stock is pushed only there (Stock agreement).",
    )
    stock_state = fields.Selection(
        [
            ("pushed", "Pushed from Odoo"),
            ("to_agree", "Waiting for the stock agreement"),
            ("odoo_untracked", "Not pushed: Odoo does not track it"),
            ("shopify_untracked", "Not pushed: Shopify does not track it"),
            ("untracked", "Not tracked on either side"),
            ("shopify_authority", "Shopify is the stock authority"),
            ("off", "Stock push is off"),
        ],
        compute="_compute_stock_state",
        help="Whether Odoo pushes this variant's stock to the store, and if not, why.",
    )

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This product variant is already bound in this store.")

    @api.depends("shopify_tracked", "odoo_tracked", "stock_agreed_mapping_ids", "shop_id.push_inventory")
    def _compute_stock_state(self):
        for binding in self:
            binding.stock_state = binding._stock_state()

    def _stock_state(self):
        """The stock rule of this binding (see ``stock_state``); ``pushed`` only where every condition holds."""
        self.ensure_one()
        shop = self.shop_id
        if shop.stock_authority == "shopify":
            return "shopify_authority"
        if not self.shopify_tracked and not self.odoo_tracked:
            return "untracked"
        if not self.odoo_tracked:
            return "odoo_untracked"
        if not self.shopify_tracked:
            return "shopify_untracked"
        if not shop.push_inventory:
            return "off"
        if not self.inventory_item_id or shop.location_mapping_ids - self.stock_agreed_mapping_ids:
            return "to_agree"
        return "pushed"

    def _pushable(self):
        """The bindings whose stock may be pushed at all: tracked on both sides, to an Odoo-authority shop."""
        return self.filtered(
            lambda b: b.shopify_tracked
            and b.odoo_id.is_storable
            and b.inventory_item_id
            and b.shop_id.stock_authority == "odoo"
        )

    def _sync_job_resource(self):
        return "product", self.shopify_product_id

    def _admin_url(self):
        return admin_url(self.shop_id.domain, "product", self.shopify_product_id, variant_id=self.shopify_id)


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.variant.binding", "odoo_id", string="Shopify Bindings", readonly=True, copy=False
    )
    shopify_created_sku = fields.Char(
        readonly=True,
        copy=False,
        help="The SKU of the Shopify variant this product was created for: unique, so that two "
        "stores importing the same new SKU at once make one product.",
    )
    shopify_bound = fields.Boolean(
        string="Bound to Shopify", compute="_compute_shopify_bound", search="_search_shopify_bound"
    )

    def action_shopify_publish(self):
        """The template's publish wizard: the variant form inherits the template form's button."""
        return self.product_tmpl_id.action_shopify_publish()

    shopify_compare_at_price = fields.Float(
        string="Compare-at Price (Shopify)",
        digits="Product Price",
        help="The price shown struck through in Shopify, when the compare-at price is Odoo-owned.",
    )

    _shopify_created_sku_uniq = models.UniqueIndex(
        "(shopify_created_sku) WHERE shopify_created_sku IS NOT NULL",
        "A product was already created for this Shopify SKU.",
    )

    def write(self, vals):
        result = super().write(vals)
        names = WATCHED["product.product"] & set(vals)
        if names and not self.env.context.get("shopify_sync"):
            self.env["shopify.shop"]._product_changed(self.product_tmpl_id, names)
        return result

    def _compute_shopify_bound(self):
        for product in self:
            product.shopify_bound = bool(product.sudo().shopify_binding_ids)

    def _search_shopify_bound(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        bound = self.env["shopify.variant.binding"].sudo()._search([])
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", bound.subselect("odoo_id"))]

    def action_shopify_bind(self):
        """Open a new variant binding for this product (the product mapping screen's Bind)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bind %s to a store variant", self.display_name),
            "res_model": "shopify.variant.binding",
            "view_mode": "form",
            "target": "new",
            "context": {"default_odoo_id": self.id},
        }

    def _filter_to_unlink(self):
        # A bound variant that Odoo would delete (an attribute value removed) is archived instead.
        return super()._filter_to_unlink().filtered(lambda p: not p.sudo().shopify_binding_ids)
