from odoo import api, fields, models


class ShopifyIdentityMixin(models.AbstractModel):
    """Identity of an Odoo record in one Shopify shop.

    ``x_shopify_id`` holds Shopify's numeric id (``legacyResourceId``) as text,
    e.g. ``"450789469"``; the GID is derived from it.  One Shopify record maps
    to at most one Odoo record per shop: the partial unique index makes a
    second one impossible, whatever the concurrency.
    """

    _name = "shopify.identity.mixin"
    _description = "Shopify identity"

    x_shopify_id = fields.Char(
        string="Shopify ID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Shopify's numeric id of this record (legacyResourceId).",
    )
    x_shopify_shop_id = fields.Many2one(
        "shopify.shop", string="Shopify Shop", readonly=True, copy=False, ondelete="restrict"
    )
    x_shopify_updated_at = fields.Datetime(
        string="Shopify Updated At",
        readonly=True,
        copy=False,
        help="Shopify's updatedAt of the last version synced: older events are skipped.",
    )

    _shopify_identity_uniq = models.UniqueIndex(
        "(x_shopify_shop_id, x_shopify_id) WHERE x_shopify_id IS NOT NULL",
        "This Shopify record is already linked to another Odoo record of the same shop.",
    )

    @api.model
    def _shopify_find(self, shop, shopify_id):
        """The record linked to ``shopify_id`` in ``shop``, active or archived."""
        return (
            self.with_context(active_test=False)
            .sudo()
            .search([("x_shopify_shop_id", "=", shop.id), ("x_shopify_id", "=", str(shopify_id))], limit=1)
        )

    def _shopify_link_vals(self, shop, shopify_id, updated_at=None):
        vals = {"x_shopify_shop_id": shop.id, "x_shopify_id": str(shopify_id)}
        if updated_at:
            vals["x_shopify_updated_at"] = updated_at
        return vals
