"""The shops of make bench (tools/bench.py) and their main catalogue.

- the bench shop, on a simulator of its own (``restore_rate`` points/s), which the end-to-end,
  storm and rate-limited phases send orders to;
- the ack shop, pointed at nothing (its jobs are cancelled: the ack phase measures the door
  only), with ``BENCH_KEEP_RAW_BODY`` (unset: the addon's default);
- the main catalogue: one customer and one order per order the phases send, on ``products``
  products of two variants, generated in the bench shop's simulator and synced by
  products/create webhooks before the first phase that needs it.

The import phase has a store and a shop of its own (tools/bench_import.py).
"""

import os
from dataclasses import dataclass

from shopify_simulator import SimulatorControl

from . import keys, records
from .load import Deliverer
from .orm import ShopSettings, configure_shop

SHOP = "bench-shop.myshopify.com"
ACK_SHOP = "bench-ack.myshopify.com"
TOKEN = "shpat_bench_token"
SECRET = "whsec_bench_secret"


@dataclass
class BenchShops:
    shop_id: int
    ack_shop_id: int
    sim_url: str
    sim: SimulatorControl


def set_up_shops(orm, sims, restore_rate):
    """Start the bench shop's simulator; create (or update) the bench and ack shops."""
    sim_url = sims.start(SHOP, TOKEN, SECRET, restore_rate, log_name="simulator-bench.log")
    shop_id = configure_shop(orm, ShopSettings("Bench Shop", SHOP, sim_url, TOKEN, SECRET))
    keep = os.environ.get("BENCH_KEEP_RAW_BODY")  # unset: the addon's default (off)
    ack_shop = ShopSettings("Bench Ack Shop", ACK_SHOP, "http://127.0.0.1:1", TOKEN, SECRET)
    ack_shop.keep_raw_body = None if keep is None else keep == "1"
    ack_shop_id = configure_shop(orm, ack_shop)
    backlog = os.environ.get("BENCH_BACKLOG_MIN_ORDERS")  # unset: the addon's default; 0: no backlog reads
    if backlog is not None:
        param = "shopify_sync.backlog_read_min_orders"
        orm.run(lambda env: env["ir.config_parameter"].sudo().set_param(param, backlog))
    return BenchShops(shop_id, ack_shop_id, sim_url, SimulatorControl(sim_url, timeout=300))


def generate_catalogue(bench, sim_url, products, orders):
    """``products`` products of 2 variants, ``orders`` customers and orders of 3 lines, in the
    bench shop's simulator (``bench.sim``); what it seeded."""
    bench.log(f"simulator {sim_url}: generating {products} products, {orders} customers and orders")
    return bench.sim.generate(
        customers=orders, products=products, variants_per_product=2, orders=orders, lines_per_order=3
    )


def sync_catalogue(bench, host):
    """Send the catalogue's products/create webhooks; wait until every variant is synced."""
    products = bench.data["products"]
    variant_ids = [str(v["id"]) for p in products for v in p["variants"]]
    bench.log(f"catalogue: {len(products)} products/create webhooks ({len(variant_ids)} variants)")
    Deliverer(host, bench.args.port, 4).send([bench.request("products/create", p) for p in products])
    keys_ = keys.job_keys(bench.shop_id, "product", [p["id"] for p in products])
    seconds = bench.wait_until(
        "catalogue",
        lambda: bench.db.run(records.variant_count, bench.shop_id, variant_ids) == len(variant_ids)
        and not bench.waiting(keys_),
        timeout=180,
    )
    if seconds is None:
        raise RuntimeError("the product catalogue did not sync: see the queue jobs in the bench database")
