"""A local stand-in for Shopify: GraphQL Admin API subset, signed webhooks, faults."""

from .control import SimulatorControl
from .server import ShopifySimulator
from .webhooks import SHOPIFY_RETRY_SCHEDULE, WebhookSender, sign

__all__ = ["SHOPIFY_RETRY_SCHEDULE", "ShopifySimulator", "SimulatorControl", "WebhookSender", "sign"]
