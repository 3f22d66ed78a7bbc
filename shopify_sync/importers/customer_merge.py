"""customers/merge: the losing customer's binding goes to the surviving partner, never to a third one."""

from .. import const
from ..services.gid import to_gid
from ..services.queries import CUSTOMER_EXISTS_QUERY, CUSTOMER_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult
from .customer import CustomerHandler

# Shopify's customers/merge body names both customers by GID:
#   {"admin_graphql_api_customer_kept_id": "gid://shopify/Customer/1",
#    "admin_graphql_api_customer_deleted_id": "gid://shopify/Customer/3",
#    "admin_graphql_api_job_id": ..., "status": "completed" | "failed", "errors": [...]}
KEPT_KEY = "admin_graphql_api_customer_kept_id"
DELETED_KEY = "admin_graphql_api_customer_deleted_id"


class CustomerMergeHandler(ResourceHandler):
    """One job per merge, ``<deleted id>-<kept id>``: repeated, it finds nothing left to move.

    Shopify is asked, not the body: a merge that failed (the losing customer still exists)
    changes nothing. The losing customer's binding:

    - none (never synced, or already moved): nothing to move; the kept customer is synced;
    - the kept customer is not bound: the binding now names the kept customer, so its partner
      is the surviving one (no new partner);
    - both bound to one partner: the losing binding is removed;
    - bound to two partners: the losing binding is removed and its partner kept as it is,
      with its orders (an order's binding never changes); a note on it names the surviving
      partner. Merging the two Odoo contacts is left to a person.
    """

    resource_type = const.CUSTOMER_MERGE
    type_label = "Customer merge"
    channel = const.CHANNEL_CUSTOMER
    rollout_object = "customers"
    topics = {"customers/merge": Topic(DELETED_KEY, (KEPT_KEY, DELETED_KEY), location_key=KEPT_KEY)}
    binding_models = ()

    @property
    def _bindings(self):
        return self.env["shopify.partner.binding"]

    def _run(self, resource_id):
        deleted_id, kept_id = resource_id.split("-", 1)
        self._lock_related(const.CUSTOMER, deleted_id)
        self._lock_related(const.CUSTOMER, kept_id)
        label = self.env._("Customer %(deleted)s merged into %(kept)s", deleted=deleted_id, kept=kept_id)
        if self.client.execute(CUSTOMER_EXISTS_QUERY, {"id": to_gid(const.CUSTOMER, deleted_id)}).get("customer"):
            return SyncResult(
                "skipped",
                None,
                label,
                note=self.env._("Shopify still has customer %s: the merge did not happen.", deleted_id),
            )
        kept_node = self.client.fetch_node(CUSTOMER_QUERY, to_gid(const.CUSTOMER, kept_id), "customer")
        customers = CustomerHandler(self.env, self.shop, self.sync_job)
        losing, surviving = self._bindings._find(self.shop, deleted_id), self._bindings._find(self.shop, kept_id)
        note = None
        if not losing:
            note = self.env._("No Odoo contact was bound to customer %s: nothing to move.", deleted_id)
        elif not surviving:
            customers.move_binding(losing, kept_id)
            note = self.env._(
                "%(partner)s is now bound to the surviving customer %(kept)s.",
                partner=losing.odoo_id.display_name,
                kept=kept_id,
            )
        elif losing.odoo_id == surviving.odoo_id:
            losing.unlink()
        else:
            note = self._keep_losing_partner(losing, surviving, deleted_id, kept_id)
        result = customers.import_node(kept_node)
        return SyncResult("handled", result.record, label, result.updated_at, note)

    def _keep_losing_partner(self, losing, surviving, deleted_id, kept_id):
        partner = losing.odoo_id.with_env(self.env)
        survivor = surviving.odoo_id.with_env(self.env)
        losing.unlink()
        partner.sudo().message_post(
            body=self.env._(
                "Shopify merged customer %(deleted)s into customer %(kept)s, whose contact is %(survivor)s. "
                "This contact keeps its orders; merge the two contacts in Odoo if wanted.",
                deleted=deleted_id,
                kept=kept_id,
                survivor=survivor.display_name,
            )
        )
        return self.env._(
            "Binding of %(partner)s removed; its orders stay on it. Surviving contact: %(survivor)s.",
            partner=partner.display_name,
            survivor=survivor.display_name,
        )
