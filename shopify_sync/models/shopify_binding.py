"""Where identity lives: a binding ties one Shopify resource of one shop to one Odoo record.

Each bound Odoo model has a binding model of its own (``shopify.partner.binding``,
``shopify.product.binding``, ``shopify.variant.binding``, ``shopify.order.binding``,
``shopify.fulfillment.binding``, ``shopify.refund.binding``), defined next to the Odoo
model it binds and built on the abstract ``shopify.binding`` below. Every binding
table is unique on (shop, Shopify id) and on (shop, Odoo record), and points at its
record with a real foreign key: one Odoo record can be bound to many shops, a
Shopify record to one Odoo record, and no binding ever points at nothing.

The importers go through the binder methods here (``_find``, ``_record``, ``_bind``,
``_of``) and never search Odoo records by Shopify id themselves.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from ..services.gid import admin_url
from ..services.resources import BINDING_RESOURCE_TYPES


class ShopifyBinding(models.AbstractModel):
    _name = "shopify.binding"
    _description = "Shopify binding"
    _order = "shop_id, id"
    _rec_name = "shopify_id"

    # The kind of record in the Shopify admin (services/gid.py).
    _shopify_admin_kind = None

    shop_id = fields.Many2one("shopify.shop", string="Store", required=True, ondelete="restrict", readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    shopify_id = fields.Char(
        string="Shopify ID", required=True, readonly=True, help="Shopify's numeric id (legacyResourceId)."
    )
    shopify_updated_at = fields.Datetime(
        string="Last Shopify Update",
        readonly=True,
        help="Shopify's updatedAt of the last version synced: older events are skipped.",
    )
    shopify_admin_url = fields.Char(string="Open in Shopify", compute="_compute_shopify_admin_url")
    sync_job_id = fields.Many2one("shopify.sync.job", compute="_compute_sync_job_id")

    _shopify_uniq = models.UniqueIndex(
        "(shop_id, shopify_id)", "This Shopify record is already bound to an Odoo record in this store."
    )

    def _compute_display_name(self):
        for binding in self:
            binding.display_name = f"{binding.shop_id.name}: {binding.shopify_id}"

    @property
    def _shopify_resource_type(self):
        """The sync job resource type of this binding's Shopify records (its handler's ``binding_models``)."""
        return BINDING_RESOURCE_TYPES.get(self._name)

    def _sync_job_resource(self):
        """(resource type, resource id) of the sync job that brings this binding's record."""
        return self._shopify_resource_type, self.shopify_id

    def _compute_shopify_admin_url(self):
        for binding in self:
            binding.shopify_admin_url = binding._admin_url()

    def _admin_url(self):
        return admin_url(self.shop_id.domain, self._shopify_admin_kind, self.shopify_id)

    def _compute_sync_job_id(self):
        jobs = self.env["shopify.sync.job"].sudo()
        for binding in self:
            resource_type, resource_id = binding._sync_job_resource()
            binding.sync_job_id = (
                resource_id
                and jobs.search(
                    [
                        ("shop_id", "=", binding.shop_id.id),
                        ("resource_type", "=", resource_type),
                        ("resource_id", "=", resource_id),
                    ],
                    limit=1,
                )
            ) or False

    # -- the binder --------------------------------------------------------------
    @api.model
    def _find(self, shop, shopify_id):
        """The binding of ``shopify_id`` in ``shop``, archived or not (empty when none).

        An archived binding (a product Shopify deleted) still holds its Shopify id: it is
        found, never bound a second time.
        """
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("shop_id", "=", shop.id), ("shopify_id", "=", str(shopify_id))], limit=1)
        )

    @api.model
    def _record(self, shop, shopify_id):
        """The Odoo record bound to ``shopify_id`` in ``shop``, archived or not (empty when none)."""
        record = self._find(shop, shopify_id).odoo_id.with_env(self.env)
        return record.with_context(active_test=False)

    @api.model
    def _of(self, shop, records):
        """The bindings of ``records`` in ``shop``."""
        return self.sudo().search([("shop_id", "=", shop.id), ("odoo_id", "in", records.ids)])

    @api.model
    def _bind(self, shop, shopify_id, record, **values):
        """Bind ``shopify_id`` of ``shop`` to ``record`` (or update that binding with ``values``).

        The unique indexes make a second binding impossible whatever the concurrency:
        a transaction that loses the race fails and its job is retried.
        """
        binding = self._find(shop, shopify_id)
        if binding and binding.odoo_id != record:
            raise ValidationError(
                self.env._(
                    "Shopify %(kind)s %(id)s of %(shop)s is already bound to %(record)s.",
                    kind=self._shopify_resource_type,
                    id=shopify_id,
                    shop=shop.name,
                    record=binding.odoo_id.display_name,
                )
            )
        if binding:
            if values:
                binding.write(values)
            return binding
        # A concurrent job binding the same record makes this insert fail on the unique index: an expected
        # race its retry settles, not a query to log as an error.
        with mute_logger("odoo.sql_db"):
            return self.sudo().create(dict(values, shop_id=shop.id, shopify_id=str(shopify_id), odoo_id=record.id))

    # -- integrity ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_record_free(vals.get("shop_id"), vals.get("odoo_id"))
        bindings = super().create(vals_list)
        bindings._check_binding_rules()
        return bindings

    def write(self, vals):
        result = super().write(vals)
        if {"shop_id", "odoo_id"} & set(vals):
            self._check_binding_rules()
        return result

    def _check_record_free(self, shop_id, record_id, binding=None):
        """One binding per record and store: the unique index would say so, this names the binding."""
        if not (shop_id and record_id):
            return
        domain = [("shop_id", "=", shop_id), ("odoo_id", "=", record_id)]
        if binding:
            domain.append(("id", "!=", binding.id))
        existing = self.sudo().search(domain, limit=1)
        if existing:
            raise ValidationError(
                self.env._(
                    "%(record)s is already bound in %(shop)s to Shopify id %(id)s.",
                    record=existing.odoo_id.display_name,
                    shop=existing.shop_id.name,
                    id=existing.shopify_id,
                )
            )

    def _check_binding_rules(self):
        """One binding per record and store, and only to records of the store's company."""
        for binding in self:
            record, shop = binding.odoo_id, binding.shop_id
            self._check_record_free(shop.id, record.id, binding=binding)
            company = record.company_id if "company_id" in record._fields else record.env["res.company"]
            if company and company != shop.company_id:
                raise ValidationError(
                    self.env._(
                        "%(record)s belongs to %(company)s: store %(shop)s (company %(shop_company)s) "
                        "can only bind records of its company or shared ones.",
                        record=record.display_name,
                        company=company.name,
                        shop=shop.name,
                        shop_company=shop.company_id.name,
                    )
                )


class ShopifyBoundMixin(models.AbstractModel):
    """An Odoo model whose records Shopify bindings point at (field ``shopify_binding_ids``)."""

    _name = "shopify.bound.mixin"
    _description = "Record bound to Shopify stores"

    def write(self, vals):
        # Insights from manual work (models/shopify_manual_edit.py): a user's edit of a synced field is noted.
        self.env["shopify.manual.edit"]._note_user_write(self, vals)
        return super().write(vals)

    def unlink(self):
        self._check_unbound()
        return super().unlink()

    def _shopify_bindings_blocking_unlink(self):
        """The bindings (one recordset per binding model) that keep these records from being deleted."""
        return [self.sudo().with_context(active_test=False).shopify_binding_ids]

    def _check_unbound(self):
        bindings = [b for b in self._shopify_bindings_blocking_unlink() if b]
        if bindings:
            raise UserError(
                self.env._(
                    "%(records)s cannot be deleted: bound to Shopify (%(bindings)s). Archive it instead, "
                    "or remove the bindings first.",
                    records=", ".join(name for b in bindings for name in b.odoo_id.mapped("display_name")),
                    bindings=", ".join(name for b in bindings for name in b.mapped("display_name")),
                )
            )

    def _shopify_binding(self, shop):
        """This record's binding in ``shop`` (empty when none)."""
        self.ensure_one()
        return self.sudo().shopify_binding_ids.filtered(lambda b: b.shop_id == shop)
