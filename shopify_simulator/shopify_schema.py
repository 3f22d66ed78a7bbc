"""Shopify's published Admin GraphQL schema: loading it, comparing the simulator with it,
validating documents against it.

The files come from the npm package ``@shopify/dev-mcp`` (``dist/data/admin_<version>.json.gz``,
one introspection result per API version). ``tools/fetch_shopify_schema.sh`` (run by the set-up)
unpacks the pinned package's files into ``.cache/shopify-schema/``; they are never committed.
"""

import ast
import gzip
import json
import os
from functools import cache
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    build_client_schema,
    parse,
    validate,
)
from graphql.type import is_required_argument, is_required_input_field

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path(os.environ.get("SHOPIFY_SCHEMA_DIR") or ROOT / ".cache" / "shopify-schema")
# The pinned package (tools/fetch_shopify_schema.sh reads these two lines: keep them one line each).
PACKAGE = "@shopify/dev-mcp@1.16.0"
PACKAGE_INTEGRITY = "sha512-tqgRnK7sQhjew+htxtleTH23nXB5fZcsrhWgEkomsorGXvLOB2mh2upwZm8uzuTDNTZnqtLMe64yIwh6s2awtw=="  # noqa: E501
FETCH_COMMAND = "tools/fetch_shopify_schema.sh (run by make setup / make test; needs npm)"


# What the contract tests checked in this run ({what: how many}; the names of the operations
# sent), for the run's summary.
CHECKED = {}
SENT_OPERATIONS = set()


def api_versions():
    """shopify_sync's (supported versions, default version, contract versions), read from
    shopify_sync/services/api_versions.py without importing the addon (and Odoo)."""
    found, wanted = {}, ("SUPPORTED_API_VERSIONS", "DEFAULT_API_VERSION")
    source = (ROOT / "shopify_sync" / "services" / "api_versions.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and node.targets[0].id in wanted:
            found[node.targets[0].id] = ast.literal_eval(node.value)
    supported, default = found["SUPPORTED_API_VERSIONS"], found["DEFAULT_API_VERSION"]
    return supported, default, (default, supported[0])


def schema_path(version):
    return SCHEMA_DIR / f"admin_{version}.json.gz"


def missing_reason(versions):
    """Why the contract cannot be checked for ``versions`` (None when every file is there)."""
    missing = [v for v in versions if not schema_path(v).is_file()]
    if not missing:
        return None
    return (
        f"Shopify's Admin schema for {', '.join(missing)} is not in {SCHEMA_DIR} "
        f"({PACKAGE} not fetched): run {FETCH_COMMAND}"
    )


@cache
def shopify_schema(version):
    """Shopify's Admin schema for ``version`` (a GraphQLSchema), from its cached introspection."""
    with gzip.open(schema_path(version), "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    # assume_valid: graphql.validate() first checks the schema itself and, when that fails,
    # refuses every document. Shopify's schema has deprecation quirks (deprecated arguments and
    # input fields, its own @deprecated and @oneOf) that graphql-core's schema rules can reject
    # (3.2.14 happens to accept the pinned files); the schema is Shopify's contract, not ours
    # to judge, so only the documents are validated against it.
    return build_client_schema(data["data"], assume_valid=True)


def validate_document(schema, document):
    """Error messages of ``document`` (a GraphQL string) against ``schema``; [] when it is valid."""
    try:
        ast = parse(document)
    except Exception as error:  # noqa: BLE001 - a syntax error is a finding like any other
        return [f"syntax: {error}"]
    return [error.message for error in validate(schema, ast)]


# -- the simulator's schema as a subset of Shopify's -----------------------------------------------
def subset_differences(ours, theirs):
    """Every way ``ours`` is not a strict subset of ``theirs``, as sorted readable lines.

    Checked: types (and their kind), fields and their types, arguments and their types, input
    fields and their types, enum values, interfaces, union members, directives; and every argument
    (or input field) Shopify requires that ours lacks on a field (input type) we have.
    """
    found = []
    for name, our_type in ours.type_map.items():
        if name.startswith("__"):
            continue
        their_type = theirs.type_map.get(name)
        if their_type is None:
            found.append(f"type {name}: not at Shopify")
            continue
        if type(our_type) is not type(their_type):
            found.append(f"type {name}: {_kind(our_type)} here, {_kind(their_type)} at Shopify")
            continue
        if isinstance(our_type, GraphQLEnumType):
            extra = sorted(set(our_type.values) - set(their_type.values))
            found += [f"enum value {name}.{value}: not at Shopify" for value in extra]
        elif isinstance(our_type, GraphQLInputObjectType):
            found += _compare_inputs(f"input {name}", our_type.fields, their_type.fields)
        elif isinstance(our_type, GraphQLObjectType | GraphQLInterfaceType):
            found += _compare_fields(name, our_type, their_type)
        elif isinstance(our_type, GraphQLUnionType):
            extra = {t.name for t in our_type.types} - {t.name for t in their_type.types}
            found += [f"union {name}: member {member} not at Shopify" for member in sorted(extra)]
    for root in ("query_type", "mutation_type", "subscription_type"):
        our_root, their_root = getattr(ours, root), getattr(theirs, root)
        if our_root and (not their_root or our_root.name != their_root.name):
            theirs_name = their_root and their_root.name
            found.append(f"schema {root}: {our_root.name} here, {theirs_name} at Shopify")
    their_directives = {d.name: d for d in theirs.directives}
    for directive in ours.directives:
        theirs_d = their_directives.get(directive.name)
        if theirs_d is None:
            found.append(f"directive @{directive.name}: not at Shopify")
        else:
            found += _compare_args(f"directive @{directive.name}", directive.args, theirs_d.args)
    return sorted(found)


def _kind(graphql_type):
    return type(graphql_type).__name__.removeprefix("GraphQL").removesuffix("Type").lower()


def _compare_fields(name, our_type, their_type):
    found = []
    extra_interfaces = {i.name for i in our_type.interfaces} - {
        i.name for i in their_type.interfaces
    }
    found += [f"type {name}: implements {i}, not at Shopify" for i in sorted(extra_interfaces)]
    for field_name, field in our_type.fields.items():
        their_field = their_type.fields.get(field_name)
        where = f"field {name}.{field_name}"
        if their_field is None:
            found.append(f"{where}: not at Shopify")
            continue
        if str(field.type) != str(their_field.type):
            found.append(f"{where}: type {field.type} here, {their_field.type} at Shopify")
        found += _compare_args(where, field.args, their_field.args)
    return found


def _compare_args(where, ours, theirs):
    """Arguments of a field or directive: ``where(name)``."""
    return _compare_members(ours, theirs, lambda name: f"argument {where}({name})")


def _compare_inputs(where, ours, theirs):
    """Fields of an input object: ``where.name``."""
    return _compare_members(ours, theirs, lambda name: f"{where}.{name}")


def _compare_members(ours, theirs, label):
    """Each of ours exists at Shopify with the same type; each Shopify requires is ours too."""
    found = []
    for name, member in ours.items():
        their_member = theirs.get(name)
        if their_member is None:
            found.append(f"{label(name)}: not at Shopify")
        elif str(member.type) != str(their_member.type):
            found.append(f"{label(name)}: type {member.type} here, {their_member.type} at Shopify")
    for name, their_member in theirs.items():
        if name not in ours and _required(their_member):
            found.append(f"{label(name)}: required at Shopify, missing here")
    return found


def _required(arg):
    if isinstance(arg, GraphQLInputField):
        return is_required_input_field(arg)
    return is_required_argument(arg)
