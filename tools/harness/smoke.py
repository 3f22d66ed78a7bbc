"""The cluster smoke run of ``make test``: two nodes behind nginx, 20 orders, one node killed mid-run.

    python -m tools.harness.smoke --conf BASE.conf --db NEW_DB --port PORT

``--conf`` is any Odoo config of this checkout (the test one will do): the
run derives from it a config with workers=2 and the queue_job runner, creates
``--db`` with shopify_sync installed, starts the simulator, nginx on
``--port`` and two nodes, sends 20 orders/create webhooks the way Shopify does
(retries included) and kill -9's the node whose runner leads after the 5th
order is in Odoo.  It prints a JSON summary and exits 0 when every order is
in Odoo exactly once.
"""

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from shopify_simulator import SimulatorControl, WebhookSender

from . import jobs, records
from .db import Db
from .deploy import Deployment
from .odoo import derive_conf, odoo_command
from .orm import Orm, ShopSettings, configure_shop
from .paths import VAR
from .simulator import Simulators

SHOP, TOKEN, SECRET = "smoke-cluster.myshopify.com", "shpat_smoke_token", "whsec_smoke_secret"


def create_db(conf, db, var):
    """A new database with shopify_sync installed (dropped first if it exists)."""
    subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)
    log = var / f"install-{db}.log"
    with log.open("wb") as out:
        cmd = [*odoo_command(conf, db), "-i", "shopify_sync", "--stop-after-init", "--log-level=warn"]
        if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode:
            raise RuntimeError(f"installing shopify_sync into {db} failed (log: {log})")


def smoke_conf(base, var):
    options = {"workers": 2, "max_cron_threads": 0, "limit_time_real": 120, "log_level": "warn"}
    options |= {"log_handler": "odoo.service.server:INFO", "logfile": var / "odoo-smoke.log"}
    return derive_conf(base, var / "odoo-smoke.conf", options, {"channels": "root:2,root.shopify:2"})


def leader(odoo, db):
    app = db.run(jobs.runner_leader) or ""
    pid = app.removeprefix("odoo-")
    return odoo.node_of(int(pid)) if pid.isdigit() else None


def wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout} s")
        time.sleep(0.25)


def run(conf, db_name, port, orders=20):
    var = VAR / "smoke"
    var.mkdir(parents=True, exist_ok=True)
    conf = smoke_conf(conf, var)
    create_db(conf, db_name, var)
    sims, odoo = Simulators(var), Deployment(conf, db_name, port, var, nodes=2)
    db = Db(db_name)
    try:
        sim_url = sims.start(SHOP, TOKEN, SECRET)
        shop_id = configure_shop(Orm(conf, db_name), ShopSettings("Smoke", SHOP, sim_url, TOKEN, SECRET))
        data = SimulatorControl(sim_url, timeout=120).generate(
            customers=orders, products=2, variants_per_product=2, orders=orders, lines_per_order=2
        )
        odoo.start()
        sender = WebhookSender(f"{odoo.url}/shopify_sync/webhook", SHOP, SECRET)
        sender.send_many([("products/create", p) for p in data["products"]], shuffle=False, concurrency=2)
        variants = [str(v["id"]) for p in data["products"] for v in p["variants"]]
        wait(lambda: db.run(records.variant_count, shop_id, variants) == len(variants), 120, "catalogue")
        ids = [str(o["id"]) for o in data["orders"]]
        synced = lambda: db.run(records.order_counts, shop_id, ids)  # noqa: E731
        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = []
            for order in data["orders"]:
                sent.append(pool.submit(sender.deliver_with_retries, "orders/create", order, time_scale=0.01))
                time.sleep(0.25)
                if len(sent) == orders // 2:
                    wait(lambda: len(synced()) >= 5, 120, "5 orders in Odoo")
                    victim = leader(odoo, db) or odoo.nodes[0]
                    victim.kill()
                    killed = victim.name
            accepted = sum(1 for f in sent if any(a.ok for a in f.result()))
        wait(lambda: len(synced()) == len(ids) and not db.run(jobs.waiting, shop_id), 240, "every order in Odoo")
        counts = synced()
        summary = {
            "orders": len(ids),
            "accepted": accepted,
            "in_odoo": len(counts),
            "duplicates": sum(n - 1 for n in counts.values()),
            "surplus_records": db.run(records.surplus_records, shop_id),
            "killed": killed,
            "requests_by_node": odoo.requests_by_node(),
        }
    finally:
        odoo.stop()
        sims.stop()
        db.close()
    summary["ok"] = (
        summary["accepted"] == summary["in_odoo"] == orders
        and summary["duplicates"] == 0
        and not any(summary["surplus_records"].values())
    )
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    summary = run(args.conf, args.db, args.port)
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
