"""A shop's day-one import: start it, follow it, restart it (the runs: shopify_import_run.py)."""

from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..mapping import history as hmap
from ..mapping.common import parse_datetime
from ..services import bulk
from ..services.queries import IMPORT_PREVIEW_QUERY

IMPORT_KINDS = ("products", "customers", "orders")
ACTIVE_STATES = ("draft", "running", "reading")


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    import_run_ids = fields.One2many("shopify.import.run", "shop_id", string="Import Runs", readonly=True)
    import_state = fields.Selection(
        [("none", "Never run"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        compute="_compute_import",
    )
    import_progress = fields.Float(compute="_compute_import", help="Lines read of the exports, in percent.")
    import_rows_read = fields.Integer(compute="_compute_import")
    import_created_count = fields.Integer(compute="_compute_import")
    import_linked_count = fields.Integer(compute="_compute_import")
    import_updated_count = fields.Integer(compute="_compute_import")
    import_failed_count = fields.Integer(compute="_compute_import")
    import_message = fields.Text(compute="_compute_import")
    import_latest_run_ids = fields.Many2many(
        "shopify.import.run", string="Import result", compute="_compute_import", help="The newest run of each kind."
    )

    history_cutoff = fields.Date(
        string="History Cut-off",
        help="Orders placed before this day are history: recorded in their final state, without a delivery. "
        "Orders fulfilled or closed in Shopify before the import started are history anyway.",
    )
    import_started_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the first import of orders started: orders done with before it are history.",
    )

    def _latest_import_runs(self):
        """The newest run of each kind: the import as it stands."""
        self.ensure_one()
        runs = self.env["shopify.import.run"]
        for kind in IMPORT_KINDS:
            runs |= self.env["shopify.import.run"].search(
                [("shop_id", "=", self.id), ("object_kind", "=", kind)], order="id desc", limit=1
            )
        return runs

    @api.depends("import_run_ids.state", "import_run_ids.rows_read", "import_run_ids.message")
    def _compute_import(self):
        for shop in self:
            runs = shop._latest_import_runs() if shop.id else self.env["shopify.import.run"]
            states = set(runs.mapped("state"))
            if not runs:
                state = "none"
            elif states & set(ACTIVE_STATES):
                state = "running"
            else:
                state = "failed" if "failed" in states else "done"
            shop.import_state = state
            shop.import_latest_run_ids = runs
            total = sum(runs.mapped("object_count"))
            read = sum(runs.mapped("rows_read"))
            done = all(run.state == "done" for run in runs) and bool(runs)
            shop.import_progress = 100.0 if done else bulk.progress(read, total)
            shop.import_rows_read = read
            shop.import_created_count = sum(runs.mapped("created_count"))
            shop.import_linked_count = sum(runs.mapped("linked_count"))
            shop.import_updated_count = sum(runs.mapped("updated_count"))
            shop.import_failed_count = sum(runs.mapped("failed_count"))
            shop.import_message = (
                "\n".join(f"{run.display_name}: {run.message}" for run in runs if run.message) or False
            )

    def action_import(self, objects=IMPORT_KINDS, since=None):
        """Import the store's records of ``objects`` with bulk operations; the runs started.

        ``since`` (a datetime) limits the orders to those created since then: the
        catalogue and the customers are imported whole.
        """
        self.ensure_one()
        if not self.sync_enabled:
            raise UserError(self.env._("Sync is disabled for %s.", self.name))
        unknown = set(objects) - set(IMPORT_KINDS)
        if unknown:
            raise UserError(self.env._("Cannot import %s from Shopify.", ", ".join(sorted(unknown))))
        running = self.import_run_ids.filtered(lambda r: r.state in ACTIVE_STATES and r.object_kind in objects)
        if running:
            raise UserError(self.env._("An import of %s is already running.", ", ".join(running.mapped("object_kind"))))
        return self._start_import_runs(objects, since=since)

    def _start_import_runs(self, objects, since=None):
        if "orders" in objects:
            self._mark_import_start()
        runs = self.env["shopify.import.run"]
        for kind in IMPORT_KINDS:
            if kind not in objects:
                continue
            run = runs.sudo().create(
                {"shop_id": self.id, "object_kind": kind, "since": since if kind == "orders" else False}
            )
            run._enqueue_step("start")
            runs |= run
        return runs

    def _mark_import_start(self):
        """Day one: the moment the first import of orders starts and, if not set, the accounting start."""
        values = {}
        if not self.import_started_at:
            values["import_started_at"] = fields.Datetime.now()
        if not self.accounting_start_date:
            values["accounting_start_date"] = fields.Date.context_today(self)
        if values:
            self.sudo().write(values)

    def _history_rules(self):
        """(import start, cut-off) as naive UTC datetimes for mapping.history.standing."""
        self.ensure_one()
        cutoff = self.history_cutoff and datetime.combine(self.history_cutoff, time.min)
        return self.import_started_at or None, cutoff or None

    def _import_preview(self, since=None, cutoff=None):
        """What the store holds, counted by Shopify (one cheap query, no export): orders open,
        history, cancelled, refunded (fully, partly), and the first and last order's dates."""
        self.ensure_one()
        with self._graphql_client() as client:
            data = client.execute(IMPORT_PREVIEW_QUERY, bulk.preview_searches(since, cutoff))
        counts = {key: int((data.get(key) or {}).get("count") or 0) for key in hmap.PREVIEW_COUNTS}
        found = hmap.summary(counts)
        for key in ("oldest", "newest"):
            first = ((data.get(key) or {}).get("nodes") or [{}])[0]
            found[key] = parse_datetime(first.get("processedAt"))
        return found

    def action_open_import_wizard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_import_wizard")
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_restart_import(self):
        """Start again the kinds whose latest run failed."""
        self.ensure_one()
        failed = self._latest_import_runs().filtered(lambda r: r.state == "failed")
        if not failed:
            raise UserError(self.env._("No failed import to restart."))
        return failed.action_restart()

    def action_view_import_runs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imports"),
            "res_model": "shopify.import.run",
            "view_mode": "list,form",
            "domain": [("shop_id", "=", self.id)],
        }
