"""The built site in a real browser: headless Chromium, served from 127.0.0.1 only.

The BigCode example is built once and served by a local `http.server`; every request the browser
makes is recorded and must stay on 127.0.0.1 (requests elsewhere are also aborted, so a failure
never reaches the network). Screenshots of the home, a model page and the carbon page go to
$GOVCARD_ARTIFACTS, or to the test's temporary folder.

Needs Debian's Chromium at /usr/bin/chromium (Playwright cannot download browsers here) and the
playwright package; CI (.ci/run) installs both.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from govcard.cli import cli

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need the playwright package (pip install playwright)",
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
EXAMPLE_MODELS = {
    "santacoder": "SantaCoder",
    "starcoderbase": "StarCoderBase",
    "starcoder": "StarCoder",
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
TIMEOUT_MS = 10_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """The folder served on 127.0.0.1 (a free port) by a thread, stopped on exit."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def build(project: Path, site: Path) -> Path:
    result = CliRunner().invoke(cli, ["site", "build", str(project), "-o", str(site)])
    assert result.exit_code == 0, result.output
    return site


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, built and served until the module ends."""
    with served(build(EXAMPLE, tmp_path_factory.mktemp("browser") / "site")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("GOVCARD_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Visit:
    """A browser page with everything it requested and every error it logged."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def offsite(self) -> list[str]:
        """Requested URLs that are not on 127.0.0.1 (inline data: and blob: URLs are local)."""
        return [
            url
            for url in self.requests
            if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname != HOST
        ]

    def check(self) -> None:
        assert self.requests, "the page requested nothing"
        assert self.offsite() == [], "requests left localhost"
        assert self.errors == [], "the page logged errors"


@pytest.fixture
def visit(browser: Any) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    seen = Visit(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            seen.errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: seen.errors.append(f"failed: {request.url} ({request.failure})"),
    )

    def only_local(route: Any) -> None:
        if urlparse(route.request.url).hostname == HOST:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    try:
        yield seen
    finally:
        context.close()


def heading(page: Any) -> str:
    """The page's title heading, without its permalink sign."""
    return str(page.locator("article h1").first.inner_text()).strip().removesuffix("¶").strip()


def screenshot(page: Any, folder: Path, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    path = folder / f"site-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


def test_home_page_loads_offline_without_errors(
    site_url: str, visit: Visit, artifacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = visit.page
    page.goto(site_url + "index.html", wait_until="networkidle")
    assert page.title() == "BigCode governance"
    assert heading(page) == "BigCode"
    assert "675" in page.locator("article table").first.inner_text()
    assert screenshot(page, artifacts, "home", capsys).stat().st_size > 0
    visit.check()
    assert any(url.endswith("search/search_index.json") for url in visit.requests) or any(
        "workers/search" in url for url in visit.requests
    )


def test_navigation_reaches_every_model_page(
    site_url: str, visit: Visit, artifacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = visit.page
    page.goto(site_url + "index.html", wait_until="networkidle")
    for model_id, name in EXAMPLE_MODELS.items():
        link = page.locator("nav.md-nav--primary a.md-nav__link").filter(
            has=page.get_by_text(name, exact=True)
        )
        assert link.count() == 1, name
        link.first.click()
        page.wait_for_url(f"**/models/{model_id}.html")
        page.wait_for_load_state("networkidle")
        assert heading(page) == name
        metadata = page.locator("article table").last.inner_text()
        assert "bigcode-openrail-m" in metadata
        if model_id == "starcoderbase":
            screenshot(page, artifacts, "model-starcoderbase", capsys)
    visit.check()


def test_search_finds_starcoderbase(site_url: str, visit: Visit) -> None:
    page = visit.page
    page.goto(site_url + "index.html", wait_until="networkidle")
    query = page.locator("input[data-md-component=search-query]")
    query.click()
    query.press_sequentially("StarCoderBase", delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible")
    texts = results.all_inner_texts()
    assert any("StarCoderBase" in text for text in texts), texts
    visit.check()


def test_carbon_chart_is_visible(
    site_url: str, visit: Visit, artifacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = visit.page
    page.goto(site_url + "carbon.html", wait_until="networkidle")
    chart = page.locator('article img[src$="carbon.svg"]')
    assert chart.count() == 1
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0, box
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0, "the SVG did not load"
    screenshot(page, artifacts, "carbon", capsys)
    visit.check()


def test_script_in_a_fact_does_not_run(tmp_path: Path, visit: Visit) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(
        'project: {name: "<script>alert(1)</script>"}\n'
        'models:\n  - {id: m, name: "<script>alert(2)</script>"}\n',
        encoding="utf-8",
    )
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    visit.page.on("dialog", dismiss)
    with served(build(project, tmp_path / "site")) as url:
        for name in ("index.html", "models/m.html"):
            visit.page.goto(url + name, wait_until="networkidle")
            visible = visit.page.locator("article").first.inner_text()
            assert "<script>alert(" in visible, name  # shown as text
    assert dialogs == [], f"facts ran as scripts: alert({', '.join(dialogs)})"
