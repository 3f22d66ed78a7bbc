from odoo import fields, models


class ShopifyPartnerBinding(models.Model):
    """A Shopify customer (or a guest checkout, ``guest:<email>``) of one store, as an Odoo contact."""

    _name = "shopify.partner.binding"
    _inherit = "shopify.binding"
    _description = "Shopify customer binding"
    _shopify_admin_kind = "customer"

    odoo_id = fields.Many2one("res.partner", string="Contact", required=True, ondelete="restrict", index=True)

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This contact is already bound in this store.")


class ShopifyCompanyBinding(models.Model):
    """A Shopify B2B company of one store, as an Odoo company contact (``is_company``)."""

    _name = "shopify.company.binding"
    _inherit = "shopify.binding"
    _description = "Shopify company binding"
    _shopify_admin_kind = "company"

    odoo_id = fields.Many2one("res.partner", string="Company Contact", required=True, ondelete="restrict", index=True)

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This company is already bound in this store.")

    location_binding_ids = fields.One2many(
        "shopify.company.location.binding", "company_binding_id", string="Locations", readonly=True
    )
    contact_partner_ids = fields.Many2many(
        "res.partner",
        "shopify_company_binding_contact_rel",
        "binding_id",
        "partner_id",
        string="Contacts",
        readonly=True,
        help="The people Shopify last listed as the company's contacts.",
    )


class ShopifyCompanyLocationBinding(models.Model):
    """A location of a Shopify company, as the company's invoice address (and its delivery address)."""

    _name = "shopify.company.location.binding"
    _inherit = "shopify.binding"
    _description = "Shopify company location binding"
    _shopify_admin_kind = "company"

    odoo_id = fields.Many2one("res.partner", string="Invoice Address", required=True, ondelete="restrict", index=True)
    delivery_partner_id = fields.Many2one("res.partner", string="Delivery Address", readonly=True, ondelete="set null")
    company_binding_id = fields.Many2one(
        "shopify.company.binding", string="Shopify Company", readonly=True, ondelete="cascade", index=True
    )
    active = fields.Boolean(
        default=True, readonly=True, help="Cleared when Shopify deletes the location: its addresses stay on orders."
    )
    tax_exempt = fields.Boolean(readonly=True, help="Shopify exempts this location from tax (taxSettings.taxExempt).")
    tax_exemptions = fields.Char(readonly=True, help="The exemptions Shopify lists for this location.")
    tax_registration_id = fields.Char(string="Tax Registration ID", readonly=True)

    _record_uniq = models.UniqueIndex("(shop_id, odoo_id)", "This address is already bound in this store.")


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.partner.binding", "odoo_id", string="Shopify Bindings", readonly=True, copy=False
    )
