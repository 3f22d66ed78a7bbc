"""Fix a product mapping failure in one screen, then retry: the job is done, not just the mapping."""

from odoo import api, fields, models
from odoo.exceptions import UserError

FIX_MODES = [
    ("create", "Create a product with this SKU"),
    ("link", "Link an existing product"),
    ("fallback", "Use the shop's fallback product"),
]


class ShopifyProductFixWizard(models.TransientModel):
    _name = "shopify.product.fix.wizard"
    _description = "Fix a Shopify product mapping"

    sync_job_id = fields.Many2one("shopify.sync.job", required=True, readonly=True)
    shop_id = fields.Many2one(related="sync_job_id.shop_id")
    message = fields.Text(related="sync_job_id.message")
    sku = fields.Char(string="Shopify SKU", readonly=True)
    title = fields.Char(string="Shopify product", readonly=True)
    shopify_variant_id = fields.Char(readonly=True)
    shopify_product_id = fields.Char(readonly=True)
    mode = fields.Selection(FIX_MODES, required=True, default="create")
    name = fields.Char(string="New product name")
    product_id = fields.Many2one(
        "product.product", string="Odoo product", domain="[('sale_ok', '=', True), ('shopify_bound', '=', False)]"
    )
    fallback_product_id = fields.Many2one("product.product", string="Fallback product")
    related_count = fields.Integer(compute="_compute_related_count", string="Other failures of this SKU")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        job = self.env["shopify.sync.job"].browse(values.get("sync_job_id") or self.env.context.get("active_id"))
        hint = job.fix_hint or {}
        values.update(
            sync_job_id=job.id,
            sku=hint.get("default_code") or False,
            title=hint.get("title") or False,
            name=hint.get("title") or hint.get("default_code") or False,
            shopify_variant_id=hint.get("variant_id") or False,
            shopify_product_id=hint.get("product_id") or False,
            fallback_product_id=job.shop_id.fallback_product_id.id,
        )
        if hint.get("default_code"):
            same_sku = self.env["product.product"].search([("default_code", "=", hint["default_code"])], limit=1)
            if same_sku:
                values.update(mode="link", product_id=same_sku.id)
        return values

    def _related_jobs(self):
        """The other open failures of this shop on the same missing SKU or variant."""
        jobs = self.env["shopify.sync.job"].search(
            [
                ("shop_id", "=", self.shop_id.id),
                ("needs_action", "=", True),
                ("fix_model", "=", "product.product"),
                ("id", "!=", self.sync_job_id.id),
            ]
        )
        return jobs.filtered(
            lambda j: (j.fix_hint or {}).get("default_code") == self.sku
            or (self.shopify_variant_id and (j.fix_hint or {}).get("variant_id") == self.shopify_variant_id)
        )

    @api.depends("sync_job_id", "sku")
    def _compute_related_count(self):
        for wizard in self:
            wizard.related_count = len(wizard._related_jobs()) if wizard.sync_job_id else 0

    def action_apply(self):
        """Apply the fix, retry this job and the other failures it fixes, and go back to the job."""
        self.ensure_one()
        product = getattr(self, f"_fix_{self.mode}")()
        jobs = self.sync_job_id | self._related_jobs()
        fix = dict(self._fields["mode"]._description_selection(self.env))[self.mode]
        for job in jobs:
            job._post_history(self.env._("Fixed: %s", fix), product.display_name)
        jobs.action_retry()
        return {
            "type": "ir.actions.act_window",
            "res_model": "shopify.sync.job",
            "res_id": self.sync_job_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def _fix_create(self):
        if not self.name:
            raise UserError(self.env._("Give the new product a name."))
        product = self.env["product.product"].create(
            {"name": self.name, "default_code": self.sku or False, "sale_ok": True, "type": "consu"}
        )
        return self._link(product)

    def _fix_link(self):
        if not self.product_id:
            raise UserError(self.env._("Choose the Odoo product to link."))
        return self._link(self.product_id)

    def _fix_fallback(self):
        if not self.fallback_product_id:
            raise UserError(self.env._("Choose the fallback product."))
        self.shop_id.sudo().fallback_product_id = self.fallback_product_id
        return self.fallback_product_id

    def _link(self, product):
        """Bind the Shopify variant to ``product`` (or, for a line without variant, give it the SKU)."""
        if self.shopify_variant_id:
            self.env["shopify.variant.binding"]._bind(
                self.shop_id,
                self.shopify_variant_id,
                product,
                shopify_product_id=self.shopify_product_id or False,
            )
            if self.shopify_product_id:
                # The product's own sync fills in the inventory item (for stock pushes).
                jobs = self.env["shopify.sync.job"].sudo()
                jobs._ensure(self.shop_id, "product", self.shopify_product_id)._enqueue()
        elif self.sku and not product.default_code:
            product.default_code = self.sku
        return product
