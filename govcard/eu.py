"""EU AI Act documents from the same facts: figures in the forms' units and ranges, and gaps.

Two documents are rendered, each with one part per model:

- the public summary of training content (Art. 53(1)(d) AI Act), after the European Commission's
  Explanatory Notice and Template for the Public Summary of Training Content for general-purpose
  AI models (published 24 July 2025): 1 general information, 2.1-2.6 the data sources, 3 data
  processing;
- the Model Documentation Form of the General-Purpose AI Code of Practice, Transparency Chapter
  (published 10 July 2025), each field marked with who receives it, as the form marks them: the AI
  Office (AIO), national competent authorities (NCAs), downstream providers (DPs).

This module computes what they need beyond the facts: the ranges each form offers, in its own
units and with its own edges; parameters, compute and data points to two significant figures for
the AI Office and as orders of magnitude for national authorities; training time in days and as a
range; energy in MWh with its method; the template's yes/no answers; the large-dataset and
crawled-domain rules; and the list of what the facts still lack.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from markupsafe import Markup

from govcard import licenses
from govcard.derive import Derived, ModelView
from govcard.markdown import escape
from govcard.schema import Dataset

SUMMARY_TEMPLATE_VERSION = (
    "European Commission, Explanatory Notice and Template for the Public Summary of Training "
    "Content for general-purpose AI models (Art. 53(1)(d) AI Act), published 24 July 2025"
)
FORM_VERSION = (
    "General-Purpose AI Code of Practice, Transparency Chapter, Model Documentation Form "
    "(published 10 July 2025)"
)

# --- who receives what -------------------------------------------------------------------------

AIO, NCAS, DPS = "AIO", "NCAs", "DPs"
RECIPIENTS = {
    AIO: "the AI Office",
    NCAS: "national competent authorities",
    DPS: "downstream providers",
}
ALL = (AIO, NCAS, DPS)
# Annex XI of the AI Act (documentation for the AI Office and national authorities) asks more than
# Annex XII (information for downstream providers): the design, the data selection and counts,
# compute, time and energy go to the authorities only.
AUTHORITIES = (AIO, NCAS)


@dataclass(frozen=True)
class FormField:
    """A field of the Model Documentation Form and who receives it."""

    label: str
    recipients: tuple[str, ...]


FORM_FIELDS: dict[str, FormField] = {
    key: FormField(label, recipients)
    for key, label, recipients in [
        ("document_date", "Date the document was last updated", ALL),
        ("document_version", "Document version number", ALL),
        # 1. General information
        ("legal_name", "Legal name for the model provider", ALL),
        ("model_name", "Model name", ALL),
        ("authenticity", "Model authenticity", ALL),
        ("release_date", "Release date", ALL),
        ("union_release_date", "Union market release date", ALL),
        ("dependencies", "Model dependencies", ALL),
        # 2. Model properties
        ("architecture", "Model architecture", ALL),
        ("design_specification", "Design specification of the model", AUTHORITIES),
        ("input_modalities", "Input modalities (maximum input size)", ALL),
        ("output_modalities", "Output modalities (maximum output size)", ALL),
        ("parameters", "Total number of parameters", ALL),
        ("parameter_range", "Parameter range", ALL),
        # 3. Methods of distribution and licenses
        ("distribution_channels", "Distribution channels", ALL),
        ("license", "License", ALL),
        ("license_category", "License category", ALL),
        # 4. Use
        ("acceptable_use_policy", "Acceptable use policy", ALL),
        ("intended_uses", "Intended uses", ALL),
        ("ai_systems", "Type and nature of AI systems it can be integrated into", ALL),
        ("technical_means", "Technical means for integration", ALL),
        ("required_hardware", "Hardware needed to run the model", ALL),
        ("required_software", "Software needed to run the model", ALL),
        # 5. Training process
        ("training_design", "Design specification of the training process", AUTHORITIES),
        ("decision_rationale", "Decision rationale", AUTHORITIES),
        ("training_hardware", "Training hardware and software", AUTHORITIES),
        # 6. Information on the data used for training, testing and validation
        ("data_type", "Data type (modalities)", ALL),
        ("data_provenance", "Provenance of the data", ALL),
        ("data_selection", "How the data was obtained and selected", AUTHORITIES),
        ("data_points_exact", "Number of data points", (AIO,)),
        ("data_points_magnitude", "Number of data points (order of magnitude)", (NCAS,)),
        ("data_scope", "Scope and main characteristics", AUTHORITIES),
        ("data_curation", "Data curation methodologies", ALL),
        ("data_unsuitability", "Measures to detect unsuitable data sources", AUTHORITIES),
        ("data_biases", "Methods to detect identifiable biases", AUTHORITIES),
        # 7. Computational resources
        ("training_time_days", "Training time", (AIO,)),
        ("training_time_range", "Training time (range)", (NCAS,)),
        ("compute_exact", "Amount of computation used for training", (AIO,)),
        (
            "compute_magnitude",
            "Amount of computation used for training (order of magnitude)",
            (NCAS,),
        ),
        ("compute_method", "Measurement methodology", AUTHORITIES),
        # 8. Energy consumption
        ("energy", "Amount of energy used for training", AUTHORITIES),
        ("energy_method", "Energy measurement methodology", AUTHORITIES),
        ("inference_compute", "Benchmarked amount of computation used for inference", AUTHORITIES),
        ("inference_method", "Inference computation methodology", AUTHORITIES),
    ]
}

# --- notation ----------------------------------------------------------------------------------


def scientific(value: float, digits: int = 2) -> str:
    """A number to `digits` significant figures in scientific notation: 1.55e10 -> "1.6 × 10^10"."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, digits - 1)
    if abs(mantissa) >= 10:  # 9.96 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{digits - 1}f} × 10^{exponent}"


def order_of_magnitude(value: float) -> int:
    """The power of ten a positive number is at least, for the number as written: 1e23 -> 23.

    Read from the shortest decimal form of the float, since 1e23 as a float is just below 10^23
    and a logarithm would put it under 10^22.
    """
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    return number.adjusted()


def magnitude(value: float, unit: str) -> str:
    """An order of magnitude for national authorities: "10^22 FLOPs (at least 10^22, less than
    10^23)"."""
    if value == 0:
        return f"0 {unit}"
    power = order_of_magnitude(value)
    return f"10^{power} {unit} (at least 10^{power}, less than 10^{power + 1})"


def month(date: dt.date) -> str:
    """A date as the summary template writes it: MM/YYYY."""
    return f"{date.month:02d}/{date.year}"


def kwh_to_mwh(kwh: float) -> float:
    """kWh to MWh."""
    return kwh / 1000


def mwh_text(mwh: float) -> str:
    """MWh with two decimals, or three significant figures below 0.01 MWh (0.0024, not 0.00)."""
    return f"{mwh:,.2f}" if mwh >= 0.01 or mwh == 0 else f"{mwh:.3g}"


# --- ranges ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bins:
    """The ranges a form offers. Each edge is (upper value, whether the value itself belongs to
    this range, label); a value above every edge gets `last`.

    The forms' words decide the edges: "less than 1 billion tokens" excludes 1 billion, "1 billion
    to 10 trillion tokens" includes both ends, and "more than 10 trillion" starts above it.
    """

    edges: tuple[tuple[float, bool, str], ...]
    last: str

    def label(self, value: float) -> str:
        """The label of the range `value` falls in."""
        for edge, included, label in self.edges:
            if value < edge or (included and value == edge):
                return label
        return self.last

    @property
    def labels(self) -> list[str]:
        """Every label, smallest range first."""
        return [label for _, _, label in self.edges] + [self.last]


# The Model Documentation Form's parameter ranges (1-500M, 500M-5B, 5B-15B, 15B-50B, 50B-100B,
# 100B-500B, 500B-1T, >1T), in words. Read as "up to and including" each upper edge: the only
# reading without a gap at exactly 1T, which ">1T" leaves out.
PARAMETER_BINS = Bins(
    (
        (5e8, True, "1 to 500 million"),
        (5e9, True, "500 million to 5 billion"),
        (1.5e10, True, "5 to 15 billion"),
        (5e10, True, "15 to 50 billion"),
        (1e11, True, "50 to 100 billion"),
        (5e11, True, "100 to 500 billion"),
        (1e12, True, "500 billion to 1 trillion"),
    ),
    "more than 1 trillion",
)
# Training time for national authorities, in days; a month is counted as 30 days.
TIME_BINS = Bins(
    (
        (30, False, "less than 1 month"),
        (90, True, "1 to 3 months"),
        (180, True, "3 to 6 months"),
    ),
    "more than 6 months",
)
# The summary template's training-data size ranges per modality, in the template's own units.
SIZE_BINS = {
    "text": Bins(
        (
            (1e9, False, "Less than 1 billion tokens"),
            (1e13, True, "1 billion to 10 trillion tokens"),
        ),
        "More than 10 trillion tokens",
    ),
    "image": Bins(
        (
            (1e6, False, "Less than 1 million images"),
            (1e9, True, "1 million to 1 billion images"),
        ),
        "More than 1 billion images",
    ),
    "audio": Bins(
        (
            (1e4, False, "Less than 10,000 hours"),
            (1e6, True, "10,000 to 1 million hours"),
        ),
        "More than 1 million hours",
    ),
}
SIZE_BINS["video"] = SIZE_BINS["audio"]

# The summary's modalities, in its order; code is text.
SUMMARY_MODALITIES = ("text", "image", "audio", "video", "other")
MODALITY_NAMES = {
    "text": "Text",
    "image": "Image",
    "audio": "Audio",
    "video": "Video",
    "other": "Other",
}
UNITS = {"text": "tokens", "image": "images", "audio": "hours", "video": "hours", "other": "items"}
# The dataset key that gives the size in each modality's unit.
SIZE_KEYS = {
    "text": "tokens",
    "image": "items",
    "audio": "hours",
    "video": "hours",
    "other": "items",
}


def parameter_range(parameters: int) -> str:
    """The Model Documentation Form's range for a number of parameters."""
    return PARAMETER_BINS.label(parameters)


def summary_modality(dataset: Dataset) -> str | None:
    """The summary template's modality of a dataset: code is text."""
    if dataset.modality is None:
        return None
    return "text" if dataset.modality == "code" else dataset.modality


def modality_names(datasets: Iterable[Dataset]) -> str | None:
    """The template's modalities of some datasets, in its order: "Text (code), Image"."""
    datasets = list(datasets)
    present = {summary_modality(d) for d in datasets}
    code = any(d.modality == "code" for d in datasets)
    names = [
        MODALITY_NAMES[m] + (" (code)" if m == "text" and code else "")
        for m in SUMMARY_MODALITIES
        if m in present
    ]
    return ", ".join(names) or None


def dataset_size(dataset: Dataset) -> float | None:
    """A dataset's size in its modality's unit: tokens, images, hours (or items for "other")."""
    modality = summary_modality(dataset)
    if modality == "text":
        return dataset.tokens
    if modality in ("audio", "video"):
        return dataset.hours
    if modality in ("image", "other"):
        return dataset.items
    return None


def published_size(dataset: Dataset) -> str | None:
    """The size the dataset's last version with one was published at: "6.4 TB for version 1.2"."""
    for version in reversed(dataset.versions):
        if version.size is not None:
            return f"{version.size} for version {version.version}"
    return None


# --- figures of the Model Documentation Form ---------------------------------------------------


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


def _days_text(days: float) -> str:
    return f"{days:,.0f}" if days.is_integer() else f"{days:,.1f}"


def training_time(view: ModelView) -> Figure:
    """Training time in days, for the AI Office."""
    days = training_days(view)
    if days is None:
        return Figure(None)
    return Figure(f"{_days_text(round(days, 1))} days")


def training_time_range(view: ModelView) -> Figure:
    """Training time as a range, for national authorities; the range follows the printed days."""
    days = training_days(view)
    if days is None:
        return Figure(None)
    return Figure(TIME_BINS.label(round(days, 1)))


def _compute_flops(view: ModelView) -> tuple[float, str] | None:
    training = view.model.training
    if training is not None and training.flops is not None:
        return training.flops, training.flops_method or "as reported by the provider"
    parameters = view.model.parameters
    tokens = training.tokens if training is not None else None
    if parameters and tokens:
        return (
            6 * parameters * tokens,
            f"estimated as 6 × parameters × training tokens = 6 × {scientific(parameters, 3)} × "
            f"{scientific(tokens, 3)} (the dense-transformer approximation of Kaplan et al., 2020)",
        )
    return None


def compute(view: ModelView) -> Figure:
    """Training compute in FLOPs to two significant figures, for the AI Office: as reported,
    else estimated as 6 × parameters × tokens."""
    found = _compute_flops(view)
    if found is None:
        return Figure(None)
    return Figure(f"{scientific(found[0])} FLOPs", found[1])


def compute_magnitude(view: ModelView) -> Figure:
    """Training compute as an order of magnitude, for national authorities."""
    found = _compute_flops(view)
    return Figure(None) if found is None else Figure(magnitude(found[0], "FLOPs"))


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


def inference_compute(view: ModelView) -> Figure:
    """The benchmarked computation of a reference inference task, when the facts give one."""
    given = view.model.inference_compute
    if given is None:
        return Figure(None)
    return Figure(
        f"{scientific(given.flops)} FLOPs for {given.task}",
        given.method or "as reported by the provider",
    )


def inference_estimate(view: ModelView) -> str | None:
    """Without a benchmark: the forward-pass compute per token, 2 × parameters."""
    parameters = view.model.parameters
    if not parameters:
        return None
    return (
        f"{scientific(2 * parameters)} FLOPs per generated token, estimated as 2 × parameters "
        "(the forward pass of a dense transformer, Kaplan et al., 2020)"
    )


def license_category(view: ModelView) -> Figure:
    """The license's category: as the provider states it, else as govcard's catalog describes it."""
    if view.model.license_category is not None:
        return Figure(view.model.license_category)
    license = view.license
    if license is None or license.other:
        return Figure(None)
    catalog = "as govcard's license catalog describes the license"
    if license.rail is not None:
        if license.rail.family_only:
            return Figure("a license of the OpenRAIL family, variant not named", catalog)
        return Figure(
            f"open license with use restrictions (a Responsible AI License; the restrictions are "
            f"in its {license.rail.restrictions_section})",
            catalog,
        )
    terms = licenses.terms(license.id)
    if terms is None:
        return Figure(None)
    if terms.noncommercial is not None:
        return Figure("non-commercial license", catalog)
    if terms.family == "permissive":
        return Figure("permissive license", catalog)
    if terms.use_policy is not None:
        return Figure(f"license with an acceptable use policy ({terms.use_policy.name})", catalog)
    return Figure(None)


def required_software(view: ModelView) -> Figure:
    """Software needed to run the model: as given, else the library the model card names."""
    integration = view.model.integration
    if integration is not None and integration.software:
        return Figure(", ".join(integration.software))
    if view.model.library_name is not None:
        return Figure(view.model.library_name, "the library named in the model card's metadata")
    return Figure(None)


def training_design(view: ModelView) -> str | None:
    """The design of the training process: as given, else the modifications or description."""
    m = view.model
    return m.training_design or m.modifications or m.description


# --- the model's training data -----------------------------------------------------------------


def hub_only(view: ModelView) -> list[str]:
    """The model's training data named by Hub id only, not described in the facts."""
    own = {d.id for d in view.datasets}
    return [ref for ref in view.model.datasets if ref not in own]


@dataclass(frozen=True)
class ModalityRow:
    """One row of the summary's table of modalities and training data size (section 1.3)."""

    modality: str
    name: str
    datasets: list[Dataset]
    size: str | None
    """The template's range for the modality's total, when it can be told."""
    total: float | None
    """The modality's total size in its unit, when every dataset gives its size."""
    unit: str
    alternatives: list[str]
    """Sizes published in other units, for datasets without a size in the template's unit."""
    content_types: list[str]


def modality_rows(view: ModelView) -> list[ModalityRow]:
    """The model's training data by the template's modalities, with sizes in its units."""
    rows: list[ModalityRow] = []
    for modality in SUMMARY_MODALITIES:
        group = [d for d in view.datasets if summary_modality(d) == modality]
        if not group:
            continue
        sizes = [dataset_size(d) for d in group]
        known = sum(size for size in sizes if size is not None)
        bins = SIZE_BINS.get(modality)
        total = known if None not in sizes else None
        label: str | None = None
        if bins is not None:
            if total is not None:
                label = bins.label(total)
            elif bins.label(known) == bins.last:
                # The datasets whose size is known already reach the last range.
                label = bins.last
        elif total is not None:
            label = f"{total:,} items"
        alternatives = [
            f"{d.name}: {published}"
            for d, size in zip(group, sizes, strict=True)
            if size is None and (published := published_size(d)) is not None
        ]
        types: list[str] = []
        for d in group:
            for kind in d.content_types or (["source code"] if d.modality == "code" else []):
                if kind not in types:
                    types.append(kind)
        rows.append(
            ModalityRow(
                modality=modality,
                name=MODALITY_NAMES[modality],
                datasets=group,
                size=label,
                total=total,
                unit=UNITS[modality],
                alternatives=alternatives,
                content_types=types,
            )
        )
    return rows


def collection_end(dataset: Dataset) -> dt.date | None:
    """The latest date a dataset's data was collected: its collection end, else its crawl's."""
    if dataset.collection_end is not None:
        return dataset.collection_end
    return dataset.crawler.period_end if dataset.crawler is not None else None


def latest_collection(view: ModelView) -> dt.date | None:
    """The latest date of data collection over the model's training data, when every dataset of
    it gives one."""
    if not view.datasets or hub_only(view):
        return None
    ends = [collection_end(d) for d in view.datasets]
    if any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


def languages(view: ModelView) -> list[str]:
    """The languages of the model's training data, in the order the facts give them."""
    found: list[str] = []
    for d in view.datasets:
        for language in d.languages:
            if language not in found:
                found.append(language)
    return found


# The template's yes/no questions on the data sources, by the dataset category that answers them.
QUESTIONS = {
    "public": "Have you used publicly available datasets to train the model?",
    "licensed": "Have you concluded transactional commercial licensing agreement(s) with "
    "rightsholder(s) or with their representatives?",
    "private": "Have you obtained private datasets from third parties that are not licensed as "
    "described in Section 2.2.1, such as data obtained from providers of private databases, or "
    "data intermediaries?",
    "crawled": "Were crawlers used by the provider or on its behalf?",
    "user-model": "Was data from user interactions with the AI model (e.g. user input and "
    "prompts) used to train the model?",
    "user-other-services": "Was data collected from user interactions with the provider's other "
    "services or products used to train the model?",
    "synthetic": "Was synthetic AI-generated data created by the provider or on their behalf to "
    "train the model?",
    "other": "Have data sources other than those described in Sections 2.1 to 2.5 been used to "
    "train the model?",
}


def answers(view: ModelView) -> dict[str, str | None]:
    """The template's yes/no answers for a model, from the categories of its training data.

    "Yes" when a dataset of the model is in the category; "No" only when every dataset of the
    model is described in the facts with its category; else None (not reported).
    """
    datasets = view.datasets
    complete = bool(datasets) and not hub_only(view) and all(d.category for d in datasets)
    found: dict[str, str | None] = {}
    for key in QUESTIONS:
        if key.startswith("user-"):
            origin = key.removeprefix("user-")
            users = [d for d in datasets if d.category == "user"]
            if any(d.user_data_origin == origin for d in users):
                found[key] = "Yes"
            elif complete and all(d.user_data_origin is not None for d in users):
                found[key] = "No"
            else:
                found[key] = None
        elif any(d.category == key for d in datasets):
            found[key] = "Yes"
        else:
            found[key] = "No" if complete else None
    return found


LARGE_SHARE_PERCENT = 3
"""A publicly available dataset is "large", and listed by name in the summary's section 2.1, when
it is more than 3% of all publicly available data of its modality used to train the model."""


@dataclass(frozen=True)
class Share:
    """A publicly available dataset's share of the public data of its modality."""

    dataset: Dataset
    modality: str | None
    percent: float | None
    """Its share in percent; None when a size in the modality's unit is missing."""
    large: bool
    """More than 3%, or not shown to be at most 3%: the summary lists it by name."""

    @property
    def percent_text(self) -> str | None:
        """The share as printed, with enough decimals that a large one never reads 3%."""
        if self.percent is None:
            return None
        digits = 1
        while self.large and round(self.percent, digits) <= LARGE_SHARE_PERCENT and digits < 9:
            digits += 1
        return f"{self.percent:.{digits}f}%"


def public_shares(view: ModelView) -> list[Share]:
    """Each publicly available dataset of the model with its share of the public data of its
    modality, and whether the summary must list it by name.

    With every size known the rule is exact. A dataset without a size cannot be shown to be at
    most 3% and is listed; a dataset with one is listed when it is more than 3% of the sizes
    known, which the unknown ones can only lower.
    """
    public = [d for d in view.datasets if d.category == "public"]
    shares: list[Share] = []
    for modality in [*SUMMARY_MODALITIES, None]:
        group = [d for d in public if summary_modality(d) == modality]
        sizes = [dataset_size(d) for d in group]
        known = sum(size for size in sizes if size is not None)
        complete = modality is not None and None not in sizes
        for d, size in zip(group, sizes, strict=True):
            if size is None:
                shares.append(Share(d, modality, None, True))
                continue
            large = size * 100 > LARGE_SHARE_PERCENT * known
            percent = 100 * size / known if complete and known > 0 else None
            shares.append(Share(d, modality, percent, large))
    return shares


def domains_required(total: int, sme: bool) -> int:
    """How many domain names the summary lists for a crawl of `total` domains: the top 10%, or
    for an SME the top 5% or 1,000, whichever is fewer (a share of a domain rounds up)."""
    if sme:
        return min(math.ceil(total * 5 / 100), 1000)
    return math.ceil(total * 10 / 100)


@dataclass(frozen=True)
class DomainRule:
    """The most relevant crawled domains against the template's rule."""

    listed: int
    total: int | None
    required: int | None
    rule: str

    @property
    def short(self) -> bool:
        """Fewer domains listed than the rule asks."""
        return self.required is not None and self.listed < self.required


def domain_rule(dataset: Dataset, sme: bool | None) -> DomainRule | None:
    """How the listed domains of a crawled dataset meet the template's rule."""
    crawler = dataset.crawler
    if crawler is None:
        return None
    rule = (
        "the top 5% of domains or 1,000, whichever is fewer (SME)"
        if sme
        else "the top 10% of domains by size of content"
    )
    total = crawler.domains_total
    required = domains_required(total, bool(sme)) if total is not None else None
    return DomainRule(len(crawler.domains), total, required, rule)


def data_points(view: ModelView) -> list[tuple[ModalityRow, float]]:
    """The model's training data size per modality, where every dataset of it gives one."""
    if hub_only(view):
        return []
    return [(row, row.total) for row in modality_rows(view) if row.total is not None]


# --- gaps --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A fact one of the documents needs and the facts do not give."""

    document: str
    path: str
    what: str
    required: bool


# need(document, path, what, present, required=True): record a gap when `present` is empty.
Need = Callable[..., None]


SUMMARY, FORM = "eu/training-content-summary", "eu/model-documentation"
# Categories whose data the provider collected or obtained itself, and so can say how
# text-and-data-mining reservations were respected (not user or synthetic data).
TDM_CATEGORIES = {"public", "licensed", "private", "crawled", "other", None}


def gaps(derived: Derived) -> list[Gap]:
    """What the facts lack for the EU documents, field by field."""
    facts = derived.project.facts
    found: list[Gap] = []

    def need(document: str, path: str, what: str, present: Any, required: bool = True) -> None:
        if present in (None, [], "", {}):
            found.append(Gap(document, path, what, required))

    provider = facts.project.provider
    contact = (provider and provider.contact) or next(
        (c.email for c in facts.project.contacts if c.email), None
    )
    need(SUMMARY, "project.provider.name", "provider identification", provider and provider.name)
    need(SUMMARY, "project.provider.contact", "provider contact details", contact)
    if provider is None or provider.established_in_union is None:
        if provider is None or provider.authorised_representative is None:
            need(
                SUMMARY,
                "project.provider.established_in_union",
                "whether the provider is established in the Union",
                None,
                False,
            )
    elif not provider.established_in_union:
        need(
            SUMMARY,
            "project.provider.authorised_representative",
            "authorised representative",
            provider.authorised_representative,
        )
    need(
        SUMMARY,
        "project.provider.code_of_practice_signatory",
        "whether the provider signed the Code of Practice",
        provider and provider.code_of_practice_signatory,
    )
    need(FORM, "project.provider.name", "legal name of the provider", provider and provider.name)
    for view in derived.models:
        _model_gaps(view, need)
    for dataset in facts.datasets:
        _dataset_gaps(dataset, provider.sme if provider else None, need)
    return found


def _model_gaps(view: ModelView, need: Need) -> None:
    m = view.model
    where = f"models[{m.id}]"
    documents = m.eu_documents
    need(
        SUMMARY,
        f"{where}.eu_documents.training_content_summary",
        "version and date of the summary",
        documents and documents.training_content_summary,
    )
    need(
        SUMMARY,
        f"{where}.eu_placement_date",
        "date of placement on the Union market",
        m.eu_placement_date,
    )
    need(
        SUMMARY,
        f"{where}.continuous_training",
        "whether the model is trained on data collected later",
        m.continuous_training,
    )
    for ref in hub_only(view):
        need(
            SUMMARY,
            f"{where}.datasets",
            f"a description of {ref} in datasets",
            None,
        )
    need(
        FORM,
        f"{where}.eu_documents.model_documentation",
        "version and date of the documentation",
        documents and documents.model_documentation,
    )
    need(FORM, f"{where}.authenticity", "model authenticity", m.authenticity, False)
    need(FORM, f"{where}.release_date", "release date", m.release_date)
    need(FORM, f"{where}.eu_placement_date", "Union market release date", m.eu_placement_date)
    need(FORM, f"{where}.architecture", "model architecture", m.architecture)
    need(FORM, f"{where}.design_specification", "design specification", m.design_specification)
    need(FORM, f"{where}.input_modalities", "input modalities", m.input_modalities)
    need(FORM, f"{where}.output_modalities", "output modalities", m.output_modalities)
    need(FORM, f"{where}.max_input_size", "maximum input size", m.max_input_size, False)
    need(FORM, f"{where}.max_output_size", "maximum output size", m.max_output_size, False)
    need(FORM, f"{where}.parameters", "total number of parameters", m.parameters)
    need(FORM, f"{where}.distribution_channels", "distribution channels", m.distribution_channels)
    need(FORM, f"{where}.license", "license", m.license)
    need(FORM, f"{where}.license_category", "license category", license_category(view).value)
    rail = (
        view.license is not None
        and view.license.rail is not None
        and not view.license.rail.family_only
    )
    if not rail:
        need(
            FORM,
            f"{where}.acceptable_use_policy",
            "acceptable use policy",
            m.acceptable_use_policy,
        )
    need(FORM, f"{where}.intended_use", "intended uses", m.intended_use)
    integration = m.integration
    need(
        FORM,
        f"{where}.integration.ai_systems",
        "type and nature of AI systems",
        integration and integration.ai_systems,
    )
    need(
        FORM,
        f"{where}.integration.technical_means",
        "technical means for integration",
        integration and integration.technical_means,
    )
    need(
        FORM,
        f"{where}.integration.hardware",
        "hardware needed to run the model",
        integration and integration.hardware,
    )
    need(
        FORM,
        f"{where}.integration.software",
        "software needed to run the model",
        required_software(view).value,
    )
    need(FORM, f"{where}.training_design", "design of the training process", training_design(view))
    need(FORM, f"{where}.decision_rationale", "decision rationale", m.decision_rationale)
    training = m.training
    need(
        FORM,
        f"{where}.training.hardware",
        "training hardware",
        training and training.hardware,
        False,
    )
    need(FORM, f"{where}.datasets", "training data", m.datasets)
    need(FORM, f"{where}.training", "training time", training_days(view))
    need(
        FORM,
        f"{where}.training.flops",
        "training compute (or parameters and training.tokens)",
        compute(view).value,
    )
    need(
        FORM,
        f"{where}.training",
        "training energy (carbon facts or reported energy)",
        energy(view).value,
    )
    need(
        FORM,
        f"{where}.inference_compute",
        "benchmarked inference computation",
        m.inference_compute,
        False,
    )


def _dataset_gaps(dataset: Dataset, sme: bool | None, need: Need) -> None:
    where = f"datasets[{dataset.id}]"
    need(SUMMARY, f"{where}.category", "kind of data source", dataset.category)
    need(SUMMARY, f"{where}.modality", "modality", dataset.modality)
    modality = summary_modality(dataset)
    need(
        SUMMARY,
        f"{where}.{SIZE_KEYS.get(modality or '', 'tokens')}",
        f"size in {UNITS[modality]}" if modality else "size in the modality's unit",
        dataset_size(dataset),
    )
    if dataset.modality not in ("code", None):
        need(SUMMARY, f"{where}.content_types", "types of content", dataset.content_types)
    need(
        SUMMARY,
        f"{where}.collection_end",
        "latest date of data collection",
        collection_end(dataset),
    )
    need(SUMMARY, f"{where}.languages", "languages", dataset.languages, False)
    if dataset.category in TDM_CATEGORIES:
        need(
            SUMMARY,
            f"{where}.tdm_opt_out",
            "respect of text-and-data-mining reservations",
            dataset.tdm_opt_out,
        )
    if dataset.category == "crawled":
        crawler = dataset.crawler
        need(SUMMARY, f"{where}.crawler", "crawler", crawler)
        if crawler is not None:
            need(SUMMARY, f"{where}.crawler.name", "crawler name", crawler.name)
            need(SUMMARY, f"{where}.crawler.purpose", "crawler purpose", crawler.purpose)
            need(SUMMARY, f"{where}.crawler.behaviour", "crawler behaviour", crawler.behaviour)
            need(SUMMARY, f"{where}.crawler.domains", "most relevant domains", crawler.domains)
            need(
                SUMMARY,
                f"{where}.crawler.domains_total",
                "number of domains crawled",
                crawler.domains_total,
                False,
            )
            rule = domain_rule(dataset, sme)
            if rule is not None and rule.short:
                need(
                    SUMMARY,
                    f"{where}.crawler.domains",
                    f"{rule.required:,} most relevant domains, {rule.listed:,} listed",
                    None,
                )
    if dataset.category == "user":
        need(
            SUMMARY,
            f"{where}.user_data_origin",
            "origin of the user data",
            dataset.user_data_origin,
        )
    if dataset.category == "synthetic":
        need(
            SUMMARY,
            f"{where}.synthetic_models",
            "models that generated the data",
            dataset.synthetic_models,
        )
    need(SUMMARY, f"{where}.illegal_content", "removal of illegal content", dataset.illegal_content)
    need(FORM, f"{where}.curation", "data curation methodologies", dataset.curation)
    need(
        FORM,
        f"{where}.unsuitable_data",
        "measures to detect unsuitable data",
        dataset.unsuitable_data,
        False,
    )
    need(FORM, f"{where}.biases", "methods to detect biases", dataset.biases, False)


# --- what the templates receive ----------------------------------------------------------------


def anchor(heading: str) -> str:
    """The id MkDocs (Python-Markdown's toc) and GitHub give a heading of ASCII words."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


@dataclass(frozen=True)
class Restrictions:
    """A RAIL license whose use restrictions the form lists once, for every model under it."""

    license: licenses.LicenseInfo
    heading: str
    anchor: str
    models: list[str] = field(default_factory=list)


def restrictions(views: Iterable[ModelView]) -> dict[str, Restrictions]:
    """The RAIL licenses of the models, by Hub id, each with the heading its list goes under."""
    found: dict[str, Restrictions] = {}
    for view in views:
        license = view.license
        if license is None or license.rail is None or license.rail.family_only:
            continue
        if license.id not in found:
            heading = f"Use restrictions of the {license.rail.name}"
            found[license.id] = Restrictions(license.rail, heading, anchor(heading))
        found[license.id].models.append(view.model.name or view.model.id)
    return found


def model_anchors(views: Sequence[ModelView]) -> dict[str, str]:
    """The anchor of each model's part of a document, by model id (a heading with its name)."""
    return {v.model.id: anchor(v.model.name or v.model.id) for v in views}


@cache
def field_marks() -> dict[str, Markup]:
    """Each form field as the form shows it, "**Model name** [AIO, NCAs, DPs]": written once,
    not once per model by a template macro (a 1,000-model project has 44,000 of them)."""
    return {
        key: Markup(f"**{escape(field.label)}** [{escape(', '.join(field.recipients))}]")
        for key, field in FORM_FIELDS.items()
    }


def context(derived: Derived) -> dict[str, Any]:
    """What the EU templates receive on top of the common context."""
    views = derived.models
    provider = derived.project.facts.project.provider
    sme = provider.sme if provider is not None else None
    contact_email = next((c for c in derived.project.facts.project.contacts if c.email), None)
    datasets = derived.project.facts.datasets
    return {
        "eu": {
            "summary_version": SUMMARY_TEMPLATE_VERSION,
            "form_version": FORM_VERSION,
            "recipients": RECIPIENTS,
            "fields": FORM_FIELDS,
            "marks": field_marks(),
            "questions": QUESTIONS,
            "modality_names": modality_names,
            "large_share_percent": LARGE_SHARE_PERCENT,
            "project_contact": contact_email,
            "anchors": model_anchors(views),
            "restrictions": restrictions(views),
            "parameters": {
                v.model.id: (scientific(v.model.parameters), parameter_range(v.model.parameters))
                for v in views
                if v.model.parameters
            },
            "training_time": {v.model.id: training_time(v) for v in views},
            "training_time_range": {v.model.id: training_time_range(v) for v in views},
            "compute": {v.model.id: compute(v) for v in views},
            "compute_magnitude": {v.model.id: compute_magnitude(v) for v in views},
            "energy": {v.model.id: energy(v) for v in views},
            "inference": {v.model.id: inference_compute(v) for v in views},
            "inference_estimate": {v.model.id: inference_estimate(v) for v in views},
            "license_category": {v.model.id: license_category(v) for v in views},
            "software": {v.model.id: required_software(v) for v in views},
            "training_design": {v.model.id: training_design(v) for v in views},
            "modalities": {v.model.id: modality_rows(v) for v in views},
            "latest_collection": {
                v.model.id: (month(d) if (d := latest_collection(v)) else None) for v in views
            },
            "languages": {v.model.id: languages(v) for v in views},
            "answers": {v.model.id: answers(v) for v in views},
            "hub_only": {v.model.id: hub_only(v) for v in views},
            "shares": {v.model.id: public_shares(v) for v in views},
            "data_points": {
                v.model.id: [
                    (row, f"{scientific(total)} {row.unit}", magnitude(total, row.unit))
                    for row, total in data_points(v)
                ]
                for v in views
            },
            "domain_rules": {d.id: domain_rule(d, sme) for d in datasets},
            "collection_period": {d.id: collection_period(d) for d in datasets},
            "published_size": {d.id: published_size(d) for d in datasets},
        }
    }


def collection_period(dataset: Dataset) -> str | None:
    """The period of data collection as the template writes it: "01/2015 to 03/2022"."""
    crawler = dataset.crawler
    start = (crawler.period_start if crawler else None) or dataset.collection_start
    end = (crawler.period_end if crawler else None) or dataset.collection_end
    if start is None and end is None:
        return None
    return f"{month(start) if start else '…'} to {month(end) if end else '…'}"
