"""Derived facts: what the cards need beyond the facts themselves.

Footprints, each model's license as the catalog knows it, resolved datasets and base models,
the Hub metadata, and the gaps — what the facts do not say and the cards therefore leave out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govcard import carbon, licenses
from govcard.loader import Project
from govcard.schema import Dataset, EvalResult, Model, OtherLicense


@dataclass(frozen=True)
class LicenseView:
    """A model's license: its Hub id, a name and link for people, and its RAIL terms if any."""

    id: str
    name: str
    url: str | None
    rail: licenses.LicenseInfo | None
    """The catalog entry for a RAIL license; None when the license has no use restrictions."""
    other: bool = False
    """`license: other`, with its own name and link."""


@dataclass(frozen=True)
class ModelView:
    """A model with everything derived for its card."""

    model: Model
    index: int
    license: LicenseView | None
    footprint: carbon.Footprint | None
    datasets: list[Dataset]
    """Datasets of this project the model was trained on."""
    hub_datasets: list[str]
    """Hub ids of all its training data."""
    base: Model | None
    """The base model when it is a model of this project."""
    base_hub_id: str | None
    attribution_tools: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Derived:
    """The loaded project and everything derived from it."""

    project: Project
    models: list[ModelView]
    gaps: list[str]
    warnings: list[str] = field(default_factory=list)
    """Facts that are valid but suspicious, located: a power per GPU below 30 W, say."""


def license_view(value: str | OtherLicense | None) -> LicenseView | None:
    """How a model's license field reads in a card."""
    if value is None:
        return None
    if isinstance(value, OtherLicense):
        return LicenseView(id="other", name=value.name, url=value.link, rail=None, other=True)
    info = licenses.rail(value)
    if info is not None:
        return LicenseView(id=value, name=info.name, url=info.url, rail=info)
    return LicenseView(id=value, name=licenses.hub_license_ids()[value], url=None, rail=None)


_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


def hub_dataset(result: EvalResult) -> str | None:
    """The Hub dataset (ORG/NAME) an evaluation result was measured on, if its dataset_id is one;
    a bare dataset type (`openai_humaneval`) is not."""
    found = result.dataset_id
    return found if found is not None and _HUB_ID.fullmatch(found) else None


def derive(project: Project) -> Derived:
    """Derive footprints, licenses and references for every model; collect the gaps."""
    facts = project.facts
    footprints = {f.id: f for f in carbon.footprints(project)}
    datasets = {d.id: d for d in facts.datasets}
    models = {m.id: m for m in facts.models}
    gaps: list[str] = []
    views: list[ModelView] = []
    for index, model in enumerate(facts.models):
        where = f"models[{model.id}]"
        own = [datasets[ref] for ref in model.datasets if ref in datasets]
        hub_datasets: list[str] = []
        for ref in model.datasets:
            hub_id = datasets[ref].hub_id if ref in datasets else ref
            if hub_id is None:
                gaps.append(
                    f"{where}: dataset {ref} has no hub_id, so the card metadata leaves it out"
                )
            elif hub_id not in hub_datasets:
                hub_datasets.append(hub_id)
        base = models.get(model.base_model) if model.base_model else None
        base_hub_id = base.hub_id if base is not None else model.base_model
        if base is not None and base.hub_id is None:
            gaps.append(f"{where}: base model {base.id} has no hub_id, so base_model is left out")
        footprint = footprints.get(model.id)
        if model.license is None:
            gaps.append(f"{where}: no license")
        if model.training is None:
            gaps.append(f"{where}: no training facts; carbon footprint not reported")
        elif footprint is not None and footprint.co2eq_kg is None:
            gaps.append(
                f"{where}: carbon footprint not computable (missing {', '.join(footprint.missing)})"
                + "".join(f"; {note}" for note in footprint.notes)
            )
        if not model.evaluation:
            gaps.append(f"{where}: no evaluation results")
        for result in model.evaluation:
            if hub_dataset(result) is None:
                gaps.append(
                    f"{where}: the evaluation on {result.dataset} names no Hub dataset "
                    "(dataset_id ORG/NAME), so .eval_results leaves it out"
                )
        for name in ("intended_use", "limitations", "citation"):
            if getattr(model, name) is None:
                gaps.append(f"{where}: no {name.replace('_', ' ')}")
        views.append(
            ModelView(
                model=model,
                index=index,
                license=license_view(model.license),
                footprint=footprint,
                datasets=own,
                hub_datasets=hub_datasets,
                base=base,
                base_hub_id=base_hub_id,
                attribution_tools=[tool for d in own for tool in d.attribution_tools],
            )
        )
    warnings = [w for f in footprints.values() for w in f.warnings]
    return Derived(project=project, models=views, gaps=gaps, warnings=warnings)
