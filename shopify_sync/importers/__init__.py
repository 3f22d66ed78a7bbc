"""Resource handlers run by sync jobs, one per Shopify resource type."""

from .customer import CustomerHandler
from .order import OrderHandler
from .product import ProductHandler
from .shop_events import (
    AppUninstalledHandler,
    CustomerRedactHandler,
    PrivacyRequestHandler,
    ShopRedactHandler,
)

HANDLERS = {
    handler.resource_type: handler
    for handler in (
        CustomerHandler,
        ProductHandler,
        OrderHandler,
        AppUninstalledHandler,
        PrivacyRequestHandler,
        CustomerRedactHandler,
        ShopRedactHandler,
    )
}
