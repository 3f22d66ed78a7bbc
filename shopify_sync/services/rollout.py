"""The objects of a rollout: what each per-shop switch covers.

A switch is off, review or automatic. Each object covers the sync-job
resource types it names; a resource type no object names (shop and privacy
events) always runs automatically: those are obligations, not a rollout.
"""

MODES = [
    ("off", "Off"),
    ("review", "Review"),
    ("automatic", "Automatic"),
]

# object -> (label, resource types of sync jobs it covers)
OBJECTS = {
    "orders": ("Orders", ("order",)),
    "customers": ("Customers", ("customer",)),
    "products": ("Products", ("product",)),
    "fulfillments": ("Fulfillments", ("fulfillment",)),
    "refunds": ("Refunds", ("refund",)),
    "stock": ("Stock", ("inventory_push", "inventory_level")),
    "deliveries": ("Deliveries", ("picking_push",)),
    "accounting": ("Accounting", ("order_payments", "payout_list", "payout")),
}

OBJECT_OF_RESOURCE = {rtype: obj for obj, (_label, rtypes) in OBJECTS.items() for rtype in rtypes}

# Resource types whose fresh state reconciliation lists (services/queries.UPDATED_SINCE).
RECONCILED = ("order", "customer", "product")


def switch_field(obj):
    """The shop field that holds an object's switch, e.g. ``rollout_orders``."""
    return f"rollout_{obj}"


def object_of(resource_type):
    """The rollout object of a resource type, or None when no switch covers it."""
    return OBJECT_OF_RESOURCE.get(resource_type)
