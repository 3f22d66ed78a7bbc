"""A store's Shopify locations, fetched through GraphQL: location mappings pick from them."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.errors import SyncError
from ..services.queries import LOCATIONS_QUERY

PAGE_SIZE = 100
MAX_PAGES = 50


class ShopifyLocation(models.Model):
    _name = "shopify.location"
    _description = "Shopify Location"
    _order = "shop_id, name"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    shopify_id = fields.Char(string="Shopify Location ID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    active = fields.Boolean(default=True, readonly=True, help="Deactivated in Shopify when cleared.")

    _shop_location_uniq = models.UniqueIndex("(shop_id, shopify_id)", "This Shopify location is already known.")

    @api.depends("name", "shopify_id")
    def _compute_display_name(self):
        for location in self:
            location.display_name = f"{location.name} ({location.shopify_id})"

    @api.model
    def _fetch_for_shop(self, shop):
        """Read ``shop``'s locations from Shopify and keep its list current; how many Shopify holds."""
        shop.ensure_one()
        try:
            with shop._graphql_client() as client:
                nodes = list(client.paginate(LOCATIONS_QUERY, "locations", page_size=PAGE_SIZE, max_pages=MAX_PAGES))
        except SyncError as exc:
            raise UserError(self.env._("Shopify's locations could not be read: %s", exc)) from exc
        locations = self.with_context(active_test=False).sudo()
        known = {loc.shopify_id: loc for loc in locations.search([("shop_id", "=", shop.id)])}
        for node in nodes:
            vals = {"name": node.get("name") or node["legacyResourceId"], "active": bool(node.get("isActive"))}
            location = known.get(str(node["legacyResourceId"]))
            if location:
                location.write(vals)
            else:
                locations.create(dict(vals, shop_id=shop.id, shopify_id=str(node["legacyResourceId"])))
        shop.location_mapping_ids.sudo()._link_known_locations()
        return len(nodes)
