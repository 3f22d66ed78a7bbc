from odoo import fields, models


class ShopifyPartnerBinding(models.Model):
    """A Shopify customer (or a guest checkout, ``guest:<email>``) of one store, as an Odoo contact."""

    _name = "shopify.partner.binding"
    _inherit = "shopify.binding"
    _description = "Shopify customer binding"
    _shopify_admin_kind = "customer"

    odoo_id = fields.Many2one("res.partner", string="Contact", required=True, ondelete="restrict", index=True)

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This contact is already bound in this store.")


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.partner.binding", "odoo_id", string="Shopify Bindings", readonly=True, copy=False
    )
