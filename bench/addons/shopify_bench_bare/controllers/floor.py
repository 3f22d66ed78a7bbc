"""The physical floor of a durable acknowledgement: one row inserted and committed per POST.

Same dispatch as the bare route and ``/shopify_sync/webhook`` (auth='none', no
CSRF, no session saved, the same JSON answer), plus exactly one INSERT and the
request's COMMIT (``synchronous_commit`` as the server has it: on by default,
the WAL flushed before the answer). No shop lookup, no HMAC, no JSON parse, no
enqueue: what a webhook route cannot do with less and still be durable.
"""

from odoo import http
from odoo.http import request


class ShopifyBenchFloor(http.Controller):
    @http.route(
        "/shopify_bench_bare/floor",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def receive(self):
        body = request.httprequest.get_data(cache=False)
        event = (request.httprequest.headers.get("X-Shopify-Event-Id") or "")[:64]
        # Raw SQL on purpose: the floor is one row, not the ORM's cost of creating a record.
        request.env.cr.execute(
            "INSERT INTO shopify_bench_floor (event_id, body_bytes) VALUES (%s, %s)", (event, len(body))
        )
        # Odoo commits the request's transaction before the answer leaves.
        return request.make_json_response({"status": 200, "message": f"stored {len(body)} bytes"}, status=200)
