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
from .shopify_shop import _notify

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


class ShopifyShop(models.Model):
    # The shop's concerns live in one file each (connection, sync, authentication, webhooks).
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    webhook_subscription_ids = fields.One2many("shopify.webhook.subscription", "shop_id", string="Subscriptions")
    manage_webhooks = fields.Boolean(
        string="Odoo manages webhooks",
        copy=False,
        help="Set by Register webhooks: the daily check then re-creates subscriptions Shopify dropped.",
    )
    webhooks_ok_at = fields.Datetime(
        string="Webhooks last complete", readonly=True, copy=False, help="The last check that found every subscription."
    )
    webhooks_checked_at = fields.Datetime(string="Webhooks checked", readonly=True, copy=False)
    compliance_webhook_help = fields.Char(compute="_compute_compliance_webhook_help")

    @api.depends("webhook_url")
    def _compute_compliance_webhook_help(self):
        for shop in self:
            shop.compliance_webhook_help = self.env._(
                "The compliance topics (%(topics)s) can only be set in the app's configuration in the Dev "
                "Dashboard (Versions > Compliance webhooks), not by API: paste %(url)s there.",
                topics=", ".join(subs.COMPLIANCE_TOPICS),
                url=shop.webhook_url,
            )

    # -- buttons and cron --------------------------------------------------------------
    def action_register_webhooks(self):
        """Make Shopify hold exactly the subscriptions the shop needs; running it again changes nothing."""
        self.ensure_one()
        try:
            changes, done = self._sync_webhook_subscriptions(actions=("create", "update", "delete"))
        except SyncError as err:
            return _notify(str(err), "danger")
        self.manage_webhooks = True
        self.webhooks_ok_at = fields.Datetime.now()
        return _notify(
            self.env._(
                "%(count)s topics subscribed at %(url)s; %(done)s change(s) made in Shopify.",
                count=len([c for c in changes if c.state != "extra"]),
                url=self.webhook_url,
                done=done,
            ),
            "success",
        )

    def action_check_webhooks(self):
        self.ensure_one()
        try:
            repaired = self._check_webhooks()
        except SyncError as err:
            return _notify(str(err), "danger")
        if repaired:
            return _notify(
                self.env._(
                    "Re-created %(topics)s; the changes since %(since)s are being reconciled.",
                    topics=", ".join(repaired),
                    since=self.webhooks_ok_at,
                ),
                "warning",
            )
        return _notify(self.env._("Every webhook subscription is in place."), "success")

    @api.model
    def _cron_check_webhooks(self):
        for shop in self.search([("manage_webhooks", "=", True), ("sync_enabled", "=", True)]):
            try:
                shop._check_webhooks()
            except SyncError as err:
                _logger.warning("Shopify webhook check of %s failed: %s", shop.name, err)

    # -- the work --------------------------------------------------------------------------
    def _check_webhooks(self):
        """Compare Shopify with what is needed; re-create missing or wrong ones; returns their topics.

        When one had to be repaired, webhooks were lost: an activity tells the
        responsible, and the reconciliation fetches what changed since the
        last complete check.
        """
        self.ensure_one()
        gap_since = self.webhooks_ok_at or self.last_reconciled_at
        changes, _done = self._sync_webhook_subscriptions(actions=("create", "update"))
        repaired = [c.topic for c in changes if c.state in ("missing", "wrong")]
        now = fields.Datetime.now()
        if repaired:
            self._report_lost_webhooks(repaired, gap_since)
            self._reconcile_gap(gap_since or now - timedelta(days=1))
        self.webhooks_ok_at = now
        return repaired

    def _sync_webhook_subscriptions(self, actions):
        """Apply the plan's changes of the given kinds; record the table; returns (plan, changes made)."""
        uri = self.webhook_url
        needed = subs.needed_topics(self.stock_authority)
        done = 0
        with self._graphql_client() as client:
            existing = self._list_subscriptions(client)
            changes = subs.plan(needed, existing, uri)
            for change in changes:
                if change.action in actions:
                    self._apply_change(client, change, uri, needed)
                    done += 1
        self._record_subscription_table(changes)
        return changes, done

    @staticmethod
    def _list_subscriptions(client):
        return list(client.paginate(subs.LIST_QUERY, "webhookSubscriptions", page_size=PAGE_SIZE))

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

    def _record_subscription_table(self, changes):
        """The table on the shop form: the state found by this run, one line per subscription."""
        now = fields.Datetime.now()
        table = self.env["shopify.webhook.subscription"].sudo()
        table.search([("shop_id", "=", self.id)]).unlink()
        table.create(
            [
                {
                    "shop_id": self.id,
                    "topic": change.topic,
                    "state": change.state,
                    "shopify_subscription_id": change.subscription_id,
                    "uri": change.uri,
                    "checked_at": now,
                }
                for change in changes
            ]
        )
        self.webhooks_checked_at = now

    def _report_lost_webhooks(self, topics, since):
        note = self.env._(
            "Shopify no longer held the subscriptions %(topics)s (it deletes one after 8 failed deliveries): "
            "they were re-created, and the changes since %(since)s are reconciled. Check why deliveries failed.",
            topics=", ".join(topics),
            since=since or self.env._("the last day"),
        )
        self.activity_schedule(
            "shopify_sync.mail_activity_type_sync_failure",
            summary=self.env._("Shopify webhooks were lost: %s", self.name)[:250],
            note=note,
            user_id=(self.user_id or self.env.ref("base.user_admin")).id,
        )

    def _reconcile_gap(self, since):
        since = since - timedelta(hours=self.reconcile_overlap_hours)
        self.with_delay(
            channel=const.CHANNEL_ROOT,
            identity_key=reconcile_identity_key(self.id),
            description=f"Shopify reconciliation after lost webhooks: {self.name}",
        ).reconcile(fields.Datetime.to_string(since))
