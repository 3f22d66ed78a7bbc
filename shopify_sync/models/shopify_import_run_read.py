"""Step 4 of an import run: a chunk job imports its byte range of the export file (see shopify_import_run.py)."""

import logging
import time
from collections import Counter
from itertools import takewhile

import psycopg2

from odoo import models

from odoo.addons.queue_job.exception import RetryableJobError

from ..services import bulk
from ..services.bulk_reader import ResultExpired, open_lines
from ..services.db import independent_env
from ..services.errors import DataConflictError, TemporaryError
from ..services.gid import numeric_id
from .shopify_sync_job_import import DEFERRED, FAILED

_logger = logging.getLogger(__name__)

COUNTERS = {
    "created": "created_count",
    "linked": "linked_count",
    "updated": "updated_count",
    FAILED: "failed_count",
    DEFERRED: "deferred_count",
}
MAX_UNREADABLE_NOTES = 50


def import_result(outcome):
    """The result line's word for a record's outcome: created, linked, present (already there), failed;
    None for a record handed to its sync job (its outcome comes later)."""
    if outcome == DEFERRED:
        return None
    return {"created": "created", "linked": "linked", FAILED: "failed"}.get(outcome, "present")


class ShopifyImportRun(models.Model):
    _inherit = "shopify.import.run"  # pylint: disable=consider-merging-classes-inherited

    def import_chunk(self, sequence):
        """Queue job: import the records of chunk ``sequence`` from its saved position; then the lane's next chunk.

        The chunk's records, counts and position are one transaction: a job killed
        in the middle leaves the position before it, and its retry reads that part again.
        """
        self.ensure_one()
        chunk = self.chunk_ids.filtered(lambda c: c.sequence == sequence)
        if self.state != "reading" or not chunk or chunk.state == "done":
            return f"Run {self.id} is {self.state}: nothing to read in chunk {sequence}."
        try:
            return self._read_chunk(chunk)
        except (RetryableJobError, psycopg2.OperationalError):
            raise  # queue_job retries these (throttling, a concurrent update, a lost connection)
        except Exception as err:
            # Not a Shopify failure (those are handled below): a defect or a database error. The job fails
            # and is rolled back as queue_job does; the run must not stay "reading" without a word, so the
            # message is written on a cursor of its own (it survives the rollback).
            self._fail_independently(err, chunk.rows_read)
            raise

    def _fail_independently(self, err, rows):
        with independent_env(self.env) as env:
            run = env[self._name].browse(self.id)
            run._fail(
                env._(
                    "The import stopped on an unexpected error at line %(rows)s: %(error)s. "
                    "The job shows the details; Restart import starts again, nothing is imported twice.",
                    rows=rows,
                    error=err,
                )
            )

    def _read_chunk(self, chunk):
        deadline = time.monotonic() + self._chunk_seconds()
        counts = Counter()
        position, rows = chunk.read_offset, chunk.rows_read
        finished = False
        run = self.with_context(shopify_import_chunk=chunk.id)
        try:
            with open_lines(self.result_url, offset=position, timeout=max(self.shop_id.api_timeout, 30)) as lines:
                mine = takewhile(lambda line: line[0] <= chunk.end_offset, lines)
                for group in bulk.iter_groups(mine, start_line=rows):
                    counts[run._import_group(group, chunk)] += 1
                    position, rows = group.end_offset, group.last_line
                    if time.monotonic() > deadline:
                        break
                else:
                    finished = True
        except ResultExpired as err:
            self._save_chunk(chunk, counts, position, rows)
            return self._fail(
                self.env._(
                    "Shopify's export file expired while it was read (%(error)s): %(rows)s lines were imported. "
                    "Restart the import to export again.",
                    error=err,
                    rows=rows,
                )
            )
        except TemporaryError as err:
            # A retry keeps nothing of this part and reads it again from the saved position;
            # the last attempt keeps what it read, and the run stops with a message.
            self._save_chunk(chunk, counts, position, rows)
            self._retry_or_fail(err)
            return self.message
        finished = finished or position >= chunk.end_offset
        self._save_chunk(chunk, counts, position, rows, done=finished)
        self._after_chunk(chunk, counts, done=finished)
        return f"Chunk {chunk.sequence}: read up to line {rows} (byte {position}): {dict(counts)}"

    def _save_chunk(self, chunk, counts, position, rows, done=False):
        vals = {"read_offset": position, "rows_read": rows}
        if done:
            vals.update(state="done", rows_read=chunk.end_line, read_offset=chunk.end_offset)
        for outcome, count in counts.items():
            field = COUNTERS.get(outcome, "skipped_count")
            vals[field] = vals.get(field, chunk[field]) + count
        chunk.write(vals)

    def _import_group(self, group, chunk):
        """Import one record of the file through its sync job; its outcome."""
        kind = self.object_kind
        resource_type = bulk.KINDS[kind]
        sync_jobs = self.env["shopify.sync.job"].sudo()
        resource_id = self._resource_id(group)
        if resource_id is None:
            return self._note_unreadable(group, chunk)
        problems = list(group.errors)
        missing = bulk.missing_fields(kind, group) if group.root is not None else []
        if missing:
            problems.append(self.env._("fields missing: %s", ", ".join(missing)))
        if problems:
            error = DataConflictError(
                self.env._(
                    "Lines %(first)s-%(last)s of Shopify's export of %(kind)s could not be imported: %(problems)s",
                    first=group.first_line,
                    last=group.last_line,
                    kind=kind,
                    problems="; ".join(problems),
                ),
                missing=self.env._("a complete export row") if missing else self.env._("a readable export line"),
                retry_advice=self.env._("Retry is safe: it reads the record from Shopify again."),
            )
            outcome = sync_jobs._import_failure(self.shop_id, resource_type, resource_id, error)
        else:
            outcome = sync_jobs._import_node(self.shop_id, resource_type, resource_id, bulk.assemble(kind, group))
        return self._note_result(resource_type, resource_id, outcome)

    def _note_result(self, resource_type, resource_id, outcome):
        """Remember on the record's sync job what this run did to it (the result line's links); ``outcome``."""
        result = import_result(outcome)
        if result:
            # One statement per record, in the chunk's transaction: the import's hot path.
            self.env.cr.execute(
                """
                UPDATE shopify_sync_job SET import_run_id = %s, import_result = %s
                 WHERE shop_id = %s AND resource_type = %s AND resource_id = %s
                """,
                (self.id, result, self.shop_id.id, resource_type, str(resource_id)),
            )
            self.env["shopify.sync.job"].invalidate_model(["import_run_id", "import_result"])
        return outcome

    def _resource_id(self, group):
        """The record's numeric Shopify id when the file names a record of this kind, else None."""
        if not group.gid or not bulk.resource_of_gid(self.object_kind, group.gid):
            return None
        try:
            return numeric_id(group.resource_id)
        except ValueError:
            return None

    def _note_unreadable(self, group, chunk):
        """A line that names no record: one failure, noted on the run."""
        note = self.env._(
            "Lines %(first)s-%(last)s: %(problems)s",
            first=group.first_line,
            last=group.last_line,
            problems="; ".join(group.errors) or self.env._("no record id"),
        )
        notes = (chunk.unreadable_lines or "").splitlines()
        if len(notes) < MAX_UNREADABLE_NOTES:
            chunk.unreadable_lines = "\n".join([*notes, note])
        _logger.warning("Shopify import %s of %s: %s", self.object_kind, self.shop_id.name, note)
        return FAILED
