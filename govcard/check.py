"""`govcard check`: where a model card falls short of its license, with locations.

Each rule has a stable id, a severity, and a documented why and fix (docs/guides/check.md). The check
reads what a card and its folder show: metadata, body, a LICENSE file beside it, and optionally
the parent model's card. It cannot read minds: a card that says the right things passes.
"""

from __future__ import annotations

import math
import os
import re
import reprlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from govcard import licenses, lineage, units
from govcard.cards import MAX_BYTES, Card, Unreadable, decode, parse, read
from govcard.errors import displayable
from govcard.lineage import Parent

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class Rule(NamedTuple):
    """A check with a stable id."""

    id: str
    severity: Severity
    title: str
    why: str
    fix: str


RULES = {
    rule.id: rule
    for rule in [
        Rule(
            "card-unreadable",
            "error",
            "The card cannot be read as text",
            "A binary, non-UTF-8 or oversized file is not a model card the Hub can show.",
            "Save the card as a UTF-8 Markdown file.",
        ),
        Rule(
            "front-matter-missing",
            "warning",
            "No YAML front matter at the top",
            "The Hub reads the license and other metadata only from the YAML block at the top of README.md; the card names its license only in the text.",
            "Start the card with a --- line, the metadata (at least `license:`), and another --- line.",
        ),
        Rule(
            "front-matter-invalid",
            "error",
            "The front matter is not a YAML mapping",
            "Metadata the Hub cannot parse is refused or ignored, license included, so nobody can tell the terms.",
            "Fix the YAML so that the block is a mapping of keys to values.",
        ),
        Rule(
            "license-missing",
            "error",
            "No license at all",
            "Neither the metadata nor the text names a license, so nobody can tell under which terms the model may be used, and a RAIL parent's restrictions cannot flow down.",
            "Add `license:` with a Hub license id, e.g. bigcode-openrail-m (for a derivative, the parent's license).",
        ),
        Rule(
            "license-metadata-missing",
            "warning",
            "The license is named in the text but not in the metadata",
            "The Hub shows, filters and links the license from `license:` in the metadata only.",
            "Add `license:` with the Hub license id of the license the text names.",
        ),
        Rule(
            "license-unknown",
            "warning",
            "The license is not a Hub license id",
            "The Hub only recognises its own license ids; anything else is shown as unknown.",
            "Use a Hub license id, or `license: other` with license_name and license_link.",
        ),
        Rule(
            "license-other-unidentified",
            "error",
            "`license: other` and nothing says which license",
            "With `license: other`, only license_link or a link in the card tells readers the terms; without one, nobody can act on the card.",
            "Add `license_name:` (a slug) and `license_link:` (the license text, e.g. LICENSE.md in the repo).",
        ),
        Rule(
            "license-other-incomplete",
            "warning",
            "`license: other` without license_name or license_link",
            "The Hub requires license_name and license_link when the license is `other`; the card links its license only in the text.",
            "Add `license_name:` (a slug) and `license_link:` (the license text).",
        ),
        Rule(
            "openrail-variant-unknown",
            "error",
            "Only the `openrail` family tag, and no license named or linked",
            "The family tag does not say which of the OpenRAIL licenses applies, so nobody can tell which use restrictions bind users.",
            "Use the exact license id, e.g. bigcode-openrail-m or creativeml-openrail-m, or link the license text.",
        ),
        Rule(
            "openrail-family-tag",
            "info",
            "`license: openrail` where the card names or links the exact license",
            "The text says which OpenRAIL license applies, but the Hub shows only the family.",
            "Use the exact license id in the metadata, e.g. creativeml-openrail-m.",
        ),
        Rule(
            "co2-malformed",
            "warning",
            "co2_eq_emissions is not a number of grams",
            "The Hub reads `co2_eq_emissions.emissions` as grams of CO2eq; text such as '17 kg' is not read.",
            "Write the emissions as a number of grams, e.g. 17 kg -> 17000.",
        ),
        Rule(
            "co2-contradicts-body",
            "warning",
            "The metadata's emissions contradict the card's text",
            "codecarbon reports kg and the Hub expects grams; cards that mix them overstate or understate emissions by 1000x.",
            "Make co2_eq_emissions.emissions the body's figure in grams.",
        ),
        Rule(
            "base-model-malformed",
            "warning",
            "base_model is not a Hub model id",
            "The Hub links a derivative to its parent through base_model: a repo id (org/name, or a legacy id such as gpt2) or a list of them.",
            "Write base_model as org/name (or a list of them).",
        ),
        Rule(
            "rail-license-text-missing",
            "error",
            "A RAIL license named in prose only, with no id and no link",
            "A RAIL license binds recipients through its text: a card that names it without its Hub id, a license_link or a link gives them no way to read the use restrictions.",
            "Add `license:` with the Hub id (e.g. bigcode-openrail-m), or license_link, or link the license text in the card.",
        ),
        Rule(
            "rail-restrictions-missing",
            "info",
            "The use restrictions are incorporated by reference, not listed",
            "Naming the license incorporates its use restrictions; listing them (or saying that use is subject to them) helps readers who do not open the license.",
            "List the use restrictions (govcard render writes them), or state that use is subject to the license's use restrictions.",
        ),
        Rule(
            "derivative-detected",
            "info",
            "The card describes a derivative of a RAIL model",
            "A derivative inherits the parent license's restrictions and documentation duties.",
            "Nothing to fix; set base_model in the metadata if it is missing.",
        ),
        Rule(
            "derivative-license-drops-restrictions",
            "error",
            "A derivative's license drops the parent's restrictions",
            "A fine-tune, adapter, quantization, merge or distillation of a RAIL model must be shared under the same use restrictions; a license without them launders the model.",
            "License the model under the parent's license (or one with all its restrictions).",
        ),
        Rule(
            "derivative-license-unverified",
            "warning",
            "A derivative's license cannot be compared with its parent's",
            "The card's license is one govcard does not know, so it cannot tell whether the parent's restrictions are kept.",
            "Use the parent's Hub license id, or list the parent's use restrictions in the card.",
        ),
        Rule(
            "derivative-modifications-undescribed",
            "warning",
            "A derivative does not say how it was changed",
            "RAIL licenses ask for documentation of modifications (training data, method, quantization, merge).",
            "Say how the model was made from its parent (fine-tuning data and method, quantization, merge).",
        ),
        Rule(
            "derivative-sections-dropped",
            "warning",
            "A derivative drops sections of its parent's card",
            "The parent's documentation should be kept, in the same or better quality.",
            "Add each missing section of the parent's card, with content.",
        ),
    ]
}


class Finding(NamedTuple):
    """One shortfall of one card."""

    rule: str
    severity: Severity
    line: int
    message: str
    fix: str
    column: int = 1


@dataclass
class FileResult:
    """The findings of one card file."""

    path: str
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """How to check: the parent's card, a license to check against, rules to skip or re-grade."""

    base_card: Card | None = None
    license: str | None = None
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    strict: bool = False


def _specific_rail(license_id: str | None) -> licenses.LicenseInfo | None:
    """The catalog entry of a specific RAIL license (not the `openrail` family tag)."""
    info = licenses.rail(license_id or "")
    return None if info is None or info.family_only else info


# --- what a card shows about its license ----------------------------------------------------------

_LICENSE_FILES = (
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENSE-MODEL",
    "license.txt",
    "license.md",
)
# These run on `Card.lowered`; words may be split by spaces, line breaks or Markdown marks, and
# the bounded gaps ({0,60}) keep them linear on long cards.
_REFERENCE = re.compile(
    r"use[\s*_/-]+(?:based[\s*_/-]+)?restrictions|usage[\s*_/-]+restrictions|attachment[\s*]+a\b"
    r"|restrictions[\s*]+(?:set[\s*]+out|listed|specified|contained)[\s*]+in"
    r"|restrictions[\s*]+(?:in|of)[\s*]+the[^.]{0,60}?licen[cs]e|subject[\s*]+to[\s*]+the[^.]{0,60}?restrictions"
)
_DENIAL = re.compile(r"\b(?:no|not|without|free of|never)[\s*]+(?:any[\s*]+|the[\s*]+)?$")
# Addresses (each read once, so the search stays linear), and Markdown links to a LICENSE file.
_ADDRESS = re.compile(r"https?://[^\s)\]>\"']{1,300}")
_LICENSE_FILE_LINK = re.compile(r"\]\((?:\./)?(?:[\w.-]+/){0,3}licen[cs]e[\w.-]{0,20}\)")
_LICENSE_STATEMENT = re.compile(
    r"licen[cs]ed[\s*]+under|released[\s*]+under|distributed[\s*]+under|available[\s*]+under"
    r"|under[\s*]+(?:the|a|an)[\s*]+[^.\n]{0,40}?licen[cs]e|^#{1,6}[\s*]+licen[cs]e|licen[cs]e[\s*]*:[\s*]*\w",
    re.MULTILINE,
)
# Licenses without use restrictions, as cards name them in prose.
_OTHER_LICENSE = re.compile(
    r"apache[\s-]+(?:licen[cs]e[\s,]+)?(?:version[\s]+|v)?2(?:\.0)?|\bmit[\s-]+licen[cs]e|\b[al]?gpl[\s-]*v?[23]"
    r"|\bbsd[\s-]+[23]|\bcc[\s-]+by(?:[\s-]+(?:nc|sa|nd))*[\s-]+[1-4]\.0|creative[\s]+commons"
)
# How a derivative was made, said anywhere in its card ("fine-tuned with DreamBooth for 15,000
# steps", "4-bit GPTQ quantization", "a merge of").
_MODIFICATION = (
    "fine-tun",
    "fine tun",
    "finetun",
    "train",
    "quantiz",
    "quantis",
    "merg",
    "distill",
    "dreambooth",
    " lora",
    "lora ",
    "adapter",
    "gguf",
    "gptq",
    "awq",
    "convert",
    "pruned",
    "epoch",
    "steps",
    "learning rate",
    "learning_rate",
)
# A number is only read from its first digit, so a run of digits costs one pass, not one per digit.
_MASS = re.compile(
    r"(?<![\d,.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(kg|g|t|tonnes?)(?:\s*co2(?:e|eq|-eq)?)?(?![\w/])(?!\s*/)",
    re.IGNORECASE,
)
_LEGACY_OR_REPO_ID = re.compile(r"[\w.-]+(?:/[\w.-]+)?")


# How many occurrences of a word a search around words looks at: real cards have a few dozen;
# a hostile one with a million stays linear.
_MAX_OCCURRENCES = 256


def _line_start(text: str, position: int, reach: int = 90) -> int:
    """The start of the line that holds a position, looking back at most `reach` characters."""
    low = max(0, position - reach)
    newline = text.rfind("\n", low, position)
    return newline + 1 if newline >= 0 else low


def _incorporates(lowered: str) -> bool:
    """Whether the card states that the license's use restrictions apply: a phrase such as "subject
    to the use restrictions", outside headings and not denied ("no use restrictions")."""
    # Every phrase has "restrictions" or "attachment a": only the text around those is searched.
    for word in ("restrictions", "attachment"):
        position = lowered.find(word)
        for _ in range(_MAX_OCCURRENCES):
            if position < 0:
                break
            for match in _REFERENCE.finditer(
                lowered, _line_start(lowered, position), position + 90
            ):
                line_start = _line_start(lowered, match.start())
                if lowered[line_start : match.start()].lstrip().startswith("#"):
                    continue
                if _DENIAL.search(lowered[max(line_start, match.start() - 30) : match.start()]):
                    continue
                return True
            position = lowered.find(word, position + 1)
    return False


_UNSTATED = re.compile(
    r"[\s*:#_-]*(?:licen[cs]e[\s*]*:[\s*]*)?(?:not\b|none\b|unknown|n/a|tbd|unspecified|to be)"
)


def _license_statement(lowered: str, end: int) -> re.Match[str] | None:
    """Where the body states a license ("licensed under", "## License" and a line), unless it
    says there is none ("License: not stated")."""
    for match in _LICENSE_STATEMENT.finditer(lowered, 0, end):
        after = match.end()
        if match.group().startswith("#"):  # a heading: what its section says first
            after = lowered.find("\n", after)
            after = len(lowered) if after < 0 else after
        elif match.group()[-1].isalnum():
            after -= 1  # "license: n" ends in the value's first letter
        if not _UNSTATED.match(lowered, after, after + 60):
            return match
    return None


def _heading_with(word: str, lowered: str) -> int | None:
    """Where the first Markdown heading that contains a word starts, if there is one."""
    position = lowered.find(word)
    while position >= 0:
        line_start = lowered.rfind("\n", 0, position) + 1
        if lowered.startswith("#", line_start):
            return line_start
        position = lowered.find(word, lowered.find("\n", position) % (len(lowered) + 1))
    return None


def _links_a_license(lowered: str) -> bool:
    """Whether a lowercase card links a license text: an address that says license, terms or
    agreement, or a Markdown link to a LICENSE file in the repo ("[license](LICENSE.md)")."""
    for address in _ADDRESS.finditer(lowered):
        if any(word in address.group() for word in ("licen", "/terms", "agreement", "eula")):
            return True
    return _LICENSE_FILE_LINK.search(lowered) is not None


@cache
def _rail_names() -> re.Pattern[str]:
    """Any name or address of a specific RAIL license, longest first."""
    alternatives = [
        r"[\s_-]*".join(re.escape(word) for word in alias.split())
        for info in licenses.catalog().values()
        for alias in (*info.aliases, *info.links)
    ]
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


@cache
def _rail_by_name() -> dict[str, str]:
    return {
        re.sub(r"[\s_-]", "", alias): info.id
        for info in licenses.catalog().values()
        for alias in (*info.aliases, *info.links, info.id)
    }


def rail_named(text: str) -> tuple[licenses.LicenseInfo, int] | None:
    """The first specific RAIL license a lowercase text names or links, and where."""
    # Every name and address has "rail" or "licen" in it: only the text around those is searched,
    # unless there are so many that one search of the whole text is cheaper.
    positions: list[int] = []
    for word in ("rail", "licen"):
        position = text.find(word)
        while position >= 0 and len(positions) < _MAX_OCCURRENCES:
            positions.append(position)
            position = text.find(word, position + 1)
    best = None
    if len(positions) >= _MAX_OCCURRENCES:
        best = _rail_names().search(text)
    for position in sorted(positions) if best is None else ():
        best = _rail_names().search(text, max(0, position - 60), position + 60)
        if best is not None:
            break
    if best is None:
        return None
    info = licenses.rail(_rail_by_name()[re.sub(r"[\s_-]", "", best.group())])
    return (info, best.start()) if info is not None else None


@cache
def _unrestricted_names() -> frozenset[str]:
    """License ids and license_names known to carry no RAIL use restrictions: the Hub's other
    ids, and the `other:` licenses of the base-model catalog."""
    others = {b.license.removeprefix("other:") for b in lineage.catalog().repos.values()}
    hub = set(licenses.hub_license_ids()) - licenses.rail_ids() - {"other"}
    return frozenset(hub | {o for o in others if o not in licenses.rail_ids()})


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


@lru_cache(maxsize=64)
def _folder_files(folder: str) -> frozenset[str]:
    """The names in a folder (read once per folder, for LICENSE files beside cards)."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


class _Checker:
    def __init__(self, card: Card, options: Options, folder: Path | None) -> None:
        self.card = card
        self.options = options
        self.folder = folder
        self.findings: list[Finding] = []

    def add(self, rule_id: str, line: int, message: str, fix: str | None = None) -> None:
        """Record a finding, unless its rule is ignored; severities as configured and --strict."""
        if rule_id in self.options.ignore:
            return
        rule = RULES[rule_id]
        severity = self.options.severity.get(rule_id, rule.severity)
        if self.options.strict and severity == "warning":
            severity = "error"
        self.findings.append(Finding(rule_id, severity, line, message, fix or rule.fix))

    def run(self) -> list[Finding]:
        """Every rule on the card; the findings in line order."""
        card = self.card
        unclosed = card.text.lstrip().startswith("---") and not card.front
        if card.metadata is None and (card.front or unclosed):
            line, message = card.front_matter_error or (card.front_start, "invalid front matter")
            self.add("front-matter-invalid", line, message)
            return self.findings
        metadata = card.metadata or {}
        self._co2(metadata)
        self._base_model(metadata)
        parents = lineage.parents(card, self.options.base_card)
        rail_parents = [p for p in parents if _specific_rail(p.license) is not None]
        held = self.options.license
        if held is not None and _specific_rail(held) is not None:
            # --license holds the card to a license as if it were its parent's.
            rail_parents = [Parent(held, held, "--license", 1, "card held to")]
        for p in rail_parents:
            # A base the metadata or --base-card names needs no note; one inferred from the text does.
            if p.how.startswith("the card's text"):
                self.add(
                    "derivative-detected",
                    p.line,
                    f"{p.relation} of {p.shown}, licensed {p.license}; found in {p.how}",
                )
        own = self._license(metadata, rail_parents)
        if rail_parents and not own.settled:
            own = self._derivative_license(own, rail_parents)
        if rail_parents and held is None:
            self._modifications(rail_parents[0])
            if self.options.base_card is not None:
                self._sections(self.options.base_card)
        if own.rail is not None and not own.settled:
            self._recommendations(own.rail)
        return sorted(self.findings, key=lambda f: (f.line, f.rule))

    # --- the license ----------------------------------------------------------------------------

    @cached_property
    def _linked(self) -> bool:
        """Whether the card gives access to a license text: license_link, a link, a LICENSE file."""
        metadata = self.card.metadata or {}
        if metadata.get("license_link") or _links_a_license(self.card.lowered):
            return True
        return self.folder is not None and not _folder_files(
            os.path.realpath(self.folder)
        ).isdisjoint(_LICENSE_FILES)

    def _named_in_text(self) -> tuple[licenses.LicenseInfo, int] | None:
        found = rail_named(self.card.lowered)
        if found is None:
            return None
        info, position = found
        body_length = len(self.card.body)
        line = (
            self.card.body_start + self.card.lowered.count("\n", 0, position)
            if position < body_length
            else self.card.key_line("license")
        )
        return info, line

    def _license(self, metadata: dict[str, Any], parents: list[Parent]) -> OwnLicense:
        value = metadata.get("license")
        key = "license"
        if value is None:
            tags = metadata.get("tags")
            tagged = (
                [t for t in tags if isinstance(t, str) and t.startswith("license:")]
                if isinstance(tags, list)
                else []
            )
            if tagged:
                value, key = tagged[0].removeprefix("license:"), "tags"
        if value is None:
            return self._no_license(parents)
        known = licenses.hub_license_ids()
        if isinstance(value, str) and value not in ("other", "openrail"):
            # The usual cases first, before the line is looked up for a finding.
            rail = _specific_rail(value)
            if rail is not None:
                return OwnLicense(value, rail, False, False)
            if value in known:
                return OwnLicense(value, None, True, False)
        line = self.card.key_line(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            self.add(
                "license-unknown",
                line,
                f"license must be one Hub license id, got a list: {_shown(value)}",
            )
            rail = next((info for v in value if (info := _specific_rail(v)) is not None), None)
            return OwnLicense(
                ", ".join(value), rail, all(v in _unrestricted_names() for v in value), False
            )
        if not isinstance(value, str):
            self.add(
                "license-unknown", line, f"license must be one Hub license id, got {_shown(value)}"
            )
            return OwnLicense(None, None, False, False)
        if value == "other":
            return self._other(metadata, line)
        if value == "openrail":
            return self._family_tag(metadata, line, parents)
        import difflib

        close = difflib.get_close_matches(value, list(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        self.add("license-unknown", line, f"{value!r} is not a Hub license id{hint}")
        named = rail_named(value.lower())
        return OwnLicense(value, named[0] if named else None, False, False)

    def _no_license(self, parents: list[Parent]) -> OwnLicense:
        card = self.card
        named = self._named_in_text()
        statement = _license_statement(card.lowered, len(card.body))
        stated = named is not None or statement is not None
        parent = parents[0] if parents else None
        duty = (
            f"; as a {parent.relation} of {parent.shown} it must carry {parent.license}"
            if parent
            else ""
        )
        no_front = card.metadata is None
        if not stated:
            where = (
                "no front matter, and the text names no license"
                if no_front
                else "no license in the metadata or the text"
            )
            self.add("license-missing", card.front_start, where + duty)
            return OwnLicense(None, None, False, True)
        if parent is not None and named is not None and not self._linked:
            info, line = named
            self.add(
                "rail-license-text-missing",
                line,
                f"the {info.name} is named in the text only, with no license id, license_link or link "
                f"to its text{duty}",
            )
            return OwnLicense(None, info, False, True)
        rule = "front-matter-missing" if no_front else "license-metadata-missing"
        what = f"the {named[0].name}" if named else "a license"
        line = (
            named[1]
            if named
            else card.body_start
            + card.lowered.count("\n", 0, statement.start() if statement else 0)
        )
        message = f"the text names {what}, but the metadata has no `license:`"
        misplaced = card.text.find("\nlicense:")
        if no_front and misplaced >= 0:
            line = card.text.count("\n", 0, misplaced) + 2
            message = (
                f"a `license:` line on line {line} is not in front matter at the top, where the "
                "Hub reads it"
            )
        self.add(rule, line, message)
        return OwnLicense(None, named[0] if named else None, False, False)

    def _other(self, metadata: dict[str, Any], line: int) -> OwnLicense:
        name, link = metadata.get("license_name"), metadata.get("license_link")
        # license_name and license_link say which license; only without them does the text.
        named = (
            rail_named(f"{name or ''} {link or ''}".lower())
            if name or link
            else self._named_in_text()
        )
        rail = named[0] if named else None
        unrestricted = isinstance(name, str) and name.lower() in _unrestricted_names()
        if not self._linked:
            what = f"license_name {name!r} but" if name else "no license_name and"
            self.add(
                "license-other-unidentified",
                line,
                f"license: other with {what} no license_link, no link to a license text and no LICENSE file",
            )
            return OwnLicense("other", rail, unrestricted, True)
        missing = [k for k, v in (("license_name", name), ("license_link", link)) if not v]
        if missing:
            self.add(
                "license-other-incomplete",
                line,
                f"license: other without {' and '.join(missing)} (the card links its license in the text)",
            )
        return OwnLicense("other", rail, unrestricted, False)

    def _family_tag(self, metadata: dict[str, Any], line: int, parents: list[Parent]) -> OwnLicense:
        named = rail_named(str(metadata.get("license_link") or "").lower()) or self._named_in_text()
        if named is not None:
            self.add(
                "openrail-family-tag",
                line,
                f"license: openrail is the family tag; the card names the {named[0].name}",
                f"Write `license: {named[0].id}`.",
            )
            return OwnLicense("openrail", named[0], False, False)
        other = _OTHER_LICENSE.search(self.card.lowered)
        if self._linked and other is None:
            self.add(
                "openrail-family-tag",
                line,
                "license: openrail is the family tag; the card links a license text but does not name the variant",
            )
            return OwnLicense("openrail", None, False, bool(parents) and self._unverified(parents))
        self.add(
            "openrail-variant-unknown",
            line,
            "license: openrail names the family, not the license, and the card neither names nor links the license"
            if other is None
            else f"license: openrail names the family, and the card names no OpenRAIL license but {other.group()!r}",
        )
        return OwnLicense("openrail", None, False, True)

    def _unverified(self, parents: list[Parent]) -> bool:
        parent = parents[0]
        self.add(
            "derivative-license-unverified",
            self.card.key_line("license"),
            f"{parent.relation} of {parent.shown} ({parent.license}, found in {parent.how}); "
            "govcard cannot tell whether the card's license keeps the parent's use restrictions",
        )
        return True

    def _derivative_license(self, own: OwnLicense, parents: list[Parent]) -> OwnLicense:
        """Whether the card's license keeps every parent's restrictions: one finding if not."""
        line = self.card.key_line("license")
        for parent in parents:
            parent_info = _specific_rail(parent.license)
            assert parent_info is not None
            if own.rail is None and not own.unrestricted:
                self._unverified([parent])
                return own._replace(settled=True)
            dropped = [
                r
                for r in parent_info.restrictions
                if own.rail is None or r.topic not in own.rail.topics
            ]
            if not dropped:
                continue
            if own.rail is None:
                what = (
                    f"which has no use restrictions: all {len(dropped)} of the parent's are dropped"
                )
            else:
                what = f"the {own.rail.name}, which drops " + ", ".join(
                    f"({r.id}) {r.title}" for r in dropped
                )
            if parent.how == "--license":
                message = f"held to {parent_info.id} by --license, the card is licensed {own.shown}, {what}"
                fix = f"License the model under {parent_info.id}."
            else:
                message = (
                    f"{parent.relation} of {parent.shown} ({parent_info.id}, found in {parent.how}) "
                    f"is licensed {own.shown}, {what}"
                )
                fix = f"License the model under {parent_info.id}, as the parent's license requires."
            self.add("derivative-license-drops-restrictions", line, message, fix)
            return own._replace(settled=True)
        return own

    def _recommendations(self, info: licenses.LicenseInfo) -> None:
        lowered = self.card.lowered
        if not _incorporates(lowered) and _heading_with("restrict", lowered) is None:
            self.add(
                "rail-restrictions-missing",
                self._license_section_line(),
                f"the {info.name} applies by reference; the card neither lists its "
                f"{len(info.restrictions)} use restrictions nor says that use is subject to them",
            )

    def _license_section_line(self) -> int:
        heading = _heading_with("licen", self.card.lowered[: len(self.card.body)])
        if heading is None:
            return self.card.body_start
        return self.card.body_start + self.card.lowered.count("\n", 0, heading)

    # --- metadata -------------------------------------------------------------------------------

    def _co2(self, metadata: dict[str, Any]) -> None:
        if "co2_eq_emissions" not in metadata:
            return
        value = metadata["co2_eq_emissions"]
        line = self.card.key_line("co2_eq_emissions")
        if isinstance(value, dict):
            if "emissions" not in value:
                self.add("co2-malformed", line, "co2_eq_emissions has no emissions value")
                return
            line = self.card.key_line("co2_eq_emissions", "emissions")
            value = value["emissions"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            fix = None
            if isinstance(value, str):
                try:
                    grams = units.parse_mass(value).value * 1000
                    fix = f"Write the emissions as a number of grams: {units.format_number(round(grams, 6)).replace(',', '')}."
                except ValueError:
                    pass
            self.add(
                "co2-malformed",
                line,
                f"emissions must be a number of grams, got {_shown(value)}",
                fix,
            )
            return
        if value < 0:
            self.add("co2-malformed", line, f"emissions must not be negative, got {_shown(value)}")
            return
        grams = float(value) if value < 1e300 else math.inf  # a 400-digit int overflows float()
        if not math.isfinite(grams):
            self.add(
                "co2-malformed",
                line,
                f"emissions must be a finite number of grams, got {_shown(value)}",
            )
            return
        self._co2_against_body(grams, line)

    def _co2_against_body(self, grams: float, line: int) -> None:
        figures: list[tuple[units.Quantity, int]] = []
        for offset, text in self.card.lines_with("co2", "carbon", "emission"):
            for number, unit in _MASS.findall(text):
                try:
                    figures.append(
                        (units.parse_mass(f"{number} {unit}"), self.card.body_start + offset)
                    )
                except ValueError:
                    continue
        if not figures:
            return
        kg = grams / 1000
        if any(abs(q.value - kg) <= max(0.005 * kg, q.resolution) * (1 + 1e-9) for q, _ in figures):
            return
        quantity, body_line = figures[0]
        shown = f" ({units.format_mass_kg(kg)})" if kg >= 1 else ""
        message = (
            f"the metadata says {units.format_number(grams)} g{shown} "
            f"but line {body_line} says {quantity.text}"
        )
        if abs(quantity.value - grams) <= max(0.005 * grams, quantity.resolution):
            message += "; the metadata looks like kg written as grams"
        in_grams = units.format_number(round(quantity.value * 1000, 6)).replace(",", "")
        self.add(
            "co2-contradicts-body",
            line,
            message,
            f"If line {body_line} is right, write co2_eq_emissions.emissions: {in_grams} (grams).",
        )

    def _base_model(self, metadata: dict[str, Any]) -> None:
        if "base_model" not in metadata:
            return
        value = metadata["base_model"]
        items = value if isinstance(value, list) else [value]
        bad = [
            item
            for item in items
            if not isinstance(item, str) or not _LEGACY_OR_REPO_ID.fullmatch(item)
        ]
        if bad or not items:
            self.add(
                "base-model-malformed",
                self.card.key_line("base_model"),
                f"base_model must be a Hub model id like org/name (or a legacy id like gpt2), got {_shown(bad[0] if bad else value)}",
            )

    def _modifications(self, parent: Parent) -> None:
        body = self.card.lowered[: len(self.card.body)]
        if not any(cue in body for cue in _MODIFICATION):
            self.add(
                "derivative-modifications-undescribed",
                self.card.body_start,
                f"{parent.relation} of {parent.shown} that does not say how it was made "
                "(training, fine-tuning, quantization, merging)",
            )

    def _has_content(self, heading: Any) -> bool:
        headings = self.card.headings
        index = headings.index(heading)
        end = next((h.line for h in headings[index + 1 :] if h.level <= heading.level), None)
        start = heading.line - self.card.body_start + 1
        stop = (end - self.card.body_start) if end else len(self.card.body_lines)
        return any(line.strip() for line in self.card.body_lines[start:stop])

    def _sections(self, base: Card) -> None:
        parent_sections = _top_sections(base)
        own = {_normalise(h.title): h for h in self.card.headings}
        missing = [
            h.title
            for h in parent_sections
            if _normalise(h.title) not in own or not self._has_content(own[_normalise(h.title)])
        ]
        if missing:
            self.add(
                "derivative-sections-dropped",
                self.card.body_start,
                f"sections of the parent card ({base.path}) missing or empty here: {', '.join(missing)}",
            )


def _top_sections(card: Card) -> list[Any]:
    headings = [
        h for h in card.headings if _normalise(h.title) not in {"tableofcontents", "contents"}
    ]
    if headings and headings[0].level == 1 and sum(h.level == 1 for h in headings) == 1:
        headings = headings[1:]
    if not headings:
        return []
    top = min(h.level for h in headings)
    return [h for h in headings if h.level <= max(top, 2)]


def _normalise(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def _shown(value: Any) -> str:
    # reprlib bounds depth and length: a YAML alias bomb shares its lists, and a plain repr of it
    # would expand them all.
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 60, 60


# --- files --------------------------------------------------------------------------------------

_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


def card_files(root: Path) -> Iterator[Path]:
    """Every Markdown file under a folder, in a stable order. VCS folders, virtualenvs and hidden
    folders are skipped; symbolic links to folders are not followed and a linked file outside
    the folder is not read, so a walk never leaves the folder it was given; a file reached
    twice is checked once. The walk keeps its own stack, so a tree of any depth is walked."""
    top = os.path.realpath(root)
    seen: set[str] = set()
    stack: list[Iterator[os.DirEntry[str]]] = [_entries(str(root))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif entry.is_dir(follow_symlinks=False):
            if entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                stack.append(_entries(entry.path))
        elif entry.name.lower().endswith(".md") and entry.is_file():
            real = os.path.realpath(entry.path)
            if real not in seen and real.startswith(top + os.sep):
                seen.add(real)
                yield Path(entry.path)


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name)
    except OSError:  # unreadable, or a path too long for the system
        listed = []
    return iter(listed)


KEYS = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "base_model",
        "base_model_relation",
        "tags",
        "co2_eq_emissions",
    }
)
"""The metadata keys the check reads; the others are not parsed."""


def check_card(card: Card, options: Options, folder: Path | None) -> list[Finding]:
    """The findings of one parsed card."""
    return _Checker(card, options, folder).run()


def check_text(text: str, path: str, options: Options) -> FileResult:
    """Check a card given as text (stdin)."""
    return FileResult(path, check_card(parse(text, path, KEYS), options, None))


def check_file(path: Path, options: Options) -> FileResult:
    """Check one card file."""
    try:
        card = read(path, KEYS)
    except Unreadable as exc:
        return FileResult(displayable(str(path)), _unreadable(str(exc), options))
    return FileResult(displayable(str(path)), check_card(card, options, path.parent))


_CARD_NAMES = frozenset({"readme.md", "model_card.md", "modelcard.md"})


def _check_walked(path: Path, options: Options) -> FileResult | None:
    """Check a file found in a folder, or None for what is not a model card: a dataset card, or
    Markdown without front matter that does not look like a card either (a card's file name, a
    `license:` line out of place, "model card" in its title)."""
    shown = displayable(str(path))
    try:
        card = read(path, KEYS)
    except Unreadable as exc:
        return FileResult(shown, _unreadable(str(exc), options))
    if (
        card.metadata is None
        and not card.front
        and path.name.lower() not in _CARD_NAMES
        and "\nlicense:" not in card.text
        and "model card" not in card.title.lower()
    ):
        return None
    if is_dataset_card(card.keys):
        return None
    return FileResult(shown, check_card(card, options, path.parent))


_DATASET_KEYS = {
    "pretty_name",
    "size_categories",
    "task_categories",
    "task_ids",
    "dataset_info",
    "configs",
}
_MODEL_KEYS = {"base_model", "pipeline_tag", "library_name", "model-index", "co2_eq_emissions"}


def is_dataset_card(keys: frozenset[str]) -> bool:
    """Whether metadata with these top-level keys is a dataset card's (directory walks check
    model cards only)."""
    return bool(keys & _DATASET_KEYS) and not keys & _MODEL_KEYS


def _unreadable(message: str, options: Options) -> list[Finding]:
    checker = _Checker(Card(path="", text=""), options, None)
    checker.add("card-unreadable", 1, message)
    return checker.findings


def check_paths(paths: Iterable[Path], options: Options) -> list[FileResult]:
    """Check files and directories (every model card inside)."""
    _folder_files.cache_clear()  # a folder's files are read once per run, not once per process
    results: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            results.extend(
                result
                for file in card_files(path)
                if (result := _check_walked(file, options)) is not None
            )
        else:
            results.append(check_file(path, options))
    return results


def check_bytes(raw: bytes, path: str, options: Options) -> FileResult:
    """Check a card read from stdin (at most `cards.MAX_BYTES` + 1 bytes of it)."""
    if len(raw) > MAX_BYTES:
        return FileResult(
            path, _unreadable(f"the card is larger than {MAX_BYTES:,} bytes", options)
        )
    try:
        text = decode(raw)
    except Unreadable as exc:
        return FileResult(path, _unreadable(str(exc), options))
    return check_text(text, path, options)


# --- configuration ----------------------------------------------------------------------------


def load_config(start: Path) -> tuple[frozenset[str], dict[str, Severity]]:
    """`[tool.govcard.check]` of the nearest pyproject.toml: `ignore` and `severity` overrides."""
    from govcard.errors import GovcardError

    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            break
    else:
        return frozenset(), {}
    import tomllib

    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GovcardError.at(str(candidate), f"cannot read: {exc}") from None
    section = data.get("tool", {}).get("govcard", {}).get("check", {})
    where = f"{candidate} [tool.govcard.check]"
    unknown_keys = set(section) - {"ignore", "severity"}
    if unknown_keys:
        raise GovcardError.at(
            where, f"unknown setting {sorted(unknown_keys)[0]!r}; use ignore or severity"
        )
    ignore = section.get("ignore", [])
    severity = section.get("severity", {})
    if not isinstance(ignore, list) or not isinstance(severity, dict):
        raise GovcardError.at(
            where, "ignore must be a list of rule ids and severity a table of rule = level"
        )
    for rule in [*ignore, *severity]:
        validate_rule(rule, where)
    for rule, level in severity.items():
        if level not in SEVERITIES:
            raise GovcardError.at(
                where, f"severity of {rule} must be one of {', '.join(SEVERITIES)}, got {level!r}"
            )
    return frozenset(ignore), dict(severity)


def validate_rule(rule: object, where: str) -> None:
    """Raise a usage error for a rule id govcard does not have."""
    from govcard.errors import GovcardError

    if rule not in RULES:
        import difflib

        close = difflib.get_close_matches(str(rule), list(RULES), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise GovcardError.at(where, f"unknown rule {rule!r}{hint}")
