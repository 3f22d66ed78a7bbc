"""The shop's order links to Shopify: the outbox sent 25 metafields per ``metafieldsSet``.

See models/shopify_order_link_outbox.py. One job per shop (identity key from
services/identity.py, the resource lock of run_sync keeps it single); each run
sends what the outbox holds, in batches of at most 25, and deletes the rows
of a batch once Shopify accepted it. A run that fails or times out leaves the
rows of that batch in place, so the retry sends them again.
"""

import json

from .. import const
from ..services.db import independent_env
from ..services.errors import ShopifyUserError
from ..services.gid import to_gid
from ..services.identity import ORDER_LINKS, identity_key, lock_door, order_links_key
from ..services.queries import METAFIELD_KEY, METAFIELD_NAMESPACE, METAFIELDS_SET
from .base import ResourceHandler, SyncResult

BATCH_SIZE = 25  # metafieldsSet takes at most 25 metafields
MAX_BATCHES = 40  # per run; what is left goes to the next run
# The flush waits this long after the first order that needs it, so that one
# mutation carries the links of the orders committed meanwhile (at 2.5 orders/s,
# the pace of 100 points/s, 10 s fill a batch). The link is only read when an
# order's binding is missing, so it can wait.
FLUSH_DELAY = 10


def queue_order_link(env, shop, order, shopify_id):
    """Add an order's link to the shop's outbox and make sure a flush job waits (the caller's transaction).

    In an import chunk (context ``shopify_import_chunk``) the chunk enqueues the flush once, at its end
    (``enqueue_link_flush``): the enqueue's door lock would otherwise be held from the chunk's first
    order until it commits, and the chunks of the other lanes would wait for it.
    """
    env["shopify.order.link.outbox"].sudo().create({"shop_id": shop.id, "order_id": order.id, "shopify_id": shopify_id})
    if not env.context.get("shopify_import_chunk"):
        enqueue_link_flush(env, shop)


def enqueue_link_flush(env, shop):
    """Make sure the shop's flush job waits (once whatever the callers).

    Committed: the caller's snapshot may show a flush waiting that has started since (and read
    the outbox without the caller's row); only a flush not started yet will wait for its lock.
    """
    env["shopify.sync.job"].sudo()._enqueue_resource(
        shop.id, ORDER_LINKS, order_links_key(), eta=FLUSH_DELAY, committed=True
    )


def metafield_value(env, order):
    database = env["ir.config_parameter"].sudo().get_param("database.uuid")
    return json.dumps({"id": order.id, "name": order.name, "database": database})


class OrderLinksHandler(ResourceHandler):
    resource_type = const.ORDER_LINKS
    type_label = "Order links to Shopify"
    channel = const.CHANNEL_ORDER

    def _run(self, resource_id):
        sent, calls, refused = 0, 0, []
        for _batch in range(MAX_BATCHES):
            rows = self._next_batch()
            if not rows:
                break
            calls += 1
            refused += self._send(rows)
            sent += len(rows)
            with independent_env(self.env) as env:
                env["shopify.order.link.outbox"].browse([row["id"] for row in rows]).unlink()
        else:
            self.env["shopify.sync.job"].sudo()._enqueue_resource(self.shop.id, ORDER_LINKS, order_links_key())
        note = self.env._("%(sent)s order link(s) written in %(calls)s call(s).", sent=sent - len(refused), calls=calls)
        if refused:
            note += " " + self.env._("Refused by Shopify: %s", "; ".join(refused))
        return SyncResult("handled", self.shop, self.env._("Order links"), None, note)

    def _next_batch(self):
        """The next rows, read as committed now (not as of this job's snapshot).

        An order job that found this job waiting holds the door lock of its key from
        that look until it commits: waiting for the lock here means its row is read.
        The rows are read, and deleted once sent, on a cursor of their own (READ
        COMMITTED): this job's own snapshot may predate the orders it sends.
        """
        with independent_env(self.env) as env:
            lock_door(env.cr, identity_key(self.shop.id, ORDER_LINKS, order_links_key()))
            rows = env["shopify.order.link.outbox"].search([("shop_id", "=", self.shop.id)], limit=BATCH_SIZE)
            return [
                {"id": row.id, "shopify_id": row.shopify_id, "value": metafield_value(env, row.order_id)}
                | {"label": f"{row.order_id.name} ({row.shopify_id})"}
                for row in rows
            ]

    def _send(self, rows):
        """Send one batch; the rows Shopify refuses (e.g. an order deleted since) are dropped, the rest sent."""
        metafields = [self._metafield(row) for row in rows]
        try:
            self.client.mutate(METAFIELDS_SET, {"metafields": metafields}, "metafieldsSet")
            return []
        except ShopifyUserError as err:
            bad = _refused_indexes(err.user_errors, len(metafields))
            if not bad:
                raise
        kept = [m for i, m in enumerate(metafields) if i not in bad]
        if kept:
            self.client.mutate(METAFIELDS_SET, {"metafields": kept}, "metafieldsSet")
        return [rows[i]["label"] for i in sorted(bad)]

    @staticmethod
    def _metafield(row):
        return {
            "ownerId": to_gid("order", row["shopify_id"]),
            "namespace": METAFIELD_NAMESPACE,
            "key": METAFIELD_KEY,
            "type": "json",
            "value": row["value"],
        }


def _refused_indexes(user_errors, size):
    """Indexes of the metafields a userErrors list names (``field: ["metafields", "3", "ownerId"]``)."""
    indexes = set()
    for err in user_errors or []:
        field = err.get("field") or []
        if len(field) >= 2 and field[0] == "metafields" and str(field[1]).isdigit() and int(field[1]) < size:
            indexes.add(int(field[1]))
    return indexes
