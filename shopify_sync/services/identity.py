"""Identity of a Shopify resource inside Odoo: job keys and the locks that serialise work on it."""

import hashlib


def identity_key(shop_id, resource_type, resource_id):
    """The queue_job identity key of a resource, e.g. ``shopify_sync:3:order:450789469``."""
    return f"shopify_sync:{shop_id}:{resource_type}:{resource_id}"


def reconcile_identity_key(shop_id):
    """The queue_job identity key of a shop's reconciliation (cron and *Sync now*)."""
    return f"shopify_sync:{shop_id}:reconcile"


def import_identity_key(shop_id, run_id, step, position=None):
    """The queue_job identity key of one step of a shop's import run.

    ``step`` is ``start``, ``poll`` or ``read``; a read carries the byte offset it
    starts at, so that the chunk after a saved position is enqueued once.
    """
    key = f"shopify_sync:{shop_id}:import:{run_id}:{step}"
    return key if position is None else f"{key}:{position}"


def backlog_identity_key(shop_id, read_id, step, position=None):
    """The queue_job identity key of one step of a shop's backlog read (models/shopify_backlog_read.py).

    ``step`` is ``start``, ``poll`` or ``stage``; a stage step carries the byte offset it starts at.
    """
    key = f"shopify_sync:{shop_id}:backlog:{read_id}:{step}"
    return key if position is None else f"{key}:{position}"


def resource_keys_pattern(shop_id, resource_type):
    """A LIKE pattern matching the identity keys of a shop's sync jobs of one resource type."""
    return identity_key(shop_id, resource_type, "%")


def payout_list_key():
    """The resource id of a shop's payout listing job (there is one listing per shop)."""
    return "payouts"


# const.ORDER_LINKS: this module stays plain Python with no package import, because the
# harness (tools/harness/keys.py) loads it from its file to make the same keys.
ORDER_LINKS = "order_links"


def order_links_key():
    """The resource id of a shop's order-link flush job (one outbox per shop, docs/BENCHMARKS.md)."""
    return "outbox"


def shop_keys_pattern(shop_id):
    """A LIKE pattern matching every queue_job identity key of a shop."""
    return f"shopify_sync:{shop_id}:%"


def advisory_key(*parts):
    """A stable signed 64-bit key for PostgreSQL advisory locks, from text parts."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def try_lock_resource(cr, key):
    """Take the transaction-level lock under which one resource is synced; False if another job holds it."""
    cr.execute("SELECT pg_try_advisory_xact_lock(%s)", (advisory_key("run", key),))
    return cr.fetchone()[0]


def try_lock_sku(cr, sku):
    """Take the lock under which an Odoo product is matched or created for an SKU, across stores.

    Two stores importing the same new SKU at once: one creates the product, the other
    waits its turn as a retry and then finds it (the unique index on the SKU of
    created products catches a run that started before the first committed).
    False if another job holds it.
    """
    cr.execute("SELECT pg_try_advisory_xact_lock(%s)", (advisory_key("sku", sku),))
    return cr.fetchone()[0]


def token_lock_key(shop_id):
    """The advisory lock under which one shop's access token is renewed (one renewal at a time)."""
    return advisory_key("token", shop_id)


def lock_token_renewal(cr, shop_id):
    """Wait for, then hold until commit, the right to renew a shop's token (all workers, all nodes)."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", (token_lock_key(shop_id),))


def try_lock_review(cr, sync_job_id):
    """Take the decision on a sync job's waiting review (held until commit); False if another user holds it."""
    cr.execute("SELECT pg_try_advisory_xact_lock(%s)", (advisory_key("review", sync_job_id),))
    return cr.fetchone()[0]


def lock_door(cr, key):
    """Serialise the enqueue decision for one resource (held until commit)."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("door", key),))


# -- the webhook dispatcher ------------------------------------------------------------
# A request that records a new delivery holds the shop's dispatch lock in shared mode
# from before it looks for a waiting dispatcher until it commits; a dispatcher reads the
# received deliveries under the same lock in exclusive mode. So a delivery whose request
# saw a dispatcher waiting is always committed before that dispatcher's last read.


def dispatch_identity_key(shop_id):
    """The queue_job identity key of a shop's webhook dispatcher."""
    return f"shopify_sync:{shop_id}:dispatch"


def dispatch_lock_key(shop_id):
    """The advisory lock between a shop's webhook requests (shared) and its dispatcher (exclusive)."""
    return advisory_key("dispatch", shop_id)


# The two statements of "make sure a dispatcher will read this delivery", with named
# parameters; the webhook door's function (services/webhook_door.py) runs the same two.
HOLD_DISPATCH_SHARED_SQL = "SELECT pg_advisory_xact_lock_shared(%(dispatch_lock)s)"
DISPATCHER_WAITING_SQL = (
    "EXISTS (SELECT 1 FROM queue_job WHERE identity_key = %(dispatcher)s AND state IN ('pending', 'enqueued'))"
)


def dispatch_params(shop_id):
    """The parameters of HOLD_DISPATCH_SHARED_SQL and DISPATCHER_WAITING_SQL for a shop."""
    return {"dispatch_lock": dispatch_lock_key(shop_id), "dispatcher": dispatch_identity_key(shop_id)}


def hold_dispatch_shared(cr, shop_id):
    """Taken by a request recording a delivery (held until commit; requests do not wait for each other).

    The webhook door takes the same lock in its function, with its insert (one round trip).
    """
    cr.execute(HOLD_DISPATCH_SHARED_SQL, dispatch_params(shop_id))


def hold_dispatch_exclusive(cr, shop_id):
    """Taken by a dispatcher to read received deliveries: waits for requests still committing."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", (dispatch_lock_key(shop_id),))


def try_lock_dispatcher(cr, shop_id):
    """One dispatcher at a time per shop (held until the dispatcher's transaction ends); False if taken."""
    cr.execute("SELECT pg_try_advisory_xact_lock(%s)", (advisory_key("dispatcher", shop_id),))
    return cr.fetchone()[0]
