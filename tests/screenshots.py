"""Screenshots of each example's built site for the gallery (docs/gallery/EXAMPLE/site-*.png).

Run from the repository root: python tests/screenshots.py

Each example under examples/ is built with `govcard site build`, served on 127.0.0.1 and shown in
headless Chromium (/usr/bin/chromium, through the playwright package of the test extra); requests
that leave 127.0.0.1 are aborted. tests/docgen.py lists the screenshots (`screenshots`) and the
gallery page that shows them; tests/test_docs.py checks that each is there, the size it says and
referenced. Pixels are not compared: take them again whenever the site's look changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from click.testing import CliRunner
from docgen import ROOT, examples, screenshots
from support import HOST, served

from govcard.cli import cli

CHROMIUM = "/usr/bin/chromium"


def only_local(route: Any) -> None:
    if urlparse(route.request.url).hostname == HOST:
        route.continue_()
    else:
        route.abort()


def take(project_file: Path, browser: Any, work: Path) -> list[Path]:
    """Build an example's site and save its screenshots into docs/gallery/EXAMPLE/."""
    name = project_file.parent.name
    site = work / name
    result = CliRunner().invoke(cli, ["site", "build", str(project_file), "-o", str(site)])
    if result.exit_code != 0:
        raise SystemExit(f"govcard site build {project_file} failed:\n{result.output}")
    folder = ROOT / "docs" / "gallery" / name
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    with served(site) as url:
        for shot in screenshots(project_file):
            context = browser.new_context(
                viewport={"width": shot.width, "height": shot.height}, service_workers="block"
            )
            context.route("**/*", only_local)
            page = context.new_page()
            response = page.goto(url + shot.page, wait_until="networkidle")
            if response is None or not response.ok:
                raise SystemExit(f"{name}: {shot.page} is not in the built site")
            path = folder / shot.file
            page.screenshot(path=str(path))
            context.close()
            saved.append(path)
    return saved


def main() -> None:
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as work,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            for project_file in examples():
                for path in take(project_file, browser, Path(work)):
                    print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
