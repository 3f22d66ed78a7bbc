"""The demo's orders that are not plain web orders: a risky one, one taken at the counter, one with a tip and duties."""

from shopify_simulator.totals import recompute_totals

RISK_ACTIVITY = "shopify_sync.mail_activity_type_risk_review"


class DemoOrderKinds:
    def __init__(self, scenario):
        self.scenario = scenario
        self.orders = {}

    def run(self):
        s = self.scenario
        s.step("A risky order: Shopify's risk news (high) arrives before the order itself, twice")
        risky = s.new_order()
        risky.update(risk_assessments=[{"risk_level": "high"}], risk_recommendation="cancel")
        s.sim.seed(orders=[risky])
        risk_event = s.sim.payload("orders/risk_assessment_changed", risky["id"])
        s.sender.send("orders/risk_assessment_changed", risk_event)
        s.sender.send("orders/risk_assessment_changed", risk_event)
        s.sender.send("orders/create", s.sim.payload("orders/create", risky["id"]))

        s.step("A point-of-sale order at the mapped Shopify location, its webhook delivered twice")
        pos = s.new_order()
        pos.update(source_name="pos", location_id=s.shopify_location, shipping_lines=[], shipping_address=None)
        recompute_totals(pos)
        s.sim.seed(orders=[pos])
        for _copy in range(2):
            s.sender.send("orders/create", s.sim.payload("orders/create", pos["id"]))

        s.step("An order with a tip, duties and their import taxes: orders/updated before orders/create")
        extras = s.new_order()
        extras["total_tip_received"] = "3.00"
        extras["line_items"][0]["duties"] = [{"price": "2.40", "tax_lines": [{"title": "Import VAT", "rate": 0.25}]}]
        recompute_totals(extras)
        s.sim.seed(orders=[extras])
        for topic in ("orders/updated", "orders/create"):
            s.sender.send(topic, s.sim.payload(topic, extras["id"]))
        self.orders = {"risky": risky, "pos": pos, "extras": extras}
        s.wait_for_jobs()

    def _data(self, env):
        shop = env["shopify.shop"].browse(self.scenario.shop_id)
        bindings = env["shopify.order.binding"]
        order = {key: bindings._record(shop, rest["id"]) for key, rest in self.orders.items()}
        activity_type = env.ref(RISK_ACTIVITY)
        risky = order["risky"]
        pickings = order["pos"].picking_ids
        return {
            "risky": (
                risky.state,
                risky.shopify_risk_hold,
                len(risky.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)),
            ),
            "pos": (
                order["pos"].team_id.name or "-",
                [(p.name, p.state, p.location_id.display_name) for p in pickings],
            ),
            "extras": (order["extras"].amount_total, float(self.orders["extras"]["total_price"])),
        }

    def report(self):
        """(rows, ok): one row per kind of order."""
        data = self.scenario.orm.run(self._data)
        state, held, activities = data["risky"]
        team, pickings = data["pos"]
        odoo_total, shopify_total = data["extras"]
        rows = [
            (
                "risky order (news first, twice): state / held / review activities",
                f"{state} / {'yes' if held else 'no'} / {activities}",
            ),
            (
                "point-of-sale order: team / transfers",
                f"{team} / " + (", ".join(f"{n} {st} from {loc}" for n, st, loc in pickings) or "none"),
            ),
            ("order with a tip and duties: Odoo total / Shopify total", f"{odoo_total:.2f} / {shopify_total:.2f}"),
        ]
        ok = (
            (state, held, activities) == ("draft", True, 1)
            and len(pickings) == 1
            and pickings[0][1] == "done"
            and round(odoo_total - shopify_total, 2) == 0
        )
        return rows, ok
