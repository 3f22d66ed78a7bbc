"""Every read the tools make of the Shopify identity of Odoo records, and nothing else.

Today a record carries its identity in columns of its own table:
``x_shopify_shop_id`` and ``x_shopify_id`` on sale_order, res_partner and
product_product (a variant's ``x_shopify_id`` is the Shopify variant id),
``x_shopify_inventory_item_id`` on product_product, ``x_shopify_fulfillment_id``
on stock_picking.  A change of that schema changes this module only.

The functions take a cursor (psycopg2's, or an Odoo environment's ``env.cr``)
or, where the ORM is the point, an environment.  Shopify ids are strings.
"""

# Tables whose records are created from Shopify resources, and may be duplicated.
SYNCED_TABLES = ("sale_order", "res_partner", "product_product")


# -- sale orders -------------------------------------------------------------------------------------
def order_counts(cr, shop_id, shopify_ids):
    """{Shopify order id: number of sale orders} for ``shopify_ids`` (absent: none)."""
    cr.execute(
        "SELECT x_shopify_id, count(*) FROM sale_order WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s) "
        "GROUP BY x_shopify_id",
        (shop_id, list(shopify_ids)),
    )
    return dict(cr.fetchall())


def order_totals(cr, shop_id, shopify_ids):
    """(sale orders, distinct Shopify orders among them) for ``shopify_ids``."""
    cr.execute(
        "SELECT count(*), count(DISTINCT x_shopify_id) FROM sale_order WHERE x_shopify_shop_id=%s "
        "AND x_shopify_id = ANY(%s)",
        (shop_id, list(shopify_ids)),
    )
    return cr.fetchone()


def confirmed_orders(cr, shop_id, shopify_ids):
    """How many sale orders of ``shopify_ids`` are confirmed (state 'sale')."""
    cr.execute(
        "SELECT count(*) FROM sale_order WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s) AND state='sale'",
        (shop_id, list(shopify_ids)),
    )
    return cr.fetchone()[0]


def synced_order_ids(cr, shop_id):
    """The Shopify ids of the shop's sale orders."""
    cr.execute("SELECT x_shopify_id FROM sale_order WHERE x_shopify_shop_id=%s", (shop_id,))
    return {row[0] for row in cr.fetchall()}


# -- variants ------------------------------------------------------------------------------------------
def variant_count(cr, shop_id, variant_ids):
    """How many of the Shopify variants ``variant_ids`` have an Odoo product."""
    cr.execute(
        "SELECT count(*) FROM product_product WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s)",
        (shop_id, list(variant_ids)),
    )
    return cr.fetchone()[0]


def variant_products(cr, shop_id, variant_ids):
    """{Shopify variant id: product.product id} for ``variant_ids`` (archived products included)."""
    cr.execute(
        "SELECT x_shopify_id, id FROM product_product WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s)",
        (shop_id, list(variant_ids)),
    )
    return dict(cr.fetchall())


def stock_variant(env, shop_id):
    """One synced variant that has a Shopify inventory item: (product.product, inventory item id)."""
    product = env["product.product"].search(
        [("x_shopify_shop_id", "=", shop_id), ("x_shopify_inventory_item_id", "!=", False)], limit=1
    )
    return product, product.x_shopify_inventory_item_id


# -- deliveries ----------------------------------------------------------------------------------------
def pickings_of_fulfillment(env, fulfillment_id):
    """[(name, state)] of the deliveries linked to a Shopify fulfillment."""
    pickings = env["stock.picking"].search([("x_shopify_fulfillment_id", "=", str(fulfillment_id))])
    return [(p.name, p.state) for p in pickings]


# -- all of a shop's records ---------------------------------------------------------------------------
def shop_record_counts(cr, shop_id):
    """{"orders", "customers", "products"}: the shop's sale orders, partners and variants (archived too)."""
    counts = {}
    for key, table in zip(("orders", "customers", "products"), SYNCED_TABLES, strict=True):
        cr.execute(f"SELECT count(*) FROM {table} WHERE x_shopify_shop_id=%s", (shop_id,))  # noqa: S608
        counts[key] = cr.fetchone()[0]
    return counts


def surplus_records(cr, shop_id):
    """{table: surplus records}: records beyond the first of each Shopify id of the shop."""
    out = {}
    for table in SYNCED_TABLES:
        cr.execute(
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM {table} "  # noqa: S608
            "WHERE x_shopify_shop_id=%s AND x_shopify_id IS NOT NULL GROUP BY x_shopify_id) d",
            (shop_id,),
        )
        out[table] = int(cr.fetchone()[0])
    return out


def duplicated_ids(cr, shop_id):
    """How many Shopify ids of the shop have more than one record (sale orders, partners, variants together)."""
    total = 0
    for table in SYNCED_TABLES:
        cr.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE x_shopify_shop_id=%s "  # noqa: S608
            "GROUP BY x_shopify_id HAVING count(*) > 1) d",
            (shop_id,),
        )
        total += cr.fetchone()[0]
    return total


def records_created(cr, shop_id, since):
    """{table: records} of the shop, sale orders created since ``since`` without a shop included."""
    cr.execute(
        "SELECT 'sale_order', count(*) FROM sale_order WHERE x_shopify_shop_id=%(shop)s "
        "OR (x_shopify_shop_id IS NULL AND create_date >= %(since)s) "
        "UNION ALL SELECT 'res_partner', count(*) FROM res_partner WHERE x_shopify_shop_id=%(shop)s "
        "UNION ALL SELECT 'product_product', count(*) FROM product_product WHERE x_shopify_shop_id=%(shop)s",
        {"shop": shop_id, "since": since},
    )
    return dict(cr.fetchall())
