from . import (
    product_product,
    product_template,
    res_config_settings,
    res_partner,
    sale_order,
    shopify_identity_mixin,
    shopify_shop,
    shopify_sync_job,
    shopify_sync_job_failure,
    shopify_tax_mapping,
    shopify_webhook_delivery,
)
