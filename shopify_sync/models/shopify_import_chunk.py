"""One byte range of an import run's export file, imported by a queue job of its own (a lane).

The run's cut step (shopify_import_run.py) streams the file once and
records where each chunk of records starts and ends; the chunk jobs then import
their ranges side by side. A chunk's records, its counts and its position are
one transaction: a chunk job killed in the middle is read again from the
position before it.
"""

from odoo import fields, models

CHUNK_STATES = [("pending", "Pending"), ("done", "Done")]
COUNT_FIELDS = ("created_count", "linked_count", "updated_count", "skipped_count", "failed_count", "deferred_count")


class ShopifyImportCounts(models.AbstractModel):
    """What an import run, and each of its chunks, did with its records (COUNT_FIELDS)."""

    _name = "shopify.import.counts"
    _description = "Shopify Import Counts"

    created_count = fields.Integer(readonly=True)
    linked_count = fields.Integer(readonly=True)
    updated_count = fields.Integer(readonly=True)
    skipped_count = fields.Integer(readonly=True)
    failed_count = fields.Integer(readonly=True)
    deferred_count = fields.Integer(
        readonly=True, help="Records another job was syncing at the time: their own sync job brings them."
    )


class ShopifyImportChunk(models.Model):
    _name = "shopify.import.chunk"
    _inherit = ["shopify.import.counts"]
    _description = "Shopify Import Chunk"
    _order = "run_id, sequence"

    run_id = fields.Many2one("shopify.import.run", required=True, ondelete="cascade", index=True, readonly=True)
    sequence = fields.Integer(required=True, readonly=True)
    start_offset = fields.Integer(readonly=True, help="Byte position of the chunk's first line in the export file.")
    start_line = fields.Integer(readonly=True, help="Lines of the file before the chunk.")
    end_offset = fields.Integer(readonly=True, help="Byte position just past the chunk's last line.")
    end_line = fields.Integer(readonly=True, help="Number of the chunk's last line.")
    read_offset = fields.Integer(readonly=True, help="Byte position after the last saved part of the chunk.")
    rows_read = fields.Integer(readonly=True, help="Lines of the file up to the last saved part of the chunk.")
    state = fields.Selection(CHUNK_STATES, default="pending", required=True, readonly=True)
    unreadable_lines = fields.Text(readonly=True)

    _run_sequence_unique = models.Constraint("UNIQUE (run_id, sequence)", "One chunk per position in a run.")
