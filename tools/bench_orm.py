"""In-process Odoo for tools/bench.py: shop set-up, and the plain-ORM reference run.

The reference creates what an order sync job creates for the same REST order,
with nothing of the addon in the way: the customer and its invoice and
delivery contacts, the sale order with its product lines (same products, same
prices, discounts and mapped tax) and its shipping line, then action_confirm;
one transaction per order, like one job per order.  It runs in one process
while the Odoo server is idle.
"""

import time
from decimal import Decimal

TAX_NAME = "Shopify bench 6%"


class Orm:
    def __init__(self, conf, db):
        from odoo.modules.registry import Registry
        from odoo.tools import config

        config.parse_config(["-c", str(conf), "-d", db])
        self.registry = Registry(db)
        self._geo = {}

    def run(self, func):
        """``func(env)`` in one committed transaction, as the superuser."""
        from odoo import SUPERUSER_ID, api

        self.registry.check_signaling()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            result = func(env)
            cr.commit()
        return result

    # -- shops ---------------------------------------------------------------------
    def configure_shop(self, name, domain, base_url, token, secret, keep_raw_body=None):
        def configure(env):
            shops = env["shopify.shop"].with_context(active_test=False)
            shop = shops.search([("domain", "=", domain)])
            vals = {
                "name": name,
                "domain": domain,
                "base_url": base_url,
                "new_access_token": token,
                "new_client_secret": secret,
                "api_version": "2026-01",
                "active": True,
                "sync_enabled": True,
                "confirm_policy": "on_create",
                "api_timeout": 10,
                "user_id": env.ref("base.user_admin").id,
            }
            if keep_raw_body is not None:  # else the addon's default
                vals["keep_raw_body"] = keep_raw_body
            if shop:
                shop.write(vals)
            else:
                shop = shops.create(vals)
            if not shop.tax_mapping_ids:
                taxes = env["account.tax"]
                tax = taxes.search([("name", "=", TAX_NAME)], limit=1) or taxes.create(
                    {"name": TAX_NAME, "amount": 6.0, "amount_type": "percent", "type_tax_use": "sale"}
                )
                env["shopify.tax.mapping"].create({"shop_id": shop.id, "rate": 0.06, "tax_id": tax.id})
            return shop.id

        return self.run(configure)

    # -- the reference -----------------------------------------------------------------
    def reference_orders(self, shop_id, orders):
        """Create and confirm ``orders`` (REST dicts) by plain ORM calls; return the seconds taken."""
        variant_ids = {str(line["variant_id"]) for order in orders for line in order["line_items"]}

        def prepare(env):
            products = env["product.product"].with_context(active_test=False)
            found = products.search([("x_shopify_shop_id", "=", shop_id), ("x_shopify_id", "in", list(variant_ids))])
            shop = env["shopify.shop"].browse(shop_id)
            return {
                "products": {p.x_shopify_id: p.id for p in found},
                "tax": shop.tax_mapping_ids[:1].tax_id.id,
                "shipping": env.ref("shopify_sync.product_shopify_shipping").id,
                "company": shop.company_id.id,
            }

        refs = self.run(prepare)
        missing = variant_ids - set(refs["products"])
        if missing:
            raise RuntimeError(f"reference run: {len(missing)} variants have no Odoo product (catalogue not synced)")
        started = time.monotonic()
        for order in orders:
            self.run(lambda env, order=order: self._reference_order(env, refs, order))
        return time.monotonic() - started

    def _address_vals(self, env, address):
        key = (address.get("country_code"), address.get("province_code"))
        if key not in self._geo:
            country = env["res.country"].search([("code", "=", key[0])], limit=1)
            state = env["res.country.state"].search([("country_id", "=", country.id), ("code", "=", key[1])], limit=1)
            self._geo[key] = (country.id or False, state.id or False)
        country_id, state_id = self._geo[key]
        return {
            "name": address.get("name") or f"{address.get('first_name')} {address.get('last_name')}",
            "street": address.get("address1") or False,
            "street2": address.get("address2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "phone": address.get("phone") or False,
            "country_id": country_id,
            "state_id": state_id,
        }

    def _reference_order(self, env, refs, order):
        partners = env["res.partner"]
        customer = order["customer"]
        main = self._address_vals(env, customer["default_address"])
        main.update(
            name=f"{customer['first_name']} {customer['last_name']}",
            email=customer["email"],
            company_id=refs["company"],
        )
        partner = partners.create(main)
        partners.create(
            dict(self._address_vals(env, customer["default_address"]), parent_id=partner.id, type="invoice")
        )
        delivery = partners.create(
            dict(self._address_vals(env, order["shipping_address"]), parent_id=partner.id, type="delivery")
        )
        lines = []
        for line in order["line_items"]:
            gross = Decimal(line["price"]) * int(line["quantity"])
            discount = Decimal(line.get("total_discount") or "0")
            lines.append(
                {
                    "product_id": refs["products"][str(line["variant_id"])],
                    "name": f"{line['title']} - {line['variant_title']}",
                    "product_uom_qty": int(line["quantity"]),
                    "price_unit": float(line["price"]),
                    "discount": float(discount / gross * 100) if gross and discount else 0.0,
                    "tax_ids": [(6, 0, [refs["tax"]])],
                }
            )
        for ship in order.get("shipping_lines") or []:
            lines.append(
                {
                    "product_id": refs["shipping"],
                    "name": ship["title"],
                    "product_uom_qty": 1,
                    "price_unit": float(ship.get("discounted_price") or ship["price"]),
                    "tax_ids": [(6, 0, [refs["tax"]])],
                }
            )
        sale = (
            env["sale.order"]
            .with_company(refs["company"])
            .create(
                {
                    "partner_id": partner.id,
                    "partner_invoice_id": partner.id,
                    "partner_shipping_id": delivery.id,
                    "company_id": refs["company"],
                    "client_order_ref": f"REF {order['name']}",
                    "order_line": [(0, 0, vals) for vals in lines],
                }
            )
        )
        sale.action_confirm()
        return sale.id
