"""Croissant 1.1 with the Responsible-AI (RAI) vocabulary: one JSON-LD file per dataset.

Every RAI property is filled from the facts alone: a property the facts say nothing about is left
out, never guessed. The file describes the dataset, not its files: the Hub generates the
`distribution` and `recordSet` of a dataset it hosts
(`https://huggingface.co/api/datasets/ORG/NAME/croissant`), and `merge` adds this file's RAI
properties to that document. Both name the dataset by its Hub page, `url`
`https://huggingface.co/datasets/ORG/NAME`.

    rai:dataCollection             the sources' collection, the crawler, TDM reservations, opt-out
    rai:dataCollectionType         from `category` (crawled: Web Scraping, ...)
    rai:dataCollectionRawData      the sources, with their sizes
    rai:dataCollectionTimeframe    collection_start and collection_end (both)
    rai:dataPreprocessingProtocol  curation, unsuitable_data, illegal_content
    rai:dataAnnotationProtocol     the personal-data annotation: annotators, pay
    rai:dataAnnotationPlatform     its vendor
    rai:annotatorDemographics      the countries annotators worked from
    rai:machineAnnotationTools     the personal-data detector
    rai:personalSensitiveInformation  what the detector finds, and the redaction
    rai:dataUseCases               the models of the project trained on it
    rai:dataBiases                 `biases`
    rai:dataReleaseMaintenancePlan the maintenance plan and the versions

`rai:annotationsPerItem`, `rai:dataLimitations` and `rai:dataSocialImpact` have no fact of a
dataset to come from, and are never written.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from govcard import __version__
from govcard.derive import Derived, license_view
from govcard.schema import Annotation, Dataset, ProjectFile

CROISSANT = "http://mlcommons.org/croissant/1.1"
RAI = "http://mlcommons.org/croissant/RAI/1.0"
HUB = "https://huggingface.co"
FILE_NAME = "{id}.json"

# The @context of Croissant 1.1 as mlcroissant writes it (a test compares the two), with PROV-O
# for the name of the tool that wrote the file.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "prov": "http://www.w3.org/ns/prov#",
}

# The RAI spec's recommended values of rai:dataCollectionType, for each kind of source.
COLLECTION_TYPES = {
    "crawled": "Web Scraping",
    "public": "Secondary Data analysis",
    "licensed": "Secondary Data analysis",
    "private": "Secondary Data analysis",
    "user": "User-generated content data",
    "synthetic": "Others (synthetic data)",
    "other": "Others",
}


def files(derived: Derived) -> dict[str, str]:
    """A Croissant file per dataset of the project: `<dataset-id>.json`."""
    facts = derived.project.facts
    return {
        FILE_NAME.format(id=dataset.id): dumps(document(dataset, facts))
        for dataset in facts.datasets
    }


def dumps(data: dict[str, Any]) -> str:
    """A Croissant document as govcard writes it: two-space indent, UTF-8, a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def hub_url(hub_id: str) -> str:
    """A Hub dataset's page, the `url` the Hub's own Croissant gives it."""
    return f"{HUB}/datasets/{hub_id}"


def document(dataset: Dataset, facts: ProjectFile) -> dict[str, Any]:
    """The Croissant JSON-LD of one dataset: what the facts say of it, RAI properties included."""
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
    }
    if dataset.hub_id is not None:
        doc["@id"] = hub_url(dataset.hub_id)
    doc["conformsTo"] = [CROISSANT, RAI]
    doc["name"] = dataset.name
    _put(doc, "description", dataset.description)
    if dataset.hub_id is not None:
        doc["url"] = hub_url(dataset.hub_id)
    shown = license_view(dataset.license)
    if shown is not None:
        doc["license"] = shown.url or shown.id  # Croissant prefers a license's address
    if dataset.languages:
        doc["inLanguage"] = list(dataset.languages)
    as_of = facts.project.as_of
    if as_of is not None:
        doc["sdDatePublished"] = as_of.isoformat()
    doc["prov:wasGeneratedBy"] = {
        "@type": "prov:Activity",
        "prov:wasAssociatedWith": {
            "@type": "prov:SoftwareAgent",
            "name": "govcard",
            "softwareVersion": __version__,
        },
    }
    doc.update(rai(dataset, facts))
    return doc


def rai(dataset: Dataset, facts: ProjectFile) -> dict[str, Any]:
    """The RAI properties of a dataset the facts fill, in the order of the module docstring."""
    found: dict[str, Any] = {}
    _put(found, "rai:dataCollection", _join(_collection(dataset)))
    if dataset.category is not None:
        found["rai:dataCollectionType"] = [COLLECTION_TYPES[dataset.category]]
    _put(found, "rai:dataCollectionRawData", _join(_raw_data(dataset)))
    if dataset.collection_start is not None and dataset.collection_end is not None:
        found["rai:dataCollectionTimeframe"] = [
            dataset.collection_start.isoformat(),
            dataset.collection_end.isoformat(),
        ]
    _put_list(
        found,
        "rai:dataPreprocessingProtocol",
        [dataset.curation, dataset.unsuitable_data, dataset.illegal_content],
    )
    pii = dataset.pii
    annotation = pii.annotation if pii is not None else None
    if annotation is not None:
        _put_list(found, "rai:dataAnnotationProtocol", [_annotation(annotation)])
        _put_list(found, "rai:dataAnnotationPlatform", [annotation.vendor])
        if annotation.countries is not None:
            found["rai:annotatorDemographics"] = [
                f"The annotators worked from {_count(annotation.countries, 'country', 'countries')}."
            ]
    detector = pii.detector if pii is not None else None
    if detector is not None:
        where = f" ({HUB}/{detector.hub_id})" if detector.hub_id else ""
        found["rai:machineAnnotationTools"] = [
            f"{detector.name}{where}, a detector of personal data."
        ]
    _put_list(found, "rai:personalSensitiveInformation", _personal_data(dataset))
    users = [m.name for m in facts.models if dataset.id in m.datasets]
    if users:
        found["rai:dataUseCases"] = [f"Training data of {_words(users)}."]
    _put_list(found, "rai:dataBiases", [dataset.biases])
    _put(found, "rai:dataReleaseMaintenancePlan", _join(_maintenance(dataset)))
    return found


def _collection(dataset: Dataset) -> list[str]:
    parts = [f"{s.name}: {s.collection}" for s in dataset.sources if s.collection]
    crawler = dataset.crawler
    if crawler is not None:
        named = f" ({crawler.name})" if crawler.name else ""
        if crawler.purpose:
            parts.append(f"Crawler{named} purpose: {crawler.purpose}")
        if crawler.behaviour:
            parts.append(f"Crawler{named} behaviour: {crawler.behaviour}")
        if crawler.domains:
            parts.append(f"Domains crawled: {', '.join(crawler.domains)}.")
    if dataset.tdm_opt_out:
        parts.append(f"Text-and-data-mining reservations: {dataset.tdm_opt_out}")
    opt_out = dataset.opt_out
    if opt_out is not None:
        if opt_out.process:
            parts.append(f"Opt-out: {opt_out.process}")
        if opt_out.people is not None:
            when = f" as of {opt_out.as_of.isoformat()}" if opt_out.as_of else ""
            parts.append(f"{_count(opt_out.people, 'person', 'people')} opted out{when}.")
    return parts


def _raw_data(dataset: Dataset) -> list[str]:
    parts = []
    for s in dataset.sources:
        details = [
            x for x in (s.dataset, f"version {s.version}" if s.version else None, s.size) if x
        ]
        parts.append(f"{s.name} ({', '.join(details)})." if details else f"{s.name}.")
    return parts


def _annotation(annotation: Annotation) -> str | None:
    who = (
        _count(annotation.workers, "annotator", "annotators")
        if annotation.workers is not None
        else "Annotators"
    )
    parts = []
    if annotation.workers is not None or annotation.vendor:
        on = f" on {annotation.vendor}" if annotation.vendor else ""
        parts.append(f"{who}{on} annotated personal data, for its detection.")
    pay = annotation.hourly_pay
    if pay is not None:
        parts.append(f"Pay: {pay.amount:,.2f} {pay.currency} an hour.")
    if annotation.pay_policy:
        parts.append(annotation.pay_policy)
    return _join(parts)


def _personal_data(dataset: Dataset) -> list[str | None]:
    pii = dataset.pii
    if pii is None:
        return []
    found: list[str | None] = []
    if pii.detector is not None and pii.detector.metrics:
        categories = ", ".join(m.category for m in pii.detector.metrics)
        found.append(f"Personal data detected with {pii.detector.name}: {categories}.")
    if pii.redaction is not None:
        placeholders = ", ".join(f"{k}: {v}" for k, v in pii.redaction.placeholders.items())
        found.append(
            f"Redaction: {pii.redaction.method}"
            + (f" Placeholders: {placeholders}." if placeholders else "")
        )
    return found


def _maintenance(dataset: Dataset) -> list[str]:
    parts = []
    plan = dataset.maintenance
    if plan is not None:
        if plan.update_cadence:
            parts.append(f"Updates: {plan.update_cadence}")
        if plan.terms_require_latest is not None:
            parts.append(
                "The dataset's terms require users to move to the newest version."
                if plan.terms_require_latest
                else "The dataset's terms do not require users to move to the newest version."
            )
        if plan.description:
            parts.append(plan.description)
        if plan.fallback:
            parts.append(f"If it can no longer be maintained: {plan.fallback}")
    for v in dataset.versions:
        when = f" ({v.date.isoformat()})" if v.date else ""
        parts.append(f"Version {v.version}{when}" + (f": {v.changes}" if v.changes else "."))
    return parts


def _put(target: dict[str, Any], key: str, value: str | None) -> None:
    if value:
        target[key] = value


def _put_list(target: dict[str, Any], key: str, values: list[str | None]) -> None:
    kept = [v for v in values if v]
    if kept:
        target[key] = kept


def _join(parts: list[str]) -> str | None:
    return " ".join(p.strip() for p in parts) or None


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def merge(hub: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """The Hub's Croissant of a dataset with govcard's properties added: the Hub's document as it
    is (its files, record sets and every property it has), plus the properties only govcard's
    has (the RAI ones, the as-of date), its `rai` and `prov` prefixes, and the RAI conformance."""
    merged = copy.deepcopy(hub)
    context = merged.setdefault("@context", {})
    for prefix in ("rai", "prov"):
        context.setdefault(prefix, CONTEXT[prefix])
    conforms = merged.get("conformsTo", [])
    conforms = [conforms] if isinstance(conforms, str) else list(conforms)
    if RAI not in conforms:
        conforms.append(RAI)
    merged["conformsTo"] = conforms
    for key, value in ours.items():
        if key not in merged:
            merged[key] = copy.deepcopy(value)
    return merged


def validate(text: str) -> list[str]:
    """What mlcroissant finds wrong with a Croissant document: its errors, then its warnings."""
    import mlcroissant

    try:
        dataset = mlcroissant.Dataset(jsonld=json.loads(text))
    except mlcroissant.ValidationError as exc:
        return [str(exc)]
    issues = dataset.metadata.ctx.issues
    return sorted(issues.errors) + sorted(issues.warnings)
