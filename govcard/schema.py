"""The governance facts: one pydantic model tree, the single source of truth.

The JSON Schema in `schemas/project.schema.json` and the reference docs are generated from these
classes, so every field carries a description. Every model forbids unknown keys.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from govcard import units
from govcard.licenses import hub_license_ids

SCHEMA_VERSION: Literal[1] = 1
SCHEMA_ID = "https://govcard.dev/schemas/project.schema.json"


# Tabs and newlines are text; other control characters (ANSI escapes, NUL) are not, and would
# reach terminals and cards verbatim.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _plain_text(value: str) -> str:
    bad = _CONTROL.search(value)
    if bad is not None:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; remove it")
    return value


Name = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_plain_text)]
Text = Annotated[str, Field(min_length=1, max_length=50_000), AfterValidator(_plain_text)]
Url = Annotated[
    str,
    Field(
        pattern=r"^https?://[^\s<>\"]+$",
        max_length=2000,
        examples=["https://arxiv.org/abs/2312.03872"],
    ),
    AfterValidator(_plain_text),
]
Email = Annotated[
    str,
    Field(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", max_length=300),
    AfterValidator(_plain_text),
]
HubId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$",
        max_length=200,
        examples=["bigcode/starcoder"],
    ),
]
_SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
_SLUG = re.compile(_SLUG_PATTERN)
Slug = Annotated[str, Field(pattern=_SLUG_PATTERN, max_length=100, examples=["starcoderbase"])]
SpdxId = Annotated[
    str, Field(pattern=r"^(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.+-]*)$", max_length=100)
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD", "EUR"])]
Count = Annotated[int, Field(ge=0, le=10**12)]
Percent = Annotated[float, Field(ge=0, le=100)]
# YAML gives unquoted dates as dates; a quoted "2023-02-09" is accepted too.
Date = Annotated[dt.date, Field(strict=False)]
Source = Annotated[Url | None, Field(description="Where this figure was published (a URL).")]


class Facts(BaseModel):
    """Base of every facts model: unknown keys are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Money(Facts):
    """An amount of money."""

    amount: float = Field(ge=0, le=1e13, description="The amount, in `currency`.")
    currency: Currency = Field("USD", description="ISO 4217 currency code.")


class Organization(Facts):
    """An organization that runs or supports the project."""

    name: Name = Field(description="The organization's name.")
    url: Url | None = Field(None, description="Its website.")
    role: Text | None = Field(None, description="What it does in the project, e.g. 'co-lead'.")


class Contact(Facts):
    """A way to reach the project."""

    name: Name | None = Field(None, description="Person or team.")
    email: Email | None = Field(None, description="E-mail address.")
    url: Url | None = Field(None, description="Web page or form.")
    role: Text | None = Field(None, description="What to contact them about.")

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.email or self.url):
            raise ValueError("a contact needs an email or a url")
        return self


class Participation(Facts):
    """Who took part in the project."""

    participants: Count | None = Field(None, description="People who registered to participate.")
    members: Count | None = Field(None, description="Participants who became members.")
    countries: Count | None = Field(None, description="Number of countries participants came from.")
    by_country: dict[Name, Count] = Field(
        default_factory=dict,
        description="Participants per country (top countries), country -> count.",
    )
    as_of: Date | None = Field(None, description="Date the figures refer to.")
    source: Source = None


class DecisionMaking(Facts):
    """How decisions were made and disputes resolved."""

    summary: Text = Field(description="Who decides what, in a few sentences.")
    steering_committee: list[Name] = Field(
        default_factory=list, description="Organizations or people on the steering committee."
    )
    dispute_resolution: Text | None = Field(None, description="How disagreements are settled.")
    source: Source = None


class WorkingGroup(Facts):
    """A working group or task force."""

    name: Name = Field(description="The group's name.")
    description: Text | None = Field(None, description="What it worked on.")


class Funding(Facts):
    """A contribution of money or compute."""

    funder: Name = Field(description="Who paid.")
    purpose: Text | None = Field(None, description="What it paid for.")
    amount: Money | None = Field(None, description="How much, where published.")
    source: Source = None


class Provider(Facts):
    """The provider of the models in the sense of the EU AI Act (who places them on the market)."""

    name: Name = Field(description="Legal name of the provider.")
    address: Text | None = Field(None, description="Postal address.")
    contact: Email | None = Field(None, description="Contact e-mail for regulatory questions.")
    url: Url | None = Field(None, description="The provider's website.")
    authorised_representative: Name | None = Field(
        None,
        description="Authorised representative in the EU, for providers established outside it.",
    )


class Project(Facts):
    """The project as a whole: structure, people, values."""

    name: Name = Field(description="The project's name. The only required key in the whole file.")
    description: Text | None = Field(None, description="What the project is, in a paragraph.")
    homepage: Url | None = Field(None, description="The project's website.")
    organizations: list[Organization] = Field(
        default_factory=list, description="Organizations that run or support it."
    )
    contacts: list[Contact] = Field(default_factory=list, description="How to reach the project.")
    participation: Participation | None = Field(None, description="Participation figures.")
    decision_making: DecisionMaking | None = Field(None, description="Governance structure.")
    working_groups: list[WorkingGroup] = Field(
        default_factory=list, description="Working groups and task forces."
    )
    funding: list[Funding] = Field(
        default_factory=list, description="Funding and compute donations."
    )
    values: list[Text] = Field(default_factory=list, description="Goals and values, one per item.")
    social_impact: list[Text] = Field(
        default_factory=list, description="Social-impact considerations, one per item."
    )
    provider: Provider | None = Field(
        None, description="The provider, for the EU AI Act documents."
    )


# --- datasets ---------------------------------------------------------------------------------


class DatasetVersion(Facts):
    """One released version of a dataset."""

    version: Name = Field(description="Version label, e.g. '1.2'.")
    date: Date | None = Field(None, description="Release date.")
    changes: Text | None = Field(None, description="What changed from the previous version.")
    opt_outs_removed_until: Date | None = Field(
        None,
        description="Opt-out requests received up to this date were removed from this version.",
    )
    size: Name | None = Field(None, description="Size as published, e.g. '6.4 TB'.")
    source: Source = None


class Licensing(Facts):
    """Which data was allowed in, by license, and how licenses were found."""

    policy: Text | None = Field(None, description="The licensing policy in a few sentences.")
    allowed_licenses: list[SpdxId] = Field(
        default_factory=list, description="Licenses whose data was kept, as SPDX identifiers."
    )
    detection: Text | None = Field(None, description="How licenses were detected.")
    source: Source = None


class Tool(Facts):
    """A tool people can use, with its address."""

    name: Name = Field(description="The tool's name.")
    url: Url | None = Field(None, description="Where to find it.")


class OptOut(Facts):
    """How people could remove their data, and how many did."""

    tool: Tool | None = Field(None, description="The opt-out tool.")
    process: Text | None = Field(None, description="How an opt-out request is made and handled.")
    requests: Count | None = Field(None, description="Opt-out requests received.")
    people: Count | None = Field(None, description="People who opted out.")
    repositories_removed: Count | None = Field(None, description="Repositories removed.")
    files_removed: Count | None = Field(None, description="Files removed.")
    as_of: Date | None = Field(None, description="Date the figures refer to.")
    source: Source = None


class Maintenance(Facts):
    """How the dataset is kept up to date."""

    update_cadence: Text | None = Field(None, description="How often new versions come out.")
    terms_require_latest: bool | None = Field(
        None, description="Whether the dataset's terms require users to move to the newest version."
    )
    description: Text | None = Field(None, description="The maintenance plan.")
    source: Source = None


class Wage(Money):
    """A reference wage that pay is measured against."""

    name: Name = Field(description="What the wage is, e.g. 'US federal minimum wage'.")
    per: Literal["hour"] = Field("hour", description="The period the amount is paid for.")
    source: Source = None


class Annotation(Facts):
    """The human annotation effort behind PII detection."""

    vendor: Name | None = Field(None, description="The annotation platform or vendor.")
    workers: Count | None = Field(None, description="Number of annotators.")
    countries: Count | None = Field(None, description="Number of countries annotators worked from.")
    hourly_pay: Money | None = Field(None, description="Pay per hour of annotation work.")
    pay_policy: Text | None = Field(None, description="How pay was set.")
    reference_wages: list[Wage] = Field(
        default_factory=list, description="Wages the pay is measured against."
    )
    source: Source = None


class DetectorMetric(Facts):
    """The detector's quality on one category of personal data, in percent."""

    category: Name = Field(description="Category, e.g. 'emails'.")
    precision_pct: Percent | None = Field(None, description="Precision, percent.")
    recall_pct: Percent | None = Field(None, description="Recall, percent.")
    f1_pct: Percent | None = Field(None, description="F1 score, percent.")


class Detector(Facts):
    """The model or tool that finds personal data."""

    name: Name = Field(description="The detector's name.")
    hub_id: HubId | None = Field(None, description="Its Hub repository, e.g. 'bigcode/starpii'.")
    training_examples: Count | None = Field(
        None, description="Annotated examples it was trained on."
    )
    metrics: list[DetectorMetric] = Field(default_factory=list, description="Per-category metrics.")
    source: Source = None


class Redaction(Facts):
    """What happens to personal data that is found."""

    method: Text = Field(description="How detected personal data is replaced.")
    placeholders: dict[Name, Name] = Field(
        default_factory=dict, description="Category -> placeholder, e.g. EMAIL: '<EMAIL>'."
    )


class Pii(Facts):
    """Personal data: how it was found and removed."""

    annotation: Annotation | None = Field(None, description="The annotation effort.")
    detector: Detector | None = Field(None, description="The PII detector.")
    redaction: Redaction | None = Field(None, description="The redaction method.")


class AttributionTool(Facts):
    """A tool that traces generated output back to its training data."""

    name: Name = Field(description="The tool's name.")
    url: Url | None = Field(None, description="Where to find it.")
    method: Text | None = Field(None, description="How it works and its limits.")


Modality = Literal["text", "code", "image", "audio", "video", "other"]
DataCategory = Literal["public", "licensed", "private", "crawled", "user", "synthetic", "other"]


def _in_order(start: dt.date | None, end: dt.date | None, first: str, last: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{last} ({end}) is before {first} ({start}); swap them")


class Crawler(Facts):
    """A web crawler that collected training data."""

    name: Name = Field(description="The crawler's name (its user agent).")
    purpose: Text | None = Field(None, description="What it collected data for.")
    behaviour: Text | None = Field(
        None, description="How it behaves: robots.txt, paywalls, login walls, rate limits."
    )
    period_start: Date | None = Field(None, description="When it started crawling.")
    period_end: Date | None = Field(None, description="When it stopped crawling.")
    domains: list[Name] = Field(
        default_factory=list, description="The most relevant domains crawled."
    )

    @model_validator(mode="after")
    def _period(self) -> Crawler:
        _in_order(self.period_start, self.period_end, "period_start", "period_end")
        return self


class Dataset(Facts):
    """A training dataset the project built or used."""

    id: Slug = Field(description="Identifier models refer to, e.g. 'the-stack'.")
    name: Name = Field(description="The dataset's name.")
    hub_id: HubId | None = Field(None, description="Its Hub dataset repository.")
    description: Text | None = Field(None, description="What the dataset is.")
    versions: list[DatasetVersion] = Field(default_factory=list, description="Released versions.")
    licensing: Licensing | None = Field(None, description="Licensing policy.")
    opt_out: OptOut | None = Field(None, description="Consent and opt-out.")
    maintenance: Maintenance | None = Field(None, description="Maintenance plan.")
    pii: Pii | None = Field(None, description="Personal data handling.")
    attribution_tools: list[AttributionTool] = Field(
        default_factory=list, description="Tools for attribution of generated output."
    )
    category: DataCategory | None = Field(
        None, description="Kind of source, as the EU training-content summary groups them."
    )
    modality: Modality | None = Field(None, description="What the data is: text, code, image, ...")
    tokens: Annotated[int, Field(ge=0, le=10**18)] | None = Field(
        None, description="Size in tokens (text and code)."
    )
    items: Count | None = Field(
        None, description="Number of items (documents, files, images, ...)."
    )
    languages: list[Name] = Field(
        default_factory=list, description="Languages, as ISO 639-1 codes or names."
    )
    collection_start: Date | None = Field(None, description="When data collection began.")
    collection_end: Date | None = Field(None, description="The latest date of the data.")
    crawler: Crawler | None = Field(None, description="For crawled data: the crawler.")
    tdm_opt_out: Text | None = Field(
        None,
        description="How text-and-data-mining opt-outs (reservations of rights) were respected.",
    )
    illegal_content: Text | None = Field(None, description="How illegal content was removed.")
    synthetic_models: list[Name] = Field(
        default_factory=list, description="For synthetic data: the models that generated it."
    )
    license: License | None = Field(
        None,
        description="The dataset's license, for its card: a Hub license id such as 'cc-by-4.0', "
        "or {id: other, name, link}.",
    )
    task_categories: list[Slug] = Field(
        default_factory=list, description="Hub task categories for the dataset card."
    )
    source_datasets: list[Name] = Field(
        default_factory=list,
        description="The datasets it was made from: ids from `datasets` or Hub dataset ids (the "
        "Hub's `source_datasets`).",
    )

    @model_validator(mode="after")
    def _collection_period(self) -> Dataset:
        _in_order(self.collection_start, self.collection_end, "collection_start", "collection_end")
        return self


# --- models -----------------------------------------------------------------------------------


class OtherLicense(Facts):
    """A license the Hub has no identifier for."""

    id: Literal["other"] = Field(description="Always 'other'.")
    name: Slug = Field(description="A short slug for the license (the Hub's `license_name`).")
    link: Url = Field(description="Where the license text is (the Hub's `license_link`).")


def _hub_license_id(value: str) -> str:
    if value == "other":
        raise ValueError(
            "license 'other' needs its name and link: {id: other, name: ..., link: ...}"
        )
    known = hub_license_ids()
    if value not in known:
        import difflib

        close = difflib.get_close_matches(value, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(f"unknown Hub license id {value!r}{hint}; use {{id: other, name, link}}")
    return value


HubLicenseId = Annotated[
    str, Field(max_length=100, examples=["bigcode-openrail-m"]), AfterValidator(_hub_license_id)
]
License = Annotated[
    Annotated[HubLicenseId, Tag("id")] | Annotated[OtherLicense, Tag("other")],
    Discriminator(lambda v: "other" if isinstance(v, dict | OtherLicense) else "id"),
]


class EvalResult(Facts):
    """One evaluation result, as it goes into the Hub's `model-index`."""

    task: Name = Field(description="Task type, e.g. 'text-generation'.")
    dataset: Name = Field(description="Dataset name, e.g. 'HumanEval'.")
    dataset_id: Name | None = Field(
        None, description="Dataset type or Hub id, e.g. 'openai_humaneval'."
    )
    dataset_config: Name | None = Field(
        None, description="Dataset configuration or subset, e.g. 'humaneval-py' of MultiPL-E."
    )
    metric: Name = Field(description="Metric type, e.g. 'pass@1'.")
    value: float = Field(description="The metric's value as published.")
    source: Source = None


class Location(Facts):
    """Where training ran: a cloud region, or a country with an optional region."""

    cloud: Literal["aws", "azure", "gcp"] | None = Field(None, description="Cloud provider.")
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = Field(
        None, description="ISO 3166-1 alpha-3 country code, e.g. 'FRA'."
    )
    region: Annotated[str, Field(pattern=r"^[A-Za-z0-9 ._-]+$", max_length=100)] | None = Field(
        None,
        description="Cloud region (with `cloud`), or US state / Canadian province (with `country`).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Location:
        if self.cloud and self.country:
            raise ValueError("give either cloud and region, or country (and region), not both")
        if self.cloud and not self.region:
            raise ValueError(f"a {self.cloud} location needs its region, e.g. us-west-2")
        if not (self.cloud or self.country):
            raise ValueError("a location needs cloud and region, or country")
        return self


# A figure written with its unit may be no larger than the same figure given as a number.
_MAX_REPORTED = 1e12


def _energy_text(value: str) -> str:
    _bounded(units.parse_energy(value), "kWh")
    return value


def _mass_text(value: str) -> str:
    _bounded(units.parse_mass(value), "kg")
    return value


def _bounded(quantity: units.Quantity, unit: str) -> None:
    if not quantity.value <= _MAX_REPORTED:  # also refuses a number too large for a float
        text = quantity.text if len(quantity.text) <= 60 else quantity.text[:57] + "..."
        raise ValueError(
            f"must be at most {units.format_number(_MAX_REPORTED)} {unit}, got {text!r}"
        )


class Reported(Facts):
    """Figures as the project published them, with units written out."""

    energy: Annotated[str, AfterValidator(_energy_text)] | None = Field(
        None, description=f"Reported energy: {units.ENERGY_FORM}."
    )
    energy_kwh: float | None = Field(None, ge=0, le=1e12, description="Reported energy in kWh.")
    co2eq: Annotated[str, AfterValidator(_mass_text)] | None = Field(
        None, description=f"Reported CO2eq: {units.MASS_FORM}."
    )
    co2eq_kg: float | None = Field(None, ge=0, le=1e12, description="Reported CO2eq in kg.")
    source: Source = None

    @model_validator(mode="after")
    def _one_form_each(self) -> Reported:
        if self.energy is not None and self.energy_kwh is not None:
            raise ValueError("give energy or energy_kwh, not both")
        if self.co2eq is not None and self.co2eq_kg is not None:
            raise ValueError("give co2eq or co2eq_kg, not both")
        return self

    def energy_quantity(self) -> units.Quantity | None:
        """The reported energy in kWh with its printed precision."""
        if self.energy is not None:
            return units.parse_energy(self.energy)
        return None if self.energy_kwh is None else units.from_number(self.energy_kwh, "kWh")

    def co2eq_quantity(self) -> units.Quantity | None:
        """The reported CO2eq in kg with its printed precision."""
        if self.co2eq is not None:
            return units.parse_mass(self.co2eq)
        return None if self.co2eq_kg is None else units.from_number(self.co2eq_kg, "kg")


_COMPUTE_KEYS = (
    "gpu_hours",
    "gpu_count",
    "days",
    "gpu_power_w",
    "pue",
    "carbon_intensity_kg_per_kwh",
    "location",
)


class Training(Facts):
    """How a model was trained, and the facts its carbon footprint is computed from."""

    training_type: Literal["pre-training", "fine-tuning"] | None = Field(
        None,
        description="Pre-training or fine-tuning (the Hub's `co2_eq_emissions.training_type`).",
    )
    hardware: Name | None = Field(None, description="Hardware, free text, e.g. '512 x A100 80GB'.")
    software: list[Name] = Field(default_factory=list, description="Training software.")
    gpu_hours: float | None = Field(None, gt=0, le=1e10, description="Total GPU-hours.")
    gpu_count: int | None = Field(None, ge=1, le=10_000_000, description="GPUs used in parallel.")
    days: float | None = Field(
        None,
        gt=0,
        le=3650,
        description="Wall-clock training days (with gpu_count, they give the GPU-hours).",
    )
    gpu_power_w: float | None = Field(
        None, gt=0, le=5000, description="Average power draw per GPU, in watts."
    )
    pue: float | None = Field(
        None,
        ge=1.0,
        le=5.0,
        description="Power usage effectiveness of the data centre (>= 1.0); omitted means 1.0.",
    )
    carbon_intensity_kg_per_kwh: float | None = Field(
        None, ge=0, le=2.0, description="Grid carbon intensity in kgCO2e/kWh."
    )
    location: Location | None = Field(
        None, description="Where training ran; the intensity is looked up in codecarbon's data."
    )
    codecarbon_csv: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        None,
        description="A codecarbon emissions.csv, relative to this file; replaces the compute facts.",
    )
    codecarbon_run_id: Name | None = Field(
        None, description="Only the rows of this run_id in `codecarbon_csv` (default: all rows)."
    )
    reported: Reported | None = Field(None, description="Figures as published.")
    tokens: Annotated[int, Field(ge=1, le=10**18)] | None = Field(
        None, description="Training tokens seen."
    )
    flops: Annotated[float, Field(gt=0, le=1e32)] | None = Field(
        None, description="Training compute in floating-point operations, as measured or reported."
    )
    flops_method: Text | None = Field(None, description="How `flops` was obtained.")
    start_date: Date | None = Field(None, description="When training started.")
    end_date: Date | None = Field(None, description="When training ended.")
    source: Source = None

    @model_validator(mode="after")
    def _consistent_inputs(self) -> Training:
        if self.codecarbon_csv is not None:
            given = [key for key in _COMPUTE_KEYS if getattr(self, key) is not None]
            if given:
                raise ValueError(
                    f"codecarbon_csv replaces the compute facts; remove {', '.join(given)}"
                )
        elif self.codecarbon_run_id is not None:
            raise ValueError("codecarbon_run_id needs codecarbon_csv")
        if self.gpu_hours is not None and self.gpu_count is not None:
            raise ValueError("give gpu_hours, or gpu_count and days, not both")
        if self.gpu_count is not None and self.days is None:
            raise ValueError("gpu_count needs days (gpu_hours = gpu_count x days x 24)")
        if self.carbon_intensity_kg_per_kwh is not None and self.location is not None:
            raise ValueError("give carbon_intensity_kg_per_kwh or location, not both")
        _in_order(self.start_date, self.end_date, "start_date", "end_date")
        return self

    def total_gpu_hours(self) -> float | None:
        """GPU-hours as given, or gpu_count x days x 24."""
        if self.gpu_hours is not None:
            return self.gpu_hours
        if self.gpu_count is not None and self.days is not None:
            return self.gpu_count * self.days * 24
        return None


class Model(Facts):
    """A model the project released."""

    id: Slug = Field(description="Identifier, unique in the file; names the output folder.")
    # Never left empty: a model without a name takes its id (`_named`); the factory only makes
    # the key optional in the JSON Schema.
    name: Name = Field(
        default_factory=str, description="The model's name, as cards show it (default: its id)."
    )
    hub_id: HubId | None = Field(None, description="Its Hub model repository.")
    description: Text | None = Field(None, description="Summary of the model.")
    base_model: Name | None = Field(
        None, description="The model it was trained from: an id in this file or a Hub id."
    )
    parameters: Annotated[int, Field(ge=1, le=10**15)] | None = Field(
        None, description="Number of parameters."
    )
    architecture: Text | None = Field(None, description="Architecture, free text.")
    license: License | None = Field(
        None,
        description="A Hub license id such as 'bigcode-openrail-m', or {id: other, name, link}.",
    )
    datasets: list[Name] = Field(
        default_factory=list, description="Training data: ids from `datasets` or Hub dataset ids."
    )
    metrics: list[Slug] = Field(
        default_factory=list, description="Hub metric ids for the card metadata, e.g. 'code_eval'."
    )
    languages: list[Name] = Field(
        default_factory=list,
        description="Natural languages, as ISO 639-1 codes (the Hub's `language`).",
    )
    pipeline_tag: Slug | None = Field(None, description="Hub pipeline tag, e.g. 'text-generation'.")
    library_name: Slug | None = Field(None, description="Hub library name, e.g. 'transformers'.")
    tags: list[Slug] = Field(default_factory=list, description="Hub tags.")
    intended_use: Text | None = Field(None, description="What the model is for.")
    out_of_scope_use: Text | None = Field(None, description="What it must not be used for.")
    limitations: Text | None = Field(None, description="Known limitations and risks.")
    modifications: Text | None = Field(
        None,
        description="For a derivative: how it was changed from its base model (data, method, "
        "quantization, merge), as RAIL licenses ask.",
    )
    evaluation: list[EvalResult] = Field(default_factory=list, description="Evaluation results.")
    citation: Text | None = Field(None, description="How to cite the model (BibTeX).")
    training: Training | None = Field(None, description="Training and carbon facts.")
    version: Name | None = Field(None, description="The model's version.")
    release_date: Date | None = Field(None, description="First release through any channel.")
    eu_placement_date: Date | None = Field(None, description="When it was placed on the EU market.")
    input_modalities: list[Modality] = Field(default_factory=list, description="What it takes in.")
    output_modalities: list[Modality] = Field(default_factory=list, description="What it puts out.")
    max_input_size: Name | None = Field(None, description="Maximum input, e.g. '8192 tokens'.")
    distribution_channels: list[Text] = Field(
        default_factory=list,
        description="How it is distributed, e.g. 'Hugging Face Hub (weights)'.",
    )
    acceptable_use_policy: Url | None = Field(
        None, description="Where the acceptable use policy is (for RAIL models: the license)."
    )

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        """A model without a name (or with `name: null`) is called by its id."""
        if (
            isinstance(data, dict)
            and data.get("name") is None
            and isinstance(data.get("id"), str)
            and _SLUG.fullmatch(data["id"])
        ):
            return {**data, "name": data["id"]}
        return data


class ProjectFile(Facts):
    """A govcard project.yaml: the governance facts of one project."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        title="govcard project",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID,
        },
    )

    schema_version: Literal[1] = Field(
        SCHEMA_VERSION, description="Version of this schema the file is written for (current: 1)."
    )
    project: Project = Field(description="The project.")
    datasets: list[Dataset] = Field(default_factory=list, description="Datasets.")
    models: list[Model] = Field(default_factory=list, description="Models.")


def reference_errors(facts: ProjectFile) -> list[tuple[tuple[str | int, ...], str]]:
    """Cross-references the schema cannot express: unique ids, known dataset and base-model ids."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    groups: tuple[tuple[str, list[str]], ...] = (
        ("dataset", [d.id for d in facts.datasets]),
        ("model", [m.id for m in facts.models]),
    )
    for kind, ids in groups:
        seen: dict[str, int] = {}
        for index, item_id in enumerate(ids):
            if item_id in seen:
                problems.append(
                    (
                        (f"{kind}s", index, "id"),
                        f"duplicate {kind} id {item_id!r} (also {kind}s[{seen[item_id]}]); ids must be unique",
                    )
                )
            seen.setdefault(item_id, index)
    dataset_ids = {d.id for d in facts.datasets}
    model_ids = {m.id for m in facts.models}
    # Listed once, and only the first few: thousands of ids in each of thousands of problems
    # would take minutes and gigabytes.
    known = sorted(dataset_ids)
    listed = ", ".join(known[:10]) + (f", ... ({len(known):,} in all)" if len(known) > 10 else "")
    references = [
        (("models", index, "datasets"), model.datasets) for index, model in enumerate(facts.models)
    ] + [
        (("datasets", index, "source_datasets"), dataset.source_datasets)
        for index, dataset in enumerate(facts.datasets)
    ]
    for at, refs in references:
        for position, ref in enumerate(refs):
            if ref not in dataset_ids and not re.fullmatch(r"[\w.-]+/[\w.-]+", ref):
                problems.append(
                    (
                        (*at, position),
                        f"unknown dataset {ref!r}; use an id from datasets ({listed or 'none defined'}) or a Hub id like org/name",
                    )
                )
    for index, dataset in enumerate(facts.datasets):
        if dataset.id in dataset.source_datasets:
            position = dataset.source_datasets.index(dataset.id)
            problems.append(
                (
                    ("datasets", index, "source_datasets", position),
                    "a dataset cannot be made from itself",
                )
            )
    for index, model in enumerate(facts.models):
        base = model.base_model
        if base is not None and base not in model_ids and "/" not in base:
            problems.append(
                (
                    ("models", index, "base_model"),
                    f"unknown base model {base!r}; use a model id from this file or a Hub id like org/name",
                )
            )
        if base == model.id:
            problems.append(
                (("models", index, "base_model"), "a model cannot be its own base model")
            )
    return problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of project.yaml."""
    return ProjectFile.model_json_schema()


def json_schema_text() -> str:
    """The JSON Schema as committed in schemas/project.schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def markdown_reference(examples: dict[str, dict[str, str]] | None = None) -> str:
    """Every key of project.yaml as Markdown tables, one per mapping, generated from the schema.

    `examples` (definition name -> key -> YAML text) fills an example column; a field's own
    schema examples are used where it has none.
    """
    examples = examples or {}
    schema = json_schema()
    definitions: dict[str, Any] = schema.get("$defs", {})
    lines = [
        "# project.yaml reference",
        "",
        "Generated from the schema (`govcard schema --format markdown`), with examples from the bundled",
        "examples; do not edit.",
        "",
    ]
    order = ["ProjectFile"]
    sections = {"ProjectFile": schema}
    index = 0
    while index < len(order):
        name = order[index]
        index += 1
        body = sections[name]
        title = "project.yaml (top level)" if name == "ProjectFile" else name
        lines += [f"## {title}", "", body.get("description", "").strip(), ""]
        lines += ["| key | type | required | description | example |", "|---|---|---|---|---|"]
        required = set(body.get("required", []))
        for key, prop in body.get("properties", {}).items():
            for ref in _refs(prop):
                if ref not in sections:
                    sections[ref] = definitions[ref]
                    order.append(ref)
            description = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
            example = examples.get(name, {}).get(key) or _schema_example(prop)
            shown = f"`{example}`".replace("|", "\\|") if example else ""
            lines.append(
                f"| `{key}` | {_type_name(prop)} | {'yes' if key in required else ''} | {description} | {shown} |"
            )
        lines.append("")
    return "\n".join(lines)


def _schema_example(prop: dict[str, Any]) -> str | None:
    options = [prop, *prop.get("anyOf", [])]
    found = next((o["examples"][0] for o in options if o.get("examples")), None)
    return None if found is None else str(found)


def _refs(prop: dict[str, Any]) -> list[str]:
    text = json.dumps(prop)
    return re.findall(r'"#/\$defs/([A-Za-z]+)"', text)


def _type_name(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop or "oneOf" in prop:
        options = [o for o in prop.get("anyOf", prop.get("oneOf", [])) if o.get("type") != "null"]
        return " or ".join(_type_name(o) for o in options)
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " or ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type_name(prop.get('items', {}))}"
    if kind == "object":
        values = prop.get("additionalProperties")
        return f"mapping of text to {_type_name(values)}" if isinstance(values, dict) else "mapping"
    if kind == "string" and prop.get("format") == "date":
        return "date"
    return {
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "boolean": "true/false",
    }.get(str(kind), "any")
