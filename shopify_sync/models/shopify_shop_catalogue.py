"""A shop's catalogue authority (who owns each product field) and its product pushes (importers/product_push.py).

The owner of a product field is kept in the shop's protected fields, the one
authority mechanism of the addon: a field is Odoo-owned when its Odoo field
(``mapping/catalogue.py``) is protected. The selection fields below show and
edit that table on the shop's form.
"""

from odoo import api, fields, models

from .. import const
from ..mapping import catalogue

BULK_PUBLISH_FROM = 10
_OWNER = {"compute": "_compute_catalogue_owners", "inverse": "_inverse_catalogue_owners", "readonly": False}


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    catalogue_title_owner = fields.Selection(catalogue.OWNERS, string="Title", **_OWNER)
    catalogue_description_owner = fields.Selection(catalogue.OWNERS, string="Description", **_OWNER)
    catalogue_vendor_owner = fields.Selection(catalogue.OWNERS, string="Vendor", **_OWNER)
    catalogue_product_type_owner = fields.Selection(catalogue.OWNERS, string="Product type", **_OWNER)
    catalogue_tags_owner = fields.Selection(catalogue.OWNERS, string="Tags", **_OWNER)
    catalogue_sku_owner = fields.Selection(catalogue.OWNERS, string="SKU", **_OWNER)
    catalogue_barcode_owner = fields.Selection(catalogue.OWNERS, string="Barcode", **_OWNER)
    catalogue_weight_owner = fields.Selection(catalogue.OWNERS, string="Weight", **_OWNER)
    catalogue_price_owner = fields.Selection(catalogue.OWNERS, string="Price", **_OWNER)
    catalogue_compare_at_price_owner = fields.Selection(catalogue.OWNERS, string="Compare-at price", **_OWNER)
    catalogue_cost_owner = fields.Selection(catalogue.OWNERS, string="Cost", **_OWNER)
    catalogue_images_owner = fields.Selection(catalogue.OWNERS, string="Images", **_OWNER)
    catalogue_status_owner = fields.Selection(catalogue.OWNERS, string="Status", **_OWNER)
    catalogue_options_owner = fields.Selection(catalogue.OWNERS, string="Options and variants", **_OWNER)
    catalogue_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Prices from pricelist",
        help="When the price is Odoo-owned: each variant's price in this pricelist is pushed "
        "(its currency must be the store's). Empty: the product's sales price.",
    )
    catalogue_flap_limit = fields.Integer(
        string="Stop a field flapping more than",
        default=5,
        help="A product whose Odoo-owned fields Shopify changed back this many times within an hour "
        "(each restored by a push) is not pushed any more: the push fails for a decision.",
    )
    catalogue_debounce_seconds = fields.Integer(
        string="Product push delay (s)",
        default=30,
        help="Changes of a product's Odoo-owned fields are gathered this long, then pushed once.",
    )

    @api.depends("protected_fields")
    def _compute_catalogue_owners(self):
        for shop in self:
            for key, owner in catalogue.owners(shop._protected_field_specs()).items():
                shop[f"catalogue_{key}_owner"] = owner

    def _inverse_catalogue_owners(self):
        for shop in self:
            wanted = {
                field.key: shop[f"catalogue_{field.key}_owner"] or catalogue.SHOPIFY
                for field in catalogue.CATALOGUE_FIELDS
            }
            specs = catalogue.with_owners(shop._protected_field_specs(), wanted)
            if specs != shop._protected_field_specs():
                shop.protected_fields = ",".join(specs)

    def _catalogue_owners(self):
        """{field key: "odoo" or "shopify"} of this shop."""
        self.ensure_one()
        return catalogue.owners(self._protected_field_specs())

    def _odoo_owned(self):
        """The catalogue field keys Odoo owns in this shop."""
        return {key for key, owner in self._catalogue_owners().items() if owner == catalogue.ODOO}

    # -- publishing and pushing ---------------------------------------------------------
    def _schedule_product_push(self, templates, eta=None):
        """One waiting push job per (shop, product): the identity key absorbs a burst of edits."""
        jobs = self.env["shopify.sync.job"].sudo()
        for shop in self:
            delay = max(shop.catalogue_debounce_seconds, 0) if eta is None else eta
            for template in templates:
                sync_job = jobs._ensure(shop, const.PRODUCT_PUSH, str(template.id))
                sync_job._enqueue(eta=delay)

    def _publish_products(self, templates):
        """Publish ``templates`` to these shops now (created in Shopify, or updated when bound).

        Each template gets its handle here, committed with the request: the push job upserts by
        it, so a retry after a timeout finds the product the first attempt created.
        """
        for template in templates.filtered(lambda t: not t.shopify_handle):
            template.with_context(shopify_sync=True).shopify_handle = catalogue.handle(template.name, template.id)
        bindings = self.env["shopify.product.binding"].sudo()
        for shop in self:
            new = templates - bindings._of(shop, templates).odoo_id
            if len(new) < shop._bulk_publish_threshold():
                shop._schedule_product_push(templates, eta=0)
                continue
            # Many new products: one bulk mutation (models/shopify_publish_batch.py); the bound ones one by one.
            shop._schedule_product_push(templates - new, eta=0)
            batch = self.env["shopify.publish.batch"].sudo().create({"shop_id": shop.id, "product_tmpl_ids": new.ids})
            for template in new:
                self.env["shopify.sync.job"].sudo()._ensure(shop, const.PRODUCT_PUSH, str(template.id))
            batch._enqueue_step("start")

    def _bulk_publish_threshold(self):
        """From this many new products on, a publication is one bulk mutation (``shopify_sync.bulk_publish_from``)."""
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.bulk_publish_from")
        return max(int(value), 1) if value else BULK_PUBLISH_FROM

    @api.model
    def _product_changed(self, templates, names):
        """Odoo changed ``names`` of ``templates``: push them to the shops where those fields are Odoo's."""
        bindings = self.env["shopify.product.binding"].sudo().search([("odoo_id", "in", templates.ids)])
        for shop in bindings.shop_id.filtered("sync_enabled"):
            if catalogue.watched_names(set(shop._protected_field_specs())) & set(names):
                shop._schedule_product_push(bindings.filtered(lambda b, s=shop: b.shop_id == s).odoo_id)
