"""19.0.2.2.0: drop the webhook delivery indexes of earlier versions.

Every webhook inserts a delivery row; these single-column indexes cost on each
insert and serve no query (models/shopify_webhook_delivery.py says which remain).
"""

from odoo.tools.sql import drop_index

OLD_INDEXED_COLUMNS = ("shop_id", "topic", "resource_type", "state", "received_at")


def drop_old_delivery_indexes(cr):
    for column in OLD_INDEXED_COLUMNS:
        drop_index(cr, f"shopify_webhook_delivery__{column}_index", "shopify_webhook_delivery")


def migrate(cr, version):
    if not version:
        return
    drop_old_delivery_indexes(cr)
