"""Resource handlers run by sync jobs, one per Shopify resource type.

Each handler class declares its resource type once; services/resources.py derives
every table (selection, channels, rollout objects, topics...) from the handlers
registered here, in this order (the order of the selection).
"""

from ..services import resources
from .company import CompanyHandler
from .customer import CustomerHandler
from .customer_merge import CustomerMergeHandler
from .fulfillment import FulfillmentHandler
from .fulfillment_hold import FulfillmentHoldHandler
from .fulfillment_push import FulfillmentPushHandler
from .inventory_level import InventoryLevelHandler
from .inventory_push import InventoryPushHandler
from .order import OrderHandler
from .order_links import OrderLinksHandler
from .order_payments import OrderPaymentsHandler
from .order_return import ReturnHandler
from .payout import PayoutHandler, PayoutListHandler
from .product import ProductHandler
from .product_push import ProductPushHandler
from .refund import RefundHandler
from .shop_events import (
    AppUninstalledHandler,
    CustomerRedactHandler,
    PrivacyRequestHandler,
    ShopRedactHandler,
)
from .stock_compare import StockCompareHandler

resources.register(
    OrderHandler,
    CustomerHandler,
    ProductHandler,
    FulfillmentHandler,
    RefundHandler,
    OrderPaymentsHandler,
    OrderLinksHandler,
    PayoutListHandler,
    PayoutHandler,
    InventoryLevelHandler,
    InventoryPushHandler,
    StockCompareHandler,
    FulfillmentPushHandler,
    ProductPushHandler,
    FulfillmentHoldHandler,
    AppUninstalledHandler,
    PrivacyRequestHandler,
    CustomerRedactHandler,
    ShopRedactHandler,
    CustomerMergeHandler,
    CompanyHandler,
    ReturnHandler,
)
HANDLERS = resources.HANDLERS
