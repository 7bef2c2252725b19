"""The FMTI transparency report: the indicator set and its mapping to the facts, and the report
of a project that discloses almost nothing, of one that discloses a little, and of BigCode."""

from __future__ import annotations

import csv
import io
import re
import string
from pathlib import Path
from typing import Any

import pytest
from support import under_hash_seeds

from govcard import __version__, derive, loader
from govcard.exports import fmti
from govcard.schema import json_schema

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
# The columns of the FMTI's own reports (Dec2025/reports/*.csv of stanford-crfm/fmti).
FMTI_COLUMNS = [
    "Indicator",
    "Definition",
    "Notes",
    "Disclosure",
    "Justification",
    "References",
    "Score",
]


def rows_of(text: str) -> list[dict[str, str]]:
    """The report's rows, read back as any CSV reader reads them."""
    return list(csv.DictReader(io.StringIO(text)))


def report_of(path: Path) -> dict[str, dict[str, str]]:
    """The report of a project file, row by indicator."""
    text = fmti.csv_text(derive.derive(loader.load(path)))
    return {row["Indicator"]: row for row in rows_of(text)}


# --- the data ----------------------------------------------------------------------------------


def test_the_indicators_are_the_fmti_s_current_set() -> None:
    indicators = fmti.indicators()
    names = [i.name for i in indicators]
    assert len(names) == len(set(names)) == 100
    assert {i.domain for i in indicators} == {"Upstream", "Model", "Downstream"}
    assert all(i.definition and i.notes for i in indicators)


def test_every_mapped_indicator_is_in_the_set() -> None:
    names = {i.name for i in fmti.indicators()}
    assert sorted(set(fmti.mapping()) - names) == []


def _schema_node(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its $ref and its `X | None` resolved to the object or array."""
    while True:
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node:
            node = next(n for n in node["anyOf"] if n.get("type") != "null")
        else:
            return node


def _fields_at(path: str) -> set[str]:
    """The keys of the object a fact path ends in (for {parent[key]}), failing on a key that
    project.yaml does not have."""
    schema = json_schema()
    defs = schema["$defs"]
    node: dict[str, Any] = schema
    parent: dict[str, Any] = schema
    for segment in path.split("."):
        match = re.fullmatch(r"(\w+)(?:\[(\*|(\w+)=[\w-]+)\])?", segment)
        assert match, (path, segment)
        parent = node
        assert match[1] in node.get("properties", {}), f"{path}: no key {match[1]}"
        node = _schema_node(node["properties"][match[1]], defs)
        if match[2]:
            assert node.get("type") == "array", f"{path}: {match[1]} is not a list"
            node = _schema_node(node["items"], defs)
            if match[3]:
                assert match[3] in node.get("properties", {}), f"{path}: no key {match[3]}"
            parent = node
    return set(parent.get("properties", {}))


@pytest.mark.parametrize("indicator", sorted(fmti.mapping()))
def test_every_mapped_fact_is_a_field_of_project_yaml(indicator: str) -> None:
    answer = fmti.mapping()[indicator]
    assert answer.facts, f"{indicator}: no fact answers it; leave it out of the mapping"
    for fact in answer.facts:
        keys = _fields_at(fact.path)
        for _, name, _, _ in string.Formatter().parse(fact.say):
            if name is None:
                continue
            assert name in ("value", "owner") or name.startswith("parent["), (fact.path, name)
            if name.startswith("parent["):
                assert name[7:-1] in keys, f"{fact.path}: {name} is not beside it"


# --- a project that discloses almost nothing ---------------------------------------------------


def test_a_minimal_project_discloses_nothing(write) -> None:
    report = report_of(write("project: {name: Tiny}\nmodels:\n  - {id: m}\n"))
    assert len(report) == 100
    assert {row["Disclosed"] for row in report.values()} == {"no"}
    for name, row in report.items():
        assert row["Disclosure"].startswith("Not disclosed in the facts; "), name
        assert row["References"] == ""
        if name in fmti.mapping():
            paths = [f.path for f in fmti.mapping()[name].facts]
            assert row["Facts"].splitlines() == paths
            assert row["Disclosure"] == (
                f"Not disclosed in the facts; {', '.join(paths)} would answer it."
            )
        else:
            assert row["Facts"] == ""
            assert row["Disclosure"].endswith("no field of project.yaml records it.")


def test_the_report_has_the_fmti_s_columns_then_govcard_s(write) -> None:
    text = fmti.csv_text(derive.derive(loader.load(write("project: {name: Tiny}\n"))))
    header = next(csv.reader(io.StringIO(text)))
    assert header[: len(FMTI_COLUMNS)] == FMTI_COLUMNS
    rows = rows_of(text)
    assert [row["Indicator"] for row in rows] == [i.name for i in fmti.indicators()]
    for row, indicator in zip(rows, fmti.indicators(), strict=True):
        assert (row["Definition"], row["Notes"]) == (indicator.definition, indicator.notes)
        assert (row["Domain"], row["Subdomain"]) == (indicator.domain, indicator.subdomain)
        # The FMTI's assessors score; govcard does not.
        assert row["Justification"] == row["Score"] == ""
        assert row["Generated by"] == f"govcard {__version__}"
        assert row["Facts as of"] == "not stated"


# --- a project that discloses a little ---------------------------------------------------------

SOME = """\
project:
  name: Some
  as_of: 2024-06-30
datasets:
  - id: web
    name: Web
    category: public
    tokens: 3000000000000
    source: https://example.org/web
  - id: mine
    name: Mine
    category: crawled
models:
  - id: m
    name: M
    hub_id: example/m
    architecture: 'decoder, "quoted", with {braces}'
    training:
      gpu_hours: 40000
      hardware: 1000 x H100
      source: https://example.org/paper
"""


def test_facts_answer_their_indicators_with_their_sources(write) -> None:
    report = report_of(write(SOME))
    size = report["Data size"]
    assert size["Disclosed"] == "yes"
    assert size["Disclosure"] == "Web: 3,000,000,000,000 tokens. [1]"
    assert size["References"] == "[1] https://example.org/web"
    assert size["Facts"] == "datasets[web].tokens"
    hardware = report["Compute hardware for final training run"]
    assert hardware["Disclosure"] == "M: 1000 x H100. [1]"
    assert hardware["References"] == "[1] https://example.org/paper"
    assert {row["Facts as of"] for row in report.values()} == {"2024-06-30"}


def test_a_filter_picks_the_datasets_of_a_category(write) -> None:
    report = report_of(write(SOME))
    assert report["Public datasets"]["Disclosure"] == "Web. [1]"
    assert report["Public datasets"]["Facts"] == "datasets[web].name"
    assert report["Licensed data sources"]["Disclosed"] == "no"


def test_a_fact_without_a_source_cites_its_model_s_hub_page(write) -> None:
    row = report_of(write(SOME))["Basic model properties"]
    assert row["Disclosed"] == "partly"
    assert row["Disclosure"].splitlines() == [
        'M: decoder, "quoted", with {braces}. [1]',
        "Not disclosed in the facts: models[*].input_modalities, models[*].output_modalities, "
        "models[*].parameters.",
    ]
    assert row["References"] == "[1] https://huggingface.co/example/m"


def test_one_fact_of_two_is_a_partial_disclosure(write) -> None:
    row = report_of(write(SOME))["Development duration for final training run"]
    assert row["Disclosed"] == "partly"
    assert row["Disclosure"].splitlines() == [
        "M: 40,000 GPU-hours. [1]",
        "Not disclosed in the facts: models[*].training.days.",
    ]


def test_what_no_field_records_keeps_an_indicator_partly_disclosed(write) -> None:
    report = report_of(write("project: {name: P, working_groups: [{name: Data}]}\n"))
    assert report["Organization chart"]["Disclosed"] == "partly"
    assert report["Organization chart"]["Disclosure"].splitlines() == [
        "Working group: Data.",
        "No field of project.yaml records the headcount of each team.",
    ]


# --- BigCode -----------------------------------------------------------------------------------

# What BigCode's facts answer, and what BigCode's own FMTI report (May 2024, an older indicator
# set) disclosed too: data size, sources, processing, labor and pay, hardware, energy, carbon,
# model properties, evaluations, distribution, license. The facts do not record what the report
# also disclosed in prose (the FLOPs, the crawler's opt-out, the annotation guidelines).
BIGCODE_DISCLOSES = [
    "Data acquisition methods",
    "New human-generated data sources",
    "Data processing methods",
    "Data processing techniques",
    "Data size",
    "External data access",
    "Data replicability",
    "Compute hardware for final training run",
    "Energy usage for final training run",
    "Carbon emissions for final training run",
    "Model stages",
    "Basic model properties",
    "Model dependencies",
    "Open weights",
    "Capabilities evaluation",
    "Top distribution channels",
    "Terms of use",
    "Data retention and deletion policy",
]


def example_facts() -> dict[str, Any]:
    return loader.load(EXAMPLE).facts.model_dump(mode="json", exclude_none=True)


def value_at(facts: dict[str, Any], path: str) -> Any:
    """The value at a concrete path of the report, `models[starcoder].training.hardware`."""
    node: Any = facts
    for key, label in re.findall(r"(\w+)(?:\[([\w.-]+)\])?", path):
        node = node[key]
        if label:
            node = (
                node[int(label)]
                if label.isdigit()
                else next(item for item in node if item.get("id") == label)
            )
    return node


# Facts that answer part of what these ask: the sizes of some sources are not the composition of
# the data, limitations in prose are not a taxonomy of risks.
BIGCODE_PARTLY = ["Data domain composition", "Risks taxonomy"]


@pytest.mark.parametrize("indicator", BIGCODE_PARTLY)
def test_bigcode_discloses_part_of_what_some_indicators_ask(indicator: str) -> None:
    row = report_of(EXAMPLE)[indicator]
    assert row["Disclosed"] == "partly", row["Disclosure"]
    assert "No field of project.yaml records" in row["Disclosure"], row["Disclosure"]
    assert row["References"]


@pytest.mark.parametrize("indicator", BIGCODE_DISCLOSES)
def test_bigcode_discloses_what_its_facts_answer(indicator: str) -> None:
    row = report_of(EXAMPLE)[indicator]
    assert row["Disclosed"] == "yes", row["Disclosure"]
    facts = example_facts()
    paths = row["Facts"].splitlines()
    lines = row["Disclosure"].splitlines()
    assert paths and len(lines) >= len(paths)
    for path in paths:
        value = value_at(facts, path)
        assert value not in (None, "", [], {}), path
        # The value is in the disclosure as the report writes it.
        assert any(fmti.text(value) in line for line in lines), (path, value)
    references = row["References"].splitlines()
    assert references, "every disclosed indicator cites where its facts were published"
    for number, line in enumerate(references, 1):
        assert re.fullmatch(rf"\[{number}\] https://\S+", line), line
    cited = {int(n) for line in lines for n in re.findall(r" \[(\d+)\]$", line)}
    assert cited == set(range(1, len(references) + 1))


def test_bigcode_s_facts_as_of_date_is_in_every_row() -> None:
    report = report_of(EXAMPLE)
    as_of = loader.load(EXAMPLE).facts.project.as_of
    assert as_of is not None
    assert {row["Facts as of"] for row in report.values()} == {as_of.isoformat()}


def test_bigcode_s_undisclosed_indicators_name_the_facts_that_would_answer() -> None:
    report = report_of(EXAMPLE)
    crawling = report["Crawling"]
    assert crawling["Disclosed"] == "no"
    assert crawling["Facts"].splitlines() == ["datasets[*].crawler.name", "datasets[*].tdm_opt_out"]
    water = report["Water usage for final training run"]
    assert water["Disclosure"] == "Not disclosed in the facts; no field of project.yaml records it."


def test_text_with_quotes_and_commas_reads_back_unchanged(write) -> None:
    facts = SOME.replace(
        "category: crawled",
        'category: crawled\n    description: "a, b"\n    curation: "one,\\ntwo \\"three\\""',
    )
    row = report_of(write(facts))["Data processing methods"]
    assert row["Disclosure"] == 'Mine: one, two "three"'


# --- determinism -------------------------------------------------------------------------------


def test_the_report_is_byte_identical_across_processes() -> None:
    code = (
        "import sys; from govcard import derive, loader; from govcard.exports import fmti; "
        "sys.stdout.buffer.write(fmti.csv_text(derive.derive(loader.load(sys.argv[1]))).encode())"
    )
    assert len(set(under_hash_seeds(code, str(EXAMPLE), seeds=("0", "1", "12345")))) == 1
