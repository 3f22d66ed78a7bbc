import pytest

from shopify_simulator import ShopifySimulator

TOKEN = "shpat_sim_test"


@pytest.fixture
def sim():
    simulator = ShopifySimulator("sim-test.myshopify.com", TOKEN, "whsec_sim", restore_rate=100).start()
    yield simulator
    simulator.stop()
