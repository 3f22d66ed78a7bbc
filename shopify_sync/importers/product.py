"""Shopify products -> product.template (product id) and product.product (variant ids)."""

from ..mapping import product as pmap
from ..mapping.common import nodes, parse_datetime
from ..services.errors import MappingError
from ..services.gid import to_gid
from ..services.queries import PRODUCT_QUERY
from .base import ResourceHandler, SyncResult, stale


class ProductHandler(ResourceHandler):
    resource_type = "product"

    def _run(self, resource_id):
        node = self.client.fetch_node(PRODUCT_QUERY, to_gid("product", resource_id), "product")
        return self.import_node(node)

    def import_node(self, node):
        Variant = self.env["product.product"].with_context(active_test=False)
        updated_at = parse_datetime(node.get("updatedAt"))
        shopify_id = node["legacyResourceId"]
        self._lock_related("product", shopify_id)
        variants = nodes(node.get("variants"))
        options = pmap.real_options(node)
        template = self._find_template(shopify_id, variants)
        linked = {v["legacyResourceId"]: Variant._shopify_find(self.shop, v["legacyResourceId"]) for v in variants}
        if (
            template
            and all(linked.values())
            and all(
                p.x_shopify_updated_at and updated_at and updated_at <= p.x_shopify_updated_at for p in linked.values()
            )
        ):
            return stale(template, node.get("title"), updated_at)
        outcome = "updated" if template else "linked"
        if not template:
            template = self._link_by_sku(variants, linked)
            if not template:
                if not self.shop.create_products:
                    return SyncResult(
                        "skipped",
                        None,
                        node.get("title"),
                        updated_at,
                        "No Odoo product matches and product creation is off for this shop.",
                    )
                template = self._create_template(node, options)
                outcome = "created"
        template.write({"x_shopify_product_id": shopify_id, "x_shopify_product_shop_id": self.shop.id})
        unmapped = []
        for variant in variants:
            product = linked.get(variant["legacyResourceId"]) or self._variant_of(template, variant, options)
            if not product:
                unmapped.append(pmap.variant_label(variant))
                continue
            vals = Variant._shopify_link_vals(self.shop, variant["legacyResourceId"], updated_at)
            vals["x_shopify_inventory_item_id"] = _numeric((variant.get("inventoryItem") or {}).get("id"))
            if variant.get("sku") and not product.default_code:
                vals["default_code"] = variant["sku"]
            product.write(vals)
        note = f"Variants without an Odoo product: {', '.join(unmapped)}" if unmapped else None
        return SyncResult(outcome, template, node.get("title"), updated_at, note)

    def _find_template(self, shopify_id, variants):
        Template = self.env["product.template"].with_context(active_test=False)
        template = Template.search(
            [("x_shopify_product_shop_id", "=", self.shop.id), ("x_shopify_product_id", "=", shopify_id)], limit=1
        )
        return template

    def _link_by_sku(self, variants, linked):
        """First-time link of unlinked variants to Odoo products by SKU."""
        if not self.shop.match_product_by_sku:
            return None
        template = None
        for variant in variants:
            if linked.get(variant["legacyResourceId"]) or not variant.get("sku"):
                continue
            product = self.find_by_sku(variant["sku"], pmap.variant_label(variant))
            if product:
                linked[variant["legacyResourceId"]] = product
                template = template or product.product_tmpl_id
        return template

    def find_by_sku(self, sku, label):
        products = self.env["product.product"].search(
            [
                ("default_code", "=", sku),
                ("x_shopify_id", "=", False),
                ("company_id", "in", [False, self.shop.company_id.id]),
            ]
        )
        if len(products) > 1:
            raise MappingError(
                f"Product variant {label}: {len(products)} Odoo products have the internal reference {sku}.",
                missing=f"a single Odoo product with internal reference {sku}",
                retry_advice="Retry is safe after making the internal reference unique.",
                fix_model="product.product",
                fix_hint={"default_code": sku},
            )
        return products

    def _create_template(self, node, options):
        vals = pmap.template_vals(node)
        vals["company_id"] = False
        lines = []
        for name, values in options:
            attribute = self._attribute(name)
            value_ids = [self._attribute_value(attribute, value).id for value in values]
            lines.append((0, 0, {"attribute_id": attribute.id, "value_ids": [(6, 0, value_ids)]}))
        if lines:
            vals["attribute_line_ids"] = lines
        return self.env["product.template"].create(vals)

    def _attribute(self, name):
        Attribute = self.env["product.attribute"]
        return Attribute.search([("name", "=ilike", name)], limit=1) or Attribute.create(
            {"name": name, "create_variant": "always"}
        )

    def _attribute_value(self, attribute, name):
        Value = self.env["product.attribute.value"]
        return Value.search([("attribute_id", "=", attribute.id), ("name", "=ilike", name)], limit=1) or (
            Value.create({"attribute_id": attribute.id, "name": name})
        )

    def _variant_of(self, template, variant, options):
        """The Odoo variant of ``template`` with the Shopify variant's option values."""
        combination = pmap.variant_combination(variant, options)
        if not combination:
            candidates = template.product_variant_ids.filtered(lambda p: not p.x_shopify_id)
            return candidates[:1]
        ptavs = self.env["product.template.attribute.value"]
        for name, value in combination:
            ptavs |= template.attribute_line_ids.product_template_value_ids.filtered(
                lambda v, n=name, val=value: v.attribute_id.name.lower() == (n or "").lower()
                and v.name.lower() == (val or "").lower()
            )
        product = template._get_variant_for_combination(ptavs)
        return product if product and not product.x_shopify_id else self.env["product.product"]


def _numeric(gid):
    return gid.rsplit("/", 1)[-1] if gid else False
