from . import shopify_product_fix_wizard, shopify_resolve_wizard
