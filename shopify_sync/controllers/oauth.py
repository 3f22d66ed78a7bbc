"""Shopify's redirect after a manager approved the app (authorization code grant).

The route checks nothing itself but hands the query to the shop's token model, which
verifies the shop domain, the single-use state and Shopify's HMAC before it
stores anything. A refused callback is a 403 with nothing stored.
"""

from odoo import SUPERUSER_ID, http
from odoo.http import request

from .. import const


class ShopifyOAuthController(http.Controller):
    @http.route(const.OAUTH_CALLBACK_ROUTE, type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def callback(self, **params):
        shop = request.env(user=SUPERUSER_ID)["shopify.shop.auth"]._oauth_callback(params)
        if shop is None:
            return request.make_response(
                "Shopify connection refused: the link is invalid, expired or was already used. "
                "Start again with Connect on the shop in Odoo.",
                headers=[("Content-Type", "text/plain; charset=utf-8")],
                status=403,
            )
        return request.redirect(f"/odoo/action-shopify_sync.action_shopify_shop/{shop.id}", local=True)
