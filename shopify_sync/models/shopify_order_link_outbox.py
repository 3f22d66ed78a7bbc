"""Order links waiting to be written to Shopify, gathered per shop.

An order created from Shopify gets an ``odoo.sale_order`` metafield pointing
back to it (importers/order.py reads it to link instead of creating twice).
Instead of one ``metafieldsSet`` per order (10 points each), the order job
adds a row here, in its own transaction, and one flush job per shop sends the
rows 25 at a time (importers/order_links.py): one mutation, 10 points, for up
to 25 orders. A row exists only if its order committed; it is deleted once
Shopify accepted its batch, so a flush that times out is sent again
(``metafieldsSet`` sets the same value twice: harmless).
"""

from odoo import fields, models


class ShopifyOrderLinkOutbox(models.Model):
    _name = "shopify.order.link.outbox"
    _description = "Shopify order link to write"
    _order = "id"
    _log_access = False

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    shopify_id = fields.Char(string="Shopify Order ID", required=True)

    _shop_order_unique = models.Constraint(
        "UNIQUE (shop_id, shopify_id)", "An order link is waiting once per Shopify order."
    )
