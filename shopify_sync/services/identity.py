"""Identity of a Shopify resource inside Odoo: job keys and the locks that serialise work on it."""

import hashlib


def identity_key(shop_id, resource_type, resource_id):
    """The queue_job identity key of a resource, e.g. ``shopify_sync:3:order:450789469``."""
    return f"shopify_sync:{shop_id}:{resource_type}:{resource_id}"


def advisory_key(*parts):
    """A stable signed 64-bit key for PostgreSQL advisory locks, from text parts."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def try_lock_resource(cr, key):
    """Take the transaction-level lock under which one resource is synced; False if another job holds it."""
    cr.execute("SELECT pg_try_advisory_xact_lock(%s)", (advisory_key("run", key),))
    return cr.fetchone()[0]


def lock_door(cr, key):
    """Serialise the enqueue decision for one resource (held until commit)."""
    cr.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("door", key),))
