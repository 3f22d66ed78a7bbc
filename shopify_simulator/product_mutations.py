"""productSet, mixed into Mutations: a product created or updated whole (Shopify 2026-10).

``identifier`` (``id`` or ``handle``) upserts: the product it names is updated,
else one is created (a retry after a timeout with the same handle finds the
product the first call created). Without ``identifier``, ``input.id`` updates
and its absence creates. Scalar fields not given are kept; a list given
(``productOptions``, ``variants``) replaces the product's: a variant left out is
deleted, as on Shopify; a variant given without ``id`` is the product's variant of the
same option values, if any. Each applied call queues the webhook Shopify would send
(``products/create`` or ``products/update``), sent by the test or the demo
(``ShopifySimulator.take_webhooks``). Pair it with ``slow_next(operation=...)``
for a timeout after the write: the product exists, the answer comes too late.
``files`` are the product's media, replaced when given: a staged upload's ``resourceUrl``
is read, its bytes' SHA-256 kept as the media's ``sha256``.
"""

import copy
import hashlib

from .formatting import parse_gid

SCALARS = {
    "title": "title",
    "handle": "handle",
    "descriptionHtml": "body_html",
    "vendor": "vendor",
    "productType": "product_type",
}


class ProductMutations:
    """Needs ``self.store`` and ``self.nodes``; returns (payload, replay or None)."""

    def _productSet(self, input, identifier=None, synchronous=True):  # noqa: A002,ARG002 - GraphQL args
        errors = []

        def error(path, message, code):
            errors.append({"field": path, "message": message, "code": code})

        existing = self._product_identified(input, identifier, error)
        handle = input.get("handle") or (identifier or {}).get("handle")
        if handle:
            other = self._product_by_handle(handle)
            if other and (not existing or other["id"] != existing["id"]):
                error(
                    ["input", "handle"], f"Handle '{handle}' already in use.", "HANDLE_NOT_UNIQUE"
                )
        if existing is None and not errors and not (input.get("title") or "").strip():
            error(["input", "title"], "Title can't be blank", "INVALID_INPUT")
        known_variants = {int(v["id"]) for v in (existing or {}).get("variants") or []}
        for index, variant in enumerate(input.get("variants") or []):
            variant_id = parse_gid(variant["id"])[1] if variant.get("id") else None
            if variant.get("id") and variant_id not in known_variants:
                message = "The product variant does not exist on this product."
                error(
                    ["input", "variants", str(index), "id"],
                    message,
                    "PRODUCT_VARIANT_DOES_NOT_EXIST",
                )
        if errors:
            return {"product": None, "userErrors": errors}, None
        product = copy.deepcopy(existing) if existing else {}
        for name, rest_name in SCALARS.items():
            if input.get(name) is not None:
                product[rest_name] = input[name]
        if handle:
            product["handle"] = handle
        if input.get("tags") is not None:
            product["tags"] = ", ".join(input["tags"])
        if input.get("status"):
            product["status"] = input["status"].lower()
        product.setdefault("status", "active")
        if input.get("productOptions") is not None:
            product["options"] = [
                {
                    "name": option["name"],
                    "values": [value["name"] for value in option.get("values") or []],
                }
                for option in input["productOptions"]
            ]
        if input.get("files") is not None:
            product["media"] = [self._media(file) for file in input["files"]]
        if input.get("variants") is not None:
            previous = {int(v["id"]): v for v in product.get("variants") or []}
            names = [option["name"] for option in product.get("options") or []]
            product["variants"] = [
                self._variant_rest(variant, previous, names) for variant in input["variants"]
            ] or [{"title": "Default Title", "price": "0.00"}]
        product.pop("updated_at", None)
        for variant in product.get("variants") or []:
            variant.pop("updated_at", None)
        stored = self.store.seed_product(product)
        topic = "products/update" if existing else "products/create"
        self.store.webhook_outbox.append((topic, int(stored["id"])))

        def payload():
            return {
                "product": self.nodes.product(self.store.get("product", stored["id"])),
                "userErrors": [],
            }

        return payload(), payload

    def _media(self, file):
        """A file of productSet's ``files`` as product media (a staged upload it names is read)."""
        uploads = getattr(self.api, "uploads", None)
        source = file.get("originalSource") or ""
        content = uploads.file_at(source) if uploads else None
        return {
            "src": source,
            "alt": file.get("alt"),
            "filename": file.get("filename"),
            "media_content_type": file.get("contentType") or "IMAGE",
            "sha256": hashlib.sha256(content).hexdigest() if content is not None else None,
        }

    def _product_identified(self, input, identifier, error):  # noqa: A002 - GraphQL argument
        """The stored product the call names (None: create); a user error when an id names none."""
        identifier = identifier or {}
        if identifier.get("id") or input.get("id"):
            path = ["identifier", "id"] if identifier.get("id") else ["input", "id"]
            kind, product_id = parse_gid(identifier.get("id") or input.get("id"))
            product = (
                self.store.get("product", product_id) if kind == "Product" and product_id else None
            )
            if product is None:
                error(path, "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
            return product
        if identifier.get("handle"):
            return self._product_by_handle(identifier["handle"])
        return None

    def _product_by_handle(self, handle):
        with self.store.lock:
            return next(
                (p for p in self.store.products.values() if p.get("handle") == handle), None
            )

    @staticmethod
    def _variant_rest(variant, previous, option_names):
        variant_id = parse_gid(variant["id"])[1] if variant.get("id") else None
        values = {
            value.get("optionName"): value.get("name")
            for value in variant.get("optionValues") or []
        }
        chosen = [values.get(name) for name in option_names if values.get(name)]
        if (
            variant_id is None
        ):  # a variant without id is the product's variant of the same option values
            variant_id = next(
                (
                    vid
                    for vid, old in previous.items()
                    if [old.get(f"option{i}") for i in (1, 2, 3)][: len(chosen)] == chosen
                    and not old.get(f"option{len(chosen) + 1}")
                ),
                None,
            )
        rest = copy.deepcopy(previous.get(variant_id, {}))
        for index in range(3):
            rest.pop(f"option{index + 1}", None)
        for index, value in enumerate(chosen, start=1):
            rest[f"option{index}"] = value
        rest["title"] = " / ".join(chosen) or "Default Title"
        for name, rest_name in (("sku", "sku"), ("barcode", "barcode"), ("price", "price")):
            if name in variant:
                rest[rest_name] = variant[name]
        if "compareAtPrice" in variant:
            rest["compare_at_price"] = variant["compareAtPrice"]
        rest.setdefault("price", "0.00")
        item = variant.get("inventoryItem") or {}
        if item.get("cost") is not None:
            rest["cost"] = str(item["cost"])
        weight = (item.get("measurement") or {}).get("weight")
        if weight:
            rest["weight"], rest["weight_unit"] = weight["value"], weight["unit"]
        if item.get("tracked") is not None:
            rest["inventory_management"] = "shopify" if item["tracked"] else None
        return rest
