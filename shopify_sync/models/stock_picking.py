from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    x_shopify_fulfillment_id = fields.Char(
        string="Shopify Fulfillment",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Numeric id of the Shopify fulfillment this delivery was validated for, or created as.",
    )
    x_shopify_tracking = fields.Char(string="Shopify Tracking", readonly=True, copy=False)

    _shopify_fulfillment_uniq = models.UniqueIndex(
        "(x_shopify_fulfillment_id) WHERE x_shopify_fulfillment_id IS NOT NULL",
        "This Shopify fulfillment is already recorded on another delivery.",
    )

    def _action_done(self):
        result = super()._action_done()
        if not self.env.context.get("shopify_sync"):
            for picking in self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done"):
                shop = picking.sale_id.x_shopify_shop_id
                if shop and shop.push_fulfillments and shop.sync_enabled and not picking.x_shopify_fulfillment_id:
                    sync_job = self.env["shopify.sync.job"].sudo()._ensure(shop, "picking_push", str(picking.id))
                    sync_job._enqueue()
        return result
