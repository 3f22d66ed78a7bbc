"""The resource types of sync jobs, each declared once, on its handler class.

A handler (``importers/``) declares its resource type and everything the rest of
the addon needs to know about it: its label, queue channel, rollout object,
webhook topics, reconciliation root, binding models, GraphQL id type, Shopify admin
path and the payload key of the label the door keeps. The
tables below are derived from the registered handlers and rebuilt in place, so
that a module holding one of them (``services.topics``, ``services.rollout``,
``models/shopify_sync_job.py``...) always sees every registered handler.

Pure: no Odoo model is imported here; ``importers/__init__.py`` registers the
handlers.
"""

from collections import namedtuple
from contextlib import contextmanager

from .gid import ADMIN_PATHS, RESOURCE_GID_TYPES, SUB_RESOURCE_GID_TYPES

# How a webhook topic names its resource.
#   id_key: the payload key of the resource id (dotted: in a nested object, ``company.admin_graphql_api_id``,
#       ``order_edit.order_id``);
#       None when the event id names the unit of work
#   include_fields: the payload fields the subscription asks for (empty: the whole body)
#   compliance: set in the app's configuration, never subscribed through the API
#   odoo_stock_note: only a shop whose stock authority is Shopify turns the topic into jobs;
#       the others acknowledge it at the door with this note
#   customer_keyed: the resource id is the payload's ``customer.id`` (privacy requests)
#   location_key: the resource id is ``<id>-<payload[location_key]>`` (inventory levels)
Topic = namedtuple(
    "Topic",
    "id_key include_fields compliance odoo_stock_note customer_keyed location_key",
    defaults=((), False, None, False, None),
)

_HANDLERS = []

# -- derived tables (rebuilt in place by rebuild()) ---------------------------
HANDLERS = {}  # resource type -> handler class
RESOURCE_TYPES = []  # [(resource type, label)], the selection of sync jobs and deliveries
CHANNELS = {}  # resource type -> queue_job channel
TOPICS = {}  # topic -> Topic
TOPIC_RESOURCES = {}  # topic -> (resource type, payload id key)
SHOPIFY_STOCK_TOPICS = {}  # topic -> note of the door for a shop whose stock is Odoo's
INCLUDE_FIELDS = {}  # topic -> payload fields of its subscription (compliance topics excluded)
COMPLIANCE_TOPICS = []  # topics set in the app's configuration
OBJECT_OF_RESOURCE = {}  # resource type -> rollout object
UPDATED_SINCE = {}  # resource type -> GraphQL root reconciliation lists
BINDING_RESOURCE_TYPES = {}  # binding model -> resource type
GID_RESOURCE_TYPES = []  # resource types with a GraphQL id type of their own
DOOR_LABEL_KEYS = {}  # resource type -> payload key of the label the webhook door keeps
# also refilled: services.gid.RESOURCE_GID_TYPES (resource type -> GraphQL id type) and
# services.gid.ADMIN_PATHS (resource type -> path in the Shopify admin)


def register(*handlers):
    """Add handler classes (in the order given) and rebuild every table."""
    for handler in handlers:
        if handler.resource_type in {h.resource_type for h in _HANDLERS}:
            raise ValueError(f"resource type {handler.resource_type!r} is declared twice")
        _HANDLERS.append(handler)
    rebuild()


def unregister(*handlers):
    """Remove handler classes and rebuild every table."""
    for handler in handlers:
        _HANDLERS.remove(handler)
    rebuild()


@contextmanager
def registered(*handlers):
    """Register ``handlers`` for the time of a ``with`` block (tests)."""
    register(*handlers)
    try:
        yield
    finally:
        unregister(*handlers)


def _refill(table, items):
    table.clear()
    if isinstance(table, dict):
        table.update(items)
    else:
        table.extend(items)


def rebuild():
    handlers = list(_HANDLERS)
    topics = [(topic, spec, h) for h in handlers for topic, spec in h.topics.items()]
    _refill(HANDLERS, {h.resource_type: h for h in handlers})
    _refill(RESOURCE_TYPES, [(h.resource_type, h.type_label) for h in handlers])
    _refill(CHANNELS, {h.resource_type: h.channel for h in handlers})
    _refill(TOPICS, {topic: spec for topic, spec, _h in topics})
    _refill(TOPIC_RESOURCES, {topic: (h.resource_type, spec.id_key) for topic, spec, h in topics})
    _refill(SHOPIFY_STOCK_TOPICS, {topic: spec.odoo_stock_note for topic, spec, _h in topics if spec.odoo_stock_note})
    _refill(INCLUDE_FIELDS, {topic: list(spec.include_fields) for topic, spec, _h in topics if not spec.compliance})
    _refill(COMPLIANCE_TOPICS, [topic for topic, spec, _h in topics if spec.compliance])
    _refill(OBJECT_OF_RESOURCE, {h.resource_type: h.rollout_object for h in handlers if h.rollout_object})
    _refill(UPDATED_SINCE, {h.resource_type: h.reconciliation_root for h in handlers if h.reconciliation_root})
    _refill(BINDING_RESOURCE_TYPES, {model: h.resource_type for h in handlers for model in h.binding_models})
    _refill(GID_RESOURCE_TYPES, [h.resource_type for h in handlers if h.gid_type])
    gid_types = {h.resource_type: h.gid_type for h in handlers if h.gid_type}
    _refill(RESOURCE_GID_TYPES, {**SUB_RESOURCE_GID_TYPES, **gid_types})
    _refill(ADMIN_PATHS, {h.resource_type: h.admin_path for h in handlers if h.admin_path})
    _refill(DOOR_LABEL_KEYS, {h.resource_type: h.door_label_key for h in handlers if h.door_label_key})


def resource_types_of(rollout_object):
    """The resource types a rollout object covers, in declaration order."""
    return tuple(rtype for rtype, obj in OBJECT_OF_RESOURCE.items() if obj == rollout_object)
