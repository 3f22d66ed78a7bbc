from datetime import timedelta

from odoo import api, fields, models

ECHO_TTL = timedelta(hours=1)


class ShopifyEcho(models.Model):
    """A write this addon made to Shopify, awaiting the webhook it causes.

    When Shopify reports our own write back (inventory_levels/update at the
    door, fulfillments/create when its delivery is dispatched), it is
    recognised here and acknowledged without any sync job: a sync loop
    cannot start.
    """

    _name = "shopify.echo"
    _description = "Shopify write awaiting its echo"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    topic = fields.Char(required=True)
    resource_key = fields.Char(required=True, index=True)
    fingerprint = fields.Char(help="What the echo must carry to match, e.g. the quantity written.")
    expires_at = fields.Datetime(required=True)

    @api.model
    def _remember(self, shop, topic, resource_key, fingerprint=None):
        return self.sudo().create(
            {
                "shop_id": shop.id,
                "topic": topic,
                "resource_key": str(resource_key),
                "fingerprint": fingerprint and str(fingerprint),
                "expires_at": fields.Datetime.now() + ECHO_TTL,
            }
        )

    @api.model
    def _consume(self, shop, topic, payload):
        """True (and forget it) when ``payload`` is the echo of one of our writes."""
        key, fingerprint = _echo_identity(topic, payload)
        return key is not None and self._consume_key(shop, topic, key, fingerprint)

    @api.model
    def _consume_key(self, shop, topic, key, fingerprint=None):
        """True (and forget it) when an event on ``key`` is the echo of one of our writes."""
        domain = [
            ("shop_id", "=", shop.id),
            ("topic", "=", topic.split("/")[0]),
            ("resource_key", "=", str(key)),
            ("expires_at", ">", fields.Datetime.now()),
        ]
        candidates = self.sudo().search(domain)
        match = candidates.filtered(lambda e: not e.fingerprint or e.fingerprint == fingerprint)[:1]
        if match:
            match.unlink()
            return True
        return False

    @api.model
    def _cron_purge(self):
        self.sudo().search([("expires_at", "<", fields.Datetime.now())]).unlink()


def _echo_identity(topic, payload):
    if topic == "inventory_levels/update":
        item, location = payload.get("inventory_item_id"), payload.get("location_id")
        if item is None or location is None:
            return None, None
        return f"{item}-{location}", str(payload.get("available"))
    if topic in ("fulfillments/create", "fulfillments/update"):
        return str(payload.get("id")), None
    return None, None
