"""Products: Odoo -> Shopify, one productSet per (shop, product), for the fields Odoo owns.

Publishing creates the product in Shopify with every field, upserting by a
handle derived from the template (a retry after a timeout finds the product the
first call created: never a second one), then binds the product and its
variants to the template and its variants and remembers the write as an echo,
so that Shopify's ``products/create`` about it creates nothing. Afterwards only
the Odoo-owned fields are pushed (``mapping/catalogue.py``); a Shopify edit of
one of them is overwritten by the push and reported on the sync job.
"""

import base64
from collections import namedtuple
from datetime import timedelta
from html import escape

from odoo import fields

from .. import const
from ..mapping import catalogue
from ..mapping.common import nodes, parse_datetime
from ..services import staged_upload
from ..services.errors import ConfigurationError, DataConflictError, TemporaryError
from ..services.gid import numeric_id, to_gid
from ..services.queries import CATALOGUE_PRODUCT_QUERY, PRODUCT_SET, SHOP_QUERY, STAGE_IMAGE
from .base import ResourceHandler, SyncResult

FLAP_WINDOW = timedelta(hours=1)
CreateLine = namedtuple("CreateLine", "handle values variant_values variables")
VARIANT_KEYS = {field.key for field in catalogue.CATALOGUE_FIELDS if field.level == "variant"}


class ProductPushHandler(ResourceHandler):
    resource_type = const.PRODUCT_PUSH
    type_label = "Product to Shopify"
    channel = const.CHANNEL_PRODUCT
    rollout_object = "products"

    def _run(self, resource_id):
        template = self.env["product.template"].with_context(active_test=False).browse(int(resource_id)).exists()
        if not template:
            return SyncResult("skipped", None, f"Product {resource_id}", note="Product deleted in Odoo.")
        self.label = template.display_name
        binding = self.env["shopify.product.binding"]._of(self.shop, template)
        if binding:
            return self._update(template, binding)
        return self._create(template)

    # -- creating -----------------------------------------------------------------------
    def _create(self, template):
        line = self._create_line(template)
        files, digest = self._image_files(template, None)
        if files:
            line.variables["input"]["files"] = files
        result = self.client.mutate(PRODUCT_SET, line.variables, "productSet")
        outcome = self._bind_created(template, line, result["product"])
        if digest:
            self.env["shopify.product.binding"]._of(self.shop, template).image_hash = digest
        return outcome

    def _create_line(self, template, check=True):
        """The productSet of ``template``'s first publication (a ``CreateLine``), or raise why not.

        ``check``: refuse a product whose variants are bound already (not when binding what it created).
        """
        variants = template.product_variant_ids
        bound = check and self.env["shopify.variant.binding"]._of(self.shop, variants)
        if bound:
            raise DataConflictError(
                self.env._(
                    "%(product)s is not bound in %(shop)s, but its variants are (Shopify product %(other)s): "
                    "nothing was published.",
                    product=template.display_name,
                    shop=self.shop.name,
                    other=", ".join(sorted(set(bound.mapped("shopify_product_id")))),
                ),
                missing=self.env._("the binding of the Shopify product of these variants"),
                retry_advice=self.env._("Sync the Shopify product first; then publishing updates it."),
                fix_model="product.template",
            )
        handle = template.shopify_handle or catalogue.handle(template.name, template.id)
        send = set(catalogue.PUSHED)
        values = dict(self._product_values(template), handle=handle)
        options = self._options(template)
        variant_values = [dict(self._variant_values(variant, send), id=None) for variant in variants]
        data = catalogue.product_input(values, variant_values, send, options=options)
        return CreateLine(handle, values, variant_values, {"input": data, "identifier": {"handle": handle}})

    def _bind_created(self, template, line, product):
        """Bind ``template`` and its variants to the Shopify ``product`` its ``line`` created."""
        variants = template.product_variant_ids
        send = set(catalogue.PUSHED)
        product_id = str(product["legacyResourceId"])
        self._lock_related("product", product_id)
        updated_at = parse_datetime(product.get("updatedAt"))
        binding = self.env["shopify.product.binding"]._bind(
            self.shop, product_id, template, shopify_updated_at=updated_at, shopify_handle=product.get("handle")
        )
        by_options = {
            _combination(v["options"]): variant for v, variant in zip(line.variant_values, variants, strict=True)
        }
        bound_now = self._bind_variants(product, product_id, by_options, updated_at)
        self.env["shopify.echo"]._remember(self.shop, "products", product_id)
        gids = {odoo_variant.id: to_gid("variant", vid) for vid, odoo_variant in bound_now.items()}
        sent = [
            dict(entry, id=gids.get(variant.id)) for entry, variant in zip(line.variant_values, variants, strict=True)
        ]
        binding.catalogue_snapshot = catalogue.flat_input(catalogue.product_input(line.values, sent, send))
        return SyncResult(
            "created", template, template.display_name, updated_at, note=f"Shopify product {product_id} ({line.handle})"
        )

    # -- updating -----------------------------------------------------------------------
    def _update(self, template, binding):
        owned = self.shop._odoo_owned()
        send = owned & set(catalogue.PUSHED)
        images = "images" in owned
        reshape = "options" in owned  # Odoo's options and variants are Shopify's: new ones created, others dropped
        if not send and not images and not reshape:
            return SyncResult("skipped", template, template.display_name, note="No field of it is Odoo's here.")
        node = self.client.fetch_node(CATALOGUE_PRODUCT_QUERY, to_gid("product", binding.shopify_id), "product")
        values = self._product_values(template)
        variants = None
        options = ()
        new_variants = {}
        if reshape:
            variants, new_variants = self._odoo_variants(template, send)
            options = self._options(template)
        elif send & VARIANT_KEYS:
            by_id = {
                b.shopify_id: b.odoo_id
                for b in self.env["shopify.variant.binding"]._of(
                    self.shop, template.with_context(active_test=False).product_variant_ids
                )
            }
            variants = []
            for variant in nodes(node.get("variants")):
                entry = {"id": variant["id"], "options": tuple(_selected(variant))}
                odoo_variant = by_id.get(str(variant["legacyResourceId"]))
                if odoo_variant:
                    entry.update(self._variant_values(odoo_variant, send))
                else:  # a variant Odoo does not know: sent unchanged (productSet deletes what is left out)
                    entry.update(sku=variant.get("sku"), barcode=variant.get("barcode"), price=variant.get("price"))
                    entry["compare_at_price"] = variant.get("compareAtPrice")
                variants.append(entry)
            options = tuple((option["name"], tuple(option.get("values") or ())) for option in node.get("options") or [])
        data = catalogue.product_input(values, variants, send, options=options, new_send=set(catalogue.PUSHED))
        wanted = catalogue.flat_input(data)
        changed = catalogue.differences(data, node)
        if reshape and catalogue.reshaped(options, variants, node):
            changed = [*changed, "options and variants"]
        files, digest = self._image_files(template, binding) if images else (None, None)
        if files:
            data["files"] = files
            changed = [*changed, "images"]
        if not changed:
            binding.write(
                {
                    "shopify_updated_at": parse_datetime(node.get("updatedAt")),
                    "catalogue_snapshot": dict(binding.catalogue_snapshot or {}, **wanted),
                }
            )
            return SyncResult("skipped", template, template.display_name, note="Shopify already has Odoo's values.")
        conflict = self._conflict(template, binding, wanted, node)
        result = self.client.mutate(PRODUCT_SET, {"input": data, "identifier": {"id": node["id"]}}, "productSet")
        updated_at = parse_datetime(result["product"].get("updatedAt"))
        if reshape:
            self._rebind_variants(template, binding.shopify_id, result["product"], new_variants, updated_at)
        binding.write(
            {"shopify_updated_at": updated_at, "catalogue_snapshot": dict(binding.catalogue_snapshot or {}, **wanted)}
        )
        if digest:
            binding.image_hash = digest
        self.env["shopify.variant.binding"]._of(self.shop, template.product_variant_ids).shopify_updated_at = updated_at
        self.env["shopify.echo"]._remember(self.shop, "products", binding.shopify_id)
        note = f"Pushed: {', '.join(changed)}." + (f" {conflict}" if conflict else "")
        return SyncResult("updated", template, template.display_name, updated_at, note=note)

    def _bind_variants(self, product, product_id, by_options, updated_at):
        """Bind the variants of Shopify's ``product`` to the Odoo variants of the same options
        (``by_options``: {option combination: Odoo variant}); returns {Shopify variant id: Odoo variant}."""
        bound = {}
        for node in nodes(product.get("variants")):
            odoo_variant = by_options.get(_combination(_selected(node)))
            if not odoo_variant:
                continue
            item = (node.get("inventoryItem") or {}).get("id")
            tracked = (node.get("inventoryItem") or {}).get("tracked")
            bound[str(node["legacyResourceId"])] = odoo_variant
            self.env["shopify.variant.binding"]._bind(
                self.shop,
                str(node["legacyResourceId"]),
                odoo_variant,
                shopify_updated_at=updated_at,
                shopify_product_id=product_id,
                inventory_item_id=numeric_id(item) if item else False,
                shopify_tracked=bool(tracked),
            )
        return bound

    def _odoo_variants(self, template, send):
        """Odoo's variants as productSet's list when Odoo owns the options: the bound ones by id with the
        Odoo-owned fields, the others new (every field). Returns (variants, {combination: new Odoo variant})."""
        active = template.product_variant_ids.filtered("active")  # the template is read with archived ones
        bindings = self.env["shopify.variant.binding"]._of(self.shop, active)
        gid_of = {b.odoo_id.id: to_gid("variant", b.shopify_id) for b in bindings}
        variants, new = [], {}
        for variant in active:
            gid = gid_of.get(variant.id)
            entry = dict(self._variant_values(variant, send if gid else set(catalogue.PUSHED)), id=gid)
            variants.append(entry)
            if not gid:
                new[_combination(entry["options"])] = variant
        return variants, new

    def _rebind_variants(self, template, product_id, product, new_variants, updated_at):
        """After a push of Odoo's variants: bind those Shopify created; archive the bindings of the
        variants Shopify deleted (left out of Odoo's list: archived or removed in Odoo)."""
        if new_variants:
            self._bind_variants(product, product_id, new_variants, updated_at)
        kept = {str(node["legacyResourceId"]) for node in nodes(product.get("variants"))}
        variants = template.with_context(active_test=False).product_variant_ids
        dropped = (
            self.env["shopify.variant.binding"]
            ._of(self.shop, variants)
            .filtered(lambda b: b.shopify_product_id == product_id and b.shopify_id not in kept)
        )
        dropped.write({"active": False})

    def _conflict(self, template, binding, wanted, node):
        """Shopify changed Odoo-owned fields since the last push: the report of the restore, counted.

        More restores than the shop's flap limit within an hour stop the product's pushes (a
        data conflict, nothing sent): someone or something in Shopify keeps changing them back.
        """
        edits = catalogue.shopify_edits(binding.catalogue_snapshot or {}, wanted, node)
        if not edits:
            return None
        current = catalogue.flat_node(node)
        details = ", ".join(f"{catalogue.label(key)} {current.get(key)!r} (Odoo: {wanted[key]!r})" for key in edits)
        now = fields.Datetime.now()
        since = binding.catalogue_conflict_since
        count = binding.catalogue_conflict_count if since and now - since < FLAP_WINDOW else 0
        since = since if count else now
        if count >= max(self.shop.catalogue_flap_limit, 1):
            raise DataConflictError(
                self.env._(
                    "%(product)s: its Odoo-owned fields were changed in Shopify and restored by Odoo "
                    "%(count)s times since %(since)s; changed again in Shopify: %(details)s. Pushes of this "
                    "product are stopped.",
                    product=template.display_name,
                    count=count,
                    since=since,
                    details=details,
                ),
                missing=self.env._("one owner for these fields: the system that should keep them"),
                retry_advice=self.env._(
                    "Retry after making the fields Shopify-owned in the shop's Catalogue tab, or after "
                    "stopping what changes them in Shopify (an app, a colleague): the count restarts after "
                    "an hour."
                ),
                fix_model="shopify.shop",
            )
        note = self.env._(
            "Changed in Shopify (version of %(when)s, by its admin or another app), restored: %(details)s.",
            when=node.get("updatedAt"),
            details=details,
        )
        binding.write(
            {
                "catalogue_conflict_count": count + 1,
                "catalogue_conflict_since": since,
                "catalogue_conflict_note": note[:250],
            }
        )
        return note

    # -- the image -------------------------------------------------------------------
    def _image_files(self, template, binding):
        """(productSet ``files``, content hash) of the template's image once uploaded to Shopify's staged
        storage, or (None, None): no image, or the one the binding says was uploaded already."""
        if not template.image_1920:
            return None, None
        raw = base64.b64decode(template.image_1920)
        digest = catalogue.image_digest(raw)
        if binding and binding.image_hash == digest:
            return None, None
        extension, mime_type = catalogue.image_kind(raw)
        filename = f"{template.shopify_handle or catalogue.handle(template.name, template.id)}.{extension}"
        staged = {"resource": "IMAGE", "filename": filename, "mimeType": mime_type, "httpMethod": "POST"}
        payload = self.client.execute(STAGE_IMAGE, {"input": [staged]}).get("stagedUploadsCreate") or {}
        targets = payload.get("stagedTargets") or []
        if payload.get("userErrors") or not targets:
            detail = "; ".join(e.get("message") or "" for e in payload.get("userErrors") or []) or "-"
            raise TemporaryError(
                self.env._(
                    "Shopify gave no upload target for the image of %(product)s: %(detail)s",
                    product=template.display_name,
                    detail=detail,
                )
            )
        staged_upload.upload(targets[0], filename, raw, mime_type)
        return catalogue.files_input(targets[0]["resourceUrl"], template.name, filename), digest

    # -- Odoo's values ----------------------------------------------------------------
    def _product_values(self, template):
        description = template.description_sale or ""
        status = "ARCHIVED" if not template.active else ("ACTIVE" if template.sale_ok else "DRAFT")
        return {
            "title": template.name,
            "description": escape(description).replace("\n", "<br/>"),
            "vendor": template.shopify_vendor or "",
            "product_type": template.categ_id.name or "",
            "tags": template.product_tag_ids.mapped("name"),
            "status": status,
        }

    def _options(self, template):
        return tuple(
            (line.attribute_id.name, tuple(line.value_ids.mapped("name")))
            for line in template.attribute_line_ids
            if line.attribute_id.create_variant != "no_variant"
        )

    def _variant_values(self, variant, send):
        values = {
            "options": tuple(
                (value.attribute_id.name, value.name)
                for value in variant.product_template_attribute_value_ids
                if value.attribute_id.create_variant != "no_variant"
            ),
            "sku": variant.default_code or "",
            "barcode": variant.barcode or "",
            "compare_at_price": variant.shopify_compare_at_price or None,
            "cost": variant.standard_price,
            "weight": variant.weight,
        }
        if "price" in send:
            values["price"] = self._price(variant)
        return values

    def _price(self, variant):
        """The variant's price in this store: from the shop's pricelist, else its sales price."""
        pricelist = self.shop.catalogue_pricelist_id
        if not pricelist:
            return variant.lst_price
        currency = self._store_currency()
        if pricelist.currency_id.name != currency:
            raise ConfigurationError(
                self.env._(
                    "Pricelist %(pricelist)s is in %(pricelist_currency)s but store %(shop)s sells in "
                    "%(currency)s: no price was pushed.",
                    pricelist=pricelist.display_name,
                    pricelist_currency=pricelist.currency_id.name,
                    shop=self.shop.name,
                    currency=currency,
                ),
                missing=self.env._("a pricelist in %s for the store", currency),
                retry_advice=self.env._("Retry is safe after choosing a pricelist in the store's currency."),
                fix_model="shopify.shop",
            )
        return pricelist._get_product_price(variant, 1.0)

    def _store_currency(self):
        if not hasattr(self, "_currency"):
            self._currency = (self.client.execute(SHOP_QUERY).get("shop") or {}).get("currencyCode")
        return self._currency


def _selected(variant_node):
    return [
        (option["name"], option["value"])
        for option in variant_node.get("selectedOptions") or []
        if (option["name"], option["value"]) != ("Title", "Default Title")
    ]


def _combination(pairs):
    return frozenset((name.lower(), value.lower()) for name, value in pairs)
