"""The license catalog: the RAIL licenses' use restrictions and sharing obligations, as data.

Each RAIL license on the Hub is a YAML file in `govcard/data/licenses/`. Model cards list the
restrictions from here, and `govcard check` looks for their distinctive terms. Every other Hub
license id is known as having no use restrictions.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field

from govcard.schema import hub_license_ids


class Restriction(BaseModel):
    """One use restriction of a license."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Its letter or number in the license.")
    title: str = Field(description="A short title.")
    summary: str = Field(description="One sentence written for govcard.")
    terms: list[str] = Field(description="Distinctive phrases a checker can look for.")


class Obligations(BaseModel):
    """What a license asks of those who share the model or its derivatives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    restrictions_flow_down: bool
    copy_of_license: bool
    keep_documentation: bool
    document_modifications: bool
    keep_notices: bool
    change_notices: bool
    use_latest_version: bool

    def stated(self) -> list[str]:
        """The names of the obligations this license has, in catalog order."""
        return [name for name, value in self if value]


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


class LicenseInfo(BaseModel):
    """A license of the RAIL family, as the catalog describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    version: str
    date: dt.date
    url: str
    family_only: bool = Field(description="The `openrail` family tag: the variant is unknown.")
    restrictions_section: str | None
    restrictions: list[Restriction]
    obligations: Obligations
    obligation_sections: dict[str, str] = Field(default_factory=dict)


@cache
def catalog() -> dict[str, LicenseInfo]:
    """Every RAIL license in the catalog, by Hub id."""
    folder = files("govcard").joinpath("data/licenses")
    entries = [
        LicenseInfo.model_validate(yaml.safe_load(item.read_text(encoding="utf-8")))
        for item in sorted(folder.iterdir(), key=lambda item: item.name)
        if item.name.endswith(".yaml")
    ]
    return {entry.id: entry for entry in entries}


def rail(hub_id: str) -> LicenseInfo | None:
    """The catalog entry of a RAIL license id, or None for a license without use restrictions."""
    return catalog().get(hub_id)


def is_known(hub_id: str) -> bool:
    """Whether the Hub knows this license id."""
    return hub_id in hub_license_ids()
