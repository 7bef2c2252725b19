"""The state of one card's check, shared by the rule families: the card, what is known about it
so far, and the findings."""

from __future__ import annotations

import os
import re
import reprlib
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from govcard import licenses, lineage
from govcard.cards import Card
from govcard.check import text
from govcard.check.model import Finding, Options, Rule
from govcard.lazy import cached
from govcard.lineage import Parent


class OwnLicense(NamedTuple):
    """The card's own license, as its metadata and text show it."""

    shown: str | None
    """As the metadata writes it; None when there is none."""
    rail: licenses.LicenseInfo | None
    """The specific RAIL license it comes to: by id, license_name or license_link, or the name
    the text gives it."""
    unrestricted: bool
    """A license known to have no use restrictions (apache-2.0, mit, a non-commercial license...)."""
    settled: bool
    """A finding already says what is wrong with it: nothing more is said about the license."""
    terms: licenses.Terms | None = None
    """The license of the terms catalog (Llama, Gemma, Qwen, CC NC, permissive) it comes to."""


def specific_rail(license_id: str | None) -> licenses.LicenseInfo | None:
    """The catalog entry of a specific RAIL license (not the `openrail` family tag)."""
    info = licenses.rail(license_id or "")
    return None if info is None or info.family_only else info


# How much of a License section is read for the licenses it states: its first statement.
_SECTION = 600
# A sentence of a License section about what is not the model: its code, its data, a dataset.
# (English, and the Spanish and Portuguese of cards written in them: "El código usa Apache-2.0.
# Los pesos derivados conservan los términos de Gemma.")
_ABOUT_OTHER_THINGS = re.compile(
    r"\bcode\b|\bdata(?:sets?)?\b|\bsoftware\b|\bscripts?\b|\bc[oó]digo\b|\bdatos\b|\bdados\b"
)
_ABOUT_THE_MODEL = re.compile(
    r"\bmodels?\b|\bweights\b|\bcheckpoints?\b|\badapters?\b|\bmodelos?\b|\bpesos\b"
)
# A sentence that says a license does not apply ("Apache-2.0 does not apply to them") states none.
_NOT_APPLYING = re.compile(
    r"\b(?:does|do|shall|will|is|are)\s+not\s+(?:apply|cover)|\b(?:doesn't|don't)\s+(?:apply|cover)"
    r"|\bno\s+se\s+aplica|\bn[aã]o\s+se\s+aplica"
)
# A paragraph ends at a blank line; a list item, a table row or a quote starts a new one.
_PARAGRAPH = re.compile(r"\n(?:[ \t]*\n|(?=[ \t]*(?:[-*+|>]|\d+[.)])[ \t]))")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


def about_the_model(section: str) -> str:
    """What a License section says about the model. A sentence about the code, the data or the
    scripts is left out, and so are the sentences after it in its paragraph until one is about
    the model again ("The training script derives from X under MIT. The copy has changes; see
    the [Apache license](...)"). A sentence about both keeps its lines about the model, and one
    that says a license does not apply is left out."""
    kept: list[str] = []
    for paragraph in _PARAGRAPH.split(section):
        other = False
        for sentence in _SENTENCE.split(paragraph):
            if _NOT_APPLYING.search(sentence):
                continue
            model = _ABOUT_THE_MODEL.search(sentence) is not None
            if _ABOUT_OTHER_THINGS.search(sentence):
                other = not model
                if model:
                    rows = sentence.split("\n")
                    kept += [row for row in rows if not _ABOUT_OTHER_THINGS.search(row)]
                continue
            if model:
                other = False
            if not other:
                kept.append(sentence)
    return "\n".join(kept)


@lru_cache(maxsize=256)
def parent_terms(license_id: str | None) -> licenses.Terms | None:
    """The terms catalog's entry of a base model's license (a Hub id or `other:<name>`)."""
    if not license_id or specific_rail(license_id) is not None:
        return None
    name = license_id.removeprefix("other:")
    return licenses.terms(name) or licenses.terms_named(name, None)


@lru_cache(maxsize=64)
def folder_files(folder: str) -> frozenset[str]:
    """The names in a folder (read once per folder, for LICENSE files beside cards)."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


class Context:
    """One card being checked. Rule families run in the registry's order; each reads what the
    ones before it settled (`own`, the card's license) and adds findings."""

    def __init__(
        self, card: Card, options: Options, folder: Path | None, rules: dict[str, Rule]
    ) -> None:
        self.card = card
        self.options = options
        self.folder = folder
        self.rules = rules
        self.findings: list[Finding] = []
        self.stop = False
        """Set by a family when nothing more can be said about the card."""
        self.own = OwnLicense(None, None, False, True)
        """The card's own license, as the license family found it."""

    def add(self, rule_id: str, line: int, message: str, fix: str | None = None) -> None:
        """Record a finding, unless its rule is ignored; severities as configured and --strict."""
        if rule_id in self.options.ignore:
            return
        rule = self.rules[rule_id]
        severity = self.options.severity.get(rule_id, rule.severity)
        if self.options.strict and severity == "warning":
            severity = "error"
        self.findings.append(Finding(rule_id, severity, line, message, fix or rule.fix))

    @cached
    def metadata(self) -> dict[str, Any]:
        """The front matter's mapping, or an empty one."""
        return self.card.metadata or {}

    @cached
    def parents(self) -> list[Parent]:
        """The models the card's model derives from (see `lineage.parents`)."""
        return lineage.parents(self.card, self.options.base_card)

    @cached
    def rail_parents(self) -> list[Parent]:
        """The parents under a specific RAIL license; with --license, the license it is held to."""
        held = self.options.license
        if held is not None and specific_rail(held) is not None:
            # --license holds the card to a license as if it were its parent's.
            return [Parent(held, held, "--license", 1, "card held to")]
        return [p for p in self.parents if specific_rail(p.license) is not None]

    @cached
    def term_parents(self) -> list[tuple[Parent, licenses.Terms]]:
        """The parents under a restricted license of the terms catalog (Llama, Gemma, Qwen, CC
        NC), with its terms; with --license, the license it is held to."""
        held = self.options.license
        if held is not None and specific_rail(held) is None:
            entry = licenses.terms(held)
            if entry is not None and entry.restricted:
                return [(Parent(held, held, "--license", 1, "card held to"), entry)]
            return []
        found = []
        for parent in self.parents:
            entry = parent_terms(parent.license)
            if entry is not None and entry.restricted:
                found.append((parent, entry))
        return found

    @cached
    def linked(self) -> bool:
        """Whether the card gives access to a license text: license_link, a link, a LICENSE file."""
        if self.metadata.get("license_link") or text.links_a_license(self.card.lowered):
            return True
        return self.license_beside

    @cached
    def license_file(self) -> bool:
        """Whether the card's license text is a file of a repo (a LICENSE file beside the card, a
        relative link, a license_link or a link to a file of a repo on the Hub), not a license's
        page: govcard cannot tell which license such a file holds."""
        link = self.metadata.get("license_link")
        if isinstance(link, str) and ("://" not in link or text.links_a_license_file(link.lower())):
            return True
        if text.links_a_license_file(self.card.lowered):
            return True
        return self.license_beside

    @cached
    def license_beside(self) -> bool:
        """Whether a LICENSE file lies beside the card (when a folder is checked)."""
        return self.folder is not None and not folder_files(
            os.path.realpath(self.folder)
        ).isdisjoint(text.LICENSE_FILES)

    def named_in_text(self) -> tuple[licenses.LicenseInfo, int] | None:
        """The RAIL license the text names first, and the line."""
        found = text.rail_named(self.card.lowered)
        if found is None:
            return None
        info, position = found
        return info, self.line_of(position)

    def line_of(self, position: int) -> int:
        """The card line of a position in `Card.lowered` (the body, then the front matter)."""
        if position < len(self.card.body):
            return self.card.body_start + self.card.lowered.count("\n", 0, position)
        return self.card.key_line("license")

    @cached
    def stated_licenses(self) -> list[tuple[str, int, str]]:
        """The licenses the body states, as (license id, line, where): named in the first part
        of its License section, or the value of a `License:` line."""
        lowered, end = self.card.lowered, len(self.card.body)
        found: list[tuple[str, int, str]] = []
        heading = self.license_heading
        if heading is not None:
            start = lowered.find("\n", heading) + 1
            stop = lowered.find("\n#", start, end) if start > 0 else -1
            section = (
                lowered[start : min(stop if stop >= 0 else end, start + _SECTION)] if start else ""
            )
            kept = about_the_model(section)
            ids = (
                text.named(kept) + text.hub_ids_in(kept, spelled_out=True) + text.linked_terms(kept)
            )
            prose = text.other_license(kept)
            if prose is not None and (prose_id := text.prose_license_id(prose)) is not None:
                ids.append(prose_id)
            line = self.line_of(heading)
            found += [(i, line, "the License section") for i in dict.fromkeys(ids)]
        for value, position in text.license_values(lowered, end):
            line = self.line_of(position)
            ids = text.named(value) + text.hub_ids_in(value) + text.linked_terms(value)
            if (bare := text.bare_license(value)) is not None:
                ids.append(bare)
            prose = text.other_license(value)
            if prose is not None and (prose_id := text.prose_license_id(prose)) is not None:
                ids.append(prose_id)
            found += [(i, line, f"line {line}") for i in dict.fromkeys(ids)]
        return found

    @cached
    def license_heading(self) -> int | None:
        """Where the card's first heading about its license starts in `Card.lowered`."""
        return text.heading_with("licen", self.card.lowered, len(self.card.body))

    def license_section_line(self) -> int:
        """The line of the card's License heading, else where the body starts."""
        heading = self.license_heading
        if heading is None:
            return self.card.body_start
        return self.card.body_start + self.card.lowered.count("\n", 0, heading)


def shown(value: Any) -> str:
    """A metadata value, bounded for a message."""
    # reprlib bounds depth and length: a YAML alias bomb shares its lists, and a plain repr of it
    # would expand them all.
    shown_text = _REPR.repr(value)
    return shown_text if len(shown_text) <= 60 else shown_text[:57] + "..."


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 60, 60
