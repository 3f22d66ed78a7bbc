"""Reading a bulk operation's JSONL result: pure functions, no ORM, no I/O.

A bulk query's result has one JSON object per line. The nodes of a nested
connection are lines of their own carrying ``"__parentId"``, after their
parent (the query asks Shopify to group them under it). ``iter_groups`` turns
the lines back into one group per root record, with the byte offset just past
its last line: the position an import saves with each committed chunk.
"""

import json
import re
from dataclasses import dataclass, field

from .gid import RESOURCE_GID_TYPES

# The import's kinds: (resource type of the sync jobs, root connection of the bulk query)
KINDS = {
    "products": "product",
    "customers": "customer",
    "orders": "order",
}

# The child lines of each kind, by the GID type of their id: {gid type: connection of the node}
CHILD_CONNECTIONS = {
    "products": {"ProductVariant": "variants"},
    "customers": {},
    "orders": {"LineItem": "lineItems", "ShippingLine": "shippingLines"},
}

# The fields a root line must have for its record to be imported at all.
REQUIRED_FIELDS = {
    "products": ("id", "legacyResourceId", "title"),
    "customers": ("id", "legacyResourceId"),
    "orders": ("id", "legacyResourceId", "name", "lineItems"),
}

_GID_IN_TEXT = re.compile(r'"id"\s*:\s*"gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)')
_PARENT_IN_TEXT = re.compile(r'"__parentId"\s*:\s*"(?P<gid>gid://shopify/[A-Za-z]+/\d+)')


@dataclass
class Group:
    """One root record of the file and its child lines; ``errors`` make it one failure."""

    gid: str | None
    root: dict | None
    first_line: int
    last_line: int
    end_offset: int
    children: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    ids: set = field(default_factory=set)

    @property
    def resource_id(self):
        """The numeric Shopify id of the record, if the file says it."""
        legacy = (self.root or {}).get("legacyResourceId")
        if legacy:
            return str(legacy)
        return self.gid.rsplit("/", 1)[-1] if self.gid else None


def iter_groups(lines, start_line=0):
    """Group ``(end_offset, raw)`` lines into ``Group`` objects, one per root line.

    ``start_line`` is the number of lines before the first one given (line numbers
    in messages count from 1). A line that does not parse is an error of the group
    it belongs to: its parent's when it says it has one, else a group of its own.
    A group is yielded once the next root line (or the end) shows it complete.
    """
    current = None
    number = start_line
    for end_offset, raw in lines:
        number += 1
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not text.strip():
            if current:
                current.last_line, current.end_offset = number, end_offset
            continue
        try:
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            parent = _PARENT_IN_TEXT.search(text)
            if parent and current and parent["gid"] in current.ids:
                current.errors.append(f"line {number}: {exc}")
                current.last_line, current.end_offset = number, end_offset
                continue
            if current:
                yield current
            found = _GID_IN_TEXT.search(text)
            gid = f"gid://shopify/{found['type']}/{found['id']}" if found else None
            current = Group(gid, None, number, number, end_offset, errors=[f"line {number}: {exc}"])
            current.ids.add(gid)
            continue
        parent_gid = value.pop("__parentId", None)
        if parent_gid is None:
            if current:
                yield current
            current = Group(value.get("id"), value, number, number, end_offset)
            current.ids.add(value.get("id"))
            continue
        if current and parent_gid in current.ids:
            current.children.append(value)
            current.ids.add(value.get("id"))
            current.last_line, current.end_offset = number, end_offset
            continue
        # A child whose parent is not the record being read: the file is out of order.
        if current:
            yield current
        current = Group(
            parent_gid, None, number, number, end_offset, errors=[f"line {number}: its parent line is not before it"]
        )
        current.ids.update({parent_gid, value.get("id")})
    if current:
        yield current


def assemble(kind, group):
    """The node the importers take, as the single-record query gives it: connections as ``nodes``."""
    node = dict(group.root)
    connections = CHILD_CONNECTIONS[kind]
    for connection in connections.values():
        node[connection] = {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    for child in group.children:
        connection = connections.get(gid_type(child.get("id")))
        if connection:
            node[connection]["nodes"].append(child)
    return node


def missing_fields(kind, group):
    """The required fields the group's root line lacks (connections count as present: they are lines)."""
    root = group.root or {}
    connections = set(CHILD_CONNECTIONS[kind].values())
    return [name for name in REQUIRED_FIELDS[kind] if name not in connections and root.get(name) in (None, "")]


def gid_type(gid):
    """``gid://shopify/LineItem/1`` -> ``LineItem``; None for anything else."""
    if not isinstance(gid, str) or not gid.startswith("gid://shopify/"):
        return None
    return gid.split("/")[3] if gid.count("/") >= 4 else None


def resource_of_gid(kind, gid):
    """True when ``gid`` names a record of the kind's resource type (a file of products has products)."""
    return gid_type(gid) == RESOURCE_GID_TYPES[KINDS[kind]]


def search_since(since):
    """The ``query:`` search argument of a bulk export of records created since ``since`` (a datetime), or None."""
    if not since:
        return None
    return f"created_at:>='{since:%Y-%m-%dT%H:%M:%SZ}'"


def progress(rows_read, object_count):
    """Percent of the file read, 0-100 (100 once done even if Shopify's count was an estimate)."""
    if not object_count:
        return 0.0
    return min(100.0, 100.0 * rows_read / object_count)


def split_lines(chunks, start_offset=0):
    """``(end_offset, line)`` for each ``\\n``-terminated line of an iterable of byte chunks.

    The offsets count bytes from the start of the file, so that a later read
    can start (HTTP Range) or skip to exactly the line after a saved position.
    """
    offset = start_offset
    pending = b""
    for chunk in chunks:
        pending += chunk
        while True:
            cut = pending.find(b"\n")
            if cut < 0:
                break
            line, pending = pending[:cut], pending[cut + 1 :]
            offset += cut + 1
            yield offset, line
    if pending:
        yield offset + len(pending), pending


PARENT_MARK = b'"__parentId"'


class ChunkCutter:
    """Chunk bounds of about ``size`` records, fed ``(end_offset, raw bytes)`` lines one at a time.

    Nothing is parsed, nothing kept but the counts. A chunk starts only at a root
    line (not blank, naming no parent), so that ``iter_groups`` over a chunk alone
    groups its lines as over the whole file. ``bounds`` are ``(start_offset,
    start_line, end_offset, end_line)``, ``start_line`` counting the lines before the chunk.
    """

    def __init__(self, size):
        self.size = size
        self.bounds = []
        self.start_offset = self.start_line = self.offset = self.number = self.roots = 0

    def feed(self, end_offset, raw):
        if raw.strip() and PARENT_MARK not in raw:
            if self.roots >= self.size:
                self.bounds.append((self.start_offset, self.start_line, self.offset, self.number))
                self.start_offset, self.start_line, self.roots = self.offset, self.number, 0
            self.roots += 1
        self.offset, self.number = end_offset, self.number + 1

    def finish(self):
        """All the bounds, the last chunk's included."""
        if self.number > self.start_line:
            self.bounds.append((self.start_offset, self.start_line, self.offset, self.number))
            self.start_line = self.number
        return self.bounds


def cut_chunks(lines, size):
    """The chunk bounds (``ChunkCutter``) of an iterable of ``(end_offset, raw bytes)`` lines."""
    cutter = ChunkCutter(size)
    for end_offset, raw in lines:
        cutter.feed(end_offset, raw)
    return cutter.finish()


def preview_searches(since=None, cutoff=None):
    """The ``query:`` of each count of IMPORT_PREVIEW_QUERY: every order (created since ``since``),
    the open ones (not closed, not cancelled, not fulfilled, placed since the ``cutoff``), the
    cancelled and the refunded ones. History is what is left: all - open - cancelled."""
    base = search_since(since)

    def both(*terms):
        return " AND ".join(t for t in (base, *terms) if t)

    open_terms = ["status:open", "-fulfillment_status:shipped"]
    if cutoff:
        open_terms.append(f"processed_at:>='{cutoff:%Y-%m-%dT%H:%M:%SZ}'")
    return {
        "all": both() or None,
        "open": both(*open_terms),
        "cancelled": both("status:cancelled"),
        "refunded": both("financial_status:refunded"),
        "partlyRefunded": both("financial_status:partially_refunded"),
    }
