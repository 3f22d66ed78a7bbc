"""Stock integrity (19.0.2.1.0): keep pushing what earlier versions rightly pushed, and nothing else.

Earlier versions pushed every bound variant with an inventory item, tracked or
not. Since this version a variant's stock is pushed only when both sides track
it and its quantities were agreed at the mapped location. Bindings made before
did not record Shopify's tracking: they are taken as tracked (Shopify's default;
the next sync of the product or stock comparison reads the real value). Pairs
that were already pushed, for products Odoo tracks, are taken as agreed; the
others (products Odoo does not track, whose pushes emptied the store) are not.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE shopify_variant_binding SET shopify_tracked = TRUE
         WHERE inventory_item_id IS NOT NULL AND shopify_tracked IS NOT TRUE
        """
    )
    cr.execute(
        """
        INSERT INTO shopify_variant_binding_stock_agreed_rel (binding_id, mapping_id)
        SELECT b.id, m.id
          FROM shopify_variant_binding b
          JOIN shopify_shop s ON s.id = b.shop_id AND s.push_inventory
          JOIN shopify_location_mapping m ON m.shop_id = b.shop_id
          JOIN product_product p ON p.id = b.odoo_id
          JOIN product_template t ON t.id = p.product_tmpl_id AND t.is_storable
         WHERE b.inventory_item_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
