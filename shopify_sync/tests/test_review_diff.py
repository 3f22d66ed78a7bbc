"""The pure diff logic of review-before-apply (services/review.py)."""

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from ..services import review


def _meta(label):
    return {"model": "res.partner", "model_label": "Contact", "record": label}


@tagged("post_install", "-at_install")
class TestReviewDiff(BaseCase):
    def test_write_keeps_only_changed_fields_and_merges(self):
        entries = []
        review.add_write(entries, "res.partner:7", _meta("Jane"), [{"name": "city", "old": "Gent", "new": "Gent"}])
        self.assertEqual(entries, [], "a field written with its own value is no change")
        review.add_write(entries, "res.partner:7", _meta("Jane"), [{"name": "email", "old": "a@x", "new": "b@x"}])
        review.add_write(entries, "res.partner:7", _meta("Jane"), [{"name": "email", "old": "b@x", "new": "c@x"}])
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]["fields"], [{"name": "email", "old": "a@x", "new": "c@x"}])
        review.add_write(entries, "res.partner:7", _meta("Jane"), [{"name": "email", "old": "c@x", "new": "a@x"}])
        self.assertEqual(entries, [], "written back to the old value: nothing left to review")

    def test_create_drops_empty_values(self):
        entries = []
        review.add_create(
            entries,
            "res.partner:new:1",
            _meta("(new)"),
            [{"name": "email", "new": "a@x"}, {"name": "phone", "new": False}],
        )
        self.assertEqual(entries[0]["op"], "create")
        self.assertEqual([f["name"] for f in entries[0]["fields"]], ["email"])

    def test_fingerprint_changes_with_the_version_and_the_change(self):
        entries = [dict(_meta("Jane"), op="write", key="k", fields=[{"name": "email", "old": "a", "new": "b"}])]
        base = review.fingerprint("2026-11-25 10:00:00", entries)
        self.assertEqual(base, review.fingerprint("2026-11-25 10:00:00", [dict(e) for e in entries]))
        self.assertNotEqual(base, review.fingerprint("2026-11-25 10:00:01", entries))
        other = [dict(entries[0], fields=[{"name": "email", "old": "a", "new": "c"}])]
        self.assertNotEqual(base, review.fingerprint("2026-11-25 10:00:00", other))

    def test_html_escapes_and_summarises(self):
        entries = []
        review.add_create(
            entries, "res.partner:new:1", _meta("<b>Eve</b>"), [{"name": "name", "label": "Name", "new": "<script>"}]
        )
        review.add_write(
            entries, "res.partner:3", _meta("Bob"), [{"name": "email", "label": "Email", "old": "a@x", "new": "b@x"}]
        )
        html = str(review.render_html(entries))
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("<del>a@x</del>", html)
        self.assertIn("<ins>b@x</ins>", html)
        self.assertEqual(review.summary(entries), "1 record(s) to create, 1 field(s) to change on 1 record(s).")
        self.assertEqual(review.summary([]), "No change: Odoo already matches Shopify.")
