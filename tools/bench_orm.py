"""The plain-ORM reference run of tools/bench.py.

The reference creates what an order sync job creates for the same REST order,
with nothing of the addon in the way: the customer and its invoice and
delivery contacts, the sale order with its product lines (same products, same
prices, discounts and mapped tax) and its shipping line, then action_confirm;
one transaction per order, like one job per order.  It runs in one process
(``harness.orm.Orm``) while the Odoo server is idle.
"""

import time
from decimal import Decimal

from tools.harness import records


class Reference:
    def __init__(self, orm):
        self.orm = orm
        self._geo = {}

    def orders(self, shop_id, orders):
        """Create and confirm ``orders`` (REST dicts) by plain ORM calls; return the seconds taken."""
        variant_ids = {str(line["variant_id"]) for order in orders for line in order["line_items"]}

        def prepare(env):
            shop = env["shopify.shop"].browse(shop_id)
            return {
                "products": records.variant_products(env.cr, shop_id, variant_ids),
                "tax": shop.tax_mapping_ids[:1].tax_id.id,
                "shipping": env.ref("shopify_sync.product_shopify_shipping").id,
                "company": shop.company_id.id,
            }

        refs = self.orm.run(prepare)
        missing = variant_ids - set(refs["products"])
        if missing:
            raise RuntimeError(f"reference run: {len(missing)} variants have no Odoo product (catalogue not synced)")
        started = time.monotonic()
        for order in orders:
            self.orm.run(lambda env, order=order: self._order(env, refs, order))
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

    def _partners(self, env, refs, order):
        """The customer, its invoice contact and its delivery contact: (customer, delivery)."""
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
        return partner, delivery

    @staticmethod
    def _lines(refs, order):
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
        return lines

    def _order(self, env, refs, order):
        partner, delivery = self._partners(env, refs, order)
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
                    "order_line": [(0, 0, vals) for vals in self._lines(refs, order)],
                }
            )
        )
        sale.action_confirm()
        return sale.id
