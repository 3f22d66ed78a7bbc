"""docs/images/*.png: the overview, a failure, the fix wizard, Sync health and the Apps page, as headless chromium
shows them.

Called by ``make screenshots`` (tools/make_screenshots.sh) on a fresh database: a
small data set is made through the ORM against local Shopify simulators (two
stores, orders synced, a few failures, a customer change waiting for review), then Odoo serves it and chromium, driven
over the DevTools protocol, takes the pictures.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shopify_simulator import ShopifySimulator, WebhookSender  # noqa: E402
from tools.harness.orm import tax_group  # noqa: E402
from tools.harness.procs import free_port, stop_process_group, wait_http  # noqa: E402

API_VERSION = "2026-01"
STORES = [
    # name, domain, orders that sync, orders that fail on unmapped products
    ("Outdoor Gear EU", "outdoor-gear-eu.myshopify.com", 6, 0),
    ("Outdoor Gear US", "outdoor-gear-us.myshopify.com", 5, 2),
]
SHOTS = ROOT / "docs" / "images"


# -- the data -------------------------------------------------------------------
def build_data(conf, db):
    """Shops against simulators, orders synced through the sync jobs, failures left open."""
    import odoo  # noqa: PLC0415 - only with the virtualenv's Odoo
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", conf, "-d", db])
    registry = Registry(db)
    simulators, failed_job = [], None
    for index, (name, domain, good, bad) in enumerate(STORES):
        token, secret = f"shpat_demo_{index}", f"whsec_demo_{index}"
        sim = ShopifySimulator(
            shop_domain=domain, access_token=token, client_secret=secret, api_version=API_VERSION, restore_rate=100000
        ).start()
        synced = []
        simulators.append((sim, domain, secret, synced))
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": name,
                    "domain": domain,
                    "base_url": sim.base_url,
                    "api_version": API_VERSION,
                    "new_access_token": token,
                    "new_client_secret": secret,
                    "confirm_policy": "on_create",
                    "keep_raw_body": True,
                    "user_id": env.ref("base.user_admin").id,
                }
            )
            tax = env["account.tax"].search([("name", "=", "Sales tax 6%")], limit=1) or env["account.tax"].create(
                {
                    "name": "Sales tax 6%",
                    "amount": 6.0,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "tax_group_id": tax_group(env, 6.0).id,
                }
            )
            env["shopify.tax.mapping"].create({"shop_id": shop.id, "rate": 0.06, "tax_id": tax.id})
            # as the readiness asks: taxes rounded per line, as Shopify rounds them
            shop.company_id.tax_calculation_rounding_method = "round_per_line"
            shop_id = shop.id
        data = sim.generate(customers=good + bad, products=4, orders=good, lines_per_order=2, seed=40 + index)
        for order in data["orders"]:
            sync_once(registry, shop_id, order["id"])
            synced.append(order["id"])
        if bad:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["shopify.shop"].browse(shop_id).write({"create_products": False, "match_product_by_sku": True})
            data = sim.generate(customers=bad, products=2, orders=bad, lines_per_order=1, seed=60 + index)
            for order in data["orders"]:
                failed_job = sync_once(registry, shop_id, order["id"]) or failed_job
            sim.fail_next(20, status=503)
            temporary = sim.generate(customers=1, products=1, orders=1, lines_per_order=1, seed=80 + index)
            sync_once(registry, shop_id, temporary["orders"][0]["id"])
            sim.reset_faults()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["shopify.shop"].browse(shop_id).reconcile("2026-01-01 00:00:00")
        if not bad:
            review_once(registry, shop_id, sim)
            ready_and_import(registry, shop_id)
    return simulators, failed_job


def ready_and_import(registry, shop_id):
    """The clean store: readiness checked (no false alarm) and an import of its customers and products
    queued, which the server's queue_job runner performs (its result lines are the import picture)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shop = env["shopify.shop"].browse(shop_id)
        shop.action_check_readiness()
        shop.action_import(objects=("products", "customers"))


def wait_for_imports(db, seconds=180):
    """Until every import run is done or failed (the runner performs them once the server is up)."""
    import psycopg2  # noqa: PLC0415 - only with the virtualenv's Odoo requirements

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with psycopg2.connect(dbname=db) as cnx, cnx.cursor() as cr:
            cr.execute("SELECT count(*) FROM shopify_import_run WHERE state NOT IN ('done', 'failed')")
            if not cr.fetchone()[0]:
                return True
        time.sleep(2)
    print("[screenshots] the import did not finish: its picture shows it running")
    return False


def clean_shop(db):
    import psycopg2  # noqa: PLC0415

    with psycopg2.connect(dbname=db) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT id FROM shopify_shop WHERE domain = %s", [STORES[0][1]])
        return cr.fetchone()[0]


def review_once(registry, shop_id, sim):
    """A store whose customers are in review: one change waits for a decision (the amber card)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    customer = sim.generate(customers=1, seed=90)["customers"][0]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["shopify.shop"].browse(shop_id).rollout_customers = "review"
        env["shopify.sync.job"].run_sync(shop_id, "customer", str(customer["id"]))


def sync_once(registry, shop_id, order_id):
    """Run one order's sync job as its queue job would; the failed sync job's id, if it failed."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    from odoo.addons.shopify_sync.models.shopify_sync_job import SyncFailed  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shop = env["shopify.shop"].browse(shop_id)
        job = env["shopify.sync.job"]._ensure(shop, "order", str(order_id))
        job_id = job.id
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            env["shopify.sync.job"].run_sync(shop_id, "order", str(order_id))
        except SyncFailed:
            cr.rollback()
            return job_id
        except Exception as exc:  # noqa: BLE001 - a temporary failure ends as a retry request
            cr.rollback()
            print(f"[screenshots] order {order_id}: {type(exc).__name__}: {exc}")
    return None


# -- the browser ------------------------------------------------------------------
class Chromium:
    """Just enough of the DevTools protocol: navigate, evaluate, screenshot."""

    def __init__(self, binary, width=1440, height=900):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="shopify-shots-")
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_http(f"http://127.0.0.1:{self.port}/json/version", 60)
        page = next(
            t for t in requests.get(f"http://127.0.0.1:{self.port}/json", timeout=5).json() if t["type"] == "page"
        )
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.counter = 0
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def goto(self, url, selector, settle=1.5):
        self.call("Page.navigate", url=url)
        self.wait_for(selector)
        time.sleep(settle)

    def wait_for(self, selector, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{selector} did not appear")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"[screenshots] {path.relative_to(ROOT)}")

    def close(self):
        self.ws.close()
        stop_process_group(self.proc, 10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(browser, base):
    browser.goto(f"{base}/web/login", "input[name=login]", settle=0.3)
    browser.evaluate(
        "document.querySelector('input[name=login]').value='admin';"
        "document.querySelector('input[name=password]').value='admin';"
        "document.querySelector('form.oe_login_form').submit();"
    )
    time.sleep(2)
    browser.wait_for(".o_main_navbar")


def take_pictures(browser, base, failed_job, shop_id):
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(browser, base)
    browser.goto(f"{base}/odoo/action-shopify_sync.action_shopify_overview", ".o_kanban_record .o_shopify_health")
    browser.screenshot(SHOTS / "overview.png")
    browser.goto(f"{base}/odoo/action-shopify_sync.action_shopify_sync_job/{failed_job}", ".o_form_view .alert-danger")
    browser.screenshot(SHOTS / "failure.png")
    browser.evaluate("document.querySelector('button[name=action_fix_mapping]').click()")
    browser.wait_for(".modal button[name=action_apply]")
    time.sleep(1.5)
    browser.screenshot(SHOTS / "fix_wizard.png")
    browser.goto(f"{base}/odoo/action-shopify_sync.action_shopify_sync_health", ".o_pivot table")
    browser.screenshot(SHOTS / "sync_health.png")
    shop_url = f"{base}/odoo/action-shopify_sync.action_shopify_shop/{shop_id}"
    browser.goto(shop_url, ".o_shopify_import_result .o_data_row")
    browser.evaluate("document.querySelector('.o_shopify_import_result').scrollIntoView({block: 'center'})")
    time.sleep(1)
    browser.screenshot(SHOTS / "import_result.png")
    browser.evaluate("document.querySelector(\".o_notebook a.nav-link[name='golive']\").click()")
    browser.wait_for(".o_notebook .badge")
    browser.evaluate("document.querySelector('.o_notebook').scrollIntoView({block: 'start'})")
    time.sleep(1)
    browser.screenshot(SHOTS / "readiness.png")


def module_id(db, name="shopify_sync"):
    import psycopg2  # noqa: PLC0415 - only with the virtualenv's Odoo requirements

    with psycopg2.connect(dbname=db) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT id FROM ir_module_module WHERE name = %s", [name])
        return cr.fetchone()[0]


def take_apps_page(browser, base, db):
    """Apps > Shopify Sync > Module info: the page static/description/index.html makes."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.goto(f"{base}/odoo/action-base.open_module_tree/{module_id(db)}", ".o_form_view img[src$='overview.png']")
    browser.evaluate(
        "Promise.all([...document.querySelectorAll('.o_form_view img')].map("
        "i => i.complete ? 1 : new Promise(r => { i.onload = i.onerror = r; })))"
    )
    time.sleep(1)
    browser.screenshot(SHOTS / "apps_page.png")


@contextmanager
def odoo_server(conf, db, port):
    odoo_src = (Path(sys.prefix) / "odoo_src").read_text().strip()
    log = open(ROOT / ".cache" / "odoo-screenshots.out", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, f"{odoo_src}/odoo-bin", "-c", conf, "-d", db, "--http-port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/web/login", 120)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process_group(proc, 20)
        log.close()


def send_webhooks(base, simulators):
    """A few orders/updated webhooks per store, so the cards show recent deliveries."""
    for sim, domain, secret, synced in simulators:
        sender = WebhookSender(f"{base}/shopify_sync/webhook", domain, secret, api_version=API_VERSION)
        for order_id in synced[:3]:
            sender.send("orders/updated", sim.webhook_payload("orders/updated", order_id))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8869)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--apps-page-only", action="store_true", help="only docs/images/apps_page.png (no data)")
    args = parser.parse_args()
    if args.apps_page_only:
        with odoo_server(args.conf, args.db, args.port) as base:
            browser = Chromium(args.chromium, height=1300)
            try:
                login(browser, base)
                take_apps_page(browser, base, args.db)
            finally:
                browser.close()
        return 0
    simulators, failed_job = build_data(args.conf, args.db)
    if not failed_job:
        raise SystemExit("[screenshots] no failed sync job to show")
    try:
        with odoo_server(args.conf, args.db, args.port) as base:
            try:
                send_webhooks(base, simulators)
            except Exception as exc:  # noqa: BLE001 - the pictures do not need them
                print(f"[screenshots] webhooks not sent: {exc}")
            time.sleep(5)
            wait_for_imports(args.db)
            browser = Chromium(args.chromium)
            try:
                take_pictures(browser, base, failed_job, clean_shop(args.db))
                take_apps_page(browser, base, args.db)
            finally:
                browser.close()
    finally:
        for sim, *_rest in simulators:
            sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
