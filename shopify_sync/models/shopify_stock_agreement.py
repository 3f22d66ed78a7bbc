"""Day-one stock: Shopify's and Odoo's quantities compared, and a manager's choice applied once.

Odoo pushes the stock of a bound variant to a mapped location only once the
two sides agree on it there (``shopify.variant.binding.stock_agreed_mapping_ids``).
Turning on *Push stock to Shopify*, mapping a location or binding a new
variant queues a comparison (sync job ``stock_compare``): it reads Shopify's
quantities of every mapped location, sets them beside Odoo's, and leaves one
draft agreement per shop, with an activity for the shop's responsible. Nothing
of those pairs is pushed until a manager chooses, for the whole shop, per
location (a comparison of that location alone) or line by line:

- take Shopify's quantities as Odoo's opening count: one inventory adjustment,
  read fresh from Shopify at that moment, applied once however often the
  button is pressed (services/stock.py ``opening_delta``: Odoo's open
  deliveries keep what they take, as Shopify's open orders did);
- push Odoo's quantities: the pairs are queued for the push, approved (the
  circuit breaker does not hold what a manager chose after seeing the list);
- decide line by line, and leave some for later.
"""

import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..services import stock as rules
from ..services.actions import notify
from ..services.db import lock_for_decision
from ..services.errors import ConfigurationError, SyncError
from ..services.gid import numeric_id, to_gid
from ..services.queries import INVENTORY_LEVEL_QUERY, LOCATION_LEVELS_QUERY

_logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # about 400 points a page: within the 1,000 of one query
MAX_PAGES = 400
DECISIONS = [
    ("shopify", "Take Shopify's quantity"),
    ("odoo", "Push Odoo's quantity"),
    ("later", "Decide later"),
]
CHOICES = [
    ("shopify", "Shopify's quantities taken as Odoo's opening count"),
    ("odoo", "Odoo's quantities pushed"),
    ("lines", "Decided line by line"),
]


class ShopifyStockAgreement(models.Model):
    _name = "shopify.stock.agreement"
    _description = "Shopify stock agreement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    mapping_ids = fields.Many2many(
        "shopify.location.mapping", string="Locations", readonly=True, help="The mapped locations compared."
    )
    state = fields.Selection(
        [("draft", "To decide"), ("done", "Applied"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    compared_at = fields.Datetime(readonly=True)
    line_ids = fields.One2many("shopify.stock.agreement.line", "agreement_id", string="Lines")
    count_equal = fields.Integer(string="Equal", compute="_compute_counts", store=True)
    count_odoo_higher = fields.Integer(string="Odoo higher", compute="_compute_counts", store=True)
    count_odoo_lower = fields.Integer(string="Odoo lower", compute="_compute_counts", store=True)
    count_unknown = fields.Integer(string="Unknown in Odoo", compute="_compute_counts", store=True)
    count_left_out = fields.Integer(string="Not compared", compute="_compute_counts", store=True)
    choice = fields.Selection(CHOICES, readonly=True)
    applied_at = fields.Datetime(readonly=True)
    applied_by_id = fields.Many2one("res.users", string="Applied by", readonly=True)
    result = fields.Text(readonly=True)
    move_ids = fields.Many2many("stock.move", string="Opening count moves", readonly=True, copy=False)
    move_count = fields.Integer(compute="_compute_move_count")

    def _compute_move_count(self):
        for agreement in self:
            agreement.move_count = len(agreement.move_ids)

    def action_open_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Opening count of %s", self.shop_id.name),
            "res_model": "stock.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }

    @api.depends("shop_id.name", "mapping_ids.name", "compared_at")
    def _compute_name(self):
        for agreement in self:
            places = ", ".join(agreement.mapping_ids.mapped(lambda m: m.name or m.location_id.display_name))
            agreement.name = self.env._("Stock of %(shop)s at %(places)s", shop=agreement.shop_id.name, places=places)

    @api.depends("line_ids.status")
    def _compute_counts(self):
        for agreement in self:
            statuses = agreement.line_ids.mapped("status")
            agreement.count_equal = statuses.count("equal")
            agreement.count_odoo_higher = statuses.count("odoo_higher")
            agreement.count_odoo_lower = statuses.count("odoo_lower")
            agreement.count_unknown = statuses.count("unknown")
            agreement.count_left_out = statuses.count("left_out")

    # -- the comparison ------------------------------------------------------------
    @api.model
    def _compare(self, shop, mappings=None):
        """Compare every bound variant not agreed yet at ``mappings`` (default: all the shop's); the agreement.

        The shop's open agreement of the same locations is compared again rather
        than a second one made. None when there is nothing to agree.
        """
        mappings = mappings or shop.location_mapping_ids
        bindings = (
            self.env["shopify.variant.binding"]
            .sudo()
            .search([("shop_id", "=", shop.id), ("inventory_item_id", "!=", False)])
        )
        pairs = [(b, m) for m in mappings for b in bindings if m not in b.stock_agreed_mapping_ids]
        drafts = self.sudo().search([("shop_id", "=", shop.id), ("state", "=", "draft")])
        agreement = drafts.filtered(lambda a: a.mapping_ids == mappings)[:1]
        if not pairs:
            if agreement:
                agreement.line_ids.unlink()
                agreement.write({"state": "cancelled", "result": self.env._("Nothing left to agree.")})
                agreement._close_activity()
            return self.browse()
        with shop._graphql_client() as client:
            levels = {mapping: _location_levels(client, mapping) for mapping in {m for _b, m in pairs}}
        lines = [_line_values(binding, mapping, levels[mapping]) for binding, mapping in pairs]
        for binding, mapping in pairs:
            level = levels[mapping].get(binding.inventory_item_id)
            if level and binding.shopify_tracked != level["tracked"]:
                binding.shopify_tracked = level["tracked"]
        if agreement:
            agreement.line_ids.unlink()
            agreement.write({"mapping_ids": [Command.set(mappings.ids)], "compared_at": fields.Datetime.now()})
        else:
            agreement = self.sudo().create(
                {"shop_id": shop.id, "mapping_ids": [Command.set(mappings.ids)], "compared_at": fields.Datetime.now()}
            )
        self.env["shopify.stock.agreement.line"].sudo().create([dict(v, agreement_id=agreement.id) for v in lines])
        agreement._raise_activity()
        return agreement

    def _raise_activity(self):
        """One activity per agreement for the shop's responsible, its note kept current."""
        self.ensure_one()
        note = self.env._(
            "Compare Shopify's stock with Odoo's before the first push: %(equal)s equal, %(higher)s Odoo higher, "
            "%(lower)s Odoo lower, %(unknown)s unknown in Odoo. Nothing of them is pushed until you choose.",
            equal=self.count_equal,
            higher=self.count_odoo_higher,
            lower=self.count_odoo_lower,
            unknown=self.count_unknown,
        )
        activity = self.activity_ids.filtered(lambda a: a.activity_type_id == self._activity_type())
        if activity:
            activity.write({"note": note})
            return
        self.activity_schedule(
            "shopify_sync.mail_activity_type_stock_decision",
            summary=self.env._("Agree on the stock of %s", self.shop_id.name)[:250],
            note=note,
            user_id=(self.shop_id.user_id or self.env.ref("base.user_admin")).id,
        )

    def _activity_type(self):
        return self.env.ref("shopify_sync.mail_activity_type_stock_decision")

    def _close_activity(self):
        self.activity_ids.filtered(lambda a: a.activity_type_id == self._activity_type()).action_feedback(
            feedback=self.result or ""
        )

    # -- the manager's choice -------------------------------------------------------
    def action_take_shopify(self):
        return self._apply("shopify")

    def action_push_odoo(self):
        return self._apply("odoo")

    def action_apply_lines(self):
        return self._apply("lines")

    def action_compare_again(self):
        self.ensure_one()
        self._check_draft()
        try:
            agreement = self._compare(self.shop_id, self.mapping_ids)
        except SyncError as exc:
            raise UserError(self.env._("Shopify's quantities could not be read: %s", exc)) from exc
        return agreement._open() if agreement else True

    def action_cancel(self):
        for agreement in self:
            lock_for_decision(agreement)
            if agreement.state == "draft":
                agreement.write({"state": "cancelled", "result": self.env._("Cancelled: nothing applied.")})
                agreement._close_activity()
        return True

    def _check_draft(self):
        if self.state != "draft":
            state = dict(self._fields["state"]._description_selection(self.env))[self.state]
            raise UserError(self.env._("This stock agreement is no longer a draft (%s).", state))

    def _apply(self, choice):
        """Apply the manager's choice once: the opening count, the approved pushes, the agreed pairs."""
        self.ensure_one()
        lock_for_decision(self)
        if self.state != "draft":
            return notify(self.env._("This stock agreement was already applied: nothing was done again."), "info")
        # A pair agreed meanwhile (by another agreement of the same location) is not decided twice.
        decided = self.line_ids.filtered(
            lambda line: line.status != "left_out" and line.mapping_id not in line.binding_id.stock_agreed_mapping_ids
        )
        if choice != "lines":
            decided.write({"decision": choice})
        take = decided.filtered(lambda line: line.decision == "shopify")
        push = decided.filtered(lambda line: line.decision == "odoo")
        try:
            moves, not_stocked = take._apply_opening_count(self)
        except SyncError as exc:
            raise UserError(self.env._("Shopify's quantities could not be read: %s", exc)) from exc
        take -= not_stocked
        push._queue_pushes()
        for line in take | push:
            line.binding_id.sudo().stock_agreed_mapping_ids = [Command.link(line.mapping_id.id)]
        later = len(self.line_ids) - len(take) - len(push)
        result = self.env._(
            "%(taken)s taken from Shopify (%(moves)s adjusted), %(pushed)s pushed from Odoo, %(later)s left for later.",
            taken=len(take),
            moves=len(moves),
            pushed=len(push),
            later=later,
        )
        self.write(
            {
                "state": "done",
                "choice": choice,
                "applied_at": fields.Datetime.now(),
                "applied_by_id": self.env.user.id,
                "result": result,
                "move_ids": [Command.set(moves.ids)],
            }
        )
        self.message_post(body=result)
        self._close_activity()
        if push:
            self.shop_id._schedule_inventory_push()
        return notify(result, "success")

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }


class ShopifyStockAgreementLine(models.Model):
    _name = "shopify.stock.agreement.line"
    _description = "Shopify stock agreement line"
    _order = "agreement_id, status, product_id, id"

    agreement_id = fields.Many2one("shopify.stock.agreement", required=True, ondelete="cascade", index=True)
    state = fields.Selection(related="agreement_id.state")
    binding_id = fields.Many2one("shopify.variant.binding", required=True, ondelete="cascade", readonly=True)
    product_id = fields.Many2one(related="binding_id.odoo_id", store=True, string="Product")
    mapping_id = fields.Many2one("shopify.location.mapping", required=True, ondelete="cascade", readonly=True)
    shopify_available = fields.Integer(string="Shopify available", readonly=True)
    odoo_free = fields.Float(string="Odoo free", readonly=True, digits="Product Unit")
    odoo_counted = fields.Boolean(string="Counted in Odoo", readonly=True)
    difference = fields.Float(compute="_compute_difference", store=True, digits="Product Unit")
    status = fields.Selection(rules.COMPARISON_STATUSES, required=True, readonly=True)
    left_out_reason = fields.Char(string="Why not compared", readonly=True)
    decision = fields.Selection(DECISIONS, default="later")

    @api.depends("odoo_free", "shopify_available", "status")
    def _compute_difference(self):
        for line in self:
            line.difference = 0.0 if line.status == "left_out" else line.odoo_free - line.shopify_available

    def _queue_pushes(self):
        """Queue Odoo's quantity of each line for the push, approved by the manager's choice."""
        for line in self:
            self.env.cr.execute(
                """
                INSERT INTO shopify_inventory_pending AS p (shop_id, product_id, mapping_id, last_move_id, approved)
                VALUES (%s, %s, %s, 0, TRUE)
                ON CONFLICT (product_id, mapping_id) DO UPDATE SET approved = TRUE
                """,
                (line.mapping_id.shop_id.id, line.product_id.id, line.mapping_id.id),
            )

    def _apply_opening_count(self, agreement):
        """One inventory adjustment that makes Odoo's free quantity Shopify's available, read now.

        Returns (the adjustment's moves, the lines Shopify no longer stocks).
        Written with the ``shopify_sync`` context: the moves push nothing back.
        """
        if not self:
            return self.env["stock.move"], self
        quants, not_stocked = self.env["stock.quant"], self.browse()
        with agreement.shop_id._graphql_client() as client:
            for line in self:
                available = _current_available(client, line.binding_id.inventory_item_id, line.mapping_id)
                if available is None:
                    not_stocked |= line
                    continue
                line.shopify_available = available
                location = line.mapping_id.location_id
                product = line.product_id.with_context(location=location.id)
                delta = rules.opening_delta(available, product.qty_available, product.outgoing_qty)
                if not line.product_id.uom_id.compare(delta, 0):
                    continue
                quants |= self.env["stock.quant"]._shopify_counted(line.product_id, location, delta)
        if not quants:
            return self.env["stock.move"], not_stocked
        name = self.env._("Shopify opening count: %s", agreement.shop_id.name)
        before = self.env["stock.move"].search([("is_inventory", "=", True)], order="id desc", limit=1).id or 0
        quants.with_context(shopify_sync=True, inventory_name=name)._apply_inventory()
        moves = self.env["stock.move"].search(
            [("is_inventory", "=", True), ("id", ">", before), ("product_id", "in", quants.product_id.ids)]
        )
        return moves, not_stocked


def _location_levels(client, mapping):
    """``{inventory item id: {"tracked", "available", "on_hand"}}`` of what Shopify stocks at ``mapping``."""

    def connection_of(data):
        location = data.get("location")
        if location is None:
            raise ConfigurationError(
                mapping.env._("Shopify location %s does not exist.", mapping.shopify_location_id),
                missing=mapping.env._("an existing Shopify location in the location mapping"),
                fix_model="shopify.location.mapping",
            )
        return location.get("inventoryLevels") or {}

    levels = {}
    nodes = client.paginate(
        LOCATION_LEVELS_QUERY,
        connection_of,
        {"id": to_gid("location", mapping.shopify_location_id)},
        page_size=PAGE_SIZE,
        max_pages=MAX_PAGES,
    )
    for node in nodes:
        item = node.get("item") or {}
        quantities = rules.level_quantities(node)
        levels[numeric_id(item.get("legacyResourceId") or item.get("id"))] = {
            "tracked": bool(item.get("tracked")),
            "available": quantities.get("available", 0),
            "on_hand": quantities.get("on_hand", 0),
        }
    return levels


def _line_values(binding, mapping, levels):
    """One comparison line: Shopify's available and Odoo's free quantity, or why it is left out."""
    level = levels.get(binding.inventory_item_id)
    product = binding.odoo_id.with_context(location=mapping.location_id.id)
    env = binding.env
    values = {"binding_id": binding.id, "mapping_id": mapping.id, "odoo_free": product.free_qty}
    reason = None
    if level is None:
        reason = env._("Not stocked at this Shopify location.")
    elif not level["tracked"]:
        reason = env._("Shopify does not track it.")
    elif not product.is_storable:
        reason = env._("Odoo does not track it.")
    if reason:
        return dict(values, status="left_out", left_out_reason=reason, shopify_available=(level or {}).get("available"))
    counted = bool(
        env["stock.quant"]
        .sudo()
        .search_count([("product_id", "=", product.id), ("location_id", "child_of", mapping.location_id.id)], limit=1)
    )
    return dict(
        values,
        shopify_available=level["available"],
        odoo_counted=counted,
        status=rules.comparison_status(product.free_qty, counted, level["available"]),
    )


def _current_available(client, item_id, mapping):
    """Shopify's available quantity of one item at one mapped location now; None when not stocked there."""
    data = client.execute(
        INVENTORY_LEVEL_QUERY,
        {"id": to_gid("inventory_item", item_id), "locationId": to_gid("location", mapping.shopify_location_id)},
    )
    level = (data.get("inventoryItem") or {}).get("inventoryLevel")
    return rules.level_quantities(level).get("available") if level else None
