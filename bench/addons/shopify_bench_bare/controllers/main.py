"""The floor of the webhook benchmark: Odoo's own cost of one db-bound POST.

Same dispatch as ``/shopify_sync/webhook`` (auth='none', no CSRF, no session
saved, a JSON answer of the same shape), minus everything the addon does: no
shop lookup, no HMAC, no JSON parse, no insert, no enqueue.
"""

from odoo import http
from odoo.http import request


class ShopifyBenchBare(http.Controller):
    @http.route(
        "/shopify_bench_bare/webhook", type="http", auth="none", methods=["POST"], csrf=False, save_session=False
    )
    def receive(self):
        body = request.httprequest.get_data(cache=False)
        return request.make_json_response({"status": 200, "message": f"read {len(body)} bytes"}, status=200)
