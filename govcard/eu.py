"""EU AI Act documents from the same facts: figures in the forms' units and ranges, and gaps.

Two documents are rendered: the public summary of training content (the Commission's template of
July 2025) and the Model Documentation Form of the General-Purpose AI Code of Practice
(Transparency chapter, July 2025). This module computes what they need beyond the facts:
parameters to two significant figures, size and time ranges, training compute with its method,
energy in MWh with its method, and the list of what the facts still lack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from govcard.derive import Derived, ModelView
from govcard.schema import Dataset

SUMMARY_TEMPLATE_VERSION = (
    "European Commission, Template for the Public Summary of Training Content for general-purpose "
    "AI models (Explanatory Notice and Template, July 2025)"
)
FORM_VERSION = "General-Purpose AI Code of Practice, Transparency chapter, Model Documentation Form (July 2025)"

# Who receives each part of the Model Documentation Form.
AI_OFFICE, AUTHORITIES, DOWNSTREAM = (
    "AI Office",
    "national competent authorities",
    "downstream providers",
)


def scientific(value: float, digits: int = 2) -> str:
    """A number to `digits` significant figures in scientific notation: 1.55e10 -> "1.6 × 10^10"."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, digits - 1)
    if abs(mantissa) >= 10:  # 9.96 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{digits - 1}f} × 10^{exponent}"


def bucket(value: float, edges: Sequence[tuple[float, str]], last: str) -> str:
    """The label of the first range whose upper edge `value` is below; else `last`."""
    for edge, label in edges:
        if value < edge:
            return label
    return last


PARAMETER_RANGES = [
    (1e9, "under 1 billion"),
    (1e10, "1 to 10 billion"),
    (1e11, "10 to 100 billion"),
    (5e11, "100 to 500 billion"),
    (1e12, "500 billion to 1 trillion"),
]
TOKEN_RANGES = [(1e9, "less than 1 billion tokens"), (1e13, "1 billion to 10 trillion tokens")]
ITEM_RANGES = [(1e6, "less than 1 million items"), (1e9, "1 million to 1 billion items")]
TIME_RANGES = [(30, "less than 1 month"), (90, "1 to 3 months"), (180, "3 to 6 months")]


def parameter_range(parameters: int) -> str:
    """The model's size range by its number of parameters."""
    return bucket(parameters, PARAMETER_RANGES, "more than 1 trillion")


def data_size_range(dataset: Dataset) -> str | None:
    """The training-data size range of the summary template, from tokens or item counts."""
    if dataset.tokens is not None:
        return bucket(dataset.tokens, TOKEN_RANGES, "more than 10 trillion tokens")
    if dataset.items is not None:
        return bucket(dataset.items, ITEM_RANGES, "more than 1 billion items")
    return None


@dataclass(frozen=True)
class Figure:
    """A value for a form, how it was obtained, or why it is missing."""

    value: str | None
    method: str | None = None

    @property
    def reported(self) -> bool:
        """Whether there is a value."""
        return self.value is not None


def training_days(view: ModelView) -> float | None:
    """Training time in days: from the start and end dates, else the `days` fact."""
    training = view.model.training
    if training is None:
        return None
    if training.start_date and training.end_date:
        return float((training.end_date - training.start_date).days)
    return training.days


def training_time(view: ModelView) -> Figure:
    """Training time and its range."""
    days = training_days(view)
    if days is None:
        return Figure(None)
    shown = round(days, 1)  # the range follows the figure as printed
    text = f"{shown:,.0f}" if shown.is_integer() else f"{shown:,.1f}"
    return Figure(f"{text} days ({bucket(shown, TIME_RANGES, 'more than 6 months')})")


def compute(view: ModelView) -> Figure:
    """Training compute in FLOPs: as reported, else estimated as 6 × parameters × tokens."""
    training = view.model.training
    if training is not None and training.flops is not None:
        return Figure(
            f"{scientific(training.flops)} FLOPs",
            training.flops_method or "as reported by the provider",
        )
    parameters = view.model.parameters
    tokens = training.tokens if training is not None else None
    if parameters and tokens:
        return Figure(
            f"{scientific(6 * parameters * tokens)} FLOPs",
            f"estimated as 6 × parameters × training tokens = 6 × {scientific(parameters, 3)} × "
            f"{scientific(tokens, 3)} (the dense-transformer approximation of Kaplan et al., 2020)",
        )
    return Figure(None)


def energy(view: ModelView) -> Figure:
    """Training energy in MWh with the method: computed from the carbon facts, else as reported."""
    footprint = view.footprint
    if footprint is not None and footprint.facility_energy_kwh is not None:
        mwh = kwh_to_mwh(footprint.facility_energy_kwh)
        if footprint.method == "codecarbon":
            method = "measured with codecarbon (data-centre overhead included)"
        else:
            method = (
                f"GPU-hours × average power per GPU × PUE {footprint.pue:g}, computed by govcard"
            )
        return Figure(f"{mwh_text(mwh)} MWh", method)
    training = view.model.training
    reported = training.reported.energy_quantity() if training and training.reported else None
    if reported is not None:
        return Figure(
            f"{mwh_text(kwh_to_mwh(reported.value))} MWh",
            f"as reported by the provider ({reported.text})",
        )
    return Figure(None)


def mwh_text(mwh: float) -> str:
    """MWh with two decimals, or three significant figures below 0.01 MWh (0.0024, not 0.00)."""
    return f"{mwh:,.2f}" if mwh >= 0.01 or mwh == 0 else f"{mwh:.3g}"


def kwh_to_mwh(kwh: float) -> float:
    """kWh to MWh."""
    return kwh / 1000


@dataclass(frozen=True)
class Gap:
    """A fact one of the documents needs and the facts do not give."""

    document: str
    path: str
    what: str
    required: bool


def gaps(derived: Derived) -> list[Gap]:
    """What the facts lack for the EU documents, field by field."""
    facts = derived.project.facts
    found: list[Gap] = []

    def need(document: str, path: str, what: str, present: Any, required: bool = True) -> None:
        if present in (None, [], "", {}):
            found.append(Gap(document, path, what, required))

    summary, form = "eu/training-content-summary", "eu/model-documentation"
    provider = facts.project.provider
    need(summary, "project.provider.name", "provider identification", provider and provider.name)
    need(
        summary,
        "project.provider.contact",
        "provider contact",
        provider and provider.contact,
        False,
    )
    need(form, "project.provider.name", "legal name of the provider", provider and provider.name)
    for view in derived.models:
        m = view.model
        where = f"models[{m.id}]"
        need(
            summary,
            f"{where}.eu_placement_date",
            "date of placement on the Union market",
            m.eu_placement_date,
        )
        need(form, f"{where}.release_date", "release date", m.release_date)
        need(form, f"{where}.eu_placement_date", "Union market release date", m.eu_placement_date)
        need(form, f"{where}.parameters", "total number of parameters", m.parameters)
        need(form, f"{where}.architecture", "model architecture", m.architecture)
        need(form, f"{where}.input_modalities", "input modalities", m.input_modalities)
        need(form, f"{where}.output_modalities", "output modalities", m.output_modalities)
        need(
            form, f"{where}.distribution_channels", "distribution channels", m.distribution_channels
        )
        need(form, f"{where}.license", "license", m.license)
        need(form, f"{where}.intended_use", "intended uses", m.intended_use, False)
        need(form, f"{where}.version", "model version", m.version, False)
        training = m.training
        need(
            form,
            f"{where}.training.training_type",
            "training type",
            training and training.training_type,
            False,
        )
        need(
            form,
            f"{where}.description",
            "design of the training process",
            m.modifications or m.description,
            False,
        )
        need(
            form,
            f"{where}.training.hardware",
            "hardware and software",
            training and (training.hardware or training.software),
            False,
        )
        rail = (
            view.license is not None
            and view.license.rail is not None
            and not view.license.rail.family_only
        )
        if not rail:
            need(
                form,
                f"{where}.acceptable_use_policy",
                "acceptable use policy",
                m.acceptable_use_policy,
                False,
            )
        need(form, f"{where}.datasets", "training data", m.datasets)
        need(form, f"{where}.training", "training time", training_days(view))
        need(
            form,
            f"{where}.training.flops",
            "training compute (or parameters and training.tokens)",
            compute(view).value,
        )
        need(
            form,
            f"{where}.training",
            "training energy (carbon facts or reported energy)",
            energy(view).value,
        )
    for dataset in facts.datasets:
        where = f"datasets[{dataset.id}]"
        need(summary, f"{where}.category", "kind of data source", dataset.category)
        need(summary, f"{where}.modality", "modality", dataset.modality)
        need(summary, f"{where}.tokens", "size (tokens or items)", data_size_range(dataset))
        need(summary, f"{where}.collection_end", "data collection period", dataset.collection_end)
        need(summary, f"{where}.languages", "languages", dataset.languages, False)
        if dataset.category in ("crawled", None):
            need(
                summary,
                f"{where}.tdm_opt_out",
                "respect of text-and-data-mining opt-outs",
                dataset.tdm_opt_out,
            )
        if dataset.category == "crawled":
            need(
                summary, f"{where}.crawler", "crawler name, purpose and behaviour", dataset.crawler
            )
        if dataset.category == "synthetic":
            need(
                summary,
                f"{where}.synthetic_models",
                "models that generated the data",
                dataset.synthetic_models,
            )
        need(
            summary,
            f"{where}.illegal_content",
            "removal of illegal content",
            dataset.illegal_content,
        )
    return found


def context(derived: Derived) -> dict[str, Any]:
    """What the EU templates receive on top of the common context."""
    views = derived.models
    return {
        "eu": {
            "summary_version": SUMMARY_TEMPLATE_VERSION,
            "form_version": FORM_VERSION,
            "recipients": {
                "all": [AI_OFFICE, AUTHORITIES, DOWNSTREAM],
                "authorities": [AI_OFFICE, AUTHORITIES],
            },
            "parameters": {
                v.model.id: (scientific(v.model.parameters), parameter_range(v.model.parameters))
                for v in views
                if v.model.parameters
            },
            "training_time": {v.model.id: training_time(v) for v in views},
            "compute": {v.model.id: compute(v) for v in views},
            "energy": {v.model.id: energy(v) for v in views},
            "data_size": {d.id: data_size_range(d) for d in derived.project.facts.datasets},
        }
    }
