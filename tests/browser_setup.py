"""What every browser test module shares: the skip-or-fail rule (``pytestmark = BROWSER_MARKS``)
and :class:`Visit`, one page opened offline with a record of what it should not do; the
``browser`` fixture in ``conftest.py`` launches Chromium through this module."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import browser_required, chromium_path

CHROMIUM = chromium_path()

if browser_required():  # in CI a missing browser is a failure, not a skip
    from playwright import sync_api

    assert CHROMIUM is not None, "RSVLM_REQUIRE_BROWSER=1 but Debian's chromium is not installed"
else:
    sync_api = pytest.importorskip("playwright.sync_api")

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium at /usr/bin/chromium"),
]


class Visit:
    """A browser context on one page file that records whatever it should not do."""

    def __init__(self, browser, path: Path, fragment: str = "",
                 viewport: tuple[int, int] = (1400, 900)) -> None:
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                           accept_downloads=True)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_function(
            "() => typeof network !== 'undefined' && network.body.data.nodes.length > 0")

    def _route(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def click_node(self, node: str) -> None:
        """Click ``node`` where it is drawn (centred first, so that it is on screen)."""
        x, y = node_on_screen(self.page, node)
        self.page.mouse.click(x, y)

    def opacity(self) -> dict[str, float]:
        return self.page.evaluate(
            "() => Object.fromEntries(network.body.data.nodes.get().map("
            "n => [n.id, n.opacity === undefined ? 1 : n.opacity]))")

    def visible(self) -> set[str]:
        return set(self.page.evaluate(
            "() => network.body.data.nodes.getIds({filter: n => !n.hidden})"))

    def clean(self) -> None:
        assert (self.foreign, self.errors, self.dialogs) == ([], [], [])

    def close(self) -> None:
        self.context.close()


def node_on_screen(page, node: str, scale: float | None = None) -> tuple[float, float]:
    """Centre ``node`` (at ``scale``, else the current zoom) and return where it is on the
    screen; fails when another node lies on top of it."""
    point = page.evaluate(
        """([id, scale]) => {
            network.focus(id, {scale: scale === null ? network.getScale() : scale,
                               animation: false});
            const dom = network.canvasToDOM(network.getPositions([id])[id]);
            const box = document.querySelector('#mynetwork canvas').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y, at: network.getNodeAt(dom)};
        }""",
        [node, scale],
    )
    assert point["at"] == node, f"another node lies on {node}"
    return point["x"], point["y"]
