# isort: skip_file
# Order matters: the binding models and the base models load first.
from . import shopify_binding
from . import shopify_shop
from . import shopify_shop_sync
from . import shopify_tax_mapping
from . import shopify_webhook_delivery
from . import shopify_webhook_dispatch
from . import shopify_sync_job
from . import shopify_sync_job_failure
from . import res_partner
from . import sale_order
from . import product_product
from . import product_template
from . import res_config_settings
from . import stock_picking
from . import stock_move
from . import shopify_echo
from . import shopify_location_mapping
from . import shopify_inventory_pending
from . import account_move
from . import account_move_accounting
from . import account_payment
from . import shopify_gateway_mapping
from . import shopify_shop_accounting
