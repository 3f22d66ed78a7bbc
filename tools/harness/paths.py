"""Where things are: the checkout, its cache folder, the Odoo source the virtualenv was made with."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / ".cache"


def odoo_src():
    """The Odoo source folder recorded by tools/setup_env.sh in the virtualenv running this Python."""
    venv = Path(os.environ.get("VENV") or sys.prefix)
    return Path((venv / "odoo_src").read_text().strip())
