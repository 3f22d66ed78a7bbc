"""The two-way catalogue: which system owns each product field, and Odoo's product as productSet input.

Pure: plain values in, plain values out. A field is *Odoo-owned* in a shop when
its Odoo field is one of the shop's protected fields (``model.field``): the
product import never writes it, and the product push sends it. Every other
field is *Shopify-owned*: the push never sends it (except when it creates the
product in Shopify, as the import sets every field of a product it creates).
"""

import hashlib
import re
import unicodedata
from collections import namedtuple
from decimal import Decimal

ODOO, SHOPIFY = "odoo", "shopify"
OWNERS = [(SHOPIFY, "Shopify"), (ODOO, "Odoo")]

CatalogueField = namedtuple("CatalogueField", "key label spec level")

# key, label, Odoo field (the protected-field spec), level (product or variant)
CATALOGUE_FIELDS = (
    CatalogueField("title", "Title", "product.template.name", "product"),
    CatalogueField("description", "Description", "product.template.description_sale", "product"),
    CatalogueField("vendor", "Vendor", "product.template.shopify_vendor", "product"),
    CatalogueField("product_type", "Product type", "product.template.categ_id", "product"),
    CatalogueField("tags", "Tags", "product.template.product_tag_ids", "product"),
    CatalogueField("sku", "SKU", "product.product.default_code", "variant"),
    CatalogueField("barcode", "Barcode", "product.product.barcode", "variant"),
    CatalogueField("weight", "Weight", "product.product.weight", "variant"),
    CatalogueField("price", "Price", "product.template.list_price", "variant"),
    CatalogueField("compare_at_price", "Compare-at price", "product.product.shopify_compare_at_price", "variant"),
    CatalogueField("cost", "Cost", "product.product.standard_price", "variant"),
    CatalogueField("images", "Images", "product.template.image_1920", "product"),
    CatalogueField("status", "Status", "product.template.sale_ok", "product"),
    CatalogueField("options", "Options and variants", "product.template.attribute_line_ids", "product"),
)
BY_KEY = {field.key: field for field in CATALOGUE_FIELDS}
CATALOGUE_SPECS = {field.spec for field in CATALOGUE_FIELDS}
# Odoo fields that change a catalogue field besides its own (archiving a product sets its status).
ALSO_CHANGED_BY = {"status": ("active",)}
# The Odoo fields whose change (by a user) may have to be pushed, per model.
WATCHED = {
    "product.template": {
        "name",
        "description_sale",
        "shopify_vendor",
        "categ_id",
        "product_tag_ids",
        "list_price",
        "sale_ok",
        "active",
        "default_code",
        "barcode",
        "weight",
        "standard_price",
        "image_1920",
        "attribute_line_ids",
    },
    "product.product": {"default_code", "barcode", "weight", "standard_price", "shopify_compare_at_price", "active"},
}
# Fields sent by the push field by field (images and options/variants have their own path).
PUSHED = (
    "title",
    "description",
    "vendor",
    "product_type",
    "tags",
    "status",
    "sku",
    "barcode",
    "price",
    "compare_at_price",
    "cost",
    "weight",
)


def owners(protected_specs):
    """{field key: "odoo" or "shopify"} from the shop's protected fields."""
    protected = set(protected_specs)
    return {field.key: ODOO if field.spec in protected else SHOPIFY for field in CATALOGUE_FIELDS}


def watched_names(protected_specs):
    """The Odoo field names whose change is pushed, given the shop's protected fields."""
    names = set()
    for field in CATALOGUE_FIELDS:
        if field.spec in protected_specs:
            names.add(field.spec.rpartition(".")[2])
            names.update(ALSO_CHANGED_BY.get(field.key, ()))
    return names


def with_owners(protected_specs, wanted):
    """The shop's protected fields after setting the catalogue owners ``wanted`` ({key: owner})."""
    others = [spec for spec in protected_specs if spec not in CATALOGUE_SPECS]
    current = owners(protected_specs)
    current.update(wanted)
    return others + [BY_KEY[key].spec for key, owner in current.items() if owner == ODOO]


def handle(title, template_id):
    """A stable, unique Shopify handle of an Odoo template: its title's slug and its id."""
    text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200]
    return f"{slug}-{template_id}" if slug else f"product-{template_id}"


def money_text(amount):
    """A price as Shopify's Money input: two decimals, as text."""
    return f"{Decimal(str(amount or 0)).quantize(Decimal('0.01'))}"


def image_digest(raw):
    """The content hash of an image (bytes) kept on the binding: an unchanged image is not uploaded again."""
    return hashlib.sha256(raw).hexdigest()


def image_kind(raw):
    """(file name extension, MIME type) of image bytes, from their signature."""
    if raw.startswith(b"\x89PNG"):
        return "png", "image/png"
    if raw.startswith(b"GIF8"):
        return "gif", "image/gif"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "webp", "image/webp"
    return "jpg", "image/jpeg"


def files_input(resource_url, alt, filename):
    """productSet's ``files``: the one product image, uploaded to ``resource_url`` (replaces the product's files)."""
    return [{"originalSource": resource_url, "contentType": "IMAGE", "alt": alt, "filename": filename}]


def product_input(product, variants, send, options=(), new_send=None):
    """productSet's ProductSetInput of Odoo's values.

    ``product``: {key: value} of the product-level fields; ``variants``: [{"id" (a
    variant GID or None), "options" ((name, value), ...), key: value}]; ``send``:
    the keys to send (every field when creating, the Odoo-owned ones afterwards);
    ``options``: ((name, (value, ...)), ...), sent with the variants when creating
    or when Odoo owns the options; ``new_send``: the keys of a variant Shopify does
    not have yet (no id), which is created whole (``send`` if not given).
    """
    data = {}
    scalar = {
        "title": "title",
        "description": "descriptionHtml",
        "vendor": "vendor",
        "product_type": "productType",
        "tags": "tags",
        "status": "status",
    }
    for key, name in scalar.items():
        if key in send and key in product:
            data[name] = product[key]
    if "handle" in product:
        data["handle"] = product["handle"]
    if variants is None:
        return data
    if options:
        data["productOptions"] = [
            {"name": name, "position": position, "values": [{"name": value} for value in values]}
            for position, (name, values) in enumerate(options, start=1)
        ]
    data["variants"] = [
        _variant_input(variant, send if variant.get("id") else (new_send or send)) for variant in variants
    ]
    return data


def reshaped(options, variants, node):
    """Whether Odoo's ``options`` and ``variants`` (as given to ``product_input``) change the shape of
    Shopify's product ``node``: an option or value added, renamed or removed, a variant to create
    (no id), or a Shopify variant Odoo's list leaves out (productSet deletes it)."""
    current = tuple(
        (option["name"], tuple(option.get("values") or ()))
        for option in node.get("options") or []
        if (option["name"], tuple(option.get("values") or ())) != ("Title", ("Default Title",))
    )
    if tuple((name, tuple(values)) for name, values in options) != current:
        return True
    ids = {variant.get("id") for variant in variants}
    if None in ids:
        return True
    return any(variant["id"] not in ids for variant in (node.get("variants") or {}).get("nodes") or [])


def _variant_input(variant, send):
    data = {}
    if variant.get("id"):
        data["id"] = variant["id"]
    data["optionValues"] = [{"optionName": name, "name": value} for name, value in variant.get("options") or ()] or [
        {"optionName": "Title", "name": "Default Title"}
    ]
    if "sku" in send:
        data["sku"] = variant.get("sku") or None
    if "barcode" in send:
        data["barcode"] = variant.get("barcode") or None
    if "price" in send:
        data["price"] = money_text(variant.get("price"))
    if "compare_at_price" in send:
        compare = variant.get("compare_at_price")
        data["compareAtPrice"] = money_text(compare) if compare else None
    item = {}
    if "cost" in send and variant.get("cost") is not None:
        item["cost"] = str(variant["cost"])
    if "weight" in send and variant.get("weight"):
        item["measurement"] = {"weight": {"unit": "KILOGRAMS", "value": float(variant["weight"])}}
    if item:
        data["inventoryItem"] = item
    return data


PRODUCT_INPUTS = ("title", "descriptionHtml", "vendor", "productType", "tags", "status")
VARIANT_INPUTS = ("sku", "barcode", "price", "compareAtPrice")


def flat_input(data):
    """A productSet input as ``{key: value}``: ``title``..., ``variants.<variant gid>.<field>``.

    Values are normalised as Shopify answers them (tags sorted, amounts with two decimals), so
    that an input compares with ``flat_node`` of the product and serves as the snapshot of a push.
    """
    flat = {name: _normal(name, data[name]) for name in PRODUCT_INPUTS if name in data}
    for variant in data.get("variants") or []:
        if variant.get("id"):
            for name in VARIANT_INPUTS:
                if name in variant:
                    flat[f"variants.{variant['id']}.{name}"] = _normal(name, variant[name])
    return flat


def flat_node(node):
    """Shopify's product ``node`` in the shape of ``flat_input``."""
    flat = {name: _normal(name, node.get(name)) for name in PRODUCT_INPUTS}
    for variant in (node.get("variants") or {}).get("nodes") or []:
        for name in VARIANT_INPUTS:
            flat[f"variants.{variant['id']}.{name}"] = _normal(name, variant.get(name))
    return flat


def differences(sent, node):
    """The fields (``title``, ``variants.price``...) of a productSet input Shopify's ``node`` does not have yet."""
    current = flat_node(node)
    return sorted({label(key) for key, value in flat_input(sent).items() if current.get(key) != value})


def shopify_edits(snapshot, wanted, node):
    """The keys Shopify changed since the last push (``snapshot``) to a value Odoo does not want.

    Only keys Odoo sends (``wanted``, a ``flat_input``): an edit of an Odoo-owned field made in
    Shopify, which the push restores.
    """
    current = flat_node(node)
    return sorted(
        key
        for key, value in wanted.items()
        if key in snapshot and current.get(key) != snapshot[key] and current.get(key) != value
    )


def label(key):
    """``variants.gid://shopify/ProductVariant/1.price`` -> ``variants.price``."""
    if key.startswith("variants."):
        return f"variants.{key.rpartition('.')[2]}"
    return key


def _normal(name, value):
    if name == "tags":
        return sorted(value or [])
    if name in ("price", "compareAtPrice"):
        return money_text(value) if value not in (None, "") else None
    return value or ""
