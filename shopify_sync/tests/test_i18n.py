"""The committed .pot is current (regenerate it with ``make pot`` when this fails) and fr.po translates it."""

import io
import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PoFileReader, trans_export

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


FR_PO = POT.with_name("fr.po")
# Python %-placeholders (%s, %d, %(name)s, %(amount).2f, %%) and str.format fields ({name})
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdfr%]|\{\w*\}")


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    """fr.po translates every term of the .pot, no more, with the same placeholders, and Odoo loads it.

    ``python tools/po_untranslated.py`` lists what to add when the .pot grew.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Given the file's text rather than its path, Odoo's reader does not merge the .pot in:
        # what it holds is fr.po alone.
        cls.po = PoFileReader(FR_PO.read_text(encoding="utf-8")).pofile
        cls.pot = PoFileReader(POT.read_text(encoding="utf-8")).pofile

    def test_header(self):
        metadata = self.po.metadata
        self.assertEqual(metadata.get("Language"), "fr")
        self.assertIn("charset=UTF-8", metadata.get("Content-Type", ""))
        self.assertEqual(metadata.get("Plural-Forms"), "nplurals=2; plural=(n > 1);")

    def test_every_term_is_translated(self):
        translated = {entry.msgid: entry.msgstr for entry in self.po if not entry.obsolete}
        missing = [entry.msgid for entry in self.pot if entry.msgid not in translated]
        empty = [msgid for msgid, msgstr in translated.items() if not msgstr.strip()]
        self.assertFalse(missing, f"fr.po lacks {len(missing)} term(s) of the .pot (tools/po_untranslated.py)")
        self.assertFalse(empty, f"fr.po leaves {len(empty)} term(s) untranslated (tools/po_untranslated.py)")

    def test_no_term_beyond_the_pot(self):
        obsolete = [entry.msgid for entry in self.po if entry.obsolete]
        self.assertFalse(obsolete, "fr.po keeps obsolete (#~) entries: remove them")
        known = {entry.msgid for entry in self.pot}
        extra = [entry.msgid for entry in self.po if entry.msgid not in known]
        self.assertFalse(extra, f"fr.po has {len(extra)} term(s) the .pot no longer has: {extra[:5]}")

    def test_placeholders_are_kept(self):
        wrong = [
            (entry.msgid, entry.msgstr)
            for entry in self.po
            if entry.msgstr and placeholders(entry.msgid) != placeholders(entry.msgstr)
        ]
        self.assertFalse(wrong, f"placeholders differ between msgid and msgstr: {wrong[:5]}")

    def test_placeholder_check_can_fail(self):
        self.assertNotEqual(placeholders("%(count)s jobs of %(shop)s"), placeholders("%(count)s tâches de %(store)s"))
        self.assertNotEqual(placeholders("Payout %s"), placeholders("Versement %d"))
        self.assertEqual(placeholders("%(odoo).2f %(currency)s, 50 %%"), placeholders("%(currency)s %(odoo).2f, 50 %%"))

    def test_odoo_reads_the_file(self):
        # Odoo's own reader, as it loads the module's terms (the .pot merged in, every entry with its module)
        rows = list(PoFileReader(str(FR_PO)))
        self.assertTrue(rows)
        self.assertTrue(all(row["module"] == "shopify_sync" and row["value"] for row in rows))

    def test_odoo_loads_the_french_terms(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["shopify_sync"], ["fr_FR"], overwrite=True)
        french = self.env(context={"lang": "fr_FR"})
        self.assertEqual(french.ref("shopify_sync.menu_shopify_sync_job").name, "Tâches de synchronisation")
        self.assertEqual(french["ir.model"]._get("shopify.shop").name, "Boutique Shopify")
        self.assertEqual(french["shopify.sync.job"]._fields["shop_id"].get_description(french)["string"], "Boutique")
        # A code term, as env._ translates it (given through a variable: a literal here would enter the .pot)
        message = "Attempt %(attempt)s failed (%(reason)s)"
        self.assertEqual(french._(message, attempt=2, reason="timeout"), "Tentative 2 échouée (timeout)")
