"""Each resource type is declared once, on its handler: every table is derived from it."""

import unittest

from .. import importers
from ..importers.base import ResourceHandler, SyncResult
from ..models.shopify_sync_job import CHANNELS
from ..services import resources, rollout, webhook_subscriptions
from ..services.gid import RESOURCE_GID_TYPES, admin_url, to_gid
from ..services.labels import door_label
from ..services.topics import RESOURCE_TYPES, TOPIC_RESOURCES, door_note, resource_of


class DummyHandler(ResourceHandler):
    resource_type = "dummy_thing"
    type_label = "Dummy thing"
    channel = "root.shopify.dummy"
    rollout_object = "orders"
    topics = {
        "dummy_things/create": resources.Topic("thing_id", ("thing_id", "updated_at")),
        "dummy_things/moved": resources.Topic("thing_id", odoo_stock_note="Moved in Odoo.", location_key="spot_id"),
    }
    reconciliation_root = "dummyThings"
    binding_models = ("shopify.dummy.binding",)
    gid_type = "DummyThing"
    admin_path = "dummies"
    door_label_key = "title"

    def _run(self, resource_id):
        return SyncResult("handled", None, resource_id)


class TestResourceDeclarations(unittest.TestCase):
    def test_the_tables_are_those_of_the_handlers(self):
        self.assertEqual([rtype for rtype, _label in RESOURCE_TYPES], list(importers.HANDLERS))
        self.assertEqual(set(CHANNELS), set(importers.HANDLERS))
        for topic, (rtype, _key) in TOPIC_RESOURCES.items():
            self.assertIn(topic, importers.HANDLERS[rtype].topics)
        self.assertEqual(rollout.OBJECTS["stock"], ("Stock", ("inventory_level", "inventory_push")))
        self.assertEqual(list(rollout.RECONCILED), ["order", "customer", "product"])
        self.assertEqual(resources.BINDING_RESOURCE_TYPES["shopify.variant.binding"], "product")
        self.assertEqual(resources.DOOR_LABEL_KEYS, {"order": "name", "product": "title", "fulfillment": "name"})

    def test_a_resource_type_declared_on_one_handler_is_in_every_table(self):
        with resources.registered(DummyHandler):
            self.assertIs(importers.HANDLERS["dummy_thing"], DummyHandler)
            self.assertEqual(dict(RESOURCE_TYPES)["dummy_thing"], "Dummy thing")
            self.assertEqual(RESOURCE_TYPES[-1], ("dummy_thing", "Dummy thing"))
            self.assertEqual(CHANNELS["dummy_thing"], "root.shopify.dummy")
            self.assertEqual(rollout.object_of("dummy_thing"), "orders")
            self.assertEqual(rollout.OBJECTS["orders"], ("Orders", ("order", "dummy_thing")))
            self.assertEqual(TOPIC_RESOURCES["dummy_things/create"], ("dummy_thing", "thing_id"))
            self.assertEqual(resource_of("dummy_things/create", {"thing_id": 42}, "e1"), ("dummy_thing", "42"))
            self.assertEqual(
                resource_of("dummy_things/moved", {"thing_id": 42, "spot_id": 7}, "e2"), ("dummy_thing", "42-7")
            )
            self.assertEqual(door_note("dummy_things/moved", "odoo"), "Moved in Odoo.")
            self.assertIsNone(door_note("dummy_things/moved", "shopify"))
            needed = webhook_subscriptions.needed_topics("shopify")
            self.assertEqual(needed["dummy_things/create"], ["thing_id", "updated_at"])
            self.assertNotIn("dummy_things/moved", webhook_subscriptions.needed_topics("odoo"))
            self.assertEqual(resources.UPDATED_SINCE["dummy_thing"], "dummyThings")
            self.assertIn("dummy_thing", rollout.RECONCILED)
            self.assertEqual(resources.BINDING_RESOURCE_TYPES["shopify.dummy.binding"], "dummy_thing")
            self.assertEqual(to_gid("dummy_thing", 5), "gid://shopify/DummyThing/5")
            self.assertEqual(
                admin_url("a.myshopify.com", "dummy_thing", "5"), "https://admin.shopify.com/store/a/dummies/5"
            )
            self.assertEqual(door_label("dummy_thing", {"title": "Thing"}), "Thing")
        # gone again: nothing registered for good
        self.assertNotIn("dummy_thing", importers.HANDLERS)
        self.assertNotIn("dummy_thing", dict(RESOURCE_TYPES))
        self.assertNotIn("dummy_thing", CHANNELS)
        self.assertIsNone(rollout.object_of("dummy_thing"))
        self.assertEqual(rollout.OBJECTS["orders"], ("Orders", ("order",)))
        self.assertNotIn("dummy_things/create", TOPIC_RESOURCES)
        self.assertIsNone(resource_of("dummy_things/create", {"thing_id": 42}, "e3"))
        self.assertNotIn("dummy_thing", RESOURCE_GID_TYPES)
        self.assertNotIn("dummy_thing", rollout.RECONCILED)
        self.assertFalse(admin_url("a.myshopify.com", "dummy_thing", "5"))
        self.assertIsNone(door_label("dummy_thing", {"title": "Thing"}))

    def test_a_resource_type_is_declared_once(self):
        with self.assertRaises(ValueError):
            resources.register(importers.HANDLERS["order"])
        self.assertEqual(len(RESOURCE_TYPES), len(importers.HANDLERS))


class TestIdentityIsPlainPython(unittest.TestCase):
    def test_order_links_type_is_the_constant(self):
        """services/identity.py is loaded from its file by the harness: its copy of the name must agree."""
        from .. import const  # noqa: PLC0415
        from ..services import identity  # noqa: PLC0415

        self.assertEqual(identity.ORDER_LINKS, const.ORDER_LINKS)
