"""`govcard check`: where a model card falls short of its license, with locations.

Each rule has a stable id, a severity, and a documented why and fix (docs/guides/check.md). The check
reads what a card and its folder show: metadata, body, a LICENSE file beside it, and optionally
the parent model's card. It cannot read minds: a card that says the right things passes.
"""

from __future__ import annotations

import os
import re
import reprlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from govcard import licenses, units
from govcard.cards import MAX_BYTES, Card, Phrase, Unreadable, decode, parse, read

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
            "error",
            "No YAML front matter",
            "The Hub reads license and other metadata from the YAML block at the top of README.md.",
            "Start the card with a --- line, the metadata, and another --- line.",
        ),
        Rule(
            "front-matter-invalid",
            "error",
            "The front matter is not a YAML mapping",
            "Metadata the Hub cannot parse is ignored, license included.",
            "Fix the YAML so that the block is a mapping of keys to values.",
        ),
        Rule(
            "license-missing",
            "error",
            "No license in the metadata",
            "Without `license`, users cannot tell the terms, and RAIL restrictions cannot flow down.",
            "Add `license:` with a Hub license id, e.g. bigcode-openrail-m.",
        ),
        Rule(
            "license-unknown",
            "error",
            "The license is not a Hub license id",
            "The Hub only recognises its own license ids; anything else is shown as unknown.",
            "Use a Hub license id, or `license: other` with license_name and license_link.",
        ),
        Rule(
            "license-other-incomplete",
            "error",
            "`license: other` without its name or link",
            "The Hub requires license_name and license_link when the license is `other`.",
            "Add `license_name:` (a slug) and `license_link:` (the license text).",
        ),
        Rule(
            "co2-malformed",
            "error",
            "co2_eq_emissions is not a number of grams",
            "The Hub reads `co2_eq_emissions.emissions` as grams of CO2eq; text such as '17 kg' is not read.",
            "Write the emissions as a number of grams, e.g. 17 kg -> 17000.",
        ),
        Rule(
            "co2-contradicts-body",
            "error",
            "The metadata's emissions contradict the card's text",
            "codecarbon reports kg and the Hub expects grams; cards that mix them overstate or understate emissions by 1000x.",
            "Make co2_eq_emissions.emissions the body's figure in grams.",
        ),
        Rule(
            "base-model-malformed",
            "error",
            "base_model is not a Hub model id",
            "The Hub links a derivative to its parent through base_model: a repo id or a list of them.",
            "Write base_model as org/name (or a list of them).",
        ),
        Rule(
            "rail-license-text-missing",
            "error",
            "Recipients are not given the license text",
            "RAIL licenses require giving recipients a copy of the license.",
            "Add license_link to the metadata, link the license text in the card, or put a LICENSE file beside it.",
        ),
        Rule(
            "rail-restrictions-missing",
            "error",
            "The license's use restrictions are not carried",
            "RAIL use restrictions must travel with the model and every derivative.",
            "List every use restriction (govcard render writes them), or state that use is subject to the license's use restrictions and link the license.",
        ),
        Rule(
            "rail-obligations-missing",
            "warning",
            "The sharing and attribution obligations are not stated",
            "Downstream users must know that sharing requires a copy of the license, the same restrictions and kept notices.",
            "Add a section on sharing obligations and attribution (govcard render writes one).",
        ),
        Rule(
            "openrail-variant-unknown",
            "warning",
            "The license is only tagged `openrail`",
            "The family tag does not say which restrictions apply, so they cannot be checked.",
            "Use the exact license id, e.g. bigcode-openrail-m or creativeml-openrail-m.",
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
            "A fine-tune, quantization or merge of a RAIL model must be shared under the same use restrictions.",
            "License the derivative under the parent's license (or one with all its restrictions).",
        ),
        Rule(
            "derivative-license-unverified",
            "warning",
            "A derivative's license cannot be compared with its parent's",
            "With `license: other` or the `openrail` tag, govcard cannot tell whether the restrictions are kept.",
            "Use the parent's Hub license id, or list the parent's use restrictions in the card.",
        ),
        Rule(
            "derivative-modifications-undescribed",
            "error",
            "A derivative does not describe how it was changed",
            "RAIL licenses ask for documentation of modifications (training data, method, quantization, merge).",
            "Add a section such as '## Training' or '## Modifications' saying how the model was changed.",
        ),
        Rule(
            "derivative-sections-dropped",
            "error",
            "A derivative drops sections of its parent's card",
            "The parent's documentation must be kept, in the same or better quality.",
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


# --- base models --------------------------------------------------------------------------------


class KnownBase(NamedTuple):
    """A RAIL model published by its licensor."""

    match: str
    license: str
    shown: str


@cache
def known_bases() -> tuple[dict[str, KnownBase], list[KnownBase]]:
    """Known RAIL base models: by lowercase repo id, and by name (longest first)."""
    text = (licenses.DATA / "rail-base-models.tsv").read_text(encoding="utf-8")
    repos: dict[str, KnownBase] = {}
    names: list[KnownBase] = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            kind, match, license_id, shown = line.split("\t")
            base = KnownBase(match, license_id, shown)
            if kind == "repo":
                repos[match.lower()] = base
            else:
                names.append(base)
    names.sort(key=lambda b: -len(b.match))
    return repos, names


_DERIVATIVE_WORDS = re.compile(
    r"fine[- ]?tun|finetun|based on|derived from|distill|quantiz|merged|merge of|adapter|lora\b"
    r"|trained on top of|continued pre-?training|further (?:pre-?)?trained|initiali[sz]ed from"
    r"|checkpoint of|version of|built on",
    re.IGNORECASE,
)
_LICENSE_NAMES = re.compile(
    r"\b(?:bigscience\s+)?bloom\s+rail\b|\bbigcode\s+open\s*rail\S*", re.IGNORECASE
)
# Bounded parts keep the search linear on long lines ("a.a.a.a...").
_REPO_ID = re.compile(r"\b([A-Za-z0-9][\w.-]{0,95}/[\w.-]{0,95}[\w])")


@cache
def _name_pattern() -> re.Pattern[str]:
    _, names = known_bases()
    alternatives = "|".join(re.escape(b.match).replace(r"\ ", r"[\s_-]?") for b in names)
    return re.compile(rf"(?<![\w/-])({alternatives})(?![\w-])(?!\s+filter)", re.IGNORECASE)


class Parent(NamedTuple):
    """The model a card derives from, its license, and how that was found."""

    shown: str
    license: str | None
    how: str
    line: int


def _parents(card: Card, options: Options) -> list[Parent]:
    repos, names = known_bases()
    metadata = card.metadata or {}
    found: list[Parent] = []
    base_model = metadata.get("base_model")
    ids = (
        [base_model]
        if isinstance(base_model, str)
        else base_model
        if isinstance(base_model, list)
        else []
    )
    for item in ids:
        if isinstance(item, str):
            known = repos.get(item.lower())
            shown = f"{known.shown} ({item})" if known else item
            found.append(
                Parent(
                    shown,
                    known.license if known else None,
                    "base_model in the metadata",
                    card.key_line("base_model"),
                )
            )
    if options.base_card is not None and options.base_card.metadata:
        license_id = options.base_card.metadata.get("license")
        found.append(
            Parent(
                f"the model of {options.base_card.path}",
                license_id if isinstance(license_id, str) else None,
                "--base-card",
                1,
            )
        )
    if found:
        return found
    title = next((h.title.lower() for h in card.headings if h.level == 1), "")
    by_name = {b.match.lower().replace(" ", ""): b for b in names}
    for offset, raw in enumerate(card.body_lines):
        if not _DERIVATIVE_WORDS.search(raw):
            continue
        # License names ("BigScience BLOOM RAIL 1.0") name no base model.
        line = _LICENSE_NAMES.sub(" ", raw)
        for candidate in _REPO_ID.findall(line):
            known = repos.get(candidate.lower())
            if known is not None:
                return [
                    Parent(
                        f"{known.shown} ({candidate})",
                        known.license,
                        f"the card's text: {_quote(raw)}",
                        card.body_start + offset,
                    )
                ]
        match = _name_pattern().search(line)
        if match is not None:
            key = re.sub(r"[\s_-]", "", match.group(1).lower())
            base = next((b for k, b in by_name.items() if k.replace("-", "") == key), None)
            if base is not None and base.shown.lower() != title and key != title.replace(" ", ""):
                return [
                    Parent(
                        base.shown,
                        base.license,
                        f"the card's text: {_quote(raw)}",
                        card.body_start + offset,
                    )
                ]
    return []


@cache
def _phrase_index(
    license_id: str,
) -> tuple[dict[str, list[tuple[str, Phrase]]], list[tuple[str, Phrase]]]:
    """A license's restriction terms and titles as phrases, with the restriction id: phrases of
    several words by their first word (only those whose first word is in a card are searched),
    and one-word phrases, which may start a longer word ("malware" in "malwares")."""
    by_first: dict[str, list[tuple[str, Phrase]]] = {}
    single: list[tuple[str, Phrase]] = []
    info = licenses.rail(license_id)
    assert info is not None
    for r in info.restrictions:
        for text in (*r.terms, r.title):
            phrase = Phrase.of(text)
            if phrase.whole_words:
                by_first.setdefault(phrase.whole_words[0], []).append((r.id, phrase))
            else:
                single.append((r.id, phrase))
    return by_first, single


def _found_restrictions(card: Card, license_id: str) -> set[str]:
    """Ids of the restrictions of a license that the card mentions by a term or its title."""
    by_first, single = _phrase_index(license_id)
    found: set[str] = set()
    for word in card.words.intersection(by_first):
        found.update(
            rid for rid, phrase in by_first[word] if rid not in found and card.mentions(phrase)
        )
    found.update(
        rid for rid, phrase in single if rid not in found and phrase.text in card.searchable
    )
    return found


@lru_cache(maxsize=64)
def _folder_files(folder: str) -> frozenset[str]:
    """The names in a folder (read once per folder, for LICENSE files beside cards)."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


def _quote(line: str) -> str:
    text = " ".join(line.split())
    return f'"{text[:77]}..."' if len(text) > 80 else f'"{text}"'


# --- the rules ------------------------------------------------------------------------------------


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


def _incorporates(lowered: str) -> bool:
    """Whether the card states that the license's use restrictions apply: a phrase such as "subject
    to the use restrictions", outside headings and not denied ("no use restrictions")."""
    for match in _REFERENCE.finditer(lowered):
        line_start = lowered.rfind("\n", 0, match.start()) + 1
        if lowered[line_start : match.start()].lstrip().startswith("#"):
            continue
        if _DENIAL.search(lowered[max(line_start, match.start() - 30) : match.start()]):
            continue
        return True
    return False


# License URLs, searched in the lowercased card.
_LICENSE_URL = re.compile(r"https?://[^\s)\]>\"']{0,300}?licen[cs]e")
_SHARING = re.compile(
    r"copy[\s*]+of[\s*]+the[^.]{0,60}?licen[cs]e|same[\s*]+use[\s*]+restrictions"
    r"|include[\s*]+the[\s*]+use[\s*]+restrictions|enforceable[\s*]+provision|redistribut"
    r"|sharing[\s*]+(?:obligations|requirements)|share[\s*]+(?:the[\s*]+model|it|a[\s*]+copy|derivatives)"
)
_NOTICES = re.compile(r"attribution|notices|credit")
_MODIFICATION_HEADING = re.compile(
    r"train|fine[- ]?tun|finetun|modif|chang|method|procedure|recipe|how (?:it|the model|this model) was"
    r"|quantiz|merg|adapt|distill|lora|dreambooth",
    re.IGNORECASE,
)
_MASS = re.compile(
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(kg|g|t|tonnes?)(?:\s*co2(?:e|eq|-eq)?)?(?![\w/])(?!\s*/)",
    re.IGNORECASE,
)


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
        if card.front_matter_error is not None:
            line, message = card.front_matter_error
            self.add(
                "front-matter-missing"
                if card.metadata is None and not card.front_lines
                else "front-matter-invalid",
                line,
                message,
            )
            if card.metadata is None:
                return self.findings
        metadata = card.metadata or {}
        own = self._license(metadata)
        self._co2(metadata)
        self._base_model(metadata)
        parents = _parents(card, self.options)
        parent = next((p for p in parents if p.license in licenses.rail_ids()), None)
        for p in parents:
            # A base the metadata or --base-card names needs no note; one inferred from the text does.
            if p.license in licenses.rail_ids() and p.how.startswith("the card's text"):
                self.add(
                    "derivative-detected",
                    p.line,
                    f"derivative of {p.shown}, licensed {p.license}; found in {p.how}",
                )
        governing = self._governing(own, parent)
        if parent is not None:
            self._derivative_license(own, metadata, parent)
            self._modifications(parent)
            if self.options.base_card is not None:
                self._sections(self.options.base_card)
        if governing is not None and not governing.family_only:
            self._carried(metadata, governing)
        return sorted(self.findings, key=lambda f: (f.line, f.rule))

    def _license(self, metadata: dict[str, Any]) -> str | None:
        value = metadata.get("license")
        if value is None:
            self.add("license-missing", 1, "the metadata has no license")
            return None
        line = self.card.key_line("license")
        if not isinstance(value, str):
            self.add(
                "license-unknown", line, f"license must be one Hub license id, got {_shown(value)}"
            )
            return None
        known = licenses.hub_license_ids()
        if value not in known:
            import difflib

            close = difflib.get_close_matches(value, list(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            self.add("license-unknown", line, f"{value!r} is not a Hub license id{hint}")
            return None
        if value == "other":
            missing = [k for k in ("license_name", "license_link") if not metadata.get(k)]
            if missing:
                self.add(
                    "license-other-incomplete",
                    line,
                    f"license: other without {' and '.join(missing)}",
                )
        if value == "openrail":
            self.add(
                "openrail-variant-unknown",
                line,
                "license: openrail names the family, not the license; its restrictions cannot be checked",
            )
        return value

    def _governing(self, own: str | None, parent: Parent | None) -> licenses.LicenseInfo | None:
        if self.options.license is not None:
            return licenses.rail(self.options.license)
        own_info = licenses.rail(own) if own else None
        parent_info = licenses.rail(parent.license) if parent and parent.license else None
        if parent_info is not None and (
            own_info is None or not parent_info.topics <= own_info.topics
        ):
            return parent_info
        return own_info

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
        if isinstance(value, bool) or not isinstance(value, int | float):
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
            self.add("co2-malformed", line, f"emissions must not be negative, got {value}")
            return
        self._co2_against_body(float(value), line)

    def _co2_against_body(self, grams: float, line: int) -> None:
        figures: list[tuple[units.Quantity, int]] = []
        for offset in self.card.lines_with("co2", "carbon", "emission"):
            for number, unit in _MASS.findall(self.card.body_lines[offset]):
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
            if not isinstance(item, str) or not re.fullmatch(r"[\w.-]+/[\w.-]+", item)
        ]
        if bad or not items:
            self.add(
                "base-model-malformed",
                self.card.key_line("base_model"),
                f"base_model must be a Hub model id like org/name, got {_shown(bad[0] if bad else value)}",
            )

    def _carried(self, metadata: dict[str, Any], info: licenses.LicenseInfo) -> None:
        lowered = self.card.lowered
        license_links = _LICENSE_URL.findall(lowered) or info.url.lower() in lowered
        has_file = self.folder is not None and not _folder_files(
            os.path.realpath(self.folder)
        ).isdisjoint(_LICENSE_FILES)
        if not (metadata.get("license_link") or license_links or has_file):
            self.add(
                "rail-license-text-missing",
                self.card.key_line("license"),
                f"the card neither links the {info.name} text nor has a LICENSE file beside it",
            )
        referenced = _incorporates(lowered) and (license_links or metadata.get("license_link"))
        # Incorporating the restrictions by reference is enough; only otherwise are they sought.
        found = set() if referenced else _found_restrictions(self.card, info.id)
        missing = [r for r in info.restrictions if r.id not in found]
        if missing and not referenced:
            listed = len(info.restrictions) - len(missing)
            names = ", ".join(f"({r.id}) {r.title}" for r in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            self.add(
                "rail-restrictions-missing",
                self._license_section_line(),
                f"the card lists {listed} of the {len(info.restrictions)} use restrictions of the "
                f"{info.name} and does not incorporate them by reference; missing: {names}{more}",
            )
        absent = [
            what
            for what, pattern in (("sharing", _SHARING), ("attribution", _NOTICES))
            if not pattern.search(lowered)
        ]
        if absent:
            self.add(
                "rail-obligations-missing",
                self._license_section_line(),
                f"the card does not state the {' and '.join(absent)} obligations of the {info.name}",
            )

    def _license_section_line(self) -> int:
        heading = next((h for h in self.card.headings if "licen" in h.title.lower()), None)
        return heading.line if heading else self.card.body_start

    def _derivative_license(
        self, own: str | None, metadata: dict[str, Any], parent: Parent
    ) -> None:
        parent_info = licenses.rail(parent.license or "")
        if parent_info is None or parent_info.family_only:
            return
        line = self.card.key_line("license")
        if own in (None, "other", "openrail"):
            if own is not None:
                self.add(
                    "derivative-license-unverified",
                    line,
                    f"derivative of {parent.shown} ({parent_info.id}) is licensed {own!r}; "
                    "govcard cannot tell whether it keeps the parent's use restrictions",
                )
            return
        assert own is not None
        own_info = licenses.rail(own)
        dropped = [
            r
            for r in parent_info.restrictions
            if own_info is None or r.topic not in own_info.topics
        ]
        if not dropped:
            return
        if own_info is None:
            what = f"which has no use restrictions: all {len(dropped)} of the parent's are dropped"
        else:
            what = "which drops " + ", ".join(f"({r.id}) {r.title}" for r in dropped)
        self.add(
            "derivative-license-drops-restrictions",
            line,
            f"derivative of {parent.shown} ({parent_info.id}, found in {parent.how}) is licensed {own}, {what}",
            f"License the model under {parent_info.id}, as the parent's license requires.",
        )

    def _modifications(self, parent: Parent) -> None:
        sections = [h for h in self.card.headings if _MODIFICATION_HEADING.search(h.title)]
        if not any(self._has_content(h) for h in sections):
            self.add(
                "derivative-modifications-undescribed",
                self.card.body_start,
                f"derivative of {parent.shown} without a section on how it was changed "
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


def card_files(root: Path, seen: set[str] | None = None) -> Iterator[Path]:
    """Every Markdown file under a directory, in a stable order, skipping VCS and virtualenvs, and
    folders already walked (a symlink loop ends)."""
    seen = set() if seen is None else seen
    real = os.path.realpath(root)
    if real in seen:
        return
    seen.add(real)
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.is_dir():
            if entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                yield from card_files(entry, seen)
        elif entry.suffix.lower() == ".md" and entry.is_file():
            yield entry


def check_card(card: Card, options: Options, folder: Path | None) -> list[Finding]:
    """The findings of one parsed card."""
    return _Checker(card, options, folder).run()


def check_text(text: str, path: str, options: Options) -> FileResult:
    """Check a card given as text (stdin)."""
    return FileResult(path, check_card(parse(text, path), options, None))


def check_file(path: Path, options: Options, from_directory: bool = False) -> FileResult | None:
    """Check one card file; from a directory walk, Markdown files without front matter (other than
    README.md) and dataset cards are skipped."""
    shown = str(path)
    try:
        card = read(path)
    except Unreadable as exc:
        return FileResult(shown, _unreadable(str(exc), options))
    if (
        from_directory
        and card.front_matter_error is not None
        and not card.front_lines
        and path.name != "README.md"
    ):
        return None
    if from_directory and is_dataset_card(card.metadata):
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


def is_dataset_card(metadata: dict[str, Any] | None) -> bool:
    """Whether metadata is a dataset card's (directory walks check model cards only)."""
    keys = set(metadata or {})
    return bool(keys & _DATASET_KEYS) and not keys & _MODEL_KEYS


def _unreadable(message: str, options: Options) -> list[Finding]:
    checker = _Checker(Card(path="", text=""), options, None)
    checker.add("card-unreadable", 1, message)
    return checker.findings


def check_paths(paths: Iterable[Path], options: Options) -> list[FileResult]:
    """Check files and directories (every Markdown card inside)."""
    _folder_files.cache_clear()  # a folder's files are read once per run, not once per process
    results: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            for file in card_files(path):
                result = check_file(file, options, from_directory=True)
                if result is not None:
                    results.append(result)
        else:
            result = check_file(path, options)
            assert result is not None
            results.append(result)
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
