"""`govcard render`: golden cards, Hub metadata, section rules, escaping, templates, safe writes.

Most tests write a small project.yaml into the test's own directory (see `workdir`) and run the
command as a user would, so errors read exactly as printed: `t/model_card.md.j2:3:1: ...`.
"""

from __future__ import annotations

import difflib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from support import run, snapshot

from govcard import derive, licenses, loader, markdown, render
from govcard.schema import ProjectFile

ROOT = Path(__file__).resolve().parents[1]
# The EU AI Act documents every render writes.
EU = ["eu/model-documentation.md", "eu/training-content-summary.md"]
# The exports every render writes (the test extra installs every format's libraries), each
# format's folder marked; Croissant adds a file per dataset (`croissant_of`).
EXPORTS = [
    "exports/cyclonedx/.govcard.json",
    "exports/cyclonedx/cyclonedx.json",
    "exports/fmti/.govcard.json",
    "exports/fmti/fmti-report.csv",
]


def croissant_of(*datasets: str) -> list[str]:
    """The Croissant export's files for these dataset ids."""
    return ["exports/croissant/.govcard.json", *(f"exports/croissant/{d}.json" for d in datasets)]


EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "bigcode"
UPDATE_HINT = (
    "the rendered BigCode example differs from tests/golden/bigcode/; if the change is intended, "
    "run `pytest tests/test_render.py --update-golden` and review `git diff tests/golden`"
)
EXAMPLE_MODELS = ["santacoder", "starcoderbase", "starcoder"]
GOVCARD = [sys.executable, "-m", "govcard"]


# --- helpers -----------------------------------------------------------------------------------


def texts(folder: Path) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in snapshot(folder).items()}


def markdown_files(outputs: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in outputs.items() if name.endswith(".md")}


def split_card(text: str) -> tuple[str, str]:
    """A model card's YAML front matter (without the --- lines) and its Markdown body."""
    assert text.startswith("---\n"), text[:80]
    end = text.index("\n---\n", 3)
    return text[4 : end + 1], text[end + 5 :]


def body(name: str, text: str) -> str:
    """The Markdown of an output, without a model card's front matter."""
    return split_card(text)[1] if name.startswith("models/") else text


def card_data(text: str) -> Any:
    from huggingface_hub import ModelCard

    return ModelCard(text).data


def section(text: str, heading: str) -> str:
    """The lines under `heading` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = lines.index(heading)
    rest = []
    for line in lines[start + 1 :]:
        match = re.match(r"(#{1,6}) ", line)
        if match and len(match[1]) <= level:
            break
        rest.append(line)
    return "\n".join(rest)


def headings(text: str) -> list[str]:
    """Lines that are ATX headings, outside fenced code."""
    found, fence = [], None
    for line in text.splitlines():
        if fence is None and line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and re.match(r" {0,3}#{1,6}(\s|$)", line):
            found.append(line)
    return found


def empty_sections(text: str) -> list[str]:
    """Headings followed directly by a heading of the same or a higher level, or by nothing."""
    lines = [line for line in text.splitlines() if line.strip()]
    empty = []
    for i, line in enumerate(lines):
        match = re.match(r"(#{1,6}) ", line)
        if not match:
            continue
        following = lines[i + 1] if i + 1 < len(lines) else None
        nxt = re.match(r"(#{1,6}) ", following) if following is not None else None
        if following is None or (nxt and len(nxt[1]) <= len(match[1])):
            empty.append(line)
    return empty


def table_rows(text: str) -> list[list[list[str]]]:
    """Each table as rows of cells; a `|` after an odd number of backslashes is text."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells, cell, backslashes = [], "", 0
            for char in line.strip()[1:]:
                if char == "|" and backslashes % 2 == 0:
                    cells.append(cell.strip())
                    cell = ""
                else:
                    cell += char
                backslashes = backslashes + 1 if char == "\\" else 0
            current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def to_html(text: str) -> str:
    """The Markdown as CommonMark with GitHub tables renders it."""
    markdown_it = pytest.importorskip("markdown_it")
    return str(markdown_it.MarkdownIt("commonmark").enable("table").render(text))


def plain(fragment: str) -> str:
    """The text of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@cache
def example_facts() -> ProjectFile:
    return loader.load(EXAMPLE).facts


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The BigCode example rendered by the command into a fresh directory."""
    out = tmp_path_factory.mktemp("example") / "out"
    result = run("render", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    return texts(out)


@pytest.fixture
def rendered(write):
    """rendered(project_yaml, *options) -> every output file of `render -o out`, by path.

    No output ever holds the Hub template's placeholder for a missing fact.
    """

    def _rendered(text: str, *options: str) -> dict[str, str]:
        write(text)
        result = run("render", "project.yaml", "-o", "out", *options)
        assert result.exit_code == 0, result.output
        outputs = texts(Path("out"))
        for name, output in outputs.items():
            assert "More Information Needed" not in output, name
        return outputs

    return _rendered


ONE_MODEL = """\
project: {name: Demo}
models:
  - id: m
    name: M
    license: %s
    limitations: Can be wrong.
"""

MINIMAL = """\
project: {name: Bare}
models:
  - {id: m, name: M}
"""


# --- golden files ------------------------------------------------------------------------------


def test_example_matches_the_golden_files(example: dict[str, str], update_golden: bool) -> None:
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in example.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        return
    expected = {
        "GOVERNANCE.md",
        "governance.json",
        *(f"models/{model}/README.md" for model in EXAMPLE_MODELS),
        # SantaCoder's results are the example's only ones on a Hub dataset (nuprl/MultiPL-E).
        "models/santacoder/.eval_results/govcard.yaml",
        "datasets/the-stack/README.md",
        "datasets/starcoderdata/README.md",
        *EU,
        *EXPORTS,
        *croissant_of("the-stack", "starcoderdata"),
    }
    assert set(example) == expected
    golden = snapshot(GOLDEN) if GOLDEN.is_dir() else {}
    assert sorted(golden) == sorted(example), UPDATE_HINT
    problems = []
    for name, text in sorted(example.items()):
        if text.encode("utf-8") != golden[name]:
            diff = difflib.unified_diff(
                golden[name].decode("utf-8").splitlines(),
                text.splitlines(),
                f"golden/{name}",
                f"rendered/{name}",
                lineterm="",
                n=1,
            )
            problems.append("\n".join(list(diff)[:40]))
    assert not problems, UPDATE_HINT + "\n\n" + "\n\n".join(problems)


def test_rendering_in_memory_gives_what_the_command_writes(example: dict[str, str]) -> None:
    outputs = render.render(derive.derive(loader.load(EXAMPLE)))
    assert outputs == example


# --- Hub metadata ------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", EXAMPLE_MODELS)
def test_model_card_metadata_is_the_facts(example: dict[str, str], model_id: str) -> None:
    facts = example_facts()
    model = next(m for m in facts.models if m.id == model_id)
    data = card_data(example[f"models/{model_id}/README.md"])
    assert data.license == model.license == "bigcode-openrail-m"
    base_hub_id = {"starcoder": "bigcode/starcoderbase"}.get(model_id)
    assert data.base_model == base_hub_id
    trained_on = "bigcode/the-stack" if model_id == "santacoder" else "bigcode/starcoderdata"
    assert data.datasets == [trained_on]
    assert data.metrics == model.metrics == ["code_eval"]
    assert data.pipeline_tag == model.pipeline_tag == "text-generation"
    assert data.library_name == model.library_name == "transformers"
    assert data.tags == model.tags == ["code"]
    assert model.training is not None
    if model_id == "starcoder":
        # No compute facts and nothing reported: no figure to put in the metadata.
        assert "co2_eq_emissions" not in data.to_dict()
    else:
        # The figure the project published, in grams, with its source.
        training = model.training
        assert training.reported is not None
        reported = training.reported.co2eq_quantity()
        assert reported is not None
        co2 = data.co2_eq_emissions
        assert co2["emissions"] == round(reported.value * 1000)
        assert isinstance(co2["emissions"], int)
        assert co2["source"] == f"reported: {reported.text} ({training.reported.source})"
        assert co2["training_type"] == training.training_type == "pre-training"
        assert co2["hardware_used"] == training.hardware


@pytest.mark.parametrize("model_id", EXAMPLE_MODELS)
def test_model_card_eval_results_are_the_facts(example: dict[str, str], model_id: str) -> None:
    model = next(m for m in example_facts().models if m.id == model_id)
    data = card_data(example[f"models/{model_id}/README.md"])
    assert [
        (r.task_type, r.dataset_name, r.dataset_type, r.metric_type, r.metric_value, r.source_url)
        for r in data.eval_results
    ] == [(e.task, e.dataset, e.dataset_id, e.metric, e.value, e.source) for e in model.evaluation]
    assert data.model_name == model.name


def test_the_published_figure_stays_the_publishers(example: dict[str, str]) -> None:
    # The Hub's co2_eq_emissions is what BigCode published (16.68 t), with its source; govcard's
    # recomputation (16.67 t) and its verdict are in the card's body, beside the reported figure.
    card = example["models/starcoderbase/README.md"]
    co2 = card_data(card).co2_eq_emissions
    assert co2["emissions"] == 16_680_000
    assert co2["source"] == "reported: 16.68 t (https://arxiv.org/abs/2305.06161)"
    impact = section(card, "### Environmental impact")
    assert "| Emissions | **16.67 t CO2eq** |" in impact
    assert (
        "| Emissions as reported | 16.68 t CO2eq ([source](https://arxiv.org/abs/2305.06161)) |"
        in impact
    )
    assert "Consistency with the reported figures: **consistent**" in impact
    santacoder = card_data(example["models/santacoder/README.md"]).co2_eq_emissions
    assert santacoder["emissions"] == 124_000  # reported, though govcard computes 149.1 kg


def test_without_a_reported_figure_the_computed_one_goes_into_the_metadata(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training: {gpu_hours: 320256, gpu_power_w: 280, pue: 1.2,
                       carbon_intensity_kg_per_kwh: 0.15495}
        """
    )
    co2 = card_data(outputs["models/m/README.md"]).co2_eq_emissions
    assert co2["emissions"] == 16_673_552  # 320,256 GPU-h x 280 W x PUE 1.2 x 0.15495 kg/kWh
    assert co2["source"] == (
        "computed by govcard from training facts; intensity: explicit value stated in the "
        "project's facts"
    )


def test_a_tiny_run_is_not_zero_grams_in_the_metadata(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training: {gpu_hours: 0.01, gpu_power_w: 10, carbon_intensity_kg_per_kwh: 0.0039}
        """
    )
    card = outputs["models/m/README.md"]
    assert card_data(card).co2_eq_emissions["emissions"] == 0.00039  # 0.1 Wh x 3.9 g/kWh
    impact = section(card, "### Environmental impact")
    assert "| IT energy | 0.1 Wh |" in impact
    assert "| Emissions | **0.00039 g CO2eq** |" in impact


def test_every_example_card_links_the_governance_card(example: dict[str, str]) -> None:
    for model_id in EXAMPLE_MODELS:
        text = example[f"models/{model_id}/README.md"]
        assert "[Governance Card](../../GOVERNANCE.md)" in text
        governance = example["GOVERNANCE.md"]
        assert f"[models/{model_id}/README.md](models/{model_id}/README.md)" in governance


@pytest.mark.parametrize(
    "name",
    ["StarCoder", "Modèle d'été", "名前モデル", "StarCoder 🚀"],
    ids=["ascii", "latin", "cjk", "emoji"],
)
def test_metadata_yaml_is_what_huggingface_hub_writes(rendered, name: str) -> None:
    # huggingface_hub's CardData.to_yaml() dumps with PyYAML's pure-Python SafeDumper; govcard uses
    # libyaml when it is there and must write the same text, or the cards depend on the machine.
    import yaml

    outputs = rendered(
        f"""\
        project: {{name: X}}
        models:
          - id: m
            name: "{name}"
            license: mit
            tags: [code]
            evaluation: [{{task: text-generation, dataset: "{name} bench", metric: acc, value: 1}}]
        """
    )
    front, _ = split_card(outputs["models/m/README.md"])
    pure = yaml.dump(
        yaml.safe_load(front), Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False
    )
    assert front == pure
    assert card_data(outputs["models/m/README.md"]).model_name == name


# --- dataset cards -----------------------------------------------------------------------------

DATASETS = """\
project: {name: Demo}
datasets:
  - id: raw
    name: Raw crawl
    hub_id: demo/raw
    license: {id: other, name: raw-terms, link: https://example.org/terms}
  - id: clean
    name: Clean
    hub_id: demo/clean
    license: cc-by-4.0
    modality: code
    languages: [en, fr, Python, English]
    items: 1200
    tokens: 1
    task_categories: [text-generation]
    sources:
      - {name: Raw crawl, dataset: raw}
      - {name: Wikipedia, dataset: wikimedia/wikipedia}
      - {name: Raw crawl again, dataset: raw}
    licensing: {policy: Permissive licenses only., source: https://example.org/licensing}
    versions:
      - {version: "1", size: 1 GB, source: https://example.org/v1}
      - {version: "2", changes: Deduplicated.}
    pii:
      annotation: {workers: 1, countries: 1}
  - id: local
    name: Local
    sources: [{name: Clean, dataset: clean}, {name: Unpublished, dataset: unpublished}]
  - id: unpublished
    name: Unpublished
"""


def dataset_data(text: str) -> dict[str, Any]:
    from huggingface_hub import DatasetCard

    return dict(DatasetCard(text).data.to_dict())


def test_dataset_card_metadata_is_what_the_hub_filters_on(rendered) -> None:
    outputs = rendered(DATASETS)
    assert dataset_data(outputs["datasets/clean/README.md"]) == {
        # ISO 639 codes only: names and programming languages would be misfiled on the Hub, and
        # source code is the Hub's language `code`.
        "language": ["en", "fr", "code"],
        "license": "cc-by-4.0",
        "size_categories": ["1K<n<10K"],
        "source_datasets": ["demo/raw", "wikimedia/wikipedia"],
        "task_categories": ["text-generation"],
        "pretty_name": "Clean",
    }
    assert dataset_data(outputs["datasets/raw/README.md"]) == {
        "license": "other",
        "license_name": "raw-terms",
        "license_link": "https://example.org/terms",
        "pretty_name": "Raw crawl",
    }
    # A source of the project that is not on the Hub is named in the text only.
    assert dataset_data(outputs["datasets/local/README.md"])["source_datasets"] == ["demo/clean"]


def test_dataset_card_metadata_is_what_dataset_card_data_writes(rendered) -> None:
    from huggingface_hub import DatasetCardData

    outputs = rendered(DATASETS)
    front, _ = split_card(outputs["datasets/clean/README.md"])
    written = DatasetCardData(**dataset_data(outputs["datasets/clean/README.md"])).to_yaml()
    assert front == written + "\n"


def test_dataset_card_text_names_license_size_and_sources(rendered) -> None:
    outputs = rendered(DATASETS)
    _, text = split_card(outputs["datasets/clean/README.md"])
    assert "- **License:** Creative Commons Attribution 4.0 (`cc-by-4.0`)" in text
    assert "- **Languages:** en, fr, Python, English" in text
    assert "- **Size:** 1,200 items, 1 token" in text
    assert (
        "- **Built from:** [Raw crawl](https://huggingface.co/datasets/demo/raw); "
        "[Wikipedia](https://huggingface.co/datasets/wikimedia/wikipedia); "
        "[Raw crawl again](https://huggingface.co/datasets/demo/raw)"
    ) in text
    assert "Annotation: 1 worker in 1 country." in text
    assert "Annotation: 1 worker in 1 country." in outputs["GOVERNANCE.md"]
    _, local = split_card(outputs["datasets/local/README.md"])
    assert (
        "- **Built from:** [Clean](https://huggingface.co/datasets/demo/clean); Unpublished"
        in local
    )
    _, raw = split_card(outputs["datasets/raw/README.md"])
    assert "- **License:** [raw-terms](https://example.org/terms)" in raw


def test_dataset_versions_keep_sizes_and_sources_and_drop_empty_columns(rendered) -> None:
    _, text = split_card(rendered(DATASETS)["datasets/clean/README.md"])
    assert table_rows(section(text, "## Versions")) == [
        [
            ["Version", "Size", "What changed"],
            ["---", "---", "---"],
            ["1 ([source](https://example.org/v1))", "1 GB", ""],
            ["2", "", "Deduplicated."],
        ]
    ]


def test_dataset_licensing_keeps_its_source_without_a_detection_line(rendered) -> None:
    _, text = split_card(rendered(DATASETS)["datasets/clean/README.md"])
    assert section(text, "## Licensing").strip() == (
        "Permissive licenses only. ([source](https://example.org/licensing))"
    )
    outputs = rendered(DATASETS.replace("policy: Permissive licenses only., ", ""))
    _, text = split_card(outputs["datasets/clean/README.md"])
    assert section(text, "## Licensing").strip() == (
        "The licensing facts are [published here](https://example.org/licensing)."
    )


def test_a_dataset_card_without_facts_has_a_name_only(rendered) -> None:
    outputs = rendered(DATASETS)
    front, text = split_card(outputs["datasets/unpublished/README.md"])
    assert front == "pretty_name: Unpublished\n"
    assert headings(text) == ["# Unpublished", "## Governance"]


# --- section rules -----------------------------------------------------------------------------


def test_sections_without_facts_are_left_out(rendered) -> None:
    outputs = rendered(MINIMAL)
    assert sorted(outputs) == [
        "GOVERNANCE.md",
        *EU,
        *EXPORTS,
        "governance.json",
        "models/m/README.md",
    ]
    for name, text in outputs.items():
        assert "None" not in text, name
        assert "null" not in text, name
        assert "More Information Needed" not in text, name
    card = body("models/m/README.md", outputs["models/m/README.md"])
    for heading in (
        "### Intended use",
        "### Out-of-scope use",
        "### Use restrictions",
        "### Sharing obligations",
        "### Attribution and other requirements",
        "## Limitations",
        "### Data",
        "### Hardware",
        "### Software",
        "## Evaluation",
        "## Citation",
    ):
        assert heading not in card.splitlines(), heading
    governance = outputs["GOVERNANCE.md"]
    for heading in ("## Project structure", "## Data governance", "## Contacts", "### License"):
        assert not any(line.startswith(heading) for line in governance.splitlines()), heading
    assert "Website:" not in governance
    assert card_data(outputs["models/m/README.md"]).to_dict() == {}


def test_project_with_only_a_name(rendered) -> None:
    outputs = rendered("project: {name: Bare}\n")
    assert sorted(outputs) == ["GOVERNANCE.md", *EU, *EXPORTS, "governance.json"]
    governance = outputs["GOVERNANCE.md"]
    assert headings(governance) == ["# Bare Governance Card"]
    assert "None" not in governance
    document = json.loads(outputs["governance.json"])
    assert document["derived"] == {"carbon": [], "licenses": {}, "gaps": []}


def test_a_model_without_a_name_is_shown_by_its_id(rendered) -> None:
    outputs = rendered(
        "project: {name: Bare}\nmodels:\n  - {id: starcoder, evaluation: "
        "[{task: text-generation, dataset: HumanEval, metric: pass@1, value: 33.6}]}\n"
    )
    card = split_card(outputs["models/starcoder/README.md"])[1]
    assert headings(card)[0] == "# starcoder"
    assert card_data(outputs["models/starcoder/README.md"]).model_name == "starcoder"
    assert "#### starcoder" in outputs["GOVERNANCE.md"].splitlines()
    for name, text in outputs.items():
        assert "None" not in text, name


def test_minimal_card_has_no_empty_section(rendered) -> None:
    outputs = rendered(MINIMAL)
    for name, text in markdown_files(outputs).items():
        assert empty_sections(body(name, text)) == [], name


def test_example_cards_have_no_empty_section(example: dict[str, str]) -> None:
    for name, text in markdown_files(example).items():
        assert empty_sections(body(name, text)) == [], name
        assert "None" not in text, name


def test_carbon_not_reported_when_missing(rendered) -> None:
    outputs = rendered(MINIMAL)
    card = outputs["models/m/README.md"]
    assert section(card, "### Environmental impact").strip() == "Carbon footprint: not reported."
    assert "co2_eq_emissions" not in card
    governance = outputs["GOVERNANCE.md"]
    assert section(governance, "#### M").strip() == "Carbon footprint: not reported."
    assert json.loads(outputs["governance.json"])["derived"]["carbon"] == []


def test_carbon_incomplete_facts_say_what_is_missing(rendered) -> None:
    outputs = rendered(
        "project: {name: X}\nmodels:\n  - {id: m, name: M, training: {gpu_hours: 10}}\n"
    )
    text = section(outputs["models/m/README.md"], "### Environmental impact").strip()
    assert text.startswith("Carbon footprint: not reported.\n\ngovcard could not recompute it: ")
    assert "the average power per GPU" in text
    assert "co2_eq_emissions" not in outputs["models/m/README.md"]


def test_reported_carbon_only_goes_into_the_metadata(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training:
              training_type: fine-tuning
              reported: {co2eq: "16.68 t", source: "https://example.org/paper"}
        """
    )
    card = outputs["models/m/README.md"]
    co2 = card_data(card).co2_eq_emissions
    assert co2["emissions"] == 16_680_000
    assert co2["training_type"] == "fine-tuning"
    assert co2["source"] == "reported: 16.68 t (https://example.org/paper)"
    assert (
        "Carbon footprint as reported by the project ([source](https://example.org/paper)):" in card
    )
    assert "- Emissions: 16.68 t CO2eq\n" in card


def test_reported_energy_and_co2_are_separated(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training: {reported: {energy: "89,671.68 kWh", co2eq: "16.68 t"}}
        """
    )
    card = outputs["models/m/README.md"]
    assert "- Energy: 89,671.68 kWh\n- Emissions: 16.68 t CO2eq\n" in card
    assert "not reported" not in card


def test_other_license_goes_into_the_metadata(rendered) -> None:
    outputs = rendered(ONE_MODEL % "{id: other, name: my-license, link: https://example.org/l}")
    card = outputs["models/m/README.md"]
    data = card_data(card)
    assert data.license == "other"
    assert data.license_name == "my-license"
    assert data.license_link == "https://example.org/l"
    front, text = split_card(card)
    assert front.splitlines()[:3] == [
        "license: other",
        "license_name: my-license",
        "license_link: https://example.org/l",
    ]
    assert "[my-license](https://example.org/l)" in section(text, "### Use restrictions")
    assert "### Sharing obligations" not in text
    assert not re.search(r"^- \*\*\(", text, re.MULTILINE)


def test_non_rail_license_has_no_use_restrictions_or_obligations(rendered) -> None:
    outputs = rendered(ONE_MODEL % "apache-2.0")
    card = outputs["models/m/README.md"]
    assert card_data(card).license == "apache-2.0"
    assert section(card, "### Use restrictions").strip() == (
        "The Apache license 2.0 (`apache-2.0`) places no use restrictions on the model."
    )
    governance = outputs["GOVERNANCE.md"]
    assert "The Apache license 2.0 (`apache-2.0`) places no use restrictions" in governance
    for name, text in markdown_files(outputs).items():
        assert "### Sharing obligations" not in text, name
        assert "asks you to" not in text, name
        for sentence in licenses.OBLIGATION_TEXT.values():
            assert str(markdown.escape(sentence)) not in text, name
    derived = json.loads(outputs["governance.json"])["derived"]["licenses"]["m"]
    assert derived["use_restrictions"] == derived["obligations"] == []


def test_openrail_family_tag_says_the_variant_is_unknown(rendered) -> None:
    outputs = rendered(ONE_MODEL % "openrail")
    card = outputs["models/m/README.md"]
    assert card_data(card).license == "openrail"
    restrictions = section(card, "### Use restrictions")
    assert "without saying which variant" in restrictions
    assert "variant unknown" in restrictions
    for name, text in markdown_files(outputs).items():
        assert not re.search(r"^- \*\*\(", text, re.MULTILINE), name
        assert "### Sharing obligations" not in text, name
    assert "variant unknown" in outputs["GOVERNANCE.md"]


RAIL = [entry for entry in licenses.catalog().values() if not entry.family_only]


@pytest.mark.parametrize("entry", RAIL, ids=[entry.id for entry in RAIL])
def test_rail_license_lists_every_restriction_and_obligation(
    rendered, entry: licenses.LicenseInfo
) -> None:
    outputs = rendered(ONE_MODEL % entry.id)
    card = outputs["models/m/README.md"]
    assert card_data(card).license == entry.id
    listed = [
        line for line in section(card, "### Use restrictions").splitlines() if line.startswith("- ")
    ]
    assert len(listed) == len(entry.restrictions)
    assert listed == [
        f"- **({r.id}) {markdown.escape(r.title)}.** {markdown.escape(r.summary)}"
        for r in entry.restrictions
    ]
    stated = entry.obligations.stated()
    obligations = [
        line
        for line in section(card, "### Sharing obligations").splitlines()
        if line.startswith("- ")
    ]
    assert len(obligations) == len(stated)
    for line, name in zip(obligations, stated, strict=True):
        assert line.startswith(f"- {markdown.escape(licenses.OBLIGATION_TEXT[name])}")
        if name in entry.obligation_sections:
            assert line.endswith(f" (§{entry.obligation_sections[name]})")
    for name, sentence in licenses.OBLIGATION_TEXT.items():
        if name not in stated:
            assert str(markdown.escape(sentence)) not in card, name
    governance = section(outputs["GOVERNANCE.md"], f"### License: {entry.name}")
    assert sum(line.startswith("- **(") for line in governance.splitlines()) == len(
        entry.restrictions
    )
    derived = json.loads(outputs["governance.json"])["derived"]["licenses"]["m"]
    assert derived["use_restrictions"] == [r.id for r in entry.restrictions]
    assert derived["obligations"] == stated


CODECARBON_CSV = (
    "timestamp,run_id,duration,emissions,energy_consumed,country_iso_code,pue\n"
    "2024-05-01T10:00:00,run-a,3600,0.84,1.5,FRA,1.5\n"
    "2024-05-01T11:00:00,run-b,1800,0.42,0.75,FRA,1.5\n"
)


def test_model_with_a_codecarbon_csv(write, rendered) -> None:
    write(CODECARBON_CSV, "runs/emissions.csv")
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training:
              training_type: fine-tuning
              hardware: 4 x A100
              codecarbon_csv: runs/emissions.csv
        """
    )
    card = outputs["models/m/README.md"]
    co2 = card_data(card).co2_eq_emissions
    assert co2["emissions"] == 1260  # 0.84 + 0.42 kg
    assert co2["geographical_location"] == "FRA"
    assert co2["hardware_used"] == "4 x A100"
    assert co2["training_type"] == "fine-tuning"
    impact = section(card, "### Environmental impact")
    assert "| Facility energy | 2.25 kWh |" in impact
    assert "| IT energy | 1.50 kWh |" in impact
    assert "codecarbon measured 2.25 kWh" in impact
    assert "GPU-hours" not in impact
    (carbon,) = json.loads(outputs["governance.json"])["derived"]["carbon"]
    assert carbon["method"] == "codecarbon"
    assert carbon["co2eq_kg"] == pytest.approx(1.26)


def test_the_card_says_what_a_looked_up_intensity_counts(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training:
              gpu_hours: 14284
              gpu_power_w: 300
              location: {country: CAN, region: quebec}
        """
    )
    impact = section(outputs["models/m/README.md"], "### Environmental impact")
    assert "| Grid carbon intensity | 0.003937 kgCO2e/kWh (fossil combustion only) |" in impact
    assert (
        "provincial generation mix (canada\\_energy\\_mix.json), 2023; fossil combustion only: coal, "
        "oil and gas burned; hydro, nuclear, wind, solar and biomass count as zero, so it is "
        "below a lifecycle figure; location: Quebec, Canada." in impact
    )


def test_the_card_says_an_assumed_power_is_an_assumption(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - id: m
            name: M
            training:
              hardware: 256 x H100 SXM5
              gpu_count: 256
              days: 11.8
              carbon_intensity_kg_per_kwh: 0.1
          - id: n
            name: N
            training: {hardware: 8 x A100 80GB, gpu_hours: 10, carbon_intensity_kg_per_kwh: 0.1}
        """
    )
    impact = section(outputs["models/m/README.md"], "### Environmental impact")
    assert "| GPU-hours | 72,499.2 |" in impact
    assert (
        "| Average power per GPU | 700 W, assumed: the published board power (TDP) of the NVIDIA "
        "H100 SXM ([source](https://www.nvidia.com/en-us/data-center/h100/)); a training run "
        "usually draws less, so the energy below is an upper bound |" in impact
    )
    # An ambiguous hardware assumes nothing; what to write is for the maintainers (the gaps on
    # stderr), not for the card's readers.
    other = section(outputs["models/n/README.md"], "### Environmental impact")
    assert (
        "govcard could not recompute it: the project's facts do not give the average power per "
        "GPU.\n" in other
    )


def test_base_model_given_as_a_hub_id(rendered) -> None:
    outputs = rendered(
        "project: {name: X}\nmodels:\n  - {id: m, name: M, base_model: bigcode/starcoderbase}\n"
    )
    card = outputs["models/m/README.md"]
    assert card_data(card).base_model == "bigcode/starcoderbase"
    assert (
        "- **Base model:** [bigcode/starcoderbase](https://huggingface.co/bigcode/starcoderbase)"
        in card.splitlines()
    )


def test_base_model_of_the_project_gives_its_hub_id(rendered) -> None:
    outputs = rendered(
        """\
        project: {name: X}
        models:
          - {id: base, name: Base, hub_id: org/base}
          - {id: m, name: M, base_model: base}
        """
    )
    card = outputs["models/m/README.md"]
    assert card_data(card).base_model == "org/base"
    assert "- **Base model:** Base ([org/base](https://huggingface.co/org/base))" in card


def test_gaps_are_printed_on_stderr(write) -> None:
    write(
        """\
        project: {name: X}
        datasets:
          - {id: d, name: D}
        models:
          - id: base
            name: Base
            license: mit
            datasets: [d, bigcode/the-stack]
            intended_use: Anything.
            limitations: Some.
            citation: "@misc{x}"
          - id: x
            name: X
            base_model: base
            license: apache-2.0
            intended_use: Anything.
            limitations: Some.
            citation: "@misc{x}"
            evaluation: [{task: t, dataset: D, metric: acc, value: 1}]
            training: {gpu_hours: 10}
        """
    )
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote 13 files to out\n"
    assert result.stderr.splitlines() == [
        "gap: models[base]: dataset d has no hub_id, so the card metadata leaves it out",
        "gap: models[base]: no training facts; carbon footprint not reported",
        "gap: models[base]: no evaluation results",
        "gap: models[x]: base model base has no hub_id, so base_model is left out",
        "gap: models[x]: carbon footprint not computable "
        "(missing gpu_power_w, carbon_intensity_kg_per_kwh or location)",
        "gap: models[x]: the evaluation on D names no Hub dataset (dataset_id ORG/NAME), so "
        ".eval_results leaves it out",
    ]
    assert card_data(Path("out/models/base/README.md").read_text()).datasets == [
        "bigcode/the-stack"
    ]
    assert card_data(Path("out/models/x/README.md").read_text()).base_model is None


# --- escaping ----------------------------------------------------------------------------------

HOSTILE = """\
project:
  name: "<script>alert(1)</script> {{ 7*7 }}"
  description: "Intro with a | pipe.\\n# Heading\\n{% if true %}yes{% endif %}"
  participation:
    by_country: {"<script>alert(1)</script>": 3, "A | B": 4, "C": 5}
models:
  - id: m
    name: "M {{ 7*7 }}"
    description: "<script>alert(1)</script>\\n# Heading\\n## Also not a heading"
    limitations: "{{ 7*7 }} and {% raw %}"
    evaluation:
      - {task: text-generation, dataset: "<script>alert(1)</script> | x", metric: "pass|1", value: 0.5}
    citation: |
      @misc{x,
        note = {```python
      print(1)
      ```, and ```` four}
      }
"""


def test_script_is_escaped(rendered) -> None:
    outputs = rendered(HOSTILE)
    for name, text in markdown_files(outputs).items():
        markup = body(name, text)
        assert "<script" not in markup, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup, name
        assert "<script" not in to_html(markup), name
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; | 3 |" in outputs["GOVERNANCE.md"]
    # The metadata is YAML data, not Markdown: it keeps the fact as it is.
    data = card_data(outputs["models/m/README.md"])
    assert data.eval_results[0].dataset_name == "<script>alert(1)</script> | x"


def test_escaped_text_reads_as_the_facts(rendered) -> None:
    outputs = rendered(HOSTILE)
    page = to_html(outputs["GOVERNANCE.md"])
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} Governance Card</h1>" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert "<td>A | B</td>" in page


def test_pipe_in_a_table_cell_does_not_add_a_column(rendered) -> None:
    outputs = rendered(HOSTILE)
    for name, text in markdown_files(outputs).items():
        for table in table_rows(body(name, text)):
            assert {len(row) for row in table} == {len(table[0])}, (name, table)
    card = body("models/m/README.md", outputs["models/m/README.md"])
    (evaluation,) = table_rows(section(card, "## Evaluation"))
    assert len(evaluation[2]) == 4
    page = to_html(card)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    assert [plain(c) for c in cells] == [
        "text-generation",
        "<script>alert(1)</script> | x",
        "pass|1",
        "0.5",
    ]


def test_heading_in_a_description_does_not_make_a_heading(rendered) -> None:
    outputs = rendered(HOSTILE)
    card = body("models/m/README.md", outputs["models/m/README.md"])
    assert "# Heading" not in headings(card)
    assert "## Also not a heading" not in headings(card)
    assert "\\# Heading" in card.splitlines()
    assert re.findall(r"<h1>(.*?)</h1>", to_html(card)) == ["M {{ 7*7 }}"]
    governance = outputs["GOVERNANCE.md"]
    assert [h for h in headings(governance) if "Heading" in h] == []
    assert len(re.findall(r"<h1>", to_html(governance))) == 1


@pytest.mark.parametrize(
    "line_break",
    ["\\n", "\\r\\n", "\\r", "\\u2028", "\\u2029"],
    ids=["LF", "CRLF", "CR", "LS", "PS"],
)
def test_no_line_break_lets_a_description_make_a_heading(rendered, line_break: str) -> None:
    outputs = rendered(
        f'project: {{name: X}}\nmodels:\n  - {{id: m, name: M, description: "Intro{line_break}# Injected"}}\n'
    )
    card = body("models/m/README.md", outputs["models/m/README.md"])
    assert [h for h in headings(card) if "Injected" in h] == []
    assert "<h1>Injected</h1>" not in to_html(card)


def test_citation_with_backticks_gets_a_longer_fence(rendered) -> None:
    outputs = rendered(HOSTILE)
    card = outputs["models/m/README.md"]
    citation = loader.load("project.yaml").facts.models[0].citation
    assert citation is not None
    block = section(card, "## Citation").strip("\n")
    assert block == f"`````bibtex\n{citation.rstrip()}\n`````"
    page = to_html(split_card(card)[1])
    code = re.findall(r'<pre><code class="language-bibtex">(.*?)</code></pre>', page, re.DOTALL)
    assert [html.unescape(c) for c in code] == [citation]


def test_jinja_in_facts_is_printed_literally(rendered) -> None:
    outputs = rendered(HOSTILE)
    for name, text in markdown_files(outputs).items():
        assert "49" not in text, name
    card = outputs["models/m/README.md"]
    assert "# M \\{\\{ 7\\*7 \\}\\}" in card.splitlines()
    assert "\\{\\{ 7\\*7 \\}\\} and \\{% raw %\\}" in card.splitlines()
    assert "<p>{{ 7*7 }} and {% raw %}</p>" in to_html(split_card(card)[1])
    assert "\\{% if true %\\}yes\\{% endif %\\}" in outputs["GOVERNANCE.md"]
    assert card_data(card).model_name == "M {{ 7*7 }}"


# --- template overrides ------------------------------------------------------------------------

# The example of docs/guides/templates.md, as written there.
# The override example of docs/guides/templates.md, as a user would copy it.
DOCS_LIMITATIONS_OVERRIDE = (
    (ROOT / "docs" / "guides" / "templates.md")
    .read_text(encoding="utf-8")
    .split("```jinja\n")[1]
    .split("```")[0]
)
LIMITATIONS_OVERRIDE = DOCS_LIMITATIONS_OVERRIDE


def test_template_extends_the_default_and_replaces_one_block(write, rendered) -> None:
    project = ONE_MODEL % "bigcode-openrail-m"
    default = rendered(project)
    write(LIMITATIONS_OVERRIDE, "mine/model_card.md.j2")
    custom = rendered(project, "--template-dir", "mine")
    old = "## Limitations\n\nCan be wrong.\n\n"
    new = "## Limitations\n\nCan be wrong.\n\nOur own note on responsible use.\n\n"
    assert default["models/m/README.md"].count(old) == 1
    assert custom["models/m/README.md"] == default["models/m/README.md"].replace(old, new)
    assert custom["GOVERNANCE.md"] == default["GOVERNANCE.md"]
    assert custom["governance.json"] == default["governance.json"]


def test_docs_override_example_keeps_a_blank_line_before_the_next_heading(write, rendered) -> None:
    write(DOCS_LIMITATIONS_OVERRIDE, "mine/model_card.md.j2")
    card = rendered(ONE_MODEL % "mit", "--template-dir", "mine")["models/m/README.md"]
    assert "Our own note on responsible use.\n\n## Training\n" in card


def test_template_replaces_the_governance_card(write, rendered) -> None:
    project = ONE_MODEL % "apache-2.0"
    default = rendered(project)
    write(
        """\
        # {{ project.name }}: our card

        {% for v in models %}
        - {{ v.model.name|link("models/" ~ v.model.id ~ "/README.md") }}
        {% endfor %}
        """,
        "mine/governance_card.md.j2",
    )
    custom = rendered(project, "--template-dir", "mine")
    assert custom["GOVERNANCE.md"] == render.mark_generated(
        "# Demo: our card\n\n- [M](models/m/README.md)\n"
    )
    assert custom["models/m/README.md"] == default["models/m/README.md"]
    assert custom["governance.json"] == default["governance.json"]


def test_user_macros_replace_the_default_macros(write, rendered) -> None:
    # docs/guides/templates.md: "A file there with the same name replaces the default", and
    # _macros.md.j2 is listed among the templates.
    write(
        """\
        {% macro source(item) %}{% endmacro %}
        {% macro restrictions(license, subject="the model") %}OUR RESTRICTIONS{% endmacro %}
        {% macro obligations(license) %}OUR OBLIGATIONS{% endmacro %}
        {% macro carbon(view) %}OUR CARBON{% endmacro %}
        """,
        "mine/_macros.md.j2",
    )
    outputs = rendered(ONE_MODEL % "bigcode-openrail-m", "--template-dir", "mine")
    assert "OUR CARBON" in outputs["models/m/README.md"]
    assert "OUR RESTRICTIONS" in outputs["GOVERNANCE.md"]


BROKEN_TEMPLATES = {
    "undefined-attribute": (
        "model_card.md.j2",
        '{% extends "default:model_card.md.j2" %}\n{% block limitations %}\n'
        "{{ model.no_such_fact }}\n{% endblock %}\n",
        3,
        r"template error: .*no_such_fact.*",
    ),
    "undefined-variable": (
        "governance_card.md.j2",
        "# {{ project.name }}\n\n{{ no_such_variable }}\n",
        3,
        r"template error: 'no_such_variable' is undefined",
    ),
    "syntax-error": (
        "governance_card.md.j2",
        "# {{ project.name }}\n\n{% if %}\n{% endif %}\n",
        3,
        r"template syntax error: .+",
    ),
    "prints-none": (
        "governance_card.md.j2",
        "# {{ project.name }}\n\n{{ project.description }}\n",
        3,
        r"template error: a template printed None; guard the value with \{% if %\}",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_TEMPLATES))
def test_broken_template_stops_the_render(write, workdir: Path, case: str) -> None:
    name, text, line, message = BROKEN_TEMPLATES[case]
    write(ONE_MODEL % "mit")
    write(text, f"mine/{name}")
    result = run("render", "project.yaml", "-o", "out", "--template-dir", "mine")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert re.fullmatch(rf"mine/{re.escape(name)}:{line}:1: {message}\n", result.stderr), (
        result.stderr
    )
    assert "Traceback" not in result.output
    assert sorted(p.name for p in workdir.iterdir()) == ["mine", "project.yaml"]


# --- user templates run in Jinja's sandbox -----------------------------------------------------

# Ways out of a template into Python, each of which would run `touch pwned` without the sandbox.
ESCAPES = {
    "cycler-globals": "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('touch pwned').read() }}",
    "joiner-globals": "{{ joiner.__init__.__globals__.os.popen('touch pwned').read() }}",
    "self-builtins": "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('touch pwned') }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "facts-class": "{{ project.__class__.__init__.__globals__ }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(project) }}",
    "mutate-facts": "{{ models.append(1) }}{{ project.__dict__.update(name='x') }}",
}  # fmt: skip


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_a_user_template_cannot_reach_python(write, workdir: Path, escape: str) -> None:
    write(ONE_MODEL % "mit")
    write(f"# {{{{ project.name }}}}\n\n{ESCAPES[escape]}\n", "mine/governance_card.md.j2")
    result = run("render", "project.yaml", "-o", "out", "--template-dir", "mine")
    assert not Path("pwned").exists(), "the template ran a shell command"
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"mine/governance_card\.md\.j2:3:1: template error: not allowed in a template: .+", line
    ), line
    assert sorted(p.name for p in workdir.iterdir()) == ["mine", "project.yaml"]


def test_the_sandbox_covers_the_site_and_publish(write, workdir: Path) -> None:
    write(ONE_MODEL % "mit")
    write(ESCAPES["cycler-globals"] + "\n", "mine/site/index.md.j2")
    result = run("site", "build", "project.yaml", "-o", "site", "--template-dir", "mine")
    assert (result.exit_code, Path("pwned").exists()) == (2, False), result.output
    write(ESCAPES["cycler-globals"] + "\n", "mine/governance_card.md.j2")
    result = run(
        "publish", "project.yaml", "--space", "org/space", "--dry-run", "--template-dir", "mine"
    )
    assert (result.exit_code, Path("pwned").exists()) == (2, False), result.output
    assert "not allowed in a template" in result.stderr


def test_the_default_templates_give_the_same_cards_in_the_sandbox(
    example: dict[str, str], workdir: Path
) -> None:
    Path("empty").mkdir()
    shutil.copytree(render.packaged_templates(), "copies", ignore=shutil.ignore_patterns("init"))
    for folder in ("empty", "copies"):
        result = run("render", str(EXAMPLE), "-o", f"out-{folder}", "--template-dir", folder)
        assert result.exit_code == 0, result.output
        assert texts(Path(f"out-{folder}")) == example, folder
    env = render.environment(Path("empty"))
    assert env.sandboxed
    assert not render.environment().sandboxed  # the packaged defaults are trusted and faster


def test_the_default_site_pages_are_the_same_in_the_sandbox(workdir: Path) -> None:
    from govcard import site

    derived = derive.derive(loader.load(EXAMPLE))
    Path("empty").mkdir()
    site.generate(derived, Path("plain"))
    site.generate(derived, Path("sandboxed"), template_dir=Path("empty"))
    assert snapshot(Path("sandboxed")) == snapshot(Path("plain"))


RUNAWAY_TEMPLATES = {
    "macro-calls-itself": ("{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}", "endless recursion"),
    "includes-itself": ('{% include "governance_card.md.j2" %}', "endless recursion"),
    "extends-itself": ('{% extends "governance_card.md.j2" %}', "endless recursion"),
    "huge-repetition": ("{{ 'x' * 10**9 }}", "not allowed in a template: a repetition"),
    "huge-power": ("{{ 10 ** 100000000 }}", "not allowed in a template: 10 \\*\\* 100000000"),
    "huge-range": ("{% for i in range(10**9) %}{% endfor %}", "template error: .*range"),
    "division-by-zero": ("{{ 1 / 0 }}", "template error: ZeroDivisionError: division by zero"),
    "index-out-of-range": ("{{ [][1] }}", "template error: .+"),
}


@pytest.mark.parametrize("case", sorted(RUNAWAY_TEMPLATES))
def test_a_runaway_or_failing_template_is_one_line(write, workdir: Path, case: str) -> None:
    text, message = RUNAWAY_TEMPLATES[case]
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    write(f"{text}\n", "mine/governance_card.md.j2")
    result = subprocess.run(
        [*GOVCARD, "render", "project.yaml", "-o", "out", "--template-dir", "mine"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert re.fullmatch(rf"mine/governance_card\.md\.j2:\d+:1: .*{message}.*", line), line
    assert snapshot(Path("out")) == before
    assert leftovers(workdir) == []


def test_template_files_are_regular_files_inside_the_folder(write, workdir: Path) -> None:
    write(ONE_MODEL % "mit")
    write("# {{ project.name }} (ours)\n", "mine/real.md.j2")
    Path("mine/governance_card.md.j2").symlink_to("real.md.j2")
    result = run("render", "project.yaml", "-o", "out", "--template-dir", "mine")
    assert result.exit_code == 0, result.output
    governance = Path("out/GOVERNANCE.md").read_text(encoding="utf-8")
    assert governance == f"{render.GENERATED_LINE}\n\n# Demo (ours)\n"
    cases = {
        "outside": "a template must not link out of --template-dir",
        "fifo": "a template must be a regular file",
        "binary": "a template must be UTF-8 text",
    }
    for case, message in cases.items():
        shutil.rmtree("mine")
        Path("mine").mkdir()
        template = Path("mine/governance_card.md.j2")
        if case == "outside":
            write("{{ project.name }}\n", "secret.txt")
            template.symlink_to(workdir / "secret.txt")
        elif case == "fifo":
            os.mkfifo(template)
        else:
            template.write_bytes(b"\xff\xfe{{ project.name }}\n")
        result = run("render", "project.yaml", "-o", "out", "--template-dir", "mine")
        assert result.exit_code == 2, case
        assert result.stderr == f"mine/governance_card.md.j2: {message}\n", case


# --- determinism -------------------------------------------------------------------------------


def test_rendering_twice_gives_identical_bytes(workdir: Path) -> None:
    for out in ("one", "two"):
        assert run("render", str(EXAMPLE), "-o", out).exit_code == 0
    assert snapshot(Path("one")) == snapshot(Path("two"))


def test_rendering_is_independent_of_hash_seed(example: dict[str, str], workdir: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-m", "govcard", "render", str(EXAMPLE), "-o", "out"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert texts(Path("out")) == example


def test_check_after_render_is_up_to_date(workdir: Path) -> None:
    assert run("render", str(EXAMPLE), "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    result = run("render", str(EXAMPLE), "-o", "out", "--check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "out: up to date (17 files)\n"
    assert snapshot(Path("out")) == before


# --- writing: atomic, only into govcard's own directory -----------------------------------------

TWO_MODELS = """\
project: {name: Two}
models:
  - {id: a, name: A, license: mit}
  - {id: b, name: B, license: apache-2.0}
"""


def leftovers(workdir: Path) -> list[str]:
    return sorted(p.name for p in workdir.iterdir() if p.name.startswith("."))


def test_failing_template_leaves_the_old_output_untouched(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    write("{{ no_such_variable }}\n", "mine/model_card.md.j2")
    write(TWO_MODELS.replace("Two", "Changed"))
    result = run("render", "project.yaml", "-o", "out", "--template-dir", "mine")
    assert result.exit_code == 2
    assert result.stderr.startswith("mine/model_card.md.j2:1:1: template error: ")
    assert snapshot(Path("out")) == before
    assert leftovers(workdir) == []


def test_invalid_project_writes_nothing(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    write(TWO_MODELS.replace("license: mit", "license: apache2"))
    for out in ("out", "fresh"):
        result = run("render", "project.yaml", "-o", out)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            "project.yaml:3:31: models[0].license: unknown Hub license id 'apache2' "
            "(did you mean apache-2.0?); use {id: other, name, link}\n"
        )
    assert snapshot(Path("out")) == before
    assert not Path("fresh").exists()
    assert leftovers(workdir) == []


@pytest.mark.parametrize("foreign", ["notes.txt", "models/a/weights.bin", "models/extra.md"])
def test_directory_with_foreign_files_is_refused(write, workdir: Path, foreign: str) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    write("mine\n", f"out/{foreign}")
    before = snapshot(Path("out"))
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"out: holds files govcard did not write ({foreign}); "
        "render into an empty directory or one govcard wrote"
    )
    assert snapshot(Path("out")) == before
    assert leftovers(workdir) == []


def test_stale_model_folder_disappears(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert Path("out/models/b/README.md").is_file()
    write(TWO_MODELS.replace("  - {id: b, name: B, license: apache-2.0}\n", ""))
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 0, result.output
    assert sorted(snapshot(Path("out"))) == [
        "GOVERNANCE.md",
        *EU,
        *EXPORTS,
        "governance.json",
        "models/a/README.md",
    ]
    assert not Path("out/models/b").exists()
    assert leftovers(workdir) == []


def test_check_lists_changed_files_and_writes_nothing(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    write(TWO_MODELS.replace("name: B,", "name: Bee,"))
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if not line.startswith("  ")] == [
        "changed: out/GOVERNANCE.md",
        *(f"changed: out/{path}" for path in EU),
        "changed: out/exports/cyclonedx/cyclonedx.json",  # the BOM and the report name the models
        "changed: out/exports/fmti/fmti-report.csv",
        "changed: out/governance.json",
        "changed: out/models/b/README.md",
    ]
    assert snapshot(Path("out")) == before


def test_check_shows_what_changed(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    write(TWO_MODELS.replace("name: B,", "name: Bee,"))
    stdout = run("render", "project.yaml", "-o", "out", "--check").stdout
    card = stdout[stdout.index("changed: out/models/b/README.md\n") :]
    assert card.splitlines()[1:] == ["  @@ -6,3 +6,3 @@", "   ", "  -# B", "  +# Bee", "   "]


def changed_lines(count: int) -> str:
    return "".join(f"  - {{id: m{i}, name: M{i}, license: mit}}\n" for i in range(count))


def test_check_diffs_are_short(write, workdir: Path) -> None:
    # One changed name per model: 40 cards, each with its lines of difference.
    write("project: {name: P}\nmodels:\n" + changed_lines(40))
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    text = "project: {name: P}\nmodels:\n" + changed_lines(40).replace("name: M", "name: N")
    write(text)
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    diff = [line for line in lines if line.startswith("  ")]
    assert len(diff) == render.DIFF_LINES
    assert all(len(line) <= render.DIFF_WIDTH + 2 for line in diff)
    # The Governance Card lists the 40 names: its diff stops after 12 lines and says so.
    start = lines.index("changed: out/GOVERNANCE.md") + 1
    assert lines[start + render.DIFF_LINES_PER_FILE - 1].startswith("  ... ")
    assert lines[start + render.DIFF_LINES_PER_FILE - 1].endswith(" more lines of difference")
    # Past the budget, a changed file is listed alone; every one is listed.
    listed = [line for line in lines if line.startswith("changed: ")]
    assert len(listed) == 6 + 40  # GOVERNANCE.md, the EU documents, 2 exports, governance.json
    assert lines[-1] == "changed: out/models/m9/README.md"


def test_check_says_when_only_line_endings_differ(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    card = Path("out/models/a/README.md")
    card.write_bytes(card.read_bytes().replace(b"\n", b"\r\n"))
    stdout = run("render", "project.yaml", "-o", "out", "--check").stdout
    assert stdout == (
        "changed: out/models/a/README.md\n  (only the line endings or the final newline differ)\n"
    )


def test_short_diff_of_an_unreadable_or_a_huge_file() -> None:
    assert render.short_diff(None, b"x\n", 5) == ["(the file on disk cannot be read)"]
    huge = b"a\n" * (render.MAX_DIFF_BYTES // 2 + 1)
    assert render.short_diff(huge, b"b\n", 5) == ["(no diff: over 1,000,000 bytes)"]
    assert render.short_diff(b"b\n", huge, 5) == ["(no diff: over 1,000,000 bytes)"]


def test_check_diff_shows_control_characters_escaped(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    card = Path("out/models/a/README.md")
    card.write_bytes(card.read_bytes().replace(b"# A\n", b"# \x1b[2JA\n"))
    stdout = run("render", "project.yaml", "-o", "out", "--check").stdout
    assert "  -# \\x1b[2JA\n" in stdout
    assert "\x1b" not in stdout


def test_check_lists_stale_files_and_writes_nothing(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    write(TWO_MODELS.replace("  - {id: b, name: B, license: apache-2.0}\n", ""))
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 1
    assert "stale: out/models/b/README.md" in result.stdout.splitlines()
    assert "changed: out/models/a/README.md" not in result.stdout.splitlines()
    assert snapshot(Path("out")) == before


def test_check_without_output_lists_missing_files(write, workdir: Path) -> None:
    write(TWO_MODELS)
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "missing: out/GOVERNANCE.md",
        *(f"missing: out/{path}" for path in EU),
        *(f"missing: out/{path}" for path in EXPORTS),
        "missing: out/governance.json",
        "missing: out/models/a/README.md",
        "missing: out/models/b/README.md",
    ]
    assert not Path("out").exists()


def test_check_reads_odd_files_without_a_traceback(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    Path("out/GOVERNANCE.md").write_bytes(b"\xff\xfe not UTF-8\n")
    Path("out/models/a/README.md").unlink()
    os.mkfifo("out/models/a/README.md")  # read, it would block
    fd = os.open("out", os.O_RDONLY)
    for _ in range(3000):  # deeper than Python's recursion limit, and than PATH_MAX allows
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    try:
        result = run("render", "project.yaml", "-o", "out", "--check")
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert "changed: out/GOVERNANCE.md" in lines
        assert "missing: out/models/a/README.md" in lines
        assert any(line.startswith("stale: out/d/d/d/") for line in lines), lines
    finally:
        from govcard import output

        output._remove_flat(Path("out"))


# --- governance.json ---------------------------------------------------------------------------


def test_governance_json_has_the_facts_and_everything_derived(example: dict[str, str]) -> None:
    document = json.loads(example["governance.json"])
    assert document["generator"] == "govcard"
    assert document["schema_version"] == 1
    assert ProjectFile.model_validate(document["facts"]) == example_facts()
    derived = document["derived"]
    assert set(derived) == {"carbon", "licenses", "gaps"}
    carbon = {item["id"]: item for item in derived["carbon"]}
    assert list(carbon) == EXAMPLE_MODELS
    star = carbon["starcoderbase"]
    assert star["method"] == "computed"
    assert star["energy_kwh"] == pytest.approx(89_671.68)
    assert star["facility_energy_kwh"] == pytest.approx(107_606.016)
    assert star["co2eq_kg"] == pytest.approx(16_673.552179)
    assert star["consistency"]["status"] == "consistent"
    santa = carbon["santacoder"]
    assert santa["co2eq_kg"] == pytest.approx(149.12496)
    assert santa["consistency"]["status"] == "inconsistent"
    assert carbon["starcoder"]["method"] == "incomplete"
    assert carbon["starcoder"]["co2eq_kg"] is None
    for model in EXAMPLE_MODELS:
        entry = derived["licenses"][model]
        assert entry["id"] == "bigcode-openrail-m"
        assert entry["use_restrictions"] == list("abcdefghijklmn")
        assert entry["obligations"] == [
            "restrictions_flow_down",
            "copy_of_license",
            "keep_documentation",
            "document_modifications",
            "keep_notices",
        ]
    assert derived["gaps"] == [
        "models[santacoder]: no intended use",
        "models[santacoder]: no limitations",
        # HumanEval, MBPP and DS-1000 are given by dataset type, not as Hub datasets.
        "models[starcoderbase]: the evaluation on HumanEval names no Hub dataset (dataset_id "
        "ORG/NAME), so .eval_results leaves it out",
        "models[starcoderbase]: no intended use",
        # The fine-tune's GPU-hours are published (model card); its power and grid are not.
        "models[starcoder]: carbon footprint not computable (missing gpu_power_w, "
        "carbon_intensity_kg_per_kwh or location); the hardware '512 x Tesla A100' could be "
        "NVIDIA A100 SXM4 40GB (400 W) or NVIDIA A100 PCIe 40GB (250 W) or NVIDIA A100 SXM4 "
        "80GB (400 W) or NVIDIA A100 PCIe 80GB (300 W): name the board in hardware, or give "
        "gpu_power_w",
        *(
            f"models[starcoder]: the evaluation on {name} names no Hub dataset (dataset_id "
            "ORG/NAME), so .eval_results leaves it out"
            for name in ("HumanEval (Prompted)", "MBPP", "DS-1000 (Overall Completion)")
        ),
    ]


def test_example_gaps_are_the_ones_printed(workdir: Path, example: dict[str, str]) -> None:
    result = run("render", str(EXAMPLE), "-o", "out")
    gaps = json.loads(example["governance.json"])["derived"]["gaps"]
    assert result.stderr.splitlines() == [f"gap: {gap}" for gap in gaps]
