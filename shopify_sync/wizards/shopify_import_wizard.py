from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError


class ShopifyImportWizard(models.TransientModel):
    """Import from Shopify: what to bring into Odoo on a shop's first day."""

    _name = "shopify.import.wizard"
    _description = "Import from Shopify"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade")
    import_products = fields.Boolean(string="Products with variants", default=True)
    import_customers = fields.Boolean(string="Customers", default=True)
    import_orders = fields.Boolean(string="Orders", default=True)
    orders_since = fields.Date(help="Only orders created since this day; empty: every order of the store.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "shopify.shop" and not values.get("shop_id"):
            values["shop_id"] = self.env.context.get("active_id")
        return values

    def action_import(self):
        self.ensure_one()
        objects = [
            kind
            for kind, chosen in (
                ("products", self.import_products),
                ("customers", self.import_customers),
                ("orders", self.import_orders),
            )
            if chosen
        ]
        if not objects:
            raise UserError(self.env._("Choose at least one kind of record to import."))
        since = datetime.combine(self.orders_since, time.min) if self.orders_since else None
        self.shop_id.action_import(objects=objects, since=since)
        return {"type": "ir.actions.act_window_close"}
