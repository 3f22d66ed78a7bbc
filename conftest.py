"""pytest, whole repository: the schema contract's header and summary lines, and its
end-of-run test (marked ``schema_contract_last``) moved after every other test."""

from shopify_simulator.shopify_schema import (
    CHECKED,
    PACKAGE,
    SCHEMA_DIR,
    SENT_OPERATIONS,
    api_versions,
    missing_reason,
)


def pytest_configure(config):
    config.addinivalue_line("markers", "schema_contract_last: runs after every other test of the session")


def pytest_report_header(config):
    supported, default, contract = api_versions()
    reason = missing_reason(contract)
    return [
        f"Shopify schema contract: {PACKAGE}; API versions checked: {default} (default), "
        f"{contract[1]} (oldest supported); supported: {', '.join(supported)}",
        f"  {reason}" if reason else f"  schema files: {SCHEMA_DIR}",
    ]


def pytest_collection_modifyitems(session, config, items):
    last = [item for item in items if item.get_closest_marker("schema_contract_last")]
    if last:
        items[:] = [item for item in items if item not in last] + last


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if CHECKED:
        _supported, default, contract = api_versions()
        counts = ", ".join(f"{count} {what}" for what, count in CHECKED.items())
        terminalreporter.write_line(f"Shopify schema contract ({PACKAGE}, {' and '.join(contract)}): {counts}")
    if SENT_OPERATIONS:
        names = ", ".join(sorted(SENT_OPERATIONS))
        terminalreporter.write_line(f"  operations the addon sent, checked: {names}")
