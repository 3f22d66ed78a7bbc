"""Resource handlers run by sync jobs, one per Shopify resource type."""

from .customer import CustomerHandler
from .fulfillment import FulfillmentHandler
from .fulfillment_push import FulfillmentPushHandler
from .inventory_level import InventoryLevelHandler
from .inventory_push import InventoryPushHandler
from .order import OrderHandler
from .order_links import OrderLinksHandler
from .order_payments import OrderPaymentsHandler
from .payout import PayoutHandler, PayoutListHandler
from .product import ProductHandler
from .refund import RefundHandler
from .shop_events import (
    AppUninstalledHandler,
    CustomerRedactHandler,
    PrivacyRequestHandler,
    ShopRedactHandler,
)
from .stock_compare import StockCompareHandler

HANDLERS = {
    handler.resource_type: handler
    for handler in (
        CustomerHandler,
        ProductHandler,
        OrderHandler,
        OrderLinksHandler,
        FulfillmentHandler,
        RefundHandler,
        OrderPaymentsHandler,
        PayoutListHandler,
        PayoutHandler,
        FulfillmentPushHandler,
        InventoryPushHandler,
        InventoryLevelHandler,
        StockCompareHandler,
        AppUninstalledHandler,
        PrivacyRequestHandler,
        CustomerRedactHandler,
        ShopRedactHandler,
    )
}
