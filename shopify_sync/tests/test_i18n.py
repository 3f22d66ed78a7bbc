"""The committed .pot is current: regenerate it with ``make pot`` when this fails."""

import io
import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

POT = Path(__file__).resolve().parents[1] / "i18n" / "shopify_sync.pot"
# Header lines that change on every export
VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.MULTILINE)


def stable(text):
    return VOLATILE.sub("", text)


@tagged("post_install", "-at_install")
class TestTranslationTemplate(TransactionCase):
    def test_pot_is_current(self):
        self.assertTrue(POT.exists(), "shopify_sync/i18n/shopify_sync.pot is missing: run `make pot`")
        buffer = io.BytesIO()
        self.assertTrue(trans_export(None, ["shopify_sync"], buffer, "po", self.env))
        exported = stable(buffer.getvalue().decode())
        committed = stable(POT.read_text(encoding="utf-8"))
        self.assertEqual(committed, exported, "shopify_sync.pot is not current: run `make pot` and commit it")

    def test_operator_messages_are_translatable(self):
        committed = POT.read_text(encoding="utf-8")
        for message in (
            "Attempt %(attempt)s failed (%(reason)s)",
            "Imported from Shopify %(name)s (store %(shop)s)",
            "Retry requested by %(user)s (attempt %(attempt)s)",
        ):
            self.assertIn(f'msgid "{message}"', committed)
