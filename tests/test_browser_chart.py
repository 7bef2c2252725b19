"""The carbon chart in a real browser, on a 390 px phone and on a desktop: its size on the carbon
page, and its text measured at that size (legible, inside the picture, no label over another).

The page shows the chart as an <img>, whose inside a script cannot reach; so the test reads the
chart's width on the page, then draws the same SVG inline at that width in a blank page of the
same browser and measures its text there. Uses the browser, the served example and the recorded
page of tests/test_browser.py (skipped, as it is, without Chromium).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_browser import Visit, screenshot

# test_browser.py's fixtures, used here under the same names.
browser = test_browser.browser
site_url = test_browser.site_url
visit = test_browser.visit
artifacts = test_browser.artifacts

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
SMALLEST_PX = 11.0
# Every text element of the drawn chart: its box on screen and its font size as shown (the
# size it is given times the scale the chart is drawn at).
MEASURE = """svg => {
    const scale = svg.getScreenCTM().a;
    return [...svg.querySelectorAll('text')].map(t => {
        const box = t.getBoundingClientRect();
        return {text: t.textContent, left: box.left, right: box.right, top: box.top,
                bottom: box.bottom, px: parseFloat(getComputedStyle(t).fontSize) * scale};
    });
}"""


def chart_on_page(visit: Visit, site_url: str, viewport: dict[str, int]) -> dict[str, float]:
    """The chart's box on the carbon page, shown at `viewport`."""
    page = visit.page
    page.set_viewport_size(viewport)
    page.goto(site_url + "carbon.html", wait_until="networkidle")
    chart = page.locator('article img[src$="carbon.svg"]')
    assert chart.count() == 1
    chart.scroll_into_view_if_needed()
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0, "the SVG did not load"
    box = chart.bounding_box()
    assert box is not None
    return dict(box)


def drawn_at(visit: Visit, site_url: str, width: float) -> tuple[dict[str, float], list[Any]]:
    """The chart drawn inline `width` px wide in a blank page: its box and its texts."""
    svg = visit.page.request.get(site_url + "assets/carbon.svg").text()
    blank = visit.page.context.new_page()
    blank.set_content(
        "<!doctype html><html><body style='margin:0'>"
        f"<div style='width:{width}px'>{svg}</div>"
        "<style>svg { display: block; width: 100%; height: auto }</style></body></html>"
    )
    element = blank.locator("svg")
    box = element.bounding_box()
    assert box is not None
    texts = element.evaluate(MEASURE)
    blank.close()
    return dict(box), texts


def overlapping(texts: list[Any]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (by more than a fraction of a pixel)."""
    return [
        (a["text"], b["text"])
        for a, b in itertools.combinations(texts, 2)
        if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    ]


@pytest.mark.parametrize(
    ("viewport", "shown_width"),
    [(PHONE, 358), (DESKTOP, 440)],
    ids=["phone-390", "desktop-1400"],
)
def test_chart_text_is_legible_inside_the_chart_and_never_overlaps(
    site_url: str,
    visit: Visit,
    artifacts: Path,
    capsys: pytest.CaptureFixture[str],
    viewport: dict[str, int],
    shown_width: int,
) -> None:
    box = chart_on_page(visit, site_url, viewport)
    # On a phone the page scales the chart to its column; on a desktop it keeps its 440 px.
    assert box["width"] == pytest.approx(shown_width, abs=1)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    scroll_width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], "the page scrolls sideways"
    name = f"carbon-chart-{viewport['width']}"
    visit.page.locator('article img[src$="carbon.svg"]').screenshot(
        path=str(artifacts / f"site-{name}.png")
    )
    screenshot(visit.page, artifacts, f"carbon-{viewport['width']}", capsys)
    visit.check()

    drawn, texts = drawn_at(visit, site_url, box["width"])
    assert drawn["width"] == pytest.approx(box["width"], abs=0.5)
    assert drawn["height"] == pytest.approx(box["height"], abs=1)
    shown = [t["text"] for t in texts]
    for expected in (
        "computed from the project's facts",
        "reported by the project",
        "SantaCoder",
        "reported is 16.8% below computed",
        "reported agrees with computed",
        "100 kg",
        "1 t",
    ):
        assert expected in shown
    small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < SMALLEST_PX]
    assert small == [], "text smaller than 11 px"
    outside = [
        t["text"]
        for t in texts
        if t["left"] < drawn["x"]
        or t["right"] > drawn["x"] + drawn["width"]
        or t["top"] < drawn["y"]
        or t["bottom"] > drawn["y"] + drawn["height"]
    ]
    assert outside == [], "text outside the chart"
    assert overlapping(texts) == []
