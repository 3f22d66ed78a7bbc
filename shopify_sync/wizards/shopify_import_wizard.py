from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# Orders of the last this many days are read unless the person chooses another window.
DEFAULT_ORDER_DAYS = 60


def _default_orders_since(wizard):
    return fields.Date.context_today(wizard) - timedelta(days=DEFAULT_ORDER_DAYS)


class ShopifyImportWizard(models.TransientModel):
    """Import from Shopify: what to bring into Odoo on a shop's first day."""

    _name = "shopify.import.wizard"
    _description = "Import from Shopify"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade")
    import_products = fields.Boolean(string="Products with variants", default=True)
    import_customers = fields.Boolean(string="Customers", default=True)
    import_orders = fields.Boolean(string="Orders", default=True)
    orders_since = fields.Date(
        default=_default_orders_since,
        help="Only orders created since this day (60 days back unless changed); empty: every order of the store.",
    )
    summary = fields.Text(string="What will be read", compute="_compute_summary")

    @api.depends("shop_id", "import_products", "import_customers", "import_orders", "orders_since")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = "\n".join(wizard._summary_lines()) or False

    def _summary_lines(self):
        """What the import reads from the store, one line per kind, in words."""
        lines = []
        if self.import_products:
            lines.append(self.env._("Products with their variants: the whole catalogue."))
        if self.import_customers:
            lines.append(self.env._("Customers: all of them."))
        if self.import_orders and self.orders_since:
            days = (fields.Date.context_today(self) - self.orders_since).days
            lines.append(
                self.env._(
                    "Orders created since %(day)s (%(days)s days).",
                    day=fields.Date.to_string(self.orders_since),
                    days=days,
                )
            )
        elif self.import_orders:
            lines.append(self.env._("Orders: every order the store ever had."))
        return lines

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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Import from Shopify started"),
                "message": " ".join(self._summary_lines())
                + " "
                + self.env._("The shop's Import section shows what happened to each kind as it goes."),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
