"""Shopify Product -> product template / variant values."""

from decimal import Decimal

from .common import nodes

DEFAULT_OPTION = ("Title", ("Default Title",))


def real_options(product):
    """Options that make variants, without Shopify's implicit 'Title' option."""
    options = []
    for option in product.get("options") or []:
        values = tuple(option.get("values") or ())
        if (option.get("name"), values) == DEFAULT_OPTION:
            continue
        options.append((option.get("name"), values))
    return options


def template_vals(product):
    prices = [Decimal(str(v.get("price") or "0")) for v in nodes(product.get("variants"))]
    return {
        "name": product.get("title") or f"Shopify product {product.get('legacyResourceId')}",
        "list_price": float(min(prices)) if prices else 0.0,
        "sale_ok": True,
        "type": "consu",
    }


def variant_combination(variant, options):
    """[(option name, value)] of a variant, limited to the product's real options."""
    names = {name for name, _values in options}
    return [
        (opt.get("name"), opt.get("value")) for opt in variant.get("selectedOptions") or [] if opt.get("name") in names
    ]


def variant_label(variant):
    title = variant.get("title") or ""
    sku = variant.get("sku") or ""
    return f"'{title}'" + (f" (SKU {sku})" if sku else "")
