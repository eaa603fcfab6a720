"""Where Debian's Chromium is and how to launch it headless here; shared by tests and benches.

The flags keep Chromium from reaching for Google's hosts at start-up, which this machine's
closed network refuses many times over.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> Path | None:
    """Return Debian's chromium, or ``None`` when it is not installed."""
    default = Path("/usr/bin/chromium")
    if default.exists():
        return default
    found = shutil.which("chromium")
    return Path(found) if found else None


def browser_required() -> bool:
    """CI sets ``RSVLM_REQUIRE_BROWSER=1``: there a missing browser fails instead of skipping."""
    return os.environ.get("RSVLM_REQUIRE_BROWSER") == "1"
