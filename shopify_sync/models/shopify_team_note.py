"""The team note: per object, who is the source, what it becomes, how it is matched, who retries.

Generated from the shop's configuration each time it is printed
(report ``shopify_sync.report_shopify_team_note``), so it is never out of date.
"""

from odoo import models

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


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    def _team_note_rows(self):
        """One row per object, from the configuration."""
        self.ensure_one()
        modes = dict(MODES)
        protected = self._protected_field_specs()
        owner = self.user_id.name or self.env._("nobody: set a responsible user")
        rows = []
        for obj, (label, _types) in OBJECTS.items():
            source, target, match = FLOWS[obj]
            if obj == "products" and self.match_product_by_sku:
                match += ", else the internal reference (SKU)"
            if obj == "customers" and self.match_partner_by_email:
                match += ", else the one contact with the same email"
            model = self.env[target]
            rows.append(
                {
                    "object": label,
                    "mode": modes[self[switch_field(obj)]],
                    "source": source,
                    "target": f"{model._description} ({target})",
                    "match": match,
                    "protected": ", ".join(spec for spec in protected if spec.rsplit(".", 1)[0] == target) or "-",
                    "owner": owner,
                }
            )
        return rows

    def _team_note_examples(self):
        """The test examples run, from the readiness check."""
        examples = []
        if self.selftest_at:
            examples.append(
                self.env._(
                    "Duplicate self-test %(result)s on %(when)s: %(note)s",
                    result=self.env._("passed") if self.selftest_ok else self.env._("failed"),
                    when=local_time(self.env, self.selftest_at),
                    note=self.selftest_note,
                )
            )
        else:
            examples.append(self.env._("Duplicate self-test: not run yet."))
        awkward = self._awkward_case()
        if awkward:
            examples.append(self._ready_awkward()[1])
        for line in self.readiness_line_ids.filtered(lambda line: line.code not in ("selftest", "awkward")):
            examples.append(f"{line.name}: {dict(line._fields['state'].selection)[line.state]} ({line.detail})")
        return examples
