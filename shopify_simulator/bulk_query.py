"""The query of a bulk operation: Shopify's limits on it, and its result as JSONL lines.

A bulk query has one root field, a connection, and at most five connections in all,
nested at most two levels deep. The result is flattened: every node of every
connection is one JSON line; a node of a nested connection carries
``"__parentId"`` (the GID of the node it belongs to) and comes after its parent.
Pagination arguments, ``cursor`` and ``pageInfo`` mean nothing in a bulk query.
"""

from dataclasses import dataclass, field

from graphql import get_named_type
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationType
from graphql.utilities import get_operation_ast

MAX_CONNECTIONS = 5
MAX_NESTING = 2


class BulkQueryError(ValueError):
    """The query cannot run in bulk: the message is the user error Shopify gives."""


@dataclass
class Spec:
    """What a field holds, as far as flattening cares: nested connections (and the way there)."""

    key: str
    connection: bool = False
    item_paths: list = field(default_factory=list)  # [("edges", "node")] and/or [("nodes",)]
    children: dict = field(default_factory=dict)  # response key -> Spec
    selects_id: bool = False


def _is_connection(named):
    return named.name.endswith("Connection") and "edges" in getattr(named, "fields", {})


class BulkQuery:
    """A validated bulk query; ``lines(data)`` flattens one execution result into JSONL rows."""

    def __init__(self, schema, document, operation_name=None):
        self.schema, self.document, self.operation_name = schema, document, operation_name
        self.operation = get_operation_ast(document, operation_name)
        self.fragments = {
            d.name.value: d for d in document.definitions if hasattr(d, "type_condition")
        }
        if self.operation is None or self.operation.operation != OperationType.QUERY:
            raise BulkQueryError("Bulk queries must be a query operation.")
        roots = self._fields(self.operation.selection_set, schema.query_type)
        if len(roots) != 1:
            raise BulkQueryError("Bulk queries must contain exactly one top-level field.")
        (self.root_key, (root_node, root_type)), *_ = roots.items()
        self.root_field = root_node.name.value
        if self.root_field in ("node", "nodes"):
            raise BulkQueryError("The top-level 'node' and 'nodes' fields can't be used.")
        if not _is_connection(root_type):
            raise BulkQueryError("Bulk queries must contain at least one connection.")
        self.spec = self._spec(self.root_key, root_node, root_type, depth=0)
        count = self._count(self.spec)
        if count > MAX_CONNECTIONS:
            raise BulkQueryError(
                f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
            )
        missing = sorted(self._parents_without_id(self.spec))
        if missing:
            raise BulkQueryError(
                "The parent 'node' field for a nested connection must select the 'id' field "
                "without an alias and must be of 'ID' return type. Connection fields without "
                f"'id': {', '.join(missing)}."
            )

    # -- walking the document -------------------------------------------------------------
    def _fields(self, selection_set, parent_type):
        """{response key: (field node, named type)} of a selection set, fragments merged."""
        found = {}
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                fields = getattr(parent_type, "fields", {})
                if selection.name.value in fields:
                    key = selection.alias.value if selection.alias else selection.name.value
                    named = get_named_type(fields[selection.name.value].type)
                    found.setdefault(key, (selection, named))
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                continue
            kind = self.schema.get_type(condition.name.value) if condition else parent_type
            found.update((k, v) for k, v in self._fields(inner, kind).items() if k not in found)
        return found

    def _spec(self, key, node, named, depth):
        if depth > MAX_NESTING - 1:
            raise BulkQueryError(
                f"Bulk queries cannot contain connections with a nesting depth greater than "
                f"{MAX_NESTING}."
            )
        spec = Spec(key=key, connection=True)
        for conn_key, (inner, inner_type) in self._fields(node.selection_set, named).items():
            if inner.name.value == "nodes":
                spec.item_paths.append((conn_key,))
                self._node_children(spec, inner, inner_type, depth)
            elif inner.name.value == "edges":
                for edge_key, (edge_node, edge_type) in self._fields(
                    inner.selection_set, inner_type
                ).items():
                    if edge_node.name.value == "node":
                        spec.item_paths.append((conn_key, edge_key))
                        self._node_children(spec, edge_node, edge_type, depth)
        return spec

    def _node_children(self, spec, node, named, depth):
        fields = self._fields(node.selection_set, named)
        spec.selects_id = spec.selects_id or ("id" in fields and fields["id"][0].name.value == "id")
        spec.children.update(self._nested(fields, depth))

    def _nested(self, fields, depth):
        """Specs of the fields (of a node or an object in it) that lead to connections."""
        children = {}
        for key, (node, named) in fields.items():
            if _is_connection(named):
                children[key] = self._spec(key, node, named, depth + 1)
            elif node.selection_set is not None:
                inner = self._nested(self._fields(node.selection_set, named), depth)
                if inner:
                    children[key] = Spec(key=key, children=inner)
        return children

    def _count(self, spec):
        return int(spec.connection) + sum(self._count(c) for c in spec.children.values())

    def _parents_without_id(self, spec):
        """Names of nested connections whose parent node does not select ``id``."""
        missing = set()
        for child in self._connections_in(spec.children):
            if not spec.selects_id:
                missing.add(child.key)
            missing |= self._parents_without_id(child)
        return missing

    def _connections_in(self, children):
        for child in children.values():
            if child.connection:
                yield child
            else:
                yield from self._connections_in(child.children)

    # -- flattening the result -------------------------------------------------------------
    def root_items(self, data):
        return _items(self.spec, (data or {}).get(self.root_key))

    def lines(self, item, parent_id=None, spec=None):
        """The JSONL rows of one node and, after it, of its nested connections' nodes."""
        spec = spec or self.spec
        line = dict(item)
        nested = []
        _extract(line, spec.children, nested)
        if parent_id is not None:
            line["__parentId"] = parent_id
        yield line
        for child_spec, value in nested:
            for child in _items(child_spec, value):
                yield from self.lines(child, item.get("id"), child_spec)


def _items(spec, value):
    """The nodes of a connection value, read through ``edges { node }`` or ``nodes``."""
    if not isinstance(value, dict):
        return []
    seen, items = set(), []
    for path in spec.item_paths:
        entries = value.get(path[0]) or []
        if len(path) == 2:
            entries = [edge.get(path[1]) for edge in entries if isinstance(edge, dict)]
        for entry in entries:
            if isinstance(entry, dict) and id(entry) not in seen:
                seen.add(id(entry))
                items.append(entry)
        if items:
            break  # ``edges`` and ``nodes`` of one connection are the same nodes
    return items


def _extract(line, children, nested):
    """Take nested connections out of ``line`` (copying the objects on the way there)."""
    for key, child in children.items():
        if key not in line:
            continue
        if child.connection:
            nested.append((child, line.pop(key)))
        elif isinstance(line[key], dict):
            line[key] = dict(line[key])
            _extract(line[key], child.children, nested)
