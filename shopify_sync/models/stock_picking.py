from odoo import fields, models


class ShopifyFulfillmentBinding(models.Model):
    """A Shopify fulfillment as the Odoo delivery it validated (or that created it in Shopify)."""

    _name = "shopify.fulfillment.binding"
    _inherit = "shopify.binding"
    _description = "Shopify fulfillment binding"

    odoo_id = fields.Many2one("stock.picking", string="Delivery", required=True, ondelete="restrict")
    tracking = fields.Char(string="Shopify Tracking", readonly=True)

    _record_uniq = models.UniqueIndex("(odoo_id)", "This delivery is already recorded for a Shopify fulfillment.")


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "shopify.bound.mixin"]

    shopify_binding_ids = fields.One2many(
        "shopify.fulfillment.binding", "odoo_id", string="Shopify Fulfillments", readonly=True, copy=False
    )

    def _action_done(self):
        result = super()._action_done()
        if not self.env.context.get("shopify_sync"):
            for picking in self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done"):
                shop = picking.sale_id.sudo().shopify_binding_ids.shop_id
                if shop and shop.push_fulfillments and shop.sync_enabled and not picking.sudo().shopify_binding_ids:
                    sync_job = self.env["shopify.sync.job"].sudo()._ensure(shop, "picking_push", str(picking.id))
                    sync_job._enqueue()
        return result
