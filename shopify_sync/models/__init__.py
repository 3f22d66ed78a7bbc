# isort: skip_file
# Order matters: the binding models and the base models load first.
from . import shopify_binding
from . import shopify_shop
from . import shopify_shop_health
from . import shopify_tax_mapping
from . import shopify_payment_term_mapping
from . import shopify_webhook_delivery
from . import res_partner
from . import sale_order
from . import sale_order_line
from . import sale_order_shopify
from . import product_product
from . import product_template
from . import product_pricelist_item
from . import res_config_settings
from . import stock_picking
from . import shopify_return_binding
from . import stock_move
from . import stock_quant
from . import shopify_echo
from . import shopify_location
from . import shopify_location_mapping
from . import shopify_inventory_pending
from . import shopify_inventory_hold
from . import shopify_stock_agreement
from . import account_move
from . import shopify_shop_auth
from . import shopify_webhook_subscription
from . import shopify_review_recorder

# After shopify_review_recorder: importing it first would register its extensions of
# res.partner, sale.order... before this module's own, and change which override runs first.
from . import shopify_sync_job
from . import shopify_readiness
from . import shopify_selftest
from . import shopify_team_note
from . import shopify_manual_edit
from . import account_move_accounting
from . import account_payment
from . import shopify_gateway_mapping
from . import shopify_bulk_step
from . import shopify_import_chunk
from . import shopify_import_run
from . import shopify_publish_batch
from . import shopify_order_link_outbox
from . import shopify_rate_budget
from . import shopify_backlog_read
from . import shopify_backlog_node
from . import shopify_sync_report
