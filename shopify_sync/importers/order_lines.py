"""Order lines: products by variant id, taxes by the shop's mapping, shipping, totals."""

from odoo import Command

from ..mapping import order as omap
from ..mapping.common import SHOP_MONEY, currency_of, money
from ..services.errors import DataConflictError, MappingError
from ..services.gid import to_gid
from ..services.queries import ORDER_REFUND_LINES_FIRST, ORDER_REFUNDS_FIRST, PRODUCT_QUERY, VARIANT_PRODUCT_QUERY
from .product import ProductHandler


class OrderLineBuilder:
    def __init__(self, handler, node, side=SHOP_MONEY):
        self.handler = handler
        self.side = side  # the order's set of amounts (shop or presentment money): lines and total alike
        self.env = handler.env
        self.shop = handler.shop
        self.node = node
        self.country_code = (node.get("shippingAddress") or node.get("billingAddress") or {}).get("countryCodeV2")
        self.taxes_included = bool(node.get("taxesIncluded"))
        self._products = ProductHandler(self.env, self.shop)
        self._products._client = handler.client

    def lines(self):
        lines = omap.order_lines(self.node, self.side, ORDER_REFUNDS_FIRST, ORDER_REFUND_LINES_FIRST)
        vals = [self._product_line(line) for line in lines]
        vals += [self._shipping_line(ship) for ship in omap.order_shipping(self.node, self.side)]
        vals += [self._extra_line(extra) for extra in omap.order_extras(self.node, self.side)]
        return vals

    def _extra_line(self, extra):
        """A tip, the duties, their import taxes or an additional fee, on the shop's product for it."""
        product = self.shop._extra_product(extra["kind"])
        titles = {
            "tip": self.env._("Tip"),
            "duty": self.env._("Duties"),
            "import_tax": self.env._("Import taxes"),
        }
        return {
            "product_id": product.id,
            "name": extra["title"] or titles.get(extra["kind"]) or product.display_name,
            "product_uom_qty": 1,
            "price_unit": extra["price_unit"],
            "tax_ids": [Command.set(self._taxes(extra["taxes"]).ids)],
        }

    def _product_line(self, line):
        product = self._product(line)
        name = line["title"] + (f" - {line['variant_title']}" if line["variant_title"] else "")
        return {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": line["quantity"],
            "price_unit": line["price_unit"],
            "discount": line["discount"],
            "tax_ids": [Command.set(self._taxes(line["taxes"]).ids)],
        }

    def _shipping_line(self, ship):
        product = self.shop.shipping_product_id or self.env.ref("shopify_sync.product_shopify_shipping")
        return {
            "product_id": product.id,
            "name": ship["title"],
            "product_uom_qty": 1,
            "price_unit": ship["price_unit"],
            "tax_ids": [Command.set(self._taxes(ship["taxes"]).ids)],
        }

    def _product(self, line):
        if line.get("gift_card") and self.shop.gift_card_product_id:
            return self.shop.gift_card_product_id  # a liability: its income account is the gift-card account
        variants = self.env["shopify.variant.binding"]
        label = f"'{line['title']}" + (f" / {line['variant_title']}'" if line["variant_title"] else "'")
        label += f" (SKU {line['sku']})" if line["sku"] else ""
        if line["variant_id"]:
            product = variants._record(self.shop, line["variant_id"])
            if not product:
                line["product_id"] = line["product_id"] or self._product_of_variant(line["variant_id"])
            if not product and line["product_id"]:
                self._products.import_node(
                    self._products.client.fetch_node(PRODUCT_QUERY, to_gid("product", line["product_id"]), "product")
                )
                product = variants._record(self.shop, line["variant_id"])
            if product:
                return product
        if line["sku"] and self.shop.match_product_by_sku:
            product = self._products.find_by_sku(line["sku"], label)
            if product:
                return product
        if self.shop.fallback_product_id:
            return self.shop.fallback_product_id
        raise MappingError(
            self.env._("Product variant %s is not mapped to an Odoo product.", label),
            missing=self.env._("an Odoo product for %s", label),
            retry_advice=self.env._(
                "Retry is safe after linking the variant to an Odoo product "
                "(or setting the shop's fallback product): one order is created."
            ),
            fix_model="product.product",
            fix_hint={
                "default_code": line["sku"],
                "variant_id": line["variant_id"],
                "product_id": line["product_id"],
                "title": line["title"],
            },
        )

    def _product_of_variant(self, variant_id):
        """The Shopify product of a variant Odoo does not know yet (the order query does not ask for it)."""
        data = self._products.client.execute(VARIANT_PRODUCT_QUERY, {"id": to_gid("variant", variant_id)})
        return ((data.get("productVariant") or {}).get("product") or {}).get("legacyResourceId")

    def _taxes(self, tax_keys):
        taxes = self.env["account.tax"]
        mappings = self.env["shopify.tax.mapping"]
        for rate, title in tax_keys:
            mapping = mappings._find(self.shop, rate, self.taxes_included, self.country_code)
            if not mapping:
                kind = self.env._("included") if self.taxes_included else self.env._("excluded")
                where = self.env._(" for %s", self.country_code) if self.country_code else ""
                names = {"rate": f"{rate * 100:g}", "kind": kind, "title": title, "where": where}
                raise MappingError(
                    self.env._("Tax %(rate)s%% (%(kind)s) '%(title)s' has no mapping%(where)s.", **names),
                    missing=self.env._("a tax mapping for %(rate)s%% (%(kind)s)%(where)s", **names),
                    retry_advice=self.env._("Retry is safe after adding the tax mapping on the shop."),
                    fix_model="shopify.tax.mapping",
                    fix_hint={"rate": rate, "price_include": self.taxes_included, "country_code": self.country_code},
                )
            taxes |= mapping.tax_id
        return taxes

    def check_total(self, order):
        """Verify Odoo's total against Shopify's; book a small difference on a rounding line."""
        shopify_total = money(self.node.get("totalPriceSet"), self.side)
        currency = currency_of(self.node.get("totalPriceSet"), self.side) or order.currency_id.name
        difference = omap.rounding_difference(shopify_total, order.amount_total)
        if not difference:
            return
        if abs(difference) > self.shop.total_tolerance:
            raise DataConflictError(
                self.env._(
                    "Order total mismatch for %(name)s: Odoo %(odoo)s %(currency)s, Shopify %(shopify)s "
                    "%(currency)s (difference %(difference)s, tolerance %(tolerance)s).",
                    name=self.node.get("name"),
                    odoo=f"{order.amount_total:.2f}",
                    shopify=f"{shopify_total:.2f}",
                    currency=currency,
                    difference=difference,
                    tolerance=f"{self.shop.total_tolerance:.2f}",
                ),
                missing=self.env._("tax mappings or prices that reproduce Shopify's total"),
                retry_advice=self.env._(
                    "Check the tax mappings (included/excluded, rates), then retry: one order is created."
                ),
                fix_model="shopify.tax.mapping",
            )
        product = self.shop._rounding_product()
        order.order_line = [
            (
                0,
                0,
                {
                    "product_id": product.id,
                    "name": "Rounding",
                    "product_uom_qty": 1,
                    "price_unit": float(difference),
                    "tax_ids": [Command.clear()],
                },
            )
        ]
