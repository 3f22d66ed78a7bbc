"""Reviews are visible: the amber card, the *Needs a person* list, statusbars and buttons by state."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.queue_job.exception import RetryableJobError

from ..models.shopify_shop_health import COLOR_AMBER, COLOR_GREEN, COLOR_RED
from .common import ShopifyTransactionCase
from .test_cockpit_facets import listed


@tagged("post_install", "-at_install")
class TestCockpitReviews(ShopifyTransactionCase):
    def _review(self):
        """A customer change waiting for review."""
        self.shop.rollout_customers = "review"
        rest = self.simulator.generate(customers=1)["customers"][0]
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        self.assertEqual(job.state, "to_review")
        return job

    def _unmapped_order(self):
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order(seed=4)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual((job.state, job.category, job.needs_action), ("failed", "mapping", True))
        return job

    def _card(self):
        self.shop.invalidate_recordset()
        return self.shop

    # -- the overview card -----------------------------------------------------------
    def test_the_card_counts_reviews_and_is_amber_while_one_waits(self):
        self.assertEqual(self._card().overview_color, COLOR_GREEN)
        job = self._review()
        card = self._card()
        self.assertEqual((card.review_count, card.needs_attention), (1, False))
        self.assertEqual(card.overview_color, COLOR_AMBER)
        reviews = listed(self.env, card.action_view_reviews())
        self.assertEqual(reviews, job)
        job.action_approve()
        self.assertEqual(job.state, "done")
        card = self._card()
        self.assertEqual((card.review_count, card.overview_color), (0, COLOR_GREEN))

    def test_a_failure_outranks_a_review_on_the_card(self):
        self._review()
        self._unmapped_order()
        card = self._card()
        self.assertEqual((card.review_count, card.open_failure_count), (1, 1))
        self.assertEqual(card.overview_color, COLOR_RED)

    def test_the_card_shows_the_review_count_and_its_badge(self):
        arch = etree.fromstring(self.env["shopify.shop"].get_views([(False, "kanban")])["views"]["kanban"]["arch"])
        link = arch.find(".//a[@name='action_view_reviews']")
        self.assertIsNotNone(link)
        self.assertIsNotNone(link.find("field[@name='review_count']"))
        self.assertIsNotNone(arch.find(".//span[@t-elif='record.review_count.raw_value']"))

    # -- the default Sync Jobs view ---------------------------------------------------
    def _default_domain(self):
        """The domain of the filters the Sync Jobs menu opens with."""
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_job")
        context = safe_eval(action["context"])
        search = self.env["shopify.sync.job"].get_views([(False, "search")])["views"]["search"]["arch"]
        arch = etree.fromstring(search)
        defaults = [key[len("search_default_") :] for key, value in context.items() if value]
        self.assertTrue(defaults)
        domains = [safe_eval(arch.find(f".//filter[@name='{name}']").get("domain")) for name in defaults]
        self.assertEqual(len(domains), 1, "one default filter")
        return domains[0]

    def test_needs_a_person_lists_failures_and_reviews_not_the_rest(self):
        review = self._review()
        failure = self._unmapped_order()
        self.shop.rollout_customers = "automatic"
        done = self.simulator.generate(customers=1)["customers"][0]
        self.sync("customer", done["id"])
        done_job = self.sync_job("customer", done["id"])
        self.assertEqual(done_job.state, "done")
        needing = self.env["shopify.sync.job"].search(self._default_domain() + [("shop_id", "=", self.shop.id)])
        self.assertEqual(needing, review | failure)

    # -- statusbar and buttons by state ---------------------------------------------------
    def test_states_read_in_the_order_a_job_goes_through_them(self):
        states = [value for value, _label in self.env["shopify.sync.job"]._fields["state"].selection]
        self.assertEqual(states, ["pending", "to_review", "failed", "done", "ignored", "rejected"])

    def _header(self, job):
        """The header's visible buttons (name, primary?) and the visible statusbar's steps for ``job``."""
        arch = self.env["shopify.sync.job"].get_views([(False, "form")])["views"]["form"]["arch"]
        header = etree.fromstring(arch).find(".//header")
        values = {name: job[name] for name in ("state", "needs_action", "fix_model", "review_decision")}
        values["shopify_admin_url"] = job.shopify_admin_url
        values["same_reason_count"] = job.same_reason_count

        def visible(node):
            return not safe_eval(node.get("invisible") or "False", dict(values))

        resolve = str(self.env.ref("shopify_sync.action_shopify_resolve_wizard").id)
        buttons = [
            (
                "mark_resolved" if node.get("name") == resolve else node.get("name"),
                "btn-primary" in (node.get("class") or ""),
            )
            for node in header.iterfind("button")
            if visible(node)
        ]
        bars = header.findall("field[@name='state']")
        self.assertEqual(len(bars), 1, "one statusbar")
        self.assertEqual((bars[0].get("widget"), bars[0].get("invisible")), ("shopify_status_path", None))
        # what the widget shows: the selection's states on the path, and the current one
        shown = set(job.status_path.split(",")) | {job.state}
        steps = [
            state for state in self.env["shopify.sync.job"]._fields["state"].get_values(self.env) if state in shown
        ]
        return buttons, steps

    def test_a_review_offers_approve_and_reject_only(self):
        job = self._review()
        buttons, steps = self._header(job)
        names = [name for name, _primary in buttons]
        self.assertIn("action_approve", names)
        self.assertIn("action_open_reject_wizard", names)
        self.assertNotIn("action_retry", names)
        self.assertNotIn("mark_resolved", names, "no Mark resolved")
        self.assertEqual([name for name, primary in buttons if primary], ["action_approve"])
        self.assertEqual(steps, ["pending", "to_review", "done"])
        with self.assertRaises(UserError):
            job.action_retry()

    def test_a_rejected_change_offers_nothing_and_ends_at_rejected(self):
        job = self._review()
        job.action_reject("Not agreed yet")
        self.assertEqual(job.state, "rejected")
        buttons, steps = self._header(job)
        names = [name for name, _primary in buttons]
        self.assertFalse({"action_retry", "action_approve", "action_open_reject_wizard"} & set(names), names)
        self.assertNotIn("mark_resolved", names, "no Mark resolved")
        self.assertEqual(steps, ["pending", "to_review", "rejected"], "it was reviewed, and ends there")
        wizard = self.env["shopify.resolve.wizard"].create({"sync_job_ids": job.ids, "reason": "by hand"})
        with self.assertRaises(UserError):
            wizard.action_resolve()
        self.assertEqual(job.state, "rejected")

    def test_an_approved_review_shows_its_review_step(self):
        job = self._review()
        job.action_approve()
        _buttons, steps = self._header(job)
        self.assertEqual(steps, ["pending", "to_review", "done"])

    def test_one_statusbar_tells_the_path_and_where_the_job_is(self):
        job = self._review()
        self.assertEqual((job.state, job.status_path), ("to_review", "pending,to_review,done"))
        job.action_approve()
        self.assertEqual((job.state, job.status_path), ("done", "pending,to_review,done"), "done, after its review")
        arch = etree.fromstring(self.env["shopify.sync.job"].get_views([(False, "form")])["views"]["form"]["arch"])
        bars = arch.xpath("//field[@widget='statusbar' or @widget='shopify_status_path']")
        self.assertEqual([(bar.get("name"), bar.get("widget")) for bar in bars], [("state", "shopify_status_path")])
        failure = self._unmapped_order()
        self.assertEqual(failure.status_path, "pending,failed,done")
        wizard = self.env["shopify.resolve.wizard"].create({"sync_job_ids": failure.ids, "reason": "by hand"})
        wizard.action_resolve()
        self.assertEqual((failure.state, failure.status_path), ("ignored", "pending,ignored"))

    def test_a_mapping_failure_puts_the_fix_first(self):
        job = self._unmapped_order()
        buttons, steps = self._header(job)
        primary = [name for name, is_primary in buttons if is_primary]
        self.assertEqual(primary, ["action_fix_mapping"], buttons)
        self.assertIn(("action_retry", False), buttons, "Retry still offered, as a second choice")
        self.assertIn("mark_resolved", dict(buttons), "Mark resolved offered")
        self.assertEqual(steps, ["pending", "failed", "done"])

    def test_a_temporary_failure_offers_retry_first(self):
        self.simulator.fail_next(100, status=500)
        seeded = self.seed_order(seed=5)
        failed = None
        try:  # not assertRaises: its savepoint would drop the failure record
            self.sync("order", seeded["id"])
        except RetryableJobError as err:
            failed = err
        self.assertTrue(failed, "the order's sync failed")
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.state, job.category, job.needs_action), ("failed", "temporary", True))
        buttons, _steps = self._header(job)
        self.assertEqual([name for name, is_primary in buttons if is_primary], ["action_retry"], buttons)

    def test_a_done_job_offers_no_retry_and_no_resolve(self):
        seeded = self.seed_order(seed=6)
        self.sync("order", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual(job.state, "done")
        buttons, steps = self._header(job)
        names = [name for name, _primary in buttons]
        self.assertNotIn("action_retry", names)
        self.assertNotIn("mark_resolved", names)
        self.assertEqual(steps, ["pending", "done"])
