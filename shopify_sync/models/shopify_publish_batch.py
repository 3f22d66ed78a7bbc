"""Publishing many products at once, with one Shopify bulk mutation.

A batch publishes the not yet published products of one shop: *start* builds each
product's productSet variables (upserting by the product's handle, as a single publish
does), uploads them as one JSONL file to a staged upload target and asks Shopify to run
``productSet`` once per line (``bulkOperationRunMutation``); *poll* waits for the
operation (a new job with an eta each time, as an import does); *read* goes through the
result file, one line per product in the order they were sent, and binds each product
created (``ProductPushHandler._bind_created``: bindings, echo, snapshot) or records the
user error on that product's own sync job. One failing product does not stop the others,
and a read done twice binds nothing twice (bindings are found again, the handle finds
the product Shopify created). Every call goes through the shop's rate budget; the lines
themselves cost Shopify's bucket nothing.
"""

import json
import logging
from datetime import timedelta

import requests

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..importers.product_push import ProductPushHandler
from ..services import bulk_reader
from ..services.errors import DataConflictError, ShopifyUserError, SyncError, TemporaryError, ThrottledError
from ..services.queries import BULK_RUN_MUTATION, PRODUCT_SET, STAGED_UPLOADS_CREATE
from ..services.retry_policy import MAX_ATTEMPTS
from ..services.shopify_enums import BULK_COMPLETED, BULK_MUTATION_LIMIT_CODES, BULK_WAITING_STATUSES

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Waiting"),
    ("running", "Publishing in Shopify"),
    ("reading", "Binding"),
    ("done", "Done"),
    ("failed", "Failed"),
]
MAX_POLL_SECONDS = 60
UPLOAD_TIMEOUT = 60


class ShopifyPublishBatch(models.Model):
    _name = "shopify.publish.batch"
    _inherit = ["shopify.bulk.step"]
    _description = "Shopify Bulk Publication"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    product_tmpl_ids = fields.Many2many("product.template", string="Products", readonly=True)
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, index=True)
    line_templates = fields.Json(readonly=True, copy=False, help="The product of each line of the file, in order.")
    staged_upload_path = fields.Char(readonly=True, copy=False)
    created_count = fields.Integer(readonly=True)
    failed_count = fields.Integer(readonly=True)
    message = fields.Text(readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)

    @api.depends("shop_id.name", "product_tmpl_ids")
    def _compute_display_name(self):
        for batch in self:
            batch.display_name = self.env._(
                "Publication of %(count)s products to %(shop)s",
                count=len(batch.product_tmpl_ids),
                shop=batch.shop_id.name,
            )

    # -- enqueueing ------------------------------------------------------------
    def _enqueue_step(self, step, seconds=None):
        self.ensure_one()
        eta = fields.Datetime.now() + timedelta(seconds=seconds) if seconds else None
        delayed = self.with_delay(
            channel=const.CHANNEL_PRODUCT,
            identity_key=f"shopify_sync:{self.shop_id.id}:publish:{self.id}:{step}:{self.poll_count}",
            description=f"Shopify publication of products ({self.shop_id.name}): {step}",
            eta=eta,
            max_retries=MAX_ATTEMPTS,
        )
        return getattr(delayed, f"publish_{step}")()

    def _poll_seconds(self):
        configured = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.import_poll_seconds")
        if configured not in (None, False, ""):
            return max(float(configured), 0.0)
        return min(2 * 1.5**self.poll_count, MAX_POLL_SECONDS)

    def _sync_job(self, template):
        jobs = self.env["shopify.sync.job"].sudo()
        return jobs._ensure(self.shop_id, const.PRODUCT_PUSH, str(template.id))

    # -- step 1: upload the lines and start the bulk mutation ------------------------
    def publish_start(self):
        """Queue job: the productSet variables of each product as a JSONL file, run in bulk by Shopify."""
        self.ensure_one()
        if self.state != "draft":
            return f"Batch {self.id} is {self.state}: nothing to start."
        handler = ProductPushHandler(self.env, self.shop_id)
        bindings = self.env["shopify.product.binding"]
        templates = self.product_tmpl_ids.exists()
        bound = bindings._of(self.shop_id, templates).odoo_id
        if bound:  # published meanwhile: their changes are pushed one by one
            self.shop_id._schedule_product_push(bound, eta=0)
        lines, order = [], []
        try:
            for template in templates - bound:
                try:
                    with self.env.cr.savepoint():
                        lines.append(handler._create_line(template).variables)
                        order.append(template.id)
                except TemporaryError:
                    raise
                except SyncError as err:
                    self._product_failed(template, err)
        except TemporaryError as err:
            self._retry_or_fail(err)
            return self.message
        finally:
            handler.close()
        if not lines:
            return self._finish()
        path = self._upload(lines)
        if path is None:
            return self.message
        data = self._call(
            BULK_RUN_MUTATION,
            {"mutation": PRODUCT_SET, "stagedUploadPath": path, "clientIdentifier": f"odoo-publish-{self.id}"},
        )
        if data is None:
            return self.message
        payload = data.get("bulkOperationRunMutation") or {}
        errors = payload.get("userErrors") or []
        if any(err.get("code") in BULK_MUTATION_LIMIT_CODES for err in errors):
            self.message = self.env._("Waiting: Shopify is already running as many bulk mutations as it allows.")
            self.poll_count += 1
            self._enqueue_step("start", seconds=max(self._poll_seconds(), 1) * 5)
            return self.message
        operation = payload.get("bulkOperation") or {}
        if errors or not operation.get("id"):
            detail = "; ".join(err.get("message") or "" for err in errors) or self.env._("no bulk operation returned")
            # Each product then gets its own push: published, or refused with its own reason.
            self.shop_id._schedule_product_push(self.env["product.template"].browse(order), eta=0)
            return self._fail(
                self.env._("Shopify refused the bulk publication (%s): the products are published one by one.", detail)
            )
        self.write(
            {
                "state": "running",
                "line_templates": order,
                "staged_upload_path": path,
                "bulk_operation_gid": operation["id"],
                "bulk_status": operation.get("status"),
                "started_at": fields.Datetime.now(),
                "message": False,
            }
        )
        self._enqueue_step("poll", seconds=self._poll_seconds())
        return f"Bulk operation {operation['id']} started with {len(lines)} products."

    def _upload(self, lines):
        """The staged upload path of the JSONL file of ``lines``, or None (the batch failed or is retried)."""
        body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()
        staged = {
            "resource": "BULK_MUTATION_VARIABLES",
            "filename": f"publish-{self.id}.jsonl",
            "mimeType": "text/jsonl",
            "httpMethod": "POST",
        }
        data = self._call(STAGED_UPLOADS_CREATE, {"input": [staged]})
        if data is None:
            return None
        payload = data.get("stagedUploadsCreate") or {}
        targets = payload.get("stagedTargets") or []
        if payload.get("userErrors") or not targets:
            detail = "; ".join(e.get("message") or "" for e in payload.get("userErrors") or [])
            self._fail(self.env._("Shopify gave no upload target for the products: %s", detail or "-"))
            return None
        target = targets[0]
        form = {p["name"]: p["value"] for p in target.get("parameters") or []}
        try:
            response = requests.post(
                target["url"],
                data=form,
                files={"file": (staged["filename"], body, "text/jsonl")},
                timeout=UPLOAD_TIMEOUT,
            )
        except requests.RequestException as exc:
            self._retry_or_fail(TemporaryError(self.env._("The products' file could not be uploaded: %s", exc)))
            return None
        if response.status_code >= 300:
            self._retry_or_fail(
                TemporaryError(self.env._("The products' file was refused (HTTP %s).", response.status_code))
            )
            return None
        return form.get("key")

    # -- step 2: wait for it ---------------------------------------------------------
    def publish_poll(self):
        """Queue job: look at the bulk mutation; look again later, bind its results, or say why it failed."""
        self.ensure_one()
        if self.state != "running":
            return f"Batch {self.id} is {self.state}: nothing to poll."
        operation = self._poll_operation()
        if operation is None:
            return self.message
        status = operation.get("status")
        if status in BULK_WAITING_STATUSES:
            self._enqueue_step("poll", seconds=self._poll_seconds())
            return f"Still {status}."
        if status == BULK_COMPLETED and operation.get("url"):
            self.write({"state": "reading", "result_url": operation["url"]})
            self._enqueue_step("read")
            return "Completed: binding the products."
        message = self.env._(
            "Shopify's bulk publication ended %(status)s (%(code)s): the products it did not report "
            "are published again one by one.",
            status=status or "-",
            code=operation.get("errorCode") or "-",
        )
        self._republish_unread(message)
        return self._fail(message)

    # -- step 3: bind what Shopify created ----------------------------------------------
    def publish_read(self):
        """Queue job: each line of the result binds its product, or fails that product alone."""
        self.ensure_one()
        if self.state != "reading":
            return f"Batch {self.id} is {self.state}: nothing to read."
        order = list(self.line_templates or [])
        templates = self.env["product.template"].with_context(active_test=False).browse(order).exists()
        seen = set()
        handler = ProductPushHandler(self.env, self.shop_id)
        try:
            with bulk_reader.open_lines(self.result_url) as lines:
                for _offset, raw in lines:
                    if raw.strip():
                        seen.add(self._read_line(handler, raw, order, templates))
        except bulk_reader.ResultExpired as err:
            self._republish_unread(str(err), seen)
            return self._fail(str(err))
        except TemporaryError as err:
            self._retry_or_fail(err)
            return self.message
        finally:
            handler.close()
        self._republish_unread(self.env._("Shopify's result file did not report this product."), seen)
        return self._finish()

    def _read_line(self, handler, raw, order, templates):
        """Bind or fail the product of one result line; the product's id (None for an unreadable line)."""
        try:
            line = json.loads(raw)
            template_id = order[int(line["__lineNumber"])]
        except (ValueError, KeyError, IndexError, TypeError):
            _logger.warning("Shopify publication %s: unreadable result line %r", self.id, raw[:200])
            return None
        template = templates.filtered(lambda t: t.id == template_id)
        if not template:
            return template_id
        payload = ((line.get("data") or {}).get("productSet")) or {}
        user_errors = payload.get("userErrors") or []
        product = payload.get("product")
        if line.get("errors") or user_errors or not product:
            detail = "; ".join(e.get("message") or "" for e in (line.get("errors") or []) + user_errors)
            error = ShopifyUserError(
                self.env._(
                    "%(product)s was not published to %(shop)s: Shopify answered %(detail)s",
                    product=template.display_name,
                    shop=self.shop_id.name,
                    detail=detail or self.env._("no product"),
                ),
                user_errors=user_errors,
                retry_advice=self.env._("Retry after correcting the product: publishing it again upserts by handle."),
                fix_model="product.template",
            )
            self._product_failed(template, error)
            return template_id
        sync_job = self._sync_job(template)
        started = fields.Datetime.now()
        try:
            with self.env.cr.savepoint():
                result = handler._bind_created(template, handler._create_line(template, check=False), product)
        except SyncError as err:
            self._product_failed(template, err)
            return template_id
        except Exception as exc:  # noqa: BLE001 - Odoo refused one product's binding: that product fails alone
            self._product_failed(template, DataConflictError(self.env._("Odoo refused the binding: %s", exc)))
            return template_id
        sync_job._record_success(result, started)
        self.created_count += 1
        return template_id

    def _product_failed(self, template, error):
        self._sync_job(template)._record_failure(error, final=True, in_transaction=True)
        self.failed_count += 1

    def _republish_unread(self, reason, seen=()):
        """The products no result line reported: published one by one (their handle finds any made)."""
        order = [tid for tid in (self.line_templates or []) if tid not in seen]
        templates = self.env["product.template"].browse(order).exists()
        if templates:
            _logger.info("Shopify publication %s: %s products again one by one (%s)", self.id, len(templates), reason)
            self.shop_id._schedule_product_push(templates, eta=0)

    # -- shared -----------------------------------------------------------------
    def _refused_message(self, error):
        return self.env._("Shopify refused the publication: %s", error)

    def _retry_or_fail(self, error):
        uuid = self.env.context.get("job_uuid")
        job = uuid and self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        throttled = isinstance(error, ThrottledError)
        if job and job.max_retries and job.retry + 1 >= job.max_retries and not throttled:
            self._fail(self.env._("Shopify kept failing, the publication stopped: %s", error))
            return
        seconds = int(error.retry_after) if error.retry_after else None
        raise RetryableJobError(str(error), seconds=seconds, ignore_retry=throttled) from error

    def _fail(self, message):
        self.write({"state": "failed", "message": message, "finished_at": fields.Datetime.now()})
        _logger.warning("Shopify publication %s to %s failed: %s", self.id, self.shop_id.name, message)
        return message

    def _finish(self):
        self.write({"state": "done", "finished_at": fields.Datetime.now(), "message": False})
        return self.env._(
            "Done: %(created)s published, %(failed)s failed.", created=self.created_count, failed=self.failed_count
        )
