from odoo import api, fields, models


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
    shopify_hold_reason = fields.Char(
        string="Shopify Hold",
        compute="_compute_shopify_hold",
        help="Shopify holds this order's fulfillment: do not ship until it is released there.",
    )
    shopify_on_hold = fields.Boolean(string="On Hold in Shopify", compute="_compute_shopify_hold")

    @api.depends("sale_id.shopify_fulfillment_hold", "state", "picking_type_code")
    def _compute_shopify_hold(self):
        for picking in self:
            open_delivery = picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel")
            reason = open_delivery and picking.sale_id.shopify_fulfillment_hold
            picking.shopify_hold_reason = reason or False
            picking.shopify_on_hold = bool(reason)

    def _action_done(self):
        result = super()._action_done()
        if not self.env.context.get("shopify_sync"):
            for picking in self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done"):
                shop = picking.sale_id.sudo().shopify_binding_ids.shop_id
                if shop and shop.push_fulfillments and shop.sync_enabled and not picking.sudo().shopify_binding_ids:
                    sync_job = self.env["shopify.sync.job"].sudo()._ensure(shop, "picking_push", str(picking.id))
                    sync_job._enqueue()
        return result
