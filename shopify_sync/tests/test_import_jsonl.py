"""Pure reading of a bulk export: lines, offsets and groups, no database."""

import json
import unittest

from ..services import bulk
from ..services.queries import bulk_export_query


def _file(*objects):
    return b"".join((o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n" for o in objects)


def _groups(data, offset=0, start_line=0, block=7):
    blocks = [data[i : i + block] for i in range(offset, len(data), block)]
    return list(bulk.iter_groups(bulk.split_lines(blocks, start_offset=offset), start_line=start_line))


PRODUCT = {"id": "gid://shopify/Product/1", "legacyResourceId": "1", "title": "Shirt"}
VARIANT_A = {"id": "gid://shopify/ProductVariant/11", "sku": "A", "__parentId": "gid://shopify/Product/1"}
VARIANT_B = {"id": "gid://shopify/ProductVariant/12", "sku": "B", "__parentId": "gid://shopify/Product/1"}
PRODUCT_2 = {"id": "gid://shopify/Product/2", "legacyResourceId": "2", "title": "Hat"}


class TestSplitLines(unittest.TestCase):
    def test_offsets_are_exact_whatever_the_blocks(self):
        data = b'{"a":1}\n\n{"b":22}\n{"c":3}'
        for block in (1, 3, 64):
            lines = list(bulk.split_lines([data[i : i + block] for i in range(0, len(data), block)]))
            self.assertEqual(lines, [(8, b'{"a":1}'), (9, b""), (18, b'{"b":22}'), (25, b'{"c":3}')], f"block {block}")

    def test_start_offset_counts_from_the_file_start(self):
        self.assertEqual(list(bulk.split_lines([b"x\ny\n"], start_offset=100)), [(102, b"x"), (104, b"y")])


class TestGroups(unittest.TestCase):
    def test_children_are_grouped_with_their_parent(self):
        data = _file(PRODUCT, VARIANT_A, VARIANT_B, PRODUCT_2)
        first, second = _groups(data)
        self.assertEqual((first.gid, first.first_line, first.last_line), (PRODUCT["id"], 1, 3))
        self.assertEqual([c["sku"] for c in first.children], ["A", "B"])
        self.assertNotIn("__parentId", first.children[0])
        self.assertEqual(first.end_offset, len(_file(PRODUCT, VARIANT_A, VARIANT_B)))
        self.assertEqual((second.resource_id, second.children, second.end_offset), ("2", [], len(data)))

    def test_resume_from_a_saved_offset_gives_the_rest(self):
        data = _file(PRODUCT, VARIANT_A, VARIANT_B, PRODUCT_2)
        first = _groups(data)[0]
        rest = _groups(data, offset=first.end_offset, start_line=first.last_line)
        self.assertEqual([(g.gid, g.first_line) for g in rest], [(PRODUCT_2["id"], 4)])

    def test_assembled_node_has_connections_like_the_single_record_query(self):
        group = _groups(_file(PRODUCT, VARIANT_A, VARIANT_B))[0]
        node = bulk.assemble("products", group)
        self.assertEqual([v["sku"] for v in node["variants"]["nodes"]], ["A", "B"])
        self.assertFalse(node["variants"]["pageInfo"]["hasNextPage"])
        order = {"id": "gid://shopify/Order/5", "legacyResourceId": "5", "name": "#1005"}
        line = {"id": "gid://shopify/LineItem/51", "quantity": 1, "__parentId": order["id"]}
        node = bulk.assemble("orders", _groups(_file(order, line))[0])
        self.assertEqual(len(node["lineItems"]["nodes"]), 1)
        self.assertEqual(node["shippingLines"]["nodes"], [])

    def test_a_bad_root_line_is_a_failure_of_its_own_named_by_its_id(self):
        bad = b'{"id":"gid://shopify/Product/9","title": oops'
        groups = _groups(_file(PRODUCT, bad, PRODUCT_2))
        self.assertEqual([g.gid for g in groups], [PRODUCT["id"], "gid://shopify/Product/9", PRODUCT_2["id"]])
        self.assertEqual(groups[1].root, None)
        self.assertEqual(groups[1].resource_id, "9")
        self.assertIn("line 2", groups[1].errors[0])
        self.assertEqual(groups[0].errors + groups[2].errors, [])

    def test_a_bad_child_line_fails_its_parent_not_the_others(self):
        bad = b'{"id":"gid://shopify/ProductVariant/13","__parentId":"gid://shopify/Product/1", x'
        first, second = _groups(_file(PRODUCT, VARIANT_A, bad, PRODUCT_2))
        self.assertEqual((first.gid, first.last_line, len(first.errors)), (PRODUCT["id"], 3, 1))
        self.assertEqual(second.errors, [])

    def test_a_line_with_no_id_names_no_record(self):
        groups = _groups(_file(b"not json at all", PRODUCT))
        self.assertEqual((groups[0].gid, groups[0].resource_id), (None, None))
        self.assertEqual(groups[1].errors, [])

    def test_a_child_out_of_order_fails_its_parent(self):
        orphan = dict(VARIANT_A, __parentId="gid://shopify/Product/7")
        groups = _groups(_file(PRODUCT, PRODUCT_2, orphan))
        self.assertEqual([g.gid for g in groups], [PRODUCT["id"], PRODUCT_2["id"], "gid://shopify/Product/7"])
        self.assertTrue(groups[2].errors)

    def test_missing_fields(self):
        group = _groups(_file({"id": "gid://shopify/Order/5", "legacyResourceId": "5"}))[0]
        self.assertEqual(bulk.missing_fields("orders", group), ["name"])
        self.assertEqual(bulk.missing_fields("products", _groups(_file(PRODUCT))[0]), [])


class TestQueries(unittest.TestCase):
    def test_export_query_and_search(self):
        from datetime import datetime

        search = bulk.search_since(datetime(2026, 1, 2, 3, 4, 5))
        self.assertEqual(search, "created_at:>='2026-01-02T03:04:05Z'")
        query = bulk_export_query("orders", search)
        self.assertTrue(query.startswith("{ orders(query: \"created_at:>='2026-01-02T03:04:05Z'\")"))
        self.assertIn("lineItems { edges { node {", query)
        self.assertNotIn("first:", query.replace("options(first: 3)", ""))
        self.assertIsNone(bulk.search_since(None))
        self.assertEqual(bulk.progress(50, 200), 25.0)
        self.assertEqual(bulk.progress(5, 0), 0.0)


class TestCutChunks(unittest.TestCase):
    def test_chunks_start_at_root_lines_and_group_as_the_whole_file(self):
        data = _file(
            {"id": "gid://shopify/Order/1"},
            {"id": "gid://shopify/LineItem/11", "__parentId": "gid://shopify/Order/1"},
            {"id": "gid://shopify/Order/2"},
            {"id": "gid://shopify/Order/3"},
            {"id": "gid://shopify/LineItem/31", "__parentId": "gid://shopify/Order/3"},
            {"id": "gid://shopify/LineItem/32", "__parentId": "gid://shopify/Order/3"},
            {"id": "gid://shopify/Order/4"},
            {"id": "gid://shopify/Order/5"},
        )
        lines = list(bulk.split_lines([data]))
        chunks = list(bulk.cut_chunks(iter(lines), 2))
        self.assertEqual([(c[1], c[3]) for c in chunks], [(0, 3), (3, 7), (7, 8)])
        self.assertEqual(chunks[-1][2], len(data))
        whole = [(g.gid, g.first_line, g.last_line, g.end_offset) for g in bulk.iter_groups(iter(lines))]
        parts = []
        for start_offset, start_line, end_offset, _end_line in chunks:
            mine = [line for line in lines if start_offset < line[0] <= end_offset]
            parts += [(g.gid, g.first_line, g.last_line, g.end_offset) for g in bulk.iter_groups(mine, start_line)]
        self.assertEqual(parts, whole)
        self.assertEqual(list(bulk.cut_chunks(iter(()), 2)), [])
