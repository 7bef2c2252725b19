"""EU AI Act documents: figures and ranges, `govcard gaps --for eu`, the rendered summary of
training content and Model Documentation Form, the dataset cards and the site's Regulatory pages.

Most tests write a project.yaml into the test's own directory (see `workdir`) and run the command
as a user would; unit tests of `govcard.eu` load a project the same way and derive its views.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st
from support import run

from govcard import derive, eu, licenses, loader, markdown, render
from govcard.derive import ModelView
from govcard.errors import GovcardError
from govcard.schema import Dataset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
EXAMPLE_MODELS = ["santacoder", "starcoderbase", "starcoder"]
SUMMARY = "eu/training-content-summary.md"
FORM = "eu/model-documentation.md"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ALL = "*For: AI Office, national competent authorities, downstream providers.*"
AUTHORITIES = "*For: AI Office, national competent authorities.*"
KAPLAN = "(the dense-transformer approximation of Kaplan et al., 2020)"
SUMMARY_LINE = re.compile(r"^(\S+): (\d+) required and (\d+) optional facts? missing for eu$")
GAP_LINE = re.compile(
    r"^eu/(training-content-summary|model-documentation): \S+: [^()]+(?: \([^()]+\))? "
    r"\((required|optional)\)$"
)

# Every fact the two EU documents use, filled.
COMPLETE = """\
project:
  name: Complete
  provider:
    name: Example AI SAS
    address: 1 rue de la Paix, 75002 Paris
    contact: ai-act@example.org
    url: https://example.org
    authorised_representative: Example EU Representative
datasets:
  - id: web
    name: Web Crawl
    hub_id: example/web
    description: Pages crawled from the public web.
    category: crawled
    modality: text
    tokens: 900000000000
    items: 5000000
    languages: [en, fr]
    collection_start: 2023-01-01
    collection_end: 2023-12-31
    crawler:
      name: ExampleBot
      purpose: training data for Example models
      behaviour: respects robots.txt; no paywalls or login walls
      period_start: 2023-01-01
      period_end: 2023-12-31
      domains: [example.com, example.net]
    tdm_opt_out: robots.txt and ai.txt reservations are honoured at crawl time.
    illegal_content: Hash matching against known illegal material and URL blocklists.
    license: cc-by-4.0
    task_categories: [text-generation]
models:
  - id: m
    name: Model M
    hub_id: example/m
    description: A decoder-only text model pre-trained on the web crawl.
    parameters: 7000000000
    architecture: decoder-only transformer
    license: bigscience-openrail-m
    datasets: [web]
    intended_use: Text generation research.
    version: "1.0"
    release_date: 2024-03-01
    eu_placement_date: 2024-04-01
    input_modalities: [text]
    output_modalities: [text]
    max_input_size: 4096 tokens
    distribution_channels: [Hugging Face Hub (weights)]
    acceptable_use_policy: https://example.org/aup
    training:
      training_type: pre-training
      hardware: 256 x H100
      software: [PyTorch]
      gpu_hours: 100000
      gpu_power_w: 500
      pue: 1.1
      carbon_intensity_kg_per_kwh: 0.05
      tokens: 2000000000000
      start_date: 2024-01-01
      end_date: 2024-02-15
"""

MINIMAL = """\
project: {name: Minimal}
models:
  - {id: m, name: M}
"""


# --- helpers -----------------------------------------------------------------------------------


def complete() -> dict[str, Any]:
    """The complete project as data, to change one fact at a time."""
    return copy.deepcopy(yaml.safe_load(COMPLETE))


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def texts(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def after_intro(document: str) -> str:
    """A document without its title and introduction (which explain "not reported")."""
    return document.split("\n## ", 1)[1]


def sections(document: str) -> dict[str, str]:
    """The `### ...` sections of a document (of its first model), heading -> the lines below."""
    found: dict[str, str] = {}
    current: str | None = None
    for line in document.splitlines():
        if line.startswith("#"):
            current = line if line.startswith("### ") and line not in found else None
            if current is not None:
                found[current] = ""
        elif current is not None:
            found[current] += line + "\n"
    return found


def first_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip())


@pytest.fixture
def views(load):
    """views(project_yaml) -> the derived model views, by model id."""

    def _views(text: str) -> dict[str, ModelView]:
        return {v.model.id: v for v in derive.derive(load(text)).models}

    return _views


def one_model(training: str = "", **fields: Any) -> str:
    """A one-model project; `training` is the YAML flow mapping of its training facts."""
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    text = f"project: {{name: X}}\nmodels:\n  - id: m\n    name: M\n{extra}"
    if training:
        text += f"    training: {training}\n"
    return text


@pytest.fixture
def rendered(write):
    """rendered(project_yaml) -> every output file of `render -o out`, by path."""

    def _rendered(text: str) -> dict[str, str]:
        write(text)
        result = run("render", "project.yaml", "-o", "out")
        assert result.exit_code == 0, result.output
        return texts(Path("out"))

    return _rendered


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The BigCode example rendered by the command into a fresh directory."""
    out = tmp_path_factory.mktemp("example") / "out"
    result = run("render", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    return texts(out)


@pytest.fixture(scope="module")
def example_views() -> dict[str, ModelView]:
    return {v.model.id: v for v in derive.derive(loader.load(EXAMPLE)).models}


# --- units and notation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwh", "mwh"), [(0, 0), (1, 0.001), (1000, 1), (107_606.016, 107.606016), (2.5, 0.0025)]
)
def test_kwh_to_mwh(kwh: float, mwh: float) -> None:
    assert eu.kwh_to_mwh(kwh) == pytest.approx(mwh)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (1.55e10, 2, "1.6 × 10^10"),
        (9.96e22, 2, "1.0 × 10^23"),  # the mantissa rounds up to 10: one more power of ten
        (9.94e22, 2, "9.9 × 10^22"),
        (1e23, 2, "1.0 × 10^23"),
        (1.55e10, 3, "1.55 × 10^10"),
        (7e9, 3, "7.00 × 10^9"),
        (1e12, 3, "1.00 × 10^12"),
        (9.996e22, 3, "1.00 × 10^23"),
        (123_456, 3, "1.23 × 10^5"),
        (1, 2, "1.0 × 10^0"),
        (0.5, 2, "5.0 × 10^-1"),
        (0.00123, 2, "1.2 × 10^-3"),
        (0.000999, 2, "1.0 × 10^-3"),
        (0.000999, 3, "9.99 × 10^-4"),
        (-1.55e10, 2, "-1.6 × 10^10"),
        (-9.96e22, 2, "-1.0 × 10^23"),
        (-0.00123, 3, "-1.23 × 10^-3"),
        (0, 2, "0"),
        (0, 3, "0"),
    ],
)
def test_scientific(value: float, digits: int, expected: str) -> None:
    assert eu.scientific(value, digits) == expected


def test_scientific_gives_two_significant_figures_by_default() -> None:
    assert eu.scientific(1.55e10) == "1.6 × 10^10"
    assert eu.scientific(15_500_000_000) == "1.6 × 10^10"


NOTATION = re.compile(r"^(-?\d(?:\.\d+)?) × 10\^(-?\d+)$")


@given(
    magnitude=st.floats(min_value=1e-200, max_value=1e200),
    negative=st.booleans(),
    digits=st.integers(min_value=1, max_value=4),
)
def test_scientific_keeps_the_value_to_its_significant_figures(
    magnitude: float, negative: bool, digits: int
) -> None:
    value = -magnitude if negative else magnitude
    text = eu.scientific(value, digits)
    match = NOTATION.match(text)
    assert match, text
    mantissa, exponent = float(match[1]), int(match[2])
    assert len(match[1].lstrip("-").replace(".", "")) == digits
    assert 1 <= abs(mantissa) < 10, text
    assert (mantissa < 0) == negative
    # Within half a unit of the last printed digit (and float noise).
    unit = 10.0 ** (exponent - digits + 1)
    assert abs(mantissa * 10.0**exponent - value) <= 0.5 * unit * (1 + 1e-9), text


def test_compute_is_estimated_as_six_times_parameters_times_tokens(views) -> None:
    view = views(one_model("{tokens: 2000000000000}", parameters=7_000_000_000))["m"]
    assert eu.compute(view) == eu.Figure(
        "8.4 × 10^22 FLOPs",
        "estimated as 6 × parameters × training tokens = 6 × 7.00 × 10^9 × 2.00 × 10^12 " + KAPLAN,
    )


def test_compute_of_the_example(example_views: dict[str, ModelView]) -> None:
    # 6 × 15.5e9 × 1e12 = 9.3e22; StarCoder's fine-tuning: 6 × 15.5e9 × 35e9 = 3.255e21.
    base = eu.compute(example_views["starcoderbase"])
    assert base.value == "9.3 × 10^22 FLOPs"
    assert base.method == (
        "estimated as 6 × parameters × training tokens = 6 × 1.55 × 10^10 × 1.00 × 10^12 " + KAPLAN
    )
    assert eu.compute(example_views["starcoder"]).value == "3.3 × 10^21 FLOPs"
    assert eu.compute(example_views["santacoder"]) == eu.Figure(None)  # no training tokens


def test_reported_flops_and_their_method_win_over_the_estimate(views) -> None:
    training = "{tokens: 2000000000000, flops: 3.14e+23, flops_method: measured by the trainer}"
    view = views(one_model(training, parameters=7_000_000_000))["m"]
    assert eu.compute(view) == eu.Figure("3.1 × 10^23 FLOPs", "measured by the trainer")


def test_reported_flops_without_a_method(views) -> None:
    view = views(one_model("{flops: 9.96e+22}"))["m"]
    assert eu.compute(view) == eu.Figure("1.0 × 10^23 FLOPs", "as reported by the provider")


@pytest.mark.parametrize(
    ("training", "fields"),
    [
        ("", {"parameters": 7_000_000_000}),
        ("{hardware: 8 x A100}", {"parameters": 7_000_000_000}),
        ("{tokens: 2000000000000}", {}),
        ("{hardware: 8 x A100}", {}),
    ],
    ids=["no-training", "no-tokens", "no-parameters", "neither"],
)
def test_compute_not_reported(views, training: str, fields: dict[str, Any]) -> None:
    view = views(one_model(training, **fields))["m"]
    assert eu.compute(view) == eu.Figure(None)
    assert not eu.compute(view).reported


# --- ranges at their edges ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (1, "under 1 billion"),
        (999_999_999, "under 1 billion"),
        (1_000_000_000, "1 to 10 billion"),
        (9_999_999_999, "1 to 10 billion"),
        (10**10, "10 to 100 billion"),
        (10**11 - 1, "10 to 100 billion"),
        (10**11, "100 to 500 billion"),
        (5 * 10**11 - 1, "100 to 500 billion"),
        (5 * 10**11, "500 billion to 1 trillion"),
        (10**12 - 1, "500 billion to 1 trillion"),
        (10**12, "more than 1 trillion"),
        (10**15, "more than 1 trillion"),
    ],
)
def test_parameter_range(parameters: int, expected: str) -> None:
    assert eu.parameter_range(parameters) == expected


def dataset(**fields: Any) -> Dataset:
    """A dataset with these size facts, unvalidated (the functions only read them)."""
    return Dataset.model_construct(id="d", name="D", **fields)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (0, "less than 1 billion tokens"),
        (10**9 - 1, "less than 1 billion tokens"),
        (10**9, "1 billion to 10 trillion tokens"),
        (10**13 - 1, "1 billion to 10 trillion tokens"),
        (10**13, "more than 10 trillion tokens"),
        (15 * 10**12, "more than 10 trillion tokens"),
    ],
)
def test_data_size_range_by_tokens(tokens: int, expected: str) -> None:
    assert eu.data_size_range(dataset(tokens=tokens)) == expected
    # Tokens win over items.
    assert eu.data_size_range(dataset(tokens=tokens, items=10**10)) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (0, "less than 1 million items"),
        (10**6 - 1, "less than 1 million items"),
        (10**6, "1 million to 1 billion items"),
        (10**9 - 1, "1 million to 1 billion items"),
        (10**9, "more than 1 billion items"),
    ],
)
def test_data_size_range_by_items(items: int, expected: str) -> None:
    assert eu.data_size_range(dataset(items=items)) == expected


def test_data_size_range_not_reported() -> None:
    assert eu.data_size_range(dataset()) is None


def test_schema_admits_datasets_of_more_than_ten_trillion_tokens(load) -> None:
    tokens = 15 * 10**12
    # The summary template's last range is "more than 10 trillion tokens" (FineWeb has 15T);
    # a project file must be able to reach it.
    project = load(f"project: {{name: X}}\ndatasets:\n  - {{id: d, name: D, tokens: {tokens}}}\n")
    (found,) = project.facts.datasets
    assert eu.data_size_range(found) == "more than 10 trillion tokens"


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [(10**9 - 1, "less than 1 billion tokens"), (10**12, "1 billion to 10 trillion tokens")],
)
def test_data_size_range_from_a_project_file(load, tokens: int, expected: str) -> None:
    project = load(f"project: {{name: X}}\ndatasets:\n  - {{id: d, name: D, tokens: {tokens}}}\n")
    assert eu.data_size_range(project.facts.datasets[0]) == expected


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        ("2024-01-30", "29 days (less than 1 month)"),
        ("2024-01-31", "30 days (1 to 3 months)"),
        ("2024-03-30", "89 days (1 to 3 months)"),
        ("2024-03-31", "90 days (3 to 6 months)"),
        ("2024-06-28", "179 days (3 to 6 months)"),
        ("2024-06-29", "180 days (more than 6 months)"),
    ],
)
def test_training_time_from_dates(views, end: str, expected: str) -> None:
    view = views(one_model(f"{{start_date: 2024-01-01, end_date: {end}}}"))["m"]
    assert eu.training_time(view) == eu.Figure(expected)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (29, "29 days (less than 1 month)"),
        (29.4, "29.4 days (less than 1 month)"),
        (30, "30 days (1 to 3 months)"),
        (89, "89 days (1 to 3 months)"),
        (90, "90 days (3 to 6 months)"),
        (179, "179 days (3 to 6 months)"),
        (180, "180 days (more than 6 months)"),
        (1000, "1,000 days (more than 6 months)"),
    ],
)
def test_training_time_from_days(views, days: float, expected: str) -> None:
    view = views(one_model(f"{{days: {days}}}"))["m"]
    assert eu.training_days(view) == days
    assert eu.training_time(view) == eu.Figure(expected)


def test_training_time_shows_a_figure_that_agrees_with_its_range(views) -> None:
    days = 29.6
    # 29.6 days is "less than 1 month"; printed as "30 days (less than 1 month)" it contradicts
    # the "30 days (1 to 3 months)" of exactly 30 days.
    view = views(one_model(f"{{days: {days}}}"))["m"]
    value = eu.training_time(view).value
    assert value is not None and value.endswith("(less than 1 month)")
    shown = float(value.split(" days")[0].replace(",", ""))
    assert shown < 30, value


def test_training_dates_win_over_days(views) -> None:
    view = views(one_model("{days: 200, start_date: 2024-01-01, end_date: 2024-02-15}"))["m"]
    assert eu.training_time(view).value == "45 days (1 to 3 months)"


@pytest.mark.parametrize(
    "training", ["", "{hardware: 8 x A100}", "{start_date: 2024-01-01}", "{end_date: 2024-02-01}"]
)
def test_training_time_not_reported(views, training: str) -> None:
    view = views(one_model(training))["m"]
    assert eu.training_days(view) is None
    assert eu.training_time(view) == eu.Figure(None)


def test_a_single_date_falls_back_to_days(views) -> None:
    view = views(one_model("{start_date: 2024-01-01, days: 12}"))["m"]
    assert eu.training_time(view).value == "12 days (less than 1 month)"


@pytest.mark.parametrize(
    ("field", "start", "end"),
    [
        ("training", "start_date", "end_date"),
        ("dataset", "collection_start", "collection_end"),
    ],
)
def test_a_period_that_ends_before_it_starts_is_refused(
    write, field: str, start: str, end: str
) -> None:
    # Otherwise the model documentation says "Training time: -45 days (less than 1 month)".
    data = complete()
    target = data["models"][0]["training"] if field == "training" else data["datasets"][0]
    target[start], target[end] = target[end], target[start]
    write(dump(data))
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 2, result.output
    assert end in result.stderr


SIZE_EDGES = [
    (10**3, "n<1K", "1K<n<10K"),
    (10**4, "1K<n<10K", "10K<n<100K"),
    (10**5, "10K<n<100K", "100K<n<1M"),
    (10**6, "100K<n<1M", "1M<n<10M"),
    (10**7, "1M<n<10M", "10M<n<100M"),
    (10**8, "10M<n<100M", "100M<n<1B"),
    (10**9, "100M<n<1B", "1B<n<10B"),
    (10**10, "1B<n<10B", "10B<n<100B"),
    (10**11, "10B<n<100B", "100B<n<1T"),
    (10**12, "100B<n<1T", "n>1T"),
]


@pytest.mark.parametrize(("edge", "below", "at"), SIZE_EDGES, ids=[str(e[0]) for e in SIZE_EDGES])
def test_size_category_edges(edge: int, below: str, at: str) -> None:
    assert render.size_category(edge - 1) == below
    assert render.size_category(edge) == at


def test_size_category_ends() -> None:
    assert render.size_category(0) == "n<1K"
    assert render.size_category(999) == "n<1K"
    assert render.size_category(1000) == "1K<n<10K"
    assert render.size_category(10**12) == "n>1T"
    assert render.size_category(10**15) == "n>1T"


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=10**15))
def test_ranges_grow_with_the_value(a: int, b: int) -> None:
    low, high = sorted((a, b))
    labels = [label for _, label in eu.PARAMETER_RANGES] + ["more than 1 trillion"]
    if low >= 1:
        assert labels.index(eu.parameter_range(low)) <= labels.index(eu.parameter_range(high))
    sizes = [label for _, label in render.SIZE_CATEGORIES] + ["n>1T"]
    assert sizes.index(render.size_category(low)) <= sizes.index(render.size_category(high))


# --- energy in MWh -----------------------------------------------------------------------------


def test_energy_of_starcoderbase(example_views: dict[str, ModelView]) -> None:
    # 320,256 GPU-h × 280 W = 89,671.68 kWh; × PUE 1.2 = 107,606.016 kWh. The reported energy
    # (before PUE) does not replace the computed one.
    assert eu.energy(example_views["starcoderbase"]) == eu.Figure(
        "107.61 MWh", "GPU-hours × average power per GPU × PUE 1.2, computed by govcard"
    )


def test_energy_of_the_example_models(example_views: dict[str, ModelView]) -> None:
    # SantaCoder: 14,284 GPU-h × 300 W × 1.2 = 5,142.24 kWh. StarCoder has no energy facts.
    assert eu.energy(example_views["santacoder"]).value == "5.14 MWh"
    assert eu.energy(example_views["starcoder"]) == eu.Figure(None)


def test_energy_without_a_stated_pue(views) -> None:
    view = views(one_model("{gpu_hours: 1000, gpu_power_w: 400}"))["m"]
    assert eu.energy(view) == eu.Figure(
        "0.40 MWh", "GPU-hours × average power per GPU × PUE 1, computed by govcard"
    )


EMISSIONS_CSV = """\
run_id,duration,emissions,energy_consumed,pue
r1,3600,60.0,1200.0,1.2
r1,3600,30.0,600.0,1.2
"""


def test_energy_measured_with_codecarbon(write, views) -> None:
    write(EMISSIONS_CSV, "runs/emissions.csv")
    view = views(one_model("{codecarbon_csv: runs/emissions.csv}"))["m"]
    assert eu.energy(view) == eu.Figure(
        "1.80 MWh", "measured with codecarbon (data-centre overhead included)"
    )


def test_a_small_measured_energy_is_not_shown_as_zero(write, views) -> None:
    # A fine-tuning run of 2.4 kWh must not read "0.00 MWh" in the form.
    write("energy_consumed,emissions\n2.4,0.5\n", "emissions.csv")
    view = views(one_model("{codecarbon_csv: emissions.csv}"))["m"]
    value = eu.energy(view).value
    assert value is not None and value.endswith(" MWh")
    assert float(value.removesuffix(" MWh").replace(",", "")) > 0, value


@pytest.mark.parametrize(
    ("training", "value", "method"),
    [
        ('{reported: {energy: "50 MWh"}}', "50.00 MWh", "as reported by the provider (50 MWh)"),
        (
            '{reported: {energy: "4,285 kWh"}}',
            "4.29 MWh",
            "as reported by the provider (4,285 kWh)",
        ),
        ("{reported: {energy_kwh: 1500}}", "1.50 MWh", "as reported by the provider (1,500 kWh)"),
        # Carbon facts that do not give an energy leave the reported one.
        (
            '{gpu_hours: 1000, reported: {energy: "2 MWh"}}',
            "2.00 MWh",
            "as reported by the provider (2 MWh)",
        ),
    ],
)
def test_reported_energy_when_it_cannot_be_computed(
    views, training: str, value: str, method: str
) -> None:
    assert eu.energy(views(one_model(training))["m"]) == eu.Figure(value, method)


def test_computed_energy_wins_over_the_reported_one(views) -> None:
    training = '{gpu_hours: 1000, gpu_power_w: 500, reported: {energy: "9 MWh"}}'
    assert eu.energy(views(one_model(training))["m"]).value == "0.50 MWh"


@pytest.mark.parametrize("training", ["", "{hardware: 8 x A100}", "{gpu_hours: 1000}"])
def test_energy_not_reported(views, training: str) -> None:
    assert eu.energy(views(one_model(training))["m"]) == eu.Figure(None)


def test_energy_not_reported_in_the_form(rendered) -> None:
    form = rendered(one_model("{gpu_hours: 1000}"))[FORM]
    assert "- Training energy: not reported\n" in form


# --- govcard gaps --for eu ---------------------------------------------------------------------


def gap_lines(result: Result) -> tuple[list[str], tuple[int, int]]:
    """The gap lines and the (required, optional) counts of the summary line, checked."""
    *lines, last = result.stdout.splitlines()
    match = SUMMARY_LINE.match(last)
    assert match, last
    for line in lines:
        assert GAP_LINE.match(line), line
    required = sum(line.endswith("(required)") for line in lines)
    assert (int(match[2]), int(match[3])) == (required, len(lines) - required)
    return lines, (required, len(lines) - required)


def test_gaps_of_a_minimal_project(write) -> None:
    write(MINIMAL)
    result = run("gaps", "project.yaml", "--for", "eu")
    assert result.exit_code == 1, result.output
    lines, (required, optional) = gap_lines(result)
    for expected in [
        "eu/training-content-summary: project.provider.name: provider identification (required)",
        "eu/training-content-summary: project.provider.contact: provider contact (optional)",
        "eu/model-documentation: project.provider.name: legal name of the provider (required)",
        "eu/training-content-summary: models[m].eu_placement_date: "
        "date of placement on the Union market (required)",
        "eu/model-documentation: models[m].release_date: release date (required)",
        "eu/model-documentation: models[m].parameters: total number of parameters (required)",
        "eu/model-documentation: models[m].architecture: model architecture (required)",
        "eu/model-documentation: models[m].input_modalities: input modalities (required)",
        "eu/model-documentation: models[m].output_modalities: output modalities (required)",
        "eu/model-documentation: models[m].distribution_channels: distribution channels (required)",
        "eu/model-documentation: models[m].license: license (required)",
        "eu/model-documentation: models[m].intended_use: intended uses (optional)",
        "eu/model-documentation: models[m].datasets: training data (required)",
        "eu/model-documentation: models[m].training: training time (required)",
        "eu/model-documentation: models[m].training.flops: "
        "training compute (or parameters and training.tokens) (required)",
        "eu/model-documentation: models[m].training: "
        "training energy (carbon facts or reported energy) (required)",
    ]:
        assert expected in lines
    assert required >= 14 and optional >= 2
    assert result.stdout.splitlines()[-1] == (
        f"project.yaml: {required} required and {optional} optional facts missing for eu"
    )


def test_gaps_default_to_eu(write) -> None:
    write(MINIMAL)
    assert run("gaps", "project.yaml").stdout == run("gaps", "project.yaml", "--for", "eu").stdout


def test_gaps_of_a_complete_project(write) -> None:
    write(COMPLETE)
    result = run("gaps", "project.yaml", "--for", "eu")
    assert result.exit_code == 0, result.output
    assert result.stdout == "project.yaml: 0 required and 0 optional facts missing for eu\n"


def test_gaps_of_a_project_without_models_or_datasets(write) -> None:
    write("project:\n  name: X\n  provider: {name: P, contact: p@example.org}\n")
    result = run("gaps", "project.yaml", "--for", "eu")
    assert result.exit_code == 0, result.output
    assert result.stdout == "project.yaml: 0 required and 0 optional facts missing for eu\n"


def drop(path: str):
    """A change to the complete project: remove the key at a dotted path."""

    def change(data: dict[str, Any]) -> None:
        *parents, key = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[key]

    return change


# One fact removed from the complete project -> the gap line that says so.
MISSING = {
    "provider": (
        drop("project.provider"),
        "eu/model-documentation: project.provider.name: legal name of the provider (required)",
    ),
    "provider-contact": (
        drop("project.provider.contact"),
        "eu/training-content-summary: project.provider.contact: provider contact (optional)",
    ),
    "placement": (
        drop("models.0.eu_placement_date"),
        "eu/model-documentation: models[m].eu_placement_date: Union market release date (required)",
    ),
    "crawler": (
        drop("datasets.0.crawler"),
        "eu/training-content-summary: datasets[web].crawler: "
        "crawler name, purpose and behaviour (required)",
    ),
    "tdm-opt-out": (
        drop("datasets.0.tdm_opt_out"),
        "eu/training-content-summary: datasets[web].tdm_opt_out: "
        "respect of text-and-data-mining opt-outs (required)",
    ),
    "illegal-content": (
        drop("datasets.0.illegal_content"),
        "eu/training-content-summary: datasets[web].illegal_content: "
        "removal of illegal content (required)",
    ),
    "collection-end": (
        drop("datasets.0.collection_end"),
        "eu/training-content-summary: datasets[web].collection_end: "
        "data collection period (required)",
    ),
    "modality": (
        drop("datasets.0.modality"),
        "eu/training-content-summary: datasets[web].modality: modality (required)",
    ),
    "languages": (
        drop("datasets.0.languages"),
        "eu/training-content-summary: datasets[web].languages: languages (optional)",
    ),
    "category": (
        drop("datasets.0.category"),
        "eu/training-content-summary: datasets[web].category: kind of data source (required)",
    ),
    "training-tokens": (
        drop("models.0.training.tokens"),
        "eu/model-documentation: models[m].training.flops: "
        "training compute (or parameters and training.tokens) (required)",
    ),
    "training-dates": (
        drop("models.0.training.end_date"),
        "eu/model-documentation: models[m].training: training time (required)",
    ),
    "gpu-power": (
        drop("models.0.training.gpu_power_w"),
        "eu/model-documentation: models[m].training: "
        "training energy (carbon facts or reported energy) (required)",
    ),
}


@pytest.mark.parametrize("case", sorted(MISSING))
def test_each_missing_fact_is_a_gap(write, case: str) -> None:
    change, expected = MISSING[case]
    data = complete()
    change(data)
    write(dump(data))
    result = run("gaps", "project.yaml", "--for", "eu")
    lines, (required, _) = gap_lines(result)
    assert expected in lines
    assert result.exit_code == (1 if required else 0)


def apache(data: dict[str, Any]) -> None:
    """No acceptable use policy, and a license without use restrictions."""
    del data["models"][0]["acceptable_use_policy"]
    data["models"][0]["license"] = "apache-2.0"


def no_hardware_or_software(data: dict[str, Any]) -> None:
    del data["models"][0]["training"]["hardware"]
    del data["models"][0]["training"]["software"]


# Facts whose absence the documents mark "not reported".
SHOWN_AS_NOT_REPORTED = {
    "version": drop("models.0.version"),
    "training-type": drop("models.0.training.training_type"),
    "design-of-training": drop("models.0.description"),
    "hardware-and-software": no_hardware_or_software,
    "acceptable-use-policy": apache,
}


@pytest.mark.parametrize("case", sorted(SHOWN_AS_NOT_REPORTED))
def test_what_the_documents_mark_not_reported_is_a_gap(write, case: str) -> None:
    data = complete()
    SHOWN_AS_NOT_REPORTED[case](data)
    write(dump(data))
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    documents = [
        after_intro(Path("out", name).read_text(encoding="utf-8")) for name in (SUMMARY, FORM)
    ]
    marked = [line for text in documents for line in text.splitlines() if "not reported" in line]
    assert marked, "the change should leave a fact not reported"
    lines, _ = gap_lines(run("gaps", "project.yaml", "--for", "eu"))
    assert lines, f"gaps lists nothing, but the documents say: {marked}"


def test_dataset_size_gap_needs_tokens_or_items(write) -> None:
    data = complete()
    del data["datasets"][0]["tokens"]
    write(dump(data))
    assert run("gaps", "project.yaml").exit_code == 0  # the items give the size
    del data["datasets"][0]["items"]
    write(dump(data))
    result = run("gaps", "project.yaml")
    assert result.exit_code == 1
    assert gap_lines(result)[0] == [
        "eu/training-content-summary: datasets[web].tokens: size (tokens or items) (required)"
    ]


def test_synthetic_data_needs_the_models_that_made_it(write) -> None:
    data = complete()
    data["datasets"][0].update(category="synthetic")
    del data["datasets"][0]["crawler"]
    write(dump(data))
    result = run("gaps", "project.yaml")
    assert gap_lines(result)[0] == [
        "eu/training-content-summary: datasets[web].synthetic_models: "
        "models that generated the data (required)"
    ]
    data["datasets"][0]["synthetic_models"] = ["Model M"]
    write(dump(data))
    assert run("gaps", "project.yaml").exit_code == 0


def test_crawler_is_asked_only_of_crawled_data(write) -> None:
    data = complete()
    data["datasets"][0].update(category="public")
    del data["datasets"][0]["crawler"]
    del data["datasets"][0]["tdm_opt_out"]
    write(dump(data))
    result = run("gaps", "project.yaml")
    assert result.exit_code == 0, result.output


def test_gaps_of_the_bigcode_example() -> None:
    result = run("gaps", str(EXAMPLE), "--for", "eu")
    assert result.exit_code == 1, result.output
    lines, (required, _) = gap_lines(result)
    assert result.stdout.splitlines()[-1].startswith(f"{EXAMPLE}: {required} required")
    # What the published sources do not give: the provider and the EU placement dates.
    assert (
        "eu/training-content-summary: project.provider.name: provider identification (required)"
    ) in lines
    assert (
        "eu/model-documentation: project.provider.name: legal name of the provider (required)"
        in (lines)
    )
    for model in EXAMPLE_MODELS:
        assert (
            f"eu/training-content-summary: models[{model}].eu_placement_date: "
            "date of placement on the Union market (required)"
        ) in lines
        assert (
            f"eu/model-documentation: models[{model}].eu_placement_date: "
            "Union market release date (required)"
        ) in lines
    # What the example does give is no gap.
    for model in EXAMPLE_MODELS:
        for fact in ("parameters", "architecture", "license", "datasets", "input_modalities"):
            assert not any(f"models[{model}].{fact}:" in line for line in lines), fact
    assert "eu/model-documentation: models[santacoder].release_date: release date (required)" in (
        lines
    )
    assert not any("models[starcoderbase].release_date" in line for line in lines)
    assert not any("models[starcoderbase].training.flops" in line for line in lines)
    assert not any("models[starcoderbase].training: training energy" in line for line in lines)
    assert not any("models[santacoder].training: training energy" in line for line in lines)
    assert not any("datasets[the-stack].tdm_opt_out" in line for line in lines)
    assert not any("datasets[the-stack].illegal_content" in line for line in lines)


# --- rendered documents ------------------------------------------------------------------------


def test_render_writes_the_eu_documents_and_dataset_cards(rendered) -> None:
    outputs = rendered(COMPLETE)
    assert {SUMMARY, FORM, "datasets/web/README.md"} <= set(outputs)
    assert sorted(outputs) == sorted(
        [
            "GOVERNANCE.md",
            "governance.json",
            "models/m/README.md",
            "datasets/web/README.md",
            SUMMARY,
            FORM,
        ]
    )


def test_documents_name_the_template_versions(rendered) -> None:
    outputs = rendered(MINIMAL)
    summary = " ".join(outputs[SUMMARY].split())
    form = " ".join(outputs[FORM].split())
    assert eu.SUMMARY_TEMPLATE_VERSION in summary
    assert "Template for the Public Summary of Training Content" in summary
    assert "July 2025" in summary
    assert eu.FORM_VERSION in form
    assert "Model Documentation Form" in form


def test_complete_project_leaves_nothing_not_reported(rendered) -> None:
    outputs = rendered(COMPLETE)
    form = after_intro(outputs[FORM])
    assert "not reported" not in form.lower()
    assert "not reported" not in after_intro(outputs[SUMMARY]).lower()
    lines = form.splitlines()
    for expected in [
        "- Legal name of the provider: Example AI SAS",
        "- Model name: Model M ([example/m](https://huggingface.co/example/m)), version 1.0",
        "- Release date: 2024-03-01",
        "- Union market release date: 2024-04-01",
        "- Architecture: decoder-only transformer",
        "- Input modalities: text (maximum 4096 tokens)",
        "- Output modalities: text",
        "- Total number of parameters: 7.0 × 10^9 (7,000,000,000; range: 1 to 10 billion)",
        "- Distribution channels: Hugging Face Hub (weights)",
        "- Acceptable use policy: [https://example.org/aup](https://example.org/aup)",
        "- Intended uses: Text generation research.",
        "- Training type: pre-training",
        "- Hardware and software: 256 x H100; PyTorch",
        "- **Web Crawl**: crawled data, text, size 1 billion to 10 trillion tokens",
        "- Training time: 45 days (1 to 3 months)",
        "- Amount of computation: 8.4 × 10^22 FLOPs (estimated as 6 × parameters × training "
        "tokens = 6 × 7.00 × 10^9 × 2.00 × 10^12 " + KAPLAN + ")",
        # 100,000 GPU-h × 500 W × 1.1 = 55,000 kWh.
        "- Training energy: 55.00 MWh (GPU-hours × average power per GPU × PUE 1.1, "
        "computed by govcard)",
    ]:
        assert expected in lines


def test_complete_summary_has_every_fact(rendered) -> None:
    summary = rendered(COMPLETE)[SUMMARY]
    lines = summary.splitlines()
    for expected in [
        "- Provider: Example AI SAS",
        "- Contact: [ai-act@example.org](mailto:ai-act@example.org)",
        "- Authorised representative: Example EU Representative",
        "| Model M | 1.0 | none | 2024-04-01 |",
        "| Web Crawl | text | 1 billion to 10 trillion tokens | 2023-01-01 to 2023-12-31 | en, fr |",
        "- **Web Crawl**: robots.txt and ai.txt reservations are honoured at crawl time.",
        "- **Web Crawl**: Hash matching against known illegal material and URL blocklists.",
    ]:
        assert expected in lines
    crawled = sections(summary)["### 2.4 Data crawled and scraped from online sources"]
    assert "Crawler ExampleBot; purpose: training data for Example models" in crawled
    assert "period: 2023-01-01 to 2023-12-31" in crawled
    assert "most relevant domains: example.com, example.net." in crawled
    assert sections(summary)["### 2.1 Publicly available datasets"].strip() == "Nothing reported."


def test_minimal_project_says_not_reported_and_never_none(rendered) -> None:
    outputs = rendered(MINIMAL)
    for name in (SUMMARY, FORM):
        assert not re.search(r"\bNone\b", outputs[name]), name
    form = outputs[FORM].splitlines()
    for expected in [
        "- Legal name of the provider: not reported",
        "- Release date: not reported",
        "- Union market release date: not reported",
        "- Architecture: not reported",
        "- Input modalities: not reported",
        "- Output modalities: not reported",
        "- Total number of parameters: not reported",
        "- Distribution channels: not reported",
        "- License: not reported",
        "- Acceptable use policy: not reported",
        "- Intended uses: not reported",
        "- Training time: not reported",
        "- Amount of computation: not reported",
        "- Training energy: not reported",
    ]:
        assert expected in form
    summary = outputs[SUMMARY].splitlines()
    for expected in [
        "- Provider: not reported",
        "- Contact: not reported",
        "| M | not reported | none | not reported |",
    ]:
        assert expected in summary


def test_partial_facts_never_print_none(rendered) -> None:
    outputs = rendered(
        """\
        project:
          name: Partial
          provider: {name: P}
        datasets:
          - {id: a, name: A}
          - {id: b, name: B, category: crawled, crawler: {name: Bot}, collection_start: 2020-01-01}
          - {id: c, name: C, category: synthetic, items: 10}
        models:
          - id: m
            name: M
            base_model: org/base
            datasets: [a, b, c, org/hub-data]
            license: apache-2.0
            training: {hardware: 8 x A100}
        """
    )
    for name in (SUMMARY, FORM, "datasets/a/README.md", "datasets/c/README.md"):
        assert not re.search(r"\bNone\b", outputs[name]), name
    summary, form = outputs[SUMMARY], outputs[FORM]
    assert "| B | not reported | not reported | 2020-01-01 to … | not reported |" in summary
    assert "Datasets whose kind of source is not reported: A." in summary
    assert "- **A**: not reported data, not reported, size not reported" in form
    assert "- **C**: synthetic data, not reported, size less than 1 million items" in form
    assert (
        "- [org/hub-data](https://huggingface.co/datasets/org/hub-data): a Hub dataset "
        "(its card documents it)"
    ) in form
    assert "- Model dependencies: org/base" in form
    assert "- Hardware and software: 8 x A100" in form.splitlines()


def test_model_documentation_says_who_receives_each_section(example: dict[str, str]) -> None:
    form = example[FORM]
    for model in ("SantaCoder", "StarCoderBase", "StarCoder"):
        part = form.split(f"\n## {model}\n", 1)[1].split("\n## ", 1)[0]
        found = sections(part)
        numbers = [int(heading.split()[1].rstrip(".")) for heading in found]
        assert numbers == [1, 2, 3, 4, 5, 6, 7, 8], model
        for heading, text in found.items():
            number = int(heading.split()[1].rstrip("."))
            assert first_line(text) == (ALL if number <= 6 else AUTHORITIES), (model, heading)


def test_restricted_uses_list_every_restriction_of_the_rail_license(rendered) -> None:
    form = rendered(COMPLETE)[FORM]
    rail = licenses.rail("bigscience-openrail-m")
    assert rail is not None and len(rail.restrictions) >= 10
    use = sections(form)["### 4. Use"]
    assert f"- Restricted uses ({rail.restrictions_section} of the license):" in use
    listed = [line for line in use.splitlines() if line.startswith("  - (")]
    assert listed == [
        f"  - ({r.id}) {markdown.escape(r.title)}: {markdown.escape(r.summary)}"
        for r in rail.restrictions
    ]


def test_restricted_uses_of_the_example(example: dict[str, str]) -> None:
    rail = licenses.rail("bigcode-openrail-m")
    assert rail is not None
    form = example[FORM]
    for r in rail.restrictions:
        line = f"  - ({r.id}) {markdown.escape(r.title)}: {markdown.escape(r.summary)}"
        assert form.count(line + "\n") == len(EXAMPLE_MODELS), r.id


def test_acceptable_use_policy_of_a_rail_model_is_its_restrictions(rendered) -> None:
    data = complete()
    del data["models"][0]["acceptable_use_policy"]
    form = rendered(dump(data))[FORM]
    rail = licenses.rail("bigscience-openrail-m")
    assert rail is not None
    assert (
        f"- Acceptable use policy: the use restrictions of the [{rail.name}]({rail.url}) "
        f"({rail.restrictions_section})"
    ) in form.splitlines()


def test_no_restricted_uses_without_a_rail_license(rendered) -> None:
    data = complete()
    data["models"][0]["license"] = "apache-2.0"
    form = rendered(dump(data))[FORM]
    assert "Restricted uses" not in form


def test_script_in_a_dataset_name_is_escaped(rendered) -> None:
    data = complete()
    data["datasets"][0]["name"] = SCRIPT
    outputs = rendered(dump(data))
    for name in (SUMMARY, FORM, "datasets/web/README.md"):
        assert "<script>" not in outputs[name].split("\n---\n", 1)[-1], name
    assert f"| {ESCAPED_SCRIPT} | text |" in outputs[SUMMARY]
    assert f"- **{ESCAPED_SCRIPT}**: robots.txt" in outputs[SUMMARY]
    assert f"- **{ESCAPED_SCRIPT}**: crawled data, text" in outputs[FORM]
    from huggingface_hub import DatasetCard

    card = DatasetCard(outputs["datasets/web/README.md"])
    assert card.data.pretty_name == SCRIPT  # the metadata keeps the name as it is
    assert f"# {ESCAPED_SCRIPT}" in card.text


def test_dataset_card_metadata_is_the_facts(rendered) -> None:
    from huggingface_hub import DatasetCard

    text = rendered(COMPLETE)["datasets/web/README.md"]
    card = DatasetCard(text)
    assert card.data.pretty_name == "Web Crawl"
    assert card.data.license == "cc-by-4.0"
    assert card.data.language == ["en", "fr"]
    assert card.data.size_categories == ["1M<n<10M"]  # 5,000,000 items
    assert card.data.task_categories == ["text-generation"]
    assert card.text.lstrip().startswith("# Web Crawl\n")
    assert "- **Languages:** en, fr" in card.text
    assert "[Governance Card](../../GOVERNANCE.md)" in card.text


def test_dataset_card_metadata_leaves_out_what_is_not_given(rendered) -> None:
    from huggingface_hub import DatasetCard

    outputs = rendered("project: {name: X}\ndatasets:\n  - {id: d, name: D, tokens: 5000}\n")
    data = DatasetCard(outputs["datasets/d/README.md"]).data.to_dict()
    assert data == {"pretty_name": "D"}


def test_dataset_front_matter_matches_dataset_card_data(load) -> None:
    from huggingface_hub import DatasetCardData

    (found,) = load(COMPLETE).facts.datasets
    expected = DatasetCardData(
        pretty_name="Web Crawl",
        license="cc-by-4.0",
        language=["en", "fr"],
        size_categories=["1M<n<10M"],
        task_categories=["text-generation"],
    )
    assert yaml.safe_load(render.dataset_front_matter(found)) == expected.to_dict()


def test_check_reports_the_eu_documents_after_an_eu_fact_changes(write) -> None:
    write(COMPLETE)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = texts(Path("out"))
    write(COMPLETE.replace("eu_placement_date: 2024-04-01", "eu_placement_date: 2024-05-01"))
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 1, result.output
    changes = result.stdout.splitlines()
    assert f"changed: out/{SUMMARY}" in changes
    assert f"changed: out/{FORM}" in changes
    assert "changed: out/models/m/README.md" not in changes
    assert "changed: out/datasets/web/README.md" not in changes
    assert texts(Path("out")) == before


def test_check_reports_the_summary_after_a_dataset_fact_changes(write) -> None:
    write(COMPLETE)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    write(COMPLETE.replace("name: ExampleBot", "name: ExampleBot/2.0"))
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 1
    assert f"changed: out/{SUMMARY}" in result.stdout.splitlines()
    assert f"changed: out/{FORM}" not in result.stdout.splitlines()
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert run("render", "project.yaml", "-o", "out", "--check").exit_code == 0


@pytest.mark.parametrize("foreign", ["eu/notes.md", "datasets/web/data.parquet"])
def test_foreign_files_in_the_eu_and_dataset_folders_are_kept(write, foreign: str) -> None:
    # A render replaces the output folder as a whole: files it did not write must stop it, as
    # they do under models/.
    write(COMPLETE)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    write("mine\n", f"out/{foreign}")
    result = run("render", "project.yaml", "-o", "out")
    assert Path("out", foreign).is_file(), f"render deleted out/{foreign}"
    assert result.exit_code == 2
    assert f"holds files govcard did not write ({foreign})" in result.stderr


def test_the_example_documents_are_honest(example: dict[str, str]) -> None:
    summary, form = example[SUMMARY], example[FORM]
    assert "- Provider: not reported" in summary.splitlines()
    assert "| StarCoderBase | not reported | none | not reported |" in summary
    assert "| StarCoder | not reported | StarCoderBase | not reported |" in summary
    assert "- Legal name of the provider: not reported" in form.splitlines()
    assert form.count("- Union market release date: not reported\n") == len(EXAMPLE_MODELS)
    assert "- Training energy: 107.61 MWh (GPU-hours × average power per GPU × PUE 1.2" in form
    assert not re.search(r"\bNone\b", summary + form)


# --- the site ----------------------------------------------------------------------------------


def test_site_has_the_regulatory_pages(write) -> None:
    write(COMPLETE)
    result = run("site", "build", "project.yaml", "-o", "site", "--keep-source", "src")
    assert result.exit_code == 0, result.output
    assert Path("site/eu/training-content-summary.html").is_file()
    assert Path("site/eu/model-documentation.html").is_file()
    config = yaml.safe_load(Path("src/mkdocs.yml").read_text(encoding="utf-8"))
    regulatory = [entry["Regulatory"] for entry in config["nav"] if "Regulatory" in entry]
    assert regulatory == [
        [
            {"Public summary of training content": SUMMARY},
            {"Model documentation": FORM},
        ]
    ]
    assert Path("src/docs", SUMMARY).is_file()
    assert Path("src/docs", FORM).is_file()
    page = Path("site/eu/model-documentation.html").read_text(encoding="utf-8")
    assert "Example AI SAS" in page
    assert "55.00 MWh" in page
    summary = Path("site/eu/training-content-summary.html").read_text(encoding="utf-8")
    assert "ExampleBot" in summary


def test_loader_rejects_an_unknown_eu_fact(errors) -> None:
    (problem,) = errors("project: {name: X}\nmodels:\n  - {id: m, name: M, eu_date: 2024-01-01}\n")
    assert "eu_date" in problem


def test_gaps_reports_an_invalid_file(write) -> None:
    write("project: {name: X}\nmodels:\n  - {id: m, name: M, parameters: -1}\n")
    result = run("gaps", "project.yaml")
    assert result.exit_code == 2
    assert "models[0].parameters" in result.stderr
    with pytest.raises(GovcardError):
        loader.load("project.yaml")
