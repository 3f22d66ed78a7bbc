"""Import lanes: the export file cut into chunks, imported by up to N chunk jobs at once.

After the bulk operation completes, *cut* streams the file once (nothing parsed,
nothing held) and records each chunk's byte range (shopify.import.chunk). Chunk
``n`` is of lane ``n mod N`` (``shopify_sync.import_read_jobs``, default 2): a
lane's chunk job imports its chunk and then enqueues the lane's next one, so at
most N chunk jobs of a run exist at once and no two of them write the same row.
*fold* (a job of its own every few seconds, waiting uses no attempt) writes the
sum of the chunks on the run, restarts a lane whose job is gone and ends the
run once every chunk is done. An orders run starts its lanes only once the
products and customers runs started before it are done or failed, so that its
orders find their products and customers in Odoo.
"""

from odoo import models

from ..importers.order_links import enqueue_link_flush
from ..importers.product import find_or_create_attribute, find_or_create_attribute_value
from ..mapping.product import real_options
from ..services import bulk
from ..services.bulk_reader import ResultExpired, open_lines
from ..services.errors import TemporaryError
from ..services.identity import import_identity_key
from .shopify_import_chunk import COUNT_FIELDS
from .shopify_import_run_read import MAX_UNREADABLE_NOTES
from .shopify_shop import ACTIVE_STATES

READ_JOBS = 2
FOLD_SECONDS = 3.0
FOLD_PRIORITY = 5  # before the chunk jobs (10): a free worker refreshes the counters first
WAITS_FOR_KINDS = ("products", "customers")
LIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")


class ShopifyImportRun(models.Model):
    _inherit = "shopify.import.run"  # pylint: disable=consider-merging-classes-inherited

    def _read_jobs(self):
        """Chunk jobs of one run at once (its lanes)."""
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.import_read_jobs")
        return max(int(value), 1) if value else READ_JOBS

    # -- step 3: cut the file ------------------------------------------------------
    def import_cut(self):
        """Queue job: record the chunks of the export file, then start the lanes and the fold."""
        self.ensure_one()
        if self.state != "reading":
            return f"Run {self.id} is {self.state}: nothing to cut."
        if not self.chunk_ids:  # a retry after a commit finds them
            cutter, options = bulk.ChunkCutter(self._chunk_size()), {}
            try:
                with open_lines(self.result_url, timeout=max(self.shop_id.api_timeout, 30)) as lines:
                    if self.object_kind == "products":
                        collect_options(self._fed(lines, cutter), options)
                    else:
                        for end_offset, raw in lines:
                            cutter.feed(end_offset, raw)
                bounds = cutter.finish()
            except ResultExpired as err:
                return self._fail(
                    self.env._(
                        "Shopify's export file expired before it was read (%s). Restart the import to export again.",
                        err,
                    )
                )
            except TemporaryError as err:
                self._retry_or_fail(err)
                return self.message
            if not bounds:
                return self._finish()
            prepare_attributes(self.env, options)
            self.env["shopify.import.chunk"].create(
                [
                    {
                        "run_id": self.id,
                        "sequence": sequence,
                        "start_offset": start_offset,
                        "start_line": start_line,
                        "end_offset": end_offset,
                        "end_line": end_line,
                        "read_offset": start_offset,
                        "rows_read": start_line,
                    }
                    for sequence, (start_offset, start_line, end_offset, end_line) in enumerate(bounds)
                ]
            )
        self._fold_step()
        return f"{len(self.chunk_ids)} chunks."

    @staticmethod
    def _fed(lines, cutter):
        for end_offset, raw in lines:
            cutter.feed(end_offset, raw)
            yield end_offset, raw

    # -- the lanes -----------------------------------------------------------------
    def _start_lanes(self):
        """Enqueue, for each lane, its first chunk not done, unless a job of it is alive."""
        lanes, seen = self._read_jobs(), set()
        for chunk in self.chunk_ids.filtered(lambda c: c.state != "done").sorted("sequence"):
            lane = chunk.sequence % lanes
            if lane in seen:
                continue
            seen.add(lane)
            if not self._live_jobs(f"chunk:{chunk.sequence}"):
                self._enqueue_step("chunk", position=chunk.sequence)

    def _after_chunk(self, chunk, counts, done):
        """A chunk job's end: the order links' flush once, then this chunk's rest or the lane's next chunk."""
        if self.object_kind == "orders" and counts.get("created"):
            enqueue_link_flush(self.env, self.shop_id)
        if not done:
            self._enqueue_step("chunk", position=chunk.sequence)  # its time is up: the rest in a job of its own
            return
        following = self.chunk_ids.filtered(lambda c: c.sequence == chunk.sequence + self._read_jobs())
        # Alive already when the lanes setting changed during the run: then another lane has it.
        if following and following.state != "done" and not self._live_jobs(f"chunk:{following.sequence}"):
            self._enqueue_step("chunk", position=following.sequence)
        self._enqueue_step("fold", priority=FOLD_PRIORITY, seconds=FOLD_SECONDS)

    def _live_jobs(self, step):
        """Whether a queue job of this run's ``step`` (a LIKE pattern) waits or runs."""
        self.env.cr.execute(
            "SELECT 1 FROM queue_job WHERE identity_key LIKE %s AND state IN %s LIMIT 1",
            (import_identity_key(self.shop_id.id, self.id, step), LIVE_JOB_STATES),
        )
        return bool(self.env.cr.fetchone())

    def _waits_for(self):
        """The products and customers runs an orders run waits for: those of the shop started before it, not ended."""
        if self.object_kind != "orders":
            return self.browse()
        return self.search(
            [
                ("shop_id", "=", self.shop_id.id),
                ("object_kind", "in", WAITS_FOR_KINDS),
                ("id", "<", self.id),
                ("state", "in", ACTIVE_STATES),
            ]
        )

    # -- the fold ------------------------------------------------------------------
    def import_fold(self):
        """Queue job: the run's counters as the sum of its chunks; lanes kept going; the run ended when all are done."""
        self.ensure_one()
        if self.state == "failed":
            # Chunk jobs still running when the run failed commit their records: their counts are folded too.
            self.write(self._folded())
            if self._live_jobs("chunk:%"):
                self._enqueue_step("fold", priority=FOLD_PRIORITY, seconds=FOLD_SECONDS)
            return "Failed: counters folded."
        if self.state != "reading":
            return f"Run {self.id} is {self.state}: nothing to fold."
        return self._fold_step()

    def _fold_step(self):
        chunks = self.chunk_ids
        if all(chunk.state == "done" for chunk in chunks):
            return self._finish()
        vals = self._folded()
        waiting = self._waits_for()
        if waiting:
            vals["message"] = self.env._(
                "Waiting for the %s import to end: orders are imported once their products and customers are.",
                " and ".join(waiting.mapped("object_kind")),
            )
        elif self.message:
            vals["message"] = False
        if any(self[name] != value for name, value in vals.items()):
            self.write(vals)
        if not waiting:
            self._start_lanes()
        self._enqueue_step("fold", priority=FOLD_PRIORITY, seconds=FOLD_SECONDS)
        return f"{len(chunks.filtered(lambda c: c.state == 'done'))}/{len(chunks)} chunks done."

    def _folded(self):
        """The run's counters, rows read and notes as the sum of its chunks ({} for a run without chunks)."""
        chunks = self.chunk_ids
        if not chunks:
            return {}
        vals = {name: sum(chunks.mapped(name)) for name in COUNT_FIELDS}
        vals["rows_read"] = sum(chunk.rows_read - chunk.start_line for chunk in chunks)
        vals["read_offset"] = sum(chunk.read_offset - chunk.start_offset for chunk in chunks)
        notes = [note for chunk in chunks for note in (chunk.unreadable_lines or "").splitlines()]
        vals["unreadable_lines"] = "\n".join(notes[:MAX_UNREADABLE_NOTES]) or False
        return vals


def collect_options(lines, options):
    """The option names and values the products of the file make variants of, into ``options`` {name: {value}}."""
    for group in bulk.iter_groups(lines):
        if group.root is None or group.errors:
            continue
        try:
            node = bulk.assemble("products", group)
            found = real_options(node.get("options"), node["variants"]["nodes"])
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # its record fails on its own when its chunk is read
        for name, values in found:
            options.setdefault(name, {}).update(dict.fromkeys(values))


def prepare_attributes(env, options):
    """Create, once and before the lanes, the attributes and values the products need.

    Two lanes creating the same attribute at once would make two of them (it has no
    unique name), or wait for each other on the values' unique index.
    """
    for name, values in options.items():
        attribute = find_or_create_attribute(env, name)
        for value in values:
            find_or_create_attribute_value(env, attribute, value)
