"""Invoices and payout entries bound to Shopify (credit notes: shopify.refund.binding, account_move.py)."""

from odoo import fields, models


class ShopifyInvoiceBinding(models.Model):
    """A Shopify order as its customer invoice: one invoice per Shopify order and store."""

    _name = "shopify.invoice.binding"
    _inherit = "shopify.binding"
    _description = "Shopify invoice binding"
    _shopify_admin_kind = "order"

    odoo_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="restrict")

    _record_uniq = models.UniqueIndex("(odoo_id)", "This invoice already belongs to a Shopify order.")


class ShopifyPayoutBinding(models.Model):
    """A Shopify Payments payout as its journal entry: one entry per payout."""

    _name = "shopify.payout.binding"
    _inherit = "shopify.binding"
    _description = "Shopify payout binding"

    odoo_id = fields.Many2one("account.move", string="Payout Entry", required=True, ondelete="restrict")
    net_amount = fields.Float(readonly=True)
    status = fields.Char(readonly=True)

    _record_uniq = models.UniqueIndex("(odoo_id)", "This entry already belongs to a Shopify payout.")


class ShopifyBalanceTransactionBinding(models.Model):
    """A Shopify Payments balance transaction as its line of the payout entry: one line per transaction."""

    _name = "shopify.balance.transaction.binding"
    _inherit = "shopify.binding"
    _description = "Shopify balance transaction binding"

    odoo_id = fields.Many2one("account.move.line", string="Journal Item", required=True, ondelete="restrict")
    payout_shopify_id = fields.Char(string="Shopify Payout ID", readonly=True)
    transaction_type = fields.Char(readonly=True)
    amount = fields.Float(readonly=True)
    fee = fields.Float(readonly=True)

    _record_uniq = models.UniqueIndex("(odoo_id)", "This journal item already belongs to a balance transaction.")

    def _sync_job_resource(self):
        return self._shopify_resource_type, self.payout_shopify_id


class AccountMove(models.Model):
    _inherit = "account.move"

    shopify_invoice_binding_ids = fields.One2many(
        "shopify.invoice.binding", "odoo_id", string="Shopify Orders Invoiced", readonly=True, copy=False
    )
    shopify_payout_binding_ids = fields.One2many(
        "shopify.payout.binding", "odoo_id", string="Shopify Payouts", readonly=True, copy=False
    )

    def _shopify_bindings_blocking_unlink(self):
        records = self.sudo().with_context(active_test=False)
        return super()._shopify_bindings_blocking_unlink() + [
            records.shopify_invoice_binding_ids,
            records.shopify_payout_binding_ids,
        ]
