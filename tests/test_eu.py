"""EU AI Act documents: the forms' ranges at their edges, the figures for each recipient, the
template's yes/no answers and rules, `govcard gaps --for eu`, the rendered summary of training
content and Model Documentation Form, the dataset cards and the site's Regulatory pages.

Most tests write a project.yaml into the test's own directory (see `workdir`) and run the command
as a user would; unit tests of `govcard.eu` load a project the same way and derive its views.
"""

from __future__ import annotations

import copy
import datetime as dt
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
from govcard.schema import Crawler, Dataset, DatasetVersion

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
EXAMPLE_MODELS = ["santacoder", "starcoderbase", "starcoder"]
EXAMPLE_NAMES = ["SantaCoder", "StarCoderBase", "StarCoder"]
SUMMARY = "eu/training-content-summary.md"
FORM = "eu/model-documentation.md"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
KAPLAN = "(the dense-transformer approximation of Kaplan et al., 2020)"
SUMMARY_LINE = re.compile(r"^(\S+): (\d+) required and (\d+) optional facts? missing for eu$")
GAP_LINE = re.compile(
    r"^eu/(training-content-summary|model-documentation): \S+: [^()]+(?: \([^()]+\))? "
    r"\((required|optional)\)$"
)
FIELD_LINE = re.compile(r"^- \*\*(?P<label>[^*]+)\*\* \[(?P<recipients>[^\]]+)\]:")

# Every fact the two EU documents use, filled.
COMPLETE = """\
project:
  name: Complete
  provider:
    name: Example AI SAS
    address: 1 rue de la Paix, 75002 Paris
    contact: ai-act@example.org
    url: https://example.org
    established_in_union: true
    sme: false
    code_of_practice_signatory: true
datasets:
  - id: web
    name: Web Crawl
    hub_id: example/web
    description: Pages crawled from the public web.
    category: crawled
    modality: text
    tokens: 900000000000
    items: 5000000
    content_types: [news articles, forum posts]
    languages: [en, fr]
    collection_start: 2023-01-01
    collection_end: 2023-12-31
    crawler:
      name: ExampleBot
      purpose: training data for Example models
      behaviour: respects robots.txt; no paywalls or login walls
      content: Public web pages in English and French.
      period_start: 2023-01-01
      period_end: 2023-12-31
      domains: [example.com, example.net]
      domains_total: 20
    tdm_opt_out: robots.txt and ai.txt reservations are honoured at crawl time.
    illegal_content: Hash matching against known illegal material and URL blocklists.
    curation: Exact and near deduplication, then a quality classifier.
    unsuitable_data: Domain blocklists and a spam classifier.
    biases: Language and topic distributions compared with a reference corpus.
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
    max_output_size: 4096 tokens, shared with the input
    distribution_channels: [Hugging Face Hub (weights)]
    acceptable_use_policy: https://example.org/aup
    library_name: transformers
    authenticity: "SHA-256 of model.safetensors: 3f5a9c"
    design_specification: A dense decoder with rotary positions, sized for one GPU.
    integration:
      ai_systems: Chat assistants and writing tools.
      technical_means: The transformers library and the chat template in the repository.
      hardware: One GPU with 24 GB of memory.
      software: [PyTorch 2.3, transformers 4.44]
    training_design: Next-token prediction on the web crawl, one epoch.
    decision_rationale: The size fits one GPU at inference; the data mix was chosen on ablations.
    inference_compute:
      flops: 1.4e+13
      task: generating 1,000 tokens after a 1,000-token prompt
      method: counted with fvcore
    continuous_training: false
    eu_documents:
      training_content_summary: {version: "1.0", date: 2024-04-01}
      model_documentation: {version: "1.1", date: 2024-04-02}
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

SUMMARY_HEADINGS = [
    "### 1. General information",
    "#### 1.1 Provider identification",
    "#### 1.2 Model identification",
    "#### 1.3 Modalities, overall training data size and other characteristics",
    "### 2. List of data sources",
    "#### 2.1 Publicly available datasets",
    "#### 2.2 Private non-publicly available datasets obtained from third parties",
    "##### 2.2.1 Datasets commercially licensed by rightsholders or their representatives",
    "##### 2.2.2 Private datasets obtained from other third parties",
    "#### 2.3 Data crawled and scraped from online sources",
    "#### 2.4 User data",
    "#### 2.5 Synthetic data",
    "#### 2.6 Other sources of data",
    "### 3. Data processing aspects",
    "#### 3.1 Respect of reservation of rights from text and data mining exception or limitation",
    "#### 3.2 Removal of illegal content",
]
FORM_SECTIONS = [
    "### 1. General information",
    "### 2. Model properties",
    "### 3. Methods of distribution and licenses",
    "### 4. Use",
    "### 5. Training process",
    "### 6. Information on the data used for training, testing and validation",
    "### 7. Computational resources",
    "### 8. Energy consumption",
]


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


def part(document: str, model: str) -> str:
    """The part of a document about one model: from its `## ` heading to the next."""
    return document.split(f"\n## {model}\n", 1)[1].split("\n## ", 1)[0]


def sections(document: str) -> dict[str, str]:
    """The `###`-and-deeper sections of a document part, heading -> the lines below (first
    occurrence of each heading)."""
    found: dict[str, str] = {}
    current: str | None = None
    for line in document.splitlines():
        if line.startswith("#"):
            current = line if line.startswith("###") and line not in found else None
            if current is not None:
                found[current] = ""
        elif current is not None:
            found[current] += line + "\n"
    return found


def fields(document: str) -> dict[str, tuple[str, str]]:
    """The form's field lines of a document part: label -> (recipients, value)."""
    found: dict[str, tuple[str, str]] = {}
    for line in document.splitlines():
        match = FIELD_LINE.match(line)
        if match:
            found[match["label"]] = (match["recipients"], line[match.end() :].strip())
    return found


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


def with_datasets(*datasets: str, model: str = "") -> str:
    """A project of one model trained on every dataset given as a YAML flow mapping."""
    ids = [yaml.safe_load(d)["id"] for d in datasets]
    listed = "".join(f"  - {d}\n" for d in datasets)
    return (
        f"project: {{name: X}}\ndatasets:\n{listed}models:\n"
        f"  - {{id: m, name: M, datasets: [{', '.join(ids)}]{model}}}\n"
    )


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


def dataset(**fields: Any) -> Dataset:
    """A dataset with these facts, unvalidated (the functions only read them)."""
    return Dataset.model_construct(id=fields.pop("id", "d"), name=fields.pop("name", "D"), **fields)


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


@pytest.mark.parametrize(
    ("value", "power"),
    [
        (1e23, 23),  # as a float just below 10^23: read as written, not by its logarithm
        (9.96e22, 22),
        (6 * 15_500_000_000 * 10**12, 22),  # an exact integer, 9.3e22
        (10**22, 22),
        (10**22 - 1, 21),
        (1, 0),
        (9, 0),
        (10, 1),
        (0.5, -1),
        (1e-3, -3),
    ],
)
def test_order_of_magnitude(value: float, power: int) -> None:
    assert eu.order_of_magnitude(value) == power


def test_magnitude_gives_the_power_of_ten_and_its_bounds() -> None:
    assert eu.magnitude(8.4e22, "FLOPs") == "10^22 FLOPs (at least 10^22, less than 10^23)"
    assert eu.magnitude(1e23, "FLOPs") == "10^23 FLOPs (at least 10^23, less than 10^24)"
    assert eu.magnitude(0, "tokens") == "0 tokens"


@given(st.integers(min_value=1, max_value=10**30))
def test_magnitude_bounds_the_value(value: int) -> None:
    power = eu.order_of_magnitude(value)
    assert 10**power <= value < 10 ** (power + 1)


# --- compute and energy, for each recipient ----------------------------------------------------


def test_compute_is_estimated_as_six_times_parameters_times_tokens(views) -> None:
    view = views(one_model("{tokens: 2000000000000}", parameters=7_000_000_000))["m"]
    method = "estimated as 6 × parameters × training tokens = 6 × 7.00 × 10^9 × 2.00 × 10^12 "
    assert eu.compute(view) == eu.Figure("8.4 × 10^22 FLOPs", method + KAPLAN)
    # National authorities get the order of magnitude only.
    assert eu.compute_magnitude(view) == eu.Figure("10^22 FLOPs (at least 10^22, less than 10^23)")


def test_compute_of_the_example(example_views: dict[str, ModelView]) -> None:
    # 6 × 15.5e9 × 1e12 = 9.3e22; StarCoder's fine-tuning: 6 × 15.5e9 × 35e9 = 3.255e21.
    base = eu.compute(example_views["starcoderbase"])
    assert base.value == "9.3 × 10^22 FLOPs"
    assert base.method == (
        "estimated as 6 × parameters × training tokens = 6 × 1.55 × 10^10 × 1.00 × 10^12 " + KAPLAN
    )
    assert eu.compute(example_views["starcoder"]).value == "3.3 × 10^21 FLOPs"
    assert eu.compute_magnitude(example_views["starcoder"]).value == (
        "10^21 FLOPs (at least 10^21, less than 10^22)"
    )
    assert eu.compute(example_views["santacoder"]) == eu.Figure(None)  # no training tokens


def test_reported_flops_and_their_method_win_over_the_estimate(views) -> None:
    training = "{tokens: 2000000000000, flops: 3.14e+23, flops_method: measured by the trainer}"
    view = views(one_model(training, parameters=7_000_000_000))["m"]
    assert eu.compute(view) == eu.Figure("3.1 × 10^23 FLOPs", "measured by the trainer")


def test_reported_flops_without_a_method(views) -> None:
    view = views(one_model("{flops: 9.96e+22}"))["m"]
    assert eu.compute(view) == eu.Figure("1.0 × 10^23 FLOPs", "as reported by the provider")
    # Rounded to two figures it reads 10^23, but the value is below it.
    assert eu.compute_magnitude(view).value == "10^22 FLOPs (at least 10^22, less than 10^23)"


def test_reported_flops_of_exactly_a_power_of_ten(views) -> None:
    view = views(one_model("{flops: 1.0e+23}"))["m"]
    assert eu.compute_magnitude(view).value == "10^23 FLOPs (at least 10^23, less than 10^24)"


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
    assert eu.compute_magnitude(view) == eu.Figure(None)
    assert not eu.compute(view).reported


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


def test_energy_measured_with_codecarbon(write, views) -> None:
    write("run_id,duration,emissions,energy_consumed,pue\nr1,3600,60.0,1800.0,1.2\n", "e.csv")
    view = views(one_model("{codecarbon_csv: e.csv}"))["m"]
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


def test_inference_compute_as_benchmarked_or_estimated(views) -> None:
    given = views(
        one_model(
            parameters=7_000_000_000,
            inference_compute="{flops: 1.4e+13, task: 'one 1,000-token answer'}",
        )
    )["m"]
    assert eu.inference_compute(given) == eu.Figure(
        "1.4 × 10^13 FLOPs for one 1,000-token answer", "as reported by the provider"
    )
    estimated = views(one_model(parameters=7_000_000_000))["m"]
    assert eu.inference_compute(estimated) == eu.Figure(None)
    assert eu.inference_estimate(estimated) == (
        "1.4 × 10^10 FLOPs per generated token, estimated as 2 × parameters "
        "(the forward pass of a dense transformer, Kaplan et al., 2020)"
    )
    assert eu.inference_estimate(views(one_model())["m"]) is None


# --- ranges at their edges ---------------------------------------------------------------------

# The Model Documentation Form's parameter ranges and every edge of them: the edge itself belongs
# to the range below it ("1-500M" includes 500M), one more to the range above.
PARAMETER_EDGES = [
    (500_000_000, "1 to 500 million", "500 million to 5 billion"),
    (5_000_000_000, "500 million to 5 billion", "5 to 15 billion"),
    (15_000_000_000, "5 to 15 billion", "15 to 50 billion"),
    (50_000_000_000, "15 to 50 billion", "50 to 100 billion"),
    (100_000_000_000, "50 to 100 billion", "100 to 500 billion"),
    (500_000_000_000, "100 to 500 billion", "500 billion to 1 trillion"),
    (1_000_000_000_000, "500 billion to 1 trillion", "more than 1 trillion"),
]


@pytest.mark.parametrize(
    ("edge", "at", "above"), PARAMETER_EDGES, ids=[str(e[0]) for e in PARAMETER_EDGES]
)
def test_parameter_range_edges(edge: int, at: str, above: str) -> None:
    assert eu.parameter_range(edge - 1) == at
    assert eu.parameter_range(edge) == at
    assert eu.parameter_range(edge + 1) == above


def test_parameter_ranges_are_the_forms() -> None:
    assert eu.PARAMETER_BINS.labels == [
        "1 to 500 million",
        "500 million to 5 billion",
        "5 to 15 billion",
        "15 to 50 billion",
        "50 to 100 billion",
        "100 to 500 billion",
        "500 billion to 1 trillion",
        "more than 1 trillion",
    ]
    assert eu.parameter_range(1) == "1 to 500 million"
    assert eu.parameter_range(10**15) == "more than 1 trillion"


@given(st.integers(min_value=1, max_value=10**15), st.integers(min_value=1, max_value=10**15))
def test_ranges_grow_with_the_value(a: int, b: int) -> None:
    low, high = sorted((a, b))
    labels = eu.PARAMETER_BINS.labels
    assert labels.index(eu.parameter_range(low)) <= labels.index(eu.parameter_range(high))
    text = eu.SIZE_BINS["text"]
    assert text.labels.index(text.label(low)) <= text.labels.index(text.label(high))
    sizes = [label for _, label in render.SIZE_CATEGORIES] + ["n>1T"]
    assert sizes.index(render.size_category(low)) <= sizes.index(render.size_category(high))


ALL_BINS = {
    "parameters": eu.PARAMETER_BINS,
    "time": eu.TIME_BINS,
    **{f"size-{modality}": bins for modality, bins in eu.SIZE_BINS.items()},
}


@pytest.mark.parametrize("name", sorted(ALL_BINS))
@given(a=st.floats(min_value=0, max_value=1e16), b=st.floats(min_value=0, max_value=1e16))
def test_every_range_grows_with_the_value(name: str, a: float, b: float) -> None:
    bins = ALL_BINS[name]
    low, high = sorted((a, b))
    assert bins.labels.index(bins.label(low)) <= bins.labels.index(bins.label(high))


# The summary template's size ranges per modality, in its units: "less than" excludes its edge,
# "X to Y" includes both, "more than" starts above.
SIZE_EDGES = [
    ("text", 10**9 - 1, "Less than 1 billion tokens"),
    ("text", 10**9, "1 billion to 10 trillion tokens"),
    ("text", 10**13, "1 billion to 10 trillion tokens"),
    ("text", 10**13 + 1, "More than 10 trillion tokens"),
    ("image", 10**6 - 1, "Less than 1 million images"),
    ("image", 10**6, "1 million to 1 billion images"),
    ("image", 10**9, "1 million to 1 billion images"),
    ("image", 10**9 + 1, "More than 1 billion images"),
    ("audio", 9_999.5, "Less than 10,000 hours"),
    ("audio", 10_000, "10,000 to 1 million hours"),
    ("audio", 1_000_000, "10,000 to 1 million hours"),
    ("audio", 1_000_000.5, "More than 1 million hours"),
    ("video", 9_999.5, "Less than 10,000 hours"),
    ("video", 10_000, "10,000 to 1 million hours"),
    ("video", 1_000_000, "10,000 to 1 million hours"),
    ("video", 1_000_000.5, "More than 1 million hours"),
]


@pytest.mark.parametrize(("modality", "size", "expected"), SIZE_EDGES)
def test_size_range_edges(modality: str, size: float, expected: str) -> None:
    assert eu.SIZE_BINS[modality].label(size) == expected


@pytest.mark.parametrize(
    ("facts", "size"),
    [
        ({"modality": "text", "tokens": 10**9}, 10**9),
        # Code is text, measured in tokens; item counts do not stand in for tokens.
        ({"modality": "code", "tokens": 10**13 + 1}, 10**13 + 1),
        ({"modality": "code", "items": 10**12}, None),
        ({"modality": "image", "items": 10**6}, 10**6),
        ({"modality": "image", "tokens": 10**12}, None),
        ({"modality": "audio", "hours": 10_000}, 10_000),
        ({"modality": "video", "hours": 9_999}, 9_999),
        ({"modality": "other", "items": 1234}, 1234),
        ({"tokens": 10**9}, None),  # no modality, no unit
    ],
)
def test_dataset_size_is_in_its_modalitys_unit(facts: dict[str, Any], size: float | None) -> None:
    assert eu.dataset_size(dataset(**facts)) == size


def test_a_model_of_code_has_text_data_in_tokens(views) -> None:
    view = views(with_datasets("{id: a, name: A, modality: code, tokens: 10000000000001}"))["m"]
    (row,) = eu.modality_rows(view)
    assert (row.name, row.unit, row.size) == ("Text", "tokens", "More than 10 trillion tokens")
    other = views(with_datasets("{id: a, name: A, modality: other, items: 1234}"))["m"]
    assert eu.modality_rows(other)[0].size == "1,234 items"


def test_schema_admits_datasets_of_more_than_ten_trillion_tokens(load) -> None:
    tokens = 15 * 10**12  # FineWeb has 15T tokens: the last range must be reachable
    project = load(
        f"project: {{name: X}}\ndatasets:\n  - {{id: d, name: D, modality: text, "
        f"tokens: {tokens}}}\n"
    )
    (found,) = project.facts.datasets
    assert eu.SIZE_BINS["text"].label(eu.dataset_size(found) or 0) == "More than 10 trillion tokens"


# Training time for national authorities: months counted as 30 days, "less than 1 month"
# excludes 30 days, "1 to 3 months" includes 30 and 90.
TIME_EDGES = [
    (29, "less than 1 month"),
    (29.9, "less than 1 month"),
    (30, "1 to 3 months"),
    (90, "1 to 3 months"),
    (90.1, "3 to 6 months"),
    (180, "3 to 6 months"),
    (180.1, "more than 6 months"),
    (1000, "more than 6 months"),
]


@pytest.mark.parametrize(("days", "expected"), TIME_EDGES)
def test_training_time_range_from_days(views, days: float, expected: str) -> None:
    view = views(one_model(f"{{days: {days}}}"))["m"]
    assert eu.training_days(view) == days
    assert eu.training_time_range(view) == eu.Figure(expected)


@pytest.mark.parametrize(
    ("end", "days", "expected"),
    [
        ("2024-01-30", "29 days", "less than 1 month"),
        ("2024-01-31", "30 days", "1 to 3 months"),
        ("2024-03-31", "90 days", "1 to 3 months"),
        ("2024-04-01", "91 days", "3 to 6 months"),
        ("2024-06-29", "180 days", "3 to 6 months"),
        ("2024-06-30", "181 days", "more than 6 months"),
    ],
)
def test_training_time_from_dates(views, end: str, days: str, expected: str) -> None:
    view = views(one_model(f"{{start_date: 2024-01-01, end_date: {end}}}"))["m"]
    # The AI Office gets the days, national authorities the range.
    assert eu.training_time(view) == eu.Figure(days)
    assert eu.training_time_range(view) == eu.Figure(expected)


def test_training_time_range_follows_the_printed_days(views) -> None:
    # 29.96 days prints as 30.0 days: its range must be that of 30 days, not contradict it.
    view = views(one_model("{days: 29.96}"))["m"]
    assert eu.training_time(view).value == "30 days"
    assert eu.training_time_range(view).value == "1 to 3 months"
    view = views(one_model("{days: 1234.5}"))["m"]
    assert eu.training_time(view).value == "1,234.5 days"


def test_training_dates_win_over_days(views) -> None:
    view = views(one_model("{days: 200, start_date: 2024-01-01, end_date: 2024-02-15}"))["m"]
    assert eu.training_time(view).value == "45 days"


@pytest.mark.parametrize(
    "training", ["", "{hardware: 8 x A100}", "{start_date: 2024-01-01}", "{end_date: 2024-02-01}"]
)
def test_training_time_not_reported(views, training: str) -> None:
    view = views(one_model(training))["m"]
    assert eu.training_days(view) is None
    assert eu.training_time(view) == eu.Figure(None)
    assert eu.training_time_range(view) == eu.Figure(None)


@pytest.mark.parametrize(
    ("field", "start", "end"),
    [
        ("training", "start_date", "end_date"),
        ("dataset", "collection_start", "collection_end"),
        ("crawler", "period_start", "period_end"),
    ],
)
def test_a_period_that_ends_before_it_starts_is_refused(
    write, field: str, start: str, end: str
) -> None:
    # Otherwise the model documentation says "Training time: -45 days".
    data = complete()
    target = {
        "training": data["models"][0]["training"],
        "dataset": data["datasets"][0],
        "crawler": data["datasets"][0]["crawler"],
    }[field]
    target[start], target[end] = target[end], target[start]
    write(dump(data))
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 2, result.output
    assert end in result.stderr
    assert "Traceback" not in result.output


# --- the training data of a model --------------------------------------------------------------


def test_training_data_size_is_summed_per_modality(views) -> None:
    view = views(
        with_datasets(
            "{id: a, name: A, modality: text, tokens: 600000000}",
            "{id: b, name: B, modality: code, tokens: 400000000}",
            "{id: c, name: C, modality: image, items: 999999}",
        )
    )["m"]
    rows = {row.modality: row for row in eu.modality_rows(view)}
    assert list(rows) == ["text", "image"]
    # 6e8 + 4e8 = 1e9 tokens: the edge of "1 billion to 10 trillion".
    assert rows["text"].total == 10**9
    assert rows["text"].size == "1 billion to 10 trillion tokens"
    assert rows["text"].content_types == ["source code"]  # code, nothing else said
    assert rows["image"].size == "Less than 1 million images"


def test_a_missing_size_leaves_the_range_unknown_unless_the_rest_reaches_the_top(views) -> None:
    unknown = views(
        with_datasets(
            "{id: a, name: A, modality: text, tokens: 5000000000}",
            "{id: b, name: B, modality: text}",
        )
    )["m"]
    (row,) = eu.modality_rows(unknown)
    assert row.size is None and row.total is None
    top = views(
        with_datasets(
            "{id: a, name: A, modality: text, tokens: 10000000000001}",
            "{id: b, name: B, modality: text}",
        )
    )["m"]
    (row,) = eu.modality_rows(top)
    assert row.size == "More than 10 trillion tokens"
    assert row.total is None  # still no count for the AI Office


def test_a_published_size_stands_in_for_a_missing_one() -> None:
    stack = dataset(
        name="The Stack",
        modality="code",
        versions=[
            DatasetVersion.model_construct(version="1.1"),
            DatasetVersion.model_construct(version="1.2", size="6.4 TB"),
        ],
    )
    assert eu.published_size(stack) == "6.4 TB for version 1.2"
    assert eu.published_size(dataset()) is None


def test_latest_collection_date(views) -> None:
    view = views(
        with_datasets(
            "{id: a, name: A, collection_end: 2022-03-31}",
            "{id: b, name: B, crawler: {period_end: 2023-06-30}}",
        )
    )["m"]
    assert str(eu.latest_collection(view)) == "2023-06-30"
    assert eu.month(eu.latest_collection(view)) == "06/2023"  # type: ignore[arg-type]
    unknown = views(
        with_datasets("{id: a, name: A, collection_end: 2022-03-31}", "{id: b, name: B}")
    )
    assert eu.latest_collection(unknown["m"]) is None


def test_latest_collection_unknown_with_a_hub_dataset(views) -> None:
    text = with_datasets("{id: a, name: A, collection_end: 2022-03-31}").replace(
        "datasets: [a]", "datasets: [a, org/other]"
    )
    assert eu.latest_collection(views(text)["m"]) is None


# --- the template's yes/no questions -----------------------------------------------------------


def test_answers_of_a_model_whose_data_is_all_described(views) -> None:
    view = views(
        with_datasets(
            "{id: a, name: A, category: crawled}",
            "{id: b, name: B, category: user, user_data_origin: model}",
        )
    )["m"]
    assert eu.answers(view) == {
        "public": "No",
        "licensed": "No",
        "private": "No",
        "crawled": "Yes",
        "user-model": "Yes",
        "user-other-services": "No",
        "synthetic": "No",
        "other": "No",
    }


@pytest.mark.parametrize(
    ("datasets", "model_datasets"),
    [
        (["{id: a, name: A, category: crawled}", "{id: b, name: B}"], None),
        (["{id: a, name: A, category: crawled}"], "[a, org/other]"),
    ],
    ids=["uncategorized", "hub-dataset"],
)
def test_no_is_said_only_when_every_source_is_known(
    views, datasets: list[str], model_datasets: str | None
) -> None:
    text = with_datasets(*datasets)
    if model_datasets:
        text = text.replace("datasets: [a]", f"datasets: {model_datasets}")
    found = eu.answers(views(text)["m"])
    assert found["crawled"] == "Yes"
    assert {key for key, value in found.items() if value is None} == set(eu.QUESTIONS) - {"crawled"}


def test_user_data_of_unknown_origin_answers_neither_question(views) -> None:
    found = eu.answers(views(with_datasets("{id: a, name: A, category: user}"))["m"])
    assert found["user-model"] is None and found["user-other-services"] is None
    assert found["public"] == "No"


def test_a_model_without_training_data_answers_nothing(views) -> None:
    assert set(eu.answers(views(MINIMAL)["m"]).values()) == {None}


# --- the large-dataset rule (section 2.1) ------------------------------------------------------


def shares_of(views, *sizes: int | None) -> list[eu.Share]:
    datasets = [
        f"{{id: d{i}, name: D{i}, category: public, modality: text"
        + (f", tokens: {size}}}" if size is not None else "}")
        for i, size in enumerate(sizes)
    ]
    return eu.public_shares(views(with_datasets(*datasets))["m"])


@pytest.mark.parametrize(
    ("sizes", "large", "shown"),
    [
        ((97, 3), [True, False], ["97.0%", "3.0%"]),  # exactly 3% is not more than 3%
        ((9699, 301), [True, True], ["97.0%", "3.01%"]),  # 3.01%: large, and never shown as 3.0%
        ((96, 4), [True, True], ["96.0%", "4.0%"]),
        ((100,), [True], ["100.0%"]),
        ((0, 0), [False, False], [None, None]),
    ],
)
def test_large_datasets_are_more_than_three_percent_of_their_modality(
    views, sizes: tuple[int, ...], large: list[bool], shown: list[str | None]
) -> None:
    found = shares_of(views, *sizes)
    assert [s.large for s in found] == large
    assert [s.percent_text for s in found] == shown


def test_a_dataset_without_a_size_is_listed_as_large(views) -> None:
    # The missing size could be anything: D1 cannot be shown to be at most 3%. D0 is 2.5% of
    # what is known, so at most 2.5% of all; D2 is more than 3% of what is known.
    found = shares_of(views, 25, None, 975)
    assert [(s.dataset.id, s.large, s.percent) for s in found] == [
        ("d0", False, None),
        ("d1", True, None),
        ("d2", True, None),
    ]


def test_shares_are_per_modality(views) -> None:
    view = views(
        with_datasets(
            "{id: t, name: T, category: public, modality: text, tokens: 1000}",
            "{id: i, name: I, category: public, modality: image, items: 10}",
            "{id: j, name: J, category: public, modality: image, items: 990}",
            "{id: c, name: C, category: crawled, modality: text, tokens: 100000}",
        )
    )["m"]
    found = {s.dataset.id: s for s in eu.public_shares(view)}
    assert set(found) == {"t", "i", "j"}  # crawled data is not a public dataset
    assert found["t"].percent == 100 and found["t"].large
    assert found["i"].percent == 1 and not found["i"].large


def test_the_summary_lists_large_public_datasets_by_name(rendered) -> None:
    summary = rendered(
        with_datasets(
            "{id: big, name: Big, category: public, modality: text, tokens: 970}",
            "{id: small, name: Small, category: public, modality: text, tokens: 30}",
        )
    )[SUMMARY]
    public = sections(part(summary, "M"))["#### 2.1 Publicly available datasets"]
    assert "- Have you used publicly available datasets to train the model? Yes\n" in public
    assert "    - **Big**: 97.0% of the publicly available text data\n" in public
    assert "- Other publicly available datasets, not listed above: **Small** (3.0%)" in public


# --- the crawled-domain rule (section 2.3) -----------------------------------------------------


@pytest.mark.parametrize(
    ("total", "sme", "required"),
    [
        (0, False, 0),
        (1, False, 1),
        (10, False, 1),
        (11, False, 2),  # 10% of 11 is 1.1: the top 10% takes 2
        (100, False, 10),
        (101, False, 11),
        (20_000, False, 2_000),
        (1, True, 1),
        (20, True, 1),
        (21, True, 2),
        (19_999, True, 1_000),
        (20_000, True, 1_000),  # 5% is 1,000
        (20_001, True, 1_000),  # 5% is 1,000.05: 1,000 is fewer
        (1_000_000, True, 1_000),
    ],
)
def test_domains_required(total: int, sme: bool, required: int) -> None:
    assert eu.domains_required(total, sme) == required


def test_too_few_domains_are_a_gap_and_said(write, rendered) -> None:
    data = complete()
    data["datasets"][0]["crawler"]["domains_total"] = 11
    data["datasets"][0]["crawler"]["domains"] = ["example.com"]
    outputs = rendered(dump(data))
    crawled = sections(part(outputs[SUMMARY], "Model M"))[
        "#### 2.3 Data crawled and scraped from online sources"
    ]
    assert (
        "    - Summary of the most relevant domain names crawled: example.com (the top 10% of "
        "domains by size of content: 2 of the 11 domains crawled; only 1 listed)\n"
    ) in crawled
    lines, _ = gap_lines(run("gaps", "project.yaml"))
    assert (
        "eu/training-content-summary: datasets[web].crawler.domains: "
        "2 most relevant domains, 1 listed (required)"
    ) in lines


def test_an_sme_lists_fewer_domains(rendered) -> None:
    data = complete()
    data["project"]["provider"]["sme"] = True
    data["datasets"][0]["crawler"]["domains_total"] = 40
    crawled = rendered(dump(data))[SUMMARY]
    assert (
        "(the top 5% of domains or 1,000, whichever is fewer (SME): 2 of the 40 domains crawled)"
    ) in crawled


def test_an_unknown_number_of_domains_is_said(rendered) -> None:
    data = complete()
    del data["datasets"][0]["crawler"]["domains_total"]
    summary = rendered(dump(data))[SUMMARY]
    assert (
        "example.com, example.net (the number of domains crawled is not reported, so the share "
        "of them this list covers is unknown)"
    ) in summary


# --- license category, software ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("license", "expected"),
    [
        (
            "bigcode-openrail-m",
            "open license with use restrictions (a Responsible AI License; the restrictions are "
            "in its Attachment A)",
        ),
        ("openrail", "a license of the OpenRAIL family, variant not named"),
        ("apache-2.0", "permissive license"),
        ("cc-by-nc-4.0", "non-commercial license"),
        ("llama3", "license with an acceptable use policy (Meta Llama 3 Acceptable Use Policy)"),
        ("gpl-3.0", None),
    ],
)
def test_license_category_from_the_catalog(views, license: str, expected: str | None) -> None:
    view = views(one_model(license=license))["m"]
    found = eu.license_category(view)
    assert found.value == expected
    if expected is not None:
        assert found.method == "as govcard's license catalog describes the license"


def test_a_stated_license_category_wins(views) -> None:
    view = views(one_model(license="apache-2.0", license_category="free and open-source"))["m"]
    assert eu.license_category(view) == eu.Figure("free and open-source")


def test_required_software_stated_or_from_the_library(views) -> None:
    stated = views(one_model(library_name="transformers", integration="{software: [vLLM 0.5]}"))
    assert eu.required_software(stated["m"]) == eu.Figure("vLLM 0.5")
    library = views(one_model(library_name="transformers"))["m"]
    assert eu.required_software(library) == eu.Figure(
        "transformers", "the library named in the model card's metadata"
    )
    assert eu.required_software(views(one_model())["m"]) == eu.Figure(None)


# --- who receives what -------------------------------------------------------------------------


def test_downstream_providers_get_neither_energy_nor_data_point_counts() -> None:
    for key in ("energy", "energy_method", "data_points_exact", "data_points_magnitude"):
        assert eu.DPS not in eu.FORM_FIELDS[key].recipients, key


def test_the_ai_office_and_national_authorities_get_different_precision() -> None:
    assert eu.FORM_FIELDS["training_time_days"].recipients == (eu.AIO,)
    assert eu.FORM_FIELDS["training_time_range"].recipients == (eu.NCAS,)
    assert eu.FORM_FIELDS["compute_exact"].recipients == (eu.AIO,)
    assert eu.FORM_FIELDS["compute_magnitude"].recipients == (eu.NCAS,)
    assert eu.FORM_FIELDS["data_points_exact"].recipients == (eu.AIO,)
    assert eu.FORM_FIELDS["data_points_magnitude"].recipients == (eu.NCAS,)


def test_running_the_model_is_for_downstream_providers_training_hardware_is_not() -> None:
    for key in ("required_hardware", "required_software", "technical_means", "ai_systems"):
        assert eu.FORM_FIELDS[key].recipients == eu.ALL, key
    assert eu.DPS not in eu.FORM_FIELDS["training_hardware"].recipients


def test_every_field_of_the_form_is_rendered_once_per_model_with_its_recipients(
    rendered,
) -> None:
    form = rendered(COMPLETE)[FORM]
    found = fields(part(form, "Model M"))
    expected = {f.label: ", ".join(f.recipients) for f in eu.FORM_FIELDS.values()}
    assert {label: recipients for label, (recipients, _) in found.items()} == expected
    assert len(found) == len(eu.FORM_FIELDS)


def test_what_downstream_providers_receive(rendered) -> None:
    form = part(rendered(COMPLETE)[FORM], "Model M")
    for_them = {
        label: value
        for label, (recipients, value) in fields(form).items()
        if eu.DPS in recipients.split(", ")
    }
    text = " ".join(for_them.values())
    assert "MWh" not in text and "FLOPs" not in text and "days" not in text
    assert for_them["Hardware needed to run the model"] == "One GPU with 24 GB of memory."
    assert for_them["Software needed to run the model"] == "PyTorch 2.3, transformers 4.44"


def test_run_and_training_hardware_are_in_their_sections(rendered) -> None:
    found = sections(part(rendered(COMPLETE)[FORM], "Model M"))
    assert "**Hardware needed to run the model** [AIO, NCAs, DPs]" in found["### 4. Use"]
    assert "**Software needed to run the model** [AIO, NCAs, DPs]" in found["### 4. Use"]
    training = found["### 5. Training process"]
    assert "- **Training hardware and software** [AIO, NCAs]: 256 x H100; PyTorch\n" in training
    assert "256 x H100" not in found["### 4. Use"]


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
        "eu/training-content-summary: project.provider.contact: "
        "provider contact details (required)",
        "eu/training-content-summary: project.provider.established_in_union: "
        "whether the provider is established in the Union (optional)",
        "eu/training-content-summary: project.provider.code_of_practice_signatory: "
        "whether the provider signed the Code of Practice (required)",
        "eu/model-documentation: project.provider.name: legal name of the provider (required)",
        "eu/training-content-summary: models[m].eu_documents.training_content_summary: "
        "version and date of the summary (required)",
        "eu/training-content-summary: models[m].eu_placement_date: "
        "date of placement on the Union market (required)",
        "eu/training-content-summary: models[m].continuous_training: "
        "whether the model is trained on data collected later (required)",
        "eu/model-documentation: models[m].eu_documents.model_documentation: "
        "version and date of the documentation (required)",
        "eu/model-documentation: models[m].authenticity: model authenticity (optional)",
        "eu/model-documentation: models[m].release_date: release date (required)",
        "eu/model-documentation: models[m].design_specification: design specification (required)",
        "eu/model-documentation: models[m].max_output_size: maximum output size (optional)",
        "eu/model-documentation: models[m].parameters: total number of parameters (required)",
        "eu/model-documentation: models[m].license_category: license category (required)",
        "eu/model-documentation: models[m].intended_use: intended uses (required)",
        "eu/model-documentation: models[m].integration.hardware: "
        "hardware needed to run the model (required)",
        "eu/model-documentation: models[m].integration.software: "
        "software needed to run the model (required)",
        "eu/model-documentation: models[m].decision_rationale: decision rationale (required)",
        "eu/model-documentation: models[m].datasets: training data (required)",
        "eu/model-documentation: models[m].training: training time (required)",
        "eu/model-documentation: models[m].training.flops: "
        "training compute (or parameters and training.tokens) (required)",
        "eu/model-documentation: models[m].training: "
        "training energy (carbon facts or reported energy) (required)",
        "eu/model-documentation: models[m].inference_compute: "
        "benchmarked inference computation (optional)",
    ]:
        assert expected in lines
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
    write(
        "project:\n  name: X\n  provider: {name: P, contact: p@example.org, "
        "established_in_union: true, code_of_practice_signatory: false}\n"
    )
    result = run("gaps", "project.yaml", "--for", "eu")
    assert result.exit_code == 0, result.output
    assert result.stdout == "project.yaml: 0 required and 0 optional facts missing for eu\n"


def drop(path: str):
    """A change to the complete project: remove the key at a dotted path."""

    def change(data: dict[str, Any]) -> None:
        *parents, key = path.split(".")
        node: Any = data
        for piece in parents:
            node = node[int(piece)] if piece.isdigit() else node[piece]
        del node[key]

    return change


def setting(path: str, value: Any):
    """A change to the complete project: set the key at a dotted path."""

    def change(data: dict[str, Any]) -> None:
        *parents, key = path.split(".")
        node: Any = data
        for piece in parents:
            node = node[int(piece)] if piece.isdigit() else node[piece]
        node[key] = value

    return change


# One fact removed from the complete project -> the gap line that says so.
MISSING = {
    "provider": (
        drop("project.provider"),
        "eu/model-documentation: project.provider.name: legal name of the provider (required)",
    ),
    "provider-contact": (
        drop("project.provider.contact"),
        "eu/training-content-summary: project.provider.contact: "
        "provider contact details (required)",
    ),
    "representative": (
        setting("project.provider.established_in_union", False),
        "eu/training-content-summary: project.provider.authorised_representative: "
        "authorised representative (required)",
    ),
    "signatory": (
        drop("project.provider.code_of_practice_signatory"),
        "eu/training-content-summary: project.provider.code_of_practice_signatory: "
        "whether the provider signed the Code of Practice (required)",
    ),
    "summary-version": (
        drop("models.0.eu_documents.training_content_summary"),
        "eu/training-content-summary: models[m].eu_documents.training_content_summary: "
        "version and date of the summary (required)",
    ),
    "form-version": (
        drop("models.0.eu_documents"),
        "eu/model-documentation: models[m].eu_documents.model_documentation: "
        "version and date of the documentation (required)",
    ),
    "placement": (
        drop("models.0.eu_placement_date"),
        "eu/model-documentation: models[m].eu_placement_date: Union market release date (required)",
    ),
    "continuous-training": (
        drop("models.0.continuous_training"),
        "eu/training-content-summary: models[m].continuous_training: "
        "whether the model is trained on data collected later (required)",
    ),
    "authenticity": (
        drop("models.0.authenticity"),
        "eu/model-documentation: models[m].authenticity: model authenticity (optional)",
    ),
    "design": (
        drop("models.0.design_specification"),
        "eu/model-documentation: models[m].design_specification: design specification (required)",
    ),
    "max-output": (
        drop("models.0.max_output_size"),
        "eu/model-documentation: models[m].max_output_size: maximum output size (optional)",
    ),
    "integration": (
        drop("models.0.integration.technical_means"),
        "eu/model-documentation: models[m].integration.technical_means: "
        "technical means for integration (required)",
    ),
    "rationale": (
        drop("models.0.decision_rationale"),
        "eu/model-documentation: models[m].decision_rationale: decision rationale (required)",
    ),
    "inference": (
        drop("models.0.inference_compute"),
        "eu/model-documentation: models[m].inference_compute: "
        "benchmarked inference computation (optional)",
    ),
    "hub-dataset": (
        setting("models.0.datasets", ["web", "org/other"]),
        "eu/training-content-summary: models[m].datasets: a description of org/other in datasets "
        "(required)",
    ),
    "crawler": (
        drop("datasets.0.crawler"),
        "eu/training-content-summary: datasets[web].crawler: crawler (required)",
    ),
    "crawler-name": (
        drop("datasets.0.crawler.name"),
        "eu/training-content-summary: datasets[web].crawler.name: crawler name (required)",
    ),
    "domains-total": (
        drop("datasets.0.crawler.domains_total"),
        "eu/training-content-summary: datasets[web].crawler.domains_total: "
        "number of domains crawled (optional)",
    ),
    "tdm": (
        drop("datasets.0.tdm_opt_out"),
        "eu/training-content-summary: datasets[web].tdm_opt_out: "
        "respect of text-and-data-mining reservations (required)",
    ),
    "illegal-content": (
        drop("datasets.0.illegal_content"),
        "eu/training-content-summary: datasets[web].illegal_content: "
        "removal of illegal content (required)",
    ),
    "collection-end": (
        setting("datasets.0.crawler.period_end", None),
        "eu/training-content-summary: datasets[web].collection_end: "
        "latest date of data collection (required)",
    ),
    "modality": (
        drop("datasets.0.modality"),
        "eu/training-content-summary: datasets[web].modality: modality (required)",
    ),
    "size": (
        drop("datasets.0.tokens"),
        "eu/training-content-summary: datasets[web].tokens: size in tokens (required)",
    ),
    "content-types": (
        drop("datasets.0.content_types"),
        "eu/training-content-summary: datasets[web].content_types: types of content (required)",
    ),
    "languages": (
        drop("datasets.0.languages"),
        "eu/training-content-summary: datasets[web].languages: languages (optional)",
    ),
    "category": (
        drop("datasets.0.category"),
        "eu/training-content-summary: datasets[web].category: kind of data source (required)",
    ),
    "curation": (
        drop("datasets.0.curation"),
        "eu/model-documentation: datasets[web].curation: data curation methodologies (required)",
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
    if case == "collection-end":
        del data["datasets"][0]["crawler"]["period_end"]
        del data["datasets"][0]["collection_end"]
    write(dump(data))
    result = run("gaps", "project.yaml", "--for", "eu")
    lines, (required, _) = gap_lines(result)
    assert expected in lines
    assert result.exit_code == (1 if required else 0)


def apache(data: dict[str, Any]) -> None:
    """No acceptable use policy, and a license without use restrictions."""
    del data["models"][0]["acceptable_use_policy"]
    data["models"][0]["license"] = "apache-2.0"


# Facts whose absence the documents mark "not reported".
SHOWN_AS_NOT_REPORTED = {
    "version": drop("models.0.eu_documents"),
    "design-of-training": drop("models.0.training_design"),
    "hardware": drop("models.0.integration.hardware"),
    "acceptable-use-policy": apache,
    "unsuitable-data": drop("datasets.0.unsuitable_data"),
    "biases": drop("datasets.0.biases"),
    "signatory": drop("project.provider.code_of_practice_signatory"),
}


@pytest.mark.parametrize("case", sorted(SHOWN_AS_NOT_REPORTED))
def test_what_the_documents_mark_not_reported_is_a_gap(write, case: str) -> None:
    data = complete()
    if case == "design-of-training":
        del data["models"][0]["description"]
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


def test_crawler_is_asked_only_of_crawled_data(write) -> None:
    data = complete()
    data["datasets"][0].update(category="public")
    del data["datasets"][0]["crawler"]
    data["datasets"][0]["collection_end"] = "2023-12-31"
    write(dump(data))
    result = run("gaps", "project.yaml")
    assert result.exit_code == 0, result.output


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


def test_user_data_needs_its_origin(write) -> None:
    data = complete()
    data["datasets"][0].update(category="user")
    del data["datasets"][0]["crawler"]
    write(dump(data))
    assert gap_lines(run("gaps", "project.yaml"))[0] == [
        "eu/training-content-summary: datasets[web].user_data_origin: "
        "origin of the user data (required)"
    ]


def test_gaps_of_the_bigcode_example() -> None:
    result = run("gaps", str(EXAMPLE), "--for", "eu")
    assert result.exit_code == 1, result.output
    lines, (required, _) = gap_lines(result)
    assert result.stdout.splitlines()[-1].startswith(f"{EXAMPLE}: {required} required")
    # What the published sources do not give: the provider, the EU placement dates, how
    # text-and-data-mining reservations were respected, the crawler's name and behaviour.
    for expected in [
        "eu/training-content-summary: project.provider.name: provider identification (required)",
        "eu/model-documentation: project.provider.name: legal name of the provider (required)",
        "eu/training-content-summary: datasets[the-stack].tdm_opt_out: "
        "respect of text-and-data-mining reservations (required)",
        "eu/training-content-summary: datasets[the-stack].crawler.name: crawler name (required)",
        "eu/model-documentation: models[santacoder].release_date: release date (required)",
    ]:
        assert expected in lines
    for model in EXAMPLE_MODELS:
        assert (
            f"eu/training-content-summary: models[{model}].eu_placement_date: "
            "date of placement on the Union market (required)"
        ) in lines
    # What the example does give is no gap: the contact (the project's e-mail), the crawl's
    # domains, the models' parameters, architecture, license and its category.
    assert not any("project.provider.contact" in line for line in lines)
    assert not any("crawler.domains" in line for line in lines)
    for model in EXAMPLE_MODELS:
        for fact in ("parameters", "architecture", "license", "license_category", "datasets"):
            assert not any(f"models[{model}].{fact}:" in line for line in lines), fact
    assert not any("models[starcoderbase].release_date" in line for line in lines)
    assert not any("models[starcoderbase].training.flops" in line for line in lines)
    assert not any("models[starcoderbase].training: training energy" in line for line in lines)
    assert not any("models[santacoder].training: training energy" in line for line in lines)
    assert not any("datasets[the-stack].illegal_content" in line for line in lines)


# --- the rendered documents --------------------------------------------------------------------


def test_render_writes_the_eu_documents_and_dataset_cards(rendered) -> None:
    outputs = rendered(COMPLETE)
    assert sorted(outputs) == sorted(
        [
            "GOVERNANCE.md",
            "governance.json",
            "models/m/README.md",
            "datasets/web/README.md",
            SUMMARY,
            FORM,
            # The exports (test_render.py and test_exports.py test them).
            *(f"exports/{name}/.govcard.json" for name in ("croissant", "cyclonedx", "fmti")),
            "exports/croissant/web.json",
            "exports/cyclonedx/cyclonedx.json",
            "exports/fmti/fmti-report.csv",
        ]
    )


def test_documents_name_the_template_versions(rendered) -> None:
    outputs = rendered(MINIMAL)
    summary = " ".join(outputs[SUMMARY].split())
    form = " ".join(outputs[FORM].split())
    assert eu.SUMMARY_TEMPLATE_VERSION in summary
    assert "Template for the Public Summary of Training Content" in summary
    assert "24 July 2025" in summary
    assert eu.FORM_VERSION in form
    assert "Model Documentation Form" in form and "10 July 2025" in form


def test_one_summary_per_model_in_the_templates_numbering(example: dict[str, str]) -> None:
    summary = example[SUMMARY]
    models = [line[3:] for line in summary.splitlines() if line.startswith("## ")]
    assert models == EXAMPLE_NAMES
    for name in EXAMPLE_NAMES:
        headings = [line for line in part(summary, name).splitlines() if line.startswith("###")]
        assert [h for h in headings if h != "#### 3.3 Other information"] == SUMMARY_HEADINGS
        assert f"- Versioned model name(s): {name} (" in part(summary, name)


def test_one_form_per_model_in_the_forms_sections(example: dict[str, str]) -> None:
    form = example[FORM]
    for name in EXAMPLE_NAMES:
        headings = [line for line in part(form, name).splitlines() if line.startswith("###")]
        assert headings == FORM_SECTIONS, name


def test_complete_project_leaves_nothing_not_reported(rendered) -> None:
    outputs = rendered(COMPLETE)
    form = after_intro(outputs[FORM])
    assert "not reported" not in form.lower()
    assert "not reported" not in after_intro(outputs[SUMMARY]).lower()
    found = {label: value for label, (_, value) in fields(form).items()}
    assert found == {
        "Date the document was last updated": "2024-04-02",
        "Document version number": "1.1",
        "Legal name for the model provider": "Example AI SAS",
        "Model name": "Model M, version 1.0 ([example/m](https://huggingface.co/example/m))",
        "Model authenticity": "SHA-256 of model.safetensors: 3f5a9c",
        "Release date": "2024-03-01",
        "Union market release date": "2024-04-01",
        "Model dependencies": "none (the facts name no base model)",
        "Model architecture": "decoder-only transformer",
        "Design specification of the model": (
            "A dense decoder with rotary positions, sized for one GPU."
        ),
        "Input modalities (maximum input size)": "text (maximum input size: 4096 tokens)",
        "Output modalities (maximum output size)": (
            "text (maximum output size: 4096 tokens, shared with the input)"
        ),
        "Total number of parameters": "7.0 × 10^9 (7,000,000,000)",
        "Parameter range": "5 to 15 billion",
        "Distribution channels": "Hugging Face Hub (weights)",
        "License": (
            "[BigScience OpenRAIL-M](https://www.licenses.ai/blog/2022/8/26/"
            "bigscience-open-rail-m-license)"
        ),
        "License category": (
            "open license with use restrictions (a Responsible AI License; the restrictions are "
            "in its Attachment A) (as govcard's license catalog describes the license)"
        ),
        "Acceptable use policy": "[https://example.org/aup](https://example.org/aup)",
        "Intended uses": "Text generation research.",
        "Type and nature of AI systems it can be integrated into": (
            "Chat assistants and writing tools."
        ),
        "Technical means for integration": (
            "The transformers library and the chat template in the repository."
        ),
        "Hardware needed to run the model": "One GPU with 24 GB of memory.",
        "Software needed to run the model": "PyTorch 2.3, transformers 4.44",
        "Design specification of the training process": (
            "Pre-training. Next-token prediction on the web crawl, one epoch."
        ),
        "Decision rationale": (
            "The size fits one GPU at inference; the data mix was chosen on ablations."
        ),
        "Training hardware and software": "256 x H100; PyTorch",
        "Data type (modalities)": "text",
        "Provenance of the data": "",
        "How the data was obtained and selected": "",
        # 9e11 tokens: two significant figures for the AI Office, the power of ten for NCAs.
        "Number of data points": "9.0 × 10^11 tokens (text)",
        "Number of data points (order of magnitude)": (
            "10^11 tokens (at least 10^11, less than 10^12) (text)"
        ),
        "Scope and main characteristics": "",
        "Data curation methodologies": "",
        "Measures to detect unsuitable data sources": "",
        "Methods to detect identifiable biases": "",
        "Training time": "45 days",
        "Training time (range)": "1 to 3 months",
        "Amount of computation used for training": "8.4 × 10^22 FLOPs",
        "Amount of computation used for training (order of magnitude)": (
            "10^22 FLOPs (at least 10^22, less than 10^23)"
        ),
        "Measurement methodology": (
            "estimated as 6 × parameters × training tokens = 6 × 7.00 × 10^9 × 2.00 × 10^12 "
            + KAPLAN
        ),
        # 100,000 GPU-h × 500 W × 1.1 = 55,000 kWh.
        "Amount of energy used for training": "55.00 MWh",
        "Energy measurement methodology": (
            "GPU-hours × average power per GPU × PUE 1.1, computed by govcard"
        ),
        "Benchmarked amount of computation used for inference": (
            "1.4 × 10^13 FLOPs for generating 1,000 tokens after a 1,000-token prompt"
        ),
        "Inference computation methodology": "counted with fvcore",
    }
    data = sections(form)[
        "### 6. Information on the data used for training, testing and validation"
    ]
    for line in [
        "    - **Web Crawl**: crawled by the provider (summary section 2.3)",
        "    - **Web Crawl**: respects robots.txt; no paywalls or login walls",
        "    - **Web Crawl**: Pages crawled from the public web. Languages: en, fr. Content: news "
        "articles, forum posts. Collected 01/2023 to 12/2023.",
        "    - **Web Crawl**: Exact and near deduplication, then a quality classifier.",
        "    - **Web Crawl**: Domain blocklists and a spam classifier.",
        "    - **Web Crawl**: Language and topic distributions compared with a reference corpus.",
    ]:
        assert line in data.splitlines()


def test_complete_summary_has_every_fact(rendered) -> None:
    summary = part(rendered(COMPLETE)[SUMMARY], "Model M")
    lines = summary.splitlines()
    for expected in [
        "- Version of the Summary: 1.0",
        "- Last update: 2024-04-01",
        "- Provider name and contact details: Example AI SAS, 1 rue de la Paix, 75002 Paris; "
        "contact: [ai-act@example.org](mailto:ai-act@example.org)",
        "- Authorised representative name and contact details: not applicable: the provider is "
        "established in the Union",
        "- Versioned model name(s): Model M, version 1.0 ([example/m](https://huggingface.co/example/m))",
        "- Date of placement of the model on the Union market: 2024-04-01",
        "| Text | 1 billion to 10 trillion tokens | news articles, forum posts |",
        "- Latest date of data acquisition/collection for model training: 12/2023",
        "- Is the model continuously trained on new data after this date? No",
        "- Linguistic characteristics of the overall training data: en, fr",
        "- Were crawlers used by the provider or on its behalf? Yes",
        "    - Crawler name(s)/identifier(s): ExampleBot",
        "    - Purposes of the crawler(s): training data for Example models",
        "    - General description of crawler behaviour: respects robots.txt; no paywalls or "
        "login walls",
        "    - Period of data collection: 01/2023 to 12/2023",
        "    - Comprehensive description of the type of content and online sources crawled: "
        "Public web pages in English and French.",
        "    - Type of modality covered: Text",
        "    - Summary of the most relevant domain names crawled: example.com, example.net (the "
        "top 10% of domains by size of content: 2 of the 20 domains crawled)",
        "- Are you a Signatory to the Code of Practice for general-purpose AI models that "
        "includes commitments to respect reservations of rights from the TDM exception or "
        "limitation? Yes",
        "    - **Web Crawl**: robots.txt and ai.txt reservations are honoured at crawl time.",
        "    - **Web Crawl**: Hash matching against known illegal material and URL blocklists.",
    ]:
        assert expected in lines, expected
    for key in ("public", "licensed", "private", "user-model", "synthetic", "other"):
        assert f"- {eu.QUESTIONS[key]} No" in lines, key


def test_the_authorised_representative(rendered) -> None:
    data = complete()
    data["project"]["provider"].update(
        established_in_union=False,
        authorised_representative="Example EU Representative",
        authorised_representative_contact="rep@example.eu",
    )
    summary = rendered(dump(data))[SUMMARY]
    assert (
        "- Authorised representative name and contact details: Example EU Representative, "
        "rep@example.eu"
    ) in summary.splitlines()


def test_minimal_project_says_not_reported_and_never_none(rendered) -> None:
    outputs = rendered(MINIMAL)
    for name in (SUMMARY, FORM):
        assert not re.search(r"\bNone\b", outputs[name]), name
    found = fields(outputs[FORM])
    assert {label for label, (_, value) in found.items() if value != "not reported"} == {
        "Model name",
        "Model dependencies",
        "Input modalities (maximum input size)",
        "Output modalities (maximum output size)",
        "Provenance of the data",
        "How the data was obtained and selected",
        "Scope and main characteristics",
        "Data curation methodologies",
        "Measures to detect unsuitable data sources",
        "Methods to detect identifiable biases",
    }
    summary = outputs[SUMMARY].splitlines()
    for expected in [
        "- Provider name and contact details: not reported; contact: not reported",
        "- Authorised representative name and contact details: not reported",
        "- Date of placement of the model on the Union market: not reported",
        "| not reported | not reported | not reported |",
        "- Latest date of data acquisition/collection for model training: not reported",
        f"- {eu.QUESTIONS['crawled']} not reported",
    ]:
        assert expected in summary, expected


def test_partial_facts_never_print_none(rendered) -> None:
    outputs = rendered(
        """\
        project:
          name: Partial
          provider: {name: P}
        datasets:
          - {id: a, name: A}
          - {id: b, name: B, category: crawled, crawler: {name: Bot}, collection_start: 2020-01-01}
          - {id: c, name: C, category: synthetic, modality: image, items: 10}
          - {id: u, name: U, category: user}
        models:
          - id: m
            name: M
            base_model: org/base
            datasets: [a, b, c, u, org/hub-data]
            license: apache-2.0
            training: {hardware: 8 x A100}
        """
    )
    for name in (SUMMARY, FORM, "datasets/a/README.md", "datasets/c/README.md"):
        assert not re.search(r"\bNone\b", outputs[name]), name
    summary, form = outputs[SUMMARY], outputs[FORM]
    assert "    - Period of data collection: 01/2020 to …" in summary
    assert "Training data whose modality is not reported: A, B, U." in summary
    assert (
        "Training data the facts do not classify: A (kind of source not reported), "
        "[org/hub-data](https://huggingface.co/datasets/org/hub-data) (a Hub dataset the facts "
        "do not describe)."
    ) in summary
    assert "- **C** (Image), generated by: not reported" in summary
    assert "- **U**, origin not reported" in summary
    assert "    - **A**: kind of source not reported" in form
    assert "    - **C**: synthetic data (summary section 2.5)" in form
    assert (
        "    - [org/hub-data](https://huggingface.co/datasets/org/hub-data): a Hub dataset the "
        "facts do not describe"
    ) in form
    assert (
        "- **Model dependencies** [AIO, NCAs, DPs]: [org/base](https://huggingface.co/org/base)"
    ) in form
    assert "- Model dependencies: [org/base](https://huggingface.co/org/base)" in summary
    assert "- **Training hardware and software** [AIO, NCAs]: 8 x A100; software not reported" in (
        form.splitlines()
    )


def test_a_fine_tune_links_its_base_models_summary(example: dict[str, str]) -> None:
    summary = part(example[SUMMARY], "StarCoder")
    assert (
        "- Model dependencies: StarCoderBase; its summary: [StarCoderBase](#starcoderbase)"
    ) in summary.splitlines()


def test_the_example_shows_what_the_sites_show(example: dict[str, str]) -> None:
    summary, form = example[SUMMARY], example[FORM]
    for name in EXAMPLE_NAMES:
        # The contact e-mail of the project's site and cards.
        assert (
            "- Provider name and contact details: not reported; contact: "
            "[contact@bigcode-project.org](mailto:contact@bigcode-project.org) "
            "(the project's contact for general enquiries)"
        ) in part(summary, name).splitlines()
    # The Stack's published size, when its size in tokens is not given (SantaCoder's data;
    # StarCoderBase and StarCoder were trained on StarCoderData, whose tokens are given).
    assert "size as published: The Stack: 6.4 TB for version 1.2" in part(summary, "SantaCoder")
    assert "Size: 6.4 TB for version 1.2." in part(form, "SantaCoder")
    for name in ("StarCoderBase", "StarCoder"):
        assert "| Text (code) | 1 billion to 10 trillion tokens |" in part(summary, name)


def test_the_stack_is_data_bigcode_crawled(example: dict[str, str]) -> None:
    summary = part(example[SUMMARY], "SantaCoder")
    found = sections(summary)
    crawled = found["#### 2.3 Data crawled and scraped from online sources"]
    assert f"- {eu.QUESTIONS['crawled']} Yes\n" in crawled
    assert "    - Period of data collection: 01/2015 to 03/2022\n" in crawled
    assert "    - Type of modality covered: Text (code)\n" in crawled
    assert (
        "    - Summary of the most relevant domain names crawled: github.com (the top 10% of "
        "domains by size of content: 1 of the 1 domain crawled)\n"
    ) in crawled
    assert f"- {eu.QUESTIONS['public']} No\n" in found["#### 2.1 Publicly available datasets"]
    assert "- Latest date of data acquisition/collection for model training: 03/2022" in summary


def test_a_voluntary_opt_out_is_not_presented_as_respecting_tdm_reservations(
    example: dict[str, str],
) -> None:
    section = sections(part(example[SUMMARY], "StarCoder"))[
        "#### 3.1 Respect of reservation of rights from text and data mining exception or "
        "limitation"
    ]
    measures, offered = section.split("- Opt-out offered by the project itself", 1)
    # The facts do not say how reservations under Art. 4(3) were respected: not reported.
    assert "    - **StarCoderData**: not reported\n" in measures
    assert "Am I in The Stack" not in measures and "opt-out-v2" not in measures
    # BigCode's own opt-out is there, marked voluntary and not a reservation of rights.
    assert offered.startswith(
        ", voluntary (the facts do not present it as a way to express reservations of rights "
        "under Article 4(3)):\n"
    )
    assert "bigcode-project/opt-out-v2" in offered


def test_stated_tdm_measures_are_shown_as_such(rendered) -> None:
    data = complete()
    data["datasets"][0]["opt_out"] = {"process": "Write to us to be removed."}
    section = sections(part(rendered(dump(data))[SUMMARY], "Model M"))[
        "#### 3.1 Respect of reservation of rights from text and data mining exception or "
        "limitation"
    ]
    measures, offered = section.split("- Opt-out offered by the project itself", 1)
    assert "robots.txt and ai.txt reservations are honoured" in measures
    assert "Write to us" in offered and "Write to us" not in measures


def test_restrictions_are_listed_once_and_linked_from_each_model(example: dict[str, str]) -> None:
    rail = licenses.rail("bigcode-openrail-m")
    assert rail is not None
    form = example[FORM]
    for r in rail.restrictions:
        line = f"- ({r.id}) {markdown.escape(r.title)}: {markdown.escape(r.summary)}"
        assert form.count(line + "\n") == 1, r.id
    heading = f"Use restrictions of the {rail.name}"
    assert form.count(f"\n## {heading}\n") == 1
    link = f"[{heading}](#{eu.anchor(heading)})"
    for name in EXAMPLE_NAMES:
        use = sections(part(form, name))["### 4. Use"]
        assert link in use, name
        assert "(a) " not in use


def test_the_anchor_is_the_one_mkdocs_gives_the_heading() -> None:
    import markdown as python_markdown

    for heading in [
        "Use restrictions of the BigCode Open RAIL-M v1",
        "Use restrictions of the BigScience OpenRAIL-M",
        "StarCoderBase",
        "Model M",
    ]:
        html = python_markdown.markdown(f"## {heading}", extensions=["toc"])
        assert f'id="{eu.anchor(heading)}"' in html, html


def test_no_restricted_uses_without_a_rail_license(rendered) -> None:
    data = complete()
    data["models"][0]["license"] = "apache-2.0"
    form = rendered(dump(data))[FORM]
    assert "Use restrictions of" not in form


def test_script_in_a_dataset_name_is_escaped(rendered) -> None:
    data = complete()
    data["datasets"][0]["name"] = SCRIPT
    outputs = rendered(dump(data))
    for name in (SUMMARY, FORM, "datasets/web/README.md"):
        assert "<script>" not in outputs[name].split("\n---\n", 1)[-1], name
    assert f"- Crawled for **{ESCAPED_SCRIPT}** (" in outputs[SUMMARY]
    assert f"    - **{ESCAPED_SCRIPT}**: robots.txt" in outputs[SUMMARY]
    assert (
        f"    - **{ESCAPED_SCRIPT}**: crawled by the provider (summary section 2.3)"
        in outputs[FORM]
    )
    from huggingface_hub import DatasetCard

    card = DatasetCard(outputs["datasets/web/README.md"])
    assert card.data.pretty_name == SCRIPT  # the metadata keeps the name as it is
    assert f"# {ESCAPED_SCRIPT}" in card.text


def test_a_pipe_in_a_content_type_stays_in_its_cell(rendered) -> None:
    data = complete()
    data["datasets"][0]["content_types"] = ["a | b"]
    summary = rendered(dump(data))[SUMMARY]
    assert "| Text | 1 billion to 10 trillion tokens | a \\| b |" in summary


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


def test_check_reports_the_summary_after_a_crawler_fact_changes(write) -> None:
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
    assert "| StarCoderBase |" not in summary  # no table of models: one summary per model
    assert (
        form.count("- **Legal name for the model provider** [AIO, NCAs, DPs]: not reported\n") == 3
    )
    assert form.count("- **Union market release date** [AIO, NCAs, DPs]: not reported\n") == 3
    assert "- **Amount of energy used for training** [AIO, NCAs]: 107.61 MWh\n" in form
    assert "- **Parameter range** [AIO, NCAs, DPs]: 15 to 50 billion\n" in form
    assert "- **Parameter range** [AIO, NCAs, DPs]: 500 million to 5 billion\n" in form
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
    page = Path("site/eu/model-documentation.html").read_text(encoding="utf-8")
    assert "Example AI SAS" in page
    assert "55.00 MWh" in page
    # The restrictions' anchor exists on the page the models link it from.
    heading = "Use restrictions of the BigScience OpenRAIL-M"
    assert f'id="{eu.anchor(heading)}"' in page
    summary = Path("site/eu/training-content-summary.html").read_text(encoding="utf-8")
    assert "ExampleBot" in summary


def test_loader_rejects_an_unknown_eu_fact(errors) -> None:
    (problem,) = errors("project: {name: X}\nmodels:\n  - {id: m, name: M, eu_date: 2024-01-01}\n")
    assert "eu_date" in problem


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("project: {name: X}\nmodels:\n  - {id: m, name: M, parameters: -1}\n", "parameters"),
        (
            "project: {name: X}\ndatasets:\n  - {id: d, name: D, hours: -1}\n",
            "datasets[0].hours",
        ),
        (
            "project: {name: X}\ndatasets:\n  - {id: d, name: D, user_data_origin: prompts}\n",
            "datasets[0].user_data_origin",
        ),
        (
            "project: {name: X}\nmodels:\n  - {id: m, name: M, eu_documents: "
            "{model_documentation: {version: '1'}}}\n",
            "models[0].eu_documents.model_documentation.date",
        ),
    ],
)
def test_gaps_reports_an_invalid_file(write, text: str, where: str) -> None:
    write(text)
    result = run("gaps", "project.yaml")
    assert result.exit_code == 2
    assert where in result.stderr
    assert re.search(r"project\.yaml:\d+:\d+: ", result.stderr), result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(GovcardError):
        loader.load("project.yaml")


def test_crawler_period_defaults_to_the_datasets_collection_period() -> None:
    crawled = dataset(
        collection_start=dt.date(2015, 1, 1),
        collection_end=dt.date(2022, 3, 31),
        crawler=Crawler.model_construct(period_end=None, period_start=None, domains=[]),
    )
    assert eu.collection_period(crawled) == "01/2015 to 03/2022"
    assert eu.collection_period(dataset()) is None
