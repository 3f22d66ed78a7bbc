"""Shopify Product -> plain values of a template and its variants, mapped once per import."""

from dataclasses import dataclass
from decimal import Decimal

from ..services.gid import numeric_id
from .common import nodes, parse_datetime

# Shopify's implicit option of a product without variants of its own.
DEFAULT_OPTION = ("Title", ("Default Title",))


@dataclass(frozen=True)
class VariantValues:
    shopify_id: str
    sku: str
    title: str
    label: str
    combination: tuple  # ((option name, value), ...) over the product's real options
    inventory_item_id: str
    price: Decimal
    tracked: object = None  # True/False as Shopify's InventoryItem.tracked; None when not read


@dataclass(frozen=True)
class ProductValues:
    shopify_id: str
    title: str
    updated_at: object  # naive UTC datetime, or None
    options: tuple  # ((option name, (value, ...)), ...): the options that make Odoo variants
    variants: tuple  # (VariantValues, ...)
    vendor: str = ""

    def template_vals(self):
        prices = [variant.price for variant in self.variants]
        return {
            "name": self.title,
            "list_price": float(min(prices)) if prices else 0.0,
            "sale_ok": True,
            "type": "consu",
            "is_storable": self.tracked,
            "shopify_vendor": self.vendor or False,
        }

    def update_vals(self):
        """The template fields a later import of the product writes (those the shop lets Shopify own)."""
        return {"name": self.title, "shopify_vendor": self.vendor or False}

    @property
    def tracked(self):
        """Odoo tracks the stock of a template whose variants Shopify tracks.

        Odoo decides per template, Shopify per variant: a product with tracked and
        untracked variants is tracked, and its untracked variants never push
        (their bindings say so).
        """
        return any(variant.tracked for variant in self.variants)


def product_values(product):
    """Map a Product node (variants read whole) once, into plain values."""
    shopify_id = str(product["legacyResourceId"])
    variant_nodes = nodes(product.get("variants"))
    options = real_options(product.get("options"), variant_nodes)
    names = {name for name, _values in options}
    variants = tuple(_variant_values(variant, names) for variant in variant_nodes)
    return ProductValues(
        shopify_id=shopify_id,
        title=product.get("title") or f"Shopify product {shopify_id}",
        updated_at=parse_datetime(product.get("updatedAt")),
        options=options,
        variants=variants,
        vendor=product.get("vendor") or "",
    )


def real_options(product_options, variant_nodes):
    """The options that make variants, with the values the variants really have.

    Values come from the variants' ``selectedOptions`` (older product shapes carry
    options without values), in the order they first appear; option names keep the
    product's order. Shopify's implicit 'Title' / 'Default Title' option is left out.
    """
    values = {}
    for variant in variant_nodes:
        for selected in variant.get("selectedOptions") or []:
            name, value = selected.get("name"), selected.get("value")
            if name and value:
                values.setdefault(name, [])
                if value not in values[name]:
                    values[name].append(value)
    ordered = [option.get("name") for option in product_options or [] if option.get("name") in values]
    ordered += [name for name in values if name not in ordered]
    options = tuple((name, tuple(values[name])) for name in ordered)
    return tuple(option for option in options if option != DEFAULT_OPTION)


def _variant_values(variant, option_names):
    sku = (variant.get("sku") or "").strip()
    title = variant.get("title") or ""
    item = variant.get("inventoryItem") or {}
    item_gid = item.get("id")
    return VariantValues(
        shopify_id=str(variant["legacyResourceId"]),
        sku=sku,
        title=title,
        label=variant_label(title, sku),
        combination=tuple(
            (opt.get("name"), opt.get("value"))
            for opt in variant.get("selectedOptions") or []
            if opt.get("name") in option_names
        ),
        inventory_item_id=numeric_id(item_gid) if item_gid else "",
        price=Decimal(str(variant.get("price") or "0")),
        tracked=item.get("tracked") if isinstance(item.get("tracked"), bool) else None,
    )


def variant_label(title, sku):
    return f"'{title}'" + (f" (SKU {sku})" if sku else "")
