"""The overview card's links open their lists on facets the user sees: the shop, and what the link narrows to."""

from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ShopifyTransactionCase, shop_values


def search_defaults(env, action):
    """The action's ``search_default_*`` keys as (name, value, search view node): each is a visible facet."""
    model = env[action["res_model"]]
    arch = etree.fromstring(model.get_views([(False, "search")])["views"]["search"]["arch"])
    context = action.get("context") or {}
    if isinstance(context, str):
        context = safe_eval(context)
    defaults = []
    for key, value in context.items():
        if key.startswith("search_default_") and value:
            name = key.removeprefix("search_default_")
            nodes = arch.xpath(f"//field[@name='{name}'] | //filter[@name='{name}']")
            defaults.append((name, value, nodes[0] if nodes else None))
    return defaults


def listed(env, action):
    """The records the action's list opens on: its domain and its default facets (one per group here)."""
    domain = list(action.get("domain") or [])
    for name, value, node in search_defaults(env, action):
        if node is None:
            raise AssertionError(f"search_default_{name}: no such field or filter, so no facet")
        if node.tag == "field":
            domain.append((name, "=", value))
        elif node.get("domain"):
            domain += safe_eval(node.get("domain"))
    return env[action["res_model"]].search(domain)


@tagged("post_install", "-at_install")
class TestCockpitFacets(ShopifyTransactionCase):
    def _links(self):
        shop = self.shop
        return {
            "sync jobs": shop.action_open_sync_jobs(),
            "waiting jobs": shop.action_open_waiting_jobs(),
            "failures": shop.action_open_failures(),
            "mapping failures": shop.with_context(failure_category="mapping").action_open_failures(),
            "reviews": shop.action_view_reviews(),
            "deliveries": shop.action_open_deliveries(),
            "waiting deliveries": shop.with_context(waiting_only=True).action_open_deliveries(),
        }

    def test_card_links_open_on_a_visible_shop_facet_not_a_hidden_domain(self):
        for link, action in self._links().items():
            with self.subTest(link=link):
                self.assertFalse(action["domain"], "no hidden domain: what narrows the list is a facet")
                self.assertEqual(action["context"].get("search_default_shop_id"), self.shop.id)
                defaults = search_defaults(self.env, action)
                missing = [name for name, _value, node in defaults if node is None]
                self.assertFalse(missing, "every default names a field or filter of the search view")
                shop_field = [node for name, _value, node in defaults if name == "shop_id"][0]
                self.assertEqual(shop_field.tag, "field", "the Shop facet: the search view's shop field")

    def test_each_link_narrows_to_what_it_names(self):
        links = self._links()
        contexts = {link: action["context"] for link, action in links.items()}
        self.assertEqual(contexts["failures"].get("search_default_needs_action"), 1)
        self.assertEqual(contexts["failures"].get("search_default_group_category"), 1, "grouped by reason")
        self.assertEqual(contexts["mapping failures"].get("search_default_category"), "mapping")
        self.assertEqual(contexts["waiting jobs"].get("search_default_pending"), 1)
        self.assertEqual(contexts["reviews"].get("search_default_to_review"), 1)
        self.assertEqual(contexts["waiting deliveries"].get("search_default_waiting"), 1)
        self.assertNotIn("search_default_needs_person", contexts["sync jobs"], "the shop's every job")

    def test_the_facets_list_this_shop_s_jobs_only(self):
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        failure = self.sync_fails("order", self.seed_order(seed=4)["id"])
        self.assertEqual((failure.category, failure.needs_action), ("mapping", True))
        other = self.env["shopify.shop"].create(
            shop_values(self.simulator, name="Other Shop", domain="other-shop.myshopify.com")
        )
        jobs = self.env["shopify.sync.job"]
        elsewhere = jobs.browse(jobs._ensure(other, "order", "4242").id)
        elsewhere.write({"state": "failed", "needs_action": True, "category": "mapping"})
        links = self._links()
        self.assertEqual(listed(self.env, links["mapping failures"]), failure)
        self.assertEqual(listed(self.env, links["failures"]), failure)
        self.assertFalse(listed(self.env, self.shop.with_context(failure_category="temporary").action_open_failures()))
        self.assertIn(failure, listed(self.env, links["sync jobs"]))
        self.assertNotIn(elsewhere, listed(self.env, links["sync jobs"]))
        self.assertFalse(listed(self.env, links["reviews"]))
