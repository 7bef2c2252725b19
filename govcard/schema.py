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
    approximate: bool = Field(
        False, description="The amount was published as an approximation ('about $6,000')."
    )


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


# --- how the project was run: conduct, communication, IP, resources ---------------------------


class CodeOfConduct(Facts):
    """The code of conduct participants agree to."""

    name: Name | None = Field(None, description="Its name, e.g. 'BigCode Code of Conduct'.")
    url: Url | None = Field(None, description="Where it is published.")
    applies_to: Text | None = Field(
        None, description="Who must follow it and when, e.g. 'everyone who joins the project'."
    )
    enforcement: Text | None = Field(
        None, description="How breaches are reported and handled, where published."
    )
    source: Source = None


class ChannelGroup(Facts):
    """A group of communication channels and how many there are."""

    group: Name = Field(description="Who the channels are for, e.g. 'Working groups'.")
    channels: Count = Field(description="Number of channels in the group.")


class Communication(Facts):
    """Where and how participants talk to each other."""

    platform: Name | None = Field(None, description="The chat platform, e.g. 'Slack'.")
    total_channels: Count | None = Field(
        None, description="Channels in all, as published; must equal the sum of `groups` if both."
    )
    groups: list[ChannelGroup] = Field(
        default_factory=list, description="Channels per group (steering committee, ...)."
    )
    other_channels: list[Text] = Field(
        default_factory=list,
        description="Other ways participants communicate (calls, mailing lists), one per item.",
    )
    source: Source = None

    @model_validator(mode="after")
    def _groups_add_up(self) -> Communication:
        if self.total_channels is not None and self.groups:
            counted = sum(g.channels for g in self.groups)
            if counted != self.total_channels:
                raise ValueError(
                    f"the groups' channels add up to {counted}, not total_channels "
                    f"{self.total_channels}; correct one of them"
                )
        return self

    def channel_total(self) -> int | None:
        """The published total, or the sum of the groups when no total was published."""
        if self.total_channels is not None:
            return self.total_channels
        return sum(g.channels for g in self.groups) if self.groups else None


class IpRule(Facts):
    """How one kind of contribution or output is licensed."""

    artifact: Name = Field(description="What the rule covers, e.g. 'Code', 'Documentation'.")
    inbound: Text | None = Field(None, description="The license contributions must be made under.")
    outbound: Text | None = Field(None, description="The license the project releases it under.")
    note: Text | None = Field(None, description="Conditions or exceptions.")


class IpPolicy(Facts):
    """How the project manages intellectual property."""

    summary: Text | None = Field(None, description="The policy in a sentence or two.")
    url: Url | None = Field(None, description="Where the policy is published.")
    rules: list[IpRule] = Field(
        default_factory=list, description="The licensing rule for each kind of artifact."
    )
    source: Source = None


class Event(Facts):
    """A community event the project held."""

    name: Name = Field(description="What it was, e.g. 'Community meetup at NeurIPS 2022'.")
    date: Date | None = Field(None, description="When it took place.")
    location: Name | None = Field(None, description="Where it took place.")
    description: Text | None = Field(None, description="What happened.")
    cost: Money | None = Field(None, description="Its budget or cost, where published.")
    paid_by: list[Name] = Field(default_factory=list, description="Who paid for it.")
    source: Source = None


class InKindSupport(Facts):
    """Support given in kind rather than money: compute, hosting, services, fees waived."""

    provider: Name = Field(description="Who gave it.")
    support: Text = Field(description="What was given.")
    source: Source = None


class CatalogEntry(Facts):
    """A license's entry in a license catalogue."""

    catalog: Name = Field(
        description="The catalogue, e.g. 'Hugging Face Hub', 'ScanCode LicenseDB'."
    )
    identifier: Name = Field(description="The license's identifier there.")
    url: Url | None = Field(None, description="The entry's address.")
    source: Source = None


class LicenseGovernance(Facts):
    """How a license the project wrote or uses is itself governed and explained."""

    license: Name = Field(description="The license, as a Hub license id used by the models.")
    text_license: Text | None = Field(
        None, description="The license under which the license text itself may be reused."
    )
    faq: Url | None = Field(None, description="The license's FAQ or explainer.")
    catalog_entries: list[CatalogEntry] = Field(
        default_factory=list, description="Where license catalogues list it."
    )
    source: Source = None


class Provider(Facts):
    """The provider of the models in the sense of the EU AI Act (who places them on the market)."""

    name: Name = Field(description="Legal name of the provider.")
    address: Text | None = Field(None, description="Postal address.")
    contact: Email | None = Field(None, description="Contact e-mail for regulatory questions.")
    url: Url | None = Field(None, description="The provider's website.")
    authorised_representative: Name | None = Field(
        None,
        description="Authorised representative in the EU, for providers established outside it "
        "(Art. 54 AI Act).",
    )
    authorised_representative_contact: Text | None = Field(
        None, description="The authorised representative's contact details (address, e-mail)."
    )
    established_in_union: bool | None = Field(
        None,
        description="Whether the provider is established in the EU: then the training-content "
        "summary says an authorised representative does not apply.",
    )
    sme: bool | None = Field(
        None,
        description="Whether the provider is a small or medium-sized enterprise (Commission "
        "Recommendation 2003/361/EC): the summary then lists the top 5% or 1,000 crawled domains, "
        "whichever is fewer, instead of the top 10%.",
    )
    code_of_practice_signatory: bool | None = Field(
        None,
        description="Whether the provider signed the General-Purpose AI Code of Practice, whose "
        "Copyright chapter commits to respecting text-and-data-mining reservations (summary 3.1).",
    )


class Project(Facts):
    """The project as a whole: structure, people, values."""

    name: Name = Field(description="The project's name. The only required key in the whole file.")
    description: Text | None = Field(None, description="What the project is, in a paragraph.")
    homepage: Url | None = Field(None, description="The project's website.")
    as_of: Date | None = Field(
        None,
        description="The date the facts are as of; the exports (Croissant, CycloneDX) carry it "
        "as their date.",
    )
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
    code_of_conduct: CodeOfConduct | None = Field(
        None, description="The code of conduct participants agree to."
    )
    communication: Communication | None = Field(
        None, description="Communication channels and their number."
    )
    ip_policy: IpPolicy | None = Field(
        None,
        description="How intellectual property (code, documentation, models, data) is managed.",
    )
    in_kind_support: list[InKindSupport] = Field(
        default_factory=list, description="Compute, hosting and services given in kind."
    )
    events: list[Event] = Field(default_factory=list, description="Community events.")
    license_governance: list[LicenseGovernance] = Field(
        default_factory=list,
        description="For each license the models use: its FAQ, catalogue entries and the license "
        "of its own text.",
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


class OptOutStage(Facts):
    """How opting out worked when one version of the dataset was cut."""

    version: Name = Field(description="A version label from the dataset's `versions`.")
    process: Text = Field(description="How a request was made and handled at that time.")
    source: Source = None


class OptOut(Facts):
    """How people could remove their data, and how many did."""

    tool: Tool | None = Field(None, description="The opt-out tool.")
    process: Text | None = Field(None, description="How an opt-out request is made and handled.")
    requests: Count | None = Field(None, description="Opt-out requests received.")
    people: Count | None = Field(None, description="People who opted out.")
    repositories_removed: Count | None = Field(None, description="Repositories removed.")
    files_removed: Count | None = Field(None, description="Files removed.")
    as_of: Date | None = Field(None, description="Date the figures refer to.")
    by_version: list[OptOutStage] = Field(
        default_factory=list,
        description="The process as it was at each version's cut-off, where it changed.",
    )
    source: Source = None


class Maintenance(Facts):
    """How the dataset is kept up to date."""

    update_cadence: Text | None = Field(None, description="How often new versions come out.")
    terms_require_latest: bool | None = Field(
        None, description="Whether the dataset's terms require users to move to the newest version."
    )
    description: Text | None = Field(None, description="The maintenance plan.")
    fallback: Text | None = Field(
        None,
        description="What happens if the dataset can no longer be maintained, e.g. distribution "
        "stops or its terms are restricted.",
    )
    source: Source = None


class Wage(Money):
    """A reference wage that pay is measured against."""

    name: Name = Field(description="What the wage is, e.g. 'US federal minimum wage'.")
    per: Literal["hour"] = Field("hour", description="The period the amount is paid for.")
    purchasing_power: bool = Field(
        False,
        description="The amount is what the pay is stated to be worth in purchasing-power terms "
        "where the workers live, not a wage paid alongside it; no nominal multiple is computed.",
    )
    source: Source = None


class HourlyPay(Money):
    """The pay per hour actually paid."""

    source: Source = None


class Annotation(Facts):
    """The human annotation effort behind PII detection."""

    vendor: Name | None = Field(None, description="The annotation platform or vendor.")
    workers: Count | None = Field(None, description="Number of annotators.")
    countries: Count | None = Field(None, description="Number of countries annotators worked from.")
    hourly_pay: HourlyPay | None = Field(
        None, description="Pay per hour of annotation work, as actually paid."
    )
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
    f1_over_pct: Percent | None = Field(
        None,
        description="Where only a bound was published ('over 90%'): the F1 score exceeds this; "
        "give f1_pct instead when the value is known.",
    )
    source: Source = None

    @model_validator(mode="after")
    def _one_f1(self) -> DetectorMetric:
        if self.f1_pct is not None and self.f1_over_pct is not None:
            raise ValueError("give f1_pct or f1_over_pct, not both")
        return self


class Detector(Facts):
    """The model or tool that finds personal data."""

    name: Name = Field(description="The detector's name.")
    hub_id: HubId | None = Field(None, description="Its Hub repository, e.g. 'bigcode/starpii'.")
    training_examples: Count | None = Field(
        None, description="Annotated examples (files or snippets) it was trained on."
    )
    training_secrets: Count | None = Field(
        None, description="Annotated secrets (PII entities) in its training data."
    )
    metrics: list[DetectorMetric] = Field(default_factory=list, description="Per-category metrics.")
    source: Source = None


class Redaction(Facts):
    """What happens to personal data that is found."""

    method: Text = Field(description="How detected personal data is replaced.")
    placeholders: dict[Name, Name] = Field(
        default_factory=dict, description="Category -> placeholder, e.g. EMAIL: '<EMAIL>'."
    )
    source: Source = None


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
    source: Source = None


Modality = Literal["text", "code", "image", "audio", "video", "other"]
# The sections of the training-content summary's list of data sources: public 2.1, licensed
# 2.2.1, private 2.2.2, crawled 2.3, user 2.4, synthetic 2.5, other 2.6.
DataCategory = Literal["public", "licensed", "private", "crawled", "user", "synthetic", "other"]


def _in_order(start: dt.date | None, end: dt.date | None, first: str, last: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{last} ({end}) is before {first} ({start}); swap them")


class Crawler(Facts):
    """A crawler run by the provider (or on its behalf) that collected training data."""

    name: Name | None = Field(
        None, description="The crawler's name or identifier (its user agent), where it has one."
    )
    purpose: Text | None = Field(None, description="What it collected data for.")
    behaviour: Text | None = Field(
        None, description="How it behaves: robots.txt, paywalls, login walls, rate limits."
    )
    period_start: Date | None = Field(
        None, description="When it started crawling (default: the dataset's collection_start)."
    )
    period_end: Date | None = Field(
        None, description="When it stopped crawling (default: the dataset's collection_end)."
    )
    content: Text | None = Field(
        None, description="The type of content and the online sources crawled, described."
    )
    domains: list[Name] = Field(
        default_factory=list,
        description="The most relevant domain names crawled, by size of content, largest first.",
    )
    domains_total: Count | None = Field(
        None,
        description="How many domains were crawled in all: the summary lists the top 10% of them "
        "(for SMEs the top 5% or 1,000, whichever is fewer).",
    )

    @model_validator(mode="after")
    def _period(self) -> Crawler:
        _in_order(self.period_start, self.period_end, "period_start", "period_end")
        return self


class DataSource(Facts):
    """One source a dataset was built from, and how it was collected."""

    name: Name = Field(description="The source, e.g. 'GitHub issues'.")
    dataset: Name | None = Field(
        None, description="When the source is another dataset: its id in this file or a Hub id."
    )
    version: Name | None = Field(None, description="The version of that dataset used.")
    size: Name | None = Field(None, description="Its size as published, e.g. '54 GB'.")
    collection: Text | None = Field(None, description="How it was collected and processed.")
    source: Source = None


class Dataset(Facts):
    """A training dataset the project built or used."""

    id: Slug = Field(description="Identifier models refer to, e.g. 'the-stack'.")
    name: Name = Field(description="The dataset's name.")
    hub_id: HubId | None = Field(None, description="Its Hub dataset repository.")
    description: Text | None = Field(None, description="What the dataset is.")
    size: Name | None = Field(None, description="Size as published, e.g. '783 GB'.")
    sources: list[DataSource] = Field(
        default_factory=list,
        description="What the dataset was built from and how it was collected.",
    )
    source: Source = Field(
        None, description="Where the dataset's description, size and token count were published."
    )
    versions: list[DatasetVersion] = Field(default_factory=list, description="Released versions.")
    licensing: Licensing | None = Field(None, description="Licensing policy.")
    opt_out: OptOut | None = Field(None, description="Consent and opt-out.")
    maintenance: Maintenance | None = Field(None, description="Maintenance plan.")
    pii: Pii | None = Field(None, description="Personal data handling.")
    attribution_tools: list[AttributionTool] = Field(
        default_factory=list, description="Tools for attribution of generated output."
    )
    category: DataCategory | None = Field(
        None,
        description="Kind of source, as the EU training-content summary groups them: public "
        "(publicly available datasets), licensed (commercially licensed by rightsholders), private "
        "(other private datasets from third parties), crawled (crawled by the provider or on its "
        "behalf), user, synthetic, other.",
    )
    modality: Modality | None = Field(
        None, description="What the data is: text, code (text, for the summary), image, ..."
    )
    tokens: Annotated[int, Field(ge=0, le=10**18)] | None = Field(
        None, description="Size in tokens (text and code)."
    )
    items: Count | None = Field(
        None, description="Number of items (documents, files, images, ...); for images, the size."
    )
    hours: Annotated[float, Field(ge=0, le=1e12)] | None = Field(
        None, description="Size in hours (audio and video)."
    )
    content_types: list[Name] = Field(
        default_factory=list,
        description="Types of content, e.g. 'fiction', 'scientific text', 'GitHub issues' "
        "(code is 'source code' unless given).",
    )
    languages: list[Name] = Field(
        default_factory=list, description="Languages, as ISO 639-1 codes or names."
    )
    collection_start: Date | None = Field(None, description="When data collection began.")
    collection_end: Date | None = Field(
        None, description="The latest date data was collected (acquired) for training."
    )
    crawler: Crawler | None = Field(
        None, description="For data the provider crawled itself: the crawler."
    )
    tdm_opt_out: Text | None = Field(
        None,
        description="How reservations of rights from the text-and-data-mining exception "
        "(Art. 4(3) of Directive (EU) 2019/790, such as robots.txt) were identified and respected. "
        "A voluntary opt-out the project offers belongs in opt_out, and is not presented as this.",
    )
    illegal_content: Text | None = Field(None, description="How illegal content was removed.")
    synthetic_models: list[Name] = Field(
        default_factory=list, description="For synthetic data: the models that generated it."
    )
    user_data_origin: Literal["model", "other-services"] | None = Field(
        None,
        description="For user data: collected from users' interactions with the model itself, or "
        "with the provider's other services or products.",
    )
    curation: Text | None = Field(
        None, description="How the data was cleaned and filtered: deduplication, quality filters."
    )
    unsuitable_data: Text | None = Field(
        None, description="Measures taken to detect unsuitable data sources."
    )
    biases: Text | None = Field(None, description="Methods used to detect identifiable biases.")
    license: License | None = Field(
        None,
        description="The dataset's license, for its card: a Hub license id such as 'cc-by-4.0', "
        "or {id: other, name, link}.",
    )
    task_categories: list[Slug] = Field(
        default_factory=list, description="Hub task categories for the dataset card."
    )

    @model_validator(mode="after")
    def _collection_period(self) -> Dataset:
        _in_order(self.collection_start, self.collection_end, "collection_start", "collection_end")
        return self

    @model_validator(mode="after")
    def _opt_out_versions_exist(self) -> Dataset:
        if self.opt_out is not None and self.opt_out.by_version:
            known = [v.version for v in self.versions]
            for stage in self.opt_out.by_version:
                if stage.version not in known:
                    listed = ", ".join(known) or "none defined"
                    raise ValueError(
                        f"opt_out.by_version names version {stage.version!r}, which is not in "
                        f"versions ({listed})"
                    )
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
        description="Cloud region (with `cloud`), or with `country` a US state, Canadian or "
        "Chinese province (lowercase English name) or Nordic bidding zone (SE1-SE4, NO1-NO5, FI).",
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


CsvPath = Annotated[str, Field(min_length=1, max_length=1000)]
MIN_WATTS = 5.0
"""Below this, gpu_power_w cannot be watts: no training accelerator draws so little."""
MAX_INTENSITY = 2.0
"""kgCO2e/kWh above any grid: coal power emits about 1 kg/kWh over its life cycle."""


def _watts(value: float) -> float:
    if value < MIN_WATTS:
        watts = units.format_number(float(units.exact(value) * 1000))
        typical = (
            "typical of one GPU"
            if value <= 1.2
            else "more than one GPU draws (a node's power? divide it by its GPUs)"
        )
        raise ValueError(
            f"{units.format_number(value)} W per GPU is less than any training accelerator draws: "
            f"kW? {units.format_number(value)} kW is {watts} W, {typical}; give gpu_power_w in "
            "watts"
        )
    return value


def _kg_per_kwh(value: float) -> float:
    if value > MAX_INTENSITY:
        kg = float(units.exact(value) / 1000)
        hint = (
            f"g/kWh? {units.format_number(value)} g/kWh is {units.format_number(kg)} kg/kWh; "
            if kg <= MAX_INTENSITY
            else ""
        )
        raise ValueError(
            f"{units.format_number(value)} kgCO2e/kWh is more than any grid emits (coal power is "
            f"about 1 kg/kWh): {hint}give carbon_intensity_kg_per_kwh in kgCO2e/kWh, at most "
            f"{units.format_number(MAX_INTENSITY)}"
        )
    return value


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
    gpu_power_w: Annotated[float, Field(gt=0, le=5000), AfterValidator(_watts)] | None = Field(
        None,
        description="Average power draw per GPU, in watts. Left out, it is the published board "
        "power of the hardware when `hardware` names a known accelerator (an assumption the card "
        "states).",
    )
    pue: float | None = Field(
        None,
        ge=1.0,
        le=5.0,
        description="Power usage effectiveness of the data centre (>= 1.0); omitted means 1.0.",
    )
    carbon_intensity_kg_per_kwh: (
        Annotated[
            float,
            Field(ge=0, json_schema_extra={"maximum": MAX_INTENSITY}),
            AfterValidator(_kg_per_kwh),
        ]
        | None
    ) = Field(None, description="Grid carbon intensity in kgCO2e/kWh.")
    location: Location | None = Field(
        None, description="Where training ran; the intensity is looked up in codecarbon's data."
    )
    codecarbon_csv: (
        CsvPath | Annotated[list[CsvPath], Field(min_length=1, max_length=1000)] | None
    ) = Field(
        None,
        description="A codecarbon emissions.csv, or a list of them (one per GPU or node), "
        "relative to this file; replaces the compute facts. Each run counts once: its last "
        "row, since codecarbon's rows are cumulative.",
    )
    codecarbon_run_id: Name | None = Field(
        None, description="Only this run of `codecarbon_csv` (default: every run)."
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

    def codecarbon_files(self) -> list[str]:
        """The codecarbon files, as written (one or several)."""
        if self.codecarbon_csv is None:
            return []
        return (
            [self.codecarbon_csv] if isinstance(self.codecarbon_csv, str) else self.codecarbon_csv
        )

    def total_gpu_hours(self) -> float | None:
        """GPU-hours as given, or gpu_count x days x 24."""
        if self.gpu_hours is not None:
            return self.gpu_hours
        if self.gpu_count is not None and self.days is not None:
            # In decimal, so that 256 GPUs x 11.8 days is 72,499.2 GPU-h, not 72,499.20000000001.
            return float(self.gpu_count * units.exact(self.days) * 24)
        return None


class Integration(Facts):
    """What it takes to integrate and run a model, for downstream providers."""

    ai_systems: Text | None = Field(
        None, description="The type and nature of AI systems the model can be integrated into."
    )
    technical_means: Text | None = Field(
        None, description="Instructions for use, infrastructure and tools needed to integrate it."
    )
    hardware: Text | None = Field(
        None, description="Hardware needed to run the model, e.g. 'one GPU with 32 GB of memory'."
    )
    software: list[Name] = Field(
        default_factory=list,
        description="Software needed to run it, with versions (default: the Hub library_name).",
    )


class InferenceCompute(Facts):
    """The benchmarked computation of a reference inference task."""

    flops: Annotated[float, Field(gt=0, le=1e32)] = Field(
        description="Floating-point operations the task takes."
    )
    task: Text = Field(description="The task, e.g. 'generating 1,000 tokens after 1,000 tokens'.")
    method: Text | None = Field(None, description="How it was measured or computed.")


class Revision(Facts):
    """A version of a document."""

    version: Name = Field(description="The document's version, e.g. '1.0'.")
    date: Date = Field(description="When this version was last updated.")
    previous: list[Url] = Field(
        default_factory=list, description="Where the earlier versions are published."
    )


class EuDocuments(Facts):
    """Versions of a model's EU AI Act documents."""

    training_content_summary: Revision | None = Field(
        None, description="The public summary of training content."
    )
    model_documentation: Revision | None = Field(None, description="The Model Documentation Form.")


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
    # The rest of what the EU documents ask and cannot be derived from the facts above.
    max_output_size: Name | None = Field(
        None, description="Maximum output, e.g. '8192 tokens, shared with the input'."
    )
    authenticity: Text | None = Field(
        None,
        description="Evidence of the model's provenance and authenticity: a secure hash of the "
        "released weights, a pinned repository commit, or the endpoint URL of a service.",
    )
    design_specification: Text | None = Field(
        None,
        description="The model's key design choices, with their rationale and assumptions "
        "(about 100 words).",
    )
    license_category: Name | None = Field(
        None,
        description="The license's category as the provider states it, e.g. 'open weights with "
        "use restrictions'; without it govcard describes a license its catalog knows.",
    )
    integration: Integration | None = Field(
        None, description="What it takes to integrate and run the model in an AI system."
    )
    training_design: Text | None = Field(
        None,
        description="The design of the training process: stages, objectives, methods (default: "
        "the modifications, else the description).",
    )
    decision_rationale: Text | None = Field(
        None, description="How and why the key decisions on the model and its training were made."
    )
    inference_compute: InferenceCompute | None = Field(
        None, description="The computation a reference inference task takes, as benchmarked."
    )
    continuous_training: bool | None = Field(
        None,
        description="Whether the model keeps being trained on data collected after the latest "
        "collection date of its training data.",
    )
    eu_documents: EuDocuments | None = Field(
        None, description="Version and date of the model's EU AI Act documents."
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
    for index, dataset in enumerate(facts.datasets):
        for position, data_source in enumerate(dataset.sources):
            ref = data_source.dataset
            if ref is None:
                continue
            path: tuple[str | int, ...] = ("datasets", index, "sources", position, "dataset")
            if ref == dataset.id:
                problems.append((path, "a dataset cannot be its own source"))
            elif ref not in dataset_ids and not re.fullmatch(r"[\w.-]+/[\w.-]+", ref):
                problems.append(
                    (
                        path,
                        f"unknown dataset {ref!r}; use an id from datasets ({listed or 'none defined'}) or a Hub id like org/name",
                    )
                )
    references = [
        (("models", index, "datasets"), model.datasets) for index, model in enumerate(facts.models)
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
