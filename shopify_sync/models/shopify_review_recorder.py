"""Dry runs for review: what a handler would create, change and delete, seen while it runs.

While a review's dry run is in progress, its environment carries a token in
the context (``shopify_review_token``); ``create``, ``write`` and ``unlink``
of the models a reviewer decides on (``DIFF_MODELS``, which inherit
``shopify.review.recorded``) note what they do into that token's recorder. The dry run
runs inside a savepoint that is rolled back afterwards, so nothing stays but
the recorded diff. Values are read just before the rollback (the "after" of
every record) and, for writes, just before the first write of a field (the
"before"). Outside a dry run the overrides cost one context lookup; other models are not hooked.
"""

import itertools
import threading

from odoo import api, fields, models

from ..services import review

# The models whose changes a reviewer decides on; bookkeeping (bindings,
# chatter, stock moves of a confirmation, journal items) is left out.
DIFF_MODELS = (
    "res.partner",
    "sale.order",
    "sale.order.line",
    "product.template",
    "product.product",
    "stock.picking",
    "account.move",
)
# Values a created record takes from a sequence (not rolled back with the
# savepoint, so each dry run gets the next number): shown as such, never compared.
NUMBERED_FIELDS = {"sale.order": ("name",), "stock.picking": ("name", "origin"), "account.move": ("name",)}
NUMBERED = "(numbered when applied)"
SKIPPED_FIELDS = {"write_date", "write_uid", "create_date", "create_uid", "company_id", "message_follower_ids"}
SKIPPED_TYPES = {"one2many", "binary", "properties", "json"}

_RECORDERS = {}
_TOKENS = itertools.count(1)
_LOCK = threading.Lock()


class DiffRecorder:
    """The changes of one dry run, in the order they were made."""

    def __init__(self):
        with _LOCK:
            self.token = f"{threading.get_ident()}-{next(_TOKENS)}"
        self.created = {}  # (model, id) -> (key, field names)
        self.written = {}  # (model, id) -> {field name: value before}
        self.deleted = []  # (key, meta)
        self.started = fields.Datetime.now()

    def __enter__(self):
        _RECORDERS[self.token] = self
        return self

    def __exit__(self, *exc):
        _RECORDERS.pop(self.token, None)

    # -- noted while the handler runs ---------------------------------------
    def note_create(self, records, vals_list):
        for record, vals in zip(records, vals_list, strict=False):
            key = f"{record._name}:new:{len(self.created) + 1}"
            self.created[(record._name, record.id)] = (key, [name for name in vals if _diffable(record, name)])

    def note_write(self, records, vals):
        names = [name for name in vals if _diffable(records, name)]
        for record in records:
            if (record._name, record.id) in self.created:
                continue
            before = self.written.setdefault((record._name, record.id), {})
            for name in names:
                if name not in before:
                    before[name] = self.readable(record, name)

    def note_unlink(self, records):
        for record in records:
            if (record._name, record.id) in self.created:
                del self.created[(record._name, record.id)]
                continue
            self.written.pop((record._name, record.id), None)
            self.deleted.append((f"{record._name}:{record.id}", _meta(record, self.label(record))))

    # -- read before the rollback -----------------------------------------
    def finish(self, env):
        """The diff entries (see services/review.py), read from the records' final state."""
        entries = []
        for (model, record_id), (key, names) in self.created.items():
            record = env[model].browse(record_id).exists()
            if record:
                numbered = NUMBERED_FIELDS.get(model, ())
                values = [
                    _change(record, name, NUMBERED if name in numbered else self.readable(record, name))
                    for name in names
                ]
                review.add_create(entries, key, _meta(record, self.label(record)), values)
        for (model, record_id), before in self.written.items():
            record = env[model].browse(record_id).exists()
            if record:
                changes = [
                    dict(_change(record, name, self.readable(record, name)), old=old) for name, old in before.items()
                ]
                review.add_write(entries, f"{model}:{record_id}", _meta(record, record.display_name), changes)
        for key, meta in self.deleted:
            entries.append(dict(meta, op="delete", key=key, fields=[]))
        return entries

    def label(self, record):
        if (record._name, record.id) in self.created:
            return f"(new {record._description})"
        return record.display_name

    def readable(self, record, name):
        field = record._fields[name]
        value = record[name]
        if field.type == "many2one":
            return self.label(value) if value else None
        if field.type == "many2many":
            return sorted(self.label(item) for item in value)
        if field.type == "selection":
            return dict(field._description_selection(record.env)).get(value, value) if value else None
        if field.type == "datetime" and value and value >= self.started:
            return "(now)"  # a time stamp the run itself set: the same change whenever it runs
        if field.type in ("date", "datetime", "html"):
            return str(value) if value else None
        if field.type in ("float", "monetary"):
            return round(value or 0.0, 6)
        return value if value is not False else None


def _diffable(records, name):
    field = records._fields.get(name)
    return bool(field and field.store and name not in SKIPPED_FIELDS and field.type not in SKIPPED_TYPES)


def _meta(record, label):
    return {"model": record._name, "model_label": record._description, "record": label}


def _change(record, name, new):
    return {"name": name, "label": record._fields[name].string, "new": new}


def recorder_of(env, model):
    """The recorder of the dry run ``env`` belongs to, if it watches ``model``."""
    token = env.context.get("shopify_review_token")
    if not token or model not in DIFF_MODELS:
        return None
    return _RECORDERS.get(token)


class DryRunClient:
    """A Shopify client for dry runs: reads go to Shopify, writes are only noted.

    ``stop`` ends the dry run at the first write (a push to Shopify has
    nothing to show after it); otherwise the write answers empty.
    """

    def __init__(self, client, stop=False):
        self._client = client
        self._stop = stop
        self.mutations = []

    def __getattr__(self, name):
        return getattr(self._client, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._client.close()

    def mutate(self, query, variables, root_field):
        self.mutations.append({"root_field": root_field, "variables": variables})
        if self._stop:
            raise DryRunStop(root_field)
        return {}


class DryRunStop(Exception):  # noqa: N818 - not an error: the end of a push's dry run
    """A push's dry run reached the write it would send to Shopify."""


class ShopifyReviewRecorded(models.AbstractModel):
    """Notes create, write and unlink into the recorder of a dry run (``DIFF_MODELS`` inherit it)."""

    _name = "shopify.review.recorded"
    _description = "Changes recorded by a review dry run"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        recorder = recorder_of(self.env, self._name)
        if recorder is not None:
            recorder.note_create(records, vals_list)
        return records

    def write(self, vals):
        recorder = recorder_of(self.env, self._name)
        if recorder is not None:
            recorder.note_write(self, vals)
        return super().write(vals)

    def unlink(self):
        recorder = recorder_of(self.env, self._name)
        if recorder is not None:
            recorder.note_unlink(self)
        return super().unlink()


# One extension per model of DIFF_MODELS.
class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "shopify.review.recorded"]


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "shopify.review.recorded"]


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "shopify.review.recorded"]


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "shopify.review.recorded"]


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "shopify.review.recorded"]


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "shopify.review.recorded"]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "shopify.review.recorded"]
