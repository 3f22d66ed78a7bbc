"""The client's one pagination helper: pages read by cursor, the limit, the answer's shape."""

import unittest

from ..services.graphql_client import ShopifyGraphQLClient


class PagedClient(ShopifyGraphQLClient):
    """Answers from a list of pages and records the variables of each request."""

    def __init__(self, pages, wrap):
        super().__init__("http://example.invalid/graphql", "token")
        self.pages = list(pages)
        self.wrap = wrap
        self.sent = []

    def execute(self, query, variables=None, operation_name=None):
        self.sent.append(variables)
        index = len(self.sent) - 1
        nodes, more = self.pages[index]
        page_info = {"hasNextPage": more, "endCursor": f"c{index}" if more else None}
        return self.wrap({"nodes": nodes, "pageInfo": page_info})


class TestPaginate(unittest.TestCase):
    def test_every_page_is_read_by_its_cursor(self):
        client = PagedClient([([1, 2], True), ([3], True), ([4], False)], lambda c: {"things": c})
        with client:
            nodes = list(client.paginate("q", "things", {"query": "x"}, page_size=2))
        self.assertEqual(nodes, [1, 2, 3, 4])
        self.assertEqual(
            client.sent,
            [
                {"query": "x", "first": 2, "after": None},
                {"query": "x", "first": 2, "after": "c0"},
                {"query": "x", "first": 2, "after": "c1"},
            ],
        )

    def test_a_dotted_path_and_a_missing_step(self):
        client = PagedClient([([1], False)], lambda c: {"account": {"payouts": c}})
        with client:
            self.assertEqual(list(client.paginate("q", "account.payouts")), [1])
        client = PagedClient([([1], False)], lambda c: {"account": None})
        with client:
            self.assertEqual(list(client.paginate("q", "account.payouts")), [])
        self.assertEqual(client.sent, [{"after": None}])

    def test_the_limit_stops_and_says_so(self):
        client = PagedClient([([1], True), ([2], True), ([3], False)], lambda c: {"things": c})
        seen = []
        with client:
            nodes = list(client.paginate("q", "things", max_pages=2, after="start", on_more=seen.append))
        self.assertEqual(nodes, [1, 2])
        self.assertEqual([v["after"] for v in client.sent], ["start", "c0"])
        self.assertEqual(seen, [{"hasNextPage": True, "endCursor": "c1"}])

    def test_a_function_reads_the_connection(self):
        def connection_of(data):
            if data.get("missing"):
                raise LookupError("gone")
            return data["inner"]

        client = PagedClient([([1], False)], lambda c: {"inner": c})
        with client:
            self.assertEqual(list(client.paginate("q", connection_of)), [1])
        client = PagedClient([([1], False)], lambda c: {"missing": True})
        with client, self.assertRaises(LookupError):
            list(client.paginate("q", connection_of))
