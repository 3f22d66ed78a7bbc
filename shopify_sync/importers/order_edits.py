"""Shopify order edits -> the lines of a confirmed Odoo order, and its delivery, follow once.

An edit (``orders/edited``, and the ``orders/updated`` that follows it: both run the order's job)
is read as a state, not as a list of changes: Shopify's lines (quantities less what edits removed,
mapping/order.py ``ordered_quantity``) are compared with the Odoo lines (ordered quantity plus the
units Odoo already took off for Shopify, ``shopify_removed_qty``), product by product. Applying the
difference again finds none: an edit is applied once however often, and in whatever order, its
webhooks arrive, and an edit read before the order exists is in the order Odoo creates.

- a product Shopify added becomes a new line; a raised quantity raises the line: Odoo's procurement
  adds the units to the open delivery (or a new one), as for a manual change;
- a lowered quantity lowers the line by at most its undelivered units (importers/undelivered.py):
  the open moves shrink or are cancelled, delivered units are never touched;
- posted invoices are never rewritten: the difference is left to the invoicing policy (what is to
  invoice) or a credit note, and a note on the order says so;
- a line a person changed by hand in Odoo (a ``shopify.manual.edit`` of its quantity) is kept and
  reported as a protected field.
"""

from odoo import Command
from odoo.tools import float_compare, float_is_zero

from ..services.errors import ProtectedFieldError
from .undelivered import UndeliveredRest


class OrderEdit:
    def __init__(self, handler, order):
        self.env = handler.env
        self.shop = handler.shop
        self.order = order
        self.precision = self.env["decimal.precision"].precision_get("Product Unit")

    def _current_lines(self):
        rounding = self.shop._rounding_product()  # Odoo's own line, not one of Shopify's
        return self.order.order_line.filtered(
            lambda line: not line.display_type and not line.is_downpayment and line.product_id != rounding
        )

    def _hand_edited(self, lines):
        """The lines whose quantity a person changed in Odoo (models/shopify_manual_edit.py)."""
        edits = (
            self.env["shopify.manual.edit"]
            .sudo()
            .search(
                [("model", "=", "sale.order.line"), ("res_id", "in", lines.ids), ("field_name", "=", "product_uom_qty")]
            )
        )
        return lines.browse(edits.mapped("res_id"))

    def apply(self, line_vals):
        """Bring the order's lines to Shopify's; return (outcome note, warning or None)."""
        wanted, first_vals = {}, {}
        for vals in line_vals:
            product_id = vals["product_id"]
            wanted[product_id] = wanted.get(product_id, 0.0) + float(vals["product_uom_qty"])
            first_vals.setdefault(product_id, vals)
        current = self._current_lines()
        held = {}
        for line in current:
            held[line.product_id.id] = (
                held.get(line.product_id.id, 0.0) + line.product_uom_qty + line.shopify_removed_qty
            )
        hand_edited = self._hand_edited(current)
        differences = []
        for product_id in list(wanted) + [p for p in held if p not in wanted]:
            difference = wanted.get(product_id, 0.0) - held.get(product_id, 0.0)
            if not float_is_zero(difference, precision_digits=self.precision):
                differences.append((product_id, difference))
        if not differences:
            return "", None
        kept, added, raised, lowered, short = [], [], [], [], []
        locked = self.order.locked
        if locked:
            self.order.action_unlock()
        for product_id, difference in differences:
            lines = current.filtered(lambda line, p=product_id: line.product_id.id == p)
            if lines & hand_edited:
                kept.append((lines[:1], difference))
            elif difference > 0 and lines:
                line = lines[-1]
                line.product_uom_qty += difference
                raised.append((line, difference))
            elif difference > 0:
                before = self.order.order_line
                self.order.order_line = [Command.create(dict(first_vals[product_id], product_uom_qty=difference))]
                added.append((self.order.order_line - before, difference))
            else:
                done, missing = self._lower(lines, -difference)
                lowered += done
                if missing:
                    short.append((lines[:1], missing))
        if locked:
            self.order.action_lock()
        note = self._note(added, raised, lowered, short)
        if note and self.order.invoice_ids.filtered(lambda move: move.state == "posted"):
            self.order.message_post(
                body=self.env._(
                    "Shopify edited %(ref)s after it was invoiced: %(changes)s. The posted invoices are kept as "
                    "they are; the difference is left to the invoicing policy (what is to invoice) or a credit note.",
                    ref=self.order.client_order_ref or self.order.name,
                    changes=note,
                )
            )
        return note, self._kept_warning(kept)

    def _lower(self, lines, units):
        """Lower ``lines`` by ``units``, never below what was delivered: [(line, lowered)], units left."""
        done = []
        goods = lines.filtered(lambda line: line.product_id.type == "consu")
        if goods:
            done = UndeliveredRest(self.env, self.order).reduce(
                [(line, units) for line in goods[:1]], count_removed=False
            )
        for line in lines - goods:  # a service: no delivery, its quantity as Shopify says
            lowered = min(units, max(line.product_uom_qty - line.qty_delivered, 0.0))
            if lowered:
                line.product_uom_qty -= lowered
                done.append((line, lowered))
            break
        left = units - sum(lowered for _line, lowered in done)
        return done, (left if float_compare(left, 0.0, precision_digits=self.precision) > 0 else 0.0)

    def _note(self, added, raised, lowered, short):
        def describe(changes, sign):
            return ", ".join(f"{sign}{units:g} × {line.product_id.display_name}" for line, units in changes)

        parts = []
        if added:
            parts.append(self.env._("added %s", describe(added, "")))
        if raised:
            parts.append(self.env._("raised %s", describe(raised, "+")))
        if lowered:
            parts.append(self.env._("lowered %s", describe(lowered, "-")))
        if short:
            parts.append(self.env._("already delivered in Odoo, left as they are: %s", describe(short, "")))
        return "; ".join(parts)

    def _kept_warning(self, kept):
        if not kept:
            return None
        return ProtectedFieldError(
            self.env._(
                "Shopify edited lines of %(order)s (%(ref)s) that were changed by hand in Odoo: the Odoo lines "
                "were kept (%(lines)s).",
                order=self.order.name,
                ref=self.order.client_order_ref,
                lines=", ".join(
                    f"{line.product_id.display_name}: Shopify {difference:+g}" for line, difference in kept
                ),
            ),
            missing=self.env._("a decision on the order lines changed by hand"),
            retry_advice=self.env._("Adjust the Odoo order by hand if needed; a retry keeps the lines as they are."),
            fix_model="sale.order",
        )
