"""The printed table of tools/chaos.py (chaos/results.json holds every figure)."""

TITLES = {
    "kill": "1. kill -9 of Odoo workers",
    "pg": "2. PostgreSQL restart",
    "faults": "3. Shopify 429 / 500 / timeouts",
    "drop": "4. webhooks dropped + reconcile",
    "fuzz": "5. fuzzed / hostile webhooks",
    "storm": "6. duplicate storm through nginx",
    "node_kill": "7. kill -9 of a whole node",
    "rolling": "8. rolling restart of the nodes",
    "crash": "9. all HTTP workers killed at once",
}


def environment_notes(var, out_offsets):
    """Problems of the machine, not of the addon, seen in Odoo's output (``var/<node>.out`` after its offset)."""
    crashes = 0
    for name, offset in out_offsets.items():
        out = var / f"{name}.out"
        if out.exists():
            with out.open("rb") as handle:
                handle.seek(offset)
                crashes += handle.read().decode(errors="replace").count("No module named 'pkg_resources'")
    if not crashes:
        return []
    return [
        f"the gevent (longpolling) worker crashed {crashes} times at start-up: gevent imports "
        "pkg_resources, which the virtualenv's setuptools no longer ships; Odoo's master respawns it "
        "without end, and checks the database before each respawn"
    ]


def size_text(name, result, sizes):
    if name == "kill":
        return f"{sizes['kill_orders']} orders, {len(result.get('kills', []))} kills"
    if name == "pg":
        return f"{sizes['pg_orders']} orders, {sizes['pg_outage']:g} s down"
    if name == "faults":
        return (
            f"{sizes['fault_orders']} orders, {sizes['fault_429_s']}s/{sizes['fault_500_s']}s/{sizes['fault_slow_s']}s"
        )
    if name == "drop":
        return f"{sizes['drop_orders']} orders, {sizes['drop_rate']:.0%} dropped"
    if name == "storm":
        return f"{sizes['storm_events']} x {sizes['storm_copies']}, {sizes['storm_senders']} senders"
    if name == "crash":
        return f"{sizes['crash_orders']} orders, {result.get('workers_killed', '?')} workers"
    if name in ("node_kill", "rolling"):
        return f"{sizes[name + '_orders']} orders, 2 nodes"
    return f"{result.get('requests', sizes['fuzz'])} requests"


def print_table(results):
    sizes = results["sizes"]
    head = f"{'scenario':<34} {'size':<34} {'expect':>6} {'orders':>6} {'dup':>4} {'lost':>4} {'fail':>4}"
    head += f" {'sec':>7}  result"
    print("\n==== make chaos (" + results["mode"] + ") " + "=" * (len(head) - 20))
    print(head)
    for name, r in results["scenarios"].items():
        verdict = "skipped" if r.get("skipped") else "PASS" if r.get("ok") else "FAIL"
        cells = [r.get(k, "-") for k in ("expected", "orders", "duplicates", "lost", "failed_visible")]
        seconds = r.get("seconds")
        print(
            f"{TITLES[name]:<34} {size_text(name, r, sizes):<34} "
            + " ".join(f"{str(c):>{w}}" for c, w in zip(cells, (6, 6, 4, 4, 4), strict=True))
            + f" {seconds if seconds is not None else '-':>7}  {verdict}"
        )
        for line in r.get("notes", []):
            print(f"    {line}")
        for label, passed in (r.get("checks") or {}).items():
            if not passed:
                print(f"    check failed: {label}")
        for key in ("error", "skipped"):
            if r.get(key):
                print(f"    {key}: {r[key]}")
    for note in results.get("environment_notes", []):
        print(f"environment: {note}")
    print("=" * len(head))
