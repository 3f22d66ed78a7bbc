"""Point-of-sale orders: the shop's POS team, and goods already handed over at the counter.

Shopify's POS hands the goods over when the order is taken: Odoo makes no delivery to wait
for. The stock leaves the mapped location of the retail location once, as a done transfer.
"""

from ..mapping import order as omap
from ..services.errors import MappingError


class PointOfSale:
    def __init__(self, handler, node):
        self.env = handler.env
        self.shop = handler.shop
        self.node = node
        self.is_pos = omap.is_pos(node)
        self.location_id = omap.retail_location_id(node)

    def _mapping(self):
        if not self.location_id:
            return self.env["shopify.location.mapping"]
        mapping = self.env["shopify.location.mapping"].search(
            [("shop_id", "=", self.shop.id), ("shopify_location_id", "=", str(self.location_id))], limit=1
        )
        if not mapping:
            name = self.env._("Shopify location %s", self.location_id)
            raise MappingError(
                self.env._(
                    "Point-of-sale order %(order)s was taken at %(location)s, which is not mapped to an Odoo "
                    "location: the stock it handed over cannot leave Odoo's stock.",
                    order=self.node.get("name"),
                    location=name,
                ),
                missing=self.env._("a location mapping for %s", name),
                retry_advice=self.env._("Retry is safe after mapping the location on the shop: one order is created."),
                fix_model="shopify.location.mapping",
                fix_hint={"shopify_location_id": self.location_id},
            )
        return mapping

    def order_values(self):
        """What a new POS sale order gets: its team (the location's, else the shop's POS team) and
        the Odoo location its goods leave."""
        if not self.is_pos:
            return {}
        mapping = self._mapping()  # read for a new order only: a later unmapping fails no update
        team = mapping.pos_team_id or self.shop.pos_team_id
        vals = {"shopify_is_pos": True, "shopify_pos_location_id": mapping.location_id.id}
        if team:
            vals["team_id"] = team.id
        return vals
