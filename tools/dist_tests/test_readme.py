"""shopify_sync/README.rst is generated from readme/*.md (tools/gen_addon_readme.py) and is current."""

import pytest

from tools import gen_addon_readme as gen
from tools.harness.paths import ROOT


def test_readme_rst_is_current():
    assert gen.main(["--check", str(ROOT / "shopify_sync")]) == 0, "run `make readme`"


def test_readme_has_the_oca_sections():
    text = (ROOT / "shopify_sync" / "README.rst").read_text(encoding="utf-8")
    for title in ("Installation", "Configuration", "Usage", "Credits", "Authors", "Contributors", "Maintainers"):
        assert f"\n{title}\n" in text, title
    assert "pip install odoo-addon-shopify_sync" in text
    assert "The first ten minutes" in text


def test_markdown_subset():
    source = "\n".join(
        [
            "## Title",
            "",
            "Text with `a_code` and [a link](https://example.com) and <https://example.org>.",
            "",
            "| a | b |",
            "| --- | --- |",
            "| `x` | *y* |",
            "",
            "1. step",
            "",
            "   ```",
            "   pip install x",
            "   ```",
        ]
    )
    rst = "\n".join(gen.markdown_to_rst(source, "T.md"))
    assert "Title\n~~~~~" in rst
    assert "``a_code``" in rst and "`a link <https://example.com>`__" in rst and " https://example.org." in rst
    assert ".. list-table::" in rst and "   * - ``x``\n     - *y*" in rst
    assert "   ::\n\n      pip install x" in rst
    gen.validate(rst + "\n")


def test_broken_markup_is_refused():
    with pytest.raises(gen.ReadmeError):
        gen.validate("Title\n=====\n\nan *unclosed emphasis\n")
    with pytest.raises(gen.ReadmeError):
        gen.table(["| a | b |", "| x | y |"])
