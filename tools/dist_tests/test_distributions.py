"""The addon and the simulator are two distributions, and the addon's runtime never imports the simulator."""

import ast
import re
import tomllib

from tools.harness.paths import ROOT

ADDON = ROOT / "shopify_sync"


def _runtime_modules():
    for path in sorted(ADDON.rglob("*.py")):
        if "tests" in path.relative_to(ADDON).parts:
            continue
        yield path


def _imported(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
            "import_module",
            "__import__",
        }:
            yield from (arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))


def test_the_addon_runtime_never_imports_the_simulator_nor_the_tools():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _runtime_modules()
        for name in _imported(path)
        if name.split(".")[0] in {"shopify_simulator", "tools"}
    ]
    assert list(_runtime_modules()), "no module found under shopify_sync/"
    assert not offenders, "the addon's runtime imports test-only code:\n" + "\n".join(offenders)


def test_two_distributions():
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert root["project"]["name"] == "shopify-simulator"
    assert root["tool"]["setuptools"]["packages"] == ["shopify_simulator"]
    addon = tomllib.loads((ADDON / "pyproject.toml").read_text(encoding="utf-8"))
    assert addon["build-system"]["build-backend"] == "whool.buildapi"
    assert addon["project"]["name"] == "odoo-addon-shopify_sync"
    assert set(addon["project"]["dynamic"]) >= {"version", "dependencies"}


def test_manifest_follows_oca_conventions():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
    parts = manifest["version"].split(".")
    assert parts[:2] == ["19", "0"] and len(parts) == 5 and all(p.isdigit() for p in parts), manifest["version"]
    assert manifest["development_status"] in {"Alpha", "Beta", "Production/Stable", "Mature"}
    assert manifest["maintainers"] and all(isinstance(m, str) for m in manifest["maintainers"])
    assert (ADDON / "static" / "description" / "index.html").is_file()
    assert (ADDON / "static" / "description" / "icon.png").is_file()


def test_the_apps_page_pictures_are_in_the_addon():
    description = ADDON / "static" / "description"
    html = (description / "index.html").read_text(encoding="utf-8")
    pictures = re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)
    assert pictures, "the Apps page shows no screenshot"
    for src in pictures:
        assert "//" not in src and (description / src).is_file(), src
