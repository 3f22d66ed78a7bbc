"""Webhook subscriptions managed by Odoo: register them, check them daily, repair what Shopify dropped.

Shopify deletes a subscription after 8 failed deliveries in a row (a long
outage of Odoo, say), silently. The check re-creates it, raises an activity,
and reconciles the gap: what changed while no webhook came.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..services import webhook_subscriptions as subs
from ..services.errors import ConfigurationError, ShopifyUserError, SyncError
from ..services.identity import reconcile_identity_key

_logger = logging.getLogger(__name__)

STATES = [("ok", "OK"), ("missing", "Missing"), ("wrong", "Wrong URL or format"), ("extra", "Extra (not needed)")]
PAGE_SIZE = 100


class ShopifyWebhookSubscription(models.Model):
    _name = "shopify.webhook.subscription"
    _description = "Shopify Webhook Subscription"
    _order = "shop_id, topic, state"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    topic = fields.Char(required=True)
    state = fields.Selection(STATES, required=True)
    shopify_subscription_id = fields.Char(string="Shopify ID")
    uri = fields.Char(string="URL in Shopify")
    checked_at = fields.Datetime(required=True)

    # -- the work: each method takes the shop it works for -----------------------------
    @api.model
    def _cron_check(self):
        """The daily check of the shops whose webhooks Odoo manages."""
        for shop in self.env["shopify.shop"].search([("manage_webhooks", "=", True), ("sync_enabled", "=", True)]):
            try:
                self._check_shop(shop)
            except SyncError as err:
                _logger.warning("Shopify webhook check of %s failed: %s", shop.name, err)

    @api.model
    def _check_shop(self, shop):
        """Compare Shopify with what ``shop`` needs; re-create missing or wrong ones; returns their topics.

        When one had to be repaired, webhooks were lost: an activity tells the
        responsible, and the reconciliation fetches what changed since the
        last complete check.
        """
        shop.ensure_one()
        gap_since = shop.webhooks_ok_at or shop.last_reconciled_at
        changes, _done = self._sync_shop(shop, actions=("create", "update"))
        repaired = [c.topic for c in changes if c.state in ("missing", "wrong")]
        now = fields.Datetime.now()
        if repaired:
            self._report_lost(shop, repaired, gap_since)
            self._reconcile_gap(shop, gap_since or now - timedelta(days=1))
        shop.webhooks_ok_at = now
        return repaired

    @api.model
    def _sync_shop(self, shop, actions):
        """Apply the plan's changes of the given kinds; record the table; returns (plan, changes made)."""
        uri = shop.webhook_url
        needed = subs.needed_topics(shop.stock_authority)
        done = 0
        with shop._graphql_client() as client:
            existing = self._list_subscriptions(client)
            changes = subs.plan(needed, existing, uri)
            for change in changes:
                if change.action in actions:
                    self._apply_change(client, change, uri, needed)
                    done += 1
        self._record_table(shop, changes)
        return changes, done

    @staticmethod
    def _list_subscriptions(client):
        return list(client.paginate(subs.LIST_QUERY, "webhookSubscriptions", page_size=PAGE_SIZE))

    @api.model
    def _apply_change(self, client, change, uri, needed):
        try:
            if change.action == "create":
                client.mutate(
                    subs.CREATE_MUTATION,
                    {
                        "topic": subs.topic_enum(change.topic),
                        "subscription": subs.subscription_input(uri, needed[change.topic]),
                    },
                    "webhookSubscriptionCreate",
                )
            elif change.action == "update":
                client.mutate(
                    subs.UPDATE_MUTATION,
                    {"id": change.subscription_id, "subscription": subs.subscription_input(uri, needed[change.topic])},
                    "webhookSubscriptionUpdate",
                )
            elif change.action == "delete":
                client.mutate(subs.DELETE_MUTATION, {"id": change.subscription_id}, "webhookSubscriptionDelete")
        except ShopifyUserError as err:
            raise ConfigurationError(
                self.env._("Shopify refused the %(topic)s subscription: %(error)s", topic=change.topic, error=err),
                fix_model="shopify.shop",
            ) from err

    @api.model
    def _record_table(self, shop, changes):
        """The table on the shop form: the state found by this run, one line per subscription."""
        now = fields.Datetime.now()
        table = self.sudo()
        table.search([("shop_id", "=", shop.id)]).unlink()
        table.create(
            [
                {
                    "shop_id": shop.id,
                    "topic": change.topic,
                    "state": change.state,
                    "shopify_subscription_id": change.subscription_id,
                    "uri": change.uri,
                    "checked_at": now,
                }
                for change in changes
            ]
        )
        shop.webhooks_checked_at = now

    @api.model
    def _report_lost(self, shop, topics, since):
        note = self.env._(
            "Shopify no longer held the subscriptions %(topics)s (it deletes one after 8 failed deliveries): "
            "they were re-created, and the changes since %(since)s are reconciled. Check why deliveries failed.",
            topics=", ".join(topics),
            since=since or self.env._("the last day"),
        )
        shop.activity_schedule(
            "shopify_sync.mail_activity_type_sync_failure",
            summary=self.env._("Shopify webhooks were lost: %s", shop.name)[:250],
            note=note,
            user_id=(shop.user_id or self.env.ref("base.user_admin")).id,
        )

    @api.model
    def _reconcile_gap(self, shop, since):
        since = since - timedelta(hours=shop.reconcile_overlap_hours)
        shop.with_delay(
            channel=const.CHANNEL_ROOT,
            identity_key=reconcile_identity_key(shop.id),
            description=f"Shopify reconciliation after lost webhooks: {shop.name}",
        ).reconcile(fields.Datetime.to_string(since))
