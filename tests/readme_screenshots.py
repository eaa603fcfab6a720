"""The README's screenshots of the page (``docs/img/graph-*.png``), made again from a SYNTHETIC
enrichment: the bundled list (``kg/awesome-list.md`` with its ``kg/curation.toml``, so tasks are
merged as the shipped page merges them) enriched from the fake API's corpus
(``tests/enriched.py``), so figures, authors and candidates are made up; the page's title says
so on every picture. Needs Debian's chromium and playwright.

    python tests/readme_screenshots.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: picture → the page's URL fragment
SHOTS = {
    "graph-clustered.png": "",
    "graph-timeline.png": "#layout=timeline",
    "graph-details.png": "#paper=paper%3Aarxiv%3A2307.15266",
}
VIEWPORT = {"width": 1400, "height": 900}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from chromium import LAUNCH_ARGS, chromium_path
    from enriched import enriched
    from playwright.sync_api import sync_playwright

    from rsvlm_graph.exports.html import build_page, write_page
    from rsvlm_graph.exports.html_view import select_view

    with tempfile.TemporaryDirectory() as work:
        built = enriched(ROOT / "kg" / "awesome-list.md", Path(work))
        G = built.loaded.graph
        view = select_view(G, [c.node for c in built.candidates])
        title = f"{G.nodes[G.graph['list']]['title']} (SYNTHETIC enrichment)"
        page = Path(work) / "graph.html"
        write_page(build_page(view, title, ranking=built.ranking, candidates=built.candidates),
                   page)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium_path()),
                                                 args=LAUNCH_ARGS)
            for name, fragment in SHOTS.items():
                context = browser.new_context(viewport=VIEWPORT)
                tab = context.new_page()
                tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                          else r.abort())
                tab.goto(page.as_uri() + fragment)
                tab.wait_for_function("() => typeof network !== 'undefined'")
                tab.wait_for_timeout(300)
                args.out.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=str(args.out / name))
                context.close()
                print(f"wrote {args.out / name}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
