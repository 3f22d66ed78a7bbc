"""Insights from manual work: what staff change by hand on synced records, and what to do about it.

A user's edit (not the sync's: it writes with the ``shopify_sync`` context
key) of a synced field on a record synced within the last 30 days is noted.
From those notes and the failures, suggestions are made with their counts:
protect a field staff keep changing back (one click), map a value staff
keep filling in, add a rule for a failure reason that repeats.
"""

from datetime import timedelta

from odoo import api, fields, models

# The fields the sync writes, per bound model (from mapping/).
SYNCED_FIELDS = {
    "res.partner": ("name", "email", "phone", "street", "street2", "city", "zip", "state_id", "country_id", "comment"),
    "product.template": ("name", "list_price", "description_sale", "type", "shopify_vendor", "categ_id"),
    "product.product": ("default_code", "barcode", "weight", "standard_price", "shopify_compare_at_price"),
    "sale.order": ("client_order_ref", "note", "partner_shipping_id", "partner_invoice_id"),
    # a line's quantity changed by hand: an order edit from Shopify keeps that line (importers/order_edits.py)
    "sale.order.line": ("product_uom_qty",),
}
RECENT_SYNC = timedelta(days=30)
SUGGEST_AFTER = 3  # edits or failures of one kind before a suggestion is made


class ShopifyManualEdit(models.Model):
    _name = "shopify.manual.edit"
    _description = "Shopify manual edit of a synced field"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    model = fields.Char(required=True, index=True)
    res_id = fields.Many2oneReference(model_field="model", required=True)
    field_name = fields.Char(required=True)
    old_value = fields.Char(string="Synced value")
    new_value = fields.Char(string="Value set by hand")
    user_id = fields.Many2one("res.users", required=True)
    synced_at = fields.Datetime(string="Last sync")

    @api.model
    def _note_user_write(self, records, vals):
        """Called by the bound models' write: note a user's edits of synced fields of recently synced records."""
        if records.env.context.get("shopify_sync") or records.env.su or not records:
            return
        names = [name for name in SYNCED_FIELDS.get(records._name, ()) if name in vals]
        if not names:
            return
        since = fields.Datetime.now() - RECENT_SYNC
        edits = []
        for record in records:
            bound = record.sudo().order_id if record._name == "sale.order.line" else record.sudo()
            for binding in bound.shopify_binding_ids.filtered(lambda b: b.write_date and b.write_date >= since):
                for name in names:
                    old, new = _text(record, name, record[name]), _text(record, name, vals[name])
                    if old != new:
                        edits.append(
                            {
                                "shop_id": binding.shop_id.id,
                                "model": record._name,
                                "res_id": record.id,
                                "field_name": name,
                                "old_value": old,
                                "new_value": new,
                                "user_id": records.env.uid,
                                "synced_at": binding.write_date,
                            }
                        )
        if edits:
            self.sudo().create(edits)


def _text(record, name, value):
    field = record._fields[name]
    if field.type == "many2one":
        value = record.env[field.comodel_name].browse(value) if isinstance(value, int) else value
        return value.display_name if value else ""
    return "" if value in (False, None) else str(value)


class ShopifySyncSuggestion(models.Model):
    _name = "shopify.sync.suggestion"
    _description = "Shopify rule suggestion from manual work"
    _order = "shop_id, count desc, id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [("protect", "Protect a field"), ("mapping", "Add a mapping"), ("rule", "Add a rule")], required=True
    )
    name = fields.Char(string="Suggestion", required=True)
    count = fields.Integer(required=True)
    spec = fields.Char(help="model.field for protections and mappings, the failure reason for rules.")
    value = fields.Char()
    applied = fields.Boolean(readonly=True)

    def action_apply(self):
        """Protect the field on the shop (the only suggestion applied in one click)."""
        for suggestion in self.filtered(lambda s: s.kind == "protect" and not s.applied):
            shop = suggestion.shop_id
            specs = shop._protected_field_specs()
            if suggestion.spec not in specs:
                shop.protected_fields = ",".join(specs + [suggestion.spec])
            suggestion.applied = True
        return True

    def action_open(self):
        """Open what the suggestion is about: the edits, or the failed jobs."""
        self.ensure_one()
        if self.kind == "rule":
            category, _sep, missing = (self.spec or "").partition(":")
            domain = [("shop_id", "=", self.shop_id.id), ("state", "=", "failed"), ("category", "=", category)]
            model = "shopify.sync.job"
            if missing:
                domain.append(("missing", "=", missing))
        else:
            model_name, _sep, field_name = (self.spec or "").rpartition(".")
            model = "shopify.manual.edit"
            domain = [("shop_id", "=", self.shop_id.id), ("model", "=", model_name), ("field_name", "=", field_name)]
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [[False, "list"], [False, "form"]],
            "domain": domain,
        }

    @api.model
    def _refresh_for_shop(self, shop):
        """Recompute the shop's suggestions from the manual edits of the last 30 days and the open failures."""
        shop.ensure_one()
        applied = set(shop.suggestion_ids.filtered("applied").mapped("spec"))
        shop.suggestion_ids.filtered(lambda s: not s.applied).unlink()
        since = fields.Datetime.now() - RECENT_SYNC
        # an order line's quantity changed by hand is already kept by each order edit: no shop-wide protection
        edits = self.env["shopify.manual.edit"]._read_group(
            [("shop_id", "=", shop.id), ("create_date", ">=", since), ("model", "!=", "sale.order.line")],
            ["model", "field_name"],
            ["__count"],
        )
        protected = shop._protected_field_specs()
        rows = []
        for model, field_name, count in edits:
            spec = f"{model}.{field_name}"
            if count >= SUGGEST_AFTER and spec not in protected and spec not in applied:
                label = self.env[model]._fields[field_name].string
                rows.append(
                    {
                        "kind": "protect",
                        "spec": spec,
                        "count": count,
                        "name": self.env._(
                            "Protect %(field)s of %(model)s: staff changed it back by hand %(count)s times.",
                            field=label,
                            model=self.env[model]._description,
                            count=count,
                        ),
                    }
                )
        filled = self.env["shopify.manual.edit"]._read_group(
            [("shop_id", "=", shop.id), ("create_date", ">=", since), ("old_value", "in", (False, ""))],
            ["model", "field_name", "new_value"],
            ["__count"],
        )
        for model, field_name, value, count in filled:
            if count >= SUGGEST_AFTER:
                rows.append(
                    {
                        "kind": "mapping",
                        "spec": f"{model}.{field_name}",
                        "value": value,
                        "count": count,
                        "name": self.env._(
                            "Map %(field)s: staff filled in '%(value)s' by hand %(count)s times.",
                            field=self.env[model]._fields[field_name].string,
                            value=value,
                            count=count,
                        ),
                    }
                )
        failures = self.env["shopify.sync.job"]._read_group(
            [("shop_id", "=", shop.id), ("state", "=", "failed"), ("category", "!=", False)],
            ["category", "missing"],
            ["__count"],
        )
        for category, missing, count in failures:
            if count >= SUGGEST_AFTER:
                rows.append(
                    {
                        "kind": "rule",
                        "spec": f"{category}:{missing or ''}",
                        "count": count,
                        "name": self.env._(
                            "Add a rule: %(count)s jobs fail for the same reason (%(category)s: missing %(missing)s).",
                            count=count,
                            category=category,
                            missing=missing or "-",
                        ),
                    }
                )
        self.create([dict(row, shop_id=shop.id) for row in rows])
