"""Query cost, following Shopify's published rules for the GraphQL Admin API.

* scalars and enums cost 0, every object costs 1;
* a connection costs 2 plus, per requested item (``first``/``last``), the cost
  of one node (``nodes { ... }`` or ``edges { node { ... } }``);
* a list of objects costs its ``first`` (or its ``names``) times one element;
* a mutation costs 10;
* fragments on different types of an interface cost the most expensive one.

The requested cost is computed from the document before execution; the actual
cost walks the response, counting what came back. Shopify takes the requested
cost from the bucket and gives back the difference once the query has run.
"""

from graphql import get_named_type, get_nullable_type, is_leaf_type, is_list_type
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationType,
)
from graphql.utilities import get_operation_ast, value_from_ast_untyped

MUTATION_COST = 10
CONNECTION_COST = 2
MAX_QUERY_COST = 1000


class QueryCost:
    def __init__(self, schema, document, variables=None, operation_name=None):
        self.schema = schema
        self.variables = variables or {}
        self.operation = get_operation_ast(document, operation_name)
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    @property
    def is_mutation(self):
        return self.operation is not None and self.operation.operation == OperationType.MUTATION

    def requested(self):
        if self.operation is None:
            return 0
        if self.is_mutation:
            return MUTATION_COST
        return self._selection(self.operation.selection_set, self.schema.query_type, None)

    def actual(self, data):
        if self.operation is None or data is None:
            return 0
        if self.is_mutation:
            return MUTATION_COST
        return self._selection(self.operation.selection_set, self.schema.query_type, data)

    # -- walking -----------------------------------------------------------------
    def _argument(self, node, name):
        for argument in node.arguments or []:
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def _size(self, node, *names):
        """Items a list or connection field asks for: its first/last, or its number of names."""
        for name in names:
            value = self._argument(node, name)
            if isinstance(value, list):
                return len(value) or 1
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        return 1

    def _fragments(self, selection_set, parent_type):
        """Yield (type, selection set) for each fragment in ``selection_set``."""
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent_type
                yield kind, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment:
                    yield (
                        self.schema.get_type(fragment.type_condition.name.value),
                        fragment.selection_set,
                    )

    def _selection(self, selection_set, parent_type, data):
        if selection_set is None or parent_type is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent_type, data)
        by_type = {}
        for kind, fragment_set in self._fragments(selection_set, parent_type):
            cost = self._selection(fragment_set, kind, data)
            if kind is parent_type:
                total += cost
            else:
                by_type[kind.name] = by_type.get(kind.name, 0) + cost
        return total + max(by_type.values(), default=0)

    def _field(self, node, parent_type, data):
        name = node.name.value
        fields = getattr(parent_type, "fields", {})
        if name.startswith("__") or name not in fields:
            return 0
        field_type = fields[name].type
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return 0
        value = None
        if data is not None:
            value = (
                data.get(node.alias.value if node.alias else name)
                if isinstance(data, dict)
                else None
            )
            if value is None:
                return 0
        if named.name.endswith("Connection"):
            return self._connection(node, named, value, data is not None)
        if is_list_type(get_nullable_type(field_type)):
            if data is not None:
                return sum(
                    1 + self._selection(node.selection_set, named, item) for item in value if item
                )
            size = self._size(node, "first", "names")
            return size * (1 + self._selection(node.selection_set, named, None))
        return 1 + self._selection(node.selection_set, named, value)

    def _connection(self, node, connection_type, value, actual):
        """2 + per-item cost; items read from ``nodes`` or ``edges { node }``."""
        readers = []
        for selection in node.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            key = selection.alias.value if selection.alias else selection.name.value
            if selection.name.value == "nodes":
                item_type = get_named_type(connection_type.fields["nodes"].type)
                readers.append((selection.selection_set, item_type, key, None))
            elif selection.name.value == "edges" and selection.selection_set:
                edge_type = get_named_type(connection_type.fields["edges"].type)
                for inner in selection.selection_set.selections:
                    if isinstance(inner, FieldNode) and inner.name.value == "node":
                        inner_key = inner.alias.value if inner.alias else "node"
                        item_type = get_named_type(edge_type.fields["node"].type)
                        readers.append((inner.selection_set, item_type, key, inner_key))
        if not actual:
            size = self._size(node, "first", "last")
            per_item = max((1 + self._selection(s, t, None) for s, t, _k, _n in readers), default=0)
            return CONNECTION_COST + size * per_item
        costs = []
        for selection_set, item_type, key, node_key in readers:
            items = value.get(key) or []
            if node_key:
                items = [edge.get(node_key) for edge in items if edge]
            costs.append(
                sum(1 + self._selection(selection_set, item_type, item) for item in items if item)
            )
        return CONNECTION_COST + max(costs, default=0)
