"""Shopify customers -> res.partner, with invoice and delivery child contacts."""

from ..mapping import customer as cmap
from ..mapping.common import parse_datetime
from ..services.errors import DataConflictError
from ..services.gid import to_gid
from ..services.queries import CUSTOMER_QUERY
from .base import ResourceHandler, SyncResult, stale


class CustomerHandler(ResourceHandler):
    resource_type = "customer"

    def _run(self, resource_id):
        node = self.client.fetch_node(CUSTOMER_QUERY, to_gid("customer", resource_id), "customer")
        return self.import_node(node)

    def import_node(self, node):
        partners = self.env["res.partner"]
        shopify_id = node["legacyResourceId"]
        self._lock_related("customer", shopify_id)
        updated_at = parse_datetime(node.get("updatedAt"))
        vals = self._country_state(cmap.customer_vals(node))
        label = vals["name"]
        partner = partners._shopify_find(self.shop, shopify_id)
        if partner and partner.x_shopify_updated_at and updated_at and updated_at <= partner.x_shopify_updated_at:
            return stale(partner, label, updated_at)
        outcome = "updated"
        if not partner:
            partner = self._match_by_email(vals.get("email"))
            outcome = "linked" if partner else "created"
        identity = partners._shopify_link_vals(self.shop, shopify_id, updated_at)
        skipped = []
        if partner:
            partner.write(identity)
            skipped = self._write_unprotected(partner, vals)
        else:
            partner = partners.create(dict(vals, company_id=self.shop.company_id.id, **identity))
        if node.get("defaultAddress"):
            self.address_contact(partner, node["defaultAddress"], "invoice")
        note = f"Protected fields kept: {', '.join(skipped)}" if skipped else None
        return SyncResult(outcome, partner, label, updated_at, note)

    def _match_by_email(self, email):
        if not (self.shop.match_partner_by_email and email):
            return self.env["res.partner"]
        candidates = self.env["res.partner"].search(
            [
                ("email", "=ilike", email),
                ("x_shopify_id", "=", False),
                ("parent_id", "=", False),
                ("company_id", "in", [False, self.shop.company_id.id]),
            ]
        )
        if len(candidates) > 1:
            raise DataConflictError(
                f"{len(candidates)} Odoo contacts have the email {email}: the customer cannot be "
                "linked without a person choosing one.",
                missing=f"a single contact with email {email}",
                retry_advice="Retry is safe after merging the duplicates or setting the Shopify link on one.",
                fix_model="res.partner",
            )
        return candidates

    def guest_partner(self, order_node):
        """Partner of a checkout without customer account, reused by email."""
        partners = self.env["res.partner"]
        key = cmap.guest_key(order_node.get("email"), order_node.get("legacyResourceId"))
        partner = partners._shopify_find(self.shop, key)
        address = order_node.get("billingAddress") or order_node.get("shippingAddress") or {}
        vals = self._country_state(cmap.address_vals(address))
        vals.pop("company", None)
        vals["email"] = order_node.get("email") or False
        vals["name"] = vals.get("name") or vals["email"] or f"Guest {order_node.get('name')}"
        if partner:
            self._write_unprotected(partner, vals)
            return partner
        return partners.create(
            dict(vals, company_id=self.shop.company_id.id, **partners._shopify_link_vals(self.shop, key))
        )

    def address_contact(self, partner, address, kind):
        """The child contact of ``kind`` for ``address``, created when new."""
        vals = self._country_state(cmap.address_vals(address))
        vals.pop("company", None)
        vals["name"] = vals.get("name") or partner.name
        for child in partner.child_ids.filtered(lambda c: c.type == kind):
            if kind == "invoice":
                self._write_unprotected(child, vals)
                return child
            if cmap.same_address({k: child[k] for k in ("name", "street", "street2", "city", "zip")}, vals):
                return child
        return self.env["res.partner"].create(dict(vals, parent_id=partner.id, type=kind))
