"""shopify_sync/README.rst from the readme/*.md fragments and the manifest, as OCA's oca-gen-addon-readme.

OCA's generator (maintainer-tools) is not on PyPI; this one follows its template: title, maturity and
licence badges, the description, a table of contents, the sections in OCA's order (ours, ROLLOUT and
AUTHORITY, after Usage), then the credits (authors, contributors, maintainers). The Markdown of the
fragments is the subset they use (headings, paragraphs, lists, pipe tables, inline code, emphasis,
links), converted to reStructuredText; docutils must read the result without a warning.

    python tools/gen_addon_readme.py          # writes shopify_sync/README.rst
    python tools/gen_addon_readme.py --check  # exits 1 when README.rst is not current (make lint)

static/description/index.html, the page Odoo's Apps list shows, is written by hand (with screenshots).
"""

import argparse
import ast
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "shopify_sync"

# fragment -> section title, in the order of the README (DESCRIPTION has no title; CONTRIBUTORS is in Credits)
SECTIONS = [
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROLLOUT", "Rollout, object by object"),
    ("AUTHORITY", "Authority and data flows"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
KNOWN = {"DESCRIPTION", "CONTRIBUTORS", "CREDITS"} | {name for name, _ in SECTIONS}
MATURITY_COLOURS = {"Alpha": "red", "Beta": "yellow", "Production/Stable": "green", "Mature": "brightgreen"}
LICENCE_URLS = {
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
}
SUBSECTION_CHARS = "~^\"'"


class ReadmeError(Exception):
    pass


def heading(text, char, overline=False):
    line = char * len(text)
    return [line, text, line, ""] if overline else [text, line, ""]


# -- Markdown -> reStructuredText ---------------------------------------------------------
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


def inline(text):
    """Inline Markdown -> RST: code spans become literals; links outside code spans are converted."""
    out, pos = [], 0
    for match in CODE_SPAN.finditer(text):
        out.append(_inline_text(text[pos : match.start()]))
        out.append(f"``{match.group(2).strip()}``")
        pos = match.end()
    out.append(_inline_text(text[pos:]))
    return "".join(out)


def _inline_text(text):
    text = AUTOLINK.sub(lambda m: m.group(1), text)
    return LINK.sub(lambda m: f"`{m.group(1)} <{m.group(2)}>`__", text)


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table(lines):
    """A pipe table (header, separator, rows) -> a list-table."""
    rows = [_cells(line) for line in lines]
    if len(rows) < 2 or not all(re.fullmatch(r":?-{3,}:?", cell) for cell in rows[1]):
        raise ReadmeError(f"a table needs a header and a --- separator row: {lines[0]!r}")
    rows = [rows[0]] + rows[2:]
    width = len(rows[0])
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        if len(row) != width:
            raise ReadmeError(f"table row with {len(row)} cells instead of {width}: {row!r}")
        for index, cell in enumerate(row):
            out.append(("   * - " if index == 0 else "     - ") + (inline(cell) if cell else ".."))
    return out + [""]


def markdown_to_rst(source, name):
    lines = source.splitlines()
    levels = sorted({len(m.group(1)) for line in lines if (m := re.match(r"(#{1,6}) ", line))})
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("```"):
            indent = line[: len(line) - len(line.lstrip())]
            language = line.strip()[3:].strip()
            block, index = [], index + 1
            while index < len(lines) and not lines[index].lstrip().startswith("```"):
                block.append(lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index])
                index += 1
            if index == len(lines):
                raise ReadmeError(f"{name}: unclosed code block")
            directive = f".. code-block:: {language}" if language else "::"
            out += [indent + directive, ""] + [indent + "   " + b if b else "" for b in block]
            index += 1
            if index < len(lines) and lines[index].strip():
                out.append("")
            continue
        if line.startswith("|"):
            block = []
            while index < len(lines) and lines[index].startswith("|"):
                block.append(lines[index])
                index += 1
            out += table(block)
            continue
        match = re.match(r"(#{1,6}) +(.*?)\s*#*$", line)
        if match:
            level = levels.index(len(match.group(1)))
            if level >= len(SUBSECTION_CHARS):
                raise ReadmeError(f"{name}: headings nested too deep")
            if out and out[-1]:
                out.append("")
            out += heading(inline(match.group(2)), SUBSECTION_CHARS[level])
            index += 1
            continue
        if line.strip() or (out and out[-1]):
            out.append(inline(line.rstrip()))
        index += 1
    while out and not out[-1]:
        out.pop()
    return out


# -- the README -----------------------------------------------------------------------------
def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def fragments(addon):
    found = {}
    for path in sorted((addon / "readme").iterdir()):
        if path.suffix == ".rst":
            raise ReadmeError(f"{path.name}: the fragments are Markdown (.md) here")
        if path.suffix != ".md":
            continue
        if path.stem not in KNOWN:
            raise ReadmeError(f"{path.name}: unknown fragment (known: {', '.join(sorted(KNOWN))})")
        found[path.stem] = path.read_text(encoding="utf-8")
    if "DESCRIPTION" not in found:
        raise ReadmeError("readme/DESCRIPTION.md is required")
    return found


def generate(addon=ADDON):
    manifest = read_manifest(addon)
    parts = fragments(addon)
    name, status, licence = manifest["name"], manifest.get("development_status", "Beta"), manifest["license"]
    repo = manifest.get("website", "").rstrip("/")
    out = [
        ".. !! This file is generated by tools/gen_addon_readme.py (make readme) from readme/*.md",
        ".. !! and __manifest__.py: edit those, then regenerate. `make lint` checks it is current.",
        "",
    ]
    out += heading(name, "=", overline=True)
    out += ["|badge1| |badge2|", ""]
    out += [
        f".. |badge1| image:: https://img.shields.io/badge/maturity-{status.replace('/', '%2F')}-"
        f"{MATURITY_COLOURS.get(status, 'lightgrey')}.png",
        "    :target: https://odoo-community.org/page/development-status",
        f"    :alt: {status}",
        f".. |badge2| image:: https://img.shields.io/badge/licence-{licence.replace('-', '--')}-blue.png",
        f"    :target: {LICENCE_URLS.get(licence, 'https://spdx.org/licenses/')}",
        f"    :alt: License: {licence}",
        "",
    ]
    out += markdown_to_rst(parts["DESCRIPTION"], "DESCRIPTION.md") + [""]
    out += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for fragment, title in SECTIONS:
        if fragment in parts:
            out += heading(title, "=") + markdown_to_rst(parts[fragment], f"{fragment}.md") + [""]
    out += heading("Credits", "=")
    out += heading("Authors", "~")
    out += [f"* {author.strip()}" for author in manifest["author"].split(",")] + [""]
    if "CONTRIBUTORS" in parts:
        out += heading("Contributors", "~") + markdown_to_rst(parts["CONTRIBUTORS"], "CONTRIBUTORS.md") + [""]
    if "CREDITS" in parts:
        out += heading("Other credits", "~") + markdown_to_rst(parts["CREDITS"], "CREDITS.md") + [""]
    maintainers = manifest.get("maintainers") or []
    out += heading("Maintainers", "~")
    if maintainers:
        who = ", ".join(f"`{m} <https://github.com/{m}>`__" for m in maintainers)
        out += [f"Current maintainer{'s' if len(maintainers) > 1 else ''}: {who}", ""]
    if repo:
        out += [f"This module is part of the `{repo.split('github.com/')[-1]} <{repo}>`_ project.", ""]
    text = "\n".join(out).rstrip() + "\n"
    validate(text)
    return text


def validate(text):
    """docutils must read the README without a warning (what PyPI and the Apps list render)."""
    from docutils.core import publish_doctree  # noqa: PLC0415 - docutils comes with Odoo's requirements
    from docutils.utils import SystemMessage  # noqa: PLC0415

    errors = io.StringIO()
    try:
        publish_doctree(
            text,
            settings_overrides={
                "report_level": 2,
                "halt_level": 2,
                "warning_stream": errors,
                "file_insertion_enabled": 0,
            },
        )
    except SystemMessage as exc:
        raise ReadmeError(f"README.rst does not read cleanly: {exc}\n{errors.getvalue()}") from exc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when README.rst is not current")
    parser.add_argument("addon", nargs="?", type=Path, default=ADDON)
    args = parser.parse_args(argv)
    target = args.addon / "README.rst"
    try:
        text = generate(args.addon)
    except ReadmeError as exc:
        print(f"[readme] {exc}", file=sys.stderr)
        return 2
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if args.check:
        if current != text:
            print(f"[readme] {target} is not current: run `make readme`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        target.write_text(text, encoding="utf-8")
        print(f"[readme] wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
