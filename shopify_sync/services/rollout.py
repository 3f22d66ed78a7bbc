"""The objects of a rollout: what each per-shop switch covers.

A switch is off, review or automatic. Each object covers the sync-job
resource types it names; a resource type no object names (shop and privacy
events) always runs automatically: those are obligations, not a rollout.
"""

from collections.abc import Mapping

from .. import importers  # noqa: F401  (the handlers register the resource types)
from .resources import OBJECT_OF_RESOURCE, UPDATED_SINCE, resource_types_of

__all__ = ["MODES", "OBJECTS", "OBJECT_LABELS", "OBJECT_OF_RESOURCE", "RECONCILED", "object_of", "switch_field"]

MODES = [
    ("off", "Off"),
    ("review", "Review"),
    ("automatic", "Automatic"),
]

# The rollout objects, in the order of the shop's form; each handler names the object
# that covers its resource type (``rollout_object``, services/resources.py).
OBJECT_LABELS = {
    "orders": "Orders",
    "customers": "Customers",
    "products": "Products",
    "fulfillments": "Fulfillments",
    "refunds": "Refunds",
    "stock": "Stock",
    "deliveries": "Deliveries",
    "accounting": "Accounting",
}


class _Objects(Mapping):
    """object -> (label, resource types of sync jobs it covers), from the handlers' declarations."""

    def __getitem__(self, obj):
        return OBJECT_LABELS[obj], resource_types_of(obj)

    def __iter__(self):
        return iter(OBJECT_LABELS)

    def __len__(self):
        return len(OBJECT_LABELS)


OBJECTS = _Objects()

# Resource types whose fresh state reconciliation lists (services/queries.UPDATED_SINCE_QUERY).
RECONCILED = UPDATED_SINCE.keys()


def switch_field(obj):
    """The shop field that holds an object's switch, e.g. ``rollout_orders``."""
    return f"rollout_{obj}"


def object_of(resource_type):
    """The rollout object of a resource type, or None when no switch covers it."""
    return OBJECT_OF_RESOURCE.get(resource_type)
