"""The demo's two-way catalogue: products made in Odoo, published to both stores, a price pushed.

Three products are created in Odoo and published to the demo shop and the EU shop (the
publish wizard's call). Shopify's ``products/create`` about each is sent back to Odoo, as
Shopify would: an echo, nothing is created. Then the price is made Odoo-owned in both
stores and one product's price is changed in Odoo: the debounced push brings it to each
store. The report says what each simulator holds, and that nothing was made twice, in
Shopify (one product per handle in each store) or in Odoo (one product per name).
"""

PRODUCTS = (("Odoo-made Mug", 12.0), ("Odoo-made Tote Bag", 18.0), ("Odoo-made Cap", 21.0))
NEW_PRICE = 24.5


class DemoCatalogue:
    def __init__(self, scenario):
        self.scenario = scenario
        self.story = None

    def run(self):
        scenario = self.scenario
        scenario.step("Three products made in Odoo are published to both stores; a price changed in Odoo")
        shops = [scenario.shop_id, scenario.eu.shop_id]
        ids = scenario.orm.run(lambda env: _create_and_publish(env, shops))
        scenario.wait_for_jobs()
        bound = scenario.orm.run(lambda env: _bound(env, shops, ids))
        sims = {scenario.shop_id: scenario.sim, scenario.eu.shop_id: scenario.eu.sim}
        senders = {scenario.shop_id: scenario.sender, scenario.eu.shop_id: scenario.eu.sender}
        for shop_id, product_ids in bound.items():
            for product_id in product_ids.values():  # Shopify's products/create about each: echoes
                senders[shop_id].send("products/create", sims[shop_id].payload("products/create", int(product_id)))
        scenario.wait_for_jobs()
        scenario.orm.run(lambda env: _change_price(env, shops, ids[0]))
        scenario.wait_for_jobs()
        prices = {
            shop_id: [v.get("price") for v in sims[shop_id].resource("product", int(product_ids[ids[0]]))["variants"]]
            for shop_id, product_ids in bound.items()
            if ids[0] in product_ids
        }
        counts = {shop_id: _per_handle(sims[shop_id].mutations_named("productSet", applied=True)) for shop_id in shops}
        odoo = scenario.orm.run(lambda env: _odoo_counts(env))
        self.story = {"ids": ids, "bound": bound, "prices": prices, "counts": counts, "odoo": odoo, "shops": shops}

    def report(self):
        """(rows, ok) of the catalogue part of the report."""
        s = self.story
        if s is None:
            return [("Odoo-made products", "not run")], False
        in_both = sum(1 for tid in s["ids"] if all(tid in s["bound"].get(shop, {}) for shop in s["shops"]))
        created_twice = sum(max(len(ids) - 1, 0) for counts in s["counts"].values() for ids in counts.values())
        prices_ok = all(
            prices and all(float(p) == NEW_PRICE for p in prices) for prices in s["prices"].values()
        ) and len(s["prices"]) == len(s["shops"])
        odoo_twice = sum(max(count - 1, 0) for count in s["odoo"].values())
        rows = [
            ("Odoo-made products published to both stores", f"{in_both} / {len(s['ids'])}"),
            (
                f"{PRODUCTS[0][0]} price changed in Odoo to {NEW_PRICE:.2f}: in the simulators",
                ", ".join(f"{'/'.join(map(str, prices))}" for prices in s["prices"].values()),
            ),
            ("Odoo-made products created twice in Shopify (either store)", created_twice),
            ("Odoo-made products created twice in Odoo", odoo_twice),
        ]
        ok = in_both == len(s["ids"]) and prices_ok and created_twice == 0 and odoo_twice == 0
        return rows, ok


def _create_and_publish(env, shop_ids):
    templates = env["product.template"]
    for name, price in PRODUCTS:
        template = env["product.template"].create({"name": name, "list_price": price, "shopify_vendor": "Odoo Works"})
        template.product_variant_ids.default_code = "ODOO-" + name.split()[-1].upper()
        templates |= template
    env["shopify.shop"].browse(shop_ids)._publish_products(templates)
    return templates.ids


def _bound(env, shop_ids, template_ids):
    """{shop id: {template id: Shopify product id}}."""
    bindings = env["shopify.product.binding"].search([("shop_id", "in", shop_ids), ("odoo_id", "in", template_ids)])
    bound = {shop_id: {} for shop_id in shop_ids}
    for binding in bindings:
        bound[binding.shop_id.id][binding.odoo_id.id] = binding.shopify_id
    return bound


def _change_price(env, shop_ids, template_id):
    for shop in env["shopify.shop"].browse(shop_ids):
        shop.write({"catalogue_price_owner": "odoo", "catalogue_debounce_seconds": 2})
    env["product.template"].browse(template_id).list_price = NEW_PRICE


def _per_handle(mutations):
    """{handle: {Shopify product ids}} of the productSet calls applied (single calls and bulk lines)."""
    by_handle = {}
    for record in mutations:
        product = (record.get("result") or {}).get("product") or {}
        if product.get("handle", "").startswith("odoo-made"):
            by_handle.setdefault(product["handle"], set()).add(product.get("id"))
    return by_handle


def _odoo_counts(env):
    return {
        name: env["product.template"].with_context(active_test=False).search_count([("name", "=", name)])
        for name, _price in PRODUCTS
    }
