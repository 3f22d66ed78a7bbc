"""The team note: per object, who is the source, what it becomes, how it is matched, who retries.

Generated from the shop's configuration each time it is printed
(report ``shopify_sync.report_shopify_team_note``), so it is never out of date.
"""

from odoo import api, models

from ..services.labels import local_time
from ..services.rollout import MODES, OBJECTS, switch_field

# object -> (source system, target model, match key in words)
FLOWS = {
    "orders": ("Shopify", "sale.order", "Shopify order id (binding), then the odoo.sale_order metafield"),
    "customers": ("Shopify", "res.partner", "Shopify customer id (binding)"),
    "products": ("Shopify", "product.product", "Shopify variant id (binding)"),
    "fulfillments": ("Shopify", "stock.picking", "Shopify fulfillment id (binding)"),
    "refunds": ("Shopify", "account.move", "Shopify refund id (binding)"),
    "stock": ("Odoo", "stock.quant", "Shopify inventory item and mapped location"),
    "deliveries": ("Odoo", "stock.picking", "the Odoo delivery, sent once as a Shopify fulfillment"),
    "accounting": ("Odoo", "account.move", "payments and payouts, as the accounting rules set them"),
}


class ShopifyTeamNoteReport(models.AbstractModel):
    _name = "report.shopify_sync.report_shopify_team_note"
    _description = "Shopify team note"

    @api.model
    def _get_report_values(self, docids, data=None):
        return {
            "doc_ids": docids,
            "doc_model": "shopify.shop",
            "docs": self.env["shopify.shop"].browse(docids),
            "team_note": self,
        }

    @api.model
    def _rows(self, shop):
        """One row per object, from ``shop``'s configuration."""
        shop.ensure_one()
        modes = dict(MODES)
        protected = shop._protected_field_specs()
        owner = shop.user_id.name or self.env._("nobody: set a responsible user")
        rows = []
        for obj, (label, _types) in OBJECTS.items():
            source, target, match = FLOWS[obj]
            if obj == "products" and shop.match_product_by_sku:
                match += ", else the internal reference (SKU)"
            if obj == "customers" and shop.match_partner_by_email:
                match += ", else the one contact with the same email"
            model = self.env[target]
            rows.append(
                {
                    "object": label,
                    "mode": modes[shop[switch_field(obj)]],
                    "source": source,
                    "target": f"{model._description} ({target})",
                    "match": match,
                    "protected": ", ".join(spec for spec in protected if spec.rsplit(".", 1)[0] == target) or "-",
                    "owner": owner,
                }
            )
        return rows

    @api.model
    def _examples(self, shop):
        """The test examples run, from the readiness check."""
        examples = []
        if shop.selftest_at:
            examples.append(
                self.env._(
                    "Duplicate self-test %(result)s on %(when)s: %(note)s",
                    result=self.env._("passed") if shop.selftest_ok else self.env._("failed"),
                    when=local_time(self.env, shop.selftest_at),
                    note=shop.selftest_note,
                )
            )
        else:
            examples.append(self.env._("Duplicate self-test: not run yet."))
        awkward = self.env["shopify.selftest"]._awkward_case(shop)
        if awkward:
            examples.append(self.env["shopify.selftest"]._ready_awkward(shop)[1])
        for line in shop.readiness_line_ids.filtered(lambda line: line.code not in ("selftest", "awkward")):
            examples.append(f"{line.name}: {dict(line._fields['state'].selection)[line.state]} ({line.detail})")
        return examples
