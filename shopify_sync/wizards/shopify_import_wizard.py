from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.errors import SyncError

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
    history_cutoff = fields.Date(
        string="History Cut-off",
        compute="_compute_history_rules",
        store=True,
        readonly=False,
        help="Orders placed before this day are history even if still open in Shopify: recorded in their final "
        "state, without a delivery. Orders fulfilled or closed in Shopify before the import are history anyway.",
    )
    accounting_start_date = fields.Date(
        compute="_compute_history_rules",
        store=True,
        readonly=False,
        help="No invoice, payment or credit note is booked for money that moved before this day "
        "(the former books hold it). Default: today, the day of the import.",
    )
    # what Shopify holds (the preview: counted, nothing imported)
    preview_done = fields.Boolean(readonly=True)
    preview_message = fields.Char(readonly=True)
    open_count = fields.Integer(string="Open Orders", readonly=True, help="Not fulfilled, not closed: work to do.")
    history_count = fields.Integer(
        string="Historical Orders", readonly=True, help="Fulfilled or closed (or placed before the cut-off)."
    )
    cancelled_count = fields.Integer(string="Cancelled Orders", readonly=True)
    refunded_count = fields.Integer(string="Refunded Orders", readonly=True)
    partly_refunded_count = fields.Integer(string="Partly Refunded Orders", readonly=True)
    oldest_order_at = fields.Datetime(string="First Order", readonly=True)
    newest_order_at = fields.Datetime(string="Last Order", readonly=True)
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

    @api.depends("shop_id")
    def _compute_history_rules(self):
        """The shop's rules; the accounting start defaults to today, the day of the import."""
        for wizard in self:
            wizard.history_cutoff = wizard.shop_id.history_cutoff
            wizard.accounting_start_date = wizard.shop_id.accounting_start_date or fields.Date.context_today(wizard)

    def _since(self):
        return datetime.combine(self.orders_since, time.min) if self.orders_since else None

    def _cutoff(self):
        return datetime.combine(self.history_cutoff, time.min) if self.history_cutoff else None

    def action_preview(self):
        """Count what the store holds (a few counts, no export) and show it in the wizard."""
        self.ensure_one()
        try:
            found = self.shop_id._import_preview(since=self._since(), cutoff=self._cutoff())
        except SyncError as err:
            self.write({"preview_done": False, "preview_message": str(err)})
            return self._reopen()
        self.write(
            {
                "preview_done": True,
                "preview_message": False,
                "open_count": found["open"],
                "history_count": found["history"],
                "cancelled_count": found["cancelled"],
                "refunded_count": found["refunded"],
                "partly_refunded_count": found["partlyRefunded"],
                "oldest_order_at": found["oldest"],
                "newest_order_at": found["newest"],
            }
        )
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

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
        if self.import_orders:
            self.shop_id.sudo().write(
                {"history_cutoff": self.history_cutoff, "accounting_start_date": self.accounting_start_date}
            )
        self.shop_id.action_import(objects=objects, since=self._since())
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
