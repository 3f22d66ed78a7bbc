"""A local stand-in for Shopify: a GraphQL Admin API subset, signed webhooks, faults.

Used by shopify_sync's integration tests and by ``make demo``; it never imports Odoo.
"""

from .control_client import SimulatorControl
from .generator import recompute_totals, same_product_elsewhere
from .server import ShopifySimulator
from .webhooks import SHOPIFY_RETRY_SCHEDULE, Delivery, WebhookSender, sign

__all__ = [
    "same_product_elsewhere",
    "SHOPIFY_RETRY_SCHEDULE",
    "Delivery",
    "ShopifySimulator",
    "SimulatorControl",
    "WebhookSender",
    "recompute_totals",
    "sign",
]
