"""Every read the tools make of the Shopify identity of Odoo records, and nothing else.

Identity lives in the addon's binding tables, one per bound model:
``shopify_order_binding`` (sale_order), ``shopify_partner_binding`` (res_partner),
``shopify_variant_binding`` (product_product, with ``inventory_item_id``),
``shopify_product_binding`` (product_template), ``shopify_fulfillment_binding``
(stock_picking), ``shopify_refund_binding`` (account_move); each has
``shop_id``, ``shopify_id`` and ``odoo_id``, unique on (shop_id, shopify_id).

A binding cannot be duplicated (its unique index), so a duplicate shows as a second,
unbound Odoo record for the same Shopify record: a sale order with the same Shopify
order name, a product with the same SKU, a contact with the same email. These
functions count those.

The functions take a cursor (psycopg2's, or an Odoo environment's ``env.cr``)
or, where the ORM is the point, an environment.  Shopify ids are strings.
"""

# The sale orders made for a bound Shopify order: the bound one, and any unbound order of
# the same company carrying the same Shopify order name.
_ORDERS_OF_BINDINGS = """
    FROM shopify_order_binding b
    JOIN sale_order bo ON bo.id = b.odoo_id
    JOIN sale_order o ON o.company_id = bo.company_id AND o.client_order_ref = bo.client_order_ref
     AND (o.id = bo.id OR NOT EXISTS (SELECT 1 FROM shopify_order_binding x WHERE x.odoo_id = o.id))
"""


# -- sale orders -------------------------------------------------------------------------------------
def order_counts(cr, shop_id, shopify_ids):
    """{Shopify order id: number of sale orders} for ``shopify_ids`` (absent: none)."""
    cr.execute(
        f"SELECT b.shopify_id, count(o.id) {_ORDERS_OF_BINDINGS} "  # noqa: S608
        "WHERE b.shop_id = %s AND b.shopify_id = ANY(%s) GROUP BY b.shopify_id",
        (shop_id, list(shopify_ids)),
    )
    return dict(cr.fetchall())


def order_totals(cr, shop_id, shopify_ids):
    """(sale orders, distinct Shopify orders among them) for ``shopify_ids``."""
    cr.execute(
        f"SELECT count(o.id), count(DISTINCT b.shopify_id) {_ORDERS_OF_BINDINGS} "  # noqa: S608
        "WHERE b.shop_id = %s AND b.shopify_id = ANY(%s)",
        (shop_id, list(shopify_ids)),
    )
    return cr.fetchone()


def confirmed_orders(cr, shop_id, shopify_ids):
    """How many sale orders of ``shopify_ids`` are confirmed (state 'sale')."""
    cr.execute(
        "SELECT count(*) FROM shopify_order_binding b JOIN sale_order o ON o.id = b.odoo_id "
        "WHERE b.shop_id = %s AND b.shopify_id = ANY(%s) AND o.state = 'sale'",
        (shop_id, list(shopify_ids)),
    )
    return cr.fetchone()[0]


def synced_order_ids(cr, shop_id):
    """The Shopify ids of the shop's sale orders."""
    cr.execute("SELECT shopify_id FROM shopify_order_binding WHERE shop_id = %s", (shop_id,))
    return {row[0] for row in cr.fetchall()}


# -- variants ------------------------------------------------------------------------------------------
def variant_count(cr, shop_id, variant_ids):
    """How many of the Shopify variants ``variant_ids`` have an Odoo product."""
    cr.execute(
        "SELECT count(*) FROM shopify_variant_binding WHERE shop_id = %s AND shopify_id = ANY(%s)",
        (shop_id, list(variant_ids)),
    )
    return cr.fetchone()[0]


def variant_products(cr, shop_id, variant_ids):
    """{Shopify variant id: product.product id} for ``variant_ids`` (archived products included)."""
    cr.execute(
        "SELECT shopify_id, odoo_id FROM shopify_variant_binding WHERE shop_id = %s AND shopify_id = ANY(%s)",
        (shop_id, list(variant_ids)),
    )
    return dict(cr.fetchall())


def stock_variant(env, shop_id):
    """One bound variant that has a Shopify inventory item: (product.product, inventory item id)."""
    binding = env["shopify.variant.binding"].search(
        [("shop_id", "=", shop_id), ("inventory_item_id", "!=", False)], limit=1
    )
    return binding.odoo_id, binding.inventory_item_id


def shared_products(cr, shop_ids):
    """How many Odoo products are bound in every one of ``shop_ids`` (one catalogue, many stores)."""
    cr.execute(
        "SELECT count(*) FROM (SELECT odoo_id FROM shopify_variant_binding WHERE shop_id = ANY(%s) "
        "GROUP BY odoo_id HAVING count(DISTINCT shop_id) = %s) s",
        (list(shop_ids), len(set(shop_ids))),
    )
    return cr.fetchone()[0]


def duplicated_skus(cr, shop_ids):
    """How many SKUs of the variants bound in ``shop_ids`` have more than one active Odoo product."""
    cr.execute(
        "SELECT count(*) FROM (SELECT p.default_code FROM product_product p WHERE p.active AND p.default_code IN "
        "(SELECT bp.default_code FROM shopify_variant_binding b JOIN product_product bp ON bp.id = b.odoo_id "
        "WHERE b.shop_id = ANY(%s)) GROUP BY p.default_code HAVING count(*) > 1) d",
        (list(shop_ids),),
    )
    return cr.fetchone()[0]


# -- deliveries ----------------------------------------------------------------------------------------
def pickings_of_fulfillment(env, fulfillment_id):
    """[(name, state)] of the deliveries bound to a Shopify fulfillment."""
    bindings = env["shopify.fulfillment.binding"].search([("shopify_id", "=", str(fulfillment_id))])
    return [(p.name, p.state) for p in bindings.odoo_id]


# -- all of a shop's records ---------------------------------------------------------------------------
_BINDINGS = {
    "orders": "shopify_order_binding",
    "customers": "shopify_partner_binding",
    "products": "shopify_variant_binding",
}


def shop_record_counts(cr, shop_id):
    """{"orders", "customers", "products"}: the shop's sale orders, contacts and variants (archived too)."""
    counts = {}
    for key, table in _BINDINGS.items():
        cr.execute(f"SELECT count(*) FROM {table} WHERE shop_id = %s", (shop_id,))  # noqa: S608
        counts[key] = cr.fetchone()[0]
    return counts


# The unbound twins of a shop's bound records: a sale order with a bound order's name, a
# product with a bound variant's SKU, a contact with a bound customer's email.
_SURPLUS = {
    "sale_order": f"SELECT count(o.id) - count(DISTINCT b.id) {_ORDERS_OF_BINDINGS} WHERE b.shop_id = %(shop)s",
    "res_partner": (
        "SELECT count(*) FROM res_partner p WHERE p.active AND p.parent_id IS NULL AND p.email IS NOT NULL "
        "AND p.create_date >= %(since)s "
        "AND lower(p.email) IN (SELECT lower(bp.email) FROM shopify_partner_binding b "
        "JOIN res_partner bp ON bp.id = b.odoo_id WHERE b.shop_id = %(shop)s AND b.shopify_id ~ '^[0-9]+$') "
        "AND NOT EXISTS (SELECT 1 FROM shopify_partner_binding x WHERE x.odoo_id = p.id)"
    ),
    "product_product": (
        "SELECT count(*) FROM product_product p WHERE p.active AND p.create_date >= %(since)s AND p.default_code IN "
        "(SELECT bp.default_code FROM shopify_variant_binding b JOIN product_product bp ON bp.id = b.odoo_id "
        "WHERE b.shop_id = %(shop)s) AND NOT EXISTS (SELECT 1 FROM shopify_variant_binding x WHERE x.odoo_id = p.id)"
    ),
}


def surplus_records(cr, shop_id, since="-infinity"):
    """{table: surplus records}: Odoo records made again for a Shopify record the shop already binds.

    ``since`` (a timestamp) leaves out contacts and products made before it: in a bench database other
    phases make unbound contacts (the plain-ORM reference) whose e-mails a later store's customers share.
    """
    out = {}
    for table, sql in _SURPLUS.items():
        cr.execute(sql, {"shop": shop_id, "since": since})
        out[table] = int(cr.fetchone()[0] or 0)
    return out


def duplicated_ids(cr, shop_id):
    """How many surplus records the shop has (sale orders, contacts, products together)."""
    return sum(surplus_records(cr, shop_id).values())


def records_created(cr, shop_id, since):
    """{table: records} bound in the shop, and sale orders created since ``since`` without a store."""
    cr.execute(
        "SELECT 'sale_order', (SELECT count(*) FROM shopify_order_binding WHERE shop_id = %(shop)s) "
        "+ (SELECT count(*) FROM sale_order o WHERE o.create_date >= %(since)s "
        "AND NOT EXISTS (SELECT 1 FROM shopify_order_binding b WHERE b.odoo_id = o.id)) "
        "UNION ALL SELECT 'res_partner', count(*) FROM shopify_partner_binding WHERE shop_id = %(shop)s "
        "UNION ALL SELECT 'product_product', count(*) FROM shopify_variant_binding WHERE shop_id = %(shop)s",
        {"shop": shop_id, "since": since},
    )
    return dict(cr.fetchall())
