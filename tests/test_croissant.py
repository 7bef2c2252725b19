"""The Croissant export: Croissant 1.1 with the RAI vocabulary, one file per dataset, checked by
mlcroissant, filled only from facts, the same bytes on every run, and mergeable with the Croissant
the Hub generates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlcroissant
import pytest
from support import under_hash_seeds

from govcard import __version__, derive, loader
from govcard.exports import croissant

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
# The Hub's Croissant of a small dataset, shaped as the dataset viewer's croissant-crumbs endpoint
# writes it (huggingface/dataset-viewer, services/api/src/api/routes/croissant_crumbs.py), with
# the name, description, url and license the Hub adds to it.
HUB_CROISSANT = ROOT / "tests" / "fixtures" / "croissant" / "hub-org-tiny.json"
# What mlcroissant recommends and a dataset's facts do not hold: its citation, release date and
# version (the facts list versions, but name none "the" version).
RECOMMENDED = {"citeAs", "datePublished", "version", "license"}

MINIMAL = """\
project: {name: Tiny}
datasets:
  - {id: tiny, name: Tiny}
"""


def example_files() -> dict[str, str]:
    return croissant.files(derive.derive(loader.load(EXAMPLE)))


def export(load: Any, text: str) -> dict[str, Any]:
    """The Croissant document of the only dataset of a project."""
    (only,) = croissant.files(derive.derive(load(text))).values()
    return dict(json.loads(only))


def assert_valid(text: str) -> None:
    """mlcroissant finds no error, and warns of nothing but missing recommended properties."""
    issues = croissant.validate(text)
    unexpected = [
        issue
        for issue in issues
        if not any(f'/{name}" is recommended, but does not exist' in issue for name in RECOMMENDED)
    ]
    assert unexpected == []


def test_the_example_has_a_valid_file_per_dataset() -> None:
    files = example_files()
    assert sorted(files) == ["starcoderdata.json", "the-stack.json"]
    for text in files.values():
        assert_valid(text)


def test_mlcroissant_reads_the_rai_properties_back() -> None:
    text = example_files()["starcoderdata.json"]
    metadata = mlcroissant.Dataset(jsonld=json.loads(text)).metadata
    assert metadata.data_annotation_platform == ["Toloka"]
    assert metadata.annotator_demographics == ["The annotators worked from 35 countries."]
    assert metadata.data_use_cases == ["Training data of StarCoderBase and StarCoder."]
    assert metadata.machine_annotation_tools == [
        "StarPII (https://huggingface.co/bigcode/starpii), a detector of personal data."
    ]
    assert metadata.personal_sensitive_information[0] == (
        "Personal data detected with StarPII: names, emails, IP addresses, keys, passwords, "
        "usernames."
    )
    assert metadata.data_collection_type == ["Web Scraping"]
    assert metadata.url == "https://huggingface.co/datasets/bigcode/starcoderdata"


def test_the_context_is_the_one_mlcroissant_writes_for_croissant_1_1() -> None:
    from mlcroissant._src.core.context import Context, CroissantVersion
    from mlcroissant._src.core.rdf import make_context

    context = Context()
    context.conforms_to = CroissantVersion.V_1_1
    expected = {**make_context(context), "prov": "http://www.w3.org/ns/prov#"}
    assert expected == croissant.CONTEXT


def test_a_dataset_with_no_facts_has_no_rai_property(load) -> None:
    document = export(load, MINIMAL)
    assert list(document) == ["@context", "@type", "conformsTo", "name", "prov:wasGeneratedBy"]
    assert_valid(json.dumps(document))


# RAI properties, and facts of the dataset that fill them (and no other).
FILLED_BY = [
    (
        ["rai:dataCollection", "rai:dataCollectionRawData"],
        ["sources: [{name: Web, collection: Crawled in 2024.}]"],
    ),
    (["rai:dataCollection"], ["opt_out: {process: Ask us.}"]),
    (["rai:dataCollectionType"], ["category: crawled"]),
    (["rai:dataCollectionRawData"], ["sources: [{name: Web}]"]),
    (
        ["rai:dataCollectionTimeframe"],
        ["collection_start: 2020-01-01", "collection_end: 2021-01-01"],
    ),
    ([], ["collection_start: 2020-01-01"]),
    (["rai:dataPreprocessingProtocol"], ["curation: Deduplicated."]),
    (["rai:dataAnnotationProtocol"], ["pii: {annotation: {workers: 3}}"]),
    (
        ["rai:dataAnnotationProtocol", "rai:dataAnnotationPlatform"],
        ["pii: {annotation: {vendor: Toloka}}"],
    ),
    (["rai:annotatorDemographics"], ["pii: {annotation: {countries: 2}}"]),
    (["rai:machineAnnotationTools"], ["pii: {detector: {name: StarPII}}"]),
    (["rai:personalSensitiveInformation"], ["pii: {redaction: {method: Replaced.}}"]),
    (["rai:dataBiases"], ["biases: Counted per language."]),
    (["rai:dataReleaseMaintenancePlan"], ["maintenance: {update_cadence: Yearly.}"]),
    (["rai:dataReleaseMaintenancePlan"], ["versions: [{version: '1.0'}]"]),
]


@pytest.mark.parametrize(("keys", "facts"), FILLED_BY)
def test_each_rai_property_comes_from_a_fact(load, keys: list[str], facts: list[str]) -> None:
    text = "project: {name: Tiny}\ndatasets:\n  - id: tiny\n    name: Tiny\n"
    document = export(load, text + "".join(f"    {fact}\n" for fact in facts))
    assert [k for k in document if k.startswith("rai:")] == keys
    assert_valid(json.dumps(document))


def test_the_use_cases_are_the_models_trained_on_it(load) -> None:
    document = export(
        load, MINIMAL + "models:\n  - {id: a, name: A, datasets: [tiny]}\n  - {id: b, name: B}\n"
    )
    assert document["rai:dataUseCases"] == ["Training data of A."]


def test_the_file_names_govcard_and_the_as_of_date(load) -> None:
    document = export(load, MINIMAL.replace("{name: Tiny}", "{name: Tiny, as_of: 2024-05-01}"))
    assert document["sdDatePublished"] == "2024-05-01"
    agent = document["prov:wasGeneratedBy"]["prov:wasAssociatedWith"]
    assert (agent["name"], agent["softwareVersion"]) == ("govcard", __version__)
    assert_valid(json.dumps(document))


def test_a_hub_dataset_is_named_as_the_hub_names_it(load) -> None:
    document = export(
        load, MINIMAL.replace("{id: tiny, name: Tiny}", "{id: tiny, name: Tiny, hub_id: org/tiny}")
    )
    assert document["url"] == document["@id"] == "https://huggingface.co/datasets/org/tiny"
    hub = json.loads(HUB_CROISSANT.read_text(encoding="utf-8"))
    assert document["url"] == hub["url"]


def test_merged_with_the_hubs_croissant_it_keeps_the_files_and_adds_the_rai(load) -> None:
    ours = export(
        load,
        MINIMAL.replace(
            "{id: tiny, name: Tiny}",
            "{id: tiny, name: Tiny, hub_id: org/tiny, "
            "category: crawled, biases: Counted per language.}",
        ),
    )
    hub = json.loads(HUB_CROISSANT.read_text(encoding="utf-8"))
    merged = croissant.merge(hub, ours)
    assert_valid(json.dumps(merged))
    metadata = mlcroissant.Dataset(jsonld=merged).metadata
    assert [r.name for r in metadata.record_sets] == ["default"]
    assert [d.name for d in metadata.distribution] == ["repo", "parquet-files-for-config-default"]
    assert metadata.data_collection_type == ["Web Scraping"]
    assert metadata.data_biases == ["Counted per language."]
    assert merged["name"] == "tiny"  # the Hub's properties win
    assert merged["conformsTo"] == [hub["conformsTo"], croissant.RAI]
    assert croissant.merge(merged, ours) == merged
    assert json.loads(HUB_CROISSANT.read_text(encoding="utf-8")) == hub  # left as it was


def test_the_files_are_the_same_bytes_on_every_run() -> None:
    script = (
        "import json, sys\n"
        "from govcard import derive, loader\n"
        "from govcard.exports import croissant\n"
        "sys.stdout.write(json.dumps(croissant.files(derive.derive(loader.load(sys.argv[1])))))\n"
    )
    runs = under_hash_seeds(script, str(EXAMPLE))
    assert runs[0] == runs[1]
    assert json.loads(runs[0]) == example_files()


@pytest.mark.parametrize(
    ("license_", "expected"),
    [
        ("cc-by-4.0", "cc-by-4.0"),
        (
            "{id: other, name: terms, link: 'https://example.org/terms'}",
            "https://example.org/terms",
        ),
    ],
)
def test_the_license_is_its_address_or_its_hub_id(load, license_: str, expected: str) -> None:
    document = export(
        load,
        MINIMAL.replace("{id: tiny, name: Tiny}", f"{{id: tiny, name: Tiny, license: {license_}}}"),
    )
    assert document["license"] == expected
    assert_valid(json.dumps(document))
