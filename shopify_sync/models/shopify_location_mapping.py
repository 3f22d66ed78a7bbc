from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.actions import notify
from ..services.errors import SyncError


class ShopifyLocationMapping(models.Model):
    """Odoo stock location -> Shopify location, for inventory pushes."""

    _name = "shopify.location.mapping"
    _description = "Shopify Location Mapping"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    location_id = fields.Many2one(
        "stock.location",
        string="Odoo Location",
        required=True,
        domain="[('usage', '=', 'internal')]",
        help="Available quantity of this location and its children is pushed to Shopify.",
    )
    shopify_location_ref_id = fields.Many2one(
        "shopify.location",
        string="Shopify Location",
        domain="[('shop_id', '=', shop_id)]",
        ondelete="restrict",
        help="Picked from the store's locations (Fetch locations on the shop).",
    )
    shopify_location_id = fields.Char(
        string="Shopify Location ID",
        compute="_compute_from_location",
        store=True,
        readonly=False,
        help="Numeric id.",
    )
    name = fields.Char(string="Shopify Location Name", compute="_compute_from_location", store=True, readonly=False)
    pos_team_id = fields.Many2one(
        "crm.team",
        string="POS Sales Team",
        help="The sales team of point-of-sale orders taken at this Shopify location; empty: the shop's.",
    )

    _shop_location_uniq = models.UniqueIndex(
        "(shop_id, shopify_location_id)", "This Shopify location is already mapped for the shop."
    )

    @api.model_create_multi
    def create(self, vals_list):
        mappings = super().create(vals_list)
        mappings._link_known_locations()
        # A new location is agreed before its first push (models/shopify_stock_agreement.py).
        mappings.shop_id._request_stock_comparison()
        return mappings

    def write(self, vals):
        before = {mapping.id: (mapping.location_id, mapping.shopify_location_id) for mapping in self}
        result = super().write(vals)
        if {"location_id", "shopify_location_id", "shopify_location_ref_id"} & set(vals):
            # Only a mapping that now pairs other locations is agreed again (linking the
            # Shopify location it already pushed to changes nothing).
            changed = self.filtered(lambda m: before[m.id] != (m.location_id, m.shopify_location_id))
            for mapping in changed:
                mapping.shop_id._forget_stock_agreements(mapping)
            if changed:
                changed.shop_id._request_stock_comparison()
        return result

    def _link_known_locations(self):
        """Mappings with a Shopify location id typed by hand show the fetched location of that id."""
        unlinked = self.filtered(lambda m: not m.shopify_location_ref_id and m.shopify_location_id)
        if not unlinked:
            return
        locations = (
            self.env["shopify.location"]
            .with_context(active_test=False)
            .search(
                [("shop_id", "in", unlinked.shop_id.ids), ("shopify_id", "in", unlinked.mapped("shopify_location_id"))]
            )
        )
        by_key = {(loc.shop_id.id, loc.shopify_id): loc for loc in locations}
        for mapping in unlinked:
            location = by_key.get((mapping.shop_id.id, mapping.shopify_location_id))
            if location:
                mapping.shopify_location_ref_id = location

    def action_compare_stock(self):
        """Compare this location alone: its own agreement, decided apart from the shop's other locations."""
        self.ensure_one()
        try:
            agreement = self.env["shopify.stock.agreement"]._compare(self.shop_id, self)
        except SyncError as exc:
            raise UserError(self.env._("Shopify's quantities could not be read: %s", exc)) from exc
        if not agreement:
            return notify(self.env._("Every bound variant is agreed at %s.", self.display_name), "info")
        return agreement._open()

    @api.depends("shopify_location_ref_id")
    def _compute_from_location(self):
        for mapping in self:
            location = mapping.shopify_location_ref_id
            if location:
                mapping.shopify_location_id = location.shopify_id
                mapping.name = location.name
            else:  # typed by hand in an earlier version: kept
                mapping.shopify_location_id = mapping.shopify_location_id
                mapping.name = mapping.name

    @api.constrains("shopify_location_id")
    def _check_numeric(self):
        for mapping in self:
            if not (mapping.shopify_location_id or "").isdigit():
                raise ValidationError(self.env._("Shopify location id must be numeric, e.g. 655441491."))
