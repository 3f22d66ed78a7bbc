"""Shared machinery of the resource handlers run by sync jobs."""

from odoo.exceptions import ValidationError

from .. import const
from ..services.errors import ConcurrentSyncError, DataConflictError, MappingError
from ..services.identity import identity_key, try_lock_resource


class SyncResult:
    """What one run did, for the sync job's record."""

    def __init__(self, outcome, record=None, label=None, updated_at=None, note=None, warning=None, category=None):
        self.outcome = outcome
        self.category = category  # informational, e.g. "stale" for an event older than Odoo's version
        self.record = record
        self.label = label
        self.updated_at = updated_at
        self.note = note
        self.warning = warning

    def summary(self):
        target = f"{self.record._name},{self.record.id}" if self.record else "no record"
        text = f"{self.outcome}: {target}"
        return f"{text} ({self.note})" if self.note else text


def stale(record, label, updated_at):
    """Skip an event whose Shopify version is not newer than the one Odoo already has."""
    return SyncResult("skipped", record, label, updated_at, "Shopify version not newer than Odoo's.", category="stale")


class ResourceHandler:
    """Fetch one Shopify resource and bring it into Odoo.

    Handlers run inside the job's transaction and savepoint; they raise the
    classes of ``services.errors`` and never commit.
    """

    # -- the declaration of the resource type (services/resources.py derives every table from it)
    resource_type = None
    type_label = None  # the selection label of sync jobs and deliveries
    channel = const.CHANNEL_ROOT  # queue_job channel of its jobs
    rollout_object = None  # the shop's rollout switch that covers it; None: always automatic
    topics = {}  # webhook topic -> services.resources.Topic
    reconciliation_root = None  # GraphQL root listing what changed since a date (services.queries.UPDATED_SINCE_QUERY)
    binding_models = ()  # binding models whose records its jobs bring
    gid_type = None  # its GraphQL id type, e.g. "Order"
    admin_path = None  # its page in the Shopify admin: https://admin.shopify.com/store/<store>/<path>/<id>
    door_label_key = None  # the payload key of the short label the door keeps (an order's number)

    # What the run learnt of the resource before it failed, for the sync job's title
    label = None
    summary = None

    def __init__(self, env, shop, sync_job=None):
        self.env = env(context=dict(env.context, shopify_sync=True, tracking_disable=True))
        self.shop = shop.with_env(self.env)
        self.sync_job = sync_job
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.shop._graphql_client()
        return self._client

    def close(self):
        """Close the GraphQL client, if one was opened (``run`` does it itself)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def run(self, resource_id, node=None):
        """Bring the resource into Odoo; ``node`` is its Shopify data when already fetched (a bulk export row)."""
        try:
            if node is not None:
                return self.import_node(node)
            return self._run(resource_id)
        except ValidationError as exc:
            raise DataConflictError(self.env._("Odoo refused the data: %s", exc)) from exc
        finally:
            if self._client is not None:
                self._client.close()

    def _run(self, resource_id):
        raise NotImplementedError

    def import_node(self, node):
        """Match and write a fetched node (handlers of resources a bulk export carries)."""
        raise NotImplementedError

    # -- helpers shared by handlers ----------------------------------------
    def _received(self, topic, resource_id, prefix=False):
        """Whether this shop's webhook ``topic`` about ``resource_id`` reached Odoo.

        A deletion is known by its delivery: a job that finds the resource gone asks whether
        Shopify said it deleted it (then nothing failed) or not (then the failure is shown).
        ``prefix``: the delivery's resource id starts with ``<resource_id>-`` (a merge).
        """
        rid = f"{resource_id}-%" if prefix else str(resource_id)
        return bool(
            self.env["shopify.webhook.delivery"]
            .sudo()
            .search_count(
                [("shop_id", "=", self.shop.id), ("topic", "=", topic), ("resource_id", "=like", rid)], limit=1
            )
        )

    def _schedule_activity(self, record, summary, note):
        """One activity on ``record`` for the shop's responsible user; none when one with ``summary`` is open."""
        record = record.sudo()
        existing = record.activity_ids.filtered(lambda a: a.summary == summary)
        if existing:
            return existing
        return record.activity_schedule(
            "shopify_sync.mail_activity_type_sync_failure",
            summary=summary,
            note=note,
            user_id=(self.shop.user_id or self.env.user).id,
        )

    def _lock_related(self, resource_type, resource_id):
        """Take the lock of a record this job also writes (a product or customer of an order)."""
        key = identity_key(self.shop.id, resource_type, resource_id)
        if self.sync_job and self.sync_job.identity_key == key:
            return
        if not try_lock_resource(self.env.cr, key):
            raise ConcurrentSyncError(f"Shopify {resource_type} {resource_id} is being synced by another job.")

    def _synced_order(self, node, label, outcome_once):
        """The Odoo order of a Shopify node's ``order``; a mapping failure while it is not synced yet."""
        order_id = (node.get("order") or {}).get("legacyResourceId")
        order = self.env["shopify.order.binding"]._record(self.shop, order_id)
        if not order:
            raise MappingError(
                self.env._(
                    "%(label)s belongs to Shopify order %(order)s, which is not in Odoo yet.",
                    label=label,
                    order=order_id,
                ),
                missing=self.env._("the Odoo order for Shopify order %s", order_id),
                retry_advice=self.env._("Retry once the order is synced: %s.", outcome_once),
                fix_model="sale.order",
            )
        return order

    def _write_unprotected(self, record, vals):
        """Write ``vals`` except the shop's protected fields; return skipped names."""
        skipped = []
        for field in list(vals):
            if self.shop._is_protected(record._name, field) and field in record._fields:
                current = record[field]
                current = current.id if hasattr(current, "_name") else current
                if (current or False) != (vals[field] or False):
                    skipped.append(field)
                del vals[field]
        if vals:
            record.write(vals)
        return skipped

    def _country_state(self, vals):
        """Replace country_code/state_code in ``vals`` by Odoo ids.

        The look-ups are kept for the cursor's life (an import chunk reads many
        addresses of few countries): countries and states are reference data the
        sync never writes, the kind of repeatable read ``cr.cache`` is for.
        """
        codes = (vals.pop("country_code", False), vals.pop("state_code", False))
        known = self.env.cr.cache.setdefault("shopify_sync.country_state", {})
        if codes not in known:
            known[codes] = self._find_country_state(*codes)
        vals["country_id"], vals["state_id"] = known[codes]
        return vals

    def _find_country_state(self, country_code, state_code):
        country = country_code and self.env["res.country"].search([("code", "=", country_code)], limit=1)
        state = (
            country
            and state_code
            and self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", state_code)], limit=1
            )
        )
        return (country.id if country else False), (state.id if state else False)


def line_item_product(env, shop, line):
    """The Odoo variant of a Shopify line item ``{"variant": {"legacyResourceId"}, "sku"}``: by its
    binding in ``shop``, else by SKU; an empty recordset when neither finds one."""
    variant_id = (line.get("variant") or {}).get("legacyResourceId")
    product = variant_id and env["shopify.variant.binding"]._record(shop, variant_id)
    if not product and line.get("sku"):
        product = env["product.product"].search([("default_code", "=", line["sku"])], limit=1)
    return product or env["product.product"]
