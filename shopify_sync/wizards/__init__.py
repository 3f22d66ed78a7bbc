from . import shopify_resolve_wizard, shopify_review_reject_wizard
