"""make bench, phase publish: Odoo-made products published to a store at 100 points/s.

``BENCH_PUBLISH_PRODUCTS`` products (1,000) of ``BENCH_PUBLISH_VARIANTS`` variants (2) are
created in Odoo, then published to a store of its own (a simulator at
``BENCH_PUBLISH_RESTORE_RATE`` points/s, Shopify's Standard plan) as the publish wizard does
(``shopify.shop._publish_products``): from ``shopify_sync.bulk_publish_from`` products on, one
bulk productSet mutation (models/shopify_publish_batch.py). The clock starts at the call and
stops when no queue job of the shop waits. ``publish_products_per_s`` is the products bound in
Odoo per second; ``publish_duplicates`` the Shopify products beyond one per handle.

In ``make bench`` the jobs run in the bench's Odoo workers. ``python -m tools.bench_publish
--conf C --db D [--products N]`` runs the same measure in this one process instead (an
in-process simulator, the queue jobs performed one after the other as the runner would): no
server needed, the figure of one worker.
"""

import argparse
import json
import os
import sys
import time

from shopify_simulator import SimulatorControl
from tools.harness import jobs
from tools.harness.keys import shop_pattern
from tools.harness.orm import ShopSettings, configure_shop

SHOP = "bench-publish.myshopify.com"
TOKEN, SECRET = "shpat_bench_publish", "whsec_bench_publish"
POLL = 0.5


def sizes():
    env = os.environ.get
    return {
        "publish_products": int(env("BENCH_PUBLISH_PRODUCTS", 1000)),
        "publish_variants_per_product": int(env("BENCH_PUBLISH_VARIANTS", 2)),
        "publish_restore_rate": float(env("BENCH_PUBLISH_RESTORE_RATE", 100)),
        "publish_timeout": int(env("BENCH_PUBLISH_TIMEOUT", 1800)),
    }


def create_products(env, count, variants, tag):
    """``count`` product templates of ``variants`` variants each (one attribute), with SKUs; their ids."""
    attribute = env["product.attribute"].create(
        {
            "name": f"Bench size {tag}",
            "create_variant": "always",
            "value_ids": [(0, 0, {"name": f"V{number}"}) for number in range(variants)],
        }
    )
    values = attribute.value_ids.ids
    templates = env["product.template"].create(
        [
            {
                "name": f"Bench publish {tag} {number}",
                "list_price": 10.0 + number % 50,
                "attribute_line_ids": [(0, 0, {"attribute_id": attribute.id, "value_ids": [(6, 0, values)]})],
            }
            for number in range(count)
        ]
    )
    for template in templates:
        for variant in template.product_variant_ids:
            variant.default_code = f"BP-{tag}-{template.id}-{variant.product_template_attribute_value_ids.name}"
    return templates.ids


def publish(env, shop_id, template_ids):
    shop = env["shopify.shop"].browse(shop_id)
    shop._publish_products(env["product.template"].browse(template_ids))


def bound_count(env, shop_id, template_ids):
    return env["shopify.product.binding"].search_count([("shop_id", "=", shop_id), ("odoo_id", "in", template_ids)])


def duplicates(mutations):
    """Shopify products beyond one per handle, by the productSet calls (single or bulk lines) applied."""
    by_handle = {}
    for record in mutations:
        product = (record.get("result") or {}).get("product") or {}
        if record.get("name") == "productSet" and record.get("applied") and product.get("handle"):
            by_handle.setdefault(product["handle"], set()).add(product.get("id"))
    return sum(len(ids) - 1 for ids in by_handle.values())


def figures(products, seconds, bound, calls, mutations):
    ran = [c for c in calls if c.get("actual_cost") is not None]
    return {
        "publish_products_per_s": round(bound / seconds, 2) if seconds else None,
        "publish_seconds": round(seconds, 2) if seconds else None,
        "publish_bound": bound,
        "publish_failed": products - bound,
        "publish_api_calls": len(calls),
        "publish_points_used": sum(c["actual_cost"] for c in ran),
        "publish_api_calls_throttled": sum(1 for c in calls if c.get("throttled")),
        "publish_duplicates": duplicates(mutations),
    }


class PublishPhase:
    """The phase in ``make bench``: the bench's Odoo workers run the jobs."""

    def __init__(self, bench):
        self.bench = bench
        self.sizes = sizes()

    def log(self, text):
        self.bench.log(f"publish: {text}")

    def run(self):
        b, s = self.bench, self.sizes
        b.results["sizes"].update(s)
        url = b.sims.start(SHOP, TOKEN, SECRET, s["publish_restore_rate"], log_name="simulator-publish.log")
        sim = SimulatorControl(url, timeout=60)
        shop_id = configure_shop(b.orm, ShopSettings("Bench Publish Shop", SHOP, url, TOKEN, SECRET))
        count, variants = s["publish_products"], s["publish_variants_per_product"]
        self.log(f"creating {count} products x {variants} variants in Odoo")
        ids = b.orm.run(lambda env: create_products(env, count, variants, "make"))
        started = time.monotonic()
        b.orm.run(lambda env: publish(env, shop_id, ids))
        seconds = None
        while time.monotonic() - started < s["publish_timeout"]:
            b.services.check_alive()
            b.sims.check_alive()
            if not b.db.run(jobs.waiting, shop_id):
                seconds = time.monotonic() - started
                break
            time.sleep(POLL)
        if seconds is None:
            b.results["notes"].append(f"publish: not done within {s['publish_timeout']} s")
        bound = b.orm.run(lambda env: bound_count(env, shop_id, ids))
        b.results.update(figures(count, seconds, bound, sim.calls(), sim.mutations("productSet")))
        self.log(f"{bound} of {count} bound in {seconds} s")


def run(bench):
    """The publish phase of ``bench`` (a tools.bench.Bench)."""
    PublishPhase(bench).run()


# -- in one process --------------------------------------------------------------------------
def measure_in_process(conf, db, count, variants, restore_rate):
    """The measure without servers: an in-process simulator, the jobs performed here, one by one."""
    from shopify_simulator.server import ShopifySimulator  # noqa: PLC0415
    from tools.harness.orm import Orm  # noqa: PLC0415

    orm = Orm(conf, db)  # sets the addons path: queue_job can be imported now
    from odoo.addons.queue_job.exception import RetryableJobError  # noqa: PLC0415
    from odoo.addons.queue_job.job import Job  # noqa: PLC0415

    # A new store each run (its ids start again): a shop of its own, not the bindings of an earlier run.
    tag = str(int(time.time()))
    domain = f"bench-publish-{tag}.myshopify.com"
    sim = ShopifySimulator(shop_domain=domain, access_token=TOKEN, restore_rate=restore_rate).start()
    try:
        shop_id = configure_shop(orm, ShopSettings(f"Bench Publish {tag}", domain, sim.base_url, TOKEN, SECRET))
        orm.run(lambda env: env["ir.config_parameter"].set_param("shopify_sync.import_poll_seconds", "0.5"))
        ids = orm.run(lambda env: create_products(env, count, variants, tag))
        started = time.monotonic()
        orm.run(lambda env: publish(env, shop_id, ids))

        def next_job(env):
            env.cr.execute(
                "SELECT uuid FROM queue_job WHERE identity_key LIKE %s AND state IN ('pending', 'enqueued') "
                "AND (eta IS NULL OR eta <= now() at time zone 'utc') ORDER BY id LIMIT 1",
                (shop_pattern(shop_id),),
            )
            row = env.cr.fetchone()
            return row and row[0]

        def perform(env, uuid):
            job = Job.load(env, uuid)
            job.set_started()
            job.store()
            try:
                job.perform()
            except RetryableJobError:
                job.postpone(seconds=1)
                job.set_pending(reset_retry=False)
            else:
                job.set_done()
            job.store()

        while orm.run(lambda env: jobs.waiting(env.cr, shop_id)):
            uuid = orm.run(next_job)
            if not uuid:
                time.sleep(0.2)  # a poll waiting for its eta, the bulk mutation running
                continue
            orm.run(lambda env, u=uuid: perform(env, u))
        seconds = time.monotonic() - started
        bound = orm.run(lambda env: bound_count(env, shop_id, ids))
        return figures(count, seconds, bound, list(sim.calls), list(sim.mutations))
    finally:
        sim.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--products", type=int, default=sizes()["publish_products"])
    parser.add_argument("--variants", type=int, default=sizes()["publish_variants_per_product"])
    parser.add_argument("--restore-rate", type=float, default=sizes()["publish_restore_rate"])
    args = parser.parse_args()
    result = measure_in_process(args.conf, args.db, args.products, args.variants, args.restore_rate)
    print(json.dumps(dict(result, products=args.products, variants=args.variants, restore_rate=args.restore_rate)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
