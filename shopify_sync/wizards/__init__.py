from . import (
    shopify_import_wizard,
    shopify_product_fix_wizard,
    shopify_publish_wizard,
    shopify_resolve_wizard,
    shopify_review_reject_wizard,
)
