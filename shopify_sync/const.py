"""Names shared across the addon: HTTP routes, queue_job channels, resource types.

Pure (no Odoo import). A resource type is declared on its handler (``importers/``,
see services/resources.py); these are only the names, so that a typo is an
import error, not a silent miss.
"""

# -- HTTP routes (controllers/) --------------------------------------------------
WEBHOOK_ROUTE = "/shopify_sync/webhook"
OAUTH_CALLBACK_ROUTE = "/shopify_sync/oauth/callback"

# -- queue_job channels (declared in data/queue_job_data.xml and queue_job_accounting_data.xml)
CHANNEL_ROOT = "root.shopify"
CHANNEL_DISPATCH = "root.shopify.dispatch"
CHANNEL_IMPORT = "root.shopify.import"
CHANNEL_ORDER = "root.shopify.order"
CHANNEL_CUSTOMER = "root.shopify.customer"
CHANNEL_PRODUCT = "root.shopify.product"
CHANNEL_FULFILLMENT = "root.shopify.fulfillment"
CHANNEL_REFUND = "root.shopify.refund"
CHANNEL_ACCOUNTING = "root.shopify.accounting"
CHANNEL_INVENTORY = "root.shopify.inventory"
CHANNEL_SHOP = "root.shopify.shop"
CHANNEL_PRIVACY = "root.shopify.privacy"

# -- resource types of sync jobs ----------------------------------------------------
ORDER = "order"
CUSTOMER = "customer"
CUSTOMER_MERGE = "customer_merge"
COMPANY = "company"
PRODUCT = "product"
FULFILLMENT = "fulfillment"
FULFILLMENT_HOLD = "fulfillment_hold"
REFUND = "refund"
RETURN = "return"
ORDER_PAYMENTS = "order_payments"
ORDER_LINKS = "order_links"
PAYOUT_LIST = "payout_list"
PAYOUT = "payout"
INVENTORY_LEVEL = "inventory_level"
INVENTORY_PUSH = "inventory_push"
STOCK_COMPARE = "stock_compare"
PICKING_PUSH = "picking_push"
SHOP = "shop"
PRIVACY_REQUEST = "privacy_request"
CUSTOMER_REDACT = "customer_redact"
SHOP_REDACT = "shop_redact"
PRODUCT_PUSH = "product_push"


# -- order lines besides goods and shipping (mapping.order.order_extras): kind -> (shop field, default product)
ORDER_EXTRA_PRODUCTS = {
    "tip": ("tip_product_id", "shopify_sync.product_shopify_tip"),
    "duty": ("duty_product_id", "shopify_sync.product_shopify_duty"),
    "import_tax": ("import_tax_product_id", "shopify_sync.product_shopify_import_tax"),
    "fee": ("fee_product_id", "shopify_sync.product_shopify_fee"),
}
