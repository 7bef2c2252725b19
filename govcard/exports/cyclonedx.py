"""CycloneDX 1.6 ML-BOM: the project's models and datasets as one bill of materials.

Each model is a `machine-learning-model` component with a `modelCard`: its parameters (task,
architecture, training datasets, inputs and outputs), its evaluation results as performance
metrics, its intended and out-of-scope use and limitations as considerations, and its training
energy and CO2eq from govcard's carbon account as `environmentalConsiderations`. Each dataset is a
`data` component; a model depends on its datasets and its base model.

The BOM is the same for the same facts: its serial number is a UUID derived from the project's
name and as-of date, and its only timestamp is that date. cyclonedx-python-lib's object model has
no model card, so the JSON is written here and checked against the library's own 1.6 schema.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from govcard import __version__, units
from govcard.derive import Derived, LicenseView, ModelView, license_view
from govcard.schema import Dataset, ProjectFile

SPEC_VERSION = "1.6"
FILE_NAME = "cyclonedx.json"
HUB = "https://huggingface.co"
# Serial numbers are UUIDs in this namespace, named by the project (and its as-of date).
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://govcard.dev/cyclonedx")


def files(derived: Derived) -> dict[str, str]:
    """The ML-BOM of the project: `cyclonedx.json`."""
    return {FILE_NAME: json.dumps(bom(derived), indent=2, ensure_ascii=False) + "\n"}


def serial_number(facts: ProjectFile) -> str:
    """`urn:uuid:` and a UUID 5 of the project's name and as-of date: fixed for the same facts."""
    as_of = facts.project.as_of
    name = facts.project.name + (f"@{as_of.isoformat()}" if as_of is not None else "")
    return f"urn:uuid:{uuid.uuid5(SERIAL_NAMESPACE, name)}"


def bom(derived: Derived) -> dict[str, Any]:
    """The BOM as a JSON-ready mapping."""
    facts = derived.project.facts
    metadata: dict[str, Any] = {}
    if facts.project.as_of is not None:
        metadata["timestamp"] = f"{facts.project.as_of.isoformat()}T00:00:00Z"
    metadata["tools"] = {
        "components": [{"type": "application", "name": "govcard", "version": __version__}]
    }
    metadata["supplier"] = _supplier(facts)
    components = [model_component(view, facts) for view in derived.models]
    components += [data_component(dataset) for dataset in facts.datasets]
    document: dict[str, Any] = {
        "$schema": f"http://cyclonedx.org/schema/bom-{SPEC_VERSION}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial_number(facts),
        "version": 1,
        "metadata": metadata,
        "components": components,
    }
    dependencies = [_dependencies(view, facts) for view in derived.models]
    kept = [d for d in dependencies if d["dependsOn"]]
    if kept:
        document["dependencies"] = kept
    return document


def _supplier(facts: ProjectFile) -> dict[str, Any]:
    """The project, as the supplier of the models and datasets the BOM lists."""
    supplier: dict[str, Any] = {"name": facts.project.name}
    if facts.project.homepage:
        supplier["url"] = [facts.project.homepage]
    return supplier


def model_ref(model_id: str) -> str:
    """The bom-ref of a model of the project."""
    return f"model:{model_id}"


def dataset_ref(dataset_id: str) -> str:
    """The bom-ref of a dataset of the project."""
    return f"dataset:{dataset_id}"


def model_component(view: ModelView, facts: ProjectFile) -> dict[str, Any]:
    """A `machine-learning-model` component with its model card."""
    model = view.model
    component: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": model_ref(model.id),
        "name": model.name,
    }
    _put(component, "version", model.version)
    _put(component, "description", model.description)
    if view.license is not None:
        component["licenses"] = [_license(view.license)]
    if model.hub_id:
        component["externalReferences"] = [{"type": "model-card", "url": f"{HUB}/{model.hub_id}"}]
    card: dict[str, Any] = {}
    parameters = _parameters(view, facts)
    if parameters:
        card["modelParameters"] = parameters
    if model.evaluation:
        card["quantitativeAnalysis"] = {
            "performanceMetrics": [
                {
                    "type": e.metric,
                    "value": repr(e.value),
                    "slice": e.dataset + (f" ({e.dataset_config})" if e.dataset_config else ""),
                }
                for e in model.evaluation
            ]
        }
    considerations = _considerations(view)
    if considerations:
        card["considerations"] = considerations
    if card:
        component["modelCard"] = card
    return component


def _parameters(view: ModelView, facts: ProjectFile) -> dict[str, Any]:
    model = view.model
    parameters: dict[str, Any] = {}
    _put(parameters, "task", model.pipeline_tag)
    _put(parameters, "modelArchitecture", model.architecture)
    own = {d.id for d in facts.datasets}
    datasets: list[dict[str, Any]] = []
    for ref in model.datasets:
        if ref in own:
            datasets.append({"ref": dataset_ref(ref)})
        else:  # a Hub dataset id (the schema allows no other)
            datasets.append(
                {"type": "dataset", "name": ref, "contents": {"url": f"{HUB}/datasets/{ref}"}}
            )
    if datasets:
        parameters["datasets"] = datasets
    if model.input_modalities:
        parameters["inputs"] = [{"format": m} for m in model.input_modalities]
    if model.output_modalities:
        parameters["outputs"] = [{"format": m} for m in model.output_modalities]
    return parameters


def _considerations(view: ModelView) -> dict[str, Any]:
    model = view.model
    considerations: dict[str, Any] = {}
    if model.intended_use:
        considerations["useCases"] = [model.intended_use]
    if model.limitations:
        considerations["technicalLimitations"] = [model.limitations]
    if model.out_of_scope_use:
        considerations["ethicalConsiderations"] = [
            {"name": f"Out-of-scope use: {model.out_of_scope_use}"}
        ]
    energy = energy_consumption(view)
    if energy is not None:
        considerations["environmentalConsiderations"] = {"energyConsumptions": [energy]}
    return considerations


def energy_consumption(view: ModelView) -> dict[str, Any] | None:
    """The training's energy (facility energy, PUE included, in kWh) and CO2eq (in tCO2eq, the
    unit CycloneDX takes), from govcard's carbon account, else as the project reported them;
    None when neither has the energy, which CycloneDX requires. A property says where each
    figure comes from."""
    training = view.model.training
    if training is None:
        return None
    footprint = view.footprint
    reported = training.reported
    computed = "computed by govcard from the training facts"
    energy: tuple[float, str] | None = None
    if footprint is not None and footprint.facility_energy_kwh is not None:
        energy = (footprint.facility_energy_kwh, f"{computed}, PUE included")
    elif reported is not None and (quantity := reported.energy_quantity()) is not None:
        energy = (quantity.value, _reported(quantity.text, reported.source))
    if energy is None:
        return None
    co2: tuple[float, str] | None = None
    if footprint is not None and footprint.co2eq_kg is not None:
        co2 = (footprint.co2eq_kg, computed)
    elif reported is not None and (quantity := reported.co2eq_quantity()) is not None:
        co2 = (quantity.value, _reported(quantity.text, reported.source))
    consumption: dict[str, Any] = {
        "activity": "fine-tuning" if training.training_type == "fine-tuning" else "training",
        "energyProviders": [],  # the facts do not name the grid's providers
        "activityEnergyCost": {"value": _number(energy[0]), "unit": "kWh"},
    }
    properties = [{"name": "govcard:energy:source", "value": energy[1]}]
    if co2 is not None:
        consumption["co2CostEquivalent"] = {
            "value": _number(float(units.exact(co2[0]) / 1000)),
            "unit": "tCO2eq",
        }
        properties.append({"name": "govcard:co2:source", "value": co2[1]})
    if footprint is not None and footprint.intensity_source and co2 and co2[1] == computed:
        properties.append({"name": "govcard:co2:intensity", "value": footprint.intensity_source})
    if footprint is not None and footprint.consistency.status != "unverified":
        # The published figures, and whether they agree with the computed ones.
        properties.append(
            {
                "name": f"govcard:reported:{footprint.consistency.status}",
                "value": footprint.consistency.message,
            }
        )
    consumption["properties"] = properties
    return consumption


def _reported(text: str, source: str | None) -> str:
    return f"reported: {text}" + (f" ({source})" if source else "")


def _number(value: float) -> float:
    """At most 15 significant digits, as the carbon account prints them (no 5142.240000000001)."""
    return float(units.exact(value))


def data_component(dataset: Dataset) -> dict[str, Any]:
    """A `data` component for a dataset of the project."""
    component: dict[str, Any] = {
        "type": "data",
        "bom-ref": dataset_ref(dataset.id),
        "name": dataset.name,
    }
    _put(component, "description", dataset.description)
    shown = license_view(dataset.license)
    if shown is not None:
        component["licenses"] = [_license(shown)]
    data: dict[str, Any] = {"type": "dataset", "name": dataset.name}
    if dataset.hub_id:
        data["contents"] = {"url": f"{HUB}/datasets/{dataset.hub_id}"}
        component["externalReferences"] = [
            {"type": "distribution", "url": f"{HUB}/datasets/{dataset.hub_id}"}
        ]
    component["data"] = [data]
    return component


def _license(shown: LicenseView) -> dict[str, Any]:
    """A license as CycloneDX takes it: its SPDX id when it has one, else its name and link."""
    from cyclonedx.spdx import fixup_id

    spdx = None if shown.other else fixup_id(shown.id)
    if spdx is not None:
        return {"license": {"id": spdx}}
    named: dict[str, Any] = {"name": shown.name}
    _put(named, "url", shown.url)
    return {"license": named}


def _dependencies(view: ModelView, facts: ProjectFile) -> dict[str, Any]:
    own = {d.id for d in facts.datasets}
    depends = [dataset_ref(ref) for ref in view.model.datasets if ref in own]
    if view.base is not None:
        depends.append(model_ref(view.base.id))
    return {"ref": model_ref(view.model.id), "dependsOn": list(dict.fromkeys(depends))}


def _put(target: dict[str, Any], key: str, value: str | None) -> None:
    if value:
        target[key] = value


def validate(text: str) -> list[str]:
    """What cyclonedx-python-lib's strict JSON validator for CycloneDX 1.6 finds wrong."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(e) for e in errors or ()]
