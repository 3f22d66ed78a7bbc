"""pytest fixture ``shopify_simulator``: ``-p shopify_simulator.pytest_plugin`` or import it in a conftest."""

import pytest

from .server import ShopifySimulator


@pytest.fixture
def shopify_simulator():
    sim = ShopifySimulator().start()
    try:
        yield sim
    finally:
        sim.stop()
