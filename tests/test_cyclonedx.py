"""The CycloneDX export: a 1.6 ML-BOM of the models and datasets, valid against
cyclonedx-python-lib's own strict schema, with the training energy and CO2eq of govcard's carbon
account, and the same bytes for the same facts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from support import under_hash_seeds

from govcard import __version__, derive, loader
from govcard.exports import cyclonedx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"

MINIMAL = """\
project: {name: Tiny}
datasets:
  - {id: tiny, name: Tiny}
models:
  - {id: m, datasets: [tiny]}
"""


def example_bom() -> dict[str, Any]:
    return dict(json.loads(cyclonedx.files(derive.derive(loader.load(EXAMPLE)))["cyclonedx.json"]))


def export(load: Any, text: str) -> dict[str, Any]:
    document = json.loads(cyclonedx.files(derive.derive(load(text)))["cyclonedx.json"])
    assert_valid(document)
    return dict(document)


def assert_valid(document: dict[str, Any]) -> None:
    """cyclonedx-python-lib's strict validator for CycloneDX 1.6 finds nothing wrong."""
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert error is None, str(error)


def component(document: dict[str, Any], ref: str) -> Any:
    """The component of a bom-ref, in place."""
    (found,) = [c for c in document["components"] if c["bom-ref"] == ref]
    return found


def energy(document: dict[str, Any], ref: str) -> Any:
    """The one energy consumption of a model's card, in place."""
    card = component(document, ref)["modelCard"]
    (consumption,) = card["considerations"]["environmentalConsiderations"]["energyConsumptions"]
    return consumption


def test_the_example_is_a_valid_cyclonedx_1_6_bom() -> None:
    document = example_bom()
    assert_valid(document)
    assert (document["bomFormat"], document["specVersion"]) == ("CycloneDX", "1.6")
    kinds = [(c["type"], c["name"]) for c in document["components"]]
    assert kinds == [
        ("machine-learning-model", "SantaCoder"),
        ("machine-learning-model", "StarCoderBase"),
        ("machine-learning-model", "StarCoder"),
        ("data", "The Stack"),
        ("data", "StarCoderData"),
    ]


def test_the_validator_refuses_co2_in_kilograms() -> None:
    document = example_bom()
    energy(document, "model:santacoder")["co2CostEquivalent"]["unit"] = "kgCO2eq"
    errors = cyclonedx.validate(json.dumps(document))
    assert len(errors) == 1
    assert "'kgCO2eq' is not one of ['tCO2eq']" in errors[0]


def test_the_training_footprint_is_the_carbon_accounts() -> None:
    derived = derive.derive(loader.load(EXAMPLE))
    document = example_bom()
    for view in derived.models[:2]:
        footprint = view.footprint
        assert footprint is not None and footprint.co2eq_kg is not None
        consumption = energy(document, f"model:{view.model.id}")
        assert consumption["activity"] == "training"
        assert consumption["activityEnergyCost"] == {
            "value": pytest.approx(footprint.facility_energy_kwh),
            "unit": "kWh",
        }
        assert consumption["co2CostEquivalent"] == {
            "value": pytest.approx(footprint.co2eq_kg / 1000),
            "unit": "tCO2eq",
        }
    assert energy(document, "model:santacoder")["activityEnergyCost"]["value"] == 5142.24


def test_the_reported_figures_and_their_verdict_go_with_the_footprint() -> None:
    properties = {
        p["name"]: p["value"] for p in energy(example_bom(), "model:santacoder")["properties"]
    }
    assert properties["govcard:energy:source"] == (
        "computed by govcard from the training facts, PUE included"
    )
    assert properties["govcard:reported:inconsistent"].startswith(
        "reported 124 kg matches the figure without PUE"
    )


def test_no_footprint_without_the_energy() -> None:
    """StarCoder's fine-tuning has GPU-hours but no power or grid: nothing to put."""
    card = component(example_bom(), "model:starcoder")["modelCard"]
    assert "environmentalConsiderations" not in card["considerations"]


def test_reported_figures_serve_when_nothing_can_be_computed(load) -> None:
    document = export(
        load,
        MINIMAL.replace(
            "{id: m, datasets: [tiny]}",
            "{id: m, training: {training_type: fine-tuning, reported: {energy: 2 MWh, "
            "co2eq: 500 kg, source: 'https://example.org/paper'}}}",
        ),
    )
    consumption = energy(document, "model:m")
    assert consumption["activity"] == "fine-tuning"
    assert consumption["activityEnergyCost"] == {"value": 2000, "unit": "kWh"}
    assert consumption["co2CostEquivalent"] == {"value": 0.5, "unit": "tCO2eq"}
    assert consumption["properties"] == [
        {"name": "govcard:energy:source", "value": "reported: 2 MWh (https://example.org/paper)"},
        {"name": "govcard:co2:source", "value": "reported: 500 kg (https://example.org/paper)"},
    ]


def test_the_model_card_comes_from_the_facts() -> None:
    card = component(example_bom(), "model:starcoder")["modelCard"]
    assert card["modelParameters"]["task"] == "text-generation"
    assert card["modelParameters"]["datasets"] == [{"ref": "dataset:starcoderdata"}]
    assert card["modelParameters"]["inputs"] == [{"format": "code"}, {"format": "text"}]
    assert card["quantitativeAnalysis"]["performanceMetrics"][0] == {
        "type": "pass@1",
        "value": "0.408",
        "slice": "HumanEval (Prompted)",
    }
    assert card["considerations"]["useCases"][0].startswith("Code completion and generation")
    assert card["considerations"]["technicalLimitations"][0].startswith("Generated code")


def test_a_model_with_no_facts_has_no_model_card(load) -> None:
    document = export(load, MINIMAL.replace("{id: m, datasets: [tiny]}", "{id: m}"))
    assert component(document, "model:m") == {
        "type": "machine-learning-model",
        "bom-ref": "model:m",
        "name": "m",
    }
    assert component(document, "dataset:tiny") == {
        "type": "data",
        "bom-ref": "dataset:tiny",
        "name": "Tiny",
        "data": [{"type": "dataset", "name": "Tiny"}],
    }
    assert "dependencies" not in document


def test_out_of_scope_use_is_an_ethical_consideration(load) -> None:
    document = export(
        load, MINIMAL.replace("{id: m, datasets: [tiny]}", "{id: m, out_of_scope_use: Medicine.}")
    )
    considerations = component(document, "model:m")["modelCard"]["considerations"]
    assert considerations == {"ethicalConsiderations": [{"name": "Out-of-scope use: Medicine."}]}


@pytest.mark.parametrize(
    ("license_", "expected"),
    [
        ("apache-2.0", {"id": "Apache-2.0"}),
        (
            "bigcode-openrail-m",
            {
                "name": "BigCode Open RAIL-M v1",
                "url": "https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement",
            },
        ),
        (
            "{id: other, name: my-license, link: 'https://example.org/license'}",
            {"name": "my-license", "url": "https://example.org/license"},
        ),
    ],
)
def test_a_license_is_its_spdx_id_or_its_name_and_link(
    load, license_: str, expected: dict[str, str]
) -> None:
    document = export(
        load, MINIMAL.replace("{id: m, datasets: [tiny]}", f"{{id: m, license: {license_}}}")
    )
    assert component(document, "model:m")["licenses"] == [{"license": expected}]


def test_a_model_depends_on_its_datasets_and_base_model(load) -> None:
    document = export(
        load,
        MINIMAL + "  - {id: tuned, base_model: m, datasets: [tiny, org/extra]}\n",
    )
    assert document["dependencies"] == [
        {"ref": "model:m", "dependsOn": ["dataset:tiny"]},
        {"ref": "model:tuned", "dependsOn": ["dataset:tiny", "model:m"]},
    ]
    datasets = component(document, "model:tuned")["modelCard"]["modelParameters"]["datasets"]
    assert datasets[1] == {
        "type": "dataset",
        "name": "org/extra",
        "contents": {"url": "https://huggingface.co/datasets/org/extra"},
    }


def test_the_bom_names_govcard_and_the_as_of_date_and_no_other_time(load) -> None:
    dated = MINIMAL.replace("{name: Tiny}", "{name: Tiny, as_of: 2024-05-01}")
    document = export(load, dated)
    assert document["metadata"]["timestamp"] == "2024-05-01T00:00:00Z"
    assert document["metadata"]["tools"] == {
        "components": [{"type": "application", "name": "govcard", "version": __version__}]
    }
    assert "timestamp" not in export(load, MINIMAL)["metadata"]
    text = json.dumps(document)
    assert re.findall(r"\d{4}-\d\d-\d\d", text) == ["2024-05-01"]


def test_the_serial_number_is_fixed_by_the_project_and_its_date(load) -> None:
    first = export(load, MINIMAL)["serialNumber"]
    assert first == export(load, MINIMAL.replace("{id: m, ", "{id: n, "))["serialNumber"]
    assert first != export(load, MINIMAL.replace("{name: Tiny}", "{name: Other}"))["serialNumber"]
    dated = MINIMAL.replace("{name: Tiny}", "{name: Tiny, as_of: 2024-05-01}")
    assert first != export(load, dated)["serialNumber"]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", first)


def test_the_file_is_the_same_bytes_on_every_run() -> None:
    script = (
        "import sys\n"
        "from govcard import derive, loader\n"
        "from govcard.exports import cyclonedx\n"
        "derived = derive.derive(loader.load(sys.argv[1]))\n"
        "sys.stdout.write(cyclonedx.files(derived)['cyclonedx.json'])\n"
    )
    runs = under_hash_seeds(script, str(EXAMPLE))
    assert runs[0] == runs[1]
    assert json.loads(runs[0]) == example_bom()
