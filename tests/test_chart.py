"""The site's carbon chart (`govcard.chart`): an SVG of each model's CO2eq on a log scale, read
back with xml.etree as a browser would read its elements.

Projects are small project.yaml files written into the test's folder, derived as `govcard site`
derives them; the BigCode example is the chart the issue was about (149 kg beside 16.7 t).
"""

from __future__ import annotations

import itertools
import math
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from govcard import chart, derive, loader, site, units
from govcard.derive import ModelView

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
SVG = "{http://www.w3.org/2000/svg}"
# 10 GPU-hours at 300 W with PUE 1 give 3 kWh; the intensity sets the CO2eq.
TRAINED = "{gpu_hours: 10, gpu_power_w: 300, pue: 1.0, carbon_intensity_kg_per_kwh: %s}"


def example() -> list[ModelView]:
    return derive.derive(loader.load(EXAMPLE)).models


def models(tmp_path: Path, entries: str) -> list[ModelView]:
    """The models of a project whose `models:` list is `entries` (YAML, one model a line)."""
    project = tmp_path / "project.yaml"
    body = textwrap.indent(textwrap.dedent(entries).strip(), "  ")
    project.write_text(f"project: {{name: P}}\nmodels:\n{body}\n", encoding="utf-8")
    return derive.derive(loader.load(project)).models


def svg(views: list[ModelView]) -> ET.Element:
    text = chart.carbon_chart(views)
    assert text is not None
    return ET.fromstring(text)


def texts(root: ET.Element, cls: str) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text") if e.get("class") == cls]


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]


def marks(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}line") if e.get("class") == "reported"]


def right_end(bar: ET.Element) -> float:
    return float(bar.get("x", "0")) + float(bar.get("width", "0"))


# --- the example -------------------------------------------------------------------------------


def test_example_shows_each_model_with_computed_and_reported_figures_and_the_verdict() -> None:
    root = svg(example())
    assert texts(root, "name") == ["SantaCoder", "StarCoderBase"]  # StarCoder has no figures
    assert texts(root, "figures") == [
        "computed 149.1 kg \u00b7 reported 124 kg",
        "computed 16.67 t \u00b7 reported 16.68 t",
    ]
    # 124 kg is what SantaCoder's energy gives without its PUE of 1.2; 16.68 t is 16.674 t.
    assert texts(root, "verdict") == [
        "reported is 16.8% below computed",
        "reported agrees with computed",
    ]
    assert len(bars(root)) == 2 and len(marks(root)) == 2 + 1  # one more in the legend


def test_figures_are_printed_as_the_site_prints_co2() -> None:
    views = example()
    computed = [v.footprint.co2eq_kg for v in views if v.footprint and v.footprint.co2eq_kg]
    figures = " ".join(texts(svg(views), "figures"))
    for kg in computed:
        assert f"computed {units.format_mass_kg(kg)}" in figures


def test_legend_title_and_description_are_in_the_picture() -> None:
    root = svg(example())
    legend = [e.text for e in root.iter(f"{SVG}text") if e.get("class") is None]
    assert "computed from the project's facts" in legend
    assert "reported by the project" in legend
    assert root.get("role") == "img"
    labelled_by = (root.get("aria-labelledby") or "").split()
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert [ids[i].tag for i in labelled_by] == [f"{SVG}title", f"{SVG}desc"]
    description = ids["chart-desc"].text or ""
    assert "logarithmic scale from 10 kg to 100 t" in description
    assert "SantaCoder: computed 149.1 kg, reported 124 kg; reported is 16.8% below" in description


def test_axis_has_a_labelled_gridline_per_decade_and_names_its_unit_and_scale() -> None:
    root = svg(example())
    ticks = [e for e in root.iter(f"{SVG}text") if e.get("class") == "tick"]
    assert [t.text for t in ticks] == ["10 kg", "100 kg", "1 t", "10 t", "100 t"]
    xs = [float(t.get("x", "0")) for t in ticks]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert gaps == pytest.approx([gaps[0]] * 4, abs=0.15)  # evenly spaced (to 0.1 unit): log
    assert texts(root, "axis") == ["CO2eq, log scale: each gridline is 10 times the last"]


def test_log_scale_keeps_149_kg_readable_beside_16_7_t() -> None:
    root = svg(example())
    small, large = bars(root)
    decade = chart.Scale.fitting([149.12, 16673.55], chart.WIDTH)
    one_decade = decade.x(100.0) - decade.x(10.0)
    assert float(small.get("width", "0")) >= one_decade  # at least a decade long
    ratio = float(large.get("width", "0")) / float(small.get("width", "0"))
    # Lengths from the 10 kg line: log10(16,673.55 / 10) / log10(149.12 / 10), not 112 to 1.
    assert ratio == pytest.approx(math.log10(1667.355) / math.log10(14.912), rel=0.01)
    assert 2 < ratio < 3


def test_reported_marks_stand_where_the_reported_figures_are() -> None:
    root = svg(example())
    scale = chart.Scale.fitting([149.12, 124, 16673.55, 16680], chart.WIDTH)
    santacoder, starcoderbase = (float(m.get("x1", "0")) for m in marks(root)[1:])
    assert santacoder == pytest.approx(scale.x(124), abs=0.05)
    assert starcoderbase == pytest.approx(scale.x(16680), abs=0.05)
    small, _ = bars(root)
    assert santacoder < right_end(small)  # below the computed 149.1 kg


def test_chart_is_made_without_script_and_the_same_every_time() -> None:
    first = chart.carbon_chart(example())
    assert first is not None
    assert first == chart.carbon_chart(example())
    root = ET.fromstring(first)
    assert [
        e for e in root.iter() if e.tag.endswith("script") or e.tag.endswith("foreignObject")
    ] == []
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]


def test_text_is_at_least_14_units_in_a_440_unit_picture() -> None:
    root = svg(example())
    assert root.get("viewBox") == "0 0 440 " + (root.get("height") or "")
    sizes = {float(e.get("font-size", root.get("font-size", "0"))) for e in root.iter(f"{SVG}text")}
    # Shown 358 px wide on a 390 px phone: 14 x 358 / 440 = 11.4 px.
    assert min(sizes) == chart.TEXT == 14


# --- edge cases --------------------------------------------------------------------------------


def test_one_model_gets_a_scale_of_at_least_a_decade(tmp_path: Path) -> None:
    root = svg(models(tmp_path, f"- {{id: m, name: M, training: {TRAINED % 0.05}}}"))
    assert texts(root, "figures") == ["computed 150.0 g \u00b7 reported none"]
    assert texts(root, "verdict") == ["not reported"]
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"] == [
        "10 g",
        "100 g",
        "1 kg",
    ]
    assert len(bars(root)) == 1 and len(marks(root)) == 1  # the legend's


def test_a_model_with_a_reported_figure_only_is_marked_without_a_bar(tmp_path: Path) -> None:
    root = svg(
        models(
            tmp_path,
            f"""
            - {{id: a, name: A, training: {TRAINED % 0.1}}}
            - {{id: b, name: B, training: {{gpu_hours: 5, reported: {{co2eq: "2 t"}}}}}}
            """,
        )
    )
    assert texts(root, "name") == ["A", "B"]
    assert texts(root, "figures")[1] == "computed none \u00b7 reported 2 t"
    assert texts(root, "verdict")[1] == "not computed: facts missing"
    assert len(bars(root)) == 1
    mark = marks(root)[1]
    assert float(mark.get("y1", "0")) > float(bars(root)[0].get("y", "0"))  # in B's row


def test_models_with_no_figure_make_no_chart(tmp_path: Path) -> None:
    views = models(
        tmp_path,
        """
        - {id: a, name: A}
        - {id: b, name: B, training: {gpu_hours: 5}}
        """,
    )
    assert chart.carbon_chart(views) is None


def test_the_carbon_page_names_only_the_models_left_out(tmp_path: Path) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(
        "project: {name: P}\nmodels:\n"
        f"  - {{id: a, name: Alpha, training: {TRAINED % 0.1}}}\n"
        '  - {id: b, name: Beta, training: {gpu_hours: 5, reported: {co2eq: "2 t"}}}\n'
        "  - {id: c, name: Gamma, training: {gpu_hours: 5}}\n",
        encoding="utf-8",
    )
    site.generate(derive.derive(loader.load(project)), tmp_path / "source")
    page = (tmp_path / "source" / "docs" / "carbon.md").read_text(encoding="utf-8")
    assert "The chart's scale is logarithmic" in page
    assert (
        "Not in the chart, for want of the facts to compute it and of a reported figure: Gamma."
        in page
    )
    svg_text = (tmp_path / "source" / "docs" / site.CHART).read_text(encoding="utf-8")
    assert texts(ET.fromstring(svg_text), "name") == ["Alpha", "Beta"]


def test_equal_figures_agree_and_the_mark_is_at_the_end_of_the_bar(tmp_path: Path) -> None:
    # 3 kWh x 0.05 = 0.15 kg
    root = svg(
        models(
            tmp_path,
            "- {id: m, name: M, training: {gpu_hours: 10, gpu_power_w: 300, pue: 1.0, "
            'carbon_intensity_kg_per_kwh: 0.05, reported: {co2eq: "150 g"}}}',
        )
    )
    assert texts(root, "verdict") == ["reported agrees with computed"]
    (bar,) = bars(root)
    assert float(marks(root)[1].get("x1", "0")) == pytest.approx(right_end(bar), abs=0.15)


def test_a_zero_footprint_has_no_bar_and_is_said_in_words(tmp_path: Path) -> None:
    root = svg(
        models(
            tmp_path,
            "- {id: m, name: M, training: {gpu_hours: 10, gpu_power_w: 300, "
            'carbon_intensity_kg_per_kwh: 0, reported: {co2eq: "0 kg"}}}',
        )
    )
    assert texts(root, "figures") == ["computed 0 g \u00b7 reported 0 kg"]
    assert texts(root, "verdict") == ["reported agrees with computed"]
    assert bars(root) == [] and len(marks(root)) == 1


def test_a_huge_range_labels_fewer_gridlines_so_labels_do_not_touch(tmp_path: Path) -> None:
    root = svg(
        models(
            tmp_path,
            """
            - {id: tiny, name: Tiny, training: {gpu_hours: 0.001, gpu_power_w: 10, pue: 1.0,
                carbon_intensity_kg_per_kwh: 0.001}}
            - {id: huge, name: Huge, training: {reported: {co2eq_kg: 1000000000000}}}
            """,
        )
    )
    ticks = [e for e in root.iter(f"{SVG}text") if e.get("class") == "tick"]
    labels = [t.text or "" for t in ticks]
    assert labels[0] == "0.000001 g" and len(labels) < 23  # 10 mg... 1,000,000,000 t
    # Each label's extent, centred on its gridline, by the chart's own (generous) estimate.
    spans = []
    for tick in ticks:
        x, half = float(tick.get("x", "0")), chart.text_width(tick.text or "", chart.TEXT) / 2
        spans.append((x - half, x + half))
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans)), labels
    assert spans[0][0] >= 0 and spans[-1][1] <= chart.WIDTH
    assert texts(root, "verdict") == ["not reported", "not computed: facts missing"]


def test_a_long_name_is_cut_short_in_the_picture_but_whole_in_its_description(
    tmp_path: Path,
) -> None:
    name = "An extraordinarily long model name that goes on " * 3
    text = chart.carbon_chart(
        models(tmp_path, f'- {{id: m, name: "{name.strip()}", training: {TRAINED % 0.1}}}')
    )
    assert text is not None
    root = ET.fromstring(text)
    (shown,) = texts(root, "name")
    assert shown.endswith("\u2026") and name.startswith(shown[:-1])
    assert chart.text_width(shown, chart.NAME, bold=True) <= chart.WIDTH - 2 * chart.MARGIN
    desc = next(root.iter(f"{SVG}desc")).text or ""
    assert name.strip() in desc


def test_names_are_escaped(tmp_path: Path) -> None:
    text = chart.carbon_chart(
        models(tmp_path, f'- {{id: m, name: "<script>x</script> & M", training: {TRAINED % 0.1}}}')
    )
    assert text is not None and "<script" not in text
    assert texts(ET.fromstring(text), "name") == ["<script>x</script> & M"]


# --- pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exponent", "label"),
    [
        (-5, "0.01 g"),
        (-3, "1 g"),
        (-1, "100 g"),
        (0, "1 kg"),
        (2, "100 kg"),
        (3, "1 t"),
        (4, "10 t"),
        (7, "10,000 t"),
    ],
)
def test_decade_labels(exponent: int, label: str) -> None:
    assert chart.decade_label(exponent) == label


@pytest.mark.parametrize(
    ("reported", "computed", "said"),
    [
        ("124 kg", 149.12, "reported is 16.8% below computed"),
        ("200 kg", 149.12, "reported is 34.1% above computed"),
        ("149 kg", 149.12, "reported agrees with computed"),
        ("149.12 t", 149.12, "reported is 1,000 times computed"),
        ("149 g", 149.12, "reported is 1/1,001 of computed"),
        ("0 kg", 149.12, "reported is below computed"),
        ("1 kg", 0.0, "reported is above computed"),
    ],
)
def test_verdicts(reported: str, computed: float, said: str) -> None:
    row = chart.Row("M", computed, units.parse_mass(reported))
    assert chart.verdict(row).text == said
