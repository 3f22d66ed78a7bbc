"""pytest fixture ``shopify_simulator``.

Enable it per project or per run, never globally: ``-p shopify_simulator.pytest_plugin``,
or ``from shopify_simulator.pytest_plugin import shopify_simulator`` in a conftest.
Override ``shopify_simulator_options`` to change the constructor's arguments.
"""

import pytest

from .server import ShopifySimulator


@pytest.fixture
def shopify_simulator_options():
    return {}


@pytest.fixture
def shopify_simulator(shopify_simulator_options):
    """A simulator started on a free port, with no faults queued; stopped at teardown."""
    sim = ShopifySimulator(port=0, **shopify_simulator_options).start()
    sim.reset_faults()
    try:
        yield sim
    finally:
        sim.stop()
