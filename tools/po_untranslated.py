"""List the terms of shopify_sync.pot that a translation lacks, so that it can be completed.

    python tools/po_untranslated.py               # fr.po: terms missing or empty, and terms the .pot dropped
    python tools/po_untranslated.py --lang de     # another translation (shopify_sync/i18n/de.po)
    python tools/po_untranslated.py --merge       # also bring the .po in line with the .pot: new terms added
                                                  # with an empty msgstr, dropped ones removed, comments as the .pot's

Exits 1 while something is missing, empty or dropped (tests/test_i18n.py checks fr.po the same way).
Run it with the Python of Odoo's environment: polib is one of Odoo's requirements.
"""

import argparse
import sys
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parent.parent / "shopify_sync" / "i18n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="fr", help="language of the .po file, as its name (fr, de, pt_BR)")
    parser.add_argument("--merge", action="store_true", help="update the .po file to the .pot's terms")
    args = parser.parse_args(argv)

    pot_path = I18N / "shopify_sync.pot"
    po_path = I18N / f"{args.lang}.po"
    if not po_path.exists():
        print(f"{po_path} does not exist: copy {pot_path.name} to it and set its header (Language, Plural-Forms)")
        return 1
    pot = polib.pofile(str(pot_path))
    po = polib.pofile(str(po_path))
    if args.merge:
        po.merge(pot)
        for entry in po.obsolete_entries():
            po.remove(entry)
        po.save(str(po_path))
        print(f"{po_path.name} merged with {pot_path.name}")

    translated = {entry.msgid: entry.msgstr for entry in po if not entry.obsolete}
    known = {entry.msgid for entry in pot}
    missing = [entry for entry in pot if not translated.get(entry.msgid, "").strip()]
    dropped = [entry for entry in po if entry.obsolete or entry.msgid not in known]
    for entry in missing:
        where = ", ".join(occurrence for occurrence, _line in entry.occurrences[:2])
        print(f"untranslated: {entry.msgid!r}  ({where})")
    for entry in dropped:
        print(f"not in the .pot: {entry.msgid!r}")
    done = len(known) - len(missing)
    print(f"{po_path.name}: {done} of {len(known)} terms translated, {len(dropped)} not in the .pot")
    return 1 if missing or dropped else 0


if __name__ == "__main__":
    sys.exit(main())
