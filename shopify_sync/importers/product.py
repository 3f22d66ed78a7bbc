"""Shopify products -> product.template and product.product, through the shop's bindings.

One Odoo catalogue serves many stores: a store's variant is found by its binding,
else by SKU among all the company's products (bound to other stores or not), and
only then created.
"""

from odoo import Command

from .. import const
from ..mapping import catalogue
from ..mapping import product as pmap
from ..services.errors import ConcurrentSyncError, MappingError, ResourceGoneError
from ..services.gid import to_gid
from ..services.identity import try_lock_sku
from ..services.queries import PRODUCT_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult, stale


class ProductHandler(ResourceHandler):
    resource_type = const.PRODUCT
    type_label = "Product"
    channel = const.CHANNEL_PRODUCT
    rollout_object = "products"
    topics = {
        "products/create": Topic("id", ("id", "updated_at")),
        "products/update": Topic("id", ("id", "updated_at")),
        # The same job as the product's: a deletion received before the creation is one job,
        # which finds the product gone (services/resources.py: one waiting job per resource).
        "products/delete": Topic("id", ("id",)),
    }
    reconciliation_root = "products"
    binding_models = ("shopify.product.binding", "shopify.variant.binding")
    gid_type = "Product"
    admin_path = "products"
    door_label_key = "title"

    def _run(self, resource_id):
        try:
            node = self.client.fetch_node(PRODUCT_QUERY, to_gid("product", resource_id), "product")
        except ResourceGoneError:
            if not self._received("products/delete", resource_id):
                raise
            return self._deleted(resource_id)
        return self.import_node(node)

    # -- products/delete ------------------------------------------------------------
    def _deleted(self, shopify_id):
        """Shopify deleted the product: archive its bindings, and its Odoo products that nothing else uses."""
        self._lock_related("product", shopify_id)
        template_binding = self.env["shopify.product.binding"]._find(self.shop, shopify_id)
        variant_bindings = self._variant_bindings.search(
            [("shop_id", "=", self.shop.id), ("shopify_product_id", "=", str(shopify_id))]
        )
        label = self.env._("Product %s", shopify_id)
        template = template_binding.odoo_id.with_env(self.env).with_context(active_test=False)
        if not (template_binding.active or variant_bindings):
            note = (
                self.env._("Already archived: Shopify deleted the product.")
                if template_binding
                else self.env._("Deleted in Shopify before reaching Odoo.")
            )
            return SyncResult("skipped", template or None, label, note=note)
        label = template.name or label
        variant_bindings.write({"active": False})
        template_binding.write({"active": False})
        products = variant_bindings.odoo_id.with_env(self.env)
        in_use = {product: self._use_of(product) for product in products}
        (products.filtered(lambda p: not in_use[p])).write({"active": False})
        templates = (template | products.product_tmpl_id).filtered("active")
        Variant, TemplateBinding = self.env["product.product"], self.env["shopify.product.binding"].sudo()
        templates.filtered(
            lambda t: not Variant.search_count([("product_tmpl_id", "=", t.id)], limit=1)
            and not TemplateBinding.search_count([("odoo_id", "=", t.id)], limit=1)
        ).write({"active": False})
        kept = [f"{product.display_name} ({use})" for product, use in in_use.items() if use]
        note = self.env._("Shopify deleted the product: bindings archived.")
        if kept:
            note += " " + self.env._("Kept active, still in use: %s.", "; ".join(kept))
        return SyncResult("handled", template or None, label, note=note)

    def _use_of(self, product):
        """What keeps ``product`` in use (another store, an open order line, stock), or None."""
        others = self._variant_bindings.search([("odoo_id", "=", product.id)])  # active ones: other stores
        if others:
            return self.env._("bound in %s", ", ".join(others.shop_id.mapped("name")))
        lines = self.env["sale.order.line"].sudo().search([("product_id", "=", product.id), ("state", "!=", "cancel")])
        if lines.filtered(
            lambda line: line.state in ("draft", "sent")
            or line.qty_delivered < line.product_uom_qty
            or line.invoice_status == "to invoice"
        ):
            return self.env._("on an open order line")
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search_count(
                [("product_id", "=", product.id), ("location_id.usage", "=", "internal"), ("quantity", "!=", 0)],
                limit=1,
            )
        )
        if quants:
            return self.env._("in stock")
        return None

    @property
    def _variant_bindings(self):
        return self.env["shopify.variant.binding"]

    def import_node(self, node):
        values = pmap.product_values(node)
        self._lock_related("product", values.shopify_id)
        template = self.env["shopify.product.binding"]._record(self.shop, values.shopify_id)
        bound_here = bool(template)
        bound = {v.shopify_id: self._variant_bindings._find(self.shop, v.shopify_id) for v in values.variants}
        if template and all(bound.values()) and _not_newer(values, bound.values()):
            return stale(template, values.title, values.updated_at)
        matched = {vid: binding.odoo_id for vid, binding in bound.items() if binding}
        outcome = "updated" if template or matched else "linked"
        template = template or _first_template(matched) or self._match_by_handle(node)
        if not template:
            template = self._match_by_sku(values, matched)
        if not template:
            if not self.shop.create_products:
                return SyncResult(
                    "skipped",
                    None,
                    values.title,
                    values.updated_at,
                    self.env._("No Odoo product matches and product creation is off for this shop."),
                )
            template = self._create_template(values)
            outcome = "created"
        kept = self._update_template(values, template) if bound_here else []
        if bound_here and self.shop._odoo_owned() & set(catalogue.PUSHED):
            # A Shopify edit of a field Odoo owns is restored by the product's next push: queue it.
            self.shop._schedule_product_push(template)
        self._bind_template(values, template)
        unmapped, newly_bound = self._bind_variants(values, template, matched, created=outcome == "created")
        if newly_bound:
            # Their stock is pushed only once agreed (models/shopify_stock_agreement.py).
            self.shop._request_stock_comparison()
        notes = [self.env._("Variants without an Odoo product: %s", ", ".join(unmapped))] if unmapped else []
        if kept:
            notes.append(self.env._("Odoo-owned fields kept: %s", ", ".join(kept)))
        return SyncResult(outcome, template, values.title, values.updated_at, "; ".join(notes) or None)

    # -- matching ---------------------------------------------------------------
    def _match_by_handle(self, node):
        """The Odoo product published under this handle and not bound here yet: Shopify's event
        about a product a bulk publication created, arriving before the publication bound it."""
        handle = node.get("handle")
        if not handle:
            return self.env["product.template"]
        template = (
            self.env["product.template"]
            .with_context(active_test=False)
            .search([("shopify_handle", "=", handle)], limit=1)
        )
        if template and self.env["shopify.product.binding"]._of(self.shop, template):
            return self.env["product.template"]
        return template

    def _match_by_sku(self, values, matched):
        """First-time match of the unbound variants by SKU; their one Odoo template, if any."""
        if not self.shop.match_product_by_sku:
            return None
        for variant in values.variants:
            if variant.shopify_id in matched or not variant.sku:
                continue
            if not try_lock_sku(self.env.cr, variant.sku):
                raise ConcurrentSyncError(f"SKU {variant.sku} is being imported by another job.")
            product = self.find_by_sku(variant.sku, variant.label)
            if product:
                self._check_free_in_shop(product, variant)
                matched[variant.shopify_id] = product
        return _first_template(matched)

    def _check_free_in_shop(self, product, variant):
        """An SKU match already bound in this store to another variant is a mapping failure, never a guess."""
        binding = self._variant_bindings._of(self.shop, product)
        if binding and binding.shopify_id != variant.shopify_id:
            raise MappingError(
                self.env._(
                    "Product variant %(label)s matches %(product)s by SKU, which is already bound in "
                    "%(shop)s to Shopify variant %(other)s.",
                    label=variant.label,
                    product=product.display_name,
                    shop=self.shop.name,
                    other=binding.shopify_id,
                ),
                missing=self.env._("a distinct SKU for each variant of the store"),
                retry_advice=self.env._("Retry is safe after giving the variant its own SKU or binding it by hand."),
                fix_model="product.product",
                fix_hint={"default_code": variant.sku, "variant_id": variant.shopify_id},
            )

    def find_by_sku(self, sku, label):
        """The one company product whose internal reference is ``sku``, whichever stores it is bound to."""
        products = self.env["product.product"].search(
            [("default_code", "=", sku), ("company_id", "in", [False, self.shop.company_id.id])]
        )
        if len(products) > 1:
            raise MappingError(
                self.env._(
                    "Product variant %(label)s: %(count)s Odoo products have the internal reference %(sku)s.",
                    label=label,
                    count=len(products),
                    sku=sku,
                ),
                missing=self.env._("a single Odoo product with internal reference %s", sku),
                retry_advice=self.env._("Retry is safe after making the internal reference unique."),
                fix_model="product.product",
                fix_hint={"default_code": sku},
            )
        return products

    # -- writing ------------------------------------------------------------------
    def _update_template(self, values, template):
        """A later import of a bound product: write the fields Shopify owns in this shop; the names kept.

        A template bound in several stores is one Odoo product: no store renames it for the others
        (its values stay those it was created or published with).
        """
        if template.sudo().shopify_binding_ids.shop_id - self.shop:
            return []
        vals = {name: value for name, value in values.update_vals().items() if template[name] != value}
        return self._write_unprotected(template, vals) if vals else []

    def _bind_template(self, values, template):
        """Bind the Shopify product to ``template``, unless the store binds that template to another product.

        A catalogue kept as one Odoo product per SKU can have the variants of two Shopify
        products in one template: the variants are bound each, the template once.
        """
        bindings = self.env["shopify.product.binding"]
        other = bindings._of(self.shop, template)
        if other and other.shopify_id != values.shopify_id:
            return other
        return bindings._bind(self.shop, values.shopify_id, template, shopify_updated_at=values.updated_at)

    def _bind_variants(self, values, template, matched, created):
        """Bind every variant to its Odoo product; the labels of those that have none, and the new bindings."""
        unmapped, claimed, newly_bound = [], set(), self._variant_bindings
        for variant in values.variants:
            product = matched.get(variant.shopify_id) or self._variant_of(template, variant, taken=matched.values())
            if not product:
                unmapped.append(variant.label)
                continue
            stock = {"shopify_tracked": variant.tracked} if variant.tracked is not None else {}
            known = self._variant_bindings._find(self.shop, variant.shopify_id)
            binding = self._variant_bindings._bind(
                self.shop,
                variant.shopify_id,
                product,
                shopify_updated_at=values.updated_at,
                shopify_product_id=values.shopify_id,
                inventory_item_id=variant.inventory_item_id or False,
                **stock,
            )
            if not known:
                newly_bound |= binding
            if variant.sku and not product.default_code and (created or not self._odoo_owns(product, "default_code")):
                vals = {"default_code": variant.sku}
                if created and variant.sku not in claimed:
                    # The unique index on created SKUs: a concurrent import of the same
                    # SKU from another store that slipped past the lock fails and retries.
                    vals["shopify_created_sku"] = variant.sku
                    claimed.add(variant.sku)
                product.write(vals)
        return unmapped, newly_bound

    def _odoo_owns(self, record, field):
        return self.shop._is_protected(record._name, field)

    def _create_template(self, values):
        vals = dict(values.template_vals(), company_id=False)
        lines = []
        for name, option_values in values.options:
            attribute = self._attribute(name)
            value_ids = [self._attribute_value(attribute, value).id for value in option_values]
            lines.append(Command.create({"attribute_id": attribute.id, "value_ids": [Command.set(value_ids)]}))
        if lines:
            vals["attribute_line_ids"] = lines
        return self.env["product.template"].create(vals)

    def _attribute(self, name):
        return find_or_create_attribute(self.env, name)

    def _attribute_value(self, attribute, name):
        return find_or_create_attribute_value(self.env, attribute, name)

    def _variant_of(self, template, variant, taken):
        """The Odoo variant of ``template`` with the Shopify variant's option values.

        Never one bound in this store already, nor one ``taken`` by another variant of this import.
        """
        bound_here = self._variant_bindings._of(self.shop, template.product_variant_ids).odoo_id
        bound_here |= self.env["product.product"].union(*taken)
        if not variant.combination:
            return (template.product_variant_ids - bound_here)[:1]
        if not template.attribute_line_ids:
            return self.env["product.product"]
        ptavs = self.env["product.template.attribute.value"]
        for name, value in variant.combination:
            ptavs |= template.attribute_line_ids.product_template_value_ids.filtered(
                lambda v, n=name, val=value: v.attribute_id.name.lower() == (n or "").lower()
                and v.name.lower() == (val or "").lower()
            )
        product = template._get_variant_for_combination(ptavs)
        return product if product and product not in bound_here else self.env["product.product"]


def _first_template(matched):
    """The template of the first matched variant (a Shopify product's variants may match several)."""
    return next(iter(matched.values())).product_tmpl_id if matched else None


def _not_newer(values, bindings):
    """True when every bound variant already has this version of the product, or a newer one."""
    return bool(values.updated_at) and all(
        binding.shopify_updated_at and values.updated_at <= binding.shopify_updated_at for binding in bindings
    )


def find_or_create_attribute(env, name):
    """The product attribute of an option name (case-insensitive), created when Odoo has none."""
    Attribute = env["product.attribute"]
    return Attribute.search([("name", "=ilike", name)], limit=1) or Attribute.create(
        {"name": name, "create_variant": "always"}
    )


def find_or_create_attribute_value(env, attribute, name):
    """The value ``name`` of ``attribute`` (case-insensitive), created when Odoo has none."""
    Value = env["product.attribute.value"]
    return Value.search([("attribute_id", "=", attribute.id), ("name", "=ilike", name)], limit=1) or (
        Value.create({"attribute_id": attribute.id, "name": name})
    )
