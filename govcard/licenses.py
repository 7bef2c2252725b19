"""The license catalog: the RAIL licenses' use restrictions and sharing obligations, as data.

Each RAIL license on the Hub is a JSON file in `govcard/data/licenses/`, with a `source` saying
where its text was read. Model cards list the
restrictions from here, and `govcard check` knows each license by its names and addresses. Every other Hub
license id (`data/hub-licenses.tsv`) is known as having no use restrictions.

Plain dataclasses, not pydantic: `govcard check` loads this on every run and must start fast. The
catalog is govcard's own data; a test validates every file against these classes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path
from typing import Any, NamedTuple

# The package's data folder. A plain path, not importlib.resources: `govcard check` starts on every
# commit, and importlib.resources costs it 5 ms of imports; the data ships inside the package.
DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Restriction:
    """One use restriction of a license."""

    id: str
    """Its letter or number in the license."""
    title: str
    topic: str
    """What it is about, shared across licenses, e.g. 'malware'."""
    summary: str
    """One sentence written for govcard."""


@dataclass(frozen=True)
class Obligations:
    """What a license asks of those who share the model or its derivatives."""

    restrictions_flow_down: bool
    copy_of_license: bool
    keep_documentation: bool
    document_modifications: bool
    keep_notices: bool
    change_notices: bool
    use_latest_version: bool

    def stated(self) -> list[str]:
        """The names of the obligations this license has, in catalog order."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


OBLIGATION_TEXT = {
    "restrictions_flow_down": "Include the use restrictions as an enforceable provision in any license "
    "under which the model or its derivatives are shared.",
    "copy_of_license": "Give every recipient of the model or its derivatives a copy of the license.",
    "keep_documentation": "Keep the model's documentation (its model card) when sharing it.",
    "document_modifications": "Describe any modifications (fine-tuning, quantization, adapters, "
    "distillation, merging) in documentation of the same or better quality.",
    "keep_notices": "Keep all copyright, patent, trademark and attribution notices.",
    "change_notices": "Mark modified files with prominent notices that they were changed.",
    "use_latest_version": "Use reasonable efforts to use the latest version of the model.",
}


@dataclass(frozen=True)
class LicenseInfo:
    """A license of the RAIL family, as the catalog describes it."""

    id: str
    name: str
    version: str
    date: dt.date
    url: str
    aliases: tuple[str, ...]
    """How cards name it in prose, lowercase ("creativeml open rail-m")."""
    links: tuple[str, ...]
    """Lowercase fragments of the addresses of its text."""
    source: str
    """Where the license text was read."""
    family_only: bool
    """The `openrail` family tag: the variant is unknown."""
    restrictions_section: str | None
    restrictions: tuple[Restriction, ...]
    obligations: Obligations
    obligation_sections: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LicenseInfo:
        """Build an entry from a catalog file's data; unknown or missing keys are errors."""
        return cls(
            **{
                **data,
                "date": dt.date.fromisoformat(data["date"]),
                "aliases": tuple(data["aliases"]),
                "links": tuple(data["links"]),
                "restrictions": tuple(
                    Restriction(**{**item, "id": str(item["id"])}) for item in data["restrictions"]
                ),
                "obligations": Obligations(**data["obligations"]),
                "obligation_sections": dict(data.get("obligation_sections") or {}),
            }
        )

    @cached_property
    def topics(self) -> set[str]:
        """The topics of its restrictions."""
        return {r.topic for r in self.restrictions}


@cache
def _ids(folder: str) -> frozenset[str]:
    """The ids of a catalog folder's JSON files."""
    return frozenset(
        name.removesuffix(".json") for name in os.listdir(DATA / folder) if name.endswith(".json")
    )


def _data(folder: str, license_id: str) -> dict[str, Any] | None:
    """A catalog file's data, or None when the folder has no such license."""
    if license_id not in _ids(folder):
        return None
    return dict(json.loads((DATA / folder / f"{license_id}.json").read_text(encoding="utf-8")))


def rail_ids() -> frozenset[str]:
    """The Hub ids of the RAIL licenses in the catalog."""
    return _ids("licenses")


@cache
def rail(hub_id: str) -> LicenseInfo | None:
    """The catalog entry of a RAIL license id, or None for a license without use restrictions."""
    data = _data("licenses", hub_id)
    return None if data is None else LicenseInfo.from_data(data)


def catalog() -> dict[str, LicenseInfo]:
    """Every RAIL license in the catalog, by Hub id."""
    return {hub_id: info for hub_id in sorted(rail_ids()) if (info := rail(hub_id)) is not None}


@cache
def hub_license_ids() -> dict[str, str]:
    """License identifiers the Hub accepts in card metadata, id -> name."""
    text = (DATA / "hub-licenses.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[0]: row[1] for row in rows}


# --- the license families beyond RAIL (data/terms/) ------------------------------------------


class Term(NamedTuple):
    """One term of a license: where the license says it, in its own words."""

    section: str
    quote: str


class Notice(NamedTuple):
    """An attribution notice a license asks copies to keep."""

    text: str
    file: str | None
    section: str
    quote: str


class Display(NamedTuple):
    """Phrases a license asks derivatives to display ("Built with Llama")."""

    phrases: tuple[str, ...]
    section: str
    quote: str


class NamePrefix(NamedTuple):
    """How a derivative model's name must begin ("Llama 3")."""

    prefix: str
    section: str
    quote: str


class UsePolicy(NamedTuple):
    """A use policy a license incorporates (Llama's acceptable use policy)."""

    name: str
    url: str
    section: str
    quote: str
    source: str


class OtherTerm(NamedTuple):
    """A term a model card reader cares about that has no field of its own."""

    id: str
    title: str
    section: str
    quote: str
    binds: str | None = None
    """For a term that withholds what a license without it grants: "all" the license's models,
    or only its "multimodal" ones; None for a term that withholds nothing."""


TERM_FIELDS = (
    "noncommercial",
    "share_alike",
    "no_derivatives",
    "copy_of_license",
    "flow_down",
    "attribution",
    "change_notices",
    "scale_limit",
)
"""The fields of `Terms` that hold one `Term` each (a section and the license's words)."""

DERIVATIVES = ("any", "not-more-permissive", "same-terms", "none")
"""What a license asks of a derivative's license: anything; nothing that grants more (commercial
use where it has none, no use policy); the same terms (its use restrictions or license elements
carried as an enforceable provision); no sharing of adapted material at all."""


class Terms(NamedTuple):
    """A license of the families beyond RAIL (Llama, Gemma, Qwen, CC NC, permissive), as its
    text says, each term with its section and words."""

    id: str
    hub_id: str
    name: str
    family: str
    derivatives: str
    version: str | None
    date: str | None
    url: str
    source: str
    aliases: tuple[str, ...]
    links: tuple[str, ...]
    noncommercial: Term | None
    share_alike: Term | None
    no_derivatives: Term | None
    copy_of_license: Term | None
    flow_down: Term | None
    attribution: Term | None
    change_notices: Term | None
    notice: Notice | None
    display: Display | None
    name_prefix: NamePrefix | None
    scale_limit: Term | None
    use_policy: UsePolicy | None
    other_terms: tuple[OtherTerm, ...]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Terms:
        """Build an entry from a file's data; unknown or missing keys are errors."""

        def term(key: str) -> Term | None:
            return Term(**data[key]) if data[key] else None

        display = data["display"]
        return cls(
            **{
                **data,
                "aliases": tuple(data["aliases"]),
                "links": tuple(data["links"]),
                **{key: term(key) for key in TERM_FIELDS},
                "notice": Notice(**data["notice"]) if data["notice"] else None,
                "display": Display(**{**display, "phrases": tuple(display["phrases"])})
                if display
                else None,
                "name_prefix": NamePrefix(**data["name_prefix"]) if data["name_prefix"] else None,
                "use_policy": UsePolicy(**data["use_policy"]) if data["use_policy"] else None,
                "other_terms": tuple(OtherTerm(**t) for t in data["other_terms"]),
            }
        )

    @property
    def restricted(self) -> bool:
        """Whether it grants less than a permissive license: no commercial use, a use policy, a
        scale limit, share-alike or no derivatives."""
        return self.family != "permissive"


def terms_ids() -> frozenset[str]:
    """The ids of the licenses in the terms catalog."""
    return _ids("terms")


@cache
def terms(license_id: str) -> Terms | None:
    """The terms catalog's entry of a license id (or `license_name` slug), if it has one."""
    data = _data("terms", license_id)
    return None if data is None else Terms.from_data(data)


def terms_catalog() -> dict[str, Terms]:
    """Every license of the terms catalog, by id."""
    return {i: entry for i in sorted(terms_ids()) if (entry := terms(i)) is not None}


def _squash(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


@cache
def _terms_by_name() -> dict[str, str]:
    return {
        _squash(name): entry.id
        for entry in terms_catalog().values()
        for name in (entry.id, *entry.aliases)
    }


def terms_named(name: object, link: object) -> Terms | None:
    """The catalog license a `license: other` card's license_name or license_link names, when
    that is unambiguous: the name is an id or alias ("llama-3", "gemma-terms-of-use",
    "tongyi-qianwen-license-agreement"), or the link holds one license's address."""
    if isinstance(name, str) and (found := _terms_by_name().get(_squash(name))):
        return terms(found)
    if isinstance(link, str):
        lowered = link.lower()
        hits = {
            entry.id
            for entry in terms_catalog().values()
            for fragment in entry.links
            if fragment in lowered
        }
        if len(hits) == 1:
            return terms(hits.pop())
    return None
