from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    shopify_shop_count = fields.Integer(compute="_compute_shopify_shop_count")

    def _compute_shopify_shop_count(self):
        count = self.env["shopify.shop"].search_count([])
        for settings in self:
            settings.shopify_shop_count = count

    def action_shopify_shops(self):
        return self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_shop")
