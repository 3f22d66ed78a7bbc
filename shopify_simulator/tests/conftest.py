"""Fixtures: the plugin's ``shopify_simulator``, plus ``sim`` with the test shop's credentials."""

import pytest

from shopify_simulator.pytest_plugin import shopify_simulator  # noqa: F401 - fixture

from .helpers import SECRET, SHOP, TOKEN


@pytest.fixture
def shopify_simulator_options():
    return {"shop_domain": SHOP, "access_token": TOKEN, "client_secret": SECRET}


@pytest.fixture
def sim(shopify_simulator):  # noqa: F811 - the fixture imported above
    return shopify_simulator
