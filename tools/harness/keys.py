"""queue_job identity keys of shopify_sync's jobs, as the addon makes them.

They come from ``shopify_sync/services/identity.py``, which is plain Python
(hashlib only).  The addon's package imports Odoo, so the module is loaded
from its file, not through ``shopify_sync``.
"""

import importlib.util

from .paths import ROOT

_SPEC = importlib.util.spec_from_file_location(
    "shopify_sync_identity", ROOT / "shopify_sync" / "services" / "identity.py"
)
identity = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(identity)

WAITING = ("wait_dependencies", "pending", "enqueued", "started")
# queue_job's lock on its master runner (jobrunner/runner.py, PG_ADVISORY_LOCK_ID).
RUNNER_LOCK_ID = 2293787760715711918


def job_keys(shop_id, resource_type, ids):
    """The identity keys of the sync jobs of ``ids``, e.g. shopify_sync:3:order:450789469."""
    return [identity.identity_key(shop_id, resource_type, i) for i in ids]


def dispatch_key(shop_id):
    """The identity key of the shop's webhook dispatcher (deliveries -> sync jobs)."""
    return identity.dispatch_identity_key(shop_id)


def sync_pattern(shop_id):
    """LIKE pattern of the shop's sync jobs, shopify_sync:<shop>:<resource type>:<id>."""
    return identity.identity_key(shop_id, "%", "%")


def shop_pattern(shop_id):
    """LIKE pattern of every job of the shop: sync jobs, dispatcher, reconciliation (shopify_sync:<shop>:%)."""
    return identity.identity_key(shop_id, "%", "").removesuffix(":")


def all_pattern():
    """LIKE pattern of every shopify_sync job."""
    return identity.identity_key("%", "", "").split("%")[0] + "%"
