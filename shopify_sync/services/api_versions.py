"""The Shopify Admin API versions shopify_sync supports (docs/SCHEMA_CONTRACT.md).

Each is checked against Shopify's published schema of that version by the contract tests
(the default and the oldest on every run); tools/fetch_shopify_schema.sh unpacks exactly these.
Adopting a new version: add it here, run ``make setup`` (its schema file is fetched), run the
contract tests for it, fix the simulator (schema.graphql describes the default version) and the
documents, then make it DEFAULT_API_VERSION. Keep this tuple on one line, oldest first.
"""

SUPPORTED_API_VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10")
DEFAULT_API_VERSION = "2026-10"
OLDEST_API_VERSION = SUPPORTED_API_VERSIONS[0]
# The versions every test run checks the contract for.
CONTRACT_VERSIONS = (DEFAULT_API_VERSION, OLDEST_API_VERSION)
