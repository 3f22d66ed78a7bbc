"""The addon against Shopify's published Admin schema (docs/SCHEMA_CONTRACT.md).

For the default API version and the oldest supported one:

- every GraphQL document in a module-level constant of the addon validates;
- every document the addon's client sent to a simulator during this run validates: the ones
  built at run time too (next pages, bulk exports and their inner query, backlog reads,
  reconciliation, readiness, webhook subscriptions). That test runs last (conftest.py);
- every Shopify enum value the code compares against (services/shopify_enums.py) exists;
- every webhook topic the addon subscribes to or handles exists, and so does every topic it
  ignores on purpose, which the README lists.

Nothing here names a document: a constant or a request added later is covered as it is.
Without the schema files (tools/fetch_shopify_schema.sh) these tests are skipped, saying so.
"""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse
from graphql.error import GraphQLSyntaxError

from shopify_simulator.received import received_documents
from shopify_simulator.shopify_schema import (
    CHECKED,
    SENT_OPERATIONS,
    api_versions,
    missing_reason,
    shopify_schema,
    validate_document,
)

from ..services.shopify_enums import ENUMS
from ..services.topics import IGNORED_TOPICS, SHOPIFY_STOCK_TOPICS, TOPIC_RESOURCES
from ..services.webhook_subscriptions import COMPLIANCE_TOPICS, needed_topics, topic_enum

ADDON = "odoo.addons.shopify_sync"
CLIENT = "odoo-shopify-sync"  # the User-Agent of services/graphql_client.py
README = Path(__file__).resolve().parents[2] / "README.md"
_SUPPORTED, _DEFAULT, CONTRACT = api_versions()
_GRAPHQL_START = re.compile(r"^\s*(#[^\n]*\n\s*)*(query|mutation|subscription|fragment|\{)")


def _schemas():
    reason = missing_reason(CONTRACT)
    if reason:
        pytest.skip(reason)
    return {version: shopify_schema(version) for version in CONTRACT}


def _module_constants():
    """{"module.NAME": document} for every module-level string of the addon that is a GraphQL
    document with an operation, and ["module.NAME"] of those that only become one at run time."""
    package = importlib.import_module(ADDON)
    documents, templates = {}, []
    for info in pkgutil.walk_packages(package.__path__, f"{ADDON}."):
        if ".tests" in info.name or info.name.endswith("__manifest__"):
            continue
        module = importlib.import_module(info.name)
        source = Path(module.__file__).read_text()
        for name, value in vars(module).items():
            if not isinstance(value, str) or not _GRAPHQL_START.match(value):
                continue
            if not re.search(rf"^{name}\s*=", source, re.M):
                continue  # imported from the module that defines it
            label = f"{info.name.removeprefix(ADDON + '.')}.{name}"
            try:
                ast = parse(value)
            except GraphQLSyntaxError:
                templates.append(label)  # e.g. "... %(since)s ...": checked as received
                continue
            if any(isinstance(d, OperationDefinitionNode) for d in ast.definitions):
                documents[label] = value
    return documents, templates


def _name(document):
    """``query Name``, or ``query { root }`` when anonymous: how a failure names the document."""
    try:
        operation = next(d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode))
    except (GraphQLSyntaxError, StopIteration):
        return " ".join(document.split())[:80]
    kind = operation.operation.value
    if operation.name:
        return f"{kind} {operation.name.value}"
    roots = " ".join(getattr(s, "name", None) and s.name.value or "..." for s in operation.selection_set.selections)
    return f"{kind} {{ {roots} }}"


def _failures(schemas, documents):
    """["<label> at <version>: <errors>"] for every document that is not valid at a version."""
    found = []
    for label, document in documents.items():
        for version, schema in schemas.items():
            errors = validate_document(schema, document)
            if errors:
                found.append(f"{label} at {version}: {'; '.join(errors)}")
    return found


def test_module_documents_validate_against_shopify():
    schemas = _schemas()
    documents, templates = _module_constants()
    assert len(documents) > 10, "the addon's documents were not found"
    failures = _failures(schemas, documents)
    CHECKED["module constants"] = len(documents)
    CHECKED["run-time templates"] = len(templates)
    assert not failures, "documents Shopify would refuse:\n" + "\n".join(failures)


@pytest.mark.schema_contract_last
def test_documents_sent_during_the_run_validate_against_shopify():
    """Runs after every other test (conftest.py): what the addon's client sent, as sent."""
    schemas = _schemas()
    constants = {document: label for label, document in _module_constants()[0].items()}
    documents = {}
    for _version, document, bulk, client, _times in received_documents():
        if client != CLIENT:
            continue  # the simulator's own tests, or a test's hand-made request
        kind = "bulk query" if bulk else "document"
        label = constants.get(document) or _name(document)
        documents[f"{kind} {label!r} ({' '.join(document.split())[:100]})"] = document
        SENT_OPERATIONS.add(f"{_name(document)} (bulk)" if bulk else _name(document))
    CHECKED["sent during the run"] = len(documents)
    if not documents:
        pytest.skip("no document was sent to a simulator before this test in this run")
    failures = _failures(schemas, documents)
    assert not failures, "documents the addon sent that Shopify would refuse:\n" + "\n".join(failures)


def test_enum_values_exist_at_shopify():
    schemas = _schemas()
    assert ENUMS, "services/shopify_enums.py declares the values the code compares against"
    missing = []
    for version, schema in schemas.items():
        for enum, values in sorted(ENUMS.items()):
            known = getattr(schema.type_map.get(enum), "values", None)
            if known is None:
                missing.append(f"{version}: no enum {enum}")
                continue
            missing += [f"{version}: {enum}.{value}" for value in sorted(values - set(known))]
    CHECKED["enum values"] = sum(len(values) for values in ENUMS.values())
    assert not missing, "values Shopify does not have:\n" + "\n".join(missing)


def test_webhook_topics_exist_at_shopify():
    schemas = _schemas()
    used = set(needed_topics("shopify")) | set(TOPIC_RESOURCES) | set(SHOPIFY_STOCK_TOPICS)
    missing = []
    for version, schema in schemas.items():
        topics = set(schema.type_map["WebhookSubscriptionTopic"].values)
        for topic in sorted(used - set(COMPLIANCE_TOPICS)):
            if topic_enum(topic) not in topics:
                missing.append(f"{version}: {topic} ({topic_enum(topic)}), used by the addon")
        for topic in sorted(IGNORED_TOPICS):
            if topic_enum(topic) not in topics:
                missing.append(f"{version}: {topic}, listed as ignored on purpose")
        # compliance topics are set in the app's configuration, never through the API
        missing += [f"{version}: {t} can be subscribed by API" for t in COMPLIANCE_TOPICS if topic_enum(t) in topics]
    assert not missing, "\n".join(missing)
    assert not set(IGNORED_TOPICS) & used, "a topic is both used and ignored"


def test_readme_lists_the_ignored_topics():
    text = README.read_text()
    missing = [topic for topic in IGNORED_TOPICS if f"| {topic} |" not in text]
    assert not missing, f"README.md's topic table lacks: {', '.join(missing)}"


def test_services_are_found():
    """The constants walk reaches the services package (a guard for the walk itself)."""
    documents, _templates = _module_constants()
    assert any(label.startswith("services.queries.") for label in documents)
