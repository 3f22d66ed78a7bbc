"""Shopify customers -> res.partner, with invoice and delivery child contacts."""

from .. import const
from ..mapping import customer as cmap
from ..mapping.common import parse_datetime
from ..services.errors import DataConflictError, ResourceGoneError
from ..services.gid import to_gid
from ..services.queries import CUSTOMER_EXISTS_QUERY, CUSTOMER_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult, stale


class CustomerHandler(ResourceHandler):
    resource_type = const.CUSTOMER
    type_label = "Customer"
    channel = const.CHANNEL_CUSTOMER
    rollout_object = "customers"
    topics = {topic: Topic("id", ("id", "updated_at")) for topic in ("customers/create", "customers/update")}
    reconciliation_root = "customers"
    binding_models = ("shopify.partner.binding",)
    gid_type = "Customer"
    admin_path = "customers"

    def _run(self, resource_id):
        try:
            node = self.client.fetch_node(CUSTOMER_QUERY, to_gid("customer", resource_id), "customer")
        except ResourceGoneError:
            # A customer merged into another one is gone: its merge job moved its binding.
            if not self._received("customers/merge", resource_id, prefix=True):
                raise
            return SyncResult(
                "skipped",
                self._bindings._record(self.shop, resource_id) or None,
                self.env._("Customer %s", resource_id),
                note=self.env._("Merged into another customer in Shopify (customers/merge)."),
            )
        return self.import_node(node)

    @property
    def _bindings(self):
        return self.env["shopify.partner.binding"]

    def import_node(self, node):
        shopify_id = node["legacyResourceId"]
        self._lock_related("customer", shopify_id)
        updated_at = parse_datetime(node.get("updatedAt"))
        vals = self._country_state(cmap.customer_vals(node))
        label = vals["name"]
        binding = self._bindings._find(self.shop, shopify_id) or self._merged_binding(shopify_id)
        partner = binding.odoo_id.with_env(self.env)
        if binding and binding.shopify_updated_at and updated_at and updated_at <= binding.shopify_updated_at:
            return stale(partner, label, updated_at)
        outcome = "updated"
        if not partner:
            partner = self._match_by_email(vals.get("email"))
            outcome = "linked" if partner else "created"
        skipped = []
        if partner:
            skipped = self._write_unprotected(partner, vals)
        else:
            partner = self.env["res.partner"].create(dict(vals, company_id=self.shop.company_id.id))
        self._bindings._bind(self.shop, shopify_id, partner, shopify_updated_at=updated_at)
        if node.get("defaultAddress"):
            self.address_contact(partner, node["defaultAddress"], "invoice")
        note = self.env._("Protected fields kept: %s", ", ".join(skipped)) if skipped else None
        return SyncResult(outcome, partner, label, updated_at, note)

    def _merged_binding(self, kept_id):
        """The binding of a customer Shopify merged into ``kept_id``, moved to it; empty when none.

        The merge's webhook may be received while its job has not run yet (an order of the
        surviving customer synced first): the surviving customer then gets the losing one's
        partner, never a new one. Only once Shopify no longer has the losing customer (a merge
        that failed leaves both).
        """
        merges = (
            self.env["shopify.webhook.delivery"]
            .sudo()
            .search(
                [
                    ("shop_id", "=", self.shop.id),
                    ("topic", "=", "customers/merge"),
                    ("resource_id", "=like", f"%-{kept_id}"),
                ]
            )
        )
        for resource_id in sorted(set(merges.mapped("resource_id"))):
            losing = self._bindings._find(self.shop, resource_id.split("-", 1)[0])
            if losing and not self._still_in_shopify(losing.shopify_id):
                self._lock_related("customer", losing.shopify_id)
                return self.move_binding(losing, kept_id)
        return self._bindings

    def move_binding(self, losing, kept_id):
        """Bind the losing customer's partner to the surviving customer ``kept_id``."""
        losing.write({"shopify_id": str(kept_id), "shopify_updated_at": False})
        return losing

    def _still_in_shopify(self, customer_id):
        gid = to_gid("customer", customer_id)
        if self._client is not None:
            return bool(self._client.execute(CUSTOMER_EXISTS_QUERY, {"id": gid}).get("customer"))
        client = self.shop._graphql_client()
        try:
            return bool(client.execute(CUSTOMER_EXISTS_QUERY, {"id": gid}).get("customer"))
        finally:
            client.close()

    def _match_by_email(self, email):
        """With the shop's match-by-email: the one contact with this email not bound in this store yet.

        A contact bound to other stores matches: one person shopping in two stores is one
        partner with a binding per store.
        """
        if not (self.shop.match_partner_by_email and email):
            return self.env["res.partner"]
        candidates = self.env["res.partner"].search(
            [
                ("email", "=ilike", email),
                ("parent_id", "=", False),
                ("company_id", "in", [False, self.shop.company_id.id]),
            ]
        )
        candidates -= self._bindings._of(self.shop, candidates).odoo_id
        if len(candidates) > 1:
            raise DataConflictError(
                self.env._(
                    "%(count)s Odoo contacts have the email %(email)s: the customer cannot be "
                    "linked without a person choosing one.",
                    count=len(candidates),
                    email=email,
                ),
                missing=self.env._("a single contact with email %s", email),
                retry_advice=self.env._("Retry is safe after merging the duplicates or binding one by hand."),
                fix_model="res.partner",
            )
        return candidates

    def guest_partner(self, order_node):
        """Partner of a checkout without customer account, reused by email."""
        key = cmap.guest_key(order_node.get("email"), order_node.get("legacyResourceId"))
        partner = self._bindings._record(self.shop, key)
        address = order_node.get("billingAddress") or order_node.get("shippingAddress") or {}
        vals = self._country_state(cmap.address_vals(address))
        vals.pop("company", None)
        vals["email"] = order_node.get("email") or False
        vals["name"] = vals.get("name") or vals["email"] or f"Guest {order_node.get('name')}"
        if partner:
            self._write_unprotected(partner, vals)
            return partner
        partner = self.env["res.partner"].create(dict(vals, company_id=self.shop.company_id.id))
        self._bindings._bind(self.shop, key, partner)
        return partner

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
