"""Shopify orders -> sale.order: create, update, skip, link or cancel, never twice."""

import json

from odoo import Command, fields

from .. import const
from ..mapping import history as hmap
from ..mapping import order as omap
from ..mapping.common import booked_currency, money_side, parse_datetime
from ..services.errors import ConfigurationError, DataConflictError, ProtectedFieldError, ResourceGoneError
from ..services.gid import to_gid
from ..services.labels import order_node_summary
from ..services.queries import COMPANY_QUERY, ORDER_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult, stale
from .company import CompanyHandler
from .customer import CustomerHandler
from .order_edits import OrderEdit
from .order_lines import OrderLineBuilder
from .order_links import queue_order_link
from .order_pos import PointOfSale
from .order_risk import apply_risk, risk_changed
from .undelivered import UndeliveredRest


class OrderHandler(ResourceHandler):
    resource_type = const.ORDER
    type_label = "Order"
    channel = const.CHANNEL_ORDER
    rollout_object = "orders"
    topics = {
        **{
            topic: Topic("id", ("id", "updated_at"))
            for topic in ("orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled")
        },
        # A new risk assessment: the order is read again (its risk may hold it, importers/order_risk.py)
        "orders/risk_assessment_changed": Topic("order_id", ("order_id", "risk_level")),
    }
    # The same job as the order's: a deletion received before the creation finds the order gone.
    topics["orders/delete"] = Topic("id", ("id",))
    # An edit runs the order's job too (importers/order_edits.py): its body names the order in order_edit.
    topics["orders/edited"] = Topic("order_edit.order_id", ("order_edit",))
    reconciliation_root = "orders"
    binding_models = ("shopify.order.binding",)
    gid_type = "Order"
    admin_path = "orders"
    door_label_key = "name"

    def _run(self, resource_id):
        try:
            node = self.client.fetch_node(ORDER_QUERY, to_gid("order", resource_id), "order")
        except ResourceGoneError:
            if not self._received("orders/delete", resource_id):
                raise
            return self._deleted(resource_id)
        return self.import_node(node)

    def _deleted(self, shopify_id):
        """Shopify deleted the order: the Odoo order stays (it may be delivered or invoiced); one activity says so."""
        binding = self._bindings._find(self.shop, shopify_id)
        order = binding.odoo_id.with_env(self.env)
        if not order:
            return SyncResult(
                "skipped",
                None,
                self.env._("Order %s", shopify_id),
                note=self.env._("Deleted in Shopify before reaching Odoo."),
            )
        label = binding.shopify_name or order.client_order_ref or order.name
        if binding.shopify_deleted_at:
            return SyncResult("skipped", order, label, note=self.env._("Deletion already noted."))
        binding.write({"shopify_deleted_at": fields.Datetime.now()})
        self._schedule_activity(
            order,
            self.env._("Shopify order %s deleted", label),
            self.env._(
                "Shopify deleted order %(label)s. Odoo order %(order)s is kept as it is: cancel it, "
                "or keep it if it was delivered or invoiced.",
                label=label,
                order=order.name,
            ),
        )
        return SyncResult(
            "handled", order, label, note=self.env._("Deleted in Shopify: Odoo order kept, activity raised.")
        )

    def import_node(self, node):
        """Create, update, link or cancel the Odoo order of a fetched Shopify order node."""
        shopify_id = node["legacyResourceId"]
        updated_at = parse_datetime(node.get("updatedAt"))
        label = node.get("name")
        self.label, self.summary = order_node_summary(node)
        binding = self._bindings._find(self.shop, shopify_id)
        order = binding.odoo_id.with_env(self.env)
        if binding:
            not_newer = binding.shopify_updated_at and updated_at and updated_at <= binding.shopify_updated_at
            if not_newer and not risk_changed(order, node):
                return stale(order, label, updated_at)
        else:
            order = self._order_from_metafield(node)
        linked = bool(order) and not binding
        standing = hmap.standing(node, *self.shop._history_rules())
        if node.get("cancelledAt") and (order or not self.shop.import_started_at):
            return self._cancel(node, order, binding, label, updated_at)
        pos = PointOfSale(self, node)
        payment_term = self._payment_term(node)
        customers = CustomerHandler(self.env, self.shop)
        partner = (
            customers.import_node(node["customer"]).record if node.get("customer") else (customers.guest_partner(node))
        )
        shipping = node.get("shippingAddress")
        delivery = customers.address_contact(partner, shipping, "delivery") if shipping else partner
        invoice = partner
        location = self._company_location(node)
        fiscal_position = self._tax_exempt_fiscal_position(node, location)
        if location:  # B2B: the company location's invoice and delivery addresses
            invoice, delivery = location.odoo_id, location.delivery_partner_id or location.odoo_id
        # One set of amounts per order: the one of the currency it is (or will be) booked in.
        booked = order.currency_id.name if order else booked_currency(node, self.shop.order_currency == "presentment")
        builder = OrderLineBuilder(self, node, money_side(node, booked))
        line_vals = builder.lines()
        self.edit_note = ""
        binding_vals = {
            "shopify_name": label,
            "financial_status": node.get("displayFinancialStatus"),
            "shopify_updated_at": updated_at,
        }
        if not order:
            extra_vals = pos.order_values()
            if fiscal_position:
                extra_vals["fiscal_position_id"] = fiscal_position.id
            order = self._create(node, partner, delivery, line_vals, booked, payment_term, invoice, extra_vals)
            self._shipped_before(order, node, standing)
            self._bindings._bind(self.shop, shopify_id, order, import_standing=standing, **binding_vals)
            builder.check_total(order)
            outcome, warning = "created", None
            if standing != hmap.OPEN:
                return self._record_past(node, order, standing, label, updated_at)
        else:
            self._bindings._bind(self.shop, shopify_id, order, **binding_vals)
            order.write({"client_order_ref": omap.customer_reference(node)})
            if payment_term and order.state == "draft":
                order.payment_term_id = payment_term
            warning = self._update_lines(order, line_vals, builder)
            outcome = "linked" if linked else "updated"
        if not apply_risk(self.shop, order, node):
            self._apply_confirm_policy(order, node)
        order._shopify_hand_over()
        self._enqueue_payments(shopify_id)
        if outcome in ("created", "linked"):
            self._enqueue_refunds(node)
        if outcome == "created":
            # Last: the flush job's enqueue lock is then held only until this job commits.
            queue_order_link(self.env, self.shop, order, shopify_id)
        note = "; ".join(
            filter(None, [self.edit_note and self.env._("Shopify edit: %s", self.edit_note), warning and str(warning)])
        )
        return SyncResult(outcome, order, label, updated_at, note or None, warning)

    # -- create / update -----------------------------------------------------
    @property
    def _bindings(self):
        return self.env["shopify.order.binding"]

    def _create(self, node, partner, delivery, line_vals, currency_code, payment_term, invoice, extra_vals=None):
        vals = dict(
            extra_vals or {},
            client_order_ref=omap.customer_reference(node),
            partner_id=partner.id,
            partner_invoice_id=invoice.id,
            partner_shipping_id=delivery.id,
            company_id=self.shop.company_id.id,
            date_order=parse_datetime(node.get("processedAt") or node.get("createdAt")),
            note=node.get("note") or False,
            order_line=[Command.create(vals) for vals in line_vals],
        )
        pricelist = self._pricelist(currency_code)
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        if payment_term:
            vals["payment_term_id"] = payment_term.id
        return self.env["sale.order"].with_company(self.shop.company_id).create(vals)

    def _update_lines(self, order, line_vals, builder):
        new_signature = omap.line_signature(
            (v["product_id"], v["product_uom_qty"], v["price_unit"], v.get("discount", 0.0)) for v in line_vals
        )
        current = order.order_line.filtered(lambda line: not line.display_type and not line.is_downpayment)
        rounding = self.shop._rounding_product()  # the Rounding line is Odoo's, not one of Shopify's lines
        # Shopify's quantity still counts the units it will not ship (refunded before shipping, see
        # importers/undelivered.py); Odoo took them off the line.
        old_signature = omap.line_signature(
            (line.product_id.id, line.product_uom_qty + line.shopify_removed_qty, line.price_unit, line.discount)
            for line in current
            if line.product_id != rounding
        )
        if new_signature == old_signature:
            return None
        if builder.node.get("edited") and order.state != "draft":
            # an order edit: the lines and the delivery follow, posted documents stay (importers/order_edits.py)
            self.edit_note, warning = OrderEdit(self, order).apply(line_vals)
            return warning
        if order.state != "draft" and self.shop._is_protected("sale.order", "order_line"):
            return ProtectedFieldError(
                self.env._(
                    "Shopify changed the lines of %(order)s (%(ref)s) after it was confirmed in Odoo: "
                    "the Odoo lines were kept.",
                    order=order.name,
                    ref=order.client_order_ref,
                ),
                missing=self.env._("a decision on the order lines"),
                retry_advice=self.env._(
                    "Adjust the Odoo order by hand if needed; a retry keeps the lines as they are."
                ),
                fix_model="sale.order",
            )
        removed = self._removed_units(current)
        order.order_line = [Command.clear()] + [Command.create(vals) for vals in line_vals]
        if removed:
            UndeliveredRest(self.env, order).reduce(
                [
                    (order.order_line.filtered(lambda sol, p=p: sol.product_id.id == p)[:1], q)
                    for p, q in removed.items()
                ]
            )
        elif not builder.node.get("edited"):  # Shopify's total still counts removed units (and an edit's
            builder.check_total(order)  # total is its current one): only an order without them compares
        return None

    def _removed_units(self, lines):
        """{product id: units} Odoo took off these lines because Shopify will not ship them."""
        removed = {}
        for line in lines.filtered("shopify_removed_qty"):
            removed[line.product_id.id] = removed.get(line.product_id.id, 0.0) + line.shopify_removed_qty
        return removed

    def _record_past(self, node, order, standing, label, updated_at):
        """A new order Shopify was done with before the import: recorded in its final state.

        History is confirmed without stock rules (no delivery, no reservation, no stock moved:
        Odoo's day-one stock is the count), its delivered quantities set from Shopify's
        fulfillments, and locked; a cancelled order is cancelled. Both are bound (later events
        find them) and linked back; their money follows the accounting start (order_payments).
        """
        shopify_id = node["legacyResourceId"]
        if standing == hmap.CANCELLED:
            order._action_cancel()
            note = self.env._("Cancelled in Shopify before the import: recorded as cancelled.")
            # created (the Odoo order is new), cancelled in the same run: the job and the import count it created
            result = SyncResult("created", order, label, updated_at, note)
        else:
            placed = order.date_order
            order.with_context(skip_procurement=True).action_confirm()
            self._deliver_services(order)
            order.write({"date_order": placed, "locked": True})
            if not hmap.settled_before(node, self.shop.accounting_start_date):
                self._enqueue_payments(shopify_id)
            note = self.env._("Done with in Shopify before the import: recorded as history, without a delivery.")
            result = SyncResult("created", order, label, updated_at, note)
        queue_order_link(self.env, self.shop, order, shopify_id)
        return result

    def _shipped_before(self, order, node, standing):
        """What Shopify shipped of a new order before the import (``shopify_shipped_before`` of its
        product lines, the first lines made, in the order of ``delivered_quantities``): delivered
        without a stock move; the stock rules procure only the rest."""
        started_at, _cutoff = self.shop._history_rules()
        if standing == hmap.HISTORY:
            shipped = hmap.delivered_quantities(node)
        else:
            shipped = hmap.shipped_before(node, started_at)
        if not any(shipped):
            return
        lines = order.order_line.filtered(lambda line: not line.display_type).sorted("id")
        for line, quantity in zip(lines, shipped, strict=False):
            if quantity:
                line.shopify_shipped_before = quantity  # written, not created: qty_delivered follows

    def _deliver_services(self, order):
        """A historical order's services (its shipping) delivered with it, if anything was shipped."""
        shipped = any(order.order_line.mapped("shopify_shipped_before"))
        for line in order.order_line.filtered(lambda line: line.qty_delivered_method == "manual"):
            if shipped and not line.display_type:
                line.qty_delivered = line.product_uom_qty

    def _apply_confirm_policy(self, order, node):
        if order.state != "draft":
            return
        policy = self.shop.confirm_policy
        if policy == "on_create" or (policy == "on_paid" and omap.payment_due(node)):
            order.action_confirm()

    def _enqueue_payments(self, shopify_id):
        """The order's invoice and payments follow in a job of their own (importers/order_payments.py)."""
        if self.shop.invoice_policy != "never":
            self.env["shopify.sync.job"].sudo()._enqueue_resource(self.shop.id, "order_payments", shopify_id)

    def _enqueue_refunds(self, node):
        """The refunds Shopify made before Odoo met the order: their jobs run again now (one credit note each)."""
        jobs = self.env["shopify.sync.job"].sudo()
        for refund in node.get("refunds") or []:
            if not self.env["shopify.refund.binding"]._record(self.shop, refund["legacyResourceId"]):
                jobs._enqueue_resource(self.shop.id, const.REFUND, refund["legacyResourceId"])

    def _cancel(self, node, order, binding, label, updated_at):
        if not order:
            return SyncResult("skipped", None, label, updated_at, "Cancelled in Shopify before reaching Odoo.")
        if order.state == "cancel":
            return SyncResult("skipped", order, label, updated_at, "Already cancelled.")
        delivered = order.picking_ids.filtered(lambda p: p.state == "done")
        invoiced = order.invoice_ids.filtered(lambda m: m.state == "posted")
        binding = binding or self._bindings._bind(self.shop, node["legacyResourceId"], order)
        vals = {"shopify_updated_at": updated_at, "financial_status": node.get("displayFinancialStatus")}
        if not (delivered or invoiced):
            binding.write(dict(vals, shopify_cancelled_at=parse_datetime(node.get("cancelledAt"))))
            order._action_cancel()
            return SyncResult("cancelled", order, label, updated_at, node.get("cancelReason"))
        return self._cancel_rest(node, order, binding, vals, label, updated_at)

    def _cancel_rest(self, node, order, binding, vals, label, updated_at):
        """Shopify cancelled an order Odoo delivered or invoiced in part: the undelivered rest is cancelled,
        what was delivered and booked stays (the money refunded comes as a refund: importers/refund.py)."""
        rest = UndeliveredRest(self.env, order)
        changes = rest.cancel_rest()
        first = not binding.shopify_cancelled_at
        binding.write(dict(vals, shopify_cancelled_at=parse_datetime(node.get("cancelledAt"))))
        if not (first or changes):
            return SyncResult("skipped", order, label, updated_at, self.env._("Cancellation already applied."))
        delivered = ", ".join(
            f"{line.qty_delivered:g} × {line.product_id.display_name}"
            for line in order.order_line.filtered(lambda sol: sol.qty_delivered)
        )
        message = self.env._(
            "Shopify cancelled %(label)s (reason: %(reason)s) after Odoo had delivered or invoiced part of it. "
            "Cancelled in Odoo (not to be shipped): %(cancelled)s. Kept: what was delivered (%(delivered)s) "
            "and the posted invoices; the money Shopify refunded comes as its credit note and payment.",
            label=label,
            reason=node.get("cancelReason") or self.env._("none given"),
            cancelled=rest.describe(changes) or self.env._("nothing left open"),
            delivered=delivered or self.env._("nothing"),
        )
        order.message_post(body=message)
        return SyncResult("updated", order, label, updated_at, message)

    # -- metafield link (written by importers/order_links.py) ----------------
    def _database_uuid(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.uuid")

    def _order_from_metafield(self, node):
        raw = (node.get("metafield") or {}).get("value")
        if not raw:
            return self.env["sale.order"]
        try:
            value = json.loads(raw)
            order_id = int(value["id"])
        except (ValueError, KeyError, TypeError):
            return self.env["sale.order"]
        if value.get("database") != self._database_uuid():
            return self.env["sale.order"]
        order = self.env["sale.order"].browse(order_id).exists()
        other = order.sudo().shopify_binding_ids
        if other and (other.shop_id, other.shopify_id) != (self.shop, node["legacyResourceId"]):
            raise DataConflictError(
                self.env._(
                    "Shopify order %(name)s points to Odoo order %(order)s, which belongs to another "
                    "Shopify order (%(shop)s: %(other)s).",
                    name=node.get("name"),
                    order=order.name,
                    shop=other.shop_id.name,
                    other=other.shopify_id,
                ),
                missing=self.env._("a consistent odoo.sale_order metafield"),
                fix_model="sale.order",
            )
        if order and order.company_id != self.shop.company_id:
            return self.env["sale.order"]
        return order

    def _company_location(self, node):
        """The location binding of a B2B order's company location; the company is synced first if new."""
        placed_for = omap.purchasing_company(node)
        if not placed_for:
            return None
        company_id, location_id = placed_for
        locations = self.env["shopify.company.location.binding"]
        location = locations._find(self.shop, location_id)
        if not location:
            companies = CompanyHandler(self.env, self.shop, self.sync_job)
            companies._client = self.client
            companies.import_node(self.client.fetch_node(COMPANY_QUERY, to_gid("company", company_id), "company"))
            location = locations._find(self.shop, location_id)
        if not location:
            raise DataConflictError(
                self.env._(
                    "Order %(order)s was placed for location %(location)s of Shopify company %(company)s, "
                    "which the company does not list.",
                    order=node.get("name"),
                    location=location_id,
                    company=company_id,
                ),
                missing=self.env._("company location %s", location_id),
                fix_model="res.partner",
            )
        return location

    def _tax_exempt_fiscal_position(self, node, location):
        """The shop's fiscal position for a tax-exempt company location's order; a configuration failure when unset.

        Shopify charges such an order no tax (it has no tax lines); the fiscal position keeps what Odoo
        adds or invoices on it without tax too.
        """
        if not location or not omap.location_tax_exempt(node):
            return self.env["account.fiscal.position"]
        fiscal_position = self.shop.tax_exempt_fiscal_position_id
        if not fiscal_position:
            raise ConfigurationError(
                self.env._(
                    "Order %(order)s was placed for company location %(location)s, which Shopify exempts from "
                    "tax, but %(shop)s has no fiscal position for tax-exempt locations.",
                    order=node.get("name"),
                    location=location.odoo_id.display_name,
                    shop=self.shop.name,
                ),
                missing=self.env._("a fiscal position for tax-exempt company locations"),
                retry_advice=self.env._(
                    "Retry is safe after setting the fiscal position for tax-exempt locations on the shop "
                    "(Taxes tab): one order is created."
                ),
                fix_model="shopify.shop",
            )
        return fiscal_position

    def _payment_term(self, node):
        """The Odoo payment terms of a B2B order's Shopify payment terms; a configuration failure when unmapped."""
        name = omap.payment_terms_name(node)
        if not name:
            return self.env["account.payment.term"]
        term = self.env["shopify.payment.term.mapping"]._find(self.shop, name)
        if not term:
            raise ConfigurationError(
                self.env._(
                    "Order %(order)s is on Shopify payment terms '%(terms)s', which have no Odoo payment terms "
                    "mapped in %(shop)s.",
                    order=node.get("name"),
                    terms=name,
                    shop=self.shop.name,
                ),
                missing=self.env._("a payment terms mapping for '%s'", name),
                retry_advice=self.env._(
                    "Retry is safe after mapping the payment terms on the shop: one order is created."
                ),
                fix_model="shopify.payment.term.mapping",
            )
        return term

    def _pricelist(self, currency_code):
        company = self.shop.company_id
        if not currency_code or currency_code == company.currency_id.name:
            return None
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency_code)])
        if not currency.active:
            raise ConfigurationError(
                self.env._(
                    "The order is in %(currency)s, a currency that is not active in Odoo.",
                    currency=currency_code,
                ),
                missing=self.env._("the active currency %s", currency_code),
                retry_advice=self.env._("Retry is safe after activating the currency: one order is created."),
                fix_model="res.currency",
            )
        pricelist = self.env["product.pricelist"].search(
            [("currency_id.name", "=", currency_code), ("company_id", "in", [False, company.id])], limit=1
        )
        if not pricelist:
            raise ConfigurationError(
                self.env._(
                    "The order is in %(currency)s but company %(company)s has no pricelist in %(currency)s.",
                    currency=currency_code,
                    company=company.name,
                ),
                missing=self.env._("a pricelist in %s", currency_code),
                retry_advice=self.env._("Retry is safe after creating the pricelist: one order is created."),
                fix_model="product.pricelist",
            )
        return pricelist
