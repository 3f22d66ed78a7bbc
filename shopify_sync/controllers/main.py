"""Shopify webhook endpoint: authenticate, record, hand over, answer fast.

The request does no business work and makes no call to Shopify: it checks
the signature once, then the delivery model records the event in one short
transaction; a dispatcher job turns it into a sync job off the request path.
"""

import json
import logging

import psycopg2

from odoo import SUPERUSER_ID, http
from odoo.http import request

from .. import const
from ..services.topics import PayloadError
from ..services.webhook_auth import verify_hmac

_logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
UNAUTHORIZED = "invalid or missing HMAC"
REQUIRED_HEADERS = {
    "topic": "X-Shopify-Topic",
    "event_id": "X-Shopify-Event-Id",
    "webhook_id": "X-Shopify-Webhook-Id",
}
OPTIONAL_HEADERS = {
    "triggered_at": "X-Shopify-Triggered-At",
    "api_version": "X-Shopify-API-Version",
}


def _reply(status, message):
    return request.make_json_response({"status": status, "message": message}, status=status)


def _discard_transaction():
    """Roll the request's transaction back; close its cursor if the connection is gone.

    A closed cursor is neither flushed nor committed by Odoo, so the 503
    reaches Shopify instead of a server error.
    """
    cr = request.env.cr
    try:
        cr.rollback()
    except psycopg2.Error:
        cr.close()


class ShopifyWebhookController(http.Controller):
    @http.route(
        const.WEBHOOK_ROUTE, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=False
    )
    def receive(self):
        try:
            return self._receive()
        except (psycopg2.OperationalError, psycopg2.InterfaceError, psycopg2.errors.QueryCanceled) as exc:
            _logger.warning("Shopify webhook not recorded, database unavailable: %s", exc)
            _discard_transaction()
            return _reply(503, "database unavailable, retry later")

    def _receive(self):
        httprequest = request.httprequest
        headers = httprequest.headers
        domain = (headers.get("X-Shopify-Shop-Domain") or "").strip().lower()
        if not domain:
            return _reply(400, "missing header X-Shopify-Shop-Domain")
        if len(domain) > 255 or not domain.isprintable():
            return _reply(400, "invalid header X-Shopify-Shop-Domain")
        deliveries = request.env(user=SUPERUSER_ID)["shopify.webhook.delivery"]
        shop = deliveries._door_shop(domain)
        length = httprequest.content_length
        max_bytes = shop.webhook_max_bytes if shop else DEFAULT_MAX_BYTES
        if length is not None and length > max_bytes:
            return _reply(413, f"body over {max_bytes} bytes")
        if not shop:
            # The same answer as a bad signature: outsiders learn nothing of which domains exist.
            return _reply(401, UNAUTHORIZED)
        body = httprequest.get_data(cache=False)
        if len(body) > max_bytes:
            return _reply(413, f"body over {max_bytes} bytes")
        if not verify_hmac(body, headers.get("X-Shopify-Hmac-Sha256"), shop.webhook_secrets()):
            return _reply(401, UNAUTHORIZED)
        if not shop.sync_enabled:
            # Shopify retries a 5xx: the events wait in Shopify until sync is enabled again.
            return _reply(503, "sync disabled for this shop, retry later")
        values = {key: (headers.get(name) or "").strip() for key, name in REQUIRED_HEADERS.items()}
        missing = [REQUIRED_HEADERS[key] for key, value in values.items() if not value]
        if missing:
            return _reply(400, f"missing header {', '.join(missing)}")
        if any(len(value) > 255 or not value.isprintable() for value in values.values()):
            return _reply(400, "header value too long or not printable")
        values.update(
            {
                key: "".join(c for c in (headers.get(name) or "") if c.isprintable()).strip()[:64] or None
                for key, name in OPTIONAL_HEADERS.items()
            }
        )
        try:
            # Shopify sends UTF-8 JSON; json.loads would also guess UTF-16/32, which then
            # could not be stored. Too deep a nesting is a bad body, not a server error.
            payload = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            return _reply(400, "body is not UTF-8 JSON")
        if not isinstance(payload, dict):
            return _reply(400, "body is not a JSON object")
        try:
            state = deliveries._ingest(shop, values, body, payload)
        except PayloadError as exc:
            return _reply(400, str(exc))
        return _reply(200, state)
