from . import shopify_resolve_wizard
