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
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner
from support import HOST, QuietHandler, served

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
TIMEOUT_MS = 10_000
LOCAL_SCHEMES = ("data", "blob", "file")


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
        """Requested URLs that are not on 127.0.0.1 (data:, blob: and file: URLs are local)."""
        return [
            url
            for url in self.requests
            if urlparse(url).scheme not in LOCAL_SCHEMES and urlparse(url).hostname != HOST
        ]

    def check(self) -> None:
        assert self.requests, "the page requested nothing"
        assert self.offsite() == [], "requests left localhost"
        assert self.errors == [], "the page logged errors"


@pytest.fixture
def visit(browser: Any) -> Iterator[Visit]:
    with visiting(browser) as seen:
        yield seen


@contextlib.contextmanager
def visiting(browser: Any, **options: Any) -> Iterator[Visit]:
    """A new browser context (a desktop window unless `options` say otherwise) whose page
    records its requests and errors, and may reach 127.0.0.1 only."""
    options = {"viewport": {"width": 1400, "height": 900}, "service_workers": "block", **options}
    context = browser.new_context(**options)
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
        url = urlparse(route.request.url)
        if url.hostname == HOST or url.scheme in LOCAL_SCHEMES:
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
    assert "675" in page.locator("article table").filter(has_text="Participants").inner_text()
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


def test_carbon_chart_is_visible_and_terms_link_to_the_glossary(
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
    # The first use of a term links to its entry in the glossary; the link keeps its tooltip.
    term = page.locator("article p a").filter(has_text="PUE")
    assert term.count() == 1
    assert (term.locator("abbr").get_attribute("title") or "").startswith("Power usage")
    assert term.locator("abbr").evaluate("e => getComputedStyle(e).cursor") == "pointer"
    term.click()
    page.wait_for_url("**/glossary.html#pue")
    entry = page.locator("article h2#pue")
    # The page scrolled to the entry: it is at the top, under the header.
    box = entry.bounding_box()
    assert page.evaluate("window.scrollY") > 0 and box is not None and 0 <= box["y"] < 150, box
    assert entry.inner_text().removesuffix("¶").strip() == "PUE"
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


def test_home_tables_link_every_model_and_dataset(site_url: str, visit: Visit) -> None:
    page = visit.page
    page.goto(site_url + "index.html", wait_until="networkidle")
    models = page.locator("article table").first
    assert models.locator("tbody tr").count() == len(EXAMPLE_MODELS)
    row = models.locator("tbody tr").filter(has=page.get_by_role("link", name="StarCoderBase"))
    assert row.first.locator("td").all_inner_texts()[1:3] == ["15.5B", "BigCode Open RAIL-M v1"]
    datasets = page.locator("article table").nth(1)
    opt_out = datasets.get_by_role("link", name="Am I in The Stack?").first
    assert opt_out.get_attribute("href") == "https://huggingface.co/spaces/bigcode/in-the-stack"
    row.first.get_by_role("link", name="agree").click()
    page.wait_for_url("**/carbon.html#carbon-starcoderbase")
    assert page.locator("#carbon-starcoderbase").is_visible()
    visit.check()


def test_wide_table_scrolls_with_its_first_column_in_view(site_url: str, browser: Any) -> None:
    # A phone's width: the home page's table of models is wider than the screen.
    with visiting(browser, viewport={"width": 390, "height": 800}, is_mobile=True) as visit:
        page = visit.page
        page.goto(site_url + "index.html", wait_until="networkidle")
        wrapper = page.locator("article .md-typeset__scrollwrap").first
        scroll_width, client_width = wrapper.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroll_width > client_width, "the table fits: nothing to test"
        cue = wrapper.evaluate("e => getComputedStyle(e).backgroundImage")
        assert "gradient" in cue  # the shadow at the edge that has more
        cells = wrapper.locator("tbody tr").first.locator("td")
        before = [cells.nth(0).bounding_box(), cells.nth(1).bounding_box()]
        wrapper.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        after = [cells.nth(0).bounding_box(), cells.nth(1).bounding_box()]
        assert None not in before + after
        assert after[1]["x"] < before[1]["x"] - 50, "the table did not scroll"
        # Scrolled, the first column sticks to the wrapper's left edge instead of leaving it.
        edge = wrapper.bounding_box()
        assert edge is not None
        assert abs(after[0]["x"] - edge["x"]) < 1, "the first column scrolled away"
        # The cells scrolled under it do not show through.
        background = cells.nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        visit.check()


@pytest.mark.parametrize(
    ("system", "shown", "toggled"), [("dark", "slate", "default"), ("light", "default", "slate")]
)
def test_colour_scheme_follows_the_system_and_toggles(
    site_url: str, browser: Any, system: str, shown: str, toggled: str
) -> None:
    with visiting(browser, color_scheme=system) as visit:
        page = visit.page
        page.goto(site_url + "index.html", wait_until="networkidle")
        scheme = "document.body.getAttribute('data-md-color-scheme')"
        assert page.evaluate(scheme) == shown
        page.locator("form[data-md-component=palette] label:visible").click()
        assert page.evaluate(scheme) == toggled
        page.reload(wait_until="networkidle")
        assert page.evaluate(scheme) == toggled, "the choice did not last"
        visit.check()


class _SubpathHost(QuietHandler):
    """A static host that serves the site under /sub/ and its 404.html for any missing path,
    as GitHub Pages and Hub Spaces do."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "sub" / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def served_under_subpath(site: Path) -> Iterator[str]:
    """The site served at http://127.0.0.1:PORT/sub/ (a link to it in a temporary root)."""
    root = site.parent / "host"
    root.mkdir()
    (root / "sub").symlink_to(site.resolve(), target_is_directory=True)
    with served(root, _SubpathHost) as url:
        yield url + "sub/"


@pytest.mark.parametrize(
    ("options", "missing"),
    [
        ((), "no-such-page.html"),  # relative links: a missing page at the site's top level
        (("--site-url", "https://governance.example.org/sub/"), "models/no-such-model.html"),
    ],
    ids=["relative", "site-url"],
)
def test_404_page_works_under_a_subpath(
    tmp_path: Path, browser: Any, options: tuple[str, ...], missing: str
) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "build", str(EXAMPLE), "-o", str(site), *options])
    assert result.exit_code == 0, result.output
    with served_under_subpath(site) as url, visiting(browser) as visit:
        page = visit.page
        response = page.goto(url + missing, wait_until="networkidle")
        assert response is not None and response.status == 404
        assert heading(page) == "404 - Not found"
        # The theme's stylesheet and the footer's links came from the site, under /sub/.
        styled = page.locator("header.md-header").evaluate("e => getComputedStyle(e).position")
        assert styled == "sticky"
        assert page.locator(".govcard-provenance").is_visible()
        page.locator(".govcard-provenance").get_by_role("link", name="Cite this card").click()
        page.wait_for_url(url + "cite.html")
        assert heading(page) == "Cite this card"
        # The missing page itself is the one 404 the browser may report.
        visit.errors = [e for e in visit.errors if "status of 404" not in e]
        visit.check()
        assert all(urlparse(r).path.startswith("/sub/") for r in visit.requests)


def test_pages_opened_from_disk_say_that_search_needs_a_server(
    site_url: str, tmp_path: Path, browser: Any
) -> None:
    site = build(EXAMPLE, tmp_path / "site")
    note = "p.govcard-from-disk"
    with visiting(browser) as visit:
        visit.page.goto(site.resolve().as_uri() + "/index.html")
        assert visit.page.locator(note).is_visible()
        assert "govcard site serve" in visit.page.locator(note).inner_text()
        assert visit.offsite() == []
        visit.page.goto(site_url + "index.html", wait_until="networkidle")
        assert visit.page.locator(note).is_hidden()
        assert visit.page.locator(".md-banner").is_hidden()  # no empty bar above the header
