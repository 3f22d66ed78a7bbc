"""Shop-level and privacy topics: uninstall, data requests, redaction."""

from .. import const
from ..services.errors import DataConflictError
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult

ACTIVITY_TYPE = "shopify_sync.mail_activity_type_sync_failure"
# The activity's summary, read back when sync is enabled again (the problem is then solved).
UNINSTALLED_SUMMARY = "Shopify app uninstalled from "


class AppUninstalledHandler(ResourceHandler):
    resource_type = const.SHOP
    type_label = "Shop"
    channel = const.CHANNEL_SHOP
    topics = {"app/uninstalled": Topic(None)}

    def _run(self, resource_id):
        self.shop.write({"sync_enabled": False})
        self.shop.activity_schedule(
            ACTIVITY_TYPE,
            summary=f"{UNINSTALLED_SUMMARY}{self.shop.domain}",
            note="Shopify reported that the app was uninstalled: sync is disabled for this shop. "
            "Reinstall the app and enable sync on the shop to resume.",
            user_id=(self.shop.user_id or self.env.user).id,
        )
        return SyncResult("handled", self.shop, self.shop.name, note="Sync disabled: app uninstalled.")


class PrivacyRequestHandler(ResourceHandler):
    """customers/data_request: staff must send the customer's data (30 days)."""

    resource_type = const.PRIVACY_REQUEST
    type_label = "Customer data request"
    channel = const.CHANNEL_PRIVACY
    topics = {"customers/data_request": Topic(None, compliance=True, customer_keyed=True)}

    def _run(self, resource_id):
        partner = self.env["shopify.partner.binding"]._record(self.shop, resource_id)
        target = partner or self.shop
        target.activity_schedule(
            ACTIVITY_TYPE,
            summary="Shopify customer data request",
            note=f"Shopify customer {resource_id} asked for their data. Send it to the shop owner " "within 30 days.",
            user_id=(self.shop.user_id or self.env.user).id,
        )
        return SyncResult("handled", target, f"Data request {resource_id}", note="Activity raised for staff.")


class CustomerRedactHandler(ResourceHandler):
    """customers/redact: forget the customer in this store; anonymise the partner when no store binds it.

    A partner bound to other stores stays as it is (those stores still sell to the
    person): the store's binding is removed and the sync job says so.
    """

    resource_type = const.CUSTOMER_REDACT
    type_label = "Customer redaction"
    channel = const.CHANNEL_PRIVACY
    topics = {"customers/redact": Topic(None, compliance=True, customer_keyed=True)}

    def _run(self, resource_id):
        label = self.env._("Redact %s", resource_id)
        # Staged order rows (backlog reads) may carry the customer's data: none is kept.
        self.env["shopify.backlog.node"].sudo()._forget_shop(self.shop)
        binding = self.env["shopify.partner.binding"]._find(self.shop, resource_id)
        if not binding:
            return SyncResult("skipped", None, label, note=self.env._("No Odoo contact for this customer."))
        partner = binding.odoo_id.with_env(self.env).with_context(active_test=False)
        others = partner.sudo().shopify_binding_ids - binding
        if others:
            binding.unlink()
            note = self.env._(
                "Binding of %(shop)s removed; %(partner)s is kept, still bound to %(others)s.",
                shop=self.shop.name,
                partner=partner.display_name,
                others=", ".join(others.shop_id.mapped("name")),
            )
            return SyncResult("handled", partner, label, note=note)
        posted = self.env["account.move"].search_count(
            [("commercial_partner_id", "=", partner.commercial_partner_id.id), ("state", "=", "posted")]
        )
        if posted:
            raise DataConflictError(
                self.env._(
                    "Shopify asked to redact customer %(customer)s (%(partner)s), who has %(posted)s posted "
                    "accounting document(s) that must be kept: not anonymised.",
                    customer=resource_id,
                    partner=partner.display_name,
                    posted=posted,
                ),
                missing=self.env._("a decision on what legal retention allows to erase"),
                retry_advice=self.env._("Anonymise by hand what the law allows, then mark this job resolved."),
                fix_model="res.partner",
            )
        binding.unlink()
        (partner | partner.child_ids).write(_anonymous(resource_id))
        return SyncResult("handled", partner, label, note=self.env._("Contact anonymised and archived."))


def _anonymous(resource_id):
    return {
        "name": f"Redacted customer {resource_id}",
        "email": False,
        "phone": False,
        "street": False,
        "street2": False,
        "city": False,
        "zip": False,
        "vat": False,
        "comment": False,
        "active": False,
    }


class ShopRedactHandler(ResourceHandler):
    """shop/redact: 48 h after uninstall, erase what the shop sent us."""

    resource_type = const.SHOP_REDACT
    type_label = "Shop redaction"
    channel = const.CHANNEL_PRIVACY
    topics = {"shop/redact": Topic(None, compliance=True)}

    def _run(self, resource_id):
        deliveries = self.env["shopify.webhook.delivery"].search([("shop_id", "=", self.shop.id)])
        deliveries.write({"raw_body": False})
        self.env["shopify.backlog.node"].sudo()._forget_shop(self.shop)
        self.shop.write({"sync_enabled": False, "active": False})
        note = "Raw webhook bodies and staged orders erased, shop archived."
        return SyncResult("handled", self.shop, self.shop.name, note=note)
