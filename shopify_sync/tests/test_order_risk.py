"""Risky orders and fulfillment holds: held for review until released, shown on the delivery, once."""

import unittest
import uuid

from odoo.tests import tagged

from ..mapping import order as omap
from .common import ShopifyHttpCase

RISK_ACTIVITY = "shopify_sync.mail_activity_type_risk_review"


class TestRiskLevel(unittest.TestCase):
    def test_highest_assessment_or_recommendation_wins(self):
        def risk(recommendation, *levels):
            return {"risk": {"recommendation": recommendation, "assessments": [{"riskLevel": lv} for lv in levels]}}

        self.assertEqual(omap.risk_level({}), "none")
        self.assertEqual(omap.risk_level(risk("NONE", "PENDING")), "pending")
        self.assertEqual(omap.risk_level(risk("ACCEPT", "LOW", "MEDIUM")), "medium")
        self.assertEqual(omap.risk_level(risk("ACCEPT", "LOW", "HIGH", "PENDING")), "high")
        self.assertEqual(omap.risk_level(risk("CANCEL", "LOW")), "high")
        self.assertEqual(omap.risk_level(risk("INVESTIGATE")), "medium")

    def test_threshold(self):
        self.assertTrue(omap.risk_at_least("high", "high"))
        self.assertFalse(omap.risk_at_least("medium", "high"))
        self.assertTrue(omap.risk_at_least("high", "medium"))
        self.assertFalse(omap.risk_at_least("high", "never"))
        self.assertFalse(omap.risk_at_least("pending", "medium"))


@tagged("post_install", "-at_install")
class TestOrderRisk(ShopifyHttpCase):
    def _event(self, topic, payload):
        """Deliver ``payload`` as a new event (its own event id), through Odoo's webhook door."""
        response = self.post_webhook(topic, payload, headers={"X-Shopify-Event-Id": str(uuid.uuid4())})
        self.assertEqual(response.status_code, 200)

    def _order_event(self, seeded, topic="orders/updated"):
        self._event(topic, self.simulator.webhook_payload(topic, seeded["id"]))

    def _risk_activities(self, order):
        order.invalidate_recordset(["activity_ids"])
        return order.activity_ids.filtered(lambda a: a.active and a.activity_type_id == self.env.ref(RISK_ACTIVITY))

    def _notes(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_high_risk_order_is_held_until_a_person_releases_it(self):
        seeded = self.seed_order(financial_status="paid")
        self.simulator.assess_order_risk(seeded["id"], "high")
        self._order_event(seeded, "orders/create")
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual((order.state, order.shopify_risk_level, order.shopify_risk_hold), ("draft", "high", True))
        self.assertEqual(len(self._risk_activities(order)), 1)
        # later updates (paid, edited) keep it held, with no second activity
        for topic in ("orders/paid", "orders/updated"):
            self.simulator.touch("order", seeded["id"])
            self._order_event(seeded, topic)
            self.perform_jobs()
        self.assertEqual((order.state, order.shopify_risk_hold), ("draft", True))
        self.assertEqual(len(self._risk_activities(order)), 1)
        self.assertEqual(len(self._notes(order, "Held for review")), 1)
        # a person releases it: confirmed as the store's policy says, noted in the chatter
        order.action_shopify_release_risk_hold()
        self.assertEqual(
            (order.state, order.shopify_risk_hold, order.shopify_risk_released_level), ("sale", False, "high")
        )
        self.assertFalse(self._risk_activities(order))
        self.assertEqual(len(self._notes(order, "Risk hold released by")), 1)
        # the same risk on a later update does not hold it again
        self.simulator.touch("order", seeded["id"])
        self._order_event(seeded)
        self.perform_jobs()
        self.assertEqual((order.state, order.shopify_risk_hold), ("sale", False))
        self.assertEqual(len(self.orders_named(seeded["name"])), 1)

    def test_risk_change_before_the_order_create_twice(self):
        seeded = self.seed_order()
        risk_event = self.simulator.assess_order_risk(seeded["id"], "high")
        self.assertEqual(risk_event["order_id"], str(seeded["id"]))
        self._event("orders/risk_assessment_changed", risk_event)
        self._event("orders/risk_assessment_changed", risk_event)
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual((order.state, order.shopify_risk_hold), ("draft", True))
        # the order's own create event comes last: nothing new
        self._order_event(seeded, "orders/create")
        self.perform_jobs()
        self.assertEqual(self.orders_named(seeded["name"]), order)
        self.assertEqual((order.state, order.shopify_risk_hold), ("draft", True))
        self.assertEqual(len(self._risk_activities(order)), 1)
        self.assertEqual(
            self.env["shopify.webhook.delivery"]
            .search([("shop_id", "=", self.shop.id), ("topic", "=", "orders/risk_assessment_changed")])
            .mapped("resource_id"),
            [str(seeded["id"])] * 2,
        )

    def test_a_later_assessment_is_read_although_the_order_is_unchanged(self):
        """An assessment leaves the order's updatedAt alone: the order job must not skip it as stale."""
        self.shop.risk_hold_threshold = "medium"
        seeded = self.seed_order()
        self._order_event(seeded, "orders/create")
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual((order.state, order.shopify_risk_level, order.shopify_risk_hold), ("sale", "none", False))
        updated_at = order.shopify_binding_ids.shopify_updated_at
        self._event("orders/risk_assessment_changed", self.simulator.assess_order_risk(seeded["id"], "medium"))
        self.perform_jobs()
        self.assertEqual(order.shopify_binding_ids.shopify_updated_at, updated_at)
        self.assertEqual((order.shopify_risk_level, order.shopify_risk_hold), ("medium", True))
        self.assertEqual(len(self._risk_activities(order)), 1)

    def test_below_the_threshold_is_confirmed(self):
        seeded = self.seed_order()
        self.simulator.assess_order_risk(seeded["id"], "medium")
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual((order.state, order.shopify_risk_level, order.shopify_risk_hold), ("sale", "medium", False))
        self.assertFalse(self._risk_activities(order))
        # a shop that never holds: even a high risk is only recorded
        self.shop.risk_hold_threshold = "never"
        other = self.seed_order(seed=7)
        self.simulator.assess_order_risk(other["id"], "high")
        self.sync("order", other["id"])
        self.assertEqual(self.bound("order", other["id"]).state, "sale")


@tagged("post_install", "-at_install")
class TestFulfillmentHolds(ShopifyHttpCase):
    def _event(self, topic, payload):
        response = self.post_webhook(topic, payload, headers={"X-Shopify-Event-Id": str(uuid.uuid4())})
        self.assertEqual(response.status_code, 200)

    def _notes(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_hold_shows_on_the_delivery_once_and_its_release_too(self):
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertFalse(picking.shopify_on_hold)
        added = self.simulator.hold_fulfillment_order(seeded["id"], "incorrect_address", "Check the street")
        self._event("fulfillment_holds/added", added)
        self.perform_jobs()
        self._event("fulfillment_holds/added", added)  # delivered again after the first was handled
        self.perform_jobs()
        self.assertTrue(picking.shopify_on_hold)
        self.assertEqual(picking.shopify_hold_reason, "Incorrect address (Check the street)")
        self.assertEqual(len(self._notes(picking, "Shopify holds the fulfillment")), 1)
        job = self.sync_job("fulfillment_hold", added["fulfillment_order"]["id"].rsplit("/", 1)[1])
        self.assertEqual((job.state, job.outcome), ("done", "skipped"), "the second copy changed nothing")
        # released; then the added event comes again, late: the delivery shows Shopify's state now
        (released,) = self.simulator.release_fulfillment_holds(seeded["id"])
        self._event("fulfillment_holds/released", released)
        self.perform_jobs()
        self._event("fulfillment_holds/added", added)
        self.perform_jobs()
        self.assertFalse(picking.shopify_on_hold)
        self.assertEqual(len(self._notes(picking, "Shopify holds the fulfillment")), 1)
        self.assertEqual(len(self._notes(picking, "released the fulfillment hold")), 1)

    def test_hold_before_the_order_waits_for_it(self):
        seeded = self.seed_order()
        added = self.simulator.hold_fulfillment_order(seeded["id"], "high_risk_of_fraud")
        self._event("fulfillment_holds/added", added)
        self.dispatch()
        (hold_job,) = self.shopify_jobs()
        self.assertEqual(self._perform_one(hold_job.uuid), "retry", "the order is not in Odoo yet: retried")
        self._event("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.shopify_fulfillment_hold, "High risk of fraud")
        self.assertTrue(order.picking_ids.shopify_on_hold)
        self.assertEqual(len(self._notes(order, "Shopify holds the fulfillment")), 1)
