"""The accounting settings of a shop: invoices, payments, gift cards and Shopify Payments payouts."""

from odoo import api, fields, models

from ..services.identity import payout_list_key

INVOICE_POLICIES = [("never", "Never"), ("on_paid", "When paid"), ("on_fulfilled", "When fulfilled")]


class ShopifyShop(models.Model):
    _name = "shopify.shop"
    _inherit = "shopify.shop"

    invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        default="never",
        required=True,
        help="When the sale order of a Shopify order is invoiced. The invoice is posted only if its total equals "
        "Shopify's within the tolerance; the order's Shopify transactions become payments reconciled with it.",
    )
    accounting_start_date = fields.Date(
        help="The first day of the books kept in Odoo: no invoice, payment or credit note of an order is "
        "booked for money that moved before it (the former books hold it). Empty: set to the day the "
        "first import of orders starts.",
    )
    gateway_mapping_ids = fields.One2many("shopify.gateway.mapping", "shop_id", string="Payment Gateways")
    post_credit_notes = fields.Boolean(
        help="Post a refund's credit note when it equals the money Shopify refunded; otherwise it stays draft."
    )
    gift_card_product_id = fields.Many2one(
        "product.product",
        help="Used for gift cards sold: a service whose income account is the gift-card liability account.",
    )
    gift_card_account_id = fields.Many2one(
        "account.account",
        string="Gift-Card Liability Account",
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current'))]",
    )
    payout_journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', 'in', ('bank', 'general')), ('company_id', '=', company_id)]",
        help="Journal of the payout entries (typically the Shopify Payments clearing journal).",
    )
    payout_clearing_account_id = fields.Many2one(
        "account.account",
        string="Shopify Payments Clearing Account",
        help="Where Shopify Payments payments wait for their payout: the outstanding receipts account of the "
        "journal mapped to the shopify_payments gateway.",
    )
    payout_transit_account_id = fields.Many2one(
        "account.account",
        string="Payouts in Transit Account",
        help="Each payout's net amount lands here as one line, to be matched with the bank deposit.",
    )
    payout_fee_account_id = fields.Many2one("account.account", string="Payment Fees Account")
    payout_dispute_account_id = fields.Many2one(
        "account.account",
        string="Disputes and Adjustments Account",
        help="Chargebacks, reserves and adjustments of the Shopify Payments balance.",
    )
    last_payout_import_at = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _cron_import_payouts(self):
        for shop in self.search([("sync_enabled", "=", True), ("payout_journal_id", "!=", False)]):
            shop._enqueue_payout_list()

    def action_import_payouts(self):
        """*Import payouts now*: one job lists the payouts, one job per payout books it (each once)."""
        for shop in self:
            shop._enqueue_payout_list()
        return True

    def _enqueue_payout_list(self):
        self.ensure_one()
        self.env["shopify.sync.job"].sudo()._ensure(self, "payout_list", payout_list_key())
        return self.env["shopify.sync.job"].sudo()._enqueue_resource(self.id, "payout_list", payout_list_key())
